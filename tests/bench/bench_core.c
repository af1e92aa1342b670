/*
 * bench_core.c: what one login costs in the core, and whether that cost
 * stays flat with the number of cached users (DESIGN.md section 6).
 *
 * Prints ns per operation for: the policy decision, parsing a pool config
 * and a user record, a TOTP verification (window 1), a state transaction
 * (flock + read + atomic write), and the whole cache path of a login
 * (open store, read pool, user, TOTP secret, decide) against a store with
 * 1 user and with 100,000 users.  Figures, not assertions: `make bench`
 * runs it, `make check` never does.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmfa_core.h"
#include "cmfa_otp.h"
#include "cmfa_store.h"

#define POOL                                                                   \
	"{\"SmsMfaConfiguration\":{\"SmsAuthenticationMessage\":"              \
	"\"Your code is {####}.\",\"SmsConfiguration\":{\"SnsCallerArn\":"     \
	"\"arn:aws:iam::123456789012:role/sms\",\"ExternalId\":\"x\","         \
	"\"SnsRegion\":\"us-east-1\"}},\"SoftwareTokenMfaConfiguration\":"     \
	"{\"Enabled\":true},\"MfaConfiguration\":\"ON\"}"
#define USER_FMT                                                               \
	"{\"Username\":\"%s\",\"UserAttributes\":["                            \
	"{\"Name\":\"sub\",\"Value\":\"d1b2c3d4-0000-1111-2222-%012d\"},"      \
	"{\"Name\":\"email\",\"Value\":\"%s@example.com\"},"                   \
	"{\"Name\":\"email_verified\",\"Value\":\"true\"}],"                   \
	"\"UserCreateDate\":1548108509.537,\"Enabled\":true,"                  \
	"\"UserStatus\":\"CONFIRMED\",\"UserMFASettingList\":"                 \
	"[\"SOFTWARE_TOKEN_MFA\"],\"PreferredMfaSetting\":"                    \
	"\"SOFTWARE_TOKEN_MFA\"}"

static const uint8_t key[20] = "12345678901234567890";

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void
report(const char *what, double ns_total, long n)
{
	printf("%-44s %12.0f ns/op  (%ld ops)\n", what, ns_total / (double)n,
	    n);
	fflush(stdout);
}

static void
bench_policy(void)
{
	struct cmfa_policy_in in;
	struct cmfa_policy_out out;
	volatile unsigned sink = 0;
	long i, n = 10000000;
	double t;

	memset(&in, 0, sizeof(in));
	in.pool_mfa = CMFA_MFA_ON;
	in.pool_factors = CMFA_FACTORS_ALL;
	in.user_state = CMFA_USER_PRESENT;
	in.has_mfa_list = true;
	in.in_scope = true;
	in.has_phone = in.has_email = true;
	in.totp_secret = true;
	t = now_ns();
	for (i = 0; i < n; i++) {
		in.user_factors = (unsigned)i & 7u;
		in.preferred = (int)(i % 4) - 1;
		cmfa_policy_decide(&in, &out);
		sink += out.outcome;
	}
	report("policy decide", now_ns() - t, n);
}

static void
bench_parse(void)
{
	struct cmfa_pool_config pool;
	struct cmfa_user user;
	char json[1024];
	long i, n = 200000;
	double t;
	int len;

	t = now_ns();
	for (i = 0; i < n; i++) {
		if (cmfa_pool_parse(POOL, strlen(POOL), &pool, NULL) != CMFA_OK)
			exit(1);
		cmfa_pool_free(&pool);
	}
	report("pool.json parse (GetUserPoolMfaConfig)", now_ns() - t, n);
	len = snprintf(json, sizeof(json), USER_FMT, "alice", 1, "alice");
	t = now_ns();
	for (i = 0; i < n; i++) {
		if (cmfa_user_parse(json, (size_t)len, &user, NULL) != CMFA_OK)
			exit(1);
		cmfa_user_free(&user);
	}
	report("users/<u>.json parse (AdminGetUser)", now_ns() - t, n);
}

static void
bench_totp(void)
{
	uint64_t step;
	long i, n = 200000;
	double t;

	t = now_ns();
	for (i = 0; i < n; i++)
		(void)cmfa_totp_verify(key, sizeof(key), "000000", 6,
		    1700000000 + i, 1, 0, &step);
	report("TOTP verify, window 1 (3 HMACs)", now_ns() - t, n);
}

/* A store with nusers users, written directly (no fsync per file). */
static int
make_store(const char *dir, long nusers)
{
	char path[512], json[1024];
	struct cmfa_store st;
	long i;
	int fd, len;

	if (cmfa_store_init(dir, geteuid()) != CMFA_OK)
		return 0;
	st.dirfd = -1;
	if (cmfa_store_open(&st, dir, geteuid()) != CMFA_OK ||
	    cmfa_store_pool_write(&st, POOL, strlen(POOL), NULL) != CMFA_OK)
		return 0;
	for (i = 0; i < nusers; i++) {
		char name[32];

		snprintf(name, sizeof(name), "user%06ld", i);
		len =
		    snprintf(json, sizeof(json), USER_FMT, name, (int)i, name);
		snprintf(path, sizeof(path), "%s/users/%s.json", dir, name);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, json, (size_t)len) != len)
			return 0;
		close(fd);
		if (i % 100 == 0) {
			snprintf(path, sizeof(path), "%s", name);
			if (cmfa_store_pending_save(&st, name, key,
			        sizeof(key)) != CMFA_OK ||
			    cmfa_store_totp_activate(&st, name) != CMFA_OK)
				return 0;
		}
	}
	cmfa_store_close(&st);
	return 1;
}

/* The cache path of one login, as the module runs it. */
static void
bench_login_cache(const char *dir, long nusers, long n)
{
	struct cmfa_store st;
	struct cmfa_pool_config pool;
	struct cmfa_user user;
	struct cmfa_policy_in in;
	struct cmfa_policy_out out;
	uint8_t k[CMFA_TOTP_KEY_MAX];
	size_t klen;
	char name[32], label[96];
	long i;
	double t;
	int64_t synced;

	t = now_ns();
	for (i = 0; i < n; i++) {
		long u = nusers > 100 ? (i * 7919 % (nusers / 100)) * 100 : 0;

		snprintf(name, sizeof(name), "user%06ld", u);
		st.dirfd = -1;
		if (cmfa_store_open(&st, dir, geteuid()) != CMFA_OK ||
		    cmfa_store_pool_read(&st, &pool, &synced, NULL) !=
		        CMFA_OK ||
		    cmfa_store_user_read(&st, name, &user, &synced, NULL) !=
		        CMFA_OK ||
		    cmfa_store_totp_load(&st, name, k, sizeof(k), &klen) !=
		        CMFA_OK) {
			fprintf(stderr, "login cache path failed for %s\n",
			    name);
			exit(1);
		}
		memset(&in, 0, sizeof(in));
		in.pool_mfa = pool.mfa;
		in.pool_factors = cmfa_pool_factors(&pool);
		in.user_state = CMFA_USER_PRESENT;
		in.user_factors = user.mfa_list;
		in.has_mfa_list = user.has_mfa_list;
		in.preferred = user.preferred;
		in.totp_secret = klen > 0;
		in.in_scope = true;
		cmfa_policy_decide(&in, &out);
		cmfa_user_free(&user);
		cmfa_pool_free(&pool);
		cmfa_store_close(&st);
		cmfa_memzero(k, sizeof(k));
	}
	snprintf(label, sizeof(label), "login cache path, %ld user%s", nusers,
	    nusers == 1 ? "" : "s");
	report(label, now_ns() - t, n);
}

static void
bench_state(const char *dir)
{
	struct cmfa_store st;
	struct cmfa_state_txn txn;
	struct cmfa_state s;
	long i, n = 2000;
	double t;

	st.dirfd = -1;
	if (cmfa_store_open(&st, dir, geteuid()) != CMFA_OK)
		exit(1);
	t = now_ns();
	for (i = 0; i < n; i++) {
		if (cmfa_state_begin(&st, "user000000", &txn, &s) != CMFA_OK)
			exit(1);
		cmfa_state_success(&s, 1700000000 + i, (uint64_t)i + 1);
		if (cmfa_state_commit(&txn, &s) != CMFA_OK)
			exit(1);
		cmfa_state_end(&txn);
	}
	report("state transaction (flock, read, fsync'd write)", now_ns() - t,
	    n);
	cmfa_store_close(&st);
}

static void
rm_rf(const char *dir)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/rm", "rm", "-rf", "--", dir, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		(void)waitpid(pid, NULL, 0);
}

int
main(void)
{
	char base[] = "/tmp/cmfa-bench-XXXXXX", one[64], many[64];
	struct rusage ru;
	double t;

	bench_policy();
	bench_parse();
	bench_totp();
	if (mkdtemp(base) == NULL)
		return 1;
	snprintf(one, sizeof(one), "%s/one", base);
	snprintf(many, sizeof(many), "%s/many", base);
	if (!make_store(one, 1))
		return 1;
	t = now_ns();
	if (!make_store(many, 100000))
		return 1;
	printf("%-44s %12.1f s\n", "(building the 100,000-user store)",
	    (now_ns() - t) / 1e9);
	/* alternate, so neither run gets a warmer cache than the other */
	bench_login_cache(one, 1, 20000);
	bench_login_cache(many, 100000, 20000);
	bench_login_cache(one, 1, 20000);
	bench_login_cache(many, 100000, 20000);
	bench_state(one);
	getrusage(RUSAGE_SELF, &ru);
	printf("%-44s %12ld KiB\n", "peak RSS of this process", ru.ru_maxrss);
	rm_rf(base);
	return 0;
}
