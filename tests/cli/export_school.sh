#!/usr/bin/env bash
# The school's package, `gradcap export --for school`, through the real
# binary: photos named by 学号 (the very bytes of the CHSI package's),
# roster.xlsx/.csv with the school's columns in order, the 补(散)拍 list
# (makeup.xlsx) with a missing, a rejected and a 补拍 student, the 补(散)拍
# proofs (makeup-proofs.pdf) only when the profile asks for them, stock
# minisign and sha256sum on it, and the refusals, each with its reason.
. "$(dirname "$0")/lib.bash"
cd "$T"
synth_photos export_school
ok=synth/grace_hopper-ok-blue.jpg
for q in 91 92 93 94; do convert "$ok" -quality $q p$q.jpg; done
school_and_site 6
xh() { sed -n "$1p" r.csv | cut -d, -f1; }
idn() { sed -n "$1p" r.csv | cut -d, -f6; }
nm() { sed -n "$1p" r.csv | cut -d, -f2; }

# --- students 2 and 3 at the central shoot (2 with a capture code), 4 at
# a 补拍 session, 5 rejected; 6 and 7 never come
CODE='CHSI采集码:9f,"Zx"==/+'
"$G" session open --home s --kind central --location 体育馆 >/dev/null
expect 0 "$G" capture --home s --student "$(xh 2)" --file p91.jpg --code "$CODE"
expect 0 "$G" capture --home s --student "$(xh 3)" --file p92.jpg
expect 0 "$G" capture --home s --student "$(xh 5)" --file p94.jpg
"$G" session close --home s >/dev/null
"$G" session open --home s --kind makeup --location 图书馆 >/dev/null
expect 0 "$G" capture --home s --student "$(xh 4)" --file p93.jpg
PORT=$(free_port)
"$G" serve --home c --insecure --no-ui --listen tcp://127.0.0.1:$PORT 2>c.log &
spid=$!
trap '{ kill $spid; wait $spid; } 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port "$PORT"
expect 0 "$G" sync --home s --insecure tcp://127.0.0.1:$PORT
{ kill $spid; wait $spid; } 2>/dev/null || true
cap_of() { "$G" log --home c --json | python3 -c "import json,sys; print([e['id'] for e in json.load(sys.stdin) if e['kind']=='CAPTURE' and e['body']['student'].split(':')[2]=='$1'][0])"; }
for r in 2 3 4; do expect 0 "$G" review --home c approve "$(cap_of "$(idn $r)")"; done
expect 0 "$G" review --home c reject "$(cap_of "$(idn 5)")" --reason "闭眼"

# --- the target is named or refused
expect 2 "$G" export --home c --for bogus --out x
has err "--for bogus: give chsi"
[ ! -e x ] || fail "a refused export made its folder"
checks=$((checks + 1))

# --- the two packages of the same set
expect 0 "$G" export --home c --out chsi
expect 0 "$G" export --home c --for school --out sch --season 2026届
has out "exported 3 photos (named by 学号) of 6 students"
has out "4 students on the 补(散)拍 list"
[ "$(ls sch/photos | wc -l)" = 3 ] || { ls sch/photos; fail "expected the 3 APPROVED photos"; }
for r in 2 3 4; do
	cmp "sch/photos/$(xh $r).jpg" "chsi/photos/$(idn $r).jpg" ||
		fail "student $r: the school's photo is not the CHSI package's"
	checks=$((checks + 1))
done
[ ! -e sch/sheets ] && [ ! -e sch/proofs ] && [ ! -e sch/codes.csv ] ||
	fail "the school package has CHSI files"
[ ! -e sch/makeup-proofs.pdf ] || fail "a proof PDF without [export] makeup_proof"
grep -q makeup-proofs sch/MANIFEST && fail "MANIFEST lists a proof PDF"
checks=$((checks + 2))
expect 0 minisign -V -p sch/minisign.pub -m sch/MANIFEST
has out "Trusted comment: gradcap export-school school=10335 season=2026届 students=6 exported=6 photos=3 level=- checkpoint="
(cd sch && sha256sum -c --quiet MANIFEST) || fail "sha256sum -c MANIFEST failed"
# audit verify --bundle checks CHSI packages, and says what this one is
expect 1 "$G" audit verify --bundle sch --key "$("$G" audit key --home c)"
has err "sch is the school's package (gradcap export --for school), not a CHSI package"
expect 0 "$G" audit verify --bundle chsi --key "$("$G" audit key --home c)"
[ "$(wc -l <sch/MANIFEST)" = 7 ] || { cat sch/MANIFEST; fail "MANIFEST: expected 3 photos, 2 sheets, roster.csv, checkpoint.note"; }
checks=$((checks + 2))

# the sheets, read back: every cell text, the columns in order
cat >sheet.py <<'PY'
import csv, re, sys, zipfile
from xml.etree import ElementTree as ET
NS = {"s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
def sheet(path):
    z = zipfile.ZipFile(path)
    ss = [("".join(t.text or "" for t in si.iter("{%s}t" % NS["s"])))
          for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("s:si", NS)]
    rows = []
    for r in ET.fromstring(z.read("xl/worksheets/sheet1.xml")).iter("{%s}row" % NS["s"]):
        row = {}
        for c in r.findall("s:c", NS):
            assert c.get("t") == "s", "a cell that is not text: %s" % c.get("r")
            col = re.match(r"[A-Z]+", c.get("r")).group(0)
            row[ord(col) - 65 if len(col) == 1 else 26 + ord(col[1]) - 65] = ss[int(c.find("s:v", NS).text)]
        rows.append([row.get(i, "") for i in range(max(row) + 1)] if row else [])
    return rows
PY
python3 - "$CODE" <<'PY' || fail "roster.xlsx / roster.csv"
import csv, sys
sys.path.insert(0, ".")
from sheet import sheet
code = sys.argv[1]
want = ["学校代码", "学号", "考生号", "姓名", "性别", "出生日期", "证件类型", "证件号码",
        "层次", "院系", "专业", "班级", "状态", "采集方式", "采集点", "拍摄时间", "采集码",
        "拍摄序号", "学生键", "学生确认"]
src = list(csv.reader(open("r.csv", encoding="utf-8")))[1:]
x = sheet("sch/roster.xlsx")
assert x[0] == want, x[0]
rows = [dict(zip(want, r + [""] * (len(want) - len(r)))) for r in x[1:]]
raw = open("sch/roster.csv", "rb").read()
assert raw.startswith(b"\xef\xbb\xbf"), "roster.csv has no BOM"
c = list(csv.reader(open("sch/roster.csv", encoding="utf-8-sig", newline="")))
assert c[0] == want, c[0]
assert [dict(zip(want, r)) for r in c[1:]] == rows, (c, rows)
assert len(rows) == 6, rows
by = {r["学号"]: r for r in rows}
for s in src:
    r = by[s[0]]
    assert (r["学校代码"], r["姓名"], r["性别"], r["出生日期"], r["证件类型"], r["证件号码"],
            r["考生号"], r["层次"], r["院系"], r["专业"], r["班级"]) == \
           ("10335", s[1], s[2], s[3], "居民身份证", s[5], s[6], s[7], s[8], s[9], s[10]), (r, s)
    assert r["学生键"].split(":")[2] == s[5], r
s2, s3, s4, s5, s6 = (by[src[i][0]] for i in range(5))
assert (s2["状态"], s2["采集方式"], s2["采集点"], s2["采集码"], s2["拍摄序号"]) == \
       ("已通过", "集中", "东区", code, "1"), s2
assert (s3["状态"], s3["采集码"], s3["拍摄序号"]) == ("已通过", "", "2"), s3
assert (s4["状态"], s4["采集方式"], s4["拍摄序号"]) == ("已通过", "补拍", "1"), s4
assert s4["拍摄时间"].endswith("Z") and len(s4["拍摄时间"]) == 20, s4
assert (s5["状态"], s5["采集方式"], s5["拍摄时间"]) == ("需重拍", "", ""), s5
assert (s6["状态"], s6["采集方式"], s6["采集码"]) == ("未拍摄", "", ""), s6
assert all(r["学生确认"] == "" for r in rows), "a 学生确认 without any check"
PY
checks=$((checks + 1))
python3 - <<'PY' || fail "makeup.xlsx"
import csv, sys
sys.path.insert(0, ".")
from sheet import sheet
want = ["学号", "姓名", "性别", "证件类型", "证件号码", "层次", "院系", "专业", "班级",
        "状态", "采集方式", "采集点", "拍摄时间", "驳回理由"]
src = list(csv.reader(open("r.csv", encoding="utf-8")))[1:]
x = sheet("sch/makeup.xlsx")
assert x[0] == want, x[0]
rows = {r[0]: dict(zip(want, r + [""] * (len(want) - len(r)))) for r in x[1:]}
assert sorted(rows) == sorted(s[0] for s in src[2:]), rows   # not 2 and 3
s4, s5, s6, s7 = (rows[src[i][0]] for i in range(2, 6))
assert (s4["状态"], s4["采集方式"], s4["采集点"], s4["驳回理由"]) == ("已通过", "补拍", "东区", ""), s4
assert (s5["状态"], s5["驳回理由"], s5["证件号码"]) == ("需重拍", "闭眼", src[3][5]), s5
assert (s6["状态"], s6["采集方式"], s6["驳回理由"], s6["姓名"], s6["性别"]) == \
       ("未拍摄", "", "", src[4][1], src[4][2]), s6
assert s7["状态"] == "未拍摄", s7
PY
checks=$((checks + 1))

# --level: the students of one 层次 only, as in the CHSI package
lv=$(sed -n 2p r.csv | cut -d, -f8)
n=$(awk -F, -v l="$lv" 'NR>1 && $8==l' r.csv | wc -l)
expect 0 "$G" export --home c --for school --out lv --level "$lv"
[ "$(($(wc -l <lv/roster.csv) - 1))" = "$n" ] || fail "--level $lv: expected $n rows"
checks=$((checks + 1))
expect 0 minisign -V -p lv/minisign.pub -m lv/MANIFEST
has out "students=6 exported=$n "
has out "level=$lv checkpoint="
[ "$n" -lt 6 ] || fail "the sample roster has one 层次 only: --level tests nothing"
checks=$((checks + 1))

# --- the profile asks for proofs: one A4 page per student needing a photo
printf '\n[export]\nmakeup_proof = perhaps\n' >>c/gradcap.ini
expect 1 "$G" export --home c --for school --out pdf0
has err "[export] makeup_proof = perhaps: give yes or no"
[ ! -e pdf0 ] || fail "a refused export made its folder"
checks=$((checks + 1))
sed -i 's/^makeup_proof = perhaps$/makeup_proof = yes/' c/gradcap.ini
printf '\n[school]\nname = 测试大学\n' >>c/gradcap.ini
# without the font the proofs would print boxes: refused, nothing written
printf '<?xml version="1.0"?>\n<fontconfig><dir>%s/nofonts</dir><cachedir>%s/fc</cachedir></fontconfig>\n' "$T" "$T" >nofonts.conf
mkdir -p nofonts
expect 1 env FONTCONFIG_FILE="$T/nofonts.conf" "$G" export --home c --for school --out pdf0
has err "the font WenQuanYi Micro Hei is not installed (Debian: fonts-wqy-microhei"
[ ! -e pdf0 ] || fail "a refused export made its folder"
checks=$((checks + 1))
expect 0 "$G" export --home c --for school --out pdf1
has out "3 补(散)拍 proofs in pdf1/makeup-proofs.pdf"
pdfinfo pdf1/makeup-proofs.pdf >info.txt
has info.txt "Pages:           3"
has info.txt "Page size:       595.276 x 841.89 pts (A4)"
(cd pdf1 && sha256sum -c --quiet MANIFEST) || fail "sha256sum -c MANIFEST failed"
has pdf1/MANIFEST "makeup-proofs.pdf"
expect 0 minisign -V -p pdf1/minisign.pub -m pdf1/MANIFEST
checks=$((checks + 1))
# page by page, in roster order: 5 (rejected), 6 and 7 (missing)
for p in 1 2 3; do
	r=$((p + 4))
	pdftotext -f $p -l $p pdf1/makeup-proofs.pdf page$p.txt
	has page$p.txt "全国高等教育学历证书图像信息采集补(散)拍证明"
	has page$p.txt "测试大学（学校代码：10335）"
	has page$p.txt "$(nm $r)"
	has page$p.txt "学号：$(xh $r)"
	has page$p.txt "证件号码：$(idn $r)"
	has page$p.txt "证件类型：居民身份证"
	has page$p.txt "学籍管理部门（盖章）"
done
has page1.txt "照片审核未通过：闭眼"
has page2.txt "未参加集中拍摄"
grep -qF "$(nm 6)" page3.txt && fail "page 3 names student 6"
checks=$((checks + 1))

# --- the students' checks (the coordinator serving the portal itself):
# 学生确认 in roster.csv, and 邮寄.csv only when someone gave an address
[ ! -e sch/邮寄.csv ] || fail "a 邮寄.csv without any address"
checks=$((checks + 1))
expect 0 "$G" online invite --home c --student "$(xh 2)" --student "$(xh 3)" --out inv.csv
printf '\n[online]\nask_address = yes\n' >>c/gradcap.ini
PP=$(free_port)
"$G" serve --home c --no-ui --portal "http://127.0.0.1:$PP" 2>c.log &
spid=$!
wait_port "$PP"
PYTHONPATH="$(cd "$(dirname "$0")" && pwd)" python3 - "http://127.0.0.1:$PP" "$(xh 2)" "$(xh 3)" <<'PY' || { cat c.log >&2; fail "the checks on the coordinator's portal"; }
import csv, json, sys
import portal_client as pc
base, a, b = sys.argv[1:]
inv = {r["学号"]: r for r in csv.DictReader(open("inv.csv", encoding="utf-8-sig", newline=""))}
def answer(xh, body):
    st, cookie, j = pc.signin(base, {"code": inv[xh]["邀请码"]}, "198.51.100.9")
    assert st == 200, (st, j)
    st, hd, r = pc.req(base, "POST", "/api/check", body, cookie, j["csrf"], "198.51.100.9")
    assert st == 200, (st, r)
answer(a, {"verdict": "ok", "address": {"name": "李四", "phone": "010-62751234", "address": "=HYPERLINK(\"x\") 北京市海淀区颐和园路5号 100871"}})
answer(b, {"verdict": "report", "text": "姓名有误"})
PY
{ kill $spid; wait $spid; } 2>/dev/null || true
checks=$((checks + 1))
expect 0 "$G" export --home c --for school --out chk
has out "1 mailing addresses for the prints in chk/邮寄.csv"
has chk/MANIFEST "邮寄.csv"
(cd chk && sha256sum -c --quiet MANIFEST) || fail "sha256sum -c MANIFEST failed"
expect 0 minisign -V -p chk/minisign.pub -m chk/MANIFEST
python3 - "$(xh 2)" "$(xh 3)" "$(xh 4)" <<'PY' || fail "学生确认 / 邮寄.csv"
import csv, sys
a, b, c = sys.argv[1:]
raw = open("chk/邮寄.csv", "rb").read()
assert raw.startswith(b"\xef\xbb\xbf"), "邮寄.csv has no BOM"
m = list(csv.reader(open("chk/邮寄.csv", encoding="utf-8-sig", newline="")))
assert m[0] == ["学号", "姓名", "层次", "院系", "班级", "收件人", "联系电话", "邮寄地址", "学生确认"], m[0]
assert len(m) == 2 and m[1][0] == a and m[1][5:7] == ["李四", "010-62751234"] and m[1][8] == "已确认", m
# a formula in the address is defused, as in every sheet
assert m[1][7].startswith("'=HYPERLINK"), m[1][7]
by = {r["学号"]: r for r in csv.DictReader(open("chk/roster.csv", encoding="utf-8-sig", newline=""))}
assert (by[a]["学生确认"], by[b]["学生确认"], by[c]["学生确认"]) == ("已确认", "报告错误", ""), by
PY
checks=$((checks + 1))

# --- photos are named by 学号: a student without one stops it (the
# roster import itself refuses a 学号 twice)
awk -F, -v OFS=, 'NR==7{$1=""}1' r.csv >r2.csv
"$G" roster import --home c r2.csv >/dev/null
expect 1 "$G" export --home c --for school --out no1
has err "$(nm 7) (roster row 7, 证件号码 **************$(idn 7 | cut -c15-)): no 学号"
has err "1 students have no usable 学号"
has err "nothing exported"
[ ! -e no1 ] || fail "a refused export made its folder"
grep -qF "$(idn 7)" "$T/err" && fail "the refusal shows a full 证件号码"
checks=$((checks + 2))
awk -F, -v OFS=, 'NR==7{$1="../2021"}1' r.csv >r3.csv
"$G" roster import --home c r3.csv >/dev/null
expect 1 "$G" export --home c --for school --out no2
has err "学号 '../2021' cannot name a file"
[ ! -e no2 ] && [ ! -e 2021.jpg ] || fail "a refused export wrote something"
checks=$((checks + 1))
# the CHSI package names photos by 证件号码: it still goes
expect 0 "$G" export --home c --out chsi2
echo "export_school: $checks checks passed"
