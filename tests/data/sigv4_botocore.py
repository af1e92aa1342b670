#!/usr/bin/python3
"""sigv4_botocore.py: sign a Cognito JSON 1.1 request with botocore's own
SigV4Auth (Debian's awscli package), as the AWS CLI does, at a fixed time.

For tests/unit/test_aws_client.c, which compares the Authorization header
our client sends with this one byte for byte.  Run with /usr/bin/python3.

Input, a JSON object on stdin (secrets never go on the command line):
  {"time": <epoch seconds>, "region": "...", "url": "http://host:port/",
   "op": "AdminGetUser", "body": "<JSON text>",
   "access_key": "...", "secret_key": "...", "token": "..." (optional)}
Output, a JSON object on stdout:
  {"authorization": "...", "x_amz_date": "...",
   "canonical_request": "..." (as add_auth() logs it)}
The request is built as botocore's JSON serializer builds it
(COGNITO.md 4.2): POST, Content-Type application/x-amz-json-1.1,
X-Amz-Target AWSCognitoIdentityProviderService.<op>, plus the User-Agent
the CLI sends (botocore does not sign it).
"""
import datetime
import json
import logging
import sys

import awscli  # noqa: F401  (installs the top-level "botocore" alias)
import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class Capture(logging.Handler):
    """Keep what add_auth() logs: its canonical request, exactly."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.canonical = None

    def emit(self, record):
        if record.msg.startswith('CanonicalRequest:'):
            self.canonical = record.args[0] if isinstance(
                record.args, tuple) else record.args


def main():
    req = json.load(sys.stdin)
    capture = Capture()
    log = logging.getLogger('botocore.auth')
    log.setLevel(logging.DEBUG)
    log.propagate = False
    log.addHandler(capture)
    when = datetime.datetime.fromtimestamp(int(req['time']),
                                           datetime.timezone.utc)
    when = when.replace(tzinfo=None)

    class FixedClock(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return when

    # botocore.auth reads the clock as datetime.datetime.utcnow().
    class FixedModule:
        datetime = FixedClock

    botocore.auth.datetime = FixedModule
    request = AWSRequest(
        method='POST', url=req['url'],
        data=req['body'].encode('utf-8'),
        headers={
            'X-Amz-Target':
                'AWSCognitoIdentityProviderService.' + req['op'],
            'Content-Type': 'application/x-amz-json-1.1',
            'User-Agent': 'aws-cli/2 (ignored by the signer)',
        })
    creds = Credentials(req['access_key'], req['secret_key'],
                        req.get('token'))
    auth = SigV4Auth(creds, 'cognito-idp', req['region'])
    auth.add_auth(request)
    json.dump({
        'authorization': request.headers['Authorization'],
        'x_amz_date': request.headers['X-Amz-Date'],
        'canonical_request': capture.canonical,
    }, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
