/* parse.c: strict decimal parsing (no atoi, no strtol surprises). */
#include "cmfa_util.h"

enum cmfa_err
cmfa_parse_u64(const char *p, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (p == NULL || len == 0 || len > 20)
		return CMFA_ERR_PARSE;
	if (p[0] == '0' && len > 1)
		return CMFA_ERR_PARSE;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (p[i] < '0' || p[i] > '9')
			return CMFA_ERR_PARSE;
		d = (unsigned)(p[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return CMFA_ERR_TOOBIG;
		v = v * 10 + d;
	}
	if (v > max)
		return CMFA_ERR_TOOBIG;
	*out = v;
	return CMFA_OK;
}

enum cmfa_err
cmfa_parse_i64(const char *p, size_t len, int64_t min, int64_t max,
    int64_t *out)
{
	uint64_t mag;
	enum cmfa_err err;
	int64_t v;

	if (p == NULL || len == 0)
		return CMFA_ERR_PARSE;
	if (p[0] == '-') {
		if ((err = cmfa_parse_u64(p + 1, len - 1,
		         (uint64_t)INT64_MAX + 1, &mag)) != CMFA_OK)
			return err;
		if (mag == 0)
			return CMFA_ERR_PARSE; /* "-0" */
		v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		if ((err = cmfa_parse_u64(p, len, (uint64_t)INT64_MAX, &mag)) !=
		    CMFA_OK)
			return err;
		v = (int64_t)mag;
	}
	if (v < min || v > max)
		return CMFA_ERR_TOOBIG;
	*out = v;
	return CMFA_OK;
}
