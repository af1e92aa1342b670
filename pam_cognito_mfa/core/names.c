/* names.c: the names of factors and MFA levels, exactly as Cognito spells
 * them, and their strict (case-sensitive, whole-string) parsers. */
#include <string.h>

#include "cmfa_core.h"

static const char *const factor_names[CMFA_FACTOR__COUNT] = {
	[CMFA_FACTOR_SMS] = "SMS_MFA",
	[CMFA_FACTOR_TOTP] = "SOFTWARE_TOKEN_MFA",
	[CMFA_FACTOR_EMAIL] = "EMAIL_OTP",
};

static const char *const level_names[] = {
	[CMFA_MFA_OFF] = "OFF",
	[CMFA_MFA_OPTIONAL] = "OPTIONAL",
	[CMFA_MFA_ON] = "ON",
};

/* s[0..len) equals the NUL-terminated name, with no NUL inside s. */
static bool
name_eq(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(s, name, len) == 0;
}

const char *
cmfa_factor_name(enum cmfa_factor f)
{
	if ((unsigned)f >= CMFA_FACTOR__COUNT)
		return "?";
	return factor_names[f];
}

enum cmfa_err
cmfa_factor_parse(const char *s, size_t len, enum cmfa_factor *out)
{
	unsigned i;

	if (s == NULL || out == NULL)
		return CMFA_ERR_INVAL;
	for (i = 0; i < CMFA_FACTOR__COUNT; i++) {
		if (name_eq(s, len, factor_names[i])) {
			*out = (enum cmfa_factor)i;
			return CMFA_OK;
		}
	}
	return CMFA_ERR_PARSE;
}

const char *
cmfa_mfa_level_name(enum cmfa_mfa_level l)
{
	if ((unsigned)l >= CMFA_ARRAY_LEN(level_names))
		return "?";
	return level_names[l];
}

enum cmfa_err
cmfa_mfa_level_parse(const char *s, size_t len, enum cmfa_mfa_level *out)
{
	unsigned i;

	if (s == NULL || out == NULL)
		return CMFA_ERR_INVAL;
	for (i = 0; i < CMFA_ARRAY_LEN(level_names); i++) {
		if (name_eq(s, len, level_names[i])) {
			*out = (enum cmfa_mfa_level)i;
			return CMFA_OK;
		}
	}
	return CMFA_ERR_PARSE;
}
