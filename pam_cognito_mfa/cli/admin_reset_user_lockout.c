/*
 * admin_reset_user_lockout.c: `admin-reset-user-lockout --username U`
 * (ours): the user's failure count and lockout back to zero
 * (cmfa_state_reset, under the user's lock; the TOTP replay marker is
 * kept).  A user with neither a record nor a state file is
 * UserNotFoundException, so a mistyped name does not pass silently.
 * No output.
 */
#include <stdio.h>
#include <string.h>

#include "cmfa_cli.h"
#include "cli_int.h"

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	const char *name = cmfa_cli_req_str(req, "Username");
	char rel[32 + CMFA_USERNAME_MAX];
	struct cmfa_cli_cv cv;
	struct cmfa_user u;
	struct cmfa_buf b;
	enum cmfa_err e;

	(void)resp;
	cmfa_cli_cv_init(&cv);
	cmfa_cli_cv_username(&cv, "username", name);
	e = cmfa_cli_cv_done(cli, &cv);
	cmfa_cli_cv_free(&cv);
	if (e != CMFA_OK || (e = cmfa_cli_store(cli)) != CMFA_OK)
		return e;
	if (!cmfa_username_valid(name, strlen(name)))
		return cmfa_cli_service_error(cli, "UserNotFoundException",
		    "User does not exist.");
	memset(&u, 0, sizeof(u));
	e = cmfa_store_user_read(&cli->store, name, &u, NULL, NULL);
	cmfa_user_free(&u);
	if (e == CMFA_ERR_NOTFOUND) {
		snprintf(rel, sizeof(rel), "state/%s", name);
		e = cmfa_file_read(cli->store.dirfd, rel, cli->owner,
		    CMFA_STATE_MAX, &b, NULL);
		if (e == CMFA_OK)
			cmfa_buf_free(&b);
		if (e == CMFA_ERR_NOTFOUND)
			return cmfa_cli_service_error(cli,
			    "UserNotFoundException", "User does not exist.");
	}
	if ((e = cmfa_state_reset(&cli->store, name)) != CMFA_OK)
		return cmfa_cli_store_error(cli, e, "state file");
	cmfa_cli_debug(cli, "lockout of %s reset", name);
	return CMFA_OK;
}

const struct cmfa_cli_op cmfa_cli_op_admin_reset_user_lockout = {
	.name = "admin-reset-user-lockout",
	.api = "AdminResetUserLockout",
	.input = &cmfa_cs_reset_lockout_req,
	.output = NULL,
	.summary = "Clear a user's failed-code count and lockout.",
	.local_only = true,
	.run = run,
};
