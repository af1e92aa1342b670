/*
 * sigv4.c: AWS Signature Version 4 (header auth), as botocore signs.
 *
 * Pure: libcrypto and libc, no clock, no globals.  The rules are those
 * of the AWS test suite (reference COGNITO.md 2.4-2.5): lowercase,
 * sorted header names; trimmed values with runs of blanks collapsed;
 * repeated headers joined with ','; a normalised, RFC 3986 encoded path;
 * query pairs encoded and sorted by key then value.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "cmfa_aws.h"

#define SHA256_LEN 32
#define MAX_QUERY_PARAMS 256
/* Headers the signer adds: X-Amz-Date and X-Amz-Security-Token. */
#define MAX_ENTRIES (CMFA_SIGV4_MAX_HEADERS + 2)

/* A header or a query pair: offsets into a scratch buffer. */
struct span {
	size_t a_off, a_len; /* name, or key */
	size_t b_off, b_len; /* value */
};

/* Hop-by-hop and proxy headers botocore leaves unsigned. */
static const char *const unsigned_headers[] = {
	"authorization",
	"connection",
	"expect",
	"keep-alive",
	"proxy-authenticate",
	"proxy-authorization",
	"te",
	"trailer",
	"transfer-encoding",
	"upgrade",
	"user-agent",
	"x-amzn-trace-id",
};

static bool
is_unreserved(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~';
}

/* RFC 7230 tchar: what a header name or a method may contain. */
static bool
is_tchar(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
hex_encode(const uint8_t *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/*
 * A bounded string: *len gets strnlen(s, max + 1).  CMFA_ERR_INVAL for
 * NULL (or empty unless allow_empty), CMFA_ERR_TOOBIG above max.
 */
static enum cmfa_err
check_str(const char *s, size_t max, bool allow_empty, size_t *len)
{
	size_t n;

	if (s == NULL)
		return CMFA_ERR_INVAL;
	n = strnlen(s, max + 1);
	if (n > max)
		return CMFA_ERR_TOOBIG;
	if (n == 0 && !allow_empty)
		return CMFA_ERR_INVAL;
	*len = n;
	return CMFA_OK;
}

/* Printable ASCII without space: what may go into a header unquoted. */
static bool
all_graph(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((uint8_t)s[i] <= 0x20 || (uint8_t)s[i] >= 0x7f)
			return false;
	return true;
}

/* Region and service names: [a-z0-9-]. */
static enum cmfa_err
check_scope_part(const char *s)
{
	enum cmfa_err err;
	size_t i, n = 0;

	if ((err = check_str(s, CMFA_SIGV4_MAX_SCOPE_PART, false, &n)) !=
	    CMFA_OK)
		return err;
	for (i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		        c == '-'))
			return CMFA_ERR_INVAL;
	}
	return CMFA_OK;
}

static enum cmfa_err
check_creds(const struct cmfa_aws_creds *creds, unsigned flags)
{
	enum cmfa_err err;
	size_t i, n = 0;

	if (creds == NULL)
		return CMFA_ERR_INVAL;
	if ((err = check_str(creds->access_key_id, CMFA_SIGV4_MAX_KEY_ID, false,
	         &n)) != CMFA_OK)
		return err;
	for (i = 0; i < n; i++) {
		uint8_t c = (uint8_t)creds->access_key_id[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9')))
			return CMFA_ERR_INVAL;
	}
	if ((err = check_str(creds->secret_access_key, CMFA_SIGV4_MAX_SECRET,
	         false, &n)) != CMFA_OK)
		return err;
	if (!all_graph(creds->secret_access_key, n))
		return CMFA_ERR_INVAL;
	if (creds->session_token != NULL && (flags & CMFA_SIGV4_SIGN_TOKEN)) {
		if ((err = check_str(creds->session_token, CMFA_SIGV4_MAX_TOKEN,
		         false, &n)) != CMFA_OK)
			return err;
		if (!all_graph(creds->session_token, n))
			return CMFA_ERR_INVAL;
	}
	return CMFA_OK;
}

/*
 * Days since 1970-01-01 to a civil date (H. Hinnant's algorithm): no
 * libc time zone machinery, no clock.
 */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

/* 0 .. 9999-12-31T23:59:59Z */
#define MAX_TIME INT64_C(253402300799)

static enum cmfa_err
format_amz_date(int64_t t, char out[CMFA_SIGV4_DATE_LEN])
{
	int64_t y, secs;
	unsigned m, d, hh, mm, ss;
	char tmp[CMFA_SIGV4_DATE_LEN];
	size_t i;

	if (t < 0 || t > MAX_TIME)
		return CMFA_ERR_INVAL;
	civil_from_days(t / 86400, &y, &m, &d);
	secs = t % 86400;
	hh = (unsigned)(secs / 3600);
	mm = (unsigned)(secs % 3600 / 60);
	ss = (unsigned)(secs % 60);
	/* digits by hand: no snprintf truncation warnings, no locale */
	{
		unsigned v[] = { (unsigned)y, m, d, hh, mm, ss };
		unsigned w[] = { 4, 2, 2, 2, 2, 2 };
		size_t k, pos = 0;

		for (k = 0; k < CMFA_ARRAY_LEN(v); k++) {
			unsigned x = v[k];

			for (i = w[k]; i > 0; i--) {
				tmp[pos + i - 1] = (char)('0' + x % 10);
				x /= 10;
			}
			pos += w[k];
			if (k == 2)
				tmp[pos++] = 'T';
		}
		tmp[pos++] = 'Z';
		tmp[pos] = '\0';
	}
	memcpy(out, tmp, sizeof(tmp));
	return CMFA_OK;
}

/*
 * Append p[0..n) RFC 3986 encoded (uppercase hex).  keep_slash: '/' is
 * kept (paths).  decode: "%XY" is decoded first (query parts; a '%' not
 * followed by two hex digits is a literal '%').
 */
static enum cmfa_err
append_encoded(struct cmfa_buf *b, const char *p, size_t n, bool keep_slash,
    bool decode)
{
	static const char hx[] = "0123456789ABCDEF";
	enum cmfa_err err = CMFA_OK;
	size_t i;

	for (i = 0; i < n && err == CMFA_OK; i++) {
		uint8_t c = (uint8_t)p[i];
		char e[3];

		if (decode && c == '%' && i + 2 < n &&
		    hexval((uint8_t)p[i + 1]) >= 0 &&
		    hexval((uint8_t)p[i + 2]) >= 0) {
			c = (uint8_t)(hexval((uint8_t)p[i + 1]) << 4 |
			    hexval((uint8_t)p[i + 2]));
			i += 2;
		}
		if (is_unreserved(c) || (keep_slash && c == '/')) {
			e[0] = (char)c;
			err = cmfa_buf_append(b, e, 1);
		} else {
			e[0] = '%';
			e[1] = hx[c >> 4];
			e[2] = hx[c & 0xf];
			err = cmfa_buf_append(b, e, 3);
		}
	}
	return err;
}

/*
 * The canonical URI of p[0..n) (the path without its query).  With
 * normalize, empty and "." segments are dropped and ".." removes the
 * previous one; a trailing '/' is kept when anything is left (botocore's
 * remove_dot_segments).
 */
static enum cmfa_err
append_canonical_uri(struct cmfa_buf *cr, const char *p, size_t n,
    bool normalize)
{
	struct cmfa_buf norm;
	enum cmfa_err err = CMFA_OK;
	size_t i, start;

	if (n == 0)
		return cmfa_buf_append(cr, "/", 1);
	if (!normalize)
		return append_encoded(cr, p, n, true, false);

	cmfa_buf_init(&norm, n + 1);
	for (start = 1, i = 1; i <= n && err == CMFA_OK; i++) {
		size_t len;

		if (i < n && p[i] != '/')
			continue;
		len = i - start;
		if (len == 0 || (len == 1 && p[start] == '.')) {
			/* nothing */
		} else if (len == 2 && p[start] == '.' && p[start + 1] == '.') {
			while (norm.len > 0 && norm.p[norm.len - 1] != '/')
				norm.len--;
			if (norm.len > 0)
				norm.len--;
		} else if ((err = cmfa_buf_append(&norm, "/", 1)) == CMFA_OK)
			err = cmfa_buf_append(&norm, p + start, len);
		start = i + 1;
	}
	if (err != CMFA_OK)
		goto out;
	if (norm.len == 0)
		err = cmfa_buf_append(&norm, "/", 1);
	else if (p[n - 1] == '/')
		err = cmfa_buf_append(&norm, "/", 1);
	if (err == CMFA_OK)
		err = append_encoded(cr, (const char *)norm.p, norm.len, true,
		    false);
out:
	cmfa_buf_free(&norm);
	return err;
}

static int
span_cmp(const uint8_t *base, size_t ao, size_t al, size_t bo, size_t bl)
{
	size_t n = al < bl ? al : bl;
	int c = n > 0 ? memcmp(base + ao, base + bo, n) : 0;

	if (c != 0)
		return c;
	return al < bl ? -1 : al > bl ? 1 : 0;
}

/* Stable insertion sort by a, then (by_value) b; n is small (capped). */
static void
sort_spans(struct span *s, size_t n, const uint8_t *base, bool by_value)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct span x = s[i];

		for (j = i; j > 0; j--) {
			int c = span_cmp(base, s[j - 1].a_off, s[j - 1].a_len,
			    x.a_off, x.a_len);

			if (c == 0 && by_value)
				c = span_cmp(base, s[j - 1].b_off,
				    s[j - 1].b_len, x.b_off, x.b_len);
			if (c <= 0)
				break;
			s[j] = s[j - 1];
		}
		s[j] = x;
	}
}

/* sc may still be unallocated when every span is empty. */
static enum cmfa_err
append_span(struct cmfa_buf *b, const struct cmfa_buf *sc, size_t off,
    size_t len)
{
	if (len == 0)
		return CMFA_OK;
	return cmfa_buf_append(b, sc->p + off, len);
}

/* The canonical query string of q[0..n) (without the '?'). */
static enum cmfa_err
append_canonical_query(struct cmfa_buf *cr, const char *q, size_t n)
{
	struct span *ps = NULL;
	struct cmfa_buf sc;
	enum cmfa_err err = CMFA_OK;
	size_t i, start, np = 0;

	/* every pair grows at most threefold (plus '=' for key-only) */
	cmfa_buf_init(&sc, 3 * n + 1);
	if (n == 0)
		goto out;
	if ((ps = calloc(MAX_QUERY_PARAMS, sizeof(*ps))) == NULL) {
		err = CMFA_ERR_NOMEM;
		goto out;
	}
	for (start = 0, i = 0; i <= n; i++) {
		const char *pair, *eq;
		size_t len, klen;

		if (i < n && q[i] != '&')
			continue;
		pair = q + start;
		len = i - start;
		start = i + 1;
		if (len == 0)
			continue; /* "a=1&&b=2", a trailing '&' */
		if (np == MAX_QUERY_PARAMS) {
			err = CMFA_ERR_TOOBIG;
			goto out;
		}
		eq = memchr(pair, '=', len);
		klen = eq != NULL ? (size_t)(eq - pair) : len;
		ps[np].a_off = sc.len;
		if ((err = append_encoded(&sc, pair, klen, false, true)) !=
		    CMFA_OK)
			goto out;
		ps[np].a_len = sc.len - ps[np].a_off;
		ps[np].b_off = sc.len;
		if (eq != NULL &&
		    (err = append_encoded(&sc, eq + 1, len - klen - 1, false,
		         true)) != CMFA_OK)
			goto out;
		ps[np].b_len = sc.len - ps[np].b_off;
		np++;
	}
	sort_spans(ps, np, sc.p, true);
	for (i = 0; i < np && err == CMFA_OK; i++) {
		if (i > 0)
			err = cmfa_buf_append(cr, "&", 1);
		if (err == CMFA_OK)
			err = append_span(cr, &sc, ps[i].a_off, ps[i].a_len);
		if (err == CMFA_OK)
			err = cmfa_buf_append(cr, "=", 1);
		if (err == CMFA_OK)
			err = append_span(cr, &sc, ps[i].b_off, ps[i].b_len);
	}
out:
	free(ps);
	cmfa_buf_free(&sc);
	return err;
}

/*
 * Append name (lowercased) and value (trimmed, blank runs collapsed) to
 * sc and record them in *s.  Control characters other than TAB in the
 * value, and anything but tchar in the name, are CMFA_ERR_INVAL.
 */
static enum cmfa_err
add_header(struct cmfa_buf *sc, const char *name, size_t nlen,
    const char *value, size_t vlen, struct span *s)
{
	enum cmfa_err err = CMFA_OK;
	size_t i;
	bool blank = false;

	if (nlen == 0)
		return CMFA_ERR_INVAL;
	s->a_off = sc->len;
	for (i = 0; i < nlen && err == CMFA_OK; i++) {
		uint8_t c = (uint8_t)name[i];

		if (!is_tchar(c))
			return CMFA_ERR_INVAL;
		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		err = cmfa_buf_append(sc, &c, 1);
	}
	s->a_len = sc->len - s->a_off;
	s->b_off = sc->len;
	for (i = 0; i < vlen && err == CMFA_OK; i++) {
		uint8_t c = (uint8_t)value[i];

		if (c == ' ' || c == '\t') {
			blank = true;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			return CMFA_ERR_INVAL;
		if (blank && sc->len > s->b_off)
			err = cmfa_buf_append(sc, " ", 1);
		blank = false;
		if (err == CMFA_OK)
			err = cmfa_buf_append(sc, &c, 1);
	}
	s->b_len = sc->len - s->b_off;
	return err;
}

static bool
span_is(const struct cmfa_buf *sc, size_t off, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(sc->p + off, s, len) == 0;
}

static bool
is_unsigned_header(const struct cmfa_buf *sc, const struct span *s)
{
	size_t i;

	for (i = 0; i < CMFA_ARRAY_LEN(unsigned_headers); i++)
		if (span_is(sc, s->a_off, s->a_len, unsigned_headers[i]))
			return true;
	return false;
}

/*
 * Canonical headers and the signed-header list: cr gets
 * "name:v1,v2\n"... then "\n", sh gets "name;name".
 */
static enum cmfa_err
build_headers(const struct cmfa_sigv4_request *req,
    const struct cmfa_aws_creds *creds, const char *amz_date, unsigned flags,
    struct cmfa_buf *cr, struct cmfa_buf *sh)
{
	struct span ent[MAX_ENTRIES];
	struct cmfa_buf sc;
	enum cmfa_err err = CMFA_OK;
	size_t i, n = 0, total = 0;
	bool have_host = false, have_date = false, have_token = false;

	if (req->nheaders > CMFA_SIGV4_MAX_HEADERS)
		return CMFA_ERR_TOOBIG;
	if (req->nheaders > 0 && req->headers == NULL)
		return CMFA_ERR_INVAL;
	cmfa_buf_init(&sc,
	    CMFA_SIGV4_MAX_HEADER_BYTES + CMFA_SIGV4_MAX_TOKEN + 256);
	for (i = 0; i < req->nheaders; i++) {
		const struct cmfa_sigv4_header *h = &req->headers[i];
		size_t nl = 0, vl = 0;

		if ((err = check_str(h->name, CMFA_SIGV4_MAX_HEADER_BYTES,
		         false, &nl)) != CMFA_OK ||
		    (err = check_str(h->value, CMFA_SIGV4_MAX_HEADER_BYTES,
		         true, &vl)) != CMFA_OK)
			goto out;
		total += nl + vl;
		if (total > CMFA_SIGV4_MAX_HEADER_BYTES) {
			err = CMFA_ERR_TOOBIG;
			goto out;
		}
		if ((err = add_header(&sc, h->name, nl, h->value, vl,
		         &ent[n])) != CMFA_OK)
			goto out;
		if (is_unsigned_header(&sc, &ent[n]))
			continue;
		if (span_is(&sc, ent[n].a_off, ent[n].a_len, "host"))
			have_host = true;
		else if (span_is(&sc, ent[n].a_off, ent[n].a_len,
		             "x-amz-date")) {
			/* exactly once, and the time we sign with */
			if (have_date ||
			    !span_is(&sc, ent[n].b_off, ent[n].b_len,
			        amz_date)) {
				err = CMFA_ERR_INVAL;
				goto out;
			}
			have_date = true;
		} else if (span_is(&sc, ent[n].a_off, ent[n].a_len,
		               "x-amz-security-token"))
			have_token = true;
		n++;
	}
	if (!have_host) {
		err = CMFA_ERR_INVAL;
		goto out;
	}
	if (!have_date &&
	    (err = add_header(&sc, "x-amz-date", 10, amz_date, strlen(amz_date),
	         &ent[n++])) != CMFA_OK)
		goto out;
	if (creds->session_token != NULL && (flags & CMFA_SIGV4_SIGN_TOKEN)) {
		if (have_token) {
			err = CMFA_ERR_INVAL;
			goto out;
		}
		if ((err = add_header(&sc, "x-amz-security-token", 20,
		         creds->session_token, strlen(creds->session_token),
		         &ent[n++])) != CMFA_OK)
			goto out;
	}

	sort_spans(ent, n, sc.p, false);
	for (i = 0; i < n && err == CMFA_OK; i++) {
		bool first = i == 0 ||
		    span_cmp(sc.p, ent[i - 1].a_off, ent[i - 1].a_len,
		        ent[i].a_off, ent[i].a_len) != 0;
		bool last = i + 1 == n ||
		    span_cmp(sc.p, ent[i + 1].a_off, ent[i + 1].a_len,
		        ent[i].a_off, ent[i].a_len) != 0;

		if (first) {
			if (i > 0)
				err = cmfa_buf_append(sh, ";", 1);
			if (err == CMFA_OK)
				err = cmfa_buf_append(sh, sc.p + ent[i].a_off,
				    ent[i].a_len);
			if (err == CMFA_OK)
				err = cmfa_buf_append(cr, sc.p + ent[i].a_off,
				    ent[i].a_len);
			if (err == CMFA_OK)
				err = cmfa_buf_append(cr, ":", 1);
		} else
			err = cmfa_buf_append(cr, ",", 1);
		if (err == CMFA_OK)
			err = cmfa_buf_append(cr, sc.p + ent[i].b_off,
			    ent[i].b_len);
		if (err == CMFA_OK && last)
			err = cmfa_buf_append(cr, "\n", 1);
	}
	if (err == CMFA_OK)
		err = cmfa_buf_append(cr, "\n", 1);
out:
	cmfa_buf_free(&sc);
	return err;
}

static enum cmfa_err
sha256_hex(const void *p, size_t n, char out[2 * SHA256_LEN + 1])
{
	uint8_t md[SHA256_LEN];
	unsigned int mdlen = 0;

	if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != SHA256_LEN)
		return CMFA_ERR_CRYPTO;
	hex_encode(md, SHA256_LEN, out);
	return CMFA_OK;
}

static enum cmfa_err
hmac256(const void *key, size_t klen, const void *data, size_t dlen,
    uint8_t out[SHA256_LEN])
{
	unsigned int olen = 0;

	if (klen > 1024 ||
	    HMAC(EVP_sha256(), key, (int)klen, data, dlen, out, &olen) ==
	        NULL ||
	    olen != SHA256_LEN)
		return CMFA_ERR_CRYPTO;
	return CMFA_OK;
}

static enum cmfa_err
derive_key(const char *secret, size_t slen, const char *date8,
    const char *region, const char *service, uint8_t out[SHA256_LEN])
{
	uint8_t ksecret[4 + CMFA_SIGV4_MAX_SECRET];
	uint8_t k1[SHA256_LEN], k2[SHA256_LEN];
	enum cmfa_err err;

	memcpy(ksecret, "AWS4", 4);
	memcpy(ksecret + 4, secret, slen);
	if ((err = hmac256(ksecret, 4 + slen, date8, strlen(date8), k1)) ==
	        CMFA_OK &&
	    (err = hmac256(k1, sizeof(k1), region, strlen(region), k2)) ==
	        CMFA_OK &&
	    (err = hmac256(k2, sizeof(k2), service, strlen(service), k1)) ==
	        CMFA_OK)
		err = hmac256(k1, sizeof(k1), "aws4_request", 12, out);
	OPENSSL_cleanse(ksecret, sizeof(ksecret));
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	return err;
}

enum cmfa_err
cmfa_sigv4_signing_key(const char *secret_access_key, const char *date8,
    const char *region, const char *service, uint8_t out[32])
{
	uint8_t key[SHA256_LEN];
	enum cmfa_err err;
	size_t slen = 0, dlen = 0, i;

	if (out == NULL)
		return CMFA_ERR_INVAL;
	if ((err = check_str(secret_access_key, CMFA_SIGV4_MAX_SECRET, false,
	         &slen)) != CMFA_OK ||
	    (err = check_str(date8, 8, false, &dlen)) != CMFA_OK ||
	    (err = check_scope_part(region)) != CMFA_OK ||
	    (err = check_scope_part(service)) != CMFA_OK)
		return err;
	if (dlen != 8)
		return CMFA_ERR_INVAL;
	for (i = 0; i < dlen; i++)
		if (date8[i] < '0' || date8[i] > '9')
			return CMFA_ERR_INVAL;
	if ((err = derive_key(secret_access_key, slen, date8, region, service,
	         key)) == CMFA_OK)
		memcpy(out, key, sizeof(key));
	OPENSSL_cleanse(key, sizeof(key));
	return err;
}

void
cmfa_sigv4_result_free(struct cmfa_sigv4_result *r)
{
	if (r == NULL)
		return;
	cmfa_buf_free(&r->canonical_request);
	cmfa_buf_free(&r->string_to_sign);
	cmfa_buf_free(&r->authorization);
	cmfa_memzero(r->amz_date, sizeof(r->amz_date));
}

static enum cmfa_err
check_request(const struct cmfa_sigv4_request *req, size_t *plen)
{
	enum cmfa_err err;
	size_t i, n = 0;

	if (req == NULL)
		return CMFA_ERR_INVAL;
	if ((err = check_str(req->method, CMFA_SIGV4_MAX_METHOD, false, &n)) !=
	    CMFA_OK)
		return err;
	for (i = 0; i < n; i++)
		if (!is_tchar((uint8_t)req->method[i]))
			return CMFA_ERR_INVAL;
	if ((err = check_str(req->path, CMFA_SIGV4_MAX_PATH, false, &n)) !=
	    CMFA_OK)
		return err;
	if (req->path[0] != '/')
		return CMFA_ERR_INVAL;
	/* a space is allowed (the suite's get-space), controls are not */
	for (i = 0; i < n; i++)
		if ((uint8_t)req->path[i] < 0x20 ||
		    (uint8_t)req->path[i] == 0x7f)
			return CMFA_ERR_INVAL;
	if (req->body == NULL && req->body_len > 0)
		return CMFA_ERR_INVAL;
	*plen = n;
	return CMFA_OK;
}

enum cmfa_err
cmfa_sigv4_sign(const struct cmfa_sigv4_request *req,
    const struct cmfa_aws_creds *creds, const char *region, const char *service,
    int64_t t, unsigned flags, struct cmfa_sigv4_result *out)
{
	struct cmfa_buf cr, sts, authz, sh;
	char amz_date[CMFA_SIGV4_DATE_LEN], date8[9];
	char hash[2 * SHA256_LEN + 1], sig[2 * SHA256_LEN + 1];
	uint8_t key[SHA256_LEN], mac[SHA256_LEN];
	const char *q;
	enum cmfa_err err;
	size_t plen = 0, qoff;

	cmfa_buf_init(&cr, CMFA_SIGV4_MAX_OUTPUT);
	cmfa_buf_init(&sts, CMFA_SIGV4_MAX_OUTPUT);
	cmfa_buf_init(&authz, CMFA_SIGV4_MAX_OUTPUT);
	cmfa_buf_init(&sh, CMFA_SIGV4_MAX_OUTPUT);
	memset(key, 0, sizeof(key));
	memset(mac, 0, sizeof(mac));

	if (out == NULL || (flags & ~(unsigned)CMFA_SIGV4_DEFAULT) != 0) {
		err = CMFA_ERR_INVAL;
		goto out;
	}
	if ((err = check_request(req, &plen)) != CMFA_OK ||
	    (err = check_creds(creds, flags)) != CMFA_OK ||
	    (err = check_scope_part(region)) != CMFA_OK ||
	    (err = check_scope_part(service)) != CMFA_OK ||
	    (err = format_amz_date(t, amz_date)) != CMFA_OK)
		goto out;
	memcpy(date8, amz_date, 8);
	date8[8] = '\0';

	/* 1. the canonical request */
	q = memchr(req->path, '?', plen);
	qoff = q != NULL ? (size_t)(q - req->path) : plen;
	if ((err = cmfa_buf_append_str(&cr, req->method)) != CMFA_OK ||
	    (err = cmfa_buf_append(&cr, "\n", 1)) != CMFA_OK ||
	    (err = append_canonical_uri(&cr, req->path, qoff,
	         (flags & CMFA_SIGV4_NORMALIZE_PATH) != 0)) != CMFA_OK ||
	    (err = cmfa_buf_append(&cr, "\n", 1)) != CMFA_OK)
		goto out;
	if (q != NULL &&
	    (err = append_canonical_query(&cr, q + 1, plen - qoff - 1)) !=
	        CMFA_OK)
		goto out;
	if ((err = cmfa_buf_append(&cr, "\n", 1)) != CMFA_OK ||
	    (err = build_headers(req, creds, amz_date, flags, &cr, &sh)) !=
	        CMFA_OK ||
	    (err = cmfa_buf_append(&cr, sh.p, sh.len)) != CMFA_OK ||
	    (err = cmfa_buf_append(&cr, "\n", 1)) != CMFA_OK ||
	    (err = sha256_hex(req->body_len > 0 ? (const void *)req->body : "",
	         req->body_len, hash)) != CMFA_OK ||
	    (err = cmfa_buf_append_str(&cr, hash)) != CMFA_OK)
		goto out;

	/* 2. the string to sign */
	if ((err = sha256_hex(cr.p, cr.len, hash)) != CMFA_OK ||
	    (err = cmfa_buf_appendf(&sts,
	         "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", amz_date,
	         date8, region, service, hash)) != CMFA_OK)
		goto out;

	/* 3. the signature */
	if ((err = derive_key(creds->secret_access_key,
	         strlen(creds->secret_access_key), date8, region, service,
	         key)) != CMFA_OK ||
	    (err = hmac256(key, sizeof(key), sts.p, sts.len, mac)) != CMFA_OK)
		goto out;
	hex_encode(mac, sizeof(mac), sig);

	/* 4. the Authorization value */
	if ((err = cmfa_buf_appendf(&authz,
	         "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, "
	         "SignedHeaders=%s, Signature=%s",
	         creds->access_key_id, date8, region, service,
	         cmfa_buf_str(&sh), sig)) != CMFA_OK)
		goto out;

	memcpy(out->amz_date, amz_date, sizeof(amz_date));
	out->canonical_request = cr;
	out->string_to_sign = sts;
	out->authorization = authz;
	cmfa_buf_init(&cr, 0);
	cmfa_buf_init(&sts, 0);
	cmfa_buf_init(&authz, 0);
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(mac, sizeof(mac));
	cmfa_buf_free(&cr);
	cmfa_buf_free(&sts);
	cmfa_buf_free(&authz);
	cmfa_buf_free(&sh);
	return err;
}
