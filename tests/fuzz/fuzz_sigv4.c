/*
 * fuzz_sigv4.c: cmfa_sigv4_sign on arbitrary request parts.
 *
 * The input is read like a test-suite .req: the first line is
 * "METHOD PATH[ HTTP/1.1]", then "Name:value" lines (lines without ':'
 * are ignored) up to a blank line, then the body.  Properties checked on
 * every input (abort() on violation):
 *  - signing never crashes, and succeeds or fails with INVAL/TOOBIG;
 *  - with and without the session token, on success the Authorization
 *    value starts with the fixed credential prefix, and signing again
 *    gives the same bytes (no hidden state);
 *  - the secret access key never appears in any output (unless the
 *    input itself carries it).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_HEADERS (CMFA_SIGV4_MAX_HEADERS + 4)
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define PREFIX                                                                 \
	"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"  \
	"aws4_request, SignedHeaders="

static void
check_result(const struct cmfa_sigv4_result *r, bool input_has_secret)
{
	if (strncmp(cmfa_buf_str(&r->authorization), PREFIX,
	        sizeof(PREFIX) - 1) != 0)
		abort();
	if (input_has_secret)
		return;
	if (memmem(r->canonical_request.p, r->canonical_request.len, SECRET,
	        sizeof(SECRET) - 1) != NULL ||
	    strstr(cmfa_buf_str(&r->string_to_sign), SECRET) != NULL ||
	    strstr(cmfa_buf_str(&r->authorization), SECRET) != NULL)
		abort();
}

static void
sign_twice(const struct cmfa_sigv4_request *req, const char *token,
    unsigned flags, bool input_has_secret)
{
	struct cmfa_aws_creds creds = { "AKIDEXAMPLE", SECRET, token };
	struct cmfa_sigv4_result a, b;
	enum cmfa_err ea, eb;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ea = cmfa_sigv4_sign(req, &creds, "us-east-1", "service",
	    INT64_C(1440938160), flags, &a);
	eb = cmfa_sigv4_sign(req, &creds, "us-east-1", "service",
	    INT64_C(1440938160), flags, &b);
	if (ea != eb)
		abort();
	if (ea != CMFA_OK && ea != CMFA_ERR_INVAL && ea != CMFA_ERR_TOOBIG)
		abort();
	if (ea == CMFA_OK) {
		check_result(&a, input_has_secret);
		if (a.authorization.len != b.authorization.len ||
		    memcmp(a.authorization.p, b.authorization.p,
		        a.authorization.len) != 0)
			abort();
	}
	cmfa_sigv4_result_free(&a);
	cmfa_sigv4_result_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmfa_sigv4_header h[FUZZ_MAX_HEADERS];
	struct cmfa_sigv4_request req;
	char *text, *p, *end, *line, *nl, *sp;
	size_t nh = 0;
	bool has_secret;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(text, data, size);
	text[size] = '\0';
	has_secret = memmem(data, size, SECRET, sizeof(SECRET) - 1) != NULL;
	end = text + size;

	memset(&req, 0, sizeof(req));
	line = text;
	nl = memchr(text, '\n', size);
	if (nl != NULL)
		*nl = '\0';
	p = nl != NULL ? nl + 1 : end;
	req.method = line;
	if ((sp = strchr(line, ' ')) != NULL) {
		char *last;

		*sp = '\0';
		req.path = sp + 1;
		if ((last = strrchr(sp + 1, ' ')) != NULL)
			*last = '\0';
	} else
		req.path = "/";

	while (p < end) {
		char *colon;

		line = p;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl != NULL)
			*nl = '\0';
		p = nl != NULL ? nl + 1 : end;
		if (*line == '\0') {
			req.body = (const uint8_t *)p;
			req.body_len = (size_t)(end - p);
			break;
		}
		if ((colon = strchr(line, ':')) == NULL ||
		    nh == FUZZ_MAX_HEADERS)
			continue;
		*colon = '\0';
		h[nh].name = line;
		h[nh].value = colon + 1;
		nh++;
	}
	req.headers = h;
	req.nheaders = nh;

	sign_twice(&req, NULL, CMFA_SIGV4_DEFAULT, has_secret);
	sign_twice(&req, "AQoDYXdzEPT//////////wEXAMPLEtoken",
	    CMFA_SIGV4_DEFAULT, has_secret);
	sign_twice(&req, NULL, 0, has_secret);
	free(text);
	return 0;
}
