/*
 * state.c: the per-user state file (replay marker, lockout, grace) and
 * the pure logic on it.  No I/O and no clock here: txn.c reads and
 * writes the file under the user's lock, and callers pass the time.
 */
#include <inttypes.h>
#include <string.h>

#include "cmfa_store.h"

#define STATE_HEADER "cmfa-state"
#define STATE_VERSION 1
#define STATE_MAX_FIELDS 4

enum {
	SEEN_LAST_STEP = 1u << 0,
	SEEN_FAILURES = 1u << 1,
	SEEN_LAST_FAILURE = 1u << 2,
	SEEN_LOCKED_UNTIL = 1u << 3,
	SEEN_ALL = (1u << 4) - 1
};

struct field {
	const char *p;
	size_t len;
};

static bool
service_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' ||
	    c == '-';
}

static bool
service_valid(const char *p, size_t len)
{
	size_t i;

	if (len == 0 || len > CMFA_GRACE_SERVICE_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!service_char(p[i]))
			return false;
	return true;
}

static bool
service_cstr_valid(const char *s)
{
	size_t len;

	if (s == NULL)
		return false;
	len = strnlen(s, CMFA_GRACE_SERVICE_MAX + 1);
	return service_valid(s, len);
}

/* Split line[0..len) on single spaces; at most max fields. */
static enum cmfa_err
split_fields(const char *line, size_t len, struct field *f, size_t max,
    size_t *n)
{
	size_t i = 0, start, k = 0;

	while (i <= len) {
		start = i;
		while (i < len && line[i] != ' ')
			i++;
		if (i == start || k == max)
			return CMFA_ERR_PARSE; /* empty field, too many */
		f[k].p = line + start;
		f[k].len = i - start;
		k++;
		i++; /* past the space, or past the end */
	}
	*n = k;
	return CMFA_OK;
}

static bool
field_is(const struct field *f, const char *s)
{
	size_t n = strlen(s);

	return f->len == n && memcmp(f->p, s, n) == 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static enum cmfa_err
parse_key(const struct field *f, uint8_t key[CMFA_GRACE_KEY_LEN])
{
	size_t i;
	int hi, lo;

	if (f->len != 2 * CMFA_GRACE_KEY_LEN)
		return CMFA_ERR_PARSE;
	for (i = 0; i < CMFA_GRACE_KEY_LEN; i++) {
		if ((hi = hexval(f->p[2 * i])) < 0 ||
		    (lo = hexval(f->p[2 * i + 1])) < 0)
			return CMFA_ERR_PARSE;
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	return CMFA_OK;
}

static bool
grace_same(const struct cmfa_grace *g, const char *service, const uint8_t *key)
{
	return strcmp(g->service, service) == 0 &&
	    cmfa_ct_eq(g->key, key, CMFA_GRACE_KEY_LEN);
}

/* Parse errors of numbers are PARSE whatever the reason (range too). */
static enum cmfa_err
num_u64(const struct field *f, uint64_t max, uint64_t *out)
{
	return cmfa_parse_u64(f->p, f->len, max, out) == CMFA_OK
	    ? CMFA_OK
	    : CMFA_ERR_PARSE;
}

static enum cmfa_err
num_time(const struct field *f, int64_t *out)
{
	uint64_t v;

	if (num_u64(f, (uint64_t)INT64_MAX, &v) != CMFA_OK)
		return CMFA_ERR_PARSE;
	*out = (int64_t)v;
	return CMFA_OK;
}

static enum cmfa_err
parse_header(const char *line, size_t len)
{
	struct field f[STATE_MAX_FIELDS];
	uint64_t v;
	size_t n;

	if (split_fields(line, len, f, STATE_MAX_FIELDS, &n) != CMFA_OK ||
	    n != 2 || !field_is(&f[0], STATE_HEADER) ||
	    cmfa_parse_u64(f[1].p, f[1].len, UINT32_MAX, &v) != CMFA_OK)
		return CMFA_ERR_PARSE;
	return v == STATE_VERSION ? CMFA_OK : CMFA_ERR_VERSION;
}

static enum cmfa_err
parse_grace(struct cmfa_state *st, const struct field *f)
{
	struct cmfa_grace *g;
	size_t i;

	if (st->ngrace == CMFA_GRACE_MAX || !service_valid(f[1].p, f[1].len))
		return CMFA_ERR_PARSE;
	g = &st->grace[st->ngrace];
	memcpy(g->service, f[1].p, f[1].len);
	g->service[f[1].len] = '\0';
	if (parse_key(&f[2], g->key) != CMFA_OK ||
	    num_time(&f[3], &g->expires) != CMFA_OK)
		return CMFA_ERR_PARSE;
	for (i = 0; i < st->ngrace; i++)
		if (grace_same(&st->grace[i], g->service, g->key))
			return CMFA_ERR_PARSE;
	st->ngrace++;
	return CMFA_OK;
}

static enum cmfa_err
parse_line(struct cmfa_state *st, const char *line, size_t len, unsigned *seen)
{
	struct field f[STATE_MAX_FIELDS];
	unsigned bit;
	uint64_t v;
	size_t n;

	if (split_fields(line, len, f, STATE_MAX_FIELDS, &n) != CMFA_OK)
		return CMFA_ERR_PARSE;
	if (field_is(&f[0], "grace"))
		return n == 4 ? parse_grace(st, f) : CMFA_ERR_PARSE;
	if (n != 2)
		return CMFA_ERR_PARSE;
	if (field_is(&f[0], "last_step")) {
		bit = SEEN_LAST_STEP;
		if (num_u64(&f[1], UINT64_MAX, &st->last_step) != CMFA_OK)
			return CMFA_ERR_PARSE;
	} else if (field_is(&f[0], "failures")) {
		bit = SEEN_FAILURES;
		if (num_u64(&f[1], UINT32_MAX, &v) != CMFA_OK)
			return CMFA_ERR_PARSE;
		st->failures = (uint32_t)v;
	} else if (field_is(&f[0], "last_failure")) {
		bit = SEEN_LAST_FAILURE;
		if (num_time(&f[1], &st->last_failure) != CMFA_OK)
			return CMFA_ERR_PARSE;
	} else if (field_is(&f[0], "locked_until")) {
		bit = SEEN_LOCKED_UNTIL;
		if (num_time(&f[1], &st->locked_until) != CMFA_OK)
			return CMFA_ERR_PARSE;
	} else
		return CMFA_ERR_PARSE;
	if ((*seen & bit) != 0)
		return CMFA_ERR_PARSE;
	*seen |= bit;
	return CMFA_OK;
}

enum cmfa_err
cmfa_state_parse(const char *p, size_t len, struct cmfa_state *out)
{
	struct cmfa_state st;
	const char *nl;
	enum cmfa_err err = CMFA_OK;
	unsigned seen = 0;
	size_t pos = 0, ll;
	bool header = true;

	if (p == NULL || out == NULL)
		return CMFA_ERR_INVAL;
	if (len > CMFA_STATE_MAX)
		return CMFA_ERR_TOOBIG;
	memset(&st, 0, sizeof(st));
	while (pos < len) {
		if ((nl = memchr(p + pos, '\n', len - pos)) == NULL) {
			err = CMFA_ERR_PARSE; /* no final newline */
			goto out;
		}
		ll = (size_t)(nl - (p + pos));
		if (header)
			err = parse_header(p + pos, ll);
		else
			err = parse_line(&st, p + pos, ll, &seen);
		if (err != CMFA_OK)
			goto out;
		header = false;
		pos += ll + 1;
	}
	if (header || seen != SEEN_ALL) {
		err = CMFA_ERR_PARSE;
		goto out;
	}
	*out = st;
out:
	cmfa_memzero(&st, sizeof(st));
	return err;
}

enum cmfa_err
cmfa_state_serialize(const struct cmfa_state *st, struct cmfa_buf *out)
{
	static const char hex[] = "0123456789abcdef";
	char keyhex[2 * CMFA_GRACE_KEY_LEN + 1];
	const struct cmfa_grace *g;
	struct cmfa_buf b;
	enum cmfa_err err;
	size_t i, j;

	if (st == NULL || out == NULL || st->ngrace > CMFA_GRACE_MAX ||
	    st->last_failure < 0 || st->locked_until < 0)
		return CMFA_ERR_INVAL;
	for (i = 0; i < st->ngrace; i++) {
		g = &st->grace[i];
		if (!service_cstr_valid(g->service) || g->expires < 0)
			return CMFA_ERR_INVAL;
		for (j = 0; j < i; j++)
			if (grace_same(&st->grace[j], g->service, g->key))
				return CMFA_ERR_INVAL;
	}
	cmfa_buf_init(&b, CMFA_STATE_MAX);
	if ((err = cmfa_buf_appendf(&b,
	         "%s %d\nlast_step %" PRIu64 "\n"
	         "failures %" PRIu32 "\nlast_failure %" PRId64 "\n"
	         "locked_until %" PRId64 "\n",
	         STATE_HEADER, STATE_VERSION, st->last_step, st->failures,
	         st->last_failure, st->locked_until)) != CMFA_OK)
		goto out;
	for (i = 0; i < st->ngrace; i++) {
		g = &st->grace[i];
		for (j = 0; j < CMFA_GRACE_KEY_LEN; j++) {
			keyhex[2 * j] = hex[g->key[j] >> 4];
			keyhex[2 * j + 1] = hex[g->key[j] & 15];
		}
		keyhex[sizeof(keyhex) - 1] = '\0';
		if ((err = cmfa_buf_appendf(&b, "grace %s %s %" PRId64 "\n",
		         g->service, keyhex, g->expires)) != CMFA_OK)
			goto out;
	}
	*out = b;
	cmfa_buf_init(&b, CMFA_STATE_MAX);
out:
	cmfa_memzero(keyhex, sizeof(keyhex));
	cmfa_buf_free(&b);
	return err;
}

/* ---------------------------------------------------------------------- */
/* Lockout                                                                */

int64_t
cmfa_lockout_seconds(uint32_t failures)
{
	uint32_t e;
	int64_t d;

	if (failures < CMFA_LOCKOUT_AFTER)
		return 0;
	e = failures - CMFA_LOCKOUT_AFTER;
	if (e >= 30)
		return CMFA_LOCKOUT_MAX;
	d = (int64_t)1 << e;
	return d > CMFA_LOCKOUT_MAX ? CMFA_LOCKOUT_MAX : d;
}

/*
 * A lock we wrote never ends more than CMFA_LOCKOUT_MAX after the failure
 * that set it.  One further away (the clock went back, or the file was
 * edited) is not honoured: the failure count still is, so the next wrong
 * code locks again, and no user is ever locked for more than the cap.
 */
bool
cmfa_state_locked(const struct cmfa_state *st, int64_t now, int64_t *remaining)
{
	uint64_t left = 0;
	bool locked = false;

	if (now < st->locked_until) {
		left = (uint64_t)st->locked_until - (uint64_t)now;
		locked = left <= CMFA_LOCKOUT_MAX;
	}
	if (remaining != NULL)
		*remaining = locked ? (int64_t)left : 0;
	return locked;
}

void
cmfa_state_fail(struct cmfa_state *st, int64_t now)
{
	int64_t d, quiet_since;

	if (cmfa_state_locked(st, now, NULL))
		return;
	/*
	 * The 15 quiet minutes count from the later of the last failure and
	 * the end of its lockout: measured from the failure alone, the
	 * longest lockout (also 15 minutes) would hand an attacker who
	 * retries at each unlock a fresh count after the 15th failure.
	 */
	quiet_since = st->last_failure;
	if (st->locked_until > quiet_since)
		quiet_since = st->locked_until;
	if (st->last_failure != 0 && now >= quiet_since &&
	    now - quiet_since >= CMFA_LOCKOUT_RESET) {
		st->failures = 0; /* the count restarts */
		st->locked_until = 0;
	}
	if (st->failures < UINT32_MAX)
		st->failures++;
	st->last_failure = now;
	if ((d = cmfa_lockout_seconds(st->failures)) > 0)
		st->locked_until = now > INT64_MAX - d ? INT64_MAX : now + d;
}

/* Drop entries that expired by now, keeping the others' order. */
static void
grace_prune(struct cmfa_state *st, int64_t now)
{
	size_t i, k = 0, n;

	n = st->ngrace < CMFA_GRACE_MAX ? st->ngrace : CMFA_GRACE_MAX;
	for (i = 0; i < n; i++) {
		if (st->grace[i].expires <= now)
			continue;
		if (k != i)
			st->grace[k] = st->grace[i];
		k++;
	}
	for (i = k; i < n; i++)
		cmfa_memzero(&st->grace[i], sizeof(st->grace[i]));
	st->ngrace = k;
}

void
cmfa_state_success(struct cmfa_state *st, int64_t now, uint64_t step)
{
	st->failures = 0;
	st->last_failure = 0;
	st->locked_until = 0;
	if (step > st->last_step)
		st->last_step = step;
	grace_prune(st, now);
}

/* ---------------------------------------------------------------------- */
/* Grace                                                                  */

enum cmfa_err
cmfa_state_grace_add(struct cmfa_state *st, const char *service,
    const uint8_t key[CMFA_GRACE_KEY_LEN], int64_t expires, int64_t now)
{
	struct cmfa_grace *g;
	size_t i, slot;

	if (st == NULL || key == NULL || !service_cstr_valid(service) ||
	    expires <= now || expires < 0)
		return CMFA_ERR_INVAL;
	grace_prune(st, now);
	for (i = 0; i < st->ngrace; i++) {
		if (grace_same(&st->grace[i], service, key)) {
			st->grace[i].expires = expires;
			return CMFA_OK;
		}
	}
	if (st->ngrace < CMFA_GRACE_MAX)
		slot = st->ngrace++;
	else {
		slot = 0;
		for (i = 1; i < CMFA_GRACE_MAX; i++)
			if (st->grace[i].expires < st->grace[slot].expires)
				slot = i;
	}
	g = &st->grace[slot];
	memset(g, 0, sizeof(*g));
	memcpy(g->service, service, strlen(service) + 1);
	memcpy(g->key, key, CMFA_GRACE_KEY_LEN);
	g->expires = expires;
	return CMFA_OK;
}

bool
cmfa_state_grace_hit(const struct cmfa_state *st, const char *service,
    const uint8_t key[CMFA_GRACE_KEY_LEN], int64_t now)
{
	size_t i, n;
	int hit = 0;

	if (st == NULL || key == NULL || !service_cstr_valid(service))
		return false;
	n = st->ngrace < CMFA_GRACE_MAX ? st->ngrace : CMFA_GRACE_MAX;
	for (i = 0; i < n; i++) {
		const struct cmfa_grace *g = &st->grace[i];
		int same_key = cmfa_ct_eq(g->key, key, CMFA_GRACE_KEY_LEN);

		hit |= same_key & (strcmp(g->service, service) == 0) &
		    (now < g->expires);
	}
	return hit != 0;
}
