/*
 * test_cli_run.c: whole cognito-mfa command lines run in-process
 * (cmfa_cli_main) on a private store, with the clock fixed (time is a
 * parameter): the exact stdout / stderr bytes of each kind of result,
 * TOTP enrolment at chosen instants (window, replay), dates, paging.
 * Also what ASan and valgrind look at for the CLI's code paths.
 */
#include <sys/stat.h>

#include <ftw.h>

#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cmfa_cli.h"
#include "cmfa_otp.h"
#include "cmfa_test.h"

#define T0 1700000000 /* 2023-11-14T22:13:20Z, step 56666666 + 20 s */

static char top[64];
static char store[128];
static char conf[128];
static char out[1 << 16], err[1 << 16];
static int64_t now_s = T0;

/* Run "cognito-mfa --store S --config C ARGS..." at now_s. */
static int
cmd(const char *first, ...)
{
	const char *argv[64];
	struct cmfa_cli cli;
	char *obuf = NULL, *ebuf = NULL;
	size_t olen = 0, elen = 0;
	FILE *o, *e;
	va_list ap;
	int argc = 0, code;

	argv[argc++] = "cognito-mfa";
	argv[argc++] = "--store";
	argv[argc++] = store;
	argv[argc++] = "--config";
	argv[argc++] = conf;
	va_start(ap, first);
	for (argv[argc] = first; argv[argc] != NULL && argc < 62;)
		argv[++argc] = va_arg(ap, const char *);
	va_end(ap);
	o = open_memstream(&obuf, &olen);
	e = open_memstream(&ebuf, &elen);
	cmfa_cli_init(&cli, o, e);
	cli.now = now_s;
	cli.now_epoch = (double)now_s + 0.25;
	code = cmfa_cli_main(&cli, argc, (char **)argv);
	cmfa_cli_release(&cli);
	fclose(o);
	fclose(e);
	snprintf(out, sizeof(out), "%s", obuf != NULL ? obuf : "");
	snprintf(err, sizeof(err), "%s", ebuf != NULL ? ebuf : "");
	free(obuf);
	free(ebuf);
	return code;
}

static void
setup(void)
{
	FILE *f;

	setenv("TZ", "UTC", 1);
	tzset();
	snprintf(top, sizeof(top), "/tmp/cmfa-test-cli-run.XXXXXX");
	if (mkdtemp(top) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(store, sizeof(store), "%s/store", top);
	snprintf(conf, sizeof(conf), "%s/empty.conf", top);
	if ((f = fopen(conf, "w")) != NULL)
		fclose(f);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void
rm_rf(const char *path)
{
	(void)nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The TOTP code of base32 secret at unix time t. */
static void
totp(const char *b32, int64_t t, char code[7])
{
	uint8_t key[64];
	size_t keylen = 0;
	uint32_t v = 0;

	CHECK_INT_EQ(cmfa_base32_decode(b32, strlen(b32), key, sizeof(key),
	                 &keylen),
	    CMFA_OK);
	CHECK_INT_EQ(cmfa_hotp(key, keylen, cmfa_totp_step(t), 6, &v), CMFA_OK);
	snprintf(code, 7, "%06u", v);
}

static void
secret_of(char *b32, size_t n)
{
	const char *p = strstr(out, "\"SecretCode\": \"");

	b32[0] = '\0';
	if (p != NULL)
		snprintf(b32, n, "%.32s", p + 15);
}

#define POOL "us-east-1_RunTest"

static void
test_outputs_exactly(void)
{
	CHECK_INT_EQ(cmd("get-user-pool-mfa-config", "--user-pool-id", POOL,
	                 NULL),
	    0);
	CHECK_STR_EQ(out, "{\n    \"MfaConfiguration\": \"OFF\"\n}\n");
	CHECK_STR_EQ(err, "");
	CHECK_INT_EQ(cmd("get-user-pool-mfa-config", "--user-pool-id", POOL,
	                 "--output", "text", NULL),
	    0);
	CHECK_STR_EQ(out, "OFF\n");
	/* a service error: a blank line, the line, exit 254 */
	CHECK_INT_EQ(cmd("get-user-pool-mfa-config", "--user-pool-id",
	                 "us-east-1_Other", NULL),
	    254);
	CHECK_STR_EQ(out, "");
	CHECK_STR_EQ(err,
	    "\nAn error occurred (ResourceNotFoundException) when calling the "
	    "GetUserPoolMfaConfig operation: User pool us-east-1_Other does "
	    "not exist.\n");
	/* argparse: the usage lines, then the error */
	CHECK_INT_EQ(cmd("get-user-pool-mfa-config", NULL), 252);
	CHECK_STR_EQ(err,
	    "\nusage: cognito-mfa [options] <command> [parameters]\n"
	    "To see help text, you can run:\n\n"
	    "  cognito-mfa help\n"
	    "  cognito-mfa <command> help\n\n"
	    "cognito-mfa: error: the following arguments are required: "
	    "--user-pool-id\n\n");
	CHECK_INT_EQ(cmd("get-user-pool-mfa-config", "--user-pool-id", POOL,
	                 "--bogus", NULL),
	    252);
	CHECK(strstr(err, "\n\nUnknown options: --bogus\n\n") != NULL);
	/* parameter errors and botocore's validation */
	CHECK_INT_EQ(cmd("set-user-pool-mfa-config", "--user-pool-id", POOL,
	                 "--software-token-mfa-configuration", "[", NULL),
	    252);
	CHECK_STR_EQ(err,
	    "\nError parsing parameter '--software-token-mfa-configuration': "
	    "Invalid JSON:\n[\n");
	CHECK_INT_EQ(cmd("set-user-pool-mfa-config", "--user-pool-id", POOL,
	                 "--software-token-mfa-configuration", "Enabled=yes",
	                 NULL),
	    252);
	CHECK_STR_EQ(err,
	    "\nParameter validation failed:\nInvalid type for parameter "
	    "SoftwareTokenMfaConfiguration.Enabled, value: yes, type: <class "
	    "'str'>, valid types: <class 'bool'>\n");
	/* the target: what only the API takes is refused on the local store
	 * (tests/sh/api-*.sh run the API itself) */
	CHECK_INT_EQ(cmd("associate-software-token", "--access-token", "t",
	                 NULL),
	    253);
	CHECK(strncmp(err, "\n--access-token is for the Amazon Cognito API",
	          45) == 0);
	CHECK_INT_EQ(cmd("--local", "get-user-pool-mfa-config",
	                 "--user-pool-id", POOL, "--region", "us-east-1", NULL),
	    0);
	/* an empty response prints nothing */
	CHECK_INT_EQ(cmd("admin-create-user", "--user-pool-id", POOL,
	                 "--username", "erin", NULL),
	    0);
	CHECK_INT_EQ(cmd("admin-update-user-attributes", "--user-pool-id", POOL,
	                 "--username", "erin", "--user-attributes",
	                 "Name=name,Value=Erin", NULL),
	    0);
	CHECK_STR_EQ(out, "");
	CHECK_STR_EQ(err, "");
}

static void
test_dates(void)
{
	/* the record keeps epoch seconds; the output shows isoformat() */
	CHECK_INT_EQ(cmd("admin-get-user", "--user-pool-id", POOL, "--username",
	                 "erin", NULL),
	    0);
	CHECK(strstr(out,
	          "\"UserCreateDate\": \"2023-11-14T22:13:20.250000+00:00\"") !=
	    NULL);
	CHECK_INT_EQ(cmd("admin-get-user", "--user-pool-id", POOL, "--username",
	                 "erin", "--output", "text", NULL),
	    0);
	CHECK(strstr(out, "True\t2023-11-14T22:13:20.250000+00:00\t") == out);
}

static void
test_totp_at_fixed_times(void)
{
	char b32[64], code[7];

	CHECK_INT_EQ(cmd("set-user-pool-mfa-config", "--user-pool-id", POOL,
	                 "--software-token-mfa-configuration", "Enabled=true",
	                 "--mfa-configuration", "ON", NULL),
	    0);
	CHECK_INT_EQ(cmd("admin-create-user", "--user-pool-id", POOL,
	                 "--username", "tina", NULL),
	    0);

	/* a code two steps old is refused: the window is one step */
	CHECK_INT_EQ(cmd("associate-software-token", "--username", "tina",
	                 NULL),
	    0);
	secret_of(b32, sizeof(b32));
	CHECK_INT_EQ((int)strlen(b32), 32);
	totp(b32, now_s - 60, code);
	CHECK_INT_EQ(cmd("verify-software-token", "--username", "tina",
	                 "--user-code", code, NULL),
	    254);
	CHECK(strstr(err, "(EnableSoftwareTokenMFAException)") != NULL);
	CHECK(strstr(err, code) == NULL);
	/* one step ahead is taken */
	totp(b32, now_s + 30, code);
	CHECK_INT_EQ(cmd("verify-software-token", "--username", "tina",
	                 "--user-code", code, NULL),
	    0);
	CHECK_STR_EQ(out, "{\n    \"Status\": \"SUCCESS\"\n}\n");

	/* a new secret: its codes are checked against the new one only */
	CHECK_INT_EQ(cmd("associate-software-token", "--username", "tina",
	                 NULL),
	    0);
	secret_of(b32, sizeof(b32));
	totp(b32, now_s, code);
	CHECK_INT_EQ(cmd("verify-software-token", "--username", "tina",
	                 "--user-code", code, NULL),
	    0);
	/* the module would now see the step as spent: explain still says
	 * challenge (no record of a try), admin-get-user is unchanged */
	CHECK_INT_EQ(cmd("admin-set-user-mfa-preference", "--user-pool-id",
	                 POOL, "--username", "tina",
	                 "--software-token-mfa-settings",
	                 "Enabled=true,PreferredMfa=true", NULL),
	    0);
	CHECK_INT_EQ(cmd("explain", "--username", "tina", NULL), 0);
	CHECK(strstr(out, "\"Factor\": \"SOFTWARE_TOKEN_MFA\"") != NULL);
	CHECK(strstr(out, "\"PamResult\": \"challenge\"") != NULL);
	/* a locked user: PAM_MAXTRIES before any prompt */
	{
		char path[256];
		FILE *f;

		snprintf(path, sizeof(path), "%s/state/tina", store);
		f = fopen(path, "w");
		CHECK(f != NULL);
		if (f != NULL) {
			fprintf(f,
			    "cmfa-state 1\nlast_step 0\nfailures 6\n"
			    "last_failure %lld\nlocked_until %lld\n",
			    (long long)now_s, (long long)now_s + 2);
			fclose(f);
			chmod(path, 0600);
		}
	}
	CHECK_INT_EQ(cmd("explain", "--username", "tina", NULL), 0);
	CHECK(strstr(out, "\"PamResult\": \"PAM_MAXTRIES\"") != NULL);
	CHECK(strstr(out, "\"LockedSeconds\": 2") != NULL);
	CHECK_INT_EQ(cmd("list-locked-users", NULL), 0);
	CHECK_STR_EQ(out,
	    "{\n    \"Users\": [\n        {\n            \"Failures\": 6,\n"
	    "            \"LockedUntil\": \"2023-11-14T22:13:22+00:00\",\n"
	    "            \"RemainingSeconds\": 2,\n"
	    "            \"Username\": \"tina\"\n        }\n    ]\n}\n");
	now_s += 3; /* the lockout is over by itself */
	CHECK_INT_EQ(cmd("list-locked-users", NULL), 0);
	CHECK_STR_EQ(out, "{\n    \"Users\": []\n}\n");
	now_s = T0;
}

static void
test_paging(void)
{
	static const char *const names[] = { "u1", "u2", "u3", "u4", "u5" };
	char tok[256];
	const char *p;
	size_t i;
	int pages = 0;

	for (i = 0; i < CMFA_ARRAY_LEN(names); i++)
		CHECK_INT_EQ(cmd("admin-create-user", "--user-pool-id", POOL,
		                 "--username", names[i], NULL),
		    0);
	tok[0] = '\0';
	do {
		if (tok[0] == '\0')
			CHECK_INT_EQ(cmd("list-users", "--user-pool-id", POOL,
			                 "--limit", "2", "--filter",
			                 "username ^= \"u\"", NULL),
			    0);
		else
			CHECK_INT_EQ(cmd("list-users", "--user-pool-id", POOL,
			                 "--limit", "2", "--filter",
			                 "username ^= \"u\"",
			                 "--pagination-token", tok, NULL),
			    0);
		pages++;
		tok[0] = '\0';
		if ((p = strstr(out, "\"PaginationToken\": \"")) != NULL)
			snprintf(tok, sizeof(tok), "%.*s",
			    (int)strcspn(p + 20, "\""), p + 20);
	} while (tok[0] != '\0' && pages < 10);
	CHECK_INT_EQ(pages, 3);
	CHECK(strstr(out, "\"Username\": \"u5\"") != NULL);
	CHECK(strstr(out, "\"Username\": \"u4\"") == NULL);
}

TEST_MAIN_BEGIN("cli_run")
	setup();
	RUN(test_outputs_exactly);
	RUN(test_dates);
	RUN(test_totp_at_fixed_times);
	RUN(test_paging);
	rm_rf(top);
TEST_MAIN_END
