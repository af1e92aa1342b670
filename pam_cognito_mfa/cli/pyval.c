/*
 * pyval.c: the AWS CLI's values as Python sees them, so that our
 * messages are its messages: json.loads (CPython 3.11's C scanner, error
 * for error, position for position), str() and repr() of what it loaded,
 * and the type names botocore prints ("<class 'collections.OrderedDict'>").
 *
 * Positions: Python indexes str by code point; the input here is UTF-8,
 * so a byte offset is converted to a code point index when (and only
 * when) an error is reported.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_cli.h"

/* ---------------------------------------------------------------------- */
/* json.loads                                                             */

struct jl {
	const char *s;
	size_t n;
	bool odict;
	const char *msg; /* the error, once set */
	size_t at;       /* its byte offset */
	bool stop;       /* StopIteration: "Expecting value" at `at` */
	unsigned depth;
	bool nomem;
};

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t
skip_ws(const struct jl *j, size_t i)
{
	while (i < j->n && is_ws(j->s[i]))
		i++;
	return i;
}

static void
jl_error(struct jl *j, const char *msg, size_t at)
{
	if (j->msg == NULL) {
		j->msg = msg;
		j->at = at;
	}
}

static void
jl_stop(struct jl *j, size_t at)
{
	jl_error(j, "Expecting value", at);
	j->stop = true;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
utf8_put(struct cmfa_buf *b, uint32_t cp)
{
	uint8_t u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (uint8_t)(0xc0 | (cp >> 6));
		u[1] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (uint8_t)(0xe0 | (cp >> 12));
		u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (uint8_t)(0xf0 | (cp >> 18));
		u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return cmfa_buf_append(b, u, n) == CMFA_OK;
}

/* Four hex digits at s[i..i+4) (the caller checked they exist). */
static bool
hex4(const struct jl *j, size_t i, uint32_t *out)
{
	uint32_t c = 0;
	size_t k;
	int h;

	for (k = 0; k < 4; k++) {
		if ((h = hexval(j->s[i + k])) < 0)
			return false;
		c = (c << 4) | (uint32_t)h;
	}
	*out = c;
	return true;
}

/*
 * scanstring_unicode: end is the index after the opening quote.  The
 * decoded string goes to b; *next is the index after the closing quote.
 */
static bool
jl_string(struct jl *j, size_t end, struct cmfa_buf *b, size_t *next_out)
{
	size_t begin = end - 1, next, e;
	uint32_t c, c2;
	char ch;

	for (;;) {
		for (next = end; next < j->n; next++) {
			ch = j->s[next];
			if (ch == '"' || ch == '\\')
				break;
			if ((unsigned char)ch <= 0x1f) {
				jl_error(j, "Invalid control character at",
				    next);
				return false;
			}
		}
		if (next >= j->n) {
			jl_error(j, "Unterminated string starting at", begin);
			return false;
		}
		if (next > end &&
		    cmfa_buf_append(b, j->s + end, next - end) != CMFA_OK) {
			j->nomem = true;
			return false;
		}
		ch = j->s[next++];
		if (ch == '"') {
			end = next;
			break;
		}
		if (next == j->n) {
			jl_error(j, "Unterminated string starting at", begin);
			return false;
		}
		ch = j->s[next];
		if (ch != 'u') {
			end = next + 1;
			switch (ch) {
			case '"':
			case '\\':
			case '/':
				break;
			case 'b':
				ch = '\b';
				break;
			case 'f':
				ch = '\f';
				break;
			case 'n':
				ch = '\n';
				break;
			case 'r':
				ch = '\r';
				break;
			case 't':
				ch = '\t';
				break;
			default:
				jl_error(j, "Invalid \\escape", end - 2);
				return false;
			}
			if (cmfa_buf_append(b, &ch, 1) != CMFA_OK) {
				j->nomem = true;
				return false;
			}
			continue;
		}
		next++;
		e = next + 4;
		if (e >= j->n) {
			jl_error(j, "Invalid \\uXXXX escape", next - 1);
			return false;
		}
		if (!hex4(j, next, &c)) {
			jl_error(j, "Invalid \\uXXXX escape", e - 5);
			return false;
		}
		end = e;
		if (c >= 0xd800 && c <= 0xdbff && e + 6 < j->n &&
		    j->s[e] == '\\' && j->s[e + 1] == 'u') {
			if (!hex4(j, e + 2, &c2)) {
				jl_error(j, "Invalid \\uXXXX escape", e + 1);
				return false;
			}
			if (c2 >= 0xdc00 && c2 <= 0xdfff) {
				c = 0x10000 +
				    (((c - 0xd800) << 10) | (c2 - 0xdc00));
				end = e + 6;
			}
		}
		if (c >= 0xd800 && c <= 0xdfff) {
			/* Python keeps a lone surrogate; UTF-8 cannot */
			jl_error(j,
			    "Invalid \\uXXXX escape (unpaired surrogate)",
			    next - 1);
			return false;
		}
		if (c == 0) {
			/* a C string cannot hold it; argv never does */
			jl_error(j, "Invalid \\uXXXX escape (NUL)", next - 1);
			return false;
		}
		if (!utf8_put(b, c)) {
			j->nomem = true;
			return false;
		}
	}
	*next_out = end;
	return true;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

cJSON *
cmfa_cli_new_int(long long v)
{
	char t[32];

	snprintf(t, sizeof(t), "%lld", v);
	return cJSON_CreateRaw(t);
}

/* _match_number_unicode */
static cJSON *
jl_number(struct jl *j, size_t start, size_t *next)
{
	size_t idx = start, end_idx = j->n - 1, e_start;
	bool is_float = false;
	char repr[40];
	cJSON *v;
	size_t len;

	if (j->s[idx] == '-') {
		idx++;
		if (idx > end_idx) {
			jl_stop(j, start);
			return NULL;
		}
	}
	if (j->s[idx] >= '1' && j->s[idx] <= '9') {
		idx++;
		while (idx <= end_idx && is_digit(j->s[idx]))
			idx++;
	} else if (j->s[idx] == '0')
		idx++;
	else {
		jl_stop(j, start);
		return NULL;
	}
	if (idx < end_idx && j->s[idx] == '.' && is_digit(j->s[idx + 1])) {
		is_float = true;
		idx += 2;
		while (idx <= end_idx && is_digit(j->s[idx]))
			idx++;
	}
	if (idx < end_idx && (j->s[idx] == 'e' || j->s[idx] == 'E')) {
		e_start = idx++;
		if (idx < end_idx && (j->s[idx] == '-' || j->s[idx] == '+'))
			idx++;
		while (idx <= end_idx && is_digit(j->s[idx]))
			idx++;
		if (is_digit(j->s[idx - 1]))
			is_float = true;
		else
			idx = e_start;
	}
	len = idx - start;
	*next = idx;
	if (!is_float) {
		if (len == 2 && memcmp(j->s + start, "-0", 2) == 0)
			v = cJSON_CreateRaw("0");
		else {
			char *t = malloc(len + 1);

			if (t == NULL) {
				j->nomem = true;
				return NULL;
			}
			memcpy(t, j->s + start, len);
			t[len] = '\0';
			v = cJSON_CreateRaw(t);
			free(t);
		}
	} else {
		char *t = malloc(len + 1);

		if (t == NULL) {
			j->nomem = true;
			return NULL;
		}
		memcpy(t, j->s + start, len);
		t[len] = '\0';
		cmfa_cli_float_repr(strtod(t, NULL), repr, sizeof(repr));
		free(t);
		v = cJSON_CreateRaw(repr);
	}
	if (v == NULL)
		j->nomem = true;
	return v;
}

static bool
word_at(const struct jl *j, size_t i, const char *w)
{
	size_t n = strlen(w);

	return i + n <= j->n && memcmp(j->s + i, w, n) == 0;
}

static cJSON *jl_value(struct jl *j, size_t idx, size_t *next);

static cJSON *
jl_object(struct jl *j, size_t idx, size_t *next)
{
	cJSON *obj, *val, *old;
	struct cmfa_buf key;
	bool ok = false;
	size_t n;

	if ((obj = cJSON_CreateObject()) == NULL) {
		j->nomem = true;
		return NULL;
	}
	if (j->odict)
		obj->type |= CMFA_CLI_ODICT;
	cmfa_buf_init(&key, j->n + 1);
	idx = skip_ws(j, idx);
	if (idx >= j->n || j->s[idx] != '}') {
		for (;;) {
			if (idx >= j->n || j->s[idx] != '"') {
				jl_error(j,
				    "Expecting property name enclosed in "
				    "double quotes",
				    idx);
				goto out;
			}
			cmfa_buf_reset(&key);
			if (!jl_string(j, idx + 1, &key, &n))
				goto out;
			idx = skip_ws(j, n);
			if (idx >= j->n || j->s[idx] != ':') {
				jl_error(j, "Expecting ':' delimiter", idx);
				goto out;
			}
			idx = skip_ws(j, idx + 1);
			if ((val = jl_value(j, idx, &n)) == NULL)
				goto out;
			old = cJSON_GetObjectItemCaseSensitive(obj,
			    cmfa_buf_str(&key));
			if (old != NULL) {
				/* Python: the last value, the first place */
				if (!cJSON_ReplaceItemInObjectCaseSensitive(obj,
				        cmfa_buf_str(&key), val)) {
					cJSON_Delete(val);
					j->nomem = true;
					goto out;
				}
			} else if (!cJSON_AddItemToObject(obj,
			               cmfa_buf_str(&key), val)) {
				cJSON_Delete(val);
				j->nomem = true;
				goto out;
			}
			idx = skip_ws(j, n);
			if (idx < j->n && j->s[idx] == '}')
				break;
			if (idx >= j->n || j->s[idx] != ',') {
				jl_error(j, "Expecting ',' delimiter", idx);
				goto out;
			}
			idx = skip_ws(j, idx + 1);
		}
	}
	*next = idx + 1;
	ok = true;
out:
	cmfa_buf_free(&key);
	if (!ok) {
		cJSON_Delete(obj);
		obj = NULL;
	}
	return obj;
}

static cJSON *
jl_array(struct jl *j, size_t idx, size_t *next)
{
	cJSON *arr, *val;
	bool ok = false;
	size_t n;

	if ((arr = cJSON_CreateArray()) == NULL) {
		j->nomem = true;
		return NULL;
	}
	idx = skip_ws(j, idx);
	if (idx >= j->n || j->s[idx] != ']') {
		for (;;) {
			if ((val = jl_value(j, idx, &n)) == NULL)
				goto out;
			if (!cJSON_AddItemToArray(arr, val)) {
				cJSON_Delete(val);
				j->nomem = true;
				goto out;
			}
			idx = skip_ws(j, n);
			if (idx < j->n && j->s[idx] == ']')
				break;
			if (idx >= j->n || j->s[idx] != ',') {
				jl_error(j, "Expecting ',' delimiter", idx);
				goto out;
			}
			idx = skip_ws(j, idx + 1);
		}
	}
	*next = idx + 1;
	ok = true;
out:
	if (!ok) {
		cJSON_Delete(arr);
		arr = NULL;
	}
	return arr;
}

/* scan_once_unicode */
static cJSON *
jl_value(struct jl *j, size_t idx, size_t *next)
{
	struct cmfa_buf b;
	cJSON *v = NULL;

	if (idx >= j->n) {
		jl_stop(j, idx);
		return NULL;
	}
	switch (j->s[idx]) {
	case '"':
		cmfa_buf_init(&b, j->n + 1);
		if (jl_string(j, idx + 1, &b, next) &&
		    (v = cJSON_CreateString(cmfa_buf_str(&b))) == NULL)
			j->nomem = true;
		cmfa_buf_free(&b);
		return v;
	case '{':
	case '[':
		if (++j->depth > CMFA_CLI_JSON_MAX_DEPTH) {
			jl_error(j, "Maximum nesting depth exceeded", idx);
			return NULL;
		}
		v = j->s[idx] == '{' ? jl_object(j, idx + 1, next)
		                     : jl_array(j, idx + 1, next);
		j->depth--;
		return v;
	case 'n':
		if (word_at(j, idx, "null")) {
			*next = idx + 4;
			v = cJSON_CreateNull();
		}
		break;
	case 't':
		if (word_at(j, idx, "true")) {
			*next = idx + 4;
			v = cJSON_CreateTrue();
		}
		break;
	case 'f':
		if (word_at(j, idx, "false")) {
			*next = idx + 5;
			v = cJSON_CreateFalse();
		}
		break;
	case 'N':
		if (word_at(j, idx, "NaN")) {
			*next = idx + 3;
			v = cJSON_CreateRaw("nan");
		}
		break;
	case 'I':
		if (word_at(j, idx, "Infinity")) {
			*next = idx + 8;
			v = cJSON_CreateRaw("inf");
		}
		break;
	case '-':
		if (word_at(j, idx, "-Infinity")) {
			*next = idx + 9;
			v = cJSON_CreateRaw("-inf");
		}
		break;
	default:
		break;
	}
	if (v != NULL)
		return v;
	switch (j->s[idx]) {
	case 'n':
	case 't':
	case 'f':
	case 'N':
	case 'I':
		jl_stop(j, idx);
		return NULL;
	default:
		return jl_number(j, idx, next);
	}
}

/* Code point index, line and column of byte offset at (Python's
 * JSONDecodeError). */
static void
position(const char *s, size_t at, size_t *pos, size_t *line, size_t *col)
{
	size_t i, cps = 0, last_nl = 0;
	bool nl = false;

	*line = 1;
	for (i = 0; i < at; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (s[i] == '\n') {
			(*line)++;
			last_nl = cps;
			nl = true;
		}
		cps++;
	}
	*pos = cps;
	*col = nl ? cps - last_nl : cps + 1;
}

enum cmfa_err
cmfa_cli_json_load(const char *p, size_t len, bool odict, cJSON **out,
    char *err, size_t errsz)
{
	struct jl j;
	size_t idx, next = 0, pos, line, col;
	cJSON *v;

	if (errsz > 0)
		err[0] = '\0';
	if (out == NULL || (p == NULL && len > 0))
		return CMFA_ERR_INVAL;
	memset(&j, 0, sizeof(j));
	j.s = p != NULL ? p : "";
	j.n = len;
	j.odict = odict;
	if (!cmfa_utf8_valid(j.s, len)) {
		snprintf(err, errsz, "not valid UTF-8");
		return CMFA_ERR_PARSE;
	}
	if (len >= 3 && memcmp(j.s, "\xef\xbb\xbf", 3) == 0) {
		snprintf(err, errsz,
		    "Unexpected UTF-8 BOM (decode using utf-8-sig): "
		    "line 1 column 1 (char 0)");
		return CMFA_ERR_PARSE;
	}
	idx = skip_ws(&j, 0);
	v = jl_value(&j, idx, &next);
	if (v != NULL) {
		idx = skip_ws(&j, next);
		if (idx != len) {
			jl_error(&j, "Extra data", idx);
			cJSON_Delete(v);
			v = NULL;
		}
	}
	if (j.nomem) {
		cJSON_Delete(v);
		return CMFA_ERR_NOMEM;
	}
	if (v == NULL) {
		position(j.s, j.at, &pos, &line, &col);
		snprintf(err, errsz, "%s: line %zu column %zu (char %zu)",
		    j.msg != NULL ? j.msg : "Expecting value", line, col, pos);
		return CMFA_ERR_PARSE;
	}
	*out = v;
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* repr / str                                                             */

void
cmfa_cli_float_repr(double d, char *buf, size_t bufsz)
{
	char tmp[40], digits[24], *e;
	int prec, exp10, nd, i, pos;
	size_t o = 0;
	bool neg;

	if (isnan(d)) {
		snprintf(buf, bufsz, "nan");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, bufsz, "%s", d < 0 ? "-inf" : "inf");
		return;
	}
	if (d == 0) {
		snprintf(buf, bufsz, "%s", signbit(d) ? "-0.0" : "0.0");
		return;
	}
	/* the shortest digits that read back as d (repr's 'r' mode) */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	neg = tmp[0] == '-';
	nd = 0;
	for (i = neg ? 1 : 0; tmp[i] != '\0' && tmp[i] != 'e'; i++)
		if (tmp[i] != '.')
			digits[nd++] = tmp[i];
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	e = strchr(tmp, 'e');
	exp10 = e != NULL ? (int)strtol(e + 1, NULL, 10) : 0;
	pos = exp10 + 1; /* Python's decpt */
	if (neg)
		tmp[o++] = '-';
	if (pos <= -4 || pos > 16) {
		tmp[o++] = digits[0];
		if (nd > 1) {
			tmp[o++] = '.';
			for (i = 1; i < nd; i++)
				tmp[o++] = digits[i];
		}
		snprintf(tmp + o, sizeof(tmp) - o, "e%c%02d",
		    exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
	} else if (pos <= 0) {
		tmp[o++] = '0';
		tmp[o++] = '.';
		for (i = pos; i < 0; i++)
			tmp[o++] = '0';
		for (i = 0; i < nd; i++)
			tmp[o++] = digits[i];
		tmp[o] = '\0';
	} else {
		for (i = 0; i < pos; i++)
			tmp[o++] = i < nd ? digits[i] : '0';
		tmp[o++] = '.';
		if (nd > pos)
			for (i = pos; i < nd; i++)
				tmp[o++] = digits[i];
		else
			tmp[o++] = '0';
		tmp[o] = '\0';
	}
	snprintf(buf, bufsz, "%s", tmp);
}

static bool
raw_is_float(const char *t)
{
	return t != NULL && strpbrk(t, ".eEin") != NULL;
}

bool
cmfa_cli_integral(double d)
{
	/* within +-2^53 every integer is exact; no libm needed */
	return d > -9007199254740992.0 && d < 9007199254740992.0 &&
	    (double)(long long)d == d;
}

bool
cmfa_cli_is_pyint(const cJSON *v)
{
	return v != NULL && cJSON_IsRaw(v) && !raw_is_float(v->valuestring);
}

bool
cmfa_cli_is_pyfloat(const cJSON *v)
{
	return v != NULL && cJSON_IsRaw(v) && raw_is_float(v->valuestring);
}

bool
cmfa_cli_is_pystr(const cJSON *v)
{
	return v != NULL && cJSON_IsString(v) && !(v->type & CMFA_CLI_BYTES);
}

/*
 * str.isprintable() for a code point above U+007E, without Unicode
 * tables: not printable are C1 controls, separators other than ' ',
 * the common format characters, surrogates, private use and
 * noncharacters.  Unassigned code points count as printable here.
 */
static bool
py_printable(uint32_t c)
{
	static const uint32_t no[][2] = {
		{ 0x7f, 0xa0 },
		{ 0xad, 0xad },
		{ 0x600, 0x605 },
		{ 0x61c, 0x61c },
		{ 0x6dd, 0x6dd },
		{ 0x70f, 0x70f },
		{ 0x1680, 0x1680 },
		{ 0x180e, 0x180e },
		{ 0x2000, 0x200f },
		{ 0x2028, 0x202f },
		{ 0x205f, 0x2064 },
		{ 0x2066, 0x206f },
		{ 0x3000, 0x3000 },
		{ 0xd800, 0xf8ff },
		{ 0xfdd0, 0xfdef },
		{ 0xfeff, 0xfeff },
		{ 0xfff9, 0xfffb },
		{ 0xfffe, 0xffff },
		{ 0x110bd, 0x110bd },
		{ 0x1d173, 0x1d17a },
		{ 0xe0001, 0xe0001 },
		{ 0xe0020, 0xe007f },
		{ 0xf0000, 0x10ffff },
	};
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(no); i++)
		if (c >= no[i][0] && c <= no[i][1])
			return false;
	return true;
}

enum cmfa_err
cmfa_cli_pyrepr_str(const char *s, size_t len, struct cmfa_buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	enum cmfa_err e = CMFA_OK;
	size_t i = 0, k;
	uint32_t c;
	char q = '\'';

	if (memchr(s, '\'', len) != NULL && memchr(s, '"', len) == NULL)
		q = '"';
	if ((e = cmfa_buf_append(out, &q, 1)) != CMFA_OK)
		return e;
	while (i < len && e == CMFA_OK) {
		k = cmfa_utf8_next((const char *)p + i, len - i, &c);
		if (c == (uint32_t)q || c == '\\')
			e = cmfa_buf_appendf(out, "\\%c", (char)c);
		else if (c == '\t')
			e = cmfa_buf_append_str(out, "\\t");
		else if (c == '\n')
			e = cmfa_buf_append_str(out, "\\n");
		else if (c == '\r')
			e = cmfa_buf_append_str(out, "\\r");
		else if (c < 0x20 || c == 0x7f)
			e = cmfa_buf_appendf(out, "\\x%02x", c);
		else if (c < 0x7f || py_printable(c))
			e = cmfa_buf_append(out, p + i, k);
		else if (c <= 0xff)
			e = cmfa_buf_appendf(out, "\\x%02x", c);
		else if (c <= 0xffff)
			e = cmfa_buf_appendf(out, "\\u%04x", c);
		else
			e = cmfa_buf_appendf(out, "\\U%08x", c);
		i += k;
	}
	if (e == CMFA_OK)
		e = cmfa_buf_append(out, &q, 1);
	return e;
}

enum cmfa_err
cmfa_cli_pyrepr_bytes(const uint8_t *p, size_t len, struct cmfa_buf *out)
{
	enum cmfa_err e;
	size_t i;
	char q = '\'';

	if (memchr(p, '\'', len) != NULL && memchr(p, '"', len) == NULL)
		q = '"';
	if ((e = cmfa_buf_appendf(out, "b%c", q)) != CMFA_OK)
		return e;
	for (i = 0; i < len && e == CMFA_OK; i++) {
		if (p[i] == (uint8_t)q || p[i] == '\\')
			e = cmfa_buf_appendf(out, "\\%c", (char)p[i]);
		else if (p[i] == '\t')
			e = cmfa_buf_append_str(out, "\\t");
		else if (p[i] == '\n')
			e = cmfa_buf_append_str(out, "\\n");
		else if (p[i] == '\r')
			e = cmfa_buf_append_str(out, "\\r");
		else if (p[i] < 0x20 || p[i] >= 0x7f)
			e = cmfa_buf_appendf(out, "\\x%02x", p[i]);
		else
			e = cmfa_buf_append(out, p + i, 1);
	}
	if (e == CMFA_OK)
		e = cmfa_buf_append(out, &q, 1);
	return e;
}

enum cmfa_err
cmfa_cli_pyrepr(const cJSON *v, struct cmfa_buf *out)
{
	const cJSON *it;
	enum cmfa_err e = CMFA_OK;
	bool first = true, od;

	if (v == NULL)
		return cmfa_buf_append_str(out, "None");
	switch (v->type & 0xff) {
	case cJSON_NULL:
		return cmfa_buf_append_str(out, "None");
	case cJSON_True:
		return cmfa_buf_append_str(out, "True");
	case cJSON_False:
		return cmfa_buf_append_str(out, "False");
	case cJSON_Raw:
		return cmfa_buf_append_str(out,
		    v->valuestring != NULL ? v->valuestring : "0");
	case cJSON_Number: {
		char t[40];

		if (cmfa_cli_integral(v->valuedouble))
			snprintf(t, sizeof(t), "%.0f", v->valuedouble);
		else
			cmfa_cli_float_repr(v->valuedouble, t, sizeof(t));
		return cmfa_buf_append_str(out, t);
	}
	case cJSON_String:
		if (v->type & CMFA_CLI_BYTES)
			return cmfa_buf_append_str(out, v->valuestring);
		return cmfa_cli_pyrepr_str(v->valuestring,
		    strlen(v->valuestring), out);
	case cJSON_Array:
		e = cmfa_buf_append_str(out, "[");
		cJSON_ArrayForEach(it, v)
		{
			if (e == CMFA_OK && !first)
				e = cmfa_buf_append_str(out, ", ");
			if (e == CMFA_OK)
				e = cmfa_cli_pyrepr(it, out);
			first = false;
		}
		return e == CMFA_OK ? cmfa_buf_append_str(out, "]") : e;
	case cJSON_Object:
		od = (v->type & CMFA_CLI_ODICT) != 0;
		if (od && v->child == NULL)
			return cmfa_buf_append_str(out, "OrderedDict()");
		e = cmfa_buf_append_str(out, od ? "OrderedDict([" : "{");
		cJSON_ArrayForEach(it, v)
		{
			if (e == CMFA_OK && !first)
				e = cmfa_buf_append_str(out, ", ");
			if (e == CMFA_OK && od)
				e = cmfa_buf_append_str(out, "(");
			if (e == CMFA_OK)
				e = cmfa_cli_pyrepr_str(it->string,
				    strlen(it->string), out);
			if (e == CMFA_OK)
				e = cmfa_buf_append_str(out, od ? ", " : ": ");
			if (e == CMFA_OK)
				e = cmfa_cli_pyrepr(it, out);
			if (e == CMFA_OK && od)
				e = cmfa_buf_append_str(out, ")");
			first = false;
		}
		return e == CMFA_OK ? cmfa_buf_append_str(out, od ? "])" : "}")
		                    : e;
	default:
		return cmfa_buf_append_str(out, "None");
	}
}

enum cmfa_err
cmfa_cli_pystr(const cJSON *v, struct cmfa_buf *out)
{
	if (cmfa_cli_is_pystr(v))
		return cmfa_buf_append_str(out, v->valuestring);
	return cmfa_cli_pyrepr(v, out);
}

const char *
cmfa_cli_pytype(const cJSON *v)
{
	if (v == NULL)
		return "<class 'NoneType'>";
	switch (v->type & 0xff) {
	case cJSON_True:
	case cJSON_False:
		return "<class 'bool'>";
	case cJSON_Raw:
		return cmfa_cli_is_pyfloat(v) ? "<class 'float'>"
		                              : "<class 'int'>";
	case cJSON_Number:
		return cmfa_cli_integral(v->valuedouble) ? "<class 'int'>"
		                                         : "<class 'float'>";
	case cJSON_String:
		return (v->type & CMFA_CLI_BYTES) ? "<class 'bytes'>"
		                                  : "<class 'str'>";
	case cJSON_Array:
		return "<class 'list'>";
	case cJSON_Object:
		return (v->type & CMFA_CLI_ODICT)
		    ? "<class 'collections.OrderedDict'>"
		    : "<class 'dict'>";
	default:
		return "<class 'NoneType'>";
	}
}
