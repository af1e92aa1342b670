/*
 * set_user_mfa_preference.c: `set-user-mfa-preference --access-token T`:
 * a user's own MFA settings, Cognito's SetUserMFAPreference, sent
 * unsigned (the token is the authorisation, as in botocore).  No output.
 *
 * The Cognito API only: the user is whoever holds the access token, which
 * only Cognito can check.  On the local store the command is refused
 * (253) with the equivalent admin-set-user-mfa-preference line, so an
 * administrator is never left guessing what to run instead.
 */
#include "cmfa_cli.h"
#include "cli_int.h"

static enum cmfa_err
run_local(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	(void)req;
	(void)resp;
	return cmfa_cli_fail(cli, CMFA_ERR_INVAL, CMFA_FAIL_CONFIG,
	    "set-user-mfa-preference acts for the holder of --access-token, "
	    "which only the Amazon Cognito API can check, but the target is "
	    "the local store (%s).  On the local store run "
	    "admin-set-user-mfa-preference --user-pool-id <pool> --username "
	    "<user> with the same settings.",
	    cli->local ? "--local"
	               : "no --endpoint-url or --region, and the config "
	                 "names no region or user_pool_id");
}

const struct cmfa_cli_op cmfa_cli_op_set_user_mfa_preference = {
	.name = "set-user-mfa-preference",
	.api = "SetUserMFAPreference",
	.input = &cmfa_cs_set_user_pref_req,
	.output = NULL,
	.summary = "A user's own factors, by access token (Cognito API only).",
	.help = "The user is the holder of --access-token; the request goes "
	        "unsigned, as the AWS\nCLI sends it.  Keep the token out of "
	        "the process list: --cli-input-json\nfile://req.json with "
	        "{\"AccessToken\": \"...\"}.  On the local store use\n"
	        "admin-set-user-mfa-preference.",
	.run = run_local,
	.run_api = NULL, /* the request as it is */
};
