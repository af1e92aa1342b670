/*
 * records.c: the cached Cognito documents (DESIGN.md D2): pool.json,
 * user-pool.json and users/<user>.json, read and written as the raw JSON
 * the API returned; the sync time is the file's mtime.
 */
#include <sys/stat.h>

#include <string.h>

#include "cmfa_store.h"
#include "store_int.h"

#define POOL_FILE "pool.json"
#define USER_POOL_FILE "user-pool.json"
#define FILE_MODE (S_IRUSR | S_IWUSR)

static enum cmfa_err
read_doc(const struct cmfa_store *st, const char *rel, struct cmfa_buf *b,
    int64_t *mtime)
{
	if (st == NULL || st->dirfd < 0)
		return CMFA_ERR_INVAL;
	/* every document here is a synced object: the sync user's too */
	return cmfa_store_synced_read(st, rel, CMFA_JSON_MAX_BYTES, b, mtime);
}

static enum cmfa_err
write_doc(const struct cmfa_store *st, const char *rel, const char *json,
    size_t len)
{
	return cmfa_file_write_atomic(st->dirfd, rel, json, len, FILE_MODE);
}

/*
 * A parser of one cached document: *out (the caller's type) is set only
 * on success.
 */
typedef enum cmfa_err (
    *doc_parser)(const char *p, size_t len, void *out, struct cmfa_verr *verr);

static enum cmfa_err
parse_pool(const char *p, size_t len, void *out, struct cmfa_verr *verr)
{
	struct cmfa_pool_config cfg;
	enum cmfa_err err;

	if ((err = cmfa_pool_parse(p, len, &cfg, verr)) == CMFA_OK)
		*(struct cmfa_pool_config *)out = cfg;
	return err;
}

static enum cmfa_err
parse_recovery(const char *p, size_t len, void *out, struct cmfa_verr *verr)
{
	enum cmfa_recovery rec;
	enum cmfa_err err;

	if ((err = cmfa_user_pool_recovery_parse(p, len, &rec, verr)) ==
	    CMFA_OK)
		*(enum cmfa_recovery *)out = rec;
	return err;
}

static enum cmfa_err
parse_user(const char *p, size_t len, void *out, struct cmfa_verr *verr)
{
	struct cmfa_user u;
	enum cmfa_err err;

	if ((err = cmfa_user_parse(p, len, &u, verr)) == CMFA_OK)
		*(struct cmfa_user *)out = u;
	return err;
}

/* Read rel (size-capped, trusted) and parse it into *out; *synced (may be
 * NULL) gets the file's mtime.  Out-parameters are set only on success. */
static enum cmfa_err
read_parsed(const struct cmfa_store *st, const char *rel, doc_parser parse,
    void *out, int64_t *synced, struct cmfa_verr *verr)
{
	struct cmfa_verr local;
	struct cmfa_buf b;
	enum cmfa_err err;
	int64_t mtime;

	if (out == NULL)
		return CMFA_ERR_INVAL;
	if ((err = read_doc(st, rel, &b, &mtime)) != CMFA_OK)
		return err;
	err =
	    parse((const char *)b.p, b.len, out, verr != NULL ? verr : &local);
	cmfa_buf_free(&b);
	if (err == CMFA_OK && synced != NULL)
		*synced = mtime;
	return err;
}

/* Arguments of a writer; the document is then checked by its parser. */
static enum cmfa_err
check_write_args(const struct cmfa_store *st, const char *json, size_t len)
{
	if (st == NULL || st->dirfd < 0 || json == NULL)
		return CMFA_ERR_INVAL;
	if (len > CMFA_JSON_MAX_BYTES)
		return CMFA_ERR_TOOBIG;
	return CMFA_OK;
}

enum cmfa_err
cmfa_store_pool_read(const struct cmfa_store *st, struct cmfa_pool_config *out,
    int64_t *synced, struct cmfa_verr *verr)
{
	return read_parsed(st, POOL_FILE, parse_pool, out, synced, verr);
}

enum cmfa_err
cmfa_store_pool_write(const struct cmfa_store *st, const char *json, size_t len,
    struct cmfa_verr *verr)
{
	struct cmfa_pool_config cfg;
	struct cmfa_verr local;
	enum cmfa_err err;

	if ((err = check_write_args(st, json, len)) != CMFA_OK)
		return err;
	if ((err = cmfa_pool_parse(json, len, &cfg,
	         verr != NULL ? verr : &local)) != CMFA_OK)
		return err;
	cmfa_pool_free(&cfg);
	return write_doc(st, POOL_FILE, json, len);
}

enum cmfa_err
cmfa_store_recovery_read(const struct cmfa_store *st, enum cmfa_recovery *out,
    int64_t *synced, struct cmfa_verr *verr)
{
	return read_parsed(st, USER_POOL_FILE, parse_recovery, out, synced,
	    verr);
}

enum cmfa_err
cmfa_store_recovery_write(const struct cmfa_store *st, const char *json,
    size_t len, struct cmfa_verr *verr)
{
	enum cmfa_recovery rec;
	struct cmfa_verr local;
	enum cmfa_err err;

	if ((err = check_write_args(st, json, len)) != CMFA_OK)
		return err;
	if ((err = cmfa_user_pool_recovery_parse(json, len, &rec,
	         verr != NULL ? verr : &local)) != CMFA_OK)
		return err;
	return write_doc(st, USER_POOL_FILE, json, len);
}

enum cmfa_err
cmfa_store_user_read(const struct cmfa_store *st, const char *user,
    struct cmfa_user *out, int64_t *synced, struct cmfa_verr *verr)
{
	char rel[CMFA_STORE_RELPATH_MAX];
	enum cmfa_err err;

	if ((err = cmfa_store_relpath(rel, sizeof(rel), "users", user,
	         ".json")) != CMFA_OK)
		return err;
	return read_parsed(st, rel, parse_user, out, synced, verr);
}

enum cmfa_err
cmfa_store_user_write(const struct cmfa_store *st, const char *user,
    const char *json, size_t len, struct cmfa_verr *verr)
{
	char rel[CMFA_STORE_RELPATH_MAX];
	struct cmfa_verr local;
	struct cmfa_user u;
	enum cmfa_err err;

	if ((err = cmfa_store_relpath(rel, sizeof(rel), "users", user,
	         ".json")) != CMFA_OK ||
	    (err = check_write_args(st, json, len)) != CMFA_OK)
		return err;
	if ((err = cmfa_user_parse(json, len, &u,
	         verr != NULL ? verr : &local)) != CMFA_OK)
		return err;
	cmfa_user_free(&u);
	return write_doc(st, rel, json, len);
}

enum cmfa_err
cmfa_store_user_remove(const struct cmfa_store *st, const char *user)
{
	char rel[CMFA_STORE_RELPATH_MAX];
	enum cmfa_err err;

	if (st == NULL || st->dirfd < 0)
		return CMFA_ERR_INVAL;
	if ((err = cmfa_store_relpath(rel, sizeof(rel), "users", user,
	         ".json")) != CMFA_OK)
		return err;
	return cmfa_file_remove(st->dirfd, rel);
}
