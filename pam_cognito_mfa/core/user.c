/*
 * user.c: one user's record, an AdminGetUser response.
 *
 * Choices where COGNITO.md is silent (for the README):
 *  - Structural checks only (types, enums, lengths, patterns of the model):
 *    a cache that fails them is corrupt.  Unknown members are kept.
 *  - Enabled absent means true.  UserStatus absent, or a value this
 *    version does not know, is CMFA_USER_STATUS_NONE (kept in the doc).
 *  - UserMFASettingList values other than the three factors are kept in
 *    the document and ignored.  An unknown PreferredMfaSetting is ignored
 *    (preferred = CMFA_FACTOR_NONE) and kept in the document.
 *  - A phone_number or email attribute with an empty or absent Value is no
 *    destination (NULL).  *_verified are true only for the exact value
 *    "true".
 *  - The same attribute Name twice is refused (InvalidParameterException
 *    "Duplicate attribute name: <name>" [INF]): a record that could say two
 *    things about the destination is corrupt.
 *  - cmfa_user_new() (the local store's AdminCreateUser) keeps only Name
 *    and Value of each attribute and records no dates (core reads no
 *    clock).
 *  - The sync's removed record (DESIGN.md D12: a user who left the pool
 *    is denied, not unknown) is a document of this same shape:
 *      {"Username": "<Cognito user name>", "Enabled": false,
 *       "CmfaRemovedFromPool": <epoch seconds, integer>,
 *       "CmfaRemovedReason": "not-in-pool" | "name-collision" | "unmapped"}
 *    CmfaRemovedFromPool present makes the record removed (u->removed),
 *    whatever else it says; Enabled false is there so that a reader that
 *    does not know the member still denies (disabled).  Cognito never
 *    returns members with our prefix.  The reason is free text
 *    (<= 64 bytes) for the reports; its three values are the sync's.
 */
#include <stdlib.h>
#include <string.h>

#include "cmfa_core.h"
#include "validate.h"

static const char *const delivery_medium[] = { "SMS", "EMAIL", NULL };
static const char *const user_status[] = { "UNCONFIRMED", "CONFIRMED",
	"ARCHIVED", "COMPROMISED", "UNKNOWN", "RESET_REQUIRED",
	"FORCE_CHANGE_PASSWORD", "EXTERNAL_PROVIDER", NULL };

/* AttributeValueType */
static const struct cmfa_vshape attr_value_shape = { .type = CMFA_VT_STRING,
	.flags = CMFA_VS_MAX | CMFA_VS_SENSITIVE,
	.max = 2048 };
static const struct cmfa_vmember attr_members[] = {
	{ "Name", &cmfa_vs_attr_name, true },
	{ "Value", &attr_value_shape, false },
};
static const struct cmfa_vshape attr_shape = CMFA_VSTRUCT(attr_members);
static const struct cmfa_vshape attr_list_shape = { .type = CMFA_VT_LIST,
	.item = &attr_shape };

static const struct cmfa_vshape delivery_medium_shape = { .type =
	                                                      CMFA_VT_STRING,
	.enums = delivery_medium };
static const struct cmfa_vmember mfa_option_members[] = {
	{ "DeliveryMedium", &delivery_medium_shape, false },
	{ "AttributeName", &cmfa_vs_attr_name, false },
};
static const struct cmfa_vshape mfa_option_shape =
    CMFA_VSTRUCT(mfa_option_members);
static const struct cmfa_vshape mfa_option_list_shape = { .type = CMFA_VT_LIST,
	.item = &mfa_option_shape };
static const struct cmfa_vshape setting_list_shape = { .type = CMFA_VT_LIST,
	.item = &cmfa_vs_string };
/* the removed record's members: an integral time, year 0 to 9999 */
static const struct cmfa_vshape removed_time_shape = { .type = CMFA_VT_INT,
	.flags = CMFA_VS_MIN | CMFA_VS_MAX,
	.min = 0,
	.max = 253402300799LL };
static const struct cmfa_vshape removed_reason_shape = { .type = CMFA_VT_STRING,
	.flags = CMFA_VS_MIN | CMFA_VS_MAX,
	.min = 1,
	.max = 64 };

/* AdminGetUserResponse */
static const struct cmfa_vmember user_members[] = {
	{ "Username", &cmfa_vs_username, true },
	{ "UserAttributes", &attr_list_shape, false },
	{ "UserCreateDate", &cmfa_vs_timestamp, false },
	{ "UserLastModifiedDate", &cmfa_vs_timestamp, false },
	{ "Enabled", &cmfa_vs_bool, false },
	/* any string: a status AWS adds later must not turn every cached
	 * record into a "corrupt cache" denial; the policy never reads it
	 * (an unknown value is CMFA_USER_STATUS_NONE) */
	{ "UserStatus", &cmfa_vs_string, false },
	{ "MFAOptions", &mfa_option_list_shape, false },
	{ "PreferredMfaSetting", &cmfa_vs_string, false },
	{ "UserMFASettingList", &setting_list_shape, false },
	{ CMFA_USER_REMOVED_MEMBER, &removed_time_shape, false },
	{ CMFA_USER_REMOVED_REASON, &removed_reason_shape, false },
};
static const struct cmfa_vshape user_shape = CMFA_VSTRUCT(user_members);

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Refuse the same attribute name twice (sorting: lists can be long). */
static enum cmfa_err
check_attr_dups(const cJSON *list, struct cmfa_verr *verr)
{
	const cJSON *it;
	const char **names, *dup = NULL;
	size_t n = 0, i;
	char shown[160];
	enum cmfa_err err = CMFA_OK;

	cJSON_ArrayForEach(it, list) n++;
	if (n < 2)
		return CMFA_OK;
	if ((names = calloc(n, sizeof(*names))) == NULL) {
		(void)cmfa_v_refuse(verr, CMFA_VTYPE_INVALID, "Out of memory");
		return CMFA_ERR_NOMEM;
	}
	i = 0;
	cJSON_ArrayForEach(it, list) names[i++] = cmfa_v_str(it, "Name");
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(names[i - 1], names[i]) == 0) {
			dup = names[i];
			break;
		}
	}
	if (dup != NULL) {
		cmfa_sanitize(shown, sizeof(shown), dup, strlen(dup));
		err = cmfa_v_refuse(verr, CMFA_VTYPE_INVALID,
		    "Duplicate attribute name: %s", shown);
	}
	free(names);
	return err;
}

static enum cmfa_user_status
status_of(const char *s)
{
	size_t i;

	if (s == NULL)
		return CMFA_USER_STATUS_NONE;
	for (i = 0; user_status[i] != NULL; i++)
		if (strcmp(user_status[i], s) == 0)
			return (enum cmfa_user_status)(i + 1);
	return CMFA_USER_STATUS_NONE;
}

static const char *
attr_in(const cJSON *doc, const char *name)
{
	const cJSON *list = cmfa_v_member(doc, "UserAttributes"), *it;
	const char *n;

	if (!cJSON_IsArray(list))
		return NULL;
	cJSON_ArrayForEach(it, list)
	{
		if ((n = cmfa_v_str(it, "Name")) != NULL &&
		    strcmp(n, name) == 0)
			return cmfa_v_str(it, "Value");
	}
	return NULL;
}

static const char *
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

static bool
is_true(const char *s)
{
	return s != NULL && strcmp(s, "true") == 0;
}

/* Fill u from a validated doc; u takes doc. */
static void
user_fill(cJSON *doc, struct cmfa_user *u)
{
	const cJSON *m, *it;
	const char *s;
	enum cmfa_factor f;

	memset(u, 0, sizeof(*u));
	u->doc = doc;
	u->username = cmfa_v_str(doc, "Username");
	m = cmfa_v_member(doc, "Enabled");
	u->enabled = m == NULL || cJSON_IsTrue(m);
	u->status = status_of(cmfa_v_str(doc, "UserStatus"));
	if ((m = cmfa_v_member(doc, "UserMFASettingList")) != NULL) {
		u->has_mfa_list = true;
		cJSON_ArrayForEach(it, m)
		{
			if (cJSON_IsString(it) &&
			    cmfa_factor_parse(it->valuestring,
			        strlen(it->valuestring), &f) == CMFA_OK)
				u->mfa_list |= CMFA_FBIT(f);
		}
	}
	if ((m = cmfa_v_member(doc, "MFAOptions")) != NULL) {
		cJSON_ArrayForEach(it, m)
		{
			s = cmfa_v_str(it, "DeliveryMedium");
			if (s != NULL && strcmp(s, "SMS") == 0)
				u->legacy_sms = true;
		}
	}
	u->preferred = CMFA_FACTOR_NONE;
	if ((s = cmfa_v_str(doc, "PreferredMfaSetting")) != NULL &&
	    cmfa_factor_parse(s, strlen(s), &f) == CMFA_OK)
		u->preferred = (int)f;
	u->phone_number = nonempty(attr_in(doc, "phone_number"));
	u->email = nonempty(attr_in(doc, "email"));
	u->phone_verified = is_true(attr_in(doc, "phone_number_verified"));
	u->email_verified = is_true(attr_in(doc, "email_verified"));
	if ((m = cmfa_v_member(doc, CMFA_USER_REMOVED_MEMBER)) != NULL) {
		u->removed = true;
		u->removed_at = (int64_t)m->valuedouble;
		u->removed_reason = cmfa_v_str(doc, CMFA_USER_REMOVED_REASON);
	}
}

/*
 * Core-internal (declared in validate.h): validate doc as an AdminGetUser
 * response and, on success, fill *out, which then owns doc.  On failure
 * doc still belongs to the caller and *out is zeroed.
 */
enum cmfa_err
cmfa_user_adopt(cJSON *doc, struct cmfa_user *out, struct cmfa_verr *verr)
{
	struct cmfa_vctx v;
	enum cmfa_err err;

	memset(out, 0, sizeof(*out));
	cmfa_v_init(&v);
	cmfa_v_check(&v, NULL, doc, &user_shape);
	if ((err = cmfa_v_result(&v, verr)) == CMFA_OK)
		err =
		    check_attr_dups(cmfa_v_member(doc, "UserAttributes"), verr);
	cmfa_v_free(&v);
	if (err == CMFA_OK)
		user_fill(doc, out);
	return err;
}

enum cmfa_err
cmfa_user_parse(const char *p, size_t len, struct cmfa_user *out,
    struct cmfa_verr *verr)
{
	cJSON *doc = NULL;
	enum cmfa_err err;

	if (out == NULL)
		return CMFA_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if ((err = cmfa_v_parse_doc(p, len, &doc, verr)) != CMFA_OK)
		goto out;
	if ((err = cmfa_user_adopt(doc, out, verr)) == CMFA_OK)
		doc = NULL;
out:
	cJSON_Delete(doc);
	return err;
}

const char *
cmfa_user_attr(const struct cmfa_user *u, const char *name)
{
	if (u == NULL || name == NULL)
		return NULL;
	return attr_in(u->doc, name);
}

unsigned
cmfa_user_factors(const struct cmfa_user *u)
{
	if (u == NULL)
		return 0;
	if (u->has_mfa_list)
		return u->mfa_list;
	return u->legacy_sms ? CMFA_FBIT(CMFA_FACTOR_SMS) : 0;
}

enum cmfa_err
cmfa_user_new(const char *username, const cJSON *attrs, struct cmfa_user *out,
    struct cmfa_verr *verr)
{
	struct cmfa_vctx v;
	cJSON *doc = NULL;
	enum cmfa_err err;

	if (out == NULL)
		return CMFA_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	cmfa_v_init(&v);
	/* the caller's attributes first: only their Name / Value are kept */
	if (attrs != NULL) {
		cmfa_v_check(&v, "UserAttributes", attrs, &attr_list_shape);
		if ((err = cmfa_v_result(&v, verr)) != CMFA_OK)
			goto out;
	}
	err = CMFA_ERR_NOMEM;
	if ((doc = cJSON_CreateObject()) == NULL ||
	    (username != NULL &&
	        !cmfa_v_add_item(doc, "Username",
	            cJSON_CreateString(username))) ||
	    (attrs != NULL &&
	        !cmfa_v_add_item(doc, "UserAttributes",
	            cmfa_v_copy(attrs, &attr_list_shape, false))) ||
	    !cmfa_v_add_item(doc, "Enabled", cJSON_CreateTrue()) ||
	    !cmfa_v_add_item(doc, "UserStatus",
	        cJSON_CreateString("CONFIRMED"))) {
		(void)cmfa_v_refuse(verr, CMFA_VTYPE_INVALID, "Out of memory");
		goto out;
	}
	if ((err = cmfa_user_adopt(doc, out, verr)) == CMFA_OK)
		doc = NULL;
out:
	cJSON_Delete(doc);
	cmfa_v_free(&v);
	return err;
}

char *
cmfa_user_serialize(const struct cmfa_user *u)
{
	cJSON *copy;
	char *s;

	if (u == NULL || !cJSON_IsObject(u->doc))
		return NULL;
	if ((copy = cmfa_v_copy(u->doc, &user_shape, true)) == NULL)
		return NULL;
	s = cJSON_PrintUnformatted(copy);
	cJSON_Delete(copy);
	return s;
}

void
cmfa_user_free(struct cmfa_user *u)
{
	if (u == NULL)
		return;
	cJSON_Delete(u->doc);
	memset(u, 0, sizeof(*u));
}
