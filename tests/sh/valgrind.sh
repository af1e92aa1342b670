#!/bin/sh
# valgrind.sh BUILD: the PAM tests (the module loaded by real libpam)
# under valgrind memcheck: no invalid access, no uninitialised use, no
# definite leak.  Not under the ASan build (the two cannot be combined).
suite=valgrind
. "$(dirname "$0")/lib.sh"
build=${1:-build}
case "$build" in
*asan*) skip pam_tests_memcheck "ASan build"; finish; exit ;;
esac
if ! command -v valgrind >/dev/null 2>&1; then
	skip pam_tests_memcheck "valgrind not installed"; finish; exit
fi
log=$(mktemp)
valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite "$build/tests/test_pam" >"$log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && ! grep -q '^FAIL' "$log"; then
	pass pam_tests_memcheck
else
	fail pam_tests_memcheck "exit $rc: $(grep -m5 -E '==[0-9]+==|FAIL' "$log" | tr '\n' ' ')"
fi
rm -f "$log"
finish
