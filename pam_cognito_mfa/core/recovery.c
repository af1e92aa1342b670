/*
 * recovery.c: the account-recovery channel from a cached DescribeUserPool
 * response (user-pool.json).
 *
 * Only the members on the way are checked (UserPool, its
 * AccountRecoverySetting, RecoveryMechanisms and their Priority / Name);
 * everything else in UserPoolType is kept and ignored, so a newer model
 * never breaks the cache.  Choices (for the README):
 *  - no UserPool, no AccountRecoverySetting or no RecoveryMechanisms:
 *    CMFA_RECOVERY_UNKNOWN (no exclusion);
 *  - the primary mechanism is the one with the lowest Priority (normally
 *    Priority 1); two mechanisms with the same Priority are refused:
 *    InvalidParameterException "Invalid account recovery setting: two
 *    recovery mechanisms have priority <n>." [INF].
 */
#include <string.h>

#include "cmfa_core.h"
#include "validate.h"

static const char *const recovery_names[] = { "verified_email",
	"verified_phone_number", "admin_only", NULL };

/* PriorityType */
static const struct cmfa_vshape priority_shape = { .type = CMFA_VT_INT,
	.flags = CMFA_VS_MIN | CMFA_VS_MAX,
	.min = 1,
	.max = 2 };
static const struct cmfa_vshape recovery_name_shape = { .type = CMFA_VT_STRING,
	.enums = recovery_names };
static const struct cmfa_vmember option_members[] = {
	{ "Priority", &priority_shape, true },
	{ "Name", &recovery_name_shape, true },
};
/* RecoveryOptionType */
static const struct cmfa_vshape option_shape = CMFA_VSTRUCT(option_members);
/* RecoveryMechanismsType */
static const struct cmfa_vshape mechanisms_shape = { .type = CMFA_VT_LIST,
	.flags = CMFA_VS_MIN | CMFA_VS_MAX,
	.min = 1,
	.max = 2,
	.item = &option_shape };
static const struct cmfa_vmember setting_members[] = {
	{ "RecoveryMechanisms", &mechanisms_shape, false },
};
/* AccountRecoverySettingType */
static const struct cmfa_vshape setting_shape = CMFA_VSTRUCT(setting_members);
/* UserPoolType, in part */
static const struct cmfa_vmember pool_members[] = {
	{ "AccountRecoverySetting", &setting_shape, false },
};
static const struct cmfa_vshape pool_shape = CMFA_VSTRUCT(pool_members);
static const struct cmfa_vmember response_members[] = {
	{ "UserPool", &pool_shape, false },
};
/* DescribeUserPoolResponse */
static const struct cmfa_vshape response_shape = CMFA_VSTRUCT(response_members);

static enum cmfa_recovery
recovery_of(const char *name)
{
	if (strcmp(name, "verified_email") == 0)
		return CMFA_RECOVERY_EMAIL;
	if (strcmp(name, "verified_phone_number") == 0)
		return CMFA_RECOVERY_PHONE;
	return CMFA_RECOVERY_ADMIN_ONLY;
}

enum cmfa_err
cmfa_user_pool_recovery_parse(const char *p, size_t len,
    enum cmfa_recovery *out, struct cmfa_verr *verr)
{
	struct cmfa_vctx v;
	cJSON *doc = NULL;
	const cJSON *list, *it, *prio;
	const char *name, *best = NULL;
	double best_prio = 0;
	enum cmfa_err err;

	if (out == NULL)
		return CMFA_ERR_INVAL;
	cmfa_v_init(&v);
	if ((err = cmfa_v_parse_doc(p, len, &doc, verr)) != CMFA_OK)
		goto out;
	cmfa_v_check(&v, NULL, doc, &response_shape);
	if ((err = cmfa_v_result(&v, verr)) != CMFA_OK)
		goto out;
	list = cmfa_v_member(cmfa_v_member(cmfa_v_member(doc, "UserPool"),
	                         "AccountRecoverySetting"),
	    "RecoveryMechanisms");
	cJSON_ArrayForEach(it, list)
	{
		prio = cmfa_v_member(it, "Priority");
		name = cmfa_v_str(it, "Name");
		if (best != NULL && prio->valuedouble == best_prio) {
			err = cmfa_v_refuse(verr, CMFA_VTYPE_INVALID,
			    "Invalid account recovery setting: two recovery "
			    "mechanisms have priority %d.",
			    (int)best_prio);
			goto out;
		}
		if (best == NULL || prio->valuedouble < best_prio) {
			best = name;
			best_prio = prio->valuedouble;
		}
	}
	*out = best == NULL ? CMFA_RECOVERY_UNKNOWN : recovery_of(best);
out:
	cJSON_Delete(doc);
	cmfa_v_free(&v);
	return err;
}
