/*
 * container.c: ECS / EKS Pod Identity container credentials (botocore's
 * ContainerProvider and ContainerMetadataFetcher, COGNITO.md 6.1 #10).
 *
 * Only when AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (then
 * http://169.254.170.2<uri>) or AWS_CONTAINER_CREDENTIALS_FULL_URI is
 * set.  A full URI must be https, or http to a loopback address
 * (127.0.0.0/8, ::1, localhost) or to 169.254.170.2, 169.254.170.23 or
 * fd00:ec2::23: the Authorization token must not go anywhere else.  The
 * token comes from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read at each
 * fetch), else AWS_CONTAINER_AUTHORIZATION_TOKEN, and may not hold CR or
 * LF.  3 attempts, 2 s each, 1 s apart.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmfa_core.h"
#include "creds_int.h"

#define ECS_HOST "169.254.170.2"
#define ECS_TIMEOUT_MS 2000
#define ECS_ATTEMPTS 3
#define ECS_RESPONSE_MAX (64u * 1024u)
#define ECS_TOKEN_MAX 16384
#define PROVIDER "container-role"

static enum cmfa_err
fail(struct cmfa_aws_error *err, const char *msg)
{
	cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
	    "Error when retrieving credentials from " PROVIDER ": %s", msg);
	return CMFA_ERR_VALIDATION;
}

/* The host of "scheme://[user@]host[:port]/...", brackets removed. */
static bool
url_host(const char *url, size_t skip, char *out, size_t outsz)
{
	const char *a = url + skip, *end = a + strcspn(a, "/?#"), *at, *h;
	size_t n;

	at = memchr(a, '@', (size_t)(end - a));
	h = at != NULL ? at + 1 : a;
	if (*h == '[') {
		const char *close = memchr(h, ']', (size_t)(end - h));

		if (close == NULL)
			return false;
		h++;
		n = (size_t)(close - h);
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));

		n = (size_t)((colon != NULL ? colon : end) - h);
	}
	if (n == 0 || n >= outsz)
		return false;
	memcpy(out, h, n);
	out[n] = '\0';
	return true;
}

static bool
host_allowed(const char *host)
{
	struct in_addr v4;
	struct in6_addr v6, ecs6;

	if (strcasecmp(host, "localhost") == 0 || strcmp(host, ECS_HOST) == 0 ||
	    strcmp(host, "169.254.170.23") == 0)
		return true;
	if (inet_pton(AF_INET, host, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &v6) == 1 &&
	    inet_pton(AF_INET6, "fd00:ec2::23", &ecs6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&v6) ||
		    memcmp(&v6, &ecs6, sizeof(v6)) == 0;
	return false;
}

static enum cmfa_err
full_uri(const char *uri, char *out, size_t outsz, struct cmfa_aws_error *err)
{
	char host[256], msg[512];
	bool https = strncmp(uri, "https://", 8) == 0;
	bool http = strncmp(uri, "http://", 7) == 0;

	if ((!http && !https) ||
	    !cmfa_utf8_printable(uri, strlen(uri), false) ||
	    strchr(uri, ' ') != NULL ||
	    !url_host(uri, https ? 8 : 7, host, sizeof(host))) {
		snprintf(msg, sizeof(msg), "Unsupported URL: %s", uri);
		return fail(err, msg);
	}
	if (http && !host_allowed(host)) {
		snprintf(msg, sizeof(msg),
		    "Unsupported host '%s'.  Can only retrieve metadata from a "
		    "loopback address or one of these hosts: 169.254.170.2, "
		    "169.254.170.23, fd00:ec2::23, localhost",
		    host);
		return fail(err, msg);
	}
	if ((size_t)snprintf(out, outsz, "%s", uri) >= outsz)
		return fail(err, "the URI is too long");
	return CMFA_OK;
}

/* The Authorization value into tok (empty: none). */
static enum cmfa_err
auth_token(const struct cmfa_aws_settings *s, struct cmfa_buf *tok,
    struct cmfa_aws_error *err)
{
	const char *file = cmfa_aws_getenv(s,
	    "AWS_CONTAINER_AUTHORIZATION_"
	    "TOKEN_FILE");
	const char *v = cmfa_aws_getenv(s, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
	char msg[512];
	enum cmfa_err e;

	cmfa_buf_init(tok, ECS_TOKEN_MAX);
	if (file != NULL) {
		if ((e = cmfa_aws_read_file(file, ECS_TOKEN_MAX, tok)) !=
		    CMFA_OK) {
			snprintf(msg, sizeof(msg),
			    "unable to read the token file %s: %s", file,
			    cmfa_strerror(e));
			return fail(err, msg);
		}
	} else if (v != NULL && (e = cmfa_buf_append_str(tok, v)) != CMFA_OK) {
		return e == CMFA_ERR_NOMEM ? e
		                           : fail(err,
		                                 "the token is too "
		                                 "long");
	}
	if (tok->len > 0 &&
	    (memchr(tok->p, '\r', tok->len) != NULL ||
	        memchr(tok->p, '\n', tok->len) != NULL ||
	        memchr(tok->p, '\0', tok->len) != NULL)) {
		cmfa_buf_free(tok);
		return fail(err,
		    "Auth token value is not a legal header value");
	}
	return CMFA_OK;
}

static enum cmfa_err
parse_answer(const struct cmfa_buf *b, struct cmfa_aws_credentials *out,
    struct cmfa_aws_error *err)
{
	cJSON *doc = NULL;
	const char *id, *secret, *token, *exp;
	int64_t t = 0;
	enum cmfa_err e;

	if ((e = cmfa_creds_json_parse(b, &doc)) != CMFA_OK)
		return e;
	id = cmfa_creds_json_str(doc, "AccessKeyId");
	secret = cmfa_creds_json_str(doc, "SecretAccessKey");
	token = cmfa_creds_json_str(doc, "Token");
	exp = cmfa_creds_json_str(doc, "Expiration");
	if (id == NULL || secret == NULL || token == NULL || exp == NULL)
		e = fail(err,
		    "the answer lacks AccessKeyId, SecretAccessKey, "
		    "Token or Expiration");
	else if (cmfa_creds_parse_time(exp, strlen(exp), &t) != CMFA_OK)
		e = fail(err, "the Expiration is not an ISO 8601 time");
	else if ((e = cmfa_creds_set(out, id, secret, token, t, PROVIDER)) ==
	    CMFA_ERR_VALIDATION)
		e = fail(err, "the credentials are malformed");
	cmfa_creds_json_free(doc);
	return e;
}

/* One GET: CMFA_OK with the body in *out, CMFA_ERR_IO with msg set. */
static enum cmfa_err
fetch_once(struct cmfa_aws *a, const char *url, const char *token,
    struct cmfa_buf *out, char *msg, size_t msgsz)
{
	struct cmfa_http_header h[2] = { { "Accept", "application/json" },
		{ "Authorization", token } };
	struct cmfa_http_req r;
	struct cmfa_http_resp resp;
	cJSON *doc = NULL;
	char body[201];
	enum cmfa_err e;

	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.url = url;
	r.headers = h;
	r.nheaders = token[0] != '\0' ? 2 : 1;
	r.max_response = ECS_RESPONSE_MAX;
	r.timeout_ms = ECS_TIMEOUT_MS;
	if ((e = cmfa_http_do(a->http, &r, &resp)) != CMFA_OK)
		return e;
	if (resp.fail != CMFA_HTTP_OK) {
		snprintf(msg, msgsz,
		    "Received error when attempting to "
		    "retrieve ECS metadata: %s",
		    resp.fail_msg);
		e = CMFA_ERR_IO;
	} else if (resp.status != 200) {
		cmfa_sanitize(body, sizeof(body), cmfa_buf_str(&resp.body),
		    resp.body.len);
		snprintf(msg, msgsz,
		    "Received non 200 response (%ld) from ECS metadata: %s",
		    resp.status, body);
		e = CMFA_ERR_IO;
	} else if (cmfa_creds_json_parse(&resp.body, &doc) != CMFA_OK) {
		snprintf(msg, msgsz,
		    "Unable to parse JSON returned from ECS "
		    "metadata services");
		e = CMFA_ERR_IO;
	} else {
		cmfa_creds_json_free(doc);
		*out = resp.body; /* handed over */
		memset(&resp.body, 0, sizeof(resp.body));
	}
	cmfa_http_resp_free(&resp);
	return e;
}

static enum cmfa_err
fetch(struct cmfa_aws *a, const char *url, const char *token,
    struct cmfa_buf *out, struct cmfa_aws_error *err)
{
	char msg[512] = "";
	struct timespec pause = { 1, 0 };
	enum cmfa_err e = CMFA_ERR_IO;
	unsigned i;

	for (i = 0; i < ECS_ATTEMPTS && e == CMFA_ERR_IO; i++) {
		if (i > 0)
			nanosleep(&pause, NULL);
		e = fetch_once(a, url, token, out, msg, sizeof(msg));
	}
	if (e == CMFA_ERR_IO)
		return fail(err, msg);
	return e;
}

enum cmfa_err
cmfa_creds_container(struct cmfa_creds_ctx *c, const char *profile,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	const struct cmfa_aws_settings *s = &c->a->s;
	const char *rel = cmfa_aws_getenv(s,
	    "AWS_CONTAINER_CREDENTIALS_"
	    "RELATIVE_URI");
	const char *full = cmfa_aws_getenv(s,
	    "AWS_CONTAINER_CREDENTIALS_"
	    "FULL_URI");
	char url[2048];
	struct cmfa_buf tok, body;
	enum cmfa_err e;

	(void)profile;
	if (rel == NULL && full == NULL)
		return CMFA_ERR_NOTFOUND;
	if (rel != NULL) {
		if (!cmfa_utf8_printable(rel, strlen(rel), false) ||
		    strchr(rel, ' ') != NULL ||
		    (size_t)snprintf(url, sizeof(url), "http://" ECS_HOST "%s",
		        rel) >= sizeof(url))
			return fail(err, "the relative URI is malformed");
	} else if ((e = full_uri(full, url, sizeof(url), err)) != CMFA_OK) {
		return e;
	}
	if ((e = auth_token(s, &tok, err)) != CMFA_OK)
		return e;
	e = fetch(c->a, url, cmfa_buf_str(&tok), &body, err);
	cmfa_buf_free(&tok);
	if (e != CMFA_OK)
		return e;
	e = parse_answer(&body, out, err);
	cmfa_buf_free(&body);
	return e;
}
