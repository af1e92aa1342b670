#!/bin/sh
# bench_sync.sh BUILD: `cognito-mfa sync` against the loopback AWS mock
# (tests/data/aws_mock.py, SigV4 checked), compared in the same run with
# a shell loop of the AWS CLI (/usr/bin/aws) making the same calls
# (ListUsers, every page; AdminGetUser per user).  Figures only: users
# per second, requests, and the highest AdminGetUser count in any
# 1-second window (from the mock's request times), for
#   1. sync --max-rps 100 of a 1,000-user pool (the cap raised for speed);
#   2. sync at the default cap (sync_max_rps 20) of a 300-user pool;
#   3. the AWS CLI: list-users over the 1,000-user pool, and admin-get-user
#      for 100 users one after the other, extrapolated per user.
# Run by tests/run-bench (make bench); never part of make check.
set -u
. "$(dirname "$0")/../sh/lib.sh" # mock_start
build=${1:-build}
top=$(pwd)
cli=$top/$build/cognito-mfa
aws=/usr/bin/aws
py=/usr/bin/python3
if [ ! -x "$cli" ] || [ ! -x "$aws" ] || [ ! -x "$py" ]; then
	echo "bench_sync: needs $cli, $aws and $py; skipped"
	exit 0
fi
tmp=$(mktemp -d /tmp/cmfa-bench-sync.XXXXXX) || exit 1
mock_pid=
cleanup() {
	[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

d=$tmp/mock
mkdir -p "$d" "$tmp/home"
P=eu-west-1_BenchPool1
P2=eu-west-1_BenchPool2
secret=mockBenchSecret0123456789abcdefghijABCDEF
echo "[{\"AccessKeyId\": \"AKIDMOCKBENCH\", \"SecretAccessKey\": \"$secret\"}]" \
	>"$d/creds.json"
cat >"$d/state.json" <<EOF
{"pools": {
 "$P": {"MfaConfig": {"MfaConfiguration": "OPTIONAL",
   "SoftwareTokenMfaConfiguration": {"Enabled": true}},
  "UserPool": {"Id": "$P", "Name": "bench"}, "Users": [],
  "GenerateUsers": {"count": 1000, "prefix": "user"}},
 "$P2": {"MfaConfig": {"MfaConfiguration": "OPTIONAL",
   "SoftwareTokenMfaConfiguration": {"Enabled": true}},
  "UserPool": {"Id": "$P2", "Name": "bench2"}, "Users": [],
  "GenerateUsers": {"count": 300, "prefix": "user"}}}}
EOF
if ! mock_start "$d" "$tmp/mock.err"; then
	echo "bench_sync: the mock did not start: $(head -c 300 "$tmp/mock.err")"
	exit 1
fi
ep=http://127.0.0.1:$port
export HOME="$tmp/home" AWS_EC2_METADATA_DISABLED=true \
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
	AWS_DEFAULT_REGION=eu-west-1 AWS_PAGER= LC_ALL=C.UTF-8 \
	AWS_ACCESS_KEY_ID=AKIDMOCKBENCH AWS_SECRET_ACCESS_KEY=$secret \
	AWS_ENDPOINT_URL_STS=$ep
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL AWS_MAX_ATTEMPTS \
	AWS_RETRY_MODE 2>/dev/null

now() { "$py" -c 'import time; print("%.3f" % time.time())'; }
# window CAP: the most AdminGetUser requests in any 1-second window of
# the log, and the shortest time any CAP+1 consecutive ones spanned (the
# cap holds when that is about 1 s or more: the mock's receive times
# jitter by a few ms, so a window can catch one more)
window() {
	"$py" -c "
import json, sys
cap = int(sys.argv[2])
ts = sorted(r['t'] for r in map(json.loads, open(sys.argv[1])) if r.get('op') == 'AdminGetUser')
w = max((sum(1 for u in ts[i:i + 200] if u < t + 1.0) for i, t in enumerate(ts)), default=0)
span = min((ts[i + cap] - ts[i] for i in range(len(ts) - cap)), default=0)
print('%d (any %d in a row spanned >= %.3f s)' % (w, cap + 1, span))
" "$d/log.jsonl" "$1"
}
run_sync() { # run_sync LABEL POOL USERS CAP [ARGS]
	label=$1 pool=$2 n=$3 cap=$4
	shift 4
	rm -rf "$tmp/store"
	printf 'store = %s\nuser_pool_id = %s\nec2_metadata_disabled = yes\n' \
		"$tmp/store" "$pool" >"$tmp/c.conf"
	: >"$d/log.jsonl"
	t0=$(now)
	"$cli" --config "$tmp/c.conf" --endpoint-url "$ep" sync "$@" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	t1=$(now)
	"$py" -c "
import sys
label, n, t0, t1, w, rc = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
print('%-36s %5d users %7.2f s %8.1f users/s  max AdminGetUser/1 s: %s  exit %s' % (label, n, t1 - t0, n / (t1 - t0), w, rc))
" "$label" "$n" "$t0" "$t1" "$(window "$cap")" "$rc"
	echo "    cognito-mfa: $(cat "$tmp/out")"
}

echo "sync against the loopback mock (SigV4 checked), same machine, same run"
run_sync "cognito-mfa sync --max-rps 100" "$P" 1000 100 --max-rps 100
run_sync "cognito-mfa sync (default cap 20/s)" "$P2" 300 20

# the AWS CLI doing the same calls, one process per call as a shell loop
: >"$d/log.jsonl"
t0=$(now)
"$aws" --endpoint-url "$ep" cognito-idp list-users --user-pool-id "$P" \
	--query 'Users[].Username' --output text >"$tmp/names" 2>"$tmp/err"
t1=$(now)
names=$(tr '\t' '\n' <"$tmp/names" | head -n 100)
for u in $names; do
	"$aws" --endpoint-url "$ep" cognito-idp admin-get-user \
		--user-pool-id "$P" --username "$u" >/dev/null 2>>"$tmp/err"
done
t2=$(now)
"$py" -c "
import sys
t0, t1, t2 = map(float, sys.argv[1:4])
per_user = (t2 - t1) / 100 + (t1 - t0) / 1000
print('%-36s %5d users %7.2f s %8.1f users/s  (list-users, every page: %.2f s; admin-get-user: %.3f s each; extrapolated to 1000 users: %.0f s)' % ('aws CLI shell loop (100 users)', 100, t2 - t0, 1 / per_user, t1 - t0, (t2 - t1) / 100, per_user * 1000))
" "$t0" "$t1" "$t2"
