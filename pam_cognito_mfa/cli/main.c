/*
 * main.c: cognito-mfa, the helper CLI.  Everything is in cmfa_cli_main()
 * (cli/driver.c), so the unit tests can run whole command lines; this is
 * the only place that exits.  Exit codes follow AWS CLI v2: 252 bad
 * syntax or parameters, 253 configuration, store or target, 254 service
 * errors, 255 anything else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmfa_cli.h"

int
main(int argc, char **argv)
{
	struct cmfa_cli cli;
	int code;

	cmfa_cli_init(&cli, stdout, stderr);
	cli.out_tty = isatty(STDOUT_FILENO) == 1;
	code = cmfa_cli_main(&cli, argc, argv);
	cmfa_cli_release(&cli);
	if (fflush(stdout) != 0 && code == CMFA_EXIT_OK)
		code = CMFA_EXIT_OTHER;
	return code;
}
