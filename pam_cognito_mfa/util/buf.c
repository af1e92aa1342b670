/* buf.c: growable buffers with a mandatory maximum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_util.h"

void
cmfa_buf_init(struct cmfa_buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

/*
 * Grow to hold need bytes plus the trailing NUL.  Growth never uses
 * realloc: the old block is copied and wiped, so no secret is left behind
 * in freed memory.
 */
static enum cmfa_err
buf_reserve(struct cmfa_buf *b, size_t need)
{
	size_t ncap;
	uint8_t *np;

	if (need > b->max)
		return CMFA_ERR_NOMEM;
	if (need + 1 <= b->cap)
		return CMFA_OK;
	ncap = b->cap < 64 ? 64 : b->cap;
	while (ncap < need + 1)
		ncap = ncap > SIZE_MAX / 2 ? need + 1 : ncap * 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	if ((np = malloc(ncap)) == NULL)
		return CMFA_ERR_NOMEM;
	if (b->p != NULL) {
		memcpy(np, b->p, b->len);
		cmfa_memzero(b->p, b->cap);
		free(b->p);
	}
	b->p = np;
	b->cap = ncap;
	b->p[b->len] = '\0';
	return CMFA_OK;
}

enum cmfa_err
cmfa_buf_append(struct cmfa_buf *b, const void *p, size_t n)
{
	enum cmfa_err err;

	if (n > b->max || b->len > b->max - n)
		return CMFA_ERR_NOMEM;
	if ((err = buf_reserve(b, b->len + n)) != CMFA_OK)
		return err;
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return CMFA_OK;
}

enum cmfa_err
cmfa_buf_append_str(struct cmfa_buf *b, const char *s)
{
	return cmfa_buf_append(b, s, strlen(s));
}

enum cmfa_err
cmfa_buf_appendf(struct cmfa_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;
	enum cmfa_err err;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return CMFA_ERR_INVAL;
	if ((size_t)n < sizeof(small)) {
		err = cmfa_buf_append(b, small, (size_t)n);
		cmfa_memzero(small, sizeof(small));
		return err;
	}
	if (b->len > b->max || (size_t)n > b->max - b->len)
		return CMFA_ERR_NOMEM;
	if ((err = buf_reserve(b, b->len + (size_t)n)) != CMFA_OK)
		return err;
	va_start(ap, fmt);
	(void)vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return CMFA_OK;
}

void
cmfa_buf_reset(struct cmfa_buf *b)
{
	if (b->p != NULL) {
		cmfa_memzero(b->p, b->cap);
		b->p[0] = '\0';
	}
	b->len = 0;
}

void
cmfa_buf_free(struct cmfa_buf *b)
{
	if (b == NULL)
		return;
	if (b->p != NULL) {
		cmfa_memzero(b->p, b->cap);
		free(b->p);
	}
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

const char *
cmfa_buf_str(const struct cmfa_buf *b)
{
	return b->p != NULL ? (const char *)b->p : "";
}
