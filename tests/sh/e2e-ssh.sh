#!/bin/sh
# e2e-ssh.sh BUILD: real logins through a real sshd (OpenSSH on
# 127.0.0.1), driven by a real ssh client, with the built module and the
# shipped files: conf/sshd_config.d/cognito-mfa.conf (by Include) and
# conf/pam.d/sshd-mfa-after-publickey / sshd-mfa-with-password (installed
# as new /etc/pam.d/cmfa-e2e-* services, only the module line changed to
# the build's path plus store= and config=).  Root only; SKIPs otherwise.
# Helpers, hygiene and cleanup: tests/e2e/lib.sh.
#
# Time: every case that depends on the TOTP state (replay, lockout) has
# its own user; no case waits for a TOTP step (a second login of one user
# answers with the next step's code, accepted with window=1).
suite=e2e-ssh
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../e2e/lib.sh"

e2e_require "${1:-build}" /usr/sbin/sshd ssh ssh-keygen setsid unshare
e2e_private_log "$0" "$@"
e2e_setup

# publickey then keyboard-interactive: the shipped sshd_config snippet as is
e2e_pam_service sshd-mfa-after-publickey k || e2e_skip_all "cannot install the PAM service"
svc_key=$E2E_SERVICE
e2e_sshd key "$svc_key" || e2e_skip_all "sshd (publickey,keyboard-interactive) does not start"
port_key=$E2E_PORT

# keyboard-interactive alone: the snippet's own alternative line, enabled
alt=$(sed -n 's/^#\(AuthenticationMethods keyboard-interactive\)$/\1/p' \
    "$e2e_top/conf/sshd_config.d/cognito-mfa.conf")
[ -n "$alt" ] || e2e_skip_all "conf/sshd_config.d/cognito-mfa.conf: no '#AuthenticationMethods keyboard-interactive' alternative"
e2e_pam_service sshd-mfa-with-password p || e2e_skip_all "cannot install the PAM service"
svc_pw=$E2E_SERVICE
e2e_sshd pw "$svc_pw" "$alt" || e2e_skip_all "sshd (keyboard-interactive) does not start"
port_pw=$E2E_PORT

newuser() {	# TAG KIND: a fresh user in $u, or a FAIL line
	e2e_user "$1" "$2" || { fail "setup_user_$1"; u=cmfae2eunknown; return 1; }
	u=$E2E_USER
}

# ---------------------------------------------------------------------
# the key, then the right code

e2e_pool on
newuser ok totp
e2e_ssh "$u" "$port_key" now
if [ $? -eq 0 ] && e2e_ssh_ok && [ "$(e2e_asked 'Authenticator code: ')" -eq 1 ]; then
	pass publickey_then_right_code_logs_in
else
	fail publickey_then_right_code_logs_in "$(e2e_why)"
fi
e2e_logcheck publickey_then_right_code_log_line "$u" \
    e2e_one_line_has "user=$u service=$svc_key rhost=127.0.0.1 factor=SOFTWARE_TOKEN_MFA outcome=verified reason="
# OpenSSH names its PAM service after its program name: the link we ran
e2e_logcheck sshd_pam_service_is_program_name "$u" \
    e2e_last_has "pam_cognito_mfa($svc_key:auth)" "service=$svc_key "

# ---------------------------------------------------------------------
# a wrong code: denied after `tries` (3) prompts

newuser wrong totp
e2e_ssh "$u" "$port_key" wrong
if [ $? -ne 0 ] && ! e2e_ssh_ok && [ "$(e2e_asked 'Authenticator code: ')" -eq 3 ] &&
    grep -q 'Invalid code\.' "$E2E_OUT"; then
	pass wrong_code_denied
else
	fail wrong_code_denied "$(e2e_why)"
fi
e2e_logcheck wrong_code_log_line "$u" \
    e2e_one_line_has "user=$u " "outcome=wrong-code" "reason=wrong-code"

# ---------------------------------------------------------------------
# replay: the same code twice, the second login is denied

newuser replay totp
e2e_ssh "$u" "$port_key" now
r1=$?
code=$(tail -n 1 "$E2E_T/pub/$u/codes" 2>/dev/null)
e2e_ssh "$u" "$port_key" "${code:-000000}"
r2=$?
if [ $r1 -eq 0 ] && [ -n "$code" ] && [ $r2 -ne 0 ] && ! e2e_ssh_ok &&
    [ "$(e2e_asked 'Authenticator code: ')" -ge 1 ]; then
	pass replayed_code_denied
else
	fail replayed_code_denied "first=$r1 second=$r2 $(e2e_why)"
fi
e2e_logcheck replayed_code_log_line "$u" \
    e2e_last_has "user=$u " "outcome=wrong-code" "reason=replayed-code"

# ---------------------------------------------------------------------
# lockout: the 5th wrong code locks (1 s, doubling); while locked a login
# is refused without a prompt.  To keep a margin against a slow machine
# the lock is driven up to 4 s before the refused login.

newuser lock totp
e2e_ssh "$u" "$port_key" wrong # failures 1-3
e2e_ssh "$u" "$port_key" wrong # 4, 5: locked 1 s
l1=$(e2e_asked 'Authenticator code: ')
grep -q 'Too many failed attempts\. Try again in 1 second\.' "$E2E_OUT"
l1m=$?
sleep 1.3
e2e_ssh "$u" "$port_key" wrong # 6: locked 2 s
l2=$(e2e_asked 'Authenticator code: ')
sleep 2.3
e2e_ssh "$u" "$port_key" wrong # 7: locked 4 s
l3=$(e2e_asked 'Authenticator code: ')
e2e_ssh "$u" "$port_key" now # refused, not asked
r=$?
if [ "$l1" -eq 2 ] && [ $l1m -eq 0 ] && [ "$l2" -eq 1 ] && [ "$l3" -eq 1 ]; then
	pass fifth_wrong_code_locks_out
else
	fail fifth_wrong_code_locks_out "prompts $l1/$l2/$l3 (want 2/1/1), message $l1m"
fi
if [ $r -ne 0 ] && ! e2e_ssh_ok && [ "$(e2e_asked 'Authenticator code')" -eq 0 ] &&
    grep -Eq 'Too many failed attempts\. Try again in [1-4] seconds?\.' "$E2E_OUT"; then
	pass locked_out_login_refused_without_prompt
else
	fail locked_out_login_refused_without_prompt "$(e2e_why)"
fi
e2e_logcheck locked_out_log_line "$u" \
    e2e_last_has "user=$u " "outcome=locked" "reason=locked-out"

# ---------------------------------------------------------------------
# the module answers PAM_IGNORE: the snippet still lets the key decide

e2e_pool off
newuser off totp
e2e_ssh "$u" "$port_key" now
if [ $? -eq 0 ] && e2e_ssh_ok && [ "$(e2e_asked .)" -eq 0 ]; then
	pass pool_off_no_prompt_logs_in
else
	fail pool_off_no_prompt_logs_in "$(e2e_why)"
fi
e2e_logcheck pool_off_log_line "$u" \
    e2e_one_line_has "user=$u " "outcome=no-mfa" "reason=pool-off"

e2e_pool optional
newuser opt plain
e2e_ssh "$u" "$port_key" now
if [ $? -eq 0 ] && e2e_ssh_ok && [ "$(e2e_asked .)" -eq 0 ]; then
	pass optional_without_factor_no_prompt_logs_in
else
	fail optional_without_factor_no_prompt_logs_in "$(e2e_why)"
fi
e2e_logcheck optional_without_factor_log_line "$u" \
    e2e_one_line_has "user=$u " "outcome=no-mfa" "reason=optional-no-factor"

# the key is still required: keyboard-interactive alone is refused even
# for a user who needs no MFA (AuthenticationMethods), and PAM never runs
e2e_pool off
newuser nokey plain
e2e_ssh "$u" "$port_key" now nokey
if [ $? -ne 0 ] && ! e2e_ssh_ok && [ "$(e2e_asked .)" -eq 0 ]; then
	pass no_key_refused_even_without_mfa
else
	fail no_key_refused_even_without_mfa "$(e2e_why)"
fi
e2e_logcheck no_key_module_never_runs "$u" e2e_nlines 0

# ---------------------------------------------------------------------
# ON without a factor: set-up required, denied with the enrolment message

e2e_pool on
newuser setup plain
e2e_ssh "$u" "$port_key" now
if [ $? -ne 0 ] && ! e2e_ssh_ok && [ "$(e2e_asked .)" -eq 0 ] &&
    grep -q 'Multi-factor authentication is required, but you have no MFA method set up' "$E2E_OUT"; then
	pass pool_on_without_factor_denied_with_enrolment_message
else
	fail pool_on_without_factor_denied_with_enrolment_message "$(e2e_why)"
fi
e2e_logcheck pool_on_without_factor_log_line "$u" \
    e2e_one_line_has "user=$u " "outcome=setup-required" "reason=needs-setup"

# ---------------------------------------------------------------------
# stale cache: max_age, fail_mode closed then open

e2e_pool on
touch -d '-2 hours' "$E2E_STORE/pool.json"
e2e_config "max_age = 60" "fail_mode = closed"
newuser stale totp
e2e_ssh "$u" "$port_key" now
if [ $? -ne 0 ] && ! e2e_ssh_ok && [ "$(e2e_asked .)" -eq 0 ] &&
    grep -q 'Multi-factor authentication is temporarily unavailable\.' "$E2E_OUT"; then
	pass stale_cache_fail_closed_denies
else
	fail stale_cache_fail_closed_denies "$(e2e_why)"
fi
e2e_logcheck stale_cache_fail_closed_log_line "$u" \
    e2e_one_line_has "user=$u " "outcome=unavailable" "reason=stale"

e2e_config "max_age = 60" "fail_mode = open"
newuser staleopen totp
e2e_ssh "$u" "$port_key" now
if [ $? -eq 0 ] && e2e_ssh_ok && [ "$(e2e_asked .)" -eq 0 ]; then
	pass stale_cache_fail_open_no_prompt_logs_in
else
	fail stale_cache_fail_open_no_prompt_logs_in "$(e2e_why)"
fi
# a warning: authpriv (10) * 8 + LOG_WARNING (4) = <84>
e2e_logcheck stale_cache_fail_open_warning_logged "$u" \
    e2e_one_line_has "<84>" "user=$u " "outcome=no-mfa" "reason=stale-open"
e2e_config

# ---------------------------------------------------------------------
# an untrustworthy cache: denied (fail_mode never covers integrity), one
# log line saying why, no prompt

untrusted_case() {	# NAME TAG REASON DETAIL_PREFIX
	newuser "$2" totp
	e2e_ssh "$u" "$port_key" now
	if [ $? -ne 0 ] && ! e2e_ssh_ok && [ "$(e2e_asked .)" -eq 0 ]; then
		pass "${1}_denied"
	else
		fail "${1}_denied" "$(e2e_why)"
	fi
	e2e_logcheck "${1}_one_log_line" "$u" \
	    e2e_one_line_has "user=$u " "outcome=unavailable" "reason=$3" \
	    "detail=\"$4"
}

e2e_config "fail_mode = open"
e2e_pool '{"MfaConfiguration":"ON","SoftwareTokenMfaConfiguration":{"Enabled":true}'
untrusted_case corrupt_pool corrupt cache-corrupt "pool.json: malformed"

e2e_pool on
chmod 0666 "$E2E_STORE/pool.json"
untrusted_case world_writable_pool writable cache-untrusted "pool.json: untrusted"

e2e_pool on
mv "$E2E_STORE/pool.json" "$E2E_STORE/pool-target.json"
ln -s pool-target.json "$E2E_STORE/pool.json"
untrusted_case symlinked_pool symlink cache-untrusted "pool.json: untrusted"
rm -f "$E2E_STORE/pool.json" "$E2E_STORE/pool-target.json"
e2e_config
e2e_pool on

# ---------------------------------------------------------------------
# grace never applies to sshd (no real terminal): a second login of the
# same user is asked again

e2e_config "grace = 300"
newuser grace totp
e2e_ssh "$u" "$port_key" now
r1=$?
e2e_ssh "$u" "$port_key" next
r2=$?
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && e2e_ssh_ok &&
    [ "$(e2e_asked 'Authenticator code: ')" -eq 1 ]; then
	pass grace_never_for_sshd
else
	fail grace_never_for_sshd "first=$r1 second=$r2 $(e2e_why)"
fi
e2e_config

# ---------------------------------------------------------------------
# keyboard-interactive alone: password (pam_unix, requisite), then code

newuser pwok totp
e2e_ssh "$u" "$port_pw" now nokey
if [ $? -eq 0 ] && e2e_ssh_ok && [ "$(grep -c . "$E2E_PROMPTS")" -eq 2 ] &&
    [ "$(sed -n 1p "$E2E_PROMPTS")" = "($u@127.0.0.1) Password: " ] &&
    [ "$(sed -n 2p "$E2E_PROMPTS")" = "($u@127.0.0.1) Authenticator code: " ]; then
	pass password_then_code_logs_in
else
	fail password_then_code_logs_in "$(e2e_why)"
fi
e2e_logcheck password_then_code_log_line "$u" \
    e2e_one_line_has "user=$u service=$svc_pw " "outcome=verified"

newuser pwbad totp
E2E_PASSWORD_USE=not-the-password
e2e_ssh "$u" "$port_pw" now nokey
r=$?
E2E_PASSWORD_USE=
if [ $r -ne 0 ] && ! e2e_ssh_ok && [ "$(e2e_asked 'assword')" -eq 1 ] &&
    [ "$(e2e_asked 'Authenticator code')" -eq 0 ]; then
	pass wrong_password_never_reaches_module
else
	fail wrong_password_never_reaches_module "$(e2e_why)"
fi
e2e_logcheck wrong_password_no_module_log_line "$u" e2e_nlines 0

# PAM_IGNORE on the password stack: the password alone decides, both ways
e2e_pool off
newuser pwoff totp
e2e_ssh "$u" "$port_pw" now nokey
ra=$?
okay=0
e2e_ssh_ok && [ "$(e2e_asked 'Authenticator code')" -eq 0 ] && okay=1
E2E_PASSWORD_USE=not-the-password
e2e_ssh "$u" "$port_pw" now nokey
rb=$?
E2E_PASSWORD_USE=
if [ $ra -eq 0 ] && [ $okay -eq 1 ] && [ $rb -ne 0 ] && ! e2e_ssh_ok; then
	pass password_stack_pool_off_password_decides
else
	fail password_stack_pool_off_password_decides "right=$ra/$okay wrong=$rb $(e2e_why)"
fi
e2e_pool on

# ---------------------------------------------------------------------
e2e_no_code_logged log_never_contains_a_code
finish
