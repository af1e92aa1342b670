/*
 * fuzz_template.c: template rendering, destination masking and the
 * otpauth URI on fuzzed strings.
 *
 * Every input is used four ways, each with exact-size heap buffers so
 * ASan sees any overrun; abort() on a broken property:
 *  - as a template: the output has the template's length ("{####}" and
 *    the code are both 6 bytes), no "{####}" survives, every other byte
 *    is kept; one byte less room gives NOMEM and leaves the buffer as is;
 *  - as a phone number: accepted iff '+' and 4..15 digits, and then the
 *    mask is '+', stars, the last 4 digits;
 *  - as an email: when accepted, the mask starts with the first
 *    character of the input, has "***@" and is printable UTF-8, fits in
 *    exactly its own length + 1 and not in one byte less;
 *  - split at the first '\n' into issuer and account for the otpauth
 *    URI: the result is printable ASCII without spaces.
 */
#include <stdlib.h>
#include <string.h>

#include "cmfa_otp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char code[] = "042917";

static void
fuzz_template(const char *s, size_t size)
{
	struct cmfa_buf b;
	const uint8_t *o;
	size_t i;

	cmfa_buf_init(&b, size + 8);
	if (cmfa_template_render(s, size, code, &b) != CMFA_OK || b.len != size)
		abort();
	o = b.p;
	for (i = 0; i < size;) {
		if (size - i >= 6 && memcmp(s + i, CMFA_PLACEHOLDER, 6) == 0) {
			if (memcmp(o + i, code, 6) != 0)
				abort();
			i += 6;
		} else if (o[i] != (uint8_t)s[i])
			abort();
		else
			i++;
	}
	if (size >= 6 && memmem(o, size, CMFA_PLACEHOLDER, 6) != NULL)
		abort();
	cmfa_buf_free(&b);
	if (size > 0) {
		cmfa_buf_init(&b, size - 1);
		if (cmfa_template_render(s, size, code, &b) != CMFA_ERR_NOMEM ||
		    b.len != 0)
			abort();
		cmfa_buf_free(&b);
	}
}

static void
fuzz_phone(const char *s, size_t size)
{
	char *out = malloc(size + 1);
	int e164 = size >= 5 && size <= 16 && s[0] == '+';
	size_t i;
	enum cmfa_err err;

	if (out == NULL)
		abort();
	for (i = 1; e164 && i < size; i++)
		e164 = s[i] >= '0' && s[i] <= '9';
	err = cmfa_mask_phone(s, size, out, size + 1);
	if (e164 != (err == CMFA_OK) || (!e164 && err != CMFA_ERR_PARSE))
		abort();
	if (err == CMFA_OK) {
		if (strlen(out) != size || out[0] != '+' ||
		    memcmp(out + size - 4, s + size - 4, 4) != 0)
			abort();
		for (i = 1; i < size - 4; i++)
			if (out[i] != '*')
				abort();
		if (cmfa_mask_phone(s, size, out, size) != CMFA_ERR_TOOBIG)
			abort();
	}
	free(out);
}

static void
fuzz_email(const char *s, size_t size)
{
	size_t cap = size + 16, len;
	char *out = malloc(cap), *exact;
	enum cmfa_err err;

	if (out == NULL)
		abort();
	err = cmfa_mask_email(s, size, out, cap);
	if (err != CMFA_OK && err != CMFA_ERR_PARSE)
		abort();
	if (err == CMFA_OK) {
		len = strlen(out);
		if (len < 9 || out[0] != s[0] || strstr(out, "***@") == NULL ||
		    !cmfa_utf8_printable(out, len, false) || len > size + 7)
			abort();
		if ((exact = malloc(len + 1)) == NULL)
			abort();
		if (cmfa_mask_email(s, size, exact, len + 1) != CMFA_OK ||
		    strcmp(exact, out) != 0 ||
		    cmfa_mask_email(s, size, exact, len) != CMFA_ERR_TOOBIG)
			abort();
		free(exact);
	}
	free(out);
}

static void
fuzz_otpauth(const char *s, size_t size)
{
	const char *nl = memchr(s, '\n', size);
	size_t ilen = nl != NULL ? (size_t)(nl - s) : 0;
	size_t astart = nl != NULL ? ilen + 1 : 0;
	char *issuer = malloc(ilen + 1), *account = malloc(size - astart + 1);
	struct cmfa_buf b;
	size_t i;

	if (issuer == NULL || account == NULL)
		abort();
	memcpy(issuer, s, ilen);
	issuer[ilen] = '\0';
	memcpy(account, s + astart, size - astart);
	account[size - astart] = '\0';
	cmfa_buf_init(&b, 16 * size + 256);
	if (cmfa_otpauth_uri(issuer, account, (const uint8_t *)"0123456789", 10,
	        &b) == CMFA_OK) {
		if (strncmp(cmfa_buf_str(&b), "otpauth://totp/", 15) != 0)
			abort();
		for (i = 0; i < b.len; i++)
			if (b.p[i] <= ' ' || b.p[i] >= 0x7f)
				abort();
	} else if (b.len != 0)
		abort();
	cmfa_buf_free(&b);
	free(issuer);
	free(account);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	if (size > 65536)
		return 0;
	fuzz_template(s, size);
	fuzz_phone(s, size);
	fuzz_email(s, size);
	fuzz_otpauth(s, size);
	return 0;
}
