/*
 * result.c: the one table from results to PAM codes (DESIGN.md D6).
 * Anything not in the table, including CMFA_RES_DENY and
 * CMFA_RES_CONTINUE, is PAM_SYSTEM_ERR: a denial.
 */
#include <security/pam_modules.h>

#include "cmfa_pam.h"

static const struct {
	int code;
	const char *name;
} results[CMFA_RES__MAX] = {
	[CMFA_RES_DENY] = { PAM_SYSTEM_ERR, "deny" },
	[CMFA_RES_CONTINUE] = { PAM_SYSTEM_ERR, "incomplete" },
	[CMFA_RES_VERIFIED] = { PAM_SUCCESS, "verified" },
	[CMFA_RES_GRACE] = { PAM_SUCCESS, "grace" },
	[CMFA_RES_NO_MFA] = { PAM_IGNORE, "no-mfa" },
	[CMFA_RES_WRONG_CODE] = { PAM_AUTH_ERR, "wrong-code" },
	[CMFA_RES_LOCKED] = { PAM_MAXTRIES, "locked" },
	[CMFA_RES_SETUP] = { PAM_PERM_DENIED, "setup-required" },
	[CMFA_RES_USER_DENIED] = { PAM_PERM_DENIED, "user-denied" },
	[CMFA_RES_UNKNOWN_USER] = { PAM_USER_UNKNOWN, "unknown-user" },
	[CMFA_RES_UNAVAILABLE] = { PAM_AUTHINFO_UNAVAIL, "unavailable" },
	[CMFA_RES_CONV] = { PAM_CONV_ERR, "conversation-error" },
	[CMFA_RES_NOMEM] = { PAM_BUF_ERR, "no-memory" },
	[CMFA_RES_SYSTEM] = { PAM_SYSTEM_ERR, "system-error" },
};

int
cmfa_pam_code(enum cmfa_result r)
{
	if ((unsigned)r >= CMFA_RES__MAX || results[r].name == NULL)
		return PAM_SYSTEM_ERR;
	return results[r].code;
}

const char *
cmfa_result_name(enum cmfa_result r)
{
	if ((unsigned)r >= CMFA_RES__MAX || results[r].name == NULL)
		return "?";
	return results[r].name;
}
