/*
 * test_store.c: the store's layout, format version, user names, cached
 * Cognito documents and TOTP secrets, each store made under /tmp and
 * removed on every path.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <unistd.h>

#include "cmfa_otp.h"
#include "cmfa_store.h"
#include "cmfa_fixture.h"
#include "cmfa_test.h"

/* a valid name of exactly CMFA_USERNAME_MAX (64) bytes */
#define NAME_64                                                                \
	"01234567890123456789012345678901"                                     \
	"23456789012345678901234567890123"

/* Write path-relative file in the store root (no checks: a test fixture). */
static bool
put(const char *root, const char *rel, const char *content, mode_t mode)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return cmfa_fixture_put(p, content, strlen(content), mode);
}

/* Contents of root/rel into buf ("" when unreadable). */
static const char *
get(const char *root, const char *rel, char *buf, size_t sz)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return cmfa_fixture_get(p, buf, sz);
}

static mode_t
mode_of(const char *root, const char *rel)
{
	char p[PATH_MAX + 64];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (lstat(p, &sb) != 0)
		return (mode_t)-1;
	return sb.st_mode & 07777;
}

static void
test_username(void)
{
	static const char *const good[] = {
		"a",
		"Z",
		"0",
		"_",
		"alice",
		"Alice.Smith",
		"a.b.c",
		"user@example.com",
		"first+tag",
		"x-y_z",
		"a-",
		"_svc",
		NAME_64,
	};
	static const struct {
		const char *name;
		size_t len;
	} bad[] = {
		{ "", 0 },
		{ "-x", 2 },
		{ ".x", 2 },
		{ "@x", 2 },
		{ "+x", 2 },
		{ "a/b", 3 },
		{ "..", 2 },
		{ ".", 1 },
		{ "a..b", 4 },
		{ "x.", 2 },
		{ "a b", 3 },
		{ "a\tb", 3 },
		{ "a\nb", 3 },
		{ "a\x7f", 2 },
		{ "a\x01", 2 },
		{ "a\0b", 3 },
		{ "a\\b", 3 },
		{ "a:b", 3 },
		{ "a*b", 3 },
		{ "a%b", 3 },
		{ "a=b", 3 },
		{ "caf\xc3\xa9", 5 },
		{ "\xc3\xa9", 2 },
		{ "a~", 2 },
		{ "01234567890123456789012345678901234567890123456789012345678"
		  "901234",
		    65 },
	};
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(good); i++)
		CHECK_MSG(cmfa_username_valid(good[i], strlen(good[i])), "%s",
		    good[i]);
	for (i = 0; i < CMFA_ARRAY_LEN(bad); i++)
		CHECK_MSG(!cmfa_username_valid(bad[i].name, bad[i].len),
		    "case %zu", i);
	CHECK(!cmfa_username_valid(NULL, 1));
	/* the length bounds the check, not a NUL */
	CHECK(cmfa_username_valid("ab/", 2));
	CHECK(!cmfa_username_valid("ab/", 3));
}

static void
test_init_layout(void)
{
	static const char *const dirs[] = {
		"users",
		"totp",
		"pending",
		"state",
		"lock",
	};
	struct tstore t;
	char buf[256], p[PATH_MAX + 64];
	size_t i;

	if (!tstore_dir(&t)) {
		CHECK(0);
		tstore_remove(&t);
		return;
	}
	CHECK_INT_EQ(cmfa_store_init(t.path, geteuid()), CMFA_OK);
	CHECK_INT_EQ(mode_of(t.top, "store"), 0700);
	for (i = 0; i < CMFA_ARRAY_LEN(dirs); i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "store/%s", dirs[i]);
		CHECK_MSG(mode_of(t.top, rel) == 0700, "%s", dirs[i]);
	}
	CHECK_STR_EQ(get(t.path, "format", buf, sizeof(buf)), "1\n");
	CHECK_INT_EQ(mode_of(t.path, "format"), 0600);
	CHECK_STR_EQ(get(t.path, "pool.json", buf, sizeof(buf)),
	    "{\"MfaConfiguration\":\"OFF\"}");
	CHECK_INT_EQ(mode_of(t.path, "pool.json"), 0600);

	/* idempotent, and it never overwrites */
	CHECK(put(t.path, "pool.json", "{\"MfaConfiguration\":\"ON\"}", 0600));
	snprintf(p, sizeof(p), "%s/lock", t.path);
	CHECK(rmdir(p) == 0);
	CHECK_INT_EQ(cmfa_store_init(t.path, geteuid()), CMFA_OK);
	CHECK_STR_EQ(get(t.path, "pool.json", buf, sizeof(buf)),
	    "{\"MfaConfiguration\":\"ON\"}");
	CHECK_INT_EQ(mode_of(t.path, "lock"), 0700); /* recreated */
	/* a missing pool.json is recreated, a format kept */
	snprintf(p, sizeof(p), "%s/pool.json", t.path);
	CHECK(unlink(p) == 0);
	CHECK_INT_EQ(cmfa_store_init(t.path, geteuid()), CMFA_OK);
	CHECK_STR_EQ(get(t.path, "pool.json", buf, sizeof(buf)),
	    "{\"MfaConfiguration\":\"OFF\"}");
	/* a trailing slash is the same store */
	snprintf(p, sizeof(p), "%s/", t.path);
	CHECK_INT_EQ(cmfa_store_init(p, geteuid()), CMFA_OK);

	/* another format version is never touched */
	CHECK(put(t.path, "format", "2\n", 0600));
	CHECK_INT_EQ(cmfa_store_init(t.path, geteuid()), CMFA_ERR_VERSION);
	CHECK_STR_EQ(get(t.path, "format", buf, sizeof(buf)), "2\n");

	/* refused arguments */
	CHECK_INT_EQ(cmfa_store_init("relative/store", geteuid()),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_init("/", geteuid()), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_init(NULL, geteuid()), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_init(t.path, geteuid() + 1), CMFA_ERR_INVAL);
	snprintf(p, sizeof(p), "%s/..", t.path);
	CHECK_INT_EQ(cmfa_store_init(p, geteuid()), CMFA_ERR_INVAL);
	snprintf(p, sizeof(p), "%s/missing/store", t.top);
	CHECK_INT_EQ(cmfa_store_init(p, geteuid()), CMFA_ERR_NOTFOUND);
	tstore_remove(&t);
}

static void
test_init_untrusted(void)
{
	struct tstore t;
	char p[PATH_MAX + 64];

	if (!tstore_dir(&t)) {
		CHECK(0);
		tstore_remove(&t);
		return;
	}
	/* a world-writable parent without the sticky bit */
	snprintf(p, sizeof(p), "%s/open", t.top);
	CHECK(mkdir(p, 0700) == 0 && chmod(p, 0777) == 0);
	snprintf(p, sizeof(p), "%s/open/store", t.top);
	CHECK_INT_EQ(cmfa_store_init(p, geteuid()), CMFA_ERR_UNTRUSTED);
	CHECK(access(p, F_OK) != 0); /* nothing created */
	/* a symlink for the root */
	snprintf(p, sizeof(p), "%s/real", t.top);
	CHECK(mkdir(p, 0700) == 0);
	CHECK(symlink("real", t.path) == 0);
	CHECK_INT_EQ(cmfa_store_init(t.path, geteuid()), CMFA_ERR_UNTRUSTED);
	CHECK(unlink(t.path) == 0);
	/* an existing root that others can write */
	CHECK(mkdir(t.path, 0700) == 0 && chmod(t.path, 0770) == 0);
	CHECK_INT_EQ(cmfa_store_init(t.path, geteuid()), CMFA_ERR_UNTRUSTED);
	CHECK(chmod(t.path, 0700) == 0);
	/* a symlinked subdirectory */
	snprintf(p, sizeof(p), "%s/users", t.path);
	CHECK(symlink("../real", p) == 0);
	CHECK_INT_EQ(cmfa_store_init(t.path, geteuid()), CMFA_ERR_UNTRUSTED);
	tstore_remove(&t);
}

static void
test_open(void)
{
	static const char *const wrong[] = {
		"2\n",
		"1",
		"1\n\n",
		" 1\n",
		"01\n",
		"1\r\n",
		"",
		("1\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"),
	};
	struct tstore t;
	struct cmfa_store s;
	char p[PATH_MAX + 64];
	size_t i;

	if (!tstore_make(&t)) {
		CHECK(0);
		tstore_remove(&t);
		return;
	}
	CHECK(t.st.dirfd >= 0);
	CHECK(t.st.owner == geteuid());
	CHECK_STR_EQ(t.st.path, t.path);
	CHECK((fcntl(t.st.dirfd, F_GETFD) & FD_CLOEXEC) != 0);
	cmfa_store_close(&t.st);
	CHECK_INT_EQ(t.st.dirfd, -1);
	cmfa_store_close(&t.st); /* twice */
	cmfa_store_close(NULL);

	/* format: wrong content, missing, untrusted */
	for (i = 0; i < CMFA_ARRAY_LEN(wrong); i++) {
		CHECK(put(t.path, "format", wrong[i], 0600));
		s.dirfd = 12345;
		CHECK_MSG(cmfa_store_open(&s, t.path, geteuid()) ==
		        CMFA_ERR_VERSION,
		    "format %zu", i);
		CHECK_INT_EQ(s.dirfd, -1);
		cmfa_store_close(&s);
	}
	CHECK(put(t.path, "format", "1\n", 0666));
	CHECK_INT_EQ(cmfa_store_open(&s, t.path, geteuid()),
	    CMFA_ERR_UNTRUSTED);
	snprintf(p, sizeof(p), "%s/format", t.path);
	CHECK(unlink(p) == 0);
	CHECK_INT_EQ(cmfa_store_open(&s, t.path, geteuid()), CMFA_ERR_NOTFOUND);
	CHECK(symlink("pool.json", p) == 0);
	CHECK_INT_EQ(cmfa_store_open(&s, t.path, geteuid()),
	    CMFA_ERR_UNTRUSTED);
	CHECK(unlink(p) == 0);
	CHECK(put(t.path, "format", "1\n", 0600));
	CHECK_INT_EQ(cmfa_store_open(&s, t.path, geteuid()), CMFA_OK);
	cmfa_store_close(&s);

	/* the root itself */
	CHECK(chmod(t.path, 0707) == 0);
	CHECK_INT_EQ(cmfa_store_open(&s, t.path, geteuid()),
	    CMFA_ERR_UNTRUSTED);
	CHECK(chmod(t.path, 0700) == 0);
	snprintf(p, sizeof(p), "%s/alias", t.top);
	CHECK(symlink("store", p) == 0);
	CHECK_INT_EQ(cmfa_store_open(&s, p, geteuid()), CMFA_ERR_UNTRUSTED);
	snprintf(p, sizeof(p), "%s/nowhere", t.top);
	CHECK_INT_EQ(cmfa_store_open(&s, p, geteuid()), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(cmfa_store_open(&s, "store", geteuid()), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_open(&s, NULL, geteuid()), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_open(NULL, t.path, geteuid()), CMFA_ERR_INVAL);
	if (geteuid() == 0) {
		/* a store that belongs to someone else */
		CHECK_INT_EQ(cmfa_store_open(&s, t.path, 1),
		    CMFA_ERR_UNTRUSTED);
	}
	tstore_remove(&t);
}

static const char pool_on[] =
    "{\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true},"
    "\"MfaConfiguration\":\"ON\"}";

static const char user_alice[] =
    "{\"Username\":\"alice\",\"UserAttributes\":["
    "{\"Name\":\"email\",\"Value\":\"alice@example.com\"},"
    "{\"Name\":\"email_verified\",\"Value\":\"true\"}],"
    "\"Enabled\":true,\"UserStatus\":\"CONFIRMED\","
    "\"PreferredMfaSetting\":\"SOFTWARE_TOKEN_MFA\","
    "\"UserMFASettingList\":[\"SOFTWARE_TOKEN_MFA\"]}";

static const char user_pool[] =
    "{\"UserPool\":{\"Id\":\"us-east-1_abc\",\"AccountRecoverySetting\":"
    "{\"RecoveryMechanisms\":[{\"Priority\":1,\"Name\":\"verified_email\"},"
    "{\"Priority\":2,\"Name\":\"verified_phone_number\"}]}}}";

static void
test_pool(void)
{
	struct tstore t;
	struct cmfa_pool_config cfg;
	struct cmfa_verr verr;
	struct timespec ts[2];
	char buf[256];
	int64_t synced = -1;

	if (!tstore_make(&t)) {
		CHECK(0);
		tstore_remove(&t);
		return;
	}
	/* a fresh store: OFF */
	CHECK_INT_EQ(cmfa_store_pool_read(&t.st, &cfg, &synced, NULL), CMFA_OK);
	CHECK_INT_EQ(cfg.mfa, CMFA_MFA_OFF);
	CHECK(synced > 0);
	cmfa_pool_free(&cfg);

	/* the sync time is the file's mtime */
	ts[0].tv_sec = ts[1].tv_sec = 1600000000;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	CHECK(utimensat(t.st.dirfd, "pool.json", ts, AT_SYMLINK_NOFOLLOW) == 0);
	CHECK_INT_EQ(cmfa_store_pool_read(&t.st, &cfg, &synced, &verr),
	    CMFA_OK);
	CHECK_INT_EQ(synced, 1600000000);
	cmfa_pool_free(&cfg);

	/* writes keep the raw bytes */
	CHECK_INT_EQ(cmfa_store_pool_write(&t.st, pool_on, strlen(pool_on),
	                 NULL),
	    CMFA_OK);
	CHECK_STR_EQ(get(t.path, "pool.json", buf, sizeof(buf)), pool_on);
	CHECK_INT_EQ(mode_of(t.path, "pool.json"), 0600);
	CHECK_INT_EQ(cmfa_store_pool_read(&t.st, &cfg, NULL, NULL), CMFA_OK);
	CHECK_INT_EQ(cfg.mfa, CMFA_MFA_ON);
	CHECK(cfg.totp);
	cmfa_pool_free(&cfg);

	/* a document the reader would refuse is never written */
	CHECK(cmfa_store_pool_write(&t.st, "{\"MfaConfiguration\":\"MAYBE\"}",
	          29, &verr) != CMFA_OK);
	CHECK(cmfa_store_pool_write(&t.st, "{not json", 9, NULL) != CMFA_OK);
	CHECK(cmfa_store_pool_write(&t.st, "[]", 2, NULL) != CMFA_OK);
	CHECK_INT_EQ(cmfa_store_pool_write(&t.st, NULL, 0, NULL),
	    CMFA_ERR_INVAL);
	CHECK_STR_EQ(get(t.path, "pool.json", buf, sizeof(buf)), pool_on);

	/* a corrupt cache is an error, never a default */
	CHECK(put(t.path, "pool.json", "{\"MfaConfiguration\":", 0600));
	memset(&cfg, 0x77, sizeof(cfg));
	CHECK(cmfa_store_pool_read(&t.st, &cfg, NULL, NULL) != CMFA_OK);
	CHECK(put(t.path, "pool.json", pool_on, 0620));
	CHECK_INT_EQ(cmfa_store_pool_read(&t.st, &cfg, NULL, NULL),
	    CMFA_ERR_UNTRUSTED);
	CHECK(unlinkat(t.st.dirfd, "pool.json", 0) == 0);
	CHECK_INT_EQ(cmfa_store_pool_read(&t.st, &cfg, NULL, NULL),
	    CMFA_ERR_NOTFOUND);
	CHECK(symlinkat("format", t.st.dirfd, "pool.json") == 0);
	CHECK_INT_EQ(cmfa_store_pool_read(&t.st, &cfg, NULL, NULL),
	    CMFA_ERR_UNTRUSTED);
	/* writing replaces the symlink itself, never its target */
	CHECK_INT_EQ(cmfa_store_pool_write(&t.st, pool_on, strlen(pool_on),
	                 NULL),
	    CMFA_OK);
	CHECK_STR_EQ(get(t.path, "format", buf, sizeof(buf)), "1\n");
	CHECK_INT_EQ(cmfa_store_pool_read(&t.st, &cfg, NULL, NULL), CMFA_OK);
	cmfa_pool_free(&cfg);
	tstore_remove(&t);
}

static void
test_pool_oversize(void)
{
	struct tstore t;
	struct cmfa_pool_config cfg;
	char *big;
	size_t n = CMFA_JSON_MAX_BYTES + 1;
	int fd;

	if (!tstore_make(&t) || (big = malloc(n + 1)) == NULL) {
		CHECK(0);
		tstore_remove(&t);
		return;
	}
	memset(big, ' ', n);
	memcpy(big, "{\"MfaConfiguration\":\"OFF\"}", 26);
	big[n] = '\0';
	CHECK_INT_EQ(cmfa_store_pool_write(&t.st, big, n, NULL),
	    CMFA_ERR_TOOBIG);
	fd = openat(t.st.dirfd, "pool.json", O_WRONLY | O_TRUNC | O_CLOEXEC);
	CHECK(fd >= 0 && write(fd, big, n) == (ssize_t)n);
	if (fd >= 0)
		close(fd);
	CHECK_INT_EQ(cmfa_store_pool_read(&t.st, &cfg, NULL, NULL),
	    CMFA_ERR_TOOBIG);
	free(big);
	tstore_remove(&t);
}

static void
test_recovery(void)
{
	struct tstore t;
	enum cmfa_recovery rec = CMFA_RECOVERY_PHONE;
	int64_t synced = 0;

	if (!tstore_make(&t)) {
		CHECK(0);
		tstore_remove(&t);
		return;
	}
	CHECK_INT_EQ(cmfa_store_recovery_read(&t.st, &rec, &synced, NULL),
	    CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(rec, CMFA_RECOVERY_PHONE);
	CHECK_INT_EQ(cmfa_store_recovery_write(&t.st, user_pool,
	                 strlen(user_pool), NULL),
	    CMFA_OK);
	CHECK_INT_EQ(cmfa_store_recovery_read(&t.st, &rec, &synced, NULL),
	    CMFA_OK);
	CHECK_INT_EQ(rec, CMFA_RECOVERY_EMAIL);
	CHECK(synced > 0);
	CHECK(cmfa_store_recovery_write(&t.st, "{\"UserPool\":[]}", 15, NULL) !=
	    CMFA_OK);
	CHECK_INT_EQ(cmfa_store_recovery_read(&t.st, &rec, NULL, NULL),
	    CMFA_OK);
	tstore_remove(&t);
}

static void
test_users(void)
{
	struct tstore t;
	struct cmfa_user u;
	struct cmfa_verr verr;
	char buf[1024];
	int64_t synced = 0;

	if (!tstore_make(&t)) {
		CHECK(0);
		tstore_remove(&t);
		return;
	}
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "alice", &u, NULL, NULL),
	    CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(cmfa_store_user_write(&t.st, "alice", user_alice,
	                 strlen(user_alice), &verr),
	    CMFA_OK);
	CHECK_STR_EQ(get(t.path, "users/alice.json", buf, sizeof(buf)),
	    user_alice);
	CHECK_INT_EQ(mode_of(t.path, "users/alice.json"), 0600);
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "alice", &u, &synced, &verr),
	    CMFA_OK);
	CHECK_STR_EQ(u.username, "alice");
	CHECK_INT_EQ(u.preferred, CMFA_FACTOR_TOTP);
	CHECK(synced > 0);
	cmfa_user_free(&u);

	/* names that are not file names never reach the file system */
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "../pool", &u, NULL, NULL),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "a/b", &u, NULL, NULL),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, NULL, &u, NULL, NULL),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_user_write(&t.st, ".x", user_alice,
	                 strlen(user_alice), NULL),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_user_remove(&t.st, "a..b"), CMFA_ERR_INVAL);
	/* a document the reader would refuse */
	CHECK(cmfa_store_user_write(&t.st, "bob", "{\"Enabled\":true}", 16,
	          NULL) != CMFA_OK);
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "bob", &u, NULL, NULL),
	    CMFA_ERR_NOTFOUND);

	/* untrusted records and directories */
	CHECK(put(t.path, "users/carol.json", user_alice, 0666));
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "carol", &u, NULL, NULL),
	    CMFA_ERR_UNTRUSTED);
	CHECK(symlinkat("alice.json", t.st.dirfd, "users/dave.json") == 0);
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "dave", &u, NULL, NULL),
	    CMFA_ERR_UNTRUSTED);
	CHECK(linkat(t.st.dirfd, "users/alice.json", t.st.dirfd,
	          "users/erin.json", 0) == 0);
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "erin", &u, NULL, NULL),
	    CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "alice", &u, NULL, NULL),
	    CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_store_user_remove(&t.st, "erin"), CMFA_OK);
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "alice", &u, NULL, NULL),
	    CMFA_OK);
	cmfa_user_free(&u);
	CHECK(fchmodat(t.st.dirfd, "users", 0777, 0) == 0);
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "alice", &u, NULL, NULL),
	    CMFA_ERR_UNTRUSTED);
	CHECK(fchmodat(t.st.dirfd, "users", 0700, 0) == 0);

	CHECK_INT_EQ(cmfa_store_user_remove(&t.st, "alice"), CMFA_OK);
	CHECK_INT_EQ(cmfa_store_user_remove(&t.st, "alice"), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(cmfa_store_user_read(&t.st, "alice", &u, NULL, NULL),
	    CMFA_ERR_NOTFOUND);
	tstore_remove(&t);
}

static void
test_totp(void)
{
	static const uint8_t key[20] = {
		0x48,
		0x65,
		0x6c,
		0x6c,
		0x6f,
		0x21,
		0xde,
		0xad,
		0xbe,
		0xef,
		0x00,
		0x01,
		0x02,
		0x03,
		0x04,
		0x05,
		0x06,
		0x07,
		0x08,
		0x09,
	};
	struct tstore t;
	uint8_t out[CMFA_TOTP_KEY_MAX];
	size_t outlen = 0;
	char buf[256];

	if (!tstore_make(&t)) {
		CHECK(0);
		tstore_remove(&t);
		return;
	}
	CHECK_INT_EQ(cmfa_store_totp_load(&t.st, "alice", out, sizeof(out),
	                 &outlen),
	    CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(cmfa_store_pending_save(&t.st, "alice", key, sizeof(key)),
	    CMFA_OK);
	CHECK_STR_EQ(get(t.path, "pending/alice", buf, sizeof(buf)),
	    "JBSWY3DPEHPK3PXPAAAQEAYEAUDAOCAJ\n");
	CHECK_INT_EQ(mode_of(t.path, "pending/alice"), 0600);
	CHECK_INT_EQ(cmfa_store_totp_load(&t.st, "alice", out, sizeof(out),
	                 &outlen),
	    CMFA_ERR_NOTFOUND);
	memset(out, 0, sizeof(out));
	CHECK_INT_EQ(cmfa_store_pending_load(&t.st, "alice", out, sizeof(out),
	                 &outlen),
	    CMFA_OK);
	CHECK_INT_EQ(outlen, sizeof(key));
	CHECK(memcmp(out, key, sizeof(key)) == 0);

	/* activation moves it */
	CHECK_INT_EQ(cmfa_store_totp_activate(&t.st, "alice"), CMFA_OK);
	CHECK_INT_EQ(cmfa_store_pending_load(&t.st, "alice", out, sizeof(out),
	                 &outlen),
	    CMFA_ERR_NOTFOUND);
	memset(out, 0, sizeof(out));
	outlen = 0;
	CHECK_INT_EQ(cmfa_store_totp_load(&t.st, "alice", out, sizeof(out),
	                 &outlen),
	    CMFA_OK);
	CHECK_INT_EQ(outlen, sizeof(key));
	CHECK(memcmp(out, key, sizeof(key)) == 0);
	CHECK_INT_EQ(cmfa_store_totp_activate(&t.st, "alice"),
	    CMFA_ERR_NOTFOUND);
	/* the caller's buffer must hold the key */
	outlen = 99;
	CHECK_INT_EQ(cmfa_store_totp_load(&t.st, "alice", out, 19, &outlen),
	    CMFA_ERR_TOOBIG);
	CHECK_INT_EQ(outlen, 99);

	/* a re-enrolment replaces the active secret only on activation */
	CHECK_INT_EQ(cmfa_store_pending_save(&t.st, "alice", key, 10), CMFA_OK);
	CHECK_INT_EQ(cmfa_store_totp_load(&t.st, "alice", out, sizeof(out),
	                 &outlen),
	    CMFA_OK);
	CHECK_INT_EQ(outlen, 20);
	CHECK_INT_EQ(cmfa_store_totp_activate(&t.st, "alice"), CMFA_OK);
	CHECK_INT_EQ(cmfa_store_totp_load(&t.st, "alice", out, sizeof(out),
	                 &outlen),
	    CMFA_OK);
	CHECK_INT_EQ(outlen, 10);

	/* refused arguments */
	CHECK_INT_EQ(cmfa_store_pending_save(&t.st, "alice", key, 0),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_pending_save(&t.st, "alice", key,
	                 CMFA_TOTP_KEY_MAX + 1),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_pending_save(&t.st, "al/ice", key, 20),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_totp_load(&t.st, "..", out, sizeof(out),
	                 &outlen),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_totp_activate(&t.st, "x."), CMFA_ERR_INVAL);

	/* remove */
	CHECK_INT_EQ(cmfa_store_totp_remove(&t.st, "alice"), CMFA_OK);
	CHECK_INT_EQ(cmfa_store_totp_remove(&t.st, "alice"), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(cmfa_store_pending_remove(&t.st, "alice"),
	    CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(cmfa_store_totp_load(&t.st, "alice", out, sizeof(out),
	                 &outlen),
	    CMFA_ERR_NOTFOUND);
	tstore_remove(&t);
}

static void
test_totp_files(void)
{
	static const struct {
		const char *text;
		mode_t mode;
		enum cmfa_err err;
	} cases[] = {
		{ "JBSWY3DPEHPK3PXP\n", 0600, CMFA_OK },
		{ "JBSWY3DPEHPK3PXP\n", 0400, CMFA_OK },
		{ "JBSWY3DPEHPK3PXP\n", 0640, CMFA_ERR_UNTRUSTED },
		{ "JBSWY3DPEHPK3PXP\n", 0604, CMFA_ERR_UNTRUSTED },
		{ "JBSWY3DPEHPK3PXP\n", 0610, CMFA_ERR_UNTRUSTED },
		{ "JBSWY3DPEHPK3PXP", 0600, CMFA_ERR_PARSE },
		{ "JBSWY3DPEHPK3PXP\n\n", 0600, CMFA_ERR_PARSE },
		{ "JBSWY3DP\nEHPK3PXP\n", 0600, CMFA_ERR_PARSE },
		{ "JBSWY3DPEHPK3PX!\n", 0600, CMFA_ERR_PARSE },
		{ "JBSWY3DPEHPK3PXP\r\n", 0600, CMFA_ERR_PARSE },
		{ "\n", 0600, CMFA_ERR_PARSE },
		{ "", 0600, CMFA_ERR_PARSE },
		{ "A\n", 0600, CMFA_ERR_PARSE },
		/* 65 bytes of key: more than any TOTP key we take */
		{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
		    0600, CMFA_ERR_TOOBIG },
	};
	struct tstore t;
	uint8_t out[CMFA_TOTP_KEY_MAX];
	size_t outlen, i;

	if (!tstore_make(&t)) {
		CHECK(0);
		tstore_remove(&t);
		return;
	}
	for (i = 0; i < CMFA_ARRAY_LEN(cases); i++) {
		CHECK(put(t.path, "totp/bob", cases[i].text, cases[i].mode));
		outlen = 0;
		CHECK_MSG(cmfa_store_totp_load(&t.st, "bob", out, sizeof(out),
		              &outlen) == cases[i].err,
		    "case %zu", i);
		if (cases[i].err == CMFA_OK)
			CHECK_INT_EQ(outlen, 10);
		else
			CHECK_INT_EQ(outlen, 0);
		CHECK(unlinkat(t.st.dirfd, "totp/bob", 0) == 0);
	}
	/* a symlinked secret or secrets directory */
	CHECK(put(t.path, "pending/bob", "JBSWY3DPEHPK3PXP\n", 0600));
	CHECK(symlinkat("../pending/bob", t.st.dirfd, "totp/bob") == 0);
	CHECK_INT_EQ(cmfa_store_totp_load(&t.st, "bob", out, sizeof(out),
	                 &outlen),
	    CMFA_ERR_UNTRUSTED);
	CHECK(unlinkat(t.st.dirfd, "totp/bob", 0) == 0);
	CHECK(unlinkat(t.st.dirfd, "totp", AT_REMOVEDIR) == 0);
	CHECK(symlinkat("pending", t.st.dirfd, "totp") == 0);
	CHECK_INT_EQ(cmfa_store_totp_load(&t.st, "bob", out, sizeof(out),
	                 &outlen),
	    CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_store_totp_activate(&t.st, "bob"),
	    CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_store_pending_load(&t.st, "bob", out, sizeof(out),
	                 &outlen),
	    CMFA_OK);
	tstore_remove(&t);
}

/*
 * The shared root's rules that need no second user: without a sync user
 * (or with root, the owner, or a uid nobody has as the sync user) a
 * group-writable root is refused, sticky or not; the ordinary root opens
 * with any sync user and records it.  (The shared root itself, with a
 * real user's group: test_sync.c, as root.)
 */
static void
test_open_shared_refused(void)
{
	const uid_t nobody_has = 61001, me = geteuid();
	const char *what = "x";
	struct tstore t;
	struct cmfa_store s;

	if (!tstore_make(&t)) {
		CHECK(0);
		tstore_remove(&t);
		return;
	}
	s.dirfd = -1;
	CHECK_INT_EQ(cmfa_store_open_sync(&s, t.path, me, nobody_has), CMFA_OK);
	CHECK(s.sync_owner == nobody_has);
	cmfa_store_close(&s);
	CHECK(chmod(t.path, 01770) == 0);
	CHECK_INT_EQ(cmfa_store_open(&s, t.path, me), CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(s.dirfd, -1);
	CHECK_INT_EQ(cmfa_store_open_sync(&s, t.path, me, me),
	    CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_store_open_sync(&s, t.path, me, 0),
	    CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_store_open_sync(&s, t.path, me, (uid_t)-1),
	    CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_store_open_sync(&s, t.path, me, nobody_has),
	    CMFA_ERR_UNTRUSTED);
	CHECK(chmod(t.path, 0770) == 0);
	CHECK_INT_EQ(cmfa_store_open_sync(&s, t.path, me, nobody_has),
	    CMFA_ERR_UNTRUSTED);
	CHECK(chmod(t.path, 0700) == 0);
	/* sharing with root, the owner or nobody: refused before anything */
	CHECK_INT_EQ(cmfa_store_share(&t.st, me, &what), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_share(&t.st, 0, NULL), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_share(&t.st, (uid_t)-1, NULL), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_share(NULL, nobody_has, NULL), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_store_share(&t.st, nobody_has, &what),
	    CMFA_ERR_NOTFOUND); /* no passwd entry: no group to share with */
	CHECK_INT_EQ(cmfa_store_shared_check(&t.st, 0, NULL), CMFA_ERR_INVAL);
	CHECK_INT_EQ(mode_of(t.path, "."), 0700); /* untouched */
	tstore_remove(&t);
}

TEST_MAIN_BEGIN("test_store")
	RUN(test_username);
	RUN(test_init_layout);
	RUN(test_init_untrusted);
	RUN(test_open);
	RUN(test_open_shared_refused);
	RUN(test_pool);
	RUN(test_pool_oversize);
	RUN(test_recovery);
	RUN(test_users);
	RUN(test_totp);
	RUN(test_totp_files);
TEST_MAIN_END
