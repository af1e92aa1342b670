/*
 * fuzz_mfapref.c: Set/AdminSetUserMFAPreference requests, applied to user
 * records.  Input: [user JSON] NUL [request JSON]; without a NUL the whole
 * input is the request and a few fixed users are used.  The request is
 * parsed as both kinds and applied against fixed pools, with and without
 * a verified authenticator.  Invariants (a violation aborts):
 *  - a refused apply leaves the record byte-identical;
 *  - an accepted apply yields a record whose serialization parses back to
 *    the same fields, whose preference is an enabled factor, and whose
 *    enabled factors are the old ones plus those turned on, minus those
 *    turned off;
 *  - with the pool ON no enabled factor is lost.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MUST(c)                                                                \
	do {                                                                   \
		if (!(c))                                                      \
			abort();                                               \
	} while (0)

static const char *const pools[] = {
	"{\"MfaConfiguration\":\"OPTIONAL\",\"SmsMfaConfiguration\":{},"
	"\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true},"
	"\"EmailMfaConfiguration\":{}}",
	"{\"MfaConfiguration\":\"ON\",\"SmsMfaConfiguration\":{},"
	"\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true},"
	"\"WebAuthnConfiguration\":{\"FactorConfiguration\":"
	"\"MULTI_FACTOR_WITH_USER_VERIFICATION\"}}",
	"{\"MfaConfiguration\":\"OFF\"}",
};

static const char *const users[] = {
	"{\"Username\":\"u\"}",
	"{\"Username\":\"u\",\"UserAttributes\":[{\"Name\":\"phone_number\","
	"\"Value\":\"+15555550100\"},{\"Name\":\"email\",\"Value\":"
	"\"u@example.com\"}],\"PreferredMfaSetting\":\"SOFTWARE_TOKEN_MFA\","
	"\"UserMFASettingList\":[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\","
	"\"WEB_AUTHN\"]}",
	"{\"Username\":\"u\",\"UserAttributes\":[{\"Name\":\"phone_number\","
	"\"Value\":\"+15555550100\"}],\"MFAOptions\":[{\"DeliveryMedium\":"
	"\"SMS\",\"AttributeName\":\"phone_number\"}]}",
};

static void
apply_one(const struct cmfa_mfa_pref *r, const struct cmfa_pool_config *p,
    const char *user, size_t ulen, bool tv)
{
	struct cmfa_user u, v;
	struct cmfa_verr verr;
	char *before, *after;
	unsigned old, want, f;
	enum cmfa_err err;

	if (cmfa_user_parse(user, ulen, &u, NULL) != CMFA_OK)
		return;
	old = cmfa_user_factors(&u);
	before = cmfa_user_serialize(&u);
	err = cmfa_mfa_pref_apply(r, p, tv, &u, &verr);
	after = cmfa_user_serialize(&u);
	if (before == NULL || after == NULL)
		goto out; /* out of memory only */
	if (err != CMFA_OK) {
		MUST(strcmp(before, after) == 0);
		MUST(verr.type[0] != '\0' && verr.message[0] != '\0');
		goto out;
	}
	want = old;
	for (f = 0; f < CMFA_FACTOR__COUNT; f++) {
		const struct cmfa_mfa_setting *s = &r->setting[f];

		if (!s->present || !s->has_enabled)
			continue;
		if (s->enabled)
			want |= CMFA_FBIT(f);
		else
			want &= ~CMFA_FBIT(f);
	}
	MUST(cmfa_user_factors(&u) == want);
	if (p->mfa == CMFA_MFA_ON)
		MUST((want & old) == old);
	MUST((want & ~cmfa_pool_factors(p) & ~old) == 0);
	MUST(u.preferred == CMFA_FACTOR_NONE ||
	    (want & CMFA_FBIT(u.preferred)) != 0);
	MUST(cmfa_user_parse(after, strlen(after), &v, NULL) == CMFA_OK);
	MUST(v.mfa_list == u.mfa_list && v.has_mfa_list == u.has_mfa_list &&
	    v.legacy_sms == u.legacy_sms && v.preferred == u.preferred);
	cmfa_user_free(&v);
out:
	free(before);
	free(after);
	cmfa_user_free(&u);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *user = NULL, *nul;
	struct cmfa_pool_config pool[sizeof(pools) / sizeof(pools[0])];
	struct cmfa_mfa_pref r;
	struct cmfa_verr verr;
	size_t ulen = 0, i, k;
	int kind;

	if ((nul = memchr(p, '\0', size)) != NULL) {
		user = p;
		ulen = (size_t)(nul - p);
		size -= ulen + 1;
		p = nul + 1;
	}
	for (i = 0; i < CMFA_ARRAY_LEN(pools); i++)
		if (cmfa_pool_parse(pools[i], strlen(pools[i]), &pool[i],
		        NULL) != CMFA_OK)
			abort();
	for (kind = 0; kind < 2; kind++) {
		if (cmfa_mfa_pref_parse(p, size,
		        kind ? CMFA_PREF_ADMIN : CMFA_PREF_SELF, &r,
		        &verr) != CMFA_OK) {
			MUST(verr.type[0] != '\0');
			continue;
		}
		for (i = 0; i < CMFA_ARRAY_LEN(pools); i++) {
			if (user != NULL) {
				apply_one(&r, &pool[i], user, ulen, false);
				apply_one(&r, &pool[i], user, ulen, true);
				continue;
			}
			for (k = 0; k < CMFA_ARRAY_LEN(users); k++)
				apply_one(&r, &pool[i], users[k],
				    strlen(users[k]), (k + i) % 2 == 0);
		}
		cmfa_mfa_pref_free(&r);
	}
	for (i = 0; i < CMFA_ARRAY_LEN(pools); i++)
		cmfa_pool_free(&pool[i]);
	return 0;
}
