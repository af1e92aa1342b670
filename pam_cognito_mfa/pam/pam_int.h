/*
 * pam_int.h: what the files of pam/ share (module.c: the pipeline;
 * delivered.c: SMS and email codes).  Nothing here is exported: the
 * version script exports pam_sm_* only.
 */
#ifndef CMFA_PAM_INT_H
#define CMFA_PAM_INT_H

#include <security/pam_modules.h>

#include "cmfa_pam.h"

struct cmfa_pam_ctx {
	pam_handle_t *pamh;
	int flags;
	struct cmfa_log log;
	struct cmfa_modargs opts;
	uid_t owner; /* the store's and config's trusted owner */
	int64_t now;

	const char *user; /* libpam's */
	const char *service;
	const char *rhost;
	const char *tty;

	struct cmfa_login cache;

	struct cmfa_policy_in in;
	struct cmfa_policy_out out;

	int factor;           /* factor challenged, or FACTOR_NONE */
	bool delivery_failed; /* the last delivered-code challenge could not
				send its code (another factor may be offered) */
	const char *why;      /* the log line's reason: one token, static */
	char detail[400];     /* free text for the log line (no secrets) */
};

/* The conversation: a message (PAM_TEXT_INFO is dropped under
 * PAM_SILENT), and a question whose answer the caller frees with
 * cmfa_pam_answer_free() (it wipes it). */
void cmfa_pam_tell(struct cmfa_pam_ctx *c, int style, const char *text);
enum cmfa_result cmfa_pam_ask(struct cmfa_pam_ctx *c, int style,
    const char *text, char **answer);
void cmfa_pam_answer_free(char **answer);

/* A state file failure as a result; the lockout message and result. */
enum cmfa_result cmfa_pam_state_error(struct cmfa_pam_ctx *c, enum cmfa_err e);
enum cmfa_result cmfa_pam_locked_out(struct cmfa_pam_ctx *c, int64_t remaining);

/* Grace: the key binding a verified factor to this terminal session
 * (false: no grace here), and the service name it is recorded under. */
bool cmfa_pam_grace_key(struct cmfa_pam_ctx *c,
    uint8_t key[CMFA_GRACE_KEY_LEN]);
const char *cmfa_pam_grace_service(struct cmfa_pam_ctx *c);

/*
 * Check one answer in its own transaction on the user's state file (the
 * lock is never held while the user types): refused at once while
 * locked out; verify() says CMFA_OK (the step to record as the last one
 * used in *step: pass last_step on for codes without steps),
 * CMFA_ERR_MISMATCH or CMFA_ERR_REPLAY (a wrong code: counted towards
 * the lockout), or another error (PAM_SYSTEM_ERR).  A success clears the
 * failures and records grace.  VERIFIED, WRONG_CODE, LOCKED, or the
 * state file's failure; an attempt that cannot be recorded never
 * succeeds.
 */
typedef enum cmfa_err (*cmfa_pam_verify_fn)(struct cmfa_pam_ctx *c, void *arg,
    const char *answer, int64_t now, uint64_t last_step, uint64_t *step);
enum cmfa_result cmfa_pam_check_answer(struct cmfa_pam_ctx *c,
    cmfa_pam_verify_fn verify, void *arg, const char *answer);

/*
 * A delivered code (delivered.c): send one through the helper, tell the
 * user where it went, prompt up to `tries` times, verify in constant
 * time under the per-user lock and lockout.  VERIFIED, WRONG_CODE,
 * LOCKED, CONV; UNAVAILABLE with c->delivery_failed when the code could
 * not be sent.
 */
enum cmfa_result cmfa_pam_delivered_challenge(struct cmfa_pam_ctx *c,
    int factor);

#endif /* CMFA_PAM_INT_H */
