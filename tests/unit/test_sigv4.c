/*
 * test_sigv4.c: the SigV4 signer against the whole AWS SigV4 test suite
 * (tests/data/sigv4, one PASS line per case), the derived Cognito vector,
 * and the error paths.  Run from the top of the tree.
 */
#include <dirent.h>
#include <strings.h>
#include <sys/stat.h>

#include "cmfa_aws.h"
#include "cmfa_test.h"

#define SUITE_DIR "tests/data/sigv4"
#define VECTOR_FILE SUITE_DIR "/cognito-sigv4-derived-vector.txt"
#define SUITE_CASES 34

#define AK "AKIDEXAMPLE"
#define SK "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define T_SUITE INT64_C(1440938160) /* 2015-08-30T12:36:00Z */
#define REGION "us-east-1"

#define MAX_FILE 65536
#define MAX_REQ_HEADERS 64

/* Record the result of one dynamically named test, as RUN() does. */
#define CASE_RESULT(name)                                                      \
	do {                                                                   \
		if (t_failed_checks > 0) {                                     \
			t_tests_failed++;                                      \
			printf("FAIL: %s/%s\n", t_prog, (name));               \
		} else                                                         \
			printf("PASS: %s/%s\n", t_prog, (name));               \
		fflush(stdout);                                                \
		t_failed_checks = 0;                                           \
	} while (0)

/* A whole file, NUL-terminated; NULL if missing or too big. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	size_t n;

	if (f == NULL)
		return NULL;
	if ((p = malloc(MAX_FILE + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(p, 1, MAX_FILE + 1, f);
	fclose(f);
	if (n > MAX_FILE) {
		free(p);
		return NULL;
	}
	p[n] = '\0';
	if (len != NULL)
		*len = n;
	return p;
}

/* A parsed .req: pointers into its (modified) text. */
struct parsed_req {
	char *text;
	char method[16];
	char *path;
	struct cmfa_sigv4_header h[MAX_REQ_HEADERS];
	char *vals[MAX_REQ_HEADERS]; /* owned, continuation lines unfolded */
	size_t nh;
	const uint8_t *body;
	size_t body_len;
};

static void
parsed_req_free(struct parsed_req *r)
{
	size_t i;

	for (i = 0; i < r->nh; i++)
		free(r->vals[i]);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

/*
 * The suite's format: "METHOD PATH HTTP/1.1" (the path may hold spaces),
 * "Name:value" lines, continuation lines starting with whitespace (joined
 * with one space), a blank line, the body.  LF only, no final newline.
 */
static int
parse_req(const char *file, struct parsed_req *r)
{
	char *p, *end, *line, *nl, *sp1, *sp2;
	size_t len = 0;

	memset(r, 0, sizeof(*r));
	if ((r->text = slurp(file, &len)) == NULL)
		return -1;
	p = r->text;
	end = p + len;
	nl = memchr(p, '\n', (size_t)(end - p));
	line = p;
	if (nl != NULL)
		*nl = '\0';
	p = nl != NULL ? nl + 1 : end;
	if ((sp1 = strchr(line, ' ')) == NULL ||
	    (sp2 = strrchr(line, ' ')) == sp1 ||
	    (size_t)(sp1 - line) >= sizeof(r->method))
		return -1;
	memcpy(r->method, line, (size_t)(sp1 - line));
	*sp2 = '\0';
	r->path = sp1 + 1;

	while (p < end) {
		char *colon;

		line = p;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl != NULL)
			*nl = '\0';
		p = nl != NULL ? nl + 1 : end;
		if (*line == '\0') { /* the blank line: the body follows */
			r->body = (const uint8_t *)p;
			r->body_len = (size_t)(end - p);
			break;
		}
		if (*line == ' ' || *line == '\t') {
			char *prev, *joined;
			size_t a, b;

			if (r->nh == 0)
				return -1;
			while (*line == ' ' || *line == '\t')
				line++;
			prev = r->vals[r->nh - 1];
			a = strlen(prev);
			b = strlen(line);
			if ((joined = malloc(a + b + 2)) == NULL)
				return -1;
			memcpy(joined, prev, a);
			joined[a] = ' ';
			memcpy(joined + a + 1, line, b + 1);
			free(prev);
			r->vals[r->nh - 1] = joined;
			r->h[r->nh - 1].value = joined;
			continue;
		}
		if ((colon = strchr(line, ':')) == NULL ||
		    r->nh == MAX_REQ_HEADERS)
			return -1;
		*colon = '\0';
		if ((r->vals[r->nh] = strdup(colon + 1)) == NULL)
			return -1;
		r->h[r->nh].name = line;
		r->h[r->nh].value = r->vals[r->nh];
		r->nh++;
	}
	return 0;
}

/* Byte-exact comparison of a result buffer with an expected file. */
static void
check_file_eq(const char *casename, const char *what,
    const struct cmfa_buf *got, const char *file)
{
	char *want;
	size_t wlen = 0;

	if ((want = slurp(file, &wlen)) == NULL) {
		CHECK_MSG(0, "%s: cannot read %s", casename, file);
		return;
	}
	CHECK_MSG(got->len == wlen && memcmp(got->p, want, wlen) == 0,
	    "%s: %s differs:\n--- got ---\n%s\n--- want ---\n%s", casename,
	    what, cmfa_buf_str(got), want);
	free(want);
}

/* The value of "x-amz-security-token:" in a .creq, or NULL (owned). */
static char *
creq_token(const char *creq_file)
{
	static const char key[] = "\nx-amz-security-token:";
	char *text, *p, *e, *tok = NULL;

	if ((text = slurp(creq_file, NULL)) == NULL)
		return NULL;
	if ((p = strstr(text, key)) != NULL) {
		p += sizeof(key) - 1;
		e = strchr(p, '\n');
		tok = strndup(p, e != NULL ? (size_t)(e - p) : strlen(p));
	}
	free(text);
	return tok;
}

static bool
req_has_header(const struct parsed_req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nh; i++)
		if (strcasecmp(r->h[i].name, name) == 0)
			return true;
	return false;
}

/* Sign one case directory dir (named base) and compare. */
static void
run_case(const char *dir, const char *base, const char *casename)
{
	char f[4096];
	struct parsed_req r;
	struct cmfa_sigv4_result res;
	struct cmfa_sigv4_request req;
	struct cmfa_aws_creds creds = { AK, SK, NULL };
	char *token;
	enum cmfa_err err;

	snprintf(f, sizeof(f), "%s/%s.req", dir, base);
	if (parse_req(f, &r) != 0) {
		CHECK_MSG(0, "%s: cannot parse %s", casename, f);
		parsed_req_free(&r);
		return;
	}
	snprintf(f, sizeof(f), "%s/%s.creq", dir, base);
	/* COGNITO.md 2.4: the token lives in the .creq, not always the .req */
	token = creq_token(f);
	if (token != NULL && !req_has_header(&r, "X-Amz-Security-Token"))
		creds.session_token = token;

	req.method = r.method;
	req.path = r.path;
	req.headers = r.h;
	req.nheaders = r.nh;
	req.body = r.body;
	req.body_len = r.body_len;
	memset(&res, 0, sizeof(res));
	err = cmfa_sigv4_sign(&req, &creds, REGION, "service", T_SUITE,
	    CMFA_SIGV4_DEFAULT, &res);
	CHECK_MSG(err == CMFA_OK, "%s: sign: %s", casename, cmfa_strerror(err));
	if (err == CMFA_OK) {
		CHECK_STR_EQ(res.amz_date, "20150830T123600Z");
		check_file_eq(casename, "canonical request",
		    &res.canonical_request, f);
		snprintf(f, sizeof(f), "%s/%s.sts", dir, base);
		check_file_eq(casename, "string to sign", &res.string_to_sign,
		    f);
		snprintf(f, sizeof(f), "%s/%s.authz", dir, base);
		check_file_eq(casename, "authorization", &res.authorization, f);
	}
	cmfa_sigv4_result_free(&res);
	free(token);
	parsed_req_free(&r);
}

/* Walk dir: a directory holding <name>/<name>.req is a case. */
static void
walk(const char *dir, const char *rel, int *ncases)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i, j;

	if ((d = opendir(dir)) == NULL) {
		CHECK_MSG(0, "cannot open %s", dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char **nn;

		if (e->d_name[0] == '.')
			continue;
		if ((nn = realloc(names, (n + 1) * sizeof(*names))) == NULL)
			break;
		names = nn;
		if ((names[n] = strdup(e->d_name)) == NULL)
			break;
		n++;
	}
	closedir(d);
	/* sorted, so the PASS lines come in a stable order */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *x = names[j];

			names[j] = names[j - 1];
			names[j - 1] = x;
		}
	for (i = 0; i < n; i++) {
		char sub[2048], subrel[2048], reqf[4096];
		struct stat st;

		snprintf(sub, sizeof(sub), "%s/%s", dir, names[i]);
		if (stat(sub, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		snprintf(subrel, sizeof(subrel), "%s%s%s", rel,
		    rel[0] != '\0' ? "/" : "", names[i]);
		snprintf(reqf, sizeof(reqf), "%s/%s.req", sub, names[i]);
		if (stat(reqf, &st) == 0) {
			char label[2100];

			snprintf(label, sizeof(label), "suite/%s", subrel);
			t_failed_checks = 0;
			run_case(sub, names[i], subrel);
			CASE_RESULT(label);
			(*ncases)++;
		} else
			walk(sub, subrel, ncases);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int suite_ncases;

/* Every case of the suite was found (and got its own line above). */
static void
test_suite_case_count(void)
{
	CHECK_INT_EQ(suite_ncases, SUITE_CASES);
}

/*
 * post-sts-header-after: the token (from readme.txt) is added after
 * signing, so without CMFA_SIGV4_SIGN_TOKEN the signature must be the
 * suite's.
 */
static void
test_sts_header_after_unsigned_token(void)
{
	static const char dir[] = SUITE_DIR "/post-sts-token/post-sts-header-"
	                                    "after/post-sts-header-after";
	static const char readme_tok[] = "AQoDYXdzEPT//////////"
	                                 "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8"
	                                 "j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfI"
	                                 "eoIYRqTflfKD8YUuwthAx7mSEI/"
	                                 "qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wU"
	                                 "E8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VS"
	                                 "XDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9"
	                                 "q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbq"
	                                 "BAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KS"
	                                 "YvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
	struct cmfa_aws_creds creds = { AK, SK, readme_tok };
	struct cmfa_sigv4_result res;
	struct cmfa_sigv4_request req;
	struct parsed_req r;
	char f[512];

	snprintf(f, sizeof(f), "%s.req", dir);
	CHECK(parse_req(f, &r) == 0);
	req.method = r.method;
	req.path = r.path;
	req.headers = r.h;
	req.nheaders = r.nh;
	req.body = r.body;
	req.body_len = r.body_len;
	memset(&res, 0, sizeof(res));
	CHECK_INT_EQ(cmfa_sigv4_sign(&req, &creds, REGION, "service", T_SUITE,
	                 CMFA_SIGV4_NORMALIZE_PATH, &res),
	    CMFA_OK);
	snprintf(f, sizeof(f), "%s.authz", dir);
	check_file_eq("post-sts-header-after", "authorization",
	    &res.authorization, f);
	CHECK(strstr(cmfa_buf_str(&res.canonical_request), readme_tok) == NULL);
	cmfa_sigv4_result_free(&res);
	parsed_req_free(&r);
}

/* The value after "prefix" on the first line that has it in the file. */
static char *
vector_value(const char *text, const char *prefix, int nth)
{
	const char *p = text, *e;

	for (;;) {
		if ((p = strstr(p, prefix)) == NULL)
			return NULL;
		if (nth-- == 0)
			break;
		p += strlen(prefix);
	}
	p += strlen(prefix);
	e = strchr(p, '\n');
	return strndup(p, e != NULL ? (size_t)(e - p) : strlen(p));
}

static const char cognito_body[] = "{\"UserPoolId\": \"us-east-1_EXAMPLE\"}";

static enum cmfa_err
sign_cognito(const char *token, struct cmfa_sigv4_result *res)
{
	static const struct cmfa_sigv4_header h[] = {
		{ "Content-Type", "application/x-amz-json-1.1" },
		{ "X-Amz-Target",
		    "AWSCognitoIdentityProviderService.GetUserPoolMfaConfig" },
		{ "Host", "cognito-idp.us-east-1.amazonaws.com" },
		/* unsigned, as botocore leaves them */
		{ "User-Agent", "cognito-mfa/0.1" },
		{ "Expect", "" },
	};
	struct cmfa_sigv4_request req = { "POST", "/", h, CMFA_ARRAY_LEN(h),
		(const uint8_t *)cognito_body, sizeof(cognito_body) - 1 };
	struct cmfa_aws_creds creds = { AK, SK, token };

	memset(res, 0, sizeof(*res));
	return cmfa_sigv4_sign(&req, &creds, REGION, "cognito-idp", T_SUITE,
	    CMFA_SIGV4_DEFAULT, res);
}

static void
test_cognito_vector(void)
{
	static const char token[] = "AQoDYXdzEPT//////////wEXAMPLEtoken";
	struct cmfa_sigv4_result res;
	char *text, *want, hex[65];
	uint8_t key[32];
	size_t i;
	int pass;

	text = slurp(VECTOR_FILE, NULL);
	CHECK(text != NULL);
	if (text == NULL)
		return;
	CHECK(strstr(text, cognito_body) != NULL);
	CHECK(strstr(text, token) != NULL);
	for (pass = 0; pass < 2; pass++) {
		const char *sections = strstr(text,
		    pass == 0 ? "=== session token: None"
		              : "=== session token: "
		                "AQoD");
		size_t clen;
		char *creq;
		const char *a, *b;

		CHECK(sections != NULL);
		if (sections == NULL)
			break;
		CHECK_INT_EQ(sign_cognito(pass == 0 ? NULL : token, &res),
		    CMFA_OK);
		/* the canonical request as printed in the vector file */
		a = strstr(sections, "--- canonical request ---\n");
		b = a != NULL ? strstr(a, "\n--- string to sign ---") : NULL;
		CHECK(a != NULL && b != NULL);
		if (a != NULL && b != NULL) {
			a += strlen("--- canonical request ---\n");
			clen = (size_t)(b - a);
			creq = strndup(a, clen);
			CHECK_STR_EQ(cmfa_buf_str(&res.canonical_request),
			    creq);
			free(creq);
		}
		a = strstr(sections, "--- string to sign ---\n");
		b = a != NULL ? strstr(a, "\n--- Authorization ---") : NULL;
		CHECK(a != NULL && b != NULL);
		if (a != NULL && b != NULL) {
			a += strlen("--- string to sign ---\n");
			creq = strndup(a, (size_t)(b - a));
			CHECK_STR_EQ(cmfa_buf_str(&res.string_to_sign), creq);
			free(creq);
		}
		want = vector_value(sections, "--- Authorization ---\n", 0);
		CHECK_STR_EQ(cmfa_buf_str(&res.authorization), want);
		free(want);
		cmfa_sigv4_result_free(&res);
	}
	free(text);

	/* the values of COGNITO.md 2.6, spelled out */
	CHECK_INT_EQ(sign_cognito(NULL, &res), CMFA_OK);
	CHECK(strstr(cmfa_buf_str(&res.canonical_request),
	          "\n448c2325db853eff8a399b8bcefcce03869ecc0d9ee86737a24251b988"
	          "4a48"
	          "89") != NULL);
	CHECK_STR_EQ(cmfa_buf_str(&res.authorization),
	    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
	    "cognito-idp/aws4_request, SignedHeaders=content-type;host;"
	    "x-amz-date;x-amz-target, Signature=ebc6ab2a4793c8050052a0fc92722b"
	    "f6c79471509fa7d33b6f4c46aee16ba601");
	CHECK_STR_EQ(res.amz_date, "20150830T123600Z");
	cmfa_sigv4_result_free(&res);
	CHECK_INT_EQ(sign_cognito(token, &res), CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&res.authorization),
	    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
	    "cognito-idp/aws4_request, SignedHeaders=content-type;host;"
	    "x-amz-date;x-amz-security-token;x-amz-target, Signature=5c31155e"
	    "982fcd9e9c566c8c514351f0b2f712d5129b1bba8550a1346df6f297");
	cmfa_sigv4_result_free(&res);

	CHECK_INT_EQ(cmfa_sigv4_signing_key(SK, "20150830", REGION,
	                 "cognito-idp", key),
	    CMFA_OK);
	for (i = 0; i < sizeof(key); i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	CHECK_STR_EQ(hex,
	    "6a85027e0522d130dd768edd17656424fc188f85cf165c78b6637d3d410df66c");
	cmfa_memzero(key, sizeof(key));
}

/* X-Amz-Date formatting across the range, and a mismatching header. */
static void
test_dates(void)
{
	static const struct {
		int64_t t;
		const char *s;
	} v[] = {
		{ 0, "19700101T000000Z" },
		{ 951782400, "20000229T000000Z" },
		{ 1440938160, "20150830T123600Z" },
		{ 4107542399, "21000228T235959Z" }, /* 2100: no leap day */
		{ 4107542400, "21000301T000000Z" },
		{ INT64_C(253402300799), "99991231T235959Z" },
	};
	struct cmfa_sigv4_header h[] = { { "Host", "example.amazonaws.com" },
		{ "X-Amz-Date", "20150830T123600Z" } };
	struct cmfa_sigv4_request req = { "GET", "/", h, 1, NULL, 0 };
	struct cmfa_aws_creds creds = { AK, SK, NULL };
	struct cmfa_sigv4_result res;
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(v); i++) {
		memset(&res, 0, sizeof(res));
		CHECK_INT_EQ(cmfa_sigv4_sign(&req, &creds, REGION, "service",
		                 v[i].t, 0, &res),
		    CMFA_OK);
		CHECK_STR_EQ(res.amz_date, v[i].s);
		cmfa_sigv4_result_free(&res);
	}
	memset(&res, 0x5a, sizeof(res));
	CHECK_INT_EQ(cmfa_sigv4_sign(&req, &creds, REGION, "service", -1, 0,
	                 &res),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_sigv4_sign(&req, &creds, REGION, "service",
	                 INT64_C(253402300800), 0, &res),
	    CMFA_ERR_INVAL);
	/* a sent X-Amz-Date must be the signing time */
	req.nheaders = 2;
	CHECK_INT_EQ(cmfa_sigv4_sign(&req, &creds, REGION, "service",
	                 T_SUITE + 1, 0, &res),
	    CMFA_ERR_INVAL);
	CHECK(res.amz_date[0] == 0x5a); /* untouched on error */
}

/* Query and path corner cases beyond the suite. */
static void
test_canonical_extras(void)
{
	struct cmfa_sigv4_header h[] = { { "Host", "h" },
		{ "X-Multi", "  a \t b  " }, { "x-multi", "" },
		{ "Connection", "close" }, { "Authorization", "old" } };
	struct cmfa_sigv4_request req = { "GET",
		"/a b/%2F/./x/../c/?b&a=%zz&"
		"&a=+&c=%41%e1%88%b4",
		h, CMFA_ARRAY_LEN(h), NULL, 0 };
	struct cmfa_aws_creds creds = { AK, SK, NULL };
	struct cmfa_sigv4_result res;
	const char *cr;

	memset(&res, 0, sizeof(res));
	CHECK_INT_EQ(cmfa_sigv4_sign(&req, &creds, REGION, "service", T_SUITE,
	                 CMFA_SIGV4_DEFAULT, &res),
	    CMFA_OK);
	cr = cmfa_buf_str(&res.canonical_request);
	CHECK_STR_EQ(cr,
	    "GET\n/a%20b/%252F/c/\na=%25zz&a=%2B&b=&c=A%E1%88%B4\n"
	    "host:h\nx-amz-date:20150830T123600Z\nx-multi:a b,\n\n"
	    "host;x-amz-date;x-multi\n"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	cmfa_sigv4_result_free(&res);

	/* without normalisation the dots and slashes stay */
	req.path = "//a/./b/../";
	memset(&res, 0, sizeof(res));
	CHECK_INT_EQ(cmfa_sigv4_sign(&req, &creds, REGION, "service", T_SUITE,
	                 0, &res),
	    CMFA_OK);
	CHECK(strncmp(cmfa_buf_str(&res.canonical_request),
	          "GET\n//a/./b/../\n\n", 17) == 0);
	cmfa_sigv4_result_free(&res);
	req.path = "/../..";
	memset(&res, 0, sizeof(res));
	CHECK_INT_EQ(cmfa_sigv4_sign(&req, &creds, REGION, "service", T_SUITE,
	                 CMFA_SIGV4_DEFAULT, &res),
	    CMFA_OK);
	CHECK(strncmp(cmfa_buf_str(&res.canonical_request), "GET\n/\n\n", 7) ==
	    0);
	cmfa_sigv4_result_free(&res);
}

static enum cmfa_err
sign_simple(const struct cmfa_sigv4_request *req,
    const struct cmfa_aws_creds *creds, const char *region, const char *service,
    unsigned flags)
{
	struct cmfa_sigv4_result res;
	enum cmfa_err err;

	memset(&res, 0, sizeof(res));
	err =
	    cmfa_sigv4_sign(req, creds, region, service, T_SUITE, flags, &res);
	cmfa_sigv4_result_free(&res);
	return err;
}

static void
test_errors(void)
{
	struct cmfa_sigv4_header h[CMFA_SIGV4_MAX_HEADERS + 1];
	struct cmfa_sigv4_header host[] = { { "Host", "h" } };
	struct cmfa_sigv4_request req = { "GET", "/", host, 1, NULL, 0 };
	struct cmfa_aws_creds ok = { AK, SK, NULL };
	struct cmfa_aws_creds c;
	struct cmfa_sigv4_result res;
	char *big;
	size_t i;
	enum cmfa_err e;

	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "service", 0), CMFA_OK);
	/* missing pieces */
	CHECK_INT_EQ(sign_simple(NULL, &ok, REGION, "s", 0), CMFA_ERR_INVAL);
	CHECK_INT_EQ(sign_simple(&req, NULL, REGION, "s", 0), CMFA_ERR_INVAL);
	CHECK_INT_EQ(sign_simple(&req, &ok, NULL, "s", 0), CMFA_ERR_INVAL);
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, NULL, 0), CMFA_ERR_INVAL);
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "", 0), CMFA_ERR_INVAL);
	CHECK_INT_EQ(cmfa_sigv4_sign(&req, &ok, REGION, "s", T_SUITE, 0, NULL),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0x100),
	    CMFA_ERR_INVAL);
	c = ok;
	c.access_key_id = NULL;
	CHECK_INT_EQ(sign_simple(&req, &c, REGION, "s", 0), CMFA_ERR_INVAL);
	c.access_key_id = "";
	CHECK_INT_EQ(sign_simple(&req, &c, REGION, "s", 0), CMFA_ERR_INVAL);
	c.access_key_id = "AKID, SignedHeaders=x";
	CHECK_INT_EQ(sign_simple(&req, &c, REGION, "s", 0), CMFA_ERR_INVAL);
	c = ok;
	c.secret_access_key = NULL;
	CHECK_INT_EQ(sign_simple(&req, &c, REGION, "s", 0), CMFA_ERR_INVAL);
	c.secret_access_key = "";
	CHECK_INT_EQ(sign_simple(&req, &c, REGION, "s", 0), CMFA_ERR_INVAL);
	c.secret_access_key = "with space";
	CHECK_INT_EQ(sign_simple(&req, &c, REGION, "s", 0), CMFA_ERR_INVAL);
	c = ok;
	c.session_token = "bad\ntoken";
	CHECK_INT_EQ(sign_simple(&req, &c, REGION, "s", CMFA_SIGV4_DEFAULT),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(sign_simple(&req, &ok, "US-EAST-1", "s", 0),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(sign_simple(&req, &ok, "us/east", "s", 0), CMFA_ERR_INVAL);

	/* malformed requests */
	req.method = "GE T";
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_INVAL);
	req.method = "";
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_INVAL);
	req.method = "GET";
	req.path = "noslash";
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_INVAL);
	req.path = "/a\r\nX: y";
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_INVAL);
	req.path = "/";
	req.body_len = 3; /* body NULL */
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_INVAL);
	req.body_len = 0;
	req.nheaders = 0; /* no Host */
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_INVAL);
	req.headers = NULL;
	req.nheaders = 1;
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_INVAL);
	h[0] = host[0];
	h[1].name = "X-Bad";
	h[1].value = "a\r\nInjected: 1";
	req.headers = h;
	req.nheaders = 2;
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_INVAL);
	h[1].name = "Bad Name";
	h[1].value = "v";
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_INVAL);
	h[1].name = "";
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_INVAL);
	h[1].name = "X-Amz-Date";
	h[1].value = NULL;
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_INVAL);
	/* the signer owns the token header when it signs the token */
	h[1].name = "X-Amz-Security-Token";
	h[1].value = "tok";
	c = ok;
	c.session_token = "tok";
	CHECK_INT_EQ(sign_simple(&req, &c, REGION, "s", CMFA_SIGV4_DEFAULT),
	    CMFA_ERR_INVAL);
	CHECK_INT_EQ(sign_simple(&req, &c, REGION, "s", 0), CMFA_OK);

	/* oversize */
	for (i = 0; i < CMFA_ARRAY_LEN(h); i++) {
		h[i].name = "X-H";
		h[i].value = "v";
	}
	h[0] = host[0];
	req.nheaders = CMFA_SIGV4_MAX_HEADERS;
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_OK);
	req.nheaders = CMFA_SIGV4_MAX_HEADERS + 1;
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_TOOBIG);
	big = malloc(CMFA_SIGV4_MAX_OUTPUT + 2);
	CHECK(big != NULL);
	if (big == NULL)
		return;
	memset(big, 'a', CMFA_SIGV4_MAX_OUTPUT + 1);
	big[CMFA_SIGV4_MAX_OUTPUT + 1] = '\0';
	req.nheaders = 2;
	h[1].value = big + CMFA_SIGV4_MAX_OUTPUT + 1 -
	    CMFA_SIGV4_MAX_HEADER_BYTES; /* with the names: just over */
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_TOOBIG);
	h[1].value =
	    big + CMFA_SIGV4_MAX_OUTPUT + 1 - (CMFA_SIGV4_MAX_HEADER_BYTES - 8);
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_OK);
	h[1].value = big; /* one header value beyond every cap */
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_TOOBIG);
	req.nheaders = 1;
	big[0] = '/';
	req.path = big;
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_TOOBIG);
	big[CMFA_SIGV4_MAX_PATH] = '\0';
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_OK);
	/* a query at the path cap that grows threefold still fits */
	memset(big + 1, '%', CMFA_SIGV4_MAX_PATH - 1);
	big[1] = '?';
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_OK);
	for (i = 2; i < CMFA_SIGV4_MAX_PATH; i++)
		big[i] = i % 2 == 0 ? 'a' : '&';
	CHECK_INT_EQ(sign_simple(&req, &ok, REGION, "s", 0), CMFA_ERR_TOOBIG);
	req.path = "/";
	memset(big, 'A', CMFA_SIGV4_MAX_OUTPUT + 1);
	c = ok;
	c.access_key_id = big;
	CHECK_INT_EQ(sign_simple(&req, &c, REGION, "s", 0), CMFA_ERR_TOOBIG);
	c = ok;
	c.secret_access_key = big;
	CHECK_INT_EQ(sign_simple(&req, &c, REGION, "s", 0), CMFA_ERR_TOOBIG);
	c = ok;
	c.session_token = big;
	CHECK_INT_EQ(sign_simple(&req, &c, REGION, "s", CMFA_SIGV4_DEFAULT),
	    CMFA_ERR_TOOBIG);
	CHECK_INT_EQ(sign_simple(&req, &ok, big, "s", 0), CMFA_ERR_TOOBIG);
	free(big);

	/* error texts never carry input, let alone secrets */
	for (e = CMFA_OK; e < CMFA_ERR__MAX; e++) {
		const char *s = cmfa_strerror(e);

		CHECK(strstr(s, SK) == NULL && strstr(s, "wJalr") == NULL &&
		    strstr(s, AK) == NULL);
	}
	memset(&res, 0, sizeof(res));
	cmfa_sigv4_result_free(&res);
	cmfa_sigv4_result_free(NULL);
	{
		uint8_t key[32];

		CHECK_INT_EQ(cmfa_sigv4_signing_key(SK, "2015083", REGION, "s",
		                 key),
		    CMFA_ERR_INVAL);
		CHECK_INT_EQ(cmfa_sigv4_signing_key(SK, "2015083x", REGION, "s",
		                 key),
		    CMFA_ERR_INVAL);
		CHECK_INT_EQ(cmfa_sigv4_signing_key(NULL, "20150830", REGION,
		                 "s", key),
		    CMFA_ERR_INVAL);
	}
}

TEST_MAIN_BEGIN("test_sigv4")
	walk(SUITE_DIR, "", &suite_ncases);
	RUN(test_suite_case_count);
	RUN(test_sts_header_after_unsigned_token);
	RUN(test_cognito_vector);
	RUN(test_dates);
	RUN(test_canonical_extras);
	RUN(test_errors);
TEST_MAIN_END
