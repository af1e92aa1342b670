/*
 * imds.c: the EC2 instance metadata service as botocore's IMDSFetcher
 * talks to it (COGNITO.md 6.2), for the instance role's credentials and
 * the instance's region.
 *
 * IMDSv2: PUT /latest/api/token (TTL 21600 s) once, then GETs with the
 * token.  A token answer of 403, 404 or 405, a timeout, or no answer
 * after every attempt means "no token": the GETs then go without one
 * (IMDSv1) unless AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled
 * forbids it; a 400 ends the attempt.  A GET that fails, answers non-200
 * or an empty body (or, for credentials, no JSON object) is tried again,
 * up to AWS_METADATA_SERVICE_NUM_ATTEMPTS (default 1) times, each with
 * AWS_METADATA_SERVICE_TIMEOUT (default 1 s).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "cmfa_core.h"
#include "creds_int.h"

#define IMDS_V4 "http://169.254.169.254"
#define IMDS_V6 "http://[fd00:ec2::254]"
#define IMDS_TIMEOUT_MAX 3600
#define IMDS_ATTEMPTS_MAX 100

/* An env variable, else the profile's key; NULL-free: "" when neither. */
static enum cmfa_err
setting(const struct cmfa_aws *a, const struct cmfa_aws_files *f,
    const char *profile, const char *env, const char *key, char *out,
    size_t outsz)
{
	const char *v = cmfa_aws_getenv(&a->s, env);
	enum cmfa_err e;
	int n;

	if (v != NULL) {
		n = snprintf(out, outsz, "%s", v);
		return n < 0 || (size_t)n >= outsz ? CMFA_ERR_TOOBIG : CMFA_OK;
	}
	e = cmfa_aws_profile_get(f, profile, key, out, outsz);
	if (e == CMFA_ERR_NOTFOUND) {
		out[0] = '\0';
		e = CMFA_OK;
	}
	return e;
}

/* An integer setting from 1 to max; dflt when unset. */
static enum cmfa_err
number(const struct cmfa_aws *a, const struct cmfa_aws_files *f,
    const char *profile, const char *env, const char *key, uint64_t dflt,
    uint64_t max, uint64_t *out, struct cmfa_aws_error *err)
{
	char v[64];
	enum cmfa_err e;

	e = setting(a, f, profile, env, key, v, sizeof(v));
	if (e == CMFA_OK && v[0] == '\0') {
		*out = dflt;
		return CMFA_OK;
	}
	if (e != CMFA_OK && e != CMFA_ERR_TOOBIG)
		return e;
	if (e == CMFA_ERR_TOOBIG ||
	    cmfa_parse_u64(v, strlen(v), max, out) != CMFA_OK || *out == 0) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "Invalid value for %s: '%s' (an integer from 1 to %llu)",
		    key, v, (unsigned long long)max);
		return CMFA_ERR_VALIDATION;
	}
	return CMFA_OK;
}

static bool
url_ok(const char *u)
{
	size_t n = strlen(u);

	return (strncmp(u, "http://", 7) == 0 ||
	           strncmp(u, "https://", 8) == 0) &&
	    n > 8 && cmfa_utf8_printable(u, n, false) && strchr(u, ' ') == NULL;
}

static enum cmfa_err
base_url(const struct cmfa_aws *a, const struct cmfa_aws_files *f,
    const char *profile, struct cmfa_imds *m, struct cmfa_aws_error *err)
{
	char v[CMFA_AWS_VALUE_MAX], mode[64];
	enum cmfa_err e;
	size_t n;

	e = setting(a, f, profile, "AWS_EC2_METADATA_SERVICE_ENDPOINT",
	    "ec2_metadata_service_endpoint", v, sizeof(v));
	if (e == CMFA_ERR_TOOBIG)
		snprintf(v, sizeof(v), "(too long)"); /* refused below */
	else if (e != CMFA_OK)
		return e;
	if (v[0] == '\0') {
		e = setting(a, f, profile,
		    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
		    "ec2_metadata_service_endpoint_mode", mode, sizeof(mode));
		if (e == CMFA_ERR_TOOBIG)
			snprintf(mode, sizeof(mode), "(too long)");
		else if (e != CMFA_OK)
			return e;
		if (mode[0] != '\0' && strcasecmp(mode, "ipv4") != 0 &&
		    strcasecmp(mode, "ipv6") != 0) {
			cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
			    "Invalid endpoint mode: %s. Valid endpoint modes "
			    "are: ipv4, ipv6",
			    mode);
			return CMFA_ERR_VALIDATION;
		}
		if (mode[0] == '\0' &&
		    (e = setting(a, f, profile, "AWS_IMDS_USE_IPV6",
		         "imds_use_ipv6", mode, sizeof(mode))) != CMFA_OK) {
			if (e != CMFA_ERR_TOOBIG)
				return e;
			mode[0] = '\0'; /* too long to be "true" */
		}
		snprintf(v, sizeof(v), "%s",
		    strcasecmp(mode, "ipv6") == 0 ||
		            strcasecmp(mode, "true") == 0
		        ? IMDS_V6
		        : IMDS_V4);
	}
	if (!url_ok(v) || (n = strlen(v)) >= sizeof(m->base)) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG, "Invalid endpoint: %s",
		    v);
		return CMFA_ERR_VALIDATION;
	}
	while (n > 0 && v[n - 1] == '/')
		v[--n] = '\0';
	memcpy(m->base, v, n + 1);
	return CMFA_OK;
}

enum cmfa_err
cmfa_imds_init(const struct cmfa_aws *a, const struct cmfa_aws_files *f,
    const char *profile, struct cmfa_imds *m, struct cmfa_aws_error *err)
{
	char v[64];
	uint64_t t, n;
	enum cmfa_err e;

	memset(m, 0, sizeof(*m));
	if (a->s.imds_disabled ||
	    cmfa_aws_env_true(&a->s, "AWS_EC2_METADATA_DISABLED"))
		return CMFA_ERR_NOTFOUND;
	if ((e = base_url(a, f, profile, m, err)) != CMFA_OK)
		return e;
	if ((e = number(a, f, profile, "AWS_METADATA_SERVICE_TIMEOUT",
	         "metadata_service_timeout", 1, IMDS_TIMEOUT_MAX, &t, err)) !=
	        CMFA_OK ||
	    (e = number(a, f, profile, "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
	         "metadata_service_num_attempts", 1, IMDS_ATTEMPTS_MAX, &n,
	         err)) != CMFA_OK)
		return e;
	e = setting(a, f, profile, "AWS_EC2_METADATA_V1_DISABLED",
	    "ec2_metadata_v1_disabled", v, sizeof(v));
	if (e == CMFA_ERR_TOOBIG)
		v[0] = '\0'; /* too long to be "true" */
	else if (e != CMFA_OK)
		return e;
	m->timeout_ms = (long)t * 1000;
	m->attempts = (unsigned)n;
	m->v1_disabled = strcasecmp(v, "true") == 0;
	return CMFA_OK;
}

void
cmfa_imds_release(struct cmfa_imds *m)
{
	if (m != NULL)
		cmfa_memzero(m->token, sizeof(m->token));
}

/* One request; CMFA_OK with resp filled (maybe a transport failure). */
static enum cmfa_err
exchange(struct cmfa_aws *a, const struct cmfa_imds *m, const char *method,
    const char *path, const struct cmfa_http_header *h, size_t nh, size_t max,
    struct cmfa_http_resp *resp)
{
	struct cmfa_http_req r;
	char url[sizeof(m->base) + 128];

	if (snprintf(url, sizeof(url), "%s%s", m->base, path) >=
	    (int)sizeof(url))
		return CMFA_ERR_TOOBIG;
	memset(&r, 0, sizeof(r));
	r.method = method;
	r.url = url;
	r.headers = h;
	r.nheaders = nh;
	r.max_response = max;
	r.timeout_ms = m->timeout_ms;
	memset(resp, 0, sizeof(*resp));
	return cmfa_http_do(a->http, &r, resp);
}

/* NOTFOUND: no token (IMDSv1 may follow); VALIDATION: a 400. */
static enum cmfa_err
fetch_token(struct cmfa_aws *a, struct cmfa_imds *m)
{
	static const struct cmfa_http_header ttl = {
		"x-aws-ec2-metadata-token-ttl-seconds", "21600"
	};
	struct cmfa_http_resp resp;
	enum cmfa_http_fail fail;
	enum cmfa_err e;
	unsigned i;
	long st;

	m->token_tried = true;
	for (i = 0; i < m->attempts; i++) {
		if ((e = exchange(a, m, "PUT", "/latest/api/token", &ttl, 1,
		         sizeof(m->token) - 1, &resp)) != CMFA_OK)
			return e;
		st = resp.status;
		fail = resp.fail;
		if (fail == CMFA_HTTP_OK && st == 200 && resp.body.len > 0 &&
		    cmfa_utf8_printable((const char *)resp.body.p,
		        resp.body.len, false)) {
			memcpy(m->token, resp.body.p, resp.body.len);
			m->token[resp.body.len] = '\0';
			cmfa_http_resp_free(&resp);
			return CMFA_OK;
		}
		cmfa_http_resp_free(&resp);
		if (fail == CMFA_HTTP_TIMEOUT ||
		    (fail == CMFA_HTTP_OK &&
		        (st == 403 || st == 404 || st == 405)))
			return CMFA_ERR_NOTFOUND;
		if (fail == CMFA_HTTP_OK && st == 400)
			return CMFA_ERR_VALIDATION;
	}
	return CMFA_ERR_NOTFOUND;
}

static bool
answer_ok(const struct cmfa_http_resp *r, bool want_json)
{
	cJSON *doc = NULL;

	if (r->fail != CMFA_HTTP_OK || r->status != 200 || r->body.len == 0)
		return false;
	if (!want_json)
		return true;
	if (cmfa_json_parse((const char *)r->body.p, r->body.len, r->body.len,
	        &doc) != CMFA_OK)
		return false;
	cmfa_creds_json_free(doc); /* it holds the keys */
	return true;
}

enum cmfa_err
cmfa_imds_get(struct cmfa_aws *a, struct cmfa_imds *m, const char *path,
    bool want_json, size_t max, struct cmfa_buf *out)
{
	struct cmfa_http_header tok = { "x-aws-ec2-metadata-token", m->token };
	struct cmfa_http_resp resp;
	enum cmfa_err e;
	unsigned i;

	if (!m->token_tried) {
		e = fetch_token(a, m);
		if (e == CMFA_ERR_VALIDATION)
			return CMFA_ERR_NOTFOUND; /* BadIMDSRequestError */
		if (e != CMFA_OK && e != CMFA_ERR_NOTFOUND)
			return e;
	}
	if (m->token[0] == '\0' && m->v1_disabled)
		return CMFA_ERR_NOTFOUND;
	for (i = 0; i < m->attempts; i++) {
		if ((e = exchange(a, m, "GET", path, &tok,
		         m->token[0] != '\0' ? 1 : 0, max, &resp)) != CMFA_OK)
			return e;
		if (answer_ok(&resp, want_json)) {
			*out = resp.body; /* handed over */
			memset(&resp.body, 0, sizeof(resp.body));
			return CMFA_OK;
		}
		cmfa_http_resp_free(&resp);
	}
	return CMFA_ERR_NOTFOUND;
}

/* ---------------------------------------------------------------------- */
/* The instance role's credentials (botocore's InstanceMetadataFetcher)   */

#define IMDS_CREDS_PATH "/latest/meta-data/iam/security-credentials/"
#define IMDS_REFRESH_WINDOW_S 900 /* botocore's advisory refresh window */

/* A role name as IAM allows it: [\w+=,.@-]+. */
static bool
role_ok(const struct cmfa_buf *b)
{
	size_t i;

	if (b->len == 0 || b->len > 64)
		return false;
	for (i = 0; i < b->len; i++) {
		unsigned char c = b->p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		        (c >= '0' && c <= '9') || strchr("_+=,.@-", c) != NULL))
			return false;
	}
	return true;
}

/*
 * botocore's static stability: credentials the service still serves
 * after they (nearly) expired are used for another 15 minutes plus 2 to
 * 10 minutes of jitter instead of being refetched at every call.
 */
static int64_t
extend_expiration(int64_t exp, int64_t now)
{
	uint32_t r = 0;
	int64_t window;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = 0;
	window = IMDS_REFRESH_WINDOW_S + 120 + (int64_t)(r % 481);
	return now >= exp - window ? now + window : exp;
}

static enum cmfa_err
role_creds(struct cmfa_aws *a, const struct cmfa_buf *b,
    struct cmfa_aws_credentials *out)
{
	cJSON *doc = NULL;
	const char *id, *secret, *token, *exp;
	int64_t t;
	enum cmfa_err e;

	if ((e = cmfa_creds_json_parse(b, &doc)) != CMFA_OK)
		return e == CMFA_ERR_NOMEM ? e : CMFA_ERR_NOTFOUND;
	id = cmfa_creds_json_str(doc, "AccessKeyId");
	secret = cmfa_creds_json_str(doc, "SecretAccessKey");
	token = cmfa_creds_json_str(doc, "Token");
	exp = cmfa_creds_json_str(doc, "Expiration");
	/* a 200 with Code and Message (the role does not trust EC2): none */
	if (id == NULL || secret == NULL || token == NULL || exp == NULL ||
	    cmfa_creds_parse_time(exp, strlen(exp), &t) != CMFA_OK)
		e = CMFA_ERR_NOTFOUND;
	else
		e = cmfa_creds_set(out, id, secret, token,
		    extend_expiration(t, cmfa_aws_now(a)), "iam-role");
	cmfa_creds_json_free(doc);
	return e == CMFA_ERR_VALIDATION ? CMFA_ERR_NOTFOUND : e;
}

enum cmfa_err
cmfa_creds_imds(struct cmfa_creds_ctx *c, const char *profile,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	struct cmfa_imds m;
	struct cmfa_buf role, creds;
	char path[sizeof(IMDS_CREDS_PATH) + 64];
	enum cmfa_err e;

	if ((e = cmfa_imds_init(c->a, &c->files, profile, &m, err)) != CMFA_OK)
		return e;
	e = cmfa_imds_get(c->a, &m, IMDS_CREDS_PATH, false, 1024, &role);
	if (e == CMFA_OK && !role_ok(&role)) {
		cmfa_buf_free(&role);
		e = CMFA_ERR_NOTFOUND;
	}
	if (e == CMFA_OK) {
		snprintf(path, sizeof(path), "%s%.*s", IMDS_CREDS_PATH,
		    (int)role.len, (const char *)role.p);
		cmfa_buf_free(&role);
		e = cmfa_imds_get(c->a, &m, path, true, 64 * 1024, &creds);
		if (e == CMFA_OK) {
			e = role_creds(c->a, &creds, out);
			cmfa_buf_free(&creds);
		}
	}
	cmfa_imds_release(&m);
	return e;
}
