#!/bin/sh
# mkdist.sh VERSION OUTDIR: OUTDIR/pam-cognito-mfa-VERSION.tar.gz, the
# source tree under the directory pam-cognito-mfa-VERSION/.
#
# In a git checkout: the files git knows (tracked, plus untracked ones not
# ignored), as they are in the working tree, so `make deb` and `make rpm`
# package what is being tested, committed or not (build/ is ignored).
# Elsewhere (an unpacked tarball): every file but build/ and .git/.
set -eu
version=$1 out=$2
name=pam-cognito-mfa-$version
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mkdir -p "$out"
list=$(mktemp)
trap 'rm -f "$list"' EXIT
# (the tree must be the checkout's top: an unpacked tarball under build/
# is inside the checkout, but ignored by it)
if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$top" ]; then
	# deleted but not yet committed files are listed by git: skip them
	git ls-files -z --cached --others --exclude-standard |
	    tr '\0' '\n' | sort -u | while IFS= read -r f; do
		[ -f "$f" ] && printf '%s\n' "$f"
	done >"$list"
else
	find . -path ./build -prune -o -path ./.git -prune -o -type f -print |
	    sed 's|^\./||' | sort >"$list"
fi
# reproducible: fixed owner, sorted names, mtime of the last commit (or
# of the Makefile)
mtime=$(git log -1 --format=@%ct 2>/dev/null) || mtime=
mtime=${mtime:-$(date -r Makefile +@%s)}
tar --create --gzip --file "$out/$name.tar.gz" --files-from "$list" \
    --transform "s|^|$name/|" --owner=0 --group=0 --numeric-owner \
    --mtime="$mtime" --sort=name --mode='u+w,go-w'
echo "$out/$name.tar.gz"
