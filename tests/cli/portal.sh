#!/usr/bin/env bash
# The student portal's sign-in through real processes: a coordinator
# invites, an online node takes the invitations by sync over TLS and
# serves the portal on loopback; students sign in with the code (from the
# link, typed loosely, or with their ID number), see only their own data,
# and sign out; hostile requests (guessed codes, enumerated ID numbers,
# another site's form, no CSRF token, oversized bodies) are refused with
# one answer that reveals nothing, and rate-limited per address and per
# claimed ID number (as the roster reads it, counted only with a code that
# was some student's).
. "$(dirname "$0")/lib.bash"
cd "$T"
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"
synth_photos portal
online_school 6

# --- where the portal may run
expect 1 "$G" serve --home s --no-ui --portal http://127.0.0.1:1
has err "runs on an online node (or the coordinator"
expect 1 "$G" serve --home o --no-ui --portal http://0.0.0.0:8443
has err "listens on this computer only, behind the school's TLS proxy"
expect 1 "$G" serve --home o --no-ui --portal https://127.0.0.1:8443
has err "give http://127.0.0.1:PORT"
cp o/gradcap.ini o.ini.bak
printf '\n[online]\ntrusted_proxy = 127.0.0.1, proxy.example.edu.cn\n' >>o/gradcap.ini
expect 1 "$G" serve --home o --no-ui --portal "http://127.0.0.1:$(free_port)"
has err 'gradcap.ini [online] trusted_proxy = 127.0.0.1, proxy.example.edu.cn: "proxy.example.edu.cn" is not an IP address'
cp o.ini.bak o/gradcap.ini

PP=$(free_port)
printf '\n[school]\nname = 示例大学\n' >>o/gradcap.ini
portal_start "$PP"

python3 - "http://127.0.0.1:$PP" <<'EOF' || { cat o.log >&2; fail "the portal's sign-in"; }
import csv, json, sys
import portal_client as pc
from portal_client import ok
base = sys.argv[1]
rows = list(csv.DictReader(open("inv.csv", encoding="utf-8-sig", newline="")))
roster = {r[0]: r for r in csv.reader(open("r.csv", encoding="utf-8"))}
def req(method, path, body=None, cookie=None, csrf=None, ip=None, origin=None, raw=None):
    return pc.req(base, method, path, raw if raw is not None else body, cookie, csrf, ip, origin)
def signin(body, ip):
    return pc.signin(base, body, ip)

# the page and its rules
st, hd, b = req("GET", "/")
ok(st == 200 and b"<title>" in b and "default-src 'self'" in hd["Content-Security-Policy"], "the page", hd)
ok(hd.get("Referrer-Policy") == "no-referrer", "no referrer leaves the portal", hd)
st, hd, b = req("GET", "/../../etc/passwd")
ok(st == 404, "no path outside the assets", st)

a, b2 = rows[0], rows[1]
# the code as in the link; typed in lowercase without dashes
st, cookie, j = signin({"code": a["邀请码"]}, "198.51.100.1")
ok(st == 200 and len(j["csrf"]) == 64 and cookie.startswith("gc_portal_"), "sign-in with the code", (st, j))
st, hd, me = req("GET", "/api/me", cookie=cookie)
me = json.loads(me)
ok(st == 200 and me["student"]["student_no"] == a["学号"] and me["status"] == "MISSING" and me["school"] == "示例大学", "the student's own status", me)
full = roster[a["学号"]][5]
ok(me["student"]["id_masked"].endswith(full[-4:]) and full not in json.dumps(me, ensure_ascii=False), "the ID number masked", me)
# nothing takes another student: a parameter naming one changes nothing
st, hd, other = req("GET", "/api/me?student=" + b2["学号"], cookie=cookie)
ok(json.loads(other)["student"]["student_no"] == a["学号"], "only one's own data", other)
st, c2, j2 = signin({"code": b2["邀请码"].lower().replace("-", "")}, "198.51.100.2")
ok(st == 200, "a code typed loosely", (st, j2))
# with the ID number, typed with full-width digits
idn = roster[b2["学号"]][5]
fw = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in idn)
st, _, _ = signin({"code": b2["邀请码"], "id_number": fw}, "198.51.100.2")
ok(st == 200, "the code with the ID number")

# one answer for every failure: a wrong code, a good code with another
# student's number, an unknown number, a malformed code
bad = [
    {"code": "AAAA-AAAA-AAAA-AAAA-AAAA"},
    {"code": a["邀请码"], "id_number": idn},
    {"code": "AAAA-AAAA-AAAA-AAAA-AAAB", "id_number": "11010519491231002X"},
    {"code": "not a code"},
]
answers = set()
for i, body in enumerate(bad):
    st, hd, b = req("POST", "/api/signin", body, ip="203.0.113.%d" % (10 + i))
    answers.add((st, b))
    ok(st == 401 and "Set-Cookie" not in hd, "a failed sign-in", (st, b))
ok(len(answers) == 1, "one answer for every failure", answers)

# guessing from one address: after 10 failures even the right code waits
for _ in range(10):
    req("POST", "/api/signin", {"code": "BBBB-BBBB-BBBB-BBBB-BBBB"}, ip="203.0.113.99")
st, _, j = signin({"code": rows[2]["邀请码"]}, "203.0.113.99")
ok(st == 429 and j["error"]["code"] == "too_many", "the address is held back", (st, j))
st, _, _ = signin({"code": rows[2]["邀请码"]}, "203.0.113.100")
ok(st == 200, "another address is not")
# guessing whose one claimed ID number is, with other students' codes,
# from many addresses: the number is counted as the roster reads it, so
# each way of typing it (spaces, lowercase, full-width) adds to one count
victim = roster[rows[3]["学号"]][5]
def fullwidth(s):
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in s)
typed = [" %s " % victim, victim.lower(), fullwidth(victim), "\u3000" + fullwidth(victim.lower()), victim + "\t"]
for i, (row, idn) in enumerate(zip([rows[0], rows[1], rows[2], rows[4], rows[5]], typed)):
    st, _, _ = signin({"code": row["邀请码"], "id_number": idn}, "192.0.2.%d" % i)
    ok(st == 401, "a good code with another student's number", st)
st, _, j = signin({"code": rows[3]["邀请码"], "id_number": victim}, "192.0.2.50")
ok(st == 429, "the claimed number is held back, however it was typed", (st, j))
st, _, j = signin({"code": rows[3]["邀请码"], "id_number": fullwidth(victim)}, "192.0.2.52")
ok(st == 429, "in every way of typing it", (st, j))
st, _, _ = signin({"code": rows[3]["邀请码"]}, "192.0.2.51")
ok(st == 200, "the code alone still signs the student in")
# a stranger typing a student's number with made-up codes is held back by
# address, and does not lock the student's own code and number
victim = roster[rows[5]["学号"]][5]
for i in range(12):
    st, _, _ = signin({"code": "CCCC-CCCC-CCCC-CCCC-CC%02d" % i, "id_number": victim if i % 2 else fullwidth(victim)}, "192.0.2.%d" % (100 + i))
    ok(st == 401, "a made-up code with a student's number", st)
st, _, j = signin({"code": rows[5]["邀请码"], "id_number": victim}, "192.0.2.150")
ok(st == 200, "the student's own code and number still sign in", (st, j))

# the forwarded address counts only from the trusted proxy ([online]
# trusted_proxy, by default 127.0.0.1 and ::1): a client on 127.0.0.2
# forging X-Real-IP is counted by its own address, whatever it forges
for i in range(10):
    pc.req(base, "POST", "/api/signin", {"code": "DDDD-DDDD-DDDD-DDDD-DDDD"}, ip="203.0.113.%d" % (150 + i), src="127.0.0.2")
st, _, j = pc.signin(base, {"code": rows[2]["邀请码"]}, "203.0.113.170", src="127.0.0.2")
ok(st == 429, "a forged X-Real-IP from an untrusted peer is not believed", (st, j))
st, _, j = signin({"code": rows[2]["邀请码"]}, "203.0.113.170")
ok(st == 200, "the proxy's forwarded address is", (st, j))
# X-Forwarded-For: the last hop (the one the proxy adds) counts, not what
# the client put before it
for i in range(10):
    pc.req(base, "POST", "/api/signin", {"code": "EEEE-EEEE-EEEE-EEEE-EEEE"}, xff="198.18.0.%d, 203.0.113.77" % i)
st, _, j = pc.req(base, "POST", "/api/signin", {"code": rows[2]["邀请码"]}, xff="198.18.0.99, 203.0.113.77")
ok(st == 429, "the last X-Forwarded-For hop is counted", (st, j))
st, _, j = pc.req(base, "POST", "/api/signin", {"code": rows[2]["邀请码"]}, xff="203.0.113.77, 203.0.113.78")
ok(st == 200, "another last hop is another address", (st, j))
# IPv6 students are counted by their /64
for i in range(10):
    pc.req(base, "POST", "/api/signin", {"code": "FFFF-FFFF-FFFF-FFFF-FFFF"}, ip="2001:db8:1:2::%x" % (i + 1))
st, _, j = signin({"code": rows[2]["邀请码"]}, "2001:db8:1:2:ffff::1")
ok(st == 429, "an IPv6 /64 is one address", (st, j))
st, _, j = signin({"code": rows[2]["邀请码"]}, "2001:db8:1:3::1")
ok(st == 200, "another /64 is another", (st, j))

# sessions: none, no CSRF token, another site's page, then a clean sign-out
ok(req("GET", "/api/me")[0] == 401, "no session")
ok(req("GET", "/api/me", cookie="gc_portal_1=" + "0" * 64)[0] == 401, "a made-up session")
ok(req("POST", "/api/signout", {}, cookie=cookie)[0] == 403, "no CSRF token")
ok(req("POST", "/api/signout", {}, cookie=cookie, csrf="0" * 64)[0] == 403, "a wrong CSRF token")
ok(req("POST", "/api/signin", {"code": a["邀请码"]}, origin="https://evil.example")[0] == 403, "another site's form")
ok(req("POST", "/api/signin", raw=b"{" + b" " * 9000 + b"}")[0] == 413, "an oversized body")
ok(req("GET", "/api/signin")[0] == 405, "sign-in is a POST")
ok(req("POST", "/api/signin", raw=b"\xff\xfe")[0] == 400, "a body that is not JSON")
st, hd, b = req("POST", "/api/signout", {}, cookie=cookie, csrf=json.loads(req("GET", "/api/me", cookie=cookie)[2])["csrf"])
ok(st == 200 and "Max-Age=0" in hd.get("Set-Cookie", ""), "signed out", (st, hd))
ok(req("GET", "/api/me", cookie=cookie)[0] == 401, "the session is gone")
ok(req("GET", "/api/nothing", cookie=c2)[0] == 404, "an unknown route")
print("portal:", pc.checks, "checks")
open("checks.txt", "w").write(str(pc.checks))
EOF
checks=$((checks + $(cat checks.txt)))
has o.log "(forwarded addresses believed from 127.0.0.1, ::1)"
has o.log "a sign-in failed (address 127.0.0.2)"
has o.log "a sign-in failed (address 203.0.113.77)"
has o.log "a sign-in failed (address 2001:db8:1:2::/64)"
grep -q "$(sed -n 2p inv.csv | cut -d, -f6 | tr -d '"')" o.log && fail "a code in the portal's log"
checks=$((checks + 1))

# --- a photo: sent, framed and checked, kept as a draft, submitted
convert synth/grace_hopper-ok-blue.jpg -quality 92 good.jpg
convert synth/grace_hopper-ok-blue.jpg good.png
head -c $((17 << 20)) /dev/zero >huge.jpg
python3 - "http://127.0.0.1:$PP" <<'EOF' || { cat o.log >&2; fail "the portal's photos"; }
import csv, json, sys
import portal_client as pc
from portal_client import ok
base = sys.argv[1]
rows = list(csv.DictReader(open("inv.csv", encoding="utf-8-sig", newline="")))
def req(method, path, body=None, cookie=None, csrf=None, ctype="application/json"):
    return pc.req(base, method, path, body, cookie, csrf, "198.51.100.200", None, ctype)
def signin(code):
    st, cookie, j = pc.signin(base, {"code": code}, "198.51.100.200")
    ok(st == 200, "sign-in", (st, j))
    return cookie, j["csrf"]
ca, ta = signin(rows[4]["邀请码"])
cb, tb = signin(rows[5]["邀请码"])
blur = open("synth/grace_hopper-blur.jpg", "rb").read()
good = open("good.jpg", "rb").read()
ok(req("POST", "/api/photo", good, cookie=ca, ctype="image/jpeg")[0] == 403, "a photo needs the CSRF token")
st, hd, b = req("POST", "/api/photo", blur, cookie=ca, csrf=ta, ctype="image/jpeg")
j = json.loads(b)
ok(st == 200 and j["drafts"][0]["verdict"] == "fail" and any(p["check"] == "sharpness" for p in j["drafts"][0]["problems"]), "a blurred photo: a failing draft, with what to do", j)
bad_draft = j["draft"]
st, hd, b = req("POST", "/api/photo", good, cookie=ca, csrf=ta, ctype="image/jpeg")
j = json.loads(b)
ok(st == 200 and j["drafts"][0]["verdict"] != "fail" and len(j["drafts"]) == 2, "a good photo: a second draft", j)
good_draft = j["draft"]
st, hd, img = req("GET", "/api/draft?id=%d" % good_draft, cookie=ca)
ok(st == 200 and hd["Content-Type"] == "image/jpeg" and img[:2] == b"\xff\xd8" and 20000 <= len(img) <= 40960, "the framed photo", (st, hd, len(img)))
# another student sees nothing of it
ok(req("GET", "/api/draft?id=%d" % good_draft, cookie=cb)[0] == 404, "another student's draft")
ok(req("POST", "/api/confirm", {"draft": good_draft}, cookie=cb, csrf=tb)[0] == 404, "another student's confirm")
ok(json.loads(req("GET", "/api/drafts", cookie=cb)[2])["drafts"] == [], "another student's drafts")
# not a JPEG, too large, empty
st, hd, b = req("POST", "/api/photo", open("good.png", "rb").read(), cookie=ca, csrf=ta, ctype="image/jpeg")
ok(st == 422 and json.loads(b)["error"]["message_zh"], "a PNG named JPEG", (st, b))
st, hd, b = req("POST", "/api/photo", open("huge.jpg", "rb").read(), cookie=ca, csrf=ta, ctype="image/jpeg")
ok(st in (400, 413), "an oversized file", st)
ok(req("POST", "/api/photo", b"", cookie=ca, csrf=ta, ctype="image/jpeg")[0] == 400, "no photo")
# only a passing draft may be submitted
ok(req("POST", "/api/confirm", {"draft": bad_draft}, cookie=ca, csrf=ta)[0] == 409, "a failing draft is not submitted")
ok(req("POST", "/api/confirm", {"draft": "1"}, cookie=ca, csrf=ta)[0] == 400, "a draft id that is not a number")
st, hd, b = req("POST", "/api/confirm", {"draft": good_draft}, cookie=ca, csrf=ta)
ok(st == 200 and len(json.loads(b)["submitted"]) == 16, "submitted", (st, b))
me = json.loads(req("GET", "/api/me", cookie=ca)[2])
ok(me["status"] == "PENDING_REVIEW" and me["review_by"] and me["due"] is None, "waiting for review, with the time it is reviewed by", me)
ok(req("POST", "/api/photo", good, cookie=ca, csrf=ta, ctype="image/jpeg")[0] == 409, "no second photo while one waits")
# a student gets a fair share of the pipeline: 30 photos an hour
answers = [req("POST", "/api/photo", b"not a photo" * 10, cookie=cb, csrf=tb, ctype="image/jpeg")[0] for _ in range(30)]
ok(answers == [422] * 30, "30 photos checked", answers)
st, hd, b = req("POST", "/api/photo", good, cookie=cb, csrf=tb, ctype="image/jpeg")
ok(st == 429 and json.loads(b)["error"]["code"] == "too_many", "the 31st waits", (st, b))
print("portal photos:", pc.checks, "checks")
open("checks.txt", "w").write(str(pc.checks))
EOF
checks=$((checks + $(cat checks.txt)))
expect 0 "$G" log --home o --json
json "[e['body']['session_kind'] for e in j if e['kind']=='CAPTURE']==['online'] and [e['body']['bind'] for e in j if e['kind']=='CAPTURE']==['invite'] and [e['body']['camera'] for e in j if e['kind']=='CAPTURE']==['portal:upload']"
# the coordinator gets it by sync, with the student's file as the original
expect 0 "$G" sync --home o "$URL"
expect 0 "$G" status --home c --json
json "j['merge']['counts']['PENDING_REVIEW']==1"
# the coordinator rejects it with a preset reason; the student sees why
# and by when to send a new one, and may send one again
cap=$("$G" log --home c --json | python3 -c 'import json,sys; print([e["id"] for e in json.load(sys.stdin) if e["kind"]=="CAPTURE"][0])')
expect 0 "$G" review --home c reject "$cap" --preset 1
expect 0 "$G" sync --home o "$URL"
python3 - "http://127.0.0.1:$PP" <<'EOF' || fail "the student does not see the rejection"
import csv, json, sys
import portal_client as pc
base = sys.argv[1]
rows = list(csv.DictReader(open("inv.csv", encoding="utf-8-sig", newline="")))
st, cookie, j = pc.signin(base, {"code": rows[4]["邀请码"]}, "198.51.100.201")
me = json.loads(pc.req(base, "GET", "/api/me", cookie=cookie)[2])
assert me["status"] == "NEEDS_RETAKE" and me["reason"] == "背景不合格" and me["due"] and not me["overdue"], me
st, hd, b = pc.req(base, "POST", "/api/photo", open("good.jpg", "rb").read(), cookie=cookie, csrf=j["csrf"], ctype="image/jpeg")
assert st == 200, (st, b)
EOF
checks=$((checks + 1))

# --- where the profile allows it, a failing background is replaced: the
# student sees the photo before and after
"$GC_SYNTH" --size 1200x1600 --source grace_hopper --hair "$GC_TESTDATA_DIR" hair >/dev/null
kill $ppid; wait $ppid 2>/dev/null || true
printf '\n[profile.online]\nreplace_background = yes\n[capture]\nprofile = online\n' >>o/gradcap.ini
"$G" serve --home o --no-ui --portal "http://127.0.0.1:$PP" 2>>o.log &
ppid=$!
wait_port "$PP"
python3 - "http://127.0.0.1:$PP" <<'EOF' || { cat o.log >&2; fail "the replaced background"; }
import csv, json, sys
import portal_client as pc
base = sys.argv[1]
rows = list(csv.DictReader(open("inv.csv", encoding="utf-8-sig", newline="")))
st, cookie, j = pc.signin(base, {"code": rows[3]["邀请码"]}, "198.51.100.210")
assert st == 200, (st, j)
st, hd, b = pc.req(base, "POST", "/api/photo", open("hair/grace_hopper-gradient.jpg", "rb").read(), cookie=cookie, csrf=j["csrf"], ctype="image/jpeg")
d = json.loads(b)["drafts"][0]
assert st == 200 and d["before"] and not any(p["check"].startswith("background.") and p["verdict"] == "fail" for p in d["problems"]), d
st, hd, before = pc.req(base, "GET", d["before"], cookie=cookie)
st2, hd2, after = pc.req(base, "GET", d["photo"], cookie=cookie)
assert st == 200 and st2 == 200 and before[:2] == b"\xff\xd8" and before != after, (st, st2)
# a draft whose background was not replaced has no before
st, hd, b = pc.req(base, "POST", "/api/photo", open("good.jpg", "rb").read(), cookie=cookie, csrf=j["csrf"], ctype="image/jpeg")
d2 = json.loads(b)["drafts"][0]
assert d2["before"] is None, d2
assert pc.req(base, "GET", "/api/draft?id=%d&before=1" % d2["id"], cookie=cookie)[0] == 404
EOF
checks=$((checks + 1))

# --- a new invitation replaces the code, on the portal too
old=$(sed -n 2p inv.csv | cut -d, -f6 | tr -d '"')
expect 0 "$G" online invite --home c --student "$(sed -n 2p inv.csv | cut -d, -f1 | tr -d '"')" --out new.csv
expect 0 "$G" sync --home o "$URL"
python3 - "http://127.0.0.1:$PP" "$old" "$(sed -n 2p new.csv | cut -d, -f6 | tr -d '"')" <<'EOF' || fail "the new code does not replace the old one"
import json, sys, urllib.request, urllib.error
def signin(code):
    r = urllib.request.Request(sys.argv[1] + "/api/signin", data=json.dumps({"code": code}).encode(), method="POST", headers={"X-Real-IP": "198.51.100.77"})
    try:
        return urllib.request.urlopen(r).status
    except urllib.error.HTTPError as e:
        return e.code
assert signin(sys.argv[2]) == 401
assert signin(sys.argv[3]) == 200
EOF
checks=$((checks + 1))

echo "portal: $checks checks passed"
