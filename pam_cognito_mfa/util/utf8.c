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
