/*
 * fuzz_cli_json.c: cognito-mfa's Python-compatible JSON loader
 * (cmfa_cli_json_load) and what the CLI does with what it loads:
 * botocore's validation, repr(), and the JSON and text formatters.
 *
 * Properties checked on every input (abort() on violation):
 *  - the result is CMFA_OK or CMFA_ERR_PARSE, *out set exactly on
 *    success; a failure has a non-empty UTF-8 message of a known kind
 *    ending in "(char N)" unless it is one of our own refusals;
 *  - loading again gives the same result;
 *  - on success: validation against a request shape ends in OK or
 *    VALIDATION with a report; repr(), json.dumps and the text form are
 *    valid UTF-8; a value without inf / nan, dumped unsorted, loads back
 *    to an equal tree.
 * The input is an exact-size heap block, so ASan sees any overread.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
has_nonfinite(const cJSON *v)
{
	const cJSON *c;

	if (cJSON_IsRaw(v) && v->valuestring != NULL &&
	    (strstr(v->valuestring, "inf") || strstr(v->valuestring, "nan")))
		return true;
	for (c = v->child; c != NULL; c = c->next)
		if (has_nonfinite(c))
			return true;
	return false;
}

static void
check_text(const struct cmfa_buf *b)
{
	if (!cmfa_utf8_valid((const char *)(b->p ? b->p : (uint8_t *)""),
	        b->len))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p, err[512], err2[512];
	struct cmfa_buf b, rep;
	cJSON *v = NULL, *v2 = NULL, *back = NULL;
	const struct cmfa_cli_op *op;
	enum cmfa_err e, e2;
	bool odict = size > 0 && (data[0] & 1);

	if (size > 64 * 1024)
		return 0;
	if ((p = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(p, data, size);
	e = cmfa_cli_json_load(p, size, odict, &v, err, sizeof(err));
	e2 = cmfa_cli_json_load(p, size, odict, &v2, err2, sizeof(err2));
	if (e != e2 || (e == CMFA_OK) != (v != NULL))
		abort();
	if (e != CMFA_OK) {
		if (e != CMFA_ERR_PARSE || err[0] == '\0' ||
		    strcmp(err, err2) != 0 ||
		    !cmfa_utf8_valid(err, strlen(err)))
			abort();
		if (strstr(err, " (char ") == NULL &&
		    strcmp(err, "not valid UTF-8") != 0)
			abort();
		free(p);
		return 0;
	}
	if (!cJSON_Compare(v, v2, true))
		abort();
	cmfa_buf_init(&b, 16u * 1024u * 1024u);
	if (cmfa_cli_pyrepr(v, &b) != CMFA_OK)
		abort();
	check_text(&b);
	cmfa_buf_reset(&b);
	if (cmfa_cli_json_dump(v, true, &b) != CMFA_OK)
		abort();
	check_text(&b);
	cmfa_buf_reset(&b);
	if (cmfa_cli_json_dump(v, false, &b) != CMFA_OK)
		abort();
	if (!has_nonfinite(v)) {
		if (cmfa_cli_json_load((const char *)b.p, b.len, odict, &back,
		        err, sizeof(err)) != CMFA_OK ||
		    !cJSON_Compare(v, back, true))
			abort();
	}
	cmfa_buf_reset(&b);
	if (cmfa_cli_text_dump(v, &b) != CMFA_OK)
		abort();
	check_text(&b);
	op = cmfa_cli_op_find(size > 1 && (data[1] & 1)
	        ? "admin-create-user"
	        : "set-user-pool-mfa-config");
	e = cmfa_cli_validate(v, op->input, &rep);
	if (e != CMFA_OK && (e != CMFA_ERR_VALIDATION || rep.len == 0))
		abort();
	cmfa_buf_free(&rep);
	cmfa_buf_free(&b);
	cJSON_Delete(back);
	cJSON_Delete(v);
	cJSON_Delete(v2);
	free(p);
	return 0;
}
