/*
 * test_model_pool.c: GetUserPoolMfaConfig responses and
 * SetUserPoolMfaConfig requests: every constraint of the model at its
 * boundary, the semantic rules with Cognito's messages, serialization
 * order, unknown members, round trips.
 */
#include "cmfa_test.h"
#include "cmfa_core.h"

#define J(s) (s), (sizeof(s) - 1)
#define POOL "\"UserPoolId\":\"us-east-1_Abc123\""
#define V1 "1 validation error detected: "
#define IPE "InvalidParameterException"
#define SER "SerializationException"

static const char example_response[] =
    "{ \"SmsMfaConfiguration\": { \"SmsAuthenticationMessage\": \"Your OTP "
    "for MFA or sign-in: use {####}.\",\n"
    "    \"SmsConfiguration\": { \"SnsCallerArn\": \"arn:aws:iam::"
    "123456789012:role/service-role/my-SMS-Role\",\n"
    "      \"ExternalId\": \"a1b2c3d4-5678-90ab-cdef-EXAMPLE11111\", "
    "\"SnsRegion\": \"us-west-2\" } },\n"
    "  \"SoftwareTokenMfaConfiguration\": { \"Enabled\": true },\n"
    "  \"EmailMfaConfiguration\": { \"Message\": \"Your OTP for MFA or "
    "sign-in: use {####}\", \"Subject\": \"OTP test\" },\n"
    "  \"MfaConfiguration\": \"OPTIONAL\",\n"
    "  \"WebAuthnConfiguration\": { \"RelyingPartyId\": "
    "\"auth.example.com\", \"UserVerification\": \"preferred\" } }\n";

static bool
all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] != 0)
			return false;
	return true;
}

static void
test_pool_parse_example(void)
{
	struct cmfa_pool_config c;
	struct cmfa_verr verr;

	memset(&verr, 'x', sizeof(verr));
	CHECK_INT_EQ(cmfa_pool_parse(J(example_response), &c, &verr), CMFA_OK);
	CHECK_STR_EQ(verr.type, "");
	CHECK_STR_EQ(verr.message, "");
	CHECK_INT_EQ(c.mfa, CMFA_MFA_OPTIONAL);
	CHECK(c.sms && c.totp && c.email && c.webauthn);
	CHECK_STR_EQ(c.sms_message, "Your OTP for MFA or sign-in: use {####}.");
	CHECK_STR_EQ(c.sns_caller_arn,
	    "arn:aws:iam::123456789012:role/service-role/my-SMS-Role");
	CHECK_STR_EQ(c.sns_external_id, "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111");
	CHECK_STR_EQ(c.sns_region, "us-west-2");
	CHECK_STR_EQ(c.email_message,
	    "Your OTP for MFA or sign-in: use {####}");
	CHECK_STR_EQ(c.email_subject, "OTP test");
	CHECK(c.user_pool_id == NULL);
	CHECK(c.doc != NULL);
	CHECK_INT_EQ(cmfa_pool_factors(&c), CMFA_FACTORS_ALL);
	cmfa_pool_free(&c);
	CHECK(all_zero(&c, sizeof(c)));
}

static void
test_pool_parse_minimal(void)
{
	struct cmfa_pool_config c;

	CHECK_INT_EQ(cmfa_pool_parse(J("{}"), &c, NULL), CMFA_OK);
	CHECK_INT_EQ(c.mfa, CMFA_MFA_OFF);
	CHECK(!c.sms && !c.totp && !c.email && !c.webauthn);
	CHECK(c.sms_message == NULL && c.sns_caller_arn == NULL);
	CHECK_INT_EQ(cmfa_pool_factors(&c), 0);
	cmfa_pool_free(&c);

	/* a response is not held to the request's semantic rules */
	CHECK_INT_EQ(cmfa_pool_parse(J("{\"MfaConfiguration\":\"ON\"}"), &c,
	                 NULL),
	    CMFA_OK);
	CHECK_INT_EQ(c.mfa, CMFA_MFA_ON);
	cmfa_pool_free(&c);
	CHECK_INT_EQ(cmfa_pool_parse(J("{\"MfaConfiguration\":\"OFF\","
	                               "\"SmsMfaConfiguration\":{"
	                               "\"SmsConfiguration\":{\"SnsCallerArn\":"
	                               "\"arn:aws:iam::1:role/r\"}}}"),
	                 &c, NULL),
	    CMFA_OK);
	CHECK(c.sms);
	CHECK_INT_EQ(cmfa_pool_factors(&c), CMFA_FBIT(CMFA_FACTOR_SMS));
	cmfa_pool_free(&c);

	/* SoftwareTokenMfaConfiguration without Enabled: TOTP off */
	CHECK_INT_EQ(cmfa_pool_parse(J("{\"SoftwareTokenMfaConfiguration\":"
	                               "{}}"),
	                 &c, NULL),
	    CMFA_OK);
	CHECK(!c.totp);
	cmfa_pool_free(&c);

	/* null members are absent; an empty SnsCallerArn is no ARN */
	CHECK_INT_EQ(cmfa_pool_parse(J("{\"SmsMfaConfiguration\":null,"
	                               "\"EmailMfaConfiguration\":{\"Message\":"
	                               "null},"
	                               "\"MfaConfiguration\":null}"),
	                 &c, NULL),
	    CMFA_OK);
	CHECK(!c.sms && c.email && c.email_message == NULL);
	CHECK_INT_EQ(c.mfa, CMFA_MFA_OFF);
	cmfa_pool_free(&c);
	CHECK_INT_EQ(cmfa_pool_parse(J("{\"SmsMfaConfiguration\":{"
	                               "\"SmsConfiguration\":{\"SnsCallerArn\":"
	                               "\"\"}}}"),
	                 &c, NULL),
	    CMFA_OK);
	CHECK(c.sms && c.sns_caller_arn == NULL);
	cmfa_pool_free(&c);
}

struct vcase {
	const char *json;
	enum cmfa_err err;
	const char *type;
	const char *msg;
};

static void
run_cases(const struct vcase *cases, size_t n, bool request)
{
	struct cmfa_pool_config c;
	struct cmfa_verr verr;
	enum cmfa_err err;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&c, 0xa5, sizeof(c));
		memset(&verr, 0, sizeof(verr));
		if (request)
			err = cmfa_pool_request_parse(cases[i].json,
			    strlen(cases[i].json), &c, &verr);
		else
			err = cmfa_pool_parse(cases[i].json,
			    strlen(cases[i].json), &c, &verr);
		CHECK_MSG(err == cases[i].err, "case %zu: err %d: %s", i,
		    (int)err, cases[i].json);
		if (cases[i].err == CMFA_OK) {
			CHECK_STR_EQ(verr.type, "");
			cmfa_pool_free(&c);
			continue;
		}
		CHECK_MSG(all_zero(&c, sizeof(c)), "case %zu: out not zeroed",
		    i);
		CHECK_MSG(strcmp(verr.type, cases[i].type) == 0,
		    "case %zu: type %s", i, verr.type);
		if (cases[i].msg != NULL)
			CHECK_MSG(strcmp(verr.message, cases[i].msg) == 0,
			    "case %zu:\n   got: %s\n  want: %s", i,
			    verr.message, cases[i].msg);
	}
}

static void
test_pool_request_constraints(void)
{
	static const struct vcase cases[] = {
		{ "{" POOL ",\"MfaConfiguration\":\"XYZ\"}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1
		    "Value 'XYZ' at "
		    "'mfaConfiguration' failed to satisfy constraint: Member "
		    "must satisfy enum value set: [OPTIONAL, OFF, ON]" },
		{ "{" POOL ",\"MfaConfiguration\":\"false\"}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1
		    "Value 'false' at "
		    "'mfaConfiguration' failed to satisfy constraint: Member "
		    "must satisfy enum value set: [OPTIONAL, OFF, ON]" },
		{ "{" POOL ",\"MfaConfiguration\":\"on\"}", CMFA_ERR_VALIDATION,
		    IPE, NULL },
		{ "{\"MfaConfiguration\":\"OFF\"}", CMFA_ERR_VALIDATION, IPE,
		    V1 "Value null at 'userPoolId' failed to satisfy "
		       "constraint: Member must not be null" },
		{ "{\"UserPoolId\":null}", CMFA_ERR_VALIDATION, IPE,
		    V1 "Value null at 'userPoolId' failed to satisfy "
		       "constraint: Member must not be null" },
		{ "{\"UserPoolId\":\"nounderscore\"}", CMFA_ERR_VALIDATION, IPE,
		    V1 "Value 'nounderscore' at 'userPoolId' failed to "
		       "satisfy constraint: Member must satisfy regular "
		       "expression pattern: [\\w-]+_[0-9a-zA-Z]+" },
		{ "{\"UserPoolId\":\"\"}", CMFA_ERR_VALIDATION, IPE,
		    "2 validation errors detected: Value '' at 'userPoolId' "
		    "failed to satisfy constraint: Member must have length "
		    "greater than or equal to 1; Value '' at 'userPoolId' "
		    "failed to satisfy constraint: Member must satisfy regular "
		    "expression pattern: [\\w-]+_[0-9a-zA-Z]+" },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsAuthenticationMessage\":"
		  "\"{####\"}}",
		    CMFA_ERR_VALIDATION, IPE,
		    "2 validation errors detected: Value '{####' at "
		    "'smsMfaConfiguration.smsAuthenticationMessage' failed to "
		    "satisfy constraint: Member must have length greater than "
		    "or equal to 6; Value '{####' at "
		    "'smsMfaConfiguration.smsAuthenticationMessage' failed to "
		    "satisfy constraint: Member must satisfy regular "
		    "expression "
		    "pattern: .*\\{####\\}.*" },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsAuthenticationMessage\":"
		  "\"{####}\"}}",
		    CMFA_OK, NULL, NULL },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsAuthenticationMessage\":"
		  "\"Code\\n{####}\"}}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1
		    "Value 'Code?{####}' at "
		    "'smsMfaConfiguration.smsAuthenticationMessage' failed to "
		    "satisfy constraint: Member must satisfy regular "
		    "expression "
		    "pattern: .*\\{####\\}.*" },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsAuthenticationMessage\":"
		  "\"{####} \\u2028\"}}",
		    CMFA_ERR_VALIDATION, IPE, NULL },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsAuthenticationMessage\":"
		  "\"no code here\"}}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1
		    "Value 'no code here' at "
		    "'smsMfaConfiguration.smsAuthenticationMessage' failed to "
		    "satisfy constraint: Member must satisfy regular "
		    "expression "
		    "pattern: .*\\{####\\}.*" },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsConfiguration\":{"
		  "\"SnsCallerArn\":\"bad\"}}}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1 "Value 'bad' at "
		       "'smsMfaConfiguration.smsConfiguration.snsCallerArn' "
		       "failed "
		       "to satisfy constraint: Member must satisfy regular "
		       "expression pattern: (arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:"
		       "([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?"
		       "(:[\\w+=/,.@-]+)?)?" },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsConfiguration\":{"
		  "\"SnsCallerArn\":\"\"}}}",
		    CMFA_OK, NULL, NULL },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsConfiguration\":{"
		  "\"SnsRegion\":\"us-e\"}}}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1
		    "Value 'us-e' at "
		    "'smsMfaConfiguration.smsConfiguration.snsRegion' failed "
		    "to "
		    "satisfy constraint: Member must have length greater than "
		    "or equal to 5" },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsConfiguration\":{"
		  "\"SnsRegion\":\"us-e1\"}}}",
		    CMFA_OK, NULL, NULL },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsConfiguration\":{"
		  "\"EumsSms\":{}}}}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1
		    "Value null at "
		    "'smsMfaConfiguration.smsConfiguration.eumsSms.callerArn' "
		    "failed to satisfy constraint: Member must not be null" },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsConfiguration\":{"
		  "\"EumsSms\":{\"CallerArn\":\"arn:aws:iam::1:role\"}}}}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1
		    "Value 'arn:aws:iam::1:role' at "
		    "'smsMfaConfiguration.smsConfiguration.eumsSms.callerArn' "
		    "failed to satisfy constraint: Member must have length "
		    "greater than or equal to 20" },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsConfiguration\":{"
		  "\"EumsSms\":{\"CallerArn\":\"arn:aws:iam::1:role/\"}}}}",
		    CMFA_OK, NULL, NULL },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsConfiguration\":{"
		  "\"EumsSms\":{\"CallerArn\":\"arn:aws:iam::1:role/x\","
		  "\"Region\":\"x\"}}}}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1 "Value 'x' at "
		       "'smsMfaConfiguration.smsConfiguration.eumsSms.region' "
		       "failed to satisfy constraint: Member must have length "
		       "greater than or equal to 5" },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"EmailMfaConfiguration\":{\"Message\":\"{###}\"}}",
		    CMFA_ERR_VALIDATION, IPE,
		    "2 validation errors detected: Value '{###}' at "
		    "'emailMfaConfiguration.message' failed to satisfy "
		    "constraint: Member must have length greater than or equal "
		    "to 6; Value '{###}' at 'emailMfaConfiguration.message' "
		    "failed to satisfy constraint: Member must satisfy regular "
		    "expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*"
		    "\\{####\\}[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*" },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"EmailMfaConfiguration\":{\"Message\":\"{####}\","
		  "\"Subject\":\"\"}}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1 "Value '' at 'emailMfaConfiguration.subject' failed to "
		       "satisfy constraint: Member must satisfy regular "
		       "expression "
		       "pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s]+" },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"EmailMfaConfiguration\":{\"Message\":\"{####}\\u0001\"}}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1 "Value '{####}?' at "
		       "'emailMfaConfiguration.message' failed to satisfy "
		       "constraint: Member must satisfy regular expression "
		       "pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*"
		       "\\{####\\}[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*" },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"EmailMfaConfiguration\":{\"Message\":\"Code:\\n\\t{####}"
		  "\",\"Subject\":\"\\u00c9 \\t code\"}}",
		    CMFA_OK, NULL, NULL },
		{ "{" POOL ",\"WebAuthnConfiguration\":{\"RelyingPartyId\":"
		  "\"\"}}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1 "Value '' at 'webAuthnConfiguration.relyingPartyId' "
		       "failed to satisfy constraint: Member must have length "
		       "greater than or equal to 1" },
		{ "{" POOL ",\"WebAuthnConfiguration\":{\"UserVerification\":"
		  "\"REQUIRED\"}}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1 "Value 'REQUIRED' at "
		       "'webAuthnConfiguration.userVerification' failed to "
		       "satisfy "
		       "constraint: Member must satisfy enum value set: "
		       "[required, preferred]" },
		{ "{" POOL ",\"WebAuthnConfiguration\":{"
		  "\"FactorConfiguration\":\"x\"}}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1
		    "Value 'x' at 'webAuthnConfiguration.factorConfiguration'"
		    " failed to satisfy constraint: Member must satisfy enum "
		    "value set: [MULTI_FACTOR_WITH_USER_VERIFICATION, "
		    "SINGLE_FACTOR]" },
		{ "{" POOL ",\"WebAuthnConfiguration\":{\"RelyingPartyId\":"
		  "\"a\",\"UserVerification\":\"required\","
		  "\"FactorConfiguration\":\"SINGLE_FACTOR\"}}",
		    CMFA_OK, NULL, NULL },
		/* several errors: model order, depth first */
		{ "{\"MfaConfiguration\":\"off\",\"SmsMfaConfiguration\":{"
		  "\"SmsAuthenticationMessage\":\"abc\"}}",
		    CMFA_ERR_VALIDATION, IPE,
		    "4 validation errors detected: Value null at "
		    "'userPoolId' failed to satisfy constraint: Member must "
		    "not "
		    "be null; Value 'abc' at "
		    "'smsMfaConfiguration.smsAuthenticationMessage' failed to "
		    "satisfy constraint: Member must have length greater than "
		    "or equal to 6; Value 'abc' at "
		    "'smsMfaConfiguration.smsAuthenticationMessage' failed to "
		    "satisfy constraint: Member must satisfy regular "
		    "expression "
		    "pattern: .*\\{####\\}.*; Value 'off' at "
		    "'mfaConfiguration' "
		    "failed to satisfy constraint: Member must satisfy enum "
		    "value set: [OPTIONAL, OFF, ON]" },
	};

	run_cases(cases, CMFA_ARRAY_LEN(cases), true);
}

static void
test_pool_type_errors(void)
{
	static const struct vcase cases[] = {
		{ "{" POOL ",\"SoftwareTokenMfaConfiguration\":{\"Enabled\":"
		  "\"yes\"}}",
		    CMFA_ERR_VALIDATION, SER,
		    "STRING_VALUE can not be converted to a Boolean" },
		{ "{" POOL ",\"SoftwareTokenMfaConfiguration\":{\"Enabled\":"
		  "1}}",
		    CMFA_ERR_VALIDATION, SER,
		    "NUMBER_VALUE can not be converted to a Boolean" },
		{ "{\"UserPoolId\":1}", CMFA_ERR_VALIDATION, SER,
		    "NUMBER_VALUE can not be converted to a String" },
		{ "{" POOL ",\"MfaConfiguration\":true}", CMFA_ERR_VALIDATION,
		    SER, "BOOLEAN_VALUE can not be converted to a String" },
		{ "{" POOL ",\"SmsMfaConfiguration\":\"x\"}",
		    CMFA_ERR_VALIDATION, SER,
		    "STRING_VALUE can not be converted to a Structure" },
		{ "{" POOL ",\"SmsMfaConfiguration\":[]}", CMFA_ERR_VALIDATION,
		    SER, "Start of list found where not expected." },
		{ "{\"UserPoolId\":{}}", CMFA_ERR_VALIDATION, SER,
		    "Start of structure or map found where not expected." },
		{ "{" POOL ",\"SmsMfaConfiguration\":{\"SmsConfiguration\":{"
		  "\"EumsSms\":{\"CallerArn\":[\"x\"]}}}}",
		    CMFA_ERR_VALIDATION, SER,
		    "Start of list found where not expected." },
		/* a type error wins over constraint errors seen before it */
		{ "{\"UserPoolId\":\"\",\"MfaConfiguration\":5}",
		    CMFA_ERR_VALIDATION, SER,
		    "NUMBER_VALUE can not be converted to a String" },
		/* malformed JSON */
		{ "{\"UserPoolId\":\"a_b\",}", CMFA_ERR_PARSE, SER, NULL },
		{ "{\"UserPoolId\":\"a_b\",\"UserPoolId\":\"c_d\"}",
		    CMFA_ERR_PARSE, SER, NULL },
		{ "[]", CMFA_ERR_PARSE, SER, NULL },
	};

	run_cases(cases, CMFA_ARRAY_LEN(cases), true);
	/* responses are checked for types the same way */
	run_cases(cases + 3, 3, false);
}

static void
test_pool_request_semantics(void)
{
#define OFF_AND                                                                \
	"Invalid MFA configuration given, can't turn off MFA and "             \
	"configure an MFA together."
#define ALL_OFF                                                                \
	"Invalid MFA configuration given, can't disable all MFAs "             \
	"with a required or optional configuration."
	static const struct vcase cases[] = {
		{ "{" POOL ",\"MfaConfiguration\":\"OFF\","
		  "\"SmsMfaConfiguration\":{}}",
		    CMFA_ERR_VALIDATION, IPE, OFF_AND },
		{ "{" POOL ",\"MfaConfiguration\":\"OFF\","
		  "\"SoftwareTokenMfaConfiguration\":{\"Enabled\":false}}",
		    CMFA_ERR_VALIDATION, IPE, OFF_AND },
		{ "{" POOL ",\"MfaConfiguration\":\"OFF\","
		  "\"EmailMfaConfiguration\":{}}",
		    CMFA_ERR_VALIDATION, IPE, OFF_AND },
		/* MfaConfiguration left out is OFF */
		{ "{" POOL ",\"SoftwareTokenMfaConfiguration\":{\"Enabled\":"
		  "true}}",
		    CMFA_ERR_VALIDATION, IPE, OFF_AND },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\"}", CMFA_ERR_VALIDATION,
		    IPE, ALL_OFF },
		{ "{" POOL ",\"MfaConfiguration\":\"OPTIONAL\","
		  "\"SoftwareTokenMfaConfiguration\":{\"Enabled\":false}}",
		    CMFA_ERR_VALIDATION, IPE, ALL_OFF },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"WebAuthnConfiguration\":{\"FactorConfiguration\":"
		  "\"MULTI_FACTOR_WITH_USER_VERIFICATION\"}}",
		    CMFA_ERR_VALIDATION, IPE, ALL_OFF },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true}}",
		    CMFA_OK, NULL, NULL },
		{ "{" POOL ",\"MfaConfiguration\":\"OPTIONAL\","
		  "\"EmailMfaConfiguration\":{}}",
		    CMFA_OK, NULL, NULL },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{}}",
		    CMFA_OK, NULL, NULL },
		{ "{" POOL ",\"MfaConfiguration\":\"OFF\","
		  "\"WebAuthnConfiguration\":{}}",
		    CMFA_OK, NULL, NULL },
		{ "{" POOL ",\"MfaConfiguration\":\"OFF\"}", CMFA_OK, NULL,
		    NULL },
		{ "{" POOL "}", CMFA_OK, NULL, NULL },
		/* the model's constraints are checked first */
		{ "{" POOL ",\"MfaConfiguration\":\"OFF\","
		  "\"SmsMfaConfiguration\":{\"SmsAuthenticationMessage\":"
		  "\"abcdef\"}}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1
		    "Value 'abcdef' at "
		    "'smsMfaConfiguration.smsAuthenticationMessage' failed to "
		    "satisfy constraint: Member must satisfy regular "
		    "expression "
		    "pattern: .*\\{####\\}.*" },
		/* SNS role and End User Messaging are exclusive */
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsConfiguration\":{"
		  "\"SnsCallerArn\":\"arn:aws:iam::1:role/r\",\"EumsSms\":{"
		  "\"CallerArn\":\"arn:aws:iam::1:role/eums\"}}}}",
		    CMFA_ERR_VALIDATION, IPE,
		    "Invalid SMS configuration given, "
		    "SnsCallerArn and EumsSms can't be set together." },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsConfiguration\":{"
		  "\"SnsCallerArn\":\"\",\"EumsSms\":{"
		  "\"CallerArn\":\"arn:aws:iam::1:role/eums\"}}}}",
		    CMFA_OK, NULL, NULL },
		/* EumsSms.Region: the pool's own region or nothing */
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsConfiguration\":{"
		  "\"EumsSms\":{\"CallerArn\":\"arn:aws:iam::1:role/eums\","
		  "\"Region\":\"eu-west-1\"}}}}",
		    CMFA_ERR_VALIDATION, IPE,
		    "Invalid SMS configuration given, EumsSms Region must be "
		    "the "
		    "user pool's region." },
		{ "{" POOL ",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsConfiguration\":{"
		  "\"EumsSms\":{\"CallerArn\":\"arn:aws:iam::1:role/eums\","
		  "\"Region\":\"us-east-1\"}}}}",
		    CMFA_OK, NULL, NULL },
		{ "{\"UserPoolId\":\"local_pool1\",\"MfaConfiguration\":\"ON\","
		  "\"SmsMfaConfiguration\":{\"SmsConfiguration\":{"
		  "\"EumsSms\":{\"CallerArn\":\"arn:aws:iam::1:role/eums\","
		  "\"Region\":\"eu-west-1\"}}}}",
		    CMFA_OK, NULL, NULL },
	};
#undef OFF_AND
#undef ALL_OFF

	run_cases(cases, CMFA_ARRAY_LEN(cases), true);
}

/* A request with one string member set to n copies of unit (+ suffix). */
static char *
make_req(const char *before, const char *unit, size_t n, const char *suffix,
    const char *after)
{
	size_t ul = strlen(unit), len, o = 0, i;
	char *s;

	len = strlen(before) + ul * n + strlen(suffix) + strlen(after) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	memcpy(s + o, before, strlen(before));
	o += strlen(before);
	for (i = 0; i < n; i++, o += ul)
		memcpy(s + o, unit, ul);
	memcpy(s + o, suffix, strlen(suffix));
	o += strlen(suffix);
	memcpy(s + o, after, strlen(after) + 1);
	return s;
}

static enum cmfa_err
req_err(const char *s, struct cmfa_verr *verr)
{
	struct cmfa_pool_config c;
	enum cmfa_err err;

	if (s == NULL)
		return CMFA_ERR_NOMEM;
	err = cmfa_pool_request_parse(s, strlen(s), &c, verr);
	cmfa_pool_free(&c);
	return err;
}

static void
test_pool_length_boundaries(void)
{
	struct cmfa_verr verr;
	char want[1024], a256[257];
	char *s;

	/* SmsAuthenticationMessage 6..140 (UTF-16 units) */
#define SMS_PRE                                                                \
	"{" POOL ",\"MfaConfiguration\":\"ON\","                               \
	"\"SmsMfaConfiguration\":{\"SmsAuthenticationMessage\":\""
	s = make_req(SMS_PRE, "a", 134, "{####}", "\"}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_OK);
	free(s);
	s = make_req(SMS_PRE, "a", 135, "{####}", "\"}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_ERR_VALIDATION);
	snprintf(want, sizeof(want),
	    V1 "Value '%.*s{####}' at "
	       "'smsMfaConfiguration.smsAuthenticationMessage' failed to "
	       "satisfy constraint: Member must have length less than or equal "
	       "to 140",
	    135, s + strlen(SMS_PRE));
	CHECK_STR_EQ(verr.message, want);
	free(s);
	/* 133 + one emoji (2 units) + 6 = 141 units in 140 characters */
	s = make_req(SMS_PRE, "a", 133, "\xf0\x9f\x98\x80{####}", "\"}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_ERR_VALIDATION);
	free(s);
	s = make_req(SMS_PRE, "a", 132, "\xf0\x9f\x98\x80{####}", "\"}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_OK);
	free(s);
	/* two-byte characters count one unit each */
	s = make_req(SMS_PRE, "\xc3\xa9", 134, "{####}", "\"}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_OK);
	free(s);
#undef SMS_PRE

	/* UserPoolId 1..55 */
	s = make_req("{\"UserPoolId\":\"us-east-1_", "a", 45, "", "\"}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_OK);
	free(s);
	s = make_req("{\"UserPoolId\":\"us-east-1_", "a", 46, "", "\"}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_ERR_VALIDATION);
	CHECK(strstr(verr.message,
	          "at 'userPoolId' failed to satisfy "
	          "constraint: Member must have length less than or equal to "
	          "55") != NULL);
	CHECK(strncmp(verr.message, V1, strlen(V1)) == 0);
	free(s);

	/* SnsRegion 5..32 */
#define REG_PRE                                                                \
	"{" POOL ",\"MfaConfiguration\":\"ON\","                               \
	"\"SmsMfaConfiguration\":{\"SmsConfiguration\":{\"SnsRegion\":\""
	s = make_req(REG_PRE, "r", 32, "", "\"}}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_OK);
	free(s);
	s = make_req(REG_PRE, "r", 33, "", "\"}}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_ERR_VALIDATION);
	CHECK(strstr(verr.message, "less than or equal to 32") != NULL);
	free(s);
#undef REG_PRE

	/* ExternalId 0..131072: the quoted value is cut at 256 bytes */
#define EXT_PRE                                                                \
	"{" POOL ",\"MfaConfiguration\":\"ON\","                               \
	"\"SmsMfaConfiguration\":{\"SmsConfiguration\":{\"ExternalId\":\""
	s = make_req(EXT_PRE, "e", 131072, "", "\"}}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_OK);
	free(s);
	s = make_req(EXT_PRE, "e", 131073, "", "\"}}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_ERR_VALIDATION);
	memset(a256, 'e', 256);
	a256[256] = '\0';
	snprintf(want, sizeof(want),
	    V1 "Value '%s...' at "
	       "'smsMfaConfiguration.smsConfiguration.externalId' failed to "
	       "satisfy constraint: Member must have length less than or equal "
	       "to 131072",
	    a256);
	CHECK_STR_EQ(verr.message, want);
	free(s);
#undef EXT_PRE

	/* EmailMfaConfiguration.Message 6..20000 */
#define EM_PRE                                                                 \
	"{" POOL ",\"MfaConfiguration\":\"ON\","                               \
	"\"EmailMfaConfiguration\":{\"Message\":\""
	s = make_req(EM_PRE, "m", 19994, "{####}", "\"}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_OK);
	free(s);
	s = make_req(EM_PRE, "m", 19995, "{####}", "\"}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_ERR_VALIDATION);
	CHECK(strstr(verr.message,
	          "...' at 'emailMfaConfiguration.message' "
	          "failed to satisfy constraint: Member must have length less "
	          "than "
	          "or equal to 20000") != NULL);
	free(s);
	/* a long value cut inside a 3-byte character backs off to its start */
	s = make_req(EM_PRE "m", "\xe2\x82\xac", 20000, "{####}", "\"}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_ERR_VALIDATION);
	CHECK(strstr(verr.message, "\xe2\x82\xac...' at") != NULL);
	free(s);
#undef EM_PRE

	/* WebAuthn RelyingPartyId 1..127 */
#define RP_PRE "{" POOL ",\"WebAuthnConfiguration\":{\"RelyingPartyId\":\""
	s = make_req(RP_PRE, "r", 127, "", "\"}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_OK);
	free(s);
	s = make_req(RP_PRE, "r", 128, "", "\"}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_ERR_VALIDATION);
	CHECK(strstr(verr.message,
	          "'webAuthnConfiguration.relyingPartyId' "
	          "failed to satisfy constraint: Member must have length less "
	          "than "
	          "or equal to 127") != NULL);
	free(s);
#undef RP_PRE

	/* EumsSms.CallerArn 20..2048 */
#define ARN_PRE                                                                \
	"{" POOL ",\"MfaConfiguration\":\"ON\","                               \
	"\"SmsMfaConfiguration\":{\"SmsConfiguration\":{\"EumsSms\":{"         \
	"\"CallerArn\":\"arn:aws:iam::1:role/"
	s = make_req(ARN_PRE, "r", 2048 - 20, "", "\"}}}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_OK);
	free(s);
	s = make_req(ARN_PRE, "r", 2048 - 19, "", "\"}}}}");
	CHECK_INT_EQ(req_err(s, &verr), CMFA_ERR_VALIDATION);
	CHECK(strstr(verr.message, "less than or equal to 2048") != NULL);
	free(s);
#undef ARN_PRE
}

static void
test_pool_request_fields(void)
{
	struct cmfa_pool_config c;
	struct cmfa_verr verr;
	char *s;

	CHECK_INT_EQ(cmfa_pool_request_parse(J("{" POOL ",\"Extra\":1,"
	                                       "\"MfaConfiguration\":\"ON\","
	                                       "\"SmsMfaConfiguration\":{\"X\":"
	                                       "2,"
	                                       "\"SmsAuthenticationMessage\":"
	                                       "\"Code {####}\"},"
	                                       "\"SoftwareTokenMfaConfiguration"
	                                       "\":{\"Enabled\":true}}"),
	                 &c, &verr),
	    CMFA_OK);
	CHECK_STR_EQ(c.user_pool_id, "us-east-1_Abc123");
	CHECK_INT_EQ(c.mfa, CMFA_MFA_ON);
	CHECK(c.sms && c.totp && !c.email && !c.webauthn);
	CHECK_STR_EQ(c.sms_message, "Code {####}");
	CHECK_INT_EQ(cmfa_pool_factors(&c),
	    CMFA_FBIT(CMFA_FACTOR_SMS) | CMFA_FBIT(CMFA_FACTOR_TOTP));
	/* the stored response: no UserPoolId, unknown request members gone */
	s = cmfa_pool_serialize(&c);
	CHECK_STR_EQ(s,
	    "{\"SmsMfaConfiguration\":{\"SmsAuthenticationMessage\""
	    ":\"Code {####}\"},\"SoftwareTokenMfaConfiguration\":{\"Enabled\":"
	    "true},\"MfaConfiguration\":\"ON\"}");
	free(s);
	cmfa_pool_free(&c);
	cmfa_pool_free(&c); /* twice: a no-op */
	cmfa_pool_free(NULL);
}

static void
test_pool_serialize_order(void)
{
	struct cmfa_pool_config c;
	char *s;

	CHECK_INT_EQ(cmfa_pool_parse(J("{\"Zeta\":1,\"WebAuthnConfiguration\":"
	                               "{\"UserVerification\":\"preferred\","
	                               "\"RelyingPartyId\":"
	                               "\"a.example\",\"X\":[1]},"
	                               "\"MfaConfiguration\":\"OPTIONAL\","
	                               "\"UserPoolId\":\"x_y\","
	                               "\"EmailMfaConfiguration\":{\"Subject\":"
	                               "\"S\",\"Message\":\"M "
	                               "{####}\"},"
	                               "\"SoftwareTokenMfaConfiguration\":"
	                               "{\"Enabled\":true},"
	                               "\"SmsMfaConfiguration\":{"
	                               "\"SmsConfiguration\":"
	                               "{\"SnsRegion\":\"us-west-2\","
	                               "\"ExternalId\":\"e\",\"SnsCallerArn\""
	                               ":\"arn:aws:iam::123456789012:role/"
	                               "r\"},\"SmsAuthenticationMessage"
	                               "\":\"Code "
	                               "{####}\"},\"Alpha\":{\"b\":null,\"a\":"
	                               "\"\\u00e9\\n\"}}"),
	                 &c, NULL),
	    CMFA_OK);
	CHECK(c.user_pool_id == NULL);
	s = cmfa_pool_serialize(&c);
	CHECK_STR_EQ(s,
	    "{\"SmsMfaConfiguration\":{\"SmsAuthenticationMessage\""
	    ":\"Code {####}\",\"SmsConfiguration\":{\"SnsCallerArn\":"
	    "\"arn:aws:iam::123456789012:role/r\",\"ExternalId\":\"e\","
	    "\"SnsRegion\":\"us-west-2\"}},\"SoftwareTokenMfaConfiguration\":"
	    "{\"Enabled\":true},\"EmailMfaConfiguration\":{\"Message\":"
	    "\"M {####}\",\"Subject\":\"S\"},\"MfaConfiguration\":\"OPTIONAL\","
	    "\"WebAuthnConfiguration\":{\"RelyingPartyId\":\"a.example\","
	    "\"UserVerification\":\"preferred\",\"X\":[1]},\"Zeta\":1,"
	    "\"Alpha\":{\"b\":null,\"a\":\"\xc3\xa9\\n\"}}");
	free(s);
	cmfa_pool_free(&c);

	/* a zeroed config and an empty document both say OFF */
	memset(&c, 0, sizeof(c));
	s = cmfa_pool_serialize(&c);
	CHECK_STR_EQ(s, "{\"MfaConfiguration\":\"OFF\"}");
	free(s);
	CHECK_INT_EQ(cmfa_pool_parse(J("{\"SmsMfaConfiguration\":null}"), &c,
	                 NULL),
	    CMFA_OK);
	s = cmfa_pool_serialize(&c);
	CHECK_STR_EQ(s, "{\"MfaConfiguration\":\"OFF\"}");
	free(s);
	cmfa_pool_free(&c);
	CHECK(cmfa_pool_serialize(NULL) == NULL);
}

static bool
pool_eq(const struct cmfa_pool_config *a, const struct cmfa_pool_config *b)
{
#define SEQ(x, y)                                                              \
	(((x) == NULL && (y) == NULL) ||                                       \
	    ((x) != NULL && (y) != NULL && strcmp((x), (y)) == 0))
	return a->mfa == b->mfa && a->sms == b->sms && a->totp == b->totp &&
	    a->email == b->email && a->webauthn == b->webauthn &&
	    SEQ(a->sms_message, b->sms_message) &&
	    SEQ(a->sns_caller_arn, b->sns_caller_arn) &&
	    SEQ(a->sns_external_id, b->sns_external_id) &&
	    SEQ(a->sns_region, b->sns_region) &&
	    SEQ(a->email_message, b->email_message) &&
	    SEQ(a->email_subject, b->email_subject);
#undef SEQ
}

static void
test_pool_roundtrip(void)
{
	static const char *const docs[] = {
		example_response,
		"{}",
		"{\"MfaConfiguration\":\"ON\",\"Unknown\":{\"deep\":[1,2,"
		"{\"x\":1.5e300}]},\"SmsMfaConfiguration\":{}}",
		"{\"WebAuthnConfiguration\":{\"FactorConfiguration\":"
		"\"MULTI_FACTOR_WITH_USER_VERIFICATION\"},\"N\":-0.0001}",
	};
	struct cmfa_pool_config a, b;
	char *s1, *s2;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(docs); i++) {
		CHECK_INT_EQ(cmfa_pool_parse(docs[i], strlen(docs[i]), &a,
		                 NULL),
		    CMFA_OK);
		s1 = cmfa_pool_serialize(&a);
		CHECK(s1 != NULL);
		CHECK_INT_EQ(cmfa_pool_parse(s1, strlen(s1), &b, NULL),
		    CMFA_OK);
		CHECK_MSG(pool_eq(&a, &b), "doc %zu", i);
		s2 = cmfa_pool_serialize(&b);
		CHECK_STR_EQ(s1, s2);
		free(s1);
		free(s2);
		cmfa_pool_free(&a);
		cmfa_pool_free(&b);
	}

	/* request -> stored response -> cached parse */
	CHECK_INT_EQ(cmfa_pool_request_parse(J("{" POOL ",\"MfaConfiguration\""
	                                       ":\"OPTIONAL\","
	                                       "\"EmailMfaConfiguration\":{"
	                                       "\"Message\":\"{####}\","
	                                       "\"Subject\":\"s\"},"
	                                       "\"SmsMfaConfiguration\":{"
	                                       "\"SmsConfiguration\""
	                                       ":{\"SnsCallerArn\":\"arn:aws:"
	                                       "iam::1:role/"
	                                       "r\",\"ExternalId\":\"x\"}"
	                                       "}}"),
	                 &a, NULL),
	    CMFA_OK);
	s1 = cmfa_pool_serialize(&a);
	CHECK_INT_EQ(cmfa_pool_parse(s1, strlen(s1), &b, NULL), CMFA_OK);
	CHECK(pool_eq(&a, &b));
	CHECK(b.user_pool_id == NULL);
	free(s1);
	cmfa_pool_free(&a);
	cmfa_pool_free(&b);
}

static void
test_pool_response_corrupt(void)
{
	static const struct vcase cases[] = {
		{ "{\"MfaConfiguration\":\"on\"}", CMFA_ERR_VALIDATION, IPE,
		    V1 "Value 'on' at 'mfaConfiguration' failed to satisfy "
		       "constraint: Member must satisfy enum value set: "
		       "[OPTIONAL, OFF, ON]" },
		{ "{\"SmsMfaConfiguration\":{\"SmsAuthenticationMessage\":"
		  "\"no placeholder\"}}",
		    CMFA_ERR_VALIDATION, IPE, NULL },
		{ "{\"SoftwareTokenMfaConfiguration\":{\"Enabled\":\"true\"}}",
		    CMFA_ERR_VALIDATION, SER,
		    "STRING_VALUE can not be converted to a Boolean" },
		{ "{\"SoftwareTokenMfaConfiguration\":true}",
		    CMFA_ERR_VALIDATION, SER,
		    "BOOLEAN_VALUE can not be converted to a Structure" },
		{ "{\"MfaConfiguration\":\"OFF\"} trailing", CMFA_ERR_PARSE,
		    SER, NULL },
		{ "{\"MfaConfiguration\":\"OFF\",\"MfaConfiguration\":\"ON\"}",
		    CMFA_ERR_PARSE, SER, NULL },
		/* UserPoolId is not part of a response: kept as unknown */
		{ "{\"UserPoolId\":5}", CMFA_OK, NULL, NULL },
	};

	run_cases(cases, CMFA_ARRAY_LEN(cases), false);
}

static void
test_pool_args(void)
{
	struct cmfa_pool_config c;
	char *big;

	CHECK_INT_EQ(cmfa_pool_parse(J("{}"), NULL, NULL), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_pool_request_parse(J("{}"), NULL, NULL),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_pool_factors(NULL), 0);
	if ((big = calloc(1, CMFA_JSON_MAX_BYTES + 1)) == NULL)
		SKIP("no memory");
	memset(big, ' ', CMFA_JSON_MAX_BYTES + 1);
	big[0] = '{';
	big[CMFA_JSON_MAX_BYTES] = '}';
	CHECK_INT_EQ(cmfa_pool_parse(big, CMFA_JSON_MAX_BYTES + 1, &c, NULL),
	    CMFA_ERR_TOOBIG);
	CHECK(all_zero(&c, sizeof(c)));
	free(big);
}

TEST_MAIN_BEGIN("test_model_pool")
	RUN(test_pool_parse_example);
	RUN(test_pool_parse_minimal);
	RUN(test_pool_request_constraints);
	RUN(test_pool_type_errors);
	RUN(test_pool_request_semantics);
	RUN(test_pool_length_boundaries);
	RUN(test_pool_request_fields);
	RUN(test_pool_serialize_order);
	RUN(test_pool_roundtrip);
	RUN(test_pool_response_corrupt);
	RUN(test_pool_args);
TEST_MAIN_END
