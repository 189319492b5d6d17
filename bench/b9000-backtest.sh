#!/bin/sh
# The full backtest: 10 New York sessions x 500 symbols of synthetic
# one-minute bars (1.95M bars) through
#   liu-stream replay --max | liu-route -n N -- liu-strategy --fill sim S |
#   liu-analyze
# with one strategy and with three, -n 1 and -n 2, beside a chain of four
# cats over the same file in the same run.  Targets (ratios, since machines
# differ): one strategy, -n 2, at least 0.25x of the cats' rate; three
# strategies at least 0.18x (the issue's 1M and 0.8M bars/s against its
# four cats at 4.5M bars/s).  Then each stage's user+sys CPU per bar and
# peak RSS, and the peak RSS of each stage over the first half of the
# sessions:
# no stage may grow with the number of bars (at most 1.25x + 2 MB).
. bench/lib.sh
F=bench/out/backtest-10s.ndjson
H=bench/out/backtest-5s.ndjson
[ -s $F ] || liu-stream synth --symbols 500 --seed 1 --max --types bar \
    --duration 15d >$F || exit 3
[ -s $H ] || liu-stream synth --symbols 500 --seed 1 --max --types bar \
    --duration 7d >$H || exit 3
N=$(wc -l <$F)
NH=$(wc -l <$H)
ONE=momentum_long
THREE="momentum_long vwap_long vwap_short"

pipe () {	# FILE SHARDS STRATEGIES
	echo "liu-stream replay --max $1 | liu-route -n $2 -- liu-strategy" \
	    "--fill sim $3 | liu-analyze >/dev/null"
}

fail=0
base=$(bench_time "cat $F | cat | cat | cat >/dev/null") || exit 3
echo "baseline: four cats: $(awk -v n=$N -v t=$base \
    'BEGIN { printf "%.2fM bars/s", n / t / 1e6 }') ($N bars)"
for spec in "1 $ONE:0" "2 $ONE:0.25" "1 $THREE:0" "2 $THREE:0.18"; do
	n=${spec%% *}
	rest=${spec#* }
	st=${rest%:*}
	target=${rest##*:}
	t=$(bench_time "$(pipe $F $n "$st")") || exit 3
	name="backtest -n $n, $(echo $st | wc -w) strateg$(
	    [ "$(echo $st | wc -w)" = 1 ] && echo y || echo ies)"
	if [ "$target" = 0 ]; then
		awk -v name="$name" -v n=$N -v t=$t -v b=$base 'BEGIN {
			printf "%s: %.2fM bars/s, %.2fx of the cats\n",
			    name, n / t / 1e6, b / t }'
	else
		bench_report "$name" $N $t $base $target || fail=1
	fi
done

# stages FILE TAG: each stage's user+sys seconds and peak RSS into
# bench/out/TAG.*; the strategies' are summed over the shards
stages () {
	o=bench/out/$2
	rm -f $o.*
	T="/usr/bin/time -a -f %U\ %S\ %M -o"
	sh -c "$T $o.replay liu-stream replay --max $1 |
	    $T $o.route liu-route -n 2 -- $T $o.strategy \
	    liu-strategy --fill sim $ONE | $T $o.analyze liu-analyze \
	    >/dev/null" || return 1
}
stages $F full || exit 3
stages $H half || exit 3
echo "stages, -n 2, one strategy (route's CPU is its own, without the shards'):"
for s in replay route strategy analyze; do
	awk -v s=$s -v n=$N -v nh=$NH '
	FNR == 1 { f++ }
	f == 1 { u += $1 + $2; m = $3 > m ? $3 : m }
	f == 2 { cu += $1 + $2 }
	f == 3 { mh = $3 > mh ? $3 : mh }
	END {
		if (s == "route") u -= cu
		ok = m <= 1.25 * mh + 2048 ? "ok" : "GROWS"
		printf "  %-8s %6.0f ns CPU/bar, peak RSS %6.1f MB (%.1f MB " \
		    "over half the bars) %s\n", s, u / n * 1e9, m / 1024,
		    mh / 1024, ok
		exit ok == "ok" ? 0 : 1
	}' bench/out/full.$s bench/out/full.strategy bench/out/half.$s ||
		fail=1
done
exit $fail
