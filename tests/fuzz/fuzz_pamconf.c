/*
 * fuzz_pamconf.c: the pam.d reader of `cognito-mfa explain --service`:
 * logical lines (continuations, comments) and libpam's tokenizer.
 * Invariants: no crash, no read past the text, tokens non-empty unless
 * bracketed, and line numbers only grow.
 */
#include <stdlib.h>
#include <string.h>

#include "../../pam_cognito_mfa/cli/cli_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *p, *line, *next, *tok;
	unsigned lineno = 0, start = 0, last = 0;

	if (size > 65536 || memchr(data, '\0', size) != NULL)
		return 0;
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	p = text;
	while ((line = cmfa_cli_pam_next_line(&p, &lineno, &start)) != NULL) {
		if (start <= last || lineno < start || p < text ||
		    p > text + size)
			abort();
		last = start;
		next = line;
		while ((tok = cmfa_cli_pam_strtok(&next)) != NULL)
			if (tok < text || tok > text + size)
				abort();
	}
	free(text);
	return 0;
}
