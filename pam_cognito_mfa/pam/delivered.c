/*
 * delivered.c: SMS and email codes (DESIGN.md D1, D4).
 *
 * The module never touches the network: it generates the code, runs the
 * helper (`cognito-mfa deliver`, by its absolute path) with an empty
 * environment and the code on stdin, tells the user where the code went,
 * and verifies the answer in constant time.  The code lives in this
 * file's struct for one authentication only and is wiped on every path
 * out.  Wrong codes count towards the same per-user lockout as TOTP
 * codes (D7); an expired code does not (it is not a guess).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <security/pam_ext.h>

#include "cmfa_deliver.h"
#include "pam_int.h"

/* room for a masked phone number or address (the input is capped) */
#define MASK_MAX 320

struct sent {
	char code[CMFA_OTP_DIGITS + 1];
	int64_t at;           /* when the helper reported it sent */
	char where[MASK_MAX]; /* masked destination, "" when unknown */
};

static const char *
channel_name(int factor)
{
	return factor == CMFA_FACTOR_SMS ? "sms" : "email";
}

static const char *
code_prompt(int factor)
{
	return factor == CMFA_FACTOR_SMS ? "SMS code: " : "Email code: ";
}

/* Cognito's masking of the record's destination ("" when it will not
 * mask: the helper refuses such a destination anyway). */
static void
mask_destination(struct cmfa_pam_ctx *c, int factor, char *out, size_t outsz)
{
	const char *d = factor == CMFA_FACTOR_SMS ? c->cache.rec.phone_number
	                                          : c->cache.rec.email;
	enum cmfa_err e;

	out[0] = '\0';
	if (d == NULL)
		return;
	e = factor == CMFA_FACTOR_SMS
	    ? cmfa_mask_phone(d, strnlen(d, MASK_MAX), out, outsz)
	    : cmfa_mask_email(d, strnlen(d, MASK_MAX), out, outsz);
	if (e != CMFA_OK)
		out[0] = '\0';
}

/* The helper's exit status as the log's reason and the user's line. */
static enum cmfa_result
helper_failed(struct cmfa_pam_ctx *c, const struct cmfa_spawn_result *res)
{
	const char *msg = "The code could not be sent. Try again later or "
	                  "contact your administrator.";
	enum cmfa_result r = CMFA_RES_UNAVAILABLE;

	if (res->timed_out)
		c->why = "delivery-timeout";
	else if (!res->exited)
		c->why = "delivery-helper-crashed";
	else {
		switch (res->status) {
		case CMFA_DELIVER_NO_DEST:
			c->why = "no-destination";
			break;
		case CMFA_DELIVER_NO_CHANNEL:
			c->why = "channel-not-configured";
			break;
		case CMFA_DELIVER_LIMITED:
			c->why = "delivery-limited";
			msg = "Too many codes were sent recently. Try again "
			      "later.";
			r = CMFA_RES_LOCKED;
			break;
		case CMFA_DELIVER_GATEWAY:
			c->why = "delivery-failed";
			break;
		case CMFA_DELIVER_CACHE:
			c->why = "delivery-cache";
			break;
		default:
			c->why = "delivery-helper-failed";
			break;
		}
	}
	if (res->timed_out)
		snprintf(c->detail, sizeof(c->detail),
		    "no answer from the helper within %u s",
		    (unsigned)c->opts.cfg.delivery_timeout);
	else if (res->exited)
		snprintf(c->detail, sizeof(c->detail), "exit status %d: %.300s",
		    res->status, res->err);
	else
		snprintf(c->detail, sizeof(c->detail), "signal %d: %.300s",
		    res->signal, res->err);
	cmfa_pam_tell(c, PAM_ERROR_MSG, msg);
	c->delivery_failed = r == CMFA_RES_UNAVAILABLE;
	return r;
}

/* Generate a fresh code into s and have the helper send it. */
static enum cmfa_result
send_code(struct cmfa_pam_ctx *c, int factor, struct sent *s)
{
	char input[CMFA_OTP_DIGITS + 2], info[MASK_MAX + 64], user[160];
	/* "--user=NAME" in one word: a name can never be read as an option
	 * (the store's names cannot start with '-' anyway) */
	const char *argv[] = { c->opts.helper, "--store", c->opts.cfg.store,
		"--config", c->opts.config_path, "deliver", user, "--channel",
		channel_name(factor), NULL };
	struct cmfa_spawn sp;
	struct cmfa_spawn_result res;
	enum cmfa_err e;

	if ((size_t)snprintf(user, sizeof(user), "--user=%s", c->user) >=
	    sizeof(user)) {
		c->why = "user-name-too-long";
		return CMFA_RES_SYSTEM;
	}
	cmfa_memzero(s->code, sizeof(s->code));
	if ((e = cmfa_code_generate(s->code)) != CMFA_OK) {
		c->why = "rng-failed";
		snprintf(c->detail, sizeof(c->detail), "%s", cmfa_strerror(e));
		return CMFA_RES_SYSTEM;
	}
	memcpy(input, s->code, CMFA_OTP_DIGITS);
	input[CMFA_OTP_DIGITS] = '\n';
	input[CMFA_OTP_DIGITS + 1] = '\0';
	memset(&sp, 0, sizeof(sp));
	memset(&res, 0, sizeof(res));
	sp.path = c->opts.helper;
	sp.argv = argv;
	sp.envp = NULL; /* empty: nothing of sshd's or the user's */
	sp.owner = c->owner;
	sp.input = input;
	sp.input_len = CMFA_OTP_DIGITS + 1;
	sp.timeout_ms = c->opts.cfg.delivery_timeout * 1000u;
	e = cmfa_spawn_run(&sp, &res);
	cmfa_memzero(input, sizeof(input));
	if (e != CMFA_OK) {
		cmfa_memzero(s->code, sizeof(s->code));
		c->why = e == CMFA_ERR_UNTRUSTED ? "helper-untrusted"
		                                 : "helper-not-run";
		snprintf(c->detail, sizeof(c->detail), "%s: %.300s",
		    cmfa_strerror(e), res.err);
		cmfa_pam_tell(c, PAM_ERROR_MSG,
		    "The code could not be sent. Contact your administrator.");
		c->delivery_failed = true;
		return CMFA_RES_UNAVAILABLE;
	}
	if (!res.exited || res.status != CMFA_DELIVER_SENT) {
		cmfa_memzero(s->code, sizeof(s->code));
		return helper_failed(c, &res);
	}
	s->at = (int64_t)time(NULL);
	mask_destination(c, factor, s->where, sizeof(s->where));
	if (s->where[0] != '\0')
		snprintf(info, sizeof(info), "A code was sent to %s.",
		    s->where);
	else
		snprintf(info, sizeof(info), "A code was sent.");
	cmfa_pam_tell(c, PAM_TEXT_INFO, info);
	return CMFA_RES_CONTINUE;
}

static bool
expired(const struct cmfa_pam_ctx *c, const struct sent *s, int64_t now)
{
	return now < s->at ||
	    now - s->at >= (int64_t)c->opts.cfg.code_validity * 60;
}

static enum cmfa_err
sent_verify(struct cmfa_pam_ctx *c, void *arg, const char *answer, int64_t now,
    uint64_t last_step, uint64_t *step)
{
	struct sent *s = arg;
	enum cmfa_err e;

	(void)c;
	(void)now;
	e = cmfa_code_check(s->code, answer, strlen(answer));
	if (e == CMFA_OK) /* one use: gone whatever happens next */
		cmfa_memzero(s->code, sizeof(s->code));
	*step = last_step; /* a delivered code has no time step */
	return e;
}

/*
 * One answer: WRONG_CODE with why "expired-code" (not counted: it is no
 * guess) when the code is too old, else cmfa_pam_check_answer().
 */
static enum cmfa_result
code_check(struct cmfa_pam_ctx *c, struct sent *s, const char *answer)
{
	if (expired(c, s, (int64_t)time(NULL))) {
		cmfa_memzero(s->code, sizeof(s->code));
		c->why = "expired-code";
		return CMFA_RES_WRONG_CODE;
	}
	return cmfa_pam_check_answer(c, sent_verify, s, answer);
}

/* The prompts, after the code was sent: tries answers, resends. */
static enum cmfa_result
prompt_loop(struct cmfa_pam_ctx *c, int factor, struct sent *s)
{
	enum cmfa_result r = CMFA_RES_WRONG_CODE;
	char *answer = NULL;
	unsigned try = 0, resends = 0;

	while (try < c->opts.tries) {
		r = cmfa_pam_ask(c, PAM_PROMPT_ECHO_OFF, code_prompt(factor),
		    &answer);
		if (r != CMFA_RES_CONTINUE)
			return r;
		if (answer[0] == '\0' && c->opts.resend &&
		    resends < CMFA_MODARGS_RESENDS_MAX) {
			cmfa_pam_answer_free(&answer);
			resends++;
			if ((r = send_code(c, factor, s)) != CMFA_RES_CONTINUE)
				return r;
			continue;
		}
		r = code_check(c, s, answer);
		cmfa_pam_answer_free(&answer);
		try++;
		if (r != CMFA_RES_WRONG_CODE)
			return r;
		if (c->why != NULL && strcmp(c->why, "expired-code") == 0) {
			cmfa_pam_tell(c, PAM_ERROR_MSG,
			    "The code has expired. Log in again for a new "
			    "code.");
			return r;
		}
		cmfa_pam_tell(c, PAM_ERROR_MSG, "Invalid code.");
	}
	return r;
}

enum cmfa_result
cmfa_pam_delivered_challenge(struct cmfa_pam_ctx *c, int factor)
{
	struct cmfa_state st;
	struct sent s;
	enum cmfa_result r;
	enum cmfa_err e;
	int64_t remaining = 0;

	c->factor = factor;
	c->delivery_failed = false;
	/* locked out: refuse before sending anything (no message spent) */
	if ((e = cmfa_state_peek(&c->cache.store, c->user, &st)) != CMFA_OK)
		return cmfa_pam_state_error(c, e);
	if (cmfa_state_locked(&st, c->now, &remaining))
		return cmfa_pam_locked_out(c, remaining);
	memset(&s, 0, sizeof(s));
	if ((r = send_code(c, factor, &s)) == CMFA_RES_CONTINUE)
		r = prompt_loop(c, factor, &s);
	cmfa_memzero(&s, sizeof(s));
	return r;
}
