#!/usr/bin/env bash
# Replication with real processes on loopback over mutual TLS: a coordinator
# and three sites, each a separate `gradcap` process (issue 4, item 7).
. "$(dirname "$0")/../cli/lib.bash"
cd "$T"
if [ ! -s "${GC_TESTDATA_DIR:-/nonexistent}/grace_hopper.jpg" ]; then
	echo "sync: SKIP: no test photos (tests/data/fetch.sh)"
	exit 0
fi
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		{ kill -9 "$p"; wait "$p"; } 2>/dev/null || true
	done
	rm -rf "$T"
}
trap cleanup EXIT

"$GC_SYNTH" --size 1000x1336 --source grace_hopper "$GC_TESTDATA_DIR" synth >/dev/null
ok=synth/grace_hopper-ok-blue.jpg
ok2=synth/grace_hopper-ok-white.jpg
# a large original (about 10 chunks of 256 KiB) for the interrupted transfers
convert "$ok" -resize 300% -quality 100 big.jpg
convert "$ok" -resize 300% -quality 99 big2.jpg
big_size=$(stat -c %s big.jpg)
big2_size=$(stat -c %s big2.jpg)
[ "$big_size" -gt $((6 * 262144)) ] || fail "big.jpg is only $big_size bytes"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() { # wait until something listens on $1
	for _ in $(seq 1 100); do
		python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$1)))" && return 0
		sleep 0.1
	done
	fail "nothing listens on port $1"
}
PORT=$(free_port)
URL=tls+tcp://127.0.0.1:$PORT
serve_c() { # starts the coordinator's listener; its pid in $cpid
	"$G" serve --home c --listen "$URL" >>c.log 2>&1 &
	cpid=$!
	pids+=("$cpid")
	wait_port "$PORT"
}
wait_partial() { # until HOME holds at least one committed chunk of a blob
	for _ in $(seq 1 300); do
		n=$("$G" status --home "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["partial_bytes"])')
		[ "$n" -ge 262144 ] && return 0
		sleep 0.1
	done
	fail "no chunk of the big photo arrived at $1"
}
digest() { # HOME -> "entries_digest blobs_digest"
	"$G" status --home "$1" --json | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["replica"]["entries_digest"], j["replica"]["blobs_digest"])'
}

# --- a coordinator with a roster, three sites enrolled by file
"$G" init --home c --role coordinator --school 10335 --name 教务处 >/dev/null
[ -s c/tls.crt ] && [ "$(stat -c %a c/tls.key)" = 600 ] || fail "init made no TLS identity"
"$G" sample roster --count 40 --out r.csv
"$G" roster import --home c r.csv >/dev/null
for s in s1 s2 s3; do
	"$G" init --home $s --role site --school 10335 --name "site-$s" >/dev/null
	"$G" enroll request --home $s --out $s.req >/dev/null
	"$G" enroll sign --home c $s.req --out $s.enr >/dev/null
	"$G" enroll install --home $s $s.enr >/dev/null
	printf '\n[sync]\nblobs = all\n' >>$s/gradcap.ini
done
expect 0 "$G" log --home c --json
json "all(e['body'].get('tls_fingerprint') for e in j if e['kind']=='ENROLL')"

# --- offline: each site captures two students, each shot its own photo
row=2
for s in s1 s2 s3; do
	"$G" session open --home $s --kind central --location hall >/dev/null
	for _ in 1 2; do
		stu=$(sed -n ${row}p r.csv | cut -d, -f1)
		convert "$ok" -quality $((80 + row)) shot$row.jpg
		expect 0 "$G" capture --home $s --student "$stu" --file shot$row.jpg
		row=$((row + 1))
	done
done

# --- plain tcp:// needs --insecure, and the other way round
expect 2 "$G" sync --home s1 tcp://127.0.0.1:$PORT
has err "--insecure"
expect 2 "$G" sync --home s1 --insecure "$URL"
# --- no coordinator running: a clear error, recorded for 'peers'
expect 1 "$G" sync --home s1 "$URL"
has err "connection refused"
expect 0 "$G" peers --home s1 --json
json "j[0]['online']==False and 'refused' in j[0]['last_error']"

# --- a peer that accepts TCP but never answers TLS: a timeout, not a hang
SILENT=$(free_port)
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $SILENT)); s.listen(5)
c = []
end = time.time() + 20
while time.time() < end:
    s.settimeout(0.2)
    try: c.append(s.accept())
    except OSError: pass
" &
pids+=($!)
wait_port "$SILENT"
t0=$(date +%s)
expect 1 "$G" sync --home s1 --timeout 2 tls+tcp://127.0.0.1:$SILENT
has err "no answer within the timeout"
[ $(($(date +%s) - t0)) -le 6 ] || fail "the timeout took $(($(date +%s) - t0)) s"

# --- the network comes: every site syncs; after a second pass all hold
# the same entries and blobs
serve_c
for s in s1 s2 s3; do
	expect 0 "$G" sync --home $s --json "$URL"
	json "j['converged'] and j['entries_sent']==3 and j['blobs_sent']==4 and j['peer']['role']=='coordinator'"
done
for s in s1 s2 s3; do
	expect 0 "$G" sync --home $s --json "$URL"
	json "j['converged'] and j['entries_sent']==0"
done
want=$(digest c)
for s in s1 s2 s3; do
	[ "$(digest $s)" = "$want" ] || fail "$s differs from the coordinator: $(digest $s) vs $want"
	checks=$((checks + 1))
done
expect 0 "$G" status --home c --json
json "j['missing_blobs']==0 and j['blobs']==12 and j['forks']==0"
# the merged view is the same everywhere: one authoritative set, one root
json "j['merge']['counts']['PENDING_REVIEW']==6 and j['merge']['counts']['MISSING']==34"
mroot=$("$G" status --home c --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["merge"]["digest"])')
for s in s1 s2 s3; do
	got=$("$G" status --home $s --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["merge"]["digest"])')
	[ "$got" = "$mroot" ] || fail "$s has merge digest $got, the coordinator $mroot"
	checks=$((checks + 1))
done
# a repeated exchange moves nothing
expect 0 "$G" sync --home s2 --json "$URL"
json "j['entries_sent']+j['entries_received']+j['blobs_sent']+j['blobs_received']==0"
expect 0 "$G" peers --home c --json
json "len([p for p in j if p['direction']=='inbound'])==3"
expect 0 "$G" peers --home s1
has out "online"

# --- two sites sync directly with the same commands
SPORT=$(free_port)
"$G" serve --home s1 --listen tls+tcp://127.0.0.1:$SPORT >>s1.log 2>&1 &
pids+=($!)
wait_port "$SPORT"
stu=$(sed -n 30p r.csv | cut -d, -f1)
convert "$ok2" -quality 91 direct.jpg
expect 0 "$G" capture --home s3 --student "$stu" --file direct.jpg
expect 0 "$G" sync --home s3 --json tls+tcp://127.0.0.1:$SPORT
json "j['converged'] and j['peer']['name']=='site-s1' and j['entries_sent']==1 and j['blobs_sent']==2"
expect 0 "$G" sync --home s1 --json "$URL"
json "j['converged'] and j['entries_sent']==1"

# --- SIGKILL the site in the middle of a blob transfer, then finish
stu=$(sed -n 20p r.csv | cut -d, -f1)
expect 0 "$G" capture --home s1 --student "$stu" --file big.jpg
GRADCAP_TEST_CHUNK_DELAY_MS=300 "$G" sync --home s1 "$URL" >/dev/null 2>&1 &
spid=$!
wait_partial c
{ kill -9 $spid; wait $spid; } 2>/dev/null || true
expect 0 "$G" sync --home s1 --json "$URL"
# committed chunks are not sent again: the resumed offset is a whole
# number of chunks, and what went is the rest (plus at most the small
# normalised photo, under 64 KiB)
json "j['converged'] and j['blob_bytes_resumed_sent'] >= 262144 and j['blob_bytes_resumed_sent'] % 262144 == 0 and $big_size - j['blob_bytes_resumed_sent'] <= j['blob_bytes_sent'] <= $big_size - j['blob_bytes_resumed_sent'] + 65536"

# --- SIGKILL the coordinator in the middle of a blob transfer, restart it
stu=$(sed -n 21p r.csv | cut -d, -f1)
expect 0 "$G" capture --home s2 --student "$stu" --file big2.jpg
GRADCAP_TEST_CHUNK_DELAY_MS=300 "$G" sync --home s2 --timeout 5 "$URL" >/dev/null 2>&1 &
spid=$!
wait_partial c
{ kill -9 "$cpid"; wait "$cpid"; wait $spid; } 2>/dev/null || true
serve_c
expect 0 "$G" sync --home s2 --json "$URL"
json "j['converged'] and j['blob_bytes_resumed_sent'] >= 262144 and j['blob_bytes_resumed_sent'] % 262144 == 0 and $big2_size - j['blob_bytes_resumed_sent'] <= j['blob_bytes_sent'] <= $big2_size - j['blob_bytes_resumed_sent'] + 65536"

# --- a node the coordinator never enrolled cannot even finish TLS
"$G" init --home rogue --role coordinator --school 10335 --name rogue >/dev/null
expect 1 "$G" sync --home rogue "$URL"
has err "TLS handshake failed"

# --- an entry damaged on a site's disk is refused by the coordinator,
# with its reason; the good ones still go
stu=$(sed -n 22p r.csv | cut -d, -f1)
expect 0 "$G" capture --home s3 --student "$stu" --file "$ok2"
"$G" log --home s3 --raw --feed "$(cat s3/node.pub)" >raw.cbor
# the last entry's signature (its final 64 bytes) is unique in data.mdb:
# flip a bit of the signed body before it, wherever LMDB holds it
python3 - <<'EOF'
data = open('raw.cbor', 'rb').read()
# RFC 8742 sequence of entries; the last one ends the file
sig = data[-64:]
db = bytearray(open('s3/db/data.mdb', 'rb').read())
n = 0
i = db.find(sig)
while i >= 0:
    db[i - 100] ^= 0x01
    n += 1
    i = db.find(sig, i + 1)
assert n >= 1, "entry bytes not found in data.mdb"
open('s3/db/data.mdb', 'wb').write(bytes(db))
EOF
expect 3 "$G" sync --home s3 --json "$URL"
json "j['rejected_by_peer']==1 and 'signature does not verify' in j['first_reject']"
has err "refused by the peer"
grep -q 'SYNC-REJECT' c.log || fail "the coordinator did not log the refusal"
checks=$((checks + 1))

# --- a site restored from an old backup writes again: a proved fork; the
# feed is quarantined and the other sites still converge
cp -a s2 s2.bak
stu=$(sed -n 23p r.csv | cut -d, -f1)
expect 0 "$G" capture --home s2 --student "$stu" --file "$ok"
expect 0 "$G" sync --home s2 "$URL"
rm -rf s2 && mv s2.bak s2
stu=$(sed -n 24p r.csv | cut -d, -f1)
expect 0 "$G" capture --home s2 --student "$stu" --file "$ok2"
expect 0 "$G" sync --home s2 --json "$URL"
json "j['forks']>=1"
expect 0 "$G" status --home c --json
json "j['forks']>=1 and [f for f in j['feeds'] if f.get('quarantined')]"
grep -q 'LEDGER-FORK' c.log || fail "the coordinator did not log the fork"
for s in s1 s3; do
	"$G" sync --home $s "$URL" >/dev/null 2>&1 || true
done
expect 0 "$G" sync --home s1 --json "$URL"
json "j['converged']"
want=$(digest c)
[ "$(digest s1)" = "$want" ] || fail "s1 differs from the coordinator after the fork"
checks=$((checks + 1))

# --- an oversize or malformed message is refused; the listener goes on
IPORT=$(free_port)
"$G" serve --home c --insecure --listen tcp://127.0.0.1:$IPORT >>ci.log 2>&1 &
pids+=($!)
wait_port "$IPORT"
python3 - "$IPORT" <<'EOF'
import socket, struct, sys
port = int(sys.argv[1])
def sp_connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"\x00SP\x00\x00\x30\x00\x00")  # SP header, protocol REQ
    h = s.recv(8)
    assert h[:4] == b"\x00SP\x00", h
    return s
def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b
# malformed: a request id then bytes that are not CBOR
s = sp_connect()
body = struct.pack(">I", 0x80000001) + b"\xff" * 40
s.sendall(struct.pack(">Q", len(body)) + body)
n = struct.unpack(">Q", recv_exact(s, 8))[0]
rep = recv_exact(s, n)
assert b"malformed" in rep, rep
s.close()
# oversize: a frame announced at 64 MiB is refused (connection closed)
s = sp_connect()
s.sendall(struct.pack(">Q", 64 << 20) + b"\x80\x00\x00\x02" + b"\x00" * 1000)
try:
    assert s.recv(8) == b""
except ConnectionResetError:
    pass
s.close()
# garbage on the TLS port does not hurt it either
EOF
checks=$((checks + 1))
python3 -c "import socket; s=socket.create_connection(('127.0.0.1',$PORT)); s.sendall(b'GET / HTTP/1.0\r\n\r\n'*100); s.close()"
expect 0 "$G" sync --home s1 --insecure --json tcp://127.0.0.1:$IPORT
# past TLS (here: none), a node the school never enrolled is refused by
# name, and the listener says why in its log
expect 1 "$G" sync --home rogue --insecure tcp://127.0.0.1:$IPORT
has err "is not enrolled here"
grep -q 'SYNC-DENIED' ci.log || fail "the listener did not log the refusal"
checks=$((checks + 1))
expect 0 "$G" sync --home s1 --json "$URL"
json "j['converged']"

# --- background sync in serve: new local entries go out by themselves;
# an unreachable peer is retried with backoff and shown offline
for p in "${pids[@]}"; do { kill "$p"; wait "$p"; } 2>/dev/null || true; done
pids=()
serve_c
DEAD=$(free_port)
"$G" serve --home s1 --peer "$URL" --peer tls+tcp://127.0.0.1:$DEAD \
	--interval 2 >>s1bg.log 2>&1 &
pids+=($!)
stu=$(sed -n 31p r.csv | cut -d, -f1)
convert "$ok" -quality 92 bg.jpg
expect 0 "$G" capture --home s1 --student "$stu" --file bg.jpg
want=$("$G" status --home s1 --json | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["seq"])')
ok_bg=0
for _ in $(seq 1 100); do
	got=$("$G" status --home c --json | python3 -c "import json,sys; j=json.load(sys.stdin); print([f['seq'] for f in j['feeds'] if f['feed'].startswith('$(cut -c1-16 s1/node.pub)')][0])")
	if [ "$got" = "$want" ]; then ok_bg=1; break; fi
	sleep 0.2
done
[ $ok_bg = 1 ] || fail "serve did not push the new capture to the coordinator"
checks=$((checks + 1))
sleep 3
expect 0 "$G" peers --home s1 --json
json "[p for p in j if p['url']=='$URL'][0]['online'] and [p for p in j if p['url']=='$URL'][0]['last_error'] is None and [p for p in j if p['url']=='$URL'][0]['retry_in_ms']==0"
json "not [p for p in j if (p['url'] or '').endswith(':$DEAD')][0]['online'] and [p for p in j if (p['url'] or '').endswith(':$DEAD')][0]['retry_in_ms'] > 0"
has s1bg.log "SYNC-OFFLINE"
expect 0 "$G" peers --home s1
has out "offline"

echo "sync: $checks checks passed"
