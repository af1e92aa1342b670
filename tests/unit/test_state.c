/*
 * test_state.c: the per-user state: strict parse / serialize, Cognito's
 * lockout schedule, grace entries, and locked transactions across
 * processes.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <unistd.h>

#include "cmfa_store.h"
#include "cmfa_fixture.h"
#include "cmfa_test.h"

#define T0 ((int64_t)1700000000)

static const char good_text[] =
    "cmfa-state 1\n"
    "last_step 56666666\n"
    "failures 3\n"
    "last_failure 1700000000\n"
    "locked_until 0\n"
    "grace sudo 000102030405060708090a0b0c0d0e0f"
    "101112131415161718191a1b1c1d1e1f 1700000300\n"
    "grace sshd ffffffffffffffffffffffffffffffff"
    "ffffffffffffffffffffffffffffffff 9223372036854775807\n";

static enum cmfa_err
parse_str(const char *s, struct cmfa_state *st)
{
	return cmfa_state_parse(s, strlen(s), st);
}

static void
test_parse_good(void)
{
	struct cmfa_state st;
	struct cmfa_buf b;
	size_t i;

	memset(&st, 0xaa, sizeof(st));
	CHECK_INT_EQ(parse_str(good_text, &st), CMFA_OK);
	CHECK(st.last_step == 56666666);
	CHECK_INT_EQ(st.failures, 3);
	CHECK_INT_EQ(st.last_failure, T0);
	CHECK_INT_EQ(st.locked_until, 0);
	CHECK_INT_EQ(st.ngrace, 2);
	CHECK_STR_EQ(st.grace[0].service, "sudo");
	for (i = 0; i < CMFA_GRACE_KEY_LEN; i++)
		CHECK_INT_EQ(st.grace[0].key[i], i);
	CHECK_INT_EQ(st.grace[0].expires, T0 + 300);
	CHECK_STR_EQ(st.grace[1].service, "sshd");
	CHECK_INT_EQ(st.grace[1].key[31], 0xff);
	CHECK(st.grace[1].expires == INT64_MAX);

	/* canonical: serialize gives back the very same text */
	CHECK_INT_EQ(cmfa_state_serialize(&st, &b), CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b), good_text);
	cmfa_buf_free(&b);

	/* the zero state, and keys in another order */
	memset(&st, 0, sizeof(st));
	CHECK_INT_EQ(cmfa_state_serialize(&st, &b), CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b),
	    "cmfa-state 1\nlast_step 0\n"
	    "failures 0\nlast_failure 0\nlocked_until 0\n");
	cmfa_buf_free(&b);
	CHECK_INT_EQ(parse_str("cmfa-state 1\nlocked_until 5\n"
	                       "grace a "
	                       "00000000000000000000000000000000000000000000000"
	                       "00000000000"
	                       "000000 7\nfailures 4294967295\nlast_step "
	                       "18446744073709551615\n"
	                       "last_failure 9223372036854775807\n",
	                 &st),
	    CMFA_OK);
	CHECK_INT_EQ(st.locked_until, 5);
	CHECK(st.failures == UINT32_MAX);
	CHECK(st.last_step == UINT64_MAX);
	CHECK(st.last_failure == INT64_MAX);
	CHECK_INT_EQ(st.ngrace, 1);
}

static void
test_roundtrip(void)
{
	struct cmfa_state st, back;
	struct cmfa_buf b;
	size_t i, j;

	memset(&st, 0, sizeof(st));
	st.last_step = 123456789012ULL;
	st.failures = 7;
	st.last_failure = T0 + 5;
	st.locked_until = T0 + 9;
	st.ngrace = CMFA_GRACE_MAX;
	for (i = 0; i < CMFA_GRACE_MAX; i++) {
		snprintf(st.grace[i].service, sizeof(st.grace[i].service),
		    "%s%zu", i % 2 ? "sudo-" : "x.Y_z+", i);
		for (j = 0; j < CMFA_GRACE_KEY_LEN; j++)
			st.grace[i].key[j] = (uint8_t)(i * 37 + j * 11);
		st.grace[i].expires = T0 + (int64_t)i;
	}
	/* a 32-character service name is the longest */
	memset(st.grace[7].service, 's', CMFA_GRACE_SERVICE_MAX);
	st.grace[7].service[CMFA_GRACE_SERVICE_MAX] = '\0';
	CHECK_INT_EQ(cmfa_state_serialize(&st, &b), CMFA_OK);
	memset(&back, 0x55, sizeof(back));
	CHECK_INT_EQ(cmfa_state_parse((const char *)b.p, b.len, &back),
	    CMFA_OK);
	cmfa_buf_free(&b);
	CHECK(back.last_step == st.last_step);
	CHECK_INT_EQ(back.failures, st.failures);
	CHECK_INT_EQ(back.last_failure, st.last_failure);
	CHECK_INT_EQ(back.locked_until, st.locked_until);
	CHECK_INT_EQ(back.ngrace, st.ngrace);
	for (i = 0; i < CMFA_GRACE_MAX; i++) {
		CHECK_STR_EQ(back.grace[i].service, st.grace[i].service);
		CHECK(memcmp(back.grace[i].key, st.grace[i].key,
		          CMFA_GRACE_KEY_LEN) == 0);
		CHECK_INT_EQ(back.grace[i].expires, st.grace[i].expires);
	}

	/* what serialize refuses */
	st.ngrace = CMFA_GRACE_MAX + 1;
	CHECK_INT_EQ(cmfa_state_serialize(&st, &b), CMFA_ERR_INVAL);
	st.ngrace = 2;
	st.grace[1] = st.grace[0]; /* duplicate service + key */
	CHECK_INT_EQ(cmfa_state_serialize(&st, &b), CMFA_ERR_INVAL);
	st.grace[1].key[0] ^= 1;
	CHECK_INT_EQ(cmfa_state_serialize(&st, &b), CMFA_OK);
	cmfa_buf_free(&b);
	memcpy(st.grace[1].service, "a b", 4);
	CHECK_INT_EQ(cmfa_state_serialize(&st, &b), CMFA_ERR_INVAL);
	st.grace[1].service[0] = '\0';
	CHECK_INT_EQ(cmfa_state_serialize(&st, &b), CMFA_ERR_INVAL);
	memset(st.grace[1].service, 'x', sizeof(st.grace[1].service));
	CHECK_INT_EQ(cmfa_state_serialize(&st, &b), CMFA_ERR_INVAL);
	st.ngrace = 0;
	st.last_failure = -1;
	CHECK_INT_EQ(cmfa_state_serialize(&st, &b), CMFA_ERR_INVAL);
	st.last_failure = 0;
	st.locked_until = -5;
	CHECK_INT_EQ(cmfa_state_serialize(&st, &b), CMFA_ERR_INVAL);
	CHECK(b.p == NULL);
}

#define HDR "cmfa-state 1\n"
#define K4 "last_step 0\nfailures 0\nlast_failure 0\nlocked_until 0\n"
#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
test_parse_bad(void)
{
	static const struct {
		const char *text;
		enum cmfa_err err;
	} cases[] = {
		{ "", CMFA_ERR_PARSE },
		{ "\n", CMFA_ERR_PARSE },
		{ HDR, CMFA_ERR_PARSE },
		{ "cmfa-state 1", CMFA_ERR_PARSE },
		{ "cmfa-state 2\n" K4, CMFA_ERR_VERSION },
		{ "cmfa-state 0\n" K4, CMFA_ERR_VERSION },
		{ "cmfa-state 01\n" K4, CMFA_ERR_PARSE },
		{ "cmfa-state  1\n" K4, CMFA_ERR_PARSE },
		{ "cmfa-state 1 \n" K4, CMFA_ERR_PARSE },
		{ "cmfa-state\n" K4, CMFA_ERR_PARSE },
		{ "CMFA-STATE 1\n" K4, CMFA_ERR_PARSE },
		{ "cmfa-state 1\r\n" K4, CMFA_ERR_PARSE },
		{ K4 HDR, CMFA_ERR_PARSE },
		{ HDR HDR K4, CMFA_ERR_PARSE },
		/* missing final newline, blank lines */
		{ HDR "last_step 0\nfailures 0\nlast_failure 0\nlocked_until 0",
		    CMFA_ERR_PARSE },
		{ HDR K4 "\n", CMFA_ERR_PARSE },
		{ HDR "\n" K4, CMFA_ERR_PARSE },
		/* keys: missing, repeated, unknown, spelled otherwise */
		{ HDR "last_step 0\nfailures 0\nlast_failure 0\n",
		    CMFA_ERR_PARSE },
		{ HDR K4 "failures 0\n", CMFA_ERR_PARSE },
		{ HDR K4 "last_step 1\n", CMFA_ERR_PARSE },
		{ HDR K4 "extra 1\n", CMFA_ERR_PARSE },
		{ HDR
		    "Last_step 0\nfailures 0\nlast_failure 0\nlocked_until 0\n",
		    CMFA_ERR_PARSE },
		{ HDR K4 "# comment\n", CMFA_ERR_PARSE },
		/* numbers */
		{ HDR "last_step -1\nfailures 0\nlast_failure 0\n"
		      "locked_until 0\n",
		    CMFA_ERR_PARSE },
		{ HDR "last_step +1\nfailures 0\nlast_failure 0\n"
		      "locked_until 0\n",
		    CMFA_ERR_PARSE },
		{ HDR "last_step 01\nfailures 0\nlast_failure 0\n"
		      "locked_until 0\n",
		    CMFA_ERR_PARSE },
		{ HDR "last_step 0x1\nfailures 0\nlast_failure 0\n"
		      "locked_until 0\n",
		    CMFA_ERR_PARSE },
		{ HDR "last_step 18446744073709551616\nfailures 0\n"
		      "last_failure 0\nlocked_until 0\n",
		    CMFA_ERR_PARSE },
		{ HDR "last_step 0\nfailures 4294967296\nlast_failure 0\n"
		      "locked_until 0\n",
		    CMFA_ERR_PARSE },
		{ HDR "last_step 0\nfailures 0\n"
		      "last_failure 9223372036854775808\nlocked_until 0\n",
		    CMFA_ERR_PARSE },
		{ HDR "last_step 0\nfailures 0\nlast_failure 0\n"
		      "locked_until -1\n",
		    CMFA_ERR_PARSE },
		{ HDR "last_step\nfailures 0\nlast_failure 0\n"
		      "locked_until 0\n",
		    CMFA_ERR_PARSE },
		{ HDR "last_step \nfailures 0\nlast_failure 0\n"
		      "locked_until 0\n",
		    CMFA_ERR_PARSE },
		{ HDR "last_step 1 2\nfailures 0\nlast_failure 0\n"
		      "locked_until 0\n",
		    CMFA_ERR_PARSE },
		{ HDR "last_step  1\nfailures 0\nlast_failure 0\n"
		      "locked_until 0\n",
		    CMFA_ERR_PARSE },
		{ HDR " last_step 1\nfailures 0\nlast_failure 0\n"
		      "locked_until 0\n",
		    CMFA_ERR_PARSE },
		{ HDR "last_step\t1\nfailures 0\nlast_failure 0\n"
		      "locked_until 0\n",
		    CMFA_ERR_PARSE },
		{ HDR "last_step 1\r\nfailures 0\nlast_failure 0\n"
		      "locked_until 0\n",
		    CMFA_ERR_PARSE },
		/* grace lines */
		{ HDR K4 "grace sudo " HEX64 " 5\n", CMFA_OK },
		{ HDR K4 "grace sudo " HEX64 "\n", CMFA_ERR_PARSE },
		{ HDR K4 "grace sudo " HEX64 " 5 6\n", CMFA_ERR_PARSE },
		{ HDR K4 "grace sudo " HEX64 " -5\n", CMFA_ERR_PARSE },
		{ HDR K4 "grace sudo " HEX64 " 05\n", CMFA_ERR_PARSE },
		{ HDR K4 "grace sudo " HEX64 "0 5\n", CMFA_ERR_PARSE },
		{ HDR K4 "grace sudo 0123456789abcdef0123456789abcdef"
		         "0123456789abcdef0123456789abcde 5\n",
		    CMFA_ERR_PARSE },
		{ HDR K4 "grace sudo 0123456789ABCDEF0123456789abcdef"
		         "0123456789abcdef0123456789abcdef 5\n",
		    CMFA_ERR_PARSE },
		{ HDR K4 "grace sudo g123456789abcdef0123456789abcdef"
		         "0123456789abcdef0123456789abcdef 5\n",
		    CMFA_ERR_PARSE },
		{ HDR K4 "grace su/do " HEX64 " 5\n", CMFA_ERR_PARSE },
		{ HDR K4 "grace  " HEX64 " 5\n", CMFA_ERR_PARSE },
		{ HDR K4 "grace sssssssssssssssssssssssssssssssss " HEX64
		         " 5\n",
		    CMFA_ERR_PARSE },
		{ HDR K4 "grace ssssssssssssssssssssssssssssssss " HEX64 " 5\n",
		    CMFA_OK },
		{ HDR K4 "grace sudo " HEX64 " 5\ngrace sudo " HEX64 " 6\n",
		    CMFA_ERR_PARSE },
		{ HDR K4 "grace sudo " HEX64 " 5\ngrace sshd " HEX64 " 6\n",
		    CMFA_OK },
		{ HDR K4 "grace\n", CMFA_ERR_PARSE },
	};
	struct cmfa_state st, before;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(cases); i++) {
		memset(&st, 0x5a, sizeof(st));
		memcpy(&before, &st, sizeof(st));
		CHECK_MSG(parse_str(cases[i].text, &st) == cases[i].err,
		    "case %zu: %s", i, cases[i].text);
		if (cases[i].err != CMFA_OK) /* untouched on failure */
			CHECK_MSG(memcmp(&st, &before, sizeof(st)) == 0,
			    "case %zu", i);
	}
}

static void
test_parse_limits(void)
{
	char buf[CMFA_STATE_MAX + 64];
	struct cmfa_state st;
	size_t n, i;
	int k;

	/* nine grace lines: one too many */
	n = (size_t)snprintf(buf, sizeof(buf), HDR K4);
	for (k = 0; k < 9; k++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
		    "grace s%d " HEX64 " 5\n", k);
	CHECK_INT_EQ(cmfa_state_parse(buf, n, &st), CMFA_ERR_PARSE);
	/* eight is fine */
	n = (size_t)snprintf(buf, sizeof(buf), HDR K4);
	for (k = 0; k < 8; k++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
		    "grace s%d " HEX64 " 5\n", k);
	CHECK_INT_EQ(cmfa_state_parse(buf, n, &st), CMFA_OK);
	CHECK_INT_EQ(st.ngrace, 8);

	/* a NUL anywhere */
	n = (size_t)snprintf(buf, sizeof(buf), HDR K4);
	for (i = 0; i < n; i++) {
		char c = buf[i];

		buf[i] = '\0';
		CHECK_MSG(cmfa_state_parse(buf, n, &st) != CMFA_OK,
		    "NUL at %zu", i);
		buf[i] = c;
	}
	/* the length bounds the parse, not a NUL */
	CHECK_INT_EQ(cmfa_state_parse(buf, n - 1, &st), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_state_parse(buf, n, &st), CMFA_OK);

	/* oversize */
	memset(buf, 'x', sizeof(buf));
	CHECK_INT_EQ(cmfa_state_parse(buf, CMFA_STATE_MAX + 1, &st),
	    CMFA_ERR_TOOBIG);
	CHECK_INT_EQ(cmfa_state_parse(NULL, 0, &st), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_state_parse("", 0, NULL), CMFA_ERR_INVAL);
}

static void
test_lockout_table(void)
{
	static const int64_t want[21] = {
		0,
		0,
		0,
		0,
		0,
		1,
		2,
		4,
		8,
		16,
		32,
		64,
		128,
		256,
		512,
		900,
		900,
		900,
		900,
		900,
		900,
	};
	uint32_t n;

	for (n = 0; n <= 20; n++)
		CHECK_MSG(cmfa_lockout_seconds(n) == want[n], "n=%u", n);
	CHECK_INT_EQ(cmfa_lockout_seconds(35), 900);
	CHECK_INT_EQ(cmfa_lockout_seconds(UINT32_MAX), 900);
}

/*
 * An attacker who retries the moment each lock ends: the locks follow
 * the table, and a lock is never shortened or extended by checking.
 */
static void
test_lockout_sequence(void)
{
	struct cmfa_state st;
	int64_t now = T0, rem = -1;
	uint32_t i;

	memset(&st, 0, sizeof(st));
	for (i = 1; i <= 15; i++) {
		CHECK(!cmfa_state_locked(&st, now, &rem));
		CHECK_INT_EQ(rem, 0);
		cmfa_state_fail(&st, now);
		CHECK_INT_EQ(st.failures, i);
		CHECK_INT_EQ(st.last_failure, now);
		if (i < 5) {
			CHECK_INT_EQ(st.locked_until, 0);
			now += 10;
			continue;
		}
		CHECK_MSG(st.locked_until - now == cmfa_lockout_seconds(i),
		    "failure %u locks %lld s", i,
		    (long long)(st.locked_until - now));
		CHECK(cmfa_state_locked(&st, now, &rem));
		CHECK_INT_EQ(rem, cmfa_lockout_seconds(i));
		/* checking (any number of times) does not extend it */
		CHECK(cmfa_state_locked(&st, st.locked_until - 1, &rem));
		CHECK_INT_EQ(rem, 1);
		CHECK(!cmfa_state_locked(&st, st.locked_until, &rem));
		/* a wrong code during the lock neither counts nor extends */
		{
			struct cmfa_state copy;

			memcpy(&copy, &st, sizeof(st));

			cmfa_state_fail(&st, st.locked_until - 1);
			CHECK(memcmp(&copy, &st, sizeof(st)) == 0);
		}
		now = st.locked_until;
	}
	CHECK_INT_EQ(st.failures, 15);
	CHECK_INT_EQ(st.locked_until - st.last_failure, 900);
	/* retrying the moment the 900 s lock ends does not restart the
	 * count: the quiet 15 minutes start when the lock ends */
	cmfa_state_fail(&st, now);
	CHECK_INT_EQ(st.failures, 16);
	CHECK_INT_EQ(st.locked_until - now, 900);
	/* 15 minutes of silence after that lock ends: the count restarts */
	now = st.locked_until + 900;
	cmfa_state_fail(&st, now);
	CHECK_INT_EQ(st.failures, 1);
	CHECK_INT_EQ(st.locked_until, 0);
	CHECK(!cmfa_state_locked(&st, now, NULL));
}

static void
test_lockout_reset(void)
{
	struct cmfa_state st;
	int i;

	/* four failures, then 15 minutes of silence: back to one */
	memset(&st, 0, sizeof(st));
	for (i = 0; i < 4; i++)
		cmfa_state_fail(&st, T0 + i);
	CHECK_INT_EQ(st.failures, 4);
	cmfa_state_fail(&st, T0 + 3 + 899);
	CHECK_INT_EQ(st.failures, 5); /* 899 s: still counting */
	CHECK_INT_EQ(st.locked_until, T0 + 3 + 899 + 1);
	/* 900 s after the failure but 899 s after its lock ended: counts */
	cmfa_state_fail(&st, T0 + 3 + 899 + 900);
	CHECK_INT_EQ(st.failures, 6);
	/* 900 s after that lock (2 s) ended: the count restarts */
	cmfa_state_fail(&st, st.locked_until + 900);
	CHECK_INT_EQ(st.failures, 1);
	CHECK_INT_EQ(st.last_failure, T0 + 3 + 899 + 900 + 2 + 900);

	/* success resets everything but keeps the highest step */
	for (i = 0; i < 7; i++)
		cmfa_state_fail(&st,
		    st.locked_until > T0 ? st.locked_until : T0 + 2000);
	CHECK(st.failures >= 5 && st.locked_until != 0);
	st.last_step = 100;
	cmfa_state_success(&st, st.locked_until, 90);
	CHECK_INT_EQ(st.failures, 0);
	CHECK_INT_EQ(st.last_failure, 0);
	CHECK_INT_EQ(st.locked_until, 0);
	CHECK_INT_EQ(st.last_step, 100);
	cmfa_state_success(&st, T0, 101);
	CHECK_INT_EQ(st.last_step, 101);

	/* a clock that went back never resets the count */
	memset(&st, 0, sizeof(st));
	for (i = 0; i < 3; i++)
		cmfa_state_fail(&st, T0);
	cmfa_state_fail(&st, T0 - 5000);
	CHECK_INT_EQ(st.failures, 4);

	/* a lock further ahead than the cap is not honoured, the count is */
	memset(&st, 0, sizeof(st));
	st.failures = 10;
	st.last_failure = T0;
	st.locked_until = T0 + 900;
	CHECK(cmfa_state_locked(&st, T0, NULL));
	st.locked_until = T0 + 901;
	CHECK(!cmfa_state_locked(&st, T0, NULL));
	CHECK(cmfa_state_locked(&st, T0 + 1, NULL));
	st.locked_until = INT64_MAX;
	CHECK(!cmfa_state_locked(&st, INT64_MIN, NULL));
	st.locked_until = T0 + 32;
	CHECK(!cmfa_state_locked(&st, T0 - 5000, NULL)); /* clock back */
	cmfa_state_fail(&st, T0 - 5000);
	CHECK_INT_EQ(st.failures, 11);
	CHECK_INT_EQ(st.locked_until, T0 - 5000 + 64);
	CHECK(cmfa_state_locked(&st, T0 - 5000, NULL));

	/* the counter saturates */
	memset(&st, 0, sizeof(st));
	st.failures = UINT32_MAX;
	st.last_failure = T0;
	cmfa_state_fail(&st, T0 + 1);
	CHECK(st.failures == UINT32_MAX);
	CHECK_INT_EQ(st.locked_until, T0 + 1 + 900);
	/* and the lock end never overflows */
	memset(&st, 0, sizeof(st));
	st.failures = 10;
	st.last_failure = INT64_MAX - 10;
	cmfa_state_fail(&st, INT64_MAX - 5);
	CHECK(st.locked_until == INT64_MAX);
}

static void
key_fill(uint8_t key[CMFA_GRACE_KEY_LEN], int v)
{
	memset(key, v, CMFA_GRACE_KEY_LEN);
}

static void
test_grace(void)
{
	struct cmfa_state st;
	uint8_t k1[32], k2[32], k[32];
	char svc[40];
	int i;

	memset(&st, 0, sizeof(st));
	key_fill(k1, 1);
	key_fill(k2, 2);
	CHECK(!cmfa_state_grace_hit(&st, "sudo", k1, T0));
	CHECK_INT_EQ(cmfa_state_grace_add(&st, "sudo", k1, T0 + 300, T0),
	    CMFA_OK);
	CHECK(cmfa_state_grace_hit(&st, "sudo", k1, T0));
	CHECK(cmfa_state_grace_hit(&st, "sudo", k1, T0 + 299));
	CHECK(!cmfa_state_grace_hit(&st, "sudo", k1, T0 + 300));
	CHECK(!cmfa_state_grace_hit(&st, "sudo", k2, T0));
	CHECK(!cmfa_state_grace_hit(&st, "sshd", k1, T0));
	CHECK(!cmfa_state_grace_hit(&st, "sud", k1, T0));
	CHECK(!cmfa_state_grace_hit(&st, "sudo-i", k1, T0));
	CHECK(!cmfa_state_grace_hit(&st, "", k1, T0));
	CHECK(!cmfa_state_grace_hit(&st, NULL, k1, T0));
	/* one byte of the key differs */
	memcpy(k, k1, 32);
	k[31] ^= 0x80;
	CHECK(!cmfa_state_grace_hit(&st, "sudo", k, T0));
	k[31] ^= 0x80;
	k[0] ^= 1;
	CHECK(!cmfa_state_grace_hit(&st, "sudo", k, T0));

	/* same service + key: refreshed, not duplicated */
	CHECK_INT_EQ(cmfa_state_grace_add(&st, "sudo", k1, T0 + 600, T0 + 10),
	    CMFA_OK);
	CHECK_INT_EQ(st.ngrace, 1);
	CHECK(cmfa_state_grace_hit(&st, "sudo", k1, T0 + 599));
	CHECK_INT_EQ(cmfa_state_grace_add(&st, "sudo", k2, T0 + 100, T0),
	    CMFA_OK);
	CHECK_INT_EQ(cmfa_state_grace_add(&st, "sshd", k1, T0 + 100, T0),
	    CMFA_OK);
	CHECK_INT_EQ(st.ngrace, 3);

	/* refused: bad service, expiry not in the future */
	CHECK_INT_EQ(cmfa_state_grace_add(&st, "", k1, T0 + 5, T0),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_state_grace_add(&st, "a b", k1, T0 + 5, T0),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_state_grace_add(&st, "a/b", k1, T0 + 5, T0),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_state_grace_add(&st, "a\n", k1, T0 + 5, T0),
	    CMFA_ERR_INVAL);
	memset(svc, 'x', 33);
	svc[33] = '\0';
	CHECK_INT_EQ(cmfa_state_grace_add(&st, svc, k1, T0 + 5, T0),
	    CMFA_ERR_INVAL);
	svc[32] = '\0';
	CHECK_INT_EQ(cmfa_state_grace_add(&st, NULL, k1, T0 + 5, T0),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_state_grace_add(&st, "sudo", k1, T0, T0),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_state_grace_add(&st, "sudo", k1, T0 - 1, T0),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(st.ngrace, 3);

	/* adding prunes the expired ones */
	CHECK_INT_EQ(cmfa_state_grace_add(&st, svc, k2, T0 + 1000, T0 + 100),
	    CMFA_OK);
	CHECK_INT_EQ(st.ngrace, 2); /* the two T0 + 100 entries went */
	CHECK(cmfa_state_grace_hit(&st, "sudo", k1, T0 + 100));
	CHECK(cmfa_state_grace_hit(&st, svc, k2, T0 + 100));
	/* and so does a success */
	cmfa_state_success(&st, T0 + 600, 0);
	CHECK_INT_EQ(st.ngrace, 1);
	CHECK_STR_EQ(st.grace[0].service, svc);

	/* full: the soonest-expiring entry is evicted */
	memset(&st, 0, sizeof(st));
	for (i = 0; i < CMFA_GRACE_MAX; i++) {
		key_fill(k, i);
		/* entry 3 expires first */
		CHECK_INT_EQ(cmfa_state_grace_add(&st, "sudo", k,
		                 T0 + (i == 3 ? 50 : 100 + i), T0),
		    CMFA_OK);
	}
	CHECK_INT_EQ(st.ngrace, CMFA_GRACE_MAX);
	key_fill(k, 99);
	CHECK_INT_EQ(cmfa_state_grace_add(&st, "sudo", k, T0 + 500, T0),
	    CMFA_OK);
	CHECK_INT_EQ(st.ngrace, CMFA_GRACE_MAX);
	CHECK(cmfa_state_grace_hit(&st, "sudo", k, T0));
	for (i = 0; i < CMFA_GRACE_MAX; i++) {
		key_fill(k, i);
		CHECK_MSG(cmfa_state_grace_hit(&st, "sudo", k, T0) == (i != 3),
		    "entry %d", i);
	}
	/* and the result still serializes and parses */
	{
		struct cmfa_state back;
		struct cmfa_buf b;

		CHECK_INT_EQ(cmfa_state_serialize(&st, &b), CMFA_OK);
		CHECK_INT_EQ(cmfa_state_parse((const char *)b.p, b.len, &back),
		    CMFA_OK);
		cmfa_buf_free(&b);
		CHECK(cmfa_state_grace_hit(&back, "sudo", k1, T0) ==
		    cmfa_state_grace_hit(&st, "sudo", k1, T0));
	}
}

/* ---------------------------------------------------------------------- */
/* Transactions                                                           */

static bool
put_file(const struct tstore *t, const char *rel, const char *content,
    mode_t mode)
{
	size_t len = strlen(content);
	bool ok;
	int fd;

	fd = openat(t->st.dirfd, rel,
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return false;
	ok = write(fd, content, len) == (ssize_t)len && fchmod(fd, mode) == 0;
	close(fd);
	return ok;
}

/* Can another process take the user's lock right now? */
static bool
lock_free(const struct tstore *t, const char *user)
{
	char p[PATH_MAX + 64];
	pid_t pid;
	int status;

	snprintf(p, sizeof(p), "%s/lock/%s", t->path, user);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		int fd =
		    open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

		_exit(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void
test_txn_basic(void)
{
	struct tstore t;
	struct cmfa_state_txn txn;
	struct cmfa_state st;
	struct stat sb;

	if (!tstore_make(&t)) {
		CHECK(0);
		tstore_remove(&t);
		return;
	}
	memset(&st, 0x33, sizeof(st));
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "alice", &txn, &st), CMFA_OK);
	CHECK(st.last_step == 0 && st.failures == 0 && st.ngrace == 0);
	CHECK(!lock_free(&t, "alice"));
	CHECK(lock_free(&t, "bob"));
	CHECK((fcntl(txn.lockfd, F_GETFD) & FD_CLOEXEC) != 0);
	cmfa_state_fail(&st, T0);
	st.last_step = 42;
	CHECK_INT_EQ(cmfa_state_commit(&txn, &st), CMFA_OK);
	/* commit keeps the lock */
	CHECK(!lock_free(&t, "alice"));
	cmfa_state_end(&txn);
	CHECK(lock_free(&t, "alice"));
	cmfa_state_end(&txn); /* twice is harmless */
	CHECK_INT_EQ(cmfa_state_commit(&txn, &st), CMFA_ERR_INVAL);
	CHECK(
	    fstatat(t.st.dirfd, "state/alice", &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (sb.st_mode & 07777) == 0600);
	CHECK(
	    fstatat(t.st.dirfd, "lock/alice", &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (sb.st_mode & 07777) == 0600);

	memset(&st, 0, sizeof(st));
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "alice", &txn, &st), CMFA_OK);
	CHECK_INT_EQ(st.last_step, 42);
	CHECK_INT_EQ(st.failures, 1);
	CHECK_INT_EQ(st.last_failure, T0);
	cmfa_state_end(&txn);

	/* bad user names never reach the file system */
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "../x", &txn, &st),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(txn.lockfd, -1);
	cmfa_state_end(&txn);
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "", &txn, &st), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_state_begin(&t.st, NULL, &txn, &st), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_state_begin(NULL, "alice", &txn, &st),
	    CMFA_ERR_INVAL);
	tstore_remove(&t);
}

static void
test_txn_corrupt(void)
{
	struct tstore t;
	struct cmfa_state_txn txn;
	struct cmfa_state st;

	if (!tstore_make(&t)) {
		CHECK(0);
		tstore_remove(&t);
		return;
	}
	CHECK(put_file(&t, "state/carol", "garbage\n", 0600));
	memset(&st, 0x11, sizeof(st));
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "carol", &txn, &st),
	    CMFA_ERR_PARSE);
	CHECK(st.failures == 0x11111111u); /* untouched */
	CHECK_INT_EQ(txn.lockfd, -1);
	CHECK(lock_free(&t, "carol")); /* released again */
	cmfa_state_end(&txn);

	/* an untrusted state file */
	CHECK(put_file(&t, "state/carol", HDR K4, 0622));
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "carol", &txn, &st),
	    CMFA_ERR_UNTRUSTED);
	CHECK(lock_free(&t, "carol"));
	CHECK(unlinkat(t.st.dirfd, "state/carol", 0) == 0);
	CHECK(symlinkat("../pool.json", t.st.dirfd, "state/carol") == 0);
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "carol", &txn, &st),
	    CMFA_ERR_UNTRUSTED);
	CHECK(unlinkat(t.st.dirfd, "state/carol", 0) == 0);

	/* untrusted lock files */
	CHECK(symlinkat("../pool.json", t.st.dirfd, "lock/dave") == 0);
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "dave", &txn, &st),
	    CMFA_ERR_UNTRUSTED);
	CHECK(put_file(&t, "lock/erin", "", 0666));
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "erin", &txn, &st),
	    CMFA_ERR_UNTRUSTED);
	CHECK(mkdirat(t.st.dirfd, "lock/fay", 0700) == 0);
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "fay", &txn, &st),
	    CMFA_ERR_UNTRUSTED);
	CHECK(mkfifoat(t.st.dirfd, "lock/gus", 0600) == 0);
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "gus", &txn, &st),
	    CMFA_ERR_UNTRUSTED);
	CHECK(put_file(&t, "lock/hal", "", 0600));
	CHECK(linkat(t.st.dirfd, "lock/hal", t.st.dirfd, "lock/hal2", 0) == 0);
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "hal", &txn, &st),
	    CMFA_ERR_UNTRUSTED);
	/* a state file too big */
	{
		char big[CMFA_STATE_MAX + 2];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CHECK(put_file(&t, "state/ivy", big, 0600));
		CHECK_INT_EQ(cmfa_state_begin(&t.st, "ivy", &txn, &st),
		    CMFA_ERR_TOOBIG);
	}
	tstore_remove(&t);
}

static void
test_txn_reset(void)
{
	struct tstore t;
	struct cmfa_state_txn txn;
	struct cmfa_state st;
	int i;

	if (!tstore_make(&t)) {
		CHECK(0);
		tstore_remove(&t);
		return;
	}
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "alice", &txn, &st), CMFA_OK);
	for (i = 0; i < 6; i++)
		cmfa_state_fail(&st, T0 + i * 100);
	st.last_step = 777;
	CHECK(cmfa_state_locked(&st, T0 + 501, NULL));
	CHECK_INT_EQ(cmfa_state_commit(&txn, &st), CMFA_OK);
	cmfa_state_end(&txn);

	CHECK_INT_EQ(cmfa_state_reset(&t.st, "alice"), CMFA_OK);
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "alice", &txn, &st), CMFA_OK);
	CHECK(!cmfa_state_locked(&st, T0 + 501, NULL));
	CHECK_INT_EQ(st.failures, 0);
	CHECK_INT_EQ(st.last_step, 777); /* replay marker kept */
	cmfa_state_end(&txn);

	/* a corrupt state is replaced by a zeroed one */
	CHECK(put_file(&t, "state/bob", "cmfa-state 1\njunk\n", 0600));
	CHECK_INT_EQ(cmfa_state_reset(&t.st, "bob"), CMFA_OK);
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "bob", &txn, &st), CMFA_OK);
	CHECK_INT_EQ(st.last_step, 0);
	cmfa_state_end(&txn);
	CHECK_INT_EQ(cmfa_state_reset(&t.st, "b/ob"), CMFA_ERR_INVAL);
	tstore_remove(&t);
}

#define INCREMENTS 200

/* One worker: INCREMENTS read-modify-write cycles of last_step. */
static int
worker(struct tstore *t)
{
	struct cmfa_state_txn txn;
	struct cmfa_state st;
	int i;

	for (i = 0; i < INCREMENTS; i++) {
		if (cmfa_state_begin(&t->st, "racer", &txn, &st) != CMFA_OK)
			return 1;
		st.last_step++;
		if (i % 7 == 0)
			usleep(50); /* widen the window a race needs */
		if (cmfa_state_commit(&txn, &st) != CMFA_OK) {
			cmfa_state_end(&txn);
			return 2;
		}
		cmfa_state_end(&txn);
	}
	return 0;
}

static void
test_txn_cross_process(void)
{
	struct tstore t;
	struct cmfa_state_txn txn;
	struct cmfa_state st;
	pid_t pid[2];
	int i, status;

	if (!tstore_make(&t)) {
		CHECK(0);
		tstore_remove(&t);
		return;
	}
	fflush(NULL);
	for (i = 0; i < 2; i++) {
		if ((pid[i] = fork()) == 0)
			_exit(worker(&t));
		CHECK(pid[i] > 0);
	}
	for (i = 0; i < 2; i++) {
		if (pid[i] <= 0)
			continue;
		CHECK(waitpid(pid[i], &status, 0) == pid[i]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CHECK_INT_EQ(cmfa_state_begin(&t.st, "racer", &txn, &st), CMFA_OK);
	CHECK_INT_EQ(st.last_step, 2 * INCREMENTS);
	cmfa_state_end(&txn);
	tstore_remove(&t);
}

TEST_MAIN_BEGIN("test_state")
	RUN(test_parse_good);
	RUN(test_roundtrip);
	RUN(test_parse_bad);
	RUN(test_parse_limits);
	RUN(test_lockout_table);
	RUN(test_lockout_sequence);
	RUN(test_lockout_reset);
	RUN(test_grace);
	RUN(test_txn_basic);
	RUN(test_txn_corrupt);
	RUN(test_txn_reset);
	RUN(test_txn_cross_process);
TEST_MAIN_END
