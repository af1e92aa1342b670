/*
 * error.c: an AWS JSON 1.1 error answer read as botocore reads it
 * (COGNITO.md 4.3; botocore parsers.py ResponseParser.parse,
 * _do_generic_error_parse and BaseJSONParser._do_error_parse), and a
 * rest-json one (RestJSONParser, at the end).
 *
 *  - status >= 500 with an empty body (after stripping white space) or
 *    one starting with "<html>": the status as the code and its reason
 *    phrase ("Internal Server Error") as the message;
 *  - an empty body: {} (code = the status, message "");
 *  - a JSON object: "message", else "Message", else "" as the message;
 *    "__type" as the code, cut at the first ':' and then kept after the
 *    last '#'; no "__type": the status as the code;
 *  - anything else (not JSON): the body itself is the message.
 *
 * Where Python and our JSON gate differ we choose the gate: a body that
 * cmfa_json_parse() refuses (duplicate keys, deeper than 16, top level
 * not an object, above CMFA_JSON_MAX_BYTES) is "not JSON" and becomes the
 * message, where botocore would take the last duplicate or crash.  A
 * "__type" that is not a string counts as absent; a "message" that is
 * not a string is rendered as Python's str() would for null / true /
 * false, as compact JSON otherwise.  Both fields are sanitized
 * (cmfa_sanitize: control characters and bad UTF-8 become '?') and
 * capped at their buffer's size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_int.h"
#include "cmfa_core.h"

/* Python's http.client.responses for the 5xx botocore can meet. */
static const char *
reason_phrase(long status)
{
	static const struct {
		long status;
		const char *text;
	} t[] = {
		{ 500, "Internal Server Error" },
		{ 501, "Not Implemented" },
		{ 502, "Bad Gateway" },
		{ 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" },
		{ 505, "HTTP Version Not Supported" },
		{ 506, "Variant Also Negotiates" },
		{ 507, "Insufficient Storage" },
		{ 508, "Loop Detected" },
		{ 510, "Not Extended" },
		{ 511, "Network Authentication Required" },
	};
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(t); i++)
		if (t[i].status == status)
			return t[i].text;
	return "";
}

/* Python's bytes.strip() white space. */
static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/* botocore's _is_generic_error_response(). */
static bool
generic(long status, const char *body, size_t len)
{
	size_t i = 0;

	if (status < 500)
		return false;
	while (i < len && is_space(body[i]))
		i++;
	while (len > i && is_space(body[len - 1]))
		len--;
	return i == len || (len - i >= 6 && memcmp(body + i, "<html>", 6) == 0);
}

static void
set_status_type(struct cmfa_aws_error *out, long status)
{
	(void)snprintf(out->type, sizeof(out->type), "%ld", status);
}

/* The last member called name (Python's dict keeps the last one; the
 * gate refuses duplicates anyway). */
static const cJSON *
member(const cJSON *obj, const char *name)
{
	const cJSON *m, *found = NULL;

	cJSON_ArrayForEach(m, obj)
	{
		if (m->string != NULL && strcmp(m->string, name) == 0)
			found = m;
	}
	return found;
}

/* "ns#Code:extra" -> "Code". */
static void
set_type(struct cmfa_aws_error *out, const char *code)
{
	size_t len = strcspn(code, ":");
	const char *hash;
	size_t i;

	hash = NULL;
	for (i = 0; i < len; i++)
		if (code[i] == '#')
			hash = code + i;
	if (hash != NULL) {
		len -= (size_t)(hash + 1 - code);
		code = hash + 1;
	}
	cmfa_sanitize(out->type, sizeof(out->type), code, len);
}

/* str() of a JSON value, as botocore's message would print. */
static void
set_message(struct cmfa_aws_error *out, const cJSON *v)
{
	const char *s = NULL;
	char *printed = NULL;

	if (v == NULL)
		s = "";
	else if (cJSON_IsString(v))
		s = v->valuestring;
	else if (cJSON_IsNull(v))
		s = "None";
	else if (cJSON_IsTrue(v))
		s = "True";
	else if (cJSON_IsFalse(v))
		s = "False";
	else if ((printed = cJSON_PrintUnformatted(v)) != NULL)
		s = printed;
	else
		s = "";
	cmfa_sanitize(out->message, sizeof(out->message), s, strlen(s));
	if (printed != NULL)
		cJSON_free(printed);
}

static void
from_json(struct cmfa_aws_error *out, long status, const cJSON *root)
{
	const cJSON *type = member(root, "__type");
	const cJSON *msg = member(root, "message");

	if (msg == NULL)
		msg = member(root, "Message");
	set_message(out, msg);
	if (cJSON_IsString(type))
		set_type(out, type->valuestring);
	else
		set_status_type(out, status);
}

void
cmfa_aws_parse_error(long status, const char *body, size_t len,
    struct cmfa_aws_error *out)
{
	cJSON *root = NULL;

	memset(out, 0, sizeof(*out));
	out->kind = CMFA_AWSERR_SERVICE;
	out->status = status;
	if (body == NULL)
		len = 0;
	if (generic(status, body, len)) {
		const char *r = reason_phrase(status);

		set_status_type(out, status);
		cmfa_sanitize(out->message, sizeof(out->message), r, strlen(r));
		return;
	}
	if (len == 0) {
		set_status_type(out, status);
		return;
	}
	if (cmfa_json_parse(body, len, CMFA_JSON_MAX_BYTES, &root) == CMFA_OK) {
		from_json(out, status, root);
		cJSON_Delete(root);
		return;
	}
	set_status_type(out, status);
	cmfa_sanitize(out->message, sizeof(out->message), body, len);
}

/*
 * rest-json (SES v2): botocore's RestJSONParser._do_error_parse is the
 * JSON one above followed by _inject_error_code: the x-amzn-ErrorType
 * header, cut at its first ':' ("MessageRejected:http://internal..."),
 * else the body's "code" (or "Code") member.  A generic 5xx answer never
 * reaches that step.  Where Python would take a "code" that is not a
 * string, we keep the code we had (an empty header counts as absent).
 */
static void
rest_code_from_body(const char *body, size_t len, struct cmfa_aws_error *out)
{
	cJSON *root = NULL;
	const cJSON *c;

	if (len == 0 ||
	    cmfa_json_parse(body, len, CMFA_JSON_MAX_BYTES, &root) != CMFA_OK)
		return;
	if ((c = member(root, "code")) == NULL)
		c = member(root, "Code");
	if (cJSON_IsString(c))
		cmfa_sanitize(out->type, sizeof(out->type), c->valuestring,
		    strlen(c->valuestring));
	cJSON_Delete(root);
}

void
cmfa_aws_parse_rest_error(long status, const char *error_type, const char *body,
    size_t len, struct cmfa_aws_error *out)
{
	cmfa_aws_parse_error(status, body, len, out);
	if (body == NULL)
		len = 0;
	if (generic(status, body, len))
		return;
	if (error_type != NULL && error_type[0] != '\0')
		cmfa_sanitize(out->type, sizeof(out->type), error_type,
		    strcspn(error_type, ":"));
	else
		rest_code_from_body(body, len, out);
}
