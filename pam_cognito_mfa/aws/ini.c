/*
 * ini.c: the shared config and credentials files as botocore reads them
 * (configloader.raw_config_parse over Python's RawConfigParser, strict).
 *
 * Why so literal: the AWS CLI refuses a whole file ("Unable to parse
 * config file") for a line it cannot read or a duplicate section or
 * option, and reads some oddities as values; reading the same files
 * differently would make a profile work with one tool and not the other.
 * The rules, from CPython's configparser._read:
 *  - lines end at LF, CR LF or CR (universal newlines);
 *  - a line whose stripped text starts with '#' or ';' is a comment,
 *    anywhere (no inline comments);
 *  - a line indented deeper than the line of the option above continues
 *    that option's value (each line stripped, joined with LF; blank lines
 *    inside count, comment lines do not);
 *  - "[header]" (up to the last ']') opens a section; "[DEFAULT]" is
 *    configparser's default section, whose options every section inherits
 *    and which is no section of its own;
 *  - "name = value" or "name : value" (the first '=' or ':'); names are
 *    lowercased, values stripped;
 *  - text before the first section, a line that is none of these, an
 *    empty name, a duplicate section or a duplicate option in a section
 *    make the file unreadable;
 *  - "name =" followed by indented lines is a nested block (botocore's
 *    _parse_nested): every line of it needs an '='; it is no value.
 * "Whitespace" is what Python's str.strip() removes (Unicode spaces
 * included).  Lowercasing is ASCII only (Python's covers all of Unicode:
 * only names outside ASCII differ).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "creds_int.h"

/* ---------------------------------------------------------------------- */
/* Python's whitespace in UTF-8                                           */

static bool
ascii_space(unsigned char c)
{
	return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20);
}

/* The length of the whitespace character starting at p, or 0. */
static size_t
ws_fwd(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;

	if (n >= 1 && ascii_space(u[0]))
		return 1;
	if (n >= 2 && u[0] == 0xc2 && (u[1] == 0x85 || u[1] == 0xa0))
		return 2;
	if (n >= 3 && u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80)
		return 3;
	if (n >= 3 && u[0] == 0xe2 && u[1] == 0x80 &&
	    ((u[2] >= 0x80 && u[2] <= 0x8a) || u[2] == 0xa8 || u[2] == 0xa9 ||
	        u[2] == 0xaf))
		return 3;
	if (n >= 3 && u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f)
		return 3;
	if (n >= 3 && u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)
		return 3;
	return 0;
}

/* The length of the whitespace character ending at p + n, or 0. */
static size_t
ws_back(const char *p, size_t n)
{
	size_t k;

	for (k = 1; k <= 3 && k <= n; k++)
		if (ws_fwd(p + n - k, k) == k)
			return k;
	return 0;
}

static void
strip(const char **p, size_t *n)
{
	size_t k;

	while (*n > 0 && (k = ws_fwd(*p, *n)) > 0) {
		*p += k;
		*n -= k;
	}
	while (*n > 0 && (k = ws_back(*p, *n)) > 0)
		*n -= k;
}

/* Characters (code points) of leading whitespace: the indent level. */
static size_t
indent_of(const char *p, size_t n)
{
	size_t k, level = 0;

	while (n > 0 && (k = ws_fwd(p, n)) > 0) {
		p += k;
		n -= k;
		level++;
	}
	return level;
}

/* One line of t from *pos, without its terminator; *pos moves past it. */
static bool
next_line(const char *t, size_t len, size_t *pos, const char **p, size_t *n)
{
	size_t i = *pos;

	if (i >= len)
		return false;
	*p = t + i;
	while (i < len && t[i] != '\n' && t[i] != '\r')
		i++;
	*n = (size_t)(t + i - *p);
	if (i < len && t[i] == '\r' && i + 1 < len && t[i + 1] == '\n')
		i++;
	*pos = i < len ? i + 1 : i;
	return true;
}

static bool
is_comment(const char *p, size_t n)
{
	return n > 0 && (p[0] == '#' || p[0] == ';');
}

/* ---------------------------------------------------------------------- */
/* The walk: one event per section header and per complete option        */

struct ini_ev {
	bool section; /* a header; else an option */
	const char *sect;
	size_t sect_len;
	bool in_default; /* the option is in [DEFAULT] */
	const char *key; /* the option's name, as written */
	size_t key_len;
	const char *v0; /* the value on the option's own line */
	size_t v0_len;
	const char *rest; /* the lines up to its last continuation */
	size_t rest_len;
	size_t ncont; /* continuation lines */
};

typedef enum cmfa_err (*ini_cb)(const struct ini_ev *ev, void *arg);

struct walk {
	const char *t;
	size_t len;
	ini_cb cb;
	void *arg;
	bool have_sect, have_opt;
	size_t indent_level;
	struct ini_ev opt; /* the option being read */
	const char *sect;
	size_t sect_len;
	bool bad; /* a line configparser reports at the end */
};

static bool
is_default(const char *p, size_t n)
{
	return n == 7 && memcmp(p, "DEFAULT", 7) == 0;
}

static enum cmfa_err
flush(struct walk *w)
{
	if (!w->have_opt)
		return CMFA_OK;
	w->have_opt = false;
	return w->cb(&w->opt, w->arg);
}

/* "[header]": the header is everything up to the last ']'. */
static bool
section_of(const char *v, size_t n, const char **h, size_t *hn)
{
	size_t i;

	if (n < 3 || v[0] != '[')
		return false;
	for (i = n; i > 2; i--)
		if (v[i - 1] == ']') {
			*h = v + 1;
			*hn = i - 2;
			return true;
		}
	return false;
}

static enum cmfa_err
on_header(struct walk *w, const char *h, size_t hn)
{
	struct ini_ev ev;
	enum cmfa_err e;

	if ((e = flush(w)) != CMFA_OK)
		return e;
	w->have_sect = true;
	w->sect = h;
	w->sect_len = hn;
	memset(&ev, 0, sizeof(ev));
	ev.section = true;
	ev.sect = h;
	ev.sect_len = hn;
	ev.in_default = is_default(h, hn);
	return w->cb(&ev, w->arg);
}

static enum cmfa_err
on_option(struct walk *w, const char *v, size_t n, const char *next)
{
	const char *eq = NULL, *key = v, *val;
	size_t i, kn, vn;
	enum cmfa_err e;

	if ((e = flush(w)) != CMFA_OK)
		return e;
	for (i = 0; i < n && eq == NULL; i++)
		if (v[i] == '=' || v[i] == ':')
			eq = v + i;
	if (eq == NULL) {
		w->bad = true;
		return CMFA_OK;
	}
	kn = (size_t)(eq - v);
	strip(&key, &kn);
	val = eq + 1;
	vn = (size_t)(v + n - val);
	strip(&val, &vn);
	if (kn == 0) {
		w->bad = true;
		return CMFA_OK;
	}
	memset(&w->opt, 0, sizeof(w->opt));
	w->opt.sect = w->sect;
	w->opt.sect_len = w->sect_len;
	w->opt.in_default = is_default(w->sect, w->sect_len);
	w->opt.key = key;
	w->opt.key_len = kn;
	w->opt.v0 = val;
	w->opt.v0_len = vn;
	w->opt.rest = next;
	w->have_opt = true;
	return CMFA_OK;
}

static enum cmfa_err
walk_line(struct walk *w, const char *p, size_t n, const char *next)
{
	const char *v = p, *h;
	size_t vn = n, level, hn;

	strip(&v, &vn);
	if (vn == 0 || is_comment(v, vn))
		return CMFA_OK; /* blank lines join a value when it goes on */
	level = indent_of(p, n);
	if (w->have_sect && w->have_opt && level > w->indent_level) {
		w->opt.rest_len = (size_t)(p + n - w->opt.rest);
		w->opt.ncont++;
		return CMFA_OK;
	}
	w->indent_level = level;
	if (section_of(v, vn, &h, &hn))
		return on_header(w, h, hn);
	if (!w->have_sect)
		return CMFA_ERR_PARSE; /* MissingSectionHeaderError */
	return on_option(w, v, vn, next);
}

static enum cmfa_err
ini_walk(const char *t, size_t len, ini_cb cb, void *arg)
{
	struct walk w;
	const char *p;
	size_t n, pos = 0;
	enum cmfa_err e = CMFA_OK;

	memset(&w, 0, sizeof(w));
	w.t = t;
	w.len = len;
	w.cb = cb;
	w.arg = arg;
	while (e == CMFA_OK && next_line(t, len, &pos, &p, &n))
		e = walk_line(&w, p, n, t + pos);
	if (e == CMFA_OK)
		e = flush(&w);
	if (e == CMFA_OK && w.bad)
		e = CMFA_ERR_PARSE;
	return e;
}

/* ---------------------------------------------------------------------- */
/* Values                                                                 */

/* The value as configparser joins it: the first line, then each
 * continuation line (blank ones as empty lines), joined with LF. */
static enum cmfa_err
value_of(const struct ini_ev *ev, char *out, size_t outsz)
{
	const char *p, *t = ev->rest;
	size_t n, pos = 0, used = 0, pending = 0;

	if (ev->v0_len >= outsz)
		return CMFA_ERR_TOOBIG;
	memcpy(out, ev->v0, ev->v0_len);
	used = ev->v0_len;
	while (next_line(t, ev->rest_len, &pos, &p, &n)) {
		strip(&p, &n);
		if (is_comment(p, n))
			continue;
		pending++;
		if (n == 0)
			continue;
		if (used + pending + n >= outsz)
			return CMFA_ERR_TOOBIG;
		memset(out + used, '\n', pending);
		used += pending;
		pending = 0;
		memcpy(out + used, p, n);
		used += n;
	}
	out[used] = '\0';
	return CMFA_OK;
}

static bool
is_nested(const struct ini_ev *ev)
{
	return ev->v0_len == 0 && ev->ncont > 0;
}

/* Where Python's str.splitlines() breaks a stripped line (besides LF and
 * CR, which never reach here): VT, FF, FS, GS, RS, U+0085, U+2028/9. */
static size_t
splitlines_break(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;

	if (u[0] == 0x0b || u[0] == 0x0c || (u[0] >= 0x1c && u[0] <= 0x1e))
		return 1;
	if (n >= 2 && u[0] == 0xc2 && u[1] == 0x85)
		return 2;
	if (n >= 3 && u[0] == 0xe2 && u[1] == 0x80 &&
	    (u[2] == 0xa8 || u[2] == 0xa9))
		return 3;
	return 0;
}

/* One piece of a nested block: blank, or "key = value". */
static bool
nested_piece_ok(const char *p, size_t n)
{
	strip(&p, &n);
	return n == 0 || memchr(p, '=', n) != NULL;
}

static bool
nested_ok(const struct ini_ev *ev)
{
	const char *p, *piece;
	size_t n, pos = 0, i, k;

	while (next_line(ev->rest, ev->rest_len, &pos, &p, &n)) {
		strip(&p, &n);
		if (is_comment(p, n))
			continue;
		piece = p;
		for (i = 0; i < n; i += k ? k : 1) {
			if ((k = splitlines_break(p + i, n - i)) == 0)
				continue;
			if (!nested_piece_ok(piece, (size_t)(p + i - piece)))
				return false;
			piece = p + i + k;
		}
		if (!nested_piece_ok(piece, (size_t)(p + n - piece)))
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------------- */
/* The check: the walk, nested blocks, duplicates                         */

struct ent {
	const char *s; /* section header */
	size_t sn;
	const char *k; /* option name; NULL for the section itself */
	size_t kn;
};

struct check {
	struct ent *v;
	size_t n, cap;
};

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
key_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i;

	if (an != bn)
		return an < bn ? -1 : 1;
	for (i = 0; i < an; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return lower((unsigned char)a[i]) <
			        lower((unsigned char)b[i])
			    ? -1
			    : 1;
	return 0;
}

static int
ent_cmp(const void *x, const void *y)
{
	const struct ent *a = x, *b = y;
	int c;

	if (a->sn != b->sn)
		return a->sn < b->sn ? -1 : 1;
	if ((c = memcmp(a->s, b->s, a->sn)) != 0)
		return c;
	if ((a->k == NULL) != (b->k == NULL))
		return a->k == NULL ? -1 : 1;
	if (a->k == NULL)
		return 0;
	return key_cmp(a->k, a->kn, b->k, b->kn);
}

static enum cmfa_err
check_cb(const struct ini_ev *ev, void *arg)
{
	struct check *c = arg;
	struct ent *v;

	if (ev->section && ev->in_default)
		return CMFA_OK; /* [DEFAULT] may be repeated */
	if (!ev->section && is_nested(ev) && !nested_ok(ev))
		return CMFA_ERR_PARSE;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;

		if ((v = realloc(c->v, cap * sizeof(*v))) == NULL)
			return CMFA_ERR_NOMEM;
		c->v = v;
		c->cap = cap;
	}
	v = &c->v[c->n++];
	v->s = ev->sect;
	v->sn = ev->sect_len;
	v->k = ev->section ? NULL : ev->key;
	v->kn = ev->section ? 0 : ev->key_len;
	return CMFA_OK;
}

enum cmfa_err
cmfa_ini_check(const char *text, size_t len)
{
	struct check c = { NULL, 0, 0 };
	enum cmfa_err e;
	size_t i;

	if (text == NULL && len > 0)
		return CMFA_ERR_INVAL;
	if (len > 0 && !cmfa_utf8_valid(text, len))
		return CMFA_ERR_PARSE; /* UnicodeDecodeError; or a NUL */
	e = ini_walk(text, len, check_cb, &c);
	if (e == CMFA_OK && c.n > 1) {
		qsort(c.v, c.n, sizeof(*c.v), ent_cmp);
		for (i = 1; i < c.n && e == CMFA_OK; i++)
			if (ent_cmp(&c.v[i - 1], &c.v[i]) == 0)
				e = CMFA_ERR_PARSE;
	}
	free(c.v);
	return e;
}

/* ---------------------------------------------------------------------- */
/* Lookups                                                                */

struct look {
	enum cmfa_ini_match m;
	const char *name, *key;
	bool in_match; /* inside a section that matches */
	bool found_sect;
	bool have_val, have_def;
	struct ini_ev val, def;
	enum cmfa_err fail; /* NOMEM while matching */
};

/* "[profile NAME]" (botocore: the header starts with "profile" and
 * shlex-splits into exactly two words, the second the name), or
 * "[default]" for the profile default. */
static bool
profile_header(const char *h, size_t hn, const char *name, bool *nomem)
{
	char small[512], *buf = small, *argv[3];
	size_t bufsz = 2 * hn + 1, argc = 0;
	bool r = false;

	if (hn < 7 || memcmp(h, "profile", 7) != 0)
		return strcmp(name, "default") == 0 && hn == 7 &&
		    memcmp(h, "default", 7) == 0;
	if (bufsz > sizeof(small) && (buf = malloc(bufsz)) == NULL) {
		*nomem = true;
		return false;
	}
	if (bufsz <= sizeof(small))
		bufsz = sizeof(small);
	if (cmfa_shlex_split(h, hn, buf, bufsz, argv, 3, &argc) == CMFA_OK &&
	    argc == 2)
		r = strcmp(argv[1], name) == 0;
	if (buf != small)
		free(buf);
	return r;
}

static bool
header_matches(struct look *l, const struct ini_ev *ev)
{
	bool nomem = false, r;

	if (ev->in_default)
		return false;
	if (l->m == CMFA_INI_SECTION)
		return ev->sect_len == strlen(l->name) &&
		    memcmp(ev->sect, l->name, ev->sect_len) == 0;
	r = profile_header(ev->sect, ev->sect_len, l->name, &nomem);
	if (nomem)
		l->fail = CMFA_ERR_NOMEM;
	return r;
}

static enum cmfa_err
look_cb(const struct ini_ev *ev, void *arg)
{
	struct look *l = arg;

	if (ev->section) {
		l->in_match = header_matches(l, ev);
		if (l->in_match) {
			/* a later section of the same profile replaces it */
			l->found_sect = true;
			l->have_val = false;
		}
		return l->fail;
	}
	if (l->key == NULL ||
	    key_cmp(ev->key, ev->key_len, l->key, strlen(l->key)) != 0)
		return CMFA_OK;
	if (ev->in_default) {
		l->def = *ev;
		l->have_def = true;
	} else if (l->in_match) {
		l->val = *ev;
		l->have_val = true;
	}
	return CMFA_OK;
}

static enum cmfa_err
look_run(const char *text, size_t len, struct look *l)
{
	if (text == NULL && len > 0)
		return CMFA_ERR_INVAL;
	return ini_walk(text, len, look_cb, l);
}

enum cmfa_err
cmfa_ini_lookup(const char *text, size_t len, enum cmfa_ini_match m,
    const char *name, const char *key, char *out, size_t outsz)
{
	struct look l;
	const struct ini_ev *ev;
	enum cmfa_err e;

	if (name == NULL || key == NULL || out == NULL || outsz == 0)
		return CMFA_ERR_INVAL;
	memset(&l, 0, sizeof(l));
	l.m = m;
	l.name = name;
	l.key = key;
	if ((e = look_run(text, len, &l)) != CMFA_OK)
		return e;
	if (!l.found_sect || (!l.have_val && !l.have_def))
		return CMFA_ERR_NOTFOUND;
	ev = l.have_val ? &l.val : &l.def;
	if (is_nested(ev))
		return CMFA_ERR_NOTFOUND;
	return value_of(ev, out, outsz);
}

bool
cmfa_ini_has(const char *text, size_t len, enum cmfa_ini_match m,
    const char *name)
{
	struct look l;

	if (name == NULL)
		return false;
	memset(&l, 0, sizeof(l));
	l.m = m;
	l.name = name;
	return look_run(text, len, &l) == CMFA_OK && l.found_sect;
}

enum cmfa_err
cmfa_ini_get(const char *text, size_t len, const char *section, const char *key,
    char *out, size_t outsz)
{
	enum cmfa_err e;

	if (section == NULL || key == NULL || out == NULL || outsz == 0)
		return CMFA_ERR_INVAL;
	if ((e = cmfa_ini_check(text, len)) != CMFA_OK)
		return e;
	return cmfa_ini_lookup(text, len, CMFA_INI_SECTION, section, key, out,
	    outsz);
}
