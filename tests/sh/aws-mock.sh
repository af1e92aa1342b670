#!/bin/sh
# aws-mock.sh BUILD: the loopback AWS mock (tests/data/aws_mock.py)
# against a real peer, Debian's AWS CLI v2 (/usr/bin/aws 2.9.19), and
# /usr/bin/python3 (urllib / http.client, botocore's signer for requests
# the CLI cannot make: a skewed clock, a dropped token header, ...).
#
# The mock runs on 127.0.0.1 (a port above 2000) in a temporary directory
# and is killed by its PID on exit.  The aws calls run in a few parallel
# batches (each CLI start costs ~0.7 s of CPU).  BUILD is not used.
suite=aws-mock
. "$(dirname "$0")/lib.sh"
top=$(pwd)
aws=/usr/bin/aws
py=/usr/bin/python3

if [ ! -x "$aws" ]; then
	skip aws_cli_present "/usr/bin/aws missing (Debian package awscli)"
	finish; exit
fi
if [ ! -x "$py" ]; then
	skip python_present "/usr/bin/python3 missing"
	finish; exit
fi

tmp=$(mktemp -d /tmp/cmfa-aws-mock.XXXXXX) || exit 1
mock_pid=
cleanup() {
	[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

d=$tmp/mock
mkdir -p "$d" "$tmp/home"
pool=eu-west-1_MockPool1
pool2=eu-west-1_MockPool2
s_static=mockStaticSecret0123456789abcdefghijABCD
s_session=mockSessionSecret0123456789abcdefghijABC
t_session=mockSessionToken//0123456789abcdefghijklmnopqrstuvwxyz+==
s_expired=mockExpiredSecret0123456789abcdefghijABC
s_wrong=mockWrongSecret0123456789abcdefghijABCDEF
webid=eyJmock.web-identity.token0123456789
ecs_token=mockEcsAuthorization0123456789
role_sync=arn:aws:iam::123456789012:role/mock-sync
role_web=arn:aws:iam::123456789012:role/mock-web
now=$(date +%s)

cat >"$d/creds.json" <<EOF
[{"AccessKeyId": "AKIDMOCKSTATIC", "SecretAccessKey": "$s_static"},
 {"AccessKeyId": "ASIAMOCKSESSION", "SecretAccessKey": "$s_session",
  "SessionToken": "$t_session", "Expiration": $((now + 3600))},
 {"AccessKeyId": "ASIAMOCKEXPIRED", "SecretAccessKey": "$s_expired",
  "SessionToken": "expired-token", "Expiration": $((now - 60))}]
EOF
user() {	# user NAME N: an AdminGetUser object without MFA
	printf '{"Username": "%s", "UserAttributes": [
	  {"Name": "sub", "Value": "00000000-0000-4000-8000-%012d"},
	  {"Name": "email", "Value": "%s@example.com"},
	  {"Name": "phone_number", "Value": "+15555550100"}],
	 "Enabled": true, "UserStatus": "CONFIRMED",
	 "UserCreateDate": 1700000000.5, "UserLastModifiedDate": 1700000000.5}' \
		"$1" "$2" "$1"
}
cat >"$d/state.json" <<EOF
{"pools": {
 "$pool": {
  "MfaConfig": {"MfaConfiguration": "OPTIONAL",
   "SoftwareTokenMfaConfiguration": {"Enabled": true},
   "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Code {####}",
    "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns",
                         "ExternalId": "sns-ext", "SnsRegion": "eu-west-1"}}},
  "UserPool": {"Id": "$pool", "Name": "mock pool"},
  "Users": [$(user alice 1), $(user bob 2), $(user dave 3), $(user flaky 4),
            $(user throttled 5)],
  "GenerateUsers": {"count": 130, "prefix": "user"}},
 "$pool2": {
  "MfaConfig": {"MfaConfiguration": "ON",
   "SoftwareTokenMfaConfiguration": {"Enabled": true},
   "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Code {####}",
    "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns"}}},
  "Users": []}}}
EOF
cat >"$d/roles.json" <<EOF
{"$role_sync": {"ExternalId": "ext-123"}, "$role_web": {}}
EOF
cat >"$d/faults.json" <<EOF
[{"op": "AdminGetUser", "username": "flaky", "status": 500,
  "type": "InternalErrorException", "message": "boom", "times": 2},
 {"op": "AdminGetUser", "username": "throttled", "status": 400,
  "type": "TooManyRequestsException", "message": "Too many requests"},
 {"op": "DescribeUserPool", "truncate": true, "times": 1},
 {"op": "DescribeUserPool", "close": true, "times": 1},
 {"op": "GetUser", "after": 1, "times": 1, "status": 500,
  "type": "InternalErrorException", "message": "later"},
 {"op": "GetCallerIdentity", "delay_ms": 300, "times": 1},
 {"op": "SendEmail", "after": 1, "times": 1, "status": 400,
  "type": "MessageRejected", "message": "Email address is not verified."}]
EOF
printf '%s\n' "$webid" >"$d/web-identity-token"
printf '%s\n' "$ecs_token" >"$d/ecs-token"
echo mock-instance-role >"$d/imds-role"
echo eu-west-1b >"$d/imds-az"

if ! mock_start "$d" "$tmp/mock.err"; then
	fail mock_started "no port: $(head -c 300 "$tmp/mock.err")"; finish; exit
fi
pass mock_started
ep=http://127.0.0.1:$port

export HOME="$tmp/home" AWS_EC2_METADATA_DISABLED=true \
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
	AWS_DEFAULT_REGION=eu-west-1 AWS_PAGER= AWS_CLI_AUTO_PROMPT=off \
	LC_ALL=C.UTF-8 AWS_ACCESS_KEY_ID=AKIDMOCKSTATIC \
	AWS_SECRET_ACCESS_KEY=$s_static
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL AWS_MAX_ATTEMPTS \
	AWS_RETRY_MODE AWS_CONTAINER_CREDENTIALS_FULL_URI \
	AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
	AWS_CONTAINER_AUTHORIZATION_TOKEN AWS_WEB_IDENTITY_TOKEN_FILE \
	AWS_ROLE_ARN 2>/dev/null

# run NAME [VAR=VALUE...] ARGS...: /usr/bin/aws ARGS --endpoint-url EP in
# the background; NAME.out, NAME.err, NAME.rc in $tmp.  batch waits.
pids=
run() {
	name=$1; shift
	(
		while :; do
			case $1 in
			-u) unset "$2"; shift 2 ;;
			*=*) export "$1"; shift ;;
			*) break ;;
			esac
		done
		"$aws" "$@" --endpoint-url "$ep" >"$tmp/$name.out" \
			2>"$tmp/$name.err"
		echo $? >"$tmp/$name.rc"
	) &
	pids="$pids $!"
}
batch() { wait $pids; pids=; }
rc() { cat "$tmp/$1.rc" 2>/dev/null; }
# js FILE EXPR: print the Python expression EXPR over d = the JSON in FILE.
js() {
	"$py" -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}
# expect NAME CHECK EXPECTED: PASS when run NAME exited 0 and CHECK (an
# expression over its JSON output) prints EXPECTED.
expect() {
	if [ "$(rc "$1")" != 0 ]; then
		fail "$1" "exit $(rc "$1"): $(head -c 300 "$tmp/$1.err" | tr '\n' '|')"
		return
	fi
	got=$(js "$tmp/$1.out" "$2")
	if [ "$got" = "$3" ]; then pass "$1"
	else fail "$1" "$2: got [$got], want [$3]"; fi
}
# refused NAME CODE: PASS when run NAME exited 254 naming error CODE.
refused() {
	if [ "$(rc "$1")" = 254 ] && grep -q "($2)" "$tmp/$1.err"; then
		pass "$1"
	else
		fail "$1" "exit $(rc "$1"): $(head -c 300 "$tmp/$1.err" | tr '\n' '|')"
	fi
}

# The Python checks (modes imds and api), printing PASS/FAIL lines.
cat >"$tmp/check.py" <<'PYEOF'
import base64, hashlib, hmac, http.client, json, os, struct, sys, time
import urllib.error, urllib.parse, urllib.request
import awscli  # noqa: F401 (the botocore alias)
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

d, port, mode, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
env = os.environ
ep = 'http://127.0.0.1:%d' % port
host = '127.0.0.1:%d' % port
POOL, POOL2 = env['pool'], env['pool2']
STATIC = ('AKIDMOCKSTATIC', env['s_static'], None)
SESSION = ('ASIAMOCKSESSION', env['s_session'], env['t_session'])
failed = 0


def check(name, cond, detail=''):
    global failed
    if cond:
        print('PASS: aws-mock/%s' % name)
    else:
        failed += 1
        print('FAIL: aws-mock/%s (%s)' % (name, str(detail)[:300]))


def request(method, path, body=None, headers=None, conn=None):
    c = conn or http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    if conn is None:
        c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


class Signer(SigV4Auth):
    """botocore's SigV4 at a chosen time."""

    def __init__(self, creds, service, region, when):
        super().__init__(creds, service, region)
        self.when = when

    def add_auth(self, request):
        request.context['timestamp'] = time.strftime(
            '%Y%m%dT%H%M%SZ', time.gmtime(self.when))
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        self._inject_signature_to_request(request, self.signature(
            self.string_to_sign(request, canonical), request))


def signed_request(payload, headers, cred, service, when, region):
    req = AWSRequest('POST', ep + '/', data=payload,
                     headers=dict(headers, Host=host))
    if cred is not None:
        Signer(Credentials(*cred), service, region,
               time.time() if when is None else when).add_auth(req)
    return dict(req.headers.items())


def idp(op, body, cred=STATIC, service='cognito-idp', when=None,
        region='eu-west-1', tamper=None, conn=None):
    payload = json.dumps(body).encode()
    headers = signed_request(payload, {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'AWSCognitoIdentityProviderService.' + op},
        cred, service, when, region)
    if tamper:
        payload, headers = tamper(payload, headers)
    status, h, data = request('POST', '/', payload, headers, conn)
    return status, json.loads(data) if data else None


def query(params, cred=STATIC, service='sts', when=None):
    payload = urllib.parse.urlencode(params).encode()
    headers = signed_request(payload, {
        'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'},
        cred, service, when, 'us-east-1')
    status, h, data = request('POST', '/', payload, headers)
    return status, data.decode()


def err(result):
    status, body = result
    return status, (body or {}).get('__type'), (body or {}).get('message')


def totp(secret, t):
    key = base64.b32decode(secret + '=' * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack('>Q', int(t // 30)), 'sha1').digest()
    o = mac[-1] & 15
    return '%06d' % ((struct.unpack('>I', mac[o:o + 4])[0] & 0x7fffffff)
                     % 1000000)


def imds():
    meta = '/latest/meta-data/'
    status, h, _ = request('PUT', '/latest/api/token')
    check('imds_token_needs_ttl', status == 400, status)
    status, h, _ = request('GET', meta + 'iam/security-credentials/')
    check('imds_401_without_token', status == 401, status)
    status, h, token = request('PUT', '/latest/api/token', headers={
        'X-aws-ec2-metadata-token-ttl-seconds': '60'})
    check('imds_token', status == 200 and len(token) > 20 and
          h.get('x-aws-ec2-metadata-token-ttl-seconds') == '60', status)
    tok = {'X-aws-ec2-metadata-token': token.decode()}
    status, h, _ = request('GET', meta + 'iam/security-credentials/', headers={
        'X-aws-ec2-metadata-token': 'not-a-token'})
    check('imds_401_bad_token', status == 401, status)
    # urllib, as a client would do it
    req = urllib.request.Request(ep + meta + 'iam/security-credentials/',
                                 headers=tok)
    role = urllib.request.urlopen(req, timeout=10).read().decode()
    check('imds_role', role == 'mock-instance-role', role)
    req = urllib.request.Request(
        ep + meta + 'iam/security-credentials/' + role, headers=tok)
    creds = json.loads(urllib.request.urlopen(req, timeout=10).read())
    check('imds_credentials', creds.get('Code') == 'Success' and
          creds.get('Type') == 'AWS-HMAC' and
          creds['AccessKeyId'].startswith('ASIA') and
          time.strptime(creds['Expiration'], '%Y-%m-%dT%H:%M:%SZ') and
          all(creds.get(k) for k in ('SecretAccessKey', 'Token',
                                     'LastUpdated')), creds)
    with open(out, 'w') as f:
        json.dump(creds, f)
    status, h, _ = request('GET', meta + 'iam/security-credentials/other',
                        headers=tok)
    check('imds_unknown_role_404', status == 404, status)
    status, h, az = request('GET', meta + 'placement/availability-zone/',
                         headers=tok)
    check('imds_az', status == 200 and az == b'eu-west-1b', az)
    status, h, _ = request('GET', '/ecs/creds')
    check('ecs_401_without_authorization', status == 401, status)


def api():
    now = time.time()
    # signature checks the CLI cannot provoke
    r = err(idp('GetUserPoolMfaConfig', {'UserPoolId': POOL},
                when=now - 20 * 60))
    check('sigv4_expired_date', r[:2] == (400, 'InvalidSignatureException')
          and r[2].startswith('Signature expired: '), r)
    r = err(idp('GetUserPoolMfaConfig', {'UserPoolId': POOL},
                when=now + 20 * 60))
    check('sigv4_future_date', r[:2] == (400, 'InvalidSignatureException')
          and r[2].startswith('Signature not yet current: '), r)
    r = err(idp('GetUserPoolMfaConfig', {'UserPoolId': POOL},
                when=now - 10 * 60))
    check('sigv4_small_skew_ok', r[0] == 200, r)

    def drop_token(payload, headers):
        del headers['X-Amz-Security-Token']
        return payload, headers
    r = err(idp('GetUserPoolMfaConfig', {'UserPoolId': POOL}, cred=SESSION,
                tamper=drop_token))
    check('sigv4_missing_token_header', r == (
        400, 'UnrecognizedClientException',
        'The security token included in the request is invalid.'), r)
    r = err(idp('GetUserPoolMfaConfig', {'UserPoolId': POOL},
                cred=STATIC[:2] + ('stray-token',)))
    check('sigv4_token_with_long_term_key',
          r[:2] == (400, 'UnrecognizedClientException'), r)

    def tamper_body(payload, headers):
        return payload.replace(POOL.encode(), POOL2.encode()), headers
    r = err(idp('GetUserPoolMfaConfig', {'UserPoolId': POOL},
                tamper=tamper_body))
    check('sigv4_tampered_body', r[:2] == (400, 'InvalidSignatureException')
          and r[2].startswith('The request signature we calculated'), r)
    r = err(idp('GetUserPoolMfaConfig', {'UserPoolId': POOL}, service='sts'))
    check('sigv4_wrong_service_scope',
          r[:2] == (400, 'InvalidSignatureException'), r)
    r = err(idp('GetUserPoolMfaConfig', {'UserPoolId': POOL}, cred=(
        'ASIAMOCKEXPIRED', env['s_expired'], 'expired-token')))
    check('expired_credentials', r == (
        400, 'ExpiredTokenException',
        'The security token included in the request is expired'), r)
    with open(out) as f:
        imds_creds = json.load(f)
    r = err(idp('AdminGetUser', {'UserPoolId': POOL, 'Username': 'dave'},
                cred=(imds_creds['AccessKeyId'],
                      imds_creds['SecretAccessKey'], imds_creds['Token'])))
    check('imds_credentials_accepted', r[0] == 200, r)
    r = err(idp('GetUserPoolMfaConfig', {'UserPoolId': POOL}, cred=None))
    check('unsigned_admin_op_refused',
          r[:2] == (400, 'MissingAuthenticationTokenException'), r)
    r = err(idp('NoSuchOperation', {}, cred=None))
    check('unknown_operation', r[:2] == (400, 'UnknownOperationException'),
          r)
    status, body = query({'Action': 'AssumeRole', 'Version': '2011-06-15',
                          'RoleArn': env['role_sync'],
                          'RoleSessionName': 'x'},
                         cred=('AKIDNOSUCHKEY', 'x', None))
    check('sts_error_xml', status == 403 and
          '<Code>InvalidClientTokenId</Code>' in body and
          '<Type>Sender</Type>' in body and '<ErrorResponse xmlns="https://'
          'sts.amazonaws.com/doc/2011-06-15/">' in body, (status, body))
    status, body = query({'Action': 'AssumeRole', 'Version': '2011-06-15',
                          'RoleArn': env['role_sync'],
                          'RoleSessionName': 'sync', 'ExternalId': 'ext-999'})
    check('assume_role_wrong_external_id', status == 403 and
          '<Code>AccessDenied</Code>' in body, (status, body))
    t0 = time.time()
    status, body = query({'Action': 'GetCallerIdentity',
                          'Version': '2011-06-15'})
    check('fault_delay_then_success', status == 200 and
          time.time() - t0 >= 0.3 and '<Account>123456789012</Account>'
          in body, (status, body))
    status, body = query({'Action': 'AssumeRoleWithWebIdentity',
                          'Version': '2011-06-15', 'RoleArn': env['role_web'],
                          'RoleSessionName': 'web', 'WebIdentityToken':
                          'wrong-token-value'}, cred=None)
    check('web_identity_wrong_token', status == 400 and
          '<Code>InvalidIdentityToken</Code>' in body, (status, body))

    # Cognito semantics
    r = err(idp('AdminGetUser', {'UserPoolId': 'eu-west-1_Nope',
                                 'Username': 'alice'}))
    check('unknown_pool', r == (400, 'ResourceNotFoundException',
                                'User pool eu-west-1_Nope does not exist.'),
          r)
    r = err(idp('AdminGetUser', {'UserPoolId': POOL, 'Username': 'nobody'}))
    check('unknown_user', r == (400, 'UserNotFoundException',
                                'User does not exist.'), r)
    status, body = idp('ListUsers', {'UserPoolId': POOL,
                                     'Filter': 'username ^= "user00001"',
                                     'AttributesToGet': ['email']})
    names = [u['Username'] for u in body.get('Users', [])]
    check('list_users_filter_prefix', status == 200 and names == [
        'user%06d' % i for i in range(10, 20)] and all(
        [a['Name'] for a in u['Attributes']] == ['email']
        for u in body['Users']), body)
    status, body = idp('ListUsers', {'UserPoolId': POOL,
                                     'Filter': 'username = "alice"'})
    check('list_users_filter_equal', status == 200 and
          [u['Username'] for u in body['Users']] == ['alice'], body)
    r = err(idp('ListUsers', {'UserPoolId': POOL, 'Limit': 61}))
    check('list_users_limit_61', r[:2] == (400, 'InvalidParameterException'),
          r)
    r = err(idp('AdminSetUserMFAPreference', {
        'UserPoolId': POOL, 'Username': 'alice',
        'SoftwareTokenMfaSettings': {'Enabled': True}}))
    check('totp_needs_verified_token',
          r[:2] == (400, 'InvalidParameterException'), r)
    status, body = idp('AdminCreateUser', {
        'UserPoolId': POOL2, 'Username': 'carol', 'TemporaryPassword':
        'Tmp-Passw0rd!', 'MessageAction': 'SUPPRESS', 'UserAttributes': [
            {'Name': 'email', 'Value': 'carol@example.com'},
            {'Name': 'email_verified', 'Value': 'true'}]})
    user = body.get('User', {})
    check('admin_create_user', status == 200 and
          user.get('UserStatus') == 'FORCE_CHANGE_PASSWORD' and
          user.get('Enabled') is True and
          [a['Name'] for a in user['Attributes']][0] == 'sub', body)
    r = err(idp('AdminCreateUser', {'UserPoolId': POOL2,
                                    'Username': 'carol'}))
    check('admin_create_user_exists',
          r[:2] == (400, 'UsernameExistsException'), r)
    status, body = idp('AdminUpdateUserAttributes', {
        'UserPoolId': POOL2, 'Username': 'carol', 'UserAttributes': [
            {'Name': 'email', 'Value': 'carol@example.org'}]})
    status, body = idp('AdminGetUser', {'UserPoolId': POOL2,
                                        'Username': 'carol'})
    attrs = {a['Name']: a['Value'] for a in body.get('UserAttributes', [])}
    check('admin_update_user_attributes', status == 200 and
          attrs.get('email') == 'carol@example.org' and
          attrs.get('email_verified') == 'false', body)
    status, body = idp('AdminDeleteUser', {'UserPoolId': POOL2,
                                           'Username': 'carol'})
    r = err(idp('AdminGetUser', {'UserPoolId': POOL2, 'Username': 'carol'}))
    check('admin_delete_user', status == 200 and
          r[:2] == (400, 'UserNotFoundException'), r)

    # access-token operations and TOTP
    token = 'mock-token:%s:dave' % POOL
    status, body = idp('AssociateSoftwareToken', {'AccessToken': token},
                       cred=None)
    secret = (body or {}).get('SecretCode', '')
    check('associate_software_token', status == 200 and len(secret) == 32
          and base64.b32decode(secret), body)
    r = err(idp('VerifySoftwareToken', {'AccessToken': token, 'UserCode':
                                        totp(secret, time.time() + 300)},
                cred=None))
    check('verify_software_token_mismatch', r == (
        400, 'EnableSoftwareTokenMFAException', 'Code mismatch'), r)
    status, body = idp('VerifySoftwareToken', {
        'AccessToken': token, 'UserCode': totp(secret, time.time() - 30)},
        cred=None)
    check('verify_software_token', status == 200 and
          body == {'Status': 'SUCCESS'}, body)
    status, body = idp('SetUserMFAPreference', {
        'AccessToken': token, 'SoftwareTokenMfaSettings': {
            'Enabled': True, 'PreferredMfa': True}}, cred=None)
    status, body = idp('GetUser', {'AccessToken': token}, cred=None)
    check('get_user_after_totp', status == 200 and
          body.get('UserMFASettingList') == ['SOFTWARE_TOKEN_MFA'] and
          body.get('PreferredMfaSetting') == 'SOFTWARE_TOKEN_MFA', body)
    r = err(idp('GetUser', {'AccessToken': token}, cred=None))
    check('fault_after_then_fail', r[:2] == (500, 'InternalErrorException'),
          r)
    r = err(idp('GetUser', {'AccessToken': token}, cred=None))
    check('fault_times_spent', r[0] == 200, r)
    r = err(idp('GetUser', {'AccessToken': 'mock-token:nope:x'}, cred=None))
    check('bad_access_token', r[:2] == (400, 'NotAuthorizedException'), r)

    # wire faults, and HTTP/1.1 keep-alive
    try:
        idp('DescribeUserPool', {'UserPoolId': POOL})
        check('fault_truncate', False, 'no error')
    except http.client.IncompleteRead:
        check('fault_truncate', True)
    try:
        idp('DescribeUserPool', {'UserPoolId': POOL})
        check('fault_close', False, 'no error')
    except (http.client.RemoteDisconnected, ConnectionResetError):
        check('fault_close', True)
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    status, body = idp('DescribeUserPool', {'UserPoolId': POOL}, conn=conn)
    sock = conn.sock
    results = [status] + [idp('AdminGetUser', {'UserPoolId': POOL,
                                               'Username': 'alice'},
                              conn=conn)[0] for _ in range(3)]
    check('keep_alive', results == [200] * 4 and sock is not None and
          conn.sock is sock, results)
    conn.close()
    check('describe_user_pool', body['UserPool']['Id'] == POOL and
          body['UserPool']['EstimatedNumberOfUsers'] == 135, body)

    # what the aws runs wrote, through the control endpoint
    status, h, data = request('GET', '/_mock/state')
    state = json.loads(data)
    p1, p2 = state['pools'][POOL], state['pools'][POOL2]
    bob = [u for u in p1['Users'] if u['Username'] == 'bob'][0]
    check('state_mfa_preference', bob.get('PreferredMfaSetting') == 'SMS_MFA'
          and bob.get('UserMFASettingList') == ['SMS_MFA'], bob)
    check('state_pool_config_replaced', p2['MfaConfig'] == {
        'MfaConfiguration': 'OPTIONAL',
        'SoftwareTokenMfaConfiguration': {'Enabled': True}}, p2['MfaConfig'])
    status, h, data = request('GET', '/_mock/stats')
    stats = json.loads(data)
    check('stats', stats['counts'].get('AdminGetUser', 0) >= 10 and
          all(len(stats['times'][k]) == n
              for k, n in stats['counts'].items()) and
          stats['statuses']['AdminGetUser'].get('500') == 2, stats['counts'])

    # the log: one line per request, secrets replaced
    with open(os.path.join(d, 'log.jsonl')) as f:
        log = [json.loads(line) for line in f]
    verify = [e for e in log if e['op'] == 'VerifySoftwareToken']
    check('log_redacts_request_secrets', verify and all(
        e['body']['UserCode'] == '(secret)' and
        e['body']['AccessToken'] == '(secret)' for e in verify) and all(
        e['body']['TemporaryPassword'] == '(secret)'
        for e in log if e['op'] == 'AdminCreateUser' and
        'TemporaryPassword' in e['body']), verify)
    flaky = [e['status'] for e in log if e['op'] == 'AdminGetUser' and
             (e['body'] or {}).get('Username') == 'flaky']
    check('log_retries_of_500', flaky == [500, 500, 200], flaky)
    throttled = [e['status'] for e in log if e['op'] == 'AdminGetUser' and
                 (e['body'] or {}).get('Username') == 'throttled']
    check('log_throttled_attempts', throttled == [400, 400], throttled)
    paged = [e for e in log if e['op'] == 'ListUsers' and
             e['body'].get('PaginationToken')]
    check('log_list_users_pages', len(paged) >= 2 and
          all(e['signature_ok'] is True for e in paged), len(paged))
    roles = {e['role'] for e in log if e['signature_ok']}
    check('log_roles', {env['role_sync'], env['role_web'],
                        'arn:aws:iam::123456789012:role/mock-instance-role',
                        'arn:aws:iam::123456789012:role/mock-ecs-role'}
          <= roles, roles)


{'imds': imds, 'api': api}[mode]()
sys.exit(1 if failed else 0)
PYEOF
export pool pool2 s_static s_session t_session s_expired role_sync role_web
pycheck() {	# pycheck MODE: the Python checks
	"$py" "$tmp/check.py" "$d" "$port" "$1" "$tmp/imds-creds.json" ||
		failures=$((failures + 1))
}

# Batch 1: everything that needs nothing but the start state (the
# retries first: they sleep).
pycheck imds
run retry_500 cognito-idp admin-get-user --user-pool-id "$pool" \
	--username flaky
run throttled AWS_MAX_ATTEMPTS=2 cognito-idp admin-get-user \
	--user-pool-id "$pool" --username throttled
run mfa_config cognito-idp get-user-pool-mfa-config --user-pool-id "$pool"
run list_users_all cognito-idp list-users --user-pool-id "$pool"
run list_users_page1 cognito-idp list-users --user-pool-id "$pool" \
	--max-items 50
run admin_get_user cognito-idp admin-get-user --user-pool-id "$pool" \
	--username alice
run set_mfa_preference cognito-idp admin-set-user-mfa-preference \
	--user-pool-id "$pool" --username bob \
	--sms-mfa-settings Enabled=true,PreferredMfa=true
run set_pool_mfa_config cognito-idp set-user-pool-mfa-config \
	--user-pool-id "$pool2" --mfa-configuration OPTIONAL \
	--software-token-mfa-configuration Enabled=true
run wrong_secret AWS_SECRET_ACCESS_KEY=$s_wrong cognito-idp admin-get-user \
	--user-pool-id "$pool" --username alice
run unknown_key AWS_ACCESS_KEY_ID=AKIDNOSUCHKEY cognito-idp \
	get-user-pool-mfa-config --user-pool-id "$pool"
run session_token AWS_ACCESS_KEY_ID=ASIAMOCKSESSION \
	AWS_SECRET_ACCESS_KEY=$s_session AWS_SESSION_TOKEN=$t_session \
	cognito-idp get-user-pool-mfa-config --user-pool-id "$pool"
run wrong_session_token AWS_ACCESS_KEY_ID=ASIAMOCKSESSION \
	AWS_SECRET_ACCESS_KEY=$s_session AWS_SESSION_TOKEN=not-the-token \
	cognito-idp get-user-pool-mfa-config --user-pool-id "$pool"
run assume_role sts assume-role --role-arn "$role_sync" \
	--role-session-name sync --external-id ext-123
run assume_role_web_identity -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
	sts assume-role-with-web-identity --role-arn "$role_web" \
	--role-session-name web --web-identity-token "$webid"
run sns_publish sns publish --phone-number +15555550100 --message hi
ses_content='Simple={Subject={Data=Sign-in code},Body={Text={Data=Your code is 246810}}}'
run ses_send sesv2 send-email --from-email-address no-reply@example.com \
	--destination ToAddresses=alice@example.com --content "$ses_content"
run ecs_credentials -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
	AWS_CONTAINER_CREDENTIALS_FULL_URI=$ep/ecs/creds \
	AWS_CONTAINER_AUTHORIZATION_TOKEN=$ecs_token \
	cognito-idp get-user-pool-mfa-config --user-pool-id "$pool"
batch

expect mfa_config "d['MfaConfiguration'], d['SoftwareTokenMfaConfiguration']['Enabled'], d['SmsMfaConfiguration']['SmsConfiguration']['ExternalId']" \
	"('OPTIONAL', True, 'sns-ext')"
expect list_users_all "len(d['Users']), len({u['Username'] for u in d['Users']}), 'PaginationToken' in d" \
	"(135, 135, False)"
expect list_users_page1 "len(d['Users']), bool(d['NextToken'])" "(50, True)"
expect admin_get_user "d['Username'], d['UserStatus'], d['Enabled'], d['UserAttributes'][1]" \
	"('alice', 'CONFIRMED', True, {'Name': 'email', 'Value': 'alice@example.com'})"
if [ "$(rc set_mfa_preference)" = 0 ] && [ ! -s "$tmp/set_mfa_preference.out" ]
then pass set_mfa_preference
else fail set_mfa_preference "exit $(rc set_mfa_preference): $(head -c 300 "$tmp/set_mfa_preference.err")"
fi
expect set_pool_mfa_config "sorted(d.items())" \
	"[('MfaConfiguration', 'OPTIONAL'), ('SoftwareTokenMfaConfiguration', {'Enabled': True})]"
refused wrong_secret InvalidSignatureException
refused unknown_key UnrecognizedClientException
expect session_token "d['MfaConfiguration']" OPTIONAL
refused wrong_session_token UnrecognizedClientException
expect assume_role "d['Credentials']['AccessKeyId'][:4], d['AssumedRoleUser']['Arn']" \
	"('ASIA', 'arn:aws:sts::123456789012:assumed-role/mock-sync/sync')"
expect assume_role_web_identity "d['Credentials']['AccessKeyId'][:4], d['AssumedRoleUser']['Arn'], d['Provider']" \
	"('ASIA', 'arn:aws:sts::123456789012:assumed-role/mock-web/web', 'mock-provider')"
expect retry_500 "d['Username']" flaky
refused throttled TooManyRequestsException
expect sns_publish "len(d['MessageId'])" 36
expect ecs_credentials "d['MfaConfiguration']" OPTIONAL
sent=$(js "$d/sns.jsonl" "d['PhoneNumber'], d['Message'], d['access_key']")
if [ "$sent" = "('+15555550100', 'hi', 'AKIDMOCKSTATIC')" ]; then
	pass sns_delivered
else
	fail sns_delivered "$sent"
fi

sent=$(js "$d/ses.jsonl" "d['From'], d['To'], d['Subject'], d['Body'], d['access_key']")
if [ "$(rc ses_send)" = 0 ] && [ "$sent" = "('no-reply@example.com', ['alice@example.com'], 'Sign-in code', 'Your code is 246810', 'AKIDMOCKSTATIC')" ] &&
    [ "$(js "$tmp/ses_send.out" "d['MessageId'] == json.load(open('$d/ses.jsonl'))['MessageId']")" = True ]; then
	pass ses_delivered
else
	fail ses_delivered "exit $(rc ses_send): $sent $(head -c 300 "$tmp/ses_send.err")"
fi

# Batch 2: with what batch 1 returned.
key() { js "$tmp/$1.out" "d['Credentials']['$2']"; }
run list_users_page2 cognito-idp list-users --user-pool-id "$pool" \
	--max-items 100 --starting-token "$(js "$tmp/list_users_page1.out" "d['NextToken']")"
run admin_get_user_after_preference cognito-idp admin-get-user \
	--user-pool-id "$pool" --username bob
run assumed_role_credentials AWS_ACCESS_KEY_ID="$(key assume_role AccessKeyId)" \
	AWS_SECRET_ACCESS_KEY="$(key assume_role SecretAccessKey)" \
	AWS_SESSION_TOKEN="$(key assume_role SessionToken)" \
	cognito-idp get-user-pool-mfa-config --user-pool-id "$pool"
run web_identity_credentials \
	AWS_ACCESS_KEY_ID="$(key assume_role_web_identity AccessKeyId)" \
	AWS_SECRET_ACCESS_KEY="$(key assume_role_web_identity SecretAccessKey)" \
	AWS_SESSION_TOKEN="$(key assume_role_web_identity SessionToken)" \
	cognito-idp admin-get-user --user-pool-id "$pool" --username alice
run ses_rejected sesv2 send-email --from-email-address no-reply@example.com \
	--destination ToAddresses=alice@example.com --content "$ses_content"
batch
refused ses_rejected MessageRejected
expect list_users_page2 "len(d['Users']), 'NextToken' in d, d['Users'][0]['Username']" \
	"(85, False, 'user000046')"
expect admin_get_user_after_preference "d.get('PreferredMfaSetting'), d.get('UserMFASettingList')" \
	"('SMS_MFA', ['SMS_MFA'])"
expect assumed_role_credentials "d['MfaConfiguration']" OPTIONAL
expect web_identity_credentials "d['Username']" alice

# The Python checks, then no secret in the log.
pycheck api
imds_creds=$tmp/imds-creds.json
leaked=
for s in "$s_static" "$s_session" "$t_session" "$s_expired" "$s_wrong" \
    "$webid" "$ecs_token" Tmp-Passw0rd! "code is 246810" \
    "$(key assume_role SecretAccessKey)" "$(key assume_role SessionToken)" \
    "$(key assume_role_web_identity SecretAccessKey)" \
    "$(js "$imds_creds" "d['SecretAccessKey']")" \
    "$(js "$imds_creds" "d['Token']")"; do
	[ -n "$s" ] || { leaked="$leaked (empty secret)"; continue; }
	grep -qF -e "$s" "$d/log.jsonl" && leaked="$leaked ${s%"${s#????????}"}..."
done
if [ -s "$d/log.jsonl" ] && [ -z "$leaked" ]; then
	pass log_has_no_secret
else
	fail log_has_no_secret "$leaked"
fi

# SIGTERM: a clean exit.
kill -TERM "$mock_pid"
wait "$mock_pid"
st=$?
mock_pid=
if [ "$st" -eq 0 ]; then pass mock_sigterm_exit; else fail mock_sigterm_exit "status $st"; fi
finish
