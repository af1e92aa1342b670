/*
 * mfapref.c: SetUserMFAPreference / AdminSetUserMFAPreference, parsed and
 * applied to a user record as Cognito does (COGNITO.md 1.5, 1.6, 3.2).
 *
 * Rules of cmfa_mfa_pref_apply(), checked in this order; the first failure
 * is reported (InvalidParameterException).  Messages marked [OBS] are
 * Cognito's, the others are inferred [INF] (for the README):
 *  1. At most one block may say PreferredMfa true:
 *     "Only one MFA type can be set as preferred." [INF]
 *  2. Each factor a block turns on (Enabled true), in the order SMS, TOTP,
 *     EMAIL:
 *     - must be offered by the pool (cmfa_pool_factors):
 *       "<FACTOR> is not enabled for the user pool." [INF]
 *     - SMS needs a phone_number attribute:
 *       "User does not have a phone_number set to turn on SMS MFA" [OBS]
 *     - TOTP needs a verified authenticator (totp_verified):
 *       "User does not have delivery config set to turn on
 *        SOFTWARE_TOKEN_MFA" [OBS]
 *     - EMAIL needs an email attribute:
 *       "User does not have delivery config set to turn on EMAIL_OTP"
 *       [INF, COGNITO.md 3.2's suggestion]
 *  3. With the pool's MFA ON, a factor that is enabled can't be turned off
 *     (the model: "You can't turn off SMS/TOTP MFA for any of your users
 *     when MFA is required"), for the admin call too:
 *     "Can't turn off <FACTOR> when MFA is required for the user pool."
 *     [INF, modelled on the observed "Can't turn off SMS_MFA when SMS
 *     configuration is set for the user pool"]
 *  4. WebAuthnMfaSettings Enabled true needs the pool's WebAuthn
 *     FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION:
 *     "Passkey MFA is not enabled for the user pool." [INF].  Otherwise it
 *     is accepted and not recorded (passkeys don't apply to PAM logins).
 *  5. PreferredMfa true needs the factor enabled once the request is
 *     applied: "Can't set <FACTOR> as the preferred MFA when it is not
 *     enabled." [INF]
 * Then: a block left out changes nothing; Enabled false on the preferred
 * factor, or PreferredMfa false on it, clears the preference.  The record
 * gets UserMFASettingList in Cognito's order (SMS_MFA, SOFTWARE_TOKEN_MFA,
 * EMAIL_OTP, then any unknown values it held), left out when empty;
 * PreferredMfaSetting left out when there is none; legacy MFAOptions
 * entries for SMS are removed when SMS ends up off (otherwise an empty,
 * dropped list would bring legacy SMS back).  has_mfa_list is therefore
 * true exactly when the list is non-empty, as a re-parse would say.
 */
#include <string.h>

#include "cmfa_core.h"
#include "validate.h"

static const struct cmfa_vmember setting_members[] = {
	{ "Enabled", &cmfa_vs_bool, false },
	{ "PreferredMfa", &cmfa_vs_bool, false },
};
/* SMSMfaSettingsType, SoftwareTokenMfaSettingsType, EmailMfaSettingsType */
static const struct cmfa_vshape setting_shape = CMFA_VSTRUCT(setting_members);
static const struct cmfa_vmember webauthn_members[] = {
	{ "Enabled", &cmfa_vs_bool, false },
};
/* WebAuthnMfaSettingsType */
static const struct cmfa_vshape webauthn_shape = CMFA_VSTRUCT(webauthn_members);

/* SetUserMFAPreferenceRequest */
static const struct cmfa_vmember self_members[] = {
	{ "SMSMfaSettings", &setting_shape, false },
	{ "SoftwareTokenMfaSettings", &setting_shape, false },
	{ "EmailMfaSettings", &setting_shape, false },
	{ "WebAuthnMfaSettings", &webauthn_shape, false },
	{ "AccessToken", &cmfa_vs_token, true },
};
static const struct cmfa_vshape self_shape = CMFA_VSTRUCT(self_members);

/* AdminSetUserMFAPreferenceRequest */
static const struct cmfa_vmember admin_members[] = {
	{ "SMSMfaSettings", &setting_shape, false },
	{ "SoftwareTokenMfaSettings", &setting_shape, false },
	{ "EmailMfaSettings", &setting_shape, false },
	{ "WebAuthnMfaSettings", &webauthn_shape, false },
	{ "Username", &cmfa_vs_username, true },
	{ "UserPoolId", &cmfa_vs_pool_id, true },
};
static const struct cmfa_vshape admin_shape = CMFA_VSTRUCT(admin_members);

static const char *const block_name[CMFA_FACTOR__COUNT] = {
	[CMFA_FACTOR_SMS] = "SMSMfaSettings",
	[CMFA_FACTOR_TOTP] = "SoftwareTokenMfaSettings",
	[CMFA_FACTOR_EMAIL] = "EmailMfaSettings",
};

/* The AccessToken is a bearer credential: wipe it before it is freed. */
static void
wipe_token(cJSON *doc)
{
	cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, "AccessToken");

	if (cJSON_IsString(t) && t->valuestring != NULL)
		cmfa_memzero(t->valuestring, strlen(t->valuestring));
}

enum cmfa_err
cmfa_mfa_pref_parse(const char *p, size_t len, enum cmfa_mfa_pref_kind kind,
    struct cmfa_mfa_pref *out, struct cmfa_verr *verr)
{
	struct cmfa_vctx v;
	cJSON *doc = NULL;
	const cJSON *blk, *m;
	enum cmfa_err err;
	unsigned f;

	if (out == NULL || (kind != CMFA_PREF_ADMIN && kind != CMFA_PREF_SELF))
		return CMFA_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	cmfa_v_init(&v);
	if ((err = cmfa_v_parse_doc(p, len, &doc, verr)) != CMFA_OK)
		goto out;
	cmfa_v_check(&v, NULL, doc,
	    kind == CMFA_PREF_ADMIN ? &admin_shape : &self_shape);
	if ((err = cmfa_v_result(&v, verr)) != CMFA_OK)
		goto out;

	out->kind = kind;
	for (f = 0; f < CMFA_FACTOR__COUNT; f++) {
		struct cmfa_mfa_setting *s = &out->setting[f];

		if ((blk = cmfa_v_member(doc, block_name[f])) == NULL)
			continue;
		s->present = true;
		if ((m = cmfa_v_member(blk, "Enabled")) != NULL) {
			s->has_enabled = true;
			s->enabled = cJSON_IsTrue(m);
		}
		if ((m = cmfa_v_member(blk, "PreferredMfa")) != NULL) {
			s->has_preferred = true;
			s->preferred = cJSON_IsTrue(m);
		}
	}
	if ((blk = cmfa_v_member(doc, "WebAuthnMfaSettings")) != NULL) {
		out->webauthn_present = true;
		out->webauthn_enabled =
		    cJSON_IsTrue(cmfa_v_member(blk, "Enabled"));
	}
	if (kind == CMFA_PREF_ADMIN) {
		out->user_pool_id = cmfa_v_str(doc, "UserPoolId");
		out->username = cmfa_v_str(doc, "Username");
	} else
		out->access_token = cmfa_v_str(doc, "AccessToken");
	out->doc = doc;
	doc = NULL;
out:
	if (doc != NULL)
		wipe_token(doc);
	cJSON_Delete(doc);
	cmfa_v_free(&v);
	return err;
}

/* Replace (or add) member name of obj with item; item consumed. */
static bool
set_member(cJSON *obj, const char *name, cJSON *item)
{
	cJSON_Delete(cJSON_DetachItemFromObjectCaseSensitive(obj, name));
	return cmfa_v_add_item(obj, name, item);
}

/* UserMFASettingList for the enabled set, unknown old values kept. */
static bool
rewrite_list(cJSON *doc, unsigned enabled)
{
	const cJSON *old = cmfa_v_member(doc, "UserMFASettingList"), *it;
	cJSON *arr, *s;
	enum cmfa_factor f;
	bool ok = false;
	unsigned i;

	if ((arr = cJSON_CreateArray()) == NULL)
		return false;
	for (i = 0; i < CMFA_FACTOR__COUNT; i++) {
		if (!(enabled & CMFA_FBIT(i)))
			continue;
		s = cJSON_CreateString(cmfa_factor_name((enum cmfa_factor)i));
		if (s == NULL || !cJSON_AddItemToArray(arr, s)) {
			cJSON_Delete(s);
			goto out;
		}
	}
	cJSON_ArrayForEach(it, old)
	{
		if (cJSON_IsString(it) &&
		    cmfa_factor_parse(it->valuestring, strlen(it->valuestring),
		        &f) == CMFA_OK)
			continue;
		s = cJSON_Duplicate(it, 1);
		if (s == NULL || !cJSON_AddItemToArray(arr, s)) {
			cJSON_Delete(s);
			goto out;
		}
	}
	if (arr->child == NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc,
		    "UserMFASettingList");
		ok = true;
		goto out;
	}
	ok = set_member(doc, "UserMFASettingList", arr);
	arr = NULL; /* consumed, even on failure */
out:
	cJSON_Delete(arr);
	return ok;
}

/* Drop legacy MFAOptions entries for SMS (and the list, once empty). */
static void
drop_legacy_sms(cJSON *doc)
{
	cJSON *list = cmfa_v_member(doc, "MFAOptions"), *it, *next;
	const char *m;

	if (!cJSON_IsArray(list))
		return;
	for (it = list->child; it != NULL; it = next) {
		next = it->next;
		m = cmfa_v_str(it, "DeliveryMedium");
		if (m != NULL && strcmp(m, "SMS") == 0)
			cJSON_Delete(cJSON_DetachItemViaPointer(list, it));
	}
	if (list->child == NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(doc, "MFAOptions");
}

static bool
pool_passkey_mfa(const struct cmfa_pool_config *pool)
{
	const char *fc =
	    cmfa_v_str(cmfa_v_member(pool->doc, "WebAuthnConfiguration"),
	        "FactorConfiguration");

	return fc != NULL &&
	    strcmp(fc, "MULTI_FACTOR_WITH_USER_VERIFICATION") == 0;
}

static enum cmfa_err
check_enable(enum cmfa_factor f, unsigned offered, bool totp_verified,
    const struct cmfa_user *u, struct cmfa_verr *verr)
{
	if (!(offered & CMFA_FBIT(f)))
		return cmfa_v_refuse(verr, CMFA_VTYPE_INVALID,
		    "%s is not enabled for the user pool.",
		    cmfa_factor_name(f));
	switch (f) {
	case CMFA_FACTOR_SMS:
		if (u->phone_number == NULL)
			return cmfa_v_refuse(verr, CMFA_VTYPE_INVALID,
			    "User does not have a phone_number set to turn on "
			    "SMS MFA");
		break;
	case CMFA_FACTOR_TOTP:
		if (!totp_verified)
			return cmfa_v_refuse(verr, CMFA_VTYPE_INVALID,
			    "User does not have delivery config set to turn "
			    "on SOFTWARE_TOKEN_MFA");
		break;
	case CMFA_FACTOR_EMAIL:
		if (u->email == NULL)
			return cmfa_v_refuse(verr, CMFA_VTYPE_INVALID,
			    "User does not have delivery config set to turn "
			    "on EMAIL_OTP");
		break;
	case CMFA_FACTOR__COUNT:
		break;
	}
	return CMFA_OK;
}

enum cmfa_err
cmfa_mfa_pref_apply(const struct cmfa_mfa_pref *req,
    const struct cmfa_pool_config *pool, bool totp_verified,
    struct cmfa_user *u, struct cmfa_verr *verr)
{
	const struct cmfa_mfa_setting *s;
	struct cmfa_user nu;
	unsigned offered, cur, next, f;
	int pref = CMFA_FACTOR_NONE, newpref;
	cJSON *doc = NULL;
	enum cmfa_err err;

	if (req == NULL || pool == NULL || u == NULL || u->doc == NULL)
		return CMFA_ERR_INVAL;
	cmfa_v_verr_clear(verr);
	offered = cmfa_pool_factors(pool);
	cur = next = cmfa_user_factors(u);

	/* 1 */
	for (f = 0; f < CMFA_FACTOR__COUNT; f++) {
		s = &req->setting[f];
		if (!s->present || !s->has_preferred || !s->preferred)
			continue;
		if (pref != CMFA_FACTOR_NONE)
			return cmfa_v_refuse(verr, CMFA_VTYPE_INVALID,
			    "Only one MFA type can be set as preferred.");
		pref = (int)f;
	}
	/* 2 */
	for (f = 0; f < CMFA_FACTOR__COUNT; f++) {
		s = &req->setting[f];
		if (!s->present || !s->has_enabled || !s->enabled)
			continue;
		if ((err = check_enable((enum cmfa_factor)f, offered,
		         totp_verified, u, verr)) != CMFA_OK)
			return err;
		next |= CMFA_FBIT(f);
	}
	/* 3 */
	for (f = 0; f < CMFA_FACTOR__COUNT; f++) {
		s = &req->setting[f];
		if (!s->present || !s->has_enabled || s->enabled)
			continue;
		if ((cur & CMFA_FBIT(f)) && pool->mfa == CMFA_MFA_ON)
			return cmfa_v_refuse(verr, CMFA_VTYPE_INVALID,
			    "Can't turn off %s when MFA is required for the "
			    "user pool.",
			    cmfa_factor_name((enum cmfa_factor)f));
		next &= ~CMFA_FBIT(f);
	}
	/* 4 */
	if (req->webauthn_present && req->webauthn_enabled &&
	    !pool_passkey_mfa(pool))
		return cmfa_v_refuse(verr, CMFA_VTYPE_INVALID,
		    "Passkey MFA is not enabled for the user pool.");
	/* 5 */
	newpref = u->preferred;
	if (pref != CMFA_FACTOR_NONE) {
		if (!(next & CMFA_FBIT(pref)))
			return cmfa_v_refuse(verr, CMFA_VTYPE_INVALID,
			    "Can't set %s as the preferred MFA when it is not "
			    "enabled.",
			    cmfa_factor_name((enum cmfa_factor)pref));
		newpref = pref;
	} else if (newpref >= 0 && newpref < CMFA_FACTOR__COUNT) {
		s = &req->setting[newpref];
		if ((s->present && s->has_preferred && !s->preferred) ||
		    !(next & CMFA_FBIT(newpref)))
			newpref = CMFA_FACTOR_NONE;
	}

	/* the new record, built aside so u is untouched on any failure */
	err = CMFA_ERR_NOMEM;
	if ((doc = cJSON_Duplicate(u->doc, 1)) == NULL ||
	    !rewrite_list(doc, next))
		goto out;
	if (newpref != CMFA_FACTOR_NONE) {
		if (!set_member(doc, "PreferredMfaSetting",
		        cJSON_CreateString(
		            cmfa_factor_name((enum cmfa_factor)newpref))))
			goto out;
	} else if (u->preferred != CMFA_FACTOR_NONE)
		cJSON_DeleteItemFromObjectCaseSensitive(doc,
		    "PreferredMfaSetting");
	if (!(next & CMFA_FBIT(CMFA_FACTOR_SMS)))
		drop_legacy_sms(doc);
	if ((err = cmfa_user_adopt(doc, &nu, verr)) != CMFA_OK)
		goto out;
	doc = NULL;
	cmfa_user_free(u);
	*u = nu;
out:
	if (err == CMFA_ERR_NOMEM)
		(void)cmfa_v_refuse(verr, CMFA_VTYPE_INVALID, "Out of memory");
	cJSON_Delete(doc);
	return err;
}

void
cmfa_mfa_pref_free(struct cmfa_mfa_pref *req)
{
	if (req == NULL)
		return;
	if (req->doc != NULL)
		wipe_token(req->doc);
	cJSON_Delete(req->doc);
	memset(req, 0, sizeof(*req));
}
