/*
 * test_aws_creds.c: the credential chain, the region and the shared
 * settings (aws/creds.c, region.c, profile.c, imds.c, process.c,
 * container.c, sts.c), and the query protocol (aws/query.c), against the
 * loopback mock (tests/data/aws_mock.py), which checks every SigV4
 * signature with botocore's own signer and issues the STS, IMDS and ECS
 * credentials.
 *
 * Each test starts from an environment without any AWS_* variable, HOME
 * at a fresh temporary directory and instance metadata disabled (both
 * AWS_EC2_METADATA_DISABLED and the setting) unless the test points it at
 * the mock: the developer's own credentials never leak in and the real
 * metadata address is never contacted.  A struct cmfa_aws is built by
 * hand as client.c would.
 *
 * Run from the top of the tree.  main() starts the mock, runs the tests
 * in a child and cleans up (mock stopped by PID, directories removed)
 * however the child ended.  Without /usr/bin/python3 or the mock the
 * tests that need it say SKIP.
 */
#include <sys/stat.h>

#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cmfa_fixture.h"
#include "cmfa_test.h"

#include "../../pam_cognito_mfa/aws/creds_int.h"

#define AK1 "AKIDCREDSTESTKEY0001"
#define SK1 "creds/test/long+term/secret/000000001"
#define AK2 "AKIDCREDSTESTKEY0002"
#define SK2 "creds/test/long+term/secret/000000002"
#define TOK2 "FwoGZXIvYXdzEBYaDcredstesttoken+/=0002"

#define ROLE "arn:aws:iam::123456789012:role/test-role"
#define CHAIN_ROLE "arn:aws:iam::123456789012:role/chain-role"
#define WEB_ROLE "arn:aws:iam::123456789012:role/web-role"
#define EXT_ID "ext-id-12345"
#define WEB_TOKEN "eyJhbGciOiJSUzI1NiJ9.mock-web-identity.c2lnbmF0dXJl"
#define ECS_TOKEN "Bearer ecs-mock-token-0001"

static char g_base[64];  /* everything below it; removed by main() */
static char g_home[128]; /* HOME of the current test */
static struct tmock g_mock = { .pid = -1 }; /* its directory below g_base */
static size_t g_mark; /* log.jsonl lines before the current step */

/* ---------------------------------------------------------------------- */
/* Files and processes                                                    */

static void
remove_mock(const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", g_mock.dir, name);
	(void)unlink(path);
}

/* A file below HOME (directories made as needed). */
static bool
write_home(const char *rel, const char *text, mode_t mode)
{
	char path[PATH_MAX + 64], *slash;

	snprintf(path, sizeof(path), "%s/%s", g_home, rel);
	for (slash = strchr(path + strlen(g_home) + 1, '/'); slash != NULL;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		(void)mkdir(path, 0700);
		*slash = '/';
	}
	return cmfa_fixture_replace(path, text, mode);
}

static bool
mock_files(void)
{
	char creds[512];

	snprintf(creds, sizeof(creds),
	    "[{\"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\"},"
	    " {\"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\","
	    "  \"SessionToken\": \"%s\"}]",
	    AK1, SK1, AK2, SK2, TOK2);
	return tmock_write(&g_mock, "creds.json", creds) &&
	    tmock_write(&g_mock, "roles.json",
	        "{\"" ROLE "\": {\"ExternalId\": \"" EXT_ID "\"},"
	        " \"" CHAIN_ROLE "\": {}, \"" WEB_ROLE "\": {}}") &&
	    tmock_write(&g_mock, "web-identity-token", WEB_TOKEN) &&
	    tmock_write(&g_mock, "ecs-token", ECS_TOKEN) &&
	    tmock_write(&g_mock, "imds-role", "mock-instance-role") &&
	    tmock_write(&g_mock, "imds-az", "us-west-2b") &&
	    tmock_write(&g_mock, "state.json", "{\"pools\": {}}");
}

static bool
mock_start(void)
{
	char tmpl[sizeof(g_mock.dir)];
	int n = snprintf(tmpl, sizeof(tmpl), "%s/mock-XXXXXX", g_base);

	return n > 0 && (size_t)n < sizeof(tmpl) &&
	    tmock_mkdtemp(&g_mock, tmpl) && mock_files() &&
	    tmock_start(&g_mock);
}

#define NEED_MOCK()                                                            \
	do {                                                                   \
		if (g_mock.pid <= 0)                                           \
			SKIP("the loopback mock (%s) is not available",        \
			    CMFA_FIXTURE_MOCK);                                \
	} while (0)

/* ---------------------------------------------------------------------- */
/* The mock's log                                                         */

static void
log_mark(void)
{
	g_mark = tmock_count_lines(&g_mock, "log.jsonl");
}

/* The entries since log_mark() whose op is op (all when NULL), once
 * there are at least want of them: up to 5 s.  The caller deletes the
 * array. */
static cJSON *
log_ops(const char *op, size_t want)
{
	return tmock_lines(&g_mock, "log.jsonl", g_mark, op, want);
}

static const char *
jstr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *
jget(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* ---------------------------------------------------------------------- */
/* The environment and the client                                         */

extern char **environ;

/* Unset every AWS_* variable, point HOME at a fresh directory, and keep
 * instance metadata off. */
static void
fresh_env(void)
{
	static unsigned n_home;
	char *names[256];
	size_t n = 0, i;
	char **e;

	for (e = environ; *e != NULL && n < CMFA_ARRAY_LEN(names); e++)
		if (strncmp(*e, "AWS_", 4) == 0)
			names[n++] = strndup(*e, strcspn(*e, "="));
	for (i = 0; i < n; i++) {
		if (names[i] != NULL)
			unsetenv(names[i]);
		free(names[i]);
	}
	cmfa_fixture_rm_tree(g_home);
	snprintf(g_home, sizeof(g_home), "%s/home%u", g_base, ++n_home);
	if (mkdir(g_home, 0700) != 0)
		abort();
	setenv("HOME", g_home, 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

/* Instance metadata at the mock. */
static void
imds_at_mock(struct cmfa_aws *a)
{
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", g_mock.url, 1);
	a->s.imds_disabled = false;
}

static struct cmfa_aws *
mk(const char *profile)
{
	struct cmfa_aws *a = calloc(1, sizeof(*a));

	if (a == NULL)
		abort();
	a->s.profile = profile;
	a->s.imds_disabled = true;
	a->s.fallback_region = "us-east-1";
	a->s.http.connect_timeout_ms = 5000;
	a->s.http.read_timeout_ms = 10000;
	if (cmfa_http_new(&a->s.http, &a->http) != CMFA_OK)
		abort();
	return a;
}

static void
rm(struct cmfa_aws *a)
{
	cmfa_http_free(a->http);
	free(a);
}

/* Region then credentials, as cmfa_aws_open() and the first call do. */
static enum cmfa_err
resolve(struct cmfa_aws *a, struct cmfa_aws_credentials *c,
    struct cmfa_aws_error *err)
{
	enum cmfa_err e;

	memset(c, 0, sizeof(*c));
	if ((e = cmfa_aws_region_resolve(a, err)) != CMFA_OK)
		return e;
	return cmfa_aws_creds_resolve(a, c, err);
}

static bool
starts_with(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* No secret of the tests in s. */
static bool
clean(const char *s)
{
	static const char *const secrets[] = { SK1, SK2, TOK2, WEB_TOKEN,
		"Bearer", "SECRETPROC" };
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(secrets); i++)
		if (strstr(s, secrets[i]) != NULL)
			return false;
	return true;
}

/* STS GetCallerIdentity with c: the caller's ARN ("" on failure). */
static const char *
caller_arn(struct cmfa_aws *a, const struct cmfa_aws_credentials *c)
{
	static char arn[256];
	const struct cmfa_http_header p[] = { { "Action", "GetCallerIdentity" },
		{ "Version", "2011-06-15" } };
	struct cmfa_aws_call call;

	arn[0] = '\0';
	memset(&call, 0, sizeof(call));
	if (cmfa_aws_query(a, g_mock.url, "sts", "us-east-1", c, p, 2, &call) ==
	    CMFA_OK)
		(void)cmfa_xml_text((const char *)call.response.p,
		    call.response.len, "GetCallerIdentityResult/Arn", arn,
		    sizeof(arn));
	cmfa_buf_free(&call.response);
	return arn;
}

/* ---------------------------------------------------------------------- */
/* Environment, shared files, profiles                                    */

static void
env_keys(void)
{
	struct cmfa_aws *a = mk(NULL);
	struct cmfa_aws_credentials c;
	struct cmfa_aws_error err;

	fresh_env();
	setenv("AWS_ACCESS_KEY_ID", AK2, 1);
	setenv("AWS_SECRET_ACCESS_KEY", SK2, 1);
	setenv("AWS_SESSION_TOKEN", TOK2, 1);
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.source, "env");
	CHECK_STR_EQ(c.access_key_id, AK2);
	CHECK_STR_EQ(c.secret_access_key, SK2);
	CHECK_STR_EQ(c.session_token, TOK2);
	CHECK_INT_EQ(c.expiration, 0);
	cmfa_aws_credentials_release(&c);

	/* AWS_SECURITY_TOKEN comes first; an expiration is read */
	setenv("AWS_SECURITY_TOKEN", "legacy-token", 1);
	setenv("AWS_CREDENTIAL_EXPIRATION", "2030-01-01T00:00:00Z", 1);
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.session_token, "legacy-token");
	CHECK_INT_EQ(c.expiration, 1893456000);
	cmfa_aws_credentials_release(&c);

	/* a key without its secret is an error, not "none" */
	unsetenv("AWS_SECRET_ACCESS_KEY");
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_VALIDATION);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_CONFIG);
	CHECK_STR_EQ(err.message,
	    "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY");
	/* the environment is not read at all with no_env */
	a->s.no_env = true;
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_NOCREDS);
	rm(a);
}

static const char cred_file[] = "[default]\n"
                                "aws_access_key_id = AKIDDEFAULT000000001\n"
                                "aws_secret_access_key = secret/default/1\n"
                                "\n"
                                "[p]\n"
                                "aws_access_key_id = AKIDPROFILEP00000001\n"
                                "aws_secret_access_key = secret/p/1\n"
                                "aws_session_token = token-p\n"
                                "\n"
                                "[partial]\n"
                                "aws_access_key_id = AKIDPARTIAL000000001\n";

static void
env_skipped_for_explicit_profile(void)
{
	struct cmfa_aws *a = mk("p");
	struct cmfa_aws_credentials c;
	struct cmfa_aws_error err;

	fresh_env();
	CHECK(write_home(".aws/credentials", cred_file, 0600));
	setenv("AWS_ACCESS_KEY_ID", AK1, 1);
	setenv("AWS_SECRET_ACCESS_KEY", SK1, 1);
	/* --profile: the environment's keys are skipped */
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.source, "shared-credentials-file");
	CHECK_STR_EQ(c.access_key_id, "AKIDPROFILEP00000001");
	CHECK_STR_EQ(c.session_token, "token-p");
	cmfa_aws_credentials_release(&c);
	rm(a);

	/* AWS_PROFILE is not explicit: the environment's keys win */
	a = mk(NULL);
	setenv("AWS_PROFILE", "p", 1);
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(a->profile, "p");
	CHECK_STR_EQ(c.source, "env");
	CHECK_STR_EQ(c.access_key_id, AK1);
	cmfa_aws_credentials_release(&c);
	rm(a);
}

static void
shared_credentials_file(void)
{
	struct cmfa_aws *a = mk(NULL);
	struct cmfa_aws_credentials c;
	struct cmfa_aws_error err;
	char path[PATH_MAX + 64];

	fresh_env();
	CHECK(write_home(".aws/credentials", cred_file, 0600));
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.source, "shared-credentials-file");
	CHECK_STR_EQ(c.access_key_id, "AKIDDEFAULT000000001");
	CHECK_STR_EQ(c.secret_access_key, "secret/default/1");
	CHECK(c.session_token == NULL);
	cmfa_aws_credentials_release(&c);
	snprintf(path, sizeof(path), "%s/.aws/credentials", g_home);
	CHECK_STR_EQ(a->shared_credentials_file, path);

	/* AWS_SHARED_CREDENTIALS_FILE, "~/" expanded */
	CHECK(write_home("other/creds",
	    "[default]\naws_access_key_id=AKIDOTHER00000000001\n"
	    "aws_secret_access_key=s/other\n",
	    0600));
	setenv("AWS_SHARED_CREDENTIALS_FILE", "~/other/creds", 1);
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.access_key_id, "AKIDOTHER00000000001");
	cmfa_aws_credentials_release(&c);
	snprintf(path, sizeof(path), "%s/other/creds", g_home);
	CHECK_STR_EQ(a->shared_credentials_file, path);
	/* the host config's file beats the environment */
	snprintf(path, sizeof(path), "%s/.aws/credentials", g_home);
	a->s.shared_credentials_file = path;
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.access_key_id, "AKIDDEFAULT000000001");
	cmfa_aws_credentials_release(&c);
	rm(a);
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");

	/* a key without its secret */
	a = mk("partial");
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_VALIDATION);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_CONFIG);
	CHECK_STR_EQ(err.message,
	    "Partial credentials found in shared-credentials-file, missing: "
	    "aws_secret_access_key");
	rm(a);

	/* a file botocore cannot parse stops everything */
	a = mk(NULL);
	CHECK(write_home(".aws/credentials", "[default]\nx=1\nx=2\n", 0600));
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_PARSE);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_CONFIG);
	snprintf(path, sizeof(path), "Unable to parse config file: %s",
	    a->shared_credentials_file);
	CHECK_STR_EQ(err.message, path);
	rm(a);
}

static void
config_file_keys(void)
{
	struct cmfa_aws *a = mk("q");
	struct cmfa_aws_credentials c;
	struct cmfa_aws_error err;

	fresh_env();
	CHECK(write_home(".aws/config",
	    "[default]\nregion = eu-west-1\n"
	    "aws_access_key_id = AKIDCONFDEFAULT00001\n"
	    "aws_secret_access_key = s/conf/default\n"
	    "[profile q]\naws_access_key_id = AKIDCONFQ00000000001\n"
	    "aws_secret_access_key = s/conf/q\naws_security_token = tq\n"
	    "[r]\naws_access_key_id = AKIDNOTAPROFILE00001\n"
	    "aws_secret_access_key = s/conf/r\n",
	    0600));
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.source, "config-file");
	CHECK_STR_EQ(c.access_key_id, "AKIDCONFQ00000000001");
	CHECK_STR_EQ(c.session_token, "tq");
	cmfa_aws_credentials_release(&c);
	rm(a);

	/* [r] without "profile " is no profile */
	a = mk("r");
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_CONFIG);
	CHECK_STR_EQ(err.message, "The config profile (r) could not be found");
	rm(a);

	/* the credentials file comes before the config file */
	a = mk(NULL);
	CHECK(write_home(".aws/credentials", cred_file, 0600));
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.source, "shared-credentials-file");
	CHECK_STR_EQ(a->region, "eu-west-1");
	cmfa_aws_credentials_release(&c);
	rm(a);
}

static void
profile_precedence(void)
{
	struct cmfa_aws *a = mk(NULL);
	struct cmfa_aws_credentials c;
	struct cmfa_aws_error err;
	char file[1024];
	const char *names[] = { "cli", "envp", "envdp", "cfg", "default" };
	size_t i, n = 0;

	fresh_env();
	for (i = 0; i < CMFA_ARRAY_LEN(names); i++)
		n += (size_t)snprintf(file + n, sizeof(file) - n,
		    "[%s]\naws_access_key_id = AKIDPRECEDENCE%06zu\n"
		    "aws_secret_access_key = s/%s\n",
		    names[i], i, names[i]);
	CHECK(write_home(".aws/credentials", file, 0600));

	a->s.profile = "cli";
	a->s.cfg_profile = "cfg";
	setenv("AWS_PROFILE", "envp", 1);
	setenv("AWS_DEFAULT_PROFILE", "envdp", 1);
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(a->profile, "cli");
	CHECK_STR_EQ(c.access_key_id, "AKIDPRECEDENCE000000");
	cmfa_aws_credentials_release(&c);

	a->s.profile = NULL; /* AWS_PROFILE first, as CLI v2 */
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(a->profile, "envp");
	CHECK_STR_EQ(c.access_key_id, "AKIDPRECEDENCE000001");
	cmfa_aws_credentials_release(&c);

	unsetenv("AWS_PROFILE");
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(a->profile, "envdp");
	cmfa_aws_credentials_release(&c);

	unsetenv("AWS_DEFAULT_PROFILE");
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(a->profile, "cfg");
	CHECK_STR_EQ(c.access_key_id, "AKIDPRECEDENCE000003");
	cmfa_aws_credentials_release(&c);

	a->s.cfg_profile = NULL;
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(a->profile, "default");
	CHECK_STR_EQ(c.access_key_id, "AKIDPRECEDENCE000004");
	cmfa_aws_credentials_release(&c);

	/* a named profile must exist (botocore's ProfileNotFound) */
	a->s.profile = "nope";
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_CONFIG);
	CHECK_STR_EQ(err.message,
	    "The config profile (nope) could not be found");
	a->s.profile = NULL;
	a->s.cfg_profile = "nope2";
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_NOTFOUND);
	CHECK_STR_EQ(err.message,
	    "The config profile (nope2) could not be found");
	rm(a);
}

static void
nothing_found(void)
{
	struct cmfa_aws *a = mk(NULL);
	struct cmfa_aws_credentials c;
	struct cmfa_aws_error err;

	fresh_env();
	CHECK(
	    write_home(".aws/config", "[default]\nregion = us-east-2\n", 0600));
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_NOCREDS);
	CHECK_STR_EQ(a->region, "us-east-2");
	rm(a);
}

/* ---------------------------------------------------------------------- */
/* Assume role                                                            */

static void
write_role_files(const char *extra)
{
	char conf[2048];

	snprintf(conf, sizeof(conf),
	    "[profile role]\nrole_arn = " ROLE "\nsource_profile = src\n"
	    "external_id = " EXT_ID "\nrole_session_name = cmfa-test\n"
	    "duration_seconds = 900\n"
	    "[profile badext]\nrole_arn = " ROLE "\nsource_profile = src\n"
	    "external_id = wrong-id\n"
	    "[profile chain]\nrole_arn = " CHAIN_ROLE
	    "\nsource_profile = role\n"
	    "[profile loop1]\nrole_arn = " CHAIN_ROLE
	    "\nsource_profile = loop2\n"
	    "[profile loop2]\nrole_arn = " CHAIN_ROLE
	    "\nsource_profile = loop1\n"
	    "[profile fromenv]\nrole_arn = " CHAIN_ROLE
	    "\ncredential_source = Environment\n"
	    "[profile badsource]\nrole_arn = " CHAIN_ROLE
	    "\ncredential_source = Nowhere\n"
	    "[profile both]\nrole_arn = " CHAIN_ROLE
	    "\ncredential_source = Environment\nsource_profile = src\n"
	    "[profile missing]\nrole_arn = " CHAIN_ROLE
	    "\nsource_profile = ghost\n"
	    "%s",
	    extra);
	CHECK(write_home(".aws/config", conf, 0600));
	CHECK(write_home(".aws/credentials",
	    "[src]\naws_access_key_id = " AK1 "\naws_secret_access_key = " SK1
	    "\n"
	    "[self]\naws_access_key_id = " AK1 "\naws_secret_access_key = " SK1
	    "\nrole_arn = " CHAIN_ROLE "\nsource_profile = self\n",
	    0600));
	setenv("AWS_ENDPOINT_URL_STS", g_mock.url, 1);
}

static void
assume_role_source_profile(void)
{
	struct cmfa_aws *a = mk("role");
	struct cmfa_aws_credentials c;
	struct cmfa_aws_error err;
	const cJSON *body;
	cJSON *ops;
	int64_t now = (int64_t)time(NULL);

	NEED_MOCK();
	fresh_env();
	write_role_files("");
	log_mark();
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.source, "assume-role");
	CHECK(starts_with(c.access_key_id, "ASIA"));
	CHECK(c.session_token != NULL);
	CHECK(c.expiration > now + 800 && c.expiration < now + 1000);
	/* the mock signed AssumeRole's request with the source's keys */
	ops = log_ops("AssumeRole", 1);
	CHECK_INT_EQ(cJSON_GetArraySize(ops), 1);
	if (cJSON_GetArraySize(ops) == 1) {
		const cJSON *e0 = cJSON_GetArrayItem(ops, 0);

		CHECK_STR_EQ(jstr(e0, "access_key"), AK1);
		CHECK(cJSON_IsTrue(jget(e0, "signature_ok")));
		CHECK_INT_EQ(jget(e0, "status")->valueint, 200);
		CHECK_STR_EQ(jstr(e0, "region"), "us-east-1");
		body = jget(e0, "body");
		CHECK_STR_EQ(jstr(body, "RoleArn"), ROLE);
		CHECK_STR_EQ(jstr(body, "ExternalId"), EXT_ID);
		CHECK_STR_EQ(jstr(body, "RoleSessionName"), "cmfa-test");
		CHECK_STR_EQ(jstr(body, "DurationSeconds"), "900");
	}
	cJSON_Delete(ops);
	/* and the credentials it issued are good for a signed call */
	CHECK(strstr(caller_arn(a, &c), "assumed-role/test-role/") != NULL);
	cmfa_aws_credentials_release(&c);
	rm(a);
}

static void
assume_role_errors(void)
{
	struct cmfa_aws *a = mk("badext");
	struct cmfa_aws_credentials c;
	struct cmfa_aws_error err;

	NEED_MOCK();
	fresh_env();
	write_role_files("");
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_IO);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_CONFIG);
	CHECK_STR_EQ(err.type, "AccessDenied");
	CHECK_INT_EQ(err.status, 403);
	CHECK(starts_with(err.message,
	    "An error occurred (AccessDenied) when calling the "
	    "AssumeRole operation: User: "));
	CHECK_MSG(clean(err.message), "%s", err.message);

	a->s.profile = "loop1";
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(err.message,
	    "Infinite loop in credential configuration detected. Attempting "
	    "to load from profile loop1 which has already been visited. "
	    "Visited profiles: ['loop1', 'loop2']");
	a->s.profile = "badsource";
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(err.message,
	    "The credential source \"Nowhere\" referenced in profile "
	    "\"badsource\" is not valid.");
	a->s.profile = "both";
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(err.message,
	    "The profile \"both\" contains both source_profile and "
	    "credential_source.");
	a->s.profile = "missing";
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(err.message,
	    "The source_profile \"ghost\" referenced in the profile "
	    "\"missing\" does not exist.");
	/* Environment as the source, with nothing there */
	a->s.profile = "fromenv";
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(err.message,
	    "Error when retrieving credentials from Environment: No "
	    "credentials found in credential_source referenced in profile "
	    "fromenv");
	rm(a);
}

static void
assume_role_chains(void)
{
	struct cmfa_aws *a = mk("chain");
	struct cmfa_aws_credentials c;
	struct cmfa_aws_error err;
	cJSON *ops;

	NEED_MOCK();
	fresh_env();
	write_role_files("");
	/* chain -> role -> src: two AssumeRole, the second signed with the
	 * first's credentials */
	log_mark();
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.source, "assume-role");
	ops = log_ops("AssumeRole", 2);
	CHECK_INT_EQ(cJSON_GetArraySize(ops), 2);
	if (cJSON_GetArraySize(ops) == 2) {
		const cJSON *e0 = cJSON_GetArrayItem(ops, 0);
		const cJSON *e1 = cJSON_GetArrayItem(ops, 1);

		CHECK_STR_EQ(jstr(e0, "access_key"), AK1);
		CHECK_STR_EQ(jstr(jget(e0, "body"), "RoleArn"), ROLE);
		CHECK(starts_with(jstr(e1, "access_key"), "ASIA"));
		CHECK(cJSON_IsTrue(jget(e1, "session_token")));
		CHECK(cJSON_IsTrue(jget(e1, "signature_ok")));
		CHECK_STR_EQ(jstr(jget(e1, "body"), "RoleArn"), CHAIN_ROLE);
		CHECK(starts_with(jstr(jget(e1, "body"), "RoleSessionName"),
		    "botocore-session-"));
	}
	cJSON_Delete(ops);
	CHECK(strstr(caller_arn(a, &c), "assumed-role/chain-role/") != NULL);
	cmfa_aws_credentials_release(&c);

	/* a profile that is its own source uses its own static keys */
	a->s.profile = "self";
	log_mark();
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.source, "assume-role");
	ops = log_ops("AssumeRole", 1);
	CHECK_INT_EQ(cJSON_GetArraySize(ops), 1);
	CHECK_STR_EQ(jstr(cJSON_GetArrayItem(ops, 0), "access_key"), AK1);
	cJSON_Delete(ops);
	cmfa_aws_credentials_release(&c);

	/* credential_source = Environment works with --profile */
	a->s.profile = "fromenv";
	setenv("AWS_ACCESS_KEY_ID", AK2, 1);
	setenv("AWS_SECRET_ACCESS_KEY", SK2, 1);
	setenv("AWS_SESSION_TOKEN", TOK2, 1);
	log_mark();
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.source, "assume-role");
	ops = log_ops("AssumeRole", 1);
	CHECK_INT_EQ(cJSON_GetArraySize(ops), 1);
	CHECK_STR_EQ(jstr(cJSON_GetArrayItem(ops, 0), "access_key"), AK2);
	cJSON_Delete(ops);
	cmfa_aws_credentials_release(&c);
	rm(a);
}

/* ---------------------------------------------------------------------- */
/* Web identity                                                           */

static void
web_identity(void)
{
	struct cmfa_aws *a = mk(NULL);
	struct cmfa_aws_credentials c;
	struct cmfa_aws_error err;
	char path[PATH_MAX + 64];
	cJSON *ops;

	NEED_MOCK();
	fresh_env();
	setenv("AWS_ENDPOINT_URL_STS", g_mock.url, 1);
	CHECK(write_home("token", WEB_TOKEN, 0600));
	snprintf(path, sizeof(path), "%s/token", g_home);
	setenv("AWS_ROLE_ARN", WEB_ROLE, 1);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", path, 1);
	setenv("AWS_ROLE_SESSION_NAME", "pod-session", 1);
	log_mark();
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.source, "assume-role-with-web-identity");
	CHECK(c.expiration > 0);
	ops = log_ops("AssumeRoleWithWebIdentity", 1);
	CHECK_INT_EQ(cJSON_GetArraySize(ops), 1);
	if (cJSON_GetArraySize(ops) == 1) {
		const cJSON *e0 = cJSON_GetArrayItem(ops, 0);

		CHECK(cJSON_IsNull(jget(e0, "access_key"))); /* unsigned */
		CHECK_INT_EQ(jget(e0, "status")->valueint, 200);
		CHECK_STR_EQ(jstr(jget(e0, "body"), "RoleSessionName"),
		    "pod-session");
	}
	cJSON_Delete(ops);
	CHECK(strstr(caller_arn(a, &c), "assumed-role/web-role/") != NULL);
	cmfa_aws_credentials_release(&c);

	/* the wrong token: STS's error, never the token */
	CHECK(write_home("token", "not-the-token", 0600));
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_IO);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_CONFIG);
	CHECK_STR_EQ(err.type, "InvalidIdentityToken");
	CHECK(strstr(err.message, "not-the-token") == NULL);
	CHECK_MSG(clean(err.message), "%s", err.message);
	/* a missing token file */
	unlink(path);
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_IO);
	CHECK(
	    starts_with(err.message, "Unable to read the web identity token"));
	rm(a);

	/* from a profile; with --profile the environment's are ignored */
	a = mk("web");
	CHECK(write_home("token2", WEB_TOKEN, 0600));
	snprintf(path, sizeof(path),
	    "[profile web]\nrole_arn = " WEB_ROLE "\n"
	    "web_identity_token_file = %s/token2\n",
	    g_home);
	CHECK(write_home(".aws/config", path, 0600));
	log_mark();
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.source, "assume-role-with-web-identity");
	ops = log_ops("AssumeRoleWithWebIdentity", 1);
	CHECK_INT_EQ(cJSON_GetArraySize(ops), 1);
	CHECK(starts_with(jstr(jget(cJSON_GetArrayItem(ops, 0), "body"),
	                      "RoleSessionName"),
	    "botocore-session-"));
	cJSON_Delete(ops);
	cmfa_aws_credentials_release(&c);
	rm(a);
}

/* ---------------------------------------------------------------------- */
/* credential_process                                                     */

static void
credential_process(void)
{
	struct cmfa_aws *a = mk(NULL);
	struct cmfa_aws_credentials c;
	struct cmfa_aws_error err;
	char conf[1024];

	fresh_env();
	/* the arguments are checked by the script itself */
	CHECK(write_home("my dir/creds.sh",
	    "#!/bin/sh\n"
	    "[ \"$#\" = 3 ] && [ \"$1\" = 'arg one' ] && [ \"$2\" = 'arg two' ]"
	    " && [ \"$3\" = 'it\"s' ] || { echo \"bad args: $*\" >&2; exit 3; "
	    "}\n"
	    "cat <<'EOF'\n"
	    "{\"Version\": 1, \"AccessKeyId\": \"AKIDPROCESS000000001\",\n"
	    " \"SecretAccessKey\": \"SECRETPROC/1\", \"SessionToken\": \"tp\","
	    "\n \"Expiration\": \"2030-01-01T00:00:00Z\"}\n"
	    "EOF\n",
	    0700));
	CHECK(write_home("fail.sh",
	    "#!/bin/sh\necho 'boom: no credentials here' >&2\nexit 1\n", 0700));
	CHECK(write_home("v2.sh",
	    "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"AKIDX\", "
	    "\"SecretAccessKey\": \"SECRETPROC\"}'\n",
	    0700));
	CHECK(write_home("nokey.sh",
	    "#!/bin/sh\necho '{\"Version\": 1, \"SecretAccessKey\": "
	    "\"SECRETPROC\"}'\n",
	    0700));
	snprintf(conf, sizeof(conf),
	    "[default]\ncredential_process = \"%s/my dir/creds.sh\" "
	    "'arg one' arg\\ two \"it\\\"s\"\n"
	    "[profile fail]\ncredential_process = %s/fail.sh\n"
	    "[profile v2]\ncredential_process = %s/v2.sh\n"
	    "[profile nokey]\ncredential_process = %s/nokey.sh\n"
	    "[profile absent]\ncredential_process = %s/absent.sh\n"
	    "[profile unclosed]\ncredential_process = 'x\n",
	    g_home, g_home, g_home, g_home, g_home);
	CHECK(write_home(".aws/config", conf, 0600));
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_MSG(err.kind == CMFA_AWSERR_NONE, "%s", err.message);
	CHECK_STR_EQ(c.source, "credential-process");
	CHECK_STR_EQ(c.access_key_id, "AKIDPROCESS000000001");
	CHECK_STR_EQ(c.secret_access_key, "SECRETPROC/1");
	CHECK_STR_EQ(c.session_token, "tp");
	CHECK_INT_EQ(c.expiration, 1893456000);
	cmfa_aws_credentials_release(&c);

	a->s.profile = "fail";
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_VALIDATION);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_CONFIG);
	CHECK_STR_EQ(err.message,
	    "Error when retrieving credentials from custom-process: boom: no "
	    "credentials here");
	a->s.profile = "v2";
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(err.message,
	    "Error when retrieving credentials from custom-process: "
	    "Unsupported version '2' for credential process provider, "
	    "supported versions: 1");
	CHECK(clean(err.message));
	a->s.profile = "nokey";
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(err.message,
	    "Error when retrieving credentials from custom-process: Missing "
	    "required key in response: 'AccessKeyId'");
	a->s.profile = "absent";
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_VALIDATION);
	CHECK(strstr(err.message, "cannot run") != NULL);
	a->s.profile = "unclosed";
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_VALIDATION);
	CHECK(strstr(err.message, "unclosed quote") != NULL);
	rm(a);
}

/* ---------------------------------------------------------------------- */
/* Container and instance metadata                                        */

static void
container_full_uri(void)
{
	struct cmfa_aws *a = mk(NULL);
	struct cmfa_aws_credentials c;
	struct cmfa_aws_error err;
	char url[128], path[256];
	cJSON *ops;

	NEED_MOCK();
	fresh_env();
	snprintf(url, sizeof(url), "%s/ecs/v2/credentials/abc", g_mock.url);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	CHECK(write_home("ecs-token", ECS_TOKEN, 0600));
	snprintf(path, sizeof(path), "%s/ecs-token", g_home);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "the file wins", 1);
	log_mark();
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_MSG(err.kind == CMFA_AWSERR_NONE, "%s", err.message);
	CHECK_STR_EQ(c.source, "container-role");
	CHECK(c.expiration > 0);
	ops = log_ops("ecs", 1);
	CHECK_INT_EQ(cJSON_GetArraySize(ops), 1);
	CHECK_INT_EQ(jget(cJSON_GetArrayItem(ops, 0), "status")->valueint, 200);
	cJSON_Delete(ops);
	CHECK(strstr(caller_arn(a, &c), "mock-ecs-role") != NULL);
	cmfa_aws_credentials_release(&c);

	/* the token from the environment */
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", ECS_TOKEN, 1);
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.source, "container-role");
	cmfa_aws_credentials_release(&c);

	/* refused before any request: CR/LF in the token, a foreign host */
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nX-Evil: 1", 1);
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(err.message,
	    "Error when retrieving credentials from container-role: Auth "
	    "token value is not a legal header value");
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.1/creds",
	    1);
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_VALIDATION);
	CHECK(strstr(err.message, "Unsupported host '192.0.2.1'") != NULL);
	CHECK(clean(err.message));
	rm(a);
}

static void
imds(void)
{
	struct cmfa_aws *a = mk(NULL);
	struct cmfa_aws_credentials c;
	struct cmfa_aws_error err;
	cJSON *ops;
	int i;

	NEED_MOCK();
	fresh_env();
	imds_at_mock(a);
	a->s.fallback_region = NULL;
	log_mark();
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_MSG(err.kind == CMFA_AWSERR_NONE, "%s", err.message);
	CHECK_STR_EQ(a->region, "us-west-2"); /* us-west-2b less its letter */
	CHECK_STR_EQ(c.source, "iam-role");
	CHECK(c.expiration > (int64_t)time(NULL) + 1800);
	CHECK(strstr(caller_arn(a, &c), "mock-instance-role") != NULL);
	cmfa_aws_credentials_release(&c);
	/* token, zone; token, role, credentials: each GET with the token */
	ops = log_ops(NULL, 5);
	CHECK(cJSON_GetArraySize(ops) >= 5);
	if (cJSON_GetArraySize(ops) >= 5) {
		const char *want[] = { "imds-token", "imds-az", "imds-token",
			"imds-role", "imds-creds" };

		for (i = 0; i < 5; i++) {
			const cJSON *e = cJSON_GetArrayItem(ops, i);

			CHECK_STR_EQ(jstr(e, "op"), want[i]);
			CHECK_INT_EQ(jget(e, "status")->valueint, 200);
		}
	}
	cJSON_Delete(ops);

	/* IMDSv1 when the token PUT is refused, unless v1 is disabled */
	CHECK(tmock_write(&g_mock, "faults.json",
	    "[{\"op\": \"imds-token\", \"status\": 404}]"));
	CHECK(tmock_write(&g_mock, "imds-v1-allowed", "yes"));
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_OK);
	CHECK_STR_EQ(c.source, "iam-role");
	cmfa_aws_credentials_release(&c);
	setenv("AWS_EC2_METADATA_V1_DISABLED", "true", 1);
	a->s.fallback_region = "eu-north-1"; /* no zone from IMDS either */
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_NOCREDS);
	unsetenv("AWS_EC2_METADATA_V1_DISABLED");
	remove_mock("faults.json");
	remove_mock("imds-v1-allowed");

	/* disabled: by the environment, by the setting: nothing asked */
	log_mark();
	setenv("AWS_EC2_METADATA_DISABLED", "TRUE", 1);
	a->s.fallback_region = "eu-north-1";
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_NOCREDS);
	CHECK_STR_EQ(a->region, "eu-north-1");
	unsetenv("AWS_EC2_METADATA_DISABLED");
	a->s.imds_disabled = true;
	CHECK_INT_EQ(resolve(a, &c, &err), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_NOCREDS);
	/* a marker request: nothing else reached the mock before it */
	CHECK(caller_arn(a, NULL)[0] == '\0');
	ops = log_ops(NULL, 1);
	CHECK_INT_EQ(cJSON_GetArraySize(ops), 1);
	CHECK_STR_EQ(jstr(cJSON_GetArrayItem(ops, 0), "op"),
	    "GetCallerIdentity");
	cJSON_Delete(ops);
	rm(a);
}

/* ---------------------------------------------------------------------- */
/* Region and max_attempts                                                */

static void
region_order(void)
{
	struct cmfa_aws *a = mk(NULL);
	struct cmfa_aws_error err;

	fresh_env();
	CHECK(write_home(".aws/config", "[default]\nregion = ap-south-1\n",
	    0600));
	a->s.region = "eu-west-3";
	a->s.cfg_region = "eu-west-2";
	setenv("AWS_REGION", "eu-central-1", 1);
	setenv("AWS_DEFAULT_REGION", "eu-south-1", 1);
	a->s.fallback_region = "sa-east-1";
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_OK);
	CHECK_STR_EQ(a->region, "eu-west-3");
	a->s.region = NULL;
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_OK);
	CHECK_STR_EQ(a->region, "eu-west-2");
	a->s.cfg_region = NULL;
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_OK);
	CHECK_STR_EQ(a->region, "eu-central-1");
	unsetenv("AWS_REGION");
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_OK);
	CHECK_STR_EQ(a->region, "eu-south-1");
	unsetenv("AWS_DEFAULT_REGION");
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_OK);
	CHECK_STR_EQ(a->region, "ap-south-1");
	CHECK(write_home(".aws/config", "[default]\noutput = json\n", 0600));
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_OK);
	CHECK_STR_EQ(a->region, "sa-east-1");
	a->s.fallback_region = NULL;
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_NOREGION);
	/* the region of a named profile, from the credentials file too */
	CHECK(write_home(".aws/credentials", "[other]\nregion = us-west-1\n",
	    0600));
	setenv("AWS_PROFILE", "other", 1);
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_OK);
	CHECK_STR_EQ(a->region, "us-west-1");
	/* a malformed region is refused */
	a->s.region = "us-east-1/../x";
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_ERR_VALIDATION);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_CONFIG);
	rm(a);
}

static void
region_from_imds(void)
{
	struct cmfa_aws *a = mk(NULL);
	struct cmfa_aws_error err;

	NEED_MOCK();
	fresh_env();
	imds_at_mock(a);
	a->s.fallback_region = "sa-east-1";
	setenv("AWS_DEFAULT_REGION", "eu-south-1", 1); /* before IMDS */
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_OK);
	CHECK_STR_EQ(a->region, "eu-south-1");
	unsetenv("AWS_DEFAULT_REGION");
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_OK);
	CHECK_STR_EQ(a->region, "us-west-2");
	/* an IMDS that does not answer: the fallback */
	CHECK(tmock_write(&g_mock, "faults.json",
	    "[{\"op\": \"imds-az\", \"status\": "
	    "500}]"));
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_OK);
	CHECK_STR_EQ(a->region, "sa-east-1");
	remove_mock("faults.json");
	rm(a);
}

static void
max_attempts(void)
{
	struct cmfa_aws *a = mk(NULL);
	struct cmfa_aws_error err;

	fresh_env();
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_OK);
	CHECK_INT_EQ(a->max_attempts, 3);
	CHECK(write_home(".aws/config", "[default]\nmax_attempts = 7\n", 0600));
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_OK);
	CHECK_INT_EQ(a->max_attempts, 7);
	setenv("AWS_MAX_ATTEMPTS", "5", 1);
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_OK);
	CHECK_INT_EQ(a->max_attempts, 5);
	a->s.max_attempts = 2;
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_OK);
	CHECK_INT_EQ(a->max_attempts, 2);
	a->s.max_attempts = 0;
	setenv("AWS_MAX_ATTEMPTS", "0", 1);
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_ERR_VALIDATION);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_CONFIG);
	CHECK_STR_EQ(err.message,
	    "Value provided to \"max_attempts\": 0 must be an integer greater "
	    "than or equal to one.");
	unsetenv("AWS_MAX_ATTEMPTS");
	CHECK(write_home(".aws/config", "[default]\nmax_attempts = many\n",
	    0600));
	CHECK_INT_EQ(cmfa_aws_region_resolve(a, &err), CMFA_ERR_VALIDATION);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_CONFIG);
	rm(a);
}

/* ---------------------------------------------------------------------- */
/* The query protocol                                                     */

static void
query_protocol(void)
{
	struct cmfa_aws *a = mk(NULL);
	struct cmfa_aws_credentials good, bad;
	struct cmfa_aws_call call;
	const char *msg = "Your code: 123 456 & more=+/\xc3\xbc%";
	const struct cmfa_http_header pub[] = { { "Action", "Publish" },
		{ "Version", "2010-03-31" }, { "PhoneNumber", "+15555550100" },
		{ "Message", msg } };
	const struct cmfa_http_header who[] = {
		{ "Action", "GetCallerIdentity" }, { "Version", "2011-06-15" }
	};
	char *sns;
	cJSON *line;

	NEED_MOCK();
	fresh_env();
	a->max_attempts = 3;
	CHECK_INT_EQ(cmfa_creds_set(&good, AK2, SK2, TOK2, 0, "test"), CMFA_OK);
	CHECK_INT_EQ(cmfa_creds_set(&bad, AK1, "not/the/secret", NULL, 0,
	                 "test"),
	    CMFA_OK);
	/* SNS Publish: the form encoding read back by Python's parse_qs */
	memset(&call, 0, sizeof(call));
	CHECK_INT_EQ(cmfa_aws_query(a, g_mock.url, "sns", "us-east-1", &good,
	                 pub, 4, &call),
	    CMFA_OK);
	CHECK_INT_EQ(call.status, 200);
	CHECK_INT_EQ(call.attempts, 1);
	cmfa_buf_free(&call.response);
	sns = tmock_read(&g_mock, "sns.jsonl", NULL);
	line = sns != NULL ? cJSON_Parse(sns) : NULL;
	CHECK_STR_EQ(jstr(line, "Message"), msg);
	cJSON_Delete(line);
	free(sns);

	/* a bad signature: the service's error from the XML */
	CHECK_INT_EQ(cmfa_aws_query(a, g_mock.url, "sts", "us-east-1", &bad,
	                 who, 2, &call),
	    CMFA_ERR_IO);
	CHECK_INT_EQ(call.error.kind, CMFA_AWSERR_SERVICE);
	CHECK_INT_EQ(call.error.status, 403);
	CHECK_STR_EQ(call.error.type, "SignatureDoesNotMatch");
	CHECK(starts_with(call.error.message,
	    "The request signature we "
	    "calculated does not match"));
	CHECK_INT_EQ(call.attempts, 1); /* not retried */
	cmfa_buf_free(&call.response);

	/* a 500, once: retried */
	CHECK(tmock_write(&g_mock, "faults.json",
	    "[{\"op\": \"GetCallerIdentity\", \"status\": 500, \"type\": "
	    "\"InternalFailure\", \"times\": 1}]"));
	CHECK_INT_EQ(cmfa_aws_query(a, g_mock.url, "sts", "us-east-1", &good,
	                 who, 2, &call),
	    CMFA_OK);
	CHECK_INT_EQ(call.attempts, 2);
	cmfa_buf_free(&call.response);
	/* throttled every time: max_attempts tries, then the error */
	a->max_attempts = 2;
	CHECK(tmock_write(&g_mock, "faults.json",
	    "[{\"op\": \"GetCallerIdentity\", \"status\": 400, \"type\": "
	    "\"Throttling\", \"message\": \"Rate exceeded\"}]"));
	CHECK_INT_EQ(cmfa_aws_query(a, g_mock.url, "sts", "us-east-1", &good,
	                 who, 2, &call),
	    CMFA_ERR_IO);
	CHECK_INT_EQ(call.attempts, 2);
	CHECK_STR_EQ(call.error.type, "Throttling");
	CHECK_STR_EQ(call.error.message, "Rate exceeded");
	CHECK(call.error.max_retries);
	cmfa_buf_free(&call.response);
	remove_mock("faults.json");

	/* a closed port: a transport error in botocore's words */
	a->max_attempts = 1;
	CHECK_INT_EQ(cmfa_aws_query(a, "http://127.0.0.1:1", "sts", "us-east-1",
	                 &good, who, 2, &call),
	    CMFA_ERR_IO);
	CHECK_INT_EQ(call.error.kind, CMFA_AWSERR_TRANSPORT);
	CHECK_STR_EQ(call.error.message,
	    "Could not connect to the endpoint URL: \"http://127.0.0.1:1/\"");
	cmfa_buf_free(&call.response);
	cmfa_aws_credentials_release(&good);
	cmfa_aws_credentials_release(&bad);
	rm(a);
}

static void
sts_endpoint(void)
{
	struct cmfa_aws *a = mk(NULL);
	char ep[256];

	fresh_env();
	snprintf(a->region, sizeof(a->region), "eu-west-1");
	CHECK_INT_EQ(cmfa_sts_endpoint(a, ep, sizeof(ep)), CMFA_OK);
	CHECK_STR_EQ(ep, "https://sts.eu-west-1.amazonaws.com");
	setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9999", 1);
	CHECK_INT_EQ(cmfa_sts_endpoint(a, ep, sizeof(ep)), CMFA_OK);
	CHECK_STR_EQ(ep, "http://127.0.0.1:9999");
	a->s.sts_endpoint_url = "https://sts.example.test";
	CHECK_INT_EQ(cmfa_sts_endpoint(a, ep, sizeof(ep)), CMFA_OK);
	CHECK_STR_EQ(ep, "https://sts.example.test");
	rm(a);
}

static void
times(void)
{
	int64_t t = 0;

	CHECK_INT_EQ(cmfa_creds_parse_time("2019-11-09T13:34:41Z", 20, &t),
	    CMFA_OK);
	CHECK_INT_EQ(t, 1573306481);
	CHECK_INT_EQ(cmfa_creds_parse_time("2019-11-09T13:34:41.359Z", 24, &t),
	    CMFA_OK);
	CHECK_INT_EQ(t, 1573306481);
	CHECK_INT_EQ(cmfa_creds_parse_time("2019-11-09T15:34:41+02:00", 25, &t),
	    CMFA_OK);
	CHECK_INT_EQ(t, 1573306481);
	CHECK_INT_EQ(cmfa_creds_parse_time("2024-02-29 00:00:00", 19, &t),
	    CMFA_OK);
	CHECK_INT_EQ(t, 1709164800);
	CHECK_INT_EQ(cmfa_creds_parse_time("2023-02-29T00:00:00Z", 20, &t),
	    CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_creds_parse_time("2019-11-09T13:34:41.Z", 21, &t),
	    CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_creds_parse_time("2019-11-09", 10, &t),
	    CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_creds_parse_time("2019-11-09T13:34:41Q", 20, &t),
	    CMFA_ERR_PARSE);
}

static int
run_all(void)
{
	RUN(times);
	RUN(sts_endpoint);
	RUN(env_keys);
	RUN(env_skipped_for_explicit_profile);
	RUN(shared_credentials_file);
	RUN(config_file_keys);
	RUN(profile_precedence);
	RUN(nothing_found);
	RUN(region_order);
	RUN(max_attempts);
	RUN(credential_process);
	RUN(assume_role_source_profile);
	RUN(assume_role_errors);
	RUN(assume_role_chains);
	RUN(web_identity);
	RUN(container_full_uri);
	RUN(imds);
	RUN(region_from_imds);
	RUN(query_protocol);
	cmfa_fixture_rm_tree(g_home);
	return t_tests_failed > 0 ? 1 : 0;
}

/* Stop the mock (by PID) and remove every directory of the tests. */
static void
cleanup(void)
{
	tmock_stop(&g_mock);
	cmfa_fixture_rm_tree(g_base);
}

/* main() starts the mock, runs the tests in a child and cleans up however
 * the child ended. */
TEST_MAIN_BEGIN("test_aws_creds")
	{
		static const char *const proxies[] = { "http_proxy",
			"https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
			"all_proxy" };
		size_t i;

		for (i = 0; i < CMFA_ARRAY_LEN(proxies); i++)
			unsetenv(proxies[i]); /* 127.0.0.1 directly */
		snprintf(g_base, sizeof(g_base), "/tmp/cmfa-creds-XXXXXX");
		if (mkdtemp(g_base) == NULL) {
			printf("FAIL: test_aws_creds/tmpdir\n");
			return 1;
		}
		if (!mock_start())
			tmock_stop(
			    &g_mock); /* the tests that need it say SKIP */
		return cmfa_fixture_guard(t_prog, run_all, cleanup);
	}
TEST_MAIN_END
