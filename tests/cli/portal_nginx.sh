#!/usr/bin/env bash
# The portal behind Debian's nginx, as docs/online-guide.md sets it up:
# nginx (deploy/install-deps.sh installs it) runs as this user with a
# prefix in the test folder, loopback only, on free ports, with a
# self-signed certificate made here by openssl, and the site file
# deploy/nginx/gradcap-portal.conf as shipped (only its ports, paths and
# the portal's address changed). Through https: the page, a sign-in, a
# photo upload and its confirm (a signed CAPTURE); the rate limit counts
# the address nginx forwards (X-Real-IP set by nginx; a client's forged
# header is replaced), nginx's own refusals are JSON; 50 slow connections
# on nginx never reach the portal while a student is served, and nginx
# cuts them after client_header_timeout; uploads stalled half-way stay in
# nginx's files, not in the portal's memory.
# Skips (exit 0, with the reason) only when nginx is not installed or
# cannot start here.
. "$(dirname "$0")/lib.bash"
cd "$T"
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$NGINX" ]; then
	echo "portal_nginx: SKIP: nginx is not installed (deploy/install-deps.sh)"
	exit 0
fi
synth_photos portal_nginx
online_school 4
PP=$(free_port)
portal_start "$PP"
convert synth/grace_hopper-ok-blue.jpg -quality 92 good.jpg

# --- nginx: the shipped site on loopback, its own prefix
mkdir -p ngx
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout ngx/key.pem -out ngx/cert.pem -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 2>/dev/null
NP=$(free_port)
NP80=$(free_port)
python3 - "$GC_SRC/deploy/nginx/gradcap-portal.conf" ngx/site.conf "$NP" "$NP80" "$PP" "$T/ngx" <<'EOF'
import re, sys
src, out, np, np80, pp, d = sys.argv[1:]
s = open(src, encoding="utf-8").read()
def sub(pat, rep):
    global s
    s2 = re.sub(pat, rep, s, flags=re.M)
    assert s2 != s, "the site file has no " + pat
    s = s2
sub(r"^\s*listen \[::\]:.*\n", "")
sub(r"listen 443 ssl http2;", "listen 127.0.0.1:%s ssl http2;" % np)
sub(r"listen 80;", "listen 127.0.0.1:%s;" % np80)
sub(r"ssl_certificate .*;", "ssl_certificate %s/cert.pem;" % d)
sub(r"ssl_certificate_key .*;", "ssl_certificate_key %s/key.pem;" % d)
sub(r"proxy_pass http://127\.0\.0\.1:8090;", "proxy_pass http://127.0.0.1:%s;" % pp)
open(out, "w", encoding="utf-8").write(s)
EOF
{
	[ "$(id -u)" = 0 ] && echo "user root root;" # else nginx runs as us
	cat <<EOF
worker_processes 1;
pid $T/ngx/nginx.pid;
error_log $T/ngx/error.log info;
events { worker_connections 512; }
http {
	client_body_temp_path $T/ngx/body;
	proxy_temp_path $T/ngx/proxy;
	fastcgi_temp_path $T/ngx/fastcgi;
	uwsgi_temp_path $T/ngx/uwsgi;
	scgi_temp_path $T/ngx/scgi;
	include $T/ngx/site.conf;
}
EOF
} >ngx/nginx.conf
if ! "$NGINX" -t -p "$T/ngx" -c "$T/ngx/nginx.conf" -e "$T/ngx/error.log" 2>ngx/t.err; then
	cat ngx/t.err >&2
	fail "nginx refuses the site file"
fi
"$NGINX" -p "$T/ngx" -c "$T/ngx/nginx.conf" -e "$T/ngx/error.log" -g 'daemon off;' 2>ngx/run.err &
npid=$!
trap '{ kill $spid $ppid $npid; wait $spid $ppid $npid; } 2>/dev/null || true; rm -rf "$T"' EXIT
for _ in $(seq 1 50); do
	python3 -c "import socket,sys; sys.exit(socket.socket().connect_ex(('127.0.0.1',$NP)))" && break
	if ! kill -0 $npid 2>/dev/null; then
		echo "portal_nginx: SKIP: nginx cannot start here: $(tail -2 ngx/run.err ngx/error.log | tr '\n' ' ')"
		exit 0
	fi
	sleep 0.1
done
wait_port "$NP"
checks=$((checks + 1))

python3 - "https://127.0.0.1:$NP" "http://127.0.0.1:$NP80" "$PP" <<'EOF' || { cat o.log ngx/error.log >&2; fail "the portal through nginx"; }
import csv, json, time
import sys
import portal_client as pc
from portal_client import ok
base, plain, pp = sys.argv[1], sys.argv[2], sys.argv[3]
rows = list(csv.DictReader(open("inv.csv", encoding="utf-8-sig", newline="")))
def pace():
    time.sleep(0.12)  # under nginx's 10 requests a second

# plain http is sent to https; the page comes over TLS with HSTS
st, hd, b = pc.req(plain, "GET", "/")
ok(st == 301 and hd["Location"].startswith("https://"), "http goes to https", (st, hd))
st, hd, b = pc.req(base, "GET", "/")
ok(st == 200 and b"<title>" in b and "max-age" in hd.get("Strict-Transport-Security", ""), "the page over https", (st, hd))
pace()

# sign-in, a photo, its confirm
st, cookie, j = pc.signin(base, {"code": rows[0]["邀请码"]}, None)
ok(st == 200 and cookie, "sign-in through nginx", (st, j))
pace()
st, hd, b = pc.req(base, "POST", "/api/photo", open("good.jpg", "rb").read(), cookie=cookie, csrf=j["csrf"], ctype="image/jpeg")
d = json.loads(b)
ok(st == 200 and d["drafts"][0]["verdict"] != "fail", "a photo uploaded through nginx", (st, d))
pace()
st, hd, b = pc.req(base, "POST", "/api/confirm", {"draft": d["draft"]}, cookie=cookie, csrf=j["csrf"])
ok(st == 200 and len(json.loads(b)["submitted"]) == 16, "submitted through nginx", (st, b))
pace()
st, hd, me = pc.req(base, "GET", "/api/me", cookie=cookie)
ok(json.loads(me)["status"] == "PENDING_REVIEW", "the status through nginx", me)
pace()

# the rate limit counts the address nginx forwards: a client forging
# X-Real-IP is counted by its own address all the same
for i in range(10):
    pc.req(base, "POST", "/api/signin", {"code": "AAAA-AAAA-AAAA-AAAA-AAAA"}, ip="203.0.113.%d" % i, xff="203.0.113.%d" % i, src="127.0.0.3")
    pace()
st, hd, b = pc.req(base, "POST", "/api/signin", {"code": rows[1]["邀请码"]}, ip="203.0.113.50", src="127.0.0.3")
e = json.loads(b)["error"]
ok(st == 429 and "failed sign-ins" in e["message"], "held back by the address nginx forwards", (st, e))
pace()
st, hd, b = pc.req(base, "POST", "/api/signin", {"code": rows[1]["邀请码"]}, src="127.0.0.1")
ok(st == 200, "another client address is not", (st, b))
pace()

# nginx's own refusals are the portal's JSON: too large, too many
try:
    st, hd, b = pc.req(base, "POST", "/api/photo", b"\0" * (21 << 20), cookie=cookie, ctype="image/jpeg")
    e = json.loads(b)["error"]
    ok(st == 413 and e["message_zh"], "nginx refuses 21 MiB in JSON", (st, e))
except (ConnectionResetError, BrokenPipeError) as x:
    ok(False, "nginx cut the 21 MiB upload without an answer", x)
pace()
answers = [pc.req(base, "GET", "/api/me", src="127.0.0.4")[0] for _ in range(40)]
ok(429 in answers and 401 in answers, "nginx's request limit (10/s, bursts of 20)", answers)
st, hd, b = pc.req(base, "GET", "/api/me", src="127.0.0.4")
if st == 429:
    ok(json.loads(b)["error"]["code"] == "too_many", "nginx's 429 is JSON", b)
print("portal through nginx:", pc.checks, "checks")
open("checks.txt", "w").write(str(pc.checks))
EOF
checks=$((checks + $(cat checks.txt)))
has o.log "a sign-in failed (address 127.0.0.3)"
expect 0 "$G" log --home o --json
json "[e['body']['camera'] for e in j if e['kind']=='CAPTURE']==['portal:upload']"

# --- 50 slow connections on nginx: buffered there, never at the portal
python3 - "$NP" "$PP" <<'EOF' || { cat o.log ngx/error.log >&2; fail "50 slow connections through nginx"; }
import csv, subprocess, sys, time
import portal_client as pc
from portal_client import ok
np, pp = int(sys.argv[1]), int(sys.argv[2])
rows = list(csv.DictReader(open("inv.csv", encoding="utf-8-sig", newline="")))
seen = [0]
def portal_conns():
    out = subprocess.run(["ss", "-Htn", "state", "established", "( dport = :%d )" % pp],
                         capture_output=True, text=True).stdout
    seen[0] = max(seen[0], len([l for l in out.splitlines() if l.strip()]))
t0 = time.monotonic()
slow = pc.Slowloris(np, 50, src="127.0.0.5", tls=True)
time.sleep(1.0)
portal_conns()
lat = pc.student_rounds("https://127.0.0.1:%d" % np, rows[2]["邀请码"], 8, 0.4, portal_conns)
# client_header_timeout 15s: nginx cuts them by then
time.sleep(max(0, 18 - (time.monotonic() - t0)))
alive = slow.still_open()
slow.close()
print("  through nginx: 50 slow connections; the portal saw at most %d connections at once; "
      "a student's sign-in + status: %d rounds, median %.3f s, max %.3f s; %d of 50 still open after 18 s"
      % (seen[0], len(lat), lat[len(lat) // 2], lat[-1], alive))
ok(seen[0] <= 2, "the slow connections never reach the portal", seen[0])
ok(lat[-1] < 3.0, "each round answered within 3 s", lat[-1])
ok(alive == 0, "nginx cut the slow connections (client_header_timeout)", alive)
open("checks.txt", "w").write(str(pc.checks))
EOF
checks=$((checks + $(cat checks.txt)))

# --- 20 uploads stalled half-way on nginx: their bodies wait in nginx's
# files, not in the portal's memory (the portal, facing them itself,
# would hold each one whole: nng reads a declared body into memory)
python3 - "$NP" "$PP" "$ppid" <<'EOF' || { cat o.log ngx/error.log >&2; fail "stalled uploads through nginx"; }
import socket, ssl, subprocess, sys, time
import portal_client as pc
from portal_client import ok
np, pp, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def rss():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
def portal_conns():
    out = subprocess.run(["ss", "-Htn", "state", "established", "( dport = :%d )" % pp],
                         capture_output=True, text=True).stdout
    return len([l for l in out.splitlines() if l.strip()])
before = rss()
ctx = ssl._create_unverified_context()
socks = []
for i in range(20):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", np), timeout=10, source_address=("127.0.0.6", 0)))
    s.sendall(b"POST /api/photo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\n"
              b"Content-Length: %d\r\n\r\n" % (16 << 20))
    s.sendall(b"\xff" * (4 << 20))
    socks.append(s)
time.sleep(2)
grew, conns = rss() - before, portal_conns()
for s in socks:
    s.close()
print("  20 uploads of 16 MiB stalled after 4 MiB on nginx: the portal's memory +%d MiB, %d connections to it" % (grew, conns))
ok(conns == 0, "no stalled upload reaches the portal", conns)
ok(grew < 40, "no stalled upload is in the portal's memory", grew)
open("checks.txt", "w").write(str(pc.checks))
EOF
checks=$((checks + $(cat checks.txt)))
echo "portal_nginx: $checks checks passed"
