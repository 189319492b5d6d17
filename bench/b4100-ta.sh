#!/bin/sh
# liu-ta: six indicators (the DESIGN example, ten output fields) over 2M
# synthetic one-minute bars of 500 symbols, against `cat FILE | cat` in the
# same run.  Target: 0.18x of cat|cat (about 3M bars/s where cat|cat runs
# at 15-17M), with the default 12 significant digits.
# For scale, also: --exact (shortest round-trip numbers, as json_add_num()
# writes them) and one output field (mostly reading and parsing).
. bench/lib.sh
N=2000000
F=bench/out/ta-bars-2m.ndjson
SPECS="ema:12 macd rsi:14 vwap atr:14 bbands:20,2"
bench_synth $F $N bar --duration 30d || exit 3

# ta_report NAME SECONDS [TARGET_RATIO]: rate, ratio to the baseline
ta_report () {
	awk -v name="$1" -v n=$N -v t="$2" -v b="$base" -v target="${3:-0}" \
	    'BEGIN {
		rate = n / t
		ok = b / t >= target ? "ok" : "MISSED"
		printf "%s: %.2fM bars/s = %.2fx of cat|cat", name, rate / 1e6,
		    b / t
		if (target > 0)
			printf " (target >= %.2fx) %s", target, ok
		printf "\n"
		exit b / t >= target ? 0 : 1
	}'
}

fail=0
base=$(bench_time "cat $F | cat >/dev/null") || exit 3
echo "baseline: cat FILE | cat: $(awk -v n=$N -v t=$base \
    'BEGIN { printf "%.2fM bars/s", n / t / 1e6 }')"
t=$(bench_time "liu-ta $SPECS <$F >/dev/null") || exit 3
ta_report "ta: liu-ta $SPECS" $t 0.18 || fail=1
t=$(bench_time "liu-ta --exact $SPECS <$F >/dev/null") || exit 3
ta_report "ta: liu-ta --exact $SPECS" $t
t=$(bench_time "liu-ta highest <$F >/dev/null") || exit 3
ta_report "ta: liu-ta highest" $t
exit $fail
