/*
 * process.c: credential_process (botocore's ProcessProvider).
 *
 * The profile's command line is split as shlex.split() does and run
 * WITHOUT a shell (found in PATH as execvp() would, then posix_spawn: no
 * fork of a process that may have libcurl threads), in a process group
 * of its own, stdin /dev/null, stdout captured (at most PROCESS_OUT_MAX
 * bytes), stderr captured for the error message, the environment
 * inherited (as botocore does; the helper's own environment is the
 * caller's business).  It has PROCESS_TIMEOUT_MS to finish, then its
 * group is killed.
 *
 * stdout must be JSON {"Version": 1, "AccessKeyId", "SecretAccessKey",
 * "SessionToken"?, "Expiration"? (ISO 8601)}.  A non-zero exit is
 * "Error when retrieving credentials from custom-process: <stderr>".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmfa_core.h"
#include "creds_int.h"

#define PROCESS_OUT_MAX (64u * 1024u)
#define PROCESS_ERR_MAX (4u * 1024u)
#define PROCESS_TIMEOUT_MS 60000
#define PROCESS_MAX_ARGS 256
#define PROVIDER "custom-process"

extern char **environ;

struct child {
	pid_t pid;
	int out, err; /* read ends, -1 once at EOF */
	struct cmfa_buf stdout_b, stderr_b;
	bool too_big, timed_out;
	int status;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * The program as execvp() would find it: a name with a '/' as it is,
 * else the first executable regular file in PATH (an empty entry is the
 * current directory).  Resolved here rather than by posix_spawnp() so
 * that "not found" is an error of ours in every runtime (under valgrind
 * a failed exec shows as an exit status 127).
 */
static bool
find_program(const struct cmfa_aws_settings *s, const char *name, char *out,
    size_t outsz)
{
	const char *path = cmfa_aws_getenv(s, "PATH"), *p, *end;
	struct stat st;
	size_t n;

	if (strchr(name, '/') != NULL)
		return (size_t)snprintf(out, outsz, "%s", name) < outsz &&
		    access(out, X_OK) == 0 && stat(out, &st) == 0 &&
		    S_ISREG(st.st_mode);
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		end = strchr(p, ':');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if ((size_t)snprintf(out, outsz, "%.*s%s%s", (int)n, p,
		        n > 0 ? "/" : "", name) < outsz &&
		    access(out, X_OK) == 0 && stat(out, &st) == 0 &&
		    S_ISREG(st.st_mode))
			return true;
		if (end == NULL)
			return false;
	}
}

static enum cmfa_err
spawn(const char *prog, char **argv, struct child *ch)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dflt;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, rc;

	if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
		close_fd(&po[0]);
		close_fd(&po[1]);
		return CMFA_ERR_IO;
	}
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGQUIT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGHUP);
	sigaddset(&dflt, SIGCHLD);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at,
	    POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	        POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dflt);
	rc = posix_spawn(&ch->pid, prog, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close_fd(&po[1]);
	close_fd(&pe[1]);
	ch->out = po[0];
	ch->err = pe[0];
	if (rc != 0) {
		close_fd(&ch->out);
		close_fd(&ch->err);
		errno = rc;
		return CMFA_ERR_NOTFOUND;
	}
	return CMFA_OK;
}

/* Read what one pipe has; at EOF close it. */
static void
drain(int *fd, struct cmfa_buf *b, size_t max, bool *too_big)
{
	char chunk[4096];
	ssize_t r = read(*fd, chunk, sizeof(chunk));

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		close_fd(fd);
		return;
	}
	if (b->len + (size_t)r > max) {
		if (too_big != NULL)
			*too_big = true;
		r = (ssize_t)(max - b->len); /* keep what fits */
	}
	if (r > 0 && cmfa_buf_append(b, chunk, (size_t)r) != CMFA_OK &&
	    too_big != NULL)
		*too_big = true;
	cmfa_memzero(chunk, sizeof(chunk));
}

static void
kill_group(struct child *ch)
{
	(void)kill(-ch->pid, SIGKILL);
	(void)kill(ch->pid, SIGKILL);
}

/* Collect both outputs until EOF, then the exit status, within the
 * deadline. */
static void
collect(struct child *ch, int64_t deadline)
{
	struct pollfd p[2];
	int64_t left;
	nfds_t n;
	pid_t w;

	while ((ch->out >= 0 || ch->err >= 0) && !ch->too_big) {
		if ((left = deadline - now_ms()) <= 0) {
			ch->timed_out = true;
			break;
		}
		n = 0;
		if (ch->out >= 0)
			p[n++] = (struct pollfd){ ch->out, POLLIN, 0 };
		if (ch->err >= 0)
			p[n++] = (struct pollfd){ ch->err, POLLIN, 0 };
		if (poll(p, n, (int)left) < 0 && errno != EINTR)
			break;
		for (nfds_t i = 0; i < n; i++) {
			if (p[i].revents == 0)
				continue;
			if (p[i].fd == ch->out)
				drain(&ch->out, &ch->stdout_b, PROCESS_OUT_MAX,
				    &ch->too_big);
			else
				drain(&ch->err, &ch->stderr_b, PROCESS_ERR_MAX,
				    NULL);
		}
	}
	if (ch->timed_out || ch->too_big)
		kill_group(ch);
	while ((w = waitpid(ch->pid, &ch->status, WNOHANG)) == 0) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (now_ms() >= deadline && !ch->timed_out) {
			ch->timed_out = true;
			kill_group(ch);
		}
		nanosleep(&ts, NULL);
	}
	if (w < 0)
		ch->status = -1;
	close_fd(&ch->out);
	close_fd(&ch->err);
}

/* ---------------------------------------------------------------------- */

static enum cmfa_err
fail(struct cmfa_aws_error *err, const char *msg)
{
	cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
	    "Error when retrieving credentials from " PROVIDER ": %s", msg);
	return CMFA_ERR_VALIDATION;
}

/* The Version value as Python's '%s' would print it. */
static void
version_text(const cJSON *v, char *out, size_t outsz)
{
	if (v == NULL)
		snprintf(out, outsz, "<Version key not provided>");
	else if (cJSON_IsString(v))
		snprintf(out, outsz, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		snprintf(out, outsz, "%.17g", v->valuedouble);
	else if (cJSON_IsBool(v))
		snprintf(out, outsz, "%s", cJSON_IsTrue(v) ? "True" : "False");
	else if (cJSON_IsNull(v))
		snprintf(out, outsz, "None");
	else
		snprintf(out, outsz, "%s",
		    cJSON_IsArray(v) ? "[...]" : "{...}");
}

static enum cmfa_err
parse_output(const struct cmfa_buf *b, struct cmfa_aws_credentials *out,
    struct cmfa_aws_error *err)
{
	cJSON *doc = NULL;
	const cJSON *v;
	const char *id, *secret, *token, *exp;
	char text[128], msg[256];
	int64_t t = 0;
	enum cmfa_err e;

	if ((e = cmfa_creds_json_parse(b, &doc)) != CMFA_OK)
		return e == CMFA_ERR_NOMEM
		    ? e
		    : fail(err, "the output is not a JSON object");
	v = cJSON_GetObjectItemCaseSensitive(doc, "Version");
	if (!cJSON_IsNumber(v) || v->valuedouble != 1.0) {
		version_text(v, text, sizeof(text));
		snprintf(msg, sizeof(msg),
		    "Unsupported version '%s' for credential process provider, "
		    "supported versions: 1",
		    text);
		e = fail(err, msg);
	} else if ((id = cmfa_creds_json_str(doc, "AccessKeyId")) == NULL) {
		e = fail(err,
		    "Missing required key in response: 'AccessKeyId'");
	} else if ((secret = cmfa_creds_json_str(doc, "SecretAccessKey")) ==
	    NULL) {
		e = fail(err,
		    "Missing required key in response: 'SecretAccessKey'");
	} else {
		token = cmfa_creds_json_str(doc, "SessionToken");
		exp = cmfa_creds_json_str(doc, "Expiration");
		if (exp != NULL &&
		    cmfa_creds_parse_time(exp, strlen(exp), &t) != CMFA_OK)
			e = fail(err, "the Expiration is not an ISO 8601 time");
		else if ((e = cmfa_creds_set(out, id, secret, token, t,
		              "credential-process")) == CMFA_ERR_VALIDATION)
			e = fail(err, "the credentials are malformed");
	}
	cmfa_creds_json_free(doc);
	return e;
}

/* The child's stderr as the message: trailing blanks dropped. */
static enum cmfa_err
exit_error(struct child *ch, struct cmfa_aws_error *err)
{
	const char *s = cmfa_buf_str(&ch->stderr_b);
	size_t n = ch->stderr_b.len;
	char msg[sizeof(err->message)];

	while (n > 0 &&
	    (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' ||
	        s[n - 1] == '\t'))
		n--;
	if (n >= sizeof(msg))
		n = sizeof(msg) - 1;
	memcpy(msg, s, n);
	msg[n] = '\0';
	return fail(err, msg);
}

static enum cmfa_err
run(const struct cmfa_aws_settings *s, char **argv,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	struct child ch;
	char msg[512], prog[PATH_MAX];
	enum cmfa_err e;

	memset(&ch, 0, sizeof(ch));
	ch.out = ch.err = -1;
	cmfa_buf_init(&ch.stdout_b, PROCESS_OUT_MAX);
	cmfa_buf_init(&ch.stderr_b, PROCESS_ERR_MAX);
	if (!find_program(s, argv[0], prog, sizeof(prog))) {
		snprintf(msg, sizeof(msg),
		    "cannot run %s: no such executable file", argv[0]);
		return fail(err, msg);
	}
	if ((e = spawn(prog, argv, &ch)) != CMFA_OK) {
		snprintf(msg, sizeof(msg), "cannot run %s: %s", argv[0],
		    strerror(errno));
		return fail(err, msg);
	}
	collect(&ch, now_ms() + PROCESS_TIMEOUT_MS);
	if (ch.timed_out)
		e = fail(err, "the process did not finish within 60 seconds");
	else if (ch.too_big)
		e = fail(err, "the output is larger than 64 KiB");
	else if (!WIFEXITED(ch.status) || WEXITSTATUS(ch.status) != 0)
		e = exit_error(&ch, err);
	else
		e = parse_output(&ch.stdout_b, out, err);
	cmfa_buf_free(&ch.stdout_b);
	cmfa_buf_free(&ch.stderr_b);
	return e;
}

enum cmfa_err
cmfa_creds_process(struct cmfa_creds_ctx *c, const char *profile,
    struct cmfa_aws_credentials *out, struct cmfa_aws_error *err)
{
	char line[CMFA_AWS_VALUE_MAX], *buf = NULL, **argv = NULL;
	size_t argc = 0, len;
	enum cmfa_err e;

	e = cmfa_aws_profile_get(&c->files, profile, "credential_process", line,
	    sizeof(line));
	if (e == CMFA_ERR_NOTFOUND)
		return e;
	if (e == CMFA_ERR_TOOBIG)
		return fail(err, "the credential_process line is too long");
	if (e != CMFA_OK)
		return e;
	len = strlen(line);
	if ((buf = malloc(2 * len + 1)) == NULL ||
	    (argv = calloc(PROCESS_MAX_ARGS + 1, sizeof(*argv))) == NULL) {
		e = CMFA_ERR_NOMEM;
		goto out;
	}
	e = cmfa_shlex_split(line, len, buf, 2 * len + 1, argv,
	    PROCESS_MAX_ARGS, &argc);
	if (e == CMFA_OK && argc == 0)
		e = fail(err, "credential_process is empty");
	else if (e == CMFA_ERR_PARSE)
		e = fail(err,
		    "credential_process has an unclosed quote or a "
		    "trailing backslash");
	else if (e != CMFA_OK)
		e = fail(err, "credential_process has too many words");
	else {
		argv[argc] = NULL;
		e = run(&c->a->s, argv, out, err);
	}
out:
	if (buf != NULL)
		cmfa_memzero(buf, 2 * len + 1);
	free(buf);
	free(argv);
	cmfa_memzero(line, sizeof(line));
	return e;
}
