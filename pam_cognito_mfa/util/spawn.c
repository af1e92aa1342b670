/*
 * spawn.c: run one helper program from inside a PAM module (sshd, sudo)
 * or from the CLI, without inheriting anything of the host process that
 * the helper should not have, and without disturbing the host: the
 * contract is in cmfa_util.h ("Running a helper program").
 *
 * What other modules got wrong and this avoids: waiting for any child
 * (stealing the host's), touching the host's SIGCHLD / SIGPIPE handlers,
 * leaking descriptors (CVE-2019-12210) or the environment (a secret in
 * env), a child that never exits or a grandchild that holds a pipe open
 * and hangs the login, and a SIGPIPE killing sshd when the helper dies
 * before reading its input.
 *
 * Between fork and execve the child calls only async-signal-safe
 * functions (the host may be multi-threaded): no malloc, no stdio, no
 * snprintf; everything it needs is prepared by the parent.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmfa_util.h"

#define SPAWN_STEP_MS 10         /* exit polling step without a pidfd */
#define SPAWN_FD_SCAN_MAX 65536  /* close() loop cap without close_range */
#define SPAWN_CPU_SECONDS 60     /* RLIMIT_CPU, soft and hard */
#define SPAWN_FSIZE (64UL << 20) /* RLIMIT_FSIZE: 64 MiB */
#define SPAWN_NOFILE 256         /* RLIMIT_NOFILE */
#define SPAWN_CHUNK 4096         /* one stderr read */
#define SPAWN_READS_PER_WAKE 16  /* then look at the clock again */

/* getrlimit's resource type: an enum in glibc with _GNU_SOURCE. */
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
typedef __rlimit_resource_t spawn_rlimit_res;
#else
typedef int spawn_rlimit_res;
#endif

/* The child's three descriptors, opened by the parent before fork. */
struct child_fds {
	int in;   /* child's end of the stdin socketpair */
	int out;  /* /dev/null */
	int err;  /* write end of the stderr pipe */
	int scan; /* highest fd + 1 for the close() fallback */
};

/* One run, parent side. */
struct run {
	const struct cmfa_spawn *s;
	struct cmfa_spawn_result *r;
	pid_t pid;
	int in;    /* our end of the stdin socketpair; -1 when done */
	int err;   /* read end of the stderr pipe; -1 at EOF */
	int pidfd; /* readable when the child exits; -1 if unavailable */
	size_t sent;
	int64_t deadline_ms; /* CLOCK_MONOTONIC */
	char line[CMFA_SPAWN_ERR_MAX];
	size_t line_len;
	bool line_done; /* newline seen or cap reached */
	bool lost;      /* reaped by someone else (SIGCHLD ignored) */
};

/* ---------------------------------------------------------------------- */
/* Small helpers (parent)                                                 */

static void
close_fd(int *fd)
{
	if (*fd >= 0) {
		(void)close(*fd);
		*fd = -1;
	}
}

/* Set out->err from a format (sanitized: the path is admin input). */
static enum cmfa_err fail(struct cmfa_spawn_result *r, enum cmfa_err err,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static enum cmfa_err
fail(struct cmfa_spawn_result *r, enum cmfa_err err, const char *fmt, ...)
{
	char raw[CMFA_SPAWN_ERR_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		raw[0] = '\0';
	cmfa_sanitize(r->err, sizeof(r->err), raw, strnlen(raw, sizeof(raw)));
	return err;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid clock id and pointer. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------------- */
/* Path trust                                                             */
/*
 * Each component is opened O_PATH | O_NOFOLLOW and checked with fstat on
 * that fd, so a symlink is seen as one (and refused) and every check is
 * made on the object the walk actually descends through.  execve() then
 * resolves the path again by name: that is a window between check and
 * use, but every directory on the way belongs to root or the owner and
 * is writable by nobody else, so only those who could replace the
 * program anyway can change what the name means.  (execveat() on the
 * checked fd would close the window for binaries but not for scripts,
 * whose interpreter must reopen the file by name.)
 */

/*
 * An ancestor directory (not the program's own) that others may write
 * is accepted when its sticky bit is set (/tmp, 1777), as the store's
 * trusted walk accepts it (cmfa_util.h, "Trust rules"): nobody else can
 * then rename or remove the entry below it, which is itself checked (root
 * or the owner, not writable by others).  The program's own directory
 * never gets this exception.
 */
static const char *
dir_why(const struct stat *st, uid_t owner, bool parent_of_file)
{
	if (S_ISLNK(st->st_mode))
		return "is a symbolic link";
	if (!S_ISDIR(st->st_mode))
		return "is not a directory";
	if (st->st_uid != 0 && st->st_uid != owner)
		return "directory owned by neither root nor the expected owner";
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    (parent_of_file || (st->st_mode & S_ISVTX) == 0))
		return "directory writable by group or other";
	return NULL;
}

/* Whether path[pos..len) holds one last component (no more '/'). */
static bool
last_component(const char *path, size_t len, size_t pos)
{
	while (pos < len && path[pos] == '/')
		pos++;
	return pos < len && memchr(path + pos, '/', len - pos) == NULL;
}

static const char *
file_why(const struct stat *st, uid_t owner)
{
	if (S_ISLNK(st->st_mode))
		return "is a symbolic link";
	if (!S_ISREG(st->st_mode))
		return "is not a regular file";
	if (st->st_uid != 0 && st->st_uid != owner)
		return "owned by neither root nor the expected owner";
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return "writable by group or other";
	if ((st->st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) == 0)
		return "not executable";
	return NULL;
}

/* Open one component below dirfd (or "/" itself when name is NULL). */
static enum cmfa_err
path_step(int dirfd, const char *name, const char *path, size_t plen,
    struct cmfa_spawn_result *r, int *out, struct stat *st)
{
	int fd;

	do
		fd = name == NULL
		    ? open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)
		    : openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0 && errno == ENOENT)
		return fail(r, CMFA_ERR_NOTFOUND, "%.*s: does not exist",
		    (int)plen, path);
	if (fd < 0)
		return fail(r, CMFA_ERR_UNTRUSTED,
		    "%.*s: cannot be examined (errno %d)", (int)plen, path,
		    errno);
	if (fstat(fd, st) != 0) {
		(void)close(fd);
		return fail(r, CMFA_ERR_IO, "%.*s: fstat failed", (int)plen,
		    path);
	}
	*out = fd;
	return CMFA_OK;
}

/* The next component of path after *pos into name; false if refused. */
static bool
next_name(const char *path, size_t len, size_t *pos, char *name)
{
	size_t start, n;

	while (*pos < len && path[*pos] == '/')
		(*pos)++;
	start = *pos;
	while (*pos < len && path[*pos] != '/')
		(*pos)++;
	n = *pos - start;
	if (n == 0 || n > NAME_MAX)
		return false;
	memcpy(name, path + start, n);
	name[n] = '\0';
	return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static enum cmfa_err
path_check(const char *path, uid_t owner, struct cmfa_spawn_result *r)
{
	char name[NAME_MAX + 1];
	struct stat st;
	const char *why;
	enum cmfa_err err;
	size_t len, pos = 0;
	int dfd = -1, fd = -1;

	len = strnlen(path, PATH_MAX);
	if (len == 0 || path[0] != '/')
		return fail(r, CMFA_ERR_UNTRUSTED, "%s: not an absolute path",
		    path);
	if (len >= PATH_MAX || path[len - 1] == '/')
		return fail(r, CMFA_ERR_UNTRUSTED, "%.*s: not a path to a file",
		    (int)len, path);
	if ((err = path_step(-1, NULL, path, 1, r, &dfd, &st)) != CMFA_OK)
		goto out;
	if ((why = dir_why(&st, owner, last_component(path, len, 0))) != NULL) {
		err = fail(r, CMFA_ERR_UNTRUSTED, "/: %s", why);
		goto out;
	}
	while (pos < len) {
		if (!next_name(path, len, &pos, name)) {
			err = fail(r, CMFA_ERR_UNTRUSTED,
			    "%s: empty, \".\", \"..\" or overlong component",
			    path);
			goto out;
		}
		err = path_step(dfd, name, path, pos, r, &fd, &st);
		if (err != CMFA_OK)
			goto out;
		why = pos == len
		    ? file_why(&st, owner)
		    : dir_why(&st, owner, last_component(path, len, pos));
		if (why != NULL) {
			err = fail(r, CMFA_ERR_UNTRUSTED, "%.*s: %s", (int)pos,
			    path, why);
			goto out;
		}
		close_fd(&dfd);
		dfd = fd;
		fd = -1;
	}
	err = CMFA_OK;
out:
	close_fd(&fd);
	close_fd(&dfd);
	return err;
}

/* ---------------------------------------------------------------------- */
/* The child: async-signal-safe only                                      */

static void
child_write(const char *msg)
{
	ssize_t n;

	n = write(STDERR_FILENO, msg, strlen(msg));
	(void)n; /* nothing more to do if even this fails */
}

static const char *
exec_reason(int e)
{
	switch (e) {
	case ENOENT:
		return "cmfa_spawn: execve: program or its interpreter "
		       "not found\n";
	case EACCES:
		return "cmfa_spawn: execve: permission denied\n";
	case ENOEXEC:
		return "cmfa_spawn: execve: not an executable format\n";
	case E2BIG:
		return "cmfa_spawn: execve: argument list too long\n";
	case ENOMEM:
		return "cmfa_spawn: execve: out of memory\n";
	default:
		return "cmfa_spawn: execve failed\n";
	}
}

/* Every disposition back to SIG_DFL; the caller's own are untouched. */
static void
child_signals(void)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	(void)sigemptyset(&sa.sa_mask);
	/* EINVAL for SIGKILL, SIGSTOP and libc's internal signals. */
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * Put the three descriptors on 0, 1, 2.  They are first copied to >= 3
 * so that, whatever the host had closed of its own 0..2 and wherever
 * our descriptors landed, no dup2() can overwrite one that a later
 * dup2() still needs; dup2() onto 0..2 then clears close-on-exec.
 */
static int
child_stdio(const struct child_fds *f)
{
	int in, out, err;

	in = fcntl(f->in, F_DUPFD_CLOEXEC, 3);
	out = fcntl(f->out, F_DUPFD_CLOEXEC, 3);
	err = fcntl(f->err, F_DUPFD_CLOEXEC, 3);
	if (in < 0 || out < 0 || err < 0)
		return -1;
	if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(err, STDERR_FILENO) < 0)
		return -1;
	return 0;
}

static void
child_close_rest(int scan)
{
	int fd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
#endif
	/* Kernels before 5.9 (or a seccomp filter) refuse close_range. */
	for (fd = 3; fd < scan; fd++)
		(void)close(fd);
}

/*
 * Lower (never raise) one limit, soft and hard, to want.  Where the hard
 * limit may not be changed (valgrind refuses that for RLIMIT_NOFILE),
 * the soft limit alone is lowered: it is the one the kernel enforces,
 * and the helper is trusted code, the limits a net against runaways.
 */
static int
child_limit(spawn_rlimit_res res, rlim_t want)
{
	struct rlimit rl;
	rlim_t hard;

	if (getrlimit(res, &rl) != 0)
		return -1;
	hard = rl.rlim_max;
	if (rl.rlim_cur > want)
		rl.rlim_cur = want;
	if (rl.rlim_max > want)
		rl.rlim_max = want;
	if (setrlimit(res, &rl) == 0)
		return 0;
	rl.rlim_max = hard;
	return setrlimit(res, &rl);
}

static int
child_limits(void)
{
	/* Never RLIMIT_AS: it breaks sanitizer builds of the helper. */
	if (child_limit(RLIMIT_CORE, 0) != 0 ||
	    child_limit(RLIMIT_CPU, SPAWN_CPU_SECONDS) != 0 ||
	    child_limit(RLIMIT_FSIZE, SPAWN_FSIZE) != 0 ||
	    child_limit(RLIMIT_NOFILE, SPAWN_NOFILE) != 0)
		return -1;
	return 0;
}

static void __attribute__((noreturn))
child_run(const struct cmfa_spawn *s, const struct child_fds *f)
{
	static const char *const empty[] = { NULL };
	const char *const *envp = s->envp != NULL ? s->envp : empty;

	/* First, so that a timeout's group kill reaches all it starts. */
	(void)setpgid(0, 0);
	child_signals();
	if (child_stdio(f) != 0) {
		(void)dup2(f->err, STDERR_FILENO);
		child_write("cmfa_spawn: cannot set up stdin/stdout/stderr\n");
		_exit(127);
	}
	child_close_rest(f->scan);
	if (child_limits() != 0) {
		child_write("cmfa_spawn: cannot set resource limits\n");
		_exit(127);
	}
	/* execve() takes char *const[]; it does not modify the strings. */
	(void)execve(s->path, (char *const *)s->argv, (char *const *)envp);
	child_write(exec_reason(errno));
	_exit(127);
}

/* ---------------------------------------------------------------------- */
/* Starting it (parent)                                                   */

static void
child_fds_close(struct child_fds *f)
{
	close_fd(&f->in);
	close_fd(&f->out);
	close_fd(&f->err);
}

/* The socketpair, the pipe and /dev/null; parent ends in run. */
static enum cmfa_err
open_fds(struct run *run, struct child_fds *f)
{
	int sv[2], pv[2];
	long max;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return fail(run->r, CMFA_ERR_IO, "socketpair failed (errno %d)",
		    errno);
	run->in = sv[0];
	f->in = sv[1];
	if (pipe2(pv, O_CLOEXEC) != 0)
		return fail(run->r, CMFA_ERR_IO, "pipe2 failed (errno %d)",
		    errno);
	run->err = pv[0];
	f->err = pv[1];
	/* Only our read end: the child's write end stays blocking. */
	if (fcntl(run->err, F_SETFL, O_NONBLOCK) != 0)
		return fail(run->r, CMFA_ERR_IO, "fcntl failed (errno %d)",
		    errno);
	f->out = open("/dev/null", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (f->out < 0)
		return fail(run->r, CMFA_ERR_IO,
		    "/dev/null cannot be opened (errno %d)", errno);
	max = sysconf(_SC_OPEN_MAX);
	f->scan =
	    max > 0 && max < SPAWN_FD_SCAN_MAX ? (int)max : SPAWN_FD_SCAN_MAX;
	return CMFA_OK;
}

static int
open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	long fd = syscall(SYS_pidfd_open, pid, 0U);

	/* ENOSYS before Linux 5.3, EPERM under some seccomp filters. */
	if (fd >= 0 && fd <= INT_MAX)
		return (int)fd;
#else
	(void)pid;
#endif
	return -1;
}

/*
 * fork with every signal blocked, so that no handler of the host runs
 * in the child before the child has reset the dispositions.  Only the
 * calling thread's mask changes, and only for the length of fork().
 */
static enum cmfa_err
start(struct run *run, struct child_fds *f)
{
	sigset_t all, old;
	pid_t pid;
	int e;

	(void)sigfillset(&all);
	if (pthread_sigmask(SIG_SETMASK, &all, &old) != 0)
		return fail(run->r, CMFA_ERR_IO, "cannot block signals");
	pid = fork();
	if (pid == 0)
		child_run(run->s, f);
	e = errno;
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return fail(run->r, CMFA_ERR_IO, "fork failed (errno %d)", e);
	run->pid = pid;
	/* Also here: whichever of the two runs first, the group exists
	 * before we could ever signal it (EACCES once it has exec'd). */
	(void)setpgid(pid, pid);
	child_fds_close(f);
	run->pidfd = open_pidfd(pid);
	if (run->s->input_len == 0)
		close_fd(&run->in);
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* Feeding, reading, waiting (parent)                                     */

/* Send what the socket takes now; close it when done or refused. */
static void
pump_input(struct run *run)
{
	const unsigned char *p = run->s->input;
	ssize_t n;

	while (run->sent < run->s->input_len) {
		n = send(run->in, p + run->sent, run->s->input_len - run->sent,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			run->sent += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		/* EPIPE, ECONNRESET: the child closed stdin or died. */
		run->r->input_short = true;
		break;
	}
	close_fd(&run->in);
}

/* Keep the first line of what the child wrote; drop the rest. */
static void
keep_line(struct run *run, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && !run->line_done; i++) {
		if (p[i] == '\n' || run->line_len == sizeof(run->line) - 1) {
			run->line_done = true;
			break;
		}
		run->line[run->line_len++] = p[i];
	}
}

/* Read up to SPAWN_READS_PER_WAKE chunks; false once nothing is left
 * to read right now (EAGAIN) or ever (EOF, error). */
static bool
pump_stderr(struct run *run)
{
	char buf[SPAWN_CHUNK];
	ssize_t n;
	int i;

	for (i = 0; i < SPAWN_READS_PER_WAKE; i++) {
		n = read(run->err, buf, sizeof(buf));
		if (n > 0) {
			keep_line(run, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			close_fd(&run->err);
		return false;
	}
	return true;
}

/* 1: the child has exited (still a zombie: its pid and group stay
 * ours), 0: not yet, -1: it can never be collected. */
static int
child_exited(const struct run *run)
{
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)run->pid, &si,
		        WEXITED | WNOHANG | WNOWAIT) == 0)
			return si.si_pid == run->pid ? 1 : 0;
		if (errno != EINTR)
			return -1;
	}
}

/* One poll over stdin, stderr and the pidfd, at most until deadline. */
static enum cmfa_err
wait_some(struct run *run, int64_t left)
{
	struct pollfd pfd[3];
	nfds_t n = 0;
	int rc, ms, in_i = -1, err_i = -1;

	if (run->in >= 0) {
		in_i = (int)n;
		pfd[n++] = (struct pollfd){ .fd = run->in, .events = POLLOUT };
	}
	if (run->err >= 0) {
		err_i = (int)n;
		pfd[n++] = (struct pollfd){ .fd = run->err, .events = POLLIN };
	}
	if (run->pidfd >= 0)
		pfd[n++] =
		    (struct pollfd){ .fd = run->pidfd, .events = POLLIN };
	ms = left > INT_MAX ? INT_MAX : (int)left;
	if (run->pidfd < 0 && ms > SPAWN_STEP_MS)
		ms = SPAWN_STEP_MS;
	rc = poll(pfd, n, ms);
	if (rc < 0 && errno != EINTR)
		return fail(run->r, CMFA_ERR_IO, "poll failed (errno %d)",
		    errno);
	if (rc <= 0)
		return CMFA_OK;
	if (in_i >= 0 && pfd[in_i].revents != 0)
		pump_input(run);
	if (err_i >= 0 && pfd[err_i].revents != 0)
		(void)pump_stderr(run);
	return CMFA_OK;
}

/*
 * Feed and read until the child exits or the deadline passes.  Once it
 * has exited, what it wrote to stderr is already in the pipe: read that
 * and stop, whoever else may still hold the pipe open.
 */
static enum cmfa_err
supervise(struct run *run, bool *timed_out)
{
	enum cmfa_err err;
	int64_t left;
	int st;

	for (;;) {
		if ((st = child_exited(run)) < 0) {
			run->lost = true;
			return fail(run->r, CMFA_ERR_IO,
			    "could not collect the helper's exit status "
			    "(SIGCHLD ignored?)");
		}
		left = run->deadline_ms - now_ms();
		if (st == 1 || left <= 0)
			break;
		if ((err = wait_some(run, left)) != CMFA_OK)
			return err;
	}
	*timed_out = st == 0;
	if (run->in >= 0) {
		run->r->input_short = run->sent < run->s->input_len;
		close_fd(&run->in);
	}
	while (st == 1 && run->err >= 0 && pump_stderr(run) &&
	    now_ms() < run->deadline_ms)
		;
	return CMFA_OK;
}

/* Reap our child (and only it); it has exited or was SIGKILLed. */
static enum cmfa_err
reap(struct run *run)
{
	pid_t got;
	int status;

	do
		got = waitpid(run->pid, &status, 0);
	while (got < 0 && errno == EINTR);
	run->pid = -1;
	if (got < 0)
		return fail(run->r, CMFA_ERR_IO,
		    "could not collect the helper's exit status "
		    "(SIGCHLD ignored?)");
	if (WIFEXITED(status)) {
		run->r->exited = true;
		run->r->status = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status))
		run->r->signal = WTERMSIG(status);
	return CMFA_OK;
}

/* The group first (grandchildren), then the child itself in case it
 * left the group.  Not reaped yet, alive or a zombie, the child still
 * holds its pid, so neither the pid nor the group can be a stranger's. */
static void
kill_group(pid_t pid)
{
	(void)kill(-pid, SIGKILL);
	(void)kill(pid, SIGKILL);
}

/* ---------------------------------------------------------------------- */

static enum cmfa_err
check_args(const struct cmfa_spawn *s, struct cmfa_spawn_result *r)
{
	if (s == NULL || s->path == NULL || s->argv == NULL ||
	    s->argv[0] == NULL)
		return fail(r, CMFA_ERR_INVAL, "no program to run");
	if (s->timeout_ms == 0)
		return fail(r, CMFA_ERR_INVAL, "no timeout given");
	if (s->input == NULL && s->input_len > 0)
		return fail(r, CMFA_ERR_INVAL, "input missing");
	return CMFA_OK;
}

enum cmfa_err
cmfa_spawn_run(const struct cmfa_spawn *s, struct cmfa_spawn_result *out)
{
	struct cmfa_spawn_result r;
	struct child_fds f = { .in = -1, .out = -1, .err = -1, .scan = 0 };
	struct run run;
	bool timed_out = false;
	enum cmfa_err err, e2;

	if (out == NULL)
		return CMFA_ERR_INVAL;
	memset(&r, 0, sizeof(r));
	memset(&run, 0, sizeof(run));
	run.s = s;
	run.r = &r;
	run.pid = -1;
	run.in = run.err = run.pidfd = -1;
	if ((err = check_args(s, &r)) != CMFA_OK ||
	    (err = path_check(s->path, s->owner, &r)) != CMFA_OK ||
	    (err = open_fds(&run, &f)) != CMFA_OK)
		goto out;
	run.deadline_ms = now_ms() + (int64_t)s->timeout_ms;
	if ((err = start(&run, &f)) != CMFA_OK)
		goto out;
	err = supervise(&run, &timed_out);
	/* Not once it was lost: the pid is then no longer ours to signal. */
	if (!run.lost) {
		if (timed_out || err != CMFA_OK)
			kill_group(run.pid);
		if ((e2 = reap(&run)) != CMFA_OK && err == CMFA_OK)
			err = e2;
	}
	r.timed_out = timed_out;
	if (err == CMFA_OK)
		cmfa_sanitize(r.err, sizeof(r.err), run.line, run.line_len);
out:
	child_fds_close(&f);
	close_fd(&run.in);
	close_fd(&run.err);
	close_fd(&run.pidfd);
	*out = r;
	return err;
}
