/*
 * cmfa_test.h: a minimal harness for the unit tests.
 *
 * A test is a function registered with RUN(); CHECK* macros record
 * failures with file and line and let the test go on.  Each test prints
 * one line, "PASS: <binary>/<name>" or "FAIL: <binary>/<name>" (and
 * "SKIP: ..." for SKIP()), which tests/run-tests counts for the closing
 * "N passed, N failed, N skipped" line.  main() returns non-zero if any
 * test failed.
 */
#ifndef CMFA_TEST_H
#define CMFA_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failed_checks; /* checks failed in the current test */
static int t_skipped;
static int t_tests_failed;
static const char *t_prog = "test";

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			t_failed_checks++;                                     \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n",         \
			    __FILE__, __LINE__, #cond);                        \
		}                                                              \
	} while (0)

#define CHECK_MSG(cond, ...)                                                   \
	do {                                                                   \
		if (!(cond)) {                                                 \
			t_failed_checks++;                                     \
			fprintf(stderr,                                        \
			    "  %s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, \
			    #cond);                                            \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
		}                                                              \
	} while (0)

#define CHECK_INT_EQ(a, b)                                                     \
	do {                                                                   \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);        \
		if (t_a_ != t_b_) {                                            \
			t_failed_checks++;                                     \
			fprintf(stderr,                                        \
			    "  %s:%d: %s == %s failed: "                       \
			    "%lld != %lld\n",                                  \
			    __FILE__, __LINE__, #a, #b, t_a_, t_b_);           \
		}                                                              \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                     \
	do {                                                                   \
		const char *t_a_ = (a), *t_b_ = (b);                           \
		if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0) { \
			t_failed_checks++;                                     \
			fprintf(stderr,                                        \
			    "  %s:%d: %s == %s failed: "                       \
			    "\"%s\" != \"%s\"\n",                              \
			    __FILE__, __LINE__, #a, #b,                        \
			    t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");   \
		}                                                              \
	} while (0)

/* Mark the current test skipped (with a reason) and return from it. */
#define SKIP(...)                                                              \
	do {                                                                   \
		t_skipped = 1;                                                 \
		fprintf(stderr, "  skipped: ");                                \
		fprintf(stderr, __VA_ARGS__);                                  \
		fputc('\n', stderr);                                           \
		return;                                                        \
	} while (0)

#define RUN(fn)                                                                \
	do {                                                                   \
		t_failed_checks = 0;                                           \
		t_skipped = 0;                                                 \
		fn();                                                          \
		if (t_failed_checks > 0) {                                     \
			t_tests_failed++;                                      \
			printf("FAIL: %s/%s\n", t_prog, #fn);                  \
		} else if (t_skipped)                                          \
			printf("SKIP: %s/%s\n", t_prog, #fn);                  \
		else                                                           \
			printf("PASS: %s/%s\n", t_prog, #fn);                  \
		fflush(stdout);                                                \
	} while (0)

#define TEST_MAIN_BEGIN(name)                                                  \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		(void)argc;                                                    \
		(void)argv;                                                    \
		t_prog = (name);

#define TEST_MAIN_END                                                          \
	return t_tests_failed > 0 ? 1 : 0;                                     \
	}

#endif /* CMFA_TEST_H */
