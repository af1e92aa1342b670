/*
 * shlex.c: Python's shlex.split() in POSIX mode without comments, which
 * botocore uses twice: to split a credential_process command line (it
 * runs the program without a shell) and to read "[profile NAME]" section
 * headers of the config file.
 *
 * The rules (CPython's shlex.read_token): blanks are ' ', TAB, CR and LF;
 * a backslash outside quotes takes the next character literally; inside
 * '...' nothing is special; inside "..." a backslash escapes only '"' and
 * '\' (before any other character both are kept); quoted and unquoted
 * parts next to each other make one word; "" is an empty word.
 */
#include <stdbool.h>
#include <string.h>

#include "creds_int.h"

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct sx {
	char *buf;
	size_t bufsz, used;
	char **argv;
	size_t maxargs, argc;
	bool in_word;
};

static enum cmfa_err
sx_put(struct sx *x, char c)
{
	if (!x->in_word) {
		if (x->argc == x->maxargs)
			return CMFA_ERR_TOOBIG;
		x->argv[x->argc++] = x->buf + x->used;
		x->in_word = true;
	}
	if (x->used + 2 > x->bufsz) /* this byte and the final NUL */
		return CMFA_ERR_TOOBIG;
	if (c != '\0')
		x->buf[x->used++] = c;
	return CMFA_OK;
}

static enum cmfa_err
sx_end(struct sx *x)
{
	if (x->in_word) {
		x->buf[x->used++] = '\0';
		x->in_word = false;
	}
	return CMFA_OK;
}

enum cmfa_err
cmfa_shlex_split(const char *s, size_t len, char *buf, size_t bufsz,
    char **argv, size_t maxargs, size_t *argc)
{
	struct sx x = { buf, bufsz, 0, argv, maxargs, 0, false };
	enum cmfa_err e = CMFA_OK;
	char quote = 0; /* the open quote, 0 outside quotes */
	size_t i;

	if (bufsz == 0)
		return CMFA_ERR_TOOBIG;
	for (i = 0; i < len && e == CMFA_OK; i++) {
		char c = s[i];

		if (c == '\0')
			return CMFA_ERR_PARSE; /* the sentinel of sx_put() */
		if (quote == '\'') {
			e = c == '\'' ? CMFA_OK : sx_put(&x, c);
			if (c == '\'')
				quote = 0;
		} else if (quote == '"') {
			if (c == '"') {
				quote = 0;
			} else if (c == '\\') {
				if (++i == len)
					return CMFA_ERR_PARSE;
				if (s[i] != '"' && s[i] != '\\')
					e = sx_put(&x, '\\');
				if (e == CMFA_OK)
					e = sx_put(&x, s[i]);
			} else {
				e = sx_put(&x, c);
			}
		} else if (is_blank(c)) {
			e = sx_end(&x);
		} else if (c == '\\') {
			if (++i == len)
				return CMFA_ERR_PARSE;
			e = sx_put(&x, s[i]);
		} else if (c == '\'' || c == '"') {
			quote = c;
			e = sx_put(&x, '\0'); /* "" is a word of its own */
		} else {
			e = sx_put(&x, c);
		}
	}
	if (e != CMFA_OK)
		return e;
	if (quote != 0)
		return CMFA_ERR_PARSE;
	(void)sx_end(&x);
	*argc = x.argc;
	return CMFA_OK;
}
