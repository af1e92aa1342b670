/*
 * validate.c: shape-driven validation with Cognito's messages (see
 * validate.h for the message format and the choices made).
 *
 * Patterns are matched by hand (no PCRE), as a full match:
 *  - \w is ASCII [A-Za-z0-9_] (Java's default without UNICODE_CHARACTER_
 *    CLASS), so UserPoolId and ARN patterns are exact.
 *  - ".*\{####\}.*": Java's '.' does not match line terminators, so the
 *    message must contain "{####}" and no \n, \r, U+0085, U+2028, U+2029.
 *  - \p{L}\p{M}\p{S}\p{N}\p{P} (letters, marks, symbols, numbers,
 *    punctuation) is approximated without Unicode tables as "any code point
 *    that is not a control (Cc), a separator (Z*), a format character (the
 *    Cf list below), private use (Co) or a noncharacter".  Unassigned code
 *    points (Cn) are therefore accepted where Java would refuse them.  \s is
 *    Java's ASCII [ \t\n\x0B\f\r].
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

/* ---------------------------------------------------------------------- */
/* Shared shapes                                                          */

static const char *const mfa_levels[] = { "OFF", "ON", "OPTIONAL", NULL };

const struct cmfa_vshape cmfa_vs_bool = { .type = CMFA_VT_BOOL };
const struct cmfa_vshape cmfa_vs_timestamp = { .type = CMFA_VT_TIMESTAMP };
const struct cmfa_vshape cmfa_vs_string = { .type = CMFA_VT_STRING,
	.flags = CMFA_VS_MIN | CMFA_VS_MAX,
	.min = 0,
	.max = 131072 };
const struct cmfa_vshape cmfa_vs_pool_id = { .type = CMFA_VT_STRING,
	.flags = CMFA_VS_MIN | CMFA_VS_MAX,
	.min = 1,
	.max = 55,
	.pattern = CMFA_VPAT_POOL_ID };
const struct cmfa_vshape cmfa_vs_username = { .type = CMFA_VT_STRING,
	.flags = CMFA_VS_MIN | CMFA_VS_MAX | CMFA_VS_SENSITIVE,
	.min = 1,
	.max = 128,
	.pattern = CMFA_VPAT_USERNAME };
const struct cmfa_vshape cmfa_vs_token = { .type = CMFA_VT_STRING,
	.flags = CMFA_VS_SENSITIVE,
	.pattern = CMFA_VPAT_TOKEN };
const struct cmfa_vshape cmfa_vs_region = { .type = CMFA_VT_STRING,
	.flags = CMFA_VS_MIN | CMFA_VS_MAX,
	.min = 5,
	.max = 32 };
const struct cmfa_vshape cmfa_vs_arn = { .type = CMFA_VT_STRING,
	.flags = CMFA_VS_MIN | CMFA_VS_MAX,
	.min = 20,
	.max = 2048,
	.pattern = CMFA_VPAT_ARN };
const struct cmfa_vshape cmfa_vs_opt_arn = { .type = CMFA_VT_STRING,
	.flags = CMFA_VS_MIN | CMFA_VS_MAX,
	.min = 0,
	.max = 2048,
	.pattern = CMFA_VPAT_OPT_ARN };
const struct cmfa_vshape cmfa_vs_mfa_level = { .type = CMFA_VT_STRING,
	.enums = mfa_levels };
const struct cmfa_vshape cmfa_vs_attr_name = { .type = CMFA_VT_STRING,
	.flags = CMFA_VS_MIN | CMFA_VS_MAX,
	.min = 1,
	.max = 32,
	.pattern = CMFA_VPAT_ATTR_NAME };

/* ---------------------------------------------------------------------- */
/* UTF-8 and character classes                                            */

size_t
cmfa_v_utf16_len(const char *s, size_t len)
{
	return cmfa_utf16_len(s, len);
}

/* Java's \s: [ \t\n\x0B\f\r] */
static bool
cp_java_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' ||
	    c == '\r';
}

enum cls {
	CLS_VISIBLE,       /* [\p{L}\p{M}\p{S}\p{N}\p{P}] */
	CLS_VISIBLE_SPACE, /* ... plus \s (and '*', which is \p{Po}) */
	CLS_ATTR_NAME      /* ... plus \t\n\r and space */
};

static bool
all_in_class(const char *s, size_t len, enum cls cls)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t c;

	while (i < len) {
		i += cmfa_utf8_next((const char *)p + i, len - i, &c);
		if (cmfa_unicode_visible(c))
			continue;
		if (cls == CLS_VISIBLE_SPACE && cp_java_space(c))
			continue;
		if (cls == CLS_ATTR_NAME &&
		    (c == '\t' || c == '\n' || c == '\r' || c == ' '))
			continue;
		return false;
	}
	return true;
}

static bool
is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

static bool
is_word(unsigned char c)
{
	return is_alnum(c) || c == '_';
}

/* [\w-]+_[0-9a-zA-Z]+ : the split can only be at the last '_'. */
static bool
match_pool_id(const unsigned char *s, size_t n)
{
	size_t i, us = n;

	for (i = 0; i < n; i++) {
		if (!is_word(s[i]) && s[i] != '-')
			return false;
		if (s[i] == '_')
			us = i;
	}
	if (us == n || us == 0 || us + 1 >= n)
		return false;
	for (i = us + 1; i < n; i++)
		if (!is_alnum(s[i]))
			return false;
	return true;
}

/* [\w+=/,.@-] */
static bool
is_arn_char(unsigned char c)
{
	return is_word(c) || c == '+' || c == '=' || c == '/' || c == ',' ||
	    c == '.' || c == '@' || c == '-';
}

/*
 * arn:C+:C+:(C*)?:[0-9]+:C+(:C+)?(:C+)?  with C = [\w+=/,.@-].  C has no
 * ':', so the fields split on ':' unambiguously: "arn", then 5 to 7
 * fields, of which the third may be empty and the fourth is digits.
 */
static bool
match_arn(const unsigned char *s, size_t n)
{
	size_t i, start, field = 0, flen;

	if (n < 4 || memcmp(s, "arn:", 4) != 0)
		return false;
	start = 4;
	for (i = 4; i <= n; i++) {
		if (i < n && s[i] != ':') {
			if (!is_arn_char(s[i]))
				return false;
			if (field == 3 && !(s[i] >= '0' && s[i] <= '9'))
				return false;
			continue;
		}
		flen = i - start;
		if (flen == 0 && field != 2)
			return false;
		field++;
		start = i + 1;
	}
	return field >= 5 && field <= 7;
}

static bool
contains(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(s + i, needle, k) == 0)
			return true;
	return false;
}

static bool
has_line_terminator(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t c;

	while (i < n) {
		i += cmfa_utf8_next((const char *)p + i, n - i, &c);
		if (c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 ||
		    c == 0x2029)
			return true;
	}
	return false;
}

bool
cmfa_v_match(enum cmfa_vpat pat, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	if (s == NULL || !cmfa_utf8_valid(s, len))
		return false;
	switch (pat) {
	case CMFA_VPAT_NONE:
		return true;
	case CMFA_VPAT_POOL_ID:
		return match_pool_id(u, len);
	case CMFA_VPAT_ARN:
		return match_arn(u, len);
	case CMFA_VPAT_OPT_ARN:
		return len == 0 || match_arn(u, len);
	case CMFA_VPAT_SMS_MSG:
		return contains(s, len, "{####}") &&
		    !has_line_terminator(s, len);
	case CMFA_VPAT_EMAIL_MSG:
		return contains(s, len, "{####}") &&
		    all_in_class(s, len, CLS_VISIBLE_SPACE);
	case CMFA_VPAT_EMAIL_SUBJECT:
		return len > 0 && all_in_class(s, len, CLS_VISIBLE_SPACE);
	case CMFA_VPAT_USERNAME:
		return len > 0 && all_in_class(s, len, CLS_VISIBLE);
	case CMFA_VPAT_ATTR_NAME:
		return len > 0 && all_in_class(s, len, CLS_ATTR_NAME);
	case CMFA_VPAT_TOKEN:
		if (len == 0)
			return false;
		for (i = 0; i < len; i++)
			if (!is_alnum(u[i]) && u[i] != '-' && u[i] != '_' &&
			    u[i] != '=' && u[i] != '.')
				return false;
		return true;
	case CMFA_VPAT__COUNT:
		break;
	}
	return false;
}

const char *
cmfa_v_pattern_text(enum cmfa_vpat pat)
{
	switch (pat) {
	case CMFA_VPAT_POOL_ID:
		return "[\\w-]+_[0-9a-zA-Z]+";
	case CMFA_VPAT_ARN:
		return "arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:"
		       "[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?";
	case CMFA_VPAT_OPT_ARN:
		return "(arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:"
		       "[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?"
		       "(:[\\w+=/,.@-]+)?)?";
	case CMFA_VPAT_SMS_MSG:
		return ".*\\{####\\}.*";
	case CMFA_VPAT_EMAIL_MSG:
		return "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*\\{####\\}"
		       "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*";
	case CMFA_VPAT_EMAIL_SUBJECT:
		return "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s]+";
	case CMFA_VPAT_USERNAME:
		return "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+";
	case CMFA_VPAT_ATTR_NAME:
		return "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r ]+";
	case CMFA_VPAT_TOKEN:
		return "[A-Za-z0-9-_=.]+";
	case CMFA_VPAT_NONE:
	case CMFA_VPAT__COUNT:
		break;
	}
	return "";
}

/* ---------------------------------------------------------------------- */
/* Enum sets in Java HashSet order                                        */

/* String.hashCode() of an ASCII string. */
static uint32_t
java_hash(const char *s)
{
	uint32_t h = 0;

	for (; *s != '\0'; s++)
		h = 31u * h + (unsigned char)*s;
	return h;
}

/*
 * HashSet(Collection) sizes its table max(n / .75 + 1, 16) rounded up to a
 * power of two; iteration walks the buckets in index order, each bucket in
 * insertion order.  Bucket = (h ^ (h >>> 16)) & (cap - 1).
 */
bool
cmfa_v_enum_set(const char *const *vals, char *dst, size_t dstsz)
{
	size_t n = 0, cap = 16, need, o = 0, i, b;
	bool first = true;
	uint32_t h;

	while (vals[n] != NULL)
		n++;
	need = n * 4 / 3 + 1;
	while (cap < need)
		cap *= 2;
	if (dstsz < 3)
		return false;
	dst[o++] = '[';
	for (b = 0; b < cap; b++) {
		for (i = 0; i < n; i++) {
			size_t k;

			h = java_hash(vals[i]);
			if (((h ^ (h >> 16)) & (uint32_t)(cap - 1)) != b)
				continue;
			k = strlen(vals[i]);
			if (o + k + (first ? 0 : 2) + 2 > dstsz)
				return false;
			if (!first) {
				dst[o++] = ',';
				dst[o++] = ' ';
			}
			memcpy(dst + o, vals[i], k);
			o += k;
			first = false;
		}
	}
	dst[o++] = ']';
	dst[o] = '\0';
	return true;
}

/* ---------------------------------------------------------------------- */
/* Context, paths, messages                                               */

#define V_MSG_MAX 4096 /* more than cmfa_verr.message can hold */
#define V_QUOTE_MAX 256

void
cmfa_v_init(struct cmfa_vctx *v)
{
	memset(v, 0, sizeof(*v));
	cmfa_buf_init(&v->msg, V_MSG_MAX);
}

void
cmfa_v_free(struct cmfa_vctx *v)
{
	if (v == NULL)
		return;
	cmfa_buf_free(&v->msg);
}

void
cmfa_v_verr_clear(struct cmfa_verr *verr)
{
	if (verr == NULL)
		return;
	verr->type[0] = '\0';
	verr->message[0] = '\0';
}

/* Copy at most dstsz - 1 bytes of s, cut on a UTF-8 character boundary. */
static void
copy_cut(char *dst, size_t dstsz, const char *s, size_t len)
{
	if (len >= dstsz) {
		len = dstsz - 1;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static void
verr_set(struct cmfa_verr *verr, const char *type, const char *msg, size_t len)
{
	if (verr == NULL)
		return;
	copy_cut(verr->type, sizeof(verr->type), type, strlen(type));
	copy_cut(verr->message, sizeof(verr->message), msg, len);
}

enum cmfa_err
cmfa_v_refuse(struct cmfa_verr *verr, const char *type, const char *fmt, ...)
{
	char buf[sizeof(verr->message)];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		buf[0] = '\0';
	verr_set(verr, type, buf, strlen(buf));
	return CMFA_ERR_VALIDATION;
}

/* Push ".member" (camelCased) on the path; returns the old length. */
static size_t
path_push(struct cmfa_vctx *v, const char *member)
{
	size_t old = v->plen, k;

	if (member == NULL)
		return old;
	k = strlen(member);
	if (v->plen + k + 2 > sizeof(v->path))
		return old; /* never with the model's names */
	if (v->plen > 0)
		v->path[v->plen++] = '.';
	memcpy(v->path + v->plen, member, k);
	if (v->path[v->plen] >= 'A' && v->path[v->plen] <= 'Z')
		v->path[v->plen] = (char)(v->path[v->plen] - 'A' + 'a');
	v->plen += k;
	v->path[v->plen] = '\0';
	return old;
}

static size_t
path_push_index(struct cmfa_vctx *v, size_t idx)
{
	size_t old = v->plen;
	int n;

	n = snprintf(v->path + v->plen, sizeof(v->path) - v->plen,
	    "%s%zu.member", v->plen > 0 ? "." : "", idx);
	if (n > 0 && (size_t)n < sizeof(v->path) - v->plen)
		v->plen += (size_t)n;
	else
		v->path[v->plen] = '\0';
	return old;
}

static void
path_pop(struct cmfa_vctx *v, size_t old)
{
	v->plen = old;
	v->path[old] = '\0';
}

/* Append the value quoted for a message: sanitized, cut at 256 bytes. */
static void
append_quoted(struct cmfa_buf *b, const char *s)
{
	char tmp[V_QUOTE_MAX + 1];
	size_t len = strlen(s), cut = len;

	if (cut > V_QUOTE_MAX) {
		cut = V_QUOTE_MAX;
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
	}
	cmfa_sanitize(tmp, sizeof(tmp), s, cut);
	(void)cmfa_buf_appendf(b, "'%s%s'", tmp, cut < len ? "..." : "");
}

static void
add_error(struct cmfa_vctx *v, const char *value, bool is_null, bool sensitive,
    const char *rule)
{
	struct cmfa_buf *b = &v->msg;
	size_t mark = b->len;

	v->nerr++;
	if (b->len >= sizeof(((struct cmfa_verr *)0)->message))
		return; /* the message is full: keep counting only */
	if (b->len > 0)
		(void)cmfa_buf_append_str(b, "; ");
	(void)cmfa_buf_append_str(b, "Value ");
	if (is_null)
		(void)cmfa_buf_append_str(b, "null ");
	else if (!sensitive && value != NULL) {
		append_quoted(b, value);
		(void)cmfa_buf_append_str(b, " ");
	}
	if (cmfa_buf_appendf(b, "at '%s' failed to satisfy constraint: %s",
	        v->path, rule) != CMFA_OK) {
		/* over the buffer's maximum: drop the partial entry */
		b->len = mark;
		if (b->p != NULL)
			b->p[mark] = '\0';
	}
}

void
cmfa_v_add(struct cmfa_vctx *v, const char *member, const char *value,
    bool sensitive, const char *rule)
{
	size_t old = path_push(v, member);

	add_error(v, value, false, sensitive, rule);
	path_pop(v, old);
}

static void
type_error(struct cmfa_vctx *v, const cJSON *got, const char *target)
{
	const char *kind;

	if (v->ser)
		return;
	v->ser = true;
	if (cJSON_IsObject(got)) {
		snprintf(v->ser_msg, sizeof(v->ser_msg),
		    "Start of structure or map found where not expected.");
		return;
	}
	if (cJSON_IsArray(got)) {
		snprintf(v->ser_msg, sizeof(v->ser_msg),
		    "Start of list found where not expected.");
		return;
	}
	if (cJSON_IsString(got))
		kind = "STRING_VALUE";
	else if (cJSON_IsNumber(got))
		kind = "NUMBER_VALUE";
	else if (cJSON_IsBool(got))
		kind = "BOOLEAN_VALUE";
	else
		kind = "NULL_VALUE";
	snprintf(v->ser_msg, sizeof(v->ser_msg),
	    "%s can not be converted to %s", kind, target);
}

/* ---------------------------------------------------------------------- */
/* The check                                                              */

cJSON *
cmfa_v_member(const cJSON *obj, const char *name)
{
	cJSON *m;

	if (!cJSON_IsObject(obj))
		return NULL;
	m = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (m == NULL || cJSON_IsNull(m))
		return NULL;
	return m;
}

const char *
cmfa_v_str(const cJSON *obj, const char *name)
{
	const cJSON *m = cmfa_v_member(obj, name);

	return cJSON_IsString(m) ? m->valuestring : NULL;
}

bool
cmfa_v_is_member(const struct cmfa_vshape *shape, const char *name)
{
	size_t i;

	for (i = 0; i < shape->nmembers; i++)
		if (strcmp(shape->members[i].name, name) == 0)
			return true;
	return false;
}

static void check_value(struct cmfa_vctx *, const cJSON *,
    const struct cmfa_vshape *);

static void
check_string(struct cmfa_vctx *v, const cJSON *val, const struct cmfa_vshape *s)
{
	const char *str = val->valuestring;
	bool sens = (s->flags & CMFA_VS_SENSITIVE) != 0;
	char rule[1024];
	size_t len, n16;

	if (str == NULL) {
		type_error(v, val, "a String");
		return;
	}
	len = strlen(str);
	if (!cmfa_utf8_valid(str, len)) {
		/* only from cJSON trees built by callers, never parsed */
		v->ser = true;
		snprintf(v->ser_msg, sizeof(v->ser_msg),
		    "Invalid UTF-8 in a string value.");
		return;
	}
	n16 = cmfa_v_utf16_len(str, len);
	if ((s->flags & CMFA_VS_MIN) && (long long)n16 < s->min) {
		snprintf(rule, sizeof(rule),
		    "Member must have length "
		    "greater than or equal to %lld",
		    s->min);
		add_error(v, str, false, sens, rule);
	}
	if ((s->flags & CMFA_VS_MAX) && (long long)n16 > s->max) {
		snprintf(rule, sizeof(rule),
		    "Member must have length "
		    "less than or equal to %lld",
		    s->max);
		add_error(v, str, false, sens, rule);
	}
	if (s->pattern != CMFA_VPAT_NONE &&
	    !cmfa_v_match(s->pattern, str, len)) {
		snprintf(rule, sizeof(rule),
		    "Member must satisfy regular "
		    "expression pattern: %s",
		    cmfa_v_pattern_text(s->pattern));
		add_error(v, str, false, sens, rule);
	}
	if (s->enums != NULL) {
		const char *const *e;
		char set[512];

		for (e = s->enums; *e != NULL; e++)
			if (strcmp(*e, str) == 0)
				return;
		if (!cmfa_v_enum_set(s->enums, set, sizeof(set)))
			set[0] = '\0';
		snprintf(rule, sizeof(rule),
		    "Member must satisfy enum value set: %s", set);
		add_error(v, str, false, sens, rule);
	}
}

static void
check_int(struct cmfa_vctx *v, const cJSON *val, const struct cmfa_vshape *s)
{
	double d = val->valuedouble;
	char rule[128], num[32];
	long long x;

	/* integral and within +-2^53: anything else is not an Integer */
	if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) ||
	    (double)(long long)d != d) {
		type_error(v, val, "an Integer");
		return;
	}
	x = (long long)d;
	snprintf(num, sizeof(num), "%lld", x);
	if ((s->flags & CMFA_VS_MIN) && x < s->min) {
		snprintf(rule, sizeof(rule),
		    "Member must have value "
		    "greater than or equal to %lld",
		    s->min);
		add_error(v, num, false, false, rule);
	}
	if ((s->flags & CMFA_VS_MAX) && x > s->max) {
		snprintf(rule, sizeof(rule),
		    "Member must have value "
		    "less than or equal to %lld",
		    s->max);
		add_error(v, num, false, false, rule);
	}
}

static void
check_struct(struct cmfa_vctx *v, const cJSON *val, const struct cmfa_vshape *s)
{
	size_t i, old;
	const cJSON *m;

	for (i = 0; i < s->nmembers && !v->ser; i++) {
		m = cmfa_v_member(val, s->members[i].name);
		old = path_push(v, s->members[i].name);
		if (m == NULL) {
			if (s->members[i].required)
				add_error(v, NULL, true, false,
				    "Member must not be null");
		} else
			check_value(v, m, s->members[i].shape);
		path_pop(v, old);
	}
}

static void
check_list(struct cmfa_vctx *v, const cJSON *val, const struct cmfa_vshape *s)
{
	const cJSON *it;
	size_t n = 0, idx = 0, old;
	char rule[128];

	cJSON_ArrayForEach(it, val) n++;
	if ((s->flags & CMFA_VS_MIN) && (long long)n < s->min) {
		snprintf(rule, sizeof(rule),
		    "Member must have length "
		    "greater than or equal to %lld",
		    s->min);
		add_error(v, NULL, false, true, rule);
	}
	if ((s->flags & CMFA_VS_MAX) && (long long)n > s->max) {
		snprintf(rule, sizeof(rule),
		    "Member must have length "
		    "less than or equal to %lld",
		    s->max);
		add_error(v, NULL, false, true, rule);
	}
	cJSON_ArrayForEach(it, val)
	{
		if (v->ser)
			break;
		idx++;
		old = path_push_index(v, idx);
		if (cJSON_IsNull(it))
			type_error(v, it, "a list member");
		else
			check_value(v, it, s->item);
		path_pop(v, old);
	}
}

static void
check_value(struct cmfa_vctx *v, const cJSON *val, const struct cmfa_vshape *s)
{
	if (v->ser)
		return;
	switch (s->type) {
	case CMFA_VT_STRING:
		if (!cJSON_IsString(val))
			type_error(v, val, "a String");
		else
			check_string(v, val, s);
		break;
	case CMFA_VT_BOOL:
		if (!cJSON_IsBool(val))
			type_error(v, val, "a Boolean");
		break;
	case CMFA_VT_INT:
		if (!cJSON_IsNumber(val))
			type_error(v, val, "an Integer");
		else
			check_int(v, val, s);
		break;
	case CMFA_VT_TIMESTAMP:
		if (!cJSON_IsNumber(val) || !isfinite(val->valuedouble))
			type_error(v, val, "a Timestamp");
		break;
	case CMFA_VT_STRUCT:
		if (!cJSON_IsObject(val))
			type_error(v, val, "a Structure");
		else
			check_struct(v, val, s);
		break;
	case CMFA_VT_LIST:
		if (!cJSON_IsArray(val))
			type_error(v, val, "a List");
		else
			check_list(v, val, s);
		break;
	}
}

void
cmfa_v_check(struct cmfa_vctx *v, const char *member, const cJSON *val,
    const struct cmfa_vshape *shape)
{
	size_t old = path_push(v, member);

	check_value(v, val, shape);
	path_pop(v, old);
}

enum cmfa_err
cmfa_v_result(struct cmfa_vctx *v, struct cmfa_verr *verr)
{
	struct cmfa_buf out;
	enum cmfa_err err;

	if (v->ser) {
		verr_set(verr, CMFA_VTYPE_SERIAL, v->ser_msg,
		    strlen(v->ser_msg));
		return CMFA_ERR_VALIDATION;
	}
	if (v->nerr == 0) {
		cmfa_v_verr_clear(verr);
		return CMFA_OK;
	}
	cmfa_buf_init(&out, V_MSG_MAX + 64);
	if ((err = cmfa_buf_appendf(&out, "%u validation error%s detected: ",
	         v->nerr, v->nerr == 1 ? "" : "s")) == CMFA_OK)
		err = cmfa_buf_append(&out,
		    v->msg.p != NULL ? v->msg.p : (const uint8_t *)"",
		    v->msg.len);
	if (err != CMFA_OK) {
		cmfa_buf_free(&out);
		verr_set(verr, CMFA_VTYPE_INVALID, "Out of memory", 13);
		return CMFA_ERR_NOMEM;
	}
	verr_set(verr, CMFA_VTYPE_INVALID, cmfa_buf_str(&out), out.len);
	cmfa_buf_free(&out);
	return CMFA_ERR_VALIDATION;
}

enum cmfa_err
cmfa_v_parse_doc(const char *p, size_t len, cJSON **out, struct cmfa_verr *verr)
{
	enum cmfa_err err;
	char msg[128];

	err = cmfa_json_parse(p, len, CMFA_JSON_MAX_BYTES, out);
	switch (err) {
	case CMFA_OK:
		cmfa_v_verr_clear(verr);
		return CMFA_OK;
	case CMFA_ERR_TOOBIG:
		snprintf(msg, sizeof(msg),
		    "JSON document larger than %u "
		    "bytes",
		    CMFA_JSON_MAX_BYTES);
		break;
	case CMFA_ERR_NOMEM:
		snprintf(msg, sizeof(msg), "Out of memory");
		break;
	default:
		snprintf(msg, sizeof(msg),
		    "Malformed JSON document: not a "
		    "single JSON object in the accepted limits");
		break;
	}
	verr_set(verr, CMFA_VTYPE_SERIAL, msg, strlen(msg));
	return err;
}

/* ---------------------------------------------------------------------- */
/* Ordered copy                                                           */

bool
cmfa_v_add_item(cJSON *obj, const char *name, cJSON *item)
{
	if (item == NULL)
		return false;
	if (!cJSON_AddItemToObject(obj, name, item)) {
		cJSON_Delete(item);
		return false;
	}
	return true;
}

static cJSON *
copy_struct(const cJSON *src, const struct cmfa_vshape *s, bool keep)
{
	cJSON *obj, *c, *ret = NULL;
	const cJSON *m;
	size_t i;

	if ((obj = cJSON_CreateObject()) == NULL)
		return NULL;
	for (i = 0; i < s->nmembers; i++) {
		if ((m = cmfa_v_member(src, s->members[i].name)) == NULL)
			continue;
		c = cmfa_v_copy(m, s->members[i].shape, keep);
		if (!cmfa_v_add_item(obj, s->members[i].name, c))
			goto out;
	}
	if (keep) {
		cJSON_ArrayForEach(m, src)
		{
			if (m->string == NULL || cmfa_v_is_member(s, m->string))
				continue;
			c = cJSON_Duplicate(m, 1);
			if (!cmfa_v_add_item(obj, m->string, c))
				goto out;
		}
	}
	ret = obj;
	obj = NULL;
out:
	cJSON_Delete(obj);
	return ret;
}

cJSON *
cmfa_v_copy(const cJSON *src, const struct cmfa_vshape *shape,
    bool keep_unknown)
{
	cJSON *arr, *c;
	const cJSON *it;

	if (src == NULL)
		return NULL;
	if (shape != NULL && shape->type == CMFA_VT_STRUCT &&
	    cJSON_IsObject(src))
		return copy_struct(src, shape, keep_unknown);
	if (shape != NULL && shape->type == CMFA_VT_LIST &&
	    cJSON_IsArray(src)) {
		if ((arr = cJSON_CreateArray()) == NULL)
			return NULL;
		cJSON_ArrayForEach(it, src)
		{
			c = cmfa_v_copy(it, shape->item, keep_unknown);
			if (c == NULL || !cJSON_AddItemToArray(arr, c)) {
				cJSON_Delete(c);
				cJSON_Delete(arr);
				return NULL;
			}
		}
		return arr;
	}
	return cJSON_Duplicate(src, 1);
}
