/*
 * fuzz_state.c: the per-user state file parser (store/state.c), and the
 * pure logic on whatever it accepts.
 *
 * Invariants checked (abort() on violation):
 *  - a parsed state serializes, and that text parses back to the same
 *    values and serializes to the same bytes (canonical form);
 *  - lockout, success and grace operations on it keep it serializable;
 *  - a grace entry that was just added is hit; checking the lock never
 *    changes the state.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
same_state(const struct cmfa_state *a, const struct cmfa_state *b)
{
	size_t i;

	if (a->last_step != b->last_step || a->failures != b->failures ||
	    a->last_failure != b->last_failure ||
	    a->locked_until != b->locked_until || a->ngrace != b->ngrace)
		return false;
	for (i = 0; i < a->ngrace; i++)
		if (strcmp(a->grace[i].service, b->grace[i].service) != 0 ||
		    memcmp(a->grace[i].key, b->grace[i].key,
		        CMFA_GRACE_KEY_LEN) != 0 ||
		    a->grace[i].expires != b->grace[i].expires)
			return false;
	return true;
}

static int64_t
add_sat(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	return a + b;
}

static void
must_serialize(const struct cmfa_state *st)
{
	struct cmfa_state back;
	struct cmfa_buf b, b2;

	if (cmfa_state_serialize(st, &b) != CMFA_OK)
		abort();
	if (cmfa_state_parse((const char *)b.p, b.len, &back) != CMFA_OK ||
	    !same_state(st, &back))
		abort();
	if (cmfa_state_serialize(&back, &b2) != CMFA_OK || b2.len != b.len ||
	    memcmp(b.p, b2.p, b.len) != 0)
		abort();
	cmfa_buf_free(&b);
	cmfa_buf_free(&b2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmfa_state st, copy;
	uint8_t key[CMFA_GRACE_KEY_LEN];
	int64_t now, rem;

	if (cmfa_state_parse((const char *)data, size, &st) != CMFA_OK)
		return 0;
	must_serialize(&st);

	now = add_sat(st.last_failure, (int64_t)(size % 2000));
	memcpy(&copy, &st, sizeof(st));
	(void)cmfa_state_locked(&st, now, &rem);
	if (!same_state(&st, &copy) || rem < 0)
		abort();
	if (st.ngrace > 0 &&
	    !cmfa_state_grace_hit(&st, st.grace[0].service, st.grace[0].key,
	        st.grace[0].expires - 1))
		abort();

	cmfa_state_fail(&st, now);
	if (cmfa_state_locked(&st, now, &rem) &&
	    (rem <= 0 || rem > CMFA_LOCKOUT_MAX))
		abort();
	must_serialize(&st);

	memset(key, (int)(size & 0xff), sizeof(key));
	if (now < INT64_MAX) {
		if (cmfa_state_grace_add(&st, "fuzz", key, add_sat(now, 60),
		        now) != CMFA_OK)
			abort();
		if (!cmfa_state_grace_hit(&st, "fuzz", key, now))
			abort();
		if (st.ngrace > CMFA_GRACE_MAX)
			abort();
		must_serialize(&st);
	}
	cmfa_state_success(&st, now, st.last_step + (size & 1));
	if (st.failures != 0 || st.locked_until != 0)
		abort();
	must_serialize(&st);
	return 0;
}
