# lib.sh: helpers for the script tests (sourced).  Each check prints one
# "PASS: <suite>/<name>" or "FAIL: <suite>/<name>" line; run-tests counts
# them.  ok NAME CMD...: PASS when CMD exits 0.
suite=${suite:-sh}
failures=0
pass() { echo "PASS: $suite/$1"; }
fail() { echo "FAIL: $suite/$1${2:+ ($2)}"; failures=$((failures + 1)); }
skip() { echo "SKIP: $suite/$1${2:+ ($2)}"; }
ok() { n=$1; shift; if "$@"; then pass "$n"; else fail "$n"; fi; }
finish() { [ "$failures" -eq 0 ]; }

# stop_pids PID...: end the processes a test started, by PID, and reap
# them (an empty list is fine: pass the variables unquoted)
stop_pids() {
	for _p in "$@"; do
		kill "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
}

# mock_start DIR ERR: tests/data/aws_mock.py on DIR (its files written
# there first) in the background, its stderr to ERR; waits up to 10 s for
# DIR/port.  Sets mock_pid (the caller's cleanup trap kills it) and port;
# returns non-zero when the mock did not come up (it exited, or no port
# above 2000).  Uses $py and $mock_py when set.
mock_start() {
	"${py:-/usr/bin/python3}" \
		"${mock_py:-${top:-$(pwd)}/tests/data/aws_mock.py}" "$1" 2>"$2" &
	mock_pid=$!
	_i=0
	while [ ! -s "$1/port" ] && [ $_i -lt 100 ] &&
		kill -0 "$mock_pid" 2>/dev/null; do
		sleep 0.1
		_i=$((_i + 1))
	done
	port=$(cat "$1/port" 2>/dev/null)
	[ -n "$port" ] && [ "$port" -gt 2000 ] 2>/dev/null
}

# free_port: a loopback port nobody listens on now (bound, then released)
free_port() {
	"${py:-/usr/bin/python3}" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# smtpd_start MAILDIR ERR: aiosmtpd (its Mailbox handler, into MAILDIR)
# on a free loopback port above 2000, in the background, its stderr to
# ERR; waits up to 10 s until it accepts.  Sets smtp_pid (the caller's
# cleanup trap kills it) and sport; returns non-zero when it did not
# come up.
smtpd_start() {
	sport=$(free_port) || return 1
	while [ "$sport" -le 2000 ]; do sport=$(free_port) || return 1; done
	"${py:-/usr/bin/python3}" -m aiosmtpd -n -l "127.0.0.1:$sport" \
		-c aiosmtpd.handlers.Mailbox "$1" 2>"$2" &
	smtp_pid=$!
	_i=0
	until "${py:-/usr/bin/python3}" -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
		"$sport" 2>/dev/null; do
		_i=$((_i + 1))
		if [ $_i -ge 100 ] || ! kill -0 "$smtp_pid" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
	done
}
