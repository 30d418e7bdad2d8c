# Shared by the browser tests (tests/ui/run.sh, tests/ui/portal.sh):
# sourced after tests/cli/lib.bash. browser_ready NAME: chromium, node, npm,
# the test photos and playwright-core (installed from npm into
# tests/ui/node_modules when missing), or a "NAME: SKIP: why" line and
# exit 0. Sets UI to the tests/ui folder.
SRC=${GC_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
UI=$SRC/tests/ui
browser_ready() {
	local why="" want have
	if [ ! -x /usr/bin/chromium ]; then
		why="no /usr/bin/chromium (apt-get install chromium)"
	elif ! command -v node >/dev/null; then
		why="no node (apt-get install nodejs)"
	elif ! command -v npm >/dev/null; then
		why="no npm (apt-get install npm)"
	elif [ ! -s "${GC_TESTDATA_DIR:-/nonexistent}/grace_hopper.jpg" ]; then
		why="no test photos (tests/data/fetch.sh)"
	fi
	if [ -z "$why" ]; then
		want=$(python3 -c "import json; print(json.load(open('$UI/package.json'))['dependencies']['playwright-core'])")
		have=$(python3 -c "import json; print(json.load(open('$UI/node_modules/playwright-core/package.json'))['version'])" 2>/dev/null || true)
		if [ "$have" != "$want" ]; then
			(cd "$UI" && npm install --no-audit --no-fund --no-package-lock >"$T/npm.log" 2>&1) ||
				{ tail -5 "$T/npm.log"; why="npm install of playwright-core $want failed (no network?)"; }
		fi
	fi
	if [ -n "$why" ]; then
		echo "$1: SKIP: $why"
		exit 0
	fi
}
