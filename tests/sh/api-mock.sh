#!/bin/sh
# api-mock.sh BUILD: cognito-mfa against the Cognito API where cognito-local
# cannot serve as the peer: paging (131 users, 60 a page), AdminSetUser-
# MFAPreference, email MFA fields, throttling, a 500 then success, a
# refused connection, missing credentials and region, --no-verify-ssl.
# The peer is tests/data/aws_mock.py (127.0.0.1, a port above 2000, killed
# by its PID), which checks the SigV4 signature of every signed request
# with botocore's own signer; Debian's AWS CLI (/usr/bin/aws) runs the
# same command lines on the same mock, and both must agree: exit code,
# stdout (the AWS CLI's JSON with keys sorted, as ours are; --output text
# as it is), stderr (the final line of an argparse error, "aws" for
# "cognito-mfa").  Every request we sent is read back from the mock's log:
# signed ones carry a valid signature, AccessToken operations go unsigned.
suite=api-mock
. "$(dirname "$0")/lib.sh"
build=${1:-build}
top=$(pwd)
cli=$top/$build/cognito-mfa
aws=/usr/bin/aws
py=/usr/bin/python3
util=$top/tests/data/cli_util.py
mock_py=$top/tests/data/aws_mock.py

for need in "$aws" "$py" "$mock_py"; do
	if [ ! -e "$need" ]; then
		skip peers "$need missing"
		finish
		exit
	fi
done

tmp=$(mktemp -d /tmp/cmfa-api-mock.XXXXXX) || exit 1
mock_pid=
tls_pid=
cleanup() {
	stop_pids $mock_pid $tls_pid
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

m=$tmp/mock
mkdir -p "$m" "$tmp/home"
P=us-east-1_MockPool
cat >"$m/creds.json" <<'EOF'
[{"AccessKeyId": "AKIDCMFAMOCK", "SecretAccessKey": "cmfa/mock+secret"}]
EOF
cat >"$m/state.json" <<EOF
{"pools": {"$P": {
  "MfaConfig": {"MfaConfiguration": "OPTIONAL",
                "SoftwareTokenMfaConfiguration": {"Enabled": true},
                "EmailMfaConfiguration": {"Message": "Code {####}",
                                          "Subject": "Your code"}},
  "UserPool": {"Id": "$P", "Name": "mock"},
  "Users": [{"Username": "alice",
             "UserAttributes": [{"Name": "sub",
                                 "Value": "7d5e2a4c-1111-4c2b-9a3e-0123456789ab"},
                                {"Name": "email", "Value": "alice@example.com"},
                                {"Name": "email_verified", "Value": "true"}],
             "Enabled": true, "UserStatus": "CONFIRMED",
             "UserCreateDate": 1548108509.537,
             "UserLastModifiedDate": 1700000000.5}],
  "SoftwareTokens": ["alice"],
  "GenerateUsers": {"count": 130, "prefix": "user"}}}}
EOF
if ! mock_start "$m" "$tmp/mock.err"; then
	fail mock_started "$(tail -n 3 "$tmp/mock.err" | tr '\n' '|')"
	finish
	exit
fi
pass mock_started
url=http://127.0.0.1:$port

export TZ=Asia/Kolkata HOME=$tmp/home AWS_ACCESS_KEY_ID=AKIDCMFAMOCK \
	AWS_SECRET_ACCESS_KEY=cmfa/mock+secret AWS_REGION=us-east-1 \
	AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null \
	AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER= \
	AWS_CLI_AUTO_PROMPT=off LC_ALL=C.UTF-8
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_REGION AWS_ENDPOINT_URL \
	AWS_MAX_ATTEMPTS AWS_RETRY_MODE 2>/dev/null
printf 'ec2_metadata_disabled = yes\nstore = %s\n' "$tmp/store" \
	>"$tmp/base.conf"
chmod 600 "$tmp/base.conf"
ep=$url
: >"$tmp/ours.jsonl"

# ours ARGS...: cognito-mfa on $ep -> o.out, o.err, $orc; the mock's log
# lines of its requests are appended to ours.jsonl
ours() {
	n=0
	[ -f "$m/log.jsonl" ] && n=$(wc -l <"$m/log.jsonl")
	"$cli" --config "$tmp/base.conf" --endpoint-url "$ep" "$@" \
		>"$tmp/o.out" 2>"$tmp/o.err"
	orc=$?
	tail -n +"$((n + 1))" "$m/log.jsonl" 2>/dev/null >>"$tmp/ours.jsonl"
}

theirs() {
	"$aws" --endpoint-url "$ep" cognito-idp "$@" \
		>"$tmp/a.out" 2>"$tmp/a.err"
	arc=$?
}

# The last message line of an argparse error, "aws" for "cognito-mfa".
errline() {
	if grep -q '^usage:' "$1"; then
		grep -v '^$' "$1" | tail -n 1 |
			sed 's/^cognito-mfa: error:/aws: error:/'
	else
		cat "$1"
	fi
}

compare() {
	name=$1
	shift
	why=""
	[ "$orc" -eq "$arc" ] || why="exit $orc != aws $arc"
	case " $* " in
	*" text "*) cp "$tmp/a.out" "$tmp/a.norm" ;;
	*) "$py" "$util" norm <"$tmp/a.out" >"$tmp/a.norm" 2>/dev/null ||
		cp "$tmp/a.out" "$tmp/a.norm" ;;
	esac
	cmp -s "$tmp/o.out" "$tmp/a.norm" ||
		why="$why${why:+; }stdout: $(diff "$tmp/o.out" "$tmp/a.norm" | head -6 | tr '\n' '|')"
	errline "$tmp/o.err" >"$tmp/o.errl"
	errline "$tmp/a.err" >"$tmp/a.errl"
	cmp -s "$tmp/o.errl" "$tmp/a.errl" ||
		why="$why${why:+; }stderr: ours [$(head -c 300 "$tmp/o.errl" | tr '\n' '|')] aws [$(head -c 300 "$tmp/a.errl" | tr '\n' '|')]"
	if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
}

# both NAME ARGS...: the same command line through both, compared.
both() {
	name=$1
	shift
	ours "$@"
	theirs "$@"
	compare "$name" "$@"
}

res() {
	if [ $? -eq 0 ]; then
		pass "$1"
	else
		fail "$1" "exit $orc: $(head -c 300 "$tmp/o.err" | tr '\n' '|')"
	fi
}

count_users() {
	"$py" -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get("Users", [])))' "$1"
}

faults() { printf '%s\n' "$1" >"$m/faults.json"; }

# ---------------------------------------------------------------------------
# list-users: the AWS CLI's paginator

both list_all_pages list-users --user-pool-id "$P"
[ "$(count_users "$tmp/o.out")" = 131 ] && ! grep -q NextToken "$tmp/o.out"
res list_all_pages_131_users
both list_max_items_mid_page list-users --user-pool-id "$P" --max-items 70
tok=$("$py" "$util" get NextToken <"$tmp/o.out" 2>/dev/null)
[ "$(count_users "$tmp/o.out")" = 70 ] && [ -n "$tok" ]
res list_max_items_70
both list_resume list-users --user-pool-id "$P" --starting-token "$tok" \
	--max-items 70
[ "$(count_users "$tmp/o.out")" = 61 ] && ! grep -q NextToken "$tmp/o.out"
res list_resume_rest
both list_page_boundary list-users --user-pool-id "$P" --max-items 60
both list_page_size list-users --user-pool-id "$P" --page-size 25 \
	--max-items 30
tok=$("$py" "$util" get NextToken <"$tmp/o.out" 2>/dev/null)
both list_page_size_resume list-users --user-pool-id "$P" --page-size 25 \
	--max-items 30 --starting-token "$tok"
both list_text_max_items list-users --user-pool-id "$P" --max-items 3 \
	--output text
both list_no_paginate list-users --user-pool-id "$P" --no-paginate
both list_limit_one_page list-users --user-pool-id "$P" --limit 5
both list_limit_and_max_items list-users --user-pool-id "$P" --limit 5 \
	--max-items 3
both list_no_paginate_starting list-users --user-pool-id "$P" \
	--no-paginate --starting-token x --page-size 3
both list_bad_max_items list-users --user-pool-id "$P" --max-items x
both list_negative_page_size list-users --user-pool-id "$P" --page-size -1
both list_filter_prefix list-users --user-pool-id "$P" \
	--filter 'username ^= "user00012"'
both list_attributes list-users --user-pool-id "$P" --max-items 2 \
	--attributes-to-get email
both list_unknown_pool list-users --user-pool-id us-east-1_Nope

# ---------------------------------------------------------------------------
# users and preferences

both get_alice admin-get-user --user-pool-id "$P" --username alice
ours admin-set-user-mfa-preference --user-pool-id "$P" --username alice \
	--software-token-mfa-settings Enabled=true,PreferredMfa=true
[ "$orc" -eq 0 ] && [ ! -s "$tmp/o.out" ]
res set_pref_alice
both get_alice_after_pref admin-get-user --user-pool-id "$P" \
	--username alice
grep -q '"PreferredMfaSetting": "SOFTWARE_TOKEN_MFA"' "$tmp/o.out"
res alice_prefers_totp
both set_pref_without_token admin-set-user-mfa-preference \
	--user-pool-id "$P" --username user000004 \
	--software-token-mfa-settings Enabled=true
both get_missing_user admin-get-user --user-pool-id "$P" --username nobody
both get_user_text admin-get-user --user-pool-id "$P" --username user000003 \
	--output text

# the user's own calls: unsigned, the token authorises them
printf '{"AccessToken": "mock-token:%s:user000005"}' "$P" >"$tmp/tok.json"
both set_user_pref_unsigned set-user-mfa-preference \
	--sms-mfa-settings Enabled=true,PreferredMfa=true \
	--cli-input-json "file://$tmp/tok.json"
ours associate-software-token --cli-input-json "file://$tmp/tok.json"
[ "$orc" -eq 0 ] && "$py" -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if list(d) == ["SecretCode"] and
         re.fullmatch("[A-Z2-7]{32}", d["SecretCode"]) else 1)' "$tmp/o.out"
res associate_unsigned
both associate_bad_token associate-software-token --access-token nope

# ---------------------------------------------------------------------------
# email MFA (aws 2.9.19's model predates it: ours only)

ours set-user-pool-mfa-config --user-pool-id "$P" \
	--software-token-mfa-configuration Enabled=true \
	--email-mfa-configuration 'Message="Your code is {####}",Subject=Sign-in' \
	--mfa-configuration ON
[ "$orc" -eq 0 ] && "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["EmailMfaConfiguration"] == {"Message": "Your code is {####}",
         "Subject": "Sign-in"} and d["MfaConfiguration"] == "ON" else 1)' \
	"$tmp/o.out"
res set_pool_email
ours get-user-pool-mfa-config --user-pool-id "$P"
[ "$orc" -eq 0 ] && grep -q '"Subject": "Sign-in"' "$tmp/o.out"
res get_pool_email
tail -n 2 "$tmp/ours.jsonl" | "$py" -c '
import json, sys
set_req = [json.loads(l) for l in sys.stdin][0]
sys.exit(0 if set_req["op"] == "SetUserPoolMfaConfig" and
         set_req["body"]["EmailMfaConfiguration"]["Subject"] == "Sign-in"
         else 1)'
res set_pool_email_sent

# ---------------------------------------------------------------------------
# faults: what an administrator sees when the service or network fails

faults '[{"op": "GetUserPoolMfaConfig", "status": 400, "type": "TooManyRequestsException", "message": "Rate exceeded"}]'
both throttled_max_retries get-user-pool-mfa-config --user-pool-id "$P"
grep -q '(reached max retries: 2): Rate exceeded' "$tmp/o.err"
res throttled_message
faults '[{"op": "AdminGetUser", "status": 500, "type": "InternalErrorException", "message": "try again (ours)", "times": 1}]'
ours admin-get-user --user-pool-id "$P" --username alice
cp "$tmp/o.out" "$tmp/o.500"
tail -n 2 "$tmp/ours.jsonl" | "$py" -c '
import json, sys
s = [(j["op"], j["status"]) for j in map(json.loads, sys.stdin)]
sys.exit(0 if s == [("AdminGetUser", 500), ("AdminGetUser", 200)] else 1)'
res retry_500_then_success
faults '[{"op": "AdminGetUser", "status": 500, "type": "InternalErrorException", "message": "try again (aws)", "times": 1}]'
theirs admin-get-user --user-pool-id "$P" --username alice
cp "$tmp/o.500" "$tmp/o.out"
: >"$tmp/o.err"
compare retry_500_same_output admin-get-user
faults '[]'

# a refused connection: a port nothing listens on (bound, then closed)
dead=$("$py" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()')
ep=http://127.0.0.1:$dead
both connection_refused get-user-pool-mfa-config --user-pool-id "$P"
ep=$url

# missing credentials, missing region: the AWS CLI's words, exit 253
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY sh -c '
	"$1" --config "$2" --endpoint-url "$3" admin-get-user \
		--user-pool-id "$4" --username alice >"$5/o.out" 2>"$5/o.err"
	echo $? >"$5/orc"
	"$6" --endpoint-url "$3" cognito-idp admin-get-user \
		--user-pool-id "$4" --username alice >"$5/a.out" 2>"$5/a.err"
	echo $? >"$5/arc"' sh "$cli" "$tmp/base.conf" "$url" "$P" "$tmp" "$aws"
orc=$(cat "$tmp/orc")
arc=$(cat "$tmp/arc")
compare no_credentials admin-get-user
[ "$orc" -eq 253 ]
res no_credentials_253
env -u AWS_REGION sh -c '
	"$1" --config "$2" --endpoint-url "$3" admin-get-user \
		--user-pool-id "$4" --username alice >"$5/o.out" 2>"$5/o.err"
	echo $? >"$5/orc"
	"$6" --endpoint-url "$3" cognito-idp admin-get-user \
		--user-pool-id "$4" --username alice >"$5/a.out" 2>"$5/a.err"
	echo $? >"$5/arc"' sh "$cli" "$tmp/base.conf" "$url" "$P" "$tmp" "$aws"
orc=$(cat "$tmp/orc")
arc=$(cat "$tmp/arc")
compare no_region admin-get-user
[ "$orc" -eq 253 ]
res no_region_253

# ---------------------------------------------------------------------------
# HTTPS: a loopback TLS endpoint with a self-signed certificate (openssl),
# answering every POST with the pool configuration

if command -v openssl >/dev/null 2>&1 &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" \
		-out "$tmp/cert.pem" -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1; then
	cat >"$tmp/tls.py" <<'EOF2'
import http.server, os, ssl, sys
d = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do_POST(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        b = b'{"MfaConfiguration": "OFF", "Unknown": 1}'
        self.send_response(200)
        self.send_header('Content-Type', 'application/x-amz-json-1.1')
        self.send_header('Content-Length', str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(d + '/cert.pem', d + '/key.pem')
s.socket = c.wrap_socket(s.socket, server_side=True)
with open(d + '/.tlsport', 'w') as f:
    f.write(str(s.server_address[1]))
os.rename(d + '/.tlsport', d + '/tlsport')
s.serve_forever()
EOF2
	"$py" "$tmp/tls.py" "$tmp" 2>/dev/null &
	tls_pid=$!
	i=0
	while [ ! -s "$tmp/tlsport" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
fi
tport=$(cat "$tmp/tlsport" 2>/dev/null)
if [ -z "$tport" ] || [ "$tport" -le 2000 ]; then
	skip tls "no TLS endpoint (openssl)"
else
	ep=https://127.0.0.1:$tport
	ours get-user-pool-mfa-config --user-pool-id "$P"
	theirs get-user-pool-mfa-config --user-pool-id "$P"
	pre="SSL validation failed for $ep/ "
	[ "$orc" -eq 255 ] && [ "$arc" -eq 255 ] &&
		[ "$(grep -v '^$' "$tmp/o.err" | cut -c1-${#pre})" = "$pre" ] &&
		[ "$(grep -v '^$' "$tmp/a.err" | cut -c1-${#pre})" = "$pre" ]
	res tls_untrusted_refused
	both tls_ca_bundle get-user-pool-mfa-config --user-pool-id "$P" \
		--ca-bundle "$tmp/cert.pem"
	ours --no-verify-ssl get-user-pool-mfa-config --user-pool-id "$P"
	theirs --no-verify-ssl get-user-pool-mfa-config --user-pool-id "$P"
	"$py" "$util" norm <"$tmp/a.out" >"$tmp/a.norm"
	[ "$orc" -eq 0 ] && [ "$arc" -eq 0 ] &&
		cmp -s "$tmp/o.out" "$tmp/a.norm" &&
		grep -q 'InsecureRequestWarning: Unverified HTTPS request is being made' "$tmp/o.err" &&
		grep -q 'InsecureRequestWarning: Unverified HTTPS request is being made' "$tmp/a.err"
	res tls_no_verify_ssl_warns
	ep=$url
fi
[ -n "$tls_pid" ] && kill "$tls_pid" 2>/dev/null && wait "$tls_pid" 2>/dev/null
tls_pid=

# ---------------------------------------------------------------------------
# every request we sent: signed ones with a valid signature, the
# AccessToken operations unsigned

"$py" -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
signed = [r for r in rows if r["signature_ok"] is not None]
bad = [r for r in signed if r["signature_ok"] is not True]
unsigned_ops = {"SetUserMFAPreference", "AssociateSoftwareToken",
                "VerifySoftwareToken", "GetUser"}
wrong = [r["op"] for r in rows
         if (r["op"] in unsigned_ops) != (r["access_key"] is None)]
print("%d requests, %d signed" % (len(rows), len(signed)), file=sys.stderr)
sys.exit(0 if len(signed) >= 20 and not bad and not wrong else 1)' \
	"$tmp/ours.jsonl" 2>"$tmp/sig.err"
res signatures_all_valid

finish
