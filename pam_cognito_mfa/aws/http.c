/*
 * http.c: HTTPS exchanges with libcurl; with deliver/smtp.c, the only
 * files that include <curl/curl.h>.
 *
 * One easy handle per struct cmfa_http, reused so its connection stays
 * open between calls (keep-alive).  Only http and https, no redirects, no
 * proxies from the environment unless libcurl's own rules say so (it
 * honours https_proxy / no_proxy as every AWS SDK does), TLS verified
 * against the system CAs plus an optional bundle.  libcurl's
 * "Expect: 100-continue" and "Accept" headers are removed: what is sent
 * is what was signed, plus Content-Length and User-Agent.
 *
 * The read timeout is the AWS CLI's socket read timeout: once connected,
 * a transfer with no byte sent or received for that long fails.  It is
 * kept by the progress callback (libcurl calls it at least once a second)
 * rather than by LOW_SPEED_LIMIT, whose speed is averaged over several
 * seconds, so the request's own upload hid a silent server for up to
 * five seconds more than the timeout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "aws_int.h"
#include "http_int.h"

#define HEADER_MAX 64 /* request headers */

struct cmfa_http {
	CURL *easy;
	struct cmfa_http_opts o;
	char *ca_bundle; /* copy of o.ca_bundle */
};

enum cmfa_err
cmfa_curl_global_init(void)
{
	static int done; /* cognito-mfa is single-threaded */

	if (!done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return CMFA_ERR_NOMEM;
		done = 1;
	}
	return CMFA_OK;
}

enum cmfa_err
cmfa_http_new(const struct cmfa_http_opts *o, struct cmfa_http **out)
{
	struct cmfa_http *h;
	enum cmfa_err e;

	*out = NULL;
	if ((e = cmfa_curl_global_init()) != CMFA_OK)
		return e;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return CMFA_ERR_NOMEM;
	if (o != NULL)
		h->o = *o;
	if (h->o.ca_bundle != NULL &&
	    (h->ca_bundle = strdup(h->o.ca_bundle)) == NULL) {
		free(h);
		return CMFA_ERR_NOMEM;
	}
	h->o.ca_bundle = h->ca_bundle;
	if ((h->easy = curl_easy_init()) == NULL) {
		free(h->ca_bundle);
		free(h);
		return CMFA_ERR_NOMEM;
	}
	*out = h;
	return CMFA_OK;
}

void
cmfa_http_free(struct cmfa_http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->easy);
	free(h->ca_bundle);
	free(h);
}

const struct cmfa_http_opts *
cmfa_http_opts_of(const struct cmfa_http *h)
{
	return &h->o;
}

void
cmfa_http_resp_free(struct cmfa_http_resp *r)
{
	if (r == NULL)
		return;
	cmfa_buf_free(&r->body);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The read timeout: no byte either way for x->read_timeout_ms, once the
 * connection is up (the connect timeout covers the time before). */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct cmfa_http_xfer *x = arg;
	curl_off_t pre = 0;
	int64_t now = mono_ms();

	(void)dltotal;
	(void)ultotal;
	(void)curl_easy_getinfo(x->easy, CURLINFO_PRETRANSFER_TIME_T, &pre);
	if (pre == 0 || x->last_ms == 0 || dlnow != x->last_dl ||
	    ulnow != x->last_ul) {
		x->last_dl = dlnow;
		x->last_ul = ulnow;
		x->last_ms = now;
		return 0;
	}
	if (now - x->last_ms >= x->read_timeout_ms) {
		x->read_timed_out = true;
		return 1; /* abort */
	}
	return 0;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct cmfa_http_xfer *x = arg;
	size_t len = size * n;

	if (x->resp->body.len + len > x->max) {
		x->toobig = true;
		return 0; /* abort the transfer */
	}
	if (cmfa_buf_append(&x->resp->body, p, len) != CMFA_OK) {
		x->nomem = true;
		return 0;
	}
	return len;
}

/* "Name: value\r\n": keep the request id, x-amzn-ErrorType (rest-json
 * errors) and x-amz-retry-after. */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct cmfa_http_xfer *x = arg;
	size_t len = size * n, nl, vl;
	const char *colon = memchr(p, ':', len), *v;

	x->last_ms = mono_ms(); /* an answer is coming in */
	if (colon == NULL)
		return len;
	nl = (size_t)(colon - p);
	v = colon + 1;
	vl = len - nl - 1;
	while (vl > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vl--;
	}
	while (vl > 0 &&
	    (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
		vl--;
	if ((nl == 16 && strncasecmp(p, "x-amzn-RequestId", nl) == 0) ||
	    (nl == 16 && strncasecmp(p, "x-amz-request-id", nl) == 0)) {
		if (vl >= sizeof(x->resp->request_id))
			vl = sizeof(x->resp->request_id) - 1;
		cmfa_sanitize(x->resp->request_id, sizeof(x->resp->request_id),
		    v, vl);
	} else if (nl == 16 && strncasecmp(p, "x-amzn-ErrorType", nl) == 0) {
		if (vl >= sizeof(x->resp->error_type))
			vl = sizeof(x->resp->error_type) - 1;
		cmfa_sanitize(x->resp->error_type, sizeof(x->resp->error_type),
		    v, vl);
	} else if (nl == 17 && strncasecmp(p, "x-amz-retry-after", nl) == 0) {
		uint64_t ms;

		if (cmfa_parse_u64(v, vl, 3600000, &ms) == CMFA_OK)
			x->resp->retry_after_ms = (long)ms;
	}
	return len;
}

static bool
header_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return false;
	return true;
}

void
cmfa_http_xfer_release(struct cmfa_http_xfer *x)
{
	struct curl_slist *l;

	/* The list holds X-Amz-Security-Token: wipe before freeing. */
	for (l = x->headers; l != NULL; l = l->next)
		if (l->data != NULL)
			cmfa_memzero(l->data, strlen(l->data));
	curl_slist_free_all(x->headers);
	x->headers = NULL;
}

enum cmfa_err
cmfa_http_xfer_setup(CURL *easy, const struct cmfa_http_opts *o,
    const struct cmfa_http_req *r, struct cmfa_http_resp *out,
    struct cmfa_http_xfer *x)
{
	struct curl_slist *l = NULL, *t;
	char line[CMFA_SIGV4_MAX_HEADER_BYTES];
	long cto, rto;
	size_t i;
	int ok = 1;

	memset(x, 0, sizeof(*x));
	memset(out, 0, sizeof(*out));
	out->retry_after_ms = -1;
	cmfa_buf_init(&out->body,
	    r->max_response ? r->max_response : CMFA_HTTP_MAX_RESPONSE);
	x->resp = out;
	x->easy = easy;
	x->max = r->max_response ? r->max_response : CMFA_HTTP_MAX_RESPONSE;
	if (r->method == NULL || r->url == NULL || r->nheaders > HEADER_MAX ||
	    (strncmp(r->url, "https://", 8) != 0 &&
	        strncmp(r->url, "http://", 7) != 0))
		return CMFA_ERR_INVAL;
	for (i = 0; i < r->nheaders && ok; i++) {
		if (!header_ok(r->headers[i].name) ||
		    !header_ok(r->headers[i].value) ||
		    snprintf(line, sizeof(line), "%s: %s", r->headers[i].name,
		        r->headers[i].value) >= (int)sizeof(line)) {
			curl_slist_free_all(l);
			return CMFA_ERR_INVAL;
		}
		if ((t = curl_slist_append(l, line)) == NULL)
			ok = 0;
		else
			l = t;
	}
	if (ok && (t = curl_slist_append(l, "Expect:")) != NULL)
		l = t;
	else
		ok = 0;
	if (ok && (t = curl_slist_append(l, "Accept:")) != NULL)
		l = t;
	else
		ok = 0;
	if (!ok) {
		curl_slist_free_all(l);
		return CMFA_ERR_NOMEM;
	}
	x->headers = l;

	cto = o->connect_timeout_ms > 0 ? o->connect_timeout_ms
	                                : CMFA_HTTP_TIMEOUT_DEFAULT_MS;
	rto = o->read_timeout_ms > 0 ? o->read_timeout_ms
	                             : CMFA_HTTP_TIMEOUT_DEFAULT_MS;
	curl_easy_reset(easy);
	(void)curl_easy_setopt(easy, CURLOPT_URL, r->url);
	(void)curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	(void)curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(easy, CURLOPT_USERAGENT,
	    "cognito-mfa/" CMFA_VERSION);
	(void)curl_easy_setopt(easy, CURLOPT_HTTPHEADER, l);
	(void)curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, cto);
	if (r->timeout_ms > 0)
		(void)curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, r->timeout_ms);
	x->read_timeout_ms = rto;
	(void)curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
	(void)curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, on_progress);
	(void)curl_easy_setopt(easy, CURLOPT_XFERINFODATA, x);
	(void)curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
	(void)curl_easy_setopt(easy, CURLOPT_WRITEDATA, x);
	(void)curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
	(void)curl_easy_setopt(easy, CURLOPT_HEADERDATA, x);
	(void)curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, x->errbuf);
	(void)curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
	if (o->ca_bundle != NULL)
		(void)curl_easy_setopt(easy, CURLOPT_CAINFO, o->ca_bundle);
	if (o->no_verify_ssl) {
		(void)curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
		(void)curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (strcmp(r->method, "GET") == 0) {
		(void)curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
	} else {
		(void)curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r->method);
		(void)curl_easy_setopt(easy, CURLOPT_POSTFIELDS,
		    r->body != NULL ? (const char *)r->body : "");
		(void)curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)r->body_len);
	}
	return CMFA_OK;
}

enum cmfa_err
cmfa_http_xfer_finish(CURL *easy, int code, struct cmfa_http_xfer *x)
{
	struct cmfa_http_resp *out = x->resp;
	CURLcode rc = (CURLcode)code;
	const char *msg;
	long status = 0;

	cmfa_http_xfer_release(x);
	if (x->nomem)
		return CMFA_ERR_NOMEM;
	if (rc == CURLE_OK) {
		(void)curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
		out->status = status;
		out->fail = CMFA_HTTP_OK;
		return CMFA_OK;
	}
	cmfa_buf_reset(&out->body);
	out->status = 0;
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		out->fail = CMFA_HTTP_CONNECT;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		out->fail = CMFA_HTTP_TIMEOUT;
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		out->fail =
		    x->read_timed_out ? CMFA_HTTP_TIMEOUT : CMFA_HTTP_OTHER;
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		out->fail = CMFA_HTTP_TLS;
		break;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
		out->fail = CMFA_HTTP_TRUNCATED;
		break;
	case CURLE_WRITE_ERROR:
		out->fail = x->toobig ? CMFA_HTTP_TOOBIG : CMFA_HTTP_OTHER;
		break;
	default:
		out->fail = CMFA_HTTP_OTHER;
		break;
	}
	msg = x->errbuf[0] != '\0' ? x->errbuf : curl_easy_strerror(rc);
	if (out->fail == CMFA_HTTP_TOOBIG)
		msg = "response larger than its cap";
	if (x->read_timed_out)
		msg = "Read timed out: no data for the read timeout";
	cmfa_sanitize(out->fail_msg, sizeof(out->fail_msg), msg, strlen(msg));
	return CMFA_OK;
}

enum cmfa_err
cmfa_http_do(struct cmfa_http *h, const struct cmfa_http_req *r,
    struct cmfa_http_resp *out)
{
	struct cmfa_http_xfer x;
	enum cmfa_err e;
	CURLcode rc;

	if (h == NULL || r == NULL || out == NULL)
		return CMFA_ERR_INVAL;
	if ((e = cmfa_http_xfer_setup(h->easy, &h->o, r, out, &x)) != CMFA_OK) {
		cmfa_http_xfer_release(&x);
		cmfa_buf_free(&out->body);
		return e;
	}
	rc = curl_easy_perform(h->easy);
	e = cmfa_http_xfer_finish(h->easy, (int)rc, &x);
	if (e != CMFA_OK)
		cmfa_buf_free(&out->body);
	return e;
}
