#!/bin/sh
# liu-stream alpaca, live: its own CPU (user + sys of liu-stream alone) per
# event, reading pre-built batched frames over TLS from the loopback fake
# (t/fake-stream.py, which writes them as fast as the client reads).
# Target (issue 12): at most 1 us per event.  Same-run baseline: the CPU
# per event of `liu-stream replay --max --validate` on the same events
# (reading, parsing and writing them again, no network).
#
# Both write to /dev/null, so that neither is charged for a file system
# or a reader downstream.  A first, untimed run writes the events to a
# file, checks their number and gives the baseline its input; then the
# live run and the baseline take turns, RUNS times each (LIU_BENCH_RUNS,
# 3), and the best of each is compared, as bench_time() does: on a shared
# machine a run can be half again as slow as the next, all of it spent by
# something else (the median is printed too).  The live runs check their
# own count, from liu-stream's closing summary (-v).
. bench/lib.sh
N=1000000		# events: 100 a frame, the fixture's default set
RUNS=${LIU_BENCH_RUNS:-3}
D=bench/out/live
bench_fake_setup b1100 $D
# one connection sends the frames then closes; the next is refused (401),
# which ends liu-stream with status 1
$PY -c 'import json, sys
print(json.dumps({"connections": [{"steps": [{"send": ["default"] * 20,
    "batch": 100, "repeat": int(sys.argv[1]) // 100},
    {"close": 1000}]}, {"http": 401}]}))' $N >$D/scenario.json
tck=$(getconf CLK_TCK)

# live OUT: one run against a fresh fake, its events into OUT; appends
# "user sys wall fake-cpu" to $D/live.times
live () {
	rm -f $D/port
	$PY t/fake-stream.py --provider alpaca --cert $D/tls/server.crt \
		--key $D/tls/server.key --port-file $D/port \
		--script $D/scenario.json 2>$D/fake.err &
	fake=$!
	i=0
	while ! [ -s $D/port ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || { echo "b1100: no fake"; exit 3; }
		sleep 0.1
	done
	f0=$(awk '{ print $14 + $15 }' /proc/$fake/stat)
	/usr/bin/time -f "%U %S %e" -o $D/time liu-stream alpaca -v \
		--cacert $CA --reconnect-min 10ms \
		--url "wss://127.0.0.1:$(cat $D/port)/v2/iex" AAPL \
		</dev/null >"$1" 2>$D/err
	f1=$(awk '{ print $14 + $15 }' /proc/$fake/stat)
	kill $fake 2>/dev/null
	wait $fake 2>/dev/null
	n=$(sed -n 's/^liu-stream: alpaca: \([0-9]*\) events,.*/\1/p' $D/err)
	[ "$n" = $N ] || { echo "b1100: $n events of $N"; cat $D/err; exit 3; }
	echo "$(tail -n1 $D/time) $(( f1 - f0 ))" >>$D/live.times
}

live $D/out.ndjson
n=$(wc -l <$D/out.ndjson)
[ "$n" -eq $N ] || { echo "b1100: $n lines of $N"; exit 3; }
: >$D/live.times
: >$D/base.times
for r in $(seq $RUNS); do
	live /dev/null
	/usr/bin/time -f "%U %S" -o $D/btime liu-stream replay --max \
		--validate $D/out.ndjson >/dev/null
	tail -n1 $D/btime >>$D/base.times
done
awk -v n=$N -v tck=$tck -v runs=$RUNS '
function sort(a, k,    i, j, t) {
	for (i = 2; i <= k; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
}
function median(a, k) {
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
FILENAME ~ /live\.times$/ {
	l++; lc[l] = ($1 + $2) / n * 1e6; ls[l] = lc[l]
	wall[l] = $3; fake[l] = $4 / tck
}
FILENAME ~ /base\.times$/ { b++; bc[b] = ($1 + $2) / n * 1e6 }
END {
	sort(lc, l); sort(bc, b)
	for (i = 1; i <= l; i++)
		if (ls[i] == lc[1]) { w = wall[i]; f = fake[i] }
	printf "baseline: replay --max --validate: %.2f us CPU/event " \
	    "(best of %d; median %.2f)\n", bc[1], runs, median(bc, b)
	printf "live alpaca over TLS: %.2f us CPU/event (best of %d; " \
	    "median %.2f; runs:", lc[1], runs, median(lc, l)
	for (i = 1; i <= l; i++)
		printf " %.2f", ls[i]
	printf "), %.2fx of baseline", lc[1] / bc[1]
	printf "; that run: %.2fM ev/s, the fake used %.2f s CPU " \
	    "(%.0f%% of its wall time)\n", n / w / 1e6, f, f / w * 100
	ok = lc[1] <= 1.0 ? "ok" : "MISSED"
	printf "live CPU per event: target <= 1.00 us %s\n", ok
	exit ok == "ok" ? 0 : 1
}' $D/live.times $D/base.times
