/*
 * test_model.c: the model's foundations: names, cmfa_json_parse's limits,
 * and the validation helpers (patterns, lengths, enum sets).
 * Pools, users and preferences are in test_model_{pool,user,pref}.c.
 */
#include "cmfa_test.h"
#include "cmfa_core.h"
#include "../../pam_cognito_mfa/core/validate.h"

#define J(s) (s), (sizeof(s) - 1)

/* ---------------------------------------------------------------------- */

static void
test_factor_names(void)
{
	enum cmfa_factor f = CMFA_FACTOR_EMAIL;

	CHECK_STR_EQ(cmfa_factor_name(CMFA_FACTOR_SMS), "SMS_MFA");
	CHECK_STR_EQ(cmfa_factor_name(CMFA_FACTOR_TOTP), "SOFTWARE_TOKEN_MFA");
	CHECK_STR_EQ(cmfa_factor_name(CMFA_FACTOR_EMAIL), "EMAIL_OTP");
	CHECK_STR_EQ(cmfa_factor_name(CMFA_FACTOR__COUNT), "?");
	CHECK_STR_EQ(cmfa_factor_name((enum cmfa_factor) - 1), "?");

	CHECK_INT_EQ(cmfa_factor_parse(J("SMS_MFA"), &f), CMFA_OK);
	CHECK_INT_EQ(f, CMFA_FACTOR_SMS);
	CHECK_INT_EQ(cmfa_factor_parse(J("SOFTWARE_TOKEN_MFA"), &f), CMFA_OK);
	CHECK_INT_EQ(f, CMFA_FACTOR_TOTP);
	CHECK_INT_EQ(cmfa_factor_parse(J("EMAIL_OTP"), &f), CMFA_OK);
	CHECK_INT_EQ(f, CMFA_FACTOR_EMAIL);
	/* exact, case-sensitive, whole string; out untouched on failure */
	CHECK_INT_EQ(cmfa_factor_parse(J("sms_mfa"), &f), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_factor_parse(J("SMS_MFA "), &f), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_factor_parse("SMS_MFA", 3, &f), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_factor_parse(J("SMS_MFA\0"), &f), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_factor_parse(J("EMAIL_MFA"), &f), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_factor_parse(J(""), &f), CMFA_ERR_PARSE);
	CHECK_INT_EQ(f, CMFA_FACTOR_EMAIL);
	CHECK_INT_EQ(cmfa_factor_parse(NULL, 0, &f), CMFA_ERR_INVAL);
}

static void
test_level_names(void)
{
	enum cmfa_mfa_level l = CMFA_MFA_ON;

	CHECK_STR_EQ(cmfa_mfa_level_name(CMFA_MFA_OFF), "OFF");
	CHECK_STR_EQ(cmfa_mfa_level_name(CMFA_MFA_OPTIONAL), "OPTIONAL");
	CHECK_STR_EQ(cmfa_mfa_level_name(CMFA_MFA_ON), "ON");
	CHECK_STR_EQ(cmfa_mfa_level_name((enum cmfa_mfa_level)3), "?");
	CHECK_INT_EQ(cmfa_mfa_level_parse(J("OFF"), &l), CMFA_OK);
	CHECK_INT_EQ(l, CMFA_MFA_OFF);
	CHECK_INT_EQ(cmfa_mfa_level_parse(J("OPTIONAL"), &l), CMFA_OK);
	CHECK_INT_EQ(l, CMFA_MFA_OPTIONAL);
	CHECK_INT_EQ(cmfa_mfa_level_parse(J("ON"), &l), CMFA_OK);
	CHECK_INT_EQ(l, CMFA_MFA_ON);
	CHECK_INT_EQ(cmfa_mfa_level_parse(J("on"), &l), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_mfa_level_parse(J("Optional"), &l), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_mfa_level_parse(J("ONE"), &l), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_mfa_level_parse("OPTIONAL", 2, &l), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_mfa_level_parse("ONE", 2, &l), CMFA_OK);
	CHECK_INT_EQ(l, CMFA_MFA_ON);
}

/* ---------------------------------------------------------------------- */
/* cmfa_json_parse                                                        */

static enum cmfa_err
jp(const char *s, size_t len)
{
	cJSON *doc = (cJSON *)1;
	enum cmfa_err err;

	err = cmfa_json_parse(s, len, CMFA_JSON_MAX_BYTES, &doc);
	if (err == CMFA_OK)
		cJSON_Delete(doc);
	else if (doc != NULL) {
		t_failed_checks++;
		fprintf(stderr, "  out not NULL on failure\n");
	}
	return err;
}

#define JP(s) jp(J(s))

static void
test_json_accepts(void)
{
	CHECK_INT_EQ(JP("{}"), CMFA_OK);
	CHECK_INT_EQ(JP(" \t\r\n{ } \n"), CMFA_OK);
	CHECK_INT_EQ(JP("{\"a\":[1,-0,0.5,1e3,1E-3,-2.5e+10,true,false,null,"
	                "\"x\",{},[]]}"),
	    CMFA_OK);
	CHECK_INT_EQ(JP("{\"\":1}"), CMFA_OK);
	CHECK_INT_EQ(JP("{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"}"),
	    CMFA_OK);
	CHECK_INT_EQ(JP("{\"caf\xc3\xa9\":\"\xe2\x82\xac \xf0\x9f\x98\x80\"}"),
	    CMFA_OK);
	CHECK_INT_EQ(JP("{\"a\":1e-400}"), CMFA_OK); /* underflow: 0 */
	/* keys that differ only in case are different keys */
	CHECK_INT_EQ(JP("{\"Enabled\":true,\"enabled\":false}"), CMFA_OK);
}

static void
test_json_top_level(void)
{
	CHECK_INT_EQ(JP("[]"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("[{}]"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("\"x\""), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("1"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("null"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("true"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP(""), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("   "), CMFA_ERR_PARSE);
	CHECK_INT_EQ(jp(NULL, 0), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_json_parse("{}", 2, 10, NULL), CMFA_ERR_INVAL);
}

static void
test_json_trailing(void)
{
	CHECK_INT_EQ(JP("{} x"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{}{}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{},"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{}]"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{}\x0b"), CMFA_ERR_PARSE); /* not JSON space */
	CHECK_INT_EQ(JP("{}\f"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{}\x01"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{} \r\n\t "), CMFA_OK);
}

static void
test_json_grammar(void)
{
	static const char *const bad[] = {
		"{",
		"}",
		"{\"a\"}",
		"{\"a\" 1}",
		"{\"a\":}",
		"{\"a\":1,}",
		"{,}",
		"{\"a\":[1,]}",
		"{\"a\":[,1]}",
		"{\"a\":[1 2]}",
		"{'a':1}",
		"{a:1}",
		"{\"a\":1 /* c */}",
		"{\"a\":tru}",
		"{\"a\":True}",
		"{\"a\":nul}",
		"{\"a\":NaN}",
		"{\"a\":Infinity}",
		"{\"a\":-Infinity}",
		"{\"a\":\"x}",
		"{\"a\":\"x\"",
		"\xef\xbb\xbf{}",
		"{\"a\":[}",
		"{\"a\":{]}",
		"{\"a\":\"\\x41\"}",
		"{\"a\":\"\\u12\"}",
		"{\"a\":\"\\u12g4\"}",
		"{\"a\":\"\\",
		"{\"a\":1}}",
		"{\"a\"::1}",
	};
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(bad); i++)
		CHECK_MSG(jp(bad[i], strlen(bad[i])) == CMFA_ERR_PARSE,
		    "accepted: %s", bad[i]);
}

static void
test_json_numbers(void)
{
	char num[80], doc[128];
	int n;

	CHECK_INT_EQ(JP("{\"a\":01}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":-01}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":1.}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":.5}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":+1}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":-}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":1e}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":1e+}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":0x10}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":1e400}"), CMFA_ERR_PARSE); /* inf */
	CHECK_INT_EQ(JP("{\"a\":-1e400}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":[1,{\"b\":2e308}]}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":1.7976931348623157e308}"), CMFA_OK);
	/* 63 characters is the longest number cJSON 1.7.15 can parse */
	memset(num, '1', 63);
	num[63] = '\0';
	n = snprintf(doc, sizeof(doc), "{\"a\":%s}", num);
	CHECK_INT_EQ(jp(doc, (size_t)n), CMFA_OK);
	num[63] = '1';
	num[64] = '\0';
	n = snprintf(doc, sizeof(doc), "{\"a\":%s}", num);
	CHECK_INT_EQ(jp(doc, (size_t)n), CMFA_ERR_PARSE);
}

static void
test_json_strings(void)
{
	cJSON *doc = NULL;
	const char *s;

	/* \u0000 would silently cut the string in cJSON */
	CHECK_INT_EQ(JP("{\"a\":\"x\\u0000y\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"\\u0000\":1}"), CMFA_ERR_PARSE);
	/* lone and misordered surrogates */
	CHECK_INT_EQ(JP("{\"a\":\"\\ud800\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":\"\\udbff\\u0041\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":\"\\udc00\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":\"\\udc00\\ud800\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":\"\\ud800\\ud800\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":\"\\ud800x\"}"), CMFA_ERR_PARSE);
	/* raw control characters are not allowed in strings */
	CHECK_INT_EQ(JP("{\"a\":\"x\ny\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":\"\t\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":\"\x1f\"}"), CMFA_ERR_PARSE);
	/* DEL and C1 (as UTF-8) are JSON-legal */
	CHECK_INT_EQ(JP("{\"a\":\"\x7f\xc2\x85\"}"), CMFA_OK);

	/* a valid pair decodes to one 4-byte character */
	CHECK_INT_EQ(cmfa_json_parse(J("{\"a\":\"\\ud83d\\ude00\"}"),
	                 CMFA_JSON_MAX_BYTES, &doc),
	    CMFA_OK);
	s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "a"));
	CHECK(s != NULL && strcmp(s, "\xf0\x9f\x98\x80") == 0);
	cJSON_Delete(doc);
}

static void
test_json_utf8(void)
{
	/* overlong '/', lone continuation, CESU surrogate, > U+10FFFF,
	 * truncated sequence, 0xff, overlong NUL */
	CHECK_INT_EQ(JP("{\"a\":\"\xc0\xaf\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":\"\x80\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":\"\xed\xa0\x80\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":\"\xf4\x90\x80\x80\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":\"\xe2\x82\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":\"\xff\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":\"\xc0\x80\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"\xe9\":1}"), CMFA_ERR_PARSE);
	/* non-ASCII outside strings */
	CHECK_INT_EQ(JP("{\"a\":1\xc2\xa0}"), CMFA_ERR_PARSE);
	/* embedded NUL, inside and outside strings */
	CHECK_INT_EQ(JP("{\"a\":\"b\0\"}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{}\0"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\0}"), CMFA_ERR_PARSE);
}

static void
test_json_duplicates(void)
{
	char big[2048];
	size_t o = 0;
	int i;

	CHECK_INT_EQ(JP("{\"a\":1,\"a\":2}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":1,\"b\":{\"c\":1,\"c\":1}}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":[{\"x\":1},{\"y\":1,\"y\":null}]}"),
	    CMFA_ERR_PARSE);
	/* the same key through an escape is the same key */
	CHECK_INT_EQ(JP("{\"a\":1,\"\\u0061\":2}"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(JP("{\"a\":{\"a\":{\"a\":1}}}"), CMFA_OK);

	/* a wide object (sorted check): duplicate at the very end */
	big[o++] = '{';
	for (i = 0; i < 100; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "\"k%d\":%d,",
		    i, i);
	o += (size_t)snprintf(big + o, sizeof(big) - o, "\"k0\":0}");
	CHECK_INT_EQ(jp(big, o), CMFA_ERR_PARSE);
	big[o - 5] = '9'; /* "k0" -> "k9": still a duplicate */
	CHECK_INT_EQ(jp(big, o), CMFA_ERR_PARSE);
	big[o - 6] = 'z'; /* "z9": unique */
	CHECK_INT_EQ(jp(big, o), CMFA_OK);
}

static size_t
close_nest(char *buf, size_t o, size_t sz, const char *open, size_t olen)
{
	size_t i;

	for (i = olen; i > 0 && o + 1 < sz; i--) {
		if (open[i - 1] == '{')
			buf[o++] = '}';
		else if (open[i - 1] == '[')
			buf[o++] = ']';
	}
	return o;
}

static void
test_json_depth(void)
{
	char buf[512], full[512];
	size_t o, n;
	unsigned d;

	for (d = 1; d <= CMFA_JSON_MAX_DEPTH + 2; d++) {
		/* objects only: {"a":{"a":...{}...}} */
		unsigned k;

		o = 0;
		for (k = 0; k < d; k++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
			    k + 1 < d ? "{\"a\":" : "{");
		n = close_nest(buf, o, sizeof(buf), buf, o);
		memcpy(full, buf, n);
		CHECK_MSG(jp(full, n) ==
		        (d <= CMFA_JSON_MAX_DEPTH ? CMFA_OK : CMFA_ERR_PARSE),
		    "objects depth %u", d);

		/* arrays: {"a":[[[...]]]} */
		o = (size_t)snprintf(buf, sizeof(buf), "{\"a\":");
		for (k = 1; k < d; k++)
			buf[o++] = '[';
		if (d == 1) {
			o = 0;
			buf[o++] = '{';
		}
		n = close_nest(buf, o, sizeof(buf), buf, o);
		CHECK_MSG(jp(buf, n) ==
		        (d <= CMFA_JSON_MAX_DEPTH ? CMFA_OK : CMFA_ERR_PARSE),
		    "arrays depth %u", d);
	}
	/* very deep input is refused without recursion trouble */
	o = 0;
	buf[o++] = '{';
	buf[o++] = '"';
	buf[o++] = 'a';
	buf[o++] = '"';
	buf[o++] = ':';
	while (o < sizeof(buf) - 1)
		buf[o++] = '[';
	CHECK_INT_EQ(jp(buf, o), CMFA_ERR_PARSE);
}

static void
test_json_size_cap(void)
{
	char *big;
	cJSON *doc = NULL;
	size_t len = CMFA_JSON_MAX_BYTES;

	CHECK_INT_EQ(cmfa_json_parse(J("{ }"), 3, &doc), CMFA_OK);
	cJSON_Delete(doc);
	doc = NULL;
	CHECK_INT_EQ(cmfa_json_parse(J("{  }"), 3, &doc), CMFA_ERR_TOOBIG);
	CHECK(doc == NULL);
	CHECK_INT_EQ(cmfa_json_parse(J("{}"), 0, &doc), CMFA_ERR_TOOBIG);

	/* exactly CMFA_JSON_MAX_BYTES, then one more (max clamped) */
	if ((big = malloc(len + 2)) == NULL)
		SKIP("no memory");
	memset(big, ' ', len + 1);
	big[0] = '{';
	big[len - 1] = '}';
	CHECK_INT_EQ(cmfa_json_parse(big, len, CMFA_JSON_MAX_BYTES, &doc),
	    CMFA_OK);
	cJSON_Delete(doc);
	doc = NULL;
	big[len - 1] = ' ';
	big[len] = '}';
	CHECK_INT_EQ(cmfa_json_parse(big, len + 1, SIZE_MAX, &doc),
	    CMFA_ERR_TOOBIG);
	CHECK(doc == NULL);
	free(big);
}

/* ---------------------------------------------------------------------- */
/* Validation helpers                                                     */

struct pat_case {
	enum cmfa_vpat pat;
	const char *s;
	bool ok;
};

static void
test_patterns(void)
{
	static const struct pat_case cases[] = {
		{ CMFA_VPAT_POOL_ID, "us-east-1_AbC123", true },
		{ CMFA_VPAT_POOL_ID, "a_b", true },
		{ CMFA_VPAT_POOL_ID, "a_b_c", true },
		{ CMFA_VPAT_POOL_ID, "-_-_x", true },
		{ CMFA_VPAT_POOL_ID, "local_default", true },
		{ CMFA_VPAT_POOL_ID, "_abc", false },
		{ CMFA_VPAT_POOL_ID, "abc_", false },
		{ CMFA_VPAT_POOL_ID, "abc", false },
		{ CMFA_VPAT_POOL_ID, "", false },
		{ CMFA_VPAT_POOL_ID, "us-east-1_ab-c", false },
		{ CMFA_VPAT_POOL_ID, "us east_1", false },
		{ CMFA_VPAT_POOL_ID, "us-east-1_\xc3\xa9", false },
		{ CMFA_VPAT_POOL_ID, "\xc3\xa9_a", false },
		{ CMFA_VPAT_ARN, "arn:aws:iam::123456789012:role/r", true },
		{ CMFA_VPAT_ARN,
		    "arn:aws:iam::123456789012:role/service-role/my-SMS-Role",
		    true },
		{ CMFA_VPAT_ARN, "arn:aws:sms-voice:us-east-1:1:x:y:z", true },
		{ CMFA_VPAT_ARN, "arn:aws:sms-voice:us-east-1:1:x:y:z:w",
		    false },
		{ CMFA_VPAT_ARN, "arn:aws:iam::12a:role/r", false },
		{ CMFA_VPAT_ARN, "arn:aws:iam:::role/r", false },
		{ CMFA_VPAT_ARN, "arn::iam::1:role/r", false },
		{ CMFA_VPAT_ARN, "arn:aws:iam::1:", false },
		{ CMFA_VPAT_ARN, "arn:aws:iam::1:r:", false },
		{ CMFA_VPAT_ARN, "arn:aws:iam::1:role r", false },
		{ CMFA_VPAT_ARN, "ARN:aws:iam::1:r", false },
		{ CMFA_VPAT_ARN, "arn:aws:iam", false },
		{ CMFA_VPAT_OPT_ARN, "", true },
		{ CMFA_VPAT_OPT_ARN, "arn:aws:iam::1:r", true },
		{ CMFA_VPAT_OPT_ARN, "x", false },
		{ CMFA_VPAT_SMS_MSG, "{####}", true },
		{ CMFA_VPAT_SMS_MSG, "Your code is {####}.", true },
		{ CMFA_VPAT_SMS_MSG, "{###}", false },
		{ CMFA_VPAT_SMS_MSG, "a\n{####}", false },
		{ CMFA_VPAT_SMS_MSG, "{####}\r", false },
		{ CMFA_VPAT_SMS_MSG, "{####}\xc2\x85", false },
		{ CMFA_VPAT_SMS_MSG, "{####}\xe2\x80\xa8", false },
		{ CMFA_VPAT_SMS_MSG, "{####}\xe2\x80\xa9", false },
		{ CMFA_VPAT_SMS_MSG, "\t{####}\x0b\f", true },
		{ CMFA_VPAT_EMAIL_MSG, "Code: {####}\n\tbye *", true },
		{ CMFA_VPAT_EMAIL_MSG,
		    "C\xc3\xb3"
		    "digo {####} \xe2\x82\xac",
		    true },
		{ CMFA_VPAT_EMAIL_MSG, "no code", false },
		{ CMFA_VPAT_EMAIL_MSG, "{####}\x01", false },
		{ CMFA_VPAT_EMAIL_MSG, "{####}\xc2\xa0", false },
		{ CMFA_VPAT_EMAIL_MSG, "{####}\xe2\x80\x8b", false },
		{ CMFA_VPAT_EMAIL_MSG, "{####}\xee\x80\x80", false },
		{ CMFA_VPAT_EMAIL_MSG, "{####}\xe2\x80\xa8", false },
		{ CMFA_VPAT_EMAIL_SUBJECT, "Your code", true },
		{ CMFA_VPAT_EMAIL_SUBJECT, " ", true },
		{ CMFA_VPAT_EMAIL_SUBJECT, "", false },
		{ CMFA_VPAT_EMAIL_SUBJECT, "a\x7f", false },
		{ CMFA_VPAT_EMAIL_SUBJECT,
		    "\xef\xbb\xbf"
		    "a",
		    false },
		{ CMFA_VPAT_USERNAME, "alice", true },
		{ CMFA_VPAT_USERNAME, "a.b+c@example.com", true },
		{ CMFA_VPAT_USERNAME, "\xe6\x97\xa5\xe6\x9c\xac", true },
		{ CMFA_VPAT_USERNAME, "\xf0\x9f\x98\x80", true },
		{ CMFA_VPAT_USERNAME, "a b", false },
		{ CMFA_VPAT_USERNAME, "a\tb", false },
		{ CMFA_VPAT_USERNAME, "", false },
		{ CMFA_VPAT_USERNAME, "\xef\xbf\xbf", false },
		{ CMFA_VPAT_ATTR_NAME, "custom:dept", true },
		{ CMFA_VPAT_ATTR_NAME, "a b\t\r\n", true },
		{ CMFA_VPAT_ATTR_NAME, "a\x0b", false },
		{ CMFA_VPAT_ATTR_NAME, "", false },
		{ CMFA_VPAT_TOKEN, "eyJ.abc-_=", true },
		{ CMFA_VPAT_TOKEN, "a b", false },
		{ CMFA_VPAT_TOKEN, "a+b", false },
		{ CMFA_VPAT_TOKEN, "", false },
	};
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(cases); i++)
		CHECK_MSG(cmfa_v_match(cases[i].pat, cases[i].s,
		              strlen(cases[i].s)) == cases[i].ok,
		    "case %zu: %s", i, cases[i].s);
	/* invalid UTF-8 never matches */
	CHECK(!cmfa_v_match(CMFA_VPAT_USERNAME, "\xc3", 1));
	CHECK_STR_EQ(cmfa_v_pattern_text(CMFA_VPAT_SMS_MSG), ".*\\{####\\}.*");
	CHECK_STR_EQ(cmfa_v_pattern_text(CMFA_VPAT_POOL_ID),
	    "[\\w-]+_[0-9a-zA-Z]+");
}

static void
test_utf16_len(void)
{
	CHECK_INT_EQ(cmfa_v_utf16_len(J("")), 0);
	CHECK_INT_EQ(cmfa_v_utf16_len(J("abc")), 3);
	CHECK_INT_EQ(cmfa_v_utf16_len(J("\xc3\xa9")), 1);
	CHECK_INT_EQ(cmfa_v_utf16_len(J("\xe2\x82\xac")), 1);
	CHECK_INT_EQ(cmfa_v_utf16_len(J("\xf0\x9f\x98\x80")), 2);
	CHECK_INT_EQ(cmfa_v_utf16_len(J("a\xf0\x9f\x98\x80"
	                                "b")),
	    4);
}

static void
test_enum_sets(void)
{
	static const char *const lvl[] = { "OFF", "ON", "OPTIONAL", NULL };
	static const char *const uv[] = { "required", "preferred", NULL };
	static const char *const fc[] = { "SINGLE_FACTOR",
		"MULTI_FACTOR_WITH_USER_VERIFICATION", NULL };
	static const char *const dm[] = { "SMS", "EMAIL", NULL };
	static const char *const rec[] = { "verified_email",
		"verified_phone_number", "admin_only", NULL };
	char buf[256], tiny[8];

	/* the observed Cognito message */
	CHECK(cmfa_v_enum_set(lvl, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "[OPTIONAL, OFF, ON]");
	CHECK(cmfa_v_enum_set(uv, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "[required, preferred]");
	CHECK(cmfa_v_enum_set(fc, buf, sizeof(buf)));
	CHECK_STR_EQ(buf,
	    "[MULTI_FACTOR_WITH_USER_VERIFICATION, SINGLE_FACTOR]");
	CHECK(cmfa_v_enum_set(dm, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "[SMS, EMAIL]");
	CHECK(cmfa_v_enum_set(rec, buf, sizeof(buf)));
	CHECK_STR_EQ(buf,
	    "[verified_phone_number, verified_email, "
	    "admin_only]");
	CHECK(!cmfa_v_enum_set(lvl, tiny, sizeof(tiny)));
}

/* ---------------------------------------------------------------------- */
/* cmfa_user_pool_recovery_parse                                          */

#define RM_PATH "userPool.accountRecoverySetting.recoveryMechanisms"
#define RM(list)                                                               \
	"{\"UserPool\":{\"Id\":\"us-east-1_a\",\"MfaConfiguration\":"          \
	"5,\"AccountRecoverySetting\":{\"RecoveryMechanisms\":" list "}}}"

struct rcase {
	const char *json;
	enum cmfa_err err;
	enum cmfa_recovery rec;
	const char *msg;
};

static void
test_recovery(void)
{
	static const struct rcase cases[] = {
		{ RM("[{\"Priority\":1,\"Name\":\"verified_email\"},"
		     "{\"Priority\":2,\"Name\":\"verified_phone_number\"}]"),
		    CMFA_OK, CMFA_RECOVERY_EMAIL, NULL },
		{ RM("[{\"Priority\":2,\"Name\":\"verified_email\"},"
		     "{\"Name\":\"verified_phone_number\",\"Priority\":1}]"),
		    CMFA_OK, CMFA_RECOVERY_PHONE, NULL },
		{ RM("[{\"Priority\":1,\"Name\":\"admin_only\"}]"), CMFA_OK,
		    CMFA_RECOVERY_ADMIN_ONLY, NULL },
		{ RM("[{\"Priority\":2,\"Name\":\"verified_phone_number\"}]"),
		    CMFA_OK, CMFA_RECOVERY_PHONE, NULL },
		{ RM("[{\"Priority\":1.0,\"Name\":\"verified_email\"}]"),
		    CMFA_OK, CMFA_RECOVERY_EMAIL, NULL },
		{ "{}", CMFA_OK, CMFA_RECOVERY_UNKNOWN, NULL },
		{ "{\"UserPool\":null}", CMFA_OK, CMFA_RECOVERY_UNKNOWN, NULL },
		{ "{\"UserPool\":{\"Name\":\"p\"}}", CMFA_OK,
		    CMFA_RECOVERY_UNKNOWN, NULL },
		{ "{\"UserPool\":{\"AccountRecoverySetting\":{}}}", CMFA_OK,
		    CMFA_RECOVERY_UNKNOWN, NULL },
		{ RM("[{\"Priority\":1,\"Name\":\"verified_email\"},"
		     "{\"Priority\":1,\"Name\":\"admin_only\"}]"),
		    CMFA_ERR_VALIDATION, CMFA_RECOVERY_UNKNOWN,
		    "Invalid account recovery setting: two recovery mechanisms "
		    "have priority 1." },
		{ RM("[{\"Priority\":3,\"Name\":\"verified_email\"}]"),
		    CMFA_ERR_VALIDATION, CMFA_RECOVERY_UNKNOWN,
		    "1 validation error detected: Value '3' at '" RM_PATH
		    ".1.member.priority' failed to satisfy constraint: Member "
		    "must have value less than or equal to 2" },
		{ RM("[{\"Priority\":0,\"Name\":\"verified_email\"}]"),
		    CMFA_ERR_VALIDATION, CMFA_RECOVERY_UNKNOWN,
		    "1 validation error detected: Value '0' at '" RM_PATH
		    ".1.member.priority' failed to satisfy constraint: Member "
		    "must have value greater than or equal to 1" },
		{ RM("[{\"Priority\":1.5,\"Name\":\"verified_email\"}]"),
		    CMFA_ERR_VALIDATION, CMFA_RECOVERY_UNKNOWN,
		    "NUMBER_VALUE can not be converted to an Integer" },
		{ RM("[{\"Priority\":1e300,\"Name\":\"verified_email\"}]"),
		    CMFA_ERR_VALIDATION, CMFA_RECOVERY_UNKNOWN,
		    "NUMBER_VALUE can not be converted to an Integer" },
		{ RM("[{\"Priority\":\"1\",\"Name\":\"verified_email\"}]"),
		    CMFA_ERR_VALIDATION, CMFA_RECOVERY_UNKNOWN,
		    "STRING_VALUE can not be converted to an Integer" },
		{ RM("[{\"Priority\":1,\"Name\":\"sms\"}]"),
		    CMFA_ERR_VALIDATION, CMFA_RECOVERY_UNKNOWN,
		    "1 validation error detected: Value 'sms' at '" RM_PATH
		    ".1.member.name' failed to satisfy constraint: Member must "
		    "satisfy enum value set: [verified_phone_number, "
		    "verified_email, admin_only]" },
		{ RM("[{\"Priority\":1}]"), CMFA_ERR_VALIDATION,
		    CMFA_RECOVERY_UNKNOWN,
		    "1 validation error detected: Value "
		    "null at '" RM_PATH ".1.member.name' failed to satisfy "
		    "constraint: Member must not be null" },
		{ RM("[]"), CMFA_ERR_VALIDATION, CMFA_RECOVERY_UNKNOWN,
		    "1 validation error detected: Value at '" RM_PATH
		    "' failed "
		    "to satisfy constraint: Member must have length greater "
		    "than or equal to 1" },
		{ RM("[{\"Priority\":1,\"Name\":\"admin_only\"},"
		     "{\"Priority\":2,\"Name\":\"admin_only\"},"
		     "{\"Priority\":2,\"Name\":\"admin_only\"}]"),
		    CMFA_ERR_VALIDATION, CMFA_RECOVERY_UNKNOWN,
		    "1 validation error detected: Value at '" RM_PATH
		    "' failed "
		    "to satisfy constraint: Member must have length less than "
		    "or "
		    "equal to 2" },
		{ RM("{}"), CMFA_ERR_VALIDATION, CMFA_RECOVERY_UNKNOWN,
		    "Start of structure or map found where not expected." },
		{ "{\"UserPool\":[]}", CMFA_ERR_VALIDATION,
		    CMFA_RECOVERY_UNKNOWN,
		    "Start of list found where not expected." },
		{ "{\"UserPool\":{},\"UserPool\":{}}", CMFA_ERR_PARSE,
		    CMFA_RECOVERY_UNKNOWN, NULL },
		{ "[]", CMFA_ERR_PARSE, CMFA_RECOVERY_UNKNOWN, NULL },
	};
	struct cmfa_verr verr;
	enum cmfa_recovery rec;
	enum cmfa_err err;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(cases); i++) {
		rec = (enum cmfa_recovery)99;
		err = cmfa_user_pool_recovery_parse(cases[i].json,
		    strlen(cases[i].json), &rec, &verr);
		CHECK_MSG(err == cases[i].err, "case %zu: err %d", i, (int)err);
		if (err == CMFA_OK) {
			CHECK_MSG(rec == cases[i].rec, "case %zu: rec %d", i,
			    (int)rec);
			continue;
		}
		CHECK_MSG((int)rec == 99, "case %zu: out touched", i);
		if (cases[i].msg != NULL)
			CHECK_MSG(strcmp(verr.message, cases[i].msg) == 0,
			    "case %zu:\n   got: %s\n  want: %s", i,
			    verr.message, cases[i].msg);
	}
	CHECK_INT_EQ(cmfa_user_pool_recovery_parse(J("{}"), NULL, NULL),
	    CMFA_ERR_INVAL);
}

static void
test_verr_message_cap(void)
{
	struct cmfa_vctx v;
	struct cmfa_verr verr;
	unsigned i;

	/* many errors: counted in full, the text cut to fit */
	cmfa_v_init(&v);
	for (i = 0; i < 500; i++)
		cmfa_v_add(&v, "SomeMember", "value \xe2\x82\xac", false,
		    "Member must not be silly");
	CHECK_INT_EQ(cmfa_v_result(&v, &verr), CMFA_ERR_VALIDATION);
	cmfa_v_free(&v);
	CHECK_STR_EQ(verr.type, "InvalidParameterException");
	CHECK(strncmp(verr.message,
	          "500 validation errors detected: Value "
	          "'value \xe2\x82\xac' at 'someMember' failed to satisfy "
	          "constraint: Member must not be silly; ",
	          110) == 0);
	CHECK(strlen(verr.message) < sizeof(verr.message));
	CHECK(cmfa_utf8_valid(verr.message, strlen(verr.message)));

	cmfa_v_init(&v);
	CHECK_INT_EQ(cmfa_v_result(&v, &verr), CMFA_OK);
	CHECK_STR_EQ(verr.message, "");
	cmfa_v_free(&v);
	CHECK_INT_EQ(cmfa_v_refuse(&verr, "X", "%s-%d", "a", 1),
	    CMFA_ERR_VALIDATION);
	CHECK_STR_EQ(verr.type, "X");
	CHECK_STR_EQ(verr.message, "a-1");
	CHECK_INT_EQ(cmfa_v_refuse(NULL, "X", "y"), CMFA_ERR_VALIDATION);
}

TEST_MAIN_BEGIN("test_model")
	RUN(test_factor_names);
	RUN(test_level_names);
	RUN(test_json_accepts);
	RUN(test_json_top_level);
	RUN(test_json_trailing);
	RUN(test_json_grammar);
	RUN(test_json_numbers);
	RUN(test_json_strings);
	RUN(test_json_utf8);
	RUN(test_json_duplicates);
	RUN(test_json_depth);
	RUN(test_json_size_cap);
	RUN(test_patterns);
	RUN(test_utf16_len);
	RUN(test_enum_sets);
	RUN(test_recovery);
	RUN(test_verr_message_cap);
TEST_MAIN_END
