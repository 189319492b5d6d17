#!/bin/sh
# liu-strategy: momentum_long with simulated fills over 2M synthetic
# one-minute bars of 500 symbols (target 0.1x of cat|cat, 1.5M bars/s per
# process at 15M), and over 2M synthetic trades, building one-minute bars
# from them (target 0.16x, 3M trades/s at 18M); each against
# `cat FILE | cat` in the same run.
. bench/lib.sh
N=2000000
BARS=bench/out/ta-bars-2m.ndjson
TRADES=bench/out/trades-2m.ndjson
bench_synth $BARS $N bar --duration 30d || exit 3
bench_synth $TRADES $N trade || exit 3

# st_report NAME UNIT SECONDS BASE TARGET: rate, ratio, verdict
st_report () {
	awk -v name="$1" -v unit="$2" -v n=$N -v t="$3" -v b="$4" \
	    -v target="$5" 'BEGIN {
		rate = n / t
		ok = b / t >= target ? "ok" : "MISSED"
		printf "%s: %.2fM %s/s = %.2fx of cat|cat (target >= %.2fx)" \
		    " %s\n", name, rate / 1e6, unit, b / t, target, ok
		exit b / t >= target ? 0 : 1
	}'
}

fail=0
base=$(bench_time "cat $BARS | cat >/dev/null") || exit 3
echo "baseline: cat FILE | cat: $(awk -v n=$N -v t=$base \
    'BEGIN { printf "%.2fM bars/s", n / t / 1e6 }')"
t=$(bench_time "liu-strategy --fill sim momentum_long <$BARS >/dev/null") ||
	exit 3
st_report "strategy: momentum_long over bars" bars $t $base 0.1 || fail=1

base=$(bench_time "cat $TRADES | cat >/dev/null") || exit 3
echo "baseline: cat FILE | cat: $(awk -v n=$N -v t=$base \
    'BEGIN { printf "%.2fM trades/s", n / t / 1e6 }')"
t=$(bench_time "liu-strategy --fill sim momentum_long <$TRADES >/dev/null") ||
	exit 3
st_report "strategy: momentum_long over trades" trades $t $base 0.16 ||
	fail=1
exit $fail
