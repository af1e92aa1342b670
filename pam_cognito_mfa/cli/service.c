/*
 * service.c: what the commands share on the "service" side of the line:
 * the store (created on first use), the remembered pool id, Cognito's
 * constraint messages for the members the core does not validate, the
 * user record.
 *
 * Decisions (for the README / the man page):
 *  - Every command creates a missing store (cmfa_store_init is
 *    idempotent and creates only what is absent), so a fresh host answers
 *    get-user-pool-mfa-config with {"MfaConfiguration": "OFF"}.  Only in
 *    a directory that does not exist or is empty, though: an existing
 *    directory with files but no store format file is refused (253).  A store
 *    that cannot be opened or created (not root, an untrusted directory
 *    chain, another format) is exit 253, like a broken AWS configuration.
 *    explain is the exception: it reads exactly what the module reads and
 *    never creates anything.
 *  - A document in the store that fails its parser, or a file that cannot
 *    be written, is the service failing: InternalErrorException, 254.
 *  - The pool id: the first valid id a command uses is saved as
 *    "pool-id" (the id and a newline, 0600) in the store root; any other
 *    id is then ResourceNotFoundException "User pool <id> does not
 *    exist.", as Cognito answers for a pool that is not there.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmfa_cli.h"
#include "cmfa_otp.h"
#include "cli_int.h"

#define POOL_ID_FILE "pool-id"
#define POOL_ID_MAX 55
#define QUOTE_MAX 256

enum cmfa_err
cmfa_cli_store_error(struct cmfa_cli *cli, enum cmfa_err err, const char *what)
{
	if (err == CMFA_ERR_NOMEM)
		return cmfa_cli_fail(cli, err, CMFA_FAIL_INTERNAL,
		    "out of memory");
	if (strcmp(what, "store") == 0 || err == CMFA_ERR_UNTRUSTED) {
		const char *hint = "";

		if (err == CMFA_ERR_UNTRUSTED)
			hint = " (every directory from / down to it must "
			       "belong to root or to you and must not be "
			       "writable by group or other; its files must be "
			       "yours, 0600, with one link, no symlinks)";
		else if (err == CMFA_ERR_IO || err == CMFA_ERR_INVAL)
			hint = geteuid() == 0 ? "" : " (run as root?)";
		else if (err == CMFA_ERR_VERSION)
			hint = " (not a store of this version)";
		return cmfa_cli_fail(cli, err, CMFA_FAIL_CONFIG,
		    "The local store %s cannot be used: %s%s%s%s.",
		    cli->store_path[0] ? cli->store_path : "?",
		    strcmp(what, "store") == 0 ? "" : what,
		    strcmp(what, "store") == 0 ? "" : ": ", cmfa_strerror(err),
		    hint);
	}
	return cmfa_cli_service_error(cli, "InternalErrorException",
	    "Local store %s: %s: %s", cli->store_path, what,
	    cmfa_strerror(err));
}

/* A new store goes only where there is nothing: a mistyped --store /etc
 * must not fill /etc with users/, totp/, ... */
static bool
empty_or_absent(const char *path)
{
	struct dirent *de;
	bool empty = true;
	DIR *d;

	if ((d = opendir(path)) == NULL)
		return errno == ENOENT;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			empty = false;
	(void)closedir(d);
	return empty;
}

enum cmfa_err
cmfa_cli_store_existing(struct cmfa_cli *cli)
{
	const char *path;
	char cwd[PATH_MAX];
	uid_t sync_uid = (uid_t)-1;

	if (cli->store.dirfd >= 0)
		return CMFA_OK;
	path = cli->store_opt != NULL ? cli->store_opt : cli->cfg.store;
	if (path[0] == '/')
		snprintf(cli->store_path, sizeof(cli->store_path), "%s", path);
	else if (getcwd(cwd, sizeof(cwd)) == NULL ||
	    snprintf(cli->store_path, sizeof(cli->store_path), "%s/%s", cwd,
	        path) >= (int)sizeof(cli->store_path))
		return CMFA_ERR_TOOBIG;
	/* the sync user's share, as the module trusts it (none when the
	 * user does not exist: its files and a shared root are refused) */
	if (cli->cfg.sync_user[0] != '\0')
		(void)cmfa_store_resolve_user(cli->cfg.sync_user, &sync_uid);
	return cmfa_store_open_sync(&cli->store, cli->store_path, cli->owner,
	    sync_uid);
}

enum cmfa_err
cmfa_cli_store(struct cmfa_cli *cli)
{
	enum cmfa_err e;

	if (cli->store.dirfd >= 0)
		return CMFA_OK;
	if ((e = cmfa_cli_store_existing(cli)) == CMFA_ERR_TOOBIG)
		return cmfa_cli_fail(cli, CMFA_ERR_INVAL, CMFA_FAIL_CONFIG,
		    "The local store path %.200s is too long.",
		    cli->store_opt != NULL ? cli->store_opt : cli->cfg.store);
	if (e == CMFA_ERR_NOTFOUND && !empty_or_absent(cli->store_path))
		return cmfa_cli_fail(cli, CMFA_ERR_EXISTS, CMFA_FAIL_CONFIG,
		    "%s is not a cognito-mfa store (it has no format file) and "
		    "is not empty: no store is created there.",
		    cli->store_path);
	if (e == CMFA_ERR_NOTFOUND) {
		cmfa_cli_debug(cli, "creating the store %s", cli->store_path);
		if ((e = cmfa_store_init(cli->store_path, cli->owner)) ==
		    CMFA_OK)
			e = cmfa_cli_store_existing(cli);
	}
	if (e != CMFA_OK)
		return cmfa_cli_store_error(cli, e, "store");
	cmfa_cli_debug(cli, "store %s", cli->store_path);
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* Cognito's constraint messages                                          */

void
cmfa_cli_cv_init(struct cmfa_cli_cv *cv)
{
	cv->n = 0;
	cmfa_buf_init(&cv->msg, 64 * 1024);
}

void
cmfa_cli_cv_free(struct cmfa_cli_cv *cv)
{
	cmfa_buf_free(&cv->msg);
}

void
cmfa_cli_cv_add(struct cmfa_cli_cv *cv, const char *path, const char *value,
    bool sensitive, const char *rule, ...)
{
	char r[1024], q[QUOTE_MAX + 8];
	size_t len, cut;
	va_list ap;

	va_start(ap, rule);
	vsnprintf(r, sizeof(r), rule, ap);
	va_end(ap);
	cv->n++;
	if (cv->msg.len > 0)
		(void)cmfa_buf_append_str(&cv->msg, "; ");
	(void)cmfa_buf_append_str(&cv->msg, "Value ");
	if (value == NULL)
		(void)cmfa_buf_append_str(&cv->msg, "null ");
	else if (!sensitive) {
		len = cut = strlen(value);
		if (cut > QUOTE_MAX) {
			cut = QUOTE_MAX;
			while (cut > 0 &&
			    ((unsigned char)value[cut] & 0xc0) == 0x80)
				cut--;
		}
		cmfa_sanitize(q, sizeof(q), value, cut);
		(void)cmfa_buf_appendf(&cv->msg, "'%s%s' ", q,
		    cut < len ? "..." : "");
	}
	(void)cmfa_buf_appendf(&cv->msg,
	    "at '%s' failed to satisfy constraint: %s", path, r);
}

static bool
is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* [\w-]+_[0-9a-zA-Z]+ as a full match (\w is ASCII in Java). */
static bool
pool_id_pattern(const char *s)
{
	const char *us = strrchr(s, '_'), *p;

	if (us == NULL || us == s || us[1] == '\0')
		return false;
	for (p = s; p < us; p++)
		if (!is_word((unsigned char)*p) && *p != '-')
			return false;
	for (p = us + 1; *p != '\0'; p++)
		if (!is_word((unsigned char)*p) || *p == '_')
			return false;
	return true;
}

static bool
username_pattern(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;
	uint32_t c;

	if (len == 0 || !cmfa_utf8_valid(s, len))
		return false;
	while (i < len) {
		i += cmfa_utf8_next((const char *)p + i, len - i, &c);
		if (!cmfa_unicode_visible(c))
			return false;
	}
	return true;
}

static void
cv_length(struct cmfa_cli_cv *cv, const char *path, const char *v,
    bool sensitive, long long min, long long max)
{
	size_t n = cmfa_utf16_len(v, strlen(v));

	if (min >= 0 && (long long)n < min)
		cmfa_cli_cv_add(cv, path, v, sensitive,
		    "Member must have length greater than or equal to %lld",
		    min);
	if (max >= 0 && (long long)n > max)
		cmfa_cli_cv_add(cv, path, v, sensitive,
		    "Member must have length less than or equal to %lld", max);
}

void
cmfa_cli_cv_username(struct cmfa_cli_cv *cv, const char *path, const char *name)
{
	if (name == NULL) {
		cmfa_cli_cv_add(cv, path, NULL, false,
		    "Member must not be null");
		return;
	}
	cv_length(cv, path, name, true, 1, 128);
	if (!username_pattern(name))
		cmfa_cli_cv_add(cv, path, name, true,
		    "Member must satisfy regular expression pattern: "
		    "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+");
}

void
cmfa_cli_cv_pool_id(struct cmfa_cli_cv *cv, const char *path, const char *id)
{
	if (id == NULL) {
		cmfa_cli_cv_add(cv, path, NULL, false,
		    "Member must not be null");
		return;
	}
	cv_length(cv, path, id, false, 1, POOL_ID_MAX);
	if (!pool_id_pattern(id))
		cmfa_cli_cv_add(cv, path, id, false,
		    "Member must satisfy regular expression pattern: "
		    "[\\w-]+_[0-9a-zA-Z]+");
}

enum cmfa_err
cmfa_cli_cv_done(struct cmfa_cli *cli, struct cmfa_cli_cv *cv)
{
	if (cv->n == 0)
		return CMFA_OK;
	return cmfa_cli_service_error(cli, "InvalidParameterException",
	    "%u validation error%s detected: %s", cv->n, cv->n == 1 ? "" : "s",
	    cmfa_buf_str(&cv->msg));
}

/* ---------------------------------------------------------------------- */
/* the pool id                                                            */

enum cmfa_err
cmfa_cli_pool_id(struct cmfa_cli *cli, const char *pool_id)
{
	struct cmfa_buf b, line;
	enum cmfa_err e;
	int tries;

	if ((e = cmfa_cli_store(cli)) != CMFA_OK)
		return e;
	cmfa_buf_init(&line, POOL_ID_MAX * 4 + 2);
	if (cmfa_buf_appendf(&line, "%s\n", pool_id) != CMFA_OK) {
		cmfa_buf_free(&line);
		return cmfa_cli_service_error(cli, "ResourceNotFoundException",
		    "User pool %s does not exist.", pool_id);
	}
	for (tries = 0; tries < 2; tries++) {
		e = cmfa_file_read(cli->store.dirfd, POOL_ID_FILE, cli->owner,
		    POOL_ID_MAX * 4 + 2, &b, NULL);
		if (e == CMFA_OK) {
			bool same = b.len == line.len &&
			    memcmp(b.p, line.p, b.len) == 0;

			if (!same &&
			    (b.len < 2 || b.p[b.len - 1] != '\n' ||
			        memchr(b.p, '\n', b.len - 1) != NULL)) {
				cmfa_buf_free(&b);
				cmfa_buf_free(&line);
				return cmfa_cli_store_error(cli, CMFA_ERR_PARSE,
				    POOL_ID_FILE);
			}
			cmfa_buf_free(&b);
			cmfa_buf_free(&line);
			if (!same)
				return cmfa_cli_service_error(cli,
				    "ResourceNotFoundException",
				    "User pool %s does not exist.", pool_id);
			return CMFA_OK;
		}
		if (e != CMFA_ERR_NOTFOUND)
			break;
		e = cmfa_file_write_new(cli->store.dirfd, POOL_ID_FILE, line.p,
		    line.len, S_IRUSR | S_IWUSR);
		if (e == CMFA_OK) {
			cmfa_cli_debug(cli, "pool id %s saved", pool_id);
			break;
		}
		if (e != CMFA_ERR_EXISTS)
			break;
		/* another process saved one first: compare with it */
	}
	cmfa_buf_free(&line);
	if (e != CMFA_OK)
		return cmfa_cli_store_error(cli, e, POOL_ID_FILE);
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* users and the pool                                                     */

const char *
cmfa_cli_req_str(const cJSON *req, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

enum cmfa_err
cmfa_cli_username_storable(struct cmfa_cli *cli, const char *username)
{
	if (cmfa_username_valid(username, strlen(username)))
		return CMFA_OK;
	return cmfa_cli_service_error(cli, "InvalidParameterException",
	    "The local store cannot hold this user name: it must be 1 to %d "
	    "characters of A-Z a-z 0-9 and . _ @ + -, start with a letter, "
	    "a digit or '_', and have no \"..\" and no final '.'.",
	    CMFA_USERNAME_MAX);
}

enum cmfa_err
cmfa_cli_user_read(struct cmfa_cli *cli, const char *username,
    struct cmfa_user *out)
{
	struct cmfa_verr verr;
	enum cmfa_err e;

	if ((e = cmfa_cli_store(cli)) != CMFA_OK)
		return e;
	if (!cmfa_username_valid(username, strlen(username)))
		return cmfa_cli_service_error(cli, "UserNotFoundException",
		    "User does not exist.");
	memset(&verr, 0, sizeof(verr));
	e = cmfa_store_user_read(&cli->store, username, out, NULL, &verr);
	if (e == CMFA_ERR_NOTFOUND)
		return cmfa_cli_service_error(cli, "UserNotFoundException",
		    "User does not exist.");
	if (e == CMFA_ERR_VALIDATION || e == CMFA_ERR_PARSE)
		return cmfa_cli_service_error(cli, "InternalErrorException",
		    "Local store %s: users/%s.json is corrupt: %s",
		    cli->store_path, username, verr.message);
	if (e != CMFA_OK)
		return cmfa_cli_store_error(cli, e, "user record");
	return CMFA_OK;
}

enum cmfa_err
cmfa_cli_user_write(struct cmfa_cli *cli, const char *username, cJSON *doc)
{
	cJSON *date = cJSON_CreateNumber(cli->now_epoch);
	struct cmfa_verr verr;
	enum cmfa_err e;
	char *json = NULL;
	bool ok;

	/* in place when present, so the record keeps the model's order */
	if (cJSON_GetObjectItemCaseSensitive(doc, "UserLastModifiedDate") !=
	    NULL)
		ok = date != NULL &&
		    cJSON_ReplaceItemInObjectCaseSensitive(doc,
		        "UserLastModifiedDate", date);
	else
		ok = date != NULL &&
		    cJSON_AddItemToObject(doc, "UserLastModifiedDate", date);
	if (!ok)
		cJSON_Delete(date);
	if (!ok || (json = cJSON_PrintUnformatted(doc)) == NULL)
		return cmfa_cli_fail(cli, CMFA_ERR_NOMEM, CMFA_FAIL_INTERNAL,
		    "out of memory");
	memset(&verr, 0, sizeof(verr));
	e = cmfa_store_user_write(&cli->store, username, json, strlen(json),
	    &verr);
	free(json);
	if (e == CMFA_ERR_VALIDATION)
		return cmfa_cli_verr(cli, &verr);
	if (e != CMFA_OK)
		return cmfa_cli_store_error(cli, e, "user record");
	return CMFA_OK;
}

enum cmfa_err
cmfa_cli_pool_read(struct cmfa_cli *cli, struct cmfa_pool_config *out)
{
	struct cmfa_verr verr;
	enum cmfa_err e;

	if ((e = cmfa_cli_store(cli)) != CMFA_OK)
		return e;
	memset(&verr, 0, sizeof(verr));
	e = cmfa_store_pool_read(&cli->store, out, NULL, &verr);
	if (e == CMFA_ERR_VALIDATION || e == CMFA_ERR_PARSE)
		return cmfa_cli_service_error(cli, "InternalErrorException",
		    "Local store %s: pool.json is corrupt: %s", cli->store_path,
		    verr.message);
	if (e != CMFA_OK)
		return cmfa_cli_store_error(cli, e, "pool.json");
	return CMFA_OK;
}

enum cmfa_err
cmfa_cli_uuid(char out[37])
{
	uint8_t b[16];
	enum cmfa_err e;

	if ((e = cmfa_random_bytes(b, sizeof(b))) != CMFA_OK)
		return e;
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x"
	    "%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
	    b[11], b[12], b[13], b[14], b[15]);
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* records as the API shows them                                          */

cJSON *
cmfa_cli_user_type(const cJSON *rec)
{
	static const struct {
		const char *from, *to;
	} map[] = {
		{ "Username", "Username" },
		{ "UserAttributes", "Attributes" },
		{ "UserCreateDate", "UserCreateDate" },
		{ "UserLastModifiedDate", "UserLastModifiedDate" },
		{ "Enabled", "Enabled" },
		{ "UserStatus", "UserStatus" },
		{ "MFAOptions", "MFAOptions" },
	};
	const cJSON *v;
	cJSON *out, *c;
	size_t i;

	if ((out = cJSON_CreateObject()) == NULL)
		return NULL;
	for (i = 0; i < CMFA_ARRAY_LEN(map); i++) {
		v = cJSON_GetObjectItemCaseSensitive(rec, map[i].from);
		if (v == NULL || cJSON_IsNull(v))
			continue;
		if ((c = cJSON_Duplicate(v, 1)) == NULL ||
		    !cJSON_AddItemToObject(out, map[i].to, c)) {
			cJSON_Delete(c);
			cJSON_Delete(out);
			return NULL;
		}
	}
	return out;
}

/* E.164 as Cognito takes it: '+' and 1 to 15 digits... and no more. */
static bool
phone_ok(const char *s)
{
	size_t n = 0;

	if (*s++ != '+')
		return false;
	for (; *s != '\0'; s++, n++)
		if (*s < '0' || *s > '9')
			return false;
	return n >= 1 && n <= 15;
}

/* local@domain: one '@', both sides non-empty, no space or control. */
static bool
email_ok(const char *s)
{
	const char *at = strchr(s, '@'), *p;

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@'))
		return false;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

enum cmfa_err
cmfa_cli_check_attrs(struct cmfa_cli *cli, const cJSON *attrs, bool creating)
{
	const cJSON *it;
	const char *n, *v;

	cJSON_ArrayForEach(it, attrs)
	{
		n = cmfa_cli_req_str(it, "Name");
		v = cmfa_cli_req_str(it, "Value");
		if (n == NULL)
			continue;
		if (strcmp(n, "sub") == 0)
			return cmfa_cli_service_error(cli,
			    "InvalidParameterException",
			    creating
			        ? "Cannot set the non-mutable attribute "
			          "sub."
			        : "Cannot modify the non-mutable attribute "
			          "sub.");
		if (v == NULL || v[0] == '\0')
			continue;
		if (strcmp(n, "phone_number") == 0 && !phone_ok(v))
			return cmfa_cli_service_error(cli,
			    "InvalidParameterException",
			    "Invalid phone number format.");
		if (strcmp(n, "email") == 0 && !email_ok(v))
			return cmfa_cli_service_error(cli,
			    "InvalidParameterException",
			    "Invalid email address format.");
	}
	return CMFA_OK;
}

enum cmfa_err
cmfa_cli_totp_user_ready(struct cmfa_cli *cli, const char *name)
{
	struct cmfa_pool_config pool;
	struct cmfa_user u;
	enum cmfa_err e;

	memset(&u, 0, sizeof(u));
	if ((e = cmfa_cli_pool_read(cli, &pool)) != CMFA_OK)
		return e;
	if (!pool.totp) {
		cmfa_pool_free(&pool);
		return cmfa_cli_service_error(cli,
		    "SoftwareTokenMFANotFoundException",
		    "Software Token MFA has not been enabled by the userPool");
	}
	cmfa_pool_free(&pool);
	if ((e = cmfa_cli_user_read(cli, name, &u)) != CMFA_OK)
		return e;
	cmfa_user_free(&u);
	return CMFA_OK;
}

/*
 * The shared start of associate / verify: no API credentials, a
 * Username (botocore's message when missing), Cognito's constraints.
 */
enum cmfa_err
cmfa_cli_local_user(struct cmfa_cli *cli, const cJSON *req, const char **name)
{
	if (cJSON_GetObjectItemCaseSensitive(req, "AccessToken") != NULL)
		return cmfa_cli_api_refused(cli, "--access-token");
	if (cJSON_GetObjectItemCaseSensitive(req, "Session") != NULL)
		return cmfa_cli_api_refused(cli, "--session");
	if ((*name = cmfa_cli_req_str(req, "Username")) == NULL)
		return cmfa_cli_fail(cli, CMFA_ERR_VALIDATION,
		    CMFA_FAIL_VALIDATION,
		    "Missing required parameter in input: \"Username\" (the "
		    "local store has no access tokens: name the user)");
	return CMFA_OK;
}
