/*
 * fuzz_deliverlimit.c: the delivery count file (cmfa_limit_parse,
 * deliver/limit.c).  abort() on a broken property:
 *  - accepted iff the input is 0..128 lines, each a decimal without sign
 *    or leading zero (but "0"), at most INT64_MAX, ending in '\n', in
 *    ascending (non-decreasing) order, at most CMFA_LIMIT_FILE_MAX bytes;
 *  - an accepted input is canonical: its entries printed back one per
 *    line give exactly the input;
 *  - a refusal leaves the output untouched.
 * The input is copied to an exact-size heap buffer so ASan sees any read
 * past its end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_deliver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The grammar above, written independently of the parser. */
static int
expect_ok(const char *p, size_t len)
{
	size_t i = 0, lines = 0, start, dlen;
	char num[32], prev[32] = "";

	if (len > CMFA_LIMIT_FILE_MAX)
		return 0;
	while (i < len) {
		start = i;
		while (i < len && p[i] >= '0' && p[i] <= '9')
			i++;
		dlen = i - start;
		if (i == len || p[i] != '\n' || dlen == 0 || dlen > 19 ||
		    (dlen > 1 && p[start] == '0'))
			return 0;
		memcpy(num, p + start, dlen);
		num[dlen] = '\0';
		if (dlen == 19 && strcmp(num, "9223372036854775807") > 0)
			return 0;
		/* same-length decimals compare as strings */
		if (lines > 0 &&
		    (strlen(prev) > dlen ||
		        (strlen(prev) == dlen && strcmp(prev, num) > 0)))
			return 0;
		memcpy(prev, num, dlen + 1);
		if (++lines > 128)
			return 0;
		i++;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmfa_limit_times lt;
	char *p, *back;
	size_t i, n = 0;
	enum cmfa_err e;

	if (size > 65536)
		return 0;
	if ((p = malloc(size + 1)) == NULL)
		abort();
	memcpy(p, data, size);
	memset(&lt, 0xA5, sizeof(lt));
	e = cmfa_limit_parse(p, size, &lt);
	if ((e == CMFA_OK) != expect_ok(p, size))
		abort();
	if (e != CMFA_OK) {
		if (e != CMFA_ERR_PARSE && e != CMFA_ERR_TOOBIG)
			abort();
		for (i = 0; i < sizeof(lt); i++)
			if (((unsigned char *)&lt)[i] != 0xA5)
				abort();
		free(p);
		return 0;
	}
	if (lt.n > 128 || (back = malloc(size + 1)) == NULL)
		abort();
	for (i = 0; i < lt.n; i++) {
		if (lt.t[i] < 0 || (i > 0 && lt.t[i] < lt.t[i - 1]))
			abort();
		n += (size_t)snprintf(back + n, size + 1 - n, "%lld\n",
		    (long long)lt.t[i]);
		if (n > size)
			abort();
	}
	if (n != size || memcmp(back, p, size) != 0)
		abort();
	free(back);
	free(p);
	return 0;
}
