/*
 * file.c: safe files.  No symlink anywhere in a path, owners and modes
 * checked on the fds actually opened, whole-file reads with a cap, and
 * atomic replacement (temp file + fsync + rename + directory fsync).
 * The rules are in cmfa_util.h ("Safe files").
 */
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmfa_util.h"

#define FILE_OPEN_DIR                                                          \
	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)
#define FILE_OPEN_READ                                                         \
	(O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
#define FILE_OPEN_TMP                                                          \
	(O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)
#define FILE_RAND_BYTES 8 /* 16 hex characters in a temp name */
#define FILE_TMP_EXTRA (1 + 1 + 2 * FILE_RAND_BYTES) /* "." "." hex */

/* A relative walk: the directory holding the last component. */
struct walk {
	int fd;     /* directory fd, or the caller's dirfd */
	bool owned; /* fd is ours to close */
	char last[NAME_MAX + 1];
};

static enum cmfa_err
errno_err(int e)
{
	switch (e) {
	case ENOENT:
		return CMFA_ERR_NOTFOUND;
	case ELOOP:   /* O_NOFOLLOW met a symlink */
	case ENOTDIR: /* a non-directory (or a symlink) where a dir was due */
	case ENXIO:   /* a socket or a device without a driver */
	case EISDIR:
		return CMFA_ERR_UNTRUSTED;
	case ENOMEM:
		return CMFA_ERR_NOMEM;
	case ENAMETOOLONG:
		return CMFA_ERR_INVAL;
	case EEXIST:
		return CMFA_ERR_EXISTS;
	default:
		return CMFA_ERR_IO;
	}
}

static void
close_keep_errno(int fd)
{
	int e = errno;

	if (fd >= 0)
		(void)close(fd);
	errno = e;
}

static bool
dir_ok(const struct stat *st, uid_t owner, bool sticky_ok)
{
	if (!S_ISDIR(st->st_mode))
		return false;
	if (st->st_uid != owner && st->st_uid != 0)
		return false;
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    !(sticky_ok && (st->st_mode & S_ISVTX) != 0))
		return false;
	return true;
}

static bool
file_ok(const struct stat *st, uid_t owner, mode_t forbidden)
{
	return S_ISREG(st->st_mode) && st->st_uid == owner &&
	    (st->st_mode & forbidden) == 0 && st->st_nlink == 1;
}

/* Open the directory name (one component) below dirfd and check it. */
static enum cmfa_err
dir_step(int dirfd, const char *name, uid_t owner, bool sticky_ok, int *out)
{
	struct stat st;
	enum cmfa_err err;
	int fd;

	do
		fd = openat(dirfd, name, FILE_OPEN_DIR);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return errno_err(errno);
	if (fstat(fd, &st) != 0) {
		err = CMFA_ERR_IO;
		goto out;
	}
	if (!dir_ok(&st, owner, sticky_ok)) {
		err = CMFA_ERR_UNTRUSTED;
		goto out;
	}
	*out = fd;
	fd = -1;
	err = CMFA_OK;
out:
	close_keep_errno(fd);
	return err;
}

/*
 * Next '/'-separated component of p[*pos..len) into name (NUL-terminated).
 * Empty, "." and ".." components and names over NAME_MAX are refused.
 */
static enum cmfa_err
next_component(const char *p, size_t len, size_t *pos, char *name)
{
	size_t start = *pos, n;
	const char *slash;

	slash = memchr(p + start, '/', len - start);
	n = slash != NULL ? (size_t)(slash - (p + start)) : len - start;
	if (n == 0 || n > NAME_MAX)
		return CMFA_ERR_INVAL;
	if ((n == 1 && p[start] == '.') ||
	    (n == 2 && p[start] == '.' && p[start + 1] == '.'))
		return CMFA_ERR_INVAL;
	if (memchr(p + start, '\0', n) != NULL)
		return CMFA_ERR_INVAL;
	memcpy(name, p + start, n);
	name[n] = '\0';
	*pos = start + n + (slash != NULL ? 1 : 0);
	return CMFA_OK;
}

static void
walk_release(struct walk *w)
{
	if (w->owned && w->fd >= 0)
		(void)close(w->fd);
	w->fd = -1;
	w->owned = false;
}

/*
 * Walk relpath below dirfd.  With all_dirs, every component is a trusted
 * directory and w->fd is the last one (w->last is then ""); otherwise the
 * last component is left unopened in w->last.
 */
static enum cmfa_err
walk_rel(int dirfd, const char *relpath, uid_t owner, bool all_dirs,
    struct walk *w)
{
	char name[NAME_MAX + 1];
	size_t len, pos = 0;
	enum cmfa_err err;
	int cur = dirfd, next;
	bool owned = false;

	w->fd = -1;
	w->owned = false;
	w->last[0] = '\0';
	if (relpath == NULL || (len = strnlen(relpath, PATH_MAX)) == 0 ||
	    len >= PATH_MAX || relpath[0] == '/' || relpath[len - 1] == '/')
		return CMFA_ERR_INVAL;
	while (pos < len) {
		if ((err = next_component(relpath, len, &pos, name)) != CMFA_OK)
			goto out;
		if (pos >= len && !all_dirs)
			break; /* the last component: the caller's */
		if ((err = dir_step(cur, name, owner, false, &next)) != CMFA_OK)
			goto out;
		if (owned)
			(void)close(cur);
		cur = next;
		owned = true;
		name[0] = '\0';
	}
	w->fd = cur;
	w->owned = owned;
	memcpy(w->last, name, strlen(name) + 1);
	return CMFA_OK;
out:
	if (owned)
		(void)close(cur);
	return err;
}

/*
 * The absolute walk of p[0..len): "/" then every component, each a
 * trusted directory; sticky directories are accepted except as the last.
 */
static enum cmfa_err
walk_abs(const char *p, size_t len, uid_t owner, int *out)
{
	char name[NAME_MAX + 1];
	struct stat st;
	size_t pos = 0;
	enum cmfa_err err;
	int cur = -1, next;
	bool more;

	if (p == NULL || len == 0 || len >= PATH_MAX || p[0] != '/' ||
	    memchr(p, '\0', len) != NULL)
		return CMFA_ERR_INVAL;
	while (pos < len && p[pos] == '/')
		pos++;
	do
		cur = open("/", FILE_OPEN_DIR);
	while (cur < 0 && errno == EINTR);
	if (cur < 0)
		return errno_err(errno);
	if (fstat(cur, &st) != 0) {
		err = CMFA_ERR_IO;
		goto out;
	}
	if (!dir_ok(&st, owner, pos < len)) {
		err = CMFA_ERR_UNTRUSTED;
		goto out;
	}
	while (pos < len) {
		if ((err = next_component(p, len, &pos, name)) != CMFA_OK)
			goto out;
		while (pos < len && p[pos] == '/')
			pos++;
		more = pos < len;
		if ((err = dir_step(cur, name, owner, more, &next)) != CMFA_OK)
			goto out;
		(void)close(cur);
		cur = next;
	}
	*out = cur;
	return CMFA_OK;
out:
	close_keep_errno(cur);
	return err;
}

enum cmfa_err
cmfa_path_trusted(const char *abs_path, uid_t owner)
{
	enum cmfa_err err;
	int fd;

	if (abs_path == NULL)
		return CMFA_ERR_INVAL;
	if ((err = walk_abs(abs_path, strnlen(abs_path, PATH_MAX), owner,
	         &fd)) != CMFA_OK)
		return err;
	(void)close(fd);
	return CMFA_OK;
}

enum cmfa_err
cmfa_dir_open_path(const char *abs_path, uid_t owner, int *out)
{
	if (abs_path == NULL || out == NULL)
		return CMFA_ERR_INVAL;
	return walk_abs(abs_path, strnlen(abs_path, PATH_MAX), owner, out);
}

enum cmfa_err
cmfa_dir_open(int dirfd, const char *relpath, uid_t owner, int *out)
{
	struct walk w;
	enum cmfa_err err;

	if (out == NULL)
		return CMFA_ERR_INVAL;
	if ((err = walk_rel(dirfd, relpath, owner, true, &w)) != CMFA_OK)
		return err;
	*out = w.fd;
	return CMFA_OK;
}

static enum cmfa_err
read_all(int fd, uint8_t *p, size_t want, size_t *got)
{
	size_t off = 0;
	ssize_t r;

	while (off < want) {
		r = read(fd, p + off, want - off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return CMFA_ERR_IO;
		}
		if (r == 0)
			break;
		off += (size_t)r;
	}
	*got = off;
	return CMFA_OK;
}

static enum cmfa_err
file_read(int dirfd, const char *relpath, uid_t owner, size_t max,
    mode_t forbidden, struct cmfa_buf *out, int64_t *mtime)
{
	struct cmfa_buf b;
	struct walk w;
	struct stat st;
	enum cmfa_err err;
	size_t size, got;
	uint8_t extra;
	int fd = -1;

	cmfa_buf_init(&b, max);
	if (out == NULL)
		return CMFA_ERR_INVAL;
	if ((err = walk_rel(dirfd, relpath, owner, false, &w)) != CMFA_OK)
		return err;
	do
		fd = openat(w.fd, w.last, FILE_OPEN_READ);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		err = errno_err(errno);
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		err = CMFA_ERR_IO;
		goto out;
	}
	if (!file_ok(&st, owner, forbidden)) {
		err = CMFA_ERR_UNTRUSTED;
		goto out;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size > (uint64_t)max) {
		err = CMFA_ERR_TOOBIG;
		goto out;
	}
	size = (size_t)st.st_size;
	/* one allocation of the exact size: no copies of a secret */
	if ((b.p = malloc(size + 1)) == NULL) {
		err = CMFA_ERR_NOMEM;
		goto out;
	}
	b.cap = size + 1;
	if ((err = read_all(fd, b.p, size, &got)) != CMFA_OK)
		goto out;
	b.len = got;
	b.p[got] = '\0';
	if (got != size) {
		err = CMFA_ERR_IO; /* shrank under us */
		goto out;
	}
	if ((err = read_all(fd, &extra, 1, &got)) != CMFA_OK)
		goto out;
	if (got != 0) {
		err = CMFA_ERR_IO; /* grew under us */
		goto out;
	}
	*out = b;
	cmfa_buf_init(&b, max);
	if (mtime != NULL)
		*mtime = (int64_t)st.st_mtim.tv_sec;
	err = CMFA_OK;
out:
	cmfa_buf_free(&b);
	if (fd >= 0)
		(void)close(fd);
	walk_release(&w);
	return err;
}

enum cmfa_err
cmfa_file_read(int dirfd, const char *relpath, uid_t owner, size_t max,
    struct cmfa_buf *out, int64_t *mtime)
{
	return file_read(dirfd, relpath, owner, max, S_IWGRP | S_IWOTH, out,
	    mtime);
}

enum cmfa_err
cmfa_file_read_secret(int dirfd, const char *relpath, uid_t owner, size_t max,
    struct cmfa_buf *out, int64_t *mtime)
{
	return file_read(dirfd, relpath, owner, max, S_IRWXG | S_IRWXO, out,
	    mtime);
}

enum cmfa_err
cmfa_file_read_path(const char *abs_path, uid_t owner, size_t max,
    struct cmfa_buf *out, int64_t *mtime)
{
	const char *slash;
	enum cmfa_err err;
	size_t len;
	int dfd;

	if (abs_path == NULL || out == NULL ||
	    (len = strnlen(abs_path, PATH_MAX)) >= PATH_MAX ||
	    abs_path[0] != '/')
		return CMFA_ERR_INVAL;
	slash = strrchr(abs_path, '/');
	if (slash[1] == '\0')
		return CMFA_ERR_INVAL; /* names a directory */
	/* the directory part; "/" when the file sits in the root */
	if ((err = walk_abs(abs_path,
	         slash == abs_path ? 1 : (size_t)(slash - abs_path), owner,
	         &dfd)) != CMFA_OK)
		return err;
	err = cmfa_file_read(dfd, slash + 1, owner, max, out, mtime);
	(void)close(dfd);
	return err;
}

static enum cmfa_err
write_all(int fd, const uint8_t *p, size_t len)
{
	size_t off = 0;
	ssize_t r;

	while (off < len) {
		r = write(fd, p + off, len - off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return CMFA_ERR_IO; /* EFBIG, ENOSPC, EDQUOT... */
		}
		off += (size_t)r;
	}
	return CMFA_OK;
}

/* ".<name>.<16 hex>" from getrandom(2). */
static enum cmfa_err
tmp_name(const char *name, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t rnd[FILE_RAND_BYTES];
	char sfx[2 * FILE_RAND_BYTES + 1];
	size_t got = 0, i;
	ssize_t r;
	int n;

	while (got < sizeof(rnd)) {
		r = getrandom(rnd + got, sizeof(rnd) - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return CMFA_ERR_CRYPTO;
		}
		got += (size_t)r;
	}
	for (i = 0; i < sizeof(rnd); i++) {
		sfx[2 * i] = hex[rnd[i] >> 4];
		sfx[2 * i + 1] = hex[rnd[i] & 15];
	}
	sfx[sizeof(sfx) - 1] = '\0';
	n = snprintf(out, outsz, ".%s.%s", name, sfx);
	if (n < 0 || (size_t)n >= outsz || (size_t)n > NAME_MAX)
		return CMFA_ERR_INVAL;
	return CMFA_OK;
}

/* Put tmp in place of name (both in dfd), replacing it or not. */
static enum cmfa_err
install(int dfd, const char *tmp, const char *name, bool replace)
{
	if (replace) {
		if (renameat(dfd, tmp, dfd, name) != 0)
			return errno_err(errno);
		return CMFA_OK;
	}
	if (renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE) == 0)
		return CMFA_OK;
	if (errno != EINVAL && errno != ENOSYS)
		return errno_err(errno);
	/* filesystems without RENAME_NOREPLACE: link(2) never replaces */
	if (linkat(dfd, tmp, dfd, name, 0) != 0)
		return errno_err(errno);
	(void)unlinkat(dfd, tmp, 0);
	return CMFA_OK;
}

static enum cmfa_err
write_atomic(int dirfd, const char *relpath, const void *data, size_t len,
    mode_t mode, bool replace)
{
	char tmp[NAME_MAX + 1 + FILE_TMP_EXTRA];
	struct walk w;
	enum cmfa_err err;
	bool created = false;
	int fd = -1;

	if ((data == NULL && len > 0) ||
	    (mode &
	        ~(mode_t)(S_IRWXU | S_IRGRP | S_IXGRP | S_IROTH | S_IXOTH)) !=
	        0)
		return CMFA_ERR_INVAL;
	if ((err = walk_rel(dirfd, relpath, geteuid(), false, &w)) != CMFA_OK)
		return err;
	if ((err = tmp_name(w.last, tmp, sizeof(tmp))) != CMFA_OK)
		goto out;
	do
		fd = openat(w.fd, tmp, FILE_OPEN_TMP, S_IRUSR | S_IWUSR);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		err = errno_err(errno);
		if (err == CMFA_ERR_EXISTS)
			err = CMFA_ERR_IO;
		goto out;
	}
	created = true;
	if (fchmod(fd, mode) != 0) {
		err = CMFA_ERR_IO;
		goto out;
	}
	if ((err = write_all(fd, data, len)) != CMFA_OK)
		goto out;
	if (fsync(fd) != 0) {
		err = CMFA_ERR_IO;
		goto out;
	}
	err = close(fd) != 0 ? CMFA_ERR_IO : CMFA_OK;
	fd = -1;
	if (err != CMFA_OK)
		goto out;
	if ((err = install(w.fd, tmp, w.last, replace)) != CMFA_OK)
		goto out;
	created = false;
	if (fsync(w.fd) != 0)
		err = CMFA_ERR_IO;
out:
	if (fd >= 0)
		(void)close(fd);
	if (created)
		(void)unlinkat(w.fd, tmp, 0);
	walk_release(&w);
	return err;
}

enum cmfa_err
cmfa_file_write_atomic(int dirfd, const char *relpath, const void *data,
    size_t len, mode_t mode)
{
	return write_atomic(dirfd, relpath, data, len, mode, true);
}

enum cmfa_err
cmfa_file_write_new(int dirfd, const char *relpath, const void *data,
    size_t len, mode_t mode)
{
	return write_atomic(dirfd, relpath, data, len, mode, false);
}

enum cmfa_err
cmfa_file_remove(int dirfd, const char *relpath)
{
	struct walk w;
	enum cmfa_err err;

	if ((err = walk_rel(dirfd, relpath, geteuid(), false, &w)) != CMFA_OK)
		return err;
	if (unlinkat(w.fd, w.last, 0) != 0)
		err = errno_err(errno);
	else if (fsync(w.fd) != 0)
		err = CMFA_ERR_IO;
	walk_release(&w);
	return err;
}

enum cmfa_err
cmfa_file_rename(int dirfd, const char *from, const char *to)
{
	struct walk wf, wt;
	enum cmfa_err err;

	if ((err = walk_rel(dirfd, from, geteuid(), false, &wf)) != CMFA_OK)
		return err;
	if ((err = walk_rel(dirfd, to, geteuid(), false, &wt)) != CMFA_OK)
		goto out;
	if (renameat(wf.fd, wf.last, wt.fd, wt.last) != 0)
		err = errno_err(errno);
	else if (fsync(wt.fd) != 0 || fsync(wf.fd) != 0)
		err = CMFA_ERR_IO;
	walk_release(&wt);
out:
	walk_release(&wf);
	return err;
}
