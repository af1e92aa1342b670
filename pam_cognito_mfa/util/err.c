/* err.c: descriptions of enum cmfa_err and secret-handling primitives. */
#include <string.h>

#include "cmfa_util.h"

static const char *const descriptions[CMFA_ERR__MAX] = {
	[CMFA_OK] = "success",
	[CMFA_ERR_NOMEM] = "out of memory or buffer limit reached",
	[CMFA_ERR_INVAL] = "invalid argument",
	[CMFA_ERR_TOOBIG] = "input too large",
	[CMFA_ERR_PARSE] = "malformed input",
	[CMFA_ERR_VALIDATION] = "input refused by validation",
	[CMFA_ERR_NOTFOUND] = "not found",
	[CMFA_ERR_UNTRUSTED] = "untrusted file (owner, mode, type or link)",
	[CMFA_ERR_IO] = "input/output error",
	[CMFA_ERR_VERSION] = "unsupported store format version",
	[CMFA_ERR_LOCKED] = "locked out after failed attempts",
	[CMFA_ERR_MISMATCH] = "code mismatch",
	[CMFA_ERR_REPLAY] = "code already used",
	[CMFA_ERR_CRYPTO] = "cryptographic operation failed",
	[CMFA_ERR_EXISTS] = "already exists",
};

const char *
cmfa_strerror(enum cmfa_err err)
{
	if ((unsigned)err >= CMFA_ERR__MAX || descriptions[err] == NULL)
		return "unknown error";
	return descriptions[err];
}

void
cmfa_memzero(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

int
cmfa_ct_eq(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= (unsigned char)(x[i] ^ y[i]);
	/* 1 when acc == 0, without a data-dependent branch */
	return (int)(1 & ((unsigned)(acc - 1) >> 8));
}
