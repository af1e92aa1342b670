/*
 * test_otp.c: HOTP / TOTP (RFC 4226 and RFC 6238 vectors, oathtool as the
 * real peer), TOTP verification (window, replay, formats), base32
 * (RFC 4648 vectors), delivered codes, templates, masking, otpauth URIs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmfa_test.h"
#include "cmfa_otp.h"
#include "cmfa_util.h"

#define OATHTOOL "/usr/bin/oathtool"

static const uint8_t rfc_key[] = "12345678901234567890"; /* 20 bytes */
#define RFC_KEYLEN 20

/* ---------------------------------------------------------------------- */
/* helpers                                                                */

static void
fmt_code(uint32_t v, unsigned digits, char *out)
{
	snprintf(out, 16, "%0*u", (int)digits, (unsigned)v);
}

/* The 6-digit TOTP code of key at step, as a string. */
static void
code_at(const uint8_t *key, size_t keylen, uint64_t step, char out[16])
{
	uint32_t v = 0;

	CHECK_INT_EQ(cmfa_hotp(key, keylen, step, 6, &v), CMFA_OK);
	fmt_code(v, 6, out);
}

static uint64_t
rand_u64(void)
{
	uint64_t v = 0;

	CHECK_INT_EQ(cmfa_random_bytes((uint8_t *)&v, sizeof(v)), CMFA_OK);
	return v;
}

static void
to_hex(const uint8_t *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * Run argv (argv[0] an absolute path) with fork + execve, a minimal
 * environment and stdout captured into out.  Returns 0 when the program
 * exited with status 0.  The keys passed in argv here are throwaway test
 * keys: product code never puts a secret in argv.
 */
static int
run_capture(char *const argv[], char *out, size_t outsz)
{
	char *const envp[] = { "LC_ALL=C", "TZ=UTC", NULL };
	int fds[2], status = 0;
	size_t got = 0;
	ssize_t r;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(126);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(fds[1]);
	while (got + 1 < outsz) {
		r = read(fds[0], out + got, outsz - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	out[got] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------------- */
/* HOTP / TOTP                                                            */

static void
test_hotp_rfc4226(void)
{
	/* RFC 4226 Appendix D */
	static const uint32_t want[10] = { 755224, 287082, 359152, 969429,
		338314, 254676, 287922, 162583, 399871, 520489 };
	uint32_t v;
	uint64_t c;

	for (c = 0; c < 10; c++) {
		v = 0xffffffffu;
		CHECK_INT_EQ(cmfa_hotp(rfc_key, RFC_KEYLEN, c, 6, &v), CMFA_OK);
		CHECK_MSG(v == want[c], "counter %" PRIu64 ": %u != %u", c, v,
		    want[c]);
	}
}

static void
test_hotp_args(void)
{
	uint8_t big[CMFA_TOTP_KEY_MAX + 1];
	uint32_t v = 4242;

	memset(big, 0x5a, sizeof(big));
	CHECK_INT_EQ(cmfa_hotp(rfc_key, RFC_KEYLEN, 0, 5, &v), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_hotp(rfc_key, RFC_KEYLEN, 0, 9, &v), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_hotp(rfc_key, 0, 0, 6, &v), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_hotp(NULL, 20, 0, 6, &v), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_hotp(big, sizeof(big), 0, 6, &v), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_hotp(rfc_key, RFC_KEYLEN, 0, 6, NULL),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(v, 4242); /* untouched on failure */
	CHECK_INT_EQ(cmfa_hotp(big, CMFA_TOTP_KEY_MAX, 0, 6, &v), CMFA_OK);
	CHECK(v < 1000000);
	CHECK_INT_EQ(cmfa_hotp(rfc_key, 1, 0, 7, &v), CMFA_OK);
	CHECK(v < 10000000);
	/* 7 and 8 digits extend the 6-digit value (same truncation) */
	CHECK_INT_EQ(cmfa_hotp(rfc_key, RFC_KEYLEN, 0, 7, &v), CMFA_OK);
	CHECK_INT_EQ(v % 1000000, 755224);
	CHECK_INT_EQ(cmfa_hotp(rfc_key, RFC_KEYLEN, UINT64_MAX, 8, &v),
	    CMFA_OK);
}

static void
test_totp_step(void)
{
	CHECK(cmfa_totp_step(0) == 0);
	CHECK(cmfa_totp_step(29) == 0);
	CHECK(cmfa_totp_step(30) == 1);
	CHECK(cmfa_totp_step(59) == 1);
	CHECK(cmfa_totp_step(-1) == 0);
	CHECK(cmfa_totp_step(-31) == 0);
	CHECK(cmfa_totp_step(INT64_MIN) == 0);
	CHECK(cmfa_totp_step(INT64_MAX) == (uint64_t)INT64_MAX / 30);
	CHECK(cmfa_totp_step(1111111109) == 0x23523ec);
}

static void
test_totp_rfc6238(void)
{
	/* RFC 6238 Appendix B, SHA-1 column (8 digits) */
	static const struct {
		int64_t t;
		uint64_t step;
		uint32_t totp;
	} vec[] = {
		{ 59, 0x1, 94287082 },
		{ 1111111109, 0x23523ec, 7081804 },
		{ 1111111111, 0x23523ed, 14050471 },
		{ 1234567890, 0x273ef07, 89005924 },
		{ 2000000000, 0x3f940aa, 69279037 },
		{ 20000000000, 0x27bc86aa, 65353130 },
	};
	char six[16];
	uint32_t v;
	uint64_t m;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(vec); i++) {
		CHECK(cmfa_totp_step(vec[i].t) == vec[i].step);
		v = 0;
		CHECK_INT_EQ(cmfa_hotp(rfc_key, RFC_KEYLEN,
		                 cmfa_totp_step(vec[i].t), 8, &v),
		    CMFA_OK);
		CHECK_MSG(v == vec[i].totp, "t=%" PRId64 ": %u != %u", vec[i].t,
		    v, vec[i].totp);
		/* the 6-digit code is the low 6 digits of the 8 */
		fmt_code(vec[i].totp % 1000000, 6, six);
		m = 0;
		CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, six, 6,
		                 vec[i].t, 0, 0, &m),
		    CMFA_OK);
		CHECK(m == vec[i].step);
		/* one period later, window 1 still takes it */
		CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, six, 6,
		                 vec[i].t + 30, 1, 0, &m),
		    CMFA_OK);
		CHECK(m == vec[i].step);
	}
}

static void
test_oathtool_totp(void)
{
	static const size_t lens[] = { 10, 16, 20, 20, 20, 32, 48, 64 };
	uint8_t key[CMFA_TOTP_KEY_MAX];
	char b32[CMFA_TOTP_KEY_B32_MAX], now[64], got[64], want[16];
	char *argv[8];
	uint32_t v;
	uint64_t m;
	int64_t t;
	size_t i;

	if (access(OATHTOOL, X_OK) != 0)
		SKIP("%s not installed (Debian package oathtool)", OATHTOOL);
	for (i = 0; i < CMFA_ARRAY_LEN(lens); i++) {
		CHECK_INT_EQ(cmfa_random_bytes(key, lens[i]), CMFA_OK);
		CHECK_INT_EQ(cmfa_base32_encode(key, lens[i], b32, sizeof(b32)),
		    CMFA_OK);
		/* any time from 1970 to about 2514 */
		t = (int64_t)(rand_u64() % 17179869184ull);
		if (i == 0)
			t = 0;
		snprintf(now, sizeof(now), "--now=@%" PRId64, t);

		argv[0] = OATHTOOL;
		argv[1] = "--totp";
		argv[2] = "-b";
		argv[3] = now;
		argv[4] = b32;
		argv[5] = NULL;
		CHECK_INT_EQ(run_capture(argv, got, sizeof(got)), 0);
		code_at(key, lens[i], cmfa_totp_step(t), want);
		CHECK_MSG(strlen(got) == 7 && strncmp(got, want, 6) == 0,
		    "key %s t %" PRId64 ": oathtool %s, we %s", b32, t, got,
		    want);
		got[6] = '\0';
		CHECK_INT_EQ(cmfa_totp_verify(key, lens[i], got, 6, t, 1, 0,
		                 &m),
		    CMFA_OK);

		/* 8 digits */
		argv[4] = "-d";
		argv[5] = "8";
		argv[6] = b32;
		argv[7] = NULL;
		CHECK_INT_EQ(run_capture(argv, got, sizeof(got)), 0);
		CHECK_INT_EQ(cmfa_hotp(key, lens[i], cmfa_totp_step(t), 8, &v),
		    CMFA_OK);
		fmt_code(v, 8, want);
		CHECK_MSG(strlen(got) == 9 && strncmp(got, want, 8) == 0,
		    "key %s t %" PRId64 ": oathtool %s, we %s", b32, t, got,
		    want);
	}
	cmfa_memzero(key, sizeof(key));
}

static void
test_oathtool_hotp(void)
{
	static const size_t lens[] = { 1, 10, 20, 32, 64 };
	uint8_t key[CMFA_TOTP_KEY_MAX];
	char hex[2 * CMFA_TOTP_KEY_MAX + 1], ctr[32], got[64], want[16];
	char *argv[8];
	uint64_t c;
	uint32_t v;
	size_t i, j;

	if (access(OATHTOOL, X_OK) != 0)
		SKIP("%s not installed (Debian package oathtool)", OATHTOOL);
	for (i = 0; i < CMFA_ARRAY_LEN(lens); i++) {
		CHECK_INT_EQ(cmfa_random_bytes(key, lens[i]), CMFA_OK);
		to_hex(key, lens[i], hex);
		for (j = 0; j < 3; j++) {
			c = j == 0   ? 0
			    : j == 1 ? rand_u64() % 100000000
			             : rand_u64() >> 1;
			snprintf(ctr, sizeof(ctr), "%" PRIu64, c);
			argv[0] = OATHTOOL;
			argv[1] = "--hotp";
			argv[2] = "-c";
			argv[3] = ctr;
			argv[4] = "-d";
			argv[5] = j == 2 ? "8" : "6";
			argv[6] = hex;
			argv[7] = NULL;
			CHECK_INT_EQ(run_capture(argv, got, sizeof(got)), 0);
			v = 0;
			CHECK_INT_EQ(cmfa_hotp(key, lens[i], c, j == 2 ? 8 : 6,
			                 &v),
			    CMFA_OK);
			fmt_code(v, j == 2 ? 8 : 6, want);
			CHECK_MSG(strncmp(got, want, strlen(want)) == 0 &&
			        got[strlen(want)] == '\n',
			    "key %s counter %s: oathtool %s, we %s", hex, ctr,
			    got, want);
		}
	}
	cmfa_memzero(key, sizeof(key));
}

static void
test_verify_window(void)
{
	const int64_t t = 1700000000; /* codes s-12..s+12 all distinct */
	const uint64_t s = cmfa_totp_step(t);
	char c[16];
	uint64_t m;
	int d;

	for (d = -2; d <= 2; d++) {
		code_at(rfc_key, RFC_KEYLEN, s + (uint64_t)(int64_t)d, c);
		m = 777;
		if (d >= -1 && d <= 1) {
			CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6,
			                 t, 1, 0, &m),
			    CMFA_OK);
			CHECK(m == s + (uint64_t)(int64_t)d);
		} else {
			CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6,
			                 t, 1, 0, &m),
			    CMFA_ERR_MISMATCH);
			CHECK(m == 777); /* untouched */
		}
		/* window 0: only the current step */
		CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, t, 0,
		                 0, &m),
		    d == 0 ? CMFA_OK : CMFA_ERR_MISMATCH);
	}
	/* the step, not the second, decides: first and last second */
	code_at(rfc_key, RFC_KEYLEN, s + 1, c);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6,
	                 (int64_t)s * 30, 1, 0, &m),
	    CMFA_OK);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6,
	                 (int64_t)s * 30 + 29, 0, 0, &m),
	    CMFA_ERR_MISMATCH);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6,
	                 (int64_t)s * 30 + 30, 0, 0, &m),
	    CMFA_OK);
	/* the largest window */
	code_at(rfc_key, RFC_KEYLEN, s + 10, c);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, t,
	                 CMFA_TOTP_WINDOW_MAX, 0, &m),
	    CMFA_OK);
	CHECK(m == s + 10);
	code_at(rfc_key, RFC_KEYLEN, s - 10, c);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, t,
	                 CMFA_TOTP_WINDOW_MAX, 0, &m),
	    CMFA_OK);
	CHECK(m == s - 10);
	code_at(rfc_key, RFC_KEYLEN, s + 11, c);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, t,
	                 CMFA_TOTP_WINDOW_MAX, 0, &m),
	    CMFA_ERR_MISMATCH);
	code_at(rfc_key, RFC_KEYLEN, s - 11, c);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, t,
	                 CMFA_TOTP_WINDOW_MAX, 0, &m),
	    CMFA_ERR_MISMATCH);
	/* a window above the maximum is a caller error, even for a good code */
	code_at(rfc_key, RFC_KEYLEN, s, c);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, t,
	                 CMFA_TOTP_WINDOW_MAX + 1, 0, &m),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, t, UINT_MAX, 0,
	                 &m),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_totp_verify(NULL, RFC_KEYLEN, c, 6, t, 1, 0, &m),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, 0, c, 6, t, 1, 0, &m),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, CMFA_TOTP_KEY_MAX + 1, c, 6, t,
	                 1, 0, &m),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, NULL, 6, t, 1, 0,
	                 &m),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, t, 1, 0, NULL),
	    CMFA_ERR_INVAL);
	/* a different key does not verify */
	CHECK_INT_EQ(cmfa_totp_verify((const uint8_t *)"12345678901234567891",
	                 20, c, 6, t, 1, 0, &m),
	    CMFA_ERR_MISMATCH);
}

static void
test_verify_replay(void)
{
	const int64_t t = 1700000000;
	const uint64_t s = cmfa_totp_step(t);
	char c[16];
	uint64_t m;

	/* the current step used: refused as a replay */
	code_at(rfc_key, RFC_KEYLEN, s, c);
	m = 777;
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, t, 1, s, &m),
	    CMFA_ERR_REPLAY);
	CHECK(m == 777);
	/* fresh when the last used step is older */
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, t, 1, s - 1,
	                 &m),
	    CMFA_OK);
	CHECK(m == s);
	/* an older step than the last used one: replay too */
	code_at(rfc_key, RFC_KEYLEN, s - 1, c);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, t, 1, s, &m),
	    CMFA_ERR_REPLAY);
	/* a newer step than the last used one is accepted and returned */
	code_at(rfc_key, RFC_KEYLEN, s + 1, c);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, t, 1, s, &m),
	    CMFA_OK);
	CHECK(m == s + 1);
	/* a used step in the future (clock went back): still a replay */
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, t, 1, s + 1,
	                 &m),
	    CMFA_ERR_REPLAY);
	/* outside the window it is just wrong, used or not */
	code_at(rfc_key, RFC_KEYLEN, s - 5, c);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, t, 1, s, &m),
	    CMFA_ERR_MISMATCH);
}

/*
 * Steps 57017782 and 57017784 of the RFC key share the code 882938
 * (found by search), which shows how used and fresh matches combine.
 */
static void
test_verify_replay_collision(void)
{
	const uint64_t c1 = 57017782, c2 = 57017784;
	const int64_t t = (int64_t)(c1 + 1) * 30 + 7;
	char a[16], b[16], mid[16];
	uint64_t m;

	code_at(rfc_key, RFC_KEYLEN, c1, a);
	code_at(rfc_key, RFC_KEYLEN, c2, b);
	code_at(rfc_key, RFC_KEYLEN, c1 + 1, mid);
	CHECK_STR_EQ(a, "882938");
	CHECK_STR_EQ(b, "882938");
	CHECK(strcmp(mid, a) != 0);
	/* both fresh: the highest step is returned */
	m = 0;
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, a, 6, t, 1, 0, &m),
	    CMFA_OK);
	CHECK(m == c2);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, a, 6, t, 1, c1 - 1,
	                 &m),
	    CMFA_OK);
	CHECK(m == c2);
	/* one used, one fresh: the fresh one wins */
	m = 0;
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, a, 6, t, 1, c1, &m),
	    CMFA_OK);
	CHECK(m == c2);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, a, 6, t, 1, c1 + 1,
	                 &m),
	    CMFA_OK);
	CHECK(m == c2);
	/* both used */
	m = 0;
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, a, 6, t, 1, c2, &m),
	    CMFA_ERR_REPLAY);
	CHECK(m == 0);
	/* window 0 at c1's time: only c1 */
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, a, 6,
	                 (int64_t)c1 * 30, 0, 0, &m),
	    CMFA_OK);
	CHECK(m == c1);
}

static void
test_verify_formats(void)
{
	const int64_t t = 1700000000;
	const uint64_t s = cmfa_totp_step(t);
	static const char *const bad[] = { "", "1", "12345", "1234567",
		"12a456", "12 456", " 12345", "12345 ", "+12345", "-12345",
		"12345\n", "１２３", "abcdef", "12345/", "12345:" };
	char c[16], tmp[16];
	uint64_t m = 777;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(bad); i++)
		CHECK_MSG(cmfa_totp_verify(rfc_key, RFC_KEYLEN, bad[i],
		              strlen(bad[i]), t, 1, 0, &m) == CMFA_ERR_MISMATCH,
		    "\"%s\"", bad[i]);
	code_at(rfc_key, RFC_KEYLEN, s, c);
	/* the right code with extra characters, or cut short */
	memcpy(tmp, c, 6);
	tmp[6] = '7';
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, tmp, 7, t, 1, 0, &m),
	    CMFA_ERR_MISMATCH);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 5, t, 1, 0, &m),
	    CMFA_ERR_MISMATCH);
	/* a NUL inside */
	memcpy(tmp, c, 6);
	tmp[3] = '\0';
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, tmp, 6, t, 1, 0, &m),
	    CMFA_ERR_MISMATCH);
	/* digits only: a neighbour of '0' / '9' swapped in */
	memcpy(tmp, c, 6);
	tmp[5] = (char)('0' - 1);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, tmp, 6, t, 1, 0, &m),
	    CMFA_ERR_MISMATCH);
	tmp[5] = (char)('9' + 1);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, tmp, 6, t, 1, 0, &m),
	    CMFA_ERR_MISMATCH);
	tmp[5] = (char)0xb9; /* high byte */
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, tmp, 6, t, 1, 0, &m),
	    CMFA_ERR_MISMATCH);
	CHECK(m == 777);
	/* length bounds the code, not a NUL */
	memcpy(tmp, c, 6);
	memcpy(tmp + 6, "99", 3);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, tmp, 6, t, 1, 0, &m),
	    CMFA_OK);
	CHECK(m == s);
	CHECK_INT_EQ(cmfa_code_format_ok("000000", 6), 1);
	CHECK_INT_EQ(cmfa_code_format_ok("999999", 6), 1);
	CHECK_INT_EQ(cmfa_code_format_ok("99999/", 6), 0);
	CHECK_INT_EQ(cmfa_code_format_ok("99999:", 6), 0);
	CHECK_INT_EQ(cmfa_code_format_ok(NULL, 6), 0);
}

static void
test_verify_edges_of_time(void)
{
	const uint64_t top = (uint64_t)INT64_MAX / 30;
	char c[16];
	uint64_t m;

	/* near 0: the window is clamped, no underflow */
	code_at(rfc_key, RFC_KEYLEN, 0, c);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, 0,
	                 CMFA_TOTP_WINDOW_MAX, 0, &m),
	    CMFA_OK);
	CHECK(m == 0);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, 15, 1, 0, &m),
	    CMFA_OK);
	CHECK(m == 0);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, -100, 0, 0,
	                 &m),
	    CMFA_OK);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, INT64_MIN, 1,
	                 0, &m),
	    CMFA_OK);
	CHECK(m == 0);
	code_at(rfc_key, RFC_KEYLEN, 3, c);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, 45, 2, 0, &m),
	    CMFA_OK);
	CHECK(m == 3);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, 45, 2, 3, &m),
	    CMFA_ERR_REPLAY);
	/* the far end: no overflow above the last step */
	code_at(rfc_key, RFC_KEYLEN, top + CMFA_TOTP_WINDOW_MAX, c);
	CHECK_INT_EQ(cmfa_totp_verify(rfc_key, RFC_KEYLEN, c, 6, INT64_MAX,
	                 CMFA_TOTP_WINDOW_MAX, 0, &m),
	    CMFA_OK);
	CHECK(m == top + CMFA_TOTP_WINDOW_MAX);
}

/* ---------------------------------------------------------------------- */
/* base32                                                                 */

static void
test_base32_rfc4648(void)
{
	static const struct {
		const char *raw, *padded, *bare;
	} vec[] = {
		{ "", "", "" },
		{ "f", "MY======", "MY" },
		{ "fo", "MZXQ====", "MZXQ" },
		{ "foo", "MZXW6===", "MZXW6" },
		{ "foob", "MZXW6YQ=", "MZXW6YQ" },
		{ "fooba", "MZXW6YTB", "MZXW6YTB" },
		{ "foobar", "MZXW6YTBOI======", "MZXW6YTBOI" },
	};
	char enc[64];
	uint8_t dec[64];
	size_t i, n;

	for (i = 0; i < CMFA_ARRAY_LEN(vec); i++) {
		const size_t rl = strlen(vec[i].raw);

		CHECK_INT_EQ(cmfa_base32_encode((const uint8_t *)vec[i].raw, rl,
		                 enc, sizeof(enc)),
		    CMFA_OK);
		CHECK_STR_EQ(enc, vec[i].bare);
		CHECK_INT_EQ(strlen(enc), CMFA_BASE32_ENC_LEN(rl));
		n = 999;
		CHECK_INT_EQ(cmfa_base32_decode(vec[i].padded,
		                 strlen(vec[i].padded), dec, sizeof(dec), &n),
		    CMFA_OK);
		CHECK(n == rl && memcmp(dec, vec[i].raw, rl) == 0);
		n = 999;
		CHECK_INT_EQ(cmfa_base32_decode(vec[i].bare,
		                 strlen(vec[i].bare), dec, sizeof(dec), &n),
		    CMFA_OK);
		CHECK(n == rl && memcmp(dec, vec[i].raw, rl) == 0);
	}
	/* RFC 6238 key, as authenticator apps show it */
	CHECK_INT_EQ(cmfa_base32_encode(rfc_key, RFC_KEYLEN, enc, sizeof(enc)),
	    CMFA_OK);
	CHECK_STR_EQ(enc, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

static void
test_base32_lenient(void)
{
	static const char *const ok[] = {
		"mzxw6ytboi",
		"MzXw6YtBoI",
		"mzxw 6ytb oi",
		"MZXW-6YTB-OI",
		"  MZXW6YTBOI  ",
		"MZXW6YTBOI======",
		"mzxw6ytboi======",
		"MZXW 6YTB OI== ====",
		"MZXW6YTBOI====== ",
		"M-Z-X-W-6-Y-T-B-O-I",
	};
	uint8_t dec[16];
	size_t i, n;

	for (i = 0; i < CMFA_ARRAY_LEN(ok); i++) {
		n = 0;
		CHECK_MSG(cmfa_base32_decode(ok[i], strlen(ok[i]), dec,
		              sizeof(dec), &n) == CMFA_OK &&
		        n == 6 && memcmp(dec, "foobar", 6) == 0,
		    "\"%s\"", ok[i]);
	}
	/* only separators: the empty string */
	n = 9;
	CHECK_INT_EQ(cmfa_base32_decode(" - ", 3, dec, sizeof(dec), &n),
	    CMFA_OK);
	CHECK_INT_EQ(n, 0);
	/* the length bounds the input, not a NUL */
	CHECK_INT_EQ(cmfa_base32_decode("MYxx", 2, dec, sizeof(dec), &n),
	    CMFA_OK);
	CHECK(n == 1 && dec[0] == 'f');
}

static void
test_base32_refused(void)
{
	static const char *const bad[] = {
		/* bytes outside the alphabet */
		"MZXW0YTB",
		"MZXW1YTB",
		"MZXW8YTB",
		"MZXW9YTB",
		"MZXW6YT!",
		"MZXW6YT\n",
		"MZXW6YT\t",
		"MZXW6YT_",
		"MZXW6YT\xc3\xa9",
		"MZXW6YT+",
		"MZXW6YT/",
		"MZXW6YT.",
		/* padding */
		"MY=",
		"MY=====",
		"MY=======",
		"MY==A===",
		"MY======MY",
		"=MY",
		"MZXW6YTB========",
		"========",
		"=",
		"MZXW6YQ==",
		"MZXQ=====",
		/* lengths no byte string encodes to */
		"M",
		"MZX",
		"MZXW6Y",
		"MZXW6YTBO",
		"M=======",
		/* non-zero trailing bits */
		"MZ",
		"MZXR",
		"MZXW7",
		"MZXW6YR",
		"MZ======",
		"MZXW6YTBOJ",
	};
	uint8_t dec[16];
	size_t i, n = 4242;

	memset(dec, 0xaa, sizeof(dec));
	for (i = 0; i < CMFA_ARRAY_LEN(bad); i++)
		CHECK_MSG(cmfa_base32_decode(bad[i], strlen(bad[i]), dec,
		              sizeof(dec), &n) == CMFA_ERR_PARSE,
		    "\"%s\"", bad[i]);
	/* an embedded NUL */
	CHECK_INT_EQ(cmfa_base32_decode("MZXW\0YTB", 8, dec, sizeof(dec), &n),
	    CMFA_ERR_PARSE);
	CHECK_INT_EQ(n, 4242);
	for (i = 0; i < sizeof(dec); i++)
		CHECK(dec[i] == 0xaa); /* nothing written on failure */
	CHECK_INT_EQ(cmfa_base32_decode(NULL, 2, dec, sizeof(dec), &n),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_base32_decode("MY", 2, dec, sizeof(dec), NULL),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_base32_decode("MY", 2, NULL, 1, &n), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_base32_decode(NULL, 0, NULL, 0, &n), CMFA_OK);
	CHECK_INT_EQ(n, 0);
}

static void
test_base32_bounds(void)
{
	uint8_t dec[8];
	char enc[16];
	size_t n = 4242, i;

	memset(dec, 0xaa, sizeof(dec));
	CHECK_INT_EQ(cmfa_base32_decode("MZXW6YTBOI", 10, dec, 5, &n),
	    CMFA_ERR_TOOBIG);
	CHECK_INT_EQ(n, 4242);
	for (i = 0; i < sizeof(dec); i++)
		CHECK(dec[i] == 0xaa);
	CHECK_INT_EQ(cmfa_base32_decode("MY", 2, dec, 0, &n), CMFA_ERR_TOOBIG);
	CHECK_INT_EQ(cmfa_base32_decode("MZXW6YTBOI", 10, dec, 6, &n), CMFA_OK);
	CHECK_INT_EQ(n, 6);
	CHECK(dec[6] == 0xaa); /* not a byte past the result */

	memset(enc, 'x', sizeof(enc));
	CHECK_INT_EQ(cmfa_base32_encode((const uint8_t *)"foobar", 6, enc, 10),
	    CMFA_ERR_TOOBIG);
	CHECK(enc[0] == 'x');
	CHECK_INT_EQ(cmfa_base32_encode((const uint8_t *)"foobar", 6, enc, 11),
	    CMFA_OK);
	CHECK_STR_EQ(enc, "MZXW6YTBOI");
	CHECK_INT_EQ(cmfa_base32_encode((const uint8_t *)"", 0, enc, 0),
	    CMFA_ERR_TOOBIG);
	CHECK_INT_EQ(cmfa_base32_encode(NULL, 0, enc, 1), CMFA_OK);
	CHECK_STR_EQ(enc, "");
	CHECK_INT_EQ(cmfa_base32_encode(NULL, 1, enc, 16), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_base32_encode((const uint8_t *)"f", 1, NULL, 16),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_base32_encode((const uint8_t *)"f", SIZE_MAX, enc,
	                 16),
	    CMFA_ERR_TOOBIG);
	CHECK_INT_EQ(CMFA_TOTP_KEY_B32_MAX, 104);
}

static void
test_base32_roundtrip(void)
{
	uint8_t raw[CMFA_TOTP_KEY_MAX], dec[CMFA_TOTP_KEY_MAX];
	char enc[CMFA_TOTP_KEY_B32_MAX], grouped[2 * CMFA_TOTP_KEY_B32_MAX];
	size_t len, n, i, j, g;
	int round;

	for (round = 0; round < 2000; round++) {
		len = (size_t)round % (CMFA_TOTP_KEY_MAX + 1);
		CHECK_INT_EQ(cmfa_random_bytes(raw, len), CMFA_OK);
		CHECK_INT_EQ(cmfa_base32_encode(raw, len, enc, sizeof(enc)),
		    CMFA_OK);
		CHECK_INT_EQ(strlen(enc), CMFA_BASE32_ENC_LEN(len));
		n = 9999;
		CHECK_INT_EQ(cmfa_base32_decode(enc, strlen(enc), dec, len, &n),
		    CMFA_OK);
		CHECK(n == len && memcmp(dec, raw, len) == 0);
		/* as an app shows it: lowercase, groups of 4 */
		for (i = 0, g = 0; enc[i] != '\0'; i++) {
			if (i > 0 && i % 4 == 0)
				grouped[g++] = ' ';
			grouped[g++] =
			    (char)(enc[i] >= 'A' && enc[i] <= 'Z' ? enc[i] + 32
			                                          : enc[i]);
		}
		/* padded */
		for (j = 0; (strlen(enc) + j) % 8 != 0; j++)
			grouped[g++] = '=';
		CHECK_INT_EQ(cmfa_base32_decode(grouped, g, dec, len, &n),
		    CMFA_OK);
		CHECK(n == len && memcmp(dec, raw, len) == 0);
	}
}

/* ---------------------------------------------------------------------- */
/* delivered codes                                                        */

struct script {
	const uint32_t *vals;
	size_t n, calls;
	enum cmfa_err fail; /* returned once vals run out */
};

static enum cmfa_err
script_rand(void *ctx, uint32_t *out)
{
	struct script *s = ctx;

	if (s->calls >= s->n) {
		s->calls++;
		return s->fail;
	}
	*out = s->vals[s->calls++];
	return CMFA_OK;
}

static void
test_code_generate_injected(void)
{
	static const struct {
		uint32_t v;
		const char *code;
	} one[] = {
		{ 0, "000000" },
		{ 1, "000001" },
		{ 1000000, "000000" },
		{ 4293999999u, "999999" },
		{ 123456789, "456789" },
		{ 999999, "999999" },
	};
	uint32_t vals[CMFA_CODE_MAX_REJECTS + 1];
	char out[CMFA_OTP_DIGITS + 1];
	struct script s;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(one); i++) {
		s = (struct script){ &one[i].v, 1, 0, CMFA_ERR_CRYPTO };
		CHECK_INT_EQ(cmfa_code_generate_with(script_rand, &s, out),
		    CMFA_OK);
		CHECK_STR_EQ(out, one[i].code);
		CHECK_INT_EQ(s.calls, 1);
	}
	/* rejected values are skipped, the next one is used */
	vals[0] = CMFA_CODE_REJECT_AT;
	vals[1] = UINT32_MAX;
	vals[2] = 4294500000u;
	vals[3] = 4294000123u - 1000000u;
	s = (struct script){ vals, 4, 0, CMFA_ERR_CRYPTO };
	CHECK_INT_EQ(cmfa_code_generate_with(script_rand, &s, out), CMFA_OK);
	CHECK_STR_EQ(out, "000123");
	CHECK_INT_EQ(s.calls, 4);
	/* 63 rejections then a good value: still fine */
	for (i = 0; i < CMFA_CODE_MAX_REJECTS - 1; i++)
		vals[i] = CMFA_CODE_REJECT_AT + (uint32_t)i;
	vals[CMFA_CODE_MAX_REJECTS - 1] = 42;
	s = (struct script){ vals, CMFA_CODE_MAX_REJECTS, 0, CMFA_ERR_CRYPTO };
	CHECK_INT_EQ(cmfa_code_generate_with(script_rand, &s, out), CMFA_OK);
	CHECK_STR_EQ(out, "000042");
	/* 64 in a row: give up, the 65th is never drawn, out wiped */
	for (i = 0; i <= CMFA_CODE_MAX_REJECTS; i++)
		vals[i] = CMFA_CODE_REJECT_AT;
	vals[CMFA_CODE_MAX_REJECTS] = 42;
	s = (struct script){ vals, CMFA_CODE_MAX_REJECTS + 1, 0,
		CMFA_ERR_CRYPTO };
	memcpy(out, "12345", 6);
	CHECK_INT_EQ(cmfa_code_generate_with(script_rand, &s, out),
	    CMFA_ERR_CRYPTO);
	CHECK_INT_EQ(s.calls, CMFA_CODE_MAX_REJECTS);
	CHECK(out[0] == '\0');
	/* the source's own error is passed on */
	s = (struct script){ vals, 2, 0, CMFA_ERR_IO };
	CHECK_INT_EQ(cmfa_code_generate_with(script_rand, &s, out),
	    CMFA_ERR_IO);
	CHECK_INT_EQ(s.calls, 3);
	CHECK_INT_EQ(cmfa_code_generate_with(NULL, NULL, out), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_code_generate_with(script_rand, &s, NULL),
	    CMFA_ERR_INVAL);
}

/*
 * 10000 codes from getrandom.  Flake odds, computed exactly for
 * Binomial(10000, 1/10): P(count < 800 or > 1200) = 4.2e-11 per digit,
 * 4.2e-10 for the ten first-digit counts (union bound); the chi-square
 * statistic of each of the six positions (9 degrees of freedom) exceeds
 * 70 with probability 1.5e-11, 9e-11 for six.  Total < 1e-9.
 */
static void
test_code_generate_real(void)
{
	unsigned count[CMFA_OTP_DIGITS][10];
	char out[CMFA_OTP_DIGITS + 1];
	double chi, d;
	int i, j, k, ok = 1;

	memset(count, 0, sizeof(count));
	for (i = 0; i < 10000; i++) {
		memset(out, 'x', sizeof(out));
		CHECK_INT_EQ(cmfa_code_generate(out), CMFA_OK);
		if (strlen(out) != CMFA_OTP_DIGITS ||
		    !cmfa_code_format_ok(out, CMFA_OTP_DIGITS)) {
			ok = 0;
			continue;
		}
		for (j = 0; j < CMFA_OTP_DIGITS; j++)
			count[j][out[j] - '0']++;
	}
	CHECK(ok);
	for (k = 0; k < 10; k++)
		CHECK_MSG(count[0][k] >= 800 && count[0][k] <= 1200,
		    "first digit %d seen %u times", k, count[0][k]);
	for (j = 0; j < CMFA_OTP_DIGITS; j++) {
		chi = 0;
		for (k = 0; k < 10; k++) {
			d = (double)count[j][k] - 1000.0;
			chi += d * d / 1000.0;
		}
		CHECK_MSG(chi < 70.0, "position %d chi-square %.1f", j, chi);
	}
	cmfa_memzero(out, sizeof(out));
}

static void
test_random_bytes(void)
{
	uint8_t a[64], b[64], zero[64];

	memset(zero, 0, sizeof(zero));
	CHECK_INT_EQ(cmfa_random_bytes(a, 0), CMFA_OK);
	CHECK_INT_EQ(cmfa_random_bytes(NULL, 0), CMFA_OK);
	CHECK_INT_EQ(cmfa_random_bytes(NULL, 1), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_random_bytes(a, sizeof(a)), CMFA_OK);
	CHECK_INT_EQ(cmfa_random_bytes(b, sizeof(b)), CMFA_OK);
	CHECK(memcmp(a, zero, sizeof(a)) != 0);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
}

static void
test_code_check(void)
{
	CHECK_INT_EQ(cmfa_code_check("012345", "012345", 6), CMFA_OK);
	CHECK_INT_EQ(cmfa_code_check("012345", "012346", 6), CMFA_ERR_MISMATCH);
	CHECK_INT_EQ(cmfa_code_check("012345", "112345", 6), CMFA_ERR_MISMATCH);
	CHECK_INT_EQ(cmfa_code_check("012345", "01234", 5), CMFA_ERR_MISMATCH);
	CHECK_INT_EQ(cmfa_code_check("012345", "0123456", 7),
	    CMFA_ERR_MISMATCH);
	CHECK_INT_EQ(cmfa_code_check("012345", "012345 ", 7),
	    CMFA_ERR_MISMATCH);
	CHECK_INT_EQ(cmfa_code_check("012345", "01234a", 6), CMFA_ERR_MISMATCH);
	CHECK_INT_EQ(cmfa_code_check("012345",
	                 "012\0"
	                 "45",
	                 6),
	    CMFA_ERR_MISMATCH);
	CHECK_INT_EQ(cmfa_code_check("012345", NULL, 6), CMFA_ERR_MISMATCH);
	CHECK_INT_EQ(cmfa_code_check("012345", "", 0), CMFA_ERR_MISMATCH);
	/* the length bounds the answer */
	CHECK_INT_EQ(cmfa_code_check("012345", "0123456", 6), CMFA_OK);
	/* a bad expected code is the caller's bug, never a match */
	CHECK_INT_EQ(cmfa_code_check(NULL, "012345", 6), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_code_check("01234", "01234", 5), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_code_check("0123456", "012345", 6), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_code_check("abcdef", "abcdef", 6), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_code_check("", "", 0), CMFA_ERR_INVAL);
}

/* ---------------------------------------------------------------------- */
/* templates                                                              */

static void
render_is(const char *tmpl, const char *want)
{
	struct cmfa_buf b;

	cmfa_buf_init(&b, 1024);
	CHECK_INT_EQ(cmfa_template_render(tmpl, tmpl ? strlen(tmpl) : 0,
	                 "042917", &b),
	    CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b), want);
	cmfa_buf_free(&b);
}

static void
test_template(void)
{
	struct cmfa_buf b;
	size_t need;

	render_is(NULL, "Your authentication code is 042917. ");
	render_is(CMFA_DEFAULT_EMAIL_MESSAGE,
	    "Your authentication code is 042917. ");
	render_is("Code for Example: {####}", "Code for Example: 042917");
	render_is("{####} is your code", "042917 is your code");
	render_is("{####}", "042917");
	render_is("{####}{####}", "042917042917");
	render_is("a {####} b {####} c {####}", "a 042917 b 042917 c 042917");
	render_is("no placeholder here", "no placeholder here");
	render_is("", "");
	render_is("{###} {#####} {####", "{###} {#####} {####");
	render_is("{{####}####}", "{042917####}");
	render_is("\xc3\xa9 {####} \xe2\x82\xac",
	    "\xc3\xa9 042917 \xe2\x82\xac");
	CHECK(strlen(CMFA_DEFAULT_EMAIL_SUBJECT) > 0);

	/* appends; the length bounds the template */
	cmfa_buf_init(&b, 64);
	CHECK_INT_EQ(cmfa_buf_append_str(&b, "pre:"), CMFA_OK);
	CHECK_INT_EQ(cmfa_template_render("{####}xyz", 6, "000000", &b),
	    CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b), "pre:000000");
	cmfa_buf_free(&b);

	/* the cap: exactly enough, then one byte short (buffer unchanged) */
	need = strlen("pre:Your authentication code is 042917. ");
	cmfa_buf_init(&b, need);
	CHECK_INT_EQ(cmfa_buf_append_str(&b, "pre:"), CMFA_OK);
	CHECK_INT_EQ(cmfa_template_render(NULL, 0, "042917", &b), CMFA_OK);
	CHECK_INT_EQ(b.len, need);
	cmfa_buf_free(&b);
	cmfa_buf_init(&b, need - 1);
	CHECK_INT_EQ(cmfa_buf_append_str(&b, "pre:"), CMFA_OK);
	CHECK_INT_EQ(cmfa_template_render(NULL, 0, "042917", &b),
	    CMFA_ERR_NOMEM);
	CHECK_STR_EQ(cmfa_buf_str(&b), "pre:");
	/* the code got in before the cap hit; it was wiped on the way out */
	CHECK(b.p != NULL &&
	    memmem(b.p, strlen("pre:Your authentication code is 042917"),
	        "0429", 4) == NULL);
	cmfa_buf_free(&b);
	/* short by the very last byte, after a placeholder */
	cmfa_buf_init(&b, 8);
	CHECK_INT_EQ(cmfa_template_render("{####}ab", 8, "042917", &b),
	    CMFA_OK);
	cmfa_buf_free(&b);
	cmfa_buf_init(&b, 7);
	CHECK_INT_EQ(cmfa_template_render("{####}ab", 8, "042917", &b),
	    CMFA_ERR_NOMEM);
	CHECK_INT_EQ(b.len, 0);
	cmfa_buf_free(&b);

	/* the code must be a code */
	cmfa_buf_init(&b, 64);
	CHECK_INT_EQ(cmfa_template_render(NULL, 0, "12345", &b),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_template_render(NULL, 0, "1234567", &b),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_template_render(NULL, 0, "12a456", &b),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_template_render(NULL, 0, NULL, &b), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_template_render(NULL, 0, "123456", NULL),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(b.len, 0);
	cmfa_buf_free(&b);
}

/* ---------------------------------------------------------------------- */
/* masking                                                                */

static void
phone_is(const char *in, const char *want)
{
	char out[32];

	memset(out, 'x', sizeof(out));
	CHECK_MSG(cmfa_mask_phone(in, strlen(in), out, sizeof(out)) ==
	            CMFA_OK &&
	        strcmp(out, want) == 0,
	    "%s -> %.31s, want %s", in, out, want);
}

static void
email_is(const char *in, const char *want)
{
	char out[64];

	memset(out, 'x', sizeof(out));
	CHECK_MSG(cmfa_mask_email(in, strlen(in), out, sizeof(out)) ==
	            CMFA_OK &&
	        strcmp(out, want) == 0,
	    "%s -> %.63s, want %s", in, out, want);
}

static void
test_mask_phone(void)
{
	static const char *const bad[] = { "", "+", "+123", "12065550100",
		"+1206555010a", "+1 2065550100", "+1-206-555-0100",
		"+12345678901234567", "++12065550100", "+12065550100 ",
		"+１２３４５", "0012065550100" };
	char out[32];
	size_t i;

	phone_is("+12065550100", "+*******0100");
	phone_is("+917411174114", "+********4114");
	phone_is("+1234", "+1234");
	phone_is("+12345", "+*2345");
	phone_is("+123456789012345", "+***********2345");
	for (i = 0; i < CMFA_ARRAY_LEN(bad); i++)
		CHECK_MSG(cmfa_mask_phone(bad[i], strlen(bad[i]), out,
		              sizeof(out)) == CMFA_ERR_PARSE,
		    "\"%s\"", bad[i]);
	CHECK_INT_EQ(cmfa_mask_phone("+1206\0"
	                             "5550100",
	                 12, out, sizeof(out)),
	    CMFA_ERR_PARSE);
	/* the length bounds the input */
	CHECK_INT_EQ(cmfa_mask_phone("+12065550100xyz", 12, out, sizeof(out)),
	    CMFA_OK);
	CHECK_STR_EQ(out, "+*******0100");
	/* output size: exact, then one short (untouched) */
	CHECK_INT_EQ(cmfa_mask_phone("+12065550100", 12, out, 13), CMFA_OK);
	memset(out, 'x', sizeof(out));
	CHECK_INT_EQ(cmfa_mask_phone("+12065550100", 12, out, 12),
	    CMFA_ERR_TOOBIG);
	CHECK(out[0] == 'x');
	CHECK_INT_EQ(cmfa_mask_phone("+12065550100", 12, out, 0),
	    CMFA_ERR_TOOBIG);
	CHECK_INT_EQ(cmfa_mask_phone(NULL, 0, out, sizeof(out)),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_mask_phone("+12065550100", 12, NULL, 13),
	    CMFA_ERR_INVAL);
}

static void
test_mask_email(void)
{
	static const char *const bad[] = { "", "alice", "@example.com",
		"alice@", "@", "a@b@c.com", "alice@@example.com",
		"al\x01ice@example.com", "alice@exam\x7fple.com",
		"\377alice@example.com", "alice@ex\xc3.com",
		"alice@example.com\n", "a\xc2\x85@b.com" };
	char out[64];
	size_t i;

	email_is("alice@example.com", "a***@e***.com");
	email_is("a@example", "a***@e***");
	email_is("bob@mail.example.co.uk", "b***@m***.uk");
	email_is("J.Doe+mfa@Example.COM", "J***@E***.COM");
	email_is("a@b.c", "a***@b***.c");
	/* UTF-8: the first character, not its first byte */
	email_is("\xc3\xa9mile@ex\xc3\xa4mple.fr", "\xc3\xa9***@e***.fr");
	email_is("\xc3\xb1@\xc3\xbc.de", "\xc3\xb1***@\xc3\xbc***.de");
	email_is("\xf0\x9f\x98\x80x@\xe4\xbe\x8b\xe5\xad\x90.\xe4\xb8\xad"
	         "\xe5\x9b\xbd",
	    "\xf0\x9f\x98\x80***@\xe4\xbe\x8b***.\xe4\xb8\xad"
	    "\xe5\x9b\xbd");
	/* odd dots: a trailing dot or a leading one keeps no suffix */
	email_is("a@example.", "a***@e***");
	email_is("a@.com", "a***@.***");
	email_is("a@x..y", "a***@x***.y");
	for (i = 0; i < CMFA_ARRAY_LEN(bad); i++)
		CHECK_MSG(cmfa_mask_email(bad[i], strlen(bad[i]), out,
		              sizeof(out)) == CMFA_ERR_PARSE,
		    "\"%s\"", bad[i]);
	CHECK_INT_EQ(cmfa_mask_email("alice@exa\0mple.com", 17, out,
	                 sizeof(out)),
	    CMFA_ERR_PARSE);
	/* the length bounds the input: the second '@' is not seen */
	CHECK_INT_EQ(cmfa_mask_email("alice@example.com@x", 17, out,
	                 sizeof(out)),
	    CMFA_OK);
	CHECK_STR_EQ(out, "a***@e***.com");
	/* output size: exact (14 with the NUL), then one short */
	CHECK_INT_EQ(cmfa_mask_email("alice@example.com", 17, out, 14),
	    CMFA_OK);
	memset(out, 'x', sizeof(out));
	CHECK_INT_EQ(cmfa_mask_email("alice@example.com", 17, out, 13),
	    CMFA_ERR_TOOBIG);
	CHECK(out[0] == 'x');
	CHECK_INT_EQ(cmfa_mask_email("\xc3\xa9@e", 4, out, 11), CMFA_OK);
	CHECK_INT_EQ(cmfa_mask_email("\xc3\xa9@e", 4, out, 10),
	    CMFA_ERR_TOOBIG);
	CHECK_INT_EQ(cmfa_mask_email(NULL, 0, out, sizeof(out)),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_mask_email("a@b", 3, NULL, 10), CMFA_ERR_INVAL);
}

/* ---------------------------------------------------------------------- */
/* otpauth URI                                                            */

static void
test_otpauth_uri(void)
{
	struct cmfa_buf b;
	uint8_t big[CMFA_TOTP_KEY_MAX + 1];
	size_t need;

	cmfa_buf_init(&b, 1024);
	CHECK_INT_EQ(cmfa_otpauth_uri("Example Corp:EU", "alice smith:1",
	                 rfc_key, RFC_KEYLEN, &b),
	    CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b),
	    "otpauth://totp/Example%20Corp%3AEU:"
	    "alice%20smith%3A1?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	    "&issuer=Example%20Corp%3AEU&algorithm=SHA1&digits=6&period=30");
	cmfa_buf_reset(&b);
	CHECK_INT_EQ(cmfa_otpauth_uri("host-1.example_x~", "j\xc3\xbcrgen@a/b",
	                 (const uint8_t *)"f", 1, &b),
	    CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b),
	    "otpauth://totp/host-1.example_x~:"
	    "j%C3%BCrgen%40a%2Fb?secret=MY&issuer=host-1.example_x~"
	    "&algorithm=SHA1&digits=6&period=30");
	cmfa_buf_reset(&b);
	/* no issuer */
	CHECK_INT_EQ(cmfa_otpauth_uri(NULL, "alice", (const uint8_t *)"f", 1,
	                 &b),
	    CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b),
	    "otpauth://totp/alice?secret=MY"
	    "&algorithm=SHA1&digits=6&period=30");
	cmfa_buf_reset(&b);
	CHECK_INT_EQ(cmfa_otpauth_uri("", "a&b=c?d#e", (const uint8_t *)"f", 1,
	                 &b),
	    CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b),
	    "otpauth://totp/a%26b%3Dc%3Fd%23e"
	    "?secret=MY&algorithm=SHA1&digits=6&period=30");
	need = b.len;
	cmfa_buf_free(&b);

	/* refused */
	memset(big, 1, sizeof(big));
	cmfa_buf_init(&b, 1024);
	CHECK_INT_EQ(cmfa_otpauth_uri("X", "", rfc_key, 20, &b),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_otpauth_uri("X", NULL, rfc_key, 20, &b),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_otpauth_uri("X", "a", rfc_key, 0, &b),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_otpauth_uri("X", "a", big, sizeof(big), &b),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_otpauth_uri("X", "a", big, CMFA_TOTP_KEY_MAX, &b),
	    CMFA_OK);
	cmfa_buf_reset(&b);
	CHECK_INT_EQ(cmfa_otpauth_uri("X\n", "a", rfc_key, 20, &b),
	    CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_otpauth_uri("X", "a\x7f", rfc_key, 20, &b),
	    CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_otpauth_uri("X", "a\xff", rfc_key, 20, &b),
	    CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_otpauth_uri("X", "a", rfc_key, 20, NULL),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(b.len, 0);
	cmfa_buf_free(&b);

	/* the cap: exactly enough, then one short (rolled back, wiped) */
	cmfa_buf_init(&b, need);
	CHECK_INT_EQ(cmfa_otpauth_uri("", "a&b=c?d#e", (const uint8_t *)"f", 1,
	                 &b),
	    CMFA_OK);
	cmfa_buf_free(&b);
	/* the secret is in before the last part fails: wiped on the way out */
	cmfa_buf_init(&b, 100);
	CHECK_INT_EQ(cmfa_buf_append_str(&b, "keep"), CMFA_OK);
	CHECK_INT_EQ(cmfa_otpauth_uri("Example", "alice", rfc_key, 20, &b),
	    CMFA_ERR_NOMEM);
	CHECK_STR_EQ(cmfa_buf_str(&b), "keep");
	CHECK(b.p != NULL &&
	    memmem(b.p,
	        strlen("keepotpauth://totp/Example:"
	               "alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer="
	               "Example"),
	        "GEZD", 4) == NULL);
	cmfa_buf_free(&b);
}

TEST_MAIN_BEGIN("otp")
	RUN(test_hotp_rfc4226);
	RUN(test_hotp_args);
	RUN(test_totp_step);
	RUN(test_totp_rfc6238);
	RUN(test_oathtool_totp);
	RUN(test_oathtool_hotp);
	RUN(test_verify_window);
	RUN(test_verify_replay);
	RUN(test_verify_replay_collision);
	RUN(test_verify_formats);
	RUN(test_verify_edges_of_time);
	RUN(test_base32_rfc4648);
	RUN(test_base32_lenient);
	RUN(test_base32_refused);
	RUN(test_base32_bounds);
	RUN(test_base32_roundtrip);
	RUN(test_code_generate_injected);
	RUN(test_code_generate_real);
	RUN(test_random_bytes);
	RUN(test_code_check);
	RUN(test_template);
	RUN(test_mask_phone);
	RUN(test_mask_email);
	RUN(test_otpauth_uri);
TEST_MAIN_END
