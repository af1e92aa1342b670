/*
 * cmfa_pam.h: the PAM unit (pam_cognito_mfa.so).  Internal to the module:
 * nothing here is exported (the version script exports pam_sm_* only).
 *
 * The module is a short pipeline (pam/module.c):
 *
 *   ctx_init -> load_cache -> decide -> challenge -> finish
 *
 * Every step returns CMFA_RES_CONTINUE or a final result; finish() logs
 * one line, wipes every secret and maps the result to a PAM code through
 * the one table in pam/result.c.  Anything unmapped denies.
 *
 * Ownership: struct cmfa_pam_ctx owns everything it points to and
 * releases it in cmfa_pam_ctx_release(); strings from pam_get_item() are
 * libpam's and are only borrowed.
 */
#ifndef CMFA_PAM_H
#define CMFA_PAM_H

#include <security/pam_modules.h>

#include <stdbool.h>
#include <stdint.h>

#include "cmfa_config.h"
#include "cmfa_core.h"
#include "cmfa_otp.h"
#include "cmfa_store.h"

/* Final results: each is one row of DESIGN.md D6's table. */
enum cmfa_result {
	CMFA_RES_DENY = 0,    /* never mapped to anything but a denial */
	CMFA_RES_CONTINUE,    /* pipeline: go on to the next step */
	CMFA_RES_VERIFIED,    /* PAM_SUCCESS: a factor verified */
	CMFA_RES_GRACE,       /* PAM_SUCCESS: a grace record matched */
	CMFA_RES_NO_MFA,      /* PAM_IGNORE: policy says no MFA for this user */
	CMFA_RES_WRONG_CODE,  /* PAM_AUTH_ERR */
	CMFA_RES_LOCKED,      /* PAM_MAXTRIES: locked out (now or just now) */
	CMFA_RES_SETUP,       /* PAM_PERM_DENIED: enrolment required */
	CMFA_RES_USER_DENIED, /* PAM_PERM_DENIED: disabled / removed */
	CMFA_RES_UNKNOWN_USER, /* PAM_USER_UNKNOWN */
	CMFA_RES_UNAVAILABLE,  /* PAM_AUTHINFO_UNAVAIL: cache missing, corrupt,
				   untrusted, or stale with fail_mode closed */
	CMFA_RES_CONV,         /* PAM_CONV_ERR */
	CMFA_RES_NOMEM,        /* PAM_BUF_ERR */
	CMFA_RES_SYSTEM,       /* PAM_SYSTEM_ERR: bad options, anything else */
	CMFA_RES__MAX
};

/* The PAM code for a result (DESIGN.md D6).  Unmapped: PAM_SYSTEM_ERR. */
int cmfa_pam_code(enum cmfa_result r);
/* Stable short name for the log line. */
const char *cmfa_result_name(enum cmfa_result r);

#endif /* CMFA_PAM_H */
