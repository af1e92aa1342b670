/*
 * test_smtp.c: SMTP delivery (deliver/smtp.c) and the SMTP credentials
 * file (deliver/smtpcreds.c).
 *
 * The message format is read back with decoders written here (RFC 2047
 * "B" words, quoted-printable); the credentials file's parser and its
 * trust checks on real files; cmfa_smtp_send() against real SMTP
 * servers on 127.0.0.1: `python3 -m aiosmtpd ... Mailbox` (the message
 * read back from its Maildir), and tests/data/smtp_server.py (aiosmtpd
 * with STARTTLS, implicit TLS, AUTH PLAIN / LOGIN, a 550 recipient) with
 * a self-signed certificate made by openssl(1) in the temporary
 * directory; plus sockets of our own for a refused connection and a
 * server that never answers.
 *
 * Run from the top of the tree.  main() makes one temporary directory
 * and forks; the tests run in the child; the parent removes the
 * directory however the child ended.  The servers exit when the test
 * stops them, when their stdin closes (smtp_server.py) or when the test
 * process dies (PR_SET_PDEATHSIG).  Without /usr/bin/python3, aiosmtpd or
 * /usr/bin/openssl the tests that need them say SKIP.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cmfa_deliver.h"
#include "cmfa_fixture.h"
#include "cmfa_test.h"

#define PY "/usr/bin/python3"
#define OPENSSL "/usr/bin/openssl"
#define SERVER "tests/data/smtp_server.py"

#define FROM "mfa-sender@example.com"
#define TO "alice@example.org"
#define CODE "493817"
#define USER "mailer@example.com"
#define PASS "pa55 w0rd=#with spaces"

static char g_top[64];
static bool g_have_cert;
static unsigned g_seq; /* server directories */

/* ---------------------------------------------------------------------- */
/* Small helpers                                                          */

static bool
copy_path(const char *from, const char *to)
{
	size_t len;
	char *p = cmfa_fixture_read(from, &len);
	bool ok = p != NULL && cmfa_fixture_put(to, p, len, 0600);

	free(p);
	return ok;
}

/* Every LF preceded by CR and every CR followed by LF. */
static bool
crlf_only(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			return false;
		if (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'))
			return false;
	}
	return true;
}

/* The longest line of s[0..len) (CR LF ends excluded). */
static size_t
longest_line(const char *s, size_t len)
{
	size_t i, cur = 0, max = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\r' || s[i] == '\n') {
			cur = 0;
			continue;
		}
		if (++cur > max)
			max = cur;
	}
	return max;
}

/* Offset of the body (after the first CR LF CR LF), or len. */
static size_t
body_offset(const char *s, size_t len)
{
	const char *p = memmem(s, len, "\r\n\r\n", 4);

	return p != NULL ? (size_t)(p - s) + 4 : len;
}

/*
 * The value of header name in the message's header block, unfolded (CR
 * LF before a blank removed), the blank after the colon skipped; into
 * out (size outsz).  false when absent.
 */
static bool
header(const char *msg, const char *name, char *out, size_t outsz)
{
	size_t hlen = body_offset(msg, strlen(msg)), nl = strlen(name), o = 0;
	const char *p = msg, *end = msg + hlen;

	while (p < end) {
		if ((p == msg || p[-1] == '\n') && (size_t)(end - p) > nl &&
		    strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			if (*p == ' ')
				p++;
			while (p < end && o + 1 < outsz) {
				if (p[0] == '\r' && p + 2 < end &&
				    p[1] == '\n' &&
				    (p[2] == ' ' || p[2] == '\t')) {
					p += 2;
					continue;
				}
				if (p[0] == '\r' || p[0] == '\n')
					break;
				out[o++] = *p++;
			}
			out[o] = '\0';
			return true;
		}
		p++;
	}
	return false;
}

/* An uppercase hex digit's value, or -1 (RFC 2045 6.7 wants uppercase). */
static int
hexval(char c)
{
	const char *hex = "0123456789ABCDEF", *p;

	return c != '\0' && (p = strchr(hex, c)) != NULL ? (int)(p - hex) : -1;
}

/* Decode quoted-printable text (soft breaks removed) into a buffer. */
static bool
qp_decode(const char *s, size_t len, struct cmfa_buf *out)
{
	unsigned char c;
	size_t i;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] != '=') {
			if (cmfa_buf_append(out, s + i, 1) != CMFA_OK)
				return false;
			continue;
		}
		if (i + 2 < len && s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 2;
			continue;
		}
		if (i + 2 >= len || (hi = hexval(s[i + 1])) < 0 ||
		    (lo = hexval(s[i + 2])) < 0)
			return false;
		c = (unsigned char)(hi * 16 + lo);
		if (cmfa_buf_append(out, &c, 1) != CMFA_OK)
			return false;
		i += 2;
	}
	return true;
}

/*
 * Decode an unfolded Subject value made of "=?UTF-8?B?...?=" words
 * separated by blanks; each word must decode to whole UTF-8 characters
 * and be at most 75 characters long (RFC 2047 2).
 */
static bool
ew_decode(const char *v, struct cmfa_buf *out)
{
	const char *p = v, *end;
	unsigned char dec[128];
	size_t n, pad;
	int got;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (strncmp(p, "=?UTF-8?B?", 10) != 0 ||
		    (end = strstr(p + 10, "?=")) == NULL)
			return false;
		n = (size_t)(end - (p + 10));
		if (n == 0 || n % 4 != 0 || n + 12 > 75 || n > 4 * 40)
			return false;
		got =
		    EVP_DecodeBlock(dec, (const unsigned char *)p + 10, (int)n);
		if (got < 0)
			return false;
		pad = (size_t)(p[10 + n - 1] == '=') +
		    (size_t)(p[10 + n - 2] == '=');
		if (!cmfa_utf8_valid((const char *)dec, (size_t)got - pad) ||
		    cmfa_buf_append(out, dec, (size_t)got - pad) != CMFA_OK)
			return false;
		p = end + 2;
	}
	return true;
}

static struct cmfa_smtp_msg
base_msg(void)
{
	struct cmfa_smtp_msg m;

	memset(&m, 0, sizeof(m));
	m.from = FROM;
	m.to = TO;
	m.subject = "Your verification code";
	m.body = "Your verification code is " CODE ".\n";
	m.timeout_ms = 10000;
	m.now = INT64_C(1700000000); /* Tue, 14 Nov 2023 22:13:20 UTC */
	return m;
}

/* cmfa_smtp_format() into a fresh buffer; NULL on failure. */
static char *
format(const struct cmfa_smtp_msg *m, size_t *len, enum cmfa_err *err)
{
	struct cmfa_buf b;
	enum cmfa_err e;
	char *p = NULL;

	cmfa_buf_init(&b, 4u * 1024u * 1024u);
	e = cmfa_smtp_format(m, &b);
	if (err != NULL)
		*err = e;
	if (e == CMFA_OK && (p = malloc(b.len + 1)) != NULL) {
		memcpy(p, cmfa_buf_str(&b), b.len + 1);
		if (len != NULL)
			*len = b.len;
	}
	cmfa_buf_free(&b);
	return p;
}

/* base_msg() with subject and body (NULL: base_msg()'s) through
 * format(), which must succeed (NULL and a failed check if not). */
static char *
format_ok(const char *subject, const char *body, size_t *len)
{
	struct cmfa_smtp_msg m = base_msg();
	char *s;

	if (subject != NULL)
		m.subject = subject;
	if (body != NULL)
		m.body = body;
	s = format(&m, len, NULL);
	CHECK(s != NULL);
	return s;
}

/* ---------------------------------------------------------------------- */
/* The message                                                            */

static void
format_headers(void)
{
	char v[256];
	size_t len = 0, i;
	char *s = format_ok(NULL, NULL, &len);

	if (s == NULL)
		return;
	CHECK(strncmp(s, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n", 39) == 0);
	CHECK(header(s, "From", v, sizeof(v)) && strcmp(v, FROM) == 0);
	CHECK(header(s, "To", v, sizeof(v)) && strcmp(v, TO) == 0);
	CHECK(header(s, "Subject", v, sizeof(v)) &&
	    strcmp(v, "Your verification code") == 0);
	CHECK(header(s, "MIME-Version", v, sizeof(v)) && strcmp(v, "1.0") == 0);
	CHECK(header(s, "Content-Type", v, sizeof(v)) &&
	    strcmp(v, "text/plain; charset=UTF-8") == 0);
	CHECK(header(s, "Content-Transfer-Encoding", v, sizeof(v)) &&
	    strcmp(v, "7bit") == 0);
	/* <32 hex@domain of From> */
	CHECK(header(s, "Message-ID", v, sizeof(v)) && strlen(v) == 46 &&
	    v[0] == '<' && strcmp(v + 33, "@example.com>") == 0);
	for (i = 1; i < 33; i++)
		CHECK(strchr("0123456789abcdef", v[i]) != NULL);
	/* the headers in this order, then the body */
	CHECK(strstr(s, "\r\nFrom: ") < strstr(s, "\r\nTo: ") &&
	    strstr(s, "\r\nTo: ") < strstr(s, "\r\nSubject: ") &&
	    strstr(s, "\r\nSubject: ") < strstr(s, "\r\nMessage-ID: ") &&
	    strstr(s, "\r\nMessage-ID: ") < strstr(s, "\r\nMIME-Version: "));
	CHECK(strcmp(s + body_offset(s, len),
	          "Your verification code is " CODE ".\r\n") == 0);
	CHECK(crlf_only(s, len));
	CHECK(longest_line(s, len) <= 78);
	free(s);
}

static void
format_date(void)
{
	static const struct {
		int64_t t;
		const char *date;
	} v[] = {
		{ 0, "Date: Thu, 1 Jan 1970 00:00:00 +0000\r\n" },
		{ 951782400, "Date: Tue, 29 Feb 2000 00:00:00 +0000\r\n" },
		{ 1700000000, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n" },
		{ 4102444799, "Date: Thu, 31 Dec 2099 23:59:59 +0000\r\n" },
	};
	struct cmfa_smtp_msg m = base_msg();
	enum cmfa_err e;
	size_t i;
	char *s;

	for (i = 0; i < CMFA_ARRAY_LEN(v); i++) {
		m.now = v[i].t;
		s = format(&m, NULL, NULL);
		CHECK_MSG(s != NULL &&
		        strncmp(s, v[i].date, strlen(v[i].date)) == 0,
		    "%s", v[i].date);
		free(s);
	}
	m.now = INT64_C(253402300800); /* year 10000 */
	CHECK(format(&m, NULL, &e) == NULL && e == CMFA_ERR_INVAL);
}

static void
format_message_id_random(void)
{
	struct cmfa_smtp_msg m = base_msg();
	char a[128] = "", b[128] = "";
	char *s1 = format(&m, NULL, NULL), *s2 = format(&m, NULL, NULL);

	CHECK(s1 != NULL && s2 != NULL);
	if (s1 != NULL && s2 != NULL) {
		CHECK(header(s1, "Message-ID", a, sizeof(a)));
		CHECK(header(s2, "Message-ID", b, sizeof(b)));
		CHECK(strcmp(a, b) != 0);
	}
	free(s1);
	free(s2);
}

/* A long ASCII subject: folded at blanks, unfolded back to itself. */
static void
format_subject_ascii_folded(void)
{
	static const char subj[] =
	    "Your verification code for the production bastion hosts of the "
	    "example organisation, valid for three minutes from now";
	static const char lng[] =
	    "Code-"
	    "0123456789012345678901234567890123456789012345678901234567"
	    "89012345678901234567890123456789";
	char v[512];
	size_t len = 0, hl;
	char *s;

	s = format_ok(subj, NULL, &len);
	if (s == NULL)
		return;
	hl = body_offset(s, len);
	CHECK(longest_line(s, hl) <= 78);
	CHECK(strstr(s, "=?") == NULL);
	CHECK(strstr(s, "\r\n ") != NULL); /* folded */
	CHECK(header(s, "Subject", v, sizeof(v)) && strcmp(v, subj) == 0);
	free(s);

	/* "=?" in an ASCII subject is encoded, so no reader decodes it */
	s = format_ok("code =?x?= here", NULL, NULL);
	CHECK(s != NULL && strstr(s, "Subject: =?UTF-8?B?") != NULL);
	free(s);
	/* a word longer than a line cannot be folded: encoded words */
	s = format_ok(lng, NULL, &len);
	if (s != NULL) {
		struct cmfa_buf d;

		cmfa_buf_init(&d, 4096);
		CHECK(longest_line(s, body_offset(s, len)) <= 78);
		CHECK(header(s, "Subject", v, sizeof(v)) && ew_decode(v, &d) &&
		    strcmp(cmfa_buf_str(&d), lng) == 0);
		cmfa_buf_free(&d);
	}
	free(s);
}

static void
check_encoded_subject(const char *subj)
{
	struct cmfa_buf d;
	char v[4096];
	size_t len = 0;
	char *s = format_ok(subj, NULL, &len);

	if (s == NULL)
		return;
	cmfa_buf_init(&d, 4096);
	CHECK(strstr(s, "\r\nSubject: =?UTF-8?B?") != NULL);
	CHECK(longest_line(s, body_offset(s, len)) <= 78);
	CHECK(crlf_only(s, len));
	CHECK(header(s, "Subject", v, sizeof(v)));
	CHECK_MSG(ew_decode(v, &d) && strcmp(cmfa_buf_str(&d), subj) == 0, "%s",
	    v);
	cmfa_buf_free(&d);
	free(s);
}

static void
format_subject_encoded(void)
{
	char lng[1024];
	size_t i, n;

	check_encoded_subject("Votre code de v\xc3\xa9rification");
	check_encoded_subject("\xe9\xaa\x8c\xe8\xaf\x81\xe7\xa0\x81");
	check_encoded_subject("emoji \xf0\x9f\x94\x91 key");
	check_encoded_subject(" leading blank");
	check_encoded_subject("tab\tinside ok, trailing blank ");
	/* long, with 2-, 3- and 4-byte characters: several words, none
	 * splitting a character */
	for (i = 0, n = 0; i < 30; i++) {
		const char *ch = i % 3 == 0 ? "\xc3\xa9"
		    : i % 3 == 1            ? "\xe2\x82\xac"
		                            : "\xf0\x9f\x94\x91";

		memcpy(lng + n, ch, strlen(ch));
		n += strlen(ch);
	}
	lng[n] = '\0';
	check_encoded_subject(lng);
}

static void
format_body_crlf(void)
{
	size_t len = 0;
	char *s = format_ok(NULL, "one\ntwo\r\nthree\rfour", &len);

	if (s != NULL) {
		CHECK(crlf_only(s, len));
		CHECK_STR_EQ(s + body_offset(s, len),
		    "one\r\ntwo\r\nthree\r\nfour\r\n");
	}
	free(s);
	s = format_ok(NULL, "", &len);
	CHECK(s != NULL && s[body_offset(s, len)] == '\0');
	free(s);
}

/* Decode the quoted-printable body of s and compare with want. */
static void
check_qp_body(const char *body, const char *want)
{
	struct cmfa_buf d;
	char v[128];
	size_t len = 0, off;
	char *s = format_ok(NULL, body, &len);

	if (s == NULL)
		return;
	cmfa_buf_init(&d, 1u << 20);
	off = body_offset(s, len);
	CHECK(header(s, "Content-Transfer-Encoding", v, sizeof(v)) &&
	    strcmp(v, "quoted-printable") == 0);
	CHECK(crlf_only(s, len));
	CHECK(longest_line(s + off, len - off) <= 76);
	CHECK(qp_decode(s + off, len - off, &d));
	CHECK(d.len == strlen(want) && memcmp(d.p, want, d.len) == 0);
	cmfa_buf_free(&d);
	free(s);
}

static void
format_body_qp(void)
{
	char lng[1200], want[1300];

	check_qp_body("Votre code est " CODE ".\nIl expire dans 3 minutes "
	              "\xe2\x80\x94 \xc3\xa0 bient\xc3\xb4t.\n",
	    "Votre code est " CODE ".\r\nIl expire dans 3 minutes "
	    "\xe2\x80\x94 \xc3\xa0 bient\xc3\xb4t.\r\n");
	/* '=' and a blank at a line's end survive */
	check_qp_body("a=b \xc3\xa9 \nend\t", "a=b \xc3\xa9 \r\nend\t\r\n");
	/* an ASCII line over 998 bytes is quoted-printable too */
	memset(lng, 'x', 1000);
	lng[1000] = '\0';
	snprintf(want, sizeof(want), "%s\r\n", lng);
	check_qp_body(lng, want);
	/* a control character too */
	check_qp_body("bell\x07", "bell\x07\r\n");
}

/* Lines starting with '.' are left to libcurl's dot-stuffing. */
static void
format_dot_lines(void)
{
	size_t len = 0;
	char *s = format_ok(NULL, ".hidden\n.\n..two\nend\n", &len);

	if (s != NULL)
		CHECK_STR_EQ(s + body_offset(s, len),
		    ".hidden\r\n.\r\n..two\r\nend\r\n");
	free(s);
}

static void
format_refuses_injection(void)
{
	static const char *const bad_addr[] = {
		"a@example.com\r\nBcc: eve@example.net",
		"a@example.com\nBcc: eve@example.net",
		"Alice <alice@example.org>",
		"alice@example.org (Alice)",
		"\"a b\"@example.org",
		"alice",
		"@example.org",
		"alice@",
		"a@b@example.org",
		".alice@example.org",
		"alice.@example.org",
		"al..ice@example.org",
		"alice@-example.org",
		"alice@example-.org",
		"alice@example..org",
		"alice@.example.org",
		"alice@example.org.",
		"alice@exa_mple.org",
		"al ice@example.org",
		"al\tice@example.org",
		"\xc3\xa9@example.org",
		"alice@ex\xc3\xa4mple.org",
		"alice@[127.0.0.1]",
		"",
	};
	static const char *const bad_subject[] = {
		"code\r\nBcc: eve@example.net",
		"code\nBcc: eve@example.net",
		"code\rX",
		"bell\x07",
		"c1 \xc2\x85 next line",
		"invalid \xc3",
		"del \x7f",
	};
	struct cmfa_smtp_msg m = base_msg();
	enum cmfa_err e = CMFA_OK;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(bad_addr); i++) {
		m = base_msg();
		m.from = bad_addr[i];
		CHECK_MSG(format(&m, NULL, &e) == NULL && e == CMFA_ERR_INVAL,
		    "from %s", bad_addr[i]);
		m = base_msg();
		m.to = bad_addr[i];
		CHECK_MSG(format(&m, NULL, &e) == NULL && e == CMFA_ERR_INVAL,
		    "to %s", bad_addr[i]);
	}
	for (i = 0; i < CMFA_ARRAY_LEN(bad_subject); i++) {
		m = base_msg();
		m.subject = bad_subject[i];
		CHECK_MSG(format(&m, NULL, &e) == NULL && e == CMFA_ERR_INVAL,
		    "subject %zu", i);
	}
	m = base_msg();
	m.body = "invalid UTF-8 \xff";
	CHECK(format(&m, NULL, &e) == NULL && e == CMFA_ERR_INVAL);
	m = base_msg();
	m.to = NULL;
	CHECK(format(&m, NULL, &e) == NULL && e == CMFA_ERR_INVAL);
	/* the longest addresses allowed, and one byte more */
	{
		char local[70], addr[300];

		memset(local, 'a', 64);
		local[64] = '\0';
		snprintf(addr, sizeof(addr), "%s@example.org", local);
		m = base_msg();
		m.to = addr;
		free(format(&m, NULL, &e));
		CHECK(e == CMFA_OK);
		snprintf(addr, sizeof(addr), "%sa@example.org", local);
		CHECK(format(&m, NULL, &e) == NULL && e == CMFA_ERR_INVAL);
	}
	/* valid odd ones */
	m = base_msg();
	m.to = "o'brien+mfa/x=y@sub-1.example.org";
	free(format(&m, NULL, &e));
	CHECK(e == CMFA_OK);
}

static void
format_appends(void)
{
	struct cmfa_smtp_msg m = base_msg();
	struct cmfa_buf b;

	cmfa_buf_init(&b, 1u << 20);
	CHECK(cmfa_buf_append_str(&b, "PREFIX") == CMFA_OK);
	CHECK(cmfa_smtp_format(&m, &b) == CMFA_OK);
	CHECK(strncmp(cmfa_buf_str(&b), "PREFIXDate: ", 12) == 0);
	/* a failure leaves out as it was */
	m.to = "bad address";
	{
		size_t before = b.len;

		CHECK(cmfa_smtp_format(&m, &b) == CMFA_ERR_INVAL);
		CHECK(b.len == before);
	}
	cmfa_buf_free(&b);
	/* a buffer whose maximum is too small */
	cmfa_buf_init(&b, 32);
	m = base_msg();
	CHECK(cmfa_smtp_format(&m, &b) == CMFA_ERR_NOMEM && b.len == 0);
	cmfa_buf_free(&b);
	CHECK(cmfa_smtp_format(&m, NULL) == CMFA_ERR_INVAL);
}

/* ---------------------------------------------------------------------- */
/* The credentials file: parser                                           */

static enum cmfa_err
parse(const char *s, size_t len, char *user, char *pass)
{
	return cmfa_smtp_creds_parse(s, len, user, CMFA_SMTP_USER_MAX, pass,
	    CMFA_SMTP_PASS_MAX);
}

#define PARSE_STR(s, u, p) parse((s), sizeof(s) - 1, (u), (p))

static void
creds_good(void)
{
	static const char f[] = "# SMTP credentials for cognito-mfa\n"
	                        "\n"
	                        "   # indented comment\n"
	                        "username =  " USER "\t\n"
	                        " \t\n"
	                        "password\t=\t" PASS;
	char u[CMFA_SMTP_USER_MAX], p[CMFA_SMTP_PASS_MAX];

	CHECK(PARSE_STR(f, u, p) == CMFA_OK);
	CHECK_STR_EQ(u, USER);
	CHECK_STR_EQ(p, PASS);
	CHECK(PARSE_STR("password=x\nusername=y\n", u, p) == CMFA_OK);
	CHECK_STR_EQ(u, "y");
	CHECK_STR_EQ(p, "x");
	/* UTF-8 values */
	CHECK(PARSE_STR("username=j\xc3\xbcrgen\npassword=p\xc3\xa4ss\n", u,
	          p) == CMFA_OK);
	CHECK_STR_EQ(p, "p\xc3\xa4ss");
}

/* A failed parse leaves both outputs untouched. */
static void
check_parse_fails(const char *s, size_t len, enum cmfa_err want)
{
	char u[CMFA_SMTP_USER_MAX], p[CMFA_SMTP_PASS_MAX];

	memset(u, 'U', sizeof(u));
	memset(p, 'P', sizeof(p));
	CHECK_INT_EQ(parse(s, len, u, p), want);
	CHECK(u[0] == 'U' && u[sizeof(u) - 1] == 'U');
	CHECK(p[0] == 'P' && p[sizeof(p) - 1] == 'P');
}

#define FAILS(s, want) check_parse_fails((s), sizeof(s) - 1, (want))

static void
creds_duplicates(void)
{
	FAILS("username=a\npassword=b\nusername=a\n", CMFA_ERR_PARSE);
	FAILS("username=a\npassword=b\npassword=c\n", CMFA_ERR_PARSE);
	FAILS("username=a\nusername = a\npassword=b\n", CMFA_ERR_PARSE);
}

static void
creds_missing(void)
{
	FAILS("", CMFA_ERR_PARSE);
	FAILS("# nothing\n\n", CMFA_ERR_PARSE);
	FAILS("username=a\n", CMFA_ERR_PARSE);
	FAILS("password=b\n", CMFA_ERR_PARSE);
	FAILS("username=\npassword=b\n", CMFA_ERR_PARSE);
	FAILS("username=a\npassword=  \n", CMFA_ERR_PARSE);
}

static void
creds_unknown_key(void)
{
	FAILS("username=a\npassword=b\nserver=c\n", CMFA_ERR_PARSE);
	FAILS("user=a\npassword=b\n", CMFA_ERR_PARSE);
	FAILS("Username=a\npassword=b\n", CMFA_ERR_PARSE);
	FAILS("username=a\npassword=b\n=c\n", CMFA_ERR_PARSE);
	FAILS("username=a\npassword=b\njust text\n", CMFA_ERR_PARSE);
	FAILS("username: a\npassword=b\n", CMFA_ERR_PARSE);
	FAILS("\xef\xbb\xbfusername=a\npassword=b\n", CMFA_ERR_PARSE);
}

static void
creds_too_long(void)
{
	char f[CMFA_SMTP_CREDS_MAX + 64], u[8], p[CMFA_SMTP_PASS_MAX];
	char val[CMFA_SMTP_PASS_MAX + 1];
	int n;

	/* 255 bytes fit, 256 do not */
	memset(val, 'v', CMFA_SMTP_PASS_MAX - 1);
	val[CMFA_SMTP_PASS_MAX - 1] = '\0';
	n = snprintf(f, sizeof(f), "username=a\npassword=%s\n", val);
	{
		char uu[CMFA_SMTP_USER_MAX];

		CHECK(parse(f, (size_t)n, uu, p) == CMFA_OK &&
		    strlen(p) == CMFA_SMTP_PASS_MAX - 1);
	}
	val[CMFA_SMTP_PASS_MAX - 1] = 'v';
	val[CMFA_SMTP_PASS_MAX] = '\0';
	n = snprintf(f, sizeof(f), "username=a\npassword=%s\n", val);
	check_parse_fails(f, (size_t)n, CMFA_ERR_TOOBIG);
	n = snprintf(f, sizeof(f), "username=%s\npassword=a\n", val);
	check_parse_fails(f, (size_t)n, CMFA_ERR_TOOBIG);
	/* longer than the caller's buffer */
	memset(u, 'U', sizeof(u));
	CHECK(cmfa_smtp_creds_parse("username=12345678\npassword=b", 28, u,
	          sizeof(u), p, sizeof(p)) == CMFA_ERR_TOOBIG);
	CHECK(u[0] == 'U');
	CHECK(cmfa_smtp_creds_parse("username=1234567\npassword=b", 27, u,
	          sizeof(u), p, sizeof(p)) == CMFA_OK);
	CHECK_STR_EQ(u, "1234567");
	/* the file over its cap, even if all comments */
	memset(f, '#', CMFA_SMTP_CREDS_MAX + 1);
	f[0] = 'u';
	check_parse_fails(f, CMFA_SMTP_CREDS_MAX + 1, CMFA_ERR_TOOBIG);
}

static void
creds_nul(void)
{
	FAILS("username=a\npassword=b\0c\n", CMFA_ERR_PARSE);
	FAILS("username=a\0\npassword=b\n", CMFA_ERR_PARSE);
	FAILS("# \0\nusername=a\npassword=b\n", CMFA_ERR_PARSE);
}

static void
creds_cr(void)
{
	FAILS("username=a\r\npassword=b\r\n", CMFA_ERR_PARSE);
	FAILS("username=a\npassword=b\r", CMFA_ERR_PARSE);
	FAILS("username=a\npassword=b\rc\n", CMFA_ERR_PARSE);
	FAILS("# comment\r\nusername=a\npassword=b\n", CMFA_ERR_PARSE);
	/* other control characters, invalid UTF-8 */
	FAILS("username=a\npassword=b\x1b\n", CMFA_ERR_PARSE);
	FAILS("username=a\npassword=b\x7f\n", CMFA_ERR_PARSE);
	FAILS("username=a\npassword=b\xc2\x85\n", CMFA_ERR_PARSE);
	FAILS("username=a\npassword=b\xff\n", CMFA_ERR_PARSE);
	FAILS("username=a\x0bpassword=b\n", CMFA_ERR_PARSE);
	{
		char u[4], p[4];

		CHECK(cmfa_smtp_creds_parse(NULL, 1, u, 4, p, 4) ==
		    CMFA_ERR_INVAL);
		CHECK(cmfa_smtp_creds_parse("x", 1, u, 0, p, 4) ==
		    CMFA_ERR_INVAL);
	}
}

/* ---------------------------------------------------------------------- */
/* The credentials file: trust                                            */

static const char creds_text[] = "username = " USER "\npassword = " PASS "\n";

/* A fresh directory below g_top for one test. */
static bool
test_dir(const char *name, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/%s-%u", g_top, name, ++g_seq);
	return mkdir(out, 0700) == 0;
}

static enum cmfa_err
load(const char *path, uid_t owner, char *u, char *p)
{
	return cmfa_smtp_creds_load(path, owner, u, CMFA_SMTP_USER_MAX, p,
	    CMFA_SMTP_PASS_MAX);
}

static void
creds_load_ok(void)
{
	char d[128], f[PATH_MAX], u[CMFA_SMTP_USER_MAX], p[CMFA_SMTP_PASS_MAX];

	CHECK(test_dir("creds", d, sizeof(d)));
	snprintf(f, sizeof(f), "%s/smtp-creds", d);
	CHECK(cmfa_fixture_put(f, creds_text, sizeof(creds_text) - 1, 0600));
	CHECK(load(f, geteuid(), u, p) == CMFA_OK);
	CHECK_STR_EQ(u, USER);
	CHECK_STR_EQ(p, PASS);
	CHECK(chmod(f, 0400) == 0);
	CHECK(load(f, geteuid(), u, p) == CMFA_OK);
	CHECK(load("relative/creds", geteuid(), u, p) == CMFA_ERR_INVAL);
	snprintf(f, sizeof(f), "%s/", d);
	CHECK(load(f, geteuid(), u, p) == CMFA_ERR_INVAL);
	snprintf(f, sizeof(f), "%s/absent", d);
	CHECK(load(f, geteuid(), u, p) == CMFA_ERR_NOTFOUND);
	/* a parse error comes through */
	snprintf(f, sizeof(f), "%s/bad", d);
	CHECK(cmfa_fixture_put(f, "username=a\n", 11, 0600));
	CHECK(load(f, geteuid(), u, p) == CMFA_ERR_PARSE);
}

static void
creds_load_mode(void)
{
	static const mode_t bad[] = { 0644, 0640, 0604, 0610, 0601, 0620, 0602,
		0660 };
	char d[128], f[PATH_MAX], u[CMFA_SMTP_USER_MAX], p[CMFA_SMTP_PASS_MAX];
	size_t i;

	CHECK(test_dir("mode", d, sizeof(d)));
	snprintf(f, sizeof(f), "%s/smtp-creds", d);
	CHECK(cmfa_fixture_put(f, creds_text, sizeof(creds_text) - 1, 0600));
	for (i = 0; i < CMFA_ARRAY_LEN(bad); i++) {
		memset(u, 'U', sizeof(u));
		CHECK(chmod(f, bad[i]) == 0);
		CHECK_MSG(load(f, geteuid(), u, p) == CMFA_ERR_UNTRUSTED,
		    "mode %o", (unsigned)bad[i]);
		CHECK(u[0] == 'U');
	}
	/* a directory above that others may write to */
	CHECK(chmod(f, 0600) == 0);
	CHECK(chmod(d, 0777) == 0);
	CHECK(load(f, geteuid(), u, p) == CMFA_ERR_UNTRUSTED);
	CHECK(chmod(d, 0700) == 0);
	CHECK(load(f, geteuid(), u, p) == CMFA_OK);
	/* a second hard link */
	{
		char l[PATH_MAX + 16];

		snprintf(l, sizeof(l), "%s/link", d);
		CHECK(link(f, l) == 0);
		CHECK(load(f, geteuid(), u, p) == CMFA_ERR_UNTRUSTED);
	}
}

static void
creds_load_symlink(void)
{
	char d[128], f[PATH_MAX], l[PATH_MAX + 16], sub[PATH_MAX + 16],
	    u[CMFA_SMTP_USER_MAX], p[CMFA_SMTP_PASS_MAX];

	CHECK(test_dir("symlink", d, sizeof(d)));
	snprintf(f, sizeof(f), "%s/smtp-creds", d);
	snprintf(l, sizeof(l), "%s/link", d);
	CHECK(cmfa_fixture_put(f, creds_text, sizeof(creds_text) - 1, 0600));
	CHECK(symlink(f, l) == 0);
	CHECK(load(l, geteuid(), u, p) == CMFA_ERR_UNTRUSTED);
	/* a symlinked directory on the way */
	snprintf(sub, sizeof(sub), "%s/dirlink", d);
	CHECK(symlink(d, sub) == 0);
	snprintf(l, sizeof(l), "%s/dirlink/smtp-creds", d);
	CHECK(load(l, geteuid(), u, p) == CMFA_ERR_UNTRUSTED);
	/* a FIFO, a directory */
	snprintf(l, sizeof(l), "%s/fifo", d);
	CHECK(mkfifo(l, 0600) == 0);
	CHECK(load(l, geteuid(), u, p) == CMFA_ERR_UNTRUSTED);
	snprintf(l, sizeof(l), "%s/dir", d);
	CHECK(mkdir(l, 0700) == 0);
	CHECK(load(l, geteuid(), u, p) == CMFA_ERR_UNTRUSTED);
}

static void
creds_load_owner(void)
{
	char d[128], f[PATH_MAX], u[CMFA_SMTP_USER_MAX], p[CMFA_SMTP_PASS_MAX];

	if (geteuid() != 0)
		SKIP("a file of another owner needs root");
	CHECK(test_dir("owner", d, sizeof(d)));
	snprintf(f, sizeof(f), "%s/smtp-creds", d);
	CHECK(cmfa_fixture_put(f, creds_text, sizeof(creds_text) - 1, 0600));
	CHECK(load(f, 0, u, p) == CMFA_OK);
	/* the file belongs to nobody: refused for root */
	CHECK(chown(f, 65534, 65534) == 0);
	memset(u, 'U', sizeof(u));
	CHECK(load(f, 0, u, p) == CMFA_ERR_UNTRUSTED);
	CHECK(u[0] == 'U');
	/* and accepted when nobody is the expected owner (the directories
	 * belong to root, which is always trusted) */
	CHECK(load(f, 65534, u, p) == CMFA_OK);
}

/* ---------------------------------------------------------------------- */
/* Servers                                                                */

struct srv {
	char dir[128];
	pid_t pid;
	int in; /* the server's stdin: closing it stops smtp_server.py */
	unsigned port;
	char url[64];
};

static void
srv_stop(struct srv *s)
{
	if (s->in >= 0)
		close(s->in);
	s->in = -1;
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	s->pid = -1;
}

/* fork + execve argv with an empty-ish environment, stdin a pipe,
 * stdout and stderr to dir/server.err. */
static bool
srv_spawn(struct srv *s, char *const argv[])
{
	char errpath[PATH_MAX + 16];
	int pfd[2], fd;

	s->pid = -1;
	s->in = -1;
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return false;
	snprintf(errpath, sizeof(errpath), "%s/server.err", s->dir);
	fflush(NULL);
	if ((s->pid = fork()) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return false;
	}
	if (s->pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(pfd[0], 0);
		if ((fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >=
		    0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execve(argv[0], argv, cmfa_fixture_child_env());
		_exit(127);
	}
	close(pfd[0]);
	s->in = pfd[1];
	return true;
}

static bool
srv_exited(struct srv *s)
{
	if (s->pid > 0 && waitpid(s->pid, NULL, WNOHANG) == s->pid) {
		s->pid = -1;
		return true;
	}
	return s->pid <= 0;
}

static void
srv_set_url(struct srv *s, const char *scheme)
{
	snprintf(s->url, sizeof(s->url), "%s://127.0.0.1:%u", scheme, s->port);
}

/* smtp_server.py DIR args...; waits for DIR/port (up to 15 s). */
static bool
srv_start_py(struct srv *s, const char *name, const char *const *args)
{
	char *argv[12], path[PATH_MAX + 16], *port;
	size_t n = 0, i;
	uint64_t p;

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	s->in = -1;
	if (access(PY, X_OK) != 0 || access(SERVER, R_OK) != 0 ||
	    !test_dir(name, s->dir, sizeof(s->dir)))
		return false;
	argv[n++] = (char *)PY;
	argv[n++] = (char *)SERVER;
	argv[n++] = s->dir;
	for (i = 0; args != NULL && args[i] != NULL && n < 11; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	if (g_have_cert) {
		char from[PATH_MAX + 16];

		snprintf(from, sizeof(from), "%s/cert.pem", g_top);
		snprintf(path, sizeof(path), "%s/cert.pem", s->dir);
		(void)copy_path(from, path);
		snprintf(from, sizeof(from), "%s/key.pem", g_top);
		snprintf(path, sizeof(path), "%s/key.pem", s->dir);
		(void)copy_path(from, path);
	}
	snprintf(path, sizeof(path), "%s/auth", s->dir);
	if (!cmfa_fixture_put(path, USER "\n" PASS "\n", sizeof(USER PASS) + 1,
	        0600) ||
	    !srv_spawn(s, argv))
		return false;
	snprintf(path, sizeof(path), "%s/port", s->dir);
	for (i = 0; i < 300; i++) {
		if ((port = cmfa_fixture_read(path, NULL)) != NULL) {
			enum cmfa_err e = cmfa_parse_u64(port,
			    strcspn(port, "\n"), 65535, &p);

			free(port);
			if (e == CMFA_OK && p > 2000) {
				s->port = (unsigned)p;
				srv_set_url(s, "smtp");
				return true;
			}
		}
		if (srv_exited(s))
			return false;
		cmfa_fixture_sleep_ms(50);
	}
	srv_stop(s);
	return false;
}

static bool
port_accepts(unsigned port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/*
 * The stock server: python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c
 * aiosmtpd.handlers.Mailbox DIR/maildir, on a port found free by binding
 * port 0 (tried again if another process took it meanwhile).
 */
static bool
srv_start_aiosmtpd(struct srv *s)
{
	char listen_at[32], maildir[PATH_MAX + 16];
	char *argv[] = { (char *)PY, (char *)"-m", (char *)"aiosmtpd",
		(char *)"-n", (char *)"-l", listen_at, (char *)"-c",
		(char *)"aiosmtpd.handlers.Mailbox", maildir, NULL };
	int attempt, i, fd;

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	s->in = -1;
	if (access(PY, X_OK) != 0 ||
	    !test_dir("aiosmtpd", s->dir, sizeof(s->dir)))
		return false;
	snprintf(maildir, sizeof(maildir), "%s/maildir", s->dir);
	for (attempt = 0; attempt < 3; attempt++) {
		if ((fd = cmfa_fixture_bound_socket(&s->port)) < 0)
			return false;
		close(fd);
		snprintf(listen_at, sizeof(listen_at), "127.0.0.1:%u", s->port);
		if (!srv_spawn(s, argv))
			return false;
		for (i = 0; i < 300 && !srv_exited(s); i++) {
			if (port_accepts(s->port)) {
				srv_set_url(s, "smtp");
				return true;
			}
			cmfa_fixture_sleep_ms(50);
		}
		srv_stop(s);
	}
	return false;
}

/* The n-th message smtp_server.py stored (NULL: none). */
static char *
srv_msg(const struct srv *s, int n, size_t *len)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/msg-%d.eml", s->dir, n);
	return cmfa_fixture_read(path, len);
}

static char *
srv_file(const struct srv *s, const char *name)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	return cmfa_fixture_read(path, NULL);
}

/* The one message in the Maildir's new/ (NULL: none, or several). */
static char *
maildir_msg(const struct srv *s)
{
	char path[256], found[PATH_MAX] = "";
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/maildir/new", s->dir);
	if ((d = opendir(path)) == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(found, sizeof(found), "%s/%s", path, e->d_name);
		n++;
	}
	closedir(d);
	return n == 1 ? cmfa_fixture_read(found, NULL) : NULL;
}

/* A line of text (LF or CR LF ends) equal to line. */
static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') &&
		    (p[n] == '\n' || (p[n] == '\r' && p[n + 1] == '\n')))
			return true;
		p++;
	}
	return false;
}

/* err is one line, names the reply code when want is set, and holds no
 * secret. */
static void
check_err_line(const char *err, const char *want)
{
	CHECK(err[0] != '\0');
	CHECK_MSG(strchr(err, '\n') == NULL && strchr(err, '\r') == NULL,
	    "err \"%s\"", err);
	CHECK_MSG(strstr(err, PASS) == NULL && strstr(err, CODE) == NULL,
	    "err \"%s\"", err);
	if (want != NULL)
		CHECK_MSG(strstr(err, want) != NULL, "err \"%s\"", err);
}

/* ---------------------------------------------------------------------- */
/* Sending                                                                */

#define NEED(cond, why)                                                        \
	do {                                                                   \
		if (!(cond))                                                   \
			SKIP("%s", why);                                       \
	} while (0)

/* The stock aiosmtpd: the message in its Maildir, dots intact. */
static void
send_maildir(void)
{
	struct cmfa_smtp_msg m = base_msg();
	char err[CMFA_SMTP_ERR_MAX] = "x";
	struct srv s;
	char *got;

	NEED(srv_start_aiosmtpd(&s), "python3 -m aiosmtpd did not start");
	m.url = s.url;
	m.subject = "Your verification code";
	m.body = "Your verification code is " CODE ".\n"
	         ".hidden line\n"
	         ".\n"
	         "after the dot\n";
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_OK);
	CHECK_STR_EQ(err, "");
	got = maildir_msg(&s);
	CHECK(got != NULL);
	if (got != NULL) {
		CHECK(has_line(got, "From: " FROM));
		CHECK(has_line(got, "To: " TO));
		CHECK(has_line(got, "Subject: Your verification code"));
		CHECK(has_line(got, "X-MailFrom: " FROM));
		CHECK(has_line(got, "X-RcptTo: " TO));
		CHECK(has_line(got, "Your verification code is " CODE "."));
		CHECK(has_line(got, ".hidden line"));
		CHECK(has_line(got, "."));
		CHECK(has_line(got, "after the dot"));
		CHECK(strstr(got, "..hidden") == NULL);
	}
	free(got);
	srv_stop(&s);
}

/* Drop the Message-ID line (random each time) from a message. */
static void
drop_message_id(char *s)
{
	char *p = strstr(s, "\r\nMessage-ID: "), *e;

	if (p != NULL && (e = strstr(p + 2, "\r\n")) != NULL)
		memmove(p, e, strlen(e) + 1);
}

/* The n-th message the server stored is m as cmfa_smtp_format() makes
 * it (but for the random Message-ID). */
static void
check_as_formatted(const struct srv *s, int n, const struct cmfa_smtp_msg *m)
{
	char *got = srv_msg(s, n, NULL), *want = format(m, NULL, NULL);

	CHECK(got != NULL && want != NULL);
	if (got != NULL && want != NULL) {
		drop_message_id(got);
		drop_message_id(want);
		CHECK_STR_EQ(got, want);
	}
	free(got);
	free(want);
}

/* What the server received is what cmfa_smtp_format() makes. */
static void
send_exact_bytes(void)
{
	struct cmfa_smtp_msg m = base_msg();
	char err[CMFA_SMTP_ERR_MAX], *env;
	struct srv s;

	NEED(srv_start_py(&s, "exact", NULL), "smtp_server.py did not start");
	m.url = s.url;
	m.subject = "Code de v\xc3\xa9rification \xe2\x80\x94 h\xc3\xb4tes";
	m.body = "Votre code : " CODE "\n"
	         ".ligne avec un point\n"
	         ".\n"
	         "..deux\n"
	         "fin \xe2\x80\x94 \xc3\xa0 bient\xc3\xb4t\n";
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_OK);
	check_as_formatted(&s, 1, &m);
	env = srv_file(&s, "env-1.txt");
	CHECK(env != NULL &&
	    strcmp(env, "MAIL FROM:<" FROM ">\nRCPT TO:<" TO ">\n") == 0);
	free(env);
	/* ASCII 7bit, including a line that is a single dot */
	m = base_msg();
	m.url = s.url;
	m.body = "line\n.\n.x\n";
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_OK);
	check_as_formatted(&s, 2, &m);
	srv_stop(&s);
}

static void
ca_path(char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/cert.pem", g_top);
}

/* m to s with the test's credentials over TLS (STARTTLS unless s's URL
 * is smtps://), trusting our certificate when ca is not NULL (its path
 * goes there). */
static void
tls_msg(struct cmfa_smtp_msg *m, const struct srv *s, char *ca, size_t casz)
{
	m->url = s->url;
	m->starttls = strncmp(s->url, "smtps:", 6) != 0;
	if (ca != NULL) {
		ca_path(ca, casz);
		m->ca_bundle = ca;
	}
	m->username = USER;
	m->password = PASS;
}

/* STARTTLS required, then AUTH with mech (the only one offered). */
static void
check_starttls_auth(const char *mech)
{
	static const char *args_plain[] = { "--starttls", "--auth", "PLAIN",
		NULL };
	static const char *args_login[] = { "--starttls", "--auth", "LOGIN",
		NULL };
	struct cmfa_smtp_msg m = base_msg();
	char err[CMFA_SMTP_ERR_MAX], ca[PATH_MAX + 16], want[32];
	char *got, *log;
	struct srv s;

	NEED(g_have_cert, "no certificate (openssl)");
	NEED(srv_start_py(&s, "starttls",
	         strcmp(mech, "PLAIN") == 0 ? args_plain : args_login),
	    "smtp_server.py did not start");
	tls_msg(&m, &s, ca, sizeof(ca));
	CHECK_MSG(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_OK, "%s", err);
	got = srv_msg(&s, 1, NULL);
	log = srv_file(&s, "auth.log");
	snprintf(want, sizeof(want), "%s ok\n", mech);
	CHECK(got != NULL && strstr(got, CODE) != NULL);
	CHECK_MSG(log != NULL && strcmp(log, want) == 0, "%s",
	    log ? log : "(none)");
	free(got);
	free(log);
	srv_stop(&s);
}

static void
send_starttls_auth_plain(void)
{
	check_starttls_auth("PLAIN");
}

static void
send_starttls_auth_login(void)
{
	check_starttls_auth("LOGIN");
}

/* smtps://: TLS from the first byte, AUTH inside it. */
static void
send_smtps_auth(void)
{
	static const char *args[] = { "--smtps", "--auth", "PLAIN", NULL };
	struct cmfa_smtp_msg m = base_msg();
	char err[CMFA_SMTP_ERR_MAX], ca[PATH_MAX + 16], *got;
	struct srv s;

	NEED(g_have_cert, "no certificate (openssl)");
	NEED(srv_start_py(&s, "smtps", args), "smtp_server.py did not start");
	srv_set_url(&s, "smtps");
	tls_msg(&m, &s, ca, sizeof(ca));
	CHECK_MSG(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_OK, "%s", err);
	got = srv_msg(&s, 1, NULL);
	CHECK(got != NULL && strstr(got, CODE) != NULL);
	free(got);
	srv_stop(&s);
}

static void
send_wrong_password(void)
{
	static const char *args[] = { "--starttls", "--auth", "PLAIN", NULL };
	struct cmfa_smtp_msg m = base_msg();
	char err[CMFA_SMTP_ERR_MAX], ca[PATH_MAX + 16], *got, *log;
	struct srv s;

	NEED(g_have_cert, "no certificate (openssl)");
	NEED(srv_start_py(&s, "wrongpw", args), "smtp_server.py did not start");
	tls_msg(&m, &s, ca, sizeof(ca));
	m.password = PASS "x";
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_ERR_IO);
	check_err_line(err, "535");
	CHECK(strstr(err, PASS "x") == NULL);
	got = srv_msg(&s, 1, NULL);
	log = srv_file(&s, "auth.log");
	CHECK(got == NULL);
	CHECK(log != NULL && strcmp(log, "PLAIN fail\n") == 0);
	free(got);
	free(log);
	srv_stop(&s);
}

/* A certificate nobody vouches for: no TLS, nothing sent. */
static void
send_untrusted_cert(void)
{
	static const char *args[] = { "--starttls", "--auth", "PLAIN", NULL };
	struct cmfa_smtp_msg m = base_msg();
	char err[CMFA_SMTP_ERR_MAX], *got, *log;
	struct srv s;

	NEED(g_have_cert, "no certificate (openssl)");
	NEED(srv_start_py(&s, "untrusted", args),
	    "smtp_server.py did not start");
	tls_msg(&m, &s, NULL, 0); /* no CA: our certificate is untrusted */
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_ERR_IO);
	check_err_line(err, NULL);
	got = srv_msg(&s, 1, NULL);
	log = srv_file(&s, "auth.log");
	CHECK(got == NULL && log == NULL);
	free(got);
	free(log);
	srv_stop(&s);
}

/* STARTTLS required but not offered: fails, never falls back. */
static void
send_no_starttls_offered(void)
{
	struct cmfa_smtp_msg m = base_msg();
	char err[CMFA_SMTP_ERR_MAX], *got;
	struct srv s;

	NEED(srv_start_py(&s, "nostarttls", NULL),
	    "smtp_server.py did not start");
	m.url = s.url;
	m.starttls = true;
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_ERR_IO);
	check_err_line(err, NULL);
	CHECK_MSG(strstr(err, "STARTTLS") != NULL, "%s", err);
	got = srv_msg(&s, 1, NULL);
	CHECK(got == NULL);
	free(got);
	/* with credentials too */
	m.username = USER;
	m.password = PASS;
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_ERR_IO);
	check_err_line(err, NULL);
	got = srv_msg(&s, 1, NULL);
	CHECK(got == NULL);
	free(got);
	srv_stop(&s);
}

/* A loopback socket of ours, bound, not listening yet (a failed check
 * and -1 if there is none); its port and smtp:// URL. */
static int
own_socket(unsigned *port, char *url, size_t urlsz)
{
	int fd = cmfa_fixture_bound_socket(port);

	CHECK(fd >= 0);
	if (fd >= 0)
		snprintf(url, urlsz, "smtp://127.0.0.1:%u", *port);
	return fd;
}

/* Credentials over cleartext: refused before any connection. */
static void
send_creds_cleartext_refused(void)
{
	struct cmfa_smtp_msg m = base_msg();
	char err[CMFA_SMTP_ERR_MAX], url[64];
	unsigned port = 0;
	int fd, c;

	if ((fd = own_socket(&port, url, sizeof(url))) < 0)
		return;
	CHECK(listen(fd, 4) == 0);
	CHECK(fcntl(fd, F_SETFL, O_NONBLOCK) == 0);
	m.url = url;
	m.username = USER;
	m.password = PASS;
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_ERR_INVAL);
	check_err_line(err, "TLS");
	/* a password without a username, and the reverse */
	m.username = NULL;
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_ERR_INVAL);
	m.username = USER;
	m.password = NULL;
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_ERR_INVAL);
	/* credentials in the URL would bypass the rule */
	snprintf(url, sizeof(url), "smtp://u:p@127.0.0.1:%u", port);
	m.username = NULL;
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_ERR_INVAL);
	c = accept(fd, NULL, NULL);
	CHECK(c < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
	if (c >= 0)
		close(c);
	close(fd);
}

static void
send_refused(void)
{
	struct cmfa_smtp_msg m = base_msg();
	char err[CMFA_SMTP_ERR_MAX], url[64];
	unsigned port = 0;
	double t0;
	int fd;

	/* bound, not listening: the kernel refuses connections */
	if ((fd = own_socket(&port, url, sizeof(url))) < 0)
		return;
	m.url = url;
	t0 = cmfa_fixture_now();
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_ERR_IO);
	CHECK(cmfa_fixture_now() - t0 < 5.0);
	check_err_line(err, NULL);
	close(fd);
}

/* A server that accepts and never says a word: done within the timeout. */
static void
send_stall(void)
{
	struct cmfa_smtp_msg m = base_msg();
	char err[CMFA_SMTP_ERR_MAX], url[64];
	unsigned port = 0;
	double t0, dt;
	int fd;

	if ((fd = own_socket(&port, url, sizeof(url))) < 0)
		return;
	CHECK(listen(fd, 4) == 0); /* the kernel completes the handshake */
	m.url = url;
	m.timeout_ms = 1500;
	t0 = cmfa_fixture_now();
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_ERR_IO);
	dt = cmfa_fixture_now() - t0;
	CHECK_MSG(dt >= 1.4 && dt < 3.5, "%.2f s", dt);
	check_err_line(err, NULL);
	close(fd);
}

static void
send_rcpt_550(void)
{
	static const char *args[] = { "--reject", TO, NULL };
	struct cmfa_smtp_msg m = base_msg();
	char err[CMFA_SMTP_ERR_MAX], *got;
	struct srv s;

	NEED(srv_start_py(&s, "reject", args), "smtp_server.py did not start");
	m.url = s.url;
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_ERR_IO);
	check_err_line(err, "550");
	got = srv_msg(&s, 1, NULL);
	CHECK(got == NULL);
	free(got);
	/* another recipient goes through */
	m.to = "bob@example.org";
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_OK);
	got = srv_msg(&s, 1, NULL);
	CHECK(got != NULL);
	free(got);
	srv_stop(&s);
}

static void
send_bad_args(void)
{
	static const char *const bad_url[] = {
		"http://127.0.0.1:25",
		"SMTP://127.0.0.1:25",
		"smtp://",
		"smtp:///x",
		"smtp://127.0.0.1:25/\r\nRSET",
		"smtp://127.0.0.1 :25",
		"file:///etc/passwd",
		"127.0.0.1:25",
	};
	struct cmfa_smtp_msg m = base_msg();
	char err[CMFA_SMTP_ERR_MAX];
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(bad_url); i++) {
		m.url = bad_url[i];
		CHECK_MSG(cmfa_smtp_send(&m, err, sizeof(err)) ==
		        CMFA_ERR_INVAL,
		    "%s", bad_url[i]);
		check_err_line(err, NULL);
	}
	m.url = NULL;
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_ERR_INVAL);
	CHECK(cmfa_smtp_send(NULL, err, sizeof(err)) == CMFA_ERR_INVAL);
	m.url = "smtp://127.0.0.1:2";
	m.timeout_ms = -1;
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_ERR_INVAL);
	/* a bad message is refused before connecting (a port nobody uses
	 * would also fail, but with CMFA_ERR_IO) */
	m = base_msg();
	m.url = "smtp://127.0.0.1:2";
	m.to = "x@y\r\nRCPT TO:<eve@example.net>";
	CHECK(cmfa_smtp_send(&m, err, sizeof(err)) == CMFA_ERR_INVAL);
	check_err_line(err, NULL);
	/* err may be absent */
	CHECK(cmfa_smtp_send(&m, NULL, 0) == CMFA_ERR_INVAL);
}

/* ---------------------------------------------------------------------- */

/* A self-signed certificate for 127.0.0.1 in g_top (openssl req). */
static bool
make_cert(void)
{
	char key[PATH_MAX], cert[PATH_MAX];
	char *argv[] = { (char *)OPENSSL, (char *)"req", (char *)"-x509",
		(char *)"-newkey", (char *)"ec", (char *)"-pkeyopt",
		(char *)"ec_paramgen_curve:prime256v1", (char *)"-nodes",
		(char *)"-keyout", key, (char *)"-out", cert, (char *)"-days",
		(char *)"2", (char *)"-subj", (char *)"/CN=127.0.0.1",
		(char *)"-addext", (char *)"subjectAltName=IP:127.0.0.1",
		NULL };
	pid_t pid;
	int st = 0, fd;

	if (access(OPENSSL, X_OK) != 0)
		return false;
	snprintf(key, sizeof(key), "%s/key.pem", g_top);
	snprintf(cert, sizeof(cert), "%s/cert.pem", g_top);
	fflush(NULL);
	if ((pid = fork()) < 0)
		return false;
	if (pid == 0) {
		if ((fd = open("/dev/null", O_RDWR)) >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execve(OPENSSL, argv, cmfa_fixture_child_env());
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && access(cert, R_OK) == 0;
}

static int
run_all(void)
{
	g_have_cert = make_cert();
	RUN(format_headers);
	RUN(format_date);
	RUN(format_message_id_random);
	RUN(format_subject_ascii_folded);
	RUN(format_subject_encoded);
	RUN(format_body_crlf);
	RUN(format_body_qp);
	RUN(format_dot_lines);
	RUN(format_refuses_injection);
	RUN(format_appends);
	RUN(creds_good);
	RUN(creds_duplicates);
	RUN(creds_missing);
	RUN(creds_unknown_key);
	RUN(creds_too_long);
	RUN(creds_nul);
	RUN(creds_cr);
	RUN(creds_load_ok);
	RUN(creds_load_mode);
	RUN(creds_load_symlink);
	RUN(creds_load_owner);
	RUN(send_maildir);
	RUN(send_exact_bytes);
	RUN(send_starttls_auth_plain);
	RUN(send_starttls_auth_login);
	RUN(send_smtps_auth);
	RUN(send_wrong_password);
	RUN(send_untrusted_cert);
	RUN(send_no_starttls_offered);
	RUN(send_creds_cleartext_refused);
	RUN(send_refused);
	RUN(send_stall);
	RUN(send_rcpt_550);
	RUN(send_bad_args);
	return t_tests_failed > 0 ? 1 : 0;
}

static void
cleanup(void)
{
	cmfa_fixture_rm_tree(g_top);
}

/*
 * The tests run in a child; this process removes the temporary directory
 * after it however it ended (the servers die with it: stdin closed,
 * PR_SET_PDEATHSIG).
 */
TEST_MAIN_BEGIN("test_smtp")
	snprintf(g_top, sizeof(g_top), "/tmp/cmfa-smtp-XXXXXX");
	if (mkdtemp(g_top) == NULL) {
		printf("FAIL: test_smtp/tmpdir\n");
		return 1;
	}
	return cmfa_fixture_guard(t_prog, run_all, cleanup);
TEST_MAIN_END
