/*
 * cli_int.h: private to cli/: the shapes of each command's request and
 * response (shapes.c) and the commands (one file each).
 */
#ifndef CMFA_CLI_INT_H
#define CMFA_CLI_INT_H

#include "cmfa_cli.h"

extern const struct cmfa_cli_shape cmfa_cs_set_pool_req;
extern const struct cmfa_cli_shape cmfa_cs_set_pool_resp;
extern const struct cmfa_cli_shape cmfa_cs_get_pool_req;
extern const struct cmfa_cli_shape cmfa_cs_get_pool_resp;
extern const struct cmfa_cli_shape cmfa_cs_create_user_req;
extern const struct cmfa_cli_shape cmfa_cs_create_user_resp;
extern const struct cmfa_cli_shape cmfa_cs_get_user_req;
extern const struct cmfa_cli_shape cmfa_cs_get_user_resp;
extern const struct cmfa_cli_shape cmfa_cs_update_user_req;
extern const struct cmfa_cli_shape cmfa_cs_delete_user_req;
extern const struct cmfa_cli_shape cmfa_cs_list_users_req;
extern const struct cmfa_cli_shape cmfa_cs_list_users_resp;
extern const struct cmfa_cli_shape cmfa_cs_set_pref_req;
extern const struct cmfa_cli_shape cmfa_cs_associate_req;
extern const struct cmfa_cli_shape cmfa_cs_associate_resp;
extern const struct cmfa_cli_shape cmfa_cs_verify_req;
extern const struct cmfa_cli_shape cmfa_cs_verify_resp;
extern const struct cmfa_cli_shape cmfa_cs_remove_token_req;
extern const struct cmfa_cli_shape cmfa_cs_reset_lockout_req;
extern const struct cmfa_cli_shape cmfa_cs_list_locked_req;
extern const struct cmfa_cli_shape cmfa_cs_list_locked_resp;
extern const struct cmfa_cli_shape cmfa_cs_explain_req;
extern const struct cmfa_cli_shape cmfa_cs_explain_resp;

extern const struct cmfa_cli_op cmfa_cli_op_set_user_pool_mfa_config;
extern const struct cmfa_cli_op cmfa_cli_op_get_user_pool_mfa_config;
extern const struct cmfa_cli_op cmfa_cli_op_admin_create_user;
extern const struct cmfa_cli_op cmfa_cli_op_admin_get_user;
extern const struct cmfa_cli_op cmfa_cli_op_admin_update_user_attributes;
extern const struct cmfa_cli_op cmfa_cli_op_admin_delete_user;
extern const struct cmfa_cli_op cmfa_cli_op_list_users;
extern const struct cmfa_cli_op cmfa_cli_op_admin_set_user_mfa_preference;
extern const struct cmfa_cli_op cmfa_cli_op_associate_software_token;
extern const struct cmfa_cli_op cmfa_cli_op_verify_software_token;
extern const struct cmfa_cli_op cmfa_cli_op_admin_remove_software_token;
extern const struct cmfa_cli_op cmfa_cli_op_admin_reset_user_lockout;
extern const struct cmfa_cli_op cmfa_cli_op_list_locked_users;
extern const struct cmfa_cli_op cmfa_cli_op_explain;

/*
 * The start of associate / verify-software-token: refuse the API's
 * credentials (253), require Username (botocore's message).
 */
enum cmfa_err cmfa_cli_local_user(struct cmfa_cli *cli, const cJSON *req,
    const char **name);

#endif /* CMFA_CLI_INT_H */
