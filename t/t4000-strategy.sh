#!/bin/sh
test_description='liu-strategy: built-ins, sim fills, plug-ins, bad input'
. "$(dirname "$0")/test-lib.sh"

AAPL=$SRC_DIR/data/aapl-2012-01-26-1m.ndjson
BARS=$TEST_DATA/strategy-momentum.ndjson
TRADES=$TEST_DATA/strategy-momentum-trades.ndjson
PLUGIN=$SRC_DIR/examples/my_strategy.so

# Small periods so that every value can be checked by hand (see the
# comments in t/data/strategy-momentum.expected's test below): MACD(2,3,2),
# an opening range of 3 minutes, no RSI filter, no RSI exit, no scale-out.
P="-p momentum_long.or_minutes=3 -p momentum_long.start=3
-p macd_fast=2 -p macd_slow=3 -p macd_signal=2 -p rsi_period=2
-p rsi_min=0 -p rsi_max=100 -p rsi_exit=101 -p scale_at=100"

# Live orders' ids carry the process's start, from LIU_NOW here:
# 2024-03-01T14:00:00Z is 1709301600000 ms, lt8q1fk0 in base 36.
LIU_NOW=2024-03-01T14:00:00Z
export LIU_NOW
S=lt8q1fk0

# keep only the reason of "why" (the rest is checked apart)
reason () {
	jq -c 'if .why then .why |= {reason} else . end'
}

test_expect_success '--help prints the usage and exits 0; --version' '
	liu-strategy --help >out &&
	test_grep "^usage: liu-strategy" out &&
	test_grep "See liu-strategy(1)" out &&
	liu-strategy --version >out && test_grep "^liu-strategy [0-9]" out
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 liu-strategy </dev/null &&
	test_expect_code 2 liu-strategy nosuch </dev/null 2>err &&
	test_grep "unknown strategy .nosuch." err &&
	test_expect_code 2 liu-strategy --fill broker momentum_long </dev/null &&
	test_expect_code 2 liu-strategy --slippage x momentum_long </dev/null &&
	test_expect_code 2 liu-strategy --slippage -1 momentum_long </dev/null &&
	test_expect_code 2 liu-strategy -p risk momentum_long </dev/null &&
	test_expect_code 2 liu-strategy -p risk=abc momentum_long </dev/null &&
	test_expect_code 2 liu-strategy -p nosuch=1 momentum_long </dev/null 2>err &&
	test_grep "no strategy has that parameter" err &&
	test_expect_code 2 liu-strategy -p vwap_long.risk=1 momentum_long </dev/null &&
	test_expect_code 2 liu-strategy momentum_long momentum_long </dev/null &&
	test_expect_code 2 liu-strategy --batch "a b" momentum_long </dev/null
'

# Hand check of t/data/strategy-momentum.ndjson (AAA and BBB share bars
# 0-7): the opening range (14:30-14:32) high is 10.40.  Bar 6 (14:36)
# closes at 10.42 > 10.40; MACD(2,3,2) there is 0.049861 (TA-Lib seeding:
# EMA3 10.29125 - EMA2 10.34111), above its value on bar 5 (0.020833) and
# its signal (0.036944).  The last swing low below 10.42 is bar 4's low
# 9.95 (9.95 < 10.05 before it, <= 9.98 after it): R = 0.47, qty =
# floor(100000 * 0.01 / 0.47) = 2127 (under the 100000 / 10.42 = 9596 cap),
# target = 10.42 + 3 * 0.47 = 11.83.  The order goes out at the bar's end
# (14:37) and fills at the next bar's open, 10.45.  AAA: bar 10's high
# 11.90 reaches the target: sell at 14:41, filled at bar 11's open 11.80.
# BBB: bar 8's low 9.90 reaches the stop: sell at 14:39, filled at 9.96.
test_expect_success 'momentum_long on hand-made bars: entry, size, stop, target' '
	liu-strategy --fill sim $P momentum_long <"$BARS" >raw &&
	reason <raw >out &&
	test_cmp "$TEST_DATA/strategy-momentum.expected" out
'

test_expect_success 'the entry carries the indicator values that justified it' '
	head -n1 raw | jq -e ".why.price == 10.42 and .why.or_high == 10.4 and
	    (.why.macd - 0.0498611111 | fabs) < 1e-9 and
	    (.why.macd_signal - 0.0369444444 | fabs) < 1e-9 and
	    (.why.macd_prev - 0.0208333333 | fabs) < 1e-9 and
	    (.why.r - 0.47 | fabs) < 1e-9" >/dev/null &&
	sed -n 5p raw | jq -e ".why == {reason: \"stop\", price: 9.97,
	    stop_loss: 9.95, target: 11.83}" >/dev/null
'

# Scale-out at 1R: cost 10.45 + 0.47 = 10.92; bar 9 closes 11.28: sell
# floor(2127 / 2) = 1063 (filled at bar 10's open 11.28), the stop moves to
# the cost; bar 10 reaches the target: the other 1064 go at 11.80.
test_expect_success 'momentum_long scale-out, then the target' '
	liu-strategy --fill sim $P -p scale_at=1 momentum_long <"$BARS" >raw &&
	jq -c "select(.sym == \"AAA\") | [.ev, .t, .side, .qty, .price,
	    .why.reason]" raw >out &&
	cat >exp <<-\E &&
	["order","2024-03-01T14:37:00Z","buy",2127,null,"entry"]
	["fill","2024-03-01T14:37:00Z","buy",2127,10.45,null]
	["order","2024-03-01T14:40:00Z","sell",1063,null,"scale_out"]
	["fill","2024-03-01T14:40:00Z","sell",1063,11.28,null]
	["order","2024-03-01T14:41:00Z","sell",1064,null,"target"]
	["fill","2024-03-01T14:41:00Z","sell",1064,11.8,null]
	E
	test_cmp exp out
'

test_expect_success 'momentum_long RSI exit (rsi_exit=0 exits at once)' '
	liu-strategy --fill sim $P -p rsi_exit=0 momentum_long <"$BARS" >raw &&
	jq -c "select(.sym == \"AAA\" and .ev == \"order\") |
	    [.t, .side, .why.reason]" raw >out &&
	cat >exp <<-\E &&
	["2024-03-01T14:37:00Z","buy","entry"]
	["2024-03-01T14:38:00Z","sell","rsi_extreme"]
	E
	test_cmp exp out
'

test_expect_success 'slippage in cents and commission per share' '
	liu-strategy --fill sim --slippage 1c --commission 0.005 $P \
		momentum_long <"$BARS" >raw &&
	jq -c "select(.ev == \"fill\") | [.sym, .side, .price, .fee]" raw >out &&
	cat >exp <<-\E &&
	["AAA","buy",10.46,10.635]
	["BBB","buy",10.46,10.635]
	["BBB","sell",9.95,10.635]
	["AAA","sell",11.79,10.635]
	E
	test_cmp exp out
'

test_expect_success 'slippage in basis points' '
	liu-strategy --fill sim --slippage 10bp $P momentum_long <"$BARS" >raw &&
	# 10.45 * 1.001 = 10.46045 -> 10.4605 (1/100 cent); 11.8 * 0.999 = 11.7882
	jq -c "select(.ev == \"fill\" and .sym == \"AAA\") | .price" raw >out &&
	printf "10.4605\n11.7882\n" >exp &&
	test_cmp exp out
'

test_expect_success 'LIU_BATCH_ID goes into ids and events' '
	LIU_BATCH_ID=run-42 liu-strategy --fill sim $P momentum_long \
		<"$BARS" >raw &&
	head -n1 raw | jq -e ".id == \"run-42-momentum_long-AAA-1\" and
	    .batch == \"run-42\"" >/dev/null &&
	test $(grep -c "\"batch\":\"run-42\"" raw) -eq 8 &&
	liu-strategy --batch b7 --fill sim $P momentum_long <"$BARS" >raw2 &&
	test_grep "\"exec_id\":\"b7-momentum_long-BBB-2-1\"" raw2
'

test_expect_success 'a symbol gives the same output whoever shares the process' '
	liu-strategy --fill sim $P momentum_long <"$BARS" >all &&
	grep "\"sym\":\"AAA\"" "$BARS" | liu-strategy --fill sim $P momentum_long >aaa &&
	grep "\"sym\":\"AAA\"" all >exp &&
	test_cmp exp aaa
'

# From trades, bars are built per minute; a bar closes when time reaches
# its end, so the entry is the same as from bars (order at 14:37:00,
# filled by the 14:37:00 trade at 10.45).  The engine watches stop and
# target on every trade: BBB trades 9.90 at 14:38:30 (stop), filled by the
# next trade 9.97; AAA trades 11.90 at 14:40:15 (target), filled at 11.25.
test_expect_success 'bars built from trades: same entry, exits on trades' '
	liu-strategy --fill sim $P momentum_long <"$TRADES" >raw &&
	jq -c "[.ev, .t, .sym, .side, .qty, .price, .why.reason]" raw >out &&
	cat >exp <<-\E &&
	["order","2024-03-01T14:37:00Z","AAA","buy",2127,null,"entry"]
	["fill","2024-03-01T14:37:00Z","AAA","buy",2127,10.45,null]
	["order","2024-03-01T14:37:00Z","BBB","buy",2127,null,"entry"]
	["fill","2024-03-01T14:37:00Z","BBB","buy",2127,10.45,null]
	["order","2024-03-01T14:38:30Z","BBB","sell",2127,null,"stop"]
	["fill","2024-03-01T14:38:45Z","BBB","sell",2127,9.97,null]
	["order","2024-03-01T14:40:15Z","AAA","sell",2127,null,"target"]
	["fill","2024-03-01T14:40:30Z","AAA","sell",2127,11.25,null]
	E
	test_cmp exp out
'

test_expect_success 'official bars replace the bars built from trades' '
	# trades build 14:30 with close 10; the official bar says 11
	cat >in <<-\E &&
	{"ev":"trade","t":"2024-03-01T14:30:05Z","sym":"X","price":10,"size":1}
	{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"X","o":10,"h":11,"l":10,"c":11,"v":9}
	{"ev":"trade","t":"2024-03-01T14:30:30Z","sym":"X","price":10,"size":1}
	{"ev":"trade","t":"2024-03-01T14:31:05Z","sym":"X","price":10,"size":1}
	E
	liu-strategy -v --fill sim momentum_long <in >out 2>err &&
	test_line_count = 0 out &&
	test_grep "4 events, 1 symbols, 1 bars" err
'

test_expect_success 'flatten N minutes before the close' '
	# close 21:00Z; flatten=382 puts the flattening at 14:38
	liu-strategy --fill sim $P -p flatten=382 momentum_long <"$BARS" >raw &&
	jq -c "[.ev, .t, .sym, .side, .price, .why.reason]" raw >out &&
	cat >exp <<-\E &&
	["order","2024-03-01T14:37:00Z","AAA","buy",null,"entry"]
	["order","2024-03-01T14:37:00Z","BBB","buy",null,"entry"]
	["fill","2024-03-01T14:37:00Z","AAA","buy",10.45,null]
	["order","2024-03-01T14:38:00Z","AAA","sell",null,"flatten"]
	["fill","2024-03-01T14:37:00Z","BBB","buy",10.45,null]
	["order","2024-03-01T14:38:00Z","BBB","sell",null,"flatten"]
	["fill","2024-03-01T14:38:00Z","AAA","sell",10.58,null]
	["fill","2024-03-01T14:38:00Z","BBB","sell",10.5,null]
	E
	test_cmp exp out
'

# Hand check of t/data/strategy-vwap.ndjson (session VWAP from the bars'
# vw and v): VWAP 10, 9.95, 9.9, 9.925, 9.98, 9.98333, 9.97143, 9.9875.
# vwap_long: bar 3 closes 10.1 above 9.925 after 9.7 <= 9.9: the last swing
# low is 9.6 (bar 2), R = 0.5, qty = 1000 / 0.5 = 2000, target 10.1 + 2R =
# 11.1; filled at bar 4's open 10.15; bar 5 closes 9.85 below 9.98333: sold
# at bar 6's open 9.9.  vwap_short: bar 5 crosses down after 10.25 >= 9.98:
# the last swing high is 10.3 (bar 4), R = 0.45, qty = floor(1000 / 0.45) =
# 2222, target 9.85 - 0.9 = 8.95; filled at 9.9; bar 7's high 10.4 reaches
# the stop: covered at bar 8's open 10.05.  (Bar 7 crosses up again, but
# vwap_long is cooling down.)
test_expect_success 'vwap_long and vwap_short on hand-made bars' '
	liu-strategy --fill sim -p start=0 -p rsi_period=2 -p rsi_max=100 \
		-p rsi_min=0 vwap_long vwap_short <"$TEST_DATA/strategy-vwap.ndjson" >raw &&
	jq -c "[.ev, .t, .strategy, .side, .qty, .price, .stop_loss, .target,
	    .why.reason]" raw >out &&
	cat >exp <<-\E &&
	["order","2024-03-01T14:34:00Z","vwap_long","buy",2000,null,9.6,11.1,"entry"]
	["fill","2024-03-01T14:34:00Z","vwap_long","buy",2000,10.15,9.6,11.1,null]
	["order","2024-03-01T14:36:00Z","vwap_long","sell",2000,null,null,null,"below_vwap"]
	["order","2024-03-01T14:36:00Z","vwap_short","sell_short",2222,null,10.3,8.95,"entry"]
	["fill","2024-03-01T14:36:00Z","vwap_long","sell",2000,9.9,null,null,null]
	["fill","2024-03-01T14:36:00Z","vwap_short","sell_short",2222,9.9,10.3,8.95,null]
	["order","2024-03-01T14:38:00Z","vwap_short","buy_to_cover",2222,null,null,null,"stop"]
	["fill","2024-03-01T14:38:00Z","vwap_short","buy_to_cover",2222,10.05,null,null,null]
	E
	test_cmp exp out &&
	head -n1 raw | jq -e "(.why.vwap - 9.925 | fabs) < 1e-12" >/dev/null
'

# Updated bars ("updated":true) replace the bar of the same time: the
# strategies' indicators are as if only the updated bar had come, on_bar
# is not called again, and nothing fills on it.  AAA's bars 0-2 (the
# opening range, before any entry) first come with another high and
# close; BBB's bar 5 with another close (so MACD's value on it, which bar
# 6's entry compares with, must be taken back); AAA's bar 6, the entry
# bar, with another volume (the order it sends fills at bar 7's open,
# not at bar 6's).  The orders, with every "why", and the fills must be
# those of the bars as they are.
test_expect_success 'updated bars: momentum_long as if they came alone' '
	jq -c "if .sym == \"AAA\" and .t < \"2024-03-01T14:33:00Z\" then
		(.h += 1 | .c += 0.5), . + {updated: true}
	    elif .sym == \"AAA\" and .t == \"2024-03-01T14:36:00Z\" then
		(.v = 500), . + {updated: true}
	    elif .sym == \"BBB\" and .t == \"2024-03-01T14:35:00Z\" then
		(.c = 10), . + {updated: true}
	    else . end" "$BARS" >upd &&
	test_line_count = $(($(wc -l <"$BARS") + 5)) upd &&
	liu-strategy --fill sim $P momentum_long <"$BARS" >exp &&
	liu-strategy -v --fill sim $P momentum_long <upd >out 2>err &&
	test_cmp exp out &&
	test_grep "27 events, 2 symbols, 27 bars, 4 orders, 4 fills" err
'

test_expect_success 'updated bars: vwap_long and vwap_short likewise' '
	jq -c "if .t < \"2024-03-01T14:32:00Z\" then
		(.h += 1 | .c += 0.5 | .vw += 0.3 | .v *= 3),
		. + {updated: true}
	    else . end" "$TEST_DATA/strategy-vwap.ndjson" >upd &&
	V="--fill sim -p start=0 -p rsi_period=2 -p rsi_max=100 -p rsi_min=0" &&
	liu-strategy $V vwap_long vwap_short \
	    <"$TEST_DATA/strategy-vwap.ndjson" >exp &&
	liu-strategy $V vwap_long vwap_short <upd >out &&
	test_line_count = 8 exp &&
	test_cmp exp out
'

test_expect_success 'a clock event flattens open positions' '
	# positions open after bar 7; 20:55 is past 21:00 - 10 minutes
	{
		head -n 16 "$BARS" &&
		echo "{\"ev\":\"clock\",\"t\":\"2024-03-01T20:55:00Z\"}"
	} >in &&
	liu-strategy --fill sim $P momentum_long <in >raw &&
	jq -c "select(.ev == \"order\" and .why.reason == \"flatten\") |
	    [.t, .sym, .side, .qty]" raw >out &&
	cat >exp <<-\E &&
	["2024-03-01T20:55:00Z","AAA","sell",2127]
	["2024-03-01T20:55:00Z","BBB","sell",2127]
	E
	test_cmp exp out
'

test_expect_success 'picks naming strategies reach only those; --require-pick' '
	{
		echo "{\"ev\":\"pick\",\"t\":\"2024-03-01T14:29:00Z\",\"sym\":\"AAA\",\"strategies\":[\"vwap_long\"]}" &&
		cat "$BARS"
	} >picked &&
	liu-strategy --fill sim $P momentum_long <picked >out &&
	test_grep "\"ev\":\"pick\"" out &&
	test_grep ! "\"ev\":\"order\",[^}]*\"sym\":\"AAA\"" out &&
	test_grep "\"ev\":\"order\",[^}]*\"sym\":\"BBB\"" out &&
	liu-strategy --require-pick --fill sim $P momentum_long <"$BARS" >out &&
	test_line_count = 0 out
'

# "momentum" is another name for momentum_long wherever a strategy is
# named; what liu-strategy writes carries the real name.
test_expect_success 'momentum names momentum_long: command line and -p' '
	liu-strategy --fill sim $P momentum <"$BARS" >raw &&
	reason <raw >out &&
	test_cmp "$TEST_DATA/strategy-momentum.expected" out &&
	Pm=$(echo "$P" | sed "s/momentum_long\./momentum./g") &&
	echo "$Pm" | grep -q "momentum\.or_minutes=3" &&
	liu-strategy --fill sim $Pm momentum <"$BARS" >raw2 &&
	test_cmp raw raw2 &&
	liu-strategy --fill sim $Pm momentum_long <"$BARS" >raw3 &&
	test_cmp raw raw3 &&
	test_expect_code 2 liu-strategy momentum momentum_long </dev/null 2>err &&
	test_grep "strategy loaded twice" err &&
	test_expect_code 2 liu-strategy -p momentum.risk=1 vwap_long \
		</dev/null 2>err &&
	test_grep "no such strategy loaded" err
'

test_expect_success 'a pick or a drop aimed at "momentum" reaches momentum_long' '
	{
		echo "{\"ev\":\"pick\",\"t\":\"2024-03-01T14:29:00Z\",\"sym\":\"AAA\",\"strategies\":[\"vwap_long\",\"momentum\"]}" &&
		cat "$BARS"
	} >picked &&
	liu-strategy --require-pick --fill sim $P momentum_long <picked >out &&
	test_grep "\"ev\":\"order\",[^}]*\"sym\":\"AAA\",[^}]*\"strategy\":\"momentum_long\"" out &&
	test_grep ! "\"ev\":\"order\",[^}]*\"sym\":\"BBB\"" out &&
	# a drop acts on a symbol already seen, for the rest of its session
	{
		head -n 2 "$BARS" &&
		echo "{\"ev\":\"drop\",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"AAA\",\"strategy\":\"momentum\",\"why\":\"halted\"}" &&
		tail -n +3 "$BARS"
	} >dropped &&
	liu-strategy --fill sim $P momentum_long <dropped >out &&
	test_grep "\"ev\":\"drop\"" out &&
	test_grep ! "\"ev\":\"order\",[^}]*\"sym\":\"AAA\"" out &&
	test_grep "\"ev\":\"order\",[^}]*\"sym\":\"BBB\"" out
'

test_expect_success 'fills and updates that name "momentum" are momentum_long'"'"'s' '
	head -n 14 "$BARS" >live &&
	cat >fills <<-E &&
	{"ev":"fill","t":"2024-03-01T14:37:01Z","sym":"AAA","id":"nosuch","side":"buy","qty":1,"price":10,"strategy":"momentum"}
	{"ev":"fill","t":"2024-03-01T14:37:01Z","sym":"AAA","id":"momentum_long-AAA-$S-1","side":"buy","qty":2127,"price":10.45,"strategy":"momentum"}
	{"ev":"order_update","t":"2024-03-01T14:37:01Z","sym":"BBB","id":"momentum_long-BBB-$S-1","status":"canceled","strategy":"momentum"}
	E
	{ cat live fills; sed -n "15,\$p" "$BARS"; } >in &&
	test_expect_code 1 liu-strategy $P momentum <in >out 2>err &&
	# a fill naming our strategy under its alias is ours: bad, not passed
	test_grep "<stdin>:15: fill for unknown order \"nosuch\"" err &&
	test_grep ! "nosuch" out &&
	# the good one made the position that the target exit sells
	jq -e -n "[inputs | select(.ev == \"order\" and
	    .why.reason == \"target\")] | .[0] |
	    .qty == 2127 and .strategy == \"momentum_long\"" out >/dev/null &&
	# the canceled BBB order frees BBB for a new entry
	test_grep "\"id\":\"momentum_long-BBB-$S-2\"" out
'

test_expect_success 'AAPL session: two runs give byte-identical output' '
	liu-strategy --fill sim momentum_long vwap_long vwap_short <"$AAPL" >r1 &&
	liu-strategy --fill sim momentum_long vwap_long vwap_short <"$AAPL" >r2 &&
	test_cmp r1 r2 &&
	test $(grep -c "\"ev\":\"order\"" r1) -ge 4 &&
	test $(grep -c "\"ev\":\"fill\"" r1) -ge 4
'

test_expect_success 'AAPL: every position opened is closed, ids are unique' '
	liu-strategy --fill sim vwap_long vwap_short <"$AAPL" >r1 &&
	jq -s -e "[.[] | select(.ev == \"fill\") |
	    (if .side == \"buy\" or .side == \"buy_to_cover\" then .qty
	     else -.qty end)] | add == 0" r1 >/dev/null &&
	jq -r "select(.ev == \"order\") | .id" r1 | sort | uniq -d >dups &&
	test_line_count = 0 dups
'

test_expect_success 'plug-in: loaded from a path, parameters, drop events' '
	test -f "$PLUGIN" &&
	liu-strategy --fill sim "$PLUGIN" <"$BARS" >out &&
	head -n1 out | jq -e ".id == \"my_strategy-AAA-1\" and .qty == 3333 and
	    .stop_loss == 9.95 and .target == 10.85" >/dev/null &&
	liu-strategy --fill sim -p my_strategy.min_price=10.05 "$PLUGIN" \
		<"$BARS" >out &&
	cat >exp <<-\E &&
	{"ev":"drop","t":"2024-03-01T14:35:00Z","sym":"AAA","strategy":"my_strategy","why":"price below min_price"}
	{"ev":"drop","t":"2024-03-01T14:35:00Z","sym":"BBB","strategy":"my_strategy","why":"price below min_price"}
	E
	test_cmp exp out
'

# The functions the installed headers (PLUGIN_HDRS) declare: a plug-in may
# call any of them (strategy.h), so liu-strategy must export them all, not
# only those its built-in strategies happen to use.
plugin_functions () {
	for h in $(sed -n '/^PLUGIN_HDRS =/,/[^\\]$/p' "$SRC_DIR/Makefile" |
	    sed 's/^PLUGIN_HDRS =//; s/\\$//')
	do
		grep -v '^static\|^[[:space:]]' "$SRC_DIR/$h" |
		sed -n 's/^[a-z_ ]*[ *]\([a-z_0-9]*\)(.*/\1/p'
	done
}

test_expect_success 'plug-in API: every function of the installed headers' '
	plugin_functions | sort -u >want &&
	test_grep "^ind_spec_parse\$" want &&
	test_grep "^json_add_str\$" want &&
	nm -D --defined-only "$(command -v liu-strategy)" |
	    awk "{ print \$NF }" | sort -u >have &&
	comm -23 want have >missing &&
	test_must_be_empty missing
'

test_expect_success 'plug-in errors exit 2' '
	test_expect_code 2 liu-strategy ./nosuch.so </dev/null 2>err &&
	test_grep "cannot load plug-in" err &&
	echo "not an object" >bad.so &&
	test_expect_code 2 liu-strategy ./bad.so </dev/null 2>err &&
	test_grep "cannot load plug-in" err
'

test_expect_success 'bad prices, sizes, time and symbols are reported and skipped' '
	cat >bad <<-\E &&
	{"ev":"trade","t":"2024-03-01T14:30:00Z","sym":"AAA","price":NaN,"size":1}
	{"ev":"trade","t":"2024-03-01T14:30:00Z","sym":"AAA","price":-1,"size":1}
	{"ev":"trade","t":"2024-03-01T14:30:00Z","sym":"AAA","price":0,"size":1}
	{"ev":"trade","t":"2024-03-01T14:30:00Z","sym":"AAA","price":1,"size":0}
	{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"AAA","o":1,"h":0.5,"l":1,"c":1,"v":1}
	{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"AAA","o":-1,"h":1,"l":-1,"c":1,"v":1}
	{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"AAA","tf":"7x","o":1,"h":1,"l":1,"c":1,"v":1}
	{"ev":"trade","t":"2024-03-01T14:30:00Z","sym":"","price":1,"size":1}
	{"ev":"quote","t":"2024-03-01T14:30:00Z","sym":"AAA","bid":2,"ask":1}
	E
	test_expect_code 1 liu-strategy --fill sim momentum_long <bad >out 2>err &&
	test_line_count = 0 out &&
	test_grep "<stdin>:1: bad event: malformed JSON" err &&
	test_grep "<stdin>:2: trade price is not positive" err &&
	test_grep "<stdin>:3: trade price is not positive" err &&
	test_grep "<stdin>:4: trade size is not positive" err &&
	test_grep "<stdin>:5: bar prices out of order" err &&
	test_grep "<stdin>:6: bar price is not positive" err &&
	test_grep "<stdin>:7: bad bar timeframe" err &&
	test_grep "<stdin>:8: bad event: bad \"sym\"" err &&
	test_grep "<stdin>:9: quote is crossed" err &&
	test_grep "skipped 9 bad lines" err
'

test_expect_success 'bad lines in the middle never change positions or fills' '
	# bad lines after every good line of the hand-made session
	while read -r line
	do
		printf "%s\n" "$line"
		echo "$line" | sed -e "s/\"c\":[0-9.]*/\"c\":-5/"
		echo "$line" | sed -e "s/T14:\([0-9]\)/T13:\1/"
		echo "{\"ev\":\"fill\",\"t\":\"2024-03-01T14:40:00Z\",\"sym\":\"AAA\",\"id\":\"momentum_long-AAA-1\",\"side\":\"sell\",\"qty\":5,\"price\":1,\"strategy\":\"momentum_long\"}"
	done <"$BARS" >mixed &&
	test_expect_code 1 liu-strategy --fill sim $P momentum_long <mixed >raw 2>err &&
	reason <raw >out &&
	test_cmp "$TEST_DATA/strategy-momentum.expected" out &&
	test_grep "time going backwards for \"AAA\"" err &&
	test_grep "fill for unknown order" err &&
	test_grep "skipped 66 bad lines" err
'

test_expect_success 'live fills: applied to known orders, unknown ones reported' '
	head -n 14 "$BARS" >live &&
	liu-strategy $P momentum_long <live >orders &&
	test_line_count = 2 orders &&
	cat >fills <<-E &&
	{"ev":"fill","t":"2024-03-01T14:37:01Z","sym":"AAA","id":"nosuch","side":"buy","qty":1,"price":10,"strategy":"momentum_long"}
	{"ev":"fill","t":"2024-03-01T14:37:01Z","sym":"AAA","id":"momentum_long-AAA-$S-1","side":"sell","qty":1,"price":10,"strategy":"momentum_long"}
	{"ev":"fill","t":"2024-03-01T14:37:01Z","sym":"AAA","id":"momentum_long-AAA-$S-1","side":"buy","qty":9999,"price":10,"strategy":"momentum_long"}
	{"ev":"fill","t":"2024-03-01T14:37:01Z","sym":"AAA","id":"momentum_long-AAA-$S-1","side":"buy","qty":2000,"price":10.45,"strategy":"momentum_long"}
	{"ev":"fill","t":"2024-03-01T14:37:02Z","sym":"AAA","id":"momentum_long-AAA-$S-1","side":"buy","qty":127,"price":10.46,"strategy":"momentum_long"}
	{"ev":"fill","t":"2024-03-01T14:37:02Z","sym":"AAA","id":"momentum_long-AAA-$S-1","side":"buy","qty":1,"price":10.46,"strategy":"momentum_long"}
	{"ev":"fill","t":"2024-03-01T14:37:02Z","sym":"ZZZ","id":"x-1","side":"buy","qty":1,"price":10.46,"strategy":"other"}
	E
	{ cat live fills; sed -n "15,\$p" "$BARS"; } >in &&
	test_expect_code 1 liu-strategy -v $P momentum_long <in >out 2>err &&
	test_grep "<stdin>:15: fill for unknown order \"nosuch\"" err &&
	test_grep "<stdin>:16: fill side differs" err &&
	test_grep "<stdin>:17: fill quantity" err &&
	test_grep "<stdin>:20: fill for unknown order" err &&
	test_grep "\"strategy\":\"other\"" out &&
	# the two good fills made a 2127 position: the target exit sells it all
	jq -e -n "[inputs | select(.ev == \"order\" and
	    .why.reason == \"target\")] | .[0] | .qty == 2127" out >/dev/null
'

test_expect_success 'live: a canceled order frees the symbol for a new entry' '
	head -n 14 "$BARS" >in &&
	echo "{\"ev\":\"order_update\",\"t\":\"2024-03-01T14:37:01Z\",\"sym\":\"AAA\",\"id\":\"momentum_long-AAA-$S-1\",\"status\":\"canceled\",\"strategy\":\"momentum_long\"}" >>in &&
	sed -n "15,16p" "$BARS" >>in &&
	liu-strategy $P momentum_long <in >out &&
	jq -c "[.t, .id]" out >ids &&
	cat >exp <<-E &&
	["2024-03-01T14:37:00Z","momentum_long-AAA-$S-1"]
	["2024-03-01T14:37:00Z","momentum_long-BBB-$S-1"]
	["2024-03-01T14:38:00Z","momentum_long-AAA-$S-2"]
	E
	test_cmp exp ids
'

# "sym" is optional in order_update (schema/events.md has a rejection
# without it): the id alone finds the order.
test_expect_success 'live: an update without "sym" closes our order too' '
	head -n 14 "$BARS" >in &&
	echo "{\"ev\":\"order_update\",\"t\":\"2024-03-01T14:37:01Z\",\"id\":\"momentum_long-AAA-$S-1\",\"status\":\"rejected\",\"why\":\"insufficient buying power\"}" >>in &&
	sed -n "15,16p" "$BARS" >>in &&
	liu-strategy $P momentum_long <in >out &&
	jq -c "[.t, .id]" out >ids &&
	cat >exp <<-E &&
	["2024-03-01T14:37:00Z","momentum_long-AAA-$S-1"]
	["2024-03-01T14:37:00Z","momentum_long-BBB-$S-1"]
	["2024-03-01T14:38:00Z","momentum_long-AAA-$S-2"]
	E
	test_cmp exp ids
'

# An order is ours when its id is one this process sent (its stamp: not
# an earlier process of the batch); the fills and updates of every other
# order pass through unchanged, whether or not they name a strategy (a
# broker need not echo the "strategy" field).
test_expect_success 'live: fills and updates of orders not ours pass through' '
	cat >others <<-E &&
	{"ev":"order_update","t":"2024-03-01T14:37:01Z","sym":"AAA","id":"other-AAA-1","status":"accepted","strategy":"other"}
	{"ev":"order_update","t":"2024-03-01T14:37:01Z","sym":"AAA","id":"x-7","status":"canceled"}
	{"ev":"order_update","t":"2024-03-01T14:37:01Z","id":"x-8","status":"new"}
	{"ev":"fill","t":"2024-03-01T14:37:01Z","sym":"AAA","id":"x-9","side":"buy","qty":1,"price":10}
	{"ev":"order_update","t":"2024-03-01T14:37:01Z","sym":"AAA","id":"momentum_long-AAA-$S-9","status":"new"}
	{"ev":"order_update","t":"2024-03-01T14:37:01Z","sym":"AAA","id":"momentum_long-AAA-1","status":"canceled"}
	{"ev":"order_update","t":"2024-03-01T14:37:01Z","sym":"AAA","id":"momentum_long-AAA-lt8q1fk1-1","status":"canceled"}
	E
	cat >ours <<-E &&
	{"ev":"order_update","t":"2024-03-01T14:37:01Z","sym":"AAA","id":"momentum_long-AAA-$S-1","status":"accepted"}
	{"ev":"order_update","t":"2024-03-01T14:37:01Z","id":"momentum_long-AAA-$S-1","status":"accepted"}
	{"ev":"order_update","t":"2024-03-01T14:37:01Z","sym":"BBB","id":"momentum_long-BBB-$S-1","status":"canceled"}
	{"ev":"order_update","t":"2024-03-01T14:37:02Z","sym":"BBB","id":"momentum_long-BBB-$S-1","status":"canceled"}
	E
	{ head -n 14 "$BARS"; cat others ours; sed -n "15,16p" "$BARS"; } >in &&
	liu-strategy $P momentum_long <in >out &&
	grep -v "^{\"ev\":\"order\"," out >passed &&
	test_cmp others passed &&
	# ours are consumed as before: the canceled BBB order frees BBB
	jq -c "select(.ev == \"order\") | [.t, .id]" out >ids &&
	cat >exp <<-E &&
	["2024-03-01T14:37:00Z","momentum_long-AAA-$S-1"]
	["2024-03-01T14:37:00Z","momentum_long-BBB-$S-1"]
	["2024-03-01T14:38:00Z","momentum_long-BBB-$S-2"]
	E
	test_cmp exp ids
'

# fill SYM N SIDE QTY PRICE EXEC [T]: a live fill of momentum_long's
# order N on SYM
fill () {
	printf '{"ev":"fill","t":"%s","sym":"%s","id":"momentum_long-%s-%s-%s","exec_id":"%s","side":"%s","qty":%s,"price":%s,"strategy":"momentum_long"}\n' \
	    "${7:-2024-03-01T14:37:01Z}" "$1" "$1" "$S" "$2" "$6" "$3" "$4" "$5"
}

# clock T: a clock event at 2024-03-01T...Z
clock () {
	printf '{"ev":"clock","t":"2024-03-01T%sZ"}\n' "$1"
}

# orders_of FILE: the orders and cancels, in short
orders_of () {
	jq -c "select(.ev == \"order\" or .ev == \"cancel\") |
	    [.ev, .sym, .id, .side, .qty, .why.reason, .bracket]" "$1"
}

test_expect_success 'restart: a second run gives ids of its own; a fill of the first is not its' '
	head -n 14 "$BARS" >live &&
	LIU_NOW=2024-03-01T14:00:00Z liu-strategy $P momentum_long <live >a &&
	LIU_NOW=2024-03-01T14:00:00.1Z liu-strategy $P momentum_long <live >b &&
	jq -r .id a | sort >ids.a &&
	jq -r .id b | sort >ids.b &&
	test_line_count = 2 ids.a && test_line_count = 2 ids.b &&
	comm -12 ids.a ids.b >same &&
	test_line_count = 0 same &&
	# and on the wall clock
	(unset LIU_NOW; liu-strategy $P momentum_long <live >c &&
	 liu-strategy $P momentum_long <live >d) &&
	jq -r .id c | sort >ids.c &&
	jq -r .id d | sort >ids.d &&
	comm -12 ids.c ids.d >same &&
	test_line_count = 0 same &&
	# at most 48 characters without a batch (liu-order maps longer ones)
	test $(awk "length > 48" ids.a ids.c | wc -l) = 0 &&
	# the first run'"'"'s order, filled: the second run does not know it
	{ cat live; fill AAA 1 buy 2127 10.45 x1; } >in &&
	LIU_NOW=2024-03-01T14:00:00.1Z test_expect_code 1 \
	    liu-strategy $P momentum_long <in >out 2>err &&
	test_grep "<stdin>:15: fill for unknown order \"momentum_long-AAA-$S-1\"" err
'

test_expect_success 'a fill delivered twice counts once' '
	{
		head -n 14 "$BARS" &&
		fill AAA 1 buy 1000 10.45 e1 &&
		fill AAA 1 buy 1000 10.45 e1 &&
		fill AAA 1 buy 1127 10.46 e2 &&
		fill AAA 1 buy 1127 10.46 e2 &&
		sed -n "15,\$p" "$BARS"
	} >in &&
	liu-strategy -v $P momentum_long <in >out 2>err &&
	test_grep "2 fills, .* 2 fills delivered again" err &&
	# the position is 2127: the target exit sells all of it
	jq -c "select(.ev == \"order\" and .sym == \"AAA\") |
	    [.side, .qty, .why.reason]" out >got &&
	cat >exp <<-\E &&
	["buy",2127,"entry"]
	["sell",2127,"target"]
	E
	test_cmp exp got
'

test_expect_success 'an entry cancelled by the flatten is tracked: its late fill counts' '
	{
		head -n 14 "$BARS" &&
		fill AAA 1 buy 1000 10.45 p1 &&
		clock 20:50:00 &&
		fill AAA 1 buy 500 10.5 p2 2024-03-01T20:50:01Z &&
		fill AAA 2 sell 1000 10.4 p3 2024-03-01T20:50:02Z &&
		clock 20:51:00 &&
		echo "{\"ev\":\"order_update\",\"t\":\"2024-03-01T20:51:01Z\",\"sym\":\"AAA\",\"id\":\"momentum_long-AAA-$S-1\",\"status\":\"canceled\"}" &&
		clock 20:52:00
	} >in &&
	liu-strategy -v $P momentum_long <in >out 2>err &&
	orders_of out | grep AAA >got &&
	cat >exp <<-E &&
	["order","AAA","momentum_long-AAA-$S-1","buy",2127,"entry",null]
	["cancel","AAA","momentum_long-AAA-$S-1",null,null,"flatten",null]
	["order","AAA","momentum_long-AAA-$S-2","sell",1000,"flatten",null]
	["order","AAA","momentum_long-AAA-$S-3","sell",500,"flatten",null]
	E
	test_cmp exp got &&
	test_grep "3 fills, .* 1 cancels" err
'

# leg SYM LEG STATUS T: an update of the leg (stop, target) of SYM's
# bracket, momentum_long's order 1
leg () {
	printf '{"ev":"order_update","t":"2024-03-01T%sZ","sym":"%s","id":"momentum_long-%s-%s-1-%s","status":"%s","strategy":"momentum_long","parent":"momentum_long-%s-%s-1"}\n' \
	    "$4" "$1" "$1" "$S" "$2" "$3" "$1" "$S"
}

# With -p bracket=1 the broker holds the stop and the target: the engine
# sends none of them.  AAA: bar 14:40 reaches the target, and the broker'"'"'s
# target leg fills, the stop leg is cancelled.  BBB: bar 14:38 reaches the
# stop, which the broker has not filled; at the flatten the engine takes
# the exits back (a cancel of the bracket) and sells once both legs are
# cancelled.
test_expect_success 'bracket: the broker holds the exits; the flatten takes them back' '
	{
		head -n 14 "$BARS" &&
		fill AAA 1 buy 2127 10.45 a1 &&
		fill BBB 1 buy 2127 10.45 b1 &&
		leg AAA stop new 14:37:02 && leg AAA target new 14:37:02 &&
		leg BBB stop new 14:37:02 && leg BBB target new 14:37:02 &&
		sed -n "15,21p" "$BARS" &&
		fill AAA 1-target sell 2127 11.83 a2 2024-03-01T14:40:30Z |
		    sed "s/}\$/,\"partial\":false,\"parent\":\"momentum_long-AAA-$S-1\"}/" &&
		leg AAA stop canceled 14:40:30 &&
		sed -n "22p" "$BARS" &&
		clock 20:50:00 &&
		leg BBB stop canceled 20:50:10 &&
		clock 20:50:20 &&
		leg BBB target canceled 20:50:40 &&
		clock 20:51:00
	} >in &&
	liu-strategy -v -p bracket=1 $P momentum_long <in >out 2>err &&
	orders_of out >got &&
	cat >exp <<-E &&
	["order","AAA","momentum_long-AAA-$S-1","buy",2127,"entry",true]
	["order","BBB","momentum_long-BBB-$S-1","buy",2127,"entry",true]
	["cancel","BBB","momentum_long-BBB-$S-1",null,null,"flatten",null]
	["order","BBB","momentum_long-BBB-$S-2","sell",2127,"flatten",null]
	E
	test_cmp exp got &&
	jq -s -e "map(select(.ev == \"order\" and .bracket)) |
	    length == 2 and all(.stop_loss == 9.95 and .target == 11.83)" \
	    out >/dev/null &&
	test_grep "3 fills, .* 1 cancels" err &&
	test_grep ! "order_update" out &&
	# without a bracket the engine sends the stop and the target itself,
	# and the broker'"'"'s legs are not its orders
	test_expect_code 1 liu-strategy $P momentum_long <in >out 2>err &&
	test_grep "fill for unknown order \"momentum_long-AAA-$S-1-target\"" err &&
	orders_of out >got &&
	test_grep "\"stop\"" got && test_grep "\"target\"" got
'

test_expect_success 'bracket with sim fills: the engine is the broker and holds the exits' '
	liu-strategy --fill sim -p bracket=1 $P momentum_long <"$BARS" >raw &&
	jq -c "select(.ev == \"order\" and .why.reason == \"entry\") | .bracket" raw >b &&
	printf "true\ntrue\n" >exp && test_cmp exp b &&
	jq -c "del(.bracket)" raw | reason >out &&
	test_cmp "$TEST_DATA/strategy-momentum.expected" out
'

test_expect_success '--seconds builds 1s bars without changing 1m results' '
	liu-strategy --fill sim $P momentum_long <"$TRADES" >a &&
	liu-strategy --seconds --fill sim $P momentum_long <"$TRADES" >b &&
	test_cmp a b &&
	liu-strategy -v --seconds $P momentum_long <"$TRADES" 2>err >/dev/null &&
	# 11 + 9 finished one-minute bars and 88 - 2 one-second bars (one per
	# trade): the last bar of each symbol is still open at the end
	test_grep "88 events, 2 symbols, 106 bars" err
'

# CCC, a copy of BBB after each BBB line, comes third: with room for two
# symbols its events (lines 3, 6, ..., 30) and DDD's pick (line 33) are
# refused, reported at the 1st and 10th, and AAA and BBB trade as if
# alone.
test_expect_success '--max-symbols: new symbols past it are refused, others trade on' '
	sed -e p -e "/\"BBB\"/!d" -e "s/BBB/CCC/" "$BARS" >in &&
	echo "{\"ev\":\"pick\",\"t\":\"2024-03-01T14:50:00Z\",\"sym\":\"DDD\"}" >>in &&
	test_line_count = 33 in &&
	test_expect_code 1 liu-strategy --max-symbols 2 --pass --fill sim $P \
		momentum_long <in >raw 2>err &&
	test_grep ! "CCC\|DDD" raw &&
	grep -v "\"ev\":\"bar\"" raw | reason >out &&
	test_cmp "$TEST_DATA/strategy-momentum.expected" out &&
	cat >exp <<-\E &&
	liu-strategy: <stdin>:3: symbol "CCC" refused: --max-symbols 2 reached (1 event refused)
	liu-strategy: <stdin>:30: symbol "CCC" refused: --max-symbols 2 reached (10 events refused)
	liu-strategy: refused 11 events of new symbols past --max-symbols 2
	E
	test_cmp exp err &&
	# not bad lines: --strict does not stop there
	test_expect_code 1 liu-strategy --strict --max-symbols 2 --fill sim \
		$P momentum_long <in >raw 2>err &&
	reason <raw >out &&
	test_cmp "$TEST_DATA/strategy-momentum.expected" out &&
	# with room for CCC and DDD, CCC trades as BBB does
	liu-strategy --max-symbols 4 --fill sim $P momentum_long <in >raw &&
	grep "\"sym\":\"BBB\"" raw | sed -e s/BBB/CCC/g >exp &&
	grep "\"sym\":\"CCC\"" raw >out &&
	test_cmp exp out &&
	test_expect_code 2 liu-strategy --max-symbols 0 momentum_long </dev/null
'

test_expect_success 'unknown event types pass through; orders from upstream too' '
	cat >in <<-\E &&
	{"ev":"news","t":"2024-03-01T14:30:00Z","headline":"x"}
	{"ev":"order","t":"2024-03-01T14:30:00Z","sym":"A","id":"u-1","side":"buy","qty":1}
	E
	liu-strategy momentum_long <in >out &&
	test_cmp in out
'

test_expect_success '--pass copies market events before what they cause' '
	liu-strategy --pass --fill sim $P momentum_long <"$BARS" >out &&
	test $(grep -c "\"ev\":\"bar\"" out) -eq 22 &&
	grep -n "" out | grep "\"ev\":\"order\"" | head -n1 | cut -d: -f1 >n &&
	test "$(cat n)" -eq 14
'

test_expect_success 'malformed, missing and wrong-typed fields are reported' '
	cat >bad <<-\E &&
	{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"A","o":1,"h":1,"l":1,"c":1
	{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"A","o":1,"h":1,"l":1,"c":1}
	{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"A","o":"1","h":1,"l":1,"c":1,"v":1}
	[1,2,3]
	{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"A","o":1,"h":1,"l":1,"c":1,"v":1}
	E
	printf "{\"ev\":\"bar\",\"t\":\"x\",\"sym\":\"\\377\"}\n" >>bad &&
	test_expect_code 1 liu-strategy momentum_long <bad >out 2>err &&
	test_grep "<stdin>:1: bad event: truncated JSON" err &&
	test_grep "<stdin>:2: bad event: missing \"v\"" err &&
	test_grep "<stdin>:3: bad event: \"o\" is not a number" err &&
	test_grep "<stdin>:4: bad event" err &&
	test_grep "<stdin>:6: bad event" err &&
	test_grep "skipped 5 bad lines" err
'

test_expect_success 'CRLF, empty lines and a truncated last line' '
	sed -e "s/\$/\r/" "$BARS" >crlf &&
	printf "\r\n\n" >>crlf &&
	liu-strategy --fill sim $P momentum_long <crlf >raw &&
	reason <raw >out &&
	test_cmp "$TEST_DATA/strategy-momentum.expected" out &&
	head -c -1 "$BARS" >trunc &&
	liu-strategy --fill sim $P momentum_long <trunc >raw &&
	reason <raw >out &&
	test_cmp "$TEST_DATA/strategy-momentum.expected" out &&
	{ cat "$BARS"; printf "{\"ev\":\"bar\",\"t\":\"2024-03"; } >cut &&
	test_expect_code 1 liu-strategy --fill sim $P momentum_long <cut >raw 2>err &&
	test_grep "<stdin>:23: bad event" err
'

test_expect_success '--strict stops at the first bad line (exit 1, :N:)' '
	{ head -n 3 "$BARS"; echo "{oops"; tail -n +4 "$BARS"; } >bad &&
	test_expect_code 1 liu-strategy --strict --fill sim $P momentum_long \
		<bad >out 2>err &&
	test_line_count = 0 out &&
	test_grep "<stdin>:4: bad event" err
'

test_expect_success 'a 10 MiB line, binary junk and invalid UTF-8' '
	{
		head -n 11 "$BARS" &&
		liu_long_line 10485760 &&
		liu_random_bytes 100000 && echo &&
		printf "{\"ev\":\"bar\",\"t\":\"2024-03-01T14:35:00Z\",\"sym\":\"A\\377\"}\n" &&
		tail -n +12 "$BARS"
	} >junk &&
	test_expect_code 1 liu-strategy --fill sim $P momentum_long <junk >raw 2>err &&
	reason <raw >out &&
	test_cmp "$TEST_DATA/strategy-momentum.expected" out &&
	test_grep "<stdin>:12: line too long" err &&
	test_grep "skipped" err
'

test_expect_success '| head -n1 ends it quietly with SIGPIPE (141)' '
	liu-stream synth --max --types bar --symbols 50 --seed 5 \
		--duration 3000m --events 200000 >syn &&
	{ liu-strategy --pass --fill sim momentum_long <syn 2>err; echo $? >status; } |
		head -n1 >/dev/null &&
	test "$(cat status)" = 141 &&
	test_line_count = 0 err
'

test_expect_success 'SIGTERM flushes whole lines and exits 143' '
	mkfifo fifo
	liu-strategy --pass momentum_long <fifo >out 2>err &
	pid=$! &&
	test -p fifo &&
	exec 9>fifo &&
	head -n 20000 syn >&9 &&
	liu_wait_for_file out 60 &&
	kill -TERM $pid &&
	{ wait $pid; echo $? >status; } &&
	exec 9>&- &&
	test "$(cat status)" = 143 &&
	test "$(tail -c1 out | od -An -c | tr -d " ")" = "\\n" &&
	liu-stream replay --max --strict --validate out >/dev/null
'

# Buying power.  my_strategy sizes an entry as portfolio_value x risk /
# (entry - stop): on the AAPL day 1533 to 5882 shares at about $445, $0.68M
# to $2.6M, on $100k.  With sim fills every such entry is rejected; with
# --capital 1000000 those under $1M fill.  held.jq: the most any fill left
# held, at its price.
cat >held.jq <<'E'
reduce (.[] | select(.ev == "fill")) as $f ({p: 0, m: 0};
    .p += (if $f.side == "buy" or $f.side == "buy_to_cover" then $f.qty
	   else -$f.qty end) |
    .m = ([.m, (.p | fabs) * $f.price] | max)) | .m
E

test_expect_success 'buying power: entries over the capital are rejected' '
	liu-strategy --fill sim "$PLUGIN" <"$AAPL" >out &&
	test $(grep -c "\"ev\":\"order\"" out) -ge 10 &&
	test $(grep -c "\"ev\":\"fill\"" out) = 0 &&
	jq -r "select(.ev == \"order_update\") | [.status, .why] | @tsv" out |
	    sort -u >st &&
	printf "rejected\tinsufficient buying power\n" >expect &&
	test_cmp expect st &&
	jq -r "select(.ev == \"order\") | .id" out >orders &&
	jq -r "select(.ev == \"order_update\") | .id" out >updates &&
	test_cmp orders updates
'

test_expect_success 'buying power: --capital, never more held than allowed' '
	liu-strategy --fill sim --capital 1000000 "$PLUGIN" <"$AAPL" >out &&
	test $(grep -c "\"ev\":\"fill\"" out) -ge 4 &&
	test $(grep -c "\"status\":\"rejected\"" out) -ge 4 &&
	jq -s -f held.jq out >held &&
	jq -e ". > 0 and . <= 1000000" held
'

test_expect_success 'buying power: --margin multiplies the capital' '
	liu-strategy --fill sim --capital 1000000 --margin 2 "$PLUGIN" \
	    <"$AAPL" >m2 &&
	liu-strategy --fill sim --capital 2000000 "$PLUGIN" <"$AAPL" >c2 &&
	test_cmp c2 m2 &&
	jq -s -f held.jq m2 >held && jq -e ". > 1000000 and . <= 2000000" held
'

test_expect_success 'buying power: the same with liu-route -n 1 and -n 4' '
	liu-strategy --fill sim --capital 1000000 "$PLUGIN" <"$AAPL" >one &&
	for n in 1 4
	do
		liu-route -n $n -- liu-strategy --fill sim --capital 1000000 \
		    "$PLUGIN" <"$AAPL" >r$n &&
		test_cmp one r$n || return 1
	done
'

test_expect_success 'buying power: bad --capital and --margin are usage errors' '
	test_expect_code 2 liu-strategy --fill sim --margin 5 "$PLUGIN" \
	    </dev/null &&
	test_expect_code 2 liu-strategy --fill sim --capital 0 "$PLUGIN" \
	    </dev/null
'

test_done
