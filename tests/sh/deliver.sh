#!/bin/sh
# deliver.sh BUILD: `cognito-mfa deliver`, run as the PAM module runs it
# (an empty environment, the code on stdin), on a private store and
# config (mode 0600, the runner's).  Exit statuses 0 and 3..7 and 252,
# the one stderr line, the masked CodeDeliveryDetails, the hourly limits
# (per user, per destination, a corrupt count), the command channel (its
# stdin, argv, environment, failure, timeout and no leftover process),
# templates without {####}, and real peers: SNS through STS AssumeRole
# against tests/data/aws_mock.py (SigV4 checked by botocore), SES v2 on
# the same mock, SMTP to aiosmtpd (a Maildir).  The code never shows in
# argv, stderr, the mock's request log or a --debug line.
#
# deliver_command must live where util/spawn.c accepts a program: no
# group- or world-writable directory above it, so not under /tmp.  Its
# scripts go in a private directory under BUILD, removed on exit like
# the /tmp one.
suite=deliver
. "$(dirname "$0")/lib.sh"
# check NAME EXPR: PASS when the shell expression EXPR (eval'd) holds
check() { if eval "$2"; then pass "$1"; else fail "$1"; fi; }
build=${1:-build}
top=$(pwd)
cli=$top/$build/cognito-mfa
py=/usr/bin/python3
mock_py=$top/tests/data/aws_mock.py

if [ ! -x "$cli" ]; then
	skip all "$cli missing"
	finish
	exit
fi

tmp=$(mktemp -d /tmp/cmfa-deliver.XXXXXX) || exit 1
cmd=
mock_pid=
smtp_pid=
cleanup() {
	stop_pids $mock_pid $smtp_pid
	rm -rf "$tmp"
	[ -n "$cmd" ] && rm -rf "$cmd"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
cmd=$(mktemp -d "$top/$build/deliver-cmd.XXXXXX") || exit 1
chmod 700 "$cmd"
umask 077

export AWS_EC2_METADATA_DISABLED=true LC_ALL=C.UTF-8
store=$tmp/store
P=local_pool
PHONE=+12065550100
CODE=493817

# --- the deliver_command scripts ---------------------------------------
# ok: records its stdin, argv and exact environment (/proc/self/environ
# of the exec'd program), then exits 0
cat >"$cmd/ok.sh" <<EOF
#!/bin/sh
tr '\\0' '\\n' </proc/\$\$/environ >"$tmp/cmd.env"
printf '%s\\n' "\$@" >"$tmp/cmd.argv"
cat >"$tmp/cmd.in"
exit 0
EOF
# fail: a gateway's complaint on stderr, echoing the code it was given
cat >"$cmd/fail.sh" <<EOF
#!/bin/sh
in=\$(cat)
echo "gateway says no to \$(printf '%s' "\$in" | tail -n 1)" >&2
echo "second line" >&2
exit 3
EOF
# slow: never finishes by itself; records its pid and its child's
cat >"$cmd/slow.sh" <<EOF
#!/bin/sh
echo \$\$ >"$tmp/slow.pid"
sleep 60 &
echo \$! >"$tmp/slow.child"
wait
EOF
chmod 755 "$cmd/ok.sh" "$cmd/fail.sh" "$cmd/slow.sh"

# conf NAME LINES: a config file $tmp/NAME.conf (0600)
conf() {
	printf 'store = %s\nec2_metadata_disabled = yes\n%s\n' "$store" "$2" \
		>"$tmp/$1.conf"
	chmod 600 "$tmp/$1.conf"
}
conf base ""
conf cmd "delivery_limit = 100
sms_channel = command
email_channel = command
deliver_command = $cmd/ok.sh"

# dlv CONF USER CHANNEL [STDIN]: deliver as the module runs it (env -i,
# the code on stdin) -> d.out, d.err, $rc
dlv() {
	printf '%s\n' "${4-$CODE}" |
		env -i "$cli" --store "$store" --config "$tmp/$1.conf" \
			deliver --user "$2" --channel "$3" \
			>"$tmp/d.out" 2>"$tmp/d.err"
	rc=$?
	cat "$tmp/d.err" >>"$tmp/all.err"
}
# expect NAME RC [STDERR-TEXT]: the exit status, one stderr line starting
# "cognito-mfa deliver: " holding the text, no code in it
expect() {
	why=
	[ "$rc" = "$2" ] || why="exit $rc, not $2"
	if [ -z "$why" ] && [ "$2" != 0 ] && [ "$2" != 252 ] ||
		[ -n "$3" ]; then
		[ "$(wc -l <"$tmp/d.err")" -eq 1 ] &&
			grep -q '^cognito-mfa deliver: ' "$tmp/d.err" ||
			why=${why:-"stderr is not one deliver line"}
	fi
	if [ -z "$why" ] && [ -n "$3" ] && ! grep -qF -- "$3" "$tmp/d.err"
	then
		why="stderr lacks '$3'"
	fi
	if [ "$2" = 0 ] && [ -s "$tmp/d.err" ]; then
		why=${why:-"stderr is not empty"}
	fi
	if grep -q "$CODE" "$tmp/d.err" "$tmp/d.out"; then
		why=${why:-"the code is in the output"}
	fi
	if [ -z "$why" ]; then
		pass "$1"
	else
		fail "$1" "$why: $(head -c 300 "$tmp/d.err" | tr '\n' '|')"
	fi
}
# details MASK MEDIUM ATTR: stdout is exactly the CodeDeliveryDetails
details() {
	printf '{\n    "CodeDeliveryDetails": {\n        "AttributeName": "%s",\n        "DeliveryMedium": "%s",\n        "Destination": "%s"\n    }\n}\n' \
		"$3" "$2" "$1" | cmp -s - "$tmp/d.out"
}
# mk ARGS...: a local-store command on the base config
mk() {
	"$cli" --store "$store" --config "$tmp/base.conf" "$@" \
		>"$tmp/mk.out" 2>"$tmp/mk.err" </dev/null
}
user() {	# NAME ATTRS...
	n=$1
	shift
	mk admin-create-user --user-pool-id "$P" --username "$n" \
		--user-attributes "$@"
}
# put REL TEXT: a hand-written store file (the runner's, 0600)
put() {
	printf '%s' "$2" >"$store/$1"
	chmod 600 "$store/$1"
}

# --- the store ------------------------------------------------------------
mk set-user-pool-mfa-config --user-pool-id "$P" \
	--mfa-configuration OPTIONAL \
	--sms-mfa-configuration 'SmsAuthenticationMessage="Your code {####} (SMS)",SmsConfiguration={SnsCallerArn=arn:aws:iam::123456789012:role/cmfa-sns,ExternalId=cmfa-ext-1,SnsRegion=us-west-2}' \
	--email-mfa-configuration 'Message="Mail code: {####}. Bye",Subject="Your sign-in code"'
src=$?
V='Name=phone_number_verified,Value=true Name=email_verified,Value=true'
# shellcheck disable=SC2086
user alice Name=phone_number,Value=$PHONE \
	Name=email,Value=alice@example.com $V || src=1
# shellcheck disable=SC2086
user lim Name=phone_number,Value=+12065550142 \
	Name=email,Value=lim@example.com $V || src=1
# shellcheck disable=SC2086
user corrupt Name=phone_number,Value=+12065550143 $V || src=1
# two users sharing one mailbox
# shellcheck disable=SC2086
for u in sh1 sh2; do
	user "$u" Name=email,Value=Shared@Example.com $V || src=1
done
user nodest || src=1
user unver Name=phone_number,Value=+447700900123 \
	Name=email,Value=unver@example.com || src=1
ok store_made [ "$src" = 0 ]
put users/badphone.json '{"Username":"badphone","Enabled":true,"UserStatus":"CONFIRMED","UserAttributes":[{"Name":"phone_number","Value":"12065550100"},{"Name":"phone_number_verified","Value":"true"},{"Name":"email","Value":"a@b@c"},{"Name":"email_verified","Value":"true"}]}'
put users/off.json '{"Username":"off","Enabled":false,"UserStatus":"CONFIRMED","UserAttributes":[{"Name":"phone_number","Value":"+12065550111"},{"Name":"phone_number_verified","Value":"true"}]}'
cp "$store/pool.json" "$tmp/pool.saved"

# --- the command channel -----------------------------------------------------
dlv cmd alice sms
expect command_sms_sent 0
ok command_sms_details details '+*******0100' SMS phone_number
ok command_sms_stdin sh -c 'printf "channel: sms\ndestination: %s\n\nYour code %s (SMS)" "$1" "$2" |
	cmp -s - "$3"' - "$PHONE" "$CODE" "$tmp/cmd.in"
ok command_argv [ "$(cat "$tmp/cmd.argv")" = sms ]
ok command_env_only_path [ "$(cat "$tmp/cmd.env")" = \
	"PATH=/usr/sbin:/usr/bin:/sbin:/bin" ]
dlv cmd alice email
expect command_email_sent 0
ok command_email_details details 'a***@e***.com' EMAIL email
ok command_email_stdin sh -c 'printf "channel: email\ndestination: alice@example.com\nsubject: Your sign-in code\n\nMail code: %s. Bye" "$1" |
	cmp -s - "$2"' - "$CODE" "$tmp/cmd.in"
ok command_email_argv [ "$(cat "$tmp/cmd.argv")" = email ]
# a subject with line breaks (Cognito's pattern allows white space) stays
# on its header line
put pool.json '{"MfaConfiguration":"OPTIONAL","EmailMfaConfiguration":{"Message":"M {####}","Subject":"Line one\r\nline two\tend"}}'
dlv cmd alice email
expect command_subject_one_line 0
check command_subject_one_line_text 'grep -qx "subject: Line one  line two end" "$tmp/cmd.in"'
cp "$tmp/pool.saved" "$store/pool.json"
# the code after a bare EOF (no newline) is fine too
printf '%s' 246810 | env -i "$cli" --store "$store" \
	--config "$tmp/cmd.conf" deliver --user alice --channel sms \
	>"$tmp/d.out" 2>"$tmp/d.err"
rc=$?
check command_no_newline '[ "$rc" = 0 ] && grep -q 246810 "$tmp/cmd.in"'

# --- channel and factor ------------------------------------------------------
conf nosms "delivery_limit = 100
email_channel = command
deliver_command = $cmd/ok.sh"
dlv nosms alice sms
expect sms_channel_none 4 "sms_channel = none"
conf noemail "delivery_limit = 100
sms_channel = command
deliver_command = $cmd/ok.sh"
dlv noemail alice email
expect email_channel_none 4 "email_channel = none"
put pool.json '{"MfaConfiguration":"OPTIONAL","SoftwareTokenMfaConfiguration":{"Enabled":true}}'
dlv cmd alice sms
expect pool_without_sms 4 "SmsMfaConfiguration"
dlv cmd alice email
expect pool_without_email 4 "EmailMfaConfiguration"
# a template without {####} in a cache Cognito could not have written
rm -f "$tmp/cmd.in"
put pool.json '{"MfaConfiguration":"OPTIONAL","SmsMfaConfiguration":{"SmsAuthenticationMessage":"no placeholder here"},"EmailMfaConfiguration":{"Message":"nothing to see","Subject":"s"}}'
dlv cmd alice sms
expect template_without_code_sms 7
dlv cmd alice email
expect template_without_code_email 7
ok template_never_sent [ ! -e "$tmp/cmd.in" ]
cp "$tmp/pool.saved" "$store/pool.json"
# ... and refused at config time, with Cognito's message
mk set-user-pool-mfa-config --user-pool-id "$P" \
	--mfa-configuration OPTIONAL \
	--sms-mfa-configuration 'SmsAuthenticationMessage="Your code is here"'
mrc=$?
refusal="An error occurred (InvalidParameterException) when calling the SetUserPoolMfaConfig operation: 1 validation error detected: Value 'Your code is here' at 'smsMfaConfiguration.smsAuthenticationMessage' failed to satisfy constraint: Member must satisfy regular expression pattern: .*\\{####\\}.*"
check template_refused_at_config '[ "$mrc" = 254 ] &&
	grep -qxF -- "$refusal" "$tmp/mk.err" &&
	cmp -s "$store/pool.json" "$tmp/pool.saved"'

# --- destinations -------------------------------------------------------------
dlv cmd nodest sms
expect no_phone 3 "has no phone_number"
dlv cmd nodest email
expect no_email 3 "has no email"
dlv cmd badphone sms
expect phone_not_e164 3 "not a valid E.164"
dlv cmd badphone email
expect email_invalid 3 "not a valid email address"
dlv cmd unver sms
expect phone_unverified 3 "not verified"
dlv cmd unver email
expect email_unverified 3 "not verified"
conf unver "delivery_limit = 100
sms_channel = command
email_channel = command
deliver_command = $cmd/ok.sh
allow_unverified_destinations = yes"
dlv unver unver sms
expect unverified_allowed_sms 0
ok unverified_allowed_details details '+********0123' SMS phone_number
dlv unver unver email
expect unverified_allowed_email 0

# --- the cache ----------------------------------------------------------------
dlv cmd nobody sms
expect no_such_user 7 "no such user"
dlv cmd off sms
expect disabled_user 7 "disabled"
dlv cmd '../alice' sms
expect bad_user_name 7
printf '{"Username": "corrupt", ' >"$tmp/c.json"
cp "$store/users/corrupt.json" "$tmp/corrupt.saved"
cp "$tmp/c.json" "$store/users/corrupt.json"
dlv cmd corrupt sms
expect corrupt_record 7 "record cannot be used"
cp "$tmp/corrupt.saved" "$store/users/corrupt.json"
chmod 660 "$store/pool.json"
dlv cmd alice sms
expect untrusted_pool 7 "pool.json"
chmod 600 "$store/pool.json"
printf '%s\n' "$CODE" | env -i "$cli" --store "$tmp/nostore" \
	--config "$tmp/cmd.conf" deliver --user alice --channel sms \
	>"$tmp/d.out" 2>"$tmp/d.err"
rc=$?
expect missing_store 7 "cannot be used"
ok missing_store_not_created [ ! -e "$tmp/nostore" ]

# --- stdin and arguments ------------------------------------------------------
for bad in 12345 abcdef 1234567 '' '12345 ' '123456
7'; do
	dlv cmd alice sms "$bad"
	[ "$rc" = 252 ] && grep -qx 'cognito-mfa deliver: the code on stdin must be six digits' "$tmp/d.err" ||
		echo "stdin '$bad': $rc $(cat "$tmp/d.err")" >>"$tmp/bad.stdin"
done
ok stdin_refused [ ! -s "$tmp/bad.stdin" ]
[ -s "$tmp/bad.stdin" ] && cat "$tmp/bad.stdin"
# more than CMFA_DELIVER_STDIN_MAX bytes
head -c 100 /dev/zero | tr '\0' 1 | env -i "$cli" --store "$store" \
	--config "$tmp/cmd.conf" deliver --user alice --channel sms \
	>"$tmp/d.out" 2>"$tmp/d.err"
rc=$?
expect stdin_too_long 252 "six digits"
# a terminal: the code must come from a pipe
if "$py" -c 'import pty' 2>/dev/null; then
	"$py" - "$cli" "$store" "$tmp/cmd.conf" >"$tmp/tty.out" 2>&1 <<'EOF'
import os, pty, subprocess, sys
m, s = pty.openpty()
r = subprocess.run([sys.argv[1], '--store', sys.argv[2], '--config',
                    sys.argv[3], 'deliver', '--user', 'alice', '--channel',
                    'sms'], stdin=s, capture_output=True, env={})
print(r.returncode, r.stderr.decode().strip())
EOF
	ok stdin_tty_refused grep -q '^252 cognito-mfa deliver: the code must come on stdin from a pipe' "$tmp/tty.out"
else
	skip stdin_tty_refused "no pty module"
fi
printf '%s\n' "$CODE" | env -i "$cli" --store "$store" \
	--config "$tmp/cmd.conf" deliver --user alice >"$tmp/d.out" \
	2>"$tmp/d.err"
rc=$?
check missing_channel '[ "$rc" = 252 ] &&
	grep -q "the following arguments are required: --channel" "$tmp/d.err"'
dlv cmd alice fax
expect bad_channel 252 "--channel must be sms or email"
printf '%s\n' "$CODE" | env -i "$cli" --store "$store" \
	--config "$tmp/cmd.conf" deliver --user alice --channel sms \
	--bogus 1 >"$tmp/d.out" 2>"$tmp/d.err"
rc=$?
check unknown_option '[ "$rc" = 252 ] && grep -q "Unknown options" "$tmp/d.err"'

# --- limits -------------------------------------------------------------------
conf lim "sms_channel = command
email_channel = command
deliver_command = $cmd/ok.sh"
i=0
lrc=
while [ $i -lt 5 ]; do
	dlv lim lim sms
	lrc="$lrc$rc"
	i=$((i + 1))
done
ok limit_five_sent [ "$lrc" = 00000 ]
dlv lim lim email
expect limit_sixth_refused 5 "hourly limit reached; next code possible in "
n=$(sed -n 's/.*next code possible in \([0-9]*\) s$/\1/p' "$tmp/d.err")
check limit_retry_seconds '[ -n "$n" ] && [ "$n" -ge 3500 ] && [ "$n" -le 3600 ]'
# one mailbox, two users: five codes between them
drc=
for u in sh1 sh1 sh1 sh2 sh2; do
	dlv lim "$u" email
	drc="$drc$rc"
done
dlv lim sh2 email
check limit_per_destination '[ "$drc" = 00000 ] && [ "$rc" = 5 ]'
ok limit_no_address_on_disk sh -c '! ls "$1/deliveries" | grep -qi -e shared -e example -e 5550100' - "$store"
dlv lim corrupt sms
expect limit_before_corrupt 0
printf 'garbage\n' >"$store/deliveries/u-corrupt"
dlv lim corrupt sms
expect limit_corrupt_refused 5 "corrupt"

# --- command failures -----------------------------------------------------------
conf fail "delivery_limit = 100
sms_channel = command
deliver_command = $cmd/fail.sh"
dlv fail alice sms
expect command_failure 6 "deliver_command failed (exit status 3): gateway says no to "
ok command_failure_code_starred grep -q 'gateway says no to Your code \*\*\*\*\*\* (SMS)$' "$tmp/d.err"
conf slow "delivery_limit = 100
delivery_timeout = 1
sms_channel = command
deliver_command = $cmd/slow.sh"
rm -f "$tmp/slow.pid" "$tmp/slow.child"
dlv slow alice sms
expect command_timeout 6 "deliver_command timed out after 1 s"
# alive: a process that is neither gone nor a zombie
alive() {
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] &&
		! sed 's/.*) //' "/proc/$1/stat" | grep -q '^Z'
}
sp=$(cat "$tmp/slow.pid" 2>/dev/null)
sc=$(cat "$tmp/slow.child" 2>/dev/null)
check command_timeout_ran '[ -n "$sp" ] && [ -n "$sc" ]'
check command_timeout_no_leftover '! alive "$sp" && ! alive "$sc"'
# should one be left (a failure above), it is ours: end it by its pid
for p in $sp $sc; do alive "$p" && kill -9 "$p" 2>/dev/null; done
conf missing "delivery_limit = 100
sms_channel = command
deliver_command = $cmd/none.sh"
dlv missing alice sms
expect command_missing 6 "deliver_command"
# --debug says what happens, never the code
printf '%s\n' "$CODE" | env -i "$cli" --debug --store "$store" \
	--config "$tmp/cmd.conf" deliver --user alice --channel sms \
	>"$tmp/d.out" 2>"$tmp/d.err"
rc=$?
check debug_no_code '[ "$rc" = 0 ] &&
	grep -qF "debug: deliver: sms to +*******0100" "$tmp/d.err" &&
	! grep -q "$CODE" "$tmp/d.err"'

# --- SNS and SES against the loopback AWS endpoint ------------------------------
if [ ! -x "$py" ] || [ ! -f "$mock_py" ] ||
	! "$py" -c 'import awscli' 2>/dev/null; then
	skip aws_peers "no $py with awscli, or no aws_mock.py"
else
	m=$tmp/mock
	mkdir -p "$m"
	cat >"$m/creds.json" <<'EOF'
[{"AccessKeyId": "AKIDCMFAHOST", "SecretAccessKey": "cmfa/host+secret"}]
EOF
	cat >"$m/roles.json" <<'EOF'
{"arn:aws:iam::123456789012:role/cmfa-sns": {"ExternalId": "cmfa-ext-1"}}
EOF
	printf '[default]\naws_access_key_id = AKIDCMFAHOST\naws_secret_access_key = cmfa/host+secret\n' >"$tmp/aws-credentials"
	printf '[default]\n' >"$tmp/aws-config"
	if ! mock_start "$m" "$tmp/mock.err"; then
		fail mock_started "$(tail -n 3 "$tmp/mock.err" | tr '\n' '|')"
	else
		url=http://127.0.0.1:$port
		awsconf="aws_shared_credentials_file = $tmp/aws-credentials
aws_config_file = $tmp/aws-config
sts_endpoint_url = $url
sns_endpoint_url = $url
ses_endpoint_url = $url
delivery_limit = 100"
		conf sns "$awsconf
sms_channel = sns"
		dlv sns alice sms
		expect sns_sent 0
		ok sns_details details '+*******0100' SMS phone_number
		# the message as SNS got it, signed with the role's credentials
		ok sns_published "$py" - "$m/sns.jsonl" "$PHONE" "$CODE" <<'EOF'
import json, sys
last = [json.loads(l) for l in open(sys.argv[1])][-1]
assert last['PhoneNumber'] == sys.argv[2], last
assert last['Message'] == 'Your code %s (SMS)' % sys.argv[3], last
assert last['MessageAttributes'].get('AWS.SNS.SMS.SMSType') == 'Transactional', last
assert last['role'] == 'arn:aws:iam::123456789012:role/cmfa-sns', last
assert last['access_key'] != 'AKIDCMFAHOST', last
EOF
		ok sns_assumed_with_external_id "$py" - "$m/log.jsonl" <<'EOF'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
ar = [e for e in log if e['op'] == 'AssumeRole']
assert ar and ar[-1]['status'] == 200 and ar[-1]['signature_ok'], ar
assert ar[-1]['body']['ExternalId'] == 'cmfa-ext-1', ar[-1]
assert ar[-1]['body']['RoleArn'] == 'arn:aws:iam::123456789012:role/cmfa-sns'
assert ar[-1]['access_key'] == 'AKIDCMFAHOST', ar[-1]
assert ar[-1]['region'] == 'us-west-2', ar[-1]
pub = [e for e in log if e['op'] == 'Publish']
assert pub[-1]['signature_ok'] and pub[-1]['session_token'], pub[-1]
assert pub[-1]['region'] == 'us-west-2', pub[-1]
EOF
		# the role refuses another ExternalId
		cat >"$m/roles.json" <<'EOF'
{"arn:aws:iam::123456789012:role/cmfa-sns": {"ExternalId": "someone-else"}}
EOF
		n=$(wc -l <"$m/sns.jsonl")
		dlv sns alice sms
		expect sns_wrong_external_id 6 "An error occurred (AccessDenied) when calling the AssumeRole operation"
		ok sns_wrong_external_id_nothing_sent [ "$(wc -l <"$m/sns.jsonl")" = "$n" ]
		# the host's own credentials
		conf snshost "$awsconf
sms_channel = sns
sms_assume_role = no"
		dlv snshost alice sms
		expect sns_host_credentials_sent 0
		ok sns_host_credentials "$py" - "$m/sns.jsonl" <<'EOF'
import json, sys
last = [json.loads(l) for l in open(sys.argv[1])][-1]
assert last['access_key'] == 'AKIDCMFAHOST' and not last['role'], last
EOF
		# SNS refuses
		printf '[{"op": "Publish", "status": 400, "type": "InvalidParameter", "message": "Invalid parameter: PhoneNumber Reason: blocked"}]' >"$m/faults.json"
		dlv snshost alice sms
		expect sns_refused 6 "An error occurred (InvalidParameter) when calling the Publish operation: Invalid parameter: PhoneNumber Reason: blocked"
		rm -f "$m/faults.json"
		# a pool without SnsCallerArn, with assume-role on
		put pool.json '{"MfaConfiguration":"OPTIONAL","SmsMfaConfiguration":{"SmsAuthenticationMessage":"Code {####}"}}'
		dlv sns alice sms
		expect sns_no_caller_arn 4 "the pool has no SnsCallerArn; set sms_assume_role = no"
		cp "$tmp/pool.saved" "$store/pool.json"
		# no credentials anywhere: the environment is not read
		conf snsnocreds "delivery_limit = 100
aws_shared_credentials_file = $tmp/none
aws_config_file = $tmp/none
sts_endpoint_url = $url
sns_endpoint_url = $url
sms_channel = sns"
		printf '%s\n' "$CODE" | env -i AWS_ACCESS_KEY_ID=AKIDCMFAHOST \
			AWS_SECRET_ACCESS_KEY=cmfa/host+secret "$cli" \
			--store "$store" --config "$tmp/snsnocreds.conf" deliver \
			--user alice --channel sms >"$tmp/d.out" 2>"$tmp/d.err"
		rc=$?
		expect sns_environment_ignored 6 "Unable to locate credentials"

		# SES v2
		conf ses "$awsconf
region = eu-west-1
email_channel = ses
email_from = mfa@example.org"
		dlv ses alice email
		expect ses_sent 0
		ok ses_details details 'a***@e***.com' EMAIL email
		ok ses_delivered "$py" - "$m/ses.jsonl" "$CODE" "$m/log.jsonl" <<'EOF'
import json, sys
last = [json.loads(l) for l in open(sys.argv[1])][-1]
assert last['From'] == 'mfa@example.org', last
assert last['To'] == ['alice@example.com'], last
assert last['Subject'] == 'Your sign-in code', last
assert last['Body'] == 'Mail code: %s. Bye' % sys.argv[2], last
assert last['access_key'] == 'AKIDCMFAHOST', last
log = [json.loads(l) for l in open(sys.argv[3])]
se = [e for e in log if e['op'] == 'SendEmail'][-1]
assert se['signature_ok'] and se['region'] == 'eu-west-1', se
EOF
		printf '[{"op": "SendEmail", "status": 400, "type": "MessageRejected", "message": "Email address is not verified."}]' >"$m/faults.json"
		dlv ses alice email
		expect ses_refused 6 "An error occurred (MessageRejected) when calling the SendEmail operation: Email address is not verified."
		rm -f "$m/faults.json"
		# the code never reached the request log
		ok aws_log_no_code sh -c '! grep -q "$1" "$2"' - "$CODE" \
			"$m/log.jsonl"
	fi
fi

# --- SMTP to aiosmtpd -----------------------------------------------------------
if [ ! -x "$py" ] || ! "$py" -c 'import aiosmtpd' 2>/dev/null; then
	skip smtp_peer "no aiosmtpd for $py"
else
	# aiosmtpd makes the Maildir (cur/ new/ tmp/) only when it is absent
	# (a failure to start shows in the checks below)
	smtpd_start "$tmp/maildir" "$tmp/smtp.err"
	# smtp_conf NAME PORT: plain SMTP to 127.0.0.1:PORT
	smtp_conf() {
		conf "$1" "delivery_limit = 100
email_channel = smtp
smtp_url = smtp://127.0.0.1:$2
smtp_starttls = no
email_from = mfa@example.org"
	}
	smtp_conf smtp "$sport"
	dlv smtp alice email
	expect smtp_sent 0
	ok smtp_details details 'a***@e***.com' EMAIL email
	ok smtp_delivered "$py" - "$tmp/maildir" "$CODE" <<'EOF'
import email, mailbox, sys
msgs = list(mailbox.Maildir(sys.argv[1], factory=None, create=False))
assert len(msgs) == 1, len(msgs)
m = email.message_from_bytes(msgs[0].as_bytes())
assert m['Subject'] == 'Your sign-in code', m['Subject']
assert 'alice@example.com' in m['To'], m['To']
assert 'mfa@example.org' in m['From'], m['From']
body = m.get_payload(decode=True).decode()
assert 'Mail code: %s. Bye' % sys.argv[2] in body, body
EOF
	# nobody listening: a gateway failure
	smtp_conf smtpdown "$(free_port)"
	dlv smtpdown alice email
	expect smtp_down 6 "SMTP: "
fi

# --- secrets ---------------------------------------------------------------------
ok code_never_on_stderr sh -c '! grep -q "$1" "$2"' - "$CODE" "$tmp/all.err"

finish
