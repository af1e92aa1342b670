/*
 * creds_int.h: what the credential and region files of aws/ share
 * (ini.c, shlex.c, profile.c, region.c, imds.c, creds.c, process.c,
 * container.c, sts.c, query.c, xml.c).  Nobody else includes it.
 *
 * Ownership: struct cmfa_aws_files holds copies of the shared files
 * (which may hold secret keys): cmfa_aws_files_free() wipes them.  Every
 * other function writes into buffers the caller owns.
 */
#ifndef CMFA_CREDS_INT_H
#define CMFA_CREDS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws_int.h"

#define CMFA_AWS_SHARED_MAX (1024u * 1024u)   /* a shared file's cap */
#define CMFA_AWS_VALUE_MAX 4096               /* one profile value */
#define CMFA_AWS_TOKEN_FILE_MAX (64u * 1024u) /* web identity, ECS token */

/* ---------------------------------------------------------------------- */
/* ini.c: botocore's configloader over Python's RawConfigParser           */

/* How a section header names what is asked for. */
enum cmfa_ini_match {
	CMFA_INI_SECTION, /* the header text itself (credentials file) */
	CMFA_INI_PROFILE  /* config file: "profile NAME" as shlex splits it,
			     or "default" for the profile default */
};

/*
 * The whole file as RawConfigParser (strict) reads it: CMFA_OK, or
 * CMFA_ERR_PARSE (a line that is neither a section, an option, a comment
 * nor a continuation; text before the first section; a duplicate section
 * or option; a nested block line without '='; invalid UTF-8 or a NUL),
 * CMFA_ERR_NOMEM.
 */
enum cmfa_err cmfa_ini_check(const char *text, size_t len);

/*
 * The value of key (compared ASCII-case-insensitively: configparser
 * lowercases option names) in the section `name` selects, on a text that
 * passed cmfa_ini_check().  For CMFA_INI_PROFILE the LAST matching
 * section wins whole, as botocore's profile map does.  A key of
 * "[DEFAULT]" is inherited by every existing section.  A nested block
 * ("s3 =" then indented lines) is CMFA_ERR_NOTFOUND.  CMFA_ERR_TOOBIG when
 * the value does not fit outsz (NUL included); out is written only on
 * success.
 */
enum cmfa_err cmfa_ini_lookup(const char *text, size_t len,
    enum cmfa_ini_match m, const char *name, const char *key, char *out,
    size_t outsz);

/* Whether a section `name` selects exists (text already checked). */
bool cmfa_ini_has(const char *text, size_t len, enum cmfa_ini_match m,
    const char *name);

/* ---------------------------------------------------------------------- */
/* shlex.c: Python's shlex.split() (POSIX mode, no comments)              */

/*
 * Split s[0..len) into words: the words are written NUL-terminated one
 * after the other into buf (bufsz >= 2 * len + 1 always suffices), their
 * starts into argv[0..*argc).  CMFA_ERR_PARSE: an unclosed quote or a
 * trailing backslash; CMFA_ERR_TOOBIG: more than maxargs words or buf too
 * small.  Outputs are meaningful only on success.
 */
enum cmfa_err cmfa_shlex_split(const char *s, size_t len, char *buf,
    size_t bufsz, char **argv, size_t maxargs, size_t *argc);

/* ---------------------------------------------------------------------- */
/* profile.c: the shared files as botocore merges them                    */

struct cmfa_aws_files {
	struct cmfa_buf cred; /* the credentials file; empty when absent */
	struct cmfa_buf conf; /* the config file; empty when absent */
	bool have_cred, have_conf;
};

/*
 * Read and check a->shared_credentials_file and a->config_file (settled
 * by cmfa_aws_region_resolve()).  A missing file is no error; a file that
 * cannot be read or parsed is CMFA_AWSERR_CONFIG "Unable to parse config
 * file: PATH".  On failure f is left empty.
 */
enum cmfa_err cmfa_aws_files_load(const struct cmfa_aws *a,
    struct cmfa_aws_files *f, struct cmfa_aws_error *err);
void cmfa_aws_files_free(struct cmfa_aws_files *f);

/* The profile's value merged as botocore's full_config does: the
 * credentials file's [NAME] wins over the config file's profile. */
enum cmfa_err cmfa_aws_profile_get(const struct cmfa_aws_files *f,
    const char *profile, const char *key, char *out, size_t outsz);
/* Only the credentials file's [NAME] / only the config file's profile. */
enum cmfa_err cmfa_aws_cred_file_get(const struct cmfa_aws_files *f,
    const char *profile, const char *key, char *out, size_t outsz);
enum cmfa_err cmfa_aws_conf_file_get(const struct cmfa_aws_files *f,
    const char *profile, const char *key, char *out, size_t outsz);
/* Whether either file defines the profile. */
bool cmfa_aws_profile_exists(const struct cmfa_aws_files *f,
    const char *profile);

/* Read a regular file of at most max bytes (symlinks followed, as
 * botocore's open() does); CMFA_ERR_NOTFOUND when it is missing or not a
 * regular file, CMFA_ERR_TOOBIG, CMFA_ERR_IO. */
enum cmfa_err cmfa_aws_read_file(const char *path, size_t max,
    struct cmfa_buf *out);

/* Expand a leading "~" or "~/" to the home directory (HOME, else the
 * password entry of the effective uid).  CMFA_ERR_TOOBIG, CMFA_ERR_NOTFOUND
 * (no home). */
enum cmfa_err cmfa_aws_expand_home(const struct cmfa_aws_settings *s,
    const char *path, char *out, size_t outsz);

/* err = {kind, message}: the message is formatted, then sanitized; never
 * pass a secret. */
void cmfa_creds_fail(struct cmfa_aws_error *err, enum cmfa_aws_errkind kind,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* An environment flag as botocore's ensure_boolean reads it: "true" in any
 * case is true, anything else false. */
bool cmfa_aws_env_true(const struct cmfa_aws_settings *s, const char *name);

/* ---------------------------------------------------------------------- */
/* Time and credential checks (creds.c)                                   */

/* ISO 8601 "YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+HH:MM|-HH:MM|+HHMM]" (no zone:
 * UTC) to epoch seconds.  CMFA_ERR_PARSE. */
enum cmfa_err cmfa_creds_parse_time(const char *s, size_t len, int64_t *out);

/*
 * Fill out from the three strings (token may be NULL or empty: none),
 * checked: key id and secret 1..CMFA_AWS_KEY_MAX printable ASCII, token
 * up to CMFA_SIGV4_MAX_TOKEN printable ASCII.  CMFA_ERR_VALIDATION,
 * CMFA_ERR_NOMEM; out is written only on success.
 */
enum cmfa_err cmfa_creds_set(struct cmfa_aws_credentials *out,
    const char *key_id, const char *secret, const char *token,
    int64_t expiration, const char *source);

/* A JSON object (cmfa_json_parse() rules); freed with
 * cmfa_creds_json_free(), which wipes every string first (they hold
 * keys). */
struct cJSON;
enum cmfa_err cmfa_creds_json_parse(const struct cmfa_buf *b,
    struct cJSON **out);
void cmfa_creds_json_free(struct cJSON *doc);
/* The string member name of obj, or NULL (absent, or not a string). */
const char *cmfa_creds_json_str(const struct cJSON *obj, const char *name);

/* ---------------------------------------------------------------------- */
/* imds.c: the EC2 instance metadata service                              */

struct cmfa_imds {
	char base[512];  /* "http://169.254.169.254", no trailing '/' */
	long timeout_ms; /* per request */
	unsigned attempts;
	bool v1_disabled;
	bool token_tried;
	char token[256]; /* "" when none */
};

/*
 * Set m up from the environment and the profile (botocore's IMDSFetcher
 * settings).  CMFA_ERR_NOTFOUND when the IMDS is disabled
 * (s.imds_disabled, AWS_EC2_METADATA_DISABLED=true); a bad setting is
 * CMFA_AWSERR_CONFIG.
 */
enum cmfa_err cmfa_imds_init(const struct cmfa_aws *a,
    const struct cmfa_aws_files *f, const char *profile, struct cmfa_imds *m,
    struct cmfa_aws_error *err);

/*
 * GET base + path (path starts with '/') with the IMDSv2 token (fetched
 * once; IMDSv1 when the service refuses tokens unless v1_disabled),
 * retried as botocore does (non-200, empty; with want_json, a body that
 * is not a JSON object) up to m->attempts.  CMFA_ERR_NOTFOUND when no
 * usable answer came; *out (max bytes) on success.
 */
enum cmfa_err cmfa_imds_get(struct cmfa_aws *a, struct cmfa_imds *m,
    const char *path, bool want_json, size_t max, struct cmfa_buf *out);

/* Wipe the token. */
void cmfa_imds_release(struct cmfa_imds *m);

/* ---------------------------------------------------------------------- */
/* The providers shared by the chain and by credential_source             */

struct cmfa_creds_ctx {
	struct cmfa_aws *a;
	struct cmfa_aws_files files;
	bool env_disabled;       /* --profile given: no env credentials */
	const char *visited[16]; /* profiles visited by source_profile */
	size_t nvisited;
};

/* Each returns CMFA_OK with *out filled, CMFA_ERR_NOTFOUND when it has
 * nothing (the chain goes on), anything else with err filled (the chain
 * stops). */
typedef enum cmfa_err (*cmfa_creds_provider_fn)(struct cmfa_creds_ctx *c,
    const char *profile, struct cmfa_aws_credentials *out,
    struct cmfa_aws_error *err);

enum cmfa_err cmfa_creds_env(struct cmfa_creds_ctx *c, const char *profile,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err);
enum cmfa_err cmfa_creds_process(struct cmfa_creds_ctx *c, const char *profile,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err);
enum cmfa_err cmfa_creds_container(struct cmfa_creds_ctx *c,
    const char *profile, struct cmfa_aws_credentials *out,
    struct cmfa_aws_error *err);
enum cmfa_err cmfa_creds_imds(struct cmfa_creds_ctx *c, const char *profile,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err);

/* ---------------------------------------------------------------------- */
/* sts.c: AssumeRole and AssumeRoleWithWebIdentity                        */

struct cmfa_sts_role {
	const char *role_arn;
	const char *session_name;       /* NULL: botocore-session-<epoch> */
	const char *external_id;        /* NULL: none */
	const char *duration;           /* NULL: none; sent as given */
	const char *web_identity_token; /* AssumeRoleWithWebIdentity only */
	const char *region;   /* NULL: a->region (us-east-1 when none) */
	const char *endpoint; /* NULL: cmfa_sts_endpoint() */
};

/*
 * AssumeRole signed with src (src != NULL), or AssumeRoleWithWebIdentity
 * unsigned (src == NULL), at the STS endpoint for a->region (or r's
 * endpoint, signed for r's region: the SNS region's STS, sns.c).  An STS
 * error is CMFA_AWSERR_CONFIG "An error occurred (Code) when calling the
 * AssumeRole operation: Message" (type and status filled too); transport
 * failures CMFA_AWSERR_TRANSPORT.
 */
enum cmfa_err cmfa_sts_assume(struct cmfa_aws *a,
    const struct cmfa_aws_credentials *src, const struct cmfa_sts_role *r,
    const char *source, struct cmfa_aws_credentials *out,
    struct cmfa_aws_error *err);

/* The STS endpoint: settings, AWS_ENDPOINT_URL_STS, then
 * https://sts.<region>.amazonaws.com. */
enum cmfa_err cmfa_sts_endpoint(const struct cmfa_aws *a, char *out,
    size_t outsz);

#endif /* CMFA_CREDS_INT_H */
