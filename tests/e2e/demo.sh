#!/bin/sh
# demo.sh BUILD: the main job on the embedded default, start to finish.
#
# As root: a temporary local store administered with cognito-mfa's
# AWS-style commands, a throwaway Linux user enrolled with a TOTP
# authenticator, a loopback sshd protected by the module through the
# shipped conf/pam.d/sshd-mfa-after-publickey and
# conf/sshd_config.d/cognito-mfa.conf, and real SSH logins: a wrong code
# (refused), then the right one (in).  Codes come from oathtool, playing
# the user's phone.  Everything it creates is removed when it ends,
# however it ends (the cleanup of tests/e2e/lib.sh).
suite=demo
. "$(dirname "$0")/../sh/lib.sh"
. "$(dirname "$0")/lib.sh"

e2e_require "${1:-build}" /usr/sbin/sshd ssh ssh-keygen setsid unshare
e2e_private_log "$0" "$@"
e2e_setup

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '   $ %s\n' "$*"; "$@"; }
CLI=$E2E_BUILD/cognito-mfa
cmfa() { show "$CLI" --store "$E2E_STORE" "$@"; }

say "1. The pool's MFA configuration, AWS-style, on the local store"
cmfa set-user-pool-mfa-config --user-pool-id local_demo \
    --mfa-configuration ON --software-token-mfa-configuration Enabled=true ||
    exit 1

say "2. A Linux user, and its Cognito-style record"
e2e_user demo none || exit 1
u=$E2E_USER
cmfa admin-create-user --user-pool-id local_demo --username "$u" >/dev/null &&
    echo "   (created $u)" || exit 1

say "3. TOTP enrolment: a secret for the user's authenticator app"
secret=$("$CLI" --store "$E2E_STORE" associate-software-token \
    --username "$u" | "$E2E_PY" -c 'import json, sys
print(json.load(sys.stdin)["SecretCode"])') || exit 1
echo "   $ $CLI --store $E2E_STORE associate-software-token --username $u"
echo "   {\"SecretCode\": \"<32 characters, shown to the user once>\"}"
(umask 077 && printf '%s' "$secret" >"$E2E_T/secrets/$u")
code=$(oathtool --totp -b "$secret")
echo "   (the phone now shows a code; the user types it to confirm)"
printf '%s' "{\"Username\": \"$u\", \"UserCode\": \"$code\"}" \
    >"$E2E_T/verify.json"
cmfa verify-software-token --cli-input-json "file://$E2E_T/verify.json" ||
    exit 1
cmfa admin-set-user-mfa-preference --user-pool-id local_demo --username "$u" \
    --software-token-mfa-settings Enabled=true,PreferredMfa=true || exit 1
cmfa explain --username "$u"

say "4. sshd on 127.0.0.1 with the shipped PAM and sshd_config snippets"
e2e_pam_service sshd-mfa-after-publickey demo || exit 1
e2e_sshd demo "$E2E_SERVICE" || exit 1
echo "   PAM service $E2E_SERVICE (from conf/pam.d/sshd-mfa-after-publickey):"
sed 's/^/     | /' "/etc/pam.d/$E2E_SERVICE" | grep -v '^     | #' |
    grep -v '^     | *$'
echo "   sshd on 127.0.0.1:$E2E_PORT"

report() {
	echo "   prompts the user saw:"
	sed 's/^/     > /' "$E2E_PROMPTS"
	echo "   ssh said:"
	sed 's/^/     < /' "$E2E_OUT"
	echo "   the module logged:"
	e2e_log "$u" | tail -n 1 | sed 's/.*\(pam_cognito_mfa\)/     \1/' 
}

say "5. ssh $u@127.0.0.1 with a wrong code"
e2e_ssh "$u" "$E2E_PORT" wrong
report
if e2e_ssh_ok; then
	fail wrong_code_refused
else
	pass wrong_code_refused
fi

say "6. ssh $u@127.0.0.1 with the code the phone shows"
# the enrolment used this 30 s step already (a code is accepted once), so
# the phone's code is the next step's, as it would be a moment later
e2e_ssh "$u" "$E2E_PORT" next
report
if e2e_ssh_ok; then
	pass right_code_logs_in
else
	fail right_code_logs_in "$(e2e_why)"
fi

say "7. Cleaning up: users, /etc/pam.d/$E2E_SERVICE, sshd, the store"
finish
