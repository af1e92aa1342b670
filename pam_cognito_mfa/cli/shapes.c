/*
 * shapes.c: the part of the cognito-idp model (2016-04-18, botocore of
 * 2026-08, COGNITO.md section 0) that the AWS CLI itself uses: member
 * order, required members, minimum lengths and values, enums, and which
 * values are secrets.  Maximums and patterns are the service's business
 * (botocore does not check them): core/ and cli/service.c check those
 * with Cognito's messages.
 *
 * The shapes of our own commands (marked "local") follow the model's
 * conventions; associate-software-token and verify-software-token add a
 * Username member to the model's request (the local store has no access
 * tokens).
 */
#include <string.h>

#include "cmfa_cli.h"
#include "cli_int.h"

#define SCALAR(var, t, nm)                                                     \
	const struct cmfa_cli_shape var = { .type = (t), .name = (nm) }
#define SCALAR_MIN(var, t, nm, mn)                                             \
	const struct cmfa_cli_shape var = { .type = (t),                       \
		.name = (nm),                                                  \
		.has_min = true,                                               \
		.min = (mn) }
#define ENUM(var, nm, vals)                                                    \
	const struct cmfa_cli_shape var = { .type = CMFA_CT_STRING,            \
		.name = (nm),                                                  \
		.enums = (vals) }
#define STRUCT(var, nm, mem)                                                   \
	const struct cmfa_cli_shape var = { .type = CMFA_CT_STRUCT,            \
		.name = (nm),                                                  \
		.members = (mem),                                              \
		.nmembers = CMFA_ARRAY_LEN(mem) }
#define LIST(var, nm, it)                                                      \
	const struct cmfa_cli_shape var = { .type = CMFA_CT_LIST,              \
		.name = (nm),                                                  \
		.item = (it) }

/* ---------------------------------------------------------------------- */
/* scalars                                                                */

static const char *const mfa_types[] = { "OFF", "ON", "OPTIONAL", NULL };
static const char *const user_verifications[] = { "required", "preferred",
	NULL };
static const char *const factor_configurations[] = { "SINGLE_FACTOR",
	"MULTI_FACTOR_WITH_USER_VERIFICATION", NULL };
static const char *const message_actions[] = { "RESEND", "SUPPRESS", NULL };
static const char *const delivery_mediums[] = { "SMS", "EMAIL", NULL };
static const char *const user_statuses[] = { "UNCONFIRMED", "CONFIRMED",
	"ARCHIVED", "COMPROMISED", "UNKNOWN", "RESET_REQUIRED",
	"FORCE_CHANGE_PASSWORD", "EXTERNAL_PROVIDER", NULL };
static const char *const verify_statuses[] = { "SUCCESS", "ERROR", NULL };

static SCALAR_MIN(s_string, CMFA_CT_STRING, "StringType", 0);
static SCALAR_MIN(s_pool_id, CMFA_CT_STRING, "UserPoolIdType", 1);
static SCALAR_MIN(s_username, CMFA_CT_STRING, "UsernameType", 1);
static SCALAR(s_bool, CMFA_CT_BOOL, "BooleanType");
static SCALAR_MIN(s_sms_message, CMFA_CT_STRING, "SmsVerificationMessageType",
    6);
static SCALAR_MIN(s_opt_arn, CMFA_CT_STRING, "OptionalArnType", 0);
static SCALAR_MIN(s_region, CMFA_CT_STRING, "RegionCodeType", 5);
static SCALAR_MIN(s_arn, CMFA_CT_STRING, "ArnType", 20);
static SCALAR_MIN(s_email_message, CMFA_CT_STRING, "EmailMfaMessageType", 6);
static SCALAR(s_email_subject, CMFA_CT_STRING, "EmailMfaSubjectType");
static ENUM(s_mfa_type, "UserPoolMfaType", mfa_types);
static SCALAR_MIN(s_rp_id, CMFA_CT_STRING, "RelyingPartyIdType", 1);
static ENUM(s_user_verification, "UserVerificationType", user_verifications);
static ENUM(s_factor_configuration, "WebAuthnFactorConfigurationType",
    factor_configurations);
static SCALAR_MIN(s_attr_name, CMFA_CT_STRING, "AttributeNameType", 1);
static SCALAR(s_attr_value, CMFA_CT_STRING, "AttributeValueType");
static const struct cmfa_cli_shape s_password = { .type = CMFA_CT_STRING,
	.name = "PasswordType",
	.secret = true };
static SCALAR(s_force_alias, CMFA_CT_BOOL, "ForceAliasCreation");
static ENUM(s_message_action, "MessageActionType", message_actions);
static ENUM(s_delivery_medium, "DeliveryMediumType", delivery_mediums);
static SCALAR(s_date, CMFA_CT_TIMESTAMP, "DateType");
static ENUM(s_user_status, "UserStatusType", user_statuses);
static SCALAR_MIN(s_limit, CMFA_CT_INT, "QueryLimitType", 0);
static SCALAR_MIN(s_pagination_token, CMFA_CT_STRING,
    "SearchPaginationTokenType", 1);
static SCALAR(s_filter, CMFA_CT_STRING, "UserFilterType");
static const struct cmfa_cli_shape s_token = { .type = CMFA_CT_STRING,
	.name = "TokenModelType",
	.secret = true };
static const struct cmfa_cli_shape s_session = { .type = CMFA_CT_STRING,
	.name = "SessionType",
	.has_min = true,
	.min = 20,
	.secret = true };
static SCALAR_MIN(s_secret_code, CMFA_CT_STRING, "SecretCodeType", 16);
static const struct cmfa_cli_shape s_user_code = { .type = CMFA_CT_STRING,
	.name = "SoftwareTokenMFAUserCodeType",
	.has_min = true,
	.min = 6,
	.secret = true };
static ENUM(s_verify_status, "VerifySoftwareTokenResponseType",
    verify_statuses);
static SCALAR(s_integer, CMFA_CT_INT, "IntegerType");

/* ---------------------------------------------------------------------- */
/* the pool's MFA configuration                                           */

static const struct cmfa_cli_member eums_m[] = {
	{ "CallerArn", NULL, &s_arn, true },
	{ "ExternalId", NULL, &s_string, false },
	{ "OriginationIdentity", NULL, &s_string, false },
	{ "ConfigurationSetName", NULL, &s_string, false },
	{ "InEntityId", NULL, &s_string, false },
	{ "InTemplateId", NULL, &s_string, false },
	{ "Region", NULL, &s_region, false },
};
static STRUCT(s_eums, "EumsSmsConfigurationType", eums_m);

static const struct cmfa_cli_member sms_conf_m[] = {
	{ "SnsCallerArn", NULL, &s_opt_arn, false },
	{ "ExternalId", NULL, &s_string, false },
	{ "SnsRegion", NULL, &s_region, false },
	{ "EumsSms", NULL, &s_eums, false },
};
static STRUCT(s_sms_conf, "SmsConfigurationType", sms_conf_m);

static const struct cmfa_cli_member sms_mfa_m[] = {
	{ "SmsAuthenticationMessage", NULL, &s_sms_message, false },
	{ "SmsConfiguration", NULL, &s_sms_conf, false },
};
static STRUCT(s_sms_mfa, "SmsMfaConfigType", sms_mfa_m);

static const struct cmfa_cli_member totp_conf_m[] = {
	{ "Enabled", NULL, &s_bool, false },
};
static STRUCT(s_totp_conf, "SoftwareTokenMfaConfigType", totp_conf_m);

static const struct cmfa_cli_member email_conf_m[] = {
	{ "Message", NULL, &s_email_message, false },
	{ "Subject", NULL, &s_email_subject, false },
};
static STRUCT(s_email_conf, "EmailMfaConfigType", email_conf_m);

static const struct cmfa_cli_member webauthn_m[] = {
	{ "RelyingPartyId", NULL, &s_rp_id, false },
	{ "UserVerification", NULL, &s_user_verification, false },
	{ "FactorConfiguration", NULL, &s_factor_configuration, false },
};
static STRUCT(s_webauthn, "WebAuthnConfigurationType", webauthn_m);

static const struct cmfa_cli_member set_pool_req_m[] = {
	{ "UserPoolId", "user-pool-id", &s_pool_id, true },
	{ "SmsMfaConfiguration", "sms-mfa-configuration", &s_sms_mfa, false },
	{ "SoftwareTokenMfaConfiguration", "software-token-mfa-configuration",
	    &s_totp_conf, false },
	{ "EmailMfaConfiguration", "email-mfa-configuration", &s_email_conf,
	    false },
	{ "MfaConfiguration", "mfa-configuration", &s_mfa_type, false },
	{ "WebAuthnConfiguration", "web-authn-configuration", &s_webauthn,
	    false },
};
STRUCT(cmfa_cs_set_pool_req, "SetUserPoolMfaConfigRequest", set_pool_req_m);

static const struct cmfa_cli_member pool_resp_m[] = {
	{ "SmsMfaConfiguration", NULL, &s_sms_mfa, false },
	{ "SoftwareTokenMfaConfiguration", NULL, &s_totp_conf, false },
	{ "EmailMfaConfiguration", NULL, &s_email_conf, false },
	{ "MfaConfiguration", NULL, &s_mfa_type, false },
	{ "WebAuthnConfiguration", NULL, &s_webauthn, false },
};
STRUCT(cmfa_cs_set_pool_resp, "SetUserPoolMfaConfigResponse", pool_resp_m);
STRUCT(cmfa_cs_get_pool_resp, "GetUserPoolMfaConfigResponse", pool_resp_m);

static const struct cmfa_cli_member get_pool_req_m[] = {
	{ "UserPoolId", "user-pool-id", &s_pool_id, true },
};
STRUCT(cmfa_cs_get_pool_req, "GetUserPoolMfaConfigRequest", get_pool_req_m);

/* ---------------------------------------------------------------------- */
/* users                                                                  */

static const struct cmfa_cli_member attr_m[] = {
	{ "Name", NULL, &s_attr_name, true },
	{ "Value", NULL, &s_attr_value, false },
};
static STRUCT(s_attr, "AttributeType", attr_m);
static LIST(s_attr_list, "AttributeListType", &s_attr);
static LIST(s_delivery_list, "DeliveryMediumListType", &s_delivery_medium);
static const struct cmfa_cli_shape s_client_metadata = { .type = CMFA_CT_MAP,
	.name = "ClientMetadataType",
	.item = &s_string };

static const struct cmfa_cli_member mfa_option_m[] = {
	{ "DeliveryMedium", NULL, &s_delivery_medium, false },
	{ "AttributeName", NULL, &s_attr_name, false },
};
static STRUCT(s_mfa_option, "MFAOptionType", mfa_option_m);
static LIST(s_mfa_option_list, "MFAOptionListType", &s_mfa_option);
static LIST(s_mfa_setting_list, "UserMFASettingListType", &s_string);

static const struct cmfa_cli_member user_type_m[] = {
	{ "Username", NULL, &s_username, false },
	{ "Attributes", NULL, &s_attr_list, false },
	{ "UserCreateDate", NULL, &s_date, false },
	{ "UserLastModifiedDate", NULL, &s_date, false },
	{ "Enabled", NULL, &s_bool, false },
	{ "UserStatus", NULL, &s_user_status, false },
	{ "MFAOptions", NULL, &s_mfa_option_list, false },
};
static STRUCT(s_user_type, "UserType", user_type_m);
static LIST(s_users_list, "UsersListType", &s_user_type);

static const struct cmfa_cli_member create_req_m[] = {
	{ "UserPoolId", "user-pool-id", &s_pool_id, true },
	{ "Username", "username", &s_username, true },
	{ "UserAttributes", "user-attributes", &s_attr_list, false },
	{ "ValidationData", "validation-data", &s_attr_list, false },
	{ "TemporaryPassword", "temporary-password", &s_password, false },
	{ "ForceAliasCreation", "force-alias-creation", &s_force_alias, false },
	{ "MessageAction", "message-action", &s_message_action, false },
	{ "DesiredDeliveryMediums", "desired-delivery-mediums",
	    &s_delivery_list, false },
	{ "ClientMetadata", "client-metadata", &s_client_metadata, false },
};
STRUCT(cmfa_cs_create_user_req, "AdminCreateUserRequest", create_req_m);

static const struct cmfa_cli_member create_resp_m[] = {
	{ "User", NULL, &s_user_type, false },
};
STRUCT(cmfa_cs_create_user_resp, "AdminCreateUserResponse", create_resp_m);

static const struct cmfa_cli_member user_req_m[] = {
	{ "UserPoolId", "user-pool-id", &s_pool_id, true },
	{ "Username", "username", &s_username, true },
};
STRUCT(cmfa_cs_get_user_req, "AdminGetUserRequest", user_req_m);
STRUCT(cmfa_cs_delete_user_req, "AdminDeleteUserRequest", user_req_m);

static const struct cmfa_cli_member get_user_resp_m[] = {
	{ "Username", NULL, &s_username, true },
	{ "UserAttributes", NULL, &s_attr_list, false },
	{ "UserCreateDate", NULL, &s_date, false },
	{ "UserLastModifiedDate", NULL, &s_date, false },
	{ "Enabled", NULL, &s_bool, false },
	{ "UserStatus", NULL, &s_user_status, false },
	{ "MFAOptions", NULL, &s_mfa_option_list, false },
	{ "PreferredMfaSetting", NULL, &s_string, false },
	{ "UserMFASettingList", NULL, &s_mfa_setting_list, false },
};
STRUCT(cmfa_cs_get_user_resp, "AdminGetUserResponse", get_user_resp_m);

static const struct cmfa_cli_member update_req_m[] = {
	{ "UserPoolId", "user-pool-id", &s_pool_id, true },
	{ "Username", "username", &s_username, true },
	{ "UserAttributes", "user-attributes", &s_attr_list, true },
	{ "ClientMetadata", "client-metadata", &s_client_metadata, false },
};
STRUCT(cmfa_cs_update_user_req, "AdminUpdateUserAttributesRequest",
    update_req_m);

static LIST(s_attr_names, "SearchedAttributeNamesListType", &s_attr_name);
static const struct cmfa_cli_member list_req_m[] = {
	{ "UserPoolId", "user-pool-id", &s_pool_id, true },
	{ "AttributesToGet", "attributes-to-get", &s_attr_names, false },
	{ "Limit", "limit", &s_limit, false },
	{ "PaginationToken", "pagination-token", &s_pagination_token, false },
	{ "Filter", "filter", &s_filter, false },
};
STRUCT(cmfa_cs_list_users_req, "ListUsersRequest", list_req_m);

static const struct cmfa_cli_member list_resp_m[] = {
	{ "Users", NULL, &s_users_list, false },
	{ "PaginationToken", NULL, &s_pagination_token, false },
};
STRUCT(cmfa_cs_list_users_resp, "ListUsersResponse", list_resp_m);

/* ---------------------------------------------------------------------- */
/* MFA preference and TOTP                                                */

static const struct cmfa_cli_member setting_m[] = {
	{ "Enabled", NULL, &s_bool, false },
	{ "PreferredMfa", NULL, &s_bool, false },
};
static STRUCT(s_sms_settings, "SMSMfaSettingsType", setting_m);
static STRUCT(s_totp_settings, "SoftwareTokenMfaSettingsType", setting_m);
static STRUCT(s_email_settings, "EmailMfaSettingsType", setting_m);
static const struct cmfa_cli_member webauthn_settings_m[] = {
	{ "Enabled", NULL, &s_bool, false },
};
static STRUCT(s_webauthn_settings, "WebAuthnMfaSettingsType",
    webauthn_settings_m);

static const struct cmfa_cli_member set_pref_req_m[] = {
	{ "SMSMfaSettings", "sms-mfa-settings", &s_sms_settings, false },
	{ "SoftwareTokenMfaSettings", "software-token-mfa-settings",
	    &s_totp_settings, false },
	{ "EmailMfaSettings", "email-mfa-settings", &s_email_settings, false },
	{ "WebAuthnMfaSettings", "web-authn-mfa-settings", &s_webauthn_settings,
	    false },
	{ "Username", "username", &s_username, true },
	{ "UserPoolId", "user-pool-id", &s_pool_id, true },
};
STRUCT(cmfa_cs_set_pref_req, "AdminSetUserMFAPreferenceRequest",
    set_pref_req_m);

/* the user's own: the Cognito API only (the AccessToken names the user) */
static const struct cmfa_cli_member set_user_pref_req_m[] = {
	{ "SMSMfaSettings", "sms-mfa-settings", &s_sms_settings, false },
	{ "SoftwareTokenMfaSettings", "software-token-mfa-settings",
	    &s_totp_settings, false },
	{ "EmailMfaSettings", "email-mfa-settings", &s_email_settings, false },
	{ "WebAuthnMfaSettings", "web-authn-mfa-settings", &s_webauthn_settings,
	    false },
	{ "AccessToken", "access-token", &s_token, true },
};
STRUCT(cmfa_cs_set_user_pref_req, "SetUserMFAPreferenceRequest",
    set_user_pref_req_m);

/* local: the model's request plus Username */
static const struct cmfa_cli_member associate_req_m[] = {
	{ "AccessToken", "access-token", &s_token, false },
	{ "Session", "session", &s_session, false },
	{ "Username", "username", &s_username, false },
};
STRUCT(cmfa_cs_associate_req, "AssociateSoftwareTokenRequest", associate_req_m);

static const struct cmfa_cli_member associate_resp_m[] = {
	{ "SecretCode", NULL, &s_secret_code, false },
	{ "Session", NULL, &s_session, false },
};
STRUCT(cmfa_cs_associate_resp, "AssociateSoftwareTokenResponse",
    associate_resp_m);

static const struct cmfa_cli_member verify_req_m[] = {
	{ "AccessToken", "access-token", &s_token, false },
	{ "Session", "session", &s_session, false },
	{ "UserCode", "user-code", &s_user_code, true },
	{ "FriendlyDeviceName", "friendly-device-name", &s_string, false },
	{ "Username", "username", &s_username, false },
};
STRUCT(cmfa_cs_verify_req, "VerifySoftwareTokenRequest", verify_req_m);

static const struct cmfa_cli_member verify_resp_m[] = {
	{ "Status", NULL, &s_verify_status, false },
	{ "Session", NULL, &s_session, false },
};
STRUCT(cmfa_cs_verify_resp, "VerifySoftwareTokenResponse", verify_resp_m);

/* ---------------------------------------------------------------------- */
/* local commands                                                         */

static const struct cmfa_cli_member username_req_m[] = {
	{ "Username", "username", &s_username, true },
};
STRUCT(cmfa_cs_remove_token_req, "AdminRemoveSoftwareTokenRequest",
    username_req_m);
STRUCT(cmfa_cs_reset_lockout_req, "AdminResetUserLockoutRequest",
    username_req_m);

static const struct cmfa_cli_member no_members[1];
const struct cmfa_cli_shape cmfa_cs_list_locked_req = { .type = CMFA_CT_STRUCT,
	.name = "ListLockedUsersRequest",
	.members = no_members,
	.nmembers = 0 };

static const struct cmfa_cli_member locked_user_m[] = {
	{ "Username", NULL, &s_username, false },
	{ "Failures", NULL, &s_integer, false },
	{ "LockedUntil", NULL, &s_date, false },
	{ "RemainingSeconds", NULL, &s_integer, false },
};
static STRUCT(s_locked_user, "LockedUserType", locked_user_m);
static LIST(s_locked_users, "LockedUsersListType", &s_locked_user);
static const struct cmfa_cli_member list_locked_resp_m[] = {
	{ "Users", NULL, &s_locked_users, false },
};
STRUCT(cmfa_cs_list_locked_resp, "ListLockedUsersResponse", list_locked_resp_m);

static const struct cmfa_cli_member explain_req_m[] = {
	{ "Username", "username", &s_username, true },
	{ "Service", "service", &s_string, false },
};
STRUCT(cmfa_cs_explain_req, "ExplainRequest", explain_req_m);

static LIST(s_factor_list, "FactorListType", &s_string);
static const struct cmfa_cli_member explain_resp_m[] = {
	{ "Username", NULL, &s_string, false },
	{ "Service", NULL, &s_string, false },
	{ "Outcome", NULL, &s_string, false },
	{ "Reason", NULL, &s_string, false },
	{ "Factor", NULL, &s_string, false },
	{ "Choices", NULL, &s_factor_list, false },
	{ "Setup", NULL, &s_factor_list, false },
	{ "Unservable", NULL, &s_factor_list, false },
	{ "PamResult", NULL, &s_string, false },
	{ "Store", NULL, &s_string, false },
	{ "CacheSynced", NULL, &s_date, false },
	{ "LockedSeconds", NULL, &s_integer, false },
};
STRUCT(cmfa_cs_explain_resp, "ExplainResponse", explain_resp_m);

const struct cmfa_cli_member *
cmfa_cli_shape_member(const struct cmfa_cli_shape *s, const char *name)
{
	size_t i;

	if (s == NULL || s->type != CMFA_CT_STRUCT || name == NULL)
		return NULL;
	for (i = 0; i < s->nmembers; i++)
		if (strcmp(s->members[i].name, name) == 0)
			return &s->members[i];
	return NULL;
}
