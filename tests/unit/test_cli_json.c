/*
 * test_cli_json.c: the CLI's Python-compatible values and its output
 * formatters.  Expected strings were produced by CPython 3.11
 * (/usr/bin/python3, the interpreter of Debian's aws-cli 2.9.19):
 * json.loads error messages, repr() of floats, strings, bytes, dicts and
 * OrderedDicts, json.dumps(indent=4, sort_keys=True, ensure_ascii=False),
 * datetime.fromtimestamp().isoformat(), and awscli/text.py output.
 */
#include <stdlib.h>
#include <time.h>

#include "cmfa_cli.h"
#include "cmfa_test.h"

static const struct {
	const char *in;
	const char *msg;
} json_errors[] = {
	{ "{\"a\": tru", "Expecting value: line 1 column 7 (char 6)" },
	{ "{\"a\" 1}", "Expecting ':' delimiter: line 1 column 6 (char 5)" },
	{ "{a:1}",
	    "Expecting property name enclosed in double quotes: line 1 column "
	    "2 (char 1)" },
	{ "{\"a\":1,}",
	    "Expecting property name enclosed in double quotes: line 1 column "
	    "8 (char 7)" },
	{ "[1,]", "Expecting value: line 1 column 4 (char 3)" },
	{ "[1 2]", "Expecting ',' delimiter: line 1 column 4 (char 3)" },
	{ "\"abc",
	    "Unterminated string starting at: line 1 column 1 (char 0)" },
	{ "\"a\001\"",
	    "Invalid control character at: line 1 column 3 (char 2)" },
	{ "\"\\x\"", "Invalid \\escape: line 1 column 2 (char 1)" },
	{ "\"\\u12\"", "Invalid \\uXXXX escape: line 1 column 3 (char 2)" },
	{ "{\"a\":1} x", "Extra data: line 1 column 9 (char 8)" },
	{ "", "Expecting value: line 1 column 1 (char 0)" },
	{ "  ", "Expecting value: line 1 column 3 (char 2)" },
	{ "01", "Extra data: line 1 column 2 (char 1)" },
	{ "-", "Expecting value: line 1 column 1 (char 0)" },
	{ "1.", "Extra data: line 1 column 2 (char 1)" },
	{ "1e5x", "Extra data: line 1 column 4 (char 3)" },
	{ "{\"\xc3\xa9\":\"\xc3\xbc\" 1}",
	    "Expecting ',' delimiter: line 1 column 10 (char 9)" },
	{ "{\"a\":[1,{\"b\":}]}",
	    "Expecting value: line 1 column 14 (char 13)" },
	{ "[", "Expecting value: line 1 column 2 (char 1)" },
	{ "{",
	    "Expecting property name enclosed in double quotes: line 1 column "
	    "2 (char 1)" },
	{ "{\"a\"", "Expecting ':' delimiter: line 1 column 5 (char 4)" },
	{ "{\"a\":", "Expecting value: line 1 column 6 (char 5)" },
	{ "nul", "Expecting value: line 1 column 1 (char 0)" },
	{ "[1,2", "Expecting ',' delimiter: line 1 column 5 (char 4)" },
	{ "\"ab\\",
	    "Unterminated string starting at: line 1 column 1 (char 0)" },
	{ "\n\n  {\"x\": \n 1 2}",
	    "Expecting ',' delimiter: line 4 column 4 (char 14)" },
	{ "\"\\u12G4\"", "Invalid \\uXXXX escape: line 1 column 3 (char 2)" },
	{ "\"\\ud800\\uZZZZ\"",
	    "Invalid \\uXXXX escape: line 1 column 9 (char 8)" },
	{ "{\"a\":1}\n\n  x", "Extra data: line 3 column 3 (char 11)" },
	{ "\"\xc3\xa9\037\"",
	    "Invalid control character at: line 1 column 3 (char 2)" },
	{ "[1e]", "Expecting ',' delimiter: line 1 column 3 (char 2)" },
	{ "-Infinityx", "Extra data: line 1 column 10 (char 9)" },
	{ "truex", "Extra data: line 1 column 5 (char 4)" },
	{ "\xef\xbb\xbf{}",
	    "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 "
	    "(char 0)" },
};

static void
test_json_load_errors(void)
{
	char err[256];
	cJSON *v;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(json_errors); i++) {
		v = NULL;
		CHECK_INT_EQ(cmfa_cli_json_load(json_errors[i].in,
		                 strlen(json_errors[i].in), true, &v, err,
		                 sizeof(err)),
		    CMFA_ERR_PARSE);
		CHECK(v == NULL);
		CHECK_STR_EQ(err, json_errors[i].msg);
	}
}

/* repr() of what json.loads(s, object_pairs_hook=OrderedDict) gives. */
static void
check_load_repr(const char *in, bool odict, const char *repr)
{
	struct cmfa_buf b;
	char err[256];
	cJSON *v = NULL;

	cmfa_buf_init(&b, 4096);
	CHECK_INT_EQ(cmfa_cli_json_load(in, strlen(in), odict, &v, err,
	                 sizeof(err)),
	    CMFA_OK);
	if (v != NULL) {
		CHECK_INT_EQ(cmfa_cli_pyrepr(v, &b), CMFA_OK);
		CHECK_STR_EQ(cmfa_buf_str(&b), repr);
	}
	cJSON_Delete(v);
	cmfa_buf_free(&b);
}

static void
test_json_load_values(void)
{
	check_load_repr("1.0", true, "1.0");
	check_load_repr("-0", true, "0");
	check_load_repr("1E2", true, "100.0");
	check_load_repr("-1.5e-3", true, "-0.0015");
	check_load_repr("0.5e1", true, "5.0");
	check_load_repr("12345678901234567890", true, "12345678901234567890");
	check_load_repr("NaN", true, "nan");
	check_load_repr("-Infinity", true, "-inf");
	check_load_repr(" [1, 2.50, \"x\", null, true, false, 1e400] ", true,
	    "[1, 2.5, 'x', None, True, False, inf]");
	check_load_repr("{\"a\": {\"b\": 1}}", true,
	    "OrderedDict([('a', OrderedDict([('b', 1)]))])");
	check_load_repr("{}", true, "OrderedDict()");
	check_load_repr("{\"a\": {\"b\": 1}}", false, "{'a': {'b': 1}}");
	/* duplicate keys: the last value in the first key's place */
	check_load_repr("{\"a\": 1, \"b\": 2, \"a\": 3}", false,
	    "{'a': 3, 'b': 2}");
	check_load_repr("\"\\u00e9\\ud83d\\ude00\\n\\t\\\"\\/\"", false,
	    "'\xc3\xa9\xf0\x9f\x98\x80\\n\\t\"/'");
}

static void
test_json_load_refusals(void)
{
	char err[256];
	cJSON *v = NULL;
	char deep[200];
	size_t i;

	/* differences from Python, all refusals */
	CHECK_INT_EQ(cmfa_cli_json_load("\"\\ud800\"", 8, false, &v, err,
	                 sizeof(err)),
	    CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_cli_json_load("\"\\u0000\"", 8, false, &v, err,
	                 sizeof(err)),
	    CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_cli_json_load("\"\xff\"", 3, false, &v, err,
	                 sizeof(err)),
	    CMFA_ERR_PARSE);
	for (i = 0; i < 100; i++)
		deep[i] = '[';
	deep[100] = '\0';
	CHECK_INT_EQ(cmfa_cli_json_load(deep, 100, false, &v, err, sizeof(err)),
	    CMFA_ERR_PARSE);
	CHECK(strstr(err, "depth") != NULL);
	CHECK(v == NULL);
	CHECK_INT_EQ(cmfa_cli_json_load(NULL, 1, false, &v, err, sizeof(err)),
	    CMFA_ERR_INVAL);
}

static const struct {
	double d;
	const char *repr;
} floats[] = {
	{ 1.5, "1.5" },
	{ 2.5, "2.5" },
	{ 1e16, "1e+16" },
	{ 1e15, "1000000000000000.0" },
	{ 0.0001, "0.0001" },
	{ 0.00001, "1e-05" },
	{ 1.0, "1.0" },
	{ 100.0, "100.0" },
	{ 123456789012345678.0, "1.2345678901234568e+17" },
	{ 0.30000000000000004, "0.30000000000000004" },
	{ 5e-324, "5e-324" },
	{ 1.7976931348623157e308, "1.7976931348623157e+308" },
	{ -0.0, "-0.0" },
	{ 1e22, "1e+22" },
	{ 12345.678, "12345.678" },
	{ -2.5e-7, "-2.5e-07" },
};

static void
test_float_repr(void)
{
	char buf[40];
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(floats); i++) {
		cmfa_cli_float_repr(floats[i].d, buf, sizeof(buf));
		CHECK_STR_EQ(buf, floats[i].repr);
	}
	cmfa_cli_float_repr(1.0 / 0.0, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "inf");
	cmfa_cli_float_repr(-1.0 / 0.0, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "-inf");
}

static void
test_repr(void)
{
	struct cmfa_buf b;
	cJSON *o, *l;

	cmfa_buf_init(&b, 4096);
	/* {'a': 'xé\n', 'b': [1, None, True], "c'": "it's", 'd': 'say
	 * "hi"', 'e': '\xa0\u200b😀\x7f\x80'} */
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "a", "x\xc3\xa9\n");
	l = cJSON_AddArrayToObject(o, "b");
	cJSON_AddItemToArray(l, cmfa_cli_new_int(1));
	cJSON_AddItemToArray(l, cJSON_CreateNull());
	cJSON_AddItemToArray(l, cJSON_CreateTrue());
	cJSON_AddStringToObject(o, "c'", "it's");
	cJSON_AddStringToObject(o, "d", "say \"hi\"");
	cJSON_AddStringToObject(o, "e",
	    "\xc2\xa0\xe2\x80\x8b\xf0\x9f\x98\x80\x7f\xc2\x80");
	CHECK_INT_EQ(cmfa_cli_pyrepr(o, &b), CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b),
	    "{'a': 'x\xc3\xa9\\n', 'b': [1, None, True], \"c'\": \"it's\", "
	    "'d': 'say \"hi\"', 'e': "
	    "'\\xa0\\u200b\xf0\x9f\x98\x80\\x7f\\x80'}");
	CHECK_STR_EQ(cmfa_cli_pytype(o), "<class 'dict'>");
	o->type |= CMFA_CLI_ODICT;
	CHECK_STR_EQ(cmfa_cli_pytype(o), "<class 'collections.OrderedDict'>");
	cJSON_Delete(o);

	/* str(s) is the text itself; the types botocore prints */
	o = cJSON_CreateString("yes");
	cmfa_buf_reset(&b);
	CHECK_INT_EQ(cmfa_cli_pystr(o, &b), CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b), "yes");
	CHECK_STR_EQ(cmfa_cli_pytype(o), "<class 'str'>");
	cJSON_Delete(o);
	o = cJSON_CreateRaw("1.5");
	CHECK_STR_EQ(cmfa_cli_pytype(o), "<class 'float'>");
	CHECK(cmfa_cli_is_pyfloat(o) && !cmfa_cli_is_pyint(o));
	cJSON_Delete(o);
	o = cJSON_CreateRaw("-12");
	CHECK_STR_EQ(cmfa_cli_pytype(o), "<class 'int'>");
	CHECK(cmfa_cli_is_pyint(o));
	cJSON_Delete(o);
	CHECK_STR_EQ(cmfa_cli_pytype(NULL), "<class 'NoneType'>");

	/* bytes: b'it\'s \x00\xff"x', b'a"b', b'\'"' */
	cmfa_buf_reset(&b);
	CHECK_INT_EQ(cmfa_cli_pyrepr_bytes((const uint8_t *)"it's \0\xff\"x", 9,
	                 &b),
	    CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b), "b'it\\'s \\x00\\xff\"x'");
	cmfa_buf_reset(&b);
	CHECK_INT_EQ(cmfa_cli_pyrepr_bytes((const uint8_t *)"a\"b", 3, &b),
	    CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b), "b'a\"b'");
	cmfa_buf_reset(&b);
	CHECK_INT_EQ(cmfa_cli_pyrepr_bytes((const uint8_t *)"'\"", 2, &b),
	    CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b), "b'\\'\"'");
	cmfa_buf_free(&b);
}

static char *
dump(const char *json, bool sort)
{
	struct cmfa_buf b;
	cJSON *v = cJSON_Parse(json);
	char *s;

	cmfa_buf_init(&b, 1 << 20);
	CHECK(v != NULL);
	CHECK_INT_EQ(cmfa_cli_json_dump(v, sort, &b), CMFA_OK);
	s = strdup(cmfa_buf_str(&b));
	cmfa_buf_free(&b);
	cJSON_Delete(v);
	return s;
}

static void
test_json_dump(void)
{
	char *s;

	/* sorted at every level (byte order: 'U' < 'n'), indent 4, ": " */
	s = dump("{\"b\": {\"z\": 1, \"Username\": \"u\", \"UserStatus\": 2},"
	         " \"a\": [], \"c\": {}, \"Z\": [true, false, null, 1.5]}",
	    true);
	CHECK_STR_EQ(s,
	    "{\n"
	    "    \"Z\": [\n"
	    "        true,\n"
	    "        false,\n"
	    "        null,\n"
	    "        1.5\n"
	    "    ],\n"
	    "    \"a\": [],\n"
	    "    \"b\": {\n"
	    "        \"UserStatus\": 2,\n"
	    "        \"Username\": \"u\",\n"
	    "        \"z\": 1\n"
	    "    },\n"
	    "    \"c\": {}\n"
	    "}\n");
	free(s);
	/* unsorted keeps the order (skeletons) */
	s = dump("{\"b\": 1, \"a\": 2}", false);
	CHECK_STR_EQ(s, "{\n    \"b\": 1,\n    \"a\": 2\n}\n");
	free(s);
	/* ensure_ascii=False: UTF-8 raw; escapes as Python's json */
	s = dump("{\"m\": \"\\u00e9\\u2713 \\\"q\\\" \\\\ \\n\\r\\t\\b\\f"
	         "\\u0001\\u001f\\u007f/\"}",
	    true);
	CHECK_STR_EQ(s,
	    "{\n    \"m\": \"\xc3\xa9\xe2\x9c\x93 \\\"q\\\" \\\\ "
	    "\\n\\r\\t\\b\\f\\u0001\\u001f\x7f/\"\n}\n");
	free(s);
	/* non-ASCII keys sort by code point */
	s = dump("{\"\xc3\xa9\": 1, \"z\": 2, \"\xe2\x9c\x93\": 3}", true);
	CHECK_STR_EQ(s,
	    "{\n    \"z\": 2,\n    \"\xc3\xa9\": 1,\n    \"\xe2\x9c\x93\": 3\n}"
	    "\n");
	free(s);
	s = dump("[]", true);
	CHECK_STR_EQ(s, "[]\n");
	free(s);
}

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void
test_iso_time(void)
{
	char buf[64];

	set_tz("UTC");
	CHECK_INT_EQ(cmfa_cli_iso_time(1548108509.537, buf, sizeof(buf)),
	    CMFA_OK);
	CHECK_STR_EQ(buf, "2019-01-21T22:08:29.537000+00:00");
	CHECK_INT_EQ(cmfa_cli_iso_time(1548108509, buf, sizeof(buf)), CMFA_OK);
	CHECK_STR_EQ(buf, "2019-01-21T22:08:29+00:00");
	/* the µs rounding of fromtimestamp(): half to even */
	CHECK_INT_EQ(cmfa_cli_iso_time(0.0000005, buf, sizeof(buf)), CMFA_OK);
	CHECK_STR_EQ(buf, "1970-01-01T00:00:00+00:00");
	CHECK_INT_EQ(cmfa_cli_iso_time(0.9999996, buf, sizeof(buf)), CMFA_OK);
	CHECK_STR_EQ(buf, "1970-01-01T00:00:01+00:00");
	set_tz("America/New_York");
	CHECK_INT_EQ(cmfa_cli_iso_time(1548108509.537, buf, sizeof(buf)),
	    CMFA_OK);
	CHECK_STR_EQ(buf, "2019-01-21T17:08:29.537000-05:00");
	set_tz("Asia/Kolkata");
	CHECK_INT_EQ(cmfa_cli_iso_time(1548108509, buf, sizeof(buf)), CMFA_OK);
	CHECK_STR_EQ(buf, "2019-01-22T03:38:29+05:30");
	CHECK_INT_EQ(cmfa_cli_iso_time(1e300, buf, sizeof(buf)),
	    CMFA_ERR_INVAL);
	set_tz("UTC");
}

static void
test_present_and_text(void)
{
	/* an AdminGetUser response: unknown members dropped, dates ISO */
	static const char rec[] =
	    "{\"Username\":\"bob\",\"UserAttributes\":[{\"Name\":\"sub\","
	    "\"Value\":\"x\"},{\"Name\":\"email\",\"Value\":\"a@b.c\"}],"
	    "\"UserCreateDate\":1548108509.537,\"UserLastModifiedDate\":"
	    "1548108509,\"Enabled\":true,\"UserStatus\":\"CONFIRMED\","
	    "\"MFAOptions\":[{\"DeliveryMedium\":\"SMS\",\"AttributeName\":"
	    "\"phone_number\"}],\"PreferredMfaSetting\":\"SMS_MFA\","
	    "\"UserMFASettingList\":[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"],"
	    "\"Zzz\":1}";
	const struct cmfa_cli_op *op = cmfa_cli_op_find("admin-get-user");
	struct cmfa_buf b;
	cJSON *v, *shown = NULL;

	set_tz("UTC");
	CHECK(op != NULL);
	v = cJSON_Parse(rec);
	CHECK_INT_EQ(cmfa_cli_present(v, op->output, &shown), CMFA_OK);
	CHECK(cJSON_GetObjectItem(shown, "Zzz") == NULL);
	CHECK_STR_EQ(cJSON_GetObjectItem(shown, "UserCreateDate")->valuestring,
	    "2019-01-21T22:08:29.537000+00:00");
	/* what `aws cognito-idp admin-get-user --output text` printed for
	 * this very response */
	cmfa_buf_init(&b, 1 << 16);
	CHECK_INT_EQ(cmfa_cli_text_dump(shown, &b), CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b),
	    "True\tSMS_MFA\t2019-01-21T22:08:29.537000+00:00\t"
	    "2019-01-21T22:08:29+00:00\tCONFIRMED\tbob\n"
	    "MFAOPTIONS\tphone_number\tSMS\n"
	    "USERATTRIBUTES\tsub\tx\n"
	    "USERATTRIBUTES\temail\ta@b.c\n"
	    "USERMFASETTINGLIST\tSMS_MFA\n"
	    "USERMFASETTINGLIST\tSOFTWARE_TOKEN_MFA\n");
	cJSON_Delete(shown);
	cJSON_Delete(v);

	/* list-users: the union of scalar keys, '' for a missing one */
	op = cmfa_cli_op_find("list-users");
	v = cJSON_Parse("{\"Users\":[{\"Username\":\"bob\",\"Attributes\":[{"
	                "\"Name\":\"sub\",\"Value\":\"x\"}],\"UserCreateDate\":"
	                "1548108509.537,\"UserLastModifiedDate\":1548108509,"
	                "\"Enabled\":true,\"UserStatus\":\"CONFIRMED\"},{"
	                "\"Username\":\"al\",\"Enabled\":false,\"UserStatus\":"
	                "\"CONFIRMED\",\"MFAOptions\":[]}]}");
	CHECK_INT_EQ(cmfa_cli_present(v, op->output, &shown), CMFA_OK);
	cmfa_buf_reset(&b);
	CHECK_INT_EQ(cmfa_cli_text_dump(shown, &b), CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b),
	    "USERS\tTrue\t2019-01-21T22:08:29.537000+00:00\t"
	    "2019-01-21T22:08:29+00:00\tCONFIRMED\tbob\n"
	    "ATTRIBUTES\tsub\tx\n"
	    "USERS\tFalse\t\t\tCONFIRMED\tal\n");
	cJSON_Delete(shown);
	cJSON_Delete(v);

	/* a pool configuration: top-level scalar alone, nested sections */
	op = cmfa_cli_op_find("get-user-pool-mfa-config");
	v = cJSON_Parse(
	    "{\"SmsMfaConfiguration\":{\"SmsConfiguration\":{"
	    "\"SnsCallerArn\":\"arn\",\"ExternalId\":\"\xc3\xa9\"}},"
	    "\"MfaConfiguration\":\"ON\"}");
	CHECK_INT_EQ(cmfa_cli_present(v, op->output, &shown), CMFA_OK);
	cmfa_buf_reset(&b);
	CHECK_INT_EQ(cmfa_cli_text_dump(shown, &b), CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b), "ON\nSMSCONFIGURATION\t\xc3\xa9\tarn\n");
	cJSON_Delete(shown);
	cJSON_Delete(v);
	cmfa_buf_free(&b);
}

TEST_MAIN_BEGIN("cli_json")
	RUN(test_json_load_errors);
	RUN(test_json_load_values);
	RUN(test_json_load_refusals);
	RUN(test_float_repr);
	RUN(test_repr);
	RUN(test_json_dump);
	RUN(test_iso_time);
	RUN(test_present_and_text);
TEST_MAIN_END
