#!/bin/bash
# liu-db store: throughput of the pass-through filter while it inserts,
# into a throwaway PostgreSQL cluster (t/lib-pg.sh) on this machine.
# Fills (every one inserted) and market events (passed through only), each
# against `cat FILE | cat` in the same run, with the absolute rates the
# issue asks for: 50k fills/s and 200k market events/s.  Each store run
# writes a new batch, so every fill is really inserted.
. bench/lib.sh
liu_t_exit_trap () { :; }
. t/lib-pg.sh
mkdir -p bench/out
NF=200000
NM=1000000
FF=bench/out/db-fills-200k.ndjson
FM=bench/out/db-market-1m.ndjson
FX=bench/out/db-mixed.ndjson
[ -s $FF ] || awk -v n=$NF 'BEGIN {
	for (i = 1; i <= n; i++)
		printf "{\"ev\":\"fill\",\"t\":\"2024-03-01T14:%02d:%02d.%06dZ\",\"sym\":\"S%d\",\"id\":\"o%d\",\"order_id\":\"b%d\",\"exec_id\":\"o%d-1\",\"side\":\"%s\",\"qty\":%d,\"price\":%d.%02d,\"fee\":0.01,\"strategy\":\"g%d\",\"stop_loss\":%d.5,\"target\":%d}\n", \
		    int(i / 60000) % 60, int(i / 1000) % 60, i % 1000000, i % 500, i, i, i,
		    i % 2 ? "buy" : "sell", i % 9 + 1, 10 + i % 90, i % 100, i % 4,
		    9 + i % 90, 12 + i % 90
}' >$FF
bench_synth $FM $NM trade,quote || exit 3
# a live-like mix: market events with a fill after every 20th
[ -s $FX ] || awk 'NR == FNR { f[NR] = $0; next }
	{ print; if (FNR % 20 == 0 && (k + 1) in f) print f[++k] }' \
	$FF $FM >$FX
NX=$(wc -l <$FX)

pg_start 57700 >/dev/null || exit 3
liu-db init || exit 3
export LIU_ENV=BACKTEST
fail=0
store='LIU_BATCH_ID=bench-$$ liu-db store --journal bench/out/db.journal'

base=$(bench_time "cat $FF | cat >/dev/null")
t=$(bench_time "cat $FF | $store >/dev/null")
bench_report "db: store fills vs cat|cat (no target)" $NF $t $base 0 || fail=1
bench_rate "db: store fills, every one inserted" $NF $t 50000 || fail=1
n=$(pg_sql "SELECT count(*) FROM new_trades")
[ "$n" = $((3 * NF)) ] || { echo "db: $n rows, not $((3 * NF))"; fail=1; }

base=$(bench_time "cat $FM | cat >/dev/null")
t=$(bench_time "cat $FM | $store >/dev/null")
bench_report "db: store market events vs cat|cat (no target)" $NM $t $base 0 || fail=1
bench_rate "db: store market events, passed through" $NM $t 200000 || fail=1

base=$(bench_time "cat $FX | cat >/dev/null")
t=$(bench_time "cat $FX | $store >/dev/null")
bench_report "db: store mixed ($NX events, 1 fill in 21) vs cat|cat (no target)" \
	$NX $t $base 0 || fail=1
bench_rate "db: store mixed" $NX $t 200000 || fail=1
exit $fail
