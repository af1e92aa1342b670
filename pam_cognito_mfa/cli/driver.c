/*
 * driver.c: one invocation of cognito-mfa, from argv to the exit code.
 *
 *   global options (anywhere on the line) -> the command -> its
 *   parameters (params.c; list-users' paging options, paginate.c) ->
 *   --generate-cli-skeleton input -> the config and the target (D9,
 *   api.c) -> botocore's validation (botocore.c) ->
 *   --generate-cli-skeleton output -> the command on the local store, or
 *   its operation on the Cognito API (api.c), page by page where the AWS
 *   CLI pages -> the output.
 *
 * This is the AWS CLI's own order, so that the same mistake gets the
 * same complaint.  Failures are recorded with cmfa_cli_fail() and
 * printed once, by cmfa_cli_report(), through the one table of exit
 * codes below.  Nothing here exits: main() does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmfa_aws.h"
#include "cmfa_cli.h"
#include "cli_int.h"

/* The one table from failures to exit codes (DESIGN.md D8). */
static const int exit_codes[] = {
	[CMFA_FAIL_NONE] = CMFA_EXIT_OK,
	[CMFA_FAIL_USAGE] = CMFA_EXIT_PARAM,
	[CMFA_FAIL_UNKNOWN] = CMFA_EXIT_PARAM,
	[CMFA_FAIL_PARAM] = CMFA_EXIT_PARAM,
	[CMFA_FAIL_VALIDATION] = CMFA_EXIT_PARAM,
	[CMFA_FAIL_CONFIG] = CMFA_EXIT_CONFIG,
	[CMFA_FAIL_SERVICE] = CMFA_EXIT_SERVICE,
	[CMFA_FAIL_PYTHON] = CMFA_EXIT_OTHER,
	[CMFA_FAIL_INTERNAL] = CMFA_EXIT_OTHER,
	[CMFA_FAIL_ARGS] = CMFA_EXIT_PARAM,
	[CMFA_FAIL_CHECK] = CMFA_EXIT_CHECK,
	[CMFA_FAIL_STATUS] = CMFA_EXIT_OTHER, /* cli->fail_status instead */
};

int
cmfa_cli_exit_code(enum cmfa_cli_fail f)
{
	if ((unsigned)f >= CMFA_ARRAY_LEN(exit_codes))
		return CMFA_EXIT_OTHER;
	return exit_codes[f];
}

void
cmfa_cli_init(struct cmfa_cli *cli, FILE *out, FILE *err)
{
	struct timespec ts;

	memset(cli, 0, sizeof(*cli));
	cli->out = out;
	cli->err = err;
	cli->store.dirfd = -1;
	cli->owner = geteuid();
	cli->format = CMFA_OUT_JSON;
	cmfa_config_defaults(&cli->cfg);
	cmfa_buf_init(&cli->fail_msg, CMFA_CLI_MSG_MAX);
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
		ts.tv_sec = time(NULL);
		ts.tv_nsec = 0;
	}
	cli->now = (int64_t)ts.tv_sec;
	/* milliseconds, as Cognito's dates have */
	cli->now_epoch =
	    (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000.0;
}

void
cmfa_cli_release(struct cmfa_cli *cli)
{
	cmfa_aws_close(cli->aws);
	cli->aws = NULL;
	cmfa_store_close(&cli->store);
	cmfa_buf_free(&cli->fail_msg);
}

static enum cmfa_err vfail(struct cmfa_cli *cli, enum cmfa_err err,
    enum cmfa_cli_fail kind, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static enum cmfa_err
vfail(struct cmfa_cli *cli, enum cmfa_err err, enum cmfa_cli_fail kind,
    const char *fmt, va_list ap)
{
	char *s = NULL;
	int n;

	if (cli->fail != CMFA_FAIL_NONE)
		return err;
	cli->fail = kind;
	n = vasprintf(&s, fmt, ap);
	cmfa_buf_reset(&cli->fail_msg);
	if (n >= 0 && s != NULL &&
	    cmfa_buf_append(&cli->fail_msg, s, (size_t)n) != CMFA_OK) {
		/* cut, never lose the report */
		(void)cmfa_buf_append(&cli->fail_msg, s,
		    cli->fail_msg.max > 16 ? cli->fail_msg.max - 16 : 0);
	}
	free(s);
	return err;
}

enum cmfa_err
cmfa_cli_fail(struct cmfa_cli *cli, enum cmfa_err err, enum cmfa_cli_fail kind,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = vfail(cli, err, kind, fmt, ap);
	va_end(ap);
	return err;
}

enum cmfa_err
cmfa_cli_service_error(struct cmfa_cli *cli, const char *type, const char *fmt,
    ...)
{
	va_list ap;
	bool first = cli->fail == CMFA_FAIL_NONE;

	va_start(ap, fmt);
	(void)vfail(cli, CMFA_ERR_VALIDATION, CMFA_FAIL_SERVICE, fmt, ap);
	va_end(ap);
	if (first)
		snprintf(cli->fail_type, sizeof(cli->fail_type), "%s", type);
	return CMFA_ERR_VALIDATION;
}

enum cmfa_err
cmfa_cli_verr(struct cmfa_cli *cli, const struct cmfa_verr *v)
{
	return cmfa_cli_service_error(cli,
	    v->type[0] ? v->type : "InvalidParameterException", "%s",
	    v->message);
}

enum cmfa_err
cmfa_cli_param_error(struct cmfa_cli *cli, const char *param, const char *fmt,
    ...)
{
	va_list ap;
	bool first = cli->fail == CMFA_FAIL_NONE;

	va_start(ap, fmt);
	(void)vfail(cli, CMFA_ERR_PARSE, CMFA_FAIL_PARAM, fmt, ap);
	va_end(ap);
	if (first)
		snprintf(cli->fail_param, sizeof(cli->fail_param), "%s", param);
	return CMFA_ERR_PARSE;
}

void
cmfa_cli_debug(struct cmfa_cli *cli, const char *fmt, ...)
{
	char line[8192], clean[8192];
	va_list ap;

	if (!cli->debug)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	cmfa_sanitize(clean, sizeof(clean), line, strlen(line));
	fprintf(cli->err, "cognito-mfa: debug: %s\n", clean);
}

int
cmfa_cli_report(struct cmfa_cli *cli)
{
	const char *m = cmfa_buf_str(&cli->fail_msg);

	switch (cli->fail) {
	case CMFA_FAIL_NONE:
		return CMFA_EXIT_OK;
	case CMFA_FAIL_USAGE:
	case CMFA_FAIL_UNKNOWN:
		fputc('\n', cli->err);
		cmfa_cli_usage(cli->err);
		fprintf(cli->err, "\n%s%s\n\n",
		    cli->fail == CMFA_FAIL_USAGE ? "cognito-mfa: error: "
		                                 : "Unknown options: ",
		    m);
		break;
	case CMFA_FAIL_PARAM:
		fprintf(cli->err, "\nError parsing parameter '%s': %s\n",
		    cli->fail_param, m);
		break;
	case CMFA_FAIL_VALIDATION:
		fprintf(cli->err, "\nParameter validation failed:\n%s\n", m);
		break;
	case CMFA_FAIL_SERVICE: {
		char retries[64] = "";

		if (cli->fail_max_retries || cli->fail_retries > 0)
			snprintf(retries, sizeof(retries),
			    " (reached max retries: %d)", cli->fail_retries);
		fprintf(cli->err,
		    "\nAn error occurred (%s) when calling the %s operation%s: "
		    "%s\n",
		    cli->fail_type,
		    cli->fail_api[0] != '\0' ? cli->fail_api
		        : cli->op != NULL    ? cli->op->api
		                             : "?",
		    retries, m);
		break;
	}
	case CMFA_FAIL_CONFIG:
	case CMFA_FAIL_PYTHON:
	case CMFA_FAIL_ARGS:
	case CMFA_FAIL_CHECK:
		fprintf(cli->err, "\n%s\n", m);
		break;
	case CMFA_FAIL_INTERNAL:
		fprintf(cli->err, "\ncognito-mfa: internal error: %s\n", m);
		break;
	case CMFA_FAIL_STATUS:
		/* one line: the PAM module logs deliver's first line */
		fprintf(cli->err, "%s\n", m);
		fflush(cli->err);
		return cli->fail_status > 0 && cli->fail_status < 256
		    ? cli->fail_status
		    : CMFA_EXIT_OTHER;
	}
	fflush(cli->err);
	return cmfa_cli_exit_code(cli->fail);
}

/* ---------------------------------------------------------------------- */
/* global options                                                         */

enum gopt_kind {
	G_STORE,
	G_CONFIG,
	G_OUTPUT,
	G_ENDPOINT,
	G_REGION,
	G_PROFILE,
	G_PAM_DIR,
	G_COLOR,
	G_LOCAL,
	G_DEBUG,
	G_HELP,
	G_VERSION,
	G_CA_BUNDLE,
	G_NO_VERIFY_SSL,
	G_CONNECT_TIMEOUT,
	G_READ_TIMEOUT,
	G_NO_PAGINATE,
	G_IGNORED /* flags of the AWS CLI that change nothing here */
};

static const struct {
	const char *name;
	enum gopt_kind kind;
	bool value;
} gopts[] = {
	{ "--store", G_STORE, true },
	{ "--config", G_CONFIG, true },
	{ "--output", G_OUTPUT, true },
	{ "--endpoint-url", G_ENDPOINT, true },
	{ "--region", G_REGION, true },
	{ "--profile", G_PROFILE, true },
	{ "--pam-dir", G_PAM_DIR, true },
	{ "--color", G_COLOR, true },
	{ "--local", G_LOCAL, false },
	{ "--debug", G_DEBUG, false },
	{ "--help", G_HELP, false },
	{ "--version", G_VERSION, false },
	/* the network: used when the target is the API */
	{ "--ca-bundle", G_CA_BUNDLE, true },
	{ "--no-verify-ssl", G_NO_VERIFY_SSL, false },
	{ "--cli-connect-timeout", G_CONNECT_TIMEOUT, true },
	{ "--cli-read-timeout", G_READ_TIMEOUT, true },
	/* the AWS CLI's options for the pager and such: they change
	 * nothing here, and are accepted so that a script written for the
	 * AWS CLI runs */
	{ "--no-cli-pager", G_IGNORED, false },
	{ "--no-paginate", G_NO_PAGINATE, false },
	{ "--no-sign-request", G_IGNORED, false },
	{ "--cli-binary-format", G_IGNORED, true },
};

struct globals {
	bool help, version, no_paginate;
	const char *output;
	const char *command;
	char **rest; /* the command's arguments */
	int nrest;
};

static enum cmfa_err
parse_globals(struct cmfa_cli *cli, int argc, char **argv, struct globals *g)
{
	const char *w, *eq, *val;
	size_t k, klen;
	int i;

	for (i = 1; i < argc; i++) {
		w = argv[i];
		eq = strncmp(w, "--", 2) == 0 ? strchr(w, '=') : NULL;
		klen = eq != NULL ? (size_t)(eq - w) : strlen(w);
		for (k = 0; k < CMFA_ARRAY_LEN(gopts); k++)
			if (strlen(gopts[k].name) == klen &&
			    strncmp(gopts[k].name, w, klen) == 0)
				break;
		if (k == CMFA_ARRAY_LEN(gopts)) {
			if (g->command == NULL && w[0] != '-')
				g->command = w;
			else
				g->rest[g->nrest++] = argv[i];
			continue;
		}
		val = NULL;
		if (gopts[k].value) {
			if (eq != NULL)
				val = eq + 1;
			else if (i + 1 < argc &&
			    (argv[i + 1][0] != '-' || argv[i + 1][1] == '\0'))
				val = argv[++i];
			else
				return cmfa_cli_fail(cli, CMFA_ERR_PARSE,
				    CMFA_FAIL_USAGE,
				    "argument %s: expected one argument",
				    gopts[k].name);
		} else if (eq != NULL) {
			char clean[128];

			cmfa_sanitize(clean, sizeof(clean), eq + 1,
			    strnlen(eq + 1, 100));
			return cmfa_cli_fail(cli, CMFA_ERR_PARSE,
			    CMFA_FAIL_USAGE,
			    "argument %s: ignored explicit argument '%s'",
			    gopts[k].name, clean);
		}
		switch (gopts[k].kind) {
		case G_STORE:
			cli->store_opt = val;
			break;
		case G_CONFIG:
			cli->config_opt = val;
			break;
		case G_OUTPUT:
			g->output = val;
			break;
		case G_ENDPOINT:
			cli->endpoint_url = val;
			break;
		case G_REGION:
			cli->region = val;
			break;
		case G_PROFILE:
			cli->profile = val;
			break;
		case G_CA_BUNDLE:
			cli->ca_bundle = val;
			break;
		case G_NO_VERIFY_SSL:
			cli->no_verify_ssl = true;
			break;
		case G_CONNECT_TIMEOUT:
		case G_READ_TIMEOUT: {
			/* seconds, an int as the AWS CLI's argparse wants;
			 * 0 means no timeout there, the default here */
			uint64_t sec;

			if (cmfa_parse_u64(val, strlen(val), 86400, &sec) !=
			    CMFA_OK) {
				char clean[64];

				cmfa_sanitize(clean, sizeof(clean), val,
				    strnlen(val, 40));
				return cmfa_cli_fail(cli, CMFA_ERR_PARSE,
				    CMFA_FAIL_USAGE,
				    "argument %s: invalid int value: '%s'",
				    gopts[k].name, clean);
			}
			if (gopts[k].kind == G_CONNECT_TIMEOUT)
				cli->connect_timeout_ms = (long)sec * 1000;
			else
				cli->read_timeout_ms = (long)sec * 1000;
			break;
		}
		case G_PAM_DIR:
			cli->pam_dir = val;
			break;
		case G_COLOR:
			if (strcmp(val, "on") != 0 && strcmp(val, "off") != 0 &&
			    strcmp(val, "auto") != 0)
				return cmfa_cli_fail(cli, CMFA_ERR_PARSE,
				    CMFA_FAIL_USAGE,
				    "argument --color: Invalid choice, valid "
				    "choices are:\n\non | off | auto");
			break;
		case G_LOCAL:
			cli->local = true;
			break;
		case G_DEBUG:
			cli->debug = true;
			break;
		case G_HELP:
			g->help = true;
			break;
		case G_VERSION:
			g->version = true;
			break;
		case G_NO_PAGINATE:
			g->no_paginate = true;
			break;
		case G_IGNORED:
			cmfa_cli_debug(cli, "%s ignored", gopts[k].name);
			break;
		}
	}
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* configuration and target (DESIGN.md D9)                               */

static enum cmfa_err
load_config(struct cmfa_cli *cli)
{
	const char *path = cli->config_opt != NULL ? cli->config_opt
	                                           : CMFA_CONFIG_DEFAULT_PATH;
	char err[512], abs[PATH_MAX];
	enum cmfa_err e;

	if (path[0] != '/') {
		char cwd[PATH_MAX / 2];

		if (getcwd(cwd, sizeof(cwd)) == NULL ||
		    strlen(path) >= PATH_MAX / 2 ||
		    snprintf(abs, sizeof(abs), "%s/%s", cwd, path) >=
		        (int)sizeof(abs))
			return cmfa_cli_fail(cli, CMFA_ERR_INVAL,
			    CMFA_FAIL_CONFIG,
			    "The config file %.200s cannot be found.", path);
		path = abs;
	}
	snprintf(cli->config_path, sizeof(cli->config_path), "%s", path);
	err[0] = '\0';
	e = cmfa_config_load(path, cli->owner, &cli->cfg, err, sizeof(err));
	/* root's config is trusted by every caller: the sync user reads
	 * /etc's (cli/sync.c, sync_user) */
	if (e == CMFA_ERR_UNTRUSTED && cli->owner != 0)
		e = cmfa_config_load(path, 0, &cli->cfg, err, sizeof(err));
	if (e == CMFA_ERR_NOTFOUND && cli->config_opt == NULL) {
		cmfa_config_defaults(&cli->cfg);
		cmfa_cli_debug(cli, "no %s: defaults", path);
		return CMFA_OK;
	}
	if (e != CMFA_OK)
		return cmfa_cli_fail(cli, e, CMFA_FAIL_CONFIG,
		    "The config file %.1000s cannot be used: %s%s%s", path,
		    cmfa_strerror(e), err[0] ? ": " : "", err);
	cmfa_cli_debug(cli, "config %s", path);
	return CMFA_OK;
}

/*
 * The target (D9, cli/api.c): the API or the local store; nothing to
 * refuse here any more, only to say which, for --debug.
 */
static enum cmfa_err
check_target(struct cmfa_cli *cli)
{
	bool asked = cli->endpoint_url != NULL || cli->region != NULL ||
	    cli->cfg.region[0] != '\0' || cli->cfg.user_pool_id[0] != '\0';

	if (cmfa_cli_target_api(cli)) {
		cmfa_cli_debug(cli, "target: the Amazon Cognito API (%s)",
		    cmfa_cli_target_why(cli));
		return CMFA_OK;
	}
	if (asked && cli->local)
		cmfa_cli_debug(cli, "target: the local store (--local)");
	else if (asked)
		cmfa_cli_debug(cli,
		    "target: the local store (%s is cognito-mfa's own)",
		    cli->op->name);
	else
		cmfa_cli_debug(cli, "target: the local store");
	return CMFA_OK;
}

enum cmfa_err
cmfa_cli_api_refused(struct cmfa_cli *cli, const char *what)
{
	return cmfa_cli_fail(cli, CMFA_ERR_INVAL, CMFA_FAIL_CONFIG,
	    "%s is for the Amazon Cognito API, but the target is the local "
	    "store (%s).  On the local store, name the user with --username; "
	    "for the API, give --endpoint-url or --region, or set region or "
	    "user_pool_id in the config.",
	    what,
	    cli->local ? "--local"
	               : "no --endpoint-url or --region, and the config "
	                 "names no region or user_pool_id");
}

/* A copy of v with every value of a secret member replaced. */
static cJSON *
redacted(const cJSON *v, const struct cmfa_cli_shape *s)
{
	const struct cmfa_cli_member *m;
	cJSON *c, *it;

	if (s->secret)
		return cJSON_CreateString("(secret)");
	if ((c = cJSON_Duplicate(v, 1)) == NULL)
		return NULL;
	if (s->type == CMFA_CT_STRUCT && cJSON_IsObject(c)) {
		cJSON_ArrayForEach(it, c)
		{
			m = cmfa_cli_shape_member(s, it->string);
			if (m != NULL && m->shape->secret)
				(void)cJSON_SetValuestring(it, "(secret)");
		}
	}
	return c;
}

static void
debug_request(struct cmfa_cli *cli, const cJSON *req)
{
	cJSON *c;
	char *s;

	if (!cli->debug || (c = redacted(req, cli->op->input)) == NULL)
		return;
	if ((s = cJSON_PrintUnformatted(c)) != NULL)
		cmfa_cli_debug(cli, "request %s", s);
	free(s);
	cJSON_Delete(c);
}

/* ---------------------------------------------------------------------- */
/* output                                                                 */

static enum cmfa_err
print_buf(struct cmfa_cli *cli, const struct cmfa_buf *b)
{
	if (b->len > 0 && fwrite(b->p, 1, b->len, cli->out) != b->len)
		return cmfa_cli_fail(cli, CMFA_ERR_IO, CMFA_FAIL_INTERNAL,
		    "cannot write the output");
	if (fflush(cli->out) != 0)
		return cmfa_cli_fail(cli, CMFA_ERR_IO, CMFA_FAIL_INTERNAL,
		    "cannot write the output");
	return CMFA_OK;
}

/* The paginator's NextToken as the AWS CLI's text output shows it. */
static enum cmfa_err
text_next_token(const char *next, struct cmfa_buf *b)
{
	cJSON *o, *in;
	enum cmfa_err e;

	if ((o = cJSON_CreateObject()) == NULL ||
	    (in = cJSON_AddObjectToObject(o, "NextToken")) == NULL ||
	    cJSON_AddStringToObject(in, "NextToken", next) == NULL) {
		cJSON_Delete(o);
		return CMFA_ERR_NOMEM;
	}
	e = cmfa_cli_text_dump(o, b);
	cJSON_Delete(o);
	return e;
}

/* The response (and the paginator's NextToken, may be NULL). */
static enum cmfa_err
print_response(struct cmfa_cli *cli, const cJSON *resp, const char *next)
{
	struct cmfa_buf b;
	cJSON *shown = NULL;
	enum cmfa_err e;

	if (cli->op->output == NULL || resp == NULL)
		return CMFA_OK;
	if ((e = cmfa_cli_present(resp, cli->op->output, &shown)) != CMFA_OK)
		return cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL,
		    "out of memory");
	if (next != NULL && cli->format == CMFA_OUT_JSON &&
	    cJSON_AddStringToObject(shown, "NextToken", next) == NULL) {
		cJSON_Delete(shown);
		return cmfa_cli_fail(cli, CMFA_ERR_NOMEM, CMFA_FAIL_INTERNAL,
		    "out of memory");
	}
	cmfa_buf_init(&b, 64u * 1024u * 1024u);
	if (shown->child == NULL && cJSON_IsObject(shown))
		e = CMFA_OK; /* the AWS CLI prints nothing for {} */
	else if (cli->format == CMFA_OUT_TEXT)
		e = cmfa_cli_text_dump(shown, &b);
	else
		e = cmfa_cli_json_dump(shown, true, &b);
	if (e == CMFA_OK && next != NULL && cli->format == CMFA_OUT_TEXT)
		e = text_next_token(next, &b);
	cmfa_cli_json_wipe_delete(shown); /* SecretCode */
	if (e != CMFA_OK)
		e = cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL,
		    "cannot format the output");
	else
		e = print_buf(cli, &b);
	cmfa_buf_free(&b);
	return e;
}

static enum cmfa_err
print_skeleton(struct cmfa_cli *cli, bool output)
{
	struct cmfa_buf b;
	enum cmfa_err e;

	cmfa_buf_init(&b, CMFA_CLI_MSG_MAX);
	e = cmfa_cli_skeleton(output ? cli->op->output : cli->op->input, output,
	    &b);
	if (e != CMFA_OK)
		e = cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL, "out of memory");
	else
		e = print_buf(cli, &b);
	cmfa_buf_free(&b);
	return e;
}

/* ---------------------------------------------------------------------- */
/* the invocation                                                         */

static bool
op_help_word(const struct globals *g)
{
	return g->nrest > 0 && strcmp(g->rest[0], "help") == 0;
}

typedef enum cmfa_err (*run_fn)(struct cmfa_cli *, const cJSON *, cJSON **);

/* What runs the request: the command itself, or the API (D9). */
static run_fn
runner(const struct cmfa_cli *cli)
{
	if (!cmfa_cli_target_api(cli))
		return cli->op->run;
	return cli->op->run_api != NULL ? cli->op->run_api : cmfa_cli_api_run;
}

/* The validated request run, paged as the AWS CLI pages it. */
static enum cmfa_err
execute(struct cmfa_cli *cli, const cJSON *req,
    const struct cmfa_cli_paging *pg, bool paging, cJSON **resp, char **next)
{
	enum cmfa_err e;

	if (paging)
		e = cmfa_cli_paginate(cli, pg, req, runner(cli), resp, next);
	else
		e = runner(cli)(cli, req, resp);
	if (e != CMFA_OK) {
		/* explain shows what it found before it reports why the
		 * module would fail */
		if (*resp != NULL && cli->fail == CMFA_FAIL_SERVICE)
			(void)print_response(cli, *resp, NULL);
		if (cli->fail == CMFA_FAIL_NONE)
			(void)cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL, "%s",
			    cmfa_strerror(e));
	}
	return e;
}

enum cmfa_err
cmfa_cli_validate_req(struct cmfa_cli *cli, const cJSON *req)
{
	struct cmfa_buf report;
	enum cmfa_err e;

	e = cmfa_cli_validate(req, cli->op->input, &report);
	if (e != CMFA_OK)
		(void)cmfa_cli_fail(cli, e,
		    e == CMFA_ERR_NOMEM ? CMFA_FAIL_INTERNAL
		                        : CMFA_FAIL_VALIDATION,
		    "%s",
		    e == CMFA_ERR_NOMEM ? "out of memory"
		                        : cmfa_buf_str(&report));
	cmfa_buf_free(&report);
	return e;
}

/* The command, from its arguments to its output. */
static enum cmfa_err
run_op(struct cmfa_cli *cli, struct globals *g, bool *done)
{
	struct cmfa_cli_paging pg;
	const char *skeleton = NULL;
	cJSON *req = NULL, *resp = NULL;
	char *next = NULL;
	bool paging = false;
	enum cmfa_err e;

	memset(&pg, 0, sizeof(pg));
	pg.no_paginate = g->no_paginate;
	cmfa_cli_debug(cli, "command %s", cli->op->name);
	if ((cmfa_cli_pages(cli->op) &&
	        (e = cmfa_cli_paging_args(cli, &g->nrest, g->rest, &pg)) !=
	            CMFA_OK) ||
	    (e = cmfa_cli_parse_params(cli, cli->op, g->nrest, g->rest, &req,
	         &skeleton)) != CMFA_OK)
		goto out;
	if (skeleton != NULL && strcmp(skeleton, "input") == 0) {
		e = print_skeleton(cli, false);
		*done = e == CMFA_OK;
		goto out;
	}
	if ((e = cmfa_cli_paging_on(cli, &pg, req, &paging)) != CMFA_OK ||
	    (e = load_config(cli)) != CMFA_OK ||
	    (e = check_target(cli)) != CMFA_OK ||
	    (e = cmfa_cli_validate_req(cli, req)) != CMFA_OK)
		goto out;
	debug_request(cli, req);
	if (skeleton != NULL) {
		e = print_skeleton(cli, true);
		*done = e == CMFA_OK;
		goto out;
	}
	if ((e = execute(cli, req, &pg, paging, &resp, &next)) != CMFA_OK)
		goto out;
	e = print_response(cli, resp, next);
	*done = e == CMFA_OK;
out:
	cmfa_cli_json_wipe_delete(req);
	cmfa_cli_json_wipe_delete(resp);
	free(next);
	return e;
}

static enum cmfa_err
run(struct cmfa_cli *cli, int argc, char **argv, bool *done)
{
	struct globals g;
	enum cmfa_err e;

	*done = false;
	memset(&g, 0, sizeof(g));
	if ((g.rest = calloc((size_t)argc + 1, sizeof(*g.rest))) == NULL)
		return cmfa_cli_fail(cli, CMFA_ERR_NOMEM, CMFA_FAIL_INTERNAL,
		    "out of memory");
	if ((e = parse_globals(cli, argc, argv, &g)) != CMFA_OK)
		goto out;
	if (g.version) {
		fprintf(cli->out, "cognito-mfa %s\n", CMFA_VERSION);
		*done = true;
		goto out;
	}
	if (g.command == NULL || strcmp(g.command, "help") == 0) {
		if (g.help || g.command != NULL) {
			cmfa_cli_help(cli->out);
			*done = true;
			goto out;
		}
		e = cmfa_cli_fail(cli, CMFA_ERR_PARSE, CMFA_FAIL_USAGE,
		    "the following arguments are required: command");
		goto out;
	}
	if ((cli->op = cmfa_cli_op_find(g.command)) == NULL) {
		char clean[64];

		/* argv may carry a secret by mistake: echo only a prefix */
		cmfa_sanitize(clean, sizeof(clean), g.command,
		    strnlen(g.command, 40));
		e = cmfa_cli_fail(cli, CMFA_ERR_PARSE, CMFA_FAIL_USAGE,
		    "argument command: Invalid choice: '%s' (see "
		    "cognito-mfa help)",
		    clean);
		goto out;
	}
	if (g.help || op_help_word(&g)) {
		cmfa_cli_help_op(cli->out, cli->op);
		*done = true;
		goto out;
	}
	if (g.output != NULL) {
		if (strcmp(g.output, "text") == 0)
			cli->format = CMFA_OUT_TEXT;
		else if (strcmp(g.output, "json") != 0) {
			e = cmfa_cli_fail(cli, CMFA_ERR_PARSE, CMFA_FAIL_USAGE,
			    "argument --output: Invalid choice, valid choices "
			    "are:\n\njson | text");
			goto out;
		}
	}
	e = run_op(cli, &g, done);
out:
	free(g.rest);
	return e;
}

int
cmfa_cli_main(struct cmfa_cli *cli, int argc, char **argv)
{
	bool done = false;

	(void)run(cli, argc, argv, &done);
	if (cli->fail == CMFA_FAIL_NONE && !done)
		(void)cmfa_cli_fail(cli, CMFA_ERR_INVAL, CMFA_FAIL_INTERNAL,
		    "the command did not complete");
	return cmfa_cli_report(cli);
}
