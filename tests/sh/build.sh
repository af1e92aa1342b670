#!/bin/sh
# build.sh BUILD: the build contract: the module exports only pam_sm_*,
# links no libcurl, is hardened (relro, now, no exec stack), and the tree
# builds with zero warnings under the other compiler (clang) too.
suite=build
. "$(dirname "$0")/lib.sh"
build=${1:-build}
so=$build/pam_cognito_mfa.so
cli=$build/cognito-mfa

exports=$(nm -D --defined-only "$so" | awk '{print $3}' | sort)
extra=$(printf '%s\n' "$exports" | grep -v '^pam_sm_' | grep -v '^$')
if [ -z "$extra" ] && printf '%s\n' "$exports" | grep -qx pam_sm_authenticate &&
   printf '%s\n' "$exports" | grep -qx pam_sm_setcred; then
	pass module_exports_only_pam_sm
else
	fail module_exports_only_pam_sm "extra: $(echo $extra)"
fi

needed=$(readelf -d "$so" | awk '/NEEDED/ {print $5}')
case "$needed" in
*curl*) fail module_links_no_libcurl "$needed" ;;
*) pass module_links_no_libcurl ;;
esac
case "$needed" in
*libpam.so*) pass module_links_libpam ;;
*) fail module_links_libpam "$needed" ;;
esac

for f in "$so" "$cli"; do
	n=$(basename "$f")
	d=$(readelf -d "$f")
	if printf '%s' "$d" | grep -q BIND_NOW &&
	   readelf -lW "$f" | grep -q GNU_RELRO &&
	   ! readelf -lW "$f" | grep GNU_STACK | grep -q RWE; then
		pass "hardened_$n"
	else
		fail "hardened_$n" "relro/now/noexecstack"
	fi
done

# the whole tree with clang, warnings as errors, in a private build dir
if command -v clang >/dev/null 2>&1; then
	log=$(mktemp)
	rm -rf "$build/clang"	# this test's own directory, always fresh
	if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s BUILD="$build/clang" \
	    CC=clang WERROR=1 SAN= all test-programs \
	    >"$log" 2>&1 && ! grep -q 'warning:' "$log"; then
		pass clang_zero_warnings
	else
		fail clang_zero_warnings "$(grep -m3 -E 'warning|error' "$log")"
	fi
	rm -f "$log"
else
	skip clang_zero_warnings "clang not installed"
fi
finish
