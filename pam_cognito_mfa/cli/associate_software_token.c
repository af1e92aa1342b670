/*
 * associate_software_token.c: `associate-software-token --username U`
 * (a local extension: AWS's command takes the user's --access-token or
 * --session, which belong to the Cognito API and are refused, exit 253,
 * until the API target exists).
 *
 * As Cognito: the pool must have TOTP enabled
 * (SoftwareTokenMFANotFoundException), the user must exist; a new
 * 160-bit secret is saved as the user's pending secret (an active one
 * stays active until the new one is verified) and printed as
 * SecretCode, base32.  When stdout is a terminal, the otpauth:// URI
 * (issuer "cognito-mfa", account "<user>@<host>") and a QR code of it go
 * to stderr for the authenticator app.  The secret is never logged.
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
	struct cmfa_pool_config pool;
	struct cmfa_cli_cv cv;
	struct cmfa_user u;
	uint8_t key[CMFA_TOTP_KEY_LEN];
	char b32[CMFA_TOTP_KEY_B32_MAX];
	const char *name;
	enum cmfa_err e;

	memset(&u, 0, sizeof(u));
	if ((e = cmfa_cli_local_user(cli, req, &name)) != CMFA_OK)
		return e;
	cmfa_cli_cv_init(&cv);
	cmfa_cli_cv_username(&cv, "username", name);
	e = cmfa_cli_cv_done(cli, &cv);
	cmfa_cli_cv_free(&cv);
	if (e != CMFA_OK || (e = cmfa_cli_pool_read(cli, &pool)) != CMFA_OK)
		return e;
	if (!pool.totp) {
		cmfa_pool_free(&pool);
		return cmfa_cli_service_error(cli,
		    "SoftwareTokenMFANotFoundException",
		    "Software Token MFA has not been enabled by the userPool");
	}
	cmfa_pool_free(&pool);
	if ((e = cmfa_cli_user_read(cli, name, &u)) != CMFA_OK)
		return e;
	cmfa_user_free(&u);
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

const struct cmfa_cli_op cmfa_cli_op_associate_software_token = {
	.name = "associate-software-token",
	.api = "AssociateSoftwareToken",
	.input = &cmfa_cs_associate_req,
	.output = &cmfa_cs_associate_resp,
	.summary = "Start TOTP enrolment: a new secret for --username.",
	.help = "cognito-mfa takes --username (the local store has no access "
	        "tokens; --access-token\nand --session are refused until the "
	        "Cognito API can be called).  The secret\nwaits for "
	        "verify-software-token.  On a terminal, the otpauth:// URI "
	        "and a QR\ncode are shown on stderr.",
	.run = run,
};
