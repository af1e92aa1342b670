/*
 * admin_update_user_attributes.c: `admin-update-user-attributes`.  Each
 * attribute given replaces the one of the same name or is added; as in
 * Cognito, a new email or phone_number makes email_verified /
 * phone_number_verified "false" unless the request sets it too.  sub
 * cannot be changed.  No output.
 */
#include <string.h>

#include "cmfa_cli.h"
#include "cli_int.h"

static cJSON *
find_attr(cJSON *list, const char *name)
{
	cJSON *it;
	const char *n;

	cJSON_ArrayForEach(it, list)
	{
		if ((n = cmfa_cli_req_str(it, "Name")) != NULL &&
		    strcmp(n, name) == 0)
			return it;
	}
	return NULL;
}

static bool
given_attr(const cJSON *given, const char *name)
{
	const cJSON *it;
	const char *n;

	cJSON_ArrayForEach(it, given)
	{
		if ((n = cmfa_cli_req_str(it, "Name")) != NULL &&
		    strcmp(n, name) == 0)
			return true;
	}
	return false;
}

/* Set Name=name to value in list (replacing or appending). */
static bool
set_attr(cJSON *list, const char *name, const char *value)
{
	cJSON *a = find_attr(list, name), *v;

	if (a == NULL) {
		if ((a = cJSON_CreateObject()) == NULL)
			return false;
		if (!cJSON_AddItemToArray(list, a)) {
			cJSON_Delete(a);
			return false;
		}
		if (cJSON_AddStringToObject(a, "Name", name) == NULL)
			return false;
	}
	if ((v = cJSON_CreateString(value)) == NULL)
		return false;
	if (cJSON_GetObjectItemCaseSensitive(a, "Value") != NULL)
		return cJSON_ReplaceItemInObjectCaseSensitive(a, "Value", v);
	if (!cJSON_AddItemToObject(a, "Value", v)) {
		cJSON_Delete(v);
		return false;
	}
	return true;
}

static enum cmfa_err
apply(cJSON *doc, const cJSON *given)
{
	static const char *const verified[][2] = {
		{ "email", "email_verified" },
		{ "phone_number", "phone_number_verified" },
	};
	cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "UserAttributes");
	const cJSON *it, *old;
	const char *n, *v, *was;
	size_t k;

	if (list == NULL) {
		if ((list = cJSON_AddArrayToObject(doc, "UserAttributes")) ==
		    NULL)
			return CMFA_ERR_NOMEM;
	}
	cJSON_ArrayForEach(it, given)
	{
		n = cmfa_cli_req_str(it, "Name");
		v = cmfa_cli_req_str(it, "Value");
		if (n == NULL)
			continue;
		old = find_attr(list, n);
		was = old != NULL ? cmfa_cli_req_str(old, "Value") : NULL;
		for (k = 0; k < CMFA_ARRAY_LEN(verified); k++) {
			if (strcmp(n, verified[k][0]) != 0 ||
			    given_attr(given, verified[k][1]))
				continue;
			if (was == NULL || strcmp(was, v != NULL ? v : "") != 0)
				if (!set_attr(list, verified[k][1], "false"))
					return CMFA_ERR_NOMEM;
		}
		if (!set_attr(list, n, v != NULL ? v : ""))
			return CMFA_ERR_NOMEM;
	}
	return CMFA_OK;
}

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	const char *pool_id = cmfa_cli_req_str(req, "UserPoolId");
	const char *name = cmfa_cli_req_str(req, "Username");
	const cJSON *given =
	    cJSON_GetObjectItemCaseSensitive(req, "UserAttributes");
	struct cmfa_verr verr;
	struct cmfa_cli_cv cv;
	struct cmfa_user u;
	cJSON *doc = NULL;
	enum cmfa_err e;

	(void)resp;
	memset(&u, 0, sizeof(u));
	cmfa_cli_cv_init(&cv);
	cmfa_cli_cv_pool_id(&cv, "userPoolId", pool_id);
	cmfa_cli_cv_username(&cv, "username", name);
	e = cmfa_cli_cv_done(cli, &cv);
	cmfa_cli_cv_free(&cv);
	if (e != CMFA_OK)
		return e;
	memset(&verr, 0, sizeof(verr));
	if ((e = cmfa_user_new(name, given, &u, &verr)) != CMFA_OK)
		return e == CMFA_ERR_VALIDATION ? cmfa_cli_verr(cli, &verr) : e;
	cmfa_user_free(&u);
	if ((e = cmfa_cli_pool_id(cli, pool_id)) != CMFA_OK ||
	    (e = cmfa_cli_user_read(cli, name, &u)) != CMFA_OK)
		return e;
	if ((e = cmfa_cli_check_attrs(cli, given, false)) != CMFA_OK)
		goto out;
	if ((doc = cJSON_Duplicate(u.doc, 1)) == NULL ||
	    (e = apply(doc, given)) != CMFA_OK) {
		e = CMFA_ERR_NOMEM;
		goto out;
	}
	e = cmfa_cli_user_write(cli, name, doc);
out:
	cJSON_Delete(doc);
	cmfa_user_free(&u);
	return e;
}

const struct cmfa_cli_op cmfa_cli_op_admin_update_user_attributes = {
	.name = "admin-update-user-attributes",
	.api = "AdminUpdateUserAttributes",
	.input = &cmfa_cs_update_user_req,
	.output = NULL,
	.summary = "Change or add a user's attributes (email, phone, ...).",
	.help = "A changed email or phone_number is no longer verified "
	        "(email_verified /\nphone_number_verified become \"false\") "
	        "unless the same request sets that\nattribute too.  "
	        "--client-metadata is accepted and ignored.",
	.run = run,
};
