#!/bin/sh
test_description='liu-order alpaca: orders over REST to the fake Alpaca
trading API (t/fake-alpaca-trade.py), exactly once through timeouts and
5xx, the live endpoint refused unless asked for on purpose, keys never
shown'
. "$(dirname "$0")/test-lib.sh"
. "$SRC_DIR/t/lib-tls.sh"
. "$SRC_DIR/t/lib-fake.sh"

fake_trade_env

# order ID SIDE QTY [MEMBERS [SYM]]
order () {
	printf '{"ev":"order","t":"2024-03-01T14:31:00Z","sym":"%s","id":"%s","side":"%s","qty":%s,"strategy":"s"%s}\n' \
	    "${5:-AAPL}" "$1" "$2" "$3" "${4:+,$4}"
}
# cancel ID [SYM]
cancel () {
	printf '{"ev":"cancel","t":"2024-03-01T14:32:00Z","sym":"%s","id":"%s","strategy":"s"}\n' \
	    "${2:-AAPL}" "$1"
}
fills () {
	jq -c 'select(.ev == "fill") | [.id, .qty, .price, .exec_id ==
	    (.order_id + "-" + (.qty | tostring))]' "$1"
}
updates () {
	jq -c 'select(.ev == "order_update") | [.id, .status] +
	    (if .why then [.why] else [] end)' "$1"
}
# url NAME: the fake NAME's base URL
url () {
	echo "https://127.0.0.1:$(cat "$1.port")"
}
# lo NAME [OPTION...]: liu-order alpaca against the fake NAME
lo () {
	lo_n=$1
	shift
	liu-order alpaca --url "$(url "$lo_n")" --cacert "$TLS_CA" "$@"
}
# posts NAME: the POST /v2/orders the fake NAME saw
posts () {
	grep -c '^POST /v2/orders ' "$1.log"
}
# broker NAME PATH FILTER: jq -r FILTER of GET PATH at the fake NAME
broker () {
	alpaca_curl "$(url "$1")$2" | jq -r "$3"
}

test_expect_success 'a market order is placed, and its fill written' '
	echo "{\"price\":101.25}" >s1.json &&
	fake_trade_start f1 --script s1.json &&
	order s-AAPL-1 buy 10 "\"type\":\"market\"" >in &&
	lo f1 --keep-open <in >out 2>err &&
	test_must_be_empty err &&
	test "$(posts f1)" = 1 &&
	updates out >u &&
	printf "%s\n" "[\"s-AAPL-1\",\"new\"]" "[\"s-AAPL-1\",\"filled\"]" \
	    >expect &&
	test_cmp expect u &&
	fills out >f &&
	echo "[\"s-AAPL-1\",10,101.25,true]" >expect &&
	test_cmp expect f &&
	broker f1 "/v2/orders?status=all" "length" >n &&
	echo 1 >expect && test_cmp expect n
'

test_expect_success 'what is sent: sides, types, prices as strings, brackets' '
	echo "{\"symbols\":{\"MSFT\":{\"price\":400,\"mode\":\"hold\"},
	    \"TSLA\":{\"price\":400,\"mode\":\"hold\"}}}" >s2.json &&
	fake_trade_start f2 --script s2.json &&
	{
		order s-MSFT-1 buy 5 "\"type\":\"limit\",\"limit\":399.5,\"tif\":\"gtc\"" MSFT &&
		order s-TSLA-2 sell_short 3 "\"type\":\"stop_limit\",\"stop\":390,\"limit\":389.25" TSLA &&
		order s-MSFT-3 buy 2 "\"type\":\"limit\",\"limit\":398,\"bracket\":true,\"stop_loss\":380,\"target\":420.1" MSFT &&
		order s-MSFT-4 buy 1 "\"type\":\"limit\",\"limit\":397,\"extended_hours\":true" MSFT
	} >in &&
	lo f2 --keep-open <in >out 2>err &&
	test_must_be_empty err &&
	updates out >u &&
	test "$(grep -c "\"new\"" u)" = 4 &&
	broker f2 "/v2/orders?status=all&direction=asc&nested=true" \
	    ".[] | [.client_order_id, .side, .type, .qty, .limit_price,
	    .stop_price, .time_in_force, .order_class, .extended_hours,
	    (.legs // [] | map(.limit_price // .stop_price) | join(\"/\"))]
	    | map(. // \"-\" | tostring) | join(\" \")" >got &&
	cat >expect <<-\EOT &&
	s-MSFT-1 buy limit 5 399.5 - gtc  - 
	s-TSLA-2 sell stop_limit 3 389.25 390 day  - 
	s-MSFT-3 buy limit 2 398 - day bracket - 420.1/380
	s-MSFT-4 buy limit 1 397 - day  true 
	EOT
	test_cmp expect got
'

test_expect_success 'a broker refusal is a rejected update with its code' '
	echo "{\"submit\":[403]}" >s3.json &&
	fake_trade_start f3 --script s3.json &&
	order s-AAPL-1 buy 10 "\"type\":\"market\"" >in &&
	lo f3 --keep-open <in >out 2>err &&
	updates out >u &&
	echo "[\"s-AAPL-1\",\"rejected\",\"alpaca 403 40310000: insufficient buying power\"]" >expect &&
	test_cmp expect u &&
	test "$(posts f3)" = 1
'

# once NAME ANSWER: the first submit answered ANSWER, one order at the end
once () {
	echo "{\"price\":50,\"submit\":[$2],\"retry_after_s\":1}" \
	    >"$1.json" &&
	fake_trade_start "$1" --script "$1.json" &&
	order s-AAPL-1 buy 10 "\"type\":\"market\"" >in &&
	lo "$1" --keep-open --timeout 1s <in >"$1.out" 2>"$1.err" &&
	broker "$1" "/v2/orders?status=all" "length" >n &&
	echo 1 >expect && test_cmp expect n &&
	fills "$1.out" >f &&
	echo "[\"s-AAPL-1\",10,50,true]" >expect &&
	test_cmp expect f
}

test_expect_success 'a submit that times out after the broker took it: once' '
	once ft "\"timeout\"" &&
	test "$(posts ft)" = 1 &&
	grep "^GET /v2/orders:by_client_order_id" ft.log
'

test_expect_success 'a 500 after the order was made: looked up, once' '
	once f5 "\"500_after_create\"" &&
	test "$(posts f5)" = 1 &&
	grep "^GET /v2/orders:by_client_order_id.* 200" f5.log
'

test_expect_success 'a 500 before it was made: looked up (404), sent again' '
	once f6 500 &&
	test "$(posts f6)" = 2 &&
	grep "^GET /v2/orders:by_client_order_id.* 404" f6.log
'

test_expect_success 'a 429 waits for the reset and is sent again' '
	once f7 429 &&
	test "$(posts f7)" = 2
'

test_expect_success 'a cancel is a DELETE of the broker'"'"'s order' '
	echo "{\"symbols\":{\"AAPL\":{\"mode\":\"hold\"}}}" >s8.json &&
	fake_trade_start f8 --script s8.json &&
	{
		order s-AAPL-1 buy 10 "\"type\":\"limit\",\"limit\":90" &&
		cancel s-AAPL-1
	} >in &&
	lo f8 --keep-open <in >out 2>err &&
	test_must_be_empty err &&
	updates out >u &&
	printf "%s\n" "[\"s-AAPL-1\",\"new\"]" \
	    "[\"s-AAPL-1\",\"pending_cancel\"]" \
	    "[\"s-AAPL-1\",\"canceled\"]" >expect &&
	test_cmp expect u &&
	grep "^DELETE /v2/orders/.* 204" f8.log
'

test_expect_success 'open day orders are canceled at the end without --keep-open' '
	fake_trade_start f9 --script s8.json &&
	order s-AAPL-1 buy 10 "\"type\":\"limit\",\"limit\":90" >in &&
	lo f9 <in >out 2>err &&
	updates out >u &&
	printf "%s\n" "[\"s-AAPL-1\",\"new\"]" \
	    "[\"s-AAPL-1\",\"canceled\"]" >expect &&
	test_cmp expect u &&
	broker f9 "/v2/orders?status=all" ".[0].status" >st &&
	echo canceled >expect && test_cmp expect st
'

test_expect_success 'the live endpoint is refused unless on purpose' '
	: >in &&
	test_expect_code 2 liu-order alpaca --url https://api.alpaca.markets \
	    <in 2>e1 &&
	test_grep "refused without --live" e1 &&
	APCA_API_BASE_URL=https://api.alpaca.markets \
	    test_expect_code 2 liu-order alpaca <in 2>e2 &&
	test_grep "refused without --live" e2 &&
	test_expect_code 2 liu-order alpaca --live <in 2>e3 &&
	test_grep "LIU_ENV=PROD" e3 &&
	LIU_ENV=PROD test_expect_code 2 liu-order alpaca --live \
	    --url https://paper-api.alpaca.markets <in 2>e4 &&
	test_grep "not the live endpoint" e4 &&
	LIU_ENV=PROD test_expect_code 2 liu-order alpaca --paper --live \
	    <in 2>e5 &&
	test_expect_code 2 liu-order alpaca --url http://example.com <in 2>e6 &&
	test_grep "loopback" e6
'

test_expect_success 'the keys appear in no output, log or ps' '
	echo "{\"symbols\":{\"AAPL\":{\"mode\":\"hold\"}}}" >s10.json &&
	fake_trade_start f10 --script s10.json &&
	mkfifo fin &&
	{ lo f10 -v --keep-open <fin >out 2>err & } &&
	lo_pid=$! &&
	exec 9>fin &&
	order s-AAPL-1 buy 10 "\"type\":\"limit\",\"limit\":90" >&9 &&
	test_wait_for "grep -q new out" 30 &&
	ps -eo args >ps.out &&
	exec 9>&- &&
	wait $lo_pid &&
	for k in "$APCA_API_KEY_ID" "$APCA_API_SECRET_KEY"
	do
		! grep -rF "$k" . 2>/dev/null || return 1
	done
'

test_done
