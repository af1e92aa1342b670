/*
 * fuzz_shorthand.c: cmfa_shorthand_parse.
 *
 * Properties checked on every input (abort() on violation):
 *  - the result is CMFA_OK, CMFA_ERR_PARSE or CMFA_ERR_TOOBIG, and *out
 *    is set exactly on success;
 *  - on success: err is "", the tree is an object of strings, arrays and
 *    objects only, no deeper than the cap, its keys made of key
 *    characters, its strings valid UTF-8;
 *  - on failure: err is a non-empty, valid UTF-8 message of a known kind;
 *    a smaller buffer gets a prefix of it, never a split character;
 *  - parsing again gives the same result or the same message;
 *  - a success written back as canonical shorthand (every string quoted,
 *    every list explicit) parses to the same tree.
 * The input is an exact-size heap block, so ASan sees any overread.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_shorthand.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ERRSZ (3 * CMFA_SHORTHAND_MAX_LEN + 512)

static bool
key_ok(const char *k)
{
	for (; *k != '\0'; k++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"
		           "Z"
		           "0123456789-_.#/:",
		        *k) == NULL)
			return false;
	return true;
}

/* Shape of a successful result; d counts the containers above v. */
static bool
tree_ok(const cJSON *v, int d)
{
	const cJSON *c;

	if (d > CMFA_SHORTHAND_MAX_DEPTH + 1)
		return false;
	if (cJSON_IsString(v))
		return v->valuestring != NULL &&
		    cmfa_utf8_valid(v->valuestring, strlen(v->valuestring));
	if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
		return false;
	cJSON_ArrayForEach(c, v)
	{
		if (cJSON_IsObject(v) &&
		    (c->string == NULL || !key_ok(c->string)))
			return false;
		if (!tree_ok(c, d + 1))
			return false;
	}
	return true;
}

/* Canonical shorthand: "..." strings (\\ and \" escaped), [..], {..}. */
static enum cmfa_err
write_value(struct cmfa_buf *b, const cJSON *v)
{
	const cJSON *c;
	const char *s;
	enum cmfa_err err = CMFA_OK;
	bool obj = cJSON_IsObject(v);

	if (cJSON_IsString(v)) {
		err = cmfa_buf_append(b, "\"", 1);
		for (s = v->valuestring; err == CMFA_OK && *s != '\0'; s++) {
			if (*s == '\\' || *s == '"')
				err = cmfa_buf_append(b, "\\", 1);
			if (err == CMFA_OK)
				err = cmfa_buf_append(b, s, 1);
		}
		if (err == CMFA_OK)
			err = cmfa_buf_append(b, "\"", 1);
		return err;
	}
	err = cmfa_buf_append(b, obj ? "{" : "[", 1);
	cJSON_ArrayForEach(c, v)
	{
		if (err == CMFA_OK && c != v->child)
			err = cmfa_buf_append(b, ",", 1);
		if (err == CMFA_OK && obj)
			err = cmfa_buf_appendf(b, "%s=", c->string);
		if (err == CMFA_OK)
			err = write_value(b, c);
	}
	if (err == CMFA_OK)
		err = cmfa_buf_append(b, obj ? "}" : "]", 1);
	return err;
}

static enum cmfa_err
write_top(struct cmfa_buf *b, const cJSON *o)
{
	const cJSON *c;
	enum cmfa_err err = CMFA_OK;

	cJSON_ArrayForEach(c, o)
	{
		if (err == CMFA_OK && c != o->child)
			err = cmfa_buf_append(b, ",", 1);
		if (err == CMFA_OK)
			err = cmfa_buf_appendf(b, "%s=", c->string);
		if (err == CMFA_OK)
			err = write_value(b, c);
	}
	return err;
}

static bool
same_tree(const cJSON *a, const cJSON *b)
{
	char *pa = cJSON_PrintUnformatted(a), *pb = cJSON_PrintUnformatted(b);
	bool same;

	if (pa == NULL || pb == NULL)
		abort();
	same = cJSON_Compare(a, b, true) && strcmp(pa, pb) == 0;
	free(pa);
	free(pb);
	return same;
}

static bool
known_message(enum cmfa_err rc, const char *e)
{
	if (rc == CMFA_ERR_TOOBIG)
		return strncmp(e, "More than 16 nested '[' or '{' for input:\n",
		           42) == 0 ||
		    strcmp(e, "Shorthand value longer than 65536 bytes") == 0;
	return strncmp(e, "Expected: '", 11) == 0 ||
	    strncmp(e, "Second instance of key \"", 24) == 0 ||
	    strcmp(e, "Shorthand value contains a NUL byte") == 0 ||
	    strcmp(e, "Shorthand value is not valid UTF-8") == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char err[ERRSZ], err2[ERRSZ];
	const char *in = (const char *)data;
	cJSON *o = NULL, *o2 = NULL, *o3 = NULL;
	struct cmfa_buf b;
	enum cmfa_err rc, rc2;
	size_t n, small;

	rc = cmfa_shorthand_parse(size > 0 ? in : NULL, size, &o, err,
	    sizeof(err));
	rc2 = cmfa_shorthand_parse(size > 0 ? in : NULL, size, &o2, err2,
	    sizeof(err2));
	if (rc != rc2 || strcmp(err, err2) != 0)
		abort();
	if (rc == CMFA_OK) {
		if (o == NULL || o2 == NULL || err[0] != '\0' ||
		    !cJSON_IsObject(o) || !tree_ok(o, 0) || !same_tree(o, o2))
			abort();
		/* canonical form round trip */
		cmfa_buf_init(&b, CMFA_SHORTHAND_MAX_LEN);
		if (write_top(&b, o) == CMFA_OK) {
			if (cmfa_shorthand_parse((const char *)b.p, b.len, &o3,
			        err2, sizeof(err2)) != CMFA_OK ||
			    !same_tree(o, o3))
				abort();
		}
		cmfa_buf_free(&b);
	} else {
		if (rc != CMFA_ERR_PARSE && rc != CMFA_ERR_TOOBIG)
			abort();
		if (o != NULL || o2 != NULL)
			abort();
		n = strlen(err);
		if (n == 0 || !cmfa_utf8_valid(err, n) ||
		    !known_message(rc, err))
			abort();
		/* a short buffer: a prefix, cut between characters */
		small = size % 97 + 1;
		memset(err2, 'z', small);
		if (cmfa_shorthand_parse(size > 0 ? in : NULL, size, &o2, err2,
		        small) != rc ||
		    o2 != NULL)
			abort();
		n = strlen(err2);
		if (n >= small || memcmp(err2, err, n) != 0 ||
		    !cmfa_utf8_valid(err2, n) ||
		    (small - 1 - n > 3 && err[n] != 0))
			abort();
	}
	cJSON_Delete(o);
	cJSON_Delete(o2);
	cJSON_Delete(o3);
	return 0;
}
