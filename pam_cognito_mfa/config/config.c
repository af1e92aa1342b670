/*
 * config.c: the configuration file and the module's key=value options.
 *
 * Keys are rows of one table: a name, a kind (which validator) and where
 * the value goes.  A new key is a new row (and, for a new kind, a new
 * validator); the line parser never changes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cmfa_config.h"
#include "cmfa_store.h"

#define EXCERPT_MAX 64 /* characters of input quoted in a message */

enum kind {
	K_PATH,   /* absolute path: char[CMFA_CONFIG_PATH_MAX + 1] */
	K_CHOICE, /* one of names: an enum (int-sized) field */
	K_UINT,   /* 0..max: uint32_t */
	K_GROUP,  /* group name or none: char[CMFA_CONFIG_GROUP_MAX + 1] */
	K_BOOL,   /* yes | no: bool */
	K_NAME    /* a string checked by def->check: char[def->max + 1] */
};

struct choice {
	const char *name;
	int value;
};

struct key_def {
	const char *name;
	enum kind kind;
	size_t off;                   /* offsetof(struct cmfa_config, x) */
	uint32_t max;                 /* K_UINT */
	const struct choice *choices; /* K_CHOICE, NULL-name terminated */
	bool (*check)(const char *p, size_t len); /* K_NAME */
	const char *what;                         /* K_NAME: "a region" */
	uint32_t min;                             /* K_UINT */
	bool file_only; /* cognito-mfa's: never a module argument */
};

/* K_CHOICE writes an int into an enum field: they must be the same size. */
_Static_assert(sizeof(enum cmfa_mfa_level) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cmfa_fail_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cmfa_unknown_user) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cmfa_sms_channel) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cmfa_email_channel) == sizeof(int), "enum size");

static const struct choice mfa_levels[] = {
	{ "off", CMFA_MFA_OFF },
	{ "optional", CMFA_MFA_OPTIONAL },
	{ "on", CMFA_MFA_ON },
	{ NULL, 0 },
};

static const struct choice fail_modes[] = {
	{ "closed", CMFA_FAIL_CLOSED },
	{ "open", CMFA_FAIL_OPEN },
	{ NULL, 0 },
};

static const struct choice unknown_users[] = {
	{ "deny", CMFA_UNKNOWN_DENY },
	{ "ignore", CMFA_UNKNOWN_IGNORE },
	{ NULL, 0 },
};

static const struct choice sms_channels[] = {
	{ "none", CMFA_SMS_NONE },
	{ "sns", CMFA_SMS_SNS },
	{ "command", CMFA_SMS_COMMAND },
	{ NULL, 0 },
};

static const struct choice email_channels[] = {
	{ "none", CMFA_EMAIL_NONE },
	{ "smtp", CMFA_EMAIL_SMTP },
	{ "ses", CMFA_EMAIL_SES },
	{ "command", CMFA_EMAIL_COMMAND },
	{ NULL, 0 },
};

#define OFF(f) offsetof(struct cmfa_config, f)

static bool
in_set(char c, const char *extra)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr(extra, c) != NULL);
}

static bool
all_in(const char *p, size_t len, const char *extra)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!in_set(p[i], extra))
			return false;
	return len > 0;
}

/* An AWS region: lower-case letters, digits and '-' ("eu-west-1"). */
static bool
region_valid(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		        (p[i] >= '0' && p[i] <= '9') || p[i] == '-'))
			return false;
	return len > 0 && p[0] != '-' && p[len - 1] != '-';
}

/* The model's UserPoolIdType: [\w-]+_[0-9a-zA-Z]+. */
static bool
pool_id_valid(const char *p, size_t len)
{
	const char *us = NULL;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] == '_')
			us = p + i;
	if (us == NULL || us == p || (size_t)(us - p) + 1 == len)
		return false;
	return all_in(p, (size_t)(us - p), "_-") &&
	    all_in(us + 1, len - (size_t)(us - p) - 1, "");
}

/* An AWS profile name as botocore accepts one in a section header. */
static bool
profile_valid(const char *p, size_t len)
{
	return all_in(p, len, "_-.@+=,:");
}

/* A Cognito attribute name: "custom:linux_name", "sub", "email". */
static bool
attribute_valid(const char *p, size_t len)
{
	return all_in(p, len, "_:-");
}

/*
 * scheme "://" host [":" port] [path]: printable ASCII, no space, no
 * quote, no backslash, a non-empty host; no "user:password@" (credentials
 * never live in a URL here: they would show in logs and ps).
 */
static bool
url_with_scheme(const char *p, size_t len, const char *const *schemes)
{
	const char *rest = NULL, *host_end;
	size_t i, n, hlen;

	for (i = 0; i < len; i++)
		if (p[i] <= ' ' || p[i] >= 0x7f || p[i] == '"' ||
		    p[i] == '\\' || p[i] == '\'' || p[i] == '<' || p[i] == '>')
			return false;
	for (; *schemes != NULL; schemes++) {
		n = strlen(*schemes);
		if (len > n && strncmp(p, *schemes, n) == 0) {
			rest = p + n;
			break;
		}
	}
	if (rest == NULL)
		return false;
	len -= (size_t)(rest - p);
	host_end = memchr(rest, '/', len);
	hlen = host_end != NULL ? (size_t)(host_end - rest) : len;
	return hlen > 0 && memchr(rest, '@', hlen) == NULL && rest[0] != ':';
}

/* An AWS endpoint: http:// or https:// (http only makes sense for
 * tests and private loopback endpoints). */
static bool
endpoint_valid(const char *p, size_t len)
{
	static const char *const schemes[] = { "https://", "http://", NULL };

	return url_with_scheme(p, len, schemes);
}

/* smtp:// (STARTTLS unless smtp_starttls = no) or smtps:// (TLS). */
static bool
smtp_url_valid(const char *p, size_t len)
{
	static const char *const schemes[] = { "smtps://", "smtp://", NULL };

	return url_with_scheme(p, len, schemes);
}

/*
 * A bare address, local@domain: printable ASCII without space, quote,
 * angle bracket, comma or semicolon (it goes into a mail header and an
 * SMTP envelope as is), exactly one '@', both sides non-empty.
 */
static bool
address_valid(const char *p, size_t len)
{
	const char *at;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] <= ' ' || p[i] >= 0x7f || strchr("\"<>,;()[]\\", p[i]))
			return false;
	at = memchr(p, '@', len);
	return at != NULL && at != p && at != p + len - 1 &&
	    memchr(at + 1, '@', len - (size_t)(at - p) - 1) == NULL;
}

/* A user name as useradd accepts it (the group rule, used for both). */
static bool
user_valid(const char *p, size_t len)
{
	size_t i, n = len;

	if (len == 0 || len > CMFA_CONFIG_GROUP_MAX)
		return false;
	if (p[len - 1] == '$')
		n--;
	for (i = 0; i < n; i++)
		if (!in_set(p[i], i == 0 ? "_" : "_.-"))
			return false;
	return n > 0;
}

/* user names separated by ',' (no spaces). */
static bool
user_list_valid(const char *p, size_t len)
{
	size_t i = 0, start;

	while (i <= len) {
		start = i;
		while (i < len && p[i] != ',')
			i++;
		if (!user_valid(p + start, i - start))
			return false;
		i++;
	}
	return true;
}

static const struct key_def keys[] = {
	{ .name = "store", .kind = K_PATH, .off = OFF(store) },
	{ .name = "mfa_floor",
	    .kind = K_CHOICE,
	    .off = OFF(mfa_floor),
	    .choices = mfa_levels },
	{ .name = "max_age",
	    .kind = K_UINT,
	    .off = OFF(max_age),
	    .max = CMFA_CONFIG_MAX_AGE_MAX },
	{ .name = "fail_mode",
	    .kind = K_CHOICE,
	    .off = OFF(fail_mode),
	    .choices = fail_modes },
	{ .name = "unknown_user",
	    .kind = K_CHOICE,
	    .off = OFF(unknown_user),
	    .choices = unknown_users },
	{ .name = "window",
	    .kind = K_UINT,
	    .off = OFF(window),
	    .max = CMFA_CONFIG_WINDOW_MAX },
	{ .name = "exempt_group", .kind = K_GROUP, .off = OFF(exempt_group) },
	{ .name = "only_group", .kind = K_GROUP, .off = OFF(only_group) },
	{ .name = "grace",
	    .kind = K_UINT,
	    .off = OFF(grace),
	    .max = CMFA_CONFIG_GRACE_MAX },
	{ .name = "allow_unverified_destinations",
	    .kind = K_BOOL,
	    .off = OFF(allow_unverified_destinations) },
	{ .name = "region",
	    .kind = K_NAME,
	    .off = OFF(region),
	    .max = CMFA_CONFIG_NAME_MAX,
	    .check = region_valid,
	    .what = "an AWS region",
	    .file_only = true },
	{ .name = "user_pool_id",
	    .kind = K_NAME,
	    .off = OFF(user_pool_id),
	    .max = CMFA_CONFIG_POOL_ID_MAX,
	    .check = pool_id_valid,
	    .what = "a user pool id",
	    .file_only = true },
	{ .name = "share_cognito_totp",
	    .kind = K_BOOL,
	    .off = OFF(share_cognito_totp),
	    .file_only = true },
	{ .name = "aws_profile",
	    .kind = K_NAME,
	    .off = OFF(aws_profile),
	    .max = CMFA_CONFIG_NAME_MAX,
	    .check = profile_valid,
	    .what = "a profile name",
	    .file_only = true },
	{ .name = "aws_shared_credentials_file",
	    .kind = K_PATH,
	    .off = OFF(aws_shared_credentials_file),
	    .file_only = true },
	{ .name = "aws_config_file",
	    .kind = K_PATH,
	    .off = OFF(aws_config_file),
	    .file_only = true },
	{ .name = "ca_bundle",
	    .kind = K_PATH,
	    .off = OFF(ca_bundle),
	    .file_only = true },
	{ .name = "ec2_metadata_disabled",
	    .kind = K_BOOL,
	    .off = OFF(ec2_metadata_disabled),
	    .file_only = true },
	{ .name = "sync_user",
	    .kind = K_NAME,
	    .off = OFF(sync_user),
	    .max = CMFA_CONFIG_GROUP_MAX,
	    .check = user_valid,
	    .what = "a user name",
	    .file_only = true },
	{ .name = "sync_max_rps",
	    .kind = K_UINT,
	    .off = OFF(sync_max_rps),
	    .max = CMFA_CONFIG_RPS_MAX,
	    .min = 1,
	    .file_only = true },
	{ .name = "map_attribute",
	    .kind = K_NAME,
	    .off = OFF(map_attribute),
	    .max = CMFA_CONFIG_NAME_MAX,
	    .check = attribute_valid,
	    .what = "an attribute name",
	    .file_only = true },
	{ .name = "map_attribute_admin_only",
	    .kind = K_BOOL,
	    .off = OFF(map_attribute_admin_only),
	    .file_only = true },
	{ .name = "allow_system_users",
	    .kind = K_NAME,
	    .off = OFF(allow_system_users),
	    .max = CMFA_CONFIG_LIST_MAX,
	    .check = user_list_valid,
	    .what = "a comma-separated list of user names",
	    .file_only = true },
	{ .name = "code_validity",
	    .kind = K_UINT,
	    .off = OFF(code_validity),
	    .min = CMFA_CONFIG_VALIDITY_MIN,
	    .max = CMFA_CONFIG_VALIDITY_MAX },
	{ .name = "delivery_timeout",
	    .kind = K_UINT,
	    .off = OFF(delivery_timeout),
	    .min = 1,
	    .max = CMFA_CONFIG_DELIVERY_TIMEOUT_MAX },
	{ .name = "delivery_limit",
	    .kind = K_UINT,
	    .off = OFF(delivery_limit),
	    .min = 1,
	    .max = CMFA_CONFIG_DELIVERY_LIMIT_MAX,
	    .file_only = true },
	{ .name = "sms_channel",
	    .kind = K_CHOICE,
	    .off = OFF(sms_channel),
	    .choices = sms_channels,
	    .file_only = true },
	{ .name = "sms_assume_role",
	    .kind = K_BOOL,
	    .off = OFF(sms_assume_role),
	    .file_only = true },
	{ .name = "sts_endpoint_url",
	    .kind = K_NAME,
	    .off = OFF(sts_endpoint_url),
	    .max = CMFA_CONFIG_URL_MAX,
	    .check = endpoint_valid,
	    .what = "an http:// or https:// URL",
	    .file_only = true },
	{ .name = "sns_endpoint_url",
	    .kind = K_NAME,
	    .off = OFF(sns_endpoint_url),
	    .max = CMFA_CONFIG_URL_MAX,
	    .check = endpoint_valid,
	    .what = "an http:// or https:// URL",
	    .file_only = true },
	{ .name = "email_channel",
	    .kind = K_CHOICE,
	    .off = OFF(email_channel),
	    .choices = email_channels,
	    .file_only = true },
	{ .name = "email_from",
	    .kind = K_NAME,
	    .off = OFF(email_from),
	    .max = CMFA_CONFIG_ADDRESS_MAX,
	    .check = address_valid,
	    .what = "an email address (local@domain)",
	    .file_only = true },
	{ .name = "smtp_url",
	    .kind = K_NAME,
	    .off = OFF(smtp_url),
	    .max = CMFA_CONFIG_URL_MAX,
	    .check = smtp_url_valid,
	    .what = "an smtp:// or smtps:// URL without credentials",
	    .file_only = true },
	{ .name = "smtp_starttls",
	    .kind = K_BOOL,
	    .off = OFF(smtp_starttls),
	    .file_only = true },
	{ .name = "smtp_credentials_file",
	    .kind = K_PATH,
	    .off = OFF(smtp_credentials_file),
	    .file_only = true },
	{ .name = "ses_endpoint_url",
	    .kind = K_NAME,
	    .off = OFF(ses_endpoint_url),
	    .max = CMFA_CONFIG_URL_MAX,
	    .check = endpoint_valid,
	    .what = "an http:// or https:// URL",
	    .file_only = true },
	{ .name = "deliver_command",
	    .kind = K_PATH,
	    .off = OFF(deliver_command),
	    .file_only = true },
};

#define NKEYS CMFA_ARRAY_LEN(keys)

const char *
cmfa_config_key(size_t i)
{
	return i < NKEYS ? keys[i].name : NULL;
}

_Static_assert(CMFA_ARRAY_LEN(keys) <= 64, "the seen mask is 64 bits");

static void seterr(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* A quotable excerpt of untrusted input. */
static void
excerpt(char out[EXCERPT_MAX + 1], const char *p, size_t len)
{
	cmfa_sanitize(out, EXCERPT_MAX + 1, p, len);
}

void
cmfa_config_defaults(struct cmfa_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	(void)snprintf(cfg->store, sizeof(cfg->store), "%s",
	    CMFA_STORE_DEFAULT_PATH);
	cfg->mfa_floor = CMFA_MFA_OFF;
	cfg->max_age = 0;
	cfg->fail_mode = CMFA_FAIL_CLOSED;
	cfg->unknown_user = CMFA_UNKNOWN_DENY;
	cfg->window = 1;
	cfg->grace = 0;
	cfg->allow_unverified_destinations = false;
	cfg->sync_max_rps = CMFA_CONFIG_RPS_DEFAULT;
	cfg->code_validity = CMFA_CONFIG_VALIDITY_DEFAULT;
	cfg->delivery_timeout = CMFA_CONFIG_DELIVERY_TIMEOUT_DEFAULT;
	cfg->delivery_limit = CMFA_CONFIG_DELIVERY_LIMIT_DEFAULT;
	cfg->sms_channel = CMFA_SMS_NONE;
	cfg->sms_assume_role = true;
	cfg->email_channel = CMFA_EMAIL_NONE;
	cfg->smtp_starttls = true;
}

/*
 * The delivery settings hang together: a channel names what it needs,
 * so a half-configured channel is refused here, at config time, instead
 * of at a user's login.  NULL: consistent; else the reason.
 */
static const char *
delivery_inconsistent(const struct cmfa_config *c)
{
	if (c->sms_channel == CMFA_SMS_COMMAND && c->deliver_command[0] == '\0')
		return "sms_channel = command needs deliver_command";
	if (c->email_channel == CMFA_EMAIL_COMMAND &&
	    c->deliver_command[0] == '\0')
		return "email_channel = command needs deliver_command";
	if (c->email_channel == CMFA_EMAIL_SMTP &&
	    (c->smtp_url[0] == '\0' || c->email_from[0] == '\0'))
		return "email_channel = smtp needs smtp_url and email_from";
	if (c->email_channel == CMFA_EMAIL_SES && c->email_from[0] == '\0')
		return "email_channel = ses needs email_from";
	return NULL;
}

static bool
has_control(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return true;
	return false;
}

/* Absolute, printable UTF-8, no "." or ".." component. */
static bool
path_valid(const char *p, size_t len)
{
	size_t i = 0, start;

	if (len == 0 || len > CMFA_CONFIG_PATH_MAX || p[0] != '/' ||
	    !cmfa_utf8_printable(p, len, false))
		return false;
	while (i < len) {
		while (i < len && p[i] == '/')
			i++;
		start = i;
		while (i < len && p[i] != '/')
			i++;
		if ((i - start == 1 && p[start] == '.') ||
		    (i - start == 2 && p[start] == '.' && p[start + 1] == '.'))
			return false;
	}
	return true;
}

static bool
group_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_')
		return true;
	return !first && (c == '.' || c == '-');
}

/* [A-Za-z0-9_][A-Za-z0-9_.-]*, optionally ending in '$', 1..32 bytes. */
static bool
group_valid(const char *p, size_t len)
{
	size_t i, n = len;

	if (len == 0 || len > CMFA_CONFIG_GROUP_MAX)
		return false;
	if (p[len - 1] == '$')
		n--;
	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!group_char(p[i], i == 0))
			return false;
	return true;
}

static bool
value_is(const char *v, size_t vlen, const char *s)
{
	return vlen == strlen(s) && memcmp(v, s, vlen) == 0;
}

static const struct key_def *
key_find(const char *key, size_t klen)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (value_is(key, klen, keys[i].name))
			return &keys[i];
	return NULL;
}

/* Validate val for def and store it into cfg (only when valid). */
static enum cmfa_err
key_set(struct cmfa_config *cfg, const struct key_def *def, const char *val,
    size_t vlen, char *err, size_t errsz)
{
	char *field = (char *)cfg + def->off;
	char ex[EXCERPT_MAX + 1];
	const struct choice *c;
	uint64_t u;
	int iv;

	excerpt(ex, val, vlen);
	if (vlen == 0) {
		seterr(err, errsz, "%s: missing value", def->name);
		return CMFA_ERR_PARSE;
	}
	if (has_control(val, vlen)) {
		seterr(err, errsz, "%s: control character in value", def->name);
		return CMFA_ERR_PARSE;
	}
	switch (def->kind) {
	case K_PATH:
		if (!path_valid(val, vlen)) {
			seterr(err, errsz,
			    "%s: '%s' is not an absolute path "
			    "(printable, at most %d bytes, no . or ..)",
			    def->name, ex, CMFA_CONFIG_PATH_MAX);
			return CMFA_ERR_PARSE;
		}
		memcpy(field, val, vlen);
		field[vlen] = '\0';
		return CMFA_OK;
	case K_CHOICE:
		for (c = def->choices; c->name != NULL; c++) {
			if (value_is(val, vlen, c->name)) {
				iv = c->value;
				memcpy(field, &iv, sizeof(iv));
				return CMFA_OK;
			}
		}
		seterr(err, errsz, "%s: '%s' is not one of", def->name, ex);
		for (c = def->choices; c->name != NULL && err != NULL; c++) {
			size_t used = strnlen(err, errsz);

			if (used + 1 < errsz)
				(void)snprintf(err + used, errsz - used,
				    "%s %s", c == def->choices ? "" : ",",
				    c->name);
		}
		return CMFA_ERR_PARSE;
	case K_UINT:
		if (cmfa_parse_u64(val, vlen, def->max, &u) != CMFA_OK ||
		    u < def->min) {
			seterr(err, errsz,
			    "%s: '%s' is not a whole number "
			    "from %u to %u",
			    def->name, ex, (unsigned)def->min,
			    (unsigned)def->max);
			return CMFA_ERR_PARSE;
		}
		{
			uint32_t v32 = (uint32_t)u;

			memcpy(field, &v32, sizeof(v32));
		}
		return CMFA_OK;
	case K_GROUP:
		if (!group_valid(val, vlen)) {
			seterr(err, errsz, "%s: '%s' is not a group name",
			    def->name, ex);
			return CMFA_ERR_PARSE;
		}
		memcpy(field, val, vlen);
		field[vlen] = '\0';
		return CMFA_OK;
	case K_BOOL:
		if (value_is(val, vlen, "yes") || value_is(val, vlen, "no")) {
			bool b = value_is(val, vlen, "yes");

			memcpy(field, &b, sizeof(b));
			return CMFA_OK;
		}
		seterr(err, errsz, "%s: '%s' is not yes or no", def->name, ex);
		return CMFA_ERR_PARSE;
	case K_NAME:
		if (vlen > def->max || !def->check(val, vlen)) {
			seterr(err, errsz, "%s: '%s' is not %s", def->name, ex,
			    def->what);
			return CMFA_ERR_PARSE;
		}
		memcpy(field, val, vlen);
		field[vlen] = '\0';
		return CMFA_OK;
	}
	seterr(err, errsz, "%s: internal error", def->name);
	return CMFA_ERR_INVAL;
}

enum cmfa_err
cmfa_config_set(struct cmfa_config *cfg, const char *key, size_t klen,
    const char *val, size_t vlen, char *err, size_t errsz)
{
	const struct key_def *def;
	char ex[EXCERPT_MAX + 1];

	seterr(err, errsz, "%s", "");
	if (cfg == NULL || key == NULL || (val == NULL && vlen > 0)) {
		seterr(err, errsz, "invalid argument");
		return CMFA_ERR_INVAL;
	}
	if ((def = key_find(key, klen)) == NULL) {
		excerpt(ex, key, klen);
		seterr(err, errsz, "unknown key '%s'", ex);
		return CMFA_ERR_PARSE;
	}
	if (def->file_only) {
		/* the module never reads them; the helper it runs reads the
		 * file, so an argument could only mislead */
		seterr(err, errsz,
		    "%s: a setting of cognito-mfa, only in the config file",
		    def->name);
		return CMFA_ERR_PARSE;
	}
	return key_set(cfg, def, val != NULL ? val : "", vlen, err, errsz);
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Trim spaces and tabs at both ends of p[*start..*end). */
static void
trim(const char *p, size_t *start, size_t *end)
{
	while (*start < *end && is_blank(p[*start]))
		(*start)++;
	while (*end > *start && is_blank(p[*end - 1]))
		(*end)--;
}

enum cmfa_err
cmfa_config_parse(const char *p, size_t len, struct cmfa_config *out, char *err,
    size_t errsz)
{
	struct cmfa_config cfg;
	const struct key_def *def;
	char msg[256], ex[EXCERPT_MAX + 1];
	const char *line, *nl, *eq;
	size_t pos = 0, ll, ks, ke, vs, ve, lineno = 0;
	uint64_t seen = 0, bit;
	enum cmfa_err rc;

	seterr(err, errsz, "%s", "");
	if (out == NULL || (p == NULL && len > 0)) {
		seterr(err, errsz, "invalid argument");
		return CMFA_ERR_INVAL;
	}
	if (len > CMFA_CONFIG_MAX) {
		seterr(err, errsz, "file larger than %u bytes",
		    CMFA_CONFIG_MAX);
		return CMFA_ERR_TOOBIG;
	}
	cmfa_config_defaults(&cfg);
	while (pos < len) {
		lineno++;
		line = p + pos;
		nl = memchr(line, '\n', len - pos);
		ll = nl != NULL ? (size_t)(nl - line) : len - pos;
		pos += ll + (nl != NULL ? 1 : 0);
		if (ll > CMFA_CONFIG_LINE_MAX) {
			seterr(err, errsz, "line %zu: longer than %d bytes",
			    lineno, CMFA_CONFIG_LINE_MAX);
			return CMFA_ERR_TOOBIG;
		}
		if (memchr(line, '\0', ll) != NULL) {
			seterr(err, errsz, "line %zu: NUL byte", lineno);
			return CMFA_ERR_PARSE;
		}
		if (memchr(line, '\r', ll) != NULL) {
			seterr(err, errsz,
			    "line %zu: carriage return (CRLF "
			    "line endings are not accepted)",
			    lineno);
			return CMFA_ERR_PARSE;
		}
		ks = 0;
		ke = ll;
		trim(line, &ks, &ke);
		if (ks == ke || line[ks] == '#')
			continue;
		if ((eq = memchr(line + ks, '=', ke - ks)) == NULL) {
			excerpt(ex, line + ks, ke - ks);
			seterr(err, errsz,
			    "line %zu: expected key = value, "
			    "got '%s'",
			    lineno, ex);
			return CMFA_ERR_PARSE;
		}
		vs = (size_t)(eq - line) + 1;
		ve = ke;
		ke = vs - 1;
		trim(line, &ks, &ke);
		trim(line, &vs, &ve);
		if (ks == ke) {
			seterr(err, errsz, "line %zu: missing key before '='",
			    lineno);
			return CMFA_ERR_PARSE;
		}
		if ((def = key_find(line + ks, ke - ks)) == NULL) {
			excerpt(ex, line + ks, ke - ks);
			seterr(err, errsz, "line %zu: unknown key '%s'", lineno,
			    ex);
			return CMFA_ERR_PARSE;
		}
		bit = (uint64_t)1 << (size_t)(def - keys);
		if ((seen & bit) != 0) {
			seterr(err, errsz, "line %zu: %s: given twice", lineno,
			    def->name);
			return CMFA_ERR_PARSE;
		}
		seen |= bit;
		if ((rc = key_set(&cfg, def, line + vs, ve - vs, msg,
		         sizeof(msg))) != CMFA_OK) {
			seterr(err, errsz, "line %zu: %s", lineno, msg);
			return rc;
		}
	}
	/* D12: a Linux name may come from an attribute only when the admin
	 * declares that users cannot edit it; sub never changes */
	if (cfg.map_attribute[0] != '\0' && !cfg.map_attribute_admin_only &&
	    strcmp(cfg.map_attribute, "sub") != 0) {
		seterr(err, errsz,
		    "map_attribute: '%s' maps Linux names from an attribute; "
		    "set map_attribute_admin_only = yes to declare that users "
		    "cannot change it (app clients without write access to it)",
		    cfg.map_attribute);
		return CMFA_ERR_PARSE;
	}
	{
		const char *why = delivery_inconsistent(&cfg);

		if (why != NULL) {
			seterr(err, errsz, "%s", why);
			return CMFA_ERR_PARSE;
		}
	}
	*out = cfg;
	return CMFA_OK;
}

enum cmfa_err
cmfa_config_load(const char *path, uid_t owner, struct cmfa_config *out,
    char *err, size_t errsz)
{
	char ex[EXCERPT_MAX + 1];
	struct cmfa_buf b;
	enum cmfa_err rc;

	seterr(err, errsz, "%s", "");
	if (path == NULL || out == NULL) {
		seterr(err, errsz, "invalid argument");
		return CMFA_ERR_INVAL;
	}
	if ((rc = cmfa_file_read_path(path, owner, CMFA_CONFIG_MAX, &b,
	         NULL)) != CMFA_OK) {
		excerpt(ex, path, strnlen(path, CMFA_CONFIG_PATH_MAX + 1));
		seterr(err, errsz, "%s: %s", ex, cmfa_strerror(rc));
		return rc;
	}
	rc = cmfa_config_parse((const char *)b.p, b.len, out, err, errsz);
	cmfa_buf_free(&b);
	return rc;
}
