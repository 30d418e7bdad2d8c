#!/usr/bin/env bash
# The notices of online capture through the real binary (issue 12.6):
# online submissions made at an online node, synced to the coordinator,
# rejected with a reason and approved there; `online notices` at moved
# clocks (GRADCAP_NOW) lists received, rejected, reminder, overdue and
# approved in order, the same on the online node after sync; the CSV for
# an SMS platform; no full ID number anywhere; and `--send` to a real SMTP
# server on loopback (tests/cli/smtp_sink.py): the messages arrive with
# the right To: and Chinese text, a second --send sends nothing new, a
# refused recipient is reported naming the student while the others go.
. "$(dirname "$0")/lib.bash"
cd "$T"
synth_photos online_notices
ok=synth/grace_hopper-ok-blue.jpg
H=3600

# a roster of 5 with a 邮箱 column: row 4 (rc) is refused by the mail
# server, row 5 (rd) has no address
"$G" sample roster --count 5 --out r0.csv
awk -F, 'NR==1 {print $0 ",邮箱"; next}
	NR==2 {print $0 ",a@stu.example.edu.cn"; next}
	NR==3 {print $0 ",b@stu.example.edu.cn"; next}
	NR==4 {print $0 ",refused@stu.example.edu.cn"; next}
	{print $0 ","}' r0.csv >r.csv
sno() { sed -n "$1p" r.csv | cut -d, -f1; }
idn() { sed -n "$1p" r.csv | cut -d, -f6; }
name() { sed -n "$1p" r.csv | cut -d, -f2; }
ra=2 rb=3 rc=4 rd=5

"$G" init --home c --role coordinator --school 10335 --name 教务处 >/dev/null
expect 0 "$G" roster import --home c r.csv
"$G" init --home o --role online --school 10335 --name 线上采集 >/dev/null
"$G" enroll request --home o --out o.req >/dev/null
"$G" enroll sign --home c o.req --out o.enr >/dev/null
"$G" enroll install --home o o.enr >/dev/null
serve_tls c
expect 0 "$G" sync --home o "$URL"

# no notices before anything was sent in
expect 0 "$G" online notices --home c
has out "no notices"

q=80
for r in $ra $rb $rc $rd; do
	mkdir -p "on$r"
	convert "$ok" -quality $q "on$r/$(idn $r).jpg"
	q=$((q + 1))
	expect 0 "$G" import-shoots --home o --kind online "on$r"
	has out "1 stored"
done
expect 0 "$G" sync --home o "$URL"
expect 0 "$G" review list --home c --json
cap_of() {
	python3 -c "import json,sys; print([x['capture'] for x in json.load(open('$T/out'))['captures'] if x['student_no']=='$(sno $1)'][0])"
}
ca=$(cap_of $ra) cb=$(cap_of $rb) cc=$(cap_of $rc)
expect 0 "$G" review --home c reject "$ca" --preset 1
expect 0 "$G" review --home c approve "$cb"
expect 0 "$G" review --home c reject "$cc" --preset 2 --reason "深色镜片"
tr=$(date +%s)
# rc sends a new photo at once; ra does not
expect 0 "$G" sync --home o "$URL"
mkdir -p again
convert "$ok" -quality 70 "again/$(idn $rc).jpg"
expect 0 "$G" import-shoots --home o --kind online again
expect 0 "$G" sync --home o "$URL"

# kinds of the notices at NOW, per student, as "学号:kind ..." in order
kinds() {
	python3 -c "import json; print(' '.join(n['student_no']+':'+n['kind'] for n in json.load(open('$T/out'))['notices']))"
}
A=$(sno $ra) B=$(sno $rb) C=$(sno $rc) D=$(sno $rd)

# --- 1 h after the reviews: received x4, the two rejections, the approval,
# rc's second photo received
GRADCAP_NOW=$((tr + H)) expect 0 "$G" online notices --home c --json
got=$(kinds)
python3 - "$got" "$A" "$B" "$C" "$D" <<'EOF' || fail "notices at 1 h: $got"
import sys
got, a, b, c, d = sys.argv[1].split(), *sys.argv[2:]
assert sorted(got[:4]) == sorted(x + ":received" for x in (a, b, c, d)), got
assert sorted(got[4:7]) == sorted([a + ":rejected", b + ":approved", c + ":rejected"]), got
assert got[7:] == [c + ":received"], got
EOF
checks=$((checks + 1))
json "all(len(n['id'])==16 for n in j['notices']) and len(set(n['id'] for n in j['notices']))==8"
json "[n['time'] for n in j['notices']]==sorted(n['time'] for n in j['notices'])"
# the rejection's message: the reason, the deadline in Beijing time
python3 - "$T/out" "$A" "$(name $ra)" "$C" <<'EOF' || fail "the rejection's text"
import json, sys
from datetime import datetime, timedelta, timezone
j = json.load(open(sys.argv[1])); a, name, c = sys.argv[2:]
n = [x for x in j["notices"] if x["student_no"] == a and x["kind"] == "rejected"][0]
t = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
assert t(n["deadline"]) - t(n["time"]) == timedelta(hours=48), n
bj = t(n["deadline"]).astimezone(timezone(timedelta(hours=8)))
want = "【学历照片】%s同学，你提交的照片未通过审核（背景不合格），请于%d月%d日%02d:%02d前重新提交。" % (
    name, bj.month, bj.day, bj.hour, bj.minute)
assert n["text"] == want, (n["text"], want)
assert len(n["text"]) <= 70, len(n["text"])
assert n["reason"] == "背景不合格" and n["email"] is True, n
m = [x for x in j["notices"] if x["student_no"] == c and x["kind"] == "rejected"][0]
assert m["reason"] == "戴有色眼镜：深色镜片" and "（戴有色眼镜：深色镜片）" in m["text"], m
r = [x for x in j["notices"] if x["kind"] == "received"][0]
assert "学校将于" in r["text"] and t(r["deadline"]) - t(r["time"]) == timedelta(hours=48), r
ap = [x for x in j["notices"] if x["kind"] == "approved"][0]
assert ap["text"].endswith("你提交的照片已通过审核，无需再次提交。") and ap["deadline"] is None, ap
EOF
checks=$((checks + 1))

# --- 37 h: ra's reminder (12 h before its deadline); not rc (resubmitted)
GRADCAP_NOW=$((tr + 37 * H)) expect 0 "$G" online notices --home c --json
got=$(kinds)
[ "${got##* }" = "$A:reminder" ] || fail "no reminder last at 37 h: $got"
[ "$(echo "$got" | wc -w)" = 9 ] || fail "not 9 notices at 37 h: $got"
json "'截止时间' in j['notices'][-1]['text'] and '请尽快提交' in j['notices'][-1]['text']"
checks=$((checks + 2))
# --- 49 h: ra overdue; nothing for rc
GRADCAP_NOW=$((tr + 49 * H)) expect 0 "$G" online notices --home c --json
got=$(kinds)
[ "$(echo "$got" | cut -d' ' -f9-)" = "$A:reminder $A:overdue" ] || fail "not reminder, overdue at 49 h: $got"
json "'已计为未拍摄' in j['notices'][-1]['text']"
cp "$T/out" c49.json
checks=$((checks + 1))
# the same list in text, and --since
GRADCAP_NOW=$((tr + 49 * H)) expect 0 "$G" online notices --home c
[ "$(wc -l <"$T/out")" = 10 ] || { cat "$T/out"; fail "not 10 lines"; }
has out "overdue  $A"
GRADCAP_NOW=$((tr + 49 * H)) expect 0 "$G" online notices --home c --json --since $((tr + 2 * H))
json "[n['kind'] for n in j['notices']]==['reminder','overdue']"
since=$(date -u -d @$((tr + 30 * H)) +%Y-%m-%dT%H:%M:%SZ)
GRADCAP_NOW=$((tr + 49 * H)) expect 0 "$G" online notices --home c --json --since "$since"
json "[n['kind'] for n in j['notices']]==['reminder','overdue']"
expect 2 "$G" online notices --home c --since yesterday
has err "--since yesterday: give Unix seconds or a UTC time"
expect 2 "$G" online notices --home c --csv --json
has err "at most one of --csv, --json and --send"

# --- the CSV for the SMS platform: BOM, the columns, Chinese kinds
GRADCAP_NOW=$((tr + 49 * H)) expect 0 "$G" online notices --home c --csv
python3 - "$T/out" "$A" <<'EOF' || fail "the CSV"
import csv, io, sys
raw = open(sys.argv[1], "rb").read()
assert raw.startswith(b"\xef\xbb\xbf"), raw[:10]
rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
assert rows[0] == ["时间", "学号", "姓名", "类别", "内容", "编号"], rows[0]
assert len(rows) == 11, len(rows)
assert [r[3] for r in rows if r[1] == sys.argv[2]] == ["已收到", "需重拍", "提醒", "逾期"], rows
assert all(r[4].startswith("【学历照片】") and len(r[5]) == 16 for r in rows[1:]), rows
assert rows[-1][0] > rows[1][0]
EOF
checks=$((checks + 1))
for r in $ra $rb $rc $rd; do
	for out in "$T/out" c49.json; do
		if grep -qF "$(idn $r)" "$out"; then fail "a full ID number in the notices"; fi
	done
done

# --- the online node, holding the same entries, lists the same
expect 0 "$G" sync --home o "$URL"
GRADCAP_NOW=$((tr + 49 * H)) expect 0 "$G" online notices --home o --json
python3 - "$T/out" c49.json <<'EOF' || fail "the online node's notices differ"
import json, sys
a, b = (json.load(open(p))["notices"] for p in sys.argv[1:])
assert [(n["id"], n["kind"], n["text"]) for n in a] == [(n["id"], n["kind"], n["text"]) for n in b]
EOF
checks=$((checks + 1))

# --- e-mail: no settings yet
GRADCAP_NOW=$((tr + 49 * H)) expect 1 "$G" online notices --home c --send
has err "gradcap.ini [notify] smtp_url is not set"

# a real SMTP server on loopback, refusing rc's address
python3 "$GC_SRC/tests/cli/smtp_sink.py" "$T/smtp.port" "$T/mail" \
	--refuse refused@stu.example.edu.cn 2>"$T/smtp.log" &
smtp=$!
trap '{ kill $spid $smtp; wait $spid $smtp; } 2>/dev/null || true; rm -rf "$T"' EXIT
for _ in $(seq 1 50); do [ -s "$T/smtp.port" ] && break; sleep 0.1; done
[ -s "$T/smtp.port" ] || fail "the SMTP sink did not start"
port=$(cat "$T/smtp.port")
printf 'mailer:s3cret-Pass\n' >cred
chmod 600 cred
printf '\n[notify]\nsmtp_url = smtp://127.0.0.1:%s\nfrom = 教务处 <noreply@example.edu.cn>\ncredentials_file = %s\n' \
	"$port" "$T/cred" >>c/gradcap.ini

GRADCAP_NOW=$((tr + 49 * H)) expect 3 "$G" online notices --home c --send
has out "sent 6 notices by e-mail; 4 not sent (3 refused or failed, 1 without an address); 0 sent before"
has err "to 学号 $C <refused@stu.example.edu.cn>: not sent: the server answered \"550 5.1.1 <refused@stu.example.edu.cn>: Recipient address rejected"
[ "$(grep -c "to 学号 $C <refused" "$T/err")" = 3 ] || { cat "$T/err"; fail "not 3 refusals for rc"; }
has err "to 学号 $D: not sent, the roster has no e-mail address"
if grep -q "s3cret" "$T/out" "$T/err"; then fail "the password was printed"; fi
checks=$((checks + 2))
# one login a connection (a refused recipient ends one)
[ -s "$T/mail/auth.log" ] && ! grep -qvx "mailer:s3cret-Pass" "$T/mail/auth.log" ||
	{ cat "$T/mail/auth.log"; fail "the credentials file was not used to log in"; }
checks=$((checks + 1))
python3 - "$T/mail" c49.json "$A" "$B" "$(name $ra)" <<'EOF' || fail "the messages"
import email, email.header, glob, json, os, sys
from email import policy
d, notices, a, b, name_a = sys.argv[1:]
by_id = {n["id"]: n for n in json.load(open(notices))["notices"]}
msgs = []
for p in sorted(glob.glob(os.path.join(d, "*.eml")), key=lambda p: int(os.path.basename(p)[:-4])):
    m = email.message_from_bytes(open(p, "rb").read(), policy=policy.default)
    env = open(p[:-4] + ".env").read().split("\n")
    msgs.append((m, env))
assert len(msgs) == 6, len(msgs)
addr = lambda h: h.addresses[0].addr_spec
tos = [addr(m["To"]) for m, _ in msgs]
assert sorted(tos) == ["a@stu.example.edu.cn"] * 4 + ["b@stu.example.edu.cn"] * 2, tos
for m, env in msgs:
    assert env[0] == "MAIL FROM <noreply@example.edu.cn>", env
    assert env[1] == "RCPT TO " + addr(m["To"]), env
    f = m["From"].addresses[0]
    assert (f.display_name, f.addr_spec) == ("教务处", "noreply@example.edu.cn"), m["From"]
    assert m.get_content_type() == "text/plain" and m.get_content_charset() == "utf-8"
    body = m.get_content()
    nid = body.split("通知编号：")[1].strip()
    n = by_id[nid]
    assert body.startswith(n["text"]), (body, n)
    assert ("学号：" + n["student_no"]) in body
    assert m["Message-ID"] == "<%s.notice@example.edu.cn>" % nid, m["Message-ID"]
    assert str(m["Subject"]).startswith("【学历照片】"), m["Subject"]
rej = [m for m, _ in msgs if "未通过审核" in str(m["Subject"])]
assert len(rej) == 1 and addr(rej[0]["To"]) == "a@stu.example.edu.cn"
body = rej[0].get_content()
assert name_a + "同学" in body and "审核意见：背景不合格" in body and "（北京时间）" in body, body
# the raw header is RFC 2047-encoded, 8-bit free
raw = open(sorted(glob.glob(os.path.join(d, "*.eml")))[0], "rb").read()
head = raw.split(b"\r\n\r\n")[0]
assert all(c < 0x80 for c in head), head
assert b"Subject: =?UTF-8?B?" in head, head
EOF
checks=$((checks + 1))
for r in $ra $rb $rc $rd; do
	if grep -rqF "$(idn $r)" "$T/mail"; then fail "a full ID number in an e-mail"; fi
done
[ "$(wc -l <c/notices-sent)" = 6 ] || fail "notices-sent does not hold 6 ids"
checks=$((checks + 1))

# a second --send sends nothing new; rc is still refused, and named
GRADCAP_NOW=$((tr + 49 * H)) expect 3 "$G" online notices --home c --send
has out "sent 0 notices by e-mail; 4 not sent (3 refused or failed, 1 without an address); 6 sent before"
[ "$(ls "$T/mail"/*.eml | wc -l)" = 6 ] || fail "the second --send sent again"
checks=$((checks + 1))
# while another --send holds the outbox's lock, a second one sends
# nothing and says why; listing is not locked out
exec 9>c/notices-sent.lock
flock -n 9 || fail "cannot take notices-sent.lock"
GRADCAP_NOW=$((tr + 49 * H)) expect 1 "$G" online notices --home c --send
has err "another \`gradcap online notices --send\` is sending"
GRADCAP_NOW=$((tr + 49 * H)) expect 0 "$G" online notices --home c --csv
exec 9>&-
[ "$(ls "$T/mail"/*.eml | wc -l)" = 6 ] || fail "a locked --send sent mail"
checks=$((checks + 1))
# the list says what was sent
GRADCAP_NOW=$((tr + 49 * H)) expect 0 "$G" online notices --home c --json
json "sum(n['sent'] for n in j['notices'])==6 and not any(n['sent'] for n in j['notices'] if n['student_no'] in ('$C','$D'))"
# a later notice goes on its own: rc's new photo approved, rc's address
# corrected in the roster; --since leaves the older ones out
sleep 1
ta=$(date +%s)
expect 0 "$G" review list --home c --json
expect 0 "$G" review --home c approve "$(cap_of $rc)"
sed -i 's/^\(.*\),refused@stu.example.edu.cn$/\1,c@stu.example.edu.cn/' r.csv
expect 0 "$G" roster import --home c r.csv
GRADCAP_NOW=$((tr + 50 * H)) expect 0 "$G" online notices --home c --send --since "$ta"
has out "sent 1 notices by e-mail; 0 not sent (0 refused or failed, 0 without an address); 2 sent before"
grep -l "To: <c@stu.example.edu.cn>" "$T/mail"/*.eml >/dev/null || fail "rc's approval not mailed to the new address"
checks=$((checks + 1))

# bad settings named
sed -i 's|^smtp_url = .*|smtp_url = http://127.0.0.1:1|' c/gradcap.ini
expect 1 "$G" online notices --home c --send
has err "[notify] smtp_url = http://127.0.0.1:1: give the mail server, smtp://HOST:PORT or smtps://HOST:PORT"
sed -i "s|^smtp_url = .*|smtp_url = smtp://127.0.0.1:$port|; s|^credentials_file = .*|credentials_file = $T/nocred|" c/gradcap.ini
expect 1 "$G" online notices --home c --send
has err "[notify] credentials_file = $T/nocred:"
printf '\n[online]\nremind_hours = 48\n' >>c/gradcap.ini
expect 1 "$G" online notices --home c
has err "[online] remind_hours = 48: the reminder comes before the deadline"
echo "online_notices: $checks checks passed"
