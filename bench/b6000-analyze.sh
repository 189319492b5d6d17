#!/bin/sh
# liu-analyze: 1M fills (plus 50k bars) analysed into NDJSON in under 2 s,
# and as a ratio against `cat FILE | cat` in the same run.  The fills come
# from bench/analyze_gen.sh (deterministic).
. bench/lib.sh
N=1000000
F=bench/out/analyze-fills-1m.ndjson
[ -s $F ] || bench/analyze_gen.sh $N >$F || exit 3
lines=$(wc -l <$F)
fail=0
base=$(bench_time "cat $F | cat >/dev/null")
echo "baseline: cat FILE | cat: $(awk -v n=$lines -v t=$base 'BEGIN{printf "%.2fM lines/s", n/t/1e6}')"
t=$(bench_time "liu-analyze -f ndjson $F >/dev/null")
awk -v n=$N -v t=$t -v b=$base 'BEGIN {
	ok = t < 2 ? "ok" : "MISSED"
	printf "analyze: %d fills in %.2f s = %.2fM fills/s, %.3fx of cat|cat (target < 2 s) %s\n",
	    n, t, n / t / 1e6, b / t, ok
	exit ok == "ok" ? 0 : 1 }' || fail=1
t=$(bench_time "liu-analyze -f table $F >/dev/null")
awk -v n=$N -v t=$t 'BEGIN {
	printf "analyze -f table: %.2f s (%.2fM fills/s)\n", t, n / t / 1e6 }'
exit $fail
