/*
 * fuzz_user.c: cached AdminGetUser responses.  Invariants (a violation
 * aborts):
 *  - a refusal zeroes the record and fills verr;
 *  - parse -> serialize -> parse gives the same record, and serializing
 *    again gives the same bytes;
 *  - cmfa_user_new() accepts the parsed Username and UserAttributes and
 *    yields the same destinations.
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

static bool
seq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
same(const struct cmfa_user *a, const struct cmfa_user *b)
{
	MUST(seq(a->username, b->username));
	MUST(a->enabled == b->enabled && a->status == b->status);
	MUST(a->mfa_list == b->mfa_list && a->has_mfa_list == b->has_mfa_list);
	MUST(a->legacy_sms == b->legacy_sms && a->preferred == b->preferred);
	MUST(seq(a->phone_number, b->phone_number) && seq(a->email, b->email));
	MUST(a->phone_verified == b->phone_verified &&
	    a->email_verified == b->email_verified);
	MUST(cmfa_user_factors(a) == cmfa_user_factors(b));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cmfa_user zero;
	struct cmfa_user u, v, n;
	struct cmfa_verr verr;
	enum cmfa_err err;
	char *s1, *s2;

	err = cmfa_user_parse((const char *)data, size, &u, &verr);
	if (err != CMFA_OK) {
		MUST(memcmp(&u, &zero, sizeof(zero)) == 0);
		MUST(memchr(verr.message, '\0', sizeof(verr.message)) != NULL);
		MUST(verr.type[0] != '\0' && verr.message[0] != '\0');
		MUST(cmfa_utf8_valid(verr.message, strlen(verr.message)));
		return 0;
	}
	MUST(u.username != NULL && u.doc != NULL);
	MUST((u.mfa_list & ~CMFA_FACTORS_ALL) == 0);
	MUST(u.preferred >= CMFA_FACTOR_NONE && u.preferred < 3);
	MUST(u.phone_number == NULL || u.phone_number[0] != '\0');
	MUST(seq(u.email, cmfa_user_attr(&u, "email")) || u.email == NULL);

	if ((s1 = cmfa_user_serialize(&u)) != NULL) {
		MUST(cmfa_user_parse(s1, strlen(s1), &v, &verr) == CMFA_OK);
		same(&u, &v);
		s2 = cmfa_user_serialize(&v);
		MUST(s2 == NULL || strcmp(s1, s2) == 0);
		free(s2);
		cmfa_user_free(&v);
		free(s1);
	}

	err = cmfa_user_new(u.username,
	    cJSON_GetObjectItemCaseSensitive(u.doc, "UserAttributes"), &n,
	    &verr);
	MUST(err == CMFA_OK || err == CMFA_ERR_NOMEM);
	if (err == CMFA_OK) {
		MUST(seq(n.username, u.username));
		MUST(seq(n.phone_number, u.phone_number) &&
		    seq(n.email, u.email));
		MUST(n.enabled && n.status == CMFA_USER_STATUS_CONFIRMED);
		cmfa_user_free(&n);
	}
	cmfa_user_free(&u);
	return 0;
}
