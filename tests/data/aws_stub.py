#!/usr/bin/python3
# aws_stub.py DIR: a loopback stand-in for the Cognito endpoint, for
# tests/sh/cli-aws-compare.sh.  It answers every POST with the status in
# DIR/status (default 200) and the body in DIR/body (default {}), and
# keeps what it was sent: DIR/request (the JSON body) and DIR/target (the
# operation, from X-Amz-Target).  It listens on 127.0.0.1 on a port the
# kernel picks (the ephemeral range, above 2000), writes it to DIR/port
# once listening, and runs until killed (by its PID).
import http.server
import os
import sys

d = sys.argv[1]


def put(name, data):
    tmp = os.path.join(d, '.' + name)
    with open(tmp, 'wb') as f:
        f.write(data)
    os.rename(tmp, os.path.join(d, name))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get('Content-Length', 0))
        put('request', self.rfile.read(n))
        put('target', self.headers.get('X-Amz-Target', '').split('.')[-1]
            .encode())
        try:
            with open(os.path.join(d, 'status')) as f:
                status = int(f.read())
        except (OSError, ValueError):
            status = 200
        try:
            with open(os.path.join(d, 'body'), 'rb') as f:
                body = f.read()
        except OSError:
            body = b'{}'
        self.send_response(status)
        self.send_header('Content-Type', 'application/x-amz-json-1.1')
        self.send_header('Content-Length', str(len(body)))
        self.send_header('x-amzn-RequestId', 'stub')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
port = server.server_address[1]
if port <= 2000:
    sys.exit('aws_stub: port %d is not above 2000' % port)
put('port', str(port).encode())
server.serve_forever()
