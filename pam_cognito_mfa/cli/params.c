/*
 * params.c: a command's arguments, as the AWS CLI v2 turns them into the
 * request (awscli/clidriver.py, argparser.py, argprocess.py, paramfile.py,
 * customizations/cliinput.py and generatecliskeleton.py; Python's
 * argparse underneath).
 *
 * Order of events, as there:
 *  1. argparse: each word is an option (exact, "--opt=value", or a unique
 *     prefix), an option's value, or an unknown word.  Errors while
 *     consuming come first ("expected one argument", "ambiguous option"),
 *     then missing required options (not enforced with --cli-input-json
 *     or --generate-cli-skeleton input), then the unknown words.
 *  2. the values, in the model's member order: file:// and fileb://,
 *     then per type: a string as it is, an integer through Python's
 *     int() (whose ValueError the AWS CLI does not catch: exit 255), a
 *     structure, map or list of structures as shorthand unless it starts
 *     with '{' or '[' (then JSON), lists of scalars word by word.
 *     Shorthand results are then coerced from the model (BackCompat-
 *     Visitor: "true"/"false" in any case to booleans, a scalar where a
 *     list belongs to a one-element list).
 *  3. --cli-input-json: its members fill in what the options did not set.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmfa_cli.h"
#include "cmfa_shorthand.h"

#define PARAMFILE_MAX (1024u * 1024u)
#define OPT_NAME_MAX 80

enum opt_kind {
	OPT_VALUE,
	OPT_LIST,
	OPT_FLAG,
	OPT_NOFLAG,
	OPT_INPUT_JSON,
	OPT_SKELETON
};

struct opt {
	char name[OPT_NAME_MAX]; /* "--user-pool-id" */
	enum opt_kind kind;
	size_t member; /* index into the input shape's members */
};

/* What the command line gave for one member (the last occurrence). */
struct given {
	bool set;
	const char *value; /* VALUE */
	char **words;      /* LIST: into argv */
	size_t nwords;
	bool flag;         /* FLAG / NOFLAG */
	char *one_word[1]; /* LIST given as --opt=value */
};

struct parser {
	struct cmfa_cli *cli;
	const struct cmfa_cli_op *op;
	struct opt *opts;
	size_t nopts;
	struct given *given; /* one per member */
	const char *input_json;
	const char *skeleton;
};

/* ---------------------------------------------------------------------- */
/* argparse                                                               */

static enum cmfa_err
build_opts(struct parser *ps)
{
	const struct cmfa_cli_shape *in = ps->op->input;
	size_t i, n = 0;

	if ((ps->opts = calloc(2 * in->nmembers + 2, sizeof(*ps->opts))) ==
	    NULL)
		return CMFA_ERR_NOMEM;
	for (i = 0; i < in->nmembers; i++) {
		const struct cmfa_cli_member *m = &in->members[i];

		ps->opts[n].member = i;
		snprintf(ps->opts[n].name, OPT_NAME_MAX, "--%s", m->cli);
		if (m->shape->type == CMFA_CT_BOOL) {
			ps->opts[n++].kind = OPT_FLAG;
			ps->opts[n].member = i;
			snprintf(ps->opts[n].name, OPT_NAME_MAX, "--no-%s",
			    m->cli);
			ps->opts[n++].kind = OPT_NOFLAG;
		} else
			ps->opts[n++].kind = m->shape->type == CMFA_CT_LIST
			    ? OPT_LIST
			    : OPT_VALUE;
	}
	snprintf(ps->opts[n].name, OPT_NAME_MAX, "--cli-input-json");
	ps->opts[n++].kind = OPT_INPUT_JSON;
	snprintf(ps->opts[n].name, OPT_NAME_MAX, "--generate-cli-skeleton");
	ps->opts[n++].kind = OPT_SKELETON;
	ps->nopts = n;
	return CMFA_OK;
}

/* argparse's _negative_number_matcher: ^-\d+$|^-\d*\.\d+$ */
static bool
negative_number(const char *w)
{
	const char *p = w + 1, *dot;

	if (w[0] != '-' || *p == '\0')
		return false;
	if ((dot = strchr(p, '.')) == NULL) {
		for (; *p != '\0'; p++)
			if (!isdigit((unsigned char)*p))
				return false;
		return true;
	}
	for (; p < dot; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	if (dot[1] == '\0')
		return false;
	for (p = dot + 1; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

/* Does argparse take this word for an option (pattern 'O')? */
static bool
option_like(const char *w)
{
	if (w[0] != '-' || w[1] == '\0')
		return false;
	if (negative_number(w))
		return false;
	if (strncmp(w, "--", 2) != 0 || strchr(w, '=') == NULL)
		return strchr(w, ' ') == NULL;
	return true;
}

/*
 * The option a word names: exact, or "--opt=value", or a unique prefix.
 * Returns the index, -1 when none, -2 after an ambiguity error.
 */
static long
find_opt(struct parser *ps, const char *w, const char **explicit)
{
	const char *eq = strchr(w, '=');
	size_t klen = eq != NULL ? (size_t)(eq - w) : strlen(w), i, nmatch = 0;
	long found = -1;
	struct cmfa_buf list;
	char clean[128];

	*explicit = eq != NULL ? eq + 1 : NULL;
	if (strncmp(w, "--", 2) != 0 || klen <= 2)
		return -1;
	for (i = 0; i < ps->nopts; i++)
		if (strlen(ps->opts[i].name) == klen &&
		    strncmp(ps->opts[i].name, w, klen) == 0)
			return (long)i;
	for (i = 0; i < ps->nopts; i++) {
		if (strncmp(ps->opts[i].name, w, klen) == 0) {
			nmatch++;
			found = (long)i;
		}
	}
	if (nmatch <= 1)
		return found;
	cmfa_buf_init(&list, 4096);
	for (i = 0; i < ps->nopts; i++)
		if (strncmp(ps->opts[i].name, w, klen) == 0)
			(void)cmfa_buf_appendf(&list, "%s%s",
			    list.len > 0 ? ", " : "", ps->opts[i].name);
	cmfa_sanitize(clean, sizeof(clean), w, strnlen(w, 100));
	(void)cmfa_cli_fail(ps->cli, CMFA_ERR_PARSE, CMFA_FAIL_USAGE,
	    "ambiguous option: %s could match %s", clean, cmfa_buf_str(&list));
	cmfa_buf_free(&list);
	return -2;
}

/*
 * An unknown word as the AWS CLI lists it, with two precautions: control
 * characters shown as '?' (no terminal escapes), and a word of 6 to 8
 * digits -- most likely a one-time code typed after a mistyped option --
 * not repeated.
 */
static void
unknown_word(struct cmfa_buf *list, const char *w)
{
	char clean[512];
	size_t n = strlen(w);

	if (n >= 6 && n <= 8 && strspn(w, "0123456789") == n)
		snprintf(clean, sizeof(clean), "(a %zu-digit value)", n);
	else
		cmfa_sanitize(clean, sizeof(clean), w, n);
	(void)cmfa_buf_appendf(list, "%s%s", list->len > 0 ? ", " : "", clean);
}

static enum cmfa_err
argparse(struct parser *ps, int argc, char **argv)
{
	struct cmfa_buf unknown;
	const char *explicit, *w;
	enum cmfa_err err = CMFA_OK;
	struct given *g;
	struct opt *o;
	long k;
	int i = 0, j;
	bool input_required;
	size_t m;

	cmfa_buf_init(&unknown, CMFA_CLI_MSG_MAX);
	while (i < argc) {
		w = argv[i];
		if (!option_like(w) || (k = find_opt(ps, w, &explicit)) == -1) {
			unknown_word(&unknown, w);
			i++;
			continue;
		}
		if (k < 0) {
			err = CMFA_ERR_PARSE;
			goto out;
		}
		o = &ps->opts[k];
		g = o->kind == OPT_INPUT_JSON || o->kind == OPT_SKELETON
		    ? NULL
		    : &ps->given[o->member];
		i++;
		switch (o->kind) {
		case OPT_FLAG:
		case OPT_NOFLAG:
			if (explicit != NULL) {
				char clean[128];

				cmfa_sanitize(clean, sizeof(clean), explicit,
				    strnlen(explicit, 100));
				err = cmfa_cli_fail(ps->cli, CMFA_ERR_PARSE,
				    CMFA_FAIL_USAGE,
				    "argument %s: ignored explicit "
				    "argument '%s'",
				    o->name, clean);
				goto out;
			}
			g->set = true;
			g->flag = o->kind == OPT_FLAG;
			break;
		case OPT_SKELETON:
			if (explicit == NULL && i < argc &&
			    !option_like(argv[i]))
				explicit = argv[i++];
			if (explicit == NULL)
				explicit = "input";
			if (strcmp(explicit, "input") != 0 &&
			    strcmp(explicit, "output") != 0) {
				err = cmfa_cli_fail(ps->cli, CMFA_ERR_PARSE,
				    CMFA_FAIL_USAGE,
				    "argument --generate-cli-skeleton: "
				    "Invalid choice, valid choices are:\n\n"
				    "input | output");
				goto out;
			}
			ps->skeleton = explicit;
			break;
		case OPT_VALUE:
		case OPT_INPUT_JSON:
			if (explicit == NULL) {
				if (i >= argc || option_like(argv[i])) {
					err = cmfa_cli_fail(ps->cli,
					    CMFA_ERR_PARSE, CMFA_FAIL_USAGE,
					    "argument %s: expected one "
					    "argument",
					    o->name);
					goto out;
				}
				explicit = argv[i++];
			}
			if (o->kind == OPT_INPUT_JSON)
				ps->input_json = explicit;
			else {
				g->set = true;
				g->value = explicit;
			}
			break;
		case OPT_LIST:
			g->set = true;
			if (explicit != NULL) {
				/* argparse: the explicit value alone */
				g->one_word[0] = (char *)(uintptr_t) explicit;
				g->value = NULL;
				g->words = g->one_word;
				g->nwords = 1;
				break;
			}
			/* nargs '*': no word at all is an empty list */
			for (j = i; j < argc && !option_like(argv[j]); j++)
				;
			g->value = NULL;
			g->words = argv + i;
			g->nwords = (size_t)(j - i);
			i = j;
			break;
		}
	}
	/* required options, unless the input comes from elsewhere */
	input_required = ps->input_json == NULL &&
	    (ps->skeleton == NULL || strcmp(ps->skeleton, "output") == 0);
	if (input_required) {
		struct cmfa_buf miss;

		cmfa_buf_init(&miss, 4096);
		for (m = 0; m < ps->op->input->nmembers; m++)
			if (ps->op->input->members[m].required &&
			    !ps->given[m].set)
				(void)cmfa_buf_appendf(&miss, "%s--%s",
				    miss.len > 0 ? ", " : "",
				    ps->op->input->members[m].cli);
		if (miss.len > 0)
			err = cmfa_cli_fail(ps->cli, CMFA_ERR_PARSE,
			    CMFA_FAIL_USAGE,
			    "the following arguments are required: %s",
			    cmfa_buf_str(&miss));
		cmfa_buf_free(&miss);
		if (err != CMFA_OK)
			goto out;
	}
	if (unknown.len > 0)
		err = cmfa_cli_fail(ps->cli, CMFA_ERR_PARSE, CMFA_FAIL_UNKNOWN,
		    "%s", cmfa_buf_str(&unknown));
out:
	cmfa_buf_free(&unknown);
	return err;
}

/* ---------------------------------------------------------------------- */
/* file:// and fileb://                                                   */

/* os.path.expanduser() of "~" and "~/..." (HOME). */
static enum cmfa_err
expand_path(const char *path, struct cmfa_buf *out)
{
	const char *home;

	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') &&
	    (home = getenv("HOME")) != NULL && home[0] != '\0') {
		enum cmfa_err e = cmfa_buf_append_str(out, home);

		return e == CMFA_OK ? cmfa_buf_append_str(out, path + 1) : e;
	}
	return cmfa_buf_append_str(out, path);
}

/* Python's "[Errno 2] No such file or directory: '/x'". */
static void
oserror(char *err, size_t errsz, const char *prefix, const char *uri, int e,
    const char *path)
{
	struct cmfa_buf r;

	cmfa_buf_init(&r, 8192);
	(void)cmfa_cli_pyrepr_str(path, strlen(path), &r);
	snprintf(err, errsz,
	    "Unable to load paramfile %s%.4000s: [Errno %d] %s: %s", prefix,
	    uri, e, strerror(e), cmfa_buf_str(&r));
	cmfa_buf_free(&r);
}

/* Universal newlines, as Python's text mode reads a file. */
static void
universal_newlines(struct cmfa_buf *b)
{
	size_t i, o = 0;

	for (i = 0; i < b->len; i++) {
		if (b->p[i] == '\r') {
			b->p[o++] = '\n';
			if (i + 1 < b->len && b->p[i + 1] == '\n')
				i++;
		} else
			b->p[o++] = b->p[i];
	}
	b->len = o;
	if (b->p != NULL)
		b->p[o] = '\0';
}

enum cmfa_err
cmfa_cli_paramfile(const char *value, cJSON **out, char *err, size_t errsz)
{
	struct cmfa_buf path, data, repr;
	const char *rest, *prefix;
	enum cmfa_err e;
	bool binary;
	uint8_t chunk[4096];
	ssize_t n;
	int fd = -1;
	cJSON *v = NULL;

	if (errsz > 0)
		err[0] = '\0';
	if (strncmp(value, "fileb://", 8) == 0) {
		binary = true;
		prefix = "fileb://";
		rest = value + 8;
	} else if (strncmp(value, "file://", 7) == 0) {
		binary = false;
		prefix = "file://";
		rest = value + 7;
	} else
		return CMFA_ERR_NOTFOUND;
	cmfa_buf_init(&path, PATH_MAX);
	cmfa_buf_init(&data, PARAMFILE_MAX);
	cmfa_buf_init(&repr, 4 * PARAMFILE_MAX + 8);
	if ((e = expand_path(rest, &path)) != CMFA_OK) {
		snprintf(err, errsz,
		    "Unable to load paramfile %s: path too long", value);
		goto out;
	}
	if ((fd = open(cmfa_buf_str(&path), O_RDONLY | O_CLOEXEC | O_NOCTTY)) <
	    0) {
		oserror(err, errsz, prefix, rest, errno, cmfa_buf_str(&path));
		e = CMFA_ERR_IO;
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			oserror(err, errsz, prefix, rest, errno,
			    cmfa_buf_str(&path));
			e = CMFA_ERR_IO;
			goto out;
		}
		if (n == 0)
			break;
		if (cmfa_buf_append(&data, chunk, (size_t)n) != CMFA_OK) {
			snprintf(err, errsz,
			    "Unable to load paramfile %.4000s: larger than %u "
			    "bytes",
			    value, PARAMFILE_MAX);
			e = CMFA_ERR_TOOBIG;
			goto out;
		}
	}
	if (binary) {
		if ((e = cmfa_cli_pyrepr_bytes(data.p, data.len, &repr)) !=
		        CMFA_OK ||
		    (v = cJSON_CreateString(cmfa_buf_str(&repr))) == NULL) {
			e = CMFA_ERR_NOMEM;
			goto out;
		}
		v->type |= CMFA_CLI_BYTES;
	} else {
		if (!cmfa_utf8_valid((const char *)data.p, data.len) &&
		    (data.len == 0 || memchr(data.p, 0, data.len) == NULL)) {
			snprintf(err, errsz,
			    "Unable to load paramfile (%.4000s), text "
			    "contents could not be decoded.  If this is a "
			    "binary file, please use the fileb:// prefix "
			    "instead of the file:// prefix.",
			    cmfa_buf_str(&path));
			e = CMFA_ERR_PARSE;
			goto out;
		}
		if (data.len > 0 && memchr(data.p, 0, data.len) != NULL) {
			/* Python would take it; a C string cannot */
			snprintf(err, errsz,
			    "Unable to load paramfile (%.4000s), text "
			    "contents hold a NUL byte.",
			    cmfa_buf_str(&path));
			e = CMFA_ERR_PARSE;
			goto out;
		}
		universal_newlines(&data);
		if ((v = cJSON_CreateString(cmfa_buf_str(&data))) == NULL) {
			e = CMFA_ERR_NOMEM;
			goto out;
		}
	}
	*out = v;
	e = CMFA_OK;
out:
	if (fd >= 0)
		(void)close(fd);
	cmfa_buf_free(&path);
	cmfa_buf_free(&data);
	cmfa_buf_free(&repr);
	return e;
}

/* ---------------------------------------------------------------------- */
/* values                                                                 */

static bool
is_complex(const struct cmfa_cli_shape *s)
{
	if (s->type == CMFA_CT_STRUCT || s->type == CMFA_CT_MAP)
		return true;
	return s->type == CMFA_CT_LIST &&
	    (s->item->type == CMFA_CT_STRUCT || s->item->type == CMFA_CT_MAP ||
	        s->item->type == CMFA_CT_LIST);
}

/* value.strip() starts with '[' or '{' (and which). */
static char
json_start(const char *v)
{
	while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r' ||
	    *v == '\v' || *v == '\f')
		v++;
	return *v == '[' || *v == '{' ? *v : '\0';
}

/* Python's int(s): whitespace around, a sign, digits with single '_'
 * between them.  The repr is the canonical decimal. */
static cJSON *
py_int(const char *s)
{
	const char *p = s, *end;
	struct cmfa_buf d;
	bool neg = false, digit = false;
	cJSON *v = NULL;

	cmfa_buf_init(&d, strlen(s) + 2);
	while (isspace((unsigned char)*p))
		p++;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	for (; p < end; p++) {
		if (isdigit((unsigned char)*p)) {
			if (!(d.len == 0 && *p == '0' && p + 1 < end))
				(void)cmfa_buf_append(&d, p, 1);
			else if (d.len > 0)
				(void)cmfa_buf_append(&d, p, 1);
			digit = true;
		} else if (*p == '_' && digit && p + 1 < end &&
		    isdigit((unsigned char)p[1]))
			continue;
		else {
			digit = false;
			break;
		}
	}
	if (digit && p == end) {
		if (d.len == 0)
			(void)cmfa_buf_append(&d, "0", 1);
		if (neg && strcmp(cmfa_buf_str(&d), "0") != 0) {
			struct cmfa_buf t;

			cmfa_buf_init(&t, d.len + 2);
			(void)cmfa_buf_appendf(&t, "-%s", cmfa_buf_str(&d));
			v = cJSON_CreateRaw(cmfa_buf_str(&t));
			cmfa_buf_free(&t);
		} else
			v = cJSON_CreateRaw(cmfa_buf_str(&d));
	}
	cmfa_buf_free(&d);
	return v;
}

static enum cmfa_err
int_error(struct cmfa_cli *cli, const char *s)
{
	struct cmfa_buf r;
	enum cmfa_err e;

	cmfa_buf_init(&r, 8192);
	(void)cmfa_cli_pyrepr_str(s, strnlen(s, 4000), &r);
	e = cmfa_cli_fail(cli, CMFA_ERR_PARSE, CMFA_FAIL_PYTHON,
	    "invalid literal for int() with base 10: %s", cmfa_buf_str(&r));
	cmfa_buf_free(&r);
	return e;
}

/* Put repl in old's place in parent (old is freed; the key moves). */
static void
replace_child(cJSON *parent, cJSON *old, cJSON *repl)
{
	if (old->string != NULL && !(old->type & cJSON_StringIsConst)) {
		repl->string = old->string;
		repl->type &= ~cJSON_StringIsConst;
		old->string = NULL;
	}
	(void)cJSON_ReplaceItemViaPointer(parent, old, repl);
}

/* BackCompatVisitor: *slot may be replaced (a scalar in a list's place). */
static enum cmfa_err
back_compat(struct cmfa_cli *cli, cJSON **slot, const struct cmfa_cli_shape *s,
    bool top)
{
	cJSON *v = *slot, *it, *c, *arr;
	size_t i;

	if (v == NULL)
		return CMFA_OK;
	switch (s->type) {
	case CMFA_CT_STRUCT:
		if (!cJSON_IsObject(v))
			return CMFA_OK;
		for (i = 0; i < s->nmembers; i++) {
			c = cJSON_GetObjectItemCaseSensitive(v,
			    s->members[i].name);
			if (c == NULL)
				continue;
			it = c;
			if (back_compat(cli, &it, s->members[i].shape, false) !=
			    CMFA_OK)
				return CMFA_ERR_PARSE;
			if (it != c)
				replace_child(v, c, it);
		}
		return CMFA_OK;
	case CMFA_CT_MAP:
		if (!cJSON_IsObject(v))
			return CMFA_OK;
		for (c = v->child; c != NULL; c = c->next) {
			it = c;
			if (back_compat(cli, &it, s->item, false) != CMFA_OK)
				return CMFA_ERR_PARSE;
			if (it != c) {
				replace_child(v, c, it);
				c = it;
			}
		}
		return CMFA_OK;
	case CMFA_CT_LIST:
		if (!cJSON_IsArray(v)) {
			/* a -> [a]; lost at the top level, as in Python */
			if (top || cJSON_IsNull(v))
				return CMFA_OK;
			if ((arr = cJSON_CreateArray()) == NULL)
				return CMFA_ERR_NOMEM;
			*slot = arr;
			if ((c = cJSON_Duplicate(v, 1)) == NULL ||
			    !cJSON_AddItemToArray(arr, c)) {
				cJSON_Delete(c);
				cJSON_Delete(arr);
				*slot = v;
				return CMFA_ERR_NOMEM;
			}
			return CMFA_OK;
		}
		for (c = v->child; c != NULL; c = c->next) {
			it = c;
			if (back_compat(cli, &it, s->item, false) != CMFA_OK)
				return CMFA_ERR_PARSE;
			if (it != c) {
				replace_child(v, c, it);
				c = it;
			}
		}
		return CMFA_OK;
	case CMFA_CT_BOOL:
	case CMFA_CT_INT:
		if (cJSON_IsNull(v))
			return CMFA_OK;
		if (!cJSON_IsString(v))
			return cmfa_cli_fail(cli, CMFA_ERR_PARSE,
			    CMFA_FAIL_PYTHON,
			    "'%s' object has no attribute 'lower'",
			    cJSON_IsArray(v) ? "list" : "dict");
		if (s->type == CMFA_CT_INT) {
			if ((it = py_int(v->valuestring)) == NULL)
				return int_error(cli, v->valuestring);
			*slot = it;
			return CMFA_OK;
		}
		if (strcasecmp(v->valuestring, "true") == 0)
			*slot = cJSON_CreateTrue();
		else if (strcasecmp(v->valuestring, "false") == 0)
			*slot = cJSON_CreateFalse();
		if (*slot == NULL) {
			*slot = v;
			return CMFA_ERR_NOMEM;
		}
		return CMFA_OK;
	case CMFA_CT_STRING:
	case CMFA_CT_TIMESTAMP:
		return CMFA_OK;
	}
	return CMFA_OK;
}

static enum cmfa_err
json_value(struct cmfa_cli *cli, const char *param, const char *text,
    cJSON **out)
{
	char err[512];
	enum cmfa_err e;

	e = cmfa_cli_json_load(text, strlen(text), true, out, err, sizeof(err));
	if (e == CMFA_ERR_NOMEM)
		return cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL,
		    "out of memory");
	if (e != CMFA_OK)
		return cmfa_cli_param_error(cli, param,
		    "Invalid JSON: %s\nJSON received: %s", err, text);
	return CMFA_OK;
}

static enum cmfa_err
shorthand_value(struct cmfa_cli *cli, const char *param, const char *text,
    cJSON **out)
{
	char err[4096];
	enum cmfa_err e;

	e = cmfa_shorthand_parse(text, strlen(text), out, err, sizeof(err));
	if (e == CMFA_ERR_NOMEM)
		return cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL,
		    "out of memory");
	if (e != CMFA_OK)
		return cmfa_cli_param_error(cli, param, "%s", err);
	return CMFA_OK;
}

/* One scalar or structure from one string (_unpack_cli_arg). */
static enum cmfa_err
unpack_one(struct cmfa_cli *cli, const char *param,
    const struct cmfa_cli_shape *s, const cJSON *str, cJSON **out)
{
	const char *t = str->valuestring;

	switch (s->type) {
	case CMFA_CT_STRING:
	case CMFA_CT_TIMESTAMP:
	case CMFA_CT_BOOL:
		/* top-level booleans are flags; list items: str -> bool */
		if (s->type == CMFA_CT_BOOL && cmfa_cli_is_pystr(str)) {
			*out = strcasecmp(t, "false") == 0 ? cJSON_CreateFalse()
			                                   : cJSON_CreateTrue();
			return *out != NULL ? CMFA_OK : CMFA_ERR_NOMEM;
		}
		*out = cJSON_Duplicate(str, 1);
		if (*out != NULL)
			(*out)->type = str->type; /* keep CMFA_CLI_BYTES */
		return *out != NULL ? CMFA_OK : CMFA_ERR_NOMEM;
	case CMFA_CT_INT:
		if ((*out = py_int(t)) == NULL)
			return int_error(cli, t);
		return CMFA_OK;
	case CMFA_CT_STRUCT:
	case CMFA_CT_MAP:
	case CMFA_CT_LIST: {
		const char *p = t;

		if (!cmfa_cli_is_pystr(str))
			return cmfa_cli_fail(cli, CMFA_ERR_PARSE,
			    CMFA_FAIL_PYTHON,
			    "'in <string>' requires string as left operand, "
			    "not int");
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			return cmfa_cli_fail(cli, CMFA_ERR_PARSE,
			    CMFA_FAIL_PYTHON, "string index out of range");
		if (*p == (s->type == CMFA_CT_LIST ? '[' : '{'))
			return json_value(cli, param, t, out);
		return cmfa_cli_param_error(cli, param, "Invalid JSON:\n%s", t);
	}
	}
	return CMFA_ERR_INVAL;
}

/* A code point of s as its own string (Python iterating a str). */
static size_t
one_char(const char *s, char *buf)
{
	size_t n = 1;

	if (((unsigned char)s[0] & 0xe0) == 0xc0)
		n = 2;
	else if (((unsigned char)s[0] & 0xf0) == 0xe0)
		n = 3;
	else if (((unsigned char)s[0] & 0xf8) == 0xf0)
		n = 4;
	n = strnlen(s, n);
	memcpy(buf, s, n);
	buf[n] = '\0';
	return n;
}

/* The value of one top-level member, given as a string (str or bytes). */
static enum cmfa_err
unpack_string(struct cmfa_cli *cli, const char *param,
    const struct cmfa_cli_shape *s, cJSON *str, cJSON **out)
{
	enum cmfa_err e;
	const char *p;
	char ch[8];
	cJSON *arr, *item, *tmp;

	if (is_complex(s) && cmfa_cli_is_pystr(str) &&
	    json_start(str->valuestring) == '\0') {
		if ((e = shorthand_value(cli, param, str->valuestring, out)) !=
		    CMFA_OK)
			return e;
		if ((e = back_compat(cli, out, s, true)) != CMFA_OK) {
			cJSON_Delete(*out);
			*out = NULL;
		}
		return e;
	}
	if (s->type != CMFA_CT_LIST)
		return unpack_one(cli, param, s, str, out);
	/* a list from one string: JSON, or (Python) its characters */
	if (cmfa_cli_is_pystr(str) && json_start(str->valuestring) == '[')
		return json_value(cli, param, str->valuestring, out);
	if (!cmfa_cli_is_pystr(str))
		return unpack_one(cli, param, s->item, str, out);
	if ((arr = cJSON_CreateArray()) == NULL)
		return CMFA_ERR_NOMEM;
	for (p = str->valuestring; *p != '\0';) {
		p += one_char(p, ch);
		if ((tmp = cJSON_CreateString(ch)) == NULL) {
			cJSON_Delete(arr);
			return CMFA_ERR_NOMEM;
		}
		e = unpack_one(cli, param, s->item, tmp, &item);
		cJSON_Delete(tmp);
		if (e != CMFA_OK) {
			cJSON_Delete(arr);
			return e;
		}
		if (!cJSON_AddItemToArray(arr, item)) {
			cJSON_Delete(item);
			cJSON_Delete(arr);
			return CMFA_ERR_NOMEM;
		}
	}
	*out = arr;
	return CMFA_OK;
}

/* A list option given as words (nargs '+'). */
static enum cmfa_err
unpack_words(struct cmfa_cli *cli, const char *param,
    const struct cmfa_cli_shape *s, char **words, size_t n, cJSON **out)
{
	enum cmfa_err e = CMFA_OK;
	cJSON *arr, *item, *tmp;
	size_t i;
	bool shorthand = n > 0 && is_complex(s) && json_start(words[0]) == '\0';

	if (!shorthand && n == 1 && json_start(words[0]) == '[')
		return json_value(cli, param, words[0], out);
	if ((arr = cJSON_CreateArray()) == NULL)
		return CMFA_ERR_NOMEM;
	for (i = 0; i < n && e == CMFA_OK; i++) {
		item = NULL;
		if (shorthand)
			e = shorthand_value(cli, param, words[i], &item);
		else if ((tmp = cJSON_CreateString(words[i])) == NULL)
			e = CMFA_ERR_NOMEM;
		else {
			e = unpack_one(cli, param, s->item, tmp, &item);
			cJSON_Delete(tmp);
		}
		if (e == CMFA_OK && !cJSON_AddItemToArray(arr, item)) {
			cJSON_Delete(item);
			e = CMFA_ERR_NOMEM;
		}
	}
	if (e == CMFA_OK && shorthand)
		e = back_compat(cli, &arr, s, true);
	if (e != CMFA_OK) {
		cJSON_Delete(arr);
		return e;
	}
	*out = arr;
	return CMFA_OK;
}

static enum cmfa_err
load_file(struct cmfa_cli *cli, const char *param, const char *value,
    cJSON **out)
{
	char err[8192];
	enum cmfa_err e;

	e = cmfa_cli_paramfile(value, out, err, sizeof(err));
	if (e == CMFA_OK || e == CMFA_ERR_NOTFOUND)
		return e;
	if (e == CMFA_ERR_NOMEM)
		return cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL,
		    "out of memory");
	return cmfa_cli_param_error(cli, param, "%s", err);
}

/* One member's value from what the command line gave. */
static enum cmfa_err
member_value(struct cmfa_cli *cli, const struct cmfa_cli_member *m,
    const struct given *g, cJSON **out)
{
	char param[OPT_NAME_MAX];
	const char *one = NULL;
	cJSON *str = NULL;
	enum cmfa_err e;

	snprintf(param, sizeof(param), "--%s", m->cli);
	if (m->shape->type == CMFA_CT_BOOL) {
		*out = g->flag ? cJSON_CreateTrue() : cJSON_CreateFalse();
		return *out != NULL ? CMFA_OK : CMFA_ERR_NOMEM;
	}
	if (g->words == NULL)
		one = g->value;
	else if (g->nwords == 1)
		one = g->words[0]; /* a one-word list may be a file */
	if (one != NULL) {
		e = load_file(cli, param, one, &str);
		if (e == CMFA_ERR_NOTFOUND && g->words != NULL)
			return unpack_words(cli, param, m->shape, g->words,
			    g->nwords, out);
		if (e == CMFA_ERR_NOTFOUND) {
			if ((str = cJSON_CreateString(one)) == NULL)
				return CMFA_ERR_NOMEM;
		} else if (e != CMFA_OK)
			return e;
		e = unpack_string(cli, param, m->shape, str, out);
		cJSON_Delete(str);
		return e;
	}
	return unpack_words(cli, param, m->shape, g->words, g->nwords, out);
}

static enum cmfa_err
merge_input_json(struct parser *ps, cJSON *req)
{
	cJSON *doc = NULL, *str = NULL, *it, *next;
	struct cmfa_buf uri;
	const char *text, *value = ps->input_json;
	char err[8192];
	enum cmfa_err e;
	bool binary = strncmp(value, "fileb://", 8) == 0;

	/* json.loads() takes bytes as well: read fileb:// as text */
	cmfa_buf_init(&uri, strlen(value) + 8);
	if (binary && cmfa_buf_appendf(&uri, "file://%s", value + 8) == CMFA_OK)
		value = cmfa_buf_str(&uri);
	e = cmfa_cli_paramfile(value, &str, err, sizeof(err));
	cmfa_buf_free(&uri);
	if (e == CMFA_ERR_NOMEM)
		return cmfa_cli_fail(ps->cli, e, CMFA_FAIL_INTERNAL,
		    "out of memory");
	if (e == CMFA_ERR_PARSE && binary) /* undecodable bytes */
		return cmfa_cli_param_error(ps->cli, "cli-input-json",
		    "Invalid JSON received.");
	if (e != CMFA_OK && e != CMFA_ERR_NOTFOUND)
		return cmfa_cli_param_error(ps->cli, "--cli-input-json", "%s",
		    err);
	text = str != NULL ? str->valuestring : ps->input_json;
	e = cmfa_cli_json_load(text, strlen(text), false, &doc, err,
	    sizeof(err));
	cJSON_Delete(str);
	if (e == CMFA_ERR_NOMEM)
		return cmfa_cli_fail(ps->cli, e, CMFA_FAIL_INTERNAL,
		    "out of memory");
	if (e != CMFA_OK)
		return cmfa_cli_param_error(ps->cli, "cli-input-json",
		    "Invalid JSON received.");
	if (!cJSON_IsObject(doc)) {
		e = cmfa_cli_param_error(ps->cli, "--cli-input-json",
		    "Invalid type: expecting map, received %s",
		    cmfa_cli_pytype(doc));
		cJSON_Delete(doc);
		return e;
	}
	for (it = doc->child; it != NULL; it = next) {
		next = it->next;
		if (cJSON_GetObjectItemCaseSensitive(req, it->string) != NULL)
			continue;
		(void)cJSON_DetachItemViaPointer(doc, it);
		/* the key stays it->string */
		if (!cJSON_AddItemToArray(req, it)) {
			cJSON_Delete(it);
			cJSON_Delete(doc);
			return CMFA_ERR_NOMEM;
		}
	}
	cJSON_Delete(doc);
	return CMFA_OK;
}

enum cmfa_err
cmfa_cli_parse_params(struct cmfa_cli *cli, const struct cmfa_cli_op *op,
    int argc, char **argv, cJSON **req_out, const char **skeleton)
{
	struct parser ps;
	cJSON *req = NULL, *v;
	enum cmfa_err e;
	size_t i;

	*skeleton = NULL;
	memset(&ps, 0, sizeof(ps));
	ps.cli = cli;
	ps.op = op;
	if ((ps.given = calloc(op->input->nmembers + 1, sizeof(*ps.given))) ==
	        NULL ||
	    build_opts(&ps) != CMFA_OK) {
		e = cmfa_cli_fail(cli, CMFA_ERR_NOMEM, CMFA_FAIL_INTERNAL,
		    "out of memory");
		goto out;
	}
	if ((e = argparse(&ps, argc, argv)) != CMFA_OK)
		goto out;
	if ((req = cJSON_CreateObject()) == NULL) {
		e = CMFA_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < op->input->nmembers; i++) {
		if (!ps.given[i].set)
			continue;
		v = NULL;
		if ((e = member_value(cli, &op->input->members[i], &ps.given[i],
		         &v)) != CMFA_OK)
			goto out;
		if (!cJSON_AddItemToObject(req, op->input->members[i].name,
		        v)) {
			cJSON_Delete(v);
			e = CMFA_ERR_NOMEM;
			goto out;
		}
	}
	if (ps.input_json != NULL &&
	    (e = merge_input_json(&ps, req)) != CMFA_OK)
		goto out;
	*skeleton = ps.skeleton;
	*req_out = req;
	req = NULL;
	e = CMFA_OK;
out:
	if (e == CMFA_ERR_NOMEM)
		(void)cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL,
		    "out of memory");
	cJSON_Delete(req);
	free(ps.given);
	free(ps.opts);
	return e;
}
