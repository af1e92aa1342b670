/*
 * request.c: one signed request to an AWS service other than Cognito
 * (STS and SNS over the query protocol, query.c; SES v2 over rest-json,
 * ses.c), with the standard retry mode.
 *
 * What goes out is what botocore sends for these protocols: the method,
 * the endpoint's path joined with the operation's as botocore's _urljoin
 * joins them ("http://h:1/" + "/v2/x" is "/v2/x"; "http://h:1/p/" +
 * "/v2/x" is "/p/v2/x"), Host (as client.c derives it: lower case, the
 * port unless it is the scheme's default), Content-Type, X-Amz-Date,
 * X-Amz-Security-Token with temporary credentials, and Authorization,
 * SigV4 over exactly content-type;host;x-amz-date[;x-amz-security-token].
 * libcurl adds Content-Length and User-Agent, which botocore leaves
 * unsigned too.
 *
 * Retries: the Cognito path's classification (cmfa_aws_retryable():
 * throttling and transient codes, 500/502/503/504; every transport failure
 * but TLS and an oversized answer), up to a->max_attempts tries, each
 * after cmfa_aws_backoff().  Not the Cognito path's retry quota, rate
 * limits or request counter: a credential fetch, an SMS or an email is a
 * rare call and must not wait behind the sync's limits.
 *
 * Nothing here logs; errors hold the service's words, the URL and
 * libcurl's text, never a body, header or credential.
 */
#include <stdio.h>
#include <string.h>

#include "creds_int.h"

#define REQUEST_RESPONSE_MAX (1024u * 1024u)

/* The request URL: the endpoint's path (one trailing '/' dropped) and
 * q->path, as botocore's _urljoin. */
static enum cmfa_err
target_make(const struct cmfa_aws_req *q, struct cmfa_aws_target *t)
{
	char url[sizeof(t->url)];
	size_t n = strlen(q->endpoint);
	int w;

	if (q->path == NULL || q->path[0] == '\0')
		return cmfa_aws_target_parse(q->endpoint, t);
	if (q->path[0] != '/')
		return CMFA_ERR_INVAL;
	if (n > 0 && q->endpoint[n - 1] == '/')
		n--;
	w = snprintf(url, sizeof(url), "%.*s%s", (int)n, q->endpoint, q->path);
	if (w < 0 || (size_t)w >= sizeof(url))
		return CMFA_ERR_TOOBIG;
	return cmfa_aws_target_parse(url, t);
}

/* ---------------------------------------------------------------------- */
/* One attempt                                                            */

struct attempt {
	struct cmfa_sigv4_result sig;
	struct cmfa_http_header h[5];
	size_t nh;
};

static enum cmfa_err
sign(struct cmfa_aws *a, const struct cmfa_aws_req *q,
    const struct cmfa_aws_target *t, struct attempt *at)
{
	const struct cmfa_aws_credentials *cr = q->creds;
	struct cmfa_sigv4_header sh[2] = {
		{ "Host", t->host },
		{ "Content-Type", q->content_type },
	};
	struct cmfa_sigv4_request sr = { q->method, t->path, sh, 2, q->body,
		q->body_len };
	struct cmfa_aws_creds sc = { cr->access_key_id, cr->secret_access_key,
		cr->session_token };
	enum cmfa_err e;

	e = cmfa_sigv4_sign(&sr, &sc, q->region, q->service, cmfa_aws_now(a),
	    CMFA_SIGV4_DEFAULT, &at->sig);
	if (e != CMFA_OK)
		return e;
	at->h[at->nh++] =
	    (struct cmfa_http_header){ "X-Amz-Date", at->sig.amz_date };
	if (cr->session_token != NULL)
		at->h[at->nh++] =
		    (struct cmfa_http_header){ "X-Amz-Security-Token",
			    cr->session_token };
	at->h[at->nh++] = (struct cmfa_http_header){ "Authorization",
		cmfa_buf_str(&at->sig.authorization) };
	return CMFA_OK;
}

static enum cmfa_err
attempt(struct cmfa_aws *a, const struct cmfa_aws_req *q,
    const struct cmfa_aws_target *t, struct cmfa_http_resp *resp)
{
	struct attempt at;
	struct cmfa_http_req r;
	enum cmfa_err e = CMFA_OK;

	memset(&at, 0, sizeof(at));
	memset(resp, 0, sizeof(*resp));
	at.h[at.nh++] = (struct cmfa_http_header){ "Host", t->host };
	at.h[at.nh++] =
	    (struct cmfa_http_header){ "Content-Type", q->content_type };
	if (q->creds != NULL)
		e = sign(a, q, t, &at);
	if (e == CMFA_OK) {
		r = (struct cmfa_http_req){ q->method, t->url, at.h, at.nh,
			q->body, q->body_len, REQUEST_RESPONSE_MAX, 0 };
		e = cmfa_http_do(a->http, &r, resp);
	}
	cmfa_sigv4_result_free(&at.sig);
	cmfa_memzero(at.h, sizeof(at.h));
	return e;
}

/* ---------------------------------------------------------------------- */
/* Outcomes                                                               */

static bool
retryable(const struct cmfa_http_resp *r, const struct cmfa_aws_error *err)
{
	if (r->fail != CMFA_HTTP_OK)
		return r->fail != CMFA_HTTP_TLS && r->fail != CMFA_HTTP_TOOBIG;
	return cmfa_aws_retryable(err);
}

/* A failed attempt: fill out->error; true when it is to be retried. */
static bool
judge(struct cmfa_aws *a, const struct cmfa_aws_req *q,
    const struct cmfa_aws_target *t, const struct cmfa_http_resp *r,
    struct cmfa_aws_call *out)
{
	unsigned max = a->max_attempts > 0 ? (unsigned)a->max_attempts : 3;

	if (r->fail != CMFA_HTTP_OK) {
		cmfa_aws_transport_error(&out->error, r, t->url);
	} else {
		memset(&out->error, 0, sizeof(out->error));
		q->parse_error(r, &out->error);
		out->error.kind = CMFA_AWSERR_SERVICE;
		out->error.status = r->status;
	}
	out->error.attempts = out->attempts;
	/* botocore checks the attempts first: any failure that used them all
	 * says "(reached max retries: N)", retryable or not */
	if (out->attempts >= max) {
		out->error.max_retries = true;
		return false;
	}
	return retryable(r, &out->error);
}

static bool
request_ok(const struct cmfa_aws_req *q)
{
	return q != NULL && q->endpoint != NULL && q->method != NULL &&
	    q->service != NULL && q->region != NULL &&
	    q->content_type != NULL && q->parse_error != NULL &&
	    (q->body != NULL || q->body_len == 0);
}

enum cmfa_err
cmfa_aws_request(struct cmfa_aws *a, const struct cmfa_aws_req *q,
    struct cmfa_aws_call *out)
{
	struct cmfa_aws_target t;
	struct cmfa_http_resp resp;
	enum cmfa_err e;

	if (a == NULL || out == NULL || !request_ok(q))
		return CMFA_ERR_INVAL;
	memset(&out->error, 0, sizeof(out->error));
	cmfa_buf_init(&out->response, REQUEST_RESPONSE_MAX);
	out->status = 0;
	out->attempts = 0;
	if ((e = target_make(q, &t)) != CMFA_OK) {
		cmfa_creds_fail(&out->error, CMFA_AWSERR_TRANSPORT,
		    "Invalid endpoint: %s", q->endpoint);
		return e;
	}
	memset(&resp, 0, sizeof(resp));
	for (;;) {
		if ((e = attempt(a, q, &t, &resp)) != CMFA_OK) {
			cmfa_creds_fail(&out->error, CMFA_AWSERR_TRANSPORT,
			    "Unable to send the %s request: %s", q->service,
			    cmfa_strerror(e));
			break;
		}
		out->attempts++;
		out->status = resp.status;
		if (resp.fail == CMFA_HTTP_OK && resp.status >= 200 &&
		    resp.status < 300) {
			out->response = resp.body; /* handed over */
			memset(&resp.body, 0, sizeof(resp.body));
			break;
		}
		if (!judge(a, q, &t, &resp, out)) {
			e = CMFA_ERR_IO; /* as cmfa_aws_cognito() */
			break;
		}
		cmfa_aws_sleep(
		    cmfa_aws_backoff(out->attempts, resp.retry_after_ms));
		cmfa_http_resp_free(&resp);
	}
	cmfa_http_resp_free(&resp);
	return e;
}
