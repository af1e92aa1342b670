/*
 * store_int.h: helpers shared by the store's source files (not API).
 */
#ifndef CMFA_STORE_INT_H
#define CMFA_STORE_INT_H

#include "cmfa_store.h"

/* "<dir>/<user><suffix>" fits easily in this. */
#define CMFA_STORE_RELPATH_MAX (16 + CMFA_USERNAME_MAX + 16)

/*
 * Build dir/<user><suffix> into buf after checking user (a C string) with
 * cmfa_username_valid(): CMFA_ERR_INVAL for a bad name.
 */
enum cmfa_err cmfa_store_relpath(char *buf, size_t bufsz, const char *dir,
    const char *user, const char *suffix);

/*
 * A sync user that can share the store: a real uid, neither root nor
 * the store owner (store/syncown.c).
 */
bool cmfa_store_sync_uid_ok(uid_t owner, uid_t sync_uid);

/* uid's primary group (getpwuid_r); CMFA_ERR_NOTFOUND: no such user. */
enum cmfa_err cmfa_store_primary_gid(uid_t uid, gid_t *gid);

#endif /* CMFA_STORE_INT_H */
