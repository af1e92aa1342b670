/*
 * cmfa_fixture.h: temporary directories and stores for the unit tests.
 * Everything lives under a mkdtemp directory in /tmp (a sticky ancestor
 * the store's trust rules accept) and is removed by the test that made it.
 * static inline, so a test that uses only part of it gets no warning.
 */
#ifndef CMFA_FIXTURE_H
#define CMFA_FIXTURE_H

#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmfa_store.h"

static inline int
cmfa_fixture_rm_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* Remove a test's temporary tree (depth first, links not followed). */
static inline void
cmfa_fixture_rm_tree(const char *path)
{
	if (path != NULL && path[0] != '\0')
		(void)nftw(path, cmfa_fixture_rm_entry, 16,
		    FTW_DEPTH | FTW_PHYS);
}

/* A store at <mkdtemp dir>/store, owned by the effective uid. */
struct tstore {
	char top[PATH_MAX];
	char path[PATH_MAX + 16];
	struct cmfa_store st;
};

/* The temporary directory only; the store path is not created yet. */
static inline bool
tstore_dir(struct tstore *t)
{
	t->st.dirfd = -1;
	snprintf(t->top, sizeof(t->top), "/tmp/cmfa-test-XXXXXX");
	if (mkdtemp(t->top) == NULL) {
		t->top[0] = '\0';
		return false;
	}
	snprintf(t->path, sizeof(t->path), "%s/store", t->top);
	return true;
}

/* A new, open store. */
static inline bool
tstore_make(struct tstore *t)
{
	return tstore_dir(t) &&
	    cmfa_store_init(t->path, geteuid()) == CMFA_OK &&
	    cmfa_store_open(&t->st, t->path, geteuid()) == CMFA_OK;
}

static inline void
tstore_remove(struct tstore *t)
{
	cmfa_store_close(&t->st);
	cmfa_fixture_rm_tree(t->top);
	t->top[0] = '\0';
}

#endif /* CMFA_FIXTURE_H */
