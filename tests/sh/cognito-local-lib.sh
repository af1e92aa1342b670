# cognito-local-lib.sh: start and stop the pinned cognito-local
# (tests/cognito-local, installed by its setup.sh / make deps) for the
# script tests that need a Cognito API peer.  Sourced, after lib.sh:
#
#   cl_available        0 when a Node >= 20.19 and cognito-local 5.3.0 are
#                       installed; else 1 with the reason in $cl_why (the
#                       caller prints a SKIP line, never a FAIL)
#   cl_start DIR        start it with DIR as its working directory (its
#                       data goes to DIR/.cognito; user names are not
#                       aliased to e-mail), on 127.0.0.1 and a free port
#                       above 2000 (picked by /usr/bin/python3 binding port
#                       0); waits until GET /health answers (it takes about
#                       3 s).  Sets cl_port, cl_url, cl_pid.  Its log is
#                       DIR/cognito-local.log.  Returns 1 if it never
#                       answered (it is then stopped).
#   cl_stop             stop it, by its PID only (safe to call twice;
#                       call it from the caller's EXIT trap)
#   cl_aws_env HOME     export the environment that /usr/bin/aws (and
#                       cognito-mfa) use against it: fixed dummy
#                       credentials (cognito-local checks no signature),
#                       region us-east-1, no config or credentials file,
#                       no instance metadata, HOME, no pager.
#
# Run on its own (tests/run-tests runs every tests/sh/*.sh) it only
# defines these functions and prints nothing.
cl_dir=${cl_dir:-$(cd "$(dirname "$0")/../cognito-local" 2>/dev/null && pwd)}
cl_pid=
cl_port=
cl_url=
cl_why=

# _cl_node_ok NODE: NODE runs and is at least 20.19.
_cl_node_ok() {
	_v=$("$1" --version 2>/dev/null) || return 1
	_v=${_v#v}
	_maj=${_v%%.*}
	_rest=${_v#*.}
	_min=${_rest%%.*}
	case "$_maj$_min" in *[!0-9]* | '') return 1 ;; esac
	[ "$_maj" -gt 20 ] || { [ "$_maj" -eq 20 ] && [ "$_min" -ge 19 ]; }
}

cl_available() {
	cl_node=
	if [ -z "$cl_dir" ] ||
		[ ! -f "$cl_dir/node_modules/cognito-local/package.json" ]; then
		cl_why="cognito-local not installed (make deps, or sh tests/cognito-local/setup.sh)"
		return 1
	fi
	if ! grep -q '"version": "5.3.0"' \
		"$cl_dir/node_modules/cognito-local/package.json"; then
		cl_why="tests/cognito-local holds another cognito-local than 5.3.0 (run its setup.sh)"
		return 1
	fi
	if _cl_node_ok "$cl_dir/.node/node_modules/.bin/node"; then
		cl_node=$cl_dir/.node/node_modules/.bin/node
	elif command -v node >/dev/null 2>&1 && _cl_node_ok node; then
		cl_node=$(command -v node)
	else
		cl_why="no Node >= 20.19 (run tests/cognito-local/setup.sh)"
		return 1
	fi
	return 0
}

# A free port above 2000 on 127.0.0.1 (the kernel's pick).
_cl_free_port() {
	/usr/bin/python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

_cl_health() {
	/usr/bin/python3 -c '
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1] + "/health", timeout=1) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)' "$cl_url"
}

cl_start() {
	_d=$1
	cl_available || return 1
	mkdir -p "$_d/.cognito" || return 1
	[ -f "$_d/.cognito/config.json" ] ||
		echo '{"UserPoolDefaults":{"UsernameAttributes":[]}}' \
			>"$_d/.cognito/config.json"
	cl_port=$(_cl_free_port)
	if [ -z "$cl_port" ] || [ "$cl_port" -le 2000 ]; then
		cl_why="no free port above 2000"
		return 1
	fi
	cl_url=http://127.0.0.1:$cl_port
	(cd "$_d" && PORT=$cl_port HOST=127.0.0.1 exec "$cl_node" \
		"$cl_dir/node_modules/cognito-local/lib/bin/start.js" \
		>"$_d/cognito-local.log" 2>&1) &
	cl_pid=$!
	_i=0
	while [ $_i -lt 150 ]; do
		if ! kill -0 "$cl_pid" 2>/dev/null; then
			cl_why="cognito-local exited: $(tail -n 3 "$_d/cognito-local.log" | tr '\n' ' ')"
			cl_pid=
			return 1
		fi
		_cl_health && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	cl_why="cognito-local did not answer on $cl_url within 30 s"
	cl_stop
	return 1
}

cl_stop() {
	if [ -n "$cl_pid" ]; then
		kill "$cl_pid" 2>/dev/null
		wait "$cl_pid" 2>/dev/null
		cl_pid=
	fi
}

cl_aws_env() {
	export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \
		AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
		AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null \
		AWS_SHARED_CREDENTIALS_FILE=/dev/null HOME=$1 AWS_PAGER= \
		AWS_CLI_AUTO_PROMPT=off
	unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL \
		AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE \
		AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
		AWS_CONTAINER_CREDENTIALS_FULL_URI 2>/dev/null
}

# cl_suite TAG PROGRAM...: the common start of a cognito-local suite:
# SKIP (and exit) unless every PROGRAM, cognito-local and oathtool are
# there; a temp dir $tmp (/tmp/cmfa-TAG.XXXXXX) removed on exit with
# cognito-local and $etcfile (a file under /etc the suite may create);
# cognito-local started in $tmp/cl (a FAIL and exit when it does not).
cl_suite() {
	local need tag=$1
	shift
	for need in "$@"; do
		if [ ! -x "$need" ]; then
			skip peers "$need missing"
			finish; exit
		fi
	done
	if ! cl_available; then
		skip cognito_local "$cl_why"
		finish; exit
	fi
	if ! command -v oathtool >/dev/null 2>&1; then
		skip cognito_local "oathtool missing"
		finish; exit
	fi
	tmp=$(mktemp -d "/tmp/cmfa-$tag.XXXXXX") || exit 1
	etcfile=
	trap _cl_suite_cleanup EXIT
	trap 'exit 1' INT TERM HUP
	if ! cl_start "$tmp/cl"; then
		fail cognito_local_started "$cl_why"
		finish; exit
	fi
}
_cl_suite_cleanup() {
	cl_stop
	[ -n "$etcfile" ] && rm -f "$etcfile"
	rm -rf "$tmp"
}
