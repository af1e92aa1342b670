/*
 * policy.c: the MFA decision (DESIGN.md D5), as specified step by step in
 * the comment above cmfa_policy_decide() in cmfa_core.h.  The step numbers
 * below are that comment's.
 *
 * Pure: no I/O, no clock, no allocation, no mutable state.  Total: every
 * input, including values outside the enums' ranges, yields an outcome
 * other than CMFA_OUT_DENY, and *out is fully written.
 *
 * Readings of the specification (where it is silent or loose):
 *  - Out-of-range inputs (a caller bug, never a valid cache) fail closed:
 *    a level above ON or unknown (pool_mfa, floor) counts as ON; a
 *    user_state outside the enum denies the user (USER_DENIED,
 *    USER_DISABLED) after steps 1-3, which need no user; a preferred value
 *    outside the factors is no preference; factor bits outside
 *    CMFA_FACTORS_ALL are ignored (the header: unknown factors are ignored
 *    by policy); an unknown recovery value is CMFA_RECOVERY_UNKNOWN
 *    (DESIGN.md 3b: unknown means no exclusion; either reading only ever
 *    chooses between MFA outcomes, never NO_MFA).
 *  - "In every SETUP, setup = ..." (step 11) is applied to the SETUP
 *    outcomes of step 10 as well, with the same recovery exclusion R
 *    (COGNITO.md 3.3 step 8: MFAS_CAN_SETUP excludes the primary recovery
 *    option whatever the level).
 *  - unservable is "enabled factors this host can't serve" (struct
 *    cmfa_policy_out): from step 7 on it is enabled & ~servable, so the
 *    module can tell a user why a factor they enabled is not offered here
 *    (DESIGN.md D3); the two SETUP rows that name it (step 10
 *    ENABLED_NOT_SERVABLE: enabled; step 11c: the candidates) override it.
 *    Steps 1-6 leave it 0.
 *
 * Consequences of the specification as written (implemented as written,
 * since each is the fail-closed side; raised with the lead):
 *  - A user whose only enabled factor is TOTP, with a secret on this host,
 *    no preference, in a pool that has since disabled TOTP, gets SETUP
 *    (step 10 ENABLED_NOT_SERVABLE, or step 11 without a candidate): 3b
 *    makes a pool-disabled TOTP unavailable without a preference, although
 *    the host could verify it (COGNITO.md 3.4 DOC: "they can use it").
 *    Likewise an OPTIONAL-pool user whose enabled factor the pool stopped
 *    offering is denied, where Cognito would likely let them in (3.4, INF).
 *  - SETUP can carry setup == 0 (nothing the user could enrol on this
 *    host, e.g. ON, SMS only, no sms_channel): the message must not
 *    promise an enrolment.
 *  - Step 11c says ENABLED_NOT_SERVABLE for attribute candidates the user
 *    never enabled (ON picks from attributes).
 *  - Step 5 precedes step 6, so with the effective level OFF a user with
 *    no record gets NO_MFA (POOL_OFF) even with unknown_user=deny.
 */
#include "cmfa_core.h"

#define FACTOR_BIT_SMS CMFA_FBIT(CMFA_FACTOR_SMS)
#define FACTOR_BIT_TOTP CMFA_FBIT(CMFA_FACTOR_TOTP)
#define FACTOR_BIT_EMAIL CMFA_FBIT(CMFA_FACTOR_EMAIL)

static const char *const outcome_names[] = {
	[CMFA_OUT_DENY] = "deny",
	[CMFA_OUT_NO_MFA] = "no-mfa",
	[CMFA_OUT_CHALLENGE] = "challenge",
	[CMFA_OUT_CHOOSE] = "choose",
	[CMFA_OUT_SETUP] = "setup-required",
	[CMFA_OUT_USER_DENIED] = "user-denied",
	[CMFA_OUT_UNKNOWN_USER] = "unknown-user",
	[CMFA_OUT_UNAVAILABLE] = "unavailable",
};

static const char *const reason_names[] = {
	[CMFA_WHY_NONE] = "none",
	[CMFA_WHY_EXEMPT] = "exempt",
	[CMFA_WHY_OUT_OF_SCOPE] = "out-of-scope",
	[CMFA_WHY_STALE_OPEN] = "stale-open",
	[CMFA_WHY_STALE] = "stale",
	[CMFA_WHY_USER_DISABLED] = "user-disabled",
	[CMFA_WHY_USER_REMOVED] = "user-removed",
	[CMFA_WHY_POOL_OFF] = "pool-off",
	[CMFA_WHY_NO_RECORD_IGNORED] = "no-record-ignored",
	[CMFA_WHY_NO_RECORD] = "no-record",
	[CMFA_WHY_PREFERRED] = "preferred",
	[CMFA_WHY_ONLY_ENABLED] = "only-enabled",
	[CMFA_WHY_SEVERAL_ENABLED] = "several-enabled",
	[CMFA_WHY_TOTP_REGISTERED] = "totp-registered",
	[CMFA_WHY_OPTIONAL_NO_FACTOR] = "optional-no-factor",
	[CMFA_WHY_REQUIRED_AUTO] = "required-auto",
	[CMFA_WHY_ENABLED_NOT_SERVABLE] = "enabled-not-servable",
	[CMFA_WHY_RECOVERY_CONFLICT] = "recovery-conflict",
	[CMFA_WHY_NEEDS_SETUP] = "needs-setup",
};

const char *
cmfa_outcome_name(enum cmfa_outcome o)
{
	if ((unsigned)o >= sizeof(outcome_names) / sizeof(outcome_names[0]))
		return "?";
	return outcome_names[o];
}

const char *
cmfa_reason_name(enum cmfa_reason r)
{
	if ((unsigned)r >= sizeof(reason_names) / sizeof(reason_names[0]))
		return "?";
	return reason_names[r];
}

/* ---------------------------------------------------------------------- */
/* Small facts about the input                                            */

static bool
has(unsigned set, int f)
{
	return f >= 0 && f < CMFA_FACTOR__COUNT && (set & CMFA_FBIT(f)) != 0;
}

/* The one factor in set, or CMFA_FACTOR_NONE unless exactly one. */
static int
only_factor(unsigned set)
{
	int f;

	for (f = 0; f < CMFA_FACTOR__COUNT; f++)
		if (set == CMFA_FBIT(f))
			return f;
	return CMFA_FACTOR_NONE;
}

/* An out-of-range level fails closed: it counts as ON. */
static enum cmfa_mfa_level
level_of(enum cmfa_mfa_level l)
{
	switch (l) {
	case CMFA_MFA_OFF:
	case CMFA_MFA_OPTIONAL:
	case CMFA_MFA_ON:
		return l;
	}
	return CMFA_MFA_ON;
}

/* Step 5: max(pool, floor), at least OPTIONAL when the service demands MFA. */
static enum cmfa_mfa_level
effective_level(const struct cmfa_policy_in *in)
{
	enum cmfa_mfa_level pool = level_of(in->pool_mfa);
	enum cmfa_mfa_level host = level_of(in->floor);
	enum cmfa_mfa_level level = pool > host ? pool : host;

	if (in->require_mfa && level < CMFA_MFA_OPTIONAL)
		level = CMFA_MFA_OPTIONAL;
	return level;
}

/*
 * Step 7, offered: the pool's factors; a pool that is OFF (the level was
 * raised by the floor or require_mfa) offers nothing, so the host decides.
 */
static unsigned
offered(const struct cmfa_policy_in *in)
{
	if (level_of(in->pool_mfa) == CMFA_MFA_OFF)
		return CMFA_FACTORS_ALL;
	return in->pool_factors & CMFA_FACTORS_ALL;
}

/* Step 7, servable: what this host can deliver or verify for the user. */
static unsigned
servable(const struct cmfa_policy_in *in)
{
	unsigned s = 0;

	if (in->totp_secret)
		s |= FACTOR_BIT_TOTP;
	if (in->sms_channel && in->has_phone &&
	    (in->phone_verified || in->allow_unverified))
		s |= FACTOR_BIT_SMS;
	if (in->email_channel && in->has_email &&
	    (in->email_verified || in->allow_unverified))
		s |= FACTOR_BIT_EMAIL;
	return s;
}

/* Step 7, enabled: the settings list, or legacy SMS when there is none. */
static unsigned
enabled(const struct cmfa_policy_in *in)
{
	if (in->has_mfa_list)
		return in->user_factors & CMFA_FACTORS_ALL;
	return in->legacy_sms ? FACTOR_BIT_SMS : 0;
}

/* The preferred factor, or CMFA_FACTOR_NONE (also for junk values). */
static int
preferred(const struct cmfa_policy_in *in)
{
	if (in->preferred < 0 || in->preferred >= CMFA_FACTOR__COUNT)
		return CMFA_FACTOR_NONE;
	return in->preferred;
}

/*
 * Step 11, R: the factor whose channel is the primary recovery channel
 * and so can't carry MFA codes; none when recovery is unknown or
 * admin-only (and for junk values: 3b, unknown means no exclusion).
 */
static int
recovery_factor(const struct cmfa_policy_in *in)
{
	switch (in->recovery) {
	case CMFA_RECOVERY_EMAIL:
		return CMFA_FACTOR_EMAIL;
	case CMFA_RECOVERY_PHONE:
		return CMFA_FACTOR_SMS;
	case CMFA_RECOVERY_UNKNOWN:
	case CMFA_RECOVERY_ADMIN_ONLY:
		break;
	}
	return CMFA_FACTOR_NONE;
}

/* Step 11: offered SMS / EMAIL for which the user has the attribute. */
static unsigned
candidates(const struct cmfa_policy_in *in, unsigned off, int r)
{
	unsigned c = 0;

	if (has(off, CMFA_FACTOR_SMS) && in->has_phone && r != CMFA_FACTOR_SMS)
		c |= FACTOR_BIT_SMS;
	if (has(off, CMFA_FACTOR_EMAIL) && in->has_email &&
	    r != CMFA_FACTOR_EMAIL)
		c |= FACTOR_BIT_EMAIL;
	return c;
}

/* Step 11d: the user's only attribute is the recovery channel. */
static bool
recovery_conflict(const struct cmfa_policy_in *in, int r)
{
	if (in->has_phone == in->has_email)
		return false;
	return (in->has_phone && r == CMFA_FACTOR_SMS) ||
	    (in->has_email && r == CMFA_FACTOR_EMAIL);
}

/* "In every SETUP": the offered factors the user could enrol here. */
static unsigned
enrollable(const struct cmfa_policy_in *in, unsigned off, int r)
{
	unsigned s = 0;

	if (has(off, CMFA_FACTOR_TOTP))
		s |= FACTOR_BIT_TOTP;
	if (has(off, CMFA_FACTOR_SMS) && in->sms_channel &&
	    r != CMFA_FACTOR_SMS)
		s |= FACTOR_BIT_SMS;
	if (has(off, CMFA_FACTOR_EMAIL) && in->email_channel &&
	    r != CMFA_FACTOR_EMAIL)
		s |= FACTOR_BIT_EMAIL;
	return s;
}

/* ---------------------------------------------------------------------- */
/* Writing the result                                                     */

static void
decided(struct cmfa_policy_out *out, enum cmfa_outcome o, enum cmfa_reason why)
{
	out->outcome = o;
	out->reason = why;
}

static void
challenge(struct cmfa_policy_out *out, int f, enum cmfa_reason why)
{
	decided(out, CMFA_OUT_CHALLENGE, why);
	out->factor = f;
}

/* One factor is a challenge, several a choice. */
static void
challenge_or_choose(struct cmfa_policy_out *out, unsigned set,
    enum cmfa_reason why)
{
	int f = only_factor(set);

	if (f != CMFA_FACTOR_NONE) {
		challenge(out, f, why);
		return;
	}
	decided(out, CMFA_OUT_CHOOSE, why);
	out->choices = set;
}

static void
setup(struct cmfa_policy_out *out, enum cmfa_reason why, unsigned can_enrol)
{
	decided(out, CMFA_OUT_SETUP, why);
	out->setup = can_enrol;
}

/* ---------------------------------------------------------------------- */
/* Steps 10 and 11                                                        */

/* Step 10: OPTIONAL, nothing enabled is usable here. */
static void
decide_optional(const struct cmfa_policy_in *in, unsigned off, unsigned en,
    struct cmfa_policy_out *out)
{
	int r = recovery_factor(in);

	if (in->totp_secret && has(off, CMFA_FACTOR_TOTP))
		challenge(out, CMFA_FACTOR_TOTP, CMFA_WHY_TOTP_REGISTERED);
	else if (en != 0) {
		/* never a silent pass for a user who turned MFA on */
		setup(out, CMFA_WHY_ENABLED_NOT_SERVABLE,
		    enrollable(in, off, r));
		out->unservable = en;
	} else if (in->require_mfa)
		setup(out, CMFA_WHY_NEEDS_SETUP, enrollable(in, off, r));
	else
		decided(out, CMFA_OUT_NO_MFA, CMFA_WHY_OPTIONAL_NO_FACTOR);
}

/* Step 11: ON, nothing enabled is usable here: COGNITO.md 3.3 steps 4-8. */
static void
decide_required(const struct cmfa_policy_in *in, unsigned off, unsigned srv,
    struct cmfa_policy_out *out)
{
	int r = recovery_factor(in);
	unsigned cands = candidates(in, off, r);
	unsigned ready = cands & srv;

	if (in->totp_secret && has(off, CMFA_FACTOR_TOTP)) /* a */
		challenge_or_choose(out, FACTOR_BIT_TOTP | ready,
		    CMFA_WHY_REQUIRED_AUTO);
	else if (ready != 0) /* b */
		challenge_or_choose(out, ready, CMFA_WHY_REQUIRED_AUTO);
	else if (cands != 0) { /* c */
		setup(out, CMFA_WHY_ENABLED_NOT_SERVABLE,
		    enrollable(in, off, r));
		out->unservable = cands;
	} else if (recovery_conflict(in, r)) /* d */
		setup(out, CMFA_WHY_RECOVERY_CONFLICT, enrollable(in, off, r));
	else /* e */
		setup(out, CMFA_WHY_NEEDS_SETUP, enrollable(in, off, r));
}

/* ---------------------------------------------------------------------- */

void
cmfa_policy_decide(const struct cmfa_policy_in *in, struct cmfa_policy_out *out)
{
	enum cmfa_mfa_level level;
	unsigned off, srv, en, usable;
	int pref;

	/* A complete default first: whatever is not decided below denies. */
	out->outcome = CMFA_OUT_DENY;
	out->reason = CMFA_WHY_NONE;
	out->factor = CMFA_FACTOR_NONE;
	out->choices = 0;
	out->setup = 0;
	out->unservable = 0;

	/* 1-3: options that decide before anything about the user. */
	if (in->exempt) {
		decided(out, CMFA_OUT_NO_MFA, CMFA_WHY_EXEMPT);
		return;
	}
	if (!in->in_scope) {
		decided(out, CMFA_OUT_NO_MFA, CMFA_WHY_OUT_OF_SCOPE);
		return;
	}
	if (in->stale) {
		if (in->fail_open)
			decided(out, CMFA_OUT_NO_MFA, CMFA_WHY_STALE_OPEN);
		else
			decided(out, CMFA_OUT_UNAVAILABLE, CMFA_WHY_STALE);
		return;
	}

	/* 4: a disabled or removed user is denied, not unknown (D12). */
	switch (in->user_state) {
	case CMFA_USER_PRESENT:
	case CMFA_USER_NO_RECORD:
		break;
	case CMFA_USER_REMOVED:
		decided(out, CMFA_OUT_USER_DENIED, CMFA_WHY_USER_REMOVED);
		return;
	case CMFA_USER_DISABLED:
	default: /* not a state we know: fail closed */
		decided(out, CMFA_OUT_USER_DENIED, CMFA_WHY_USER_DISABLED);
		return;
	}

	/* 5: the host's floor and the service's demand raise the level. */
	level = effective_level(in);
	if (level == CMFA_MFA_OFF) {
		decided(out, CMFA_OUT_NO_MFA, CMFA_WHY_POOL_OFF);
		return;
	}

	/* 6 */
	if (in->user_state == CMFA_USER_NO_RECORD) {
		if (in->unknown_user_ignore)
			decided(out, CMFA_OUT_NO_MFA,
			    CMFA_WHY_NO_RECORD_IGNORED);
		else
			decided(out, CMFA_OUT_UNKNOWN_USER, CMFA_WHY_NO_RECORD);
		return;
	}

	/* 7 */
	off = offered(in);
	srv = servable(in);
	en = enabled(in);
	out->unservable = en & ~srv;

	/* 8: a preferred TOTP survives the pool disabling TOTP (3.4, 3b). */
	pref = preferred(in);
	if (has(en, pref)) {
		if (pref == CMFA_FACTOR_TOTP && in->totp_secret) {
			challenge(out, pref, CMFA_WHY_PREFERRED);
			return;
		}
		if (has(off & srv, pref)) {
			challenge(out, pref, CMFA_WHY_PREFERRED);
			return;
		}
	}

	/* 9 */
	usable = en & off & srv;
	if (usable != 0) {
		challenge_or_choose(out, usable,
		    only_factor(usable) != CMFA_FACTOR_NONE
		        ? CMFA_WHY_ONLY_ENABLED
		        : CMFA_WHY_SEVERAL_ENABLED);
		return;
	}

	if (level == CMFA_MFA_OPTIONAL)
		decide_optional(in, off, en, out); /* 10 */
	else
		decide_required(in, off, srv, out); /* 11 */
}
