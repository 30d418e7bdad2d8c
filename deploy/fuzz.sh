#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# SECONDS (default 60) from its corpus folder under fuzz-corpus/.
# Usage: deploy/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
secs=${1:-60}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DGC_FUZZ=ON -DGC_SANITIZE=ON \
	-DGC_TESTS=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_entry fuzz_roster fuzz_idnum fuzz_jpeg fuzz_check fuzz_sync fuzz_json fuzz_invite fuzz_portal fuzz_student_check
for f in fuzz_entry fuzz_roster fuzz_idnum fuzz_jpeg fuzz_check fuzz_sync fuzz_json fuzz_invite fuzz_portal fuzz_student_check; do
	mkdir -p "fuzz-corpus/$f"
	echo "== $f for ${secs}s"
	seeds=()
	if [ -d "tests/fuzz/seeds/$f" ]; then
		seeds=("tests/fuzz/seeds/$f") # valid messages to start from
	fi
	rc=0
	"build-fuzz/tests/fuzz/$f" -max_total_time="$secs" -max_len=65536 \
		-print_final_stats=1 "fuzz-corpus/$f" "${seeds[@]}" >"fuzz-corpus/$f.log" 2>&1 || rc=$?
	grep -E "stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY" "fuzz-corpus/$f.log" || true
	if [ "$rc" != 0 ]; then
		echo "$f: crashed (exit $rc): fuzz-corpus/$f.log and the crash-* file" >&2
		failed=1
	fi
done
exit "${failed:-0}"
