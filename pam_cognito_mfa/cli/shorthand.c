/*
 * shorthand.c: the AWS CLI shorthand syntax (aws-cli v2 awscli/shorthand.py
 * ShorthandParser), reproduced rule for rule so that what the real CLI
 * accepts, refuses and reports is what we accept, refuse and report.
 *
 * Grammar (COGNITO.md 5.3):
 *   parameter     = keyval *("," keyval)
 *   keyval        = key ("=" / "@=") values
 *   key           = *(ALPHA / DIGIT / "-" / "_" / "." / "#" / "/" / ":")
 *   values        = EOF -> "" / explicit-list / hash-literal / csv-value
 *   csv-value     = first-value *("," second-value)
 *   explicit-list = "[" [evalue *("," evalue)] "]"
 *   hash-literal  = "{" [key ("=" / "@=") evalue *("," ...)] "}"
 *   evalue        = explicit-list / hash-literal / first-value
 *
 * The Python parser works on code points with regular expressions; here
 * the index is a byte offset into input that has been checked to be
 * UTF-8, the character classes are tested on decoded code points, and
 * the error carets are counted in code points again.  Two places where
 * the regexes' backtracking shows through are reproduced on purpose:
 *  - an unterminated quoted value whose text holds an escaped quote ends
 *    at the last such quote ('x\' is the string x\);
 *  - a csv list ends by backtracking to the last ',' before the element
 *    that failed, which may be a ',' inside that element.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_shorthand.h"

enum sh_fail {
	SH_FAIL_NONE = 0,
	SH_FAIL_SYNTAX, /* ShorthandParseSyntaxError: csv lists catch it */
	SH_FAIL_DUPKEY, /* DuplicateKeyInObjectError */
	SH_FAIL_DEPTH,  /* our nesting cap */
};

struct sh {
	const char *p;
	size_t len;
	size_t i; /* byte offset of the next character */
	unsigned depth;
	char *scratch; /* len + 1 bytes: one value or key at a time */

	/* the first failure, formatted only at the end */
	enum sh_fail fail;
	size_t fail_at;      /* byte offset the caret points at */
	char exp_ch;         /* expected character, or */
	const char *exp_str; /* expected text */
	const char *act;     /* received: into p, or a literal */
	size_t act_len;
	size_t key_off, key_len; /* duplicate key */
};

#define SH_STR_(x) #x
#define SH_STR(x) SH_STR_(x)
_Static_assert(CMFA_SHORTHAND_MAX_LEN == 65536, "message says 65536");

static enum cmfa_err sh_explicit_values(struct sh *, cJSON **);

/* ---------------------------------------------------------------------- */
/* Code points and the regexes' character classes                         */

/* Decode the code point at p[0..len) of valid UTF-8; returns its length. */
static size_t
cp_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, k;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] < 0xe0) {
		n = 2;
		c = p[0] & 0x1fu;
	} else if (p[0] < 0xf0) {
		n = 3;
		c = p[0] & 0x0fu;
	} else {
		n = 4;
		c = p[0] & 0x07u;
	}
	if (n > len) { /* cannot happen on checked input */
		*cp = 0xfffd;
		return len;
	}
	for (k = 1; k < n; k++)
		c = (c << 6) | (p[k] & 0x3fu);
	*cp = c;
	return n;
}

static size_t
cp_count(const char *p, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)p[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* Python's \s and str.isspace(): what rstrip() removes. */
static bool
py_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) ||
	    c == 0x85 || c == 0xa0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
	    c == 0x202f || c == 0x205f || c == 0x3000;
}

/* _START_WORD: anything up to U+FFFF but controls, space " ' , = [ {. */
static bool
is_start(uint32_t c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x26) ||
	    (c >= 0x28 && c <= 0x2b) || (c >= 0x2d && c <= 0x3c) ||
	    (c >= 0x3e && c <= 0x5a) || (c >= 0x5c && c <= 0x7a) ||
	    (c >= 0x7c && c <= 0xffff);
}

/* _FIRST_FOLLOW_CHARS: whitespace, and all up to U+FFFF but " ' , ] }. */
static bool
is_follow_first(uint32_t c)
{
	return py_space(c) || c == 0x21 || (c >= 0x23 && c <= 0x26) ||
	    (c >= 0x28 && c <= 0x2b) || (c >= 0x2d && c <= 0x5c) ||
	    (c >= 0x5e && c <= 0x7c) || (c >= 0x7e && c <= 0xffff);
}

/* _SECOND_FOLLOW_CHARS: whitespace, and all up to U+FFFF but " ' , =. */
static bool
is_follow_second(uint32_t c)
{
	return py_space(c) || c == 0x21 || (c >= 0x23 && c <= 0x26) ||
	    (c >= 0x28 && c <= 0x2b) || (c >= 0x2d && c <= 0x3c) ||
	    (c >= 0x3e && c <= 0xffff);
}

static bool
is_key_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '#' || c == '/' || c == ':';
}

/* ---------------------------------------------------------------------- */
/* Cursor                                                                 */

/* The byte at the cursor, or -1 at the end (Python's _EOF). */
static int
sh_cur(const struct sh *s)
{
	return s->i < s->len ? (unsigned char)s->p[s->i] : -1;
}

/* string.whitespace: ASCII only, unlike \s. */
static void
sh_ws(struct sh *s)
{
	char c;

	while (s->i < s->len &&
	    ((c = s->p[s->i]) == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	        c == '\v' || c == '\f'))
		s->i++;
}

/* Record a syntax error at the cursor; act NULL: the code point there. */
static enum cmfa_err
sh_syntax(struct sh *s, char exp_ch, const char *exp_str, const char *act)
{
	uint32_t c;

	s->fail = SH_FAIL_SYNTAX;
	s->fail_at = s->i;
	s->exp_ch = exp_ch;
	s->exp_str = exp_str;
	if (act != NULL) {
		s->act = act;
		s->act_len = strlen(act);
	} else if (s->i >= s->len) {
		s->act = "EOF";
		s->act_len = 3;
	} else {
		s->act = s->p + s->i;
		s->act_len = cp_decode(s->p + s->i, s->len - s->i, &c);
	}
	return CMFA_ERR_PARSE;
}

static void
sh_clear(struct sh *s)
{
	s->fail = SH_FAIL_NONE;
}

/* _expect(char, consume_whitespace) */
static enum cmfa_err
sh_expect(struct sh *s, char ch, bool ws)
{
	if (ws)
		sh_ws(s);
	if (sh_cur(s) != (unsigned char)ch)
		return sh_syntax(s, ch, NULL, NULL);
	s->i++;
	if (ws)
		sh_ws(s);
	return CMFA_OK;
}

/* _expect_strings(['=', '@='], consume_whitespace=True) */
static enum cmfa_err
sh_expect_assign(struct sh *s)
{
	size_t n;
	uint32_t c;

	sh_ws(s);
	if (s->i < s->len && s->p[s->i] == '=')
		s->i++;
	else if (s->len - s->i >= 2 && s->p[s->i] == '@' &&
	    s->p[s->i + 1] == '=')
		s->i += 2;
	else {
		if (s->i >= s->len)
			return sh_syntax(s, 0, "= or @=", "EOF");
		/* received: the longest candidate, two code points at most */
		n = cp_decode(s->p + s->i, s->len - s->i, &c);
		if (s->i + n < s->len)
			n += cp_decode(s->p + s->i + n, s->len - s->i - n, &c);
		sh_syntax(s, 0, "= or @=", NULL);
		s->act_len = n;
		return CMFA_ERR_PARSE;
	}
	sh_ws(s);
	return CMFA_OK;
}

/* _key(): possibly empty; returned as a span of the input. */
static void
sh_key(struct sh *s, size_t *off, size_t *len)
{
	*off = s->i;
	while (s->i < s->len && is_key_char((unsigned char)s->p[s->i]))
		s->i++;
	*len = s->i - *off;
}

/*
 * Match ( "\," / [start] ) *( "\," / [follow] ) at the cursor, as the
 * regex does (the escaped comma is tried first).  Returns the end offset;
 * the cursor when nothing matches.
 */
static size_t
sh_match_word(const struct sh *s, bool (*follow)(uint32_t))
{
	size_t j = s->i, n;
	uint32_t c;
	bool first = true;

	while (j < s->len) {
		if (s->p[j] == '\\' && j + 1 < s->len && s->p[j + 1] == ',') {
			j += 2;
		} else {
			n = cp_decode(s->p + j, s->len - j, &c);
			if (!(first ? is_start(c) : follow(c)))
				break;
			j += n;
		}
		first = false;
	}
	return j;
}

/* ---------------------------------------------------------------------- */
/* Values                                                                 */

static enum cmfa_err
sh_string(const char *v, cJSON **out)
{
	if ((*out = cJSON_CreateString(v)) == NULL)
		return CMFA_ERR_NOMEM;
	return CMFA_OK;
}

/*
 * An unquoted value s->p[a..b): .replace('\\,', ',').rstrip(), as a
 * string item.
 */
static enum cmfa_err
sh_word_value(struct sh *s, size_t a, size_t b, cJSON **out)
{
	char *d = s->scratch;
	size_t r, w = 0, keep = 0, n;
	uint32_t c;

	for (r = a; r < b; r++) {
		if (s->p[r] == '\\' && r + 1 < b && s->p[r + 1] == ',')
			r++;
		d[w++] = s->p[r];
	}
	for (r = 0; r < w; r += n) {
		n = cp_decode(d + r, w - r, &c);
		if (!py_space(c))
			keep = r + n;
	}
	d[keep] = '\0';
	return sh_string(d, out);
}

/*
 * A quoted value at the cursor: the regex '(?:\\\\|\\'|[^'])*' (and its
 * double-quoted twin).  Escapes are consumed greedily; should that run
 * into the end of the input, the regex backtracks and the last escaped
 * quote becomes the closing one.  The text between the quotes then gets
 * .replace("\\'", "'").replace("\\\\", "\\"), in that order.
 */
static enum cmfa_err
sh_quoted(struct sh *s, cJSON **out)
{
	char q = s->p[s->i], *d = s->scratch;
	size_t j = s->i + 1, qend = 0, r, w, n;
	bool found = false;

	while (j < s->len) {
		if (s->p[j] == '\\' && j + 1 < s->len &&
		    (s->p[j + 1] == '\\' || s->p[j + 1] == q)) {
			if (s->p[j + 1] == q)
				qend = j + 1; /* the fallback closing quote */
			j += 2;
		} else if (s->p[j] == q) {
			qend = j;
			found = true;
			break;
		} else
			j++;
	}
	if (!found && qend == 0)
		return sh_syntax(s, 0,
		    q == '\'' ? "<singled quoted>" : "<double quoted>",
		    "<none>");
	n = 0;
	for (r = s->i + 1; r < qend; r++) {
		if (s->p[r] == '\\' && r + 1 < qend && s->p[r + 1] == q)
			r++;
		d[n++] = s->p[r];
	}
	w = 0;
	for (r = 0; r < n; r++) {
		if (d[r] == '\\' && r + 1 < n && d[r + 1] == '\\')
			r++;
		d[w++] = d[r];
	}
	d[w] = '\0';
	s->i = qend + 1;
	return sh_string(d, out);
}

/* _first_value(): quoted, or an unquoted word, or "" (cursor unmoved). */
static enum cmfa_err
sh_first_value(struct sh *s, cJSON **out)
{
	size_t a = s->i;

	if (sh_cur(s) == '\'' || sh_cur(s) == '"')
		return sh_quoted(s, out);
	s->i = sh_match_word(s, is_follow_first);
	return sh_word_value(s, a, s->i, out);
}

/* _second_value(): quoted, or an unquoted word that must not be empty. */
static enum cmfa_err
sh_second_value(struct sh *s, cJSON **out)
{
	size_t a = s->i;

	if (sh_cur(s) == '\'' || sh_cur(s) == '"')
		return sh_quoted(s, out);
	if ((s->i = sh_match_word(s, is_follow_second)) == a)
		return sh_syntax(s, 0, "<second>", "<none>");
	return sh_word_value(s, a, s->i, out);
}

static enum cmfa_err
sh_enter(struct sh *s)
{
	if (s->depth >= CMFA_SHORTHAND_MAX_DEPTH) {
		s->fail = SH_FAIL_DEPTH;
		s->fail_at = s->i;
		return CMFA_ERR_TOOBIG;
	}
	s->depth++;
	return CMFA_OK;
}

static enum cmfa_err
sh_add(cJSON *arr, cJSON *v)
{
	if (!cJSON_AddItemToArray(arr, v)) {
		cJSON_Delete(v);
		return CMFA_ERR_NOMEM;
	}
	return CMFA_OK;
}

/*
 * The keys of one object being built, hashed, so that a 64 KiB input of
 * distinct keys costs no more than a short one per key (cJSON's own
 * lookup walks the list).  Slots point at the items, whose ->string is
 * the key.
 */
struct sh_index {
	cJSON **slot;
	size_t cap; /* a power of two; 0 before the first key */
	size_t n;
};

static uint64_t
key_hash(const char *k)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */

	for (; *k != '\0'; k++) {
		h ^= (unsigned char)*k;
		h *= 1099511628211u;
	}
	return h;
}

/* The slot holding key k, or the empty slot it would take. */
static cJSON **
idx_slot(cJSON **slot, size_t cap, const char *k)
{
	size_t i = (size_t)key_hash(k) & (cap - 1);

	while (slot[i] != NULL && strcmp(slot[i]->string, k) != 0)
		i = (i + 1) & (cap - 1);
	return &slot[i];
}

static enum cmfa_err
idx_reserve(struct sh_index *x)
{
	cJSON **ns;
	size_t cap, i;

	if ((x->n + 1) * 2 <= x->cap)
		return CMFA_OK;
	cap = x->cap > 0 ? x->cap * 2 : 16;
	if ((ns = calloc(cap, sizeof(*ns))) == NULL)
		return CMFA_ERR_NOMEM;
	for (i = 0; i < x->cap; i++)
		if (x->slot[i] != NULL)
			*idx_slot(ns, cap, x->slot[i]->string) = x->slot[i];
	free(x->slot);
	x->slot = ns;
	x->cap = cap;
	return CMFA_OK;
}

/*
 * Put v under the key s->p[off..off+len) of obj.  A key obj already has
 * gets the new value in the old one's place (a Python dict assignment),
 * or, with unique, CMFA_ERR_EXISTS.  v is consumed either way.
 */
static enum cmfa_err
sh_put(struct sh *s, cJSON *obj, struct sh_index *x, size_t off, size_t len,
    cJSON *v, bool unique)
{
	char *k = s->scratch;
	cJSON **sp;
	enum cmfa_err err;

	memcpy(k, s->p + off, len);
	k[len] = '\0';
	if ((err = idx_reserve(x)) != CMFA_OK)
		goto fail;
	sp = idx_slot(x->slot, x->cap, k);
	if (*sp != NULL && unique) {
		err = CMFA_ERR_EXISTS;
		goto fail;
	}
	/*
	 * Added at the end first, so that cJSON owns the key copy, then
	 * moved to the old value's place (cJSON_ReplaceItemInObject would
	 * keep a value whose key copy failed).
	 */
	if (!cJSON_AddItemToObject(obj, k, v)) {
		err = CMFA_ERR_NOMEM;
		goto fail;
	}
	if (*sp != NULL) {
		cJSON_DetachItemViaPointer(obj, v);
		cJSON_ReplaceItemViaPointer(obj, *sp, v);
	} else
		x->n++;
	*sp = v;
	return CMFA_OK;
fail:
	cJSON_Delete(v);
	return err;
}

/* _explicit_list() */
static enum cmfa_err
sh_explicit_list(struct sh *s, cJSON **out)
{
	cJSON *arr = NULL, *v;
	enum cmfa_err err;

	if ((err = sh_enter(s)) != CMFA_OK)
		return err;
	if ((err = sh_expect(s, '[', true)) != CMFA_OK)
		goto out;
	if ((arr = cJSON_CreateArray()) == NULL) {
		err = CMFA_ERR_NOMEM;
		goto out;
	}
	while (sh_cur(s) != ']') {
		if ((err = sh_explicit_values(s, &v)) != CMFA_OK ||
		    (err = sh_add(arr, v)) != CMFA_OK)
			goto out;
		sh_ws(s);
		if (sh_cur(s) != ']') {
			if ((err = sh_expect(s, ',', false)) != CMFA_OK)
				goto out;
			sh_ws(s);
		}
	}
	if ((err = sh_expect(s, ']', false)) != CMFA_OK)
		goto out;
	*out = arr;
	arr = NULL;
out:
	cJSON_Delete(arr);
	s->depth--;
	return err;
}

/* _hash_literal(): a later duplicate key silently replaces the value. */
static enum cmfa_err
sh_hash_literal(struct sh *s, cJSON **out)
{
	cJSON *obj = NULL, *v;
	struct sh_index x = { NULL, 0, 0 };
	enum cmfa_err err;
	size_t koff, klen;

	if ((err = sh_enter(s)) != CMFA_OK)
		return err;
	if ((err = sh_expect(s, '{', true)) != CMFA_OK)
		goto out;
	if ((obj = cJSON_CreateObject()) == NULL) {
		err = CMFA_ERR_NOMEM;
		goto out;
	}
	while (sh_cur(s) != '}') {
		sh_key(s, &koff, &klen);
		if ((err = sh_expect_assign(s)) != CMFA_OK ||
		    (err = sh_explicit_values(s, &v)) != CMFA_OK)
			goto out;
		sh_ws(s);
		if (sh_cur(s) != '}') {
			if ((err = sh_expect(s, ',', false)) != CMFA_OK) {
				cJSON_Delete(v);
				goto out;
			}
			sh_ws(s);
		}
		if ((err = sh_put(s, obj, &x, koff, klen, v, false)) != CMFA_OK)
			goto out;
	}
	if ((err = sh_expect(s, '}', false)) != CMFA_OK)
		goto out;
	*out = obj;
	obj = NULL;
out:
	free(x.slot);
	cJSON_Delete(obj);
	s->depth--;
	return err;
}

/* _explicit_values(): what a list element or a {} value may be. */
static enum cmfa_err
sh_explicit_values(struct sh *s, cJSON **out)
{
	if (sh_cur(s) == '[')
		return sh_explicit_list(s, out);
	if (sh_cur(s) == '{')
		return sh_hash_literal(s, out);
	return sh_first_value(s, out);
}

/*
 * _csv_value(): "b" alone is a string, "b,c" a list.  Each further
 * element must be followed by ',' or the end; when one is not (it was
 * really the next key, "a=b,c=d"), the list ends and the cursor goes back
 * to the last ',' for the caller to read the next keyval from.
 */
static enum cmfa_err
sh_csv_value(struct sh *s, cJSON **out)
{
	cJSON *first = NULL, *arr = NULL, *cur;
	enum cmfa_err err;

	if ((err = sh_first_value(s, &first)) != CMFA_OK)
		goto out;
	sh_ws(s);
	if (sh_cur(s) != ',') {
		*out = first;
		first = NULL;
		goto out;
	}
	if ((err = sh_expect(s, ',', true)) != CMFA_OK)
		goto out;
	if ((arr = cJSON_CreateArray()) == NULL) {
		err = CMFA_ERR_NOMEM;
		goto out;
	}
	err = sh_add(arr, first);
	first = NULL;
	if (err != CMFA_OK)
		goto out;
	for (;;) {
		if ((err = sh_second_value(s, &cur)) != CMFA_OK)
			goto caught;
		sh_ws(s);
		if (s->i >= s->len) {
			if ((err = sh_add(arr, cur)) != CMFA_OK)
				goto out;
			break;
		}
		if ((err = sh_expect(s, ',', true)) != CMFA_OK) {
			cJSON_Delete(cur);
			goto caught;
		}
		if ((err = sh_add(arr, cur)) != CMFA_OK)
			goto out;
		continue;
	caught:
		/* only a syntax error short of the end is caught */
		if (s->fail != SH_FAIL_SYNTAX || s->i >= s->len)
			goto out;
		while (s->i > 0 && s->p[s->i] != ',')
			s->i--;
		sh_clear(s);
		err = CMFA_OK;
		break;
	}
	if (cJSON_GetArraySize(arr) == 1) {
		*out = cJSON_DetachItemFromArray(arr, 0);
	} else {
		*out = arr;
		arr = NULL;
	}
out:
	cJSON_Delete(first);
	cJSON_Delete(arr);
	return err;
}

/* _values() */
static enum cmfa_err
sh_values(struct sh *s, cJSON **out)
{
	if (s->i >= s->len)
		return sh_string("", out);
	if (sh_cur(s) == '[')
		return sh_explicit_list(s, out);
	if (sh_cur(s) == '{')
		return sh_hash_literal(s, out);
	return sh_csv_value(s, out);
}

/* _parameter(): a repeated key at this level is an error. */
static enum cmfa_err
sh_parameter(struct sh *s, cJSON **out)
{
	cJSON *params = NULL, *v;
	struct sh_index x = { NULL, 0, 0 };
	enum cmfa_err err;
	size_t koff, klen, last = 0;
	bool more = false;

	if ((params = cJSON_CreateObject()) == NULL)
		return CMFA_ERR_NOMEM;
	do {
		if (more && (err = sh_expect(s, ',', true)) != CMFA_OK)
			goto out;
		sh_key(s, &koff, &klen);
		if ((err = sh_expect_assign(s)) != CMFA_OK ||
		    (err = sh_values(s, &v)) != CMFA_OK)
			goto out;
		err = sh_put(s, params, &x, koff, klen, v, true);
		if (err == CMFA_ERR_EXISTS) {
			s->fail = SH_FAIL_DUPKEY;
			s->fail_at = last + 1;
			s->key_off = koff;
			s->key_len = klen;
			err = CMFA_ERR_PARSE;
		}
		if (err != CMFA_OK)
			goto out;
		last = s->i;
		more = true;
	} while (s->i < s->len);
	*out = params;
	params = NULL;
out:
	free(x.slot);
	cJSON_Delete(params);
	return err;
}

/* ---------------------------------------------------------------------- */
/* Messages                                                               */

/* Appends to a fixed buffer, dropping what does not fit. */
struct sh_msg {
	char *d;
	size_t sz, n;
	bool full;
};

static void
msg_put(struct sh_msg *m, const char *p, size_t len)
{
	size_t room;

	if (m->sz == 0 || m->full)
		return;
	room = m->sz - 1 - m->n;
	if (len > room) {
		len = room;
		m->full = true;
		/* never end inside a UTF-8 sequence */
		while (len > 0 && ((unsigned char)p[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(m->d + m->n, p, len);
	m->n += len;
	m->d[m->n] = '\0';
}

static void
msg_str(struct sh_msg *m, const char *str)
{
	msg_put(m, str, strlen(str));
}

/*
 * ShorthandParseError._error_location(): the input with a caret line
 * under the character at byte offset at, inserted after the line that
 * holds it; the caret's column counts code points from that line's start.
 */
static void
msg_location(struct sh_msg *m, const char *p, size_t len, size_t at)
{
	const char *nl;
	size_t ls = 0, le = len, k, spaces;

	for (k = at; k > 0; k--)
		if (p[k - 1] == '\n') {
			ls = k;
			break;
		}
	if (at < len && (nl = memchr(p + at, '\n', len - at)) != NULL)
		le = (size_t)(nl - p);
	spaces = cp_count(p + ls, at - ls);
	msg_put(m, p, le);
	msg_str(m, "\n");
	for (k = 0; k < spaces && !m->full; k++)
		msg_str(m, " ");
	msg_str(m, "^");
	msg_put(m, p + le, len - le);
}

static void
sh_message(const struct sh *s, char *err, size_t errsz)
{
	struct sh_msg m = { err, errsz, 0, false };

	switch (s->fail) {
	case SH_FAIL_SYNTAX:
		msg_str(&m, "Expected: '");
		if (s->exp_str != NULL)
			msg_str(&m, s->exp_str);
		else
			msg_put(&m, &s->exp_ch, 1);
		msg_str(&m, "', received: '");
		msg_put(&m, s->act, s->act_len);
		msg_str(&m, "' for input:\n ");
		msg_location(&m, s->p, s->len, s->fail_at);
		break;
	case SH_FAIL_DUPKEY:
		msg_str(&m, "Second instance of key \"");
		msg_put(&m, s->p + s->key_off, s->key_len);
		msg_str(&m, "\" encountered for input:\n");
		msg_location(&m, s->p, s->len, s->fail_at);
		msg_str(&m,
		    "\nThis is often because there is a preceding "
		    "\",\" instead of a space.");
		break;
	case SH_FAIL_DEPTH:
		msg_str(&m,
		    "More than " SH_STR(
		        CMFA_SHORTHAND_MAX_DEPTH) " nested '[' or '{' for "
		                                  "input:\n");
		msg_location(&m, s->p, s->len, s->fail_at);
		break;
	case SH_FAIL_NONE:
		break;
	}
}

/* ---------------------------------------------------------------------- */

enum cmfa_err
cmfa_shorthand_parse(const char *p, size_t len, cJSON **out, char *err,
    size_t errsz)
{
	struct sh s;
	struct sh_msg m = { err, errsz, 0, false };
	cJSON *res = NULL;
	enum cmfa_err rc;

	memset(&s, 0, sizeof(s));
	if (err != NULL && errsz > 0)
		err[0] = '\0';
	else
		m.sz = 0;
	if (out == NULL || (p == NULL && len > 0)) {
		rc = CMFA_ERR_INVAL;
		goto out;
	}
	if (p == NULL)
		p = "";
	if (len > CMFA_SHORTHAND_MAX_LEN) {
		msg_str(&m, "Shorthand value longer than 65536 bytes");
		rc = CMFA_ERR_TOOBIG;
		goto out;
	}
	if (memchr(p, '\0', len) != NULL) {
		msg_str(&m, "Shorthand value contains a NUL byte");
		rc = CMFA_ERR_PARSE;
		goto out;
	}
	if (!cmfa_utf8_valid(p, len)) {
		msg_str(&m, "Shorthand value is not valid UTF-8");
		rc = CMFA_ERR_PARSE;
		goto out;
	}
	s.p = p;
	s.len = len;
	if ((s.scratch = malloc(len + 1)) == NULL) {
		rc = CMFA_ERR_NOMEM;
		goto out;
	}
	if ((rc = sh_parameter(&s, &res)) != CMFA_OK) {
		if (m.sz > 0)
			sh_message(&s, err, errsz);
		goto out;
	}
	*out = res;
out:
	free(s.scratch);
	return rc;
}
