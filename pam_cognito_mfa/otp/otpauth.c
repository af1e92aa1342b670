/*
 * otpauth.c: the otpauth:// URI an authenticator app scans at enrolment
 * (Google Authenticator "Key Uri Format"), with the parameters Cognito
 * requires: SHA1, 6 digits, 30 s.
 */
#include <string.h>

#include "cmfa_otp.h"

static void
buf_rollback(struct cmfa_buf *b, size_t start)
{
	if (b->p == NULL || b->len <= start)
		return;
	cmfa_memzero(b->p + start, b->len - start);
	b->len = start;
	b->p[start] = '\0';
}

static int
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* RFC 3986 percent-encoding: everything but unreserved, as %XX. */
static enum cmfa_err
append_pct(struct cmfa_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	char esc[3];
	size_t i, run = 0;
	enum cmfa_err err;

	for (i = 0; i < len; i++) {
		if (is_unreserved(p[i]))
			continue;
		if ((err = cmfa_buf_append(b, s + run, i - run)) != CMFA_OK)
			return err;
		esc[0] = '%';
		esc[1] = hex[p[i] >> 4];
		esc[2] = hex[p[i] & 0x0f];
		if ((err = cmfa_buf_append(b, esc, sizeof(esc))) != CMFA_OK)
			return err;
		run = i + 1;
	}
	return cmfa_buf_append(b, s + run, len - run);
}

enum cmfa_err
cmfa_otpauth_uri(const char *issuer, const char *account, const uint8_t *key,
    size_t keylen, struct cmfa_buf *out)
{
	char b32[CMFA_TOTP_KEY_B32_MAX];
	size_t start = 0, ilen, alen;
	enum cmfa_err err;

	if (out == NULL || account == NULL || key == NULL || keylen == 0 ||
	    keylen > CMFA_TOTP_KEY_MAX)
		return CMFA_ERR_INVAL;
	ilen = issuer != NULL ? strlen(issuer) : 0;
	if ((alen = strlen(account)) == 0)
		return CMFA_ERR_INVAL;
	if (!cmfa_utf8_printable(account, alen, false) ||
	    !cmfa_utf8_printable(issuer != NULL ? issuer : "", ilen, false))
		return CMFA_ERR_PARSE;
	start = out->len;
	if ((err = cmfa_base32_encode(key, keylen, b32, sizeof(b32))) !=
	    CMFA_OK)
		goto out;
	if ((err = cmfa_buf_append_str(out, "otpauth://totp/")) != CMFA_OK)
		goto out;
	if (ilen > 0 &&
	    ((err = append_pct(out, issuer, ilen)) != CMFA_OK ||
	        (err = cmfa_buf_append_str(out, ":")) != CMFA_OK))
		goto out;
	if ((err = append_pct(out, account, alen)) != CMFA_OK ||
	    (err = cmfa_buf_append_str(out, "?secret=")) != CMFA_OK ||
	    (err = cmfa_buf_append_str(out, b32)) != CMFA_OK)
		goto out;
	if (ilen > 0 &&
	    ((err = cmfa_buf_append_str(out, "&issuer=")) != CMFA_OK ||
	        (err = append_pct(out, issuer, ilen)) != CMFA_OK))
		goto out;
	err = cmfa_buf_append_str(out, "&algorithm=SHA1&digits=6&period=30");
out:
	if (err != CMFA_OK)
		buf_rollback(out, start);
	cmfa_memzero(b32, sizeof(b32));
	return err;
}
