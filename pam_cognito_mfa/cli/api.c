/*
 * api.c: the Amazon Cognito API as the target of a command (DESIGN.md
 * D9): which target a command line selects, and the generic path that
 * sends a validated request to the command's operation and hands the
 * answer to the same presentation as the local store.
 *
 * The target is the API when --endpoint-url or --region is given, or the
 * config file names region or user_pool_id; --local forces the local
 * store, and our own commands (local_only) always act locally.  The
 * environment and AWS profiles never switch the target: they only supply
 * credentials and the region once the target is the API.
 *
 * A request goes out as botocore's JSON serializer writes it: the
 * validated members as they are (the CLI loader's numbers are cJSON_Raw
 * nodes holding Python's repr, which for the integers that pass
 * validation is JSON).  The operations that take an AccessToken are
 * sent unsigned, as botocore does (the model's auth type "none"): the
 * token is the authorisation, no AWS credentials are needed.
 *
 * The answer of a 2xx is parsed as botocore does (an empty body is {}),
 * with one difference on purpose: a body that is not a JSON object is an
 * error (exit 255), where botocore would turn it into {"message": ...}
 * and the AWS CLI print nothing and exit 0: an administrator must not
 * take a garbled answer for a success.
 *
 * Secrets: a request body may hold a token, a session or a code; it is
 * wiped once sent and never logged (--debug shows the operation, the
 * endpoint, the status and the attempts; the driver logs the request
 * with the secret members replaced).  Answers are wiped when freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_aws.h"
#include "cmfa_cli.h"
#include "cli_int.h"

/* The operations of the model's auth type "none" that we call. */
static const char *const unsigned_ops[] = { "AssociateSoftwareToken",
	"VerifySoftwareToken", "SetUserMFAPreference", "GetUser", NULL };

bool
cmfa_cli_target_api(const struct cmfa_cli *cli)
{
	if (cli->local || (cli->op != NULL && cli->op->local_only))
		return false;
	return cli->endpoint_url != NULL || cli->region != NULL ||
	    cli->cfg.region[0] != '\0' || cli->cfg.user_pool_id[0] != '\0';
}

const char *
cmfa_cli_target_why(const struct cmfa_cli *cli)
{
	if (cli->endpoint_url != NULL)
		return "--endpoint-url";
	if (cli->region != NULL)
		return "--region";
	if (cli->cfg.region[0] != '\0')
		return "the config's region";
	if (cli->cfg.user_pool_id[0] != '\0')
		return "the config's user_pool_id";
	return "nothing";
}

static void
wipe(cJSON *v)
{
	cJSON *it;

	for (it = v->child; it != NULL; it = it->next)
		wipe(it);
	if (v->valuestring != NULL)
		cmfa_memzero(v->valuestring, strlen(v->valuestring));
}

void
cmfa_cli_json_wipe_delete(cJSON *v)
{
	if (v == NULL)
		return;
	wipe(v);
	cJSON_Delete(v);
}

static bool
is_unsigned(const char *api)
{
	size_t i;

	for (i = 0; unsigned_ops[i] != NULL; i++)
		if (strcmp(unsigned_ops[i], api) == 0)
			return true;
	return false;
}

/*
 * The region when nothing else names one: the prefix of the config's
 * user_pool_id ("eu-west-1_AbC" -> "eu-west-1"), since a pool lives in
 * the region its id names.  The command's --user-pool-id is not used:
 * the AWS CLI would refuse the same line ("You must specify a region").
 */
static void
fallback_region(const struct cmfa_cli *cli, char *out, size_t outsz)
{
	const char *id = cli->cfg.user_pool_id, *us = strchr(id, '_');

	out[0] = '\0';
	if (us != NULL && us > id && (size_t)(us - id) < outsz)
		snprintf(out, outsz, "%.*s", (int)(us - id), id);
}

/* The 2xx body as botocore reads it: empty is {}; else a JSON object. */
static enum cmfa_err
parse_answer(struct cmfa_cli *cli, const char *api, const struct cmfa_buf *b,
    cJSON **out)
{
	cJSON *v;

	if (b->len > CMFA_HTTP_MAX_RESPONSE)
		return cmfa_cli_fail(cli, CMFA_ERR_TOOBIG, CMFA_FAIL_PYTHON,
		    "The answer of %s is larger than %u bytes.", api,
		    CMFA_HTTP_MAX_RESPONSE);
	if (b->len == 0) {
		if ((*out = cJSON_CreateObject()) == NULL)
			return cmfa_cli_fail(cli, CMFA_ERR_NOMEM,
			    CMFA_FAIL_INTERNAL, "out of memory");
		return CMFA_OK;
	}
	v = cJSON_ParseWithLength((const char *)b->p, b->len);
	if (!cJSON_IsObject(v)) {
		cmfa_cli_json_wipe_delete(v);
		return cmfa_cli_fail(cli, CMFA_ERR_PARSE, CMFA_FAIL_PYTHON,
		    "The answer of %s (%zu bytes) is not a JSON object: "
		    "nothing is shown for it.",
		    api, b->len);
	}
	*out = v;
	return CMFA_OK;
}

enum cmfa_err
cmfa_cli_api_call(struct cmfa_cli *cli, const char *api, const cJSON *req,
    cJSON **resp)
{
	struct cmfa_aws_call c;
	struct cmfa_aws *aws;
	char region[CMFA_AWS_REGION_MAX + 1], *body = NULL;
	enum cmfa_err e;

	*resp = NULL;
	fallback_region(cli, region, sizeof(region));
	if ((e = cmfa_cli_aws(cli, region[0] != '\0' ? region : NULL, &aws)) !=
	    CMFA_OK)
		return e;
	if (req != NULL && (body = cJSON_PrintUnformatted(req)) == NULL)
		return cmfa_cli_fail(cli, CMFA_ERR_NOMEM, CMFA_FAIL_INTERNAL,
		    "out of memory");
	memset(&c, 0, sizeof(c));
	c.op = api;
	c.body = body;
	c.body_len = body != NULL ? strlen(body) : 0;
	c.unsigned_call = is_unsigned(api);
	cmfa_cli_debug(cli, "API %s to %s (%s)", api, cmfa_aws_endpoint(aws),
	    c.unsigned_call ? "unsigned: the token authorises it" : "SigV4");
	e = cmfa_aws_cognito(aws, &c);
	if (body != NULL) {
		cmfa_memzero(body, strlen(body));
		free(body);
	}
	cmfa_cli_debug(cli, "API %s: HTTP %ld after %u attempt(s)%s%s", api,
	    c.status, c.attempts, e != CMFA_OK ? ": " : "",
	    e != CMFA_OK ? c.error.type : "");
	if (e != CMFA_OK) {
		if (c.error.kind == CMFA_AWSERR_NONE)
			e = cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL,
			    "calling %s: %s", api, cmfa_strerror(e));
		else
			e = cmfa_cli_aws_fail(cli, api, &c.error);
	} else
		e = parse_answer(cli, api, &c.response, resp);
	cmfa_aws_call_release(&c);
	return e;
}

enum cmfa_err
cmfa_cli_api_run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	return cmfa_cli_api_call(cli, cli->op->api, req, resp);
}

enum cmfa_err
cmfa_cli_api_username_refused(struct cmfa_cli *cli)
{
	return cmfa_cli_fail(cli, CMFA_ERR_INVAL, CMFA_FAIL_CONFIG,
	    "--username names a user of the local store, but the target is "
	    "the Amazon Cognito API (because of %s), where the user is the "
	    "holder of --access-token (or --session).  Add --local to act "
	    "on the local store.",
	    cmfa_cli_target_why(cli));
}

/*
 * share_cognito_totp (D3): the Linux name of the user who holds token,
 * from GetUser (Username, UserAttributes) and the sync's mapping rule,
 * so that Cognito's secret is kept under the name the module will see.
 */
enum cmfa_err
cmfa_cli_api_token_user(struct cmfa_cli *cli, const char *token, char *name,
    size_t namesz)
{
	char why[256], clean[160];
	cJSON *req, *resp = NULL;
	const char *username;
	enum cmfa_err e;

	if ((req = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(req, "AccessToken", token) == NULL) {
		cmfa_cli_json_wipe_delete(req);
		return cmfa_cli_fail(cli, CMFA_ERR_NOMEM, CMFA_FAIL_INTERNAL,
		    "out of memory");
	}
	e = cmfa_cli_api_call(cli, "GetUser", req, &resp);
	cmfa_cli_json_wipe_delete(req);
	if (e != CMFA_OK)
		return e;
	if ((username = cmfa_cli_req_str(resp, "Username")) == NULL) {
		cmfa_cli_json_wipe_delete(resp);
		return cmfa_cli_fail(cli, CMFA_ERR_PARSE, CMFA_FAIL_PYTHON,
		    "The answer of GetUser names no Username: the secret "
		    "cannot be kept on this host (share_cognito_totp).");
	}
	why[0] = '\0';
	e = cmfa_cli_map_name(&cli->cfg, username,
	    cJSON_GetObjectItemCaseSensitive(resp, "UserAttributes"), name,
	    namesz, why, sizeof(why));
	cmfa_sanitize(clean, sizeof(clean), username, strnlen(username, 128));
	cmfa_cli_json_wipe_delete(resp);
	if (e == CMFA_ERR_VALIDATION)
		return cmfa_cli_fail(cli, e, CMFA_FAIL_CONFIG,
		    "share_cognito_totp = yes, but the Cognito user %s has no "
		    "Linux name on this host: %s.  Nothing was changed.",
		    clean, why[0] != '\0' ? why : "refused");
	if (e != CMFA_OK)
		return cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL,
		    "mapping the Cognito user %s: %s", clean, cmfa_strerror(e));
	cmfa_cli_debug(cli, "the access token is Cognito's %s, here %s", clean,
	    name);
	return CMFA_OK;
}
