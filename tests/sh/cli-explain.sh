#!/bin/sh
# cli-explain.sh BUILD: `cognito-mfa explain`: the module's arguments read
# from a pam.d file (--pam-dir; @include, include, [bracketed args],
# continuation lines, -auth), the config it names, groups (exempt_group,
# only_group), each outcome and its PAM code, the failures the module
# would deny with (exit 254, the result still printed) -- and, where
# the real module can be run without a terminal, the same answer from
# the built pam_cognito_mfa.so through libpam (pamtester, a new
# /etc/pam.d/cmfa-cliexplain-* file removed on exit).
suite=cli-explain
. "$(dirname "$0")/lib.sh"
build=${1:-build}
top=$(pwd)
cli=$top/$build/cognito-mfa
so=$top/$build/pam_cognito_mfa.so
py=/usr/bin/python3

tmp=$(mktemp -d /tmp/cmfa-cli-explain.XXXXXX) || exit 1
etcfile=
cleanup() {
	[ -n "$etcfile" ] && rm -f "$etcfile"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
S=$tmp/store
P=ca-central-1_Explain
D=$tmp/pam.d
mkdir -m 700 "$D"
printf 'store = %s\n' "$S" >"$tmp/cmfa.conf"
: >"$tmp/empty.conf"

c() {
	"$cli" --store "$S" --config "$tmp/empty.conf" "$@" >"$tmp/out" \
		2>"$tmp/err"
	rc=$?
}
x() { # x ARGS: explain through the pam.d directory (no --store)
	"$cli" --config "$tmp/cmfa.conf" --pam-dir "$D" explain "$@" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
}
j() {
	"$py" -c "import json,sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if ($1) else 1)" "$tmp/out" 2>/dev/null
}
okrc() {
	n=$1 want=$2
	shift 2
	if [ "$rc" -eq "$want" ] && "$@"; then pass "$n"
	else fail "$n" "exit $rc: $(head -c 300 "$tmp/err" | tr '\n' '|') $(head -c 300 "$tmp/out" | tr '\n' ' ')"; fi
}

# the pool: MFA required, TOTP; alice enrolled, bob without a factor
c set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration Enabled=true --mfa-configuration ON
for u in alice bob root nobody; do
	c admin-create-user --user-pool-id $P --username $u
done
secret=
if command -v oathtool >/dev/null 2>&1; then
	c associate-software-token --username alice
	secret=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecretCode"])' "$tmp/out")
	c verify-software-token --username alice \
		--user-code "$(oathtool --totp -b "$secret")"
	c admin-set-user-mfa-preference --user-pool-id $P --username alice \
		--software-token-mfa-settings Enabled=true,PreferredMfa=true
fi

cat >"$D/common-mfa" <<EOF
# a comment naming pam_cognito_mfa.so is not a line
auth	[success=ok default=die]	/lib/x86_64-linux-gnu/security/pam_cognito_mfa.so config=$tmp/cmfa.conf [prompt=Your code (6 digits\\]): ] # trailing comment
EOF
cat >"$D/sshd" <<EOF
auth required pam_unix.so nullok
account required pam_unix.so
@include common-mfa
EOF
printf 'auth include common-mfa\n' >"$D/sudo"
printf 'auth substack common-mfa\n' >"$D/su"
printf 'auth required pam_unix.so\n' >"$D/nomfa"
printf 'auth required pam_cognito_mfa.so config=%s frobnicate\n' \
	"$tmp/cmfa.conf" >"$D/badargs"
printf -- '-auth sufficient pam_cognito_mfa.so config=%s unknown_user=ignore\n' \
	"$tmp/cmfa.conf" >"$D/lenient"
printf 'auth \\\n  required pam_cognito_mfa.so config=%s \\\n  exempt_group=root\n' \
	"$tmp/cmfa.conf" >"$D/exempt"
printf 'auth required pam_cognito_mfa.so config=%s only_group=root\n' \
	"$tmp/cmfa.conf" >"$D/onlyroot"
printf 'auth required pam_cognito_mfa.so config=%s store=%s/elsewhere\n' \
	"$tmp/cmfa.conf" "$tmp" >"$D/nostore"

# ---------------------------------------------------------------------------

if [ -n "$secret" ]; then
	x --username alice --service sshd
	okrc alice_challenge 0 j 'd["Outcome"] == "challenge" and d["Factor"] == "SOFTWARE_TOKEN_MFA" and d["PamResult"] == "challenge" and d["Service"] == "sshd" and d["Reason"] == "preferred"'
	x --username alice --service sudo
	okrc include_followed 0 j 'd["Outcome"] == "challenge"'
	x --username alice --service su
	okrc substack_followed 0 j 'd["Outcome"] == "challenge"'
else
	skip alice_challenge "oathtool not installed"
fi
x --username bob --service sshd
okrc bob_setup 0 j 'd["Outcome"] == "setup-required" and d["PamResult"] == "PAM_PERM_DENIED" and d["Setup"] == ["SOFTWARE_TOKEN_MFA"] and d["Reason"] == "needs-setup"'
x --username ghost --service sshd
okrc ghost_unknown 0 j 'd["Outcome"] == "unknown-user" and d["PamResult"] == "PAM_USER_UNKNOWN"'
x --username ghost --service lenient
okrc dash_auth_and_module_arg 0 j 'd["Outcome"] == "no-mfa" and d["PamResult"] == "PAM_IGNORE" and d["Reason"] == "no-record-ignored"'
x --username root --service exempt
okrc continuation_and_exempt 0 j 'd["Outcome"] == "no-mfa" and d["Reason"] == "exempt"'
x --username bob --service onlyroot
okrc only_group_out_of_scope 0 j 'd["Outcome"] == "no-mfa" and d["Reason"] == "out-of-scope"'
x --username root --service onlyroot
okrc only_group_member 0 j 'd["Outcome"] == "setup-required"'
x --username bob --service nomfa
okrc module_not_used_253 253 grep -q 'names pam_cognito_mfa.so: the module does not run' "$tmp/err"
x --username bob --service nonexistent
okrc service_file_missing_253 253 grep -q 'cannot be read' "$tmp/err"
x --username bob --service ../passwd
okrc service_name_checked_254 254 grep -q 'Invalid service name' "$tmp/err"
x --username bob --service badargs
okrc bad_module_args_254 254 grep -q "InvalidModuleConfigurationException.*unknown option 'frobnicate'" "$tmp/err"
ok bad_module_args_result j 'd["PamResult"] == "PAM_SYSTEM_ERR" and d["Outcome"] == "deny"'
x --username bob --service nostore
okrc missing_store_254 254 grep -q 'CacheUnavailableException.*PAM_AUTHINFO_UNAVAIL' "$tmp/err"
ok missing_store_result j 'd["Outcome"] == "unavailable" and d["PamResult"] == "PAM_AUTHINFO_UNAVAIL" and d["Reason"].startswith("store: ")'
ok explain_creates_nothing [ ! -e "$tmp/elsewhere" ]

# SMS_MFA is servable exactly where sms_channel is configured: the same
# user, the same store, two hosts' configurations
S2=$tmp/store-sms
c2() { "$cli" --store "$S2" --config "$tmp/empty.conf" "$@" >"$tmp/out" 2>"$tmp/err"; }
c2 set-user-pool-mfa-config --user-pool-id $P --mfa-configuration ON \
	--sms-mfa-configuration 'SmsAuthenticationMessage="Code {####}",SmsConfiguration={SnsCallerArn=arn:aws:iam::123456789012:role/sns,ExternalId=x1}'
c2 admin-create-user --user-pool-id $P --username dave \
	--user-attributes Name=phone_number,Value=+12065550100 \
	Name=phone_number_verified,Value=true
c2 admin-set-user-mfa-preference --user-pool-id $P --username dave \
	--sms-mfa-settings Enabled=true,PreferredMfa=true
printf 'store = %s\nsms_channel = command\ndeliver_command = /usr/bin/true\n' \
	"$S2" >"$tmp/sms.conf"
printf 'store = %s\n' "$S2" >"$tmp/nosms.conf"
printf 'auth required pam_cognito_mfa.so config=%s\n' "$tmp/sms.conf" >"$D/smshost"
printf 'auth required pam_cognito_mfa.so config=%s\n' "$tmp/nosms.conf" >"$D/nosmshost"
x --username dave --service smshost
okrc sms_servable_with_channel 0 j 'd["Outcome"] == "challenge" and d["Factor"] == "SMS_MFA"'
x --username dave --service nosmshost
okrc sms_not_servable_without_channel 0 j 'd["Outcome"] == "setup-required" and d["PamResult"] == "PAM_PERM_DENIED"'

# without --service: the config file and --store
c explain --username bob
okrc no_service_outcome 0 j 'd["Outcome"] == "setup-required" and "Service" not in d'
ok no_service_uses_store grep -q "\"Store\": \"$S\"" "$tmp/out"
c explain --username bob --output text
okrc explain_text 0 grep -q 'setup-required' "$tmp/out"

# a corrupt record: the module denies; explain says why, exit 254
printf '{"Username": "bob", "Enabled": "yes"}' >"$S/users/bob.json"
x --username bob --service sshd
okrc corrupt_record_254 254 grep -q 'CacheUnavailableException' "$tmp/err"
ok corrupt_record_result j 'd["PamResult"] == "PAM_AUTHINFO_UNAVAIL" and d["Reason"].startswith("user record: ")'
c admin-delete-user --user-pool-id $P --username bob
okrc corrupt_record_deletable 0 test ! -e "$S/users/bob.json"
c admin-create-user --user-pool-id $P --username bob

# ---------------------------------------------------------------------------
# the real module says the same (libpam + the built .so, via pamtester)

if [ "$(id -u)" -ne 0 ] || ! command -v pamtester >/dev/null 2>&1 ||
    [ ! -f "$so" ]; then
	skip module_agrees "needs root, pamtester and $so"
	finish; exit
fi
name=cmfa-cliexplain-$(tr -dc 'a-z' </dev/urandom | head -c 10)
etcfile=/etc/pam.d/$name
printf 'store = %s\nexempt_group = nogroup\n' "$S" >"$tmp/pt.conf"
set -C
if ! { printf 'auth required %s config=%s\nauth required pam_permit.so\naccount required pam_permit.so\n' \
    "$so" "$tmp/pt.conf" >"$etcfile"; } 2>/dev/null; then
	set +C
	etcfile=
	skip module_agrees "cannot create a new /etc/pam.d file"
	finish; exit
fi
set +C
cp "$etcfile" "$D/$name"

# a sanitizer build of the module needs its runtime first in pamtester
preload=
if readelf -d "$so" 2>/dev/null | grep -q 'NEEDED.*libasan'; then
	asan=$(${CC:-cc} -print-file-name=libasan.so 2>/dev/null)
	preload="LD_PRELOAD=$asan ASAN_OPTIONS=detect_leaks=0"
fi

# module: pamtester's verdict for user; explain: PamResult (IGNORE: the
# stack's pam_permit decides, so success)
agree() {
	n=$1 user=$2 input=$3
	x --username "$user" --service "$name"
	want=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["PamResult"])' "$tmp/out" 2>/dev/null)
	printf '%s\n' "$input" | env $preload pamtester "$name" "$user" \
		authenticate >"$tmp/pt.out" 2>&1
	got=$(tail -n 1 "$tmp/pt.out")
	case "$want" in
	PAM_IGNORE | challenge) exp="successfully authenticated" ;;
	PAM_PERM_DENIED) exp="Permission denied" ;;
	PAM_USER_UNKNOWN) exp="User not known to the underlying authentication module" ;;
	PAM_AUTHINFO_UNAVAIL) exp="Authentication service cannot retrieve authentication info" ;;
	*) exp="?$want" ;;
	esac
	case "$got" in
	*"$exp"*) pass "$n" ;;
	*) fail "$n" "explain $want, module: $got" ;;
	esac
}
agree module_agrees_setup bob ""
agree module_agrees_unknown ghost ""
agree module_agrees_exempt nobody ""
if [ -n "$secret" ]; then
	# the challenge: the module takes the next step's code (the current
	# one may be spent: verify-software-token marked its step used)
	next=$(date -u -d "@$(( $(date +%s) + 30 ))" '+%Y-%m-%d %H:%M:%S UTC')
	agree module_agrees_challenge alice \
		"$(oathtool --totp -b -N "$next" "$secret")"
fi
printf 'garbage' >"$S/pool.json"
agree module_agrees_unavailable bob ""
finish
