#!/bin/sh
# tests/cognito-local/setup.sh: install the pinned cognito-local (5.3.0,
# exactly the tree of package-lock.json) under tests/cognito-local/
# node_modules, for tests/sh/api-cognito-local.sh (the Cognito API peer of
# DESIGN.md section 5).  `make deps` runs it after the Debian packages;
# it also runs by hand, from anywhere.
#
#  - No npm command: as root, Debian's npm is installed (apt-get).  It is
#    not in packaging/deps-debian.txt because a machine with NodeSource's
#    nodejs (which Conflicts: npm and brings its own) must not get it.
#    Not root: it says so and stops; the API tests then SKIP.
#  - cognito-local 5.3.0 needs Node >= 20.19 at run time.  When the node
#    on PATH is older (Debian 12 ships 18), npm's `node` package (20.x,
#    the official binary) goes into tests/cognito-local/.node, and
#    tests/sh/cognito-local-lib.sh runs cognito-local with it.
#  - `npm ci` installs exactly the lock file's tree; skipped when that
#    tree is already installed (node_modules/.package-lock.json newer than
#    package-lock.json), so a second `make deps` is quick.
# Nothing outside tests/cognito-local is written (but apt's packages).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

# node_ok NODE: NODE runs and is at least 20.19.
node_ok() {
	v=$("$1" --version 2>/dev/null) || return 1
	v=${v#v}
	maj=${v%%.*}
	rest=${v#*.}
	min=${rest%%.*}
	case "$maj$min" in *[!0-9]* | '') return 1 ;; esac
	[ "$maj" -gt 20 ] || { [ "$maj" -eq 20 ] && [ "$min" -ge 19 ]; }
}

if ! command -v npm >/dev/null 2>&1; then
	if [ "$(id -u)" != 0 ]; then
		echo "cognito-local: npm is missing (make deps as root installs" \
			"it); the Cognito API tests will be skipped"
		exit 0
	fi
	echo "cognito-local: installing Debian's npm"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends npm
fi

if node_ok node; then
	:
elif node_ok .node/node_modules/.bin/node; then
	echo "cognito-local: using $here/.node (Node $(.node/node_modules/.bin/node --version))"
else
	echo "cognito-local: the node on PATH is older than 20.19;" \
		"installing npm's node@20 into $here/.node"
	mkdir -p .node
	npm install --no-audit --no-fund --no-save --prefix "$here/.node" \
		node@20
	node_ok .node/node_modules/.bin/node || {
		echo "cognito-local: no usable Node >= 20.19" >&2
		exit 1
	}
fi

if [ -f node_modules/cognito-local/package.json ] &&
	[ -f node_modules/.package-lock.json ] &&
	[ ! node_modules/.package-lock.json -ot package-lock.json ] &&
	grep -q '"version": "5.3.0"' node_modules/cognito-local/package.json
then
	echo "cognito-local: 5.3.0 present"
	exit 0
fi
echo "cognito-local: npm ci (cognito-local 5.3.0, package-lock.json)"
npm ci --no-audit --no-fund
