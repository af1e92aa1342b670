/*
 * test_aws_client.c: the AWS client core (aws/client.c, aws/error.c).
 *
 * cmfa_aws_parse_error() against a table of botocore's readings; the
 * client against the loopback mock (tests/data/aws_mock.py, which checks
 * every SigV4 signature with botocore's own signer): signed and unsigned
 * calls, the standard retry mode (what is retried, how often, the retry
 * quota), transport failures in botocore's words, rate limits measured
 * from the mock's timestamps, batches; and the Authorization header we
 * send compared byte for byte with botocore's for the same request and
 * time (tests/data/sigv4_botocore.py), through a one-shot capture server.
 *
 * Run from the top of the tree.  The mock is started here with an empty
 * environment (no credential reaches it or any child); main() forks, the
 * tests run in the child, and the parent stops the mock and removes the
 * temporary directory however the child ended.  Without /usr/bin/python3
 * or the mock, the tests that need them say SKIP.
 *
 * Backoff waits are real (up to a few seconds per retried call): they
 * are what is tested.
 */
#include <cjson/cJSON.h>

#include "cmfa_aws.h"
#include "cmfa_fixture.h"
#include "cmfa_test.h"

#define POOL "us-east-1_TestPool1"

#define AK1 "AKIDTESTLONGTERM0001"
#define SK1 "long/term+secret/key/for/the/mock/00001"
#define AK2 "ASIATESTSESSION00002"
#define SK2 "session/secret/key/for/the/mock/000002"
#define TOK2 "FwoGZXIvYXdzEBYaDmocktoken+/=0002"
#define AK3 "ASIATESTEXPIRED00003"
#define SK3 "expired/secret/key/for/the/mock/000003"
#define TOK3 "FwoGZXIvYXdzEBYaDmocktoken+/=0003"

#define FIXED_TIME INT64_C(1700000000) /* 2023-11-14T22:13:20Z */

static struct tmock g_mock = { .pid = -1 };
static char g_requrl[80]; /* the mock's URL with the trailing '/' */
static size_t g_mark;     /* log.jsonl lines before the current test */
static long g_read_timeout_ms = 10000;

/* ---------------------------------------------------------------------- */
/* Files and processes                                                    */

/* The mock's Cognito state: one pool of 60 generated users. */
static const char state_json[] =
    "{\"pools\": {\"" POOL "\": {"
    "\"MfaConfig\": {\"MfaConfiguration\": \"OFF\"},"
    "\"UserPool\": {\"Id\": \"" POOL "\", \"Name\": \"test\"},"
    "\"Users\": [],"
    "\"GenerateUsers\": {\"count\": 60, \"prefix\": \"user\"}}}}";

static bool
write_creds_json(void)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
	    "[{\"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\"},"
	    " {\"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\","
	    "  \"SessionToken\": \"%s\"},"
	    " {\"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\","
	    "  \"SessionToken\": \"%s\", \"Expiration\": 1000000000}]",
	    AK1, SK1, AK2, SK2, TOK2, AK3, SK3, TOK3);
	return tmock_write(&g_mock, "creds.json", buf);
}

static bool
mock_start(void)
{
	if (!tmock_mkdtemp(&g_mock, "/tmp/cmfa-awsclient-XXXXXX") ||
	    !tmock_write(&g_mock, "state.json", state_json) ||
	    !write_creds_json() || !tmock_start(&g_mock))
		return false;
	snprintf(g_requrl, sizeof(g_requrl), "%s/", g_mock.url);
	return true;
}

static void
mock_stop(void)
{
	tmock_stop(&g_mock);
}

/* ---------------------------------------------------------------------- */
/* The mock's log                                                         */

static void
log_mark(void)
{
	g_mark = tmock_count_lines(&g_mock, "log.jsonl");
}

/* The log entries since log_mark(), once there are at least `want`:
 * waits up to 5 s for them. */
static cJSON *
log_since(size_t want)
{
	return tmock_lines(&g_mock, "log.jsonl", g_mark, NULL, want);
}

static const cJSON *
field(const cJSON *o, const char *name)
{
	return o != NULL ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;
}

/* A member's number, -1 when it is not one. */
static double
num(const cJSON *o, const char *name)
{
	const cJSON *v = field(o, name);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* ---------------------------------------------------------------------- */
/* Clients and calls                                                      */

static void
set_creds(const char *ak, const char *sk, const char *tok)
{
	if (ak != NULL) {
		setenv("AWS_ACCESS_KEY_ID", ak, 1);
		setenv("AWS_SECRET_ACCESS_KEY", sk, 1);
	} else {
		unsetenv("AWS_ACCESS_KEY_ID");
		unsetenv("AWS_SECRET_ACCESS_KEY");
	}
	if (tok != NULL)
		setenv("AWS_SESSION_TOKEN", tok, 1);
	else
		unsetenv("AWS_SESSION_TOKEN");
}

static void
env_setup(void)
{
	tmock_env(&g_mock, AK1, SK1);
}

static int64_t
fixed_clock(void)
{
	return FIXED_TIME;
}

static struct cmfa_aws *
client_with(const char *endpoint, int64_t (*clock)(void))
{
	struct cmfa_aws_error err;
	struct cmfa_aws *a = NULL;
	enum cmfa_err e =
	    tmock_client(endpoint, clock, g_read_timeout_ms, &a, &err);

	CHECK_MSG(e == CMFA_OK, "open: %s (%s)", cmfa_strerror(e), err.message);
	return a;
}

static struct cmfa_aws *
client(void)
{
	return client_with(g_mock.url, NULL);
}

struct req {
	struct cmfa_aws_call c;
	char body[256];
};

static void
req_user(struct req *r, const char *op, const char *user)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->body, sizeof(r->body),
	    "{\"UserPoolId\": \"%s\", \"Username\": \"%s\"}", POOL, user);
	r->c.op = op;
	r->c.body = r->body;
	r->c.body_len = strlen(r->body);
}

static void
req_pool(struct req *r, const char *op)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->body, sizeof(r->body), "{\"UserPoolId\": \"%s\"}", POOL);
	r->c.op = op;
	r->c.body = r->body;
	r->c.body_len = strlen(r->body);
}

static enum cmfa_err
get_user(struct cmfa_aws *a, const char *user, struct req *r)
{
	req_user(r, "AdminGetUser", user);
	return cmfa_aws_cognito(a, &r->c);
}

/* The response's "Username". */
static bool
response_user_is(const struct cmfa_aws_call *c, const char *user)
{
	cJSON *j = cJSON_Parse(cmfa_buf_str(&c->response));
	const cJSON *u = j != NULL ? field(j, "Username") : NULL;
	bool ok = cJSON_IsString(u) && strcmp(u->valuestring, user) == 0;

	cJSON_Delete(j);
	return ok;
}

static bool
no_faults(void)
{
	return tmock_write(&g_mock, "faults.json", "[]");
}

#define NEED_MOCK()                                                            \
	do {                                                                   \
		if (g_mock.pid < 0)                                            \
			SKIP("%s or %s missing", CMFA_FIXTURE_PY,              \
			    CMFA_FIXTURE_MOCK);                                \
		no_faults();                                                   \
		log_mark();                                                    \
		env_setup();                                                   \
	} while (0)

/* ---------------------------------------------------------------------- */
/* cmfa_aws_parse_error                                                   */

static void
parse_error_table(void)
{
	static const struct {
		long status;
		const char *body;
		const char *type, *message;
	} t[] = {
		{ 400,
		    "{\"__type\": \"com.amazon.coral.service#"
		    "ExpiredTokenException\", \"message\": \"expired\"}",
		    "ExpiredTokenException", "expired" },
		{ 400,
		    "{\"__type\": \"NotAuthorizedException:http://internal."
		    "amazon.com/coral/com.amazon.coral.validate/\", "
		    "\"Message\": \"Incorrect username or password.\"}",
		    "NotAuthorizedException",
		    "Incorrect username or password." },
		{ 400,
		    "{\"__type\": \"aws.protocoltests#FooError:http://a#b\"}",
		    "FooError", "" },
		{ 400, "{\"__type\": \"A#B#C\", \"message\": \"m\"}", "C",
		    "m" },
		{ 400,
		    "{\"__type\": \"UserNotFoundException\", \"message\": "
		    "\"User does not exist.\"}",
		    "UserNotFoundException", "User does not exist." },
		{ 400, "{\"message\": \"lower\", \"Message\": \"upper\"}",
		    "400", "lower" },
		{ 429, "{\"Message\": \"upper\"}", "429", "upper" },
		{ 400, "{\"__type\": 5, \"message\": null}", "400", "None" },
		{ 400, "{\"__type\": \"T\", \"message\": true}", "T", "True" },
		{ 400, "{\"__type\": \"T\", \"message\": 12}", "T", "12" },
		{ 400, "{\"__type\": \"T\", \"message\": \"a\\nb\"}", "T",
		    "a?b" },
		{ 400, "", "400", "" },
		{ 403, "<html>Forbidden</html>", "403",
		    "<html>Forbidden</html>" },
		{ 502, "<html><body>Bad</body></html>", "502", "Bad Gateway" },
		{ 500, "  \r\n", "500", "Internal Server Error" },
		{ 500, "", "500", "Internal Server Error" },
		{ 599, "", "599", "" },
		{ 503, "Service Unavailable\n", "503", "Service Unavailable?" },
		{ 400, "[1, 2]", "400", "[1, 2]" },
		{ 400, "{\"message\": \"a\", \"message\": \"b\"}", "400",
		    "{\"message\": \"a\", \"message\": \"b\"}" },
		{ 400, "{\"__type\": \"X\\u0001Y\"}", "X?Y", "" },
		{ 400, "not \xff utf-8", "400", "not ? utf-8" },
	};
	struct cmfa_aws_error e;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(t); i++) {
		memset(&e, 0x5a, sizeof(e));
		cmfa_aws_parse_error(t[i].status, t[i].body, strlen(t[i].body),
		    &e);
		CHECK_INT_EQ(e.kind, CMFA_AWSERR_SERVICE);
		CHECK_INT_EQ(e.status, t[i].status);
		CHECK_STR_EQ(e.type, t[i].type);
		CHECK_STR_EQ(e.message, t[i].message);
		CHECK_INT_EQ(e.attempts, 0);
		CHECK(!e.max_retries);
	}
}

static void
parse_error_caps(void)
{
	struct cmfa_aws_error e;
	char *big = malloc(300000);
	char type[400];

	CHECK(big != NULL);
	if (big == NULL)
		return;
	memset(big, 'x', 300000);
	cmfa_aws_parse_error(400, big, 300000, &e);
	CHECK_INT_EQ(strlen(e.message), sizeof(e.message) - 1);
	CHECK_STR_EQ(e.type, "400");
	/* a JSON body above the JSON cap is not JSON: it is the message */
	memcpy(big, "{\"message\": \"", 13);
	memcpy(big + 299998, "\"}", 2);
	cmfa_aws_parse_error(400, big, 300000, &e);
	CHECK(strncmp(e.message, "{\"message\": \"xxx", 16) == 0);
	free(big);
	/* a long __type is capped */
	memset(type, 'T', sizeof(type));
	memcpy(type, "{\"__type\": \"", 12);
	memcpy(type + sizeof(type) - 3, "\"}", 3);
	cmfa_aws_parse_error(400, type, strlen(type), &e);
	CHECK_INT_EQ(strlen(e.type), sizeof(e.type) - 1);
	/* NULL body */
	cmfa_aws_parse_error(404, NULL, 10, &e);
	CHECK_STR_EQ(e.type, "404");
	CHECK_STR_EQ(e.message, "");
}

/* ---------------------------------------------------------------------- */
/* Open, endpoint, accessors                                              */

static void
open_endpoints(void)
{
	static const struct {
		const char *given, *endpoint;
	} ok[] = {
		{ "http://127.0.0.1:2999/", "http://127.0.0.1:2999" },
		{ "http://127.0.0.1:2999", "http://127.0.0.1:2999" },
		{ "https://Example.COM/prefix/",
		    "https://Example.COM/prefix/" },
		{ "http://[::1]:8080", "http://[::1]:8080" },
	};
	static const char *const bad[] = { "ftp://x", "http://",
		"http://user:pw@host/", "http://h/?q=1", "http://h:99999/",
		"http://h a/", "https://:443/" };
	struct cmfa_aws_settings s;
	struct cmfa_aws_error err;
	struct cmfa_aws *a;
	size_t i;

	env_setup();
	cmfa_aws_close(NULL);
	memset(&s, 0, sizeof(s));
	s.imds_disabled = true;
	s.region = "eu-west-3";
	a = NULL;
	CHECK(cmfa_aws_open(&s, &a, &err) == CMFA_OK);
	if (a != NULL) {
		CHECK_STR_EQ(cmfa_aws_endpoint(a),
		    "https://cognito-idp.eu-west-3.amazonaws.com");
		CHECK_STR_EQ(cmfa_aws_region(a), "eu-west-3");
		CHECK_INT_EQ(cmfa_aws_requests(a), 0);
	}
	cmfa_aws_close(a);
	for (i = 0; i < CMFA_ARRAY_LEN(ok); i++) {
		s.endpoint_url = ok[i].given;
		a = NULL;
		CHECK(cmfa_aws_open(&s, &a, &err) == CMFA_OK);
		if (a != NULL)
			CHECK_STR_EQ(cmfa_aws_endpoint(a), ok[i].endpoint);
		cmfa_aws_close(a);
	}
	for (i = 0; i < CMFA_ARRAY_LEN(bad); i++) {
		char want[128];

		s.endpoint_url = bad[i];
		a = (struct cmfa_aws *)&s;
		CHECK(cmfa_aws_open(&s, &a, &err) != CMFA_OK);
		CHECK(a == NULL);
		CHECK_INT_EQ(err.kind, CMFA_AWSERR_TRANSPORT);
		snprintf(want, sizeof(want), "Invalid endpoint: %s", bad[i]);
		CHECK_STR_EQ(err.message, want);
	}
	/* a region that cannot be a host name label */
	s.endpoint_url = NULL;
	s.region = "us-east-1.evil.com/";
	a = NULL;
	CHECK(cmfa_aws_open(&s, &a, &err) != CMFA_OK);
	CHECK(a == NULL);
}

/* ---------------------------------------------------------------------- */
/* Signed calls against the mock                                          */

static void
signed_call_accepted(void)
{
	const cJSON *e[4] = { 0 };
	struct cmfa_aws *a;
	struct req r;
	cJSON *log;

	NEED_MOCK();
	if ((a = client()) == NULL)
		return;
	CHECK(get_user(a, "user000001", &r) == CMFA_OK);
	CHECK_INT_EQ(r.c.status, 200);
	CHECK_INT_EQ(r.c.attempts, 1);
	CHECK_INT_EQ(r.c.error.kind, CMFA_AWSERR_NONE);
	CHECK(response_user_is(&r.c, "user000001"));
	CHECK_INT_EQ(cmfa_aws_requests(a), 1);
	cmfa_aws_call_release(&r.c);
	cmfa_aws_close(a);

	log = log_since(1);
	CHECK(tmock_entries(log, "AdminGetUser", "user000001", e, 4) == 1);
	CHECK(cJSON_IsTrue(field(e[0], "signature_ok")));
	CHECK(cJSON_IsFalse(field(e[0], "session_token")));
	CHECK_STR_EQ(cJSON_GetStringValue(field(e[0], "access_key")), AK1);
	CHECK_STR_EQ(cJSON_GetStringValue(field(e[0], "region")), "us-east-1");
	cJSON_Delete(log);
}

static void
signed_call_with_token(void)
{
	const cJSON *e[4] = { 0 };
	struct cmfa_aws *a;
	struct req r;
	cJSON *log;

	NEED_MOCK();
	set_creds(AK2, SK2, TOK2);
	if ((a = client()) == NULL)
		return;
	CHECK(get_user(a, "user000002", &r) == CMFA_OK);
	CHECK(response_user_is(&r.c, "user000002"));
	cmfa_aws_call_release(&r.c);
	/* a body of NULL is "{}": the mock wants a UserPoolId then */
	memset(&r, 0, sizeof(r));
	r.c.op = "AdminGetUser";
	CHECK(cmfa_aws_cognito(a, &r.c) != CMFA_OK);
	CHECK_INT_EQ(r.c.error.kind, CMFA_AWSERR_SERVICE);
	CHECK_INT_EQ(r.c.attempts, 1);
	cmfa_aws_call_release(&r.c);
	cmfa_aws_close(a);

	log = log_since(2);
	CHECK(tmock_entries(log, "AdminGetUser", "user000002", e, 4) == 1);
	CHECK(cJSON_IsTrue(field(e[0], "signature_ok")));
	CHECK(cJSON_IsTrue(field(e[0], "session_token")));
	CHECK_STR_EQ(cJSON_GetStringValue(field(e[0], "access_key")), AK2);
	cJSON_Delete(log);
}

static void
wrong_secret_not_retried(void)
{
	struct cmfa_aws *a;
	struct req r;

	NEED_MOCK();
	set_creds(AK1, "not/the/right/secret/key/at/all/000001", NULL);
	if ((a = client()) == NULL)
		return;
	CHECK(get_user(a, "user000001", &r) == CMFA_ERR_IO);
	CHECK_INT_EQ(r.c.error.kind, CMFA_AWSERR_SERVICE);
	CHECK_STR_EQ(r.c.error.type, "InvalidSignatureException");
	CHECK_INT_EQ(r.c.error.status, 400);
	CHECK_INT_EQ(r.c.error.attempts, 1);
	CHECK_INT_EQ(r.c.attempts, 1);
	CHECK(!r.c.error.max_retries);
	CHECK(strstr(r.c.error.message, "not/the/right") == NULL);
	CHECK_INT_EQ(r.c.response.len, 0);
	CHECK_INT_EQ(cmfa_aws_requests(a), 1);
	cmfa_aws_call_release(&r.c);
	cmfa_aws_close(a);
}

static void
user_not_found_not_retried(void)
{
	struct cmfa_aws *a;
	struct req r;

	NEED_MOCK();
	if ((a = client()) == NULL)
		return;
	CHECK(get_user(a, "nobody", &r) == CMFA_ERR_IO);
	CHECK_INT_EQ(r.c.error.kind, CMFA_AWSERR_SERVICE);
	CHECK_STR_EQ(r.c.error.type, "UserNotFoundException");
	CHECK(r.c.error.message[0] != '\0');
	CHECK_INT_EQ(r.c.attempts, 1);
	CHECK(!r.c.error.max_retries);
	cmfa_aws_call_release(&r.c);
	cmfa_aws_close(a);
}

static void
retry_500_then_success(void)
{
	const cJSON *e[8] = { 0 };
	struct cmfa_aws *a;
	struct req r;
	cJSON *log;

	NEED_MOCK();
	tmock_write(&g_mock, "faults.json",
	    "[{\"op\": \"AdminGetUser\", \"username\": \"user000005\", "
	    "\"status\": 500, \"times\": 2}]");
	if ((a = client()) == NULL)
		return;
	CHECK(get_user(a, "user000005", &r) == CMFA_OK);
	CHECK_INT_EQ(r.c.attempts, 3);
	CHECK_INT_EQ(r.c.status, 200);
	CHECK_INT_EQ(r.c.error.kind, CMFA_AWSERR_NONE);
	CHECK(response_user_is(&r.c, "user000005"));
	CHECK_INT_EQ(cmfa_aws_requests(a), 3);
	cmfa_aws_call_release(&r.c);
	cmfa_aws_close(a);
	log = log_since(3);
	CHECK(tmock_entries(log, "AdminGetUser", "user000005", e, 8) == 3);
	CHECK_INT_EQ(num(e[0], "status"), 500);
	CHECK_INT_EQ(num(e[1], "status"), 500);
	CHECK_INT_EQ(num(e[2], "status"), 200);
	cJSON_Delete(log);
}

static void
throttling_exhausts_attempts(void)
{
	struct cmfa_aws *a;
	struct req r;

	NEED_MOCK();
	tmock_write(&g_mock, "faults.json",
	    "[{\"op\": \"AdminGetUser\", \"username\": \"user000006\", "
	    "\"status\": 400, \"type\": \"TooManyRequestsException\", "
	    "\"message\": \"Too many requests\"}]");
	if ((a = client()) == NULL)
		return;
	CHECK(get_user(a, "user000006", &r) == CMFA_ERR_IO);
	CHECK_INT_EQ(r.c.error.kind, CMFA_AWSERR_SERVICE);
	CHECK_STR_EQ(r.c.error.type, "TooManyRequestsException");
	CHECK_STR_EQ(r.c.error.message, "Too many requests");
	CHECK_INT_EQ(r.c.attempts, 3);
	CHECK_INT_EQ(r.c.error.attempts, 3);
	CHECK(r.c.error.max_retries);
	cmfa_aws_call_release(&r.c);
	cmfa_aws_close(a);

	setenv("AWS_MAX_ATTEMPTS", "5", 1);
	if ((a = client()) == NULL)
		return;
	CHECK(get_user(a, "user000006", &r) == CMFA_ERR_IO);
	CHECK_INT_EQ(r.c.attempts, 5);
	CHECK(r.c.error.max_retries);
	CHECK_INT_EQ(cmfa_aws_requests(a), 5);
	cmfa_aws_call_release(&r.c);
	cmfa_aws_close(a);

	/* one attempt in all: the CLI still says "reached max retries: 0" */
	setenv("AWS_MAX_ATTEMPTS", "1", 1);
	if ((a = client()) == NULL)
		return;
	CHECK(get_user(a, "nobody", &r) == CMFA_ERR_IO);
	CHECK_STR_EQ(r.c.error.type, "UserNotFoundException");
	CHECK_INT_EQ(r.c.attempts, 1);
	CHECK(r.c.error.max_retries);
	cmfa_aws_call_release(&r.c);
	cmfa_aws_close(a);
	unsetenv("AWS_MAX_ATTEMPTS");
}

/*
 * One call on a fresh client (a fresh connection: on a reused keep-alive
 * connection that the server closes without answering, libcurl itself
 * resends the request once, as it must for a stale connection).
 */
static enum cmfa_err
get_user_fresh(const char *user, struct req *r, unsigned long *requests)
{
	struct cmfa_aws *a = client();
	enum cmfa_err e;

	if (a == NULL)
		return CMFA_ERR_INVAL;
	e = get_user(a, user, r);
	*requests += cmfa_aws_requests(a);
	cmfa_aws_close(a);
	return e;
}

static void
truncated_and_closed_retried(void)
{
	unsigned long requests = 0;
	char want[256];
	struct req r;
	cJSON *log;

	NEED_MOCK();
	tmock_write(&g_mock, "faults.json",
	    "[{\"op\": \"AdminGetUser\", \"username\": \"user000007\", "
	    "\"truncate\": true, \"times\": 1},"
	    " {\"op\": \"AdminGetUser\", \"username\": \"user000008\", "
	    "\"close\": true, \"times\": 1},"
	    " {\"op\": \"AdminGetUser\", \"username\": \"user000009\", "
	    "\"close\": true}]");
	CHECK(get_user_fresh("user000007", &r, &requests) == CMFA_OK);
	CHECK_INT_EQ(r.c.attempts, 2);
	CHECK(response_user_is(&r.c, "user000007"));
	cmfa_aws_call_release(&r.c);
	CHECK(get_user_fresh("user000008", &r, &requests) == CMFA_OK);
	CHECK_INT_EQ(r.c.attempts, 2);
	CHECK(response_user_is(&r.c, "user000008"));
	cmfa_aws_call_release(&r.c);
	CHECK(get_user_fresh("user000009", &r, &requests) == CMFA_ERR_IO);
	CHECK_INT_EQ(r.c.attempts, 3);
	CHECK_INT_EQ(r.c.error.kind, CMFA_AWSERR_TRANSPORT);
	CHECK_INT_EQ(r.c.status, 0);
	CHECK(r.c.error.max_retries);
	snprintf(want, sizeof(want),
	    "Connection was closed before we received a valid response from "
	    "endpoint URL: \"%s\".",
	    g_requrl);
	CHECK_STR_EQ(r.c.error.message, want);
	cmfa_aws_call_release(&r.c);
	CHECK_INT_EQ(requests, 7);
	/* each attempt reached the mock once */
	log = log_since(7);
	CHECK_INT_EQ(cJSON_GetArraySize(log), 7);
	cJSON_Delete(log);
}

static void
connection_refused(void)
{
	char url[64], want[160];
	struct cmfa_aws *a;
	struct req r;

	env_setup();
	CHECK(cmfa_fixture_closed_url(url, sizeof(url)));
	if ((a = client_with(url, NULL)) == NULL)
		return;
	CHECK(get_user(a, "user000001", &r) == CMFA_ERR_IO);
	CHECK_INT_EQ(r.c.error.kind, CMFA_AWSERR_TRANSPORT);
	snprintf(want, sizeof(want),
	    "Could not connect to the endpoint URL: \"%s/\"", url);
	CHECK_STR_EQ(r.c.error.message, want);
	CHECK_INT_EQ(r.c.attempts, 3);
	CHECK_INT_EQ(cmfa_aws_requests(a), 3);
	cmfa_aws_call_release(&r.c);
	cmfa_aws_close(a);
}

static void
read_timeout_retried(void)
{
	unsigned long requests = 0;
	char want[160];
	struct req r;

	NEED_MOCK();
	/* no byte for 1 s is a read timeout (the AWS CLI's socket timeout) */
	g_read_timeout_ms = 1000;
	tmock_write(&g_mock, "faults.json",
	    "[{\"op\": \"AdminGetUser\", \"username\": \"user000010\", "
	    "\"delay_ms\": 2500, \"times\": 1},"
	    " {\"op\": \"AdminGetUser\", \"username\": \"user000011\", "
	    "\"delay_ms\": 2500}]");
	CHECK(get_user_fresh("user000010", &r, &requests) == CMFA_OK);
	CHECK_INT_EQ(r.c.attempts, 2);
	CHECK(response_user_is(&r.c, "user000010"));
	cmfa_aws_call_release(&r.c);
	setenv("AWS_MAX_ATTEMPTS", "1", 1);
	CHECK(get_user_fresh("user000011", &r, &requests) == CMFA_ERR_IO);
	CHECK_INT_EQ(r.c.attempts, 1);
	CHECK_INT_EQ(r.c.error.kind, CMFA_AWSERR_TRANSPORT);
	snprintf(want, sizeof(want), "Read timeout on endpoint URL: \"%s\"",
	    g_requrl);
	CHECK_STR_EQ(r.c.error.message, want);
	cmfa_aws_call_release(&r.c);
	unsetenv("AWS_MAX_ATTEMPTS");
	g_read_timeout_ms = 10000;
}

/* https:// to the mock's plain HTTP port: the handshake fails. */
static void
tls_failure(void)
{
	char url[80], want[160];
	struct cmfa_aws *a;
	struct req r;

	NEED_MOCK();
	setenv("AWS_MAX_ATTEMPTS", "1", 1);
	snprintf(url, sizeof(url), "https://%s", g_mock.url + 7);
	if ((a = client_with(url, NULL)) == NULL)
		return;
	CHECK(get_user(a, "user000001", &r) == CMFA_ERR_IO);
	CHECK_INT_EQ(r.c.error.kind, CMFA_AWSERR_TRANSPORT);
	snprintf(want, sizeof(want), "SSL validation failed for %s/ ", url);
	CHECK_MSG(strncmp(r.c.error.message, want, strlen(want)) == 0 &&
	        strlen(r.c.error.message) > strlen(want),
	    "%s", r.c.error.message);
	cmfa_aws_call_release(&r.c);
	cmfa_aws_close(a);
	unsetenv("AWS_MAX_ATTEMPTS");
}

/* ---------------------------------------------------------------------- */
/* Batches                                                                */

#define BATCH_MAX 64

/* Calls for a batch: the calls themselves must be one array. */
struct set {
	struct cmfa_aws_call c[BATCH_MAX];
	char body[BATCH_MAX][128];
};

static void
set_user(struct set *s, size_t i, const char *op, const char *user)
{
	memset(&s->c[i], 0, sizeof(s->c[i]));
	snprintf(s->body[i], sizeof(s->body[i]),
	    "{\"UserPoolId\": \"%s\", \"Username\": \"%s\"}", POOL, user);
	s->c[i].op = op;
	s->c[i].body = s->body[i];
	s->c[i].body_len = strlen(s->body[i]);
}

static void
set_users(struct set *s, size_t n)
{
	char user[32];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(user, sizeof(user), "user%06zu", i + 1);
		set_user(s, i, "AdminGetUser", user);
	}
}

static void
set_release(struct set *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		cmfa_aws_call_release(&s->c[i]);
}

struct seen {
	size_t n;
	size_t stop_at; /* 0: never */
	struct cmfa_aws_call *order[BATCH_MAX];
	enum cmfa_err rc[BATCH_MAX];
};

static enum cmfa_err
on_done(struct cmfa_aws_call *c, void *arg)
{
	struct seen *s = arg;

	if (s->n < BATCH_MAX)
		s->order[s->n] = c;
	s->n++;
	if (s->stop_at != 0 && s->n == s->stop_at)
		return CMFA_ERR_EXISTS;
	return CMFA_OK;
}

static void
retry_quota_exhaustion(void)
{
	static struct set b;
	struct seen seen;
	struct cmfa_aws *a;
	struct req one;
	unsigned total = 0;
	size_t i;

	NEED_MOCK();
	tmock_write(&g_mock, "faults.json",
	    "[{\"op\": \"GetUserPoolMfaConfig\", \"status\": 500}]");
	if ((a = client()) == NULL)
		return;
	for (i = 0; i < 50; i++) {
		memset(&b.c[i], 0, sizeof(b.c[i]));
		snprintf(b.body[i], sizeof(b.body[i]),
		    "{\"UserPoolId\": \"%s\"}", POOL);
		b.c[i].op = "GetUserPoolMfaConfig";
		b.c[i].body = b.body[i];
		b.c[i].body_len = strlen(b.body[i]);
	}
	memset(&seen, 0, sizeof(seen));
	/* 50 calls x 2 retries x 5 tokens: the whole quota of 500 */
	CHECK(
	    cmfa_aws_cognito_batch(a, b.c, 50, 50, on_done, &seen) == CMFA_OK);
	CHECK_INT_EQ(seen.n, 50);
	for (i = 0; i < 50; i++) {
		CHECK_INT_EQ(b.c[i].attempts, 3);
		CHECK_STR_EQ(b.c[i].error.type, "InternalErrorException");
		CHECK(b.c[i].error.max_retries);
		total += b.c[i].attempts;
	}
	CHECK_INT_EQ(total, 150);
	set_release(&b, 50);
	/* the quota is empty: a retryable failure is no longer retried */
	req_pool(&one, "GetUserPoolMfaConfig");
	CHECK(cmfa_aws_cognito(a, &one.c) == CMFA_ERR_IO);
	CHECK_INT_EQ(one.c.attempts, 1);
	CHECK(!one.c.error.max_retries);
	cmfa_aws_call_release(&one.c);
	/* a success gives back 1 token: still less than a retry costs */
	no_faults();
	req_pool(&one, "GetUserPoolMfaConfig");
	CHECK(cmfa_aws_cognito(a, &one.c) == CMFA_OK);
	cmfa_aws_call_release(&one.c);
	tmock_write(&g_mock, "faults.json",
	    "[{\"op\": \"GetUserPoolMfaConfig\", \"status\": 503}]");
	req_pool(&one, "GetUserPoolMfaConfig");
	CHECK(cmfa_aws_cognito(a, &one.c) == CMFA_ERR_IO);
	CHECK_INT_EQ(one.c.attempts, 1);
	cmfa_aws_call_release(&one.c);
	CHECK_INT_EQ(cmfa_aws_requests(a), 153);
	cmfa_aws_close(a);

	/* a fresh client has a full quota again */
	if ((a = client()) == NULL)
		return;
	req_pool(&one, "GetUserPoolMfaConfig");
	CHECK(cmfa_aws_cognito(a, &one.c) == CMFA_ERR_IO);
	CHECK_INT_EQ(one.c.attempts, 3);
	cmfa_aws_call_release(&one.c);
	cmfa_aws_close(a);
}

/* Start times (the mock's "t") of op's requests in the log, sorted. */
static size_t
times_of(const cJSON *log, const char *op, double *t, size_t max)
{
	const cJSON *e[BATCH_MAX] = { 0 };
	size_t n = tmock_entries(log, op, NULL, e, BATCH_MAX), i, j;

	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		t[i] = num(e[i], "t");
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && t[j - 1] > t[j]; j--) {
			double x = t[j];

			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	return n;
}

/* The most requests that started within any 1-second window [t, t+1). */
static size_t
max_per_second(const double *t, size_t n)
{
	size_t i, j, best = 0;

	for (i = 0; i < n; i++) {
		for (j = i; j < n && t[j] < t[i] + 1.0; j++)
			;
		if (j - i > best)
			best = j - i;
	}
	return best;
}

static void
rate_limit_batch(void)
{
	static struct set b;
	double t[BATCH_MAX];
	struct seen seen;
	struct cmfa_aws *a;
	char user[32];
	struct req r;
	cJSON *log;
	size_t i, n;

	NEED_MOCK();
	if ((a = client()) == NULL)
		return;
	cmfa_aws_limit(a, "AdminGetUser", 10);
	set_users(&b, 20);
	memset(&seen, 0, sizeof(seen));
	CHECK(cmfa_aws_cognito_batch(a, b.c, 20, 4, on_done, &seen) == CMFA_OK);
	CHECK_INT_EQ(seen.n, 20);
	for (i = 0; i < 20; i++) {
		snprintf(user, sizeof(user), "user%06zu", i + 1);
		CHECK_INT_EQ(b.c[i].attempts, 1);
		CHECK(response_user_is(&b.c[i], user));
	}
	set_release(&b, 20);
	log = log_since(20);
	n = times_of(log, "AdminGetUser", t, BATCH_MAX);
	CHECK_INT_EQ(n, 20);
	/* 10 rps: no second holds more than 10 starts (+1 for the edges) */
	CHECK_MSG(max_per_second(t, n) <= 11, "%zu in one second",
	    max_per_second(t, n));
	/* and the cap did hold them back: 19 gaps of 0.1 s */
	CHECK_MSG(n == 20 && t[19] - t[0] >= 1.7, "span %.3f s",
	    n == 20 ? t[19] - t[0] : 0.0);
	cJSON_Delete(log);

	/* the blocking path keeps the cap too: 6 calls at 20 rps */
	log_mark();
	cmfa_aws_limit(a, "GetUserPoolMfaConfig", 20);
	for (i = 0; i < 6; i++) {
		req_pool(&r, "GetUserPoolMfaConfig");
		CHECK(cmfa_aws_cognito(a, &r.c) == CMFA_OK);
		cmfa_aws_call_release(&r.c);
	}
	log = log_since(6);
	n = times_of(log, "GetUserPoolMfaConfig", t, BATCH_MAX);
	CHECK_INT_EQ(n, 6);
	CHECK_MSG(n == 6 && t[5] - t[0] >= 0.2, "span %.3f s",
	    n == 6 ? t[5] - t[0] : 0.0);
	cJSON_Delete(log);
	/* and 0 removes the cap */
	cmfa_aws_limit(a, "GetUserPoolMfaConfig", 0);
	cmfa_aws_close(a);
}

static void
batch_retry_while_others_proceed(void)
{
	static struct set b;
	const cJSON *e3[4] = { 0 }, *all[64] = { 0 };
	struct seen seen;
	struct cmfa_aws *a;
	char user[32];
	cJSON *log;
	size_t i, n, between = 0;
	double t0, t1;

	NEED_MOCK();
	tmock_write(&g_mock, "faults.json",
	    "[{\"op\": \"AdminGetUser\", \"username\": \"user000003\", "
	    "\"status\": 500, \"times\": 1},"
	    " {\"op\": \"AdminGetUser\", \"delay_ms\": 20}]");
	if ((a = client()) == NULL)
		return;
	set_users(&b, 12);
	memset(&seen, 0, sizeof(seen));
	CHECK(cmfa_aws_cognito_batch(a, b.c, 12, 4, on_done, &seen) == CMFA_OK);
	CHECK_INT_EQ(seen.n, 12);
	for (i = 0; i < 12; i++) {
		snprintf(user, sizeof(user), "user%06zu", i + 1);
		CHECK_INT_EQ(b.c[i].error.kind, CMFA_AWSERR_NONE);
		CHECK_INT_EQ(b.c[i].attempts, i == 2 ? 2 : 1);
		CHECK(response_user_is(&b.c[i], user));
	}
	CHECK_INT_EQ(cmfa_aws_requests(a), 13);
	set_release(&b, 12);
	cmfa_aws_close(a);

	log = log_since(13);
	CHECK(tmock_entries(log, "AdminGetUser", "user000003", e3, 4) == 2);
	n = tmock_entries(log, "AdminGetUser", NULL, all, 64);
	CHECK_INT_EQ(n, 13);
	if (tmock_entries(log, "AdminGetUser", "user000003", e3, 4) == 2) {
		t0 = num(e3[0], "t");
		t1 = num(e3[1], "t");
		for (i = 0; i < n && i < 64; i++) {
			double t = num(all[i], "t");

			between += t > t0 && t < t1;
		}
		/* three other slots kept going during a backoff of at
		 * least 50 ms (each of their requests takes 20 ms) */
		if (t1 - t0 >= 0.05)
			CHECK_MSG(between > 0, "backoff %.3f s, none between",
			    t1 - t0);
	}
	cJSON_Delete(log);
}

static void
batch_done_stops(void)
{
	static struct set b;
	struct seen seen;
	struct cmfa_aws *a;
	size_t i;

	NEED_MOCK();
	if ((a = client()) == NULL)
		return;
	set_users(&b, 10);
	memset(&seen, 0, sizeof(seen));
	seen.stop_at = 3;
	CHECK(cmfa_aws_cognito_batch(a, b.c, 10, 2, on_done, &seen) ==
	    CMFA_ERR_EXISTS);
	CHECK_INT_EQ(seen.n, 3);
	/* three finished, at most one more was in flight */
	CHECK(cmfa_aws_requests(a) >= 3 && cmfa_aws_requests(a) <= 4);
	for (i = 0; i < 3; i++)
		CHECK(seen.order[i] != NULL && seen.order[i]->attempts == 1);
	set_release(&b, 10);

	/* an empty batch, and a call refused before any request */
	CHECK(cmfa_aws_cognito_batch(a, NULL, 0, 4, on_done, &seen) == CMFA_OK);
	memset(&seen, 0, sizeof(seen));
	set_user(&b, 0, "Admin Get User", "user000001");
	set_user(&b, 1, "AdminGetUser", "user000001");
	CHECK(cmfa_aws_cognito_batch(a, b.c, 2, 1, on_done, &seen) == CMFA_OK);
	CHECK_INT_EQ(seen.n, 2);
	CHECK_INT_EQ(b.c[0].attempts, 0);
	CHECK(b.c[0].error.kind != CMFA_AWSERR_NONE);
	CHECK_INT_EQ(b.c[1].error.kind, CMFA_AWSERR_NONE);
	set_release(&b, 2);
	cmfa_aws_close(a);
}

/* ---------------------------------------------------------------------- */
/* Unsigned calls, expired tokens                                         */

static void
unsigned_call(void)
{
	const cJSON *e[4] = { 0 };
	struct cmfa_aws *a;
	struct req r;
	cJSON *log;

	NEED_MOCK();
	set_creds(NULL, NULL, NULL); /* none needed */
	if ((a = client()) == NULL)
		return;
	memset(&r, 0, sizeof(r));
	snprintf(r.body, sizeof(r.body),
	    "{\"AccessToken\": \"mock-token:%s:user000004\"}", POOL);
	r.c.op = "GetUser";
	r.c.body = r.body;
	r.c.body_len = strlen(r.body);
	r.c.unsigned_call = true;
	CHECK(cmfa_aws_cognito(a, &r.c) == CMFA_OK);
	CHECK(response_user_is(&r.c, "user000004"));
	cmfa_aws_call_release(&r.c);
	/* a signed call without credentials fails before any request */
	CHECK(get_user(a, "user000004", &r) != CMFA_OK);
	CHECK_INT_EQ(r.c.error.kind, CMFA_AWSERR_NOCREDS);
	CHECK_INT_EQ(r.c.attempts, 0);
	cmfa_aws_call_release(&r.c);
	CHECK_INT_EQ(cmfa_aws_requests(a), 1);
	cmfa_aws_close(a);

	log = log_since(1);
	CHECK(tmock_entries(log, "GetUser", NULL, e, 4) == 1);
	CHECK(cJSON_IsNull(field(e[0], "signature_ok")));
	CHECK(cJSON_IsNull(field(e[0], "access_key")));
	CHECK(cJSON_IsFalse(field(e[0], "session_token")));
	CHECK_INT_EQ(num(e[0], "status"), 200);
	cJSON_Delete(log);
}

static void
expired_token_refetched_once(void)
{
	struct cmfa_aws *a;
	struct req r;
	cJSON *log;

	NEED_MOCK();
	set_creds(AK3, SK3, TOK3); /* the mock says these expired */
	if ((a = client()) == NULL)
		return;
	CHECK(get_user(a, "user000001", &r) == CMFA_ERR_IO);
	CHECK_STR_EQ(r.c.error.type, "ExpiredTokenException");
	/* the first answer forced a refetch and one more try; the
	 * environment gives the same credentials, so it failed again */
	CHECK_INT_EQ(r.c.attempts, 2);
	CHECK(!r.c.error.max_retries);
	cmfa_aws_call_release(&r.c);
	CHECK_INT_EQ(cmfa_aws_requests(a), 2);
	cmfa_aws_close(a);
	log = log_since(2);
	CHECK_INT_EQ(cJSON_GetArraySize(log), 2);
	cJSON_Delete(log);
}

/* ---------------------------------------------------------------------- */
/* Credentials that expire (the real chain: aws/creds.c, sts.c, process.c) */

static int64_t g_offset; /* seconds the client's clock runs ahead */

static int64_t
offset_clock(void)
{
	return (int64_t)time(NULL) + g_offset;
}

/* The shared files name and set up, in g_mock.dir. */
static void
use_files(const char *config, const char *credentials)
{
	char path[128];

	tmock_write(&g_mock, "config", config);
	tmock_write(&g_mock, "credentials", credentials);
	snprintf(path, sizeof(path), "%s/config", g_mock.dir);
	setenv("AWS_CONFIG_FILE", path, 1);
	snprintf(path, sizeof(path), "%s/credentials", g_mock.dir);
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
}

/*
 * Role credentials from STS (the mock) that live 900 s: refetched when
 * less than min(600 s, 900 / 4 s) is left, so not yet 600 s on (where
 * botocore's own 10-minute window would already refetch) but 700 s on.
 * The client's clock runs ahead; the mock's 15-minute skew allows it.
 */
static void
creds_refreshed_before_expiry(void)
{
	const struct cmfa_aws_credentials *cr;
	const cJSON *e[8] = { 0 };
	struct cmfa_aws_error err;
	char first[CMFA_AWS_KEY_MAX + 1];
	struct cmfa_aws *a;
	struct req r;
	cJSON *log;
	size_t i;

	NEED_MOCK();
	set_creds(NULL, NULL, NULL);
	use_files("[profile r]\n"
	          "role_arn = arn:aws:iam::123456789012:role/mock-role\n"
	          "source_profile = base\n",
	    "[base]\naws_access_key_id = " AK1 "\n"
	    "aws_secret_access_key = " SK1 "\n");
	setenv("AWS_PROFILE", "r", 1);
	setenv("AWS_ENDPOINT_URL_STS", g_mock.url, 1);
	tmock_write(&g_mock, "sts-expiry-seconds", "900");
	g_offset = 0;
	if ((a = client_with(g_mock.url, offset_clock)) == NULL)
		return;
	CHECK(cmfa_aws_creds(a, &cr, &err) == CMFA_OK);
	first[0] = '\0';
	if (cr != NULL) {
		CHECK_STR_EQ(cr->source, "assume-role");
		CHECK(cr->session_token != NULL);
		CHECK(cr->expiration >= offset_clock() + 890 &&
		    cr->expiration <= offset_clock() + 900);
		snprintf(first, sizeof(first), "%s", cr->access_key_id);
	}
	for (i = 0; i < 3; i++) {
		g_offset = i == 0 ? 0 : i == 1 ? 600 : 700;
		CHECK(get_user(a, "user000001", &r) == CMFA_OK);
		CHECK_INT_EQ(r.c.attempts, 1);
		cmfa_aws_call_release(&r.c);
	}
	CHECK(cmfa_aws_creds(a, &cr, &err) == CMFA_OK);
	if (cr != NULL)
		CHECK(strcmp(cr->access_key_id, first) != 0);
	cmfa_aws_close(a);
	g_offset = 0;

	log = log_since(5);
	CHECK_INT_EQ(tmock_entries(log, "AssumeRole", NULL, e, 8), 2);
	CHECK_INT_EQ(tmock_entries(log, "AdminGetUser", NULL, e, 8), 3);
	for (i = 0; i < 3; i++) {
		const char *k = cJSON_GetStringValue(field(e[i], "access_key"));

		CHECK(cJSON_IsTrue(field(e[i], "signature_ok")));
		CHECK(cJSON_IsTrue(field(e[i], "session_token")));
		CHECK(k != NULL &&
		    (i < 2 ? strcmp(k, first) == 0 : strcmp(k, first) != 0));
	}
	cJSON_Delete(log);
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_ENDPOINT_URL_STS");
}

/*
 * credential_process hands out credentials the mock says expired, then
 * good ones: the ExpiredTokenException forces a refetch and the call is
 * tried once more, with the new credentials.
 */
static void
expired_token_new_credentials(void)
{
	const cJSON *e[4] = { 0 };
	char script[1024], cfg[512];
	struct cmfa_aws *a;
	struct req r;
	cJSON *log;

	NEED_MOCK();
	set_creds(NULL, NULL, NULL);
	tmock_write(&g_mock, "proc1.json",
	    "{\"Version\": 1, \"AccessKeyId\": \"" AK3 "\", "
	    "\"SecretAccessKey\": \"" SK3 "\", \"SessionToken\": \"" TOK3
	    "\", \"Expiration\": \"2099-01-01T00:00:00Z\"}");
	tmock_write(&g_mock, "proc2.json",
	    "{\"Version\": 1, \"AccessKeyId\": \"" AK2 "\", "
	    "\"SecretAccessKey\": \"" SK2 "\", \"SessionToken\": \"" TOK2
	    "\", \"Expiration\": \"2099-01-01T00:00:00Z\"}");
	snprintf(script, sizeof(script),
	    "if [ -e %s/proc.n ]; then cat %s/proc2.json; "
	    "else : > %s/proc.n; cat %s/proc1.json; fi\n",
	    g_mock.dir, g_mock.dir, g_mock.dir, g_mock.dir);
	tmock_write(&g_mock, "proc.sh", script);
	snprintf(cfg, sizeof(cfg),
	    "[default]\ncredential_process = /bin/sh %s/proc.sh\n", g_mock.dir);
	use_files(cfg, "");
	if ((a = client()) == NULL)
		return;
	CHECK(get_user(a, "user000001", &r) == CMFA_OK);
	CHECK_INT_EQ(r.c.attempts, 2);
	CHECK(response_user_is(&r.c, "user000001"));
	cmfa_aws_call_release(&r.c);
	CHECK_INT_EQ(cmfa_aws_requests(a), 2);
	cmfa_aws_close(a);
	log = log_since(2);
	CHECK(tmock_entries(log, "AdminGetUser", NULL, e, 4) == 2);
	CHECK_STR_EQ(cJSON_GetStringValue(field(e[0], "access_key")), AK3);
	CHECK_INT_EQ(num(e[0], "status"), 400);
	CHECK_STR_EQ(cJSON_GetStringValue(field(e[1], "access_key")), AK2);
	CHECK_INT_EQ(num(e[1], "status"), 200);
	cJSON_Delete(log);
}

/* ---------------------------------------------------------------------- */
/* A one-shot capture server: what exactly did the client send?           */

/* botocore's signature of the request (tests/data/sigv4_botocore.py). */
static cJSON *
botocore_sign(const char *url, const char *op, const char *body, const char *ak,
    const char *sk, const char *tok)
{
	cJSON *req = cJSON_CreateObject();

	cJSON_AddNumberToObject(req, "time", (double)FIXED_TIME);
	cJSON_AddStringToObject(req, "region", "us-east-1");
	cJSON_AddStringToObject(req, "url", url);
	cJSON_AddStringToObject(req, "op", op);
	cJSON_AddStringToObject(req, "body", body);
	cJSON_AddStringToObject(req, "access_key", ak);
	cJSON_AddStringToObject(req, "secret_key", sk);
	if (tok != NULL)
		cJSON_AddStringToObject(req, "token", tok);
	return tsigner_run(req);
}

#define OK_RESPONSE                                                            \
	"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"      \
	"Content-Length: 2\r\nConnection: close\r\n\r\n{}"

static void
sign_like_botocore(const char *tok)
{
	struct tcapture cap;
	struct cmfa_aws *a;
	char *sent, *auth, *date, *host, *token, url[80];
	cJSON *bc;
	struct req r;

	set_creds(AK2, SK2, tok);
	if (!tcapture_start(&cap, g_mock.dir, OK_RESPONSE, 1)) {
		CHECK_MSG(false, "no capture server");
		return;
	}
	a = client_with(cap.url, fixed_clock);
	req_user(&r, "AdminSetUserMFAPreference", "élodie+1@example.com");
	if (a != NULL) {
		CHECK(cmfa_aws_cognito(a, &r.c) == CMFA_OK);
		CHECK_STR_EQ(cmfa_buf_str(&r.c.response), "{}");
		cmfa_aws_call_release(&r.c);
	}
	cmfa_aws_close(a);
	tcapture_wait(&cap);
	sent = cmfa_fixture_read(cap.path, NULL);
	CHECK(sent != NULL);
	if (sent == NULL)
		return;
	CHECK(strncmp(sent, "POST / HTTP/1.1\r\n", 17) == 0);
	auth = tcapture_header(sent, "Authorization");
	date = tcapture_header(sent, "X-Amz-Date");
	host = tcapture_header(sent, "Host");
	token = tcapture_header(sent, "X-Amz-Security-Token");
	CHECK_STR_EQ(host, cap.url + 7);
	CHECK_STR_EQ(date, "20231114T221320Z");
	if (tok != NULL)
		CHECK_STR_EQ(token, tok);
	else
		CHECK(token == NULL);
	/* botocore signs the request URL, with its '/' */
	snprintf(url, sizeof(url), "%s/", cap.url);
	bc = botocore_sign(url, "AdminSetUserMFAPreference", r.body, AK2, SK2,
	    tok);
	CHECK(bc != NULL);
	CHECK_STR_EQ(auth, cJSON_GetStringValue(field(bc, "authorization")));
	CHECK_STR_EQ(date, cJSON_GetStringValue(field(bc, "x_amz_date")));
	CHECK(strstr(auth != NULL ? auth : "",
	          tok != NULL ? "SignedHeaders=content-type;host;x-amz-date;"
	                        "x-amz-security-token;x-amz-target,"
	                      : "SignedHeaders=content-type;host;x-amz-date;"
	                        "x-amz-target,") != NULL);
	if (t_failed_checks > 0 && bc != NULL)
		fprintf(stderr, "  botocore's canonical request:\n%s\n",
		    cJSON_GetStringValue(field(bc, "canonical_request")));
	cJSON_Delete(bc);
	free(auth);
	free(date);
	free(host);
	free(token);
	free(sent);
}

static void
signature_matches_botocore(void)
{
	NEED_MOCK(); /* python with botocore */
	sign_like_botocore(NULL);
}

static void
signature_matches_botocore_token(void)
{
	NEED_MOCK();
	sign_like_botocore(TOK2);
}

static void
invalid_json_answer(void)
{
	struct tcapture cap;
	struct cmfa_aws *a;
	char want[128];
	struct req r;

	NEED_MOCK();
	if (!tcapture_start(&cap, g_mock.dir,
	        "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n"
	        "Connection: close\r\n\r\nnot json",
	        1)) {
		CHECK_MSG(false, "no capture server");
		return;
	}
	if ((a = client_with(cap.url, NULL)) != NULL) {
		CHECK(get_user(a, "user000001", &r) == CMFA_ERR_IO);
		CHECK_INT_EQ(r.c.error.kind, CMFA_AWSERR_TRANSPORT);
		snprintf(want, sizeof(want),
		    "Invalid JSON in the response from %s/", cap.url);
		CHECK_STR_EQ(r.c.error.message, want);
		CHECK_INT_EQ(r.c.attempts, 1);
		CHECK_INT_EQ(r.c.response.len, 0);
		cmfa_aws_call_release(&r.c);
	}
	cmfa_aws_close(a);
	tcapture_wait(&cap);

	/* an empty 2xx body is botocore's {} */
	if (!tcapture_start(&cap, g_mock.dir,
	        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
	        "Connection: close\r\n\r\n",
	        1)) {
		CHECK_MSG(false, "no capture server");
		return;
	}
	if ((a = client_with(cap.url, NULL)) != NULL) {
		CHECK(get_user(a, "user000001", &r) == CMFA_OK);
		CHECK_STR_EQ(cmfa_buf_str(&r.c.response), "{}");
		cmfa_aws_call_release(&r.c);
	}
	cmfa_aws_close(a);
	tcapture_wait(&cap);
}

/* x-amz-retry-after (ms) replaces the random backoff (up to it + 5 s). */
static void
retry_after_honoured(void)
{
	struct tcapture cap;
	struct cmfa_aws *a;
	struct req r;
	double t0, dt;

	NEED_MOCK();
	setenv("AWS_MAX_ATTEMPTS", "2", 1);
	if (!tcapture_start(&cap, g_mock.dir,
	        "HTTP/1.1 400 Bad Request\r\n"
	        "Content-Type: application/x-amz-json-1.1\r\n"
	        "x-amz-retry-after: 1500\r\nContent-Length: 52\r\n"
	        "Connection: close\r\n\r\n"
	        "{\"__type\": \"ThrottlingException\", \"message\": \"slow\"}",
	        2)) {
		CHECK_MSG(false, "no capture server");
		return;
	}
	if ((a = client_with(cap.url, NULL)) != NULL) {
		t0 = cmfa_fixture_now();
		CHECK(get_user(a, "user000001", &r) == CMFA_ERR_IO);
		dt = cmfa_fixture_now() - t0;
		CHECK_STR_EQ(r.c.error.type, "ThrottlingException");
		CHECK_STR_EQ(r.c.error.message, "slow");
		CHECK_INT_EQ(r.c.attempts, 2);
		CHECK(r.c.error.max_retries);
		/* without the header the wait would be under 1 s */
		CHECK_MSG(dt >= 1.45 && dt < 6.5, "waited %.3f s", dt);
		cmfa_aws_call_release(&r.c);
	}
	cmfa_aws_close(a);
	tcapture_wait(&cap);
	unsetenv("AWS_MAX_ATTEMPTS");
}

/* ---------------------------------------------------------------------- */

static int
run_all(void)
{
	RUN(parse_error_table);
	RUN(parse_error_caps);
	RUN(open_endpoints);
	RUN(signed_call_accepted);
	RUN(signed_call_with_token);
	RUN(wrong_secret_not_retried);
	RUN(user_not_found_not_retried);
	RUN(retry_500_then_success);
	RUN(throttling_exhausts_attempts);
	RUN(truncated_and_closed_retried);
	RUN(connection_refused);
	RUN(read_timeout_retried);
	RUN(tls_failure);
	RUN(retry_quota_exhaustion);
	RUN(rate_limit_batch);
	RUN(batch_retry_while_others_proceed);
	RUN(batch_done_stops);
	RUN(unsigned_call);
	RUN(expired_token_refetched_once);
	RUN(creds_refreshed_before_expiry);
	RUN(expired_token_new_credentials);
	RUN(signature_matches_botocore);
	RUN(signature_matches_botocore_token);
	RUN(invalid_json_answer);
	RUN(retry_after_honoured);
	return t_tests_failed > 0 ? 1 : 0;
}

/* The tests run in a child; this process stops the mock and removes the
 * temporary directory after it however it ended (a crash, a sanitizer
 * report, SIGINT / SIGTERM / SIGHUP here). */
TEST_MAIN_BEGIN("test_aws_client")
	if (!mock_start())
		mock_stop(); /* the tests that need it say SKIP */
	return cmfa_fixture_guard(t_prog, run_all, mock_stop);
TEST_MAIN_END
