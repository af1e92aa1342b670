/*
 * admin_get_user.c: `admin-get-user`: the user's record, which is an
 * AdminGetUser response (members the model does not know are not shown,
 * as the AWS CLI drops them).
 */
#include <string.h>

#include "cmfa_cli.h"
#include "cli_int.h"

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	const char *pool_id = cmfa_cli_req_str(req, "UserPoolId");
	const char *name = cmfa_cli_req_str(req, "Username");
	struct cmfa_cli_cv cv;
	struct cmfa_user u;
	enum cmfa_err e;

	memset(&u, 0, sizeof(u));
	cmfa_cli_cv_init(&cv);
	cmfa_cli_cv_pool_id(&cv, "userPoolId", pool_id);
	cmfa_cli_cv_username(&cv, "username", name);
	e = cmfa_cli_cv_done(cli, &cv);
	cmfa_cli_cv_free(&cv);
	if (e != CMFA_OK || (e = cmfa_cli_pool_id(cli, pool_id)) != CMFA_OK ||
	    (e = cmfa_cli_user_read(cli, name, &u)) != CMFA_OK)
		return e;
	if ((*resp = cJSON_Duplicate(u.doc, 1)) == NULL)
		e = CMFA_ERR_NOMEM;
	cmfa_user_free(&u);
	return e;
}

const struct cmfa_cli_op cmfa_cli_op_admin_get_user = {
	.name = "admin-get-user",
	.api = "AdminGetUser",
	.input = &cmfa_cs_get_user_req,
	.output = &cmfa_cs_get_user_resp,
	.summary = "Show a user's record, MFA settings included.",
	.run = run,
};
