/*
 * query.c: the AWS query protocol (STS, SNS): a form-encoded POST signed
 * with SigV4, an XML answer.
 *
 * As botocore's QuerySerializer and QueryParser: the body is
 * urlencode()d (Python's quote_plus: unreserved characters kept, ' ' as
 * '+', everything else %XX), Content-Type
 * "application/x-www-form-urlencoded; charset=utf-8", Host the
 * endpoint's host (with its port unless it is the scheme's default);
 * errors are <ErrorResponse><Error><Code/><Message/></Error>.
 *
 * The request itself, its signature and its retries are request.c's
 * (the Cognito path's retry classification; not its quota or rate
 * limits).
 */
#include <stdio.h>
#include <string.h>

#include "creds_int.h"

#define QUERY_BODY_MAX (1024u * 1024u)
#define FORM_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"

static bool
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~';
}

static enum cmfa_err
quote_plus(struct cmfa_buf *b, const char *s)
{
	static const char hx[] = "0123456789ABCDEF";
	enum cmfa_err e = CMFA_OK;
	char enc[3];

	for (; *s != '\0' && e == CMFA_OK; s++) {
		unsigned char c = (unsigned char)*s;

		if (is_unreserved(c)) {
			e = cmfa_buf_append(b, s, 1);
		} else if (c == ' ') {
			e = cmfa_buf_append(b, "+", 1);
		} else {
			enc[0] = '%';
			enc[1] = hx[c >> 4];
			enc[2] = hx[c & 0xf];
			e = cmfa_buf_append(b, enc, 3);
		}
	}
	return e;
}

static enum cmfa_err
form_body(const struct cmfa_http_header *params, size_t n, struct cmfa_buf *b)
{
	enum cmfa_err e = CMFA_OK;
	size_t i;

	cmfa_buf_init(b, QUERY_BODY_MAX);
	for (i = 0; i < n && e == CMFA_OK; i++) {
		if (params[i].name == NULL || params[i].value == NULL)
			e = CMFA_ERR_INVAL;
		if (e == CMFA_OK && i > 0)
			e = cmfa_buf_append(b, "&", 1);
		if (e == CMFA_OK)
			e = quote_plus(b, params[i].name);
		if (e == CMFA_OK)
			e = cmfa_buf_append(b, "=", 1);
		if (e == CMFA_OK)
			e = quote_plus(b, params[i].value);
	}
	if (e != CMFA_OK)
		cmfa_buf_free(b);
	return e;
}

/* The error answer: <Code> and <Message>, else the status and the body. */
static void
service_error(const struct cmfa_http_resp *r, struct cmfa_aws_error *err)
{
	const char *xml = (const char *)r->body.p;
	char code[sizeof(err->type)], msg[sizeof(err->message)];
	size_t n = r->body.len;

	err->kind = CMFA_AWSERR_SERVICE;
	err->status = r->status;
	if (cmfa_xml_text(xml, n, "Error/Code", code, sizeof(code)) !=
	        CMFA_OK &&
	    cmfa_xml_text(xml, n, "Errors/Error/Code", code, sizeof(code)) !=
	        CMFA_OK)
		snprintf(code, sizeof(code), "%ld", r->status);
	if (cmfa_xml_text(xml, n, "Error/Message", msg, sizeof(msg)) !=
	        CMFA_OK &&
	    cmfa_xml_text(xml, n, "Errors/Error/Message", msg, sizeof(msg)) !=
	        CMFA_OK)
		cmfa_sanitize(msg, sizeof(msg), xml != NULL ? xml : "",
		    n < 512 ? n : 512);
	cmfa_sanitize(err->type, sizeof(err->type), code, strlen(code));
	cmfa_sanitize(err->message, sizeof(err->message), msg, strlen(msg));
}

enum cmfa_err
cmfa_aws_query(struct cmfa_aws *a, const char *endpoint, const char *service,
    const char *region, const struct cmfa_aws_credentials *creds,
    const struct cmfa_http_header *params, size_t nparams,
    struct cmfa_aws_call *out)
{
	struct cmfa_aws_req q;
	struct cmfa_buf body;
	enum cmfa_err e;

	if (a == NULL || endpoint == NULL || service == NULL ||
	    region == NULL || out == NULL || (params == NULL && nparams > 0))
		return CMFA_ERR_INVAL;
	if ((e = form_body(params, nparams, &body)) != CMFA_OK) {
		memset(&out->error, 0, sizeof(out->error));
		cmfa_buf_init(&out->response, QUERY_BODY_MAX);
		cmfa_creds_fail(&out->error, CMFA_AWSERR_TRANSPORT,
		    "Unable to send the %s request: %s", service,
		    cmfa_strerror(e));
		return e;
	}
	memset(&q, 0, sizeof(q));
	q.endpoint = endpoint;
	q.method = "POST";
	q.service = service;
	q.region = region;
	q.creds = creds;
	q.content_type = FORM_CONTENT_TYPE;
	q.body = body.p;
	q.body_len = body.len;
	q.parse_error = service_error;
	e = cmfa_aws_request(a, &q, out);
	cmfa_buf_free(&body); /* it may hold a web identity token */
	return e;
}
