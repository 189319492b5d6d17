#!/bin/sh
test_description='liu-order alpaca: the trade_updates stream of the fake
Alpaca trading API (t/fake-alpaca-trade.py) turned into fill and
order_update events: fills and partial fills with the execution ids,
cancels, rejections, binary and text frames, a dropped stream connection
and the REST re-check after it, every fill once'
. "$(dirname "$0")/test-lib.sh"
. "$SRC_DIR/t/lib-tls.sh"
. "$SRC_DIR/t/lib-fake.sh"

fake_trade_env

# order ID SIDE QTY [MEMBERS [SYM]]
order () {
	printf '{"ev":"order","t":"2024-03-01T14:31:00Z","sym":"%s","id":"%s","side":"%s","qty":%s,"strategy":"s"%s}\n' \
	    "${5:-AAPL}" "$1" "$2" "$3" "${4:+,$4}"
}
cancel () {
	printf '{"ev":"cancel","t":"2024-03-01T14:32:00Z","sym":"%s","id":"%s","strategy":"s"}\n' \
	    "${2:-AAPL}" "$1"
}
# fills FILE: id, qty, price, and the kind of exec_id: "x" an execution
# id of the stream (a UUID), "r" one rebuilt from filled_qty over REST
fills () {
	jq -r 'select(.ev == "fill") | [.id, .qty, .price,
	    (if (.exec_id | test("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"))
	     then "x" elif .exec_id == (.order_id + "-" + (.qty | tostring))
	     then "r" else "?" end)] | map(tostring) | join(" ")' "$1"
}
updates () {
	jq -r 'select(.ev == "order_update") | [.id, .status] +
	    (if .why then [.why] else [] end) | join(" ")' "$1"
}
url () {
	echo "https://127.0.0.1:$(cat "$1.port")"
}
# run NAME [OPTION...]: liu-order alpaca against the fake NAME, reading
# the FIFO NAME.in (held open on descriptor 9), writing NAME.o and NAME.e
run () {
	run_n=$1
	shift
	rm -f "$run_n.in" && mkfifo "$run_n.in" &&
	{ liu-order alpaca --url "$(url "$run_n")" --cacert "$TLS_CA" \
	    --journal "$run_n.journal" "$@" <"$run_n.in" >"$run_n.o" \
	    2>"$run_n.e" & } &&
	run_pid=$! &&
	exec 9>"$run_n.in"
}
# done_run: the end of input, and liu-order's exit status
done_run () {
	exec 9>&- &&
	wait $run_pid
}
broker () {
	alpaca_curl "$(url "$1")$2" | jq -r "$3"
}

test_expect_success 'a fill comes on the stream, with its execution id' '
	echo "{\"price\":101.25,\"fill_delay_ms\":100}" >s1.json &&
	fake_trade_start f1 --script s1.json &&
	run f1 --keep-open &&
	order s-AAPL-1 buy 10 "\"type\":\"market\"" >&9 &&
	test_wait_for "grep -q \"\\\"fill\\\"\" f1.o" &&
	done_run &&
	test_must_be_empty f1.e &&
	fills f1.o >f &&
	echo "s-AAPL-1 10 101.25 x" >expect &&
	test_cmp expect f &&
	updates f1.o >u &&
	printf "%s\n" "s-AAPL-1 new" "s-AAPL-1 filled" >expect &&
	test_cmp expect u &&
	grep "^# binary {\"action\":\"listen\"" f1.log ||
	grep "^{\"action\":\"listen\"" f1.log
'

test_expect_success 'partial fills: each execution once, cumulative' '
	echo "{\"price\":50,\"partial\":[3,3],\"fill_delay_ms\":50,\"fill_gap_ms\":50}" \
	    >s2.json &&
	fake_trade_start f2 --script s2.json &&
	run f2 --keep-open &&
	order s-AAPL-1 buy 10 "\"type\":\"market\"" >&9 &&
	test_wait_for "grep -q \"\\\"filled\\\"\" f2.o" &&
	done_run &&
	fills f2.o >f &&
	printf "%s\n" "s-AAPL-1 3 50 x" "s-AAPL-1 3 50 x" "s-AAPL-1 4 50 x" \
	    >expect &&
	test_cmp expect f &&
	updates f2.o >u &&
	printf "%s\n" "s-AAPL-1 new" "s-AAPL-1 partially_filled" \
	    "s-AAPL-1 partially_filled" "s-AAPL-1 filled" >expect &&
	test_cmp expect u &&
	jq -r "select(.ev == \"fill\") | .exec_id" f2.o | sort -u | wc -l >n &&
	echo 3 >expect && test_cmp expect n
'

test_expect_success 'a cancel: pending_cancel, then canceled from the stream' '
	echo "{\"symbols\":{\"AAPL\":{\"mode\":\"hold\"}},\"cancel_delay_ms\":100}" \
	    >s3.json &&
	fake_trade_start f3 --script s3.json &&
	run f3 --keep-open &&
	order s-AAPL-1 buy 10 "\"type\":\"limit\",\"limit\":90" >&9 &&
	test_wait_for "grep -q \"\\\"new\\\"\" f3.o" &&
	cancel s-AAPL-1 >&9 &&
	test_wait_for "grep -q \"\\\"canceled\\\"\" f3.o" &&
	done_run &&
	test_must_be_empty f3.e &&
	updates f3.o >u &&
	printf "%s\n" "s-AAPL-1 new" "s-AAPL-1 pending_cancel" \
	    "s-AAPL-1 canceled" >expect &&
	test_cmp expect u &&
	grep "^# event 1 canceled s-AAPL-1" f3.log
'

test_expect_success 'a rejection by the exchange, after the order was taken' '
	echo "{\"symbols\":{\"AAPL\":{\"mode\":\"reject\"}}}" >s4.json &&
	fake_trade_start f4 --script s4.json &&
	run f4 --keep-open &&
	order s-AAPL-1 buy 10 "\"type\":\"market\"" >&9 &&
	test_wait_for "grep -q \"\\\"rejected\\\"\" f4.o" &&
	done_run &&
	updates f4.o >u &&
	printf "%s\n" "s-AAPL-1 new" \
	    "s-AAPL-1 rejected rejected by the broker" >expect &&
	test_cmp expect u &&
	grep "^# event 1 rejected s-AAPL-1" f4.log
'

test_expect_success 'text frames as well as binary ones' '
	echo "{\"price\":20,\"fill_delay_ms\":100,\"stream\":{\"binary\":false}}" \
	    >s5.json &&
	fake_trade_start f5 --script s5.json &&
	run f5 --keep-open &&
	order s-AAPL-1 buy 7 "\"type\":\"market\"" >&9 &&
	test_wait_for "grep -q \"\\\"fill\\\"\" f5.o" &&
	done_run &&
	fills f5.o >f &&
	echo "s-AAPL-1 7 20 x" >expect &&
	test_cmp expect f
'

test_expect_success 'events of other orders (placed by hand) are not ours' '
	cat >s6.json <<-\EOF &&
	{"fill_delay_ms": 100,
	 "steps": [{"wait": "orders"},
		   {"order": {"symbol": "MSFT", "qty": "2", "side": "buy",
			      "type": "market", "time_in_force": "day",
			      "client_order_id": "by-hand"}}]}
	EOF
	fake_trade_start f6 --script s6.json &&
	run f6 --keep-open &&
	order s-AAPL-1 buy 1 "\"type\":\"market\"" >&9 &&
	test_wait_for "grep -q \"fill.*by-hand\" f6.log" &&
	done_run &&
	test_must_be_empty f6.e &&
	! grep -q "by-hand\|MSFT" f6.o &&
	fills f6.o >f &&
	echo "s-AAPL-1 1 100 x" >expect &&
	test_cmp expect f
'

test_expect_success 'the stream drops: reconnected, the missed fill over REST' '
	echo "{\"symbols\":{\"AAPL\":{\"mode\":\"hold\"}}}" >s7.json &&
	fake_trade_start f7 --script s7.json &&
	run f7 --keep-open &&
	order s-AAPL-1 buy 10 "\"type\":\"limit\",\"limit\":90" >&9 &&
	test_wait_for "grep -q \"\\\"new\\\"\" f7.o" &&
	fake_trade_steps f7 "[{\"drop\":true},{\"wait\":\"drops\"},
	    {\"fill\":\"s-AAPL-1\",\"qty\":4,\"price\":89.5}]" &&
	test_wait_for "grep -q \"\\\"fill\\\"\" f7.o" &&
	fake_trade_steps f7 "{\"fill\":\"s-AAPL-1\",\"price\":89}" &&
	test_wait_for "grep -q \"\\\"filled\\\"\" f7.o" &&
	done_run &&
	grep "^# lost partial_fill s-AAPL-1" f7.log &&
	grep "^# listening 2" f7.log &&
	sed -n "/^# listening 2/,\$p" f7.log >after &&
	grep "^GET /v2/orders/.* 200" after &&
	fills f7.o >f &&
	printf "%s\n" "s-AAPL-1 4 89.5 r" "s-AAPL-1 6 89 x" >expect &&
	test_cmp expect f &&
	test_grep "trade_updates: connection lost; reconnecting" f7.e
'

test_expect_success 'a fill seen on the stream and over REST is written once' '
	echo "{\"price\":30,\"submit\":[\"timeout\"],\"early_events\":true}" \
	    >s8.json &&
	fake_trade_start f8 --script s8.json &&
	run f8 --keep-open --timeout 1s &&
	order s-AAPL-1 buy 5 "\"type\":\"market\"" >&9 &&
	test_wait_for "grep -q \"\\\"filled\\\"\" f8.o" &&
	done_run &&
	grep "^GET /v2/orders:by_client_order_id" f8.log &&
	jq -s "map(select(.ev == \"fill\") | .qty) | add" f8.o >q &&
	echo 5 >expect && test_cmp expect q &&
	test "$(grep -c "^POST /v2/orders " f8.log)" = 1 &&
	broker f8 "/v2/orders?status=all" "length" >n &&
	echo 1 >expect && test_cmp expect n
'

test_expect_success 'refused stream credentials: said, REST goes on' '
	echo "{\"price\":40,\"stream\":{\"auth\":[\"refuse\"]}}" >s9.json &&
	fake_trade_start f9 --script s9.json &&
	run f9 --keep-open &&
	order s-AAPL-1 buy 2 "\"type\":\"market\"" >&9 &&
	done_run &&
	test_grep "trade_updates: authentication refused" f9.e &&
	fills f9.o >f &&
	echo "s-AAPL-1 2 40 r" >expect &&
	test_cmp expect f
'

test_expect_success '--no-stream: REST only, no connection' '
	echo "{\"price\":40}" >s10.json &&
	fake_trade_start f10 --script s10.json &&
	run f10 --keep-open --no-stream &&
	order s-AAPL-1 buy 2 "\"type\":\"market\"" >&9 &&
	done_run &&
	! grep -q "^# connection" f10.log &&
	fills f10.o >f &&
	echo "s-AAPL-1 2 40 r" >expect &&
	test_cmp expect f
'

test_done
