/*
 * verify_software_token.c: `verify-software-token --username U
 * --user-code C`: the code is checked against the pending secret (one
 * 30-second step either side); a match makes the secret the active one
 * and records the code's time step as used in the user's state, so the
 * same code cannot then open a login.  As in Cognito, this does not
 * enable SOFTWARE_TOKEN_MFA for the user: admin-set-user-mfa-preference
 * does.  The code can come from --cli-input-json or file:// (for
 * instance file:///dev/stdin) to keep it out of the process list.
 */
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
	struct cmfa_pool_config pool;
	struct cmfa_cli_cv cv;
	struct cmfa_user u;
	const char *name;
	enum cmfa_err e;

	if ((e = cmfa_cli_local_user(cli, req, &name)) != CMFA_OK)
		return e;
	cmfa_cli_cv_init(&cv);
	check(&cv, name, code, cmfa_cli_req_str(req, "FriendlyDeviceName"));
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
	if ((e = verify(cli, name, code)) != CMFA_OK)
		return e;
	if ((*resp = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(*resp, "Status", "SUCCESS") == NULL)
		return CMFA_ERR_NOMEM;
	return CMFA_OK;
}

const struct cmfa_cli_op cmfa_cli_op_verify_software_token = {
	.name = "verify-software-token",
	.api = "VerifySoftwareToken",
	.input = &cmfa_cs_verify_req,
	.output = &cmfa_cs_verify_resp,
	.summary = "Finish TOTP enrolment: check a first code, activate.",
	.help = "cognito-mfa takes --username (see associate-software-token)."
	        "  To keep the code\nout of the process list: --user-code "
	        "file:///dev/stdin, or --cli-input-json.\n--friendly-device-"
	        "name is accepted and not stored.",
	.run = run,
};
