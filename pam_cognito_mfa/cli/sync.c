/*
 * sync.c: `cognito-mfa sync [--user-pool-id ID] [--user NAME]
 * [--max-rps N]` (ours): the pool's MFA configuration and every user's MFA
 * settings from the Cognito API into the store (DESIGN.md D2, D11, D12).
 *
 * Always the API: the pool id is --user-pool-id or the config's
 * user_pool_id; the region, when nothing else names one, is the pool id's
 * prefix ("eu-west-1_AbC" -> eu-west-1).
 *
 * Order: fetch everything, then write.
 *   1. GetUserPoolMfaConfig -> pool.json and DescribeUserPool ->
 *      user-pool.json: the raw bodies, each checked by the parser the
 *      module uses before anything is written.
 *   2. ListUsers, every page (Limit 60).  With --user NAME: the one user
 *      whose Linux name is NAME -- AdminGetUser NAME directly with the
 *      default mapping; with map_attribute, ListUsers with a Filter
 *      'attr = "NAME"' when Cognito can filter on the attribute (sub and
 *      the standard ones ListUsers documents), else every page.
 *   3. Each user's Linux name (cmfa_cli_map_name); users refused by the
 *      mapping are skipped and reported; two users with one Linux name
 *      are both skipped and reported (a collision).
 *   4. AdminGetUser for each mapped user, concurrently (8 in flight),
 *      each response checked by cmfa_user_parse and mapped again (an
 *      attribute changed between the calls is a failure for that user).
 *   5. Writes, each atomic (cmfa_file_write_atomic via the store): pool
 *      .json (a lowered MFA level is logged loudly, D11), user-pool.json,
 *      users/<name>.json, then a removed record (core/user.c) for every
 *      record in users/ whose user left the pool, no longer maps, or
 *      collides.  Unchanged files are rewritten too: the mtime is the
 *      sync time.  Last, sync-status.json (cli/status.c).
 *
 * Failures:
 *  - anything that makes the listing or the pool config unknown (the pool
 *    calls or any ListUsers page failing after retries), a transport
 *    failure (connection refused, reset, truncated body, timeout), a
 *    credentials, region or configuration error, an authorisation error,
 *    throttling that outlasted the retries: the sync stops and writes
 *    nothing but sync-status.json ("failed"): the last good cache stays
 *    as it was, byte for byte;
 *  - one user's AdminGetUser failing after retries with any other
 *    service error (a 500 for that user), or a response that does not
 *    parse: that user's record is left as it was (neither refreshed nor
 *    marked removed), everything else is written, the exit status is
 *    254 and the line names the user.  A user deleted between ListUsers
 *    and AdminGetUser (UserNotFoundException) left the pool.
 * Exit status: 0; 252 bad options; 253 configuration, region,
 * credentials, the store; 254 the service refused (or a user failed);
 * 255 the transport.
 *
 * Rates (COGNITO.md 4.5, per account and region, shared by every host of
 * a fleet: UserRead 120/s covers AdminGetUser, UserList 30/s ListUsers,
 * UserPoolResourceRead 20/s and 5/s per operation and pool
 * GetUserPoolMfaConfig, UserPoolRead 15/s DescribeUserPool): the cap N
 * (sync_max_rps, --max-rps, 1..100) holds AdminGetUser to N/s, ListUsers
 * to N/4 per second (UserList is a quarter of UserRead), at least 1/s,
 * and the two pool reads to 1/s each (one call each per sync, so a fleet
 * of hosts with the timer's jitter stays far below 5/s per pool).  Every
 * attempt counts, retries included (aws/client.c spaces them 1/N s
 * apart: no burst).

 * Output: a progress line on stderr when stderr is a terminal; each
 * skipped user on stderr and to syslog (LOG_AUTHPRIV); the summary
 * "synced N users, removed N, skipped N, N requests, N.N s" on stdout.
 *
 * sync_user (cmfa_config.h): everything that talks to the network, reads
 * credentials or parses a response runs as that user, never as root.
 *  - Started as root (the shipped unit; an admin by hand): the store is
 *    opened (created if need be) as root and SHARED with the user
 *    (cmfa_store_share: the root dir root:<its primary group> 1770,
 *    sticky; pool.json, user-pool.json, sync-status.json, users/ and its
 *    records the user's; format 0644; totp/ pending/ state/ lock/ root's
 *    0700), then root drops every privilege for good before anything
 *    else: setgroups(0), setresgid and setresuid to the user, every
 *    capability cleared, no_new_privs, all checked (each uid and gid the
 *    user's, no supplementary group, no capability, setuid(0) and
 *    setgid(0) failing), and HOME set to the user's home.  Credentials,
 *    the AWS config files, every request and every write are the
 *    user's.  Only the store root's fd, opened as root, is carried over.
 *  - Started as the user itself (systemd User=, runuser): root's store
 *    is opened with the user as its sync owner and must have been shared
 *    (cmfa_store_shared_check); if not, the sync refuses (253) and says
 *    what is missing: run it once as root.  Capabilities are cleared and
 *    no_new_privs set the same way.
 *  - Started by anyone else, or sync_user root or a user whose primary
 *    group is gid 0: refused (253).
 * sync-status.json is written only once the sync runs as the user (a
 * root-owned one would be a file the user cannot replace).  The module
 * and the CLI trust the user for the synced objects only
 * (store/syncown.c has the trust rules and what the user can and cannot
 * do with write access to a sticky root).
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/capability.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cmfa_aws.h"
#include "cmfa_cli.h"
#include "cli_int.h"

#define SYNC_CONCURRENCY 8
#define SYNC_PAGE_LIMIT 60
#define SYNC_MAX_PAGES 100000u   /* 6 million users: a loop, not a pool */
#define SYNC_LIST_MAX (4u << 20) /* bytes of one ListUsers page */
#define SYNC_NAME_MAX 32         /* a Linux name (cli/mapping.c) */
#define SYNC_WHY_MAX 256

/* ---------------------------------------------------------------------- */
/* the command's shapes                                                   */

static const struct cmfa_cli_shape s_str = { .type = CMFA_CT_STRING,
	.name = "StringType",
	.has_min = true,
	.min = 1 };
static const struct cmfa_cli_shape s_int = { .type = CMFA_CT_INT,
	.name = "IntegerType" };
static const struct cmfa_cli_member sync_req_m[] = {
	{ "UserPoolId", "user-pool-id", &s_str, false },
	{ "User", "user", &s_str, false },
	{ "MaxRps", "max-rps", &s_int, false },
};
static const struct cmfa_cli_shape sync_req = { .type = CMFA_CT_STRUCT,
	.name = "SyncRequest",
	.members = sync_req_m,
	.nmembers = CMFA_ARRAY_LEN(sync_req_m) };

/* ---------------------------------------------------------------------- */
/* state of one run                                                       */

struct sync_ent {
	char *username;               /* Cognito's Username */
	cJSON *attrs;                 /* ListUsers' Attributes (owned) */
	char name[SYNC_NAME_MAX + 1]; /* the Linux name when mapped */
	char why[SYNC_WHY_MAX];       /* skipped: why */
	bool mapped, collided, fetched, failed, gone;
	struct cmfa_buf body; /* the AdminGetUser response */
};

struct sync {
	struct cmfa_cli *cli;
	struct cmfa_aws *aws;
	char pool_id[CMFA_CONFIG_POOL_ID_MAX + 1];
	const char *only; /* --user NAME */
	double rps;
	struct cmfa_buf pool, user_pool;
	struct sync_ent *v;
	size_t n, cap;
	size_t done;
	bool progress;
	unsigned synced, removed, skipped, failed;
	char fail_user[SYNC_NAME_MAX + 130];
	struct cmfa_aws_error fail_err; /* the first per-user failure */
	char reason[1024];              /* for sync-status.json */
	struct timespec t0;
	/* sync_user: none; root drops to it; started as it */
	enum { SYNC_AS_IS, SYNC_DROP, SYNC_SELF } as;
	uid_t sync_uid; /* (uid_t)-1: none */
	gid_t sync_gid;
	char sync_home[PATH_MAX]; /* its home: HOME after the drop */
	bool recordable;          /* sync-status.json may be written */
};

static void
ent_free(struct sync_ent *e)
{
	free(e->username);
	cJSON_Delete(e->attrs);
	cmfa_buf_free(&e->body);
}

static void
sync_free(struct sync *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		ent_free(&s->v[i]);
	free(s->v);
	cmfa_buf_free(&s->pool);
	cmfa_buf_free(&s->user_pool);
}

static double
elapsed(const struct sync *s)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - s->t0.tv_sec) +
	    (double)(t.tv_nsec - s->t0.tv_nsec) / 1e9;
}

static enum cmfa_err
nomem(struct sync *s)
{
	return cmfa_cli_fail(s->cli, CMFA_ERR_NOMEM, CMFA_FAIL_INTERNAL,
	    "out of memory");
}

/* Remember the first fatal reason for sync-status.json. */
static void set_reason(struct sync *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_reason(struct sync *s, const char *fmt, ...)
{
	va_list ap;

	if (s->reason[0] != '\0')
		return;
	va_start(ap, fmt);
	(void)vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
}

/* The AWS CLI's line for a client error (as cmfa_cli_aws_fail prints it). */
static void
aws_line(const char *op, const struct cmfa_aws_error *err, char *out,
    size_t outsz)
{
	char retries[48] = "";

	if (err->kind != CMFA_AWSERR_SERVICE) {
		snprintf(out, outsz, "%s: %.600s", op,
		    err->message[0] ? err->message : "the request failed");
		return;
	}
	if (err->max_retries && err->attempts > 1)
		snprintf(retries, sizeof(retries), " (reached max retries: %u)",
		    err->attempts - 1);
	snprintf(out, outsz,
	    "An error occurred (%.100s) when calling the %s operation%s: "
	    "%.600s",
	    err->type, op, retries, err->message);
}

/* A failure of the whole sync: reported, and remembered for the status. */
static enum cmfa_err
fatal(struct sync *s, const char *op, const struct cmfa_aws_error *err)
{
	char line[1024];

	aws_line(op, err, line, sizeof(line));
	set_reason(s, "%s", line);
	return cmfa_cli_aws_fail(s->cli, op, err);
}

/* ---------------------------------------------------------------------- */
/* calls                                                                  */

static char *
body_of(cJSON *o)
{
	char *p = o != NULL ? cJSON_PrintUnformatted(o) : NULL;

	cJSON_Delete(o);
	return p;
}

/* {"UserPoolId": id[, name: value]} */
static char *
pool_body(const struct sync *s, const char *name, const char *value)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL ||
	    cJSON_AddStringToObject(o, "UserPoolId", s->pool_id) == NULL ||
	    (name != NULL && cJSON_AddStringToObject(o, name, value) == NULL)) {
		cJSON_Delete(o);
		return NULL;
	}
	return body_of(o);
}

/* One call; the 2xx body into out (a new buffer). */
static enum cmfa_err
call(struct sync *s, const char *op, const char *body, size_t max,
    struct cmfa_buf *out)
{
	struct cmfa_aws_call c;
	enum cmfa_err e;

	memset(&c, 0, sizeof(c));
	c.op = op;
	c.body = body;
	c.body_len = strlen(body);
	e = cmfa_aws_cognito(s->aws, &c);
	if (e != CMFA_OK) {
		e = fatal(s, op, &c.error);
		cmfa_aws_call_release(&c);
		return e;
	}
	cmfa_buf_init(out, max);
	if (cmfa_buf_append(out, c.response.p, c.response.len) != CMFA_OK) {
		cmfa_buf_free(out);
		set_reason(s, "%s: the response is larger than %zu bytes", op,
		    max);
		e = cmfa_cli_fail(s->cli, CMFA_ERR_TOOBIG, CMFA_FAIL_SERVICE,
		    "the response is larger than %zu bytes", max);
		snprintf(s->cli->fail_type, sizeof(s->cli->fail_type), "%s",
		    "ResponseTooLarge");
		snprintf(s->cli->fail_api, sizeof(s->cli->fail_api), "%s", op);
	}
	cmfa_aws_call_release(&c);
	return e;
}

/* A response the module's parser refuses: the whole sync stops. */
static enum cmfa_err
bad_doc(struct sync *s, const char *op, const struct cmfa_verr *v)
{
	set_reason(s, "%s: the response does not parse: %s", op, v->message);
	if (s->cli->fail == CMFA_FAIL_NONE)
		snprintf(s->cli->fail_api, sizeof(s->cli->fail_api), "%s", op);
	return cmfa_cli_service_error(s->cli, "InvalidResponseException",
	    "the response does not parse: %s", v->message);
}

static enum cmfa_err
fetch_pool(struct sync *s)
{
	struct cmfa_pool_config pc;
	struct cmfa_verr v;
	enum cmfa_recovery rec;
	enum cmfa_err e;
	char *body;

	if ((body = pool_body(s, NULL, NULL)) == NULL)
		return nomem(s);
	e = call(s, "GetUserPoolMfaConfig", body, CMFA_JSON_MAX_BYTES,
	    &s->pool);
	if (e == CMFA_OK) {
		memset(&v, 0, sizeof(v));
		if (cmfa_pool_parse((const char *)s->pool.p, s->pool.len, &pc,
		        &v) != CMFA_OK)
			e = bad_doc(s, "GetUserPoolMfaConfig", &v);
		else
			cmfa_pool_free(&pc);
	}
	if (e == CMFA_OK &&
	    (e = call(s, "DescribeUserPool", body, CMFA_JSON_MAX_BYTES,
	         &s->user_pool)) == CMFA_OK) {
		memset(&v, 0, sizeof(v));
		if (cmfa_user_pool_recovery_parse((const char *)s->user_pool.p,
		        s->user_pool.len, &rec, &v) != CMFA_OK)
			e = bad_doc(s, "DescribeUserPool", &v);
	}
	free(body);
	return e;
}

/* ---------------------------------------------------------------------- */
/* the listing                                                            */

static enum cmfa_err
add_ent(struct sync *s, const char *username, const cJSON *attrs)
{
	struct sync_ent *nv, *e;
	size_t cap;

	if (s->n == s->cap) {
		cap = s->cap ? 2 * s->cap : 256;
		if ((nv = realloc(s->v, cap * sizeof(*nv))) == NULL)
			return CMFA_ERR_NOMEM;
		s->v = nv;
		s->cap = cap;
	}
	e = &s->v[s->n];
	memset(e, 0, sizeof(*e));
	cmfa_buf_init(&e->body, CMFA_JSON_MAX_BYTES);
	if ((e->username = strdup(username)) == NULL ||
	    (attrs != NULL && (e->attrs = cJSON_Duplicate(attrs, 1)) == NULL)) {
		ent_free(e);
		return CMFA_ERR_NOMEM;
	}
	s->n++;
	return CMFA_OK;
}

/* The users of one ListUsers page; *token the next page's token or "". */
static enum cmfa_err
list_page(struct sync *s, const struct cmfa_buf *b, char *token, size_t tokensz)
{
	cJSON *doc, *users, *it, *u, *t;
	enum cmfa_err e = CMFA_OK;

	token[0] = '\0';
	doc = cJSON_ParseWithLength((const char *)b->p, b->len);
	users = cJSON_GetObjectItemCaseSensitive(doc, "Users");
	if (!cJSON_IsObject(doc) || (users != NULL && !cJSON_IsArray(users))) {
		set_reason(s, "ListUsers: the response does not parse");
		cJSON_Delete(doc);
		return cmfa_cli_service_error(s->cli,
		    "InvalidResponseException",
		    "ListUsers: the response does not parse");
	}
	cJSON_ArrayForEach(it, users)
	{
		u = cJSON_GetObjectItemCaseSensitive(it, "Username");
		if (!cJSON_IsString(u) || u->valuestring[0] == '\0')
			continue; /* AdminGetUser would have nothing to ask */
		if ((e = add_ent(s, u->valuestring,
		         cJSON_GetObjectItemCaseSensitive(it, "Attributes"))) !=
		    CMFA_OK)
			break;
	}
	t = cJSON_GetObjectItemCaseSensitive(doc, "PaginationToken");
	if (e == CMFA_OK && cJSON_IsString(t) && t->valuestring[0] != '\0') {
		if (strlen(t->valuestring) >= tokensz) {
			set_reason(s,
			    "ListUsers: the pagination token is too "
			    "long");
			e = cmfa_cli_service_error(s->cli,
			    "InvalidResponseException",
			    "ListUsers: the pagination token is too long");
		} else
			snprintf(token, tokensz, "%s", t->valuestring);
	}
	cJSON_Delete(doc);
	return e == CMFA_ERR_NOMEM ? nomem(s) : e;
}

/* Every page (filter may be NULL). */
static enum cmfa_err
list_users(struct sync *s, const char *filter)
{
	char token[4096], prev[4096] = "";
	struct cmfa_buf b;
	unsigned pages = 0;
	enum cmfa_err e;
	cJSON *o;
	char *body;

	token[0] = '\0';
	do {
		o = cJSON_CreateObject();
		if (o == NULL ||
		    cJSON_AddStringToObject(o, "UserPoolId", s->pool_id) ==
		        NULL ||
		    cJSON_AddNumberToObject(o, "Limit", SYNC_PAGE_LIMIT) ==
		        NULL ||
		    (filter != NULL &&
		        cJSON_AddStringToObject(o, "Filter", filter) == NULL) ||
		    (token[0] != '\0' &&
		        cJSON_AddStringToObject(o, "PaginationToken", token) ==
		            NULL)) {
			cJSON_Delete(o);
			return nomem(s);
		}
		if ((body = body_of(o)) == NULL)
			return nomem(s);
		e = call(s, "ListUsers", body, SYNC_LIST_MAX, &b);
		free(body);
		if (e != CMFA_OK)
			return e;
		snprintf(prev, sizeof(prev), "%s", token);
		e = list_page(s, &b, token, sizeof(token));
		cmfa_buf_free(&b);
		if (e != CMFA_OK)
			return e;
		if (++pages > SYNC_MAX_PAGES ||
		    (token[0] != '\0' && strcmp(token, prev) == 0)) {
			set_reason(s, "ListUsers: the pages do not end");
			return cmfa_cli_service_error(s->cli,
			    "InvalidResponseException",
			    "ListUsers: the pages do not end");
		}
	} while (token[0] != '\0');
	return CMFA_OK;
}

/* The attributes ListUsers can filter on (COGNITO.md, ListUsers). */
static bool
filterable(const char *attr)
{
	static const char *const names[] = { "username", "email",
		"phone_number", "name", "given_name", "family_name",
		"preferred_username", "cognito:user_status", "status", "sub",
		NULL };
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], attr) == 0)
			return true;
	return false;
}

static enum cmfa_err
list_one(struct sync *s)
{
	const char *attr = s->cli->cfg.map_attribute;
	char filter[CMFA_CONFIG_NAME_MAX + SYNC_NAME_MAX + 16];

	if (attr[0] == '\0')
		return add_ent(s, s->only, NULL) == CMFA_OK ? CMFA_OK
		                                            : nomem(s);
	if (!filterable(attr))
		return list_users(s, NULL);
	/* NAME is a valid Linux name: no quote or backslash to escape */
	snprintf(filter, sizeof(filter), "%s = \"%s\"", attr, s->only);
	return list_users(s, filter);
}

/* ---------------------------------------------------------------------- */
/* mapping                                                                */

static int
ent_name_cmp(const void *a, const void *b)
{
	const struct sync_ent *x = *(const struct sync_ent *const *)a,
	                      *y = *(const struct sync_ent *const *)b;

	return strcmp(x->name, y->name);
}

static void
report_skip(struct sync *s, const char *username, const char *why)
{
	char shown[160];

	cmfa_sanitize(shown, sizeof(shown), username, strlen(username));
	fprintf(s->cli->err, "%scognito-mfa: sync: skipped %s: %s\n",
	    s->progress ? "\n" : "", shown, why);
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "sync of %s: skipped %s: %s",
	    s->pool_id, shown, why);
	s->skipped++;
}

static enum cmfa_err
map_all(struct sync *s)
{
	struct sync_ent **p;
	enum cmfa_err e;
	size_t i, j, k;

	for (i = 0; i < s->n; i++) {
		e = cmfa_cli_map_name(&s->cli->cfg, s->v[i].username,
		    s->v[i].attrs, s->v[i].name, sizeof(s->v[i].name),
		    s->v[i].why, sizeof(s->v[i].why));
		if (e == CMFA_ERR_NOMEM)
			return nomem(s);
		s->v[i].mapped = e == CMFA_OK;
		/* --user: only the user whose name is NAME */
		if (s->only != NULL && s->v[i].mapped &&
		    strcmp(s->v[i].name, s->only) != 0)
			s->v[i].mapped = false;
		else if (!s->v[i].mapped)
			report_skip(s, s->v[i].username, s->v[i].why);
	}
	if (s->n < 2)
		return CMFA_OK;
	if ((p = calloc(s->n, sizeof(*p))) == NULL)
		return nomem(s);
	for (i = k = 0; i < s->n; i++)
		if (s->v[i].mapped)
			p[k++] = &s->v[i];
	qsort(p, k, sizeof(*p), ent_name_cmp);
	for (i = 0; i < k; i = j) {
		for (j = i + 1; j < k && strcmp(p[i]->name, p[j]->name) == 0;
		     j++)
			;
		if (j - i < 2)
			continue;
		for (; i < j; i++) {
			p[i]->mapped = false;
			p[i]->collided = true;
			snprintf(p[i]->why, sizeof(p[i]->why),
			    "another pool user maps to the Linux name '%s' "
			    "too (both skipped)",
			    p[i]->name);
			report_skip(s, p[i]->username, p[i]->why);
		}
	}
	free(p);
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* AdminGetUser, concurrently                                             */

/* Errors that say every other call will fail the same way. */
static bool
whole_sync_error(const struct cmfa_aws_error *err)
{
	static const char *const types[] = { "UnrecognizedClientException",
		"InvalidSignatureException", "ExpiredTokenException",
		"AccessDeniedException", "NotAuthorizedException",
		"ResourceNotFoundException", "TooManyRequestsException",
		"ThrottlingException", "LimitExceededException",
		"MissingAuthenticationTokenException", NULL };
	size_t i;

	if (err->kind != CMFA_AWSERR_SERVICE)
		return true;
	for (i = 0; types[i] != NULL; i++)
		if (strcmp(err->type, types[i]) == 0)
			return true;
	return false;
}

static void
progress(struct sync *s)
{
	if (s->progress)
		fprintf(s->cli->err, "\rcognito-mfa: sync: %zu/%zu users",
		    s->done, s->n);
}

/* Re-map from AdminGetUser's own answer: it must say the same. */
static bool
same_mapping(struct sync *s, struct sync_ent *e, const struct cmfa_user *u)
{
	char name[SYNC_NAME_MAX + 1], why[SYNC_WHY_MAX];

	if (cmfa_cli_map_name(&s->cli->cfg, u->username,
	        cJSON_GetObjectItemCaseSensitive(u->doc, "UserAttributes"),
	        name, sizeof(name), why, sizeof(why)) != CMFA_OK ||
	    strcmp(name, e->name) != 0) {
		snprintf(e->why, sizeof(e->why),
		    "its Linux name changed during the sync");
		return false;
	}
	return true;
}

static void
user_failed(struct sync *s, struct sync_ent *e,
    const struct cmfa_aws_error *err)
{
	e->failed = true;
	s->failed++;
	if (s->fail_user[0] != '\0')
		return;
	cmfa_sanitize(s->fail_user, sizeof(s->fail_user), e->username,
	    strlen(e->username));
	s->fail_err = *err;
}

static enum cmfa_err
user_done(struct cmfa_aws_call *c, void *arg)
{
	struct sync *s = arg;
	struct sync_ent *e = c->user;
	struct cmfa_aws_error err;
	struct cmfa_verr v;
	struct cmfa_user u;

	s->done++;
	progress(s);
	if (c->error.kind != CMFA_AWSERR_NONE) {
		if (c->error.kind == CMFA_AWSERR_SERVICE &&
		    strcmp(c->error.type, "UserNotFoundException") == 0) {
			e->gone = true; /* deleted since the listing */
			return CMFA_OK;
		}
		if (whole_sync_error(&c->error))
			return fatal(s, "AdminGetUser", &c->error);
		user_failed(s, e, &c->error);
		return CMFA_OK;
	}
	memset(&v, 0, sizeof(v));
	if (cmfa_user_parse((const char *)c->response.p, c->response.len, &u,
	        &v) != CMFA_OK ||
	    !same_mapping(s, e, &u) ||
	    cmfa_buf_append(&e->body, c->response.p, c->response.len) !=
	        CMFA_OK) {
		if (u.doc == NULL && v.message[0] != '\0')
			snprintf(e->why, sizeof(e->why),
			    "the response does not parse: %.200s", v.message);
		memset(&err, 0, sizeof(err));
		err.kind = CMFA_AWSERR_SERVICE;
		snprintf(err.type, sizeof(err.type),
		    "InvalidResponseException");
		snprintf(err.message, sizeof(err.message), "%s",
		    e->why[0] ? e->why : "the response cannot be kept");
		cmfa_user_free(&u);
		user_failed(s, e, &err);
		return CMFA_OK;
	}
	cmfa_user_free(&u);
	e->fetched = true;
	return CMFA_OK;
}

static enum cmfa_err
fetch_users(struct sync *s)
{
	struct cmfa_aws_call *calls;
	size_t i, k = 0;
	enum cmfa_err e;

	if ((calls = calloc(s->n ? s->n : 1, sizeof(*calls))) == NULL)
		return nomem(s);
	for (i = 0; i < s->n; i++) {
		if (!s->v[i].mapped)
			continue;
		calls[k].op = "AdminGetUser";
		calls[k].user = &s->v[i];
		if ((calls[k].body = pool_body(s, "Username",
		         s->v[i].username)) == NULL) {
			e = nomem(s);
			goto out;
		}
		calls[k].body_len = strlen(calls[k].body);
		k++;
	}
	s->done = 0;
	s->progress = s->progress && k > 0;
	e = k == 0 ? CMFA_OK
	           : cmfa_aws_cognito_batch(s->aws, calls, k, SYNC_CONCURRENCY,
	                 user_done, s);
	if (s->progress)
		fputc('\n', s->cli->err);
	if (e != CMFA_OK && s->cli->fail == CMFA_FAIL_NONE) {
		set_reason(s, "AdminGetUser: %s", cmfa_strerror(e));
		e = cmfa_cli_fail(s->cli, e, CMFA_FAIL_INTERNAL,
		    "AdminGetUser: %s", cmfa_strerror(e));
	}
out:
	for (i = 0; i < k; i++) {
		free((char *)calls[i].body);
		calls[i].body = NULL;
		cmfa_aws_call_release(&calls[i]);
	}
	free(calls);
	return e;
}

/* ---------------------------------------------------------------------- */
/* writes                                                                 */

static void
log_lowered(struct sync *s, enum cmfa_mfa_level old, enum cmfa_mfa_level now)
{
	const char *host = cmfa_mfa_level_name(s->cli->cfg.mfa_floor);

	syslog(LOG_AUTHPRIV | LOG_WARNING,
	    "cognito-mfa sync: user pool %s LOWERED its MFA level from %s to "
	    "%s "
	    "(this host's mfa_floor: %s)",
	    s->pool_id, cmfa_mfa_level_name(old), cmfa_mfa_level_name(now),
	    host);
	fprintf(s->cli->err,
	    "cognito-mfa: WARNING: user pool %s lowered its MFA level from %s "
	    "to %s (this host's mfa_floor: %s)\n",
	    s->pool_id, cmfa_mfa_level_name(old), cmfa_mfa_level_name(now),
	    host);
}

static enum cmfa_err
store_fail(struct sync *s, enum cmfa_err e, const char *what)
{
	set_reason(s, "cannot write %s: %s", what, cmfa_strerror(e));
	return cmfa_cli_store_error(s->cli, e, what);
}

static enum cmfa_err
write_pool(struct sync *s)
{
	const struct cmfa_store *st = &s->cli->store;
	struct cmfa_pool_config old, now;
	struct cmfa_verr v;
	enum cmfa_err e;
	bool had;

	memset(&v, 0, sizeof(v));
	had = cmfa_store_pool_read(st, &old, NULL, &v) == CMFA_OK;
	if (cmfa_pool_parse((const char *)s->pool.p, s->pool.len, &now, &v) !=
	    CMFA_OK) {
		if (had)
			cmfa_pool_free(&old);
		return store_fail(s, CMFA_ERR_PARSE, "pool.json");
	}
	if (had && now.mfa < old.mfa)
		log_lowered(s, old.mfa, now.mfa);
	if (had)
		cmfa_pool_free(&old);
	cmfa_pool_free(&now);
	if ((e = cmfa_store_pool_write(st, (const char *)s->pool.p, s->pool.len,
	         &v)) != CMFA_OK)
		return store_fail(s, e, "pool.json");
	if ((e = cmfa_store_recovery_write(st, (const char *)s->user_pool.p,
	         s->user_pool.len, &v)) != CMFA_OK)
		return store_fail(s, e, "user-pool.json");
	return CMFA_OK;
}

/* A removed record for name (users/<name>.json exists, or --user). */
static enum cmfa_err
write_removed(struct sync *s, const char *name, const char *reason)
{
	const struct cmfa_store *st = &s->cli->store;
	struct cmfa_user old;
	int64_t when = s->cli->now;
	const char *username = name;
	cJSON *o = NULL;
	enum cmfa_err e;
	bool had;
	char *p;

	memset(&old, 0, sizeof(old));
	had = cmfa_store_user_read(st, name, &old, NULL, NULL) == CMFA_OK;
	if (had) {
		username = old.username;
		if (old.removed)
			when = old.removed_at; /* the first sync that saw it */
	}
	o = cJSON_CreateObject();
	if (o == NULL ||
	    cJSON_AddStringToObject(o, "Username", username) == NULL ||
	    cJSON_AddFalseToObject(o, "Enabled") == NULL ||
	    cJSON_AddNumberToObject(o, CMFA_USER_REMOVED_MEMBER,
	        (double)when) == NULL ||
	    cJSON_AddStringToObject(o, CMFA_USER_REMOVED_REASON, reason) ==
	        NULL) {
		cJSON_Delete(o);
		cmfa_user_free(&old);
		return nomem(s);
	}
	cmfa_user_free(&old);
	if ((p = body_of(o)) == NULL)
		return nomem(s);
	e = cmfa_store_user_write(st, name, p, strlen(p), NULL);
	free(p);
	if (e != CMFA_OK)
		return store_fail(s, e, "a removed record");
	s->removed++;
	return CMFA_OK;
}

/* Is some pool user's Cognito name this record's? */
static const struct sync_ent *
ent_by_name(const struct sync *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].name[0] != '\0' &&
		    strcmp(s->v[i].name, name) == 0 &&
		    (s->v[i].mapped || s->v[i].collided))
			return &s->v[i];
	return NULL;
}

/* Why users/<name>.json must become a removed record, or NULL to keep. */
static const char *
removal_reason(const struct sync *s, const char *name)
{
	const struct sync_ent *e = ent_by_name(s, name);
	size_t i;

	if (e != NULL) {
		if (e->collided)
			return "name-collision";
		if (e->fetched || e->failed)
			return NULL; /* refreshed, or left as it was */
		if (e->gone)
			return "not-in-pool";
	}
	/* a pool user whose Cognito name is the record's, mapped elsewhere
	 * or refused by the mapping */
	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].username, name) == 0)
			return "unmapped";
	return "not-in-pool";
}

/* Every record of users/ whose user is no longer the pool's. */
static enum cmfa_err
write_removals(struct sync *s)
{
	const struct cmfa_store *st = &s->cli->store;
	char name[NAME_MAX + 1];
	const char *reason;
	struct dirent *de;
	enum cmfa_err e = CMFA_OK;
	size_t len;
	DIR *d;
	int fd;

	if ((e = cmfa_store_users_dir(st, &fd)) != CMFA_OK)
		return store_fail(s, e, "users/");
	if ((d = fdopendir(fd)) == NULL) {
		(void)close(fd);
		return store_fail(s, CMFA_ERR_IO, "users/");
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		memcpy(name, de->d_name, len - 5);
		name[len - 5] = '\0';
		if (!cmfa_username_valid(name, len - 5))
			continue; /* temporary files start with '.' */
		if (s->only != NULL && strcmp(name, s->only) != 0)
			continue;
		if ((reason = removal_reason(s, name)) == NULL)
			continue;
		if ((e = write_removed(s, name, reason)) != CMFA_OK)
			break;
	}
	(void)closedir(d);
	return e;
}

static enum cmfa_err
write_users(struct sync *s)
{
	struct cmfa_verr v;
	enum cmfa_err e;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (!s->v[i].fetched)
			continue;
		memset(&v, 0, sizeof(v));
		e = cmfa_store_user_write(&s->cli->store, s->v[i].name,
		    (const char *)s->v[i].body.p, s->v[i].body.len, &v);
		if (e != CMFA_OK)
			return store_fail(s, e, "a user record");
		s->synced++;
	}
	/* --user NAME gone from the pool: its record says so */
	if (s->only != NULL && s->n == 1 && s->v[0].gone &&
	    s->cli->cfg.map_attribute[0] == '\0') {
		struct cmfa_user u;

		memset(&u, 0, sizeof(u));
		if (cmfa_store_user_read(&s->cli->store, s->only, &u, NULL,
		        NULL) != CMFA_ERR_NOTFOUND) {
			cmfa_user_free(&u);
			return CMFA_OK; /* write_removals marks it */
		}
		fprintf(s->cli->err,
		    "cognito-mfa: sync: %s is not in the pool (no record "
		    "written)\n",
		    s->only);
	}
	return CMFA_OK;
}

static enum cmfa_err
write_all(struct sync *s)
{
	enum cmfa_err e;

	if ((e = write_pool(s)) != CMFA_OK || (e = write_users(s)) != CMFA_OK)
		return e;
	return write_removals(s);
}

/* ---------------------------------------------------------------------- */
/* sync_user: the sync runs as it                                         */

static enum cmfa_err sync_user_fail(struct sync *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum cmfa_err
sync_user_fail(struct sync *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return cmfa_cli_fail(s->cli, CMFA_ERR_UNTRUSTED, CMFA_FAIL_CONFIG,
	    "sync_user is %s: %s", s->cli->cfg.sync_user, line);
}

/* Who runs the sync: root drops to the user, the user runs as itself. */
static enum cmfa_err
resolve_sync_user(struct sync *s)
{
	const char *name = s->cli->cfg.sync_user;
	struct passwd pw, *res = NULL;
	uid_t r, e, su;
	char buf[16384];

	s->as = SYNC_AS_IS;
	s->sync_uid = (uid_t)-1;
	if (name[0] == '\0')
		return CMFA_OK;
	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return cmfa_cli_fail(s->cli, CMFA_ERR_NOTFOUND,
		    CMFA_FAIL_CONFIG, "sync_user %s: no such user", name);
	if (pw.pw_uid == 0 || pw.pw_gid == 0)
		return sync_user_fail(s,
		    "it must be an unprivileged account (uid and primary group "
		    "other than 0), such as one made by useradd --system");
	s->sync_uid = pw.pw_uid;
	s->sync_gid = pw.pw_gid;
	snprintf(s->sync_home, sizeof(s->sync_home), "%s",
	    pw.pw_dir != NULL && pw.pw_dir[0] == '/' ? pw.pw_dir
	                                             : "/nonexistent");
	if (getresuid(&r, &e, &su) != 0)
		return sync_user_fail(s, "getresuid: %s", strerror(errno));
	if (e == 0)
		s->as = SYNC_DROP;
	else if (r == s->sync_uid && e == s->sync_uid && su == s->sync_uid) {
		s->as = SYNC_SELF;
		/* the store is root's; this process is its sync user */
		s->cli->owner = 0;
	} else
		return sync_user_fail(s,
		    "run the sync as root (it shares the store with %s, then "
		    "drops to it) or as %s",
		    name, name);
	return CMFA_OK;
}

/* Run as the sync user: has root shared the store with it? */
static enum cmfa_err
not_prepared(struct sync *s, const char *what)
{
	return sync_user_fail(s,
	    "the store %s is not shared with it (%s); run `cognito-mfa sync` "
	    "once as root: it shares the store with %s, then drops to it",
	    s->cli->store_path[0]
	        ? s->cli->store_path
	        : (s->cli->store_opt != NULL ? s->cli->store_opt
	                                     : s->cli->cfg.store),
	    what, s->cli->cfg.sync_user);
}

/* Before the store is opened: a clear word rather than the open's
 * "permission denied" (the trusted open decides, not this). */
static enum cmfa_err
precheck_shared(struct sync *s)
{
	const char *path =
	    s->cli->store_opt != NULL ? s->cli->store_opt : s->cli->cfg.store;
	const mode_t want = S_IRWXG | S_ISVTX;
	struct stat sb;

	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != 0 ||
	    sb.st_gid != s->sync_gid || (sb.st_mode & want) != want)
		return not_prepared(s,
		    "its root must be root's, group of the "
		    "sync user, mode 1770");
	return CMFA_OK;
}

/* No capability: effective, permitted, inheritable all empty (capget,
 * no libcap); the ambient set is a subset of permitted, so empty too. */
static bool
caps_empty(void)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];

	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &hdr, data) != 0)
		return false;
	return (data[0].effective | data[1].effective | data[0].permitted |
	           data[1].permitted | data[0].inheritable |
	           data[1].inheritable) == 0;
}

/* Clear every capability (always allowed) and forbid regaining any. */
static bool
lock_down(void)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];

	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	return syscall(SYS_capset, &hdr, data) == 0 &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) == 0 && caps_empty();
}

/* Is this process the sync user, every uid (and, after a drop, every
 * gid, no supplementary group but perhaps its own)? */
static bool
is_sync_user(const struct sync *s, bool dropped)
{
	uid_t r, e, su;
	gid_t rg, eg, sg, groups[1];
	int n;

	if (getresuid(&r, &e, &su) != 0 || r != s->sync_uid ||
	    e != s->sync_uid || su != s->sync_uid)
		return false;
	if (!dropped)
		return true; /* started as it: its groups are its own */
	if (getresgid(&rg, &eg, &sg) != 0 || rg != s->sync_gid ||
	    eg != s->sync_gid || sg != s->sync_gid)
		return false;
	n = getgroups(1, groups);
	return n == 0 || (n == 1 && groups[0] == s->sync_gid);
}

/* Root: every privilege gone, irreversibly, checked. */
static enum cmfa_err
drop_root(struct sync *s)
{
	if (setgroups(0, NULL) != 0 ||
	    setresgid(s->sync_gid, s->sync_gid, s->sync_gid) != 0 ||
	    setresuid(s->sync_uid, s->sync_uid, s->sync_uid) != 0)
		return sync_user_fail(s, "cannot drop to it: %s",
		    strerror(errno));
	if (!lock_down() || !is_sync_user(s, true) || setuid(0) == 0 ||
	    setgid(0) == 0)
		return sync_user_fail(s,
		    "privileges are still held after the drop: stopping");
	/* its own AWS files, as under systemd User= (root's are not its) */
	if (setenv("HOME", s->sync_home, 1) != 0)
		return sync_user_fail(s, "cannot set HOME");
	return CMFA_OK;
}

/*
 * Root: share the store, then drop.  The user: check the store is
 * shared.  Either way, from here on the process is the sync user with
 * no capability and no way back.
 */
static enum cmfa_err
become_sync_user(struct sync *s)
{
	struct cmfa_cli *cli = s->cli;
	const char *what = NULL;
	enum cmfa_err e;

	if (s->as == SYNC_AS_IS)
		return CMFA_OK;
	if (s->as == SYNC_DROP) {
		if ((e = cmfa_store_share(&cli->store, s->sync_uid, &what)) !=
		    CMFA_OK)
			return sync_user_fail(s,
			    "cannot share the store %s with it: %s: %s",
			    cli->store_path, what, cmfa_strerror(e));
		if ((e = drop_root(s)) != CMFA_OK)
			return e;
	} else {
		if (cmfa_store_shared_check(&cli->store, s->sync_uid, &what) !=
		    CMFA_OK)
			return not_prepared(s, what != NULL ? what : "?");
		if (!lock_down() || !is_sync_user(s, false))
			return sync_user_fail(s,
			    "cannot give up every capability: stopping");
	}
	cmfa_cli_debug(cli,
	    "sync: %s uid %lu gid %lu (%s): no capability, no_new_privs",
	    s->as == SYNC_DROP ? "dropped privileges to" : "running as",
	    (unsigned long)getuid(), (unsigned long)getgid(),
	    cli->cfg.sync_user);
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* the command                                                            */

static enum cmfa_err
options(struct sync *s, const cJSON *req)
{
	struct cmfa_cli *cli = s->cli;
	const char *id = cmfa_cli_req_str(req, "UserPoolId");
	const cJSON *rps = cJSON_GetObjectItemCaseSensitive(req, "MaxRps");
	struct cmfa_cli_cv cv;
	enum cmfa_err e;
	double d;

	if (cli->local)
		return cmfa_cli_fail(cli, CMFA_ERR_INVAL, CMFA_FAIL_CONFIG,
		    "sync reads the Cognito API into the store; --local "
		    "contradicts it.");
	if (id == NULL)
		id = cli->cfg.user_pool_id[0] != '\0' ? cli->cfg.user_pool_id
		                                      : NULL;
	if (id == NULL)
		return cmfa_cli_fail(cli, CMFA_ERR_INVAL, CMFA_FAIL_CONFIG,
		    "No user pool: give --user-pool-id or set user_pool_id in "
		    "%s.",
		    cli->config_path);
	cmfa_cli_cv_init(&cv);
	cmfa_cli_cv_pool_id(&cv, "userPoolId", id);
	e = cmfa_cli_cv_done(cli, &cv);
	cmfa_cli_cv_free(&cv);
	if (e != CMFA_OK)
		return e;
	snprintf(s->pool_id, sizeof(s->pool_id), "%s", id);
	s->only = cmfa_cli_req_str(req, "User");
	if (s->only != NULL && !cmfa_username_valid(s->only, strlen(s->only)))
		return cmfa_cli_param_error(cli, "--user",
		    "not a user name this store can hold");
	s->rps = cli->cfg.sync_max_rps;
	if (rps != NULL) {
		d = cJSON_IsRaw(rps) ? strtod(rps->valuestring, NULL)
		                     : rps->valuedouble;
		if (!(d >= 1 && d <= CMFA_CONFIG_RPS_MAX) ||
		    d != (double)(long)d)
			return cmfa_cli_param_error(cli, "--max-rps",
			    "an integer from 1 to %u", CMFA_CONFIG_RPS_MAX);
		s->rps = d;
	}
	return CMFA_OK;
}

static enum cmfa_err
open_api(struct sync *s)
{
	char region[CMFA_CONFIG_POOL_ID_MAX + 1];
	char *us;
	enum cmfa_err e;

	snprintf(region, sizeof(region), "%s", s->pool_id);
	if ((us = strchr(region, '_')) != NULL)
		*us = '\0';
	if ((e = cmfa_cli_aws(s->cli, region, &s->aws)) != CMFA_OK) {
		set_reason(s, "%s", cmfa_buf_str(&s->cli->fail_msg));
		return e;
	}
	cmfa_aws_limit(s->aws, "AdminGetUser", s->rps);
	cmfa_aws_limit(s->aws, "ListUsers", s->rps / 4 >= 1 ? s->rps / 4 : 1);
	cmfa_aws_limit(s->aws, "GetUserPoolMfaConfig", 1);
	cmfa_aws_limit(s->aws, "DescribeUserPool", 1);
	return CMFA_OK;
}

/* The failure line when some users could not be refreshed. */
static enum cmfa_err
users_failed(struct sync *s)
{
	char line[1024];
	struct cmfa_cli *cli = s->cli;

	aws_line("AdminGetUser", &s->fail_err, line, sizeof(line));
	set_reason(s, "%u user(s) not refreshed, first %s: %s", s->failed,
	    s->fail_user, line);
	if (cli->fail != CMFA_FAIL_NONE)
		return CMFA_ERR_IO;
	snprintf(cli->fail_api, sizeof(cli->fail_api), "AdminGetUser");
	cli->fail_retries = s->fail_err.max_retries && s->fail_err.attempts > 1
	    ? (int)s->fail_err.attempts - 1
	    : 0;
	return cmfa_cli_service_error(cli, s->fail_err.type,
	    "%s (user %s; %u of %zu users not refreshed, their records left "
	    "as they were)",
	    s->fail_err.message, s->fail_user, s->failed, s->n);
}

static void
summary(struct sync *s)
{
	fprintf(s->cli->out,
	    "synced %u users, removed %u, skipped %u, %lu requests, %.1f s\n",
	    s->synced, s->removed, s->skipped,
	    s->aws != NULL ? cmfa_aws_requests(s->aws) : 0UL, elapsed(s));
	fflush(s->cli->out);
}

static void
record_status(struct sync *s, bool ok)
{
	struct cmfa_sync_status st;

	memset(&st, 0, sizeof(st));
	st.time = s->cli->now;
	st.ok = ok;
	snprintf(st.pool_id, sizeof(st.pool_id), "%s", s->pool_id);
	snprintf(st.reason, sizeof(st.reason), "%s", ok ? "" : s->reason);
	st.synced = s->synced;
	st.removed = s->removed;
	st.skipped = s->skipped;
	st.failed = s->failed;
	st.requests = s->aws != NULL ? cmfa_aws_requests(s->aws) : 0;
	st.seconds = elapsed(s);
	st.only_user = s->only != NULL;
	if (cmfa_cli_sync_status_write(s->cli, &st) != CMFA_OK)
		fprintf(s->cli->err,
		    "cognito-mfa: warning: cannot write sync-status.json\n");
}

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	struct sync s;
	enum cmfa_err e;

	(void)resp;
	memset(&s, 0, sizeof(s));
	s.cli = cli;
	s.sync_uid = (uid_t)-1;
	(void)clock_gettime(CLOCK_MONOTONIC, &s.t0);
	cmfa_buf_init(&s.pool, CMFA_JSON_MAX_BYTES);
	cmfa_buf_init(&s.user_pool, CMFA_JSON_MAX_BYTES);
	s.progress = isatty(fileno(cli->err)) == 1;
	if ((e = options(&s, req)) != CMFA_OK ||
	    (e = resolve_sync_user(&s)) != CMFA_OK ||
	    (s.as == SYNC_SELF && (e = precheck_shared(&s)) != CMFA_OK) ||
	    (e = cmfa_cli_store(cli)) != CMFA_OK ||
	    (e = become_sync_user(&s)) != CMFA_OK)
		goto out; /* nothing written, not even the status */
	s.recordable = true;
	if ((e = open_api(&s)) != CMFA_OK || (e = fetch_pool(&s)) != CMFA_OK)
		goto failed;
	e = s.only != NULL ? list_one(&s) : list_users(&s, NULL);
	if (e != CMFA_OK || (e = map_all(&s)) != CMFA_OK ||
	    (e = fetch_users(&s)) != CMFA_OK)
		goto failed;
	if ((e = write_all(&s)) != CMFA_OK)
		goto failed;
	if (s.failed > 0) {
		e = users_failed(&s);
		record_status(&s, false);
	} else
		record_status(&s, true);
	summary(&s);
	goto out;
failed:
	if (s.reason[0] == '\0')
		set_reason(&s, "%s", cmfa_buf_str(&cli->fail_msg));
	if (s.recordable)
		record_status(&s, false);
out:
	sync_free(&s);
	return e;
}

const struct cmfa_cli_op cmfa_cli_op_sync = {
	.name = "sync",
	.api = "Sync",
	.input = &sync_req,
	.output = NULL,
	.summary = "Fetch the pool's MFA configuration and every user's MFA "
	           "settings from the Cognito API into the store.",
	.help =
	    "Options: --user-pool-id ID (default: the config's "
	    "user_pool_id), --user NAME (one user and the pool), --max-rps "
	    "N (AdminGetUser requests per second, 1..100; default "
	    "sync_max_rps).  Prints \"synced N users, removed N, skipped N, "
	    "N requests, N.N s\".",
	.local_only = true,
	.run = run,
};
