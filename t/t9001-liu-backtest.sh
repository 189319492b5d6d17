#!/bin/sh
test_description='liu-backtest: the demo pipeline end to end on the AAPL session'
. "$(dirname "$0")/test-lib.sh"

AAPL=$SRC_DIR/data/aapl-2012-01-26-1m.ndjson

test_expect_success 'the backtest writes its files and prints the report' '
	liu-backtest -o run "$AAPL" >out 2>err &&
	for f in market session trades; do test -s run/$f.ndjson || exit 1; done &&
	test_cmp "$AAPL" run/market.ndjson &&
	test_line_count = $(( 392 + $(wc -l <run/trades.ndjson) )) run/session.ndjson &&
	test_grep "^orders and fills:" out &&
	test_grep "^round trips  *4 (1 won, 3 lost)" out &&
	test_grep "<html" run/report.html &&
	test "$(head -c 8 run/equity.png | od -An -c | tr -d " ")" = "211PNG\\r\\n032\\n"
'

test_expect_success 'every order has its fill, and the fills balance out' '
	jq -r "select(.ev == \"order\") | .id" run/trades.ndjson | sort >orders &&
	jq -r "select(.ev == \"fill\") | .id" run/trades.ndjson | sort >filled &&
	test_cmp orders filled &&
	test_line_count = 8 filled &&
	jq -s "[.[] | select(.ev == \"fill\") |
		(if .side == \"buy\" or .side == \"buy_to_cover\" then .qty else -.qty end)]
		| add" run/trades.ndjson >net &&
	echo 0 >zero && test_cmp zero net
'

test_expect_success 'the same input gives the same trades with any shard count' '
	liu-backtest -n 1 -o one "$AAPL" >/dev/null 2>&1 &&
	liu-backtest -n 4 -o four "$AAPL" >/dev/null 2>&1 &&
	sort run/trades.ndjson >a && sort one/trades.ndjson >b &&
	sort four/trades.ndjson >c &&
	test_cmp a b && test_cmp a c
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 liu-backtest 2>err &&
	test_grep "usage: liu-backtest" err &&
	test_expect_code 2 liu-backtest -x "$AAPL" 2>/dev/null &&
	liu-backtest -h >out && test_grep "usage: liu-backtest" out &&
	liu-backtest --help >out2 && test_cmp out out2 &&
	liu-backtest --version >v && test_grep "^liu-backtest [0-9][0-9.]*\$" v
'

test_expect_success 'bad input is reported by the stage that reads it' '
	{ head -n 10 "$AAPL" && echo "{not json" && tail -n 5 "$AAPL"; } >bad.ndjson &&
	test_must_fail liu-backtest -o badrun bad.ndjson >out 2>err &&
	test_grep "^liu-stream: bad.ndjson:11: bad event" err &&
	test_line_count = 15 badrun/market.ndjson
'

test_expect_success 'a missing file fails' '
	test_must_fail liu-backtest -o none no-such-file.ndjson >/dev/null 2>err &&
	test_grep "no-such-file" err
'

test_done
