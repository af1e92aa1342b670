/*
 * fuzz_awserror.c: cmfa_aws_parse_error on arbitrary error answers.
 *
 * The input is "STATUS\n" (three digits; anything else means 400)
 * followed by the body.  Properties checked on every input (abort() on
 * violation):
 *  - kind is SERVICE, status is the one given, attempts 0, no
 *    max_retries;
 *  - type and message are NUL-terminated within their buffers, valid
 *    UTF-8 and free of control characters;
 *  - type is never empty when the body has no usable "__type" (it is the
 *    status then), and never holds ':' (cut there) or '#' (kept after);
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

static long
status_of(const uint8_t *data, size_t size)
{
	size_t i;
	long v = 0;

	if (size < 4 || data[3] != '\n')
		return 400;
	for (i = 0; i < 3; i++) {
		if (data[i] < '0' || data[i] > '9')
			return 400;
		v = v * 10 + (data[i] - '0');
	}
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmfa_aws_error a, b;
	long status = status_of(data, size);
	size_t skip = status == 400 && (size < 4 || data[3] != '\n') ? 0 : 4;
	const char *body = (const char *)data + skip;
	size_t len = size - skip;

	memset(&a, 0x5a, sizeof(a));
	memset(&b, 0xa5, sizeof(b));
	cmfa_aws_parse_error(status, body, len, &a);
	cmfa_aws_parse_error(status, body, len, &b);
	if (a.kind != CMFA_AWSERR_SERVICE || a.status != status ||
	    a.attempts != 0 || a.max_retries)
		abort();
	check_text(a.type, sizeof(a.type));
	check_text(a.message, sizeof(a.message));
	if (strchr(a.type, ':') != NULL || strchr(a.type, '#') != NULL)
		abort();
	if (memmem(body, len, "__type", 6) == NULL && a.type[0] == '\0')
		abort();
	if (strcmp(a.type, b.type) != 0 || strcmp(a.message, b.message) != 0 ||
	    a.kind != b.kind || a.status != b.status)
		abort();
	return 0;
}
