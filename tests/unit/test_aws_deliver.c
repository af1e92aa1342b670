/*
 * test_aws_deliver.c: SMS through SNS (aws/sns.c) and email through SES
 * v2 (aws/ses.c), with the shared request path (aws/request.c) and the
 * rest-json error reader (aws/error.c).
 *
 * Against the loopback mock (tests/data/aws_mock.py, which checks every
 * SigV4 signature with botocore's own signer and records what it
 * delivered in sns.jsonl / ses.jsonl): Publish through an assumed role
 * (the role's credentials sign it), a wrong ExternalId, the host's own
 * credentials, service errors, throttling and 5xx retried, transport
 * failures; SendEmail, MessageRejected, 5xx and 429 retried.  Against a
 * one-shot capture server: the Publish and SendEmail requests we send
 * (Authorization, X-Amz-Date, body) equal what botocore's own serializer
 * and signer make for the same call and time
 * (tests/data/sigv4_botocore.py).  And no message text (it holds the
 * code) in the mock's log or in any error.
 *
 * Run from the top of the tree.  The mock runs with an empty environment;
 * main() forks, the tests run in the child, and the parent stops the mock
 * and removes the temporary directory however the child ended.  Without
 * /usr/bin/python3 or the mock the tests that need them say SKIP.  Retry
 * backoffs are real (under a second or two each).
 */
#include <time.h>

#include <cjson/cJSON.h>

#include "cmfa_aws.h"
#include "cmfa_fixture.h"
#include "cmfa_test.h"

#define AK1 "AKIDDELIVERHOST00001"
#define SK1 "host/long/term+secret/key/for/the/mock/1"
#define AK2 "ASIADELIVERSESSION02"
#define SK2 "session/secret/key/for/the/mock/0000002"
#define TOK2 "FwoGZXIvYXdzEBYaDdelivertoken+/=0002"

#define ROLE "arn:aws:iam::123456789012:role/cognito-sns-caller"
#define EXT_ID "pool-external-id-42"
#define SNS_REGION "eu-west-2"
#define PHONE "+15555550123"

#define FIXED_TIME INT64_C(1700000000) /* 2023-11-14T22:13:20Z */

static struct tmock g_mock = { .pid = -1 };

/* Line counts of the mock's files before the current test. */
static size_t g_mark_log, g_mark_sns, g_mark_ses;

/* Every message text sent to the mock, for the final leak check. */
static const char *const g_secrets[] = {
	"code is 482719",
	"code is 593028",
	"code is 610447",
	"code is 738265",
	"code is 804113",
	"code is 915372",
	"code is 126604",
	"code is 237851",
	"code is 348906",
};

/* ---------------------------------------------------------------------- */
/* Files and processes                                                    */

static bool
mock_start(void)
{
	return tmock_mkdtemp(&g_mock, "/tmp/cmfa-awsdeliver-XXXXXX") &&
	    tmock_write(&g_mock, "creds.json",
	        "[{\"AccessKeyId\": \"" AK1 "\", \"SecretAccessKey\": \"" SK1
	        "\"}, {\"AccessKeyId\": \"" AK2
	        "\", \"SecretAccessKey\": \"" SK2
	        "\", \"SessionToken\": \"" TOK2 "\"}]") &&
	    tmock_write(&g_mock, "roles.json",
	        "{\"" ROLE "\": {\"ExternalId\": \"" EXT_ID "\"}}") &&
	    tmock_start(&g_mock);
}

static void
mock_stop(void)
{
	tmock_stop(&g_mock);
}

/* ---------------------------------------------------------------------- */
/* The mock's .jsonl files                                                */

static void
marks_take(void)
{
	g_mark_log = tmock_count_lines(&g_mock, "log.jsonl");
	g_mark_sns = tmock_count_lines(&g_mock, "sns.jsonl");
	g_mark_ses = tmock_count_lines(&g_mock, "ses.jsonl");
}

/* The new lines of name once there are at least `want`: waits up to 5 s. */
static cJSON *
new_lines(const char *name, size_t want)
{
	size_t mark = strcmp(name, "log.jsonl") == 0 ? g_mark_log
	    : strcmp(name, "sns.jsonl") == 0         ? g_mark_sns
	                                             : g_mark_ses;

	return tmock_lines(&g_mock, name, mark, NULL, want);
}

static const cJSON *
field(const cJSON *o, const char *name)
{
	return o != NULL ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;
}

static const char *
str(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(field(o, name));
}

static double
num(const cJSON *o, const char *name)
{
	const cJSON *v = field(o, name);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static bool
is_true(const cJSON *o, const char *name)
{
	return cJSON_IsTrue(field(o, name));
}

static bool
file_contains(const char *name, const char *needle)
{
	char *s = tmock_read(&g_mock, name, NULL);
	bool found = s != NULL && strstr(s, needle) != NULL;

	free(s);
	return found;
}

/* ---------------------------------------------------------------------- */
/* Clients                                                                */

static int64_t
fixed_clock(void)
{
	return FIXED_TIME;
}

static struct cmfa_aws *
client_with(int64_t (*clock)(void))
{
	struct cmfa_aws_error err;
	struct cmfa_aws *a = NULL;
	enum cmfa_err e = tmock_client(NULL, clock, 10000, &a, &err);

	CHECK_MSG(e == CMFA_OK, "open: %s (%s)", cmfa_strerror(e), err.message);
	return a;
}

static struct cmfa_aws *
client(void)
{
	return client_with(NULL);
}

/* A client making `attempts` attempts a call, and in url a loopback URL
 * nothing listens on. */
static struct cmfa_aws *
client_unreachable(char *url, size_t urlsz, const char *attempts)
{
	if (!cmfa_fixture_closed_url(url, urlsz)) {
		CHECK_MSG(false, "no free port");
		return NULL;
	}
	setenv("AWS_MAX_ATTEMPTS", attempts, 1);
	return client();
}

/* A client, the mock answering by the fault rules `faults` (JSON). */
static struct cmfa_aws *
client_faults(const char *faults)
{
	tmock_write(&g_mock, "faults.json", faults);
	return client();
}

#define NEED_MOCK()                                                            \
	do {                                                                   \
		if (g_mock.pid < 0)                                            \
			SKIP("%s or %s missing", CMFA_FIXTURE_PY,              \
			    CMFA_FIXTURE_MOCK);                                \
		tmock_write(&g_mock, "faults.json", "[]");                     \
		marks_take();                                                  \
		tmock_env(&g_mock, AK1, SK1);                                  \
	} while (0)

/* An SMS through the mock, via the role unless role is NULL. */
static void
sms_init(struct cmfa_sns_sms *m, const char *message, const char *role,
    const char *external_id)
{
	memset(m, 0, sizeof(*m));
	m->phone = PHONE;
	m->message = message;
	m->region = SNS_REGION;
	m->role_arn = role;
	m->external_id = external_id;
	m->sns_endpoint_url = g_mock.url;
	m->sts_endpoint_url = g_mock.url;
}

static void
email_init(struct cmfa_ses_email *m, const char *body)
{
	memset(m, 0, sizeof(*m));
	m->from = "no-reply@example.com";
	m->to = "alice@example.org";
	m->subject = "Your sign-in code \xe2\x9c\x93"; /* a check mark */
	m->body = body;
	m->region = "eu-west-1";
	m->ses_endpoint_url = g_mock.url;
}

/* ---------------------------------------------------------------------- */
/* SNS                                                                    */

static void
sns_via_assumed_role(void)
{
	struct cmfa_sns_sms m;
	struct cmfa_aws_error err;
	struct cmfa_aws *a;
	const cJSON *ar[4], *pub[4], *sms, *body, *attrs;
	cJSON *log, *sent;
	char id[64];
	const char *session;
	long long t0 = (long long)time(NULL), ts;

	NEED_MOCK();
	if ((a = client()) == NULL)
		return;
	sms_init(&m, "Your cognito-mfa code is 482719", ROLE, EXT_ID);
	CHECK_INT_EQ(cmfa_aws_sns_publish(a, &m, id, sizeof(id), &err),
	    CMFA_OK);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_NONE);
	cmfa_aws_close(a);

	sent = new_lines("sns.jsonl", 1);
	CHECK_INT_EQ(cJSON_GetArraySize(sent), 1);
	sms = cJSON_GetArrayItem(sent, 0);
	CHECK_STR_EQ(str(sms, "PhoneNumber"), PHONE);
	CHECK_STR_EQ(str(sms, "Message"), m.message);
	CHECK_STR_EQ(str(sms, "MessageId"), id);
	CHECK_INT_EQ(strlen(id), 36);
	attrs = field(sms, "MessageAttributes");
	CHECK_STR_EQ(str(attrs, "AWS.SNS.SMS.SMSType"), "Transactional");
	CHECK_INT_EQ(cJSON_GetArraySize(attrs), 1);
	/* signed with the role's credentials, not the host's */
	CHECK_STR_EQ(str(sms, "role"), ROLE);
	CHECK(str(sms, "access_key") != NULL &&
	    strncmp(str(sms, "access_key"), "ASIA", 4) == 0);

	log = new_lines("log.jsonl", 2);
	CHECK_INT_EQ(tmock_entries(log, "AssumeRole", NULL, ar, 4), 1);
	CHECK_INT_EQ(tmock_entries(log, "Publish", NULL, pub, 4), 1);
	if (t_failed_checks == 0) {
		CHECK_STR_EQ(str(ar[0], "access_key"), AK1);
		CHECK(is_true(ar[0], "signature_ok"));
		CHECK_STR_EQ(str(ar[0], "region"), SNS_REGION);
		body = field(ar[0], "body");
		CHECK_STR_EQ(str(body, "RoleArn"), ROLE);
		CHECK_STR_EQ(str(body, "ExternalId"), EXT_ID);
		CHECK_STR_EQ(str(body, "DurationSeconds"), "900");
		session = str(body, "RoleSessionName");
		CHECK(session != NULL &&
		    strncmp(session, "cognito-mfa-", 12) == 0);
		ts = session != NULL ? strtoll(session + 12, NULL, 10) : 0;
		CHECK(ts >= t0 && ts <= (long long)time(NULL));

		CHECK_STR_EQ(str(pub[0], "access_key"), str(sms, "access_key"));
		CHECK(is_true(pub[0], "signature_ok"));
		CHECK(is_true(pub[0], "session_token"));
		CHECK_STR_EQ(str(pub[0], "region"), SNS_REGION);
		CHECK_INT_EQ(num(pub[0], "status"), 200);
		body = field(pub[0], "body");
		CHECK_STR_EQ(str(body, "Version"), "2010-03-31");
		CHECK_STR_EQ(str(body, "PhoneNumber"), PHONE);
		CHECK_STR_EQ(str(body, "Message"), "(secret)");
		CHECK_STR_EQ(str(body, "MessageAttributes.entry.1.Name"),
		    "AWS.SNS.SMS.SMSType");
		CHECK_STR_EQ(str(body,
		                 "MessageAttributes.entry.1.Value.DataType"),
		    "String");
		CHECK_STR_EQ(str(body,
		                 "MessageAttributes.entry.1.Value.StringValue"),
		    "Transactional");
	}
	CHECK(!file_contains("log.jsonl", "code is 482719"));
	cJSON_Delete(sent);
	cJSON_Delete(log);
}

static void
sns_wrong_external_id(void)
{
	struct cmfa_sns_sms m;
	struct cmfa_aws_error err;
	struct cmfa_aws *a;
	const cJSON *e[4];
	cJSON *log;
	char id[64] = "untouched";

	NEED_MOCK();
	if ((a = client()) == NULL)
		return;
	sms_init(&m, "Your cognito-mfa code is 593028", ROLE, "not-the-id");
	CHECK_INT_EQ(cmfa_aws_sns_publish(a, &m, id, sizeof(id), &err),
	    CMFA_ERR_IO);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_CONFIG);
	CHECK_STR_EQ(err.type, "AccessDenied");
	CHECK_INT_EQ(err.status, 403);
	CHECK_STR_EQ(err.message,
	    "An error occurred (AccessDenied) when calling the AssumeRole "
	    "operation: User: arn:aws:iam::123456789012:user/mock is not "
	    "authorized to perform: sts:AssumeRole on resource: " ROLE);
	CHECK_STR_EQ(id, "untouched");
	CHECK(strstr(err.message, "593028") == NULL);

	/* no ExternalId at all: refused the same way */
	sms_init(&m, "Your cognito-mfa code is 593028", ROLE, NULL);
	CHECK_INT_EQ(cmfa_aws_sns_publish(a, &m, id, sizeof(id), &err),
	    CMFA_ERR_IO);
	CHECK_STR_EQ(err.type, "AccessDenied");
	cmfa_aws_close(a);

	log = new_lines("log.jsonl", 2);
	CHECK_INT_EQ(tmock_entries(log, "AssumeRole", NULL, e, 4), 2);
	CHECK_INT_EQ(tmock_entries(log, "Publish", NULL, e, 4), 0);
	CHECK_INT_EQ(tmock_count_lines(&g_mock, "sns.jsonl"), g_mark_sns);
	cJSON_Delete(log);
}

static void
sns_host_credentials(void)
{
	struct cmfa_sns_sms m;
	struct cmfa_aws_error err;
	struct cmfa_aws *a;
	const cJSON *e[4], *sms;
	cJSON *log, *sent;
	char id[8];

	NEED_MOCK();
	if ((a = client()) == NULL)
		return;
	/* sms_assume_role = no; the client's region; an id too long for
	 * id[] is "" (the message went out) */
	sms_init(&m, "Your cognito-mfa code is 610447", NULL, NULL);
	m.region = NULL;
	CHECK_INT_EQ(cmfa_aws_sns_publish(a, &m, id, sizeof(id), &err),
	    CMFA_OK);
	CHECK_STR_EQ(id, "");
	cmfa_aws_close(a);

	sent = new_lines("sns.jsonl", 1);
	sms = cJSON_GetArrayItem(sent, 0);
	CHECK_STR_EQ(str(sms, "access_key"), AK1);
	CHECK(cJSON_IsNull(field(sms, "role")));
	CHECK_STR_EQ(str(sms, "Message"), m.message);
	log = new_lines("log.jsonl", 1);
	CHECK_INT_EQ(tmock_entries(log, "AssumeRole", NULL, e, 4), 0);
	CHECK_INT_EQ(tmock_entries(log, "Publish", NULL, e, 4), 1);
	CHECK_STR_EQ(str(e[0], "region"), "us-east-1");
	CHECK(!is_true(e[0], "session_token"));
	cJSON_Delete(sent);
	cJSON_Delete(log);
}

static void
sns_service_error(void)
{
	static const char faults[] =
	    "[{\"op\": \"Publish\", \"status\": 400, \"type\": "
	    "\"InvalidParameter\", \"message\": \"Invalid parameter: "
	    "PhoneNumber Reason: " PHONE " is not valid to publish to\"}]";
	struct cmfa_sns_sms m;
	struct cmfa_aws_error err;
	struct cmfa_aws *a;

	NEED_MOCK();
	if ((a = client_faults(faults)) == NULL)
		return;
	sms_init(&m, "Your cognito-mfa code is 738265", ROLE, EXT_ID);
	CHECK_INT_EQ(cmfa_aws_sns_publish(a, &m, NULL, 0, &err), CMFA_ERR_IO);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_SERVICE);
	CHECK_INT_EQ(err.status, 400);
	CHECK_STR_EQ(err.type, "InvalidParameter");
	CHECK_STR_EQ(err.message,
	    "Invalid parameter: PhoneNumber Reason: " PHONE
	    " is not valid to publish to");
	CHECK_INT_EQ(err.attempts, 1); /* not retried */
	CHECK(!err.max_retries);
	CHECK(strstr(err.message, "738265") == NULL);
	cmfa_aws_close(a);
	CHECK_INT_EQ(tmock_count_lines(&g_mock, "sns.jsonl"), g_mark_sns);
}

static void
sns_throttling_retried(void)
{
	static const char faults[] =
	    "[{\"op\": \"Publish\", \"status\": 400, \"type\": \"Throttling\", "
	    "\"message\": \"Rate exceeded\", \"times\": 1}]";
	struct cmfa_sns_sms m;
	struct cmfa_aws_error err;
	struct cmfa_aws *a;
	const cJSON *e[4];
	cJSON *log;

	NEED_MOCK();
	if ((a = client_faults(faults)) == NULL)
		return;
	sms_init(&m, "Your cognito-mfa code is 804113", ROLE, EXT_ID);
	CHECK_INT_EQ(cmfa_aws_sns_publish(a, &m, NULL, 0, &err), CMFA_OK);
	cmfa_aws_close(a);
	log = new_lines("log.jsonl", 3);
	CHECK_INT_EQ(tmock_entries(log, "AssumeRole", NULL, e, 4), 1);
	CHECK_INT_EQ(tmock_entries(log, "Publish", NULL, e, 4), 2);
	CHECK_INT_EQ(num(e[0], "status"), 400);
	CHECK_INT_EQ(num(e[1], "status"), 200);
	/* both attempts signed with the one assumed role */
	CHECK_STR_EQ(str(e[0], "access_key"), str(e[1], "access_key"));
	CHECK_STR_EQ(str(e[1], "role"), ROLE);
	CHECK_INT_EQ(tmock_count_lines(&g_mock, "sns.jsonl"), g_mark_sns + 1);
	cJSON_Delete(log);
}

static void
sns_transport_failure(void)
{
	struct cmfa_sns_sms m;
	struct cmfa_aws_error err;
	struct cmfa_aws *a;
	char url[64], want[160];

	NEED_MOCK();
	if ((a = client_unreachable(url, sizeof(url), "2")) == NULL)
		return;
	/* SNS unreachable: retried, then botocore's words */
	sms_init(&m, "Your cognito-mfa code is 915372", NULL, NULL);
	m.sns_endpoint_url = url;
	CHECK_INT_EQ(cmfa_aws_sns_publish(a, &m, NULL, 0, &err), CMFA_ERR_IO);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_TRANSPORT);
	snprintf(want, sizeof(want),
	    "Could not connect to the endpoint URL: \"%s/\"", url);
	CHECK_STR_EQ(err.message, want);
	CHECK_INT_EQ(err.attempts, 2);
	CHECK(err.max_retries);

	/* STS unreachable: the same words, for STS's URL; no Publish */
	sms_init(&m, "Your cognito-mfa code is 915372", ROLE, EXT_ID);
	m.sts_endpoint_url = url;
	CHECK_INT_EQ(cmfa_aws_sns_publish(a, &m, NULL, 0, &err), CMFA_ERR_IO);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_TRANSPORT);
	CHECK_STR_EQ(err.message, want);
	cmfa_aws_close(a);
	CHECK_INT_EQ(tmock_count_lines(&g_mock, "log.jsonl"), g_mark_log);
	unsetenv("AWS_MAX_ATTEMPTS");
}

/* Refused before anything is sent. */
static void
sns_refused_locally(void)
{
	struct cmfa_sns_sms m;
	struct cmfa_aws_error err;
	struct cmfa_aws *a;
	static const char *const phones[] = { "15555550123", "+0555", "+1",
		"+1234567890123456", "+1555 555", "" };
	size_t i;

	NEED_MOCK();
	if ((a = client()) == NULL)
		return;
	for (i = 0; i < CMFA_ARRAY_LEN(phones); i++) {
		sms_init(&m, "Your cognito-mfa code is 126604", NULL, NULL);
		m.phone = phones[i];
		CHECK_INT_EQ(cmfa_aws_sns_publish(a, &m, NULL, 0, &err),
		    CMFA_ERR_INVAL);
		CHECK_INT_EQ(err.kind, CMFA_AWSERR_CONFIG);
	}
	sms_init(&m, "", NULL, NULL);
	CHECK_INT_EQ(cmfa_aws_sns_publish(a, &m, NULL, 0, &err),
	    CMFA_ERR_INVAL);
	sms_init(&m, "bad \xff utf-8", NULL, NULL);
	CHECK_INT_EQ(cmfa_aws_sns_publish(a, &m, NULL, 0, &err),
	    CMFA_ERR_INVAL);
	/* an empty role never falls back to the host's credentials */
	sms_init(&m, "Your cognito-mfa code is 126604", "", NULL);
	CHECK_INT_EQ(cmfa_aws_sns_publish(a, &m, NULL, 0, &err),
	    CMFA_ERR_INVAL);
	sms_init(&m, "Your cognito-mfa code is 126604", NULL, NULL);
	m.region = "eu west";
	CHECK_INT_EQ(cmfa_aws_sns_publish(a, &m, NULL, 0, &err),
	    CMFA_ERR_INVAL);
	CHECK_STR_EQ(err.message,
	    "Provided region_name 'eu west' doesn't match a supported "
	    "format.");
	sms_init(&m, "Your cognito-mfa code is 126604", NULL, NULL);
	m.sns_endpoint_url = "ftp://127.0.0.1/";
	CHECK_INT_EQ(cmfa_aws_sns_publish(a, &m, NULL, 0, &err),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_TRANSPORT);
	CHECK_STR_EQ(err.message, "Invalid endpoint: ftp://127.0.0.1/");
	cmfa_aws_close(a);
	CHECK_INT_EQ(tmock_count_lines(&g_mock, "log.jsonl"), g_mark_log);
}

/* ---------------------------------------------------------------------- */
/* SES                                                                    */

/* Temporary credentials: the token header is signed too. */
static void
set_session_env(void)
{
	setenv("AWS_ACCESS_KEY_ID", AK2, 1);
	setenv("AWS_SECRET_ACCESS_KEY", SK2, 1);
	setenv("AWS_SESSION_TOKEN", TOK2, 1);
}

static void
ses_send(void)
{
	struct cmfa_ses_email m;
	struct cmfa_aws_error err;
	struct cmfa_aws *a;
	const cJSON *e[4], *mail, *to, *body;
	cJSON *log, *sent;
	char id[128];

	NEED_MOCK();
	set_session_env();
	if ((a = client()) == NULL)
		return;
	email_init(&m,
	    "Your cognito-mfa code is 237851\n"
	    "It is valid for 3 minutes. \"Quoted\" \\ tab\t.");
	CHECK_INT_EQ(cmfa_aws_ses_send(a, &m, id, sizeof(id), &err), CMFA_OK);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_NONE);
	cmfa_aws_close(a);

	sent = new_lines("ses.jsonl", 1);
	CHECK_INT_EQ(cJSON_GetArraySize(sent), 1);
	mail = cJSON_GetArrayItem(sent, 0);
	CHECK_STR_EQ(str(mail, "From"), m.from);
	to = field(mail, "To");
	CHECK_INT_EQ(cJSON_GetArraySize(to), 1);
	CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetArrayItem(to, 0)), m.to);
	CHECK_STR_EQ(str(mail, "Subject"), m.subject);
	CHECK_STR_EQ(str(mail, "Body"), m.body);
	CHECK_STR_EQ(str(mail, "MessageId"), id);
	CHECK(id[0] != '\0');
	CHECK_STR_EQ(str(mail, "access_key"), AK2);

	log = new_lines("log.jsonl", 1);
	CHECK_INT_EQ(tmock_entries(log, "SendEmail", NULL, e, 4), 1);
	if (t_failed_checks == 0) {
		CHECK_STR_EQ(str(e[0], "kind"), "ses");
		CHECK(is_true(e[0], "signature_ok"));
		CHECK(is_true(e[0], "session_token"));
		CHECK_STR_EQ(str(e[0], "region"), "eu-west-1");
		CHECK_INT_EQ(num(e[0], "status"), 200);
		body = field(field(field(e[0], "body"), "Content"), "Simple");
		CHECK_STR_EQ(str(body, "Body"), "(secret)");
		CHECK_STR_EQ(str(field(body, "Subject"), "Charset"), "UTF-8");
	}
	CHECK(!file_contains("log.jsonl", "code is 237851"));
	cJSON_Delete(sent);
	cJSON_Delete(log);
}

static void
ses_rejected(void)
{
	static const char faults[] =
	    "[{\"op\": \"SendEmail\", \"kind\": \"ses\", \"status\": 400, "
	    "\"type\": \"MessageRejected\", \"message\": \"Email address is "
	    "not verified. The following identities failed the check in "
	    "region EU-WEST-1: no-reply@example.com\"}]";
	struct cmfa_ses_email m;
	struct cmfa_aws_error err;
	struct cmfa_aws *a;
	char id[64] = "untouched";

	NEED_MOCK();
	if ((a = client_faults(faults)) == NULL)
		return;
	email_init(&m, "Your cognito-mfa code is 348906");
	CHECK_INT_EQ(cmfa_aws_ses_send(a, &m, id, sizeof(id), &err),
	    CMFA_ERR_IO);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_SERVICE);
	CHECK_INT_EQ(err.status, 400);
	/* from x-amzn-ErrorType, cut at ':' */
	CHECK_STR_EQ(err.type, "MessageRejected");
	CHECK_STR_EQ(err.message,
	    "Email address is not verified. The following identities failed "
	    "the check in region EU-WEST-1: no-reply@example.com");
	CHECK_INT_EQ(err.attempts, 1);
	CHECK_STR_EQ(id, "untouched");
	CHECK(strstr(err.message, "348906") == NULL);
	cmfa_aws_close(a);
	CHECK_INT_EQ(tmock_count_lines(&g_mock, "ses.jsonl"), g_mark_ses);
}

static void
ses_retried(void)
{
	/* a 503 and a 429 TooManyRequestsException, then success */
	static const char faults[] =
	    "[{\"op\": \"SendEmail\", \"status\": 503, \"type\": "
	    "\"ServiceUnavailable\", \"message\": \"later\", \"times\": 1},"
	    " {\"op\": \"SendEmail\", \"status\": 429, \"type\": "
	    "\"TooManyRequestsException\", \"message\": \"Too many "
	    "requests\", \"times\": 1}]";
	static const char faults_500[] =
	    "[{\"op\": \"SendEmail\", \"status\": 500, \"type\": "
	    "\"InternalFailure\", \"message\": \"boom\"}]";
	struct cmfa_ses_email m;
	struct cmfa_aws_error err;
	struct cmfa_aws *a;
	const cJSON *e[4];
	cJSON *log;

	NEED_MOCK();
	if ((a = client_faults(faults)) == NULL)
		return;
	email_init(&m, "Your cognito-mfa code is 348906");
	CHECK_INT_EQ(cmfa_aws_ses_send(a, &m, NULL, 0, &err), CMFA_OK);
	cmfa_aws_close(a);
	log = new_lines("log.jsonl", 3);
	CHECK_INT_EQ(tmock_entries(log, "SendEmail", NULL, e, 4), 3);
	CHECK_INT_EQ(num(e[0], "status"), 503);
	CHECK_INT_EQ(num(e[1], "status"), 429);
	CHECK_INT_EQ(num(e[2], "status"), 200);
	CHECK_INT_EQ(tmock_count_lines(&g_mock, "ses.jsonl"), g_mark_ses + 1);
	cJSON_Delete(log);

	/* a 500 every time: max_attempts tries, then the error */
	marks_take();
	setenv("AWS_MAX_ATTEMPTS", "2", 1);
	if ((a = client_faults(faults_500)) == NULL)
		return;
	CHECK_INT_EQ(cmfa_aws_ses_send(a, &m, NULL, 0, &err), CMFA_ERR_IO);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_SERVICE);
	CHECK_INT_EQ(err.status, 500);
	CHECK_STR_EQ(err.type, "InternalFailure");
	CHECK_STR_EQ(err.message, "boom");
	CHECK_INT_EQ(err.attempts, 2);
	CHECK(err.max_retries);
	cmfa_aws_close(a);
	CHECK_INT_EQ(tmock_count_lines(&g_mock, "ses.jsonl"), g_mark_ses);
	unsetenv("AWS_MAX_ATTEMPTS");
}

static void
ses_transport_and_refusals(void)
{
	struct cmfa_ses_email m;
	struct cmfa_aws_error err;
	struct cmfa_aws *a;
	char url[64], want[160];

	NEED_MOCK();
	if ((a = client_unreachable(url, sizeof(url), "1")) == NULL)
		return;
	email_init(&m, "Your cognito-mfa code is 348906");
	m.ses_endpoint_url = url;
	CHECK_INT_EQ(cmfa_aws_ses_send(a, &m, NULL, 0, &err), CMFA_ERR_IO);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_TRANSPORT);
	snprintf(want, sizeof(want),
	    "Could not connect to the endpoint URL: "
	    "\"%s/v2/email/outbound-emails\"",
	    url);
	CHECK_STR_EQ(err.message, want);

	/* header injection, missing fields, bad UTF-8: nothing sent */
	email_init(&m, "Your cognito-mfa code is 348906");
	m.subject = "Code\r\nBcc: mallory@example.net";
	CHECK_INT_EQ(cmfa_aws_ses_send(a, &m, NULL, 0, &err), CMFA_ERR_INVAL);
	CHECK_INT_EQ(err.kind, CMFA_AWSERR_CONFIG);
	email_init(&m, "Your cognito-mfa code is 348906");
	m.to = "alice@example.org\nbob@example.org";
	CHECK_INT_EQ(cmfa_aws_ses_send(a, &m, NULL, 0, &err), CMFA_ERR_INVAL);
	email_init(&m, "Your cognito-mfa code is 348906");
	m.from = NULL;
	CHECK_INT_EQ(cmfa_aws_ses_send(a, &m, NULL, 0, &err), CMFA_ERR_INVAL);
	email_init(&m, "bad \xc3\x28 utf-8");
	CHECK_INT_EQ(cmfa_aws_ses_send(a, &m, NULL, 0, &err), CMFA_ERR_INVAL);
	CHECK(strstr(err.message, "bad") == NULL);
	email_init(&m, "Your cognito-mfa code is 348906");
	m.region = "-x";
	CHECK_INT_EQ(cmfa_aws_ses_send(a, &m, NULL, 0, &err), CMFA_ERR_INVAL);
	cmfa_aws_close(a);
	CHECK_INT_EQ(tmock_count_lines(&g_mock, "log.jsonl"), g_mark_log);
	unsetenv("AWS_MAX_ATTEMPTS");
}

/* ---------------------------------------------------------------------- */
/* rest-json errors as botocore's RestJSONParser reads them               */

static void
rest_error_table(void)
{
	static const struct {
		long status;
		const char *hdr, *body;
		const char *type, *message;
	} t[] = {
		{ 400, "MessageRejected:http://internal.amazon.com/coral/x/",
		    "{\"message\": \"not verified\"}", "MessageRejected",
		    "not verified" },
		{ 400, "BadRequestException:", "{\"Message\": \"M\"}",
		    "BadRequestException", "M" },
		/* the header wins over __type and code */
		{ 400, "A", "{\"__type\": \"B\", \"code\": \"C\"}", "A", "" },
		/* no header: "code", else "Code", else __type */
		{ 400, NULL, "{\"__type\": \"B\", \"code\": \"C\"}", "C", "" },
		{ 400, "", "{\"Code\": \"D\", \"message\": \"m\"}", "D", "m" },
		{ 404, NULL, "{\"__type\": \"ns#NotFoundException\"}",
		    "NotFoundException", "" },
		{ 429, NULL, "{\"message\": \"slow\"}", "429", "slow" },
		/* a "code" that is not a string changes nothing */
		{ 400, NULL, "{\"code\": 5, \"__type\": \"T\"}", "T", "" },
		/* the header keeps '#' (botocore cuts only at ':') */
		{ 400, "x#Y:z", "{}", "x#Y", "" },
		/* a generic 5xx: the status and its reason, header or not */
		{ 503, "ServiceUnavailable", "", "503", "Service Unavailable" },
		{ 502, "Foo", "<html><body>bad</body></html>", "502",
		    "Bad Gateway" },
		/* not JSON: the body is the message */
		{ 403, "AccessDeniedException", "denied\n",
		    "AccessDeniedException", "denied?" },
		{ 400, "T\x01X", "{}", "T?X", "" },
	};
	struct cmfa_aws_error e;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(t); i++) {
		memset(&e, 0x5a, sizeof(e));
		cmfa_aws_parse_rest_error(t[i].status, t[i].hdr, t[i].body,
		    strlen(t[i].body), &e);
		CHECK_INT_EQ(e.kind, CMFA_AWSERR_SERVICE);
		CHECK_INT_EQ(e.status, t[i].status);
		CHECK_MSG(strcmp(e.type, t[i].type) == 0, "case %zu: [%s]", i,
		    e.type);
		CHECK_MSG(strcmp(e.message, t[i].message) == 0,
		    "case %zu: [%s]", i, e.message);
	}
	cmfa_aws_parse_rest_error(400, "X", NULL, 5, &e);
	CHECK_STR_EQ(e.type, "X");
	CHECK_STR_EQ(e.message, "");
}

/* ---------------------------------------------------------------------- */
/* Our requests against botocore's own, byte for byte                     */

static cJSON *
signer_request(const char *url, const char *service, const char *op,
    const char *region, cJSON *params)
{
	cJSON *req = cJSON_CreateObject();

	cJSON_AddNumberToObject(req, "time", (double)FIXED_TIME);
	cJSON_AddStringToObject(req, "region", region);
	cJSON_AddStringToObject(req, "url", url);
	cJSON_AddStringToObject(req, "service", service);
	cJSON_AddStringToObject(req, "operation", op);
	cJSON_AddItemToObject(req, "params", params);
	cJSON_AddStringToObject(req, "access_key", AK2);
	cJSON_AddStringToObject(req, "secret_key", SK2);
	cJSON_AddStringToObject(req, "token", TOK2);
	return req;
}

/* A capture server answering 200 with body (of content type ctype). */
static bool
capture_200(struct tcapture *cap, const char *ctype, const char *body)
{
	char resp[512];

	snprintf(resp, sizeof(resp),
	    "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
	    ctype, strlen(body), body);
	if (!tcapture_start(cap, g_mock.dir, resp, 1)) {
		CHECK_MSG(false, "no capture server");
		return false;
	}
	return true;
}

/* The request the capture server got (NULL: none, a failed check). */
static char *
captured(struct tcapture *cap)
{
	char *sent;

	tcapture_wait(cap);
	if ((sent = cmfa_fixture_read(cap->path, NULL)) == NULL)
		CHECK_MSG(false, "nothing captured");
	return sent;
}

/* The captured request against botocore's: request line, headers we
 * sign, Authorization (botocore's for the credential scope `scope`),
 * body.  sent and bc are freed here. */
static void
compare_with_botocore(char *sent, const char *request_line, const char *scope,
    cJSON *bc)
{
	const char *body = strstr(sent, "\r\n\r\n");
	char *auth = tcapture_header(sent, "Authorization");
	char *date = tcapture_header(sent, "X-Amz-Date");
	char *token = tcapture_header(sent, "X-Amz-Security-Token");
	char *ctype = tcapture_header(sent, "Content-Type");

	CHECK(bc != NULL);
	CHECK_MSG(strncmp(sent, request_line, strlen(request_line)) == 0,
	    "%.60s", sent);
	CHECK_STR_EQ(date, "20231114T221320Z");
	CHECK_STR_EQ(token, TOK2);
	CHECK_STR_EQ(ctype, str(bc, "content_type"));
	CHECK_STR_EQ(body != NULL ? body + 4 : NULL, str(bc, "body"));
	CHECK_STR_EQ(auth, str(bc, "authorization"));
	CHECK_STR_EQ(date, str(bc, "x_amz_date"));
	CHECK(strstr(auth != NULL ? auth : "",
	          "SignedHeaders=content-type;host;x-amz-date;"
	          "x-amz-security-token,") != NULL);
	CHECK(str(bc, "authorization") != NULL &&
	    strstr(str(bc, "authorization"), scope) != NULL);
	if (t_failed_checks > 0 && bc != NULL)
		fprintf(stderr, "  botocore's canonical request:\n%s\n",
		    str(bc, "canonical_request"));
	free(auth);
	free(date);
	free(token);
	free(ctype);
	cJSON_Delete(bc);
	free(sent);
}

static void
sns_signed_like_botocore(void)
{
	static const char xml[] =
	    "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/"
	    "2010-03-31/\"><PublishResult><MessageId>"
	    "94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult>"
	    "</PublishResponse>";
	/* quote_plus territory: spaces, '+', '&', '=', UTF-8 */
	static const char msg[] = "Code 4242 \xc3\xa9t\xc3\xa9 + & = ~*/.";
	struct cmfa_sns_sms m;
	struct cmfa_aws_error err;
	struct tcapture cap;
	struct cmfa_aws *a;
	cJSON *params, *attrs, *attr;
	char id[64], *sent;

	NEED_MOCK(); /* python with botocore */
	set_session_env();
	if (!capture_200(&cap, "text/xml", xml))
		return;
	if ((a = client_with(fixed_clock)) != NULL) {
		memset(&m, 0, sizeof(m));
		m.phone = PHONE;
		m.message = msg;
		m.region = SNS_REGION;
		m.sns_endpoint_url = cap.url;
		CHECK_INT_EQ(cmfa_aws_sns_publish(a, &m, id, sizeof(id), &err),
		    CMFA_OK);
		CHECK_STR_EQ(id, "94f20ce6-13c5-43a0-9a9e-ca52d816e90b");
	}
	cmfa_aws_close(a);
	if ((sent = captured(&cap)) == NULL)
		return;
	params = cJSON_CreateObject();
	cJSON_AddStringToObject(params, "PhoneNumber", PHONE);
	cJSON_AddStringToObject(params, "Message", msg);
	attrs = cJSON_AddObjectToObject(params, "MessageAttributes");
	attr = cJSON_AddObjectToObject(attrs, "AWS.SNS.SMS.SMSType");
	cJSON_AddStringToObject(attr, "DataType", "String");
	cJSON_AddStringToObject(attr, "StringValue", "Transactional");
	compare_with_botocore(sent, "POST / HTTP/1.1\r\n",
	    "/" SNS_REGION "/sns/aws4_request",
	    tsigner_run(
	        signer_request(cap.url, "sns", "Publish", SNS_REGION, params)));
}

static void
ses_signed_like_botocore(void)
{
	static const char json[] = "{\"MessageId\": \"0100018bd2f1c4e1-x\"}";
	/* json.dumps territory: quotes, backslash, controls, non-ASCII,
	 * a code point above U+FFFF (a surrogate pair) */
	static const char body[] =
	    "Code 4242\n\"q\" \\ \t\r \xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91";
	struct cmfa_ses_email m;
	struct cmfa_aws_error err;
	struct tcapture cap;
	struct cmfa_aws *a;
	cJSON *params, *o, *simple, *part;
	char id[64], *sent;

	NEED_MOCK();
	set_session_env();
	if (!capture_200(&cap, "application/json", json))
		return;
	if ((a = client_with(fixed_clock)) != NULL) {
		memset(&m, 0, sizeof(m));
		m.from = "Sign-in <no-reply@example.com>";
		m.to = "\xc3\xa9lodie@example.org";
		m.subject = "Votre code \xe2\x9c\x93";
		m.body = body;
		m.ses_endpoint_url = cap.url; /* the client's region */
		CHECK_INT_EQ(cmfa_aws_ses_send(a, &m, id, sizeof(id), &err),
		    CMFA_OK);
		CHECK_STR_EQ(id, "0100018bd2f1c4e1-x");
	}
	cmfa_aws_close(a);
	if ((sent = captured(&cap)) == NULL)
		return;
	params = cJSON_CreateObject();
	cJSON_AddStringToObject(params, "FromEmailAddress", m.from);
	o = cJSON_AddObjectToObject(params, "Destination");
	cJSON_AddItemToObject(o, "ToAddresses",
	    cJSON_CreateStringArray(&m.to, 1));
	o = cJSON_AddObjectToObject(params, "Content");
	simple = cJSON_AddObjectToObject(o, "Simple");
	part = cJSON_AddObjectToObject(simple, "Subject");
	cJSON_AddStringToObject(part, "Data", m.subject);
	cJSON_AddStringToObject(part, "Charset", "UTF-8");
	o = cJSON_AddObjectToObject(simple, "Body");
	part = cJSON_AddObjectToObject(o, "Text");
	cJSON_AddStringToObject(part, "Data", body);
	cJSON_AddStringToObject(part, "Charset", "UTF-8");
	/* the signing name is "ses" */
	compare_with_botocore(sent,
	    "POST /v2/email/outbound-emails HTTP/1.1\r\n",
	    "/us-east-1/ses/aws4_request",
	    tsigner_run(signer_request(cap.url, "sesv2", "SendEmail",
	        "us-east-1", params)));
}

/* ---------------------------------------------------------------------- */

/* No message text the mock received is in its log or its stderr. */
static void
no_message_in_logs(void)
{
	size_t i;

	if (g_mock.pid < 0)
		SKIP("%s or %s missing", CMFA_FIXTURE_PY, CMFA_FIXTURE_MOCK);
	for (i = 0; i < CMFA_ARRAY_LEN(g_secrets); i++) {
		CHECK_MSG(!file_contains("log.jsonl", g_secrets[i]), "%s",
		    g_secrets[i]);
		CHECK_MSG(!file_contains("mock.err", g_secrets[i]), "%s",
		    g_secrets[i]);
	}
	/* and the mock did see them (the check above means something) */
	CHECK(file_contains("sns.jsonl", g_secrets[0]));
	CHECK(file_contains("ses.jsonl", "code is 237851"));
}

static int
run_all(void)
{
	RUN(rest_error_table);
	RUN(sns_via_assumed_role);
	RUN(sns_wrong_external_id);
	RUN(sns_host_credentials);
	RUN(sns_service_error);
	RUN(sns_throttling_retried);
	RUN(sns_transport_failure);
	RUN(sns_refused_locally);
	RUN(ses_send);
	RUN(ses_rejected);
	RUN(ses_retried);
	RUN(ses_transport_and_refusals);
	RUN(sns_signed_like_botocore);
	RUN(ses_signed_like_botocore);
	RUN(no_message_in_logs);
	return t_tests_failed > 0 ? 1 : 0;
}

/* The tests run in a child; this process stops the mock and removes the
 * temporary directory however it ended. */
TEST_MAIN_BEGIN("test_aws_deliver")
	if (!mock_start())
		mock_stop(); /* the tests that need it say SKIP */
	return cmfa_fixture_guard(t_prog, run_all, mock_stop);
TEST_MAIN_END
