#!/usr/bin/env bash
# bench/capture builds its 12 MP (3000 x 4000) and 1080p inputs from any
# portrait: one wider than the frame, such as a 4000 x 3000 photo, used
# to be drawn past the canvas's edges and crash it (free(): invalid
# size). One run per input; the figures are the bench's, not checked.
. "$(dirname "$0")/lib.bash"
cd "$T"
B=${GC_BENCH_DIR:?GC_BENCH_DIR must point at the benches}/capture
if [ ! -s "${GC_TESTDATA_DIR:-/nonexistent}/grace_hopper.jpg" ]; then
	echo "bench_capture: SKIP: no test photos (tests/data/fetch.sh)"
	exit 0
fi
for size in 4000x3000 1920x1080 3000x4000 512x512; do
	convert "$GC_TESTDATA_DIR/grace_hopper.jpg" -resize "$size!" in.jpg
	expect 0 "$B" in.jpg 1
	# "LABEL (FILE, N MB): verdict V", not "LABEL: cannot read FILE"
	has "$T/out" "12 MP 3000x4000 ("
	has "$T/out" "1080p 1920x1080 ("
done
echo "bench_capture: $checks passed, 0 failed"
