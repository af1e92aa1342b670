#!/bin/sh
# e2e-sudo.sh BUILD: real sudo (step-up MFA) with the built module and the
# shipped conf/pam.d/sudo-mfa and sudo-i-mfa, installed as new PAM
# services /etc/pam.d/cmfa-e2e-* (only the module line changed: the
# build's path plus store= and config=) and selected by a new sudoers
# drop-in /etc/sudoers.d/cmfa-e2e-* (pam_service= and pam_login_service=,
# timestamp_timeout=0 so sudo's own cache never hides the prompt,
# passwd_tries=1 so one sudo is one PAM authentication).  Each sudo runs
# as the test user with an askpass (sudo -A), inside script(1) so there
# is a real terminal: grace= keys on the terminal session.  Root only;
# SKIPs otherwise.  Helpers, hygiene and cleanup: tests/e2e/lib.sh.
#
# Time: every case that depends on the TOTP state has its own user; no
# case waits for a TOTP step (a second code of one user is the next
# step's, accepted with window=1).
suite=e2e-sudo
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../e2e/lib.sh"

e2e_require "${1:-build}" sudo visudo script runuser setsid
e2e_private_log "$0" "$@"
e2e_setup
install -m 0755 "$E2E_LIB/sudo-session" "$E2E_T/pub/sudo-session" ||
    e2e_skip_all "cannot set up $E2E_T"

# helper=: the build's cognito-mfa sends the emailed code (issue 5)
E2E_MODARGS="helper=$E2E_BUILD/cognito-mfa"
e2e_pam_service sudo-mfa s || e2e_skip_all "cannot install the PAM service"
svc=$E2E_SERVICE
# sudo -i runs under its own service (Debian: sudo-i, pam_login_service)
e2e_pam_service sudo-i-mfa i || e2e_skip_all "cannot install the PAM service"
svc_i=$E2E_SERVICE

# the users first (one per time-dependent case), then one drop-in for all
users=
mkuser() {	# VAR TAG KIND
	e2e_user "$2" "$3" || e2e_skip_all "cannot create user $2"
	eval "$1=\$E2E_USER"
	users="$users${users:+, }$E2E_USER"
}
mkuser u_ok ok totp
mkuser u_wrong wrong totp
mkuser u_badpw badpw totp
mkuser u_grace grace totp
mkuser u_expire expire totp
mkuser u_notty notty totp
mkuser u_exempt exempt totp
mkuser u_offplain offplain plain
mkuser u_offtotp offtotp totp
mkuser u_login login totp
mkuser u_loginbad loginbad totp
mkuser u_mail mail plain

alias=CMFAEE$(echo "$E2E_RAND" | tr a-z A-Z)
cat >"$E2E_T/sudoers" <<EOF
# cmfa e2e test drop-in (removed when the test ends)
User_Alias $alias = $users
Defaults:$alias pam_service=$svc
Defaults:$alias pam_login_service=$svc_i
Defaults:$alias timestamp_timeout=0
Defaults:$alias passwd_tries=1
Defaults:$alias !lecture
$alias ALL=(root) /usr/bin/true, /usr/bin/id
EOF
visudo -cqf "$E2E_T/sudoers" >/dev/null 2>&1 ||
    e2e_skip_all "the test's sudoers drop-in does not validate"
e2e_etc_new "/etc/sudoers.d/cmfa-e2e-$E2E_RAND" 0440 "$E2E_T/sudoers" ||
    e2e_skip_all "cannot install /etc/sudoers.d/cmfa-e2e-$E2E_RAND"
if ! visudo -cq >/dev/null 2>&1; then
	rm -f "/etc/sudoers.d/cmfa-e2e-$E2E_RAND"
	e2e_skip_all "sudoers no longer validates with the drop-in"
fi

# sudo_session USER SEQ N [SLEEP] [notty]: N sudo calls in one new
# terminal session (script -qec), or with no terminal at all (setsid).
# Sets E2E_PROMPTS (what the askpass was asked), E2E_OUT (the terminal's
# output), S_RC (the "rcI=" lines, space separated).
sudo_session() {
	local su_u su_seq su_n su_sleep su_mode d res cmd
	su_u=$1 su_seq=$2 su_n=$3 su_sleep=${4-} su_mode=${5-tty}
	E2E_RUN=$((E2E_RUN + 1))
	d=$E2E_T/pub/$su_u
	E2E_PROMPTS=$d/prompts.$E2E_RUN
	E2E_OUT=$E2E_T/out.$E2E_RUN
	res=$d/results.$E2E_RUN
	install -m 0600 -o "$su_u" -g "$su_u" /dev/null "$E2E_PROMPTS" &&
	    install -m 0600 -o "$su_u" -g "$su_u" /dev/null "$res" || return 1
	cmd="sh $E2E_T/pub/sudo-session $su_n $su_sleep"
	if [ "$su_mode" = notty ]; then
		set -- setsid -w $cmd
	else
		set -- script -qec "$cmd" /dev/null
	fi
	timeout 60 runuser -u "$su_u" -- env \
	    E2E_PROMPTS="$E2E_PROMPTS" E2E_CODES="$d/codes" E2E_SEQ="$su_seq" \
	    E2E_SECRET="$(e2e_secret "$su_u")" \
	    E2E_PASSWORD="${E2E_PASSWORD_USE:-$E2E_PW}" E2E_RESULTS="$res" \
	    E2E_SUDO_OPTS="${E2E_SUDO_OPTS-}" \
	    SUDO_ASKPASS="$E2E_ASKPASS" "$@" </dev/null >"$E2E_OUT" 2>&1
	S_RC=$(grep '^rc' "$res" | tr '\n' ' ')
	S_TTY=$(sed -n 's/^tty=//p' "$res")
}

s_why() {
	printf 'rc=[%s] tty=%s %s' "$S_RC" "$S_TTY" "$(e2e_why)"
}

# the prompts of the last session, as "p" (password) and "c" (code)
asked() {
	sed -e 's/.*assword.*/p/' -e 's/.*Authenticator code.*/c/' \
	    -e 's/.*Email code.*/e/' \
	    "$E2E_PROMPTS" | tr -d '\n'
}

e2e_pool on
e2e_config

# ---------------------------------------------------------------------
# password, then the right code

sudo_session "$u_ok" now 1
if [ "$S_RC" = "rc1=0 " ] && [ "$(asked)" = pc ]; then
	pass password_then_right_code
else
	fail password_then_right_code "$(s_why)"
fi
e2e_logcheck right_code_log_line "$u_ok" \
    e2e_one_line_has "sudo: pam_cognito_mfa($svc:auth): user=$u_ok service=$svc " \
    "outcome=verified"

# ---------------------------------------------------------------------
# a wrong code: refused after tries (3) prompts

sudo_session "$u_wrong" wrong 1
if [ "$S_RC" != "rc1=0 " ] && [ -n "$S_RC" ] && [ "$(asked)" = pccc ] &&
    grep -q 'Invalid code\.' "$E2E_OUT"; then
	pass wrong_code_refused
else
	fail wrong_code_refused "$(s_why)"
fi
e2e_logcheck wrong_code_log_line "$u_wrong" \
    e2e_one_line_has "user=$u_wrong " "outcome=wrong-code" "reason=wrong-code"

# ---------------------------------------------------------------------
# a wrong password: the module never runs (pam_unix is requisite)

E2E_PASSWORD_USE=not-the-password
sudo_session "$u_badpw" now 1
E2E_PASSWORD_USE=
if [ "$S_RC" != "rc1=0 " ] && [ -n "$S_RC" ] && [ "$(asked)" = p ]; then
	pass wrong_password_never_reaches_module
else
	fail wrong_password_never_reaches_module "$(s_why)"
fi
e2e_logcheck wrong_password_no_module_log_line "$u_badpw" e2e_nlines 0

# ---------------------------------------------------------------------
# grace: the same terminal session is not asked again; a new session is

e2e_config "grace = 300"
sudo_session "$u_grace" now 2
case $S_TTY in
/dev/pts/*) tty_ok=1 ;;
*) tty_ok=0 ;;
esac
if [ "$S_RC" = "rc1=0 rc2=0 " ] && [ "$(asked)" = pcp ] && [ $tty_ok = 1 ]; then
	pass grace_same_terminal_session_not_asked_again
else
	fail grace_same_terminal_session_not_asked_again "$(s_why)"
fi
e2e_logcheck grace_log_line "$u_grace" \
    e2e_last_has "user=$u_grace " "outcome=grace" "reason=grace"

# a new terminal session (another script run): asked again; the code of
# the next step, as the first one's step is spent
sudo_session "$u_grace" next 1
if [ "$S_RC" = "rc1=0 " ] && [ "$(asked)" = pc ]; then
	pass grace_new_terminal_session_asked_again
else
	fail grace_new_terminal_session_asked_again "$(s_why)"
fi

# grace=1 runs out: after 2 s the same session is asked again
e2e_config "grace = 1"
sudo_session "$u_expire" "now next" 2 2
if [ "$S_RC" = "rc1=0 rc2=0 " ] && [ "$(asked)" = pcpc ]; then
	pass grace_expires
else
	fail grace_expires "$(s_why)"
fi

# no terminal at all: never a grace
e2e_config "grace = 300"
sudo_session "$u_notty" "now next" 2 "" notty
if [ "$S_RC" = "rc1=0 rc2=0 " ] && [ "$(asked)" = pcpc ]; then
	pass grace_never_without_terminal
else
	fail grace_never_without_terminal "$(s_why)"
fi
e2e_config

# ---------------------------------------------------------------------
# PAM_IGNORE (exempt_group: here the user's own group, so no group has to
# be added to /etc/group): the password alone decides, both ways

e2e_config "exempt_group = $u_exempt"
sudo_session "$u_exempt" now 1
r1=$S_RC a1=$(asked)
E2E_PASSWORD_USE=not-the-password
sudo_session "$u_exempt" now 1
E2E_PASSWORD_USE=
if [ "$r1" = "rc1=0 " ] && [ "$a1" = p ] && [ "$S_RC" != "rc1=0 " ] &&
    [ -n "$S_RC" ] && [ "$(asked)" = p ]; then
	pass ignore_password_decides
else
	fail ignore_password_decides "right=[$r1 $a1] $(s_why)"
fi
e2e_logcheck ignore_log_line "$u_exempt" \
    e2e_one_line_has "user=$u_exempt " "outcome=no-mfa" "reason=exempt"
e2e_config

# ---------------------------------------------------------------------
# require_mfa (the shipped sudo file): with the pool OFF a user with a
# factor is still challenged, one without is refused with the enrolment
# message

e2e_pool off
sudo_session "$u_offtotp" now 1
if [ "$S_RC" = "rc1=0 " ] && [ "$(asked)" = pc ]; then
	pass require_mfa_pool_off_still_challenges
else
	fail require_mfa_pool_off_still_challenges "$(s_why)"
fi
sudo_session "$u_offplain" now 1
if [ "$S_RC" != "rc1=0 " ] && [ -n "$S_RC" ] && [ "$(asked)" = p ] &&
    grep -q 'no MFA method set up' "$E2E_OUT"; then
	pass require_mfa_without_factor_refused_with_enrolment_message
else
	fail require_mfa_without_factor_refused_with_enrolment_message "$(s_why)"
fi
e2e_logcheck require_mfa_without_factor_log_line "$u_offplain" \
    e2e_one_line_has "user=$u_offplain " "outcome=setup-required"
e2e_pool on

# ---------------------------------------------------------------------
# sudo -i: its own PAM service (conf/pam.d/sudo-i-mfa), the same step-up.
# The test users may not run a login shell, so sudo refuses the command
# after authenticating: the point is that the code was asked, and by the
# sudo-i service.

E2E_SUDO_OPTS=-i
sudo_session "$u_login" now 1
E2E_SUDO_OPTS=
if [ "$(asked)" = pc ] && [ -n "$S_RC" ] &&
    grep -q 'is not allowed to execute' "$E2E_OUT"; then
	pass sudo_login_shell_asks_the_code
else
	fail sudo_login_shell_asks_the_code "$(s_why)"
fi
e2e_logcheck sudo_login_shell_log_line "$u_login" \
    e2e_one_line_has "pam_cognito_mfa($svc_i:auth): user=$u_login service=$svc_i " \
    "outcome=verified"

# and a wrong code fails the authentication itself (sudo never gets as
# far as the sudoers refusal)
E2E_SUDO_OPTS=-i
sudo_session "$u_loginbad" wrong 1
E2E_SUDO_OPTS=
if [ "$(asked)" = pccc ] && [ "$S_RC" != "rc1=0 " ] && [ -n "$S_RC" ] &&
    ! grep -q 'is not allowed to execute' "$E2E_OUT"; then
	pass sudo_login_shell_wrong_code_refused
else
	fail sudo_login_shell_wrong_code_refused "$(s_why)"
fi

# ---------------------------------------------------------------------
# step-up with an emailed code: cognito-mfa deliver sends it to a real
# SMTP server (aiosmtpd); the askpass, as the user, reads it from the
# delivered message

if ! "$E2E_PY" -c 'import aiosmtpd' 2>/dev/null; then
	skip sudo_with_emailed_code "python3-aiosmtpd not installed"
elif ! e2e_smtp; then
	fail sudo_with_emailed_code "the SMTP server does not start"
else
	e2e_delivered_user "$u_mail" email
	e2e_pool '{"MfaConfiguration":"ON","EmailMfaConfiguration":{"Subject":"Sudo","Message":"Your sudo code is {####}."}}'
	e2e_config "email_channel = smtp" \
	    "smtp_url = smtp://127.0.0.1:$E2E_SMTP_PORT" "smtp_starttls = no" \
	    "email_from = mfa@example.com"
	sudo_session "$u_mail" sent 1
	if [ "$S_RC" = "rc1=0 " ] && [ "$(asked)" = pe ] &&
	    grep -q "Your sudo code is $(tail -n 1 "$E2E_T/pub/$u_mail/codes")\." \
		"$E2E_MAIL"/new/*; then
		pass sudo_with_emailed_code
	else
		fail sudo_with_emailed_code "$(s_why)"
	fi
	e2e_logcheck sudo_with_emailed_code_log_line "$u_mail" \
	    e2e_one_line_has "user=$u_mail service=$svc " \
	    "factor=EMAIL_OTP outcome=verified"
	e2e_pool on
	e2e_config
fi

# ---------------------------------------------------------------------
e2e_no_code_logged log_never_contains_a_code
finish
