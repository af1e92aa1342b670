/*
 * paginate.c: the AWS CLI's paging of list-users (awscli/customizations/
 * paginate.py, botocore/paginate.py of aws-cli 2.9.19), for both
 * targets: the API's pages and the local store's are walked the same way.
 *
 *  - --starting-token, --page-size, --max-items are the CLI's own options
 *    (argparse, int values); --limit or --pagination-token on the line,
 *    or --no-paginate, turn paging off, and then a paging option given
 *    (non-empty / non-zero) is refused as the AWS CLI refuses it (252).
 *    Limit or PaginationToken from --cli-input-json turn it off quietly.
 *  - Paging on: ListUsers is called with Limit = --page-size (if given)
 *    and each answer's PaginationToken, until a page has none; every
 *    page's Users are merged (build_full_result).  A token received twice
 *    in a row stops with botocore's PaginationError (255).
 *  - --max-items N: the merged list is cut at N and NextToken printed:
 *    base64 of json.dumps({"PaginationToken": <token of the page that
 *    was cut, or of the next page>, "boto_truncate_amount": <items of
 *    that page already shown>}), the latter only when a page was cut.
 *    --starting-token takes such a token (or, as botocore's fallback,
 *    any other text as the service's own token, "tok___N" as token and
 *    index).
 * Each page's request is validated as botocore validates it, so a bad
 * --page-size or a starting token naming unknown members is reported in
 * its words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cmfa_cli.h"
#include "cli_int.h"

/* paginators-1.json: the operations we page, and how. */
static const struct {
	const char *api, *token, *limit, *result;
} pagers[] = {
	{ "ListUsers", "PaginationToken", "Limit", "Users" },
};

#define TOKEN_MAX 65536 /* bytes of a --starting-token or NextToken */
#define NUM_MAX 999999999999999999LL /* paging numbers are clamped here */

static int
pager_of(const struct cmfa_cli_op *op)
{
	size_t i;

	for (i = 0; op != NULL && i < CMFA_ARRAY_LEN(pagers); i++)
		if (strcmp(pagers[i].api, op->api) == 0)
			return (int)i;
	return -1;
}

bool
cmfa_cli_pages(const struct cmfa_cli_op *op)
{
	return pager_of(op) >= 0;
}

/* ---------------------------------------------------------------------- */
/* argv                                                                   */

/* Python's int(s) for the usual spellings: blanks, sign, digits, '_'
 * between digits; saturated to what a long long holds. */
static bool
py_int(const char *s, long long *out)
{
	const char *p = s, *end;
	unsigned long long v = 0;
	bool neg = false, any = false;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	end = p + strlen(p);
	while (
	    end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'))
		end--;
	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	for (; p < end; p++) {
		if (*p == '_' && any && p + 1 < end && p[1] >= '0' &&
		    p[1] <= '9')
			continue;
		if (*p < '0' || *p > '9')
			return false;
		any = true;
		if (v < 1000000000000000000ULL)
			v = v * 10 + (unsigned)(*p - '0');
	}
	if (!any)
		return false;
	if (v > (unsigned long long)NUM_MAX)
		v = (unsigned long long)NUM_MAX;
	*out = neg ? -(long long)v : (long long)v;
	return true;
}

/* argparse's view of a word after an option: a value unless it looks
 * like an option (a negative number is a value). */
static bool
value_word(const char *w)
{
	long long n;

	return w[0] != '-' || w[1] == '\0' || py_int(w, &n);
}

static bool
opt_is(const char *w, const char *name, const char **eq)
{
	size_t n = strlen(name);

	*eq = NULL;
	if (strncmp(w, name, n) != 0)
		return false;
	if (w[n] == '=')
		*eq = w + n + 1;
	return w[n] == '\0' || w[n] == '=';
}

enum cmfa_err
cmfa_cli_paging_args(struct cmfa_cli *cli, int *argc, char **argv,
    struct cmfa_cli_paging *pg)
{
	static const char *const names[] = { "--starting-token", "--page-size",
		"--max-items" };
	const char *eq, *val;
	char clean[64];
	long long n;
	int i, o = 0;
	size_t k;

	for (i = 0; i < *argc; i++) {
		if (opt_is(argv[i], "--limit", &eq) ||
		    opt_is(argv[i], "--pagination-token", &eq))
			pg->manual = true;
		for (k = 0; k < CMFA_ARRAY_LEN(names); k++)
			if (opt_is(argv[i], names[k], &eq))
				break;
		if (k == CMFA_ARRAY_LEN(names)) {
			argv[o++] = argv[i];
			continue;
		}
		if (eq != NULL)
			val = eq;
		else if (i + 1 < *argc && value_word(argv[i + 1]))
			val = argv[++i];
		else
			return cmfa_cli_fail(cli, CMFA_ERR_PARSE,
			    CMFA_FAIL_USAGE,
			    "argument %s: expected one argument", names[k]);
		if (k == 0) {
			pg->starting_token = val;
			continue;
		}
		if (!py_int(val, &n)) {
			cmfa_sanitize(clean, sizeof(clean), val,
			    strnlen(val, 40));
			return cmfa_cli_fail(cli, CMFA_ERR_PARSE,
			    CMFA_FAIL_USAGE,
			    "argument %s: invalid int value: '%s'", names[k],
			    clean);
		}
		if (k == 1) {
			pg->has_page_size = true;
			pg->page_size = n;
		} else {
			pg->has_max_items = true;
			pg->max_items = n;
		}
	}
	*argc = o;
	argv[o] = NULL;
	return CMFA_OK;
}

enum cmfa_err
cmfa_cli_paging_on(struct cmfa_cli *cli, const struct cmfa_cli_paging *pg,
    const cJSON *req, bool *on)
{
	struct cmfa_buf used;
	int p = pager_of(cli->op);
	enum cmfa_err e = CMFA_OK;

	*on = false;
	if (p < 0)
		return CMFA_OK;
	if (!pg->no_paginate && !pg->manual) {
		/* check_should_enable_pagination_call_parameters: a token or
		 * limit from --cli-input-json turns paging off, silently */
		*on = cJSON_GetObjectItemCaseSensitive(req, pagers[p].token) ==
		        NULL &&
		    cJSON_GetObjectItemCaseSensitive(req, pagers[p].limit) ==
		        NULL;
		return CMFA_OK;
	}
	cmfa_buf_init(&used, 256);
	if (pg->starting_token != NULL && pg->starting_token[0] != '\0')
		(void)cmfa_buf_appendf(&used, "--starting-token");
	if (pg->has_page_size && pg->page_size != 0)
		(void)cmfa_buf_appendf(&used, "%s--page-size",
		    used.len ? ", " : "");
	if (pg->has_max_items && pg->max_items != 0)
		(void)cmfa_buf_appendf(&used, "%s--max-items",
		    used.len ? ", " : "");
	if (used.len > 0)
		e = cmfa_cli_fail(cli, CMFA_ERR_PARSE, CMFA_FAIL_ARGS,
		    "Cannot specify --no-paginate along with pagination "
		    "arguments: %s",
		    cmfa_buf_str(&used));
	cmfa_buf_free(&used);
	return e;
}

/* ---------------------------------------------------------------------- */
/* tokens                                                                 */

/* json.dumps(s) with ensure_ascii (Python's default), appended. */
static enum cmfa_err
json_ascii(struct cmfa_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	enum cmfa_err e = cmfa_buf_append(b, "\"", 1);
	size_t n;

	while (e == CMFA_OK && *p != '\0') {
		if (*p == '"' || *p == '\\')
			e = cmfa_buf_appendf(b, "\\%c", *p++);
		else if (*p >= 0x20 && *p < 0x7f)
			e = cmfa_buf_append(b, p++, 1);
		else if (*p == '\n' || *p == '\r' || *p == '\t' || *p == '\b' ||
		    *p == '\f') {
			e = cmfa_buf_appendf(b, "\\%c",
			    *p == '\n'       ? 'n'
			        : *p == '\r' ? 'r'
			        : *p == '\t' ? 't'
			        : *p == '\b' ? 'b'
			                     : 'f');
			p++;
		} else {
			n = cmfa_utf8_next((const char *)p,
			    strlen((const char *)p), &cp);
			if (n == 0) { /* not UTF-8: the byte itself */
				cp = *p;
				n = 1;
			}
			p += n;
			if (cp >= 0x10000)
				e = cmfa_buf_appendf(b, "\\u%04x\\u%04x",
				    (unsigned)(0xd800 + ((cp - 0x10000) >> 10)),
				    (unsigned)(0xdc00 +
				        ((cp - 0x10000) & 0x3ff)));
			else
				e = cmfa_buf_appendf(b, "\\u%04x",
				    (unsigned)cp);
		}
	}
	return e != CMFA_OK ? e : cmfa_buf_append(b, "\"", 1);
}

/* TokenEncoder.encode({name: tok, ["boto_truncate_amount": amount]}). */
static enum cmfa_err
encode_token(const char *name, const char *tok, bool truncated,
    long long amount, char **out)
{
	struct cmfa_buf j;
	enum cmfa_err e;
	char *b64;
	int n;

	*out = NULL;
	cmfa_buf_init(&j, TOKEN_MAX);
	e = cmfa_buf_append(&j, "{", 1);
	if (e == CMFA_OK)
		e = json_ascii(&j, name);
	if (e == CMFA_OK)
		e = tok != NULL ? cmfa_buf_append(&j, ": ", 2) : CMFA_OK;
	if (e == CMFA_OK)
		e = tok != NULL ? json_ascii(&j, tok)
		                : cmfa_buf_append(&j, ": null", 6);
	if (e == CMFA_OK && truncated)
		e = cmfa_buf_appendf(&j, ", \"boto_truncate_amount\": %lld",
		    amount);
	if (e == CMFA_OK)
		e = cmfa_buf_append(&j, "}", 1);
	if (e != CMFA_OK || (b64 = malloc(4 * (j.len / 3 + 1) + 1)) == NULL) {
		cmfa_buf_free(&j);
		return e != CMFA_OK ? e : CMFA_ERR_NOMEM;
	}
	n = EVP_EncodeBlock((unsigned char *)b64, j.p, (int)j.len);
	b64[n < 0 ? 0 : n] = '\0';
	cmfa_buf_free(&j);
	*out = b64;
	return CMFA_OK;
}

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * base64.b64decode(s) (validate=False): characters outside the alphabet
 * are skipped, the data must be padded to whole quads.  false when
 * Python would raise binascii.Error.
 */
static bool
b64_decode(const char *s, struct cmfa_buf *out)
{
	unsigned acc = 0, nbits = 0;
	size_t data = 0, pad = 0;
	unsigned char byte;
	int v;

	for (; *s != '\0'; s++) {
		if (*s == '=') {
			pad++;
			if ((data + pad) % 4 == 0 && data % 4 >= 2)
				break; /* a complete, padded quad */
			continue;
		}
		if ((v = b64_value((unsigned char)*s)) < 0)
			continue;
		if (pad > 0)
			pad = 0; /* Python ignores a stray '=' in data */
		data++;
		acc = (acc << 6) | (unsigned)v;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			byte = (unsigned char)(acc >> nbits);
			if (cmfa_buf_append(out, &byte, 1) != CMFA_OK)
				return false;
			acc &= (1u << nbits) - 1;
		}
	}
	if (data % 4 == 1)
		return false;
	return data % 4 == 0 || (data + pad) % 4 == 0;
}

/* The Python type name of a JSON value, for AttributeError's words. */
static const char *
py_type_name(const cJSON *v)
{
	if (cJSON_IsArray(v))
		return "list";
	if (cJSON_IsBool(v))
		return "bool";
	if (cJSON_IsNull(v))
		return "NoneType";
	if (cJSON_IsRaw(v))
		return cmfa_cli_is_pyint(v) ? "int" : "float";
	return "str";
}

/*
 * PageIterator._parse_starting_token(): *tok gets the token's members
 * (a new object), *index its boto_truncate_amount.
 */
static enum cmfa_err
parse_starting(struct cmfa_cli *cli, const char *name, const char *s,
    cJSON **tok, long long *index)
{
	struct cmfa_buf raw;
	cJSON *v = NULL, *amount;
	const char *sep;
	char err[128], clean[160];
	enum cmfa_err e;

	*tok = NULL;
	*index = 0;
	cmfa_buf_init(&raw, TOKEN_MAX);
	if (b64_decode(s, &raw) &&
	    cmfa_utf8_valid((const char *)raw.p, raw.len) &&
	    cmfa_cli_json_load((const char *)raw.p, raw.len, false, &v, err,
	        sizeof(err)) == CMFA_OK) {
		cmfa_buf_free(&raw);
		if (!cJSON_IsObject(v)) {
			e = cmfa_cli_fail(cli, CMFA_ERR_PARSE, CMFA_FAIL_PYTHON,
			    "'%s' object has no attribute 'pop'",
			    py_type_name(v));
			cJSON_Delete(v);
			return e;
		}
		cJSON_Delete(cJSON_DetachItemFromObjectCaseSensitive(v,
		    "boto_encoded_keys"));
		amount = cJSON_DetachItemFromObjectCaseSensitive(v,
		    "boto_truncate_amount");
		if (amount != NULL && !cJSON_IsNull(amount) &&
		    !cmfa_cli_is_pyint(amount) && !cJSON_IsBool(amount)) {
			cJSON_Delete(amount);
			cJSON_Delete(v);
			return cmfa_cli_fail(cli, CMFA_ERR_PARSE,
			    CMFA_FAIL_PYTHON,
			    "slice indices must be integers or None or have an "
			    "__index__ method");
		}
		if (cJSON_IsBool(amount))
			*index = cJSON_IsTrue(amount) ? 1 : 0;
		else if (amount != NULL && amount->valuestring != NULL &&
		    !(py_int(amount->valuestring, index)))
			*index = 0;
		cJSON_Delete(amount);
		*tok = v;
		return CMFA_OK;
	}
	cmfa_buf_free(&raw);
	/* the deprecated form: "token" or "token___index" */
	if ((*tok = cJSON_CreateObject()) == NULL)
		return CMFA_ERR_NOMEM;
	sep = strstr(s, "___");
	if (sep != NULL && strstr(sep + 3, "___") != NULL) {
		cJSON_Delete(*tok);
		*tok = NULL;
		cmfa_sanitize(clean, sizeof(clean), s, strnlen(s, 120));
		return cmfa_cli_fail(cli, CMFA_ERR_PARSE, CMFA_FAIL_PYTHON,
		    "Bad starting token: %s", clean);
	}
	if (sep != NULL && py_int(sep + 3, index)) {
		char *part = strndup(s, (size_t)(sep - s));

		if (part == NULL ||
		    (strcmp(part, "None") == 0
		            ? cJSON_AddNullToObject(*tok, name)
		            : cJSON_AddStringToObject(*tok, name, part)) ==
		        NULL) {
			free(part);
			return CMFA_ERR_NOMEM;
		}
		free(part);
		return CMFA_OK;
	}
	*index = 0;
	if ((strcmp(s, "None") == 0
	            ? cJSON_AddNullToObject(*tok, name)
	            : cJSON_AddStringToObject(*tok, name, s)) == NULL)
		return CMFA_ERR_NOMEM;
	return CMFA_OK;
}

/* _inject_token_into_kwargs(): members set, None / "None" removed. */
static enum cmfa_err
inject(cJSON *kw, const cJSON *tok)
{
	const cJSON *it;
	cJSON *c;

	cJSON_ArrayForEach(it, tok)
	{
		cJSON_DeleteItemFromObjectCaseSensitive(kw, it->string);
		if (cJSON_IsNull(it) ||
		    (cJSON_IsString(it) &&
		        strcmp(it->valuestring, "None") == 0))
			continue;
		if ((c = cJSON_Duplicate(it, 1)) == NULL ||
		    !cJSON_AddItemToObject(kw, it->string, c)) {
			cJSON_Delete(c);
			return CMFA_ERR_NOMEM;
		}
	}
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* the pages                                                              */

struct walk {
	int p;           /* pagers[] */
	cJSON *kw;       /* the next request */
	cJSON *merged;   /* the full result */
	char *cur;       /* the token that fetched this page (NULL: None) */
	char *prev;      /* the previous next-token */
	long long total; /* items so far */
	char *next;      /* NextToken, when the walk stops early */
};

/* Python's len(list[:k]). */
static long long
slice_len(long long n, long long k)
{
	if (k < 0)
		k = n + k < 0 ? 0 : n + k;
	return k < n ? k : n;
}

/* Python's list[i:] in place: drop the first i items. */
static void
drop_front(cJSON *list, long long i)
{
	long long n = cJSON_GetArraySize(list);

	if (i < 0)
		i = n + i < 0 ? 0 : n + i;
	while (i-- > 0 && list->child != NULL)
		cJSON_Delete(cJSON_DetachItemViaPointer(list, list->child));
}

/* build_full_result: the page's list appended (moved) to the merged one;
 * only the first `keep` items when keep >= 0. */
static enum cmfa_err
merge(struct walk *w, cJSON *page, long long keep)
{
	const char *key = pagers[w->p].result;
	cJSON *list = cJSON_GetObjectItemCaseSensitive(page, key);
	cJSON *have = cJSON_GetObjectItemCaseSensitive(w->merged, key);
	cJSON *it;

	if (list == NULL || cJSON_IsNull(list))
		return CMFA_OK;
	if (keep >= 0 && cJSON_IsArray(list))
		while (cJSON_GetArraySize(list) > keep)
			cJSON_Delete(cJSON_DetachItemViaPointer(list,
			    cJSON_GetArrayItem(list,
			        cJSON_GetArraySize(list) - 1)));
	if (have == NULL) {
		cJSON_DetachItemViaPointer(page, list);
		if (!cJSON_AddItemToObject(w->merged, key, list)) {
			cJSON_Delete(list);
			return CMFA_ERR_NOMEM;
		}
		return CMFA_OK;
	}
	if (!cJSON_IsArray(have) || !cJSON_IsArray(list))
		return CMFA_OK;
	while ((it = list->child) != NULL) {
		cJSON_DetachItemViaPointer(list, it);
		if (!cJSON_AddItemToArray(have, it)) {
			cJSON_Delete(it);
			return CMFA_ERR_NOMEM;
		}
	}
	return CMFA_OK;
}

static enum cmfa_err
set_str(char **slot, const char *s)
{
	free(*slot);
	*slot = NULL;
	if (s != NULL && (*slot = strdup(s)) == NULL)
		return CMFA_ERR_NOMEM;
	return CMFA_OK;
}

/* One page handled; *stop when the walk ends. */
static enum cmfa_err
step(struct cmfa_cli *cli, const struct cmfa_cli_paging *pg, struct walk *w,
    cJSON *page, long long start_cut, bool *stop)
{
	const char *tname = pagers[w->p].token;
	cJSON *list =
	    cJSON_GetObjectItemCaseSensitive(page, pagers[w->p].result);
	const char *nt = cmfa_cli_req_str(page, tname);
	long long n, cut, keep;
	enum cmfa_err e;

	*stop = true;
	if (start_cut != 0 && cJSON_IsArray(list))
		drop_front(list, start_cut);
	n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
	cut = pg->has_max_items ? w->total + n - pg->max_items : 0;
	if (cut > 0) {
		keep = n - cut;
		if ((e = merge(w, page, slice_len(n, keep))) != CMFA_OK)
			return e;
		return encode_token(tname, w->cur, true, keep + start_cut,
		    &w->next);
	}
	if ((e = merge(w, page, -1)) != CMFA_OK)
		return e;
	w->total += n;
	if (nt == NULL || nt[0] == '\0')
		return CMFA_OK;
	if (pg->has_max_items && w->total == pg->max_items)
		return encode_token(tname, nt, false, 0, &w->next);
	if (w->prev != NULL && strcmp(w->prev, nt) == 0) {
		struct cmfa_buf r;

		cmfa_buf_init(&r, TOKEN_MAX);
		(void)cmfa_cli_pyrepr_str(nt, strlen(nt), &r);
		e = cmfa_cli_fail(cli, CMFA_ERR_PARSE, CMFA_FAIL_PYTHON,
		    "The same next token was received twice: {'%s': %s}", tname,
		    cmfa_buf_str(&r));
		cmfa_buf_free(&r);
		return e;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(w->kw, tname);
	if (cJSON_AddStringToObject(w->kw, tname, nt) == NULL ||
	    set_str(&w->prev, nt) != CMFA_OK || set_str(&w->cur, nt) != CMFA_OK)
		return CMFA_ERR_NOMEM;
	*stop = false;
	return CMFA_OK;
}

static enum cmfa_err
start(struct cmfa_cli *cli, const struct cmfa_cli_paging *pg, struct walk *w,
    long long *start_cut)
{
	const char *tname = pagers[w->p].token;
	cJSON *tok = NULL, *lim;
	enum cmfa_err e = CMFA_OK;

	*start_cut = 0;
	if (pg->starting_token != NULL) {
		if ((e = parse_starting(cli, tname, pg->starting_token, &tok,
		         start_cut)) != CMFA_OK)
			return e;
		e = inject(w->kw, tok);
		if (e == CMFA_OK)
			e = set_str(&w->cur, cmfa_cli_req_str(tok, tname));
		cJSON_Delete(tok);
		if (e != CMFA_OK)
			return e;
	}
	if (pg->has_page_size) {
		cJSON_DeleteItemFromObjectCaseSensitive(w->kw,
		    pagers[w->p].limit);
		if ((lim = cmfa_cli_new_int(pg->page_size)) == NULL ||
		    !cJSON_AddItemToObject(w->kw, pagers[w->p].limit, lim)) {
			cJSON_Delete(lim);
			return CMFA_ERR_NOMEM;
		}
	}
	return CMFA_OK;
}

static long long
clamp(long long v)
{
	return v > NUM_MAX ? NUM_MAX : v < -NUM_MAX ? -NUM_MAX : v;
}

enum cmfa_err
cmfa_cli_paginate(struct cmfa_cli *cli, const struct cmfa_cli_paging *pg,
    const cJSON *req,
    enum cmfa_err (*page)(struct cmfa_cli *, const cJSON *, cJSON **),
    cJSON **resp, char **next)
{
	struct cmfa_cli_paging lim = *pg;
	struct walk w;
	cJSON *p = NULL;
	long long cut;
	unsigned long pages = 0;
	bool stop = false;
	enum cmfa_err e;

	*resp = NULL;
	*next = NULL;
	memset(&w, 0, sizeof(w));
	/* what argparse can give (py_int's range): no overflow below */
	lim.max_items = clamp(lim.max_items);
	lim.page_size = clamp(lim.page_size);
	pg = &lim;
	if ((w.p = pager_of(cli->op)) < 0)
		return CMFA_ERR_INVAL;
	if ((w.kw = req != NULL ? cJSON_Duplicate(req, 1)
	                        : cJSON_CreateObject()) == NULL ||
	    (w.merged = cJSON_CreateObject()) == NULL) {
		e = CMFA_ERR_NOMEM;
		goto out;
	}
	if ((e = start(cli, pg, &w, &cut)) != CMFA_OK)
		goto out;
	while (!stop) {
		if ((e = cmfa_cli_validate_req(cli, w.kw)) != CMFA_OK ||
		    (e = page(cli, w.kw, &p)) != CMFA_OK)
			goto out;
		if (p == NULL && (p = cJSON_CreateObject()) == NULL) {
			e = CMFA_ERR_NOMEM;
			goto out;
		}
		pages++;
		e = step(cli, pg, &w, p, cut, &stop);
		cJSON_Delete(p);
		p = NULL;
		cut = 0;
		if (e != CMFA_OK)
			goto out;
	}
	cmfa_cli_debug(cli, "%lu page(s), %d item(s)%s", pages,
	    cJSON_GetArraySize(
	        cJSON_GetObjectItemCaseSensitive(w.merged, pagers[w.p].result)),
	    w.next != NULL ? ", cut by --max-items" : "");
	*resp = w.merged;
	w.merged = NULL;
	*next = w.next;
	w.next = NULL;
out:
	cJSON_Delete(p);
	cJSON_Delete(w.kw);
	cJSON_Delete(w.merged);
	free(w.cur);
	free(w.prev);
	free(w.next);
	return e;
}
