#!/bin/sh
# e2e-deliver.sh BUILD: real SSH logins with delivered codes (issue 5):
# a real sshd on 127.0.0.1 with the built module and the shipped
# conf/pam.d/sshd-mfa-after-publickey (module line: the build's path,
# helper= the build's cognito-mfa, store=, config=), a real ssh client,
# and the real peers of `cognito-mfa deliver`:
#   - email: aiosmtpd on 127.0.0.1 writing a Maildir; the askpass reads
#     the code from the delivered message;
#   - SMS: tests/data/aws_mock.py answering STS AssumeRole and SNS
#     Publish, checking every SigV4 signature; the askpass reads the
#     code from the recorded Publish.
# Root only; SKIPs otherwise.  Helpers, hygiene, cleanup:
# tests/e2e/lib.sh.  (The sudo step-up with an emailed code is in
# e2e-sudo.sh.)
suite=e2e-deliver
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../e2e/lib.sh"

e2e_require "${1:-build}" /usr/sbin/sshd ssh ssh-keygen setsid unshare
[ -x "$E2E_BUILD/cognito-mfa" ] || e2e_skip_all "no $E2E_BUILD/cognito-mfa"
"$E2E_PY" -c 'import aiosmtpd' 2>/dev/null ||
    e2e_skip_all "python3-aiosmtpd not installed"
e2e_private_log "$0" "$@"
e2e_setup

e2e_smtp || e2e_skip_all "cannot start the SMTP server"
e2e_aws_mock || e2e_skip_all "cannot start the AWS mock"

E2E_MODARGS="helper=$E2E_BUILD/cognito-mfa"
e2e_pam_service sshd-mfa-after-publickey d ||
    e2e_skip_all "cannot install the PAM service"
svc=$E2E_SERVICE
e2e_sshd key "$svc" || e2e_skip_all "sshd does not start"
port=$E2E_PORT

pool() {	# EXTERNAL_ID
	e2e_pool '{"MfaConfiguration":"ON",
"SmsMfaConfiguration":{"SmsAuthenticationMessage":"Your e2e code is {####}.",
 "SmsConfiguration":{"SnsCallerArn":"'"$E2E_ROLE"'","ExternalId":"'"$1"'",
  "SnsRegion":"us-east-1"}},
"EmailMfaConfiguration":{"Subject":"E2E sign-in","Message":"Your e2e email code is {####}."},
"SoftwareTokenMfaConfiguration":{"Enabled":true}}'
}
config() {	# SMTP_PORT
	e2e_config "email_channel = smtp" \
	    "smtp_url = smtp://127.0.0.1:$1" \
	    "smtp_starttls = no" \
	    "email_from = mfa@example.com" \
	    "sms_channel = sns" \
	    "sts_endpoint_url = http://127.0.0.1:$E2E_MOCK_PORT" \
	    "sns_endpoint_url = http://127.0.0.1:$E2E_MOCK_PORT" \
	    "aws_shared_credentials_file = $E2E_T/aws-credentials" \
	    "aws_config_file = $E2E_T/aws-config" \
	    "ec2_metadata_disabled = yes" \
	    "delivery_timeout = 15"
}
: >"$E2E_T/aws-config"
chmod 0600 "$E2E_T/aws-config"
pool "$E2E_EXTID"
config "$E2E_SMTP_PORT"

newuser() {	# TAG sms|email: a fresh user in $u
	e2e_user "$1" plain || { fail "setup_user_$1"; u=cmfae2eunknown; return 1; }
	u=$E2E_USER
	e2e_delivered_user "$u" "$2" || fail "setup_delivered_$1"
}
asked() {	# the prompts of the last run, as one letter each (ssh puts
		# the module's messages in front of the next prompt)
	sed -n -e 's/.*Email code: .*/e/p' -e 's/.*SMS code: .*/s/p' \
	    -e 's/.*Authenticator code: .*/t/p' -e 's/.*assword.*/p/p' \
	    "$E2E_PROMPTS" | tr -d '\n'
}
told() {	# TEXT: the module said TEXT to the user (ssh shows it with
		# the next prompt, or on stderr when no prompt follows)
	grep -qF "$1" "$E2E_PROMPTS" "$E2E_OUT"
}

# ---------------------------------------------------------------------
# email: the code from the delivered message logs in

newuser mail email
masked="c***@e***.com"
e2e_ssh "$u" "$port" sent
if [ $? -eq 0 ] && e2e_ssh_ok && [ "$(asked)" = e ] &&
    told "A code was sent to $masked."; then
	pass email_code_logs_in
else
	fail email_code_logs_in "$(e2e_why) asked=$(asked)"
fi
msg=$(grep -l "^To: $u@example.com" "$E2E_MAIL"/new/* 2>/dev/null | head -n 1)
if [ -n "$msg" ] && grep -q '^From: mfa@example.com' "$msg" &&
    grep -q '^Subject: E2E sign-in' "$msg" &&
    grep -q "Your e2e email code is $(tail -n 1 "$E2E_T/pub/$u/codes")\." "$msg"; then
	pass email_uses_pool_subject_and_message
else
	fail email_uses_pool_subject_and_message "$(head -c 600 "$msg" 2>/dev/null)"
fi
e2e_logcheck email_log_line "$u" \
    e2e_one_line_has "user=$u service=$svc " "factor=EMAIL_OTP outcome=verified"

# a wrong code, then the code from the message
newuser mailwrong email
e2e_ssh "$u" "$port" "wrong sent"
if [ $? -eq 0 ] && e2e_ssh_ok && [ "$(asked)" = ee ] &&
    told 'Invalid code.'; then
	pass email_wrong_then_right_code
else
	fail email_wrong_then_right_code "$(e2e_why) asked=$(asked)"
fi

# ---------------------------------------------------------------------
# SMS: STS AssumeRole of SnsCallerArn with ExternalId, then SNS Publish
# signed with the role's credentials

newuser sms sms
dest=$E2E_DEST
e2e_ssh "$u" "$port" sent
if [ $? -eq 0 ] && e2e_ssh_ok && [ "$(asked)" = s ] &&
    told "A code was sent to +*******$(printf '%s' "$dest" | tail -c 4)."; then
	pass sms_code_logs_in
else
	fail sms_code_logs_in "$(e2e_why) asked=$(asked)"
fi
if "$E2E_PY" - "$E2E_T/aws/sns.jsonl" "$dest" "$E2E_ROLE" \
    "$(tail -n 1 "$E2E_T/pub/$u/codes")" <<'EOF'
import json, sys
path, dest, role, code = sys.argv[1:]
rows = [json.loads(l) for l in open(path) if l.strip()]
rows = [r for r in rows if r.get("PhoneNumber") == dest]
r = rows[-1]
ok = (r["Message"] == "Your e2e code is %s." % code and r["role"] == role
      and r["access_key"] != "AKIDE2EHOST"
      and r["MessageAttributes"].get("AWS.SNS.SMS.SMSType") == "Transactional")
sys.exit(0 if ok else 1)
EOF
then
	pass sms_published_with_assumed_role
else
	fail sms_published_with_assumed_role "$(tail -n 2 "$E2E_T/aws/sns.jsonl")"
fi
e2e_logcheck sms_log_line "$u" \
    e2e_one_line_has "user=$u service=$svc " "factor=SMS_MFA outcome=verified"

# ---------------------------------------------------------------------
# delivery failures: one clear line for the user, the reason in the log,
# no prompt, no login

# the role refuses this ExternalId: AccessDenied from STS
pool wrong-external-id
newuser smsdenied sms
e2e_ssh "$u" "$port" sent
if [ $? -ne 0 ] && ! e2e_ssh_ok && [ -z "$(asked)" ] &&
    told 'The code could not be sent.' &&
    ! grep -q 'AccessDenied' "$E2E_OUT" "$E2E_PROMPTS"; then
	pass sms_assume_role_refused_denies
else
	fail sms_assume_role_refused_denies "$(e2e_why) asked=$(asked)"
fi
e2e_logcheck sms_refused_log_line "$u" \
    e2e_one_line_has "user=$u " "outcome=unavailable" "reason=delivery-failed" \
    "AccessDenied"
pool "$E2E_EXTID"

# the SMTP server is down
config "$(e2e_free_port)"
newuser maildown email
e2e_ssh "$u" "$port" sent
if [ $? -ne 0 ] && ! e2e_ssh_ok && [ -z "$(asked)" ] &&
    told 'The code could not be sent.'; then
	pass smtp_down_denies
else
	fail smtp_down_denies "$(e2e_why) asked=$(asked)"
fi
e2e_logcheck smtp_down_log_line "$u" \
    e2e_one_line_has "user=$u " "outcome=unavailable" "reason=delivery-failed"
config "$E2E_SMTP_PORT"

# ---------------------------------------------------------------------
# no code, delivered or typed, in any log line

e2e_no_code_logged no_code_in_any_log_line
finish
