# Shared helpers for CLI tests: sourced, not run.
set -euo pipefail
G=${GC_BIN:?GC_BIN must point at the gradcap binary}
T=$(mktemp -d "${GC_TEST_TMP:-/tmp}/cli.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$T"' EXIT
checks=0

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect CODE CMD...: runs CMD, stdout to $T/out, stderr to $T/err.
expect() {
	local want=$1 got=0
	shift
	"$@" >"$T/out" 2>"$T/err" || got=$?
	if [ "$got" != "$want" ]; then
		echo "--- stdout"; cat "$T/out"; echo "--- stderr"; cat "$T/err"
		fail "exit $got, expected $want: $*"
	fi
	checks=$((checks + 1))
}

# has FILE TEXT: FILE contains TEXT.
has() {
	grep -qF -- "$2" "$1" || { echo "--- $1"; cat "$1"; fail "'$2' not in $1"; }
	checks=$((checks + 1))
}

# json EXPR: evaluates a python expression over j = the JSON in $T/out.
json() {
	python3 -c "import json,sys; j=json.load(open('$T/out')); sys.exit(0 if ($1) else 1)" ||
		{ cat "$T/out"; fail "json check failed: $1"; }
	checks=$((checks + 1))
}

# synth_photos NAME: the synthetic portraits in $T/synth (made from the
# test photos), or a SKIP line and exit 0 when there are none.
synth_photos() {
	if [ ! -s "${GC_TESTDATA_DIR:-/nonexistent}/grace_hopper.jpg" ]; then
		echo "$1: SKIP: no test photos (tests/data/fetch.sh)"
		exit 0
	fi
	"$GC_SYNTH" --size 1000x1336 --source grace_hopper "$GC_TESTDATA_DIR" \
		"$T/synth" >/dev/null
}

# school_and_site COUNT: in $PWD, a coordinator home c holding a sample
# roster of COUNT students (r.csv) and a site home s enrolled by it.
school_and_site() {
	"$G" init --home c --role coordinator --school 10335 --name 教务处 >/dev/null
	"$G" sample roster --count "$1" --out r.csv
	"$G" roster import --home c r.csv >/dev/null
	"$G" init --home s --role site --school 10335 --name 东区 >/dev/null
	"$G" enroll request --home s --out s.req >/dev/null
	"$G" enroll sign --home c s.req --out s.enr >/dev/null
	"$G" enroll install --home s s.enr >/dev/null
}

# online_node: in $PWD, an online node home o (线上采集) enrolled by the
# coordinator c, and invitations for every student of c's roster in
# inv.csv.
online_node() {
	"$G" init --home o --role online --school 10335 --name 线上采集 >/dev/null
	"$G" enroll request --home o --out o.req >/dev/null
	"$G" enroll sign --home c o.req --out o.enr >/dev/null
	"$G" enroll install --home o o.enr >/dev/null
	"$G" online invite --home c --out inv.csv >/dev/null
}

# free_port: a TCP port on 127.0.0.1 free now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT: until something listens there (5 s at most).
wait_port() {
	for _ in $(seq 1 50); do
		python3 -c "import socket,sys; sys.exit(socket.socket().connect_ex(('127.0.0.1',$1)))" && return 0
		sleep 0.1
	done
	fail "nothing listens on port $1"
}

# serve_tls HOME: `gradcap serve` of HOME on a free loopback port with
# TLS, without the UI, its log in HOME.log; sets URL and stops it at exit.
serve_tls() {
	local port
	port=$(free_port)
	URL=tls+tcp://127.0.0.1:$port
	"$G" serve --home "$1" --no-ui --listen "$URL" 2>"$1.log" &
	spid=$!
	trap '{ kill $spid; wait $spid; } 2>/dev/null || true; rm -rf "$T"' EXIT
	wait_port "$port"
}

# online_school COUNT: school_and_site COUNT and online_node, the
# invitations taken by o over TLS from `gradcap serve` of c (serve_tls:
# URL).
online_school() {
	school_and_site "$1"
	online_node
	serve_tls c
	expect 0 "$G" sync --home o "$URL"
}

# portal_start PORT: the student portal of o on 127.0.0.1:PORT (its log in
# o.log), ppid its process, stopped at exit with serve_tls's; one started
# before is stopped first (a restart, to read a changed gradcap.ini).
portal_start() {
	if [ -n "${ppid:-}" ]; then
		{ kill "$ppid"; wait "$ppid"; } 2>/dev/null || true
	fi
	"$G" serve --home o --no-ui --portal "http://127.0.0.1:$1" 2>>o.log &
	ppid=$!
	trap '{ kill $spid $ppid; wait $spid $ppid; } 2>/dev/null || true; rm -rf "$T"' EXIT
	wait_port "$1"
}

# guide_verifiers: writes the auditor guide's own programs, as printed in
# docs/auditor-guide.md, to $T/verify_proofs.py and builds $T/verify-gradcap
# (Debian's golang-go with golang-golang-x-mod-dev).
guide_verifiers() {
	[ -x "$T/verify-gradcap" ] && return 0
	python3 - "$(dirname "${BASH_SOURCE[0]}")/../../docs/auditor-guide.md" "$T" <<'PY'
import os, re, sys
t = open(sys.argv[1], encoding="utf-8").read()
for mark, lang, out in (("Save it as `verify_proofs.py`:", "python", "verify_proofs.py"),
                        ("Save it as `verify.go`:", "go", "verify.go")):
    m = re.search(re.escape(mark) + r"\s*```" + lang + r"\n(.*?)\n```", t, re.S)
    assert m, "no %s block after %r in the auditor guide" % (lang, mark)
    open(os.path.join(sys.argv[2], out), "w", encoding="utf-8").write(m.group(1) + "\n")
PY
	(cd "$T" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$T/gocache" \
		GOFLAGS= go build -o verify-gradcap verify.go) 2>"$T/go.err" ||
		{ cat "$T/go.err" >&2; fail "the auditor guide's verify.go does not build"; }
}

# guide_verify CODE VKEY BUNDLE: both of the guide's programs exit CODE on
# BUNDLE; their output is left in $T/out.py and $T/out.go.
guide_verify() {
	local want=$1 vkey=$2 b=$3 got
	guide_verifiers
	got=0
	python3 "$T/verify_proofs.py" "$b" >"$T/out.py" 2>&1 || got=$?
	[ "$got" = "$want" ] || { cat "$T/out.py"; fail "verify_proofs.py $b: exit $got, expected $want"; }
	got=0
	"$T/verify-gradcap" "$vkey" "$b" >"$T/out.go" 2>&1 || got=$?
	[ "$got" = "$want" ] || { cat "$T/out.go"; fail "verify-gradcap $b: exit $got, expected $want"; }
	checks=$((checks + 2))
}
