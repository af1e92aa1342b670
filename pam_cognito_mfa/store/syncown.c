/*
 * syncown.c: the sync user's share of the store (config sync_user).
 *
 * Trust.  The synced objects may belong to the sync user as well as to
 * the store owner: pool.json, user-pool.json and sync-status.json in the
 * root, the users/ directory and users/<u>.json.  Every read first
 * applies the ordinary rule (the store owner; root directories always
 * trusted); only a refusal for trust (CMFA_ERR_UNTRUSTED) is retried
 * with the sync user, and for users/<u>.json with users/ opened for
 * either owner, so a record may be the sync user's or the store owner's
 * in a users/ of either.  Each try is a complete check on the fd it
 * opened (type, mode, links, no symlink): only the accepted owner
 * differs.  A file of a third uid fails both tries.  Secrets and state
 * never get here.
 *
 * Sharing (cmfa_store_share, run by root before it drops to the sync
 * user; cli/sync.c).  The sync user must create and atomically replace
 * its three files in the root, so the root becomes root:<its primary
 * group> 1770: the sticky bit lets it rename and remove only what it
 * owns, never format, pool-id, totp/, pending/, state/ or lock/; group
 * read because the store is walked and fsynced through an O_RDONLY fd
 * of the root.  Root makes every name it needs first (the private
 * directories are created here if missing; format and pool.json exist
 * since cmfa_store_init), so the sync user cannot pre-empt one; a name
 * it plants later (pool-id) is a file of the wrong owner, refused by
 * every reader (fail closed), as are its symlinks (O_NOFOLLOW) and hard
 * links (one link only; fs.protected_hardlinks besides).  format
 * becomes 0644 (the sync user opens the store too; a version is no
 * secret); totp/ pending/ state/ lock/ stay root's 0700.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmfa_store.h"
#include "store_int.h"

void
cmfa_store_sync_owner(struct cmfa_store *st, uid_t uid)
{
	if (st != NULL)
		st->sync_owner = uid;
}

/* getpwnam_r (name) or getpwuid_r (uid): the entry's uid and gid. */
static enum cmfa_err
pw_lookup(const char *name, uid_t uid, uid_t *uid_out, gid_t *gid_out)
{
	struct passwd pw, *res = NULL;
	size_t bufsz = 16384;
	char *buf;
	int rc;

	for (;;) {
		if ((buf = malloc(bufsz)) == NULL)
			return CMFA_ERR_NOMEM;
		rc = name != NULL ? getpwnam_r(name, &pw, buf, bufsz, &res)
		                  : getpwuid_r(uid, &pw, buf, bufsz, &res);
		if (rc != ERANGE || bufsz >= (1u << 20))
			break;
		free(buf);
		bufsz *= 2;
	}
	if (rc == 0 && res != NULL) {
		*uid_out = pw.pw_uid;
		*gid_out = pw.pw_gid;
		free(buf);
		return CMFA_OK;
	}
	free(buf);
	/* not found: rc 0 with res NULL, or one of these (getpwnam_r(3)) */
	return rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF ||
	        rc == EPERM
	    ? CMFA_ERR_NOTFOUND
	    : CMFA_ERR_IO;
}

enum cmfa_err
cmfa_store_resolve_user(const char *name, uid_t *uid)
{
	enum cmfa_err e;
	uid_t u;
	gid_t g;

	if (name == NULL || name[0] == '\0' || uid == NULL)
		return CMFA_ERR_INVAL;
	if ((e = pw_lookup(name, 0, &u, &g)) == CMFA_OK)
		*uid = u;
	return e;
}

enum cmfa_err
cmfa_store_primary_gid(uid_t uid, gid_t *gid)
{
	enum cmfa_err e;
	uid_t u;
	gid_t g;

	if (gid == NULL || uid == (uid_t)-1)
		return CMFA_ERR_INVAL;
	if ((e = pw_lookup(NULL, uid, &u, &g)) == CMFA_OK)
		*gid = g;
	return e;
}

bool
cmfa_store_sync_uid_ok(uid_t owner, uid_t sync_uid)
{
	return sync_uid != (uid_t)-1 && sync_uid != 0 && sync_uid != owner;
}

static bool
other_owner(const struct cmfa_store *st)
{
	return st->sync_owner != (uid_t)-1 && st->sync_owner != st->owner;
}

/* "users/<u>.json" with a valid user name, or one of the root's names. */
static bool
synced_path(const char *rel, const char **file)
{
	static const char *const root_names[] = { "pool.json", "user-pool.json",
		"sync-status.json", NULL };
	size_t i, len;

	*file = NULL;
	for (i = 0; root_names[i] != NULL; i++)
		if (strcmp(rel, root_names[i]) == 0)
			return true;
	if (strncmp(rel, "users/", 6) != 0)
		return false;
	*file = rel + 6;
	len = strlen(*file);
	return len > 5 && strcmp(*file + len - 5, ".json") == 0 &&
	    cmfa_username_valid(*file, len - 5);
}

enum cmfa_err
cmfa_store_users_dir(const struct cmfa_store *st, int *fd)
{
	enum cmfa_err err;

	if (st == NULL || st->dirfd < 0 || fd == NULL)
		return CMFA_ERR_INVAL;
	err = cmfa_dir_open(st->dirfd, "users", st->owner, fd);
	if (err == CMFA_ERR_UNTRUSTED && other_owner(st))
		err = cmfa_dir_open(st->dirfd, "users", st->sync_owner, fd);
	return err;
}

enum cmfa_err
cmfa_store_synced_read(const struct cmfa_store *st, const char *rel, size_t max,
    struct cmfa_buf *out, int64_t *mtime)
{
	const char *file;
	enum cmfa_err err;
	int fd;

	if (st == NULL || st->dirfd < 0 || rel == NULL ||
	    !synced_path(rel, &file))
		return CMFA_ERR_INVAL;
	err = cmfa_file_read(st->dirfd, rel, st->owner, max, out, mtime);
	if (err != CMFA_ERR_UNTRUSTED || !other_owner(st))
		return err;
	if (file == NULL) /* in the root, which is the owner's */
		return cmfa_file_read(st->dirfd, rel, st->sync_owner, max, out,
		    mtime);
	if ((err = cmfa_store_users_dir(st, &fd)) != CMFA_OK)
		return err;
	err = cmfa_file_read(fd, file, st->sync_owner, max, out, mtime);
	if (err == CMFA_ERR_UNTRUSTED)
		err = cmfa_file_read(fd, file, st->owner, max, out, mtime);
	(void)close(fd);
	return err;
}

/* ---------------------------------------------------------------------- */
/* Sharing the root with the sync user                                    */

#define OPEN_FILE (O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

static const char *const private_dirs[] = { "totp", "pending", "state",
	"lock" };
static const char *const synced_files[] = { "pool.json", "user-pool.json",
	"sync-status.json" };

/* Open dirfd/name, a regular file of owner with one link (root's files
 * only: the sync user's need not be readable by a root without
 * CAP_DAC_OVERRIDE, and are never opened here). */
static enum cmfa_err
open_owned(int dirfd, const char *name, uid_t owner, int *out)
{
	struct stat sb;
	int fd;

	do
		fd = openat(dirfd, name, OPEN_FILE);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return errno == ENOENT ? CMFA_ERR_NOTFOUND
		    : errno == ELOOP   ? CMFA_ERR_UNTRUSTED
		                       : CMFA_ERR_IO;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_uid != owner ||
	    sb.st_nlink != 1) {
		(void)close(fd);
		return CMFA_ERR_UNTRUSTED;
	}
	*out = fd;
	return CMFA_OK;
}

/* totp/ pending/ state/ lock/: present (made now if missing, before the
 * sync user can write the root), the owner's, 0700. */
static enum cmfa_err
share_private_dirs(const struct cmfa_store *st, const char **what)
{
	struct stat sb;
	enum cmfa_err e;
	size_t i;
	int fd;

	for (i = 0; i < CMFA_ARRAY_LEN(private_dirs); i++) {
		*what = private_dirs[i];
		if (mkdirat(st->dirfd, private_dirs[i], S_IRWXU) != 0 &&
		    errno != EEXIST)
			return CMFA_ERR_IO;
		if ((e = cmfa_dir_open(st->dirfd, private_dirs[i], st->owner,
		         &fd)) != CMFA_OK)
			return e;
		e = fstat(fd, &sb) == 0 &&
		        ((sb.st_mode & 07777) == S_IRWXU ||
		            fchmod(fd, S_IRWXU) == 0)
		    ? CMFA_OK
		    : CMFA_ERR_IO;
		(void)close(fd);
		if (e != CMFA_OK)
			return e;
	}
	return CMFA_OK;
}

/* format: 0644, so that the sync user can open the store. */
static enum cmfa_err
share_format(const struct cmfa_store *st, const char **what)
{
	enum cmfa_err e;
	int fd;

	*what = "format";
	if ((e = open_owned(st->dirfd, "format", st->owner, &fd)) != CMFA_OK)
		return e;
	e = fchmod(fd, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH) == 0
	    ? CMFA_OK
	    : CMFA_ERR_IO;
	(void)close(fd);
	return e;
}

/* One of the root's synced files: absent or the sync user's already is
 * fine; the owner's is handed over (0600); anyone else's is refused. */
static enum cmfa_err
share_file(int dirfd, const char *name, uid_t owner, uid_t uid, gid_t gid)
{
	struct stat sb;
	enum cmfa_err e;
	int fd;

	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? CMFA_OK : CMFA_ERR_IO;
	if (sb.st_uid == uid)
		return CMFA_OK; /* its own: the sync replaces it */
	if ((e = open_owned(dirfd, name, owner, &fd)) != CMFA_OK)
		return e;
	/* the mode while it is still ours: after the chown it would take
	 * CAP_FOWNER, which the unit does not grant */
	e = fchmod(fd, S_IRUSR | S_IWUSR) == 0 && fchown(fd, uid, gid) == 0
	    ? CMFA_OK
	    : CMFA_ERR_IO;
	(void)close(fd);
	return e;
}

/* The owner's records in users/ (fd) become the sync user's. */
static enum cmfa_err
share_records(int fd, uid_t owner, uid_t uid, gid_t gid)
{
	struct dirent *de;
	struct stat sb;
	enum cmfa_err e = CMFA_OK;
	DIR *d;
	int dfd, rfd;

	if ((dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return CMFA_ERR_IO;
	if ((d = fdopendir(dfd)) == NULL) {
		(void)close(dfd);
		return CMFA_ERR_IO;
	}
	while (e == CMFA_OK && (de = readdir(d)) != NULL) {
		/* dot files: ".", "..", temporary files */
		if (de->d_name[0] == '.' ||
		    fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(sb.st_mode) || sb.st_uid != owner ||
		    sb.st_nlink != 1)
			continue; /* the readers judge the rest */
		if (open_owned(fd, de->d_name, owner, &rfd) != CMFA_OK)
			continue;
		if (fchown(rfd, uid, gid) != 0)
			e = CMFA_ERR_IO;
		(void)close(rfd);
	}
	(void)closedir(d);
	return e;
}

/* users/: the sync user's, 0700, with the owner's records in it. */
static enum cmfa_err
share_users(const struct cmfa_store *st, uid_t uid, gid_t gid)
{
	struct stat sb;
	enum cmfa_err e;
	int fd;

	if (fstatat(st->dirfd, "users", &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(sb.st_mode) && sb.st_uid == uid)
			return CMFA_OK; /* shared before */
	} else if (errno != ENOENT ||
	    (mkdirat(st->dirfd, "users", S_IRWXU) != 0 && errno != EEXIST))
		return CMFA_ERR_IO;
	/* the owner's (or root's) and writable by nobody else */
	if ((e = cmfa_dir_open(st->dirfd, "users", st->owner, &fd)) != CMFA_OK)
		return e;
	if ((e = share_records(fd, st->owner, uid, gid)) == CMFA_OK &&
	    (fchmod(fd, S_IRWXU) != 0 || fchown(fd, uid, gid) != 0))
		e = CMFA_ERR_IO; /* mode first, as share_file */
	(void)close(fd);
	return e;
}

/* Last: the root itself, group first (while the group has no access),
 * then the mode. */
static enum cmfa_err
share_root(const struct cmfa_store *st, gid_t gid)
{
	struct stat sb;

	if (fstat(st->dirfd, &sb) != 0)
		return CMFA_ERR_IO;
	if (sb.st_uid != st->owner && sb.st_uid != 0)
		return CMFA_ERR_UNTRUSTED;
	if (sb.st_gid != gid && fchown(st->dirfd, (uid_t)-1, gid) != 0)
		return CMFA_ERR_IO;
	if ((sb.st_mode & 07777) != CMFA_STORE_SHARED_MODE &&
	    fchmod(st->dirfd, CMFA_STORE_SHARED_MODE) != 0)
		return CMFA_ERR_IO;
	return CMFA_OK;
}

enum cmfa_err
cmfa_store_share(const struct cmfa_store *st, uid_t uid, const char **what)
{
	enum cmfa_err e;
	const char *w = "the store root";
	size_t i;
	gid_t gid;

	if (what != NULL)
		*what = w;
	if (st == NULL || st->dirfd < 0 ||
	    !cmfa_store_sync_uid_ok(st->owner, uid))
		return CMFA_ERR_INVAL;
	if ((e = cmfa_store_primary_gid(uid, &gid)) != CMFA_OK)
		return e;
	if (gid == 0)
		return CMFA_ERR_INVAL; /* never a group-writable root for 0 */
	if ((e = share_private_dirs(st, &w)) != CMFA_OK ||
	    (e = share_format(st, &w)) != CMFA_OK)
		goto out;
	for (i = 0; i < CMFA_ARRAY_LEN(synced_files); i++) {
		w = synced_files[i];
		if ((e = share_file(st->dirfd, w, st->owner, uid, gid)) !=
		    CMFA_OK)
			goto out;
	}
	w = "users/";
	if ((e = share_users(st, uid, gid)) != CMFA_OK)
		goto out;
	w = "the store root";
	e = share_root(st, gid);
out:
	if (what != NULL)
		*what = w;
	return e;
}

enum cmfa_err
cmfa_store_shared_check(const struct cmfa_store *st, uid_t uid,
    const char **what)
{
	const mode_t want = S_IRWXG | S_ISVTX;
	struct stat sb;
	size_t i;
	gid_t gid;

	if (what != NULL)
		*what = "the store root";
	if (st == NULL || st->dirfd < 0 ||
	    !cmfa_store_sync_uid_ok(st->owner, uid))
		return CMFA_ERR_INVAL;
	if (cmfa_store_primary_gid(uid, &gid) != CMFA_OK ||
	    fstat(st->dirfd, &sb) != 0 || sb.st_gid != gid ||
	    (sb.st_mode & want) != want || (sb.st_mode & S_IWOTH) != 0)
		return CMFA_ERR_UNTRUSTED;
	if (what != NULL)
		*what = "users/";
	if (fstatat(st->dirfd, "users", &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISDIR(sb.st_mode) || sb.st_uid != uid)
		return CMFA_ERR_UNTRUSTED;
	for (i = 0; i < CMFA_ARRAY_LEN(synced_files); i++) {
		if (what != NULL)
			*what = synced_files[i];
		if (fstatat(st->dirfd, synced_files[i], &sb,
		        AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno == ENOENT)
				continue;
			return CMFA_ERR_IO;
		}
		if (sb.st_uid != uid)
			return CMFA_ERR_UNTRUSTED;
	}
	if (what != NULL)
		*what = NULL;
	return CMFA_OK;
}
