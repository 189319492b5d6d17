#!/bin/sh
test_description='liu-order: the risk checks before an order is sent (sim
and the fake Alpaca), the broker'"'"'s refusals with their code, liu-strategy
leaving a symbol the broker refused, and the rate limit waited out'
. "$(dirname "$0")/test-lib.sh"
. "$SRC_DIR/t/lib-tls.sh"
. "$SRC_DIR/t/lib-fake.sh"

fake_stream_have || test_skip_all "missing $fake_missing"
for c in curl jq
do
	command -v $c >/dev/null || test_skip_all "missing $c"
done
tls_setup || {
	echo "Bail out! openssl could not make the test certificates"
	exit 1
}

# trade T PRICE [SYM]
trade () {
	printf '{"ev":"trade","t":"2024-03-01T%s","sym":"%s","price":%s,"size":100}\n' \
	    "$1" "${3:-AAPL}" "$2"
}
# order T ID SIDE QTY [MEMBERS [SYM]]; T a time of 2024-03-01, or a
# whole date and time
order () {
	case $1 in
	*T*) ot=$1 ;;
	*) ot=2024-03-01T$1 ;;
	esac
	printf '{"ev":"order","t":"%s","sym":"%s","id":"%s","side":"%s","qty":%s,"strategy":"s"%s}\n' \
	    "$ot" "${6:-AAPL}" "$2" "$3" "$4" "${5:+,$5}"
}
# status T TEXT [SYM]
status () {
	printf '{"ev":"status","t":"2024-03-01T%s","sym":"%s","status":"%s"}\n' \
	    "$1" "${3:-AAPL}" "$2"
}
lim () {
	echo "\"type\":\"limit\",\"limit\":$1"
}
# st FILE ID: the statuses of order ID, one line
st () {
	jq -r --arg id "$2" 'select(.ev == "order_update" and .id == $id) |
	    .status' "$1" | tr '\n' ' ' | sed 's/ $//'
}
# why FILE ID: the why of order ID's rejection
why () {
	jq -r --arg id "$2" 'select(.ev == "order_update" and .id == $id and
	    .status == "rejected") | .why' "$1"
}

test_expect_success 'sim --max-position-value: a symbol'"'"'s value' '
	{
		trade 14:30:00Z 100 &&
		order 14:31:00Z b1 buy 10 "$(lim 100)" &&
		order 14:31:01Z b2 buy 10 "$(lim 100)" &&
		order 14:31:02Z m1 buy 10 "$(lim 100)" MSFT
	} >in &&
	liu-order sim --max-position-value 1500 <in >out 2>err &&
	test "$(st out b1)" = "new expired" &&
	test "$(st out b2)" = rejected &&
	test_grep "risk: AAPL would be worth 2000.00, over --max-position-value 1500.00" out &&
	test "$(st out m1)" = "new expired" &&
	liu-order sim --max-position-value 2000 <in >out2 &&
	test "$(st out2 b2)" = "new expired"
'

test_expect_success 'sim --max-position-value counts the position at its last price' '
	{
		trade 14:30:00Z 100 &&
		order 14:31:00Z b1 buy 10 &&
		trade 14:32:00Z 100 &&
		trade 14:33:00Z 140 &&
		order 14:34:00Z b2 buy 1 "$(lim 140)"
	} >in &&
	liu-order sim --max-position-value 1500 <in >out &&
	test "$(st out b1)" = "new filled" &&
	test "$(st out b2)" = rejected &&
	test_grep "would be worth 1540.00" out &&
	liu-order sim --max-position-value 1540 <in >out2 &&
	test "$(st out2 b2)" = "new expired"
'

test_expect_success 'sim --max-exposure: every symbol' '
	{
		trade 14:30:00Z 100 &&
		trade 14:30:00Z 200 MSFT &&
		order 14:31:00Z b1 buy 10 "$(lim 100)" &&
		order 14:31:01Z m1 buy 5 "$(lim 200)" MSFT &&
		order 14:31:02Z x1 sell_short 1 "$(lim 200)" MSFT
	} >in &&
	liu-order sim --max-exposure 1500 <in >out &&
	test "$(st out b1)" = "new expired" &&
	test "$(st out m1)" = rejected &&
	test_grep "exposure would be 2000.00, over --max-exposure 1500.00" out &&
	test "$(st out x1)" = "new expired" &&
	liu-order sim --max-exposure 2100 <in >out2 &&
	test "$(st out2 m1)" = "new expired" &&
	test "$(st out2 x1)" = rejected
'

test_expect_success 'sim --max-open-orders' '
	{
		order 14:31:00Z b1 buy 1 "$(lim 90)" &&
		order 14:31:01Z b2 buy 1 "$(lim 90)" &&
		order 14:31:02Z b3 buy 1 "$(lim 90)"
	} >in &&
	liu-order sim --max-open-orders 2 <in >out &&
	test "$(st out b2)" = "new expired" &&
	test "$(st out b3)" = rejected &&
	test_grep "risk: 2 orders open (--max-open-orders 2)" out &&
	liu-order sim --max-open-orders 3 <in >out2 &&
	test "$(st out2 b3)" = "new expired"
'

test_expect_success 'sim --max-daily-loss: the kill switch stops entries, not exits, for the day' '
	{
		trade 14:30:00Z 100 &&
		order 14:31:00Z b1 buy 10 &&
		trade 14:32:00Z 100 &&
		trade 14:33:00Z 80 &&
		trade 14:33:30Z 79 &&
		order 14:34:00Z b2 buy 1 &&
		order 14:35:00Z s1 sell 10 &&
		trade 14:36:00Z 80 &&
		order 14:37:00Z x1 sell_short 1 &&
		trade 2024-03-04T14:30:00Z 80 &&
		order 2024-03-04T14:31:00Z b3 buy 1
	} | sed "s/2024-03-01T2024/2024/" >in &&
	liu-order sim --max-daily-loss 150 <in >out 2>err &&
	test "$(st out b1)" = "new filled" &&
	test "$(st out b2)" = rejected &&
	test_grep "risk: kill switch" out &&
	test "$(st out s1)" = "new filled" &&
	test "$(st out x1)" = rejected &&
	test "$(st out b3)" = "new expired" &&
	jq -c "select(.ev == \"risk\") | [.t, .status, .loss, .limit]" out \
	    >risk &&
	echo "[\"2024-03-01T14:33:00Z\",\"kill_switch\",200,150]" >expect &&
	test_cmp expect risk &&
	test "$(grep -c "kill switch" err)" = 1 &&
	liu-order sim --max-daily-loss 500 <in >out2 2>err2 &&
	test "$(st out2 b2)" = "new filled" &&
	test_must_be_empty err2 &&
	! grep -q "\"ev\":\"risk\"" out2
'

test_expect_success 'no orders into a halted symbol, until it resumes' '
	{
		trade 14:30:00Z 100 &&
		status 14:31:00Z "Trading Halt" &&
		order 14:32:00Z b1 buy 1 "$(lim 90)" &&
		order 14:32:00Z m1 buy 1 "$(lim 90)" MSFT &&
		status 14:33:00Z "Trading Resumption" &&
		order 14:34:00Z b2 buy 1 "$(lim 90)"
	} >in &&
	liu-order sim --pass <in >out &&
	test "$(st out b1)" = rejected &&
	test "$(why out b1)" = "risk: AAPL is halted" &&
	test "$(st out m1)" = "new expired" &&
	test "$(st out b2)" = "new expired" &&
	test "$(grep -c "\"ev\":\"status\"" out)" = 2
'

test_expect_success 'sim --market-hours: the session of the order'"'"'s time' '
	{
		order 14:31:00Z b1 buy 1 "$(lim 90)" &&
		order 22:00:00Z b2 buy 1 "$(lim 90)"
	} >in &&
	liu-order sim --market-hours <in >out &&
	test "$(st out b1)" = "new expired" &&
	test "$(st out b2)" = rejected &&
	test "$(why out b2)" = "risk: market closed" &&
	liu-order sim <in >out2 &&
	test "$(st out2 b2)" = "new expired"
'

test_expect_success 'sim --extended-hours: extended_hours orders in the pre- and post-market' '
	x="\"extended_hours\":true" &&
	{
		order 22:00:00Z e1 buy 1 "$(lim 90),$x" &&
		order 22:00:01Z e2 buy 1 "$(lim 90)" &&
		order 2024-03-02T15:00:00Z e3 buy 1 "$(lim 90),$x" &&
		order 2024-03-04T01:30:00Z e4 buy 1 "$(lim 90),$x" &&
		order 2024-03-04T09:00:00Z e5 buy 1 "$(lim 90),$x"
	} >in &&
	liu-order sim --extended-hours <in >out &&
	test "$(st out e1)" = "new expired" &&
	test "$(st out e2)" = rejected &&
	test_grep "only extended_hours orders now" out &&
	test "$(st out e3)" = rejected &&
	test "$(st out e4)" = rejected &&
	test "$(st out e5)" = "new expired"
'

test_expect_success 'sim --price-band: limit and stop prices against the last price' '
	{
		order 14:30:00Z b0 buy 1 "$(lim 100)" &&
		trade 14:30:00Z 100 &&
		order 14:31:00Z b1 buy 1 "$(lim 120)" &&
		order 14:31:01Z b2 buy 1 "$(lim 95)" &&
		order 14:31:02Z b3 buy 1 &&
		order 14:31:03Z b4 buy 1 "\"type\":\"stop\",\"stop\":80"
	} >in &&
	liu-order sim --price-band 10 <in >out &&
	test "$(st out b0)" = rejected &&
	test_grep "no last price of AAPL to check the price band" out &&
	test "$(st out b1)" = rejected &&
	test "$(why out b1)" = "risk: limit price 120 is 20.0% off the last price 100 (--price-band 10)" &&
	test "$(st out b2)" = "new expired" &&
	test "$(st out b3)" = "new expired" &&
	test "$(st out b4)" = rejected &&
	liu-order sim --price-band 25 <in >out2 &&
	test "$(st out2 b1)" = "new expired" &&
	test "$(st out2 b4)" = "new expired"
'

test_expect_success 'sim --max-orders-per-min: any 60 s of order time' '
	{
		order 14:31:00Z b1 buy 1 "$(lim 90)" &&
		order 14:31:10Z b2 buy 1 "$(lim 90)" &&
		order 14:31:20Z b3 buy 1 "$(lim 90)" &&
		order 14:32:00Z b4 buy 1 "$(lim 90)" &&
		order 14:32:09Z b5 buy 1 "$(lim 90)"
	} >in &&
	liu-order sim --max-orders-per-min 2 <in >out &&
	test "$(st out b3)" = rejected &&
	test_grep "order rate: 2 orders in the minute before" out &&
	test "$(st out b4)" = "new expired" &&
	test "$(st out b5)" = rejected &&
	liu-order sim --max-orders-per-min 3 <in >out2 &&
	test "$(st out2 b3)" = "new expired" &&
	test "$(st out2 b4)" = "new expired" &&
	test "$(st out2 b5)" = rejected
'

test_expect_success 'bad risk options are usage errors' '
	: >in &&
	test_expect_code 2 liu-order sim --max-open-orders 0 <in 2>e1 &&
	test_expect_code 2 liu-order sim --price-band x <in 2>e2 &&
	test_expect_code 2 liu-order sim --max-daily-loss -1 <in 2>e3 &&
	test_expect_code 2 liu-order sim --any-hours <in 2>e4 &&
	test_expect_code 2 liu-order alpaca --market-hours <in 2>e5
'

# Against the fake Alpaca.

APCA_API_KEY_ID=PKT$(rand 8)
APCA_API_SECRET_KEY=sk-$(rand 16)
export APCA_API_KEY_ID APCA_API_SECRET_KEY
unset APCA_API_BASE_URL LIU_ENV

url () {
	echo "https://127.0.0.1:$(cat "$1.port")"
}
lo () {
	lo_n=$1
	shift
	liu-order alpaca --url "$(url "$lo_n")" --cacert "$TLS_CA" "$@"
}
posts () {
	grep -c '^POST /v2/orders ' "$1.log"
}
# fake NAME SCENARIO: start the fake NAME with the scenario (JSON)
fake () {
	echo "$2" >"$1.json" &&
	fake_trade_start "$1" --script "$1.json"
}

test_expect_success 'alpaca: no orders while the broker'"'"'s clock says closed' '
	fake a1 "{\"clock\":{\"is_open\":false}}" &&
	order 14:31:00Z b1 buy 1 "$(lim 90)" >in &&
	lo a1 --keep-open <in >out 2>err &&
	test "$(st out b1)" = rejected &&
	test "$(why out b1)" = "risk: market closed (the broker'"'"'s clock)" &&
	test "$(posts a1)" = 0 &&
	grep "^GET /v2/clock 200" a1.log &&
	lo a1 --keep-open --any-hours <in >out2 &&
	test "$(st out2 b1)" = new &&
	test "$(posts a1)" = 1
'

test_expect_success 'alpaca: the clock is asked once, not for every order' '
	fake a2 "{\"symbols\":{\"AAPL\":{\"mode\":\"hold\"}}}" &&
	{
		order 14:31:00Z b1 buy 1 "$(lim 90)" &&
		order 14:31:01Z b2 buy 1 "$(lim 90)" &&
		order 14:31:02Z b3 buy 1 "$(lim 90)"
	} >in &&
	lo a2 --keep-open <in >out &&
	test "$(st out b3)" = new &&
	test "$(grep -c "^GET /v2/clock" a2.log)" = 1
'

test_expect_success 'alpaca: sell_short only of a shortable, easy to borrow asset' '
	fake a3 "{\"symbols\":{\"GME\":{\"shortable\":false},
	    \"TSLA\":{\"easy_to_borrow\":false},
	    \"AAPL\":{\"mode\":\"hold\"}}}" &&
	{
		order 14:31:00Z x1 sell_short 1 "$(lim 200)" GME &&
		order 14:31:01Z x2 sell_short 1 "$(lim 200)" TSLA &&
		order 14:31:02Z x3 sell_short 1 "$(lim 200)" AAPL &&
		order 14:31:03Z x4 sell_short 1 "$(lim 201)" GME
	} >in &&
	lo a3 --keep-open <in >out &&
	test "$(why out x1)" = "risk: GME is not shortable (the broker'"'"'s asset)" &&
	test "$(why out x2)" = "risk: TSLA is not easy to borrow (the broker'"'"'s asset)" &&
	test "$(st out x3)" = new &&
	test "$(st out x4)" = rejected &&
	test "$(posts a3)" = 1 &&
	test "$(grep -c "^GET /v2/assets/GME" a3.log)" = 1
'

test_expect_success 'alpaca: buying power from the account' '
	fake a4 "{\"account\":{\"cash\":1000},
	    \"symbols\":{\"AAPL\":{\"mode\":\"hold\"}}}" &&
	{
		order 14:31:00Z b1 buy 10 "$(lim 200)" &&
		order 14:31:01Z b2 buy 2 "$(lim 200)" &&
		order 14:31:02Z b3 buy 4 "$(lim 200)"
	} >in &&
	lo a4 --keep-open <in >out &&
	test "$(why out b1)" = "risk: insufficient buying power (the broker'"'"'s account): 2000.00 wanted, 1000.00 available" &&
	test "$(st out b2)" = new &&
	test "$(why out b3)" = "risk: insufficient buying power (the broker'"'"'s account): 800.00 wanted, 600.00 available" &&
	test "$(posts a4)" = 1 &&
	test "$(grep -c "^GET /v2/account" a4.log)" = 1
'

test_expect_success 'alpaca: the broker'"'"'s own refusal comes back with its code' '
	fake a5 "{\"account\":{\"cash\":1000}}" &&
	order 14:31:00Z b1 buy 10 "$(lim 200)" >in &&
	lo a5 --keep-open --no-account-check <in >out &&
	jq -c "select(.status == \"rejected\") | [.id, .code, .why]" out >got &&
	echo "[\"b1\",40310000,\"alpaca 403 40310000: insufficient buying power\"]" >expect &&
	test_cmp expect got &&
	test "$(posts a5)" = 1
'

test_expect_success 'alpaca: pattern day trader, wash trade, not shortable: rejected with code and message' '
	fake a6 "{\"submit\":[
	    {\"status\":403,\"body\":{\"code\":40310100,\"message\":\"trade denied due to pattern day trading protection\"}},
	    {\"status\":422,\"body\":{\"code\":42210000,\"message\":\"potential wash trade detected. use complex orders\"}}],
	    \"account\":{\"shorting_enabled\":false}}" &&
	{
		order 14:31:00Z b1 buy 1 "$(lim 90)" &&
		order 14:31:01Z b2 buy 1 "$(lim 90)" &&
		order 14:31:02Z x1 sell_short 1 "$(lim 90)"
	} >in &&
	lo a6 --keep-open <in >out &&
	jq -c "select(.status == \"rejected\") | [.id, .code, .why]" out >got &&
	cat >expect <<-\EOT &&
	["b1",40310100,"alpaca 403 40310100: trade denied due to pattern day trading protection"]
	["b2",42210000,"alpaca 422 42210000: potential wash trade detected. use complex orders"]
	["x1",40310000,"alpaca 403 40310000: account is not allowed to short"]
	EOT
	test_cmp expect got &&
	test "$(posts a6)" = 3
'

test_expect_success 'alpaca: --max-position-value and --price-band on the market data passing' '
	fake a7 "{\"symbols\":{\"AAPL\":{\"mode\":\"hold\"}}}" &&
	{
		trade 14:30:00Z 100 &&
		order 14:31:00Z b1 buy 10 "$(lim 100)" &&
		order 14:31:01Z b2 buy 1 "$(lim 150)" &&
		order 14:31:02Z b3 buy 1 "$(lim 99)"
	} >in &&
	lo a7 --keep-open --max-position-value 1050 --price-band 5 <in >out &&
	test "$(st out b1)" = new &&
	test "$(st out b2)" = rejected &&
	test_grep "limit price 150 is 50.0% off" out &&
	test "$(st out b3)" = rejected &&
	test_grep "AAPL would be worth 1099.00" out &&
	test "$(posts a7)" = 1
'

test_expect_success 'alpaca: orders beyond the rate limit wait for its reset, none refused' '
	fake a8 "{\"rate_limit\":4,\"rate_window_s\":1,
	    \"symbols\":{\"AAPL\":{\"mode\":\"hold\"}}}" &&
	i=0 &&
	while test $i -lt 10
	do
		i=$((i + 1)) &&
		order 14:31:00Z b$i buy 1 "$(lim 90)" || return 1
	done >in &&
	lo a8 -v --keep-open --any-hours <in >out 2>err &&
	test "$(posts a8)" = 10 &&
	test "$(grep -c "^POST /v2/orders 200" a8.log)" = 10 &&
	! grep " 429$" a8.log &&
	test_grep "rate limit of 4 a minute reached" err &&
	test "$(jq -r "select(.status == \"new\") | .id" out | wc -l)" = 10
'

test_expect_success 'alpaca: a 429 with the rate limit spent still waits and sends again' '
	fake a9 "{\"submit\":[429],\"retry_after_s\":1}" &&
	order 14:31:00Z b1 buy 1 >in &&
	lo a9 --keep-open <in >out &&
	test "$(posts a9)" = 2 &&
	test "$(st out b1)" = "new filled"
'

# liu-strategy: a refusal of the broker (an order_update "rejected" with
# the broker's code) ends the symbol for the strategy for the day.
BARS=$TEST_DATA/strategy-momentum.ndjson
P="-p momentum_long.or_minutes=3 -p momentum_long.start=3
-p macd_fast=2 -p macd_slow=3 -p macd_signal=2 -p rsi_period=2
-p rsi_min=0 -p rsi_max=100 -p rsi_exit=101 -p scale_at=100"
S=lt8q1fk0

test_expect_success 'liu-strategy enters no more a symbol the broker refused' '
	head -n 14 "$BARS" >in &&
	echo "{\"ev\":\"order_update\",\"t\":\"2024-03-01T14:37:01Z\",\"sym\":\"AAA\",\"id\":\"momentum_long-AAA-$S-1\",\"status\":\"rejected\",\"why\":\"alpaca 403 40310100: trade denied due to pattern day trading protection\",\"code\":40310100,\"strategy\":\"momentum_long\"}" >>in &&
	sed -n "15,16p" "$BARS" >>in &&
	LIU_NOW=2024-03-01T14:00:00Z liu-strategy $P momentum_long <in >out &&
	jq -c "[.ev, .t, .id // .why]" out >ids &&
	cat >exp <<-E &&
	["order","2024-03-01T14:37:00Z","momentum_long-AAA-$S-1"]
	["order","2024-03-01T14:37:00Z","momentum_long-BBB-$S-1"]
	["drop","2024-03-01T14:37:00Z","refused by the broker"]
	E
	test_cmp exp ids &&
	# without the code (liu-order'"'"'s own rejection) it enters again
	sed "s/,\"code\":40310100//" in >in2 &&
	LIU_NOW=2024-03-01T14:00:00Z liu-strategy $P momentum_long <in2 >out2 &&
	test_grep "momentum_long-AAA-$S-2" out2
'

test_done
