/*
 * mask.c: destinations masked the way Cognito shows them in
 * CodeDeliveryDetails (reference/COGNITO.md 3.8, observed behaviour):
 * "+*******0100" and "a***@e***.com".  The rules are in cmfa_otp.h.
 */
#include <string.h>

#include "cmfa_otp.h"

#define E164_DIGITS_MIN 4
#define E164_DIGITS_MAX 15
#define PHONE_KEEP 4

enum cmfa_err
cmfa_mask_phone(const char *phone, size_t len, char *out, size_t outsz)
{
	size_t i;

	if (phone == NULL || out == NULL)
		return CMFA_ERR_INVAL;
	if (len < 1 + E164_DIGITS_MIN || len > 1 + E164_DIGITS_MAX ||
	    phone[0] != '+')
		return CMFA_ERR_PARSE;
	for (i = 1; i < len; i++)
		if (phone[i] < '0' || phone[i] > '9')
			return CMFA_ERR_PARSE;
	if (outsz < len + 1)
		return CMFA_ERR_TOOBIG;
	out[0] = '+';
	for (i = 1; i < len - PHONE_KEEP; i++)
		out[i] = '*';
	memcpy(out + len - PHONE_KEEP, phone + len - PHONE_KEEP, PHONE_KEEP);
	out[len] = '\0';
	return CMFA_OK;
}

/* Length of the UTF-8 character led by b (the input is known valid). */
static size_t
u8_len(unsigned char b)
{
	if (b < 0x80)
		return 1;
	if (b < 0xe0)
		return 2;
	if (b < 0xf0)
		return 3;
	return 4;
}

enum cmfa_err
cmfa_mask_email(const char *email, size_t len, char *out, size_t outsz)
{
	const char *at, *dom, *dot;
	size_t llen, dlen, c1, c2, slen = 0, need, o = 0;

	if (email == NULL || out == NULL)
		return CMFA_ERR_INVAL;
	if (len == 0 || !cmfa_utf8_printable(email, len, false) ||
	    (at = memchr(email, '@', len)) == NULL)
		return CMFA_ERR_PARSE;
	llen = (size_t)(at - email);
	dom = at + 1;
	dlen = len - llen - 1;
	if (llen == 0 || dlen == 0 || memchr(dom, '@', dlen) != NULL)
		return CMFA_ERR_PARSE;
	/* '@' and '.' are ASCII: never inside a multi-byte character */
	c1 = u8_len((unsigned char)email[0]);
	c2 = u8_len((unsigned char)dom[0]);
	dot = memrchr(dom, '.', dlen);
	if (dot != NULL && dot != dom && dot != dom + dlen - 1)
		slen = dlen - (size_t)(dot - dom); /* ".label" */
	need = c1 + 4 + c2 + 3 + slen + 1;
	if (outsz < need)
		return CMFA_ERR_TOOBIG;
	memcpy(out + o, email, c1);
	o += c1;
	memcpy(out + o, "***@", 4);
	o += 4;
	memcpy(out + o, dom, c2);
	o += c2;
	memcpy(out + o, "***", 3);
	o += 3;
	if (slen > 0) {
		memcpy(out + o, dot, slen);
		o += slen;
	}
	out[o] = '\0';
	return CMFA_OK;
}
