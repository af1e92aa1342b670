/*
 * bench_pam.c: the per-login cost of the whole module through real
 * Linux-PAM, against pam_google_authenticator and pam_oath in the same
 * process, the same run, on the same machine (DESIGN.md section 6).
 *
 * A login is pam_start_confdir + pam_authenticate + pam_end on a private
 * PAM directory whose service file has the module's one auth line, with
 * one conversation function for every module: it answers each prompt
 * with the current TOTP code of the user's own key (one HMAC, the same
 * work whoever asks).  Every module accepts the step before and after
 * the current one (window 1), and every module refuses a code used
 * before, so each user logs in once: NUSERS users per configuration,
 * each with a key of its own, every login timed, PAM_SUCCESS required.
 * The configurations are run in interleaved batches, in a rotating
 * order, so that none gets a warmer disk or page cache than another.
 *
 * What each module does per successful login (its real work, kept):
 *   ours    open the store (every directory checked), read pool.json,
 *           users/<u>.json, totp/<u>; decide; then two transactions on
 *           state/<u> under flock (the lockout check, then verify and
 *           record): the record is an atomic write (temporary file,
 *           fsync, rename, directory fsync).  The fsync'd state write
 *           is the dominant cost, and it is what replay protection and
 *           the lockout need to survive a crash.
 *   GA      reads its secret file; with RATE_LIMIT 3 30 and
 *           DISALLOW_REUSE (kept on: the replay protection and rate
 *           limiting its setup tool offers, the counterparts of ours)
 *           it rewrites that file per login (temporary file, fsync,
 *           rename; no directory fsync).
 *           A second line shows GA with both off: it then only reads,
 *           and has no replay protection.
 *   oath    scans the shared usersfile to the user's line, then rewrites
 *           the whole file (fcntl lock file, users.oath.new, fsync,
 *           rename): its cost grows with the number of users in the
 *           file.  (pam_oath's usersfile=.../${USER} would give each
 *           user a file of its own, but it looks the user up in the
 *           passwd database first, and the bench's users have no
 *           accounts.)
 *
 * Ours is also measured against a store holding only the user who logs
 * in (before each login, untimed, the previous user's record and secret
 * are renamed out and the next one's in, and the directories synced) and
 * against a store of 100,000 users (2,000 of them log in): flat is the
 * goal.  Stores are written directly, without an fsync per file, as
 * bench_core.c does.
 *
 * The whole comparison runs twice: on disk (/tmp), where each module's
 * fsync is real, and on tmpfs (/dev/shm; the 100,000-user store takes
 * about 800 MB there for the length of the phase), where fsync costs
 * nothing and what remains is each module's own work.  On a shared
 * machine the disk figures move with everybody else's I/O (every fsync
 * commits the file system's journal); the tmpfs figures, and the CPU
 * time (user + system) reported beside the wall clock, are the steadier
 * ones.
 *
 * The harness holds each module open (dlopen) for the whole run, so the
 * figures exclude loading the shared objects, which libpam otherwise
 * repeats at every pam_start / pam_end.  Logging: as root the run
 * happens in a private mount namespace where /dev/log and /dev/console
 * are /dev/null, and the harness opens the log with LOG_CONS, so every
 * module's log line costs the same refused connect and a write to
 * /dev/null, and none reaches the host's log, its console (where GA's
 * own openlog(LOG_CONS) would write when no syslog daemon listens) or a
 * test's /dev/log listener.  The PAM directory has an empty "other",
 * which libpam reads at every pam_start.
 *
 * A module that is not installed, or whose first (untimed) login fails,
 * is skipped with a line saying why; only a failure of ours exits
 * non-zero.  Figures, not assertions: `make bench` runs it, `make check`
 * never does.
 */
#include <security/pam_appl.h>

#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cmfa_otp.h"
#include "cmfa_store.h"

#ifndef NUSERS
#define NUSERS 2000 /* logins per configuration, one per user */
#endif
#ifndef NROUNDS
#define NROUNDS 20 /* interleaved batches of NUSERS / NROUNDS */
#endif
#ifndef NMANY
#define NMANY 100000 /* users in the large store */
#endif
#define SPREAD (NMANY / NUSERS) /* every SPREAD-th user of it logs in */
#define KEYLEN 20
#define WARM (NMANY + 1) /* the user of each untimed first login */

#define POOL                                                                   \
	"{\"SmsMfaConfiguration\":{\"SmsAuthenticationMessage\":"              \
	"\"Your code is {####}.\",\"SmsConfiguration\":{\"SnsCallerArn\":"     \
	"\"arn:aws:iam::123456789012:role/sms\",\"ExternalId\":\"x\","         \
	"\"SnsRegion\":\"us-east-1\"}},\"SoftwareTokenMfaConfiguration\":"     \
	"{\"Enabled\":true},\"MfaConfiguration\":\"ON\"}"
#define USER_FMT                                                               \
	"{\"Username\":\"%s\",\"UserAttributes\":["                            \
	"{\"Name\":\"sub\",\"Value\":\"d1b2c3d4-0000-1111-2222-%012ld\"},"     \
	"{\"Name\":\"email\",\"Value\":\"%s@example.com\"},"                   \
	"{\"Name\":\"email_verified\",\"Value\":\"true\"}],"                   \
	"\"UserCreateDate\":1548108509.537,\"Enabled\":true,"                  \
	"\"UserStatus\":\"CONFIRMED\",\"UserMFASettingList\":"                 \
	"[\"SOFTWARE_TOKEN_MFA\"],\"PreferredMfaSetting\":"                    \
	"\"SOFTWARE_TOKEN_MFA\"}"

enum conf_kind {
	C_OURS,      /* one store with the NUSERS users who log in */
	C_GA,        /* GA, RATE_LIMIT + DISALLOW_REUSE */
	C_OATH,      /* pam_oath, one shared usersfile */
	C_OURS_ONE,  /* a store holding only the user who logs in */
	C_OURS_MANY, /* one store of NMANY users */
	C_GA_PLAIN,  /* GA without RATE_LIMIT / DISALLOW_REUSE */
	C_COUNT
};

struct conf {
	char label[40];
	bool active;
	char why[256]; /* why it was skipped */
	long fails;
	int64_t *ns; /* one sample per login */
	long n;
	double mean, median, p99;
	int64_t cpu_ns; /* user + system CPU time of all its logins */
};

static struct conf confs[C_COUNT];

static void
labels(void)
{
	snprintf(confs[C_OURS].label, sizeof(confs[C_OURS].label),
	    "pam_cognito_mfa (%d-user store)", NUSERS);
	snprintf(confs[C_GA].label, sizeof(confs[C_GA].label),
	    "pam_google_authenticator (reuse+rate)");
	snprintf(confs[C_OATH].label, sizeof(confs[C_OATH].label),
	    "pam_oath (usersfile of %d users)", NUSERS);
	snprintf(confs[C_OURS_ONE].label, sizeof(confs[C_OURS_ONE].label),
	    "pam_cognito_mfa, 1 cached user");
	snprintf(confs[C_OURS_MANY].label, sizeof(confs[C_OURS_MANY].label),
	    "pam_cognito_mfa, %d cached users", NMANY);
	snprintf(confs[C_GA_PLAIN].label, sizeof(confs[C_GA_PLAIN].label),
	    "pam_google_authenticator (no state)");
}

static char base[64]; /* the phase's directory */
static char pamdir[128];
static char module_ours[PATH_MAX];
static char secdir[PATH_MAX];
static long one_current; /* the user in the 1-user store */

/* ---------------------------------------------------------------------- */
/* small helpers                                                          */

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + (int64_t)ts.tv_nsec;
}

/* snprintf into a path buffer; 0 when it does not fit. */
static int pathf(char *out, size_t outsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
pathf(char *out, size_t outsz, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, outsz, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < outsz;
}

static void
user_name(long idx, char out[16])
{
	snprintf(out, 16, "u%06ld", idx);
}

/* The user's own 20-byte key, derived from its index. */
static void
user_key(long idx, uint8_t key[KEYLEN])
{
	char tmp[KEYLEN + 1];

	snprintf(tmp, sizeof(tmp), "k%08ld-0123456789", idx);
	memcpy(key, tmp, KEYLEN);
}

static int
write_text(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int ok;

	if (fd < 0)
		return 0;
	ok = write(fd, text, len) == (ssize_t)len;
	return close(fd) == 0 && ok;
}

static int writef(const char *path, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
writef(const char *path, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return 0;
	return write_text(path, buf, (size_t)n);
}

/* CPU time of this process, user + system. */
static int64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + (int64_t)ts.tv_nsec;
}

static long
rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void
rm_rf(const char *dir)
{
	pid_t pid;

	if (strncmp(dir, "/tmp/cmfa-bench-pam-", 20) != 0 &&
	    strncmp(dir, "/dev/shm/cmfa-bench-pam-", 24) != 0)
		return;
	if ((pid = fork()) == 0) {
		execl("/bin/rm", "rm", "-rf", "--", dir, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		(void)waitpid(pid, NULL, 0);
}

/* ---------------------------------------------------------------------- */
/* fixtures                                                               */

/*
 * A store written directly, without an fsync per file (as bench_core.c
 * builds its stores): the layout cmfa_store_init() makes, pool.json, and
 * the given users with a record and a TOTP secret each.  Checked with
 * cmfa_store_open() afterwards.
 */
static int
store_skeleton(const char *dir)
{
	static const char *const sub[] = { "users", "totp", "pending", "state",
		"lock" };
	char path[PATH_MAX];
	size_t i;

	if (mkdir(dir, 0700) != 0)
		return 0;
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, sub[i]);
		if (mkdir(path, 0700) != 0)
			return 0;
	}
	snprintf(path, sizeof(path), "%s/format", dir);
	if (!writef(path, "%d\n", CMFA_STORE_FORMAT))
		return 0;
	snprintf(path, sizeof(path), "%s/pool.json", dir);
	return write_text(path, POOL, strlen(POOL));
}

static int
store_add_user(const char *dir, long idx)
{
	char path[PATH_MAX], name[16], b32[CMFA_TOTP_KEY_B32_MAX];
	uint8_t key[KEYLEN];

	user_name(idx, name);
	user_key(idx, key);
	snprintf(path, sizeof(path), "%s/users/%s.json", dir, name);
	if (!writef(path, USER_FMT, name, idx, name))
		return 0;
	if (cmfa_base32_encode(key, KEYLEN, b32, sizeof(b32)) != CMFA_OK)
		return 0;
	snprintf(path, sizeof(path), "%s/totp/%s", dir, name);
	return writef(path, "%s\n", b32);
}

static int
store_check(const char *dir)
{
	struct cmfa_store st;
	enum cmfa_err e;

	st.dirfd = -1;
	e = cmfa_store_open(&st, dir, geteuid());
	cmfa_store_close(&st);
	if (e != CMFA_OK)
		fprintf(stderr, "store %s: %s\n", dir, cmfa_strerror(e));
	return e == CMFA_OK;
}

/* The login users: NUSERS of them, every SPREAD-th index (so that in the
 * large store they are spread over the whole directory). */
static long
login_idx(long i)
{
	return i * SPREAD;
}

static int service(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
service(const char *name, const char *fmt, ...)
{
	char path[PATH_MAX], line[2 * PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", pamdir, name);
	return writef(path, "auth required %s\n", line);
}

/* Where libpam looks for modules: the directory of libpam itself plus
 * /security, else the usual places. */
static void
find_secdir(void)
{
	static const char *const guesses[] = { "/lib/x86_64-linux-gnu/security",
		"/usr/lib/x86_64-linux-gnu/security", "/lib64/security",
		"/usr/lib64/security", "/lib/security", "/usr/lib/security" };
	char path[PATH_MAX], *slash;
	struct stat sb;
	Dl_info info;
	size_t i;

	if (dladdr((void *)pam_start, &info) != 0 && info.dli_fname != NULL &&
	    info.dli_fname[0] == '/') {
		snprintf(path, sizeof(path), "%s", info.dli_fname);
		if ((slash = strrchr(path, '/')) != NULL) {
			*slash = '\0';
			if (pathf(secdir, sizeof(secdir), "%s/security",
			        path) &&
			    stat(secdir, &sb) == 0 && S_ISDIR(sb.st_mode))
				return;
		}
	}
	for (i = 0; i < sizeof(guesses) / sizeof(guesses[0]); i++) {
		if (stat(guesses[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			snprintf(secdir, sizeof(secdir), "%s", guesses[i]);
			return;
		}
	}
	secdir[0] = '\0';
}

/* Hold a module open for the whole run; NULL (with why) if absent. */
static void *
hold_module(const char *path, char *why, size_t whysz)
{
	void *h;

	if (access(path, R_OK) != 0) {
		snprintf(why, whysz, "%s not installed", path);
		return NULL;
	}
	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		const char *e = dlerror();

		snprintf(why, whysz, "cannot load %s: %s", path,
		    e != NULL ? e : "?");
		return NULL;
	}
	return h;
}

/* ---------------------------------------------------------------------- */
/* the conversation: the same for every module                            */

struct answer {
	uint8_t key[KEYLEN];
	int prompts;
};

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *data)
{
	struct answer *a = data;
	struct pam_response *r;
	uint32_t code;
	char text[16];
	int i;

	if (n <= 0 || (r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_CONV_ERR;
	for (i = 0; i < n; i++) {
		int style = msg[i]->msg_style;

		if (style != PAM_PROMPT_ECHO_OFF && style != PAM_PROMPT_ECHO_ON)
			continue;
		a->prompts++;
		if (cmfa_hotp(a->key, KEYLEN,
		        cmfa_totp_step((int64_t)time(NULL)), 6,
		        &code) != CMFA_OK) {
			free(r);
			return PAM_CONV_ERR;
		}
		snprintf(text, sizeof(text), "%06u", code);
		r[i].resp = strdup(text);
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* One login: user idx through service svc.  Returns the PAM code and
 * the time taken. */
static int
login(const char *svc, long idx, int64_t *ns, int64_t *cpu)
{
	struct answer a;
	struct pam_conv c = { conv, &a };
	pam_handle_t *pamh = NULL;
	char name[16];
	int64_t t, u;
	int rc;

	memset(&a, 0, sizeof(a));
	user_name(idx, name);
	user_key(idx, a.key);
	u = cpu_ns();
	t = now_ns();
	rc = pam_start_confdir(svc, name, &c, pamdir, &pamh);
	if (rc == PAM_SUCCESS) {
		rc = pam_authenticate(pamh, PAM_SILENT);
		pam_end(pamh, rc);
	}
	*ns = now_ns() - t;
	*cpu = cpu_ns() - u;
	if (rc == PAM_SUCCESS && a.prompts != 1)
		rc = PAM_SYSTEM_ERR; /* nothing was asked: not a real login */
	return rc;
}

/* The PAM service of configuration c. */
static void
service_of(int c, char out[32])
{
	snprintf(out, 32, "c%d", c);
}

/* ---------------------------------------------------------------------- */
/* set-up of every configuration                                          */

/*
 * The 1-user store gets user idx instead of its present one: two renames
 * out to "parked", two in, untimed, then the directories are synced so
 * that the timed login's own fsync does not also commit these renames.
 */
static int
one_swap(long idx)
{
	static const char *const kind[] = { "users", "totp" };
	char from[PATH_MAX], to[PATH_MAX], name[16];
	int i, fd, ok = 1;

	for (i = 0; i < 2 && ok; i++) {
		const char *ext = i == 0 ? ".json" : "";

		user_name(one_current, name);
		ok = pathf(from, sizeof(from), "%s/one/%s/%s%s", base, kind[i],
		         name, ext) &&
		    pathf(to, sizeof(to), "%s/parked/%s/%s%s", base, kind[i],
		        name, ext) &&
		    rename(from, to) == 0;
		user_name(idx, name);
		ok = ok &&
		    pathf(from, sizeof(from), "%s/parked/%s/%s%s", base,
		        kind[i], name, ext) &&
		    pathf(to, sizeof(to), "%s/one/%s/%s%s", base, kind[i], name,
		        ext) &&
		    rename(from, to) == 0;
		if (ok && pathf(to, sizeof(to), "%s/one/%s", base, kind[i]) &&
		    (fd = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			ok = fsync(fd) == 0;
			close(fd);
		}
	}
	if (ok)
		one_current = idx;
	return ok;
}

static int
setup_ours(const char *conffile)
{
	char dir[PATH_MAX], path[PATH_MAX], svc[32], what[64];
	long i;
	int64_t t;

	/* the main store: the login users (and "warm" for the first,
	 * untimed login) */
	snprintf(dir, sizeof(dir), "%s/store", base);
	if (!store_skeleton(dir) || !store_add_user(dir, WARM))
		return 0;
	for (i = 0; i < NUSERS; i++)
		if (!store_add_user(dir, login_idx(i)))
			return 0;
	if (!store_check(dir) ||
	    !service("c0", "%s store=%s config=%s", module_ours, dir, conffile))
		return 0;

	/* the 1-user store: WARM now; before each timed login, the one
	 * user in it is swapped for the next (one_swap()); the others wait
	 * in "parked", on the same file system */
	snprintf(dir, sizeof(dir), "%s/one", base);
	if (!store_skeleton(dir) || !store_add_user(dir, WARM) ||
	    !store_check(dir))
		return 0;
	snprintf(svc, sizeof(svc), "c%d", C_OURS_ONE);
	if (!service(svc, "%s store=%s config=%s", module_ours, dir, conffile))
		return 0;
	snprintf(dir, sizeof(dir), "%s/parked", base);
	if (mkdir(dir, 0700) != 0 ||
	    !pathf(path, sizeof(path), "%s/users", dir) ||
	    mkdir(path, 0700) != 0 ||
	    !pathf(path, sizeof(path), "%s/totp", dir) ||
	    mkdir(path, 0700) != 0)
		return 0;
	for (i = 0; i < NUSERS; i++)
		if (!store_add_user(dir, login_idx(i)))
			return 0;
	one_current = WARM;

	/* the large store */
	t = now_ns();
	snprintf(dir, sizeof(dir), "%s/many", base);
	if (!store_skeleton(dir) || !store_add_user(dir, WARM))
		return 0;
	for (i = 0; i < NMANY; i++)
		if (!store_add_user(dir, i))
			return 0;
	if (!store_check(dir))
		return 0;
	snprintf(what, sizeof(what), "(building the %d-user store)", NMANY);
	printf("%-38s %10.1f s\n", what, (double)(now_ns() - t) / 1e9);
	snprintf(svc, sizeof(svc), "c%d", C_OURS_MANY);
	return service(svc, "%s store=%s config=%s", module_ours, dir,
	    conffile);
}

static int
ga_file(const char *dir, long idx, bool state)
{
	char path[PATH_MAX], name[16], b32[CMFA_TOTP_KEY_B32_MAX];
	uint8_t key[KEYLEN];

	user_name(idx, name);
	user_key(idx, key);
	if (cmfa_base32_encode(key, KEYLEN, b32, sizeof(b32)) != CMFA_OK)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* GA's WINDOW_SIZE counts codes: 3 is the current step +- 1 */
	if (state)
		return writef(path,
		    "%s\n\" RATE_LIMIT 3 30\n\" WINDOW_SIZE 3\n"
		    "\" DISALLOW_REUSE\n\" TOTP_AUTH\n",
		    b32);
	return writef(path, "%s\n\" WINDOW_SIZE 3\n\" TOTP_AUTH\n", b32);
}

static int
setup_ga(int c, const char *mod, bool state)
{
	char dir[PATH_MAX], svc[32];
	struct passwd *pw = getpwuid(geteuid());
	long i;

	if (pw == NULL)
		return 0;
	snprintf(dir, sizeof(dir), "%s/ga%d", base, c);
	if (mkdir(dir, 0700) != 0 || !ga_file(dir, WARM, state))
		return 0;
	for (i = 0; i < NUSERS; i++)
		if (!ga_file(dir, login_idx(i), state))
			return 0;
	snprintf(svc, sizeof(svc), "c%d", c);
	/* user=: read the secrets as the owner of the files (this process's
	 * user), so no account is needed for the login users */
	return service(svc, "%s secret=%s/${USER} user=%s", mod, dir,
	    pw->pw_name);
}

static int
oath_line(FILE *f, long idx)
{
	char name[16], hex[2 * KEYLEN + 1];
	uint8_t key[KEYLEN];
	int i;

	user_name(idx, name);
	user_key(idx, key);
	for (i = 0; i < KEYLEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	return fprintf(f, "HOTP/T30/6\t%s\t-\t%s\n", name, hex) > 0;
}

static int
setup_oath(int c, const char *mod)
{
	char dir[PATH_MAX], path[PATH_MAX], svc[32];
	FILE *f;
	long i;
	int ok = 1;

	snprintf(dir, sizeof(dir), "%s/oath%d", base, c);
	if (mkdir(dir, 0700) != 0 ||
	    !pathf(path, sizeof(path), "%s/users.oath", dir) ||
	    (f = fopen(path, "we")) == NULL)
		return 0;
	for (i = -1; i < NUSERS && ok; i++)
		ok = oath_line(f, i < 0 ? WARM : login_idx(i));
	if (fclose(f) != 0 || !ok)
		return 0;
	snprintf(svc, sizeof(svc), "c%d", c);
	/* window: steps either side, as ours */
	return service(svc, "%s usersfile=%s window=1", mod, path);
}

/* ---------------------------------------------------------------------- */
/* syslog: the same for every module, and nothing on the real console     */

/*
 * As root: a private mount namespace in which /dev/log and /dev/console
 * are /dev/null, so no line reaches the host's log, its console, or a
 * test's /dev/log listener, and every module's line costs the same
 * refused connect and a write to /dev/null.  NULL if that failed.
 */
static const char *
isolate_logging(void)
{
	struct stat sb;

	if (geteuid() != 0)
		return "not root: log lines go to /dev/log if a daemon "
		       "listens (the console is not writable)";
	if (unshare(CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return NULL;
	if (stat("/dev/console", &sb) == 0 &&
	    mount("/dev/null", "/dev/console", NULL, MS_BIND, NULL) != 0)
		return NULL;
	if (lstat("/dev/log", &sb) == 0 &&
	    mount("/dev/null", "/dev/log", NULL, MS_BIND, NULL) != 0)
		return NULL;
	openlog("bench_pam", LOG_CONS | LOG_ODELAY, LOG_AUTHPRIV);
	return "private mount namespace: /dev/log and /dev/console are "
	       "/dev/null; log opened with LOG_CONS for every module";
}

/* ---------------------------------------------------------------------- */
/* figures                                                                */

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
summarise(struct conf *c)
{
	double sum = 0;
	long i;

	if (c->n == 0)
		return;
	for (i = 0; i < c->n; i++)
		sum += (double)c->ns[i];
	c->mean = sum / (double)c->n;
	qsort(c->ns, (size_t)c->n, sizeof(c->ns[0]), cmp_i64);
	c->median = (double)c->ns[c->n / 2];
	c->p99 = (double)c->ns[(c->n * 99) / 100];
}

static void
ratio(const char *what, int a, int b)
{
	const struct conf *x = &confs[a], *y = &confs[b];

	if (!x->active || !y->active || y->mean <= 0 || y->median <= 0 ||
	    y->cpu_ns <= 0) {
		printf("%-38s skipped\n", what);
		return;
	}
	printf("%-38s %10.2f %10.2f %10s %10.2f\n", what, x->mean / y->mean,
	    x->median / y->median, "",
	    ((double)x->cpu_ns / (double)x->n) /
	        ((double)y->cpu_ns / (double)y->n));
}

/* Modules every phase uses, and why one is missing. */
struct modules {
	char ga[PATH_MAX], oath[PATH_MAX];
	bool have_ga, have_oath;
	char ga_why[256], oath_why[256];
};

/*
 * One phase: every configuration set up under root (a fresh mkdtemp
 * directory), one untimed login each, then the interleaved timed rounds
 * and the figures.  Returns 0, or 1 when one of ours failed.
 */
static int
run_phase(const char *root, const struct modules *m)
{
	char conffile[PATH_MAX], path[PATH_MAX], svc[32];
	long rss0, rss1, r, k, i;
	int c, j, rc, fd, exit_code = 0;
	int64_t ns, cpu, t;

	for (c = 0; c < C_COUNT; c++) {
		struct conf *cf = &confs[c];

		cf->active = true;
		cf->why[0] = '\0';
		cf->fails = cf->n = 0;
		cf->cpu_ns = 0;
		cf->mean = cf->median = cf->p99 = 0;
	}
	if (!m->have_ga) {
		confs[C_GA].active = confs[C_GA_PLAIN].active = false;
		memcpy(confs[C_GA].why, m->ga_why, sizeof(confs[C_GA].why));
		memcpy(confs[C_GA_PLAIN].why, m->ga_why,
		    sizeof(confs[C_GA].why));
	}
	if (!m->have_oath) {
		confs[C_OATH].active = false;
		memcpy(confs[C_OATH].why, m->oath_why,
		    sizeof(confs[C_OATH].why));
	}

	if (!pathf(base, sizeof(base), "%s/cmfa-bench-pam-XXXXXX", root) ||
	    mkdtemp(base) == NULL) {
		fprintf(stderr, "bench_pam: cannot create a directory in %s\n",
		    root);
		return 1;
	}
	snprintf(pamdir, sizeof(pamdir), "%s/pam.d", base);
	snprintf(conffile, sizeof(conffile), "%s/cognito-mfa.conf", base);
	/* an empty "other": libpam reads it at every pam_start, and logs
	 * its absence */
	if (mkdir(pamdir, 0700) != 0 || !write_text(conffile, "", 0) ||
	    !pathf(path, sizeof(path), "%s/other", pamdir) ||
	    !write_text(path, "", 0) || !setup_ours(conffile)) {
		fprintf(stderr, "bench_pam: cannot set up our stores\n");
		rm_rf(base);
		return 1;
	}
	if (confs[C_GA].active &&
	    (!setup_ga(C_GA, m->ga, true) ||
	        !setup_ga(C_GA_PLAIN, m->ga, false))) {
		confs[C_GA].active = confs[C_GA_PLAIN].active = false;
		snprintf(confs[C_GA].why, sizeof(confs[C_GA].why),
		    "cannot write its secret files");
	}
	if (confs[C_OATH].active && !setup_oath(C_OATH, m->oath)) {
		confs[C_OATH].active = false;
		snprintf(confs[C_OATH].why, sizeof(confs[C_OATH].why),
		    "cannot write its usersfile");
	}

	/* every file the set-up wrote goes to disk now, untimed: left
	 * dirty, it would be written back by the first timed fsyncs (a
	 * journal commit writes the data of every newly allocated file) */
	if ((fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		t = now_ns();
		(void)syncfs(fd);
		close(fd);
		printf("%-38s %10.1f s\n", "(syncfs after the set-up)",
		    (double)(now_ns() - t) / 1e9);
	}

	/* the first login of each configuration, untimed: a smoke test */
	for (c = 0; c < C_COUNT; c++) {
		if (!confs[c].active)
			continue;
		service_of(c, svc);
		if ((rc = login(svc, WARM, &ns, &cpu)) != PAM_SUCCESS) {
			confs[c].active = false;
			snprintf(confs[c].why, sizeof(confs[c].why),
			    "its first login failed: %s",
			    pam_strerror(NULL, rc));
			if (c == C_OURS || c == C_OURS_ONE || c == C_OURS_MANY)
				exit_code = 1;
		}
	}

	rss0 = rss_kib();
	for (r = 0; r < NROUNDS; r++) {
		for (j = 0; j < C_COUNT; j++) {
			struct conf *cf;

			c = (int)((j + r) % C_COUNT); /* rotate the order */
			cf = &confs[c];
			if (!cf->active)
				continue;
			for (k = 0; k < NUSERS / NROUNDS; k++) {
				i = r * (NUSERS / NROUNDS) + k;
				service_of(c, svc);
				if (c == C_OURS_ONE &&
				    !one_swap(login_idx(i))) {
					cf->fails++;
					continue;
				}
				rc = login(svc, login_idx(i), &ns, &cpu);
				cf->ns[cf->n++] = ns;
				cf->cpu_ns += cpu;
				if (rc != PAM_SUCCESS && cf->fails++ == 0)
					fprintf(stderr, "%s: login %ld: %s\n",
					    cf->label, i,
					    pam_strerror(NULL, rc));
			}
		}
	}
	rss1 = rss_kib();

	printf("%-38s %10s %10s %10s %10s\n", "", "mean ns", "median ns",
	    "p99 ns", "CPU ns");
	for (c = 0; c < C_COUNT; c++) {
		struct conf *cf = &confs[c];

		if (!cf->active) {
			printf("%-38s SKIPPED: %s\n", cf->label, cf->why);
			continue;
		}
		summarise(cf);
		printf("%-38s %10.0f %10.0f %10.0f %10.0f", cf->label, cf->mean,
		    cf->median, cf->p99, (double)cf->cpu_ns / (double)cf->n);
		if (cf->fails > 0) {
			printf("  (%ld of %ld FAILED)", cf->fails, cf->n);
			if (c == C_OURS || c == C_OURS_ONE || c == C_OURS_MANY)
				exit_code = 1;
		}
		printf("\n");
	}
	ratio("ratio ours / GA", C_OURS, C_GA);
	ratio("ratio ours / oath", C_OURS, C_OATH);
	ratio("ratio ours / GA without state", C_OURS, C_GA_PLAIN);
	ratio("ratio ours, many / 1 cached user", C_OURS_MANY, C_OURS_ONE);
	printf("%-38s %10ld KiB\n", "RSS growth over the timed logins",
	    rss1 - rss0);
	rm_rf(base);
	return exit_code;
}

int
main(int argc, char **argv)
{
	static struct modules m;
	char path[PATH_MAX];
	void *held[3] = { NULL, NULL, NULL };
	const char *build = argc > 1 ? argv[1] : "build";
	const char *logging;
	struct rusage ru;
	struct stat sb;
	int c, i, exit_code;

	setvbuf(stdout, NULL, _IOLBF, 0);
	labels();
	if (realpath(build, path) == NULL) {
		fprintf(stderr, "bench_pam: no build directory %s\n", build);
		return 1;
	}
	if (!pathf(module_ours, sizeof(module_ours), "%s/pam_cognito_mfa.so",
	        path))
		return 1;
	if ((logging = isolate_logging()) == NULL)
		logging = "";
	for (c = 0; c < C_COUNT; c++)
		if ((confs[c].ns = calloc(NUSERS, sizeof(int64_t))) == NULL)
			return 1;
	if ((held[0] = hold_module(module_ours, path, sizeof(path))) == NULL) {
		fprintf(stderr, "bench_pam: %s\n", path);
		return 1;
	}
	find_secdir();
	if (secdir[0] == '\0') {
		snprintf(m.ga_why, sizeof(m.ga_why),
		    "no PAM module directory found");
		snprintf(m.oath_why, sizeof(m.oath_why),
		    "no PAM module directory found");
	} else {
		snprintf(m.ga, sizeof(m.ga), "%s/pam_google_authenticator.so",
		    secdir);
		snprintf(m.oath, sizeof(m.oath), "%s/pam_oath.so", secdir);
		held[1] = hold_module(m.ga, m.ga_why, sizeof(m.ga_why));
		held[2] = hold_module(m.oath, m.oath_why, sizeof(m.oath_why));
	}
	m.have_ga = held[1] != NULL;
	m.have_oath = held[2] != NULL;
	if (m.have_ga && logging[0] == '\0') {
		/* root without a private namespace: GA's openlog(LOG_CONS)
		 * could write each login to the console */
		m.have_ga = false;
		snprintf(m.ga_why, sizeof(m.ga_why),
		    "no private mount namespace: GA could log every login "
		    "to the console");
	}

	printf("logging: %s\n", logging);
	printf("%d logins per configuration (one per user, each with its "
	       "own key), %d interleaved rounds; per login: pam_start + "
	       "pam_authenticate + pam_end, wall clock and CPU (user + "
	       "system)\n",
	    NUSERS, NROUNDS);
	printf("-- on disk (/tmp): every module's fsync is real\n");
	exit_code = run_phase("/tmp", &m);
	/* the same on tmpfs, where fsync costs nothing: what is left is
	 * each module's own work */
	if (stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode)) {
		printf("-- on tmpfs (/dev/shm): fsync is free, the rest "
		       "remains\n");
		exit_code |= run_phase("/dev/shm", &m);
	} else
		printf("-- SKIPPED the tmpfs phase: no /dev/shm\n");

	getrusage(RUSAGE_SELF, &ru);
	printf("%-38s %10ld KiB\n", "peak RSS of this process", ru.ru_maxrss);
	for (i = 0; i < 3; i++)
		if (held[i] != NULL)
			dlclose(held[i]);
	for (c = 0; c < C_COUNT; c++)
		free(confs[c].ns);
	return exit_code;
}
