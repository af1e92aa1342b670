/*
 * list_users.c: `list-users`: every record of users/, in user-name order,
 * as UserType (which has no MFA settings: admin-get-user shows those).
 *
 *  - --limit 1..60 per page (0: 60, Cognito's default page); above 60
 *    is Cognito's constraint error.  Without --limit or
 *    --pagination-token every user is listed, as the AWS CLI's own
 *    paging would show them.
 *  - --pagination-token: the token a previous page returned; it names
 *    the last user shown (hex), so a page resumes after it even if users
 *    were added or removed meanwhile.  The last page has no token.
 *  - --filter 'attr = "value"' (exact) or 'attr ^= "value"' (prefix),
 *    with \" and \\ inside the quotes, for Cognito's searchable
 *    attributes: username, email, phone_number, name, given_name,
 *    family_name, preferred_username, sub, cognito:user_status (the
 *    UserStatus) and status ("Enabled" / "Disabled").
 *  - --attributes-to-get: only those attributes in each user.
 *  - a record that does not parse is left out, with a warning on
 *    stderr (admin-delete-user removes it).
 *
 * The AWS CLI's own paging (--max-items, --starting-token, --page-size)
 * runs over these pages in cli/paginate.c, as over the API's.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmfa_cli.h"
#include "cli_int.h"

#define PAGE_DEFAULT 60
#define PAGE_MAX 60
static const char *const searchable[] = { "username", "email", "phone_number",
	"name", "given_name", "family_name", "preferred_username",
	"cognito:user_status", "status", "sub", NULL };

bool
cmfa_cli_filter_parse(const char *s, struct cmfa_cli_filter *f)
{
	const char *p = s, *a;
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	while (*p == ' ' || *p == '\t')
		p++;
	for (a = p;
	     *p != '\0' && *p != ' ' && *p != '\t' && *p != '=' && *p != '^';
	     p++)
		;
	if (p == a || (size_t)(p - a) >= sizeof(f->attr))
		return false;
	memcpy(f->attr, a, (size_t)(p - a));
	while (*p == ' ' || *p == '\t')
		p++;
	if (p[0] == '^' && p[1] == '=') {
		f->prefix = true;
		p += 2;
	} else if (p[0] == '=')
		p++;
	else
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '"')
		return false;
	for (; *p != '\0' && *p != '"'; p++) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		if (n >= CMFA_CLI_FILTER_MAX)
			return false;
		f->value[n++] = *p;
	}
	if (*p++ != '"')
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\0';
}

static bool
filter_match(const struct cmfa_cli_filter *f, const struct cmfa_user *u)
{
	const char *v;
	size_t n;

	if (strcmp(f->attr, "username") == 0)
		v = u->username;
	else if (strcmp(f->attr, "status") == 0)
		v = u->enabled ? "Enabled" : "Disabled";
	else if (strcmp(f->attr, "cognito:user_status") == 0)
		v = cmfa_cli_req_str(u->doc, "UserStatus");
	else
		v = cmfa_user_attr(u, f->attr);
	if (v == NULL)
		return false;
	n = strlen(f->value);
	return f->prefix ? strncmp(v, f->value, n) == 0
	                 : strcmp(v, f->value) == 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The user names of users/, sorted.  *names is the caller's to free. */
static enum cmfa_err
user_names(struct cmfa_cli *cli, char ***names, size_t *count)
{
	struct dirent *de;
	char **v = NULL, **nv;
	size_t n = 0, cap = 0, len;
	enum cmfa_err e;
	DIR *d;
	int fd;

	*names = NULL;
	*count = 0;
	if ((e = cmfa_store_users_dir(&cli->store, &fd)) != CMFA_OK)
		return cmfa_cli_store_error(cli, e, "users/");
	if ((d = fdopendir(fd)) == NULL) {
		(void)close(fd);
		return cmfa_cli_store_error(cli, CMFA_ERR_IO, "users/");
	}
	e = CMFA_OK;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0 ||
		    !cmfa_username_valid(de->d_name, len - 5))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				e = CMFA_ERR_NOMEM;
				break;
			}
			v = nv;
		}
		if ((v[n] = strndup(de->d_name, len - 5)) == NULL) {
			e = CMFA_ERR_NOMEM;
			break;
		}
		n++;
	}
	(void)closedir(d);
	if (e != CMFA_OK) {
		while (n > 0)
			free(v[--n]);
		free(v);
		return e;
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), name_cmp);
	*names = v;
	*count = n;
	return CMFA_OK;
}

static unsigned
hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	return 16;
}

static bool
hex_decode(const char *s, char *out, size_t outsz)
{
	size_t n = strlen(s), i;
	unsigned hi, lo;

	if (n == 0 || n % 2 != 0 || n / 2 >= outsz)
		return false;
	for (i = 0; i < n; i += 2) {
		if ((hi = hexdigit(s[i])) > 15 ||
		    (lo = hexdigit(s[i + 1])) > 15)
			return false;
		out[i / 2] = (char)(hi << 4 | lo);
	}
	out[n / 2] = '\0';
	return true;
}

/* The user with only the attributes asked for. */
static cJSON *
user_entry(const struct cmfa_user *u, const cJSON *want)
{
	cJSON *t = cmfa_cli_user_type(u->doc), *attrs, *it, *next;
	const cJSON *w;
	const char *n;
	bool keep;

	if (t == NULL || want == NULL)
		return t;
	if ((attrs = cJSON_GetObjectItemCaseSensitive(t, "Attributes")) ==
	    NULL) {
		if (cJSON_AddArrayToObject(t, "Attributes") == NULL) {
			cJSON_Delete(t);
			return NULL;
		}
		return t;
	}
	for (it = attrs->child; it != NULL; it = next) {
		next = it->next;
		n = cmfa_cli_req_str(it, "Name");
		keep = false;
		cJSON_ArrayForEach(w, want)
		{
			if (cJSON_IsString(w) && n != NULL &&
			    strcmp(w->valuestring, n) == 0)
				keep = true;
		}
		if (!keep)
			cJSON_Delete(cJSON_DetachItemViaPointer(attrs, it));
	}
	return t;
}

static long long
limit_of(const cJSON *v)
{
	if (v == NULL)
		return 0;
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? 1 : 0;
	if (v->valuestring == NULL)
		return 0;
	/* more digits than a long long: anything past 60 is refused */
	if (strlen(v->valuestring) > 18)
		return v->valuestring[0] == '-' ? -1 : 1000;
	return strtoll(v->valuestring, NULL, 10);
}

static void
check(struct cmfa_cli_cv *cv, const cJSON *req)
{
	const cJSON *lim = cJSON_GetObjectItemCaseSensitive(req, "Limit");
	const cJSON *names =
	    cJSON_GetObjectItemCaseSensitive(req, "AttributesToGet");
	const char *tok = cmfa_cli_req_str(req, "PaginationToken");
	const char *flt = cmfa_cli_req_str(req, "Filter");
	const cJSON *it;
	char path[64], num[32];
	long long l;
	size_t i = 0, n;
	const char *p;

	cJSON_ArrayForEach(it, names)
	{
		i++;
		if (!cJSON_IsString(it))
			continue;
		snprintf(path, sizeof(path), "attributesToGet.%zu.member", i);
		n = 0;
		for (p = it->valuestring; *p != '\0'; p++)
			n += ((unsigned char)*p & 0xc0) != 0x80;
		if (n > 32)
			cmfa_cli_cv_add(cv, path, it->valuestring, false,
			    "Member must have length less than or equal to "
			    "32");
	}
	cmfa_cli_cv_pool_id(cv, "userPoolId",
	    cmfa_cli_req_str(req, "UserPoolId"));
	if (lim != NULL && (l = limit_of(lim)) > PAGE_MAX) {
		if (strlen(lim->valuestring) > 18)
			snprintf(num, sizeof(num), "%.18s...",
			    lim->valuestring);
		else
			snprintf(num, sizeof(num), "%lld", l);
		cmfa_cli_cv_add(cv, "limit", num, false,
		    "Member must have value less than or equal to %d",
		    PAGE_MAX);
	}
	if (tok != NULL && strpbrk(tok, " \t\n\r\v\f") != NULL)
		cmfa_cli_cv_add(cv, "paginationToken", tok, false,
		    "Member must satisfy regular expression pattern: [\\S]+");
	if (flt != NULL) {
		n = 0;
		for (p = flt; *p != '\0'; p++)
			n += ((unsigned char)*p & 0xc0) != 0x80;
		if (n > CMFA_CLI_FILTER_MAX)
			cmfa_cli_cv_add(cv, "filter", flt, false,
			    "Member must have length less than or equal to %d",
			    CMFA_CLI_FILTER_MAX);
	}
}

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	const char *pool_id = cmfa_cli_req_str(req, "UserPoolId");
	const char *tok = cmfa_cli_req_str(req, "PaginationToken");
	const char *flt = cmfa_cli_req_str(req, "Filter");
	const cJSON *want =
	    cJSON_GetObjectItemCaseSensitive(req, "AttributesToGet");
	char after[CMFA_USERNAME_MAX + 2], hex[2 * CMFA_USERNAME_MAX + 2];
	struct cmfa_cli_cv cv;
	struct cmfa_cli_filter f;
	struct cmfa_user u;
	char **names = NULL;
	size_t n = 0, i, k, shown = 0;
	long long limit;
	cJSON *users, *entry;
	const char *last = NULL;
	bool more = false;
	enum cmfa_err e;

	cmfa_cli_cv_init(&cv);
	check(&cv, req);
	e = cmfa_cli_cv_done(cli, &cv);
	cmfa_cli_cv_free(&cv);
	if (e != CMFA_OK || (e = cmfa_cli_pool_id(cli, pool_id)) != CMFA_OK)
		return e;
	/* pages only when asked for (the AWS CLI pages through the rest) */
	limit = limit_of(cJSON_GetObjectItemCaseSensitive(req, "Limit"));
	if (limit <= 0)
		limit =
		    cJSON_GetObjectItemCaseSensitive(req, "Limit") != NULL ||
		        tok != NULL
		    ? PAGE_DEFAULT
		    : -1;
	after[0] = '\0';
	if (tok != NULL &&
	    (!hex_decode(tok, after, sizeof(after)) ||
	        !cmfa_username_valid(after, strlen(after))))
		return cmfa_cli_service_error(cli, "InvalidParameterException",
		    "Invalid pagination token.");
	if (flt != NULL && flt[0] != '\0') {
		if (!cmfa_cli_filter_parse(flt, &f))
			return cmfa_cli_service_error(cli,
			    "InvalidParameterException",
			    "Error while parsing filter.");
		for (k = 0; searchable[k] != NULL; k++)
			if (strcmp(searchable[k], f.attr) == 0)
				break;
		if (searchable[k] == NULL)
			return cmfa_cli_service_error(cli,
			    "InvalidParameterException",
			    "Invalid search attribute: %s", f.attr);
	} else
		flt = NULL;
	if ((e = user_names(cli, &names, &n)) != CMFA_OK)
		return e;
	if ((*resp = cJSON_CreateObject()) == NULL ||
	    (users = cJSON_AddArrayToObject(*resp, "Users")) == NULL) {
		e = CMFA_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (after[0] != '\0' && strcmp(names[i], after) <= 0)
			continue;
		if ((e = cmfa_cli_user_read(cli, names[i], &u)) != CMFA_OK) {
			if (cli->fail != CMFA_FAIL_SERVICE)
				goto out;
			/* removed while we listed: skipped; corrupt: skipped
			 * and said (admin-delete-user removes it) */
			if (strcmp(cli->fail_type, "UserNotFoundException") !=
			    0)
				fprintf(cli->err, "cognito-mfa: warning: %s\n",
				    cmfa_buf_str(&cli->fail_msg));
			cli->fail = CMFA_FAIL_NONE;
			cmfa_buf_reset(&cli->fail_msg);
			e = CMFA_OK;
			continue;
		}
		if (flt != NULL && !filter_match(&f, &u)) {
			cmfa_user_free(&u);
			continue;
		}
		if (limit >= 0 && shown == (size_t)limit) {
			more = true;
			cmfa_user_free(&u);
			break;
		}
		entry = user_entry(&u, want);
		cmfa_user_free(&u);
		if (entry == NULL || !cJSON_AddItemToArray(users, entry)) {
			cJSON_Delete(entry);
			e = CMFA_ERR_NOMEM;
			goto out;
		}
		last = names[i];
		shown++;
	}
	if (more && last != NULL) {
		for (k = 0; last[k] != '\0'; k++)
			snprintf(hex + 2 * k, 3, "%02x",
			    (unsigned char)last[k]);
		hex[2 * k] = '\0';
		if (cJSON_AddStringToObject(*resp, "PaginationToken", hex) ==
		    NULL)
			e = CMFA_ERR_NOMEM;
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return e;
}

const struct cmfa_cli_op cmfa_cli_op_list_users = {
	.name = "list-users",
	.api = "ListUsers",
	.input = &cmfa_cs_list_users_req,
	.output = &cmfa_cs_list_users_resp,
	.summary = "List users (UserType: no MFA settings).",
	.help = "--filter 'email = \"a@example.com\"' or "
	        "'username ^= \"a\"'; searchable: username, email,\n"
	        "phone_number, name, given_name, family_name, "
	        "preferred_username, sub,\ncognito:user_status, status "
	        "(\"Enabled\" / \"Disabled\").  --limit 1..60 with\n"
	        "--pagination-token is one page; without them every user is "
	        "listed, or\n--max-items N of them and a NextToken for "
	        "--starting-token, as the AWS\nCLI pages (--page-size: users "
	        "per request).",
	.run = run,
};
