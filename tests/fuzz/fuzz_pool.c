/*
 * fuzz_pool.c: GetUserPoolMfaConfig responses and SetUserPoolMfaConfig
 * requests.  Invariants (a violation aborts):
 *  - a refusal fills verr with a type and a NUL-terminated UTF-8 message;
 *  - parse -> serialize -> parse succeeds with the same fields, and the
 *    second serialization is byte-identical to the first;
 *  - an accepted request obeys COGNITO.md 3.1 and its stored response
 *    parses back as a cached configuration with the same fields.
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
same(const struct cmfa_pool_config *a, const struct cmfa_pool_config *b)
{
	MUST(a->mfa == b->mfa && a->sms == b->sms && a->totp == b->totp &&
	    a->email == b->email && a->webauthn == b->webauthn);
	MUST(seq(a->sms_message, b->sms_message));
	MUST(seq(a->sns_caller_arn, b->sns_caller_arn));
	MUST(seq(a->sns_external_id, b->sns_external_id));
	MUST(seq(a->sns_region, b->sns_region));
	MUST(seq(a->email_message, b->email_message));
	MUST(seq(a->email_subject, b->email_subject));
	MUST(cmfa_pool_factors(a) == cmfa_pool_factors(b));
}

static void
refused(enum cmfa_err err, const struct cmfa_verr *verr,
    const struct cmfa_pool_config *c)
{
	static const struct cmfa_pool_config zero;

	MUST(err != CMFA_OK);
	MUST(memcmp(c, &zero, sizeof(zero)) == 0);
	MUST(memchr(verr->type, '\0', sizeof(verr->type)) != NULL);
	MUST(memchr(verr->message, '\0', sizeof(verr->message)) != NULL);
	MUST(verr->type[0] != '\0' && verr->message[0] != '\0');
	MUST(cmfa_utf8_valid(verr->message, strlen(verr->message)));
}

/* serialize a, parse it back, compare, serialize again: identical */
static void
roundtrip(const struct cmfa_pool_config *a)
{
	struct cmfa_pool_config b;
	struct cmfa_verr verr;
	char *s1, *s2;

	if ((s1 = cmfa_pool_serialize(a)) == NULL)
		return; /* out of memory only */
	MUST(cmfa_pool_parse(s1, strlen(s1), &b, &verr) == CMFA_OK);
	same(a, &b);
	MUST(b.user_pool_id == NULL);
	s2 = cmfa_pool_serialize(&b);
	MUST(s2 == NULL || strcmp(s1, s2) == 0);
	free(s1);
	free(s2);
	cmfa_pool_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmfa_pool_config c;
	struct cmfa_verr verr;
	enum cmfa_err err;

	err = cmfa_pool_parse((const char *)data, size, &c, &verr);
	if (err == CMFA_OK) {
		MUST(c.doc != NULL && c.user_pool_id == NULL);
		roundtrip(&c);
		cmfa_pool_free(&c);
	} else
		refused(err, &verr, &c);

	err = cmfa_pool_request_parse((const char *)data, size, &c, &verr);
	if (err == CMFA_OK) {
		MUST(c.user_pool_id != NULL);
		if (c.mfa == CMFA_MFA_OFF)
			MUST(!c.sms && !c.email && !c.totp);
		else
			MUST(cmfa_pool_factors(&c) != 0);
		roundtrip(&c);
		cmfa_pool_free(&c);
	} else
		refused(err, &verr, &c);
	return 0;
}
