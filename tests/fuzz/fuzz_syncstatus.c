/*
 * fuzz_syncstatus.c: the sync-status.json parser (cli/status.c).
 * Invariants: no crash; a parsed record is consistent (NUL-terminated,
 * printable strings, times and durations not negative).
 */
#include <stdlib.h>
#include <string.h>

#include "../../pam_cognito_mfa/cli/cli_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmfa_sync_status st;

	memset(&st, 0x5a, sizeof(st));
	if (cmfa_cli_sync_status_parse((const char *)data, size, &st) !=
	    CMFA_OK)
		return 0;
	if (memchr(st.pool_id, '\0', sizeof(st.pool_id)) == NULL ||
	    memchr(st.reason, '\0', sizeof(st.reason)) == NULL ||
	    !cmfa_utf8_printable(st.pool_id, strlen(st.pool_id), false) ||
	    st.time < 0 || st.last_success < 0 || !(st.seconds >= 0))
		abort();
	return 0;
}
