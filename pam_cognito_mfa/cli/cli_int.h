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
extern const struct cmfa_cli_shape cmfa_cs_set_user_pref_req;
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
extern const struct cmfa_cli_op cmfa_cli_op_set_user_mfa_preference;
extern const struct cmfa_cli_op cmfa_cli_op_associate_software_token;
extern const struct cmfa_cli_op cmfa_cli_op_verify_software_token;
extern const struct cmfa_cli_op cmfa_cli_op_admin_remove_software_token;
extern const struct cmfa_cli_op cmfa_cli_op_admin_reset_user_lockout;
extern const struct cmfa_cli_op cmfa_cli_op_list_locked_users;
extern const struct cmfa_cli_op cmfa_cli_op_explain;
extern const struct cmfa_cli_op cmfa_cli_op_sync;
extern const struct cmfa_cli_op cmfa_cli_op_status;
extern const struct cmfa_cli_op cmfa_cli_op_deliver;

/*
 * The sync's record of its last run, sync-status.json in the store root
 * (cli/status.c has the format).  parse: strict, at most
 * CMFA_SYNC_STATUS_MAX bytes, *out set only on success (fuzzed:
 * fuzz_syncstatus).  write: atomically, as the effective user, with
 * LastSuccess carried over from the previous file.
 */
#define CMFA_SYNC_STATUS_MAX (16u * 1024u)
struct cmfa_sync_status {
	int64_t time;         /* the run's start, epoch seconds */
	bool ok;              /* Result "ok" */
	char pool_id[64];     /* PoolId */
	char reason[1024];    /* Reason (failed runs) */
	int64_t last_success; /* LastSuccess, 0: none */
	bool only_user;       /* Mode "user" (--user) */
	unsigned synced, removed, skipped, failed;
	unsigned long requests;
	double seconds;
};
enum cmfa_err cmfa_cli_sync_status_parse(const char *p, size_t len,
    struct cmfa_sync_status *out);
enum cmfa_err cmfa_cli_sync_status_write(struct cmfa_cli *cli,
    const struct cmfa_sync_status *st);

/*
 * A Cognito user's Linux name (cli/mapping.c, DESIGN.md D12): username,
 * or cfg->map_attribute's value in attributes ([{Name, Value}], may be
 * NULL); refused (CMFA_ERR_VALIDATION, why says which rule) when not a
 * Linux user name ([a-z_][a-z0-9_.-]*, at most 32 bytes, not all
 * digits) or a system account (root, or uid < 1000) not listed in
 * allow_system_users.  out is set only on success.
 */
enum cmfa_err cmfa_cli_map_name(const struct cmfa_config *cfg,
    const char *username, const cJSON *attributes /* [{Name,Value}] or NULL */,
    char *out, size_t outsz, char *why, size_t whysz);

/* ---------------------------------------------------------------------- */
/* The Cognito API as the target (cli/api.c, DESIGN.md D9)                */

/* The API, not the store: not --local, not a local_only command, and
 * --endpoint-url, --region or the config's region / user_pool_id. */
bool cmfa_cli_target_api(const struct cmfa_cli *cli);
/* What selected the API, for messages ("--endpoint-url", ...). */
const char *cmfa_cli_target_why(const struct cmfa_cli *cli);
/*
 * One call of operation api (AccessToken operations unsigned) with req
 * (validated; NULL sends nothing but {}); *resp the 2xx answer, a JSON
 * object, the caller's (cmfa_cli_json_wipe_delete).  Failures are
 * recorded as the AWS CLI reports them.
 */
enum cmfa_err cmfa_cli_api_call(struct cmfa_cli *cli, const char *api,
    const cJSON *req, cJSON **resp);
/* The default run_api: req to cli->op->api. */
enum cmfa_err cmfa_cli_api_run(struct cmfa_cli *cli, const cJSON *req,
    cJSON **resp);
/* associate / verify-software-token --username against the API: 253. */
enum cmfa_err cmfa_cli_api_username_refused(struct cmfa_cli *cli);
/* share_cognito_totp: the Linux name of token's user (GetUser, then
 * cmfa_cli_map_name); failures recorded. */
enum cmfa_err cmfa_cli_api_token_user(struct cmfa_cli *cli, const char *token,
    char *name, size_t namesz);
/* Wipe every string in v, then cJSON_Delete (NULL: no-op). */
void cmfa_cli_json_wipe_delete(cJSON *v);

/* ---------------------------------------------------------------------- */
/* The AWS CLI's paginator (cli/paginate.c)                               */

/* What the command line says about paging (argv and --no-paginate). */
struct cmfa_cli_paging {
	bool no_paginate;
	const char *starting_token;
	bool has_page_size, has_max_items;
	long long page_size, max_items;
	bool manual; /* --limit or --pagination-token given on the line */
};

/* The op pages (list-users): paginators-1.json knows its operation. */
bool cmfa_cli_pages(const struct cmfa_cli_op *op);
/*
 * Take --starting-token, --page-size and --max-items out of argv (in
 * place, *argc updated) as the AWS CLI's argparse reads them; note
 * whether --limit / --pagination-token are there.  Argparse errors are
 * recorded (252).
 */
enum cmfa_err cmfa_cli_paging_args(struct cmfa_cli *cli, int *argc, char **argv,
    struct cmfa_cli_paging *pg);
/* Whether the AWS CLI would page this line (req: the parsed request);
 * a paging option it would refuse is recorded (252). */
enum cmfa_err cmfa_cli_paging_on(struct cmfa_cli *cli,
    const struct cmfa_cli_paging *pg, const cJSON *req, bool *on);
/*
 * botocore's PageIterator and build_full_result over page(): every
 * page's result list merged, --max-items / --starting-token as botocore
 * cuts and resumes them.  *resp the merged answer (wire form), *next the
 * NextToken to print (NULL: none), both the caller's.
 */
enum cmfa_err cmfa_cli_paginate(struct cmfa_cli *cli,
    const struct cmfa_cli_paging *pg, const cJSON *req,
    enum cmfa_err (*page)(struct cmfa_cli *, const cJSON *, cJSON **),
    cJSON **resp, char **next);

/*
 * The start of associate / verify-software-token: refuse the API's
 * credentials (253), require Username (botocore's message).
 */
/* cmfa_cli_validate() against the command's input, the failure recorded
 * as the AWS CLI reports it ("Parameter validation failed: ..."). */
enum cmfa_err cmfa_cli_validate_req(struct cmfa_cli *cli, const cJSON *req);

/* The pool offers TOTP (else Cognito's SoftwareTokenMFANotFoundException)
 * and the user exists: the common check of associate / verify. */
enum cmfa_err cmfa_cli_totp_user_ready(struct cmfa_cli *cli, const char *name);

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
