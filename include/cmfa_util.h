/*
 * cmfa_util.h: the one error type, bounded buffers, strict number parsing,
 * UTF-8 checks, secret wiping and the logging shim.  libc only.
 *
 * Ownership: nothing here returns memory the caller must free except
 * struct cmfa_buf, which the caller releases with cmfa_buf_free() (that
 * wipes it: buffers may hold secrets).
 */
#ifndef CMFA_UTIL_H
#define CMFA_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every fallible function in the project returns one of these.  Errors are
 * mapped to PAM codes in one table (pam/) and to CLI exit codes in another
 * (cli/); nothing unmapped ever becomes success.
 */
enum cmfa_err {
	CMFA_OK = 0,
	CMFA_ERR_NOMEM,		/* allocation failed, or a buffer maximum hit */
	CMFA_ERR_INVAL,		/* bad argument from the caller */
	CMFA_ERR_TOOBIG,	/* input larger than its cap */
	CMFA_ERR_PARSE,		/* syntax error (JSON, config, state file) */
	CMFA_ERR_VALIDATION,	/* well-formed but refused by Cognito's rules */
	CMFA_ERR_NOTFOUND,	/* file or record does not exist */
	CMFA_ERR_UNTRUSTED,	/* wrong owner, mode, type, symlink, links */
	CMFA_ERR_IO,		/* read, write, fsync, rename failed */
	CMFA_ERR_VERSION,	/* store format version not supported */
	CMFA_ERR_LOCKED,	/* user locked out after failed codes */
	CMFA_ERR_MISMATCH,	/* wrong code */
	CMFA_ERR_REPLAY,	/* TOTP step already used */
	CMFA_ERR_CRYPTO,	/* RNG or HMAC failure */
	CMFA_ERR_EXISTS,	/* object already exists */
	CMFA_ERR__MAX
};

/* A static, never-NULL description; never contains input data. */
const char *cmfa_strerror(enum cmfa_err err);

/* Wipe memory that held a secret; never optimised away. NULL is a no-op. */
void cmfa_memzero(void *p, size_t n);

/* Constant-time equality of two n-byte buffers: 1 if equal, 0 if not. */
int cmfa_ct_eq(const void *a, const void *b, size_t n);

/*
 * Growable byte buffer with a mandatory maximum (like curl's dynbuf).  The
 * contents are always followed by a NUL that is not counted in len, so text
 * can be handed to C string APIs; binary data may contain NULs.
 */
struct cmfa_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
	size_t max;	/* len never exceeds this */
};

void cmfa_buf_init(struct cmfa_buf *b, size_t max);
enum cmfa_err cmfa_buf_append(struct cmfa_buf *b, const void *p, size_t n);
enum cmfa_err cmfa_buf_append_str(struct cmfa_buf *b, const char *s);
enum cmfa_err cmfa_buf_appendf(struct cmfa_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Keep the allocation, forget the contents (wiped). */
void cmfa_buf_reset(struct cmfa_buf *b);
/* Wipe and release; the buffer is left empty and reusable. */
void cmfa_buf_free(struct cmfa_buf *b);
/* Contents as a C string (never NULL; "" when empty). */
const char *cmfa_buf_str(const struct cmfa_buf *b);

/*
 * Strict unsigned decimal: digits only, no sign, no spaces, no leading
 * zeros except "0" itself, value <= max.  Returns CMFA_ERR_PARSE or
 * CMFA_ERR_TOOBIG (value above max); *out is set only on success.
 */
enum cmfa_err cmfa_parse_u64(const char *p, size_t len, uint64_t max,
    uint64_t *out);

/* Signed variant for values that may be negative (timestamps in tests). */
enum cmfa_err cmfa_parse_i64(const char *p, size_t len, int64_t min,
    int64_t max, int64_t *out);

/*
 * UTF-8 checks.  cmfa_utf8_valid: well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF).  cmfa_utf8_printable: valid and
 * free of C0/C1 control characters and DEL; with allow_space_ctrl, TAB, LF
 * and CR are allowed too.  Both return false for embedded NULs.
 */
bool cmfa_utf8_valid(const char *p, size_t len);
bool cmfa_utf8_printable(const char *p, size_t len, bool allow_space_ctrl);
/* Number of code points of valid UTF-8 (for Cognito's length limits). */
size_t cmfa_utf8_count(const char *p, size_t len);

/*
 * Copy src into dst (size dstsz > 0) for a log line or a user message:
 * control characters and bytes of invalid UTF-8 become '?', the result is
 * truncated (on a character boundary) and always NUL-terminated.
 */
void cmfa_sanitize(char *dst, size_t dstsz, const char *src, size_t srclen);

/*
 * Logging shim.  The module points fn at pam_syslog, the CLI at stderr.
 * prio is a syslog priority (LOG_ERR ...); LOG_DEBUG lines are dropped
 * unless debug is set.  The formatted line is sanitized before fn sees
 * it.  Callers never pass a secret: this is a rule, not a filter.
 */
struct cmfa_log {
	void (*fn)(void *ctx, int prio, const char *line);
	void *ctx;
	bool debug;
};

void cmfa_log(const struct cmfa_log *log, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cmfa_vlog(const struct cmfa_log *log, int prio, const char *fmt,
    va_list ap) __attribute__((format(printf, 3, 0)));

#define CMFA_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif /* CMFA_UTIL_H */
