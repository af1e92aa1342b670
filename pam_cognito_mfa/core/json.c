/*
 * json.c: cmfa_json_parse, cJSON behind a strict gate.
 *
 * cJSON 1.7.15 is lenient (leading zeros, a BOM, control characters in
 * strings, "\u0000" that silently truncates a string, a nesting limit of
 * 1000, the last of two duplicate keys invisible to lookups).  So every
 * document first goes through a small RFC 8259 validator that also
 * enforces the project's limits; only then does cJSON build the tree, from
 * a NUL-terminated copy, and the tree is checked for duplicate keys and
 * non-finite numbers.
 *
 * Choices (for the README):
 *  - depth counts containers: the top-level object is depth 1, so
 *    CMFA_JSON_MAX_DEPTH nested containers are accepted, one more is not;
 *  - numbers must follow the JSON grammar, be at most 63 characters (what
 *    cJSON 1.7.15 can parse) and be finite as a double (1e999 is refused);
 *  - escapes: "\u0000" and unpaired surrogates are refused;
 *  - whitespace is JSON whitespace only (space, tab, LF, CR); no BOM;
 *  - every refusal is CMFA_ERR_PARSE except len > max (CMFA_ERR_TOOBIG)
 *    and allocation failure (CMFA_ERR_NOMEM).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_core.h"

#define JSON_MAX_NUMBER 63

struct lex {
	const unsigned char *p;
	size_t n, i;
};

static enum cmfa_err lx_value(struct lex *, unsigned);

static void
lx_ws(struct lex *l)
{
	while (l->i < l->n &&
	    (l->p[l->i] == ' ' || l->p[l->i] == '\t' || l->p[l->i] == '\n' ||
	        l->p[l->i] == '\r'))
		l->i++;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* At "XXXX" after "\u": read four hex digits. */
static enum cmfa_err
lx_hex4(struct lex *l, unsigned *out)
{
	unsigned v = 0;
	size_t k;
	int h;

	if (l->n - l->i < 4)
		return CMFA_ERR_PARSE;
	for (k = 0; k < 4; k++) {
		if ((h = hexval(l->p[l->i + k])) < 0)
			return CMFA_ERR_PARSE;
		v = (v << 4) | (unsigned)h;
	}
	l->i += 4;
	*out = v;
	return CMFA_OK;
}

/* At '"': a string.  Raw bytes >= 0x80 were checked as UTF-8 already. */
static enum cmfa_err
lx_string(struct lex *l)
{
	unsigned u, lo;
	unsigned char c;

	l->i++;
	for (;;) {
		if (l->i >= l->n)
			return CMFA_ERR_PARSE;
		c = l->p[l->i];
		if (c == '"') {
			l->i++;
			return CMFA_OK;
		}
		if (c < 0x20)
			return CMFA_ERR_PARSE;
		l->i++;
		if (c != '\\')
			continue;
		if (l->i >= l->n)
			return CMFA_ERR_PARSE;
		c = l->p[l->i++];
		switch (c) {
		case '"':
		case '\\':
		case '/':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			break;
		case 'u':
			if (lx_hex4(l, &u) != CMFA_OK || u == 0 ||
			    (u >= 0xdc00 && u <= 0xdfff))
				return CMFA_ERR_PARSE;
			if (u >= 0xd800 && u <= 0xdbff) {
				/* a high surrogate needs its low half */
				if (l->n - l->i < 2 || l->p[l->i] != '\\' ||
				    l->p[l->i + 1] != 'u')
					return CMFA_ERR_PARSE;
				l->i += 2;
				if (lx_hex4(l, &lo) != CMFA_OK || lo < 0xdc00 ||
				    lo > 0xdfff)
					return CMFA_ERR_PARSE;
			}
			break;
		default:
			return CMFA_ERR_PARSE;
		}
	}
}

static bool
lx_digit(const struct lex *l)
{
	return l->i < l->n && l->p[l->i] >= '0' && l->p[l->i] <= '9';
}

static enum cmfa_err
lx_number(struct lex *l)
{
	size_t start = l->i;

	if (l->p[l->i] == '-')
		l->i++;
	if (!lx_digit(l))
		return CMFA_ERR_PARSE;
	if (l->p[l->i] == '0')
		l->i++;
	else
		while (lx_digit(l))
			l->i++;
	if (l->i < l->n && l->p[l->i] == '.') {
		l->i++;
		if (!lx_digit(l))
			return CMFA_ERR_PARSE;
		while (lx_digit(l))
			l->i++;
	}
	if (l->i < l->n && (l->p[l->i] == 'e' || l->p[l->i] == 'E')) {
		l->i++;
		if (l->i < l->n && (l->p[l->i] == '+' || l->p[l->i] == '-'))
			l->i++;
		if (!lx_digit(l))
			return CMFA_ERR_PARSE;
		while (lx_digit(l))
			l->i++;
	}
	if (l->i - start > JSON_MAX_NUMBER)
		return CMFA_ERR_PARSE;
	return CMFA_OK;
}

static enum cmfa_err
lx_word(struct lex *l, const char *w)
{
	size_t k = strlen(w);

	if (l->n - l->i < k || memcmp(l->p + l->i, w, k) != 0)
		return CMFA_ERR_PARSE;
	l->i += k;
	return CMFA_OK;
}

/* At '{' or '[' opening container number depth (1-based). */
static enum cmfa_err
lx_container(struct lex *l, unsigned depth)
{
	unsigned char close = l->p[l->i] == '{' ? '}' : ']';
	bool obj = close == '}';
	enum cmfa_err err;

	if (depth > CMFA_JSON_MAX_DEPTH)
		return CMFA_ERR_PARSE;
	l->i++;
	lx_ws(l);
	if (l->i < l->n && l->p[l->i] == close) {
		l->i++;
		return CMFA_OK;
	}
	for (;;) {
		if (obj) {
			lx_ws(l);
			if (l->i >= l->n || l->p[l->i] != '"')
				return CMFA_ERR_PARSE;
			if ((err = lx_string(l)) != CMFA_OK)
				return err;
			lx_ws(l);
			if (l->i >= l->n || l->p[l->i] != ':')
				return CMFA_ERR_PARSE;
			l->i++;
		}
		if ((err = lx_value(l, depth)) != CMFA_OK)
			return err;
		lx_ws(l);
		if (l->i >= l->n)
			return CMFA_ERR_PARSE;
		if (l->p[l->i] == ',') {
			l->i++;
			continue;
		}
		if (l->p[l->i] == close) {
			l->i++;
			return CMFA_OK;
		}
		return CMFA_ERR_PARSE;
	}
}

/* A value inside a container at depth `depth`. */
static enum cmfa_err
lx_value(struct lex *l, unsigned depth)
{
	lx_ws(l);
	if (l->i >= l->n)
		return CMFA_ERR_PARSE;
	switch (l->p[l->i]) {
	case '{':
	case '[':
		return lx_container(l, depth + 1);
	case '"':
		return lx_string(l);
	case 't':
		return lx_word(l, "true");
	case 'f':
		return lx_word(l, "false");
	case 'n':
		return lx_word(l, "null");
	default:
		return lx_number(l);
	}
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Refuse duplicate keys (at any depth) and non-finite numbers.  Objects
 * with many members are checked by sorting, so a large flat object stays
 * O(n log n).
 */
static enum cmfa_err
check_tree(const cJSON *node)
{
	const cJSON *c, *d;
	const char **keys;
	size_t n = 0, i;
	enum cmfa_err err;

	if (cJSON_IsNumber(node) && !isfinite(node->valuedouble))
		return CMFA_ERR_PARSE;
	if (cJSON_IsObject(node)) {
		cJSON_ArrayForEach(c, node) n++;
		if (n <= 8) {
			cJSON_ArrayForEach(c,
			    node) for (d = c->next; d != NULL;
			               d = d->next) if (strcmp(c->string,
			                                    d->string) ==
			    0) return CMFA_ERR_PARSE;
		} else {
			if ((keys = calloc(n, sizeof(*keys))) == NULL)
				return CMFA_ERR_NOMEM;
			i = 0;
			cJSON_ArrayForEach(c, node) keys[i++] = c->string;
			qsort(keys, n, sizeof(*keys), key_cmp);
			for (i = 1; i < n; i++)
				if (strcmp(keys[i - 1], keys[i]) == 0)
					break;
			free(keys);
			if (i < n)
				return CMFA_ERR_PARSE;
		}
	}
	if (cJSON_IsObject(node) || cJSON_IsArray(node))
		cJSON_ArrayForEach(c,
		    node) if ((err = check_tree(c)) != CMFA_OK) return err;
	return CMFA_OK;
}

enum cmfa_err
cmfa_json_parse(const char *p, size_t len, size_t max, cJSON **out)
{
	struct lex l;
	cJSON *doc = NULL;
	char *copy = NULL;
	const char *end = NULL;
	enum cmfa_err err;

	if (out == NULL)
		return CMFA_ERR_INVAL;
	*out = NULL;
	if (max > CMFA_JSON_MAX_BYTES)
		max = CMFA_JSON_MAX_BYTES;
	if (len > max)
		return CMFA_ERR_TOOBIG;
	if (p == NULL || len == 0)
		return CMFA_ERR_PARSE;
	/* UTF-8 of the whole text; this also refuses any NUL byte */
	if (!cmfa_utf8_valid(p, len))
		return CMFA_ERR_PARSE;
	l.p = (const unsigned char *)p;
	l.n = len;
	l.i = 0;
	lx_ws(&l);
	if (l.i >= l.n || l.p[l.i] != '{')
		return CMFA_ERR_PARSE;
	if ((err = lx_value(&l, 0)) != CMFA_OK)
		return err;
	lx_ws(&l);
	if (l.i != l.n)
		return CMFA_ERR_PARSE;

	if ((copy = malloc(len + 1)) == NULL)
		return CMFA_ERR_NOMEM;
	memcpy(copy, p, len);
	copy[len] = '\0';
	doc = cJSON_ParseWithLengthOpts(copy, len + 1, &end, 0);
	if (doc == NULL) {
		err = CMFA_ERR_PARSE;
		goto out;
	}
	/* the validator saw the same text: only whitespace may follow */
	while (end != NULL &&
	    (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
		end++;
	if (end == NULL || end != copy + len || !cJSON_IsObject(doc)) {
		err = CMFA_ERR_PARSE;
		goto out;
	}
	if ((err = check_tree(doc)) != CMFA_OK)
		goto out;
	*out = doc;
	doc = NULL;
	err = CMFA_OK;
out:
	cJSON_Delete(doc);
	cmfa_memzero(copy, len + 1); /* documents can carry tokens */
	free(copy);
	return err;
}
