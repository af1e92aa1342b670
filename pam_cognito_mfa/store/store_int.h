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

#endif /* CMFA_STORE_INT_H */
