/*
 * replay.c: main() for a fuzz target built without libFuzzer.  Feeds every
 * file of the corpus directory (argv[1]) to LLVMFuzzerTestOneInput, one
 * "PASS: fuzz_<dir>/<file>" line each; a crash or sanitizer report ends the
 * run with a non-zero status, which tests/run-tests counts as a failure.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX (1024 * 1024)

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, i;
	const char *base;
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	base = strrchr(argv[1], '/');
	base = base ? base + 1 : argv[1];
	if ((d = opendir(argv[1])) == NULL) {
		printf("FAIL: fuzz_%s (no corpus at %s)\n", base, argv[1]);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (names == NULL)
				return 1;
		}
		if ((names[n++] = strdup(e->d_name)) == NULL)
			return 1;
	}
	closedir(d);
	if (n == 0) {
		printf("FAIL: fuzz_%s (empty corpus)\n", base);
		return 1;
	}
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		uint8_t *buf;
		ssize_t r;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
		    (buf = malloc(REPLAY_MAX)) == NULL) {
			printf("FAIL: fuzz_%s/%s (unreadable)\n", base,
			    names[i]);
			rc = 1;
			if (fd >= 0)
				close(fd);
			continue;
		}
		r = read(fd, buf, REPLAY_MAX);
		close(fd);
		if (r < 0) {
			printf("FAIL: fuzz_%s/%s (read)\n", base, names[i]);
			rc = 1;
		} else {
			/* exact-size copy so ASan sees overreads */
			uint8_t *exact = malloc(r > 0 ? (size_t)r : 1);

			if (exact == NULL)
				return 1;
			memcpy(exact, buf, (size_t)r);
			LLVMFuzzerTestOneInput(exact, (size_t)r);
			free(exact);
			printf("PASS: fuzz_%s/%s\n", base, names[i]);
		}
		free(buf);
		free(names[i]);
	}
	free(names);
	return rc;
}
