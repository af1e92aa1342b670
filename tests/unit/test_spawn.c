/*
 * test_spawn.c: running a helper program (util/spawn.c).
 *
 * The children are small /bin/sh scripts written into a private
 * directory whose whole chain passes the spawn trust rules without the
 * sticky-ancestor exception (which is tested on its own, under /tmp).  The directory is made next to this test binary, or in
 * $HOME, whichever passes a probe run, and removed at exit on every path.
 * Scripts report what they saw by writing a file named in their argv.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#endif

#include "cmfa_fixture.h"
#include "cmfa_test.h"
#include "cmfa_util.h"

#define MIB (1024u * 1024u)
#define TIMEOUT_MS 10000u /* generous: no test should come near it */
#define SHORT_TIMEOUT_MS 700u

static char g_dir[PATH_MAX];    /* trusted scratch dir; "" if none */
static char g_tmpdir[PATH_MAX]; /* a dir under /tmp for the refusal */
static unsigned g_seq;

static void
cleanup(void)
{
	cmfa_fixture_rm_tree(g_dir);
	cmfa_fixture_rm_tree(g_tmpdir);
}

static void
path_in(char *out, size_t outsz, const char *dir, const char *name)
{
	if (!cmfa_fixture_path(out, outsz, dir, name))
		out[0] = '\0'; /* too long: no such file */
}

/* A unique file name in g_dir (for what a script writes). */
static void
out_path(char *out, size_t outsz)
{
	char name[32];

	snprintf(name, sizeof(name), "out.%u", g_seq++);
	path_in(out, outsz, g_dir, name);
}

/* dir/name = "#!/bin/sh\n" body, mode 0755; its path in out. */
static bool
script_in(const char *dir, const char *name, const char *body, char *out,
    size_t outsz)
{
	char text[4096];
	int n;

	path_in(out, outsz, dir, name);
	n = snprintf(text, sizeof(text), "#!/bin/sh\n%s\n", body);
	return n > 0 && (size_t)n < sizeof(text) &&
	    cmfa_fixture_put(out, text, (size_t)n, 0755);
}

static bool
script(const char *name, const char *body, char *out, size_t outsz)
{
	return script_in(g_dir, name, body, out, outsz);
}

/* Read a whole (small) file into buf, NUL-terminated; -1 if absent. */
static ssize_t
slurp(const char *path, char *buf, size_t bufsz)
{
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (
	    got < bufsz - 1 && (n = read(fd, buf + got, bufsz - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

static enum cmfa_err
run_full(const char *path, const char *const *argv, const char *const *envp,
    const void *input, size_t input_len, unsigned timeout_ms,
    struct cmfa_spawn_result *r)
{
	struct cmfa_spawn s;

	memset(&s, 0, sizeof(s));
	s.path = path;
	s.argv = argv;
	s.envp = envp;
	s.owner = geteuid();
	s.input = input;
	s.input_len = input_len;
	s.timeout_ms = timeout_ms;
	memset(r, 0x5a, sizeof(*r)); /* the result must be filled in */
	return cmfa_spawn_run(&s, r);
}

/* Run path with argv {path, arg1, NULL} and input on its stdin. */
static enum cmfa_err
run1_input(const char *path, const char *arg1, const void *input,
    size_t input_len, struct cmfa_spawn_result *r)
{
	const char *argv[] = { path, arg1, NULL };

	return run_full(path, argv, NULL, input, input_len, TIMEOUT_MS, r);
}

/* The same with no input. */
static enum cmfa_err
run1(const char *path, const char *arg1, struct cmfa_spawn_result *r)
{
	return run1_input(path, arg1, NULL, 0, r);
}

/*
 * The script body (as g_dir/name, its path in path) run with argv {path,
 * out}: it must exit 0; what it wrote to out ($1) goes into buf.  The
 * length read, -1 if nothing was written.
 */
static ssize_t
script_output(const char *name, const char *body, char *path, size_t pathsz,
    char *buf, size_t bufsz)
{
	struct cmfa_spawn_result r;
	char out[PATH_MAX];

	CHECK(script(name, body, path, pathsz));
	out_path(out, sizeof(out));
	CHECK_INT_EQ(run1(path, out, &r), CMFA_OK);
	CHECK(r.exited && r.status == 0);
	return slurp(out, buf, bufsz);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A pid is gone: no /proc entry, or a zombie (it is dead either way). */
static bool
pid_dead(long pid)
{
	char path[64], buf[512];
	const char *rp;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (slurp(path, buf, sizeof(buf)) < 0)
		return true;
	rp = strrchr(buf, ')');
	return rp != NULL && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X');
}

/* Poll (SIGKILL is asynchronous) for up to 2 s. */
static bool
pid_dies(long pid)
{
	struct timespec step = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 200; i++) {
		if (pid_dead(pid))
			return true;
		nanosleep(&step, NULL);
	}
	return false;
}

static bool
parse_long(const char *p, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(p, &end, 10);
	return errno == 0 && end != p;
}

/*
 * Pick the scratch directory: mkdtemp next to the test binary, else in
 * $HOME, keeping the first whose probe script the trust check accepts.
 */
static bool
try_base(const char *base)
{
	struct cmfa_spawn_result r;
	char probe[PATH_MAX];

	if (base == NULL || base[0] != '/' ||
	    (size_t)snprintf(g_dir, sizeof(g_dir), "%s/spawn-test.XXXXXX",
	        base) >= sizeof(g_dir) ||
	    mkdtemp(g_dir) == NULL) {
		g_dir[0] = '\0';
		return false;
	}
	if (script("probe", "exit 0", probe, sizeof(probe)) &&
	    run1(probe, NULL, &r) == CMFA_OK && r.exited && r.status == 0)
		return true;
	fprintf(stderr, "  %s: not usable: %s\n", g_dir, r.err);
	cmfa_fixture_rm_tree(g_dir);
	g_dir[0] = '\0';
	return false;
}

/* argv0, not /proc/self/exe: under valgrind that is valgrind's tool. */
static bool
setup(const char *argv0)
{
	char exe[PATH_MAX], *slash;

	if (argv0 != NULL && realpath(argv0, exe) != NULL &&
	    (slash = strrchr(exe, '/')) != NULL) {
		*slash = '\0';
		if (try_base(exe))
			return true;
	}
	return try_base(getenv("HOME"));
}

/* ---------------------------------------------------------------------- */

static void
t_exit_status(void)
{
	static const int codes[] = { 0, 3, 7 };
	struct cmfa_spawn_result r;
	char path[PATH_MAX], body[32], name[32];
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(codes); i++) {
		snprintf(body, sizeof(body), "exit %d", codes[i]);
		snprintf(name, sizeof(name), "exit%d", codes[i]);
		CHECK(script(name, body, path, sizeof(path)));
		CHECK_INT_EQ(run1(path, NULL, &r), CMFA_OK);
		CHECK(r.exited);
		CHECK_INT_EQ(r.status, codes[i]);
		CHECK_INT_EQ(r.signal, 0);
		CHECK(!r.timed_out);
		CHECK(!r.input_short);
		CHECK_STR_EQ(r.err, "");
	}
}

static void
t_argv(void)
{
	struct cmfa_spawn_result r;
	char path[PATH_MAX], out[PATH_MAX], want[PATH_MAX + 32], got[512];
	const char *argv[4];

	CHECK(script("argv", "printf '[%s]' \"$@\" > \"$1\"", path,
	    sizeof(path)));
	out_path(out, sizeof(out));
	argv[0] = "anything";
	argv[1] = out;
	argv[2] = "two words";
	argv[3] = NULL;
	CHECK_INT_EQ(run_full(path, argv, NULL, NULL, 0, TIMEOUT_MS, &r),
	    CMFA_OK);
	CHECK(r.exited && r.status == 0);
	snprintf(want, sizeof(want), "[%s][two words]", out);
	CHECK(slurp(out, got, sizeof(got)) >= 0);
	CHECK_STR_EQ(got, want);
}

/* Bytes 0..255 repeated, with a secret-looking prefix. */
static unsigned char *
pattern(size_t len)
{
	unsigned char *p = malloc(len);
	size_t i;

	if (p != NULL)
		for (i = 0; i < len; i++)
			p[i] = (unsigned char)(i * 7 + i / 251);
	return p;
}

static void
check_stdin_copy(size_t len)
{
	struct cmfa_spawn_result r;
	char path[PATH_MAX], out[PATH_MAX];
	unsigned char *in = pattern(len), *got = malloc(len + 1);
	ssize_t n;

	CHECK(in != NULL && got != NULL);
	if (in == NULL || got == NULL)
		goto out;
	CHECK(script("cat", "cat > \"$1\"", path, sizeof(path)));
	out_path(out, sizeof(out));
	CHECK_INT_EQ(run1_input(path, out, in, len, &r), CMFA_OK);
	CHECK(r.exited && r.status == 0 && !r.input_short && !r.timed_out);
	n = slurp(out, (char *)got, len + 1);
	CHECK_INT_EQ(n, (long long)len);
	CHECK(n == (ssize_t)len && memcmp(in, got, len) == 0);
out:
	free(in);
	free(got);
}

static void
t_stdin_exact(void)
{
	check_stdin_copy(7);            /* a code and a newline's worth */
	check_stdin_copy(0);            /* EOF at once */
	check_stdin_copy(3 * MIB + 17); /* far beyond the socket buffer */
}

static void
t_env_empty(void)
{
	char path[PATH_MAX], buf[256];

	CHECK(setenv("CMFA_SPAWN_LEAK", "secret", 1) == 0);
	CHECK_INT_EQ(script_output("env", "cat /proc/$$/environ > \"$1\"", path,
	                 sizeof(path), buf, sizeof(buf)),
	    0);
	unsetenv("CMFA_SPAWN_LEAK");
}

static void
t_env_given(void)
{
	static const char want[] = "A=1\0B=two words\0";
	const char *envp[] = { "A=1", "B=two words", NULL };
	const char *argv[3];
	struct cmfa_spawn_result r;
	char path[PATH_MAX], out[PATH_MAX], buf[256];

	CHECK(script("env2", "cat /proc/$$/environ > \"$1\"", path,
	    sizeof(path)));
	out_path(out, sizeof(out));
	argv[0] = path;
	argv[1] = out;
	argv[2] = NULL;
	CHECK_INT_EQ(run_full(path, argv, envp, NULL, 0, TIMEOUT_MS, &r),
	    CMFA_OK);
	CHECK(r.exited && r.status == 0);
	CHECK_INT_EQ(slurp(out, buf, sizeof(buf)), sizeof(want) - 1);
	CHECK(memcmp(buf, want, sizeof(want) - 1) == 0);
}

/*
 * The shell's own descriptors, as "N target" lines: 0 the stdin socket,
 * 1 /dev/null, 2 the stderr pipe, and nothing else but dash's own
 * descriptor on the script it reads.  The listing runs in a subshell so
 * that its redirection does not add descriptors to the shell listed.
 */
static int
check_fd_listing(const char *listing, const char *script_path,
    const char *marker)
{
	const char *line = listing, *nl, *sp;
	char target[PATH_MAX];
	int bad = 0, seen = 0;
	long fd;
	size_t tl;

	for (; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL ||
		    (sp = memchr(line, ' ', (size_t)(nl - line))) == NULL ||
		    !parse_long(line, &fd))
			return -1;
		tl = (size_t)(nl - sp - 1);
		if (tl >= sizeof(target))
			return -1;
		memcpy(target, sp + 1, tl);
		target[tl] = '\0';
		if (strcmp(target, marker) == 0)
			bad++;
		else if (fd == 0)
			bad += strncmp(target, "socket:[", 8) != 0, seen++;
		else if (fd == 1)
			bad += strcmp(target, "/dev/null") != 0, seen++;
		else if (fd == 2)
			bad += strncmp(target, "pipe:[", 6) != 0, seen++;
		else if (strcmp(target, script_path) != 0)
			bad++;
	}
	return seen == 3 ? bad : -1;
}

/* The caller's descriptors without close-on-exec never reach the child. */
static void
check_fds_closed(const char *tag)
{
	char path[PATH_MAX], marker[PATH_MAX], buf[4096];
	char name[32];
	int fd, hi;

	snprintf(name, sizeof(name), "marker-%s", tag);
	path_in(marker, sizeof(marker), g_dir, name);
	CHECK(cmfa_fixture_put(marker, "m", 1, 0600));
	fd = open(marker, O_RDONLY); /* deliberately not O_CLOEXEC */
	hi = dup2(fd, 97);           /* and one high up */
	CHECK(fd >= 0 && hi == 97);
	snprintf(name, sizeof(name), "fds-%s", tag);
	CHECK(script_output(name,
	          "(find /proc/$$/fd -mindepth 1 -printf '%f %l\\n') > \"$1\"",
	          path, sizeof(path), buf, sizeof(buf)) > 0);
	CHECK_MSG(check_fd_listing(buf, path, marker) == 0, "fds:\n%s", buf);
	if (fd >= 0)
		close(fd);
	if (hi >= 0)
		close(hi);
}

static void
t_fds_closed(void)
{
	check_fds_closed("plain");
}

/* fn() in a forked child (what it changes of the process stays there):
 * the child's wait status, -1 (a failed check) when there is none. */
static int
in_child(int (*fn)(void))
{
	pid_t pid;
	int st = -1;

	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(fn());
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	return st;
}

/* t_caller_stdio_closed's child: 0, or where it went wrong. */
static int
stdio_closed_child(void)
{
	struct cmfa_spawn_result r;
	char path[PATH_MAX], out[PATH_MAX], buf[64];

	close(0);
	close(1);
	close(2);
	if (!script("cat3", "cat > \"$1\"; echo oops >&2", path, sizeof(path)))
		return 10;
	out_path(out, sizeof(out));
	if (run1_input(path, out, "123456\n", 7, &r) != CMFA_OK)
		return 11;
	if (!r.exited || r.status != 0 || strcmp(r.err, "oops") != 0)
		return 12;
	if (slurp(out, buf, sizeof(buf)) != 7 ||
	    memcmp(buf, "123456\n", 7) != 0)
		return 13;
	return 0;
}

/* stdin, stdout and stderr of the caller closed: the fds the spawn
 * opens land on 0..2 and must still reach the child correctly. */
static void
t_caller_stdio_closed(void)
{
	int st = in_child(stdio_closed_child);

	CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
}

static void
t_process_group(void)
{
	char path[PATH_MAX], buf[1024];
	const char *rp;
	long pid = 0, pgrp = 0;
	char *end;

	CHECK(script_output("pgrp", "cat /proc/$$/stat > \"$1\"", path,
	          sizeof(path), buf, sizeof(buf)) > 0);
	/* "pid (comm) state ppid pgrp ..." */
	rp = strrchr(buf, ')');
	CHECK(parse_long(buf, &pid));
	CHECK(rp != NULL && rp[1] == ' ' && rp[2] != '\0');
	if (rp == NULL)
		return;
	errno = 0;
	(void)strtol(rp + 4, &end, 10); /* ppid */
	CHECK(parse_long(end, &pgrp));
	CHECK(pid > 0);
	CHECK_INT_EQ(pgrp, pid);
	CHECK(pgrp != (long)getpgrp());
}

/* The hex mask after "key:\t" in /proc/.../status. */
static bool
status_mask(const char *status, const char *key, unsigned long long *out)
{
	const char *p = strstr(status, key);
	char *end;

	if (p == NULL)
		return false;
	p += strlen(key);
	errno = 0;
	*out = strtoull(p, &end, 16);
	return errno == 0 && end != p;
}

static void
t_signals_reset(void)
{
	struct sigaction ign, old_term, now;
	sigset_t usr1, old_mask, mask_now;
	char path[PATH_MAX], buf[4096];
	unsigned long long ign_mask = 1, blk_mask = 1;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	CHECK(sigaction(SIGTERM, &ign, &old_term) == 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &usr1, &old_mask) == 0);

	/* exec: cat's own status, with what execve kept of the shell's */
	CHECK(script_output("sig", "exec cat /proc/self/status > \"$1\"", path,
	          sizeof(path), buf, sizeof(buf)) > 0);
	CHECK(status_mask(buf, "\nSigIgn:", &ign_mask));
	CHECK(status_mask(buf, "\nSigBlk:", &blk_mask));
	/* libc keeps signals 32 .. SIGRTMIN-1 for itself (sigaction()
	 * refuses them with EINVAL) and sets its own handlers for them
	 * before it uses them: what a caller's harness left there (one may
	 * ignore them) is no disposition the helper ever relies on */
	{
		unsigned long long libc_own = 0;
		int sig;

		for (sig = 32; sig < SIGRTMIN; sig++)
			libc_own |= 1ULL << (sig - 1);
		ign_mask &= ~libc_own;
	}
	CHECK_INT_EQ(ign_mask, 0);
	CHECK_INT_EQ(blk_mask, 0);

	/* the caller's own disposition and mask are as it left them */
	CHECK(sigaction(SIGTERM, NULL, &now) == 0);
	CHECK(now.sa_handler == SIG_IGN);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &mask_now) == 0);
	CHECK(sigismember(&mask_now, SIGUSR1) == 1);

	sigaction(SIGTERM, &old_term, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
}

/* Soft and hard values of one /proc/self/limits line. */
static bool
limit_of(const char *limits, const char *name, unsigned long long *soft,
    unsigned long long *hard)
{
	const char *p = strstr(limits, name);
	unsigned long long *v[2] = { soft, hard };
	char *end;
	int i;

	if (p == NULL)
		return false;
	p += strlen(name);
	for (i = 0; i < 2; i++) {
		while (*p == ' ')
			p++;
		if (strncmp(p, "unlimited", 9) == 0) {
			*v[i] = ~0ULL;
			p += 9;
			continue;
		}
		errno = 0;
		*v[i] = strtoull(p, &end, 10);
		if (errno != 0 || end == p)
			return false;
		p = end;
	}
	return true;
}

static void
t_limits(void)
{
	char path[PATH_MAX], buf[4096];
	unsigned long long s = ~0ULL, h = ~0ULL;

	CHECK(script_output("limits", "exec cat /proc/self/limits > \"$1\"",
	          path, sizeof(path), buf, sizeof(buf)) > 0);
	CHECK(limit_of(buf, "Max core file size", &s, &h));
	CHECK(s == 0 && h == 0);
	CHECK(limit_of(buf, "Max cpu time", &s, &h));
	CHECK(s <= 60 && h <= 60 && s > 0);
	CHECK(limit_of(buf, "Max file size", &s, &h));
	CHECK(s <= 64ULL * MIB && h <= 64ULL * MIB && s > 0);
	/* the soft limit only: valgrind forbids lowering this hard one */
	CHECK(limit_of(buf, "Max open files", &s, &h));
	CHECK(s <= 256 && s > 0);
}

static void
t_stderr_first_line(void)
{
	struct cmfa_spawn_result r;
	char path[PATH_MAX];

	CHECK(script("err1",
	    "printf 'first\\tline \\033[31mred\\r\\nsecond\\n' >&2; exit 4",
	    path, sizeof(path)));
	CHECK_INT_EQ(run1(path, NULL, &r), CMFA_OK);
	CHECK(r.exited);
	CHECK_INT_EQ(r.status, 4);
	/* TAB, ESC and the CR before the newline are control characters */
	CHECK_STR_EQ(r.err, "first?line ?[31mred?");
}

/* 1 MiB of stderr without a newline: the first 511 bytes are kept, the
 * rest is drained (the child would block forever otherwise). */
static void
t_stderr_long(void)
{
	struct cmfa_spawn_result r;
	char path[PATH_MAX], want[CMFA_SPAWN_ERR_MAX];

	CHECK(script("errlong",
	    "head -c 1048576 /dev/zero | tr '\\0' x >&2; exit 0", path,
	    sizeof(path)));
	CHECK_INT_EQ(run1(path, NULL, &r), CMFA_OK);
	CHECK(r.exited && r.status == 0 && !r.timed_out);
	memset(want, 'x', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	CHECK_STR_EQ(r.err, want);
}

/* The child writes 1 MiB to stderr before it reads 1 MiB of stdin:
 * only a caller that reads and writes at once gets through. */
static void
t_stderr_and_stdin_together(void)
{
	struct cmfa_spawn_result r;
	char path[PATH_MAX], out[PATH_MAX];
	unsigned char *in = pattern(MIB), *got = malloc(MIB + 1);

	CHECK(in != NULL && got != NULL);
	if (in == NULL || got == NULL)
		goto out;
	CHECK(script("both",
	    "head -c 1048576 /dev/zero | tr '\\0' y >&2; cat > \"$1\"", path,
	    sizeof(path)));
	out_path(out, sizeof(out));
	CHECK_INT_EQ(run1_input(path, out, in, MIB, &r), CMFA_OK);
	CHECK(r.exited && r.status == 0 && !r.timed_out && !r.input_short);
	CHECK(slurp(out, (char *)got, MIB + 1) == (ssize_t)MIB &&
	    memcmp(in, got, MIB) == 0);
out:
	free(in);
	free(got);
}

/* pids written one per line by a script */
static int
read_pids(const char *path, long *pids, int max)
{
	char buf[256], *p = buf, *end;
	int n = 0;

	if (slurp(path, buf, sizeof(buf)) < 0)
		return 0;
	while (n < max) {
		errno = 0;
		pids[n] = strtol(p, &end, 10);
		if (end == p || errno != 0 || pids[n] <= 0)
			break;
		n++;
		p = end;
	}
	return n;
}

/* A child that outlives the timeout, with a grandchild in its group:
 * both get SIGKILL; the call returns about when the timeout passes. */
static int
check_timeout_group(void)
{
	struct cmfa_spawn_result r;
	char path[PATH_MAX], out[PATH_MAX];
	long pids[2];
	int64_t t0, dt;
	int bad = 0;

	if (!script("hang",
	        "sleep 30 & echo $! > \"$1\"; echo $$ >> \"$1\"; "
	        "echo started >&2; sleep 30",
	        path, sizeof(path)))
		return 1;
	out_path(out, sizeof(out));
	t0 = mono_ms();
	{
		const char *argv[] = { path, out, NULL };

		if (run_full(path, argv, NULL, NULL, 0, SHORT_TIMEOUT_MS, &r) !=
		    CMFA_OK)
			return 2;
	}
	dt = mono_ms() - t0;
	bad |= !r.timed_out || r.exited || r.signal != SIGKILL ? 4 : 0;
	bad |= strcmp(r.err, "started") != 0 ? 8 : 0;
	/* sanity only, never tight: well within timeout + 2 s */
	bad |=
	    dt < SHORT_TIMEOUT_MS - 50 || dt > SHORT_TIMEOUT_MS + 2000 ? 16 : 0;
	if (read_pids(out, pids, 2) != 2)
		return bad | 32;
	bad |= !pid_dies(pids[0]) ? 64 : 0; /* the grandchild */
	bad |= !pid_dies(pids[1]) ? 64 : 0; /* the child */
	return bad;
}

static void
t_timeout_kills_group(void)
{
	CHECK_INT_EQ(check_timeout_group(), 0);
}

/* The child exits but leaves a grandchild holding its stderr: the
 * caller returns at once with the child's status, not at the timeout. */
static void
t_grandchild_holds_stderr(void)
{
	struct cmfa_spawn_result r;
	char path[PATH_MAX], out[PATH_MAX];
	long pid;
	int64_t t0;

	CHECK(script("bg", "sleep 30 & echo $! > \"$1\"; echo bye >&2; exit 5",
	    path, sizeof(path)));
	out_path(out, sizeof(out));
	t0 = mono_ms();
	CHECK_INT_EQ(run1(path, out, &r), CMFA_OK);
	CHECK(r.exited && r.status == 5 && !r.timed_out);
	CHECK_STR_EQ(r.err, "bye");
	CHECK(mono_ms() - t0 < (int64_t)TIMEOUT_MS / 2);
	/* the straggler is ours (we started its parent): stop it by pid */
	CHECK(read_pids(out, &pid, 1) == 1);
	if (read_pids(out, &pid, 1) == 1) {
		CHECK(kill((pid_t)pid, SIGKILL) == 0);
		CHECK(pid_dies(pid));
	}
}

/* Refused before anything runs; the script would leave a file. */
static void
refused(const char *path, enum cmfa_err want, const char *why, const char *ran)
{
	struct cmfa_spawn_result r;
	const char *argv[] = { "x", ran, NULL };

	CHECK_INT_EQ(run_full(path, argv, NULL, NULL, 0, TIMEOUT_MS, &r), want);
	CHECK_MSG(strstr(r.err, why) != NULL, "\"%s\" lacks \"%s\"", r.err,
	    why);
	CHECK(!r.exited && !r.timed_out && r.signal == 0);
	CHECK(access(ran, F_OK) != 0);
}

static void
t_untrusted(void)
{
	char ok[PATH_MAX], p[PATH_MAX], d[PATH_MAX], ran[PATH_MAX];
	char rel[PATH_MAX];
	struct cmfa_spawn_result r;
	const char *body = "echo ran > \"$1\"";
	const char *argv[] = { "x", NULL, NULL };

	out_path(ran, sizeof(ran));
	argv[1] = ran;
	/* the same script in a good place and mode does run */
	CHECK(script("good", body, ok, sizeof(ok)));
	CHECK_INT_EQ(run_full(ok, argv, NULL, NULL, 0, TIMEOUT_MS, &r),
	    CMFA_OK);
	CHECK(r.exited && r.status == 0 && access(ran, F_OK) == 0);
	CHECK(unlink(ran) == 0);

	CHECK(script("gw", body, p, sizeof(p)) && chmod(p, 0775) == 0);
	refused(p, CMFA_ERR_UNTRUSTED, "writable by group or other", ran);
	CHECK(chmod(p, 0757) == 0);
	refused(p, CMFA_ERR_UNTRUSTED, "writable by group or other", ran);
	CHECK(chmod(p, 0644) == 0);
	refused(p, CMFA_ERR_UNTRUSTED, "not executable", ran);

	/* a world-writable directory, with and without the sticky bit */
	path_in(d, sizeof(d), g_dir, "ww");
	CHECK(mkdir(d, 0755) == 0 && chmod(d, 0777) == 0);
	CHECK(script_in(d, "s", body, p, sizeof(p)));
	refused(p, CMFA_ERR_UNTRUSTED, "ww: directory writable", ran);
	CHECK(chmod(d, 01777) == 0);
	refused(p, CMFA_ERR_UNTRUSTED, "ww: directory writable", ran);
	CHECK(chmod(d, 0775) == 0);
	refused(p, CMFA_ERR_UNTRUSTED, "ww: directory writable", ran);

	/* a sticky ancestor (/tmp, 1777) is accepted above a private dir,
	 * never as the program's own directory */
	snprintf(g_tmpdir, sizeof(g_tmpdir), "/tmp/cmfa-spawn-XXXXXX");
	CHECK(mkdtemp(g_tmpdir) != NULL);
	CHECK(script_in(g_tmpdir, "s", body, p, sizeof(p)));
	CHECK_INT_EQ(run_full(p, argv, NULL, NULL, 0, TIMEOUT_MS, &r), CMFA_OK);
	CHECK(r.exited && r.status == 0 && access(ran, F_OK) == 0);
	CHECK(unlink(ran) == 0);
	{
		struct stat tst;

		if (stat("/tmp", &tst) == 0 && (tst.st_mode & S_ISVTX) &&
		    (tst.st_mode & S_IWOTH)) {
			char direct[64];
			int fd;

			snprintf(direct, sizeof(direct),
			    "/tmp/cmfa-spawn-direct-XXXXXX");
			if ((fd = mkstemp(direct)) >= 0) {
				close(fd);
				CHECK(chmod(direct, 0755) == 0);
				refused(direct, CMFA_ERR_UNTRUSTED,
				    "/tmp: directory writable", ran);
				unlink(direct);
			}
		}
	}

	/* relative, missing, a directory, a symlink, dot components */
	snprintf(rel, sizeof(rel), "%s", ok + 1);
	refused(rel, CMFA_ERR_UNTRUSTED, "not an absolute path", ran);
	refused("good", CMFA_ERR_UNTRUSTED, "not an absolute path", ran);
	path_in(p, sizeof(p), g_dir, "missing");
	refused(p, CMFA_ERR_NOTFOUND, "missing: does not exist", ran);
	path_in(p, sizeof(p), g_dir, "nodir/good");
	refused(p, CMFA_ERR_NOTFOUND, "nodir: does not exist", ran);
	refused(g_dir, CMFA_ERR_UNTRUSTED, "is not a regular file", ran);
	path_in(p, sizeof(p), g_dir, "good/");
	refused(p, CMFA_ERR_UNTRUSTED, "not a path to a file", ran);
	path_in(p, sizeof(p), g_dir, "link");
	CHECK(symlink(ok, p) == 0);
	refused(p, CMFA_ERR_UNTRUSTED, "link: is a symbolic link", ran);
	path_in(p, sizeof(p), g_dir, "../");
	{
		const char *base = strrchr(g_dir, '/');
		size_t l = strlen(p);

		snprintf(p + l, sizeof(p) - l, "%s/good", base + 1);
	}
	refused(p, CMFA_ERR_UNTRUSTED, "component", ran);
	path_in(p, sizeof(p), g_dir, "./good");
	refused(p, CMFA_ERR_UNTRUSTED, "component", ran);
	path_in(p, sizeof(p), g_dir, "good/x");
	refused(p, CMFA_ERR_UNTRUSTED, "good: is not a directory", ran);

	/* a file owned by someone else (only root can make one) */
	if (geteuid() == 0) {
		CHECK(script("other", body, p, sizeof(p)));
		CHECK(chown(p, 65534, 65534) == 0);
		refused(p, CMFA_ERR_UNTRUSTED, "owned by neither", ran);
	}
}

static void
t_exec_failure(void)
{
	struct cmfa_spawn_result r;
	char p[PATH_MAX];

	path_in(p, sizeof(p), g_dir, "garbage");
	CHECK(cmfa_fixture_put(p, "not a program\n", 14, 0755));
	CHECK_INT_EQ(run1(p, NULL, &r), CMFA_OK);
	CHECK(r.exited);
	CHECK_INT_EQ(r.status, 127);
	CHECK_MSG(strstr(r.err, "not an executable format") != NULL, "%s",
	    r.err);

	path_in(p, sizeof(p), g_dir, "badinterp");
	CHECK(cmfa_fixture_put(p, "#!/nonexistent/interp\n", 22, 0755));
	CHECK_INT_EQ(run1(p, NULL, &r), CMFA_OK);
	CHECK(r.exited);
	CHECK_INT_EQ(r.status, 127);
	CHECK_MSG(strstr(r.err, "not found") != NULL, "%s", r.err);
}

/* A child that exits without reading while a large input is written:
 * no SIGPIPE for the caller (SIGPIPE left at its default, which would
 * kill this test), the run counts, the short input is recorded. */
static void
t_child_ignores_stdin(void)
{
	struct cmfa_spawn_result r;
	char p[PATH_MAX];
	const char *argv[2];
	size_t len = 4 * MIB;
	unsigned char *in = pattern(len);

	CHECK(in != NULL);
	if (in == NULL)
		return;
	signal(SIGPIPE, SIG_DFL);
	CHECK(script("noread", "exec 0<&-; exit 0", p, sizeof(p)));
	argv[0] = p;
	argv[1] = NULL;
	CHECK_INT_EQ(run_full(p, argv, NULL, in, len, TIMEOUT_MS, &r), CMFA_OK);
	CHECK(r.exited && r.status == 0 && !r.timed_out);
	CHECK(r.input_short);
	free(in);
}

/* A host that ignores SIGCHLD has its children reaped by the kernel:
 * the status is unknowable, so the run fails closed. */
static void
t_sigchld_ignored(void)
{
	struct sigaction ign, old;
	struct cmfa_spawn_result r;
	char p[PATH_MAX];

	CHECK(script("quick", "exit 0", p, sizeof(p)));
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	CHECK(sigaction(SIGCHLD, &ign, &old) == 0);
	CHECK_INT_EQ(run1(p, NULL, &r), CMFA_ERR_IO);
	CHECK_MSG(strstr(r.err, "SIGCHLD ignored") != NULL, "%s", r.err);
	CHECK(!r.exited);
	sigaction(SIGCHLD, &old, NULL);
}

static void
t_invalid(void)
{
	struct cmfa_spawn s;
	struct cmfa_spawn_result r;
	const char *argv[] = { "/bin/true", NULL };
	const char *noargv[] = { NULL };

	CHECK_INT_EQ(cmfa_spawn_run(NULL, &r), CMFA_ERR_INVAL);
	memset(&s, 0, sizeof(s));
	s.path = "/bin/true";
	s.argv = argv;
	s.timeout_ms = 1000;
	CHECK_INT_EQ(cmfa_spawn_run(&s, NULL), CMFA_ERR_INVAL);
	s.timeout_ms = 0;
	CHECK_INT_EQ(cmfa_spawn_run(&s, &r), CMFA_ERR_INVAL);
	s.timeout_ms = 1000;
	s.argv = noargv;
	CHECK_INT_EQ(cmfa_spawn_run(&s, &r), CMFA_ERR_INVAL);
	s.argv = argv;
	s.input_len = 3;
	CHECK_INT_EQ(cmfa_spawn_run(&s, &r), CMFA_ERR_INVAL);
	s.path = NULL;
	s.input_len = 0;
	CHECK_INT_EQ(cmfa_spawn_run(&s, &r), CMFA_ERR_INVAL);
}

/*
 * Without pidfd_open and close_range (older kernels, seccomp filters):
 * a filter in a forked test process makes both fail with ENOSYS, and
 * the fallbacks (exit polling, the close() loop) must do the same job.
 */
#if defined(__x86_64__)
static bool
deny_new_syscalls(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_open, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_close_range, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	struct sock_fprog prog = { (unsigned short)CMFA_ARRAY_LEN(f), f };

	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

/* t_fallbacks' child: 0, 100 without seccomp, or where it went wrong. */
static int
fallbacks_child(void)
{
	if (!deny_new_syscalls())
		return 100;
	if (syscall(SYS_pidfd_open, getpid(), 0) >= 0 || errno != ENOSYS)
		return 101;
	t_failed_checks = 0;
	t_exit_status();
	check_fds_closed("fallback");
	t_stderr_and_stdin_together();
	if (t_failed_checks != 0)
		return 102;
	return check_timeout_group();
}
#endif

static void
t_fallbacks(void)
{
#if defined(__x86_64__)
	int st = in_child(fallbacks_child);

	if (WIFEXITED(st) && WEXITSTATUS(st) == 100)
		SKIP("seccomp filters unavailable here");
	CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
#else
	SKIP("the seccomp filter is written for x86_64 only");
#endif
}

TEST_MAIN_BEGIN("test_spawn")
	{
		if (atexit(cleanup) != 0 || !setup(argv[0])) {
			printf("FAIL: test_spawn/setup (no trusted scratch dir "
			       "next "
			       "to the binary or in $HOME)\n");
			return 1;
		}
		RUN(t_exit_status);
		RUN(t_argv);
		RUN(t_stdin_exact);
		RUN(t_env_empty);
		RUN(t_env_given);
		RUN(t_fds_closed);
		RUN(t_caller_stdio_closed);
		RUN(t_process_group);
		RUN(t_signals_reset);
		RUN(t_limits);
		RUN(t_stderr_first_line);
		RUN(t_stderr_long);
		RUN(t_stderr_and_stdin_together);
		RUN(t_timeout_kills_group);
		RUN(t_grandchild_holds_stderr);
		RUN(t_untrusted);
		RUN(t_exec_failure);
		RUN(t_child_ignores_stdin);
		RUN(t_sigchld_ignored);
		RUN(t_invalid);
		RUN(t_fallbacks);
	}
TEST_MAIN_END
