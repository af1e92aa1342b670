#!/bin/sh
# cli-totp.sh BUILD: TOTP enrolment and its lifecycle on a private store:
# associate-software-token -> verify-software-token with a code computed
# by oathtool from the printed SecretCode (then a wrong code, then a
# replay), admin-set-user-mfa-preference, explain showing the TOTP
# challenge, the code kept out of argv (file:///dev/stdin,
# --cli-input-json) and out of every message, the QR code on a terminal,
# admin-remove-software-token, list-locked-users and
# admin-reset-user-lockout.
suite=cli-totp
. "$(dirname "$0")/lib.sh"
build=${1:-build}
cli=$(pwd)/$build/cognito-mfa
py=/usr/bin/python3

if ! command -v oathtool >/dev/null 2>&1; then
	skip totp_enrolment "oathtool not installed"; finish; exit
fi
tmp=$(mktemp -d /tmp/cmfa-cli-totp.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
: >"$tmp/empty.conf"
S=$tmp/store
P=us-east-2_Totp1

c() {
	"$cli" --store "$S" --config "$tmp/empty.conf" "$@" >"$tmp/out" \
		2>"$tmp/err"
	rc=$?
}
j() {
	"$py" -c "import json,sys,re,time
d = json.load(open(sys.argv[1]))
sys.exit(0 if ($1) else 1)" "$tmp/out" 2>/dev/null
}
errmsg() { grep -qxF "$1" "$tmp/err"; }
okrc() {
	n=$1 want=$2
	shift 2
	if [ "$rc" -eq "$want" ] && "$@"; then pass "$n"
	else fail "$n" "exit $rc: $(head -c 300 "$tmp/err")"; fi
}
get() { "$py" -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$tmp/out" "$1"; }

c set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration Enabled=false \
	--sms-mfa-configuration 'SmsAuthenticationMessage="Code {####}"' \
	--mfa-configuration OPTIONAL
ok pool_without_totp [ "$rc" -eq 0 ]
for u in alice bob; do
	c admin-create-user --user-pool-id $P --username $u \
		--user-attributes Name=email,Value=$u@example.com
done
c associate-software-token --username alice
okrc associate_needs_pool_totp 254 errmsg 'An error occurred (SoftwareTokenMFANotFoundException) when calling the AssociateSoftwareToken operation: Software Token MFA has not been enabled by the userPool'
c set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration Enabled=true --mfa-configuration OPTIONAL
c associate-software-token --username nobody
okrc associate_unknown_user 254 grep -q UserNotFoundException "$tmp/err"
c associate-software-token --access-token abc
okrc access_token_is_the_api 253 grep -q 'Amazon Cognito API' "$tmp/err"
c associate-software-token --session 01234567890123456789
okrc session_is_the_api 253 grep -q -- '--session' "$tmp/err"
c associate-software-token
okrc associate_needs_username 252 grep -q 'Missing required parameter in input: "Username"' "$tmp/err"

# ---------------------------------------------------------------------------
# associate

c associate-software-token --username alice
secret=$(get SecretCode)
okrc associate_ok 0 [ -n "$secret" ]
ok secret_is_base32_160_bits sh -c "printf %s '$secret' | grep -qxE '[A-Z2-7]{32}'"
ok secret_pending test -f "$S/pending/alice" -a ! -e "$S/totp/alice"
ok pending_0600 [ "$(stat -c %a "$S/pending/alice")" = 600 ]
ok no_qr_when_not_a_tty [ ! -s "$tmp/err" ]
c --output text associate-software-token --username bob
okrc associate_text 0 grep -qxE '[A-Z2-7]{32}' "$tmp/out"

# on a terminal: the otpauth URI and a QR code on stderr, the JSON on stdout
if command -v script >/dev/null 2>&1; then
	script -qec "'$cli' --store '$S' --config '$tmp/empty.conf' associate-software-token --username bob 2>'$tmp/tty.err'" \
		/dev/null >"$tmp/tty.out" 2>&1
	b=$(sed -n 's/.*"SecretCode": "\([A-Z2-7]*\)".*/\1/p' "$tmp/tty.out" | head -n 1)
	ok tty_json_on_stdout [ -n "$b" ]
	ok tty_otpauth_uri grep -q "otpauth://totp/cognito-mfa:bob%40[^?]*?secret=$b&issuer=cognito-mfa&algorithm=SHA1&digits=6&period=30" "$tmp/tty.err"
	ok tty_qr_blocks grep -q '█' "$tmp/tty.err"
	ok tty_qr_quiet_zone grep -q "$(printf '\033')\\[40;97m████████" "$tmp/tty.err"
else
	skip tty_json_on_stdout "script(1) not installed"
fi

# ---------------------------------------------------------------------------
# verify

c admin-set-user-mfa-preference --user-pool-id $P --username alice \
	--software-token-mfa-settings Enabled=true,PreferredMfa=true
okrc pref_needs_verified_token 254 errmsg 'An error occurred (InvalidParameterException) when calling the AdminSetUserMFAPreference operation: User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA'

code=$(oathtool --totp -b "$secret")
wrong=$(printf '%06d' $(( (1$code - 1000000 + 500000) % 1000000 )))
[ "$wrong" = "$code" ] && wrong=000001
c verify-software-token --username alice --user-code "$wrong"
okrc wrong_code_254 254 errmsg 'An error occurred (EnableSoftwareTokenMFAException) when calling the VerifySoftwareToken operation: Code mismatch and fail enable Software Token MFA'
ok wrong_code_keeps_pending test -f "$S/pending/alice" -a ! -e "$S/totp/alice"
ok wrong_code_not_echoed sh -c "! grep -q '$wrong' '$tmp/err'"

c --debug verify-software-token --username alice --user-code "$code" \
	--friendly-device-name "Alice's phone"
okrc verify_ok 0 j 'd == {"Status": "SUCCESS"}'
ok code_not_in_debug sh -c "! grep -q '$code' '$tmp/err'"
ok secret_active test -f "$S/totp/alice" -a ! -e "$S/pending/alice"
ok totp_0600 [ "$(stat -c %a "$S/totp/alice")" = 600 ]
# the code's time step is spent: it cannot open a login now
step=$(sed -n 's/^last_step //p' "$S/state/alice")
now_step=$(( $(date +%s) / 30 ))
ok step_recorded test -n "$step" -a "${step:-0}" -ge $((now_step - 2)) \
	-a "${step:-0}" -le $((now_step + 2))

c verify-software-token --username alice --user-code "$code"
okrc second_verify_254 254 errmsg 'An error occurred (InvalidParameterException) when calling the VerifySoftwareToken operation: User has not set up software token mfa'
c verify-software-token --username alice --user-code 12345
okrc code_too_short_252 252 errmsg 'Invalid length for parameter UserCode, value: 5, valid min length: 6'
c verify-software-token --username alice --user-code 12345x
okrc code_pattern_254 254 errmsg "An error occurred (InvalidParameterException) when calling the VerifySoftwareToken operation: 1 validation error detected: Value at 'userCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+"
c verify-software-token --cli-input-json '{"Username": "alice", "UserCode": 123456}'
okrc code_type_secret 252 grep -q 'Invalid type for parameter UserCode, value: (secret), type: <class .int.>' "$tmp/err"
ok code_type_not_echoed sh -c "! grep -q 123456 '$tmp/err'"

# verifying does not enable TOTP (admin-set-user-mfa-preference does)
c admin-get-user --user-pool-id $P --username alice
ok verify_leaves_settings j '"UserMFASettingList" not in d and "PreferredMfaSetting" not in d'
c explain --username alice
okrc explain_registered_totp 0 j 'd["Outcome"] == "challenge" and d["Factor"] == "SOFTWARE_TOKEN_MFA" and d["Reason"] == "totp-registered" and d["PamResult"] == "challenge"'

c admin-set-user-mfa-preference --user-pool-id $P --username alice \
	--software-token-mfa-settings Enabled=true,PreferredMfa=true
okrc pref_ok 0 [ ! -s "$tmp/out" ]
c admin-get-user --user-pool-id $P --username alice
ok pref_recorded j 'd["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"] and d["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"'
c explain --username alice
okrc explain_challenge 0 j 'd["Outcome"] == "challenge" and d["Factor"] == "SOFTWARE_TOKEN_MFA" and d["Reason"] == "preferred" and d["PamResult"] == "challenge" and d["Username"] == "alice"'

# bob: the code from stdin, then from --cli-input-json
c associate-software-token --username bob
bsecret=$(get SecretCode)
printf '%s' "$(oathtool --totp -b "$bsecret")" |
	"$cli" --store "$S" --config "$tmp/empty.conf" verify-software-token \
	--username bob --user-code file:///dev/stdin >"$tmp/out" 2>"$tmp/err"
rc=$?
okrc verify_code_from_stdin 0 j 'd["Status"] == "SUCCESS"'
c associate-software-token --username bob
bsecret=$(get SecretCode)
printf '{"Username": "bob", "UserCode": "%s"}' "$(oathtool --totp -b "$bsecret")" \
	>"$tmp/verify.json"
c verify-software-token --cli-input-json "file://$tmp/verify.json"
okrc verify_code_from_input_json 0 j 'd["Status"] == "SUCCESS"'

# ---------------------------------------------------------------------------
# lockout

now=$(date +%s)
printf 'cmfa-state 1\nlast_step %s\nfailures 7\nlast_failure %s\nlocked_until %s\n' \
	"$step" "$now" $((now + 300)) >"$S/state/alice"
chmod 600 "$S/state/alice"
c list-locked-users
okrc locked_listed 0 j '[u["Username"] for u in d["Users"]] == ["alice"] and d["Users"][0]["Failures"] == 7 and 0 < d["Users"][0]["RemainingSeconds"] <= 300'
ok locked_until_iso j 're.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", d["Users"][0]["LockedUntil"])'
c list-locked-users --output text
ok locked_text grep -q "^USERS	7	.*	alice\$" "$tmp/out"
c explain --username alice
okrc explain_locked 0 j 'd["PamResult"] == "PAM_MAXTRIES" and 0 < d["LockedSeconds"] <= 300'
c admin-reset-user-lockout --username alice
okrc reset_ok 0 [ ! -s "$tmp/out" ]
ok reset_keeps_replay_marker grep -qx "last_step $step" "$S/state/alice"
ok reset_clears_failures grep -qx 'failures 0' "$S/state/alice"
c list-locked-users
okrc nobody_locked 0 j 'd == {"Users": []}'
c admin-reset-user-lockout --username nobody
okrc reset_unknown_user 254 errmsg 'An error occurred (UserNotFoundException) when calling the AdminResetUserLockout operation: User does not exist.'
printf 'garbage\n' >"$S/state/carol"
chmod 600 "$S/state/carol"
c list-locked-users
okrc corrupt_state_warned 0 grep -q 'state/carol.*admin-reset-user-lockout --username carol' "$tmp/err"
c admin-reset-user-lockout --username carol
okrc corrupt_state_reset 0 grep -qx 'failures 0' "$S/state/carol"

# ---------------------------------------------------------------------------
# a lost phone

c admin-remove-software-token --username alice
okrc remove_ok 0 [ ! -s "$tmp/out" ]
ok remove_secret_gone test ! -e "$S/totp/alice" -a ! -e "$S/pending/alice"
c admin-get-user --user-pool-id $P --username alice
ok remove_setting_gone j '"UserMFASettingList" not in d and "PreferredMfaSetting" not in d'
c explain --username alice
okrc explain_after_remove 0 j 'd["Outcome"] == "no-mfa" and d["PamResult"] == "PAM_IGNORE"'
c admin-remove-software-token --username alice
okrc remove_twice_ok 0 true
c admin-remove-software-token --username nobody
okrc remove_unknown_user 254 grep -q UserNotFoundException "$tmp/err"

# with MFA required, bob keeps TOTP until his phone is lost: then set-up
c admin-set-user-mfa-preference --user-pool-id $P --username bob \
	--software-token-mfa-settings Enabled=true,PreferredMfa=true
c set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration Enabled=true --mfa-configuration ON
c admin-remove-software-token --username bob
okrc remove_when_required 0 true
c explain --username bob
okrc explain_setup 0 j 'd["Outcome"] == "setup-required" and d["PamResult"] == "PAM_PERM_DENIED" and d["Setup"] == ["SOFTWARE_TOKEN_MFA"]'
finish
