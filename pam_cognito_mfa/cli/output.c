/*
 * output.c: the response as the AWS CLI prints it.
 *
 *  - cmfa_cli_present: botocore's parsing of a response (modelled members
 *    only, epoch timestamps to datetimes, shown as isoformat()).
 *  - cmfa_cli_json_dump: json.dumps(indent=4, ensure_ascii=False) with
 *    sorted keys (DESIGN.md D8: our documents show keys sorted, as the AWS
 *    documentation's examples do; the AWS CLI itself keeps the model's
 *    order, so a comparison must sort its output first).
 *  - cmfa_cli_text_dump: awscli/text.py, statement for statement.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmfa_cli.h"

enum cmfa_err
cmfa_cli_iso_time(double epoch, char *buf, size_t bufsz)
{
	double ip, frac, diff;
	long long us;
	struct tm tm;
	time_t t;
	long off;
	char base[40], zone[64], fr[32];
	int n;

	if (!isfinite(epoch) || epoch > 253402300799.0 ||
	    epoch < -62135596800.0)
		return CMFA_ERR_INVAL;
	/* Python's datetime.fromtimestamp(): the fraction rounded half
	 * to even, in microseconds (no libm: truncation by casts) */
	ip = (double)(long long)epoch;
	frac = (epoch - ip) * 1e6;
	us = (long long)frac;
	diff = frac - (double)us;
	if (diff > 0.5 || (diff == 0.5 && (us & 1)))
		us++;
	else if (diff < -0.5 || (diff == -0.5 && (us & 1)))
		us--;
	if (us >= 1000000) {
		ip += 1;
		us -= 1000000;
	} else if (us < 0) {
		ip -= 1;
		us += 1000000;
	}
	t = (time_t)ip;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return CMFA_ERR_INVAL;
	off = tm.tm_gmtoff % 86400; /* UTC offsets are under a day */
	if (off % 60 != 0)
		snprintf(zone, sizeof(zone), "%c%02ld:%02ld:%02ld",
		    off < 0 ? '-' : '+', labs(off) / 3600, labs(off) / 60 % 60,
		    labs(off) % 60);
	else
		snprintf(zone, sizeof(zone), "%c%02ld:%02ld",
		    off < 0 ? '-' : '+', labs(off) / 3600, labs(off) / 60 % 60);
	fr[0] = '\0';
	if (us != 0)
		snprintf(fr, sizeof(fr), ".%06lld", us);
	n = snprintf(buf, bufsz, "%s%s%s", base, fr, zone);
	return n > 0 && (size_t)n < bufsz ? CMFA_OK : CMFA_ERR_TOOBIG;
}

static cJSON *present(const cJSON *v, const struct cmfa_cli_shape *s);

static cJSON *
present_struct(const cJSON *v, const struct cmfa_cli_shape *s)
{
	const cJSON *m;
	cJSON *obj, *c;
	size_t i;

	if ((obj = cJSON_CreateObject()) == NULL)
		return NULL;
	for (i = 0; i < s->nmembers; i++) {
		m = cJSON_GetObjectItemCaseSensitive(v, s->members[i].name);
		if (m == NULL || cJSON_IsNull(m))
			continue;
		if ((c = present(m, s->members[i].shape)) == NULL ||
		    !cJSON_AddItemToObject(obj, s->members[i].name, c)) {
			cJSON_Delete(c);
			cJSON_Delete(obj);
			return NULL;
		}
	}
	return obj;
}

static cJSON *
present(const cJSON *v, const struct cmfa_cli_shape *s)
{
	const cJSON *it;
	cJSON *out, *c;
	char iso[64];

	switch (s->type) {
	case CMFA_CT_STRUCT:
		if (!cJSON_IsObject(v))
			break;
		return present_struct(v, s);
	case CMFA_CT_LIST:
	case CMFA_CT_MAP:
		if (s->type == CMFA_CT_LIST ? !cJSON_IsArray(v)
		                            : !cJSON_IsObject(v))
			break;
		out = s->type == CMFA_CT_LIST ? cJSON_CreateArray()
		                              : cJSON_CreateObject();
		if (out == NULL)
			return NULL;
		cJSON_ArrayForEach(it, v)
		{
			c = present(it, s->item);
			if (c == NULL ||
			    !(s->type == CMFA_CT_LIST
			            ? cJSON_AddItemToArray(out, c)
			            : cJSON_AddItemToObject(out, it->string,
			                  c))) {
				cJSON_Delete(c);
				cJSON_Delete(out);
				return NULL;
			}
		}
		return out;
	case CMFA_CT_TIMESTAMP:
		if (cJSON_IsNumber(v) &&
		    cmfa_cli_iso_time(v->valuedouble, iso, sizeof(iso)) ==
		        CMFA_OK)
			return cJSON_CreateString(iso);
		break;
	case CMFA_CT_STRING:
	case CMFA_CT_BOOL:
	case CMFA_CT_INT:
		break;
	}
	return cJSON_Duplicate(v, 1);
}

enum cmfa_err
cmfa_cli_present(const cJSON *resp, const struct cmfa_cli_shape *shape,
    cJSON **out)
{
	cJSON *v;

	if (resp == NULL || shape == NULL || out == NULL)
		return CMFA_ERR_INVAL;
	if ((v = present(resp, shape)) == NULL)
		return CMFA_ERR_NOMEM;
	*out = v;
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* JSON                                                                   */

static enum cmfa_err
json_string(const char *s, struct cmfa_buf *out)
{
	enum cmfa_err e = cmfa_buf_append(out, "\"", 1);
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0;

	for (; e == CMFA_OK && *p != '\0'; p++) {
		const char *esc = NULL;
		char u[8];

		switch (*p) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		default:
			if (*p < 0x20) {
				snprintf(u, sizeof(u), "\\u%04x", *p);
				esc = u;
			}
			break;
		}
		if (esc == NULL) {
			run++;
			continue;
		}
		if (run > 0)
			e = cmfa_buf_append(out, p - run, run);
		run = 0;
		if (e == CMFA_OK)
			e = cmfa_buf_append_str(out, esc);
	}
	if (e == CMFA_OK && run > 0)
		e = cmfa_buf_append(out, p - run, run);
	return e == CMFA_OK ? cmfa_buf_append(out, "\"", 1) : e;
}

static int
key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a,
	            *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

static enum cmfa_err
indent(struct cmfa_buf *out, unsigned level)
{
	enum cmfa_err e = cmfa_buf_append(out, "\n", 1);
	unsigned i;

	for (i = 0; i < level && e == CMFA_OK; i++)
		e = cmfa_buf_append(out, "    ", 4);
	return e;
}

static enum cmfa_err
dump(const cJSON *v, bool sort, unsigned level, struct cmfa_buf *out)
{
	const cJSON *it, **kids = NULL;
	enum cmfa_err e = CMFA_OK;
	size_t n = 0, i;
	char t[40];

	switch (v->type & 0xff) {
	case cJSON_NULL:
		return cmfa_buf_append_str(out, "null");
	case cJSON_True:
		return cmfa_buf_append_str(out, "true");
	case cJSON_False:
		return cmfa_buf_append_str(out, "false");
	case cJSON_Raw:
		return cmfa_buf_append_str(out, v->valuestring);
	case cJSON_Number:
		if (cmfa_cli_integral(v->valuedouble))
			snprintf(t, sizeof(t), "%.0f", v->valuedouble);
		else
			cmfa_cli_float_repr(v->valuedouble, t, sizeof(t));
		return cmfa_buf_append_str(out, t);
	case cJSON_String:
		return json_string(v->valuestring, out);
	case cJSON_Array:
	case cJSON_Object:
		break;
	default:
		return CMFA_ERR_INVAL;
	}
	cJSON_ArrayForEach(it, v) n++;
	if (n == 0)
		return cmfa_buf_append_str(out, cJSON_IsArray(v) ? "[]" : "{}");
	if ((kids = calloc(n, sizeof(*kids))) == NULL)
		return CMFA_ERR_NOMEM;
	i = 0;
	cJSON_ArrayForEach(it, v) kids[i++] = it;
	if (sort && cJSON_IsObject(v))
		qsort(kids, n, sizeof(*kids), key_cmp);
	e = cmfa_buf_append_str(out, cJSON_IsArray(v) ? "[" : "{");
	for (i = 0; i < n && e == CMFA_OK; i++) {
		if (i > 0)
			e = cmfa_buf_append(out, ",", 1);
		if (e == CMFA_OK)
			e = indent(out, level + 1);
		if (e == CMFA_OK && cJSON_IsObject(v)) {
			e = json_string(kids[i]->string, out);
			if (e == CMFA_OK)
				e = cmfa_buf_append(out, ": ", 2);
		}
		if (e == CMFA_OK)
			e = dump(kids[i], sort, level + 1, out);
	}
	if (e == CMFA_OK)
		e = indent(out, level);
	if (e == CMFA_OK)
		e = cmfa_buf_append_str(out, cJSON_IsArray(v) ? "]" : "}");
	free(kids);
	return e;
}

enum cmfa_err
cmfa_cli_json_dump(const cJSON *v, bool sort_keys, struct cmfa_buf *out)
{
	enum cmfa_err e;

	if (v == NULL || out == NULL)
		return CMFA_ERR_INVAL;
	if ((e = dump(v, sort_keys, 0, out)) != CMFA_OK)
		return e;
	return cmfa_buf_append(out, "\n", 1);
}

/* ---------------------------------------------------------------------- */
/* text (awscli/text.py)                                                  */

static bool
is_container(const cJSON *v)
{
	return cJSON_IsArray(v) || cJSON_IsObject(v);
}

static enum cmfa_err format_text(const cJSON *item, const char *identifier,
    const char *const *scalar_keys, size_t nkeys, struct cmfa_buf *out);

static enum cmfa_err
upper(const char *s, struct cmfa_buf *out)
{
	enum cmfa_err e = CMFA_OK;
	char c;

	for (; *s != '\0' && e == CMFA_OK; s++) {
		c = *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s;
		e = cmfa_buf_append(out, &c, 1);
	}
	return e;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* sorted(keys) of obj, optionally only those whose value is scalar */
static const char **
sorted_keys(const cJSON *obj, size_t *n)
{
	const cJSON *it;
	const char **keys;
	size_t i = 0;

	*n = 0;
	cJSON_ArrayForEach(it, obj)(*n)++;
	if ((keys = calloc(*n + 1, sizeof(*keys))) == NULL)
		return NULL;
	cJSON_ArrayForEach(it, obj) keys[i++] = it->string;
	qsort(keys, *n, sizeof(*keys), str_cmp);
	return keys;
}

static bool
in_list(const char *const *l, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(l[i], s) == 0)
			return true;
	return false;
}

static enum cmfa_err
format_dict(const char *const *scalar_keys, size_t nkeys, const cJSON *item,
    const char *identifier, struct cmfa_buf *out)
{
	const char **keys = NULL;
	const cJSON *v;
	struct cmfa_buf row;
	enum cmfa_err e = CMFA_OK;
	size_t n = 0, i, nsc = 0;

	cmfa_buf_init(&row, CMFA_CLI_MSG_MAX);
	if ((keys = sorted_keys(item, &n)) == NULL)
		return CMFA_ERR_NOMEM;
	/* the scalars, on one line */
	if (scalar_keys == NULL) {
		for (i = 0; i < n && e == CMFA_OK; i++) {
			v = cJSON_GetObjectItemCaseSensitive(item, keys[i]);
			if (is_container(v))
				continue;
			if (nsc++ > 0)
				e = cmfa_buf_append(&row, "\t", 1);
			if (e == CMFA_OK)
				e = cmfa_cli_pystr(v, &row);
		}
	} else {
		for (i = 0; i < nkeys && e == CMFA_OK; i++) {
			v = cJSON_GetObjectItemCaseSensitive(item,
			    scalar_keys[i]);
			if (nsc++ > 0)
				e = cmfa_buf_append(&row, "\t", 1);
			if (e == CMFA_OK && v != NULL)
				e = cmfa_cli_pystr(v, &row);
		}
	}
	if (e == CMFA_OK && nsc > 0) {
		if (identifier != NULL) {
			e = upper(identifier, out);
			if (e == CMFA_OK)
				e = cmfa_buf_append(out, "\t", 1);
		}
		if (e == CMFA_OK)
			e = cmfa_buf_append(out, row.p, row.len);
		if (e == CMFA_OK)
			e = cmfa_buf_append(out, "\n", 1);
	}
	/* then every non-scalar, under its own name */
	for (i = 0; i < n && e == CMFA_OK; i++) {
		v = cJSON_GetObjectItemCaseSensitive(item, keys[i]);
		if (scalar_keys == NULL ? !is_container(v)
		                        : in_list(scalar_keys, nkeys, keys[i]))
			continue;
		e = format_text(v, keys[i], NULL, 0, out);
	}
	free(keys);
	cmfa_buf_free(&row);
	return e;
}

static enum cmfa_err
format_scalar_list(const cJSON *list, bool only_scalars, const char *identifier,
    struct cmfa_buf *out)
{
	const cJSON *it;
	enum cmfa_err e = CMFA_OK;
	size_t k = 0;

	cJSON_ArrayForEach(it, list)
	{
		if (e != CMFA_OK)
			break;
		if (only_scalars && is_container(it))
			continue;
		if (identifier != NULL) {
			e = upper(identifier, out);
			if (e == CMFA_OK)
				e = cmfa_buf_append(out, "\t", 1);
			if (e == CMFA_OK)
				e = cmfa_cli_pystr(it, out);
			if (e == CMFA_OK)
				e = cmfa_buf_append(out, "\n", 1);
		} else {
			if (k++ > 0)
				e = cmfa_buf_append(out, "\t", 1);
			if (e == CMFA_OK)
				e = cmfa_cli_pystr(it, out);
		}
	}
	if (e == CMFA_OK && identifier == NULL)
		e = cmfa_buf_append(out, "\n", 1);
	return e;
}

static enum cmfa_err
format_list(const cJSON *item, const char *identifier, struct cmfa_buf *out)
{
	const cJSON *it, *kv;
	const char **keys = NULL;
	bool any_dict = false, any_list = false, any_scalar = false;
	enum cmfa_err e = CMFA_OK;
	size_t n = 0, cap = 0;

	if (item->child == NULL)
		return CMFA_OK;
	cJSON_ArrayForEach(it, item)
	{
		any_dict |= cJSON_IsObject(it);
		any_list |= cJSON_IsArray(it);
		any_scalar |= !is_container(it);
	}
	if (any_dict) {
		/* _all_scalar_keys: sorted, every dict's scalar keys */
		cJSON_ArrayForEach(it, item) cJSON_ArrayForEach(kv, it) cap++;
		if ((keys = calloc(cap + 1, sizeof(*keys))) == NULL)
			return CMFA_ERR_NOMEM;
		cJSON_ArrayForEach(it, item)
		{
			if (!cJSON_IsObject(it))
				continue;
			cJSON_ArrayForEach(kv, it)
			{
				if (!is_container(kv) &&
				    !in_list(keys, n, kv->string))
					keys[n++] = kv->string;
			}
		}
		qsort(keys, n, sizeof(*keys), str_cmp);
		cJSON_ArrayForEach(it, item)
		{
			if (e == CMFA_OK)
				e = format_text(it, identifier, keys, n, out);
		}
		free(keys);
		return e;
	}
	if (any_list) {
		if (any_scalar)
			e = format_scalar_list(item, true, identifier, out);
		cJSON_ArrayForEach(it, item)
		{
			if (e == CMFA_OK && is_container(it))
				e = format_text(it, identifier, NULL, 0, out);
		}
		return e;
	}
	return format_scalar_list(item, false, identifier, out);
}

static enum cmfa_err
format_text(const cJSON *item, const char *identifier,
    const char *const *scalar_keys, size_t nkeys, struct cmfa_buf *out)
{
	enum cmfa_err e;

	if (cJSON_IsObject(item))
		return format_dict(scalar_keys, nkeys, item, identifier, out);
	if (cJSON_IsArray(item))
		return format_list(item, identifier, out);
	if ((e = cmfa_cli_pystr(item, out)) != CMFA_OK)
		return e;
	return cmfa_buf_append(out, "\n", 1);
}

enum cmfa_err
cmfa_cli_text_dump(const cJSON *v, struct cmfa_buf *out)
{
	if (v == NULL || out == NULL)
		return CMFA_ERR_INVAL;
	return format_text(v, NULL, NULL, 0, out);
}
