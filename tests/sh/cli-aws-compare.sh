#!/bin/sh
# cli-aws-compare.sh BUILD: cognito-mfa against the real AWS CLI v2
# (/usr/bin/aws, Debian's 2.9.19) on the same command lines.
#
# A loopback stub (tests/data/aws_stub.py, 127.0.0.1, a port above 2000,
# killed by its PID on exit) plays Cognito: for each case it serves what
# our local store holds or what our command answered (the wire JSON,
# epoch dates), or, when we refused with a service error, that error.
# Then /usr/bin/aws runs the same command against it, and we check:
#   - the exit codes are equal;
#   - our stdout == json.dumps(json.loads(aws stdout), indent=4,
#     sort_keys=True, ensure_ascii=False) + "\n" (--output text: equal);
#   - stderr is equal (for argparse errors: the final message line, with
#     "aws" for "cognito-mfa");
#   - when aws sent a request, it equals the request we built (our
#     --debug line), so shorthand, JSON, file://, coercion and
#     --cli-input-json merge the same way.
# aws 2.9.19's model predates email MFA and passkeys: those options are
# not compared.  Commands where the local store needs other arguments
# (associate / verify-software-token take --username, not an access
# token) compare their output and errors with per-case aws arguments.
# The last block runs cognito-mfa against the stub too (API mode,
# --endpoint-url): both clients on the same raw answer.
suite=cli-aws-compare
. "$(dirname "$0")/lib.sh"
build=${1:-build}
top=$(pwd)
cli=$top/$build/cognito-mfa
aws=/usr/bin/aws
py=/usr/bin/python3
util=$top/tests/data/cli_util.py

if [ ! -x "$aws" ]; then
	skip aws_cli_present "/usr/bin/aws missing (Debian package awscli)"
	finish; exit
fi
if [ ! -x "$py" ]; then
	skip aws_cli_present "/usr/bin/python3 missing"
	finish; exit
fi

tmp=$(mktemp -d /tmp/cmfa-cli-aws.XXXXXX) || exit 1
stub_pid=
cleanup() {
	[ -n "$stub_pid" ] && kill "$stub_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

stub=$tmp/stub
store=$tmp/store
mkdir -p "$stub" "$tmp/home"
: >"$tmp/empty.conf"
"$py" "$top/tests/data/aws_stub.py" "$stub" &
stub_pid=$!
i=0
while [ ! -s "$stub/port" ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
port=$(cat "$stub/port" 2>/dev/null)
if [ -z "$port" ] || [ "$port" -le 2000 ]; then
	fail stub_started "no port"; finish; exit
fi
pass stub_started

# Both sides in the same (non-UTC) zone, as the dates must show it.
export TZ=Asia/Kolkata HOME="$tmp/home" AWS_ACCESS_KEY_ID=AKIDEXAMPLE \
	AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 \
	AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null \
	AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER= \
	AWS_CLI_AUTO_PROMPT=off LC_ALL=C.UTF-8
unset AWS_PROFILE AWS_ENDPOINT_URL 2>/dev/null

ours() {
	"$cli" --store "$store" --config "$tmp/empty.conf" --debug "$@" \
		>"$tmp/o.out" 2>"$tmp/o.dbg"
	orc=$?
	grep -v '^cognito-mfa: debug: ' "$tmp/o.dbg" >"$tmp/o.err"
	"$py" "$util" debugreq <"$tmp/o.dbg" >"$tmp/o.req"
}

# The last message line of an argparse error, "aws" for "cognito-mfa".
errline() {
	if grep -q '^usage:' "$1"; then
		grep -v '^$' "$1" | tail -n 1 | sed 's/^cognito-mfa: error:/aws: error:/'
	else
		cat "$1"
	fi
}

# stub_body SPEC: what the stub serves after our successful run.
stub_body() {
	case "$1" in
	pool) cp "$store/pool.json" "$stub/body" ;;
	user:*) cp "$store/users/${1#user:}.json" "$stub/body" ;;
	created:*) "$py" "$util" created "$store/users/${1#created:}.json" \
		>"$stub/body" ;;
	list) "$py" "$util" listpage "$tmp/o.out" "$store/users" >"$stub/body" ;;
	listfrom:*) "$py" "$util" listpage "${1#listfrom:}" "$store/users" \
		>"$stub/body" ;;
	secret) printf '{"SecretCode": "%s"}' "$(cat "$tmp/o.out")" \
		>"$stub/body" ;;
	status) printf '{"Status": "%s"}' "$(cat "$tmp/o.out")" >"$stub/body" ;;
	ours) cp "$tmp/o.out" "$stub/body" ;;
	empty) echo '{}' >"$stub/body" ;;
	*) echo "{\"unexpected\": \"$1\"}" >"$stub/body" ;;
	esac
}

# same NAME SPEC ARGS...: ours, then the stub, then aws with the same
# ARGS (or with $AWSARGS when set, a list separated by newlines).
same() {
	name=$1 spec=$2
	shift 2
	ours "$@"
	rm -f "$stub/request" "$stub/target"
	if [ "$orc" -eq 254 ]; then
		echo 400 >"$stub/status"
		"$py" "$util" errbody <"$tmp/o.err" >"$stub/body" 2>/dev/null ||
			echo '{}' >"$stub/body"
	else
		echo 200 >"$stub/status"
		if [ "$orc" -eq 0 ]; then stub_body "$spec"
		else echo '{"__type":"Unexpected","message":"aws called"}' \
			>"$stub/body"; echo 500 >"$stub/status"; fi
	fi
	if [ -n "${AWSARGS:-}" ]; then
		old_ifs=$IFS; IFS='
'
		set -- $AWSARGS
		IFS=$old_ifs
	fi
	"$aws" cognito-idp "$@" --endpoint-url "http://127.0.0.1:$port" \
		>"$tmp/a.out" 2>"$tmp/a.err"
	arc=$?
	why=""
	[ "$orc" -eq "$arc" ] || why="exit $orc != aws $arc"
	case " $* " in
	*" text "* | *" --generate-cli-skeleton "*)
		cp "$tmp/a.out" "$tmp/a.norm" ;;
	*) "$py" "$util" norm <"$tmp/a.out" >"$tmp/a.norm" 2>/dev/null ||
		cp "$tmp/a.out" "$tmp/a.norm" ;;
	esac
	cmp -s "$tmp/o.out" "$tmp/a.norm" ||
		why="$why${why:+; }stdout: $(diff "$tmp/o.out" "$tmp/a.norm" | head -4 | tr '\n' '|')"
	errline "$tmp/o.err" >"$tmp/o.errl"
	errline "$tmp/a.err" >"$tmp/a.errl"
	cmp -s "$tmp/o.errl" "$tmp/a.errl" ||
		why="$why${why:+; }stderr: ours [$(head -c 300 "$tmp/o.errl" | tr '\n' '|')] aws [$(head -c 300 "$tmp/a.errl" | tr '\n' '|')]"
	if [ -z "${AWSARGS:-}" ] && [ -s "$stub/request" ] &&
	    [ -s "$tmp/o.req" ] &&
	    ! grep -q '(secret)' "$tmp/o.req" &&
	    ! "$py" "$util" sameobj "$tmp/o.req" "$stub/request"; then
		why="$why${why:+; }request: ours $(cat "$tmp/o.req") aws $(cat "$stub/request")"
	fi
	if [ "$orc" -ne 0 ] && [ "$orc" -ne 254 ] && [ -s "$stub/target" ]; then
		why="$why${why:+; }aws called the service ($(cat "$stub/target")) for a client-side error"
	fi
	if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
	AWSARGS=
}

P=us-east-1_Pool1
SMS='SmsAuthenticationMessage="Your OTP for MFA or sign-in: use {####}.",SmsConfiguration={SnsCallerArn=arn:aws:iam::123456789012:role/service-role/test-SMS-Role,ExternalId=a1b2c3d4-5678-90ab-cdef-EXAMPLE11111,SnsRegion=us-west-2}'

# ---------------------------------------------------------------------------
# the pool

same get_fresh_pool pool get-user-pool-mfa-config --user-pool-id $P
same set_totp_optional pool set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration Enabled=true \
	--mfa-configuration OPTIONAL
same set_sms_shorthand pool set-user-pool-mfa-config --user-pool-id $P \
	--sms-mfa-configuration "$SMS" \
	--software-token-mfa-configuration Enabled=TRUE --mfa-configuration ON
same get_pool_json pool get-user-pool-mfa-config --user-pool-id $P
same get_pool_text pool get-user-pool-mfa-config --user-pool-id $P \
	--output text
same set_unicode_message pool set-user-pool-mfa-config --user-pool-id $P \
	--sms-mfa-configuration 'SmsAuthenticationMessage="Code für dich: {####} ✓"' \
	--mfa-configuration OPTIONAL
same set_json_dup_key pool set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration '{"Enabled": false, "Enabled": true}' \
	--mfa-configuration ON
same set_bool_not_coerced - set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration Enabled=yes
same set_json_string_bool - set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration '{"Enabled": "true"}'
same set_off_with_factor err set-user-pool-mfa-config --user-pool-id $P \
	--mfa-configuration OFF --software-token-mfa-configuration Enabled=true
same set_on_without_factor err set-user-pool-mfa-config --user-pool-id $P \
	--mfa-configuration ON
same set_bad_enum err set-user-pool-mfa-config --user-pool-id $P \
	--mfa-configuration on --software-token-mfa-configuration Enabled=true
same set_sms_too_short - set-user-pool-mfa-config --user-pool-id $P \
	--sms-mfa-configuration SmsAuthenticationMessage=abc
same set_unknown_member - set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration Enabled=true,X=1
same set_bad_json - set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration '{"Enabled": tru'
same set_bad_json_nested - set-user-pool-mfa-config --user-pool-id $P \
	--sms-mfa-configuration '{"SmsConfiguration": {"SnsRegion" "x"}}'
same set_list_for_struct - set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration '[1]'
# A shorthand syntax error: our parser follows aws-cli 2.36, the version
# the reference examples come from (COGNITO.md 5.3); Debian's 2.9.19 words
# the list of expected tokens differently ('=' where 2.36 says '= or @=')
# and indents the echoed input otherwise.  Compare what both versions
# share: the exit code and the error line up to "Expected:".
ours set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration 'Enabled=true,X={'
"$aws" cognito-idp set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration 'Enabled=true,X={' \
	--endpoint-url "http://127.0.0.1:$port" >"$tmp/a.out" 2>"$tmp/a.err"
arc=$?
o=$(grep -m1 'Expected:' "$tmp/o.err" | sed 's/Expected:.*/Expected:/')
a=$(grep -m1 'Expected:' "$tmp/a.err" | sed 's/Expected:.*/Expected:/')
if [ "$orc" -eq 252 ] && [ "$arc" -eq 252 ] && [ -n "$o" ] && [ "$o" = "$a" ]
then
	pass set_shorthand_syntax
else
	fail set_shorthand_syntax "exit $orc/$arc, ours [$o] aws [$a]"
fi
same set_ambiguous_prefix - set-user-pool-mfa-config --user-pool-id $P --s x
same set_prefix_and_repeat pool set-user-pool-mfa-config --user-pool x \
	--user-pool-id $P --software-token-mfa-configuration Enabled=true \
	--mfa-configuration OPTIONAL
same get_bad_pool_id err get-user-pool-mfa-config --user-pool-id bad
same get_other_pool err get-user-pool-mfa-config --user-pool-id us-east-1_Other
same get_empty_pool_id - get-user-pool-mfa-config --user-pool-id ""
same get_required - get-user-pool-mfa-config
same get_unknown_options - get-user-pool-mfa-config --user-pool-id $P --bogus 1
same get_missing_value - get-user-pool-mfa-config --user-pool-id

# --cli-input-json and file://
printf '{"UserPoolId": "%s", "SoftwareTokenMfaConfiguration": {"Enabled": true}, "MfaConfiguration": "OPTIONAL"}' $P \
	>"$tmp/req.json"
same input_json_file pool set-user-pool-mfa-config \
	--cli-input-json "file://$tmp/req.json"
same input_json_option_wins pool set-user-pool-mfa-config \
	--cli-input-json "file://$tmp/req.json" --mfa-configuration ON
same input_json_unknown - get-user-pool-mfa-config \
	--cli-input-json "{\"UserPoolId\": \"$P\", \"X\": 1}"
same input_json_invalid - get-user-pool-mfa-config --cli-input-json '{"a": '
same input_json_not_map - get-user-pool-mfa-config --cli-input-json '[1]'
same input_json_null - get-user-pool-mfa-config \
	--cli-input-json '{"UserPoolId": null}'
same input_json_missing - get-user-pool-mfa-config --cli-input-json '{}'
same input_json_types - set-user-pool-mfa-config --cli-input-json \
	"{\"UserPoolId\": \"$P\", \"SoftwareTokenMfaConfiguration\": {\"Enabled\": {\"a\": \"x\\u00e9\\n\"}}, \"MfaConfiguration\": 5, \"SmsMfaConfiguration\": []}"
same json_param_odict - set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration '{"Enabled": {"a": [1, 2.50, "x", null, true, 1e400]}}'
printf '%s\n' $P >"$tmp/pid-nl.txt"
printf 'Enabled=true' >"$tmp/totp.txt"
same paramfile_newline err get-user-pool-mfa-config \
	--user-pool-id "file://$tmp/pid-nl.txt"
same paramfile_shorthand pool set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration "file://$tmp/totp.txt" \
	--mfa-configuration OPTIONAL
same paramfile_missing - get-user-pool-mfa-config \
	--user-pool-id "file://$tmp/nonexistent"
same paramfile_directory - get-user-pool-mfa-config \
	--user-pool-id "file://$tmp"
same paramfile_binary - get-user-pool-mfa-config \
	--user-pool-id "fileb://$tmp/pid-nl.txt"

# --generate-cli-skeleton (shapes aws 2.9.19 knows as we do)
same skeleton_get_pool_input - get-user-pool-mfa-config --generate-cli-skeleton
same skeleton_get_user_input - admin-get-user --generate-cli-skeleton input
same skeleton_get_user_output - admin-get-user --generate-cli-skeleton output \
	--user-pool-id $P --username alice
same skeleton_list_users_input - list-users --generate-cli-skeleton
same skeleton_list_users_output - list-users --generate-cli-skeleton output \
	--user-pool-id $P
same skeleton_create_user_input - admin-create-user --generate-cli-skeleton
same skeleton_output_required - admin-get-user --generate-cli-skeleton output

# ---------------------------------------------------------------------------
# users

same create_alice created:alice admin-create-user --user-pool-id $P \
	--username alice --user-attributes Name=email,Value=alice@example.com \
	Name=phone_number,Value=+12065550100
same create_duplicate err admin-create-user --user-pool-id $P --username alice
same create_json_attrs created:bob admin-create-user --user-pool-id $P \
	--username bob \
	--user-attributes '[{"Name": "email", "Value": "bob@example.com"}, {"Name": "name", "Value": "Bøb"}]'
same create_ignored_options created:carol admin-create-user \
	--user-pool-id $P --username carol --message-action SUPPRESS \
	--desired-delivery-mediums EMAIL SMS --force-alias-creation \
	--client-metadata a=b,c=d --temporary-password 'Tmp-Passw0rd!'
same create_unknown_attr_member - admin-create-user --user-pool-id $P \
	--username dave --user-attributes Name=x,Value=y,Z=1 Name=q
same create_shorthand_dup_key - admin-create-user --user-pool-id $P \
	--username dave --user-attributes 'Name=x,Value=y,Name=z'
same create_list_item_type - admin-create-user --user-pool-id $P \
	--username dave --desired-delivery-mediums '["SMS", 1]'
same create_flag_value - admin-create-user --user-pool-id $P \
	--username dave --force-alias-creation false
same create_bad_username err admin-create-user --user-pool-id $P \
	--username 'bad name'
same create_bad_phone err admin-create-user --user-pool-id $P \
	--username dave --user-attributes Name=phone_number,Value=12065550100
same create_long_attr_name err admin-create-user --user-pool-id $P \
	--username dave \
	--user-attributes Name=abcdefghijklmnopqrstuvwxyz0123456789,Value=x
same get_alice user:alice admin-get-user --user-pool-id $P --username alice
same get_alice_text user:alice admin-get-user --user-pool-id $P \
	--username alice --output text
same get_nobody err admin-get-user --user-pool-id $P --username nobody
same get_user_required - admin-get-user --user-pool-id $P
same list_all list list-users --user-pool-id $P
"$cli" --store "$store" --config "$tmp/empty.conf" list-users \
	--user-pool-id $P >"$tmp/list.json" 2>/dev/null
same list_text "listfrom:$tmp/list.json" list-users --user-pool-id $P \
	--output text
same list_filter list list-users --user-pool-id $P \
	--filter 'email ^= "bob@"'
same list_page list list-users --user-pool-id $P --limit 2
same list_attributes_to_get list list-users --user-pool-id $P \
	--attributes-to-get email
same list_limit_too_big err list-users --user-pool-id $P --limit 100
same list_limit_negative - list-users --user-pool-id $P --limit -1
same list_limit_not_int - list-users --user-pool-id $P --limit 1.5
same list_limit_float_json - list-users \
	--cli-input-json "{\"UserPoolId\": \"$P\", \"Limit\": 1.0}"
same list_bad_filter err list-users --user-pool-id $P --filter 'email'
same update_email empty admin-update-user-attributes --user-pool-id $P \
	--username alice --user-attributes Name=email,Value=alice@example.org
same get_after_update user:alice admin-get-user --user-pool-id $P \
	--username alice
same update_sub err admin-update-user-attributes --user-pool-id $P \
	--username alice --user-attributes Name=sub,Value=x
same update_required - admin-update-user-attributes --user-pool-id $P \
	--username alice
same pref_totp_unverified err admin-set-user-mfa-preference \
	--user-pool-id $P --username alice \
	--software-token-mfa-settings Enabled=true,PreferredMfa=true
same pref_sms empty admin-set-user-mfa-preference --user-pool-id $P \
	--username alice --sms-mfa-settings Enabled=true,PreferredMfa=true
same pref_two_preferred err admin-set-user-mfa-preference --user-pool-id $P \
	--username alice --sms-mfa-settings Enabled=true,PreferredMfa=true \
	--software-token-mfa-settings PreferredMfa=true
same get_after_pref user:alice admin-get-user --user-pool-id $P \
	--username alice

# associate / verify: our --username against aws's --access-token
AWSARGS='associate-software-token
--access-token
tok'
same associate_output ours associate-software-token --username alice
secret=$("$py" "$util" get SecretCode <"$tmp/o.out" 2>/dev/null)
AWSARGS='associate-software-token
--access-token
tok
--output
text'
same associate_text secret associate-software-token --username bob \
	--output text
if command -v oathtool >/dev/null 2>&1 && [ -n "$secret" ]; then
	AWSARGS="verify-software-token
--access-token
tok
--user-code
000000"
	same verify_wrong_code err verify-software-token --username alice \
		--user-code 000000
	code=$(oathtool --totp -b "$secret")
	AWSARGS="verify-software-token
--access-token
tok
--user-code
$code"
	same verify_ok ours verify-software-token --username alice \
		--user-code "$code"
else
	skip verify_wrong_code "oathtool missing"
	skip verify_ok "oathtool missing"
fi
AWSARGS='verify-software-token
--access-token
tok
--user-code
12'
same verify_code_too_short - verify-software-token --username alice \
	--user-code 12
AWSARGS='verify-software-token
--access-token
tok
--user-code
12345x'
same verify_code_pattern err verify-software-token --username alice \
	--user-code 12345x
AWSARGS='verify-software-token
--access-token
tok'
same verify_code_required - verify-software-token --username alice
if command -v oathtool >/dev/null 2>&1; then
	secret=$("$cli" --store "$store" --config "$tmp/empty.conf" \
		associate-software-token --username carol |
		"$py" "$util" get SecretCode)
	code=$(oathtool --totp -b "$secret")
	AWSARGS="verify-software-token
--access-token
tok
--user-code
$code
--output
text"
	same verify_ok_text status verify-software-token --username carol \
		--user-code "$code" --output text
else
	skip verify_ok_text "oathtool missing"
fi

same delete_bob empty admin-delete-user --user-pool-id $P --username bob
same get_deleted err admin-get-user --user-pool-id $P --username bob
same delete_again err admin-delete-user --user-pool-id $P --username bob

# ---------------------------------------------------------------------------
# API mode: both clients on the stub's same answer (cognito-mfa
# --endpoint-url), for what a real service may send and the mock and
# cognito-local do not: members neither model knows (dropped), dates as
# floats and integers, an error without __type (the status is the code),
# a non-JSON error body, a JSON 1.0 content type.

# api_same NAME STATUS BODY ARGS...
api_same() {
	name=$1
	printf '%s' "$2" >"$stub/status"
	printf '%s' "$3" >"$stub/body"
	shift 3
	"$cli" --config "$tmp/empty.conf" --endpoint-url \
		"http://127.0.0.1:$port" "$@" >"$tmp/o.out" 2>"$tmp/o.err"
	orc=$?
	"$aws" cognito-idp "$@" --endpoint-url "http://127.0.0.1:$port" \
		>"$tmp/a.out" 2>"$tmp/a.err"
	arc=$?
	why=""
	[ "$orc" -eq "$arc" ] || why="exit $orc != aws $arc"
	case " $* " in
	*" text "*) cp "$tmp/a.out" "$tmp/a.norm" ;;
	*) "$py" "$util" norm <"$tmp/a.out" >"$tmp/a.norm" 2>/dev/null ||
		cp "$tmp/a.out" "$tmp/a.norm" ;;
	esac
	cmp -s "$tmp/o.out" "$tmp/a.norm" ||
		why="$why${why:+; }stdout: $(diff "$tmp/o.out" "$tmp/a.norm" | head -4 | tr '\n' '|')"
	cmp -s "$tmp/o.err" "$tmp/a.err" ||
		why="$why${why:+; }stderr: ours [$(head -c 300 "$tmp/o.err" | tr '\n' '|')] aws [$(head -c 300 "$tmp/a.err" | tr '\n' '|')]"
	if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
}

api_same api_unknown_members 200 '{"Username": "zoe", "Extra": {"a": 1}, "UserAttributes": [{"Name": "email", "Value": "z@example.com", "Verified": true}], "Enabled": true, "UserStatus": "CONFIRMED", "UserCreateDate": 1548108509.537, "UserLastModifiedDate": 1700000000, "MFAOptions": [], "UserMFASettingList": ["SOFTWARE_TOKEN_MFA"], "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA"}' \
	admin-get-user --user-pool-id $P --username zoe
api_same api_unknown_members_text 200 '{"Username": "zoe", "Extra": 1, "UserAttributes": [{"Name": "sub", "Value": "x"}], "UserCreateDate": 1548108509.5, "Enabled": false}' \
	admin-get-user --user-pool-id $P --username zoe --output text
api_same api_empty_answer 200 '' admin-delete-user --user-pool-id $P \
	--username zoe
api_same api_list_one_page 200 '{"Users": [{"Username": "a", "Attributes": [], "Enabled": true, "UserCreateDate": 1.5e9}], "Other": 2}' \
	list-users --user-pool-id $P
api_same api_error_no_type 400 '{"message": "no type here"}' \
	get-user-pool-mfa-config --user-pool-id $P
api_same api_error_namespaced 400 '{"__type": "com.amazonaws.cognito#UserNotFoundException", "Message": "User does not exist."}' \
	admin-get-user --user-pool-id $P --username zoe

finish
