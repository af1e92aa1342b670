/*
 * commands.c: the command table.  Each command lives in the file named
 * after it (set_user_pool_mfa_config.c, ...); AWS's commands first, in
 * the order of the help, then our own.
 */
#include <string.h>

#include "cmfa_cli.h"
#include "cli_int.h"

const struct cmfa_cli_op *const cmfa_cli_ops[] = {
	&cmfa_cli_op_set_user_pool_mfa_config,
	&cmfa_cli_op_get_user_pool_mfa_config,
	&cmfa_cli_op_admin_create_user,
	&cmfa_cli_op_admin_get_user,
	&cmfa_cli_op_admin_update_user_attributes,
	&cmfa_cli_op_admin_delete_user,
	&cmfa_cli_op_list_users,
	&cmfa_cli_op_admin_set_user_mfa_preference,
	&cmfa_cli_op_set_user_mfa_preference,
	&cmfa_cli_op_associate_software_token,
	&cmfa_cli_op_verify_software_token,
	&cmfa_cli_op_admin_remove_software_token,
	&cmfa_cli_op_admin_reset_user_lockout,
	&cmfa_cli_op_list_locked_users,
	&cmfa_cli_op_explain,
	&cmfa_cli_op_sync,
	&cmfa_cli_op_status,
	&cmfa_cli_op_deliver,
	NULL,
};

const struct cmfa_cli_op *
cmfa_cli_op_find(const char *name)
{
	size_t i;

	for (i = 0; cmfa_cli_ops[i] != NULL; i++)
		if (strcmp(cmfa_cli_ops[i]->name, name) == 0)
			return cmfa_cli_ops[i];
	return NULL;
}
