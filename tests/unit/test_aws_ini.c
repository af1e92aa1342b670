/*
 * test_aws_ini.c: the shared config / credentials file reader (aws/ini.c)
 * and Python's shlex.split() (aws/shlex.c).
 *
 * Every expected value here is what botocore's configloader
 * (raw_config_parse / load_config over Python's RawConfigParser) returns
 * for the same text: each case was run through both when it was written.
 */
#include "cmfa_test.h"

#include "../../pam_cognito_mfa/aws/creds_int.h"

#define SENTINEL "untouched"

/* cmfa_ini_get() of text: the value, or "ERR:<code>". */
static const char *
get(const char *text, const char *sect, const char *key)
{
	static char out[256];
	enum cmfa_err e;

	snprintf(out, sizeof(out), "%s", SENTINEL);
	e = cmfa_ini_get(text, strlen(text), sect, key, out, sizeof(out));
	if (e != CMFA_OK) {
		if (strcmp(out, SENTINEL) != 0)
			return "ERR:output written on failure";
		snprintf(out, sizeof(out), "ERR:%s",
		    e == CMFA_ERR_PARSE          ? "PARSE"
		        : e == CMFA_ERR_NOTFOUND ? "NOTFOUND"
		        : e == CMFA_ERR_TOOBIG   ? "TOOBIG"
		                                 : "OTHER");
	}
	return out;
}

/* The config file's profile lookup (after the check). */
static const char *
prof(const char *text, const char *profile, const char *key)
{
	static char out[256];
	enum cmfa_err e;

	e = cmfa_ini_check(text, strlen(text));
	if (e == CMFA_OK)
		e = cmfa_ini_lookup(text, strlen(text), CMFA_INI_PROFILE,
		    profile, key, out, sizeof(out));
	if (e != CMFA_OK)
		snprintf(out, sizeof(out), "ERR:%s",
		    e == CMFA_ERR_PARSE          ? "PARSE"
		        : e == CMFA_ERR_NOTFOUND ? "NOTFOUND"
		                                 : "OTHER");
	return out;
}

static void
basics(void)
{
	CHECK_STR_EQ(get("[default]\nregion = us-east-1\n", "default",
	                 "region"),
	    "us-east-1");
	/* option names are lowercased; ':' is a delimiter too */
	CHECK_STR_EQ(get("[default]\nRegion : us-east-1 \n", "default",
	                 "REGION"),
	    "us-east-1");
	CHECK_STR_EQ(get("[a]\nx = a=b:c\n", "a", "x"), "a=b:c");
	CHECK_STR_EQ(get("[a]\nx : a=b:c\n", "a", "x"), "a=b:c");
	CHECK_STR_EQ(get("[a]\nx =\n", "a", "x"), "");
	/* no inline comments; comment lines may be indented */
	CHECK_STR_EQ(get("[a]\nx = 1 # not a comment\n", "a", "x"),
	    "1 # not a comment");
	CHECK_STR_EQ(get("[a]\n  ; comment\nx = 1\n", "a", "x"), "1");
	/* the header is everything up to the last ']' */
	CHECK_STR_EQ(get("[a] junk\nx = 1\n", "a", "x"), "1");
	CHECK_STR_EQ(get("[a]]\nx = 1\n", "a]", "x"), "1");
	/* sections are case-sensitive, keys are not */
	CHECK_STR_EQ(get("[A]\nx = 1\n", "a", "x"), "ERR:NOTFOUND");
	CHECK_STR_EQ(get("[a]\nx = 1\n", "a", "y"), "ERR:NOTFOUND");
	CHECK_STR_EQ(get("", "a", "x"), "ERR:NOTFOUND");
	CHECK_STR_EQ(get("# only\n\n", "a", "x"), "ERR:NOTFOUND");
}

static void
line_ends_and_spaces(void)
{
	CHECK_STR_EQ(get("[a]\r\nx = 1\r\n  2\r\n", "a", "x"), "1\n2");
	CHECK_STR_EQ(get("[a]\rx = 1\r  2\r", "a", "x"), "1\n2");
	/* Python's strip() removes Unicode spaces (NBSP, ideographic) */
	CHECK_STR_EQ(get("[a]\n\xc2\xa0x = 1\n\xc2\xa0\xc2\xa0y\n", "a", "x"),
	    "1\ny");
	CHECK_STR_EQ(get("[a]\nx = \xe3\x80\x80v\xe3\x80\x80\n", "a", "x"),
	    "v");
	CHECK_STR_EQ(get("[a]\n\tx = 1\n\t\ty\n", "a", "x"), "1\ny");
}

static void
continuations(void)
{
	/* blank lines inside count, comment lines do not, trailing go */
	CHECK_STR_EQ(get("[default]\nregion = a\n  b\n\n  c\n# x\n  d\n\n"
	                 "foo=1\n",
	                 "default", "region"),
	    "a\nb\n\nc\nd");
	/* a deeper line continues the value even when it looks like a
	 * header */
	CHECK_STR_EQ(get("[a]\nx = 1\n  [b]\ny=2\n", "a", "x"), "1\n[b]");
	CHECK_STR_EQ(get("[a]\nx = 1\n  [b]\ny=2\n", "b", "y"), "ERR:NOTFOUND");
	CHECK_STR_EQ(get("[a]\nk = v\n   \n", "a", "k"), "v");
}

static void
nested(void)
{
	/* a nested block is no value */
	CHECK_STR_EQ(get("[default]\ns3 =\n  a = b\n  c=d\n", "default", "s3"),
	    "ERR:NOTFOUND");
	/* and each of its lines needs '=' (splitlines() breaks at VT) */
	CHECK_STR_EQ(get("[default]\ns3 =\n  a = b\n  c\n", "default", "s3"),
	    "ERR:PARSE");
	CHECK_STR_EQ(get("[a]\ns3 =\n  x=1\x0by=2\n", "a", "s3"),
	    "ERR:NOTFOUND");
	CHECK_STR_EQ(get("[a]\ns3 =\n  x=1\n  \x0by\n", "a", "s3"),
	    "ERR:PARSE");
}

static void
refused(void)
{
	CHECK_STR_EQ(get("[default]\nx=1\n[default]\ny=2\n", "default", "x"),
	    "ERR:PARSE");
	CHECK_STR_EQ(get("[default]\nx=1\nX=2\n", "default", "x"), "ERR:PARSE");
	/* a duplicate anywhere makes the whole file unreadable */
	CHECK_STR_EQ(get("[a]\nx=1\n[b]\ny=1\ny=2\n", "a", "x"), "ERR:PARSE");
	CHECK_STR_EQ(get("x=1\n[default]\n", "default", "x"), "ERR:PARSE");
	CHECK_STR_EQ(get("[a]\n=1\n", "a", "x"), "ERR:PARSE");
	CHECK_STR_EQ(get("[a]\nnovalue\n", "a", "x"), "ERR:PARSE");
	CHECK_STR_EQ(get("[a]\nk = \xff\n", "a", "k"), "ERR:PARSE");
	CHECK_STR_EQ(get("\xef\xbb\xbf[a]\nk = v\n", "a", "k"), "ERR:PARSE");
	CHECK_INT_EQ(cmfa_ini_check("[a]\nk = v\0w\n", 11), CMFA_ERR_PARSE);
}

static void
default_section(void)
{
	CHECK_STR_EQ(get("[DEFAULT]\nx=1\n[a]\ny=2\n", "a", "x"), "1");
	CHECK_STR_EQ(get("[DEFAULT]\nx=1\n[a]\nx=2\n", "a", "x"), "2");
	/* not a section of its own; may appear twice, its keys may not */
	CHECK_STR_EQ(get("[DEFAULT]\nx=1\n[a]\ny=2\n", "DEFAULT", "x"),
	    "ERR:NOTFOUND");
	CHECK_STR_EQ(get("[DEFAULT]\nx=1\n[DEFAULT]\nz=2\n[a]\n", "a", "z"),
	    "2");
	CHECK_STR_EQ(get("[DEFAULT]\nx=1\n[DEFAULT]\nx=2\n[a]\n", "a", "x"),
	    "ERR:PARSE");
	/* only existing sections inherit */
	CHECK_STR_EQ(get("[DEFAULT]\nx=1\n", "b", "x"), "ERR:NOTFOUND");
}

static void
profiles(void)
{
	CHECK_STR_EQ(prof("[profile foo]\nregion=r1\n", "foo", "region"), "r1");
	CHECK_STR_EQ(prof("[profile \"foo bar\"]\nregion=r1\n", "foo bar",
	                 "region"),
	    "r1");
	CHECK_STR_EQ(prof("[profile  foo]\nregion=r1\n", "foo", "region"),
	    "r1");
	/* botocore only checks the "profile" prefix and two words */
	CHECK_STR_EQ(prof("[profiles foo]\nregion=r1\n", "foo", "region"),
	    "r1");
	CHECK_STR_EQ(prof("[foo]\nregion=r1\n", "foo", "region"),
	    "ERR:NOTFOUND");
	CHECK_STR_EQ(prof("[profile \"foo]\nregion=r2\n", "foo", "region"),
	    "ERR:NOTFOUND");
	/* [default] and [profile default] are one profile: the later
	 * section wins whole */
	CHECK_STR_EQ(prof("[default]\nregion=r1\n[profile default]\n"
	                  "region=r2\n",
	                 "default", "region"),
	    "r2");
	CHECK_STR_EQ(prof("[profile default]\nregion=r2\nfoo=1\n[default]\n"
	                  "region=r1\n",
	                 "default", "foo"),
	    "ERR:NOTFOUND");
	CHECK_STR_EQ(prof("[profile foo]\nregion=r2\n[profile  foo]\nx=1\n",
	                 "foo", "region"),
	    "ERR:NOTFOUND");
	CHECK(cmfa_ini_has("[profile a]\n", 12, CMFA_INI_PROFILE, "a"));
	CHECK(!cmfa_ini_has("[profile a]\n", 12, CMFA_INI_SECTION, "a"));
	CHECK(cmfa_ini_has("[profile a]\n", 12, CMFA_INI_SECTION, "profile a"));
	CHECK(!cmfa_ini_has("[DEFAULT]\n", 10, CMFA_INI_SECTION, "DEFAULT"));
}

static void
sizes(void)
{
	char out[4] = "abc";

	CHECK_INT_EQ(cmfa_ini_get("[a]\nx = 1234\n", 13, "a", "x", out,
	                 sizeof(out)),
	    CMFA_ERR_TOOBIG);
	CHECK_STR_EQ(out, "abc");
	CHECK_INT_EQ(cmfa_ini_get("[a]\nx = 123\n", 12, "a", "x", out,
	                 sizeof(out)),
	    CMFA_OK);
	CHECK_STR_EQ(out, "123");
}

/* shlex.split() of s joined with '|', or "ERR". */
static const char *
split(const char *s)
{
	static char joined[256];
	char buf[256], *argv[8];
	size_t argc = 0, i, used = 0;

	if (cmfa_shlex_split(s, strlen(s), buf, sizeof(buf), argv, 8, &argc) !=
	    CMFA_OK)
		return "ERR";
	joined[0] = '\0';
	for (i = 0; i < argc; i++)
		used += (size_t)snprintf(joined + used, sizeof(joined) - used,
		    "%s%s", i ? "|" : "", argv[i]);
	return joined;
}

static void
shlex(void)
{
	CHECK_STR_EQ(split("a b  c"), "a|b|c");
	CHECK_STR_EQ(split("  a\t\nb\r "), "a|b");
	CHECK_STR_EQ(split("'a b' \"c d\""), "a b|c d");
	CHECK_STR_EQ(split("a\"b c\"d"), "ab cd");
	CHECK_STR_EQ(split("a\\ b"), "a b");
	CHECK_STR_EQ(split("'a\\b'"), "a\\b");
	CHECK_STR_EQ(split("\"a\\\"b\\\\c\\d\""), "a\"b\\c\\d");
	CHECK_STR_EQ(split("'' x \"\""), "|x|");
	CHECK_STR_EQ(split("a#b"), "a#b");
	CHECK_STR_EQ(split(""), "");
	CHECK_STR_EQ(split("'unclosed"), "ERR");
	CHECK_STR_EQ(split("\"unclosed"), "ERR");
	CHECK_STR_EQ(split("trailing\\"), "ERR");
	CHECK_STR_EQ(split("1 2 3 4 5 6 7 8 9"), "ERR"); /* > maxargs */
}

TEST_MAIN_BEGIN("test_aws_ini")
	RUN(basics);
	RUN(line_ends_and_spaces);
	RUN(continuations);
	RUN(nested);
	RUN(refused);
	RUN(default_section);
	RUN(profiles);
	RUN(sizes);
	RUN(shlex);
TEST_MAIN_END
