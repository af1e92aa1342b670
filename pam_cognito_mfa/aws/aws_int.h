/*
 * aws_int.h: what the files of aws/ share and nobody else sees.
 */
#ifndef CMFA_AWS_INT_H
#define CMFA_AWS_INT_H

#include <limits.h>

#include "cmfa_aws.h"

#define CMFA_AWS_OPS_MAX 16 /* operations with their own rate limit */
#define CMFA_AWS_RETRY_QUOTA 500
#define CMFA_AWS_RETRY_COST 5
#define CMFA_AWS_TIMEOUT_RETRY_COST 10

struct cmfa_aws_rate {
	char op[64];
	double rps;
	double next; /* monotonic seconds when the next attempt may start */
};

struct cmfa_aws {
	/* the settings, with every string copied into strs */
	struct cmfa_aws_settings s;
	char *strs[16];
	size_t nstrs;

	char region[CMFA_AWS_REGION_MAX + 1];
	char endpoint[512]; /* https://cognito-idp.<region>.amazonaws.com */
	char profile[128];  /* the profile in use ("default") */
	char shared_credentials_file[PATH_MAX];
	char config_file[PATH_MAX];
	int max_attempts;

	struct cmfa_http *http; /* blocking calls, credential fetches */

	bool have_creds;
	struct cmfa_aws_credentials creds;
	int64_t creds_refresh_at; /* client.c: refetch from then on (when
				     creds.expiration is set) */

	int retry_tokens;
	struct cmfa_aws_rate rates[CMFA_AWS_OPS_MAX];
	size_t nrates;
	unsigned long requests;
};

int64_t cmfa_aws_now(const struct cmfa_aws *a);

/* ---------------------------------------------------------------------- */
/* Shared by the Cognito path (client.c) and the other services'          */
/* requests (request.c): one endpoint parser, one retry classification.   */

/* The parts of an endpoint URL a request needs. */
struct cmfa_aws_target {
	char url[1024];   /* as given; "/" appended when it had no path */
	char host[300];   /* the Host header: botocore's _host_from_url */
	const char *path; /* into url: "/..." */
};

/*
 * http[s]://host[:port][/path]: no user info, query, fragment, white
 * space or control characters (client.c).  CMFA_ERR_INVAL, CMFA_ERR_TOOBIG.
 */
enum cmfa_err cmfa_aws_target_parse(const char *url, struct cmfa_aws_target *t);

/* botocore's region check (InvalidRegionError): it goes into host names. */
bool cmfa_aws_region_ok(const char *region);

/*
 * botocore standard mode's retryable service errors (COGNITO.md 4.4):
 * HTTP 500/502/503/504, the throttling codes and the transient ones.
 */
bool cmfa_aws_retryable(const struct cmfa_aws_error *e);

/* A transport failure in botocore's words for url (kind TRANSPORT). */
void cmfa_aws_transport_error(struct cmfa_aws_error *e,
    const struct cmfa_http_resp *r, const char *url);

/*
 * Seconds to wait before the retry that follows `attempts` tries:
 * rand(0,1) * min(2^(attempts-1), 20); x-amz-retry-after (ms, when >= 0)
 * replaces that, capped at the random delay + 5 s.
 */
double cmfa_aws_backoff(unsigned attempts, long retry_after_ms);
void cmfa_aws_sleep(double secs);

/*
 * One signed request to a service other than Cognito (request.c): STS
 * and SNS over the query protocol (query.c), SES v2 over rest-json.
 * Retried as the Cognito path is (standard mode: cmfa_aws_retryable(),
 * transport failures but TLS and an oversized answer, max_attempts tries,
 * cmfa_aws_backoff()), without its retry quota and rate limits: these
 * calls are rare.
 */
struct cmfa_aws_req {
	const char *endpoint; /* http[s]://host[:port][/path] */
	const char *method;   /* "POST" */
	const char *path;     /* joined to the endpoint's path as botocore's
				 _urljoin does; NULL: the endpoint's alone */
	const char *service;  /* the signing name */
	const char *region;
	const struct cmfa_aws_credentials *creds; /* NULL: unsigned */
	const char *content_type;
	const uint8_t *body;
	size_t body_len;
	/* Fill err (kind SERVICE, status, type, message) from a non-2xx
	 * answer. */
	void (*parse_error)(const struct cmfa_http_resp *r,
	    struct cmfa_aws_error *err);
};

/*
 * Run q.  CMFA_OK on a 2xx (out->response holds the body); CMFA_ERR_IO
 * when the service refused or the transport failed (out->error in the
 * AWS CLI's words); CMFA_ERR_INVAL for a bad endpoint (out->error kind
 * TRANSPORT "Invalid endpoint: URL", as botocore's ValueError) or
 * request; CMFA_ERR_NOMEM.  out is reset first (pass it zeroed or
 * released).
 */
enum cmfa_err cmfa_aws_request(struct cmfa_aws *a, const struct cmfa_aws_req *q,
    struct cmfa_aws_call *out);

/*
 * The credential chain (aws/creds.c), botocore's order (COGNITO.md 6.1):
 * fills *out (released by the caller) or err (NOCREDS, CONFIG).
 */
enum cmfa_err cmfa_aws_creds_resolve(struct cmfa_aws *a,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err);

/*
 * The region (aws/region.c, COGNITO.md 6.3): --region, config region,
 * AWS_REGION, AWS_DEFAULT_REGION, the profile's region, then instance
 * metadata (unless disabled), then s.fallback_region.  Also settles
 * a->profile, a->shared_credentials_file, a->config_file and
 * a->max_attempts.  err NOREGION when none; CONFIG for a named profile
 * found in neither file, a file botocore cannot parse, a bad
 * max_attempts or region.
 */
enum cmfa_err cmfa_aws_region_resolve(struct cmfa_aws *a,
    struct cmfa_aws_error *err);

/* Read a shared file ("~/" expanded, a regular file of at most 1 MiB);
 * CMFA_ERR_NOTFOUND when missing. */
enum cmfa_err cmfa_aws_read_shared(const char *path, struct cmfa_buf *out);

#endif /* CMFA_AWS_INT_H */
