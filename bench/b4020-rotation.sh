#!/bin/sh
# liu-strategy: the portfolio strategy momentum_rotation, called each
# minute of the session (--fill sim), over 500 symbols x 390 minutes x 10
# sessions of synthetic one-minute bars (1.95M bars), ranking all 500 at
# the first call of each session (rebalance_days=1, rank_bars=30).
# Targets: at least 0.5M bars/s, and at least 0.5x of the same run's
# baseline, the per-symbol momentum_long over the same bars.
. bench/lib.sh
N=1950000
BARS=bench/out/rotation-bars-1.95m.ndjson
bench_synth $BARS $N bar --duration 15d || exit 3

fail=0
base=$(bench_time "liu-strategy --fill sim momentum_long <$BARS >/dev/null") ||
	exit 3
echo "baseline: momentum_long (per symbol): $(awk -v n=$N -v t=$base \
    'BEGIN { printf "%.2fM bars/s", n / t / 1e6 }')"
t=$(bench_time "liu-strategy --fill sim -p rank_bars=30 \
    -p rebalance_days=1 momentum_rotation <$BARS >/dev/null") || exit 3
bench_rate "strategy: momentum_rotation, a call a minute" $N $t 500000 ||
	fail=1
bench_report "strategy: momentum_rotation vs momentum_long" $N $t $base 0.5 ||
	fail=1
t=$(bench_time "liu-strategy --fill sim -p rank_bars=30 \
    -p rebalance_days=1 momentum_long momentum_rotation <$BARS \
    >/dev/null") || exit 3
bench_report "strategy: momentum_long + momentum_rotation in one process" \
    $N $t $base 0.4 || fail=1
exit $fail
