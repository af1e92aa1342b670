#!/bin/sh
# packages.sh BUILD: the distribution packages (packaging/, make deb, make
# rpm).  As root on a machine without them: build the .debs (lintian
# clean), install them, check files, owners, modes, the conffile and that
# /etc/pam.d is untouched; run the pam-auth-update profile's own Auth
# lines in a NEW test PAM service (pamtester, a temp store; the profile
# is never enabled); a real SSH login through the installed module
# (tests/e2e/lib.sh); remove (warning about a hand-added pam.d line) and
# purge, then check that nothing is left.  Then build the RPMs and
# inspect them (rpmlint clean, the split, requires, config, scriptlets).
#
# Hygiene: the packages are purged by the EXIT trap whatever happens;
# under /etc only NEW files (/etc/pam.d/cmfa-pkg-*, removed at exit,
# besides what e2e_cleanup removes); SKIP when not root, when a tool is
# missing, or when the machine already has the packages (or any of their
# paths: a store under /var/lib/cognito-mfa is never touched).  The
# /etc/pam.d comparison leaves out cmfa-* files: other tests' temporary
# services may come and go meanwhile.
suite=packages
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../e2e/lib.sh"
top=$e2e_top
PATH=$PATH:/usr/sbin:/sbin

[ "$(id -u)" = 0 ] || { skip all "needs root (installs the packages)"; exit 0; }
for t in dpkg-buildpackage dh fakeroot lintian dpkg-architecture \
    pam-auth-update pamtester oathtool base32 useradd userdel openssl; do
	command -v "$t" >/dev/null 2>&1 || { skip all "$t not installed"; exit 0; }
done
[ -x "$E2E_PY" ] || { skip all "$E2E_PY not installed"; exit 0; }
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
MODDIR=/usr/lib/$MA/security
MOD=$MODDIR/pam_cognito_mfa.so
PROFILE=/usr/share/pam-configs/cognito-mfa
PKGS="libpam-cognito-mfa cognito-mfa"

# one run at a time on a machine (the lock is on a directory that
# exists anyway: nothing to create or remove)
exec 9</usr/share/pam-configs
flock -n 9 || { skip all "another packages.sh runs"; exit 0; }
for p in $PKGS; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	case $s in
	'' | not-installed) ;;
	*) skip all "$p is on this machine already ($s): not touching it"; exit 0 ;;
	esac
done
for f in "$MOD" /usr/bin/cognito-mfa /etc/cognito-mfa /var/lib/cognito-mfa \
    "$PROFILE"; do
	if [ -e "$f" ] || [ -L "$f" ]; then
		skip all "$f exists already (make install?): not touching it"
		exit 0
	fi
done

E2E_BUILD=$top/build
E2E_MODULE=$MOD
E2E_LOG_MODE=none
E2E_LOG_WHY="not captured here (tests/sh/e2e-ssh.sh checks the log lines)"
e2e_setup
T=$E2E_T
INSTALLED=
PAMTEST_FILES=

pkg_cleanup() {
	trap '' INT TERM HUP PIPE
	if [ -n "$INSTALLED" ]; then
		DEBIAN_FRONTEND=noninteractive dpkg --purge $PKGS \
		    >"$T/cleanup-purge.log" 2>&1 ||
		    { echo "packages: purge failed:" >&2; cat "$T/cleanup-purge.log" >&2; }
	fi
	for f in $PAMTEST_FILES; do
		rm -f -- "$f"
	done
	e2e_cleanup
}
trap pkg_cleanup EXIT

# pamd_sum: the state of /etc/pam.d (names, types, modes, owners,
# contents; cmfa-* left out, see the header)
pamd_sum() {
	(cd /etc/pam.d && find . -mindepth 1 ! -name 'cmfa-*' -printf '%P %y %m %u %g %l\n' |
	    sort && find . -mindepth 1 -type f ! -name 'cmfa-*' -print0 | sort -z |
	    xargs -0 -r sha256sum) | sha256sum
}

# new_pamd PATH SRC: register PATH (a NEW file under /etc/pam.d) for
# removal and copy SRC to it (noclobber).  Never in a pipeline or $(...):
# the registration must happen in the main shell.
new_pamd() {
	if [ -e "$1" ] || [ -L "$1" ]; then
		echo "packages: $1 exists" >&2
		return 1
	fi
	PAMTEST_FILES="$PAMTEST_FILES $1"
	(set -C && umask 022 && cat "$2" >"$1")
}

# mode_owner PATH: "MODE USER GROUP TYPE"
mode_owner() {
	stat -c '%a %U %G %F' "$1" 2>/dev/null
}

# ---------------------------------------------------------------------
# build

if env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$top" deb >"$T/deb.log" 2>&1; then
	pass deb_builds
else
	fail deb_builds "$(tail -n 5 "$T/deb.log" | tr '\n' '|')"
	exit 1
fi
debdir=$top/build/deb
ver=$(sed -n 's/^VERSION := //p' "$top/Makefile")
deb_lib=$(ls "$debdir"/libpam-cognito-mfa_"$ver"-*_*.deb 2>/dev/null | head -n 1)
deb_cli=$(ls "$debdir"/cognito-mfa_"$ver"-*_*.deb 2>/dev/null | head -n 1)
if [ -f "$deb_lib" ] && [ -f "$deb_cli" ] &&
    [ "$(ls "$debdir"/*.deb | wc -l)" -eq 2 ]; then
	pass deb_two_packages
else
	fail deb_two_packages "$(ls "$debdir")"
	exit 1
fi

lintian --pedantic "$debdir"/*.changes >"$T/lintian" 2>&1
if ! grep -q '^[EWX]: ' "$T/lintian"; then
	pass lintian_no_errors_no_warnings
else
	fail lintian_no_errors_no_warnings "$(grep '^[EWX]: ' "$T/lintian" | head -n 5 | tr '\n' '|')"
fi

dep_lib=$(dpkg-deb -f "$deb_lib" Depends)
dep_cli=$(dpkg-deb -f "$deb_cli" Depends)
case $dep_lib in
*libcurl*) fail module_package_no_libcurl "$dep_lib" ;;
*libpam0g*libssl* | *libssl*libpam0g*)
	case $dep_lib in
	*libcjson*"cognito-mfa (= "* | *"cognito-mfa (= "*libcjson*)
		pass module_package_depends ;;
	*) fail module_package_depends "$dep_lib" ;;
	esac ;;
*) fail module_package_depends "$dep_lib" ;;
esac
case $dep_cli in
*libcurl4*) pass cli_package_depends_libcurl ;;
*) fail cli_package_depends_libcurl "$dep_cli" ;;
esac

# ---------------------------------------------------------------------
# install

sum_before=$(pamd_sum)
INSTALLED=1
if DEBIAN_FRONTEND=noninteractive dpkg -i "$deb_cli" "$deb_lib" \
    >"$T/install.log" 2>&1; then
	pass deb_installs
else
	fail deb_installs "$(tail -n 5 "$T/install.log" | tr '\n' '|')"
	exit 1
fi
ok install_leaves_pam_d_unchanged [ "$(pamd_sum)" = "$sum_before" ]
if grep -qs pam_cognito_mfa /etc/pam.d/common-* /var/lib/pam/auth; then
	fail profile_not_enabled "$(grep -s pam_cognito_mfa /etc/pam.d/common-* /var/lib/pam/auth | head -n 2)"
else
	pass profile_not_enabled
fi

ok module_file_0644_root [ "$(mode_owner "$MOD")" = "644 root root regular file" ]
ok cli_file_0755_root [ "$(mode_owner /usr/bin/cognito-mfa)" = "755 root root regular file" ]
ok store_dir_0700_root [ "$(mode_owner /var/lib/cognito-mfa)" = "700 root root directory" ]
ok config_file_0644_root [ "$(mode_owner /etc/cognito-mfa/cognito-mfa.conf)" = "644 root root regular file" ]
if dpkg-query -W -f='${Conffiles}\n' cognito-mfa |
    grep -q '^ /etc/cognito-mfa/cognito-mfa.conf [0-9a-f]\{32\}$'; then
	pass config_is_conffile
else
	fail config_is_conffile "$(dpkg-query -W -f='${Conffiles}' cognito-mfa)"
fi
missing=
for f in /lib/systemd/system/cognito-mfa-sync.service \
    /lib/systemd/system/cognito-mfa-sync.timer \
    /usr/share/man/man1/cognito-mfa.1.gz \
    /usr/share/man/man5/cognito-mfa.conf.5.gz \
    /usr/share/man/man8/pam_cognito_mfa.8.gz \
    /usr/share/doc/cognito-mfa/examples/sync-user.conf.example \
    /usr/share/doc/libpam-cognito-mfa/examples/sshd-mfa-after-publickey \
    "$PROFILE"; do
	[ -f "$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then pass packaged_files_present; else fail packaged_files_present "missing:$missing"; fi
ok module_in_module_package [ "$(dpkg -S "$MOD" 2>/dev/null | cut -d: -f1)" = libpam-cognito-mfa ]
ok cli_in_cli_package [ "$(dpkg -S /usr/bin/cognito-mfa 2>/dev/null | cut -d: -f1)" = cognito-mfa ]
# shipped, not enabled: no [Install] link for the timer anywhere in /etc
if find /etc/systemd -name 'cognito-mfa-sync.*' 2>/dev/null | grep -q .; then
	fail timer_not_enabled "$(find /etc/systemd -name 'cognito-mfa-sync.*' | head -n 2)"
else
	pass timer_not_enabled
fi
ldd "$MOD" >"$T/ldd" 2>&1
if grep -q 'libpam\.so' "$T/ldd" && ! grep -q 'libcurl' "$T/ldd" &&
    ! grep -q 'not found' "$T/ldd"; then
	pass installed_module_no_libcurl
else
	fail installed_module_no_libcurl "$(tr '\n' ' ' <"$T/ldd")"
fi
# the packages are built with their own flags, whatever the make that ran
# this test was given (make asan passes SAN=1 down to every child)
if readelf -d "$MOD" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	fail installed_module_no_sanitizer "a sanitizer build was packaged"
else
	pass installed_module_no_sanitizer
fi
if grep -qx 'Default: no' "$PROFILE" &&
    grep -qx 'Auth-Type: Additional' "$PROFILE"; then
	pass profile_off_by_default_additional
else
	fail profile_off_by_default_additional "$(tr '\n' '|' <"$PROFILE")"
fi

# the installed CLI with the installed configuration: the default store
if /usr/bin/cognito-mfa set-user-pool-mfa-config --user-pool-id us-east-1_PkgTest \
    --mfa-configuration OFF >"$T/cli.out" 2>&1 &&
    /usr/bin/cognito-mfa get-user-pool-mfa-config --user-pool-id us-east-1_PkgTest \
    >"$T/cli.out" 2>&1 && grep -q '"MfaConfiguration": "OFF"' "$T/cli.out" &&
    [ -f /var/lib/cognito-mfa/pool.json ]; then
	pass installed_cli_default_store
else
	fail installed_cli_default_store "$(head -c 300 "$T/cli.out")"
fi

# ---------------------------------------------------------------------
# the pam-auth-update profile's Auth lines, used as common-auth would:
# Debian's primary block (here pam_permit or pam_deny as the first
# factor), then the profile's lines, the module found in the default
# module directory by its bare name, plus store= and config= for the
# temp store

awk '/^Auth:/ { on = 1; next } on && /^[ \t]/ { sub(/^[ \t]+/, ""); print; next } { on = 0 }' \
    "$PROFILE" >"$T/profile-auth"
if [ "$(grep -c . "$T/profile-auth")" -eq 1 ] &&
    grep -Eq '^(requisite|required|\[[^]]*\])[[:space:]]+pam_cognito_mfa\.so' "$T/profile-auth"; then
	pass profile_auth_line
else
	fail profile_auth_line "$(tr '\n' '|' <"$T/profile-auth")"
fi
profile_service() {	# NAME FIRST-FACTOR-MODULE
	{
		echo "# packages.sh: the cognito-mfa profile after Debian's primary block"
		echo "auth [success=1 default=ignore] $2"
		echo "auth requisite pam_deny.so"
		echo "auth required pam_permit.so"
		sed "s|pam_cognito_mfa\\.so\\(.*\\)\$|pam_cognito_mfa.so\\1 store=$E2E_STORE config=$E2E_CONF|" \
		    "$T/profile-auth" | sed 's/^/auth /'
		echo "account required pam_permit.so"
	} >"$T/pam.$1" && new_pamd "/etc/pam.d/$1" "$T/pam.$1"
}
svc_ok=cmfa-pkg-test-$E2E_RAND
svc_bad=cmfa-pkg-testdeny-$E2E_RAND
profile_service "$svc_ok" pam_permit.so &&
    profile_service "$svc_bad" pam_deny.so || { fail profile_services; exit 1; }

pt() {	# SERVICE USER INPUT...: pamtester, one answer a line
	local svc u
	svc=$1 u=$2
	shift 2
	printf '%s\n' "$@" | timeout 30 pamtester "$svc" "$u" authenticate \
	    >"$T/pt.out" 2>&1
}
wrong_code() {	# SECRET: a code that is none of the window's
	local now n
	now=$(oathtool --totp -b "$1")
	n=$(( (1${now} - 1000000 + 500000) % 1000000 ))
	printf '%06d\n' "$n"
}

e2e_user ptoff totp || fail setup_user
u_off=$E2E_USER
e2e_user ptok totp || fail setup_user
u_ok=$E2E_USER
e2e_user ptbad totp || fail setup_user
u_bad=$E2E_USER
e2e_user ptden totp || fail setup_user
u_den=$E2E_USER

e2e_pool off
pt "$svc_ok" "$u_off"
if [ $? -eq 0 ] && ! grep -q 'Authenticator code' "$T/pt.out"; then
	pass profile_pool_off_ignore_passes
else
	fail profile_pool_off_ignore_passes "$(tr '\n' '|' <"$T/pt.out")"
fi
/usr/bin/cognito-mfa --config "$E2E_CONF" --store "$E2E_STORE" explain \
    --username "$u_off" --service "$svc_ok" >"$T/explain" 2>&1
if grep -q '"PamResult": "PAM_IGNORE"' "$T/explain"; then
	pass installed_cli_explain_profile_service
else
	fail installed_cli_explain_profile_service "$(head -c 300 "$T/explain")"
fi

e2e_pool on
pt "$svc_ok" "$u_ok" "$(oathtool --totp -b "$(e2e_secret "$u_ok")")"
if [ $? -eq 0 ] && grep -q 'Authenticator code' "$T/pt.out"; then
	pass profile_right_code_passes
else
	fail profile_right_code_passes "$(tr '\n' '|' <"$T/pt.out")"
fi
w=$(wrong_code "$(e2e_secret "$u_bad")")
pt "$svc_ok" "$u_bad" "$w" "$w" "$w"
if [ $? -ne 0 ] && grep -q 'Authenticator code' "$T/pt.out"; then
	pass profile_wrong_code_denied
else
	fail profile_wrong_code_denied "$(tr '\n' '|' <"$T/pt.out")"
fi
# the first factor fails: requisite pam_deny ends the stack before the
# module, so no code is asked and nothing is counted
pt "$svc_bad" "$u_den" "$(oathtool --totp -b "$(e2e_secret "$u_den")")"
if [ $? -ne 0 ] && ! grep -q 'Authenticator code' "$T/pt.out" &&
    [ -z "$(ls -A "$E2E_STORE/state" 2>/dev/null | grep -F "$u_den")" ]; then
	pass profile_runs_after_primary_auth
else
	fail profile_runs_after_primary_auth "$(tr '\n' '|' <"$T/pt.out")"
fi

# a delivered code through the packaged pieces: the installed module, no
# helper= option, so its compiled-in helper /usr/bin/cognito-mfa (from
# the cognito-mfa package) sends the code through deliver_command; the
# code is read from what the command got and typed back to pamtester
e2e_user ptmail plain || fail setup_user
u_mail=$E2E_USER
e2e_delivered_user "$u_mail" email || fail setup_delivered_user
printf '#!/bin/sh\ncat >"%s/delivered.tmp" && mv "%s/delivered.tmp" "%s/delivered"\n' \
    "$T" "$T" "$T" >"$T/deliver-cmd" && chmod 0755 "$T/deliver-cmd"
e2e_pool '{"MfaConfiguration":"ON","EmailMfaConfiguration":{"Subject":"Pkg","Message":"Your code is {####}."}}'
e2e_config "email_channel = command" "deliver_command = $T/deliver-cmd"
rm -f "$T/delivered"
(
	i=0
	while [ ! -s "$T/delivered" ] && [ $i -lt 150 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sed -n 's/.*code is \([0-9]\{6\}\)\..*/\1/p' "$T/delivered"
) | timeout 30 pamtester "$svc_ok" "$u_mail" authenticate >"$T/pt.out" 2>&1
if [ $? -eq 0 ] && grep -q 'Email code' "$T/pt.out" &&
    grep -qx "destination: $u_mail@example.com" "$T/delivered"; then
	pass installed_module_delivers_through_packaged_cli
else
	fail installed_module_delivers_through_packaged_cli "$(tr '\n' '|' <"$T/pt.out")"
fi
e2e_pool on
e2e_config

# ---------------------------------------------------------------------
# a real SSH login through the installed module (the shipped
# sshd-mfa-after-publickey stack, its module line pointed at $MOD)

ssh_ok=1
for t in /usr/sbin/sshd ssh ssh-keygen setsid unshare timeout; do
	command -v "$t" >/dev/null 2>&1 || { ssh_ok=0; skip ssh_login "$t not installed"; break; }
done
if [ $ssh_ok = 1 ] && e2e_pam_service sshd-mfa-after-publickey k &&
    grep -q "^auth.*$MOD " "/etc/pam.d/$E2E_SERVICE" &&
    e2e_sshd key "$E2E_SERVICE"; then
	port=$E2E_PORT
	e2e_pool on
	e2e_user sshok totp
	e2e_ssh "$E2E_USER" "$port" now
	if [ $? -eq 0 ] && e2e_ssh_ok && [ "$(e2e_asked 'Authenticator code: ')" -eq 1 ]; then
		pass ssh_login_installed_module
	else
		fail ssh_login_installed_module "$(e2e_why)"
	fi
	e2e_user sshbad totp
	e2e_ssh "$E2E_USER" "$port" wrong
	if [ $? -ne 0 ] && ! e2e_ssh_ok && [ "$(e2e_asked 'Authenticator code: ')" -eq 3 ]; then
		pass ssh_wrong_code_denied_installed_module
	else
		fail ssh_wrong_code_denied_installed_module "$(e2e_why)"
	fi
elif [ $ssh_ok = 1 ]; then
	fail ssh_setup "$(tail -n 3 "$E2E_T"/sshd-*.log 2>/dev/null | tr '\n' '|')"
fi

# ---------------------------------------------------------------------
# remove: the profile out of the stacks, a warning for a hand-added line;
# the configuration and the store stay

hand=/etc/pam.d/cmfa-pkg-hand-$E2E_RAND
printf '%s\n' '# packages.sh: a line an admin added by hand' \
    'auth    requisite    pam_cognito_mfa.so' >"$T/pam.hand" &&
    new_pamd "$hand" "$T/pam.hand" || fail hand_file
DEBIAN_FRONTEND=noninteractive dpkg -r $PKGS >"$T/remove.log" 2>&1
rc=$?
ok remove_succeeds [ $rc -eq 0 ]
if grep -q 'WARNING: pam_cognito_mfa.so is being removed' "$T/remove.log" &&
    grep -q "^  $hand:2:auth    requisite    pam_cognito_mfa.so\$" "$T/remove.log"; then
	pass remove_warns_hand_added_line
else
	fail remove_warns_hand_added_line "$(tr '\n' '|' <"$T/remove.log" | cut -c1-400)"
fi
rm -f -- "$hand"
ok remove_deletes_module_and_profile test ! -e "$MOD" -a ! -e "$PROFILE"
ok remove_keeps_config_and_store test -f /etc/cognito-mfa/cognito-mfa.conf \
    -a -f /var/lib/cognito-mfa/pool.json

# ---------------------------------------------------------------------
# purge: nothing left (the store, with its TOTP secrets, goes too)

DEBIAN_FRONTEND=noninteractive dpkg --purge $PKGS >"$T/purge.log" 2>&1
rc=$?
ok purge_succeeds [ $rc -eq 0 ]
left=
for p in $PKGS; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	case $s in '' | not-installed) ;; *) left="$left $p:$s" ;; esac
done
[ -n "$left" ] || INSTALLED=
for f in "$MOD" /usr/bin/cognito-mfa /etc/cognito-mfa /var/lib/cognito-mfa \
    "$PROFILE" /lib/systemd/system/cognito-mfa-sync.service \
    /lib/systemd/system/cognito-mfa-sync.timer \
    /usr/share/man/man8/pam_cognito_mfa.8.gz /usr/share/man/man1/cognito-mfa.1.gz \
    /usr/share/doc/cognito-mfa /usr/share/doc/libpam-cognito-mfa; do
	if [ -e "$f" ] || [ -L "$f" ]; then left="$left $f"; fi
done
if [ -z "$left" ]; then pass purge_leaves_nothing; else fail purge_leaves_nothing "left:$left"; fi
ok purge_leaves_pam_d_unchanged [ "$(pamd_sum)" = "$sum_before" ]

# ---------------------------------------------------------------------
# RPM: built and inspected, never installed

rpm_ok=1
for t in rpmbuild rpm rpmlint; do
	command -v "$t" >/dev/null 2>&1 || { rpm_ok=0; skip rpm "$t not installed"; break; }
done
if [ $rpm_ok = 1 ]; then
	if env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$top" rpm >"$T/rpm.log" 2>&1; then
		pass rpm_builds
	else
		fail rpm_builds "$(tail -n 5 "$T/rpm.log" | tr '\n' '|')"
	fi
	rpm_mod=$(ls "$top"/build/rpm/RPMS/*/pam_cognito_mfa-"$ver"-*.rpm 2>/dev/null | head -n 1)
	rpm_cli=$(ls "$top"/build/rpm/RPMS/*/cognito-mfa-"$ver"-*.rpm 2>/dev/null | head -n 1)
	rpmlint -c "$top/packaging/rpm/rpmlint.toml" "$rpm_mod" "$rpm_cli" \
	    "$top/packaging/rpm/pam_cognito_mfa.spec" >"$T/rpmlint" 2>&1
	if grep -q ' 0 errors, 0 warnings' "$T/rpmlint"; then
		pass rpmlint_no_errors_no_warnings
	else
		fail rpmlint_no_errors_no_warnings "$(grep ': [EW]: ' "$T/rpmlint" | head -n 5 | tr '\n' '|')"
	fi
	rpm -qlp "$rpm_mod" >"$T/rpm-mod-files" 2>/dev/null
	rpm -qlp "$rpm_cli" >"$T/rpm-cli-files" 2>/dev/null
	if grep -qx '/usr/lib64/security/pam_cognito_mfa.so' "$T/rpm-mod-files" &&
	    grep -q '^/usr/share/man/man8/pam_cognito_mfa.8' "$T/rpm-mod-files" &&
	    ! grep -q 'cognito-mfa' "$T/rpm-mod-files"; then
		pass rpm_module_package_files
	else
		fail rpm_module_package_files "$(tr '\n' ' ' <"$T/rpm-mod-files")"
	fi
	missing=
	for f in /usr/bin/cognito-mfa /etc/cognito-mfa/cognito-mfa.conf \
	    /usr/lib/systemd/system/cognito-mfa-sync.service \
	    /usr/lib/systemd/system/cognito-mfa-sync.timer \
	    /usr/share/man/man1/cognito-mfa.1.gz /usr/share/man/man5/cognito-mfa.conf.5.gz \
	    /usr/share/doc/cognito-mfa/sync-user.conf.example /var/lib/cognito-mfa; do
		grep -qx "$f" "$T/rpm-cli-files" || missing="$missing $f"
	done
	grep -q 'pam_cognito_mfa\.so' "$T/rpm-cli-files" && missing="$missing (has the module)"
	if [ -z "$missing" ]; then
		pass rpm_cli_package_files
	else
		fail rpm_cli_package_files "missing:$missing"
	fi
	rpm -qp --requires "$rpm_mod" >"$T/rpm-mod-req" 2>/dev/null
	rpm -qp --requires "$rpm_cli" >"$T/rpm-cli-req" 2>/dev/null
	if ! grep -q libcurl "$T/rpm-mod-req" && grep -q '^libpam\.so' "$T/rpm-mod-req" &&
	    grep -q '^cognito-mfa(x86-64) = ' "$T/rpm-mod-req"; then
		pass rpm_module_requires_no_libcurl
	else
		fail rpm_module_requires_no_libcurl "$(tr '\n' ' ' <"$T/rpm-mod-req")"
	fi
	ok rpm_cli_requires_libcurl grep -q '^libcurl\.so' "$T/rpm-cli-req"
	if [ "$(rpm -qpc "$rpm_cli" 2>/dev/null)" = /etc/cognito-mfa/cognito-mfa.conf ] &&
	    rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' "$rpm_cli" 2>/dev/null |
	    grep -qx '/etc/cognito-mfa/cognito-mfa.conf cn'; then
		pass rpm_config_noreplace
	else
		fail rpm_config_noreplace "$(rpm -qpc "$rpm_cli" 2>&1 | tr '\n' ' ')"
	fi
	rpm -qp --scripts "$rpm_cli" >"$T/rpm-cli-scripts" 2>/dev/null
	rpm -qp --scripts "$rpm_mod" >"$T/rpm-mod-scripts" 2>/dev/null
	if grep -q 'preset cognito-mfa-sync.service cognito-mfa-sync.timer' "$T/rpm-cli-scripts" &&
	    grep -q 'disable --now cognito-mfa-sync.service cognito-mfa-sync.timer' "$T/rpm-cli-scripts" &&
	    grep -q 'mkdir -m 0700 /var/lib/cognito-mfa' "$T/rpm-cli-scripts" &&
	    ! grep -q 'enable \|start ' "$T/rpm-cli-scripts"; then
		pass rpm_cli_systemd_scriptlets
	else
		fail rpm_cli_systemd_scriptlets "$(tr '\n' ' ' <"$T/rpm-cli-scripts" | cut -c1-300)"
	fi
	ok rpm_module_preun_warns grep -q 'WARNING: pam_cognito_mfa.so is being removed' \
	    "$T/rpm-mod-scripts"
fi

finish
