#!/bin/sh
# api-cognito-local.sh BUILD: cognito-mfa against a real Cognito API peer,
# cognito-local 5.3.0 (tests/cognito-local, pinned), next to Debian's AWS
# CLI (/usr/bin/aws) on the same endpoint.
#
# /usr/bin/aws creates the pool, the app client and a signed-in user's
# access token; cognito-mfa --endpoint-url runs the commands.  Reads are
# run by both on the same state and must agree: same exit code, same
# stdout (the AWS CLI's JSON with keys sorted, as ours are), same stderr
# (error lines such as UserNotFoundException).  Writes are run by us and
# read back by both.  cognito-local is not Cognito (it merges
# SetUserPoolMfaConfig, has no AdminSetUserMFAPreference, no paging, no
# signature checks): what it does differently is compared with the AWS CLI
# on it, never asserted as Cognito's semantics; tests/sh/api-mock.sh covers
# what it lacks.
#
# Tokens and codes go through --cli-input-json file://... (argv is seen
# in ps), once through --access-token too.  share_cognito_totp = yes
# (DESIGN.md D3) is checked end to end: Cognito's secret pending, then
# active, in a private store, and never in a --debug line.
suite=api-cognito-local
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cognito-local-lib.sh"
build=${1:-build}
top=$(pwd)
cli=$top/$build/cognito-mfa
aws=/usr/bin/aws
py=/usr/bin/python3
util=$top/tests/data/cli_util.py

cl_suite api-cl "$aws" "$py"
pass cognito_local_started
cl_aws_env "$tmp"
export LC_ALL=C.UTF-8 TZ=Asia/Kolkata

printf 'ec2_metadata_disabled = yes\nstore = %s\n' "$tmp/store" \
	>"$tmp/base.conf"
printf 'ec2_metadata_disabled = yes\nstore = %s\nregion = us-east-1\nshare_cognito_totp = yes\n' \
	"$tmp/shared" >"$tmp/share.conf"
chmod 600 "$tmp/base.conf" "$tmp/share.conf"

# ours ARGS...: cognito-mfa on the endpoint -> o.out, o.err, $orc
ours() {
	"$cli" --config "$tmp/base.conf" --endpoint-url "$cl_url" "$@" \
		>"$tmp/o.out" 2>"$tmp/o.err"
	orc=$?
}

# theirs ARGS...: the AWS CLI on the endpoint -> a.out, a.err, $arc
theirs() {
	"$aws" --endpoint-url "$cl_url" cognito-idp "$@" \
		>"$tmp/a.out" 2>"$tmp/a.err"
	arc=$?
}

# both NAME ARGS...: the same command line through both, compared.
both() {
	name=$1
	shift
	ours "$@"
	theirs "$@"
	why=""
	[ "$orc" -eq "$arc" ] || why="exit $orc != aws $arc"
	case " $* " in
	*" text "*) cp "$tmp/a.out" "$tmp/a.norm" ;;
	*) "$py" "$util" norm <"$tmp/a.out" >"$tmp/a.norm" 2>/dev/null ||
		cp "$tmp/a.out" "$tmp/a.norm" ;;
	esac
	cmp -s "$tmp/o.out" "$tmp/a.norm" ||
		why="$why${why:+; }stdout: $(diff "$tmp/o.out" "$tmp/a.norm" | head -6 | tr '\n' '|')"
	cmp -s "$tmp/o.err" "$tmp/a.err" ||
		why="$why${why:+; }stderr: ours [$(head -c 300 "$tmp/o.err" | tr '\n' '|')] aws [$(head -c 300 "$tmp/a.err" | tr '\n' '|')]"
	if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
}

# res NAME: PASS when the previous command list succeeded
res() {
	if [ $? -eq 0 ]; then
		pass "$1"
	else
		fail "$1" "exit $orc: $(head -c 300 "$tmp/o.err" | tr '\n' '|')"
	fi
}

# get KEY <FILE: a member of a JSON document
get() { "$py" "$util" get "$1"; }

# ---------------------------------------------------------------------------
# the pool and its app client, made by the AWS CLI

theirs create-user-pool --pool-name cmfa-test
P=$("$py" -c 'import json,sys; print(json.load(sys.stdin)["UserPool"]["Id"])' <"$tmp/a.out" 2>/dev/null)
theirs create-user-pool-client --user-pool-id "$P" --client-name cmfa \
	--explicit-auth-flows ALLOW_USER_PASSWORD_AUTH \
	ALLOW_ADMIN_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH
C=$("$py" -c 'import json,sys; print(json.load(sys.stdin)["UserPoolClient"]["ClientId"])' <"$tmp/a.out" 2>/dev/null)
if [ -z "$P" ] || [ -z "$C" ]; then
	fail pool_created "pool '$P' client '$C': $(cat "$tmp/a.err")"
	finish
	exit
fi
pass pool_created

# ---------------------------------------------------------------------------
# the pool's MFA configuration

# SMS left out (off), TOTP on, OPTIONAL; cognito-local merges, so the same
# call twice answers the same
both set_pool_totp_optional set-user-pool-mfa-config --user-pool-id "$P" \
	--software-token-mfa-configuration Enabled=true \
	--mfa-configuration OPTIONAL
both get_pool get-user-pool-mfa-config --user-pool-id "$P"
"$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d.get("MfaConfiguration") == "OPTIONAL" and
         d["SoftwareTokenMfaConfiguration"]["Enabled"] is True else 1)' \
	"$tmp/o.out"
res get_pool_is_totp_optional
both get_pool_text get-user-pool-mfa-config --user-pool-id "$P" \
	--output text
both get_pool_unknown get-user-pool-mfa-config \
	--user-pool-id us-east-1_NoSuchPool
both get_pool_bad_id get-user-pool-mfa-config --user-pool-id ''

# ---------------------------------------------------------------------------
# users

ours admin-create-user --user-pool-id "$P" --username alice \
	--user-attributes Name=email,Value=alice@example.com \
	Name=email_verified,Value=true --message-action SUPPRESS
[ "$orc" -eq 0 ] && [ "$("$py" -c 'import json,sys; print(json.load(sys.stdin)["User"]["Username"])' <"$tmp/o.out")" = alice ]
res create_alice
ours admin-create-user --user-pool-id "$P" --username bob \
	--message-action SUPPRESS
[ "$orc" -eq 0 ]
res create_bob
both create_existing admin-create-user --user-pool-id "$P" \
	--username alice --message-action SUPPRESS
both get_alice admin-get-user --user-pool-id "$P" --username alice
ours admin-update-user-attributes --user-pool-id "$P" --username alice \
	--user-attributes Name=given_name,Value=Alice
[ "$orc" -eq 0 ] && [ ! -s "$tmp/o.out" ]
res update_alice
both get_alice_updated admin-get-user --user-pool-id "$P" --username alice
grep -q '"Value": "Alice"' "$tmp/o.out"
res alice_given_name
both get_alice_text admin-get-user --user-pool-id "$P" --username alice \
	--output text
both get_missing_user admin-get-user --user-pool-id "$P" --username nobody
both list_users list-users --user-pool-id "$P"
both list_users_text list-users --user-pool-id "$P" --output text
both list_users_filter list-users --user-pool-id "$P" \
	--filter 'username = "alice"'
both list_users_max_items list-users --user-pool-id "$P" --max-items 1
ours admin-delete-user --user-pool-id "$P" --username bob
[ "$orc" -eq 0 ] && [ ! -s "$tmp/o.out" ]
res delete_bob
both get_deleted_user admin-get-user --user-pool-id "$P" --username bob
both delete_missing_user admin-delete-user --user-pool-id "$P" \
	--username bob

# ---------------------------------------------------------------------------
# a signed-in user: TOTP enrolment and the user's own preference

theirs admin-set-user-password --user-pool-id "$P" --username alice \
	--password 'Correct-Horse-9' --permanent
theirs initiate-auth --client-id "$C" --auth-flow USER_PASSWORD_AUTH \
	--auth-parameters 'USERNAME=alice,PASSWORD=Correct-Horse-9'
"$py" -c '
import json, sys
t = json.load(open(sys.argv[1]))["AuthenticationResult"]["AccessToken"]
json.dump({"AccessToken": t}, open(sys.argv[2], "w"))
open(sys.argv[3], "w").write(t)' "$tmp/a.out" "$tmp/token.json" \
	"$tmp/token" 2>/dev/null
if [ ! -s "$tmp/token" ]; then
	fail signed_in "$(cat "$tmp/a.err")"
	finish
	exit
fi
pass signed_in
chmod 600 "$tmp/token" "$tmp/token.json"

# secret_of FILE: the SecretCode of an associate-software-token output
secret_of() { "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecretCode"])' "$1"; }

# code_json SECRET [TOKENFILE]: a VerifySoftwareToken request file
code_json() {
	"$py" -c '
import json, subprocess, sys
code = subprocess.run(["oathtool", "--totp", "-b", "-"], input=sys.argv[1],
                      capture_output=True, text=True).stdout.strip()
req = json.load(open(sys.argv[2]))
req["UserCode"] = code
req["FriendlyDeviceName"] = "phone"
json.dump(req, open(sys.argv[3], "w"))' "$1" "$tmp/token.json" "$tmp/verify.json"
	chmod 600 "$tmp/verify.json"
}

ours associate-software-token --access-token "$(cat "$tmp/token")"
[ "$orc" -eq 0 ] && secret_of "$tmp/o.out" |
	grep -Eq '^[A-Z2-7]{32}$'
res associate_argv_token
ours --debug associate-software-token \
	--cli-input-json "file://$tmp/token.json"
secret=$(secret_of "$tmp/o.out" 2>/dev/null)
[ "$orc" -eq 0 ] && [ -n "$secret" ] &&
	"$py" -c 'import json,sys; sys.exit(0 if list(json.load(open(sys.argv[1]))) == ["SecretCode"] else 1)' "$tmp/o.out"
res associate_file_token
! grep -q -e "$secret" \
	-e "$(head -c 40 "$tmp/token")" "$tmp/o.err"
res associate_debug_keeps_secrets
grep -q 'API AssociateSoftwareToken to .*unsigned' \
	"$tmp/o.err"
res associate_debug_unsigned
code_json "$secret"
ours verify-software-token --cli-input-json "file://$tmp/verify.json"
[ "$orc" -eq 0 ] &&
	[ "$(get Status <"$tmp/o.out")" = SUCCESS ]
res verify_success
[ ! -e "$tmp/store" ]
res store_untouched_without_opt_in
both verify_bad_token verify-software-token --access-token not-a-jwt \
	--user-code 123456

ours set-user-mfa-preference \
	--software-token-mfa-settings Enabled=true,PreferredMfa=true \
	--cli-input-json "file://$tmp/token.json"
[ "$orc" -eq 0 ] && [ ! -s "$tmp/o.out" ]
res set_user_mfa_preference
both get_alice_mfa admin-get-user --user-pool-id "$P" --username alice
grep -q '"PreferredMfaSetting": "SOFTWARE_TOKEN_MFA"' \
	"$tmp/o.out"
res alice_prefers_totp
both set_user_mfa_preference_bad_token set-user-mfa-preference \
	--access-token not-a-jwt --sms-mfa-settings Enabled=false

# --username is the local store's; --access-token the API's
ours associate-software-token --username alice
[ "$orc" -eq 253 ] &&
	grep -q -- '--username names a user of the local store, but the target is the Amazon Cognito API (because of --endpoint-url)' "$tmp/o.err"
res api_refuses_username
"$cli" --config "$tmp/base.conf" --local associate-software-token \
	--cli-input-json "file://$tmp/token.json" >"$tmp/o.out" 2>"$tmp/o.err"
[ $? -eq 253 ] &&
	grep -q -- '--access-token is for the Amazon Cognito API, but the target is the local store (--local)' "$tmp/o.err"
res local_refuses_access_token
"$cli" --config "$tmp/base.conf" set-user-mfa-preference \
	--cli-input-json "file://$tmp/token.json" \
	--sms-mfa-settings Enabled=false >"$tmp/o.out" 2>"$tmp/o.err"
[ $? -eq 253 ] &&
	grep -q 'admin-set-user-mfa-preference --user-pool-id <pool> --username <user>' \
		"$tmp/o.err"
res local_refuses_set_user_mfa_preference

# ---------------------------------------------------------------------------
# share_cognito_totp = yes: the host keeps Cognito's secret

# the synced records the module reads, mimicked on the local store (an
# admin-create-user there drops any secret of that name, so first)
loc() {
	"$cli" --config "$tmp/share.conf" --local "$@" >"$tmp/o.out" \
		2>"$tmp/o.err"
	orc=$?
}
loc set-user-pool-mfa-config --user-pool-id local_pool \
	--software-token-mfa-configuration Enabled=true \
	--mfa-configuration OPTIONAL
loc admin-create-user --user-pool-id local_pool --username alice
[ "$orc" -eq 0 ]
res share_local_record

shared() {
	"$cli" --config "$tmp/share.conf" --endpoint-url "$cl_url" "$@" \
		>"$tmp/o.out" 2>"$tmp/o.err"
	orc=$?
}
shared --debug associate-software-token \
	--cli-input-json "file://$tmp/token.json"
secret=$(secret_of "$tmp/o.out" 2>/dev/null)
[ "$orc" -eq 0 ] && [ -n "$secret" ] &&
	[ "$(cat "$tmp/shared/pending/alice" 2>/dev/null)" = "$secret" ]
res share_associate
grep -q "access token is Cognito's alice, here alice" \
	"$tmp/o.err"
res share_debug_names_user
! grep -q -e "$secret" "$tmp/o.err"
res share_debug_keeps_secret
[ "$(stat -c %a "$tmp/shared/pending/alice" 2>/dev/null)" = 600 ]
res share_pending_mode
# a wrong code is refused here, before Cognito is called
code_json "$secret"
"$py" -c '
import json, sys
r = json.load(open(sys.argv[1]))
r["UserCode"] = "%06d" % ((int(r["UserCode"]) + 500000) % 1000000)
json.dump(r, open(sys.argv[1], "w"))' "$tmp/verify.json"
shared --debug verify-software-token --cli-input-json "file://$tmp/verify.json"
[ "$orc" -eq 254 ] &&
	grep -q 'EnableSoftwareTokenMFAException.*nothing was sent to Cognito' \
		"$tmp/o.err" && ! grep -q 'API VerifySoftwareToken' "$tmp/o.err" &&
	[ -e "$tmp/shared/pending/alice" ] && [ ! -e "$tmp/shared/totp/alice" ]
res share_wrong_code_refused_here
code_json "$secret"
shared verify-software-token --cli-input-json "file://$tmp/verify.json"
[ "$orc" -eq 0 ] &&
	[ "$(get Status <"$tmp/o.out")" = SUCCESS ] &&
	[ "$(cat "$tmp/shared/totp/alice" 2>/dev/null)" = "$secret" ] &&
	[ ! -e "$tmp/shared/pending/alice" ]
res share_verify_activates
[ -s "$tmp/shared/state/alice" ]
res share_step_used
shared verify-software-token --cli-input-json "file://$tmp/verify.json"
[ "$orc" -eq 253 ] &&
	grep -q 'keeps no pending TOTP secret for alice' "$tmp/o.err"
res share_verify_without_pending
# what the module makes of it: admin-set-user-mfa-preference on the
# local store enables TOTP only for a user whose secret is active there,
# then explain says what a login would do
loc admin-set-user-mfa-preference --user-pool-id local_pool \
	--username alice \
	--software-token-mfa-settings Enabled=true,PreferredMfa=true
[ "$orc" -eq 0 ]
res share_secret_counts_as_enrolled
loc explain --username alice
[ "$(get Factor <"$tmp/o.out")" = \
	SOFTWARE_TOKEN_MFA ]
res share_explain_challenges_totp

# and a login through the module accepts a code of Cognito's secret
# (libpam + the built .so via pamtester, a new /etc/pam.d file removed on
# exit); the next step's code, as verify used the current one
so=$top/$build/pam_cognito_mfa.so
name=cmfa-apicl-$(tr -dc 'a-z' </dev/urandom | head -c 10)
if [ "$(id -u)" -ne 0 ] || ! command -v pamtester >/dev/null 2>&1 ||
	[ ! -f "$so" ]; then
	skip share_login "needs root, pamtester and $so"
elif ! (set -C && printf 'auth required %s config=%s\nauth required pam_permit.so\naccount required pam_permit.so\n' \
	"$so" "$tmp/pt.conf" >"/etc/pam.d/$name") 2>/dev/null; then
	skip share_login "cannot create a new /etc/pam.d file"
else
	etcfile=/etc/pam.d/$name
	printf 'store = %s\n' "$tmp/shared" >"$tmp/pt.conf"
	chmod 600 "$tmp/pt.conf"
	preload=
	if readelf -d "$so" 2>/dev/null | grep -q 'NEEDED.*libasan'; then
		asan=$(${CC:-cc} -print-file-name=libasan.so 2>/dev/null)
		preload="LD_PRELOAD=$asan ASAN_OPTIONS=detect_leaks=0"
	fi
	next=$(date -u -d "@$(($(date +%s) + 30))" '+%Y-%m-%d %H:%M:%S UTC')
	oathtool --totp -b -N "$next" "$secret" | env $preload pamtester \
		"$name" alice authenticate >"$tmp/pt.out" 2>&1
	grep -q 'successfully authenticated' "$tmp/pt.out"
	res share_login_with_cognito_secret
fi

# a Cognito user whose name cannot be a Linux name: nothing happens
theirs admin-create-user --user-pool-id "$P" --username Carol.Smith \
	--message-action SUPPRESS
theirs admin-set-user-password --user-pool-id "$P" --username Carol.Smith \
	--password 'Correct-Horse-9' --permanent
theirs initiate-auth --client-id "$C" --auth-flow USER_PASSWORD_AUTH \
	--auth-parameters 'USERNAME=Carol.Smith,PASSWORD=Correct-Horse-9'
"$py" -c '
import json, sys
t = json.load(open(sys.argv[1]))["AuthenticationResult"]["AccessToken"]
json.dump({"AccessToken": t}, open(sys.argv[2], "w"))' "$tmp/a.out" \
	"$tmp/carol.json" 2>/dev/null
shared associate-software-token --cli-input-json "file://$tmp/carol.json"
[ "$orc" -eq 253 ] && [ ! -s "$tmp/o.out" ] &&
	grep -q 'the Cognito user Carol.Smith has no Linux name on this host' \
		"$tmp/o.err" && [ -z "$(ls "$tmp/shared/pending")" ]
res share_unmappable_user

finish
