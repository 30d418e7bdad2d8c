#!/usr/bin/env bash
# Sync over a bad network: a coordinator and a site in two network
# namespaces joined by a veth pair with 20 % loss and 200 ms delay each way
# (tc netem). Skips (exit 77, with the reason) where namespaces or netem
# are not available.
. "$(dirname "$0")/../cli/lib.bash"
cd "$T"
skip() {
	echo "netem: SKIP: $*"
	exit 77
}
if [ ! -s "${GC_TESTDATA_DIR:-/nonexistent}/grace_hopper.jpg" ]; then
	skip "no test photos (tests/data/fetch.sh)"
fi
command -v ip >/dev/null || skip "no 'ip' (iproute2)"
command -v tc >/dev/null || skip "no 'tc' (iproute2)"
A=gcnetA$$
B=gcnetB$$
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		{ kill -9 "$p"; wait "$p"; } 2>/dev/null || true
	done
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
ip netns add "$A" 2>/dev/null || skip "cannot create network namespaces (needs root or CAP_SYS_ADMIN)"
ip netns add "$B" || skip "cannot create a second network namespace"
ip link add "v$A" type veth peer name "v$B" 2>/dev/null || skip "cannot create a veth pair"
ip link set "v$A" netns "$A"
ip link set "v$B" netns "$B"
ip -n "$A" addr add 10.77.0.1/24 dev "v$A"
ip -n "$B" addr add 10.77.0.2/24 dev "v$B"
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" link set "v$A" up
ip -n "$B" link set "v$B" up
ip netns exec "$A" tc qdisc add dev "v$A" root netem loss 20% delay 200ms 2>/dev/null ||
	skip "tc netem is not available in this kernel (sch_netem module missing)"
ip netns exec "$B" tc qdisc add dev "v$B" root netem loss 20% delay 200ms

"$GC_SYNTH" --size 1000x1336 --source grace_hopper "$GC_TESTDATA_DIR" synth >/dev/null
"$G" init --home c --role coordinator --school 10335 --name 教务处 >/dev/null
"$G" sample roster --count 10 --out r.csv
"$G" roster import --home c r.csv >/dev/null
"$G" init --home s --role site --school 10335 --name east >/dev/null
"$G" enroll request --home s --out s.req >/dev/null
"$G" enroll sign --home c s.req --out s.enr >/dev/null
"$G" enroll install --home s s.enr >/dev/null
"$G" session open --home s --kind central --location hall >/dev/null
for row in 2 3 4; do
	stu=$(sed -n ${row}p r.csv | cut -d, -f1)
	convert synth/grace_hopper-ok-blue.jpg -quality $((80 + row)) p$row.jpg
	expect 0 "$G" capture --home s --student "$stu" --file p$row.jpg
done

ip netns exec "$A" "$G" serve --home c --listen tls+tcp://10.77.0.1:7443 >>c.log 2>&1 &
pids+=($!)
sleep 1
# TCP retransmits through the loss; a sync that times out is run again,
# resuming where it stopped, as a site would
converged=0
for _ in 1 2 3 4 5; do
	if ip netns exec "$B" "$G" sync --home s --timeout 60 --json \
		tls+tcp://10.77.0.1:7443 >"$T/out" 2>"$T/err"; then
		converged=1
		break
	fi
done
[ $converged = 1 ] || { cat "$T/err"; fail "no convergence over a lossy link"; }
json "j['converged']"
a=$("$G" status --home c --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["replica"]["entries_digest"])')
b=$("$G" status --home s --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["replica"]["entries_digest"])')
[ "$a" = "$b" ] || fail "entries differ after sync over a lossy link"
echo "netem: $((checks + 1)) checks passed"
