/*
 * fuzz_ini.c: the shared config / credentials file reader (aws/ini.c) and
 * shlex.split() (aws/shlex.c) on arbitrary text.
 *
 * Invariants checked (abort() on violation):
 *  - cmfa_ini_get() fails exactly when cmfa_ini_check() does (with the
 *    same code), or with NOTFOUND / TOOBIG; on success the value is a
 *    NUL-terminated string inside out, on failure out is untouched;
 *  - a value found with a large buffer is found again, the same, with a
 *    buffer just large enough, and is TOOBIG with one byte less;
 *  - the profile lookup agrees with cmfa_ini_has() (a value implies the
 *    profile exists);
 *  - shlex.split() of the first line either fails or yields words that
 *    lie inside the buffer, in order, and are no longer than the input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../pam_cognito_mfa/aws/creds_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SENTINEL "\x5a\x5a\x5a"

static const char *const queries[][2] = {
	{ "default", "region" },
	{ "default", "aws_access_key_id" },
	{ "a", "k" },
	{ "profile a", "k" },
	{ "DEFAULT", "k" },
	{ "foo bar", "credential_process" },
};

static void
check_get(const char *t, size_t n, const char *sect, const char *key,
    enum cmfa_err checked)
{
	char out[512], small[512];
	enum cmfa_err e;
	size_t len;

	memcpy(out, SENTINEL, sizeof(SENTINEL));
	e = cmfa_ini_get(t, n, sect, key, out, sizeof(out));
	if (checked != CMFA_OK && e != checked)
		abort();
	if (e != CMFA_OK) {
		if (memcmp(out, SENTINEL, sizeof(SENTINEL)) != 0 ||
		    (checked == CMFA_OK && e != CMFA_ERR_NOTFOUND &&
		        e != CMFA_ERR_TOOBIG))
			abort();
		return;
	}
	if ((len = strnlen(out, sizeof(out))) == sizeof(out))
		abort();
	if (cmfa_ini_get(t, n, sect, key, small, len + 1) != CMFA_OK ||
	    strcmp(small, out) != 0)
		abort();
	if (cmfa_ini_get(t, n, sect, key, small, len) !=
	    (len == 0 ? CMFA_ERR_INVAL : CMFA_ERR_TOOBIG))
		abort();
}

static void
check_profile(const char *t, size_t n, const char *name, const char *key)
{
	char out[512];
	enum cmfa_err e;

	e = cmfa_ini_lookup(t, n, CMFA_INI_PROFILE, name, key, out,
	    sizeof(out));
	if (e == CMFA_OK &&
	    (!cmfa_ini_has(t, n, CMFA_INI_PROFILE, name) ||
	        strnlen(out, sizeof(out)) == sizeof(out)))
		abort();
	if (e != CMFA_OK && e != CMFA_ERR_NOTFOUND && e != CMFA_ERR_TOOBIG)
		abort();
}

static void
check_shlex(const char *t, size_t n)
{
	char buf[2 * 256 + 1], *argv[16];
	const char *nl = memchr(t, '\n', n);
	size_t len = nl != NULL ? (size_t)(nl - t) : n, argc = 0, i, total = 0;

	if (len > 256)
		len = 256;
	if (cmfa_shlex_split(t, len, buf, sizeof(buf), argv, 16, &argc) !=
	    CMFA_OK)
		return;
	for (i = 0; i < argc; i++) {
		if (argv[i] < buf || argv[i] >= buf + sizeof(buf) ||
		    (i > 0 && argv[i] <= argv[i - 1]))
			abort();
		total += strlen(argv[i]);
	}
	if (total > len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data;
	enum cmfa_err checked;
	size_t i;

	checked = cmfa_ini_check(t, size);
	if (checked != CMFA_OK && checked != CMFA_ERR_PARSE &&
	    checked != CMFA_ERR_NOMEM)
		abort();
	for (i = 0; i < CMFA_ARRAY_LEN(queries); i++)
		check_get(t, size, queries[i][0], queries[i][1], checked);
	if (checked == CMFA_OK) {
		check_profile(t, size, "default", "region");
		check_profile(t, size, "a", "k");
		check_profile(t, size, "foo bar", "credential_process");
	}
	/* shlex reads C strings: only inputs without a NUL */
	if (memchr(t, '\0', size) == NULL)
		check_shlex(t, size);
	return 0;
}
