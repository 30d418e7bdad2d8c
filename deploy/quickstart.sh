#!/usr/bin/env bash
# The quickstart: installs what is missing, builds gradcap, and on built-in
# defaults runs a demo in a new directory: a coordinator and two sites,
# enrolled by file hand-over, a generated sample roster imported and
# carried to the sites, photos captured and checked (portraits made from
# Debian's sample photos), the sites synced with the coordinator over
# mutual TLS (one by hand, one in the background), an online node with
# invitations and one student's round on the portal, the merged view
# (conflicts, alerts, the makeup list), a signed checkpoint with an
# inclusion proof checked offline, and every node's status and signed log.
# Usage: deploy/quickstart.sh [DEMO_DIR]   (default: a new /tmp directory)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGC_SANITIZE=OFF -DGC_TESTS=ON >/dev/null
cmake --build build -j"$(nproc)" --target gradcap gc-synth >/dev/null
G=$src/build/node/gradcap

demo=${1:-$(mktemp -d /tmp/gradcap-demo.XXXXXX)}
mkdir -p "$demo"
cd "$demo"
say() { printf '\n== %s\n' "$*"; }

say "a coordinator (the school authority) and two capture sites"
"$G" init --home coordinator --role coordinator --school 10335 --name 教务处
"$G" init --home site-zijingang --role site --school 10335 --name 紫金港
"$G" init --home site-yuquan --role site --school 10335 --name 玉泉

say "a sample roster: 300 students with valid generated ID numbers"
"$G" sample roster --count 300 --seed 2026 --out roster.csv
head -4 roster.csv
"$G" roster import --home coordinator roster.csv

say "enrollment by files (the USB hand-over): request -> sign -> install"
for s in site-zijingang site-yuquan; do
	"$G" enroll request --home "$s" --out "$s.request"
	"$G" enroll sign --home coordinator "$s.request" --out "$s.enrollment"
	"$G" enroll install --home "$s" "$s.enrollment"
done

say "capture: portraits made from Debian's sample photos"
if photos=$("$src/tests/data/fetch.sh" 2>/dev/null) &&
	"$src/build/tests/gc-synth" --size 1800x2400 --source grace_hopper \
		"$photos" portraits >/dev/null; then
	st() { sed -n "$1p" roster.csv | cut -d, -f"$2"; }
	"$G" session open --home site-zijingang --kind central --location 体育馆 --operator 王老师
	"$G" capture --home site-zijingang --student "$(st 2 1)" --file portraits/grace_hopper-ok-blue.jpg
	"$G" capture --home site-zijingang --student "$(st 3 6)" --file portraits/grace_hopper-ok-white.jpg
	echo "-- a blurred shot is refused, and nothing is stored:"
	"$G" capture --home site-zijingang --student "$(st 4 1)" --file portraits/grace_hopper-blur.jpg || true
	echo "-- a student too far from the camera: what to do"
	"$G" capture --home site-zijingang --student "$(st 4 1)" --file portraits/grace_hopper-too-far.jpg || true
	"$G" capture --home site-zijingang --student "$(st 4 1)" --file portraits/grace_hopper-ok-grey.jpg
	"$G" session close --home site-zijingang
	echo "-- 散拍: studio photos named by ID number, imported at the other site"
	mkdir -p studio
	# the studio's own shots (re-encoded: not the same files as above,
	# or the merge would flag one photo for two students)
	convert portraits/grace_hopper-ok-blue.jpg -quality 93 "studio/$(st 5 6).jpg"
	convert portraits/grace_hopper-ok-grey.jpg -quality 93 "studio/$(st 6 1).jpg"
	"$G" import-shoots --home site-yuquan --kind individual studio
	"$G" check --normalize --out checked portraits/grace_hopper-ok-blue.jpg | head -3
else
	echo "(skipped: the sample photos come from Debian packages, and no package"
	echo " source could be reached)"
fi

say "sync over mutual TLS: the coordinator listens, the sites connect"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=tls+tcp://127.0.0.1:$port
"$G" serve --home coordinator --listen "$url" --no-ui 2>coordinator.log &
serve_c=$!
serve_y=
trap 'kill $serve_c $serve_y 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
	python3 -c "import socket,sys; sys.exit(socket.socket().connect_ex(('127.0.0.1',$port)))" && break
	sleep 0.1
done
echo "-- 紫金港 syncs by hand:"
"$G" sync --home site-zijingang "$url"
echo "-- 玉泉 runs 'gradcap serve --peer' and syncs in the background:"
"$G" serve --home site-yuquan --peer "$url" --interval 5 --no-ui 2>site-yuquan.log &
serve_y=$!
for _ in $(seq 1 50); do
	"$G" peers --home site-yuquan --json | grep -q '"online":true' && break
	sleep 0.2
done
"$G" peers --home site-yuquan
echo "-- 紫金港 again, to take what 玉泉 sent meanwhile:"
"$G" sync --home site-zijingang "$url"

say "online capture: an online node, invitations, one student's round on the portal"
"$G" init --home online --role online --school 10335 --name 线上采集
"$G" enroll request --home online --out online.request
"$G" enroll sign --home coordinator online.request --out online.enrollment
"$G" enroll install --home online online.enrollment
pp=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf '\n[online]\nportal_url = http://127.0.0.1:%s\n' "$pp" >>coordinator/gradcap.ini
printf '\n[online]\nportal_url = http://127.0.0.1:%s\n[school]\nname = 示例大学\n' "$pp" >>online/gradcap.ini
"$G" online invite --home coordinator --missing --class "$(sed -n 8p roster.csv | cut -d, -f11)" \
	--out invitations.csv --sheet invitations.html
# the coordinator's listener takes the new enrollment within a second or two
for i in $(seq 1 20); do
	"$G" sync --home online "$url" 2>sync-online.err && break
	[ "$i" = 20 ] && { cat sync-online.err >&2; exit 1; }
	sleep 0.5
done
"$G" serve --home online --no-ui --portal "http://127.0.0.1:$pp" 2>online.log &
serve_o=$!
trap 'kill $serve_c $serve_y $serve_o 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
	python3 -c "import socket,sys; sys.exit(socket.socket().connect_ex(('127.0.0.1',$pp)))" && break
	sleep 0.1
done
if [ -s portraits/grace_hopper-ok-white.jpg ]; then
	convert portraits/grace_hopper-ok-white.jpg -quality 90 online-photo.jpg
	# what the student's phone does (the page's calls): the link's code, a
	# photo, the confirm; once approved, the finished photo and the check
	cat >student.py <<'PY'
import csv, json, sys, urllib.request
base, step = sys.argv[1], sys.argv[2]
row = next(csv.DictReader(open("invitations.csv", encoding="utf-8-sig", newline="")))
def call(method, path, body=None, ctype="application/json", cookie=None, csrf=None, raw=False):
    h = {"Content-Type": ctype}
    if cookie: h["Cookie"] = cookie
    if csrf: h["X-CSRF-Token"] = csrf
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(urllib.request.Request(base + path, data=data, method=method, headers=h)) as r:
        return r.headers, (r.read() if raw else json.loads(r.read()))
hd, j = call("POST", "/api/signin", {"code": row["邀请码"]})
cookie, csrf = hd["Set-Cookie"].split(";")[0], j["csrf"]
if step == "submit":
    print("student %s signed in with the link %s" % (row["学号"], row["链接"][:40] + "…"))
    _, j = call("POST", "/api/photo", open("online-photo.jpg", "rb").read(), "image/jpeg", cookie, csrf)
    d = j["drafts"][0]
    print("the photo, framed and checked: %s%s" % (d["verdict"], "".join("; " + p["message"] for p in d["problems"])))
    _, j = call("POST", "/api/confirm", {"draft": j["draft"]}, cookie=cookie, csrf=csrf)
    _, me = call("GET", "/api/me", cookie=cookie)
    print("submitted (capture %s); the student's page says: %s, reviewed by %s" % (j["submitted"], me["status"], me["review_by"]))
else:
    _, me = call("GET", "/api/me", cookie=cookie)
    _, jpg = call("GET", "/api/final", cookie=cookie, raw=True)
    open("online-final.jpg", "wb").write(jpg)
    _, c = call("GET", "/api/check", cookie=cookie)
    s = c["student"]
    print("the student's page says %s; the finished photo downloaded (online-final.jpg, %d bytes)" % (me["status"], len(jpg)))
    print("the data it goes out with: %s %s %s %s %s" % (s["name"], s["sex"], s["id_masked"], s["level"], s["major"]))
    _, c = call("POST", "/api/check", {"verdict": "ok"}, cookie=cookie, csrf=csrf)
    print("the student pressed 信息无误: %s" % c["check"]["verdict"])
PY
	python3 student.py "http://127.0.0.1:$pp" submit
	"$G" sync --home online "$url"
	echo "-- the coordinator's review queue, oldest first:"
	"$G" review list --home coordinator
	echo "-- the notices for the school's SMS platform:"
	"$G" online notices --home coordinator
	echo "-- the coordinator approves it; the student downloads the finished photo and checks the data:"
	"$G" review --home coordinator approve "$("$G" log --home coordinator --json | python3 -c 'import json,sys; print([e["id"][:12] for e in json.load(sys.stdin) if e["kind"]=="CAPTURE" and e["body"]["session_kind"]=="online"][-1])')" >/dev/null
	"$G" sync --home online "$url"
	python3 student.py "http://127.0.0.1:$pp" check
	"$G" sync --home online "$url"
	echo "-- the students' checks, at the coordinator:"
	"$G" online checks --home coordinator
fi
kill $serve_o 2>/dev/null || true
wait $serve_o 2>/dev/null || true
kill $serve_y $serve_c 2>/dev/null || true
wait $serve_y $serve_c 2>/dev/null || true
echo "-- the coordinator's log:"
cat coordinator.log

say "status (equal replica digests: the nodes hold the same records)"
for n in coordinator site-zijingang site-yuquan; do
	"$G" status --home "$n"
	echo
done

say "the merged view: conflicts and alerts, the makeup list, a signed checkpoint"
"$G" conflicts --home coordinator
"$G" missing --home coordinator --class "$(sed -n 2p roster.csv | cut -d, -f11)" | head -5
"$G" checkpoint --home coordinator --out checkpoint.note
"$G" audit prove --home coordinator "$(sed -n 2p roster.csv | cut -d, -f1)" --out proof.txt
echo "-- an auditor checks the proof offline with the coordinator's key:"
"$G" audit check-proof proof.txt --checkpoint checkpoint.note \
	--key "$("$G" audit key --home coordinator)"

say "roster corrections: the office fixes a 证件号码 (the photo stays with the student), one student is exempt"
fix_id() { # the same birth date and sex, another sequence number
	python3 -c 'import sys
o = sys.argv[1]; b = o[:14] + ("%02d" % ((int(o[14:16]) + 37) % 100)) + o[16]
w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
print(b + "10X98765432"[sum(int(c) * x for c, x in zip(b, w)) % 11])' "$1"
}
FIXED=$(fix_id "$(sed -n 2p roster.csv | cut -d, -f6)")
"$G" roster correct --home coordinator "$(sed -n 2p roster.csv | cut -d, -f1)" \
	--id "$FIXED" --reason "身份证号录入有误（学籍科更正）"
"$G" roster exempt --home coordinator "$(sed -n 301p roster.csv | cut -d, -f1)" \
	--reason "已有学信网图像"

say "the coordinator approves the photos and exports the CHSI package"
for c in $("$G" review list --home coordinator --json | python3 -c 'import json,sys; print(" ".join(c["capture"][:12] for c in json.load(sys.stdin)["captures"]))'); do
	"$G" review --home coordinator approve "$c" >/dev/null
done
"$G" status --home coordinator | grep '^merge'
"$G" export --home coordinator --out chsi-export --season 2026届
echo "-- anyone can check it with stock tools:"
minisign -V -p chsi-export/minisign.pub -m chsi-export/MANIFEST
(cd chsi-export && sha256sum -c --quiet MANIFEST && echo "every file matches MANIFEST")
echo "-- the corrected student's photo goes out under the new number:"
ls chsi-export/photos | grep -F "$FIXED" || echo "(that student has no approved photo)"
grep -c EXEMPT chsi-export/roster.csv | sed 's/$/ exempt student(s) in roster.csv/'

say "the signed log of the coordinator"
"$G" log --home coordinator
for n in coordinator site-zijingang site-yuquan; do
	"$G" log verify --home "$n"
done

say "the operator UI: the coordinator and both sites serve theirs"
# ports 8080-8082 when free, else any free ones
free_port() {
	python3 - "$1" <<'PY'
import socket, sys
want = int(sys.argv[1])
for p in (want, 0):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        print(s.getsockname()[1])
        break
    except OSError:
        continue
PY
}
# the sites' camera: a few sample portraits in turn (a real station sets
# [capture] camera = libcamera:0)
camdir=1 # no sample photos: generated frames
if ls portraits/*-ok-*.jpg >/dev/null 2>&1; then
	camdir=$demo/camera
	mkdir -p camera
	cp portraits/*-ok-*.jpg camera/
fi
for n in site-zijingang site-yuquan; do
	printf '\n[capture]\ncamera = synthetic:%s\n' "$camdir" >>"$n/gradcap.ini"
done
trap - EXIT
: >serve.pids
uc=$(free_port 8080)
setsid "$G" serve --home coordinator --listen "$url" --ui "http://127.0.0.1:$uc" \
	>>coordinator.log 2>&1 </dev/null &
echo $! >>serve.pids
uz=$(free_port 8081)
setsid "$G" serve --home site-zijingang --peer "$url" --ui "http://127.0.0.1:$uz" \
	>site-zijingang.log 2>&1 </dev/null &
echo $! >>serve.pids
uy=$(free_port 8082)
setsid "$G" serve --home site-yuquan --peer "$url" --ui "http://127.0.0.1:$uy" \
	>>site-yuquan.log 2>&1 </dev/null &
echo $! >>serve.pids
for p in $uc $uz $uy; do
	for _ in $(seq 1 50); do
		python3 -c "import socket,sys; sys.exit(socket.socket().connect_ex(('127.0.0.1',$p)))" && break
		sleep 0.1
	done
done
cat <<EOT
Running now (open in a browser on this computer; Chinese by default):
  coordinator 教务处   http://127.0.0.1:$uc/   dashboard, conflicts, review, checkpoint
  site 紫金港          http://127.0.0.1:$uz/   capture station (synthetic camera), sessions
  site 玉泉            http://127.0.0.1:$uy/   capture station, sync status
Stop them with:  kill \$(cat $demo/serve.pids)
EOT

say "done"
cat <<EOT
The demo nodes are in $demo. Try:
  export GRADCAP_HOME=$demo/site-yuquan
  $G roster show $(sed -n 2p roster.csv | cut -d, -f1)
  $G roster list --class $(sed -n 2p roster.csv | cut -d, -f11)
  $G id check 11010519491231002X 110105194912310021
  $G log --json | head -c 600
  $G peers
EOT
