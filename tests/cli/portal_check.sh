#!/usr/bin/env bash
# The student's check of the finished photo (图像校对) through real
# processes: a coordinator and an online node over TLS, the portal on
# loopback. Before approval nothing is shown; once approved the student
# downloads the finished 480 × 640 JPEG and sees the registration data
# (ID number masked); another student's session sees and confirms nothing
# of it; no CSRF token, another site's page and malformed bodies are
# refused with a clear error and store nothing; a station photo whose
# bytes the online node does not hold gets a clear answer; the answers are
# signed STUDENT_CHECK entries that reach the coordinator by sync, where
# `online checks` lists them and the exports carry 学生确认 and 邮寄.csv.
. "$(dirname "$0")/lib.bash"
cd "$T"
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"
synth_photos portal_check
school_and_site 6
online_node
convert synth/grace_hopper-ok-blue.jpg -quality 92 good.jpg
convert synth/grace_hopper-ok-blue.jpg -quality 93 station.jpg
xh() { sed -n "$1p" r.csv | cut -d, -f1; }
idn() { sed -n "$1p" r.csv | cut -d, -f6; }
# student 2 sends a photo on the portal; 4 is photographed at a station;
# 3 never sends one
echo "A=$(xh 2) B=$(xh 3) C=$(xh 4)" >who.txt
"$G" session open --home s --kind central --location 体育馆 >/dev/null
expect 0 "$G" capture --home s --student "$(xh 4)" --file station.jpg
serve_tls c
expect 0 "$G" sync --home s "$URL"
cap_of() { "$G" log --home c --json | python3 -c "import json,sys; print([e['id'] for e in json.load(sys.stdin) if e['kind']=='CAPTURE' and e['body']['student'].split(':')[2]=='$1'][0])"; }
expect 0 "$G" review --home c approve "$(cap_of "$(idn 4)")"
expect 0 "$G" sync --home o "$URL"

PP=$(free_port)
printf '\n[school]\nname = 示例大学\n[online]\nask_address = yes\n' >>o/gradcap.ini
"$G" serve --home o --no-ui --portal "http://127.0.0.1:$PP" 2>o.log &
ppid=$!
trap '{ kill $spid $ppid; wait $spid $ppid; } 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port "$PP"

cat >common.py <<'EOF'
import csv, json, sys
import portal_client as pc
from portal_client import ok
base = sys.argv[1]
inv = {r["学号"]: r for r in csv.DictReader(open("inv.csv", encoding="utf-8-sig", newline=""))}
roster = {r[0]: r for r in csv.reader(open("r.csv", encoding="utf-8"))}
who = dict(kv.split("=") for kv in open("who.txt").read().split())
def req(method, path, body=None, cookie=None, csrf=None, origin=None):
    return pc.req(base, method, path, body, cookie, csrf, "198.51.100.30", origin)
def signin(xh):
    st, cookie, j = pc.signin(base, {"code": inv[xh]["邀请码"]}, "198.51.100.30")
    ok(st == 200, "sign-in", (st, j))
    return cookie, j["csrf"]
def err(st_b, status, zh=None):
    st, hd, b = st_b
    j = json.loads(b)
    return st == status and j["error"]["message"] and j["error"]["message_zh"] and (zh is None or zh in j["error"]["message_zh"])
EOF

# --- before approval: refused; the photo is sent and submitted
python3 - "http://127.0.0.1:$PP" <<'EOF' || { cat o.log >&2; fail "before approval"; }
from common import *
ca, ta = signin(who["A"])
ok(err(req("GET", "/api/final", cookie=ca), 409, "尚未审核通过"), "no finished photo before approval")
ok(err(req("GET", "/api/check", cookie=ca), 409), "no check before approval")
ok(err(req("POST", "/api/check", {"verdict": "ok", "address": {"name": "张三", "phone": "13800138000", "address": "北京"}}, cookie=ca, csrf=ta), 409), "no answer before approval")
ok(req("GET", "/api/final")[0] == 401, "signed in only")
st, hd, b = pc.req(base, "POST", "/api/photo", open("good.jpg", "rb").read(), ca, ta, "198.51.100.30", None, "image/jpeg")
ok(st == 200, "a photo", (st, b))
d = json.loads(b)["draft"]
st, hd, b = req("POST", "/api/confirm", {"draft": d}, cookie=ca, csrf=ta)
ok(st == 200, "submitted", (st, b))
open("checks.txt", "w").write(str(pc.checks))
EOF
checks=$((checks + $(cat checks.txt)))
expect 0 "$G" sync --home o "$URL"
expect 0 "$G" review --home c approve "$(cap_of "$(idn 2)")"
expect 0 "$G" sync --home o "$URL"

# --- approved: the download, the data, the refusals, the answers
python3 - "http://127.0.0.1:$PP" <<'EOF' || { cat o.log >&2; fail "the check"; }
from common import *
import struct
def jpeg_size(b):
    i = 2
    while i < len(b):
        assert b[i] == 0xFF, "not a JPEG marker at %d" % i
        m = b[i + 1]
        n = struct.unpack(">H", b[i + 2:i + 4])[0]
        if 0xC0 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", b[i + 5:i + 9])
            return w, h
        i += 2 + n
    return None
A, B, C = who["A"], who["B"], who["C"]
ca, ta = signin(A)
cb, tb = signin(B)
cc, tc = signin(C)
st, hd, img = req("GET", "/api/final", cookie=ca)
ok(st == 200 and hd["Content-Type"] == "image/jpeg" and img[:2] == b"\xff\xd8", "the finished photo", (st, hd))
ok(hd.get("Content-Disposition") == 'attachment; filename="%s.jpg"' % A, "a download", hd)
ok(jpeg_size(img) == (480, 640), "480 × 640", jpeg_size(img))
st, hd, b = req("GET", "/api/check", cookie=ca)
j = json.loads(b)
r = roster[A]
s = j["student"]
ok(st == 200 and s["name"] == r[1] and s["sex"] == r[2] and s["birth"].replace("-", "") == r[3].replace("-", "") and s["level"] == r[7] and s["major"] == r[9], "the registration data", (j, r))
ok(s["id_masked"].endswith(r[5][-4:]) and s["id_masked"].count("*") == len(r[5]) - 4 and r[5] not in b.decode(), "the ID number masked", s)
ok(j["check"] is None and j["ask_address"] is True, "no answer yet; the address is asked for", j)

# another student: not approved, sees nothing of A's, confirms nothing
ok(err(req("GET", "/api/check?student=" + A, cookie=cb), 409), "another student's check")
ok(err(req("GET", "/api/final?student=" + A, cookie=cb), 409), "another student's photo")
ok(err(req("POST", "/api/check?student=" + A, {"verdict": "ok", "address": {"name": "x", "phone": "13800138000", "address": "y"}}, cookie=cb, csrf=tb), 409), "another student's confirm")
ok(req("POST", "/api/check", {"verdict": "ok"}, cookie=ca, csrf=tb)[0] == 403, "another session's token")

# CSRF and another site's page
ok(err(req("POST", "/api/check", {"verdict": "ok"}, cookie=ca), 403), "no CSRF token")
ok(req("POST", "/api/check", {"verdict": "ok"}, cookie=ca, csrf="0" * 64)[0] == 403, "a wrong CSRF token")
ok(req("POST", "/api/check", {"verdict": "ok"}, cookie=ca, csrf=ta, origin="https://evil.example")[0] == 403, "another site's page")

# malformed bodies: a clear error naming what is wrong
addr = {"name": "张三", "phone": "13800138000", "address": "北京市海淀区某路1号 100080"}
bad = [
    (b"{not json", "bad_json", None),
    ([1, 2], "bad_request", "请求格式不对"),
    ({"verdict": "maybe"}, "bad_request", "信息无误"),
    ({"verdict": "report"}, "bad_request", "错误说明"),
    ({"verdict": "report", "text": "   "}, "bad_request", "请填写错误说明"),
    ({"verdict": "report", "text": 5}, "bad_request", "错误说明"),
    ({"verdict": "report", "text": "错" * 201}, "bad_request", "过长"),
    ({"verdict": "report", "text": "a\u0007b"}, "bad_request", "控制字符"),
    ({"verdict": "ok", "text": "多余的说明", "address": addr}, "bad_request", "不需要"),
    ({"verdict": "ok"}, "bad_request", "邮寄地址"),
    ({"verdict": "ok", "address": "北京"}, "bad_request", "邮寄信息"),
    ({"verdict": "ok", "address": dict(addr, phone="12ab")}, "bad_request", "联系电话"),
    ({"verdict": "ok", "address": dict(addr, name="")}, "bad_request", "收件人"),
    ({"verdict": "ok", "address": dict(addr, address="路" * 101)}, "bad_request", "过长"),
]
for body, code, zh in bad:
    st, hd, b = req("POST", "/api/check", body, cookie=ca, csrf=ta)
    e = json.loads(b)["error"]
    ok(st == 400 and e["code"] == code and e["message"] and (zh is None or zh in e["message_zh"]), "refused: %r" % (body,), (st, e))
ok(json.loads(req("GET", "/api/check", cookie=ca)[2])["check"] is None, "nothing stored by a refused answer")

# a station photo the online node does not hold: a clear answer
ok(err(req("GET", "/api/final", cookie=cc), 503, "现场采集"), "a station photo not held here")
st, hd, b = req("GET", "/api/check", cookie=cc)
ok(st == 200 and json.loads(b)["student"]["name"] == roster[C][1], "its data all the same", b)
# answers are rate-limited per student
codes = [req("POST", "/api/check", b"{", cookie=cc, csrf=tc)[0] for _ in range(20)]
ok(codes == [400] * 20, "20 answers an hour", codes)
st, hd, b = req("POST", "/api/check", {"verdict": "report", "text": "x"}, cookie=cc, csrf=tc)
ok(st == 429 and json.loads(b)["error"]["code"] == "too_many", "the 21st waits", (st, b))

# the answers: a report, then the confirmation with the address
st, hd, b = req("POST", "/api/check", {"verdict": "report", "text": "出生日期不对\n应为2001年3月5日"}, cookie=ca, csrf=ta)
j = json.loads(b)
ok(st == 200 and j["check"]["verdict"] == "report" and j["check"]["text"] == "出生日期不对\n应为2001年3月5日" and j["check"]["address"] is None, "a report", (st, j))
st, hd, b = req("POST", "/api/check", {"verdict": "ok", "address": addr}, cookie=ca, csrf=ta)
j = json.loads(b)
ok(st == 200 and j["check"]["verdict"] == "ok" and j["check"]["address"] == addr and j["check"]["text"] == "", "confirmed, with the address", (st, j))
ok(json.loads(req("GET", "/api/check", cookie=ca)[2])["check"]["verdict"] == "ok", "the latest answer stands")
ok(err(req("GET", "/api/check", cookie=cb), 409), "still nothing for the other student")
open("checks.txt", "w").write(str(pc.checks))
EOF
checks=$((checks + $(cat checks.txt)))
# the portal's log names no student, no address, no report text
for s in "$(idn 2)" "北京市海淀区" "13800138000" "出生日期不对"; do
	grep -qF "$s" o.log && fail "'$s' in the portal's log"
	checks=$((checks + 1))
done

# --- signed entries, by sync to the coordinator, listed and exported
expect 0 "$G" log --home o --json
json "[e['kind'] for e in j].count('STUDENT_CHECK')==2"
json "[e['body']['verdict'] for e in j if e['kind']=='STUDENT_CHECK']==[1,0]"
expect 0 "$G" log --home o
has out "ok of photo"
grep -qF "北京市海淀区" "$T/out" && fail "an address in the log's lines"
grep -qF "出生日期不对" "$T/out" && fail "a report's text in the log's lines"
checks=$((checks + 2))
expect 0 "$G" sync --home o "$URL"
expect 0 "$G" online checks --home c
has out "已确认  $(xh 2)"
grep -qF "$(idn 2)" "$T/out" && fail "a whole ID number on screen"
grep -qF "北京市" "$T/out" && fail "an address on screen"
checks=$((checks + 2))
has out "[有邮寄地址]"
has err "1 students confirmed their photo (已确认), 0 reported an error"
expect 0 "$G" online checks --home c --csv
python3 - "$(idn 2)" "$T/out" <<'EOF' || fail "online checks --csv"
import csv, io, sys
raw = open(sys.argv[2], "rb").read()
assert raw.startswith(b"\xef\xbb\xbf"), "no BOM"
rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
assert len(rows) == 1, rows
r = rows[0]
assert r["证件号码"] == sys.argv[1] and r["学生确认"] == "已确认" and r["照片"] == "当前照片", r
assert r["收件人"] == "张三" and r["联系电话"] == "13800138000" and r["邮寄地址"].startswith("北京市海淀区"), r
EOF
checks=$((checks + 1))
expect 2 "$G" online checks --home c extra
has err "no operands"

expect 0 "$G" export --home c --out chsi
expect 0 "$G" export --home c --for school --out sch
has out "1 mailing addresses for the prints in sch/邮寄.csv"
python3 - "$(idn 2)" "$(idn 4)" "$(xh 2)" <<'EOF' || fail "the exports' 学生确认 and 邮寄.csv"
import csv, sys
a, c, axh = sys.argv[1:]
rows = list(csv.DictReader(open("chsi/roster.csv", encoding="utf-8-sig", newline="")))
by = {r["证件号码"]: r for r in rows}
assert list(rows[0].keys())[-1] == "学生确认", rows[0].keys()
assert by[a]["学生确认"] == "已确认", by[a]
assert by[c]["学生确认"] == "" and by[c]["状态"] == "APPROVED", by[c]
assert sum(1 for r in rows if r["学生确认"]) == 1, rows
rows = list(csv.DictReader(open("sch/roster.csv", encoding="utf-8-sig", newline="")))
by = {r["证件号码"]: r for r in rows}
assert list(rows[0].keys())[-1] == "学生确认" and by[a]["学生确认"] == "已确认" and by[c]["学生确认"] == "", rows
mail = list(csv.DictReader(open("sch/邮寄.csv", encoding="utf-8-sig", newline="")))
assert len(mail) == 1 and mail[0]["学号"] == axh and mail[0]["收件人"] == "张三" and mail[0]["联系电话"] == "13800138000" and mail[0]["学生确认"] == "已确认", mail
assert "邮寄.csv" in open("sch/MANIFEST", encoding="utf-8").read()
EOF
checks=$((checks + 1))
(cd sch && sha256sum -c --quiet MANIFEST) || fail "sha256sum -c MANIFEST"
expect 0 minisign -V -p sch/minisign.pub -m sch/MANIFEST
checks=$((checks + 1))
# --- another photo wins (a station retake, resolved): the answer was about
# the earlier photo, so nobody has checked the one that goes out now
convert synth/grace_hopper-ok-blue.jpg -quality 94 retake.jpg
expect 0 "$G" capture --home s --student "$(xh 2)" --file retake.jpg
expect 0 "$G" sync --home s "$URL"
retake=$("$G" log --home c --json | python3 -c "import json,sys; print([e['id'] for e in json.load(sys.stdin) if e['kind']=='CAPTURE' and e['body']['student'].split(':')[2]=='$(idn 2)' and e['body']['session_kind']=='central'][0])")
expect 0 "$G" review --home c approve "$retake"
expect 0 "$G" resolve --home c "$(xh 2)" "$retake" --reason 现场重拍
expect 0 "$G" online checks --home c
has out "[照片已更换: about an earlier photo]"
has err "0 students confirmed their photo (已确认), 0 reported an error"
expect 0 "$G" online checks --home c --csv
has out "照片已更换"
expect 0 "$G" export --home c --for school --out sch2
python3 - "$(xh 2)" <<'EOF' || fail "the exports after another photo won"
import csv, sys
by = {r["学号"]: r for r in csv.DictReader(open("sch2/roster.csv", encoding="utf-8-sig", newline=""))}
assert by[sys.argv[1]]["状态"] == "已通过" and by[sys.argv[1]]["学生确认"] == "", by[sys.argv[1]]
mail = list(csv.DictReader(open("sch2/邮寄.csv", encoding="utf-8-sig", newline="")))
# the address still stands; the photo it goes with is not checked yet
assert len(mail) == 1 and mail[0]["学号"] == sys.argv[1] and mail[0]["学生确认"] == "", mail
EOF
checks=$((checks + 1))
expect 0 "$G" sync --home o "$URL"
python3 - "http://127.0.0.1:$PP" <<'EOF' || fail "the check after another photo won"
from common import *
ca, ta = signin(who["A"])
st, hd, b = req("GET", "/api/check", cookie=ca)
j = json.loads(b)
ok(st == 200 and j["check"] is None, "no answer about the photo that goes out now", j)
ok(err(req("GET", "/api/final", cookie=ca), 503, "现场采集"), "the station retake is not held here")
st, hd, b = req("POST", "/api/check", {"verdict": "ok", "address": {"name": "张三", "phone": "13800138000", "address": "北京"}}, cookie=ca, csrf=ta)
ok(st == 200 and json.loads(b)["check"]["verdict"] == "ok", "the new photo confirmed", b)
EOF
checks=$((checks + 1))

# the coordinator's ledger still verifies with the new kind in it
expect 0 "$G" audit verify --home c

echo "portal_check: $checks checks passed"
