/*
 * totp.c: HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA1, and TOTP
 * verification with a step window and replay protection.
 *
 * HMAC goes through EVP_MAC (OpenSSL 3): the MAC is fetched once per
 * call and keyed for each counter, so a verification with window w costs
 * one fetch and 2w+1 HMACs.  No library-global state is touched.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "cmfa_otp.h"

#define SHA1_LEN 20

struct hmac {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
};

static enum cmfa_err
hmac_open(struct hmac *h)
{
	h->ctx = NULL;
	if ((h->mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return CMFA_ERR_CRYPTO;
	if ((h->ctx = EVP_MAC_CTX_new(h->mac)) == NULL) {
		EVP_MAC_free(h->mac);
		h->mac = NULL;
		return CMFA_ERR_CRYPTO;
	}
	return CMFA_OK;
}

/* Frees the context; OpenSSL wipes the key copy it holds. */
static void
hmac_close(struct hmac *h)
{
	EVP_MAC_CTX_free(h->ctx);
	EVP_MAC_free(h->mac);
	h->ctx = NULL;
	h->mac = NULL;
}

/*
 * HOTP value modulo mod (10^digits) for one counter: HMAC-SHA1 of the
 * big-endian counter, then RFC 4226 5.3 dynamic truncation.
 */
static enum cmfa_err
hotp_value(struct hmac *h, const uint8_t *key, size_t keylen, uint64_t counter,
    uint32_t mod, uint32_t *value)
{
	char digest[] = "SHA1";
	OSSL_PARAM params[2];
	uint8_t msg[8], md[EVP_MAX_MD_SIZE];
	size_t mdlen = 0, i;
	unsigned off;
	uint32_t bin;
	enum cmfa_err err = CMFA_ERR_CRYPTO;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(counter >> (56 - 8 * i));
	params[0] =
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(h->ctx, key, keylen, params) != 1 ||
	    EVP_MAC_update(h->ctx, msg, sizeof(msg)) != 1 ||
	    EVP_MAC_final(h->ctx, md, &mdlen, sizeof(md)) != 1 ||
	    mdlen != SHA1_LEN)
		goto out;
	off = md[SHA1_LEN - 1] & 0x0fu;
	bin = ((uint32_t)(md[off] & 0x7fu) << 24) |
	    ((uint32_t)md[off + 1] << 16) | ((uint32_t)md[off + 2] << 8) |
	    (uint32_t)md[off + 3];
	*value = bin % mod;
	bin = 0;
	err = CMFA_OK;
out:
	OPENSSL_cleanse(md, sizeof(md));
	OPENSSL_cleanse(msg, sizeof(msg));
	return err;
}

static bool
key_ok(const uint8_t *key, size_t keylen)
{
	return key != NULL && keylen > 0 && keylen <= CMFA_TOTP_KEY_MAX;
}

enum cmfa_err
cmfa_hotp(const uint8_t *key, size_t keylen, uint64_t counter, unsigned digits,
    uint32_t *code)
{
	static const uint32_t pow10[] = { 1000000u, 10000000u, 100000000u };
	struct hmac h = { NULL, NULL };
	uint32_t v = 0;
	enum cmfa_err err;

	if (!key_ok(key, keylen) || code == NULL ||
	    digits < CMFA_HOTP_DIGITS_MIN || digits > CMFA_HOTP_DIGITS_MAX)
		return CMFA_ERR_INVAL;
	if ((err = hmac_open(&h)) != CMFA_OK)
		goto out;
	if ((err = hotp_value(&h, key, keylen, counter,
	         pow10[digits - CMFA_HOTP_DIGITS_MIN], &v)) != CMFA_OK)
		goto out;
	*code = v;
out:
	hmac_close(&h);
	v = 0;
	return err;
}

uint64_t
cmfa_totp_step(int64_t now)
{
	if (now < 0)
		return 0;
	return (uint64_t)now / CMFA_TOTP_PERIOD;
}

/* Six zero-padded decimal digits (v < 10^6), without a branch on v. */
static void
fmt6(uint32_t v, char out[CMFA_OTP_DIGITS])
{
	int i;

	for (i = CMFA_OTP_DIGITS - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* 1 when CRYPTO_memcmp() said equal (0), else 0; no branch. */
static uint32_t
ct_is_zero(int r)
{
	uint32_t x = (uint32_t)r;

	return 1u ^ ((x | (0u - x)) >> 31);
}

enum cmfa_err
cmfa_totp_verify(const uint8_t *key, size_t keylen, const char *code,
    size_t codelen, int64_t now, unsigned window, uint64_t last_step,
    uint64_t *matched_step)
{
	struct hmac h = { NULL, NULL };
	char cand[CMFA_OTP_DIGITS];
	uint32_t v = 0, eq, fresh, any_fresh = 0, any_used = 0;
	uint64_t s, lo, hi, step, best = 0, mask;
	enum cmfa_err err;

	if (!key_ok(key, keylen) || code == NULL || matched_step == NULL ||
	    window > CMFA_TOTP_WINDOW_MAX)
		return CMFA_ERR_INVAL;
	/* Format first, before any crypto: length is public, the
	 * digit check accumulates over all six bytes. */
	if (!cmfa_code_format_ok(code, codelen))
		return CMFA_ERR_MISMATCH;

	s = cmfa_totp_step(now);
	lo = s >= window ? s - window : 0;
	hi = s + window; /* s <= INT64_MAX / 30: no overflow */
	if ((err = hmac_open(&h)) != CMFA_OK)
		goto out;
	for (step = lo; step <= hi; step++) {
		if ((err = hotp_value(&h, key, keylen, step, 1000000u, &v)) !=
		    CMFA_OK)
			goto out;
		fmt6(v, cand);
		eq = ct_is_zero(CRYPTO_memcmp(cand, code, CMFA_OTP_DIGITS));
		/* step and last_step are public: this is not secret data */
		fresh = (last_step == 0 || step > last_step) ? 1u : 0u;
		any_fresh |= eq & fresh;
		any_used |= eq & (fresh ^ 1u);
		/* steps ascend: the last fresh match is the highest */
		mask = 0 - (uint64_t)(eq & fresh);
		best = (best & ~mask) | (step & mask);
	}
	if (any_fresh) {
		*matched_step = best;
		err = CMFA_OK;
	} else if (any_used)
		err = CMFA_ERR_REPLAY;
	else
		err = CMFA_ERR_MISMATCH;
out:
	hmac_close(&h);
	OPENSSL_cleanse(cand, sizeof(cand));
	OPENSSL_cleanse(&v, sizeof(v));
	return err;
}
