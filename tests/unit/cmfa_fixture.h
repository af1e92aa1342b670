/*
 * cmfa_fixture.h: what several unit tests share: temporary directories
 * and stores, small file helpers, running the tests in a guarded child,
 * and the loopback AWS mock (tests/data/aws_mock.py) with a one-shot
 * capture server and botocore's signer (tests/data/sigv4_botocore.py)
 * to compare requests with.
 *
 * Everything lives under a mkdtemp directory in /tmp (a sticky ancestor
 * the store's trust rules accept) and is removed by the test that made it.
 * static inline, so a test that uses only part of it gets no warning.
 * The helpers run from the top of the tree (the scripts' paths are
 * relative to it).
 */
#ifndef CMFA_FIXTURE_H
#define CMFA_FIXTURE_H

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cmfa_aws.h"
#include "cmfa_store.h"

#define CMFA_FIXTURE_PY "/usr/bin/python3"
#define CMFA_FIXTURE_MOCK "tests/data/aws_mock.py"
#define CMFA_FIXTURE_SIGNER "tests/data/sigv4_botocore.py"

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

/* ---------------------------------------------------------------------- */
/* Files                                                                  */

/* dir/name into out; false when it does not fit. */
static inline bool
cmfa_fixture_path(char *out, size_t outsz, const char *dir, const char *name)
{
	int n = snprintf(out, outsz, "%s/%s", dir, name);

	return n >= 0 && (size_t)n < outsz;
}

/* len bytes into path (made 0600 if new, then exactly mode), never
 * through a symbolic link: a fixture, not the code under test. */
static inline bool
cmfa_fixture_put(const char *path, const void *content, size_t len, mode_t mode)
{
	bool ok;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0)
		return false;
	ok = write(fd, content, len) == (ssize_t)len && fchmod(fd, mode) == 0;
	return close(fd) == 0 && ok;
}

/* text into path through path.tmp and rename(): a reader (the mock
 * re-reads faults.json on every request) sees the old file or the new
 * one, never half of it. */
static inline bool
cmfa_fixture_replace(const char *path, const char *text, mode_t mode)
{
	char tmp[PATH_MAX + 8];
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);

	return n >= 0 && (size_t)n < sizeof(tmp) &&
	    cmfa_fixture_put(tmp, text, strlen(text), mode) &&
	    rename(tmp, path) == 0;
}

/* The file (at most sz - 1 bytes) into buf, not through a symbolic link;
 * "" when unreadable. */
static inline const char *
cmfa_fixture_get(const char *path, char *buf, size_t sz)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return buf;
	n = read(fd, buf, sz - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* The whole file as a NUL-terminated malloc'd string, its length in *len
 * when len is not NULL (NULL: unreadable, or over 64 MiB). */
static inline char *
cmfa_fixture_read(const char *path, size_t *len)
{
	struct cmfa_buf b;
	char chunk[4096];
	ssize_t n;
	char *p = NULL;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	cmfa_buf_init(&b, 64u * 1024u * 1024u);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (cmfa_buf_append(&b, chunk, (size_t)n) != CMFA_OK)
			break;
	close(fd);
	if (n == 0 && (p = malloc(b.len + 1)) != NULL) {
		memcpy(p, cmfa_buf_str(&b), b.len + 1);
		if (len != NULL)
			*len = b.len;
	}
	cmfa_buf_free(&b);
	return p;
}

/* ---------------------------------------------------------------------- */
/* Time, sockets and child processes                                      */

static inline void
cmfa_fixture_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Seconds on the monotonic clock. */
static inline double
cmfa_fixture_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The whole environment of the programs the tests start: no credential
 * and no AWS_* variable of the test reaches them. */
static inline char *const *
cmfa_fixture_child_env(void)
{
	static const char *const env[] = { "PATH=/usr/bin:/bin", "LANG=C.UTF-8",
		NULL };

	return (char *const *)env;
}

/* A loopback TCP socket bound to a port above 2000 the kernel chose
 * (*port); -1 when there is none. */
static inline int
cmfa_fixture_bound_socket(unsigned *port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd, i;

	for (i = 0; i < 20; i++) {
		if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			return -1;
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		    getsockname(fd, (struct sockaddr *)&a, &al) == 0 &&
		    ntohs(a.sin_port) > 2000) {
			*port = ntohs(a.sin_port);
			return fd;
		}
		close(fd);
	}
	return -1;
}

/* http://127.0.0.1:PORT where nothing listens (bound, read back, closed). */
static inline bool
cmfa_fixture_closed_url(char *out, size_t outsz)
{
	unsigned port;
	int fd = cmfa_fixture_bound_socket(&port);

	if (fd < 0)
		return false;
	close(fd);
	snprintf(out, outsz, "http://127.0.0.1:%u", port);
	return true;
}

/* The tests' process, while cmfa_fixture_guard() waits for it. */
static inline volatile pid_t *
cmfa_fixture_guarded(void)
{
	static volatile pid_t child = -1;

	return &child;
}

/* Interrupted: end the tests; cmfa_fixture_guard() then cleans up. */
static inline void
cmfa_fixture_on_signal(int sig)
{
	volatile pid_t *child = cmfa_fixture_guarded();

	(void)sig;
	if (*child > 0)
		kill(*child, SIGKILL);
}

/*
 * run_all() in a child (its exit(): LeakSanitizer checks then); this
 * process waits for it however it ends (a crash, a sanitizer report,
 * SIGINT / SIGTERM / SIGHUP here, which end it), then calls cleanup()
 * (stop servers by PID, remove temporary directories).  Returns the
 * child's exit status, or 1 with "FAIL: <prog>/crashed".
 */
static inline int
cmfa_fixture_guard(const char *prog, int (*run_all)(void),
    void (*cleanup)(void))
{
	struct sigaction sa;
	pid_t child;
	int st = 0;

	fflush(NULL);
	if ((child = fork()) == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		exit(run_all());
	}
	*cmfa_fixture_guarded() = child;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cmfa_fixture_on_signal; /* no SA_RESTART: EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (child > 0)
		while (waitpid(child, &st, 0) < 0 && errno == EINTR)
			;
	cleanup();
	if (child < 0 || !WIFEXITED(st)) {
		printf("FAIL: %s/crashed\n", prog);
		return 1;
	}
	return WEXITSTATUS(st);
}

/* ---------------------------------------------------------------------- */
/* The loopback AWS mock                                                  */

/* Static ones start as { .pid = -1 }. */
struct tmock {
	char dir[64]; /* its files (a short path under /tmp) */
	pid_t pid;    /* > 0 while it runs */
	char url[64]; /* http://127.0.0.1:PORT */
};

/* python3 and the mock are there and m->dir is a new mkdtemp(tmpl), for
 * the test to write the mock's files into before tmock_start(). */
static inline bool
tmock_mkdtemp(struct tmock *m, const char *tmpl)
{
	int n = snprintf(m->dir, sizeof(m->dir), "%s", tmpl);

	m->pid = -1;
	m->url[0] = '\0';
	if (n < 0 || (size_t)n >= sizeof(m->dir) ||
	    access(CMFA_FIXTURE_PY, X_OK) != 0 ||
	    access(CMFA_FIXTURE_MOCK, R_OK) != 0 || mkdtemp(m->dir) == NULL) {
		m->dir[0] = '\0';
		return false;
	}
	return true;
}

/* m->dir/name, replaced in one step (0600). */
static inline bool
tmock_write(const struct tmock *m, const char *name, const char *text)
{
	char path[PATH_MAX];

	return cmfa_fixture_path(path, sizeof(path), m->dir, name) &&
	    cmfa_fixture_replace(path, text, 0600);
}

static inline char *
tmock_read(const struct tmock *m, const char *name, size_t *len)
{
	char path[PATH_MAX];

	return cmfa_fixture_path(path, sizeof(path), m->dir, name)
	    ? cmfa_fixture_read(path, len)
	    : NULL;
}

/* The mock's port from m->dir/port into m->url, once it is there. */
static inline bool
tmock_port(struct tmock *m)
{
	char *port = tmock_read(m, "port", NULL);
	enum cmfa_err e = CMFA_ERR_NOTFOUND;
	uint64_t p = 0;

	if (port != NULL)
		e = cmfa_parse_u64(port, strcspn(port, "\r\n"), 65535, &p);
	free(port);
	if (e != CMFA_OK || p <= 2000)
		return false;
	snprintf(m->url, sizeof(m->url), "http://127.0.0.1:%u", (unsigned)p);
	return true;
}

/*
 * The mock on m->dir, in an empty environment (no credential reaches
 * it), its output in m->dir/mock.err, killed when this process dies;
 * waits up to 15 s for its port.  False: it did not come up (m->pid is
 * then -1; tmock_stop() still removes m->dir).
 */
static inline bool
tmock_start(struct tmock *m)
{
	char errpath[PATH_MAX];
	int i, fd;

	m->pid = -1;
	if (!cmfa_fixture_path(errpath, sizeof(errpath), m->dir, "mock.err"))
		return false;
	fflush(NULL);
	if ((m->pid = fork()) < 0)
		return false;
	if (m->pid == 0) {
		char *argv[] = { (char *)CMFA_FIXTURE_PY,
			(char *)CMFA_FIXTURE_MOCK, m->dir, NULL };

		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		if ((fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >=
		    0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execve(CMFA_FIXTURE_PY, argv, cmfa_fixture_child_env());
		_exit(127);
	}
	for (i = 0; i < 300; i++) {
		if (tmock_port(m))
			return true;
		if (waitpid(m->pid, NULL, WNOHANG) == m->pid) {
			m->pid = -1;
			return false;
		}
		cmfa_fixture_sleep_ms(50);
	}
	kill(m->pid, SIGTERM);
	waitpid(m->pid, NULL, 0);
	m->pid = -1;
	return false;
}

/* Stop it (by its PID) and remove its directory. */
static inline void
tmock_stop(struct tmock *m)
{
	if (m->pid > 0) {
		kill(m->pid, SIGTERM);
		while (waitpid(m->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	m->pid = -1;
	cmfa_fixture_rm_tree(m->dir);
	m->dir[0] = '\0';
}

/* No AWS_* setting of the caller's reaches the client: the variables a
 * test may set are unset; the region is us-east-1, instance metadata is
 * off, the config and credentials files are absent ones in m->dir, and
 * the credentials ak / sk (no session token). */
static inline void
tmock_env(const struct tmock *m, const char *ak, const char *sk)
{
	static const char *const unset[] = { "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_DEFAULT_REGION", "AWS_MAX_ATTEMPTS",
		"AWS_RETRY_MODE", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
		"AWS_ENDPOINT_URL_STS", "AWS_ROLE_ARN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_CA_BUNDLE",
		"AWS_USE_FIPS_ENDPOINT", "AWS_SDK_LOAD_CONFIG",
		"AWS_SESSION_TOKEN" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(unset) / sizeof(unset[0]); i++)
		unsetenv(unset[i]);
	setenv("AWS_REGION", "us-east-1", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	if (cmfa_fixture_path(path, sizeof(path), m->dir, "no-config"))
		setenv("AWS_CONFIG_FILE", path, 1);
	if (cmfa_fixture_path(path, sizeof(path), m->dir, "no-credentials"))
		setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
	setenv("AWS_ACCESS_KEY_ID", ak, 1);
	setenv("AWS_SECRET_ACCESS_KEY", sk, 1);
}

/* A client as the tests open one: instance metadata off, 5 s to
 * connect, read_timeout_ms to read, endpoint and clock (NULL: the
 * defaults). */
static inline enum cmfa_err
tmock_client(const char *endpoint, int64_t (*clock)(void), long read_timeout_ms,
    struct cmfa_aws **out, struct cmfa_aws_error *err)
{
	struct cmfa_aws_settings s;

	memset(&s, 0, sizeof(s));
	s.endpoint_url = endpoint;
	s.imds_disabled = true;
	s.clock = clock;
	s.http.connect_timeout_ms = 5000;
	s.http.read_timeout_ms = read_timeout_ms;
	return cmfa_aws_open(&s, out, err);
}

/* Lines (LF) in m->dir/name: the mark to read its new lines after. */
static inline size_t
tmock_count_lines(const struct tmock *m, const char *name)
{
	char *s = tmock_read(m, name, NULL), *p;
	size_t n = 0;

	for (p = s; p != NULL && *p != '\0'; p++)
		n += *p == '\n';
	free(s);
	return n;
}

/* The JSON object o's member name is the string s. */
static inline bool
tmock_member_is(const cJSON *o, const char *name, const char *s)
{
	const cJSON *v =
	    o != NULL ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;

	return cJSON_IsString(v) && strcmp(v->valuestring, s) == 0;
}

/* The complete lines of m->dir/name after line `mark`, parsed, whose
 * "op" is op (all when NULL); *n of them. */
static inline cJSON *
tmock_lines_now(const struct tmock *m, const char *name, size_t mark,
    const char *op, size_t *n)
{
	cJSON *arr = cJSON_CreateArray(), *e;
	char *s = tmock_read(m, name, NULL), *line, *nl;
	size_t i = 0;

	*n = 0;
	for (line = s; arr != NULL && line != NULL && *line != '\0';
	     line = nl + 1, i++) {
		if ((nl = strchr(line, '\n')) == NULL)
			break; /* still being written */
		*nl = '\0';
		if (i < mark || (e = cJSON_Parse(line)) == NULL)
			continue;
		if (op == NULL || tmock_member_is(e, "op", op)) {
			cJSON_AddItemToArray(arr, e);
			(*n)++;
		} else {
			cJSON_Delete(e);
		}
	}
	free(s);
	return arr;
}

/*
 * The same, once there are at least `want` (the mock writes log.jsonl,
 * sns.jsonl, ses.jsonl just after it answers): waits up to 5 s.  The
 * caller deletes the array.
 */
static inline cJSON *
tmock_lines(const struct tmock *m, const char *name, size_t mark,
    const char *op, size_t want)
{
	cJSON *arr = NULL;
	size_t n = 0;
	int tries;

	for (tries = 0; tries < 100; tries++) {
		cJSON_Delete(arr);
		arr = tmock_lines_now(m, name, mark, op, &n);
		if (n >= want)
			break;
		cmfa_fixture_sleep_ms(50);
	}
	return arr;
}

/* The log entries in arr of op (and of body.Username user, when not
 * NULL), in order: how many, the first max of them in out. */
static inline size_t
tmock_entries(const cJSON *arr, const char *op, const char *user,
    const cJSON **out, size_t max)
{
	const cJSON *e;
	size_t n = 0;

	cJSON_ArrayForEach(e, arr)
	{
		if (!tmock_member_is(e, "op", op) ||
		    (user != NULL &&
		        !tmock_member_is(cJSON_GetObjectItemCaseSensitive(e,
		                             "body"),
		            "Username", user)))
			continue;
		if (n < max)
			out[n] = e;
		n++;
	}
	return n;
}

/* ---------------------------------------------------------------------- */
/* A capture server: what exactly did the client send?                    */

struct tcapture {
	pid_t pid;
	char url[64];        /* http://127.0.0.1:PORT */
	char path[PATH_MAX]; /* the requests it got, one after the other */
};

/* Read one request (headers + Content-Length body) from fd into b. */
static inline bool
tcapture_read_request(int fd, struct cmfa_buf *b)
{
	char chunk[4096];
	const char *end, *cl;
	uint64_t len = 0;
	ssize_t n;

	for (;;) {
		end = strstr(cmfa_buf_str(b), "\r\n\r\n");
		if (end != NULL) {
			size_t head = (size_t)(end - cmfa_buf_str(b)) + 4;

			cl =
			    strcasestr(cmfa_buf_str(b), "\r\nContent-Length: ");
			if (cl != NULL && cl < end)
				(void)cmfa_parse_u64(cl + 18,
				    strcspn(cl + 18, "\r"), 1u << 20, &len);
			if (b->len >= head + len)
				return true;
		}
		if ((n = read(fd, chunk, sizeof(chunk))) <= 0)
			return false;
		if (cmfa_buf_append(b, chunk, (size_t)n) != CMFA_OK)
			return false;
	}
}

/* The server's process: n requests on fd, then exit (at 30 s at the
 * latest). */
static inline void
tcapture_serve(int fd, const char *path, const char *response, int n)
{
	struct cmfa_buf b;
	FILE *f;
	int c, i;

	alarm(30);
	for (i = 0; i < n; i++) {
		if ((c = accept(fd, NULL, NULL)) < 0)
			_exit(1);
		cmfa_buf_init(&b, 1u << 20);
		if (tcapture_read_request(c, &b) &&
		    (f = fopen(path, "a")) != NULL) {
			fwrite(b.p, 1, b.len, f);
			fclose(f);
		}
		if (write(c, response, strlen(response)) < 0)
			_exit(1);
		close(c);
		cmfa_buf_free(&b);
	}
	_exit(0);
}

/* Serve n requests on a loopback port with `response` (raw HTTP),
 * appending each request to dir/capture.PORT (cap->path). */
static inline bool
tcapture_start(struct tcapture *cap, const char *dir, const char *response,
    int n)
{
	char name[32];
	unsigned port;
	int fd;

	if ((fd = cmfa_fixture_bound_socket(&port)) < 0)
		return false;
	snprintf(cap->url, sizeof(cap->url), "http://127.0.0.1:%u", port);
	snprintf(name, sizeof(name), "capture.%u", port);
	if (!cmfa_fixture_path(cap->path, sizeof(cap->path), dir, name)) {
		close(fd);
		return false;
	}
	(void)unlink(cap->path); /* a port seen before */
	fflush(NULL);
	if (listen(fd, 8) != 0 || (cap->pid = fork()) < 0) {
		close(fd);
		return false;
	}
	if (cap->pid == 0)
		tcapture_serve(fd, cap->path, response, n);
	close(fd);
	return true;
}

static inline void
tcapture_wait(struct tcapture *cap)
{
	if (cap->pid > 0)
		waitpid(cap->pid, NULL, 0);
	cap->pid = -1;
}

/* The value of header name in the request text (NULL if absent). */
static inline char *
tcapture_header(const char *req, const char *name)
{
	size_t nl = strlen(name);
	const char *p = strstr(req, "\r\n"), *end = strstr(req, "\r\n\r\n");

	while (p != NULL && end != NULL && p < end) {
		p += 2;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;

			while (*v == ' ')
				v++;
			return strndup(v, strcspn(v, "\r"));
		}
		p = strstr(p, "\r\n");
	}
	return NULL;
}

/* tests/data/sigv4_botocore.py with req (deleted here) on its stdin:
 * botocore's own request and signature for it (NULL: it failed). */
static inline cJSON *
tsigner_run(cJSON *req)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	char *text = cJSON_PrintUnformatted(req), buf[16384];
	size_t got = 0;
	ssize_t n;
	pid_t pid;
	cJSON *res = NULL;

	cJSON_Delete(req);
	if (text == NULL || pipe(in) != 0 || pipe(out) != 0) {
		if (in[0] >= 0) {
			close(in[0]);
			close(in[1]);
		}
		free(text);
		return NULL;
	}
	fflush(NULL);
	if ((pid = fork()) == 0) {
		char *argv[] = { (char *)CMFA_FIXTURE_PY,
			(char *)CMFA_FIXTURE_SIGNER, NULL };

		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execve(CMFA_FIXTURE_PY, argv, cmfa_fixture_child_env());
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (write(in[1], text, strlen(text)) < 0)
		got = sizeof(buf); /* fail below */
	close(in[1]);
	free(text);
	while (got < sizeof(buf) - 1 &&
	    (n = read(out[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	close(out[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (got < sizeof(buf)) {
		buf[got] = '\0';
		res = cJSON_Parse(buf);
	}
	return res;
}

#endif /* CMFA_FIXTURE_H */
