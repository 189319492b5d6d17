#!/bin/bash
# liu-route: throughput of `liu-route -n 4 cat` on 2M synthetic trades
# against `cat FILE | cat` and against the Python baseline of the seed
# design (bench/route_baseline.py), latency at 20k events/s through
# line-buffered children (bench/route_latency.c), and peak RSS over 10x
# the input.  Every ratio is measured in this run.
. bench/lib.sh
N=2000000
F=bench/out/trades-2m.ndjson
bench_synth $F $N trade || exit 3
fail=0

# throughput
base=$(bench_time "cat $F | cat >/dev/null")
echo "baseline: cat FILE | cat: $(awk -v n=$N -v t=$base 'BEGIN{printf "%.2fM ev/s", n/t/1e6}')"
t=$(bench_time "liu-route -n 4 cat <$F >/dev/null")
bench_report "route: liu-route -n 4 cat vs cat|cat" $N $t $base 0.25 || fail=1
tv=$(bench_time "liu-route -n 4 --validate cat <$F >/dev/null")
bench_report "route: liu-route -n 4 --validate cat vs cat|cat (no target)" \
	$N $tv $base 0 >/dev/null
awk -v n=$N -v t=$tv 'BEGIN { printf "route: --validate: %.2fM ev/s (no target)\n", n / t / 1e6 }'

# the Python baseline is slow: time it on 200k events, compare rates
P=bench/out/trades-200k.ndjson
[ -s $P ] || head -n 200000 $F >$P
s=$(date +%s%N)
python3 bench/route_baseline.py 4 <$P >/dev/null || exit 3
e=$(date +%s%N)
awk -v n=$N -v t=$t -v pn=200000 -v pt=$(( e - s )) 'BEGIN {
	r = n / t; p = pn / (pt / 1e9); ratio = r / p
	ok = ratio >= 30 ? "ok" : "MISSED"
	printf "route: liu-route -n 4 cat %.2fM ev/s = %.0fx of the Python " \
	    "baseline %.0fk ev/s (target >= 30x) %s\n", r / 1e6, ratio,
	    p / 1e3, ok
	exit ok == "ok" ? 0 : 1 }' || fail=1

# latency at 20k events/s, 3 seconds; plain cat is the floor of this machine
cc -O2 -o bench/out/route_latency bench/route_latency.c || exit 3
floor=$(bench/out/route_latency 20000 60000 cat) || exit 3
# the same number of pipe hops as through liu-route and a child, in cats
hops=$(bench/out/route_latency 20000 60000 sh -c 'cat | cat | cat') || exit 3
lat=$(bench/out/route_latency 20000 60000 liu-route -n 4 cat) || fail=1
lat2=$(bench/out/route_latency 20000 60000 liu-route -n 2 cat) || fail=1
echo "route: latency floor (cat alone), us: $floor"
echo "route: latency of cat | cat | cat (as many hops), us: $hops"
# target: p99 through liu-route -n 2 at most 1.5x that of the chain of cats
# with as many hops, in the same run (the machine sets the floor)
echo "$lat2 $hops" | awk '{
	ok = $4 <= 1.5 * $14 ? "ok" : "MISSED"
	printf "route: latency through liu-route -n 2 cat, us: p50 %s p99 " \
	    "%s p99.9 %s max %s = %.2fx the cats'"'"' p99 (target <= 1.5x) %s\n",
	    $2, $4, $6, $8, $4 / $14, ok
	exit ok == "ok" ? 0 : 1 }' || fail=1
echo "$lat $hops" | awk '{
	printf "route: latency through liu-route -n 4 cat, us: p50 %s p99 " \
	    "%s p99.9 %s max %s = %.2fx the cats'"'"' p99\n", $2, $4, $6, $8,
	    $4 / $14 }'

# memory: peak RSS must not grow with the input's length
/usr/bin/time -f %M -o bench/out/route-rss1 liu-route -n 4 cat <$P >/dev/null
/usr/bin/time -f %M -o bench/out/route-rss2 liu-route -n 4 cat <$F >/dev/null
awk -v a="$(tail -n1 bench/out/route-rss2)" -v b="$(tail -n1 bench/out/route-rss1)" 'BEGIN {
	ok = a <= b * 1.2 + 512 ? "ok" : "MISSED"
	printf "route: peak RSS %d KiB for 2M events, %d KiB for 200k (flat) %s\n", a, b, ok
	exit ok == "ok" ? 0 : 1 }' || fail=1
exit $fail
