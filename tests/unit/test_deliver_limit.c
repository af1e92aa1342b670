/*
 * test_deliver_limit.c: the hourly delivery limits (deliver/limit.c):
 * the file format, taking slots per user and per destination, the
 * retry time, the window, corrupt and untrusted files, and eight
 * processes racing for five slots.  Time is a parameter: no sleeping.
 * Every store is made under /tmp and removed on every path.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include "cmfa_deliver.h"
#include "cmfa_fixture.h"
#include "cmfa_test.h"

#define T0 1700000000 /* a fixed "now" */
#define PHONE "+12065550100"
#define MAIL "Alice@Example.com"

static const char *
path_in(const struct tstore *t, const char *rel, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/deliveries/%s", t->path, rel);
	return buf;
}

/* The count file deliveries/<rel> ("" when unreadable). */
static const char *
count_of(const struct tstore *t, const char *rel, char *buf, size_t sz)
{
	char p[PATH_MAX + 64];

	return cmfa_fixture_get(path_in(t, rel, p, sizeof(p)), buf, sz);
}

/* text as the count file deliveries/<rel> (0600). */
static bool
put_count(const struct tstore *t, const char *rel, const char *text)
{
	char p[PATH_MAX + 64];

	return cmfa_fixture_put(path_in(t, rel, p, sizeof(p)), text,
	    strlen(text), 0600);
}

/* A new store (a failed check when there is none). */
static bool
store_made(struct tstore *t)
{
	if (tstore_make(t))
		return true;
	CHECK(false);
	tstore_remove(t);
	return false;
}

static enum cmfa_err
take(const struct tstore *t, const char *user, const char *dest, unsigned lim,
    int64_t now, int64_t *retry)
{
	return cmfa_limit_take(t->path, geteuid(), user, dest, lim, now, retry);
}

/* ---------------------------------------------------------------------- */
/* the format                                                             */

static void
test_parse_valid(void)
{
	struct cmfa_limit_times lt;
	char big[CMFA_LIMIT_FILE_MAX + 1];
	size_t i, n = 0;

	CHECK_INT_EQ(cmfa_limit_parse("", 0, &lt), CMFA_OK);
	CHECK_INT_EQ(lt.n, 0);
	CHECK_INT_EQ(cmfa_limit_parse("0\n", 2, &lt), CMFA_OK);
	CHECK_INT_EQ(lt.n, 1);
	CHECK_INT_EQ(lt.t[0], 0);
	CHECK_INT_EQ(cmfa_limit_parse("5\n5\n17\n", 7, &lt), CMFA_OK);
	CHECK_INT_EQ(lt.n, 3);
	CHECK_INT_EQ(lt.t[0], 5);
	CHECK_INT_EQ(lt.t[1], 5);
	CHECK_INT_EQ(lt.t[2], 17);
	CHECK_INT_EQ(cmfa_limit_parse("9223372036854775807\n", 20, &lt),
	    CMFA_OK);
	CHECK_INT_EQ(lt.t[0], INT64_MAX);
	/* exactly 128 entries fit */
	for (i = 0; i < 128; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%zu\n",
		    1000 + i);
	CHECK_INT_EQ(cmfa_limit_parse(big, n, &lt), CMFA_OK);
	CHECK_INT_EQ(lt.n, 128);
	CHECK_INT_EQ(lt.t[127], 1127);
}

static void
test_parse_refused(void)
{
	static const char *const bad[] = {
		"1",                     /* no final newline */
		"\n",                    /* empty line */
		"01\n",                  /* leading zero */
		"-1\n",                  /* sign */
		"+1\n",                  /* sign */
		" 1\n",                  /* space */
		"1 \n",                  /* space */
		"1\r\n",                 /* CR */
		"2\n1\n",                /* descending */
		"abc\n",                 /* letters */
		"9223372036854775808\n", /* above INT64_MAX */
		"1\n\n2\n",              /* blank line */
	};
	struct cmfa_limit_times lt;
	char big[CMFA_LIMIT_FILE_MAX + 64];
	size_t i, n = 0;

	lt.n = 77;
	for (i = 0; i < CMFA_ARRAY_LEN(bad); i++) {
		CHECK_MSG(cmfa_limit_parse(bad[i], strlen(bad[i]), &lt) ==
		        CMFA_ERR_PARSE,
		    "case %zu", i);
		CHECK_INT_EQ(lt.n, 77); /* untouched */
	}
	CHECK_INT_EQ(cmfa_limit_parse("1\0002\n", 4, &lt), CMFA_ERR_PARSE);
	/* 129 entries: more than a count can hold */
	for (i = 0; i < 129; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%zu\n",
		    1000 + i);
	CHECK_INT_EQ(cmfa_limit_parse(big, n, &lt), CMFA_ERR_PARSE);
	/* over the size cap */
	memset(big, '1', sizeof(big));
	CHECK_INT_EQ(cmfa_limit_parse(big, CMFA_LIMIT_FILE_MAX + 1, &lt),
	    CMFA_ERR_TOOBIG);
	CHECK_INT_EQ(lt.n, 77);
}

/* ---------------------------------------------------------------------- */
/* taking slots                                                           */

static void
test_take_limit_and_retry(void)
{
	struct tstore t;
	char buf[512];
	int64_t retry = -1;
	int i;

	if (!store_made(&t))
		return;
	/* five codes, 10 s apart */
	for (i = 0; i < 5; i++)
		CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0 + 10 * i, &retry),
		    CMFA_OK);
	CHECK_INT_EQ(retry, -1); /* set only when limited */
	CHECK_STR_EQ(count_of(&t, "u-alice", buf, sizeof(buf)),
	    "1700000000\n1700000010\n1700000020\n1700000030\n1700000040\n");
	/* the sixth, 60 s after the first: the first leaves in 3540 s */
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0 + 60, &retry),
	    CMFA_ERR_LOCKED);
	CHECK_INT_EQ(retry, 3540);
	/* nothing written by a refusal */
	CHECK_STR_EQ(count_of(&t, "u-alice", buf, sizeof(buf)),
	    "1700000000\n1700000010\n1700000020\n1700000030\n1700000040\n");
	/* one second before the first leaves: still limited, 1 s to go */
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0 + 3599, &retry),
	    CMFA_ERR_LOCKED);
	CHECK_INT_EQ(retry, 1);
	/* the first left the window: one slot, then limited until the
	 * second leaves */
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0 + 3600, &retry), CMFA_OK);
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0 + 3601, &retry),
	    CMFA_ERR_LOCKED);
	CHECK_INT_EQ(retry, 9);
	/* the old entries are dropped when the file is next written */
	CHECK_STR_EQ(count_of(&t, "u-alice", buf, sizeof(buf)),
	    "1700000010\n1700000020\n1700000030\n1700000040\n1700003600\n");
	/* a whole window later: all free again */
	for (i = 0; i < 5; i++)
		CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0 + 9000 + i, &retry),
		    CMFA_OK);
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0 + 9005, &retry),
	    CMFA_ERR_LOCKED);
	CHECK_INT_EQ(retry, 3595);
	/* a lower limit counts what is there: the oldest of the last 2 */
	CHECK_INT_EQ(take(&t, "alice", PHONE, 2, T0 + 9005, &retry),
	    CMFA_ERR_LOCKED);
	CHECK_INT_EQ(retry, 3598);
	/* a higher one allows more at once */
	CHECK_INT_EQ(take(&t, "alice", PHONE, 6, T0 + 9005, &retry), CMFA_OK);
	tstore_remove(&t);
}

static void
test_take_per_destination(void)
{
	struct tstore t;
	char p[PATH_MAX + 64], buf[512];
	int64_t retry = 0;
	struct dirent *de;
	DIR *dir;
	int i, dfiles = 0;

	if (!store_made(&t))
		return;
	/* two users, one mailbox: the mailbox's count stops the sixth */
	for (i = 0; i < 3; i++)
		CHECK_INT_EQ(take(&t, "alice", MAIL, 5, T0 + i, &retry),
		    CMFA_OK);
	for (i = 0; i < 2; i++)
		CHECK_INT_EQ(take(&t, "bob", "alice@example.COM", 5,
		                 T0 + 10 + i, &retry),
		    CMFA_OK);
	CHECK_INT_EQ(take(&t, "bob", MAIL, 5, T0 + 20, &retry),
	    CMFA_ERR_LOCKED);
	CHECK_INT_EQ(retry, 3580);
	/* bob's own count is not full: another destination works */
	CHECK_INT_EQ(take(&t, "bob", PHONE, 5, T0 + 20, &retry), CMFA_OK);
	CHECK_STR_EQ(count_of(&t, "u-bob", buf, sizeof(buf)),
	    "1700000010\n1700000011\n1700000020\n");
	/* a full user count stops a fresh destination too */
	for (i = 0; i < 2; i++)
		CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0 + 30 + i, &retry),
		    CMFA_OK);
	CHECK_INT_EQ(take(&t, "alice", "+447700900123", 5, T0 + 40, &retry),
	    CMFA_ERR_LOCKED);
	CHECK_INT_EQ(retry, 3560);
	/* no address or number on disk: only hashes name the files */
	if ((dir = opendir(path_in(&t, "", p, sizeof(p)))) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			CHECK(strstr(de->d_name, "xample") == NULL);
			CHECK(strstr(de->d_name, "5550100") == NULL);
			if (strncmp(de->d_name, "d-", 2) == 0) {
				dfiles++;
				CHECK_INT_EQ(strlen(de->d_name), 66);
			}
		}
		closedir(dir);
	} else
		CHECK(false);
	CHECK_INT_EQ(dfiles, 2); /* the mailbox and the phone */
	tstore_remove(&t);
}

static void
test_take_modes_and_clock(void)
{
	struct tstore t;
	char p[PATH_MAX + 64], buf[512];
	struct stat sb;
	int64_t retry = 0;

	if (!store_made(&t))
		return;
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0, &retry), CMFA_OK);
	CHECK(stat(path_in(&t, "", p, sizeof(p)), &sb) == 0 &&
	    (sb.st_mode & 07777) == 0700);
	CHECK(stat(path_in(&t, "u-alice", p, sizeof(p)), &sb) == 0 &&
	    (sb.st_mode & 07777) == 0600);
	CHECK(stat(path_in(&t, "lock.u-alice", p, sizeof(p)), &sb) == 0 &&
	    (sb.st_mode & 07777) == 0600);
	/* entries a little ahead (the clock went back a bit) count as
	 * they are */
	CHECK(put_count(&t, "u-alice",
	    "1700000100\n1700000101\n1700000102\n1700000103\n1700000104\n"));
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0, &retry), CMFA_ERR_LOCKED);
	CHECK_INT_EQ(retry, 3700);
	/* more than a window ahead: not honoured */
	CHECK(put_count(&t, "u-alice",
	    "1800000000\n1800000001\n1800000002\n1800000003\n1800000004\n"));
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0, &retry), CMFA_OK);
	CHECK_STR_EQ(count_of(&t, "u-alice", buf, sizeof(buf)), "1700000000\n");
	/* now goes in its place: the file stays ascending */
	CHECK(put_count(&t, "u-alice", "1700000100\n"));
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0, &retry), CMFA_OK);
	CHECK_STR_EQ(count_of(&t, "u-alice", buf, sizeof(buf)),
	    "1700000000\n1700000100\n");
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0 + 1, &retry), CMFA_OK);
	CHECK_STR_EQ(count_of(&t, "u-alice", buf, sizeof(buf)),
	    "1700000000\n1700000001\n1700000100\n");
	/* bad arguments */
	CHECK_INT_EQ(take(&t, "alice", PHONE, 0, T0, &retry), CMFA_ERR_INVAL);
	CHECK_INT_EQ(take(&t, "alice", PHONE, 129, T0, &retry), CMFA_ERR_INVAL);
	CHECK_INT_EQ(take(&t, "../x", PHONE, 5, T0, &retry), CMFA_ERR_INVAL);
	CHECK_INT_EQ(take(&t, "alice", "", 5, T0, &retry), CMFA_ERR_INVAL);
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, -5, &retry), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_limit_take("relative/store", geteuid(), "alice",
	                 PHONE, 5, T0, &retry),
	    CMFA_ERR_INVAL);
	tstore_remove(&t);
}

/* A corrupt count refuses (never lifts the limit) and is left as is. */
static void
test_take_corrupt(void)
{
	struct tstore t;
	char p[PATH_MAX + 64], buf[512];
	int64_t retry = 0;

	if (!store_made(&t))
		return;
	CHECK_INT_EQ(take(&t, "alice", MAIL, 5, T0, &retry), CMFA_OK);
	CHECK(put_count(&t, "u-alice", "garbage\n"));
	CHECK_INT_EQ(take(&t, "alice", MAIL, 5, T0 + 1, &retry),
	    CMFA_ERR_PARSE);
	CHECK_STR_EQ(count_of(&t, "u-alice", buf, sizeof(buf)), "garbage\n");
	/* the destination's count was not touched either: one entry */
	CHECK_INT_EQ(take(&t, "bob", MAIL, 2, T0 + 2, &retry), CMFA_OK);
	CHECK_INT_EQ(take(&t, "carl", MAIL, 2, T0 + 2, &retry),
	    CMFA_ERR_LOCKED);
	/* too big to be ours: corrupt as well */
	{
		char huge[CMFA_LIMIT_FILE_MAX + 2];

		memset(huge, '7', sizeof(huge) - 2);
		huge[sizeof(huge) - 2] = '\n';
		huge[sizeof(huge) - 1] = '\0';
		CHECK(put_count(&t, "u-carol", huge));
	}
	CHECK_INT_EQ(take(&t, "carol", PHONE, 5, T0, &retry), CMFA_ERR_PARSE);
	/* removing it lifts it */
	CHECK(unlink(path_in(&t, "u-alice", p, sizeof(p))) == 0);
	CHECK_INT_EQ(take(&t, "alice", "+15550001111", 5, T0 + 3, &retry),
	    CMFA_OK);
	tstore_remove(&t);
}

/* Anything untrusted under deliveries/ refuses; a shared (sticky) root is
 * accepted as the store accepts it. */
static void
test_take_trust(void)
{
	struct tstore t;
	char p[PATH_MAX + 64], q[PATH_MAX + 64];
	int64_t retry = 0;

	if (!store_made(&t))
		return;
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0, &retry), CMFA_OK);
	/* deliveries/ writable by group */
	CHECK(chmod(path_in(&t, "", p, sizeof(p)), 0770) == 0);
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0, &retry),
	    CMFA_ERR_UNTRUSTED);
	CHECK(chmod(p, 0700) == 0);
	/* a count writable by other */
	CHECK(chmod(path_in(&t, "u-alice", p, sizeof(p)), 0606) == 0);
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0, &retry),
	    CMFA_ERR_UNTRUSTED);
	CHECK(chmod(p, 0600) == 0);
	/* a lock file that is a symlink */
	CHECK(unlink(path_in(&t, "lock.u-alice", p, sizeof(p))) == 0);
	CHECK(symlink("/dev/null", p) == 0);
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0, &retry),
	    CMFA_ERR_UNTRUSTED);
	CHECK(unlink(p) == 0);
	/* a count with a second link */
	snprintf(q, sizeof(q), "%s/u-alice-2", t.top);
	CHECK(link(path_in(&t, "u-alice", p, sizeof(p)), q) == 0);
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0, &retry),
	    CMFA_ERR_UNTRUSTED);
	CHECK(unlink(q) == 0);
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0, &retry), CMFA_OK);
	/* the root shared with the sync user: group-writable and sticky */
	CHECK(chmod(t.path, 01770) == 0);
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0, &retry), CMFA_OK);
	/* group-writable without the sticky bit, or other-writable: no */
	CHECK(chmod(t.path, 0770) == 0);
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0, &retry),
	    CMFA_ERR_UNTRUSTED);
	CHECK(chmod(t.path, 01777) == 0);
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0, &retry),
	    CMFA_ERR_UNTRUSTED);
	CHECK(chmod(t.path, 0700) == 0);
	/* deliveries/ a symlink */
	CHECK(rename(path_in(&t, "", p, sizeof(p)), q) == 0);
	snprintf(p, sizeof(p), "%s/deliveries", t.path);
	CHECK(symlink(q, p) == 0);
	CHECK_INT_EQ(take(&t, "alice", PHONE, 5, T0, &retry),
	    CMFA_ERR_UNTRUSTED);
	/* no store at all */
	snprintf(p, sizeof(p), "%s/none", t.top);
	CHECK_INT_EQ(cmfa_limit_take(p, geteuid(), "alice", PHONE, 5, T0,
	                 &retry),
	    CMFA_ERR_NOTFOUND);
	tstore_remove(&t);
}

/* Eight processes released at once take from one user with limit 5:
 * exactly five get a slot, and the count holds exactly five entries. */
static void
test_take_race(void)
{
	struct tstore t;
	struct cmfa_limit_times lt;
	char buf[512];
	int gate[2], i, status, ok = 0, limited = 0, other = 0;
	pid_t pids[8];

	if (!store_made(&t))
		return;
	if (pipe(gate) != 0) {
		CHECK(false);
		tstore_remove(&t);
		return;
	}
	for (i = 0; i < 8; i++) {
		if ((pids[i] = fork()) == 0) {
			int64_t retry = 0;
			char c;
			enum cmfa_err e;

			close(gate[1]);
			/* wait for the gate to open (EOF) */
			while (read(gate[0], &c, 1) < 0 && errno == EINTR)
				;
			/* each its own destination: the user's count
			 * alone decides */
			snprintf(buf, sizeof(buf), "+1206555010%d", i);
			e = take(&t, "racer", buf, 5, T0, &retry);
			_exit(e == CMFA_OK ? 0 : e == CMFA_ERR_LOCKED ? 1 : 2);
		}
	}
	close(gate[0]);
	close(gate[1]); /* open the gate */
	for (i = 0; i < 8; i++) {
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status)) {
			other++;
			continue;
		}
		if (WEXITSTATUS(status) == 0)
			ok++;
		else if (WEXITSTATUS(status) == 1)
			limited++;
		else
			other++;
	}
	CHECK_INT_EQ(ok, 5);
	CHECK_INT_EQ(limited, 3);
	CHECK_INT_EQ(other, 0);
	count_of(&t, "u-racer", buf, sizeof(buf));
	CHECK(cmfa_limit_parse(buf, strlen(buf), &lt) == CMFA_OK && lt.n == 5);
	tstore_remove(&t);
}

TEST_MAIN_BEGIN("test_deliver_limit")
	RUN(test_parse_valid);
	RUN(test_parse_refused);
	RUN(test_take_limit_and_retry);
	RUN(test_take_per_destination);
	RUN(test_take_modes_and_clock);
	RUN(test_take_corrupt);
	RUN(test_take_trust);
	RUN(test_take_race);
TEST_MAIN_END
