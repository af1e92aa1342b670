/*
 * admin_create_user.c: `admin-create-user` in the local store.
 *
 * The record is an AdminGetUser response: Username, the attributes with
 * a random "sub" first (as Cognito adds one), UserCreateDate and
 * UserLastModifiedDate (now), Enabled, UserStatus as cmfa_user_new()
 * sets it (CONFIRMED: the store has no passwords, so there is no
 * FORCE_CHANGE_PASSWORD step).  The output is {"User": UserType}.
 *
 * A local store sends no invitation and keeps no password: the options
 * for those (--temporary-password, --message-action,
 * --desired-delivery-mediums, --force-alias-creation, --validation-data,
 * --client-metadata) are accepted, checked by the CLI's own rules, and
 * otherwise ignored.  A user name the store cannot hold as a file name
 * is refused (InvalidParameterException).  Secrets or state left by an
 * earlier user of the same name are removed first, so a new user never
 * inherits an authenticator.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_cli.h"
#include "cli_int.h"

/* [{"Name":"sub","Value":uuid}] followed by the caller's attributes. */
static cJSON *
attrs_with_sub(const cJSON *given, const char *sub)
{
	cJSON *list, *a, *c;
	const cJSON *it;
	bool ok = false;

	if ((list = cJSON_CreateArray()) == NULL)
		return NULL;
	if ((a = cJSON_CreateObject()) == NULL)
		goto out;
	if (!cJSON_AddItemToArray(list, a)) {
		cJSON_Delete(a);
		goto out;
	}
	if (cJSON_AddStringToObject(a, "Name", "sub") == NULL ||
	    cJSON_AddStringToObject(a, "Value", sub) == NULL)
		goto out;
	cJSON_ArrayForEach(it, given)
	{
		if ((c = cJSON_Duplicate(it, 1)) == NULL)
			goto out;
		if (!cJSON_AddItemToArray(list, c)) {
			cJSON_Delete(c);
			goto out;
		}
	}
	ok = true;
out:
	if (!ok) {
		cJSON_Delete(list);
		list = NULL;
	}
	return list;
}

/* Whatever an earlier user of this name left behind. */
static enum cmfa_err
clear_leftovers(struct cmfa_cli *cli, const char *user)
{
	enum cmfa_err e;
	char rel[32 + CMFA_USERNAME_MAX];

	if ((e = cmfa_store_totp_remove(&cli->store, user)) != CMFA_OK &&
	    e != CMFA_ERR_NOTFOUND)
		return cmfa_cli_store_error(cli, e, "TOTP secret");
	if ((e = cmfa_store_pending_remove(&cli->store, user)) != CMFA_OK &&
	    e != CMFA_ERR_NOTFOUND)
		return cmfa_cli_store_error(cli, e, "pending TOTP secret");
	snprintf(rel, sizeof(rel), "state/%s", user);
	if ((e = cmfa_file_remove(cli->store.dirfd, rel)) != CMFA_OK &&
	    e != CMFA_ERR_NOTFOUND)
		return cmfa_cli_store_error(cli, e, "state file");
	return CMFA_OK;
}

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	const char *pool_id = cmfa_cli_req_str(req, "UserPoolId");
	const char *name = cmfa_cli_req_str(req, "Username");
	const cJSON *given =
	    cJSON_GetObjectItemCaseSensitive(req, "UserAttributes");
	struct cmfa_user u, old;
	struct cmfa_verr verr;
	struct cmfa_cli_cv cv;
	cJSON *attrs = NULL, *user = NULL;
	char sub[37], rel[32 + CMFA_USERNAME_MAX], *json = NULL;
	enum cmfa_err e;

	memset(&u, 0, sizeof(u));
	memset(&old, 0, sizeof(old));
	cmfa_cli_cv_init(&cv);
	cmfa_cli_cv_pool_id(&cv, "userPoolId", pool_id);
	cmfa_cli_cv_username(&cv, "username", name);
	e = cmfa_cli_cv_done(cli, &cv);
	cmfa_cli_cv_free(&cv);
	if (e != CMFA_OK)
		return e;
	/* the attributes' constraints, in Cognito's words */
	memset(&verr, 0, sizeof(verr));
	if (given != NULL &&
	    (e = cmfa_user_new(name, given, &u, &verr)) != CMFA_OK)
		return e == CMFA_ERR_VALIDATION ? cmfa_cli_verr(cli, &verr) : e;
	cmfa_user_free(&u);
	if ((e = cmfa_cli_pool_id(cli, pool_id)) != CMFA_OK ||
	    (e = cmfa_cli_username_storable(cli, name)) != CMFA_OK)
		return e;
	e = cmfa_store_user_read(&cli->store, name, &old, NULL, NULL);
	cmfa_user_free(&old);
	if (e == CMFA_OK)
		return cmfa_cli_service_error(cli, "UsernameExistsException",
		    "User account already exists.");
	if (e != CMFA_ERR_NOTFOUND && e != CMFA_ERR_PARSE &&
	    e != CMFA_ERR_VALIDATION)
		return cmfa_cli_store_error(cli, e, "user record");
	if (e != CMFA_ERR_NOTFOUND) /* a corrupt record holds the name */
		return cmfa_cli_service_error(cli, "UsernameExistsException",
		    "User account already exists.");
	if ((e = cmfa_cli_check_attrs(cli, given, true)) != CMFA_OK)
		return e;
	if ((e = cmfa_cli_uuid(sub)) != CMFA_OK)
		return cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL,
		    "no random numbers: %s", cmfa_strerror(e));
	if ((attrs = attrs_with_sub(given, sub)) == NULL)
		return CMFA_ERR_NOMEM;
	memset(&verr, 0, sizeof(verr));
	e = cmfa_user_new(name, attrs, &u, &verr);
	cJSON_Delete(attrs);
	if (e != CMFA_OK)
		return e == CMFA_ERR_VALIDATION ? cmfa_cli_verr(cli, &verr) : e;
	if (cJSON_AddNumberToObject(u.doc, "UserCreateDate", cli->now_epoch) ==
	        NULL ||
	    cJSON_AddNumberToObject(u.doc, "UserLastModifiedDate",
	        cli->now_epoch) == NULL ||
	    (json = cmfa_user_serialize(&u)) == NULL) {
		e = CMFA_ERR_NOMEM;
		goto out;
	}
	/* what the store's reader will accept, and never over a record
	 * another process created meanwhile */
	cmfa_user_free(&u);
	if ((e = cmfa_user_parse(json, strlen(json), &u, &verr)) != CMFA_OK) {
		e = e == CMFA_ERR_VALIDATION ? cmfa_cli_verr(cli, &verr) : e;
		goto out;
	}
	if ((e = clear_leftovers(cli, name)) != CMFA_OK)
		goto out;
	snprintf(rel, sizeof(rel), "users/%s.json", name);
	e = cmfa_file_write_new(cli->store.dirfd, rel, json, strlen(json),
	    S_IRUSR | S_IWUSR);
	if (e == CMFA_ERR_EXISTS) {
		e = cmfa_cli_service_error(cli, "UsernameExistsException",
		    "User account already exists.");
		goto out;
	}
	if (e != CMFA_OK) {
		e = cmfa_cli_store_error(cli, e, "user record");
		goto out;
	}
	cmfa_cli_debug(cli, "users/%s.json created", name);
	if ((user = cmfa_cli_user_type(u.doc)) == NULL ||
	    (*resp = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToObject(*resp, "User", user)) {
		cJSON_Delete(user);
		e = CMFA_ERR_NOMEM;
	}
out:
	free(json);
	cmfa_user_free(&u);
	return e;
}

const struct cmfa_cli_op cmfa_cli_op_admin_create_user = {
	.name = "admin-create-user",
	.api = "AdminCreateUser",
	.input = &cmfa_cs_create_user_req,
	.output = &cmfa_cs_create_user_resp,
	.summary = "Create a user record.",
	.help = "The local store sends no invitation and keeps no password: "
	        "--temporary-password,\n--message-action, "
	        "--desired-delivery-mediums, --force-alias-creation,\n"
	        "--validation-data and --client-metadata are accepted and "
	        "ignored.  A \"sub\"\nattribute (a random UUID) is added.  "
	        "User names are limited to what can be a\nfile name: "
	        "A-Z a-z 0-9 . _ @ + - (at most 64).",
	.run = run,
};
