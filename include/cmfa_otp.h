/*
 * cmfa_otp.h: one-time passwords and what surrounds them (libcrypto).
 *
 *  - HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA1, the only hash
 *    Cognito accepts, and TOTP verification with a step window and replay
 *    protection (DESIGN.md D3, D7);
 *  - base32 (RFC 4648) for TOTP secrets;
 *  - delivered codes (SMS / email): uniform 6-digit codes from the OS
 *    CSPRNG, and their constant-time check (D4);
 *  - message templates ("{####}"), Cognito-style masking of destinations,
 *    and the otpauth:// URI shown at enrolment.
 *
 * Nothing here reads the clock: time is a parameter.  Nothing here keeps
 * state between calls.
 *
 * Ownership: no function returns memory the caller must free.  Results
 * are written into caller buffers (fixed arrays or a struct cmfa_buf the
 * caller owns and releases with cmfa_buf_free()).  Out-parameters and
 * appended buffer contents are set only on success: on failure a
 * struct cmfa_buf is left exactly as it was (anything appended meanwhile
 * is wiped), and fixed output buffers are not written, except that
 * cmfa_code_generate*() wipe out[] on failure.
 *
 * Secrets (TOTP keys, codes) are never logged here; intermediates are
 * wiped.  Callers wipe their own copies (cmfa_memzero()).
 */
#ifndef CMFA_OTP_H
#define CMFA_OTP_H

#include <stddef.h>
#include <stdint.h>

#include "cmfa_util.h"

#define CMFA_OTP_DIGITS 6
#define CMFA_TOTP_PERIOD 30
/* Key sizes in bytes; we generate 160 bits, like Cognito's 32 base32
 * characters. */
#define CMFA_TOTP_KEY_MAX 64
#define CMFA_TOTP_KEY_LEN 20
#define CMFA_TOTP_WINDOW_MAX 10
#define CMFA_HOTP_DIGITS_MIN 6
#define CMFA_HOTP_DIGITS_MAX 8

/* Base32 text length (no padding) of n bytes, without the NUL. */
#define CMFA_BASE32_ENC_LEN(n) (((n) / 5) * 8 + (((n) % 5) * 8 + 4) / 5)
/* Bytes needed to hold the base32 text of the largest TOTP key + NUL. */
#define CMFA_TOTP_KEY_B32_MAX (CMFA_BASE32_ENC_LEN(CMFA_TOTP_KEY_MAX) + 1)

/* ---------------------------------------------------------------------- */
/* HOTP / TOTP                                                            */

/*
 * RFC 4226 HOTP with HMAC-SHA1 and dynamic truncation: *code is the value
 * modulo 10^digits (the caller zero-pads).  keylen 1..CMFA_TOTP_KEY_MAX,
 * digits 6..8, else CMFA_ERR_INVAL; CMFA_ERR_CRYPTO if libcrypto fails.
 * Short keys are accepted for interoperability (80-bit secrets are
 * common); a minimum for secrets imported at enrolment is the caller's
 * policy (RFC 4226 asks for 128 bits; we generate CMFA_TOTP_KEY_LEN).
 */
enum cmfa_err cmfa_hotp(const uint8_t *key, size_t keylen, uint64_t counter,
    unsigned digits, uint32_t *code);

/* TOTP time step: floor(now / 30); now < 0 gives 0. */
uint64_t cmfa_totp_step(int64_t now);

/*
 * Verify a user's 6-digit TOTP code against every step in
 * [step(now) - window, step(now) + window] (the lower end clamped at 0).
 *
 *  - code must be exactly 6 ASCII digits, else CMFA_ERR_MISMATCH before
 *    any crypto; which character was wrong does not show in the timing.
 *  - window > CMFA_TOTP_WINDOW_MAX, a bad key length or a NULL pointer:
 *    CMFA_ERR_INVAL.
 *  - every candidate is computed and compared in constant time, with no
 *    early exit; steps <= last_step have been used already (last_step 0
 *    means none) and a match there alone gives CMFA_ERR_REPLAY.
 *  - a match on a fresh step gives CMFA_OK and *matched_step, the highest
 *    fresh step that matched: the caller stores it as the new last_step.
 *    (Because 0 means "none", a use of step 0, i.e. a clock in the first
 *    30 s of 1970, cannot be recorded.)
 *  - otherwise CMFA_ERR_MISMATCH (or CMFA_ERR_CRYPTO).
 */
enum cmfa_err cmfa_totp_verify(const uint8_t *key, size_t keylen,
    const char *code, size_t codelen, int64_t now, unsigned window,
    uint64_t last_step, uint64_t *matched_step);

/*
 * otpauth URI for enrolment (Google Authenticator "Key Uri Format"):
 *   otpauth://totp/<issuer>:<account>?secret=<B32>&issuer=<issuer>
 *       &algorithm=SHA1&digits=6&period=30
 * issuer and account are percent-encoded (RFC 3986: all but unreserved
 * characters), so a ':' or a space inside them becomes %3A / %20.  An
 * issuer that is NULL or "" is left out (label and parameter).  Both must
 * be printable UTF-8 (CMFA_ERR_PARSE), account non-empty (CMFA_ERR_INVAL).
 * The URI is appended to out; it holds the secret, so out is wiped by
 * cmfa_buf_free().  CMFA_ERR_NOMEM past out's maximum.
 */
enum cmfa_err cmfa_otpauth_uri(const char *issuer, const char *account,
    const uint8_t *key, size_t keylen, struct cmfa_buf *out);

/* ---------------------------------------------------------------------- */
/* Base32 (RFC 4648 section 6)                                            */

/*
 * Decode in[0..inlen).  Accepted: upper or lower case letters and 2-7;
 * spaces and '-' anywhere (authenticator apps group the secret); either
 * no padding or exactly the correct '=' padding at the end.
 * Refused with CMFA_ERR_PARSE: any other byte (NUL included), a data
 * character after '=', wrong padding, a length that no byte string
 * encodes to (1, 3 or 6 characters in the last group), and non-zero
 * trailing bits (RFC 4648 3.5 permits rejecting them; we do, so that each
 * key has exactly one spelling and a truncated or mistyped secret is
 * caught at enrolment instead of silently yielding a different key).
 * CMFA_ERR_TOOBIG when the result would exceed outmax; nothing is written
 * to out unless the whole input is valid and fits.  *outlen on success.
 * Character values are derived without table look-ups or branches on the
 * secret's data characters.
 */
enum cmfa_err cmfa_base32_decode(const char *in, size_t inlen, uint8_t *out,
    size_t outmax, size_t *outlen);

/*
 * Encode: uppercase, no padding, NUL-terminated.  outsz must be at least
 * CMFA_BASE32_ENC_LEN(inlen) + 1, else CMFA_ERR_TOOBIG (out untouched).
 */
enum cmfa_err cmfa_base32_encode(const uint8_t *in, size_t inlen, char *out,
    size_t outsz);

/* ---------------------------------------------------------------------- */
/* Delivered codes                                                        */

/*
 * A source of uniform 32-bit values.  Returns CMFA_OK or an error that
 * cmfa_code_generate_with() passes on.
 */
typedef enum cmfa_err (*cmfa_rand_u32_fn)(void *ctx, uint32_t *out);

/* Largest multiple of 10^6 that is <= 2^32: values at or above it are
 * drawn again, so that value % 10^6 is uniform. */
#define CMFA_CODE_REJECT_AT 4294000000u
#define CMFA_CODE_MAX_REJECTS 64

/*
 * A uniform 6-digit code, zero-padded, NUL-terminated.  Gives up with
 * CMFA_ERR_CRYPTO after CMFA_CODE_MAX_REJECTS rejections in a row (with a
 * working RNG the odds are about 2^-775).
 */
enum cmfa_err cmfa_code_generate_with(cmfa_rand_u32_fn rnd, void *ctx,
    char out[CMFA_OTP_DIGITS + 1]);
/* The same from getrandom(2) (blocking until the pool is initialised). */
enum cmfa_err cmfa_code_generate(char out[CMFA_OTP_DIGITS + 1]);
/* len bytes from getrandom(2), for TOTP secrets.  CMFA_ERR_CRYPTO on
 * failure (out is then wiped). */
enum cmfa_err cmfa_random_bytes(uint8_t *out, size_t len);

/*
 * 1 when p[0..len) is exactly CMFA_OTP_DIGITS ASCII digits, else 0.  The
 * bytes are examined without a data-dependent branch, so the timing does
 * not tell which one was wrong.
 */
int cmfa_code_format_ok(const char *p, size_t len);

/*
 * Compare a user's answer with the delivered code: answer must be exactly
 * 6 ASCII digits (else CMFA_ERR_MISMATCH), then the comparison is constant
 * time.  CMFA_OK or CMFA_ERR_MISMATCH; CMFA_ERR_INVAL when expected is
 * NULL or not a 6-digit string.
 */
enum cmfa_err cmfa_code_check(const char *expected, const char *answer,
    size_t answerlen);

/* ---------------------------------------------------------------------- */
/* Message templates and masking                                          */

#define CMFA_PLACEHOLDER "{####}"
#define CMFA_DEFAULT_SMS_MESSAGE "Your authentication code is {####}. "
#define CMFA_DEFAULT_EMAIL_SUBJECT "Your verification code"
#define CMFA_DEFAULT_EMAIL_MESSAGE "Your authentication code is {####}. "

/*
 * Append tmpl[0..tmpl_len) to out with every "{####}" (scanned left to
 * right, non-overlapping) replaced by code, which must be a 6-digit string
 * (CMFA_ERR_INVAL).  tmpl NULL: CMFA_DEFAULT_SMS_MESSAGE (tmpl_len is then
 * ignored).  The template is copied byte for byte otherwise: checking it
 * against Cognito's rules is core/'s job.  CMFA_ERR_NOMEM past out's
 * maximum (out unchanged).  out holds the code: wipe it with
 * cmfa_buf_free().
 */
enum cmfa_err cmfa_template_render(const char *tmpl, size_t tmpl_len,
    const char *code, struct cmfa_buf *out);

/*
 * Destinations masked as Cognito shows them (reference/COGNITO.md 3.8).
 *
 * Phone: E.164, '+' then 4..15 ASCII digits (else CMFA_ERR_PARSE); '+',
 * then '*' for every digit but the last 4, then those 4:
 * "+12065550100" -> "+*******0100".
 *
 * Email: exactly one '@', non-empty local part and domain, printable
 * UTF-8 (else CMFA_ERR_PARSE).  The first character (not byte) of the
 * local part, "***@", the first character of the domain, "***", then
 * "." and the domain's last label (what follows its last dot) when that
 * label is not empty and that dot is not the domain's first character:
 * "alice@example.com" ->
 * "a***@e***.com", "a@mail.example.co.uk" -> "a***@m***.uk",
 * "a@example" -> "a***@e***".  (Cognito is not consistent about the
 * suffix; we always keep it.)
 *
 * Both write a NUL-terminated string; CMFA_ERR_TOOBIG when outsz is too
 * small (out untouched).  len bounds the input; a NUL inside refuses it.
 */
enum cmfa_err cmfa_mask_phone(const char *phone, size_t len, char *out,
    size_t outsz);
enum cmfa_err cmfa_mask_email(const char *email, size_t len, char *out,
    size_t outsz);

#endif /* CMFA_OTP_H */
