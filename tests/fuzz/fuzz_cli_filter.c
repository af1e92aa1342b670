/*
 * fuzz_cli_filter.c: the list-users --filter parser (attr = "v", attr ^=
 * "v").  Invariants: no crash, a bounded result, and a parsed filter whose
 * value contains no unescaped quote survives a round trip.
 */
#include <stdlib.h>
#include <string.h>

#include "../../pam_cognito_mfa/cli/cli_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmfa_cli_filter f, g;
	char *s, *again;
	size_t n;

	if (size > 4096 || memchr(data, '\0', size) != NULL)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (cmfa_cli_filter_parse(s, &f)) {
		if (strlen(f.attr) == 0 || strlen(f.attr) >= sizeof(f.attr) ||
		    strlen(f.value) > CMFA_CLI_FILTER_MAX)
			abort();
		/* print it back (escaping quotes and backslashes) */
		n = strlen(f.attr) + 2 * strlen(f.value) + 8;
		if ((again = malloc(n)) != NULL) {
			size_t o = 0, i;

			memcpy(again, f.attr, strlen(f.attr));
			o = strlen(f.attr);
			memcpy(again + o, f.prefix ? " ^= \"" : " = \"",
			    f.prefix ? 5 : 4);
			o += f.prefix ? 5 : 4;
			for (i = 0; f.value[i] != '\0'; i++) {
				if (f.value[i] == '"' || f.value[i] == '\\')
					again[o++] = '\\';
				again[o++] = f.value[i];
			}
			again[o++] = '"';
			again[o] = '\0';
			if (strchr(f.attr, '=') == NULL &&
			    strchr(f.attr, '^') == NULL &&
			    (!cmfa_cli_filter_parse(again, &g) ||
			        strcmp(g.attr, f.attr) != 0 ||
			        strcmp(g.value, f.value) != 0 ||
			        g.prefix != f.prefix))
				abort();
			free(again);
		}
	}
	free(s);
	return 0;
}
