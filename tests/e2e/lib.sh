# tests/e2e/lib.sh: helpers of the end-to-end tests (tests/sh/e2e-*.sh),
# sourced after tests/sh/lib.sh.  Real sshd, real ssh, real sudo, the
# built module, the shipped conf/ files.
#
# Hygiene (DESIGN.md section 5), all enforced here:
#   - 127.0.0.1 only, ports above 2000 (a free port the kernel picks);
#   - under /etc only NEW files (/etc/pam.d/cmfa-e2e-*,
#     /etc/sudoers.d/cmfa-e2e-*), created with noclobber; existing /etc
#     files are changed only by useradd / userdel;
#   - one cleanup, run by the EXIT trap (INT, TERM and HUP exit through
#     it): it stops only the processes started here, by PID (and only if
#     /proc still shows our temp dir in their command line), removes the
#     /etc files, userdels the users, removes the /dev/log socket it
#     created (only if it is still that socket), and the temp dir;
#   - log lines: the whole test re-executes itself in a private mount
#     namespace (unshare -m) with a private /dev (a tmpfs holding bind
#     mounts of every entry of the real /dev but log, and a devpts
#     instance of its own), and its python3
#     listener binds /dev/log there: the real /dev/log, present or not,
#     is never touched, and concurrent runs cannot disturb each other.
#     Without namespaces: the listener creates /dev/log when there is
#     none (and removes it), else the log checks SKIP;
#   - sshd runs as the init of its own PID namespace (it reaps what its
#     connections orphan, and when it stops nothing of it survives) and
#     in its own mount namespace, with a private tmpfs on /run when the
#     host has no /run/sshd (privilege separation needs one);
#   - user and service names are letters only, so a 6-digit code can
#     never be part of one (the "no code in the log" check greps for
#     every code given).
#
# Conventions: helpers that create something register it in a shell
# variable of the main shell; never call them inside $(...).  Helpers
# keep their own variables "local" (dash and bash have it), so they never
# clobber a test's; what they hand back is in E2E_* variables.

e2e_top=${e2e_top:-$(cd "$(dirname "$0")/../.." && pwd)}
E2E_LIB=$e2e_top/tests/e2e
E2E_PY=/usr/bin/python3
# root may come without the sbin directories in PATH (su, sudo -s)
PATH=$PATH:/usr/sbin:/sbin

E2E_T=
E2E_PIDS=
E2E_ETC_FILES=
E2E_USERS=
E2E_LISTENER_PID=
E2E_DEVLOG_INO=
E2E_RUNSSHD_CREATED=
E2E_LOGS=0
E2E_LOG_WHY="no log listener"
E2E_RUN=0

# e2e_skip_all REASON: the whole suite cannot run here.
e2e_skip_all() {
	skip all "$1"
	exit 0
}

# e2e_require BUILD TOOL...: SKIP (exit 0) unless root with every tool
# and a usable module; sets E2E_BUILD (absolute) and E2E_MODULE.
e2e_require() {
	local t
	[ "$(id -u)" = 0 ] || e2e_skip_all "needs root (real sshd, sudo, useradd)"
	[ -d "$1" ] || e2e_skip_all "no build directory $1 (run make)"
	E2E_BUILD=$(cd "$1" && pwd)
	E2E_MODULE=$E2E_BUILD/pam_cognito_mfa.so
	shift
	[ -f "$E2E_MODULE" ] || e2e_skip_all "no $E2E_MODULE (run make)"
	for t in "$@" useradd userdel install mktemp oathtool openssl base32 \
	    timeout logger; do
		command -v "$t" >/dev/null 2>&1 ||
		    e2e_skip_all "$t not installed"
	done
	[ -x "$E2E_PY" ] || e2e_skip_all "$E2E_PY not installed"
	# a sanitizer build cannot be loaded by sshd or sudo (libasan must be
	# the first library of the process)
	if readelf -d "$E2E_MODULE" 2>/dev/null | grep -q 'libasan\|libubsan'; then
		e2e_skip_all "sanitizer build: sshd and sudo cannot load it"
	fi
}

# e2e_private_log "$0" "$@": run the whole test in a private mount
# namespace (re-executing this script under unshare -m); e2e_setup then
# gives it a private /dev.  Call before e2e_setup.
e2e_private_log() {
	if [ "${CMFA_E2E_NS-}" = 1 ]; then
		E2E_LOG_MODE=private
		return
	fi
	if unshare -m --propagation private true 2>/dev/null; then
		CMFA_E2E_NS=1
		export CMFA_E2E_NS
		exec unshare -m --propagation private sh "$@"
	fi
	if [ ! -e /dev/log ] && [ ! -L /dev/log ]; then
		E2E_LOG_MODE=create
	else
		E2E_LOG_MODE=none
		E2E_LOG_WHY="/dev/log exists and no private mount namespace (unshare -m)"
	fi
}

# e2e_private_dev: in our private mount namespace, replace /dev by a
# tmpfs holding a bind mount of every entry of the real /dev (device
# nodes, shm, ...) but log, pts and ptmx, and a devpts instance of its
# own; assembled aside and moved into place, so no path to the real /dev
# stays under the temp dir.
e2e_private_dev() {
	local nd e b tty_gid
	nd=$E2E_T/dev
	mkdir -m 0755 "$nd" &&
	    mount -t tmpfs -o mode=0755,size=1m cmfa-e2e-dev "$nd" || return 1
	for e in /dev/* /dev/.[!.]*; do
		[ -e "$e" ] || [ -L "$e" ] || continue
		b=${e#/dev/}
		case $b in
		log) continue ;;
		ptmx | pts) continue ;; # below
		esac
		if [ -L "$e" ]; then
			cp -P "$e" "$nd/$b"
		elif [ -d "$e" ]; then
			mkdir "$nd/$b" && mount --rbind "$e" "$nd/$b"
		else
			: >"$nd/$b" && mount --bind "$e" "$nd/$b"
		fi || { umount -R -l "$nd"; return 1; }
	done
	# terminals: a new devpts instance (a bind-mounted ptmx node would
	# look for its instance beside the node, in the real /dev, and the
	# real instance's own ptmx may be mode 000)
	tty_gid=$(getent group tty | cut -d: -f3)
	mkdir "$nd/pts" &&
	    mount -t devpts -o "newinstance,ptmxmode=0666,mode=0620${tty_gid:+,gid=$tty_gid}" \
		cmfa-e2e-pts "$nd/pts" &&
	    ln -s pts/ptmx "$nd/ptmx" &&
	    mount --move "$nd" /dev || { umount -R -l "$nd"; return 1; }
}

# e2e_cleanup: the one cleanup (EXIT trap).  Never exits by itself, so
# the script keeps its status.
e2e_cleanup() {
	local p f u
	trap '' INT TERM HUP PIPE
	for p in $E2E_PIDS; do
		e2e_kill "$p"
	done
	for f in $E2E_ETC_FILES; do
		rm -f -- "$f"
	done
	for u in $E2E_USERS; do
		if getent passwd "$u" >/dev/null 2>&1; then
			userdel -r "$u" >/dev/null 2>&1 ||
			    userdel -f -r "$u" >/dev/null 2>&1 ||
			    echo "e2e: could not remove user $u" >&2
		fi
	done
	if [ -n "$E2E_LISTENER_PID" ]; then
		e2e_kill "$E2E_LISTENER_PID"
	fi
	# the listener removes its socket itself; make sure, but never
	# remove a /dev/log that is not the socket we created
	if [ -n "$E2E_DEVLOG_INO" ] && [ -S /dev/log ] &&
	    [ "$(stat -c %i /dev/log 2>/dev/null)" = "$E2E_DEVLOG_INO" ]; then
		rm -f /dev/log
	fi
	if [ -n "$E2E_RUNSSHD_CREATED" ]; then
		rmdir /run/sshd 2>/dev/null
	fi
	# CMFA_E2E_KEEP=DIR (an existing directory) keeps the logs for a
	# post-mortem: the syslog capture, sshd's logs, each run's output
	if [ -n "${CMFA_E2E_KEEP-}" ] && [ -d "$CMFA_E2E_KEEP" ] && [ -n "$E2E_T" ]; then
		cp "$E2E_T"/syslog "$E2E_T"/sshd-*.log "$E2E_T"/out.* \
		    "$CMFA_E2E_KEEP"/ 2>/dev/null
	fi
	# --one-file-system: never into a mount (the private /dev is
	# assembled under the temp dir before it is moved to /dev)
	case $E2E_T in
	/tmp/cmfa-e2e.*) rm -rf --one-file-system -- "$E2E_T" ;;
	esac
}

# e2e_kill PID: stop one process started by this test, and its direct
# children (sshd's per-connection processes, normally gone by then): only
# if /proc still shows our temp dir in its command line (so a recycled
# PID is never hit); TERM, then KILL after 3 s.
e2e_kill() {
	local kids
	[ -n "$E2E_T" ] && [ -r "/proc/$1/cmdline" ] || return 0
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "$E2E_T" ||
	    return 0
	# the children first, while the parent is there to reap them (a
	# child orphaned to init may stay a zombie on a machine whose init
	# does not reap)
	kids=$(ps -o pid= --ppid "$1" 2>/dev/null)
	[ -n "${CMFA_E2E_DEBUG-}" ] && [ -n "$kids" ] &&
	    ps -o pid,stat,etimes,cmd -p $kids >&2
	e2e_stop reaped $kids
	e2e_stop exited "$1"
	wait "$1" 2>/dev/null
	return 0
}

# e2e_stop reaped|exited PID...: TERM, then wait up to 3 s for each to be
# reaped (gone from /proc: another process's children, reaped by their
# parent) or to have exited (a zombie: our own child, reaped by wait);
# KILL what still runs after that.
e2e_stop() {
	local how k i
	how=$1
	shift
	[ $# -gt 0 ] || return 0
	kill -TERM "$@" 2>/dev/null
	for k in "$@"; do
		i=0
		while [ $i -lt 30 ]; do
			if [ "$how" = reaped ]; then
				[ -e "/proc/$k" ] || break
			else
				e2e_alive "$k" || break
			fi
			sleep 0.1
			i=$((i + 1))
		done
		e2e_alive "$k" && kill -KILL "$k" 2>/dev/null
	done
	return 0
}

# e2e_alive PID: running (a zombie is gone for our purposes)
e2e_alive() {
	kill -0 "$1" 2>/dev/null &&
	    ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# e2e_setup: temp dir, trap, store, key, listener.
e2e_setup() {
	trap e2e_cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# a closed stdout (| head) must not kill the test past its cleanup
	trap 'exit 141' PIPE
	umask 022
	E2E_T=$(mktemp -d /tmp/cmfa-e2e.XXXXXXXX) || e2e_skip_all "mktemp failed"
	chmod 0711 "$E2E_T" # the test users run the askpass under pub/
	E2E_RAND=$(tr -dc a-z </dev/urandom | head -c 6)
	E2E_STORE=$E2E_T/store
	E2E_CONF=$E2E_T/cognito-mfa.conf
	E2E_SYSLOG=$E2E_T/syslog
	E2E_ASKPASS=$E2E_T/pub/askpass
	mkdir -m 0700 "$E2E_T/secrets" "$E2E_STORE" "$E2E_STORE/users" \
	    "$E2E_STORE/totp" "$E2E_STORE/pending" "$E2E_STORE/state" \
	    "$E2E_STORE/lock" &&
	    mkdir -m 0755 "$E2E_T/pub" "$E2E_T/bin" &&
	    (umask 077 && printf '1\n' >"$E2E_STORE/format") &&
	    install -m 0755 "$E2E_LIB/askpass" "$E2E_ASKPASS" &&
	    { ! command -v ssh-keygen >/dev/null 2>&1 ||
		ssh-keygen -q -t ed25519 -N '' -C cmfa-e2e -f "$E2E_T/id"; } &&
	    e2e_config &&
	    e2e_pool on || e2e_skip_all "cannot set up $E2E_T"
	E2E_PW=$(tr -dc A-Za-z0-9 </dev/urandom | head -c 16)
	E2E_HASH=$(openssl passwd -6 "$E2E_PW") || e2e_skip_all "openssl passwd"
	e2e_listener
}

# e2e_listener: the /dev/log stand-in (see the header).
e2e_listener() {
	local i
	if [ "$E2E_LOG_MODE" = private ] && ! e2e_private_dev; then
		if [ ! -e /dev/log ] && [ ! -L /dev/log ]; then
			E2E_LOG_MODE=create
		else
			E2E_LOG_WHY="/dev/log exists and no private /dev"
			return 0
		fi
	fi
	case $E2E_LOG_MODE in
	private | create) ;;
	*) return 0 ;;
	esac
	"$E2E_PY" "$E2E_LIB/syslog-listener.py" /dev/log "$E2E_SYSLOG" \
	    2>"$E2E_T/listener.err" &
	E2E_LISTENER_PID=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q 'syslog-listener: ready' \
	    "$E2E_SYSLOG" 2>/dev/null; do
		kill -0 "$E2E_LISTENER_PID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	if ! grep -q 'syslog-listener: ready' "$E2E_SYSLOG" 2>/dev/null; then
		E2E_LOG_WHY="log listener: $(head -c 200 "$E2E_T/listener.err")"
		return 0
	fi
	# a socket created on the real /dev is removed at exit, if still ours
	[ "$E2E_LOG_MODE" = create ] && E2E_DEVLOG_INO=$(stat -c %i /dev/log)
	E2E_LOGS=1
}

# ---------------------------------------------------------------------
# the store, the config

# e2e_pool off|optional|on|JSON: a fresh pool.json (mtime now, 0600).
e2e_pool() {
	local j
	case $1 in
	off) j='{"MfaConfiguration":"OFF"}' ;;
	optional) j='{"MfaConfiguration":"OPTIONAL","SoftwareTokenMfaConfiguration":{"Enabled":true}}' ;;
	on) j='{"MfaConfiguration":"ON","SoftwareTokenMfaConfiguration":{"Enabled":true}}' ;;
	*) j=$1 ;;
	esac
	rm -f "$E2E_STORE/pool.json" &&
	    (umask 077 && printf '%s' "$j" >"$E2E_STORE/pool.json")
}

# e2e_config [LINE...]: the private config file, one "key = value" a line.
e2e_config() {
	local l
	rm -f "$E2E_CONF" &&
	    (umask 077 && {
		    echo "# cmfa e2e test config"
		    for l in "$@"; do
			    echo "$l"
		    done
	    } >"$E2E_CONF")
}

# ---------------------------------------------------------------------
# users

# e2e_user TAG [totp|plain|none]: a new system user cmfae2e<rand><TAG>
# (letters only) with the test password, a home and our SSH key (when
# ssh-keygen made one); its
# store record: totp (TOTP enabled and preferred, with a secret), plain
# (a record without MFA settings) or none.  Sets E2E_USER.
e2e_user() {
	local u home
	u=cmfae2e$E2E_RAND$1
	E2E_USER=
	if getent passwd "$u" >/dev/null 2>&1; then
		echo "e2e: user $u exists already" >&2
		return 1
	fi
	E2E_USERS="$E2E_USERS $u"
	useradd -m -s /bin/sh -p "$E2E_HASH" "$u" 2>"$E2E_T/useradd.err" ||
	    { cat "$E2E_T/useradd.err" >&2; return 1; }
	install -d -m 0700 -o "$u" -g "$u" "$E2E_T/pub/$u" || return 1
	if [ -f "$E2E_T/id.pub" ]; then
		home=$(getent passwd "$u" | cut -d: -f6)
		install -d -m 0700 -o "$u" -g "$u" "$home/.ssh" &&
		    install -m 0600 -o "$u" -g "$u" "$E2E_T/id.pub" \
			"$home/.ssh/authorized_keys" || return 1
	fi
	E2E_USER=$u
	e2e_store_user "$u" "${2:-totp}"
}

e2e_store_user() {	# USER totp|plain|none
	local mfa
	case $2 in
	none) return 0 ;;
	plain) mfa= ;;
	totp) mfa=',"UserMFASettingList":["SOFTWARE_TOKEN_MFA"],"PreferredMfaSetting":"SOFTWARE_TOKEN_MFA"' ;;
	esac
	(umask 077 &&
	    printf '{"Username":"%s","Enabled":true,"UserStatus":"CONFIRMED"%s}' \
		"$1" "$mfa" >"$E2E_STORE/users/$1.json") || return 1
	[ "$2" = totp ] || return 0
	# a random 160-bit secret; the test keeps it to compute codes
	(umask 077 &&
	    head -c 20 /dev/urandom | base32 | tr -d '=\n' >"$E2E_T/secrets/$1" &&
	    { cat "$E2E_T/secrets/$1"; echo; } >"$E2E_STORE/totp/$1")
}

e2e_secret() {	# USER
	cat "$E2E_T/secrets/$1" 2>/dev/null
}

# ---------------------------------------------------------------------
# /etc files

# e2e_etc_new PATH MODE SRC: install SRC as the NEW file PATH (never
# overwrites: noclobber), registered for removal first.
e2e_etc_new() {
	if [ -e "$1" ] || [ -L "$1" ]; then
		echo "e2e: $1 exists already" >&2
		return 1
	fi
	E2E_ETC_FILES="$E2E_ETC_FILES $1"
	(set -C && umask 077 && cat "$3" >"$1") && chmod "$2" "$1"
}

# e2e_pam_service SNIPPET TAG: install conf/pam.d/SNIPPET as the NEW PAM
# service cmfa-e2e-<rand><TAG>, changed only where the module is named:
# its build path, plus $E2E_MODARGS (when set: helper=), store= and
# config= for this test.  Sets
# E2E_SERVICE.
e2e_pam_service() {
	local src svc n
	src=$e2e_top/conf/pam.d/$1
	svc=cmfa-e2e-$E2E_RAND$2
	E2E_SERVICE=
	sed -e "s|^\\(auth[[:space:]].*[[:space:]]\\)pam_cognito_mfa\\.so\\(.*\\)\$|\\1$E2E_MODULE\\2${E2E_MODARGS:+ $E2E_MODARGS} store=$E2E_STORE config=$E2E_CONF|" \
	    "$src" >"$E2E_T/pam.$svc" || return 1
	# exactly the module line changed, nothing else
	n=$(diff "$src" "$E2E_T/pam.$svc" | grep -c '^>')
	if [ "$n" -ne 1 ] || ! grep -q "$E2E_MODULE.* store=$E2E_STORE config=$E2E_CONF\$" "$E2E_T/pam.$svc"; then
		echo "e2e: $src: expected exactly one pam_cognito_mfa.so auth line" >&2
		return 1
	fi
	e2e_etc_new "/etc/pam.d/$svc" 0644 "$E2E_T/pam.$svc" || return 1
	E2E_SERVICE=$svc
}

# ---------------------------------------------------------------------
# sshd

e2e_free_port() {
	free_port # tests/sh/lib.sh (/usr/bin/python3)
}

# e2e_sshd NAME SERVICE [FIRST_LINE...]: start /usr/sbin/sshd as a link
# named SERVICE (OpenSSH uses its program name as the PAM service name)
# on 127.0.0.1, with a private config: FIRST_LINEs (sshd keeps the first
# value of a keyword, so they override), then the shipped
# conf/sshd_config.d/cognito-mfa.conf by Include, then the test's own
# settings.  Sets E2E_PORT; the log is $E2E_T/sshd-NAME.log.
e2e_sshd() {
	local name svc tries port conf l log pid i e2e_ns
	name=$1 svc=$2
	shift 2
	E2E_PORT=
	[ -f "$E2E_T/hostkey" ] ||
	    ssh-keygen -q -t ed25519 -N '' -C cmfa-e2e-host -f "$E2E_T/hostkey" ||
	    return 1
	ln -sf /usr/sbin/sshd "$E2E_T/bin/$svc" || return 1
	# sshd in its own PID namespace, as its init: the per-connection
	# processes it orphans are reaped by sshd itself (not left as zombies
	# for a host init that may not reap), and when it stops the kernel
	# ends everything left in the namespace.  Its own mount namespace
	# too, for a private /run/sshd when the host has none.
	E2E_PDEATH=
	setpriv --pdeathsig KILL true 2>/dev/null &&
	    E2E_PDEATH="setpriv --pdeathsig KILL"
	e2e_ns=0
	if unshare --pid --fork --kill-child=TERM --mount \
	    --propagation private true 2>/dev/null; then
		e2e_ns=1
	elif [ ! -d /run/sshd ]; then
		# last resort: create it, remove it at exit (only ours)
		mkdir -m 0755 /run/sshd 2>/dev/null && E2E_RUNSSHD_CREATED=1
	fi
	tries=0
	while [ $tries -lt 5 ]; do
		tries=$((tries + 1))
		port=$(e2e_free_port)
		[ "$port" -gt 2000 ] 2>/dev/null || continue
		conf=$E2E_T/sshd-$name.conf
		{
			for l in "$@"; do
				echo "$l"
			done
			echo "Include $e2e_top/conf/sshd_config.d/cognito-mfa.conf"
			cat <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $E2E_T/hostkey
PidFile $E2E_T/sshd-$name.pid
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
PermitRootLogin no
PubkeyAuthentication yes
PrintMotd no
PrintLastLog no
UseDNS no
LoginGraceTime 60
MaxAuthTries 6
LogLevel VERBOSE
EOF
		} >"$conf"
		log=$E2E_T/sshd-$name.log
		: >"$log"
		if [ $e2e_ns = 1 ]; then
			# sh -c is PID 1 until it execs sshd (same PID); should
			# this shell die without its cleanup, setpriv's death
			# signal kills unshare (KILL: unshare --fork blocks
			# TERM), and unshare's --kill-child stops sshd
			$E2E_PDEATH unshare --pid --fork --kill-child=TERM --mount \
			    --propagation private sh -c '
				if [ ! -d /run/sshd ]; then
					mount -t tmpfs -o mode=0755,size=1m \
					    cmfa-e2e /run &&
					    mkdir -m 0755 /run/sshd || exit 1
				fi
				"$0" -t "$@" && exec "$0" -D -e "$@"' \
			    "$E2E_T/bin/$svc" -f "$conf" >>"$log" 2>&1 &
		else
			$E2E_PDEATH sh -c '"$0" -t "$@" && exec "$0" -D -e "$@"' \
			    "$E2E_T/bin/$svc" -f "$conf" >>"$log" 2>&1 &
		fi
		pid=$!
		E2E_PIDS="$E2E_PIDS $pid"
		i=0
		while [ $i -lt 100 ]; do
			if grep -q "Server listening on 127.0.0.1 port $port" "$log"; then
				E2E_PORT=$port
				printf '[127.0.0.1]:%s %s\n' "$port" \
				    "$(cut -d' ' -f1,2 "$E2E_T/hostkey.pub")" \
				    >>"$E2E_T/known_hosts"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
			i=$((i + 1))
		done
		e2e_kill "$pid"
		grep -q 'Address already in use' "$log" || break
	done
	echo "e2e: sshd $name did not start: $(tail -n 3 "$log" | tr '\n' ' ')" >&2
	return 1
}

# e2e_ssh USER PORT SEQ [nokey]: one ssh login running "echo e2e-ok",
# answered by the askpass (SEQ: see tests/e2e/askpass; E2E_PASSWORD_USE
# overrides the password it gives).  One keyboard-interactive attempt
# per connection (NumberOfPasswordPrompts=1), so one PAM authentication
# per call.  Returns ssh's status; E2E_OUT is its stdout + stderr,
# E2E_PROMPTS what the askpass was asked.
e2e_ssh() {
	local keyopt
	E2E_RUN=$((E2E_RUN + 1))
	E2E_OUT=$E2E_T/out.$E2E_RUN
	E2E_PROMPTS=$E2E_T/pub/$1/prompts.$E2E_RUN
	: >"$E2E_PROMPTS"
	if [ "${4-}" = nokey ]; then
		keyopt="-o PubkeyAuthentication=no"
	else
		keyopt="-i $E2E_T/id -o IdentitiesOnly=yes"
	fi
	E2E_PROMPTS=$E2E_PROMPTS E2E_CODES=$E2E_T/pub/$1/codes \
	    E2E_SEQ=$3 E2E_SECRET=$(e2e_secret "$1") \
	    E2E_PASSWORD=${E2E_PASSWORD_USE:-$E2E_PW} \
	    SSH_ASKPASS=$E2E_ASKPASS SSH_ASKPASS_REQUIRE=force DISPLAY=cmfa-e2e \
	    timeout 60 setsid -w ssh -F /dev/null -n $keyopt \
	    -o BatchMode=no -o StrictHostKeyChecking=yes \
	    -o UserKnownHostsFile="$E2E_T/known_hosts" \
	    -o GlobalKnownHostsFile=/dev/null \
	    -o KbdInteractiveAuthentication=yes \
	    -o PasswordAuthentication=no \
	    -o PreferredAuthentications=publickey,keyboard-interactive \
	    -o NumberOfPasswordPrompts=1 -o ConnectTimeout=20 \
	    -o LogLevel=INFO -p "$2" "$1@127.0.0.1" echo e2e-ok \
	    >"$E2E_OUT" 2>&1
}

# e2e_ssh_ok: the last login ran the command.
e2e_ssh_ok() {
	grep -qx 'e2e-ok' "$E2E_OUT"
}

# e2e_asked PATTERN: how many prompts of the last run matched.
e2e_asked() {
	grep -c -- "$1" "$E2E_PROMPTS"
}

# e2e_why: a short account of the last run, for FAIL lines.
e2e_why() {
	printf 'prompts=[%s] out=[%s]' \
	    "$(tr '\n' '|' <"$E2E_PROMPTS" | cut -c1-200)" \
	    "$(grep -v '^$' "$E2E_OUT" | tr '\n' '|' | cut -c1-300)"
}

# ---------------------------------------------------------------------
# log lines

# e2e_log_sync: wait until everything sent to /dev/log so far has been
# written by the listener (one socket, FIFO: a marker sent now comes out
# after every earlier datagram).
e2e_log_sync() {
	local m i
	[ "$E2E_LOGS" = 1 ] || return 0
	E2E_RUN=$((E2E_RUN + 1))
	m="cmfa-e2e-sync-$E2E_RAND-$E2E_RUN"
	logger -u /dev/log -t cmfa-e2e "$m" 2>/dev/null || return 0
	i=0
	while [ $i -lt 100 ] && ! grep -qF "$m" "$E2E_SYSLOG"; do
		sleep 0.05
		i=$((i + 1))
	done
}

# e2e_log USER: the module's log lines for USER, oldest first.
e2e_log() {
	e2e_log_sync
	grep -F "pam_cognito_mfa" "$E2E_SYSLOG" 2>/dev/null |
	    grep -F " user=$1 " || true
}

# e2e_logcheck NAME USER CMD...: when logs are available, PASS if CMD
# succeeds with the module's lines for USER on its stdin; else SKIP.
e2e_logcheck() {
	local n lu
	n=$1 lu=$2
	shift 2
	if [ "$E2E_LOGS" != 1 ]; then
		skip "$n" "$E2E_LOG_WHY"
		return
	fi
	e2e_log "$lu" >"$E2E_T/logcheck"
	if "$@" <"$E2E_T/logcheck"; then
		pass "$n"
	else
		fail "$n" "log: $(tr '\n' '|' <"$E2E_T/logcheck" | cut -c1-400)"
	fi
}

# filters for e2e_logcheck (stdin: the user's lines)
e2e_nlines() {	# N: exactly N lines
	[ "$(grep -c . )" -eq "$1" ]
}
e2e_last_has() {	# STRING...: the last line contains every STRING
	local l s
	l=$(tail -n 1)
	[ -n "$l" ] || return 1
	for s in "$@"; do
		case $l in
		*"$s"*) ;;
		*) return 1 ;;
		esac
	done
}
e2e_one_line_has() {	# STRING...: exactly one line, containing each
	local l
	l=$(cat)
	[ -n "$l" ] && [ "$(printf '%s\n' "$l" | grep -c .)" -eq 1 ] || return 1
	printf '%s\n' "$l" | e2e_last_has "$@"
}

# e2e_no_code_logged NAME: no code any askpass gave appears in any line
# of the module (as a substring), nor anywhere in the captured log (as a
# word: 6 digits on their own; the syslog header, with its pid, cut off).
e2e_no_code_logged() {
	local ncodes nlines
	if [ "$E2E_LOGS" != 1 ]; then
		skip "$1" "$E2E_LOG_WHY"
		return
	fi
	e2e_log_sync
	sed -n 's/^[^(]*pam_cognito_mfa(/(/p' "$E2E_SYSLOG" >"$E2E_T/modlines"
	sed 's/^<[0-9]*>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* [^ :]*: //' \
	    "$E2E_SYSLOG" >"$E2E_T/alllines"
	cat "$E2E_T"/pub/*/codes 2>/dev/null | sort -u >"$E2E_T/allcodes"
	ncodes=$(grep -c . "$E2E_T/allcodes")
	nlines=$(grep -c . "$E2E_T/modlines")
	if [ "$ncodes" -eq 0 ] || [ "$nlines" -eq 0 ]; then
		fail "$1" "nothing to check: $ncodes codes, $nlines lines"
	elif grep -qFf "$E2E_T/allcodes" "$E2E_T/modlines"; then
		fail "$1" "$(grep -Ff "$E2E_T/allcodes" "$E2E_T/modlines" | head -n 1)"
	elif grep -qwFf "$E2E_T/allcodes" "$E2E_T/alllines"; then
		fail "$1" "$(grep -wFf "$E2E_T/allcodes" "$E2E_T/alllines" | head -n 1)"
	else
		pass "$1"
	fi
}

# ---------------------------------------------------------------------
# delivered codes: the peers (a real SMTP server, the loopback AWS mock)

# e2e_wait_file FILE PID: wait (10 s) for FILE to be non-empty while PID
# lives.
e2e_wait_file() {
	local i=0
	while [ ! -s "$1" ] && [ $i -lt 100 ] && kill -0 "$2" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$1" ]
}

# e2e_port_open PORT PID: wait (10 s) until 127.0.0.1:PORT accepts while
# PID lives.
e2e_port_open() {
	"$E2E_PY" - "$1" "$2" <<'EOF'
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        sys.exit(0)
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            sys.exit(1)
        time.sleep(0.1)
sys.exit(1)
EOF
}

# e2e_smtp: aiosmtpd on 127.0.0.1 (a free port above 2000) delivering
# into the Maildir $E2E_MAIL, readable by the test users (the sudo
# askpass runs as them).  Sets E2E_SMTP_PORT and E2E_SMTP_PID.
e2e_smtp() {
	local tries=0 port pid
	E2E_MAIL=$E2E_T/mail
	mkdir -p -m 0755 "$E2E_MAIL" "$E2E_MAIL/new" "$E2E_MAIL/cur" \
	    "$E2E_MAIL/tmp" || return 1
	while [ $tries -lt 5 ]; do
		tries=$((tries + 1))
		port=$(e2e_free_port)
		[ "$port" -gt 2000 ] 2>/dev/null || continue
		$E2E_PDEATH "$E2E_PY" -m aiosmtpd -n -l "127.0.0.1:$port" \
		    -c aiosmtpd.handlers.Mailbox "$E2E_MAIL" \
		    >"$E2E_T/smtp.log" 2>&1 &
		pid=$!
		E2E_PIDS="$E2E_PIDS $pid"
		if e2e_port_open "$port" "$pid"; then
			E2E_SMTP_PORT=$port
			E2E_SMTP_PID=$pid
			return 0
		fi
		e2e_kill "$pid"
	done
	echo "e2e: aiosmtpd did not start: $(tail -n 3 "$E2E_T/smtp.log")" >&2
	return 1
}

# e2e_aws_mock: tests/data/aws_mock.py in $E2E_T/aws (STS AssumeRole,
# SNS Publish -> $E2E_T/aws/sns.jsonl, every SigV4 signature checked),
# host credentials in $E2E_T/aws-credentials (0600), and the role
# $E2E_ROLE, assumable with the ExternalId $E2E_EXTID only.  Sets
# E2E_MOCK_PORT.
e2e_aws_mock() {
	local pid
	E2E_ROLE=arn:aws:iam::123456789012:role/cmfa-e2e-sns
	E2E_EXTID=cmfa-e2e-external-id
	mkdir -m 0700 "$E2E_T/aws" || return 1
	printf '[{"AccessKeyId": "AKIDE2EHOST", "SecretAccessKey": "%s"}]\n' \
	    "$E2E_RAND-host-secret" >"$E2E_T/aws/creds.json" &&
	    printf '{"%s": {"ExternalId": "%s"}}\n' "$E2E_ROLE" "$E2E_EXTID" \
		>"$E2E_T/aws/roles.json" &&
	    (umask 077 && printf '[default]\naws_access_key_id = AKIDE2EHOST\naws_secret_access_key = %s\n' \
		"$E2E_RAND-host-secret" >"$E2E_T/aws-credentials") || return 1
	$E2E_PDEATH "$E2E_PY" "$e2e_top/tests/data/aws_mock.py" "$E2E_T/aws" \
	    2>"$E2E_T/aws-mock.log" &
	pid=$!
	E2E_PIDS="$E2E_PIDS $pid"
	if ! e2e_wait_file "$E2E_T/aws/port" "$pid"; then
		echo "e2e: aws_mock.py did not start: $(tail -n 3 "$E2E_T/aws-mock.log")" >&2
		return 1
	fi
	E2E_MOCK_PORT=$(cat "$E2E_T/aws/port")
	E2E_MOCK_PID=$pid
}

# e2e_delivered_user USER sms|email: a store record whose preferred (and
# only) factor is SMS_MFA or EMAIL_OTP, with a verified phone number /
# address of its own, and the askpass's pub/USER/deliver file.  Sets
# E2E_DEST.
e2e_delivered_user() {
	local factor attr n
	n=$(printf '%s' "$1" | cksum | cut -d' ' -f1)
	case $2 in
	sms)
		factor=SMS_MFA attr=phone_number
		E2E_DEST=+1206555$(printf '%04d' $((n % 10000)))
		printf 'sms=%s\ndest=%s\n' "$E2E_T/aws/sns.jsonl" "$E2E_DEST" \
		    >"$E2E_T/pub/$1/deliver" ;;
	email)
		factor=EMAIL_OTP attr=email
		E2E_DEST=$1@example.com
		printf 'mail=%s\ndest=%s\n' "$E2E_MAIL" "$E2E_DEST" \
		    >"$E2E_T/pub/$1/deliver" ;;
	*) return 1 ;;
	esac
	chmod 0644 "$E2E_T/pub/$1/deliver" &&
	    (umask 077 &&
		printf '{"Username":"%s","Enabled":true,"UserStatus":"CONFIRMED","UserMFASettingList":["%s"],"PreferredMfaSetting":"%s","UserAttributes":[{"Name":"%s","Value":"%s"},{"Name":"%s_verified","Value":"true"}]}' \
		    "$1" "$factor" "$factor" "$attr" "$E2E_DEST" "$attr" \
		    >"$E2E_STORE/users/$1.json")
}
