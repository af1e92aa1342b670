/*
 * creds.c: the credential chain in botocore's order (COGNITO.md 6.1,
 * botocore credentials.create_credential_resolver):
 *
 *   env, assume-role (profile role_arn), assume-role-with-web-identity,
 *   shared-credentials-file, credential-process, config-file,
 *   container-role (ECS), iam-role (EC2 IMDS)
 *
 * The first provider that has credentials wins; one that is configured
 * but fails stops the chain with its error (as botocore raises).  SSO,
 * `aws login` and the legacy boto2 / EC2-tools files are not read.
 * --profile (an explicit profile) removes the environment's keys and the
 * environment's web identity from the chain, as botocore's
 * disable_env_vars does; AWS_PROFILE or the config's aws_profile do not.
 *
 * Secrets: keys live in struct cmfa_aws_credentials (wiped on release),
 * in stack buffers wiped before return, and in the shared files' copies
 * (wiped by cmfa_aws_files_free()).  No message names a key or a token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_core.h"
#include "creds_int.h"

#define VISITED_MAX 16

/* ---------------------------------------------------------------------- */
/* Credentials                                                            */

void
cmfa_aws_credentials_release(struct cmfa_aws_credentials *c)
{
	if (c == NULL)
		return;
	if (c->session_token != NULL) {
		cmfa_memzero(c->session_token, strlen(c->session_token));
		free(c->session_token);
	}
	cmfa_memzero(c, sizeof(*c));
}

/* Printable ASCII without blanks: what AWS keys and tokens are made of. */
static bool
key_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

enum cmfa_err
cmfa_creds_set(struct cmfa_aws_credentials *out, const char *key_id,
    const char *secret, const char *token, int64_t expiration,
    const char *source)
{
	size_t kn = strlen(key_id), sn = strlen(secret);
	size_t tn = token != NULL ? strlen(token) : 0;
	char *t = NULL;

	if (kn == 0 || kn > CMFA_AWS_KEY_MAX || !key_chars(key_id, kn) ||
	    sn == 0 || sn > CMFA_AWS_KEY_MAX || !key_chars(secret, sn) ||
	    tn > CMFA_SIGV4_MAX_TOKEN || !key_chars(token, tn))
		return CMFA_ERR_VALIDATION;
	if (tn > 0 && (t = strdup(token)) == NULL)
		return CMFA_ERR_NOMEM;
	memset(out, 0, sizeof(*out));
	memcpy(out->access_key_id, key_id, kn + 1);
	memcpy(out->secret_access_key, secret, sn + 1);
	out->session_token = t;
	out->expiration = expiration;
	snprintf(out->source, sizeof(out->source), "%s", source);
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* Time: ISO 8601 as STS, IMDS, ECS and credential processes write it     */

static bool
digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static unsigned
month_days(unsigned y, unsigned m)
{
	static const unsigned md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : md[m - 1];
}

/* The zone suffix: "Z", "+HH:MM", "+HHMM", "+HH" (or none): seconds east. */
static bool
zone(const char *s, size_t n, int64_t *off)
{
	unsigned h, mi = 0;

	*off = 0;
	if (n == 0 || (n == 1 && (s[0] == 'Z' || s[0] == 'z')))
		return true;
	if (s[0] != '+' && s[0] != '-')
		return false;
	if (!(n == 3 && digits(s + 1, 2, &h)) &&
	    !(n == 5 && digits(s + 1, 2, &h) && digits(s + 3, 2, &mi)) &&
	    !(n == 6 && s[3] == ':' && digits(s + 1, 2, &h) &&
	        digits(s + 4, 2, &mi)))
		return false;
	if (h > 23 || mi > 59)
		return false;
	*off = (int64_t)(h * 3600 + mi * 60) * (s[0] == '-' ? -1 : 1);
	return true;
}

enum cmfa_err
cmfa_creds_parse_time(const char *s, size_t len, int64_t *out)
{
	unsigned y, mo, d, h, mi, se;
	size_t i = 19;
	int64_t off;

	if (len < 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
	    s[16] != ':' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
	    !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) ||
	    !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
		return CMFA_ERR_PARSE;
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == 20)
			return CMFA_ERR_PARSE;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) ||
	    h > 23 || mi > 59 || se > 60 || !zone(s + i, len - i, &off))
		return CMFA_ERR_PARSE;
	*out =
	    days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* JSON answers                                                           */

static void
json_wipe(cJSON *n)
{
	for (; n != NULL; n = n->next) {
		if (n->valuestring != NULL)
			cmfa_memzero(n->valuestring, strlen(n->valuestring));
		json_wipe(n->child);
	}
}

void
cmfa_creds_json_free(struct cJSON *doc)
{
	json_wipe(doc);
	cJSON_Delete(doc);
}

enum cmfa_err
cmfa_creds_json_parse(const struct cmfa_buf *b, struct cJSON **out)
{
	return cmfa_json_parse((const char *)b->p, b->len, b->len, out);
}

const char *
cmfa_creds_json_str(const struct cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---------------------------------------------------------------------- */
/* Environment                                                            */

enum cmfa_err
cmfa_creds_env(struct cmfa_creds_ctx *c, const char *profile,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	const struct cmfa_aws_settings *s = &c->a->s;
	const char *id = cmfa_aws_getenv(s, "AWS_ACCESS_KEY_ID");
	const char *secret = cmfa_aws_getenv(s, "AWS_SECRET_ACCESS_KEY");
	const char *token = cmfa_aws_getenv(s, "AWS_SECURITY_TOKEN");
	const char *exp = cmfa_aws_getenv(s, "AWS_CREDENTIAL_EXPIRATION");
	int64_t t = 0;
	enum cmfa_err e;

	(void)profile;
	if (id == NULL || id[0] == '\0')
		return CMFA_ERR_NOTFOUND;
	if (secret == NULL || secret[0] == '\0') {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "Partial credentials found in env, missing: "
		    "AWS_SECRET_ACCESS_KEY");
		return CMFA_ERR_VALIDATION;
	}
	if (token == NULL || token[0] == '\0')
		token = cmfa_aws_getenv(s, "AWS_SESSION_TOKEN");
	if (exp != NULL && exp[0] != '\0' &&
	    cmfa_creds_parse_time(exp, strlen(exp), &t) != CMFA_OK) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "Invalid AWS_CREDENTIAL_EXPIRATION: %s", exp);
		return CMFA_ERR_VALIDATION;
	}
	e = cmfa_creds_set(out, id, secret, token, t, "env");
	if (e == CMFA_ERR_VALIDATION)
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The credentials in the environment are malformed");
	return e;
}

/* ---------------------------------------------------------------------- */
/* Static keys in the shared files                                        */

typedef enum cmfa_err (*file_get_fn)(const struct cmfa_aws_files *,
    const char *, const char *, char *, size_t);

/* aws_access_key_id, aws_secret_access_key, then aws_security_token or
 * aws_session_token (botocore's order), from one file's view. */
static enum cmfa_err
static_keys(struct cmfa_creds_ctx *c, file_get_fn get, const char *profile,
    const char *source, struct cmfa_aws_credentials *out,
    struct cmfa_aws_error *err)
{
	char id[CMFA_AWS_VALUE_MAX], secret[CMFA_AWS_VALUE_MAX];
	char token[CMFA_SIGV4_MAX_TOKEN + 1];
	bool have_token = true;
	enum cmfa_err e;

	if ((e = get(&c->files, profile, "aws_access_key_id", id,
	         sizeof(id))) == CMFA_ERR_NOTFOUND)
		return e;
	if (e == CMFA_OK) {
		e = get(&c->files, profile, "aws_secret_access_key", secret,
		    sizeof(secret));
		if (e == CMFA_ERR_NOTFOUND) {
			cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
			    "Partial credentials found in %s, missing: "
			    "aws_secret_access_key",
			    source);
			return CMFA_ERR_VALIDATION;
		}
	}
	if (e == CMFA_OK &&
	    (e = get(&c->files, profile, "aws_security_token", token,
	         sizeof(token))) == CMFA_ERR_NOTFOUND &&
	    (e = get(&c->files, profile, "aws_session_token", token,
	         sizeof(token))) == CMFA_ERR_NOTFOUND) {
		have_token = false;
		e = CMFA_OK;
	}
	if (e == CMFA_OK)
		e = cmfa_creds_set(out, id, secret, have_token ? token : NULL,
		    0, source);
	if (e != CMFA_OK && e != CMFA_ERR_NOMEM)
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The credentials of profile %s in the %s are malformed",
		    profile, source);
	cmfa_memzero(id, sizeof(id));
	cmfa_memzero(secret, sizeof(secret));
	cmfa_memzero(token, sizeof(token));
	return e;
}

static enum cmfa_err
prov_shared(struct cmfa_creds_ctx *c, const char *profile,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	return static_keys(c, cmfa_aws_cred_file_get, profile,
	    "shared-credentials-file", out, err);
}

static enum cmfa_err
prov_config(struct cmfa_creds_ctx *c, const char *profile,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	return static_keys(c, cmfa_aws_conf_file_get, profile, "config-file",
	    out, err);
}

/* ---------------------------------------------------------------------- */
/* Web identity                                                           */

/* The environment's value when env_ok and the variable is set, else the
 * profile's; NOTFOUND when neither. */
static enum cmfa_err
env_or_profile(struct cmfa_creds_ctx *c, bool env_ok, const char *env,
    const char *profile, const char *key, char *out, size_t outsz)
{
	const char *v = env_ok ? cmfa_aws_getenv(&c->a->s, env) : NULL;
	int n;

	if (v == NULL)
		return cmfa_aws_profile_get(&c->files, profile, key, out,
		    outsz);
	n = snprintf(out, outsz, "%s", v);
	return n < 0 || (size_t)n >= outsz ? CMFA_ERR_TOOBIG : CMFA_OK;
}

static enum cmfa_err
web_identity(struct cmfa_creds_ctx *c, const char *profile, bool env_ok,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	char path[CMFA_AWS_VALUE_MAX], arn[CMFA_AWS_VALUE_MAX], name[256];
	struct cmfa_sts_role r;
	struct cmfa_buf tok;
	enum cmfa_err e;

	memset(&r, 0, sizeof(r));
	e = env_or_profile(c, env_ok, "AWS_WEB_IDENTITY_TOKEN_FILE", profile,
	    "web_identity_token_file", path, sizeof(path));
	if (e == CMFA_ERR_NOTFOUND || (e == CMFA_OK && path[0] == '\0'))
		return CMFA_ERR_NOTFOUND;
	if (e == CMFA_OK)
		e = env_or_profile(c, env_ok, "AWS_ROLE_ARN", profile,
		    "role_arn", arn, sizeof(arn));
	if (e == CMFA_ERR_NOTFOUND || (e == CMFA_OK && arn[0] == '\0')) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The provided profile or the current environment is "
		    "configured to assume role with web identity but has no "
		    "role ARN configured. Ensure that the profile has the "
		    "role_arnconfiguration set or the AWS_ROLE_ARN env var "
		    "is set.");
		return CMFA_ERR_VALIDATION;
	}
	if (e == CMFA_OK) {
		e = env_or_profile(c, env_ok, "AWS_ROLE_SESSION_NAME", profile,
		    "role_session_name", name, sizeof(name));
		if (e == CMFA_OK)
			r.session_name = name;
		else if (e == CMFA_ERR_NOTFOUND)
			e = CMFA_OK;
	}
	if (e != CMFA_OK) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The web identity settings of profile %s are too long",
		    profile);
		return e == CMFA_ERR_NOTFOUND ? CMFA_ERR_VALIDATION : e;
	}
	e = cmfa_aws_read_file(path, CMFA_AWS_TOKEN_FILE_MAX, &tok);
	if (e != CMFA_OK) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "Unable to read the web identity token file %s: %s", path,
		    cmfa_strerror(e));
		return e == CMFA_ERR_NOTFOUND ? CMFA_ERR_IO : e;
	}
	r.role_arn = arn;
	r.web_identity_token = cmfa_buf_str(&tok);
	e = cmfa_sts_assume(c->a, NULL, &r, "assume-role-with-web-identity",
	    out, err);
	cmfa_buf_free(&tok);
	return e;
}

static enum cmfa_err
prov_web_identity(struct cmfa_creds_ctx *c, const char *profile,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	return web_identity(c, profile, !c->env_disabled, out, err);
}

/* The same for a source profile: never the environment. */
static enum cmfa_err
prov_web_identity_profile(struct cmfa_creds_ctx *c, const char *profile,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	return web_identity(c, profile, false, out, err);
}

/* ---------------------------------------------------------------------- */
/* Assume role                                                            */

static bool
has_key(struct cmfa_creds_ctx *c, const char *profile, const char *key)
{
	char v[8];
	enum cmfa_err e;

	e = cmfa_aws_profile_get(&c->files, profile, key, v, sizeof(v));
	cmfa_memzero(v, sizeof(v));
	return e == CMFA_OK || e == CMFA_ERR_TOOBIG;
}

static bool
has_role(struct cmfa_creds_ctx *c, const char *profile)
{
	return has_key(c, profile, "role_arn") &&
	    !has_key(c, profile, "web_identity_token_file");
}

static bool
has_static(struct cmfa_creds_ctx *c, const char *profile)
{
	return has_key(c, profile, "aws_secret_access_key") ||
	    has_key(c, profile, "aws_access_key_id");
}

/* The providers that read a (source) profile: botocore's
 * ProfileProviderBuilder less SSO. */
static const cmfa_creds_provider_fn profile_chain[] = {
	prov_web_identity_profile,
	prov_shared,
	cmfa_creds_process,
	prov_config,
};

static enum cmfa_err assume_role(struct cmfa_creds_ctx *c, const char *profile,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err);

static enum cmfa_err
from_profile(struct cmfa_creds_ctx *c, const char *profile,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	enum cmfa_err e = CMFA_ERR_NOTFOUND;
	size_t i;

	if (!has_static(c, profile) && has_role(c, profile))
		return assume_role(c, profile, out, err);
	for (i = 0; i < CMFA_ARRAY_LEN(profile_chain) && e == CMFA_ERR_NOTFOUND;
	     i++)
		e = profile_chain[i](c, profile, out, err);
	if (e == CMFA_ERR_NOTFOUND) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The source profile \"%s\" must have credentials.",
		    profile);
		e = CMFA_ERR_VALIDATION; /* an error, not "nothing here" */
	}
	return e;
}

static const struct {
	const char *name;
	cmfa_creds_provider_fn fn;
} sources[] = {
	{ "Environment", cmfa_creds_env },
	{ "Ec2InstanceMetadata", cmfa_creds_imds },
	{ "EcsContainer", cmfa_creds_container },
};

static enum cmfa_err
from_source(struct cmfa_creds_ctx *c, const char *profile, const char *name,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	enum cmfa_err e;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(sources); i++)
		if (strcmp(sources[i].name, name) == 0)
			break;
	if (i == CMFA_ARRAY_LEN(sources)) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The credential source \"%s\" referenced in profile \"%s\" "
		    "is not valid.",
		    name, profile);
		return CMFA_ERR_VALIDATION;
	}
	e = sources[i].fn(c, profile, out, err);
	if (e == CMFA_ERR_NOTFOUND) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "Error when retrieving credentials from %s: No credentials "
		    "found in credential_source referenced in profile %s",
		    name, profile);
		e = CMFA_ERR_VALIDATION;
	}
	return e;
}

/* botocore's visited-profile list, as Python prints it. */
static void
loop_error(const struct cmfa_creds_ctx *c, const char *source,
    struct cmfa_aws_error *err)
{
	char list[512];
	size_t i, used = 0;
	int n;

	list[0] = '\0';
	for (i = 0; i < c->nvisited && used < sizeof(list); i++) {
		n = snprintf(list + used, sizeof(list) - used, "%s'%s'",
		    i ? ", " : "", c->visited[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
	    "Infinite loop in credential configuration detected. Attempting "
	    "to load from profile %s which has already been visited. Visited "
	    "profiles: [%s]",
	    source, list);
}

static enum cmfa_err
check_source_profile(struct cmfa_creds_ctx *c, const char *parent,
    const char *source, struct cmfa_aws_error *err)
{
	size_t i;

	if (!cmfa_aws_profile_exists(&c->files, source)) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The source_profile \"%s\" referenced in the profile "
		    "\"%s\" "
		    "does not exist.",
		    source, parent);
		return CMFA_ERR_VALIDATION;
	}
	for (i = 0; i < c->nvisited; i++)
		if (strcmp(c->visited[i], source) == 0)
			break;
	/* a profile may name itself to use its own static keys */
	if (i < c->nvisited &&
	    (strcmp(source, parent) != 0 || !has_static(c, source))) {
		loop_error(c, source, err);
		return CMFA_ERR_VALIDATION;
	}
	if (c->nvisited == VISITED_MAX) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The chain of source_profile from profile \"%s\" is too "
		    "long",
		    parent);
		return CMFA_ERR_VALIDATION;
	}
	return CMFA_OK;
}

struct role_cfg {
	char arn[2048 + 1];
	char source_profile[256];
	char credential_source[64];
	char external_id[1224 + 1];
	char session_name[256];
	char duration[32];
	bool have_sp, have_cs, have_ext, have_name, have_dur;
};

/* One optional key; *have says whether it was there. */
static enum cmfa_err
opt_key(struct cmfa_creds_ctx *c, const char *profile, const char *key,
    char *out, size_t outsz, bool *have)
{
	enum cmfa_err e;

	e = cmfa_aws_profile_get(&c->files, profile, key, out, outsz);
	*have = e == CMFA_OK;
	return e == CMFA_ERR_NOTFOUND ? CMFA_OK : e;
}

static enum cmfa_err
role_config(struct cmfa_creds_ctx *c, const char *profile, struct role_cfg *r,
    struct cmfa_aws_error *err)
{
	bool have_arn, have_mfa;
	enum cmfa_err e;

	memset(r, 0, sizeof(*r));
	if ((e = opt_key(c, profile, "role_arn", r->arn, sizeof(r->arn),
	         &have_arn)) != CMFA_OK ||
	    (e = opt_key(c, profile, "source_profile", r->source_profile,
	         sizeof(r->source_profile), &r->have_sp)) != CMFA_OK ||
	    (e = opt_key(c, profile, "credential_source", r->credential_source,
	         sizeof(r->credential_source), &r->have_cs)) != CMFA_OK ||
	    (e = opt_key(c, profile, "external_id", r->external_id,
	         sizeof(r->external_id), &r->have_ext)) != CMFA_OK ||
	    (e = opt_key(c, profile, "role_session_name", r->session_name,
	         sizeof(r->session_name), &r->have_name)) != CMFA_OK ||
	    (e = opt_key(c, profile, "duration_seconds", r->duration,
	         sizeof(r->duration), &r->have_dur)) != CMFA_OK) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The role settings of profile %s are too long", profile);
		return e;
	}
	have_mfa = has_key(c, profile, "mfa_serial");
	if (r->have_sp && r->have_cs) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The profile \"%s\" contains both source_profile and "
		    "credential_source.",
		    profile);
		return CMFA_ERR_VALIDATION;
	}
	if (!r->have_sp && !r->have_cs) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "Partial credentials found in assume-role, missing: "
		    "source_profile or credential_source");
		return CMFA_ERR_VALIDATION;
	}
	if (have_mfa) {
		/* botocore prompts for the code; nothing here can */
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The profile \"%s\" requires an MFA code (mfa_serial), "
		    "which cognito-mfa cannot prompt for",
		    profile);
		return CMFA_ERR_VALIDATION;
	}
	return CMFA_OK;
}

/* duration_seconds as botocore sends it: only when int() accepts it. */
static const char *
duration_of(struct role_cfg *r)
{
	int64_t v;

	if (!r->have_dur ||
	    cmfa_parse_i64(r->duration, strlen(r->duration), INT32_MIN,
	        INT32_MAX, &v) != CMFA_OK)
		return NULL;
	return r->duration;
}

static enum cmfa_err
assume_role(struct cmfa_creds_ctx *c, const char *profile,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	struct cmfa_aws_credentials src;
	struct role_cfg *r;
	struct cmfa_sts_role sr;
	enum cmfa_err e;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return CMFA_ERR_NOMEM;
	memset(&src, 0, sizeof(src));
	if ((e = role_config(c, profile, r, err)) != CMFA_OK)
		goto out;
	if (r->have_cs) {
		e = from_source(c, profile, r->credential_source, &src, err);
	} else if ((e = check_source_profile(c, profile, r->source_profile,
	                err)) == CMFA_OK) {
		c->visited[c->nvisited++] = r->source_profile;
		e = from_profile(c, r->source_profile, &src, err);
	}
	if (e != CMFA_OK)
		goto out;
	memset(&sr, 0, sizeof(sr));
	sr.role_arn = r->arn;
	sr.session_name = r->have_name ? r->session_name : NULL;
	sr.external_id = r->have_ext ? r->external_id : NULL;
	sr.duration = duration_of(r);
	e = cmfa_sts_assume(c->a, &src, &sr, "assume-role", out, err);
out:
	cmfa_aws_credentials_release(&src);
	free(r);
	return e;
}

static enum cmfa_err
prov_assume_role(struct cmfa_creds_ctx *c, const char *profile,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	if (!has_role(c, profile))
		return CMFA_ERR_NOTFOUND;
	return assume_role(c, profile, out, err);
}

/* ---------------------------------------------------------------------- */
/* The chain                                                              */

static const struct {
	cmfa_creds_provider_fn fn;
	bool env; /* the environment's keys: skipped for --profile */
} chain[] = {
	{ cmfa_creds_env, true },
	{ prov_assume_role, false },
	{ prov_web_identity, false },
	{ prov_shared, false },
	{ cmfa_creds_process, false },
	{ prov_config, false },
	{ cmfa_creds_container, false },
	{ cmfa_creds_imds, false },
};

enum cmfa_err
cmfa_aws_creds_resolve(struct cmfa_aws *a, struct cmfa_aws_credentials *out,
    struct cmfa_aws_error *err)
{
	struct cmfa_creds_ctx c;
	struct cmfa_aws_credentials got;
	struct cmfa_aws_error scratch;
	const char *profile = a->profile[0] != '\0' ? a->profile : "default";
	enum cmfa_err e = CMFA_ERR_NOTFOUND;
	size_t i;

	if (err == NULL)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	memset(&c, 0, sizeof(c));
	memset(&got, 0, sizeof(got));
	c.a = a;
	c.env_disabled = a->s.profile != NULL && a->s.profile[0] != '\0';
	c.visited[c.nvisited++] = profile;
	if ((e = cmfa_aws_files_load(a, &c.files, err)) != CMFA_OK)
		return e;
	e = CMFA_ERR_NOTFOUND;
	for (i = 0; i < CMFA_ARRAY_LEN(chain) && e == CMFA_ERR_NOTFOUND; i++)
		if (!(chain[i].env && c.env_disabled))
			e = chain[i].fn(&c, profile, &got, err);
	cmfa_aws_files_free(&c.files);
	if (e == CMFA_ERR_NOTFOUND) {
		memset(err, 0, sizeof(*err));
		err->kind = CMFA_AWSERR_NOCREDS;
		snprintf(err->message, sizeof(err->message),
		    "Unable to locate credentials");
	} else if (e == CMFA_OK) {
		*out = got; /* handed over */
	} else if (err->kind == CMFA_AWSERR_NONE) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG, "%s",
		    cmfa_strerror(e));
	}
	cmfa_memzero(&got, sizeof(got));
	return e;
}
