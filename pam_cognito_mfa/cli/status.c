/*
 * status.c: `cognito-mfa status [--max-age SECONDS]` (ours), and the
 * sync's record of its last run, sync-status.json.  No network.
 *
 * sync-status.json (store root, 0600, replaced atomically by every sync,
 * successful or not, by the sync's identity: root, or sync_user when it
 * is set; read with the synced objects' trust, store/syncown.c):
 *   {"Format": 1, "PoolId": "<id>", "Result": "ok" | "failed",
 *    "Time": <epoch: the run's start>, "Seconds": <float>,
 *    "Reason": "<one line>"          (failed only),
 *    "LastSuccess": <epoch>           (the last ok run's Time, if any),
 *    "Mode": "full" | "user"          (--user),
 *    "Synced": N, "Removed": N, "Skipped": N, "Failed": N,
 *    "Requests": N}
 * Parsed strictly (cmfa_cli_sync_status_parse; fuzzed: fuzz_syncstatus):
 * at most 16 KiB, an object, these members with these types (unknown
 * members ignored, for later versions).
 *
 * status prints, as JSON with sorted keys (or --output text):
 *   {"Store", "StoreFormat": 1, "UserPoolId" (the last sync's, else the
 *    config's; absent if neither), "Now", "MaxAge",
 *    "Cache": {"PoolConfig" | "UserPool": {"Synced", "AgeSeconds"} or
 *              absent when the file is missing,
 *              "OldestUser" | "NewestUser": {"Username", "Synced",
 *              "AgeSeconds"} (absent with no record), "Users": N records,
 *              "RemovedUsers": N removed records},
 *    "LastSync": the sync-status.json members (absent: never synced),
 *    "LockedUsers": list-locked-users' Users,
 *    "Healthy": bool, "Problems": ["...", ...]}
 * Exit status: 0 when healthy; 2 (CMFA_EXIT_CHECK, Nagios CRITICAL) when
 * pool.json is missing, any cache file (pool.json, user-pool.json, the
 * oldest user record) is older than max age, no sync ever ran, or the
 * last sync failed -- the JSON is printed all the same, and stderr has
 * one line naming the first problem.  The store unreadable: 253 as every
 * command.  Max age: --max-age, else the config's max_age, else 24 h
 * (when both are 0).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmfa_cli.h"
#include "cli_int.h"

#define STATUS_FILE "sync-status.json"
#define STATUS_DEFAULT_MAX_AGE 86400

/* ---------------------------------------------------------------------- */
/* sync-status.json                                                       */

static bool
get_num(const cJSON *doc, const char *name, double lo, double hi, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);

	if (v == NULL)
		return false;
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo) ||
	    !(v->valuedouble <= hi))
		return false;
	*out = v->valuedouble;
	return true;
}

static bool
get_uint(const cJSON *doc, const char *name, unsigned long *out)
{
	double d;

	if (!get_num(doc, name, 0, 4294967295.0, &d) || d != (double)(long)d)
		return false;
	*out = (unsigned long)d;
	return true;
}

static bool
get_time(const cJSON *doc, const char *name, int64_t *out)
{
	double d;

	if (!get_num(doc, name, 0, 253402300799.0, &d) ||
	    d != (double)(int64_t)d)
		return false;
	*out = (int64_t)d;
	return true;
}

static bool
get_str(const cJSON *doc, const char *name, char *out, size_t outsz)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);
	size_t len;

	if (!cJSON_IsString(v))
		return false;
	len = strlen(v->valuestring);
	if (len >= outsz || !cmfa_utf8_printable(v->valuestring, len, false))
		return false;
	memcpy(out, v->valuestring, len + 1);
	return true;
}

enum cmfa_err
cmfa_cli_sync_status_parse(const char *p, size_t len,
    struct cmfa_sync_status *out)
{
	struct cmfa_sync_status st;
	unsigned long fmt = 0, n[5];
	char result[16], mode[16];
	enum cmfa_err e;
	cJSON *doc = NULL;

	memset(&st, 0, sizeof(st));
	if (len > CMFA_SYNC_STATUS_MAX)
		return CMFA_ERR_TOOBIG;
	if ((e = cmfa_json_parse(p, len, CMFA_SYNC_STATUS_MAX, &doc)) !=
	    CMFA_OK)
		return e;
	e = CMFA_ERR_PARSE;
	if (!get_uint(doc, "Format", &fmt) || fmt != 1 ||
	    !get_str(doc, "PoolId", st.pool_id, sizeof(st.pool_id)) ||
	    !get_str(doc, "Result", result, sizeof(result)) ||
	    !get_time(doc, "Time", &st.time) ||
	    !get_num(doc, "Seconds", 0, 1e9, &st.seconds) ||
	    !get_uint(doc, "Synced", &n[0]) ||
	    !get_uint(doc, "Removed", &n[1]) ||
	    !get_uint(doc, "Skipped", &n[2]) ||
	    !get_uint(doc, "Failed", &n[3]) ||
	    !get_uint(doc, "Requests", &n[4]) ||
	    !get_str(doc, "Mode", mode, sizeof(mode)))
		goto out;
	if (strcmp(result, "ok") == 0)
		st.ok = true;
	else if (strcmp(result, "failed") != 0)
		goto out;
	if (strcmp(mode, "user") == 0)
		st.only_user = true;
	else if (strcmp(mode, "full") != 0)
		goto out;
	if (cJSON_GetObjectItemCaseSensitive(doc, "Reason") != NULL &&
	    !get_str(doc, "Reason", st.reason, sizeof(st.reason)))
		goto out;
	if (cJSON_GetObjectItemCaseSensitive(doc, "LastSuccess") != NULL &&
	    !get_time(doc, "LastSuccess", &st.last_success))
		goto out;
	st.synced = (unsigned)n[0];
	st.removed = (unsigned)n[1];
	st.skipped = (unsigned)n[2];
	st.failed = (unsigned)n[3];
	st.requests = n[4];
	*out = st;
	e = CMFA_OK;
out:
	cJSON_Delete(doc);
	return e;
}

static cJSON *
status_json(const struct cmfa_sync_status *st)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL;

	ok = ok && cJSON_AddNumberToObject(o, "Format", 1) != NULL;
	ok = ok && cJSON_AddStringToObject(o, "PoolId", st->pool_id) != NULL;
	ok = ok &&
	    cJSON_AddStringToObject(o, "Result", st->ok ? "ok" : "failed") !=
	        NULL;
	ok = ok && cJSON_AddNumberToObject(o, "Time", (double)st->time) != NULL;
	ok = ok &&
	    cJSON_AddNumberToObject(o, "Seconds",
	        (double)(long)(st->seconds * 1000) / 1000.0) != NULL;
	if (!st->ok)
		ok = ok &&
		    cJSON_AddStringToObject(o, "Reason", st->reason) != NULL;
	if (st->last_success > 0)
		ok = ok &&
		    cJSON_AddNumberToObject(o, "LastSuccess",
		        (double)st->last_success) != NULL;
	ok = ok &&
	    cJSON_AddStringToObject(o, "Mode",
	        st->only_user ? "user" : "full") != NULL;
	ok = ok && cJSON_AddNumberToObject(o, "Synced", st->synced) != NULL;
	ok = ok && cJSON_AddNumberToObject(o, "Removed", st->removed) != NULL;
	ok = ok && cJSON_AddNumberToObject(o, "Skipped", st->skipped) != NULL;
	ok = ok && cJSON_AddNumberToObject(o, "Failed", st->failed) != NULL;
	ok = ok &&
	    cJSON_AddNumberToObject(o, "Requests", (double)st->requests) !=
	        NULL;
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static enum cmfa_err
status_read(const struct cmfa_store *store, struct cmfa_sync_status *out)
{
	struct cmfa_buf b;
	enum cmfa_err e;

	if ((e = cmfa_store_synced_read(store, STATUS_FILE,
	         CMFA_SYNC_STATUS_MAX, &b, NULL)) != CMFA_OK)
		return e;
	e = cmfa_cli_sync_status_parse((const char *)b.p, b.len, out);
	cmfa_buf_free(&b);
	return e;
}

enum cmfa_err
cmfa_cli_sync_status_write(struct cmfa_cli *cli,
    const struct cmfa_sync_status *st)
{
	struct cmfa_sync_status prev, cur = *st;
	cJSON *o;
	char *p;
	enum cmfa_err e;

	/* LastSuccess: this run's time, or carried over from the last */
	if (cur.ok)
		cur.last_success = cur.time;
	else if (status_read(&cli->store, &prev) == CMFA_OK)
		cur.last_success = prev.ok ? prev.time : prev.last_success;
	if ((o = status_json(&cur)) == NULL)
		return CMFA_ERR_NOMEM;
	p = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (p == NULL)
		return CMFA_ERR_NOMEM;
	e = cmfa_file_write_atomic(cli->store.dirfd, STATUS_FILE, p, strlen(p),
	    0600);
	free(p);
	return e;
}

/* ---------------------------------------------------------------------- */
/* the command                                                            */

static const struct cmfa_cli_shape s_int = { .type = CMFA_CT_INT,
	.name = "IntegerType" };
static const struct cmfa_cli_member status_req_m[] = {
	{ "MaxAge", "max-age", &s_int, false },
};
static const struct cmfa_cli_shape status_req = { .type = CMFA_CT_STRUCT,
	.name = "StatusRequest",
	.members = status_req_m,
	.nmembers = CMFA_ARRAY_LEN(status_req_m) };

struct health {
	struct cmfa_cli *cli;
	int64_t max_age;
	cJSON *problems;
};

static void problem(struct health *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
problem(struct health *h, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	(void)cJSON_AddItemToArray(h->problems, cJSON_CreateString(line));
}

static cJSON *
age_obj(const struct health *h, const char *user, int64_t synced)
{
	cJSON *o = cJSON_CreateObject();
	int64_t age = h->cli->now > synced ? h->cli->now - synced : 0;

	if (o == NULL ||
	    (user != NULL &&
	        cJSON_AddStringToObject(o, "Username", user) == NULL) ||
	    cJSON_AddNumberToObject(o, "Synced", (double)synced) == NULL ||
	    cJSON_AddNumberToObject(o, "AgeSeconds", (double)age) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static void
check_age(struct health *h, const char *what, int64_t synced)
{
	int64_t age = h->cli->now > synced ? h->cli->now - synced : 0;

	if (age > h->max_age)
		problem(h, "%s is %lld s old (max age %lld s)", what,
		    (long long)age, (long long)h->max_age);
}

/* pool.json and user-pool.json */
static bool
pool_files(struct health *h, cJSON *cache)
{
	const struct cmfa_store *st = &h->cli->store;
	struct cmfa_buf b;
	int64_t t;
	enum cmfa_err e;

	e = cmfa_store_synced_read(st, "pool.json", CMFA_JSON_MAX_BYTES, &b,
	    &t);
	if (e == CMFA_OK) {
		cmfa_buf_free(&b);
		check_age(h, "pool.json", t);
		if (!cJSON_AddItemToObject(cache, "PoolConfig",
		        age_obj(h, NULL, t)))
			return false;
	} else
		problem(h, "pool.json: %s", cmfa_strerror(e));
	e = cmfa_store_synced_read(st, "user-pool.json", CMFA_JSON_MAX_BYTES,
	    &b, &t);
	if (e == CMFA_OK) {
		cmfa_buf_free(&b);
		check_age(h, "user-pool.json", t);
		if (!cJSON_AddItemToObject(cache, "UserPool",
		        age_obj(h, NULL, t)))
			return false;
	} else if (e != CMFA_ERR_NOTFOUND)
		problem(h, "user-pool.json: %s", cmfa_strerror(e));
	return true;
}

struct user_scan {
	unsigned records, removed, bad;
	char oldest[NAME_MAX + 1], newest[NAME_MAX + 1];
	int64_t t_old, t_new;
};

static void
scan_one(struct health *h, struct user_scan *u, const char *name)
{
	struct cmfa_user rec;
	int64_t t;
	enum cmfa_err e;

	memset(&rec, 0, sizeof(rec));
	e = cmfa_store_user_read(&h->cli->store, name, &rec, &t, NULL);
	if (e == CMFA_ERR_NOTFOUND)
		return;
	if (e != CMFA_OK) {
		if (u->bad++ == 0)
			problem(h, "users/%s.json: %s", name, cmfa_strerror(e));
		return;
	}
	u->records++;
	if (rec.removed)
		u->removed++;
	cmfa_user_free(&rec);
	if (u->records == 1 || t < u->t_old) {
		u->t_old = t;
		snprintf(u->oldest, sizeof(u->oldest), "%s", name);
	}
	if (u->records == 1 || t > u->t_new) {
		u->t_new = t;
		snprintf(u->newest, sizeof(u->newest), "%s", name);
	}
}

static bool
user_files(struct health *h, cJSON *cache)
{
	char name[NAME_MAX + 1];
	struct user_scan u;
	struct dirent *de;
	size_t len;
	DIR *d;
	int fd;

	memset(&u, 0, sizeof(u));
	if (cmfa_store_users_dir(&h->cli->store, &fd) != CMFA_OK) {
		problem(h, "users/ cannot be read");
		return true;
	}
	if ((d = fdopendir(fd)) == NULL) {
		(void)close(fd);
		problem(h, "users/ cannot be read");
		return true;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		memcpy(name, de->d_name, len - 5);
		name[len - 5] = '\0';
		if (cmfa_username_valid(name, len - 5))
			scan_one(h, &u, name);
	}
	(void)closedir(d);
	if (u.bad > 1)
		problem(h, "%u user records cannot be read", u.bad);
	if (u.records > 0) {
		check_age(h, "the oldest user record", u.t_old);
		if (!cJSON_AddItemToObject(cache, "OldestUser",
		        age_obj(h, u.oldest, u.t_old)) ||
		    !cJSON_AddItemToObject(cache, "NewestUser",
		        age_obj(h, u.newest, u.t_new)))
			return false;
	}
	return cJSON_AddNumberToObject(cache, "Users", u.records) != NULL &&
	    cJSON_AddNumberToObject(cache, "RemovedUsers", u.removed) != NULL;
}

static bool
last_sync(struct health *h, cJSON *out, const char **pool_id,
    struct cmfa_sync_status *st)
{
	enum cmfa_err e = status_read(&h->cli->store, st);
	cJSON *o;

	if (e == CMFA_ERR_NOTFOUND) {
		problem(h, "no sync has run (%s missing)", STATUS_FILE);
		return true;
	}
	if (e != CMFA_OK) {
		problem(h, "%s: %s", STATUS_FILE, cmfa_strerror(e));
		return true;
	}
	if (!st->ok)
		problem(h, "the last sync failed: %s", st->reason);
	*pool_id = st->pool_id;
	return (o = status_json(st)) != NULL &&
	    cJSON_AddItemToObject(out, "LastSync", o);
}

static bool
locked_users(struct health *h, cJSON *out)
{
	cJSON *resp = NULL, *users;
	bool ok;

	if (cmfa_cli_op_list_locked_users.run(h->cli, NULL, &resp) != CMFA_OK) {
		cJSON_Delete(resp);
		problem(h, "state/ cannot be read");
		return true;
	}
	users = cJSON_DetachItemFromObjectCaseSensitive(resp, "Users");
	cJSON_Delete(resp);
	ok = users != NULL && cJSON_AddItemToObject(out, "LockedUsers", users);
	if (!ok)
		cJSON_Delete(users);
	return ok;
}

static enum cmfa_err
print(struct cmfa_cli *cli, const cJSON *o)
{
	struct cmfa_buf b;
	enum cmfa_err e;

	cmfa_buf_init(&b, CMFA_CLI_MSG_MAX);
	e = cli->format == CMFA_OUT_TEXT ? cmfa_cli_text_dump(o, &b)
	                                 : cmfa_cli_json_dump(o, true, &b);
	if (e == CMFA_OK &&
	    (fwrite(b.p, 1, b.len, cli->out) != b.len || fflush(cli->out) != 0))
		e = CMFA_ERR_IO;
	cmfa_buf_free(&b);
	return e;
}

static enum cmfa_err
max_age(struct cmfa_cli *cli, const cJSON *req, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "MaxAge");
	double d;

	*out = cli->cfg.max_age > 0 ? (int64_t)cli->cfg.max_age
	                            : STATUS_DEFAULT_MAX_AGE;
	if (v == NULL)
		return CMFA_OK;
	d = cJSON_IsRaw(v) ? strtod(v->valuestring, NULL) : v->valuedouble;
	if (!(d >= 1 && d <= CMFA_CONFIG_MAX_AGE_MAX) || d != (double)(long)d)
		return cmfa_cli_param_error(cli, "--max-age",
		    "an integer from 1 to %u", CMFA_CONFIG_MAX_AGE_MAX);
	*out = (int64_t)d;
	return CMFA_OK;
}

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	struct cmfa_sync_status st;
	struct health h;
	const char *pool_id = NULL;
	cJSON *o = NULL, *cache;
	const cJSON *first;
	enum cmfa_err e;
	bool ok;

	(void)resp;
	memset(&h, 0, sizeof(h));
	h.cli = cli;
	if ((e = max_age(cli, req, &h.max_age)) != CMFA_OK ||
	    (e = cmfa_cli_store(cli)) != CMFA_OK)
		return e;
	if ((o = cJSON_CreateObject()) == NULL ||
	    (h.problems = cJSON_CreateArray()) == NULL ||
	    (cache = cJSON_AddObjectToObject(o, "Cache")) == NULL) {
		cJSON_Delete(h.problems);
		e = CMFA_ERR_NOMEM;
		goto out;
	}
	ok = pool_files(&h, cache) && user_files(&h, cache) &&
	    last_sync(&h, o, &pool_id, &st) && locked_users(&h, o);
	if (pool_id == NULL && cli->cfg.user_pool_id[0] != '\0')
		pool_id = cli->cfg.user_pool_id;
	ok = ok && cJSON_AddStringToObject(o, "Store", cli->store_path) &&
	    cJSON_AddNumberToObject(o, "StoreFormat", CMFA_STORE_FORMAT) &&
	    cJSON_AddNumberToObject(o, "Now", (double)cli->now) &&
	    cJSON_AddNumberToObject(o, "MaxAge", (double)h.max_age) &&
	    (pool_id == NULL ||
	        cJSON_AddStringToObject(o, "UserPoolId", pool_id)) &&
	    cJSON_AddBoolToObject(o, "Healthy",
	        cJSON_GetArraySize(h.problems) == 0);
	first = cJSON_GetArrayItem(h.problems, 0);
	if (!ok || !cJSON_AddItemToObject(o, "Problems", h.problems)) {
		if (!ok)
			cJSON_Delete(h.problems);
		e = CMFA_ERR_NOMEM;
		goto out;
	}
	if ((e = print(cli, o)) != CMFA_OK)
		goto out;
	if (first != NULL)
		e = cmfa_cli_fail(cli, CMFA_ERR_VALIDATION, CMFA_FAIL_CHECK,
		    "cognito-mfa: status: CRITICAL: %s", first->valuestring);
out:
	cJSON_Delete(o);
	if (e == CMFA_ERR_NOMEM)
		return cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL,
		    "out of memory");
	if (e == CMFA_ERR_IO)
		return cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL,
		    "cannot write the output");
	return e;
}

const struct cmfa_cli_op cmfa_cli_op_status = {
	.name = "status",
	.api = "Status",
	.input = &status_req,
	.output = NULL,
	.summary = "The cache's age, the last sync's result and the locked-out "
	           "users; exit 2 when stale or the last sync failed.",
	.help = "Options: --max-age SECONDS (default: the config's max_age, "
	        "else 86400).  Prints JSON; exit status 0 healthy, 2 "
	        "critical (stale cache, failed or missing sync).",
	.local_only = true,
	.run = run,
};
