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
 * Retries: standard mode's classes (COGNITO.md 4.4): throttling codes,
 * 500/502/503/504, the transient codes and transport failures, up to
 * a->max_attempts (3 when unset) with full-jitter exponential backoff
 * (base 1 s, cap 20 s).  Self-contained: the Cognito path's retry quota
 * and rate limits are not involved (a credential or SNS call is rare).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "creds_int.h"

#define QUERY_BODY_MAX (1024u * 1024u)
#define QUERY_RESPONSE_MAX (1024u * 1024u)
#define QUERY_BACKOFF_CAP_S 20.0

static const char *const retry_codes[] = {
	"Throttling",
	"ThrottlingException",
	"ThrottledException",
	"RequestThrottledException",
	"TooManyRequestsException",
	"ProvisionedThroughputExceededException",
	"TransactionInProgressException",
	"RequestLimitExceeded",
	"BandwidthLimitExceeded",
	"LimitExceededException",
	"RequestThrottled",
	"SlowDown",
	"PriorRequestNotComplete",
	"EC2ThrottledException",
	"RequestTimeout",
	"RequestTimeoutException",
};

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

/* The request URL, the Host header and the path to sign, from the
 * endpoint "scheme://[user@]host[:port][/path]". */
struct target {
	char url[1024];
	char host[512];
	char path[512];
};

static enum cmfa_err
parse_endpoint(const char *ep, struct target *t)
{
	const char *auth, *end, *at, *colon, *p;
	bool https;
	size_t hn;

	if (strncmp(ep, "https://", 8) == 0)
		https = true;
	else if (strncmp(ep, "http://", 7) == 0)
		https = false;
	else
		return CMFA_ERR_INVAL;
	auth = ep + (https ? 8 : 7);
	end = auth + strcspn(auth, "/?#");
	if (*end == '?' || *end == '#' ||
	    !cmfa_utf8_printable(ep, strlen(ep), false) ||
	    strchr(ep, ' ') != NULL)
		return CMFA_ERR_INVAL;
	at = memchr(auth, '@', (size_t)(end - auth));
	if (at != NULL)
		auth = at + 1;
	/* the port, after the last ':' that is outside "[v6]" */
	colon = NULL;
	for (p = auth; p < end; p++)
		if (*p == ':')
			colon = p;
		else if (*p == ']')
			colon = NULL;
	hn = (size_t)(end - auth);
	if (colon != NULL &&
	    ((https && strncmp(colon, ":443", 4) == 0 && colon + 4 == end) ||
	        (!https && strncmp(colon, ":80", 3) == 0 && colon + 3 == end)))
		hn = (size_t)(colon - auth); /* botocore drops a default port */
	if (hn == 0 || hn >= sizeof(t->host))
		return CMFA_ERR_INVAL;
	memcpy(t->host, auth, hn);
	t->host[hn] = '\0';
	if (snprintf(t->path, sizeof(t->path), "%s", *end ? end : "/") >=
	        (int)sizeof(t->path) ||
	    snprintf(t->url, sizeof(t->url), "%.*s%s", (int)(end - ep), ep,
	        t->path) >= (int)sizeof(t->url))
		return CMFA_ERR_INVAL;
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* One attempt                                                            */

static enum cmfa_err
sign(struct cmfa_aws *a, const struct target *t, const char *service,
    const char *region, const struct cmfa_aws_credentials *creds,
    const struct cmfa_buf *body, struct cmfa_sigv4_result *sig)
{
	struct cmfa_sigv4_header h[2] = {
		{ "Host", t->host },
		{ "Content-Type",
		    "application/x-www-form-urlencoded; charset=utf-8" },
	};
	struct cmfa_sigv4_request req;
	struct cmfa_aws_creds c;

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = t->path;
	req.headers = h;
	req.nheaders = 2;
	req.body = body->p;
	req.body_len = body->len;
	c.access_key_id = creds->access_key_id;
	c.secret_access_key = creds->secret_access_key;
	c.session_token = creds->session_token;
	return cmfa_sigv4_sign(&req, &c, region, service, cmfa_aws_now(a),
	    CMFA_SIGV4_DEFAULT, sig);
}

static enum cmfa_err
attempt(struct cmfa_aws *a, const struct target *t, const char *service,
    const char *region, const struct cmfa_aws_credentials *creds,
    const struct cmfa_buf *body, struct cmfa_http_resp *resp)
{
	struct cmfa_sigv4_result sig;
	struct cmfa_http_header h[5];
	struct cmfa_http_req r;
	size_t n = 0;
	enum cmfa_err e;

	memset(&sig, 0, sizeof(sig));
	memset(resp, 0, sizeof(*resp));
	h[n++] = (struct cmfa_http_header){ "Host", t->host };
	h[n++] = (struct cmfa_http_header){ "Content-Type",
		"application/x-www-form-urlencoded; charset=utf-8" };
	if (creds != NULL) {
		if ((e = sign(a, t, service, region, creds, body, &sig)) !=
		    CMFA_OK)
			return e;
		h[n++] =
		    (struct cmfa_http_header){ "X-Amz-Date", sig.amz_date };
		h[n++] = (struct cmfa_http_header){ "Authorization",
			cmfa_buf_str(&sig.authorization) };
		if (creds->session_token != NULL)
			h[n++] =
			    (struct cmfa_http_header){ "X-Amz-Security-Token",
				    creds->session_token };
	}
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.url = t->url;
	r.headers = h;
	r.nheaders = n;
	r.body = body->p;
	r.body_len = body->len;
	r.max_response = QUERY_RESPONSE_MAX;
	e = cmfa_http_do(a->http, &r, resp);
	cmfa_sigv4_result_free(&sig);
	return e;
}

/* ---------------------------------------------------------------------- */
/* Outcomes                                                               */

static void
transport_error(const struct target *t, const struct cmfa_http_resp *r,
    struct cmfa_aws_error *err)
{
	switch (r->fail) {
	case CMFA_HTTP_CONNECT:
		cmfa_creds_fail(err, CMFA_AWSERR_TRANSPORT,
		    "Could not connect to the endpoint URL: \"%s\"", t->url);
		break;
	case CMFA_HTTP_TIMEOUT:
		/* libcurl's words for a timeout before the connection */
		cmfa_creds_fail(err, CMFA_AWSERR_TRANSPORT,
		    "%s timeout on endpoint URL: \"%s\"",
		    strncmp(r->fail_msg, "Connection timed out", 20) == 0 ||
		            strncmp(r->fail_msg, "Resolving timed out", 19) == 0
		        ? "Connect"
		        : "Read",
		    t->url);
		break;
	case CMFA_HTTP_TLS:
		cmfa_creds_fail(err, CMFA_AWSERR_TRANSPORT,
		    "SSL validation failed for %s %s", t->url, r->fail_msg);
		break;
	case CMFA_HTTP_TRUNCATED:
		cmfa_creds_fail(err, CMFA_AWSERR_TRANSPORT,
		    "Connection was closed before we received a valid "
		    "response from endpoint URL: \"%s\".",
		    t->url);
		break;
	default:
		cmfa_creds_fail(err, CMFA_AWSERR_TRANSPORT,
		    "An HTTP Client raised an unhandled exception: %s",
		    r->fail_msg);
		break;
	}
	err->status = 0;
	err->type[0] = '\0';
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

static bool
retryable(const struct cmfa_http_resp *r, const struct cmfa_aws_error *err)
{
	size_t i;

	if (r->fail != CMFA_HTTP_OK)
		return r->fail != CMFA_HTTP_TLS && r->fail != CMFA_HTTP_TOOBIG;
	if (r->status == 500 || r->status == 502 || r->status == 503 ||
	    r->status == 504)
		return true;
	for (i = 0; i < CMFA_ARRAY_LEN(retry_codes); i++)
		if (strcmp(err->type, retry_codes[i]) == 0)
			return true;
	return false;
}

/* rand(0,1) * min(2^(n-1), 20) seconds before retry n. */
static void
backoff(unsigned n)
{
	uint32_t r = 0;
	double cap = 1.0, d;
	struct timespec ts;

	while (n-- > 1 && cap < QUERY_BACKOFF_CAP_S)
		cap *= 2;
	if (cap > QUERY_BACKOFF_CAP_S)
		cap = QUERY_BACKOFF_CAP_S;
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = UINT32_MAX / 2;
	d = cap * ((double)r / 4294967296.0);
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

enum cmfa_err
cmfa_aws_query(struct cmfa_aws *a, const char *endpoint, const char *service,
    const char *region, const struct cmfa_aws_credentials *creds,
    const struct cmfa_http_header *params, size_t nparams,
    struct cmfa_aws_call *out)
{
	struct target t;
	struct cmfa_buf body;
	struct cmfa_http_resp resp;
	unsigned max =
	    a != NULL && a->max_attempts > 0 ? (unsigned)a->max_attempts : 3;
	enum cmfa_err e;

	if (a == NULL || endpoint == NULL || service == NULL ||
	    region == NULL || out == NULL || (params == NULL && nparams > 0))
		return CMFA_ERR_INVAL;
	memset(&out->error, 0, sizeof(out->error));
	cmfa_buf_init(&out->response, QUERY_RESPONSE_MAX);
	out->status = 0;
	out->attempts = 0;
	if ((e = parse_endpoint(endpoint, &t)) != CMFA_OK)
		return e;
	if ((e = form_body(params, nparams, &body)) != CMFA_OK)
		return e;
	for (;;) {
		e = attempt(a, &t, service, region, creds, &body, &resp);
		if (e != CMFA_OK) {
			cmfa_creds_fail(&out->error, CMFA_AWSERR_CONFIG,
			    "Unable to send the %s request: %s", service,
			    cmfa_strerror(e));
			break;
		}
		out->attempts++;
		out->status = resp.status;
		if (resp.fail == CMFA_HTTP_OK && resp.status >= 200 &&
		    resp.status < 300) {
			out->response = resp.body; /* handed over */
			memset(&resp.body, 0, sizeof(resp.body));
			memset(&out->error, 0, sizeof(out->error));
			break;
		}
		if (resp.fail != CMFA_HTTP_OK)
			transport_error(&t, &resp, &out->error);
		else
			service_error(&resp, &out->error);
		out->error.attempts = out->attempts;
		if (!retryable(&resp, &out->error) || out->attempts >= max) {
			out->error.max_retries = retryable(&resp, &out->error);
			cmfa_http_resp_free(&resp);
			e = CMFA_ERR_IO; /* as cmfa_aws_cognito() */
			break;
		}
		cmfa_http_resp_free(&resp);
		backoff(out->attempts);
	}
	cmfa_http_resp_free(&resp);
	cmfa_buf_free(&body); /* it may hold a web identity token */
	return e;
}
