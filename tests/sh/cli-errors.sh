#!/bin/sh
# cli-errors.sh BUILD: cognito-mfa's command line as a whole: global
# options anywhere, help and version, the target rule (--endpoint-url /
# --region select the API, --local), the config file and the store as 253s,
# every exit code (0 252 253 254 255) with its message layout,
# --generate-cli-skeleton for every command, and secrets kept out of
# messages and debug lines.
suite=cli-errors
. "$(dirname "$0")/lib.sh"
build=${1:-build}
cli=$(pwd)/$build/cognito-mfa
py=/usr/bin/python3

tmp=$(mktemp -d /tmp/cmfa-cli-errors.XXXXXX) || exit 1
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
: >"$tmp/empty.conf"
S=$tmp/store
P=ap-south-1_Err1

c() {
	"$cli" --store "$S" --config "$tmp/empty.conf" "$@" >"$tmp/out" \
		2>"$tmp/err"
	rc=$?
}
raw() {
	"$cli" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
okrc() {
	n=$1 want=$2
	shift 2
	if [ "$rc" -eq "$want" ] && "$@"; then pass "$n"
	else fail "$n" "exit $rc: $(head -c 300 "$tmp/err" | tr '\n' '|')"; fi
}
isjson() { "$py" -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" 2>/dev/null; }

# ---------------------------------------------------------------------------
# help and version

raw --version
okrc version 0 grep -qx "cognito-mfa $(sed -n 's/^VERSION := //p' Makefile)" "$tmp/out"
raw help
okrc help_word 0 grep -q '^Commands:' "$tmp/out"
for op in set-user-pool-mfa-config get-user-pool-mfa-config \
    admin-create-user admin-get-user admin-update-user-attributes \
    admin-delete-user list-users admin-set-user-mfa-preference \
    associate-software-token verify-software-token \
    admin-remove-software-token admin-reset-user-lockout \
    list-locked-users explain; do
	grep -q "^  $op " "$tmp/out" || fail "help_lists_$op"
done
pass help_lists_every_command
raw list-users help
okrc command_help 0 grep -q -- '--user-pool-id <value>' "$tmp/out"
raw admin-get-user --help
okrc command_help_option 0 grep -q '^Synopsis:' "$tmp/out"
raw
okrc no_command_252 252 grep -q 'the following arguments are required: command' "$tmp/err"
raw frobnicate
okrc unknown_command_252 252 grep -q "Invalid choice: 'frobnicate'" "$tmp/err"
if [ "$(head -c 7 "$tmp/err")" = "
usage:" ] && [ "$(tail -c 2 "$tmp/err" | od -An -c | tr -d ' ')" = '\n\n' ]; then
	pass usage_layout_as_aws
else
	fail usage_layout_as_aws
fi

# ---------------------------------------------------------------------------
# global options anywhere, --opt=value, prefixes

c --output text get-user-pool-mfa-config --user-pool-id $P
okrc output_before 0 grep -qx OFF "$tmp/out"
c get-user-pool-mfa-config --user-pool-id $P --output=text
okrc output_after_equals 0 grep -qx OFF "$tmp/out"
c get-user-pool-mfa-config --user-pool=$P
okrc option_prefix 0 isjson
c get-user-pool-mfa-config --user-pool-id $P --output table
okrc output_table_252 252 grep -q 'argument --output: Invalid choice' "$tmp/err"
c get-user-pool-mfa-config --user-pool-id $P --store
okrc global_missing_value_252 252 grep -q 'argument --store: expected one argument' "$tmp/err"
(cd "$tmp" && "$cli" --store store --config empty.conf \
	get-user-pool-mfa-config --user-pool-id $P >"$tmp/out" 2>"$tmp/err")
rc=$?
okrc relative_store_and_config 0 isjson
c --color off --no-cli-pager get-user-pool-mfa-config --user-pool-id $P
okrc harmless_aws_globals 0 isjson

# ---------------------------------------------------------------------------
# the target (DESIGN.md D9)

# --endpoint-url / --region select the API (tests/sh/api-*.sh run it);
# here nothing names a region or credentials and instance metadata is
# off, so the API's first step fails (253) before any request is sent
capi() {
	env -u AWS_REGION -u AWS_DEFAULT_REGION -u AWS_PROFILE \
		-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
		-u AWS_SESSION_TOKEN AWS_CONFIG_FILE=/dev/null \
		AWS_SHARED_CREDENTIALS_FILE=/dev/null \
		AWS_EC2_METADATA_DISABLED=true HOME="$tmp" \
		"$cli" --store "$S" --config "$tmp/noimds.conf" --debug "$@" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
}
echo 'ec2_metadata_disabled = yes' >"$tmp/noimds.conf"
capi get-user-pool-mfa-config --user-pool-id $P --endpoint-url http://127.0.0.1:9
okrc endpoint_url_selects_api 253 grep -q 'target: the Amazon Cognito API (--endpoint-url)' "$tmp/err"
okrc endpoint_url_no_region 253 grep -q '^You must specify a region' "$tmp/err"
capi get-user-pool-mfa-config --user-pool-id $P --region us-east-1
okrc region_selects_api 253 grep -q 'target: the Amazon Cognito API (--region)' "$tmp/err"
okrc region_no_credentials 253 grep -q '^Unable to locate credentials' "$tmp/err"
c --local get-user-pool-mfa-config --user-pool-id $P --region us-east-1 \
	--endpoint-url http://127.0.0.1:9
okrc local_wins 0 isjson
AWS_DEFAULT_REGION=eu-west-1 AWS_REGION=eu-west-1 AWS_PROFILE=x \
	c get-user-pool-mfa-config --user-pool-id $P
okrc environment_never_targets 0 isjson
c get-user-pool-mfa-config --generate-cli-skeleton --endpoint-url http://127.0.0.1:9
okrc skeleton_before_target 0 isjson

# ---------------------------------------------------------------------------
# the config file and the store: 253

"$cli" --store "$S" --config "$tmp/nonexistent.conf" get-user-pool-mfa-config \
	--user-pool-id $P >"$tmp/out" 2>"$tmp/err"
rc=$?
okrc config_missing_253 253 grep -q 'nonexistent.conf cannot be used' "$tmp/err"
printf 'bogus_key = 1\n' >"$tmp/bad.conf"
"$cli" --store "$S" --config "$tmp/bad.conf" get-user-pool-mfa-config \
	--user-pool-id $P >"$tmp/out" 2>"$tmp/err"
rc=$?
okrc config_invalid_253 253 grep -q 'bad.conf cannot be used.*line 1' "$tmp/err"
printf 'store = %s/from-config\n' "$tmp" >"$tmp/store.conf"
"$cli" --config "$tmp/store.conf" get-user-pool-mfa-config \
	--user-pool-id $P >"$tmp/out" 2>"$tmp/err"
rc=$?
okrc config_names_store 0 test -f "$tmp/from-config/format"
mkdir "$tmp/open"
chmod 777 "$tmp/open"
raw --store "$tmp/open/store" --config "$tmp/empty.conf" \
	get-user-pool-mfa-config --user-pool-id $P
okrc untrusted_parent_253 253 grep -q 'cannot be used.*not trusted\|untrusted' "$tmp/err"
ok untrusted_nothing_created [ ! -e "$tmp/open/store" ]
raw --store "$tmp/missing/parent/store" --config "$tmp/empty.conf" \
	get-user-pool-mfa-config --user-pool-id $P
okrc missing_parent_253 253 grep -q 'cannot be used' "$tmp/err"
mkdir -m 700 "$tmp/notastore"
: >"$tmp/notastore/somefile"
raw --store "$tmp/notastore" --config "$tmp/empty.conf" \
	get-user-pool-mfa-config --user-pool-id $P
okrc non_empty_dir_not_a_store_253 253 grep -q 'not a cognito-mfa store.*not empty' "$tmp/err"
ok non_empty_dir_untouched test ! -e "$tmp/notastore/users" -a ! -e "$tmp/notastore/format"
mkdir -m 700 "$tmp/emptydir"
raw --store "$tmp/emptydir" --config "$tmp/empty.conf" \
	get-user-pool-mfa-config --user-pool-id $P
okrc empty_dir_becomes_store 0 test -f "$tmp/emptydir/format"
mkdir -m 700 "$tmp/foreign"
printf '2\n' >"$tmp/foreign/format"
chmod 600 "$tmp/foreign/format"
raw --store "$tmp/foreign" --config "$tmp/empty.conf" \
	get-user-pool-mfa-config --user-pool-id $P
okrc other_format_253 253 grep -q 'not a store of this version' "$tmp/err"
if id nobody >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	mkdir -m 700 "$tmp/theirs"
	chown nobody "$tmp/theirs"
	raw --store "$tmp/theirs" --config "$tmp/empty.conf" \
		get-user-pool-mfa-config --user-pool-id $P
	okrc store_of_another_user_253 253 true
else
	skip store_of_another_user_253 "needs root and user nobody"
fi

# ---------------------------------------------------------------------------
# 254 and 255

c get-user-pool-mfa-config --user-pool-id 'no pool'
okrc service_error_254 254 grep -qx "An error occurred (InvalidParameterException) when calling the GetUserPoolMfaConfig operation: 1 validation error detected: Value 'no pool' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\\\w-\]+_\[0-9a-zA-Z\]+" "$tmp/err"
if [ "$(head -c 1 "$tmp/err" | od -An -c | tr -d ' ')" = '\n' ]; then
	pass service_error_layout
else
	fail service_error_layout
fi
printf '{"MfaConfiguration": "MAYBE"}' >"$S/pool.json"
c get-user-pool-mfa-config --user-pool-id $P
okrc corrupt_pool_json_254 254 grep -q 'InternalErrorException.*pool.json is corrupt' "$tmp/err"
printf '{"MfaConfiguration": "OFF"}' >"$S/pool.json"
c list-users --user-pool-id $P --limit ten
okrc python_int_error_255 255 grep -qx "invalid literal for int() with base 10: 'ten'" "$tmp/err"
printf 'Enabled=true' >"$tmp/totp.bin"
c set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration "fileb://$tmp/totp.bin"
okrc fileb_structure_255 255 true
c set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration '{"Enabled": true}' \
	--mfa-configuration OPTIONAL --unknown-one 1
okrc unknown_option_252 252 grep -qx 'Unknown options: --unknown-one, 1' "$tmp/err"
ok unknown_option_nothing_written grep -q '"OFF"' "$S/pool.json"
c set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration '{"Enabled": 1}'
okrc validation_252 252 grep -qx "Invalid type for parameter SoftwareTokenMfaConfiguration.Enabled, value: 1, type: <class 'int'>, valid types: <class 'bool'>" "$tmp/err"
c get-user-pool-mfa-config --cli-input-json "fileb://$tmp/nonexistent"
okrc input_json_missing_file_252 252 grep -q 'Unable to load paramfile' "$tmp/err"
printf '{"UserPoolId": "%s"}' $P >"$tmp/in.json"
c get-user-pool-mfa-config --cli-input-json "fileb://$tmp/in.json"
okrc input_json_fileb 0 isjson

# ---------------------------------------------------------------------------
# --generate-cli-skeleton for every command

for op in set-user-pool-mfa-config get-user-pool-mfa-config \
    admin-create-user admin-get-user admin-update-user-attributes \
    admin-delete-user list-users admin-set-user-mfa-preference \
    associate-software-token verify-software-token \
    admin-remove-software-token admin-reset-user-lockout \
    list-locked-users explain; do
	c $op --generate-cli-skeleton
	[ "$rc" -eq 0 ] && isjson || fail "skeleton_input_$op" "exit $rc"
done
pass skeleton_input_every_command
c set-user-pool-mfa-config --generate-cli-skeleton input
if "$py" -c 'import json,sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["UserPoolId", "SmsMfaConfiguration", "SoftwareTokenMfaConfiguration", "EmailMfaConfiguration", "MfaConfiguration", "WebAuthnConfiguration"]
assert d["MfaConfiguration"] == "OFF"
assert d["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
assert list(d["SmsMfaConfiguration"]["SmsConfiguration"]["EumsSms"])[0] == "CallerArn"
assert d["WebAuthnConfiguration"] == {"RelyingPartyId": "", "UserVerification": "required", "FactorConfiguration": "SINGLE_FACTOR"}' "$tmp/out" 2>"$tmp/err"; then
	pass skeleton_set_pool_as_cognito_md
else
	fail skeleton_set_pool_as_cognito_md "$(cat "$tmp/err")"
fi
ok skeleton_indent_4 grep -q '^    "UserPoolId": "",$' "$tmp/out"
c admin-create-user --generate-cli-skeleton output --user-pool-id $P \
	--username u
okrc skeleton_output 0 grep -q '"UserCreateDate": "1970-01-01T00:00:00"' "$tmp/out"
ok skeleton_output_did_nothing [ ! -e "$S/users/u.json" ]
c admin-delete-user --generate-cli-skeleton output --user-pool-id $P \
	--username u
okrc skeleton_output_empty 0 test ! -s "$tmp/out"
c list-users --generate-cli-skeleton output --user-pool-id $P --limit -1
okrc skeleton_output_validates 252 grep -q 'valid min value: 0' "$tmp/err"
c --generate-cli-skeleton yaml-input get-user-pool-mfa-config
okrc skeleton_yaml_refused 252 grep -q 'Invalid choice' "$tmp/err"

# ---------------------------------------------------------------------------
# secrets stay out of messages and debug lines

c set-user-pool-mfa-config --user-pool-id $P \
	--software-token-mfa-configuration Enabled=true --mfa-configuration OPTIONAL
c admin-create-user --user-pool-id $P --username sam
c --debug associate-software-token --username sam
secret=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecretCode"])' "$tmp/out" 2>/dev/null)
ok secret_on_stdout [ -n "$secret" ]
ok secret_not_in_debug sh -c "! grep -q '$secret' '$tmp/err'"
ok debug_lines_present grep -q '^cognito-mfa: debug: ' "$tmp/err"
c --debug verify-software-token --username sam --user-code 987654
ok user_code_redacted_in_debug grep -q '"UserCode":"(secret)"' "$tmp/err"
ok user_code_never_echoed sh -c "! grep -q 987654 '$tmp/err'"
c verify-software-token --username sam --user-code 111111 --usercode 246813
okrc mistyped_code_not_echoed 252 grep -qx 'Unknown options: --usercode, (a 6-digit value)' "$tmp/err"
c get-user-pool-mfa-config --user-pool-id $P "$(printf 'x\033[2Jy')"
okrc no_terminal_escapes 252 grep -q 'Unknown options: x?\[2Jy' "$tmp/err"
c --debug admin-create-user --user-pool-id $P --username tom \
	--temporary-password 'Sup3r-Secret!'
ok password_redacted sh -c "! grep -q 'Sup3r-Secret' '$tmp/err'"
finish
