/*
 * list_locked_users.c: `list-locked-users` (ours): every user whose
 * state file holds a lockout in effect now, by name:
 *   {"Users": [{"Username", "Failures", "LockedUntil", "RemainingSeconds"}]}
 * A state file that does not parse locks its user out too (the module
 * fails closed on it): it is reported on stderr, and
 * admin-reset-user-lockout repairs it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmfa_cli.h"
#include "cli_int.h"

static int
entry_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a,
	            *y = *(const cJSON *const *)b;

	return strcmp(cmfa_cli_req_str(x, "Username"),
	    cmfa_cli_req_str(y, "Username"));
}

static cJSON *
entry(const char *name, const struct cmfa_state *st, int64_t remaining)
{
	cJSON *o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(o, "Username", name) == NULL ||
	    cJSON_AddNumberToObject(o, "Failures", (double)st->failures) ==
	        NULL ||
	    cJSON_AddNumberToObject(o, "LockedUntil",
	        (double)st->locked_until) == NULL ||
	    cJSON_AddNumberToObject(o, "RemainingSeconds", (double)remaining) ==
	        NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	char rel[16 + sizeof(((struct dirent *)0)->d_name)];
	struct cmfa_state st;
	struct dirent *de;
	struct cmfa_buf b;
	cJSON **v = NULL, **nv, *users, *o;
	size_t n = 0, cap = 0, i;
	int64_t remaining;
	enum cmfa_err e;
	DIR *d;
	int fd;

	(void)req;
	if ((e = cmfa_cli_store(cli)) != CMFA_OK)
		return e;
	if ((e = cmfa_dir_open(cli->store.dirfd, "state", cli->owner, &fd)) !=
	    CMFA_OK)
		return cmfa_cli_store_error(cli, e, "state/");
	if ((d = fdopendir(fd)) == NULL) {
		(void)close(fd);
		return cmfa_cli_store_error(cli, CMFA_ERR_IO, "state/");
	}
	while ((de = readdir(d)) != NULL) {
		if (!cmfa_username_valid(de->d_name, strlen(de->d_name)))
			continue;
		snprintf(rel, sizeof(rel), "state/%s", de->d_name);
		e = cmfa_file_read(cli->store.dirfd, rel, cli->owner,
		    CMFA_STATE_MAX, &b, NULL);
		if (e == CMFA_ERR_NOTFOUND)
			continue; /* removed meanwhile */
		if (e == CMFA_OK) {
			e = cmfa_state_parse((const char *)b.p, b.len, &st);
			cmfa_buf_free(&b);
		}
		if (e != CMFA_OK) {
			fprintf(cli->err,
			    "cognito-mfa: warning: %s: %s: the user cannot "
			    "log in until admin-reset-user-lockout --username "
			    "%s\n",
			    rel, cmfa_strerror(e), de->d_name);
			continue;
		}
		if (!cmfa_state_locked(&st, cli->now, &remaining))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				e = CMFA_ERR_NOMEM;
				goto out;
			}
			v = nv;
		}
		if ((v[n] = entry(de->d_name, &st, remaining)) == NULL) {
			e = CMFA_ERR_NOMEM;
			goto out;
		}
		n++;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), entry_cmp);
	e = CMFA_OK;
	if ((*resp = cJSON_CreateObject()) == NULL ||
	    (users = cJSON_AddArrayToObject(*resp, "Users")) == NULL) {
		e = CMFA_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		o = v[i];
		v[i] = NULL;
		if (!cJSON_AddItemToArray(users, o)) {
			cJSON_Delete(o);
			e = CMFA_ERR_NOMEM;
			goto out;
		}
	}
out:
	(void)closedir(d);
	for (i = 0; i < n; i++)
		cJSON_Delete(v[i]);
	free(v);
	return e;
}

const struct cmfa_cli_op cmfa_cli_op_list_locked_users = {
	.name = "list-locked-users",
	.api = "ListLockedUsers",
	.input = &cmfa_cs_list_locked_req,
	.output = &cmfa_cs_list_locked_resp,
	.summary = "Users locked out after wrong codes, now.",
	.local_only = true,
	.run = run,
};
