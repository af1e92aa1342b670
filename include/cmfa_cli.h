/*
 * cmfa_cli.h: the helper CLI, cognito-mfa (DESIGN.md D8, D9).  Internal to
 * cli/ and its unit tests: main.c is a thin wrapper around cmfa_cli_main().
 *
 * The CLI speaks AWS CLI v2 (checked against aws-cli 2.9.19, the Debian 12
 * package): the same command and option names, shorthand and JSON
 * arguments, file:// and fileb://, --cli-input-json, --generate-cli-
 * skeleton, botocore's client-side validation messages, the service's
 * error line and the exit codes 252 / 253 / 254 / 255.  What happens
 * between the request and the response is the local store (cmfa_store.h)
 * with Cognito's own validation (cmfa_core.h).
 *
 * Values.  A request is a cJSON tree shaped like the dict the AWS CLI
 * hands to botocore, so the validation messages can print Python's view
 * of it (cmfa_cli_pystr()):
 *  - str, bool, None, list, dict: cJSON strings, booleans, null, arrays
 *    and objects;
 *  - int and float: cJSON_Raw nodes holding Python's repr of the number
 *    ("42", "1.5", "inf"): a float's repr always has '.', 'e', "inf" or
 *    "nan", an int's never does.  Only the CLI's JSON loader makes them;
 *  - OrderedDict: an object with CMFA_CLI_ODICT set in its type (JSON
 *    arguments are loaded into OrderedDicts by the AWS CLI, and Python 3.11
 *    prints those differently from dicts);
 *  - bytes (fileb://): a string with CMFA_CLI_BYTES set, whose valuestring
 *    is Python's repr of the bytes (b'...'): a value that is never sent,
 *    only reported as the wrong type.
 * cJSON masks types with 0xFF, so the two flags above are invisible to it.
 *
 * Ownership: every cJSON tree returned is the caller's (cJSON_Delete());
 * every struct cmfa_buf filled is the caller's (cmfa_buf_free()).
 * Secrets: user codes, access tokens, sessions and passwords are marked
 * "secret" in the shapes and never printed in a message or a debug line;
 * the SecretCode of associate-software-token is output by design.
 */
#ifndef CMFA_CLI_H
#define CMFA_CLI_H

#include <sys/types.h>

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "cmfa_config.h"
#include "cmfa_core.h"
#include "cmfa_store.h"
#include "cmfa_util.h"

/* ---------------------------------------------------------------------- */
/* Exit codes (AWS CLI v2, COGNITO.md 5.4)                                */

#define CMFA_EXIT_OK 0
#define CMFA_EXIT_PARAM 252   /* syntax, unknown option, bad parameter */
#define CMFA_EXIT_CONFIG 253  /* config file, store, target */
#define CMFA_EXIT_SERVICE 254 /* the "service" (store + model) refused */
#define CMFA_EXIT_OTHER 255   /* anything else */
#define CMFA_EXIT_CHECK 2     /* status: stale cache or failed sync */

/* How a failure is reported; one table maps each to an exit code. */
enum cmfa_cli_fail {
	CMFA_FAIL_NONE = 0,
	CMFA_FAIL_USAGE,      /* usage lines, then "cognito-mfa: error: M" */
	CMFA_FAIL_UNKNOWN,    /* usage lines, then "Unknown options: M" */
	CMFA_FAIL_PARAM,      /* "Error parsing parameter 'P': M" */
	CMFA_FAIL_VALIDATION, /* "Parameter validation failed:\nM" */
	CMFA_FAIL_CONFIG,     /* "M" alone (253), as the AWS CLI's
				 configuration errors read */
	CMFA_FAIL_SERVICE,    /* "An error occurred (T) when calling ..." */
	CMFA_FAIL_PYTHON,     /* a bare message, exit 255 (the AWS CLI's
				 uncaught ValueError of int("x")) */
	CMFA_FAIL_INTERNAL,   /* "cognito-mfa: internal error: M" (255) */
	CMFA_FAIL_ARGS,       /* "M" alone, 252 (awscli's own
				 ParamValidationError: paging options) */
	CMFA_FAIL_CHECK,      /* "M" alone, exit 2 (CMFA_EXIT_CHECK): a
				 health check failed (status; Nagios
				 CRITICAL), the output still printed */
	CMFA_FAIL_STATUS      /* "M" alone on one line, no blank line
				 before it, exit cli->fail_status: a
				 command with its own exit statuses
				 (deliver's 3..7, cmfa_deliver.h) */
};

int cmfa_cli_exit_code(enum cmfa_cli_fail f);

/* ---------------------------------------------------------------------- */
/* Shapes: botocore's view of the model (types, required, min, enums)    */

enum cmfa_cli_type {
	CMFA_CT_STRING,
	CMFA_CT_BOOL,
	CMFA_CT_INT,
	CMFA_CT_TIMESTAMP,
	CMFA_CT_STRUCT,
	CMFA_CT_LIST,
	CMFA_CT_MAP
};

struct cmfa_cli_member;

struct cmfa_cli_shape {
	enum cmfa_cli_type type;
	const char *name; /* the model's shape name ("StringType") */
	bool has_min;
	long long min;            /* string/list length, integer value */
	const char *const *enums; /* NULL-terminated, model order */
	bool secret;              /* never echo the value */
	const struct cmfa_cli_member *members;
	size_t nmembers;
	const struct cmfa_cli_shape *item; /* LIST member, MAP value */
};

struct cmfa_cli_member {
	const char *name; /* "UserPoolId" */
	const char *cli;  /* "user-pool-id": top-level input members */
	const struct cmfa_cli_shape *shape;
	bool required;
};

/* The member called name, or NULL. */
const struct cmfa_cli_member *
cmfa_cli_shape_member(const struct cmfa_cli_shape *s, const char *name);

/* ---------------------------------------------------------------------- */
/* Python values (cli/pyval.c)                                            */

#define CMFA_CLI_ODICT 0x1000
#define CMFA_CLI_BYTES 0x2000

/* Deepest nesting the JSON loader accepts (Python's is its recursion
 * limit; ours is a fixed cap). */
#define CMFA_CLI_JSON_MAX_DEPTH 64

/*
 * Python's json.loads(s) (with object_pairs_hook=OrderedDict when odict):
 * the same grammar (NaN, Infinity, duplicate keys: the last value in the
 * first key's place), the same error messages, positions counted in code
 * points: "Expecting value: line 1 column 7 (char 6)".  Numbers become
 * cJSON_Raw nodes (see above).  Differences, all refusals: invalid UTF-8,
 * an unpaired surrogate escape, nesting deeper than the cap.  err is
 * always NUL-terminated (errsz > 0).
 */
enum cmfa_err cmfa_cli_json_load(const char *p, size_t len, bool odict,
    cJSON **out, char *err, size_t errsz);

/* Python's str(v) and repr(v) appended to out. */
enum cmfa_err cmfa_cli_pystr(const cJSON *v, struct cmfa_buf *out);
enum cmfa_err cmfa_cli_pyrepr(const cJSON *v, struct cmfa_buf *out);
/* Python's repr of a str given as UTF-8. */
enum cmfa_err cmfa_cli_pyrepr_str(const char *s, size_t len,
    struct cmfa_buf *out);
/* Python's repr of bytes. */
enum cmfa_err cmfa_cli_pyrepr_bytes(const uint8_t *p, size_t len,
    struct cmfa_buf *out);
/* "<class 'str'>" ... */
const char *cmfa_cli_pytype(const cJSON *v);
/* Python's repr(float(d)): "1.5", "1e+20", "inf", "nan", "-0.0". */
void cmfa_cli_float_repr(double d, char *buf, size_t bufsz);
/* A cJSON_Raw number node: int (no '.', 'e', inf, nan) or float. */
bool cmfa_cli_is_pyint(const cJSON *v);
bool cmfa_cli_is_pyfloat(const cJSON *v);
/* d is an integer that a double holds exactly (|d| < 2^53). */
bool cmfa_cli_integral(double d);
/* A Python str: a cJSON string without CMFA_CLI_BYTES. */
bool cmfa_cli_is_pystr(const cJSON *v);
/* New raw number nodes. */
cJSON *cmfa_cli_new_int(long long v);

/* ---------------------------------------------------------------------- */
/* Output (cli/output.c)                                                  */

enum cmfa_cli_format { CMFA_OUT_JSON = 0, CMFA_OUT_TEXT };

/*
 * The response as the AWS CLI shows it: members the output shape does
 * not know are dropped (botocore parses modelled members only), epoch
 * timestamps become ISO 8601 strings in the local time zone as Python's
 * datetime.isoformat() writes them, integers stay integers.  *out is a
 * new tree.
 */
enum cmfa_err cmfa_cli_present(const cJSON *resp,
    const struct cmfa_cli_shape *shape, cJSON **out);

/* 1548108509.537 -> "2019-01-21T22:08:29.537000+00:00" (local zone). */
enum cmfa_err cmfa_cli_iso_time(double epoch, char *buf, size_t bufsz);

/*
 * json.dumps(v, indent=4, ensure_ascii=False[, sort_keys=True]) and a
 * newline, appended to out.  Keys sort in byte order (code point order).
 * Raw numbers print as they are; other cJSON numbers print as integers
 * when integral, else as Python floats.
 */
enum cmfa_err cmfa_cli_json_dump(const cJSON *v, bool sort_keys,
    struct cmfa_buf *out);

/* The AWS CLI's --output text rendering (awscli/text.py) of v. */
enum cmfa_err cmfa_cli_text_dump(const cJSON *v, struct cmfa_buf *out);

/* ---------------------------------------------------------------------- */
/* The invocation (cli/driver.c)                                          */

struct cmfa_cli;

struct cmfa_cli_op {
	const char *name; /* "set-user-pool-mfa-config" */
	const char *api;  /* "SetUserPoolMfaConfig" (error lines) */
	const struct cmfa_cli_shape *input;
	const struct cmfa_cli_shape *output; /* NULL: no output at all */
	const char *summary;                 /* one line for the help */
	const char *help;                    /* more text, or NULL */
	bool local_only;                     /* our extension of the API */
	/* Run the validated request; *resp is the wire response (epoch
	 * timestamps), NULL or {} for none.  Failures via cmfa_cli_fail. */
	enum cmfa_err (
	    *run)(struct cmfa_cli *cli, const cJSON *req, cJSON **resp);
	/* The same against the Cognito API (D9; never for local_only);
	 * NULL: cli/api.c sends the request as it is to `api`. */
	enum cmfa_err (
	    *run_api)(struct cmfa_cli *cli, const cJSON *req, cJSON **resp);
};

/* The command table (cli/commands.c), NULL-terminated. */
extern const struct cmfa_cli_op *const cmfa_cli_ops[];
const struct cmfa_cli_op *cmfa_cli_op_find(const char *name);

#define CMFA_CLI_MSG_MAX (1024u * 1024u)

struct cmfa_cli {
	FILE *out, *err;
	bool out_tty; /* stdout is a terminal (QR code at enrolment) */

	/* global options */
	const char *store_opt;  /* --store */
	const char *config_opt; /* --config */
	const char *endpoint_url, *region, *profile;
	const char *pam_dir;                      /* --pam-dir (explain) */
	const char *ca_bundle;                    /* --ca-bundle */
	bool no_verify_ssl;                       /* --no-verify-ssl */
	long connect_timeout_ms, read_timeout_ms; /* 0: the default */
	bool local, debug;
	enum cmfa_cli_format format;

	/* resolved */
	const struct cmfa_cli_op *op;
	uid_t owner; /* the store's and the config's owner: euid */
	int64_t now; /* seconds */
	double now_epoch;
	struct cmfa_config cfg;
	char config_path[PATH_MAX];
	char store_path[PATH_MAX];
	struct cmfa_store store; /* dirfd -1 until opened */
	struct cmfa_aws *aws;    /* NULL until cmfa_cli_aws() */

	/* the failure to report */
	enum cmfa_cli_fail fail;
	char fail_type[64];    /* SERVICE: exception name */
	char fail_param[160];  /* PARAM: "--user-pool-id" */
	char fail_api[64];     /* SERVICE: the operation when not op->api */
	int fail_retries;      /* SERVICE: "(reached max retries: N)" */
	bool fail_max_retries; /* ... printed even for N = 0 */
	int fail_status;       /* STATUS: the exit status (1..255) */
	struct cmfa_buf fail_msg;
};

void cmfa_cli_init(struct cmfa_cli *cli, FILE *out, FILE *err);
void cmfa_cli_release(struct cmfa_cli *cli);

/*
 * Record a failure (the first one wins) and return err, so callers can
 * `return cmfa_cli_fail(...)`.  The message must never hold a secret.
 */
enum cmfa_err cmfa_cli_fail(struct cmfa_cli *cli, enum cmfa_err err,
    enum cmfa_cli_fail kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A service error: "An error occurred (type) when calling the <Api>
 * operation: message"; returns CMFA_ERR_VALIDATION. */
enum cmfa_err cmfa_cli_service_error(struct cmfa_cli *cli, const char *type,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The core's refusal as a service error. */
enum cmfa_err cmfa_cli_verr(struct cmfa_cli *cli, const struct cmfa_verr *v);
/* A parameter error: "Error parsing parameter 'param': message". */
enum cmfa_err cmfa_cli_param_error(struct cmfa_cli *cli, const char *param,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A store failure: 253 for an untrusted or foreign store, else an
 * InternalErrorException naming what failed. */
enum cmfa_err cmfa_cli_store_error(struct cmfa_cli *cli, enum cmfa_err err,
    const char *what);

void cmfa_cli_debug(struct cmfa_cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Run a whole command line (argv[0] is the program) and return the exit
 * code: everything main() does except exiting.
 */
int cmfa_cli_main(struct cmfa_cli *cli, int argc, char **argv);

/* Print the recorded failure to cli->err; returns its exit code. */
int cmfa_cli_report(struct cmfa_cli *cli);

/* ---------------------------------------------------------------------- */
/* Parameters (cli/params.c)                                              */

/*
 * Parse the command's arguments (argv after the command name, global
 * options already removed) as the AWS CLI does: argparse (--opt value,
 * --opt=value, unique prefixes, list options taking every following
 * word, --flag / --no-flag for top-level booleans, the last of a repeated
 * option wins, unknown words collected), then each value: file:// and
 * fileb://, JSON or shorthand for structures, maps and lists of them,
 * scalars converted from the model, the shorthand result coerced as
 * BackCompatVisitor does; then --cli-input-json merged (options win).
 * *skeleton is set to "input" / "output" for --generate-cli-skeleton.
 * *req gets the request, not yet validated.
 */
enum cmfa_err cmfa_cli_parse_params(struct cmfa_cli *cli,
    const struct cmfa_cli_op *op, int argc, char **argv, cJSON **req,
    const char **skeleton);

/*
 * botocore's ParamValidator on req against shape: missing required,
 * unknown, type, min length and min value, every problem reported, in
 * botocore's order.  On failure: CMFA_ERR_VALIDATION and the report
 * ("Invalid type for parameter X, value: ..., type: ..., valid types:
 * ...", one line each) in *report (a new buffer).
 */
enum cmfa_err cmfa_cli_validate(const cJSON *req,
    const struct cmfa_cli_shape *shape, struct cmfa_buf *report);

/* Load a file:// (text: UTF-8, universal newlines) or fileb:// value.
 * Returns CMFA_ERR_NOTFOUND when value has neither prefix (nothing
 * loaded); other errors with err set to the AWS CLI's message. */
enum cmfa_err cmfa_cli_paramfile(const char *value, cJSON **out, char *err,
    size_t errsz);

/* --generate-cli-skeleton: the input or output skeleton of shape, in the
 * model's order, indent 4 (awscli ArgumentGenerator). */
enum cmfa_err cmfa_cli_skeleton(const struct cmfa_cli_shape *shape, bool output,
    struct cmfa_buf *out);

/* ---------------------------------------------------------------------- */
/* The local "service" (cli/service.c)                                    */

/*
 * Open the store (creating it when missing: cmfa_store_init is
 * idempotent), once per invocation.
 */
enum cmfa_err cmfa_cli_store(struct cmfa_cli *cli);
/*
 * The same without creating it, and without recording a failure (the
 * caller words it): the path (--store, else the config's, relative to
 * the working directory) into cli->store_path, then the store opened as
 * the module trusts it, the sync user's share included.  CMFA_ERR_TOOBIG
 * for a path too long; the store's errors as they are.
 */
enum cmfa_err cmfa_cli_store_existing(struct cmfa_cli *cli);

/*
 * The pool-id check of every pool operation, once its format passed
 * (cmfa_cli_cv_pool_id): the store's remembered id ("pool-id" in the
 * store root: the first valid id used is saved; another id is
 * ResourceNotFoundException "User pool <id> does not exist.").
 */
enum cmfa_err cmfa_cli_pool_id(struct cmfa_cli *cli, const char *pool_id);

/*
 * Cognito's constraint messages for one request, collected like the
 * service does: "2 validation errors detected: Value 'x' at 'limit'
 * failed to satisfy constraint: ...; Value at 'username' ...".
 */
struct cmfa_cli_cv {
	unsigned n;
	struct cmfa_buf msg;
};
void cmfa_cli_cv_init(struct cmfa_cli_cv *cv);
void cmfa_cli_cv_free(struct cmfa_cli_cv *cv);
/* value NULL: "Value null at"; sensitive: "Value at". */
void cmfa_cli_cv_add(struct cmfa_cli_cv *cv, const char *path,
    const char *value, bool sensitive, const char *rule, ...)
    __attribute__((format(printf, 5, 6)));
/* Username: 1..128, the model's pattern (sensitive). */
void cmfa_cli_cv_username(struct cmfa_cli_cv *cv, const char *path,
    const char *name);
/* UserPoolId: 1..55, [\w-]+_[0-9a-zA-Z]+. */
void cmfa_cli_cv_pool_id(struct cmfa_cli_cv *cv, const char *path,
    const char *id);
/* Report as InvalidParameterException when anything was added. */
enum cmfa_err cmfa_cli_cv_done(struct cmfa_cli *cli, struct cmfa_cli_cv *cv);

/*
 * The user's record: UserNotFoundException "User does not exist." when
 * missing or when the name cannot be a store file name (after the
 * constraint checks, which a caller made).
 */
enum cmfa_err cmfa_cli_user_read(struct cmfa_cli *cli, const char *username,
    struct cmfa_user *out);
/* The user-name rule of the store, as an InvalidParameterException. */
enum cmfa_err cmfa_cli_username_storable(struct cmfa_cli *cli,
    const char *username);
/* Write u back with UserLastModifiedDate = now. */
enum cmfa_err cmfa_cli_user_write(struct cmfa_cli *cli, const char *username,
    cJSON *doc);
/* The pool's configuration (pool.json). */
enum cmfa_err cmfa_cli_pool_read(struct cmfa_cli *cli,
    struct cmfa_pool_config *out);

/* A member of a validated request, or NULL. */
const char *cmfa_cli_req_str(const cJSON *req, const char *name);

/* Refuse what only the Cognito API takes (--access-token, --session) in
 * the local store (D9): exit 253 with a message naming what. */
enum cmfa_err cmfa_cli_api_refused(struct cmfa_cli *cli, const char *what);

/* An AdminGetUser record as a UserType (ListUsers, AdminCreateUser). */
cJSON *cmfa_cli_user_type(const cJSON *rec);

/*
 * The attribute rules beyond the model's constraints: sub cannot be set
 * (it is the store's), phone_number is E.164 ("Invalid phone number
 * format."), email has one '@' ("Invalid email address format.").
 */
enum cmfa_err cmfa_cli_check_attrs(struct cmfa_cli *cli, const cJSON *attrs,
    bool creating);

/* A random UUID v4 ("sub"). */
enum cmfa_err cmfa_cli_uuid(char out[37]);

/* ---------------------------------------------------------------------- */
/* The Cognito API as a target (cli/aws.c)                                */

struct cmfa_aws;
struct cmfa_aws_error;

/*
 * The AWS client for this invocation, from the global options and the
 * config file (region, aws_profile, aws_*_file, ca_bundle,
 * ec2_metadata_disabled): opened once, closed by cmfa_cli_release().
 * --no-verify-ssl prints the AWS CLI's warning on stderr.  A missing
 * region (or any other configuration failure) is reported as the AWS CLI
 * does (253).  fallback_region (may be NULL) is used when nothing else
 * names a region: the sync passes its pool id's prefix.
 */
enum cmfa_err cmfa_cli_aws(struct cmfa_cli *cli, const char *fallback_region,
    struct cmfa_aws **out);
/* The same without the environment (settings no_env; the config's
 * sts_endpoint_url): for deliver, run by the module with an empty one. */
enum cmfa_err cmfa_cli_aws_noenv(struct cmfa_cli *cli,
    const char *fallback_region, struct cmfa_aws **out);

/* Report a client error as the AWS CLI would: 253 for region and
 * credentials, 254 "An error occurred (T) when calling the <api>
 * operation[ (reached max retries: N)]: M", 255 for the transport. */
enum cmfa_err cmfa_cli_aws_fail(struct cmfa_cli *cli, const char *api,
    const struct cmfa_aws_error *err);

/* ---------------------------------------------------------------------- */
/* Enrolment display (cli/qr.c)                                           */

/*
 * Draw text as a QR code (libqrencode, level M) with UTF-8 half blocks and
 * a 4-module quiet zone, dark modules drawn as the terminal's background
 * (so it scans on dark and light themes alike: the code is inverted
 * explicitly with spaces and full blocks).  Appended to out.
 */
enum cmfa_err cmfa_cli_qr(const char *text, struct cmfa_buf *out);

/* ---------------------------------------------------------------------- */
/* Help (cli/help.c)                                                      */

void cmfa_cli_help(FILE *f);
void cmfa_cli_help_op(FILE *f, const struct cmfa_cli_op *op);
/* The usage block the AWS CLI prints before an argument error. */
void cmfa_cli_usage(FILE *f);

#endif /* CMFA_CLI_H */
