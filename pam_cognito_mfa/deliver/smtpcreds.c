/*
 * smtpcreds.c: the SMTP credentials file (cmfa_deliver.h).
 *
 *   # comment
 *   username = mailer@example.com
 *   password = s3cret = with spaces inside
 *
 * Why so strict: the file holds a password that a typo could otherwise
 * silently change (a CR from a Windows editor, a stray key read as a
 * comment), and a credential that does not work is found only when a
 * user is waiting for a code.  So:
 *  - lines end at LF only; a CR anywhere, a NUL, any other control
 *    character but TAB, or invalid UTF-8 refuses the whole file;
 *  - blank lines and lines whose first non-blank character is '#' are
 *    skipped; there are no inline comments ('#' may be in a password);
 *  - every other line is "key = value", split at the first '=', spaces
 *    and TABs around key and value trimmed (a password cannot begin or
 *    end with a space);
 *  - exactly the keys "username" and "password", each exactly once, each
 *    with a non-empty value shorter than CMFA_SMTP_USER_MAX /
 *    CMFA_SMTP_PASS_MAX bytes and than the caller's buffer
 *    (CMFA_ERR_TOOBIG otherwise).
 * The values are located in place and copied out only on success, so no
 * partial copy of the password is ever left behind.
 */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cmfa_deliver.h"

struct span {
	const char *p;
	size_t len;
	bool set;
};

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

static void
trim(const char **p, size_t *len)
{
	while (*len > 0 && blank(**p)) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && blank((*p)[*len - 1]))
		(*len)--;
}

/* Every byte of a line: UTF-8 without control characters but TAB. */
static bool
line_ok(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	/* C1 controls (U+0080..U+009F) are refused here too */
	return cmfa_utf8_printable(p, len, true);
}

/* One "key = value" line into the matching span. */
static enum cmfa_err
parse_pair(const char *p, size_t len, struct span *user, struct span *pass)
{
	const char *eq = memchr(p, '=', len), *k = p, *v;
	size_t kl, vl;
	struct span *dst;

	if (eq == NULL)
		return CMFA_ERR_PARSE;
	kl = (size_t)(eq - p);
	v = eq + 1;
	vl = len - kl - 1;
	trim(&k, &kl);
	trim(&v, &vl);
	if (kl == 8 && memcmp(k, "username", 8) == 0)
		dst = user;
	else if (kl == 8 && memcmp(k, "password", 8) == 0)
		dst = pass;
	else
		return CMFA_ERR_PARSE;
	if (dst->set || vl == 0)
		return CMFA_ERR_PARSE;
	dst->p = v;
	dst->len = vl;
	dst->set = true;
	return CMFA_OK;
}

static enum cmfa_err
parse_lines(const char *p, size_t len, struct span *user, struct span *pass)
{
	const char *line, *nl;
	size_t pos = 0, ll;
	enum cmfa_err err;

	while (pos < len) {
		line = p + pos;
		nl = memchr(line, '\n', len - pos);
		ll = nl != NULL ? (size_t)(nl - line) : len - pos;
		pos += ll + (nl != NULL ? 1 : 0);
		if (!line_ok(line, ll))
			return CMFA_ERR_PARSE;
		trim(&line, &ll);
		if (ll == 0 || line[0] == '#')
			continue;
		if ((err = parse_pair(line, ll, user, pass)) != CMFA_OK)
			return err;
	}
	return user->set && pass->set ? CMFA_OK : CMFA_ERR_PARSE;
}

enum cmfa_err
cmfa_smtp_creds_parse(const char *p, size_t len, char *user, size_t usersz,
    char *pass, size_t passsz)
{
	struct span u = { NULL, 0, false }, w = { NULL, 0, false };
	enum cmfa_err err;

	if ((p == NULL && len > 0) || user == NULL || pass == NULL ||
	    usersz == 0 || passsz == 0)
		return CMFA_ERR_INVAL;
	if (len > CMFA_SMTP_CREDS_MAX)
		return CMFA_ERR_TOOBIG;
	if ((err = parse_lines(p, len, &u, &w)) != CMFA_OK)
		return err;
	if (u.len >= CMFA_SMTP_USER_MAX || u.len >= usersz ||
	    w.len >= CMFA_SMTP_PASS_MAX || w.len >= passsz)
		return CMFA_ERR_TOOBIG;
	memcpy(user, u.p, u.len);
	user[u.len] = '\0';
	memcpy(pass, w.p, w.len);
	pass[w.len] = '\0';
	return CMFA_OK;
}

/*
 * cmfa_file_read_path() with the secret's rule (no group or other bit at
 * all): the same trusted walk to the directory, then
 * cmfa_file_read_secret() on the last component, checked on the open fd.
 */
enum cmfa_err
cmfa_smtp_creds_load(const char *path, uid_t owner, char *user, size_t usersz,
    char *pass, size_t passsz)
{
	char dir[PATH_MAX];
	struct cmfa_buf b;
	const char *slash;
	enum cmfa_err err;
	size_t len, dlen;
	int dfd = -1;

	cmfa_buf_init(&b, CMFA_SMTP_CREDS_MAX);
	if (path == NULL || user == NULL || pass == NULL ||
	    (len = strnlen(path, PATH_MAX)) >= PATH_MAX || path[0] != '/')
		return CMFA_ERR_INVAL;
	slash = strrchr(path, '/');
	if (slash[1] == '\0')
		return CMFA_ERR_INVAL; /* names a directory */
	/* the directory part; "/" when the file sits in the root */
	dlen = slash == path ? 1 : (size_t)(slash - path);
	memcpy(dir, path, dlen);
	dir[dlen] = '\0';
	if ((err = cmfa_dir_open_path(dir, owner, &dfd)) != CMFA_OK)
		goto out;
	if ((err = cmfa_file_read_secret(dfd, slash + 1, owner,
	         CMFA_SMTP_CREDS_MAX, &b, NULL)) != CMFA_OK)
		goto out;
	err = cmfa_smtp_creds_parse((const char *)b.p, b.len, user, usersz,
	    pass, passsz);
out:
	cmfa_buf_free(&b); /* wipes the password's bytes */
	if (dfd >= 0)
		(void)close(dfd);
	return err;
}
