#!/usr/bin/env bash
# Roster corrections through the real binary: a 15-digit 证件号码 imported
# with its 升位 warning, a photo taken at a site under it, the corrected
# roster imported at the coordinator (listed old -> new), `roster correct`,
# the correction reaching the site by sync over TLS, and the export naming
# the photos by the corrected numbers; removal, exemption, restore, the
# --upgrade-15 import, and the refusals, each with its reason.
. "$(dirname "$0")/lib.bash"
cd "$T"
synth_photos roster_fix
ok=synth/grace_hopper-ok-blue.jpg
for q in 91 92 93 94; do convert "$ok" -quality $q p$q.jpg; done

OLD=340524800101001     # 15 digits, born 1980-01-01, male
NEW=34052419800101001X  # its 升位
"$G" init --home c --role coordinator --school 10335 --name 教务处 >/dev/null
"$G" sample roster --count 4 --seed 7 --out r.csv
echo "2021009999,李四,男,1980-01-01,居民身份证,$OLD,,本科,计算机学院,软件工程,软工2101,南湖校区" >>r.csv
xh() { sed -n "$1p" r.csv | cut -d, -f1; }
idn() { sed -n "$1p" r.csv | cut -d, -f6; }

# --- a 15-digit row imports with a warning naming its candidate
expect 0 "$G" roster import --home c r.csv
has out "row 6: warning: 15-digit 证件号码 $OLD needs 升位: its 18-digit candidate is $NEW"
has out "5 new, 0 changed"
expect 0 "$G" roster show --home c --json "$OLD"
json "j['student']['key']=='10335:1:$OLD:05' and j['student']['upgraded']=='$NEW' and j['student']['order']==6"
KEY=10335:1:$OLD:05

# --- a site enrolls (the roster comes with it); the student's new card
# says 18 digits, the roster 15: the card still finds the student
"$G" init --home s --role site --school 10335 --name 东区 >/dev/null
"$G" enroll request --home s --out s.req >/dev/null
"$G" enroll sign --home c s.req --out s.enr >/dev/null
"$G" enroll install --home s s.enr >/dev/null
"$G" session open --home s --kind central --location hall >/dev/null
expect 0 "$G" capture --home s --student "$NEW" --file p91.jpg --json
json "(j[0] if isinstance(j, list) else j)['student']=='$KEY' and (j[0] if isinstance(j, list) else j)['stored']"
expect 3 "$G" capture --home s --student "$OLD" --file p94.jpg
has out "already has 1 capture"
expect 3 "$G" capture --home s --student 340524800101002 --file p94.jpg
has out "not on the roster"
expect 0 "$G" capture --home s --student "$(xh 2)" --file p92.jpg
expect 0 "$G" capture --home s --student "$(xh 3)" --file p93.jpg

serve_tls c
expect 0 "$G" sync --home s "$URL"

# --- the corrected roster: the same 学号 with the 18-digit number is a
# change of that student, listed old -> new, and the photo stays with it
sed "s/,$OLD,/,$NEW,/" r.csv >r2.csv
expect 0 "$G" roster import --home c --dry-run r2.csv
has out "r2.csv row 6: changes $KEY: 证件号码 $OLD → $NEW"
has out "0 new, 1 changed, 4 unchanged"
has out "dry run: nothing was stored"
expect 0 "$G" roster import --home c --json r2.csv
json "j['changed']==1 and j['new']==0 and j['changes'][0]['student']=='$KEY' and j['changes'][0]['fields']['id_number']==['$OLD','$NEW'] and j['warnings']==[]"
expect 0 "$G" roster show --home c --json "$NEW"
json "j['student']['key']=='$KEY' and j['student']['id_number']=='$NEW' and j['student']['upgraded'] is None"
# the old file again does not undo the 升位
expect 0 "$G" roster import --home c r.csv
has out "0 new, 0 changed, 5 unchanged"
expect 0 "$G" roster show --home c --json "$NEW"
json "j['student']['id_number']=='$NEW'"

# --- one student's 证件号码 and name by `roster correct`
FIXED=$(python3 -c '
w=[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2]; b="11010519900307101"
print(b+"10X98765432"[sum(int(c)*x for c,x in zip(b,w))%11])')
expect 2 "$G" roster correct --home c --id "$FIXED" "$(xh 2)"
has err "--reason is required"
expect 1 "$G" roster correct --home c --id 110105199003071011 --reason 笔误 "$(xh 2)"
has err "check digit"
expect 1 "$G" roster correct --home c --id "$(idn 3)" --reason 笔误 "$(xh 2)"
has err "already belongs to student"
expect 1 "$G" roster correct --home s --id "$FIXED" --reason 笔误 "$(xh 2)"
has err "only the coordinator writes"
expect 0 "$G" roster correct --home c --id "$FIXED" --name 改名字 --reason 身份证号录入笔误 "$(xh 2)"
has out "证件号码 $(idn 2) → $FIXED"
has out "姓名"
has out "出生日期"
K2=$("$G" roster show --home c --json "$FIXED" | python3 -c 'import json,sys; print(json.load(sys.stdin)["student"]["key"])')
[ "$K2" != "${K2/$(idn 2)/}" ] || fail "the corrected student's key changed: $K2"
checks=$((checks + 1))
expect 0 "$G" log --home c
has out "correct 1 row from roster: 身份证号录入笔误"
expect 1 "$G" roster correct --home c --name 改名字 --reason again "$(xh 2)"
has err "nothing to change"

# --- a 学号 already held by another student refuses the row, naming it;
# an older file never silently undoes a correction by hand
sed "s/^$(xh 4),/$(xh 5),/" r2.csv | sed "5d" >r3.csv
expect 3 "$G" roster import --home c r3.csv
has out "r3.csv row 4, column 学号: 学号 $(xh 5) already belongs to student"
has out "r3.csv row 2, column 证件号码: the stored row of this student was set by 'roster correct' (身份证号录入笔误)"
has out "0 new, 0 changed, 2 unchanged, 0 back on the roster, 2 rejected"
expect 0 "$G" roster show --home c --json "$FIXED"
json "j['student']['name']=='改名字'"

# --- the corrections reach the site by sync; its captures follow
expect 0 "$G" sync --home s "$URL"
expect 0 "$G" roster show --home s --json "$NEW"
json "j['student']['key']=='$KEY'"
expect 3 "$G" capture --home s --student "$NEW" --file p94.jpg
has out "already has 1 capture"
caps() { "$G" log --home "$1" --json | python3 -c 'import json,sys; print(" ".join(e["id"] for e in json.load(sys.stdin) if e["kind"]=="CAPTURE"))'; }
for c in $(caps s); do
	expect 0 "$G" review --home c approve "$c"
done

# --- exempt a student without a photo; remove one with a photo
expect 0 "$G" roster exempt --home c --reason 已有学信网图像 "$(xh 4)"
expect 0 "$G" status --home c --json
json "j['merge']['counts']['EXEMPT']==1 and j['merge']['counts']['APPROVED']==3 and j['merge']['counts']['MISSING']==1"
expect 0 "$G" missing --home c --csv
grep -q "$(xh 4)" "$T/out" && fail "an exempt student is on the makeup list"
has out "$(xh 5)"
expect 0 "$G" roster remove --home c --reason 退学 "$(xh 3)"
has out "leave the merge"
expect 0 "$G" status --home c --json
json "j['merge']['students']==4 and j['merge']['counts']['APPROVED']==2 and j['merge']['unmatched']==0"
expect 0 "$G" roster show --home c "$(xh 3)"
has out "removed     退学"
expect 1 "$G" roster remove --home c --reason again "$(xh 3)"
has err "not on the roster"
expect 0 "$G" sync --home s "$URL"
expect 3 "$G" capture --home s --student "$(xh 3)" --file p94.jpg
has out "was removed from the roster (退学)"

# --- the export names the photos by the corrected numbers
expect 0 "$G" export --home c --out e
has err "1 students are EXEMPT"
has err "1 students are not APPROVED"
[ -s "e/photos/$NEW.jpg" ] || fail "no photo under the corrected number: $(ls e/photos)"
[ -s "e/photos/$FIXED.jpg" ] || fail "no photo under the corrected 证件号码"
[ ! -e "e/photos/$OLD.jpg" ] && [ ! -e "e/photos/$(idn 2).jpg" ] && [ ! -e "e/photos/$(idn 3).jpg" ] ||
	fail "a photo under an old number or of a removed student: $(ls e/photos)"
checks=$((checks + 1))
has e/roster.csv "$NEW"
has e/roster.csv "EXEMPT"
grep -q "$(idn 3)" e/roster.csv && fail "a removed student in roster.csv"
checks=$((checks + 1))
VKEY=$("$G" audit key --home c)
expect 0 "$G" audit verify --bundle e --key "$VKEY"
expect 0 "$G" audit verify --home c
expect 0 "$G" audit verify --home s
# the auditor guide's own verifiers, as printed there, on this export
# with corrected, exempt and removed students, and on copies with a photo
# changed and two proofs swapped
guide_verify 0 "$VKEY" e
has "$T/out.py" "OK 4 proofs of 4 leaves"
has "$T/out.go" "approved photos match their leaves"
cp -r e e-photo
convert "e-photo/photos/$NEW.jpg" -quality 50 "e-photo/photos/$NEW.jpg"
guide_verify 4 "$VKEY" e-photo
has "$T/out.py" "photos/$NEW.jpg is not the photo the checkpoint approves"
has "$T/out.go" "photos/$NEW.jpg is not the photo the checkpoint approves"
cp -r e e-swap
mv "e-swap/proofs/$NEW.proof" x.proof
mv "e-swap/proofs/$FIXED.proof" "e-swap/proofs/$NEW.proof"
mv x.proof "e-swap/proofs/$FIXED.proof"
guide_verify 4 "$VKEY" e-swap
has "$T/out.py" "the leaf is of another student"
has "$T/out.go" "the leaf is of another student"

# --- restore: back in the merge with its photo; exempt cleared
expect 0 "$G" roster restore --home c --reason 复学 "$(idn 3)"
expect 0 "$G" roster exempt --home c --clear --reason 需要拍照 "$(xh 4)"
expect 1 "$G" roster exempt --home c --clear --reason again "$(xh 4)"
has err "is not exempt"
expect 0 "$G" status --home c --json
json "j['merge']['students']==5 and j['merge']['counts']['APPROVED']==3 and j['merge']['counts']['EXEMPT']==0"

# --- --upgrade-15 stores the candidates; a new student is keyed by them
"$G" init --home c2 --role coordinator --school 10335 --name 教务处 >/dev/null
expect 0 "$G" roster import --home c2 --upgrade-15 r.csv
has out "0 warnings"
expect 0 "$G" roster show --home c2 --json "$NEW"
json "j['student']['key']=='10335:1:$NEW:05' and j['student']['upgraded'] is None"
"$G" init --home c3 --role coordinator --school 10335 --name 教务处 >/dev/null
expect 0 "$G" roster import --home c3 r.csv
expect 0 "$G" roster import --home c3 --upgrade-15 --json r.csv
json "j['changed']==1 and j['changes'][0]['student']=='$KEY' and j['changes'][0]['fields']['id_number']==['$OLD','$NEW']"
expect 0 "$G" log --home c3
has out "upgrade 1 row from r.csv"

# --- order: a shuffled roster keeps its row order in the lists
"$G" init --home c4 --role coordinator --school 10335 --name 教务处 >/dev/null
{ head -1 r.csv; tail -n +2 r.csv | sort -r; } >shuf.csv
expect 0 "$G" roster import --home c4 shuf.csv
expect 0 "$G" roster list --home c4 --json
python3 -c "import json,sys
j=json.load(open('$T/out')); want=[l.split(',')[0] for l in open('shuf.csv').read().split('\n')[1:] if l]
sys.exit(0 if [s['student_no'] for s in j]==want and [s['order'] for s in j]==list(range(2,7)) else 1)" ||
	{ cat "$T/out"; fail "roster list is not in the file's order"; }
expect 0 "$G" roster list --home c4 --sort id --json
json "[s['key'] for s in j]==sorted(s['key'] for s in j)"
expect 0 "$G" missing --home c4 --csv
python3 -c "import sys
got=[l.split(',')[0].strip('\ufeff\"') for l in open('$T/out', encoding='utf-8').read().splitlines()[1:] if l]
want=[l.split(',')[0] for l in open('shuf.csv').read().split('\n')[1:] if l]
sys.exit(0 if got==want else 1)" || { cat "$T/out"; fail "missing is not in roster order"; }
checks=$((checks + 2))
expect 2 "$G" roster list --home c4 --sort name
has err "use roster or id"
# the sign-in sheet (签到表) follows the file's order too, numbered, the
# ID numbers masked; a page to print, a CSV for Excel
expect 0 "$G" session sheet --home c4 --json
python3 -c "import json,sys
j=json.load(open('$T/out')); want=[l.split(',')[0] for l in open('shuf.csv').read().split('\n')[1:] if l]
ok = [s['student_no'] for s in j['students']]==want and [s['no'] for s in j['students']]==list(range(1,6))
ok = ok and all(s['id_masked'].startswith('*') and s['shot'] is None for s in j['students']) and j['session'] is None
sys.exit(0 if ok else 1)" || { cat "$T/out"; fail "session sheet: not the file's order, numbered"; }
checks=$((checks + 1))
expect 0 "$G" session sheet --home c4 --html --out sheet.html
has sheet.html "<th>签名</th>"
has sheet.html "学历照片采集签到表 · 全部班级"
expect 0 "$G" session sheet --home c4 --csv --class "$(sed -n 2p shuf.csv | cut -d, -f11)"
has out "序号"
for i in 2 3 4 5 6; do
	grep -qF "$(idn $i)" sheet.html "$T/out" && fail "the sign-in sheet shows a whole ID number"
done
checks=$((checks + 1))
expect 1 "$G" session sheet --home c4 --class 没有这个班
has err "no student in class 没有这个班"
expect 2 "$G" session sheet --home c4 --csv --html
has err "give one of --csv, --html and --json"

# --- makeup without ceremony: a rejected student is shot again at a
# makeup session without --again; an approved one still needs it
c2=$("$G" log --home s --json | python3 -c 'import json,sys
print([e["id"] for e in json.load(sys.stdin) if e["kind"]=="CAPTURE" and e["body"]["student"]==sys.argv[1]][0])' "$K2")
expect 0 "$G" review --home c reject "$c2" --reason 背景不合格
expect 0 "$G" sync --home s "$URL"
"$G" session close --home s >/dev/null
"$G" session open --home s --kind makeup --location 补拍点 >/dev/null
expect 0 "$G" missing --home s --csv
has out "$FIXED"
expect 0 "$G" session sheet --home s --missing --json
json "'$FIXED'.endswith(j['students'][0]['id_masked'].lstrip('*')) and j['session']['kind']=='makeup'"
expect 0 "$G" capture --home s --student "$FIXED" --file p94.jpg
has out "no. 1 of the session"
expect 3 "$G" capture --home s --student "$NEW" --file synth/grace_hopper-ok-white.jpg
has out "status APPROVED"
has out "pass --again"
# the shooting order of the session (拍摄序号): a retake keeps its number,
# the next student gets the next one; the sheet shows them
convert "$ok" -quality 95 p95.jpg
expect 0 "$G" capture --home s --student "$FIXED" --file p95.jpg --again --json
json "j['seq']==1"
expect 0 "$G" capture --home s --student "$NEW" --file synth/grace_hopper-ok-white.jpg --again
has out "no. 2 of the session"
expect 0 "$G" log --home s --json
json "[e['body']['seq'] for e in j if e['kind']=='CAPTURE'][-3:]==[1,1,2]"
expect 0 "$G" session sheet --home s --json
json "sorted(s['shot'] for s in j['students'] if s['shot'])==[1,2]"

echo "roster_fix: $checks checks passed"
