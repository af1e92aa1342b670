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
	K_BOOL    /* yes | no: bool */
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
};

/* K_CHOICE writes an int into an enum field: they must be the same size. */
_Static_assert(sizeof(enum cmfa_mfa_level) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cmfa_fail_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cmfa_unknown_user) == sizeof(int), "enum size");

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

#define OFF(f) offsetof(struct cmfa_config, f)

static const struct key_def keys[] = {
	{ "store", K_PATH, OFF(store), 0, NULL },
	{ "mfa_floor", K_CHOICE, OFF(mfa_floor), 0, mfa_levels },
	{ "max_age", K_UINT, OFF(max_age), CMFA_CONFIG_MAX_AGE_MAX, NULL },
	{ "fail_mode", K_CHOICE, OFF(fail_mode), 0, fail_modes },
	{ "unknown_user", K_CHOICE, OFF(unknown_user), 0, unknown_users },
	{ "window", K_UINT, OFF(window), CMFA_CONFIG_WINDOW_MAX, NULL },
	{ "exempt_group", K_GROUP, OFF(exempt_group), 0, NULL },
	{ "only_group", K_GROUP, OFF(only_group), 0, NULL },
	{ "grace", K_UINT, OFF(grace), CMFA_CONFIG_GRACE_MAX, NULL },
	{ "allow_unverified_destinations", K_BOOL,
	    OFF(allow_unverified_destinations), 0, NULL },
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
		if (cmfa_parse_u64(val, vlen, def->max, &u) != CMFA_OK) {
			seterr(err, errsz,
			    "%s: '%s' is not a whole number "
			    "from 0 to %u",
			    def->name, ex, (unsigned)def->max);
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
