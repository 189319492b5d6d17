#!/bin/sh
test_description='liu-order sim: the simulated broker and the rules of the order loop'
. "$(dirname "$0")/test-lib.sh"

# 2024-03-01 is a Friday: 14:30Z is the 09:30 New York open, the session
# closes at 21:00Z.  Every price below is chosen so that the fill prices
# can be worked out by hand from the rules of liu-order(1).

# bar MIN O H L C [SYM]: the one-minute bar of 14:MIN
bar () {
	printf '{"ev":"bar","t":"2024-03-01T14:%02d:00Z","sym":"%s","o":%s,"h":%s,"l":%s,"c":%s,"v":100}\n' \
	    "$1" "${6:-A}" "$2" "$3" "$4" "$5"
}
# order TIME ID SIDE QTY [MEMBERS [SYM]]: TIME is MM or MM:SS after 14:00
order () {
	printf '{"ev":"order","t":"2024-03-01T14:%s%sZ","sym":"%s","id":"%s","side":"%s","qty":%s,"strategy":"s"%s}\n' \
	    "$1" "$(case $1 in *:*) ;; *) echo :00 ;; esac)" "${6:-A}" "$2" \
	    "$3" "$4" "${5:+,$5}"
}
# cancel TIME ID [SYM]
cancel () {
	printf '{"ev":"cancel","t":"2024-03-01T14:%s%sZ","sym":"%s","id":"%s","strategy":"s"}\n' \
	    "$1" "$(case $1 in *:*) ;; *) echo :00 ;; esac)" "${3:-A}" "$2"
}
trade () {
	printf '{"ev":"trade","t":"2024-03-01T14:%s","sym":"%s","price":%s,"size":100}\n' \
	    "$1" "${3:-B}" "$2"
}
quote () {
	printf '{"ev":"quote","t":"2024-03-01T14:%s","sym":"%s","bid":%s,"ask":%s}\n' \
	    "$1" "${4:-B}" "$2" "$3"
}
# fills FILE: id, qty and price of each fill; updates FILE: id and status
fills () {
	jq -c 'select(.ev == "fill") | [.id, .qty, .price]' "$1"
}
updates () {
	jq -c 'select(.ev == "order_update") | [.id, .status] +
	    (if .why then [.why] else [] end)' "$1"
}

# The order ids of the sim are "sim-" and the FNV-1a 64 hash of the client
# id, computed here by Python (hashlib has no FNV):
#   s-A-1 3f36d85b7c2c557e
S1=sim-3f36d85b7c2c557e

test_expect_success 'golden: a market order fills at the next bar'"'"'s open' '
	{
		bar 30 10 10.5 9.8 10.2 &&
		order 31 s-A-1 buy 100 "\"type\":\"market\"" &&
		bar 31 10.3 10.6 10.1 10.5
	} >in &&
	liu-order sim <in >out 2>err &&
	test_must_be_empty err &&
	{
		sed -n 2p in &&
		echo "{\"ev\":\"order_update\",\"t\":\"2024-03-01T14:31:00Z\",\"sym\":\"A\",\"id\":\"s-A-1\",\"order_id\":\"$S1\",\"status\":\"new\",\"strategy\":\"s\",\"client_order_id\":\"s-A-1\"}" &&
		echo "{\"ev\":\"fill\",\"t\":\"2024-03-01T14:31:00Z\",\"sym\":\"A\",\"id\":\"s-A-1\",\"order_id\":\"$S1\",\"exec_id\":\"$S1-1\",\"side\":\"buy\",\"qty\":100,\"price\":10.3,\"fee\":0,\"partial\":false,\"strategy\":\"s\"}" &&
		echo "{\"ev\":\"order_update\",\"t\":\"2024-03-01T14:31:00Z\",\"sym\":\"A\",\"id\":\"s-A-1\",\"order_id\":\"$S1\",\"status\":\"filled\",\"filled_qty\":100,\"strategy\":\"s\"}"
	} >expect &&
	test_cmp expect out
'

test_skip_unless_have python3
test_expect_success 'order ids: FNV-1a 64 of the client id, by Python' '
	python3 -c "
h = 0xcbf29ce484222325
for c in b\"s-A-1\":
    h = ((h ^ c) * 0x100000001b3) & 0xffffffffffffffff
print(\"sim-%016x\" % h)" >want &&
	echo $S1 >got &&
	test_cmp want got
'

# Bar 31 (o 10.3 h 10.6 l 10.1) and bar 32 (o 10.4 h 10.5 l 9.9), by
# hand: a market buy at the open 10.3; limit buys at 10.2 (the low reaches
# it: at the limit), 10.4 (the open is better: 10.3) and 10 (not on bar
# 31; on bar 32 the low 9.9 reaches it: 10); stop buys at 10.5 (the high
# reaches it: 10.5) and 10.2 (the open is through it: 10.3); a stop limit
# 10.5/10.55 triggers at 10.5, within the limit: 10.5; one 10.5/10.45
# triggers at 10.5, beyond the limit, rests as a limit at 10.45 and fills
# at bar 32's open 10.4; a limit short sale at 10.55 (the high reaches
# it); a stop short sale at 10 (bar 32's low 9.9: 10); a market buy of
# 14:31:30 is not filled by bar 31, which began before it: bar 32's open.
test_expect_success 'order types on bars: open, high and low, by hand' '
	{
		bar 30 10 10.5 9.8 10.2 &&
		order 31 m1 buy 10 &&
		order 31 l1 buy 10 "\"type\":\"limit\",\"limit\":10.2" &&
		order 31 l2 buy 10 "\"type\":\"limit\",\"limit\":10.4" &&
		order 31 l3 buy 10 "\"type\":\"limit\",\"limit\":10" &&
		order 31 st1 buy 10 "\"type\":\"stop\",\"stop\":10.5" &&
		order 31 st2 buy 10 "\"type\":\"stop\",\"stop\":10.2" &&
		order 31 sl1 buy 10 "\"type\":\"stop_limit\",\"stop\":10.5,\"limit\":10.55" &&
		order 31 sl2 buy 10 "\"type\":\"stop_limit\",\"stop\":10.5,\"limit\":10.45" &&
		order 31 ss1 sell_short 10 "\"type\":\"limit\",\"limit\":10.55" &&
		order 31 ss2 sell_short 10 "\"type\":\"stop\",\"stop\":10" &&
		order 31:30 m2 buy 10 &&
		bar 31 10.3 10.6 10.1 10.5 &&
		bar 32 10.4 10.5 9.9 10
	} >in &&
	liu-order sim <in >out &&
	fills out >got &&
	cat >want <<-\EOF &&
	["m1",10,10.3]
	["l1",10,10.2]
	["l2",10,10.3]
	["st1",10,10.5]
	["st2",10,10.3]
	["sl1",10,10.5]
	["ss1",10,10.55]
	["l3",10,10]
	["sl2",10,10.4]
	["ss2",10,10]
	["m2",10,10.4]
	EOF
	test_cmp want got
'

# Trades fill at their price; quotes at the ask for a buyer, the bid for
# a seller.
test_expect_success 'trades and quotes' '
	{
		order 31 t1 buy 5 "" B &&
		order 31 t2 buy 5 "\"type\":\"limit\",\"limit\":20" B &&
		trade 31:05Z 20.1 &&
		trade 31:06Z 19.98 &&
		order 32 q1 buy 5 "" B &&
		order 32 q2 sell_short 5 "\"strategy\":\"t\"" B &&
		order 32 q3 buy 5 "\"type\":\"limit\",\"limit\":19.9" B &&
		quote 32:01Z 19.85 19.95 &&
		quote 32:02Z 19.8 19.9
	} >in &&
	liu-order sim <in >out &&
	fills out >got &&
	cat >want <<-\EOF &&
	["t1",5,20.1]
	["t2",5,19.98]
	["q1",5,19.95]
	["q2",5,19.85]
	["q3",5,19.9]
	EOF
	test_cmp want got
'

# 200 bought at bar 30'"'"'s open 50; the last price is then its close 50.5.
# Bar 31 (o 50.6 h 52 l 50.2): the stops, 49.5 (trail 1) and 50.5 less
# 2.5% (49.2375), are not reached; the best price becomes 52.  Bar 32
# (o 51 h 51.3 l 50.4): the stops are 51, which the open reaches (51),
# and 52 less 2.5%, 50.7, which the low reaches (50.7).
test_expect_success 'trailing stops by price and by percent' '
	{
		order 30 e buy 200 "" C &&
		bar 30 50 50.6 49.9 50.5 C &&
		order 31 tp sell 100 "\"type\":\"trailing_stop\",\"trail_price\":1" C &&
		order 31 tq sell 100 "\"type\":\"trailing_stop\",\"trail_percent\":2.5" C &&
		bar 31 50.6 52 50.2 51.2 C &&
		bar 32 51 51.3 50.4 50.6 C
	} >in &&
	liu-order sim <in >out &&
	fills out >got &&
	printf "%s\n" "[\"e\",200,50]" "[\"tp\",100,51]" "[\"tq\",100,50.7]" \
	    >want &&
	test_cmp want got
'

test_expect_success 'orders the broker cannot take are rejected, with why' '
	{
		order 31 r1 sell_short 1 "\"type\":\"trailing_stop\"" &&
		order 31 r2 sell_short 1 "\"type\":\"trailing_stop\",\"trail_price\":1,\"trail_percent\":1" &&
		order 31 r3 buy 1 "\"type\":\"iceberg\"" &&
		order 31 r4 buy 0 &&
		order 31 r5 buy 1 "\"type\":\"limit\"" &&
		order 31 r6 buy 1 "\"type\":\"stop_limit\",\"limit\":1" &&
		order 31 r7 buy 1 "\"stop_loss\":-1"
	} >in &&
	liu-order sim <in >out &&
	updates out >got &&
	cat >want <<-\EOF &&
	["r1","rejected","trailing_stop wants one of a positive trail_price or a trail_percent between 0 and 100"]
	["r2","rejected","trailing_stop wants one of a positive trail_price or a trail_percent between 0 and 100"]
	["r3","rejected","unknown order type \"iceberg\""]
	["r4","rejected","qty is not a positive number"]
	["r5","rejected","no positive limit price"]
	["r6","rejected","no positive stop price"]
	["r7","rejected","stop_loss or target is not positive"]
	EOF
	test_cmp want got &&
	test "$(grep -c "\"ev\":\"order\"" out)" = 7
'

test_expect_success '--max-fill-qty: partial fills, cumulative filled_qty' '
	{
		order 30 p buy 100 &&
		bar 30 10 10 10 10 && bar 31 11 11 11 11 && bar 32 12 12 12 12
	} >in &&
	liu-order sim --max-fill-qty 40 <in >out &&
	jq -c "select(.ev == \"fill\") | [.qty, .price, .partial,
	    (.exec_id | ltrimstr(\"sim-\") | sub(\"^[0-9a-f]{16}\"; \"\"))]" \
	    out >got &&
	cat >want <<-\EOF &&
	[40,10,true,"-1"]
	[40,11,true,"-2"]
	[20,12,false,"-3"]
	EOF
	test_cmp want got &&
	jq -c "select(.ev == \"order_update\") | [.status, .filled_qty]" \
	    out >got &&
	printf "%s\n" "[\"new\",null]" "[\"partially_filled\",40]" \
	    "[\"partially_filled\",80]" "[\"filled\",100]" >want &&
	test_cmp want got
'

test_expect_success '--fee-per-share: a fee a fill, to 1/100 cent' '
	{ order 30 f buy 333 && bar 30 10 10 10 10; } >in &&
	liu-order sim --fee-per-share 0.0035 <in >out &&
	jq -c "select(.ev == \"fill\") | .fee" out >got &&
	echo 1.1655 >want &&
	test_cmp want got
'

# The rules of the loop.

test_expect_success 'results read are never written again, even with --pass' '
	{
		echo "{\"ev\":\"fill\",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"A\",\"id\":\"x\",\"side\":\"buy\",\"qty\":1,\"price\":1}" &&
		echo "{\"ev\":\"order_update\",\"t\":\"2024-03-01T14:30:00Z\",\"id\":\"x\",\"status\":\"new\"}" &&
		bar 30 10 10 10 10
	} >in &&
	liu-order sim <in >out &&
	test_must_be_empty out &&
	liu-order sim --pass -v <in >out 2>err &&
	bar 30 10 10 10 10 >want &&
	test_cmp want out &&
	test_grep "2 results read and dropped" err
'

test_expect_success '--pass: every other event, in order, before what it causes' '
	{
		echo "{\"ev\":\"pick\",\"t\":\"2024-03-01T14:29:00Z\",\"sym\":\"A\"}" &&
		bar 29 10 10 10 10 &&
		order 30 s-A-1 buy 100 &&
		echo "{\"ev\":\"clock\",\"t\":\"2024-03-01T14:30:00Z\"}" &&
		echo "{\"ev\":\"news\",\"t\":\"2024-03-01T14:30:00Z\",\"x\":[1]}" &&
		bar 30 10.3 10.6 10.1 10.5
	} >in &&
	liu-order sim --pass <in >out &&
	jq -c "[.ev, .status]" out >got &&
	cat >want <<-\EOF &&
	["pick",null]
	["bar",null]
	["order",null]
	["order_update","new"]
	["clock",null]
	["news",null]
	["bar",null]
	["fill",null]
	["order_update","filled"]
	EOF
	test_cmp want got &&
	grep -v "order_update\|fill" out >passed &&
	test_cmp in passed
'

test_expect_success 'an order seen again is placed once; a changed one is rejected' '
	{
		order 30 s-A-1 buy 100 &&
		order 30 s-A-1 buy 100 &&
		order 30:20 s-A-1 buy 100 "\"why\":{\"reason\":\"retry\"}" &&
		order 30 s-A-1 buy 50 &&
		order 30 s-A-1 sell 100 &&
		order 30 s-A-1 buy 100 "\"type\":\"limit\",\"limit\":10" &&
		order 30 s-A-1 buy 100 "\"batch\":\"b2\"" &&
		bar 30 10 10 10 10
	} >in &&
	liu-order sim -v <in >out 2>err &&
	updates out >got &&
	cat >want <<-\EOF &&
	["s-A-1","new"]
	["s-A-1","rejected","duplicate client order id"]
	["s-A-1","rejected","duplicate client order id"]
	["s-A-1","rejected","duplicate client order id"]
	["s-A-1","rejected","client order id collision"]
	["s-A-1","filled"]
	EOF
	test_cmp want got &&
	test "$(jq -c "select(.ev == \"order\")" out | wc -l)" = 1 &&
	test_grep "2 repeats ignored, 4 duplicate ids rejected" err &&
	jq -c "select(.ev == \"fill\") | [.id, .batch, .qty]" out >got &&
	echo "[\"s-A-1\",null,100]" >want &&
	test_cmp want got
'

# Another batch with the same short id is another order, but would reach
# the broker under the same client id: a long id carries its batch in
# its hash.
test_expect_success 'another batch: a short id collides, a long one does not' '
	{
		order 30 s-A-1 buy 100 "\"batch\":\"b1\"" &&
		order 30 s-A-1 buy 100 "\"batch\":\"b2\"" &&
		order 30 s-A-1-01234567890123456789012345678901234567890123456789 buy 1 "\"batch\":\"b1\"" &&
		order 30 s-A-1-01234567890123456789012345678901234567890123456789 buy 1 "\"batch\":\"b2\""
	} >in &&
	liu-order sim <in >out &&
	jq -c "select(.ev == \"order_update\" and .status != \"expired\")
	    | [.batch, .status, .why]" out >got &&
	cat >want <<-\EOF &&
	["b1","new",null]
	["b2","rejected","client order id collision"]
	["b1","new",null]
	["b2","new",null]
	EOF
	test_cmp want got
'

B=0f8e2a6c-5d1b-4c39-9a57-3f0e2d7b8c41
LONG=$B-momentum_long-AAPL-1
test_expect_success 'client ids: at most 48 characters, the same on every run' '
	printf "%s\n" "{\"ev\":\"order\",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"AAPL\",\"id\":\"$LONG\",\"side\":\"buy\",\"qty\":1,\"strategy\":\"momentum_long\",\"batch\":\"$B\"}" >in &&
	liu-order sim <in >out &&
	liu-order sim <in >out2 &&
	test_cmp out out2 &&
	jq -r "select(.status == \"new\") | .client_order_id" out >cid &&
	test "$(wc -c <cid)" -le 49 &&
	test_grep "^momentum_long-AAPL-1-[0-9a-f]\{16\}\$" cid &&
	jq -r "select(.ev == \"order_update\") | .id" out | uniq >ids &&
	echo "$LONG" >want &&
	test_cmp want ids
'

test_skip_unless_have python3
test_expect_success 'client ids: the hash is FNV-1a 64 of batch, NUL, id, by Python' '
	python3 -c "
h = 0xcbf29ce484222325
for c in b\"$B\" + b\"\\0\" + b\"$LONG\":
    h = ((h ^ c) * 0x100000001b3) & 0xffffffffffffffff
print(\"momentum_long-AAPL-1-%016x\" % h)" >want &&
	test_cmp want cid
'

# Strategy s 100 long: sells of 150, then 100, then 1 (the open sell
# wants the 100); strategy o holds nothing; a short sale of strategy t
# needs no position, its covers of 60 (50 short) and 50; neither side
# turns over without going through flat.
O='"strategy":"o"' T='"strategy":"t"'
test_expect_success 'a sell beyond the long position is rejected, never sent' '
	{
		order 30 b buy 100 && bar 30 10 10 10 10 &&
		order 31 s1 sell 150 &&
		order 31 s2 sell 100 "\"type\":\"limit\",\"limit\":20" &&
		order 31 s3 sell 1 &&
		order 31 s4 sell 1 "$O" &&
		order 31 s5 sell_short 1 &&
		order 31 x1 sell_short 50 "$T" &&
		bar 31 10 10 10 10 &&
		order 32 c1 buy_to_cover 60 "$T" &&
		order 32 c2 buy 50 "$T" &&
		order 32 c3 buy_to_cover 50 "$T" &&
		bar 32 10 10 10 10
	} >in &&
	liu-order sim --keep-open <in >out &&
	updates out >got &&
	cat >want <<-\EOF &&
	["b","new"]
	["b","filled"]
	["s1","rejected","sell of 150 exceeds the long position: 100 available"]
	["s2","new"]
	["s3","rejected","sell of 1 exceeds the long position: 0 available"]
	["s4","rejected","sell of 1 exceeds the long position: 0 available"]
	["s5","rejected","sell_short while long: sell first"]
	["x1","new"]
	["x1","filled"]
	["c1","rejected","buy_to_cover of 60 exceeds the short position: 50 available"]
	["c2","rejected","buy while short: buy_to_cover first"]
	["c3","new"]
	["c3","filled"]
	EOF
	test_cmp want got
'

test_expect_success 'a position event sets where a strategy starts' '
	{
		echo "{\"ev\":\"position\",\"t\":\"2024-03-01T14:29:00Z\",\"sym\":\"A\",\"qty\":100,\"avg_price\":9,\"strategy\":\"s\"}" &&
		order 30 s1 sell 100 && order 30 s2 sell 1 &&
		bar 30 10 10 10 10
	} >in &&
	liu-order sim <in >out &&
	updates out >got &&
	cat >want <<-\EOF &&
	["s1","new"]
	["s2","rejected","sell of 1 exceeds the long position: 0 available"]
	["s1","filled"]
	EOF
	test_cmp want got
'

# Capital 10000: 100 at the last price 10.2 is 1020; a limit buy of 1000
# at 10 wants 10000 of the 8980 left; with --margin 2, 18980 are left.
test_expect_success '--capital and --margin: buying power' '
	{
		order 29 early buy 1 &&
		bar 30 10 10.5 9.8 10.2 &&
		order 31 a buy 100 &&
		order 31 b buy 1000 "\"type\":\"limit\",\"limit\":10" &&
		order 31 c sell 100
	} >in &&
	liu-order sim --capital 10000 <in >out &&
	updates out >got &&
	cat >want <<-\EOF &&
	["early","rejected","no price of A yet to value the order"]
	["a","new"]
	["b","rejected","insufficient buying power: 10000.00 wanted, 8980.00 available"]
	["c","rejected","sell of 100 exceeds the long position: 0 available"]
	["a","expired","end of input"]
	EOF
	test_cmp want got &&
	liu-order sim --capital 10000 --margin 2 <in >out &&
	updates out >got &&
	test_grep "\[\"b\",\"new\"\]" got
'

# Cancels.

test_expect_success 'a cancel takes effect at the next event of its time' '
	{
		order 31 l buy 10 "\"type\":\"limit\",\"limit\":9" &&
		cancel 31:30 l &&
		bar 31 10 10 10 10 &&
		bar 32 10 10 10 10 &&
		cancel 33 l
	} >in &&
	liu-order sim -v <in >out 2>err &&
	jq -c "[.ev, .t, .status, .why]" out >got &&
	cat >want <<-\EOF &&
	["order","2024-03-01T14:31:00Z",null,null]
	["order_update","2024-03-01T14:31:00Z","new",null]
	["cancel","2024-03-01T14:31:30Z",null,null]
	["order_update","2024-03-01T14:31:30Z","pending_cancel",null]
	["order_update","2024-03-01T14:32:00Z","canceled","canceled on request"]
	EOF
	test_cmp want got &&
	test_grep "1 cancels, 1 cancels of closed orders" err
'

test_expect_success 'a fill after a cancel (a late fill) is written' '
	{
		order 31 m buy 100 && cancel 31 m &&
		order 31 p buy 100 && cancel 31 p &&
		bar 31 10 10 10 10
	} >in &&
	liu-order sim -v --max-fill-qty 60 <in >out 2>err &&
	updates out >got &&
	cat >want <<-\EOF &&
	["m","new"]
	["m","pending_cancel"]
	["p","new"]
	["p","pending_cancel"]
	["m","partially_filled"]
	["m","canceled","canceled on request"]
	["p","partially_filled"]
	["p","canceled","canceled on request"]
	EOF
	test_cmp want got &&
	fills out >got &&
	printf "%s\n" "[\"m\",60,10]" "[\"p\",60,10]" >want &&
	test_cmp want got &&
	test_grep "2 late fills" err &&
	liu-order sim <in >out &&
	updates out >got &&
	test_grep "\[\"m\",\"filled\"\]" got &&
	test_grep ! canceled got
'

test_expect_success 'a cancel for an unknown order is a bad line' '
	{ cancel 31 nosuch && order 31 m buy 1 && bar 31 1 1 1 1; } >in &&
	test_expect_code 1 liu-order sim <in >out 2>err &&
	test_grep "^liu-order: <stdin>:1: cancel for unknown order \"nosuch\"\$" err &&
	test_grep "skipped 1 bad line" err &&
	test "$(fills out)" = "[\"m\",1,1]"
'

# Brackets.  Entry at bar 31'"'"'s open 20.2; the legs, stop 19 and target 21,
# start at bar 32, whose high 21.2 reaches the target: 21; the stop is
# cancelled.  A short bracket whose stop, 21, bar 32 reaches at 21.
test_expect_success 'a bracket: the broker holds the exits, one cancels the other' '
	{
		bar 30 20 20.2 19.9 20.1 D &&
		order 31 e buy 100 "\"bracket\":true,\"stop_loss\":19,\"target\":21" D &&
		order 31 f sell_short 10 "\"bracket\":true,\"stop_loss\":21,\"target\":19" D &&
		bar 31 20.2 20.9 20 20.5 D &&
		order 31:30 x sell 100 "" D &&
		bar 32 20.6 21.2 20.4 21 D &&
		bar 33 20 20 20 20 D
	} >in &&
	liu-order sim <in >out &&
	updates out >got &&
	cat >want <<-\EOF &&
	["e","new"]
	["f","new"]
	["e","filled"]
	["e-stop","new"]
	["e-target","new"]
	["f","filled"]
	["f-stop","new"]
	["f-target","new"]
	["x","rejected","sell of 100 exceeds the long position: 0 available"]
	["e-target","filled"]
	["e-stop","canceled","oco: the other leg filled"]
	["f-stop","filled"]
	["f-target","canceled","oco: the other leg filled"]
	EOF
	test_cmp want got &&
	jq -c "select(.ev == \"fill\") | [.id, .side, .qty, .price, .parent]" \
	    out >got &&
	cat >want <<-\EOF &&
	["e","buy",100,20.2,null]
	["f","sell_short",10,20.2,null]
	["e-target","sell",100,21,"e"]
	["f-stop","buy_to_cover",10,21,"f"]
	EOF
	test_cmp want got &&
	jq -c "select(.ev == \"fill\" and .parent) | [.stop_loss, .target]" \
	    out >got &&
	printf "%s\n" "[null,null]" "[null,null]" >want &&
	test_cmp want got
'

test_expect_success 'a cancel of a filled bracket entry cancels its legs' '
	{
		order 31 e buy 100 "\"bracket\":true,\"stop_loss\":19,\"target\":21" D &&
		bar 31 20 20 20 20 D &&
		cancel 32 e D &&
		order 32:01 x sell 100 "" D &&
		bar 32 20 20 20 20 D &&
		order 33 y sell 100 "" D &&
		bar 33 20 20 20 20 D
	} >in &&
	liu-order sim <in >out &&
	updates out >got &&
	cat >want <<-\EOF &&
	["e","new"]
	["e","filled"]
	["e-stop","new"]
	["e-target","new"]
	["e-stop","pending_cancel"]
	["e-target","pending_cancel"]
	["x","rejected","sell of 100 exceeds the long position: 0 available"]
	["e-stop","canceled","canceled on request"]
	["e-target","canceled","canceled on request"]
	["y","new"]
	["y","filled"]
	EOF
	test_cmp want got
'

test_expect_success 'a bad bracket is rejected' '
	{
		order 31 a sell_short 1 "\"bracket\":true,\"stop_loss\":19,\"target\":21" &&
		order 31 b buy 1 "\"bracket\":true,\"target\":21" &&
		order 31 c buy_to_cover 1 "\"bracket\":true,\"stop_loss\":19,\"target\":21"
	} >in &&
	liu-order sim <in >out &&
	updates out >got &&
	cat >want <<-\EOF &&
	["a","rejected","bracket stop_loss and target on the wrong sides"]
	["b","rejected","a bracket order wants stop_loss and target"]
	["c","rejected","a bracket order opens a position: buy or sell_short"]
	EOF
	test_cmp want got
'

# Time in force and the end.

test_expect_success 'ioc, fok, and a time in force the sim does not take' '
	{
		order 31 i1 buy 100 "\"tif\":\"ioc\"" &&
		order 31 i2 buy 100 "\"tif\":\"ioc\",\"type\":\"limit\",\"limit\":1" &&
		order 31 f1 buy 100 "\"tif\":\"fok\"" &&
		order 31 f2 buy 40 "\"tif\":\"fok\"" &&
		order 31 o1 buy 1 "\"tif\":\"opg\"" &&
		bar 31 10 10 10 10
	} >in &&
	liu-order sim --max-fill-qty 40 <in >out &&
	updates out >got &&
	cat >want <<-\EOF &&
	["i1","new"]
	["i2","new"]
	["f1","new"]
	["f2","new"]
	["o1","rejected","time in force \"opg\" not supported"]
	["i1","partially_filled"]
	["i1","canceled","ioc: the rest canceled"]
	["i2","canceled","ioc: the rest canceled"]
	["f1","canceled","fok: not filled whole"]
	["f2","filled"]
	EOF
	test_cmp want got
'

test_expect_success 'a day order expires at the close; gtc does not' '
	{
		order 31 d buy 1 "\"type\":\"limit\",\"limit\":1" &&
		order 31 g buy 1 "\"type\":\"limit\",\"limit\":1,\"tif\":\"gtc\"" &&
		echo "{\"ev\":\"bar\",\"t\":\"2024-03-04T14:30:00Z\",\"sym\":\"A\",\"o\":1,\"h\":1,\"l\":1,\"c\":1,\"v\":1}"
	} >in &&
	liu-order sim <in >out &&
	jq -c "select(.ev == \"order_update\") | [.id, .t, .status]" out >got &&
	cat >want <<-\EOF &&
	["d","2024-03-01T14:31:00Z","new"]
	["g","2024-03-01T14:31:00Z","new"]
	["d","2024-03-01T21:00:00Z","expired"]
	["g","2024-03-04T14:30:00Z","filled"]
	EOF
	test_cmp want got
'

test_expect_success 'end of input: open day orders expire, swing ones stay' '
	{
		order 31 d buy 1 "\"type\":\"limit\",\"limit\":1" &&
		order 31 w buy 1 "\"type\":\"limit\",\"limit\":1,\"horizon\":\"swing\"" &&
		bar 32 10 10 10 10
	} >in &&
	liu-order sim -v <in >out 2>err &&
	jq -c "select(.ev != \"order\") | [.id, .t, .status, .why]" out >got &&
	cat >want <<-\EOF &&
	["d","2024-03-01T14:31:00Z","new",null]
	["w","2024-03-01T14:31:00Z","new",null]
	["d","2024-03-01T14:32:00Z","expired","end of input"]
	EOF
	test_cmp want got &&
	test_grep "open: w buy 1 A, 0 filled" err &&
	liu-order sim --keep-open <in >out &&
	test_grep ! expired out &&
	order 31 h buy 1 "\"horizon\":\"week\"" | liu-order sim >out &&
	test_grep "\"why\":\"horizon is not day or swing\"" out
'

test_expect_success 'SIGTERM: open day orders cancelled, updates written, 143' '
	mkfifo fifo &&
	exec 3<>fifo &&
	{ liu-order sim <fifo >out 2>err 3>&- & } &&
	pid=$! &&
	{
		order 31 d buy 1 "\"type\":\"limit\",\"limit\":1" &&
		order 31 w buy 1 "\"type\":\"limit\",\"limit\":1,\"horizon\":\"swing\"" &&
		bar 31 10 10 10 10
	} >&3 &&
	test_wait_for "test \$(grep -c new out) = 2" &&
	kill -TERM $pid &&
	{ wait $pid; echo $? >status; } &&
	exec 3>&- &&
	test "$(cat status)" = 143 &&
	test_must_be_empty err &&
	tail -n 1 out | jq -c "[.id, .t, .status, .why]" >got &&
	echo "[\"d\",\"2024-03-01T14:31:00Z\",\"canceled\",\"liu-order stopped\"]" >want &&
	test_cmp want got &&
	test "$(grep -c canceled out)" = 1
'

test_expect_success 'SIGINT with --keep-open leaves them open, 130' '
	rm -f fifo && mkfifo fifo &&
	exec 3<>fifo &&
	{ liu-order sim --keep-open <fifo >out 2>err 3>&- & } &&
	pid=$! &&
	order 31 d buy 1 "\"type\":\"limit\",\"limit\":1" >&3 &&
	test_wait_for "grep -q new out" &&
	kill -INT $pid &&
	{ wait $pid; echo $? >status; } &&
	exec 3>&- &&
	test "$(cat status)" = 130 &&
	test_grep ! canceled out
'

test_expect_success '--market FIFO: the market beside the orders' '
	rm -f in.fifo mk.fifo && mkfifo in.fifo mk.fifo &&
	exec 3<>in.fifo 4<>mk.fifo &&
	{ liu-order sim --market mk.fifo <in.fifo >out 2>err 3>&- 4>&- & } &&
	pid=$! &&
	order 31 m buy 5 >&3 &&
	test_wait_for "grep -q new out" &&
	bar 31 10 10 10 10 >&4 &&
	test_wait_for "grep -q filled out" &&
	exec 3>&- &&
	{ wait $pid; echo $? >status; } &&
	exec 4>&- &&
	test "$(cat status)" = 0 &&
	test "$(fills out)" = "[\"m\",5,10]" &&
	test_must_fail liu-order sim --market no-such-fifo </dev/null 2>err &&
	test_grep "^liu-order: no-such-fifo: No such file" err
'

# Bad input: ORD (line 1) and, after the bad lines, BAR (the last line),
# which fills it.
ORD=$(order 30 s-A-1 buy 100)
BAR=$(bar 30 10.3 10.6 10.1 10.5)
{ printf "%s\n%s\n" "$ORD" "$BAR" | liu-order sim >expect-ok; } 2>/dev/null
bad_case () {
	printf '%s\n' "$ORD" >"$1" &&
	cat >>"$1" &&
	printf '%s\n' "$BAR" >>"$1"
}

test_expect_success 'the good case fills' '
	test_line_count = 4 expect-ok &&
	test_grep "\"status\":\"filled\"" expect-ok
'

test_expect_success 'malformed JSON is skipped and counted' '
	printf "%s\n" "{\"ev\":\"order\",\"t\":" "not json" "[1,2]" |
	bad_case in1 &&
	test_expect_code 1 liu-order sim <in1 >out 2>err &&
	test_cmp expect-ok out &&
	test_grep "^liu-order: <stdin>:2: bad event" err &&
	test_grep "^liu-order: <stdin>:4: bad event" err &&
	test_grep "skipped 3 bad lines" err
'

test_expect_success 'missing and wrong-typed fields' '
	{
		order 30 x buy 1 | sed "s/\"id\":\"x\",//" &&
		order 30 x buy 1 | sed "s/\"side\":\"buy\",//" &&
		order 30 x buy "\"1\"" &&
		order 30 x hold 1 &&
		order 30 x buy 1 "\"bracket\":\"yes\"" &&
		order 30 x sell_short 1 "\"type\":\"trailing_stop\",\"trail_price\":\"1\"" &&
		order 30 x buy 1 "\"horizon\":1" &&
		echo "{\"ev\":\"cancel\",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"A\"}" &&
		echo "{\"ev\":\"cancel\",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"A\",\"id\":7}" &&
		echo "{\"ev\":\"position\",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"A\"}" &&
		echo "{\"ev\":\"order\",\"t\":\"2024-03-01T14:30:00Z\",\"id\":\"x\",\"side\":\"buy\",\"qty\":1}"
	} | bad_case in2 &&
	test_expect_code 1 liu-order sim <in2 >out 2>err &&
	test_cmp expect-ok out &&
	test_grep "<stdin>:2: bad event: missing \"id\"" err &&
	test_grep "<stdin>:3: bad event: missing \"side\"" err &&
	test_grep "<stdin>:4: bad event: \"qty\" is not a number" err &&
	test_grep "<stdin>:5: bad event: bad \"side\"" err &&
	test_grep "<stdin>:6: bad event: \"bracket\" is not true or false" err &&
	test_grep "<stdin>:7: bad event: \"trail_price\" is not a number" err &&
	test_grep "<stdin>:8: bad event: \"horizon\" is not a string" err &&
	test_grep "<stdin>:9: bad event: missing \"id\"" err &&
	test_grep "<stdin>:10: bad event: \"id\" is not a string" err &&
	test_grep "<stdin>:11: bad event: missing \"qty\"" err &&
	test_grep "<stdin>:12: bad event: missing \"sym\"" err &&
	test_grep "skipped 11 bad lines" err
'

test_expect_success 'bad market events never reach the broker' '
	{
		bar 30 0 1 0 1 && bar 30 1 1 0.5 2 &&
		trade 30:00Z 0 A && trade 30:00Z -1 A &&
		quote 30:00Z 10.1 10 A && quote 30:00Z 0 10 A
	} | bad_case in3 &&
	test_expect_code 1 liu-order sim <in3 >out 2>err &&
	test_cmp expect-ok out &&
	test_grep "<stdin>:2: bar price not positive" err &&
	test_grep "<stdin>:3: bar open or close outside its low-high range" err &&
	test_grep "<stdin>:4: trade price is not positive" err &&
	test_grep "<stdin>:6: crossed quote: bid above ask" err &&
	test_grep "<stdin>:7: quote price is not positive" err &&
	test_grep "skipped 6 bad lines" err
'

test_expect_success 'CRLF and empty lines' '
	printf "%s\r\n\r\n\n%s\r\n" "$ORD" "$BAR" | liu-order sim >out &&
	test_cmp expect-ok out
'

test_expect_success 'a truncated last line is a bad line' '
	printf "%s\n%s\n%s" "$ORD" "$BAR" "{\"ev\":\"order\",\"t\":\"20" >in4 &&
	test_expect_code 1 liu-order sim <in4 >out 2>err &&
	test_cmp expect-ok out &&
	test_grep "liu-order: <stdin>:3: bad event" err &&
	test_grep "skipped 1 bad line" err
'

test_expect_success 'binary junk is reported, never crashes' '
	{ liu_random_bytes 200000 && echo; } | bad_case in5 &&
	test_expect_code 1 liu-order sim <in5 >out 2>err &&
	test_cmp expect-ok out &&
	test_grep "skipped" err
'

test_expect_success 'a 10 MiB line is skipped in bounded memory' '
	liu_long_line 10485760 | bad_case in6 &&
	test_expect_code 1 /usr/bin/time -f %M -o rss liu-order sim \
	    <in6 >out 2>err &&
	test_cmp expect-ok out &&
	test_grep "^liu-order: <stdin>:2: line too long" err &&
	test_grep "skipped 1 bad line" err &&
	/usr/bin/time -f %M -o rss0 liu-order sim <expect-ok >/dev/null &&
	test $(( $(tail -n1 rss) - $(tail -n1 rss0) )) -lt 6000
'

test_expect_success '--strict stops at the first bad line; --max-bad N after N' '
	printf "%s\n" oops x y z | bad_case in7 &&
	test_expect_code 1 liu-order sim --strict <in7 >out 2>err &&
	printf "%s\n" "$ORD" >exp1 &&
	head -n 2 out | head -n 1 >got1 && test_cmp exp1 got1 &&
	test_grep "^liu-order: <stdin>:2: bad event" err &&
	test_grep "stopped at the first bad line" err &&
	test_grep ! "<stdin>:3:" err &&
	test_expect_code 1 liu-order sim --max-bad 2 <in7 >out 2>err &&
	test_grep "<stdin>:3:" err &&
	test_grep ! "<stdin>:4:" err &&
	test_grep "stopped after 2 bad lines" err
'

test_expect_success '| head -n1 ends liu-order quietly with SIGPIPE' '
	awk "BEGIN { for (i = 0; i < 100000; i++)
	    printf \"{\\\"ev\\\":\\\"order\\\",\\\"t\\\":\\\"2024-03-01T14:30:00Z\\\",\\\"sym\\\":\\\"A\\\",\\\"id\\\":\\\"o%d\\\",\\\"side\\\":\\\"sell_short\\\",\\\"qty\\\":1}\\n\", i }" >many &&
	{ liu-order sim <many 2>err; echo $? >status; } | head -n1 >out &&
	test_line_count = 1 out &&
	test "$(cat status)" = 141 &&
	test_must_be_empty err
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 liu-order </dev/null 2>err &&
	test_grep "^usage: liu-order" err &&
	test_expect_code 2 liu-order ibkr </dev/null 2>err &&
	test_grep "^liu-order: unknown broker .ibkr." err &&
	test_expect_code 2 liu-order sim extra </dev/null &&
	test_expect_code 2 liu-order --pass sim </dev/null 2>err &&
	test_grep "^liu-order: unknown option .--pass." err &&
	test_expect_code 2 liu-order sim --capital x </dev/null 2>err &&
	test_grep "capital" err &&
	test_expect_code 2 liu-order sim --margin 0 </dev/null &&
	test_expect_code 2 liu-order sim --max-fill-qty 0 </dev/null &&
	test_expect_code 2 liu-order sim --fee-per-share -1 </dev/null &&
	test_expect_code 2 liu-order sim --market </dev/null
'

test_expect_success '--help and --version' '
	liu-order --help >out &&
	test_grep "^usage: liu-order sim" out &&
	liu-order -h >out2 && test_cmp out out2 &&
	liu-order sim --help >out3 && test_cmp out out3 &&
	liu-order --version >out && test_grep "^liu-order [0-9]" out
'

test_done
