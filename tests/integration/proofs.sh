#!/usr/bin/env bash
# Checkpoints and inclusion proofs, checked by gradcap itself and by an
# independent implementation: Go's golang.org/x/mod/sumdb/note (signed
# notes) and sumdb/tlog (RFC 6962 tree hashes and record proofs), from
# Debian's golang-golang-x-mod-dev. Tampering is caught by both.
. "$(dirname "$0")/../cli/lib.bash"
cd "$T"
m() { python3 -c "import json,sys; j=json.load(open('$T/out')); sys.exit(0 if ($1) else 1)" || { cat "$T/out"; fail "$1"; }; checks=$((checks + 1)); }

"$G" init --home c --role coordinator --school 10335 --name 教务处 >/dev/null
"$G" sample roster --count 37 --out r.csv # not a power of two
"$G" roster import --home c r.csv >/dev/null
"$G" init --home s --role site --school 10335 --name 东区 >/dev/null
"$G" enroll request --home s --out s.req >/dev/null
"$G" enroll sign --home c s.req --out s.enr >/dev/null
"$G" enroll install --home s s.enr >/dev/null

expect 1 "$G" audit prove --home c "$(sed -n 2p r.csv | cut -d, -f1)"
has err "no checkpoint yet"
expect 1 "$G" checkpoint --home s
has err "only the coordinator"
expect 0 "$G" checkpoint --home c --out cp.note
has out "gradcap/10335"
expect 0 "$G" audit key --home s
vkey=$(cat "$T/out")
[ "$vkey" = "$("$G" audit key --home c)" ] || fail "site and coordinator disagree on the key"
checks=$((checks + 1))

# a proof for every student, each checked by gradcap
n=0
for row in $(seq 2 38); do
	xh=$(sed -n ${row}p r.csv | cut -d, -f1)
	expect 0 "$G" audit prove --home c "$xh" --out proof.$n
	expect 0 "$G" audit check-proof proof.$n --checkpoint cp.note --key "$vkey"
	has out "OK 10335:"
	n=$((n + 1))
done

# tampering: the checkpoint, the key, the proof
sed 's/^37$/36/' cp.note >cp.bad
expect 4 "$G" audit check-proof proof.0 --checkpoint cp.bad --key "$vkey"
has out "does not verify"
"$G" init --home other --role coordinator --school 10335 --name x >/dev/null
expect 4 "$G" audit check-proof proof.0 --checkpoint cp.note --key "$("$G" audit key --home other)"
has out "no signature by key"
python3 - <<'EOF'
lines = open('proof.3').read().split('\n')
i = int(lines[3])
lines[3] = str(i + 1 if i + 1 < 37 else i - 1)   # another leaf's index
open('proof.bad', 'w').write('\n'.join(lines))
EOF
expect 4 "$G" audit check-proof proof.bad --checkpoint cp.note --key "$vkey"
has out "not in the checkpointed tree"
expect 2 "$G" audit check-proof proof.0 --checkpoint cp.note --key nonsense

# --- the independent check in Go
if ! command -v go >/dev/null 2>&1; then
	echo "proofs: go is not installed: the Go cross-check is SKIPPED ($checks checks passed)"
	exit 0
fi
if [ ! -d /usr/share/gocode/src/golang.org/x/mod/sumdb/tlog ]; then
	echo "proofs: golang-golang-x-mod-dev is not installed: the Go cross-check is SKIPPED ($checks checks passed)"
	exit 0
fi
mkdir -p gosrc/check
cat >gosrc/check/main.go <<'EOF'
// Verifies gradcap's checkpoint and proofs with Go's sumdb packages.
package main

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func die(f string, a ...interface{}) { fmt.Printf("FAIL "+f+"\n", a...); os.Exit(4) }

func main() {
	vkey, cpPath, n := os.Args[1], os.Args[2], os.Args[3]
	count, _ := strconv.Atoi(n)
	v, err := note.NewVerifier(vkey)
	if err != nil {
		die("verifier: %v", err)
	}
	msg, _ := os.ReadFile(cpPath)
	nt, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		die("note: %v", err)
	}
	lines := strings.Split(nt.Text, "\n")
	size, _ := strconv.ParseInt(lines[1], 10, 64)
	rootb, _ := base64.StdEncoding.DecodeString(lines[2])
	var root tlog.Hash
	copy(root[:], rootb)
	// every leaf, from the proofs, rebuilt into a tree by tlog itself
	var stored []tlog.Hash
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	leaves := make([][]byte, count)
	for i := 0; i < count; i++ {
		f, _ := os.Open(fmt.Sprintf("proof.%d", i))
		sc := bufio.NewScanner(f)
		var l []string
		for sc.Scan() {
			l = append(l, sc.Text())
		}
		f.Close()
		if len(l) < 5 {
			die("proof.%d: too short", i)
		}
		idx, err := strconv.ParseInt(l[3], 10, 64)
		if err != nil || idx < 0 || idx >= int64(count) {
			die("proof.%d: index %s out of range", i, l[3])
		}
		leaf, _ := base64.StdEncoding.DecodeString(l[4])
		leaves[idx] = leaf
		var p tlog.RecordProof
		for _, s := range l[5:] {
			b, _ := base64.StdEncoding.DecodeString(s)
			var h tlog.Hash
			copy(h[:], b)
			p = append(p, h)
		}
		if err := tlog.CheckRecord(p, size, root, idx, tlog.RecordHash(leaf)); err != nil {
			die("proof.%d: %v", i, err)
		}
	}
	for i := 0; i < count; i++ {
		hs, err := tlog.StoredHashes(int64(i), leaves[i], hr)
		if err != nil {
			die("stored hashes: %v", err)
		}
		stored = append(stored, hs...)
	}
	th, err := tlog.TreeHash(int64(count), hr)
	if err != nil || th != root {
		die("tree hash %v != checkpoint root %v (%v)", th, root, err)
	}
	fmt.Printf("OK go: note signed by %s; %d proofs; tree hash %s\n", nt.Sigs[0].Name, count, th)
}
EOF
export GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$T/gocache" GOFLAGS=
go build -o gocheck gosrc/check/main.go || fail "the Go checker does not build"
expect 0 ./gocheck "$vkey" cp.note 37
has out "OK go: note signed by gradcap/10335; 37 proofs"
expect 4 ./gocheck "$vkey" cp.bad 37
has out "FAIL note"
cp proof.bad proof.3
expect 4 ./gocheck "$vkey" cp.note 37
has out "FAIL proof.3"
echo "proofs: $checks checks passed (Go cross-check included)"
