#!/usr/bin/env bash
# The student portal's sessions through a real `gradcap serve --portal`:
# one student signing in again and again (their own code, no failure)
# ends only their own oldest sessions, at most 5 live, never another
# student's; the 21st sign-in of a student in an hour is refused with 429
# and Chinese text, ending nothing; other students sign in as before.
. "$(dirname "$0")/lib.bash"
cd "$T"
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"
online_school 3

PP=$(free_port)
portal_start "$PP"

python3 - "http://127.0.0.1:$PP" <<'EOF' || { cat o.log >&2; fail "the portal's sessions"; }
import csv, json, sys
import portal_client as pc
from portal_client import ok
base = sys.argv[1]
rows = list(csv.DictReader(open("inv.csv", encoding="utf-8-sig", newline="")))
a, b, c = rows[0], rows[1], rows[2]
def me(cookie):
    st, hd, body = pc.req(base, "GET", "/api/me", cookie=cookie)
    return st, json.loads(body) if body else {}

st, cb, j = pc.signin(base, {"code": b["邀请码"]}, "198.51.100.2")
ok(st == 200, "B signs in", (st, j))
# A signs in 20 times with A's own code: each answer a new session, the
# oldest of A's own ended past 5, B's untouched
ca = []
for i in range(20):
    st, cookie, j = pc.signin(base, {"code": a["邀请码"]}, "198.51.100.1")
    ok(st == 200 and cookie, "A's sign-in %d" % (i + 1), (st, j))
    ca.append(cookie)
    if i % 5 == 4:
        st, m = me(cb)
        ok(st == 200 and m["student"]["student_no"] == b["学号"], "B's session beside A's sign-ins", (i, st, m))
live = [me(cookie)[0] for cookie in ca]
ok(live == [401] * 15 + [200] * 5, "A keeps A's 5 latest sessions", live)
st, m = me(ca[-1])
ok(st == 200 and m["student"]["student_no"] == a["学号"], "A's latest session is A's", m)
# the 21st within the hour: 429 with Chinese text, from any address
st, cookie, j = pc.signin(base, {"code": a["邀请码"]}, "203.0.113.9")
ok(st == 429 and not cookie and j["error"]["code"] == "too_many" and "登录次数过多" in j["error"]["message_zh"], "A's 21st sign-in in an hour", (st, cookie, j))
ok([me(cookie)[0] for cookie in ca[-5:]] == [200] * 5, "the refusal ends none of A's sessions")
ok(me(cb)[0] == 200, "B's session still works")
st, cc, j = pc.signin(base, {"code": c["邀请码"]}, "198.51.100.1")
ok(st == 200 and me(cc)[0] == 200, "another student signs in from A's address", (st, j))
ok(me(cb)[0] == 200, "and B's session still works")
print("portal sessions:", pc.checks, "checks")
open("checks.txt", "w").write(str(pc.checks))
EOF
checks=$((checks + $(cat checks.txt)))
has o.log "PORTAL-SIGNIN-LIMIT"
has o.log "too many sign-ins of one student this hour (address 203.0.113.9)"
# no code, no student key in the log
grep -qF "$(sed -n 2p inv.csv | cut -d, -f6 | tr -d '"')" o.log && fail "a code in the portal's log"
grep -q "10335:" o.log && fail "a student key in the portal's log"
checks=$((checks + 2))

echo "portal_sessions: $checks checks passed"
