#!/bin/sh
# sync-units.sh BUILD: the systemd units of the sync, checked statically
# (there is no systemd on the test machines): systemd-analyze verify when
# it exists, also with the sync-user drop-in installed; else the keys
# each unit must have, parsed from the files; ExecStart names the binary
# `make install PREFIX=/usr` installs, and `make install` installs both
# units (with ExecStart rewritten to its BINDIR) and `make uninstall`
# removes them.  The drop-in (sync-user.conf.example) runs the sync as
# its User= with an empty capability set: systemd-analyze security
# --offline, where it exists, sees a root service without it and a
# static non-root user that can neither change uid/gid nor chown with it.
suite=sync-units
. "$(dirname "$0")/lib.sh"
build=${1:-build}
svc=conf/systemd/cognito-mfa-sync.service
tmr=conf/systemd/cognito-mfa-sync.timer
dropin=conf/systemd/cognito-mfa-sync.service.d/sync-user.conf.example
tmp=$(mktemp -d /tmp/cmfa-sync-units.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# value SECTION KEY FILE: the value of KEY in [SECTION] (last one wins)
value() {
	awk -v sec="[$1]" -v key="$2" '
		/^[ \t]*[#;]/ { next }
		/^\[/ { in_sec = ($0 == sec); next }
		in_sec && index($0, "=") {
			k = substr($0, 1, index($0, "=") - 1)
			if (k == key) v = substr($0, index($0, "=") + 1)
		}
		END { if (v == "") exit 1; print v }' "$3"
}
has() { # has NAME SECTION KEY WANT FILE
	got=$(value "$2" "$3" "$5") || { fail "$1" "no $3 in [$2]"; return; }
	if [ "$got" = "$4" ]; then pass "$1"; else fail "$1" "$3=$got, want $4"; fi
}

if command -v systemd-analyze >/dev/null 2>&1; then
	# verify checks that ExecStart exists on this machine: a copy names
	# the built binary (or true) instead of the not yet installed one
	bin=$(pwd)/$build/cognito-mfa
	[ -x "$bin" ] || bin=/bin/true
	mkdir "$tmp/units"
	sed "s|^ExecStart=/usr/bin/cognito-mfa |ExecStart=$bin |" "$svc" \
	    >"$tmp/units/cognito-mfa-sync.service"
	cp "$tmr" "$tmp/units/"
	if systemd-analyze verify --man=no "$tmp/units/cognito-mfa-sync.service" \
	    "$tmp/units/cognito-mfa-sync.timer" >"$tmp/verify" 2>&1 &&
	    ! grep -q . "$tmp/verify"; then
		pass systemd_analyze_verify
	else
		fail systemd_analyze_verify "$(head -c 400 "$tmp/verify" | tr '\n' '|')"
	fi
	# security: as shipped (root) and with the drop-in (its user)
	sec() {
		systemd-analyze security --offline=true --no-pager \
		    "$tmp/units/cognito-mfa-sync.service" >"$tmp/sec" 2>&1
	}
	if sec && grep -q 'Overall exposure' "$tmp/sec"; then
		ok security_shipped_is_root grep -q '✗ User=/DynamicUser=.*runs as root' "$tmp/sec"
		ok security_shipped_may_setuid grep -q '✗ CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)' "$tmp/sec"
		mkdir "$tmp/units/cognito-mfa-sync.service.d"
		cp "$dropin" "$tmp/units/cognito-mfa-sync.service.d/sync-user.conf"
		if systemd-analyze verify --man=no \
		    "$tmp/units/cognito-mfa-sync.service" >"$tmp/verify" 2>&1 &&
		    ! grep -q . "$tmp/verify"; then
			pass systemd_analyze_verify_dropin
		else
			fail systemd_analyze_verify_dropin "$(head -c 400 "$tmp/verify" | tr '\n' '|')"
		fi
		sec
		ok security_dropin_user grep -q '✓ User=/DynamicUser=.*static non-root user' "$tmp/sec"
		ok security_dropin_no_setuid grep -q '✓ CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)' "$tmp/sec"
		ok security_dropin_no_chown grep -q '✓ CapabilityBoundingSet=~CAP_(CHOWN|' "$tmp/sec"
		ok security_dropin_no_dac grep -q '✓ CapabilityBoundingSet=~CAP_(DAC_' "$tmp/sec"
	else
		skip systemd_analyze_security "no systemd-analyze security --offline: $(head -c 200 "$tmp/sec" | tr '\n' '|')"
	fi
else
	skip systemd_analyze_verify "systemd-analyze not installed"
fi

# every line is a comment, a section header or Key=Value
for f in "$svc" "$tmr" "$dropin"; do
	n=$(basename "$f")
	if grep -vE '^([#;].*|\[[A-Za-z]+\]|[A-Za-z]+=.*|)$' "$f" >"$tmp/bad"; then
		fail "syntax_$n" "$(head -n 2 "$tmp/bad" | tr '\n' '|')"
	else
		pass "syntax_$n"
	fi
done

has service_oneshot Service Type oneshot "$svc"
has service_execstart Service ExecStart "/usr/bin/cognito-mfa sync" "$svc"
has service_umask Service UMask 0077 "$svc"
has service_no_new_privs Service NoNewPrivileges yes "$svc"
has service_private_tmp Service PrivateTmp yes "$svc"
has service_private_devices Service PrivateDevices yes "$svc"
has service_protect_system Service ProtectSystem strict "$svc"
has service_rw_store_only Service ReadWritePaths /var/lib/cognito-mfa "$svc"
has service_protect_home Service ProtectHome read-only "$svc"
has service_kernel_tunables Service ProtectKernelTunables yes "$svc"
has service_kernel_modules Service ProtectKernelModules yes "$svc"
has service_kernel_logs Service ProtectKernelLogs yes "$svc"
has service_cgroups Service ProtectControlGroups yes "$svc"
has service_families Service RestrictAddressFamilies "AF_INET AF_INET6 AF_UNIX" "$svc"
has service_namespaces Service RestrictNamespaces yes "$svc"
has service_personality Service LockPersonality yes "$svc"
has service_mdwe Service MemoryDenyWriteExecute yes "$svc"
has service_syscalls Service SystemCallFilter @system-service "$svc"
has service_caps Service CapabilityBoundingSet "CAP_CHOWN CAP_SETUID CAP_SETGID" "$svc"
ok service_no_user sh -c "! grep -q '^User=' $svc"
has dropin_user Service User cognito-sync "$dropin"
ok dropin_no_caps grep -qx 'CapabilityBoundingSet=' "$dropin"
ok dropin_no_ambient grep -qx 'AmbientCapabilities=' "$dropin"
ok dropin_only_these sh -c "[ \$(grep -Evc '^([#;].*|\[Service\]|)\$' '$dropin') -eq 3 ]"
has service_network_online Unit After network-online.target "$svc"
has timer_boot Timer OnBootSec 2min "$tmr"
has timer_period Timer OnUnitActiveSec 5min "$tmr"
has timer_jitter Timer RandomizedDelaySec 60 "$tmr"
has timer_persistent Timer Persistent true "$tmr"
has timer_install Install WantedBy timers.target "$tmr"
ok service_no_install_section sh -c "! grep -q '^\[Install\]' $svc"

# the Makefile installs them, ExecStart naming its own BINDIR
if [ -x "$build/cognito-mfa" ] && [ -f "$build/pam_cognito_mfa.so" ]; then
	d=$tmp/root
	if make -s install BUILD="$build" DESTDIR="$d" PREFIX=/usr \
	    PAMDIR=/lib/security >"$tmp/install" 2>&1; then
		ok install_service test -f "$d/usr/lib/systemd/system/cognito-mfa-sync.service"
		ok install_timer cmp -s "$tmr" "$d/usr/lib/systemd/system/cognito-mfa-sync.timer"
		ok install_execstart_is_binary sh -c "
			grep -qx 'ExecStart=/usr/bin/cognito-mfa sync' '$d/usr/lib/systemd/system/cognito-mfa-sync.service' &&
			test -x '$d/usr/bin/cognito-mfa'"
		make -s install BUILD="$build" DESTDIR="$tmp/local" \
		    PREFIX=/usr/local PAMDIR=/lib/security >/dev/null 2>&1
		ok install_execstart_follows_bindir grep -qx \
		    'ExecStart=/usr/local/bin/cognito-mfa sync' \
		    "$tmp/local/usr/local/lib/systemd/system/cognito-mfa-sync.service"
		make -s uninstall BUILD="$build" DESTDIR="$d" PREFIX=/usr \
		    PAMDIR=/lib/security >/dev/null 2>&1
		ok uninstall_removes_units test ! -e "$d/usr/lib/systemd/system/cognito-mfa-sync.service" -a \
		    ! -e "$d/usr/lib/systemd/system/cognito-mfa-sync.timer"
	else
		fail make_install "$(tail -n 3 "$tmp/install" | tr '\n' '|')"
	fi
else
	skip make_install "$build is not built"
fi
finish
