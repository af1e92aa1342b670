/*
 * modargs.c: the PAM module's arguments.  The config file first (config=FILE, or the
 * default path when it exists), then each argument in order, so arguments
 * override the file.  Unknown or malformed arguments are errors: the
 * module then denies (fail closed), it never guesses.
 */
#include <stdio.h>
#include <string.h>

#include "cmfa_config.h"

static bool
has_prefix(const char *s, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0)
		return false;
	*rest = s + n;
	return true;
}

static enum cmfa_err
load_config(int argc, const char **argv, uid_t owner, struct cmfa_modargs *o,
    char *err, size_t errsz)
{
	const char *path = CMFA_CONFIG_DEFAULT_PATH, *v;
	bool explicit = false;
	enum cmfa_err e;
	char why[256];
	int i;

	for (i = 0; i < argc; i++) {
		if (argv[i] != NULL && has_prefix(argv[i], "config=", &v)) {
			if (v[0] != '/' || strlen(v) > CMFA_CONFIG_PATH_MAX) {
				snprintf(err, errsz,
				    "config: must be an "
				    "absolute path");
				return CMFA_ERR_PARSE;
			}
			path = v;
			explicit = true;
		}
	}
	snprintf(o->config_path, sizeof(o->config_path), "%s", path);
	why[0] = '\0';
	e = cmfa_config_load(path, owner, &o->cfg, why, sizeof(why));
	if (e == CMFA_ERR_NOTFOUND && !explicit) {
		cmfa_config_defaults(&o->cfg);
		return CMFA_OK;
	}
	if (e != CMFA_OK) {
		snprintf(err, errsz, "%s: %s%s%s", o->config_path,
		    cmfa_strerror(e), why[0] ? ": " : "", why);
		return e == CMFA_ERR_NOTFOUND ? CMFA_ERR_NOTFOUND
		                              : CMFA_ERR_PARSE;
	}
	return CMFA_OK;
}

/* The key of an argument: up to '=' or the whole word. */
static size_t
key_len(const char *arg)
{
	const char *eq = strchr(arg, '=');

	return eq != NULL ? (size_t)(eq - arg) : strlen(arg);
}

/* Two arguments naming the same key are ambiguous: refuse them. */
static bool
repeated(const char **argv, int i)
{
	size_t n = key_len(argv[i]);
	int j;

	for (j = 0; j < i; j++)
		if (argv[j] != NULL && key_len(argv[j]) == n &&
		    strncmp(argv[j], argv[i], n) == 0)
			return true;
	return false;
}

enum cmfa_err
cmfa_modargs_parse(int argc, const char **argv, uid_t owner,
    struct cmfa_modargs *out, char *err, size_t errsz)
{
	struct cmfa_modargs o;
	const char *arg, *v, *eq;
	enum cmfa_err e;
	uint64_t n;
	int i;

	memset(&o, 0, sizeof(o));
	o.tries = CMFA_MODARGS_TRIES_DEFAULT;
	snprintf(o.helper, sizeof(o.helper), "%s", CMFA_HELPER_DEFAULT_PATH);
	if ((e = load_config(argc, argv, owner, &o, err, errsz)) != CMFA_OK)
		return e;
	for (i = 0; i < argc; i++) {
		if ((arg = argv[i]) == NULL) {
			snprintf(err, errsz, "argument %d: missing", i);
			return CMFA_ERR_PARSE;
		}
		if (repeated(argv, i)) {
			char clean[64];

			cmfa_sanitize(clean, sizeof(clean), arg, key_len(arg));
			snprintf(err, errsz, "option '%s' given twice", clean);
			return CMFA_ERR_PARSE;
		}
		if (has_prefix(arg, "config=", &v))
			continue;
		if (strcmp(arg, "require_mfa") == 0)
			o.require_mfa = true;
		else if (strcmp(arg, "debug") == 0)
			o.debug = true;
		else if (strcmp(arg, "resend") == 0)
			o.resend = true;
		else if (has_prefix(arg, "helper=", &v)) {
			/* the program the module runs as root: an absolute
			 * path, checked again (owner, mode) when it runs */
			if (v[0] != '/' || strlen(v) > CMFA_CONFIG_PATH_MAX ||
			    !cmfa_utf8_printable(v, strlen(v), false) ||
			    strstr(v, "/../") != NULL ||
			    strstr(v, "/./") != NULL) {
				snprintf(err, errsz,
				    "helper: must be an absolute path");
				return CMFA_ERR_PARSE;
			}
			memcpy(o.helper, v, strlen(v) + 1);
		} else if (has_prefix(arg, "tries=", &v)) {
			if (cmfa_parse_u64(v, strlen(v), CMFA_MODARGS_TRIES_MAX,
			        &n) != CMFA_OK ||
			    n == 0) {
				snprintf(err, errsz, "tries: must be 1..%d",
				    CMFA_MODARGS_TRIES_MAX);
				return CMFA_ERR_PARSE;
			}
			o.tries = (unsigned)n;
		} else if (has_prefix(arg, "prompt=", &v)) {
			size_t len = strlen(v);

			if (len == 0 || len > CMFA_MODARGS_PROMPT_MAX ||
			    !cmfa_utf8_printable(v, len, false)) {
				snprintf(err, errsz,
				    "prompt: must be 1..%d "
				    "printable characters",
				    CMFA_MODARGS_PROMPT_MAX);
				return CMFA_ERR_PARSE;
			}
			memcpy(o.prompt, v, len + 1);
		} else if ((eq = strchr(arg, '=')) != NULL) {
			e = cmfa_config_set(&o.cfg, arg, (size_t)(eq - arg),
			    eq + 1, strlen(eq + 1), err, errsz);
			if (e != CMFA_OK)
				return e;
		} else {
			char clean[64];

			cmfa_sanitize(clean, sizeof(clean), arg, strlen(arg));
			snprintf(err, errsz, "unknown option '%s'", clean);
			return CMFA_ERR_PARSE;
		}
	}
	*out = o;
	return CMFA_OK;
}
