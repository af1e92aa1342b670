/* test_util.c: bounded buffers, strict parsing, UTF-8, sanitizing, log. */
#include <syslog.h>

#include "cmfa_test.h"
#include "cmfa_util.h"

static void
test_buf_bounded(void)
{
	struct cmfa_buf b;
	size_t i;

	cmfa_buf_init(&b, 10);
	CHECK_STR_EQ(cmfa_buf_str(&b), "");
	CHECK_INT_EQ(cmfa_buf_append(&b, "hello", 5), CMFA_OK);
	CHECK_INT_EQ(cmfa_buf_append(&b, "world", 5), CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b), "helloworld");
	CHECK_INT_EQ(cmfa_buf_append(&b, "!", 1), CMFA_ERR_NOMEM);
	CHECK_INT_EQ(b.len, 10);
	cmfa_buf_reset(&b);
	CHECK_INT_EQ(b.len, 0);
	CHECK_INT_EQ(cmfa_buf_appendf(&b, "%d-%s", 42, "x"), CMFA_OK);
	CHECK_STR_EQ(cmfa_buf_str(&b), "42-x");
	cmfa_buf_free(&b);
	CHECK(b.p == NULL && b.len == 0);

	/* growth across many reallocations keeps the bytes */
	cmfa_buf_init(&b, 100000);
	for (i = 0; i < 10000; i++)
		CHECK(cmfa_buf_append(&b, "0123456789", 10) == CMFA_OK);
	CHECK_INT_EQ(b.len, 100000);
	CHECK(memcmp(b.p + 99990, "0123456789", 10) == 0);
	CHECK_INT_EQ(cmfa_buf_appendf(&b, "x"), CMFA_ERR_NOMEM);
	cmfa_buf_free(&b);
	cmfa_buf_free(NULL);

	/* appendf longer than the internal scratch */
	cmfa_buf_init(&b, 1000);
	CHECK_INT_EQ(cmfa_buf_appendf(&b, "%0300d", 7), CMFA_OK);
	CHECK_INT_EQ(b.len, 300);
	CHECK(b.p[299] == '7' && b.p[0] == '0');
	CHECK_INT_EQ(cmfa_buf_appendf(&b, "%0800d", 7), CMFA_ERR_NOMEM);
	cmfa_buf_free(&b);
}

static void
test_parse_u64(void)
{
	uint64_t v = 99;

	CHECK_INT_EQ(cmfa_parse_u64("0", 1, 10, &v), CMFA_OK);
	CHECK_INT_EQ(v, 0);
	CHECK_INT_EQ(cmfa_parse_u64("900", 3, 900, &v), CMFA_OK);
	CHECK_INT_EQ(v, 900);
	CHECK_INT_EQ(cmfa_parse_u64("901", 3, 900, &v), CMFA_ERR_TOOBIG);
	CHECK_INT_EQ(v, 900); /* untouched on failure */
	CHECK_INT_EQ(cmfa_parse_u64("", 0, 10, &v), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_parse_u64("01", 2, 10, &v), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_parse_u64("-1", 2, 10, &v), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_parse_u64("+1", 2, 10, &v), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_parse_u64(" 1", 2, 10, &v), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_parse_u64("1 ", 2, 10, &v), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_parse_u64("12", 1, 10, &v), CMFA_OK);
	CHECK_INT_EQ(v, 1); /* length bounds the parse, not a NUL */
	CHECK_INT_EQ(cmfa_parse_u64("18446744073709551615", 20, UINT64_MAX, &v),
	    CMFA_OK);
	CHECK(v == UINT64_MAX);
	CHECK_INT_EQ(cmfa_parse_u64("18446744073709551616", 20, UINT64_MAX, &v),
	    CMFA_ERR_TOOBIG);
}

static void
test_parse_i64(void)
{
	int64_t v = 5;

	CHECK_INT_EQ(cmfa_parse_i64("-15", 3, -100, 100, &v), CMFA_OK);
	CHECK_INT_EQ(v, -15);
	CHECK_INT_EQ(cmfa_parse_i64("-0", 2, -100, 100, &v), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_parse_i64("-", 1, -100, 100, &v), CMFA_ERR_PARSE);
	CHECK_INT_EQ(cmfa_parse_i64("-101", 4, -100, 100, &v), CMFA_ERR_TOOBIG);
	CHECK_INT_EQ(cmfa_parse_i64("-9223372036854775808", 20, INT64_MIN,
	                 INT64_MAX, &v),
	    CMFA_OK);
	CHECK(v == INT64_MIN);
	CHECK_INT_EQ(cmfa_parse_i64("9223372036854775808", 19, INT64_MIN,
	                 INT64_MAX, &v),
	    CMFA_ERR_TOOBIG);
}

static void
test_utf8(void)
{
	CHECK(cmfa_utf8_valid("abc", 3));
	CHECK(cmfa_utf8_valid("\xc3\xa9t\xc3\xa9", 5)); /* été */
	CHECK(cmfa_utf8_valid("\xf0\x9f\x94\x91", 4));  /* key emoji */
	CHECK(!cmfa_utf8_valid("\xc0\xaf", 2));         /* overlong */
	CHECK(!cmfa_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	CHECK(!cmfa_utf8_valid("\xf4\x90\x80\x80", 4)); /* > 10FFFF */
	CHECK(!cmfa_utf8_valid("\xe2\x82", 2));         /* truncated */
	CHECK(!cmfa_utf8_valid("a\0b", 3));
	CHECK(cmfa_utf8_printable("a b", 3, false));
	CHECK(!cmfa_utf8_printable("a\tb", 3, false));
	CHECK(cmfa_utf8_printable("a\tb\r\n", 5, true));
	CHECK(!cmfa_utf8_printable("a\x1b[31m", 7, true));
	CHECK(!cmfa_utf8_printable("\xc2\x85", 2, true)); /* C1 NEL */
	CHECK(!cmfa_utf8_printable("\x7f", 1, true));
	CHECK_INT_EQ(cmfa_utf8_count("\xc3\xa9t\xc3\xa9", 5), 3);
	CHECK_INT_EQ(cmfa_utf8_count("", 0), 0);
}

static void
test_utf8_next_and_classes(void)
{
	uint32_t cp = 0;

	CHECK_INT_EQ(cmfa_utf8_next("a", 1, &cp), 1);
	CHECK_INT_EQ(cp, 'a');
	CHECK_INT_EQ(cmfa_utf8_next("\xc3\xa9", 2, &cp), 2);
	CHECK_INT_EQ(cp, 0xe9);
	CHECK_INT_EQ(cmfa_utf8_next("\xf0\x9f\x94\x91", 4, &cp), 4);
	CHECK_INT_EQ(cp, 0x1f511);
	/* malformed: one byte, U+FFFD; empty: 0 */
	CHECK_INT_EQ(cmfa_utf8_next("\xc0\xaf", 2, &cp), 1);
	CHECK_INT_EQ(cp, 0xfffd);
	CHECK_INT_EQ(cmfa_utf8_next("\xe2\x82", 2, &cp), 1);
	CHECK_INT_EQ(cmfa_utf8_next("", 0, &cp), 0);
	/* Java's String.length(): an astral character counts two */
	CHECK_INT_EQ(cmfa_utf16_len("a\xc3\xa9\xf0\x9f\x94\x91", 7), 4);
	CHECK_INT_EQ(cmfa_utf16_len("", 0), 0);
	/* \p{L}\p{M}\p{S}\p{N}\p{P}, approximated */
	CHECK(cmfa_unicode_visible('a'));
	CHECK(cmfa_unicode_visible('{'));
	CHECK(cmfa_unicode_visible(0xe9));
	CHECK(cmfa_unicode_visible(0x1f511));
	CHECK(!cmfa_unicode_visible(' '));     /* Zs */
	CHECK(!cmfa_unicode_visible(0xa0));    /* Zs */
	CHECK(!cmfa_unicode_visible(0x2028));  /* Zl */
	CHECK(!cmfa_unicode_visible(0x200b));  /* Cf */
	CHECK(!cmfa_unicode_visible(0x1b));    /* Cc */
	CHECK(!cmfa_unicode_visible(0x85));    /* Cc */
	CHECK(!cmfa_unicode_visible(0xe000));  /* Co */
	CHECK(!cmfa_unicode_visible(0xfffe));  /* noncharacter */
	CHECK(!cmfa_unicode_visible(0xe0041)); /* Cf tag */
}

static void
test_sanitize(void)
{
	char out[16];

	cmfa_sanitize(out, sizeof(out), "ok\x1b[2Jx\n", 8);
	CHECK_STR_EQ(out, "ok?[2Jx?");
	cmfa_sanitize(out, sizeof(out), "\xff\xfe", 2);
	CHECK_STR_EQ(out, "??");
	cmfa_sanitize(out, 4, "abcdef", 6);
	CHECK_STR_EQ(out, "abc");
	/* a multibyte character is never cut in half */
	cmfa_sanitize(out, 4, "ab\xc3\xa9", 4);
	CHECK_STR_EQ(out, "ab");
}

static char last_line[2048];
static int last_prio = -1;

static void
capture(void *ctx, int prio, const char *line)
{
	(void)ctx;
	last_prio = prio;
	snprintf(last_line, sizeof(last_line), "%s", line);
}

static void
test_log(void)
{
	struct cmfa_log log = { capture, NULL, false };

	cmfa_log(&log, LOG_NOTICE, "user=%s outcome=%s", "al\nice", "deny");
	CHECK_INT_EQ(last_prio, LOG_NOTICE);
	CHECK_STR_EQ(last_line, "user=al?ice outcome=deny");
	last_prio = -1;
	cmfa_log(&log, LOG_DEBUG, "hidden");
	CHECK_INT_EQ(last_prio, -1);
	log.debug = true;
	cmfa_log(&log, LOG_DEBUG, "shown");
	CHECK_INT_EQ(last_prio, LOG_DEBUG);
	cmfa_log(NULL, LOG_ERR, "no logger is fine");
}

static void
test_ct_eq_and_strerror(void)
{
	unsigned i;

	CHECK(cmfa_ct_eq("123456", "123456", 6) == 1);
	CHECK(cmfa_ct_eq("123456", "123457", 6) == 0);
	CHECK(cmfa_ct_eq("\x80", "\x00", 1) == 0);
	CHECK(cmfa_ct_eq("", "", 0) == 1);
	for (i = 0; i <= CMFA_ERR__MAX; i++)
		CHECK(cmfa_strerror((enum cmfa_err)i) != NULL);
	CHECK_STR_EQ(cmfa_strerror(CMFA_OK), "success");
	CHECK_STR_EQ(cmfa_strerror((enum cmfa_err)999), "unknown error");
}

TEST_MAIN_BEGIN("util")
	RUN(test_buf_bounded);
	RUN(test_parse_u64);
	RUN(test_parse_i64);
	RUN(test_utf8);
	RUN(test_utf8_next_and_classes);
	RUN(test_sanitize);
	RUN(test_log);
	RUN(test_ct_eq_and_strerror);
TEST_MAIN_END
