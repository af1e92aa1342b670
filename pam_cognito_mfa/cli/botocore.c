/*
 * botocore.c: botocore's client-side ParamValidator (botocore/validate.py)
 * on a request: missing required members, unknown members, wrong types,
 * lengths below the minimum, integers below the minimum.  Every problem
 * is reported, one line each, in botocore's order: per structure the
 * required members first (model order), then unknown members (request
 * order), then each known member in request order, depth first.
 *
 * One deviation: the value of a member the shapes mark secret (user
 * codes, tokens, passwords) is shown as "(secret)" in a type error, where
 * botocore prints it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_cli.h"

struct vrun {
	struct cmfa_buf *out;
	char path[1024];
	size_t plen;
	bool nomem;
};

static void line(struct vrun *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
line(struct vrun *r, const char *fmt, ...)
{
	va_list ap;
	char tmp[4096];
	int n;

	if (r->out->len > 0 && cmfa_buf_append(r->out, "\n", 1) != CMFA_OK)
		r->nomem = true;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (cmfa_buf_append_str(r->out, tmp) != CMFA_OK)
		r->nomem = true;
}

static const char *
name_of(const struct vrun *r)
{
	if (r->plen == 0)
		return "input";
	return r->path[0] == '.' ? r->path + 1 : r->path;
}

/* Append prefix s suffix to the path ("." name, or "[" index "]"). */
static size_t
push(struct vrun *r, const char *prefix, const char *s, const char *suffix)
{
	size_t old = r->plen;
	int n = snprintf(r->path + r->plen, sizeof(r->path) - r->plen, "%s%s%s",
	    prefix, s, suffix);

	if (n > 0 && (size_t)n < sizeof(r->path) - r->plen)
		r->plen += (size_t)n;
	r->path[r->plen] = '\0';
	return old;
}

static void
pop(struct vrun *r, size_t old)
{
	r->plen = old;
	r->path[old] = '\0';
}

static const char *
valid_types(enum cmfa_cli_type t)
{
	switch (t) {
	case CMFA_CT_STRING:
		return "<class 'str'>";
	case CMFA_CT_BOOL:
		return "<class 'bool'>";
	case CMFA_CT_INT:
		return "<class 'int'>";
	case CMFA_CT_TIMESTAMP:
		return "<class 'datetime.datetime'>, timestamp-string";
	case CMFA_CT_STRUCT:
	case CMFA_CT_MAP:
		return "<class 'dict'>";
	case CMFA_CT_LIST:
		return "<class 'list'>, <class 'tuple'>";
	}
	return "?";
}

static bool
type_ok(const cJSON *v, enum cmfa_cli_type t)
{
	switch (t) {
	case CMFA_CT_STRING:
		return cmfa_cli_is_pystr(v);
	case CMFA_CT_BOOL:
		return cJSON_IsBool(v);
	case CMFA_CT_INT: /* bool is an int in Python */
		return cmfa_cli_is_pyint(v) || cJSON_IsBool(v);
	case CMFA_CT_TIMESTAMP:
		return cmfa_cli_is_pystr(v) || cmfa_cli_is_pyint(v) ||
		    cmfa_cli_is_pyfloat(v);
	case CMFA_CT_STRUCT:
	case CMFA_CT_MAP:
		return cJSON_IsObject(v);
	case CMFA_CT_LIST:
		return cJSON_IsArray(v);
	}
	return false;
}

static void
type_error(struct vrun *r, const cJSON *v, const struct cmfa_cli_shape *s)
{
	struct cmfa_buf val;

	cmfa_buf_init(&val, 64 * 1024);
	if (s->secret)
		(void)cmfa_buf_append_str(&val, "(secret)");
	else if (cmfa_cli_pystr(v, &val) != CMFA_OK)
		(void)cmfa_buf_append_str(&val, "...");
	line(r,
	    "Invalid type for parameter %s, value: %.3000s, type: %s, valid "
	    "types: %s",
	    name_of(r), cmfa_buf_str(&val), cmfa_cli_pytype(v),
	    valid_types(s->type));
	cmfa_buf_free(&val);
}

static void check(struct vrun *r, const cJSON *v,
    const struct cmfa_cli_shape *s);

static void
check_struct(struct vrun *r, const cJSON *v, const struct cmfa_cli_shape *s)
{
	const cJSON *it;
	struct cmfa_buf names;
	size_t i, old;

	for (i = 0; i < s->nmembers; i++)
		if (s->members[i].required &&
		    cJSON_GetObjectItemCaseSensitive(v, s->members[i].name) ==
		        NULL)
			line(r, "Missing required parameter in %s: \"%s\"",
			    name_of(r), s->members[i].name);
	cmfa_buf_init(&names, 8192);
	for (i = 0; i < s->nmembers; i++)
		(void)cmfa_buf_appendf(&names, "%s%s", i > 0 ? ", " : "",
		    s->members[i].name);
	cJSON_ArrayForEach(it, v)
	{
		if (cmfa_cli_shape_member(s, it->string) == NULL)
			line(r,
			    "Unknown parameter in %s: \"%.200s\", must be one "
			    "of: %s",
			    name_of(r), it->string, cmfa_buf_str(&names));
	}
	cmfa_buf_free(&names);
	cJSON_ArrayForEach(it, v)
	{
		const struct cmfa_cli_member *m =
		    cmfa_cli_shape_member(s, it->string);

		if (m == NULL)
			continue;
		old = push(r, ".", m->name, "");
		check(r, it, m->shape);
		pop(r, old);
	}
}

/* len(str) in Python: code points */
static size_t
code_points(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
check(struct vrun *r, const cJSON *v, const struct cmfa_cli_shape *s)
{
	const cJSON *it;
	size_t old, i = 0, n = 0;
	char idx[32];

	if (!type_ok(v, s->type)) {
		type_error(r, v, s);
		return;
	}
	switch (s->type) {
	case CMFA_CT_STRUCT:
		check_struct(r, v, s);
		break;
	case CMFA_CT_STRING:
		n = code_points(v->valuestring);
		if (s->has_min && (long long)n < s->min)
			line(r,
			    "Invalid length for parameter %s, value: %zu, "
			    "valid min length: %lld",
			    name_of(r), n, s->min);
		break;
	case CMFA_CT_INT:
		if (s->has_min) {
			const char *t = cJSON_IsTrue(v) ? "1"
			    : cJSON_IsFalse(v)          ? "0"
			                                : v->valuestring;
			long long x;

			errno = 0;
			x = strtoll(t, NULL, 10);
			if (x < s->min)
				line(r,
				    "Invalid value for parameter %s, value: "
				    "%s, valid min value: %lld",
				    name_of(r),
				    cJSON_IsBool(v)
				        ? (cJSON_IsTrue(v) ? "True" : "False")
				        : t,
				    s->min);
		}
		break;
	case CMFA_CT_LIST:
		cJSON_ArrayForEach(it, v) n++;
		if (s->has_min && (long long)n < s->min)
			line(r,
			    "Invalid length for parameter %s, value: %zu, "
			    "valid min length: %lld",
			    name_of(r), n, s->min);
		cJSON_ArrayForEach(it, v)
		{
			snprintf(idx, sizeof(idx), "%zu", i++);
			old = push(r, "[", idx, "]");
			check(r, it, s->item);
			pop(r, old);
		}
		break;
	case CMFA_CT_MAP:
		cJSON_ArrayForEach(it, v)
		{
			/* keys are strings already (JSON); values: */
			old = push(r, ".", it->string, "");
			check(r, it, s->item);
			pop(r, old);
		}
		break;
	case CMFA_CT_BOOL:
	case CMFA_CT_TIMESTAMP:
		break;
	}
}

enum cmfa_err
cmfa_cli_validate(const cJSON *req, const struct cmfa_cli_shape *shape,
    struct cmfa_buf *report)
{
	struct vrun r;

	cmfa_buf_init(report, CMFA_CLI_MSG_MAX);
	memset(&r, 0, sizeof(r));
	r.out = report;
	check(&r, req, shape);
	if (r.nomem)
		return CMFA_ERR_NOMEM;
	return report->len > 0 ? CMFA_ERR_VALIDATION : CMFA_OK;
}
