/*
 * test_cli_params.c: the CLI's argument handling (argparse's rules, the
 * AWS CLI's value unpacking and coercion, --cli-input-json), botocore's
 * validation messages and --generate-cli-skeleton.  Expected messages
 * are those aws-cli 2.9.19 printed for the same command lines.
 */
#include <stdlib.h>
#include <unistd.h>

#include "cmfa_cli.h"
#include "cmfa_test.h"

struct run {
	struct cmfa_cli cli;
	cJSON *req;
	const char *skeleton;
	enum cmfa_err e;
	char *json; /* the request, compact */
};

/* Parse argv (NULL-terminated) for command op. */
static void
parse(struct run *r, const char *op, const char *const *argv)
{
	int argc = 0;

	memset(r, 0, sizeof(*r));
	cmfa_cli_init(&r->cli, stdout, stderr);
	while (argv[argc] != NULL)
		argc++;
	r->cli.op = cmfa_cli_op_find(op);
	CHECK(r->cli.op != NULL);
	r->e = cmfa_cli_parse_params(&r->cli, r->cli.op, argc, (char **)argv,
	    &r->req, &r->skeleton);
	if (r->e == CMFA_OK)
		r->json = cJSON_PrintUnformatted(r->req);
}

static void
done(struct run *r)
{
	free(r->json);
	cJSON_Delete(r->req);
	cmfa_cli_release(&r->cli);
}

static void
expect_req(const char *op, const char *const *argv, const char *json)
{
	struct run r;

	parse(&r, op, argv);
	CHECK_INT_EQ(r.e, CMFA_OK);
	CHECK_STR_EQ(r.json, json);
	done(&r);
}

static void
expect_fail(const char *op, const char *const *argv, enum cmfa_cli_fail kind,
    const char *msg)
{
	struct run r;

	parse(&r, op, argv);
	CHECK(r.e != CMFA_OK);
	CHECK_INT_EQ(r.cli.fail, kind);
	CHECK_STR_EQ(cmfa_buf_str(&r.cli.fail_msg), msg);
	done(&r);
}

#define A(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void
test_argparse(void)
{
	/* --opt=value, a unique prefix, the last occurrence wins */
	expect_req("get-user-pool-mfa-config",
	    A("--user-pool=a_1", "--user-pool-id", "b_2"),
	    "{\"UserPoolId\":\"b_2\"}");
	expect_fail("set-user-pool-mfa-config",
	    A("--user-pool-id", "a_b", "--s", "x"), CMFA_FAIL_USAGE,
	    "ambiguous option: --s could match --sms-mfa-configuration, "
	    "--software-token-mfa-configuration");
	expect_fail("get-user-pool-mfa-config", A("--user-pool-id"),
	    CMFA_FAIL_USAGE, "argument --user-pool-id: expected one argument");
	expect_fail("admin-get-user",
	    A("--username", "-x", "--user-pool-id", "a_b"), CMFA_FAIL_USAGE,
	    "argument --username: expected one argument");
	/* a negative number and a word with a space are values */
	expect_req("list-users", A("--user-pool-id", "a_b", "--limit", "-1"),
	    "{\"UserPoolId\":\"a_b\",\"Limit\":-1}");
	expect_req("admin-get-user",
	    A("--user-pool-id", "a_b", "--username", "-a b"),
	    "{\"UserPoolId\":\"a_b\",\"Username\":\"-a b\"}");
	/* argparse's order: required, then unknown */
	expect_fail("admin-get-user", A("--bogus", "1"), CMFA_FAIL_USAGE,
	    "the following arguments are required: --user-pool-id, "
	    "--username");
	expect_fail("get-user-pool-mfa-config",
	    A("--user-pool-id", "a_b", "--bogus", "1", "x"), CMFA_FAIL_UNKNOWN,
	    "--bogus, 1, x");
	/* not required with --cli-input-json or an input skeleton */
	expect_req("admin-get-user", A("--cli-input-json", "{}"), "{}");
	expect_req("admin-get-user", A("--generate-cli-skeleton"), "{}");
	expect_fail("admin-get-user", A("--generate-cli-skeleton", "output"),
	    CMFA_FAIL_USAGE,
	    "the following arguments are required: --user-pool-id, "
	    "--username");
	/* top-level booleans are flags */
	expect_req("admin-create-user",
	    A("--user-pool-id", "a_b", "--username", "u",
	        "--no-force-alias-creation"),
	    "{\"UserPoolId\":\"a_b\",\"Username\":\"u\","
	    "\"ForceAliasCreation\":false}");
	expect_fail("admin-create-user",
	    A("--user-pool-id", "a_b", "--username", "u",
	        "--force-alias-creation", "false"),
	    CMFA_FAIL_UNKNOWN, "false");
	expect_fail("admin-create-user",
	    A("--user-pool-id", "a_b", "--username", "u",
	        "--force-alias-creation=false"),
	    CMFA_FAIL_USAGE,
	    "argument --force-alias-creation: ignored explicit argument "
	    "'false'");
	/* list options take any number of words, none included */
	expect_req("admin-create-user",
	    A("--user-pool-id", "a_b", "--username", "u", "--user-attributes"),
	    "{\"UserPoolId\":\"a_b\",\"Username\":\"u\","
	    "\"UserAttributes\":[]}");
}

static void
test_values(void)
{
	/* shorthand, coerced as BackCompatVisitor does */
	expect_req("set-user-pool-mfa-config",
	    A("--user-pool-id", "a_b", "--software-token-mfa-configuration",
	        "Enabled=TRUE"),
	    "{\"UserPoolId\":\"a_b\",\"SoftwareTokenMfaConfiguration\":{"
	    "\"Enabled\":true}}");
	expect_req("set-user-pool-mfa-config",
	    A("--user-pool-id", "a_b", "--software-token-mfa-configuration",
	        "Enabled=yes"),
	    "{\"UserPoolId\":\"a_b\",\"SoftwareTokenMfaConfiguration\":{"
	    "\"Enabled\":\"yes\"}}");
	/* a list option: one shorthand item per word; or JSON */
	expect_req("admin-create-user",
	    A("--user-pool-id", "a_b", "--username", "u", "--user-attributes",
	        "Name=email,Value=a@b.c", "Name=name,Value=x y"),
	    "{\"UserPoolId\":\"a_b\",\"Username\":\"u\",\"UserAttributes\":["
	    "{\"Name\":\"email\",\"Value\":\"a@b.c\"},{\"Name\":\"name\","
	    "\"Value\":\"x y\"}]}");
	expect_req("admin-create-user",
	    A("--user-pool-id", "a_b", "--username", "u", "--user-attributes",
	        " [{\"Name\": \"email\"}]"),
	    "{\"UserPoolId\":\"a_b\",\"Username\":\"u\",\"UserAttributes\":["
	    "{\"Name\":\"email\"}]}");
	expect_req("admin-create-user",
	    A("--user-pool-id", "a_b", "--username", "u",
	        "--desired-delivery-mediums", "SMS", "EMAIL"),
	    "{\"UserPoolId\":\"a_b\",\"Username\":\"u\","
	    "\"DesiredDeliveryMediums\":[\"SMS\",\"EMAIL\"]}");
	/* a map */
	expect_req("admin-create-user",
	    A("--user-pool-id", "a_b", "--username", "u", "--client-metadata",
	        "a=b,c=d"),
	    "{\"UserPoolId\":\"a_b\",\"Username\":\"u\",\"ClientMetadata\":{"
	    "\"a\":\"b\",\"c\":\"d\"}}");
	/* Python's int(): whitespace, '_' between digits, a sign */
	expect_req("list-users", A("--user-pool-id", "a_b", "--limit", " 1_0 "),
	    "{\"UserPoolId\":\"a_b\",\"Limit\":10}");
	expect_req("list-users", A("--user-pool-id", "a_b", "--limit", "-0"),
	    "{\"UserPoolId\":\"a_b\",\"Limit\":0}");
	expect_fail("list-users", A("--user-pool-id", "a_b", "--limit", "1.5"),
	    CMFA_FAIL_PYTHON, "invalid literal for int() with base 10: '1.5'");
	expect_fail("list-users", A("--user-pool-id", "a_b", "--limit", "1__0"),
	    CMFA_FAIL_PYTHON, "invalid literal for int() with base 10: '1__0'");
	/* a structure must be shorthand or a JSON object */
	expect_fail("set-user-pool-mfa-config",
	    A("--user-pool-id", "a_b", "--software-token-mfa-configuration",
	        "[1]"),
	    CMFA_FAIL_PARAM, "Invalid JSON:\n[1]");
	expect_fail("set-user-pool-mfa-config",
	    A("--user-pool-id", "a_b", "--software-token-mfa-configuration",
	        "{\"Enabled\": tru"),
	    CMFA_FAIL_PARAM,
	    "Invalid JSON: Expecting value: line 1 column 13 (char 12)\n"
	    "JSON received: {\"Enabled\": tru");
}

static void
test_json_args_are_ordered_dicts(void)
{
	struct run r;
	cJSON *s;

	parse(&r, "set-user-pool-mfa-config",
	    A("--user-pool-id", "a_b", "--sms-mfa-configuration",
	        "{\"SmsConfiguration\": {}}", "--cli-input-json",
	        "{\"WebAuthnConfiguration\": {}}"));
	CHECK_INT_EQ(r.e, CMFA_OK);
	s = cJSON_GetObjectItem(r.req, "SmsMfaConfiguration");
	CHECK(s != NULL && (s->type & CMFA_CLI_ODICT));
	CHECK((cJSON_GetObjectItem(s, "SmsConfiguration")->type &
	          CMFA_CLI_ODICT) != 0);
	/* --cli-input-json is json.loads() without the hook: dicts */
	s = cJSON_GetObjectItem(r.req, "WebAuthnConfiguration");
	CHECK(s != NULL && !(s->type & CMFA_CLI_ODICT));
	done(&r);
}

static void
test_cli_input_json(void)
{
	char path[] = "/tmp/cmfa-test-cli-XXXXXX";
	int fd;

	/* options win; the file's other members are added after them */
	expect_req("set-user-pool-mfa-config",
	    A("--mfa-configuration", "ON", "--cli-input-json",
	        "{\"MfaConfiguration\": \"OFF\", \"UserPoolId\": \"a_b\"}"),
	    "{\"MfaConfiguration\":\"ON\",\"UserPoolId\":\"a_b\"}");
	expect_fail("get-user-pool-mfa-config",
	    A("--cli-input-json", "{\"a\": "), CMFA_FAIL_PARAM,
	    "Invalid JSON received.");
	expect_fail("get-user-pool-mfa-config", A("--cli-input-json", "[1]"),
	    CMFA_FAIL_PARAM,
	    "Invalid type: expecting map, received <class "
	    "'list'>");
	/* file:// for any value: text, universal newlines */
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, "{\"UserPoolId\":\r\n\"a_b\"}", 22) == 22);
	close(fd);
	{
		char arg[64];

		snprintf(arg, sizeof(arg), "file://%s", path);
		expect_req("get-user-pool-mfa-config",
		    A("--cli-input-json", arg), "{\"UserPoolId\":\"a_b\"}");
		expect_req("get-user-pool-mfa-config", A("--user-pool-id", arg),
		    "{\"UserPoolId\":\"{\\\"UserPoolId\\\":\\n\\\"a_b\\\"}\"}");
	}
	unlink(path);
	expect_fail("get-user-pool-mfa-config",
	    A("--user-pool-id", "file:///nonexistent/x"), CMFA_FAIL_PARAM,
	    "Unable to load paramfile file:///nonexistent/x: [Errno 2] No "
	    "such file or directory: '/nonexistent/x'");
}

static const char *
validate(const char *op, const char *json)
{
	static char msg[4096];
	struct cmfa_buf rep;
	char err[256];
	cJSON *req = NULL;
	enum cmfa_err e;

	CHECK_INT_EQ(cmfa_cli_json_load(json, strlen(json), false, &req, err,
	                 sizeof(err)),
	    CMFA_OK);
	e = cmfa_cli_validate(req, cmfa_cli_op_find(op)->input, &rep);
	snprintf(msg, sizeof(msg), "%s",
	    e == CMFA_OK ? "OK" : cmfa_buf_str(&rep));
	cmfa_buf_free(&rep);
	cJSON_Delete(req);
	return msg;
}

static void
test_botocore_validation(void)
{
	CHECK_STR_EQ(validate("get-user-pool-mfa-config",
	                 "{\"UserPoolId\": \"a_b\"}"),
	    "OK");
	CHECK_STR_EQ(validate("get-user-pool-mfa-config", "{}"),
	    "Missing required parameter in input: \"UserPoolId\"");
	CHECK_STR_EQ(validate("get-user-pool-mfa-config",
	                 "{\"UserPoolId\": \"\", \"X\": 1}"),
	    "Unknown parameter in input: \"X\", must be one of: UserPoolId\n"
	    "Invalid length for parameter UserPoolId, value: 0, valid min "
	    "length: 1");
	/* every problem, in request order, with Python's view of values */
	CHECK_STR_EQ(validate("set-user-pool-mfa-config",
	                 "{\"UserPoolId\": \"a_b\", "
	                 "\"SoftwareTokenMfaConfiguration\": {\"Enabled\": "
	                 "{\"a\": \"x\\u00e9\\n\"}}, \"MfaConfiguration\": 5, "
	                 "\"SmsMfaConfiguration\": []}"),
	    "Invalid type for parameter SoftwareTokenMfaConfiguration.Enabled, "
	    "value: {'a': 'x\xc3\xa9\\n'}, type: <class 'dict'>, valid types: "
	    "<class 'bool'>\n"
	    "Invalid type for parameter MfaConfiguration, value: 5, type: "
	    "<class 'int'>, valid types: <class 'str'>\n"
	    "Invalid type for parameter SmsMfaConfiguration, value: [], type: "
	    "<class 'list'>, valid types: <class 'dict'>");
	CHECK_STR_EQ(validate("set-user-pool-mfa-config",
	                 "{\"UserPoolId\": \"a_b\", \"SmsMfaConfiguration\": "
	                 "{\"SmsAuthenticationMessage\": \"abc\", "
	                 "\"SmsConfiguration\": {\"EumsSms\": {}}}}"),
	    "Invalid length for parameter SmsMfaConfiguration."
	    "SmsAuthenticationMessage, value: 3, valid min length: 6\n"
	    "Missing required parameter in SmsMfaConfiguration."
	    "SmsConfiguration.EumsSms: \"CallerArn\"");
	CHECK_STR_EQ(validate("admin-create-user",
	                 "{\"UserPoolId\": \"a_b\", \"Username\": \"u\", "
	                 "\"UserAttributes\": [{\"Value\": 1, \"Z\": 2}], "
	                 "\"DesiredDeliveryMediums\": [\"SMS\", null], "
	                 "\"ClientMetadata\": {\"k\": 3}}"),
	    "Missing required parameter in UserAttributes[0]: \"Name\"\n"
	    "Unknown parameter in UserAttributes[0]: \"Z\", must be one of: "
	    "Name, Value\n"
	    "Invalid type for parameter UserAttributes[0].Value, value: 1, "
	    "type: <class 'int'>, valid types: <class 'str'>\n"
	    "Invalid type for parameter DesiredDeliveryMediums[1], value: "
	    "None, "
	    "type: <class 'NoneType'>, valid types: <class 'str'>\n"
	    "Invalid type for parameter ClientMetadata.k, value: 3, type: "
	    "<class 'int'>, valid types: <class 'str'>");
	CHECK_STR_EQ(validate("list-users",
	                 "{\"UserPoolId\": \"a_b\", \"Limit\": -1}"),
	    "Invalid value for parameter Limit, value: -1, valid min value: 0");
	CHECK_STR_EQ(validate("list-users",
	                 "{\"UserPoolId\": \"a_b\", \"Limit\": 1.0}"),
	    "Invalid type for parameter Limit, value: 1.0, type: <class "
	    "'float'>, valid types: <class 'int'>");
	CHECK_STR_EQ(validate("list-users",
	                 "{\"UserPoolId\": \"a_b\", \"Limit\": true}"),
	    "OK"); /* bool is an int in Python */
	/* a secret is never echoed, even in a type error */
	CHECK_STR_EQ(validate("verify-software-token",
	                 "{\"UserCode\": 123456}"),
	    "Invalid type for parameter UserCode, value: (secret), type: "
	    "<class 'int'>, valid types: <class 'str'>");
	CHECK_STR_EQ(validate("verify-software-token",
	                 "{\"UserCode\": \"12\"}"),
	    "Invalid length for parameter UserCode, value: 2, valid min "
	    "length: 6");
}

static void
test_skeletons(void)
{
	struct cmfa_buf b;

	cmfa_buf_init(&b, 1 << 16);
	/* COGNITO.md 5.5, the v2 output with the current model */
	CHECK_INT_EQ(cmfa_cli_skeleton(cmfa_cli_op_find(
	                                   "set-user-pool-mfa-config")
	                                   ->input,
	                 false, &b),
	    CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b),
	    "{\n"
	    "    \"UserPoolId\": \"\",\n"
	    "    \"SmsMfaConfiguration\": {\n"
	    "        \"SmsAuthenticationMessage\": \"\",\n"
	    "        \"SmsConfiguration\": {\n"
	    "            \"SnsCallerArn\": \"\",\n"
	    "            \"ExternalId\": \"\",\n"
	    "            \"SnsRegion\": \"\",\n"
	    "            \"EumsSms\": {\n"
	    "                \"CallerArn\": \"\",\n"
	    "                \"ExternalId\": \"\",\n"
	    "                \"OriginationIdentity\": \"\",\n"
	    "                \"ConfigurationSetName\": \"\",\n"
	    "                \"InEntityId\": \"\",\n"
	    "                \"InTemplateId\": \"\",\n"
	    "                \"Region\": \"\"\n"
	    "            }\n"
	    "        }\n"
	    "    },\n"
	    "    \"SoftwareTokenMfaConfiguration\": {\n"
	    "        \"Enabled\": true\n"
	    "    },\n"
	    "    \"EmailMfaConfiguration\": {\n"
	    "        \"Message\": \"\",\n"
	    "        \"Subject\": \"\"\n"
	    "    },\n"
	    "    \"MfaConfiguration\": \"OFF\",\n"
	    "    \"WebAuthnConfiguration\": {\n"
	    "        \"RelyingPartyId\": \"\",\n"
	    "        \"UserVerification\": \"required\",\n"
	    "        \"FactorConfiguration\": \"SINGLE_FACTOR\"\n"
	    "    }\n"
	    "}\n");
	/* COGNITO.md 5.5: admin-set-user-mfa-preference */
	cmfa_buf_reset(&b);
	CHECK_INT_EQ(cmfa_cli_skeleton(cmfa_cli_op_find(
	                                   "admin-set-user-mfa-preference")
	                                   ->input,
	                 false, &b),
	    CMFA_OK);
	CHECK(strstr(cmfa_buf_str(&b),
	          "    \"WebAuthnMfaSettings\": {\n"
	          "        \"Enabled\": true\n"
	          "    },\n"
	          "    \"Username\": \"\",\n"
	          "    \"UserPoolId\": \"\"\n}\n") != NULL);
	/* output: member names, a list element named after its shape,
	 * timestamps at the epoch, maps as KeyName */
	cmfa_buf_reset(&b);
	CHECK_INT_EQ(cmfa_cli_skeleton(cmfa_cli_op_find("admin-get-user")
	                                   ->output,
	                 true, &b),
	    CMFA_OK);
	CHECK(
	    strstr(cmfa_buf_str(&b), "\"UserStatus\": \"UserStatus\"") != NULL);
	CHECK(strstr(cmfa_buf_str(&b),
	          "\"UserMFASettingList\": [\n        \"StringType\"\n    ]") !=
	    NULL);
	CHECK(strstr(cmfa_buf_str(&b),
	          "\"UserCreateDate\": \"1970-01-01T00:00:00\"") != NULL);
	cmfa_buf_reset(&b);
	CHECK_INT_EQ(cmfa_cli_skeleton(cmfa_cli_op_find("admin-create-user")
	                                   ->input,
	                 false, &b),
	    CMFA_OK);
	CHECK(strstr(cmfa_buf_str(&b),
	          "\"ClientMetadata\": {\n        \"KeyName\": \"\"\n    }") !=
	    NULL);
	CHECK(
	    strstr(cmfa_buf_str(&b), "\"MessageAction\": \"RESEND\"") != NULL);
	cmfa_buf_free(&b);
}

static void
test_exit_codes(void)
{
	CHECK_INT_EQ(cmfa_cli_exit_code(CMFA_FAIL_NONE), 0);
	CHECK_INT_EQ(cmfa_cli_exit_code(CMFA_FAIL_USAGE), 252);
	CHECK_INT_EQ(cmfa_cli_exit_code(CMFA_FAIL_UNKNOWN), 252);
	CHECK_INT_EQ(cmfa_cli_exit_code(CMFA_FAIL_PARAM), 252);
	CHECK_INT_EQ(cmfa_cli_exit_code(CMFA_FAIL_VALIDATION), 252);
	CHECK_INT_EQ(cmfa_cli_exit_code(CMFA_FAIL_CONFIG), 253);
	CHECK_INT_EQ(cmfa_cli_exit_code(CMFA_FAIL_SERVICE), 254);
	CHECK_INT_EQ(cmfa_cli_exit_code(CMFA_FAIL_PYTHON), 255);
	CHECK_INT_EQ(cmfa_cli_exit_code(CMFA_FAIL_INTERNAL), 255);
	CHECK_INT_EQ(cmfa_cli_exit_code((enum cmfa_cli_fail)99), 255);
}

static void
test_every_command_described(void)
{
	size_t i, k;
	FILE *f = fopen("/dev/null", "w");

	for (i = 0; cmfa_cli_ops[i] != NULL; i++) {
		const struct cmfa_cli_op *op = cmfa_cli_ops[i];

		CHECK(op->input != NULL && op->input->type == CMFA_CT_STRUCT);
		CHECK(op->run != NULL && op->summary != NULL);
		CHECK(cmfa_cli_op_find(op->name) == op);
		for (k = 0; k < op->input->nmembers; k++)
			CHECK(op->input->members[k].cli != NULL);
		if (f != NULL)
			cmfa_cli_help_op(f, op);
	}
	CHECK(i == 18); /* ... status, deliver */
	if (f != NULL)
		fclose(f);
}

TEST_MAIN_BEGIN("cli_params")
	RUN(test_argparse);
	RUN(test_values);
	RUN(test_json_args_are_ordered_dicts);
	RUN(test_cli_input_json);
	RUN(test_botocore_validation);
	RUN(test_skeletons);
	RUN(test_exit_codes);
	RUN(test_every_command_described);
TEST_MAIN_END
