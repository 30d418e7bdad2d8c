#!/usr/bin/env bash
# init, enrollment by files, roster import, the signed log and its
# verification, through the real gradcap binary, bad input included.
. "$(dirname "$0")/lib.bash"
cd "$T"

# --- init
expect 0 "$G" init --home coord --role coordinator --school 10335 --name 教务处
has out "school authority"
expect 1 "$G" init --home coord --role coordinator --school 10335 --name again
has err "already holds a node"
expect 2 "$G" init --home x --role site --school 1033 --name a
has err "5 digits"
expect 2 "$G" init --home x --role boss --school 10335 --name a
expect 2 "$G" frobnicate
# every command names a bad option and shows its usage; --help is exit 0
for c in init status reindex "enroll sign" "roster import" "log show" \
    check capture scan "session open" import-shoots; do
	# shellcheck disable=SC2086
	expect 2 "$G" $c --no-such-option
	has err "unknown option '--no-such-option'"
	has err "usage: gradcap"
	# shellcheck disable=SC2086
	expect 0 "$G" $c --help
	has out "usage: gradcap"
done
expect 2 "$G" status --home
has err "option '--home' needs a value"
expect 1 "$G" status --home nowhere
has err "gradcap init"

# a site whose key is sealed by a passphrase
echo "正确的口令" >pass
echo "wrong" >badpass
expect 0 "$G" init --home s1 --role site --school 10335 --name 紫金港 --seal --passphrase-file pass
[ "$(stat -c %a s1/node.key)" = 600 ] || fail "node.key mode"
expect 1 "$G" enroll request --home s1 --out s1.req
has err "sealed by a passphrase"
expect 1 "$G" enroll request --home s1 --out s1.req --passphrase-file badpass
has err "wrong passphrase"
expect 0 env GRADCAP_PASSPHRASE=正确的口令 "$G" enroll request --home s1 --out s1.req
expect 0 "$G" init --home s2 --role site --school 10335 --name 玉泉
expect 0 "$G" init --home other --role site --school 10001 --name 别校

# --- the roster first, so the enrollment file carries it
expect 0 "$G" sample roster --count 300 --seed 7 --out roster.csv
expect 0 "$G" roster import --home coord --json roster.csv
json "j['new']==300 and j['rejected_count']==0 and len(j['entries'])==1 and j['encoding']=='utf-8'"
expect 0 "$G" roster import --home coord --json roster.csv
json "j['new']==0 and j['unchanged']==300 and j['entries']==[]"

# --- enrollment by files
expect 0 "$G" enroll sign --home coord s1.req --out s1.enr
expect 1 "$G" enroll sign --home s2 s1.req
has err "only the coordinator"
expect 0 "$G" enroll request --home other --out other.req
expect 1 "$G" enroll sign --home coord other.req
has err "school 10001"
cp s1.req forged.req
printf '\x00' | dd of=forged.req bs=1 seek=60 conv=notrunc status=none
expect 1 "$G" enroll sign --home coord forged.req
expect 1 "$G" roster import --home s2 roster.csv
has err "only the coordinator"
expect 1 "$G" enroll install --home s2 s1.enr
has err "for another node"
expect 1 "$G" enroll install --home s1 --authority 0000000000000000 s1.enr
has err "nothing was installed"
coordkey=$(cat coord/node.pub)
expect 0 "$G" enroll install --home s1 --authority "${coordkey:0:16}" s1.enr
has out "enrolled as site"
expect 0 "$G" enroll install --home s1 s1.enr   # again: nothing changes
has out "0 new"
expect 0 "$G" status --home s1 --json
json "j['enrolled'] and j['students']==300 and j['role']=='site'"
expect 0 "$G" roster import --home s1 --dry-run roster.csv

# --- lookups
sno=$(sed -n 2p roster.csv | cut -d, -f1)
idn=$(sed -n 2p roster.csv | cut -d, -f6)
expect 0 "$G" roster show --home s1 "$sno"
has out "$idn"
expect 0 "$G" roster show --home coord --json "$idn"
json "j['student']['student_no']=='$sno'"
expect 1 "$G" roster show --home coord 999999999
has err "not on the roster"
expect 0 "$G" roster list --home coord --json
json "len(j)==300"

# --- a changed row becomes a patch; bad rows are named
sed '2s/,[^,]*,[^,]*$/,新班级01,新校区/' roster.csv >changed.csv
expect 0 "$G" roster import --home coord --json changed.csv
json "j['changed']==1 and j['unchanged']==299 and len(j['entries'])==1"
expect 0 "$G" log --home coord --json
json "j[-1]['kind']=='ROSTER' and j[-1]['body']['op']=='patch' and j[-1]['body']['rows'][0]['class']=='新班级01'"
before=$("$G" status --home coord --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["entries"])')
{ head -1 roster.csv; echo "2099000001,王五,男,2000-01-01,居民身份证,110105200001010013,,本科,x,y,z,w"; } >bad.csv
expect 3 "$G" roster import --home coord --strict --json bad.csv
json "j['imported']==False and j['rejected'][0]['row']==2 and 'check digit' in j['rejected'][0]['reason']"
after=$("$G" status --home coord --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["entries"])')
[ "$before" = "$after" ] || fail "--strict stored something"
expect 3 "$G" roster import --home coord bad.csv
has out "bad.csv row 2, column 身份证号"
head -c 3000 /dev/urandom >garbage.csv
printf '\x00' >>garbage.csv
expect 1 "$G" roster import --home coord garbage.csv
has err "garbage.csv"
: >empty.csv
expect 1 "$G" roster import --home coord empty.csv
has err "empty"
expect 1 "$G" roster import --home coord missing.csv
has err "missing.csv"

# --- a changed 学号 may not take another student's; a swap in one file may
s1no=$(sed -n 2p roster.csv | cut -d, -f1)
s2no=$(sed -n 3p roster.csv | cut -d, -f1)
{ head -1 roster.csv; sed -n 2p roster.csv | sed "s/^$s1no,/$s2no,/"; } >clash.csv
expect 3 "$G" roster import --home coord --json clash.csv
json "j['rejected'][0]['column']=='学号' and 'already belongs' in j['rejected'][0]['reason'] and j['changed']==0"
{ head -1 roster.csv; sed -n 2p roster.csv | sed "s/^$s1no,/$s2no,/"; sed -n 3p roster.csv | sed "s/^$s2no,/$s1no,/"; } >swap.csv
expect 0 "$G" roster import --home coord --json swap.csv
json "j['changed']==2 and j['rejected_count']==0"
expect 0 "$G" roster show --home coord --json "$s2no"
json "j['student']['id_number']=='$(sed -n 2p roster.csv | cut -d, -f6)'"
# an over-long cell names its row and column instead of failing the import
long=$(printf '院%.0s' $(seq 1 50))
{ head -1 roster.csv; sed -n 4p roster.csv | awk -F, -v l="$long" 'BEGIN{OFS=","} {$9=l; print}'; } >long.csv
expect 3 "$G" roster import --home coord --json long.csv
json "j['rejected'][0]['row']==2 and 'bytes long' in j['rejected'][0]['reason']"

# --- node names become file names: plain names only
expect 2 "$G" init --home bad1 --role site --school 10335 --name ../escape
has err "plain name"
expect 2 "$G" init --home bad2 --role site --school 10335 --name "a/b"

# --- the signed log
expect 0 "$G" log --home coord
has out "ROSTER"
expect 0 "$G" log --home coord --json
json "[e['kind'] for e in j][:3]==['ENROLL','ROSTER','ENROLL'] and j[0]['seq']==1 and j[1]['prev']==j[0]['id']"
"$G" log --home coord --raw >raw.cbor
python3 - "$T" <<'PY'
import json, subprocess, sys, os
t = sys.argv[1]
raw = open(os.path.join(t, "raw.cbor"), "rb").read()
entries = json.load(open(os.path.join(t, "out")))
assert len(raw) == sum(e["bytes"] for e in entries), "raw length"
import hashlib
off = 0
for e in entries:
    b = raw[off:off + e["bytes"]]
    assert b[:2] == b"\xd2\x84", "COSE_Sign1 tag"
    assert hashlib.sha256(b).hexdigest() == e["id"], "id is SHA-256 of the bytes"
    off += e["bytes"]
PY
checks=$((checks + 1))
expect 0 "$G" log verify --home coord
has out "holds"
expect 0 "$G" log verify --home s1 --json
json "j['ok'] and j['entries']==3"
feed=$("$G" status --home coord --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["feed"][:12])')
expect 0 "$G" log --home coord --feed "$feed"
expect 1 "$G" log --home coord --feed 00000000
expect 0 "$G" enroll list --home coord --json
json "len(j)==2 and any(e['name']=='紫金港' for e in j)"

# --- tampering with the stored bytes is caught and named
cp -a coord coord.bak
python3 - coord/db/data.mdb "$(sed -n 2p roster.csv | cut -d, -f2)" <<'PY'
import sys
p, name = sys.argv[1], sys.argv[2].encode()
d = bytearray(open(p, "rb").read())
i = d.find(name)
assert i >= 0, "name not found in data.mdb"
while i >= 0:  # in the signed entries and in the derived index alike
    d[i] ^= 1
    i = d.find(name, i + 1)
open(p, "wb").write(d)
PY
expect 4 "$G" log verify --home coord
has out "BAD signature"
expect 4 "$G" log verify --home coord --json
json "not j['ok'] and j['problems'][0]['kind']=='signature' and len(j['problems'][0]['entry'])==64"

# --- a damaged LMDB file: a clear message, no crash
rm -rf coord && cp -a coord.bak coord
dd if=/dev/zero of=coord/db/data.mdb bs=4096 count=2 conv=notrunc status=none
expect 1 "$G" status --home coord
has err "damaged"
expect 1 "$G" log verify --home coord
has err "data.mdb"

# --- revocation
expect 1 "$G" enroll revoke --home s1 紫金港 --reason x
has err "sealed"
rm -rf coord && cp -a coord.bak coord
expect 0 "$G" enroll revoke --home coord 紫金港 --reason "laptop lost"
has out "revoked"
expect 1 "$G" enroll revoke --home coord 紫金港 --reason again
has err "already revoked"
expect 0 "$G" enroll list --home coord --json
json "[e for e in j if e['name']=='紫金港'][0]['revoked']"

echo "foundation: $checks passed, 0 failed"
