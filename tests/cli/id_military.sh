#!/usr/bin/env bash
# A student with a 军官证 (证件类型 2, a number with Chinese characters)
# through the real binary: imported from UTF-8 and GBK rosters, captured by
# the number (also typed with full-width digits), a 士兵证 holder's studio
# photo imported by its file name, both found by the UI's search
# (whole number, its serial, masked without cutting a character), exported
# as 南字第0123456号.jpg, and the bundle verified (gradcap audit verify and
# the auditor guide's verify_proofs.py).
. "$(dirname "$0")/lib.bash"
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$T"
synth_photos id_military
ok=synth/grace_hopper-ok-blue.jpg
convert "$ok" -quality 93 p93.jpg

MIL=南字第0123456号
MILW=南字第０１２３４５６号 # full-width digits
SOL=士字第1234567号
cat >r.csv <<EOF
学号,姓名,性别,出生日期,证件类型,证件号码,考生号,层次,院系,专业,班级,校区
2021000001,秦悦艳,女,2003-11-16,居民身份证,540102200311167984,21549344000001,本科,土木工程学院,土木工程,土木2103,西校区
2021000002,张三,男,,军官证,$MIL,,本科,数学与统计学院,统计学,统计2103,主校区
2021000003,李四,男,,3,$SOL,,本科,数学与统计学院,统计学,统计2103,主校区
EOF
"$G" init --home c --role coordinator --school 10335 --name 教务处 >/dev/null

# --- the GBK file (as Excel saves it) imports the same rows
iconv -f UTF-8 -t GB18030 r.csv >r-gbk.csv
cmp -s r.csv r-gbk.csv && fail "iconv did not re-encode the roster"
expect 0 "$G" roster import --home c --dry-run r-gbk.csv
has out "(csv, gb18030): 3 rows: 3 new"
expect 0 "$G" roster import --home c r.csv
has out "3 new, 0 changed, 0 unchanged, 0 back on the roster, 0 rejected"
expect 0 "$G" roster import --home c r-gbk.csv
has out "0 new, 0 changed, 3 unchanged"
KEY=10335:2:$MIL:05
expect 0 "$G" roster show --home c --json "$MIL"
json "j['student']['key']=='$KEY' and j['student']['id_number']=='$MIL' and j['student']['id_type']=='2'"

# --- a bad military number is refused with the row, column and reason
cp r.csv bad.csv
echo "2021000004,王五,男,,军官证,南字第0123/456号,,本科,数学与统计学院,统计学,统计2103,主校区" >>bad.csv
expect 3 "$G" roster import --home c --dry-run bad.csv
has out "bad.csv row 5, column 证件号码"
has out "character '/' at position 8 is not a letter, digit, '-' or Chinese character"

# --- captured by the number, also typed with full-width digits
"$G" session open --home c --kind central --location hall >/dev/null
expect 0 "$G" capture --home c --student "$MIL" --file "$ok" --json
json "j['student']=='$KEY' and j['stored']"
expect 0 "$G" log --home c --json
json "[e for e in j if e['kind']=='CAPTURE'][-1]['body']['bind']=='id-card'"
expect 3 "$G" capture --home c --student "$MILW" --file p93.jpg
has out "张三 ($KEY) already has 1 capture"
expect 0 "$G" capture --home c --student 540102200311167984 --file synth/grace_hopper-ok-white.jpg
# --- a studio photo named by a 士兵证 number (散拍 import)
"$G" session close --home c >/dev/null
mkdir shoots
convert synth/grace_hopper-ok-grey.jpg -quality 93 "shoots/$SOL.jpg"
expect 0 "$G" import-shoots --home c --kind individual --json shoots
json "len(j)==1 and j[0]['stored'] and j[0]['student']=='10335:3:$SOL:05' and j[0]['source']=='$SOL.jpg'"

# --- the UI's search finds the student by the number and by its serial
expect 0 sh -c "printf 'open sesame\n' | '$G' ui-password"
printf '\n[ui]\npassword_hash = %s\n' "$(cat "$T/out")" >>c/gradcap.ini
PORT=$(free_port)
"$G" serve --home c --ui "http://127.0.0.1:$PORT" >serve.log 2>&1 &
pid=$!
trap '{ kill $pid; wait $pid; } 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port "$PORT"
n=$(PORT=$PORT KEY=$KEY PYTHONPATH="$HERE/../ui" python3 - <<'PY'
import json, os, urllib.parse

import uiclient
from uiclient import check, req

KEY = os.environ['KEY']
auth = uiclient.login('open sesame')

def search(q):
    st, h, data = req('GET', '/api/students?q=' + urllib.parse.quote(q), headers=auth)
    check(st == 200, f'search {q!r}: {st} {data[:200]}')
    return json.loads(data)['students']

for q in ['南字第0123456号', '南字第0123', '南字', '0123456', '0123', '南字第０１２３４５６号']:
    got = search(q)
    check([s['key'] for s in got] == [KEY], f'search {q!r}: {got}')
    s = got[0]
    check(s['name'] == '张三' and s['status'] == 'PENDING_REVIEW', f'search {q!r}: {s}')
    # 11 characters: 7 masked, the last 4 whole
    check(s['id_masked'] == '*******456号', f'masked: {s["id_masked"]!r}')
got = search('士字第1234567号')
check(len(got) == 1 and got[0]['key'] == '10335:3:士字第1234567号:05', f'soldier: {got}')
check(search('1234567') == got, 'the soldier by serial')
check(search('北字第0123456号') == [], 'another prefix finds nobody')
check(search('23456') == [], 'the serial matches from its start only')
# the resident number still by prefix, and its mask
got = search('5401')
check([s['key'] for s in got] == ['10335:1:540102200311167984:05'], f'resident: {got}')
check(got[0]['id_masked'] == '*' * 14 + '7984', f'resident mask {got[0]["id_masked"]!r}')
st, h, data = req('GET', '/api/student?key=' + urllib.parse.quote(KEY), headers=auth)
check(st == 200 and json.loads(data)['student']['key'] == KEY, f'student: {st} {data[:200]}')
print(uiclient.checks)
PY
) || fail "UI search checks failed (serve log: $(tail -5 serve.log))"
checks=$((checks + n))
{ kill $pid; wait $pid; } 2>/dev/null || true
trap 'rm -rf "$T"' EXIT
# the serve log holds no full military number
grep -qF "$MIL" serve.log && fail "serve.log holds the full number: $(grep -F "$MIL" serve.log)"
checks=$((checks + 1))

# --- approved, exported under the number, verified
for c in $("$G" log --home c --json | python3 -c 'import json,sys; print(" ".join(e["id"] for e in json.load(sys.stdin) if e["kind"]=="CAPTURE"))'); do
	expect 0 "$G" review --home c approve "$c"
done
expect 0 "$G" export --home c --out e
grep -q "not APPROVED" "$T/err" && fail "students left unapproved: $(cat "$T/err")"
checks=$((checks + 1))
[ -s "e/photos/$SOL.jpg" ] || fail "no photo named $SOL.jpg: $(ls e/photos)"
[ -s "e/photos/$MIL.jpg" ] && [ -s "e/sheets/$MIL.jpg" ] && [ -s "e/proofs/$MIL.proof" ] ||
	fail "no photo, sheet or proof named $MIL: $(ls e/photos e/sheets e/proofs)"
checks=$((checks + 1))
cmp -s "$ok" "e/photos/$MIL.jpg" || [ "$(identify -format '%wx%h' "e/photos/$MIL.jpg")" = 480x640 ] ||
	fail "e/photos/$MIL.jpg is not a 480x640 photo"
checks=$((checks + 1))
has e/roster.csv "\"2\",\"$MIL\",\"本科\",\"统计2103\",\"APPROVED\",\"$MIL.jpg\""
has e/MANIFEST "photos/$MIL.jpg"
VKEY=$("$G" audit key --home c)
expect 0 "$G" audit verify --bundle e --key "$VKEY"
has out "bundle: everything holds"
python3 - "$HERE/../../docs/auditor-guide.md" <<'PY'
import re, sys
t = open(sys.argv[1], encoding="utf-8").read()
m = re.search(re.escape("Save it as `verify_proofs.py`:") + r"\s*```python\n(.*?)\n```", t, re.S)
assert m, "no verify_proofs.py in the auditor guide"
open("verify_proofs.py", "w", encoding="utf-8").write(m.group(1) + "\n")
PY
expect 0 python3 verify_proofs.py e
has out "OK 3 proofs"
has out "3 approved photos match their leaves"
# a changed photo of the military student is caught
cp -r e e-photo
convert "e-photo/photos/$MIL.jpg" -quality 50 "e-photo/photos/$MIL.jpg"
expect 4 "$G" audit verify --bundle e-photo --key "$VKEY"
expect 4 python3 verify_proofs.py e-photo
has out "photos/$MIL.jpg is not the photo the checkpoint approves"

echo "id_military: $checks checks passed"
