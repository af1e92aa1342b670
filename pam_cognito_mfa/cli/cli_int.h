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

/* ---------------------------------------------------------------------- */
/* Parsers inside commands, exposed for their fuzz targets                */

#define CMFA_CLI_FILTER_MAX 256

/* A list-users filter: attr = "value" or attr ^= "value". */
struct cmfa_cli_filter {
	char attr[64];
	bool prefix;
	char value[CMFA_CLI_FILTER_MAX + 1];
};

/* Cognito's filter syntax (s NUL-terminated); false when it does not
 * parse.  f is always initialised. */
bool cmfa_cli_filter_parse(const char *s, struct cmfa_cli_filter *f);

/*
 * libpam's _pam_StrTok(): skip separators; "[...]" is one token without
 * its brackets, "\]" inside it is "]"; else up to the next separator.
 * Tokenizes *next in place; NULL when no token is left.
 */
char *cmfa_cli_pam_strtok(char **next);

/*
 * The next logical line of a pam.d file held NUL-terminated at *pp
 * (modified in place): "\\\n" joins physical lines, '#' starts a
 * comment.  *lineno counts physical lines, *start is the logical line's
 * first.  NULL at the end.
 */
char *cmfa_cli_pam_next_line(char **pp, unsigned *lineno, unsigned *start);

#endif /* CMFA_CLI_INT_H */
