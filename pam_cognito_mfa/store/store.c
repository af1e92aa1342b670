/*
 * store.c: the store's root: init, open (also a root shared with the
 * sync user, store/syncown.c), close, the format version, and the
 * user-name rule that keeps every per-user path a single safe name.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmfa_store.h"
#include "store_int.h"

#define FORMAT_FILE "format"
#define FORMAT_MAX 64 /* a longer format file is not ours */
#define ROOT_OPEN (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)

static const char *const subdirs[] = {
	"users",
	"totp",
	"pending",
	"state",
	"lock",
};

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

bool
cmfa_username_valid(const char *name, size_t len)
{
	size_t i;
	char c;

	if (name == NULL || len == 0 || len > CMFA_USERNAME_MAX)
		return false;
	if (!is_alnum(name[0]) && name[0] != '_')
		return false;
	for (i = 1; i < len; i++) {
		c = name[i];
		if (!is_alnum(c) && c != '_' && c != '.' && c != '@' &&
		    c != '+' && c != '-')
			return false;
		if (c == '.' && name[i - 1] == '.')
			return false;
	}
	return name[len - 1] != '.';
}

enum cmfa_err
cmfa_store_relpath(char *buf, size_t bufsz, const char *dir, const char *user,
    const char *suffix)
{
	size_t ulen;
	int n;

	if (user == NULL)
		return CMFA_ERR_INVAL;
	ulen = strnlen(user, CMFA_USERNAME_MAX + 1);
	if (!cmfa_username_valid(user, ulen))
		return CMFA_ERR_INVAL;
	n = snprintf(buf, bufsz, "%s/%s%s", dir, user, suffix);
	if (n < 0 || (size_t)n >= bufsz)
		return CMFA_ERR_INVAL;
	return CMFA_OK;
}

/* The format file's whole content: the version and a newline. */
static size_t
format_text(char buf[16])
{
	int n = snprintf(buf, 16, "%d\n", CMFA_STORE_FORMAT);

	return n > 0 && n < 16 ? (size_t)n : 0;
}

/* format must hold exactly "1\n". */
static enum cmfa_err
format_check(int dirfd, uid_t owner)
{
	struct cmfa_buf b;
	enum cmfa_err err;
	char want[16];
	size_t n = format_text(want);

	if ((err = cmfa_file_read(dirfd, FORMAT_FILE, owner, FORMAT_MAX, &b,
	         NULL)) != CMFA_OK)
		return err == CMFA_ERR_TOOBIG ? CMFA_ERR_VERSION : err;
	if (n == 0 || b.len != n || memcmp(b.p, want, n) != 0)
		err = CMFA_ERR_VERSION;
	cmfa_buf_free(&b);
	return err;
}

/* mkdirat that accepts an existing entry (the trusted open checks it). */
static enum cmfa_err
mkdir_once(int dirfd, const char *name)
{
	if (mkdirat(dirfd, name, S_IRWXU) == 0 || errno == EEXIST)
		return CMFA_OK;
	return errno == ENOENT ? CMFA_ERR_NOTFOUND : CMFA_ERR_IO;
}

/*
 * Split the absolute path into its parent ("/" or "/a/b") and its last
 * name (trailing slashes ignored; never "", "." or "..").
 */
static enum cmfa_err
split_path(const char *path, char parent[PATH_MAX], char base[NAME_MAX + 1])
{
	size_t len, blen;
	char *slash;

	if (path == NULL || path[0] != '/' ||
	    (len = strnlen(path, PATH_MAX)) >= PATH_MAX)
		return CMFA_ERR_INVAL;
	memcpy(parent, path, len + 1);
	while (len > 1 && parent[len - 1] == '/')
		parent[--len] = '\0';
	slash = strrchr(parent, '/');
	blen = len - (size_t)(slash + 1 - parent);
	if (blen == 0 || blen > NAME_MAX)
		return CMFA_ERR_INVAL;
	memcpy(base, slash + 1, blen + 1);
	if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return CMFA_ERR_INVAL;
	slash[slash == parent ? 1 : 0] = '\0'; /* "/" or "/a/b" */
	return CMFA_OK;
}

enum cmfa_err
cmfa_store_init(const char *path, uid_t owner)
{
	char parent[PATH_MAX], base[NAME_MAX + 1], ftext[16];
	enum cmfa_err err;
	size_t i;
	int pfd = -1, rfd = -1, fd;

	if (owner != geteuid())
		return CMFA_ERR_INVAL;
	if ((err = split_path(path, parent, base)) != CMFA_OK)
		return err;
	/* the parent chain is trusted, so nobody can race the mkdir */
	if ((err = cmfa_dir_open_path(parent, owner, &pfd)) != CMFA_OK)
		goto out;
	if ((err = mkdir_once(pfd, base)) != CMFA_OK)
		goto out;
	if ((err = cmfa_dir_open_path(path, owner, &rfd)) != CMFA_OK)
		goto out;
	for (i = 0; i < CMFA_ARRAY_LEN(subdirs); i++) {
		if ((err = mkdir_once(rfd, subdirs[i])) != CMFA_OK ||
		    (err = cmfa_dir_open(rfd, subdirs[i], owner, &fd)) !=
		        CMFA_OK)
			goto out;
		(void)close(fd);
	}
	err = cmfa_file_write_new(rfd, FORMAT_FILE, ftext, format_text(ftext),
	    S_IRUSR | S_IWUSR);
	if (err != CMFA_OK && err != CMFA_ERR_EXISTS)
		goto out;
	if ((err = format_check(rfd, owner)) != CMFA_OK)
		goto out;
	err = cmfa_file_write_new(rfd, "pool.json", CMFA_STORE_DEFAULT_POOL,
	    sizeof(CMFA_STORE_DEFAULT_POOL) - 1, S_IRUSR | S_IWUSR);
	if (err == CMFA_ERR_EXISTS)
		err = CMFA_OK;
out:
	if (pfd >= 0)
		(void)close(pfd);
	if (rfd >= 0)
		(void)close(rfd);
	return err;
}

/*
 * A root shared with the sync user (cmfa_store_share): a directory of
 * the owner (or root), its group the sync user's primary group (never
 * gid 0), the sticky bit set, nobody else allowed to write.  Group write
 * without the sticky bit, or for any other group, stays refused: the
 * sticky bit is what keeps the owner's entries (format, totp/, state/,
 * ...) out of the sync user's reach.
 */
static bool
shared_root_ok(const struct stat *sb, uid_t owner, uid_t sync_uid)
{
	gid_t gid;

	if (!S_ISDIR(sb->st_mode) || (sb->st_uid != owner && sb->st_uid != 0))
		return false;
	if ((sb->st_mode & S_IWOTH) != 0 || (sb->st_mode & S_ISVTX) == 0)
		return false;
	if (!cmfa_store_sync_uid_ok(owner, sync_uid) ||
	    cmfa_store_primary_gid(sync_uid, &gid) != CMFA_OK || gid == 0)
		return false;
	return sb->st_gid == gid;
}

/* Open the root by the shared rule: the parent chain by the ordinary
 * rules (cmfa_dir_open_path), then the root itself, checked on its fd. */
static enum cmfa_err
open_shared_root(const char *path, uid_t owner, uid_t sync_uid, int *out)
{
	char parent[PATH_MAX], base[NAME_MAX + 1];
	struct stat sb;
	enum cmfa_err err;
	int pfd = -1, fd = -1;

	if ((err = split_path(path, parent, base)) != CMFA_OK ||
	    (err = cmfa_dir_open_path(parent, owner, &pfd)) != CMFA_OK)
		return err;
	do
		fd = openat(pfd, base, ROOT_OPEN);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		err = errno == ENOENT                    ? CMFA_ERR_NOTFOUND
		    : errno == ELOOP || errno == ENOTDIR ? CMFA_ERR_UNTRUSTED
		                                         : CMFA_ERR_IO;
	else if (fstat(fd, &sb) != 0)
		err = CMFA_ERR_IO;
	else if (!shared_root_ok(&sb, owner, sync_uid))
		err = CMFA_ERR_UNTRUSTED;
	(void)close(pfd);
	if (err != CMFA_OK) {
		if (fd >= 0)
			(void)close(fd);
		return err;
	}
	*out = fd;
	return CMFA_OK;
}

enum cmfa_err
cmfa_store_open_sync(struct cmfa_store *st, const char *path, uid_t owner,
    uid_t sync_uid)
{
	enum cmfa_err err;
	size_t len;
	int fd;

	if (st == NULL)
		return CMFA_ERR_INVAL;
	st->dirfd = -1;
	if (path == NULL || (len = strnlen(path, PATH_MAX)) >= PATH_MAX)
		return CMFA_ERR_INVAL;
	err = cmfa_dir_open_path(path, owner, &fd);
	/* a group-writable root: only as the sync user's shared root */
	if (err == CMFA_ERR_UNTRUSTED &&
	    cmfa_store_sync_uid_ok(owner, sync_uid))
		err = open_shared_root(path, owner, sync_uid, &fd);
	if (err != CMFA_OK)
		return err;
	if ((err = format_check(fd, owner)) != CMFA_OK) {
		(void)close(fd);
		return err;
	}
	st->dirfd = fd;
	st->owner = owner;
	st->sync_owner = sync_uid;
	memcpy(st->path, path, len + 1);
	return CMFA_OK;
}

enum cmfa_err
cmfa_store_open(struct cmfa_store *st, const char *path, uid_t owner)
{
	return cmfa_store_open_sync(st, path, owner, (uid_t)-1);
}

void
cmfa_store_close(struct cmfa_store *st)
{
	if (st == NULL)
		return;
	if (st->dirfd >= 0)
		(void)close(st->dirfd);
	st->dirfd = -1;
}
