#!/bin/sh
# man.sh: the manual pages render without a warning, and cannot drift from
# the code: every key of the config parser's table (config/config.c) is an
# entry of cognito-mfa.conf(5) and of pam_cognito_mfa(8), every module-only
# argument (config/modargs.c) an entry of pam_cognito_mfa(8), each in the
# synopsis too; no entry names an option the code does not know; the
# defaults in cognito-mfa.conf(5) are those of conf/cognito-mfa.conf
# (which test_conf_files checks against the parser); the ranges are the
# header's; every PAM code of the result table (pam/result.c) is in the
# module's RETURN VALUES.
suite=man
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.." || exit 1

page8=doc/pam_cognito_mfa.8
page5=doc/cognito-mfa.conf.5
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

for p in "$page8" "$page5"; do
	if [ -f "$p" ]; then pass "exists_$(basename "$p")"
	else fail "exists_$(basename "$p")"; fi
done

# ---------------------------------------------------------------------------
# rendering: groff with every warning; mandoc's linter where installed

for p in doc/*.[1-9]; do
	[ -f "$p" ] || continue
	n=$(basename "$p")
	if command -v groff >/dev/null 2>&1; then
		out=$(LC_ALL=C.UTF-8 groff -man -ww -z "$p" 2>&1)
		rc=$?
		if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
			pass "groff_clean_$n"
		else
			fail "groff_clean_$n" "$(printf '%s' "$out" | head -3)"
		fi
	else
		skip "groff_clean_$n" "groff not installed (groff-base)"
	fi
	if command -v mandoc >/dev/null 2>&1; then
		out=$(mandoc -Tlint -W warning "$p" 2>&1)
		if [ -z "$out" ]; then pass "mandoc_lint_$n"
		else fail "mandoc_lint_$n" "$(printf '%s' "$out" | head -3)"; fi
	fi
done

# ---------------------------------------------------------------------------
# what the code knows

# rows of the key table, designated initializers over one or more lines:
# { .name = "x", .kind = K_KIND, .off = OFF(f)[, .max = MAX][, ...]
# [, .file_only = true] }.  Output: name KIND MAX file_only(0|1)
awk '/^static const struct key_def keys\[\]/ { tab = 1; next }
    tab && /^};/ { tab = 0 }
    tab { row = row " " $0
	if ($0 !~ /}[ \t]*,?[ \t]*$/) next
	name = row; sub(/.*\.name = "/, "", name); sub(/".*/, "", name)
	kind = row; sub(/.*\.kind = K_/, "", kind); sub(/[ ,}].*/, "", kind)
	max = "0"
	if (row ~ /\.max = /) { max = row; sub(/.*\.max = /, "", max)
		sub(/[ ,}].*/, "", max) }
	fo = (row ~ /\.file_only = true/) ? 1 : 0
	print name, kind, max, fo
	row = ""
}' pam_cognito_mfa/config/config.c >"$tmp/keys"
# module-only arguments: strcmp(arg, "flag") and has_prefix(.., "name=", ..)
{
	sed -n 's/.*strcmp(arg, "\([a-z_]*\)").*/\1/p' \
		pam_cognito_mfa/config/modargs.c
	sed -n 's/.*has_prefix([a-z]*\(\[i\]\)\{0,1\}, "\([a-z_]*\)=".*/\2/p' \
		pam_cognito_mfa/config/modargs.c
} | sort -u >"$tmp/modargs"
cut -d" " -f1 "$tmp/keys" | sort -u >"$tmp/keynames"
awk '$4 == 0 { print $1 }' "$tmp/keys" | sort -u >"$tmp/modkeys"
cat "$tmp/modkeys" "$tmp/modargs" | sort -u >"$tmp/all8"

nkeys=$(wc -l <"$tmp/keynames")
if [ "$nkeys" -ge 10 ] && grep -qx store "$tmp/keynames" &&
    grep -qx allow_unverified_destinations "$tmp/keynames"; then
	pass config_keys_found_in_code
else
	fail config_keys_found_in_code "got $nkeys keys: the table's shape changed?"
fi
if grep -qx require_mfa "$tmp/modargs" && grep -qx tries "$tmp/modargs" &&
    grep -qx config "$tmp/modargs"; then
	pass module_args_found_in_code
else
	fail module_args_found_in_code "got: $(tr '\n' ' ' <"$tmp/modargs")"
fi

# ---------------------------------------------------------------------------
# what the pages say

# section SECTION of PAGE, roff source
section() {
	awk -v s="$2" '/^\.SH / { on = ($0 == ".SH " s); next } on' "$1"
}
# the option names of the .TP entries of a section: the first word of
# each tag line, macro and font arguments stripped, up to '=' or a blank
tags() {
	awk '/^\.TP/ { want = 1; next }
	    want {
		want = 0; line = $0
		sub(/^\.[A-Z]+[ \t]+/, "", line)
		gsub(/"/, "", line)
		n = split(line, w, /[ \t=]/)
		if (n > 0) print w[1]
	    }' | sort -u
}
# the text of the entry for KEY in a section on stdin, on one line, font
# macros and escapes removed
entry() {
	awk -v k="$1" '
	    /^\.(TP|SH|SS)/ { if (on) exit; tp = ($0 ~ /^\.TP/); next }
	    tp { tp = 0; line = $0; sub(/^\.[A-Z]+[ \t]+/, "", line);
		 gsub(/"/, "", line); split(line, w, /[ \t=]/);
		 if (w[1] == k) on = 1; next }
	    on { print }' |
	    sed -e 's/^\.[A-Z][A-Z]*[[:space:]]*//' -e 's/\\-/-/g' \
		-e 's/\\&//g' -e 's/\\(lq//g' -e 's/\\(rq//g' -e 's/"//g' |
	    tr '\n' ' ' | tr -s ' '
}

section "$page8" OPTIONS | tags >"$tmp/doc8"
section "$page5" KEYS | tags >"$tmp/doc5"
section "$page8" SYNOPSIS | sed -e 's/^\.[A-Z]*//' -e 's/\\c//g' |
	tr -d '[]"' | tr ' |' '\n' | sed -n 's/^\([a-z_]*\).*/\1/p' |
	sort -u >"$tmp/syn8"

missing() {	# expected-file have-file
	comm -23 "$1" "$2" | tr '\n' ' ' | sed 's/ $//'
}
m=$(missing "$tmp/keynames" "$tmp/doc5")
if [ -z "$m" ]; then pass conf5_documents_every_key
else fail conf5_documents_every_key "no entry for: $m"; fi
m=$(missing "$tmp/all8" "$tmp/doc8")
if [ -z "$m" ]; then pass pam8_documents_every_option
else fail pam8_documents_every_option "no entry for: $m"; fi
m=$(missing "$tmp/all8" "$tmp/syn8")
if [ -z "$m" ]; then pass pam8_synopsis_lists_every_option
else fail pam8_synopsis_lists_every_option "not in SYNOPSIS: $m"; fi
m=$(missing "$tmp/doc5" "$tmp/keynames")
if [ -z "$m" ]; then pass conf5_documents_no_unknown_key
else fail conf5_documents_no_unknown_key "the code has no key: $m"; fi
m=$(missing "$tmp/doc8" "$tmp/all8")
if [ -z "$m" ]; then pass pam8_documents_no_unknown_option
else fail pam8_documents_no_unknown_option "the code has no option: $m"; fi

# defaults: conf/cognito-mfa.conf shows every key commented at its default
# ("#key = value"), or says "Default: none" for the group keys
bad=""
while read -r key kind max fo; do
	val=$(sed -n "s/^#$key = //p" conf/cognito-mfa.conf | head -1)
	# the comment block above says "Default: none": the line is an example
	if awk -v k="#$key = " '
	    /^$/ { blk = ""; next }
	    index($0, k) == 1 { found = 1; none = (blk ~ /Default: none/); exit }
	    /^# / { blk = blk " " $0 }
	    END { exit !(found && none) }' conf/cognito-mfa.conf; then
		val=none
	fi
	text=$(section "$page5" KEYS | entry "$key")
	case "$text" in
	*"Default: $val "* | *"Default: $val."*) ;;
	*) bad="$bad $key(conf: $val)" ;;
	esac
	# ranges of whole-number keys: "0 to MAX" (MAX from cmfa_config.h)
	if [ "$kind" = UINT ]; then
		n=$(sed -n "s/^#define $max \([0-9]*\)u*.*/\1/p" \
			include/cmfa_config.h)
		pages=$page5; [ "$fo" = 0 ] && pages="$page5 $page8"
		for p in $pages; do
			s=KEYS; [ "$p" = "$page8" ] && s=OPTIONS
			case "$(section "$p" "$s" | entry "$key")" in
			*"to $n"*) ;;
			*) bad="$bad $key($(basename "$p"): range 0 to $n)" ;;
			esac
		done
	fi
done <"$tmp/keys"
if [ -z "$bad" ]; then pass conf5_defaults_and_ranges_match
else fail conf5_defaults_and_ranges_match "$bad"; fi

# module-only numbers: tries default and maximum, prompt length
td=$(sed -n 's/^#define CMFA_MODARGS_TRIES_DEFAULT \([0-9]*\).*/\1/p' \
	include/cmfa_config.h)
tm=$(sed -n 's/^#define CMFA_MODARGS_TRIES_MAX \([0-9]*\).*/\1/p' \
	include/cmfa_config.h)
pm=$(sed -n 's/^#define CMFA_MODARGS_PROMPT_MAX \([0-9]*\).*/\1/p' \
	include/cmfa_config.h)
t=$(section "$page8" OPTIONS | entry tries)
pr=$(section "$page8" OPTIONS | entry prompt)
case "$t" in
*"1 to $tm; default $td"*) case "$pr" in
	*"1 to $pm "*) pass pam8_tries_prompt_limits_match ;;
	*) fail pam8_tries_prompt_limits_match "prompt: 1 to $pm" ;;
	esac ;;
*) fail pam8_tries_prompt_limits_match "tries: 1 to $tm; default $td" ;;
esac

# every PAM code the result table can return is a RETURN VALUES entry
sed -n 's/.*{ \(PAM_[A-Z_]*\), ".*/\1/p' pam_cognito_mfa/pam/result.c |
	sort -u >"$tmp/codes"
section "$page8" "RETURN VALUES" | tags >"$tmp/doccodes"
m=$(missing "$tmp/codes" "$tmp/doccodes")
if [ -s "$tmp/codes" ] && [ -z "$m" ]; then
	pass pam8_return_values_cover_result_table
else
	fail pam8_return_values_cover_result_table "missing: $m"
fi
m=$(missing "$tmp/doccodes" "$tmp/codes")
if [ -z "$m" ]; then pass pam8_return_values_only_what_code_returns
else fail pam8_return_values_only_what_code_returns "never returned: $m"; fi
# cognito-mfa(1) names every command the CLI lists in --help
cli="${1:-build}/cognito-mfa"
if [ -x "$cli" ]; then
	cmds=$("$cli" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
	missing=""
	for c in $cmds; do
		grep -q "^\.B $c\b" doc/cognito-mfa.1 || missing="$missing $c"
	done
	if [ -n "$cmds" ] && [ -z "$missing" ]; then
		pass cli_page_names_every_command
	else
		fail cli_page_names_every_command "missing:${missing:- (no commands read)}"
	fi
else
	skip cli_page_names_every_command "no $cli"
fi
finish
