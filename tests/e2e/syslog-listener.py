#!/usr/bin/python3
"""syslog-listener.py SOCKET OUT: a stand-in for the syslog daemon of the
end-to-end tests (these machines have none).

Binds a unix datagram socket at SOCKET (glibc's syslog() writes to
/dev/log), world-writable like a real /dev/log, and appends every datagram
to OUT as one line ("<PRI>timestamp ident[pid]: message"), so a test can
check the module's log line and its priority.  bind() fails if SOCKET
exists: the listener never replaces an existing socket.  On SIGTERM,
SIGINT or SIGHUP it removes SOCKET, but only if it is still the socket
it created.  It also stops when the test's shell dies without its
cleanup (PR_SET_PDEATHSIG).
"""
import ctypes
import os
import signal
import socket
import stat
import sys

PR_SET_PDEATHSIG = 1


def main():
    if len(sys.argv) != 3:
        print("usage: syslog-listener.py SOCKET OUT", file=sys.stderr)
        return 2
    path, out_path = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        sock.bind(path)
    except OSError as e:
        print(f"syslog-listener: cannot bind {path}: {e}", file=sys.stderr)
        return 1
    os.chmod(path, 0o666)
    ino = os.lstat(path).st_ino

    def stop(signum, frame):
        try:
            st = os.lstat(path)
            if st.st_ino == ino and stat.S_ISSOCK(st.st_mode):
                os.unlink(path)
        except OSError:
            pass
        os._exit(0)

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, stop)
    # should the test die without its cleanup, do not outlive it
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG,
                                                signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        stop(signal.SIGTERM, None)

    with open(out_path, "ab", buffering=0) as out:
        # the test waits for this line before it starts anything that logs
        out.write(b"syslog-listener: ready\n")
        while True:
            data = sock.recv(65536)
            line = data.rstrip(b"\0\n").replace(b"\n", b" ")
            out.write(line + b"\n")


if __name__ == "__main__":
    sys.exit(main())
