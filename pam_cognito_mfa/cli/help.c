/*
 * help.c: `cognito-mfa help`, `cognito-mfa <command> help` (or --help).
 * The synopsis of each command comes from its shape, so it cannot drift
 * from what the parser accepts.
 */
#include <stdio.h>
#include <string.h>

#include "cmfa_cli.h"
#include "cli_int.h"

void
cmfa_cli_usage(FILE *f)
{
	fputs("usage: cognito-mfa [options] <command> [parameters]\n"
	      "To see help text, you can run:\n"
	      "\n"
	      "  cognito-mfa help\n"
	      "  cognito-mfa <command> help\n",
	    f);
}

void
cmfa_cli_help(FILE *f)
{
	size_t i;

	fputs("usage: cognito-mfa [options] <command> [parameters]\n"
	      "\n"
	      "Cognito-style MFA for Linux logins: the helper of "
	      "pam_cognito_mfa.\n"
	      "The commands and their options are those of `aws cognito-idp` "
	      "(AWS CLI v2):\n"
	      "shorthand or JSON values, file:// and fileb://, "
	      "--cli-input-json,\n"
	      "--generate-cli-skeleton, the same output and exit codes.  "
	      "They act on the\n"
	      "local store, with Cognito's validation rules, or on the "
	      "Amazon Cognito API\n"
	      "(see Target below).  [local]: cognito-mfa's own commands, "
	      "always local.\n"
	      "\n"
	      "Commands:\n",
	    f);
	for (i = 0; cmfa_cli_ops[i] != NULL; i++)
		fprintf(f, "  %-32s %s%s\n", cmfa_cli_ops[i]->name,
		    cmfa_cli_ops[i]->summary,
		    cmfa_cli_ops[i]->local_only ? " [local]" : "");
	fputs("\n"
	      "Options (anywhere on the line):\n"
	      "  --store DIR         the local store (default: the config's "
	      "store,\n"
	      "                      " CMFA_STORE_DEFAULT_PATH "); created "
	      "on first use\n"
	      "  --config FILE       the configuration "
	      "(default " CMFA_CONFIG_DEFAULT_PATH ";\n"
	      "                      a missing default file means the "
	      "defaults)\n"
	      "  --local             the local store, whatever else the "
	      "line says\n"
	      "  --output json|text  the output format (default json)\n"
	      "  --pam-dir DIR       where explain --service reads pam.d "
	      "files (/etc/pam.d)\n"
	      "  --debug             say what is done (never a secret)\n"
	      "  --version, --help\n"
	      "\n"
	      "Target: the Amazon Cognito API when --endpoint-url or --region "
	      "is given, or\n"
	      "the config names region or user_pool_id; else the local store. "
	      " --local forces\n"
	      "the local store.  Environment variables and AWS profiles never "
	      "switch the\n"
	      "target; once it is the API they supply credentials and the "
	      "region, as for\n"
	      "the AWS CLI.  API options: --endpoint-url URL, --region R, "
	      "--profile P,\n"
	      "--ca-bundle FILE, --no-verify-ssl, --cli-connect-timeout S, "
	      "--cli-read-timeout S,\n"
	      "--no-paginate.  list-users pages as the AWS CLI does "
	      "(--max-items,\n"
	      "--starting-token, --page-size).  Access tokens, sessions and "
	      "codes stay out\n"
	      "of the process list through --cli-input-json file://FILE.\n"
	      "\n"
	      "Exit codes: 0 success; 252 bad syntax, option or parameter; "
	      "253 configuration,\n"
	      "store or target problem; 254 refused by Cognito's rules (the "
	      "error line names\n"
	      "the exception); 255 anything else.  deliver exits 3 to 7 "
	      "for its own\n"
	      "failures (cognito-mfa deliver help).\n",
	    f);
}

static const char *
type_word(const struct cmfa_cli_shape *s)
{
	switch (s->type) {
	case CMFA_CT_STRING:
		return "string";
	case CMFA_CT_BOOL:
		return "boolean";
	case CMFA_CT_INT:
		return "integer";
	case CMFA_CT_TIMESTAMP:
		return "timestamp";
	case CMFA_CT_STRUCT:
		return "structure";
	case CMFA_CT_LIST:
		return "list";
	case CMFA_CT_MAP:
		return "map";
	}
	return "?";
}

void
cmfa_cli_help_op(FILE *f, const struct cmfa_cli_op *op)
{
	const struct cmfa_cli_member *m;
	const char *const *e;
	size_t i;

	fprintf(f, "%s%s\n\n  %s\n", op->name,
	    op->local_only ? " (cognito-mfa only)" : "", op->summary);
	if (op->help != NULL)
		fprintf(f, "\n%s\n", op->help);
	fprintf(f, "\nSynopsis:\n\n  cognito-mfa %s\n", op->name);
	for (i = 0; i < op->input->nmembers; i++) {
		m = &op->input->members[i];
		if (m->shape->type == CMFA_CT_BOOL)
			fprintf(f, "    [--%s | --no-%s]\n", m->cli, m->cli);
		else
			fprintf(f, "    %s--%s <value>%s\n",
			    m->required ? "" : "[", m->cli,
			    m->required ? "" : "]");
	}
	if (cmfa_cli_pages(op))
		fputs("    [--starting-token <value>]\n"
		      "    [--page-size <value>]\n"
		      "    [--max-items <value>]\n",
		    f);
	fputs("    [--cli-input-json <value>]\n"
	      "    [--generate-cli-skeleton <input|output>]\n",
	    f);
	fputs("\nOptions:\n\n", f);
	for (i = 0; i < op->input->nmembers; i++) {
		m = &op->input->members[i];
		fprintf(f, "  --%s (%s)%s", m->cli, type_word(m->shape),
		    m->required ? " required" : "");
		if (m->shape->enums != NULL) {
			fputs(": ", f);
			for (e = m->shape->enums; *e != NULL; e++)
				fprintf(f, "%s%s",
				    e == m->shape->enums ? "" : " | ", *e);
		}
		if (m->shape->type == CMFA_CT_STRUCT) {
			size_t k;

			fputs("\n      shorthand: ", f);
			for (k = 0; k < m->shape->nmembers; k++)
				fprintf(f, "%s%s=%s", k > 0 ? "," : "",
				    m->shape->members[k].name,
				    type_word(m->shape->members[k].shape));
		}
		fputc('\n', f);
	}
}
