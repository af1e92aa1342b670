/*
 * test_model_user.c: AdminGetUser records: fields, attributes, factors,
 * legacy MFAOptions, every constraint with Cognito's message, wrong types,
 * unknown members, serialization order, cmfa_user_new.
 */
#include "cmfa_test.h"
#include "cmfa_core.h"

#define J(s) (s), (sizeof(s) - 1)
#define V1 "1 validation error detected: "
#define IPE "InvalidParameterException"
#define SER "SerializationException"

static const char alice[] =
    "{\"Username\":\"alice\",\"UserAttributes\":["
    "{\"Name\":\"sub\",\"Value\":\"1234-abcd\"},"
    "{\"Name\":\"phone_number\",\"Value\":\"+15555550100\"},"
    "{\"Name\":\"phone_number_verified\",\"Value\":\"true\"},"
    "{\"Name\":\"email\",\"Value\":\"alice@example.com\"},"
    "{\"Name\":\"email_verified\",\"Value\":\"false\"}],"
    "\"UserCreateDate\":1548108509.537,"
    "\"UserLastModifiedDate\":1548108510,"
    "\"Enabled\":true,\"UserStatus\":\"CONFIRMED\","
    "\"PreferredMfaSetting\":\"SOFTWARE_TOKEN_MFA\","
    "\"UserMFASettingList\":[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]}";

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
test_user_parse_full(void)
{
	struct cmfa_user u;
	struct cmfa_verr verr;
	char *s;

	CHECK_INT_EQ(cmfa_user_parse(J(alice), &u, &verr), CMFA_OK);
	CHECK_STR_EQ(verr.type, "");
	CHECK_STR_EQ(u.username, "alice");
	CHECK(u.enabled);
	CHECK_INT_EQ(u.status, CMFA_USER_STATUS_CONFIRMED);
	CHECK(u.has_mfa_list && !u.legacy_sms);
	CHECK_INT_EQ(u.mfa_list,
	    CMFA_FBIT(CMFA_FACTOR_SMS) | CMFA_FBIT(CMFA_FACTOR_TOTP));
	CHECK_INT_EQ(u.preferred, CMFA_FACTOR_TOTP);
	CHECK_STR_EQ(u.phone_number, "+15555550100");
	CHECK_STR_EQ(u.email, "alice@example.com");
	CHECK(u.phone_verified && !u.email_verified);
	CHECK_STR_EQ(cmfa_user_attr(&u, "sub"), "1234-abcd");
	CHECK(cmfa_user_attr(&u, "name") == NULL);
	CHECK(cmfa_user_attr(&u, NULL) == NULL);
	CHECK(cmfa_user_attr(NULL, "sub") == NULL);
	CHECK_INT_EQ(cmfa_user_factors(&u), u.mfa_list);
	s = cmfa_user_serialize(&u);
	CHECK_STR_EQ(s, alice); /* already in the model's order */
	free(s);
	cmfa_user_free(&u);
	CHECK(all_zero(&u, sizeof(u)));
	cmfa_user_free(&u);
	cmfa_user_free(NULL);
}

static void
test_user_defaults(void)
{
	struct cmfa_user u;

	CHECK_INT_EQ(cmfa_user_parse(J("{\"Username\":\"bob\"}"), &u, NULL),
	    CMFA_OK);
	CHECK(u.enabled); /* absent: true */
	CHECK_INT_EQ(u.status, CMFA_USER_STATUS_NONE);
	CHECK(!u.has_mfa_list && !u.legacy_sms);
	CHECK_INT_EQ(u.preferred, CMFA_FACTOR_NONE);
	CHECK(u.phone_number == NULL && u.email == NULL);
	CHECK_INT_EQ(cmfa_user_factors(&u), 0);
	cmfa_user_free(&u);

	CHECK_INT_EQ(cmfa_user_parse(J("{\"Username\":\"bob\",\"Enabled\":"
	                               "false,\"UserStatus\":null}"),
	                 &u, NULL),
	    CMFA_OK);
	CHECK(!u.enabled);
	CHECK_INT_EQ(u.status, CMFA_USER_STATUS_NONE);
	cmfa_user_free(&u);
}

static void
test_user_statuses(void)
{
	static const struct {
		const char *name;
		enum cmfa_user_status st;
	} cases[] = {
		{ "UNCONFIRMED", CMFA_USER_STATUS_UNCONFIRMED },
		{ "CONFIRMED", CMFA_USER_STATUS_CONFIRMED },
		{ "ARCHIVED", CMFA_USER_STATUS_ARCHIVED },
		{ "COMPROMISED", CMFA_USER_STATUS_COMPROMISED },
		{ "UNKNOWN", CMFA_USER_STATUS_UNKNOWN },
		{ "RESET_REQUIRED", CMFA_USER_STATUS_RESET_REQUIRED },
		{ "FORCE_CHANGE_PASSWORD",
		    CMFA_USER_STATUS_FORCE_CHANGE_PASSWORD },
		{ "EXTERNAL_PROVIDER", CMFA_USER_STATUS_EXTERNAL_PROVIDER },
	};
	struct cmfa_user u;
	struct cmfa_verr verr;
	char doc[128];
	size_t i;
	int n;

	for (i = 0; i < CMFA_ARRAY_LEN(cases); i++) {
		n = snprintf(doc, sizeof(doc),
		    "{\"Username\":\"u\","
		    "\"UserStatus\":\"%s\"}",
		    cases[i].name);
		CHECK_INT_EQ(cmfa_user_parse(doc, (size_t)n, &u, NULL),
		    CMFA_OK);
		CHECK_INT_EQ(u.status, cases[i].st);
		cmfa_user_free(&u);
	}
	/* a status this version does not know is kept, not a corrupt
	 * cache: the policy never reads it */
	CHECK_INT_EQ(cmfa_user_parse(J("{\"Username\":\"u\",\"UserStatus\":"
	                               "\"ACTIVE\"}"),
	                 &u, &verr),
	    CMFA_OK);
	CHECK_INT_EQ(u.status, CMFA_USER_STATUS_NONE);
	{
		char *out = cmfa_user_serialize(&u);

		CHECK(out != NULL &&
		    strstr(out, "\"UserStatus\":\"ACTIVE\"") != NULL);
		free(out);
	}
	cmfa_user_free(&u);
	/* but it must still be a string */
	CHECK_INT_EQ(cmfa_user_parse(J("{\"Username\":\"u\",\"UserStatus\":"
	                               "7}"),
	                 &u, &verr),
	    CMFA_ERR_VALIDATION);
	CHECK(all_zero(&u, sizeof(u)));
}

static void
test_user_factors_legacy(void)
{
	struct cmfa_user u;
	char *s;

	/* legacy path: no list, MFAOptions names SMS */
	CHECK_INT_EQ(cmfa_user_parse(J("{\"Username\":\"u\",\"MFAOptions\":"
	                               "[{\"DeliveryMedium\":\"SMS\","
	                               "\"AttributeName\":\"phone_number\"}]"
	                               "}"),
	                 &u, NULL),
	    CMFA_OK);
	CHECK(u.legacy_sms && !u.has_mfa_list);
	CHECK_INT_EQ(cmfa_user_factors(&u), CMFA_FBIT(CMFA_FACTOR_SMS));
	cmfa_user_free(&u);

	/* a present list wins, even empty */
	CHECK_INT_EQ(cmfa_user_parse(J("{\"Username\":\"u\",\"MFAOptions\":"
	                               "[{\"DeliveryMedium\":\"SMS\"}],"
	                               "\"UserMFASettingList\":[]}"),
	                 &u, NULL),
	    CMFA_OK);
	CHECK(u.legacy_sms && u.has_mfa_list);
	CHECK_INT_EQ(cmfa_user_factors(&u), 0);
	cmfa_user_free(&u);

	/* EMAIL in MFAOptions is not legacy SMS */
	CHECK_INT_EQ(cmfa_user_parse(J("{\"Username\":\"u\",\"MFAOptions\":"
	                               "[{\"DeliveryMedium\":\"EMAIL\","
	                               "\"AttributeName\":\"email\"},{}]}"),
	                 &u, NULL),
	    CMFA_OK);
	CHECK(!u.legacy_sms);
	CHECK_INT_EQ(cmfa_user_factors(&u), 0);
	cmfa_user_free(&u);

	/* unknown values kept and ignored; unknown preference ignored */
	CHECK_INT_EQ(cmfa_user_parse(J("{\"Username\":\"u\","
	                               "\"UserMFASettingList\":[\"EMAIL_OTP\","
	                               "\"WEB_AUTHN\",\"SMS_MFA\","
	                               "\"sms_mfa\"],\"PreferredMfaSetting\":"
	                               "\"WEB_AUTHN\"}"),
	                 &u, NULL),
	    CMFA_OK);
	CHECK_INT_EQ(u.mfa_list,
	    CMFA_FBIT(CMFA_FACTOR_SMS) | CMFA_FBIT(CMFA_FACTOR_EMAIL));
	CHECK_INT_EQ(u.preferred, CMFA_FACTOR_NONE);
	s = cmfa_user_serialize(&u);
	CHECK_STR_EQ(s,
	    "{\"Username\":\"u\",\"PreferredMfaSetting\":"
	    "\"WEB_AUTHN\",\"UserMFASettingList\":[\"EMAIL_OTP\",\"WEB_AUTHN\","
	    "\"SMS_MFA\",\"sms_mfa\"]}");
	free(s);
	cmfa_user_free(&u);
}

static void
test_user_attributes(void)
{
	struct cmfa_user u;

	CHECK_INT_EQ(cmfa_user_parse(J("{\"Username\":\"u\",\"UserAttributes\""
	                               ":[{\"Name\":\"phone_number\",\"Value\":"
	                               "\"\"},{\"Name\":\"email\"},"
	                               "{\"Name\":\"phone_number_verified\","
	                               "\"Value\":\"True\"},"
	                               "{\"Name\":\"email_verified\",\"Value\":"
	                               "\"true\"},"
	                               "{\"Name\":\"custom:x "
	                               "y\",\"Value\":null}]}"),
	                 &u, NULL),
	    CMFA_OK);
	CHECK(u.phone_number == NULL); /* empty is no destination */
	CHECK(u.email == NULL);        /* no Value */
	CHECK(!u.phone_verified);      /* exactly "true" only */
	CHECK(u.email_verified);
	CHECK_STR_EQ(cmfa_user_attr(&u, "phone_number"), "");
	CHECK(cmfa_user_attr(&u, "custom:x y") == NULL);
	cmfa_user_free(&u);

	/* an empty list, or no attributes at all */
	CHECK_INT_EQ(cmfa_user_parse(J("{\"Username\":\"u\","
	                               "\"UserAttributes\":[]}"),
	                 &u, NULL),
	    CMFA_OK);
	CHECK(cmfa_user_attr(&u, "email") == NULL);
	cmfa_user_free(&u);
}

struct vcase {
	const char *json;
	enum cmfa_err err;
	const char *type;
	const char *msg;
};

static void
run_cases(const struct vcase *cases, size_t n)
{
	struct cmfa_user u;
	struct cmfa_verr verr;
	enum cmfa_err err;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&u, 0x5a, sizeof(u));
		memset(&verr, 0, sizeof(verr));
		err = cmfa_user_parse(cases[i].json, strlen(cases[i].json), &u,
		    &verr);
		CHECK_MSG(err == cases[i].err, "case %zu: err %d", i, (int)err);
		if (err == CMFA_OK) {
			cmfa_user_free(&u);
			continue;
		}
		CHECK_MSG(all_zero(&u, sizeof(u)), "case %zu: not zeroed", i);
		CHECK_MSG(strcmp(verr.type, cases[i].type) == 0,
		    "case %zu: type %s", i, verr.type);
		if (cases[i].msg != NULL)
			CHECK_MSG(strcmp(verr.message, cases[i].msg) == 0,
			    "case %zu:\n   got: %s\n  want: %s", i,
			    verr.message, cases[i].msg);
	}
}

#define UNAME_PAT "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
#define ANAME_PAT "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r ]+"

static void
test_user_constraints(void)
{
	static const struct vcase cases[] = {
		{ "{\"Enabled\":true}", CMFA_ERR_VALIDATION, IPE,
		    V1 "Value null at 'username' failed to satisfy constraint: "
		       "Member must not be null" },
		/* Username is sensitive: its value is never quoted */
		{ "{\"Username\":\"\"}", CMFA_ERR_VALIDATION, IPE,
		    "2 validation errors detected: Value at 'username' failed "
		    "to satisfy constraint: Member must have length greater "
		    "than or equal to 1; Value at 'username' failed to satisfy "
		    "constraint: Member must satisfy regular expression "
		    "pattern: " UNAME_PAT },
		{ "{\"Username\":\"a b\"}", CMFA_ERR_VALIDATION, IPE,
		    V1 "Value at 'username' failed to satisfy constraint: "
		       "Member must satisfy regular expression "
		       "pattern: " UNAME_PAT },
		{ "{\"Username\":\"u\",\"UserAttributes\":[{\"Name\":\"email\","
		  "\"Value\":\"a@b\"},{\"Value\":\"x\"}]}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1 "Value null at "
		       "'userAttributes.2.member.name' failed to satisfy "
		       "constraint: Member must not be null" },
		{ "{\"Username\":\"u\",\"UserAttributes\":[{\"Name\":\"\"}]}",
		    CMFA_ERR_VALIDATION, IPE,
		    "2 validation errors detected: "
		    "Value '' at 'userAttributes.1.member.name' failed to "
		    "satisfy constraint: Member must have length greater than "
		    "or equal to 1; Value '' at 'userAttributes.1.member.name' "
		    "failed to satisfy constraint: Member must satisfy regular "
		    "expression pattern: " ANAME_PAT },
		{ "{\"Username\":\"u\",\"UserAttributes\":[{\"Name\":"
		  "\"123456789012345678901234567890123\"}]}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1
		    "Value "
		    "'123456789012345678901234567890123' at "
		    "'userAttributes.1.member.name' failed to satisfy "
		    "constraint: Member must have length less than or equal to "
		    "32" },
		{ "{\"Username\":\"u\",\"UserAttributes\":[{\"Name\":"
		  "\"12345678901234567890123456789012\"}]}",
		    CMFA_OK, NULL, NULL },
		{ "{\"Username\":\"u\",\"UserAttributes\":[{\"Name\":"
		  "\"a\\u000bb\"}]}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1
		    "Value 'a?b' at 'userAttributes.1.member.name' failed to "
		    "satisfy constraint: Member must satisfy regular "
		    "expression "
		    "pattern: " ANAME_PAT },
		{ "{\"Username\":\"u\",\"MFAOptions\":[{\"DeliveryMedium\":"
		  "\"VOICE\"}]}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1 "Value 'VOICE' at 'mFAOptions.1.member.deliveryMedium' "
		       "failed to satisfy constraint: Member must satisfy enum "
		       "value set: [SMS, EMAIL]" },
		{ "{\"Username\":\"u\",\"MFAOptions\":[{\"AttributeName\":"
		  "\"\"}]}",
		    CMFA_ERR_VALIDATION, IPE, NULL },
		{ "{\"Username\":\"u\",\"UserAttributes\":[{\"Name\":\"email\","
		  "\"Value\":\"a\"},{\"Name\":\"sub\"},{\"Name\":\"email\","
		  "\"Value\":\"b\"}]}",
		    CMFA_ERR_VALIDATION, IPE,
		    "Duplicate attribute name: email" },
	};

	run_cases(cases, CMFA_ARRAY_LEN(cases));
}

static void
test_user_lengths(void)
{
	struct cmfa_user u;
	struct cmfa_verr verr;
	char doc[4096];
	char name[130], value[2050];
	int n;

	/* Username 1..128 (UTF-16 units) */
	memset(name, 'n', sizeof(name));
	name[128] = '\0';
	n = snprintf(doc, sizeof(doc), "{\"Username\":\"%s\"}", name);
	CHECK_INT_EQ(cmfa_user_parse(doc, (size_t)n, &u, &verr), CMFA_OK);
	cmfa_user_free(&u);
	name[128] = 'n';
	name[129] = '\0';
	n = snprintf(doc, sizeof(doc), "{\"Username\":\"%s\"}", name);
	CHECK_INT_EQ(cmfa_user_parse(doc, (size_t)n, &u, &verr),
	    CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(verr.message,
	    V1 "Value at 'username' failed to satisfy "
	       "constraint: Member must have length less than or equal to 128");

	/* Value at most 2048, sensitive */
	memset(value, 'v', sizeof(value));
	value[2048] = '\0';
	n = snprintf(doc, sizeof(doc),
	    "{\"Username\":\"u\",\"UserAttributes\""
	    ":[{\"Name\":\"a\",\"Value\":\"%s\"}]}",
	    value);
	CHECK_INT_EQ(cmfa_user_parse(doc, (size_t)n, &u, &verr), CMFA_OK);
	CHECK_INT_EQ(strlen(cmfa_user_attr(&u, "a")), 2048);
	cmfa_user_free(&u);
	value[2048] = 'v';
	value[2049] = '\0';
	n = snprintf(doc, sizeof(doc),
	    "{\"Username\":\"u\",\"UserAttributes\""
	    ":[{\"Name\":\"a\",\"Value\":\"x\"},{\"Name\":\"b\",\"Value\":"
	    "\"%s\"}]}",
	    value);
	CHECK_INT_EQ(cmfa_user_parse(doc, (size_t)n, &u, &verr),
	    CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(verr.message,
	    V1
	    "Value at 'userAttributes.2.member.value'"
	    " failed to satisfy constraint: Member must have length less than "
	    "or equal to 2048");
}

static void
test_user_type_errors(void)
{
	static const struct vcase cases[] = {
		{ "{\"Username\":\"u\",\"UserCreateDate\":\"2020-01-01\"}",
		    CMFA_ERR_VALIDATION, SER,
		    "STRING_VALUE can not be converted to a Timestamp" },
		{ "{\"Username\":\"u\",\"UserMFASettingList\":\"SMS_MFA\"}",
		    CMFA_ERR_VALIDATION, SER,
		    "STRING_VALUE can not be converted to a List" },
		{ "{\"Username\":\"u\",\"UserMFASettingList\":[1]}",
		    CMFA_ERR_VALIDATION, SER,
		    "NUMBER_VALUE can not be converted to a String" },
		{ "{\"Username\":\"u\",\"UserMFASettingList\":[null]}",
		    CMFA_ERR_VALIDATION, SER,
		    "NULL_VALUE can not be converted to a list member" },
		{ "{\"Username\":\"u\",\"UserAttributes\":{}}",
		    CMFA_ERR_VALIDATION, SER,
		    "Start of structure or map found where not expected." },
		{ "{\"Username\":\"u\",\"UserAttributes\":[[]]}",
		    CMFA_ERR_VALIDATION, SER,
		    "Start of list found where not expected." },
		{ "{\"Username\":\"u\",\"Enabled\":\"true\"}",
		    CMFA_ERR_VALIDATION, SER,
		    "STRING_VALUE can not be converted to a Boolean" },
		{ "{\"Username\":[\"u\"]}", CMFA_ERR_VALIDATION, SER,
		    "Start of list found where not expected." },
		{ "{\"Username\":\"u\",\"PreferredMfaSetting\":1}",
		    CMFA_ERR_VALIDATION, SER,
		    "NUMBER_VALUE can not be converted to a String" },
		{ "{\"Username\":\"u\",\"Username\":\"v\"}", CMFA_ERR_PARSE,
		    SER, NULL },
		{ "{\"Username\":\"u\\u0000root\"}", CMFA_ERR_PARSE, SER,
		    NULL },
		{ "{\"Username\":\"u\",\"UserCreateDate\":1e999}",
		    CMFA_ERR_PARSE, SER, NULL },
		/* unknown members of any type are fine */
		{ "{\"Username\":\"u\",\"X\":[{\"Y\":null}],\"Z\":1e300}",
		    CMFA_OK, NULL, NULL },
	};

	run_cases(cases, CMFA_ARRAY_LEN(cases));
}

static void
test_user_serialize_order(void)
{
	struct cmfa_user u, v;
	char *s, *s2;

	CHECK_INT_EQ(cmfa_user_parse(J("{\"Extra\":{\"a\":[1]},"
	                               "\"UserMFASettingList\":[\"EMAIL_OTP\"],"
	                               "\"Enabled\":false,"
	                               "\"MFAOptions\":[{\"AttributeName\":"
	                               "\"phone_number\","
	                               "\"DeliveryMedium\":\"SMS\",\"Q\":1}],"
	                               "\"UserAttributes\":"
	                               "[{\"Value\":\"x@example.com\",\"Name\":"
	                               "\"email\",\"Z\":true}],"
	                               "\"Username\":\"carol\",\"UserStatus\":"
	                               "\"FORCE_CHANGE_PASSWORD\","
	                               "\"UserCreateDate\":1.5,"
	                               "\"PreferredMfaSetting\":\"EMAIL_"
	                               "OTP\"}"),
	                 &u, NULL),
	    CMFA_OK);
	s = cmfa_user_serialize(&u);
	CHECK_STR_EQ(s,
	    "{\"Username\":\"carol\",\"UserAttributes\":[{\"Name\":"
	    "\"email\",\"Value\":\"x@example.com\",\"Z\":true}],"
	    "\"UserCreateDate\":1.5,\"Enabled\":false,\"UserStatus\":"
	    "\"FORCE_CHANGE_PASSWORD\",\"MFAOptions\":[{\"DeliveryMedium\":"
	    "\"SMS\",\"AttributeName\":\"phone_number\",\"Q\":1}],"
	    "\"PreferredMfaSetting\":\"EMAIL_OTP\",\"UserMFASettingList\":"
	    "[\"EMAIL_OTP\"],\"Extra\":{\"a\":[1]}}");
	/* round trip: same record, same text */
	CHECK_INT_EQ(cmfa_user_parse(s, strlen(s), &v, NULL), CMFA_OK);
	CHECK_STR_EQ(v.username, u.username);
	CHECK(v.enabled == u.enabled && v.status == u.status &&
	    v.mfa_list == u.mfa_list && v.has_mfa_list == u.has_mfa_list &&
	    v.legacy_sms == u.legacy_sms && v.preferred == u.preferred);
	CHECK_STR_EQ(v.email, "x@example.com");
	s2 = cmfa_user_serialize(&v);
	CHECK_STR_EQ(s, s2);
	free(s);
	free(s2);
	cmfa_user_free(&u);
	cmfa_user_free(&v);
	CHECK(cmfa_user_serialize(NULL) == NULL);
}

static void
test_user_new(void)
{
	struct cmfa_user u;
	struct cmfa_verr verr;
	cJSON *attrs;
	char *s;

	CHECK_INT_EQ(cmfa_user_new("bob", NULL, &u, &verr), CMFA_OK);
	CHECK_STR_EQ(u.username, "bob");
	CHECK(u.enabled);
	CHECK_INT_EQ(u.status, CMFA_USER_STATUS_CONFIRMED);
	CHECK(!u.has_mfa_list && u.preferred == CMFA_FACTOR_NONE);
	s = cmfa_user_serialize(&u);
	CHECK_STR_EQ(s,
	    "{\"Username\":\"bob\",\"Enabled\":true,"
	    "\"UserStatus\":\"CONFIRMED\"}");
	free(s);
	cmfa_user_free(&u);

	/* attributes: only Name and Value are kept */
	attrs = cJSON_Parse(
	    "[{\"Name\":\"email\",\"Junk\":{\"deep\":[1]},"
	    "\"Value\":\"b@example.com\"},{\"Name\":\"phone_number\","
	    "\"Value\":\"+15555550101\"}]");
	CHECK_INT_EQ(cmfa_user_new("bob", attrs, &u, &verr), CMFA_OK);
	CHECK_STR_EQ(u.email, "b@example.com");
	CHECK_STR_EQ(u.phone_number, "+15555550101");
	CHECK(!u.email_verified);
	s = cmfa_user_serialize(&u);
	CHECK_STR_EQ(s,
	    "{\"Username\":\"bob\",\"UserAttributes\":[{\"Name\":"
	    "\"email\",\"Value\":\"b@example.com\"},{\"Name\":"
	    "\"phone_number\",\"Value\":\"+15555550101\"}],\"Enabled\":true,"
	    "\"UserStatus\":\"CONFIRMED\"}");
	free(s);
	cmfa_user_free(&u);
	cJSON_Delete(attrs);

	memset(&u, 1, sizeof(u));
	CHECK_INT_EQ(cmfa_user_new(NULL, NULL, &u, &verr), CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(verr.message,
	    V1 "Value null at 'username' failed to "
	       "satisfy constraint: Member must not be null");
	CHECK(all_zero(&u, sizeof(u)));
	CHECK_INT_EQ(cmfa_user_new("a b", NULL, &u, &verr),
	    CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(verr.message,
	    V1 "Value at 'username' failed to satisfy "
	       "constraint: Member must satisfy regular expression "
	       "pattern: " UNAME_PAT);
	CHECK_INT_EQ(cmfa_user_new("\xff", NULL, &u, &verr),
	    CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(verr.type, SER);
	CHECK_STR_EQ(verr.message, "Invalid UTF-8 in a string value.");

	attrs = cJSON_Parse("{\"Name\":\"email\"}");
	CHECK_INT_EQ(cmfa_user_new("bob", attrs, &u, &verr),
	    CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(verr.message,
	    "Start of structure or map found where not expected.");
	cJSON_Delete(attrs);
	attrs = cJSON_Parse("[{\"Name\":\"a\\u000bb\",\"Value\":\"x\"}]");
	CHECK_INT_EQ(cmfa_user_new("bob", attrs, &u, &verr),
	    CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(verr.message,
	    V1 "Value 'a?b' at "
	       "'userAttributes.1.member.name' failed to satisfy constraint: "
	       "Member must satisfy regular expression pattern: " ANAME_PAT);
	cJSON_Delete(attrs);
	attrs = cJSON_Parse("[{\"Name\":\"email\",\"Value\":\"x\"},"
	                    "{\"Name\":\"email\",\"Value\":\"y\"}]");
	CHECK_INT_EQ(cmfa_user_new("bob", attrs, &u, &verr),
	    CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(verr.message, "Duplicate attribute name: email");
	cJSON_Delete(attrs);
	CHECK_INT_EQ(cmfa_user_new("bob", NULL, NULL, &verr), CMFA_ERR_INVAL);
}

TEST_MAIN_BEGIN("test_model_user")
	RUN(test_user_parse_full);
	RUN(test_user_defaults);
	RUN(test_user_statuses);
	RUN(test_user_factors_legacy);
	RUN(test_user_attributes);
	RUN(test_user_constraints);
	RUN(test_user_lengths);
	RUN(test_user_type_errors);
	RUN(test_user_serialize_order);
	RUN(test_user_new);
TEST_MAIN_END
