/*
 * code.c: delivered (SMS / email) codes: uniform generation from the OS
 * CSPRNG by rejection sampling, and the constant-time check of an answer.
 *
 * getrandom(2) without GRND_NONBLOCK blocks only until the kernel pool
 * is first initialised, never afterwards; EINTR (a signal during that
 * wait) is retried.  No file descriptor is opened, so this works in a
 * chroot and cannot be starved of descriptors by the host process.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>

#include "cmfa_otp.h"

enum cmfa_err
cmfa_random_bytes(uint8_t *out, size_t len)
{
	size_t got = 0;
	ssize_t r;

	if (out == NULL && len > 0)
		return CMFA_ERR_INVAL;
	while (got < len) {
		r = getrandom(out + got, len - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			cmfa_memzero(out, len);
			return CMFA_ERR_CRYPTO;
		}
		got += (size_t)r;
	}
	return CMFA_OK;
}

static enum cmfa_err
os_rand_u32(void *ctx, uint32_t *out)
{
	uint8_t b[4];
	enum cmfa_err err;

	(void)ctx;
	if ((err = cmfa_random_bytes(b, sizeof(b))) == CMFA_OK)
		*out = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		    (uint32_t)b[2] << 8 | (uint32_t)b[3];
	cmfa_memzero(b, sizeof(b));
	return err;
}

enum cmfa_err
cmfa_code_generate_with(cmfa_rand_u32_fn rnd, void *ctx,
    char out[CMFA_OTP_DIGITS + 1])
{
	uint32_t v = 0;
	unsigned tries;
	int i;
	enum cmfa_err err = CMFA_ERR_CRYPTO;

	if (rnd == NULL || out == NULL)
		return CMFA_ERR_INVAL;
	/*
	 * 4294000000 = 4294 * 10^6 is the largest multiple of 10^6 that
	 * is <= 2^32, so v % 10^6 is uniform over the values we keep.
	 * Whether a value was rejected depends on that value only, and a
	 * rejected value is never used: the retry leaks nothing.
	 */
	for (tries = 0; tries < CMFA_CODE_MAX_REJECTS; tries++) {
		if ((err = rnd(ctx, &v)) != CMFA_OK)
			goto out;
		if (v < CMFA_CODE_REJECT_AT)
			break;
		err = CMFA_ERR_CRYPTO;
	}
	if (err != CMFA_OK)
		goto out;
	v %= 1000000u;
	for (i = CMFA_OTP_DIGITS - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
	out[CMFA_OTP_DIGITS] = '\0';
out:
	if (err != CMFA_OK)
		cmfa_memzero(out, CMFA_OTP_DIGITS + 1);
	cmfa_memzero(&v, sizeof(v));
	return err;
}

enum cmfa_err
cmfa_code_generate(char out[CMFA_OTP_DIGITS + 1])
{
	return cmfa_code_generate_with(os_rand_u32, NULL, out);
}

int
cmfa_code_format_ok(const char *p, size_t len)
{
	uint32_t bad = 0;
	size_t i;
	int d;

	if (p == NULL || len != CMFA_OTP_DIGITS)
		return 0;
	for (i = 0; i < len; i++) {
		d = (int)(unsigned char)p[i] - '0';
		/* negative when d < 0 or d > 9 */
		bad |= ((uint32_t)d | (uint32_t)(9 - d)) >> 31;
	}
	return (int)(bad ^ 1u);
}

enum cmfa_err
cmfa_code_check(const char *expected, const char *answer, size_t answerlen)
{
	if (expected == NULL ||
	    !cmfa_code_format_ok(expected,
	        strnlen(expected, CMFA_OTP_DIGITS + 1)))
		return CMFA_ERR_INVAL;
	if (!cmfa_code_format_ok(answer, answerlen))
		return CMFA_ERR_MISMATCH;
	if (CRYPTO_memcmp(expected, answer, CMFA_OTP_DIGITS) != 0)
		return CMFA_ERR_MISMATCH;
	return CMFA_OK;
}
