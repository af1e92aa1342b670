/* utf8.c: UTF-8 well-formedness, printability and sanitizing. */
#include "cmfa_util.h"

/*
 * Decode one code point at p[0..len).  Returns its length in bytes, or 0
 * when the sequence is malformed (overlong, surrogate, > U+10FFFF,
 * truncated).
 */
static size_t
utf8_decode(const unsigned char *p, size_t len, uint32_t *cp)
{
	uint32_t c;
	size_t n, i;

	if (len == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	} else if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1fu;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0fu;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07u;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3fu);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static bool
is_control(uint32_t c, bool allow_space_ctrl)
{
	if (allow_space_ctrl && (c == '\t' || c == '\n' || c == '\r'))
		return false;
	return c < 0x20 || (c >= 0x7f && c < 0xa0);
}

bool
cmfa_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t c;

	while (i < len) {
		if ((n = utf8_decode(p + i, len - i, &c)) == 0 || c == 0)
			return false;
		i += n;
	}
	return true;
}

bool
cmfa_utf8_printable(const char *s, size_t len, bool allow_space_ctrl)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t c;

	while (i < len) {
		if ((n = utf8_decode(p + i, len - i, &c)) == 0 ||
		    is_control(c, allow_space_ctrl))
			return false;
		i += n;
	}
	return true;
}

size_t
cmfa_utf8_count(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, count = 0;
	uint32_t c;

	while (i < len) {
		if ((n = utf8_decode(p + i, len - i, &c)) == 0)
			n = 1; /* count a stray byte as one */
		i += n;
		count++;
	}
	return count;
}

void
cmfa_sanitize(char *dst, size_t dstsz, const char *src, size_t srclen)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t i = 0, o = 0, n;
	uint32_t c;

	if (dstsz == 0)
		return;
	while (i < srclen) {
		n = utf8_decode(p + i, srclen - i, &c);
		if (n == 0 || is_control(c, false)) {
			if (o + 1 >= dstsz)
				break;
			dst[o++] = '?';
			i += n == 0 ? 1 : n;
			continue;
		}
		if (o + n >= dstsz)
			break;
		for (size_t k = 0; k < n; k++)
			dst[o++] = (char)p[i + k];
		i += n;
	}
	dst[o] = '\0';
}

size_t
cmfa_utf8_next(const char *s, size_t len, uint32_t *cp)
{
	size_t n;

	if (len == 0) {
		*cp = 0xfffd;
		return 0;
	}
	if ((n = utf8_decode((const unsigned char *)s, len, cp)) == 0) {
		*cp = 0xfffd; /* one malformed byte */
		return 1;
	}
	return n;
}

size_t
cmfa_utf16_len(const char *s, size_t len)
{
	size_t i = 0, n = 0;
	uint32_t cp;

	while (i < len) {
		i += cmfa_utf8_next(s + i, len - i, &cp);
		n += cp >= 0x10000 ? 2 : 1;
	}
	return n;
}

struct cp_range {
	uint32_t lo, hi;
};

/* Separators (Z*) and format characters (Cf), Unicode 15. */
static const struct cp_range not_visible[] = {
	{ 0x0020, 0x0020 },
	{ 0x00a0, 0x00a0 },
	{ 0x00ad, 0x00ad },
	{ 0x0600, 0x0605 },
	{ 0x061c, 0x061c },
	{ 0x06dd, 0x06dd },
	{ 0x070f, 0x070f },
	{ 0x0890, 0x0891 },
	{ 0x08e2, 0x08e2 },
	{ 0x1680, 0x1680 },
	{ 0x180e, 0x180e },
	{ 0x2000, 0x200f },
	{ 0x2028, 0x202f },
	{ 0x205f, 0x2064 },
	{ 0x2066, 0x206f },
	{ 0x3000, 0x3000 },
	{ 0xfeff, 0xfeff },
	{ 0xfff9, 0xfffb },
	{ 0x110bd, 0x110bd },
	{ 0x110cd, 0x110cd },
	{ 0x13430, 0x1343f },
	{ 0x1bca0, 0x1bca3 },
	{ 0x1d173, 0x1d17a },
	{ 0xe0001, 0xe0001 },
	{ 0xe0020, 0xe007f },
};

bool
cmfa_unicode_visible(uint32_t c)
{
	size_t i;

	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return false; /* Cc */
	if ((c >= 0xe000 && c <= 0xf8ff) || c >= 0xf0000)
		return false; /* Co (and planes 15-16) */
	if ((c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
		return false; /* noncharacters */
	for (i = 0; i < CMFA_ARRAY_LEN(not_visible); i++)
		if (c >= not_visible[i].lo && c <= not_visible[i].hi)
			return false;
	return true;
}
