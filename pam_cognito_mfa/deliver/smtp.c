/*
 * smtp.c: one message over SMTP with libcurl (cmfa_deliver.h).
 *
 * The message (cmfa_smtp_format) is built here, byte for byte, so that
 * what is sent is what the tests see:
 *  - addresses are bare "local@domain" in ASCII (a dot-atom local part, a
 *    host name of letters, digits and hyphens): no display name, no
 *    comment, no quoted string, no SMTPUTF8.  Anything else is refused,
 *    so neither a header nor an SMTP command can be injected through
 *    them; CR or LF in the subject is refused too;
 *  - the subject goes out as it is when it is printable ASCII (folded at
 *    blanks to keep header lines within 78 characters); otherwise, or
 *    when it cannot be folded, as RFC 2047 "B" encoded words of whole
 *    UTF-8 characters, one per line;
 *  - the body's line ends (LF, CR LF, CR) become CR LF; it goes out 7bit
 *    when it is printable ASCII with lines of at most 998 bytes, else
 *    quoted-printable (RFC 2045, lines of at most 76 characters);
 *  - dot-stuffing is left to libcurl, which escapes every "CR LF ." of
 *    the upload itself (the tests send lines that start with '.').
 *
 * The exchange (cmfa_smtp_send): smtp and smtps only, no proxy, no
 * .netrc, no redirect, the whole exchange under timeout_ms, TLS 1.2 or
 * later verified against the system CAs plus ca_bundle as aws/http.c
 * does it (ca_bundle replaces libcurl's CA file; its CA directory,
 * /etc/ssl/certs on Debian, stays in use).  Credentials never go over
 * cleartext: with a username the connection must be smtps:// or
 * smtp:// with STARTTLS required, checked before anything connects.
 * libcurl keeps its own copies of the password and of the message
 * while the handle lives and frees them unwiped; ours are wiped.
 */
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "cmfa_aws.h"
#include "cmfa_deliver.h"
#include "cmfa_otp.h"

#define BODY_MAX (64u * 1024u)
/* the formatted message: quoted-printable at most triples the body, soft
 * breaks and CR LF line ends add less than another body's worth */
#define MSG_MAX (4u * BODY_MAX + 8192u)
#define SUBJECT_MAX 998u
#define ADDR_MAX 254u /* RFC 5321's path limit less the brackets */
#define LOCAL_MAX 64u
#define DOMAIN_MAX 253u
#define LABEL_MAX 63u
#define HDR_LINE_MAX 78u /* RFC 5322 2.1.1's "SHOULD" */
#define LINE_7BIT_MAX 998u
#define QP_LINE_MAX 76u /* RFC 2045 6.7 (5), the soft break's '=' included */
/* UTF-8 bytes per encoded word: 56 base64 characters, so that
 * "Subject: =?UTF-8?B?<56>?=" is 77 characters */
#define EW_CHUNK 42u
#define SUBJECT_PREFIX "Subject: "
#define TIMEOUT_DEFAULT_MS 30000L
#define NOT_SENT (-1L) /* set_err(): failed before connecting */

/* ---------------------------------------------------------------------- */
/* Checks                                                                 */

static bool
alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 5322 atext */
static bool
atext(unsigned char c)
{
	return alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* dot-atom-text: atext runs separated by single dots */
static bool
local_ok(const char *p, size_t len)
{
	size_t i;

	if (len == 0 || len > LOCAL_MAX || p[0] == '.' || p[len - 1] == '.')
		return false;
	for (i = 0; i < len; i++) {
		if (p[i] == '.') {
			if (p[i - 1] == '.')
				return false;
		} else if (!atext((unsigned char)p[i])) {
			return false;
		}
	}
	return true;
}

/* A host name: labels of letters, digits and inner hyphens. */
static bool
domain_ok(const char *p, size_t len)
{
	size_t i, label = 0;

	if (len == 0 || len > DOMAIN_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '.') {
			if (label == 0 || p[i - 1] == '-')
				return false;
			label = 0;
		} else if (alnum(c) || (c == '-' && label > 0)) {
			if (++label > LABEL_MAX)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && p[len - 1] != '-';
}

/* A bare local@domain; *domain points into a. */
static bool
addr_ok(const char *a, const char **domain)
{
	size_t len;
	const char *at;

	if (a == NULL || (len = strnlen(a, ADDR_MAX + 1)) > ADDR_MAX ||
	    (at = memchr(a, '@', len)) == NULL)
		return false;
	if (!local_ok(a, (size_t)(at - a)) ||
	    !domain_ok(at + 1, len - (size_t)(at - a) - 1))
		return false;
	*domain = at + 1;
	return true;
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Valid UTF-8, no control character but TAB (CR and LF would start a new
 * header).  *ascii: printable ASCII (and TAB) only.
 */
static enum cmfa_err
subject_check(const char *s, size_t len, bool *ascii)
{
	size_t pos = 0, n;
	uint32_t cp;

	if (len > SUBJECT_MAX)
		return CMFA_ERR_TOOBIG;
	if (!cmfa_utf8_valid(s, len))
		return CMFA_ERR_INVAL;
	*ascii = true;
	while (pos < len) {
		n = cmfa_utf8_next(s + pos, len - pos, &cp);
		if ((cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp <= 0x9f))
			return CMFA_ERR_INVAL;
		if (cp >= 0x80)
			*ascii = false;
		pos += n;
	}
	return CMFA_OK;
}

/* Printable ASCII (and TAB) in lines of at most LINE_7BIT_MAX bytes. */
static bool
body_7bit(const char *s, size_t len)
{
	size_t i, line = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r' || c == '\n') {
			line = 0;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c >= 0x7f ||
		    ++line > LINE_7BIT_MAX)
			return false;
	}
	return true;
}

static enum cmfa_err
msg_check(const struct cmfa_smtp_msg *m, bool *subject_ascii,
    const char **domain)
{
	const char *to_domain;
	enum cmfa_err err;

	if (m == NULL || m->subject == NULL || m->body == NULL ||
	    !addr_ok(m->from, domain) || !addr_ok(m->to, &to_domain))
		return CMFA_ERR_INVAL;
	if ((err = subject_check(m->subject,
	         strnlen(m->subject, SUBJECT_MAX + 1), subject_ascii)) !=
	    CMFA_OK)
		return err;
	if (strnlen(m->body, BODY_MAX + 1) > BODY_MAX)
		return CMFA_ERR_TOOBIG;
	if (!cmfa_utf8_valid(m->body, strlen(m->body)))
		return CMFA_ERR_INVAL;
	/* 0001-01-01 .. 9999-12-31 */
	if (m->now < INT64_C(-62135596800) || m->now > INT64_C(253402300799))
		return CMFA_ERR_INVAL;
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* Headers                                                                */

static enum cmfa_err
put_date(struct cmfa_buf *b, int64_t now)
{
	static const char wday[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char mon[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)now;
	struct tm tm;

	/* no locale, no time zone: the names are spelt out, always UTC */
	if (gmtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11)
		return CMFA_ERR_INVAL;
	return cmfa_buf_appendf(b,
	    "Date: %s, %d %s %04d %02d:%02d:%02d +0000\r\n", wday[tm.tm_wday],
	    tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}

/* <32 random hex digits@the sender's domain> */
static enum cmfa_err
put_message_id(struct cmfa_buf *b, const char *domain)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t rnd[16];
	char id[2 * sizeof(rnd) + 1];
	enum cmfa_err err;
	size_t i;

	if ((err = cmfa_random_bytes(rnd, sizeof(rnd))) != CMFA_OK)
		return err;
	for (i = 0; i < sizeof(rnd); i++) {
		id[2 * i] = hex[rnd[i] >> 4];
		id[2 * i + 1] = hex[rnd[i] & 0x0f];
	}
	id[2 * sizeof(rnd)] = '\0';
	return cmfa_buf_appendf(b, "Message-ID: <%s@%s>\r\n", id, domain);
}

static bool
all_blank(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!blank(p[i]))
			return false;
	return true;
}

/*
 * The end (exclusive) of the next folded line that starts at s[start]
 * when col characters are already on the line: a cut just before a
 * blank, the line not blank only (RFC 5322 3.2.2).  0: no such cut.
 */
static size_t
fold_cut(const char *s, size_t len, size_t start, size_t col)
{
	size_t i, cut = 0;

	for (i = start + 1; i < len && col + (i - start) <= HDR_LINE_MAX; i++)
		if (blank(s[i]) && !all_blank(s + start, i - start))
			cut = i;
	return cut;
}

/*
 * A printable-ASCII subject folded at blanks; b NULL: only say whether
 * it can be (*ok).  Each cut keeps the blank at the start of the next
 * line, so unfolding (removing the CR LF) gives the subject back.
 */
static enum cmfa_err
fold_ascii(struct cmfa_buf *b, const char *s, size_t len, bool *ok)
{
	size_t start = 0, col = sizeof(SUBJECT_PREFIX) - 1, cut;
	enum cmfa_err err;

	*ok = false;
	if (len > 0 && (blank(s[0]) || blank(s[len - 1])))
		return CMFA_OK; /* leading or trailing blanks: encoded */
	while (col + (len - start) > HDR_LINE_MAX) {
		if ((cut = fold_cut(s, len, start, col)) == 0)
			return CMFA_OK;
		if (b != NULL &&
		    ((err = cmfa_buf_append(b, s + start, cut - start)) !=
		            CMFA_OK ||
		        (err = cmfa_buf_append(b, "\r\n", 2)) != CMFA_OK))
			return err;
		start = cut;
		col = 0;
	}
	if (b != NULL &&
	    (err = cmfa_buf_append(b, s + start, len - start)) != CMFA_OK)
		return err;
	*ok = true;
	return CMFA_OK;
}

/* RFC 2047 encoded words of at most EW_CHUNK bytes of whole characters,
 * one per line (the folding white space between them is not part of the
 * decoded text). */
static enum cmfa_err
encode_words(struct cmfa_buf *b, const char *s, size_t len)
{
	char b64[4 * ((EW_CHUNK + 2) / 3) + 1];
	size_t pos = 0, n, cl;
	enum cmfa_err err;
	uint32_t cp;

	while (pos < len) {
		for (n = 0; pos + n < len; n += cl) {
			cl = cmfa_utf8_next(s + pos + n, len - pos - n, &cp);
			if (n + cl > EW_CHUNK)
				break;
		}
		(void)EVP_EncodeBlock((unsigned char *)b64,
		    (const unsigned char *)s + pos, (int)n);
		if ((err = cmfa_buf_appendf(b, "%s=?UTF-8?B?%s?=",
		         pos > 0 ? "\r\n " : "", b64)) != CMFA_OK)
			return err;
		pos += n;
	}
	return CMFA_OK;
}

static enum cmfa_err
put_subject(struct cmfa_buf *b, const char *s, bool ascii)
{
	size_t len = strlen(s);
	enum cmfa_err err;
	bool raw = false;

	if (len == 0)
		return cmfa_buf_append_str(b, "Subject:\r\n");
	/* "=?" could be read back as the start of an encoded word */
	if (ascii && strstr(s, "=?") == NULL &&
	    (err = fold_ascii(NULL, s, len, &raw)) != CMFA_OK)
		return err;
	if ((err = cmfa_buf_append_str(b, SUBJECT_PREFIX)) != CMFA_OK)
		return err;
	if (raw)
		err = fold_ascii(b, s, len, &raw);
	else
		err = encode_words(b, s, len);
	if (err != CMFA_OK)
		return err;
	return cmfa_buf_append(b, "\r\n", 2);
}

static enum cmfa_err
put_headers(struct cmfa_buf *b, const struct cmfa_smtp_msg *m,
    const char *domain, bool subject_ascii, bool seven_bit)
{
	enum cmfa_err err;

	if ((err = put_date(b, m->now)) != CMFA_OK ||
	    (err = cmfa_buf_appendf(b, "From: %s\r\nTo: %s\r\n", m->from,
	         m->to)) != CMFA_OK ||
	    (err = put_subject(b, m->subject, subject_ascii)) != CMFA_OK ||
	    (err = put_message_id(b, domain)) != CMFA_OK)
		return err;
	return cmfa_buf_appendf(b,
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: %s\r\n"
	    "\r\n",
	    seven_bit ? "7bit" : "quoted-printable");
}

/* ---------------------------------------------------------------------- */
/* Body                                                                   */

/* The next line of s (ended by LF, CR LF, CR or the end): *ll bytes at
 * s + *pos on return; *pos moves past its line end. */
static const char *
next_line(const char *s, size_t len, size_t *pos, size_t *ll)
{
	const char *line = s + *pos;
	size_t i = *pos;

	while (i < len && s[i] != '\r' && s[i] != '\n')
		i++;
	*ll = i - *pos;
	if (i < len && s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
		i++;
	*pos = i < len ? i + 1 : i;
	return line;
}

/* One line quoted-printable: soft breaks keep lines within
 * QP_LINE_MAX; a blank at the end of the line is encoded (RFC 2045 6.7
 * (3)), so no transport can strip it. */
static enum cmfa_err
qp_line(struct cmfa_buf *b, const char *p, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, col = 0, w;
	enum cmfa_err err;
	char esc[3];

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		bool lit = (c >= 33 && c <= 126 && c != '=') ||
		    (blank((char)c) && i + 1 < len);

		w = lit ? 1 : 3;
		if (col + w > QP_LINE_MAX - 1) {
			if ((err = cmfa_buf_append(b, "=\r\n", 3)) != CMFA_OK)
				return err;
			col = 0;
		}
		esc[0] = '=';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 0x0f];
		if ((err = cmfa_buf_append(b, lit ? p + i : esc, w)) != CMFA_OK)
			return err;
		col += w;
	}
	return CMFA_OK;
}

static enum cmfa_err
put_body(struct cmfa_buf *b, const char *s, bool seven_bit)
{
	size_t len = strlen(s), pos = 0, ll;
	const char *line;
	enum cmfa_err err;

	while (pos < len) {
		line = next_line(s, len, &pos, &ll);
		if (seven_bit)
			err = cmfa_buf_append(b, line, ll);
		else
			err = qp_line(b, line, ll);
		if (err != CMFA_OK ||
		    (err = cmfa_buf_append(b, "\r\n", 2)) != CMFA_OK)
			return err;
	}
	return CMFA_OK;
}

static enum cmfa_err
format_msg(const struct cmfa_smtp_msg *m, struct cmfa_buf *b)
{
	const char *domain = NULL;
	bool subject_ascii = false, seven_bit;
	enum cmfa_err err;

	if ((err = msg_check(m, &subject_ascii, &domain)) != CMFA_OK)
		return err;
	seven_bit = body_7bit(m->body, strlen(m->body));
	if ((err = put_headers(b, m, domain, subject_ascii, seven_bit)) !=
	    CMFA_OK)
		return err;
	return put_body(b, m->body, seven_bit);
}

enum cmfa_err
cmfa_smtp_format(const struct cmfa_smtp_msg *m, struct cmfa_buf *out)
{
	struct cmfa_buf b;
	enum cmfa_err err;

	if (out == NULL)
		return CMFA_ERR_INVAL;
	/* built aside, so that out is untouched on failure */
	cmfa_buf_init(&b, MSG_MAX);
	if ((err = format_msg(m, &b)) == CMFA_OK)
		err = cmfa_buf_append(out, b.p, b.len);
	cmfa_buf_free(&b);
	return err;
}

/* ---------------------------------------------------------------------- */
/* The exchange                                                           */

struct upload {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static size_t
on_read(char *dst, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t want = size * n, left = u->len - u->off;

	if (want > left)
		want = left;
	memcpy(dst, u->p + u->off, want);
	u->off += want;
	return want;
}

/* code: the last SMTP reply, 0 for none, NOT_SENT before connecting. */
static void
set_err(char *err, size_t errsz, const char *what, long code)
{
	char line[CMFA_SMTP_ERR_MAX];

	if (err == NULL || errsz == 0)
		return;
	if (code > 0)
		(void)snprintf(line, sizeof(line), "SMTP: %s (last reply %ld)",
		    what, code);
	else if (code == 0)
		(void)snprintf(line, sizeof(line), "SMTP: %s (no reply)", what);
	else
		(void)snprintf(line, sizeof(line), "SMTP: %s", what);
	cmfa_sanitize(err, errsz, line, strlen(line));
}

/*
 * smtp:// or smtps:// and a printable ASCII rest without '@': the
 * credentials come from the credentials file only, never from a URL
 * that would slip past the TLS rule.
 */
static enum cmfa_err
url_check(const char *url, bool *tls)
{
	const char *rest;
	size_t i;

	if (url == NULL)
		return CMFA_ERR_INVAL;
	if (strncmp(url, "smtps://", 8) == 0) {
		*tls = true;
		rest = url + 8;
	} else if (strncmp(url, "smtp://", 7) == 0) {
		*tls = false;
		rest = url + 7;
	} else {
		return CMFA_ERR_INVAL;
	}
	if (rest[0] == '\0' || rest[0] == '/' || strlen(rest) > 1024)
		return CMFA_ERR_INVAL;
	for (i = 0; rest[i] != '\0'; i++)
		if ((unsigned char)rest[i] <= 0x20 ||
		    (unsigned char)rest[i] >= 0x7f || rest[i] == '@')
			return CMFA_ERR_INVAL;
	return CMFA_OK;
}

static enum cmfa_err
send_check(const struct cmfa_smtp_msg *m, bool *tls, char *err, size_t errsz)
{
	if (m == NULL || url_check(m->url, tls) != CMFA_OK) {
		set_err(err, errsz,
		    "the URL is not smtp://host[:port] or "
		    "smtps://host[:port]",
		    NOT_SENT);
		return CMFA_ERR_INVAL;
	}
	*tls = *tls || m->starttls;
	if ((m->username == NULL) != (m->password == NULL) ||
	    (m->username != NULL &&
	        (strnlen(m->username, CMFA_SMTP_USER_MAX) >=
	                CMFA_SMTP_USER_MAX ||
	            strnlen(m->password, CMFA_SMTP_PASS_MAX) >=
	                CMFA_SMTP_PASS_MAX)) ||
	    m->timeout_ms < 0) {
		set_err(err, errsz, "bad credentials or timeout", NOT_SENT);
		return CMFA_ERR_INVAL;
	}
	if (m->username != NULL && !*tls) {
		set_err(err, errsz,
		    "credentials are sent over TLS only "
		    "(smtps://, or smtp:// with STARTTLS)",
		    NOT_SENT);
		return CMFA_ERR_INVAL;
	}
	return CMFA_OK;
}

/* Every option; false when libcurl refused one. */
static bool
configure(CURL *c, const struct cmfa_smtp_msg *m, bool tls, struct upload *u,
    struct curl_slist *rcpt, const char *from, char *errbuf)
{
	long to = m->timeout_ms > 0 ? m->timeout_ms : TIMEOUT_DEFAULT_MS;
	int bad = 0;

	bad |= curl_easy_setopt(c, CURLOPT_URL, m->url) != CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
	bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps") !=
	    CURLE_OK;
#else
	bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS,
	           (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS)) != CURLE_OK;
#endif
	bad |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED) !=
	    CURLE_OK;
	/* "": no proxy, whatever the environment says */
	bad |= curl_easy_setopt(c, CURLOPT_PROXY, "") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, to) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, to) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_MAIL_FROM, from) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_UPLOAD, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_READDATA, u) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
	           (curl_off_t)u->len) != CURLE_OK;
	if (tls) {
		bad |= curl_easy_setopt(c, CURLOPT_USE_SSL,
		           (long)CURLUSESSL_ALL) != CURLE_OK;
		bad |= curl_easy_setopt(c, CURLOPT_SSLVERSION,
		           (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK;
	}
	if (m->ca_bundle != NULL)
		bad |= curl_easy_setopt(c, CURLOPT_CAINFO, m->ca_bundle) !=
		    CURLE_OK;
	if (m->username != NULL) {
		bad |= curl_easy_setopt(c, CURLOPT_USERNAME, m->username) !=
		    CURLE_OK;
		bad |= curl_easy_setopt(c, CURLOPT_PASSWORD, m->password) !=
		    CURLE_OK;
	}
	return bad == 0;
}

static enum cmfa_err
perform(const struct cmfa_smtp_msg *m, bool tls, struct upload *u, char *err,
    size_t errsz)
{
	char errbuf[CURL_ERROR_SIZE] = "", from[ADDR_MAX + 3], to[ADDR_MAX + 3];
	struct curl_slist *rcpt = NULL;
	enum cmfa_err e = CMFA_ERR_NOMEM;
	long code = 0;
	CURLcode rc;
	CURL *c;

	(void)snprintf(from, sizeof(from), "<%s>", m->from);
	(void)snprintf(to, sizeof(to), "<%s>", m->to);
	if ((c = curl_easy_init()) == NULL ||
	    (rcpt = curl_slist_append(NULL, to)) == NULL)
		goto out;
	if (!configure(c, m, tls, u, rcpt, from, errbuf)) {
		set_err(err, errsz, "libcurl refused an option", NOT_SENT);
		e = CMFA_ERR_IO;
		goto out;
	}
	if ((rc = curl_easy_perform(c)) != CURLE_OK) {
		(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		set_err(err, errsz,
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc), code);
		e = CMFA_ERR_IO;
		goto out;
	}
	e = CMFA_OK;
out:
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return e;
}

enum cmfa_err
cmfa_smtp_send(const struct cmfa_smtp_msg *m, char *err, size_t errsz)
{
	struct cmfa_buf msg;
	struct upload u;
	enum cmfa_err e;
	bool tls = false;

	if (err != NULL && errsz > 0)
		err[0] = '\0';
	cmfa_buf_init(&msg, MSG_MAX);
	if ((e = send_check(m, &tls, err, errsz)) != CMFA_OK)
		return e;
	if ((e = format_msg(m, &msg)) != CMFA_OK) {
		char why[96];

		(void)snprintf(why, sizeof(why),
		    "the address, subject or body is refused: %s",
		    cmfa_strerror(e));
		set_err(err, errsz, why, NOT_SENT);
		goto out;
	}
	if ((e = cmfa_curl_global_init()) != CMFA_OK) {
		set_err(err, errsz, "libcurl cannot start", NOT_SENT);
		goto out;
	}
	u.p = msg.p;
	u.len = msg.len;
	u.off = 0;
	e = perform(m, tls, &u, err, errsz);
out:
	cmfa_buf_free(&msg); /* it holds the code */
	return e;
}
