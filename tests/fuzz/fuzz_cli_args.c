/*
 * fuzz_cli_args.c: a cognito-mfa command's argument handling
 * (cmfa_cli_parse_params: argparse, shorthand, JSON, coercion,
 * --cli-input-json) and botocore's validation of the result.
 *
 * The input is the command (first byte, modulo the table) and its
 * arguments separated by NUL bytes.  Words naming a file (file://,
 * fileb://) are dropped: the fuzzer must not read the machine's files.
 * Properties (abort() on violation): success gives a request object and
 * records no failure; a failure records exactly one, with a message; a
 * request validates to OK or to a non-empty report.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmfa_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORDS 32

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[MAX_WORDS + 1];
	const struct cmfa_cli_op *op;
	struct cmfa_buf rep;
	struct cmfa_cli cli;
	const char *skeleton = NULL;
	cJSON *req = NULL;
	size_t nops = 0, i, start;
	enum cmfa_err e;
	int argc = 0;
	FILE *null;

	if (size < 1 || size > 16 * 1024)
		return 0;
	while (cmfa_cli_ops[nops] != NULL)
		nops++;
	op = cmfa_cli_ops[data[0] % nops];
	if ((buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	for (start = 0, i = 0; i < size && argc < MAX_WORDS; i++) {
		if (buf[i] != '\0')
			continue;
		if (strstr(buf + start, "file") == NULL)
			argv[argc++] = buf + start;
		start = i + 1;
	}
	argv[argc] = NULL;
	if ((null = fopen("/dev/null", "w")) == NULL) {
		free(buf);
		return 0;
	}
	cmfa_cli_init(&cli, null, null);
	cli.op = op;
	e = cmfa_cli_parse_params(&cli, op, argc, argv, &req, &skeleton);
	if ((e == CMFA_OK) != (req != NULL))
		abort();
	if ((e == CMFA_OK) != (cli.fail == CMFA_FAIL_NONE))
		abort();
	if (e != CMFA_OK && cli.fail_msg.len == 0)
		abort();
	if (e == CMFA_OK) {
		e = cmfa_cli_validate(req, op->input, &rep);
		if (e != CMFA_OK && (e != CMFA_ERR_VALIDATION || rep.len == 0))
			abort();
		cmfa_buf_free(&rep);
	}
	(void)cmfa_cli_report(&cli);
	cJSON_Delete(req);
	cmfa_cli_release(&cli);
	fclose(null);
	free(buf);
	return 0;
}
