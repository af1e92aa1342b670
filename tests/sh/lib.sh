# lib.sh: helpers for the script tests (sourced).  Each check prints one
# "PASS: <suite>/<name>" or "FAIL: <suite>/<name>" line; run-tests counts
# them.  ok NAME CMD...: PASS when CMD exits 0.
suite=${suite:-sh}
failures=0
pass() { echo "PASS: $suite/$1"; }
fail() { echo "FAIL: $suite/$1${2:+ ($2)}"; failures=$((failures + 1)); }
skip() { echo "SKIP: $suite/$1${2:+ ($2)}"; }
ok() { n=$1; shift; if "$@"; then pass "$n"; else fail "$n"; fi; }
finish() { [ "$failures" -eq 0 ]; }
