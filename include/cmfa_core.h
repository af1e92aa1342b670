/*
 * cmfa_core.h: the Cognito MFA core.  No I/O, no clock.
 *
 *  - model:  parse, validate and serialize the Cognito shapes we cache and
 *            accept (GetUserPoolMfaConfig / SetUserPoolMfaConfig,
 *            AdminGetUser, Set/AdminSetUserMFAPreference), with Cognito's
 *            own exception names and messages;
 *  - policy: the pure decision function (DESIGN.md D5): who must answer
 *            which factor.  It allocates nothing.
 *
 * Ownership: a parsed struct owns a cJSON tree (doc); every const char *
 * inside points into that tree and lives until the matching _free().
 * _free(NULL) and _free() of a zeroed struct are no-ops.  Strings returned
 * by _serialize functions are malloc'd; the caller frees them with free().
 */
#ifndef CMFA_CORE_H
#define CMFA_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cmfa_util.h"

/* ---------------------------------------------------------------------- */
/* Enumerations                                                           */

/* MFA factors, numbered in Cognito's order for choice lists. */
enum cmfa_factor {
	CMFA_FACTOR_SMS = 0,   /* SMS_MFA */
	CMFA_FACTOR_TOTP = 1,  /* SOFTWARE_TOKEN_MFA */
	CMFA_FACTOR_EMAIL = 2, /* EMAIL_OTP */
	CMFA_FACTOR__COUNT
};
#define CMFA_FACTOR_NONE (-1)
#define CMFA_FBIT(f) (1u << (unsigned)(f))
#define CMFA_FACTORS_ALL                                                       \
	(CMFA_FBIT(CMFA_FACTOR_SMS) | CMFA_FBIT(CMFA_FACTOR_TOTP) |            \
	    CMFA_FBIT(CMFA_FACTOR_EMAIL))

/* "SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"; "?" when out of range. */
const char *cmfa_factor_name(enum cmfa_factor f);
/* Exact match of one of the three names. */
enum cmfa_err cmfa_factor_parse(const char *s, size_t len,
    enum cmfa_factor *out);

/* Pool MFA level, ordered by strength so max() is meaningful. */
enum cmfa_mfa_level {
	CMFA_MFA_OFF = 0,
	CMFA_MFA_OPTIONAL = 1,
	CMFA_MFA_ON = 2
};
/* "OFF", "OPTIONAL", "ON" */
const char *cmfa_mfa_level_name(enum cmfa_mfa_level l);
/* Exact, case-sensitive (as Cognito): "OFF" | "ON" | "OPTIONAL". */
enum cmfa_err cmfa_mfa_level_parse(const char *s, size_t len,
    enum cmfa_mfa_level *out);

/* ---------------------------------------------------------------------- */
/* Model                                                                  */

/* A refusal in Cognito's words, ready for the CLI's error line. */
struct cmfa_verr {
	char type[64];      /* e.g. "InvalidParameterException" */
	char message[1024]; /* Cognito's message text */
};

/* Limits on every JSON document we parse. */
#define CMFA_JSON_MAX_BYTES (256u * 1024u)
#define CMFA_JSON_MAX_DEPTH 16

/*
 * Parse JSON text (ptr, len; no NUL needed, an embedded NUL is refused)
 * with the project's limits: at most max bytes (<= CMFA_JSON_MAX_BYTES),
 * nesting at most CMFA_JSON_MAX_DEPTH, well-formed UTF-8, no "\u0000",
 * no duplicate key in any object, nothing but whitespace after the value,
 * and the top-level value an object.  *out (freed with cJSON_Delete) is
 * set only on success.  Errors: CMFA_ERR_TOOBIG, CMFA_ERR_PARSE,
 * CMFA_ERR_NOMEM.
 */
enum cmfa_err cmfa_json_parse(const char *p, size_t len, size_t max,
    cJSON **out);

/*
 * A user pool's MFA configuration: a GetUserPoolMfaConfig response, or a
 * SetUserPoolMfaConfig request (which replaces the whole configuration: a
 * block left out is a factor turned off).
 */
struct cmfa_pool_config {
	enum cmfa_mfa_level mfa;     /* MfaConfiguration; absent: OFF */
	bool sms;                    /* SmsMfaConfiguration present */
	const char *sms_message;     /* SmsAuthenticationMessage or NULL */
	const char *sns_caller_arn;  /* SmsConfiguration.SnsCallerArn */
	const char *sns_external_id; /* SmsConfiguration.ExternalId */
	const char *sns_region;      /* SmsConfiguration.SnsRegion */
	bool totp;                   /* SoftwareTokenMfaConfiguration.Enabled */
	bool email;                  /* EmailMfaConfiguration present */
	const char *email_message;   /* EmailMfaConfiguration.Message */
	const char *email_subject;   /* EmailMfaConfiguration.Subject */
	bool webauthn;               /* WebAuthnConfiguration present */
	const char *user_pool_id;    /* requests only; NULL in responses */
	cJSON *doc;                  /* owns the strings; unknown keys kept */
};

/*
 * The factors the pool offers, as CMFA_FBIT bits: SMS when SMS MFA is
 * configured, TOTP when enabled, EMAIL when EmailMfaConfiguration is set.
 */
unsigned cmfa_pool_factors(const struct cmfa_pool_config *cfg);

/*
 * Parse a cached GetUserPoolMfaConfig response.  Structural checks only
 * (types, enums, and the lengths and patterns a response can violate):
 * a cache that fails them is corrupt.  Unknown members are kept.
 * On failure *out is zeroed and verr says why.
 */
enum cmfa_err cmfa_pool_parse(const char *p, size_t len,
    struct cmfa_pool_config *out, struct cmfa_verr *verr);

/*
 * Parse and validate a SetUserPoolMfaConfig request exactly as Cognito
 * does: every length, pattern and enum of the service model
 * (InvalidParameterException "N validation error(s) detected: Value '...'
 * at 'mfaConfiguration' failed to satisfy constraint: ..."), then the
 * semantic rules (COGNITO.md 3.1): OFF with a factor block refused, ON or
 * OPTIONAL with no factor refused, {####} required in templates.  Returns
 * CMFA_ERR_VALIDATION with verr filled on refusal.
 */
enum cmfa_err cmfa_pool_request_parse(const char *p, size_t len,
    struct cmfa_pool_config *out, struct cmfa_verr *verr);

/*
 * The GetUserPoolMfaConfig response for cfg: the five response members in
 * the model's order, UserPoolId left out, unknown members kept.  Returns a
 * malloc'd NUL-terminated compact JSON string, or NULL on memory failure.
 */
char *cmfa_pool_serialize(const struct cmfa_pool_config *cfg);

void cmfa_pool_free(struct cmfa_pool_config *cfg);

/* UserStatusType; CMFA_USER_STATUS_NONE when absent. */
enum cmfa_user_status {
	CMFA_USER_STATUS_NONE = 0,
	CMFA_USER_STATUS_UNCONFIRMED,
	CMFA_USER_STATUS_CONFIRMED,
	CMFA_USER_STATUS_ARCHIVED,
	CMFA_USER_STATUS_COMPROMISED,
	CMFA_USER_STATUS_UNKNOWN,
	CMFA_USER_STATUS_RESET_REQUIRED,
	CMFA_USER_STATUS_FORCE_CHANGE_PASSWORD,
	CMFA_USER_STATUS_EXTERNAL_PROVIDER
};

/* An AdminGetUser response: one user's record. */
struct cmfa_user {
	const char *username; /* Username (required) */
	bool enabled;         /* Enabled; absent: true */
	enum cmfa_user_status status;
	unsigned mfa_list;        /* UserMFASettingList as CMFA_FBITs */
	bool has_mfa_list;        /* UserMFASettingList present */
	bool legacy_sms;          /* MFAOptions holds DeliveryMedium SMS */
	int preferred;            /* PreferredMfaSetting or FACTOR_NONE */
	const char *phone_number; /* attribute values, NULL if absent */
	const char *email;
	bool phone_verified; /* phone_number_verified == "true" */
	bool email_verified; /* email_verified == "true" */
	/* the sync's removed record (core/user.c): the user left the pool */
	bool removed;               /* CmfaRemovedFromPool present */
	int64_t removed_at;         /* its value: epoch seconds */
	const char *removed_reason; /* CmfaRemovedReason or NULL */
	cJSON *doc;
};

/* The removed record's members (see core/user.c for the format). */
#define CMFA_USER_REMOVED_MEMBER "CmfaRemovedFromPool"
#define CMFA_USER_REMOVED_REASON "CmfaRemovedReason"

/*
 * Parse a cached AdminGetUser response.  Username required (1..128,
 * printable UTF-8: the documented approximation of Cognito's Unicode
 * pattern); attribute names 1..32, values <= 2048; unknown members and
 * unknown factor names in UserMFASettingList kept (ignored by policy).
 */
enum cmfa_err cmfa_user_parse(const char *p, size_t len, struct cmfa_user *out,
    struct cmfa_verr *verr);

/* Value of attribute name, or NULL. */
const char *cmfa_user_attr(const struct cmfa_user *u, const char *name);

/*
 * The user's enabled factors as policy sees them: UserMFASettingList, or,
 * when that list is absent, SMS if legacy MFAOptions name SMS.
 */
unsigned cmfa_user_factors(const struct cmfa_user *u);

/*
 * A new user record for the local store (AdminCreateUser-like): Username,
 * Enabled true, UserStatus CONFIRMED, the given attributes (may be NULL),
 * no MFA settings.  attrs is a cJSON array of {"Name","Value"} objects and
 * is validated as AdminGetUser attributes are.
 */
enum cmfa_err cmfa_user_new(const char *username, const cJSON *attrs,
    struct cmfa_user *out, struct cmfa_verr *verr);

/* The AdminGetUser response for u (compact JSON, malloc'd), or NULL. */
char *cmfa_user_serialize(const struct cmfa_user *u);

void cmfa_user_free(struct cmfa_user *u);

/* One of SMSMfaSettings / SoftwareTokenMfaSettings / EmailMfaSettings. */
struct cmfa_mfa_setting {
	bool present;     /* the block was given */
	bool has_enabled; /* "Enabled" given */
	bool enabled;
	bool has_preferred; /* "PreferredMfa" given */
	bool preferred;
};

enum cmfa_mfa_pref_kind {
	CMFA_PREF_ADMIN, /* AdminSetUserMFAPreference: UserPoolId, Username */
	CMFA_PREF_SELF   /* SetUserMFAPreference: AccessToken */
};

/* A Set/AdminSetUserMFAPreference request. */
struct cmfa_mfa_pref {
	enum cmfa_mfa_pref_kind kind;
	struct cmfa_mfa_setting setting[CMFA_FACTOR__COUNT];
	bool webauthn_present;
	bool webauthn_enabled;
	const char *user_pool_id; /* ADMIN */
	const char *username;     /* ADMIN */
	const char *access_token; /* SELF (sensitive: never logged) */
	cJSON *doc;
};

/*
 * Parse and validate the request's shape (required members, types,
 * lengths, patterns) with Cognito's messages.  Semantic checks that need
 * the user and pool are in cmfa_mfa_pref_apply().
 */
enum cmfa_err cmfa_mfa_pref_parse(const char *p, size_t len,
    enum cmfa_mfa_pref_kind kind, struct cmfa_mfa_pref *out,
    struct cmfa_verr *verr);

/*
 * Apply a preference request to user u as Cognito does (COGNITO.md 3.2):
 * a preferred factor must be enabled, only one can be preferred, TOTP can
 * be enabled only when totp_verified (a verified authenticator exists),
 * SMS needs phone_number, email needs email; a factor must be offered by
 * the pool to be enabled.  On success u's mfa_list, has_mfa_list,
 * preferred and doc (UserMFASettingList, PreferredMfaSetting) are
 * updated; on refusal u is unchanged and verr holds Cognito's error.
 */
enum cmfa_err cmfa_mfa_pref_apply(const struct cmfa_mfa_pref *req,
    const struct cmfa_pool_config *pool, bool totp_verified,
    struct cmfa_user *u, struct cmfa_verr *verr);

void cmfa_mfa_pref_free(struct cmfa_mfa_pref *req);

/* ---------------------------------------------------------------------- */
/* Policy (DESIGN.md D5, COGNITO.md section 3, DESIGN.md 3b)              */

/* The account-recovery setting's primary (priority 1) mechanism. */
enum cmfa_recovery {
	CMFA_RECOVERY_UNKNOWN = 0, /* not synced: no exclusion */
	CMFA_RECOVERY_ADMIN_ONLY,  /* no self-service recovery */
	CMFA_RECOVERY_EMAIL,       /* verified_email first */
	CMFA_RECOVERY_PHONE        /* verified_phone_number first */
};

/*
 * From a cached DescribeUserPool response (user-pool.json): the Priority 1
 * mechanism of UserPool.AccountRecoverySetting.RecoveryMechanisms
 * (verified_email / verified_phone_number / admin_only).  No
 * AccountRecoverySetting: CMFA_RECOVERY_UNKNOWN.  Unknown members kept
 * and ignored; a malformed document is CMFA_ERR_PARSE / VALIDATION.
 */
enum cmfa_err cmfa_user_pool_recovery_parse(const char *p, size_t len,
    enum cmfa_recovery *out, struct cmfa_verr *verr);

enum cmfa_user_state {
	CMFA_USER_PRESENT = 0, /* a record, Enabled true */
	CMFA_USER_NO_RECORD,   /* no users/<name>.json in the store */
	CMFA_USER_DISABLED,    /* record says Enabled: false */
	CMFA_USER_REMOVED      /* the sync saw the user leave the pool */
};

/* Everything the decision depends on.  Plain values; no pointers. */
struct cmfa_policy_in {
	/* the pool (cached config) */
	enum cmfa_mfa_level pool_mfa;
	unsigned pool_factors; /* cmfa_pool_factors() */
	enum cmfa_recovery recovery;

	/* the user (cached record) */
	enum cmfa_user_state user_state;
	unsigned user_factors; /* UserMFASettingList bits */
	bool has_mfa_list;     /* UserMFASettingList present */
	bool legacy_sms;       /* MFAOptions names SMS */
	int preferred;         /* enum cmfa_factor or FACTOR_NONE */
	bool has_phone, phone_verified;
	bool has_email, email_verified;

	/* this host */
	bool totp_secret;          /* an active TOTP secret for the user */
	bool sms_channel;          /* SMS delivery configured */
	bool email_channel;        /* email delivery configured */
	bool allow_unverified;     /* deliver to unverified destinations */
	enum cmfa_mfa_level floor; /* mfa_floor (D11) */

	/* module options and their inputs */
	bool require_mfa;         /* this service demands MFA */
	bool exempt;              /* member of exempt_group */
	bool in_scope;            /* member of only_group, or no only_group */
	bool unknown_user_ignore; /* unknown_user=ignore */
	bool stale;               /* cache older than max_age */
	bool fail_open;           /* fail_mode=open (staleness only) */
};

/*
 * Outcomes, one per row of DESIGN.md D6's table (the PAM code each maps
 * to is in the pam/ unit; anything unmapped denies).
 */
enum cmfa_outcome {
	CMFA_OUT_DENY = 0,     /* never returned by the policy: the zero value
				   of a result that was not filled denies */
	CMFA_OUT_NO_MFA,       /* PAM_IGNORE: this user needs no MFA */
	CMFA_OUT_CHALLENGE,    /* ask for out.factor */
	CMFA_OUT_CHOOSE,       /* let the user pick one of out.choices */
	CMFA_OUT_SETUP,        /* PAM_PERM_DENIED with an enrolment message */
	CMFA_OUT_USER_DENIED,  /* PAM_PERM_DENIED: disabled or removed */
	CMFA_OUT_UNKNOWN_USER, /* PAM_USER_UNKNOWN */
	CMFA_OUT_UNAVAILABLE   /* PAM_AUTHINFO_UNAVAIL: stale, fail closed */
};

/* Why: one per decision path, for the log line and the user's message. */
enum cmfa_reason {
	CMFA_WHY_NONE = 0,
	CMFA_WHY_EXEMPT,       /* exempt_group member (logged at notice) */
	CMFA_WHY_OUT_OF_SCOPE, /* not in only_group */
	CMFA_WHY_STALE_OPEN,   /* stale cache, fail_mode=open (warning) */
	CMFA_WHY_STALE,        /* stale cache, fail_mode=closed */
	CMFA_WHY_USER_DISABLED,
	CMFA_WHY_USER_REMOVED,
	CMFA_WHY_POOL_OFF,           /* effective level OFF */
	CMFA_WHY_NO_RECORD_IGNORED,  /* unknown_user=ignore */
	CMFA_WHY_NO_RECORD,          /* unknown_user=deny */
	CMFA_WHY_PREFERRED,          /* the preferred factor */
	CMFA_WHY_ONLY_ENABLED,       /* the one enabled, usable factor */
	CMFA_WHY_SEVERAL_ENABLED,    /* several enabled, none preferred */
	CMFA_WHY_TOTP_REGISTERED,    /* OPTIONAL, authenticator, no settings */
	CMFA_WHY_OPTIONAL_NO_FACTOR, /* OPTIONAL and nothing enabled */
	CMFA_WHY_REQUIRED_AUTO,      /* ON: picked from attributes (3.3 4-7) */
	CMFA_WHY_ENABLED_NOT_SERVABLE, /* enabled factors this host can't serve */
	CMFA_WHY_RECOVERY_CONFLICT, /* only channel is the recovery channel */
	CMFA_WHY_NEEDS_SETUP        /* required and nothing to challenge */
};

struct cmfa_policy_out {
	enum cmfa_outcome outcome;
	enum cmfa_reason reason;
	int factor;          /* CHALLENGE: the factor; else FACTOR_NONE */
	unsigned choices;    /* CHOOSE: >= 2 factor bits, in Cognito order */
	unsigned setup;      /* SETUP: factors the user could enrol */
	unsigned unservable; /* enabled factors this host can't serve */
};

/*
 * The decision.  Pure: no I/O, no clock, no allocation, total (every
 * input yields an outcome other than CMFA_OUT_DENY).  The algorithm, in
 * order (first match wins):
 *
 *  1. exempt                       -> NO_MFA (EXEMPT)
 *  2. !in_scope                    -> NO_MFA (OUT_OF_SCOPE)
 *  3. stale: fail_open             -> NO_MFA (STALE_OPEN)
 *            else                  -> UNAVAILABLE (STALE)
 *  4. user DISABLED / REMOVED      -> USER_DENIED
 *  5. level = max(pool_mfa, floor); if require_mfa, level >= OPTIONAL.
 *     level OFF                    -> NO_MFA (POOL_OFF)
 *  6. NO_RECORD: ignore            -> NO_MFA (NO_RECORD_IGNORED)
 *                else              -> UNKNOWN_USER (NO_RECORD)
 *  7. Offered factors: pool_factors; when pool_mfa is OFF (the level was
 *     raised by the floor or require_mfa) the pool offers nothing, so
 *     every factor counts as offered and the host decides.
 *     Servable on this host: TOTP if totp_secret; SMS if sms_channel and
 *     has_phone and (phone_verified or allow_unverified); EMAIL likewise.
 *     Enabled: user_factors, or SMS if !has_mfa_list and legacy_sms.
 *  8. preferred P in enabled:
 *       P == TOTP and totp_secret  -> CHALLENGE TOTP (PREFERRED), even if
 *                                     the pool disabled TOTP (3.4 / 3b)
 *       P offered and servable     -> CHALLENGE P (PREFERRED)
 *     otherwise the preference is ignored.
 *  9. usable = enabled & offered & servable:
 *       one                        -> CHALLENGE it (ONLY_ENABLED)
 *       several                    -> CHOOSE usable (SEVERAL_ENABLED)
 * 10. level OPTIONAL (not ON):
 *       totp_secret and TOTP offered -> CHALLENGE TOTP (TOTP_REGISTERED, 3b)
 *       enabled != 0               -> SETUP (ENABLED_NOT_SERVABLE), with
 *                                     unservable = enabled; never a silent
 *                                     pass for a user who turned MFA on
 *       require_mfa                -> SETUP (NEEDS_SETUP)
 *       else                       -> NO_MFA (OPTIONAL_NO_FACTOR)
 * 11. level ON (COGNITO.md 3.3 steps 4-8, attributes, recovery):
 *       R = the recovery channel to exclude (EMAIL or SMS per recovery;
 *       none when UNKNOWN or ADMIN_ONLY).
 *       Candidates: SMS if offered and has_phone and SMS != R; EMAIL if
 *       offered and has_email and EMAIL != R.
 *       a. totp_secret and TOTP offered: cands servable -> CHOOSE {TOTP} |
 *          servable cands, or CHALLENGE TOTP when none (REQUIRED_AUTO).
 *       b. servable candidates: one -> CHALLENGE, two -> CHOOSE
 *          (REQUIRED_AUTO).
 *       c. candidates exist but none servable -> SETUP
 *          (ENABLED_NOT_SERVABLE, unservable = candidates).
 *       d. the user has exactly one of phone / email and it is the
 *          recovery channel R -> SETUP (RECOVERY_CONFLICT).
 *       e. otherwise -> SETUP (NEEDS_SETUP).
 *     In every SETUP, setup = offered factors the user could enrol here:
 *     TOTP if offered; SMS if offered, sms_channel and SMS != R; EMAIL if
 *     offered, email_channel and EMAIL != R.
 *
 * out is fully written on every call.
 */
void cmfa_policy_decide(const struct cmfa_policy_in *in,
    struct cmfa_policy_out *out);

/* Short stable names for logs: "no-mfa", "challenge", ...; "preferred". */
const char *cmfa_outcome_name(enum cmfa_outcome o);
const char *cmfa_reason_name(enum cmfa_reason r);

#endif /* CMFA_CORE_H */
