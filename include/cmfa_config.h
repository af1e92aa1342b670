/*
 * cmfa_config.h: the host configuration, /etc/cognito-mfa/cognito-mfa.conf
 * (DESIGN.md D6, D9, D11).
 *
 * Syntax (strict; anything else is an error, never a warning):
 *  - lines of "key = value"; spaces and tabs around key and value are
 *    trimmed; the value is everything after the first '=' (no quoting,
 *    no escapes, no inline comments: "window = 1 # x" is refused by the
 *    window validator, and would be part of a path);
 *  - blank lines, and comment lines whose first non-blank is '#';
 *  - a key given twice, an unknown key, a line without '=' or with an
 *    empty key, an empty value: errors;
 *  - at most CMFA_CONFIG_MAX bytes, lines at most CMFA_CONFIG_LINE_MAX
 *    bytes (without the newline); the last line may lack its newline;
 *  - no NUL and no carriage return anywhere (CRLF files are refused with
 *    a message saying so: a stray '\r' would otherwise end up inside a
 *    value), no control character in a value.
 *
 * Keys are case-sensitive, as are their values (off, not OFF).
 * Error messages go to err (may be NULL; always NUL-terminated when
 * errsz > 0) as "line N: key: reason", quoting at most a sanitized
 * 64-character excerpt of the input.
 *
 * Every call leaves its output untouched on failure.  Nothing here
 * allocates memory that outlives the call.
 */
#ifndef CMFA_CONFIG_H
#define CMFA_CONFIG_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmfa_core.h"
#include "cmfa_util.h"

#ifdef CMFA_SYSCONFDIR
#define CMFA_CONFIG_DEFAULT_PATH CMFA_SYSCONFDIR "/cognito-mfa/cognito-mfa.conf"
#else
#define CMFA_CONFIG_DEFAULT_PATH "/etc/cognito-mfa/cognito-mfa.conf"
#endif

#define CMFA_CONFIG_MAX (64u * 1024u)     /* bytes of the file */
#define CMFA_CONFIG_LINE_MAX 1024         /* bytes of a line */
#define CMFA_CONFIG_PATH_MAX 4095         /* bytes of a path value */
#define CMFA_CONFIG_GROUP_MAX 32          /* bytes of a group name */
#define CMFA_CONFIG_MAX_AGE_MAX 31536000u /* one year */
#define CMFA_CONFIG_GRACE_MAX 3600u
#define CMFA_CONFIG_WINDOW_MAX 10u
#define CMFA_CONFIG_NAME_MAX 64    /* region, profile, attribute */
#define CMFA_CONFIG_POOL_ID_MAX 55 /* the model's UserPoolIdType */
#define CMFA_CONFIG_LIST_MAX 512   /* allow_system_users */
#define CMFA_CONFIG_RPS_DEFAULT 20u
#define CMFA_CONFIG_RPS_MAX 100u
#define CMFA_CONFIG_URL_MAX 1024        /* endpoint and SMTP URLs */
#define CMFA_CONFIG_ADDRESS_MAX 254     /* email_from */
#define CMFA_CONFIG_VALIDITY_DEFAULT 3u /* minutes (Cognito: 3..15) */
#define CMFA_CONFIG_VALIDITY_MIN 3u
#define CMFA_CONFIG_VALIDITY_MAX 15u
#define CMFA_CONFIG_DELIVERY_TIMEOUT_DEFAULT 20u /* seconds */
#define CMFA_CONFIG_DELIVERY_TIMEOUT_MAX 120u
#define CMFA_CONFIG_DELIVERY_LIMIT_DEFAULT 5u /* codes per hour */
#define CMFA_CONFIG_DELIVERY_LIMIT_MAX 100u

enum cmfa_fail_mode {
	CMFA_FAIL_CLOSED = 0, /* a stale cache denies */
	/* a stale cache lets the login through (PAM_IGNORE, logged); it
	 * never covers a missing, corrupt or untrusted cache */
	CMFA_FAIL_OPEN
};

/* How this host sends SMS codes (DESIGN.md D4). */
enum cmfa_sms_channel {
	CMFA_SMS_NONE = 0, /* no SMS from this host: SMS_MFA unavailable */
	CMFA_SMS_SNS,      /* Amazon SNS Publish, as Cognito does */
	CMFA_SMS_COMMAND   /* deliver_command */
};

/* How this host sends email codes. */
enum cmfa_email_channel {
	CMFA_EMAIL_NONE = 0, /* EMAIL_OTP unavailable on this host */
	CMFA_EMAIL_SMTP,     /* smtp_url, with libcurl */
	CMFA_EMAIL_SES,      /* Amazon SES v2 SendEmail */
	CMFA_EMAIL_COMMAND   /* deliver_command */
};

enum cmfa_unknown_user {
	CMFA_UNKNOWN_DENY = 0, /* no record: PAM_USER_UNKNOWN */
	CMFA_UNKNOWN_IGNORE    /* no record: PAM_IGNORE */
};

/*
 * The settings, fixed-size (no allocation).  An empty group name means
 * "none".  Defaults are in the comments.
 */
struct cmfa_config {
	char store[CMFA_CONFIG_PATH_MAX + 1]; /* /var/lib/cognito-mfa */
	enum cmfa_mfa_level mfa_floor;        /* off (D11) */
	uint32_t max_age;                     /* 0: off; seconds */
	enum cmfa_fail_mode fail_mode;        /* closed */
	enum cmfa_unknown_user unknown_user;  /* deny */
	uint32_t window;                      /* 1 TOTP step either side */
	char exempt_group[CMFA_CONFIG_GROUP_MAX + 1]; /* none */
	char only_group[CMFA_CONFIG_GROUP_MAX + 1];   /* none */
	uint32_t grace;                               /* 0: off; seconds */
	bool allow_unverified_destinations;           /* no */

	/* the Cognito API (cognito-mfa; D9: region or user_pool_id makes
	 * the API the target) */
	char region[CMFA_CONFIG_NAME_MAX + 1];          /* none */
	char user_pool_id[CMFA_CONFIG_POOL_ID_MAX + 1]; /* none */
	bool share_cognito_totp;                        /* no (D3) */
	char aws_profile[CMFA_CONFIG_NAME_MAX + 1];     /* none */
	char aws_shared_credentials_file[CMFA_CONFIG_PATH_MAX + 1]; /* none */
	char aws_config_file[CMFA_CONFIG_PATH_MAX + 1];             /* none */
	char ca_bundle[CMFA_CONFIG_PATH_MAX + 1];                   /* none */
	bool ec2_metadata_disabled;                                 /* no */

	/* the sync (D12) */
	char sync_user[CMFA_CONFIG_GROUP_MAX + 1];         /* none: root */
	uint32_t sync_max_rps;                             /* 20 */
	char map_attribute[CMFA_CONFIG_NAME_MAX + 1];      /* none: Username */
	bool map_attribute_admin_only;                     /* no */
	char allow_system_users[CMFA_CONFIG_LIST_MAX + 1]; /* none */

	/* delivered codes (D4): the module reads code_validity,
	 * delivery_timeout and the two channels (what this host can
	 * serve); cognito-mfa deliver reads the rest */
	uint32_t code_validity;            /* 3 minutes (3..15) */
	uint32_t delivery_timeout;         /* 20 seconds (1..120) */
	uint32_t delivery_limit;           /* 5 codes per user / destination
					      per hour (1..100) */
	enum cmfa_sms_channel sms_channel; /* none */
	bool sms_assume_role;              /* yes: SnsCallerArn, as Cognito */
	char sts_endpoint_url[CMFA_CONFIG_URL_MAX + 1]; /* none: regional */
	char sns_endpoint_url[CMFA_CONFIG_URL_MAX + 1]; /* none: regional */
	enum cmfa_email_channel email_channel;          /* none */
	char email_from[CMFA_CONFIG_ADDRESS_MAX + 1];   /* none */
	char smtp_url[CMFA_CONFIG_URL_MAX + 1];         /* none */
	bool smtp_starttls;                             /* yes */
	char smtp_credentials_file[CMFA_CONFIG_PATH_MAX + 1]; /* none */
	char ses_endpoint_url[CMFA_CONFIG_URL_MAX + 1];       /* none */
	char deliver_command[CMFA_CONFIG_PATH_MAX + 1];       /* none */
};

void cmfa_config_defaults(struct cmfa_config *cfg);

/* The name of key i (0, 1, ...), NULL past the last: for documentation
 * checks. */
const char *cmfa_config_key(size_t i);

/*
 * Set one key from key[0..klen) and val[0..vlen) (neither needs a NUL;
 * no trimming here).  The PAM module uses it for its key=value
 * arguments.  Unknown key or invalid value: CMFA_ERR_PARSE with err
 * "key: reason"; cfg unchanged.
 */
enum cmfa_err cmfa_config_set(struct cmfa_config *cfg, const char *key,
    size_t klen, const char *val, size_t vlen, char *err, size_t errsz);

/*
 * Parse a whole file's text: defaults, then every line.  CMFA_ERR_TOOBIG
 * (file or line too long) or CMFA_ERR_PARSE, err "line N: ...";
 * *out set only on success.
 */
enum cmfa_err cmfa_config_parse(const char *p, size_t len,
    struct cmfa_config *out, char *err, size_t errsz);

/*
 * Read path (absolute) with cmfa_file_read_path(): owned by owner, no
 * group/other write on it or any directory above it, no symlink, at most
 * CMFA_CONFIG_MAX bytes; then cmfa_config_parse().  A missing file is
 * CMFA_ERR_NOTFOUND (the caller decides whether defaults will do).
 */
enum cmfa_err cmfa_config_load(const char *path, uid_t owner,
    struct cmfa_config *out, char *err, size_t errsz);

#define CMFA_MODARGS_PROMPT_MAX 128
#define CMFA_MODARGS_TRIES_DEFAULT 3
#define CMFA_MODARGS_TRIES_MAX 10

/*
 * The PAM module's arguments: the config file's keys, then module-only
 * ones.  Here (not in pam/) so that `cognito-mfa explain --service S`
 * reads a pam.d line exactly as the module does.
 */
struct cmfa_modargs {
	struct cmfa_config cfg;
	char config_path[CMFA_CONFIG_PATH_MAX + 1];
	bool require_mfa;
	bool debug;
	unsigned tries;                           /* codes per prompt */
	char prompt[CMFA_MODARGS_PROMPT_MAX + 1]; /* "" = the default */
	/* cognito-mfa, run for delivered codes: absolute path; default
	 * CMFA_HELPER_DEFAULT_PATH */
	char helper[CMFA_CONFIG_PATH_MAX + 1];
	bool resend; /* an empty answer sends a new code (at most
			CMFA_MODARGS_RESENDS_MAX times) */
};

#ifdef CMFA_BINDIR
#define CMFA_HELPER_DEFAULT_PATH CMFA_BINDIR "/cognito-mfa"
#else
#define CMFA_HELPER_DEFAULT_PATH "/usr/bin/cognito-mfa"
#endif
#define CMFA_MODARGS_RESENDS_MAX 2

/*
 * Parse the module arguments.  config=FILE is applied first (a missing
 * file is fine only when config= was not given: the defaults apply); then
 * every other argument in order: require_mfa, debug, tries=N, prompt=TEXT,
 * helper=PATH, resend, or any config-file key as key=value (which overrides the file).  An
 * unknown or malformed argument: CMFA_ERR_PARSE with err set.  owner is
 * the uid the config file must belong to.
 */
enum cmfa_err cmfa_modargs_parse(int argc, const char **argv, uid_t owner,
    struct cmfa_modargs *out, char *err, size_t errsz);

#endif /* CMFA_CONFIG_H */
