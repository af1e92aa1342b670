/*
 * explain.c: `explain --username U [--service S]` (ours): what
 * pam_cognito_mfa would decide for U, without prompting anyone.
 *
 * The same code as the module reads the same things in the same order:
 * the module arguments (cmfa_modargs_parse) from the first auth line of
 * /etc/pam.d/S that names pam_cognito_mfa.so (following @include and
 * include / substack as libpam does, tokens split by libpam's rules
 * including [bracketed arguments]) or, without --service, the config
 * file alone (with --store applied); the cache (cmfa_login_load); group
 * membership for exempt_group / only_group (getgrouplist: primary and
 * supplementary groups, as pam_modutil_user_in_group_nam_nam); then the
 * pure decision (cmfa_policy_decide).  A user locked out after wrong
 * codes gets PAM_MAXTRIES before any prompt, as in the module.
 *
 * Output: Username, Service, Outcome and Reason (the module's log names),
 * Factor, Choices, Setup, Unservable (factor names), PamResult (the PAM
 * code name, or "challenge" when the answer decides), Store, CacheSynced
 * and, when locked out, LockedSeconds.  When the module would fail
 * (its arguments or config are invalid, or the cache is missing, corrupt
 * or untrusted), the result is printed all the same and the command
 * fails with exit 254 and the reason.  Nothing is ever written.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmfa_cli.h"
#include "cli_int.h"

#define PAM_DIR_DEFAULT "/etc/pam.d"
#define PAM_FILE_MAX (256u * 1024u)
#define PAM_INCLUDE_DEPTH 8
#define PAM_ARGS_MAX 64
#define MODULE_NAME "pam_cognito_mfa.so"

struct pamfind {
	struct cmfa_cli *cli;
	const char *dir;
	char *args[PAM_ARGS_MAX];
	int nargs;
	bool found;
	char where[PATH_MAX + 32];
};

char *
cmfa_cli_pam_strtok(char **next)
{
	char *from = *next, *end, *to;

	if (from == NULL)
		return NULL;
	while (*from == ' ' || *from == '\t' || *from == '\n')
		from++;
	if (*from == '\0') {
		*next = NULL;
		return NULL;
	}
	if (*from == '[') {
		for (to = end = ++from; *end != '\0' && *end != ']';
		     ++to, ++end) {
			if (*end == '\\' && end[1] == ']')
				++end;
			if (to != end)
				*to = *end;
		}
		if (*end == ']')
			end++;
		*to = '\0';
		*next = *end != '\0' ? end : NULL;
		return from;
	}
	for (end = from;
	     *end != '\0' && *end != ' ' && *end != '\t' && *end != '\n'; end++)
		;
	if (*end != '\0')
		*end++ = '\0';
	*next = *end != '\0' ? end : NULL;
	return from;
}

char *
cmfa_cli_pam_next_line(char **pp, unsigned *lineno, unsigned *start)
{
	char *p = *pp, *line = p, *eol, *hash;

	if (*p == '\0')
		return NULL;
	*start = ++*lineno;
	/* a logical line: "\\\n" joins the next physical line */
	for (;;) {
		eol = strchr(p, '\n');
		if (eol == NULL) {
			p += strlen(p);
			break;
		}
		if (eol > line && eol[-1] == '\\') {
			eol[-1] = ' ';
			*eol = ' ';
			++*lineno;
			p = eol + 1;
			continue;
		}
		*eol = '\0';
		p = eol + 1;
		break;
	}
	if ((hash = strchr(line, '#')) != NULL)
		*hash = '\0';
	*pp = p;
	return line;
}

static enum cmfa_err scan_file(struct pamfind *f, const char *name, int depth);

/* One logical line (comments cut, continuations joined). */
static enum cmfa_err
scan_line(struct pamfind *f, char *line, const char *file, unsigned lineno,
    int depth)
{
	char *next = line, *type, *control, *path, *base, *arg;
	bool include;

	if ((type = cmfa_cli_pam_strtok(&next)) == NULL)
		return CMFA_OK;
	if (strcasecmp(type, "@include") == 0) {
		if ((path = cmfa_cli_pam_strtok(&next)) == NULL)
			return CMFA_OK;
		return scan_file(f, path, depth + 1);
	}
	if (type[0] == '-')
		type++;
	if (strcasecmp(type, "auth") != 0)
		return CMFA_OK;
	if ((control = cmfa_cli_pam_strtok(&next)) == NULL ||
	    (path = cmfa_cli_pam_strtok(&next)) == NULL)
		return CMFA_OK;
	include = strcasecmp(control, "include") == 0 ||
	    strcasecmp(control, "substack") == 0;
	if (include)
		return scan_file(f, path, depth + 1);
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	if (strcmp(base, MODULE_NAME) != 0)
		return CMFA_OK;
	while ((arg = cmfa_cli_pam_strtok(&next)) != NULL) {
		if (f->nargs == PAM_ARGS_MAX)
			return cmfa_cli_fail(f->cli, CMFA_ERR_TOOBIG,
			    CMFA_FAIL_CONFIG, "%s:%u: more than %d arguments",
			    file, lineno, PAM_ARGS_MAX);
		if ((f->args[f->nargs] = strdup(arg)) == NULL)
			return CMFA_ERR_NOMEM;
		f->nargs++;
	}
	f->found = true;
	snprintf(f->where, sizeof(f->where), "%s:%u", file, lineno);
	return CMFA_OK;
}

static enum cmfa_err
read_all(const char *path, struct cmfa_buf *b)
{
	char chunk[4096];
	ssize_t n;
	int fd;
	enum cmfa_err e = CMFA_OK;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return errno == ENOENT ? CMFA_ERR_NOTFOUND : CMFA_ERR_IO;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = CMFA_ERR_IO;
			break;
		}
		if (n == 0)
			break;
		if ((e = cmfa_buf_append(b, chunk, (size_t)n)) != CMFA_OK)
			break;
	}
	(void)close(fd);
	if (e == CMFA_OK &&
	    memchr(b->p != NULL ? b->p : (const uint8_t *)"", '\0', b->len) !=
	        NULL)
		e = CMFA_ERR_PARSE;
	return e;
}

static enum cmfa_err
scan_file(struct pamfind *f, const char *name, int depth)
{
	struct cmfa_buf b, path;
	enum cmfa_err e;
	char *p, *line;
	unsigned lineno = 0, start = 0;

	if (depth > PAM_INCLUDE_DEPTH)
		return cmfa_cli_fail(f->cli, CMFA_ERR_TOOBIG, CMFA_FAIL_CONFIG,
		    "%s: includes nested deeper than %d", name,
		    PAM_INCLUDE_DEPTH);
	cmfa_buf_init(&path, PATH_MAX);
	if (name[0] == '/')
		e = cmfa_buf_append_str(&path, name);
	else
		e = cmfa_buf_appendf(&path, "%s/%s", f->dir, name);
	if (e != CMFA_OK) {
		cmfa_buf_free(&path);
		return cmfa_cli_fail(f->cli, e, CMFA_FAIL_CONFIG,
		    "%.200s: path too long", name);
	}
	cmfa_buf_init(&b, PAM_FILE_MAX);
	if ((e = read_all(cmfa_buf_str(&path), &b)) != CMFA_OK) {
		e = cmfa_cli_fail(f->cli, e, CMFA_FAIL_CONFIG,
		    "The PAM configuration %s cannot be read: %s",
		    cmfa_buf_str(&path), cmfa_strerror(e));
		goto out;
	}
	p = (char *)(b.p != NULL ? b.p : (uint8_t *)"");
	while (!f->found &&
	    (line = cmfa_cli_pam_next_line(&p, &lineno, &start)) != NULL) {
		if ((e = scan_line(f, line, cmfa_buf_str(&path), start,
		         depth)) != CMFA_OK)
			goto out;
	}
	e = CMFA_OK;
out:
	cmfa_buf_free(&b);
	cmfa_buf_free(&path);
	return e;
}

static bool
service_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 64 || s[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		        s[i] == '_' || s[i] == '-' || s[i] == '+'))
			return false;
	return true;
}

/* Is user a member of group (primary or supplementary)? */
static bool
in_group(const char *user, const char *group)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char pbuf[16384], gbuf[65536];
	gid_t *groups = NULL, *ng;
	int n = 64, i;
	bool member = false;

	if (group[0] == '\0' ||
	    getpwnam_r(user, &pw, pbuf, sizeof(pbuf), &pwp) != 0 ||
	    pwp == NULL ||
	    getgrnam_r(group, &gr, gbuf, sizeof(gbuf), &grp) != 0 ||
	    grp == NULL)
		return false;
	for (;;) {
		if ((ng = realloc(groups, (size_t)n * sizeof(*groups))) == NULL)
			break;
		groups = ng;
		if (getgrouplist(user, pw.pw_gid, groups, &n) >= 0) {
			for (i = 0; i < n; i++)
				if (groups[i] == gr.gr_gid)
					member = true;
			break;
		}
		if (n > 65536)
			break;
	}
	free(groups);
	return member;
}

static bool
add_str(cJSON *o, const char *k, const char *v)
{
	return v == NULL || cJSON_AddStringToObject(o, k, v) != NULL;
}

static bool
add_factors(cJSON *o, const char *k, unsigned bits)
{
	cJSON *a;
	int f;

	if (bits == 0)
		return true; /* left out, as AWS leaves out empty members */
	if ((a = cJSON_AddArrayToObject(o, k)) == NULL)
		return false;
	for (f = 0; f < CMFA_FACTOR__COUNT; f++) {
		if (!(bits & CMFA_FBIT(f)))
			continue;
		if (!cJSON_AddItemToArray(a,
		        cJSON_CreateString(
		            cmfa_factor_name((enum cmfa_factor)f))))
			return false;
	}
	return true;
}

/* The module's result table (pam/result.c) for an outcome. */
static const char *
pam_result(enum cmfa_outcome o)
{
	switch (o) {
	case CMFA_OUT_NO_MFA:
		return "PAM_IGNORE";
	case CMFA_OUT_CHALLENGE:
	case CMFA_OUT_CHOOSE:
		return "challenge";
	case CMFA_OUT_SETUP:
	case CMFA_OUT_USER_DENIED:
		return "PAM_PERM_DENIED";
	case CMFA_OUT_UNKNOWN_USER:
		return "PAM_USER_UNKNOWN";
	case CMFA_OUT_UNAVAILABLE:
		return "PAM_AUTHINFO_UNAVAIL";
	case CMFA_OUT_DENY:
		break;
	}
	return "PAM_SYSTEM_ERR";
}

struct result {
	const char *user, *service, *outcome, *pam, *store;
	char reason[768];
	int factor;
	unsigned choices, setup, unservable;
	int64_t synced, locked;
};

static enum cmfa_err
result_json(const struct result *r, cJSON **out)
{
	cJSON *o;

	if ((o = cJSON_CreateObject()) == NULL)
		return CMFA_ERR_NOMEM;
	if (!add_str(o, "Username", r->user) ||
	    !add_str(o, "Service", r->service) ||
	    !add_str(o, "Outcome", r->outcome) ||
	    !add_str(o, "Reason", r->reason) ||
	    !add_str(o, "Factor",
	        r->factor == CMFA_FACTOR_NONE
	            ? NULL
	            : cmfa_factor_name((enum cmfa_factor)r->factor)) ||
	    !add_factors(o, "Choices", r->choices) ||
	    !add_factors(o, "Setup", r->setup) ||
	    !add_factors(o, "Unservable", r->unservable) ||
	    !add_str(o, "PamResult", r->pam) ||
	    !add_str(o, "Store", r->store) ||
	    (r->synced > 0 &&
	        cJSON_AddNumberToObject(o, "CacheSynced", (double)r->synced) ==
	            NULL) ||
	    (r->locked > 0 &&
	        cJSON_AddNumberToObject(o, "LockedSeconds",
	            (double)r->locked) == NULL)) {
		cJSON_Delete(o);
		return CMFA_ERR_NOMEM;
	}
	*out = o;
	return CMFA_OK;
}

/* The module's arguments, from pam.d or from the config alone. */
static enum cmfa_err
module_args(struct cmfa_cli *cli, const char *service, struct cmfa_modargs *ma,
    struct result *r, bool *failed)
{
	struct pamfind f;
	char err[512];
	enum cmfa_err e;
	int i;

	*failed = false;
	memset(ma, 0, sizeof(*ma));
	if (service == NULL) {
		/* the config the CLI loaded, as the module's defaults */
		ma->cfg = cli->cfg;
		ma->tries = CMFA_MODARGS_TRIES_DEFAULT;
		snprintf(ma->config_path, sizeof(ma->config_path), "%s",
		    cli->config_path);
		if (cli->store_opt != NULL)
			snprintf(ma->cfg.store, sizeof(ma->cfg.store), "%s",
			    cli->store_opt);
		return CMFA_OK;
	}
	if (!service_name_ok(service))
		return cmfa_cli_service_error(cli, "InvalidParameterException",
		    "Invalid service name: it must be a file name in %s.",
		    cli->pam_dir != NULL ? cli->pam_dir : PAM_DIR_DEFAULT);
	memset(&f, 0, sizeof(f));
	f.cli = cli;
	f.dir = cli->pam_dir != NULL ? cli->pam_dir : PAM_DIR_DEFAULT;
	e = scan_file(&f, service, 0);
	if (e == CMFA_OK && !f.found)
		e = cmfa_cli_fail(cli, CMFA_ERR_NOTFOUND, CMFA_FAIL_CONFIG,
		    "No auth line of %s/%s names %s: the module does not run "
		    "for this service.",
		    f.dir, service, MODULE_NAME);
	if (e == CMFA_OK) {
		cmfa_cli_debug(cli, "module line %s", f.where);
		err[0] = '\0';
		if (cmfa_modargs_parse(f.nargs, (const char **)f.args,
		        cli->owner, ma, err, sizeof(err)) != CMFA_OK) {
			/* the module's ctx_init fails: PAM_SYSTEM_ERR */
			*failed = true;
			r->outcome = "deny";
			r->pam = "PAM_SYSTEM_ERR";
			snprintf(r->reason, sizeof(r->reason),
			    "configuration: %.700s", err);
		}
	}
	for (i = 0; i < f.nargs; i++)
		free(f.args[i]);
	return e;
}

/* Locked out now?  The module checks before it prompts. */
static void
lockout(struct cmfa_login *l, const char *user, struct cmfa_cli *cli,
    struct result *r)
{
	char rel[32 + CMFA_USERNAME_MAX];
	struct cmfa_state st;
	struct cmfa_buf b;
	int64_t remaining = 0;
	enum cmfa_err e;

	if (!cmfa_username_valid(user, strlen(user)))
		return;
	snprintf(rel, sizeof(rel), "state/%s", user);
	e = cmfa_file_read(l->store.dirfd, rel, l->store.owner, CMFA_STATE_MAX,
	    &b, NULL);
	if (e == CMFA_ERR_NOTFOUND)
		return;
	if (e == CMFA_OK) {
		e = cmfa_state_parse((const char *)b.p, b.len, &st);
		cmfa_buf_free(&b);
	}
	if (e != CMFA_OK) {
		r->pam = "PAM_AUTHINFO_UNAVAIL";
		snprintf(r->reason, sizeof(r->reason), "state file: %s",
		    cmfa_strerror(e));
		return;
	}
	if (cmfa_state_locked(&st, cli->now, &remaining)) {
		r->pam = "PAM_MAXTRIES";
		r->locked = remaining;
	}
}

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	const char *user = cmfa_cli_req_str(req, "Username");
	const char *service = cmfa_cli_req_str(req, "Service");
	struct cmfa_policy_out out;
	struct cmfa_policy_in in;
	struct cmfa_login_facts facts;
	struct cmfa_modargs ma;
	struct cmfa_login l;
	struct cmfa_verr verr;
	struct result r;
	const char *what = NULL;
	bool failed;
	enum cmfa_err e;

	memset(&r, 0, sizeof(r));
	r.user = user;
	r.service = service;
	r.factor = CMFA_FACTOR_NONE;
	cmfa_login_init(&l);
	if ((e = module_args(cli, service, &ma, &r, &failed)) != CMFA_OK)
		return e;
	if (failed) {
		(void)result_json(&r, resp);
		return cmfa_cli_service_error(cli,
		    "InvalidModuleConfigurationException",
		    "The module would deny every login of this service "
		    "(PAM_SYSTEM_ERR): %s",
		    r.reason);
	}
	r.store = ma.cfg.store;
	memset(&verr, 0, sizeof(verr));
	/* the sync user's records, as the module trusts them */
	if (ma.cfg.sync_user[0] != '\0')
		(void)cmfa_store_resolve_user(ma.cfg.sync_user, &l.sync_owner);
	e = cmfa_login_load(&l, ma.cfg.store, cli->owner, user, &what, &verr);
	if (e != CMFA_OK) {
		r.outcome = cmfa_outcome_name(CMFA_OUT_UNAVAILABLE);
		r.pam = e == CMFA_ERR_NOMEM ? "PAM_BUF_ERR"
		                            : "PAM_AUTHINFO_UNAVAIL";
		snprintf(r.reason, sizeof(r.reason), "%s: %s%s%.500s",
		    what != NULL ? what : "cache", cmfa_strerror(e),
		    verr.message[0] ? ": " : "", verr.message);
		cmfa_login_release(&l);
		(void)result_json(&r, resp);
		return cmfa_cli_service_error(cli, "CacheUnavailableException",
		    "The module would deny this login (%s): %s", r.pam,
		    r.reason);
	}
	memset(&facts, 0, sizeof(facts));
	facts.require_mfa = ma.require_mfa;
	facts.exempt = in_group(user, ma.cfg.exempt_group);
	facts.in_scope =
	    ma.cfg.only_group[0] == '\0' || in_group(user, ma.cfg.only_group);
	/* as the module: what this host can send */
	facts.sms_channel = ma.cfg.sms_channel != CMFA_SMS_NONE;
	facts.email_channel = ma.cfg.email_channel != CMFA_EMAIL_NONE;
	facts.now = cli->now;
	cmfa_login_policy_in(&l, &ma.cfg, &facts, &in);
	cmfa_policy_decide(&in, &out);
	r.outcome = cmfa_outcome_name(out.outcome);
	snprintf(r.reason, sizeof(r.reason), "%s",
	    cmfa_reason_name(out.reason));
	r.factor =
	    out.outcome == CMFA_OUT_CHALLENGE ? out.factor : CMFA_FACTOR_NONE;
	r.choices = out.outcome == CMFA_OUT_CHOOSE ? out.choices : 0;
	r.setup = out.outcome == CMFA_OUT_SETUP ? out.setup : 0;
	r.unservable = out.unservable;
	r.pam = pam_result(out.outcome);
	r.synced = l.synced;
	if (out.outcome == CMFA_OUT_CHALLENGE || out.outcome == CMFA_OUT_CHOOSE)
		lockout(&l, user, cli, &r);
	e = result_json(&r, resp);
	cmfa_login_release(&l);
	return e;
}

const struct cmfa_cli_op cmfa_cli_op_explain = {
	.name = "explain",
	.api = "Explain",
	.input = &cmfa_cs_explain_req,
	.output = &cmfa_cs_explain_resp,
	.summary = "What the PAM module would decide for a user (read-only).",
	.local_only = true,
	.help = "With --service S, the module arguments come from the first "
	        "auth line of\n/etc/pam.d/S (--pam-dir DIR elsewhere) "
	        "naming " MODULE_NAME
	        ", and the\nconfig file it names; without, from "
	        "the config file (and --store).  Nothing\nis prompted, "
	        "nothing is written.  PamResult is the module's PAM code, or\n"
	        "\"challenge\" when the user's answer decides.",
	.run = run,
};
