/*
 * xml.c: a small, bounded XML reader for AWS query-protocol answers (STS,
 * SNS): one pass finds the element a path names and checks the whole
 * document, a second copies its text out.
 *
 * What it reads: the XML declaration and processing instructions
 * (skipped), comments, elements with attributes (checked, skipped),
 * character data with the five predefined entities and character
 * references, CDATA sections, CR LF and CR read as LF (XML 1.0 2.11).
 * What it refuses (CMFA_ERR_PARSE): any DOCTYPE or other declaration, so
 * no entity can be defined (no billion laughs, no external entity);
 * mismatched or unclosed tags; text or a second element outside the
 * root; control characters; invalid UTF-8.  Nesting deeper than
 * XML_MAX_DEPTH is CMFA_ERR_TOOBIG.  Nothing is allocated.
 */
#include <stdbool.h>
#include <string.h>

#include "cmfa_aws.h"

#define XML_MAX_DEPTH 32

struct span {
	const char *p;
	size_t n;
};

struct xr {
	const char *p;
	size_t n, i;
	struct span comp[XML_MAX_DEPTH]; /* the path's names */
	size_t ncomp;
	struct span open[XML_MAX_DEPTH]; /* the open elements' names */
	size_t depth;
	size_t matched; /* path names matched by the open chain */
	bool seen_root, capturing, found;
	size_t cap_depth;
	char *out; /* NULL: only count */
	size_t used;
};

/* ---------------------------------------------------------------------- */
/* Output                                                                 */

static void
emit(struct xr *x, const char *p, size_t n)
{
	if (!x->capturing)
		return;
	if (x->out != NULL)
		memcpy(x->out + x->used, p, n);
	x->used += n;
}

static void
emit_cp(struct xr *x, unsigned long c)
{
	char b[4];
	size_t n;

	if (c < 0x80) {
		b[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (char)(0xc0 | (c >> 6));
		b[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (char)(0xe0 | (c >> 12));
		b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (c >> 18));
		b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		b[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	emit(x, b, n);
}

/* Character data with line ends normalised to LF. */
static void
emit_text(struct xr *x, const char *p, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		if (p[i] != '\r')
			continue;
		emit(x, p + start, i - start);
		emit(x, "\n", 1);
		if (i + 1 < n && p[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	emit(x, p + start, n - start);
}

/* ---------------------------------------------------------------------- */
/* Lexing                                                                 */

static bool
starts(const struct xr *x, const char *s)
{
	size_t n = strlen(s);

	return x->n - x->i >= n && memcmp(x->p + x->i, s, n) == 0;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void
skip_space(struct xr *x)
{
	while (x->i < x->n && is_space(x->p[x->i]))
		x->i++;
}

static bool
name_start(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	    c == ':' || c >= 0x80;
}

static bool
name_char(unsigned char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static enum cmfa_err
read_name(struct xr *x, struct span *s)
{
	if (x->i >= x->n || !name_start((unsigned char)x->p[x->i]))
		return CMFA_ERR_PARSE;
	s->p = x->p + x->i;
	while (x->i < x->n && name_char((unsigned char)x->p[x->i]))
		x->i++;
	s->n = (size_t)(x->p + x->i - s->p);
	return CMFA_OK;
}

/* Skip to just past `end`; CMFA_ERR_PARSE when it never comes. */
static enum cmfa_err
skip_past(struct xr *x, const char *end)
{
	size_t n = strlen(end);

	while (x->n - x->i >= n) {
		if (memcmp(x->p + x->i, end, n) == 0) {
			x->i += n;
			return CMFA_OK;
		}
		x->i++;
	}
	return CMFA_ERR_PARSE;
}

static bool
xml_char(unsigned long c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	    (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

static int
digit_val(char c, bool hex)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (hex && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (hex && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "&#N;" or "&#xN;" from just after "&#". */
static enum cmfa_err
char_ref(struct xr *x, unsigned long *out)
{
	bool hex = false;
	unsigned long c = 0;
	size_t digits = 0;
	int d;

	if (x->i < x->n && x->p[x->i] == 'x') {
		hex = true;
		x->i++;
	}
	while (x->i < x->n && (d = digit_val(x->p[x->i], hex)) >= 0) {
		c = c * (hex ? 16u : 10u) + (unsigned long)d;
		if (c > 0x10ffff)
			return CMFA_ERR_PARSE;
		digits++;
		x->i++;
	}
	if (digits == 0 || x->i >= x->n || x->p[x->i] != ';' || !xml_char(c))
		return CMFA_ERR_PARSE;
	x->i++;
	*out = c;
	return CMFA_OK;
}

/* A reference from the '&': decoded, emitted. */
static enum cmfa_err
reference(struct xr *x)
{
	static const struct {
		const char *name;
		char c;
	} ents[] = { { "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' },
		{ "quot;", '"' }, { "apos;", '\'' } };
	unsigned long c;
	size_t k;
	enum cmfa_err e;

	x->i++; /* '&' */
	if (x->i < x->n && x->p[x->i] == '#') {
		x->i++;
		if ((e = char_ref(x, &c)) != CMFA_OK)
			return e;
		emit_cp(x, c);
		return CMFA_OK;
	}
	for (k = 0; k < CMFA_ARRAY_LEN(ents); k++)
		if (starts(x, ents[k].name)) {
			x->i += strlen(ents[k].name);
			emit(x, &ents[k].c, 1);
			return CMFA_OK;
		}
	return CMFA_ERR_PARSE; /* undeclared entity */
}

/* Raw characters allowed in text and attribute values. */
static bool
raw_ok(unsigned char c)
{
	return c >= 0x20 || c == '\t' || c == '\n' || c == '\r';
}

/* ---------------------------------------------------------------------- */
/* Markup                                                                 */

static enum cmfa_err
attribute_value(struct xr *x)
{
	char q;
	bool was = x->capturing;
	enum cmfa_err e = CMFA_OK;

	if (x->i >= x->n || (x->p[x->i] != '"' && x->p[x->i] != '\''))
		return CMFA_ERR_PARSE;
	q = x->p[x->i++];
	x->capturing = false; /* attribute values are not the text */
	while (e == CMFA_OK && x->i < x->n && x->p[x->i] != q) {
		unsigned char c = (unsigned char)x->p[x->i];

		if (c == '<' || !raw_ok(c))
			e = CMFA_ERR_PARSE;
		else if (c == '&')
			e = reference(x);
		else
			x->i++;
	}
	x->capturing = was;
	if (e == CMFA_OK && x->i >= x->n)
		e = CMFA_ERR_PARSE;
	if (e == CMFA_OK)
		x->i++;
	return e;
}

/* After the name of a start tag: attributes, then '>' or "/>". */
static enum cmfa_err
attributes(struct xr *x, bool *empty)
{
	struct span name;
	enum cmfa_err e;
	bool spaced;

	for (;;) {
		spaced = x->i < x->n && is_space(x->p[x->i]);
		skip_space(x);
		if (starts(x, "/>")) {
			x->i += 2;
			*empty = true;
			return CMFA_OK;
		}
		if (starts(x, ">")) {
			x->i++;
			*empty = false;
			return CMFA_OK;
		}
		if (!spaced || (e = read_name(x, &name)) != CMFA_OK)
			return CMFA_ERR_PARSE;
		skip_space(x);
		if (!starts(x, "="))
			return CMFA_ERR_PARSE;
		x->i++;
		skip_space(x);
		if ((e = attribute_value(x)) != CMFA_OK)
			return e;
	}
}

/* The local name: what follows the last ':' (the prefix is ignored). */
static struct span
local_name(struct span s)
{
	const char *c = s.p + s.n;

	while (c > s.p && c[-1] != ':')
		c--;
	s.n -= (size_t)(c - s.p);
	s.p = c;
	return s;
}

static bool
span_eq(struct span a, struct span b)
{
	return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

static void
opened(struct xr *x, struct span name)
{
	size_t d = x->depth; /* the new element's depth, root = 1 */

	if (d >= 2 && x->matched == d - 2 && d - 2 < x->ncomp &&
	    span_eq(local_name(name), x->comp[d - 2]))
		x->matched = d - 1;
	if (x->matched == x->ncomp && x->matched == d - 1 && !x->found &&
	    !x->capturing) {
		x->capturing = true;
		x->cap_depth = d;
	}
}

static void
closing(struct xr *x)
{
	size_t d = x->depth;

	if (x->capturing && d == x->cap_depth) {
		x->capturing = false;
		x->found = true;
	}
	if (d >= 2 && x->matched == d - 1)
		x->matched = d - 2;
}

static enum cmfa_err
start_tag(struct xr *x)
{
	struct span name;
	bool empty;
	enum cmfa_err e;

	x->i++; /* '<' */
	if ((e = read_name(x, &name)) != CMFA_OK)
		return e;
	if (x->depth == 0 && x->seen_root)
		return CMFA_ERR_PARSE; /* a second root */
	if (x->depth == XML_MAX_DEPTH)
		return CMFA_ERR_TOOBIG;
	if ((e = attributes(x, &empty)) != CMFA_OK)
		return e;
	x->seen_root = true;
	x->open[x->depth++] = name;
	opened(x, name);
	if (empty) {
		closing(x);
		x->depth--;
	}
	return CMFA_OK;
}

static enum cmfa_err
end_tag(struct xr *x)
{
	struct span name;
	enum cmfa_err e;

	x->i += 2; /* "</" */
	if ((e = read_name(x, &name)) != CMFA_OK)
		return e;
	skip_space(x);
	if (!starts(x, ">") || x->depth == 0 ||
	    !span_eq(name, x->open[x->depth - 1]))
		return CMFA_ERR_PARSE;
	x->i++;
	closing(x);
	x->depth--;
	return CMFA_OK;
}

static enum cmfa_err
cdata(struct xr *x)
{
	size_t start;

	if (x->depth == 0)
		return CMFA_ERR_PARSE;
	x->i += 9; /* "<![CDATA[" */
	start = x->i;
	if (skip_past(x, "]]>") != CMFA_OK)
		return CMFA_ERR_PARSE;
	emit_text(x, x->p + start, x->i - 3 - start);
	return CMFA_OK;
}

static enum cmfa_err
markup(struct xr *x)
{
	if (starts(x, "<!--")) {
		x->i += 4;
		return skip_past(x, "-->");
	}
	if (starts(x, "<![CDATA["))
		return cdata(x);
	if (starts(x, "<!"))
		return CMFA_ERR_PARSE; /* DOCTYPE, ENTITY: never */
	if (starts(x, "<?")) {
		x->i += 2;
		return skip_past(x, "?>");
	}
	if (starts(x, "</"))
		return end_tag(x);
	return start_tag(x);
}

static enum cmfa_err
text(struct xr *x)
{
	size_t start = x->i;
	unsigned char c;

	while (
	    x->i < x->n && (c = (unsigned char)x->p[x->i]) != '<' && c != '&') {
		if (!raw_ok(c) || (x->depth == 0 && !is_space((char)c)))
			return CMFA_ERR_PARSE;
		x->i++;
	}
	emit_text(x, x->p + start, x->i - start);
	if (x->i < x->n && x->p[x->i] == '&') {
		if (x->depth == 0)
			return CMFA_ERR_PARSE;
		return reference(x);
	}
	return CMFA_OK;
}

static enum cmfa_err
run(struct xr *x)
{
	enum cmfa_err e = CMFA_OK;

	x->i = 0;
	x->depth = 0;
	x->matched = 0;
	x->seen_root = x->capturing = x->found = false;
	x->used = 0;
	if (starts(x, "\xef\xbb\xbf"))
		x->i += 3; /* a UTF-8 byte order mark */
	while (e == CMFA_OK && x->i < x->n)
		e = x->p[x->i] == '<' ? markup(x) : text(x);
	if (e == CMFA_OK && (x->depth != 0 || !x->seen_root))
		e = CMFA_ERR_PARSE;
	return e;
}

/* "A/B/C" into x->comp. */
static enum cmfa_err
split_path(struct xr *x, const char *path)
{
	const char *s = path, *slash;

	x->ncomp = 0;
	if (*path == '\0')
		return CMFA_ERR_INVAL;
	for (;;) {
		slash = strchr(s, '/');
		if (x->ncomp == XML_MAX_DEPTH - 1)
			return CMFA_ERR_INVAL;
		x->comp[x->ncomp].p = s;
		x->comp[x->ncomp].n = slash ? (size_t)(slash - s) : strlen(s);
		if (x->comp[x->ncomp].n == 0)
			return CMFA_ERR_INVAL;
		x->ncomp++;
		if (slash == NULL)
			return CMFA_OK;
		s = slash + 1;
	}
}

enum cmfa_err
cmfa_xml_text(const char *xml, size_t len, const char *path, char *out,
    size_t outsz)
{
	struct xr x;
	enum cmfa_err e;

	if ((xml == NULL && len > 0) || path == NULL || out == NULL ||
	    outsz == 0)
		return CMFA_ERR_INVAL;
	memset(&x, 0, sizeof(x));
	if ((e = split_path(&x, path)) != CMFA_OK)
		return e;
	if (len == 0 || !cmfa_utf8_valid(xml, len))
		return CMFA_ERR_PARSE;
	x.p = xml;
	x.n = len;
	if ((e = run(&x)) != CMFA_OK) /* check, and measure */
		return e;
	if (!x.found)
		return CMFA_ERR_NOTFOUND;
	if (x.used >= outsz)
		return CMFA_ERR_TOOBIG;
	x.out = out;
	if ((e = run(&x)) != CMFA_OK) /* cannot fail the second time */
		return e;
	out[x.used] = '\0';
	return CMFA_OK;
}
