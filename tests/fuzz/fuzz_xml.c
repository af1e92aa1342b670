/*
 * fuzz_xml.c: the XML reader for query-protocol answers (aws/xml.c) on
 * arbitrary bytes, with the paths STS and SNS answers are read by.
 *
 * Invariants checked (abort() on violation):
 *  - the result is OK, NOTFOUND, PARSE or TOOBIG; on failure out is
 *    untouched;
 *  - a text found is valid UTF-8 without a NUL, and is found again, the
 *    same, with a buffer just large enough, and is TOOBIG with one byte
 *    less;
 *  - whether the document parses does not depend on the path asked for
 *    (PARSE for one path is PARSE for all; TOOBIG for depth likewise).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SENTINEL "\x5a\x5a\x5a"

static const char *const paths[] = {
	"Error/Code",
	"Error/Message",
	"AssumeRoleResult/Credentials/AccessKeyId",
	"a",
	"a/b",
};

static enum cmfa_err
check(const char *x, size_t n, const char *path)
{
	char out[1024], small[1024];
	enum cmfa_err e;
	size_t len;

	memcpy(out, SENTINEL, sizeof(SENTINEL));
	e = cmfa_xml_text(x, n, path, out, sizeof(out));
	if (e != CMFA_OK) {
		if (memcmp(out, SENTINEL, sizeof(SENTINEL)) != 0 ||
		    (e != CMFA_ERR_NOTFOUND && e != CMFA_ERR_PARSE &&
		        e != CMFA_ERR_TOOBIG))
			abort();
		return e;
	}
	if ((len = strnlen(out, sizeof(out))) == sizeof(out) ||
	    !cmfa_utf8_valid(out, len))
		abort();
	if (len + 1 <= sizeof(small) &&
	    (cmfa_xml_text(x, n, path, small, len + 1) != CMFA_OK ||
	        strcmp(small, out) != 0))
		abort();
	if (len > 0 && cmfa_xml_text(x, n, path, small, len) != CMFA_ERR_TOOBIG)
		abort();
	return e;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *x = (const char *)data;
	enum cmfa_err first = CMFA_OK, e;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(paths); i++) {
		e = check(x, size, paths[i]);
		if (i == 0)
			first = e;
		else if ((first == CMFA_ERR_PARSE) != (e == CMFA_ERR_PARSE))
			abort();
	}
	return 0;
}
