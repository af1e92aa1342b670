/*
 * login.c: everything one login reads from the store, and the policy
 * inputs built from it.  Shared by the PAM module and `cognito-mfa
 * explain`, so the CLI can say exactly what the module would decide.
 */
#include <string.h>

#include "cmfa_otp.h"
#include "cmfa_config.h"
#include "cmfa_store.h"

void
cmfa_login_init(struct cmfa_login *l)
{
	memset(l, 0, sizeof(*l));
	l->store.dirfd = -1;
	l->sync_owner = (uid_t)-1;
	l->recovery = CMFA_RECOVERY_UNKNOWN;
}

enum cmfa_err
cmfa_login_load(struct cmfa_login *l, const char *store_path, uid_t owner,
    const char *user, const char **what, struct cmfa_verr *verr)
{
	enum cmfa_err e;
	int64_t t;

	*what = "store";
	/* the sync user's share of it too (a shared root, its records) */
	if ((e = cmfa_store_open_sync(&l->store, store_path, owner,
	         l->sync_owner)) != CMFA_OK)
		return e;
	*what = "pool.json";
	if ((e = cmfa_store_pool_read(&l->store, &l->pool, &l->synced, verr)) !=
	    CMFA_OK)
		return e;
	*what = "user-pool.json";
	e = cmfa_store_recovery_read(&l->store, &l->recovery, NULL, verr);
	if (e == CMFA_ERR_NOTFOUND)
		l->recovery = CMFA_RECOVERY_UNKNOWN;
	else if (e != CMFA_OK)
		return e;
	/* a name that cannot be a store file cannot have a record */
	if (user == NULL || !cmfa_username_valid(user, strlen(user)))
		return CMFA_OK;
	*what = "user record";
	e = cmfa_store_user_read(&l->store, user, &l->rec, &t, verr);
	if (e == CMFA_OK) {
		l->have_rec = true;
		if (t < l->synced)
			l->synced = t; /* the older of the two decides */
	} else if (e != CMFA_ERR_NOTFOUND)
		return e;
	*what = "TOTP secret";
	e = cmfa_store_totp_load(&l->store, user, l->key, sizeof(l->key),
	    &l->keylen);
	if (e == CMFA_ERR_NOTFOUND)
		l->keylen = 0;
	else if (e != CMFA_OK)
		return e;
	*what = NULL;
	return CMFA_OK;
}

void
cmfa_login_policy_in(const struct cmfa_login *l, const struct cmfa_config *cfg,
    const struct cmfa_login_facts *facts, struct cmfa_policy_in *in)
{
	memset(in, 0, sizeof(*in));
	in->pool_mfa = l->pool.mfa;
	in->pool_factors = cmfa_pool_factors(&l->pool);
	in->recovery = l->recovery;
	in->preferred = CMFA_FACTOR_NONE;
	if (!l->have_rec)
		in->user_state = CMFA_USER_NO_RECORD;
	else if (l->rec.removed) /* the sync's record of a departure */
		in->user_state = CMFA_USER_REMOVED;
	else if (!l->rec.enabled)
		in->user_state = CMFA_USER_DISABLED;
	else {
		in->user_state = CMFA_USER_PRESENT;
		in->user_factors = l->rec.mfa_list;
		in->has_mfa_list = l->rec.has_mfa_list;
		in->legacy_sms = l->rec.legacy_sms;
		in->preferred = l->rec.preferred;
		in->has_phone = l->rec.phone_number != NULL;
		in->phone_verified = l->rec.phone_verified;
		in->has_email = l->rec.email != NULL;
		in->email_verified = l->rec.email_verified;
	}
	in->totp_secret = l->keylen > 0;
	in->sms_channel = facts->sms_channel;
	in->email_channel = facts->email_channel;
	in->allow_unverified = cfg->allow_unverified_destinations;
	in->floor = cfg->mfa_floor;
	in->require_mfa = facts->require_mfa;
	in->exempt = facts->exempt;
	in->in_scope = facts->in_scope;
	in->unknown_user_ignore = cfg->unknown_user == CMFA_UNKNOWN_IGNORE;
	in->stale = cfg->max_age > 0 && facts->now > l->synced &&
	    facts->now - l->synced > (int64_t)cfg->max_age;
	in->fail_open = cfg->fail_mode == CMFA_FAIL_OPEN;
}

void
cmfa_login_release(struct cmfa_login *l)
{
	cmfa_memzero(l->key, sizeof(l->key));
	l->keylen = 0;
	cmfa_pool_free(&l->pool);
	cmfa_user_free(&l->rec);
	cmfa_store_close(&l->store);
}
