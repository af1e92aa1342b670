/*
 * client.c: the AWS client core: settings, endpoint, cached credentials,
 * signed Cognito calls (AWS JSON 1.1) with the AWS CLI's standard retry
 * mode, per-operation rate limits, and a batch runner on a libcurl multi
 * handle.
 *
 * A request is what the AWS CLI sends for the same call (COGNITO.md 4.2):
 * POST to the endpoint's path ("/"), headers Host, Content-Type,
 * X-Amz-Target, X-Amz-Date, X-Amz-Security-Token (with a session token)
 * and Authorization; botocore signs every header it sends except
 * User-Agent, Expect and X-Amzn-Trace-Id, which for this request are
 * exactly content-type;host;x-amz-date;x-amz-security-token;x-amz-target
 * (checked against botocore in test_aws_client).  libcurl adds only
 * Content-Length and User-Agent, unsigned as botocore leaves them.
 *
 * Retries (botocore retries/standard.py, COGNITO.md 4.4): throttling
 * codes, HTTP 500/502/503/504, the transient codes and every transport
 * failure but an oversized answer are retried up to max_attempts tries
 * in all, after rand(0,1) * min(2^(attempt-1), 20) seconds (x-amz-retry-
 * after, when sent, replaces that, capped at the delay + 5 s).  The retry
 * quota starts at 500; a retry takes 5 (10 after a timeout) and is not
 * made when the quota lacks them; a 2xx gives back what its last retry
 * took, or 1 when it needed none.  As botocore does, error.max_retries is
 * set whenever a failed call used all of its attempts (with max_attempts
 * 1, any failure): the AWS CLI then says "(reached max retries: N)".
 * The endpoint parser, the classification, the transport errors' words
 * and the backoff are exported (aws_int.h): request.c's STS, SNS and SES
 * calls use the same ones, without the quota and the rate limits.
 *
 * Credentials are resolved at the first signed call and refetched when
 * less than min(10 minutes, a quarter of their lifetime at fetch time)
 * remains: botocore's mandatory refresh window is 10 minutes, which would
 * refetch short-lived credentials (15 minutes from STS) at every call;
 * a quarter of the lifetime keeps most of their life usable.  A call
 * answered ExpiredTokenException / ExpiredToken (or RequestExpired with
 * temporary credentials) forces one refetch and one more try, beyond
 * max_attempts and free of the quota (it counts in attempts).
 *
 * A call's outputs (status, response, error, attempts) are reset when it
 * starts: pass a zeroed or released struct cmfa_aws_call.  A 2xx answer
 * must be a JSON object (an empty one is botocore's {}); the response
 * keeps the body as received.
 *
 * Every attempt counts in cmfa_aws_requests() and waits for its
 * operation's rate limit (cmfa_aws_limit: attempts spaced 1/rps apart on
 * the monotonic clock).  One send is not ours to count: on a reused
 * keep-alive connection that the server closed without answering (an
 * idle connection it dropped), libcurl itself resends the request once
 * on a new connection, as a stale connection deserves.
 *
 * Batches (cmfa_aws_cognito_batch) run on a libcurl multi handle, one
 * easy handle per slot, reused for keep-alive: each attempt waits for
 * the rate limit, is signed afresh (date, credentials refetched when
 * due), and a retry's backoff holds only its own slot.
 *
 * Nothing here prints, and no request body, header or credential ever
 * goes into an error message: messages hold the service's words, the
 * endpoint URL and libcurl's text.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "aws_int.h"
#include "http_int.h"

#define COGNITO_SERVICE "cognito-idp"
#define TARGET_PREFIX "AWSCognitoIdentityProviderService."
#define JSON_CONTENT_TYPE "application/x-amz-json-1.1"
#define OP_MAX 64
#define BACKOFF_CAP_S 20.0
#define RETRY_AFTER_SLACK_S 5.0
#define CREDS_WINDOW_S 600
#define DEFAULT_ATTEMPTS 3
#define BATCH_MAX_SLOTS 64

/* ---------------------------------------------------------------------- */
/* Clocks                                                                 */

int64_t
cmfa_aws_now(const struct cmfa_aws *a)
{
	if (a != NULL && a->s.clock != NULL)
		return a->s.clock();
	return (int64_t)time(NULL);
}

static double
mono(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
cmfa_aws_sleep(double secs)
{
	struct timespec ts, rem;

	if (!(secs > 0))
		return;
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
}

/* Uniform in [0, 1) from the kernel's CSPRNG (jitter, not security). */
static double
rand01(void)
{
	uint64_t v;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		return 0.5;
	return (double)(v >> 11) / 9007199254740992.0; /* 2^53 */
}

/* ---------------------------------------------------------------------- */
/* Endpoint                                                               */

static bool
host_char(char c, bool bracket)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')
		return true;
	return bracket && c == ':';
}

/*
 * http[s]://host[:port][/path]: no user info, query, fragment, white
 * space or control characters.  Fills t (url as given).
 */
enum cmfa_err
cmfa_aws_target_parse(const char *url, struct cmfa_aws_target *t)
{
	const char *p, *h, *end;
	bool https, bracket;
	size_t hl, alen, i, o = 0;
	uint64_t port = 0;
	bool has_port = false;

	if (strlen(url) >= sizeof(t->url) - 1)
		return CMFA_ERR_TOOBIG;
	if (strncmp(url, "https://", 8) == 0)
		https = true;
	else if (strncmp(url, "http://", 7) == 0)
		https = false;
	else
		return CMFA_ERR_INVAL;
	for (p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '?' ||
		    *p == '#' || *p == '@' || *p == '\\')
			return CMFA_ERR_INVAL;
	h = url + (https ? 8 : 7);
	end = h + strcspn(h, "/");
	bracket = *h == '[';
	if (bracket) {
		const char *rb = memchr(h, ']', (size_t)(end - h));

		if (rb == NULL)
			return CMFA_ERR_INVAL;
		hl = (size_t)(rb + 1 - h);
	} else {
		hl = strcspn(h, ":/");
	}
	alen = (size_t)(end - h);
	if (hl < alen) {
		if (h[hl] != ':')
			return CMFA_ERR_INVAL;
		has_port = hl + 1 < alen;
		if (has_port &&
		    cmfa_parse_u64(h + hl + 1, alen - hl - 1, 65535, &port) !=
		        CMFA_OK)
			return CMFA_ERR_INVAL;
	}
	if (hl == 0 || (bracket && hl < 3) || hl + 8 >= sizeof(t->host))
		return CMFA_ERR_INVAL;
	for (i = 0; i < hl; i++) {
		char c = h[i];
		bool edge = bracket && (i == 0 || i == hl - 1);

		if (!edge && !host_char(c, bracket))
			return CMFA_ERR_INVAL;
		t->host[o++] =
		    (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	t->host[o] = '\0';
	if (has_port && port != (https ? 443u : 80u))
		(void)snprintf(t->host + o, sizeof(t->host) - o, ":%u",
		    (unsigned)port);
	/* botocore's _urljoin: no path means "/". */
	(void)snprintf(t->url, sizeof(t->url), "%s%s", url,
	    *end == '\0' ? "/" : "");
	t->path = t->url + (end - url);
	return CMFA_OK;
}

/* botocore's region check (InvalidRegionError): it goes into a host name. */
bool
cmfa_aws_region_ok(const char *r)
{
	size_t n = strlen(r), i;

	if (n == 0 || n > 63 || r[0] == '-' || r[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!((r[i] >= 'a' && r[i] <= 'z') ||
		        (r[i] >= 'A' && r[i] <= 'Z') ||
		        (r[i] >= '0' && r[i] <= '9') || r[i] == '-'))
			return false;
	return true;
}

static void err_set(struct cmfa_aws_error *err, enum cmfa_aws_errkind kind,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* err = kind + the formatted message, sanitized. */
static void
err_set(struct cmfa_aws_error *err, enum cmfa_aws_errkind kind, const char *fmt,
    ...)
{
	char tmp[sizeof(err->message)];
	va_list ap;

	memset(err, 0, sizeof(*err));
	err->kind = kind;
	va_start(ap, fmt);
	(void)vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	cmfa_sanitize(err->message, sizeof(err->message), tmp, strlen(tmp));
}

static enum cmfa_err
endpoint_set(struct cmfa_aws *a, struct cmfa_aws_error *err)
{
	const char *url = a->s.endpoint_url;
	struct cmfa_aws_target t;
	size_t n;

	if (!cmfa_aws_region_ok(a->region)) {
		err_set(err, CMFA_AWSERR_CONFIG,
		    "Provided region_name '%s' doesn't match a supported "
		    "format.",
		    a->region);
		return CMFA_ERR_INVAL;
	}
	if (url == NULL || url[0] == '\0') {
		(void)snprintf(a->endpoint, sizeof(a->endpoint),
		    "https://cognito-idp.%s.amazonaws.com", a->region);
		return CMFA_OK;
	}
	/* A bad URL is a ValueError in botocore: exit 255 (TRANSPORT). */
	if (cmfa_aws_target_parse(url, &t) != CMFA_OK) {
		err_set(err, CMFA_AWSERR_TRANSPORT, "Invalid endpoint: %s",
		    url);
		return CMFA_ERR_INVAL;
	}
	(void)snprintf(a->endpoint, sizeof(a->endpoint), "%s", url);
	/* "http://host:port/" and "http://host:port" are the same endpoint. */
	n = strlen(a->endpoint);
	if (strcmp(t.path, "/") == 0 && a->endpoint[n - 1] == '/')
		a->endpoint[n - 1] = '\0';
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* Open, close, accessors                                                 */

static enum cmfa_err
dup_str(struct cmfa_aws *a, const char **s)
{
	char *p;

	if (*s == NULL)
		return CMFA_OK;
	if (a->nstrs >= CMFA_ARRAY_LEN(a->strs) || (p = strdup(*s)) == NULL)
		return CMFA_ERR_NOMEM;
	a->strs[a->nstrs++] = p;
	*s = p;
	return CMFA_OK;
}

static enum cmfa_err
copy_settings(struct cmfa_aws *a, const struct cmfa_aws_settings *s)
{
	const char **strs[] = { &a->s.profile, &a->s.cfg_profile, &a->s.region,
		&a->s.cfg_region, &a->s.fallback_region, &a->s.endpoint_url,
		&a->s.sts_endpoint_url, &a->s.shared_credentials_file,
		&a->s.config_file, &a->s.http.ca_bundle };
	enum cmfa_err e = CMFA_OK;
	size_t i;

	/* Every string member of struct cmfa_aws_settings: keep in step. */
	if (s != NULL)
		a->s = *s;
	for (i = 0; i < CMFA_ARRAY_LEN(strs) && e == CMFA_OK; i++)
		e = dup_str(a, strs[i]);
	return e;
}

enum cmfa_err
cmfa_aws_open(const struct cmfa_aws_settings *s, struct cmfa_aws **out,
    struct cmfa_aws_error *err)
{
	struct cmfa_aws *a;
	enum cmfa_err e;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		e = CMFA_ERR_NOMEM;
		goto out;
	}
	a->retry_tokens = CMFA_AWS_RETRY_QUOTA;
	if ((e = copy_settings(a, s)) != CMFA_OK)
		goto out;
	a->max_attempts = a->s.max_attempts;
	if ((e = cmfa_http_new(&a->s.http, &a->http)) != CMFA_OK)
		goto out;
	if ((e = cmfa_aws_region_resolve(a, err)) != CMFA_OK)
		goto out;
	if (a->max_attempts < 1)
		a->max_attempts = DEFAULT_ATTEMPTS;
	if ((e = endpoint_set(a, err)) != CMFA_OK)
		goto out;
	*out = a;
	a = NULL;
out:
	if (e != CMFA_OK && err->kind == CMFA_AWSERR_NONE)
		err_set(err, CMFA_AWSERR_CONFIG, "%s", cmfa_strerror(e));
	cmfa_aws_close(a);
	return e;
}

void
cmfa_aws_close(struct cmfa_aws *a)
{
	size_t i;

	if (a == NULL)
		return;
	cmfa_http_free(a->http);
	if (a->have_creds)
		cmfa_aws_credentials_release(&a->creds);
	for (i = 0; i < a->nstrs; i++)
		free(a->strs[i]);
	cmfa_memzero(a, sizeof(*a));
	free(a);
}

const char *
cmfa_aws_region(const struct cmfa_aws *a)
{
	return a->region;
}

const char *
cmfa_aws_endpoint(const struct cmfa_aws *a)
{
	return a->endpoint;
}

unsigned long
cmfa_aws_requests(const struct cmfa_aws *a)
{
	return a->requests;
}

/* ---------------------------------------------------------------------- */
/* Credentials                                                            */

static bool
creds_fresh(const struct cmfa_aws *a, int64_t now)
{
	return a->have_creds &&
	    (a->creds.expiration == 0 || now < a->creds_refresh_at);
}

/* Refetch when less than min(10 min, a quarter of the lifetime) is left. */
static int64_t
refresh_at(int64_t fetched, int64_t expiration)
{
	int64_t window = expiration > fetched ? (expiration - fetched) / 4 : 0;

	if (window > CREDS_WINDOW_S)
		window = CREDS_WINDOW_S;
	return expiration - window;
}

static void
creds_forget(struct cmfa_aws *a)
{
	if (a->have_creds)
		cmfa_aws_credentials_release(&a->creds);
	memset(&a->creds, 0, sizeof(a->creds));
	a->have_creds = false;
}

enum cmfa_err
cmfa_aws_creds(struct cmfa_aws *a, const struct cmfa_aws_credentials **out,
    struct cmfa_aws_error *err)
{
	struct cmfa_aws_credentials fresh;
	int64_t now = cmfa_aws_now(a);
	enum cmfa_err e;

	*out = NULL;
	if (creds_fresh(a, now)) {
		*out = &a->creds;
		return CMFA_OK;
	}
	memset(&fresh, 0, sizeof(fresh));
	memset(err, 0, sizeof(*err));
	if ((e = cmfa_aws_creds_resolve(a, &fresh, err)) != CMFA_OK) {
		if (err->kind == CMFA_AWSERR_NONE)
			err_set(err, CMFA_AWSERR_NOCREDS, "%s",
			    cmfa_strerror(e));
		return e;
	}
	creds_forget(a);
	a->creds = fresh;
	cmfa_memzero(&fresh, sizeof(fresh));
	a->have_creds = true;
	a->creds_refresh_at = refresh_at(now, a->creds.expiration);
	*out = &a->creds;
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* Rate limits                                                            */

static struct cmfa_aws_rate *
rate_find(struct cmfa_aws *a, const char *op)
{
	size_t i;

	for (i = 0; i < a->nrates; i++)
		if (strcmp(a->rates[i].op, op) == 0)
			return &a->rates[i];
	return NULL;
}

/*
 * rps <= 0 removes the cap.  Beyond CMFA_AWS_OPS_MAX operations, or for
 * an operation name that does not fit, the cap is not recorded.
 */
void
cmfa_aws_limit(struct cmfa_aws *a, const char *op, double rps)
{
	struct cmfa_aws_rate *r;

	if (a == NULL || op == NULL)
		return;
	r = rate_find(a, op);
	if (!(rps > 0)) {
		if (r != NULL)
			*r = a->rates[--a->nrates];
		return;
	}
	if (r == NULL) {
		if (a->nrates >= CMFA_AWS_OPS_MAX ||
		    strlen(op) >= sizeof(r->op))
			return;
		r = &a->rates[a->nrates++];
		memset(r, 0, sizeof(*r));
		(void)snprintf(r->op, sizeof(r->op), "%s", op);
	}
	r->rps = rps;
}

/* Seconds before op may start an attempt (0: now). */
static double
rate_wait(struct cmfa_aws *a, const char *op, double now)
{
	struct cmfa_aws_rate *r = rate_find(a, op);

	return r != NULL && r->next > now ? r->next - now : 0;
}

/* An attempt of op starts now: the next one waits 1/rps. */
static void
rate_take(struct cmfa_aws *a, const char *op, double now)
{
	struct cmfa_aws_rate *r = rate_find(a, op);

	if (r != NULL)
		r->next = (r->next > now ? r->next : now) + 1.0 / r->rps;
}

/* ---------------------------------------------------------------------- */
/* One call's attempts                                                    */

struct tx {
	struct cmfa_aws_call *c;
	struct cmfa_aws_target t;
	char target_hdr[sizeof(TARGET_PREFIX) + OP_MAX];
	const char *body;
	size_t body_len;
	struct cmfa_http_header h[8];
	size_t nh;
	struct cmfa_sigv4_result sig;
	struct cmfa_http_req req;
	struct cmfa_http_resp resp;
	char key_id[CMFA_AWS_KEY_MAX + 1]; /* signed the last attempt */
	bool temporary;                    /* ... with temporary creds */
	unsigned attempts;
	int quota_held; /* what the last retry took from the quota */
	bool refreshed; /* the one forced credential refetch is used */
	double not_before;
};

enum verdict { V_OK, V_FAIL, V_RETRY };

static bool
op_ok(const char *op)
{
	size_t n, i;

	if (op == NULL || (n = strlen(op)) == 0 || n >= OP_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((op[i] >= 'a' && op[i] <= 'z') ||
		        (op[i] >= 'A' && op[i] <= 'Z') ||
		        (op[i] >= '0' && op[i] <= '9')))
			return false;
	return true;
}

static void
call_reset(struct cmfa_aws_call *c)
{
	c->status = 0;
	c->attempts = 0;
	memset(&c->error, 0, sizeof(c->error));
	cmfa_buf_init(&c->response, CMFA_HTTP_MAX_RESPONSE);
}

/* An internal failure (memory, a bad call) in the call's error. */
static enum cmfa_err
call_fail(struct cmfa_aws_call *c, enum cmfa_err e)
{
	if (c->error.kind == CMFA_AWSERR_NONE)
		err_set(&c->error, CMFA_AWSERR_TRANSPORT, "%s",
		    cmfa_strerror(e));
	c->error.attempts = c->attempts;
	return e;
}

static enum cmfa_err
tx_init(struct cmfa_aws *a, struct cmfa_aws_call *c, struct tx *tx)
{
	memset(tx, 0, sizeof(*tx));
	tx->c = c;
	call_reset(c);
	if (!op_ok(c->op) || (c->body == NULL && c->body_len != 0))
		return CMFA_ERR_INVAL;
	if (cmfa_aws_target_parse(a->endpoint, &tx->t) != CMFA_OK)
		return CMFA_ERR_INVAL;
	(void)snprintf(tx->target_hdr, sizeof(tx->target_hdr), "%s%s",
	    TARGET_PREFIX, c->op);
	tx->body = c->body != NULL ? c->body : "{}";
	tx->body_len = c->body != NULL ? c->body_len : 2;
	return CMFA_OK;
}

static void
tx_add(struct tx *tx, const char *name, const char *value)
{
	tx->h[tx->nh].name = name;
	tx->h[tx->nh].value = value;
	tx->nh++;
}

/* Sign with the current credentials (refetching them when due). */
static enum cmfa_err
tx_sign(struct cmfa_aws *a, struct tx *tx)
{
	const struct cmfa_aws_credentials *cr;
	struct cmfa_sigv4_header sh[3];
	struct cmfa_sigv4_request sr;
	struct cmfa_aws_creds sc;
	enum cmfa_err e;

	if ((e = cmfa_aws_creds(a, &cr, &tx->c->error)) != CMFA_OK)
		return e;
	sh[0] = (struct cmfa_sigv4_header){ "Host", tx->t.host };
	sh[1] = (struct cmfa_sigv4_header){ "Content-Type", JSON_CONTENT_TYPE };
	sh[2] = (struct cmfa_sigv4_header){ "X-Amz-Target", tx->target_hdr };
	sr = (struct cmfa_sigv4_request){ "POST", tx->t.path, sh, 3,
		(const uint8_t *)tx->body, tx->body_len };
	sc = (struct cmfa_aws_creds){ cr->access_key_id, cr->secret_access_key,
		cr->session_token };
	e = cmfa_sigv4_sign(&sr, &sc, a->region, COGNITO_SERVICE,
	    cmfa_aws_now(a), CMFA_SIGV4_DEFAULT, &tx->sig);
	if (e != CMFA_OK)
		return e;
	tx_add(tx, "X-Amz-Date", tx->sig.amz_date);
	if (cr->session_token != NULL)
		tx_add(tx, "X-Amz-Security-Token", cr->session_token);
	tx_add(tx, "Authorization", cmfa_buf_str(&tx->sig.authorization));
	(void)snprintf(tx->key_id, sizeof(tx->key_id), "%s", cr->access_key_id);
	tx->temporary = cr->session_token != NULL || cr->expiration != 0;
	return CMFA_OK;
}

/*
 * Build the next attempt's request in tx->req.  Its header values point
 * into tx and the credentials: hand it to libcurl (which copies them)
 * before anything can refetch the credentials, then tx_unsign().
 */
static enum cmfa_err
tx_prepare(struct cmfa_aws *a, struct tx *tx)
{
	enum cmfa_err e;

	tx->nh = 0;
	tx_add(tx, "Host", tx->t.host);
	tx_add(tx, "Content-Type", JSON_CONTENT_TYPE);
	tx_add(tx, "X-Amz-Target", tx->target_hdr);
	if (!tx->c->unsigned_call && (e = tx_sign(a, tx)) != CMFA_OK)
		return e;
	tx->req = (struct cmfa_http_req){ "POST", tx->t.url, tx->h, tx->nh,
		(const uint8_t *)tx->body, tx->body_len, 0, 0 };
	return CMFA_OK;
}

static void
tx_unsign(struct tx *tx)
{
	cmfa_sigv4_result_free(&tx->sig);
	cmfa_memzero(tx->h, sizeof(tx->h));
	tx->nh = 0;
}

static void
tx_release(struct tx *tx)
{
	tx_unsign(tx);
	cmfa_http_resp_free(&tx->resp);
}

static bool
in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* botocore standard.py: ThrottledRetryableChecker, TransientRetryable... */
bool
cmfa_aws_retryable(const struct cmfa_aws_error *e)
{
	static const char *const codes[] = { "Throttling",
		"ThrottlingException", "ThrottledException",
		"RequestThrottledException", "TooManyRequestsException",
		"ProvisionedThroughputExceededException",
		"TransactionInProgressException", "RequestLimitExceeded",
		"BandwidthLimitExceeded", "LimitExceededException",
		"RequestThrottled", "SlowDown", "PriorRequestNotComplete",
		"EC2ThrottledException",
		/* transient */
		"RequestTimeout", "RequestTimeoutException" };

	return e->status == 500 || e->status == 502 || e->status == 503 ||
	    e->status == 504 || in_list(e->type, codes, CMFA_ARRAY_LEN(codes));
}

static bool
expired_token(const struct tx *tx, const struct cmfa_aws_error *e)
{
	if (tx->c->unsigned_call)
		return false;
	return strcmp(e->type, "ExpiredTokenException") == 0 ||
	    strcmp(e->type, "ExpiredToken") == 0 ||
	    (tx->temporary && strcmp(e->type, "RequestExpired") == 0);
}

/* libcurl's words for a timeout before the connection was up. */
static bool
connect_timeout(const struct cmfa_http_resp *r)
{
	return strncmp(r->fail_msg, "Connection timed out", 20) == 0 ||
	    strncmp(r->fail_msg, "Resolving timed out", 19) == 0;
}

/* botocore's exception text for a transport failure. */
void
cmfa_aws_transport_error(struct cmfa_aws_error *e,
    const struct cmfa_http_resp *r, const char *url)
{
	char tmp[sizeof(e->message)];

	memset(e, 0, sizeof(*e));
	e->kind = CMFA_AWSERR_TRANSPORT;
	switch (r->fail) {
	case CMFA_HTTP_CONNECT:
		(void)snprintf(tmp, sizeof(tmp),
		    "Could not connect to the endpoint URL: \"%s\"", url);
		break;
	case CMFA_HTTP_TIMEOUT:
		(void)snprintf(tmp, sizeof(tmp),
		    "%s timeout on endpoint URL: "
		    "\"%s\"",
		    connect_timeout(r) ? "Connect" : "Read", url);
		break;
	case CMFA_HTTP_TRUNCATED:
		(void)snprintf(tmp, sizeof(tmp),
		    "Connection was closed before we received a valid response "
		    "from endpoint URL: \"%s\".",
		    url);
		break;
	case CMFA_HTTP_TLS:
		(void)snprintf(tmp, sizeof(tmp),
		    "SSL validation failed for %s %s", url, r->fail_msg);
		break;
	case CMFA_HTTP_OK:
	case CMFA_HTTP_TOOBIG:
	case CMFA_HTTP_OTHER:
	default:
		(void)snprintf(tmp, sizeof(tmp),
		    "An HTTP Client raised an unhandled exception: %s",
		    r->fail_msg);
		break;
	}
	cmfa_sanitize(e->message, sizeof(e->message), tmp, strlen(tmp));
}

static void
quota_release(struct cmfa_aws *a, int amount)
{
	a->retry_tokens += amount;
	if (a->retry_tokens > CMFA_AWS_RETRY_QUOTA)
		a->retry_tokens = CMFA_AWS_RETRY_QUOTA;
}

/* A 2xx answer: a JSON object (an empty body is botocore's {}). */
static enum verdict
judge_ok(struct cmfa_aws *a, struct tx *tx)
{
	struct cmfa_aws_call *c = tx->c;
	struct cmfa_buf *b = &tx->resp.body;
	cJSON *j = NULL;
	bool ok;

	memset(&c->error, 0, sizeof(c->error));
	quota_release(a, tx->quota_held > 0 ? tx->quota_held : 1);
	if (b->len == 0 && cmfa_buf_append_str(b, "{}") != CMFA_OK) {
		(void)call_fail(c, CMFA_ERR_NOMEM);
		return V_FAIL;
	}
	j = cJSON_ParseWithLength((const char *)b->p, b->len);
	ok = cJSON_IsObject(j);
	cJSON_Delete(j);
	if (!ok) {
		err_set(&c->error, CMFA_AWSERR_TRANSPORT,
		    "Invalid JSON in the response from %s", tx->t.url);
		c->error.status = tx->resp.status;
		c->error.attempts = tx->attempts;
		return V_FAIL;
	}
	cmfa_buf_free(&c->response);
	c->response = *b;
	cmfa_buf_init(b, b->max);
	return V_OK;
}

double
cmfa_aws_backoff(unsigned attempts, long retry_after_ms)
{
	double cap = 1.0, d;
	unsigned i;

	for (i = 1; i < attempts && cap < BACKOFF_CAP_S; i++)
		cap *= 2;
	if (cap > BACKOFF_CAP_S)
		cap = BACKOFF_CAP_S;
	d = rand01() * cap;
	if (retry_after_ms >= 0) {
		double ra = (double)retry_after_ms / 1000.0;

		d = ra < d + RETRY_AFTER_SLACK_S ? ra : d + RETRY_AFTER_SLACK_S;
	}
	return d;
}

/*
 * After an attempt's answer (or failure) in tx->resp: success, a final
 * failure (c->error filled), or a retry after *delay seconds.
 */
static enum verdict
judge(struct cmfa_aws *a, struct tx *tx, double *delay)
{
	struct cmfa_aws_call *c = tx->c;
	struct cmfa_aws_error *e = &c->error;
	unsigned max = (unsigned)a->max_attempts + (tx->refreshed ? 1u : 0u);
	bool retryable, timeout = false;
	int cost;

	*delay = 0;
	c->status = tx->resp.status;
	c->attempts = tx->attempts;
	if (tx->resp.fail == CMFA_HTTP_OK && tx->resp.status >= 200 &&
	    tx->resp.status < 300)
		return judge_ok(a, tx);
	if (tx->resp.fail == CMFA_HTTP_OK) {
		cmfa_aws_parse_error(tx->resp.status,
		    (const char *)tx->resp.body.p, tx->resp.body.len, e);
		if (expired_token(tx, e) && !tx->refreshed) {
			tx->refreshed = true;
			if (a->have_creds &&
			    strcmp(a->creds.access_key_id, tx->key_id) == 0)
				creds_forget(a);
			return V_RETRY;
		}
		retryable = cmfa_aws_retryable(e);
	} else {
		cmfa_aws_transport_error(e, &tx->resp, tx->t.url);
		retryable = tx->resp.fail != CMFA_HTTP_TOOBIG;
		timeout = tx->resp.fail == CMFA_HTTP_TIMEOUT;
	}
	e->attempts = tx->attempts;
	if (tx->attempts >= max) {
		e->max_retries = true;
		return V_FAIL;
	}
	cost = timeout ? CMFA_AWS_TIMEOUT_RETRY_COST : CMFA_AWS_RETRY_COST;
	if (!retryable || a->retry_tokens < cost)
		return V_FAIL;
	a->retry_tokens -= cost;
	tx->quota_held = cost;
	*delay = cmfa_aws_backoff(tx->attempts, tx->resp.retry_after_ms);
	return V_RETRY;
}

/* ---------------------------------------------------------------------- */
/* Blocking calls                                                         */

/*
 * CMFA_OK on a 2xx; CMFA_ERR_IO when the service refused or the transport
 * failed; else the credential chain's error, CMFA_ERR_INVAL for a bad
 * call, CMFA_ERR_NOMEM.  c->error is filled in every failure (an internal
 * one as kind TRANSPORT with cmfa_strerror()'s words).
 */
enum cmfa_err
cmfa_aws_cognito(struct cmfa_aws *a, struct cmfa_aws_call *c)
{
	enum verdict v = V_FAIL;
	struct tx tx;
	double delay;
	enum cmfa_err e;

	if ((e = tx_init(a, c, &tx)) != CMFA_OK)
		return call_fail(c, e);
	for (;;) {
		cmfa_aws_sleep(rate_wait(a, c->op, mono()));
		rate_take(a, c->op, mono());
		if ((e = tx_prepare(a, &tx)) != CMFA_OK)
			break;
		a->requests++;
		tx.attempts++;
		e = cmfa_http_do(a->http, &tx.req, &tx.resp);
		tx_unsign(&tx);
		if (e != CMFA_OK)
			break;
		v = judge(a, &tx, &delay);
		cmfa_http_resp_free(&tx.resp);
		if (v != V_RETRY)
			break;
		cmfa_aws_sleep(delay);
	}
	tx_release(&tx);
	c->attempts = tx.attempts;
	if (e != CMFA_OK)
		return call_fail(c, e);
	return v == V_OK ? CMFA_OK : CMFA_ERR_IO;
}

void
cmfa_aws_call_release(struct cmfa_aws_call *c)
{
	if (c == NULL)
		return;
	cmfa_buf_free(&c->response);
}

/* ---------------------------------------------------------------------- */
/* Batches on a multi handle                                              */

enum slot_state { S_IDLE, S_WAIT, S_RUN };

struct slot {
	CURL *easy;
	enum slot_state st;
	struct tx tx;
	struct cmfa_http_xfer x;
};

struct batch {
	struct cmfa_aws *a;
	CURLM *multi;
	struct slot *slots;
	size_t nslots;
	struct cmfa_aws_call *calls;
	size_t n, next;
	enum cmfa_err (*done)(struct cmfa_aws_call *, void *);
	void *arg;
};

static enum cmfa_err
batch_init(struct batch *b, unsigned concurrency)
{
	size_t i;

	b->nslots = concurrency == 0 ? 1 : concurrency;
	if (b->nslots > b->n)
		b->nslots = b->n;
	if (b->nslots > BATCH_MAX_SLOTS)
		b->nslots = BATCH_MAX_SLOTS;
	if ((b->multi = curl_multi_init()) == NULL ||
	    (b->slots = calloc(b->nslots, sizeof(*b->slots))) == NULL)
		return CMFA_ERR_NOMEM;
	for (i = 0; i < b->nslots; i++)
		if ((b->slots[i].easy = curl_easy_init()) == NULL)
			return CMFA_ERR_NOMEM;
	return CMFA_OK;
}

static void
batch_free(struct batch *b)
{
	size_t i;

	for (i = 0; b->slots != NULL && i < b->nslots; i++) {
		struct slot *s = &b->slots[i];

		if (s->st == S_RUN) {
			(void)curl_multi_remove_handle(b->multi, s->easy);
			cmfa_http_xfer_release(&s->x);
		}
		if (s->st != S_IDLE)
			tx_release(&s->tx);
		if (s->easy != NULL)
			curl_easy_cleanup(s->easy);
	}
	free(b->slots);
	if (b->multi != NULL)
		(void)curl_multi_cleanup(b->multi);
}

/* The call in s is over: hand it to done(). */
static enum cmfa_err
slot_finish(struct batch *b, struct slot *s, enum cmfa_err e)
{
	struct cmfa_aws_call *c = s->tx.c;

	c->attempts = s->tx.attempts;
	if (e != CMFA_OK)
		(void)call_fail(c, e);
	tx_release(&s->tx);
	s->st = S_IDLE;
	return b->done != NULL ? b->done(c, b->arg) : CMFA_OK;
}

/* Start the slot's next attempt: sign, hand to libcurl. */
static enum cmfa_err
slot_start(struct batch *b, struct slot *s)
{
	struct tx *tx = &s->tx;
	enum cmfa_err e;

	rate_take(b->a, tx->c->op, mono());
	if ((e = tx_prepare(b->a, tx)) != CMFA_OK)
		return slot_finish(b, s, e);
	e = cmfa_http_xfer_setup(s->easy, cmfa_http_opts_of(b->a->http),
	    &tx->req, &tx->resp, &s->x);
	tx_unsign(tx);
	if (e == CMFA_OK &&
	    curl_multi_add_handle(b->multi, s->easy) != CURLM_OK)
		e = CMFA_ERR_NOMEM;
	if (e != CMFA_OK) {
		cmfa_http_xfer_release(&s->x);
		return slot_finish(b, s, e);
	}
	b->a->requests++;
	tx->attempts++;
	s->st = S_RUN;
	return CMFA_OK;
}

/* Give an idle slot the next call (a call refused at once is finished
 * at once, and the slot stays idle). */
static enum cmfa_err
slot_fill(struct batch *b, struct slot *s)
{
	struct cmfa_aws_call *c = &b->calls[b->next++];
	enum cmfa_err e;

	s->st = S_WAIT;
	if ((e = tx_init(b->a, c, &s->tx)) != CMFA_OK)
		return slot_finish(b, s, e);
	return CMFA_OK;
}

/* Fill idle slots, start what may start; *wake: the next monotonic time
 * a waiting slot may start (0: none waits). */
static enum cmfa_err
batch_start(struct batch *b, double *wake)
{
	enum cmfa_err e = CMFA_OK;
	struct slot *s;
	double now, w;
	size_t i;

	*wake = 0;
	for (i = 0; i < b->nslots && e == CMFA_OK; i++) {
		s = &b->slots[i];
		while (e == CMFA_OK && s->st == S_IDLE && b->next < b->n)
			e = slot_fill(b, s);
		if (e != CMFA_OK || s->st != S_WAIT)
			continue;
		now = mono();
		w = s->tx.not_before > now ? s->tx.not_before - now : 0;
		if (w == 0)
			w = rate_wait(b->a, s->tx.c->op, now);
		if (w > 0) {
			if (*wake == 0 || now + w < *wake)
				*wake = now + w;
			continue;
		}
		e = slot_start(b, s);
	}
	return e;
}

static struct slot *
slot_of(struct batch *b, CURL *easy)
{
	size_t i;

	for (i = 0; i < b->nslots; i++)
		if (b->slots[i].easy == easy && b->slots[i].st == S_RUN)
			return &b->slots[i];
	return NULL;
}

/* Transfers that ended: judge them, retry or finish; *progress when
 * any did. */
static enum cmfa_err
batch_reap(struct batch *b, bool *progress)
{
	enum cmfa_err e = CMFA_OK;
	struct slot *s;
	CURLMsg *m;
	CURL *easy;
	CURLcode rc;
	double delay;
	int left;

	while (e == CMFA_OK && (m = curl_multi_info_read(b->multi, &left))) {
		if (m->msg != CURLMSG_DONE ||
		    (s = slot_of(b, m->easy_handle)) == NULL)
			continue;
		easy = m->easy_handle;
		rc = m->data.result;
		*progress = true;
		(void)curl_multi_remove_handle(b->multi, easy);
		s->st = S_WAIT;
		if ((e = cmfa_http_xfer_finish(easy, (int)rc, &s->x)) !=
		    CMFA_OK) {
			e = slot_finish(b, s, e);
			continue;
		}
		if (judge(b->a, &s->tx, &delay) == V_RETRY) {
			cmfa_http_resp_free(&s->tx.resp);
			s->tx.not_before = mono() + delay;
			continue;
		}
		e = slot_finish(b, s, CMFA_OK);
	}
	return e;
}

static bool
batch_busy(const struct batch *b, bool *running)
{
	bool busy = b->next < b->n;
	size_t i;

	*running = false;
	for (i = 0; i < b->nslots; i++) {
		busy = busy || b->slots[i].st != S_IDLE;
		*running = *running || b->slots[i].st == S_RUN;
	}
	return busy;
}

/* Wait for network activity, or until wake (monotonic; 0: none). */
static void
batch_wait(struct batch *b, bool running, double wake)
{
	double now = mono(), d = wake > 0 ? wake - now : 1.0;
	int ms;

	if (d < 0)
		d = 0;
	if (d > 1.0)
		d = 1.0;
	if (!running) {
		cmfa_aws_sleep(d);
		return;
	}
	ms = (int)(d * 1000.0);
	if (wake > 0 && (double)ms / 1000.0 < d)
		ms++; /* never wake before the deadline */
	(void)curl_multi_poll(b->multi, NULL, 0, ms, NULL);
}

enum cmfa_err
cmfa_aws_cognito_batch(struct cmfa_aws *a, struct cmfa_aws_call *calls,
    size_t n, unsigned concurrency,
    enum cmfa_err (*done)(struct cmfa_aws_call *c, void *arg), void *arg)
{
	struct batch b;
	enum cmfa_err e;
	bool running, progress;
	double wake;
	int still;

	if (n == 0)
		return CMFA_OK;
	memset(&b, 0, sizeof(b));
	b.a = a;
	b.calls = calls;
	b.n = n;
	b.done = done;
	b.arg = arg;
	if ((e = batch_init(&b, concurrency)) != CMFA_OK)
		goto out;
	for (;;) {
		if ((e = batch_start(&b, &wake)) != CMFA_OK)
			break;
		if (!batch_busy(&b, &running))
			break;
		if (running &&
		    curl_multi_perform(b.multi, &still) != CURLM_OK) {
			e = CMFA_ERR_NOMEM;
			break;
		}
		progress = false;
		if ((e = batch_reap(&b, &progress)) != CMFA_OK)
			break;
		/* A finished or retried call may let another start now. */
		if (!progress)
			batch_wait(&b, running, wake);
	}
out:
	batch_free(&b);
	return e;
}
