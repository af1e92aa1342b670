#!/bin/sh
# cli-users.sh BUILD: user records in the local store: admin-create-user,
# admin-get-user, admin-update-user-attributes, list-users (filter,
# paging, attributes-to-get, text output), admin-delete-user, with their
# Cognito errors, on a private store created by the first command.
suite=cli-users
. "$(dirname "$0")/lib.sh"
build=${1:-build}
cli=$(pwd)/$build/cognito-mfa
py=/usr/bin/python3

tmp=$(mktemp -d /tmp/cmfa-cli-users.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
: >"$tmp/empty.conf"
S=$tmp/store
P=eu-west-1_Users1

c() {
	"$cli" --store "$S" --config "$tmp/empty.conf" "$@" >"$tmp/out" \
		2>"$tmp/err"
	rc=$?
}
# jq-like checks with python: j 'EXPR' evaluates EXPR on d = stdout JSON
j() {
	"$py" -c "import json,sys,re
d = json.load(open(sys.argv[1]))
sys.exit(0 if ($1) else 1)" "$tmp/out" 2>/dev/null
}
errmsg() { grep -qxF "$1" "$tmp/err"; }
# okrc NAME N CMD...: the last command exited N and CMD succeeds
okrc() {
	n=$1 want=$2
	shift 2
	if [ "$rc" -eq "$want" ] && "$@"; then pass "$n"
	else fail "$n" "exit $rc: $(head -c 200 "$tmp/err")"; fi
}

# ---------------------------------------------------------------------------
# a store that does not exist yet is created on first use

ok store_absent [ ! -e "$S" ]
c get-user-pool-mfa-config --user-pool-id $P
ok fresh_pool_exit_0 [ "$rc" -eq 0 ]
ok fresh_pool_is_off j 'd == {"MfaConfiguration": "OFF"}'
ok store_created test -f "$S/format" -a -d "$S/users" -a -d "$S/totp" \
	-a -d "$S/pending" -a -d "$S/state" -a -d "$S/lock"
ok store_mode_0700 [ "$(stat -c %a "$S")" = 700 ]
ok store_users_0700 [ "$(stat -c %a "$S/users")" = 700 ]

# ---------------------------------------------------------------------------
# admin-create-user

c admin-create-user --user-pool-id $P --username alice \
	--user-attributes Name=email,Value=alice@example.com \
	Name=phone_number,Value=+12065550100
ok create_exit_0 [ "$rc" -eq 0 ]
ok create_user_type j 'set(d["User"]) == {"Username", "Attributes", "UserCreateDate", "UserLastModifiedDate", "Enabled", "UserStatus"}'
ok create_sub_first j 'd["User"]["Attributes"][0]["Name"] == "sub" and re.fullmatch("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", d["User"]["Attributes"][0]["Value"])'
ok create_attrs_kept j '[a["Name"] for a in d["User"]["Attributes"]] == ["sub", "email", "phone_number"]'
ok create_status j 'd["User"]["UserStatus"] == "CONFIRMED" and d["User"]["Enabled"] is True'
ok create_iso_dates j 're.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?[+-]\d\d:\d\d", d["User"]["UserCreateDate"])'
ok record_file_0600 [ "$(stat -c %a "$S/users/alice.json")" = 600 ]
if "$py" -c 'import json,sys
r = json.load(open(sys.argv[1]))
assert isinstance(r["UserCreateDate"], (int, float)), r
assert r["UserCreateDate"] == r["UserLastModifiedDate"]
assert "UserAttributes" in r and "Attributes" not in r' "$S/users/alice.json"; then
	pass record_is_admin_get_user_response
else
	fail record_is_admin_get_user_response
fi

c admin-create-user --user-pool-id $P --username alice
ok duplicate_exit_254 [ "$rc" -eq 254 ]
ok duplicate_message errmsg 'An error occurred (UsernameExistsException) when calling the AdminCreateUser operation: User account already exists.'

c admin-create-user --user-pool-id $P --username 'José'
ok unstorable_name_254 [ "$rc" -eq 254 ]
ok unstorable_name_message grep -q 'InvalidParameterException.*cannot hold this user name' "$tmp/err"

c admin-create-user --user-pool-id $P --username 'a b'
ok name_pattern_254 [ "$rc" -eq 254 ]
ok name_pattern_message errmsg "An error occurred (InvalidParameterException) when calling the AdminCreateUser operation: 1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"

c admin-create-user --user-pool-id bad --username 'a b'
ok two_constraints_message errmsg "An error occurred (InvalidParameterException) when calling the AdminCreateUser operation: 2 validation errors detected: Value 'bad' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+; Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"

c admin-create-user --user-pool-id $P --username dave \
	--user-attributes Name=abcdefghijklmnopqrstuvwxyz0123456789,Value=x
ok attr_name_long_254 [ "$rc" -eq 254 ]
ok attr_name_long_path grep -q "at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 32" "$tmp/err"

c admin-create-user --user-pool-id $P --username dave \
	--user-attributes Name=sub,Value=x
okrc sub_not_settable 254 grep -q 'non-mutable attribute sub' "$tmp/err"
c admin-create-user --user-pool-id $P --username dave \
	--user-attributes Name=email,Value=not-an-email
ok bad_email errmsg 'An error occurred (InvalidParameterException) when calling the AdminCreateUser operation: Invalid email address format.'
c admin-create-user --user-pool-id $P --username dave \
	--user-attributes Name=phone_number,Value=2065550100
ok bad_phone errmsg 'An error occurred (InvalidParameterException) when calling the AdminCreateUser operation: Invalid phone number format.'
ok refused_user_not_created [ ! -e "$S/users/dave.json" ]

# --cli-input-json from a file, and the options a local store ignores
cat >"$tmp/bob.json" <<JSON
{"UserPoolId": "$P", "Username": "bob",
 "UserAttributes": [{"Name": "email", "Value": "bob@example.com"},
                    {"Name": "name", "Value": "Bøb Ünïcode"}],
 "MessageAction": "SUPPRESS", "DesiredDeliveryMediums": ["EMAIL"],
 "TemporaryPassword": "Tmp-Passw0rd!", "ForceAliasCreation": true}
JSON
c admin-create-user --cli-input-json "file://$tmp/bob.json"
okrc create_from_input_json 0 j 'd["User"]["Username"] == "bob"'
ok unicode_raw_utf8 grep -q '"Value": "Bøb Ünïcode"' "$tmp/out"
ok no_password_stored sh -c "! grep -rq 'Tmp-Passw0rd' '$S'"

# leftovers of an earlier user of the same name are not inherited
printf 'JBSWY3DPEHPK3PXP\n' >"$S/totp/carol"
chmod 600 "$S/totp/carol"
c admin-create-user --user-pool-id $P --username carol \
	--user-attributes Name=email,Value=carol@example.org
okrc create_clears_old_secret 0 [ ! -e "$S/totp/carol" ]

# ---------------------------------------------------------------------------
# admin-get-user, admin-update-user-attributes

c admin-get-user --user-pool-id $P --username alice
ok get_exit_0 [ "$rc" -eq 0 ]
ok get_is_admin_get_user j '"UserAttributes" in d and d["Username"] == "alice" and "Attributes" not in d'
c admin-get-user --user-pool-id $P --username nobody
ok get_missing_254 [ "$rc" -eq 254 ]
ok get_missing_message errmsg 'An error occurred (UserNotFoundException) when calling the AdminGetUser operation: User does not exist.'
c admin-get-user --user-pool-id $P --username 'x/../../etc'
okrc get_path_name_not_found 254 grep -q UserNotFoundException "$tmp/err"

attr() { # attr NAME: the value of alice's attribute NAME
	"$cli" --store "$S" --config "$tmp/empty.conf" admin-get-user \
		--user-pool-id $P --username alice |
		"$py" -c 'import json,sys
d = json.load(sys.stdin)
print({a["Name"]: a.get("Value") for a in d["UserAttributes"]}.get(sys.argv[1]))' "$1"
}
c admin-update-user-attributes --user-pool-id $P --username alice \
	--user-attributes Name=email_verified,Value=true \
	Name=phone_number_verified,Value=true
ok update_exit_0 [ "$rc" -eq 0 ]
ok update_no_output [ ! -s "$tmp/out" ]
ok update_verified [ "$(attr email_verified)" = true ]
c admin-update-user-attributes --user-pool-id $P --username alice \
	--user-attributes Name=email,Value=alice@example.org
ok email_change_unverifies [ "$(attr email_verified)" = false ]
ok email_changed [ "$(attr email)" = alice@example.org ]
ok phone_still_verified [ "$(attr phone_number_verified)" = true ]
c admin-update-user-attributes --user-pool-id $P --username alice \
	--user-attributes Name=phone_number,Value=+12065550199 \
	Name=phone_number_verified,Value=true
ok phone_change_with_verified [ "$(attr phone_number_verified)" = true ]
ok phone_changed [ "$(attr phone_number)" = +12065550199 ]
c admin-update-user-attributes --user-pool-id $P --username alice \
	--user-attributes Name=email,Value=alice@example.org
ok same_email_keeps_state [ "$(attr email_verified)" = false ]
c admin-update-user-attributes --user-pool-id $P --username alice \
	--user-attributes Name=nickname,Value=Al
ok update_adds_attribute [ "$(attr nickname)" = Al ]
c admin-update-user-attributes --user-pool-id $P --username alice \
	--user-attributes Name=sub,Value=x
okrc update_sub_254 254 errmsg 'An error occurred (InvalidParameterException) when calling the AdminUpdateUserAttributes operation: Cannot modify the non-mutable attribute sub.'
c admin-update-user-attributes --user-pool-id $P --username nobody \
	--user-attributes Name=email,Value=a@b.c
okrc update_missing_user 254 grep -q UserNotFoundException "$tmp/err"
c admin-update-user-attributes --user-pool-id $P --username alice
okrc update_requires_attrs 252 grep -q 'required: --user-attributes' "$tmp/err"
if "$py" -c 'import json,sys
r = json.load(open(sys.argv[1]))
assert r["UserLastModifiedDate"] > r["UserCreateDate"] or r["UserLastModifiedDate"] == r["UserCreateDate"]' "$S/users/alice.json"; then
	pass modified_date_kept_in_order
else
	fail modified_date_kept_in_order
fi

# ---------------------------------------------------------------------------
# list-users

c list-users --user-pool-id $P
ok list_exit_0 [ "$rc" -eq 0 ]
ok list_sorted j '[u["Username"] for u in d["Users"]] == ["alice", "bob", "carol"]'
ok list_user_type j 'all("UserMFASettingList" not in u and "Attributes" in u for u in d["Users"])'
ok list_no_token j '"PaginationToken" not in d'
c list-users --user-pool-id $P --filter 'username ^= "b"'
ok filter_prefix j '[u["Username"] for u in d["Users"]] == ["bob"]'
c list-users --user-pool-id $P --filter 'email = "carol@example.org"'
ok filter_email j '[u["Username"] for u in d["Users"]] == ["carol"]'
c list-users --user-pool-id $P --filter 'status = "Enabled"'
ok filter_status j 'len(d["Users"]) == 3'
c list-users --user-pool-id $P --filter 'cognito:user_status = "CONFIRMED"'
ok filter_user_status j 'len(d["Users"]) == 3'
c list-users --user-pool-id $P --filter 'name = "Bøb Ünïcode"'
ok filter_unicode j '[u["Username"] for u in d["Users"]] == ["bob"]'
c list-users --user-pool-id $P --filter 'custom:x = "1"'
okrc filter_bad_attribute 254 grep -q 'InvalidParameterException' "$tmp/err"
c list-users --user-pool-id $P --filter 'email "x"'
okrc filter_syntax 254 errmsg 'An error occurred (InvalidParameterException) when calling the ListUsers operation: Error while parsing filter.'
c list-users --user-pool-id $P --attributes-to-get email
ok attributes_to_get j 'all([a["Name"] for a in u["Attributes"]] == ["email"] for u in d["Users"])'
# paging: two per page, three users
c list-users --user-pool-id $P --limit 2
tok=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("PaginationToken", ""))' "$tmp/out")
ok page1 j '[u["Username"] for u in d["Users"]] == ["alice", "bob"]'
ok page1_token [ -n "$tok" ]
c list-users --user-pool-id $P --limit 2 --pagination-token "$tok"
ok page2 j '[u["Username"] for u in d["Users"]] == ["carol"] and "PaginationToken" not in d'
c list-users --user-pool-id $P --pagination-token 'zz'
okrc bad_token 254 grep -q 'Invalid pagination token' "$tmp/err"
c list-users --user-pool-id $P --limit 61
ok limit_61 errmsg "An error occurred (InvalidParameterException) when calling the ListUsers operation: 1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"
c list-users --user-pool-id $P --output text --filter 'username = "carol"'
ok list_text_user [ "$(head -n 1 "$tmp/out" | cut -f 1,5,6)" = "$(printf 'USERS\tCONFIRMED\tcarol')" ]
ok list_text_attr grep -q "^ATTRIBUTES	email	carol@example.org\$" "$tmp/out"

# ---------------------------------------------------------------------------
# admin-delete-user: record, secrets and state all gone

"$cli" --store "$S" --config "$tmp/empty.conf" set-user-pool-mfa-config \
	--user-pool-id $P --software-token-mfa-configuration Enabled=true \
	--mfa-configuration OPTIONAL >/dev/null
c associate-software-token --username bob
okrc pending_made 0 [ -f "$S/pending/bob" ]
printf 'JBSWY3DPEHPK3PXP\n' >"$S/totp/bob"
chmod 600 "$S/totp/bob"
printf 'cmfa-state 1\nlast_step 0\nfailures 3\nlast_failure 1\nlocked_until 0\n' \
	>"$S/state/bob"
chmod 600 "$S/state/bob"
c admin-delete-user --user-pool-id $P --username bob
okrc delete_exit_0 0 [ ! -s "$tmp/out" ]
ok delete_record_gone [ ! -e "$S/users/bob.json" ]
ok delete_totp_gone test ! -e "$S/totp/bob" -a ! -e "$S/pending/bob"
ok delete_state_gone [ ! -e "$S/state/bob" ]
c admin-get-user --user-pool-id $P --username bob
okrc deleted_not_found 254 grep -q UserNotFoundException "$tmp/err"
c admin-delete-user --user-pool-id $P --username bob
okrc delete_twice_not_found 254 errmsg 'An error occurred (UserNotFoundException) when calling the AdminDeleteUser operation: User does not exist.'
c list-users --user-pool-id $P
ok list_after_delete j '[u["Username"] for u in d["Users"]] == ["alice", "carol"]'

# a corrupt record is the service failing, never a crash
printf '{"Username": 5}' >"$S/users/zed.json"
chmod 600 "$S/users/zed.json"
c admin-get-user --user-pool-id $P --username zed
okrc corrupt_record_254 254 grep -q 'InternalErrorException' "$tmp/err"
c list-users --user-pool-id $P
okrc corrupt_record_skipped_in_list 0 j '[u["Username"] for u in d["Users"]] == ["alice", "carol"]'
ok corrupt_record_warned grep -q 'warning: .*users/zed.json is corrupt' "$tmp/err"
c admin-delete-user --user-pool-id $P --username zed
okrc corrupt_record_deleted 0 test ! -e "$S/users/zed.json"
finish
