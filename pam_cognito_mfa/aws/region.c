/*
 * region.c: the profile, the shared files, max_attempts and the region,
 * settled once when the client opens (COGNITO.md 6.1, 6.3).
 *
 * Orders (the command line and the host config first, as the header of
 * cmfa_aws.h says; within the rest, AWS CLI v2's own):
 *  - profile: --profile, AWS_PROFILE, AWS_DEFAULT_PROFILE (v2 checks
 *    AWS_PROFILE first), the config's aws_profile, "default";
 *  - files: the config's aws_shared_credentials_file / aws_config_file,
 *    AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE, ~/.aws/credentials and
 *    ~/.aws/config;
 *  - max_attempts: the settings, AWS_MAX_ATTEMPTS, the profile's
 *    max_attempts, 3;
 *  - region: --region, the config's region, AWS_REGION,
 *    AWS_DEFAULT_REGION, the profile's region, the instance's placement
 *    from IMDS (unless disabled), the caller's fallback (the pool id's
 *    prefix).
 * A profile that is named (by any of the above but the "default"
 * fallback) must exist in one of the files: botocore's get_scoped_config()
 * raises ProfileNotFound, which every AWS CLI command meets.
 * Empty environment values count as unset.
 */
#include <stdio.h>
#include <string.h>

#include "creds_int.h"

#define MAX_ATTEMPTS_CAP 100 /* a typo of 1000000 is not a retry policy */

static const char *
env_nonempty(const struct cmfa_aws_settings *s, const char *name)
{
	const char *v = cmfa_aws_getenv(s, name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

static const char *
nonempty(const char *v)
{
	return v != NULL && v[0] != '\0' ? v : NULL;
}

static enum cmfa_err
settle_profile(struct cmfa_aws *a, bool *named, struct cmfa_aws_error *err)
{
	const struct cmfa_aws_settings *s = &a->s;
	const char *p;
	size_t n;

	p = nonempty(s->profile);
	if (p == NULL)
		p = env_nonempty(s, "AWS_PROFILE");
	if (p == NULL)
		p = env_nonempty(s, "AWS_DEFAULT_PROFILE");
	if (p == NULL)
		p = nonempty(s->cfg_profile);
	*named = p != NULL;
	if (p == NULL)
		p = "default";
	n = strlen(p);
	if (n >= sizeof(a->profile) || !cmfa_utf8_printable(p, n, false)) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The config profile (%s) could not be found", p);
		return CMFA_ERR_INVAL;
	}
	memcpy(a->profile, p, n + 1);
	return CMFA_OK;
}

static enum cmfa_err
settle_file(struct cmfa_aws *a, const char *cfg, const char *env,
    const char *dflt, char *out, size_t outsz, struct cmfa_aws_error *err)
{
	const char *p = nonempty(cfg);
	enum cmfa_err e;

	if (p == NULL)
		p = env_nonempty(&a->s, env);
	if (p == NULL)
		p = dflt;
	e = cmfa_aws_expand_home(&a->s, p, out, outsz);
	if (e == CMFA_ERR_NOTFOUND && p == dflt) {
		out[0] = '\0'; /* no home: no default file */
		return CMFA_OK;
	}
	if (e != CMFA_OK)
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "Unable to use the file %s", p);
	return e;
}

static enum cmfa_err
parse_attempts(const char *v, int *out, struct cmfa_aws_error *err)
{
	uint64_t n = 0;
	enum cmfa_err e;

	e = cmfa_parse_u64(v, strlen(v), MAX_ATTEMPTS_CAP, &n);
	if (e == CMFA_ERR_TOOBIG) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "Value provided to \"max_attempts\": %s is above %d.", v,
		    MAX_ATTEMPTS_CAP);
		return CMFA_ERR_VALIDATION;
	}
	if (e != CMFA_OK || n < 1) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "Value provided to \"max_attempts\": %s must be an integer "
		    "greater than or equal to one.",
		    v);
		return CMFA_ERR_VALIDATION;
	}
	*out = (int)n;
	return CMFA_OK;
}

static enum cmfa_err
settle_attempts(struct cmfa_aws *a, const struct cmfa_aws_files *f,
    struct cmfa_aws_error *err)
{
	char v[64];
	const char *env;
	enum cmfa_err e;

	if (a->s.max_attempts > 0) {
		a->max_attempts = a->s.max_attempts;
		return CMFA_OK;
	}
	if ((env = env_nonempty(&a->s, "AWS_MAX_ATTEMPTS")) != NULL)
		return parse_attempts(env, &a->max_attempts, err);
	e = cmfa_aws_profile_get(f, a->profile, "max_attempts", v, sizeof(v));
	if (e == CMFA_OK)
		return parse_attempts(v, &a->max_attempts, err);
	if (e == CMFA_ERR_TOOBIG) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "Value provided to \"max_attempts\" must be an integer "
		    "greater than or equal to one.");
		return CMFA_ERR_VALIDATION;
	}
	if (e != CMFA_ERR_NOTFOUND)
		return e;
	a->max_attempts = 3;
	return CMFA_OK;
}

/* botocore's check (client.c), and short enough for a->region. */
static bool
region_ok(const char *r)
{
	return strlen(r) <= CMFA_AWS_REGION_MAX && cmfa_aws_region_ok(r);
}

static enum cmfa_err
set_region(struct cmfa_aws *a, const char *r, struct cmfa_aws_error *err)
{
	if (!region_ok(r)) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "Provided region_name '%s' doesn't match a supported "
		    "format.",
		    r);
		return CMFA_ERR_VALIDATION;
	}
	memcpy(a->region, r, strlen(r) + 1);
	return CMFA_OK;
}

/* The instance's availability zone less its last letter (the AWS CLI's
 * IMDSRegionProvider).  NOTFOUND when there is no usable answer. */
static enum cmfa_err
imds_region(struct cmfa_aws *a, const struct cmfa_aws_files *f,
    struct cmfa_aws_error *err)
{
	struct cmfa_imds m;
	struct cmfa_buf b;
	char r[CMFA_AWS_REGION_MAX + 2];
	enum cmfa_err e;

	if ((e = cmfa_imds_init(a, f, a->profile, &m, err)) != CMFA_OK)
		return e;
	e = cmfa_imds_get(a, &m,
	    "/latest/meta-data/placement/availability-zone/", false, 256, &b);
	cmfa_imds_release(&m);
	if (e != CMFA_OK)
		return e == CMFA_ERR_NOMEM ? e : CMFA_ERR_NOTFOUND;
	if (b.len < 2 || b.len > CMFA_AWS_REGION_MAX + 1) {
		cmfa_buf_free(&b);
		return CMFA_ERR_NOTFOUND;
	}
	memcpy(r, b.p, b.len - 1);
	r[b.len - 1] = '\0';
	cmfa_buf_free(&b);
	if (!region_ok(r))
		return CMFA_ERR_NOTFOUND;
	memcpy(a->region, r, strlen(r) + 1);
	return CMFA_OK;
}

static enum cmfa_err
settle_region(struct cmfa_aws *a, const struct cmfa_aws_files *f,
    struct cmfa_aws_error *err)
{
	const struct cmfa_aws_settings *s = &a->s;
	const char *r;
	char v[CMFA_AWS_VALUE_MAX];
	enum cmfa_err e;

	if ((r = nonempty(s->region)) != NULL ||
	    (r = nonempty(s->cfg_region)) != NULL ||
	    (r = env_nonempty(s, "AWS_REGION")) != NULL ||
	    (r = env_nonempty(s, "AWS_DEFAULT_REGION")) != NULL)
		return set_region(a, r, err);
	e = cmfa_aws_profile_get(f, a->profile, "region", v, sizeof(v));
	if (e == CMFA_OK && v[0] != '\0')
		return set_region(a, v, err);
	if (e == CMFA_ERR_TOOBIG) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The region of the profile %s is too long.", a->profile);
		return CMFA_ERR_VALIDATION;
	}
	if (e != CMFA_OK && e != CMFA_ERR_NOTFOUND)
		return e;
	e = imds_region(a, f, err);
	if (e != CMFA_ERR_NOTFOUND)
		return e;
	if ((r = nonempty(s->fallback_region)) != NULL)
		return set_region(a, r, err);
	err->kind = CMFA_AWSERR_NOREGION;
	snprintf(err->message, sizeof(err->message),
	    "You must specify a region.");
	return CMFA_ERR_NOTFOUND;
}

enum cmfa_err
cmfa_aws_region_resolve(struct cmfa_aws *a, struct cmfa_aws_error *err)
{
	struct cmfa_aws_files f;
	struct cmfa_aws_error scratch;
	bool named;
	enum cmfa_err e;

	if (err == NULL)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	memset(&f, 0, sizeof(f));
	a->region[0] = '\0';
	if ((e = settle_profile(a, &named, err)) != CMFA_OK ||
	    (e = settle_file(a, a->s.shared_credentials_file,
	         "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials",
	         a->shared_credentials_file, sizeof(a->shared_credentials_file),
	         err)) != CMFA_OK ||
	    (e = settle_file(a, a->s.config_file, "AWS_CONFIG_FILE",
	         "~/.aws/config", a->config_file, sizeof(a->config_file),
	         err)) != CMFA_OK ||
	    (e = cmfa_aws_files_load(a, &f, err)) != CMFA_OK)
		return e;
	if (named && !cmfa_aws_profile_exists(&f, a->profile)) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The config profile (%s) could not be found", a->profile);
		e = CMFA_ERR_NOTFOUND;
	}
	if (e == CMFA_OK)
		e = settle_attempts(a, &f, err);
	if (e == CMFA_OK)
		e = settle_region(a, &f, err);
	cmfa_aws_files_free(&f);
	if (e != CMFA_OK && err->kind == CMFA_AWSERR_NONE)
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG, "%s",
		    cmfa_strerror(e));
	return e;
}
