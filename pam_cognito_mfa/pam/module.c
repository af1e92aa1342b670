/*
 * module.c: pam_sm_authenticate as a pipeline of named steps.
 *
 *   ctx_init    options, user, service, remote host, terminal, groups
 *   load_cache  store, pool config, user record, recovery, TOTP secret,
 *               staleness (any doubt about the cache denies)
 *   decide      the core policy (pure)
 *   challenge   grace check, choose menu, TOTP prompt with lockout and
 *               replay protection
 *   finish      one log line, wipe, map to a PAM code (result.c)
 *
 * No mutable globals, no openlog, no library-global init; logs go through
 * pam_syslog.  Codes and secrets are never logged, not even with debug.
 */
#include <sys/types.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <security/pam_modutil.h>

#include <openssl/evp.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "pam_int.h"

#define PAM_VISIBLE __attribute__((visibility("default")))

/* ---------------------------------------------------------------------- */
/* logging and conversation                                              */

static void
log_to_pam(void *vctx, int prio, const char *line)
{
	pam_handle_t *pamh = vctx;

	pam_syslog(pamh, prio, "%s", line);
}

void
cmfa_pam_tell(struct cmfa_pam_ctx *c, int style, const char *text)
{
	if ((c->flags & (int)PAM_SILENT) && style == PAM_TEXT_INFO)
		return;
	(void)pam_prompt(c->pamh, style, NULL, "%s", text);
}

/*
 * Ask with echo off.  *answer is malloc'd by libpam's conversation; the
 * caller wipes and frees it.  NULL answer or conversation failure:
 * CMFA_RES_CONV.
 */
enum cmfa_result
cmfa_pam_ask(struct cmfa_pam_ctx *c, int style, const char *text, char **answer)
{
	char *resp = NULL;
	int rc;

	rc = pam_prompt(c->pamh, style, &resp, "%s", text);
	if (rc != PAM_SUCCESS || resp == NULL) {
		if (resp != NULL) {
			cmfa_memzero(resp, strlen(resp));
			free(resp);
		}
		c->why = "conversation-failed";
		snprintf(c->detail, sizeof(c->detail), "%s",
		    pam_strerror(c->pamh, rc));
		return CMFA_RES_CONV;
	}
	*answer = resp;
	return CMFA_RES_CONTINUE;
}

void
cmfa_pam_answer_free(char **answer)
{
	if (*answer != NULL) {
		cmfa_memzero(*answer, strlen(*answer));
		free(*answer);
		*answer = NULL;
	}
}

/* ---------------------------------------------------------------------- */
/* step 1: context                                                        */

static const char *
item_str(pam_handle_t *pamh, int type)
{
	const void *v = NULL;

	if (pam_get_item(pamh, type, &v) != PAM_SUCCESS || v == NULL)
		return NULL;
	return v;
}

static enum cmfa_result
ctx_init(struct cmfa_pam_ctx *c, pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	char err[512];
	int rc;

	c->pamh = pamh;
	c->flags = flags;
	c->log.fn = log_to_pam;
	c->log.ctx = pamh;
	cmfa_login_init(&c->cache);
	c->factor = CMFA_FACTOR_NONE;
	c->owner = geteuid();
	c->now = (int64_t)time(NULL);

	err[0] = '\0';
	if (cmfa_modargs_parse(argc, argv, c->owner, &c->opts, err,
	        sizeof(err)) != CMFA_OK) {
		c->why = "bad-configuration";
		snprintf(c->detail, sizeof(c->detail), "%.390s", err);
		return CMFA_RES_SYSTEM;
	}
	c->log.debug = c->opts.debug;

	rc = pam_get_user(pamh, &c->user, NULL);
	if (rc != PAM_SUCCESS || c->user == NULL || c->user[0] == '\0') {
		c->user = NULL;
		c->why = "no-user-name";
		snprintf(c->detail, sizeof(c->detail), "%s",
		    pam_strerror(pamh, rc));
		return rc == PAM_CONV_ERR ? CMFA_RES_CONV : CMFA_RES_SYSTEM;
	}
	c->service = item_str(pamh, PAM_SERVICE);
	c->rhost = item_str(pamh, PAM_RHOST);
	c->tty = item_str(pamh, PAM_TTY);
	return CMFA_RES_CONTINUE;
}

/* ---------------------------------------------------------------------- */
/* step 2: the cache                                                      */

static enum cmfa_result
load_cache(struct cmfa_pam_ctx *c)
{
	struct cmfa_verr verr;
	const char *what = NULL;
	enum cmfa_err e;

	memset(&verr, 0, sizeof(verr));
	/* sync_user's records are trusted too (not found: nobody's are) */
	if (c->opts.cfg.sync_user[0] != '\0')
		(void)cmfa_store_resolve_user(c->opts.cfg.sync_user,
		    &c->cache.sync_owner);
	e = cmfa_login_load(&c->cache, c->opts.cfg.store, c->owner, c->user,
	    &what, &verr);
	if (e == CMFA_OK)
		return CMFA_RES_CONTINUE;
	switch (e) {
	case CMFA_ERR_NOTFOUND:
		c->why = "cache-missing";
		break;
	case CMFA_ERR_UNTRUSTED:
		c->why = "cache-untrusted";
		break;
	case CMFA_ERR_PARSE:
	case CMFA_ERR_VALIDATION:
	case CMFA_ERR_VERSION:
	case CMFA_ERR_TOOBIG:
		c->why = "cache-corrupt";
		break;
	default:
		c->why = "cache-error";
		break;
	}
	snprintf(c->detail, sizeof(c->detail), "%s: %s%s%.300s",
	    what != NULL ? what : "cache", cmfa_strerror(e),
	    verr.message[0] ? ": " : "", verr.message);
	if (e == CMFA_ERR_NOMEM)
		return CMFA_RES_NOMEM;
	cmfa_pam_tell(c, PAM_ERROR_MSG,
	    "Multi-factor authentication is temporarily unavailable.");
	return CMFA_RES_UNAVAILABLE;
}

/* ---------------------------------------------------------------------- */
/* step 3: decide                                                         */

static bool
in_group(struct cmfa_pam_ctx *c, const char *group)
{
	return group[0] != '\0' &&
	    pam_modutil_user_in_group_nam_nam(c->pamh, c->user, group) == 1;
}

static enum cmfa_result
decide(struct cmfa_pam_ctx *c)
{
	const struct cmfa_config *cfg = &c->opts.cfg;
	struct cmfa_login_facts facts;

	memset(&facts, 0, sizeof(facts));
	facts.require_mfa = c->opts.require_mfa;
	facts.exempt = in_group(c, cfg->exempt_group);
	facts.in_scope =
	    cfg->only_group[0] == '\0' || in_group(c, cfg->only_group);
	/* a factor this host cannot send is not offered (D4) */
	facts.sms_channel = cfg->sms_channel != CMFA_SMS_NONE;
	facts.email_channel = cfg->email_channel != CMFA_EMAIL_NONE;
	facts.now = c->now;
	cmfa_login_policy_in(&c->cache, cfg, &facts, &c->in);
	cmfa_policy_decide(&c->in, &c->out);
	c->why = cmfa_reason_name(c->out.reason);
	return CMFA_RES_CONTINUE;
}

/* ---------------------------------------------------------------------- */
/* step 4: challenge                                                      */

/*
 * The grace key binds a verified factor to this terminal session, as sudo
 * binds its timestamp: the terminal device, the session id and the start
 * time of the session leader (so a recycled pid cannot inherit it).  No
 * real terminal (sshd's "ssh", cron, no PAM_TTY): no grace at all.
 */
bool
cmfa_pam_grace_key(struct cmfa_pam_ctx *c, uint8_t key[CMFA_GRACE_KEY_LEN])
{
	char path[64], stat[1024], material[512];
	const char *p;
	unsigned long long start = 0;
	unsigned int len = 0;
	pid_t sid;
	ssize_t n;
	int fd, field;

	if (c->opts.cfg.grace == 0 || c->tty == NULL ||
	    strncmp(c->tty, "/dev/", 5) != 0 || strstr(c->tty, "..") != NULL)
		return false;
	if ((sid = getsid(0)) <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)sid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return false;
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return false;
	stat[n] = '\0';
	/* field 22 (starttime) counts from after the ")" closing comm */
	if ((p = strrchr(stat, ')')) == NULL)
		return false;
	for (field = 2; *p != '\0' && field < 22; p++)
		if (*p == ' ')
			field++;
	while (*p >= '0' && *p <= '9')
		start = start * 10 + (unsigned)(*p++ - '0');
	if (field != 22 || start == 0)
		return false;
	snprintf(material, sizeof(material), "cmfa-grace-1\n%s\n%s\n%ld\n%llu",
	    c->user, c->tty, (long)sid, start);
	if (EVP_Digest(material, strlen(material), key, &len, EVP_sha256(),
	        NULL) != 1 ||
	    len != CMFA_GRACE_KEY_LEN)
		return false;
	return true;
}

const char *
cmfa_pam_grace_service(struct cmfa_pam_ctx *c)
{
	return c->service != NULL ? c->service : "unknown";
}

static bool
grace_hit(struct cmfa_pam_ctx *c)
{
	struct cmfa_state st;
	uint8_t key[CMFA_GRACE_KEY_LEN];

	/* read-only: an unlocked peek at the state is enough */
	return cmfa_pam_grace_key(c, key) &&
	    cmfa_state_peek(&c->cache.store, c->user, &st) == CMFA_OK &&
	    cmfa_state_grace_hit(&st, cmfa_pam_grace_service(c), key, c->now);
}

enum cmfa_result
cmfa_pam_state_error(struct cmfa_pam_ctx *c, enum cmfa_err e)
{
	c->why = "state-file";
	snprintf(c->detail, sizeof(c->detail), "%s", cmfa_strerror(e));
	return e == CMFA_ERR_NOMEM ? CMFA_RES_NOMEM : CMFA_RES_UNAVAILABLE;
}

enum cmfa_result
cmfa_pam_locked_out(struct cmfa_pam_ctx *c, int64_t remaining)
{
	char msg[160];

	snprintf(msg, sizeof(msg),
	    "Too many failed attempts. Try again in %lld second%s.",
	    (long long)remaining, remaining == 1 ? "" : "s");
	cmfa_pam_tell(c, PAM_ERROR_MSG, msg);
	c->why = "locked-out";
	snprintf(c->detail, sizeof(c->detail), "%lld seconds left",
	    (long long)remaining);
	return CMFA_RES_LOCKED;
}

enum cmfa_result
cmfa_pam_check_answer(struct cmfa_pam_ctx *c, cmfa_pam_verify_fn verify,
    void *arg, const char *answer)
{
	struct cmfa_state_txn txn;
	struct cmfa_state st;
	enum cmfa_result r;
	enum cmfa_err e;
	uint64_t step = 0;
	int64_t remaining = 0, now = (int64_t)time(NULL);
	uint8_t gkey[CMFA_GRACE_KEY_LEN];

	if ((e = cmfa_state_begin(&c->cache.store, c->user, &txn, &st)) !=
	    CMFA_OK)
		return cmfa_pam_state_error(c, e);
	if (cmfa_state_locked(&st, now, &remaining)) {
		cmfa_state_end(&txn);
		return cmfa_pam_locked_out(c, remaining);
	}
	e = verify(c, arg, answer, now, st.last_step, &step);
	if (e == CMFA_OK) {
		cmfa_state_success(&st, now, step);
		if (cmfa_pam_grace_key(c, gkey))
			(void)cmfa_state_grace_add(&st,
			    cmfa_pam_grace_service(c), gkey,
			    now + (int64_t)c->opts.cfg.grace, now);
		r = CMFA_RES_VERIFIED;
	} else if (e == CMFA_ERR_MISMATCH || e == CMFA_ERR_REPLAY) {
		cmfa_state_fail(&st, now);
		c->why = e == CMFA_ERR_REPLAY ? "replayed-code" : "wrong-code";
		r = cmfa_state_locked(&st, now, &remaining)
		    ? CMFA_RES_LOCKED
		    : CMFA_RES_WRONG_CODE;
	} else {
		cmfa_state_end(&txn);
		c->why = "verify-error";
		snprintf(c->detail, sizeof(c->detail), "%s", cmfa_strerror(e));
		return CMFA_RES_SYSTEM;
	}
	e = cmfa_state_commit(&txn, &st);
	cmfa_state_end(&txn);
	if (e != CMFA_OK) /* an unrecorded attempt must not succeed */
		return cmfa_pam_state_error(c, e);
	if (r == CMFA_RES_LOCKED)
		return cmfa_pam_locked_out(c, remaining);
	return r;
}

static enum cmfa_err
totp_verify(struct cmfa_pam_ctx *c, void *arg, const char *answer, int64_t now,
    uint64_t last_step, uint64_t *step)
{
	(void)arg;
	return cmfa_totp_verify(c->cache.key, c->cache.keylen, answer,
	    strlen(answer), now, c->opts.cfg.window, last_step, step);
}

static enum cmfa_result
totp_challenge(struct cmfa_pam_ctx *c)
{
	struct cmfa_state st;
	enum cmfa_result r = CMFA_RES_WRONG_CODE;
	enum cmfa_err e;
	int64_t remaining = 0;
	char *answer = NULL;
	unsigned try;

	c->factor = CMFA_FACTOR_TOTP;
	/* refuse early, without a prompt, while locked out; an unlocked
	 * peek is enough here: totp_check decides again under the lock */
	if ((e = cmfa_state_peek(&c->cache.store, c->user, &st)) != CMFA_OK)
		return cmfa_pam_state_error(c, e);
	if (cmfa_state_locked(&st, c->now, &remaining))
		return cmfa_pam_locked_out(c, remaining);

	for (try = 0; try < c->opts.tries; try++) {
		if (try > 0)
			cmfa_pam_tell(c, PAM_ERROR_MSG, "Invalid code.");
		r = cmfa_pam_ask(c, PAM_PROMPT_ECHO_OFF,
		    c->opts.prompt[0] ? c->opts.prompt : "Authenticator code: ",
		    &answer);
		if (r != CMFA_RES_CONTINUE)
			return r;
		r = cmfa_pam_check_answer(c, totp_verify, NULL, answer);
		cmfa_pam_answer_free(&answer);
		if (r != CMFA_RES_WRONG_CODE)
			break;
	}
	if (r == CMFA_RES_WRONG_CODE)
		cmfa_pam_tell(c, PAM_ERROR_MSG, "Invalid code.");
	return r;
}

static const char *
factor_label(int f)
{
	switch (f) {
	case CMFA_FACTOR_SMS:
		return "SMS";
	case CMFA_FACTOR_TOTP:
		return "Authenticator app";
	case CMFA_FACTOR_EMAIL:
		return "Email";
	default:
		return "?";
	}
}

/* The choose-a-factor menu: "1) SMS  2) Authenticator app  3) Email". */
static enum cmfa_result
choose(struct cmfa_pam_ctx *c, int *factor)
{
	char menu[160], *answer = NULL;
	int map[CMFA_FACTOR__COUNT], n = 0, f;
	size_t off = 0;
	enum cmfa_result r;
	uint64_t pick;

	for (f = 0; f < CMFA_FACTOR__COUNT; f++) {
		if (!(c->out.choices & CMFA_FBIT(f)))
			continue;
		map[n++] = f;
		off += (size_t)snprintf(menu + off, sizeof(menu) - off,
		    "%s%d) %s", n > 1 ? "  " : "", n, factor_label(f));
	}
	cmfa_pam_tell(c, PAM_TEXT_INFO, menu);
	r = cmfa_pam_ask(c, PAM_PROMPT_ECHO_ON, "Choose a factor: ", &answer);
	if (r != CMFA_RES_CONTINUE)
		return r;
	if (cmfa_parse_u64(answer, strlen(answer), (uint64_t)n, &pick) !=
	        CMFA_OK ||
	    pick == 0) {
		cmfa_pam_answer_free(&answer);
		cmfa_pam_tell(c, PAM_ERROR_MSG, "Invalid choice.");
		c->why = "invalid-factor-choice";
		return CMFA_RES_WRONG_CODE;
	}
	cmfa_pam_answer_free(&answer);
	*factor = map[pick - 1];
	return CMFA_RES_CONTINUE;
}

static enum cmfa_result
challenge_factor(struct cmfa_pam_ctx *c, int factor)
{
	if (factor == CMFA_FACTOR_TOTP && c->cache.keylen > 0)
		return totp_challenge(c);
	if (factor == CMFA_FACTOR_SMS || factor == CMFA_FACTOR_EMAIL)
		return cmfa_pam_delivered_challenge(c, factor);
	/* the policy only offers what this host can serve */
	c->factor = factor;
	c->why = "factor-not-servable";
	snprintf(c->detail, sizeof(c->detail), "%s",
	    cmfa_factor_name((enum cmfa_factor)factor));
	return CMFA_RES_SYSTEM;
}

/* The one factor left in a bit set, or CMFA_FACTOR_NONE. */
static int
only_factor(unsigned bits)
{
	int f, found = CMFA_FACTOR_NONE;

	for (f = 0; f < CMFA_FACTOR__COUNT; f++) {
		if (!(bits & CMFA_FBIT(f)))
			continue;
		if (found != CMFA_FACTOR_NONE)
			return CMFA_FACTOR_NONE;
		found = f;
	}
	return found;
}

static void
setup_message(struct cmfa_pam_ctx *c)
{
	const char *msg;

	if (c->out.reason == CMFA_WHY_RECOVERY_CONFLICT)
		msg = "Your only MFA destination is also your account recovery "
		      "channel. Ask your administrator to set up MFA for you.";
	else if (c->out.reason == CMFA_WHY_ENABLED_NOT_SERVABLE)
		msg = "Your MFA method cannot be used on this host. Ask your "
		      "administrator for another MFA method.";
	else if (c->out.setup & CMFA_FBIT(CMFA_FACTOR_TOTP))
		msg = "Multi-factor authentication is required, but you have "
		      "no MFA method set up. Ask your administrator to enrol "
		      "an authenticator app for you.";
	else
		msg = "Multi-factor authentication is required, but no MFA "
		      "method is available to you on this host. Contact your "
		      "administrator.";
	cmfa_pam_tell(c, PAM_ERROR_MSG, msg);
}

static enum cmfa_result
challenge(struct cmfa_pam_ctx *c)
{
	enum cmfa_result r;
	int factor;

	switch (c->out.outcome) {
	case CMFA_OUT_NO_MFA:
		return CMFA_RES_NO_MFA;
	case CMFA_OUT_SETUP:
		setup_message(c);
		return CMFA_RES_SETUP;
	case CMFA_OUT_USER_DENIED:
		return CMFA_RES_USER_DENIED;
	case CMFA_OUT_UNKNOWN_USER:
		return CMFA_RES_UNKNOWN_USER;
	case CMFA_OUT_UNAVAILABLE:
		cmfa_pam_tell(c, PAM_ERROR_MSG,
		    "Multi-factor authentication is "
		    "temporarily unavailable.");
		return CMFA_RES_UNAVAILABLE;
	case CMFA_OUT_CHALLENGE:
	case CMFA_OUT_CHOOSE:
		break;
	case CMFA_OUT_DENY:
	default:
		return CMFA_RES_DENY;
	}
	if (grace_hit(c)) {
		c->why = "grace";
		return CMFA_RES_GRACE;
	}
	factor = c->out.factor;
	for (;;) {
		if (c->out.outcome == CMFA_OUT_CHOOSE &&
		    (r = choose(c, &factor)) != CMFA_RES_CONTINUE)
			return r;
		r = challenge_factor(c, factor);
		/* a code that could not be sent: where the user had a
		 * choice, the other factors are still offered */
		if (!c->delivery_failed || c->out.outcome != CMFA_OUT_CHOOSE)
			return r;
		c->out.choices &= ~CMFA_FBIT(factor);
		if (c->out.choices == 0)
			return r;
		c->delivery_failed = false;
		if ((factor = only_factor(c->out.choices)) != CMFA_FACTOR_NONE)
			c->out.outcome = CMFA_OUT_CHALLENGE;
		cmfa_pam_tell(c, PAM_TEXT_INFO, "Choose another method.");
	}
}

/* ---------------------------------------------------------------------- */
/* step 5: finish                                                         */

/*
 * A value for the log line: as is when it is a plain token, otherwise in
 * double quotes with its own quotes turned into single ones.  PAM_USER and
 * PAM_RHOST come from the client: "x outcome=verified" must not read as a
 * second field.  (cmfa_log replaces control characters afterwards.)
 */
static const char *
log_value(const char *v, char *buf, size_t n)
{
	size_t i, o = 0;

	if (v == NULL)
		return "-";
	if (v[0] != '\0' &&
	    strspn(v,
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	        "abcdefghijklmnopqrstuvwxyz"
	        "0123456789._@+:/-") == strlen(v))
		return v;
	buf[o++] = '"';
	for (i = 0; v[i] != '\0' && o + 2 < n; i++)
		buf[o++] = v[i] == '"' ? '\'' : v[i];
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

static int
finish(struct cmfa_pam_ctx *c, enum cmfa_result r)
{
	char ubuf[80], sbuf[80], hbuf[80];
	char *q;
	int prio;

	switch (r) {
	case CMFA_RES_VERIFIED:
	case CMFA_RES_GRACE:
		prio = LOG_INFO;
		break;
	case CMFA_RES_NO_MFA:
		/* every bypass is logged: break-glass at notice, fail-open
		 * at warning, ordinary "no MFA needed" at info */
		prio = c->out.reason == CMFA_WHY_STALE_OPEN ? LOG_WARNING
		    : c->out.reason == CMFA_WHY_EXEMPT      ? LOG_NOTICE
		                                            : LOG_INFO;
		break;
	case CMFA_RES_SYSTEM:
	case CMFA_RES_UNAVAILABLE:
	case CMFA_RES_NOMEM:
	case CMFA_RES_DENY:
		prio = LOG_ERR;
		break;
	default:
		prio = LOG_NOTICE;
		break;
	}
	/* the detail is free text: keep the line splittable on spaces by
	 * quoting it, and keep quotes out of it */
	for (q = c->detail; *q != '\0'; q++)
		if (*q == '"')
			*q = '\'';
	cmfa_log(&c->log, prio,
	    "user=%s service=%s rhost=%s factor=%s outcome=%s reason=%s%s%s%s",
	    c->user ? log_value(c->user, ubuf, sizeof(ubuf)) : "?",
	    c->service ? log_value(c->service, sbuf, sizeof(sbuf)) : "?",
	    log_value(c->rhost, hbuf, sizeof(hbuf)),
	    c->factor == CMFA_FACTOR_NONE
	        ? "-"
	        : cmfa_factor_name((enum cmfa_factor)c->factor),
	    cmfa_result_name(r), c->why != NULL ? c->why : "-",
	    c->detail[0] ? " detail=\"" : "", c->detail,
	    c->detail[0] ? "\"" : "");

	cmfa_login_release(&c->cache);
	return cmfa_pam_code(r);
}

PAM_VISIBLE int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct cmfa_pam_ctx c;
	enum cmfa_result r;

	memset(&c, 0, sizeof(c));
	if ((r = ctx_init(&c, pamh, flags, argc, argv)) == CMFA_RES_CONTINUE &&
	    (r = load_cache(&c)) == CMFA_RES_CONTINUE &&
	    (r = decide(&c)) == CMFA_RES_CONTINUE)
		r = challenge(&c);
	return finish(&c, r);
}

PAM_VISIBLE int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
