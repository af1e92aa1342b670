/*
 * test_pam.c: the built module through real Linux-PAM.
 *
 * Each test writes a private PAM configuration directory (a service file
 * naming BUILD/pam_cognito_mfa.so by absolute path, with store= and
 * config= pointing into a mkdtemp directory), a store and a config file,
 * then runs pam_start_confdir + pam_authenticate with a scripted
 * conversation.  The conversation computes TOTP codes from the test's own
 * key at the real clock (the module's window of 1 step covers a step
 * boundary), so nothing sleeps.  No root needed: the store and config
 * belong to the effective uid, which is what the module trusts.
 */
#include <security/pam_appl.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#include "cmfa_fixture.h"
#include "cmfa_test.h"
#include "cmfa_otp.h"
#include "cmfa_store.h"

static char module_path[PATH_MAX];
static char tmpdir[64];
static char storedir[128];
static char confpath[128];
static char pamdir[128];

static const uint8_t test_key[20] = "12345678901234567890";
static char faketime_file[160]; /* set in the faked-clock child only */

/* ---------------------------------------------------------------------- */
/* scripted conversation                                                  */

enum answer_kind {
	ANS_TOTP,       /* the current code */
	ANS_TOTP_PREV,  /* the code of the previous step */
	ANS_WRONG,      /* a wrong 6-digit code */
	ANS_TEXT,       /* a fixed text */
	ANS_FAIL,       /* the conversation fails */
	ANS_SENT,       /* the last code the fake helper received */
	ANS_SENT_WRONG, /* a code that differs from it */
	ANS_SENT_LATE,  /* it, after moving the (faked) clock 4 minutes on */
	ANS_SENT_PREV   /* the code sent before it (replaced by a resend) */
};

struct script {
	enum answer_kind answers[8];
	const char *text[8];
	int nanswers;
	int asked;       /* prompts seen */
	char info[1024]; /* every PAM_TEXT_INFO / ERROR_MSG, joined */
	char last_code[8];
};

static void
code_at(int64_t t, char out[8])
{
	uint32_t code = 0;

	(void)cmfa_hotp(test_key, sizeof(test_key), cmfa_totp_step(t), 6,
	    &code);
	snprintf(out, 8, "%06u", code);
}

/* Line `back` from the end of TMPDIR/delivered (0: the last): a code
 * the fake helper was sent. */
static void
sent_code_back(char out[8], int back)
{
	char path[192], buf[4096];
	ssize_t n;
	int fd;

	snprintf(out, 8, "none");
	snprintf(path, sizeof(path), "%s/delivered", tmpdir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 7 * (back + 1) || buf[n - 1] != '\n')
		return;
	memcpy(out, buf + n - 7 * (back + 1), 6);
	out[6] = '\0';
}

static void
sent_code(char out[8])
{
	sent_code_back(out, 0);
}

/* Move the module's clock (libfaketime, re-read at every call). */
static void
move_clock(int seconds)
{
	char text[32];
	int fd;

	if (faketime_file[0] == '\0')
		return;
	snprintf(text, sizeof(text), "+%d\n", seconds);
	fd = open(faketime_file, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			fprintf(stderr, "  cannot move the clock\n");
		close(fd);
	}
}

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *data)
{
	struct script *s = data;
	struct pam_response *r;
	int i;

	if ((r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		int style = msg[i]->msg_style;

		if (style == PAM_TEXT_INFO || style == PAM_ERROR_MSG) {
			size_t l = strlen(s->info);

			snprintf(s->info + l, sizeof(s->info) - l, "%s|",
			    msg[i]->msg);
			continue;
		}
		if (s->asked >= s->nanswers) {
			free(r);
			return PAM_CONV_ERR;
		}
		switch (s->answers[s->asked]) {
		case ANS_TOTP:
			code_at((int64_t)time(NULL), s->last_code);
			r[i].resp = strdup(s->last_code);
			break;
		case ANS_TOTP_PREV:
			code_at((int64_t)time(NULL) - 30, s->last_code);
			r[i].resp = strdup(s->last_code);
			break;
		case ANS_WRONG: {
			char good[8];

			code_at((int64_t)time(NULL), good);
			/* differs from every code in the window */
			snprintf(s->last_code, sizeof(s->last_code), "%06u",
			    (unsigned)((strtoul(good, NULL, 10) + 500000) %
			        1000000));
			r[i].resp = strdup(s->last_code);
			break;
		}
		case ANS_TEXT:
			r[i].resp = strdup(s->text[s->asked]);
			break;
		case ANS_SENT:
		case ANS_SENT_WRONG:
		case ANS_SENT_LATE:
		case ANS_SENT_PREV:
			sent_code_back(s->last_code,
			    s->answers[s->asked] == ANS_SENT_PREV);
			if (s->answers[s->asked] == ANS_SENT_WRONG)
				s->last_code[0] =
				    s->last_code[0] == '9' ? '0' : '9';
			if (s->answers[s->asked] == ANS_SENT_LATE)
				move_clock(240);
			r[i].resp = strdup(s->last_code);
			break;
		case ANS_FAIL:
		default:
			free(r);
			s->asked++;
			return PAM_CONV_ERR;
		}
		s->asked++;
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* fixtures                                                               */

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		fprintf(stderr, "  cannot write %s\n", path);
	if (fd >= 0)
		close(fd);
	(void)chmod(path, mode);
}

static void
rm_rf(const char *path)
{
	/* the test's own mkdtemp directory only */
	if (strncmp(path, "/tmp/cmfa-pam-", 14) == 0)
		cmfa_fixture_rm_tree(path);
}

/* A fresh world: store (pool OFF), empty config, a PAM service "t". */
static int
setup(const char *pool_json, const char *config_text)
{
	struct cmfa_store st;
	int ok;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cmfa-pam-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 0;
	snprintf(storedir, sizeof(storedir), "%s/store", tmpdir);
	snprintf(confpath, sizeof(confpath), "%s/cognito-mfa.conf", tmpdir);
	snprintf(pamdir, sizeof(pamdir), "%s/pam.d", tmpdir);
	if (cmfa_store_init(storedir, geteuid()) != CMFA_OK ||
	    mkdir(pamdir, 0700) != 0)
		return 0;
	write_file(confpath, config_text ? config_text : "", 0600);
	if (pool_json == NULL)
		return 1;
	st.dirfd = -1;
	ok = cmfa_store_open(&st, storedir, geteuid()) == CMFA_OK &&
	    cmfa_store_pool_write(&st, pool_json, strlen(pool_json), NULL) ==
	        CMFA_OK;
	cmfa_store_close(&st);
	return ok;
}

static void
teardown(void)
{
	rm_rf(tmpdir);
}

/* Write the PAM service file: lines with "MODULE" replaced by
 * "<module path> store=... config=..." plus extra args. */
static void service(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
service(const char *fmt, ...)
{
	char body[4096], modline[PATH_MAX + 512], path[256], *p;
	char out[16384];
	va_list ap;
	size_t o = 0;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	snprintf(modline, sizeof(modline), "%s store=%s config=%s", module_path,
	    storedir, confpath);
	for (p = body; *p != '\0' && o < sizeof(out) - 1;) {
		if (strncmp(p, "MODULE", 6) == 0) {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s",
			    modline);
			p += 6;
		} else
			out[o++] = *p++;
	}
	out[o] = '\0';
	snprintf(path, sizeof(path), "%s/t", pamdir);
	write_file(path, out, 0644);
}

static void
add_user(const char *name, const char *json)
{
	struct cmfa_store st;

	st.dirfd = -1;
	if (cmfa_store_open(&st, storedir, geteuid()) != CMFA_OK ||
	    cmfa_store_user_write(&st, name, json, strlen(json), NULL) !=
	        CMFA_OK)
		fprintf(stderr, "  cannot add user %s\n", name);
	cmfa_store_close(&st);
}

static void
add_totp(const char *name)
{
	struct cmfa_store st;

	st.dirfd = -1;
	if (cmfa_store_open(&st, storedir, geteuid()) != CMFA_OK ||
	    cmfa_store_pending_save(&st, name, test_key, sizeof(test_key)) !=
	        CMFA_OK ||
	    cmfa_store_totp_activate(&st, name) != CMFA_OK)
		fprintf(stderr, "  cannot add a TOTP secret for %s\n", name);
	cmfa_store_close(&st);
}

static int
run_pam(const char *user, struct script *s)
{
	struct pam_conv c = { conv, s };
	pam_handle_t *pamh = NULL;
	int rc;

	if (pam_start_confdir("t", user, &c, pamdir, &pamh) != PAM_SUCCESS)
		return -1;
	rc = pam_authenticate(pamh, 0);
	pam_end(pamh, rc);
	return rc;
}

static int
run_pam_script(const char *user, int n, const enum answer_kind *a,
    struct script *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < n; i++)
		s->answers[i] = a[i];
	s->nanswers = n;
	return run_pam(user, s);
}

#define POOL_ON_TOTP                                                           \
	"{\"MfaConfiguration\":\"ON\","                                        \
	"\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true}}"
#define POOL_OPTIONAL_TOTP                                                     \
	"{\"MfaConfiguration\":\"OPTIONAL\","                                  \
	"\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true}}"
#define USER_TOTP(name)                                                        \
	"{\"Username\":\"" name "\",\"Enabled\":true,"                         \
	"\"UserStatus\":\"CONFIRMED\","                                        \
	"\"UserMFASettingList\":[\"SOFTWARE_TOKEN_MFA\"],"                     \
	"\"PreferredMfaSetting\":\"SOFTWARE_TOKEN_MFA\"}"
#define USER_PLAIN(name)                                                       \
	"{\"Username\":\"" name "\",\"Enabled\":true,"                         \
	"\"UserStatus\":\"CONFIRMED\"}"

/* ---------------------------------------------------------------------- */
/* tests                                                                  */

static void
test_fresh_store_pool_off_ignores(void)
{
	struct script s;

	CHECK(setup(NULL, NULL));
	/* the module alone: PAM_IGNORE from every module is a failure of
	 * the stack, which is why the shipped snippets add what decides */
	service("auth required MODULE\n");
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s), PAM_PERM_DENIED);
	service("auth required MODULE\nauth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s), PAM_SUCCESS);
	CHECK_INT_EQ(s.asked, 0);
	teardown();
}

static void
test_totp_success(void)
{
	static const enum answer_kind a[] = { ANS_TOTP };
	struct script s;

	CHECK(setup(POOL_ON_TOTP, NULL));
	add_user("alice", USER_TOTP("alice"));
	add_totp("alice");
	service("auth required MODULE\n");
	CHECK_INT_EQ(run_pam_script("alice", 1, a, &s), PAM_SUCCESS);
	CHECK_INT_EQ(s.asked, 1);
	teardown();
}

static void
test_totp_previous_step_within_window(void)
{
	static const enum answer_kind a[] = { ANS_TOTP_PREV };
	struct script s;

	CHECK(setup(POOL_ON_TOTP, NULL));
	add_user("alice", USER_TOTP("alice"));
	add_totp("alice");
	service("auth required MODULE\n");
	CHECK_INT_EQ(run_pam_script("alice", 1, a, &s), PAM_SUCCESS);
	/* window=0: only the current step */
	/* window=0: only the current step (a fresh user: alice's previous
	 * step is used up) */
	add_user("bob", USER_TOTP("bob"));
	add_totp("bob");
	service("auth required MODULE window=0 tries=1\n");
	CHECK_INT_EQ(run_pam_script("bob", 1, a, &s), PAM_AUTH_ERR);
	teardown();
}

static void
test_wrong_codes_then_right_one(void)
{
	static const enum answer_kind a[] = { ANS_WRONG, ANS_WRONG, ANS_TOTP };
	struct script s;

	CHECK(setup(POOL_ON_TOTP, NULL));
	add_user("alice", USER_TOTP("alice"));
	add_totp("alice");
	service("auth required MODULE tries=3\n");
	CHECK_INT_EQ(run_pam_script("alice", 3, a, &s), PAM_SUCCESS);
	CHECK_INT_EQ(s.asked, 3);
	CHECK(strstr(s.info, "Invalid code.") != NULL);
	teardown();
}

static void
test_wrong_code_is_auth_err(void)
{
	static const enum answer_kind a[] = { ANS_WRONG, ANS_WRONG };
	struct script s;

	CHECK(setup(POOL_ON_TOTP, NULL));
	add_user("alice", USER_TOTP("alice"));
	add_totp("alice");
	service("auth required MODULE tries=2\n");
	CHECK_INT_EQ(run_pam_script("alice", 2, a, &s), PAM_AUTH_ERR);
	CHECK_INT_EQ(s.asked, 2);
	teardown();
}

static void
test_replay_refused(void)
{
	static const enum answer_kind a[] = { ANS_TOTP };
	struct script s;
	char first[8];

	CHECK(setup(POOL_ON_TOTP, NULL));
	add_user("alice", USER_TOTP("alice"));
	add_totp("alice");
	service("auth required MODULE tries=1\n");
	CHECK_INT_EQ(run_pam_script("alice", 1, a, &s), PAM_SUCCESS);
	memcpy(first, s.last_code, sizeof(first));
	/* the same code again: if the step turned meanwhile, the "current"
	 * code is new; replay the first one explicitly */
	memset(&s, 0, sizeof(s));
	s.answers[0] = ANS_TEXT;
	s.text[0] = first;
	s.nanswers = 1;
	CHECK_INT_EQ(run_pam("alice", &s), PAM_AUTH_ERR);
	teardown();
}

static void
test_lockout_after_five_failures(void)
{
	static const enum answer_kind five[] = { ANS_WRONG, ANS_WRONG,
		ANS_WRONG, ANS_WRONG, ANS_WRONG };
	static const enum answer_kind right[] = { ANS_TOTP };
	struct script s;

	CHECK(setup(POOL_ON_TOTP, NULL));
	add_user("alice", USER_TOTP("alice"));
	add_totp("alice");
	service("auth required MODULE tries=5\n");
	/* the fifth failure starts the lockout: PAM_MAXTRIES */
	CHECK_INT_EQ(run_pam_script("alice", 5, five, &s), PAM_MAXTRIES);
	/* while locked: refused at once, without a prompt.  The first
	 * lockout is 1 s; this runs within it unless the machine stalls, in
	 * which case the right code is accepted: accept both, but insist on
	 * no prompt when refused. */
	if (run_pam_script("alice", 1, right, &s) == PAM_MAXTRIES) {
		CHECK_INT_EQ(s.asked, 0);
		CHECK(strstr(s.info, "Too many failed attempts") != NULL);
	}
	teardown();
}

static void
test_corrupt_cache_denies(void)
{
	struct script s;
	char path[PATH_MAX + 64];

	CHECK(setup(NULL, NULL));
	service("auth required MODULE\nauth required pam_permit.so\n");
	snprintf(path, sizeof(path), "%s/pool.json", storedir);
	write_file(path, "{\"MfaConfiguration\":\"ON\"", 0600);
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s),
	    PAM_AUTHINFO_UNAVAIL);
	write_file(path, "{\"MfaConfiguration\":\"MAYBE\"}", 0600);
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s),
	    PAM_AUTHINFO_UNAVAIL);
	/* group-writable cache */
	write_file(path, "{\"MfaConfiguration\":\"OFF\"}", 0620);
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s),
	    PAM_AUTHINFO_UNAVAIL);
	/* symlink in place of the file */
	unlink(path);
	CHECK(symlink("/etc/hostname", path) == 0);
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s),
	    PAM_AUTHINFO_UNAVAIL);
	/* missing */
	unlink(path);
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s),
	    PAM_AUTHINFO_UNAVAIL);
	teardown();
}

static void
test_missing_store_denies(void)
{
	struct script s;

	CHECK(setup(NULL, NULL));
	service("auth required %s store=%s/nope config=%s\n"
	        "auth required pam_permit.so\n",
	    module_path, tmpdir, confpath);
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s),
	    PAM_AUTHINFO_UNAVAIL);
	teardown();
}

static void
test_bad_options_deny(void)
{
	struct script s;

	CHECK(setup(NULL, NULL));
	service("auth required MODULE no_such_option\n"
	        "auth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s), PAM_SYSTEM_ERR);
	service(
	    "auth required MODULE window=99\nauth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s), PAM_SYSTEM_ERR);
	service("auth required MODULE window=1 window=2\n"
	        "auth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s), PAM_SYSTEM_ERR);
	service("auth required MODULE tries=0\nauth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s), PAM_SYSTEM_ERR);
	/* a broken config file denies too */
	write_file(confpath, "fail_mode = sometimes\n", 0600);
	service("auth required MODULE\nauth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s), PAM_SYSTEM_ERR);
	/* an explicit config= that does not exist */
	service("auth required %s store=%s config=%s/none.conf\n"
	        "auth required pam_permit.so\n",
	    module_path, storedir, tmpdir);
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s), PAM_SYSTEM_ERR);
	teardown();
}

static void
test_unknown_user(void)
{
	struct script s;

	CHECK(setup(POOL_ON_TOTP, NULL));
	service("auth required MODULE\n");
	CHECK_INT_EQ(run_pam_script("nobody-here", 0, NULL, &s),
	    PAM_USER_UNKNOWN);
	service("auth required MODULE unknown_user=ignore\n"
	        "auth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("nobody-here", 0, NULL, &s), PAM_SUCCESS);
	/* a name that can never be a store file is unknown, not an error */
	service("auth required MODULE\n");
	CHECK_INT_EQ(run_pam_script("../etc/passwd", 0, NULL, &s),
	    PAM_USER_UNKNOWN);
	teardown();
}

static void
test_disabled_user_denied(void)
{
	struct script s;

	CHECK(setup(POOL_ON_TOTP, NULL));
	add_user("bob",
	    "{\"Username\":\"bob\",\"Enabled\":false,"
	    "\"UserMFASettingList\":[\"SOFTWARE_TOKEN_MFA\"]}");
	add_totp("bob");
	service("auth required MODULE\nauth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("bob", 0, NULL, &s), PAM_PERM_DENIED);
	CHECK_INT_EQ(s.asked, 0);
	teardown();
	/* even with the pool OFF: disabled means no login (DESIGN.md D12) */
	CHECK(setup(NULL, NULL));
	add_user("bob", "{\"Username\":\"bob\",\"Enabled\":false}");
	service("auth required MODULE\nauth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("bob", 0, NULL, &s), PAM_PERM_DENIED);
	teardown();
}

static void
test_setup_required(void)
{
	struct script s;

	CHECK(setup(POOL_ON_TOTP, NULL));
	add_user("carol", USER_PLAIN("carol"));
	service("auth required MODULE\nauth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("carol", 0, NULL, &s), PAM_PERM_DENIED);
	CHECK(strstr(s.info, "authenticator app") != NULL);
	/* TOTP enabled in Cognito but no secret on this host: denied with a
	 * message, never let through */
	add_user("dave", USER_TOTP("dave"));
	CHECK_INT_EQ(run_pam_script("dave", 0, NULL, &s), PAM_PERM_DENIED);
	CHECK(s.info[0] != '\0');
	teardown();
}

static void
test_optional_pool(void)
{
	static const enum answer_kind a[] = { ANS_TOTP };
	struct script s;

	CHECK(setup(POOL_OPTIONAL_TOTP, NULL));
	add_user("carol", USER_PLAIN("carol"));
	add_user("alice", USER_TOTP("alice"));
	add_totp("alice");
	service("auth required MODULE\nauth required pam_permit.so\n");
	/* OPTIONAL, nothing enabled: no MFA */
	CHECK_INT_EQ(run_pam_script("carol", 0, NULL, &s), PAM_SUCCESS);
	CHECK_INT_EQ(s.asked, 0);
	/* require_mfa (sudo step-up): denied with an enrolment message */
	service("auth required MODULE require_mfa\n"
	        "auth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("carol", 0, NULL, &s), PAM_PERM_DENIED);
	/* a user with TOTP enabled is challenged even in OPTIONAL */
	service("auth required MODULE\n");
	CHECK_INT_EQ(run_pam_script("alice", 1, a, &s), PAM_SUCCESS);
	CHECK_INT_EQ(s.asked, 1);
	teardown();
}

static void
test_mfa_floor(void)
{
	static const enum answer_kind a[] = { ANS_TOTP };
	struct script s;

	/* the pool says OFF; the host's floor says ON (DESIGN.md D11) */
	CHECK(setup(NULL, "mfa_floor = on\n"));
	add_user("alice", USER_TOTP("alice"));
	add_totp("alice");
	add_user("carol", USER_PLAIN("carol"));
	service("auth required MODULE\nauth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("alice", 1, a, &s), PAM_SUCCESS);
	CHECK_INT_EQ(s.asked, 1);
	CHECK_INT_EQ(run_pam_script("carol", 0, NULL, &s), PAM_PERM_DENIED);
	teardown();
}

static void
test_stale_cache(void)
{
	struct script s;
	struct timespec ts[2];
	char path[PATH_MAX + 64];

	CHECK(setup(POOL_ON_TOTP, NULL));
	add_user("alice", USER_TOTP("alice"));
	add_totp("alice");
	snprintf(path, sizeof(path), "%s/pool.json", storedir);
	ts[0].tv_sec = ts[1].tv_sec = time(NULL) - 7200;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0);
	service("auth required MODULE max_age=3600\n"
	        "auth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s),
	    PAM_AUTHINFO_UNAVAIL);
	service("auth required MODULE max_age=3600 fail_mode=open\n"
	        "auth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s), PAM_SUCCESS);
	CHECK_INT_EQ(s.asked, 0);
	/* fresh enough: challenged */
	service("auth required MODULE max_age=86400\n");
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s), PAM_CONV_ERR);
	CHECK_INT_EQ(s.asked, 0);
	/* fail_mode=open never covers integrity */
	write_file(path, "garbage", 0600);
	service("auth required MODULE max_age=3600 fail_mode=open\n"
	        "auth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s),
	    PAM_AUTHINFO_UNAVAIL);
	teardown();
}

static void
test_conversation_failure(void)
{
	static const enum answer_kind a[] = { ANS_FAIL };
	struct script s;

	CHECK(setup(POOL_ON_TOTP, NULL));
	add_user("alice", USER_TOTP("alice"));
	add_totp("alice");
	service("auth required MODULE\n");
	CHECK_INT_EQ(run_pam_script("alice", 1, a, &s), PAM_CONV_ERR);
	teardown();
}

static void
test_exempt_and_scope_groups(void)
{
	struct script s;

	/* root is a member of group root on every Debian system */
	CHECK(setup(POOL_ON_TOTP, NULL));
	service("auth required MODULE exempt_group=root\n"
	        "auth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("root", 0, NULL, &s), PAM_SUCCESS);
	CHECK_INT_EQ(s.asked, 0);
	service("auth required MODULE only_group=root\n"
	        "auth required pam_permit.so\n");
	/* "alice" is in no group: out of scope, no MFA */
	CHECK_INT_EQ(run_pam_script("alice", 0, NULL, &s), PAM_SUCCESS);
	/* root is in scope and has no record: unknown user */
	CHECK_INT_EQ(run_pam_script("root", 0, NULL, &s), PAM_USER_UNKNOWN);
	teardown();
}

/* The module's codes in stacks with each control flag (PAM-ANCHORS 10). */
static void
test_stacks(void)
{
	static const enum answer_kind right[] = { ANS_TOTP };
	static const enum answer_kind wrong[] = { ANS_WRONG };
	struct script s;

	CHECK(setup(POOL_OPTIONAL_TOTP, NULL));
	/* one user per successful login: a TOTP step is accepted once */
	add_user("a1", USER_TOTP("a1"));
	add_totp("a1");
	add_user("a2", USER_TOTP("a2"));
	add_totp("a2");
	add_user("a3", USER_TOTP("a3"));
	add_totp("a3");
	add_user("carol", USER_PLAIN("carol"));

	/* requisite: a wrong code ends the stack at once */
	service("auth requisite MODULE tries=1\nauth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("a1", 1, wrong, &s), PAM_AUTH_ERR);
	CHECK_INT_EQ(run_pam_script("a1", 1, right, &s), PAM_SUCCESS);
	CHECK_INT_EQ(run_pam_script("carol", 0, NULL, &s), PAM_SUCCESS);

	/* sufficient: success skips the rest (pam_deny); "no MFA needed"
	 * falls through to what decides */
	service("auth sufficient MODULE tries=1\nauth required pam_deny.so\n");
	CHECK_INT_EQ(run_pam_script("a2", 1, right, &s), PAM_SUCCESS);
	CHECK_INT_EQ(run_pam_script("carol", 0, NULL, &s), PAM_AUTH_ERR);

	/* [success=done ignore=ignore default=die] followed by pam_permit */
	service("auth [success=done ignore=ignore default=die] MODULE "
	        "tries=1\nauth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("a3", 1, right, &s), PAM_SUCCESS);
	CHECK_INT_EQ(run_pam_script("a3", 1, wrong, &s), PAM_AUTH_ERR);
	CHECK_INT_EQ(run_pam_script("carol", 0, NULL, &s), PAM_SUCCESS);

	/* required: a wrong code fails the stack even though pam_permit
	 * succeeds after it */
	service("auth required MODULE tries=1\nauth required pam_permit.so\n");
	CHECK_INT_EQ(run_pam_script("a1", 1, wrong, &s), PAM_AUTH_ERR);
	teardown();
}

/*
 * The remaining decision paths of the policy, each through real libpam:
 * the reason names in the comments are cmfa_reason_name()'s.
 */
static void
test_remaining_decision_paths(void)
{
	static const enum answer_kind a[] = { ANS_TOTP };
	struct script s;
	char path[PATH_MAX];

	CHECK(setup(POOL_ON_TOTP, NULL));
	service("auth required MODULE\nauth required pam_permit.so\n");

	/* only-enabled: TOTP enabled, not preferred: still challenged */
	add_user("e1",
	    "{\"Username\":\"e1\",\"UserMFASettingList\":"
	    "[\"SOFTWARE_TOKEN_MFA\"]}");
	add_totp("e1");
	CHECK_INT_EQ(run_pam_script("e1", 1, a, &s), PAM_SUCCESS);
	CHECK_INT_EQ(s.asked, 1);

	/* required-auto: pool ON, no MFA settings, an authenticator on this
	 * host (COGNITO.md 3.3 step 4) */
	add_user("e2", USER_PLAIN("e2"));
	add_totp("e2");
	CHECK_INT_EQ(run_pam_script("e2", 1, a, &s), PAM_SUCCESS);
	CHECK_INT_EQ(s.asked, 1);

	/* enabled-not-servable: SMS enabled and preferred, no SMS channel on
	 * this host: denied with a message, never let through */
	teardown();
	CHECK(setup("{\"MfaConfiguration\":\"OPTIONAL\","
	            "\"SmsMfaConfiguration\":{\"SmsAuthenticationMessage\":"
	            "\"Code {####}\"},\"SoftwareTokenMfaConfiguration\":"
	            "{\"Enabled\":true}}",
	    NULL));
	service("auth required MODULE\nauth required pam_permit.so\n");
	add_user("e3",
	    "{\"Username\":\"e3\",\"UserAttributes\":[{\"Name\":"
	    "\"phone_number\",\"Value\":\"+12065550100\"},{\"Name\":"
	    "\"phone_number_verified\",\"Value\":\"true\"}],"
	    "\"UserMFASettingList\":[\"SMS_MFA\"],"
	    "\"PreferredMfaSetting\":\"SMS_MFA\"}");
	CHECK_INT_EQ(run_pam_script("e3", 0, NULL, &s), PAM_PERM_DENIED);
	CHECK_INT_EQ(s.asked, 0);
	CHECK(strstr(s.info, "cannot be used on this host") != NULL);

	/* totp-registered: OPTIONAL, no MFA settings, an authenticator here
	 * (DESIGN.md 3b): challenged */
	add_user("e4", USER_PLAIN("e4"));
	add_totp("e4");
	CHECK_INT_EQ(run_pam_script("e4", 1, a, &s), PAM_SUCCESS);
	CHECK_INT_EQ(s.asked, 1);

	/* legacy MFAOptions SMS counts as SMS enabled: not servable here */
	add_user("e5",
	    "{\"Username\":\"e5\",\"MFAOptions\":[{"
	    "\"DeliveryMedium\":\"SMS\",\"AttributeName\":"
	    "\"phone_number\"}],\"UserAttributes\":[{\"Name\":"
	    "\"phone_number\",\"Value\":\"+12065550100\"}]}");
	CHECK_INT_EQ(run_pam_script("e5", 0, NULL, &s), PAM_PERM_DENIED);
	teardown();

	/* recovery-conflict: pool ON with SMS, the user's only destination
	 * is a phone that is also the account's recovery channel */
	CHECK(setup("{\"MfaConfiguration\":\"ON\",\"SmsMfaConfiguration\":"
	            "{\"SmsAuthenticationMessage\":\"Code {####}\"}}",
	    NULL));
	service("auth required MODULE\nauth required pam_permit.so\n");
	snprintf(path, sizeof(path), "%s/user-pool.json", storedir);
	write_file(path,
	    "{\"UserPool\":{\"AccountRecoverySetting\":{"
	    "\"RecoveryMechanisms\":[{\"Priority\":1,\"Name\":"
	    "\"verified_phone_number\"}]}}}",
	    0600);
	add_user("e6",
	    "{\"Username\":\"e6\",\"UserAttributes\":[{\"Name\":"
	    "\"phone_number\",\"Value\":\"+12065550100\"}]}");
	CHECK_INT_EQ(run_pam_script("e6", 0, NULL, &s), PAM_PERM_DENIED);
	CHECK(strstr(s.info, "recovery") != NULL);
	/* a corrupt user-pool.json is a corrupt cache */
	write_file(path, "{\"UserPool\":", 0600);
	CHECK_INT_EQ(run_pam_script("e6", 0, NULL, &s), PAM_AUTHINFO_UNAVAIL);
	teardown();
}

/* ---------------------------------------------------------------------- */
/* delivered codes: the module's side of the helper contract              */
/* (cmfa_deliver.h), played by a shell script; the real helper is tested */
/* end to end in tests/sh/e2e-*.sh and tests/sh/deliver.sh               */

#define POOL_ALL POOL_ALL_AT("ON")
#define POOL_ALL_AT(level)                                                     \
	"{\"MfaConfiguration\":\"" level "\","                                 \
	"\"SmsMfaConfiguration\":{\"SmsAuthenticationMessage\":"               \
	"\"Code {####}\",\"SmsConfiguration\":{\"SnsCallerArn\":"              \
	"\"arn:aws:iam::123456789012:role/sns\",\"ExternalId\":\"x1\"}},"      \
	"\"EmailMfaConfiguration\":{\"Message\":\"Code {####}\","              \
	"\"Subject\":\"Sign-in\"},"                                            \
	"\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true}}"
#define USER_DELIVERED(name, list, pref)                                       \
	"{\"Username\":\"" name "\",\"Enabled\":true,"                         \
	"\"UserStatus\":\"CONFIRMED\",\"UserMFASettingList\":[" list "]" pref  \
	",\"UserAttributes\":["                                                \
	"{\"Name\":\"phone_number\",\"Value\":\"+12065550100\"},"              \
	"{\"Name\":\"phone_number_verified\",\"Value\":\"true\"},"             \
	"{\"Name\":\"email\",\"Value\":\"alice@example.com\"},"                \
	"{\"Name\":\"email_verified\",\"Value\":\"true\"}]}"
#define PREF_SMS ",\"PreferredMfaSetting\":\"SMS_MFA\""
#define PREF_EMAIL ",\"PreferredMfaSetting\":\"EMAIL_OTP\""
#define CHANNELS                                                               \
	"sms_channel = command\nemail_channel = command\n"                     \
	"deliver_command = /bin/true\n"

/*
 * The fake helper: records its argv and environment, appends the code
 * from stdin to TMPDIR/delivered, and exits with TMPDIR/status.<channel>
 * (default 0; "sleep" hangs).  Returns the service's extra arguments.
 */
static const char *
fake_helper(void)
{
	static char arg[256];
	char path[192], text[1024];

	snprintf(path, sizeof(path), "%s/helper", tmpdir);
	snprintf(text, sizeof(text),
	    "#!/bin/sh\n"
	    "d=%s\n"
	    "printf '%%s\\n' \"$*\" >\"$d/argv\"\n"
	    /* the environment it was started with (the shell adds PWD) */
	    "/usr/bin/tr '\\0' '\\n' </proc/$$/environ >\"$d/env\"\n"
	    "IFS= read -r code\n"
	    "printf '%%s\\n' \"$code\" >>\"$d/delivered\"\n"
	    "eval \"ch=\\${$#}\"\n"
	    "st=$(/bin/cat \"$d/status.$ch\" 2>/dev/null || echo 0)\n"
	    "[ \"$st\" = sleep ] && exec /bin/sleep 30\n"
	    "[ \"$st\" = 0 ] || echo \"gateway said no\" >&2\n"
	    "exit \"$st\"\n",
	    tmpdir);
	write_file(path, text, 0755);
	snprintf(arg, sizeof(arg), "helper=%s", path);
	return arg;
}

static void
helper_status(const char *channel, const char *status)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/status.%s", tmpdir, channel);
	write_file(path, status, 0600);
}

static void
read_small(const char *name, char *out, size_t outsz)
{
	char path[192];
	ssize_t n;
	int fd;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, out, outsz - 1);
	close(fd);
	out[n > 0 ? n : 0] = '\0';
}

static int
delivered_setup(const char *user_json, const char *config)
{
	if (!setup(POOL_ALL, config != NULL ? config : CHANNELS))
		return 0;
	add_user("bob", user_json);
	return 1;
}

static void
test_delivered_sms(void)
{
	static const enum answer_kind one[] = { ANS_SENT };
	char argv[512], env[256], want[512], code[8];
	struct script s;

	CHECK(delivered_setup(USER_DELIVERED("bob", "\"SMS_MFA\"", PREF_SMS),
	    NULL));
	service("auth required MODULE %s\n", fake_helper());
	CHECK_INT_EQ(run_pam_script("bob", 1, one, &s), PAM_SUCCESS);
	CHECK_INT_EQ(s.asked, 1);
	CHECK_MSG(strstr(s.info, "A code was sent to +*******0100.") != NULL,
	    "%s", s.info);
	read_small("argv", argv, sizeof(argv));
	snprintf(want, sizeof(want),
	    "--store %s --config %s deliver --user=bob --channel sms\n",
	    storedir, confpath);
	CHECK_STR_EQ(argv, want);
	sent_code(code);
	CHECK(strstr(argv, code) == NULL); /* never in argv */
	read_small("env", env, sizeof(env));
	CHECK_STR_EQ(env, ""); /* an empty environment */
	/* one use: the same code again is a new login with a new code */
	CHECK_INT_EQ(run_pam_script("bob", 1, one, &s), PAM_SUCCESS);
	teardown();
}

static void
test_delivered_email_and_wrong_codes(void)
{
	static const enum answer_kind wrong_right[] = { ANS_SENT_WRONG,
		ANS_SENT };
	static const enum answer_kind wrong3[] = { ANS_SENT_WRONG,
		ANS_SENT_WRONG, ANS_SENT_WRONG };
	static const enum answer_kind wrong2[] = { ANS_SENT_WRONG,
		ANS_SENT_WRONG };
	struct script s;

	CHECK(
	    delivered_setup(USER_DELIVERED("bob", "\"EMAIL_OTP\"", PREF_EMAIL),
	        NULL));
	service("auth required MODULE %s\n", fake_helper());
	CHECK_INT_EQ(run_pam_script("bob", 2, wrong_right, &s), PAM_SUCCESS);
	CHECK_MSG(strstr(s.info,
	              "A code was sent to a***@e***.com.|"
	              "Invalid code.|") != NULL,
	    "%s", s.info);
	CHECK_INT_EQ(run_pam_script("bob", 3, wrong3, &s), PAM_AUTH_ERR);
	CHECK_INT_EQ(s.asked, 3);
	/* wrong codes count towards the lockout: 3 + 2 = 5 */
	CHECK_INT_EQ(run_pam_script("bob", 2, wrong2, &s), PAM_MAXTRIES);
	CHECK(strstr(s.info, "Too many failed attempts") != NULL);
	teardown();

	/* without resend, an empty answer is a wrong code */
	CHECK(
	    delivered_setup(USER_DELIVERED("bob", "\"EMAIL_OTP\"", PREF_EMAIL),
	        NULL));
	service("auth required MODULE tries=1 %s\n", fake_helper());
	memset(&s, 0, sizeof(s));
	s.answers[0] = ANS_TEXT;
	s.text[0] = "";
	s.nanswers = 1;
	CHECK_INT_EQ(run_pam("bob", &s), PAM_AUTH_ERR);
	teardown();
}

static void
test_delivered_resend(void)
{
	char all[256];
	struct script s;

	CHECK(delivered_setup(USER_DELIVERED("bob", "\"SMS_MFA\"", PREF_SMS),
	    NULL));
	service("auth required MODULE tries=1 resend %s\n", fake_helper());
	memset(&s, 0, sizeof(s));
	s.answers[0] = ANS_TEXT;
	s.text[0] = "";
	s.answers[1] = ANS_SENT;
	s.nanswers = 2;
	CHECK_INT_EQ(run_pam("bob", &s), PAM_SUCCESS);
	read_small("delivered", all, sizeof(all));
	CHECK_INT_EQ(strlen(all), 14); /* two codes sent */
	/* the first code is void once a new one was sent */
	memset(&s, 0, sizeof(s));
	s.answers[0] = ANS_TEXT;
	s.text[0] = "";
	s.answers[1] = ANS_SENT_PREV;
	s.nanswers = 2;
	CHECK_INT_EQ(run_pam("bob", &s), PAM_AUTH_ERR);
	teardown();
}

static void
test_delivered_failures(void)
{
	static const enum answer_kind one[] = { ANS_SENT };
	struct script s;
	struct timespec t0, t1;

	CHECK(delivered_setup(USER_DELIVERED("bob", "\"SMS_MFA\"", PREF_SMS),
	    "sms_channel = command\ndeliver_command = /bin/true\n"
	    "delivery_timeout = 1\n"));
	service("auth required MODULE %s\n", fake_helper());
	/* the gateway fails: one clear line, no prompt, denied */
	helper_status("sms", "6");
	CHECK_INT_EQ(run_pam_script("bob", 1, one, &s), PAM_AUTHINFO_UNAVAIL);
	CHECK_INT_EQ(s.asked, 0);
	CHECK_MSG(strstr(s.info, "The code could not be sent.") != NULL, "%s",
	    s.info);
	CHECK(strstr(s.info, "gateway said no") == NULL); /* not echoed */
	/* the hourly limit */
	helper_status("sms", "5");
	CHECK_INT_EQ(run_pam_script("bob", 1, one, &s), PAM_MAXTRIES);
	CHECK(strstr(s.info, "Too many codes") != NULL);
	/* the helper hangs: killed after delivery_timeout */
	helper_status("sms", "sleep");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT_EQ(run_pam_script("bob", 1, one, &s), PAM_AUTHINFO_UNAVAIL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec - t0.tv_sec < 20); /* sanity, not a timing test */
	CHECK_INT_EQ(s.asked, 0);
	/* a helper the module cannot trust is never run */
	helper_status("sms", "0");
	{
		char path[192], before[256], after[256];

		read_small("delivered", before, sizeof(before));
		snprintf(path, sizeof(path), "%s/helper", tmpdir);
		(void)chmod(path, 0775); /* group-writable */
		CHECK_INT_EQ(run_pam_script("bob", 1, one, &s),
		    PAM_AUTHINFO_UNAVAIL);
		read_small("delivered", after, sizeof(after));
		CHECK_STR_EQ(before, after);
		CHECK_INT_EQ(s.asked, 0);
	}
	/* a relative or odd helper= is a bad option: denied */
	service("auth required MODULE helper=cognito-mfa\n");
	CHECK_INT_EQ(run_pam_script("bob", 1, one, &s), PAM_SYSTEM_ERR);
	teardown();
}

static void
test_delivered_menu_and_fallback(void)
{
	static const enum answer_kind pick_email[] = { ANS_TEXT, ANS_SENT };
	struct script s;

	/* both enabled, none preferred: Cognito's SELECT_MFA_TYPE */
	CHECK(delivered_setup(USER_DELIVERED("bob", "\"SMS_MFA\",\"EMAIL_OTP\"",
	                          ""),
	    NULL));
	service("auth required MODULE %s\n", fake_helper());
	memset(&s, 0, sizeof(s));
	s.answers[0] = pick_email[0];
	s.text[0] = "2";
	s.answers[1] = pick_email[1];
	s.nanswers = 2;
	CHECK_INT_EQ(run_pam("bob", &s), PAM_SUCCESS);
	CHECK_MSG(strstr(s.info, "1) SMS  2) Email|") != NULL, "%s", s.info);
	CHECK(strstr(s.info, "a***@e***.com") != NULL);
	/* SMS cannot be sent: the other factor is offered at once */
	helper_status("sms", "6");
	memset(&s, 0, sizeof(s));
	s.answers[0] = ANS_TEXT;
	s.text[0] = "1";
	s.answers[1] = ANS_SENT;
	s.nanswers = 2;
	CHECK_INT_EQ(run_pam("bob", &s), PAM_SUCCESS);
	CHECK_MSG(strstr(s.info, "The code could not be sent.") != NULL &&
	        strstr(s.info, "Choose another method.") != NULL &&
	        strstr(s.info, "A code was sent to a***@e***.com.") != NULL,
	    "%s", s.info);
	teardown();

	/* this host sends SMS only: no menu, SMS at once */
	CHECK(delivered_setup(USER_DELIVERED("bob", "\"SMS_MFA\",\"EMAIL_OTP\"",
	                          ""),
	    "sms_channel = command\ndeliver_command = /bin/true\n"));
	service("auth required MODULE %s\n", fake_helper());
	memset(&s, 0, sizeof(s));
	s.answers[0] = ANS_SENT;
	s.nanswers = 1;
	CHECK_INT_EQ(run_pam("bob", &s), PAM_SUCCESS);
	CHECK(strstr(s.info, "1) ") == NULL);
	CHECK(strstr(s.info, "+*******0100") != NULL);
	teardown();

	/* pool OPTIONAL, EMAIL the user's only factor, and this host
	 * cannot send email: denied with a message, nothing sent (with
	 * the pool ON, Cognito would pick SMS from the phone attribute) */
	CHECK(setup(POOL_ALL_AT("OPTIONAL"),
	    "sms_channel = command\ndeliver_command = /bin/true\n"));
	add_user("bob", USER_DELIVERED("bob", "\"EMAIL_OTP\"", PREF_EMAIL));
	service("auth required MODULE %s\n", fake_helper());
	CHECK_INT_EQ(run_pam_script("bob", 0, NULL, &s), PAM_PERM_DENIED);
	CHECK_MSG(strstr(s.info, "cannot be used on this host") != NULL, "%s",
	    s.info);
	{
		char sent[64];

		read_small("delivered", sent, sizeof(sent));
		CHECK_STR_EQ(sent, "");
	}
	teardown();
}

/* The faked-clock half of test_delivered_expired, in a child. */
static void
expired_child(void)
{
	static const enum answer_kind late[] = { ANS_SENT_LATE };
	struct script s;

	CHECK(delivered_setup(USER_DELIVERED("bob", "\"SMS_MFA\"", PREF_SMS),
	    NULL));
	service("auth required MODULE %s\n", fake_helper());
	CHECK_INT_EQ(run_pam_script("bob", 1, late, &s), PAM_AUTH_ERR);
	CHECK_MSG(strstr(s.info, "The code has expired.") != NULL, "%s",
	    s.info);
	/* an expired code is no guess: no failure counted, and the next
	 * login (clock still 4 minutes on) works */
	move_clock(240);
	{
		static const enum answer_kind one[] = { ANS_SENT };

		CHECK_INT_EQ(run_pam_script("bob", 1, one, &s), PAM_SUCCESS);
	}
	teardown();
}

/*
 * An expired code: validity is at least 3 minutes, so the clock moves
 * instead (DESIGN.md 5: faketime, never a hook in the module).  The test
 * runs itself again under libfaketime with the offset in a file it
 * rewrites from the conversation; the helper runs with an empty
 * environment, so only the module's clock moves.
 */
static char self_path[PATH_MAX];

static void
test_delivered_expired(void)
{
	const char *self = self_path;
	static const char *const libs[] = {
		"/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
		"/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
		"/usr/lib/faketime/libfaketime.so.1",
	};
	const char *lib = NULL;
	char file[128], env_pre[256], env_file[192];
	pid_t pid;
	int status = 0, fd;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(libs) && lib == NULL; i++)
		if (access(libs[i], R_OK) == 0)
			lib = libs[i];
	if (lib == NULL)
		SKIP("libfaketime not installed (Debian package faketime)");
	snprintf(file, sizeof(file), "/tmp/cmfa-pam-clock-XXXXXX");
	if ((fd = mkstemp(file)) < 0 || write(fd, "+0\n", 3) != 3) {
		CHECK_MSG(0, "cannot write %s", file);
		return;
	}
	close(fd);
	snprintf(env_pre, sizeof(env_pre), "LD_PRELOAD=%s", lib);
	snprintf(env_file, sizeof(env_file), "FAKETIME_TIMESTAMP_FILE=%s",
	    file);
	if ((pid = fork()) == 0) {
		char *const argv[] = { (char *)self, (char *)"--faked-clock",
			NULL };
		char *const envp[] = { env_pre, env_file,
			(char *)"FAKETIME_NO_CACHE=1",
			(char *)"FAKETIME_DONT_FAKE_MONOTONIC=1",
			(char *)"ASAN_OPTIONS=verify_asan_link_order=0", NULL };

		/* its PASS lines are not this run's: only its status is */
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (null >= 0)
			(void)dup2(null, 1);
		execve(self, argv, envp);
		_exit(127);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the faked-clock run failed (status %d)", status);
	unlink(file);
}

static void
find_module(const char *argv0)
{
	char exe[PATH_MAX - 32];
	ssize_t n;
	char *slash;

	(void)argv0;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		exit(2);
	exe[n] = '\0';
	/* BUILD/tests/test_pam -> BUILD/pam_cognito_mfa.so */
	if ((slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	if ((slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	snprintf(module_path, sizeof(module_path), "%s/pam_cognito_mfa.so",
	    exe);
}

int
main(int argc, char **argv)
{
	t_prog = "pam";
	find_module(argv[0]);
	if (argc == 2 && strcmp(argv[1], "--faked-clock") == 0) {
		const char *f = getenv("FAKETIME_TIMESTAMP_FILE");

		snprintf(faketime_file, sizeof(faketime_file), "%s",
		    f != NULL ? f : "");
		RUN(expired_child);
		return t_tests_failed > 0 ? 1 : 0;
	}
	RUN(test_fresh_store_pool_off_ignores);
	RUN(test_totp_success);
	RUN(test_totp_previous_step_within_window);
	RUN(test_wrong_codes_then_right_one);
	RUN(test_wrong_code_is_auth_err);
	RUN(test_replay_refused);
	RUN(test_lockout_after_five_failures);
	RUN(test_corrupt_cache_denies);
	RUN(test_missing_store_denies);
	RUN(test_bad_options_deny);
	RUN(test_unknown_user);
	RUN(test_disabled_user_denied);
	RUN(test_setup_required);
	RUN(test_optional_pool);
	RUN(test_mfa_floor);
	RUN(test_stale_cache);
	RUN(test_conversation_failure);
	RUN(test_exempt_and_scope_groups);
	RUN(test_stacks);
	RUN(test_remaining_decision_paths);
	RUN(test_delivered_sms);
	RUN(test_delivered_email_and_wrong_codes);
	RUN(test_delivered_resend);
	RUN(test_delivered_failures);
	RUN(test_delivered_menu_and_fallback);
	{
		ssize_t n = readlink("/proc/self/exe", self_path,
		    sizeof(self_path) - 1);

		self_path[n > 0 ? n : 0] = '\0';
	}
	RUN(test_delivered_expired);
	return t_tests_failed > 0 ? 1 : 0;
}
