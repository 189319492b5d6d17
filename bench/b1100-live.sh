#!/bin/sh
# liu-stream alpaca, live: its own CPU (user + sys of liu-stream alone) per
# event, reading pre-built batched frames over TLS from the loopback fake
# (t/fake-stream.py, which writes them as fast as the client reads).
# Target (issue 12): at most 1 us per event.  Same-run baseline: the CPU
# per event of `liu-stream replay --max --validate` on the same events
# (reading, parsing and writing them again, no network).
. bench/lib.sh
N=1000000		# events: 100 a frame, the fixture's default set
D=bench/out/live
PY=${LIU_TEST_PYTHON:-/usr/bin/python3}
$PY -c 'import websockets.legacy.server' 2>/dev/null || {
	echo "b1100: skipped: $PY has no websockets module"; exit 0; }
rm -rf $D && mkdir -p $D || exit 3
TRASH_DIRECTORY=$PWD/$D
. t/lib-tls.sh
( cd $D && tls_setup ) >/dev/null || exit 3
CA=$D/tls/ca.crt
APCA_API_KEY_ID=PKBENCH$$ APCA_API_SECRET_KEY=bench-$$
export APCA_API_KEY_ID APCA_API_SECRET_KEY
# one connection sends the frames then closes; the next is refused (401),
# which ends liu-stream with status 1
$PY -c 'import json, sys
print(json.dumps({"connections": [{"steps": [{"send": ["default"] * 20,
    "batch": 100, "repeat": int(sys.argv[1]) // 100},
    {"close": 1000}]}, {"http": 401}]}))' $N >$D/scenario.json
$PY t/fake-stream.py --provider alpaca --cert $D/tls/server.crt \
	--key $D/tls/server.key --port-file $D/port --script $D/scenario.json \
	2>$D/fake.err &
fake=$!
i=0
while ! [ -s $D/port ]; do
	i=$((i + 1)); [ $i -lt 300 ] || { echo "b1100: no fake"; exit 3; }
	sleep 0.1
done
tck=$(getconf CLK_TCK)
f0=$(awk '{ print $14 + $15 }' /proc/$fake/stat)
/usr/bin/time -f "%U %S %e" -o $D/time liu-stream alpaca --cacert $CA \
	--reconnect-min 10ms --url "wss://127.0.0.1:$(cat $D/port)/v2/iex" \
	AAPL </dev/null >$D/out.ndjson 2>$D/err
f1=$(awk '{ print $14 + $15 }' /proc/$fake/stat)
kill $fake 2>/dev/null
n=$(wc -l <$D/out.ndjson)
[ "$n" -eq $N ] || { echo "b1100: $n events of $N"; cat $D/err; exit 3; }
set -- $(tail -n1 $D/time)
base=$(bench_time "liu-stream replay --max --validate $D/out.ndjson >/dev/null")
/usr/bin/time -f "%U %S" -o $D/btime liu-stream replay --max --validate \
	$D/out.ndjson >/dev/null
awk -v n=$N -v u=$1 -v s=$2 -v e=$3 -v f=$((f1 - f0)) -v tck=$tck \
    -v b="$(tail -n1 $D/btime)" 'BEGIN {
	split(b, bb, " ")
	cpu = (u + s) / n * 1e6; bcpu = (bb[1] + bb[2]) / n * 1e6
	printf "baseline: replay --max --validate: %.2f us CPU/event\n", bcpu
	printf "live alpaca over TLS: %.2fM ev/s, %.2f us CPU/event " \
	    "(user %.2f s, sys %.2f s), %.2fx of baseline; the fake used " \
	    "%.2f s CPU (%.0f%% of the wall time)\n", n / e / 1e6, cpu, u, s,
	    cpu / bcpu, f / tck, f / tck / e * 100
	ok = cpu <= 1.0 ? "ok" : "MISSED"
	printf "live CPU per event: target <= 1.00 us %s\n", ok
	exit ok == "ok" ? 0 : 1 }'
