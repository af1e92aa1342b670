/*
 * admin_delete_user.c: `admin-delete-user`: the record, the active and
 * pending TOTP secrets and the state file all go (the record first, so
 * that a login racing with the deletion finds no user).  The lock file
 * stays, by the store's design (two processes must never lock two
 * different inodes).  A record that no longer parses is deleted too (it
 * is how an administrator gets rid of it).  No output.
 */
#include <stdio.h>
#include <string.h>

#include "cmfa_cli.h"
#include "cli_int.h"

static enum cmfa_err
remove_state(struct cmfa_cli *cli, const char *name)
{
	struct cmfa_state_txn txn;
	struct cmfa_state st;
	char rel[32 + CMFA_USERNAME_MAX];
	enum cmfa_err e, r;

	snprintf(rel, sizeof(rel), "state/%s", name);
	/* under the user's lock when the state parses; a corrupt one is
	 * removed all the same */
	e = cmfa_state_begin(&cli->store, name, &txn, &st);
	r = cmfa_file_remove(cli->store.dirfd, rel);
	if (e == CMFA_OK)
		cmfa_state_end(&txn);
	if (r != CMFA_OK && r != CMFA_ERR_NOTFOUND)
		return cmfa_cli_store_error(cli, r, "state file");
	return CMFA_OK;
}

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	const char *pool_id = cmfa_cli_req_str(req, "UserPoolId");
	const char *name = cmfa_cli_req_str(req, "Username");
	struct cmfa_cli_cv cv;
	struct cmfa_user u;
	enum cmfa_err e;

	(void)resp;
	memset(&u, 0, sizeof(u));
	cmfa_cli_cv_init(&cv);
	cmfa_cli_cv_pool_id(&cv, "userPoolId", pool_id);
	cmfa_cli_cv_username(&cv, "username", name);
	e = cmfa_cli_cv_done(cli, &cv);
	cmfa_cli_cv_free(&cv);
	if (e != CMFA_OK || (e = cmfa_cli_pool_id(cli, pool_id)) != CMFA_OK)
		return e;
	if (!cmfa_username_valid(name, strlen(name)))
		return cmfa_cli_service_error(cli, "UserNotFoundException",
		    "User does not exist.");
	/* a record that no longer parses can still be deleted */
	e = cmfa_store_user_read(&cli->store, name, &u, NULL, NULL);
	cmfa_user_free(&u);
	if (e == CMFA_ERR_NOTFOUND)
		return cmfa_cli_service_error(cli, "UserNotFoundException",
		    "User does not exist.");
	if (e != CMFA_OK && e != CMFA_ERR_PARSE && e != CMFA_ERR_VALIDATION &&
	    e != CMFA_ERR_TOOBIG)
		return cmfa_cli_store_error(cli, e, "user record");
	if ((e = cmfa_store_user_remove(&cli->store, name)) != CMFA_OK &&
	    e != CMFA_ERR_NOTFOUND)
		return cmfa_cli_store_error(cli, e, "user record");
	if ((e = cmfa_store_totp_remove(&cli->store, name)) != CMFA_OK &&
	    e != CMFA_ERR_NOTFOUND)
		return cmfa_cli_store_error(cli, e, "TOTP secret");
	if ((e = cmfa_store_pending_remove(&cli->store, name)) != CMFA_OK &&
	    e != CMFA_ERR_NOTFOUND)
		return cmfa_cli_store_error(cli, e, "pending TOTP secret");
	if ((e = remove_state(cli, name)) != CMFA_OK)
		return e;
	cmfa_cli_debug(cli, "user %s deleted", name);
	return CMFA_OK;
}

const struct cmfa_cli_op cmfa_cli_op_admin_delete_user = {
	.name = "admin-delete-user",
	.api = "AdminDeleteUser",
	.input = &cmfa_cs_delete_user_req,
	.output = NULL,
	.summary = "Delete a user: record, TOTP secrets and state.",
	.run = run,
};
