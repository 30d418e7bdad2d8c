#!/usr/bin/env bash
# The operator UI in a real browser (issue 6): a coordinator and two sites,
# each a real `gradcap serve` with its UI on loopback, the sites with the
# synthetic camera and background sync over mutual TLS; tests/ui/e2e.mjs
# drives Debian's chromium through playwright-core (from npm, installed
# here into tests/ui/node_modules) and checks what the pages show and what
# `gradcap status --json` says. Screenshots go to $GC_UI_OUT (default
# $GC_TEST_TMP/ui-e2e), kept after the run.
# Skips (exit 0, with the reason) when chromium, node/npm, the npm package
# or the test photos cannot be had.
. "$(dirname "$0")/../cli/lib.bash"
. "$(dirname "$0")/browser.bash"
browser_ready "ui e2e"

OUT=${GC_UI_OUT:-${GC_TEST_TMP:-/tmp}/ui-e2e}
rm -rf "$OUT"
mkdir -p "$OUT"
cd "$T"
pids=()
names=()
# stop PID NAME: SIGTERM, and it must be gone within 20 s (else its threads'
# stacks go to $OUT/hang-NAME.txt, it is killed, and the test fails).
stop() {
	kill "$1" 2>/dev/null || return 0
	for _ in $(seq 1 200); do
		if [ ! -e /proc/$1 ] || [ "$(awk '{print $3}' /proc/$1/stat 2>/dev/null)" = Z ]; then
			wait "$1" 2>/dev/null || true
			return 0
		fi
		sleep 0.1
	done
	echo "FAIL: gradcap serve ($2) did not stop within 20 s of SIGTERM" >&2
	if command -v gdb >/dev/null; then
		gdb -batch -p "$1" -ex 'thread apply all bt' >"$OUT/hang-$2.txt" 2>&1 || true
	fi
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null || true
	return 1
}
cleanup() {
	local rc=$? bad=0
	# the sites first (they dial), then the coordinator
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		stop "${pids[$i]}" "${names[$i]}" || bad=1
	done
	for h in c s1 s2; do
		[ -f $h.log ] && cp $h.log "$OUT/$h.log"
	done
	rm -rf "$T"
	[ $bad = 0 ] || exit 1
	exit $rc
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {
	for _ in $(seq 1 150); do
		python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$1)))" && return 0
		sleep 0.1
	done
	fail "nothing listens on port $1"
}

# --- photos: distinct good shots (one photo per student, no alerts), a
# blurred one (fails sharpness) and one in blue clothing (fails
# clothing.colour)
"$GC_SYNTH" --size 1000x1336 --source grace_hopper "$GC_TESTDATA_DIR" synth >/dev/null
mkdir photos
for q in 81 82 83 84 85 86 87 88 89; do
	convert synth/grace_hopper-ok-blue.jpg -quality $q photos/good$q.jpg
done
cp synth/grace_hopper-blur.jpg photos/blur.jpg
cp synth/grace_hopper-blue-clothing.jpg photos/blue-clothing.jpg

# --- a coordinator with a roster (its UI behind a password), two sites
# enrolled by file, each with a synthetic camera that shows one file
"$G" init --home c --role coordinator --school 10335 --name 教务处 >/dev/null
"$G" sample roster --count 30 --out r.csv
"$G" roster import --home c r.csv >/dev/null
for s in s1 s2; do
	"$G" init --home $s --role site --school 10335 --name "site-$s" >/dev/null
	"$G" enroll request --home $s --out $s.req >/dev/null
	"$G" enroll sign --home c $s.req --out $s.enr >/dev/null
	"$G" enroll install --home $s $s.enr >/dev/null
	mkdir cam-$s
	cp photos/good81.jpg cam-$s/frame.jpg
	printf '\n[capture]\ncamera = synthetic:%s\n' "$T/cam-$s" >>$s/gradcap.ini
done
PASSWORD='correct horse battery staple'
hash=$(printf '%s\n' "$PASSWORD" | "$G" ui-password)
printf '\n[ui]\npassword_hash = %s\n' "$hash" >>c/gradcap.ini

SP=$(free_port)
UC=$(free_port)
U1=$(free_port)
U2=$(free_port)
"$G" serve --home c --listen tls+tcp://127.0.0.1:$SP --ui http://127.0.0.1:$UC >c.log 2>&1 &
pids+=($!)
names+=(c)
wait_port $SP
wait_port $UC
for s in s1 s2; do
	port=$U1
	[ $s = s2 ] && port=$U2
	"$G" serve --home $s --peer tls+tcp://127.0.0.1:$SP --interval 2 --ui http://127.0.0.1:$port >$s.log 2>&1 &
	pids+=($!)
	names+=($s)
	wait_port $port
done

export GC_BIN=$G T OUT PASSWORD
export URL_C=http://127.0.0.1:$UC URL_S1=http://127.0.0.1:$U1 URL_S2=http://127.0.0.1:$U2
export ROSTER=$T/r.csv PHOTOS=$T/photos CAM_S1=$T/cam-s1 CAM_S2=$T/cam-s2
node "$UI/e2e.mjs" || fail "the browser test failed (screenshots and logs in $OUT)"
echo "ui e2e: screenshots in $OUT"
