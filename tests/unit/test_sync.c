/*
 * test_sync.c: the sync's pieces that need no network: the D12 name
 * mapping (cmfa_cli_map_name), the removed record (core/user.c) and the
 * module's decision on it, the sync user's share of the store
 * (store/syncown.c: the trust rules, the shared root's mode and group,
 * cmfa_store_share and cmfa_store_shared_check; the ownership cases need
 * root and a passwd account such as daemon), and the sync-status.json
 * parser.
 */
#include <sys/stat.h>

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmfa_test.h"
#include "cmfa_fixture.h"

#include "cmfa_cli.h"
#include "cmfa_config.h"
#include "../../pam_cognito_mfa/cli/cli_int.h"

/* ---------------------------------------------------------------------- */
/* mapping                                                                */

static enum cmfa_err
map(const struct cmfa_config *cfg, const char *user, const char *attrs_json,
    char *out, size_t outsz)
{
	char why[256];
	cJSON *attrs = attrs_json ? cJSON_Parse(attrs_json) : NULL;
	enum cmfa_err e;

	e = cmfa_cli_map_name(cfg, user, attrs, out, outsz, why, sizeof(why));
	if (e != CMFA_OK)
		CHECK_MSG(why[0] != '\0', "no reason for %s", user);
	cJSON_Delete(attrs);
	return e;
}

static void
test_map_names(void)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{ "alice", true },
		{ "_svc", true },
		{ "a-b.c_d9", true },
		{ "user000001", true },
		{ "abcdefghijabcdefghijabcdefghijab", true },   /* 32 bytes */
		{ "abcdefghijabcdefghijabcdefghijabc", false }, /* 33 */
		{ "Alice", false },                             /* upper case */
		{ "ALICE", false },
		{ "1alice", false }, /* leading digit */
		{ "12345", false },  /* all digits: a uid */
		{ "alice@example.com", false },
		{ "al ice", false },
		{ "-alice", false },
		{ ".alice", false },
		{ "alice.", false }, /* trailing dot */
		{ "a..b", false },
		{ "alice$", false }, /* machine account */
		{ "al/ice", false },
		{ "al+ice", false },
		{ "", false },
		{ "caf\xc3\xa9", false },
		{ "zz-no-such-user-cmfa", true },
	};
	struct cmfa_config cfg;
	char out[64];
	size_t i;

	cmfa_config_defaults(&cfg);
	for (i = 0; i < CMFA_ARRAY_LEN(cases); i++) {
		memset(out, 'x', sizeof(out));
		enum cmfa_err e =
		    map(&cfg, cases[i].name, NULL, out, sizeof(out));
		CHECK_MSG((e == CMFA_OK) == cases[i].ok, "%s: %d",
		    cases[i].name, (int)e);
		if (cases[i].ok && e == CMFA_OK)
			CHECK_STR_EQ(out, cases[i].name);
		if (!cases[i].ok)
			CHECK_INT_EQ(e, CMFA_ERR_VALIDATION);
	}
	/* out too small: refused, never cut */
	CHECK_INT_EQ(map(&cfg, "alice", NULL, out, 5), CMFA_ERR_TOOBIG);
	CHECK_INT_EQ(cmfa_cli_map_name(&cfg, NULL, NULL, out, sizeof(out), NULL,
	                 0),
	    CMFA_ERR_INVAL);
}

/* the first system account of passwd other than root, if any */
static bool
some_system_account(char *name, size_t namesz)
{
	struct passwd *pw;
	bool found = false;

	setpwent();
	while ((pw = getpwent()) != NULL) {
		if (pw->pw_uid > 0 && pw->pw_uid < 1000 &&
		    strlen(pw->pw_name) < namesz &&
		    strspn(pw->pw_name, "abcdefghijklmnopqrstuvwxyz_-") ==
		        strlen(pw->pw_name)) {
			snprintf(name, namesz, "%s", pw->pw_name);
			found = true;
			break;
		}
	}
	endpwent();
	return found;
}

static void
test_map_system_accounts(void)
{
	struct cmfa_config cfg;
	char out[64], sys[33], why[256];

	cmfa_config_defaults(&cfg);
	/* root always counts as a system account */
	CHECK_INT_EQ(cmfa_cli_map_name(&cfg, "root", NULL, out, sizeof(out),
	                 why, sizeof(why)),
	    CMFA_ERR_VALIDATION);
	CHECK(strstr(why, "system account") != NULL);
	CHECK(strstr(why, "allow_system_users") != NULL);
	snprintf(cfg.allow_system_users, sizeof(cfg.allow_system_users),
	    "deploy,root");
	CHECK_INT_EQ(map(&cfg, "root", NULL, out, sizeof(out)), CMFA_OK);
	CHECK_STR_EQ(out, "root");
	/* a list entry is a whole name, not a prefix */
	snprintf(cfg.allow_system_users, sizeof(cfg.allow_system_users),
	    "roo,rootx");
	CHECK_INT_EQ(map(&cfg, "root", NULL, out, sizeof(out)),
	    CMFA_ERR_VALIDATION);
	if (!some_system_account(sys, sizeof(sys)))
		SKIP("no system account in passwd");
	cmfa_config_defaults(&cfg);
	CHECK_INT_EQ(map(&cfg, sys, NULL, out, sizeof(out)),
	    CMFA_ERR_VALIDATION);
	snprintf(cfg.allow_system_users, sizeof(cfg.allow_system_users), "x,%s",
	    sys);
	CHECK_INT_EQ(map(&cfg, sys, NULL, out, sizeof(out)), CMFA_OK);
	CHECK_STR_EQ(out, sys);
}

static void
test_map_attribute(void)
{
	struct cmfa_config cfg;
	char out[64];
	const char *attrs =
	    "[{\"Name\":\"email\",\"Value\":\"a@example.com\"},"
	    "{\"Name\":\"custom:linux_user\",\"Value\":\"bob\"},"
	    "{\"Name\":\"custom:empty\",\"Value\":\"\"},"
	    "{\"Name\":\"custom:bad\",\"Value\":\"Bob\"},"
	    "{\"Name\":\"custom:root\",\"Value\":\"root\"}]";

	cmfa_config_defaults(&cfg);
	snprintf(cfg.map_attribute, sizeof(cfg.map_attribute),
	    "custom:linux_user");
	cfg.map_attribute_admin_only = true;
	CHECK_INT_EQ(map(&cfg, "Some.Cognito@Name", attrs, out, sizeof(out)),
	    CMFA_OK);
	CHECK_STR_EQ(out, "bob");
	/* no attribute, or an empty one: refused, never the Username */
	CHECK_INT_EQ(map(&cfg, "alice", NULL, out, sizeof(out)),
	    CMFA_ERR_VALIDATION);
	CHECK_INT_EQ(map(&cfg, "alice", "[]", out, sizeof(out)),
	    CMFA_ERR_VALIDATION);
	snprintf(cfg.map_attribute, sizeof(cfg.map_attribute), "custom:empty");
	CHECK_INT_EQ(map(&cfg, "alice", attrs, out, sizeof(out)),
	    CMFA_ERR_VALIDATION);
	/* the attribute's value obeys the same rules */
	snprintf(cfg.map_attribute, sizeof(cfg.map_attribute), "custom:bad");
	CHECK_INT_EQ(map(&cfg, "alice", attrs, out, sizeof(out)),
	    CMFA_ERR_VALIDATION);
	snprintf(cfg.map_attribute, sizeof(cfg.map_attribute), "custom:root");
	CHECK_INT_EQ(map(&cfg, "alice", attrs, out, sizeof(out)),
	    CMFA_ERR_VALIDATION);
	/* sub: a uuid is a valid name only when it starts with a letter */
	snprintf(cfg.map_attribute, sizeof(cfg.map_attribute), "sub");
	CHECK_INT_EQ(map(&cfg, "x",
	                 "[{\"Name\":\"sub\",\"Value\":"
	                 "\"d2c4f7a0-1b2c-4d5e-8f90-123456789abc\"}]",
	                 out, sizeof(out)),
	    CMFA_ERR_VALIDATION); /* 36 bytes: longer than 32 */
}

/* ---------------------------------------------------------------------- */
/* the removed record                                                     */

static void
test_removed_record(void)
{
	const char *rec = "{\"Username\":\"alice\",\"Enabled\":false,"
	                  "\"CmfaRemovedFromPool\":1700000000,"
	                  "\"CmfaRemovedReason\":\"not-in-pool\"}";
	static const char *const bad[] = {
		"{\"Username\":\"a\",\"CmfaRemovedFromPool\":-1}",
		"{\"Username\":\"a\",\"CmfaRemovedFromPool\":1.5}",
		"{\"Username\":\"a\",\"CmfaRemovedFromPool\":\"1\"}",
		"{\"Username\":\"a\",\"CmfaRemovedFromPool\":true}",
		"{\"Username\":\"a\",\"CmfaRemovedFromPool\":1e300}",
		"{\"Username\":\"a\",\"CmfaRemovedFromPool\":1,"
		"\"CmfaRemovedReason\":\"\"}",
		"{\"Username\":\"a\",\"CmfaRemovedFromPool\":1,"
		"\"CmfaRemovedReason\":7}",
		"{\"CmfaRemovedFromPool\":1}",
	};
	struct cmfa_verr v;
	struct cmfa_user u;
	size_t i;

	CHECK_INT_EQ(cmfa_user_parse(rec, strlen(rec), &u, &v), CMFA_OK);
	CHECK(u.removed);
	CHECK_INT_EQ(u.removed_at, 1700000000);
	CHECK_STR_EQ(u.removed_reason, "not-in-pool");
	CHECK(!u.enabled);
	cmfa_user_free(&u);
	/* without Enabled: still removed */
	rec = "{\"Username\":\"a\",\"CmfaRemovedFromPool\":0}";
	CHECK_INT_EQ(cmfa_user_parse(rec, strlen(rec), &u, &v), CMFA_OK);
	CHECK(u.removed && u.enabled && u.removed_reason == NULL);
	cmfa_user_free(&u);
	rec = "{\"Username\":\"a\",\"Enabled\":true}";
	CHECK_INT_EQ(cmfa_user_parse(rec, strlen(rec), &u, &v), CMFA_OK);
	CHECK(!u.removed);
	cmfa_user_free(&u);
	for (i = 0; i < CMFA_ARRAY_LEN(bad); i++)
		CHECK_MSG(cmfa_user_parse(bad[i], strlen(bad[i]), &u, &v) !=
		        CMFA_OK,
		    "%s", bad[i]);
}

/* The module's decision on a removed record: denied, user-removed. */
static void
test_removed_denied(void)
{
	const char *rec = "{\"Username\":\"alice\",\"Enabled\":false,"
	                  "\"CmfaRemovedFromPool\":1700000000}";
	const char *pool = "{\"MfaConfiguration\":\"OFF\"}";
	struct cmfa_login_facts facts;
	struct cmfa_policy_out out;
	struct cmfa_policy_in in;
	struct cmfa_config cfg;
	struct cmfa_login l;
	struct tstore t;
	const char *what;

	if (!tstore_make(&t)) {
		CHECK(false);
		return;
	}
	CHECK_INT_EQ(cmfa_store_pool_write(&t.st, pool, strlen(pool), NULL),
	    CMFA_OK);
	CHECK_INT_EQ(cmfa_store_user_write(&t.st, "alice", rec, strlen(rec),
	                 NULL),
	    CMFA_OK);
	cmfa_config_defaults(&cfg);
	cmfa_login_init(&l);
	CHECK_INT_EQ(cmfa_login_load(&l, t.path, geteuid(), "alice", &what,
	                 NULL),
	    CMFA_OK);
	memset(&facts, 0, sizeof(facts));
	facts.in_scope = true;
	facts.now = 1700000100;
	cmfa_login_policy_in(&l, &cfg, &facts, &in);
	CHECK_INT_EQ(in.user_state, CMFA_USER_REMOVED);
	cmfa_policy_decide(&in, &out);
	/* even with the pool OFF: removed users never pass */
	CHECK_INT_EQ(out.outcome, CMFA_OUT_USER_DENIED);
	CHECK_INT_EQ(out.reason, CMFA_WHY_USER_REMOVED);
	CHECK_STR_EQ(cmfa_reason_name(out.reason), "user-removed");
	cmfa_login_release(&l);
	tstore_remove(&t);
}

/* ---------------------------------------------------------------------- */
/* the sync user's share of the store (root only: chown)                  */

#define SYNC_UID 61001
#define THIRD_UID 61002

static bool
put(struct tstore *t, const char *rel, const char *text, uid_t uid)
{
	char p[PATH_MAX + 64];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", t->path, rel);
	if ((f = fopen(p, "w")) == NULL)
		return false;
	fputs(text, f);
	if (fclose(f) != 0 || chmod(p, 0600) != 0)
		return false;
	return chown(p, uid, uid) == 0;
}

static bool
own(struct tstore *t, const char *rel, uid_t uid)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", t->path, rel);
	return chown(p, uid, uid) == 0;
}

static void
test_sync_owner_store(void)
{
	const char *rec = "{\"Username\":\"alice\"}";
	const char *pool = "{\"MfaConfiguration\":\"ON\","
	                   "\"SoftwareTokenMfaConfiguration\":{\"Enabled\":"
	                   "true}}";
	struct cmfa_pool_config pc;
	struct cmfa_user u;
	struct cmfa_buf b;
	struct tstore t;
	uint8_t key[64];
	size_t keylen;
	int fd;

	if (geteuid() != 0)
		SKIP("needs root (chown)");
	if (!tstore_make(&t)) {
		CHECK(false);
		return;
	}
	/* users/ and the record are the sync user's */
	CHECK(own(&t, "users", SYNC_UID));
	CHECK(put(&t, "users/alice.json", rec, SYNC_UID));
	CHECK(put(&t, "users/carol.json", rec, 0)); /* root's, in its users/ */
	CHECK(put(&t, "users/mallory.json", rec, THIRD_UID));
	CHECK(put(&t, "pool.json", pool, SYNC_UID));
	CHECK(put(&t, "sync-status.json", "{}", SYNC_UID));
	CHECK(put(&t, "totp/alice", "JBSWY3DPEHPK3PXP\n", SYNC_UID));

	/* without the sync owner: refused, as before */
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "alice", &u, NULL, NULL),
	    CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_store_pool_read(&t.st, &pc, NULL, NULL),
	    CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_store_users_dir(&t.st, &fd), CMFA_ERR_UNTRUSTED);

	cmfa_store_sync_owner(&t.st, SYNC_UID);
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "alice", &u, NULL, NULL),
	    CMFA_OK);
	cmfa_user_free(&u);
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "carol", &u, NULL, NULL),
	    CMFA_OK);
	cmfa_user_free(&u);
	CHECK_INT_EQ(cmfa_store_pool_read(&t.st, &pc, NULL, NULL), CMFA_OK);
	cmfa_pool_free(&pc);
	CHECK_INT_EQ(cmfa_store_synced_read(&t.st, "sync-status.json", 100, &b,
	                 NULL),
	    CMFA_OK);
	cmfa_buf_free(&b);
	CHECK_INT_EQ(cmfa_store_users_dir(&t.st, &fd), CMFA_OK);
	if (fd >= 0)
		close(fd);
	/* a third uid: refused */
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "mallory", &u, NULL, NULL),
	    CMFA_ERR_UNTRUSTED);
	/* secrets and other paths stay the owner's */
	CHECK_INT_EQ(cmfa_store_totp_load(&t.st, "alice", key, sizeof(key),
	                 &keylen),
	    CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_store_synced_read(&t.st, "totp/alice", 100, &b, NULL),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_synced_read(&t.st, "format", 100, &b, NULL),
	    CMFA_ERR_INVAL);
	/* group-writable: refused whatever the owner */
	{
		char p[PATH_MAX + 64];

		snprintf(p, sizeof(p), "%s/users/alice.json", t.path);
		CHECK(chmod(p, 0620) == 0);
		CHECK_INT_EQ(cmfa_store_user_read(&t.st, "alice", &u, NULL,
		                 NULL),
		    CMFA_ERR_UNTRUSTED);
	}
	/* users/ of a third uid: nothing in it is trusted */
	CHECK(own(&t, "users", THIRD_UID));
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "carol", &u, NULL, NULL),
	    CMFA_ERR_UNTRUSTED);
	tstore_remove(&t);
}

/* The module's view: cmfa_login_load with and without the sync owner. */
static void
test_sync_owner_login(void)
{
	const char *rec = "{\"Username\":\"alice\"}";
	struct cmfa_login l;
	struct tstore t;
	const char *what;

	if (geteuid() != 0)
		SKIP("needs root (chown)");
	if (!tstore_make(&t)) {
		CHECK(false);
		return;
	}
	CHECK(own(&t, "users", SYNC_UID));
	CHECK(put(&t, "users/alice.json", rec, SYNC_UID));
	CHECK(own(&t, "pool.json", SYNC_UID));
	cmfa_login_init(&l);
	CHECK_INT_EQ(cmfa_login_load(&l, t.path, 0, "alice", &what, NULL),
	    CMFA_ERR_UNTRUSTED);
	cmfa_login_release(&l);
	cmfa_login_init(&l);
	l.sync_owner = SYNC_UID;
	CHECK_INT_EQ(cmfa_login_load(&l, t.path, 0, "alice", &what, NULL),
	    CMFA_OK);
	CHECK(l.have_rec);
	cmfa_login_release(&l);
	cmfa_login_init(&l);
	l.sync_owner = THIRD_UID;
	CHECK_INT_EQ(cmfa_login_load(&l, t.path, 0, "alice", &what, NULL),
	    CMFA_ERR_UNTRUSTED);
	cmfa_login_release(&l);
	tstore_remove(&t);
}

/* ---------------------------------------------------------------------- */
/* the root shared with the sync user (root only: chown, chgrp)          */

#define OTHER_GID 61003

/* A real account to play the sync user: its uid and primary group (the
 * shared root's group comes from the passwd entry). */
static bool
real_sync_user(uid_t *uid, gid_t *gid)
{
	static const char *const names[] = { "daemon", "bin", "sys", "nobody" };
	const struct passwd *pw;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(names); i++)
		if ((pw = getpwnam(names[i])) != NULL && pw->pw_uid != 0 &&
		    pw->pw_gid != 0) {
			*uid = pw->pw_uid;
			*gid = pw->pw_gid;
			return true;
		}
	return false;
}

static bool
root_is(struct tstore *t, uid_t uid, gid_t gid, mode_t mode)
{
	struct stat sb;

	return stat(t->path, &sb) == 0 && sb.st_uid == uid &&
	    sb.st_gid == gid && (sb.st_mode & 07777) == mode;
}

static bool
entry_is(struct tstore *t, const char *rel, uid_t uid, mode_t mode)
{
	char p[PATH_MAX + 64];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", t->path, rel);
	return lstat(p, &sb) == 0 && sb.st_uid == uid &&
	    (sb.st_mode & 07777) == mode;
}

static enum cmfa_err
open_as(struct tstore *t, uid_t sync_uid)
{
	struct cmfa_store st;
	enum cmfa_err e;

	e = cmfa_store_open_sync(&st, t->path, 0, sync_uid);
	cmfa_store_close(&st);
	return e;
}

static void
test_shared_root_trust(void)
{
	struct cmfa_login l;
	struct tstore t;
	const char *what;
	uid_t su;
	gid_t sg;

	if (geteuid() != 0)
		SKIP("needs root (chgrp)");
	if (!real_sync_user(&su, &sg))
		SKIP("no daemon, bin, sys or nobody account");
	if (!tstore_make(&t)) {
		CHECK(false);
		return;
	}
	CHECK(chown(t.path, 0, sg) == 0 && chmod(t.path, 01770) == 0);
	CHECK_INT_EQ(open_as(&t, su), CMFA_OK);
	CHECK_INT_EQ(open_as(&t, (uid_t)-1), CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(open_as(&t, THIRD_UID), CMFA_ERR_UNTRUSTED);
	/* group write needs the sticky bit; other write is never allowed */
	CHECK(chmod(t.path, 0770) == 0);
	CHECK_INT_EQ(open_as(&t, su), CMFA_ERR_UNTRUSTED);
	CHECK(chmod(t.path, 01777) == 0);
	CHECK_INT_EQ(open_as(&t, su), CMFA_ERR_UNTRUSTED);
	CHECK(chmod(t.path, 01772) == 0);
	CHECK_INT_EQ(open_as(&t, su), CMFA_ERR_UNTRUSTED);
	/* only the sync user's own primary group */
	CHECK(chmod(t.path, 01770) == 0 && chown(t.path, 0, OTHER_GID) == 0);
	CHECK_INT_EQ(open_as(&t, su), CMFA_ERR_UNTRUSTED);
	/* a root of a third uid: never */
	CHECK(chown(t.path, THIRD_UID, sg) == 0 && chmod(t.path, 01770) == 0);
	CHECK_INT_EQ(open_as(&t, su), CMFA_ERR_UNTRUSTED);
	CHECK(chown(t.path, 0, sg) == 0 && chmod(t.path, 01730) == 0);
	CHECK_INT_EQ(open_as(&t, su), CMFA_OK);
	/* the module's view */
	cmfa_login_init(&l);
	CHECK_INT_EQ(cmfa_login_load(&l, t.path, 0, "alice", &what, NULL),
	    CMFA_ERR_UNTRUSTED);
	CHECK_STR_EQ(what, "store");
	cmfa_login_release(&l);
	cmfa_login_init(&l);
	l.sync_owner = su;
	CHECK_INT_EQ(cmfa_login_load(&l, t.path, 0, "alice", &what, NULL),
	    CMFA_OK);
	cmfa_login_release(&l);
	/* format stays root's: the sync user's is refused */
	CHECK(own(&t, "format", su));
	CHECK_INT_EQ(open_as(&t, su), CMFA_ERR_UNTRUSTED);
	tstore_remove(&t);
}

static void
test_share(void)
{
	const char *rec = "{\"Username\":\"alice\"}";
	char p[PATH_MAX + 64], q[PATH_MAX + 64];
	struct cmfa_pool_config pc;
	struct cmfa_store st;
	struct tstore t;
	const char *what;
	uid_t su;
	gid_t sg;

	if (geteuid() != 0)
		SKIP("needs root (chown)");
	if (!real_sync_user(&su, &sg))
		SKIP("no daemon, bin, sys or nobody account");
	if (!tstore_make(&t)) {
		CHECK(false);
		return;
	}
	CHECK(put(&t, "sync-status.json", "{}", 0));
	CHECK(put(&t, "users/alice.json", rec, 0));
	CHECK(put(&t, "users/carol.json", rec, THIRD_UID));
	CHECK(put(&t, "users/.alice.json.0123456789abcdef", rec, 0));
	CHECK_INT_EQ(cmfa_store_shared_check(&t.st, su, &what),
	    CMFA_ERR_UNTRUSTED);
	CHECK_STR_EQ(what, "the store root");
	CHECK_INT_EQ(cmfa_store_share(&t.st, su, &what), CMFA_OK);
	CHECK(root_is(&t, 0, sg, CMFA_STORE_SHARED_MODE));
	CHECK(entry_is(&t, "format", 0, 0644));
	CHECK(entry_is(&t, "pool.json", su, 0600));
	CHECK(entry_is(&t, "sync-status.json", su, 0600));
	CHECK(!entry_is(&t, "user-pool.json", su, 0600)); /* still absent */
	CHECK(entry_is(&t, "users", su, 0700));
	CHECK(entry_is(&t, "users/alice.json", su, 0600));
	CHECK(entry_is(&t, "users/carol.json", THIRD_UID, 0600));
	CHECK(entry_is(&t, "users/.alice.json.0123456789abcdef", 0, 0600));
	CHECK(entry_is(&t, "totp", 0, 0700) && entry_is(&t, "state", 0, 0700) &&
	    entry_is(&t, "pending", 0, 0700) && entry_is(&t, "lock", 0, 0700));
	CHECK_INT_EQ(cmfa_store_shared_check(&t.st, su, &what), CMFA_OK);
	/* the shared store opens and reads for the module */
	CHECK_INT_EQ(cmfa_store_open_sync(&st, t.path, 0, su), CMFA_OK);
	CHECK_INT_EQ(cmfa_store_pool_read(&st, &pc, NULL, NULL), CMFA_OK);
	cmfa_pool_free(&pc);
	cmfa_store_close(&st);
	/* idempotent; repairs root's private directories */
	snprintf(p, sizeof(p), "%s/pending", t.path);
	CHECK(rmdir(p) == 0);
	snprintf(p, sizeof(p), "%s/totp", t.path);
	CHECK(chmod(p, 0755) == 0);
	CHECK_INT_EQ(cmfa_store_share(&t.st, su, &what), CMFA_OK);
	CHECK(
	    entry_is(&t, "pending", 0, 0700) && entry_is(&t, "totp", 0, 0700));
	CHECK(root_is(&t, 0, sg, CMFA_STORE_SHARED_MODE));
	/* root's pool.json again: not shared (the user could not replace
	 * it); sharing hands it over once more */
	CHECK(own(&t, "pool.json", 0));
	CHECK_INT_EQ(cmfa_store_shared_check(&t.st, su, &what),
	    CMFA_ERR_UNTRUSTED);
	CHECK_STR_EQ(what, "pool.json");
	CHECK_INT_EQ(cmfa_store_share(&t.st, su, &what), CMFA_OK);
	CHECK(entry_is(&t, "pool.json", su, 0600));
	/* refused: a third uid's file, root's symlink, root's second link */
	CHECK(own(&t, "pool.json", THIRD_UID));
	CHECK_INT_EQ(cmfa_store_share(&t.st, su, &what), CMFA_ERR_UNTRUSTED);
	CHECK_STR_EQ(what, "pool.json");
	snprintf(p, sizeof(p), "%s/pool.json", t.path);
	CHECK(unlink(p) == 0 && symlink("format", p) == 0);
	CHECK_INT_EQ(cmfa_store_share(&t.st, su, &what), CMFA_ERR_UNTRUSTED);
	CHECK(unlink(p) == 0);
	CHECK(put(&t, "pool.json", "{\"MfaConfiguration\":\"OFF\"}", 0));
	snprintf(q, sizeof(q), "%s/pool2", t.path);
	CHECK(link(p, q) == 0);
	CHECK_INT_EQ(cmfa_store_share(&t.st, su, &what), CMFA_ERR_UNTRUSTED);
	CHECK(entry_is(&t, "pool.json", 0, 0600)); /* left as it was */
	CHECK(unlink(q) == 0);
	/* users/ of root again: not shared */
	CHECK(own(&t, "pool.json", su) && own(&t, "users", 0));
	CHECK_INT_EQ(cmfa_store_shared_check(&t.st, su, &what),
	    CMFA_ERR_UNTRUSTED);
	CHECK_STR_EQ(what, "users/");
	tstore_remove(&t);
}

/* ---------------------------------------------------------------------- */
/* sync-status.json                                                       */

static void
test_status_parse(void)
{
	const char *ok = "{\"Format\":1,\"PoolId\":\"eu-west-1_Ab\","
	                 "\"Result\":\"ok\",\"Time\":1700000000,"
	                 "\"Seconds\":1.25,\"LastSuccess\":1700000000,"
	                 "\"Mode\":\"full\",\"Synced\":150,\"Removed\":2,"
	                 "\"Skipped\":3,\"Failed\":0,\"Requests\":160,"
	                 "\"Later\":[1]}";
	const char *failed = "{\"Format\":1,\"PoolId\":\"p_1\","
	                     "\"Result\":\"failed\",\"Reason\":\"down\","
	                     "\"Time\":5,\"Seconds\":0,\"Mode\":\"user\","
	                     "\"Synced\":0,\"Removed\":0,\"Skipped\":0,"
	                     "\"Failed\":1,\"Requests\":3}";
	static const char *const bad[] = {
		"{}",
		"[]",
		"{\"Format\":2,\"PoolId\":\"p\",\"Result\":\"ok\",\"Time\":1,"
		"\"Seconds\":0,\"Mode\":\"full\",\"Synced\":0,\"Removed\":0,"
		"\"Skipped\":0,\"Failed\":0,\"Requests\":0}",
		"{\"Format\":1,\"PoolId\":\"p\",\"Result\":\"maybe\","
		"\"Time\":1,\"Seconds\":0,\"Mode\":\"full\",\"Synced\":0,"
		"\"Removed\":0,\"Skipped\":0,\"Failed\":0,\"Requests\":0}",
		"{\"Format\":1,\"PoolId\":\"p\",\"Result\":\"ok\",\"Time\":-1,"
		"\"Seconds\":0,\"Mode\":\"full\",\"Synced\":0,\"Removed\":0,"
		"\"Skipped\":0,\"Failed\":0,\"Requests\":0}",
		"{\"Format\":1,\"PoolId\":\"p\",\"Result\":\"ok\",\"Time\":1,"
		"\"Seconds\":0,\"Mode\":\"full\",\"Synced\":0.5,\"Removed\":0,"
		"\"Skipped\":0,\"Failed\":0,\"Requests\":0}",
		"{\"Format\":1,\"PoolId\":\"p\",\"Result\":\"ok\",\"Time\":1,"
		"\"Seconds\":0,\"Mode\":\"full\",\"Synced\":0,\"Removed\":0,"
		"\"Skipped\":0,\"Failed\":0}",
		"{\"Format\":1,\"PoolId\":\"p\\u0007\",\"Result\":\"ok\","
		"\"Time\":1,\"Seconds\":0,\"Mode\":\"full\",\"Synced\":0,"
		"\"Removed\":0,\"Skipped\":0,\"Failed\":0,\"Requests\":0}",
	};
	struct cmfa_sync_status st;
	size_t i;

	CHECK_INT_EQ(cmfa_cli_sync_status_parse(ok, strlen(ok), &st), CMFA_OK);
	CHECK(st.ok && !st.only_user);
	CHECK_STR_EQ(st.pool_id, "eu-west-1_Ab");
	CHECK_INT_EQ(st.time, 1700000000);
	CHECK_INT_EQ(st.synced, 150);
	CHECK_INT_EQ(st.removed, 2);
	CHECK_INT_EQ(st.skipped, 3);
	CHECK_INT_EQ(st.requests, 160);
	CHECK_INT_EQ(cmfa_cli_sync_status_parse(failed, strlen(failed), &st),
	    CMFA_OK);
	CHECK(!st.ok && st.only_user && st.last_success == 0);
	CHECK_STR_EQ(st.reason, "down");
	for (i = 0; i < CMFA_ARRAY_LEN(bad); i++)
		CHECK_MSG(cmfa_cli_sync_status_parse(bad[i], strlen(bad[i]),
		              &st) != CMFA_OK,
		    "%s", bad[i]);
}

TEST_MAIN_BEGIN("test_sync")
	RUN(test_map_names);
	RUN(test_map_system_accounts);
	RUN(test_map_attribute);
	RUN(test_removed_record);
	RUN(test_removed_denied);
	RUN(test_sync_owner_store);
	RUN(test_sync_owner_login);
	RUN(test_shared_root_trust);
	RUN(test_share);
	RUN(test_status_parse);
TEST_MAIN_END
