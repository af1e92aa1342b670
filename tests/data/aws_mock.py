#!/usr/bin/python3
"""aws_mock.py DIR: a loopback AWS endpoint for the tests.

It plays the parts of AWS that the local Cognito peer (cognito-local)
lacks, and it CHECKS THE SigV4 SIGNATURE of every signed request with
botocore's own signer (Debian's awscli package), rejecting bad ones the
way AWS does.  Standard library + /usr/lib/python3/dist-packages/awscli
only; run it with /usr/bin/python3.

Invocation
    /usr/bin/python3 tests/data/aws_mock.py DIR
Listens on 127.0.0.1, on a port the kernel picks (above 2000), writes the
port to DIR/port (temp file + rename) once listening, serves HTTP/1.1
with keep-alive (every response has a Content-Length) on a threading
server, and exits 0 on SIGTERM (or SIGINT).

Files in DIR (all optional except what a test needs)
  port            written by the mock.
  creds.json      re-read at each request: the credentials it accepts,
                  [{"AccessKeyId", "SecretAccessKey", "SessionToken"?,
                    "Expiration"? (epoch seconds, or ISO 8601 UTC),
                    "Role"? (an ARN, logged)}].
                  Credentials the mock issued itself (STS, IMDS, ECS) are
                  accepted too (kept in memory, with their role ARN).
  state.json      read at start: the Cognito state,
                  {"pools": {"<pool id>": {
                      "MfaConfig": <GetUserPoolMfaConfig response>,
                      "UserPool": <DescribeUserPool's UserPool>,
                      "Users": [<AdminGetUser responses: Username,
                          UserAttributes, Enabled, UserStatus,
                          UserCreateDate, UserLastModifiedDate (epoch),
                          MFAOptions?, PreferredMfaSetting?,
                          UserMFASettingList?>],
                      "SoftwareTokens": ["<username>", ...]?,
                      "GenerateUsers": {"count": N, "prefix": "user",
                                        "start": 1}?}}}
                  "SoftwareTokens" lists users with a verified TOTP token
                  (users whose UserMFASettingList holds SOFTWARE_TOKEN_MFA
                  have one implicitly); Cognito refuses to enable TOTP
                  MFA for a user without one.  "GenerateUsers" appends N
                  users <prefix>000001... (start 1) after "Users": sub
                  (a uuid5 of pool and name, so stable across runs),
                  email <name>@example.com, email_verified, phone_number
                  +1555xxxxxxx; UserStatus CONFIRMED; every 50th is
                  disabled; MFA by number modulo 4: 0 none, 1 TOTP
                  (preferred), 2 SMS (preferred, plus legacy MFAOptions
                  SMS/phone_number), 3 SMS + TOTP (TOTP preferred).
                  UserPool.UsernameConfiguration.CaseSensitive false makes
                  user names case-insensitive.
  faults.json     re-read at each request: a list of rules, the first
                  ACTIVE match wins (a rule that is spent, or still
                  waiting for its "after" count, does not match):
                  {"op": a Cognito operation ("AdminGetUser"), an STS/SNS
                         Action ("AssumeRole", "Publish"), "SendEmail"
                         (SES v2), "imds-token",
                         "imds-role", "imds-creds", "imds-az",
                         "imds-region", "imds-other", "ecs", or "*"
                         (the default),
                   "kind": "cognito"|"sts"|"sns"|"ses"|"imds"|"ecs"?
                         (optional),
                   "username": optional, matches the JSON body's Username,
                   "status": HTTP status of the injected error,
                   "type": error code (default InternalErrorException),
                   "message": error message,
                   "times": N  fail N matching requests then the rule is
                               spent (absent: forever),
                   "after": N  let N matching requests through first,
                   "delay_ms": N  sleep first (alone: a slow success),
                   "truncate": true  send the headers with the full
                               Content-Length but half the body, then
                               close (the operation DOES run unless
                               "status" is given: a lost response),
                   "close": true  close the socket without any response
                               (the operation does not run)}.
                  Counters live in memory keyed by rule index + content.
                  Replace the file atomically (write + rename) while the
                  mock runs: a half-written file reads as no rules.
                  An injected error has the protocol's error format
                  (JSON 1.1, query XML, rest-json for SES, plain text for
                  IMDS/ECS).
  log.jsonl       one line appended per request: {"t", "kind", "op",
                  "status" (null when the socket was closed), "access_key",
                  "session_token" (bool), "signature_ok" (true/false, null
                  when unsigned), "role" (ARN of the signing credentials,
                  or null), "region", "fault" (rule index or null), "body"
                  (the request JSON, or the form fields; null for IMDS/ECS,
                  which log "path"), and for STS answers "issued_role"}.
                  Control requests (/_mock/) are not logged.  Secret
                  values are replaced by "(secret)": AccessToken, Session,
                  UserCode, Password, TemporaryPassword, ProposedPassword,
                  PreviousPassword, SecretAccessKey, SessionToken,
                  WebIdentityToken, SecretCode, RefreshToken, IdToken,
                  ClientSecret, the SNS Publish Message and the SES
                  SendEmail Body / Raw / TemplateData (they may hold a
                  code; see sns.jsonl, ses.jsonl).
  sns.jsonl       the delivered SMS: one line per Publish, {"t",
                  "PhoneNumber", "TopicArn"?, "Message", "MessageAttributes"
                  ({name: value}), "MessageId", "access_key", "role"}.
  ses.jsonl       the delivered email: one line per SendEmail, {"t",
                  "From", "To" (the ToAddresses list), "Subject", "Body"
                  (the text part), "MessageId", "access_key", "role"}.
  roles.json      {"<role arn>": {"ExternalId"?, "DurationSeconds"?}}: when
                  present, only these roles may be assumed; a named
                  ExternalId must match (else AccessDenied); DurationSeconds
                  is the role's maximum session duration.
  sts-expiry-seconds  lifetime of every credential the mock issues (STS,
                  IMDS, ECS); default: STS DurationSeconds or 3600.
  web-identity-token  when present, AssumeRoleWithWebIdentity requires
                  WebIdentityToken to equal it (InvalidIdentityToken).
  imds-role       the IMDS role name (default mock-role).
  imds-az         the IMDS availability zone (default us-east-1a).
  imds-v1-allowed when present, IMDS GETs need no token.
  ecs-token       when present, /ecs/ requires Authorization equal to it.
  ecs-role-arn    the ECS role ARN (default
                  arn:aws:iam::123456789012:role/mock-ecs-role).
  (Text files are read stripped of surrounding white space.)

What it serves
  Cognito, AWS JSON 1.1: POST / with X-Amz-Target
    AWSCognitoIdentityProviderService.<Op>; responses application/
    x-amz-json-1.1 with x-amzn-RequestId; errors {"__type", "message"},
    HTTP 400 (500 for InternalErrorException); an unknown operation:
    {"__type": "UnknownOperationException"}; a body that is not a JSON
    object: SerializationException.  Users list in insertion order
    (state.json's, then the generated, then the created ones).
    SigV4-signed (service cognito-idp, any region): GetUserPoolMfaConfig,
    SetUserPoolMfaConfig (replace semantics: an omitted configuration block
    is removed, an omitted MfaConfiguration is OFF; ON/OPTIONAL need a
    factor), DescribeUserPool, ListUsers (Limit 0..60, 0 or absent = 60;
    opaque PaginationToken; AttributesToGet; Filter 'attr = "v"' or
    'attr ^= "v"' on username, email, phone_number, name, given_name,
    family_name, preferred_username, sub, status, cognito:user_status),
    AdminGetUser, AdminSetUserMFAPreference (SMSMfaSettings,
    SoftwareTokenMfaSettings, EmailMfaSettings, each {"Enabled",
    "PreferredMfa"} -- the real API's member name; enabling TOTP needs a
    verified token, InvalidParameterException otherwise), AdminCreateUser
    (UserStatus FORCE_CHANGE_PASSWORD, a new sub), AdminDeleteUser,
    AdminUpdateUserAttributes (a changed email / phone_number becomes
    unverified unless its *_verified is in the same call).
    Unsigned, with AccessToken "mock-token:<pool>:<username>":
    GetUser, SetUserMFAPreference, AssociateSoftwareToken (a random
    32-character base32 SecretCode, remembered), VerifySoftwareToken
    (RFC 6238 SHA1, 6 digits, 30 s, +-1 step; enables SOFTWARE_TOKEN_MFA
    in UserMFASettingList; else EnableSoftwareTokenMFAException).
  STS, query protocol (POST form, Action=...): AssumeRole and
    GetCallerIdentity (signed, service sts), AssumeRoleWithWebIdentity
    (unsigned).  XML responses as STS sends them, errors as
    <ErrorResponse><Error><Type><Code><Message></Error><RequestId>.
  SNS, query protocol: Publish (signed, service sns) -> sns.jsonl.
  SES v2, rest-json: POST /v2/email/outbound-emails (SendEmail; signed,
    signing name ses): FromEmailAddress, Destination.ToAddresses (at
    least one address), Content.Simple with Subject.Data and
    Body.Text.Data required (Charset, when given, UTF-8, US-ASCII or
    ISO-8859-1), else BadRequestException 400 -> ses.jsonl, answer
    {"MessageId"}.  Errors as SES sends them: {"message"} with the code
    only in x-amzn-ErrorType ("MessageRejected:http://internal...");
    signature failures are 403 with the JSON codes below.
  EC2 IMDSv2: PUT /latest/api/token (x-aws-ec2-metadata-token-ttl-seconds
    1..21600), GET /latest/meta-data/iam/security-credentials/[<role>],
    /latest/meta-data/placement/availability-zone, .../placement/region;
    GETs need x-aws-ec2-metadata-token (401 otherwise); a PUT with
    X-Forwarded-For is refused (403), as by the real IMDS.
  ECS container credentials: GET /ecs/<anything>.
  Control (no auth): GET /_mock/stats -> {"counts": {op: n}, "statuses":
    {op: {"200": n}}, "times": {op: [epoch, ...]}} over every request
    received; GET /_mock/state -> the Cognito state, as state.json.

Signature checks, in this order (JSON error / query error, HTTP status)
  1. no Authorization header: MissingAuthenticationTokenException 400 /
     MissingAuthenticationToken 403;
  2. not "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request,
     SignedHeaders=..., Signature=...": IncompleteSignatureException 400 /
     IncompleteSignature 400;
  3. an access key in neither creds.json nor the issued credentials:
     UnrecognizedClientException 400 / InvalidClientTokenId 403, "The
     security token included in the request is invalid.";
  4. no X-Amz-Date (a Date header is not enough), "host" not signed:
     IncompleteSignature...; SignedHeaders not sorted, lower case, unique:
     InvalidSignatureException 400 / SignatureDoesNotMatch 403;
  5. X-Amz-Date more than 15 minutes from the mock's clock:
     InvalidSignatureException / SignatureDoesNotMatch, "Signature
     expired: <date> is now earlier than <now - 15 min> (<now> - 15
     min.)" or "Signature not yet current: ..." (what Cognito and STS
     send; AWS has no RequestExpired code for these services);
  6. a credential scope whose date is not X-Amz-Date's or whose service
     is not the endpoint's (cognito-idp, sts, sns, ses):
     InvalidSignature...;
  7. X-Amz-Security-Token missing or different for temporary credentials,
     or sent with long-term ones: as 3;
  8. credentials past their Expiration: ExpiredTokenException 400 /
     ExpiredToken 400, "The security token included in the request is
     expired";
  9. X-Amz-Content-SHA256, when sent, not the body's hash, or a signature
     that differs from botocore's over (method, path + query, the listed
     headers, body) at X-Amz-Date with the key's secret, for the scope's
     region and service: InvalidSignatureException / SignatureDoesNotMatch,
     "The request signature we calculated does not match ...".
  Any region is accepted.  JSON errors also carry x-amzn-ErrorType.

Identities: account 123456789012; issued access keys are ASIA + 16
characters with a 40-character secret and a session token; STS users are
arn:aws:sts::123456789012:assumed-role/<role name>/<session>.
"""
import base64
import binascii
import datetime
import hashlib
import hmac
import http.server
import json
import os
import re
import secrets
import signal
import string
import struct
import sys
import threading
import time
import traceback
import urllib.parse
import uuid
from xml.sax.saxutils import escape

import awscli  # noqa: F401  (installs the top-level "botocore" alias)
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

ACCOUNT = '123456789012'
SKEW_SECONDS = 15 * 60
AMZ_DATE = '%Y%m%dT%H%M%SZ'
ISO_DATE = '%Y-%m-%dT%H:%M:%SZ'
JSON_TYPE = 'application/x-amz-json-1.1'
COGNITO_PREFIX = 'AWSCognitoIdentityProviderService.'
STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/'
SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/'
SECRET_FIELDS = frozenset((
    'AccessToken', 'Session', 'UserCode', 'Password', 'TemporaryPassword',
    'ProposedPassword', 'PreviousPassword', 'SecretAccessKey',
    'SessionToken', 'WebIdentityToken', 'SecretCode', 'RefreshToken',
    'IdToken', 'ClientSecret'))
BAD_SIGNATURE = ('The request signature we calculated does not match the '
                 'signature you provided. Check your AWS Secret Access Key '
                 'and signing method. Consult the service documentation '
                 'for details.')
INVALID_TOKEN = 'The security token included in the request is invalid.'
EXPIRED_TOKEN = 'The security token included in the request is expired'
MFA_KINDS = (('SMSMfaSettings', 'SMS_MFA'),
             ('SoftwareTokenMfaSettings', 'SOFTWARE_TOKEN_MFA'),
             ('EmailMfaSettings', 'EMAIL_OTP'))
SIGNING_SERVICE = {'cognito': 'cognito-idp', 'sts': 'sts', 'sns': 'sns',
                   'ses': 'ses'}
SES_PATH = '/v2/email/outbound-emails'
# What SES v2 appends to the code in x-amzn-ErrorType (botocore cuts at ':').
SES_ERROR_SUFFIX = ':http://internal.amazon.com/coral/com.amazonaws.sesv2/'
# Redacted from the logged SendEmail body: the text (it holds the code).
SES_SECRET_FIELDS = ('Body', 'Raw', 'TemplateData')
MFA_BLOCKS = ('SmsMfaConfiguration', 'SoftwareTokenMfaConfiguration',
              'EmailMfaConfiguration', 'WebAuthnConfiguration')


def iso(epoch):
    return time.strftime(ISO_DATE, time.gmtime(epoch))


def epoch(value):
    """An expiration: epoch seconds, or an ISO 8601 UTC string."""
    if value is None or isinstance(value, (int, float)):
        return value
    text = str(value).replace('Z', '+00:00')
    return datetime.datetime.fromisoformat(text).timestamp()


def request_id():
    return str(uuid.uuid4())


# --------------------------------------------------------------- errors

class ApiError(Exception):
    """A service error: code (the __type / <Code>), message, HTTP status."""

    def __init__(self, code, message=None, status=400):
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


def invalid_parameter(message):
    return ApiError('InvalidParameterException', message)


def null_field(field):
    return invalid_parameter(
        "1 validation error detected: Value null at '%s' failed to satisfy "
        "constraint: Member must not be null" % (field[0].lower() + field[1:]))


def required(req, field):
    value = req.get(field)
    if value is None or value == '':
        raise null_field(field)
    return value


# Authentication failures by reason: (JSON code, status), (query code,
# status), default message.
AUTH_ERRORS = {
    'missing': (('MissingAuthenticationTokenException', 400),
                ('MissingAuthenticationToken', 403),
                'Missing Authentication Token'),
    'incomplete': (('IncompleteSignatureException', 400),
                   ('IncompleteSignature', 400),
                   'Authorization header requires \'Credential\', '
                   '\'SignedHeaders\' and \'Signature\' parameters.'),
    'unknown_key': (('UnrecognizedClientException', 400),
                    ('InvalidClientTokenId', 403), INVALID_TOKEN),
    'bad_signature': (('InvalidSignatureException', 400),
                      ('SignatureDoesNotMatch', 403), BAD_SIGNATURE),
    'expired_token': (('ExpiredTokenException', 400),
                      ('ExpiredToken', 400), EXPIRED_TOKEN),
}


class AuthError(Exception):
    def __init__(self, reason, message=None):
        super().__init__(reason)
        self.reason = reason
        self.message = message or AUTH_ERRORS[reason][2]

    def api_error(self, query):
        code, status = AUTH_ERRORS[self.reason][1 if query else 0]
        return ApiError(code, self.message, status)


# ----------------------------------------------------------------- SigV4

class _ListedHeadersSigV4(SigV4Auth):
    """botocore's SigV4Auth, signing exactly the headers the client listed
    in SignedHeaders (botocore's own choice drops e.g. User-Agent)."""

    def __init__(self, credentials, service, region, signed_names):
        super().__init__(credentials, service, region)
        self._signed_names = signed_names

    def headers_to_sign(self, request):
        headers = HTTPHeaders()
        for name in self._signed_names:
            for value in request.headers.get_all(name) or ():
                headers[name] = value
        return headers


def sigv4_signature(method, raw_path, headers, signed_names, body, amz_date,
                    access_key, secret, region, service):
    """The signature botocore computes for this request at amz_date.

    headers: (name, value) pairs as received; raw_path: path + query as on
    the request line."""
    request = AWSRequest(method=method, url='http://mock' + raw_path,
                         data=body)
    wanted = set(signed_names)
    for name, value in headers:
        if name.lower() in wanted:
            request.headers[name.lower()] = value
    request.context['timestamp'] = amz_date
    signer = _ListedHeadersSigV4(Credentials(access_key, secret), service,
                                 region, signed_names)
    canonical = signer.canonical_request(request)
    return signer.signature(signer.string_to_sign(request, canonical),
                            request)


def parse_authorization(value):
    """'AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...'
    -> dict with access_key, date, region, service, signed, signature."""
    algorithm, _, rest = value.strip().partition(' ')
    if algorithm != 'AWS4-HMAC-SHA256':
        raise AuthError('incomplete', 'Unsupported signing algorithm: %s'
                        % algorithm[:40])
    fields = {}
    for item in rest.split(','):
        key, sep, val = item.strip().partition('=')
        if sep:
            fields[key] = val
    if not all(k in fields for k in ('Credential', 'SignedHeaders',
                                      'Signature')):
        raise AuthError('incomplete')
    scope = fields['Credential'].split('/')
    if len(scope) != 5 or scope[4] != 'aws4_request':
        raise AuthError('incomplete', 'Credential should have 5 parts: '
                        'key/date/region/service/aws4_request.')
    return {'access_key': scope[0], 'date': scope[1], 'region': scope[2],
            'service': scope[3],
            'signed': fields['SignedHeaders'].lower().split(';'),
            'signature': fields['Signature']}


def check_clock(amz_date, now):
    try:
        stamp = datetime.datetime.strptime(amz_date, AMZ_DATE).replace(
            tzinfo=datetime.timezone.utc).timestamp()
    except ValueError:
        raise AuthError('incomplete', "Date must be in ISO-8601 'basic "
                        "format'. Got '%s'." % amz_date[:40])
    def fmt(t):
        return time.strftime(AMZ_DATE, time.gmtime(t))

    if stamp < now - SKEW_SECONDS:
        raise AuthError('bad_signature',
                        'Signature expired: %s is now earlier than %s '
                        '(%s - 15 min.)' % (amz_date, fmt(now - SKEW_SECONDS),
                                            fmt(now)))
    if stamp > now + SKEW_SECONDS:
        raise AuthError('bad_signature',
                        'Signature not yet current: %s is still later than '
                        '%s (%s + 15 min.)' % (amz_date,
                                               fmt(now + SKEW_SECONDS),
                                               fmt(now)))


# ---------------------------------------------------------------- TOTP

def totp(secret_b32, t, step=30, digits=6):
    key = base64.b32decode(secret_b32.upper() + '=' * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack('>Q', int(t // step)),
                   hashlib.sha1).digest()
    offset = mac[-1] & 15
    code = struct.unpack('>I', mac[offset:offset + 4])[0] & 0x7fffffff
    return '%0*d' % (digits, code % 10 ** digits)


def totp_matches(secret_b32, code, now):
    return any(hmac.compare_digest(totp(secret_b32, now + d * 30), code)
               for d in (-1, 0, 1))


# ------------------------------------------------------------- Cognito

class Pool:
    """One user pool: its MFA config, UserPool object and users (AdminGetUser
    objects, keyed by user name, or its lower case when case-insensitive)."""

    def __init__(self, pool_id, spec):
        self.id = pool_id
        self.mfa_config = dict(spec.get('MfaConfig') or
                               {'MfaConfiguration': 'OFF'})
        self.user_pool = dict(spec.get('UserPool') or
                              {'Id': pool_id, 'Name': pool_id})
        self.user_pool.setdefault('Id', pool_id)
        config = self.user_pool.get('UsernameConfiguration') or {}
        self.case_sensitive = config.get('CaseSensitive', True) is not False
        self.users = {}
        self.tokens = set()     # keys of users with a verified TOTP token
        self.pending = {}       # key -> associated, unverified secret
        for user in spec.get('Users') or ():
            self.add(dict(user))
        if spec.get('GenerateUsers'):
            for user in generate_users(pool_id, spec['GenerateUsers']):
                self.add(user)
        for name in spec.get('SoftwareTokens') or ():
            self.tokens.add(self.key(name))

    def key(self, username):
        return username if self.case_sensitive else username.lower()

    def add(self, user):
        key = self.key(user['Username'])
        self.users[key] = user
        if 'SOFTWARE_TOKEN_MFA' in (user.get('UserMFASettingList') or ()):
            self.tokens.add(key)

    def user(self, username):
        user = self.users.get(self.key(username))
        if user is None:
            raise ApiError('UserNotFoundException', 'User does not exist.')
        return user

    def dump(self):
        out = {'MfaConfig': self.mfa_config, 'UserPool': self.user_pool,
               'Users': list(self.users.values())}
        out['SoftwareTokens'] = sorted(
            self.users[k]['Username'] for k in self.tokens if k in self.users)
        return out


def generate_users(pool_id, spec):
    count = int(spec.get('count', 0))
    prefix = spec.get('prefix', 'user')
    start = int(spec.get('start', 1))
    base = 1700000000
    for i in range(start, start + count):
        name = '%s%06d' % (prefix, i)
        mix = i % 4
        attrs = [
            {'Name': 'sub',
             'Value': str(uuid.uuid5(uuid.NAMESPACE_URL,
                                     'cognito:%s:%s' % (pool_id, name)))},
            {'Name': 'email', 'Value': name + '@example.com'},
            {'Name': 'email_verified', 'Value': 'true'},
            {'Name': 'phone_number', 'Value': '+1555%07d' % (i % 10 ** 7)},
            {'Name': 'phone_number_verified',
             'Value': 'true' if mix in (2, 3) else 'false'},
        ]
        user = {'Username': name, 'UserAttributes': attrs,
                'UserCreateDate': base + i * 60,
                'UserLastModifiedDate': base + i * 60 + 3600,
                'Enabled': i % 50 != 0, 'UserStatus': 'CONFIRMED'}
        if mix == 1:
            user['UserMFASettingList'] = ['SOFTWARE_TOKEN_MFA']
            user['PreferredMfaSetting'] = 'SOFTWARE_TOKEN_MFA'
        elif mix == 2:
            user['UserMFASettingList'] = ['SMS_MFA']
            user['PreferredMfaSetting'] = 'SMS_MFA'
            user['MFAOptions'] = [{'DeliveryMedium': 'SMS',
                                   'AttributeName': 'phone_number'}]
        elif mix == 3:
            user['UserMFASettingList'] = ['SMS_MFA', 'SOFTWARE_TOKEN_MFA']
            user['PreferredMfaSetting'] = 'SOFTWARE_TOKEN_MFA'
        yield user


def attribute(user, name):
    for attr in user.get('UserAttributes') or ():
        if attr.get('Name') == name:
            return attr.get('Value')
    return None


def user_type(user, attributes_to_get=None):
    """An AdminGetUser object as ListUsers' / AdminCreateUser's UserType."""
    attrs = user.get('UserAttributes') or []
    if attributes_to_get:
        attrs = [a for a in attrs if a.get('Name') in attributes_to_get]
    out = {'Username': user['Username'], 'Attributes': attrs}
    for key in ('UserCreateDate', 'UserLastModifiedDate', 'Enabled',
                'UserStatus'):
        if key in user:
            out[key] = user[key]
    if user.get('MFAOptions'):
        out['MFAOptions'] = user['MFAOptions']
    return out


def admin_user_view(user):
    out = {k: v for k, v in user.items() if v not in (None, [])}
    out.setdefault('UserAttributes', [])
    return out


def self_user_view(user):
    out = {'Username': user['Username'],
           'UserAttributes': user.get('UserAttributes') or []}
    for key in ('MFAOptions', 'PreferredMfaSetting', 'UserMFASettingList'):
        if user.get(key):
            out[key] = user[key]
    return out


FILTER_RE = re.compile(r'^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$')
FILTER_ATTRS = {'username', 'email', 'phone_number', 'name', 'given_name',
                'family_name', 'preferred_username', 'sub', 'status',
                'cognito:user_status'}


def user_filter(expression):
    """ListUsers' Filter -> predicate on a user (None: no filter)."""
    if not expression or not expression.strip():
        return None
    match = FILTER_RE.match(expression)
    if not match:
        raise invalid_parameter('Error while parsing filter.')
    name, operator, value = match.groups()
    value = re.sub(r'\\(.)', r'\1', value)
    if name not in FILTER_ATTRS:
        raise invalid_parameter('Invalid search attribute: %s' % name)

    def field(user):
        if name == 'username':
            return user['Username']
        if name == 'status':
            return 'Enabled' if user.get('Enabled', True) else 'Disabled'
        if name == 'cognito:user_status':
            return user.get('UserStatus')
        return attribute(user, name)

    if operator == '=':
        return lambda user: field(user) == value
    return lambda user: (field(user) or '').startswith(value)


def set_mfa_preference(pool, user, req):
    """SetUserMFAPreference semantics on user (an AdminGetUser object)."""
    enabled = list(user.get('UserMFASettingList') or [])
    preferred = user.get('PreferredMfaSetting')
    wanted = [kind for key, kind in MFA_KINDS
              if (req.get(key) or {}).get('PreferredMfa') is True]
    if len(wanted) > 1:
        raise invalid_parameter('Only one MFA method can be preferred.')
    for key, kind in MFA_KINDS:
        settings = req.get(key)
        if settings is None:
            continue
        on = settings.get('Enabled')
        prefer = settings.get('PreferredMfa')
        if on is False and prefer is True:
            raise invalid_parameter(
                'A disabled MFA method cannot be preferred.')
        if (on or prefer) and kind == 'SOFTWARE_TOKEN_MFA' and \
                pool.key(user['Username']) not in pool.tokens:
            raise invalid_parameter(
                'User has not verified software token mfa')
        if on is True or prefer is True:
            if kind not in enabled:
                enabled.append(kind)
        elif on is False:
            if kind in enabled:
                enabled.remove(kind)
            if preferred == kind:
                preferred = None
        if prefer is True:
            preferred = kind
        elif prefer is False and preferred == kind:
            preferred = None
    user['UserMFASettingList'] = enabled
    if preferred:
        user['PreferredMfaSetting'] = preferred
    else:
        user.pop('PreferredMfaSetting', None)
    if not enabled:
        user.pop('UserMFASettingList')
    user['UserLastModifiedDate'] = round(time.time(), 3)


class Cognito:
    """The Cognito operations.  Each takes the request JSON and returns the
    response JSON or raises ApiError; the caller holds the state lock."""

    def __init__(self, state):
        self.pools = {pid: Pool(pid, spec)
                      for pid, spec in (state.get('pools') or {}).items()}
        self.signed = {
            'GetUserPoolMfaConfig': self.get_user_pool_mfa_config,
            'SetUserPoolMfaConfig': self.set_user_pool_mfa_config,
            'DescribeUserPool': self.describe_user_pool,
            'ListUsers': self.list_users,
            'AdminGetUser': self.admin_get_user,
            'AdminSetUserMFAPreference': self.admin_set_user_mfa_preference,
            'AdminCreateUser': self.admin_create_user,
            'AdminDeleteUser': self.admin_delete_user,
            'AdminUpdateUserAttributes': self.admin_update_user_attributes,
        }
        self.unsigned = {
            'GetUser': self.get_user,
            'SetUserMFAPreference': self.set_user_mfa_preference,
            'AssociateSoftwareToken': self.associate_software_token,
            'VerifySoftwareToken': self.verify_software_token,
        }

    def dump(self):
        return {'pools': {pid: p.dump() for pid, p in self.pools.items()}}

    def pool(self, req):
        pool_id = required(req, 'UserPoolId')
        pool = self.pools.get(pool_id)
        if pool is None:
            raise ApiError('ResourceNotFoundException',
                           'User pool %s does not exist.' % pool_id)
        return pool

    def token_user(self, req):
        token = required(req, 'AccessToken')
        parts = token.split(':', 2)
        if len(parts) != 3 or parts[0] != 'mock-token' or \
                parts[1] not in self.pools:
            raise ApiError('NotAuthorizedException', 'Invalid Access Token')
        pool = self.pools[parts[1]]
        return pool, pool.user(parts[2])

    # -- signed (IAM) operations

    def get_user_pool_mfa_config(self, req):
        return dict(self.pool(req).mfa_config)

    def set_user_pool_mfa_config(self, req):
        pool = self.pool(req)
        mode = req.get('MfaConfiguration') or 'OFF'
        if mode not in ('OFF', 'ON', 'OPTIONAL'):
            raise invalid_parameter(
                "1 validation error detected: Value '%s' at "
                "'mfaConfiguration' failed to satisfy constraint: Member "
                "must satisfy enum value set: [OFF, ON, OPTIONAL]" % mode)
        config = {block: req[block] for block in MFA_BLOCKS
                  if req.get(block) is not None}
        factor = ('SmsMfaConfiguration' in config or
                  'EmailMfaConfiguration' in config or
                  (config.get('SoftwareTokenMfaConfiguration') or {})
                  .get('Enabled') is True)
        if mode != 'OFF' and not factor:
            raise invalid_parameter(
                'Invalid MFA configuration given, can\'t turn off all MFAs '
                'and have a OPTIONAL or ON MFA configuration')
        config['MfaConfiguration'] = mode
        pool.mfa_config = config
        pool.user_pool['MfaConfiguration'] = mode
        sms = config.get('SmsMfaConfiguration') or {}
        for key in ('SmsConfiguration', 'SmsAuthenticationMessage'):
            if key in sms:
                pool.user_pool[key] = sms[key]
        return dict(config)

    def describe_user_pool(self, req):
        pool = self.pool(req)
        out = dict(pool.user_pool)
        out['MfaConfiguration'] = pool.mfa_config.get('MfaConfiguration',
                                                      'OFF')
        out['EstimatedNumberOfUsers'] = len(pool.users)
        return {'UserPool': out}

    def list_users(self, req):
        pool = self.pool(req)
        limit = req.get('Limit')
        if limit is None or limit == 0:
            limit = 60
        if not isinstance(limit, int) or not 0 <= limit <= 60:
            raise invalid_parameter(
                "1 validation error detected: Value '%s' at 'limit' failed "
                "to satisfy constraint: Member must have value less than or "
                "equal to 60" % limit)
        start = 0
        if req.get('PaginationToken'):
            try:
                start = int(base64.b64decode(
                    req['PaginationToken'], validate=True).decode()
                    .split(':')[1])
            except (ValueError, IndexError, binascii.Error):
                raise invalid_parameter('Invalid pagination token.')
        match = user_filter(req.get('Filter'))
        users = list(pool.users.values())
        if match:
            users = [u for u in users if match(u)]
        page = users[start:start + limit]
        wanted = req.get('AttributesToGet') or None
        out = {'Users': [user_type(u, wanted) for u in page]}
        if start + limit < len(users):
            out['PaginationToken'] = base64.b64encode(
                ('page:%d' % (start + limit)).encode()).decode()
        return out

    def admin_get_user(self, req):
        pool = self.pool(req)
        return admin_user_view(pool.user(required(req, 'Username')))

    def admin_set_user_mfa_preference(self, req):
        pool = self.pool(req)
        set_mfa_preference(pool, pool.user(required(req, 'Username')), req)
        return {}

    def admin_create_user(self, req):
        pool = self.pool(req)
        name = required(req, 'Username')
        existing = pool.users.get(pool.key(name))
        if req.get('MessageAction') == 'RESEND':
            if existing is None:
                raise ApiError('UserNotFoundException',
                               'User does not exist.')
            return {'User': user_type(existing)}
        if existing is not None:
            raise ApiError('UsernameExistsException',
                           'User account already exists')
        now = round(time.time(), 3)
        attrs = [{'Name': 'sub', 'Value': str(uuid.uuid4())}]
        attrs += [dict(a) for a in req.get('UserAttributes') or ()
                  if a.get('Name') != 'sub']
        user = {'Username': name, 'UserAttributes': attrs,
                'UserCreateDate': now, 'UserLastModifiedDate': now,
                'Enabled': True, 'UserStatus': 'FORCE_CHANGE_PASSWORD'}
        pool.add(user)
        return {'User': user_type(user)}

    def admin_delete_user(self, req):
        pool = self.pool(req)
        pool.user(required(req, 'Username'))
        key = pool.key(req['Username'])
        del pool.users[key]
        pool.tokens.discard(key)
        pool.pending.pop(key, None)
        return {}

    def admin_update_user_attributes(self, req):
        pool = self.pool(req)
        user = pool.user(required(req, 'Username'))
        updates = required(req, 'UserAttributes')
        names = {a.get('Name') for a in updates}
        if 'sub' in names:
            raise invalid_parameter(
                'Cannot modify the non-mutable attribute sub')
        attrs = user.setdefault('UserAttributes', [])
        for update in updates:
            name, value = update.get('Name'), update.get('Value', '')
            old = attribute(user, name)
            for attr in attrs:
                if attr.get('Name') == name:
                    attr['Value'] = value
                    break
            else:
                attrs.append({'Name': name, 'Value': value})
            flag = name + '_verified'
            if name in ('email', 'phone_number') and old != value and \
                    flag not in names:
                self.admin_update_user_attributes_flag(attrs, flag)
        user['UserLastModifiedDate'] = round(time.time(), 3)
        return {}

    @staticmethod
    def admin_update_user_attributes_flag(attrs, flag):
        """A changed email / phone number is no longer verified."""
        for attr in attrs:
            if attr.get('Name') == flag:
                attr['Value'] = 'false'
                return
        attrs.append({'Name': flag, 'Value': 'false'})

    # -- access-token operations (unsigned)

    def get_user(self, req):
        return self_user_view(self.token_user(req)[1])

    def set_user_mfa_preference(self, req):
        pool, user = self.token_user(req)
        set_mfa_preference(pool, user, req)
        return {}

    def associate_software_token(self, req):
        if req.get('Session') and not req.get('AccessToken'):
            raise ApiError('NotAuthorizedException',
                           'Invalid session for the user.')
        pool, user = self.token_user(req)
        secret = base64.b32encode(secrets.token_bytes(20)).decode()
        pool.pending[pool.key(user['Username'])] = secret
        return {'SecretCode': secret}

    def verify_software_token(self, req):
        pool, user = self.token_user(req)
        code = required(req, 'UserCode')
        if not re.fullmatch(r'[0-9]{6}', code):
            raise invalid_parameter(
                "1 validation error detected: Value at 'userCode' failed to "
                "satisfy constraint: Member must have length less than or "
                "equal to 6")
        key = pool.key(user['Username'])
        secret = pool.pending.get(key)
        if secret is None or not totp_matches(secret, code, time.time()):
            raise ApiError('EnableSoftwareTokenMFAException', 'Code mismatch')
        del pool.pending[key]
        pool.tokens.add(key)
        settings = user.setdefault('UserMFASettingList', [])
        if 'SOFTWARE_TOKEN_MFA' not in settings:
            settings.append('SOFTWARE_TOKEN_MFA')
        user['UserLastModifiedDate'] = round(time.time(), 3)
        return {'Status': 'SUCCESS'}


# --------------------------------------------------------- credentials

class Cred:
    def __init__(self, access_key, secret, token=None, expiration=None,
                 role=None):
        self.access_key = access_key
        self.secret = secret
        self.token = token
        self.expiration = expiration
        self.role = role


def random_key(prefix):
    alphabet = string.ascii_uppercase + '234567'
    return prefix + ''.join(secrets.choice(alphabet) for _ in range(16))


def assumed_role_arn(role_arn, session):
    return 'arn:aws:sts::%s:assumed-role/%s/%s' % (
        ACCOUNT, role_arn.rsplit('/', 1)[-1], session)


# ------------------------------------------------------------ the mock

class Response:
    def __init__(self, status, body=b'', content_type='text/plain',
                 headers=()):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode()
        self.content_type = content_type
        self.headers = list(headers)


def json_response(obj, status=200):
    return Response(status, json.dumps(obj), JSON_TYPE,
                    [('x-amzn-RequestId', request_id())])


def json_error(err):
    body = {'__type': err.code}
    if err.message is not None:
        body['message'] = err.message
    resp = json_response(body, err.status)
    resp.headers.append(('x-amzn-ErrorType', err.code))
    return resp


def query_error(err, namespace):
    side = 'Receiver' if err.status >= 500 else 'Sender'
    rid = request_id()
    body = ('<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>%s</Type>\n'
            '    <Code>%s</Code>\n    <Message>%s</Message>\n  </Error>\n'
            '  <RequestId>%s</RequestId>\n</ErrorResponse>\n'
            % (namespace, side, escape(err.code), escape(err.message or ''),
               rid))
    return Response(err.status, body, 'text/xml',
                    [('x-amzn-RequestId', rid)])


def query_result(action, namespace, inner):
    rid = request_id()
    body = ('<%sResponse xmlns="%s">\n  <%sResult>\n%s  </%sResult>\n'
            '  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n'
            '  </ResponseMetadata>\n</%sResponse>\n'
            % (action, namespace, action, inner, action, rid, action))
    return Response(200, body, 'text/xml', [('x-amzn-RequestId', rid)])


def rest_json_error(err):
    """err as SES v2 (rest-json) sends one: {"message"}, the code in the
    x-amzn-ErrorType header only."""
    return Response(err.status, json.dumps({'message': err.message or ''}),
                    'application/json',
                    [('x-amzn-RequestId', request_id()),
                     ('x-amzn-ErrorType', err.code + SES_ERROR_SUFFIX)])


def error_response(kind, err):
    """err in the error format of the kind of request."""
    if kind == 'cognito':
        return json_error(err)
    if kind == 'ses':
        return rest_json_error(err)
    if kind in ('sts', 'sns'):
        return query_error(err, SNS_NS if kind == 'sns' else STS_NS)
    return Response(err.status, (err.message or '') + '\n')


def xml_fields(indent, pairs):
    pad = ' ' * indent
    return ''.join('%s<%s>%s</%s>\n' % (pad, k, escape(str(v)), k)
                   for k, v in pairs)


def redact(value, extra=()):
    if isinstance(value, dict):
        return {k: '(secret)' if (k in SECRET_FIELDS or k in extra)
                and v is not None else redact(v, extra)
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, extra) for v in value]
    return value


class Mock:
    """Everything shared by the request threads."""

    def __init__(self, directory):
        self.dir = directory
        self.lock = threading.RLock()       # state, credentials, counters
        self.file_lock = threading.Lock()   # the .jsonl files
        state = self.read_text('state.json')
        try:    # a broken state.json stops the mock rather than hide pools
            self.cognito = Cognito(json.loads(state) if state else {})
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            sys.exit('aws_mock: %s: %s' % (self.path('state.json'), e))
        self.issued = {}                    # access key -> Cred
        self.imds_tokens = {}               # token -> expiry
        self.fault_seen = {}
        self.fault_fired = {}
        self.counts = {}
        self.statuses = {}
        self.times = {}

    # -- files

    def path(self, name):
        return os.path.join(self.dir, name)

    def read_text(self, name, default=None):
        try:
            with open(self.path(name), encoding='utf-8') as f:
                return f.read().strip()
        except OSError:
            return default

    def read_json(self, name, default):
        text = self.read_text(name)
        if text is None:
            return default
        try:
            return json.loads(text)
        except ValueError as e:
            print('aws_mock: %s: %s' % (name, e), file=sys.stderr)
            return default

    def append_jsonl(self, name, obj):
        line = json.dumps(obj, sort_keys=True) + '\n'
        with self.file_lock:
            with open(self.path(name), 'a', encoding='utf-8') as f:
                f.write(line)

    def write_atomic(self, name, data):
        tmp = self.path('.%s.tmp' % name)
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(data)
        os.rename(tmp, self.path(name))

    # -- credentials

    def find_cred(self, access_key):
        with self.lock:
            cred = self.issued.get(access_key)
        if cred is not None:
            return cred
        entries = self.read_json('creds.json', [])
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict) and \
                    entry.get('AccessKeyId') == access_key:
                return Cred(access_key, entry.get('SecretAccessKey', ''),
                            entry.get('SessionToken'),
                            epoch(entry.get('Expiration')), entry.get('Role'))
        return None

    def lifetime(self, default=3600):
        text = self.read_text('sts-expiry-seconds')
        try:
            return int(text) if text else default
        except ValueError:
            return default

    def issue(self, role, lifetime=None):
        expiration = int(time.time()) + (lifetime or self.lifetime())
        cred = Cred(random_key('ASIA'),
                    base64.b64encode(secrets.token_bytes(30)).decode(),
                    base64.b64encode(secrets.token_bytes(120)).decode(),
                    expiration, role)
        with self.lock:
            self.issued[cred.access_key] = cred
        return cred

    # -- faults and bookkeeping

    def pick_fault(self, kind, op, username):
        rules = self.read_json('faults.json', [])
        if not isinstance(rules, list):
            return None, None
        with self.lock:
            for index, rule in enumerate(rules):
                if not isinstance(rule, dict) or \
                        rule.get('op', '*') not in ('*', op) or \
                        rule.get('kind', kind) != kind or \
                        rule.get('username', username) != username:
                    continue
                key = (index, json.dumps(rule, sort_keys=True))
                seen = self.fault_seen.get(key, 0)
                self.fault_seen[key] = seen + 1
                if seen < int(rule.get('after', 0)):
                    continue
                fired = self.fault_fired.get(key, 0)
                if 'times' in rule and fired >= int(rule['times']):
                    continue
                self.fault_fired[key] = fired + 1
                return index, rule
        return None, None

    def record(self, entry):
        op = entry['op']
        with self.lock:
            self.counts[op] = self.counts.get(op, 0) + 1
            self.times.setdefault(op, []).append(entry['t'])
            per = self.statuses.setdefault(op, {})
            key = str(entry['status'])
            per[key] = per.get(key, 0) + 1
        self.append_jsonl('log.jsonl', entry)

    def stats(self):
        with self.lock:
            return {'counts': dict(self.counts),
                    'statuses': {k: dict(v) for k, v in
                                 self.statuses.items()},
                    'times': {k: list(v) for k, v in self.times.items()}}

    def state(self):
        with self.lock:
            return json.loads(json.dumps(self.cognito.dump()))


# ------------------------------------------------------ request handling

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    disable_nagle_algorithm = True  # TCP_NODELAY
    wbufsize = 64 * 1024            # headers and body in one write
    server_version = 'aws-mock'
    sys_version = ''

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.dispatch()

    do_PUT = do_POST = do_DELETE = do_HEAD = do_GET

    # -- plumbing

    def read_body(self):
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def send(self, resp, truncate=False):
        self.send_response(resp.status)
        self.send_header('Content-Type', resp.content_type)
        for name, value in resp.headers:
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(resp.body)))
        self.end_headers()
        if self.command == 'HEAD':
            return
        if truncate:
            self.wfile.write(resp.body[:len(resp.body) // 2])
            self.wfile.flush()
            self.close_connection = True
        else:
            self.wfile.write(resp.body)

    # -- routing

    def dispatch(self):
        self.mock = self.server.mock
        self.body = self.read_body()
        self.url = urllib.parse.urlsplit(self.path)
        path = self.url.path
        if path.startswith('/_mock/'):
            self.send(self.control(path))
            return
        self.entry = {'t': time.time(), 'kind': None, 'op': None,
                      'status': None, 'access_key': None,
                      'session_token': 'X-Amz-Security-Token' in self.headers,
                      'signature_ok': None, 'role': None, 'region': None,
                      'fault': None, 'body': None}
        route = self.route(path)
        if route is None:
            self.send(Response(404, 'Not Found\n'))
            return
        kind, op, username, serve = route
        self.entry['kind'], self.entry['op'] = kind, op
        index, rule = self.mock.pick_fault(kind, op, username)
        rule = rule or {}
        self.entry['fault'] = index
        if rule.get('delay_ms'):
            time.sleep(float(rule['delay_ms']) / 1000)
        if rule.get('close'):
            self.note_signer(kind)
            self.close_connection = True
        else:
            if 'status' in rule:
                self.note_signer(kind)
                resp = error_response(kind, ApiError(
                    rule.get('type', 'InternalErrorException'),
                    rule.get('message', 'Injected fault'),
                    int(rule['status'])))
            else:
                try:
                    resp = serve()
                except Exception as e:  # a bug here: say so, stay up
                    traceback.print_exc()
                    resp = error_response(kind, ApiError(
                        'InternalErrorException',
                        'aws_mock: %s: %s' % (type(e).__name__, e), 500))
            self.entry['status'] = resp.status
            self.send(resp, truncate=bool(rule.get('truncate')))
        self.mock.record(self.entry)

    def route(self, path):
        """-> (kind, op, username, serve) or None."""
        if path.startswith('/latest/'):
            op = imds_op(path)
            self.entry['path'] = path
            return 'imds', op, None, lambda: self.serve_imds(op, path)
        if path.startswith('/ecs/'):
            self.entry['path'] = path
            return 'ecs', 'ecs', None, self.serve_ecs
        if self.command != 'POST':
            return None
        if path == SES_PATH:
            try:
                req = json.loads(self.body or b'null')
            except ValueError:
                req = None
            if isinstance(req, dict):
                self.entry['body'] = redact(req, SES_SECRET_FIELDS)
            return 'ses', 'SendEmail', None, lambda: self.serve_ses(req)
        target = self.headers.get('X-Amz-Target')
        if target is not None:
            op = target[len(COGNITO_PREFIX):] \
                if target.startswith(COGNITO_PREFIX) else target
            try:
                req = json.loads(self.body or b'null')
            except ValueError:
                req = None
            username = None
            if isinstance(req, dict):
                username = req.get('Username')
                self.entry['body'] = redact(req)
            return ('cognito', op, username,
                    lambda: self.serve_cognito(target, op, req))
        ctype = (self.headers.get('Content-Type') or '').split(';')[0]
        if ctype.strip().lower() == 'application/x-www-form-urlencoded':
            params = {k: v[0] for k, v in urllib.parse.parse_qs(
                self.body.decode('utf-8', 'replace'),
                keep_blank_values=True).items()}
            action = params.get('Action', '')
            kind = QUERY_OPS.get(action, ('sts',))[0]
            extra = ('Message',) if kind == 'sns' else ()
            self.entry['body'] = redact(params, extra)
            return (kind, action, None,
                    lambda: self.serve_query(action, params))
        return None

    def note_signer(self, kind):
        """Check the signature of a request a fault answers, for the log."""
        if kind in SIGNING_SERVICE and 'Authorization' in self.headers:
            try:
                self.authenticate(SIGNING_SERVICE[kind])
            except AuthError:
                pass

    def control(self, path):
        if path == '/_mock/stats':
            return Response(200, json.dumps(self.mock.stats()),
                            'application/json')
        if path == '/_mock/state':
            return Response(200, json.dumps(self.mock.state()),
                            'application/json')
        return Response(404, 'Not Found\n')

    # -- SigV4

    def authenticate(self, service):
        """Check the request's SigV4 signature -> the signer's Cred."""
        header = self.headers.get('Authorization')
        if not header:
            raise AuthError('missing')
        self.entry['signature_ok'] = False
        auth = parse_authorization(header)
        self.entry['access_key'] = auth['access_key']
        self.entry['region'] = auth['region']
        cred = self.mock.find_cred(auth['access_key'])
        if cred is None:
            raise AuthError('unknown_key')
        self.entry['role'] = cred.role
        amz_date = self.headers.get('X-Amz-Date')
        if not amz_date:
            raise AuthError('incomplete', "Authorization header requires "
                            "existence of either a 'X-Amz-Date' or a 'Date' "
                            "header.")
        if ';'.join(sorted(set(auth['signed']))) != ';'.join(auth['signed']):
            raise AuthError('bad_signature')    # not sorted, or repeated
        if 'host' not in auth['signed']:
            raise AuthError('incomplete', "'Host' or ':authority' must be a "
                            "'SignedHeader' in the AWS Authorization.")
        now = time.time()
        check_clock(amz_date, now)
        if auth['date'] != amz_date[:8]:
            raise AuthError('bad_signature', 'Date in Credential scope does '
                            'not match YYYYMMDD from ISO-8601 version of '
                            "date from HTTP: '%s' != '%s', from '%s'."
                            % (auth['date'], amz_date[:8], amz_date))
        if auth['service'] != service:
            raise AuthError('bad_signature', 'Credential should be scoped to '
                            "correct service: '%s'. " % service)
        sent_token = self.headers.get('X-Amz-Security-Token')
        if bool(cred.token) != bool(sent_token) or (
                cred.token and not hmac.compare_digest(
                    cred.token.encode(), sent_token.encode())):
            raise AuthError('unknown_key')
        if cred.expiration is not None and now >= cred.expiration:
            raise AuthError('expired_token')
        sha = self.headers.get('X-Amz-Content-SHA256')
        if sha is not None and sha != hashlib.sha256(self.body).hexdigest():
            raise AuthError('bad_signature')
        expected = sigv4_signature(
            self.command, self.path, self.headers.items(), auth['signed'],
            self.body, amz_date, auth['access_key'], cred.secret,
            auth['region'], service)
        if not hmac.compare_digest(expected.encode(),
                                   auth['signature'].encode()):
            raise AuthError('bad_signature')
        self.entry['signature_ok'] = True
        return cred

    # -- Cognito

    def serve_cognito(self, target, op, req):
        cognito = self.mock.cognito
        if not target.startswith(COGNITO_PREFIX) or \
                (op not in cognito.signed and op not in cognito.unsigned):
            return json_error(ApiError('UnknownOperationException'))
        try:
            if op in cognito.signed:
                self.authenticate('cognito-idp')
            if not isinstance(req, dict):
                raise ApiError('SerializationException',
                               'Start of structure or map found where not '
                               'expected.')
            function = cognito.signed.get(op) or cognito.unsigned[op]
            with self.mock.lock:
                result = function(req)
                body = json.dumps(result)   # serialised under the lock
            return Response(200, body, JSON_TYPE,
                            [('x-amzn-RequestId', request_id())])
        except AuthError as e:
            return json_error(e.api_error(query=False))
        except ApiError as e:
            if e.code == 'InternalErrorException':
                e.status = 500
            return json_error(e)

    # -- STS / SNS (query protocol)

    def serve_query(self, action, params):
        kind, function, signed = QUERY_OPS.get(action, ('sts', None, False))
        namespace = SNS_NS if kind == 'sns' else STS_NS
        try:
            if function is None:
                raise ApiError('InvalidAction', 'Could not find operation %s '
                               'for version %s' % (
                                   action, params.get('Version', '')))
            caller = self.authenticate(kind) if signed else None
            return function(self, params, caller)
        except AuthError as e:
            return query_error(e.api_error(query=True), namespace)
        except ApiError as e:
            return query_error(e, namespace)

    def sts_credentials_xml(self, role_arn, session, params, max_duration):
        duration = params.get('DurationSeconds')
        if duration is not None:
            try:
                duration = int(duration)
            except ValueError:
                duration = -1
            if not 900 <= duration <= 43200:
                raise ApiError('ValidationError', "1 validation error "
                               "detected: Value '%s' at 'durationSeconds' "
                               "failed to satisfy constraint: Member must "
                               "have value between 900 and 43200"
                               % params['DurationSeconds'])
            if duration > int(max_duration or 3600):
                raise ApiError('ValidationError', 'The requested '
                               'DurationSeconds exceeds the MaxSessionDuration'
                               ' set for this role.')
        cred = self.mock.issue(role_arn,
                               self.mock.lifetime(duration or 3600))
        creds = xml_fields(8, (('AccessKeyId', cred.access_key),
                               ('SecretAccessKey', cred.secret),
                               ('SessionToken', cred.token),
                               ('Expiration', iso(cred.expiration))))
        user = xml_fields(8, (
            ('AssumedRoleId', 'AROA%s:%s' % (
                hashlib.sha1(role_arn.encode()).hexdigest()[:17].upper(),
                session)),
            ('Arn', assumed_role_arn(role_arn, session))))
        return ('    <Credentials>\n%s    </Credentials>\n'
                '    <AssumedRoleUser>\n%s    </AssumedRoleUser>\n'
                % (creds, user))

    def role_params(self, params, action):
        role_arn = params.get('RoleArn')
        session = params.get('RoleSessionName')
        for field, value in (('roleArn', role_arn),
                             ('roleSessionName', session)):
            if not value:
                raise ApiError('ValidationError', "1 validation error "
                               "detected: Value null at '%s' failed to "
                               "satisfy constraint: Member must not be null"
                               % field)
        if not re.fullmatch(r'arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+',
                            role_arn):
            raise ApiError('ValidationError', '%s is invalid' % role_arn)
        if not re.fullmatch(r'[\w+=,.@-]{2,64}', session):
            raise ApiError('ValidationError', "1 validation error detected: "
                           "Value '%s' at 'roleSessionName' failed to satisfy"
                           " constraint: Member must satisfy regular "
                           "expression pattern: [\\w+=,.@-]*" % session)
        roles = self.mock.read_json('roles.json', None)
        role = {}
        if isinstance(roles, dict):
            if role_arn not in roles:
                raise ApiError('AccessDenied', 'User: arn:aws:iam::%s:user/'
                               'mock is not authorized to perform: sts:%s on '
                               'resource: %s' % (ACCOUNT, action, role_arn),
                               403)
            role = roles[role_arn] or {}
        return role_arn, session, role

    def sts_assume_role(self, params, caller):
        role_arn, session, role = self.role_params(params, 'AssumeRole')
        if role.get('ExternalId') is not None and \
                params.get('ExternalId') != role['ExternalId']:
            raise ApiError('AccessDenied', 'User: arn:aws:iam::%s:user/mock '
                           'is not authorized to perform: sts:AssumeRole on '
                           'resource: %s' % (ACCOUNT, role_arn), 403)
        inner = self.sts_credentials_xml(role_arn, session, params,
                                         role.get('DurationSeconds'))
        self.entry['issued_role'] = role_arn
        return query_result('AssumeRole', STS_NS, inner)

    def sts_assume_role_with_web_identity(self, params, caller):
        token = params.get('WebIdentityToken')
        if not token:
            raise ApiError('ValidationError', "1 validation error detected: "
                           "Value null at 'webIdentityToken' failed to "
                           "satisfy constraint: Member must not be null")
        role_arn, session, role = self.role_params(
            params, 'AssumeRoleWithWebIdentity')
        expected = self.mock.read_text('web-identity-token')
        if expected is not None and not hmac.compare_digest(
                token.encode(), expected.encode()):
            raise ApiError('InvalidIdentityToken',
                           'Couldn\'t retrieve verification key from your '
                           'identity provider,  please reference '
                           'AssumeRoleWithWebIdentity documentation for '
                           'requirements')
        inner = xml_fields(4, (('SubjectFromWebIdentityToken', 'mock-subject'),
                               ('Audience', 'sts.amazonaws.com')))
        inner += self.sts_credentials_xml(role_arn, session, params,
                                          role.get('DurationSeconds'))
        inner += xml_fields(4, (('Provider', 'mock-provider'),))
        self.entry['issued_role'] = role_arn
        return query_result('AssumeRoleWithWebIdentity', STS_NS, inner)

    def sts_get_caller_identity(self, params, caller):
        if caller.role:
            arn = assumed_role_arn(caller.role, 'mock-session')
            user_id = 'AROAMOCK:mock-session'
        else:
            arn = 'arn:aws:iam::%s:user/mock' % ACCOUNT
            user_id = 'AIDAMOCK'
        return query_result('GetCallerIdentity', STS_NS, xml_fields(
            4, (('Arn', arn), ('UserId', user_id), ('Account', ACCOUNT))))

    def sns_publish(self, params, caller):
        phone = params.get('PhoneNumber')
        topic = params.get('TopicArn') or params.get('TargetArn')
        message = params.get('Message')
        if message is None:
            raise ApiError('ValidationError', "1 validation error detected: "
                           "Value null at 'message' failed to satisfy "
                           "constraint: Member must not be null")
        if message == '':
            raise ApiError('InvalidParameter',
                           'Invalid parameter: Empty message')
        if not phone and not topic:
            raise ApiError('InvalidParameter', 'Invalid parameter: TopicArn '
                           'or TargetArn Reason: no value for required '
                           'parameter')
        if phone and not re.fullmatch(r'\+[1-9][0-9]{1,14}', phone):
            raise ApiError('InvalidParameter', 'Invalid parameter: '
                           'PhoneNumber Reason: %s is not valid to publish '
                           'to' % phone)
        attributes = {}
        for i in range(1, 11):
            name = params.get('MessageAttributes.entry.%d.Name' % i)
            if name is None:
                break
            attributes[name] = params.get(
                'MessageAttributes.entry.%d.Value.StringValue' % i)
        message_id = str(uuid.uuid4())
        delivered = {'t': time.time(), 'PhoneNumber': phone,
                     'Message': message, 'MessageAttributes': attributes,
                     'MessageId': message_id,
                     'access_key': caller.access_key, 'role': caller.role}
        if topic:
            delivered['TopicArn'] = topic
        self.mock.append_jsonl('sns.jsonl', delivered)
        return query_result('Publish', SNS_NS,
                            xml_fields(4, (('MessageId', message_id),)))

    # -- SES v2 (rest-json)

    def serve_ses(self, req):
        try:
            caller = self.authenticate('ses')
            sender, to, subject, body = ses_simple_email(req)
        except AuthError as e:
            err = e.api_error(query=False)
            err.status = 403    # rest-json services answer 403 for these
            return rest_json_error(err)
        except ApiError as e:
            return rest_json_error(e)
        message_id = '0100%s-%s-000000' % (
            secrets.token_hex(8), uuid.uuid4())
        self.mock.append_jsonl('ses.jsonl', {
            't': time.time(), 'From': sender, 'To': to, 'Subject': subject,
            'Body': body, 'MessageId': message_id,
            'access_key': caller.access_key, 'role': caller.role})
        return Response(200, json.dumps({'MessageId': message_id}),
                        'application/json',
                        [('x-amzn-RequestId', request_id())])

    # -- IMDS

    def serve_imds(self, op, path):
        mock = self.mock
        if op == 'imds-token':
            return self.imds_token()
        if self.command not in ('GET', 'HEAD'):
            return Response(405, 'Method Not Allowed\n')
        token = self.headers.get('X-aws-ec2-metadata-token')
        with mock.lock:
            expiry = mock.imds_tokens.get(token) if token else None
        if (expiry is None or expiry < time.time()) and \
                mock.read_text('imds-v1-allowed') is None:
            return Response(401, b'')
        role = mock.read_text('imds-role') or 'mock-role'
        az = mock.read_text('imds-az') or 'us-east-1a'
        if op == 'imds-role':
            return Response(200, role)
        if op == 'imds-creds':
            if path.rstrip('/').rsplit('/', 1)[-1] != role:
                return Response(404, 'Not Found\n')
            cred = mock.issue('arn:aws:iam::%s:role/%s' % (ACCOUNT, role))
            return Response(200, json.dumps({
                'Code': 'Success', 'LastUpdated': iso(time.time()),
                'Type': 'AWS-HMAC', 'AccessKeyId': cred.access_key,
                'SecretAccessKey': cred.secret, 'Token': cred.token,
                'Expiration': iso(cred.expiration)}, indent=2))
        if op == 'imds-az':
            return Response(200, az)
        if op == 'imds-region':
            return Response(200, az[:-1] if az[-1:].isalpha() else az)
        return Response(404, 'Not Found\n')

    def imds_token(self):
        if self.command != 'PUT':
            return Response(405, 'Method Not Allowed\n')
        if 'X-Forwarded-For' in self.headers:
            return Response(403, 'Forbidden\n')
        ttl = self.headers.get('X-aws-ec2-metadata-token-ttl-seconds')
        try:
            seconds = int(ttl)
        except (TypeError, ValueError):
            seconds = 0
        if not 1 <= seconds <= 21600:
            return Response(400, 'Bad Request\n')
        token = base64.urlsafe_b64encode(secrets.token_bytes(42)).decode()
        with self.mock.lock:
            self.mock.imds_tokens[token] = time.time() + seconds
        return Response(200, token, headers=[
            ('X-aws-ec2-metadata-token-ttl-seconds', str(seconds))])

    # -- ECS

    def serve_ecs(self):
        if self.command != 'GET':
            return Response(405, 'Method Not Allowed\n')
        expected = self.mock.read_text('ecs-token')
        if expected is not None and not hmac.compare_digest(
                (self.headers.get('Authorization') or '').encode(),
                expected.encode()):
            return Response(401, json.dumps({
                'code': 'AccessDenied', 'message': 'Unauthorized'}),
                'application/json')
        role = self.mock.read_text('ecs-role-arn') or \
            'arn:aws:iam::%s:role/mock-ecs-role' % ACCOUNT
        cred = self.mock.issue(role)
        return Response(200, json.dumps({
            'AccessKeyId': cred.access_key, 'SecretAccessKey': cred.secret,
            'Token': cred.token, 'Expiration': iso(cred.expiration),
            'RoleArn': role}), 'application/json')


def ses_bad(message):
    return ApiError('BadRequestException', message)


def ses_text(block, where):
    """{"Data": "...", "Charset"?: "UTF-8"} -> the Data."""
    if not isinstance(block, dict) or not isinstance(block.get('Data'), str):
        raise ses_bad('%s.Data is required' % where)
    charset = block.get('Charset', 'UTF-8')
    if not isinstance(charset, str) or charset.upper() not in (
            'UTF-8', 'US-ASCII', 'ISO-8859-1'):
        raise ses_bad('Unsupported charset for %s' % where)
    return block['Data']


def ses_simple_email(req):
    """A SendEmail request with a Simple text message, checked as SES v2
    checks it (BadRequestException) -> (From, To list, Subject, Body)."""
    if not isinstance(req, dict):
        raise ApiError('SerializationException',
                       'Start of structure or map found where not expected.')
    sender = req.get('FromEmailAddress')
    if not isinstance(sender, str) or '@' not in sender:
        raise ses_bad('Missing required field FromEmailAddress')
    dest = req.get('Destination')
    to = dest.get('ToAddresses') if isinstance(dest, dict) else None
    if not isinstance(to, list) or not to or \
            not all(isinstance(a, str) and '@' in a for a in to):
        raise ses_bad('Destination.ToAddresses must hold at least one '
                      'email address')
    content = req.get('Content')
    simple = content.get('Simple') if isinstance(content, dict) else None
    if not isinstance(simple, dict):
        raise ses_bad('Content.Simple is required (Raw and Template are '
                      'not served by the mock)')
    subject = ses_text(simple.get('Subject'), 'Content.Simple.Subject')
    body = simple.get('Body')
    text = body.get('Text') if isinstance(body, dict) else None
    return sender, to, subject, ses_text(text, 'Content.Simple.Body.Text')


QUERY_OPS = {   # Action -> (kind and signing service, handler, signed)
    'AssumeRole': ('sts', Handler.sts_assume_role, True),
    'AssumeRoleWithWebIdentity':
        ('sts', Handler.sts_assume_role_with_web_identity, False),
    'GetCallerIdentity': ('sts', Handler.sts_get_caller_identity, True),
    'Publish': ('sns', Handler.sns_publish, True),
}


def imds_op(path):
    if path.rstrip('/') == '/latest/api/token':
        return 'imds-token'
    creds = '/latest/meta-data/iam/security-credentials'
    if path.rstrip('/') == creds:
        return 'imds-role'
    if path.startswith(creds + '/'):
        return 'imds-creds'
    if path.rstrip('/') == '/latest/meta-data/placement/availability-zone':
        return 'imds-az'
    if path.rstrip('/') == '/latest/meta-data/placement/region':
        return 'imds-region'
    return 'imds-other'


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main(argv):
    if len(argv) != 2:
        sys.exit('usage: aws_mock.py DIR')
    mock = Mock(argv[1])
    server = Server(('127.0.0.1', 0), Handler)
    server.mock = mock
    port = server.server_address[1]
    if port <= 2000:
        sys.exit('aws_mock: port %d is not above 2000' % port)

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    mock.write_atomic('port', str(port))
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == '__main__':
    main(sys.argv)
