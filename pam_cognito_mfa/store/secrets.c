/*
 * secrets.c: the host's own TOTP secrets (DESIGN.md D3).  totp/<user> holds
 * the active secret and pending/<user> one awaiting its first correct
 * code, each as base32 text and "\n", mode 0600.  Every buffer that held
 * a secret is wiped before it is released.
 */
#include <sys/stat.h>

#include <string.h>

#include "cmfa_otp.h"
#include "cmfa_store.h"
#include "store_int.h"

static enum cmfa_err
secret_load(const struct cmfa_store *st, const char *dir, const char *user,
    uint8_t *key, size_t keymax, size_t *keylen)
{
	char rel[CMFA_STORE_RELPATH_MAX];
	uint8_t tmp[CMFA_TOTP_KEY_MAX];
	struct cmfa_buf b;
	enum cmfa_err err;
	size_t n = 0;

	if (st == NULL || st->dirfd < 0 || key == NULL || keylen == NULL)
		return CMFA_ERR_INVAL;
	if ((err = cmfa_store_relpath(rel, sizeof(rel), dir, user, "")) !=
	    CMFA_OK)
		return err;
	if ((err = cmfa_file_read_secret(st->dirfd, rel, st->owner,
	         CMFA_STORE_SECRET_MAX, &b, NULL)) != CMFA_OK)
		return err;
	if (b.len < 2 || b.p[b.len - 1] != '\n') {
		err = CMFA_ERR_PARSE;
		goto out;
	}
	if ((err = cmfa_base32_decode((const char *)b.p, b.len - 1, tmp,
	         sizeof(tmp), &n)) != CMFA_OK)
		goto out;
	if (n == 0) {
		err = CMFA_ERR_PARSE;
		goto out;
	}
	if (n > keymax) {
		err = CMFA_ERR_TOOBIG;
		goto out;
	}
	memcpy(key, tmp, n);
	*keylen = n;
out:
	cmfa_memzero(tmp, sizeof(tmp));
	cmfa_buf_free(&b);
	return err;
}

enum cmfa_err
cmfa_store_totp_load(const struct cmfa_store *st, const char *user,
    uint8_t *key, size_t keymax, size_t *keylen)
{
	return secret_load(st, "totp", user, key, keymax, keylen);
}

enum cmfa_err
cmfa_store_pending_load(const struct cmfa_store *st, const char *user,
    uint8_t *key, size_t keymax, size_t *keylen)
{
	return secret_load(st, "pending", user, key, keymax, keylen);
}

enum cmfa_err
cmfa_store_pending_save(const struct cmfa_store *st, const char *user,
    const uint8_t *key, size_t keylen)
{
	char rel[CMFA_STORE_RELPATH_MAX];
	char text[CMFA_TOTP_KEY_B32_MAX + 1];
	enum cmfa_err err;
	size_t n;

	if (st == NULL || st->dirfd < 0 || key == NULL || keylen == 0 ||
	    keylen > CMFA_TOTP_KEY_MAX)
		return CMFA_ERR_INVAL;
	if ((err = cmfa_store_relpath(rel, sizeof(rel), "pending", user, "")) !=
	    CMFA_OK)
		return err;
	if ((err = cmfa_base32_encode(key, keylen, text, sizeof(text) - 1)) !=
	    CMFA_OK)
		goto out;
	n = strlen(text);
	text[n++] = '\n';
	err =
	    cmfa_file_write_atomic(st->dirfd, rel, text, n, S_IRUSR | S_IWUSR);
out:
	cmfa_memzero(text, sizeof(text));
	return err;
}

enum cmfa_err
cmfa_store_totp_activate(const struct cmfa_store *st, const char *user)
{
	char from[CMFA_STORE_RELPATH_MAX], to[CMFA_STORE_RELPATH_MAX];
	enum cmfa_err err;

	if (st == NULL || st->dirfd < 0)
		return CMFA_ERR_INVAL;
	if ((err = cmfa_store_relpath(from, sizeof(from), "pending", user,
	         "")) != CMFA_OK ||
	    (err = cmfa_store_relpath(to, sizeof(to), "totp", user, "")) !=
	        CMFA_OK)
		return err;
	return cmfa_file_rename(st->dirfd, from, to);
}

static enum cmfa_err
secret_remove(const struct cmfa_store *st, const char *dir, const char *user)
{
	char rel[CMFA_STORE_RELPATH_MAX];
	enum cmfa_err err;

	if (st == NULL || st->dirfd < 0)
		return CMFA_ERR_INVAL;
	if ((err = cmfa_store_relpath(rel, sizeof(rel), dir, user, "")) !=
	    CMFA_OK)
		return err;
	return cmfa_file_remove(st->dirfd, rel);
}

enum cmfa_err
cmfa_store_totp_remove(const struct cmfa_store *st, const char *user)
{
	return secret_remove(st, "totp", user);
}

enum cmfa_err
cmfa_store_pending_remove(const struct cmfa_store *st, const char *user)
{
	return secret_remove(st, "pending", user);
}
