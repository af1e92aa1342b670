/*
 * profile.c: the environment door of aws/, and the shared credentials
 * and config files as botocore merges them into profiles.
 *
 * The files belong to the user running the CLI, as they do for the AWS
 * CLI: they are read as it reads them (symlinks followed, "~/" expanded),
 * with no ownership or mode checks, but only regular files count (a
 * directory or a FIFO is "no file", as os.path.isfile() says) and each is
 * capped at CMFA_AWS_SHARED_MAX.
 *
 * botocore's full_config: a profile NAME is the config file's
 * "[profile NAME]" (or "[default]") with the credentials file's "[NAME]"
 * laid over it key by key; it exists when either file has it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds_int.h"

const char *
cmfa_aws_getenv(const struct cmfa_aws_settings *s, const char *name)
{
	if (s == NULL || s->no_env || name == NULL)
		return NULL;
	return getenv(name);
}

bool
cmfa_aws_env_true(const struct cmfa_aws_settings *s, const char *name)
{
	const char *v = cmfa_aws_getenv(s, name);

	return v != NULL && strcasecmp(v, "true") == 0;
}

void
cmfa_creds_fail(struct cmfa_aws_error *err, enum cmfa_aws_errkind kind,
    const char *fmt, ...)
{
	char raw[sizeof(err->message)];
	va_list ap;
	int n;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		raw[0] = '\0';
	err->kind = kind;
	cmfa_sanitize(err->message, sizeof(err->message), raw, strlen(raw));
}

/* ---------------------------------------------------------------------- */
/* Files                                                                  */

static enum cmfa_err
read_fd(int fd, size_t max, struct cmfa_buf *out)
{
	char chunk[8192];
	ssize_t r;
	enum cmfa_err e = CMFA_OK;

	cmfa_buf_init(out, max);
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = CMFA_ERR_IO;
			break;
		}
		if (r == 0)
			break;
		if (out->len + (size_t)r > max) {
			e = CMFA_ERR_TOOBIG;
			break;
		}
		if ((e = cmfa_buf_append(out, chunk, (size_t)r)) != CMFA_OK)
			break;
	}
	cmfa_memzero(chunk, sizeof(chunk));
	if (e != CMFA_OK)
		cmfa_buf_free(out);
	return e;
}

enum cmfa_err
cmfa_aws_read_file(const char *path, size_t max, struct cmfa_buf *out)
{
	struct stat st;
	struct cmfa_buf b;
	enum cmfa_err e;
	int fd;

	if (path == NULL || path[0] == '\0' || out == NULL)
		return CMFA_ERR_INVAL;
	/* O_NONBLOCK: a FIFO must not hang us before fstat refuses it */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP
		    ? CMFA_ERR_NOTFOUND
		    : CMFA_ERR_IO;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return CMFA_ERR_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return CMFA_ERR_NOTFOUND;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return CMFA_ERR_TOOBIG;
	}
	e = read_fd(fd, max, &b);
	close(fd);
	if (e == CMFA_OK)
		*out = b;
	return e;
}

static enum cmfa_err
home_dir(const struct cmfa_aws_settings *s, char *out, size_t outsz)
{
	const char *home = cmfa_aws_getenv(s, "HOME");
	struct passwd pw, *res = NULL;
	char buf[4096];
	int n;

	if (home == NULL || home[0] == '\0') {
		if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) != 0 ||
		    res == NULL || pw.pw_dir == NULL || pw.pw_dir[0] == '\0')
			return CMFA_ERR_NOTFOUND;
		home = pw.pw_dir;
	}
	n = snprintf(out, outsz, "%s", home);
	return n < 0 || (size_t)n >= outsz ? CMFA_ERR_TOOBIG : CMFA_OK;
}

enum cmfa_err
cmfa_aws_expand_home(const struct cmfa_aws_settings *s, const char *path,
    char *out, size_t outsz)
{
	char home[PATH_MAX];
	enum cmfa_err e;
	int n;

	if (path[0] != '~' || (path[1] != '\0' && path[1] != '/')) {
		n = snprintf(out, outsz, "%s", path);
		return n < 0 || (size_t)n >= outsz ? CMFA_ERR_TOOBIG : CMFA_OK;
	}
	if ((e = home_dir(s, home, sizeof(home))) != CMFA_OK)
		return e;
	/* "~" of a home that is "/" stays "/" (os.path.expanduser) */
	if (strcmp(home, "/") == 0 && path[1] == '/')
		home[0] = '\0';
	n = snprintf(out, outsz, "%s%s", home, path + 1);
	return n < 0 || (size_t)n >= outsz ? CMFA_ERR_TOOBIG : CMFA_OK;
}

enum cmfa_err
cmfa_aws_read_shared(const char *path, struct cmfa_buf *out)
{
	struct cmfa_aws_settings env;
	char full[PATH_MAX];
	enum cmfa_err e;

	if (path == NULL || out == NULL)
		return CMFA_ERR_INVAL;
	memset(&env, 0, sizeof(env));
	if ((e = cmfa_aws_expand_home(&env, path, full, sizeof(full))) !=
	    CMFA_OK)
		return e;
	return cmfa_aws_read_file(full, CMFA_AWS_SHARED_MAX, out);
}

/* One file: absent is fine, anything else that fails is the CLI's
 * "Unable to parse config file". */
static enum cmfa_err
load_one(const char *path, struct cmfa_buf *b, bool *have,
    struct cmfa_aws_error *err)
{
	enum cmfa_err e;

	*have = false;
	if (path[0] == '\0')
		return CMFA_OK;
	e = cmfa_aws_read_file(path, CMFA_AWS_SHARED_MAX, b);
	if (e == CMFA_ERR_NOTFOUND)
		return CMFA_OK;
	if (e == CMFA_OK &&
	    (e = cmfa_ini_check((const char *)b->p, b->len)) != CMFA_OK)
		cmfa_buf_free(b);
	if (e == CMFA_ERR_NOMEM)
		return e;
	if (e == CMFA_ERR_TOOBIG) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "Unable to parse config file: %s (larger than %u bytes)",
		    path, CMFA_AWS_SHARED_MAX);
		return e;
	}
	if (e != CMFA_OK) {
		cmfa_creds_fail(err, CMFA_AWSERR_CONFIG,
		    "Unable to parse config file: %s", path);
		return e;
	}
	*have = true;
	return CMFA_OK;
}

enum cmfa_err
cmfa_aws_files_load(const struct cmfa_aws *a, struct cmfa_aws_files *f,
    struct cmfa_aws_error *err)
{
	enum cmfa_err e;

	memset(f, 0, sizeof(*f));
	cmfa_buf_init(&f->cred, CMFA_AWS_SHARED_MAX);
	cmfa_buf_init(&f->conf, CMFA_AWS_SHARED_MAX);
	e = load_one(a->config_file, &f->conf, &f->have_conf, err);
	if (e == CMFA_OK)
		e = load_one(a->shared_credentials_file, &f->cred,
		    &f->have_cred, err);
	if (e != CMFA_OK)
		cmfa_aws_files_free(f);
	return e;
}

void
cmfa_aws_files_free(struct cmfa_aws_files *f)
{
	if (f == NULL)
		return;
	cmfa_buf_free(&f->cred);
	cmfa_buf_free(&f->conf);
	f->have_cred = f->have_conf = false;
}

/* ---------------------------------------------------------------------- */
/* Profiles                                                               */

enum cmfa_err
cmfa_aws_cred_file_get(const struct cmfa_aws_files *f, const char *profile,
    const char *key, char *out, size_t outsz)
{
	if (!f->have_cred)
		return CMFA_ERR_NOTFOUND;
	return cmfa_ini_lookup((const char *)f->cred.p, f->cred.len,
	    CMFA_INI_SECTION, profile, key, out, outsz);
}

enum cmfa_err
cmfa_aws_conf_file_get(const struct cmfa_aws_files *f, const char *profile,
    const char *key, char *out, size_t outsz)
{
	if (!f->have_conf)
		return CMFA_ERR_NOTFOUND;
	return cmfa_ini_lookup((const char *)f->conf.p, f->conf.len,
	    CMFA_INI_PROFILE, profile, key, out, outsz);
}

enum cmfa_err
cmfa_aws_profile_get(const struct cmfa_aws_files *f, const char *profile,
    const char *key, char *out, size_t outsz)
{
	enum cmfa_err e;

	e = cmfa_aws_cred_file_get(f, profile, key, out, outsz);
	if (e == CMFA_ERR_NOTFOUND)
		e = cmfa_aws_conf_file_get(f, profile, key, out, outsz);
	return e;
}

bool
cmfa_aws_profile_exists(const struct cmfa_aws_files *f, const char *profile)
{
	return (f->have_cred &&
	           cmfa_ini_has((const char *)f->cred.p, f->cred.len,
	               CMFA_INI_SECTION, profile)) ||
	    (f->have_conf &&
	        cmfa_ini_has((const char *)f->conf.p, f->conf.len,
	            CMFA_INI_PROFILE, profile));
}
