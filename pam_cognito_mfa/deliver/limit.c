/*
 * limit.c: hourly limits on delivered codes, per user and per
 * destination, counted across processes (cmfa_deliver.h).
 *
 * Under <store>/deliveries/ (0700, the store owner's, made by the first
 * delivery):
 *
 *   u-<user>          the user's count: epoch seconds, one per line
 *   d-<64 hex>        a destination's count; the name is SHA-256 of the
 *                     destination with ASCII letters lowercased (mail
 *                     domains are case-insensitive and most mailboxes
 *                     ignore the local part's case: "Bob@X" is "bob@x"
 *                     for counting), so no address or number is on disk
 *   lock.u-<user>     flock(2) files, one per key, never removed: the
 *   lock.d-<64 hex>   data files are replaced by rename (a crash never
 *                     leaves a half-written count), and a lock on a file
 *                     that gets renamed over would lock nothing (the
 *                     store's lock/ directory exists for the same reason)
 *
 * The locks are taken user first, then destination, always: two
 * processes never wait on each other in a cycle.  The data names start
 * with "u-" / "d-", the locks with "lock.", so no user name can make one
 * look like the other.
 *
 * A store shared with the sync user (store/syncown.c) has a sticky,
 * group-writable root; that root is accepted here as the store accepts
 * it, minus the group check (this unit is not told the sync user): the
 * sticky bit keeps deliveries/, which must be the owner's 0700, out of
 * the group's reach.  Anything wrong under deliveries/ is refused
 * (CMFA_ERR_UNTRUSTED): the caller sends nothing.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cmfa_deliver.h"
#include "cmfa_store.h"

#define LIMIT_DIR "deliveries"
#define KEY_MAX (8 + 2 * 32 + 1) /* "lock.d-" + hex + NUL; users shorter */
#define LIMIT_TIMES_MAX CMFA_ARRAY_LEN(((struct cmfa_limit_times *)0)->t)
#define LOCK_OPEN                                                              \
	(O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
#define ROOT_OPEN (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* ---------------------------------------------------------------------- */
/* the file format                                                        */

enum cmfa_err
cmfa_limit_parse(const char *p, size_t len, struct cmfa_limit_times *out)
{
	struct cmfa_limit_times lt;
	const char *nl;
	uint64_t v;
	size_t i = 0;

	if (p == NULL || out == NULL)
		return CMFA_ERR_INVAL;
	if (len > CMFA_LIMIT_FILE_MAX)
		return CMFA_ERR_TOOBIG;
	lt.n = 0;
	while (i < len) {
		/* every line ends with '\n', the last one included */
		if ((nl = memchr(p + i, '\n', len - i)) == NULL)
			return CMFA_ERR_PARSE;
		if (lt.n == LIMIT_TIMES_MAX ||
		    cmfa_parse_u64(p + i, (size_t)(nl - (p + i)),
		        (uint64_t)INT64_MAX, &v) != CMFA_OK)
			return CMFA_ERR_PARSE;
		/* ascending; equal times are two codes in one second */
		if (lt.n > 0 && (int64_t)v < lt.t[lt.n - 1])
			return CMFA_ERR_PARSE;
		lt.t[lt.n++] = (int64_t)v;
		i = (size_t)(nl - p) + 1;
	}
	*out = lt;
	return CMFA_OK;
}

/* The text of lt, one decimal per line, into b. */
static enum cmfa_err
limit_serialize(const struct cmfa_limit_times *lt, struct cmfa_buf *b)
{
	enum cmfa_err e = CMFA_OK;
	size_t i;

	for (i = 0; i < lt->n && e == CMFA_OK; i++)
		e = cmfa_buf_appendf(b, "%lld\n", (long long)lt->t[i]);
	return e;
}

/*
 * Entries that left the window dropped, and entries more than a window
 * ahead (the clock went back a long way, or an edit): those are not
 * honoured, so no entry holds a slot for more than two windows.  Entries
 * a little ahead count as they are.  Order is kept.
 */
static void
limit_prune(struct cmfa_limit_times *lt, int64_t now)
{
	size_t i, k = 0;

	for (i = 0; i < lt->n; i++)
		if (lt->t[i] > now - CMFA_LIMIT_WINDOW &&
		    lt->t[i] <= now + CMFA_LIMIT_WINDOW)
			lt->t[k++] = lt->t[i];
	lt->n = k;
}

/* now in its place (after any entry from a little ahead); n < 128. */
static void
limit_add(struct cmfa_limit_times *lt, int64_t now)
{
	size_t i = lt->n;

	while (i > 0 && lt->t[i - 1] > now) {
		lt->t[i] = lt->t[i - 1];
		i--;
	}
	lt->t[i] = now;
	lt->n++;
}

/* Seconds until a full key (n >= limit) has a free slot again. */
static int64_t
limit_wait(const struct cmfa_limit_times *lt, size_t limit, int64_t now)
{
	int64_t w = lt->t[lt->n - limit] + CMFA_LIMIT_WINDOW - now;

	return w < 1 ? 1 : w;
}

/* ---------------------------------------------------------------------- */
/* keys and locks                                                         */

/* "u-<user>" or "d-<hex of SHA-256(lowercased destination)>". */
static enum cmfa_err
key_names(const char *user, const char *dest, char ukey[KEY_MAX],
    char dkey[KEY_MAX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE], c;
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	size_t i, dlen = strlen(dest);
	bool ok;

	if (!cmfa_username_valid(user, strlen(user)) || dlen == 0)
		return CMFA_ERR_INVAL;
	snprintf(ukey, KEY_MAX, "u-%s", user);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return CMFA_ERR_NOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	for (i = 0; ok && i < dlen; i++) {
		c = (unsigned char)dest[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		ok = EVP_DigestUpdate(ctx, &c, 1) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 32;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return CMFA_ERR_CRYPTO;
	dkey[0] = 'd';
	dkey[1] = '-';
	for (i = 0; i < 32; i++) {
		dkey[2 + 2 * i] = hex[md[i] >> 4];
		dkey[3 + 2 * i] = hex[md[i] & 15];
	}
	dkey[66] = '\0';
	return CMFA_OK;
}

/* Open and flock "lock.<key>" in dfd (checked as the store's locks are). */
static enum cmfa_err
lock_key(int dfd, const char *key, uid_t owner, int *out)
{
	char name[KEY_MAX + 8];
	struct stat sb;
	enum cmfa_err err = CMFA_OK;
	int fd;

	snprintf(name, sizeof(name), "lock.%s", key);
	do
		fd = openat(dfd, name, LOCK_OPEN, S_IRUSR | S_IWUSR);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return errno == ELOOP || errno == ENXIO || errno == EISDIR
		    ? CMFA_ERR_UNTRUSTED
		    : CMFA_ERR_IO;
	if (fstat(fd, &sb) != 0)
		err = CMFA_ERR_IO;
	else if (!S_ISREG(sb.st_mode) || sb.st_uid != owner ||
	    (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0 || sb.st_nlink != 1)
		err = CMFA_ERR_UNTRUSTED;
	while (err == CMFA_OK && flock(fd, LOCK_EX) != 0)
		if (errno != EINTR)
			err = CMFA_ERR_IO;
	if (err != CMFA_OK) {
		(void)close(fd);
		return err;
	}
	*out = fd;
	return CMFA_OK;
}

/* The key's entries (missing: none). */
static enum cmfa_err
read_key(int dfd, const char *key, uid_t owner, struct cmfa_limit_times *out)
{
	struct cmfa_buf b;
	enum cmfa_err err;

	cmfa_buf_init(&b, CMFA_LIMIT_FILE_MAX); /* set by the read on success */
	err = cmfa_file_read(dfd, key, owner, CMFA_LIMIT_FILE_MAX, &b, NULL);
	if (err == CMFA_ERR_NOTFOUND) {
		out->n = 0;
		return CMFA_OK;
	}
	if (err == CMFA_ERR_TOOBIG)
		err = CMFA_ERR_PARSE; /* a count we did not write: corrupt */
	if (err == CMFA_OK)
		err = cmfa_limit_parse((const char *)b.p, b.len, out);
	cmfa_buf_free(&b);
	return err;
}

static enum cmfa_err
write_key(int dfd, const char *key, const struct cmfa_limit_times *lt)
{
	struct cmfa_buf b;
	enum cmfa_err err;

	cmfa_buf_init(&b, CMFA_LIMIT_FILE_MAX);
	if ((err = limit_serialize(lt, &b)) == CMFA_OK)
		err = cmfa_file_write_atomic(dfd, key, b.p, b.len,
		    S_IRUSR | S_IWUSR);
	cmfa_buf_free(&b);
	return err;
}

/* ---------------------------------------------------------------------- */
/* the store's deliveries/                                                */

/* A root as cmfa_store_open_sync() accepts a shared one, minus the
 * group (see the top of the file). */
static bool
root_ok(const struct stat *sb, uid_t owner)
{
	if (!S_ISDIR(sb->st_mode) || (sb->st_uid != owner && sb->st_uid != 0))
		return false;
	if ((sb->st_mode & S_IWOTH) != 0)
		return false;
	return (sb->st_mode & S_IWGRP) == 0 || (sb->st_mode & S_ISVTX) != 0;
}

/* The store's root: its parent chain trusted, the root checked on its
 * fd by root_ok(). */
static enum cmfa_err
open_root(const char *store, uid_t owner, int *out)
{
	char parent[PATH_MAX];
	const char *base;
	struct stat sb;
	enum cmfa_err err;
	size_t len;
	int pfd = -1, fd;

	if (store == NULL || store[0] != '/' ||
	    (len = strnlen(store, PATH_MAX)) >= PATH_MAX)
		return CMFA_ERR_INVAL;
	memcpy(parent, store, len + 1);
	while (len > 1 && parent[len - 1] == '/')
		parent[--len] = '\0';
	base = strrchr(parent, '/') + 1;
	if (base[0] == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0)
		return CMFA_ERR_INVAL;
	/* "/a/b" -> parent "/a", base "b"; "/b" -> parent "/" */
	if (base - parent == 1) {
		memmove(parent + 2, parent + 1, len);
		parent[1] = '\0';
		base = parent + 2;
	} else
		parent[base - parent - 1] = '\0';
	if ((err = cmfa_dir_open_path(parent, owner, &pfd)) != CMFA_OK)
		return err;
	do
		fd = openat(pfd, base, ROOT_OPEN);
	while (fd < 0 && errno == EINTR);
	(void)close(pfd);
	if (fd < 0)
		return errno == ENOENT                   ? CMFA_ERR_NOTFOUND
		    : errno == ELOOP || errno == ENOTDIR ? CMFA_ERR_UNTRUSTED
		                                         : CMFA_ERR_IO;
	if (fstat(fd, &sb) != 0 || !root_ok(&sb, owner)) {
		(void)close(fd);
		return CMFA_ERR_UNTRUSTED;
	}
	*out = fd;
	return CMFA_OK;
}

/* <store>/deliveries/, made 0700 when missing, then opened trusted. */
static enum cmfa_err
open_dir(const char *store, uid_t owner, int *out)
{
	enum cmfa_err err;
	int rfd;

	if ((err = open_root(store, owner, &rfd)) != CMFA_OK)
		return err;
	if (mkdirat(rfd, LIMIT_DIR, S_IRWXU) != 0 && errno != EEXIST)
		err = CMFA_ERR_IO;
	else
		err = cmfa_dir_open(rfd, LIMIT_DIR, owner, out);
	(void)close(rfd);
	return err;
}

/* ---------------------------------------------------------------------- */
/* taking one                                                             */

/* Under both locks: read, prune, decide, append to both. */
static enum cmfa_err
take_locked(int dfd, const char *ukey, const char *dkey, uid_t owner,
    size_t limit, int64_t now, int64_t *retry_after)
{
	struct cmfa_limit_times u, d;
	enum cmfa_err err;
	int64_t wu = 0, wd = 0;

	if ((err = read_key(dfd, ukey, owner, &u)) != CMFA_OK ||
	    (err = read_key(dfd, dkey, owner, &d)) != CMFA_OK)
		return err;
	limit_prune(&u, now);
	limit_prune(&d, now);
	if (u.n >= limit)
		wu = limit_wait(&u, limit, now);
	if (d.n >= limit)
		wd = limit_wait(&d, limit, now);
	if (wu > 0 || wd > 0) {
		*retry_after = wu > wd ? wu : wd;
		return CMFA_ERR_LOCKED;
	}
	limit_add(&u, now);
	limit_add(&d, now);
	/* the user's count first: should the second write fail, the slot
	 * is used all the same (failing safe: fewer codes, never more) */
	if ((err = write_key(dfd, ukey, &u)) != CMFA_OK)
		return err;
	return write_key(dfd, dkey, &d);
}

enum cmfa_err
cmfa_limit_take(const char *store, uid_t owner, const char *user,
    const char *destination, unsigned limit, int64_t now, int64_t *retry_after)
{
	char ukey[KEY_MAX], dkey[KEY_MAX];
	enum cmfa_err err;
	int64_t wait = 0;
	int dfd = -1, ulock = -1, dlock = -1;

	if (user == NULL || destination == NULL || retry_after == NULL ||
	    limit == 0 || limit > LIMIT_TIMES_MAX || now < CMFA_LIMIT_WINDOW ||
	    now > INT64_MAX - 2 * CMFA_LIMIT_WINDOW)
		return CMFA_ERR_INVAL;
	if ((err = key_names(user, destination, ukey, dkey)) != CMFA_OK ||
	    (err = open_dir(store, owner, &dfd)) != CMFA_OK)
		return err;
	if ((err = lock_key(dfd, ukey, owner, &ulock)) == CMFA_OK &&
	    (err = lock_key(dfd, dkey, owner, &dlock)) == CMFA_OK)
		err = take_locked(dfd, ukey, dkey, owner, limit, now, &wait);
	if (dlock >= 0)
		(void)close(dlock); /* closing releases the flock */
	if (ulock >= 0)
		(void)close(ulock);
	(void)close(dfd);
	if (err == CMFA_ERR_LOCKED)
		*retry_after = wait;
	return err;
}
