/*
 * mapping.c: a Cognito user's Linux name (DESIGN.md D12).
 *
 * The name is the Cognito Username, or, with map_attribute set, that
 * attribute's value (the config parser refuses an attribute other than
 * sub unless map_attribute_admin_only = yes declares users cannot edit
 * it).  The name is then refused when:
 *
 *  - it is not a Linux user name as this project accepts one:
 *    [a-z_][a-z0-9_.-]*, 1..32 bytes, not all digits, and a valid store
 *    file name (cmfa_username_valid: no "..", no trailing '.').  That is
 *    shadow's useradd rule narrowed: no upper case (Linux names are
 *    case-sensitive while a Cognito pool is often case-insensitive, so
 *    "Alice" and "alice" could be one Cognito user and two Linux
 *    accounts), no trailing '$' (machine accounts), nothing useradd
 *    would need --badname for.  Names like e-mail addresses are refused:
 *    map from an attribute instead;
 *  - it names a system account: root (always, whatever passwd says), or
 *    an existing passwd entry with a uid below 1000 (getpwnam_r) -- unless
 *    the name is listed in allow_system_users.  A name with no passwd
 *    entry at all is fine: the account may be created later, and the
 *    module only ever sees names PAM resolved.
 *
 * Nothing is refused silently: *why says which rule, for the sync's
 * report (never a secret: names and attribute names only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmfa_cli.h"
#include "cli_int.h"

#define MAP_NAME_MAX 32 /* useradd's limit (and utmp's) */
#define SYSTEM_UID_MAX 999

static void set_why(char *why, size_t whysz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_why(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whysz == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
}

/* The value of attribute name in [{Name, Value}], or NULL. */
static const char *
attr_value(const cJSON *attributes, const char *name)
{
	const cJSON *it, *n, *v;

	if (!cJSON_IsArray(attributes))
		return NULL;
	cJSON_ArrayForEach(it, attributes)
	{
		n = cJSON_GetObjectItemCaseSensitive(it, "Name");
		v = cJSON_GetObjectItemCaseSensitive(it, "Value");
		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
			return cJSON_IsString(v) ? v->valuestring : NULL;
	}
	return NULL;
}

static bool
linux_name_valid(const char *s, size_t len)
{
	bool digits_only = true;
	size_t i;
	char c;

	if (len == 0 || len > MAP_NAME_MAX || !cmfa_username_valid(s, len))
		return false;
	for (i = 0; i < len; i++) {
		c = s[i];
		if (c >= '0' && c <= '9')
			continue;
		digits_only = false;
		if ((c >= 'a' && c <= 'z') || c == '_')
			continue;
		if (i > 0 && (c == '.' || c == '-'))
			continue;
		return false;
	}
	return !digits_only && !(s[0] >= '0' && s[0] <= '9');
}

/* name is one of the comma-separated names of list. */
static bool
in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list, *e;

	while (*p != '\0') {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) == n && strncmp(p, name, n) == 0)
			return true;
		p = *e == ',' ? e + 1 : e;
	}
	return false;
}

/*
 * Is name a system account?  CMFA_OK with *sys set, or an error when the
 * user database could not be read (then the name is refused: fail
 * closed).
 */
static enum cmfa_err
system_account(const char *name, bool *sys, uid_t *uid)
{
	enum cmfa_err e;

	*sys = false;
	*uid = 0;
	if (strcmp(name, "root") == 0) {
		*sys = true;
		return CMFA_OK;
	}
	e = cmfa_store_resolve_user(name, uid);
	if (e == CMFA_ERR_NOTFOUND)
		return CMFA_OK; /* no such account: nobody's to protect */
	if (e == CMFA_OK)
		*sys = *uid <= SYSTEM_UID_MAX;
	return e;
}

enum cmfa_err
cmfa_cli_map_name(const struct cmfa_config *cfg, const char *username,
    const cJSON *attributes, char *out, size_t outsz, char *why, size_t whysz)
{
	char shown[80];
	const char *name = username;
	enum cmfa_err e;
	bool sys;
	uid_t uid;
	size_t len;

	set_why(why, whysz, "%s", "");
	if (cfg == NULL || username == NULL || out == NULL || outsz == 0)
		return CMFA_ERR_INVAL;
	if (cfg->map_attribute[0] != '\0') {
		name = attr_value(attributes, cfg->map_attribute);
		if (name == NULL || name[0] == '\0') {
			set_why(why, whysz, "no %s attribute to map from",
			    cfg->map_attribute);
			return CMFA_ERR_VALIDATION;
		}
	}
	len = strnlen(name, 4096);
	cmfa_sanitize(shown, sizeof(shown), name, len);
	if (!linux_name_valid(name, len)) {
		set_why(why, whysz,
		    "'%s' is not a valid Linux user name ([a-z_][a-z0-9_.-]*, "
		    "at most %d bytes)",
		    shown, MAP_NAME_MAX);
		return CMFA_ERR_VALIDATION;
	}
	if ((e = system_account(name, &sys, &uid)) != CMFA_OK) {
		set_why(why, whysz, "'%s': the user database cannot be read",
		    shown);
		return e;
	}
	if (sys && !in_list(cfg->allow_system_users, name)) {
		set_why(why, whysz,
		    "'%s' is a system account (uid %u); list it in "
		    "allow_system_users to allow it",
		    shown, (unsigned)uid);
		return CMFA_ERR_VALIDATION;
	}
	if (len >= outsz) {
		set_why(why, whysz, "'%s' is too long", shown);
		return CMFA_ERR_TOOBIG;
	}
	memcpy(out, name, len + 1);
	return CMFA_OK;
}
