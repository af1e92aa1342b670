#!/usr/bin/python3
"""sigv4_botocore.py: sign a Cognito JSON 1.1 request with botocore's own
SigV4Auth (Debian's awscli package), as the AWS CLI does, at a fixed time;
or build and sign any other operation's request with botocore's own
serializer and signer (SNS Publish, SES v2 SendEmail).

For tests/unit/test_aws_client.c and test_aws_deliver.c, which compare
the Authorization header (and body) our client sends with these byte for
byte.  Run with /usr/bin/python3.

Input, a JSON object on stdin (secrets never go on the command line):
  {"time": <epoch seconds>, "region": "...", "url": "http://host:port/",
   "op": "AdminGetUser", "body": "<JSON text>",
   "access_key": "...", "secret_key": "...", "token": "..." (optional)}
  or, for another service, with "service" (botocore's name: "sns",
  "sesv2"), "operation" ("Publish", "SendEmail") and "params" (the
  operation's parameters, in the order to serialize them) instead of
  "op" and "body"; "url" is then the endpoint URL.
Output, a JSON object on stdout:
  {"authorization": "...", "x_amz_date": "...",
   "canonical_request": "..." (as add_auth() logs it)}
  plus, for another service, "url" (the request URL), "content_type"
  and "body" (the request body botocore serialized, as text).
The Cognito request is built as botocore's JSON serializer builds it
(COGNITO.md 4.2): POST, Content-Type application/x-amz-json-1.1,
X-Amz-Target AWSCognitoIdentityProviderService.<op>, plus the User-Agent
the CLI sends (botocore does not sign it).  Another service's request is
the one botocore's serializer for its protocol makes (query, rest-json),
joined to the endpoint as botocore's prepare_request_dict does, signed
with the model's signing name.
"""
import datetime
import json
import logging
import sys

import awscli  # noqa: F401  (installs the top-level "botocore" alias)
import botocore.auth
import botocore.serialize
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import (AWSRequest, create_request_object,
                                  prepare_request_dict)
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
    if 'operation' in req:
        return other_service(req, capture)
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


def other_service(req, capture):
    """req's operation as botocore serializes and signs it."""
    model = botocore.session.get_session().get_service_model(req['service'])
    operation = model.operation_model(req['operation'])
    serializer = botocore.serialize.create_serializer(
        model.metadata['protocol'], include_validation=True)
    request_dict = serializer.serialize_to_request(req['params'], operation)
    prepare_request_dict(request_dict, endpoint_url=req['url'])
    request = create_request_object(request_dict)
    request.headers['User-Agent'] = 'aws-cli/2 (ignored by the signer)'
    creds = Credentials(req['access_key'], req['secret_key'],
                        req.get('token'))
    SigV4Auth(creds, model.signing_name, req['region']).add_auth(request)
    prepared = request.prepare()
    body = prepared.body or b''
    json.dump({
        'authorization': request.headers['Authorization'],
        'x_amz_date': request.headers['X-Amz-Date'],
        'canonical_request': capture.canonical,
        'url': prepared.url,
        'content_type': request.headers.get('Content-Type'),
        'body': body.decode('utf-8') if isinstance(body, bytes) else body,
    }, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
