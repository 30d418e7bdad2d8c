#!/usr/bin/env bash
# Sessions, captures bound to students, refusals that store nothing,
# import of studio photos, and bad photo files, through the real binary.
. "$(dirname "$0")/lib.bash"
cd "$T"
if [ ! -s "${GC_TESTDATA_DIR:-/nonexistent}/grace_hopper.jpg" ]; then
	echo "capture: SKIP: no test photos (tests/data/fetch.sh)"
	exit 0
fi
"$GC_SYNTH" --size 1000x1336 --source grace_hopper "$GC_TESTDATA_DIR" synth >/dev/null
ok=synth/grace_hopper-ok-blue.jpg

school_and_site 20
s1=$(sed -n 2p r.csv | cut -d, -f1)   # 学号
s2=$(sed -n 3p r.csv | cut -d, -f6)   # ID number
s3=$(sed -n 4p r.csv | cut -d, -f6)
entries() { "$G" status --home s --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["entries"])'; }

# --- no session, no capture
expect 1 "$G" capture --home s --student "$s1" --file "$ok"
has err "no session is open"
expect 0 "$G" session open --home s --kind central --location 体育馆 --operator 王老师
expect 1 "$G" session open --home s --kind makeup --location x
has err "still open"
expect 0 "$G" session status --home s --json
json "j['open'] and j['kind']=='central' and j['location']=='体育馆'"

# --- a good shot is stored with its photo and the original
expect 0 "$G" capture --home s --student "$s1" --file "$ok" --json
json "j['stored'] and j['verdict']!='fail' and len(j['entry'])==64 and len(j['checks'])==25"
expect 0 "$G" log --home s --json
json "[e for e in j if e['kind']=='CAPTURE'][-1]['body']['bind']=='student-no' and len([e for e in j if e['kind']=='CAPTURE'][-1]['blobs'])==2 and [e for e in j if e['kind']=='CAPTURE'][-1]['body']['session_kind']=='central'"

# --- one photo per level: a second shot needs --again
n0=$(entries)
expect 3 "$G" capture --home s --student "$s1" --file synth/grace_hopper-ok-white.jpg
has out "already has 1 capture"
[ "$(entries)" = "$n0" ] || fail "a refused capture stored something"
expect 0 "$G" capture --home s --student "$s1" --file synth/grace_hopper-ok-white.jpg --again --json
json "j['stored'] and j['earlier_captures']==1"

# --- a failing shot stores nothing; an override with a reason stores it
n0=$(entries)
expect 3 "$G" capture --home s --student "$s2" --file synth/grace_hopper-blur.jpg --json
json "not j['stored'] and 'sharpness' in [c['id'] for c in j['checks'] if c['verdict']=='fail']"
[ "$(entries)" = "$n0" ] || fail "a failing capture stored something"
overrides=$(python3 -c "import json; j=json.load(open('$T/out')); print(' '.join('--override '+c['id']+':staff-approved-retake-impossible' for c in j['checks'] if c['verdict']=='fail'))")
expect 0 "$G" capture --home s --student "$s2" --file synth/grace_hopper-blur.jpg $overrides --json
json "j['stored']"
expect 0 "$G" log --home s --json
json "[e for e in j if e['kind']=='CAPTURE'][-1]['body']['bind']=='id-card' and len([e for e in j if e['kind']=='CAPTURE'][-1]['body']['overrides'])>=1 and [e for e in j if e['kind']=='CAPTURE'][-1]['body']['overrides'][0]['reason']=='staff-approved-retake-impossible'"
# one photo file for two students: refused, naming the other one
expect 3 "$G" capture --home s --student "$s3" --file "$ok"
has out "this very photo is already bound to another student"
n1=$(entries)
# a capture code is stored whole, as a blob named by its hash (the
# record's field); the log shows the hash only
expect 0 "$G" capture --home s --student "$s3" --file synth/grace_hopper-ok-grey.jpg --code 'CHSI-QR-opaque-payload' --json
[ "$(entries)" = "$((n1 + 1))" ] || fail "the refused shared photo stored something"
# the same capture code for another student: refused
expect 3 "$G" capture --home s --student "$s2" --file synth/grace_hopper-bright.jpg --code 'CHSI-QR-opaque-payload' --again
has out "this capture code was scanned for another student"
expect 0 "$G" log --home s --json
json "[e for e in j if e['kind']=='CAPTURE'][-1]['body']['bind']=='qr' and [e for e in j if e['kind']=='CAPTURE'][-1]['body']['code_sha256']=='$(printf %s CHSI-QR-opaque-payload | sha256sum | cut -c1-64)'"
json "'$(printf %s CHSI-QR-opaque-payload | sha256sum | cut -c1-64)' in [e for e in j if e['kind']=='CAPTURE'][-1]['blobs']"
expect 0 "$G" log --home s
grep -qF CHSI-QR-opaque-payload "$T/out" && fail "the log shows a capture code"
# a code too long to be one, or empty: refused, nothing stored
n1=$(entries)
expect 3 "$G" capture --home s --student "$s2" --file synth/grace_hopper-bright.jpg --code "$(head -c 1025 /dev/zero | tr '\0' Q)" --again
has out "the capture code is too long (at most 1024 bytes)"
expect 3 "$G" capture --home s --student "$s2" --file synth/grace_hopper-bright.jpg --code "" --again
has out "the capture code is empty"
[ "$(entries)" = "$n1" ] || fail "a refused capture code stored something"

# --- who is not on the roster is refused
expect 3 "$G" capture --home s --student 2099999999 --file "$ok"
has out "not on the roster"
expect 2 "$G" capture --home s --student "$s1" --file "$ok" --override nocolon

# --- bad photo files: a file.* failure with a reason, never a crash
: >empty.jpg
head -c 4000 "$ok" >truncated.jpg
convert "$ok" png:fake.jpg
printf '\xff\xd8\xff\xc0\x00\x11\x08\x75\x30\x75\x30\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xd9' >huge.jpg
head -c 20000 /dev/urandom >noise.jpg
for f in empty truncated fake huge noise; do
	expect 3 "$G" check --json $f.jpg
	json "j[0]['verdict']=='fail' and [c for c in j[0]['checks'] if c['id'].startswith('file.') and c['verdict']=='fail']"
done
expect 3 "$G" check --json fake.jpg
json "'PNG' in [c for c in j[0]['checks'] if c['id']=='file.format'][0]['message_en']"
expect 3 "$G" check --json huge.jpg
json "'30000' in [c for c in j[0]['checks'] if c['id']=='file.format'][0]['message_en']"
expect 3 "$G" check missing.jpg
has out "cannot read the file"

# --- normalise: 480 x 640 at 300 dpi, in the size window
expect 0 "$G" check --normalize --out norm --json "$ok"
json "j[0]['output'].endswith('norm/grace_hopper-ok-blue.jpg')"
python3 - norm/grace_hopper-ok-blue.jpg <<'PY'
import sys, struct
d = open(sys.argv[1], 'rb').read()
assert d[:2] == b'\xff\xd8'
assert d[6:11] == b'JFIF\x00', 'JFIF header'
assert d[13] == 1 and struct.unpack('>HH', d[14:18]) == (300, 300), '300 dpi'
i = 2
while i < len(d):
    m, l = d[i + 1], struct.unpack('>H', d[i + 2:i + 4])[0]
    if m == 0xC0:
        h, w = struct.unpack('>HH', d[i + 5:i + 9])
        assert (w, h) == (480, 640), (w, h)
        break
    i += 2 + l
assert 20 * 1024 <= len(d) <= 40 * 1024, len(d)
PY
checks=$((checks + 1))

# --- a student shows a code to the camera
qrencode -o qr.png -s 8 "$s1" && convert qr.png qr.jpg
expect 0 "$G" scan --home s --file qr.jpg --json
json "j[0]['type']=='QR-Code' and j[0]['data']=='$s1' and j[0]['student'].startswith('10335:1:')"
qrencode -o cc.png -s 6 'CHSI-encrypted-capture-code-4711' && convert cc.png cc.jpg
expect 0 "$G" scan --home s --file cc.jpg --json
json "j[0]['student'] is None and j[0]['length']==32"
expect 3 "$G" scan --file "$ok"
has out "no QR code"

# --- import of studio photos named by ID number or 学号
mkdir shoots
# the studio's own files (re-encoded: the very files captured above for
# other students would be refused, one file one student)
convert "$ok" -quality 93 "shoots/$s3.jpg"
convert synth/grace_hopper-ok-grey.jpg -quality 93 "shoots/$(sed -n 5p r.csv | cut -d, -f1).jpg"
cp synth/grace_hopper-blur.jpg "shoots/$(sed -n 6p r.csv | cut -d, -f6).jpg"
cp "$ok" shoots/nobody.jpg
# an import never touches a session the operator left open
expect 1 "$G" import-shoots --home s --kind individual shoots
has err "still open"
expect 0 "$G" session status --home s --json
json "j['open'] and j['kind']=='central'"
expect 1 "$G" import-shoots --home /nonexistent --kind individual shoots
expect 0 "$G" session close --home s
# a FIFO or a link in the folder is refused, never waited on or followed
mkfifo "shoots/$(sed -n 7p r.csv | cut -d, -f1).jpg"
ln -s "$T/s/node.key" "shoots/$(sed -n 8p r.csv | cut -d, -f1).jpg"
expect 3 timeout 120 "$G" import-shoots --home s --kind individual --json shoots
json "sum(1 for x in j if x['stored'])==1 and sum(1 for x in j if not x['stored'])==5"
json "[x for x in j if x['source']=='$(sed -n 7p r.csv | cut -d, -f1).jpg'][0]['refused'].find('not a regular file')>=0"
json "[x for x in j if x['source']=='$(sed -n 8p r.csv | cut -d, -f1).jpg'][0]['refused'].find('symbolic link')>=0"
rm "shoots/$(sed -n 7p r.csv | cut -d, -f1).jpg" "shoots/$(sed -n 8p r.csv | cut -d, -f1).jpg"
expect 3 "$G" import-shoots --home s --kind individual --again --json shoots
json "sum(1 for x in j if x['stored'])==2 and sum(1 for x in j if not x['stored'])==2"
json "[x for x in j if x['source']=='nobody.jpg'][0]['refused'].find('not on the roster')>=0"
expect 0 "$G" log --home s --json
json "[e for e in j if e['kind']=='CAPTURE'][-1]['body']['session_kind']=='individual' and [e for e in j if e['kind']=='CAPTURE'][-1]['body']['bind']=='filename'"
expect 0 "$G" session status --home s --json
json "not j['open']"
expect 0 "$G" log verify --home s

echo "capture: $checks passed, 0 failed"
