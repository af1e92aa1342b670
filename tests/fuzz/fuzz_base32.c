/*
 * fuzz_base32.c: cmfa_base32_decode / cmfa_base32_encode.
 *
 * Properties checked on every input (abort() on violation):
 *  - decode accepts exactly what a naive reference validator accepts
 *    (alphabet in any case, ' ' and '-' ignored, no or exact '=' padding,
 *    possible lengths only, zero trailing bits), and fails with
 *    CMFA_ERR_PARSE otherwise;
 *  - what decodes re-encodes to the input normalised (uppercase, no
 *    separators, no padding), and one byte less room gives TOOBIG;
 *  - the input taken as raw bytes round-trips through encode + decode,
 *    and encode refuses an output buffer one byte short.
 * Buffers are exact-size heap blocks, so ASan sees any overrun.
 */
#include <stdlib.h>
#include <string.h>

#include "cmfa_otp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
ref_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/* Naive validator; *norm gets the normalised data characters. */
static int
ref_valid(const uint8_t *in, size_t len, char *norm, size_t *nlen)
{
	size_t i, nd = 0, np = 0;
	int v = 0, r;

	for (i = 0; i < len; i++) {
		if (in[i] == ' ' || in[i] == '-')
			continue;
		if (in[i] == '=') {
			np++;
			continue;
		}
		if (np > 0 || (v = ref_value(in[i])) < 0)
			return 0;
		norm[nd++] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[v];
	}
	*nlen = nd;
	r = (int)(nd % 8);
	if (r == 1 || r == 3 || r == 6)
		return 0;
	if (np != 0 && (r == 0 || (nd + np) % 8 != 0 || np >= 8))
		return 0;
	if (nd > 0) {
		v = ref_value((unsigned char)norm[nd - 1]);
		if ((r == 2 && (v & 3)) || (r == 4 && (v & 15)) ||
		    (r == 5 && (v & 1)) || (r == 7 && (v & 7)))
			return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t max = size / 8 * 5 + 4, n = 0, n2 = 0, nlen = 0;
	uint8_t *dec = malloc(max + 1), *dec2 = NULL;
	char *norm = malloc(size + 1), *enc = NULL;
	enum cmfa_err err;
	int valid;

	if (dec == NULL || norm == NULL)
		abort();
	valid = ref_valid(data, size, norm, &nlen);
	err = cmfa_base32_decode((const char *)data, size, dec, max, &n);
	if (valid != (err == CMFA_OK) || (!valid && err != CMFA_ERR_PARSE))
		abort();
	if (err == CMFA_OK) {
		/* canonical: re-encodes to the normalised input */
		if ((enc = malloc(CMFA_BASE32_ENC_LEN(n) + 1)) == NULL)
			abort();
		if (cmfa_base32_encode(dec, n, enc,
		        CMFA_BASE32_ENC_LEN(n) + 1) != CMFA_OK ||
		    strlen(enc) != nlen || memcmp(enc, norm, nlen) != 0)
			abort();
		free(enc);
		enc = NULL;
		/* exact room works, one byte less does not */
		if ((dec2 = malloc(n > 0 ? n : 1)) == NULL)
			abort();
		if (cmfa_base32_decode((const char *)data, size, dec2, n,
		        &n2) != CMFA_OK ||
		    n2 != n || memcmp(dec, dec2, n) != 0)
			abort();
		if (n > 0 &&
		    cmfa_base32_decode((const char *)data, size, dec2, n - 1,
		        &n2) != CMFA_ERR_TOOBIG)
			abort();
		free(dec2);
		dec2 = NULL;
	}

	/* the input as raw bytes: encode, decode back */
	if (size <= 4096) {
		size_t elen = CMFA_BASE32_ENC_LEN(size);

		if ((enc = malloc(elen + 1)) == NULL ||
		    (dec2 = malloc(size > 0 ? size : 1)) == NULL)
			abort();
		if (cmfa_base32_encode(data, size, enc, elen) !=
		        CMFA_ERR_TOOBIG ||
		    cmfa_base32_encode(data, size, enc, elen + 1) != CMFA_OK ||
		    strlen(enc) != elen ||
		    cmfa_base32_decode(enc, elen, dec2, size, &n2) != CMFA_OK ||
		    n2 != size || (size > 0 && memcmp(dec2, data, size) != 0))
			abort();
	}
	free(enc);
	free(dec2);
	free(dec);
	free(norm);
	return 0;
}
