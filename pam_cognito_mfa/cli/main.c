/*
 * main.c: cognito-mfa, the helper CLI.
 *
 * Only main() exits.  Exit codes follow AWS CLI v2 (252 bad syntax or
 * parameters, 253 configuration or credentials, 254 service errors, 255
 * anything else).  This first version knows --version and --help; the
 * AWS-style commands arrive one file per command beside it.
 */
#include <stdio.h>
#include <string.h>

#define CMFA_EXIT_OK 0
#define CMFA_EXIT_USAGE 252

static const char usage[] =
    "usage: cognito-mfa [--version] [--help] <command> [options]\n"
    "\n"
    "Cognito-style MFA for Linux logins: the helper for pam_cognito_mfa.\n"
    "\n"
    "Options:\n"
    "  --version   print the version and exit\n"
    "  --help      print this help and exit\n"
    "\n"
    "No commands are available in this version yet.\n";

static void
print_usage_error(const char *what)
{
	/* AWS CLI v2 prints usage, then the reason, on stderr, exit 252 */
	fputs("usage: cognito-mfa [options] <command> [parameters]\n"
	      "To see help text, you can run:\n\n"
	      "  cognito-mfa --help\n\n",
	    stderr);
	fprintf(stderr, "cognito-mfa: error: %s\n", what);
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("cognito-mfa %s\n", CMFA_VERSION);
		return CMFA_EXIT_OK;
	}
	if (argc == 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)) {
		fputs(usage, stdout);
		return CMFA_EXIT_OK;
	}
	if (argc < 2)
		print_usage_error("the following arguments are required: "
		                  "command");
	else {
		char msg[256];

		/* argv may carry a secret by mistake: echo only a prefix
		 * of a word that looks like an option or command name */
		snprintf(msg, sizeof(msg),
		    "argument command: Invalid "
		    "choice: '%.40s'",
		    argv[1]);
		for (char *p = msg; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		print_usage_error(msg);
	}
	return CMFA_EXIT_USAGE;
}
