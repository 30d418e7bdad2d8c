#!/usr/bin/env bash
# The 学信网 采集码 on the student portal ([online] capture_code): typed
# with the confirm and bound, opaque, to the student's online CAPTURE; one
# code, one student and one photo, one student, across the stations and
# the portal, refused without naming the other student; malformed codes refused with nothing stored;
# required and off as the school sets it; the code goes by sync into the
# export's roster.csv and never into a log.
. "$(dirname "$0")/lib.bash"
cd "$T"
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"
synth_photos portal_code
convert synth/grace_hopper-ok-blue.jpg -quality 92 good.jpg
convert synth/grace_hopper-ok-white.jpg -quality 91 station.jpg
convert synth/grace_hopper-ok-blue.jpg -quality 85 good_b.jpg
online_school 4
expect 0 "$G" sync --home s "$URL"

# a station photographs the 4th student with a code; the online node
# learns of it by sync
CODE_S='CHSI:station-code-0004'
CODE_A='CHSI采集码:9f,"Zx"==/+A'
no4=$(sed -n 5p r.csv | cut -d, -f1)
"$G" session open --home s --kind central --location hall >/dev/null
expect 0 "$G" capture --home s --student "$no4" --file station.jpg --code "$CODE_S"
expect 0 "$G" sync --home s "$URL"
expect 0 "$G" sync --home o "$URL"

# a setting the portal does not know stops it, naming the setting
PP=$(free_port)
cp o/gradcap.ini o/gradcap.ini.orig
printf '\n[online]\ncapture_code = maybe\n' >>o/gradcap.ini
expect 1 "$G" serve --home o --no-ui --portal "http://127.0.0.1:$PP"
has err "[online] capture_code = maybe: give no, optional or required"

portal() { # portal [capture_code]: (re)starts the online node's portal
	cp o/gradcap.ini.orig o/gradcap.ini
	[ -z "${1:-}" ] || printf '\n[online]\ncapture_code = %s\n' "$1" >>o/gradcap.ini
	portal_start "$PP"
}
portal

python3 - "http://127.0.0.1:$PP" "$CODE_S" "$CODE_A" <<'EOF' || { cat o.log >&2; fail "the portal's capture codes"; }
import csv, json, sys
import portal_client as pc
from portal_client import ok
base, code_s, code_a = sys.argv[1:4]
rows = list(csv.DictReader(open("inv.csv", encoding="utf-8-sig", newline="")))
roster = {r[0]: r for r in csv.reader(open("r.csv", encoding="utf-8"))}
good = open("good.jpg", "rb").read()
station = open("station.jpg", "rb").read()
good_b = open("good_b.jpg", "rb").read()
def req(method, path, body=None, cookie=None, csrf=None, ctype="application/json"):
    return pc.req(base, method, path, body, cookie, csrf, "198.51.100.7", None, ctype)
def signin(code):
    st, cookie, j = pc.signin(base, {"code": code}, "198.51.100.7")
    ok(st == 200, "sign-in", (st, j))
    return cookie, j["csrf"]
def draft(cookie, csrf, photo=good):
    st, hd, b = req("POST", "/api/photo", photo, cookie=cookie, csrf=csrf, ctype="image/jpeg")
    j = json.loads(b)
    ok(st == 200 and j["drafts"][0]["verdict"] != "fail", "a passing draft", (st, j))
    return j["draft"]
def confirm(cookie, csrf, body):
    st, hd, b = req("POST", "/api/confirm", body, cookie=cookie, csrf=csrf)
    return st, json.loads(b)
a, b = rows[0], rows[1]
ca, ta = signin(a["邀请码"])
me = json.loads(req("GET", "/api/me", cookie=ca)[2])
ok(me["capture_code"] == "optional", "the page is told the code is optional", me)
d = draft(ca, ta)
# malformed codes: refused, with what to do, the draft kept
for body, code in [({"draft": d, "code": 12}, "bad_request"),
                   ({"draft": d, "code": "AB\u0001CD"}, "bad_code"),
                   ({"draft": d, "code": "  \t "}, "bad_code"),
                   ({"draft": d, "code": "x" * 1025}, "bad_code")]:
    st, j = confirm(ca, ta, body)
    ok(st == 400 and j["error"]["code"] == code and j["error"]["message_zh"], "a malformed code refused: %r" % body["code"][:8] if isinstance(body["code"], str) else "a code that is not text", (st, j))
# the station's code: refused, and the other student is not named
st, hd, raw = req("POST", "/api/confirm", {"draft": d, "code": code_s}, cookie=ca, csrf=ta)
j = json.loads(raw)
ok(st == 409 and j["error"]["code"] == "code_taken" and "其他学生" in j["error"]["message_zh"], "a code bound at a station", (st, j))
text = raw.decode()
for r in list(roster.values())[1:]:
    ok(r[0] not in text and r[5] not in text, "the other student is not named", text)
me = json.loads(req("GET", "/api/me", cookie=ca)[2])
ok(me["status"] == "MISSING", "nothing stored by a refused code", me)
kept = json.loads(req("GET", "/api/drafts", cookie=ca)[2])["drafts"]
ok(len(kept) == 1 and kept[0]["verdict"] != "fail", "the draft kept, for a corrected code", kept)
d = kept[0]["id"]
# the student's own code, pasted with spaces around it: bound
st, j = confirm(ca, ta, {"draft": d, "code": "  " + code_a + "\n"})
ok(st == 200 and len(j["submitted"]) == 16, "submitted with the code", (st, j))
# another student sending the station's file, then the first student's:
# one photo, one student, and neither student is named
cb, tb = signin(b["邀请码"])
for photo in (station, good):
    st, hd, raw = req("POST", "/api/confirm", {"draft": draft(cb, tb, photo)}, cookie=cb, csrf=tb)
    j = json.loads(raw)
    ok(st == 409 and j["error"]["code"] == "photo_taken" and "本人" in j["error"]["message_zh"], "a photo sent for another student", (st, j))
    for r in list(roster.values())[1:]:
        ok(r[0] not in raw.decode() and r[5] not in raw.decode(), "the other student is not named", raw)
ok(json.loads(req("GET", "/api/me", cookie=cb)[2])["status"] == "MISSING", "nothing stored by a refused photo")
# with the first student's code: refused; without one: stored
d = draft(cb, tb, good_b)
st, j = confirm(cb, tb, {"draft": d, "code": code_a})
ok(st == 409 and j["error"]["code"] == "code_taken" and a["姓名"] not in json.dumps(j, ensure_ascii=False), "a code bound on the portal", (st, j))
# the draft refused for its code is kept, for the corrected code
d = json.loads(req("GET", "/api/drafts", cookie=cb)[2])["drafts"][0]["id"]
st, j = confirm(cb, tb, {"draft": d, "code": ""})
ok(st == 200, "an empty field is no code", (st, j))
# no probing whose codes are bound: 5 refused codes an hour, then 429
answers = [confirm(cb, tb, {"draft": d, "code": "AB\u0001" + str(i)})[0] for i in range(5)]
ok(answers == [400, 400, 400, 400, 429], "refused codes are counted per student", answers)
st, j = confirm(cb, tb, {"draft": d, "code": code_s})
ok(st == 429 and j["error"]["code"] == "too_many", "a bound code is not told apart once held back", (st, j))
print("portal codes:", pc.checks, "checks")
open("checks.txt", "w").write(str(pc.checks))
EOF
checks=$((checks + $(cat checks.txt)))
ha=$(printf '%s' "$CODE_A" | sha256sum | cut -c1-64)
expect 0 "$G" log --home o --json
json "[(e['body'].get('code_sha256'), '$ha' in e['blobs']) for e in j if e['kind']=='CAPTURE' and e['body']['camera']=='portal:upload'] == [('$ha', True), (None, False)]"
grep -qF "station-code" o.log && fail "the portal's log shows a capture code"
grep -qF "9f,\"Zx\"" o.log && fail "the portal's log shows a capture code"
checks=$((checks + 2))

# required and off, as the school sets them
cat >mode.py <<'EOF'
import csv, json, sys
import portal_client as pc
from portal_client import ok
base, mode, ip = sys.argv[1:4]
rows = list(csv.DictReader(open("inv.csv", encoding="utf-8-sig", newline="")))
st, cookie, j = pc.signin(base, {"code": rows[2]["邀请码"]}, ip)
ok(st == 200, "sign-in", (st, j))
csrf = j["csrf"]
me = json.loads(pc.req(base, "GET", "/api/me", cookie=cookie)[2])
ok(me["capture_code"] == mode, "the page is told the setting", me)
st, hd, b = pc.req(base, "POST", "/api/photo", open("good_c.jpg", "rb").read(), cookie, csrf, ctype="image/jpeg")
d = json.loads(b)["draft"]
body, code = ({"draft": d}, "code_required") if mode == "required" else ({"draft": d, "code": "CHSI:x"}, "bad_request")
st, hd, b = pc.req(base, "POST", "/api/confirm", body, cookie, csrf)
j = json.loads(b)
ok(st == 400 and j["error"]["code"] == code and j["error"]["message_zh"], "refused under capture_code = " + mode, (st, j))
ok(json.loads(pc.req(base, "GET", "/api/me", cookie=cookie)[2])["status"] == "MISSING", "nothing stored")
EOF
convert synth/grace_hopper-ok-blue.jpg -quality 80 good_c.jpg
portal required
python3 mode.py "http://127.0.0.1:$PP" required 198.51.100.8 || { cat o.log >&2; fail "capture_code = required"; }
portal off
python3 mode.py "http://127.0.0.1:$PP" off 198.51.100.9 || { cat o.log >&2; fail "capture_code = off"; }
checks=$((checks + 2))

# the code goes with its capture to the coordinator and into the export
expect 0 "$G" sync --home o "$URL"
cap=$("$G" log --home c --json | python3 -c "import json,sys; print([e['id'] for e in json.load(sys.stdin) if e['kind']=='CAPTURE' and e['body'].get('code_sha256')=='$ha'][0])")
expect 0 "$G" review --home c approve "$cap"
expect 0 "$G" export --home c --out exp
ida=$(python3 -c 'import csv; print(next(csv.DictReader(open("inv.csv", encoding="utf-8-sig")))["学号"])')
python3 - "$CODE_A" "$ida" <<'EOF' || fail "the portal's capture code is not in the export"
import csv, sys
code, no = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open("exp/roster.csv", encoding="utf-8-sig", newline="")))
assert [r["采集码"] for r in rows if r["学号"] == no] == [code], rows
EOF
checks=$((checks + 1))
echo "portal_code: $checks checks passed"
