/*
 * verify_software_token.c: `verify-software-token`.
 *
 * On the local store: --username U --user-code C: the code is checked
 * against the pending secret (one 30-second step either side); a match
 * makes the secret the active one and records the code's time step as
 * used in the user's state, so the same code cannot then open a login.
 * As in Cognito, this does not enable SOFTWARE_TOKEN_MFA for the user:
 * admin-set-user-mfa-preference does.  The code can come from
 * --cli-input-json or file:// (for instance file:///dev/stdin) to keep it
 * out of the process list.
 *
 * Against the Cognito API it is AWS's command (--access-token or
 * --session, unsigned; --username refused, 253).  With share_cognito_totp
 * = yes and an access token (DESIGN.md D3), the host activates the
 * Cognito secret it keeps for the token's user -- but only a secret it
 * holds: the code is first checked HERE against the user's pending
 * secret (no pending secret, or a code that does not match it, stops
 * before anything is sent to Cognito), then Cognito verifies it, and on
 * Status SUCCESS that same pending secret (compared again under the
 * user's lock) becomes the active one with the code's step used.  The
 * lock is not held across the network call, so a slow Cognito never
 * blocks the user's logins.  A malformed code is left to Cognito to
 * refuse.
 */
#include <openssl/crypto.h>

#include <stdio.h>
#include <string.h>

#include "cmfa_cli.h"
#include "cmfa_otp.h"
#include "cli_int.h"

#define VERIFY_WINDOW 1

static void
check(struct cmfa_cli_cv *cv, const char *name, const char *code,
    const char *device)
{
	size_t n = 0;
	const char *p;

	cmfa_cli_cv_username(cv, "username", name);
	if (code == NULL)
		cmfa_cli_cv_add(cv, "userCode", NULL, false,
		    "Member must not be null");
	else {
		for (p = code; *p != '\0'; p++)
			n += ((unsigned char)*p & 0xc0) != 0x80;
		if (n < 6)
			cmfa_cli_cv_add(cv, "userCode", code, true,
			    "Member must have length greater than or equal "
			    "to 6");
		if (n > 6)
			cmfa_cli_cv_add(cv, "userCode", code, true,
			    "Member must have length less than or equal to 6");
		if (code[0] == '\0' ||
		    strspn(code, "0123456789") != strlen(code))
			cmfa_cli_cv_add(cv, "userCode", code, true,
			    "Member must satisfy regular expression "
			    "pattern: [0-9]+");
	}
	if (device != NULL && strlen(device) > 131072)
		cmfa_cli_cv_add(cv, "friendlyDeviceName", device, false,
		    "Member must have length less than or equal to 131072");
}

static enum cmfa_err
verify(struct cmfa_cli *cli, const char *name, const char *code)
{
	struct cmfa_state_txn txn;
	struct cmfa_state st;
	uint8_t key[CMFA_TOTP_KEY_MAX];
	size_t keylen = 0;
	uint64_t step = 0;
	enum cmfa_err e;

	e = cmfa_store_pending_load(&cli->store, name, key, sizeof(key),
	    &keylen);
	if (e == CMFA_ERR_NOTFOUND)
		return cmfa_cli_service_error(cli, "InvalidParameterException",
		    "User has not set up software token mfa");
	if (e != CMFA_OK)
		return cmfa_cli_store_error(cli, e, "pending TOTP secret");
	if ((e = cmfa_state_begin(&cli->store, name, &txn, &st)) != CMFA_OK) {
		cmfa_memzero(key, sizeof(key));
		return cmfa_cli_store_error(cli, e, "state file");
	}
	/* a new secret: no step of it has been used yet */
	e = cmfa_totp_verify(key, keylen, code, strlen(code), cli->now,
	    VERIFY_WINDOW, 0, &step);
	cmfa_memzero(key, sizeof(key));
	if (e == CMFA_ERR_MISMATCH || e == CMFA_ERR_REPLAY) {
		cmfa_state_end(&txn);
		return cmfa_cli_service_error(cli,
		    "EnableSoftwareTokenMFAException",
		    "Code mismatch and fail enable Software Token MFA");
	}
	if (e != CMFA_OK) {
		cmfa_state_end(&txn);
		return cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL, "TOTP: %s",
		    cmfa_strerror(e));
	}
	/* the step is used before the secret is active: a failure here
	 * leaves nothing that a replayed code could open */
	cmfa_state_success(&st, cli->now, step);
	if ((e = cmfa_state_commit(&txn, &st)) != CMFA_OK) {
		cmfa_state_end(&txn);
		return cmfa_cli_store_error(cli, e, "state file");
	}
	e = cmfa_store_totp_activate(&cli->store, name);
	cmfa_state_end(&txn);
	if (e != CMFA_OK)
		return cmfa_cli_store_error(cli, e, "TOTP secret");
	cmfa_cli_debug(cli, "TOTP secret of %s activated", name);
	return CMFA_OK;
}

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	const char *code = cmfa_cli_req_str(req, "UserCode");
	struct cmfa_cli_cv cv;
	const char *name;
	enum cmfa_err e;

	if ((e = cmfa_cli_local_user(cli, req, &name)) != CMFA_OK)
		return e;
	cmfa_cli_cv_init(&cv);
	check(&cv, name, code, cmfa_cli_req_str(req, "FriendlyDeviceName"));
	e = cmfa_cli_cv_done(cli, &cv);
	cmfa_cli_cv_free(&cv);
	if (e != CMFA_OK ||
	    (e = cmfa_cli_totp_user_ready(cli, name)) != CMFA_OK)
		return e;
	if ((e = verify(cli, name, code)) != CMFA_OK)
		return e;
	if ((*resp = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(*resp, "Status", "SUCCESS") == NULL)
		return CMFA_ERR_NOMEM;
	return CMFA_OK;
}

/* share_cognito_totp: the code against the pending secret kept here. */
static enum cmfa_err
check_kept(struct cmfa_cli *cli, const char *name, const char *code,
    uint8_t *key, size_t keymax, size_t *keylen, uint64_t *step)
{
	enum cmfa_err e;

	e = cmfa_store_pending_load(&cli->store, name, key, keymax, keylen);
	if (e == CMFA_ERR_NOTFOUND)
		return cmfa_cli_fail(cli, e, CMFA_FAIL_CONFIG,
		    "share_cognito_totp = yes, but this host keeps no pending "
		    "TOTP secret for %s (associate-software-token "
		    "--access-token did not run on this host, or its secret "
		    "was verified already).  Nothing was sent to Cognito.",
		    name);
	if (e != CMFA_OK)
		return cmfa_cli_store_error(cli, e, "pending TOTP secret");
	e = cmfa_totp_verify(key, *keylen, code, strlen(code), cli->now,
	    VERIFY_WINDOW, 0, step);
	if (e == CMFA_OK)
		return CMFA_OK;
	cmfa_memzero(key, keymax);
	if (e == CMFA_ERR_MISMATCH || e == CMFA_ERR_REPLAY)
		return cmfa_cli_service_error(cli,
		    "EnableSoftwareTokenMFAException",
		    "Code mismatch and fail enable Software Token MFA (checked "
		    "on this host against the secret it keeps for %s, "
		    "share_cognito_totp; nothing was sent to Cognito)",
		    name);
	return cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL, "TOTP: %s",
	    cmfa_strerror(e));
}

/* After Cognito's SUCCESS: the pending secret that was checked becomes
 * the active one, the code's step used. */
static enum cmfa_err
activate_kept(struct cmfa_cli *cli, const char *name, const uint8_t *key,
    size_t keylen, uint64_t step)
{
	struct cmfa_state_txn txn;
	struct cmfa_state st;
	uint8_t now_key[CMFA_TOTP_KEY_MAX];
	size_t now_len = 0;
	bool same;
	enum cmfa_err e;

	if ((e = cmfa_state_begin(&cli->store, name, &txn, &st)) != CMFA_OK)
		return cmfa_cli_store_error(cli, e, "state file");
	e = cmfa_store_pending_load(&cli->store, name, now_key, sizeof(now_key),
	    &now_len);
	same = e == CMFA_OK && now_len == keylen &&
	    CRYPTO_memcmp(now_key, key, keylen) == 0;
	cmfa_memzero(now_key, sizeof(now_key));
	if (!same) {
		cmfa_state_end(&txn);
		return cmfa_cli_fail(cli, CMFA_ERR_EXISTS, CMFA_FAIL_CONFIG,
		    "Cognito verified the code, but the pending TOTP secret of "
		    "%s changed on this host meanwhile: this host activated "
		    "nothing.",
		    name);
	}
	cmfa_state_success(&st, cli->now, step);
	if ((e = cmfa_state_commit(&txn, &st)) == CMFA_OK)
		e = cmfa_store_totp_activate(&cli->store, name);
	cmfa_state_end(&txn);
	if (e != CMFA_OK)
		return cmfa_cli_store_error(cli, e,
		    "TOTP secret (Cognito verified the code; this host's copy "
		    "stays pending)");
	cmfa_cli_debug(cli, "TOTP secret of %s activated (share_cognito_totp)",
	    name);
	return CMFA_OK;
}

/* share_cognito_totp with an access token: check here, Cognito, activate. */
static enum cmfa_err
verify_shared(struct cmfa_cli *cli, const cJSON *req, const char *token,
    cJSON **resp)
{
	const char *code = cmfa_cli_req_str(req, "UserCode"), *status;
	char name[CMFA_USERNAME_MAX + 1];
	uint8_t key[CMFA_TOTP_KEY_MAX];
	size_t keylen = 0;
	uint64_t step = 0;
	enum cmfa_err e;

	if ((e = cmfa_cli_api_token_user(cli, token, name, sizeof(name))) !=
	        CMFA_OK ||
	    (e = cmfa_cli_store(cli)) != CMFA_OK)
		return e;
	if (code == NULL || !cmfa_code_format_ok(code, strlen(code))) {
		/* Cognito refuses it in its own words; nothing is activated */
		e = cmfa_cli_api_call(cli, cli->op->api, req, resp);
		cmfa_cli_debug(cli, "malformed code: nothing activated here");
		return e;
	}
	if ((e = check_kept(cli, name, code, key, sizeof(key), &keylen,
	         &step)) != CMFA_OK)
		return e;
	if ((e = cmfa_cli_api_call(cli, cli->op->api, req, resp)) != CMFA_OK)
		goto out;
	status = cmfa_cli_req_str(*resp, "Status");
	if (status != NULL && strcmp(status, "SUCCESS") == 0)
		e = activate_kept(cli, name, key, keylen, step);
	else
		cmfa_cli_debug(cli,
		    "Cognito's Status is not SUCCESS: the secret of %s stays "
		    "pending here",
		    name);
out:
	cmfa_memzero(key, sizeof(key));
	return e;
}

static enum cmfa_err
run_api(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	const char *token = cmfa_cli_req_str(req, "AccessToken");
	bool share = cli->cfg.share_cognito_totp;

	if (cJSON_GetObjectItemCaseSensitive(req, "Username") != NULL)
		return cmfa_cli_api_username_refused(cli);
	if (share && token == NULL &&
	    cJSON_GetObjectItemCaseSensitive(req, "Session") != NULL) {
		fputs("cognito-mfa: warning: share_cognito_totp = yes, but a "
		      "--session does not say who the user is: nothing is "
		      "activated on this host (use --access-token)\n",
		    cli->err);
		share = false;
	}
	if (share && token != NULL)
		return verify_shared(cli, req, token, resp);
	return cmfa_cli_api_call(cli, cli->op->api, req, resp);
}

const struct cmfa_cli_op cmfa_cli_op_verify_software_token = {
	.name = "verify-software-token",
	.api = "VerifySoftwareToken",
	.input = &cmfa_cs_verify_req,
	.output = &cmfa_cs_verify_resp,
	.summary = "Finish TOTP enrolment: check a first code, activate.",
	.help = "Local store: --username names the user (see "
	        "associate-software-token);\n--friendly-device-name is "
	        "accepted and not stored.  Cognito API: --access-token\nor "
	        "--session, as the AWS CLI takes them; with share_cognito_totp"
	        " = yes the\nsecret this host keeps is activated too, after "
	        "the same code matched it here.\nTo keep the code and the "
	        "token out of the process list: --user-code\n"
	        "file:///dev/stdin, or --cli-input-json file://req.json.",
	.run = run,
	.run_api = run_api,
};
