/*
 * test_conf_files.c: the files under conf/ say what the code does.  The
 * shipped cognito-mfa.conf parses, documents every key the parser knows
 * as a "#key = value" line, and with every such line uncommented still
 * parses to the defaults (the commented values are the real defaults).
 * Runs from the top of the tree (tests/run-tests cds there).
 */
#include <fcntl.h>
#include <unistd.h>

#include "cmfa_config.h"
#include "cmfa_test.h"

#define CONF "conf/cognito-mfa.conf"

static char text[CMFA_CONFIG_MAX + 1];
static size_t text_len;

static int
load(void)
{
	int fd = open(CONF, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text_len = (size_t)n;
	text[text_len] = '\0';
	return 1;
}

static int
same_as_defaults(const struct cmfa_config *c, int skip_groups)
{
	struct cmfa_config d;

	cmfa_config_defaults(&d);
	return strcmp(c->store, d.store) == 0 && c->mfa_floor == d.mfa_floor &&
	    c->max_age == d.max_age && c->fail_mode == d.fail_mode &&
	    c->unknown_user == d.unknown_user && c->window == d.window &&
	    c->grace == d.grace &&
	    c->allow_unverified_destinations ==
	    d.allow_unverified_destinations &&
	    c->share_cognito_totp == d.share_cognito_totp &&
	    c->ec2_metadata_disabled == d.ec2_metadata_disabled &&
	    c->sync_max_rps == d.sync_max_rps &&
	    c->map_attribute_admin_only == d.map_attribute_admin_only &&
	    (skip_groups ||
	        (strcmp(c->exempt_group, d.exempt_group) == 0 &&
	            strcmp(c->only_group, d.only_group) == 0));
}

static void
test_shipped_file_parses_to_defaults(void)
{
	struct cmfa_config c;
	char err[256] = "";

	CHECK(load());
	CHECK_MSG(cmfa_config_parse(text, text_len, &c, err, sizeof(err)) ==
	        CMFA_OK,
	    "%s", err);
	CHECK(same_as_defaults(&c, 0));
}

static void
test_every_key_documented(void)
{
	char want[128];
	const char *k;
	size_t i;

	CHECK(load());
	for (i = 0; (k = cmfa_config_key(i)) != NULL; i++) {
		snprintf(want, sizeof(want), "\n#%s =", k);
		CHECK_MSG(strstr(text, want) != NULL, "key %s is not in %s", k,
		    CONF);
	}
	CHECK(i >= 10);
}

static void
test_uncommented_values_are_defaults(void)
{
	static char out[CMFA_CONFIG_MAX + 1];
	struct cmfa_config c;
	char err[256] = "";
	size_t i = 0, o = 0;

	CHECK(load());
	/* "#key = value" lines lose their '#'; prose comments stay */
	while (i < text_len) {
		int bol = i == 0 || text[i - 1] == '\n';

		if (bol && text[i] == '#' && i + 1 < text_len &&
		    text[i + 1] >= 'a' && text[i + 1] <= 'z') {
			i++;
			continue;
		}
		out[o++] = text[i++];
	}
	CHECK_MSG(cmfa_config_parse(out, o, &c, err, sizeof(err)) == CMFA_OK,
	    "%s", err);
	/* keys whose default is "none" show an example, not the default */
	CHECK(same_as_defaults(&c, 1));
}

TEST_MAIN_BEGIN("conf_files")
	RUN(test_shipped_file_parses_to_defaults);
	RUN(test_every_key_documented);
	RUN(test_uncommented_values_are_defaults);
TEST_MAIN_END
