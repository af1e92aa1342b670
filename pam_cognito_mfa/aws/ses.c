/*
 * ses.c: an email code through Amazon SES v2 SendEmail (COGNITO.md 1.13;
 * DESIGN.md D4).
 *
 * rest-json: POST /v2/email/outbound-emails on
 * https://email.<region>.amazonaws.com, Content-Type application/json,
 * SigV4 with the signing name "ses" (the model's signingName: neither the
 * endpoint prefix "email" nor "sesv2").  The body is what botocore's
 * RestJSONSerializer writes for sesv2.send_email(FromEmailAddress=...,
 * Destination={"ToAddresses": [to]}, Content={"Simple": {"Subject":
 * {"Data", "Charset": "UTF-8"}, "Body": {"Text": {"Data", "Charset":
 * "UTF-8"}}}}) byte for byte: json.dumps() with its ", " / ": "
 * separators and ensure_ascii escapes (checked in test_aws_deliver
 * against botocore's serializer and signer).  A plain-text body only:
 * the code needs no HTML, and an HTML part would be one more place to
 * escape it.
 *
 * Errors are read as botocore's RestJSONParser reads them
 * (cmfa_aws_parse_rest_error: the x-amzn-ErrorType header first);
 * retries are request.c's (TooManyRequestsException and
 * LimitExceededException are throttling codes there, as in botocore).
 * The request body holds the code: it is wiped when freed and never
 * reaches an error or a log.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmfa_core.h"
#include "creds_int.h"

#define SES_PATH "/v2/email/outbound-emails"
#define SES_FIELD_MAX (64u * 1024u) /* each of from, to, subject, body */
/* four fields, each byte at most 6 bytes of JSON ("\u0001") */
#define SES_BODY_MAX (4u * 6u * SES_FIELD_MAX + 1024u)

/* ---------------------------------------------------------------------- */
/* The body, as Python's json.dumps(ensure_ascii=True)                    */

static enum cmfa_err
json_u(struct cmfa_buf *b, uint32_t u)
{
	return cmfa_buf_appendf(b, "\\u%04x", (unsigned)u);
}

/* One code point: printable ASCII as is (but '"' and '\\'), the short
 * escapes, everything else \uXXXX (lower-case hex, surrogate pairs). */
static enum cmfa_err
json_cp(struct cmfa_buf *b, uint32_t c)
{
	static const char shortesc[][3] = { ['"'] = "\\\"",
		['\\'] = "\\\\",
		['\b'] = "\\b",
		['\f'] = "\\f",
		['\n'] = "\\n",
		['\r'] = "\\r",
		['\t'] = "\\t" };
	char ch;
	enum cmfa_err e;

	if (c < CMFA_ARRAY_LEN(shortesc) && shortesc[c][0] != '\0')
		return cmfa_buf_append(b, shortesc[c], 2);
	if (c >= 0x20 && c <= 0x7e) {
		ch = (char)c;
		return cmfa_buf_append(b, &ch, 1);
	}
	if (c < 0x10000)
		return json_u(b, c);
	c -= 0x10000;
	if ((e = json_u(b, 0xd800 | (c >> 10))) != CMFA_OK)
		return e;
	return json_u(b, 0xdc00 | (c & 0x3ff));
}

/* A JSON string of s (valid UTF-8, checked by the caller). */
static enum cmfa_err
json_str(struct cmfa_buf *b, const char *s)
{
	size_t len = strlen(s), i = 0, n;
	uint32_t c;
	enum cmfa_err e = cmfa_buf_append(b, "\"", 1);

	while (e == CMFA_OK && i < len) {
		n = cmfa_utf8_next(s + i, len - i, &c);
		i += n;
		e = json_cp(b, c);
	}
	return e == CMFA_OK ? cmfa_buf_append(b, "\"", 1) : e;
}

/* parts[0..n): literal JSON text at even indices, strings to encode at
 * odd ones. */
static enum cmfa_err
json_join(struct cmfa_buf *b, const char *const *parts, size_t n)
{
	enum cmfa_err e = CMFA_OK;
	size_t i;

	for (i = 0; i < n && e == CMFA_OK; i++)
		e = (i % 2 == 0) ? cmfa_buf_append_str(b, parts[i])
		                 : json_str(b, parts[i]);
	return e;
}

static enum cmfa_err
ses_body(const struct cmfa_ses_email *m, struct cmfa_buf *b)
{
	const char *const parts[] = { "{\"FromEmailAddress\": ", m->from,
		", \"Destination\": {\"ToAddresses\": [", m->to,
		"]}, \"Content\": {\"Simple\": {\"Subject\": {\"Data\": ",
		m->subject,
		", \"Charset\": \"UTF-8\"}, \"Body\": {\"Text\": {\"Data\": ",
		m->body, ", \"Charset\": \"UTF-8\"}}}}}" };
	enum cmfa_err e;

	cmfa_buf_init(b, SES_BODY_MAX);
	if ((e = json_join(b, parts, CMFA_ARRAY_LEN(parts))) != CMFA_OK)
		cmfa_buf_free(b);
	return e;
}

/* ---------------------------------------------------------------------- */

static bool
field_ok(const char *s, bool multiline, bool empty_ok)
{
	size_t n;

	if (s == NULL || ((n = strlen(s)) == 0 && !empty_ok) ||
	    n > SES_FIELD_MAX)
		return false;
	return cmfa_utf8_printable(s, n, multiline);
}

static enum cmfa_err
email_check(const struct cmfa_ses_email *m, struct cmfa_aws_error *err)
{
	if (m == NULL || !field_ok(m->from, false, false) ||
	    !field_ok(m->to, false, false) ||
	    !field_ok(m->subject, false, true)) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The email's From, To or Subject is missing, too "
		    "long or holds control characters");
		return CMFA_ERR_INVAL;
	}
	if (!field_ok(m->body, true, false)) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The email's text is empty, too long or not UTF-8");
		return CMFA_ERR_INVAL;
	}
	return CMFA_OK;
}

static bool
set(const char *s)
{
	return s != NULL && s[0] != '\0';
}

static enum cmfa_err
ses_endpoint(struct cmfa_aws *a, const struct cmfa_ses_email *m,
    const char **region, char *out, size_t outsz, struct cmfa_aws_error *err)
{
	int n;

	*region = set(m->region) ? m->region : cmfa_aws_region(a);
	if (!cmfa_aws_region_ok(*region)) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "Provided region_name '%s' doesn't match a supported "
		    "format.",
		    *region);
		return CMFA_ERR_INVAL;
	}
	n = set(m->ses_endpoint_url)
	    ? snprintf(out, outsz, "%s", m->ses_endpoint_url)
	    : snprintf(out, outsz, "https://email.%s.amazonaws.com", *region);
	if (n < 0 || (size_t)n >= outsz) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The SES endpoint URL is too long");
		return CMFA_ERR_INVAL;
	}
	return CMFA_OK;
}

static void
rest_error(const struct cmfa_http_resp *r, struct cmfa_aws_error *err)
{
	cmfa_aws_parse_rest_error(r->status, r->error_type,
	    (const char *)r->body.p, r->body.len, err);
}

/* {"MessageId": "..."}; "" when absent or too long for out. */
static void
copy_id(const struct cmfa_buf *resp, char *out, size_t outsz)
{
	cJSON *root = NULL;
	const cJSON *id;

	if (out == NULL || outsz == 0)
		return;
	out[0] = '\0';
	if (cmfa_json_parse((const char *)resp->p, resp->len,
	        CMFA_JSON_MAX_BYTES, &root) != CMFA_OK)
		return;
	id = cJSON_GetObjectItemCaseSensitive(root, "MessageId");
	if (cJSON_IsString(id) && strlen(id->valuestring) < outsz)
		cmfa_sanitize(out, outsz, id->valuestring,
		    strlen(id->valuestring));
	cJSON_Delete(root);
}

static enum cmfa_err
ses_post(struct cmfa_aws *a, const struct cmfa_aws_credentials *creds,
    const char *endpoint, const char *region, const struct cmfa_buf *body,
    struct cmfa_aws_call *call)
{
	struct cmfa_aws_req q;

	memset(&q, 0, sizeof(q));
	q.endpoint = endpoint;
	q.method = "POST";
	q.path = SES_PATH;
	q.service = "ses";
	q.region = region;
	q.creds = creds;
	q.content_type = "application/json";
	q.body = body->p;
	q.body_len = body->len;
	q.parse_error = rest_error;
	return cmfa_aws_request(a, &q, call);
}

enum cmfa_err
cmfa_aws_ses_send(struct cmfa_aws *a, const struct cmfa_ses_email *m,
    char *message_id, size_t idsz, struct cmfa_aws_error *err)
{
	const struct cmfa_aws_credentials *creds;
	struct cmfa_aws_call call;
	struct cmfa_buf body;
	const char *region;
	char endpoint[512];
	enum cmfa_err e;

	memset(err, 0, sizeof(*err));
	if (a == NULL)
		return CMFA_ERR_INVAL;
	if ((e = email_check(m, err)) != CMFA_OK ||
	    (e = ses_endpoint(a, m, &region, endpoint, sizeof(endpoint),
	         err)) != CMFA_OK ||
	    (e = cmfa_aws_creds(a, &creds, err)) != CMFA_OK)
		return e;
	if ((e = ses_body(m, &body)) != CMFA_OK) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG, "%s",
		    cmfa_strerror(e));
		return e;
	}
	memset(&call, 0, sizeof(call));
	call.op = "SendEmail";
	e = ses_post(a, creds, endpoint, region, &body, &call);
	if (e == CMFA_OK)
		copy_id(&call.response, message_id, idsz);
	else
		*err = call.error;
	cmfa_aws_call_release(&call);
	cmfa_buf_free(&body); /* wiped: it holds the code */
	return e;
}
