#!/usr/bin/env bash
# The portal's live camera guide and its methods, through real processes
# (as tests/cli/portal.sh): [online] methods read with clear errors; the
# page told which methods are on, with the school's notice and the photo
# rules; a photo of a disabled method refused; POST /api/guide on small
# frames made from the synthetic portraits: a far-away face is told to
# come closer (the station's words), a dark one to find the light, a good
# one is ready; malformed frames refused plainly; a few frames a second
# per student; a camera shot submitted as camera portal:camera.
. "$(dirname "$0")/lib.bash"
cd "$T"
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"
synth_photos portal_guide
"$GC_SYNTH" --size 900x1200 --source grace_hopper "$GC_TESTDATA_DIR" big >/dev/null
online_school 6

# the guide's frames: the camera's 900 × 1200 pictures scaled to 480 × 640
for v in too-far ok-blue dark no-face; do
	convert "big/grace_hopper-$v.jpg" -resize 480x640 -quality 80 "frame-$v.jpg"
done
convert big/grace_hopper-ok-blue.jpg -resize 1200x1600 -quality 80 frame-huge.jpg
convert frame-ok-blue.jpg -resize 240x320 frame.png
head -c 3000 frame-ok-blue.jpg >frame-cut.jpg
cp big/grace_hopper-ok-blue.jpg shot.jpg

PP=$(free_port)
cp o/gradcap.ini o/gradcap.ini.base
conf() { # conf LINES...: o's gradcap.ini with these [online] lines
	cp o/gradcap.ini.base o/gradcap.ini
	printf '\n[school]\nname = 示例大学\n[online]\n' >>o/gradcap.ini
	printf '%s\n' "$@" >>o/gradcap.ini
}

# --- [online] methods: bad values stop the portal, naming them
conf "methods = camera, scanner"
expect 1 "$G" serve --home o --no-ui --portal "http://127.0.0.1:$PP"
has err 'gradcap.ini [online] methods = camera, scanner: "scanner" is not a method (give camera, upload or both, separated by commas)'
conf "methods ="
expect 1 "$G" serve --home o --no-ui --portal "http://127.0.0.1:$PP"
has err "[online] methods is empty"
conf "notice = 请于 12 月 20 日前提交" "notice_file = notice.txt"
expect 1 "$G" serve --home o --no-ui --portal "http://127.0.0.1:$PP"
has err "give notice or notice_file, not both"
conf "notice_file = missing.txt"
expect 1 "$G" serve --home o --no-ui --portal "http://127.0.0.1:$PP"
has err "[online] notice_file = missing.txt"
printf '\xff\xfe 通知\n' >o/latin.txt
conf "notice_file = latin.txt"
expect 1 "$G" serve --home o --no-ui --portal "http://127.0.0.1:$PP"
has err "[online] notice_file: the notice is not UTF-8 text (save it as UTF-8)"


# --- upload only: the page is told, the camera and its guide refused
printf '毕业生请在 12 月 20 日前完成照片采集。\n\n如有疑问请联系教务处。\n' >o/notice.txt
conf "methods = upload" "notice_file = notice.txt"
portal_start "$PP"
python3 - "http://127.0.0.1:$PP" <<'EOF' || { cat o.log >&2; fail "upload only"; }
import csv, json, sys
import portal_client as pc
from portal_client import ok
base = sys.argv[1]
rows = list(csv.DictReader(open("inv.csv", encoding="utf-8-sig", newline="")))
st, cookie, j = pc.signin(base, {"code": rows[0]["邀请码"]}, "198.51.100.1")
csrf = j["csrf"]
me = json.loads(pc.req(base, "GET", "/api/me", cookie=cookie)[2])
ok(me["methods"] == ["upload"], "the page is told: upload only", me)
ok(me["notice"].startswith("毕业生请在 12 月 20 日前") and "教务处" in me["notice"], "the school's notice", me)
ru = me["rules"]
ok(ru["width"] == 480 and ru["height"] == 640 and ru["backgrounds"] == ["#64C5FF", "#FFFFFF", "#F0F0F0"] and ru["glasses_allowed"] is True and ru["clothing_banned"] == [] and ru["file_max"] == 16 << 20, "the photo rules from the profile", ru)
frame = open("frame-ok-blue.jpg", "rb").read()
st, hd, b = pc.req(base, "POST", "/api/guide?w=900&h=1200", frame, cookie=cookie, csrf=csrf, ctype="image/jpeg")
e = json.loads(b)["error"]
ok(st == 403 and e["code"] == "method_off" and "本校不接受在线拍照" in e["message_zh"], "no guide without the camera", (st, b))
shot = open("shot.jpg", "rb").read()
st, hd, b = pc.req(base, "POST", "/api/photo?method=camera", shot, cookie=cookie, csrf=csrf, ctype="image/jpeg")
e = json.loads(b)["error"]
ok(st == 403 and e["code"] == "method_off" and e["message"] and "请上传照相馆拍摄的照片" in e["message_zh"], "a camera shot refused", (st, b))
st, hd, b = pc.req(base, "POST", "/api/photo?method=scanner", shot, cookie=cookie, csrf=csrf, ctype="image/jpeg")
ok(st == 400, "an unknown method", (st, b))
st, hd, b = pc.req(base, "POST", "/api/photo?method=upload", shot, cookie=cookie, csrf=csrf, ctype="image/jpeg")
ok(st == 200 and json.loads(b)["drafts"][0]["method"] == "upload", "an upload taken", (st, b))
st, hd, b = pc.req(base, "POST", "/api/photo", shot, cookie=cookie, csrf=csrf, ctype="image/jpeg")
ok(st == 200, "no method: an upload (older pages)", (st, b))
open("checks.txt", "w").write(str(pc.checks))
EOF
checks=$((checks + $(cat checks.txt)))

# --- camera only: uploads refused; the live guide
conf "methods = camera" "notice = 请使用手机现场拍摄。"
portal_start "$PP"
python3 - "http://127.0.0.1:$PP" <<'EOF' || { cat o.log >&2; fail "the live guide"; }
import csv, json, sys, time
import portal_client as pc
from portal_client import ok
base = sys.argv[1]
rows = list(csv.DictReader(open("inv.csv", encoding="utf-8-sig", newline="")))
st, cookie, j = pc.signin(base, {"code": rows[1]["邀请码"]}, "198.51.100.2")
csrf = j["csrf"]
me = json.loads(pc.req(base, "GET", "/api/me", cookie=cookie)[2])
ok(me["methods"] == ["camera"] and me["notice"] == "请使用手机现场拍摄。", "camera only, and a one-line notice", me)
shot = open("shot.jpg", "rb").read()
st, hd, b = pc.req(base, "POST", "/api/photo?method=upload", shot, cookie=cookie, csrf=csrf, ctype="image/jpeg")
e = json.loads(b)["error"]
ok(st == 403 and e["code"] == "method_off" and "本校不接受上传照片文件" in e["message_zh"], "an upload refused", (st, b))
ok(pc.req(base, "POST", "/api/photo", shot, cookie=cookie, csrf=csrf, ctype="image/jpeg")[0] == 403, "no method is an upload: refused")

def guide(name, q="?w=900&h=1200", body=None, who=(cookie, csrf)):
    time.sleep(0.4)  # the guide takes a few frames a second
    data = body if body is not None else open(name, "rb").read()
    st, hd, b = pc.req(base, "POST", "/api/guide" + q, data, cookie=who[0], csrf=who[1], ctype="image/jpeg")
    return st, json.loads(b)

ok(pc.req(base, "POST", "/api/guide?w=900&h=1200", open("frame-ok-blue.jpg", "rb").read(), cookie=cookie, ctype="image/jpeg")[0] == 403, "the guide needs the CSRF token")
st, g = guide("frame-too-far.jpg")
ok(st == 200 and g["ready"] is False and g["face"] and g["target"] is None and "靠近" in g["instruction"] and g["instruction"].startswith("人脸太小") and g["frame_w"] == 900 and g["frame_h"] == 1200, "a far-away face: come closer, in the station's words", g)
st, g = guide("frame-ok-blue.jpg")
ok(st == 200 and g["ready"] is True and g["instruction"] is None and g["check"] is None and g["failed"] == [], "a good frame: ready", g)
f, t = g["face"], g["target"]
ok(t and abs(t["w"] * 4 - t["h"] * 3) < 8 and t["x"] <= f["x"] and f["x"] + f["w"] <= t["x"] + t["w"] and t["w"] <= 900 and t["h"] <= 1200, "the face box inside the target frame, in the camera's pixels", g)
st, g = guide("frame-dark.jpg")
ok(st == 200 and g["ready"] is False and "exposure.face" in g["failed"] and g["check"] == g["failed"][0] and g["instruction"], "a dark face: the light among what fails, the first of them said", g)
st, g = guide("frame-no-face.jpg")
ok(st == 200 and g["face"] is None and g["instruction"].startswith("没有找到人脸"), "no face", g)
# the same frame as the camera's own size: the face is too small to frame
st, g = guide("frame-ok-blue.jpg", "")
ok(st == 200 and g["frame_w"] == 480 and "靠近" in g["instruction"], "the camera's size decides the framing", g)
# malformed frames: one clear answer each
for name, q, body, why in (
        ("frame.png", "?w=900&h=1200", None, "a PNG"),
        ("frame-cut.jpg", "?w=900&h=1200", None, "a truncated JPEG"),
        ("", "?w=900&h=1200", b"", "no frame"),
        ("frame-huge.jpg", "?w=1200&h=1600", None, "a frame over 640 px"),
        ("frame-ok-blue.jpg", "?w=900&h=900", None, "w and h of another shape"),
        ("frame-ok-blue.jpg", "?w=300&h=400", None, "a camera smaller than the frame"),
        ("frame-ok-blue.jpg", "?w=9x&h=1200", None, "w not a number")):
    st, g = guide(name, q, body)
    ok(st == 400 and g["error"]["code"] == "bad_frame" and g["error"]["message_zh"] and g["error"]["message"], why, (st, g))
time.sleep(0.4)
st, hd, b = pc.req(base, "POST", "/api/guide?w=900&h=1200", b"\xff\xd8" + bytes(600 << 10), cookie=cookie, csrf=csrf, ctype="image/jpeg")
ok(st == 413 and json.loads(b)["error"]["message_zh"], "a frame over 512 KB", (st, b))
time.sleep(0.4)
# a few frames a second per student; another student is not held back
answers = [pc.req(base, "POST", "/api/guide?w=900&h=1200", b"x", cookie=cookie, csrf=csrf, ctype="image/jpeg")[0] for _ in range(10)]
ok(429 in answers and answers.count(429) >= 5, "at most 3 frames a second", answers)
st2, c2, j2 = pc.signin(base, {"code": rows[2]["邀请码"]}, "198.51.100.3")
st, g = guide("frame-ok-blue.jpg", who=(c2, j2["csrf"]))
ok(st == 200 and g["ready"] is True, "another student's frame", (st, g))
time.sleep(1.1)
st, g = guide("frame-too-far.jpg")
ok(st == 200, "a second later the guide answers again", (st, g))
# a frame never waits for the pipeline: while a photo is checked it is
# answered at once (busy), or after it
import threading
box = {}
th = threading.Thread(target=lambda: box.update(photo=pc.req(base, "POST", "/api/photo?method=camera", shot, cookie=c2, csrf=j2["csrf"], ctype="image/jpeg")[0]))
th.start()
time.sleep(0.15)
st, g = guide("frame-ok-blue.jpg")
th.join()
ok(box["photo"] == 200 and (st == 200 or (st == 503 and g["error"]["code"] == "busy" and g["error"]["message_zh"])), "a frame while a photo is checked", (st, g, box))
# the shot: a camera draft, submitted
st, hd, b = pc.req(base, "POST", "/api/photo?method=camera", shot, cookie=cookie, csrf=csrf, ctype="image/jpeg")
d = json.loads(b)
ok(st == 200 and d["drafts"][0]["method"] == "camera" and d["drafts"][0]["verdict"] != "fail", "a camera shot: a draft", (st, b))
st, hd, b = pc.req(base, "POST", "/api/confirm", {"draft": d["draft"]}, cookie=cookie, csrf=csrf)
ok(st == 200, "submitted", (st, b))
open("checks.txt", "w").write(str(pc.checks))
EOF
checks=$((checks + $(cat checks.txt)))
expect 0 "$G" log --home o --json
json "[e['body']['camera'] for e in j if e['kind']=='CAPTURE']==['portal:camera']"
grep -q "$(sed -n 3p inv.csv | cut -d, -f6 | tr -d '"')" o.log && fail "a code in the portal's log"
checks=$((checks + 1))
echo "portal_guide: $checks checks passed"
