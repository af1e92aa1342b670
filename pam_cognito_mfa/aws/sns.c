/*
 * sns.c: an SMS code through Amazon SNS, the way Cognito sends its own
 * (COGNITO.md 1.13; DESIGN.md D4).
 *
 * With the pool's SnsCallerArn: STS AssumeRole (RoleArn, RoleSessionName
 * "cognito-mfa-<epoch>" unless the caller names one, ExternalId,
 * DurationSeconds 900: the shortest STS allows, the role's credentials
 * serve one Publish) signed with the client's credentials at the STS
 * endpoint of the SNS region, then SNS Publish in that region signed with
 * the role's credentials, which are wiped as soon as the Publish is over.
 * Without it (sms_assume_role = no), Publish with the client's own
 * credentials.  Each call assumes the role afresh: a code is sent at most
 * a few times an hour per user, and keeping role credentials around would
 * only widen what a core dump could show.
 *
 * The Publish is botocore's for sns.publish(PhoneNumber=..., Message=...,
 * MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String",
 * "StringValue": "Transactional"}}) byte for byte (checked in
 * test_aws_deliver against botocore's serializer and signer):
 * Transactional is what OTPs are sent as (delivery over cost).
 *
 * The message holds the code: it goes into the request body and nowhere
 * else (no error, no log).  SNS errors name the phone number at most.
 */
#include <stdio.h>
#include <string.h>

#include "creds_int.h"

#define SNS_VERSION "2010-03-31"
#define SNS_ROLE_SECONDS "900"
#define SNS_MESSAGE_MAX 16384u /* SMS are far shorter; a sanity cap */

/* E.164: '+', a non-zero digit, up to 15 digits in all. */
static bool
e164(const char *p)
{
	size_t n;

	if (p == NULL || p[0] != '+' || p[1] < '1' || p[1] > '9')
		return false;
	n = strspn(p + 1, "0123456789");
	return n >= 2 && n <= 15 && p[1 + n] == '\0';
}

static bool
set(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* The region, the SNS endpoint and the STS endpoint for m. */
struct sns_target {
	const char *region;
	char sns[512];
	char sts[512];
};

static enum cmfa_err
sms_target(struct cmfa_aws *a, const struct cmfa_sns_sms *m,
    struct sns_target *t, struct cmfa_aws_error *err)
{
	int n1, n2;

	t->region = set(m->region) ? m->region : cmfa_aws_region(a);
	if (!cmfa_aws_region_ok(t->region)) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "Provided region_name '%s' doesn't match a supported "
		    "format.",
		    t->region);
		return CMFA_ERR_INVAL;
	}
	n1 = set(m->sns_endpoint_url)
	    ? snprintf(t->sns, sizeof(t->sns), "%s", m->sns_endpoint_url)
	    : snprintf(t->sns, sizeof(t->sns), "https://sns.%s.amazonaws.com",
	          t->region);
	n2 = set(m->sts_endpoint_url)
	    ? snprintf(t->sts, sizeof(t->sts), "%s", m->sts_endpoint_url)
	    : snprintf(t->sts, sizeof(t->sts), "https://sts.%s.amazonaws.com",
	          t->region);
	if (n1 < 0 || (size_t)n1 >= sizeof(t->sns) || n2 < 0 ||
	    (size_t)n2 >= sizeof(t->sts)) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The SNS or STS endpoint URL is too long");
		return CMFA_ERR_INVAL;
	}
	return CMFA_OK;
}

static enum cmfa_err
sms_check(const struct cmfa_sns_sms *m, struct cmfa_aws_error *err)
{
	if (m == NULL || !e164(m->phone)) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The phone number is not in E.164 form "
		    "(+ and up to 15 digits)");
		return CMFA_ERR_INVAL;
	}
	if (!set(m->message) || strlen(m->message) > SNS_MESSAGE_MAX ||
	    !cmfa_utf8_valid(m->message, strlen(m->message))) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The SMS text is empty, too long or not UTF-8");
		return CMFA_ERR_INVAL;
	}
	if (m->role_arn != NULL && m->role_arn[0] == '\0') {
		/* never fall back to the host's credentials silently */
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The SNS caller role ARN is empty");
		return CMFA_ERR_INVAL;
	}
	return CMFA_OK;
}

/* AssumeRole of m->role_arn at the SNS region's STS. */
static enum cmfa_err
assume(struct cmfa_aws *a, const struct cmfa_aws_credentials *host,
    const struct cmfa_sns_sms *m, const struct sns_target *t,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	struct cmfa_sts_role r;
	char session[64];

	(void)snprintf(session, sizeof(session), "cognito-mfa-%lld",
	    (long long)cmfa_aws_now(a));
	memset(&r, 0, sizeof(r));
	r.role_arn = m->role_arn;
	r.session_name = set(m->session_name) ? m->session_name : session;
	r.external_id = m->external_id;
	r.duration = SNS_ROLE_SECONDS;
	r.region = t->region;
	r.endpoint = t->sts;
	return cmfa_sts_assume(a, host, &r, "assume-role", out, err);
}

static void
copy_id(const struct cmfa_buf *xml, char *out, size_t outsz)
{
	if (out == NULL || outsz == 0)
		return;
	if (cmfa_xml_text((const char *)xml->p, xml->len,
	        "PublishResult/MessageId", out, outsz) != CMFA_OK)
		out[0] = '\0';
}

static enum cmfa_err
publish(struct cmfa_aws *a, const struct cmfa_aws_credentials *creds,
    const struct cmfa_sns_sms *m, const struct sns_target *t, char *id,
    size_t idsz, struct cmfa_aws_error *err)
{
	struct cmfa_http_header p[7] = {
		{ "Action", "Publish" },
		{ "Version", SNS_VERSION },
		{ "PhoneNumber", m->phone },
		{ "Message", m->message },
		{ "MessageAttributes.entry.1.Name", "AWS.SNS.SMS.SMSType" },
		{ "MessageAttributes.entry.1.Value.DataType", "String" },
		{ "MessageAttributes.entry.1.Value.StringValue",
		    "Transactional" },
	};
	struct cmfa_aws_call call;
	enum cmfa_err e;

	memset(&call, 0, sizeof(call));
	call.op = "Publish";
	e = cmfa_aws_query(a, t->sns, "sns", t->region, creds, p,
	    CMFA_ARRAY_LEN(p), &call);
	if (e == CMFA_OK)
		copy_id(&call.response, id, idsz);
	else
		*err = call.error;
	cmfa_aws_call_release(&call);
	return e;
}

enum cmfa_err
cmfa_aws_sns_publish(struct cmfa_aws *a, const struct cmfa_sns_sms *m,
    char *message_id, size_t idsz, struct cmfa_aws_error *err)
{
	const struct cmfa_aws_credentials *host;
	struct cmfa_aws_credentials role;
	struct sns_target t;
	enum cmfa_err e;

	memset(err, 0, sizeof(*err));
	if (a == NULL)
		return CMFA_ERR_INVAL;
	if ((e = sms_check(m, err)) != CMFA_OK ||
	    (e = sms_target(a, m, &t, err)) != CMFA_OK ||
	    (e = cmfa_aws_creds(a, &host, err)) != CMFA_OK)
		return e;
	if (m->role_arn == NULL)
		return publish(a, host, m, &t, message_id, idsz, err);
	memset(&role, 0, sizeof(role));
	if ((e = assume(a, host, m, &t, &role, err)) == CMFA_OK)
		e = publish(a, &role, m, &t, message_id, idsz, err);
	cmfa_aws_credentials_release(&role);
	return e;
}
