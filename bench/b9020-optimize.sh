#!/bin/sh
# liu-optimize in parallel: the 3x3 grid of vwap_long (reward x rsi_max,
# as in examples/tradeplan.toml) over 3 synthetic sessions of 50 symbols,
# 27 jobs, run with -j 1 (the baseline, in the same run) and with -j one
# a core.  Target: with -j NPROC at least 0.65 x NPROC times faster than
# -j 1 (1.3x on 2 cores), the same results.ndjson byte for byte; also the
# wall time beside the sum of the jobs' own times (parallel's joblog).
. bench/lib.sh
D=bench/out/optimize-days
P=bench/out/optimize.toml
mkdir -p $D
for d in 2024-01-02 2024-01-03 2024-01-04; do
	[ -s $D/$d.ndjson ] || liu-stream synth --types bar --symbols 50 \
	    --seed "$(echo $d | tr -d -)" --max --start ${d}T14:30:00Z \
	    --duration 1d >$D/$d.ndjson || exit 3
done
cat >$P <<-'EOF2'
portfolio_value = 25000.0
risk = 0.01
[strategies.vwap_long]
schedule = [{ start = 5, duration = 380 }]
[route]
shards = 2
[optimizer]
start_date = 2024-01-02
end_date = 2024-01-04
[optimizer.hyperparameters.strategies.vwap_long]
reward = { param_type = "float", min = 1.5, max = 2.5, delta = 0.5 }
rsi_max = { param_type = "int", min = 65, max = 75, delta = 5 }
EOF2
n=$(nproc)
LIU_BATCH_ID=bench
export LIU_BATCH_ID
# run JOBS: the wall seconds of one liu-optimize -j JOBS
run () {
	rm -rf bench/out/opt-j$1 bench/out/opt-j$1.log
	s=$(date +%s%N)
	liu-optimize -o bench/out/opt-j$1 -j $1 \
	    --joblog bench/out/opt-j$1.log -d $D $P >/dev/null 2>&1 || return 1
	e=$(date +%s%N)
	echo $s $e | awk '{ printf "%.3f\n", ($2 - $1) / 1e9 }'
}
t1=$(run 1) || exit 3
tn=$(run $n) || exit 3
cmp -s bench/out/opt-j1/results.ndjson bench/out/opt-j$n/results.ndjson || {
	echo "liu-optimize: -j 1 and -j $n rank differently"
	exit 1
}
sum=$(awk -F '\t' 'NR > 1 { s += $4 } END { printf "%.3f", s }' \
    bench/out/opt-j$n.log)
awk -v t1=$t1 -v tn=$tn -v n=$n -v sum=$sum 'BEGIN {
	target = 0.65 * n; r = t1 / tn
	ok = r >= target ? "ok" : "MISSED"
	printf "liu-optimize 3x3 grid x 3 days (27 jobs): -j 1 %.1f s, " \
	    "-j %d %.1f s: %.2fx (target >= %.2fx) %s; the jobs'"'"' own " \
	    "times add up to %.1f s, %.2fx the wall time\n", t1, n, tn, r,
	    target, ok, sum, sum / tn
	exit r >= target ? 0 : 1
}'
