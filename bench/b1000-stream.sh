#!/bin/sh
# liu-stream: replay and synth throughput on 2M synthetic trades, against
# `cat FILE | cat` in the same run (targets are ratios to it: machines
# here differ by 2x; 0.15x and 0.25x were 3M and 5M ev/s where cat|cat
# ran at 19M).
. bench/lib.sh
N=2000000
F=bench/out/trades-2m.ndjson
bench_synth $F $N trade || exit 3
fail=0
base=$(bench_time "cat $F | cat >/dev/null")
echo "baseline: cat FILE | cat: $(awk -v n=$N -v t=$base 'BEGIN{printf "%.2fM ev/s", n/t/1e6}')"
t=$(bench_time "liu-stream replay --max $F >/dev/null")
bench_report "replay --max" $N $t $base 0.3 || fail=1
t=$(bench_time "liu-stream replay --max --validate $F >/dev/null")
bench_report "replay --max --validate (parse + re-format)" $N $t $base 0.15 ||
	fail=1
t=$(bench_time "liu-stream synth --symbols 500 --seed 1 --max --events $N --types trade >/dev/null")
bench_report "synth --max" $N $t $base 0.25 || fail=1
# memory: peak RSS must not grow with the input's length
/usr/bin/time -f %M -o bench/out/rss1 liu-stream replay --max --validate $F >/dev/null
head -n 200000 $F >bench/out/trades-200k.ndjson
/usr/bin/time -f %M -o bench/out/rss2 liu-stream replay --max --validate bench/out/trades-200k.ndjson >/dev/null
awk -v a="$(tail -n1 bench/out/rss1)" -v b="$(tail -n1 bench/out/rss2)" 'BEGIN {
	ok = a <= b * 1.2 + 512 ? "ok" : "MISSED"
	printf "replay peak RSS: %d KiB for 2M events, %d KiB for 200k (flat) %s\n", a, b, ok
	exit ok == "ok" ? 0 : 1 }' || fail=1
exit $fail
