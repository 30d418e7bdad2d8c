#!/usr/bin/env bash
# gradcap check --replace-background: a failing background is replaced
# (the line, the background.replaced row, the after and before files, the
# JSON), a passing one is left alone, a head the cut cannot trust is
# refused with its reason. Env: GC_BIN, GC_SYNTH, GC_TESTDATA_DIR.
. "$(dirname "$0")/lib.bash"
cd "$T"
if [ ! -s "${GC_TESTDATA_DIR:-/nonexistent}/grace_hopper.jpg" ]; then
	echo "check_background: SKIP: no test photos (tests/data/fetch.sh)"
	exit 0
fi
"$GC_SYNTH" --size 1200x1600 --source grace_hopper --hair \
	"$GC_TESTDATA_DIR" hair >/dev/null
"$GC_SYNTH" --size 1200x1600 --source grace_hopper "$GC_TESTDATA_DIR" \
	flat >/dev/null

# without the option: the gradient fails on its background, as always
expect 3 "$G" check --normalize --out plain hair/grace_hopper-gradient.jpg
has "$T/out" "FAIL background.uniformity"
[ ! -e plain/grace_hopper-gradient.before.jpg ] || fail "a before file without the option"

# with it: replaced; the row, the after and before files (hair top may
# still fail: the framing was planned on the old background, so 0 or 3)
rc=0
"$G" check --replace-background --out after hair/grace_hopper-gradient.jpg \
	hair/grace_hopper-ok-blue.jpg >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 3 ] || { cat "$T/err"; fail "exit $rc"; }
has "$T/out" "background: replaced; confidence"
has "$T/out" "before -> after/grace_hopper-gradient.before.jpg"
has "$T/out" "background.replaced"
has "$T/out" "#64C5FF"
has "$T/out" "background: not replaced (its checks pass)"
grep -q "FAIL background\." "$T/out" && fail "a background check still fails"
[ -s after/grace_hopper-gradient.jpg ] || fail "no output"
[ -s after/grace_hopper-gradient.before.jpg ] || fail "no before"
[ ! -e after/grace_hopper-ok-blue.before.jpg ] || fail "a before for a passing background"
# the output is a spec photo: 480 x 640 at 300 dpi, its background plain
rc=0
"$G" check --json after/grace_hopper-gradient.jpg >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 3 ] || { cat "$T/err"; fail "exit $rc"; }
json 'any(c["id"] == "file.dimensions" and c["verdict"] == "pass" for c in j[0]["checks"])'
json 'any(c["id"] == "background.uniformity" and c["verdict"] == "pass" for c in j[0]["checks"])'

# JSON: the background object
rc=0
"$G" check --replace-background --json hair/grace_hopper-shadow.jpg \
	>"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 3 ] || { cat "$T/err"; fail "exit $rc"; }
json 'j[0]["background"]["tried"] and j[0]["background"]["replaced"]'
json 'j[0]["background"]["confidence"] >= 0.55 and j[0]["background"]["why"] is None'
json 'j[0]["background"]["before"] is None'  # no --out, no file
json 'any(c["id"] == "background.replaced" for c in j[0]["checks"])'
json 'j[0]["ms"]["background"] > 0'

# a head cut flat above the brows (tests/synth without hair): refused
rc=0
"$G" check --replace-background flat/grace_hopper-gradient.jpg \
	>"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 3 ] || { cat "$T/out" "$T/err"; fail "exit $rc, expected 3"; }
has "$T/out" "background: not replaced: the top of the head is lost"
has "$T/out" "FAIL background.uniformity"

# --out still needs --normalize or --replace-background
expect 2 "$G" check --out x hair/grace_hopper-gradient.jpg
echo "check_background: $checks checks passed"
