#!/bin/sh
# sync-user.sh BUILD: `cognito-mfa sync` with sync_user, against the
# loopback AWS mock (tests/data/aws_mock.py): a real system user made for
# the test (useradd --system, removed on exit), root sharing the store
# with it and dropping to it before the first request (observed in
# /proc/PID/status while the request is in flight), the modes and owners
# of the shared store, the sync run directly as that user (refused, 253,
# before root shared the store; working after), what the user cannot do
# to root's part of the store (read totp/ state/, rename or remove root's
# entries in the sticky root, plant a name root reads), and the module
# (pamtester) logging a user in from the cache the user wrote, refusing a
# third uid's pool.json and a store root that is group-writable without
# the sticky bit, world-writable, or of another group; root's part of the
# sync needs no capability beyond the unit's CAP_CHOWN, CAP_SETUID and
# CAP_SETGID.  Root only.
#
# The mock runs on 127.0.0.1 (a port above 2000) in a temporary
# directory, killed by its PID on exit; /etc/pam.d/<random> and the user
# are removed on exit, even on failure.
suite=sync-user
. "$(dirname "$0")/lib.sh"
build=${1:-build}
top=$(pwd)
cli=$top/$build/cognito-mfa
so=$top/$build/pam_cognito_mfa.so
py=/usr/bin/python3

if [ "$(id -u)" -ne 0 ]; then
	skip sync_user_tests "needs root (useradd, chown)"
	finish; exit
fi
for t in useradd userdel runuser setpriv ss; do
	if ! command -v $t >/dev/null 2>&1; then
		skip sync_user_tests "needs $t"
		finish; exit
	fi
done
if [ ! -x "$cli" ] || [ ! -x "$py" ]; then
	skip sync_user_tests "needs $cli and $py"
	finish; exit
fi

tmp=$(mktemp -d /tmp/cmfa-sync-user.XXXXXX) || exit 1
mock_pid= bg_pid= etcfile= U=
cleanup() {
	[ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null
	[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null
	[ -n "$etcfile" ] && rm -f "$etcfile"
	[ -n "$U" ] && userdel "$U" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
# the sync user opens the store and the config through $tmp (every
# directory is opened O_RDONLY on the way, as /etc and /var/lib are)
chmod 0755 "$tmp"

U=cmfa-sync-$(tr -dc 'a-z' </dev/urandom | head -c 8)
if ! useradd --system --no-create-home --shell /usr/sbin/nologin "$U" \
    2>"$tmp/useradd.err"; then
	skip sync_user_tests "useradd failed: $(head -c 200 "$tmp/useradd.err")"
	U=
	finish; exit
fi
uid=$(id -u "$U") gid=$(id -g "$U") grp=$(id -gn "$U")

d=$tmp/mock
S=$tmp/store
mkdir -m 0700 "$d"
P=eu-west-1_SyncUser1
secret=mockSyncUserSecret0123456789abcdefghijAB
cat >"$d/creds.json" <<EOF
[{"AccessKeyId": "AKIDMOCKSYNCUSER", "SecretAccessKey": "$secret"}]
EOF
# OPTIONAL: a user without MFA is let through (PAM_IGNORE, then
# pam_permit), a user with TOTP preferred is challenged
cat >"$d/state.json" <<EOF
{"pools": {"$P": {
  "MfaConfig": {"MfaConfiguration": "OPTIONAL",
   "SoftwareTokenMfaConfiguration": {"Enabled": true}},
  "UserPool": {"Id": "$P", "Name": "sync user pool"},
  "Users": [
   {"Username": "alice", "Enabled": true, "UserStatus": "CONFIRMED",
    "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}],
    "UserMFASettingList": ["SOFTWARE_TOKEN_MFA"],
    "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA"},
   {"Username": "bob", "Enabled": true, "UserStatus": "CONFIRMED",
    "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}]}],
  "GenerateUsers": {"count": 20, "prefix": "user"}}}}
EOF
: >"$d/faults.json"

if ! mock_start "$d" "$tmp/mock.err"; then
	fail mock_started "no port: $(head -c 300 "$tmp/mock.err")"; finish; exit
fi
ep=http://127.0.0.1:$port

# credentials from the environment: they survive the drop (HOME does not)
export HOME="$tmp" AWS_EC2_METADATA_DISABLED=true \
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
	AWS_PAGER= LC_ALL=C.UTF-8 \
	AWS_ACCESS_KEY_ID=AKIDMOCKSYNCUSER AWS_SECRET_ACCESS_KEY=$secret
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL AWS_MAX_ATTEMPTS \
	AWS_RETRY_MODE AWS_REGION AWS_DEFAULT_REGION \
	AWS_CONTAINER_CREDENTIALS_FULL_URI \
	AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_WEB_IDENTITY_TOKEN_FILE \
	AWS_ROLE_ARN 2>/dev/null

conf=$tmp/cmfa.conf
wconf() { # wconf [EXTRA LINES]: 0644, root's, readable by the sync user
	printf 'store = %s\nuser_pool_id = %s\nec2_metadata_disabled = yes\nsync_max_rps = 100\n%s' \
		"$S" "$P" "${1:-}" >"$conf"
	chmod 0644 "$conf"
}
wconf "sync_user = $U
"
# sync [ARGS]: as root; as_user [ARGS]: as the sync user; rc, out, err
sync() {
	"$cli" --config "$conf" --endpoint-url "$ep" sync "$@" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
}
as_user() {
	runuser -u "$U" -- "$cli" --config "$conf" --endpoint-url "$ep" \
		sync "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
c() { "$cli" --config "$conf" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
okrc() { # okrc NAME WANT CMD...
	n=$1 want=$2
	shift 2
	if [ "$rc" -eq "$want" ] && "$@"; then pass "$n"
	else fail "$n" "exit $rc: $(head -c 400 "$tmp/err" | tr '\n' '|') $(head -c 200 "$tmp/out" | tr '\n' ' ')"; fi
}
# is PATH OWNER:GROUP MODE
is() {
	got=$(stat -c '%U:%G %a' "$1" 2>/dev/null)
	[ "$got" = "$2 $3" ] || { echo "  $1: $got, want $2 $3" >&2; return 1; }
}
j() { # j FILE EXPR: Python's truth of EXPR over d = the JSON in FILE
	"$py" -c "import json,sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if ($2) else 1)" "$1" 2>/dev/null
}
explain_is() { # explain_is USER PYEXPR (as root)
	"$cli" --config "$conf" explain --username "$1" >"$tmp/ex" 2>"$tmp/ex.err"
	j "$tmp/ex" "$2"
}
summary_ok() {
	grep -Eqx 'synced [0-9]+ users, removed [0-9]+, skipped [0-9]+, [0-9]+ requests, [0-9]+\.[0-9] s' "$tmp/out"
}
# as U CMD...: CMD as the sync user must FAIL (and, with EPERM, say so)
denied() { ! runuser -u "$U" -- "$@" >/dev/null 2>"$tmp/denied"; }
eperm() { denied "$@" && grep -q 'Operation not permitted' "$tmp/denied"; }

# ---------------------------------------------------------------------------
# before root shared the store: the user's sync refuses, cleanly

as_user
okrc user_before_store_253 253 grep -q "sync_user is $U: the store .* is not shared with it (.*); run \`cognito-mfa sync\` once as root" "$tmp/err"
ok user_before_store_one_line [ "$(grep -c . "$tmp/err")" -eq 1 ]
ok user_before_store_nothing_made [ ! -e "$S" ]
# a store root made (by a local command), not shared yet
c status
ok root_store_made is "$S" root:root 700
setpriv --reuid="$uid" --regid="$gid" --init-groups -- \
	"$cli" --config "$conf" --endpoint-url "$ep" sync >"$tmp/out" 2>"$tmp/err"
rc=$?
okrc user_before_share_253 253 grep -q "not shared with it" "$tmp/err"
ok user_before_share_no_status [ ! -e "$S/sync-status.json" ]
# anyone but root and the sync user: refused
runuser -u nobody -- "$cli" --config "$conf" --endpoint-url "$ep" sync \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
okrc third_user_refused 253 grep -q "run the sync as root .* or as $U" "$tmp/err"

# ---------------------------------------------------------------------------
# root: shares the store, drops to the user before the first request

# the first request waits 3 s at the mock: long enough to look at the
# process while its connection is open
printf '[{"op": "GetUserPoolMfaConfig", "delay_ms": 3000, "times": 1}]\n' \
	>"$d/faults.json"
"$cli" --config "$conf" --endpoint-url "$ep" --debug sync \
	>"$tmp/bg.out" 2>"$tmp/bg.err" &
bg_pid=$!
seen=
i=0
while [ $i -lt 100 ] && kill -0 "$bg_pid" 2>/dev/null; do
	if ss -Htnp state established "( dport = :$port )" 2>/dev/null |
	    grep -q "pid=$bg_pid,"; then
		# the connection is open: who is the process now?
		grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapAmb|NoNewPrivs):' \
			"/proc/$bg_pid/status" >"$tmp/status" 2>/dev/null && seen=1
		break
	fi
	sleep 0.05; i=$((i + 1))
done
wait "$bg_pid"
rc=$?
bg_pid=
: >"$d/faults.json"
cp "$tmp/bg.err" "$tmp/err"; cp "$tmp/bg.out" "$tmp/out"
okrc root_sync 0 summary_ok
if [ -n "$seen" ]; then
	ok in_flight_uid grep -Eq "^Uid:\s+$uid\s+$uid\s+$uid\s+$uid\$" "$tmp/status"
	ok in_flight_gid grep -Eq "^Gid:\s+$gid\s+$gid\s+$gid\s+$gid\$" "$tmp/status"
	ok in_flight_no_groups grep -Eq '^Groups:\s*$' "$tmp/status"
	ok in_flight_no_caps [ "$(grep -Ec '^Cap(Inh|Prm|Eff|Amb):\s+0+$' "$tmp/status")" -eq 4 ]
	ok in_flight_no_new_privs grep -Eq '^NoNewPrivs:\s+1$' "$tmp/status"
else
	fail in_flight_seen "no open connection of PID $bg_pid seen"
fi
# --debug: the drop comes before the client is even made
ok debug_dropped grep -q "debug: sync: dropped privileges to uid $uid gid $gid ($U): no capability, no_new_privs" "$tmp/err"
ok debug_drop_before_api sh -c "grep -n 'dropped privileges\|debug: API ' '$tmp/err' | head -n 1 | grep -q 'dropped privileges'"

# the shared store: modes and owners
ok mode_root is "$S" "root:$grp" 1770
ok mode_format is "$S/format" root:root 644
ok mode_pool is "$S/pool.json" "$U:$grp" 600
ok mode_user_pool is "$S/user-pool.json" "$U:$grp" 600
ok mode_status is "$S/sync-status.json" "$U:$grp" 600
ok mode_users is "$S/users" "$U:$grp" 700
ok mode_record is "$S/users/bob.json" "$U:$grp" 600
for p in totp pending state lock; do
	ok "mode_$p" is "$S/$p" root:root 700
done
ok records_written [ "$(ls "$S/users" | grep -c '\.json$')" -eq 22 ]
ok status_ok j "$S/sync-status.json" 'd["Result"] == "ok" and d["Synced"] == 22'

# the CLI as root reads the user's cache
c status
okrc status_healthy 0 j "$tmp/out" 'd["Healthy"] is True and d["Cache"]["Users"] == 22'
ok explain_trusts explain_is bob 'd["PamResult"] == "PAM_IGNORE"'

# ---------------------------------------------------------------------------
# the module logs a user in from the cache the user wrote

pam_name=cmfa-sync-user-$(tr -dc 'a-z' </dev/urandom | head -c 8)
if command -v pamtester >/dev/null 2>&1 && [ -f "$so" ]; then
	set -C
	if { printf 'auth required %s config=%s\nauth required pam_permit.so\naccount required pam_permit.so\n' \
	    "$so" "$conf" >"/etc/pam.d/$pam_name"; } 2>/dev/null; then
		etcfile=/etc/pam.d/$pam_name
	fi
	set +C
fi
pt() { # pt USER: pamtester authenticate; $tmp/pt
	preload=
	if readelf -d "$so" 2>/dev/null | grep -q 'NEEDED.*libasan'; then
		preload="LD_PRELOAD=$(${CC:-cc} -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0"
	fi
	env $preload pamtester "$pam_name" "$1" authenticate \
		</dev/null >"$tmp/pt" 2>&1
}
module() { # module NAME USER WANT(ok|unavail|denied)
	if [ -z "$etcfile" ]; then
		skip "$1" "needs pamtester, $so and a new /etc/pam.d file"
		return
	fi
	pt "$2"
	case $3 in
	ok) ok "$1" grep -q 'successfully authenticated' "$tmp/pt" ;;
	unavail) ok "$1" grep -q 'Authentication service cannot retrieve authentication info' "$tmp/pt" ;;
	esac
}
module module_logs_in 'bob' ok

# ---------------------------------------------------------------------------
# the sync run directly as the user, after root shared the store

touch -d '1 hour ago' "$S/pool.json" "$S/users/bob.json"
as_user
okrc user_sync 0 summary_ok
ok user_sync_rewrote sh -c "[ \$(( \$(date +%s) - \$(stat -c %Y '$S/users/bob.json') )) -lt 600 ] && [ \$(( \$(date +%s) - \$(stat -c %Y '$S/pool.json') )) -lt 600 ]"
ok user_sync_owners eval 'is "$S/pool.json" "$U:$grp" 600 && is "$S/sync-status.json" "$U:$grp" 600 && is "$S" "root:$grp" 1770'
setpriv --reuid="$uid" --regid="$gid" --init-groups -- \
	"$cli" --config "$conf" --endpoint-url "$ep" --debug sync \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
okrc user_sync_setpriv 0 grep -q "debug: sync: running as uid $uid gid $gid ($U): no capability, no_new_privs" "$tmp/err"
module module_after_user_sync 'bob' ok
# a removal, as the user
printf '{"Username": "gone", "Enabled": true}' >"$S/users/gone.json"
chown -h "$U:$grp" "$S/users/gone.json"; chmod 600 "$S/users/gone.json"
as_user
okrc user_sync_removes 0 j "$S/users/gone.json" 'd["CmfaRemovedReason"] == "not-in-pool"'

# ---------------------------------------------------------------------------
# what the user cannot do to root's part of the store

printf 'JBSWY3DPEHPK3PXP\n' >"$S/totp/alice"
chmod 600 "$S/totp/alice"
ok user_cannot_read_totp denied cat "$S/totp/alice"
ok user_cannot_list_totp denied ls "$S/totp"
ok user_cannot_list_state denied ls "$S/state"
ok user_cannot_list_lock denied ls "$S/lock"
ok user_cannot_rename_format eperm mv "$S/format" "$S/format.x"
ok user_cannot_remove_format eperm rm -f "$S/format"
ok user_cannot_rename_totp eperm mv "$S/totp" "$S/totp.x"
ok user_cannot_remove_state eperm rm -rf "$S/state"
runuser -u "$U" -- sh -c "printf '2\n' >'$S/f2'" 2>/dev/null
ok user_cannot_replace_format eperm mv -f "$S/f2" "$S/format"
runuser -u "$U" -- rm -f "$S/f2"
ok root_entries_intact eval 'is "$S/format" root:root 644 && [ "$(cat "$S/format")" = 1 ] && is "$S/totp" root:root 700 && is "$S/state" root:root 700'
# a name root reads later, planted by the user: refused, not believed
runuser -u "$U" -- sh -c "printf 'eu-west-1_Planted\n' >'$S/pool-id'"
c --local get-user-pool-mfa-config --user-pool-id eu-west-1_Planted
okrc planted_pool_id_refused 253 grep -q 'pool-id' "$tmp/err"
rm -f "$S/pool-id"
# its own pool.json as a symlink (to a valid document of its own): the
# module refuses it, the next sync replaces it
cp "$S/pool.json" "$tmp/decoy.json"
chown -h "$U:$grp" "$tmp/decoy.json"
runuser -u "$U" -- sh -c "ln -s '$tmp/decoy.json' '$S/pool.json.l' && mv -f '$S/pool.json.l' '$S/pool.json'"
ok symlink_planted [ -L "$S/pool.json" ]
module symlink_pool_refused 'bob' unavail
as_user
okrc symlink_pool_replaced 0 eval 'summary_ok && is "$S/pool.json" "$U:$grp" 600 && [ ! -L "$S/pool.json" ]'
# never chown through a symlink below
[ -L "$S/pool.json" ] && rm -f "$S/pool.json"

# ---------------------------------------------------------------------------
# trust: a third uid, the root's mode and group, sync_user taken away

chown -h 1:1 "$S/pool.json"
module third_uid_pool_refused 'bob' unavail
ok third_uid_explain explain_is bob 'd["PamResult"] == "PAM_AUTHINFO_UNAVAIL"'
sync
okrc third_uid_root_refuses 253 grep -q "cannot share the store .*: pool.json: " "$tmp/err"
chown -h "$U:$grp" "$S/pool.json"
chmod 0770 "$S"
module group_write_no_sticky_refused 'bob' unavail
chmod 1777 "$S"
module other_write_refused 'bob' unavail
chmod 1770 "$S"
chgrp 1 "$S"
module other_group_refused 'bob' unavail
as_user
okrc other_group_user_253 253 grep -q "not shared with it" "$tmp/err"
chgrp "$gid" "$S"
module shared_again_ok 'bob' ok
# sync_user taken away from the config: a group-writable root is refused
wconf
module no_sync_user_refused 'bob' unavail
ok no_sync_user_explain explain_is bob 'd["PamResult"] == "PAM_AUTHINFO_UNAVAIL"'
wconf "sync_user = $U
"

# root wrote pool.json (a local command): the user cannot replace it, so
# its sync refuses; root's sync shares it again
chown -h 0:0 "$S/pool.json"
as_user
okrc root_pool_user_253 253 grep -q "not shared with it (pool.json)" "$tmp/err"
# ... with no capability but the unit's bounding set (CAP_CHOWN,
# CAP_SETUID, CAP_SETGID), each of which it needs
capsync() { # capsync CAPS: root's sync with only CAPS
	setpriv --bounding-set="-all$1" -- "$cli" --config "$conf" \
		--endpoint-url "$ep" sync >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
capsync ,+setuid,+setgid
okrc reshare_needs_chown 253 grep -q "cannot share the store .*: pool.json: " "$tmp/err"
ok reshare_no_chown_no_status [ "$(stat -c %U "$S/pool.json")" = root ]
capsync ,+chown,+setgid
okrc drop_needs_setuid 253 grep -q "sync_user is $U: cannot drop to it: " "$tmp/err"
capsync ,+chown,+setuid,+setgid
okrc root_reshares_unit_caps 0 eval 'summary_ok && is "$S/pool.json" "$U:$grp" 600'
sync
okrc root_idempotent 0 eval 'summary_ok && is "$S" "root:$grp" 1770 && is "$S/users" "$U:$grp" 700 && is "$S/totp" root:root 700'
finish
