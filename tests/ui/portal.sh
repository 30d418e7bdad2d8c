#!/usr/bin/env bash
# The student portal in a real browser on a phone-sized screen (390 × 844):
# a coordinator invites, an online node takes the invitations by sync over
# TLS and serves the portal on loopback; tests/ui/portal.mjs drives Debian's
# chromium through playwright-core: the invitation link signs the student
# in, a blurred photo shows what to fix, a good one is submitted, the
# coordinator rejects it, the page shows why and by when, a studio file is
# sent again; once approved, the finished photo is downloaded and the
# data confirmed (信息无误) with a mailing address. Screenshots go to $GC_UI_OUT/portal.
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
online_node
PP=$(free_port)
printf '\n[online]\nportal_url = http://127.0.0.1:%s\n' "$PP" >>c/gradcap.ini
printf '\n[online]\nportal_url = http://127.0.0.1:%s\nask_address = yes\n[school]\nname = 示例大学\n' "$PP" >>o/gradcap.ini
"$G" online invite --home c --out inv.csv >/dev/null
serve_tls c
"$G" sync --home o "$URL" >/dev/null
"$G" serve --home o --no-ui --portal "http://127.0.0.1:$PP" --peer "$URL" --interval 2 2>o.log &
ppid=$!
trap '{ kill $spid $ppid; wait $spid $ppid; } 2>/dev/null || true; cp o.log "$OUT/" 2>/dev/null; rm -rf "$T"' EXIT
wait_port "$PP"
export GC_BIN=$G T OUT PORTAL=http://127.0.0.1:$PP
node "$UI/portal.mjs" || fail "the portal's browser test failed (screenshots and log in $OUT)"
echo "ui portal: screenshots in $OUT"
