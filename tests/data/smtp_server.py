#!/usr/bin/python3
"""smtp_server.py: a loopback SMTP server (aiosmtpd) for tests/unit/test_smtp.c.

usage: smtp_server.py DIR [--starttls | --smtps] [--auth MECH] [--reject ADDR]

Listens on 127.0.0.1, on a port the kernel picks, and writes that port to
DIR/port (atomically) once it accepts connections.  Every message it
accepts is written as it arrived (after the DATA phase's dot-unstuffing)
to DIR/msg-N.eml, and its envelope to DIR/env-N.txt ("MAIL FROM:<a>" and
"RCPT TO:<b>" lines), N counting from 1.

  --starttls   offer STARTTLS with DIR/cert.pem / DIR/key.pem and require
               it before MAIL (aiosmtpd's require_starttls)
  --smtps      TLS from the first byte (DIR/cert.pem / DIR/key.pem)
  --auth MECH  require AUTH (PLAIN or LOGIN, the other one not offered),
               over TLS only (auth_require_tls with --starttls; --smtps is
               TLS throughout); the accepted username and password are the
               two lines of DIR/auth (kept out of argv); each attempt
               appends "MECH ok" or "MECH fail" to DIR/auth.log
  --reject A   answer RCPT TO:<A> with 550

It exits when its stdin reaches end of file (the test that started it
ended, however it ended) or on SIGTERM.  Messages are not relayed anywhere.
"""
import argparse
import asyncio
import os
import ssl
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class Handler:
    def __init__(self, d, reject):
        self.dir = d
        self.reject = reject
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.reject is not None and address == self.reject:
            return "550 5.1.1 Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        n = self.count
        env = "MAIL FROM:<%s>\n" % envelope.mail_from
        env += "".join("RCPT TO:<%s>\n" % r for r in envelope.rcpt_tos)
        write_atomic(os.path.join(self.dir, "msg-%d.eml" % n),
                     envelope.original_content)
        write_atomic(os.path.join(self.dir, "env-%d.txt" % n), env.encode())
        return "250 2.0.0 Message accepted"


class Authenticator:
    def __init__(self, d, mech):
        with open(os.path.join(d, "auth"), "rb") as f:
            lines = f.read().split(b"\n")
        self.user, self.password = lines[0], lines[1]
        self.mech = mech
        self.log = os.path.join(d, "auth.log")

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (mechanism == self.mech and isinstance(auth_data, LoginPassword)
              and auth_data.login == self.user
              and auth_data.password == self.password)
        with open(self.log, "a") as f:
            f.write("%s %s\n" % (mechanism, "ok" if ok else "fail"))
        # handled=False: aiosmtpd answers 535 itself
        return AuthResult(success=ok, handled=False)


def tls_context(d):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, "cert.pem"),
                        os.path.join(d, "key.pem"))
    return ctx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--starttls", action="store_true")
    ap.add_argument("--smtps", action="store_true")
    ap.add_argument("--auth", choices=["PLAIN", "LOGIN"])
    ap.add_argument("--reject")
    a = ap.parse_args()

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Handler(a.dir, a.reject)
    kw = {"hostname": "localhost", "loop": loop}
    if a.starttls:
        kw.update(tls_context=tls_context(a.dir), require_starttls=True)
    if a.auth:
        other = "LOGIN" if a.auth == "PLAIN" else "PLAIN"
        kw.update(authenticator=Authenticator(a.dir, a.auth),
                  auth_required=True, auth_exclude_mechanism=[other],
                  # implicit TLS is no STARTTLS to aiosmtpd: it would
                  # refuse AUTH on an smtps connection otherwise
                  auth_require_tls=not a.smtps)
    ssl_ctx = tls_context(a.dir) if a.smtps else None
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, **kw), host="127.0.0.1", port=0, ssl=ssl_ctx))
    port = server.sockets[0].getsockname()[1]
    write_atomic(os.path.join(a.dir, "port"), b"%d\n" % port)

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            loop.call_soon_threadsafe(loop.stop)

    threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
