#!/bin/sh
test_description='liu-db export feeds liu-analyze the same report

A backtest stored with liu-db store and exported again must give the same
liu-analyze report, figure for figure, as the original NDJSON.'
. "$(dirname "$0")/test-lib.sh"
. "$SRC_DIR/t/lib-pg.sh"
pg_start 57003

test_expect_success 'store a backtest' '
	liu-db init &&
	liu-db store --journal j <"$TEST_DATA/db-backtest.ndjson" >out &&
	test_cmp "$TEST_DATA/db-backtest.ndjson" out
'

for f in ndjson table
do
	test_expect_success "liu-analyze -f $f: export = original" '
		liu-analyze -f '$f' "$TEST_DATA/db-backtest.ndjson" >expect &&
		test -s expect &&
		liu-db export --batch bt9 >exported &&
		liu-analyze -f '$f' exported >actual &&
		test_cmp expect actual
	'
done

test_expect_success 'the exported fills are the original fills' '
	grep "\"ev\":\"fill\"" "$TEST_DATA/db-backtest.ndjson" >expect &&
	liu-db export --batch bt9 --what fills >actual &&
	test_cmp expect actual
'

test_expect_success 'analysis and summary events are stored, once' '
	liu-analyze -f ndjson "$TEST_DATA/db-backtest.ndjson" >report &&
	LIU_BATCH_ID=bt9 liu-db store --journal j <report >out &&
	test_cmp report out &&
	LIU_BATCH_ID=bt9 liu-db store --journal j <report >out &&
	cat >expect <<-\EOF &&
	AAPL|momentum_long|1.43119266055|31.16
	TSLA|short_fade|-0.552631578947|-26.29
	AAPL|momentum_long|-0.5|-1.52
	EOF
	pg_sql "SELECT symbol, strategy, r_units, gain FROM trade_analysis
	    WHERE batch_id = '\''bt9'\'' ORDER BY id" >actual &&
	test_cmp expect actual &&
	echo "1|3" >expect &&
	pg_sql "SELECT count(*), max((event->>'\''trips'\'')::int)
	    FROM run_summary WHERE batch_id = '\''bt9'\''" >actual &&
	test_cmp expect actual
'

test_done
