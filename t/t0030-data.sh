#!/bin/sh
test_description='data/: the real daily and monthly bars, and their conversion

The files in data/ are in canonical form, their times are midnight New
York time of the session or month, the monthly table lost nothing but its
dividend rows and its repeated last row, and scripts/csv-to-bars makes
them again from the sources (when ../shared/data is there).  liu-ta and
liu-route take the "1d" and "1mo" timeframes.'
. "$(dirname "$0")/test-lib.sh"

D=$SRC_DIR/data
GOOG=$D/goog-2004-2008-1d.ndjson
MSFT=$D/msft-2000-2001-1d.ndjson
MONTH=$D/stocks-1990-2022-1mo.ndjson

test_expect_success 'the files are in canonical form' '
	for f in "$GOOG" "$MSFT" "$MONTH"
	do
		liu-stream replay --max --validate "$f" >out &&
		test_cmp "$f" out || return 1
	done
'

# Counted in the sources: GOOG 1047 rows, MSFT 249; the monthly table 390
# months (1990-01 to 2022-06) for the 8 symbols listed from 1990 (IBM,
# AAPL, MSFT, XRX, ADBE, ^GSPC, ^IXIC), AMZN from 1997-06 (301 months),
# GOOGL from 2004-09 (214), DELL from 2016-09 (70): 7 x 390 + 301 + 214 +
# 70 = 3315.
test_expect_success 'bars by symbol' '
	jq -r "[.sym, .tf] | join(\" \")" "$GOOG" "$MSFT" "$MONTH" |
	    sort | uniq -c |
	    sed "s/^ *//" >out &&
	cat >expect <<-\E &&
	390 AAPL 1mo
	390 ADBE 1mo
	70 DELL 1mo
	1047 GOOG 1d
	214 GOOGL 1mo
	390 IBM 1mo
	390 MSFT 1mo
	249 MSFT 1d
	301 AMZN 1mo
	390 XRX 1mo
	390 ^GSPC 1mo
	390 ^IXIC 1mo
	E
	sort expect >e && sort out >o && test_cmp e o
'

# EDT (UTC-4) in August, EST (UTC-5) in January; the first and last rows.
test_expect_success 'daily t is midnight New York time of the session' '
	head -n 1 "$GOOG" >out &&
	echo "{\"ev\":\"bar\",\"t\":\"2004-08-19T04:00:00Z\",\"sym\":\"GOOG\",\"tf\":\"1d\",\"o\":100,\"h\":104.06,\"l\":95.96,\"c\":100.34,\"v\":22351900}" >expect &&
	test_cmp expect out &&
	grep -c "\"t\":\"2005-01-03T05:00:00Z\"" "$GOOG" >n &&
	echo 1 >expect && test_cmp expect n &&
	tail -n 1 "$MSFT" >out &&
	echo "{\"ev\":\"bar\",\"t\":\"2001-09-27T04:00:00Z\",\"sym\":\"MSFT\",\"tf\":\"1d\",\"o\":50.1,\"h\":50.68,\"l\":48,\"c\":49.96,\"v\":40595600}" >expect &&
	test_cmp expect out &&
	jq -r "select(.tf != \"1d\" or (.t | test(\"T0[45]:00:00Z\$\") | not))" \
	    "$GOOG" "$MSFT" >bad && test_must_be_empty bad
'

test_expect_success 'monthly: first of the month, close only, June 2022 once' '
	jq -r "select(.tf != \"1mo\" or .v != 0 or .close_only != true or
	    .o != .c or .h != .c or .l != .c or
	    (.t | test(\"-01T0[45]:00:00Z\$\") | not))" "$MONTH" >bad &&
	test_must_be_empty bad &&
	grep -c "\"t\":\"2022-06" "$MONTH" >n && echo 10 >expect &&
	test_cmp expect n &&
	tail -n 1 "$MONTH" | jq -c "[.t, .sym, .c]" >out &&
	echo "[\"2022-06-01T04:00:00Z\",\"^IXIC\",11181.5400390625]" >expect &&
	test_cmp expect out &&
	grep "\"sym\":\"DELL\"" "$MONTH" | head -n 1 | jq -r .t >out &&
	echo 2016-09-01T04:00:00Z >expect && test_cmp expect out
'

# The sources: beside the project (../shared/data), or where
# LIU_SHARED_DATA says.
S=${LIU_SHARED_DATA:-$SRC_DIR/../shared/data}
test -f "$S/stocks-monthly-1990-2022.csv" || S=$SRC_DIR/../../shared/data
if test -f "$S/stocks-monthly-1990-2022.csv"
then
	test_expect_success 'csv-to-bars makes the files again' '
		csv-to-bars daily "$S/goog-daily-2004-2008.csv" GOOG >g &&
		test_cmp "$GOOG" g &&
		csv-to-bars daily "$S/msft-daily-2000-2001.csv" MSFT >m &&
		test_cmp "$MSFT" m &&
		csv-to-bars monthly "$S/stocks-monthly-1990-2022.csv" >s &&
		test_cmp "$MONTH" s
	'
fi

test_expect_success 'csv-to-bars: blank cells, dividend rows, the repeat' '
	cat >in.csv <<-\E &&
	# Data source: https://finance.yahoo.com
	Date,A,B
	2020-01-01,1.5,
	2020-01-06,,
	2020-02-01,2,3.25
	2020-02-27,2,3.25
	E
	csv-to-bars monthly in.csv >out &&
	cat >expect <<-\E &&
	{"ev":"bar","t":"2020-01-01T05:00:00Z","sym":"A","tf":"1mo","o":1.5,"h":1.5,"l":1.5,"c":1.5,"v":0,"close_only":true}
	{"ev":"bar","t":"2020-02-01T05:00:00Z","sym":"A","tf":"1mo","o":2,"h":2,"l":2,"c":2,"v":0,"close_only":true}
	{"ev":"bar","t":"2020-02-01T05:00:00Z","sym":"B","tf":"1mo","o":3.25,"h":3.25,"l":3.25,"c":3.25,"v":0,"close_only":true}
	E
	test_cmp expect out &&
	echo "2020-02-27,2,3.5" >>in.csv &&
	test_must_fail python3 "$SRC_DIR/scripts/csv-to-bars" monthly in.csv \
	    >/dev/null 2>err &&
	grep "does not repeat its month" err
'

# sma:2 of GOOG by hand: (100.34 + 108.31) / 2 = 104.325; of the monthly
# IBM and AAPL, each its own series: (10.970438003540039 +
# 11.554415702819824) / 2 = 11.26242685317993 (12 digits: 11.2624268532).
test_expect_success 'liu-ta on 1d and 1mo bars' '
	head -n 2 "$GOOG" | liu-ta sma:2 | jq -c .sma2 >out &&
	printf "null\n104.325\n" >expect && test_cmp expect out &&
	head -n 14 "$MONTH" | liu-ta sma:2 |
	    jq -c "select(.sym == \"IBM\") | .sma2" >out &&
	printf "null\n11.2624268532\n" >expect && test_cmp expect out
'

# A monthly bar comes after the events of its month: it ends at the next
# first, not where it starts, so liu-route does not take it for late.
test_expect_success 'liu-route: a 1mo bar ends a month after its start' '
	cat >in <<-\E &&
	{"ev":"trade","t":"2022-06-20T14:00:00Z","sym":"B","price":10,"size":1}
	{"ev":"bar","t":"2022-06-01T04:00:00Z","sym":"A","tf":"1mo","o":1,"h":1,"l":1,"c":1,"v":0}
	E
	liu-route -n 2 -- cat <in >out 2>err &&
	grep -c "\"tf\":\"1mo\"" out >n && echo 1 >expect &&
	test_cmp expect n && test_must_be_empty err
'

test_done
