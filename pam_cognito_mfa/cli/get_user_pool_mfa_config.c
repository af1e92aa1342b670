/*
 * get_user_pool_mfa_config.c: `get-user-pool-mfa-config`: pool.json, the
 * GetUserPoolMfaConfig response the store holds.
 */
#include <stdlib.h>
#include <string.h>

#include "cmfa_cli.h"
#include "cli_int.h"

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	struct cmfa_pool_config cfg;
	struct cmfa_cli_cv cv;
	const char *pool_id = cmfa_cli_req_str(req, "UserPoolId");
	enum cmfa_err e;
	char *out;

	cmfa_cli_cv_init(&cv);
	cmfa_cli_cv_pool_id(&cv, "userPoolId", pool_id);
	e = cmfa_cli_cv_done(cli, &cv);
	cmfa_cli_cv_free(&cv);
	if (e != CMFA_OK || (e = cmfa_cli_pool_id(cli, pool_id)) != CMFA_OK ||
	    (e = cmfa_cli_pool_read(cli, &cfg)) != CMFA_OK)
		return e;
	out = cmfa_pool_serialize(&cfg);
	cmfa_pool_free(&cfg);
	if (out == NULL || (*resp = cJSON_Parse(out)) == NULL)
		e = CMFA_ERR_NOMEM;
	free(out);
	return e;
}

const struct cmfa_cli_op cmfa_cli_op_get_user_pool_mfa_config = {
	.name = "get-user-pool-mfa-config",
	.api = "GetUserPoolMfaConfig",
	.input = &cmfa_cs_get_pool_req,
	.output = &cmfa_cs_get_pool_resp,
	.summary = "Show the pool's MFA configuration.",
	.run = run,
};
