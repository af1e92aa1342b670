/*
 * admin_set_user_mfa_preference.c: `admin-set-user-mfa-preference`: the
 * core parses the request with Cognito's messages
 * (cmfa_mfa_pref_parse) and applies it to the record with Cognito's rules
 * (cmfa_mfa_pref_apply), where TOTP can be enabled only for a user with a
 * verified authenticator: an active secret in the store.  No output.
 */
#include <stdlib.h>
#include <string.h>

#include "cmfa_cli.h"
#include "cli_int.h"

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	struct cmfa_pool_config pool;
	struct cmfa_mfa_pref pref;
	struct cmfa_verr verr;
	struct cmfa_user u;
	uint8_t key[CMFA_TOTP_KEY_MAX];
	size_t keylen = 0;
	bool verified;
	enum cmfa_err e;
	char *json;

	(void)resp;
	memset(&pool, 0, sizeof(pool));
	memset(&pref, 0, sizeof(pref));
	memset(&u, 0, sizeof(u));
	memset(&verr, 0, sizeof(verr));
	if ((json = cJSON_PrintUnformatted(req)) == NULL)
		return CMFA_ERR_NOMEM;
	e = cmfa_mfa_pref_parse(json, strlen(json), CMFA_PREF_ADMIN, &pref,
	    &verr);
	free(json);
	if (e == CMFA_ERR_VALIDATION || e == CMFA_ERR_PARSE)
		return cmfa_cli_verr(cli, &verr);
	if (e != CMFA_OK)
		return e;
	if ((e = cmfa_cli_pool_id(cli, pref.user_pool_id)) != CMFA_OK ||
	    (e = cmfa_cli_user_read(cli, pref.username, &u)) != CMFA_OK ||
	    (e = cmfa_cli_pool_read(cli, &pool)) != CMFA_OK)
		goto out;
	e = cmfa_store_totp_load(&cli->store, pref.username, key, sizeof(key),
	    &keylen);
	cmfa_memzero(key, sizeof(key));
	if (e != CMFA_OK && e != CMFA_ERR_NOTFOUND) {
		e = cmfa_cli_store_error(cli, e, "TOTP secret");
		goto out;
	}
	verified = e == CMFA_OK;
	memset(&verr, 0, sizeof(verr));
	if ((e = cmfa_mfa_pref_apply(&pref, &pool, verified, &u, &verr)) !=
	    CMFA_OK) {
		e = e == CMFA_ERR_VALIDATION ? cmfa_cli_verr(cli, &verr) : e;
		goto out;
	}
	e = cmfa_cli_user_write(cli, pref.username, u.doc);
out:
	cmfa_user_free(&u);
	cmfa_pool_free(&pool);
	cmfa_mfa_pref_free(&pref);
	return e;
}

const struct cmfa_cli_op cmfa_cli_op_admin_set_user_mfa_preference = {
	.name = "admin-set-user-mfa-preference",
	.api = "AdminSetUserMFAPreference",
	.input = &cmfa_cs_set_pref_req,
	.output = NULL,
	.summary = "Enable factors for a user and choose the preferred one.",
	.help = "SOFTWARE_TOKEN_MFA can be enabled only after "
	        "associate-software-token and\nverify-software-token.",
	.run = run,
};
