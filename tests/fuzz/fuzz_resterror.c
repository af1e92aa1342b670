/*
 * fuzz_resterror.c: cmfa_aws_parse_rest_error on arbitrary rest-json
 * error answers (SES v2).
 *
 * The input is "STATUS\n" (three digits; anything else means 400), then
 * the x-amzn-ErrorType header's value up to the next '\n' (empty: no
 * header), then the body.  Properties checked on every input (abort() on
 * violation):
 *  - kind is SERVICE, status is the one given, attempts 0, no
 *    max_retries;
 *  - type and message are NUL-terminated within their buffers, valid
 *    UTF-8 and free of control characters;
 *  - a header with a printable code before its first ':' gives exactly
 *    that code, unless the answer is a generic 5xx (its status is the
 *    code then);
 *  - the same input gives the same bytes (no hidden state).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s, size_t sz)
{
	size_t n = strnlen(s, sz);

	if (n == sz || !cmfa_utf8_printable(s, n, false))
		abort();
}

/* "NNN\n" at the start: the status and 4; else 400 and 0. */
static long
status_of(const uint8_t *data, size_t size, size_t *skip)
{
	long v = 0;
	size_t i;

	*skip = 0;
	if (size < 4 || data[3] != '\n')
		return 400;
	for (i = 0; i < 3; i++) {
		if (data[i] < '0' || data[i] > '9')
			return 400;
		v = v * 10 + (data[i] - '0');
	}
	*skip = 4;
	return v;
}

/* ASCII letters, digits and a few marks only: sanitize keeps it whole. */
static bool
plain(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return n > 0 && n < 100;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmfa_aws_error a, b;
	char hdr[256];
	size_t skip, hl, code;
	long status = status_of(data, size, &skip);
	const char *p = (const char *)data + skip, *nl;
	size_t left = size - skip;

	nl = memchr(p, '\n', left);
	hl = nl != NULL ? (size_t)(nl - p) : 0;
	if (hl >= sizeof(hdr) || memchr(p, '\0', hl) != NULL)
		hl = 0;
	memcpy(hdr, p, hl);
	hdr[hl] = '\0';
	if (nl != NULL) {
		left -= (size_t)(nl + 1 - p);
		p = nl + 1;
	}
	memset(&a, 0x5a, sizeof(a));
	memset(&b, 0xa5, sizeof(b));
	cmfa_aws_parse_rest_error(status, hdr, p, left, &a);
	cmfa_aws_parse_rest_error(status, hdr, p, left, &b);
	if (a.kind != CMFA_AWSERR_SERVICE || a.status != status ||
	    a.attempts != 0 || a.max_retries)
		abort();
	check_text(a.type, sizeof(a.type));
	check_text(a.message, sizeof(a.message));
	code = strcspn(hdr, ":");
	if (status < 500 && plain(hdr, code) &&
	    (strlen(a.type) != code || memcmp(a.type, hdr, code) != 0))
		abort();
	if (strcmp(a.type, b.type) != 0 || strcmp(a.message, b.message) != 0)
		abort();
	return 0;
}
