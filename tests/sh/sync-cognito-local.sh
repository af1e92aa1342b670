#!/bin/sh
# sync-cognito-local.sh BUILD: `cognito-mfa sync` end to end against a
# real Cognito API peer, cognito-local 5.3.0 (tests/cognito-local):
# /usr/bin/aws creates the pool and its users, cognito-mfa sets the
# pool's MFA configuration through the API, the sync fills a store, a
# user enrolls a TOTP authenticator locally on that store (oathtool plays
# the phone), and the built pam_cognito_mfa.so, run by pamtester through
# a temporary /etc/pam.d service (root only), logs alice in with her code
# and refuses a wrong one, refuses bob (no factor: set-up required) and,
# after bob is deleted from the pool and the sync ran again, refuses him
# as removed.
suite=sync-cognito-local
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cognito-local-lib.sh"
build=${1:-build}
top=$(pwd)
cli=$top/$build/cognito-mfa
so=$top/$build/pam_cognito_mfa.so
aws=/usr/bin/aws
py=/usr/bin/python3

cl_suite sync-cl "$aws" "$py" "$cli"
cl_aws_env "$tmp/home"
mkdir -p "$tmp/home"
ep=$cl_url
a() { "$aws" --endpoint-url "$ep" cognito-idp "$@"; }
js() { "$py" -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

P=$(a create-user-pool --pool-name cmfa-sync | js 'd["UserPool"]["Id"]')
if [ -z "$P" ]; then
	fail pool_created "create-user-pool gave no id"
	finish; exit
fi
pass pool_created
for u in alice bob; do
	a admin-create-user --user-pool-id "$P" --username "$u" \
		--message-action SUPPRESS \
		--user-attributes Name=email,Value="$u@example.com" \
		>/dev/null 2>>"$tmp/aws.err" || fail "create_$u" "$(cat "$tmp/aws.err")"
done

S=$tmp/store
conf=$tmp/cmfa.conf
printf 'store = %s\nuser_pool_id = %s\nregion = us-east-1\nec2_metadata_disabled = yes\n' \
	"$S" "$P" >"$conf"
chmod 600 "$conf"

# the pool's MFA configuration, set through the API by cognito-mfa
"$cli" --config "$conf" --endpoint-url "$ep" set-user-pool-mfa-config \
	--user-pool-id "$P" --mfa-configuration ON \
	--software-token-mfa-configuration Enabled=true >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ]; then
	pass set_mfa_config_api
else
	fail set_mfa_config_api "exit $rc: $(head -c 300 "$tmp/err" | tr '\n' '|')"
	a set-user-pool-mfa-config --user-pool-id "$P" \
		--mfa-configuration ON \
		--software-token-mfa-configuration Enabled=true >/dev/null
fi

"$cli" --config "$conf" --endpoint-url "$ep" sync >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -Eq '^synced 2 users, removed 0, skipped 0, ' "$tmp/out"; then
	pass sync
else
	fail sync "exit $rc: $(head -c 300 "$tmp/err" | tr '\n' '|') $(cat "$tmp/out")"
fi
ok pool_synced "$py" -c "
import json, sys
assert json.load(open(sys.argv[1]))['MfaConfiguration'] == 'ON'" "$S/pool.json"
ok users_synced "$py" -c "
import json, sys
for u in ('alice', 'bob'):
    assert json.load(open(sys.argv[1] + '/users/' + u + '.json'))['Username'] == u" "$S"
"$cli" --config "$conf" status >"$tmp/out" 2>"$tmp/err"
ok status_healthy [ $? -eq 0 ]

# alice enrolls a TOTP authenticator on this host (the local store)
"$cli" --local --store "$S" associate-software-token --username alice \
	>"$tmp/assoc" 2>"$tmp/err"
secret=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecretCode"])' "$tmp/assoc" 2>/dev/null)
"$cli" --local --store "$S" verify-software-token --username alice \
	--user-code "$(oathtool --totp -b "$secret")" >"$tmp/out" 2>"$tmp/err"
rc=$?
ok totp_enrolled eval '[ "$rc" -eq 0 ] && [ -n "$secret" ]'
"$cli" --config "$conf" explain --username alice >"$tmp/out" 2>"$tmp/err"
ok explain_challenge "$py" -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['Outcome'] == 'challenge' and d['Factor'] == 'SOFTWARE_TOKEN_MFA', d" "$tmp/out"

# a real PAM login on the synced cache
if [ "$(id -u)" -ne 0 ] || ! command -v pamtester >/dev/null 2>&1 ||
    [ ! -f "$so" ]; then
	skip pam_login "needs root, pamtester and $so"
	finish; exit
fi
name=cmfa-synccl-$(tr -dc 'a-z' </dev/urandom | head -c 10)
set -C
if ! { printf 'auth required %s config=%s\nauth required pam_permit.so\naccount required pam_permit.so\n' \
    "$so" "$conf" >"/etc/pam.d/$name"; } 2>/dev/null; then
	set +C
	skip pam_login "cannot create a new /etc/pam.d file"
	finish; exit
fi
set +C
etcfile=/etc/pam.d/$name
preload=
if readelf -d "$so" 2>/dev/null | grep -q 'NEEDED.*libasan'; then
	preload="LD_PRELOAD=$(${CC:-cc} -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0"
fi
pt() { # pt USER INPUT: pamtester's last line
	printf '%s\n' "$2" | env $preload pamtester "$name" "$1" authenticate \
		2>&1 | tail -n 1
}
# a wrong code first (the current step was spent by verify: use the next)
next=$(date -u -d "@$(( $(date +%s) + 30 ))" '+%Y-%m-%d %H:%M:%S UTC')
code=$(oathtool --totp -b -N "$next" "$secret")
wrong=$(awk -v c="$code" 'BEGIN { printf "%06d", (c + 1) % 1000000 }')
case $(pt alice "$wrong") in
*"successfully authenticated"* | "") fail pam_wrong_code_refused ;;
*) pass pam_wrong_code_refused ;;
esac
case $(pt alice "$code") in
*"successfully authenticated"*) pass pam_login_alice ;;
*) fail pam_login_alice ;;
esac
case $(pt bob "") in
*"Permission denied"*) pass pam_bob_setup_required ;;
*) fail pam_bob_setup_required ;;
esac
a admin-delete-user --user-pool-id "$P" --username bob >/dev/null
"$cli" --config "$conf" --endpoint-url "$ep" sync >"$tmp/out" 2>"$tmp/err"
ok resync_removes_bob grep -Eq '^synced 1 users, removed 1, ' "$tmp/out"
"$cli" --config "$conf" explain --username bob >"$tmp/out" 2>"$tmp/err"
ok explain_bob_removed grep -q '"Reason": "user-removed"' "$tmp/out"
case $(pt bob "") in
*"Permission denied"*) pass pam_bob_removed_denied ;;
*) fail pam_bob_removed_denied ;;
esac
finish
