/*
 * set_user_pool_mfa_config.c: `set-user-pool-mfa-config` on the local
 * store.  The request is validated by the core exactly as Cognito does
 * (cmfa_pool_request_parse: every constraint, then the semantic rules),
 * the remembered pool id is checked, and pool.json becomes the response
 * (a full replacement, as SetUserPoolMfaConfig is).
 *
 * Cognito reports constraint violations before it looks the pool up, and
 * looks the pool up before it judges the configuration: a refusal that
 * is not a constraint message waits for the pool-id check.
 */
#include <stdlib.h>
#include <string.h>

#include "cmfa_cli.h"
#include "cli_int.h"

static bool
constraint_message(const char *m)
{
	while (*m >= '0' && *m <= '9')
		m++;
	return strncmp(m, " validation error", 17) == 0;
}

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	struct cmfa_pool_config cfg;
	struct cmfa_verr verr;
	char *json = NULL, *out = NULL;
	const char *pool_id = cmfa_cli_req_str(req, "UserPoolId");
	enum cmfa_err e;

	memset(&cfg, 0, sizeof(cfg));
	memset(&verr, 0, sizeof(verr));
	if ((json = cJSON_PrintUnformatted(req)) == NULL)
		return CMFA_ERR_NOMEM;
	e = cmfa_pool_request_parse(json, strlen(json), &cfg, &verr);
	free(json);
	if (e == CMFA_ERR_VALIDATION || e == CMFA_ERR_PARSE) {
		if (!constraint_message(verr.message) && pool_id != NULL &&
		    cmfa_cli_pool_id(cli, pool_id) != CMFA_OK)
			return CMFA_ERR_VALIDATION;
		return cmfa_cli_verr(cli, &verr);
	}
	if (e != CMFA_OK)
		return e;
	if ((e = cmfa_cli_pool_id(cli, cfg.user_pool_id)) != CMFA_OK)
		goto out;
	if ((out = cmfa_pool_serialize(&cfg)) == NULL) {
		e = CMFA_ERR_NOMEM;
		goto out;
	}
	memset(&verr, 0, sizeof(verr));
	e = cmfa_store_pool_write(&cli->store, out, strlen(out), &verr);
	if (e == CMFA_ERR_VALIDATION)
		e = cmfa_cli_verr(cli, &verr);
	else if (e != CMFA_OK)
		e = cmfa_cli_store_error(cli, e, "pool.json");
	else if ((*resp = cJSON_Parse(out)) == NULL)
		e = CMFA_ERR_NOMEM;
	else
		cmfa_cli_debug(cli, "pool.json written");
out:
	free(out);
	cmfa_pool_free(&cfg);
	return e;
}

const struct cmfa_cli_op cmfa_cli_op_set_user_pool_mfa_config = {
	.name = "set-user-pool-mfa-config",
	.api = "SetUserPoolMfaConfig",
	.input = &cmfa_cs_set_pool_req,
	.output = &cmfa_cs_set_pool_resp,
	.summary = "Set the pool's MFA configuration (a full replacement).",
	.help = "A factor block left out turns that factor off, as in "
	        "Cognito.  The PAM module\nreads the result from pool.json.",
	.run = run,
};
