#!/usr/bin/env bash
# The UI's JSON API (docs/api.md) on real `gradcap serve` processes: the
# capture station's flow on a site (search, shoot with the synthetic
# camera, a failed check overridden with a reason, one photo per level,
# the binding to the confirmed student), review and void rules, then on
# the coordinator after a sync: a stale resolve refused, a resolve, a
# review, a checkpoint, and the same digest as `gradcap status --json`.
# Also: CSRF, Host and Origin checks, malformed JSON, oversized bodies,
# unknown routes, asset paths, a password, and a UI beyond loopback
# without one refused at start.
. "$(dirname "$0")/../cli/lib.bash"
cd "$T"
if [ ! -s "${GC_TESTDATA_DIR:-/nonexistent}/grace_hopper.jpg" ]; then
	echo "ui_api: SKIP: no test photos (tests/data/fetch.sh)"
	exit 77
fi
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
"$GC_SYNTH" --size 1000x1336 --source grace_hopper "$GC_TESTDATA_DIR" synth >/dev/null
mkdir cam
cp synth/grace_hopper-ok-blue.jpg cam/shot.jpg

"$G" init --home c --role coordinator --school 10335 --name 教务处 >/dev/null
"$G" sample roster --count 6 --out r.csv
"$G" roster import --home c r.csv >/dev/null
"$G" init --home s --role site --school 10335 --name 东区 >/dev/null
"$G" enroll request --home s --out s.req >/dev/null
"$G" enroll sign --home c s.req --out s.enr >/dev/null
"$G" enroll install --home s s.enr >/dev/null
printf '\n[capture]\ncamera = synthetic:%s\n' "$T/cam" >>s/gradcap.ini
PS=$(port) PC=$(port) PSYNC=$(port)
"$G" serve --home s --ui "http://127.0.0.1:$PS" 2>s.log &
p1=$!
"$G" serve --home c --insecure --listen "tcp://127.0.0.1:$PSYNC" \
	--ui "http://127.0.0.1:$PC" 2>c.log &
p2=$!
trap '{ kill $p1 $p2; wait $p1 $p2; } 2>/dev/null || true; rm -rf "$T"' EXIT
for p in $PS $PC $PSYNC; do
	for _ in $(seq 1 100); do
		python3 -c "import socket,sys; sys.exit(socket.socket().connect_ex(('127.0.0.1',$p)))" && break
		sleep 0.1
	done
done

cat >api.py <<'EOF'
import http.client, json, os, sys, shutil, subprocess, urllib.parse

T, G = os.environ["T"], os.environ["G"]
PS, PC = int(os.environ["PS"]), int(os.environ["PC"])
checks = 0

def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)

class UI:
    def __init__(self, port):
        self.port, self.cookie, self.csrf = port, None, None
    def req(self, method, path, body=None, headers=None, raw=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        h = {"Host": "127.0.0.1:%d" % self.port}
        if self.cookie:
            h["Cookie"] = self.cookie
        if self.csrf and method == "POST":
            h["X-CSRF-Token"] = self.csrf
        if body is not None:
            raw = json.dumps(body).encode()
        if raw is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        c.request(method, path, body=raw, headers=h)
        r = c.getresponse()
        data = r.read()
        sc = r.getheader("Set-Cookie")
        if sc:
            self.cookie = sc.split(";")[0]
        ct = r.getheader("Content-Type") or ""
        c.close()
        return r.status, ct, (json.loads(data) if ct.startswith("application/json") else data)
    def login(self):
        st, _, j = self.req("GET", "/api/session")
        self.csrf = j["csrf"]
        return j

def want(cond, msg, got=None):
    global checks
    if not cond:
        fail("%s (got %r)" % (msg, got))
    checks += 1

def expect(ui, method, path, status, body=None, code=None, **kw):
    st, ct, j = ui.req(method, path, body, **kw)
    want(st == status, "%s %s: status %d" % (method, path, status), (st, j))
    if code is not None:
        want(isinstance(j, dict) and j.get("error", {}).get("code") == code,
             "%s %s: error code %s" % (method, path, code), j)
        want(j["error"]["message"] and j["error"]["message_zh"],
             "%s %s: messages in both languages" % (method, path), j)
    return j

site, coord = UI(PS), UI(PC)
j = site.login()
want(j["node"]["role"] == "site" and j["auth"] == "none" and len(j["csrf"]) == 64,
     "session on the site", j)
want(site.cookie and site.cookie.startswith("gc_sid_%d=" % PS), "a session cookie named by the port", site.cookie)

# --- assets by exact path; query strings stripped; no file system
st, ct, _ = site.req("GET", "/")
want(st == 200 and ct.startswith("text/html"), "/ is the UI", (st, ct))
st, ct, _ = site.req("GET", "/app.js?v=3")
want(st == 200 and ct.startswith("text/javascript"), "/app.js?v=3", (st, ct))
for p in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "//etc/passwd",
          "/views/../../../etc/passwd", "/app.js/..", "/node/ui/app.js"]:
    st, _, _ = site.req("GET", p)
    want(st in (400, 404), "traversal %s refused" % p, st)
expect(site, "GET", "/api/nope", 404, code="not_found")
expect(site, "GET", "/api/session/open", 405)

# --- CSRF, Host, Origin, JSON, sizes: each refused, nothing stored
csrf = site.csrf
site.csrf = None
expect(site, "POST", "/api/session/open", 403, {"kind": "central", "location": "x"}, code="csrf")
site.csrf = "0" * 64
expect(site, "POST", "/api/session/open", 403, {"kind": "central", "location": "x"}, code="csrf")
site.csrf = csrf
expect(site, "POST", "/api/session/open", 403, {"kind": "central", "location": "x"},
       code="forbidden", headers={"Origin": "http://evil.example"})
expect(site, "GET", "/api/status", 403, code="forbidden", headers={"Host": "evil.example:80"})
expect(site, "POST", "/api/session/open", 400, raw=b'{"kind": "central",', code="bad_json")
expect(site, "POST", "/api/session/open", 400, raw=b'[1,2]', code="bad_json")
expect(site, "POST", "/api/session/open", 400, {"kind": "nap", "location": "x"}, code="bad_request")
expect(site, "POST", "/api/session/open", 413, raw=b'{"a":"' + b"x" * 100000 + b'"}', code="too_large")
j = expect(site, "GET", "/api/sessions/current", 200)
want(j["session"] is None, "no session opened by refused requests", j)

# --- the capture station
rows = open(os.path.join(T, "r.csv"), encoding="utf-8").read().splitlines()[1:]
sno = [r.split(",")[0] for r in rows]    # 学号
idn = [r.split(",")[5] for r in rows]    # 身份证号
j = expect(site, "GET", "/api/students?q=" + sno[0], 200)
want(len(j["students"]) == 1 and j["students"][0]["student_no"] == sno[0], "search by 学号", j)
s0 = j["students"][0]
want(s0["id_masked"].endswith(idn[0][-4:]) and s0["id_masked"].count("*") == len(idn[0]) - 4,
     "the ID masked but its last 4", s0)
k0 = s0["key"]
j = expect(site, "GET", "/api/students?q=" + idn[1], 200)
k1 = j["students"][0]["key"]
j = expect(site, "GET", "/api/students?q=" + sno[2], 200)
k2 = j["students"][0]["key"]

shot = expect(site, "POST", "/api/capture/shoot", 200, {"student": k0, "bind": "student-no"})
want(shot["verdict"] in ("pass", "warn") and shot["student"]["key"] == k0 and shot["warning"] is None,
     "a good shot", shot)
st, ct, img = site.req("GET", shot["photo"])
want(st == 200 and ct == "image/jpeg" and img[:2] == b"\xff\xd8", "the shot's photo", (st, ct))
expect(site, "POST", "/api/capture/accept", 409, {"shot": shot["shot"], "student": k0}, code="conflict")  # no session
expect(site, "POST", "/api/session/open", 200, {"kind": "central", "location": "体育馆", "operator": "王老师"})
expect(site, "POST", "/api/session/open", 409, {"kind": "central", "location": "x"}, code="conflict")
# the binding: the shot is of k0, the page says k1
expect(site, "POST", "/api/capture/accept", 409, {"shot": shot["shot"], "student": k1}, code="conflict")
j = expect(site, "POST", "/api/capture/accept", 200, {"shot": shot["shot"], "student": k0})
want(len(j["entry"]) == 64 and j["student"]["status"] == "PENDING_REVIEW", "stored", j)
expect(site, "POST", "/api/capture/accept", 404, {"shot": shot["shot"], "student": k0}, code="not_found")
# one photo per level: a warning, and a second needs intent
j = expect(site, "GET", "/api/student?key=" + k0, 200)
want(j["warning"]["code"] == "captured" and len(j["captures"]) == 1, "the warning before a new shot", j)
shot = expect(site, "POST", "/api/capture/shoot", 200, {"student": k0})
want(shot["warning"]["code"] == "captured", "the shot carries the warning", shot)
expect(site, "POST", "/api/capture/accept", 409, {"shot": shot["shot"], "student": k0}, code="conflict")
expect(site, "POST", "/api/capture/accept", 200, {"shot": shot["shot"], "student": k0, "again": True})
# a failed check: refused without a reason, stored with one
shutil.copy(os.path.join(T, "synth/grace_hopper-shadow.jpg"), os.path.join(T, "cam/shot.jpg"))
shot = expect(site, "POST", "/api/capture/shoot", 200, {"student": k1, "bind": "id-card"})
failed = [c["id"] for c in shot["checks"] if c["verdict"] == "fail"]
want(shot["verdict"] == "fail" and failed, "a failing shot", shot)
want(all(c["message_zh"] for c in shot["checks"]), "every check in Chinese", shot["checks"])
j = expect(site, "POST", "/api/capture/accept", 409, {"shot": shot["shot"], "student": k1}, code="conflict")
want(failed[0] in j["error"]["message"], "the failed check named", j)
expect(site, "POST", "/api/capture/accept", 400,
       {"shot": shot["shot"], "student": k1, "overrides": [{"check": failed[0]}]}, code="bad_request")
j = expect(site, "POST", "/api/capture/accept", 200,
           {"shot": shot["shot"], "student": k1,
            "overrides": [{"check": c, "reason": "背景为学校统一幕布"} for c in failed]})
# a retake discards the shot
shot = expect(site, "POST", "/api/capture/shoot", 200, {"student": k2})
expect(site, "POST", "/api/capture/discard", 200, {"shot": shot["shot"]})
st, _, _ = site.req("GET", shot["photo"])
want(st == 404, "a discarded shot is gone", st)
# reviews are not the site's; a site voids only its own
j = expect(site, "GET", "/api/review", 200)
caps = j["captures"]
want(len(caps) == 3 and all(c["photo"].startswith("/api/photo?capture=") for c in caps),
     "three captures to review", j)
want(j["waiting"] == 3 and j["overdue"] == 0 and j["review_hours"] == 48 and
     j["reject_reasons"][0] == "背景不合格" and len(j["reject_reasons"]) == 6 and
     [c["time"] for c in caps] == sorted(c["time"] for c in caps) and
     all(c["deadline"] is None and c["overdue"] is False and c["age_hours"] == 0 for c in caps),
     "the queue oldest first; station captures have no deadline; the presets", j)
j = expect(site, "GET", "/api/status", 200)
want(j["merge"]["review"]["waiting"] == 3 and j["merge"]["review"]["overdue"] == 0 and
     j["merge"]["retake_overdue"] == 0, "the dashboard's review counts", j["merge"])
expect(site, "POST", "/api/review", 403, {"capture": caps[0]["id"], "decision": "approve"}, code="forbidden")
cls0 = rows[0].split(",")[10]
j = expect(site, "GET", "/api/class?name=" + urllib.parse.quote(cls0), 200)
want(any(s["key"] == k0 and s["status"] == "CONFLICT" for s in j["students"]) and
     all(s["class"] == cls0 for s in j["students"]), "the class queue", j)
expect(site, "GET", "/api/class", 400, code="bad_request")
expect(site, "POST", "/api/void", 404, {"capture": "00000000", "reason": "x"}, code="not_found")
st, ct, img = site.req("GET", caps[0]["photo"])
want(st == 200 and ct == "image/jpeg", "a capture's photo", (st, ct))

# --- the live preview and its guidance (the stream holds the camera)
import time
def poll(path, ok, tries=50):
    for _ in range(tries):
        st, ct, j = site.req("GET", path)
        if ok(st, ct, j):
            return st, ct, j
        time.sleep(0.2)
    fail("%s never answered as expected: %r" % (path, (st, ct, j if ct.startswith("application/json") else len(j))))
st, ct, img = poll("/api/camera/preview", lambda st, ct, j: st == 200)
want(ct == "image/jpeg" and img[:2] == b"\xff\xd8", "a preview frame", ct)
st, ct, g = poll("/api/camera/guide", lambda st, ct, j: st == 200 and j["verdict"] == "fail")
want(g["frame_w"] > 0 and any(f["id"] == "background.uniformity" and f["message_zh"] for f in g["failed"]),
     "the shadowed frame's guidance", g)
shutil.copy(os.path.join(T, "synth/grace_hopper-ok-blue.jpg"), os.path.join(T, "cam/shot.jpg"))
st, ct, g = poll("/api/camera/guide", lambda st, ct, j: st == 200 and j["verdict"] != "fail")
want(g["crop"] and g["crop"]["w"] > 0 and g["failed"] == [], "the good frame: where the photo will be", g)
f = g["face"]
want(f and g["crop"]["x"] <= f["x"] and f["x"] + f["w"] <= g["crop"]["x"] + g["crop"]["w"] and
     g["crop"]["y"] <= f["y"] and f["y"] + f["h"] <= g["crop"]["y"] + g["crop"]["h"], "the face box, inside the crop", g)
shot = expect(site, "POST", "/api/capture/shoot", 200, {"student": k2})
want(shot["verdict"] != "fail", "a shot from the stream", shot)
expect(site, "POST", "/api/capture/discard", 200, {"shot": shot["shot"]})

# --- sync, then the coordinator decides
r = subprocess.run([G, "sync", "--home", os.path.join(T, "s"), "--insecure",
                    "tcp://127.0.0.1:" + os.environ["PSYNC"]], capture_output=True)
want(r.returncode == 0, "sync", r.stderr)
coord.login()
j = expect(coord, "GET", "/api/conflicts", 200)
want(len(j["conflicts"]) == 1 and j["conflicts"][0]["student"] == k0, "one conflict", j)
cands = [c["capture"] for c in j["conflicts"][0]["captures"]]
want(len(cands) == 2, "two candidates", cands)
# a page that showed only one of them is stale
expect(coord, "POST", "/api/resolve", 409,
       {"student": k0, "capture": cands[1], "reason": "更清楚", "seen": cands[:1]}, code="conflict")
expect(coord, "POST", "/api/resolve", 400, {"student": k0, "capture": cands[1], "seen": cands},
       code="bad_request")
expect(coord, "POST", "/api/resolve", 200,
       {"student": k0, "capture": cands[1], "reason": "更清楚", "seen": cands})
k1caps = [c for c in expect(coord, "GET", "/api/review", 200)["captures"] if c["student"] == k1]
want(len(k1caps) == 1 and k1caps[0]["overrides"], "the override reason travels", k1caps)
# a capture of another student does not settle this one
expect(coord, "POST", "/api/resolve", 404,
       {"student": k0, "capture": k1caps[0]["id"], "reason": "x", "seen": cands}, code="not_found")
expect(coord, "POST", "/api/review", 400, {"capture": k1caps[0]["id"], "decision": "reject"}, code="bad_request")
expect(coord, "POST", "/api/review", 200,
       {"capture": k1caps[0]["id"], "decision": "reject", "reason": "阴影太重"})
j = expect(coord, "GET", "/api/status", 200)
c = j["merge"]["counts"]
want(c["APPROVED"] == 1 and c["NEEDS_RETAKE"] == 1 and c["MISSING"] == 4, "counts after the decisions", c)
r = subprocess.run([G, "status", "--home", os.path.join(T, "c"), "--json"], capture_output=True)
want(json.loads(r.stdout)["merge"]["digest"] == j["merge"]["digest"], "the API's digest is the CLI's", r.stdout)
j = expect(coord, "GET", "/api/missing", 200)
want(len(j["students"]) == 5 and any(s["key"] == k1 and s["status"] == "NEEDS_RETAKE" and
                                     s["reject_reason"] == "阴影太重" for s in j["students"]),
     "the makeup list names the rejected student and why", j)
r = subprocess.run([G, "missing", "--home", os.path.join(T, "c")], capture_output=True, text=True)
want(r.returncode == 0 and "NEEDS_RETAKE: 阴影太重" in r.stdout, "gradcap missing says why", r.stdout)
r = subprocess.run([G, "missing", "--home", os.path.join(T, "c"), "--csv"], capture_output=True, text=True)
want(r.stdout.splitlines()[0].endswith("驳回理由") and "阴影太重" in r.stdout, "the makeup CSV says why", r.stdout)
j = expect(coord, "POST", "/api/checkpoint", 200, {})
want(j["size"] == 6 and len(j["root"]) == 64 and "gradcap/10335" in j["note"], "a checkpoint", j)
expect(site, "POST", "/api/checkpoint", 403, {}, code="forbidden")
expect(coord, "GET", "/api/camera/preview", 503, code="unavailable")  # no camera there
# a site page that confirmed "captured" before k0 was approved is refused
# now that it is APPROVED (the decisions reach the site by sync)
r = subprocess.run([G, "sync", "--home", os.path.join(T, "s"), "--insecure",
                    "tcp://127.0.0.1:" + os.environ["PSYNC"]], capture_output=True)
want(r.returncode == 0, "the decisions reach the site", r.stderr)
for _ in range(40):
    st, ct, shot = site.req("POST", "/api/capture/shoot", {"student": k0})
    if st != 503:
        break
    time.sleep(0.1)
want(st == 200 and shot["warning"]["code"] == "approved", "the shot warns: approved", shot)
j = expect(site, "POST", "/api/capture/accept", 409,
           {"shot": shot["shot"], "student": k0, "again": True, "warning": "captured"}, code="conflict")
want("approved since the page warned" in j["error"]["message"], "a stale confirmation refused", j)
expect(site, "POST", "/api/capture/discard", 200, {"shot": shot["shot"]})

# the export, with its progress; a site does not export
expect(site, "POST", "/api/export", 403, {}, code="forbidden")
j = expect(coord, "POST", "/api/export", 200, {"season": "2026届"})
want(j["ok"] is True and j["photos"] == 1 and j["done"] == j["total"] == 6 and not j["running"],
     "exported", j)
want(os.path.isfile(os.path.join(j["dir"], "MANIFEST")), "the package is on disk", j["dir"])
p = expect(coord, "GET", "/api/export/progress", 200)
want(p["dir"] == j["dir"] and p["ok"] is True and "not APPROVED" in p["messages"], "the progress after", p)
r = subprocess.run([G, "audit", "key", "--home", os.path.join(T, "c")], capture_output=True, text=True)
r = subprocess.run([G, "audit", "verify", "--bundle", j["dir"], "--key", r.stdout.strip()],
                   capture_output=True, text=True)
want(r.returncode == 0, "the UI's export verifies", r.stdout + r.stderr)
# the school's package from the UI: its own folder, the school's files
expect(coord, "POST", "/api/export", 400, {"for": "bogus"}, code="bad_request")
s = expect(coord, "POST", "/api/export", 200, {"for": "school"})
want(s["ok"] is True and s["photos"] == 1 and s["dir"].endswith("-school") and s["dir"] != j["dir"],
     "the school's package exported", s)
want(all(os.path.isfile(os.path.join(s["dir"], f)) for f in ("MANIFEST", "roster.xlsx", "makeup.xlsx"))
     and not os.path.exists(os.path.join(s["dir"], "codes.csv")), "the school's files", os.listdir(s["dir"]))
r = subprocess.run(["minisign", "-V", "-p", os.path.join(s["dir"], "minisign.pub"), "-m",
                    os.path.join(s["dir"], "MANIFEST")], capture_output=True, text=True)
want(r.returncode == 0 and "gradcap export-school school=10335" in r.stdout, "minisign verifies it", r.stdout + r.stderr)
j = expect(coord, "GET", "/api/peers", 200)
want(any(p["name"] == "东区" for p in j["peers"]), "the site among the peers", j)
# the peers view follows: a new capture is pending for the coordinator,
# and the coordinator sees the site's next sync
import time
seen0 = [p for p in j["peers"] if p["name"] == "东区"][0]["last_ok"]
shot = expect(site, "POST", "/api/capture/shoot", 200, {"student": k2})
expect(site, "POST", "/api/capture/accept", 200, {"shot": shot["shot"], "student": k2})
j = expect(site, "GET", "/api/peers", 200)
want(j["peers"][0]["pending"]["push_entries"] >= 1, "the new capture is pending", j)
time.sleep(1.1)
r = subprocess.run([G, "sync", "--home", os.path.join(T, "s"), "--insecure",
                    "tcp://127.0.0.1:" + os.environ["PSYNC"]], capture_output=True)
want(r.returncode == 0, "sync again", r.stderr)
j = expect(site, "GET", "/api/peers", 200)
want(j["peers"][0]["pending"]["push_entries"] == 0, "nothing pending after it", j)
j = expect(coord, "GET", "/api/peers", 200)
want([p for p in j["peers"] if p["name"] == "东区"][0]["last_ok"] > seen0,
     "the coordinator saw the second sync", j)
# --- photo files imported into an individual (散拍) session
def imp(name, data, status, code=None):
    st, ct, j = site.req("POST", "/api/import?name=" + urllib.parse.quote(name), raw=data,
                         headers={"Content-Type": "image/jpeg"})
    want(st == status, "import %s: status %d" % (name, status), (st, j))
    if code:
        want(j["error"]["code"] == code, "import %s: %s" % (name, code), j)
    return j
studio = open(os.path.join(T, "synth/grace_hopper-ok-grey.jpg"), "rb").read()
imp(sno[5] + ".jpg", studio, 409, "conflict")          # a central session is open
expect(site, "POST", "/api/session/close", 200, {})
expect(site, "POST", "/api/session/open", 200, {"kind": "individual", "location": "照相馆"})
j = imp(sno[5] + ".jpg", studio, 200)
want(j["student"]["student_no"] == sno[5] and len(j["entry"]) == 64, "a studio photo imported", j)
j = imp(sno[4] + ".jpg", studio, 409, "conflict")      # the same file for another student
want("already bound to another student" in j["error"]["message"], "one file, one student", j)
imp("2099999999.jpg", studio, 409, "conflict")
imp("notes.txt", studio, 400, "bad_request")
imp(sno[4] + ".jpg", b"", 400, "bad_request")
j = imp(sno[4] + ".jpg", b"not a jpeg at all", 409, "conflict")
expect(site, "POST", "/api/session/close", 200, {})
expect(site, "POST", "/api/session/open", 200, {"kind": "central", "location": "体育馆"})

# --- one capture code, one student, checked when shot and when stored
def shoot(body, status=200, code=None):
    for _ in range(40):   # a shot needs a frame newer than the last one
        st, ct, j = site.req("POST", "/api/capture/shoot", body)
        if st != 503:
            break
        time.sleep(0.1)
    want(st == status, "shoot %r: status %d" % (body, status), (st, j))
    if code is not None:
        want(j.get("error", {}).get("code") == code, "shoot: error %s" % code, j)
    return j
k3, k4, k5 = [expect(site, "GET", "/api/students?q=" + sno[i], 200)["students"][0]["key"] for i in (3, 4, 5)]
a = shoot({"student": k3, "code": "QR-PAYLOAD-X"})
want(a["student"]["key"] == k3, "shot with a code", a)
k3cap = expect(site, "POST", "/api/capture/accept", 200, {"shot": a["shot"], "student": k3})["entry"]
j = shoot({"student": k4, "code": "QR-PAYLOAD-X"}, 409, "conflict")
want("capture code was scanned for another student" in j["error"]["message"], "the code's owner named", j)
a = shoot({"student": k4, "code": "QR-PAYLOAD-Y"})
b = shoot({"student": k5, "code": "QR-PAYLOAD-Y"})    # both shot, neither stored
expect(site, "POST", "/api/capture/accept", 200, {"shot": a["shot"], "student": k4})
j = expect(site, "POST", "/api/capture/accept", 409, {"shot": b["shot"], "student": k5, "again": True}, code="conflict")
want("capture code was scanned for another student" in j["error"]["message"], "checked again when stored", j)
j = shoot({"student": k5, "code": "x" * 1025}, 400, "bad_request")
want("1024 bytes" in j["error"]["message"], "the capture code limit is named", j)
# the site voids its own capture (a wrong student): the student is missing again
expect(site, "POST", "/api/void", 400, {"capture": k3cap}, code="bad_request")
j = expect(site, "POST", "/api/void", 200, {"capture": k3cap[:12], "reason": "拍错了人"})
want(len(j["entry"]) == 64, "voided", j)
want(any(s["key"] == k3 for s in expect(site, "GET", "/api/missing", 200)["students"]),
     "the voided student is missing again", k3)
print("ui_api: %d checks passed" % checks)
EOF
export T G PS PC PSYNC
python3 api.py || fail "the API flow"

# --- a password; beyond loopback without one the UI does not start
PP=$(port)
pw=$(printf 'correct horse battery\n' | "$G" ui-password)
case "$pw" in '$argon2id$'*) ;; *) fail "ui-password: $pw" ;; esac
expect 2 sh -c "printf 'short\n' | '$G' ui-password"
printf '\n[ui]\npassword_hash = %s\n' "$pw" >>c/gradcap.ini
kill $p2; wait $p2 2>/dev/null || true
expect 1 "$G" serve --home c --ui "http://0.0.0.0:$(port)"
has err "in clear text"
expect 1 "$G" serve --home c --ui "https://0.0.0.0:$(port)"
has err "[ui] hosts"
printf 'hosts = 127.0.0.1\n' >>c/gradcap.ini
"$G" serve --home c --ui "https://0.0.0.0:$PP" 2>c2.log &
p2=$!
for _ in $(seq 1 100); do
	python3 -c "import socket,sys; sys.exit(socket.socket().connect_ex(('127.0.0.1',$PP)))" && break
	sleep 0.1
done
python3 - "$PP" <<'EOF' || fail "password over https"
import http.client, json, ssl, sys
port = int(sys.argv[1])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE   # the node's own self-signed certificate
def req(method, path, body=None, cookie=None):
    c = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=ctx)
    h = {"Host": "127.0.0.1:%d" % port}
    if cookie:
        h["Cookie"] = cookie
    c.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=h)
    r = c.getresponse()
    return r.status, r.getheader("Set-Cookie"), json.loads(r.read() or b"{}")
st, sc, j = req("GET", "/api/session")
assert st == 200 and j["auth"] == "password" and not j["logged_in"] and j["csrf"] is None and sc is None, j
st, _, j = req("GET", "/api/status")
assert st == 401 and j["error"]["code"] == "unauthorized", j
st, sc, j = req("POST", "/api/login", {"password": "wrong horse"})
assert st == 401 and sc is None, j
st, sc, j = req("POST", "/api/login", {"password": "correct horse battery"})
assert st == 200 and j["logged_in"] and sc.startswith("gc_sid_%d=" % port) and "Secure" in sc, (j, sc)
st, _, j = req("GET", "/api/status", cookie=sc.split(";")[0])
assert st == 200 and j["merge"]["students"] == 6, j
print("password: 5 checks passed")
EOF
checks=$((checks + 5))
sed -i '/^password_hash/d' c/gradcap.ini
expect 1 "$G" serve --home s --ui "http://0.0.0.0:$(port)"
has err "without a password"

# the servers stop cleanly on SIGTERM, even with answers still owed
# (the site's page polling the camera's guidance when it is stopped)
python3 - "$PS" >poll.log 2>&1 <<'EOF' &
import http.client, sys, threading, time
port = int(sys.argv[1])
def poll():
    end = time.time() + 6
    while time.time() < end:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/api/camera/guide", headers={"Host": "127.0.0.1:%d" % port})
            c.getresponse().read()
            c.close()
        except Exception:
            time.sleep(0.05)
ts = [threading.Thread(target=poll) for _ in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
EOF
poller=$!
sleep 1
kill $p1 $p2
for _ in $(seq 1 150); do
	kill -0 $p1 2>/dev/null || break
	sleep 0.1
done
if kill -0 $p1 2>/dev/null; then
	kill -9 $p1
	fail "the site's serve did not stop within 15 s of SIGTERM while requests were in flight"
fi
checks=$((checks + 1))
wait $p1 $p2 2>/dev/null || true
wait $poller 2>/dev/null || true
if grep -l "Sanitizer\|runtime error" ./*.log; then
	grep -h -A30 "Sanitizer\|runtime error" ./*.log | head -80
	fail "a sanitizer report in a server log"
fi
echo "ui_api: the servers stopped cleanly"
echo "ui_api: shell $checks checks passed"
