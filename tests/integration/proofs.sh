#!/usr/bin/env bash
# Checkpoints, inclusion proofs and consistency proofs between checkpoints,
# checked by gradcap itself and by an independent implementation: Go's
# golang.org/x/mod/sumdb/note (signed notes) and sumdb/tlog (RFC 6962 tree
# hashes, record and tree proofs), from Debian's golang-golang-x-mod-dev.
# Tampering is caught by both.
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

# --- consistency: four checkpoints with changes between them; the
# checkpoint history (a log whose leaf i is checkpoint i) of each extends
# that of every earlier one
cp cp.note h1.note # history 1: 37 students, nothing photographed
has h1.note "history 1 "
"$G" sample roster --count 40 --out r40.csv
"$G" roster import --home c r40.csv >/dev/null # three students more
expect 0 "$G" checkpoint --home c --out h2.note
has out "history 2 "
if [ -s "${GC_TESTDATA_DIR:-/nonexistent}/grace_hopper.jpg" ] && [ -n "${GC_SYNTH:-}" ]; then
	# a capture, then its review
	"$GC_SYNTH" --size 1000x1336 --source grace_hopper "$GC_TESTDATA_DIR" synth >/dev/null
	"$G" session open --home c --kind central --location hall >/dev/null
	expect 0 "$G" capture --home c --student "$(sed -n 2p r40.csv | cut -d, -f1)" --file synth/grace_hopper-ok-blue.jpg
	expect 0 "$G" checkpoint --home c --out h3.note
	cap=$("$G" log --home c --json | python3 -c 'import json,sys; print([e["id"] for e in json.load(sys.stdin) if e["kind"]=="CAPTURE"][0])')
	expect 0 "$G" review approve --home c "$cap"
else
	echo "proofs: no test photos: the checkpoints differ by roster growth only"
	"$G" sample roster --count 42 --out r42.csv
	"$G" roster import --home c r42.csv >/dev/null
	expect 0 "$G" checkpoint --home c --out h3.note
	"$G" sample roster --count 44 --out r44.csv
	"$G" roster import --home c r44.csv >/dev/null
fi
expect 0 "$G" checkpoint --home c --out h4.note
has out "history 4 "
[ "$(for i in 1 2 3 4; do sed -n 3p h$i.note; done | sort -u | wc -l)" = 4 ] ||
	fail "the four checkpoints do not sign four different sets"
checks=$((checks + 1))
expect 0 "$G" audit verify --home c
has out "checkpoint history: 4 checkpoints"
for i in 1 2 3 4; do
	for j in $(seq $i 4); do
		expect 0 "$G" audit prove-consistency --home c --old h$i.note --new h$j.note --out c.$i.$j
		expect 0 "$G" audit check-consistency c.$i.$j --old h$i.note --new h$j.note --key "$vkey"
		has out "OK gradcap/10335: the history of size $j extends that of size $i"
	done
	# without --new: the latest checkpoint
	expect 0 "$G" audit prove-consistency --home c --old h$i.note
	cmp -s "$T/out" c.$i.4 || fail "prove-consistency --old h$i.note does not prove against the latest"
	checks=$((checks + 1))
done
# the inclusion proofs against the first checkpoint still hold
expect 0 "$G" audit check-proof proof.5 --checkpoint h1.note --key "$vkey"

# what the prover refuses
expect 1 "$G" audit prove-consistency --home s --old h2.note
has err "this node holds 0 checkpoints (sync)"
expect 2 "$G" audit prove-consistency --home c --old h3.note --new h1.note
has err "the old checkpoint (history size 3) is newer than the new one (history size 1)"
expect 4 "$G" audit prove-consistency --home c --old h1.note --new cp.bad
has err "does not verify"
expect 2 "$G" audit prove-consistency --home c --old nothing.note
has err "nothing.note"
expect 2 "$G" audit prove-consistency --home c
has err "usage"

# tampering: every failure named, exit 4
ck() { expect "$1" "$G" audit check-consistency "$2" --old "$3" --new "$4" --key "${5:-$vkey}"; }
ck 4 c.1.3 h3.note h1.note
has out "FAIL the old checkpoint (history size 3) is newer than the new one (history size 1): swapped?"
ck 4 c.1.3 h2.note h3.note
has out "the proof is from history size 1 to 3, the checkpoints are at 2 and 3"
ck 4 c.1.3 h1.note h4.note
has out "the proof is from history size 1 to 3, the checkpoints are at 1 and 4"
ck 4 c.1.3 h1.note h3.note "$("$G" audit key --home other)"
has out "FAIL h1.note: no signature by key"
sed 's/^history 2 /history 3 /' h2.note >h2.bad
ck 4 c.2.4 h2.bad h4.note
has out "FAIL h2.bad: the signature by 'gradcap/10335' does not verify"
sed '2s/.*/gradcap\/10336/' c.1.3 >c.origin
ck 4 c.origin h1.note h3.note
has out "the proof is for gradcap/10336, the checkpoints are of gradcap/10335"
# another school's checkpoints, well signed by its own key
"$G" init --home o --role coordinator --school 10336 --name x >/dev/null
"$G" checkpoint --home o --out o1.note >/dev/null 2>&1
"$G" checkpoint --home o --out o2.note >/dev/null 2>&1
ck 4 c.1.2 o1.note o2.note "$("$G" audit key --home o)"
has out "the proof is for gradcap/10335, the checkpoints are of gradcap/10336"
# hashes altered, dropped, added; another checkpoint's leaf
python3 - <<'EOF2'
import base64
def parts(path):
    l = open(path).read().split('\n')[:-1]
    i = l.index('inclusion')
    return l[:6], l[6:i], l[i + 1:]
def write(path, head, cons, incl):
    open(path, 'w').write('\n'.join(head + cons + ['inclusion'] + incl) + '\n')
def flip(h, bit):
    b = bytearray(base64.b64decode(h)); b[bit // 8] ^= 1 << (bit % 8)
    return base64.b64encode(bytes(b)).decode()
head, cons, incl = parts('c.3.4')
assert cons and incl, 'c.3.4 has empty proofs'
write('t.cons', head, [flip(cons[0], 77)] + cons[1:], incl)
write('t.incl', head, cons, incl[:-1] + [flip(incl[-1], 200)])
write('t.short', head, cons[:-1], incl)
write('t.long', head, cons + [cons[-1]], incl)
write('t.ishort', head, cons, incl[:-1])
h2, _, _ = parts('c.2.4')
write('t.leaf', head[:4] + [h2[4]] + head[5:], cons, incl)
EOF2
ck 4 t.cons h3.note h4.note
has out "FAIL t.cons: the consistency proof does not hold: the new history does not extend the old one"
ck 4 t.short h3.note h4.note
has out "FAIL t.short: the consistency proof does not hold"
ck 4 t.long h3.note h4.note
has out "FAIL t.long: the consistency proof does not hold"
ck 4 t.incl h3.note h4.note
has out "FAIL t.incl: the inclusion proof does not hold: the old checkpoint is not leaf 2 of the new history"
ck 4 t.ishort h3.note h4.note
has out "FAIL t.ishort: the inclusion proof does not hold"
ck 4 t.leaf h3.note h4.note
has out "FAIL t.leaf: the leaf is not the old checkpoint's (history leaf 1 of 40 students"

# malformed proofs and notes: exit 2, the file and the line named
mal() { # NAME WANT: the file NAME, the message WANT
	expect 2 "$G" audit check-consistency "$1" --old h3.note --new h4.note --key "$vkey"
	has err "gradcap: $1: "
	has err "$2"
}
: >m.empty
mal m.empty "line 1: the proof ends early (no 'consistency' line)"
sed '1s/.*/gradcap inclusion proof v1/' c.3.4 >m.magic
mal m.magic "line 1: not a gradcap consistency proof"
sed '3s/.*/x/' c.3.4 >m.num
mal m.num "line 3: the old history size is not a number from 1"
sed '4s/.*/0/' c.3.4 >m.zero
mal m.zero "line 4: the new history size is not a number from 1"
sed '3s/.*/+3/' c.3.4 >m.sign
mal m.sign "line 3: the old history size is not a number from 1"
sed '5s/.*/not base64!/' c.3.4 >m.leaf64
mal m.leaf64 "line 5: not the base64 of a history leaf"
sed "5s/.*/$(printf '\x83\x01\x02\x03' | base64)/" c.3.4 >m.leafcbor
mal m.leafcbor "line 5: not the base64 of a history leaf"
sed '6s/.*/consistent/' c.3.4 >m.sect
mal m.sect "line 6: want 'consistency'"
grep -v '^inclusion$' c.3.4 >m.noincl
mal m.noincl "the proof ends early (no 'inclusion' line)"
sed '7s/.*/AAAA/' c.3.4 >m.hash
mal m.hash "line 7: not a base64 SHA-256 hash (or the 'inclusion' line)"
{ cat c.3.4; echo extra; } >m.trail
mal m.trail "not a base64 SHA-256 hash"
head -c -1 c.3.4 >m.nonl
mal m.nonl "the file does not end in a newline"
sed 's/$/\r/' c.3.4 >m.crlf
mal m.crlf "line 1: a NUL byte or a carriage return"
{ head -6 c.3.4; for _ in $(seq 65); do sed -n 7p c.3.4; done; echo inclusion; } >m.many
mal m.many "line 71: more than 64 hashes in the consistency proof"
mal m.missing "No such file"
expect 2 "$G" audit check-consistency c.3.4 --old nothing.note --new h4.note --key "$vkey"
has err "nothing.note: "
printf 'gradcap/10335\n3\nxx\n' >m.note
expect 2 "$G" audit check-consistency c.3.4 --old m.note --new h4.note --key "$vkey"
has err "m.note: not a signed note"
expect 2 "$G" audit check-consistency c.3.4 --old h3.note --new h4.note --key nonsense
has err "not a verifier key"
expect 2 "$G" audit check-consistency c.3.4 --old h3.note --key "$vkey"
has err "usage"

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
	"bytes"
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
	if len(os.Args) == 6 && os.Args[1] == "consistency" {
		consistency(os.Args[2:])
		return
	}
	inclusion(os.Args[1:])
}

// inclusion checks the checkpoint and every proof: VKEY CHECKPOINT COUNT.
func inclusion(args []string) {
	vkey, cpPath, n := args[0], args[1], args[2]
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

type checkpoint struct {
	origin      string
	size, hsize int64
	root, hroot tlog.Hash
}

func hash(s string) tlog.Hash {
	var h tlog.Hash
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != len(h) {
		die("not a hash: %q", s)
	}
	copy(h[:], b)
	return h
}

func open(v note.Verifier, path string) checkpoint {
	msg, _ := os.ReadFile(path)
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		die("note %s: %v", path, err)
	}
	l := strings.Split(n.Text, "\n")
	if len(l) < 5 || !strings.HasPrefix(l[3], "history ") {
		die("note %s: no history line", path)
	}
	h := strings.Fields(l[3])
	var c checkpoint
	c.origin = l[0]
	c.size, _ = strconv.ParseInt(l[1], 10, 64)
	c.root = hash(l[2])
	c.hsize, _ = strconv.ParseInt(h[1], 10, 64)
	c.hroot = hash(h[2])
	return c
}

// cborUint reads one CBOR unsigned integer (major type 0) from b.
func cborUint(b []byte) (int64, []byte) {
	if len(b) == 0 || b[0]>>5 != 0 {
		die("leaf: not an unsigned integer")
	}
	ai := b[0] & 31
	if ai < 24 {
		return int64(ai), b[1:]
	}
	if ai > 27 {
		die("leaf: bad integer head")
	}
	n := 1 << (ai - 24)
	if len(b) < 1+n {
		die("leaf: short")
	}
	var v int64
	for _, c := range b[1 : 1+n] {
		v = v<<8 | int64(c)
	}
	return v, b[1+n:]
}

// consistency checks a consistency proof: VKEY OLD.note NEW.note PROOF.
func consistency(args []string) {
	v, err := note.NewVerifier(args[0])
	if err != nil {
		die("verifier: %v", err)
	}
	old, nw := open(v, args[1]), open(v, args[2])
	raw, _ := os.ReadFile(args[3])
	l := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(l) < 7 || l[0] != "gradcap consistency proof v1" || l[5] != "consistency" {
		die("proof: malformed")
	}
	m, _ := strconv.ParseInt(l[2], 10, 64)
	n, _ := strconv.ParseInt(l[3], 10, 64)
	if l[1] != old.origin || old.origin != nw.origin || m != old.hsize || n != nw.hsize {
		die("proof: for %s %d..%d, notes %s %d, %s %d", l[1], m, n, old.origin, old.hsize, nw.origin, nw.hsize)
	}
	leaf, _ := base64.StdEncoding.DecodeString(l[4])
	if len(leaf) < 1 || leaf[0] != 0x83 {
		die("leaf: not an array of 3")
	}
	idx, rest := cborUint(leaf[1:])
	size, rest := cborUint(rest)
	if len(rest) != 34 || rest[0] != 0x58 || rest[1] != 32 ||
		!bytes.Equal(rest[2:], old.root[:]) || idx != m-1 || size != old.size {
		die("leaf: not [%d, %d, the old checkpoint's root]", m-1, old.size)
	}
	var tp tlog.TreeProof
	var rp tlog.RecordProof
	incl := false
	for _, s := range l[6:] {
		if s == "inclusion" {
			incl = true
		} else if incl {
			rp = append(rp, hash(s))
		} else {
			tp = append(tp, hash(s))
		}
	}
	if err := tlog.CheckTree(tp, n, nw.hroot, m, old.hroot); err != nil {
		die("CheckTree %d -> %d: %v", m, n, err)
	}
	if err := tlog.CheckRecord(rp, n, nw.hroot, m-1, tlog.RecordHash(leaf)); err != nil {
		die("CheckRecord %d in %d: %v", m-1, n, err)
	}
	fmt.Printf("OK go: history %d -> %d; checkpoint %d (%d students) is leaf %d\n", m, n, m-1, old.size, m-1)
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

# consistency proofs: tlog.CheckTree for the histories, tlog.CheckRecord
# for the old checkpoint's leaf (its CBOR read by hand)
for i in 1 2 3 4; do
	for j in $(seq $i 4); do
		expect 0 ./gocheck consistency "$vkey" h$i.note h$j.note c.$i.$j
		has out "OK go: history $i -> $j"
	done
done
expect 4 ./gocheck consistency "$vkey" h3.note h4.note t.cons
has out "FAIL CheckTree 3 -> 4"
expect 4 ./gocheck consistency "$vkey" h3.note h4.note t.long
has out "FAIL CheckTree 3 -> 4"
expect 4 ./gocheck consistency "$vkey" h3.note h4.note t.incl
has out "FAIL CheckRecord 2 in 4"
expect 4 ./gocheck consistency "$vkey" h3.note h4.note t.leaf
has out "FAIL leaf"
expect 4 ./gocheck consistency "$vkey" h2.bad h4.note c.2.4
has out "FAIL note h2.bad"
expect 4 ./gocheck consistency "$vkey" h3.note h1.note c.1.3
has out "FAIL proof"
echo "proofs: $checks checks passed (Go cross-check included)"
