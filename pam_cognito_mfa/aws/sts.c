/*
 * sts.c: STS AssumeRole (signed with the source credentials) and
 * AssumeRoleWithWebIdentity (unsigned), as botocore's
 * AssumeRoleCredentialFetcher and AssumeRoleWithWebIdentityCredentialFetcher
 * call them, over the query protocol (query.c).
 *
 * The endpoint is the regional one, https://sts.<region>.amazonaws.com,
 * as the AWS CLI v2 uses (sts_regional_endpoints = regional); the host
 * config's sts_endpoint_url or AWS_ENDPOINT_URL_STS (botocore's
 * service-specific endpoint variable) replace it.
 *
 * An STS error while resolving credentials is reported whole in the
 * message ("An error occurred (AccessDenied) when calling the AssumeRole
 * operation: ...") with kind CONFIG: the caller's own operation is not
 * the one that failed.  Nothing secret is in it: STS messages name the
 * role and the caller, never a key.
 */
#include <stdio.h>
#include <string.h>

#include "creds_int.h"

#define STS_VERSION "2011-06-15"

enum cmfa_err
cmfa_sts_endpoint(const struct cmfa_aws *a, char *out, size_t outsz)
{
	const char *ep = a->s.sts_endpoint_url;
	int n;

	if (ep == NULL || ep[0] == '\0')
		ep = cmfa_aws_getenv(&a->s, "AWS_ENDPOINT_URL_STS");
	if (ep != NULL && ep[0] != '\0')
		n = snprintf(out, outsz, "%s", ep);
	else if (a->region[0] != '\0')
		n = snprintf(out, outsz, "https://sts.%s.amazonaws.com",
		    a->region);
	else
		n = snprintf(out, outsz, "https://sts.amazonaws.com");
	return n < 0 || (size_t)n >= outsz ? CMFA_ERR_TOOBIG : CMFA_OK;
}

/* The caller's endpoint for this role, else the client's STS endpoint. */
static enum cmfa_err
sts_target(const struct cmfa_aws *a, const struct cmfa_sts_role *r, char *out,
    size_t outsz)
{
	int n;

	if (r->endpoint == NULL)
		return cmfa_sts_endpoint(a, out, outsz);
	n = snprintf(out, outsz, "%s", r->endpoint);
	return n < 0 || (size_t)n >= outsz ? CMFA_ERR_TOOBIG : CMFA_OK;
}

/* One credential field of the answer, for `what` in
 * "<Action>Result/Credentials/<what>". */
static enum cmfa_err
field(const char *action, const struct cmfa_buf *xml, const char *what,
    char *out, size_t outsz)
{
	char path[128];

	snprintf(path, sizeof(path), "%sResult/Credentials/%s", action, what);
	return cmfa_xml_text((const char *)xml->p, xml->len, path, out, outsz);
}

static enum cmfa_err
parse_answer(const char *action, const struct cmfa_buf *xml, const char *source,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	char id[CMFA_AWS_KEY_MAX + 1], secret[CMFA_AWS_KEY_MAX + 1];
	char token[CMFA_SIGV4_MAX_TOKEN + 1], exp[64];
	int64_t t = 0;
	enum cmfa_err e;

	if ((e = field(action, xml, "AccessKeyId", id, sizeof(id))) ==
	        CMFA_OK &&
	    (e = field(action, xml, "SecretAccessKey", secret,
	         sizeof(secret))) == CMFA_OK &&
	    (e = field(action, xml, "SessionToken", token, sizeof(token))) ==
	        CMFA_OK &&
	    (e = field(action, xml, "Expiration", exp, sizeof(exp))) == CMFA_OK)
		e = cmfa_creds_parse_time(exp, strlen(exp), &t);
	if (e == CMFA_OK)
		e = cmfa_creds_set(out, id, secret, token, t, source);
	if (e != CMFA_OK && e != CMFA_ERR_NOMEM)
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The %s response did not hold usable credentials", action);
	cmfa_memzero(secret, sizeof(secret));
	cmfa_memzero(token, sizeof(token));
	return e;
}

static void
sts_error(const char *action, const struct cmfa_aws_error *call,
    struct cmfa_aws_error *err)
{
	if (call->kind != CMFA_AWSERR_SERVICE) {
		*err = *call; /* transport: already the CLI's words */
		return;
	}
	cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
	    "An error occurred (%s) when calling the %s operation: %s",
	    call->type, action, call->message);
	err->status = call->status;
	memcpy(err->type, call->type, sizeof(err->type));
	err->attempts = call->attempts;
	err->max_retries = call->max_retries;
}

enum cmfa_err
cmfa_sts_assume(struct cmfa_aws *a, const struct cmfa_aws_credentials *src,
    const struct cmfa_sts_role *r, const char *source,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	const char *action =
	    src != NULL ? "AssumeRole" : "AssumeRoleWithWebIdentity";
	struct cmfa_http_header p[8];
	struct cmfa_aws_call call;
	char endpoint[512], session[64];
	const char *region = a->region[0] != '\0' ? a->region : "us-east-1";
	size_t n = 0;
	enum cmfa_err e;

	if (r->region != NULL)
		region = r->region;
	if (sts_target(a, r, endpoint, sizeof(endpoint)) != CMFA_OK) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "The STS endpoint URL is too long");
		return CMFA_ERR_TOOBIG;
	}
	if (r->session_name == NULL)
		snprintf(session, sizeof(session), "botocore-session-%lld",
		    (long long)cmfa_aws_now(a));
	p[n++] = (struct cmfa_http_header){ "Action", action };
	p[n++] = (struct cmfa_http_header){ "Version", STS_VERSION };
	p[n++] = (struct cmfa_http_header){ "RoleArn", r->role_arn };
	p[n++] = (struct cmfa_http_header){ "RoleSessionName",
		r->session_name != NULL ? r->session_name : session };
	if (src == NULL)
		p[n++] = (struct cmfa_http_header){ "WebIdentityToken",
			r->web_identity_token != NULL ? r->web_identity_token
			                              : "" };
	if (r->duration != NULL)
		p[n++] =
		    (struct cmfa_http_header){ "DurationSeconds", r->duration };
	if (src != NULL && r->external_id != NULL)
		p[n++] =
		    (struct cmfa_http_header){ "ExternalId", r->external_id };
	memset(&call, 0, sizeof(call));
	call.op = action;
	e = cmfa_aws_query(a, endpoint, "sts", region, src, p, n, &call);
	if (e == CMFA_OK)
		e = parse_answer(action, &call.response, source, out, err);
	else
		sts_error(action, &call.error, err);
	cmfa_buf_free(&call.response);
	return e;
}
