/*
 * base32.c: RFC 4648 base32 for TOTP secrets.
 *
 * The values of data characters are computed arithmetically (no table
 * indexed by the secret, no branch on which letter or digit it is), so
 * decoding a stored secret does not leak it through the cache or the
 * branch predictor.  Branches depend only on a character's class
 * (data / separator / padding / invalid), which is not secret for valid
 * input.  See cmfa_otp.h for what is accepted and why non-zero trailing
 * bits are refused.
 */
#include <string.h>

#include "cmfa_otp.h"

/* 1 when lo <= x <= hi (all in 0..255), else 0; no branch. */
static uint32_t
in_range(uint32_t x, int lo, int hi)
{
	int v = (int)x;

	return (((uint32_t)(v - lo) | (uint32_t)(hi - v)) >> 31) ^ 1u;
}

/* Value (0..31) of a base32 character, *ok 1 if c is one (any case). */
static uint32_t
b32_value(unsigned char c, uint32_t *ok)
{
	/* a-z -> A-Z; no other byte lands in A-Z */
	uint32_t x = c, up = x & 0xdfu;
	uint32_t is_l = in_range(up, 'A', 'Z');
	uint32_t is_d = in_range(x, '2', '7');

	*ok = is_l | is_d;
	return ((up - 'A') & (0u - is_l)) | ((x - '2' + 26u) & (0u - is_d));
}

/* Character for a 5-bit value; no branch. */
static char
b32_char(uint32_t v)
{
	uint32_t is_l = (v - 26u) >> 31; /* v < 26 */
	uint32_t l = 'A' + v, d = '2' + v - 26u;

	return (char)((l & (0u - is_l)) | (d & (is_l - 1u)));
}

static int
is_separator(unsigned char c)
{
	return c == ' ' || c == '-';
}

enum cmfa_err
cmfa_base32_decode(const char *in, size_t inlen, uint8_t *out, size_t outmax,
    size_t *outlen)
{
	/* by data characters in the last group: pad, bytes, unused bits */
	static const signed char pad_for[8] = { 0, -1, 6, -1, 4, 3, -1, 1 };
	static const uint8_t bytes_for[8] = { 0, 0, 1, 0, 2, 3, 0, 4 };
	static const uint8_t unused_bits[8] = { 0, 0, 2, 0, 4, 1, 0, 3 };
	const unsigned char *p = (const unsigned char *)in;
	size_t i, ndata = 0, npad = 0, n, o = 0;
	uint32_t val = 0, last = 0, ok, acc = 0, nbits = 0;
	unsigned r;
	enum cmfa_err err = CMFA_ERR_PARSE;

	if ((in == NULL && inlen > 0) || outlen == NULL ||
	    (out == NULL && outmax > 0))
		return CMFA_ERR_INVAL;

	/* Pass 1: validate everything and size the result. */
	for (i = 0; i < inlen; i++) {
		if (is_separator(p[i]))
			continue;
		if (p[i] == '=') {
			npad++;
			continue;
		}
		val = b32_value(p[i], &ok);
		if (!ok || npad > 0)
			goto out; /* invalid byte, or data after '=' */
		last = val;
		ndata++;
	}
	r = (unsigned)(ndata % 8);
	if (pad_for[r] < 0 || (npad != 0 && npad != (size_t)pad_for[r]))
		goto out;
	if ((last & ((1u << unused_bits[r]) - 1u)) != 0)
		goto out; /* non-canonical: trailing bits set */
	n = ndata / 8 * 5 + bytes_for[r];
	if (n > outmax) {
		err = CMFA_ERR_TOOBIG;
		goto out;
	}

	/* Pass 2: decode; cannot fail. */
	for (i = 0; i < inlen && o < n; i++) {
		if (is_separator(p[i]) || p[i] == '=')
			continue;
		val = b32_value(p[i], &ok);
		acc = ((acc << 5) | val) & 0x1fffu;
		nbits += 5;
		if (nbits >= 8) {
			nbits -= 8;
			out[o++] = (uint8_t)(acc >> nbits);
		}
	}
	*outlen = n;
	err = CMFA_OK;
out:
	cmfa_memzero(&val, sizeof(val));
	cmfa_memzero(&last, sizeof(last));
	cmfa_memzero(&acc, sizeof(acc));
	return err;
}

enum cmfa_err
cmfa_base32_encode(const uint8_t *in, size_t inlen, char *out, size_t outsz)
{
	size_t i, o = 0;
	uint32_t acc = 0, nbits = 0;

	if ((in == NULL && inlen > 0) || out == NULL)
		return CMFA_ERR_INVAL;
	if (inlen > (SIZE_MAX - 8) / 8 || CMFA_BASE32_ENC_LEN(inlen) >= outsz)
		return CMFA_ERR_TOOBIG;
	for (i = 0; i < inlen; i++) {
		acc = ((acc << 8) | in[i]) & 0xfffu;
		nbits += 8;
		while (nbits >= 5) {
			nbits -= 5;
			out[o++] = b32_char((acc >> nbits) & 0x1fu);
		}
	}
	if (nbits > 0)
		out[o++] = b32_char((acc << (5 - nbits)) & 0x1fu);
	out[o] = '\0';
	cmfa_memzero(&acc, sizeof(acc));
	return CMFA_OK;
}
