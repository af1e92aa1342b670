/*
 * test_model_pref.c: Set/AdminSetUserMFAPreference: request shapes with
 * Cognito's messages, and every rule of cmfa_mfa_pref_apply() against a
 * pool and a user record, with the resulting AdminGetUser document.
 */
#include "cmfa_test.h"
#include "cmfa_core.h"

#define J(s) (s), (sizeof(s) - 1)
#define V1 "1 validation error detected: "
#define IPE "InvalidParameterException"
#define SER "SerializationException"

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

/* ---------------------------------------------------------------------- */
/* Parsing                                                                */

static void
test_pref_parse_self(void)
{
	struct cmfa_mfa_pref r;
	struct cmfa_verr verr;

	CHECK_INT_EQ(cmfa_mfa_pref_parse(J("{\"AccessToken\":\"eyJ.abc-_=\","
	                                   "\"SMSMfaSettings\":{\"Enabled\":"
	                                   "true,\"PreferredMfa\":false},"
	                                   "\"SoftwareTokenMfaSettings\":{"
	                                   "\"PreferredMfa\":true},"
	                                   "\"EmailMfaSettings\":{},"
	                                   "\"WebAuthnMfaSettings\":{"
	                                   "\"Enabled\":"
	                                   "false},\"Username\":\"ignored "
	                                   "here\"}"),
	                 CMFA_PREF_SELF, &r, &verr),
	    CMFA_OK);
	CHECK_INT_EQ(r.kind, CMFA_PREF_SELF);
	CHECK_STR_EQ(r.access_token, "eyJ.abc-_=");
	CHECK(r.username == NULL && r.user_pool_id == NULL);
	CHECK(r.setting[CMFA_FACTOR_SMS].present);
	CHECK(r.setting[CMFA_FACTOR_SMS].has_enabled &&
	    r.setting[CMFA_FACTOR_SMS].enabled);
	CHECK(r.setting[CMFA_FACTOR_SMS].has_preferred &&
	    !r.setting[CMFA_FACTOR_SMS].preferred);
	CHECK(r.setting[CMFA_FACTOR_TOTP].present &&
	    !r.setting[CMFA_FACTOR_TOTP].has_enabled);
	CHECK(r.setting[CMFA_FACTOR_TOTP].has_preferred &&
	    r.setting[CMFA_FACTOR_TOTP].preferred);
	CHECK(r.setting[CMFA_FACTOR_EMAIL].present &&
	    !r.setting[CMFA_FACTOR_EMAIL].has_enabled &&
	    !r.setting[CMFA_FACTOR_EMAIL].has_preferred);
	CHECK(r.webauthn_present && !r.webauthn_enabled);
	cmfa_mfa_pref_free(&r);
	CHECK(all_zero(&r, sizeof(r)));
	cmfa_mfa_pref_free(&r);
	cmfa_mfa_pref_free(NULL);

	/* null blocks are absent blocks */
	CHECK_INT_EQ(cmfa_mfa_pref_parse(J("{\"AccessToken\":\"t\","
	                                   "\"SMSMfaSettings\":null,"
	                                   "\"EmailMfaSettings\":{\"Enabled\":"
	                                   "null}}"),
	                 CMFA_PREF_SELF, &r, &verr),
	    CMFA_OK);
	CHECK(!r.setting[CMFA_FACTOR_SMS].present);
	CHECK(r.setting[CMFA_FACTOR_EMAIL].present &&
	    !r.setting[CMFA_FACTOR_EMAIL].has_enabled);
	cmfa_mfa_pref_free(&r);
}

static void
test_pref_parse_admin(void)
{
	struct cmfa_mfa_pref r;

	CHECK_INT_EQ(cmfa_mfa_pref_parse(J("{\"UserPoolId\":\"us-east-1_abc\","
	                                   "\"Username\":\"alice@example.com\","
	                                   "\"EmailMfaSettings\":{"
	                                   "\"Enabled\":true,\"PreferredMfa\":"
	                                   "true},\"AccessToken\":1}"),
	                 CMFA_PREF_ADMIN, &r, NULL),
	    CMFA_OK);
	CHECK_INT_EQ(r.kind, CMFA_PREF_ADMIN);
	CHECK_STR_EQ(r.user_pool_id, "us-east-1_abc");
	CHECK_STR_EQ(r.username, "alice@example.com");
	CHECK(r.access_token == NULL);
	CHECK(r.setting[CMFA_FACTOR_EMAIL].enabled &&
	    r.setting[CMFA_FACTOR_EMAIL].preferred);
	cmfa_mfa_pref_free(&r);
	CHECK_INT_EQ(cmfa_mfa_pref_parse(J("{}"), (enum cmfa_mfa_pref_kind)7,
	                 &r, NULL),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_mfa_pref_parse(J("{}"), CMFA_PREF_SELF, NULL, NULL),
	    CMFA_ERR_INVAL);
}

struct pcase {
	enum cmfa_mfa_pref_kind kind;
	const char *json;
	enum cmfa_err err;
	const char *type;
	const char *msg;
};

#define UNAME_PAT "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"

static void
test_pref_parse_errors(void)
{
	static const struct pcase cases[] = {
		{ CMFA_PREF_SELF, "{}", CMFA_ERR_VALIDATION, IPE,
		    V1 "Value null at 'accessToken' failed to satisfy "
		       "constraint: Member must not be null" },
		/* AccessToken is sensitive */
		{ CMFA_PREF_SELF, "{\"AccessToken\":\"a b\"}",
		    CMFA_ERR_VALIDATION, IPE,
		    V1 "Value at 'accessToken' failed "
		       "to satisfy constraint: Member must satisfy regular "
		       "expression pattern: [A-Za-z0-9-_=.]+" },
		{ CMFA_PREF_SELF, "{\"AccessToken\":\"\"}", CMFA_ERR_VALIDATION,
		    IPE,
		    V1 "Value at 'accessToken' failed to satisfy "
		       "constraint: Member must satisfy regular expression "
		       "pattern: [A-Za-z0-9-_=.]+" },
		{ CMFA_PREF_ADMIN, "{}", CMFA_ERR_VALIDATION, IPE,
		    "2 validation errors detected: Value null at 'username' "
		    "failed to satisfy constraint: Member must not be null; "
		    "Value null at 'userPoolId' failed to satisfy constraint: "
		    "Member must not be null" },
		{ CMFA_PREF_ADMIN, "{\"Username\":\"\",\"UserPoolId\":\"bad\"}",
		    CMFA_ERR_VALIDATION, IPE,
		    "3 validation errors detected: "
		    "Value at 'username' failed to satisfy constraint: Member "
		    "must have length greater than or equal to 1; Value at "
		    "'username' failed to satisfy constraint: Member must "
		    "satisfy regular expression pattern: " UNAME_PAT "; "
		    "Value 'bad' at 'userPoolId' failed to satisfy constraint: "
		    "Member must satisfy regular expression pattern: "
		    "[\\w-]+_[0-9a-zA-Z]+" },
		{ CMFA_PREF_SELF,
		    "{\"AccessToken\":\"t\",\"SMSMfaSettings\":"
		    "{\"Enabled\":\"yes\"}}",
		    CMFA_ERR_VALIDATION, SER,
		    "STRING_VALUE can not be converted to a Boolean" },
		{ CMFA_PREF_SELF,
		    "{\"AccessToken\":\"t\","
		    "\"SoftwareTokenMfaSettings\":{\"PreferredMfa\":0}}",
		    CMFA_ERR_VALIDATION, SER,
		    "NUMBER_VALUE can not be converted to a Boolean" },
		{ CMFA_PREF_SELF,
		    "{\"AccessToken\":\"t\",\"EmailMfaSettings\":"
		    "[]}",
		    CMFA_ERR_VALIDATION, SER,
		    "Start of list found where not expected." },
		{ CMFA_PREF_SELF,
		    "{\"AccessToken\":\"t\","
		    "\"WebAuthnMfaSettings\":true}",
		    CMFA_ERR_VALIDATION, SER,
		    "BOOLEAN_VALUE can not be converted to a Structure" },
		{ CMFA_PREF_SELF, "{\"AccessToken\":[]}", CMFA_ERR_VALIDATION,
		    SER, "Start of list found where not expected." },
		{ CMFA_PREF_SELF,
		    "{\"AccessToken\":\"t\",\"AccessToken\":"
		    "\"u\"}",
		    CMFA_ERR_PARSE, SER, NULL },
		{ CMFA_PREF_SELF, "{\"AccessToken\":\"t\"", CMFA_ERR_PARSE, SER,
		    NULL },
	};
	struct cmfa_mfa_pref r;
	struct cmfa_verr verr;
	enum cmfa_err err;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(cases); i++) {
		memset(&r, 0x33, sizeof(r));
		err = cmfa_mfa_pref_parse(cases[i].json, strlen(cases[i].json),
		    cases[i].kind, &r, &verr);
		CHECK_MSG(err == cases[i].err, "case %zu: %d", i, (int)err);
		CHECK_MSG(all_zero(&r, sizeof(r)), "case %zu: not zeroed", i);
		CHECK_STR_EQ(verr.type, cases[i].type);
		if (cases[i].msg != NULL)
			CHECK_MSG(strcmp(verr.message, cases[i].msg) == 0,
			    "case %zu:\n   got: %s\n  want: %s", i,
			    verr.message, cases[i].msg);
		if (err == CMFA_OK)
			cmfa_mfa_pref_free(&r);
	}
}

/* ---------------------------------------------------------------------- */
/* Applying                                                               */

#define P_ALL                                                                  \
	"{\"MfaConfiguration\":\"OPTIONAL\",\"SmsMfaConfiguration\":{},"       \
	"\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true},"                \
	"\"EmailMfaConfiguration\":{}}"
#define P_ON                                                                   \
	"{\"MfaConfiguration\":\"ON\",\"SmsMfaConfiguration\":{},"             \
	"\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true},"                \
	"\"EmailMfaConfiguration\":{}}"
#define P_TOTP                                                                 \
	"{\"MfaConfiguration\":\"OPTIONAL\","                                  \
	"\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true}}"
#define P_SMS                                                                  \
	"{\"MfaConfiguration\":\"OPTIONAL\",\"SmsMfaConfiguration\":{},"       \
	"\"SoftwareTokenMfaConfiguration\":{\"Enabled\":false}}"
#define P_PASSKEY                                                              \
	"{\"MfaConfiguration\":\"OPTIONAL\","                                  \
	"\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true},"                \
	"\"WebAuthnConfiguration\":{\"FactorConfiguration\":"                  \
	"\"MULTI_FACTOR_WITH_USER_VERIFICATION\"}}"

#define U_BARE "{\"Username\":\"u\"}"
#define ATTRS                                                                  \
	"\"UserAttributes\":[{\"Name\":\"phone_number\",\"Value\":"            \
	"\"+15555550100\"},{\"Name\":\"email\",\"Value\":\"u@example.com\"}]"
#define U_FULL "{\"Username\":\"u\"," ATTRS "}"
#define U_ST                                                                   \
	"{\"Username\":\"u\"," ATTRS ",\"PreferredMfaSetting\":"               \
	"\"SOFTWARE_TOKEN_MFA\",\"UserMFASettingList\":[\"SMS_MFA\","          \
	"\"SOFTWARE_TOKEN_MFA\"]}"
#define U_LEGACY                                                               \
	"{\"Username\":\"u\"," ATTRS ",\"MFAOptions\":[{"                      \
	"\"DeliveryMedium\":\"SMS\",\"AttributeName\":\"phone_number\"}]}"

#define SMS_ON "\"SMSMfaSettings\":{\"Enabled\":true}"
#define SMS_OFF "\"SMSMfaSettings\":{\"Enabled\":false}"
#define TOTP_ON "\"SoftwareTokenMfaSettings\":{\"Enabled\":true}"
#define TOTP_OFF "\"SoftwareTokenMfaSettings\":{\"Enabled\":false}"
#define EMAIL_ON "\"EmailMfaSettings\":{\"Enabled\":true}"

struct acase {
	const char *pool;
	const char *user;
	const char *req; /* members after "AccessToken":"t" */
	bool totp_verified;
	enum cmfa_err err;
	const char *msg;    /* refusal message */
	const char *result; /* the user's document afterwards */
};

static const struct acase apply_cases[] = {
	/* 0: TOTP enabled and preferred */
	{ P_ALL, U_BARE,
	    ",\"SoftwareTokenMfaSettings\":{\"Enabled\":true,"
	    "\"PreferredMfa\":true}",
	    true, CMFA_OK, NULL,
	    "{\"Username\":\"u\",\"PreferredMfaSetting\":\"SOFTWARE_TOKEN_"
	    "MFA\","
	    "\"UserMFASettingList\":[\"SOFTWARE_TOKEN_MFA\"]}" },
	/* 1: TOTP needs a verified authenticator */
	{ P_ALL, U_BARE, "," TOTP_ON, false, CMFA_ERR_VALIDATION,
	    "User does not have delivery config set to turn on "
	    "SOFTWARE_TOKEN_MFA",
	    U_BARE },
	/* 2: SMS needs phone_number */
	{ P_ALL, U_BARE, "," SMS_ON, true, CMFA_ERR_VALIDATION,
	    "User does not have a phone_number set to turn on SMS MFA",
	    U_BARE },
	/* 3: email needs email */
	{ P_ALL, U_BARE, "," EMAIL_ON, true, CMFA_ERR_VALIDATION,
	    "User does not have delivery config set to turn on EMAIL_OTP",
	    U_BARE },
	/* 4: the pool must offer the factor */
	{ P_TOTP, U_FULL, "," EMAIL_ON, true, CMFA_ERR_VALIDATION,
	    "EMAIL_OTP is not enabled for the user pool.", U_FULL },
	{ P_SMS, U_FULL, "," TOTP_ON, true, CMFA_ERR_VALIDATION,
	    "SOFTWARE_TOKEN_MFA is not enabled for the user pool.", U_FULL },
	{ P_TOTP, U_FULL, "," SMS_ON, true, CMFA_ERR_VALIDATION,
	    "SMS_MFA is not enabled for the user pool.", U_FULL },
	/* 7: only one preferred */
	{ P_ALL, U_FULL,
	    ",\"SMSMfaSettings\":{\"Enabled\":true,"
	    "\"PreferredMfa\":true},\"EmailMfaSettings\":{\"Enabled\":true,"
	    "\"PreferredMfa\":true}",
	    true, CMFA_ERR_VALIDATION,
	    "Only one MFA type can be set as preferred.", U_FULL },
	/* 8: preferred must be enabled */
	{ P_ALL, U_FULL, ",\"SMSMfaSettings\":{\"PreferredMfa\":true}", true,
	    CMFA_ERR_VALIDATION,
	    "Can't set SMS_MFA as the preferred MFA when "
	    "it is not enabled.",
	    U_FULL },
	{ P_ALL, U_FULL,
	    ",\"SMSMfaSettings\":{\"Enabled\":false,"
	    "\"PreferredMfa\":true}",
	    true, CMFA_ERR_VALIDATION,
	    "Can't set SMS_MFA as the preferred MFA when it is not enabled.",
	    U_FULL },
	/* 10: Cognito's order whatever the request's */
	{ P_ALL, U_FULL, "," EMAIL_ON "," TOTP_ON "," SMS_ON, true, CMFA_OK,
	    NULL,
	    "{\"Username\":\"u\"," ATTRS ",\"UserMFASettingList\":"
	    "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\",\"EMAIL_OTP\"]}" },
	/* 11: disabling the preferred factor clears the preference */
	{ P_ALL, U_ST, "," TOTP_OFF, true, CMFA_OK, NULL,
	    "{\"Username\":\"u\"," ATTRS ",\"UserMFASettingList\":"
	    "[\"SMS_MFA\"]}" },
	/* 12: PreferredMfa false on the preferred factor clears it */
	{ P_ALL, U_ST, ",\"SoftwareTokenMfaSettings\":{\"PreferredMfa\":false}",
	    true, CMFA_OK, NULL,
	    "{\"Username\":\"u\"," ATTRS
	    ",\"UserMFASettingList\":[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]}" },
	/* 13: PreferredMfa false elsewhere keeps it */
	{ P_ALL, U_ST, ",\"SMSMfaSettings\":{\"PreferredMfa\":false}", true,
	    CMFA_OK, NULL, U_ST },
	/* 14: moving the preference */
	{ P_ALL, U_ST, ",\"SMSMfaSettings\":{\"PreferredMfa\":true}", true,
	    CMFA_OK, NULL,
	    "{\"Username\":\"u\"," ATTRS ",\"PreferredMfaSetting\""
	    ":\"SMS_MFA\",\"UserMFASettingList\":[\"SMS_MFA\","
	    "\"SOFTWARE_TOKEN_MFA\"]}" },
	/* 15: blocks left out, or empty, change nothing */
	{ P_ALL, U_ST, ",\"EmailMfaSettings\":{}", true, CMFA_OK, NULL, U_ST },
	{ P_ALL, U_ST, "", false, CMFA_OK, NULL, U_ST },
	/* 17: with MFA required, an enabled factor can't be turned off */
	{ P_ON, U_ST, "," SMS_OFF, true, CMFA_ERR_VALIDATION,
	    "Can't turn off SMS_MFA when MFA is required for the user pool.",
	    U_ST },
	{ P_ON, U_FULL, "," SMS_OFF, true, CMFA_OK, NULL, U_FULL },
	{ P_ON, U_FULL, "," TOTP_ON, true, CMFA_OK, NULL,
	    "{\"Username\":\"u\"," ATTRS ",\"UserMFASettingList\":"
	    "[\"SOFTWARE_TOKEN_MFA\"]}" },
	{ P_ON, U_LEGACY, "," SMS_OFF, true, CMFA_ERR_VALIDATION,
	    "Can't turn off SMS_MFA when MFA is required for the user pool.",
	    U_LEGACY },
	/* 21: unknown list values stay, after the known ones */
	{ P_ALL,
	    "{\"Username\":\"u\",\"UserMFASettingList\":[\"WEB_AUTHN\","
	    "\"SMS_MFA\"]}",
	    "," TOTP_ON, true, CMFA_OK, NULL,
	    "{\"Username\":\"u\",\"UserMFASettingList\":[\"SMS_MFA\","
	    "\"SOFTWARE_TOKEN_MFA\",\"WEB_AUTHN\"]}" },
	/* 22: an emptied list is left out */
	{ P_ALL,
	    "{\"Username\":\"u\",\"UserMFASettingList\":[\"SMS_MFA\"],"
	    "\"PreferredMfaSetting\":\"SMS_MFA\"}",
	    "," SMS_OFF, true, CMFA_OK, NULL, U_BARE },
	/* 23: legacy SMS becomes an explicit list */
	{ P_ALL, U_LEGACY, "," TOTP_ON, true, CMFA_OK, NULL,
	    "{\"Username\":\"u\"," ATTRS ",\"MFAOptions\":[{\"DeliveryMedium\":"
	    "\"SMS\",\"AttributeName\":\"phone_number\"}],"
	    "\"UserMFASettingList\""
	    ":[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]}" },
	/* 24: turning legacy SMS off removes its MFAOptions entry */
	{ P_ALL, U_LEGACY, "," SMS_OFF, true, CMFA_OK, NULL, U_FULL },
	{ P_ALL,
	    "{\"Username\":\"u\",\"MFAOptions\":[{\"DeliveryMedium\":"
	    "\"EMAIL\"},{\"DeliveryMedium\":\"SMS\"}]}",
	    "," SMS_OFF, true, CMFA_OK, NULL,
	    "{\"Username\":\"u\",\"MFAOptions\":[{"
	    "\"DeliveryMedium\":\"EMAIL\"}]}" },
	/* 26: passkeys as MFA need the pool's multi-factor WebAuthn */
	{ P_ALL, U_FULL, ",\"WebAuthnMfaSettings\":{\"Enabled\":true}", true,
	    CMFA_ERR_VALIDATION,
	    "Passkey MFA is not enabled for the user "
	    "pool.",
	    U_FULL },
	{ P_PASSKEY, U_FULL, ",\"WebAuthnMfaSettings\":{\"Enabled\":true}",
	    true, CMFA_OK, NULL, U_FULL },
	{ P_ALL, U_FULL, ",\"WebAuthnMfaSettings\":{\"Enabled\":false}", true,
	    CMFA_OK, NULL, U_FULL },
	/* 29: an unknown preference is kept until replaced */
	{ P_ALL, "{\"Username\":\"u\",\"PreferredMfaSetting\":\"WEB_AUTHN\"}",
	    "," TOTP_ON, true, CMFA_OK, NULL,
	    "{\"Username\":\"u\","
	    "\"PreferredMfaSetting\":\"WEB_AUTHN\",\"UserMFASettingList\":"
	    "[\"SOFTWARE_TOKEN_MFA\"]}" },
	{ P_ALL, "{\"Username\":\"u\",\"PreferredMfaSetting\":\"WEB_AUTHN\"}",
	    ",\"SoftwareTokenMfaSettings\":{\"Enabled\":true,\"PreferredMfa\":"
	    "true}",
	    true, CMFA_OK, NULL,
	    "{\"Username\":\"u\","
	    "\"PreferredMfaSetting\":\"SOFTWARE_TOKEN_MFA\","
	    "\"UserMFASettingList\":[\"SOFTWARE_TOKEN_MFA\"]}" },
	/* 31: a TOTP preference survives the pool turning TOTP off */
	{ P_SMS, U_ST, ",\"SMSMfaSettings\":{\"Enabled\":true}", true, CMFA_OK,
	    NULL, U_ST },
	/* 32: re-enabling is checked again */
	{ P_ALL, U_ST, "," TOTP_ON, false, CMFA_ERR_VALIDATION,
	    "User does not have delivery config set to turn on "
	    "SOFTWARE_TOKEN_MFA",
	    U_ST },
	/* 33: an empty email attribute is no email */
	{ P_ALL,
	    "{\"Username\":\"u\",\"UserAttributes\":[{\"Name\":\"email\","
	    "\"Value\":\"\"}]}",
	    "," EMAIL_ON, true, CMFA_ERR_VALIDATION,
	    "User does not have delivery config set to turn on EMAIL_OTP",
	    NULL },
	/* 34: unknown members of the record survive */
	{ P_ALL, "{\"Zed\":[1],\"Username\":\"u\"," ATTRS "}", "," EMAIL_ON,
	    true, CMFA_OK, NULL,
	    "{\"Username\":\"u\"," ATTRS
	    ",\"UserMFASettingList\":[\"EMAIL_OTP\"],\"Zed\":[1]}" },
};

static void
test_pref_apply_table(void)
{
	struct cmfa_pool_config pool;
	struct cmfa_user u, again;
	struct cmfa_mfa_pref r;
	struct cmfa_verr verr;
	char req[1024], *before, *after;
	enum cmfa_err err;
	size_t i;
	int n;

	for (i = 0; i < CMFA_ARRAY_LEN(apply_cases); i++) {
		const struct acase *c = &apply_cases[i];

		CHECK_INT_EQ(cmfa_pool_parse(c->pool, strlen(c->pool), &pool,
		                 NULL),
		    CMFA_OK);
		CHECK_INT_EQ(cmfa_user_parse(c->user, strlen(c->user), &u,
		                 NULL),
		    CMFA_OK);
		n = snprintf(req, sizeof(req), "{\"AccessToken\":\"t\"%s}",
		    c->req);
		CHECK_INT_EQ(cmfa_mfa_pref_parse(req, (size_t)n, CMFA_PREF_SELF,
		                 &r, NULL),
		    CMFA_OK);
		before = cmfa_user_serialize(&u);
		memset(&verr, 'x', sizeof(verr));
		err =
		    cmfa_mfa_pref_apply(&r, &pool, c->totp_verified, &u, &verr);
		after = cmfa_user_serialize(&u);
		CHECK_MSG(err == c->err, "case %zu: err %d", i, (int)err);
		if (c->err == CMFA_OK) {
			CHECK_MSG(verr.type[0] == '\0' &&
			        verr.message[0] == '\0',
			    "case %zu: verr", i);
		} else {
			CHECK_STR_EQ(verr.type, IPE);
			CHECK_MSG(strcmp(verr.message, c->msg) == 0,
			    "case %zu:\n   got: %s\n  want: %s", i,
			    verr.message, c->msg);
			/* refused: the record is exactly as it was */
			CHECK_MSG(before && after && strcmp(before, after) == 0,
			    "case %zu: record changed", i);
		}
		if (c->result != NULL)
			CHECK_MSG(after != NULL &&
			        strcmp(after, c->result) == 0,
			    "case %zu:\n   got: %s\n  want: %s", i,
			    after ? after : "(null)", c->result);
		/* the struct agrees with a re-parse of its own document */
		if (after != NULL) {
			CHECK_INT_EQ(cmfa_user_parse(after, strlen(after),
			                 &again, NULL),
			    CMFA_OK);
			CHECK_MSG(again.mfa_list == u.mfa_list &&
			        again.has_mfa_list == u.has_mfa_list &&
			        again.legacy_sms == u.legacy_sms &&
			        again.preferred == u.preferred &&
			        cmfa_user_factors(&again) ==
			            cmfa_user_factors(&u),
			    "case %zu: struct differs from re-parse", i);
			cmfa_user_free(&again);
		}
		free(before);
		free(after);
		cmfa_mfa_pref_free(&r);
		cmfa_user_free(&u);
		cmfa_pool_free(&pool);
	}
}

static void
test_pref_apply_fields(void)
{
	struct cmfa_pool_config pool;
	struct cmfa_user u;
	struct cmfa_mfa_pref r;

	CHECK_INT_EQ(cmfa_pool_parse(J(P_ALL), &pool, NULL), CMFA_OK);
	CHECK_INT_EQ(cmfa_user_parse(J(U_LEGACY), &u, NULL), CMFA_OK);
	CHECK(u.legacy_sms && !u.has_mfa_list);
	/* the admin call follows the same rules */
	CHECK_INT_EQ(cmfa_mfa_pref_parse(J("{\"UserPoolId\":\"us-east-1_a\","
	                                   "\"Username\":\"u\","
	                                   "\"EmailMfaSettings\":{\"Enabled\":"
	                                   "true,"
	                                   "\"PreferredMfa\":true}}"),
	                 CMFA_PREF_ADMIN, &r, NULL),
	    CMFA_OK);
	CHECK_INT_EQ(cmfa_mfa_pref_apply(&r, &pool, false, &u, NULL), CMFA_OK);
	CHECK(u.has_mfa_list);
	CHECK_INT_EQ(u.mfa_list,
	    CMFA_FBIT(CMFA_FACTOR_SMS) | CMFA_FBIT(CMFA_FACTOR_EMAIL));
	CHECK_INT_EQ(u.preferred, CMFA_FACTOR_EMAIL);
	CHECK_STR_EQ(u.username, "u");
	CHECK_STR_EQ(u.email, "u@example.com"); /* re-pointed to new doc */
	CHECK_STR_EQ(cmfa_user_attr(&u, "phone_number"), "+15555550100");
	cmfa_mfa_pref_free(&r);

	CHECK_INT_EQ(cmfa_mfa_pref_apply(NULL, &pool, false, &u, NULL),
	    CMFA_ERR_INVAL);
	cmfa_user_free(&u);
	CHECK_INT_EQ(cmfa_mfa_pref_parse(J("{\"AccessToken\":\"t\"}"),
	                 CMFA_PREF_SELF, &r, NULL),
	    CMFA_OK);
	CHECK_INT_EQ(cmfa_mfa_pref_apply(&r, &pool, false, &u, NULL),
	    CMFA_ERR_INVAL); /* a freed (empty) record */
	CHECK_INT_EQ(cmfa_mfa_pref_apply(&r, NULL, false, &u, NULL),
	    CMFA_ERR_INVAL);
	cmfa_mfa_pref_free(&r);
	cmfa_pool_free(&pool);
}

/* ---------------------------------------------------------------------- */
/* Allocation failure (cJSON's allocations fail after n successes)         */

static long t_alloc_left = -1; /* test-only: < 0 never fails */

static void *
t_failing_malloc(size_t n)
{
	if (t_alloc_left == 0)
		return NULL;
	if (t_alloc_left > 0)
		t_alloc_left--;
	return malloc(n);
}

/* One pass over every model entry point; true when nothing failed. */
static bool
alloc_pass(void)
{
	struct cmfa_pool_config pool;
	struct cmfa_user u;
	struct cmfa_mfa_pref r;
	struct cmfa_verr verr;
	enum cmfa_err err;
	unsigned mfa_before;
	int pref_before;
	bool all = true;
	char *s;

	err = cmfa_pool_request_parse(J("{\"UserPoolId\":\"us-east-1_a\","
	                                "\"MfaConfiguration\":\"ON\","
	                                "\"SmsMfaConfiguration\":{"
	                                "\"SmsAuthenticationMessage\":\"Code "
	                                "{####}\",\"SmsConfiguration\":"
	                                "{\"SnsCallerArn\":\"arn:aws:iam::1:"
	                                "role/r\"}},"
	                                "\"SoftwareTokenMfaConfiguration\":{"
	                                "\"Enabled\":true},"
	                                "\"EmailMfaConfiguration\":{"
	                                "\"Subject\":\"s\"},\"X\":[1,2]}"),
	    &pool, &verr);
	CHECK(err == CMFA_OK || err == CMFA_ERR_NOMEM || err == CMFA_ERR_PARSE);
	if (err != CMFA_OK)
		return false;
	if ((s = cmfa_pool_serialize(&pool)) == NULL)
		all = false;
	free(s);

	err = cmfa_user_parse(J(U_ST), &u, &verr);
	CHECK(err == CMFA_OK || err == CMFA_ERR_NOMEM || err == CMFA_ERR_PARSE);
	if (err != CMFA_OK) {
		cmfa_pool_free(&pool);
		return false;
	}
	err = cmfa_mfa_pref_parse(J("{\"AccessToken\":\"t\","
	                            "\"EmailMfaSettings\":{\"Enabled\":true,"
	                            "\"PreferredMfa\":true},"
	                            "\"SMSMfaSettings\":{\"Enabled\":false}}"),
	    CMFA_PREF_SELF, &r, &verr);
	if (err == CMFA_OK) {
		mfa_before = u.mfa_list;
		pref_before = u.preferred;
		/* pool ON: turning SMS off is refused; apply to OPTIONAL */
		pool.mfa = CMFA_MFA_OPTIONAL;
		err = cmfa_mfa_pref_apply(&r, &pool, true, &u, &verr);
		CHECK(err == CMFA_OK || err == CMFA_ERR_NOMEM);
		if (err != CMFA_OK) {
			/* refused: the record is intact and usable */
			CHECK(u.mfa_list == mfa_before);
			CHECK(u.preferred == pref_before);
			CHECK_STR_EQ(u.username, "u");
			all = false;
		} else {
			CHECK_INT_EQ(u.mfa_list,
			    CMFA_FBIT(CMFA_FACTOR_TOTP) |
			        CMFA_FBIT(CMFA_FACTOR_EMAIL));
			CHECK_INT_EQ(u.preferred, CMFA_FACTOR_EMAIL);
		}
		cmfa_mfa_pref_free(&r);
	} else
		all = false;
	if ((s = cmfa_user_serialize(&u)) == NULL)
		all = false;
	free(s);
	cmfa_user_free(&u);
	err = cmfa_user_new("bob", NULL, &u, &verr);
	if (err == CMFA_OK)
		cmfa_user_free(&u);
	else {
		CHECK(err == CMFA_ERR_NOMEM);
		all = false;
	}
	cmfa_pool_free(&pool);
	return all;
}

static void
test_alloc_failures(void)
{
	cJSON_Hooks hooks = { t_failing_malloc, free };
	long n;
	bool done = false;

	cJSON_InitHooks(&hooks);
	for (n = 0; n < 5000 && !done; n++) {
		t_alloc_left = n;
		done = alloc_pass();
	}
	t_alloc_left = -1;
	cJSON_InitHooks(NULL);
	CHECK_MSG(done, "never completed");
	CHECK(n > 20); /* failures were really injected */
}

TEST_MAIN_BEGIN("test_model_pref")
	RUN(test_pref_parse_self);
	RUN(test_pref_parse_admin);
	RUN(test_pref_parse_errors);
	RUN(test_pref_apply_table);
	RUN(test_pref_apply_fields);
	RUN(test_alloc_failures);
TEST_MAIN_END
