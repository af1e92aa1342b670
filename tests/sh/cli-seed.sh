#!/bin/sh
# cli-seed.sh BUILD: the AWS documentation's set-user-pool-mfa-config
# example (tests/data/seed001-example.sh, verbatim from the AWS CLI v2
# reference) run with "aws cognito-idp" replaced by cognito-mfa on a
# private store: the output must be the documented output byte for byte
# (tests/data/seed001-output.json), and the store must then answer
# get-user-pool-mfa-config with the same document.
suite=cli-seed
. "$(dirname "$0")/lib.sh"
build=${1:-build}
cli=$(pwd)/$build/cognito-mfa

tmp=$(mktemp -d /tmp/cmfa-cli-seed.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
: >"$tmp/empty.conf"

# the example, with the command replaced (and nothing else)
sed -e '/^#/d' \
    -e "s|^aws cognito-idp |\"\$cli\" --store \"\$tmp/store\" --config \"\$tmp/empty.conf\" |" \
    tests/data/seed001-example.sh >"$tmp/example.sh"
if grep -q '^"$cli" --store' "$tmp/example.sh"; then
	pass example_rewritten
else
	fail example_rewritten "$(head -2 "$tmp/example.sh")"
fi
cli="$cli" tmp="$tmp" sh -c ". \"$tmp/example.sh\"" >"$tmp/out" 2>"$tmp/err"
rc=$?
ok example_exit_0 [ "$rc" -eq 0 ]
ok example_no_stderr [ ! -s "$tmp/err" ]
if cmp -s "$tmp/out" tests/data/seed001-output.json; then
	pass example_output_byte_for_byte
else
	fail example_output_byte_for_byte \
		"$(diff "$tmp/out" tests/data/seed001-output.json | head -5 | tr '\n' '|')"
fi

"$cli" --store "$tmp/store" --config "$tmp/empty.conf" \
	get-user-pool-mfa-config --user-pool-id us-west-2_EXAMPLE >"$tmp/get"
if cmp -s "$tmp/get" tests/data/seed001-output.json; then
	pass get_returns_the_same
else
	fail get_returns_the_same "$(diff "$tmp/get" tests/data/seed001-output.json | head -5 | tr '\n' '|')"
fi

# the pool id is now the store's: another one does not exist
"$cli" --store "$tmp/store" --config "$tmp/empty.conf" \
	get-user-pool-mfa-config --user-pool-id us-west-2_OTHER \
	>/dev/null 2>"$tmp/err"
rc=$?
ok other_pool_exit_254 [ "$rc" -eq 254 ]
ok other_pool_message grep -qx 'An error occurred (ResourceNotFoundException) when calling the GetUserPoolMfaConfig operation: User pool us-west-2_OTHER does not exist.' "$tmp/err"

# pool.json is the GetUserPoolMfaConfig response, members in model order
if /usr/bin/python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["SmsMfaConfiguration", "SoftwareTokenMfaConfiguration",
    "EmailMfaConfiguration", "MfaConfiguration", "WebAuthnConfiguration"], list(d)
assert "UserPoolId" not in d' "$tmp/store/pool.json" 2>"$tmp/err"; then
	pass pool_json_is_response
else
	fail pool_json_is_response "$(cat "$tmp/err")"
fi
perm=$(stat -c %a "$tmp/store/pool.json")
ok pool_json_0600 [ "$perm" = 600 ]
ok pool_id_saved grep -qx us-west-2_EXAMPLE "$tmp/store/pool-id"
finish
