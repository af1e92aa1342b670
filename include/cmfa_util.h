/*
 * cmfa_util.h: the one error type, bounded buffers, strict number parsing,
 * UTF-8 checks, secret wiping and the logging shim.  libc only.
 *
 * Ownership: nothing here returns memory the caller must free except
 * struct cmfa_buf, which the caller releases with cmfa_buf_free() (that
 * wipes it: buffers may hold secrets).
 */
#ifndef CMFA_UTIL_H
#define CMFA_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every fallible function in the project returns one of these.  Errors are
 * mapped to PAM codes in one table (pam/) and to CLI exit codes in another
 * (cli/); nothing unmapped ever becomes success.
 */
enum cmfa_err {
	CMFA_OK = 0,
	CMFA_ERR_NOMEM,      /* allocation failed, or a buffer maximum hit */
	CMFA_ERR_INVAL,      /* bad argument from the caller */
	CMFA_ERR_TOOBIG,     /* input larger than its cap */
	CMFA_ERR_PARSE,      /* syntax error (JSON, config, state file) */
	CMFA_ERR_VALIDATION, /* well-formed but refused by Cognito's rules */
	CMFA_ERR_NOTFOUND,   /* file or record does not exist */
	CMFA_ERR_UNTRUSTED,  /* wrong owner, mode, type, symlink, links */
	CMFA_ERR_IO,         /* read, write, fsync, rename failed */
	CMFA_ERR_VERSION,    /* store format version not supported */
	CMFA_ERR_LOCKED,     /* user locked out after failed codes */
	CMFA_ERR_MISMATCH,   /* wrong code */
	CMFA_ERR_REPLAY,     /* TOTP step already used */
	CMFA_ERR_CRYPTO,     /* RNG or HMAC failure */
	CMFA_ERR_EXISTS,     /* object already exists */
	CMFA_ERR__MAX
};

/* A static, never-NULL description; never contains input data. */
const char *cmfa_strerror(enum cmfa_err err);

/* Wipe memory that held a secret; never optimised away. NULL is a no-op. */
void cmfa_memzero(void *p, size_t n);

/* Constant-time equality of two n-byte buffers: 1 if equal, 0 if not. */
int cmfa_ct_eq(const void *a, const void *b, size_t n);

/*
 * Growable byte buffer with a mandatory maximum (like curl's dynbuf).  The
 * contents are always followed by a NUL that is not counted in len, so text
 * can be handed to C string APIs; binary data may contain NULs.
 */
struct cmfa_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
	size_t max; /* len never exceeds this */
};

void cmfa_buf_init(struct cmfa_buf *b, size_t max);
enum cmfa_err cmfa_buf_append(struct cmfa_buf *b, const void *p, size_t n);
enum cmfa_err cmfa_buf_append_str(struct cmfa_buf *b, const char *s);
enum cmfa_err cmfa_buf_appendf(struct cmfa_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Keep the allocation, forget the contents (wiped). */
void cmfa_buf_reset(struct cmfa_buf *b);
/* Wipe and release; the buffer is left empty and reusable. */
void cmfa_buf_free(struct cmfa_buf *b);
/* Contents as a C string (never NULL; "" when empty). */
const char *cmfa_buf_str(const struct cmfa_buf *b);

/*
 * Strict unsigned decimal: digits only, no sign, no spaces, no leading
 * zeros except "0" itself, value <= max.  Returns CMFA_ERR_PARSE or
 * CMFA_ERR_TOOBIG (value above max); *out is set only on success.
 */
enum cmfa_err cmfa_parse_u64(const char *p, size_t len, uint64_t max,
    uint64_t *out);

/* Signed variant for values that may be negative (timestamps in tests). */
enum cmfa_err cmfa_parse_i64(const char *p, size_t len, int64_t min,
    int64_t max, int64_t *out);

/*
 * UTF-8 checks.  cmfa_utf8_valid: well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF).  cmfa_utf8_printable: valid and
 * free of C0/C1 control characters and DEL; with allow_space_ctrl, TAB, LF
 * and CR are allowed too.  Both return false for embedded NULs.
 */
bool cmfa_utf8_valid(const char *p, size_t len);
bool cmfa_utf8_printable(const char *p, size_t len, bool allow_space_ctrl);
/* Number of code points of valid UTF-8 (for Cognito's length limits). */
size_t cmfa_utf8_count(const char *p, size_t len);

/*
 * Decode the code point at p[0..len): its length in bytes (1..4), or, for
 * a malformed sequence, 1 with *cp = U+FFFD; 0 only when len is 0.
 */
size_t cmfa_utf8_next(const char *p, size_t len, uint32_t *cp);

/* Length in UTF-16 code units, as Java's String.length() counts it. */
size_t cmfa_utf16_len(const char *p, size_t len);

/*
 * Cognito's pattern classes \p{L}\p{M}\p{S}\p{N}\p{P}, approximated as
 * "not a control, separator, format, private-use or noncharacter code
 * point" (Unicode 15 tables for the separators and format characters):
 * unassigned code points count as visible.
 */
bool cmfa_unicode_visible(uint32_t c);

/*
 * Copy src into dst (size dstsz > 0) for a log line or a user message:
 * control characters and bytes of invalid UTF-8 become '?', the result is
 * truncated (on a character boundary) and always NUL-terminated.
 */
void cmfa_sanitize(char *dst, size_t dstsz, const char *src, size_t srclen);

/*
 * Logging shim.  The module points fn at pam_syslog, the CLI at stderr.
 * prio is a syslog priority (LOG_ERR ...); LOG_DEBUG lines are dropped
 * unless debug is set.  The formatted line is sanitized before fn sees
 * it.  Callers never pass a secret: this is a rule, not a filter.
 */
struct cmfa_log {
	void (*fn)(void *ctx, int prio, const char *line);
	void *ctx;
	bool debug;
};

void cmfa_log(const struct cmfa_log *log, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cmfa_vlog(const struct cmfa_log *log, int prio, const char *fmt,
    va_list ap) __attribute__((format(printf, 3, 0)));

#define CMFA_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------------- */
/* Safe files (util/file.c)                                               */
/*
 * Every open uses O_CLOEXEC | O_NOFOLLOW; paths are walked one component
 * at a time with openat(O_DIRECTORY | O_NOFOLLOW), so no component of any
 * path may be a symlink, and every check is made on the opened fd (fstat),
 * never on a name that could be swapped between check and use.
 *
 * Trust rules:
 *  - a directory is trusted when it is a real directory owned by root or
 *    by the expected owner and is writable by neither group nor other.
 *    In cmfa_path_trusted() (and the *_path functions built on it) an
 *    ANCESTOR directory that is group/other-writable is accepted when its
 *    sticky bit is set (/tmp, 1777): other users can then neither rename
 *    nor remove the entry we descend into, which must itself be owned by
 *    root or the owner.  The last directory never gets this exception.
 *  - a file is trusted when it is a regular file owned by exactly the
 *    expected owner, writable by neither group nor other, with exactly
 *    one link (a hard link could be a second name the owner never meant
 *    to trust, e.g. a link to another user's file on the same fs).
 *  - relative paths ("users/alice.json") are relative to dirfd, which the
 *    caller has already trusted (from cmfa_dir_open_path()); absolute
 *    paths, empty components ("a//b", "a/"), "." and ".." are refused
 *    with CMFA_ERR_INVAL.  Absolute paths (the *_path functions) may
 *    repeat or end with '/', but "." and ".." are refused there too.
 *  - functions that modify the filesystem (write, remove, rename) check
 *    directories against the effective uid (or root): the files they make
 *    belong to the effective uid.
 *
 * Errors: CMFA_ERR_NOTFOUND (a component does not exist),
 * CMFA_ERR_UNTRUSTED (symlink, wrong type, owner, mode or link count; a
 * FIFO or a directory where a file is expected), CMFA_ERR_TOOBIG (larger
 * than max), CMFA_ERR_INVAL (bad path or argument), CMFA_ERR_IO (anything
 * else the kernel refused).  Out-parameters are set only on success.
 */
#include <sys/types.h>

/*
 * Read the whole of dirfd/relpath, at most max bytes, into *out (which the
 * caller releases with cmfa_buf_free(); its maximum is max).  The file is
 * opened O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK (a FIFO
 * never blocks: it is refused by type).  The bytes read must equal the
 * size fstat reported.  *mtime (may be NULL) gets the modification time
 * in seconds since the epoch.
 */
enum cmfa_err cmfa_file_read(int dirfd, const char *relpath, uid_t owner,
    size_t max, struct cmfa_buf *out, int64_t *mtime);

/* The same for secrets: also refuses any group or other permission bit. */
enum cmfa_err cmfa_file_read_secret(int dirfd, const char *relpath, uid_t owner,
    size_t max, struct cmfa_buf *out, int64_t *mtime);

/*
 * cmfa_file_read() of an absolute path whose directory chain passes
 * cmfa_path_trusted() (checked on the fds actually walked).
 */
enum cmfa_err cmfa_file_read_path(const char *abs_path, uid_t owner, size_t max,
    struct cmfa_buf *out, int64_t *mtime);

/*
 * Every directory from / down to abs_path (inclusive) is a trusted
 * directory by the rules above (sticky ancestors accepted).
 */
enum cmfa_err cmfa_path_trusted(const char *abs_path, uid_t owner);

/* As cmfa_path_trusted(), returning an O_RDONLY | O_DIRECTORY fd to the
 * last directory in *out (the caller closes it). */
enum cmfa_err cmfa_dir_open_path(const char *abs_path, uid_t owner, int *out);

/* Walk relpath below dirfd, every component a trusted directory; *out is
 * an O_RDONLY | O_DIRECTORY fd to the last one (the caller closes it). */
enum cmfa_err cmfa_dir_open(int dirfd, const char *relpath, uid_t owner,
    int *out);

/*
 * Atomically replace dirfd/relpath with data[0..len): a temporary file
 * ".<name>.<16 random hex>" is created in the same (trusted) directory
 * with O_EXCL | O_NOFOLLOW, given mode (permission bits only; group/other
 * write and set-id bits are refused with CMFA_ERR_INVAL), written, fsynced
 * and renamed over the target, then the directory is fsynced.  On any
 * failure before the rename the temporary file is removed and the old
 * target is left as it was.  If only the final directory fsync fails the
 * new content is in place and CMFA_ERR_IO is returned.
 */
enum cmfa_err cmfa_file_write_atomic(int dirfd, const char *relpath,
    const void *data, size_t len, mode_t mode);

/* The same, but never replaces: CMFA_ERR_EXISTS if the target exists
 * (renameat2 RENAME_NOREPLACE, or link+unlink where that is refused). */
enum cmfa_err cmfa_file_write_new(int dirfd, const char *relpath,
    const void *data, size_t len, mode_t mode);

/* unlinkat() a file below dirfd (trusted walk), then fsync its directory.
 * CMFA_ERR_NOTFOUND when there was nothing to remove. */
enum cmfa_err cmfa_file_remove(int dirfd, const char *relpath);

/* renameat() from -> to below dirfd (both walks trusted; replaces to),
 * then fsync both directories. */
enum cmfa_err cmfa_file_rename(int dirfd, const char *from, const char *to);

/* End of "Safe files"                                                    */
/* ---------------------------------------------------------------------- */

/* ---------------------------------------------------------------------- */
/* Running a helper program (util/spawn.c)                                */

/*
 * Run one program the way a PAM module may run one inside sshd or sudo:
 *
 *  - path is checked first: absolute, no symlink, "." or ".." in it, a
 *    regular executable file owned by root or by `owner`, not writable by
 *    group or other, and every directory from / down owned by root or
 *    `owner` and not writable by group or other, except that an
 *    ancestor (not the program's own directory) may be when its sticky
 *    bit is set, as in the trust rules above; CMFA_ERR_UNTRUSTED
 *    otherwise (CMFA_ERR_NOTFOUND when a component does not exist), with
 *    out->err naming the path and the reason; nothing is run;
 *  - fork, then in the child: its own process group (setpgid), every
 *    signal disposition back to default and the signal mask cleared,
 *    stdin the write end's peer (a socketpair, so a child that dies
 *    early cannot SIGPIPE the caller), stdout /dev/null, stderr a pipe
 *    the caller reads, every other descriptor closed, resource limits
 *    (no core dumps, CPU time, file size, open files), then execve with
 *    exactly envp (NULL: an empty environment);
 *  - the caller writes input[0..input_len) and closes it, reads the
 *    child's stderr (the first line, at most CMFA_SPAWN_ERR_MAX - 1
 *    bytes, kept; the rest drained), both at once so neither side can
 *    block the other, and waits for it until timeout_ms > 0
 *    (CLOCK_MONOTONIC) have passed; then the whole process group gets
 *    SIGKILL and is reaped.  Once the child has exited, its stderr is
 *    read only as far as already written: a background grandchild
 *    holding the pipe open never delays the caller.  If the child exits
 *    or closes stdin before taking all of the input, that is recorded
 *    (input_short), not an error.
 *
 * A host process that ignores SIGCHLD (children auto-reaped) or reaps
 * children it did not start makes the exit status unknowable: that is
 * CMFA_ERR_IO (fail closed).
 *
 * The caller's signal handlers are never touched; only the child's pid
 * is waited for.  CMFA_OK when the child ran and was reaped (whatever
 * its status: see out); CMFA_ERR_* when it could not be started
 * (CMFA_ERR_INVAL, CMFA_ERR_UNTRUSTED, CMFA_ERR_NOTFOUND, CMFA_ERR_IO)
 * or reaped (CMFA_ERR_IO).  *out is filled in on every return but
 * CMFA_ERR_INVAL for a NULL out; on an error out->err says why.
 */
#define CMFA_SPAWN_ERR_MAX 512

struct cmfa_spawn {
	const char *path;        /* absolute */
	const char *const *argv; /* argv[0] included, NULL-terminated */
	const char *const *envp; /* NULL: empty environment */
	uid_t owner;             /* path may belong to root or owner */
	const void *input;       /* written to stdin, then EOF; may hold
				      a secret: never copied or logged */
	size_t input_len;
	unsigned timeout_ms;
};

struct cmfa_spawn_result {
	bool exited; /* exited normally: status is its exit status */
	int status;
	int signal;       /* killed by this signal (SIGKILL after a timeout) */
	bool timed_out;   /* timeout_ms passed: the group was killed */
	bool input_short; /* the child closed stdin before taking it all */
	/* the start of the child's stderr up to its first newline,
	 * control characters replaced (cmfa_sanitize); or why it could not
	 * be started */
	char err[CMFA_SPAWN_ERR_MAX];
};

enum cmfa_err cmfa_spawn_run(const struct cmfa_spawn *s,
    struct cmfa_spawn_result *out);

#endif /* CMFA_UTIL_H */
