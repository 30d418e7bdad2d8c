#!/usr/bin/env bash
# The student portal in a real browser on a phone-sized screen (390 × 844):
# a coordinator invites, an online node takes the invitations by sync over
# TLS and serves the portal on loopback; tests/ui/portal.mjs drives Debian's
# chromium through playwright-core: the invitation link signs the student
# in, a blurred photo shows what to fix, a good one is submitted, the
# coordinator rejects it, the page shows why and by when, a studio file is
# sent again; once approved, the finished photo is downloaded and the
# data confirmed (信息无误) with a mailing address. Around it: the
# rejection's notice in the outbox and e-mailed to a real SMTP server on
# loopback (tests/cli/smtp_sink.py), the export at the coordinator carrying
# the photo and the confirmation, and a second student who lets the
# resubmission window pass on the makeup list (逾期未重新提交).
# Screenshots go to $GC_UI_OUT/portal.
# Skips (exit 0, with the reason) when chromium, node/npm, playwright-core
# or the test photos cannot be had.
. "$(dirname "$0")/../cli/lib.bash"
. "$(dirname "$0")/browser.bash"
browser_ready "ui portal"
OUT=${GC_UI_OUT:-${GC_TEST_TMP:-/tmp}/ui-e2e}/portal
rm -rf "$OUT"
mkdir -p "$OUT"
cd "$T"
synth_photos portal
convert synth/grace_hopper-ok-blue.jpg -quality 92 good.jpg
convert synth/grace_hopper-ok-white.jpg -quality 91 studio.jpg
cp synth/grace_hopper-blur.jpg blur.jpg
school_and_site 6
# the students' e-mail addresses, for the notices
awk -F, 'NR==1 {print $0 ",邮箱"; next} {print $0 ",s" NR "@stu.example.edu.cn"}' r.csv >r-mail.csv
"$G" roster import --home c r-mail.csv >/dev/null
online_node
python3 "$GC_SRC/tests/cli/smtp_sink.py" "$T/smtp.port" "$T/mail" 2>"$T/smtp.log" &
smtp=$!
for _ in $(seq 1 50); do [ -s "$T/smtp.port" ] && break; sleep 0.1; done
[ -s "$T/smtp.port" ] || fail "the SMTP sink did not start"
printf '
[notify]
smtp_url = smtp://127.0.0.1:%s
from = 教务处 <noreply@example.edu.cn>
' "$(cat "$T/smtp.port")" >>c/gradcap.ini
PP=$(free_port)
printf '\n[online]\nportal_url = http://127.0.0.1:%s\n' "$PP" >>c/gradcap.ini
printf '\n[online]\nportal_url = http://127.0.0.1:%s\nask_address = yes\n[school]\nname = 示例大学\n' "$PP" >>o/gradcap.ini
"$G" online invite --home c --out inv.csv >/dev/null
serve_tls c
"$G" sync --home o "$URL" >/dev/null
"$G" serve --home o --no-ui --portal "http://127.0.0.1:$PP" --peer "$URL" --interval 2 2>o.log &
ppid=$!
trap '{ kill $spid $ppid $smtp; wait $spid $ppid $smtp; } 2>/dev/null || true; cp o.log "$OUT/" 2>/dev/null; rm -rf "$T"' EXIT
wait_port "$PP"
export GC_BIN=$G T OUT PORTAL=http://127.0.0.1:$PP
node "$UI/portal.mjs" || fail "the portal's browser test failed (screenshots and log in $OUT)"

# the export at the coordinator carries the photo and the confirmation
A=$(python3 -c 'import csv; print(next(csv.DictReader(open("inv.csv", encoding="utf-8-sig")))["学号"])')
for i in $(seq 1 100); do
	"$G" log --home c --json | grep -q '"STUDENT_CHECK"' && break
	[ "$i" = 100 ] && fail "the student's check did not reach the coordinator"
	sleep 0.2
done
expect 0 "$G" export --home c --out exp
python3 - "$A" <<'EOF' || fail "the export does not carry the online photo and its confirmation"
import csv, sys
rows = [r for r in csv.DictReader(open("exp/roster.csv", encoding="utf-8-sig", newline="")) if r["学号"] == sys.argv[1]]
assert len(rows) == 1, rows
r = rows[0]
assert r["学生确认"] == "已确认", r
assert open("exp/photos/" + r["文件名"], "rb").read(2) == b"\xff\xd8", r
EOF
checks=$((checks + 1))

# a second student's online photo is rejected and the window runs out:
# MISSING 逾期未重新提交, on the makeup list
convert synth/grace_hopper-ok-blue.jpg -quality 84 other.jpg
PYTHONPATH="$GC_SRC/tests/cli" python3 - "http://127.0.0.1:$PP" <<'EOF' || fail "the second student's submission"
import csv, json, sys
import portal_client as pc
base = sys.argv[1]
row = list(csv.DictReader(open("inv.csv", encoding="utf-8-sig", newline="")))[1]
st, cookie, j = pc.signin(base, {"code": row["邀请码"]}, "198.51.100.30")
assert st == 200, (st, j)
st, hd, b = pc.req(base, "POST", "/api/photo", open("other.jpg", "rb").read(), cookie, j["csrf"], ctype="image/jpeg")
d = json.loads(b)
assert st == 200 and d["drafts"][0]["verdict"] != "fail", d
st, hd, b = pc.req(base, "POST", "/api/confirm", {"draft": d["draft"]}, cookie, j["csrf"])
assert st == 200, (st, b)
EOF
B=$(python3 -c 'import csv; print(list(csv.DictReader(open("inv.csv", encoding="utf-8-sig")))[1]["学号"])')
for i in $(seq 1 100); do
	[ "$("$G" log --home c --json | python3 -c 'import json,sys; print(sum(e["kind"]=="CAPTURE" for e in json.load(sys.stdin)))')" = 3 ] && break
	[ "$i" = 100 ] && fail "the second student's capture did not reach the coordinator"
	sleep 0.2
done
capb=$("$G" log --home c --json | python3 -c 'import json,sys; print([e["id"] for e in json.load(sys.stdin) if e["kind"]=="CAPTURE"][-1])')
expect 0 "$G" review --home c reject "$capb" --preset 6
GRADCAP_NOW=$(( $(date +%s) + 49 * 3600 )) expect 0 "$G" missing --home c --csv
python3 - "$T/out" "$B" "$A" <<'EOF' || fail "the student past the window is not on the makeup list"
import csv, io, sys
raw = open(sys.argv[1], encoding="utf-8-sig").read()
rows = list(csv.DictReader(io.StringIO(raw)))
mine = [r for r in rows if sys.argv[2] in r.values()]
assert len(mine) == 1 and "逾期未重新提交" in ",".join(mine[0].values()), (mine, rows[:2])
assert not [r for r in rows if sys.argv[3] in r.values()], "the approved student is not on it"
EOF
checks=$((checks + 1))
echo "ui portal: $checks checks after the browser's; screenshots in $OUT"
