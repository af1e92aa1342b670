/*
 * cmfa_aws.h: AWS request signing (Signature Version 4, header auth).
 *
 * The signer is pure: libcrypto and libc only, no network, no clock (the
 * signing time is a parameter), no globals.  It reproduces the whole AWS
 * SigV4 test suite (tests/data/sigv4) byte for byte.
 *
 * Why our own and not libcurl's CURLOPT_AWS_SIGV4 (DESIGN.md D10): the
 * signer must be run against the whole AWS suite and against the AWS
 * CLI's own signature for the same Cognito, STS, SNS and SES requests.
 * Inside libcurl (7.88 on Debian 12) signing happens as the request is
 * sent, from headers libcurl itself adds, with no way to see the
 * canonical request or to sign a suite case without sending it.  A
 * small pure function is testable case by case, and the transport then
 * sends exactly the headers that were signed.
 *
 * Ownership: the caller owns every input and may free it as soon as a
 * call returns.  cmfa_sigv4_sign() fills a struct cmfa_sigv4_result whose
 * buffers the caller releases with cmfa_sigv4_result_free() (which wipes
 * them: the canonical request holds the session token).  Nothing else
 * here allocates.  Derived keys never leave the signer except through
 * cmfa_sigv4_signing_key(), whose output the caller must wipe.
 */
#ifndef CMFA_AWS_H
#define CMFA_AWS_H

#include <stddef.h>
#include <stdint.h>

#include "cmfa_util.h"

/* Caps: anything larger is refused with CMFA_ERR_TOOBIG. */
#define CMFA_SIGV4_MAX_HEADERS 64
#define CMFA_SIGV4_MAX_HEADER_BYTES 16384 /* all names + values */
#define CMFA_SIGV4_MAX_PATH 8192          /* path and query, as sent */
#define CMFA_SIGV4_MAX_METHOD 32
#define CMFA_SIGV4_MAX_SCOPE_PART 64 /* region, service */
#define CMFA_SIGV4_MAX_KEY_ID 128    /* access key id */
#define CMFA_SIGV4_MAX_SECRET 128    /* secret access key */
#define CMFA_SIGV4_MAX_TOKEN 8192    /* session token */
#define CMFA_SIGV4_MAX_OUTPUT 65536  /* each result buffer */

/* The X-Amz-Date format, YYYYMMDD'T'HHMMSS'Z', plus its NUL. */
#define CMFA_SIGV4_DATE_LEN 17

struct cmfa_aws_creds {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL for long-term credentials */
};

struct cmfa_sigv4_header {
	const char *name;
	const char *value;
};

struct cmfa_sigv4_request {
	const char *method; /* "POST" */
	/*
	 * The path as it goes on the request line, with any query after the
	 * first '?'.  Path bytes are encoded once more for the canonical URI
	 * (RFC 3986 unreserved and '/' kept); query keys and values are
	 * percent-decoded, then encoded, so "%E1%88%B4" and the raw UTF-8
	 * sign the same.  '+' is a literal plus.
	 */
	const char *path;
	/*
	 * The headers as sent, Host included (required).  Repeated names are
	 * joined with ',' in order.  Values must not contain CR, LF or other
	 * control characters except TAB: unfold continuation lines first.
	 * X-Amz-Date may be omitted: the signer signs the value it returns
	 * in cmfa_sigv4_result.amz_date, which the caller must then send; if
	 * present it must equal that value.
	 */
	const struct cmfa_sigv4_header *headers;
	size_t nheaders;
	const uint8_t *body; /* may be NULL when body_len is 0 */
	size_t body_len;
};

/* Flags for cmfa_sigv4_sign(). */
/* Remove "." and "..", collapse "//" in the canonical URI (all but S3). */
#define CMFA_SIGV4_NORMALIZE_PATH 0x1u
/*
 * Sign creds->session_token as X-Amz-Security-Token, as botocore does;
 * the caller sends that header.  Refused (CMFA_ERR_INVAL) when the
 * request already carries an X-Amz-Security-Token header.  Without this
 * flag the token, if any, is left for the caller to add unsigned.
 */
#define CMFA_SIGV4_SIGN_TOKEN 0x2u
#define CMFA_SIGV4_DEFAULT (CMFA_SIGV4_NORMALIZE_PATH | CMFA_SIGV4_SIGN_TOKEN)

struct cmfa_sigv4_result {
	char amz_date[CMFA_SIGV4_DATE_LEN]; /* send as X-Amz-Date */
	struct cmfa_buf canonical_request;  /* for tests and debugging */
	struct cmfa_buf string_to_sign;
	struct cmfa_buf authorization; /* the Authorization header value */
};

/*
 * Sign req for region/service at time t (seconds since the epoch, UTC,
 * year 1970 to 9999).  On success *out is filled (its previous contents
 * are overwritten, not freed: pass a zeroed or freed result).  On error
 * *out is untouched and nothing is allocated.
 * Errors: CMFA_ERR_INVAL (missing or malformed argument, credential,
 * header, path; no Host header), CMFA_ERR_TOOBIG (a cap above exceeded),
 * CMFA_ERR_NOMEM, CMFA_ERR_CRYPTO.
 */
enum cmfa_err cmfa_sigv4_sign(const struct cmfa_sigv4_request *req,
    const struct cmfa_aws_creds *creds, const char *region, const char *service,
    int64_t t, unsigned flags, struct cmfa_sigv4_result *out);

/* Wipe and release the result's buffers; NULL is a no-op. */
void cmfa_sigv4_result_free(struct cmfa_sigv4_result *r);

/*
 * The derived signing key HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date8),
 * region), service), "aws4_request") for date8 "YYYYMMDD" (exposed for
 * tests; the caller wipes out).
 */
enum cmfa_err cmfa_sigv4_signing_key(const char *secret_access_key,
    const char *date8, const char *region, const char *service,
    uint8_t out[32]);

#endif /* CMFA_AWS_H */
