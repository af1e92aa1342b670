/*
 * test_cli_paginate.c: the AWS CLI's paginator of list-users
 * (cli/paginate.c) over a scripted page source: merging, --max-items
 * cuts and their NextToken (base64 of botocore's json.dumps, byte for
 * byte), resuming with --starting-token (botocore's and the deprecated
 * "token___index" forms), --page-size, the loop guard, the paging
 * options' argparse and --no-paginate rules.  The comparison with the
 * AWS CLI itself is tests/sh/api-mock.sh.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "../../pam_cognito_mfa/cli/cli_int.h"
#include "cmfa_cli.h"
#include "cmfa_test.h"

/* The scripted service: n items u0..u(n-1), pages of `page` (or the
 * request's Limit), tokens "t<start>"; `stuck` answers token "tX"
 * forever. */
static int n_items = 7, page_len = 3, stuck;
static char seen[16][64]; /* the tokens requested, in order */
static int nseen;
static long long seen_limit;

static enum cmfa_err
fake_page(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	const char *tok = cmfa_cli_req_str(req, "PaginationToken");
	const cJSON *lim = cJSON_GetObjectItemCaseSensitive(req, "Limit");
	int start = 0, len = page_len, i;
	cJSON *users;
	char name[16];

	(void)cli;
	if (nseen < 16)
		snprintf(seen[nseen++], sizeof(seen[0]), "%s",
		    tok != NULL ? tok : "-");
	if (lim != NULL && lim->valuestring != NULL) {
		seen_limit = strtoll(lim->valuestring, NULL, 10);
		len = (int)seen_limit;
	}
	if (tok != NULL)
		start = (int)strtol(tok + 1, NULL, 10);
	*resp = cJSON_CreateObject();
	users = cJSON_AddArrayToObject(*resp, "Users");
	for (i = start; i < start + len && i < n_items; i++) {
		cJSON *u = cJSON_CreateObject();

		snprintf(name, sizeof(name), "u%d", i);
		cJSON_AddStringToObject(u, "Username", name);
		cJSON_AddItemToArray(users, u);
	}
	if (stuck)
		cJSON_AddStringToObject(*resp, "PaginationToken", "tX");
	else if (start + len < n_items) {
		snprintf(name, sizeof(name), "t%d", start + len);
		cJSON_AddStringToObject(*resp, "PaginationToken", name);
	}
	return CMFA_OK;
}

static struct cmfa_cli cli;
static char errbuf[4096];

static void
setup(void)
{
	cmfa_cli_init(&cli, stdout, stderr);
	cli.op = cmfa_cli_op_find("list-users");
	nseen = 0;
	seen_limit = -1;
	stuck = 0;
	n_items = 7;
	page_len = 3;
}

static void
teardown(void)
{
	snprintf(errbuf, sizeof(errbuf), "%s", cmfa_buf_str(&cli.fail_msg));
	cmfa_cli_release(&cli);
}

/* The names of the merged Users, joined by ','. */
static void
names(const cJSON *resp, char *out, size_t outsz)
{
	const cJSON *it;
	size_t n = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(resp, "Users"))
	{
		n += (size_t)snprintf(out + n, outsz - n, "%s%s", n ? "," : "",
		    cmfa_cli_req_str(it, "Username"));
		if (n >= outsz)
			break;
	}
}

static void
decode(const char *b64, char *out, size_t outsz)
{
	unsigned char tmp[512];
	int n = -1;

	if (strlen(b64) <= 4 * sizeof(tmp) / 3 - 4)
		n = EVP_DecodeBlock(tmp, (const unsigned char *)b64,
		    (int)strlen(b64));
	/* EVP_DecodeBlock counts the padding's zero bytes */
	while (n > 0 && tmp[n - 1] == '\0')
		n--;
	snprintf(out, outsz, "%.*s", n < 0 ? 0 : n, (const char *)tmp);
}

/* Paginate with pg over fake_page; names and the decoded NextToken. */
static enum cmfa_err
walk(const struct cmfa_cli_paging *pg, char *got, size_t gotsz, char *next,
    size_t nextsz)
{
	cJSON *req = cJSON_CreateObject(), *resp = NULL;
	char *nt = NULL;
	enum cmfa_err e;

	cJSON_AddStringToObject(req, "UserPoolId", "us-east-1_P");
	e = cmfa_cli_paginate(&cli, pg, req, fake_page, &resp, &nt);
	got[0] = next[0] = '\0';
	if (e == CMFA_OK) {
		names(resp, got, gotsz);
		if (nt != NULL)
			decode(nt, next, nextsz);
	}
	free(nt);
	cJSON_Delete(resp);
	cJSON_Delete(req);
	return e;
}

static void
test_all_pages(void)
{
	struct cmfa_cli_paging pg;
	char got[256], next[256];

	setup();
	memset(&pg, 0, sizeof(pg));
	CHECK_INT_EQ(walk(&pg, got, sizeof(got), next, sizeof(next)), CMFA_OK);
	CHECK_STR_EQ(got, "u0,u1,u2,u3,u4,u5,u6");
	CHECK_STR_EQ(next, "");
	CHECK_INT_EQ(nseen, 3);
	CHECK_STR_EQ(seen[1], "t3");
	CHECK_STR_EQ(seen[2], "t6");
	teardown();
}

static void
test_max_items_and_resume(void)
{
	struct cmfa_cli_paging pg;
	char got[256], next[256], tok[256];
	char *enc = NULL;

	setup();
	memset(&pg, 0, sizeof(pg));
	pg.has_max_items = true;
	pg.max_items = 4; /* cuts page 2 after one item */
	CHECK_INT_EQ(walk(&pg, got, sizeof(got), next, sizeof(next)), CMFA_OK);
	CHECK_STR_EQ(got, "u0,u1,u2,u3");
	CHECK_STR_EQ(next,
	    "{\"PaginationToken\": \"t3\", \"boto_truncate_amount\": 1}");
	teardown();

	/* resume: page t3 again, its first item dropped */
	setup();
	memset(&pg, 0, sizeof(pg));
	snprintf(tok, sizeof(tok), "%s", next);
	enc = malloc(4 * sizeof(tok) / 3 + 4);
	EVP_EncodeBlock((unsigned char *)enc, (unsigned char *)tok,
	    (int)strlen(tok));
	pg.starting_token = enc;
	CHECK_INT_EQ(walk(&pg, got, sizeof(got), next, sizeof(next)), CMFA_OK);
	CHECK_STR_EQ(got, "u4,u5,u6");
	CHECK_STR_EQ(seen[0], "t3");
	teardown();
	free(enc);

	/* a cut on the first page: the token of the page is None */
	setup();
	memset(&pg, 0, sizeof(pg));
	pg.has_max_items = true;
	pg.max_items = 2;
	CHECK_INT_EQ(walk(&pg, got, sizeof(got), next, sizeof(next)), CMFA_OK);
	CHECK_STR_EQ(got, "u0,u1");
	CHECK_STR_EQ(next,
	    "{\"PaginationToken\": null, \"boto_truncate_amount\": 2}");
	teardown();

	/* on a page boundary: the next page's token alone */
	setup();
	memset(&pg, 0, sizeof(pg));
	pg.has_max_items = true;
	pg.max_items = 3;
	CHECK_INT_EQ(walk(&pg, got, sizeof(got), next, sizeof(next)), CMFA_OK);
	CHECK_STR_EQ(got, "u0,u1,u2");
	CHECK_STR_EQ(next, "{\"PaginationToken\": \"t3\"}");
	CHECK_INT_EQ(nseen, 1);
	teardown();

	/* --max-items 0: nothing, and a token to start from */
	setup();
	memset(&pg, 0, sizeof(pg));
	pg.has_max_items = true;
	pg.max_items = 0;
	CHECK_INT_EQ(walk(&pg, got, sizeof(got), next, sizeof(next)), CMFA_OK);
	CHECK_STR_EQ(got, "");
	CHECK_STR_EQ(next,
	    "{\"PaginationToken\": null, \"boto_truncate_amount\": 0}");
	teardown();
}

static void
test_page_size(void)
{
	struct cmfa_cli_paging pg;
	char got[256], next[256];

	setup();
	memset(&pg, 0, sizeof(pg));
	pg.has_page_size = true;
	pg.page_size = 2;
	CHECK_INT_EQ(walk(&pg, got, sizeof(got), next, sizeof(next)), CMFA_OK);
	CHECK_STR_EQ(got, "u0,u1,u2,u3,u4,u5,u6");
	CHECK_INT_EQ(nseen, 4);
	CHECK_INT_EQ(seen_limit, 2);
	teardown();

	/* a negative page size: botocore's validation of the request */
	setup();
	memset(&pg, 0, sizeof(pg));
	pg.has_page_size = true;
	pg.page_size = -1;
	CHECK_INT_EQ(walk(&pg, got, sizeof(got), next, sizeof(next)),
	    CMFA_ERR_VALIDATION);
	CHECK_INT_EQ(cli.fail, CMFA_FAIL_VALIDATION);
	teardown();
	CHECK_STR_EQ(errbuf,
	    "Invalid value for parameter Limit, value: -1, valid min value: 0");
	CHECK_INT_EQ(nseen, 0);
}

static void
test_starting_tokens(void)
{
	struct cmfa_cli_paging pg;
	char got[256], next[256];

	/* not base64 JSON: the service's own token (deprecated form) */
	setup();
	memset(&pg, 0, sizeof(pg));
	pg.starting_token = "t3";
	CHECK_INT_EQ(walk(&pg, got, sizeof(got), next, sizeof(next)), CMFA_OK);
	CHECK_STR_EQ(got, "u3,u4,u5,u6");
	teardown();

	setup();
	memset(&pg, 0, sizeof(pg));
	pg.starting_token = "t3___2";
	CHECK_INT_EQ(walk(&pg, got, sizeof(got), next, sizeof(next)), CMFA_OK);
	CHECK_STR_EQ(got, "u5,u6");
	teardown();

	setup();
	memset(&pg, 0, sizeof(pg));
	pg.starting_token = "a___b___c";
	CHECK(walk(&pg, got, sizeof(got), next, sizeof(next)) != CMFA_OK);
	CHECK_INT_EQ(cli.fail, CMFA_FAIL_PYTHON);
	teardown();
	CHECK_STR_EQ(errbuf, "Bad starting token: a___b___c");

	/* base64 of a JSON list: botocore's AttributeError */
	setup();
	memset(&pg, 0, sizeof(pg));
	pg.starting_token = "WzFd"; /* [1] */
	CHECK(walk(&pg, got, sizeof(got), next, sizeof(next)) != CMFA_OK);
	teardown();
	CHECK_STR_EQ(errbuf, "'list' object has no attribute 'pop'");

	/* a member the request does not know: botocore's validation */
	setup();
	memset(&pg, 0, sizeof(pg));
	pg.starting_token = "eyJGb28iOiAiYmFyIn0="; /* {"Foo": "bar"} */
	CHECK_INT_EQ(walk(&pg, got, sizeof(got), next, sizeof(next)),
	    CMFA_ERR_VALIDATION);
	teardown();
	CHECK(strncmp(errbuf, "Unknown parameter in input: \"Foo\"", 33) == 0);
}

static void
test_same_token_twice(void)
{
	struct cmfa_cli_paging pg;
	char got[256], next[256];

	setup();
	memset(&pg, 0, sizeof(pg));
	stuck = 1;
	CHECK(walk(&pg, got, sizeof(got), next, sizeof(next)) != CMFA_OK);
	CHECK_INT_EQ(cli.fail, CMFA_FAIL_PYTHON);
	CHECK_INT_EQ(nseen, 2);
	teardown();
	CHECK_STR_EQ(errbuf,
	    "The same next token was received twice: {'PaginationToken': "
	    "'tX'}");
}

static void
test_args(void)
{
	struct cmfa_cli_paging pg;
	char *argv[16];
	int argc;
	bool on = true;
	cJSON *req;

	setup();
	memset(&pg, 0, sizeof(pg));
	argv[0] = "--user-pool-id";
	argv[1] = "p_1";
	argv[2] = "--max-items=5";
	argv[3] = "--page-size";
	argv[4] = "-2";
	argv[5] = "--starting-token";
	argv[6] = "abc";
	argv[7] = NULL;
	argc = 7;
	CHECK_INT_EQ(cmfa_cli_paging_args(&cli, &argc, argv, &pg), CMFA_OK);
	CHECK_INT_EQ(argc, 2);
	CHECK_STR_EQ(argv[1], "p_1");
	CHECK(argv[2] == NULL);
	CHECK(pg.has_max_items && pg.max_items == 5);
	CHECK(pg.has_page_size && pg.page_size == -2);
	CHECK_STR_EQ(pg.starting_token, "abc");
	CHECK(!pg.manual);
	req = cJSON_CreateObject();
	CHECK_INT_EQ(cmfa_cli_paging_on(&cli, &pg, req, &on), CMFA_OK);
	CHECK(on);
	/* a limit from --cli-input-json: one call, quietly */
	cJSON_AddItemToObject(req, "Limit", cmfa_cli_new_int(3));
	CHECK_INT_EQ(cmfa_cli_paging_on(&cli, &pg, req, &on), CMFA_OK);
	CHECK(!on);
	/* --limit on the line: the paging options are refused */
	pg.manual = true;
	CHECK(cmfa_cli_paging_on(&cli, &pg, req, &on) != CMFA_OK);
	CHECK_INT_EQ(cli.fail, CMFA_FAIL_ARGS);
	CHECK_INT_EQ(cmfa_cli_exit_code(cli.fail), 252);
	cJSON_Delete(req);
	teardown();
	CHECK_STR_EQ(errbuf,
	    "Cannot specify --no-paginate along with pagination arguments: "
	    "--starting-token, --page-size, --max-items");

	setup();
	memset(&pg, 0, sizeof(pg));
	argv[0] = "--max-items";
	argv[1] = "1x";
	argv[2] = NULL;
	argc = 2;
	CHECK(cmfa_cli_paging_args(&cli, &argc, argv, &pg) != CMFA_OK);
	CHECK_INT_EQ(cli.fail, CMFA_FAIL_USAGE);
	teardown();
	CHECK_STR_EQ(errbuf, "argument --max-items: invalid int value: '1x'");

	setup();
	memset(&pg, 0, sizeof(pg));
	argv[0] = "--page-size";
	argv[1] = "--limit";
	argv[2] = NULL;
	argc = 2;
	CHECK(cmfa_cli_paging_args(&cli, &argc, argv, &pg) != CMFA_OK);
	teardown();
	CHECK_STR_EQ(errbuf, "argument --page-size: expected one argument");
}

TEST_MAIN_BEGIN("test_cli_paginate")
	RUN(test_all_pages);
	RUN(test_max_items_and_resume);
	RUN(test_page_size);
	RUN(test_starting_tokens);
	RUN(test_same_token_twice);
	RUN(test_args);
TEST_MAIN_END
