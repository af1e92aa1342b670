/*
 * txn.c: locked read-modify-write of state/<user>.  The lock is flock(2)
 * on lock/<user>, a file that is never removed (removing it would let a
 * process lock an unlinked inode while another locks its successor).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmfa_store.h"
#include "store_int.h"

#define LOCK_OPEN                                                              \
	(O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

/* Open and flock lock/<user>; on success txn is begun. */
static enum cmfa_err
txn_lock(const struct cmfa_store *store, const char *user,
    struct cmfa_state_txn *txn)
{
	char rel[CMFA_STORE_RELPATH_MAX];
	struct stat sb;
	enum cmfa_err err;
	int dfd = -1, fd = -1;

	txn->store = NULL;
	txn->lockfd = -1;
	txn->user[0] = '\0';
	if (store == NULL || store->dirfd < 0)
		return CMFA_ERR_INVAL;
	/* validates user; the lock file's name is user itself */
	if ((err = cmfa_store_relpath(rel, sizeof(rel), "lock", user, "")) !=
	    CMFA_OK)
		return err;
	if ((err = cmfa_dir_open(store->dirfd, "lock", store->owner, &dfd)) !=
	    CMFA_OK)
		return err;
	do
		fd = openat(dfd, user, LOCK_OPEN, S_IRUSR | S_IWUSR);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		err = errno == ELOOP || errno == ENXIO || errno == EISDIR
		    ? CMFA_ERR_UNTRUSTED
		    : CMFA_ERR_IO;
		goto out;
	}
	if (fstat(fd, &sb) != 0) {
		err = CMFA_ERR_IO;
		goto out;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_uid != store->owner ||
	    (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0 || sb.st_nlink != 1) {
		err = CMFA_ERR_UNTRUSTED;
		goto out;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			err = CMFA_ERR_IO;
			goto out;
		}
	}
	txn->store = store;
	txn->lockfd = fd;
	fd = -1;
	memcpy(txn->user, user, strlen(user) + 1);
	err = CMFA_OK;
out:
	if (fd >= 0)
		(void)close(fd);
	(void)close(dfd);
	return err;
}

/* state/<user> of a begun txn; missing = zeroed. */
static enum cmfa_err
txn_read(const struct cmfa_state_txn *txn, struct cmfa_state *out)
{
	char rel[CMFA_STORE_RELPATH_MAX];
	struct cmfa_buf b;
	enum cmfa_err err;

	if ((err = cmfa_store_relpath(rel, sizeof(rel), "state", txn->user,
	         "")) != CMFA_OK)
		return err;
	err = cmfa_file_read(txn->store->dirfd, rel, txn->store->owner,
	    CMFA_STATE_MAX, &b, NULL);
	if (err == CMFA_ERR_NOTFOUND) {
		memset(out, 0, sizeof(*out));
		return CMFA_OK;
	}
	if (err != CMFA_OK)
		return err;
	err = cmfa_state_parse((const char *)b.p, b.len, out);
	cmfa_buf_free(&b);
	return err;
}

enum cmfa_err
cmfa_state_begin(const struct cmfa_store *store, const char *user,
    struct cmfa_state_txn *txn, struct cmfa_state *st)
{
	struct cmfa_state tmp;
	enum cmfa_err err;

	if (txn == NULL)
		return CMFA_ERR_INVAL;
	if (st == NULL) {
		txn->lockfd = -1;
		return CMFA_ERR_INVAL;
	}
	if ((err = txn_lock(store, user, txn)) != CMFA_OK)
		return err;
	if ((err = txn_read(txn, &tmp)) != CMFA_OK) {
		cmfa_state_end(txn);
		return err;
	}
	*st = tmp;
	cmfa_memzero(&tmp, sizeof(tmp));
	return CMFA_OK;
}

enum cmfa_err
cmfa_state_peek(const struct cmfa_store *store, const char *user,
    struct cmfa_state *st)
{
	struct cmfa_state_txn view;
	struct cmfa_state tmp;
	enum cmfa_err err;

	if (store == NULL || user == NULL || st == NULL ||
	    !cmfa_username_valid(user, strlen(user)))
		return CMFA_ERR_INVAL;
	/* txn_read only needs the store and the name, not the lock */
	view.store = store;
	view.lockfd = -1;
	snprintf(view.user, sizeof(view.user), "%s", user);
	if ((err = txn_read(&view, &tmp)) != CMFA_OK)
		return err;
	*st = tmp;
	cmfa_memzero(&tmp, sizeof(tmp));
	return CMFA_OK;
}

enum cmfa_err
cmfa_state_commit(struct cmfa_state_txn *txn, const struct cmfa_state *st)
{
	char rel[CMFA_STORE_RELPATH_MAX];
	struct cmfa_buf b;
	enum cmfa_err err;

	if (txn == NULL || txn->lockfd < 0 || txn->store == NULL || st == NULL)
		return CMFA_ERR_INVAL;
	if ((err = cmfa_store_relpath(rel, sizeof(rel), "state", txn->user,
	         "")) != CMFA_OK)
		return err;
	if ((err = cmfa_state_serialize(st, &b)) != CMFA_OK)
		return err;
	err = cmfa_file_write_atomic(txn->store->dirfd, rel, b.p, b.len,
	    S_IRUSR | S_IWUSR);
	cmfa_buf_free(&b);
	return err;
}

void
cmfa_state_end(struct cmfa_state_txn *txn)
{
	if (txn == NULL || txn->lockfd < 0)
		return;
	(void)flock(txn->lockfd, LOCK_UN);
	(void)close(txn->lockfd);
	txn->lockfd = -1;
	txn->store = NULL;
}

enum cmfa_err
cmfa_state_reset(const struct cmfa_store *store, const char *user)
{
	struct cmfa_state_txn txn;
	struct cmfa_state old, st;
	enum cmfa_err err;

	if ((err = txn_lock(store, user, &txn)) != CMFA_OK)
		return err;
	memset(&st, 0, sizeof(st));
	/* keep the replay marker: a reset must not make used codes valid */
	if (txn_read(&txn, &old) == CMFA_OK)
		st.last_step = old.last_step;
	err = cmfa_state_commit(&txn, &st);
	cmfa_state_end(&txn);
	cmfa_memzero(&old, sizeof(old));
	return err;
}
