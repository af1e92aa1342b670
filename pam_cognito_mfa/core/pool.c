/*
 * pool.c: the user pool MFA configuration (GetUserPoolMfaConfig response,
 * SetUserPoolMfaConfig request).
 *
 * Choices where COGNITO.md is silent (for the README):
 *  - SetUserPoolMfaConfig is a full replacement (COGNITO.md 3.1 [INF]): a
 *    block left out is that factor off, and MfaConfiguration left out is
 *    OFF.  So a request with a factor block and no MfaConfiguration is
 *    refused like "OFF plus a block".
 *  - "OFF plus a block" counts any SmsMfaConfiguration,
 *    SoftwareTokenMfaConfiguration (even {"Enabled": false}) or
 *    EmailMfaConfiguration, as the observed message reads.  ON / OPTIONAL
 *    need SMS configured, TOTP enabled or email configured; a
 *    WebAuthnConfiguration alone does not count as an MFA.
 *  - A non-empty SnsCallerArn together with EumsSms is refused: "Invalid
 *    SMS configuration given, SnsCallerArn and EumsSms can't be set
 *    together." [INF: Cognito's wording unknown].
 *  - EumsSms.Region must be the pool's region when the UserPoolId prefix
 *    looks like a region (us-east-1_...): "Invalid SMS configuration given,
 *    EumsSms Region must be the user pool's region." [INF].
 *  - Unknown members of a request are dropped (Cognito ignores them), so
 *    the stored configuration is what GetUserPoolMfaConfig would return;
 *    unknown members of a cached response are kept.
 *  - An empty SnsCallerArn (allowed by OptionalArnType) is no ARN:
 *    sns_caller_arn is NULL.
 *  - Responses get the structural checks only (types, enums, lengths,
 *    patterns), not the semantic rules: a real pool with MFA OFF can
 *    return its SmsMfaConfiguration.
 */
#include <string.h>

#include "cmfa_core.h"
#include "validate.h"

static const char *const user_verification[] = { "required", "preferred",
	NULL };
static const char *const factor_configuration[] = { "SINGLE_FACTOR",
	"MULTI_FACTOR_WITH_USER_VERIFICATION", NULL };

/* SmsVerificationMessageType */
static const struct cmfa_vshape sms_message_shape = { .type = CMFA_VT_STRING,
	.flags = CMFA_VS_MIN | CMFA_VS_MAX,
	.min = 6,
	.max = 140,
	.pattern = CMFA_VPAT_SMS_MSG };
/* EmailMfaMessageType */
static const struct cmfa_vshape email_message_shape = { .type = CMFA_VT_STRING,
	.flags = CMFA_VS_MIN | CMFA_VS_MAX,
	.min = 6,
	.max = 20000,
	.pattern = CMFA_VPAT_EMAIL_MSG };
/* EmailMfaSubjectType */
static const struct cmfa_vshape email_subject_shape = { .type = CMFA_VT_STRING,
	.pattern = CMFA_VPAT_EMAIL_SUBJECT };
static const struct cmfa_vshape rp_id_shape = { /* RelyingPartyIdType */
	.type = CMFA_VT_STRING,
	.flags = CMFA_VS_MIN | CMFA_VS_MAX,
	.min = 1,
	.max = 127
};
static const struct cmfa_vshape user_verification_shape = { .type =
	                                                        CMFA_VT_STRING,
	.enums = user_verification };
static const struct cmfa_vshape factor_configuration_shape = {
	.type = CMFA_VT_STRING,
	.enums = factor_configuration
};

static const struct cmfa_vmember eums_members[] = {
	{ "CallerArn", &cmfa_vs_arn, true },
	{ "ExternalId", &cmfa_vs_string, false },
	{ "OriginationIdentity", &cmfa_vs_string, false },
	{ "ConfigurationSetName", &cmfa_vs_string, false },
	{ "InEntityId", &cmfa_vs_string, false },
	{ "InTemplateId", &cmfa_vs_string, false },
	{ "Region", &cmfa_vs_region, false },
};
static const struct cmfa_vshape eums_shape = CMFA_VSTRUCT(eums_members);

static const struct cmfa_vmember sms_conf_members[] = {
	{ "SnsCallerArn", &cmfa_vs_opt_arn, false },
	{ "ExternalId", &cmfa_vs_string, false },
	{ "SnsRegion", &cmfa_vs_region, false },
	{ "EumsSms", &eums_shape, false },
};
static const struct cmfa_vshape sms_conf_shape = CMFA_VSTRUCT(sms_conf_members);

static const struct cmfa_vmember sms_mfa_members[] = {
	{ "SmsAuthenticationMessage", &sms_message_shape, false },
	{ "SmsConfiguration", &sms_conf_shape, false },
};
static const struct cmfa_vshape sms_mfa_shape = CMFA_VSTRUCT(sms_mfa_members);

static const struct cmfa_vmember totp_members[] = {
	{ "Enabled", &cmfa_vs_bool, false },
};
static const struct cmfa_vshape totp_shape = CMFA_VSTRUCT(totp_members);

static const struct cmfa_vmember email_members[] = {
	{ "Message", &email_message_shape, false },
	{ "Subject", &email_subject_shape, false },
};
static const struct cmfa_vshape email_shape = CMFA_VSTRUCT(email_members);

static const struct cmfa_vmember webauthn_members[] = {
	{ "RelyingPartyId", &rp_id_shape, false },
	{ "UserVerification", &user_verification_shape, false },
	{ "FactorConfiguration", &factor_configuration_shape, false },
};
static const struct cmfa_vshape webauthn_shape = CMFA_VSTRUCT(webauthn_members);

/* The five configuration members, in the model's order: the whole of
 * GetUserPoolMfaConfigResponse / SetUserPoolMfaConfigResponse, and of
 * SetUserPoolMfaConfigRequest after its UserPoolId. */
/* clang-format off */
#define POOL_CONFIG_MEMBERS                                                    \
	{ "SmsMfaConfiguration", &sms_mfa_shape, false },                      \
	{ "SoftwareTokenMfaConfiguration", &totp_shape, false },               \
	{ "EmailMfaConfiguration", &email_shape, false },                      \
	{ "MfaConfiguration", &cmfa_vs_mfa_level, false },                     \
	{ "WebAuthnConfiguration", &webauthn_shape, false }
/* clang-format on */

static const struct cmfa_vmember response_members[] = { POOL_CONFIG_MEMBERS };
static const struct cmfa_vshape response_shape = CMFA_VSTRUCT(response_members);

/* SetUserPoolMfaConfigRequest */
static const struct cmfa_vmember request_members[] = {
	{ "UserPoolId", &cmfa_vs_pool_id, true },
	POOL_CONFIG_MEMBERS,
};
static const struct cmfa_vshape request_shape = CMFA_VSTRUCT(request_members);

/* Fill c from a validated doc; c takes doc. */
static void
pool_fill(cJSON *doc, struct cmfa_pool_config *c, bool request)
{
	const cJSON *sms, *conf, *blk;
	const char *s;

	memset(c, 0, sizeof(*c));
	c->doc = doc;
	c->mfa = CMFA_MFA_OFF;
	if ((s = cmfa_v_str(doc, "MfaConfiguration")) != NULL)
		(void)cmfa_mfa_level_parse(s, strlen(s), &c->mfa);
	if ((sms = cmfa_v_member(doc, "SmsMfaConfiguration")) != NULL) {
		c->sms = true;
		c->sms_message = cmfa_v_str(sms, "SmsAuthenticationMessage");
		conf = cmfa_v_member(sms, "SmsConfiguration");
		c->sns_caller_arn = cmfa_v_str(conf, "SnsCallerArn");
		if (c->sns_caller_arn != NULL && c->sns_caller_arn[0] == '\0')
			c->sns_caller_arn = NULL;
		c->sns_external_id = cmfa_v_str(conf, "ExternalId");
		c->sns_region = cmfa_v_str(conf, "SnsRegion");
	}
	blk = cmfa_v_member(doc, "SoftwareTokenMfaConfiguration");
	c->totp = cJSON_IsTrue(cmfa_v_member(blk, "Enabled"));
	if ((blk = cmfa_v_member(doc, "EmailMfaConfiguration")) != NULL) {
		c->email = true;
		c->email_message = cmfa_v_str(blk, "Message");
		c->email_subject = cmfa_v_str(blk, "Subject");
	}
	c->webauthn = cmfa_v_member(doc, "WebAuthnConfiguration") != NULL;
	c->user_pool_id = request ? cmfa_v_str(doc, "UserPoolId") : NULL;
}

unsigned
cmfa_pool_factors(const struct cmfa_pool_config *cfg)
{
	unsigned f = 0;

	if (cfg == NULL)
		return 0;
	if (cfg->sms)
		f |= CMFA_FBIT(CMFA_FACTOR_SMS);
	if (cfg->totp)
		f |= CMFA_FBIT(CMFA_FACTOR_TOTP);
	if (cfg->email)
		f |= CMFA_FBIT(CMFA_FACTOR_EMAIL);
	return f;
}

enum cmfa_err
cmfa_pool_parse(const char *p, size_t len, struct cmfa_pool_config *out,
    struct cmfa_verr *verr)
{
	struct cmfa_vctx v;
	cJSON *doc = NULL;
	enum cmfa_err err;

	if (out == NULL)
		return CMFA_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	cmfa_v_init(&v);
	if ((err = cmfa_v_parse_doc(p, len, &doc, verr)) != CMFA_OK)
		goto out;
	cmfa_v_check(&v, NULL, doc, &response_shape);
	if ((err = cmfa_v_result(&v, verr)) != CMFA_OK)
		goto out;
	pool_fill(doc, out, false);
	doc = NULL;
out:
	cJSON_Delete(doc);
	cmfa_v_free(&v);
	return err;
}

/* "us-east-1", "us-gov-west-1": [a-z]+(-[a-z]+)+-[0-9]+ */
static bool
looks_like_region(const char *s, size_t n)
{
	size_t i, parts = 1, seglen = 0;
	bool digits = false;

	for (i = 0; i < n; i++) {
		if (s[i] == '-') {
			if (seglen == 0 || digits)
				return false;
			parts++;
			seglen = 0;
			continue;
		}
		if (s[i] >= '0' && s[i] <= '9') {
			if (seglen > 0 && !digits)
				return false;
			digits = true;
		} else if (s[i] < 'a' || s[i] > 'z' || digits)
			return false;
		seglen++;
	}
	return parts >= 3 && seglen > 0 && digits;
}

/* COGNITO.md 3.1, after the model's constraints passed. */
static enum cmfa_err
pool_semantics(const cJSON *doc, struct cmfa_verr *verr)
{
	enum cmfa_mfa_level level = CMFA_MFA_OFF;
	const cJSON *sms, *totp, *email, *conf, *eums;
	const char *s, *arn, *pool_id, *region, *us;
	bool totp_on;

	if ((s = cmfa_v_str(doc, "MfaConfiguration")) != NULL)
		(void)cmfa_mfa_level_parse(s, strlen(s), &level);
	sms = cmfa_v_member(doc, "SmsMfaConfiguration");
	totp = cmfa_v_member(doc, "SoftwareTokenMfaConfiguration");
	email = cmfa_v_member(doc, "EmailMfaConfiguration");
	totp_on = cJSON_IsTrue(cmfa_v_member(totp, "Enabled"));

	if (level == CMFA_MFA_OFF &&
	    (sms != NULL || totp != NULL || email != NULL))
		return cmfa_v_refuse(verr, CMFA_VTYPE_INVALID,
		    "Invalid MFA configuration given, can't turn off MFA "
		    "and configure an MFA together.");
	if (level != CMFA_MFA_OFF && sms == NULL && !totp_on && email == NULL)
		return cmfa_v_refuse(verr, CMFA_VTYPE_INVALID,
		    "Invalid MFA configuration given, can't disable all MFAs "
		    "with a required or optional configuration.");

	conf = cmfa_v_member(sms, "SmsConfiguration");
	arn = cmfa_v_str(conf, "SnsCallerArn");
	eums = cmfa_v_member(conf, "EumsSms");
	if (arn != NULL && arn[0] != '\0' && eums != NULL)
		return cmfa_v_refuse(verr, CMFA_VTYPE_INVALID,
		    "Invalid SMS configuration given, SnsCallerArn and EumsSms "
		    "can't be set together.");
	region = cmfa_v_str(eums, "Region");
	pool_id = cmfa_v_str(doc, "UserPoolId");
	if (region != NULL && pool_id != NULL &&
	    (us = strrchr(pool_id, '_')) != NULL &&
	    looks_like_region(pool_id, (size_t)(us - pool_id)) &&
	    (strlen(region) != (size_t)(us - pool_id) ||
	        memcmp(region, pool_id, (size_t)(us - pool_id)) != 0))
		return cmfa_v_refuse(verr, CMFA_VTYPE_INVALID,
		    "Invalid SMS configuration given, EumsSms Region must be "
		    "the user pool's region.");
	return CMFA_OK;
}

enum cmfa_err
cmfa_pool_request_parse(const char *p, size_t len, struct cmfa_pool_config *out,
    struct cmfa_verr *verr)
{
	struct cmfa_vctx v;
	cJSON *doc = NULL, *pruned = NULL;
	enum cmfa_err err;

	if (out == NULL)
		return CMFA_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	cmfa_v_init(&v);
	if ((err = cmfa_v_parse_doc(p, len, &doc, verr)) != CMFA_OK)
		goto out;
	cmfa_v_check(&v, NULL, doc, &request_shape);
	if ((err = cmfa_v_result(&v, verr)) != CMFA_OK)
		goto out;
	if ((err = pool_semantics(doc, verr)) != CMFA_OK)
		goto out;
	if ((pruned = cmfa_v_copy(doc, &request_shape, false)) == NULL) {
		(void)cmfa_v_refuse(verr, CMFA_VTYPE_INVALID, "Out of memory");
		err = CMFA_ERR_NOMEM;
		goto out;
	}
	pool_fill(pruned, out, true);
	pruned = NULL;
	err = CMFA_OK;
out:
	cJSON_Delete(doc);
	cJSON_Delete(pruned);
	cmfa_v_free(&v);
	return err;
}

char *
cmfa_pool_serialize(const struct cmfa_pool_config *cfg)
{
	const struct cmfa_vmember *m;
	const cJSON *src;
	cJSON *obj, *item;
	char *s = NULL;
	size_t i;

	if (cfg == NULL || (obj = cJSON_CreateObject()) == NULL)
		return NULL;
	for (i = 0; i < response_shape.nmembers; i++) {
		m = &response_shape.members[i];
		if (strcmp(m->name, "MfaConfiguration") == 0)
			item =
			    cJSON_CreateString(cmfa_mfa_level_name(cfg->mfa));
		else if ((src = cmfa_v_member(cfg->doc, m->name)) == NULL)
			continue;
		else
			item = cmfa_v_copy(src, m->shape, true);
		if (!cmfa_v_add_item(obj, m->name, item))
			goto out;
	}
	/* unknown members after the model's, in order; never UserPoolId */
	if (cJSON_IsObject(cfg->doc)) {
		cJSON_ArrayForEach(src, cfg->doc)
		{
			if (src->string == NULL ||
			    cmfa_v_is_member(&response_shape, src->string) ||
			    strcmp(src->string, "UserPoolId") == 0)
				continue;
			if (!cmfa_v_add_item(obj, src->string,
			        cJSON_Duplicate(src, 1)))
				goto out;
		}
	}
	s = cJSON_PrintUnformatted(obj);
out:
	cJSON_Delete(obj);
	return s;
}

void
cmfa_pool_free(struct cmfa_pool_config *cfg)
{
	if (cfg == NULL)
		return;
	cJSON_Delete(cfg->doc);
	memset(cfg, 0, sizeof(*cfg));
}
