#!/bin/sh
test_description='liu-order: the end of the day: --liquidate-before flattens
the day positions before each close (early closes too), swing positions
kept, in the strategies'"'"' names and tagged; --cancel-after cancels the
entries left unfilled; sim by the events'"'"' times, alpaca by the clock'
. "$(dirname "$0")/test-lib.sh"

command -v jq >/dev/null || test_skip_all "missing jq"

# 2025-11-26 is a Wednesday (EST): the close is 16:00 New York, 21:00Z,
# so --liquidate-before 15m acts from 20:45Z.  2025-11-28, the day after
# Thanksgiving, and 2024-12-24 close at 13:00 (18:00Z: from 17:45Z);
# 2025-07-03 at 13:00 EDT (17:00Z: from 16:45Z).

# bar TIME SYM PRICE: a one-minute bar at TIME (RFC 3339), all at PRICE
bar () {
	printf '{"ev":"bar","t":"%s","sym":"%s","o":%s,"h":%s,"l":%s,"c":%s,"v":100}\n' \
	    "$1" "$2" "$3" "$3" "$3" "$3"
}
# order TIME ID SIDE QTY STRATEGY [MEMBERS [SYM]]
order () {
	printf '{"ev":"order","t":"%s","sym":"%s","id":"%s","side":"%s","qty":%s,"strategy":"%s"%s}\n' \
	    "$1" "${7:-A}" "$2" "$3" "$4" "$5" "${6:+,$6}"
}
# what FILE: the events of the end of the day, compact
liq_orders () {
	jq -c 'select(.ev == "order" and .tag == "liquidation") |
	    [.t, .sym, .id, .side, .qty, .strategy, .batch, .type, .why.reason]' "$1"
}
liq_cancels () {
	jq -c 'select(.ev == "cancel") | [.t, .id, .strategy, .tag, .why.reason]' "$1"
}
liq_fills () {
	jq -c 'select(.ev == "fill" and .tag == "liquidation") |
	    [.t, .id, .side, .qty, .price]' "$1"
}

D=2025-11-26T
test_expect_success 'sim: at 15:45 day orders cancelled, day positions sold, swing kept' '
	{
		bar ${D}20:30:00Z A 10 &&
		bar ${D}20:30:00Z B 50 &&
		order ${D}20:30:00Z s-A-1 buy 100 s "\"batch\":\"b1\"" &&
		order ${D}20:30:00Z w-A-1 buy 50 w "\"horizon\":\"swing\"" &&
		order ${D}20:30:00Z s-A-2 buy 10 s "\"type\":\"limit\",\"limit\":5,\"batch\":\"b1\"" &&
		order ${D}20:30:00Z w-A-2 buy 10 w "\"type\":\"limit\",\"limit\":5,\"tif\":\"gtc\",\"horizon\":\"swing\"" &&
		order ${D}20:30:00Z s-B-1 sell_short 20 s "" B &&
		bar ${D}20:31:00Z A 10 &&
		bar ${D}20:31:00Z B 50 &&
		bar ${D}20:44:59Z A 10 &&
		bar ${D}20:45:00Z A 11 &&
		bar ${D}20:45:00Z B 49 &&
		bar ${D}20:46:00Z A 11 &&
		bar ${D}20:46:00Z B 49 &&
		echo "{\"ev\":\"clock\",\"t\":\"${D}20:50:00Z\"}" &&
		bar ${D}20:59:00Z A 12
	} >in &&
	liu-order sim --liquidate-before 15m <in >out 2>err &&
	echo "liu-order: liquidation before the close of 2025-11-26 16:00 New York: 1 order canceled, 2 day positions flattened, 1 swing position kept" >expect &&
	test_cmp expect err &&
	liq_cancels out >got &&
	echo "[\"${D}20:45:00Z\",\"s-A-2\",\"s\",\"liquidation\",\"liquidation\"]" >expect &&
	test_cmp expect got &&
	liq_orders out >got &&
	cat >expect <<-EOF &&
	["${D}20:45:00Z","B","s-B-liquidation-20251126","buy_to_cover",20,"s",null,"market","liquidation"]
	["${D}20:45:00Z","A","s-A-liquidation-20251126","sell",100,"s","b1","market","liquidation"]
	EOF
	test_cmp expect got &&
	liq_fills out >got &&
	cat >expect <<-EOF &&
	["${D}20:45:00Z","s-B-liquidation-20251126","buy_to_cover",20,49]
	["${D}20:46:00Z","s-A-liquidation-20251126","sell",100,11]
	EOF
	test_cmp expect got &&
	jq -c "select(.ev == \"order_update\" and .id == \"s-A-2\") | [.status, .why]" out >got &&
	printf "%s\n" "[\"new\",null]" "[\"pending_cancel\",\"liquidation\"]" \
	    "[\"canceled\",\"canceled on request\"]" >expect &&
	test_cmp expect got &&
	jq -c "select(.tag == \"liquidation\" and .ev == \"order_update\") | [.id, .status]" out >got &&
	printf "%s\n" "[\"s-B-liquidation-20251126\",\"new\"]" \
	    "[\"s-A-liquidation-20251126\",\"new\"]" \
	    "[\"s-B-liquidation-20251126\",\"filled\"]" \
	    "[\"s-A-liquidation-20251126\",\"filled\"]" >expect &&
	test_cmp expect got &&
	! grep "\"id\":\"w-A" out | grep -v "\"status\":\"new\"\|\"status\":\"filled\"\|\"ev\":\"order\",\|\"ev\":\"fill\""
'

test_expect_success 'sim: nothing before the window, nothing said without positions' '
	{
		bar ${D}20:30:00Z A 10 &&
		order ${D}20:30:00Z s-A-1 buy 100 s &&
		bar ${D}20:31:00Z A 10 &&
		bar ${D}20:44:59Z A 10
	} >in &&
	liu-order sim --liquidate-before 15m <in >out 2>err &&
	test_must_be_empty err &&
	! grep liquidation out &&
	bar ${D}20:45:00Z A 10 >in2 &&
	liu-order sim --liquidate-before 15m <in2 >out2 2>err2 &&
	test_must_be_empty err2 &&
	test_must_be_empty out2
'

test_expect_success 'sim: early closes, 12:45 New York (and in summer time)' '
	for day in 2025-11-28:17 2024-12-24:17 2025-07-03:16
	do
		d=${day%:*}T h=${day#*:} &&
		{
			bar ${d}15:00:00Z A 10 &&
			order ${d}15:00:00Z s-A-1 buy 100 s &&
			bar ${d}15:01:00Z A 10 &&
			bar ${d}${h}:44:59Z A 10 &&
			bar ${d}${h}:45:00Z A 10 &&
			bar ${d}${h}:46:00Z A 10
		} >in &&
		liu-order sim --liquidate-before 15m <in >out 2>err &&
		echo "liu-order: liquidation before the close of ${day%:*} 13:00 New York: 0 orders canceled, 1 day position flattened, 0 swing positions kept" >expect &&
		test_cmp expect err &&
		liq_fills out >got &&
		echo "[\"${d}${h}:45:00Z\",\"s-A-liquidation-$(echo ${day%:*} | tr -d -)\",\"sell\",100,10]" >expect &&
		test_cmp expect got || return 1
	done
'

test_expect_success 'sim: a bracket'"'"'s shares are sold once its legs are cancelled, once' '
	{
		bar ${D}20:30:00Z A 10 &&
		order ${D}20:30:00Z s-A-1 buy 100 s "\"bracket\":true,\"stop_loss\":9,\"target\":12" &&
		bar ${D}20:31:00Z A 10 &&
		bar ${D}20:32:00Z A 10 &&
		bar ${D}20:45:00Z A 10 &&
		bar ${D}20:46:00Z A 10.5 &&
		bar ${D}20:47:00Z A 10.5 &&
		bar ${D}20:47:00Z A 10.5 &&
		bar ${D}20:48:00Z A 10.5
	} >in &&
	liu-order sim --liquidate-before 15m <in >out 2>err &&
	echo "liu-order: liquidation before the close of 2025-11-26 16:00 New York: 2 orders canceled, 1 day position flattened, 0 swing positions kept" >expect &&
	test_cmp expect err &&
	liq_cancels out >got &&
	printf "%s\n" "[\"${D}20:45:00Z\",\"s-A-1-stop\",\"s\",\"liquidation\",\"liquidation\"]" \
	    "[\"${D}20:45:00Z\",\"s-A-1-target\",\"s\",\"liquidation\",\"liquidation\"]" >expect &&
	test_cmp expect got &&
	liq_fills out >got &&
	echo "[\"${D}20:46:00Z\",\"s-A-liquidation-20251126\",\"sell\",100,10.5]" >expect &&
	test_cmp expect got &&
	jq -s "map(select(.ev == \"fill\") | if .side == \"buy\" then .qty else -.qty end) | add" out >net &&
	echo 0 >expect && test_cmp expect net
'

test_expect_success 'sim: the liquidation fed back is a retry; the same day is not done twice' '
	{
		bar ${D}20:30:00Z A 10 &&
		order ${D}20:30:00Z s-A-1 buy 100 s &&
		bar ${D}20:31:00Z A 10 &&
		bar ${D}20:45:00Z A 10
	} >in &&
	liu-order sim --liquidate-before 15m <in >out 2>/dev/null &&
	{
		cat in &&
		grep "\"ev\":\"order\".*liquidation" out &&
		bar ${D}20:46:00Z A 10 &&
		bar ${D}20:46:00Z A 10 &&
		bar ${D}20:47:00Z A 10
	} >in2 &&
	liu-order sim -v --liquidate-before 15m <in2 >out2 2>err2 &&
	test "$(liq_orders out2 | wc -l)" = 1 &&
	test "$(liq_fills out2 | wc -l)" = 1 &&
	test "$(grep -c "liquidation before the close" err2)" = 1 &&
	test_grep "1 repeats ignored" err2 &&
	test_grep "end of day: 1 liquidations, 0 orders canceled and 1 placed" err2
'

test_expect_success 'sim: positions given, swing kept; new day orders refused in the window' '
	{
		echo "{\"ev\":\"position\",\"t\":\"${D}20:00:00Z\",\"sym\":\"C\",\"qty\":30,\"avg_price\":5,\"strategy\":\"p\"}" &&
		echo "{\"ev\":\"position\",\"t\":\"${D}20:00:00Z\",\"sym\":\"D\",\"qty\":40,\"avg_price\":5,\"strategy\":\"p\",\"horizon\":\"swing\"}" &&
		echo "{\"ev\":\"position\",\"t\":\"${D}20:00:00Z\",\"sym\":\"E\",\"qty\":-5,\"avg_price\":5}" &&
		bar ${D}20:45:00Z C 6 &&
		order ${D}20:46:00Z p-C-2 buy 1 p "" C &&
		order ${D}20:46:00Z p-D-2 buy 1 p "\"horizon\":\"swing\"" D &&
		bar ${D}20:47:00Z C 6 &&
		bar ${D}20:47:00Z D 6 &&
		bar ${D}20:47:00Z E 6
	} >in &&
	liu-order sim --liquidate-before 15m <in >out 2>err &&
	echo "liu-order: liquidation before the close of 2025-11-26 16:00 New York: 0 orders canceled, 2 day positions flattened, 1 swing position kept" >expect &&
	test_cmp expect err &&
	liq_orders out >got &&
	cat >expect <<-EOF &&
	["${D}20:45:00Z","C","p-C-liquidation-20251126","sell",30,"p",null,"market","liquidation"]
	["${D}20:45:00Z","E","E-liquidation-20251126","buy_to_cover",5,null,null,"market","liquidation"]
	EOF
	test_cmp expect got &&
	jq -c "select(.ev == \"order_update\" and (.id | startswith(\"p-\")) and .tag == null) | [.id, .status, .why]" out >got &&
	printf "%s\n" "[\"p-C-2\",\"rejected\",\"liquidation before the close: no new day orders\"]" \
	    "[\"p-D-2\",\"new\",null]" "[\"p-D-2\",\"filled\",null]" >expect &&
	test_cmp expect got
'

test_expect_success 'sim: a window no event falls in is missed, and said; the next day is not' '
	{
		bar ${D}20:30:00Z A 10 &&
		order ${D}20:30:00Z s-A-1 buy 100 s &&
		bar ${D}20:31:00Z A 10 &&
		bar 2025-11-28T14:31:00Z A 10 &&
		bar 2025-11-28T17:50:00Z A 10
	} >in &&
	liu-order sim --liquidate-before 15m <in >out 2>err &&
	cat >expect <<-\EOF &&
	liu-order: no time seen in the 15 minutes before the close of 2025-11-26 16:00 New York: 1 day position not liquidated
	liu-order: liquidation before the close of 2025-11-28 13:00 New York: 0 orders canceled, 1 day position flattened, 0 swing positions kept
	EOF
	test_cmp expect err &&
	liq_orders out >got &&
	echo "[\"2025-11-28T17:50:00Z\",\"A\",\"s-A-liquidation-20251128\",\"sell\",100,\"s\",null,\"market\",\"liquidation\"]" >expect &&
	test_cmp expect got
'

test_expect_success 'sim: two sessions, one liquidation each' '
	{
		bar ${D}20:30:00Z A 10 &&
		order ${D}20:30:00Z s-A-1 buy 100 s &&
		bar ${D}20:31:00Z A 10 &&
		bar ${D}20:50:00Z A 10 &&
		bar ${D}20:55:00Z A 10 &&
		bar 2025-11-28T15:00:00Z A 10 &&
		order 2025-11-28T15:00:00Z s-A-2 buy 10 s &&
		bar 2025-11-28T15:01:00Z A 10 &&
		bar 2025-11-28T17:46:00Z A 10 &&
		bar 2025-11-28T17:47:00Z A 10
	} >in &&
	liu-order sim --liquidate-before 15m <in >out 2>err &&
	test "$(grep -c "liquidation before" err)" = 2 &&
	liq_fills out >got &&
	printf "%s\n" "[\"${D}20:50:00Z\",\"s-A-liquidation-20251126\",\"sell\",100,10]" \
	    "[\"2025-11-28T17:46:00Z\",\"s-A-liquidation-20251128\",\"sell\",10,10]" >expect &&
	test_cmp expect got
'

T=2024-03-01T14
test_expect_success 'sim: --cancel-after cancels entries left unfilled, not exits nor legs' '
	{
		bar ${T}:30:00Z A 10 &&
		order ${T}:31:00Z e1 buy 10 s "\"type\":\"limit\",\"limit\":5" &&
		order ${T}:31:00Z e3 sell_short 10 s "\"type\":\"limit\",\"limit\":20" &&
		order ${T}:31:00Z m buy 10 s "\"type\":\"market\"" &&
		order ${T}:31:00Z k buy 10 s "\"bracket\":true,\"stop_loss\":9,\"target\":12" B &&
		order ${T}:32:00Z e2 buy 10 s "\"type\":\"limit\",\"limit\":5,\"tif\":\"gtc\"" &&
		bar ${T}:32:00Z A 10 &&
		bar ${T}:32:00Z B 10 &&
		order ${T}:33:00Z x sell 10 s "\"type\":\"stop\",\"stop\":1" &&
		bar ${T}:35:00Z A 10 &&
		bar ${T}:36:00Z A 10 &&
		bar ${T}:36:00Z B 10 &&
		bar ${T}:37:00Z A 10 &&
		bar ${T}:40:00Z A 10 &&
		bar ${T}:40:00Z B 10
	} >in &&
	liu-order sim --cancel-after 5m --keep-open <in >out 2>err &&
	test_must_be_empty err &&
	liq_cancels out >got &&
	printf "%s\n" "[\"${T}:36:00Z\",\"e1\",\"s\",\"cancel_after\",\"cancel_after\"]" \
	    "[\"${T}:36:00Z\",\"e3\",\"s\",\"cancel_after\",\"cancel_after\"]" \
	    "[\"${T}:37:00Z\",\"e2\",\"s\",\"cancel_after\",\"cancel_after\"]" >expect &&
	test_cmp expect got &&
	jq -c "select(.ev == \"order_update\" and .status == \"canceled\") | [.t, .id]" out >got &&
	printf "%s\n" "[\"${T}:36:00Z\",\"e1\"]" "[\"${T}:36:00Z\",\"e3\"]" \
	    "[\"${T}:37:00Z\",\"e2\"]" >expect &&
	test_cmp expect got
'

test_expect_success 'bad durations are usage errors' '
	: >in &&
	test_expect_code 2 liu-order sim --liquidate-before soon <in 2>e1 &&
	test_grep "invalid --liquidate-before" e1 &&
	test_expect_code 2 liu-order sim --cancel-after 0 <in 2>e2 &&
	test_grep "invalid --cancel-after" e2
'

# Alpaca, against t/fake-alpaca-trade.py: time is the clock, pinned by
# LIU_NOW a few seconds before the window opens, for the fake too; the
# close is the one of the fake's GET /v2/clock.
. "$SRC_DIR/t/lib-tls.sh"
. "$SRC_DIR/t/lib-fake.sh"
have_fake=
if fake_stream_have && command -v curl >/dev/null && tls_setup
then
	have_fake=1
fi
fake_prereq () {
	test -n "$have_fake" ||
	liu_t_skip_next="${fake_missing:-curl or the test certificates}"
}
rand () {
	od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}
APCA_API_KEY_ID=PKT$(rand 8)
APCA_API_SECRET_KEY=sk-$(rand 16)
export APCA_API_KEY_ID APCA_API_SECRET_KEY
unset APCA_API_BASE_URL LIU_ENV

# aorder ID SIDE QTY STRATEGY [MEMBERS [SYM]]
aorder () {
	order 2025-11-26T20:44:00Z "$@"
}
# alo NAME NOW [OPTION...]: liu-order alpaca against the fake NAME, from
# the FIFO NAME.in, in the background (its pid in alo_pid), the clock at
# NOW; the test writes to descriptor 9
alo () {
	alo_n=$1 alo_now=$2
	shift 2
	mkfifo "$alo_n.in" &&
	{
		LIU_NOW=$alo_now liu-order alpaca --url \
		    "https://127.0.0.1:$(cat "$alo_n.port")" --cacert "$TLS_CA" \
		    "$@" <"$alo_n.in" >"$alo_n.out" 2>"$alo_n.err" &
	} &&
	alo_pid=$! &&
	exec 9>"$alo_n.in"
}
# alo_end: close its input and wait for it
alo_end () {
	exec 9>&- &&
	wait $alo_pid
}
broker () {
	alpaca_curl "https://127.0.0.1:$(cat "$1.port")$2" | jq -r "$3"
}

NOW=2025-11-26T15:44:56-05:00
fake_prereq
test_expect_success 'alpaca: at 15:45 by the clock, cancels, sells, swing kept' '
	echo "{\"price\":100,\"clock\":{\"is_open\":\"auto\"}}" >a1.json &&
	LIU_NOW=$NOW fake_trade_start a1 --script a1.json &&
	alo a1 $NOW --liquidate-before 15m &&
	{
		aorder s-AAPL-1 buy 10 s "\"batch\":\"b1\"" AAPL &&
		aorder s-AAPL-2 buy 5 s "\"type\":\"limit\",\"limit\":90,\"batch\":\"b1\"" AAPL &&
		aorder w-MSFT-1 buy 5 w "\"horizon\":\"swing\"" MSFT
	} >&9 &&
	test_wait_for "grep -q \"\\\"ev\\\":\\\"fill\\\".*liquidation\" a1.out" 30 &&
	alo_end &&
	echo "liu-order: liquidation before the close of 2025-11-26 16:00 New York: 1 order canceled, 1 day position flattened, 1 swing position kept" >expect &&
	test_cmp expect a1.err &&
	liq_cancels a1.out | jq -c ".[1:]" >got &&
	echo "[\"s-AAPL-2\",\"s\",\"liquidation\",\"liquidation\"]" >expect &&
	test_cmp expect got &&
	liq_orders a1.out | jq -c ".[1:]" >got &&
	echo "[\"AAPL\",\"s-AAPL-liquidation-20251126\",\"sell\",10,\"s\",\"b1\",\"market\",\"liquidation\"]" >expect &&
	test_cmp expect got &&
	test "$(liq_fills a1.out | wc -l)" = 1 &&
	grep "^GET /v2/clock 200" a1.log &&
	grep "^DELETE /v2/orders/.* 204" a1.log &&
	broker a1 "/v2/orders?status=all&direction=asc" \
	    ".[] | [.client_order_id, .side, .qty, .status] | join(\" \")" >got &&
	cat >expect <<-\EOF &&
	s-AAPL-1 buy 10 filled
	s-AAPL-2 buy 5 canceled
	w-MSFT-1 buy 5 filled
	s-AAPL-liquidation-20251126 sell 10 filled
	EOF
	test_cmp expect got &&
	broker a1 /v2/positions ".[] | [.symbol, .qty] | join(\" \")" >got &&
	echo "MSFT 5" >expect &&
	test_cmp expect got
'

fake_prereq
test_expect_success 'alpaca: the broker'"'"'s early close is the one watched' '
	echo "{\"price\":100,\"clock\":{\"is_open\":\"auto\",
	    \"early_closes\":{\"2025-12-01\":\"14:00\"}}}" >a2.json &&
	now=2025-12-01T13:44:56-05:00 &&
	LIU_NOW=$now fake_trade_start a2 --script a2.json &&
	alo a2 $now --liquidate-before 15m &&
	aorder s-AAPL-1 buy 10 s "" AAPL >&9 &&
	test_wait_for "grep -q \"\\\"ev\\\":\\\"fill\\\".*liquidation\" a2.out" 30 &&
	alo_end &&
	echo "liu-order: liquidation before the close of 2025-12-01 14:00 New York: 0 orders canceled, 1 day position flattened, 0 swing positions kept" >expect &&
	test_cmp expect a2.err &&
	liq_orders a2.out | jq -c ".[1:4]" >got &&
	echo "[\"AAPL\",\"s-AAPL-liquidation-20251201\",\"sell\"]" >expect &&
	test_cmp expect got
'

fake_prereq
test_expect_success 'alpaca: --cancel-after by the clock' '
	echo "{\"symbols\":{\"AAPL\":{\"mode\":\"hold\"}}}" >a3.json &&
	fake_trade_start a3 --script a3.json &&
	alo a3 $NOW --cancel-after 2s &&
	{
		aorder s-AAPL-1 buy 10 s "\"type\":\"limit\",\"limit\":90" AAPL &&
		aorder s-AAPL-2 buy 10 s "\"type\":\"limit\",\"limit\":90,\"tif\":\"ioc\"" AAPL
	} >&9 &&
	test_wait_for "grep -q cancel_after a3.out" 30 &&
	alo_end &&
	liq_cancels a3.out | jq -c ".[1:]" >got &&
	echo "[\"s-AAPL-1\",\"s\",\"cancel_after\",\"cancel_after\"]" >expect &&
	test_cmp expect got &&
	test "$(grep -c "^DELETE /v2/orders/" a3.log)" = 1 &&
	test_must_be_empty a3.err
'

test_done
