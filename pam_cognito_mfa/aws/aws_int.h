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
