/*
 * test_config.c: the configuration file: defaults, every key at its
 * boundaries, the line syntax and its errors, and loading a file safely.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <unistd.h>

#include "cmfa_config.h"
#include "cmfa_fixture.h"
#include "cmfa_test.h"

static void
test_defaults(void)
{
	struct cmfa_config c;

	memset(&c, 0x5a, sizeof(c));
	cmfa_config_defaults(&c);
	CHECK_STR_EQ(c.store, CMFA_LOCALSTATEDIR "/cognito-mfa");
	CHECK_INT_EQ(c.mfa_floor, CMFA_MFA_OFF);
	CHECK_INT_EQ(c.max_age, 0);
	CHECK_INT_EQ(c.fail_mode, CMFA_FAIL_CLOSED);
	CHECK_INT_EQ(c.unknown_user, CMFA_UNKNOWN_DENY);
	CHECK_INT_EQ(c.window, 1);
	CHECK_STR_EQ(c.exempt_group, "");
	CHECK_STR_EQ(c.only_group, "");
	CHECK_INT_EQ(c.grace, 0);
	CHECK(!c.allow_unverified_destinations);

	/* an empty file, or only comments, gives the defaults */
	memset(&c, 0x5a, sizeof(c));
	CHECK_INT_EQ(cmfa_config_parse("", 0, &c, NULL, 0), CMFA_OK);
	CHECK_INT_EQ(c.window, 1);
	CHECK_INT_EQ(cmfa_config_parse(NULL, 0, &c, NULL, 0), CMFA_OK);
	CHECK_INT_EQ(cmfa_config_parse("# x\n\n  # y\n\t\n", 13, &c, NULL, 0),
	    CMFA_OK);
	CHECK_STR_EQ(c.store, CMFA_LOCALSTATEDIR "/cognito-mfa");
}

static enum cmfa_err
set(struct cmfa_config *c, const char *k, const char *v)
{
	char err[256];
	enum cmfa_err rc;

	rc = cmfa_config_set(c, k, strlen(k), v, strlen(v), err, sizeof(err));
	if (rc == CMFA_OK)
		CHECK_STR_EQ(err, "");
	else
		CHECK(err[0] != '\0');
	return rc;
}

/* Every value is good (or bad) and a bad one leaves c unchanged. */
static void
check_values(const char *key, const char *const *good, size_t ngood,
    const char *const *bad, size_t nbad)
{
	struct cmfa_config c, before;
	size_t i;

	cmfa_config_defaults(&c);
	for (i = 0; i < ngood; i++)
		CHECK_MSG(set(&c, key, good[i]) == CMFA_OK, "%s = %s", key,
		    good[i]);
	for (i = 0; i < nbad; i++) {
		memcpy(&before, &c, sizeof(c));
		CHECK_MSG(set(&c, key, bad[i]) == CMFA_ERR_PARSE,
		    "%s = '%s' accepted", key, bad[i]);
		CHECK_MSG(memcmp(&c, &before, sizeof(c)) == 0, "%s = %s", key,
		    bad[i]);
	}
}

#define CHECK_VALUES(key, good, bad)                                           \
	check_values(key, good, CMFA_ARRAY_LEN(good), bad, CMFA_ARRAY_LEN(bad))

static void
test_key_store(void)
{
	static const char *const good[] = {
		"/",
		"/var/lib/cognito-mfa",
		"/srv/x y",
		"/a=b",
		"/...",
		"/a/.b",
		"/caf\xc3\xa9",
		"//double//slash/",
		"/a#b",
	};
	static const char *const bad[] = {
		"",
		"relative",
		"./x",
		"/a/../b",
		"/a/./b",
		"/a/.",
		"/a/..",
		"/..",
		"/a\tb",
		"/a\x01",
		"/a\x7f",
		"/\xff",
		"/\xc3",
		"~/store",
	};
	struct cmfa_config c;
	char path[CMFA_CONFIG_PATH_MAX + 2];

	CHECK_VALUES("store", good, bad);
	cmfa_config_defaults(&c);
	CHECK_INT_EQ(set(&c, "store", "/srv/x y"), CMFA_OK);
	CHECK_STR_EQ(c.store, "/srv/x y");
	/* 4095 bytes is the longest */
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[CMFA_CONFIG_PATH_MAX] = '\0';
	CHECK_INT_EQ(set(&c, "store", path), CMFA_OK);
	CHECK_INT_EQ(strlen(c.store), CMFA_CONFIG_PATH_MAX);
	path[CMFA_CONFIG_PATH_MAX] = 'p';
	path[CMFA_CONFIG_PATH_MAX + 1] = '\0';
	CHECK_INT_EQ(set(&c, "store", path), CMFA_ERR_PARSE);
}

static void
test_key_choices(void)
{
	static const char *const floor_good[] = { "off", "optional", "on" };
	static const char *const floor_bad[] = {
		"",
		"OFF",
		"On",
		"ON",
		"OPTIONAL",
		"o",
		"onn",
		"of",
		"yes",
		"0",
		"on ",
		" on",
	};
	static const char *const fail_good[] = { "closed", "open" };
	static const char *const fail_bad[] = {
		"",
		"Closed",
		"close",
		"opened",
		"safe",
		"secure",
	};
	static const char *const unk_good[] = { "deny", "ignore" };
	static const char *const unk_bad[] = {
		"",
		"Deny",
		"allow",
		"ignored",
		"permit",
	};
	static const char *const bool_good[] = { "yes", "no" };
	static const char *const bool_bad[] = {
		"",
		"Yes",
		"NO",
		"true",
		"false",
		"1",
		"0",
		"y",
		"n",
		"on",
	};
	struct cmfa_config c;
	char err[256];

	CHECK_VALUES("mfa_floor", floor_good, floor_bad);
	CHECK_VALUES("fail_mode", fail_good, fail_bad);
	CHECK_VALUES("unknown_user", unk_good, unk_bad);
	CHECK_VALUES("allow_unverified_destinations", bool_good, bool_bad);

	cmfa_config_defaults(&c);
	CHECK_INT_EQ(set(&c, "mfa_floor", "optional"), CMFA_OK);
	CHECK_INT_EQ(c.mfa_floor, CMFA_MFA_OPTIONAL);
	CHECK_INT_EQ(set(&c, "mfa_floor", "on"), CMFA_OK);
	CHECK_INT_EQ(c.mfa_floor, CMFA_MFA_ON);
	CHECK_INT_EQ(set(&c, "fail_mode", "open"), CMFA_OK);
	CHECK_INT_EQ(c.fail_mode, CMFA_FAIL_OPEN);
	CHECK_INT_EQ(set(&c, "unknown_user", "ignore"), CMFA_OK);
	CHECK_INT_EQ(c.unknown_user, CMFA_UNKNOWN_IGNORE);
	CHECK_INT_EQ(set(&c, "allow_unverified_destinations", "yes"), CMFA_OK);
	CHECK(c.allow_unverified_destinations);
	CHECK_INT_EQ(set(&c, "allow_unverified_destinations", "no"), CMFA_OK);
	CHECK(!c.allow_unverified_destinations);

	/* the message names the choices */
	CHECK_INT_EQ(cmfa_config_set(&c, "mfa_floor", 9, "maybe", 5, err,
	                 sizeof(err)),
	    CMFA_ERR_PARSE);
	CHECK_STR_EQ(err,
	    "mfa_floor: 'maybe' is not one of off, optional, "
	    "on");
}

static void
test_key_numbers(void)
{
	static const char *const age_good[] = { "0", "1", "86400", "31536000" };
	static const char *const age_bad[] = {
		"",
		"31536001",
		"-1",
		"+1",
		"01",
		" 1",
		"1 ",
		"1e3",
		"0x10",
		"1.5",
		"99999999999999999999999",
		"1d",
	};
	static const char *const win_good[] = { "0", "1", "10" };
	static const char *const win_bad[] = { "11", "-0", "00", "100" };
	static const char *const grace_good[] = { "0", "3600", "300" };
	static const char *const grace_bad[] = { "3601", "4294967296", "x" };
	struct cmfa_config c;

	CHECK_VALUES("max_age", age_good, age_bad);
	CHECK_VALUES("window", win_good, win_bad);
	CHECK_VALUES("grace", grace_good, grace_bad);
	cmfa_config_defaults(&c);
	CHECK_INT_EQ(set(&c, "max_age", "31536000"), CMFA_OK);
	CHECK_INT_EQ(c.max_age, 31536000);
	CHECK_INT_EQ(set(&c, "window", "0"), CMFA_OK);
	CHECK_INT_EQ(c.window, 0);
	CHECK_INT_EQ(set(&c, "window", "10"), CMFA_OK);
	CHECK_INT_EQ(c.window, 10);
	CHECK_INT_EQ(set(&c, "grace", "3600"), CMFA_OK);
	CHECK_INT_EQ(c.grace, 3600);
}

static void
test_key_groups(void)
{
	static const char *const good[] = {
		"a",
		"wheel",
		"_x",
		"0",
		"a.b-c_d",
		"machines$",
		"a$",
		"A9",
		"abcdefghijklmnopqrstuvwxyz012345",
		"abcdefghijklmnopqrstuvwxyz01234$",
	};
	static const char *const bad[] = {
		"",
		"$",
		"-a",
		".a",
		"a b",
		"a$b",
		"a$$",
		"caf\xc3\xa9",
		"a/b",
		"a:b",
		"a,b",
		"abcdefghijklmnopqrstuvwxyz0123456",
		"abcdefghijklmnopqrstuvwxyz012345$",
		"a\n",
		"@a",
		"a@b",
	};
	struct cmfa_config c;

	CHECK_VALUES("exempt_group", good, bad);
	CHECK_VALUES("only_group", good, bad);
	cmfa_config_defaults(&c);
	CHECK_INT_EQ(set(&c, "exempt_group", "wheel"), CMFA_OK);
	CHECK_INT_EQ(set(&c, "only_group", "mfa-users"), CMFA_OK);
	CHECK_STR_EQ(c.exempt_group, "wheel");
	CHECK_STR_EQ(c.only_group, "mfa-users");
}

/* One "key = value" line through the file parser (file-only keys are
 * refused by cmfa_config_set, the module's door). */
static enum cmfa_err
parse1(const char *key, const char *val, struct cmfa_config *out)
{
	char text[1200], err[256];

	snprintf(text, sizeof(text), "%s = %s\n", key, val);
	return cmfa_config_parse(text, strlen(text), out, err, sizeof(err));
}

static void
check_file_values(const char *key, const char *const *good, size_t ngood,
    const char *const *bad, size_t nbad)
{
	struct cmfa_config c;
	size_t i;

	for (i = 0; i < ngood; i++)
		CHECK_MSG(parse1(key, good[i], &c) == CMFA_OK, "%s = %s", key,
		    good[i]);
	for (i = 0; i < nbad; i++)
		CHECK_MSG(parse1(key, bad[i], &c) == CMFA_ERR_PARSE,
		    "%s = %s accepted", key, bad[i]);
}

#define CHECK_FILE_VALUES(key, good, bad)                                      \
	check_file_values(key, good, CMFA_ARRAY_LEN(good), bad,                \
	    CMFA_ARRAY_LEN(bad))

static void
test_api_keys(void)
{
	static const char *const regions[] = { "eu-west-1", "us-gov-west-1",
		"local" };
	static const char *const bad_regions[] = { "EU-WEST-1", "-eu", "eu-",
		"eu_west", "eu west",
		/* 65 bytes, one more than the key allows */
		("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		 "aaaaaaaaaaaaaaaaaaaaaaaaa") };
	static const char *const pools[] = { "eu-west-1_AbC123", "local_pool",
		"a_b_c9" };
	static const char *const bad_pools[] = { "nounderscore", "_abc",
		"eu-west-1_", "eu-west-1_a-b", "eu west_1",
		"x_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	static const char *const users[] = { "cognito-sync", "_sync", "sync$" };
	static const char *const bad_users[] = { "-x", "a b", "a,b", "a:b" };
	static const char *const lists[] = { "ansible", "ansible,deploy",
		"a,b,c" };
	static const char *const bad_lists[] = { ",", "a,", ",a", "a,,b",
		"a b" };
	static const char *const rps[] = { "1", "20", "100" };
	static const char *const bad_rps[] = { "0", "101", "-1", "1.5" };
	struct cmfa_config c;
	char err[256];

	CHECK_FILE_VALUES("region", regions, bad_regions);
	CHECK_FILE_VALUES("user_pool_id", pools, bad_pools);
	CHECK_FILE_VALUES("sync_user", users, bad_users);
	CHECK_FILE_VALUES("allow_system_users", lists, bad_lists);
	CHECK_FILE_VALUES("sync_max_rps", rps, bad_rps);

	cmfa_config_defaults(&c);
	CHECK_INT_EQ(c.sync_max_rps, CMFA_CONFIG_RPS_DEFAULT);
	CHECK(!c.share_cognito_totp && !c.ec2_metadata_disabled);
	CHECK_STR_EQ(c.region, "");
	CHECK_INT_EQ(parse1("region", "eu-west-1", &c), CMFA_OK);
	CHECK_STR_EQ(c.region, "eu-west-1");

	/* the module's arguments never carry cognito-mfa's settings */
	CHECK_INT_EQ(cmfa_config_set(&c, "region", 6, "eu-west-1", 9, err,
	                 sizeof(err)),
	    CMFA_ERR_PARSE);
	CHECK(strstr(err, "only in the config file") != NULL);
	CHECK_INT_EQ(cmfa_config_set(&c, "share_cognito_totp", 18, "yes", 3,
	                 err, sizeof(err)),
	    CMFA_ERR_PARSE);

	/* D12: an attribute users may edit never names Linux accounts */
	CHECK_INT_EQ(parse1("map_attribute", "preferred_username", &c),
	    CMFA_ERR_PARSE);
	CHECK_INT_EQ(parse1("map_attribute", "sub", &c), CMFA_OK);
	{
		static const char t[] = "map_attribute = custom:linux_user\n"
		                        "map_attribute_admin_only = yes\n";

		CHECK_INT_EQ(cmfa_config_parse(t, strlen(t), &c, err,
		                 sizeof(err)),
		    CMFA_OK);
		CHECK_STR_EQ(c.map_attribute, "custom:linux_user");
	}
}

static void
test_delivery_keys(void)
{
	static const char *const validity[] = { "3", "15", "10" };
	static const char *const bad_validity[] = { "0", "2", "16", "x" };
	static const char *const timeouts[] = { "1", "20", "120" };
	static const char *const bad_timeouts[] = { "0", "121", "1s" };
	static const char *const urls[] = {
		"https://sns.eu-west-1.amazonaws.com", "http://127.0.0.1:4566",
		"http://[::1]:8080/x"
	};
	static const char *const bad_urls[] = { "sns.eu-west-1.amazonaws.com",
		"ftp://x", "https://", "https://user:pw@host", "https://a b",
		"https://\"x\"", "https://:80" };
	static const char *const smtp[] = { "smtp://127.0.0.1:2525",
		"smtps://mail.example.com", "smtp://mail.example.com:587" };
	static const char *const bad_smtp[] = { "http://mail.example.com",
		"smtp://u:p@mail.example.com", "smtp://", "mail.example.com" };
	static const char *const from[] = { "no-reply@example.com", "a@b",
		"mfa+hosts@mail.example.co.uk" };
	static const char *const bad_from[] = { "example.com", "@example.com",
		"a@", "a@b@c", "Name <a@b>", "a@b,c@d", "a b@c" };
	/* alone on a line: "command", "smtp" and "ses" are half a channel
	 * (tested below) */
	static const char *const sms[] = { "none", "sns" };
	static const char *const bad_sms[] = { "SNS", "smtp", "yes" };
	static const char *const email[] = { "none" };
	static const char *const bad_email[] = { "sns", "SES", "sendmail" };
	struct cmfa_config c;
	char err[256];

	cmfa_config_defaults(&c);
	CHECK_INT_EQ(c.code_validity, 3);
	CHECK_INT_EQ(c.delivery_timeout, 20);
	CHECK_INT_EQ(c.delivery_limit, 5);
	CHECK(c.sms_channel == CMFA_SMS_NONE);
	CHECK(c.email_channel == CMFA_EMAIL_NONE);
	CHECK(c.sms_assume_role && c.smtp_starttls);

	CHECK_FILE_VALUES("code_validity", validity, bad_validity);
	CHECK_FILE_VALUES("delivery_timeout", timeouts, bad_timeouts);
	CHECK_FILE_VALUES("sns_endpoint_url", urls, bad_urls);
	CHECK_FILE_VALUES("sts_endpoint_url", urls, bad_urls);
	CHECK_FILE_VALUES("ses_endpoint_url", urls, bad_urls);
	CHECK_FILE_VALUES("smtp_url", smtp, bad_smtp);
	CHECK_FILE_VALUES("email_from", from, bad_from);
	CHECK_FILE_VALUES("sms_channel", sms, bad_sms);
	CHECK_FILE_VALUES("email_channel", email, bad_email);

	/* the module may take the two it uses as arguments ... */
	CHECK_INT_EQ(set(&c, "code_validity", "15"), CMFA_OK);
	CHECK_INT_EQ(c.code_validity, 15);
	CHECK_INT_EQ(set(&c, "delivery_timeout", "5"), CMFA_OK);
	/* ... never the channels: its helper reads only the file */
	CHECK_INT_EQ(cmfa_config_set(&c, "sms_channel", 11, "sns", 3, err,
	                 sizeof(err)),
	    CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_config_set(&c, "deliver_command", 15, "/bin/true", 9,
	                 err, sizeof(err)),
	    CMFA_ERR_PARSE);

	/* a channel names what it needs, or the file is refused */
	{
		static const struct {
			const char *text;
			bool ok;
		} cases[] = {
			{ "sms_channel = command\n", false },
			{ "sms_channel = command\ndeliver_command = /x/y\n",
			    true },
			{ "email_channel = command\n", false },
			{ "email_channel = smtp\nsmtp_url = smtp://h\n",
			    false },
			{ "email_channel = smtp\nemail_from = a@b\n", false },
			{ "email_channel = smtp\nsmtp_url = smtp://h\n"
			  "email_from = a@b\n",
			    true },
			{ "email_channel = ses\n", false },
			{ "email_channel = ses\nemail_from = a@b\n", true },
			{ "sms_channel = sns\n", true },
		};
		size_t i;

		for (i = 0; i < CMFA_ARRAY_LEN(cases); i++) {
			enum cmfa_err e = cmfa_config_parse(cases[i].text,
			    strlen(cases[i].text), &c, err, sizeof(err));

			CHECK_MSG((e == CMFA_OK) == cases[i].ok, "%s: %s",
			    cases[i].text, err);
			if (!cases[i].ok)
				CHECK_MSG(strstr(err, "needs") != NULL, "%s",
				    err);
		}
	}
	CHECK_INT_EQ(parse1("sms_channel", "sns", &c), CMFA_OK);
	CHECK(c.sms_channel == CMFA_SMS_SNS);
}

static void
test_set_errors(void)
{
	struct cmfa_config c, before;
	char err[256], longkey[600];

	cmfa_config_defaults(&c);
	memcpy(&before, &c, sizeof(c));
	CHECK_INT_EQ(cmfa_config_set(&c, "nope", 4, "1", 1, err, sizeof(err)),
	    CMFA_ERR_PARSE);
	CHECK_STR_EQ(err, "unknown key 'nope'");
	/* keys are exact: case, prefix, length */
	CHECK_INT_EQ(set(&c, "Window", "1"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(set(&c, "windo", "1"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(set(&c, "window ", "1"), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_config_set(&c, "window", 5, "1", 1, err, sizeof(err)),
	    CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_config_set(&c, "window", 6, "1", 1, err, sizeof(err)),
	    CMFA_OK);
	/* the value's length bounds it, not a NUL */
	CHECK_INT_EQ(cmfa_config_set(&c, "window", 6, "12", 1, err,
	                 sizeof(err)),
	    CMFA_OK);
	CHECK_INT_EQ(c.window, 1);
	CHECK_INT_EQ(cmfa_config_set(&c, "window", 6, "1\0", 2, err,
	                 sizeof(err)),
	    CMFA_ERR_PARSE);
	CHECK_STR_EQ(err, "window: control character in value");
	CHECK(memcmp(&c, &before, sizeof(c)) == 0);

	/* a long hostile key is quoted sanitized and cut at 64 chars */
	memset(longkey, 'k', sizeof(longkey));
	longkey[3] = '\x1b';
	CHECK_INT_EQ(cmfa_config_set(&c, longkey, sizeof(longkey), "1", 1, err,
	                 sizeof(err)),
	    CMFA_ERR_PARSE);
	CHECK(strchr(err, '\x1b') == NULL);
	CHECK(strlen(err) <= strlen("unknown key ''") + 64);
	CHECK(strstr(err, "kkk?kkk") != NULL);
	/* err may be NULL or tiny */
	CHECK_INT_EQ(cmfa_config_set(&c, "nope", 4, "1", 1, NULL, 0),
	    CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_config_set(&c, "nope", 4, "1", 1, err, 5),
	    CMFA_ERR_PARSE);
	CHECK_STR_EQ(err, "unkn");
	CHECK_INT_EQ(cmfa_config_set(NULL, "window", 6, "1", 1, err,
	                 sizeof(err)),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_config_set(&c, NULL, 0, "1", 1, err, sizeof(err)),
	    CMFA_ERR_INVAL);
}

static enum cmfa_err
parse(const char *text, struct cmfa_config *c, char *err, size_t errsz)
{
	return cmfa_config_parse(text, strlen(text), c, err, errsz);
}

static void
test_parse_file(void)
{
	static const char text[] =
	    "# /etc/cognito-mfa/cognito-mfa.conf\n"
	    "\n"
	    "   # indented comment\n"
	    "\t# tab-indented comment\n"
	    "store = /srv/mfa store\n"
	    "mfa_floor=optional\n"
	    "  max_age\t=\t86400  \n"
	    "fail_mode = open\n"
	    "unknown_user = ignore\n"
	    "window = 2\n"
	    "exempt_group = breakglass$\n"
	    "only_group = staff\n"
	    "grace = 300\n"
	    "allow_unverified_destinations = yes"; /* no final newline */
	struct cmfa_config c;
	char err[256];

	CHECK_INT_EQ(parse(text, &c, err, sizeof(err)), CMFA_OK);
	CHECK_STR_EQ(err, "");
	CHECK_STR_EQ(c.store, "/srv/mfa store");
	CHECK_INT_EQ(c.mfa_floor, CMFA_MFA_OPTIONAL);
	CHECK_INT_EQ(c.max_age, 86400);
	CHECK_INT_EQ(c.fail_mode, CMFA_FAIL_OPEN);
	CHECK_INT_EQ(c.unknown_user, CMFA_UNKNOWN_IGNORE);
	CHECK_INT_EQ(c.window, 2);
	CHECK_STR_EQ(c.exempt_group, "breakglass$");
	CHECK_STR_EQ(c.only_group, "staff");
	CHECK_INT_EQ(c.grace, 300);
	CHECK(c.allow_unverified_destinations);

	/* keys not given keep their defaults; '=' may be in a value */
	CHECK_INT_EQ(parse("store = /a=b\n", &c, err, sizeof(err)), CMFA_OK);
	CHECK_STR_EQ(c.store, "/a=b");
	CHECK_INT_EQ(c.window, 1);
	CHECK_INT_EQ(c.fail_mode, CMFA_FAIL_CLOSED);
}

static void
test_parse_errors(void)
{
	static const struct {
		const char *text;
		enum cmfa_err rc;
		const char *err;
	} cases[] = {
		{ "window = 1\nwindow = 2\n", CMFA_ERR_PARSE,
		    "line 2: window: given twice" },
		{ "window = 1\nwindow = 1\n", CMFA_ERR_PARSE,
		    "line 2: window: given twice" },
		{ "\n\nnope = 1\n", CMFA_ERR_PARSE,
		    "line 3: unknown key 'nope'" },
		{ "window 1\n", CMFA_ERR_PARSE,
		    "line 1: expected key = value, got 'window 1'" },
		{ "window\n", CMFA_ERR_PARSE,
		    "line 1: expected key = value, got 'window'" },
		{ "= 1\n", CMFA_ERR_PARSE, "line 1: missing key before '='" },
		{ "  \t= 1\n", CMFA_ERR_PARSE,
		    "line 1: missing key before '='" },
		{ "window =\n", CMFA_ERR_PARSE,
		    "line 1: window: missing value" },
		{ "window = \t \n", CMFA_ERR_PARSE,
		    "line 1: window: missing value" },
		{ "window = 1 # one\n", CMFA_ERR_PARSE,
		    "line 1: window: '1 # one' is not a whole number from 0 "
		    "to 10" },
		{ "window = 11\n", CMFA_ERR_PARSE,
		    "line 1: window: '11' is not a whole number from 0 to 10" },
		{ "window = 1\r\n", CMFA_ERR_PARSE,
		    "line 1: carriage return (CRLF line endings are not "
		    "accepted)" },
		{ "# a comment\r\nwindow = 1\r\n", CMFA_ERR_PARSE,
		    "line 1: carriage return (CRLF line endings are not "
		    "accepted)" },
		{ "store = /a\vb\n", CMFA_ERR_PARSE,
		    "line 1: store: control character in value" },
		{ "store = /a\tb\n", CMFA_ERR_PARSE,
		    "line 1: store: control character in value" },
		{ "store = /a\x1b[31m\n", CMFA_ERR_PARSE,
		    "line 1: store: control character in value" },
		{ "Window = 1\n", CMFA_ERR_PARSE,
		    "line 1: unknown key 'Window'" },
		{ "win dow = 1\n", CMFA_ERR_PARSE,
		    "line 1: unknown key 'win dow'" },
		{ "window == 1\n", CMFA_ERR_PARSE,
		    "line 1: window: '= 1' is not a whole number from 0 to "
		    "10" },
		{ "#ok\nmfa_floor = ON\n", CMFA_ERR_PARSE,
		    "line 2: mfa_floor: 'ON' is not one of off, optional, on" },
		{ "k\xc3\xa9y = 1\n", CMFA_ERR_PARSE,
		    "line 1: unknown key 'k\xc3\xa9y'" },
		{ "k\xffy = 1\n", CMFA_ERR_PARSE, "line 1: unknown key 'k?y'" },
		{ "\x1b]0;pwned\a = 1\n", CMFA_ERR_PARSE,
		    "line 1: unknown key '?]0;pwned?'" },
	};
	struct cmfa_config c, before;
	char err[256];
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(cases); i++) {
		memset(&c, 0x42, sizeof(c));
		memcpy(&before, &c, sizeof(c));
		CHECK_MSG(parse(cases[i].text, &c, err, sizeof(err)) ==
		        cases[i].rc,
		    "case %zu", i);
		CHECK_MSG(strcmp(err, cases[i].err) == 0, "case %zu: \"%s\"", i,
		    err);
		CHECK_MSG(memcmp(&c, &before, sizeof(c)) == 0, "case %zu", i);
	}
}

static void
test_parse_limits(void)
{
	static char buf[CMFA_CONFIG_MAX + 64];
	struct cmfa_config c;
	char err[256];
	size_t n, i;

	/* a NUL inside a line, even a comment line */
	CHECK_INT_EQ(cmfa_config_parse("window = 1\n# a\0b\n", 17, &c, err,
	                 sizeof(err)),
	    CMFA_ERR_PARSE);
	CHECK_STR_EQ(err, "line 2: NUL byte");
	CHECK_INT_EQ(cmfa_config_parse("window = 1\0", 11, &c, err,
	                 sizeof(err)),
	    CMFA_ERR_PARSE);
	CHECK_STR_EQ(err, "line 1: NUL byte");

	/* lines: 1024 bytes fine, 1025 not */
	memset(buf, '#', 1024);
	buf[1024] = '\n';
	CHECK_INT_EQ(cmfa_config_parse(buf, 1025, &c, err, sizeof(err)),
	    CMFA_OK);
	memset(buf, '#', 1025);
	buf[1025] = '\n';
	CHECK_INT_EQ(cmfa_config_parse(buf, 1026, &c, err, sizeof(err)),
	    CMFA_ERR_TOOBIG);
	CHECK_STR_EQ(err, "line 1: longer than 1024 bytes");
	CHECK_INT_EQ(cmfa_config_parse(buf, 1025, &c, err, sizeof(err)),
	    CMFA_ERR_TOOBIG); /* without its newline too */

	/* the file: 64 KiB fine, one byte more not */
	n = 0;
	while (n + 1000 <= CMFA_CONFIG_MAX) {
		memset(buf + n, '#', 999);
		buf[n + 999] = '\n';
		n += 1000;
	}
	for (i = n; i < CMFA_CONFIG_MAX; i++)
		buf[i] = '\n';
	CHECK_INT_EQ(cmfa_config_parse(buf, CMFA_CONFIG_MAX, &c, err,
	                 sizeof(err)),
	    CMFA_OK);
	buf[CMFA_CONFIG_MAX] = '\n';
	CHECK_INT_EQ(cmfa_config_parse(buf, CMFA_CONFIG_MAX + 1, &c, err,
	                 sizeof(err)),
	    CMFA_ERR_TOOBIG);
	CHECK_STR_EQ(err, "file larger than 65536 bytes");
	CHECK_INT_EQ(cmfa_config_parse("x", 1, NULL, err, sizeof(err)),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_config_parse(NULL, 1, &c, err, sizeof(err)),
	    CMFA_ERR_INVAL);
}

/* ---------------------------------------------------------------------- */

static void
test_load(void)
{
	char top[64], dir[128], p[192], q[192], err[512];
	static char big[CMFA_CONFIG_MAX + 2];
	struct cmfa_config c;
	uid_t me = geteuid();

	snprintf(top, sizeof(top), "/tmp/cmfa-test-config-XXXXXX");
	if (mkdtemp(top) == NULL) {
		CHECK(0);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/etc", top);
	CHECK(mkdir(dir, 0755) == 0);
	snprintf(p, sizeof(p), "%s/cognito-mfa.conf", dir);
	CHECK_INT_EQ(cmfa_config_load(p, me, &c, err, sizeof(err)),
	    CMFA_ERR_NOTFOUND);
	CHECK(strstr(err, "cognito-mfa.conf: not found") != NULL);

	CHECK(cmfa_fixture_put(p, "window = 3\nmfa_floor = on\n", 25, 0644));
	CHECK_INT_EQ(cmfa_config_load(p, me, &c, err, sizeof(err)), CMFA_OK);
	CHECK_INT_EQ(c.window, 3);
	CHECK_INT_EQ(c.mfa_floor, CMFA_MFA_ON);
	/* a parse error is reported with its line */
	CHECK(cmfa_fixture_put(p, "window = 3\nwindow = 4\n", 22, 0644));
	CHECK_INT_EQ(cmfa_config_load(p, me, &c, err, sizeof(err)),
	    CMFA_ERR_PARSE);
	CHECK_STR_EQ(err, "line 2: window: given twice");
	CHECK_INT_EQ(c.window, 3); /* untouched */

	/* untrusted: writable by others, symlinked, dir writable */
	CHECK(cmfa_fixture_put(p, "window = 3\n", 11, 0666));
	CHECK_INT_EQ(cmfa_config_load(p, me, &c, err, sizeof(err)),
	    CMFA_ERR_UNTRUSTED);
	CHECK(cmfa_fixture_put(p, "window = 3\n", 11, 0644));
	snprintf(q, sizeof(q), "%s/link.conf", dir);
	CHECK(symlink("cognito-mfa.conf", q) == 0);
	CHECK_INT_EQ(cmfa_config_load(q, me, &c, err, sizeof(err)),
	    CMFA_ERR_UNTRUSTED);
	CHECK(chmod(dir, 0775) == 0);
	CHECK_INT_EQ(cmfa_config_load(p, me, &c, err, sizeof(err)),
	    CMFA_ERR_UNTRUSTED);
	CHECK(chmod(dir, 0755) == 0);
	CHECK_INT_EQ(cmfa_config_load(p, me + 1, &c, err, sizeof(err)),
	    CMFA_ERR_UNTRUSTED);
	/* too big */
	memset(big, '\n', sizeof(big));
	CHECK(cmfa_fixture_put(p, big, sizeof(big), 0644));
	CHECK_INT_EQ(cmfa_config_load(p, me, &c, err, sizeof(err)),
	    CMFA_ERR_TOOBIG);
	CHECK_INT_EQ(cmfa_config_load("relative.conf", me, &c, err,
	                 sizeof(err)),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_config_load(NULL, me, &c, err, sizeof(err)),
	    CMFA_ERR_INVAL);
	cmfa_fixture_rm_tree(top);
}

TEST_MAIN_BEGIN("test_config")
	RUN(test_defaults);
	RUN(test_key_store);
	RUN(test_key_choices);
	RUN(test_key_numbers);
	RUN(test_key_groups);
	RUN(test_api_keys);
	RUN(test_delivery_keys);
	RUN(test_set_errors);
	RUN(test_parse_file);
	RUN(test_parse_errors);
	RUN(test_parse_limits);
	RUN(test_load);
TEST_MAIN_END
