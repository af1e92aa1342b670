#!/bin/sh
# format.sh: every C file of the tree is formatted as .clang-format says
# (OpenSSH-like KNF).  `make format` fixes a failure.
suite=format
. "$(dirname "$0")/lib.sh"
if ! command -v clang-format >/dev/null 2>&1; then
	skip tree_formatted "clang-format not installed"; finish; exit
fi
files=$(find include pam_cognito_mfa tests -name '*.[ch]' | sort)
bad=""
for f in $files; do
	clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
done
if [ -z "$bad" ]; then pass tree_formatted; else fail tree_formatted "$bad"; fi
finish
