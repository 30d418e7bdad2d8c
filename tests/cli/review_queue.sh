#!/usr/bin/env bash
# The online review routine through the real binary (issue 12.5): online
# submissions wait for review oldest first with their age and a 48-hour
# deadline, overdue ones marked, and status counts them; rejection with a
# preset reason ([online] reject_reasons); a rejected online student who
# does not resubmit within retake_hours is MISSING with 逾期未重新提交 on the
# makeup list, while the leaf and the digest stay the same. The clock the
# views read is moved with GRADCAP_NOW (the test hook, docs/merge.md).
. "$(dirname "$0")/lib.bash"
cd "$T"
synth_photos review_queue
ok=synth/grace_hopper-ok-blue.jpg

school_and_site 6
sno() { sed -n "$1p" r.csv | cut -d, -f1; }  # 学号 of row N
idn() { sed -n "$1p" r.csv | cut -d, -f6; }  # ID number of row N
name() { sed -n "$1p" r.csv | cut -d, -f2; }
H=3600

# rows 2..6 by ID number, descending: imported in this order, the oldest
# capture has the largest key, so oldest-first is not key order
order=$(for r in 2 3 4 5 6; do echo "$(idn $r) $r"; done | sort -r | cut -d' ' -f2)
set -- $order
ra=$1 rb=$2 rc=$3 rs=$4   # three online, one station; $5 and row 7 never shot

t0=$(date +%s)
q=80
for r in $ra $rb $rc; do
	mkdir -p "on$r"
	convert "$ok" -quality $q "on$r/$(idn $r).jpg"
	q=$((q + 1))
	expect 0 "$G" import-shoots --home s --kind online "on$r"
	has out "1 stored"
done
"$G" session open --home s --kind central --location hall >/dev/null
convert "$ok" -quality 90 st.jpg
expect 0 "$G" capture --home s --student "$(sno $rs)" --file st.jpg
"$G" session close --home s >/dev/null
t1=$(date +%s)
serve_tls c
expect 0 "$G" sync --home s "$URL"

# --- the queue: oldest first, online ones with a deadline 48 h on
expect 0 "$G" review list --home c --json
json "[x['name'] for x in j['captures']]==['$(name $ra)','$(name $rb)','$(name $rc)','$(name $rs)']"
json "j['waiting']==4 and j['overdue']==0 and j['review_hours']==48 and j['retake_hours']==48"
json "[x['kind'] for x in j['captures']]==['online']*3+['central']"
python3 - "$T/out" "$t0" "$t1" <<'EOF' || fail "the deadlines are not capture time + 48 h"
import json, sys
from datetime import datetime, timezone
j = json.load(open(sys.argv[1])); t0, t1 = int(sys.argv[2]), int(sys.argv[3])
ts = lambda s: int(datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())
for x in j["captures"]:
    assert t0 - 1 <= ts(x["time"]) <= t1, x
    assert x["age_hours"] == 0 and x["overdue"] is False, x
    if x["kind"] == "online":
        assert ts(x["deadline"]) == ts(x["time"]) + 48 * 3600, x
    else:
        assert x["deadline"] is None, x
assert [ts(x["time"]) for x in j["captures"]] == sorted(ts(x["time"]) for x in j["captures"])
assert j["reject_reasons"] == ["背景不合格", "戴有色眼镜", "头发遮挡眉毛/耳朵", "翻拍", "美颜/PS", "模糊"], j
assert all(x["id_masked"].startswith("*") and len(x["id_masked"].strip("*")) == 4 for x in j["captures"])
EOF
checks=$((checks + 1))
caps=($(python3 -c "import json; print(' '.join(x['capture'] for x in json.load(open('$T/out'))['captures']))"))
ca=${caps[0]} cb=${caps[1]} cc=${caps[2]} cs=${caps[3]}

# 47 h on: nothing overdue yet; 49 h on: the three online ones are
GRADCAP_NOW=$((t0 + 47 * H)) expect 0 "$G" review list --home c --json
json "j['overdue']==0 and not any(x['overdue'] for x in j['captures']) and all(x['age_hours'] in (46,47) for x in j['captures'])"
GRADCAP_NOW=$((t1 + 49 * H)) expect 0 "$G" review list --home c
has out "4 captures wait for review, 3 overdue (online: within 48 h"
has out "${ca:0:12}  $(name $ra)"
has out "$(sno $ra)"
[ "$(grep -c OVERDUE "$T/out")" = 3 ] || { cat "$T/out"; fail "not 3 OVERDUE marks"; }
grep "${cs:0:12}" "$T/out" | grep -q "central .* -" || { cat "$T/out"; fail "the station capture has a deadline"; }
for r in $ra $rb $rc $rs; do
	if grep -qF "$(idn $r)" "$T/out"; then fail "a full ID number in review list"; fi
done
has out "*$(idn $ra | tail -c 5)"
has out "  1 背景不合格"
has out "  6 模糊"
checks=$((checks + 3))
# the dashboard's counts
GRADCAP_NOW=$((t1 + 49 * H)) expect 0 "$G" status --home c --json
json "j['merge']['review']=={'waiting':4,'overdue':3,'review_hours':48,'retake_hours':48}"
GRADCAP_NOW=$((t1 + 49 * H)) expect 0 "$G" status --home c
has out "review      4 captures wait for review, 3 of them online past the 48 h deadline"

# --- reject with a preset; the refusals
expect 2 "$G" review --home c reject "$ca" --preset 7
has err "--preset 7: give a number from 1 to 6"
expect 2 "$G" review --home c reject "$ca" --preset x
has err "--preset x"
expect 2 "$G" review --home c approve "$ca" --preset 1
has err "preset reasons are for 'review reject'"
expect 2 "$G" void --home s "$ca" --preset 1
has err "only 'review reject' takes a preset"
expect 0 "$G" review --home c reject "${ca:0:8}" --preset 1
expect 0 "$G" review --home c reject "$cb" --preset 2 --reason "深色镜片"
expect 0 "$G" review --home c reject "$cs" --preset 6
expect 0 "$G" log --home c
has out "reject capture ${ca:0:12}: 背景不合格"
has out "reject capture ${cb:0:12}: 戴有色眼镜：深色镜片"
tr=$(date +%s)
expect 0 "$G" review list --home c --json
json "[x['capture'] for x in j['captures']]==['$cc']"

# --- the resubmission window: rb resubmits, ra does not
expect 0 "$G" sync --home s "$URL"
mkdir -p again
convert "$ok" -quality 70 "again/$(idn $rb).jpg"
expect 0 "$G" import-shoots --home s --kind online again
has out "1 stored"
expect 0 "$G" sync --home s "$URL"
expect 0 "$G" status --home c --json
digest=$(python3 -c "import json; print(json.load(open('$T/out'))['merge']['digest'])")
# within the window: NEEDS_RETAKE with the rejection's reason
GRADCAP_NOW=$((tr + 47 * H)) expect 0 "$G" missing --home c
has out "NEEDS_RETAKE: 背景不合格"
grep "$(sno $ra)" "$T/out" | grep -q "NEEDS_RETAKE: 背景不合格" || fail "ra not NEEDS_RETAKE at 47 h"
checks=$((checks + 1))
# past it: MISSING, 逾期未重新提交, the rejection's reason kept; the
# station rejection has no window; the resubmitted student is not listed
GRADCAP_NOW=$((tr + 49 * H)) expect 0 "$G" missing --home c
grep "$(sno $ra)" "$T/out" | grep -qF "MISSING: 逾期未重新提交（背景不合格）" ||
	{ cat "$T/out"; fail "ra is not MISSING 逾期未重新提交 at 49 h"; }
grep "$(sno $rs)" "$T/out" | grep -q "NEEDS_RETAKE: 模糊" ||
	{ cat "$T/out"; fail "the station rejection is not NEEDS_RETAKE"; }
if grep -q "$(sno $rb)" "$T/out"; then cat "$T/out"; fail "the resubmitted student is on the makeup list"; fi
checks=$((checks + 3))
GRADCAP_NOW=$((tr + 49 * H)) expect 0 "$G" missing --home c --csv
grep "$(sno $ra)" "$T/out" | grep -qF '"未拍摄","逾期未重新提交（背景不合格）"' ||
	{ cat "$T/out"; fail "the CSV does not say 逾期未重新提交"; }
checks=$((checks + 1))
# status counts it as MISSING; the digest is the same at any time
GRADCAP_NOW=$((tr + 49 * H)) expect 0 "$G" status --home c --json
json "j['merge']['counts']['MISSING']==3 and j['merge']['counts']['NEEDS_RETAKE']==1 and j['merge']['retake_overdue']==1"
json "j['merge']['digest']=='$digest'"
json "j['merge']['review']['waiting']==2"
GRADCAP_NOW=$((tr + 47 * H)) expect 0 "$G" status --home c --json
json "j['merge']['counts']['MISSING']==2 and j['merge']['counts']['NEEDS_RETAKE']==2 and j['merge']['retake_overdue']==0"
GRADCAP_NOW=$((tr + 49 * H)) expect 0 "$G" status --home c
has out "MISSING includes 1 rejected online student(s) past the 48 h resubmission window"
# the site, holding the same entries, shows the same
GRADCAP_NOW=$((tr + 49 * H)) expect 0 "$G" missing --home s
has out "MISSING: 逾期未重新提交（背景不合格）"
GRADCAP_NOW=$((tr + 49 * H)) expect 0 "$G" status --home s --json
json "j['merge']['digest']=='$digest' and j['merge']['retake_overdue']==1"

# --- the school's own settings, and bad ones named
printf '\n[online]\nreview_hours = 24\nretake_hours = 72\nreject_reasons = 背景不合格, 翻拍\n' >>c/gradcap.ini
GRADCAP_NOW=$((tr + 49 * H)) expect 0 "$G" missing --home c
grep "$(sno $ra)" "$T/out" | grep -q "NEEDS_RETAKE: 背景不合格" || { cat "$T/out"; fail "retake_hours = 72 not read"; }
checks=$((checks + 1))
expect 0 "$G" review list --home c --json
json "j['review_hours']==24 and j['reject_reasons']==['背景不合格','翻拍']"
python3 - "$T/out" <<'EOF' || fail "review_hours = 24 not read"
import json, sys
from datetime import datetime
j = json.load(open(sys.argv[1]))
p = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
assert all((p(x["deadline"]) - p(x["time"])).total_seconds() == 24 * 3600 for x in j["captures"]), j
EOF
checks=$((checks + 1))
expect 2 "$G" review --home c reject "$cc" --preset 3
has err "from 1 to 2"
printf 'review_hours = 0\n' >>c/gradcap.ini
expect 1 "$G" review list --home c
has err "gradcap.ini [online] review_hours = 0: give a whole number of hours from 1 to 720"
expect 1 "$G" status --home c
has err "[online] review_hours = 0"
expect 1 "$G" missing --home c
has err "[online] review_hours = 0"
sed -i '$d' c/gradcap.ini
printf 'reject_reasons = 翻拍,,模糊\n' >>c/gradcap.ini
expect 1 "$G" review list --home c
has err "[online] reject_reasons = 翻拍,,模糊: reason 2 is empty"
echo "review_queue: $checks checks passed"
