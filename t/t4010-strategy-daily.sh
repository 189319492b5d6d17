#!/bin/sh
test_description='liu-strategy: daily and monthly bars, swing strategies, --positions'
. "$(dirname "$0")/test-lib.sh"

GOOG=$SRC_DIR/data/goog-2004-2008-1d.ndjson
MONTHLY=$SRC_DIR/data/stocks-1990-2022-1mo.ndjson

# the fills of a run: sym, side, qty, t, price (tab-separated)
fills () {
	jq -r 'select(.ev == "fill") | [.sym, .side, .qty, .t, .price] | @tsv' "$@"
}

test_expect_success 'liu-ta: indicators over daily and monthly bars' '
	liu-ta sma:3 <"$MONTHLY" >out &&
	# IBM 1990-03: (10.970438003540039 + 11.554415702819824 +
	# 11.951693534851074) / 3 = 11.4921824137
	jq -e -n "[inputs | select(.sym == \"IBM\" and
	    .t == \"1990-03-01T05:00:00Z\")] | .[0].sma3 |
	    . > 11.49218241 and . < 11.49218242" out >/dev/null &&
	liu-ta sma:2 <"$GOOG" | sed -n 2p >out &&
	# (100.34 + 108.31) / 2
	jq -e ".sma2 == 104.325 and .tf == \"1d\"" out >/dev/null
'

# Hand check of the first GOOG trade: on the bar of 2004-12-20 (close
# 185.02) the close is above the previous bar's high (180.5), MACD rises
# above its signal; the order is stamped with that bar's t and fills at
# the open of the next bar, 2004-12-21, 186.31.  No window applies:
# midnight New York is outside every session.
test_expect_success 'GOOG daily: momentum_long, orders at the bar, fills at the next open' '
	liu-strategy --fill sim momentum_long <"$GOOG" >out &&
	jq -c -n "[inputs | select(.ev == \"order\")] | .[0] |
	    [.t, .side, .qty, .horizon, .why.or_high, .stop_loss]" \
	    out >got &&
	echo "[\"2004-12-20T05:00:00Z\",\"buy\",110,\"swing\",180.5,175.95]" \
	    >exp &&
	test_cmp exp got &&
	fills out | head -n 1 >got &&
	printf "GOOG\tbuy\t110\t2004-12-21T05:00:00Z\t186.31\n" >exp &&
	test_cmp exp got &&
	grep "\"t\":\"2004-12-21T05:00:00Z\"" "$GOOG" | jq -e ".o == 186.31" &&
	# every fill is at the open of the first bar after its order
	jq -r "select(.ev == \"order\") | [.id, .t] | @tsv" out | sort >o &&
	jq -r "select(.ev == \"fill\") | [.id, .t, .price] | @tsv" out |
	    sort >f &&
	join -t "$(printf "\t")" o f >of &&
	test $(wc -l <of) -gt 20 &&
	jq -r "[.t, .o] | @tsv" "$GOOG" >bars &&
	while IFS="$(printf "\t")" read -r id ot ft px
	do
		next=$(awk -F "\t" -v t="$ot" "\$1 > t { print; exit }" bars) &&
		test "$next" = "$(printf "%s\t%s" "$ft" "$px")" || return 1
	done <of
'

test_expect_success 'GOOG daily: no flatten, stops on a daily range, positions over weekends' '
	liu-strategy --fill sim momentum_long <"$GOOG" >out &&
	test_grep ! "\"reason\":\"flatten\"" out &&
	# the stop exit of 2005-02-09: that bar'"'"'s low reaches 190.63
	jq -e -n "[inputs | select(.ev == \"order\" and
	    .why.reason == \"stop\")] | .[0] |
	    .t == \"2005-02-09T05:00:00Z\" and .why.stop_loss == 190.63" \
	    out >/dev/null &&
	grep "\"t\":\"2005-02-09T05:00:00Z\"" "$GOOG" | jq -e ".l <= 190.63" &&
	# a position bought before a weekend is sold after it: the buy'"'"'s
	# weekday (1-5) plus the days held reaches Saturday (6)
	jq -e -n "[inputs | select(.ev == \"fill\")] as \$f |
	    [range(0; (\$f | length) - 1) |
	    select(\$f[.].side == \"buy\" and \$f[. + 1].side == \"sell\") |
	    [\$f[.].t, \$f[. + 1].t] | map(.[0:10] + \"T00:00:00Z\" | fromdate)] |
	    map((.[0] | gmtime | .[6]) + (.[1] - .[0]) / 86400) |
	    any(. >= 6)" out >/dev/null
'

test_expect_success 'monthly closes: bars are kept and traded, fills at the next close' '
	grep "\"sym\":\"MSFT\"" "$MONTHLY" >msft &&
	liu-strategy --fill sim -p macd_fast=2 -p macd_slow=3 \
	    -p macd_signal=2 -p rsi_period=2 -p rsi_min=0 -p rsi_max=100 \
	    momentum_long <msft >out &&
	test_grep "\"ev\":\"fill\"" out &&
	test_grep ! "\"reason\":\"flatten\"" out &&
	jq -r "select(.ev == \"fill\") | [.t, .price] | @tsv" out >f &&
	jq -r "[.t, .c] | @tsv" msft >c &&
	join -t "$(printf "\t")" f c >both &&
	test_line_count = $(wc -l <f) both &&
	awk -F "\t" "{ d = \$2 - \$3; if (d > 0.00005 || d < -0.00005) bad++ }
	    END { exit bad }" both
'

test_expect_success 'swing: no flatten, positions kept overnight; day still flattens' '
	liu-stream synth --max --types bar --symbols 20 --duration 3d \
	    --seed 7 >syn &&
	liu-strategy --fill sim momentum <syn >day &&
	test_grep "\"reason\":\"flatten\"" day &&
	test_grep ! "\"horizon\"" day &&
	liu-strategy --fill sim -p swing=1 momentum <syn >swing &&
	test_grep ! "\"reason\":\"flatten\"" swing &&
	jq -e -n "[inputs | select(.ev == \"order\" and .side == \"buy\")] |
	    all(.horizon == \"swing\")" swing >/dev/null &&
	jq -e -n "[inputs | select(.ev == \"order\" and .side == \"sell\")] |
	    all(.horizon == null)" swing >/dev/null &&
	# some position is bought on one day and sold on a later one
	fills swing | sort -s -t "$(printf "\t")" -k1,1 | awk -F "\t" "
	    \$2 == \"buy\" { d[\$1] = substr(\$4, 1, 10) }
	    \$2 == \"sell\" && substr(\$4, 1, 10) > d[\$1] { n++ }
	    END { exit n > 0 ? 0 : 1 }" &&
	# and with swing=0 the day strategy is the default one
	liu-strategy --fill sim -p swing=0 momentum <syn >day0 &&
	test_cmp day day0
'

test_expect_success '--positions: a day strategy flattens what it is given' '
	head -n 30 "$SRC_DIR/data/aapl-2012-01-26-1m.ndjson" >in &&
	printf "%s\n" "{\"ev\":\"position\",\"t\":\"2012-01-26T14:00:00Z\",\"sym\":\"AAPL\",\"qty\":100,\"avg_price\":440.5,\"strategy\":\"momentum_long\"}" >pos &&
	liu-strategy --fill sim -p flatten=385 --positions pos momentum_long \
	    <in >out &&
	jq -c -n "[inputs | select(.ev == \"order\")] | .[0] |
	    [.side, .qty, .why.reason]" out >got &&
	echo "[\"sell\",100,\"flatten\"]" >exp &&
	test_cmp exp got &&
	test_grep ! "\"ev\":\"position\"" out
'

test_expect_success '--positions: a swing position is kept and written at the end' '
	head -n 30 "$SRC_DIR/data/aapl-2012-01-26-1m.ndjson" >in &&
	printf "%s\n" "{\"ev\":\"position\",\"t\":\"2012-01-26T14:00:00Z\",\"sym\":\"AAPL\",\"qty\":100,\"avg_price\":440.5}" >pos &&
	liu-strategy --fill sim -p flatten=385 -p swing=1 -p rsi_exit=101 \
	    -p scale_at=100 -p macd_fast=100 -p macd_slow=200 --positions pos momentum_long \
	    <in >out &&
	test_grep ! "\"ev\":\"order\"" out &&
	tail -n 1 out >got &&
	echo "{\"ev\":\"position\",\"t\":\"2012-01-26T15:00:00Z\",\"sym\":\"AAPL\",\"qty\":100,\"avg_price\":440.5,\"strategy\":\"momentum_long\"}" >exp &&
	test_cmp exp got
'

test_expect_success '--positions: a position keeps its stop and target' '
	head -n 30 "$SRC_DIR/data/aapl-2012-01-26-1m.ndjson" >in &&
	# the lowest low of these bars is 445.88 (14:42)
	for stop in 445.5 446
	do
		printf "%s\n" "{\"ev\":\"position\",\"t\":\"2012-01-26T14:00:00Z\",\"sym\":\"AAPL\",\"qty\":100,\"avg_price\":440.5,\"strategy\":\"momentum_long\",\"stop_loss\":$stop,\"target\":460}" >pos.$stop &&
		liu-strategy --fill sim -p swing=1 -p rsi_exit=101 \
		    -p scale_at=100 -p macd_fast=100 -p macd_slow=200 \
		    --positions pos.$stop momentum_long <in >out.$stop || return 1
	done &&
	# not reached: nothing sent, and written back as it came
	test_grep ! "\"ev\":\"order\"" out.445.5 &&
	tail -n 1 out.445.5 >got &&
	sed "s/14:00:00Z/15:00:00Z/" pos.445.5 >exp &&
	test_cmp exp got &&
	# reached: sold at the stop, nothing left
	jq -c -n "[inputs | select(.ev == \"order\")] | .[] |
	    [.t, .side, .qty, .why.reason, .why.stop_loss]" out.446 >got &&
	echo "[\"2012-01-26T14:42:00Z\",\"sell\",100,\"stop\",446]" >exp &&
	test_cmp exp got &&
	test_grep ! "\"ev\":\"position\"" out.446 &&
	printf "%s\n" "{\"ev\":\"position\",\"t\":\"2012-01-26T14:00:00Z\",\"sym\":\"AAPL\",\"qty\":1,\"avg_price\":2,\"stop_loss\":-1}" >bad &&
	test_expect_code 1 liu-strategy --positions bad momentum_long \
	    </dev/null 2>err &&
	test_grep "bad:1: position stop_loss or target is not positive" err
'

test_expect_success '--positions and bars of history resume a split run: the same trades' '
	D="$SRC_DIR/data/goog-2004-2008-1d.ndjson" &&
	liu-strategy --fill sim momentum <"$D" >whole &&
	# split while a position is held (bought 2006-08-29, sold 10-02 on
	# a MACD turn that needs the bars before the split)
	head -n 520 "$D" >part1 &&
	tail -n +521 "$D" >part2 &&
	liu-strategy --fill sim momentum <part1 >out1 &&
	jq -c "select(.ev == \"position\")" out1 >pos &&
	test_line_count = 1 pos &&
	jq -e "select(.qty == 50 and .stop_loss == 368)" pos >/dev/null &&
	jq -c ". + {hist: true}" part1 >hist1 &&
	cat hist1 part2 | liu-strategy --fill sim --positions pos momentum \
	    >out2 &&
	jq -c "select(.ev == \"fill\") | [.t, .side, .qty, .price]" \
	    whole >exp &&
	test_line_count -gt 40 exp &&
	jq -c "select(.ev == \"fill\") | [.t, .side, .qty, .price]" \
	    out1 out2 >got &&
	test_cmp exp got &&
	# without the history, the MACD exit is not seen: not the same
	liu-strategy --fill sim --positions pos momentum <part2 >out3 &&
	jq -c "select(.ev == \"fill\") | [.t, .side, .qty, .price]" \
	    out1 out3 >cold &&
	! test_cmp exp cold >/dev/null &&
	# bars of history send nothing, even with a position to guard
	liu-strategy --fill sim --positions pos momentum <hist1 >out4 &&
	test_grep ! "\"ev\":\"order\"" out4
'

test_expect_success '--positions: bad lines, other strategies, a missing file' '
	cat >pos <<-\EOF &&
	{"ev":"position","t":"2012-01-26T14:00:00Z","sym":"AAPL","qty":5,"avg_price":1,"strategy":"vwap_long"}
	{"ev":"trade","t":"2012-01-26T14:00:00Z","sym":"AAPL","price":1,"size":1}
	{"ev":"position","t":"2012-01-26T14:00:00Z","sym":"MSFT","qty":5}
	{"ev":"position","t":"2012-01-26T14:00:00Z","sym":"IBM","qty":-3,"avg_price":2,"strategy":"momentum_long"}
	EOF
	test_expect_code 1 liu-strategy --positions pos momentum_long \
	    </dev/null >out 2>err &&
	test_grep "pos:2: not a position event" err &&
	test_grep "pos:3: position has no positive avg_price" err &&
	echo "{\"ev\":\"position\",\"t\":\"2012-01-26T14:00:00Z\",\"sym\":\"IBM\",\"qty\":-3,\"avg_price\":2,\"strategy\":\"momentum_long\"}" >exp &&
	test_cmp exp out &&
	printf "%s\n" "{\"ev\":\"position\",\"t\":\"2012-01-26T14:00:00Z\",\"sym\":\"IBM\",\"qty\":1,\"avg_price\":2}" >one &&
	test_expect_code 1 liu-strategy --positions one momentum_long \
	    vwap_long </dev/null 2>err &&
	test_grep "one:1: position names no strategy, and several are loaded" \
	    err &&
	test_expect_code 2 liu-strategy --positions nosuch momentum_long \
	    </dev/null 2>err &&
	test_grep "cannot open --positions" err
'

test_expect_success '--positions under liu-route: each shard keeps its symbols' '
	for s in AAA BBB CCC DDD EEE FFF
	do
		echo "{\"ev\":\"position\",\"t\":\"2024-03-01T14:00:00Z\",\"sym\":\"$s\",\"qty\":1,\"avg_price\":10,\"strategy\":\"momentum_long\"}"
	done >pos &&
	LIU_SHARDS=2 LIU_SHARD=0 liu-strategy --positions pos momentum_long \
	    </dev/null >s0 &&
	LIU_SHARDS=2 LIU_SHARD=1 liu-strategy --positions pos momentum_long \
	    </dev/null >s1 &&
	test -s s0 && test -s s1 &&
	sort s0 s1 >got && sort pos >exp && test_cmp exp got
'

test_done
