/*
 * fuzz_recovery.c: cached DescribeUserPool responses (user-pool.json).
 * Invariants: the result is one of the four values and set only on
 * success; a refusal explains itself in verr.
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum cmfa_recovery rec = (enum cmfa_recovery)77;
	struct cmfa_verr verr;
	enum cmfa_err err;

	err = cmfa_user_pool_recovery_parse((const char *)data, size, &rec,
	    &verr);
	if (err == CMFA_OK) {
		MUST(rec == CMFA_RECOVERY_UNKNOWN ||
		    rec == CMFA_RECOVERY_ADMIN_ONLY ||
		    rec == CMFA_RECOVERY_EMAIL || rec == CMFA_RECOVERY_PHONE);
	} else {
		MUST((int)rec == 77);
		MUST(memchr(verr.message, '\0', sizeof(verr.message)) != NULL);
		MUST(verr.type[0] != '\0' && verr.message[0] != '\0');
		MUST(cmfa_utf8_valid(verr.message, strlen(verr.message)));
	}
	return 0;
}
