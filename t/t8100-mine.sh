#!/bin/sh
test_description='liu-mine: daily bars, tickers, gain and loss, clusters

Against a real PostgreSQL (t/lib-pg.sh), t/fake-rest.py for the daily
bars (a data set made below in the shape of the Alpaca fixture records
of t/data/rest-alpaca.json, whose error bodies it keeps) and
t/fake-scan.py for Alpaca'"'"'s assets: normal runs, incremental and
repeated runs, bad input, the providers'"'"' errors.  gainloss is checked
against liu-analyze on the same fills; the clusters against a hand
calculation on returns made to be correlated or not.  liu-scan --from-db
is checked against liu-scan --from on the same bars.'
. "$(dirname "$0")/test-lib.sh"
. "$SRC_DIR/t/lib-tls.sh"
. "$SRC_DIR/t/lib-fake.sh"
. "$SRC_DIR/t/lib-pg.sh"

test -x "$FAKE_PYTHON" || test_skip_all "no $FAKE_PYTHON for the fakes"
tls_have || test_skip_all "openssl 3 is missing"
tls_setup || test_skip_all "cannot make the test certificates"
pg_start 57810

APCA_API_KEY_ID=PKMINEFAKE2Q8W4E6R
APCA_API_SECRET_KEY=mineSecret7a6b5c4dDoNotShip
POLYGON_API_KEY=minePolygonKey3z5x7c
export APCA_API_KEY_ID APCA_API_SECRET_KEY POLYGON_API_KEY
LIU_NOW=2024-02-15T12:00:00Z
export LIU_NOW

# mkdata DIR LAST [CHANGE]: a --data directory for fake-rest.py: the
# weekdays 2024-01-02 to LAST of AAA and BBB (closes 10 + 0.25 x k and
# 20 + k, k the day's index), and with CHANGE the close of 2024-01-31
# of AAA as 99; Polygon's file as shipped.
mkdata () {
	mkdir -p "$1" &&
	cp "$TEST_DATA/rest-polygon.json" "$1/" &&
	"$FAKE_PYTHON" - "$TEST_DATA/rest-alpaca.json" "$1" "$2" "${3:-}" <<-\EOF
	import datetime, json, sys
	src, out, last, change = sys.argv[1:5]
	d = json.load(open(src))
	day = datetime.date(2024, 1, 2)
	end = datetime.date.fromisoformat(last)
	bars = {"AAA": [], "BBB": []}
	k = 0
	while day <= end:
	    if day.weekday() < 5:
	        t = day.isoformat() + "T05:00:00Z"
	        for s, c in (("AAA", 10 + 0.25 * k), ("BBB", 20 + k)):
	            if change and s == "AAA" and day.isoformat() == "2024-01-31":
	                c = 99
	            bars[s].append({"t": t, "o": c - 0.5, "h": c + 1,
	                            "l": c - 1, "c": c, "v": 1000 * (k + 1),
	                            "n": 10 + k, "vw": c - 0.25})
	        k += 1
	    day += datetime.timedelta(days=1)
	d["bars"] = {"1Day": bars}
	d["trades"] = {}
	json.dump(d, open(out + "/rest-alpaca.json", "w"))
	EOF
}

# rest NAME DATA [OPTION...]: fake-rest.py over TLS on DATA
rest () {
	rest_n=$1
	rest_d=$2
	shift 2
	fake_start "$rest_n" "$FAKE_PYTHON" "$SRC_DIR/t/fake-rest.py" \
	    --port-file "$rest_n.port" --log "$rest_n.log" --data "$rest_d" \
	    --cert "$TLS_CERT" --key "$TLS_KEY" --idle 120 "$@"
}

# mine NAME ARG...: liu-mine with the fake NAME as the data URL
mine () {
	mine_u=https://127.0.0.1:$(cat "$1.port")
	shift
	liu-mine "$@" --cacert "$TLS_CA" --url "$mine_u"
}

# digests FILE: the digest liu-db gives each event of FILE, a line each
digests () {
	while read -r dg_l
	do
		echo "SELECT md5(:'ev'::jsonb::text)" |
		"$PG_BIN/psql" -X -q -A -t -v ev="$dg_l" || return 1
	done <"$1"
}

ohlc () {
	pg_sql "SELECT symbol, day, open, high, low, close, volume, vwap,
	    trades FROM stock_ohlc ORDER BY symbol, day"
}

test_expect_success 'setup: the database, the data, the fakes' '
	liu-db init &&
	mkdata d1 2024-01-31 &&
	mkdata d2 2024-02-06 change &&
	rest r1 d1 &&
	rest r2 d2
'

test_expect_success 'daily-ohlc: the bars of the symbols named' '
	mine r1 daily-ohlc --provider alpaca AAA BBB 2>err &&
	test_must_be_empty err &&
	ohlc >rows &&
	test_line_count = 44 rows &&
	grep "^AAA|2024-01-02|" rows >actual &&
	echo "AAA|2024-01-02|9.5|11|9|10|1000|9.75|10" >expect &&
	test_cmp expect actual &&
	grep "^BBB|2024-01-31|" rows >actual &&
	echo "BBB|2024-01-31|40.5|42|40|41|22000|40.75|31" >expect &&
	test_cmp expect actual &&
	test_grep "GET /v2/stocks/AAA/bars?.*start=2023-02-15T" r1.log
'

test_expect_success 'daily-ohlc again: from the last day stored, same rows' '
	: >r1.log &&
	mine r1 daily-ohlc --provider alpaca AAA BBB &&
	ohlc >again &&
	test_cmp rows again &&
	test_grep "GET /v2/stocks/AAA/bars?.*start=2024-01-31T00%3A00%3A00Z" \
	    r1.log &&
	! grep "start=2023" r1.log
'

test_expect_success 'daily-ohlc, no symbols: the stored ones, incrementally' '
	: >r2.log &&
	mine r2 daily-ohlc --provider alpaca -v 2>err &&
	ohlc >rows2 &&
	test_line_count = 52 rows2 &&
	grep "^AAA|2024-01-31|" rows2 >actual &&
	echo "AAA|2024-01-31|98.5|100|98|99|22000|98.75|31" >expect &&
	test_cmp expect actual &&
	grep "^AAA|2024-02-06|" rows2 >actual &&
	echo "AAA|2024-02-06|15.75|17.25|15.25|16.25|26000|16|35" >expect &&
	test_cmp expect actual &&
	grep -v -e "|2024-01-31|" -e "|2024-02-" rows2 >old &&
	grep -v "|2024-01-31|" rows >old-expect &&
	test_cmp old-expect old &&
	test_grep "daily-ohlc: AAA: 5 bars from 2024-01-31" err &&
	test_grep "daily-ohlc: 2 symbols, 10 bars stored" err
'

test_expect_success 'daily-ohlc --since: where a new symbol starts' '
	: >r2.log &&
	mine r2 daily-ohlc --provider alpaca --since 2024-02-01 CCC AAA \
	    2>err;
	test $? = 1 &&
	test_grep "CCC" err &&
	test_grep "start=2024-02-01T00%3A00%3A00Z" r2.log &&
	test_grep "GET /v2/stocks/AAA/bars?.*start=2024-02-06T" r2.log &&
	ohlc >actual &&
	test_cmp rows2 actual
'

test_expect_success 'daily-ohlc: a symbol not found is reported, others kept' '
	pg_sql "DELETE FROM stock_ohlc WHERE symbol = '"'"'BBB'"'"'" &&
	test_expect_code 1 mine r2 daily-ohlc --provider alpaca NOPE BBB \
	    2>err &&
	test_grep "NOPE" err &&
	ohlc >actual &&
	test_cmp rows2 actual
'

test_expect_success 'daily-ohlc: 429s are waited out' '
	rest r3 d2 --throttle 2 &&
	pg_sql "DELETE FROM stock_ohlc WHERE day > '"'"'2024-02-01'"'"'" &&
	mine r3 daily-ohlc --provider alpaca AAA BBB &&
	ohlc >actual &&
	test_cmp rows2 actual &&
	test $(grep -c " 429$" r3.log) = 2
'

test_expect_success 'daily-ohlc: refused keys, garbage: exit 1, what was stored stays' '
	(
		APCA_API_SECRET_KEY=wrong &&
		test_expect_code 1 mine r2 daily-ohlc --provider alpaca AAA \
		    2>err
	) &&
	test_grep "401\|unauthorized\|refuse" err &&
	rest r4 d2 --garbage &&
	pg_sql "DELETE FROM stock_ohlc WHERE symbol = '"'"'BBB'"'"'" &&
	test_expect_code 1 mine r4 daily-ohlc --provider alpaca AAA BBB \
	    2>err &&
	test_grep "bad response" err &&
	ohlc >actual &&
	grep "^AAA" rows2 >expect &&
	test_cmp expect actual &&
	mine r2 daily-ohlc --provider alpaca AAA BBB &&
	ohlc >actual &&
	test_cmp rows2 actual
'

test_expect_success 'daily-ohlc --provider polygon: Polygon'"'"'s aggregates' '
	mine r1 daily-ohlc --provider polygon --since 2005-01-01 GIK &&
	pg_sql "SELECT symbol, day, open, close, volume FROM stock_ohlc
	    WHERE symbol = '"'"'GIK'"'"'" >actual &&
	echo "GIK|2020-10-14|9.99|10.02|895345" >expect &&
	test_cmp expect actual
'

cat >universe.json <<\EOF
{"date": "2024-02-15", "symbols": [
 {"sym": "AAA", "price": 10, "prev_close": 9.5, "prev_volume": 100000,
  "volume": 50000},
 {"sym": "BBB", "price": 20, "prev_close": 19, "prev_volume": 100000,
  "volume": 50000},
 {"sym": "NOTR", "price": 5, "prev_close": 5, "prev_volume": 100000,
  "volume": 50000, "tradable": false}],
 "assets_extra": [{"id": "x", "class": "us_equity", "exchange": "NYSE",
  "name": "no symbol", "status": "active", "tradable": true}]}
EOF

test_expect_success 'tickers: the assets into ticker_data, again the same' '
	fake_start assets "$FAKE_PYTHON" "$SRC_DIR/t/fake-scan.py" \
	    --port-file assets.port --log assets.log --universe universe.json \
	    --cert "$TLS_CERT" --key "$TLS_KEY" --idle 120 &&
	test_expect_code 1 liu-mine tickers --cacert "$TLS_CA" \
	    --trading-url https://127.0.0.1:$(cat assets.port) 2>err &&
	test_grep "bad record: an asset without a \"symbol\"" err &&
	pg_sql "SELECT symbol, name, exchange, data->'"'"'asset'"'"'->>'"'"'tradable'"'"'
	    FROM ticker_data ORDER BY symbol" >actual &&
	cat >expect <<-\EOF &&
	AAA|AAA Inc. Common Stock|NASDAQ|true
	BBB|BBB Inc. Common Stock|NASDAQ|true
	NOTR|NOTR Inc. Common Stock|NASDAQ|false
	EOF
	test_cmp expect actual &&
	test_expect_code 1 liu-mine tickers --cacert "$TLS_CA" \
	    --trading-url https://127.0.0.1:$(cat assets.port) 2>err &&
	pg_sql "SELECT count(*) FROM ticker_data" >actual &&
	echo 3 >expect &&
	test_cmp expect actual
'

test_expect_success 'daily-ohlc --from-assets: the tradable ones' '
	pg_sql "DELETE FROM stock_ohlc" &&
	: >r2.log &&
	test_expect_code 1 mine r2 daily-ohlc --provider alpaca --from-assets \
	    --trading-url https://127.0.0.1:$(cat assets.port) 2>err &&
	ohlc >actual &&
	test_cmp rows2 actual &&
	! grep NOTR r2.log
'

test_expect_success 'liu-scan --from-db = liu-scan --from on the same bars' '
	pg_sql "SELECT symbol, day, open, high, low, close, volume
	    FROM stock_ohlc ORDER BY day, symbol" |
	awk -F"|" "{ printf \"{\\\"ev\\\":\\\"bar\\\",\\\"t\\\":\\\"%sT00:00:00Z\\\",\\\"sym\\\":\\\"%s\\\",\\\"tf\\\":\\\"1d\\\",\\\"o\\\":%s,\\\"h\\\":%s,\\\"l\\\":%s,\\\"c\\\":%s,\\\"v\\\":%s}\\n\", \$2, \$1, \$3, \$4, \$5, \$6, \$7 }" \
	    >bars.ndjson &&
	test_line_count = 52 bars.ndjson &&
	for a in "momentum --min-change 0 --min-last-dv 0 --max-price 100" \
	    "momentum --min-change 0 --min-last-dv 0 --min-volume 0" \
	    "snapshot" "momentum --min-change 50 --max-price 1000 --min-last-dv 0 --min-volume 0"
	do
		liu-scan $a --from bars.ndjson >expect &&
		liu-scan $a --from-db >actual &&
		test_cmp expect actual || return 1
	done &&
	liu-scan momentum --from-db --max-price 1000 --min-last-dv 0 \
	    --min-change 50 --min-volume 0 >actual &&
	test_line_count = 1 actual &&
	grep "\"sym\":\"AAA\"" actual >aaa &&
	test_line_count = 1 aaa &&
	test_grep "\"t\":\"2024-01-31T14:30:00Z\"" aaa
'

# bt9'"'"'s round trips (t/data/db-backtest.ndjson), by hand: momentum_long
# AAPL 10 shares at 180.18 out at 183.30, +31.16 after 0.04 of fees, R
# 1.43119; 3 at 182 out at 181.50, -1.52 after 0.02, R -0.5; short_fade
# TSLA 5 short at 200.50 covered at 205.75, -26.29 after 0.04, R -0.55263.
test_expect_success 'gainloss: the figures of liu-analyze, stored once' '
	liu-db store --journal j <"$TEST_DATA/db-backtest.ndjson" >/dev/null &&
	liu-db export --batch bt9 --what fills | liu-analyze -f ndjson |
	    grep "\"ev\":\"analysis\"" >analysis &&
	test -s analysis &&
	LIU_NOW=2024-03-05T00:00:00Z liu-mine gainloss --days 7 &&
	pg_sql "SELECT digest FROM trade_analysis WHERE batch_id = '"'"'bt9'"'"'" |
	    sort >stored &&
	digests analysis | sort >expect &&
	test_cmp expect stored &&
	LIU_NOW=2024-03-05T00:00:00Z liu-mine gainloss --days 7 &&
	pg_sql "SELECT count(*) FROM trade_analysis" >actual &&
	wc -l <analysis | tr -d " " >expect &&
	test_cmp expect actual &&
	pg_sql "SELECT strategy, symbol, trades, wins, losses, gain, fees,
	    round(r_units, 6) FROM gain_loss ORDER BY strategy, symbol" >actual &&
	cat >expect <<-\EOF &&
	momentum_long|AAPL|2|1|1|29.64|0.06|0.931193
	short_fade|TSLA|1|0|1|-26.29|0.04|-0.552632
	EOF
	test_cmp expect actual
'

test_expect_success 'gainloss: batches older than --days are left alone' '
	pg_sql "DELETE FROM gain_loss" &&
	LIU_NOW=2024-04-05T00:00:00Z liu-mine gainloss --days 7 &&
	pg_sql "SELECT count(*) FROM gain_loss" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

# Closes for the clusters: 25 weekdays from 2024-01-02, the k-th return
# (k = 1..24) of each symbol:
#   PA  +0.01, -0.01, +0.01, ...  (alternating)
#   PB  twice PA's: correlation 1 with PA, distance 0
#   QA  +0.01, +0.01, -0.01, -0.01, ... (period 4): uncorrelated with PA
#       over 24 returns (each +-pair of PA meets one sign of QA twice),
#       distance 1
#   QB  QA's plus 0.1 x PA's: correlation 1 / sqrt(1.01) = 0.995 with QA
#       (distance 0.005), 0.1 / sqrt(1.01) = 0.0995 with PA and PB
#       (distance 0.9005)
#   SOLO only 3 days: fewer returns than --min-days 5, left out
# So with --max-distance 0.5: {PA, PB} and {QA, QB}; with 1.5 the two
# meet at the mean of their cross distances, (1 + 0.9005) / 2 = 0.95:
# one group.
test_expect_success 'cluster: correlated returns grouped, average linkage' '
	pg_sql "DELETE FROM stock_ohlc" &&
	"$FAKE_PYTHON" - >cl.ndjson <<-\EOF &&
	import datetime, json, math
	days = []
	d = datetime.date(2024, 1, 2)
	while len(days) < 25:
	    if d.weekday() < 5:
	        days.append(d.isoformat())
	    d += datetime.timedelta(days=1)
	pa = [0.01 if k % 2 == 0 else -0.01 for k in range(24)]
	qa = [0.01 if k % 4 < 2 else -0.01 for k in range(24)]
	rets = {"PA": pa, "PB": [2 * x for x in pa], "QA": qa,
	        "QB": [q + 0.1 * p for q, p in zip(qa, pa)]}
	def bar(day, s, c, v):
	    print(json.dumps({"ev": "bar", "t": day + "T00:00:00Z", "sym": s,
	                      "tf": "1d", "o": c, "h": c, "l": c, "c": c,
	                      "v": v}, separators=(",", ":")))
	for s, r in sorted(rets.items()):
	    c = 50.0
	    for i, day in enumerate(days):
	        if i:
	            c *= math.exp(r[i - 1])
	        bar(day, s, c, 1000)
	for day in days[:3]:
	    bar(day, "SOLO", 5, 1)
	EOF
	liu-db ohlc load cl.ndjson &&
	LIU_NOW=2024-02-06T12:00:00Z liu-mine cluster --days 40 --ndjson >out &&
	sed "s/\"t\":\"[^\"]*\",//" out >actual &&
	cat >expect <<-\EOF &&
	{"ev":"cluster","sym":"PA","cluster":1,"size":2,"days":40,"max_distance":0.5}
	{"ev":"cluster","sym":"PB","cluster":1,"size":2,"days":40,"max_distance":0.5}
	{"ev":"cluster","sym":"QA","cluster":2,"size":2,"days":40,"max_distance":0.5}
	{"ev":"cluster","sym":"QB","cluster":2,"size":2,"days":40,"max_distance":0.5}
	EOF
	test_cmp expect actual &&
	LIU_NOW=2024-02-06T12:00:00Z liu-mine cluster --days 40 \
	    --max-distance 1.5 --ndjson >out &&
	sed "s/.*\"sym\":\"\([^\"]*\)\",\"cluster\":\([0-9]*\),\"size\":\([0-9]*\).*/\1 \2 \3/" \
	    out >actual &&
	printf "%s\n" "PA 1 4" "PB 1 4" "QA 1 4" "QB 1 4" >expect &&
	test_cmp expect actual
'

test_expect_success 'cluster: into ticker_data, the asset metadata kept' '
	LIU_NOW=2024-02-06T12:00:00Z liu-mine cluster --days 40 &&
	pg_sql "SELECT symbol, data->'"'"'cluster'"'"'->>'"'"'id'"'"',
	    data->'"'"'cluster'"'"'->>'"'"'as_of'"'"', data ? '"'"'asset'"'"'
	    FROM ticker_data WHERE data ? '"'"'cluster'"'"' ORDER BY symbol" >actual &&
	cat >expect <<-\EOF &&
	PA|1|2024-02-06|f
	PB|1|2024-02-06|f
	QA|2|2024-02-06|f
	QB|2|2024-02-06|f
	EOF
	test_cmp expect actual &&
	pg_sql "SELECT count(*) FROM ticker_data WHERE data ? '"'"'asset'"'"'" >actual &&
	echo 3 >expect &&
	test_cmp expect actual
'

test_expect_success 'usage errors: exit 2, no output' '
	for args in "" "bogus" "tickers extra" "gainloss --max-distance 1" \
	    "cluster --since 2024-01-01" "daily-ohlc --since 2024-13-01 A" \
	    "daily-ohlc --from-assets A" "daily-ohlc --provider bogus A" \
	    "daily-ohlc --provider polygon --feed iex A" \
	    "cluster --min-days 50 --days 10" "gainloss --days 0" \
	    "daily-ohlc --provider alpaca A,B" "--bogus"
	do
		test_expect_code 2 liu-mine $args >out 2>err &&
		test_must_be_empty out &&
		test -s err || return 1
	done &&
	test_expect_code 2 liu-mine daily-ohlc --feed otc A 2>err &&
	test_grep "^liu-mine: invalid --feed (want iex or sip): '"'"'otc'"'"'\$" err &&
	test_expect_code 2 liu-mine daily-ohlc --provider x A 2>err &&
	test_grep "^liu-mine: invalid --provider (want alpaca or polygon): '"'"'x'"'"'\$" err &&
	test_expect_code 2 liu-scan momentum --from-db --at 09:45 &&
	test_expect_code 2 liu-scan momentum --from-db --from x &&
	test_expect_code 2 liu-scan momentum --dsn x --provider alpaca
'

test_expect_success 'no database: exit 3' '
	test_expect_code 3 liu-mine gainloss --dsn "host=/nonexistent" 2>err &&
	test -s err &&
	test_expect_code 3 liu-scan snapshot --from-db \
	    --dsn "host=/nonexistent" 2>err &&
	test -s err
'

test_expect_success 'the keys are in no output, log or message' '
	for k in "$APCA_API_KEY_ID" "$APCA_API_SECRET_KEY" "$POLYGON_API_KEY"
	do
		! grep -r -F -e "$k" . --exclude=universe.json || return 1
	done
'

test_done
