#!/bin/sh
# sync.sh BUILD: `cognito-mfa sync` and `cognito-mfa status` against the
# loopback AWS mock (tests/data/aws_mock.py, which checks every SigV4
# signature): a pool of 155 users over 3 pages, the D12 mapping (invalid
# names, a system account, collisions through map_attribute), removed
# records and the module's denial, --user, the rate cap (from the mock's
# request times), the summary line, status and its exit codes, the D11
# warning, and the faults of issue 4 (API down mid-sync, a persistent 500
# on one user, a throttling storm, a truncated body, credentials that
# expire during the sync): after each, the previous cache is
# byte-identical or correctly updated, the exit status is non-zero with
# one line, and a login still decides as before.
#
# The mock runs on 127.0.0.1 (a port above 2000) in a temporary
# directory, killed by its PID on exit.
suite=sync
. "$(dirname "$0")/lib.sh"
build=${1:-build}
top=$(pwd)
cli=$top/$build/cognito-mfa
so=$top/$build/pam_cognito_mfa.so
aws=/usr/bin/aws
py=/usr/bin/python3

if [ ! -x "$cli" ] || [ ! -x "$py" ] || [ ! -x "$aws" ]; then
	skip sync_tests "needs $cli, $py and $aws"
	finish; exit
fi

tmp=$(mktemp -d /tmp/cmfa-sync.XXXXXX) || exit 1
mock_pid= syslog_pid= etcfile=
cleanup() {
	[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null
	[ -n "$syslog_pid" ] && kill "$syslog_pid" 2>/dev/null
	[ -n "$etcfile" ] && rm -f "$etcfile"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

d=$tmp/mock
S=$tmp/store
mkdir -p "$d" "$tmp/home"
P=eu-west-1_SyncPool1
P2=eu-west-1_SyncPool2
secret=mockSyncSecret0123456789abcdefghijABCDEFG
user() { # user NAME N [MFA-JSON]: an AdminGetUser object
	printf '{"Username": "%s", "UserAttributes": [
	  {"Name": "sub", "Value": "00000000-0000-4000-8000-00000000%04d"},
	  {"Name": "email", "Value": "%s@example.com"}],
	 "Enabled": true, "UserStatus": "CONFIRMED",
	 "UserCreateDate": 1700000000.5, "UserLastModifiedDate": 1700000000.5%s}' \
		"$1" "$2" "$1" "${3:+, $3}"
}
mapped() { # mapped NAME LINUXNAME: a user of pool 2
	printf '{"Username": "%s", "UserAttributes": [
	  {"Name": "custom:linux_user", "Value": "%s"}],
	 "Enabled": true, "UserStatus": "CONFIRMED"}' "$1" "$2"
}
totp='"UserMFASettingList": ["SOFTWARE_TOKEN_MFA"], "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA"'
cat >"$d/creds.json" <<EOF
[{"AccessKeyId": "AKIDMOCKSYNC", "SecretAccessKey": "$secret"}]
EOF
cat >"$d/state.json" <<EOF
{"pools": {
 "$P": {
  "MfaConfig": {"MfaConfiguration": "ON",
   "SoftwareTokenMfaConfiguration": {"Enabled": true}},
  "UserPool": {"Id": "$P", "Name": "sync pool",
   "AccountRecoverySetting": {"RecoveryMechanisms": [
     {"Priority": 1, "Name": "verified_email"}]}},
  "Users": [$(user alice 1 "$totp"), $(user bob 2), $(user Alice 3),
            $(user carol@example.com 4), $(user daemon 5)],
  "SoftwareTokens": ["alice"],
  "GenerateUsers": {"count": 150, "prefix": "user"}},
 "$P2": {
  "MfaConfig": {"MfaConfiguration": "OPTIONAL",
   "SoftwareTokenMfaConfiguration": {"Enabled": true}},
  "UserPool": {"Id": "$P2", "Name": "mapped pool"},
  "Users": [$(mapped u-one shared), $(mapped u-two shared),
            $(mapped u-three erin), $(mapped u-four root),
            {"Username": "u-five", "Enabled": true}]}}}
EOF
: >"$d/faults.json"
: >"$tmp/empty.conf"

if ! mock_start "$d" "$tmp/mock.err"; then
	fail mock_started "no port: $(head -c 300 "$tmp/mock.err")"; finish; exit
fi
ep=http://127.0.0.1:$port

export HOME="$tmp/home" AWS_EC2_METADATA_DISABLED=true \
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
	AWS_DEFAULT_REGION=eu-west-1 AWS_PAGER= LC_ALL=C.UTF-8 \
	AWS_ACCESS_KEY_ID=AKIDMOCKSYNC AWS_SECRET_ACCESS_KEY=$secret \
	AWS_ENDPOINT_URL_STS=$ep
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL AWS_MAX_ATTEMPTS \
	AWS_RETRY_MODE AWS_REGION AWS_CONTAINER_CREDENTIALS_FULL_URI \
	AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_WEB_IDENTITY_TOKEN_FILE \
	AWS_ROLE_ARN 2>/dev/null

conf=$tmp/cmfa.conf
wconf() { # wconf [EXTRA LINES]: the config of the main pool
	printf 'store = %s\nuser_pool_id = %s\nec2_metadata_disabled = yes\nsync_max_rps = 100\n%s' \
		"$S" "$P" "${1:-}" >"$conf"
}
wconf
# sync ARGS: the CLI against the mock; rc, $tmp/out, $tmp/err
sync() {
	"$cli" --config "$conf" --endpoint-url "$ep" sync "$@" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
}
# local ARGS: a local command on the store (status, explain, ...)
c() {
	"$cli" --config "$conf" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
awsm() { "$aws" --endpoint-url "$ep" cognito-idp "$@" >/dev/null 2>&1; }
faults() { printf '%s\n' "$1" >"$d/faults.json"; }
j() { # j FILE EXPR: Python's truth of EXPR over d = the JSON in FILE
	"$py" -c "import json,sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if ($2) else 1)" "$1" 2>/dev/null
}
okrc() { # okrc NAME WANT CMD...
	n=$1 want=$2
	shift 2
	if [ "$rc" -eq "$want" ] && "$@"; then pass "$n"
	else fail "$n" "exit $rc: $(head -c 400 "$tmp/err" | tr '\n' '|') $(head -c 200 "$tmp/out" | tr '\n' ' ')"; fi
}
# the cache's content, for "byte-identical"
sum() {
	(cd "$S" && find . -name '*.json' ! -name sync-status.json -type f |
		sort | xargs sha256sum) 2>/dev/null | sha256sum
}
nusers() { ls "$S/users" | grep -c '\.json$'; }
# count OP: the mock's requests of OP since the log was last cleared
count() { grep -c "\"op\": *\"$1\"" "$d/log.jsonl" 2>/dev/null || true; }
summary_ok() {
	grep -Eqx 'synced [0-9]+ users, removed [0-9]+, skipped [0-9]+, [0-9]+ requests, [0-9]+\.[0-9] s' "$tmp/out"
}
explain_is() { # explain_is USER PYEXPR
	"$cli" --config "$conf" explain --username "$1" >"$tmp/ex" 2>"$tmp/ex.err"
	j "$tmp/ex" "$2"
}

# optional: a /dev/log listener (root, and no syslog socket already)
syslog=$tmp/syslog
if [ "$(id -u)" -eq 0 ] && [ ! -e /dev/log ]; then
	"$py" "$top/tests/e2e/syslog-listener.py" /dev/log "$syslog" \
		2>>"$tmp/syslog.err" &
	syslog_pid=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q 'syslog-listener: ready' \
	    "$syslog" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
	grep -q 'syslog-listener: ready' "$syslog" 2>/dev/null || syslog=
else
	syslog=
fi

# ---------------------------------------------------------------------------
# a full sync: 155 pool users, 3 ListUsers pages

: >"$d/log.jsonl"
sync
okrc full_sync 0 summary_ok
ok summary_counts grep -Eq '^synced 152 users, removed 0, skipped 3, ' "$tmp/out"
ok users_written [ "$(nusers)" -eq 152 ]
ok list_pages [ "$(count ListUsers)" -eq 3 ]
ok admin_get_user_each [ "$(count AdminGetUser)" -eq 152 ]
ok signatures_all_ok sh -c "! grep -q '\"signature_ok\": *false' '$d/log.jsonl'"
ok every_record_parses "$py" -c "
import json, os, sys
dd = sys.argv[1]
for f in os.listdir(dd):
    r = json.load(open(os.path.join(dd, f)))
    assert r['Username'] == f[:-5], f
    assert 'CmfaRemovedFromPool' not in r
" "$S/users"
ok pool_json_raw "$py" -c "
import json, sys
st = json.load(open(sys.argv[1]))['pools'][sys.argv[3]]
assert json.load(open(sys.argv[2])) == st['MfaConfig']
" "$d/state.json" "$S/pool.json" "$P"
ok user_pool_json j "$S/user-pool.json" 'd["UserPool"]["AccountRecoverySetting"]["RecoveryMechanisms"][0]["Name"] == "verified_email"'
ok disabled_user_kept j "$S/users/user000050.json" 'd["Enabled"] is False'
ok skip_upper_case grep -q "skipped Alice: 'Alice' is not a valid Linux user name" "$tmp/err"
ok skip_email grep -q "skipped carol@example.com: " "$tmp/err"
ok skip_system_account grep -q "skipped daemon: 'daemon' is a system account" "$tmp/err"
ok no_record_for_skipped eval '[ ! -e "$S/users/daemon.json" ] && [ ! -e "$S/users/Alice.json" ]'
ok files_0600 sh -c "[ \$(stat -c %a '$S/pool.json') = 600 ] && [ \$(stat -c %a '$S/users/alice.json') = 600 ]"
ok sync_status_ok j "$S/sync-status.json" 'd["Result"] == "ok" and d["Synced"] == 152 and d["Skipped"] == 3 and d["PoolId"] == "'$P'" and d["LastSuccess"] == d["Time"]'
if [ -n "$syslog" ]; then
	ok skips_to_syslog grep -q 'sync of '"$P"': skipped daemon' "$syslog"
else
	skip skips_to_syslog "no /dev/log listener (needs root and no /dev/log)"
fi
ok synced_user_decides explain_is alice 'd["Outcome"] in ("setup-required", "challenge")'
ok synced_user_without_mfa explain_is bob 'd["Outcome"] == "setup-required" and d["PamResult"] == "PAM_PERM_DENIED"'

# the mtime is the sync time: an unchanged file is rewritten
touch -d '2 days ago' "$S/pool.json" "$S/users/bob.json"
sync
okrc resync_rewrites 0 sh -c "[ \$(( \$(date +%s) - \$(stat -c %Y '$S/users/bob.json') )) -lt 600 ] && [ \$(( \$(date +%s) - \$(stat -c %Y '$S/pool.json') )) -lt 600 ]"

# allow_system_users: daemon gets a record; taken away: a removed record
wconf "allow_system_users = daemon
"
sync
okrc system_user_allowed 0 j "$S/users/daemon.json" 'd["Username"] == "daemon" and "CmfaRemovedFromPool" not in d'
wconf
sync
okrc system_user_unmapped 0 j "$S/users/daemon.json" 'd["CmfaRemovedReason"] == "unmapped" and d["Enabled"] is False'
ok system_user_removed_count grep -Eq '^synced 152 users, removed 1, ' "$tmp/out"

# ---------------------------------------------------------------------------
# a user deleted from the pool: a removed record, denied; back: a record

awsm admin-delete-user --user-pool-id "$P" --username bob
sync
okrc removed_record 0 j "$S/users/bob.json" 'd["Username"] == "bob" and d["CmfaRemovedReason"] == "not-in-pool" and d["Enabled"] is False and isinstance(d["CmfaRemovedFromPool"], int)'
first=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["CmfaRemovedFromPool"])' "$S/users/bob.json")
ok removed_user_denied explain_is bob 'd["Outcome"] == "user-denied" and d["Reason"] == "user-removed" and d["PamResult"] == "PAM_PERM_DENIED"'
touch -d '1 hour ago' "$S/users/bob.json"
sync
okrc removed_survives_resync 0 j "$S/users/bob.json" 'd["CmfaRemovedFromPool"] == '"${first:-0}"
ok removed_rewritten sh -c "[ \$(( \$(date +%s) - \$(stat -c %Y '$S/users/bob.json') )) -lt 600 ]"
c status
okrc status_counts_removed 0 j "$tmp/out" 'd["Cache"]["RemovedUsers"] == 2 and d["Healthy"] is True'
awsm admin-create-user --user-pool-id "$P" --username bob
sync
okrc user_back 0 j "$S/users/bob.json" 'd["Username"] == "bob" and "CmfaRemovedFromPool" not in d'

# the real module denies a removed user (libpam + pamtester, as root)
awsm admin-delete-user --user-pool-id "$P" --username user000003
sync
if [ "$(id -u)" -eq 0 ] && command -v pamtester >/dev/null 2>&1 &&
    [ -f "$so" ]; then
	name=cmfa-sync-$(tr -dc 'a-z' </dev/urandom | head -c 10)
	set -C
	if { printf 'auth required %s config=%s\nauth required pam_permit.so\naccount required pam_permit.so\n' \
	    "$so" "$conf" >"/etc/pam.d/$name"; } 2>/dev/null; then
		etcfile=/etc/pam.d/$name
		preload=
		if readelf -d "$so" 2>/dev/null | grep -q 'NEEDED.*libasan'; then
			preload="LD_PRELOAD=$(${CC:-cc} -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0"
		fi
		env $preload pamtester "$name" user000003 authenticate \
			</dev/null >"$tmp/pt" 2>&1
		ok module_denies_removed grep -q 'Permission denied' "$tmp/pt"
	else
		skip module_denies_removed "cannot create a new /etc/pam.d file"
	fi
	set +C
else
	skip module_denies_removed "needs root, pamtester and $so"
fi

# ---------------------------------------------------------------------------
# --user NAME: the pool and that user only

sleep 1 # a second boundary, so an mtime can tell this sync from the last
before=$(stat -c %Y "$S/users/user000010.json")
: >"$d/log.jsonl"
sync --user alice
okrc user_only 0 summary_ok
ok user_only_calls eval '[ "$(count AdminGetUser)" -eq 1 ] && [ "$(count ListUsers)" -eq 0 ] && [ "$(count GetUserPoolMfaConfig)" -eq 1 ]'
ok user_only_others_untouched [ "$(stat -c %Y "$S/users/user000010.json")" -eq "$before" ]
ok user_only_status j "$S/sync-status.json" 'd["Mode"] == "user" and d["Result"] == "ok" and d["Synced"] == 1'
awsm admin-delete-user --user-pool-id "$P" --username user000004
sync --user user000004
okrc user_only_gone 0 j "$S/users/user000004.json" 'd["CmfaRemovedReason"] == "not-in-pool"'

# ---------------------------------------------------------------------------
# the rate cap: AdminGetUser never above N in any 1-second window

: >"$d/log.jsonl"
sync --max-rps 10 --user-pool-id "$P"
okrc rate_sync 0 summary_ok
ok rate_cap_10 "$py" -c "
import json, sys
ts = sorted(r['t'] for r in map(json.loads, open(sys.argv[1])) if r.get('op') == 'AdminGetUser')
assert len(ts) >= 100, len(ts)
# 20 ms for the jitter of the mock's receive times
worst = max(sum(1 for u in ts[i:i + 20] if u < t + 0.98) for i, t in enumerate(ts))
print('max AdminGetUser in 1 s:', worst, file=sys.stderr)
assert worst <= 10, worst
lt = sorted(r['t'] for r in map(json.loads, open(sys.argv[1])) if r.get('op') == 'ListUsers')
assert all(b - a >= 0.35 for a, b in zip(lt, lt[1:])), lt  # 10/4 per s
" "$d/log.jsonl"

# ---------------------------------------------------------------------------
# status: fresh (0), stale (2), failed (2)

c status
okrc status_fresh 0 j "$tmp/out" 'd["Healthy"] is True and d["Problems"] == [] and d["UserPoolId"] == "'$P'" and d["Cache"]["Users"] >= 150 and "PoolConfig" in d["Cache"] and "UserPool" in d["Cache"] and d["LastSync"]["Result"] == "ok" and d["MaxAge"] == 86400 and d["LockedUsers"] == []'
ok status_sorted_keys "$py" -c "
import json, sys
t = open(sys.argv[1]).read()
d = json.loads(t)
assert t == json.dumps(d, indent=4, sort_keys=True, ensure_ascii=False) + '\n'
" "$tmp/out"
touch -d '3 hours ago' "$S/users/user000020.json"
c status --max-age 3600
okrc status_stale_user 2 grep -q 'CRITICAL: the oldest user record is' "$tmp/err"
ok status_stale_json j "$tmp/out" 'd["Healthy"] is False and d["Cache"]["OldestUser"]["Username"] == "user000020" and d["Cache"]["OldestUser"]["AgeSeconds"] >= 10800'
touch -d '2 days ago' "$S/pool.json"
c status
okrc status_stale_default_24h 2 grep -q 'pool.json is [0-9]* s old (max age 86400 s)' "$tmp/err"
wconf "max_age = 259200
"
c status
okrc status_config_max_age 0 j "$tmp/out" 'd["MaxAge"] == 259200'
wconf
sync
c status
okrc status_fresh_again 0 true

# ---------------------------------------------------------------------------
# D11: a sync that lowers the pool's level says so loudly

awsm set-user-pool-mfa-config --user-pool-id "$P" --mfa-configuration OPTIONAL \
	--software-token-mfa-configuration Enabled=true
wconf "mfa_floor = on
"
[ -n "$syslog" ] && : >"$syslog"
sync
okrc d11_lowered_stderr 0 grep -q "WARNING: user pool $P lowered its MFA level from ON to OPTIONAL (this host's mfa_floor: ON)" "$tmp/err"
if [ -n "$syslog" ]; then
	# <84>: LOG_AUTHPRIV | LOG_WARNING
	ok d11_lowered_syslog grep -q "<84>.*user pool $P LOWERED its MFA level from ON to OPTIONAL (this host's mfa_floor: ON)" "$syslog"
else
	skip d11_lowered_syslog "no /dev/log listener (needs root and no /dev/log)"
fi
sync
okrc d11_quiet_when_same 0 sh -c "! grep -q 'lowered' '$tmp/err'"
awsm set-user-pool-mfa-config --user-pool-id "$P" --mfa-configuration ON \
	--software-token-mfa-configuration Enabled=true
wconf
sync
okrc d11_raise_quiet 0 sh -c "! grep -q 'lowered' '$tmp/err'"

# ---------------------------------------------------------------------------
# faults: the last good cache stays (or is correctly updated), one line,
# exit non-zero, and logins still decide

login_ok() {
	explain_is alice 'd["Outcome"] in ("challenge", "setup-required")' &&
		explain_is user000001 'd["PamResult"] != "PAM_AUTHINFO_UNAVAIL"'
}
# the failure is one line (skipped users are reported besides)
one_line() { [ "$(grep -v ': sync: skipped ' "$tmp/err" | grep -c .)" -eq 1 ]; }

# API down mid-sync: every request after the 40th is cut off
good=$(sum)
faults '[{"op": "*", "close": true, "after": 40}]'
sync
okrc down_mid_sync 255 one_line
ok down_cache_identical [ "$(sum)" = "$good" ]
ok down_status_failed j "$S/sync-status.json" 'd["Result"] == "failed" and d["Reason"] != "" and d["LastSuccess"] > 0'
c status
okrc down_status_critical 2 grep -q 'CRITICAL: the last sync failed' "$tmp/err"
ok down_login_works login_ok
faults '[]'
sync
okrc down_recovered 0 summary_ok

# a persistent 500 on one user: that record is left, the rest updated
touch -d '1 hour ago' "$S/users/user000007.json" "$S/users/user000008.json"
u7=$(sha256sum <"$S/users/user000007.json")
faults '[{"op": "AdminGetUser", "username": "user000007", "status": 500, "type": "InternalErrorException", "message": "boom"}]'
sync
okrc one_user_500 254 one_line
ok one_user_500_line grep -q 'InternalErrorException.*AdminGetUser.*boom (user user000007; 1 of' "$tmp/err"
ok one_user_500_left eval '[ "$(sha256sum <"$S/users/user000007.json")" = "$u7" ] && [ "$(stat -c %Y "$S/users/user000007.json")" -lt "$(( $(date +%s) - 600 ))" ]'
ok one_user_500_others_updated sh -c "[ \$(( \$(date +%s) - \$(stat -c %Y '$S/users/user000008.json') )) -lt 600 ]"
ok one_user_500_not_removed sh -c "! grep -q CmfaRemoved '$S/users/user000007.json'"
ok one_user_500_status j "$S/sync-status.json" 'd["Result"] == "failed" and d["Failed"] == 1 and "user000007" in d["Reason"]'
ok one_user_500_login login_ok

# a throttling storm: retried, slower; completes, or fails cleanly
faults '[{"op": "AdminGetUser", "status": 400, "type": "TooManyRequestsException", "message": "Rate exceeded", "times": 60}]'
good=$(sum)
: >"$d/log.jsonl"
sync --max-rps 50
if [ "$rc" -eq 0 ]; then
	ok throttle_completes eval '[ "$(grep -c "\"status\": *400" "$d/log.jsonl")" -eq 60 ] && summary_ok'
else
	ok throttle_fails_cleanly eval 'one_line && [ "$(sum)" = "$good" ]'
fi
ok throttle_login login_ok
# a short burst (one throttled answer for each of 8 users; per user, so
# that a retry landing among the first requests on a loaded machine
# cannot be throttled again): each is retried once and the sync completes
faults "[$(for i in 11 12 13 14 15 16 17 18; do
	printf '%s{"op": "AdminGetUser", "username": "user0000%d", "status": 400, "type": "TooManyRequestsException", "message": "Rate exceeded", "times": 1}' \
	    "$([ "$i" -gt 11 ] && echo ,)" "$i"
done)]"
: >"$d/log.jsonl"
sync --max-rps 50
okrc throttle_burst_retried 0 eval 'summary_ok && [ "$(grep -c "\"status\": *400" "$d/log.jsonl")" -eq 8 ] && [ "$(count AdminGetUser)" -eq $(( $(sed -n "s/^synced \([0-9]*\) users.*/\1/p" "$tmp/out") + 8 )) ]'

# a truncated body on every ListUsers page after the first
faults '[{"op": "ListUsers", "truncate": true, "after": 1}]'
good=$(sum)
sync
okrc truncated_body 255 one_line
ok truncated_cache_identical [ "$(sum)" = "$good" ]
ok truncated_login login_ok
# once: retried, and the sync completes
faults '[{"op": "ListUsers", "truncate": true, "times": 1}]'
sync
okrc truncated_once_retried 0 summary_ok
faults '[]'

# credentials expiring during the sync: STS credentials from an
# assume-role profile, the mock issuing them for 2 seconds
role=arn:aws:iam::123456789012:role/cmfa-sync
printf '{"%s": {}}\n' "$role" >"$d/roles.json"
echo 2 >"$d/sts-expiry-seconds"
cat >"$tmp/aws-config" <<EOF
[profile base]
region = eu-west-1
[profile syncrole]
role_arn = $role
source_profile = base
EOF
cat >"$tmp/aws-creds" <<EOF
[base]
aws_access_key_id = AKIDMOCKSYNC
aws_secret_access_key = $secret
EOF
chmod 600 "$tmp/aws-creds" "$tmp/aws-config"
wconf "aws_profile = syncrole
aws_config_file = $tmp/aws-config
aws_shared_credentials_file = $tmp/aws-creds
"
good=$(sum)
: >"$d/log.jsonl"
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
 "$cli" --config "$conf" --endpoint-url "$ep" sync --max-rps 40 \
	>"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
rc=$(cat "$tmp/rc")
if grep -q '"op": *"AssumeRole"' "$d/log.jsonl"; then
	keys=$("$py" -c "
import json, sys
print(len({r['access_key'] for r in map(json.loads, open(sys.argv[1])) if r.get('op') == 'AdminGetUser'}))" "$d/log.jsonl")
	if [ "$rc" -eq 0 ]; then
		ok creds_expire_refreshed eval '[ "${keys:-0}" -ge 2 ] && summary_ok'
	else
		ok creds_expire_fails_cleanly eval 'one_line && [ "$(sum)" = "$good" ]'
	fi
	ok creds_expire_login login_ok
else
	skip creds_expire "no AssumeRole (assume-role profiles unsupported?): $(head -c 200 "$tmp/err" | tr '\n' '|')"
fi
rm -f "$d/sts-expiry-seconds" "$d/roles.json"
wconf

# ---------------------------------------------------------------------------
# map_attribute: a collision skips both, root is refused, no attribute
# is refused

S2=$tmp/store2
printf 'store = %s\nuser_pool_id = %s\nec2_metadata_disabled = yes\nmap_attribute = custom:linux_user\nmap_attribute_admin_only = yes\n' \
	"$S2" "$P2" >"$tmp/c2.conf"
"$cli" --config "$tmp/c2.conf" --endpoint-url "$ep" sync >"$tmp/out" 2>"$tmp/err"
rc=$?
okrc mapped_sync 0 grep -Eq '^synced 1 users, removed 0, skipped 4, ' "$tmp/out"
ok mapped_erin j "$S2/users/erin.json" 'd["Username"] == "u-three"'
ok collision_both_skipped sh -c "grep -q 'skipped u-one: another pool user maps to the Linux name .shared.' '$tmp/err' && grep -q 'skipped u-two: another pool user maps' '$tmp/err' && [ ! -e '$S2/users/shared.json' ]"
ok mapped_root_refused grep -q "skipped u-four: 'root' is a system account" "$tmp/err"
ok mapped_no_attribute grep -q "skipped u-five: no custom:linux_user attribute" "$tmp/err"
# a record for a name that collides later becomes a removed record
printf '{"Username": "u-one"}' >"$S2/users/shared.json"
chmod 600 "$S2/users/shared.json"
"$cli" --config "$tmp/c2.conf" --endpoint-url "$ep" sync >"$tmp/out" 2>"$tmp/err"
rc=$?
okrc collision_marks_removed 0 j "$S2/users/shared.json" 'd["CmfaRemovedReason"] == "name-collision"'
# --user with a filterable attribute (sub) vs. a custom one: full listing
: >"$d/log.jsonl"
"$cli" --config "$tmp/c2.conf" --endpoint-url "$ep" sync --user erin >"$tmp/out" 2>"$tmp/err"
rc=$?
okrc mapped_user_only 0 sh -c "[ $(count AdminGetUser) -eq 1 ]"

# sync_user (the sync as an unprivileged user, the shared store): see
# tests/sh/sync-user.sh

# the progress line: on a terminal only (script(1) gives it one)
sync
okrc no_progress_without_tty 0 sh -c "! grep -q 'users\\r\\|[0-9]/[0-9]* users' '$tmp/err'"
if command -v script >/dev/null 2>&1; then
	script -qec "'$cli' --config '$conf' --endpoint-url '$ep' sync" \
		/dev/null >"$tmp/tty" 2>&1 </dev/null
	ok progress_on_tty grep -q "$(printf '\r')cognito-mfa: sync: [0-9]*/[0-9]* users" "$tmp/tty"
else
	skip progress_on_tty "script(1) missing"
fi

# bad options
sync --max-rps 0
okrc max_rps_range 252 grep -q -- "--max-rps" "$tmp/err"
"$cli" --config "$tmp/empty.conf" --store "$S" --endpoint-url "$ep" sync \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
okrc no_pool_id 253 grep -q 'No user pool' "$tmp/err"
sync --local
okrc local_refused 253 grep -q -- '--local contradicts it' "$tmp/err"
finish
