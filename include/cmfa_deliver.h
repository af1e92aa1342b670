/*
 * cmfa_deliver.h: delivered codes (SMS / email) on the cognito-mfa side
 * (DESIGN.md D1, D4), and the contract between the PAM module and
 * `cognito-mfa deliver`.
 *
 * The module generates the code and runs
 *
 *   <helper> --store STORE --config CONFIG deliver --user=USER --channel sms|email
 *
 * with an empty environment and the code, six ASCII digits and a newline,
 * on stdin (never in argv or the environment).  The helper reads the
 * destination (phone_number / email) from the cached user record, the
 * text from the cached pool config (pool.json), and sends it through the
 * channel the config file names.  Its exit status says what happened
 * (below); on failure its stderr carries one line for the module's log:
 * sanitized, never the code, never a credential.
 *
 * Units (deliver/, linked into cognito-mfa only, never into the module):
 *  - smtp.c:      one message over SMTP with libcurl;
 *  - smtpcreds.c: the SMTP credentials file;
 *  - limit.c:     per-user and per-destination hourly limits, counted
 *                 across processes under the store.
 * The SNS / SES calls are in aws/ (cmfa_aws.h), the command itself in
 * cli/deliver.c.
 */
#ifndef CMFA_DELIVER_H
#define CMFA_DELIVER_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmfa_util.h"

/* ---------------------------------------------------------------------- */
/* The module <-> helper contract: cognito-mfa deliver's exit status      */

enum cmfa_deliver_status {
	CMFA_DELIVER_SENT = 0,       /* handed to the gateway */
	CMFA_DELIVER_NO_DEST = 3,    /* no phone_number / email in the record,
				       or not verified (and unverified ones
				       not allowed), or not a valid one */
	CMFA_DELIVER_NO_CHANNEL = 4, /* the channel is not configured */
	CMFA_DELIVER_LIMITED = 5,    /* the hourly limit for this user or
					destination is reached */
	CMFA_DELIVER_GATEWAY = 6,    /* the gateway refused or failed
					(SNS, STS, SES, SMTP, the command) */
	CMFA_DELIVER_CACHE = 7,      /* pool.json / the user record missing,
					corrupt or untrusted; no such user */
	CMFA_DELIVER_USAGE = 252     /* bad arguments or stdin (AWS CLI's) */
	/* anything else (crash, 255 ...): a failure of the helper */
};

/* The code on stdin: exactly CMFA_OTP_DIGITS digits, then "\n" (or EOF). */
#define CMFA_DELIVER_STDIN_MAX 16

/* ---------------------------------------------------------------------- */
/* deliver_command's stdin                                                 */

/*
 * The program named by deliver_command runs with argv { path, "sms" |
 * "email", NULL }, an environment holding only
 * PATH=/usr/sbin:/usr/bin:/sbin:/bin, its own process group, the
 * delivery_timeout, and on stdin:
 *
 *   channel: sms|email\n
 *   destination: <E.164 number or email address>\n
 *   subject: <subject>\n          (email only)
 *   \n
 *   <message: the pool's template with {####} replaced>
 *
 * Exit status 0: sent.  Anything else (or the timeout): a gateway
 * failure; the first line of its stderr goes to the log, sanitized.
 */

/* ---------------------------------------------------------------------- */
/* SMTP (deliver/smtp.c, libcurl)                                          */

#define CMFA_SMTP_ERR_MAX 256

struct cmfa_smtp_msg {
	const char *url;       /* smtp://host[:port] or smtps://host[:port] */
	bool starttls;         /* smtp://: require STARTTLS (CURLUSESSL_ALL) */
	const char *username;  /* NULL: no AUTH */
	const char *password;  /* with username; never logged */
	const char *ca_bundle; /* extra CA file, NULL: system CAs */
	const char *from;      /* bare ASCII local@domain: envelope and From: */
	const char *to;        /* bare ASCII local@domain: envelope and To: */
	const char *subject;   /* UTF-8, at most 998 bytes, no CR / LF or other
				  control but TAB; encoded (RFC 2047) when
				  not ASCII */
	const char *body;      /* UTF-8 text, at most 64 KiB; holds the code */
	long timeout_ms;       /* the whole exchange; 0: 30 s */
	int64_t now;           /* the Date: header */
};

/*
 * Build the RFC 5322 message (Date, From, To, Subject, Message-ID,
 * MIME-Version, Content-Type text/plain; charset=UTF-8,
 * Content-Transfer-Encoding: quoted-printable for non-ASCII or long
 * lines, else 7bit; CRLF line ends) and send it.  Credentials are sent
 * only over TLS (smtps://, or smtp:// with starttls): otherwise
 * CMFA_ERR_INVAL before connecting.  On failure err holds one sanitized
 * line (libcurl's words and the server's reply code), never the body or
 * the password.  CMFA_ERR_IO for a failed exchange.
 */
enum cmfa_err cmfa_smtp_send(const struct cmfa_smtp_msg *m, char *err,
    size_t errsz);

/* The message as cmfa_smtp_send() sends it (for tests): appended to out,
 * which then holds the code (wipe with cmfa_buf_free()); out untouched on
 * failure.  CMFA_ERR_INVAL for an address that is not a bare
 * local@domain, a subject with CR / LF or another control character,
 * invalid UTF-8, a date outside years 1-9999; CMFA_ERR_TOOBIG for a
 * subject or body over its cap; CMFA_ERR_NOMEM when out's maximum is hit.
 * Lines that start with '.' are left as they are: libcurl dot-stuffs. */
enum cmfa_err cmfa_smtp_format(const struct cmfa_smtp_msg *m,
    struct cmfa_buf *out);

/* ---------------------------------------------------------------------- */
/* The SMTP credentials file (deliver/smtpcreds.c)                         */

#define CMFA_SMTP_CREDS_MAX 4096 /* bytes of the file */
#define CMFA_SMTP_USER_MAX 256
#define CMFA_SMTP_PASS_MAX 256

/*
 * Two lines, "username = ..." and "password = ..." (each exactly once;
 * spaces around '=' trimmed; '#' comment lines and blank lines allowed;
 * nothing else).  Strict and bounded; fuzzed (fuzz_smtpcreds).  Outputs
 * written only on success; the caller wipes pass.  Lines end at LF; a
 * CR, NUL, other control character but TAB or invalid UTF-8 anywhere, an
 * unknown or repeated key, or an empty value: CMFA_ERR_PARSE.  A value of
 * CMFA_SMTP_USER_MAX / CMFA_SMTP_PASS_MAX bytes or more, or too long for
 * its buffer, or a file over CMFA_SMTP_CREDS_MAX: CMFA_ERR_TOOBIG.
 */
enum cmfa_err cmfa_smtp_creds_parse(const char *p, size_t len, char *user,
    size_t usersz, char *pass, size_t passsz);

/*
 * Read path: a regular file (no symlink) owned by owner (root in
 * production), mode without any group or other permission (0600 / 0400),
 * no group/other-writable directory above it; CMFA_ERR_UNTRUSTED
 * otherwise.  Then parse.
 */
enum cmfa_err cmfa_smtp_creds_load(const char *path, uid_t owner, char *user,
    size_t usersz, char *pass, size_t passsz);

/* ---------------------------------------------------------------------- */
/* Hourly limits (deliver/limit.c)                                         */

#define CMFA_LIMIT_WINDOW 3600 /* seconds */
#define CMFA_LIMIT_FILE_MAX 4096

/*
 * One file per key under <store>/deliveries/ (created 0700 by the first
 * delivery): "u-<user>" for a user, "d-<hex of SHA-256(destination)>"
 * for a destination, its ASCII letters lowercased first (no address or
 * number on disk; Bob@X and bob@x share one count).  Each file holds
 * the epoch seconds of the codes sent in the last hour, one decimal per
 * line, ascending.  parse: strict (digits and '\n' only, ascending,
 * at most CMFA_LIMIT_FILE_MAX bytes); fuzzed (fuzz_deliverlimit).
 */
struct cmfa_limit_times {
	int64_t t[128];
	size_t n;
};
enum cmfa_err cmfa_limit_parse(const char *p, size_t len,
    struct cmfa_limit_times *out);

/*
 * Take one delivery for user and destination at now, under flock on
 * each key's own lock file, "lock.<key>", never removed (the counts are
 * replaced by rename, and a lock on a renamed file would lock nothing),
 * user first, then destination: entries older than the window are
 * dropped; when either key already has `limit` entries, nothing is
 * written and CMFA_ERR_LOCKED is returned with *retry_after the seconds
 * until the oldest one leaves the window; otherwise now is appended to
 * both, atomically, and CMFA_OK.  A corrupt file counts as full
 * (CMFA_ERR_PARSE, nothing sent) so that damage never lifts the limit.
 */
enum cmfa_err cmfa_limit_take(const char *store, uid_t owner, const char *user,
    const char *destination, unsigned limit, int64_t now, int64_t *retry_after);

#endif /* CMFA_DELIVER_H */
