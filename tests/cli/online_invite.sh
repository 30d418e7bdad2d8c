#!/usr/bin/env bash
# Invitations to online capture through the real binary: the coordinator
# makes a code per student (by class, the makeup list, or named), writes
# the list (.csv, .xlsx) and a sheet of QR codes readable by its owner
# only, and signs only the codes' hashes; a new invitation replaces a
# student's code; an online node, enrolled like a site, receives them by
# sync over TLS; and the refusals, each with its reason.
. "$(dirname "$0")/lib.bash"
cd "$T"
school_and_site 6
xh() { sed -n "$1p" r.csv | cut -d, -f1; }
cls2=$(sed -n 2p r.csv | cut -d, -f11)

# --- everyone: one code each, the link carries it in the fragment
expect 0 "$G" online invite --home c --portal https://photo.example.edu.cn/ --out all.csv --sheet all.html
has out "invited 6 students"
[ "$(stat -c %a all.csv)" = 600 ] && [ "$(stat -c %a all.html)" = 600 ] ||
	fail "the invitation files are readable by others: $(stat -c '%a %n' all.*)"
checks=$((checks + 1))
expect 0 "$G" log --home c --json
python3 - "$T/out" <<'EOF' || fail "the list and the signed INVITE do not agree"
import csv, hashlib, json, re, sys
rows = list(csv.DictReader(open("all.csv", encoding="utf-8-sig", newline="")))
assert len(rows) == 6, rows
codes = [r["邀请码"] for r in rows]
assert len(set(codes)) == 6
for r in rows:
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]{4}", r["邀请码"]), r
    assert r["链接"] == "https://photo.example.edu.cn/#/i/" + r["邀请码"], r
    assert r["证件号码"].startswith("*") and len(r["证件号码"].strip("*")) == 4, r
inv = [e for e in json.load(open(sys.argv[1])) if e["kind"] == "INVITE"]
assert len(inv) == 1 and inv[0]["body"]["source"] == "every class", inv
want = {hashlib.sha256(b"gradcap invite v1\n" + c.replace("-", "").encode()).hexdigest() for c in codes}
assert {r["code_sha256"] for r in inv[0]["body"]["rows"]} == want
text = open(sys.argv[1]).read()
assert not any(c in text or c.replace("-", "") in text for c in codes), "a code in the log"
EOF
checks=$((checks + 1))
expect 0 "$G" log --home c
has out "invite 6 students (every class)"
# the sheet's QR codes hold the links (read back with zbar)
if [ -x /usr/bin/chromium ]; then
	timeout 120 chromium --headless --no-sandbox --disable-gpu --window-size=900,1300 \
		--screenshot="$T/all.png" "file://$T/all.html" >/dev/null 2>&1 || true
	convert all.png -quality 95 all.jpg
	expect 0 "$G" scan --file all.jpg --json
	python3 - "$T/out" <<'EOF' || fail "the sheet's QR codes are not the links"
import csv, json, sys
links = {r["链接"] for r in csv.DictReader(open("all.csv", encoding="utf-8-sig", newline=""))}
got = {c["data"] for c in json.load(open(sys.argv[1])) if c["type"] == "QR-Code"}
assert got and got <= links, (got, links)
EOF
	checks=$((checks + 1))
fi

# --- a class as .xlsx, every cell text; the makeup list; named students
expect 0 "$G" online invite --home c --class "$cls2" --out c2.xlsx
[ "$(stat -c %a c2.xlsx)" = 600 ] || fail "c2.xlsx is readable by others"
has out "(no links: give --portal or [online] portal_url)"
python3 - "$(xh 2)" <<'EOF' || fail "the .xlsx list lacks the student"
import sys, zipfile
s = zipfile.ZipFile("c2.xlsx").read("xl/sharedStrings.xml").decode()
assert "邀请码" in s and sys.argv[1] in s
EOF
checks=$((checks + 2))
printf '\n[online]\nportal_url = https://p.example.edu.cn/photo\n' >>c/gradcap.ini
expect 0 "$G" online invite --home c --missing --student "$(xh 3)" --student "$(sed -n 4p r.csv | cut -d, -f6)" --out two.csv
has out "invited 2 students"
has two.csv "https://p.example.edu.cn/photo/#/i/"
expect 0 "$G" log --home c
has out "invite 2 students (named students, still to photograph)"

# --- refusals: nothing signed
n0=$("$G" log --home c --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
expect 1 "$G" online invite --home c --class 没有这个班 --out x.csv
has err "nobody to invite in class 没有这个班"
expect 1 "$G" online invite --home c --student 2099999999 --out x.csv
has err "'2099999999' is not on the roster"
expect 2 "$G" online invite --home c --out x.txt
has err "give a .csv or .xlsx file"
expect 2 "$G" online invite --home c --out x.csv --sheet x.pdf
expect 2 "$G" online invite --home c --out x.csv --portal ftp://x
has err "https://HOST"
expect 2 "$G" online invite --home c
expect 2 "$G" online frobnicate --home c
has err "unknown verb 'frobnicate'"
expect 1 "$G" online invite --home s --out x.csv
has err "only the coordinator invites students"
mkdir ro && chmod 500 ro
if [ "$(id -u)" != 0 ]; then
	expect 1 "$G" online invite --home c --out ro/x.csv
fi
[ ! -e x.csv ] || fail "a refused invitation wrote its list"
n1=$("$G" log --home c --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n0" = "$n1" ] || fail "a refused invitation signed something ($n0 -> $n1 entries)"
checks=$((checks + 2))

# --- an online node: enrolled like a site, it takes the invitations by
# sync; it may not invite, review or write the roster
"$G" init --home o --role online --school 10335 --name 线上采集 >/dev/null
"$G" enroll request --home o --out o.req >/dev/null
expect 0 "$G" enroll sign --home c o.req --out o.enr
has out "online"
expect 0 "$G" enroll install --home o o.enr
serve_tls c
expect 0 "$G" sync --home o "$URL"
expect 0 "$G" log --home o
[ "$(grep -c ' INVITE ' "$T/out")" = 3 ] || { cat "$T/out"; fail "the online node lacks the 3 invitations"; }
checks=$((checks + 1))
expect 1 "$G" online invite --home o --out y.csv
has err "only the coordinator invites students"
expect 1 "$G" review --home o approve 00000000
expect 0 "$G" status --home o --json
json "j['merge']['students']==6"

echo "online_invite: $checks checks passed"
