/*
 * fuzz_config.c: the configuration file parser (config/config.c), and
 * cmfa_config_set() as the PAM module calls it for its key=value options
 * (the input split at its first '=').
 *
 * Invariants checked (abort() on violation): success leaves err empty
 * and every field within its documented range; failure leaves the output
 * untouched and err a non-empty, NUL-terminated message free of control
 * characters.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_err(const char *err, size_t errsz, bool failed)
{
	size_t n = strnlen(err, errsz), i;

	if (n == errsz || (failed && n == 0) || (!failed && n != 0))
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
			abort();
}

static void
check_config(const struct cmfa_config *c)
{
	size_t n = strnlen(c->store, sizeof(c->store));

	if (n == 0 || n == sizeof(c->store) || c->store[0] != '/' ||
	    (unsigned)c->mfa_floor > CMFA_MFA_ON ||
	    c->max_age > CMFA_CONFIG_MAX_AGE_MAX ||
	    (unsigned)c->fail_mode > CMFA_FAIL_OPEN ||
	    (unsigned)c->unknown_user > CMFA_UNKNOWN_IGNORE ||
	    c->window > CMFA_CONFIG_WINDOW_MAX ||
	    c->grace > CMFA_CONFIG_GRACE_MAX ||
	    strnlen(c->exempt_group, sizeof(c->exempt_group)) ==
	        sizeof(c->exempt_group) ||
	    strnlen(c->only_group, sizeof(c->only_group)) ==
	        sizeof(c->only_group))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *eq;
	struct cmfa_config c, before;
	char err[160];
	enum cmfa_err rc;

	memset(&c, 0x5a, sizeof(c));
	memcpy(&before, &c, sizeof(c));
	rc = cmfa_config_parse(p, size, &c, err, sizeof(err));
	check_err(err, sizeof(err), rc != CMFA_OK);
	if (rc == CMFA_OK)
		check_config(&c);
	else if (memcmp(&c, &before, sizeof(c)) != 0)
		abort();

	/* one module argument */
	if (size > 0 && (eq = memchr(p, '=', size)) != NULL) {
		cmfa_config_defaults(&c);
		memcpy(&before, &c, sizeof(c));
		rc = cmfa_config_set(&c, p, (size_t)(eq - p), eq + 1,
		    size - (size_t)(eq - p) - 1, err, sizeof(err));
		check_err(err, sizeof(err), rc != CMFA_OK);
		check_config(&c);
		if (rc != CMFA_OK && memcmp(&c, &before, sizeof(c)) != 0)
			abort();
	}
	return 0;
}
