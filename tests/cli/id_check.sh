#!/usr/bin/env bash
# gradcap id check: exit codes 0/3/2, the human lines, and the --json
# fields. Env: GC_BIN (the gradcap binary), GC_TEST_TMP (scratch dir).
set -euo pipefail

: "${GC_BIN:?GC_BIN must point at the gradcap binary}"
tmp="${GC_TEST_TMP:-/tmp}/id_check.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL id_check: $*" >&2
	exit 1
}

# run EXPECTED_EXIT ARGS...: runs gradcap, stdout to $tmp/out, stderr to
# $tmp/err, and checks the exit status.
run() {
	local want=$1 rc=0
	shift
	"$GC_BIN" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "--- stdout" >&2
		cat "$tmp/out" >&2
		echo "--- stderr" >&2
		cat "$tmp/err" >&2
		fail "gradcap $* exited $rc, expected $want"
	fi
}

# expect_out PATTERN: a fixed string that must appear in $tmp/out.
expect_out() {
	grep -qF -- "$1" "$tmp/out" || {
		cat "$tmp/out" >&2
		fail "output lacks '$1'"
	}
}

# ---- exit codes and human output
run 0 id check 11010519491231002X 440524188001010014 360426199101010071 \
	34052419800101001X
expect_out "VALID  11010519491231002X  resident  1949-12-31 F"
expect_out "VALID  440524188001010014  resident  1880-01-01 M"
[ "$(wc -l <"$tmp/out")" -eq 4 ] || fail "expected 4 lines of output"

run 0 id check 11010519491231002x
expect_out "VALID  11010519491231002X  resident"

run 0 id check 340524800101001
expect_out "needs 升位: candidate 34052419800101001X"

run 3 id check 11010519491231002X 110105194912310021
expect_out "VALID  11010519491231002X"
expect_out "INVALID  110105194912310021  check digit is 1, expected X"

run 3 id check 11010519491231002
expect_out "length 17, expected 18 characters"

run 3 id check --type 8 11010519491231002X
expect_out "证件类型 is 8 (Taiwan permit) but"

run 0 id check --type 台胞证 12345678
run 0 id check --type A E12345678
run 0 id check H12345678 M1234567801 12345678

# ---- military documents (证件类型 2-5), 户口簿 (B) and 其他 (Z)
run 0 id check --type 军官证 南字第0123456号
expect_out "VALID  南字第0123456号  military"
run 0 id check --type 02 "南字第０１２３４５６号" 士字第1234567号 武字第654321号
expect_out "VALID  南字第0123456号  military"
expect_out "VALID  士字第1234567号  military"
[ "$(wc -l <"$tmp/out")" -eq 3 ] || fail "expected 3 lines of output"
run 0 id check --type 士兵证 士字第1234567号
run 0 id check --type 文职干部证 j-20150123
expect_out "VALID  J-20150123  military"
run 0 id check --type 部队离退休证 退字第000123号
run 3 id check --type 军官证 "南字第0123/456号"
expect_out "INVALID  南字第0123/456号  character '/' at position 8 is not a letter, digit, '-' or Chinese character"
run 3 id check --type 2 "南字第0123456号😀"
expect_out "character '😀' (U+1F600) at position 12"
run 3 id check --type 2 南字第号
expect_out "has no digit"
run 3 id check --type 2 南字第123456789012345678
expect_out "length 21, expected at most 20 characters"
run 3 id check 南字第0123456号
expect_out "Chinese characters are only allowed with a 证件类型"
run 0 id check --type 户口簿 11010519491231002X
expect_out "VALID  11010519491231002X  resident  1949-12-31 F"
run 3 id check --type B 南字第0123456号
run 0 id check --type 其他 临时证NO.12
expect_out "VALID  临时证NO.12  other"
run 0 id check --json --type 3 士字第１２３４５６７号
python3 -c '
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(doc) == 1 and doc[0]["valid"] is True, doc
assert doc[0]["normalized"] == "士字第1234567号", doc
assert doc[0]["type"] == "military" and doc[0]["type_code"] == "3", doc
assert doc[0]["birth"] is None and doc[0]["sex"] is None, doc
' "$tmp/out" || fail "military --json"

# usage errors
run 2 id check
run 2 id check --bogus 11010519491231002X
run 2 id check --type 驾驶证 11010519491231002X
run 2 id check --type
run 2 id
run 2 id verify 11010519491231002X
run 0 id --help
expect_out "usage: gradcap id check"
run 0 id check --help
expect_out "usage: gradcap id check"

# ---- JSON
run 3 id check --json 11010519491231002X 110105194912310021 \
	340524800101001 M1234567801 " 1101051949123100２x　" "" $'\xff\xfe'
python3 - "$tmp/out" <<'EOF' || fail "--json output did not validate"
import json, sys

with open(sys.argv[1], encoding="utf-8") as f:
    doc = json.load(f)

def check(cond, msg):
    if not cond:
        print("id_check.sh json: " + msg, file=sys.stderr)
        print(json.dumps(doc, ensure_ascii=False, indent=1), file=sys.stderr)
        sys.exit(1)

keys = {"input", "valid", "normalized", "type", "type_code", "reason",
        "birth", "sex", "needs_upgrade", "upgraded"}
check(isinstance(doc, list) and len(doc) == 7, "expected an array of 7")
for o in doc:
    check(set(o) == keys, "keys %r" % sorted(o))
    check(isinstance(o["valid"], bool), "valid is not a bool")
    check(isinstance(o["needs_upgrade"], bool), "needs_upgrade not bool")
    check((o["reason"] is None) == o["valid"], "reason iff invalid")

a, b, c, d, e, f, g = doc
check(a["input"] == "11010519491231002X", "input echoed")
check(a["valid"] is True and a["type"] == "resident", "a valid resident")
check(a["type_code"] == "1", "a type_code")
check(a["birth"] == "1949-12-31" and a["sex"] == "F", "a birth/sex")
check(a["needs_upgrade"] is False and a["upgraded"] is None, "a upgrade")

check(b["valid"] is False, "b invalid")
check(b["reason"] == "check digit is 1, expected X", "b reason %r" % b["reason"])
check(b["birth"] is None and b["sex"] is None, "b birth/sex null")

check(c["valid"] is True and c["type"] == "resident15", "c resident15")
check(c["needs_upgrade"] is True, "c needs_upgrade")
check(c["upgraded"] == "34052419800101001X", "c upgraded")
check(c["birth"] == "1980-01-01" and c["sex"] == "M", "c birth/sex")

check(d["valid"] is True and d["type"] == "hkmo_permit", "d permit")
check(d["normalized"] == "M12345678", "d normalized")
check(d["birth"] is None and d["sex"] is None, "d has no birth/sex")

check(e["valid"] is True and e["normalized"] == "11010519491231002X",
      "e full-width/ideographic space normalised: %r" % e["normalized"])

check(f["valid"] is False and f["reason"] == "empty", "f empty")
check(g["valid"] is False and "invalid UTF-8 byte 0xFF" in g["reason"],
      "g invalid UTF-8: %r" % g["reason"])
check(g["input"] == "\ufffd\ufffd", "g input escaped as U+FFFD")
EOF

run 0 id check --json 11010519491231002X
python3 -c '
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(doc) == 1 and doc[0]["valid"] is True, doc
assert doc[0]["type"] == "resident" and doc[0]["sex"] == "F", doc
assert doc[0]["birth"] == "1949-12-31" and doc[0]["reason"] is None, doc
' "$tmp/out" || fail "single-number --json"

echo "id_check: ok"
