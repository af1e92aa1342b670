/*
 * associate_software_token.c: `associate-software-token`.
 *
 * On the local store it takes --username (our extension: the store has
 * no access tokens; --access-token and --session are refused there, exit
 * 253).  As Cognito: the pool must have TOTP enabled
 * (SoftwareTokenMFANotFoundException), the user must exist; a new
 * 160-bit secret is saved as the user's pending secret (an active one
 * stays active until the new one is verified) and printed as
 * SecretCode, base32.  When stdout is a terminal, the otpauth:// URI
 * (issuer "cognito-mfa", account "<user>@<host>") and a QR code of it go
 * to stderr for the authenticator app.  The secret is never logged.
 *
 * Against the Cognito API it is AWS's command: --access-token or
 * --session, sent unsigned, and Cognito's SecretCode printed as the AWS
 * CLI prints it (--username is refused, 253).  With share_cognito_totp =
 * yes (DESIGN.md D3) and an access token, the host also keeps Cognito's
 * secret as the pending secret of the token's user: GetUser names the
 * user, the sync's mapping rule (cmfa_cli_map_name) gives the Linux
 * name.  Both happen BEFORE the association, so a user this host cannot
 * name changes nothing in Cognito; a secret that cannot be kept is not
 * printed either (running the command again replaces Cognito's pending
 * secret).  A --session names no user: the secret is then not kept, and
 * a warning says so.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmfa_cli.h"
#include "cmfa_otp.h"
#include "cli_int.h"

#define ISSUER "cognito-mfa"

static enum cmfa_err
show_enrolment(struct cmfa_cli *cli, const char *user, const uint8_t *key,
    size_t keylen)
{
	struct cmfa_buf uri, qr;
	char host[256], account[CMFA_USERNAME_MAX + 260];
	enum cmfa_err e;

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(account, sizeof(account), "%s@%s", user, host);
	cmfa_buf_init(&uri, 4096);
	cmfa_buf_init(&qr, 256 * 1024);
	if ((e = cmfa_otpauth_uri(ISSUER, account, key, keylen, &uri)) ==
	        CMFA_OK &&
	    (e = cmfa_cli_qr(cmfa_buf_str(&uri), &qr)) == CMFA_OK) {
		fprintf(cli->err,
		    "\nAdd this account to the authenticator app (scan the "
		    "code, or enter the\nSecretCode), then confirm it with:\n"
		    "  cognito-mfa verify-software-token --username %s "
		    "--user-code <code>\n\n%s\n",
		    user, cmfa_buf_str(&uri));
		fwrite(qr.p, 1, qr.len, cli->err);
		fflush(cli->err);
	}
	cmfa_buf_free(&uri);
	cmfa_buf_free(&qr);
	return e;
}

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	struct cmfa_cli_cv cv;
	uint8_t key[CMFA_TOTP_KEY_LEN];
	char b32[CMFA_TOTP_KEY_B32_MAX];
	const char *name;
	enum cmfa_err e;

	if ((e = cmfa_cli_local_user(cli, req, &name)) != CMFA_OK)
		return e;
	cmfa_cli_cv_init(&cv);
	cmfa_cli_cv_username(&cv, "username", name);
	e = cmfa_cli_cv_done(cli, &cv);
	cmfa_cli_cv_free(&cv);
	if (e != CMFA_OK ||
	    (e = cmfa_cli_totp_user_ready(cli, name)) != CMFA_OK)
		return e;
	if ((e = cmfa_random_bytes(key, sizeof(key))) != CMFA_OK)
		return cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL,
		    "no random numbers: %s", cmfa_strerror(e));
	if ((e = cmfa_store_pending_save(&cli->store, name, key,
	         sizeof(key))) != CMFA_OK) {
		e = cmfa_cli_store_error(cli, e, "pending TOTP secret");
		goto out;
	}
	cmfa_cli_debug(cli, "pending TOTP secret saved for %s", name);
	if ((e = cmfa_base32_encode(key, sizeof(key), b32, sizeof(b32))) !=
	    CMFA_OK)
		goto out;
	if ((*resp = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(*resp, "SecretCode", b32) == NULL) {
		e = CMFA_ERR_NOMEM;
		goto out;
	}
	if (cli->out_tty &&
	    show_enrolment(cli, name, key, sizeof(key)) != CMFA_OK)
		fputs("cognito-mfa: warning: cannot draw the QR code\n",
		    cli->err);
out:
	cmfa_memzero(key, sizeof(key));
	cmfa_memzero(b32, sizeof(b32));
	return e;
}

/* share_cognito_totp: Cognito's SecretCode kept as name's pending secret. */
static enum cmfa_err
keep_secret(struct cmfa_cli *cli, const char *name, const cJSON *resp)
{
	const char *b32 = cmfa_cli_req_str(resp, "SecretCode");
	uint8_t key[CMFA_TOTP_KEY_MAX];
	size_t keylen = 0;
	enum cmfa_err e;

	if (b32 == NULL ||
	    cmfa_base32_decode(b32, strlen(b32), key, sizeof(key), &keylen) !=
	        CMFA_OK ||
	    keylen == 0) {
		cmfa_memzero(key, sizeof(key));
		return cmfa_cli_fail(cli, CMFA_ERR_PARSE, CMFA_FAIL_PYTHON,
		    "The SecretCode of AssociateSoftwareToken is not a base32 "
		    "secret of at most %d bytes: this host cannot keep it "
		    "(share_cognito_totp), so it is not shown.  Nothing was "
		    "kept on this host.",
		    CMFA_TOTP_KEY_MAX);
	}
	e = cmfa_store_pending_save(&cli->store, name, key, keylen);
	cmfa_memzero(key, sizeof(key));
	if (e != CMFA_OK)
		return cmfa_cli_store_error(cli, e,
		    "pending TOTP secret (share_cognito_totp; the SecretCode "
		    "is "
		    "not shown: run the command again)");
	cmfa_cli_debug(cli,
	    "Cognito's secret kept as the pending TOTP secret of %s "
	    "(share_cognito_totp)",
	    name);
	return CMFA_OK;
}

static enum cmfa_err
run_api(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	const char *token = cmfa_cli_req_str(req, "AccessToken");
	char name[CMFA_USERNAME_MAX + 1];
	bool share = cli->cfg.share_cognito_totp;
	enum cmfa_err e;

	if (cJSON_GetObjectItemCaseSensitive(req, "Username") != NULL)
		return cmfa_cli_api_username_refused(cli);
	if (share && token == NULL &&
	    cJSON_GetObjectItemCaseSensitive(req, "Session") != NULL) {
		fputs("cognito-mfa: warning: share_cognito_totp = yes, but a "
		      "--session does not say who the user is: Cognito's "
		      "secret is not kept on this host (use --access-token)\n",
		    cli->err);
		share = false;
	}
	if (share && token != NULL &&
	    ((e = cmfa_cli_api_token_user(cli, token, name, sizeof(name))) !=
	            CMFA_OK ||
	        (e = cmfa_cli_store(cli)) != CMFA_OK))
		return e;
	if ((e = cmfa_cli_api_call(cli, cli->op->api, req, resp)) != CMFA_OK ||
	    !share || token == NULL)
		return e;
	if ((e = keep_secret(cli, name, *resp)) != CMFA_OK) {
		cmfa_cli_json_wipe_delete(*resp);
		*resp = NULL;
	}
	return e;
}

const struct cmfa_cli_op cmfa_cli_op_associate_software_token = {
	.name = "associate-software-token",
	.api = "AssociateSoftwareToken",
	.input = &cmfa_cs_associate_req,
	.output = &cmfa_cs_associate_resp,
	.summary = "Start TOTP enrolment: a new secret for the user.",
	.help = "Local store: --username names the user (the store has no "
	        "access tokens).  The\nsecret waits for verify-software-token."
	        "  On a terminal, the otpauth:// URI and\na QR code are shown "
	        "on stderr.\nCognito API: --access-token or --session, as "
	        "the AWS CLI takes them (keep the\ntoken out of the process "
	        "list: --cli-input-json file://req.json).  With\n"
	        "share_cognito_totp = yes this host also keeps Cognito's "
	        "secret for the token's\nuser (named by GetUser and the "
	        "sync's mapping).",
	.run = run,
	.run_api = run_api,
};
