/*
 * cmfa_store.h: the local store (DESIGN.md section 2, D2, D3, D7).
 *
 * Layout under the root (default /var/lib/cognito-mfa, 0700; files 0600):
 *
 *   format            "1\n": the store format version (CMFA_STORE_FORMAT)
 *   pool.json         GetUserPoolMfaConfig response (raw JSON); a fresh
 *                     store has {"MfaConfiguration":"OFF"}
 *   user-pool.json    optional DescribeUserPool response (recovery)
 *   users/<u>.json    AdminGetUser response
 *   totp/<u>          active TOTP secret: base32 + "\n"
 *   pending/<u>       TOTP secret awaiting its first correct code
 *   state/<u>         per-user state (replay, lockout, grace): see below
 *   lock/<u>          per-user lock file (flock); never removed, so two
 *                     processes can never lock two different inodes
 *
 * Every file is read through util/file.c: no symlink anywhere, owner ==
 * the store owner, no group/other write, one link, size-capped; writes
 * are atomic (temp + fsync + rename + directory fsync).  The sync time of
 * a cached object is its file's mtime (a sync rewrites unchanged files).
 *
 * With a sync user (config sync_user; store/syncown.c) the store is
 * SHARED with it (cmfa_store_share, by root):
 *
 *   /                 root:<sync user's primary group> 1770 (sticky)
 *   format            root:root 0644
 *   pool.json         <sync user> 0600  (user-pool.json, sync-status.json
 *                     the same)
 *   users/            <sync user> 0700, records <sync user> 0600
 *   totp/ pending/ state/ lock/   root:root 0700, as always
 *
 * and the synced objects (pool.json, user-pool.json, sync-status.json,
 * users/, users/<u>.json) are trusted when they belong to root or to the
 * sync user; every other entry stays root's only.
 *
 * Users: every function taking a user name checks cmfa_username_valid()
 * first (CMFA_ERR_INVAL).  The name is a file name, so the set is narrow:
 * Cognito user names outside it are skipped by the sync (and reported).
 *
 * Ownership: struct cmfa_store owns its dirfd (cmfa_store_close()).  Parsed
 * records are the core's structs, released with cmfa_pool_free() /
 * cmfa_user_free().  Key buffers are the caller's; the store wipes every
 * copy it made of a secret.  Out-parameters are set only on success.
 * Nothing here reads the clock or the environment.
 */
#ifndef CMFA_STORE_H
#define CMFA_STORE_H

#include <sys/types.h>

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmfa_core.h"
#include "cmfa_otp.h"
#include "cmfa_util.h"

#define CMFA_STORE_FORMAT 1
#ifdef CMFA_LOCALSTATEDIR
#define CMFA_STORE_DEFAULT_PATH CMFA_LOCALSTATEDIR "/cognito-mfa"
#else
#define CMFA_STORE_DEFAULT_PATH "/var/lib/cognito-mfa"
#endif
#define CMFA_STORE_DEFAULT_POOL "{\"MfaConfiguration\":\"OFF\"}"
#define CMFA_USERNAME_MAX 64
#define CMFA_STORE_SECRET_MAX 256    /* bytes of a totp/ or pending/ file */
#define CMFA_STORE_SHARED_MODE 01770 /* the root shared with sync_user */

struct cmfa_store {
	int dirfd;           /* the root, O_RDONLY | O_DIRECTORY; -1 closed */
	uid_t owner;         /* every file and directory belongs to it */
	uid_t sync_owner;    /* also trusted for the synced objects (below);
				(uid_t)-1: nobody else (cmfa_store_open) */
	char path[PATH_MAX]; /* for messages only; never reopened */
};

/*
 * 1..CMFA_USERNAME_MAX bytes; the first [A-Za-z0-9_], the rest
 * [A-Za-z0-9._@+-]; no "..", no trailing '.'.  No NUL, no '/', no
 * control or non-ASCII byte, never "." or "..", never a name starting
 * with '.' (temporary files do).
 */
bool cmfa_username_valid(const char *name, size_t len);

/*
 * Create the store at path (absolute; its parent chain must pass
 * cmfa_path_trusted() for owner): the root and users/ totp/ pending/
 * state/ lock/ (0700), format and a default pool.json, each only if
 * absent.  Idempotent; never overwrites: an existing format file with
 * another version gives CMFA_ERR_VERSION, an existing untrusted entry
 * CMFA_ERR_UNTRUSTED.  owner must be the effective uid (the files are
 * created by this process): otherwise CMFA_ERR_INVAL.
 */
enum cmfa_err cmfa_store_init(const char *path, uid_t owner);

/*
 * Open an existing store: cmfa_path_trusted() on path (every directory
 * from /), then the format file: missing -> CMFA_ERR_NOTFOUND (not a
 * store: run init), anything but "1\n" -> CMFA_ERR_VERSION.  On failure
 * *st is left closed (dirfd -1), so cmfa_store_close() is always safe
 * after cmfa_store_open().  No sync owner (cmfa_store_open_sync with -1).
 */
enum cmfa_err cmfa_store_open(struct cmfa_store *st, const char *path,
    uid_t owner);

/*
 * The same, with sync_uid as the sync owner (config sync_user, resolved
 * by the caller with cmfa_store_resolve_user; (uid_t)-1: none).  Besides
 * the ordinary root (owner's or root's, writable by neither group nor
 * other), a SHARED root is accepted: the owner's or root's, with the
 * sticky bit, group == sync_uid's primary group (getpwuid_r; never gid
 * 0), no other write.  Group write without the sticky bit, or with any
 * other group, or other write: CMFA_ERR_UNTRUSTED.  A sync_uid of root,
 * of the owner, or of no passwd entry shares nothing (fail closed: a
 * shared root is then refused).
 */
enum cmfa_err cmfa_store_open_sync(struct cmfa_store *st, const char *path,
    uid_t owner, uid_t sync_uid);

/* Close the root fd; safe to call twice.  (A struct never passed to
 * cmfa_store_open() must have dirfd -1, not 0.) */
void cmfa_store_close(struct cmfa_store *st);

/*
 * The sync's owner (config sync_user, DESIGN.md D12 / cmfa_config.h).
 * With a sync owner (cmfa_store_open_sync, or cmfa_store_sync_owner(st,
 * uid) after a plain open, which shares no root) the synced objects --
 * pool.json, user-pool.json, sync-status.json, the users/ directory and
 * users/<u>.json -- are trusted when they belong to uid as well as to
 * the store owner (a directory: or root, as always).  Nothing else is:
 * format, totp/, pending/, state/, lock/ stay the owner's (root's).  A
 * file of any third uid is refused as before.  uid (uid_t)-1 clears it.
 * cmfa_store_resolve_user: name's uid (getpwnam_r); CMFA_ERR_NOTFOUND
 * when there is no such user (the caller then trusts nobody else: the
 * sync user's files are refused, which denies: fail closed), CMFA_ERR_IO
 * when the user database cannot be read.
 */
void cmfa_store_sync_owner(struct cmfa_store *st, uid_t uid);
enum cmfa_err cmfa_store_resolve_user(const char *name, uid_t *uid);

/*
 * Share the store with the sync user uid (root, before it drops to uid;
 * cli/sync.c), in this order, each step idempotent: totp/ pending/
 * state/ lock/ made if missing and set 0700 (the owner's); format 0644;
 * pool.json, user-pool.json, sync-status.json of the owner chown'ed to
 * uid:gid 0600 (absent or uid's already: left; a third uid's, a symlink
 * or a second link: CMFA_ERR_UNTRUSTED); users/ of the owner: its
 * regular one-link records of the owner, then users/ itself, chown'ed to
 * uid:gid, users/ 0700 (uid's already: left); last the root: group gid,
 * mode CMFA_STORE_SHARED_MODE.  gid is uid's primary group.  uid root,
 * the owner, or gid 0: CMFA_ERR_INVAL.  *what (may be NULL) names the
 * object a failure is about.  Needs CAP_CHOWN (root).
 */
enum cmfa_err cmfa_store_share(const struct cmfa_store *st, uid_t uid,
    const char **what);

/*
 * Is the store shared with uid (as cmfa_store_share leaves it)?  The
 * root's group uid's primary group, group rwx and sticky; users/ uid's;
 * pool.json, user-pool.json, sync-status.json absent or uid's.  Else
 * CMFA_ERR_UNTRUSTED, *what (may be NULL) naming the first object that
 * is not.  For the sync run directly as uid, which cannot fix any.
 */
enum cmfa_err cmfa_store_shared_check(const struct cmfa_store *st, uid_t uid,
    const char **what);

/*
 * Read a synced object (one of the names above, relative to the root)
 * with the trust rules above: at most max bytes into *out (the caller's
 * cmfa_buf_free()), *mtime (may be NULL) its mtime.  Any other path:
 * CMFA_ERR_INVAL.
 */
enum cmfa_err cmfa_store_synced_read(const struct cmfa_store *st,
    const char *rel, size_t max, struct cmfa_buf *out, int64_t *mtime);

/* Open the users/ directory (the caller closes *fd) by the same rules. */
enum cmfa_err cmfa_store_users_dir(const struct cmfa_store *st, int *fd);

/* ---------------------------------------------------------------------- */
/* Cached Cognito objects                                                 */

/*
 * Read and parse pool.json (cap CMFA_JSON_MAX_BYTES) with cmfa_pool_parse.
 * *synced (may be NULL) is the file's mtime; verr (may be NULL) says why
 * a document was refused.  Missing -> CMFA_ERR_NOTFOUND.
 */
enum cmfa_err cmfa_store_pool_read(const struct cmfa_store *st,
    struct cmfa_pool_config *out, int64_t *synced, struct cmfa_verr *verr);

/*
 * Replace pool.json with the raw response json[0..len).  The document
 * must parse as the reader will parse it (a writer can never leave a
 * cache the module then refuses); else the parser's error, nothing
 * written.
 */
enum cmfa_err cmfa_store_pool_write(const struct cmfa_store *st,
    const char *json, size_t len, struct cmfa_verr *verr);

/* user-pool.json: the recovery setting (cmfa_user_pool_recovery_parse).
 * Missing -> CMFA_ERR_NOTFOUND: the caller then uses
 * CMFA_RECOVERY_UNKNOWN. */
enum cmfa_err cmfa_store_recovery_read(const struct cmfa_store *st,
    enum cmfa_recovery *out, int64_t *synced, struct cmfa_verr *verr);
enum cmfa_err cmfa_store_recovery_write(const struct cmfa_store *st,
    const char *json, size_t len, struct cmfa_verr *verr);

/* users/<user>.json (cmfa_user_parse).  Missing -> CMFA_ERR_NOTFOUND. */
enum cmfa_err cmfa_store_user_read(const struct cmfa_store *st,
    const char *user, struct cmfa_user *out, int64_t *synced,
    struct cmfa_verr *verr);
enum cmfa_err cmfa_store_user_write(const struct cmfa_store *st,
    const char *user, const char *json, size_t len, struct cmfa_verr *verr);
/* CMFA_ERR_NOTFOUND when there was no record. */
enum cmfa_err cmfa_store_user_remove(const struct cmfa_store *st,
    const char *user);

/* ---------------------------------------------------------------------- */
/* TOTP secrets (DESIGN.md D3)                                            */

/*
 * Load the active (totp/<user>) or pending (pending/<user>) secret into
 * key[0..keymax), *keylen its length.  The file must be base32 (as
 * cmfa_base32_decode accepts it) followed by exactly one "\n", decode to
 * 1..keymax bytes (CMFA_ERR_PARSE / CMFA_ERR_TOOBIG), and have no group
 * or other permission bit (CMFA_ERR_UNTRUSTED).  Missing ->
 * CMFA_ERR_NOTFOUND.  key is written only on success; every other copy
 * is wiped.
 */
enum cmfa_err cmfa_store_totp_load(const struct cmfa_store *st,
    const char *user, uint8_t *key, size_t keymax, size_t *keylen);
enum cmfa_err cmfa_store_pending_load(const struct cmfa_store *st,
    const char *user, uint8_t *key, size_t keymax, size_t *keylen);

/* Save a new pending secret (1..CMFA_TOTP_KEY_MAX bytes), 0600,
 * replacing an earlier pending one. */
enum cmfa_err cmfa_store_pending_save(const struct cmfa_store *st,
    const char *user, const uint8_t *key, size_t keylen);

/*
 * The pending secret becomes the active one (rename pending/<user> over
 * totp/<user>, both directories fsynced).  The caller verified the first
 * code against cmfa_store_pending_load() first.  No pending secret ->
 * CMFA_ERR_NOTFOUND.
 */
enum cmfa_err cmfa_store_totp_activate(const struct cmfa_store *st,
    const char *user);

/* Remove the active / pending secret; CMFA_ERR_NOTFOUND if absent. */
enum cmfa_err cmfa_store_totp_remove(const struct cmfa_store *st,
    const char *user);
enum cmfa_err cmfa_store_pending_remove(const struct cmfa_store *st,
    const char *user);

/* ---------------------------------------------------------------------- */
/* Per-user state: replay, lockout, grace (DESIGN.md D7; COGNITO.md 3.7)  */

#define CMFA_STATE_MAX 4096 /* bytes of a state file */
#define CMFA_GRACE_MAX 8
#define CMFA_GRACE_SERVICE_MAX 32 /* [A-Za-z0-9._+-]{1,32} */
#define CMFA_GRACE_KEY_LEN 32
#define CMFA_LOCKOUT_AFTER 5   /* failures before a lockout */
#define CMFA_LOCKOUT_MAX 900   /* seconds: lockout cap */
#define CMFA_LOCKOUT_RESET 900 /* seconds without attempts */

/*
 * A grace entry: a verified factor for service, bound to key (the caller's
 * hash of whatever it binds the grace to: tty, rhost, session...), until
 * expires (exclusive).
 */
struct cmfa_grace {
	char service[CMFA_GRACE_SERVICE_MAX + 1];
	uint8_t key[CMFA_GRACE_KEY_LEN];
	int64_t expires;
};

struct cmfa_state {
	uint64_t last_step;   /* highest TOTP step accepted (0: none) */
	uint32_t failures;    /* wrong codes since the count (re)started */
	int64_t last_failure; /* time of the last wrong code (0: none) */
	int64_t locked_until; /* locked while now < locked_until */
	size_t ngrace;
	struct cmfa_grace grace[CMFA_GRACE_MAX];
};

/*
 * The state file, strictly parsed (at most CMFA_STATE_MAX bytes; every
 * line ends with "\n"; single spaces; decimal numbers without sign or
 * leading zeros; lowercase hex):
 *
 *   cmfa-state 1
 *   last_step <u64>
 *   failures <u32>
 *   last_failure <0..INT64_MAX>
 *   locked_until <0..INT64_MAX>
 *   grace <service> <64 hex> <expires 0..INT64_MAX>     (0..8 lines)
 *
 * The header comes first; the four keys follow in any order, each exactly
 * once; grace lines anywhere after the header, no two with the same
 * service and key.  Anything else (unknown key, repeated key, missing
 * key, garbage) is CMFA_ERR_PARSE; a well-formed header with another
 * version is CMFA_ERR_VERSION.  *out is set only on success.
 */
enum cmfa_err cmfa_state_parse(const char *p, size_t len,
    struct cmfa_state *out);

/*
 * The canonical text of st into *out (initialised here with maximum
 * CMFA_STATE_MAX; the caller frees it with cmfa_buf_free()).  An
 * inconsistent st (ngrace too big, an invalid service, negative times) is
 * CMFA_ERR_INVAL.  serialize(parse(x)) parses back to the same struct.
 */
enum cmfa_err cmfa_state_serialize(const struct cmfa_state *st,
    struct cmfa_buf *out);

/*
 * Lockout, as Cognito does it for MFA codes (COGNITO.md 3.7):
 *  - cmfa_state_locked: true while now < locked_until; *remaining (may be
 *    NULL) gets the seconds left (0 when not locked).  Checking never
 *    changes the state, so it never extends a lockout.  A locked_until
 *    more than CMFA_LOCKOUT_MAX ahead of now (the clock went back, or the
 *    file was edited) is not honoured, so no lock ever outlasts the cap;
 *    the failure count still is, so the next wrong code locks again.
 *  - cmfa_state_fail: a wrong code at now.  Ignored while locked (an
 *    attempt during a lockout neither counts nor extends it; the caller
 *    should not have asked).  If CMFA_LOCKOUT_RESET seconds have passed since
 *    the later of the previous failure and the end of its lockout, the
 *    count restarts.  failures++
 *    (saturating), last_failure = now, and from the 5th failure on
 *    locked_until = now + min(2^(failures - 5), 900): 1 s, 2, 4, ...,
 *    512, then 900.
 *  - cmfa_state_success: a verified code: failures, last_failure and
 *    locked_until back to 0, last_step = max(last_step, step), expired
 *    grace entries pruned.
 */
bool cmfa_state_locked(const struct cmfa_state *st, int64_t now,
    int64_t *remaining);
void cmfa_state_fail(struct cmfa_state *st, int64_t now);
void cmfa_state_success(struct cmfa_state *st, int64_t now, uint64_t step);

/* The lockout length after n failures: 0 below 5, then 2^(n-5) capped. */
int64_t cmfa_lockout_seconds(uint32_t failures);

/*
 * Grace.  add: prunes expired entries (expires <= now), then refreshes the
 * entry with the same service and key, or adds one, evicting the entry
 * that expires soonest when all CMFA_GRACE_MAX are taken.  service is a
 * C string matching [A-Za-z0-9._+-]{1,32} and expires > now, else
 * CMFA_ERR_INVAL (st unchanged).  hit: true when an unexpired entry has
 * this service and key; keys are compared in constant time, every entry
 * is looked at.
 */
enum cmfa_err cmfa_state_grace_add(struct cmfa_state *st, const char *service,
    const uint8_t key[CMFA_GRACE_KEY_LEN], int64_t expires, int64_t now);
bool cmfa_state_grace_hit(const struct cmfa_state *st, const char *service,
    const uint8_t key[CMFA_GRACE_KEY_LEN], int64_t now);

/*
 * Locked transactions on state/<user>.
 *
 *   begin:  open lock/<user> (O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
 *           0600; checked with fstat: regular, owner, mode, one link),
 *           flock(LOCK_EX) (blocking; EINTR retried), then read
 *           state/<user>: missing = a zeroed state, corrupt =
 *           CMFA_ERR_PARSE (the lock is released again).
 *   commit: atomically replace state/<user> with st (the lock is kept).
 *   end:    unlock and close; safe to call twice, and after a failed
 *           begin (begin always leaves txn ended or begun).
 *
 * The lock serialises every process (PAM stacks of sshd, sudo, the CLI)
 * that uses the same user's state.  NEVER hold it across a user prompt:
 * a user could keep the lock (and every other login of that user) for
 * as long as they leave the prompt open.  Check the lockout in one
 * transaction, end it, prompt, then verify and record (fail / success /
 * replay check) in a second transaction on the state read afresh.
 *
 * The store must outlive the transaction (txn borrows its dirfd).
 */
struct cmfa_state_txn {
	const struct cmfa_store *store;
	int lockfd; /* -1 when not in a transaction */
	char user[CMFA_USERNAME_MAX + 1];
};

enum cmfa_err cmfa_state_begin(const struct cmfa_store *store, const char *user,
    struct cmfa_state_txn *txn, struct cmfa_state *st);
enum cmfa_err cmfa_state_commit(struct cmfa_state_txn *txn,
    const struct cmfa_state *st);
void cmfa_state_end(struct cmfa_state_txn *txn);

/*
 * Read state/<user> without the lock (missing = zeroed).  State files are
 * only ever replaced by rename, so this sees one whole version, perhaps
 * not the newest: good for a quick "locked out?" answer before a prompt,
 * never for a decision that writes (use a transaction).
 */
enum cmfa_err cmfa_state_peek(const struct cmfa_store *store, const char *user,
    struct cmfa_state *st);

/*
 * Admin reset (unlock): under the lock, replace state/<user> with a
 * zeroed state, whatever the old file held (even a corrupt one).  The
 * TOTP replay marker is kept when the old state parses.
 */
enum cmfa_err cmfa_state_reset(const struct cmfa_store *store,
    const char *user);

/* ---------------------------------------------------------------------- */
/* One login's view of the store (store/login.c)                          */

struct cmfa_config;

/*
 * Everything a login reads: the store, the pool config, the account
 * recovery setting, the user's record and active TOTP secret.  Owned by
 * the struct; cmfa_login_release() wipes the key and frees the rest.
 */
struct cmfa_login {
	struct cmfa_store store;
	struct cmfa_pool_config pool;
	struct cmfa_user rec;
	bool have_rec;
	enum cmfa_recovery recovery;
	int64_t synced; /* the older of pool.json's and the record's mtime */
	uint8_t key[CMFA_TOTP_KEY_MAX];
	size_t keylen; /* 0: no active secret */
	/* in: the sync user's uid (config sync_user, resolved by the
	 * caller with cmfa_store_resolve_user before cmfa_login_load);
	 * (uid_t)-1 (cmfa_login_init): none */
	uid_t sync_owner;
};

/* What the caller knows that the store does not. */
struct cmfa_login_facts {
	bool require_mfa;   /* the service demands MFA (module argument) */
	bool exempt;        /* member of exempt_group */
	bool in_scope;      /* member of only_group, or no only_group */
	bool sms_channel;   /* this host can deliver SMS codes */
	bool email_channel; /* this host can deliver email codes */
	int64_t now;
};

void cmfa_login_init(struct cmfa_login *l);

/*
 * Load in the module's order: store, pool.json, user-pool.json (missing:
 * recovery unknown), the user's record (missing, or a name that cannot be
 * a store file: no record) and active TOTP secret (missing: none).  On
 * failure *what names the object ("store", "pool.json", ...) and verr
 * (may be NULL) says why a document was refused; any failure means the
 * cache cannot be trusted.
 */
enum cmfa_err cmfa_login_load(struct cmfa_login *l, const char *store_path,
    uid_t owner, const char *user, const char **what, struct cmfa_verr *verr);

/* The policy's inputs (cmfa_core.h) from the loaded cache, the config
 * and the caller's facts. */
void cmfa_login_policy_in(const struct cmfa_login *l,
    const struct cmfa_config *cfg, const struct cmfa_login_facts *facts,
    struct cmfa_policy_in *in);

void cmfa_login_release(struct cmfa_login *l);

#endif /* CMFA_STORE_H */
