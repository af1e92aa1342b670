#!/bin/sh
# bench_deliver.sh BUILD: `cognito-mfa deliver` (delivered SMS / email
# codes, DESIGN.md D4) run as the PAM module runs it: an empty
# environment, the six-digit code on stdin, a private store and config.
# BENCH_N deliveries (default 100) per channel, each to its own user and
# destination (the hourly limits never bite and every count file is
# new), through
#   1. email_channel = command, deliver_command = /usr/bin/true (or a
#      script that reads its stdin, under BUILD, when /usr/bin/true is a
#      symbolic link or not root's);
#   2. email_channel = smtp to aiosmtpd on 127.0.0.1 (smtp_starttls = no);
#   3. sms_channel = sns, sms_assume_role = yes: STS AssumeRole, then SNS
#      Publish, on tests/data/aws_mock.py (SigV4 checked with botocore);
#   4. sms_channel = sns, sms_assume_role = no: Publish alone;
#   5. email_channel = ses: SES v2 SendEmail on the same mock.
# Figures only, nothing asserted: per delivery the wall time (median and
# p95, fork + exec + exit as the module waits for it) and the mean user +
# system CPU (wait4()'s rusage: with the deliver_command the helper
# waited for), how many the peer received, and the peak RSS of one more
# delivery under /usr/bin/time -f %M (when installed; not timed, it is
# the warm-up).  Two first rows: a bare exec of /usr/bin/true from the
# same driver (the floor), and the helper's start-up (arguments and
# config read, then a bad code on stdin refused: exit 252).
# The whole login through libpam (pam_authenticate with a delivered
# code) is not measured here (tests/bench/bench_pam.c is the module's).
# Run by tests/run-bench (make bench); never part of make check.
set -u
. "$(dirname "$0")/../sh/lib.sh" # mock_start
build=${1:-build}
top=$(pwd -P)
cli=$top/$build/cognito-mfa
py=/usr/bin/python3
mock_py=$top/tests/data/aws_mock.py
n=${BENCH_N:-100}
case $n in
'' | *[!0-9]*) n=100 ;;
esac
[ "$n" -ge 1 ] || n=1
if [ ! -x "$cli" ] || [ ! -x "$py" ] || [ ! -f "$mock_py" ]; then
	echo "bench_deliver: needs $cli, $py and $mock_py; skipped"
	exit 0
fi

tmp=$(mktemp -d /tmp/cmfa-bench-deliver.XXXXXX) || exit 1
cmd=
mock_pid=
smtp_pid=
cleanup() {
	stop_pids $mock_pid $smtp_pid
	rm -rf "$tmp"
	[ -n "$cmd" ] && rm -rf "$cmd"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
umask 077
export AWS_EC2_METADATA_DISABLED=true LC_ALL=C.UTF-8
store=$tmp/store
P=local_pool

# deliver_command: a root-owned program on a path without symbolic
# links or group/other-writable directories (util/spawn.c checks)
true_bin=/usr/bin/true
if [ -L "$true_bin" ] || [ ! -x "$true_bin" ] ||
	[ "$(stat -c %u "$true_bin" 2>/dev/null)" != 0 ]; then
	cmd=$(mktemp -d "$top/$build/bench-deliver-cmd.XXXXXX") || exit 1
	chmod 700 "$cmd"
	printf '#!/bin/sh\nexec cat >/dev/null\n' >"$cmd/sink.sh"
	chmod 755 "$cmd/sink.sh"
	true_bin=$cmd/sink.sh
fi

# --- the store: the pool's texts, 5 x (N + 1) users ------------------------
printf 'store = %s\nec2_metadata_disabled = yes\n' "$store" >"$tmp/base.conf"
if ! "$cli" --store "$store" --config "$tmp/base.conf" set-user-pool-mfa-config \
	--user-pool-id "$P" --mfa-configuration OPTIONAL \
	--sms-mfa-configuration 'SmsAuthenticationMessage="Your code {####} (SMS)",SmsConfiguration={SnsCallerArn=arn:aws:iam::123456789012:role/cmfa-sns,ExternalId=cmfa-ext-1,SnsRegion=us-west-2}' \
	--email-mfa-configuration 'Message="Mail code: {####}. Bye",Subject="Your sign-in code"' \
	>"$tmp/mk.out" 2>"$tmp/mk.err" </dev/null ||
	[ ! -f "$store/pool.json" ]; then
	echo "bench_deliver: the store was not made: $(head -c 300 "$tmp/mk.err")"
	exit 1
fi
# minimal records (those deliver reads), written directly (500
# processes would take longer than the deliveries); user <p>NNNNN of
# channel k has phone +1206<k><NNNNNN> and address <p>NNNNN@example.com
"$py" - "$store/users" "$n" <<'EOF' || exit 1
import json, os, sys
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d, mode=0o700, exist_ok=True)
for k, p in enumerate(('cmd', 'smtp', 'snsar', 'sns', 'ses')):
    for i in range(n + 1):
        u = '%s%05d' % (p, i)
        rec = {'Username': u, 'Enabled': True, 'UserStatus': 'CONFIRMED',
               'UserAttributes': [
                   {'Name': 'phone_number', 'Value': '+1206%d%06d' % (k, i)},
                   {'Name': 'phone_number_verified', 'Value': 'true'},
                   {'Name': 'email', 'Value': u + '@example.com'},
                   {'Name': 'email_verified', 'Value': 'true'}]}
        fd = os.open(os.path.join(d, u + '.json'),
                     os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, json.dumps(rec).encode())
        os.close(fd)
EOF

# --- the peers --------------------------------------------------------------
m=$tmp/mock
mkdir -p "$m"
echo '[{"AccessKeyId": "AKIDCMFABENCH", "SecretAccessKey": "cmfa/bench+secret"}]' \
	>"$m/creds.json"
echo '{"arn:aws:iam::123456789012:role/cmfa-sns": {"ExternalId": "cmfa-ext-1"}}' \
	>"$m/roles.json"
printf '[default]\naws_access_key_id = AKIDCMFABENCH\naws_secret_access_key = cmfa/bench+secret\n' \
	>"$tmp/aws-credentials"
printf '[default]\n' >"$tmp/aws-config"
url=
if "$py" -c 'import awscli' 2>/dev/null; then
	if mock_start "$m" "$tmp/mock.err"; then
		url=http://127.0.0.1:$port
	else
		echo "bench_deliver: the mock did not start: $(tail -n 3 "$tmp/mock.err" | tr '\n' '|')"
	fi
else
	echo "bench_deliver: no awscli for $py: SNS and SES skipped"
fi
sport=
if "$py" -c 'import aiosmtpd' 2>/dev/null; then
	if ! smtpd_start "$tmp/maildir" "$tmp/smtp.err"; then
		echo "bench_deliver: aiosmtpd did not start: $(tail -n 3 "$tmp/smtp.err" | tr '\n' '|')"
		sport=
	fi
else
	echo "bench_deliver: no aiosmtpd for $py: SMTP skipped"
fi

# --- the configs (0600, like the real one) ---------------------------------
conf() { # conf NAME LINES
	printf 'store = %s\nec2_metadata_disabled = yes\ndelivery_limit = 100\n%s\n' \
		"$store" "$2" >"$tmp/$1.conf"
	chmod 600 "$tmp/$1.conf"
}
awsconf="aws_shared_credentials_file = $tmp/aws-credentials
aws_config_file = $tmp/aws-config
sts_endpoint_url = $url
sns_endpoint_url = $url
ses_endpoint_url = $url"
conf cmd "email_channel = command
deliver_command = $true_bin"
conf smtp "email_channel = smtp
smtp_url = smtp://127.0.0.1:$sport
smtp_starttls = no
email_from = mfa@example.org"
conf snsar "$awsconf
sms_channel = sns
sms_assume_role = yes"
conf sns "$awsconf
sms_channel = sns
sms_assume_role = no"
conf ses "$awsconf
region = eu-west-1
email_channel = ses
email_from = mfa@example.org"

# --- the runs -----------------------------------------------------------------
# LABEL PREFIX CHANNEL (or "-": skipped, with the reason in LABEL)
runs=$tmp/runs
: >"$runs"
case $true_bin in
/usr/bin/true) echo "command (/usr/bin/true)|cmd|email" ;;
*) echo "command (BUILD/.../sink.sh)|cmd|email" ;;
esac >>"$runs"
if [ -n "$sport" ]; then
	echo "smtp (aiosmtpd, no TLS)|smtp|email" >>"$runs"
else
	echo "smtp: no aiosmtpd|smtp|-" >>"$runs"
fi
if [ -n "$url" ]; then
	{
		echo "sns + STS AssumeRole (mock)|snsar|sms"
		echo "sns, host credentials (mock)|sns|sms"
		echo "ses v2 (mock)|ses|email"
	} >>"$runs"
else
	echo "sns/ses: no mock|sns|-" >>"$runs"
fi

echo "cognito-mfa deliver, as the PAM module runs it (env -i, code on stdin),"
echo "$n deliveries per channel, each to its own user and destination; loopback peers"
"$py" - "$cli" "$store" "$tmp" "$n" "$runs" "$m" "$tmp/maildir" <<'EOF'
import os, secrets, subprocess, sys, time
cli, store, tmp, n, runs, mock, maildir = sys.argv[1:8]
n = int(n)

def one(argv, code):
    """Run argv as the module does; (wall s, cpu s, rc, stderr)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         env={}, close_fds=True)
    try:
        p.stdin.write(code)
        p.stdin.close()
    except BrokenPipeError:
        pass
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    t1 = time.perf_counter()
    p.returncode = os.waitstatus_to_exitcode(status)
    p.stderr.close()
    return (t1 - t0, ru.ru_utime + ru.ru_stime, p.returncode,
            err.decode(errors='replace').strip())

# Peak RSS through GNU time (a small C parent: wait4()'s ru_maxrss of a
# child forked from this Python would count Python's pages before exec).
gnu_time = '/usr/bin/time'
def rss(argv, code):
    if not os.access(gnu_time, os.X_OK):
        return None
    out = os.path.join(tmp, 'rss')
    one([gnu_time, '-f', '%M', '-o', out] + argv, code)
    try:
        with open(out) as f:
            return int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return None

def pct(xs, q):  # nearest rank
    xs = sorted(xs)
    return xs[max(0, -(-len(xs) * q // 100) - 1)]

def count(path):
    try:
        with open(path) as f:
            return sum(1 for _ in f)
    except OSError:
        return 0

def peer(prefix):
    if prefix == 'smtp':
        try:
            return len(os.listdir(os.path.join(maildir, 'new')))
        except OSError:
            return 0
    if prefix in ('snsar', 'sns'):
        return count(os.path.join(mock, 'sns.jsonl'))
    if prefix == 'ses':
        return count(os.path.join(mock, 'ses.jsonl'))
    return None

def row(label, res, kib, got, want=0):
    walls = [r[0] for r in res]
    ms = lambda s: '%8.2f' % (s * 1000)
    print('%-32s %4d %4d %5s %s %s %8.2f %7s' % (
        label, len(res), sum(r[2] == want for r in res),
        '-' if got is None else str(got), ms(pct(walls, 50)),
        ms(pct(walls, 95)), sum(r[1] for r in res) / len(res) * 1000,
        '-' if kib is None else str(kib)))

print('%-32s %4s %4s %5s %8s %8s %8s %7s' % (
    'channel', 'n', 'ok', 'peer', 'p50 ms', 'p95 ms', 'cpu ms', 'rss KiB'))
res = [one(['/usr/bin/true'], b'') for _ in range(n)]
row('exec /usr/bin/true (floor)', res, rss(['/usr/bin/true'], b''), None)
# the helper's start-up: arguments and config, then the code refused
start = [cli, '--store', store, '--config', os.path.join(tmp, 'cmd.conf'),
         'deliver', '--user', 'cmd00000', '--channel', 'email']
res = [one(start, b'12345\n') for _ in range(n)]
row('start-up (bad stdin, exit 252)', res, rss(start, b'12345\n'), None,
    252)

for line in open(runs):
    label, prefix, channel = line.rstrip('\n').split('|')
    if channel == '-':
        print('%-32s skipped' % label)
        continue
    conf = os.path.join(tmp, prefix + '.conf')
    argv = lambda i: [cli, '--store', store, '--config', conf, 'deliver',
                      '--user', '%s%05d' % (prefix, i), '--channel', channel]
    code = lambda: ('%06d\n' % secrets.randbelow(10 ** 6)).encode()
    kib = rss(argv(n), code())  # the warm-up, on user N: not timed
    before = peer(prefix)
    res = [one(argv(i), code()) for i in range(n)]
    after = peer(prefix)
    got = None if before is None else after - before
    row(label, res, kib, got)
    bad = [r for r in res if r[2] != 0]
    if bad:
        print('    %d failed; first: exit %d: %s' % (len(bad), bad[0][2],
                                                    bad[0][3][:200]))
EOF
echo "(ok: exit 0, 252 for start-up; wall: spawn to reaped, as the module waits;"
echo " cpu: user + sys of the helper and its deliver_command, mean; rss:"
echo " /usr/bin/time -f %M of one more, the warm-up, not timed; peer: messages"
echo " the mock / aiosmtpd received)"
