#!/usr/bin/env bash
# The portal's live camera guide in a real browser on a phone-sized screen
# (390 × 844) with a fake camera: a coordinator invites, an online node
# takes the invitations by sync over TLS and serves the portal on
# loopback; tests/ui/portal_camera.mjs makes the camera's .y4m videos from
# the synthetic portraits and drives Debian's chromium through
# playwright-core: a student too far away is told to come closer, a good
# picture is ready, shot, kept as a draft and confirmed; a refused camera
# falls back to the file picker. Screenshots go to $GC_UI_OUT/portal_camera.
# Skips (exit 0, with the reason) when chromium, node/npm, playwright-core
# or the test photos cannot be had.
. "$(dirname "$0")/../cli/lib.bash"
. "$(dirname "$0")/browser.bash"
browser_ready "ui portal camera"
OUT=${GC_UI_OUT:-${GC_TEST_TMP:-/tmp}/ui-e2e}/portal_camera
rm -rf "$OUT"
mkdir -p "$OUT"
cd "$T"
[ -s "${GC_TESTDATA_DIR:-/nonexistent}/grace_hopper.jpg" ] || { echo "ui portal camera: SKIP: no test photos"; exit 0; }
"$GC_SYNTH" --size 900x1200 --source grace_hopper "$GC_TESTDATA_DIR" big >/dev/null
school_and_site 4
online_node
PP=$(free_port)
printf '\n[online]\nportal_url = http://127.0.0.1:%s\n' "$PP" >>c/gradcap.ini
printf '\n[online]\nportal_url = http://127.0.0.1:%s\nnotice_file = notice.txt\n[school]\nname = 示例大学\n' "$PP" >>o/gradcap.ini
printf '毕业生请于 12 月 20 日前完成学历照片采集。\n\n拍照时请同学帮忙，站在浅色纯色墙前。\n' >o/notice.txt
"$G" online invite --home c --out inv.csv >/dev/null
serve_tls c
"$G" sync --home o "$URL" >/dev/null
"$G" serve --home o --no-ui --portal "http://127.0.0.1:$PP" 2>o.log &
ppid=$!
trap '{ kill $spid $ppid; wait $spid $ppid; } 2>/dev/null || true; cp o.log "$OUT/" 2>/dev/null; rm -rf "$T"' EXIT
wait_port "$PP"
export GC_BIN=$G T OUT PORTAL=http://127.0.0.1:$PP
node "$UI/portal_camera.mjs" || fail "the portal's camera test failed (screenshots and log in $OUT)"
echo "ui portal camera: screenshots in $OUT"
