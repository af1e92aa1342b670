/*
 * test_file.c: safe files (util/file.c): symlinks, owners, modes, links,
 * types, sizes, path syntax, atomic writes and their failure paths.
 *
 * Every test works in its own mkdtemp() directory under /tmp (the sticky
 * /tmp ancestor is accepted) and removes it on every path.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

#include "cmfa_fixture.h"
#include "cmfa_test.h"
#include "cmfa_util.h"

struct tdir {
	char path[PATH_MAX];
	int fd;
};

static bool
tdir_make(struct tdir *t)
{
	snprintf(t->path, sizeof(t->path), "/tmp/cmfa-test-file-XXXXXX");
	if (mkdtemp(t->path) == NULL) {
		t->fd = -1;
		return false;
	}
	t->fd = open(t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return t->fd >= 0;
}

static void
tdir_remove(struct tdir *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->path[0] != '\0') {
		/* undo modes a test set so that removal works as non-root */
		cmfa_fixture_rm_tree(t->path);
	}
	t->path[0] = '\0';
}

/* Create t/rel with content and mode (parents must exist). */
static bool
put(struct tdir *t, const char *rel, const char *content, mode_t mode)
{
	size_t len = strlen(content);
	int fd;
	bool ok;

	fd = openat(t->fd, rel,
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return false;
	ok = write(fd, content, len) == (ssize_t)len && fchmod(fd, mode) == 0;
	close(fd);
	return ok;
}

static bool
mkd(struct tdir *t, const char *rel, mode_t mode)
{
	return mkdirat(t->fd, rel, 0700) == 0 &&
	    fchmodat(t->fd, rel, mode, 0) == 0;
}

/* Read t/rel with cmfa_file_read; compare with want when OK. */
static enum cmfa_err
rd(struct tdir *t, const char *rel, size_t max, const char *want)
{
	struct cmfa_buf b;
	enum cmfa_err err;

	cmfa_buf_init(&b, 1);
	err = cmfa_file_read(t->fd, rel, geteuid(), max, &b, NULL);
	if (err == CMFA_OK && want != NULL)
		CHECK_STR_EQ(cmfa_buf_str(&b), want);
	if (err != CMFA_OK)
		CHECK(b.p == NULL && b.len == 0); /* untouched */
	cmfa_buf_free(&b);
	return err;
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Entries of t/rel whose name starts with '.' (temp files). */
static int
count_dot_files(struct tdir *t, const char *rel)
{
	char p[PATH_MAX + 64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(p, sizeof(p), "%s/%s", t->path, rel);
	if ((d = opendir(p)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_read_ok(void)
{
	struct tdir t;
	struct cmfa_buf b;
	struct stat st;
	int64_t mtime = -1;

	if (!tdir_make(&t)) {
		CHECK(0);
		tdir_remove(&t);
		return;
	}
	CHECK(put(&t, "f", "hello\n", 0600));
	CHECK(mkd(&t, "a", 0700) && mkd(&t, "a/b", 0755));
	CHECK(put(&t, "a/b/c.json", "{}", 0644));
	CHECK(put(&t, "empty", "", 0600));
	CHECK_INT_EQ(rd(&t, "f", 100, "hello\n"), CMFA_OK);
	CHECK_INT_EQ(rd(&t, "a/b/c.json", 100, "{}"), CMFA_OK);
	CHECK_INT_EQ(rd(&t, "empty", 0, ""), CMFA_OK);

	cmfa_buf_init(&b, 1);
	CHECK_INT_EQ(cmfa_file_read(t.fd, "f", geteuid(), 6, &b, &mtime),
	    CMFA_OK);
	CHECK_INT_EQ(b.len, 6);
	CHECK_INT_EQ(b.max, 6);
	CHECK(fstatat(t.fd, "f", &st, 0) == 0 && mtime == st.st_mtim.tv_sec);
	cmfa_buf_free(&b);
	tdir_remove(&t);
}

static void
test_read_size(void)
{
	struct tdir t;

	if (!tdir_make(&t)) {
		CHECK(0);
		tdir_remove(&t);
		return;
	}
	CHECK(put(&t, "f", "0123456789", 0600));
	CHECK_INT_EQ(rd(&t, "f", 10, "0123456789"), CMFA_OK);
	CHECK_INT_EQ(rd(&t, "f", 9, NULL), CMFA_ERR_TOOBIG);
	CHECK_INT_EQ(rd(&t, "f", 0, NULL), CMFA_ERR_TOOBIG);
	tdir_remove(&t);
}

static void
test_read_symlinks(void)
{
	struct tdir t;
	char p[PATH_MAX + 64];

	if (!tdir_make(&t)) {
		CHECK(0);
		tdir_remove(&t);
		return;
	}
	CHECK(put(&t, "real", "x", 0600));
	CHECK(mkd(&t, "d", 0700));
	CHECK(put(&t, "d/f", "y", 0600));
	CHECK(symlinkat("real", t.fd, "link") == 0);
	CHECK(symlinkat("d", t.fd, "dlink") == 0);
	CHECK(symlinkat("/nonexistent", t.fd, "dangling") == 0);

	CHECK_INT_EQ(rd(&t, "real", 10, "x"), CMFA_OK);
	CHECK_INT_EQ(rd(&t, "link", 10, NULL), CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(rd(&t, "d/f", 10, "y"), CMFA_OK);
	CHECK_INT_EQ(rd(&t, "dlink/f", 10, NULL), CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(rd(&t, "dangling", 10, NULL), CMFA_ERR_UNTRUSTED);

	/* a symlinked root: the absolute walk refuses it */
	snprintf(p, sizeof(p), "%s/dlink", t.path);
	CHECK_INT_EQ(cmfa_path_trusted(p, geteuid()), CMFA_ERR_UNTRUSTED);
	snprintf(p, sizeof(p), "%s/dlink/f", t.path);
	{
		struct cmfa_buf b;

		cmfa_buf_init(&b, 1);
		CHECK_INT_EQ(cmfa_file_read_path(p, geteuid(), 10, &b, NULL),
		    CMFA_ERR_UNTRUSTED);
		snprintf(p, sizeof(p), "%s/d/f", t.path);
		CHECK_INT_EQ(cmfa_file_read_path(p, geteuid(), 10, &b, NULL),
		    CMFA_OK);
		CHECK_STR_EQ(cmfa_buf_str(&b), "y");
		cmfa_buf_free(&b);
		snprintf(p, sizeof(p), "%s/link", t.path);
		CHECK_INT_EQ(cmfa_file_read_path(p, geteuid(), 10, &b, NULL),
		    CMFA_ERR_UNTRUSTED);
	}
	{
		int fd = -1;

		CHECK_INT_EQ(cmfa_dir_open(t.fd, "dlink", geteuid(), &fd),
		    CMFA_ERR_UNTRUSTED);
		CHECK_INT_EQ(fd, -1);
	}
	tdir_remove(&t);
}

static void
test_read_modes(void)
{
	struct tdir t;
	struct cmfa_buf b;

	if (!tdir_make(&t)) {
		CHECK(0);
		tdir_remove(&t);
		return;
	}
	CHECK(put(&t, "g", "x", 0620));
	CHECK(put(&t, "o", "x", 0602));
	CHECK(put(&t, "r", "x", 0644));
	CHECK(put(&t, "s", "x", 0640));
	CHECK(mkd(&t, "gw", 0770));
	CHECK(put(&t, "gw/f", "x", 0600));
	CHECK(mkd(&t, "ow", 0703));
	CHECK(put(&t, "ow/f", "x", 0600));
	CHECK(mkd(&t, "st", 01777));
	CHECK(put(&t, "st/f", "x", 0600));

	CHECK_INT_EQ(rd(&t, "g", 10, NULL), CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(rd(&t, "o", 10, NULL), CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(rd(&t, "r", 10, "x"), CMFA_OK);
	CHECK_INT_EQ(rd(&t, "gw/f", 10, NULL), CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(rd(&t, "ow/f", 10, NULL), CMFA_ERR_UNTRUSTED);
	/* no sticky exception below a trusted dirfd */
	CHECK_INT_EQ(rd(&t, "st/f", 10, NULL), CMFA_ERR_UNTRUSTED);

	/* secrets: any group/other bit refused */
	cmfa_buf_init(&b, 1);
	CHECK_INT_EQ(cmfa_file_read_secret(t.fd, "s", geteuid(), 10, &b, NULL),
	    CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_file_read_secret(t.fd, "r", geteuid(), 10, &b, NULL),
	    CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_file_read(t.fd, "s", geteuid(), 10, &b, NULL),
	    CMFA_OK);
	cmfa_buf_free(&b);
	CHECK(fchmodat(t.fd, "s", 0600, 0) == 0);
	CHECK_INT_EQ(cmfa_file_read_secret(t.fd, "s", geteuid(), 10, &b, NULL),
	    CMFA_OK);
	cmfa_buf_free(&b);
	CHECK(fchmodat(t.fd, "s", 0400, 0) == 0);
	CHECK_INT_EQ(cmfa_file_read_secret(t.fd, "s", geteuid(), 10, &b, NULL),
	    CMFA_OK);
	cmfa_buf_free(&b);
	tdir_remove(&t);
}

static void
test_path_trusted(void)
{
	struct tdir t;
	char p[PATH_MAX + 64];
	struct cmfa_buf b;
	uid_t me = geteuid();

	if (!tdir_make(&t)) {
		CHECK(0);
		tdir_remove(&t);
		return;
	}
	CHECK_INT_EQ(cmfa_path_trusted(t.path, me), CMFA_OK);
	CHECK_INT_EQ(cmfa_path_trusted("/", me), CMFA_OK);
	CHECK_INT_EQ(cmfa_path_trusted("/tmp", me), CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_path_trusted("tmp", me), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_path_trusted("", me), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_path_trusted(NULL, me), CMFA_ERR_INVAL);
	snprintf(p, sizeof(p), "%s/", t.path);
	CHECK_INT_EQ(cmfa_path_trusted(p, me), CMFA_OK);
	snprintf(p, sizeof(p), "/%s//", t.path);
	CHECK_INT_EQ(cmfa_path_trusted(p, me), CMFA_OK);
	snprintf(p, sizeof(p), "%s/..", t.path);
	CHECK_INT_EQ(cmfa_path_trusted(p, me), CMFA_ERR_INVAL);
	snprintf(p, sizeof(p), "%s/./x", t.path);
	CHECK_INT_EQ(cmfa_path_trusted(p, me), CMFA_ERR_INVAL);
	snprintf(p, sizeof(p), "%s/missing", t.path);
	CHECK_INT_EQ(cmfa_path_trusted(p, me), CMFA_ERR_NOTFOUND);

	CHECK(mkd(&t, "a", 0755) && mkd(&t, "a/b", 0700));
	snprintf(p, sizeof(p), "%s/a/b", t.path);
	CHECK_INT_EQ(cmfa_path_trusted(p, me), CMFA_OK);
	/* a group-writable ancestor without the sticky bit */
	CHECK(fchmodat(t.fd, "a", 0775, 0) == 0);
	CHECK_INT_EQ(cmfa_path_trusted(p, me), CMFA_ERR_UNTRUSTED);
	/* with it: accepted as an ancestor ... */
	CHECK(fchmodat(t.fd, "a", 01777, 0) == 0);
	CHECK_INT_EQ(cmfa_path_trusted(p, me), CMFA_OK);
	/* ... but never as the directory itself */
	snprintf(p, sizeof(p), "%s/a", t.path);
	CHECK_INT_EQ(cmfa_path_trusted(p, me), CMFA_ERR_UNTRUSTED);
	CHECK(fchmodat(t.fd, "a", 0755, 0) == 0);
	/* a file in the chain */
	CHECK(put(&t, "file", "x", 0600));
	snprintf(p, sizeof(p), "%s/file", t.path);
	CHECK_INT_EQ(cmfa_path_trusted(p, me), CMFA_ERR_UNTRUSTED);

	/* read_path: the file's directory must be trusted too */
	CHECK(put(&t, "a/b/conf", "k = v\n", 0644));
	cmfa_buf_init(&b, 1);
	snprintf(p, sizeof(p), "%s/a/b/conf", t.path);
	CHECK_INT_EQ(cmfa_file_read_path(p, me, 100, &b, NULL), CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b), "k = v\n");
	cmfa_buf_free(&b);
	CHECK(fchmodat(t.fd, "a/b", 0770, 0) == 0);
	CHECK_INT_EQ(cmfa_file_read_path(p, me, 100, &b, NULL),
	    CMFA_ERR_UNTRUSTED);
	CHECK(fchmodat(t.fd, "a/b", 0700, 0) == 0);
	snprintf(p, sizeof(p), "%s/a/b/", t.path);
	CHECK_INT_EQ(cmfa_file_read_path(p, me, 100, &b, NULL), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_file_read_path("a/b", me, 100, &b, NULL),
	    CMFA_ERR_INVAL);
	snprintf(p, sizeof(p), "%s/a/b/missing", t.path);
	CHECK_INT_EQ(cmfa_file_read_path(p, me, 100, &b, NULL),
	    CMFA_ERR_NOTFOUND);
	CHECK(b.p == NULL);
	tdir_remove(&t);
}

static void
test_read_hardlink(void)
{
	struct tdir t;

	if (!tdir_make(&t)) {
		CHECK(0);
		tdir_remove(&t);
		return;
	}
	CHECK(put(&t, "f", "x", 0600));
	CHECK_INT_EQ(rd(&t, "f", 10, "x"), CMFA_OK);
	CHECK(linkat(t.fd, "f", t.fd, "g", 0) == 0);
	CHECK_INT_EQ(rd(&t, "f", 10, NULL), CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(rd(&t, "g", 10, NULL), CMFA_ERR_UNTRUSTED);
	CHECK(unlinkat(t.fd, "g", 0) == 0);
	CHECK_INT_EQ(rd(&t, "f", 10, "x"), CMFA_OK);
	tdir_remove(&t);
}

static void
test_read_owner(void)
{
	struct tdir t;
	struct cmfa_buf b;
	char p[PATH_MAX + 64];

	if (!tdir_make(&t)) {
		CHECK(0);
		tdir_remove(&t);
		return;
	}
	/* asking for another owner than the file's */
	CHECK(put(&t, "f", "x", 0600));
	cmfa_buf_init(&b, 1);
	CHECK_INT_EQ(cmfa_file_read(t.fd, "f", geteuid() + 1, 10, &b, NULL),
	    CMFA_ERR_UNTRUSTED);
	if (geteuid() != 0) {
		tdir_remove(&t);
		SKIP("chown to another uid needs root");
	}
	CHECK(fchownat(t.fd, "f", 1, 0, AT_SYMLINK_NOFOLLOW) == 0);
	CHECK_INT_EQ(cmfa_file_read(t.fd, "f", 0, 10, &b, NULL),
	    CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_file_read(t.fd, "f", 1, 10, &b, NULL), CMFA_OK);
	cmfa_buf_free(&b);
	/* a directory owned by someone else than root or the owner */
	CHECK(mkd(&t, "d", 0755));
	CHECK(put(&t, "d/f", "x", 0600));
	CHECK(fchownat(t.fd, "d", 1, 0, AT_SYMLINK_NOFOLLOW) == 0);
	CHECK_INT_EQ(cmfa_file_read(t.fd, "d/f", 0, 10, &b, NULL),
	    CMFA_ERR_UNTRUSTED);
	snprintf(p, sizeof(p), "%s/d", t.path);
	CHECK_INT_EQ(cmfa_path_trusted(p, 0), CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_path_trusted(p, 1), CMFA_OK);
	/* root-owned directories are trusted for any owner */
	CHECK_INT_EQ(cmfa_path_trusted(t.path, 4242), CMFA_OK);
	tdir_remove(&t);
}

static void
test_read_types(void)
{
	struct tdir t;

	if (!tdir_make(&t)) {
		CHECK(0);
		tdir_remove(&t);
		return;
	}
	alarm(20); /* a FIFO that blocked would hang the test */
	CHECK(mkfifoat(t.fd, "fifo", 0600) == 0);
	CHECK_INT_EQ(rd(&t, "fifo", 10, NULL), CMFA_ERR_UNTRUSTED);
	CHECK(mkd(&t, "dir", 0700));
	CHECK_INT_EQ(rd(&t, "dir", 10, NULL), CMFA_ERR_UNTRUSTED);
	CHECK(put(&t, "file", "x", 0600));
	CHECK_INT_EQ(rd(&t, "file/x", 10, NULL), CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(rd(&t, "fifo/x", 10, NULL), CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(rd(&t, "missing", 10, NULL), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(rd(&t, "missing/x", 10, NULL), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(rd(&t, "dir/missing", 10, NULL), CMFA_ERR_NOTFOUND);
	alarm(0);
	tdir_remove(&t);
}

static void
test_read_path_syntax(void)
{
	static const char *const bad[] = {
		"",
		"/abs",
		"..",
		".",
		"../x",
		"a/../b",
		"a/./b",
		"./a",
		"a//b",
		"a/",
		"/",
		"a/..",
	};
	struct tdir t;
	char longname[NAME_MAX + 2];
	size_t i;
	int fd = 7;

	if (!tdir_make(&t)) {
		CHECK(0);
		tdir_remove(&t);
		return;
	}
	CHECK(mkd(&t, "a", 0700));
	CHECK(mkd(&t, "b", 0700));
	CHECK(put(&t, "b/x", "x", 0600));
	for (i = 0; i < CMFA_ARRAY_LEN(bad); i++)
		CHECK_MSG(rd(&t, bad[i], 10, NULL) == CMFA_ERR_INVAL, "%s",
		    bad[i]);
	CHECK_INT_EQ(rd(&t, NULL, 10, NULL), CMFA_ERR_INVAL);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_INT_EQ(rd(&t, longname, 10, NULL), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_dir_open(t.fd, "a/..", geteuid(), &fd),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_dir_open(t.fd, "", geteuid(), &fd), CMFA_ERR_INVAL);
	CHECK_INT_EQ(fd, 7);
	tdir_remove(&t);
}

static void
test_dir_open(void)
{
	struct tdir t;
	struct cmfa_buf b;
	int fd = -1, fd2 = -1;

	if (!tdir_make(&t)) {
		CHECK(0);
		tdir_remove(&t);
		return;
	}
	CHECK(mkd(&t, "a", 0700) && mkd(&t, "a/b", 0700));
	CHECK(put(&t, "a/b/f", "z", 0600));
	CHECK_INT_EQ(cmfa_dir_open(t.fd, "a/b", geteuid(), &fd), CMFA_OK);
	CHECK(fd >= 0);
	CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	cmfa_buf_init(&b, 1);
	CHECK_INT_EQ(cmfa_file_read(fd, "f", geteuid(), 10, &b, NULL), CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b), "z");
	cmfa_buf_free(&b);
	if (fd >= 0)
		close(fd);
	CHECK_INT_EQ(cmfa_dir_open(t.fd, "a/b/f", geteuid(), &fd2),
	    CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_dir_open(t.fd, "a/c", geteuid(), &fd2),
	    CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(fd2, -1);
	CHECK_INT_EQ(cmfa_dir_open_path(t.path, geteuid(), &fd2), CMFA_OK);
	CHECK(fd2 >= 0 && (fcntl(fd2, F_GETFD) & FD_CLOEXEC) != 0);
	if (fd2 >= 0)
		close(fd2);
	tdir_remove(&t);
}

static void
test_write_atomic(void)
{
	struct tdir t;
	struct stat st;

	if (!tdir_make(&t)) {
		CHECK(0);
		tdir_remove(&t);
		return;
	}
	CHECK(mkd(&t, "d", 0700));
	CHECK_INT_EQ(cmfa_file_write_atomic(t.fd, "d/f", "one", 3, 0600),
	    CMFA_OK);
	CHECK_INT_EQ(rd(&t, "d/f", 10, "one"), CMFA_OK);
	CHECK(fstatat(t.fd, "d/f", &st, 0) == 0 &&
	    (st.st_mode & 07777) == 0600 && st.st_uid == geteuid());
	CHECK_INT_EQ(cmfa_file_write_atomic(t.fd, "d/f", "second", 6, 0644),
	    CMFA_OK);
	CHECK_INT_EQ(rd(&t, "d/f", 10, "second"), CMFA_OK);
	CHECK(
	    fstatat(t.fd, "d/f", &st, 0) == 0 && (st.st_mode & 07777) == 0644);
	CHECK_INT_EQ(cmfa_file_write_atomic(t.fd, "empty", NULL, 0, 0600),
	    CMFA_OK);
	CHECK_INT_EQ(rd(&t, "empty", 10, ""), CMFA_OK);
	CHECK_INT_EQ(count_dot_files(&t, "d"), 0);
	CHECK_INT_EQ(count_dot_files(&t, "."), 0);

	/* modes we would refuse to read, or set-id bits */
	CHECK_INT_EQ(cmfa_file_write_atomic(t.fd, "d/f", "x", 1, 0666),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_file_write_atomic(t.fd, "d/f", "x", 1, 04700),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_file_write_atomic(t.fd, "d/f", NULL, 1, 0600),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_file_write_atomic(t.fd, "../f", "x", 1, 0600),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(rd(&t, "d/f", 10, "second"), CMFA_OK);

	/* a symlinked or untrusted directory on the way */
	CHECK(symlinkat("d", t.fd, "dl") == 0);
	CHECK_INT_EQ(cmfa_file_write_atomic(t.fd, "dl/f", "x", 1, 0600),
	    CMFA_ERR_UNTRUSTED);
	CHECK(mkd(&t, "w", 0777));
	CHECK_INT_EQ(cmfa_file_write_atomic(t.fd, "w/f", "x", 1, 0600),
	    CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(cmfa_file_write_atomic(t.fd, "nodir/f", "x", 1, 0600),
	    CMFA_ERR_NOTFOUND);
	/* a symlink as the target is replaced, never followed */
	CHECK(put(&t, "victim", "keep", 0600));
	CHECK(symlinkat("../victim", t.fd, "d/sl") == 0);
	CHECK_INT_EQ(cmfa_file_write_atomic(t.fd, "d/sl", "new", 3, 0600),
	    CMFA_OK);
	CHECK_INT_EQ(rd(&t, "victim", 10, "keep"), CMFA_OK);
	CHECK_INT_EQ(rd(&t, "d/sl", 10, "new"), CMFA_OK);
	/* a directory as the target: refused, nothing left behind */
	CHECK(mkd(&t, "d/sub", 0700));
	CHECK(cmfa_file_write_atomic(t.fd, "d/sub", "x", 1, 0600) != CMFA_OK);
	CHECK_INT_EQ(count_dot_files(&t, "d"), 0);

	/* write_new never replaces */
	CHECK_INT_EQ(cmfa_file_write_new(t.fd, "d/f", "x", 1, 0600),
	    CMFA_ERR_EXISTS);
	CHECK_INT_EQ(rd(&t, "d/f", 10, "second"), CMFA_OK);
	CHECK_INT_EQ(cmfa_file_write_new(t.fd, "d/n", "new", 3, 0600), CMFA_OK);
	CHECK_INT_EQ(rd(&t, "d/n", 10, "new"), CMFA_OK);
	CHECK_INT_EQ(count_dot_files(&t, "d"), 0);
	tdir_remove(&t);
}

/*
 * A write that fails half way (RLIMIT_FSIZE in a child, SIGXFSZ ignored
 * so write(2) returns EFBIG) leaves the old file and no temp file.
 */
static void
test_write_atomic_failure(void)
{
	static char big[64 * 1024];
	struct tdir t;
	pid_t pid;
	int status = 0;

	if (!tdir_make(&t)) {
		CHECK(0);
		tdir_remove(&t);
		return;
	}
	CHECK_INT_EQ(cmfa_file_write_atomic(t.fd, "f", "old", 3, 0600),
	    CMFA_OK);
	memset(big, 'B', sizeof(big));
	fflush(NULL);
	if ((pid = fork()) == 0) {
		struct rlimit rl = { 4096, 4096 };

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(100);
		_exit((int)cmfa_file_write_atomic(t.fd, "f", big, sizeof(big),
		    0600));
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	CHECK_INT_EQ(WEXITSTATUS(status), CMFA_ERR_IO);
	CHECK_INT_EQ(rd(&t, "f", sizeof(big), "old"), CMFA_OK);
	CHECK_INT_EQ(count_dot_files(&t, "."), 0);
	tdir_remove(&t);
}

static void
test_remove_rename(void)
{
	struct tdir t;

	if (!tdir_make(&t)) {
		CHECK(0);
		tdir_remove(&t);
		return;
	}
	CHECK(mkd(&t, "a", 0700) && mkd(&t, "b", 0700));
	CHECK(put(&t, "a/f", "x", 0600));
	CHECK(put(&t, "b/f", "old", 0600));
	CHECK_INT_EQ(cmfa_file_rename(t.fd, "a/f", "b/f"), CMFA_OK);
	CHECK_INT_EQ(rd(&t, "b/f", 10, "x"), CMFA_OK);
	CHECK_INT_EQ(rd(&t, "a/f", 10, NULL), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(cmfa_file_rename(t.fd, "a/f", "b/f"), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(cmfa_file_rename(t.fd, "a/../f", "b/f"), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_file_remove(t.fd, "b/f"), CMFA_OK);
	CHECK_INT_EQ(cmfa_file_remove(t.fd, "b/f"), CMFA_ERR_NOTFOUND);
	CHECK_INT_EQ(cmfa_file_remove(t.fd, "/etc/passwd"), CMFA_ERR_INVAL);
	CHECK(symlinkat("a", t.fd, "al") == 0);
	CHECK(put(&t, "a/g", "x", 0600));
	CHECK_INT_EQ(cmfa_file_remove(t.fd, "al/g"), CMFA_ERR_UNTRUSTED);
	CHECK_INT_EQ(rd(&t, "a/g", 10, "x"), CMFA_OK);
	tdir_remove(&t);
}

/* Every failure path closes what it opened. */
static void
test_no_fd_leak(void)
{
	struct tdir t;
	struct cmfa_buf b;
	int before, i, fd;

	if (!tdir_make(&t)) {
		CHECK(0);
		tdir_remove(&t);
		return;
	}
	CHECK(mkd(&t, "a", 0700) && mkd(&t, "a/b", 0700));
	CHECK(put(&t, "a/b/f", "0123456789", 0600));
	CHECK(put(&t, "a/b/g", "x", 0666));
	CHECK(symlinkat("b", t.fd, "a/l") == 0);
	before = count_fds();
	for (i = 0; i < 50; i++) {
		cmfa_buf_init(&b, 1);
		(void)cmfa_file_read(t.fd, "a/b/f", geteuid(), 100, &b, NULL);
		cmfa_buf_free(&b);
		(void)cmfa_file_read(t.fd, "a/b/f", geteuid(), 5, &b, NULL);
		(void)cmfa_file_read(t.fd, "a/b/g", geteuid(), 5, &b, NULL);
		(void)cmfa_file_read(t.fd, "a/l/f", geteuid(), 5, &b, NULL);
		(void)cmfa_file_read(t.fd, "a/b/nope", geteuid(), 5, &b, NULL);
		(void)cmfa_file_write_atomic(t.fd, "a/b/h", "y", 1, 0600);
		(void)cmfa_file_write_atomic(t.fd, "a/b/h", "y", 1, 0666);
		(void)cmfa_file_write_new(t.fd, "a/b/h", "y", 1, 0600);
		(void)cmfa_file_rename(t.fd, "a/b/h", "a/b/i");
		(void)cmfa_file_remove(t.fd, "a/b/i");
		(void)cmfa_path_trusted(t.path, geteuid());
		if (cmfa_dir_open(t.fd, "a/b", geteuid(), &fd) == CMFA_OK)
			close(fd);
	}
	CHECK_INT_EQ(count_fds(), before);
	tdir_remove(&t);
}

TEST_MAIN_BEGIN("test_file")
	RUN(test_read_ok);
	RUN(test_read_size);
	RUN(test_read_symlinks);
	RUN(test_read_modes);
	RUN(test_path_trusted);
	RUN(test_read_hardlink);
	RUN(test_read_owner);
	RUN(test_read_types);
	RUN(test_read_path_syntax);
	RUN(test_dir_open);
	RUN(test_write_atomic);
	RUN(test_write_atomic_failure);
	RUN(test_remove_rename);
	RUN(test_no_fd_leak);
TEST_MAIN_END
