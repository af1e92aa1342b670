/*
 * admin_remove_software_token.c: `admin-remove-software-token --username
 * U` (ours: Cognito can only replace a token).  For a lost or replaced
 * phone: the active and the pending secret are removed, and so is
 * SOFTWARE_TOKEN_MFA from the user's UserMFASettingList (and
 * PreferredMfaSetting when it named it), since TOTP cannot stay enabled
 * without a verified token.  This is done even when the pool requires
 * MFA: the user then has to enrol again (the module asks them to) rather
 * than keep a factor nobody holds.  The secrets go first: whatever fails
 * later, the lost authenticator no longer opens a login.  Removing what
 * is not there is no error.  No output.
 */
#include <string.h>

#include "cmfa_cli.h"
#include "cli_int.h"

#define TOTP_NAME "SOFTWARE_TOKEN_MFA"

/* The record without TOTP; *changed when there was something to drop. */
static enum cmfa_err
drop_totp(cJSON *doc, bool *changed)
{
	cJSON *list =
	    cJSON_GetObjectItemCaseSensitive(doc, "UserMFASettingList");
	cJSON *it, *next;
	const char *pref = cmfa_cli_req_str(doc, "PreferredMfaSetting");

	*changed = false;
	if (cJSON_IsArray(list)) {
		for (it = list->child; it != NULL; it = next) {
			next = it->next;
			if (cJSON_IsString(it) &&
			    strcmp(it->valuestring, TOTP_NAME) == 0) {
				cJSON_Delete(
				    cJSON_DetachItemViaPointer(list, it));
				*changed = true;
			}
		}
		/* an empty list is left out, as the core writes it */
		if (list->child == NULL)
			cJSON_DeleteItemFromObjectCaseSensitive(doc,
			    "UserMFASettingList");
	}
	if (pref != NULL && strcmp(pref, TOTP_NAME) == 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc,
		    "PreferredMfaSetting");
		*changed = true;
	}
	return CMFA_OK;
}

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	const char *name = cmfa_cli_req_str(req, "Username");
	struct cmfa_cli_cv cv;
	struct cmfa_user u;
	cJSON *doc = NULL;
	bool changed;
	enum cmfa_err e;

	(void)resp;
	memset(&u, 0, sizeof(u));
	cmfa_cli_cv_init(&cv);
	cmfa_cli_cv_username(&cv, "username", name);
	e = cmfa_cli_cv_done(cli, &cv);
	cmfa_cli_cv_free(&cv);
	if (e != CMFA_OK || (e = cmfa_cli_user_read(cli, name, &u)) != CMFA_OK)
		return e;
	if ((e = cmfa_store_totp_remove(&cli->store, name)) != CMFA_OK &&
	    e != CMFA_ERR_NOTFOUND) {
		e = cmfa_cli_store_error(cli, e, "TOTP secret");
		goto out;
	}
	if ((e = cmfa_store_pending_remove(&cli->store, name)) != CMFA_OK &&
	    e != CMFA_ERR_NOTFOUND) {
		e = cmfa_cli_store_error(cli, e, "pending TOTP secret");
		goto out;
	}
	if ((doc = cJSON_Duplicate(u.doc, 1)) == NULL) {
		e = CMFA_ERR_NOMEM;
		goto out;
	}
	(void)drop_totp(doc, &changed);
	e = changed ? cmfa_cli_user_write(cli, name, doc) : CMFA_OK;
	if (e == CMFA_OK)
		cmfa_cli_debug(cli, "TOTP of %s removed", name);
out:
	cJSON_Delete(doc);
	cmfa_user_free(&u);
	return e;
}

const struct cmfa_cli_op cmfa_cli_op_admin_remove_software_token = {
	.name = "admin-remove-software-token",
	.api = "AdminRemoveSoftwareToken",
	.input = &cmfa_cs_remove_token_req,
	.output = NULL,
	.summary = "Lost phone: remove a user's TOTP secrets and setting.",
	.help = "Removes the active and pending TOTP secret and "
	        "SOFTWARE_TOKEN_MFA from the\nuser's MFA settings (also when "
	        "the pool requires MFA: the user must then\nenrol again).",
	.local_only = true,
	.run = run,
};
