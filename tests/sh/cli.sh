#!/bin/sh
# cli.sh BUILD: the cognito-mfa entry point: version, help, exit codes.
suite=cli
. "$(dirname "$0")/lib.sh"
build=${1:-build}
cli=$build/cognito-mfa
version=$(sed -n 's/^VERSION := //p' Makefile)

out=$("$cli" --version); rc=$?
ok version_matches_makefile [ "$rc" -eq 0 -a "$out" = "cognito-mfa $version" ]
"$cli" --help | grep -q '^usage: cognito-mfa'
ok help_exits_0 [ $? -eq 0 ]
"$cli" >/dev/null 2>&1
ok no_command_exits_252 [ $? -eq 252 ]
err=$("$cli" no-such-command 2>&1 >/dev/null); rc=$?
ok unknown_command_exits_252 [ "$rc" -eq 252 ]
case "$err" in
*"Invalid choice: 'no-such-command'"*) pass unknown_command_message ;;
*) fail unknown_command_message "$err" ;;
esac
err=$("$cli" "$(printf 'x\033[2Jy')" 2>&1 >/dev/null)
case "$err" in
*"$(printf '\033')"*) fail control_chars_not_echoed ;;
*) pass control_chars_not_echoed ;;
esac
finish
