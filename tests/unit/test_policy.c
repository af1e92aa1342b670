/*
 * test_policy.c: the MFA decision (cmfa_policy_decide), by tables and
 * exhaustively.
 *
 *  1. A table of named scenarios from COGNITO.md 3.3-3.5 and DESIGN.md 3b,
 *     inputs and expected results written in a small text syntax (see
 *     parse_in() and fmt_out()) so a row reads like the scenario.
 *  2. Sweeps over the input space, every decision checked against the
 *     invariants below (each its own RUN, so the PASS lines say what was
 *     proven) and against a second, independently written model of the
 *     header's algorithm:
 *       - core: the full cross product of every field steps 7-11 read
 *         (18.9 million inputs), for a present user with the options at
 *         "reach step 7";
 *       - early: the full cross product of every field steps 1-6 read
 *         (2304 combinations), each with 4081 profiles of the other
 *         fields;
 *       - full: the full cross product of all 23 fields (2.4e9), every
 *         1009th input (a prime stride, coprime to every radix, so every
 *         value of every field comes up many times).
 *     (The runtime budget is a few seconds; the full product would take
 *     minutes.  Which fields a step reads is the header's text, and the
 *     early and full sweeps vary the fields the core holds still.)
 *  3. out is fully written whatever it held before.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cmfa_test.h"
#include "cmfa_core.h"

#define B_S CMFA_FBIT(CMFA_FACTOR_SMS)
#define B_T CMFA_FBIT(CMFA_FACTOR_TOTP)
#define B_E CMFA_FBIT(CMFA_FACTOR_EMAIL)
#define ALL CMFA_FACTORS_ALL
#define NONE CMFA_FACTOR_NONE
#define N_OUTCOMES ((int)CMFA_OUT_UNAVAILABLE + 1)
#define N_REASONS ((int)CMFA_WHY_NEEDS_SETUP + 1)

/* ---------------------------------------------------------------------- */
/* Text form of inputs and results                                         */

static const char *const level_tok[] = { "OFF", "OPTIONAL", "ON" };
static const char *const rec_tok[] = { "unknown", "admin", "email", "phone" };
static const char *const user_tok[] = { "present", "norecord", "disabled",
	"removed" };

static void
default_in(struct cmfa_policy_in *in)
{
	memset(in, 0, sizeof(*in));
	in->pool_mfa = CMFA_MFA_OFF;
	in->recovery = CMFA_RECOVERY_UNKNOWN;
	in->user_state = CMFA_USER_PRESENT;
	in->preferred = NONE;
	in->floor = CMFA_MFA_OFF;
	in->in_scope = true;
}

/* "STE" order letters; "-" is the empty set. */
static bool
parse_set(const char *p, size_t n, unsigned *out)
{
	size_t i;

	*out = 0;
	if (n == 1 && p[0] == '-')
		return true;
	for (i = 0; i < n; i++) {
		if (p[i] == 'S')
			*out |= B_S;
		else if (p[i] == 'T')
			*out |= B_T;
		else if (p[i] == 'E')
			*out |= B_E;
		else
			return false;
	}
	return n > 0;
}

static int
pick(const char *const *toks, int n, const char *p, size_t len)
{
	int i;

	for (i = 0; i < n; i++)
		if (strlen(toks[i]) == len && memcmp(toks[i], p, len) == 0)
			return i;
	return -1;
}

static bool
tok_is(const char *p, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(p, word, n) == 0;
}

/* The flag tokens: each sets one boolean to val. */
#define IN_FIELD(f) offsetof(struct cmfa_policy_in, f)
static const struct {
	const char *tok;
	size_t off;
	bool val;
} flag_toks[] = {
	{ "legacy", IN_FIELD(legacy_sms), true },
	{ "secret", IN_FIELD(totp_secret), true },
	{ "smsch", IN_FIELD(sms_channel), true },
	{ "emailch", IN_FIELD(email_channel), true },
	{ "unverified_ok", IN_FIELD(allow_unverified), true },
	{ "require", IN_FIELD(require_mfa), true },
	{ "exempt", IN_FIELD(exempt), true },
	{ "noscope", IN_FIELD(in_scope), false },
	{ "ignore", IN_FIELD(unknown_user_ignore), true },
	{ "stale", IN_FIELD(stale), true },
	{ "open", IN_FIELD(fail_open), true },
};
#define N_FLAG_TOKS (sizeof(flag_toks) / sizeof(flag_toks[0]))

static bool *
flag_field(struct cmfa_policy_in *in, size_t i)
{
	return (bool *)(void *)((char *)in + flag_toks[i].off);
}

/*
 * One token: pool=OFF|OPTIONAL|ON  pf=<set>  rec=unknown|admin|email|phone
 * user=present|norecord|disabled|removed  list=<set> (the list is present)
 * legacy  pref=S|T|E  phone=v|u  email=v|u (verified / unverified)
 * secret  smsch  emailch  unverified_ok  floor=<level>  require  exempt
 * noscope  ignore (unknown_user=ignore)  stale  open (fail_mode=open)
 */
static bool
parse_tok(const char *p, size_t n, struct cmfa_policy_in *in)
{
	const char *eq = memchr(p, '=', n);
	const char *v = eq != NULL ? eq + 1 : NULL;
	size_t kn = eq != NULL ? (size_t)(eq - p) : n;
	size_t vn = eq != NULL ? n - kn - 1 : 0;
	unsigned set;
	int i;

	if (v == NULL) {
		for (i = 0; i < (int)N_FLAG_TOKS; i++)
			if (tok_is(p, n, flag_toks[i].tok)) {
				*flag_field(in, (size_t)i) = flag_toks[i].val;
				return true;
			}
		return false;
	}
	if (tok_is(p, kn, "pool") || tok_is(p, kn, "floor")) {
		if ((i = pick(level_tok, 3, v, vn)) < 0)
			return false;
		if (p[0] == 'p')
			in->pool_mfa = (enum cmfa_mfa_level)i;
		else
			in->floor = (enum cmfa_mfa_level)i;
	} else if (tok_is(p, kn, "rec")) {
		if ((i = pick(rec_tok, 4, v, vn)) < 0)
			return false;
		in->recovery = (enum cmfa_recovery)i;
	} else if (tok_is(p, kn, "user")) {
		if ((i = pick(user_tok, 4, v, vn)) < 0)
			return false;
		in->user_state = (enum cmfa_user_state)i;
	} else if (tok_is(p, kn, "pf")) {
		if (!parse_set(v, vn, &in->pool_factors))
			return false;
	} else if (tok_is(p, kn, "list")) {
		if (!parse_set(v, vn, &in->user_factors))
			return false;
		in->has_mfa_list = true;
	} else if (tok_is(p, kn, "pref")) {
		if (!parse_set(v, vn, &set) || set == 0 || vn != 1)
			return false;
		in->preferred = set == B_S ? CMFA_FACTOR_SMS
		    : set == B_T           ? CMFA_FACTOR_TOTP
		                           : CMFA_FACTOR_EMAIL;
	} else if (tok_is(p, kn, "phone") || tok_is(p, kn, "email")) {
		bool verified;

		if (tok_is(v, vn, "v"))
			verified = true;
		else if (tok_is(v, vn, "u"))
			verified = false;
		else
			return false;
		if (p[0] == 'p') {
			in->has_phone = true;
			in->phone_verified = verified;
		} else {
			in->has_email = true;
			in->email_verified = verified;
		}
	} else
		return false;
	return true;
}

static bool
parse_in(const char *spec, struct cmfa_policy_in *in)
{
	const char *p = spec;
	size_t n;

	default_in(in);
	for (;;) {
		p += strspn(p, " ");
		if (*p == '\0')
			return true;
		n = strcspn(p, " ");
		if (!parse_tok(p, n, in))
			return false;
		p += n;
	}
}

static void
fmt_set(char *b, size_t sz, unsigned set)
{
	size_t n = 0;

	if (sz < 5)
		return;
	if (set & B_S)
		b[n++] = 'S';
	if (set & B_T)
		b[n++] = 'T';
	if (set & B_E)
		b[n++] = 'E';
	if ((set & ~ALL) != 0)
		b[n++] = '?';
	if (n == 0)
		b[n++] = '-';
	b[n] = '\0';
}

static char
factor_letter(int f)
{
	if (f == CMFA_FACTOR_SMS)
		return 'S';
	if (f == CMFA_FACTOR_TOTP)
		return 'T';
	if (f == CMFA_FACTOR_EMAIL)
		return 'E';
	return '?';
}

/* Append to b (of size sz, NUL-terminated), truncating. */
static void cat(char *b, size_t sz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
cat(char *b, size_t sz, const char *fmt, ...)
{
	size_t len = strlen(b);
	va_list ap;

	if (len + 1 >= sz)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(b + len, sz - len, fmt, ap);
	va_end(ap);
}

/* The input in parse_in()'s syntax: a counterexample pastes into a row. */
static void
fmt_in(char *b, size_t sz, const struct cmfa_policy_in *in)
{
	struct cmfa_policy_in copy = *in;
	char s[8];
	size_t i;

	b[0] = '\0';
	cat(b, sz, "pool=%s",
	    (unsigned)in->pool_mfa < 3 ? level_tok[in->pool_mfa] : "?");
	fmt_set(s, sizeof(s), in->pool_factors);
	cat(b, sz, " pf=%s", s);
	if (in->recovery != CMFA_RECOVERY_UNKNOWN)
		cat(b, sz, " rec=%s",
		    (unsigned)in->recovery < 4 ? rec_tok[in->recovery] : "?");
	if (in->user_state != CMFA_USER_PRESENT)
		cat(b, sz, " user=%s",
		    (unsigned)in->user_state < 4 ? user_tok[in->user_state]
		                                 : "?");
	if (in->has_mfa_list) {
		fmt_set(s, sizeof(s), in->user_factors);
		cat(b, sz, " list=%s", s);
	} else if (in->user_factors != 0) {
		fmt_set(s, sizeof(s), in->user_factors);
		cat(b, sz, " (user_factors=%s without list)", s);
	}
	if (in->legacy_sms)
		cat(b, sz, " legacy");
	if (in->preferred != NONE)
		cat(b, sz, " pref=%c", factor_letter(in->preferred));
	if (in->has_phone)
		cat(b, sz, " phone=%c", in->phone_verified ? 'v' : 'u');
	else if (in->phone_verified)
		cat(b, sz, " (phone_verified without phone)");
	if (in->has_email)
		cat(b, sz, " email=%c", in->email_verified ? 'v' : 'u');
	else if (in->email_verified)
		cat(b, sz, " (email_verified without email)");
	if (in->floor != CMFA_MFA_OFF)
		cat(b, sz, " floor=%s",
		    (unsigned)in->floor < 3 ? level_tok[in->floor] : "?");
	for (i = 1; i < N_FLAG_TOKS; i++) /* legacy is above */
		if (*flag_field(&copy, i) == flag_toks[i].val)
			cat(b, sz, " %s", flag_toks[i].tok);
}

/* "<outcome> <reason>[ f=X][ c=SET][ setup=SET][ unservable=SET]" */
static void
fmt_out(char *b, size_t sz, const struct cmfa_policy_out *o)
{
	char s[8];

	b[0] = '\0';
	cat(b, sz, "%s %s", cmfa_outcome_name(o->outcome),
	    cmfa_reason_name(o->reason));
	if (o->factor != NONE)
		cat(b, sz, " f=%c", factor_letter(o->factor));
	if (o->choices != 0) {
		fmt_set(s, sizeof(s), o->choices);
		cat(b, sz, " c=%s", s);
	}
	if (o->setup != 0) {
		fmt_set(s, sizeof(s), o->setup);
		cat(b, sz, " setup=%s", s);
	}
	if (o->unservable != 0) {
		fmt_set(s, sizeof(s), o->unservable);
		cat(b, sz, " unservable=%s", s);
	}
}

/* ---------------------------------------------------------------------- */
/* Names                                                                  */

static void
test_names(void)
{
	static const char *const outs[N_OUTCOMES] = { "deny", "no-mfa",
		"challenge", "choose", "setup-required", "user-denied",
		"unknown-user", "unavailable" };
	static const char *const whys[N_REASONS] = { "none", "exempt",
		"out-of-scope", "stale-open", "stale", "user-disabled",
		"user-removed", "pool-off", "no-record-ignored", "no-record",
		"preferred", "only-enabled", "several-enabled",
		"totp-registered", "optional-no-factor", "required-auto",
		"enabled-not-servable", "recovery-conflict", "needs-setup" };
	int i;

	for (i = 0; i < N_OUTCOMES; i++)
		CHECK_STR_EQ(cmfa_outcome_name((enum cmfa_outcome)i), outs[i]);
	for (i = 0; i < N_REASONS; i++)
		CHECK_STR_EQ(cmfa_reason_name((enum cmfa_reason)i), whys[i]);
	CHECK_STR_EQ(cmfa_outcome_name((enum cmfa_outcome)N_OUTCOMES), "?");
	CHECK_STR_EQ(cmfa_outcome_name((enum cmfa_outcome)0x7fffffff), "?");
	CHECK_STR_EQ(cmfa_reason_name((enum cmfa_reason)N_REASONS), "?");
	CHECK_STR_EQ(cmfa_reason_name((enum cmfa_reason)0x7fffffff), "?");
}

/* ---------------------------------------------------------------------- */
/* 1. Named scenarios                                                     */

struct row {
	const char *what;
	const char *in;
	const char *want; /* fmt_out() of the expected result */
};

static const struct row rows[] = {
	/* steps 1-6: options, staleness, the user's record */
	{ "exempt wins over everything (stale, ON, TOTP preferred)",
	    "pool=ON pf=ST list=T pref=T secret exempt stale",
	    "no-mfa exempt" },
	{ "exempt wins over a disabled account",
	    "pool=ON pf=S user=disabled exempt", "no-mfa exempt" },
	{ "not in only_group", "pool=ON pf=S noscope", "no-mfa out-of-scope" },
	{ "out of scope is decided before staleness",
	    "pool=ON pf=S noscope stale", "no-mfa out-of-scope" },
	{ "stale cache, fail_mode=closed",
	    "pool=ON pf=T list=T pref=T secret stale", "unavailable stale" },
	{ "stale cache, fail_mode=open",
	    "pool=ON pf=T list=T pref=T secret stale open",
	    "no-mfa stale-open" },
	{ "stale and closed is decided before the disabled account",
	    "pool=ON pf=S user=disabled stale", "unavailable stale" },
	{ "fail_mode=open without staleness changes nothing",
	    "pool=ON pf=T list=T pref=T secret open",
	    "challenge preferred f=T" },
	{ "disabled user in an OFF pool is denied (D12)",
	    "pool=OFF user=disabled", "user-denied user-disabled" },
	{ "user removed from the pool",
	    "pool=ON pf=S user=removed phone=v smsch",
	    "user-denied user-removed" },
	{ "removed user, fail_mode=open but not stale",
	    "pool=OPTIONAL pf=S user=removed open",
	    "user-denied user-removed" },
	{ "pool OFF: no MFA even with TOTP preferred (3.3 step 2)",
	    "pool=OFF list=T pref=T secret", "no-mfa pool-off" },
	{ "no record, unknown_user=deny", "pool=ON pf=S user=norecord",
	    "unknown-user no-record" },
	{ "no record, unknown_user=ignore", "pool=ON pf=S user=norecord ignore",
	    "no-mfa no-record-ignored" },
	{ "no record in an OFF pool: the level is decided first",
	    "pool=OFF user=norecord", "no-mfa pool-off" },
	{ "no record, floor=on, unknown_user=deny",
	    "pool=OFF floor=ON user=norecord", "unknown-user no-record" },

	/* D11 floor and require_mfa */
	{ "floor=on over an OFF pool, TOTP secret: the host decides",
	    "pool=OFF floor=ON secret", "challenge required-auto f=T" },
	{ "floor=on over an OFF pool, verified phone and SMS channel",
	    "pool=OFF floor=ON phone=v smsch", "challenge required-auto f=S" },
	{ "floor=on over an OFF pool, nothing: set-up",
	    "pool=OFF floor=ON smsch", "setup-required needs-setup setup=ST" },
	{ "floor=optional over an OFF pool, nothing enabled: no MFA",
	    "pool=OFF floor=OPTIONAL phone=v smsch",
	    "no-mfa optional-no-factor" },
	{ "floor=optional over an OFF pool, TOTP secret (local store)",
	    "pool=OFF floor=OPTIONAL secret", "challenge totp-registered f=T" },
	{ "floor=optional never lowers an ON pool",
	    "pool=ON pf=S floor=OPTIONAL phone=v smsch",
	    "challenge required-auto f=S" },
	{ "floor=on over an OPTIONAL pool, nothing enabled: attributes",
	    "pool=OPTIONAL pf=E floor=ON email=v emailch",
	    "challenge required-auto f=E" },
	{ "require_mfa over an OFF pool, nothing: set-up",
	    "pool=OFF require emailch", "setup-required needs-setup setup=TE" },
	{ "require_mfa raises OFF to OPTIONAL only: no auto-pick of SMS",
	    "pool=OFF require phone=v smsch",
	    "setup-required needs-setup setup=ST" },
	{ "require_mfa in OPTIONAL with nothing enabled: set-up",
	    "pool=OPTIONAL pf=S require phone=v smsch",
	    "setup-required needs-setup setup=S" },
	{ "require_mfa in OPTIONAL with SMS enabled: SMS",
	    "pool=OPTIONAL pf=S require list=S phone=v smsch",
	    "challenge only-enabled f=S" },

	/* OPTIONAL (3.3 step 2, 3.2, 3b) */
	{ "OPTIONAL, no factor: no MFA", "pool=OPTIONAL pf=ST phone=v smsch",
	    "no-mfa optional-no-factor" },
	{ "OPTIONAL + TOTP authenticator without settings: TOTP (3b)",
	    "pool=OPTIONAL pf=ST secret", "challenge totp-registered f=T" },
	{ "OPTIONAL, authenticator but the pool has TOTP off: no MFA",
	    "pool=OPTIONAL pf=S secret", "no-mfa optional-no-factor" },
	{ "OPTIONAL, SMS enabled in the list",
	    "pool=OPTIONAL pf=S list=S phone=v smsch",
	    "challenge only-enabled f=S" },
	{ "OPTIONAL, SMS enabled, no SMS channel: set-up, never no-mfa",
	    "pool=OPTIONAL pf=ST list=S phone=v",
	    "setup-required enabled-not-servable setup=T unservable=S" },
	{ "OPTIONAL, SMS enabled but unusable, authenticator: TOTP",
	    "pool=OPTIONAL pf=ST list=S phone=v secret",
	    "challenge totp-registered f=T unservable=S" },
	{ "OPTIONAL, email preferred, pool dropped email (3.4): set-up",
	    "pool=OPTIONAL pf=S list=E pref=E email=v emailch smsch",
	    "setup-required enabled-not-servable setup=S unservable=E" },
	{ "OPTIONAL, only TOTP enabled, pool disabled TOTP, no preference",
	    "pool=OPTIONAL pf=S list=T secret",
	    "setup-required enabled-not-servable unservable=T" },
	{ "OPTIONAL, several enabled, no preference: choose",
	    "pool=OPTIONAL pf=ST list=ST secret phone=v smsch",
	    "choose several-enabled c=ST" },

	/* preferences (3.2, 3.3 step 3, 3.4) */
	{ "preferred SMS among SMS and TOTP",
	    "pool=ON pf=ST list=ST pref=S phone=v smsch secret",
	    "challenge preferred f=S" },
	{ "preferred TOTP among SMS and TOTP",
	    "pool=ON pf=ST list=ST pref=T phone=v smsch secret",
	    "challenge preferred f=T" },
	{ "preferred EMAIL among all three",
	    "pool=ON pf=STE list=STE pref=E phone=v email=v secret smsch "
	    "emailch",
	    "challenge preferred f=E" },
	{ "preferred TOTP after the pool disabled TOTP: TOTP (3.4, 3b)",
	    "pool=ON pf=S list=ST pref=T secret phone=v smsch",
	    "challenge preferred f=T" },
	{ "preferred TOTP, pool disabled TOTP, OPTIONAL: TOTP",
	    "pool=OPTIONAL pf=E list=T pref=T secret",
	    "challenge preferred f=T" },
	{ "no preference, pool-disabled TOTP: not TOTP (3b)",
	    "pool=ON pf=S list=ST secret phone=v smsch",
	    "challenge only-enabled f=S" },
	{ "preferred SMS without an SMS channel: the other enabled factor",
	    "pool=ON pf=ST list=ST pref=S phone=v secret",
	    "challenge only-enabled f=T unservable=S" },
	{ "preferred TOTP without a secret on this host (D3)",
	    "pool=ON pf=ST list=ST pref=T phone=v smsch",
	    "challenge only-enabled f=S unservable=T" },
	{ "a preference that is not enabled is ignored",
	    "pool=ON pf=ST list=S pref=T secret phone=v smsch",
	    "challenge only-enabled f=S" },
	{ "preferred EMAIL the pool no longer offers, ON (3.4)",
	    "pool=ON pf=ST list=SE pref=E phone=v email=v smsch emailch",
	    "challenge only-enabled f=S" },

	/* several enabled (3.2: SELECT_MFA_TYPE, Cognito's order) */
	{ "several enabled, no preference: choose SMS, TOTP, EMAIL",
	    "pool=ON pf=STE list=STE phone=v email=v secret smsch emailch",
	    "choose several-enabled c=STE" },
	{ "three enabled, email not servable: choose the other two",
	    "pool=ON pf=STE list=STE phone=v email=v secret smsch",
	    "choose several-enabled c=ST unservable=E" },
	{ "SMS and EMAIL enabled: choose SMS, EMAIL",
	    "pool=ON pf=SE list=SE phone=v email=v smsch emailch",
	    "choose several-enabled c=SE" },

	/* legacy MFAOptions */
	{ "legacy MFAOptions SMS without a settings list counts as SMS",
	    "pool=OPTIONAL pf=S legacy phone=v smsch",
	    "challenge only-enabled f=S" },
	{ "legacy SMS is ignored when the settings list is present",
	    "pool=OPTIONAL pf=S legacy list=- phone=v smsch",
	    "no-mfa optional-no-factor" },
	{ "legacy SMS without a channel: set-up, never no-mfa",
	    "pool=OPTIONAL pf=S legacy phone=v",
	    "setup-required enabled-not-servable unservable=S" },

	/* verified destinations (3b) */
	{ "unverified phone, not allowed: set-up",
	    "pool=OPTIONAL pf=S list=S phone=u smsch",
	    "setup-required enabled-not-servable setup=S unservable=S" },
	{ "unverified phone, allow_unverified: SMS",
	    "pool=OPTIONAL pf=S list=S phone=u smsch unverified_ok",
	    "challenge only-enabled f=S" },
	{ "ON, unverified email, not allowed: set-up",
	    "pool=ON pf=E email=u emailch",
	    "setup-required enabled-not-servable setup=E unservable=E" },
	{ "ON, unverified email, allow_unverified: EMAIL",
	    "pool=ON pf=E email=u emailch unverified_ok",
	    "challenge required-auto f=E" },

	/* ON (3.3 steps 4-8) */
	{ "ON, TOTP registered, no email/SMS available: TOTP (step 4)",
	    "pool=ON pf=ST secret", "challenge required-auto f=T" },
	{ "ON, TOTP registered, phone available: choose SMS, TOTP",
	    "pool=ON pf=ST secret phone=v smsch", "choose required-auto c=ST" },
	{ "ON, TOTP + both attributes, recovery=email: choose SMS, TOTP",
	    "pool=ON pf=STE secret phone=v email=v smsch emailch rec=email",
	    "choose required-auto c=ST" },
	{ "ON, TOTP + both attributes, admin_only: choose all three",
	    "pool=ON pf=STE secret phone=v email=v smsch emailch rec=admin",
	    "choose required-auto c=STE" },
	{ "ON, TOTP registered, phone not servable: TOTP",
	    "pool=ON pf=ST secret phone=v", "challenge required-auto f=T" },
	{ "ON, TOTP registered but off in the pool, phone: SMS (step 5)",
	    "pool=ON pf=S secret phone=v smsch",
	    "challenge required-auto f=S" },
	{ "ON, phone only and recovery=phone: recovery conflict (step 6)",
	    "pool=ON pf=SE phone=v smsch emailch rec=phone",
	    "setup-required recovery-conflict setup=E" },
	{ "ON, email only and recovery=email: recovery conflict",
	    "pool=ON pf=STE email=v emailch smsch rec=email",
	    "setup-required recovery-conflict setup=ST" },
	{ "ON, phone only, recovery=email: SMS",
	    "pool=ON pf=SE phone=v smsch rec=email",
	    "challenge required-auto f=S" },
	{ "ON, both attributes, recovery=email: SMS (step 7)",
	    "pool=ON pf=SE phone=v email=v smsch emailch rec=email",
	    "challenge required-auto f=S" },
	{ "ON, both attributes, recovery=phone: EMAIL",
	    "pool=ON pf=SE phone=v email=v smsch emailch rec=phone",
	    "challenge required-auto f=E" },
	{ "ON, both attributes, admin_only: choose SMS, EMAIL",
	    "pool=ON pf=SE phone=v email=v smsch emailch rec=admin",
	    "choose required-auto c=SE" },
	{ "ON, both attributes, recovery not synced: no exclusion (3b)",
	    "pool=ON pf=SE phone=v email=v smsch emailch",
	    "choose required-auto c=SE" },
	{ "ON, both attributes, only SMS offered, recovery=phone: set-up",
	    "pool=ON pf=S phone=v email=v smsch emailch rec=phone",
	    "setup-required needs-setup" },
	{ "ON, nothing: set-up with every offered factor (step 8)",
	    "pool=ON pf=STE smsch emailch",
	    "setup-required needs-setup setup=STE" },
	{ "ON, nothing, recovery=phone: set-up without SMS",
	    "pool=ON pf=STE smsch emailch rec=phone",
	    "setup-required needs-setup setup=TE" },
	{ "ON, a phone but the pool offers no SMS: set-up",
	    "pool=ON pf=T phone=v smsch",
	    "setup-required needs-setup setup=T" },
	{ "ON, SMS enabled, no SMS channel: set-up, never no-mfa",
	    "pool=ON pf=S list=S phone=v",
	    "setup-required enabled-not-servable unservable=S" },
	{ "ON, TOTP enabled but no secret on this host (D3): set-up",
	    "pool=ON pf=ST list=T",
	    "setup-required needs-setup setup=T unservable=T" },
};

static void
test_table(void)
{
	struct cmfa_policy_in in;
	struct cmfa_policy_out out;
	char got[256], ins[512];
	size_t i;

	CHECK(sizeof(rows) / sizeof(rows[0]) >= 40);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (!parse_in(rows[i].in, &in)) {
			CHECK_MSG(0, "row %zu (%s): bad input \"%s\"", i,
			    rows[i].what, rows[i].in);
			continue;
		}
		/* the text form round-trips, so counterexamples paste back */
		fmt_in(ins, sizeof(ins), &in);
		{
			struct cmfa_policy_in again;

			CHECK(parse_in(ins, &again) &&
			    memcmp(&again, &in, sizeof(in)) == 0);
		}
		cmfa_policy_decide(&in, &out);
		fmt_out(got, sizeof(got), &out);
		CHECK_MSG(strcmp(got, rows[i].want) == 0,
		    "row %zu: %s\n    in:   %s\n    want: %s\n    got:  %s", i,
		    rows[i].what, rows[i].in, rows[i].want, got);
	}
	printf("  table: %zu named scenarios\n", i);
}

/* ---------------------------------------------------------------------- */
/* Values outside the enums fail closed                                   */

static void
expect(const struct cmfa_policy_in *in, const char *want, const char *what)
{
	struct cmfa_policy_out out;
	char got[256], ins[512];

	cmfa_policy_decide(in, &out);
	fmt_out(got, sizeof(got), &out);
	fmt_in(ins, sizeof(ins), in);
	CHECK_MSG(strcmp(got, want) == 0,
	    "%s\n    in:   %s\n    want: %s\n"
	    "    got:  %s",
	    what, ins, want, got);
}

static void
test_junk_inputs_fail_closed(void)
{
	struct cmfa_policy_in in;

	/* an unknown pool level counts as ON: attributes are used */
	CHECK(parse_in("pf=S phone=v smsch", &in));
	in.pool_mfa = (enum cmfa_mfa_level)7;
	expect(&in, "challenge required-auto f=S", "pool_mfa 7");
	in.has_phone = false;
	expect(&in, "setup-required needs-setup setup=S", "pool_mfa 7, none");

	/* an unknown floor counts as ON */
	CHECK(parse_in("pool=OFF", &in));
	in.floor = (enum cmfa_mfa_level)0x40000000;
	expect(&in, "setup-required needs-setup setup=T", "floor junk");

	/* an unknown user state denies, after steps 1-3 */
	CHECK(parse_in("pool=OFF", &in));
	in.user_state = (enum cmfa_user_state)9;
	expect(&in, "user-denied user-disabled", "user_state 9");
	in.exempt = true;
	expect(&in, "no-mfa exempt", "user_state 9, exempt");
	in.exempt = false;
	in.stale = true;
	expect(&in, "unavailable stale", "user_state 9, stale");

	/* a preference outside the factors is no preference */
	CHECK(parse_in("pool=ON pf=ST list=ST secret phone=v smsch", &in));
	in.preferred = 3;
	expect(&in, "choose several-enabled c=ST", "preferred 3");
	in.preferred = -2;
	expect(&in, "choose several-enabled c=ST", "preferred -2");
	in.preferred = 0x7fffffff;
	expect(&in, "choose several-enabled c=ST", "preferred INT_MAX");
	in.preferred = -0x7fffffff - 1;
	expect(&in, "choose several-enabled c=ST", "preferred INT_MIN");

	/* bits outside the three factors are ignored, never chosen */
	CHECK(parse_in("pool=ON pf=S list=S phone=v smsch", &in));
	in.pool_factors |= ~ALL;
	in.user_factors |= ~ALL;
	expect(&in, "challenge only-enabled f=S", "junk factor bits");
	CHECK(parse_in("pool=OPTIONAL pf=S", &in));
	in.has_mfa_list = true;
	in.user_factors = 0x8; /* e.g. a WebAuthn bit: not MFA here */
	expect(&in, "no-mfa optional-no-factor", "unknown factor bit");

	/* an unknown recovery value excludes nothing (3b) */
	CHECK(parse_in("pool=ON pf=SE phone=v email=v smsch emailch", &in));
	in.recovery = (enum cmfa_recovery)11;
	expect(&in, "choose required-auto c=SE", "recovery 11");
}

/* ---------------------------------------------------------------------- */
/* A second model of the header's algorithm, written from its text       */
/* per factor with arrays, to compare against on every swept input.      */

static void
model_decide(const struct cmfa_policy_in *in, struct cmfa_policy_out *o)
{
	bool off[3], srv[3], en[3], cand[3], usable[3], enrol[3];
	int f, level, n, last, r, pref = in->preferred;
	unsigned set;

	o->outcome = CMFA_OUT_DENY;
	o->reason = CMFA_WHY_NONE;
	o->factor = NONE;
	o->choices = o->setup = o->unservable = 0;
#define DONE(oc, why)                                                          \
	do {                                                                   \
		o->outcome = (oc);                                             \
		o->reason = (why);                                             \
		return;                                                        \
	} while (0)
	if (in->exempt)
		DONE(CMFA_OUT_NO_MFA, CMFA_WHY_EXEMPT);
	if (!in->in_scope)
		DONE(CMFA_OUT_NO_MFA, CMFA_WHY_OUT_OF_SCOPE);
	if (in->stale && in->fail_open)
		DONE(CMFA_OUT_NO_MFA, CMFA_WHY_STALE_OPEN);
	if (in->stale)
		DONE(CMFA_OUT_UNAVAILABLE, CMFA_WHY_STALE);
	if (in->user_state == CMFA_USER_DISABLED)
		DONE(CMFA_OUT_USER_DENIED, CMFA_WHY_USER_DISABLED);
	if (in->user_state == CMFA_USER_REMOVED)
		DONE(CMFA_OUT_USER_DENIED, CMFA_WHY_USER_REMOVED);
	level = (int)in->pool_mfa;
	if ((int)in->floor > level)
		level = (int)in->floor;
	if (in->require_mfa && level < 1)
		level = 1;
	if (level == 0)
		DONE(CMFA_OUT_NO_MFA, CMFA_WHY_POOL_OFF);
	if (in->user_state == CMFA_USER_NO_RECORD && in->unknown_user_ignore)
		DONE(CMFA_OUT_NO_MFA, CMFA_WHY_NO_RECORD_IGNORED);
	if (in->user_state == CMFA_USER_NO_RECORD)
		DONE(CMFA_OUT_UNKNOWN_USER, CMFA_WHY_NO_RECORD);

	r = in->recovery == CMFA_RECOVERY_EMAIL   ? CMFA_FACTOR_EMAIL
	    : in->recovery == CMFA_RECOVERY_PHONE ? CMFA_FACTOR_SMS
	                                          : NONE;
	for (f = 0; f < 3; f++) {
		bool attr = f == CMFA_FACTOR_SMS ? in->has_phone
		    : f == CMFA_FACTOR_EMAIL     ? in->has_email
		                                 : false;
		bool ver = f == CMFA_FACTOR_SMS ? in->phone_verified
		                                : in->email_verified;
		bool chan =
		    f == CMFA_FACTOR_SMS ? in->sms_channel : in->email_channel;

		off[f] = in->pool_mfa == CMFA_MFA_OFF ||
		    (in->pool_factors >> f & 1u) != 0;
		srv[f] = f == CMFA_FACTOR_TOTP
		    ? in->totp_secret
		    : chan && attr && (ver || in->allow_unverified);
		en[f] = in->has_mfa_list
		    ? (in->user_factors >> f & 1u) != 0
		    : f == CMFA_FACTOR_SMS && in->legacy_sms;
		usable[f] = en[f] && off[f] && srv[f];
		cand[f] = f != CMFA_FACTOR_TOTP && off[f] && attr && f != r;
		enrol[f] =
		    off[f] && (f == CMFA_FACTOR_TOTP || (chan && f != r));
		if (en[f] && !srv[f])
			o->unservable |= 1u << f;
	}
	if (pref >= 0 && pref < 3 && en[pref] &&
	    ((pref == CMFA_FACTOR_TOTP && in->totp_secret) ||
	        (off[pref] && srv[pref]))) {
		o->factor = pref;
		DONE(CMFA_OUT_CHALLENGE, CMFA_WHY_PREFERRED);
	}
	for (n = 0, last = NONE, set = 0, f = 0; f < 3; f++)
		if (usable[f]) {
			n++;
			last = f;
			set |= 1u << f;
		}
	if (n == 1) {
		o->factor = last;
		DONE(CMFA_OUT_CHALLENGE, CMFA_WHY_ONLY_ENABLED);
	}
	if (n > 1) {
		o->choices = set;
		DONE(CMFA_OUT_CHOOSE, CMFA_WHY_SEVERAL_ENABLED);
	}
	for (set = 0, f = 0; f < 3; f++)
		if (enrol[f])
			set |= 1u << f;
	if (level == 1) {
		if (in->totp_secret && off[CMFA_FACTOR_TOTP]) {
			o->factor = CMFA_FACTOR_TOTP;
			DONE(CMFA_OUT_CHALLENGE, CMFA_WHY_TOTP_REGISTERED);
		}
		if (en[0] || en[1] || en[2]) {
			o->setup = set;
			o->unservable = 0;
			for (f = 0; f < 3; f++)
				if (en[f])
					o->unservable |= 1u << f;
			DONE(CMFA_OUT_SETUP, CMFA_WHY_ENABLED_NOT_SERVABLE);
		}
		if (in->require_mfa) {
			o->setup = set;
			DONE(CMFA_OUT_SETUP, CMFA_WHY_NEEDS_SETUP);
		}
		DONE(CMFA_OUT_NO_MFA, CMFA_WHY_OPTIONAL_NO_FACTOR);
	}
	/* ON */
	{
		bool ready_s = cand[0] && srv[0], ready_e = cand[2] && srv[2];
		bool totp = in->totp_secret && off[CMFA_FACTOR_TOTP];
		unsigned pick_set = (ready_s ? 1u : 0u) | (totp ? 2u : 0u) |
		    (ready_e ? 4u : 0u);

		if (pick_set == 1u || pick_set == 2u || pick_set == 4u) {
			o->factor = pick_set == 1u ? 0 : pick_set == 2u ? 1 : 2;
			DONE(CMFA_OUT_CHALLENGE, CMFA_WHY_REQUIRED_AUTO);
		}
		if (pick_set != 0) {
			o->choices = pick_set;
			DONE(CMFA_OUT_CHOOSE, CMFA_WHY_REQUIRED_AUTO);
		}
		o->setup = set;
		if (cand[0] || cand[2]) {
			o->unservable =
			    (cand[0] ? 1u : 0u) | (cand[2] ? 4u : 0u);
			DONE(CMFA_OUT_SETUP, CMFA_WHY_ENABLED_NOT_SERVABLE);
		}
		if (in->has_phone && !in->has_email && r == CMFA_FACTOR_SMS)
			DONE(CMFA_OUT_SETUP, CMFA_WHY_RECOVERY_CONFLICT);
		if (in->has_email && !in->has_phone && r == CMFA_FACTOR_EMAIL)
			DONE(CMFA_OUT_SETUP, CMFA_WHY_RECOVERY_CONFLICT);
		DONE(CMFA_OUT_SETUP, CMFA_WHY_NEEDS_SETUP);
	}
#undef DONE
}

/* ---------------------------------------------------------------------- */
/* 2. Sweeps and invariants                                               */

enum inv {
	INV_A_TOTAL,
	INV_B_ON,
	INV_C_STALE,
	INV_D_PREF,
	INV_E_SERVABLE,
	INV_F_ENABLED,
	INV_G_EXEMPT,
	INV_H_DENIED,
	INV_I_DETERMINISTIC,
	INV_J_FLOOR,
	INV_K_REQUIRE,
	INV_MODEL,
	INV__COUNT
};

struct inv_stat {
	uint64_t premise; /* inputs the invariant said something about */
	uint64_t broken;
	char first[2048]; /* the first counterexample */
};

static struct inv_stat inv[INV__COUNT];
static uint64_t n_core, n_early, n_full, n_decisions;
static uint64_t seen_outcome[N_OUTCOMES], seen_reason[N_REASONS];
static bool swept;

static void
broken(enum inv i, const struct cmfa_policy_in *in,
    const struct cmfa_policy_out *o, const char *note)
{
	char ins[512], outs[256];

	if (inv[i].broken++ > 0)
		return;
	fmt_in(ins, sizeof(ins), in);
	fmt_out(outs, sizeof(outs), o);
	(void)snprintf(inv[i].first, sizeof(inv[i].first),
	    "%s\n    in:  %s\n    out: %s", note, ins, outs);
}

static unsigned
popcount3(unsigned set)
{
	return (set & 1u) + (set >> 1 & 1u) + (set >> 2 & 1u);
}

/* Recomputed here from the header's step 7, independently of policy.c. */
static unsigned
t_servable(const struct cmfa_policy_in *in)
{
	return (in->totp_secret ? B_T : 0) |
	    (in->sms_channel && in->has_phone &&
	                (in->phone_verified || in->allow_unverified)
	            ? B_S
	            : 0) |
	    (in->email_channel && in->has_email &&
	                (in->email_verified || in->allow_unverified)
	            ? B_E
	            : 0);
}

static unsigned
t_offered(const struct cmfa_policy_in *in)
{
	return in->pool_mfa == CMFA_MFA_OFF ? ALL : in->pool_factors & ALL;
}

static unsigned
t_enabled(const struct cmfa_policy_in *in)
{
	return in->has_mfa_list ? in->user_factors & ALL
	    : in->legacy_sms    ? B_S
	                        : 0;
}

/* Reached step 7: none of steps 1-6 decided. */
static bool
t_reaches_step7(const struct cmfa_policy_in *in)
{
	return !in->exempt && in->in_scope && !in->stale &&
	    in->user_state == CMFA_USER_PRESENT &&
	    (in->pool_mfa != CMFA_MFA_OFF || in->floor != CMFA_MFA_OFF ||
	        in->require_mfa);
}

static bool
reason_fits(enum cmfa_outcome oc, enum cmfa_reason r)
{
	switch (oc) {
	case CMFA_OUT_NO_MFA:
		return r == CMFA_WHY_EXEMPT || r == CMFA_WHY_OUT_OF_SCOPE ||
		    r == CMFA_WHY_STALE_OPEN || r == CMFA_WHY_POOL_OFF ||
		    r == CMFA_WHY_NO_RECORD_IGNORED ||
		    r == CMFA_WHY_OPTIONAL_NO_FACTOR;
	case CMFA_OUT_CHALLENGE:
		return r == CMFA_WHY_PREFERRED || r == CMFA_WHY_ONLY_ENABLED ||
		    r == CMFA_WHY_TOTP_REGISTERED ||
		    r == CMFA_WHY_REQUIRED_AUTO;
	case CMFA_OUT_CHOOSE:
		return r == CMFA_WHY_SEVERAL_ENABLED ||
		    r == CMFA_WHY_REQUIRED_AUTO;
	case CMFA_OUT_SETUP:
		return r == CMFA_WHY_ENABLED_NOT_SERVABLE ||
		    r == CMFA_WHY_RECOVERY_CONFLICT ||
		    r == CMFA_WHY_NEEDS_SETUP;
	case CMFA_OUT_USER_DENIED:
		return r == CMFA_WHY_USER_DISABLED ||
		    r == CMFA_WHY_USER_REMOVED;
	case CMFA_OUT_UNKNOWN_USER:
		return r == CMFA_WHY_NO_RECORD;
	case CMFA_OUT_UNAVAILABLE:
		return r == CMFA_WHY_STALE;
	case CMFA_OUT_DENY:
		break;
	}
	return false;
}

static bool
same_out(const struct cmfa_policy_out *a, const struct cmfa_policy_out *b)
{
	return a->outcome == b->outcome && a->reason == b->reason &&
	    a->factor == b->factor && a->choices == b->choices &&
	    a->setup == b->setup && a->unservable == b->unservable;
}

/* Needs MFA or denies: anything but letting the user through unasked. */
static bool
is_no_mfa(const struct cmfa_policy_out *o)
{
	return o->outcome == CMFA_OUT_NO_MFA;
}

/* One decision, every per-input invariant. */
static void
check_one(const struct cmfa_policy_in *in, struct cmfa_policy_out *o)
{
	struct cmfa_policy_out again, model;
	unsigned srv = t_servable(in), off = t_offered(in);
	unsigned en = t_enabled(in);
	bool step7 = t_reaches_step7(in);

	memset(o, 0xA5, sizeof(*o));
	cmfa_policy_decide(in, o);
	memset(&again, 0, sizeof(again));
	cmfa_policy_decide(in, &again);
	n_decisions += 2;

	/* (a) total, and the fields agree with the outcome */
	inv[INV_A_TOTAL].premise++;
	if ((int)o->outcome <= (int)CMFA_OUT_DENY ||
	    (int)o->outcome >= N_OUTCOMES)
		broken(INV_A_TOTAL, in, o, "outcome DENY or out of range");
	else if (!reason_fits(o->outcome, o->reason))
		broken(INV_A_TOTAL, in, o, "reason does not fit the outcome");
	else if (o->outcome == CMFA_OUT_CHALLENGE
	        ? (o->factor < 0 || o->factor >= CMFA_FACTOR__COUNT)
	        : o->factor != NONE)
		broken(INV_A_TOTAL, in, o, "factor");
	else if (o->outcome == CMFA_OUT_CHOOSE
	        ? (popcount3(o->choices) < 2 || (o->choices & ~ALL) != 0)
	        : o->choices != 0)
		broken(INV_A_TOTAL, in, o, "choices");
	else if (o->outcome == CMFA_OUT_SETUP ? (o->setup & ~off) != 0
	                                      : o->setup != 0)
		broken(INV_A_TOTAL, in, o, "setup not within offered");
	else if ((o->unservable & ~ALL) != 0 || (!step7 && o->unservable != 0))
		broken(INV_A_TOTAL, in, o, "unservable");
	else {
		seen_outcome[o->outcome]++;
		if ((int)o->reason >= 0 && (int)o->reason < N_REASONS)
			seen_reason[o->reason]++;
	}

	/* (b) an ON level (pool or floor) never lets a present user through */
	if ((in->pool_mfa == CMFA_MFA_ON || in->floor == CMFA_MFA_ON) &&
	    !in->exempt && in->in_scope && !in->stale &&
	    in->user_state == CMFA_USER_PRESENT) {
		inv[INV_B_ON].premise++;
		if (is_no_mfa(o))
			broken(INV_B_ON, in, o, "NO_MFA at level ON");
	}

	/* (c) stale and fail closed: unavailable */
	if (in->stale && !in->fail_open && !in->exempt && in->in_scope) {
		inv[INV_C_STALE].premise++;
		if (o->outcome != CMFA_OUT_UNAVAILABLE ||
		    o->reason != CMFA_WHY_STALE)
			broken(INV_C_STALE, in, o,
			    "stale closed not UNAVAILABLE");
	}

	/* (d) a usable preference is always the one challenged */
	if (step7 && in->preferred >= 0 && in->preferred < 3 &&
	    (en & CMFA_FBIT(in->preferred)) &&
	    ((off & CMFA_FBIT(in->preferred)) ||
	        in->preferred == CMFA_FACTOR_TOTP) &&
	    (srv & CMFA_FBIT(in->preferred))) {
		inv[INV_D_PREF].premise++;
		if (o->outcome != CMFA_OUT_CHALLENGE ||
		    o->factor != in->preferred ||
		    o->reason != CMFA_WHY_PREFERRED)
			broken(INV_D_PREF, in, o,
			    "usable preference not asked");
	}

	/* (e) what is challenged or offered to choose is servable here */
	if (o->outcome == CMFA_OUT_CHALLENGE || o->outcome == CMFA_OUT_CHOOSE) {
		unsigned asked = o->outcome == CMFA_OUT_CHOOSE
		    ? o->choices
		    : (o->factor >= 0 && o->factor < 3 ? CMFA_FBIT(o->factor)
		                                       : ~0u);

		inv[INV_E_SERVABLE].premise++;
		if ((asked & ~srv) != 0)
			broken(INV_E_SERVABLE, in, o,
			    "asked a factor the host "
			    "can't serve");
	}

	/* (f) a user with an enabled factor is never let through unasked */
	if (step7 && en != 0) {
		inv[INV_F_ENABLED].premise++;
		if (is_no_mfa(o))
			broken(INV_F_ENABLED, in, o, "enabled factor, NO_MFA");
	}

	/* (g) exempt: always no MFA */
	if (in->exempt) {
		inv[INV_G_EXEMPT].premise++;
		if (o->outcome != CMFA_OUT_NO_MFA ||
		    o->reason != CMFA_WHY_EXEMPT)
			broken(INV_G_EXEMPT, in, o, "exempt not NO_MFA");
	}

	/* (h) disabled / removed: through only by steps 1-3 */
	if (in->user_state == CMFA_USER_DISABLED ||
	    in->user_state == CMFA_USER_REMOVED) {
		inv[INV_H_DENIED].premise++;
		if (is_no_mfa(o) ? !(in->exempt || !in->in_scope ||
		                       (in->stale && in->fail_open))
		                 : !(o->outcome == CMFA_OUT_USER_DENIED ||
		                       o->outcome == CMFA_OUT_UNAVAILABLE))
			broken(INV_H_DENIED, in, o, "disabled/removed user");
		else if (o->outcome == CMFA_OUT_USER_DENIED &&
		    o->reason !=
		        (in->user_state == CMFA_USER_DISABLED
		                ? CMFA_WHY_USER_DISABLED
		                : CMFA_WHY_USER_REMOVED))
			broken(INV_H_DENIED, in, o, "wrong denial reason");
	}

	/* (i) deterministic, whatever out held before */
	inv[INV_I_DETERMINISTIC].premise++;
	if (!same_out(o, &again))
		broken(INV_I_DETERMINISTIC, in, o, "second call differs");

	/* the second model */
	inv[INV_MODEL].premise++;
	model_decide(in, &model);
	if (!same_out(o, &model)) {
		char want[256], note[320];

		fmt_out(want, sizeof(want), &model);
		(void)snprintf(note, sizeof(note), "model says: %s", want);
		broken(INV_MODEL, in, o, note);
	}
}

/* Security order: NO_MFA below everything else. */
static void
check_monotone(enum inv i, const struct cmfa_policy_in *hi,
    const struct cmfa_policy_out *lo_out, const struct cmfa_policy_out *hi_out)
{
	inv[i].premise++;
	if (is_no_mfa(hi_out) && !is_no_mfa(lo_out))
		broken(i, hi, hi_out,
		    i == INV_J_FLOOR
		        ? "a higher floor let through what a lower one did not"
		        : "require_mfa let through what it did not without");
}

/* Sets the 8 user / host booleans from the low bits of b. */
static void
set_user_host_bools(struct cmfa_policy_in *in, unsigned b)
{
	in->has_phone = (b & 1u) != 0;
	in->phone_verified = (b & 2u) != 0;
	in->has_email = (b & 4u) != 0;
	in->email_verified = (b & 8u) != 0;
	in->totp_secret = (b & 16u) != 0;
	in->sms_channel = (b & 32u) != 0;
	in->email_channel = (b & 64u) != 0;
	in->allow_unverified = (b & 128u) != 0;
}

/*
 * floor and require_mfa innermost, so that (j) and (k) compare
 * neighbours that differ in that field alone.
 */
static void
check_levels(struct cmfa_policy_in *in, uint64_t *count)
{
	struct cmfa_policy_out o[2][3];
	int req, fl;

	for (req = 0; req < 2; req++) {
		in->require_mfa = req != 0;
		for (fl = 0; fl < 3; fl++) {
			in->floor = (enum cmfa_mfa_level)fl;
			check_one(in, &o[req][fl]);
			(*count)++;
			if (fl > 0)
				check_monotone(INV_J_FLOOR, in, &o[req][fl - 1],
				    &o[req][fl]);
			if (req > 0)
				check_monotone(INV_K_REQUIRE, in, &o[0][fl],
				    &o[1][fl]);
		}
	}
}

/*
 * Core: the full cross product of every field that steps 7-11 read
 * (pool_mfa, pool_factors, recovery, user_factors, has_mfa_list,
 * legacy_sms, preferred, the 8 user / host booleans, floor, require_mfa)
 * for a present user with the options at "reach step 7" (not exempt, in
 * scope, not stale; fail_open and unknown_user_ignore are read only by
 * steps 3 and 6, and the early and full sweeps vary them).
 */
#define CORE_SIZE (3ull * 8 * 4 * 8 * 2 * 2 * 4 * 256 * 2 * 3)

static void
sweep_core(void)
{
	struct cmfa_policy_in in;
	int pm, pf, rec, uf, list, leg, pref, bits;

	default_in(&in);
	for (pm = 0; pm < 3; pm++)
		for (pf = 0; pf < 8; pf++)
			for (rec = 0; rec < 4; rec++)
				for (uf = 0; uf < 8; uf++)
					for (list = 0; list < 2; list++)
						for (leg = 0; leg < 2; leg++)
							for (pref = -1;
							     pref < 3; pref++)
								for (bits = 0;
								     bits < 256;
								     bits++) {
									in.pool_mfa =
									    (enum cmfa_mfa_level)
									        pm;
									in.pool_factors =
									    (unsigned)
									        pf;
									in.recovery =
									    (enum cmfa_recovery)
									        rec;
									in.user_factors =
									    (unsigned)
									        uf;
									in.has_mfa_list =
									    list !=
									    0;
									in.legacy_sms =
									    leg !=
									    0;
									in.preferred =
									    pref;
									set_user_host_bools(
									    &in,
									    (unsigned)
									        bits);
									check_levels(
									    &in,
									    &n_core);
								}
}

/*
 * Early: the full cross product of every field that steps 1-6 read
 * (exempt, in_scope, stale, fail_open, user_state, unknown_user_ignore,
 * pool_mfa, floor, require_mfa: 2304 combinations), each with
 * EARLY_PROFILES user / host profiles: the rest of the input
 * (pool_factors, recovery, user_factors, has_mfa_list, legacy_sms,
 * preferred, the 8 booleans: 2^20 values) walked with a prime stride.
 */
#define REST_SIZE (8u * 4 * 8 * 2 * 2 * 4 * 256)
#define REST_STRIDE 257u
#define EARLY_PROFILES ((REST_SIZE + REST_STRIDE - 1) / REST_STRIDE)
#define EARLY_SIZE (2304ull * EARLY_PROFILES)

static void
rest_from_index(unsigned x, struct cmfa_policy_in *in)
{
	in->pool_factors = x % 8;
	x /= 8;
	in->recovery = (enum cmfa_recovery)(x % 4);
	x /= 4;
	in->user_factors = x % 8;
	x /= 8;
	in->has_mfa_list = (x & 1u) != 0;
	x /= 2;
	in->legacy_sms = (x & 1u) != 0;
	x /= 2;
	in->preferred = (int)(x % 4) - 1;
	x /= 4;
	set_user_host_bools(in, x % 256);
}

static void
sweep_early(void)
{
	struct cmfa_policy_in in;
	unsigned r, opts;
	int us, pm;

	default_in(&in);
	for (r = 0; r < REST_SIZE; r += REST_STRIDE) {
		rest_from_index(r, &in);
		for (us = 0; us < 4; us++)
			for (opts = 0; opts < 32; opts++)
				for (pm = 0; pm < 3; pm++) {
					in.user_state =
					    (enum cmfa_user_state)us;
					in.exempt = (opts & 1u) != 0;
					in.in_scope = (opts & 2u) != 0;
					in.stale = (opts & 4u) != 0;
					in.fail_open = (opts & 8u) != 0;
					in.unknown_user_ignore =
					    (opts & 16u) != 0;
					in.pool_mfa = (enum cmfa_mfa_level)pm;
					check_levels(&in, &n_early);
				}
	}
}

/* Radices of the full product, in decode order. */
enum {
	R_POOL = 3,
	R_PF = 8,
	R_REC = 4,
	R_USER = 4,
	R_UF = 8,
	R_PREF = 4,
	R_FLOOR = 3,
	R_BOOLS = 1 << 16 /* the 16 booleans */
};
#define FULL_SIZE                                                              \
	((uint64_t)R_POOL * R_PF * R_REC * R_USER * R_UF * R_PREF * R_FLOOR *  \
	    R_BOOLS)
#define FULL_STRIDE 1009u /* prime: coprime to every radix */

static void
full_from_index(uint64_t x, struct cmfa_policy_in *in)
{
	unsigned b;

	in->pool_mfa = (enum cmfa_mfa_level)(x % R_POOL);
	x /= R_POOL;
	in->pool_factors = (unsigned)(x % R_PF);
	x /= R_PF;
	in->recovery = (enum cmfa_recovery)(x % R_REC);
	x /= R_REC;
	in->user_state = (enum cmfa_user_state)(x % R_USER);
	x /= R_USER;
	in->user_factors = (unsigned)(x % R_UF);
	x /= R_UF;
	in->preferred = (int)(x % R_PREF) - 1;
	x /= R_PREF;
	in->floor = (enum cmfa_mfa_level)(x % R_FLOOR);
	x /= R_FLOOR;
	b = (unsigned)(x % R_BOOLS);
	in->has_mfa_list = (b & 1u) != 0;
	in->legacy_sms = (b & 2u) != 0;
	in->has_phone = (b & 4u) != 0;
	in->phone_verified = (b & 8u) != 0;
	in->has_email = (b & 16u) != 0;
	in->email_verified = (b & 32u) != 0;
	in->totp_secret = (b & 64u) != 0;
	in->sms_channel = (b & 128u) != 0;
	in->email_channel = (b & 256u) != 0;
	in->allow_unverified = (b & 512u) != 0;
	in->require_mfa = (b & 1024u) != 0;
	in->exempt = (b & 2048u) != 0;
	in->in_scope = (b & 4096u) != 0;
	in->unknown_user_ignore = (b & 8192u) != 0;
	in->stale = (b & 16384u) != 0;
	in->fail_open = (b & 32768u) != 0;
}

/*
 * The full product of all 23 fields (FULL_SIZE, about 1.2e9), every
 * FULL_STRIDE-th input.  The stride is prime, so the sample walks through
 * every residue of every radix: each value of each field, and each of the
 * 64 option combinations, comes up about equally often.
 */
static void
sweep_full(void)
{
	struct cmfa_policy_in in;
	struct cmfa_policy_out o;
	uint64_t x;

	default_in(&in);
	for (x = 0; x < FULL_SIZE; x += FULL_STRIDE) {
		full_from_index(x, &in);
		check_one(&in, &o);
		n_full++;
	}
}

static void
test_sweep(void)
{
	clock_t t0 = clock();

	memset(inv, 0, sizeof(inv));
	sweep_core();
	sweep_early();
	sweep_full();
	swept = true;
	CHECK_INT_EQ(n_core, CORE_SIZE);
	CHECK_INT_EQ(n_early, EARLY_SIZE);
	CHECK_INT_EQ(n_full, (FULL_SIZE + FULL_STRIDE - 1) / FULL_STRIDE);
	printf("  sweep: %" PRIu64
	       " combinations checked: core product %" PRIu64
	       " (all of steps 7-11's inputs), early product %" PRIu64
	       " (all of steps 1-6's inputs x %u profiles), full product "
	       "(%" PRIu64 ") every %u-th: %" PRIu64 "; %" PRIu64 " decisions, "
	       "%.2f s CPU\n",
	    n_core + n_early + n_full, n_core, n_early,
	    (unsigned)EARLY_PROFILES, (uint64_t)FULL_SIZE, FULL_STRIDE, n_full,
	    n_decisions, (double)(clock() - t0) / CLOCKS_PER_SEC);
}

static void
report(enum inv i)
{
	CHECK_MSG(swept, "test_sweep did not run");
	CHECK_MSG(inv[i].premise > 0, "vacuous: no input met the premise");
	CHECK_MSG(inv[i].broken == 0,
	    "%" PRIu64 " of %" PRIu64 " inputs broke it; first: %s",
	    inv[i].broken, inv[i].premise, inv[i].first);
	printf("  %" PRIu64 " inputs met the premise\n", inv[i].premise);
}

/* Each invariant is one RUN, so the PASS lines say what was proven. */
static void
inv_a_total_and_fields_consistent(void)
{
	report(INV_A_TOTAL);
}
static void
inv_b_level_on_never_no_mfa(void)
{
	report(INV_B_ON);
}
static void
inv_c_stale_closed_is_unavailable(void)
{
	report(INV_C_STALE);
}
static void
inv_d_usable_preference_is_challenged(void)
{
	report(INV_D_PREF);
}
static void
inv_e_asked_factor_is_servable(void)
{
	report(INV_E_SERVABLE);
}
static void
inv_f_enabled_factor_never_no_mfa(void)
{
	report(INV_F_ENABLED);
}
static void
inv_g_exempt_always_no_mfa(void)
{
	report(INV_G_EXEMPT);
}
static void
inv_h_disabled_removed_denied(void)
{
	report(INV_H_DENIED);
}
static void
inv_i_deterministic(void)
{
	report(INV_I_DETERMINISTIC);
}
static void
inv_j_raising_floor_never_lowers_security(void)
{
	report(INV_J_FLOOR);
}
static void
inv_k_require_mfa_never_lowers_security(void)
{
	report(INV_K_REQUIRE);
}
static void
sweep_matches_second_model(void)
{
	report(INV_MODEL);
}

static void
sweep_reaches_every_outcome_and_reason(void)
{
	int i;

	CHECK_MSG(swept, "test_sweep did not run");
	for (i = 1; i < N_OUTCOMES; i++)
		CHECK_MSG(seen_outcome[i] > 0, "outcome %s never reached",
		    cmfa_outcome_name((enum cmfa_outcome)i));
	for (i = 1; i < N_REASONS; i++)
		CHECK_MSG(seen_reason[i] > 0, "reason %s never reached",
		    cmfa_reason_name((enum cmfa_reason)i));
}

/* ---------------------------------------------------------------------- */
/* 3. out is fully written                                                */

static void
check_sane(const struct cmfa_policy_in *in)
{
	struct cmfa_policy_out a, z;
	char ins[512];

	memset(&a, 0xA5, sizeof(a));
	memset(&z, 0, sizeof(z));
	cmfa_policy_decide(in, &a);
	cmfa_policy_decide(in, &z);
	fmt_in(ins, sizeof(ins), in);
	CHECK_MSG((int)a.outcome > 0 && (int)a.outcome < N_OUTCOMES,
	    "outcome %d for %s", (int)a.outcome, ins);
	CHECK_MSG((int)a.reason > 0 && (int)a.reason < N_REASONS,
	    "reason %d for %s", (int)a.reason, ins);
	CHECK_MSG(a.factor >= NONE && a.factor < CMFA_FACTOR__COUNT,
	    "factor %d for %s", a.factor, ins);
	CHECK_MSG((a.choices & ~ALL) == 0 && (a.setup & ~ALL) == 0 &&
	        (a.unservable & ~ALL) == 0,
	    "sets for %s", ins);
	/* a field left unwritten would still hold 0xA5... or 0 */
	CHECK_MSG(same_out(&a, &z),
	    "garbage-filled and zeroed out differ "
	    "for %s",
	    ins);
}

static void
test_out_fully_written(void)
{
	struct cmfa_policy_in in;
	size_t i;
	uint64_t x;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (parse_in(rows[i].in, &in))
			check_sane(&in);
	/* one input per outcome path at least, and a spread of others */
	default_in(&in);
	for (x = 7; x < FULL_SIZE; x += 1000003u) {
		full_from_index(x, &in);
		check_sane(&in);
	}
	/* junk inputs too */
	CHECK(parse_in("pool=ON pf=S", &in));
	in.user_state = (enum cmfa_user_state)77;
	check_sane(&in);
	in.user_state = CMFA_USER_PRESENT;
	in.pool_mfa = (enum cmfa_mfa_level)77;
	in.preferred = 99;
	in.recovery = (enum cmfa_recovery)77;
	in.user_factors = ~0u;
	in.has_mfa_list = true;
	check_sane(&in);
}

TEST_MAIN_BEGIN("policy")
	RUN(test_names);
	RUN(test_table);
	RUN(test_junk_inputs_fail_closed);
	RUN(test_out_fully_written);
	RUN(test_sweep);
	RUN(inv_a_total_and_fields_consistent);
	RUN(inv_b_level_on_never_no_mfa);
	RUN(inv_c_stale_closed_is_unavailable);
	RUN(inv_d_usable_preference_is_challenged);
	RUN(inv_e_asked_factor_is_servable);
	RUN(inv_f_enabled_factor_never_no_mfa);
	RUN(inv_g_exempt_always_no_mfa);
	RUN(inv_h_disabled_removed_denied);
	RUN(inv_i_deterministic);
	RUN(inv_j_raising_floor_never_lowers_security);
	RUN(inv_k_require_mfa_never_lowers_security);
	RUN(sweep_matches_second_model);
	RUN(sweep_reaches_every_outcome_and_reason);
TEST_MAIN_END
