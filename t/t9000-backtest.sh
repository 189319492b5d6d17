#!/bin/sh
test_description='backtests are deterministic across liu-route -n 1, 2 and 8'
. "$(dirname "$0")/test-lib.sh"

AAPL=$SRC_DIR/data/aapl-2012-01-26-1m.ndjson

# sort_events FILE: one event a line, sorted by (t, id), then by type
sort_events () {
	jq -c -s 'sort_by(.t, .id, .ev)[]' "$1"
}

# backtest K INPUT STRATEGY...: the sorted output of a sharded backtest
backtest () {
	k=$1 in=$2
	shift 2
	liu-route -n "$k" -- liu-strategy --fill sim "$@" <"$in" >raw.$k &&
	sort_events raw.$k
}

test_expect_success 'AAPL: the same orders and fills with -n 1, 2, 8' '
	backtest 1 "$AAPL" momentum_long vwap_long vwap_short >n1 &&
	backtest 2 "$AAPL" momentum_long vwap_long vwap_short >n2 &&
	backtest 8 "$AAPL" momentum_long vwap_long vwap_short >n8 &&
	test $(grep -c "\"ev\":\"fill\"" n1) -ge 4 &&
	test_cmp n1 n2 &&
	test_cmp n1 n8
'

test_expect_success 'AAPL: sharded equals unsharded' '
	liu-strategy --fill sim momentum_long vwap_long vwap_short \
		<"$AAPL" >plain &&
	sort_events plain >p1 &&
	test_cmp p1 n1
'

test_expect_success '20 synthetic symbols: the same with -n 1, 2, 8' '
	liu-stream synth --types bar --symbols 20 --seed 3 --max \
		--events 20000 >syn &&
	backtest 1 syn momentum_long >s1 &&
	backtest 2 syn momentum_long >s2 &&
	backtest 8 syn momentum_long >s8 &&
	test $(grep -c "\"ev\":\"order\"" s1) -ge 20 &&
	test_cmp s1 s2 &&
	test_cmp s1 s8
'

test_expect_success '20 synthetic symbols, all built-ins, with a batch id' '
	LIU_BATCH_ID=bt-1 backtest 1 syn momentum_long vwap_long vwap_short >a1 &&
	LIU_BATCH_ID=bt-1 backtest 8 syn momentum_long vwap_long vwap_short >a8 &&
	test_cmp a1 a8 &&
	jq -r "select(.ev == \"order\") | .id" a1 | sort | uniq -d >dups &&
	test_line_count = 0 dups &&
	test $(grep -c "\"batch\":\"bt-1\"" a1) -eq $(wc -l <a1)
'

test_expect_success '20 synthetic symbols of trades (bars built): -n 1, 2, 8' '
	liu-stream synth --types trade --symbols 20 --seed 3 --max --rate 5 \
		--events 100000 >trades &&
	backtest 1 trades momentum_long vwap_long vwap_short >t1 &&
	backtest 2 trades momentum_long vwap_long vwap_short >t2 &&
	backtest 8 trades momentum_long vwap_long vwap_short >t8 &&
	test $(grep -c "\"ev\":\"fill\"" t1) -ge 100 &&
	test_cmp t1 t2 &&
	test_cmp t1 t8
'

test_done
