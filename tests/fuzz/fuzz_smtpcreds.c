/*
 * fuzz_smtpcreds.c: the SMTP credentials file parser
 * (deliver/smtpcreds.c), and the message formatter (deliver/smtp.c) on
 * the same input taken as a subject (its first line) and a body (the
 * rest).
 *
 * Invariants checked (abort() on violation):
 *  - the parser returns CMFA_OK, CMFA_ERR_PARSE or CMFA_ERR_TOOBIG; on
 *    failure both outputs are untouched; on success both are non-empty,
 *    NUL-terminated, shorter than their maximum, free of control
 *    characters, without a blank at either end, found in the input, and
 *    parsed again the same into buffers just large enough (TOOBIG with
 *    one byte less);
 *  - the formatter either refuses (out untouched) or makes a message
 *    with CR LF line ends only, header lines of at most 78 characters,
 *    body lines of at most 998 (7bit) or 76 (quoted-printable), and no
 *    byte outside printable ASCII, TAB, CR and LF in the headers.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_deliver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_value(const char *v, size_t max, const uint8_t *data, size_t size)
{
	size_t n = strnlen(v, max), i;

	if (n == 0 || n >= max || v[0] == ' ' || v[0] == '\t' ||
	    v[n - 1] == ' ' || v[n - 1] == '\t' ||
	    memmem(data, size, v, n) == NULL)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
			abort();
}

/* Parsed again into buffers of exactly the right size, and one less. */
static void
check_sizes(const char *p, size_t len, const char *u, const char *w)
{
	size_t ul = strlen(u) + 1, wl = strlen(w) + 1;
	char *u2 = malloc(ul), *w2 = malloc(wl);

	if (u2 == NULL || w2 == NULL)
		abort();
	if (cmfa_smtp_creds_parse(p, len, u2, ul, w2, wl) != CMFA_OK ||
	    strcmp(u, u2) != 0 || strcmp(w, w2) != 0)
		abort();
	if (cmfa_smtp_creds_parse(p, len, u2, ul - 1, w2, wl) !=
	        CMFA_ERR_TOOBIG ||
	    cmfa_smtp_creds_parse(p, len, u2, ul, w2, wl - 1) !=
	        CMFA_ERR_TOOBIG)
		abort();
	free(u2);
	free(w2);
}

static void
fuzz_creds(const uint8_t *data, size_t size)
{
	char u[CMFA_SMTP_USER_MAX], w[CMFA_SMTP_PASS_MAX];
	const char *p = (const char *)data;
	enum cmfa_err rc;

	memset(u, 0x5a, sizeof(u));
	memset(w, 0x5a, sizeof(w));
	rc = cmfa_smtp_creds_parse(p, size, u, sizeof(u), w, sizeof(w));
	if (rc != CMFA_OK) {
		char su[sizeof(u)], sw[sizeof(w)];

		memset(su, 0x5a, sizeof(su));
		memset(sw, 0x5a, sizeof(sw));
		if ((rc != CMFA_ERR_PARSE && rc != CMFA_ERR_TOOBIG) ||
		    memcmp(u, su, sizeof(u)) != 0 ||
		    memcmp(w, sw, sizeof(w)) != 0)
			abort();
		return;
	}
	check_value(u, sizeof(u), data, size);
	check_value(w, sizeof(w), data, size);
	check_sizes(p, size, u, w);
}

/* Lines of s[from..to): each at most max characters, CR LF ended. */
static void
check_lines(const char *s, size_t from, size_t to, size_t max, bool header)
{
	size_t i, col = 0;

	for (i = from; i < to; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r') {
			if (i + 1 >= to || s[i + 1] != '\n')
				abort();
			i++;
			col = 0;
			continue;
		}
		if (c == '\n' || ++col > max ||
		    (header && (c > 0x7e || (c < 0x20 && c != '\t'))))
			abort();
	}
}

static void
fuzz_format(const uint8_t *data, size_t size)
{
	struct cmfa_smtp_msg m;
	struct cmfa_buf b;
	const char *nl, *s, *body;
	char *subject, *text;
	size_t sl, hl;

	/* C strings: the input up to its first NUL */
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	nl = strchr(text, '\n');
	sl = nl != NULL ? (size_t)(nl - text) : strlen(text);
	if ((subject = strndup(text, sl)) == NULL)
		abort();
	body = nl != NULL ? nl + 1 : "";
	memset(&m, 0, sizeof(m));
	m.from = "mfa@example.com";
	m.to = "user@example.org";
	m.subject = subject;
	m.body = body;
	m.now = 1700000000;
	cmfa_buf_init(&b, 1u << 22);
	if (cmfa_smtp_format(&m, &b) != CMFA_OK) {
		if (b.len != 0)
			abort();
		goto out;
	}
	s = cmfa_buf_str(&b);
	if (strstr(s, "\r\n\r\n") == NULL)
		abort();
	hl = (size_t)(strstr(s, "\r\n\r\n") - s) + 4;
	check_lines(s, 0, hl, 78, true);
	check_lines(s, hl, b.len,
	    strstr(s, "Transfer-Encoding: 7bit\r\n") != NULL ? 998 : 76, false);
out:
	cmfa_buf_free(&b);
	free(subject);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_creds(data, size);
	fuzz_format(data, size);
	return 0;
}
