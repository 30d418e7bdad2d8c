#!/usr/bin/env bash
# The merged view through the real binary: status counts and digest,
# missing (the makeup list), conflicts and alerts, review, void, resolve,
# and the refusals, each with its reason.
. "$(dirname "$0")/lib.bash"
cd "$T"
if [ ! -s "${GC_TESTDATA_DIR:-/nonexistent}/grace_hopper.jpg" ]; then
	echo "merge: SKIP: no test photos (tests/data/fetch.sh)"
	exit 0
fi
"$GC_SYNTH" --size 1000x1336 --source grace_hopper "$GC_TESTDATA_DIR" synth >/dev/null
ok=synth/grace_hopper-ok-blue.jpg
convert "$ok" -quality 91 p1.jpg
convert "$ok" -quality 92 p2.jpg
convert "$ok" -quality 93 p3.jpg
convert "$ok" -quality 94 p4.jpg

"$G" init --home c --role coordinator --school 10335 --name 教务处 >/dev/null
"$G" sample roster --count 6 --out r.csv
"$G" roster import --home c r.csv >/dev/null
"$G" init --home s --role site --school 10335 --name 东区 >/dev/null
"$G" enroll request --home s --out s.req >/dev/null
"$G" enroll sign --home c s.req --out s.enr >/dev/null
"$G" enroll install --home s s.enr >/dev/null
"$G" init --home s2 --role site --school 10335 --name 西区 >/dev/null
"$G" enroll request --home s2 --out s2.req >/dev/null
"$G" enroll sign --home c s2.req --out s2.enr >/dev/null
"$G" enroll install --home s2 s2.enr >/dev/null
xh() { sed -n "$1p" r.csv | cut -d, -f1; }
m() { python3 -c "import json,sys; j=json.load(open('$T/out')); sys.exit(0 if ($1) else 1)" || { cat "$T/out"; fail "$1"; }; checks=$((checks + 1)); }

# --- a node with nothing yet: every view works, nothing to show
"$G" init --home e --role site --school 10335 --name 空 >/dev/null
expect 0 "$G" missing --home e
expect 0 "$G" conflicts --home e
has out "no conflicts, no alerts"
expect 0 "$G" audit verify --home e
has out "no checkpoint yet"
expect 1 "$G" audit key --home e
has err "knows no coordinator yet"
# a school precedence that is not one: named, and status says so by exit
printf '\n[merge]\nprecedence = central,bogus\n' >>e/gradcap.ini
expect 1 "$G" status --home e
has err "[merge] precedence = central,bogus"
has out "students"
sed -i '/^precedence = central,bogus$/d' e/gradcap.ini

# --- nothing captured: everyone is missing
expect 0 "$G" status --home s --json
m "j['merge']['counts']['MISSING']==6 and j['merge']['students']==6 and len(j['merge']['digest'])==64"
expect 0 "$G" missing --home s --csv
head -c 3 "$T/out" | xxd -p | grep -q efbbbf || fail "missing --csv has no BOM"
[ "$(grep -c '未拍摄' "$T/out")" = 6 ] || fail "missing --csv: not 6 students"
checks=$((checks + 1))

# --- captures: one student twice (a conflict); one photo file for two
# students is refused at the site that holds both
"$G" session open --home s --kind central --location hall >/dev/null
# a capture code, kept whole (an opaque value with a comma, quotes and
# Chinese in it, to test the export's CSV)
CODE='CHSI采集码:9f,"Zx"==/+'
expect 0 "$G" capture --home s --student "$(xh 2)" --file p1.jpg --code "$CODE"
expect 0 "$G" capture --home s --student "$(xh 3)" --file p2.jpg
expect 0 "$G" capture --home s --student "$(xh 3)" --file p3.jpg --again
expect 3 "$G" capture --home s --student "$(xh 4)" --file p1.jpg
has out "this very photo is already bound to another student"
expect 0 "$G" capture --home s --student "$(xh 4)" --file p4.jpg
caps() { "$G" log --home "${1:-s}" --json | python3 -c 'import json,sys; print(" ".join(e["id"] for e in json.load(sys.stdin) if e["kind"]=="CAPTURE"))'; }
set -- $(caps)
c1=$1 c2=$2 c3=$3 c4=$4
expect 0 "$G" status --home s --json
m "j['merge']['counts']['PENDING_REVIEW']==2 and j['merge']['counts']['CONFLICT']==1 and j['merge']['counts']['MISSING']==3 and j['merge']['alerts']==0"
expect 0 "$G" conflicts --home s --json
m "len(j['conflicts'])==1 and len(j['conflicts'][0]['captures'])==2 and j['alerts']==[]"
expect 0 "$G" conflicts --home s
has out "CONFLICT"

# --- the site withdraws a wrong shot; the coordinator reviews
expect 2 "$G" void --home s "$c4"
has err "usage"
expect 0 "$G" void --home s "$c4" --reason "bound to the wrong student"
expect 0 "$G" status --home s --json
m "j['merge']['alerts']==0 and j['merge']['counts']['MISSING']==4"

# --- the coordinator takes the site's records and decides
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$G" serve --home c --insecure --listen tcp://127.0.0.1:$PORT 2>c.log &
spid=$!
trap '{ kill $spid; wait $spid; } 2>/dev/null || true; rm -rf "$T"' EXIT
for _ in $(seq 1 50); do
	python3 -c "import socket,sys; sys.exit(socket.socket().connect_ex(('127.0.0.1',$PORT)))" && break
	sleep 0.1
done
expect 0 "$G" sync --home s --insecure tcp://127.0.0.1:$PORT
# a conflict stands: the export stops, names it, and writes nothing
expect 1 "$G" export --home c --out early
has err "unresolved conflicts"
has err "CONFLICT 10335:"
[ ! -e early ] || fail "a stopped export made its folder"
checks=$((checks + 1))
# with --allow-conflicts the conflicted student goes out without a photo,
# CONFLICT in roster.csv and in its leaf: the auditor guide's programs agree
expect 0 "$G" export --home c --out early2 --allow-conflicts
[ "$(grep -c '"CONFLICT"' early2/roster.csv)" = 1 ] || fail "roster.csv does not mark the conflict"
guide_verify 0 "$("$G" audit key --home c)" early2
has "$T/out.py" "OK 6 proofs of 6 leaves"
expect 1 "$G" review --home s approve "$c1"
has err "may not write REVIEW"
expect 0 "$G" review --home c approve "${c1:0:8}"
expect 1 "$G" review --home c approve 00000000
has err "capture 00000000"
expect 2 "$G" review --home c approve abc
has err "8 or more hex digits"
expect 2 "$G" review --home c reject "$c1"
has err "needs --reason"
expect 1 "$G" review --home c approve "$("$G" log --home c --json | python3 -c 'import json,sys; print([e["id"] for e in json.load(sys.stdin) if e["kind"]=="ROSTER"][0])')"
has err "not a CAPTURE"
expect 0 "$G" review --home c reject "$c3" --reason "eyes closed"
expect 0 "$G" status --home c --json
m "j['merge']['counts']['APPROVED']==1 and j['merge']['counts']['PENDING_REVIEW']==1 and j['merge']['counts']['CONFLICT']==0"
expect 1 "$G" resolve --home s "$(xh 3)" "$c2" --reason x
has err "only the coordinator"
expect 2 "$G" resolve --home c "$(xh 3)" "$c2"
has err "usage"
expect 1 "$G" resolve --home c "$(xh 2)" "$c2" --reason x
has err "not"
expect 1 "$G" resolve --home c 2099999999 "$c2" --reason x
has err "student 2099999999"
expect 0 "$G" resolve --home c "$(xh 3)" "$c2" --reason "the better photo"
# the log shows each decision in words
expect 0 "$G" log --home c
has out "approve capture ${c1:0:12}"
has out "reject capture ${c3:0:12}: eyes closed"
has out "capture ${c2:0:12} (the better photo)"
expect 0 "$G" log --home c --json
json "[e['body'] for e in j if e['kind']=='REVIEW'][-1]['decision']=='reject' and [e['body'] for e in j if e['kind']=='RESOLVE'][0]['capture']=='$c2'"
expect 0 "$G" status --home c --json
m "j['merge']['counts']['APPROVED']==2 and j['merge']['counts']['NEEDS_RETAKE']==0 and j['merge']['counts']['MISSING']==4"
expect 0 "$G" status --home c --class "$(sed -n 2p r.csv | cut -d, -f11)" --json
m "j['merge']['counted'] < 6"
# --- the export: stock minisign and sha256sum verify it
expect 1 "$G" export --home s --out nope
has err "only the coordinator exports"
expect 2 "$G" export --home c --out exp --season "2026 photos=999"
has err "without spaces or '='"
expect 0 "$G" export --home c --out exp --season 2026届
expect 0 minisign -V -p exp/minisign.pub -m exp/MANIFEST
has out "season=2026届"
(cd exp && sha256sum -c --quiet MANIFEST) || fail "sha256sum -c MANIFEST failed"
checks=$((checks + 1))
[ "$(ls exp/photos | wc -l)" = 2 ] || { ls exp/photos; fail "expected the 2 APPROVED photos"; }
[ "$(ls exp/proofs | wc -l)" = 6 ] || fail "expected a proof per student"
[ "$(ls exp/sheets | wc -l)" = 2 ] || fail "expected a print sheet per photo"
[ "$(identify -format '%wx%h %x' "exp/sheets/$(ls exp/sheets | head -1)")" = "1205x1795 300" ] ||
	fail "the print sheet is not 102 × 152 mm at 300 dpi: $(identify -format '%wx%h %x' "exp/sheets/$(ls exp/sheets | head -1)")"
checks=$((checks + 2))
head -c 3 exp/roster.csv | xxd -p | grep -q efbbbf || fail "roster.csv has no BOM"
[ "$(wc -l <exp/roster.csv)" = 7 ] || fail "roster.csv: expected a header and 6 students"
checks=$((checks + 4))
id2=$(sed -n 3p r.csv | cut -d, -f6)
[ -s "exp/photos/$id2.jpg" ] || fail "no photo named by the ID number of the resolved student"
python3 -c "
import zipfile, sys
z = zipfile.ZipFile('exp/roster.xlsx')
s = z.read('xl/sharedStrings.xml').decode()
sys.exit(0 if '$id2' in s and 'APPROVED' in s else 1)" || fail "roster.xlsx lacks the ID as text"
checks=$((checks + 2))
expect 0 "$G" audit check-proof "exp/proofs/$id2.proof" --checkpoint exp/checkpoint.note --key "$("$G" audit key --home c)"
has out "is APPROVED"
expect 1 "$G" export --home c --out exp
has err "already holds an export"
vkey=$("$G" audit key --home c)
expect 0 "$G" audit verify --bundle exp --key "$vkey" --json
m "j['ok'] and j['proofs']==6 and j['approved_photos']==2 and 'season=2026届' in j['trusted_comment']"
expect 2 "$G" audit verify --bundle exp
has err "needs --key"
"$G" init --home x --role coordinator --school 10335 --name x >/dev/null
expect 4 "$G" audit verify --bundle exp --key "$("$G" audit key --home x)"
has out "not the school authority's key"
# the capture code went with its capture to the coordinator, into
# roster.csv and codes.csv; the log shows only its hash
id1=$(sed -n 2p r.csv | cut -d, -f6)
python3 - "$CODE" "$id1" <<'EOF2' || fail "the capture code is not in roster.csv and codes.csv"
import csv, sys
code, id1 = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open("exp/roster.csv", encoding="utf-8-sig", newline="")))
assert [r["采集码"] for r in rows if r["证件号码"] == id1] == [code], rows
assert all(r["采集码"] == "" for r in rows if r["证件号码"] != id1)
codes = list(csv.DictReader(open("exp/codes.csv", encoding="utf-8-sig", newline="")))
assert [(c["证件号码"], c["文件名"], c["采集码"]) for c in codes] == [(id1, id1 + ".jpg", code)], codes
EOF2
checks=$((checks + 1))
expect 0 "$G" log --home c
grep -qF "采集码:9f" "$T/out" && fail "the log shows the capture code"
expect 0 "$G" log --home c --json
h=$(printf '%s' "$CODE" | sha256sum | cut -c1-64)
json "[e for e in j if e['kind']=='CAPTURE'][0]['body']['code_sha256']=='$h' and '$h' in [e for e in j if e['kind']=='CAPTURE'][0]['blobs']"
# the auditor guide's own programs: students pending, missing, resolved
guide_verify 0 "$vkey" exp
has "$T/out.py" "OK 6 proofs of 6 leaves"
has "$T/out.go" "the 6 leaves rebuild the signed root, 2 approved photos"
cp -a exp exp2
echo extra >exp2/notes.txt
echo hidden >exp2/photos/.extra.jpg
sed -i 's/photos=2/photos=3/' exp2/MANIFEST.minisig
expect 4 "$G" audit verify --bundle exp2 --key "$vkey"
has out "BAD notes.txt: not in MANIFEST"
has out "BAD photos/.extra.jpg: not in MANIFEST"
has out "BAD MANIFEST.minisig: the trusted comment was altered"
# tampering: a photo, then the MANIFEST
printf 'x' >>"exp/photos/$id2.jpg"
! (cd exp && sha256sum -c --quiet MANIFEST >/dev/null 2>&1) || fail "sha256sum missed a changed photo"
expect 4 "$G" audit verify --bundle exp --key "$vkey"
has out "BAD photos/$id2.jpg: its SHA-256 differs from MANIFEST's"
has out "not the photo the signed checkpoint approves for 10335:"
printf 'x' >>exp/MANIFEST
expect 1 minisign -V -p exp/minisign.pub -m exp/MANIFEST
checks=$((checks + 1))

# the site takes the decisions back: the same set, the same digest
expect 0 "$G" sync --home s --insecure tcp://127.0.0.1:$PORT
a=$("$G" status --home c --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["merge"]["digest"])')
b=$("$G" status --home s --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["merge"]["digest"])')
[ "$a" = "$b" ] || fail "merge digests differ: $a $b"
checks=$((checks + 1))
expect 0 "$G" missing --home s
[ "$(wc -l <"$T/out")" = 4 ] || { cat "$T/out"; fail "missing: expected 4 students"; }
checks=$((checks + 1))

# --- an alert stops the export: another site, not holding student 2's
# capture, binds the same photo file to student 5; --allow-conflicts
# leaves student 2's photo out, marked ALERT
"$G" session open --home s2 --kind makeup --location library >/dev/null
expect 0 "$G" capture --home s2 --student "$(xh 5)" --file p1.jpg
c5=$(caps s2 | awk '{print $NF}')
expect 0 "$G" sync --home s2 --insecure tcp://127.0.0.1:$PORT
expect 0 "$G" conflicts --home c --json
m "j['alerts'][0]['kind']=='photo' and len(j['alerts'][0]['captures'])==2"
expect 0 "$G" conflicts --home c
has out "ALERT one photo bound to"
expect 1 "$G" export --home c --out al
has err "its photo is bound to another student too"
has err "nothing exported"
[ ! -e al ] || fail "a stopped export made its folder"
checks=$((checks + 1))
expect 0 "$G" export --home c --out al2 --allow-conflicts
has err "1 approved students under an alert exported without a photo"
has err "are not APPROVED"
[ "$(ls al2/photos | wc -l)" = 1 ] || { ls al2/photos; fail "expected 1 photo: the alerted one left out"; }
[ "$(grep -c '"ALERT"' al2/roster.csv)" = 1 ] || fail "roster.csv does not mark the alerted student"
checks=$((checks + 2))
expect 0 "$G" audit verify --bundle al2 --key "$("$G" audit key --home c)"
guide_verify 0 "$vkey" al2
has "$T/out.py" "1 approved photos match"
has "$T/out.go" "1 approved photos match"
# a photo put back for the alerted student is not what the export says
cp -a al2 al2x
cp "exp/photos/$(ls al2/photos | head -1)" "al2x/photos/$(grep '"ALERT"' al2/roster.csv | cut -d, -f4 | tr -d '"').jpg"
guide_verify 4 "$vkey" al2x
has "$T/out.py" "a photo for a student the export lists as ALERT"
expect 0 "$G" void --home s2 "$c5" --reason "student 2's photo"
expect 0 "$G" sync --home s2 --insecure tcp://127.0.0.1:$PORT
expect 0 "$G" export --home c --out al3
[ "$(ls al3/photos | wc -l)" = 2 ] || fail "the voided alert still held a photo back"
checks=$((checks + 1))

# --- the print sizes come from the school profile
printf '\n[print]\nlarge = 35x\n' >>c/gradcap.ini
expect 1 "$G" export --home c --out pr1
has err "[print] large = 35x: give width x height in mm"
[ ! -e pr1 ] || fail "a refused export made its folder"
sed -i 's/^large = 35x$/large = 50x70/' c/gradcap.ini
expect 1 "$G" export --home c --out pr2
has err "do not fit apart on 102x152 mm paper"
sed -i 's/^large = 50x70$/large = 33x48\nsmall = 22x32\npaper = 127x178/' c/gradcap.ini
expect 0 "$G" export --home c --out pr3
[ "$(identify -format '%wx%h %x' "pr3/sheets/$(ls pr3/sheets | head -1)")" = "1500x2102 300" ] ||
	fail "the 7-inch sheet is $(identify -format '%wx%h %x' "pr3/sheets/$(ls pr3/sheets | head -1)")"
checks=$((checks + 2))

# --- one 证件号码 at two levels: the export asks for one level at a time
"$G" init --home lv --role coordinator --school 10335 --name 教务处 >/dev/null
python3 - <<'EOF'
rows = open('r.csv', encoding='utf-8').read().splitlines()
f = rows[1].split(',')
g = list(f)
g[0] = '2099000001'; g[6] = '21999999000001'; g[7] = '硕士研究生'
open('lv.csv', 'w', encoding='utf-8').write('\n'.join([rows[0], rows[1], ','.join(g), rows[2]]) + '\n')
EOF
expect 0 "$G" roster import --home lv lv.csv
expect 1 "$G" export --home lv --out lvx
has err "证件号码 $(sed -n 2p r.csv | cut -d, -f6)"
has err "export each level on its own with --level"
[ ! -e lvx ] || fail "a stopped export made its folder"
expect 0 "$G" export --home lv --out lv1 --level 本科
[ "$(wc -l <lv1/roster.csv)" = 3 ] || { cat lv1/roster.csv; fail "--level 本科: expected a header and 2 students"; }
[ "$(ls lv1/proofs | wc -l)" = 2 ] || fail "--level 本科: expected 2 proofs"
checks=$((checks + 3))
lvkey=$("$G" audit key --home lv)
expect 0 "$G" audit verify --bundle lv1 --key "$lvkey"
expect 0 minisign -V -p lv1/minisign.pub -m lv1/MANIFEST
has out "students=3 exported=2 photos=0 level=本科"
guide_verify 0 "$lvkey" lv1
has "$T/out.py" "OK 2 proofs of 3 leaves"
has "$T/out.go" "level=本科: 2 of the 3 leaves"
expect 0 "$G" export --home lv --out lv2 --level 硕士研究生
[ "$(wc -l <lv2/roster.csv)" = 2 ] || fail "--level 硕士研究生: expected 1 student"
checks=$((checks + 1))
guide_verify 0 "$lvkey" lv2
# a student and its proof taken out of a per-level package
cp -a lv1 lv1x
rm "lv1x/proofs/$(ls lv1x/proofs | head -1)"
guide_verify 4 "$lvkey" lv1x
has "$T/out.py" "1 proofs for the 2 students of roster.csv"
expect 4 "$G" audit verify --bundle lv1x --key "$lvkey"
has out "No such file"
expect 2 "$G" export --home lv --out lv4 --level "本 科"
has err "without spaces or '='"
expect 1 "$G" export --home lv --out lv3 --level 专科
has err "no student on the roster has 层次 '专科'"

# --- the audit: a checkpoint that holds, then a photo damaged on disk
expect 0 "$G" checkpoint --home c --out cp.note
expect 0 "$G" review --home c approve "$c2"   # after the checkpoint: fine
expect 0 "$G" audit verify --home c --json
m "j['ok'] and j['checkpoint']['reproduced'] and j['problems']==[]"
# the auditor pins the school's key: a copy with another authority fails
expect 0 "$G" audit verify --home c --key "$vkey"
expect 4 "$G" audit verify --home x --key "$vkey"
has out "authority is not the key given"
expect 2 "$G" audit verify --home c --key nonsense
{ kill $spid; wait $spid; } 2>/dev/null || true
python3 - <<'EOF'
orig = open('p1.jpg', 'rb').read()
needle = orig[2000:2064]
db = bytearray(open('c/db/data.mdb', 'rb').read())
i = db.find(needle)
assert i >= 0, "the photo is not in data.mdb"
while i >= 0:
    db[i + 10] ^= 0x20
    i = db.find(needle, i + 1)
open('c/db/data.mdb', 'wb').write(bytes(db))
EOF
expect 4 "$G" audit verify --home c
has out "BAD blob"
has out "PROBLEMS FOUND"
expect 4 "$G" audit verify --home c --json
m "not j['ok'] and [p for p in j['problems'] if p['kind']=='blob']"

echo "merge: $checks checks passed"
