#!/bin/sh
test_description='liu-strategy: portfolio strategies, momentum_rotation'
. "$(dirname "$0")/test-lib.sh"

MONTHLY=$SRC_DIR/data/stocks-1990-2022-1mo.ndjson
GOOG=$SRC_DIR/data/goog-2004-2008-1d.ndjson

# orders, fills and positions, in output order, in short
short () {
	jq -r '(select(.ev == "order") |
	    ["order", .t[0:7], .sym, .side, .qty, .why.reason] | @tsv),
	    (select(.ev == "fill") |
	    ["fill", .t[0:7], .sym, .side, .qty, .price] | @tsv),
	    (select(.ev == "position") |
	    ["position", .t[0:7], .sym, .qty, .avg_price] | @tsv)' "$@"
}

# Monthly closes, close-only bars: A, B, C and an index ^IX (never
# held).  Orders of a call fill at the next month's close.
bar () {
	echo "{\"ev\":\"bar\",\"t\":\"$1\",\"sym\":\"$2\",\"tf\":\"1mo\",\"o\":$3,\"h\":$3,\"l\":$3,\"c\":$3,\"v\":0,\"close_only\":true}"
}
month () {
	bar "$1" A "$2" && bar "$1" B "$3" && bar "$1" C "$4" &&
	bar "$1" ^IX "$5"
}
{
	month 2020-01-01T05:00:00Z 10 20 50 100
	month 2020-02-01T05:00:00Z 11 20 40 200
	month 2020-03-01T05:00:00Z 12 25 45 300
	month 2020-04-01T04:00:00Z 12 20 60 400
	month 2020-05-01T04:00:00Z 15 20 60 500
} >"$TRASH_DIRECTORY/abc.ndjson"
ABC=$TRASH_DIRECTORY/abc.ndjson

# Hand check, top=2, rank_bars=1 (the return over one month), capital
# 10000, a rebalance each month:
#
# 2020-01: one bar each, nothing ranked: no rebalance.
# 2020-02: A 11/10-1 = 0.1, B 20/20-1 = 0, C 40/50-1 = -0.2 (^IX is
#   left out).  Top 2: A, B.  Equity 10000, 5000 each: A floor(5000/11)
#   = 454, B floor(5000/20) = 250.  Filled at March's closes: A 454 @12
#   (5448), B 250 @25 (6250): cash 10000 - 11698 = -1698.
# 2020-03: A 12/11-1 = 0.0909, B 25/20-1 = 0.25, C 45/40-1 = 0.125.
#   Top 2: B, C.  Equity -1698 + 454*12 + 250*25 = 10000, 5000 each:
#   B floor(5000/25) = 200 (sell 50), C floor(5000/45) = 111 (buy), A
#   out (sell 454).  The strategy makes B's sell, C's buy, then A's sell;
#   the engine sends the sells first: B 50, A 454, then C 111.  Filled at
#   April's closes: +5448 +1000 -6660: cash -1910.
# 2020-04: A 0, B 20/25-1 = -0.2, C 60/45-1 = 0.3333.  Top 2: C, A.
#   Equity -1910 + 200*20 + 111*60 = 8750, 4375 each: C floor(4375/60) =
#   72 (sell 39), A floor(4375/12) = 364 (buy), B out (sell 200).  Sent:
#   C 39, B 200, then A 364.  Filled at May's: +2340 +4000 -5460: cash
#   -1030.
# 2020-05 (at the end of input): A 15/12-1 = 0.25, B 0, C 0: B before C
#   (first seen first).  Equity -1030 + 364*15 + 72*60 = 8750: A 291 (sell
#   73), B 218 (buy), C out (sell 72); not filled.  Positions at the end:
#   A 364 at 15, C 72 at 60.
test_expect_success 'momentum_rotation: hand-checked rebalances, sells before buys' '
	liu-strategy -v --fill sim --capital 10000 -p top=2 -p rank_bars=1 \
	    momentum_rotation <"$ABC" >out 2>err &&
	short out >got &&
	sed "s/ /\t/g" >exp <<-\EOF &&
	order 2020-02 A buy 454 rotate_in
	order 2020-02 B buy 250 rotate_in
	fill 2020-03 A buy 454 12
	fill 2020-03 B buy 250 25
	order 2020-03 B sell 50 rebalance
	order 2020-03 A sell 454 rotate_out
	order 2020-03 C buy 111 rotate_in
	fill 2020-04 A sell 454 12
	fill 2020-04 B sell 50 20
	fill 2020-04 C buy 111 60
	order 2020-04 C sell 39 rebalance
	order 2020-04 B sell 200 rotate_out
	order 2020-04 A buy 364 rotate_in
	fill 2020-05 A buy 364 15
	fill 2020-05 B sell 200 20
	fill 2020-05 C sell 39 60
	order 2020-05 A sell 73 rebalance
	order 2020-05 C sell 72 rotate_out
	order 2020-05 B buy 218 rotate_in
	position 2020-05 A 364 15
	position 2020-05 C 72 60
	EOF
	test_cmp exp got &&
	test_grep "momentum_rotation: cash -1030.00 after 5 portfolio calls" \
	    err &&
	test_grep ! "\"sym\":\"^IX\",\"id\"" out &&
	# the entries are swing orders; the why tells the rank
	jq -e -n "[inputs | select(.ev == \"order\" and .side == \"buy\")] |
	    all(.horizon == \"swing\")" out >/dev/null &&
	jq -e -n "[inputs | select(.ev == \"order\")] | .[0].why |
	    .price == 11 and (.return - 0.1 | fabs) < 1e-12 and .rank == 1" out >/dev/null
'

# Over data/'s monthly closes (IBM, AAPL, MSFT, XRX, ADBE; AMZN, GOOGL and
# DELL come later; the indexes are left out), top=2, rank_days=63 (3
# monthly bars), capital 100000.  Prices to four places; fills at the
# next month's close, rounded to 1/100 of a cent.
#
# 1990-04 (the first month with 3 bars back, 1990-01): ADBE
#   2.25314/1.37906-1 = 0.6338, MSFT 0.50634/0.40376-1 = 0.2541, AAPL
#   0.1618, IBM 0.1190, XRX -0.0949.  50000 each: ADBE floor(50000 /
#   2.25314) = 22191, MSFT floor(50000/0.50634) = 98748.  Filled at May's
#   closes 2.0985 and 0.6373: cash 100000 - 46567.8135 - 62932.1004 =
#   -9499.9139.
# 1990-05: MSFT 0.63728/0.43104-1 = 0.4785, AAPL 0.2172, ADBE 0.1795,
#   IBM 0.1696, XRX -0.0664.  Equity -9499.9139 + 22191*2.09852 +
#   98748*0.63728 = 99998.86, 49999.43 each: MSFT 78456 (sell 20292), AAPL
#   floor(49999.43/0.29517) = 169390 (buy), ADBE out (sell 22191).
#   Filled at June's 0.6635, 2.1648, 0.3211: cash -2388.2241.
# 1990-06: MSFT 0.66347/0.48342-1 = 0.3725, IBM 0.1196, AAPL 0.1149,
#   ADBE -0.0314, XRX -0.1443.  Equity -2388.2241 + 78456*0.66347 +
#   169390*0.32111 = 104057.61, 52028.81 each: MSFT 78418 (sell 38),
#   IBM floor(52028.81/13.38095) = 3888 (buy), AAPL out (sell 169390).
#   Filled at July's 0.5805, 0.3014, 12.6977: cash -680.6767.
# Equity at July's closes: -680.6767 + 78418*0.58054 + 3888*12.69766 =
# 94212.63: -5.79% over the three rebalances.
test_expect_success 'momentum_rotation over the real monthly data: three rebalances' '
	head -n 49 "$MONTHLY" >in &&
	tail -n 1 in | jq -e ".t == \"1990-07-01T04:00:00Z\"" &&
	liu-strategy --fill sim -p top=2 -p rank_days=63 momentum_rotation \
	    <in >out &&
	short out | grep -v "^order.1990-07" >got &&
	sed "s/ /\t/g" >exp <<-\EOF &&
	order 1990-04 ADBE buy 22191 rotate_in
	order 1990-04 MSFT buy 98748 rotate_in
	fill 1990-05 MSFT buy 98748 0.6373
	fill 1990-05 ADBE buy 22191 2.0985
	order 1990-05 MSFT sell 20292 rebalance
	order 1990-05 ADBE sell 22191 rotate_out
	order 1990-05 AAPL buy 169390 rotate_in
	fill 1990-06 AAPL buy 169390 0.3211
	fill 1990-06 MSFT sell 20292 0.6635
	fill 1990-06 ADBE sell 22191 2.1648
	order 1990-06 MSFT sell 38 rebalance
	order 1990-06 AAPL sell 169390 rotate_out
	order 1990-06 IBM buy 3888 rotate_in
	fill 1990-07 IBM buy 3888 12.6977
	fill 1990-07 AAPL sell 169390 0.3014
	fill 1990-07 MSFT sell 38 0.5805
	position 1990-07 IBM 3888 12.6977
	position 1990-07 MSFT 78418 0.6373
	EOF
	test_cmp exp got &&
	# the return: cash from the fills, positions at July'"'"'s closes
	{ jq -c "select(.ev == \"fill\" or .ev == \"position\")" out &&
	  grep "\"t\":\"1990-07-01" in; } |
	jq -s "(100000 + (map(select(.ev == \"fill\") |
	    (if .side == \"buy\" then -1 else 1 end) * .qty * .price) | add))
	    as \$cash | (map(select(.ev == \"bar\") | {(.sym): .c}) | add)
	    as \$c | \$cash + (map(select(.ev == \"position\") |
	    .qty * \$c[.sym]) | add)" >equity &&
	awk "{ d = \$1 - 94212.63; exit (d < 0.005 && d > -0.005) ? 0 : 1 }" \
	    equity
'

test_expect_success 'the README demo runs over all of 1990-2022' '
	liu-strategy --fill sim -p top=2 momentum_rotation <"$MONTHLY" >out &&
	test $(grep -c "\"ev\":\"fill\"" out) -gt 300 &&
	test_grep ! "\"sym\":\"^GSPC\",\"id\"" out &&
	test $(grep -c "\"ev\":\"position\"" out) = 2
'

test_expect_success 'positions: written at the end, read back the same' '
	head -n 35 "$MONTHLY" >in &&
	liu-strategy --fill sim -p top=2 -p rank_days=63 momentum_rotation \
	    <in >out &&
	grep "\"ev\":\"position\"" out >pos &&
	test_line_count = 2 pos &&
	liu-strategy --fill sim --positions pos momentum_rotation </dev/null \
	    >again &&
	test_cmp pos again &&
	# a run given them counts them: with --capital 1000 and the same
	# 1990-04 ranking (ADBE, MSFT), equity 1000 + 22191*2.25314 +
	# 98748*0.50634 = 100999.23, 50499.61 each: ADBE 22412 (buy 221),
	# MSFT 99735 (buy 987)
	head -n 28 "$MONTHLY" >early &&
	liu-strategy --fill sim --capital 1000 --positions pos -p top=2 \
	    -p rank_days=63 momentum_rotation <early >out2 &&
	short out2 >got &&
	sed "s/ /\t/g" >exp <<-\EOF &&
	order 1990-04 ADBE buy 221 rebalance
	order 1990-04 MSFT buy 987 rebalance
	position 1990-05 MSFT 98748 0.6373
	position 1990-05 ADBE 22191 2.0985
	EOF
	test_cmp exp got
'

test_expect_success 'portfolio strategies run unsharded only' '
	test_expect_code 2 env LIU_SHARDS=2 LIU_SHARD=0 liu-strategy \
	    momentum_rotation </dev/null 2>err &&
	test_grep "portfolio strategy: it needs every symbol" err &&
	test_grep "LIU_SHARDS=2" err &&
	test_expect_code 2 env LIU_SHARDS=4 liu-strategy momentum_long \
	    momentum_rotation </dev/null &&
	LIU_SHARDS=1 liu-strategy momentum_rotation </dev/null &&
	LIU_SHARDS=2 LIU_SHARD=1 liu-strategy momentum_long </dev/null &&
	test_must_fail liu-route -n 2 liu-strategy momentum_rotation \
	    </dev/null 2>err &&
	test_grep "portfolio strategy" err
'

test_expect_success 'per-symbol and portfolio strategies share a process' '
	liu-strategy --fill sim momentum_long <"$GOOG" >alone &&
	liu-strategy --fill sim -p momentum_rotation.top=1 \
	    -p momentum_rotation.rank_days=20 momentum_long \
	    momentum_rotation <"$GOOG" >both &&
	grep "\"strategy\":\"momentum_rotation\"" both >rot &&
	test_grep "\"ev\":\"fill\"" rot &&
	grep -v "\"strategy\":\"momentum_rotation\"" both >mom &&
	test_cmp alone mom
'

# One symbol X on 2024-03-01 (session 14:30Z-21:00Z): a bar before the
# session (13:00, close 9), then 14:30 to 14:39, close 10 + k, open
# 0.5 under it.  top=1, rank_bars=2.  Each minute: calls at 14:30 ...
# 14:39 (10; none for 13:00); the one at 14:32 sees 13:00, 14:30 and
# 14:31: 11/9 - 1 > 0, buys floor(100000/11) = 9090, filled on the 14:32
# bar'"'"'s open, 11.5.  Every 5m: calls at 14:30 and 14:35; the latter
# sees up to 14:34 (close 14): 7142, filled at 14.5.
test_expect_success 'one-minute data: a call each minute (or period), before T' '
	{
		echo "{\"ev\":\"bar\",\"t\":\"2024-03-01T13:00:00Z\",\"sym\":\"X\",\"o\":9,\"h\":9,\"l\":9,\"c\":9,\"v\":100}"
		for k in 0 1 2 3 4 5 6 7 8 9
		do
			echo "{\"ev\":\"bar\",\"t\":\"2024-03-01T14:3$k:00Z\",\"sym\":\"X\",\"o\":$((9 + k)).5,\"h\":$((11 + k)),\"l\":$((9 + k)),\"c\":$((10 + k)),\"v\":100}"
		done
	} >x &&
	liu-strategy -v --fill sim -p top=1 -p rank_bars=2 momentum_rotation \
	    <x >out 2>err &&
	test_grep "after 10 portfolio calls" err &&
	jq -c "select(.ev == \"order\" or .ev == \"fill\") |
	    [.ev, .t, .qty, .price]" out >got &&
	cat >exp <<-\EOF &&
	["order","2024-03-01T14:32:00Z",9090,null]
	["fill","2024-03-01T14:32:00Z",9090,11.5]
	EOF
	test_cmp exp got &&
	liu-strategy -v --fill sim --portfolio-every 5m -p top=1 \
	    -p rank_bars=2 momentum_rotation <x >out 2>err &&
	test_grep "after 2 portfolio calls" err &&
	jq -c "select(.ev == \"fill\") | [.t, .qty, .price]" out >got &&
	echo "[\"2024-03-01T14:35:00Z\",7142,14.5]" >exp &&
	test_cmp exp got &&
	# live, every 5m by default
	liu-strategy -v -p top=1 -p rank_bars=2 momentum_rotation <x \
	    >/dev/null 2>err &&
	test_grep "after 2 portfolio calls" err &&
	test_expect_code 2 liu-strategy --portfolio-every 0s \
	    momentum_rotation </dev/null &&
	test_expect_code 2 liu-strategy --portfolio-every 2d \
	    momentum_rotation </dev/null
'

test_expect_success 'daily data: a clock event after the bar time makes the call' '
	head -n 8 "$ABC" >in &&
	echo "{\"ev\":\"clock\",\"t\":\"2020-02-15T00:00:00Z\"}" >>in &&
	liu-strategy --pass --fill sim --capital 10000 -p top=2 \
	    -p rank_bars=1 momentum_rotation <in >out &&
	jq -r ".ev" out | uniq >got &&
	printf "bar\norder\nclock\n" >exp &&
	test_cmp exp got
'

test_done
