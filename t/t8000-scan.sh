#!/bin/sh
test_description='liu-scan: the momentum and snapshot scanners

Against t/fake-scan.py, a loopback fake of Alpaca'"'"'s /v2/assets and
/v2/stocks/snapshots and of Polygon'"'"'s all-tickers snapshot, serving a
made universe (t/data/scan-universe.json) in the shapes of the providers'"'"'
fixtures: a case on each side of every threshold of the momentum
scanner, ties, a symbol with a dot, symbols without data, one not
tradable and one inactive.  The expected picks are worked out by hand
below, from the figures in that file; the change_pct digits are those of
Python'"'"'s repr() of the same double expression, an independent printer.

Offline scans read hand-made daily and minute bars (t/data/scan-days.ndjson,
scan-minutes.ndjson); their picks are worked out by hand too, and a spike
planted in the future must not be picked early.  TLS is real (t/lib-tls.sh);
keys are throwaway values in the environment, and the last test greps every
output and log for them.'
. "$(dirname "$0")/test-lib.sh"
. "$SRC_DIR/t/lib-tls.sh"
. "$SRC_DIR/t/lib-fake.sh"

test -x "$FAKE_PYTHON" || test_skip_all "no $FAKE_PYTHON for the fake"
tls_have || test_skip_all "openssl 3 is missing"
tls_setup || test_skip_all "cannot make the test certificates"

# Throwaway keys: the fake wants exactly these.
APCA_API_KEY_ID=PKSCANFAKE9W3E7R1T5Y
APCA_API_SECRET_KEY=scanSecret4f3e2d1c0bDoNotShip
POLYGON_API_KEY=scanPolygonKey8u6i4o2p
export APCA_API_KEY_ID APCA_API_SECRET_KEY POLYGON_API_KEY
# 09:45 in New York, a Friday: the session opened at 14:30Z, closes 21:00Z
LIU_NOW=2024-03-01T14:45:00Z
export LIU_NOW
U=$TEST_DATA/scan-universe.json

# start NAME [OPTION...]: t/fake-scan.py over TLS, its port in NAME.port
start () {
	fake_n=$1
	shift
	fake_start "$fake_n" "$FAKE_PYTHON" "$SRC_DIR/t/fake-scan.py" \
	    --port-file "$fake_n.port" --log "$fake_n.log" \
	    --cert "$TLS_CERT" --key "$TLS_KEY" --idle 300 "$@"
}

# scan NAME ARG...: liu-scan against the fake NAME, both URLs, the test CA
scan () {
	scan_u=https://127.0.0.1:$(cat "$1.port")
	shift
	liu-scan "$@" --cacert "$TLS_CA" --url "$scan_u" \
	    $(case " $* " in *" --provider polygon "*) ;;
	    *) echo "--trading-url $scan_u" ;; esac)
}

# scan_exec NAME ARGS...: scan, as the process itself (exec), for a
# subshell run in the background whose $! must be liu-scan, not a shell
scan_exec () {
	scan_u=https://127.0.0.1:$(cat "$1.port")
	shift
	exec liu-scan "$@" --cacert "$TLS_CA" --url "$scan_u" \
	    --trading-url "$scan_u"
}

# syms FILE: the symbols of the events in FILE, one a line, in order
syms () {
	sed 's/.*"sym":"\([^"]*\)".*/\1/' "$1"
}

# expect SYM...: the symbols, one a line, into file "expect"
expect () {
	printf '%s\n' "$@" >expect
}

# The momentum picks under the defaults (price 2 to 20, previous close x
# previous volume >= 500000, change >= 3.5%, volume >= 30000), by volume:
#   BIG1  12 vs 11: +9.09%, dv 22M, vol 9000000
#   BIG2  3 vs 2.8: +7.14%, dv 14M, vol 8000000
#   BF.B  15 vs 14: +7.14%, dv 4.2M, vol 700000 (a dot in the symbol)
#   TIEA, TIEB 8 vs 7.5: +6.67%, vol 600000 each: a tie, in symbol order
#         (the universe lists TIEB first)
#   CHMIN 6.46875 vs 6.25: exactly +3.5% (0.21875 x 100 / 6.25), vol 560000
#   DVMIN 5.5 vs 5, previous volume 100000: dv exactly 500000, vol 550000
#   PMAX  price exactly 20, vol 520000
#   PMIN  price exactly 2 (vs 1.92: +4.17%), vol 510000
#   NOTR2 4 vs 3.8, no trade in its snapshot: the day's close, vol 400000
#   VMIN  volume exactly 30000
# and out, each on one count: PLOW 1.99 (vol 500000), PHIGH 20.01
# (530000), DVLOW dv 499995 (540000), CHLOW 6.4675 vs 6.25, +3.48%
# (570000), DOWN -10% (580000), VLOW volume 29999; NOTRD not tradable
# (and OTC), GONE inactive, NEW no previous day, NULLS no snapshot (Alpaca
# null; Polygon zeros before any trade), LATE +2.2%, FA to FJ.
DEFAULT="BIG1 BIG2 BF.B TIEA TIEB CHMIN DVMIN PMAX PMIN NOTR2 VMIN"

test_expect_success 'start the fakes' '
	start main --universe "$U" &&
	start bad --universe "$TEST_DATA/scan-bad.json"
'

for p in alpaca polygon
do
	test_expect_success "$p: the defaults pick what the hand check says" '
		scan main momentum --provider $p >out 2>err &&
		test_must_be_empty err &&
		syms out >got &&
		expect $DEFAULT &&
		test_cmp expect got
	'
done

# The figures of three picks, by hand: BIG1 (12 - 11) x 100 / 11 =
# 9.0909..., dollar volume 11 x 2000000; CHMIN and DVMIN exact.
test_expect_success 'the picks carry the figures that picked them' '
	scan main momentum --provider alpaca >out &&
	sed "s/\"t\":\"[^\"]*\"/\"t\":T/" out >norm &&
	cat >expect <<-\EOF &&
	{"ev":"pick","t":T,"sym":"BIG1","scanner":"momentum","price":12,"change_pct":9.090909090909092,"volume":9000000,"prev_close":11,"prev_volume":2000000,"dollar_volume":22000000}
	{"ev":"pick","t":T,"sym":"CHMIN","scanner":"momentum","price":6.46875,"change_pct":3.5,"volume":560000,"prev_close":6.25,"prev_volume":100000,"dollar_volume":625000}
	{"ev":"pick","t":T,"sym":"DVMIN","scanner":"momentum","price":5.5,"change_pct":10,"volume":550000,"prev_close":5,"prev_volume":100000,"dollar_volume":500000}
	EOF
	grep -e "\"BIG1\"" -e "\"CHMIN\"" -e "\"DVMIN\"" norm >got &&
	test_cmp expect got
'

test_expect_success 'the time of the picks is the scan'"'"'s, on LIU_NOW'"'"'s clock' '
	scan main momentum --provider polygon >out &&
	grep -vc "\"t\":\"2024-03-01T14:45:0[0-9][.0-9]*Z\"" out >n ||
	test "$(cat n)" = 0
'

test_expect_success 'alpaca: tradable assets asked once, then one chunk' '
	: >main.log &&
	scan main momentum --provider alpaca >out &&
	cat >expect <<-\EOF &&
	GET /v2/assets?status=active&asset_class=us_equity 200
	GET /v2/stocks/snapshots?symbols=PLOW,PMIN,PMAX,PHIGH,DVLOW,DVMIN,CHMIN,CHLOW,DOWN,VMIN,VLOW,BIG1,BIG2,TIEB,TIEA,BF.B,NEW,NULLS,NOTR2,FA,FB,FC,FD,FE,FF,FG,FH,FI,FJ,LATE 200
	EOF
	test_cmp expect main.log
'

test_expect_success 'polygon: one request of all tickers, no OTC' '
	: >main.log &&
	scan main momentum --provider polygon >out &&
	echo "GET /v2/snapshot/locale/us/markets/stocks/tickers?include_otc=false 200" >expect &&
	test_cmp expect main.log
'

test_expect_success 'alpaca: --chunk 10 asks three times, picks the same' '
	: >main.log &&
	scan main momentum --provider alpaca --chunk 10 --feed iex >out &&
	syms out >got &&
	expect $DEFAULT &&
	test_cmp expect got &&
	grep -c "^GET /v2/stocks/snapshots?symbols=[^ ]*&feed=iex 200\$" \
	    main.log >n &&
	echo 3 >expect && test_cmp expect n &&
	grep -c "symbols=PLOW,.*,VMIN&" main.log >n &&
	echo 1 >expect && test_cmp expect n &&
	grep -c "symbols=FB,FC,FD,FE,FF,FG,FH,FI,FJ,LATE&" main.log >n &&
	test_cmp expect n
'

# Each option moved past a case of the universe brings it in (or takes
# one out), in its place by volume.
check_opt () {
	opt=$1 want=$2
	for p in alpaca polygon
	do
		test_expect_success "$p: $opt" '
			scan main momentum --provider $p $opt >out &&
			syms out >got &&
			expect $want &&
			test_cmp expect got
		'
	done
}
check_opt "--min-price 1.5" \
    "BIG1 BIG2 BF.B TIEA TIEB CHMIN DVMIN PMAX PMIN PLOW NOTR2 VMIN"
check_opt "--max-price 20.01" \
    "BIG1 BIG2 BF.B TIEA TIEB CHMIN DVMIN PHIGH PMAX PMIN NOTR2 VMIN"
check_opt "--max-price 20" "$DEFAULT"
check_opt "--min-last-dv 499995" \
    "BIG1 BIG2 BF.B TIEA TIEB CHMIN DVMIN DVLOW PMAX PMIN NOTR2 VMIN"
check_opt "--min-last-dv 500001" \
    "BIG1 BIG2 BF.B TIEA TIEB CHMIN PMAX PMIN NOTR2 VMIN"
check_opt "--min-change 3.4" \
    "BIG1 BIG2 BF.B TIEA TIEB CHLOW CHMIN DVMIN PMAX PMIN NOTR2 VMIN"
check_opt "--today-change-percent 3.4" \
    "BIG1 BIG2 BF.B TIEA TIEB CHLOW CHMIN DVMIN PMAX PMIN NOTR2 VMIN"
check_opt "--min-gap 3.4" \
    "BIG1 BIG2 BF.B TIEA TIEB CHLOW CHMIN DVMIN PMAX PMIN NOTR2 VMIN"
check_opt "--min-change 3.51" \
    "BIG1 BIG2 BF.B TIEA TIEB DVMIN PMAX PMIN NOTR2 VMIN"
# -10: DOWN exactly, and FC (0%), FD (+1%), FG (-2.5%), LATE (+2.2%);
# not FH, whose dv is 240000
check_opt "--min-change -10" \
    "BIG1 BIG2 FC FD FG BF.B LATE TIEA TIEB DOWN CHLOW CHMIN DVMIN PMAX PMIN NOTR2 VMIN"
check_opt "--min-volume 29999" "$DEFAULT VLOW"
check_opt "--min-volume 30001" \
    "BIG1 BIG2 BF.B TIEA TIEB CHMIN DVMIN PMAX PMIN NOTR2"
check_opt "--max-symbols 3" "BIG1 BIG2 BF.B"
check_opt "--min-volume 1000000 --max-price 12" "BIG1 BIG2"

test_expect_success 'no pick: no output, exit 0' '
	scan main momentum --provider alpaca --min-change 50 >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err
'

test_expect_success '--symbols: those only; alpaca asks no assets' '
	: >main.log &&
	scan main momentum --provider alpaca --symbols TIEA,ZZZZ,BIG1,NEW \
	    >out 2>err &&
	test_must_be_empty err &&
	syms out >got &&
	expect BIG1 TIEA &&
	test_cmp expect got &&
	echo "GET /v2/stocks/snapshots?symbols=TIEA,ZZZZ,BIG1,NEW 200" \
	    >expect &&
	test_cmp expect main.log &&
	: >main.log &&
	scan main momentum --provider polygon --symbols TIEA,BIG1 >out &&
	syms out >got &&
	expect BIG1 TIEA &&
	test_cmp expect got &&
	test_grep "tickers?include_otc=false&tickers=TIEA,BIG1 200" main.log
'

test_expect_success '--strategies aims every pick' '
	scan main momentum --provider alpaca --strategies momentum_long,vwap_long \
	    --max-symbols 2 >out &&
	test_line_count = 2 out &&
	grep -c "\"scanner\":\"momentum\",\"strategies\":\[\"momentum_long\",\"vwap_long\"\],\"price\"" out >n &&
	echo 2 >expect && test_cmp expect n
'

# The fields of three snapshots, by hand from the universe: the day opens
# at the previous close, its high and low are the open and the price, its
# VWAP their mean to 4 places; NOTR2 has no trade, its price is the day's
# close.  The same from both providers.
cat >snap.expect <<\EOF
{"ev":"snapshot","t":T,"sym":"CHMIN","price":6.46875,"change_pct":3.5,"volume":560000,"prev_close":6.25,"prev_volume":100000,"dollar_volume":625000,"vwap":6.3594,"open":6.25,"high":6.46875,"low":6.25}
{"ev":"snapshot","t":T,"sym":"DVMIN","price":5.5,"change_pct":10,"volume":550000,"prev_close":5,"prev_volume":100000,"dollar_volume":500000,"vwap":5.25,"open":5,"high":5.5,"low":5}
{"ev":"snapshot","t":T,"sym":"NOTR2","price":4,"change_pct":5.263157894736847,"volume":400000,"prev_close":3.8,"prev_volume":400000,"dollar_volume":1520000,"vwap":3.9,"open":3.8,"high":4,"low":3.8}
EOF
for p in alpaca polygon
do
	test_expect_success "$p: snapshot, in symbol order" '
		scan main snapshot --provider $p --symbols NOTR2,DVMIN,CHMIN \
		    >out 2>err &&
		test_must_be_empty err &&
		sed "s/\"t\":\"[^\"]*\"/\"t\":T/" out >got &&
		test_cmp snap.expect got
	'
done

test_expect_success 'snapshot: every symbol with data, 28' '
	scan main snapshot --provider alpaca >out &&
	test_line_count = 28 out &&
	syms out >got &&
	sort got >sorted &&
	test_cmp sorted got
'

test_expect_success 'snapshot --where filters, in symbol order' '
	scan main snapshot --provider polygon --where ".change_pct >= 7" >out &&
	syms out >got &&
	expect BF.B BIG1 BIG2 DVLOW DVMIN FA FB FE FF FI FJ &&
	test_cmp expect got
'

test_expect_success 'momentum --where adds to the criteria' '
	scan main momentum --provider alpaca --where ".sym | startswith(\"T\")" \
	    >out &&
	syms out >got &&
	expect TIEA TIEB &&
	test_cmp expect got &&
	scan main momentum --provider alpaca \
	    --where ".vwap != null and .price > .vwap and .open > 10" >out &&
	syms out >got &&
	expect BIG1 BF.B PMAX &&
	test_cmp expect got &&
	scan main momentum --provider polygon --symbols BIG1,BIG2 --where \
	    ".ev == \"snapshot\" and (.t | startswith(\"2024-03-01T14:45\")) and .sym == \"BIG2\"" \
	    >out &&
	syms out >got &&
	expect BIG2 &&
	test_cmp expect got
'

test_expect_success 'a --where that does not compile: jq'"'"'s message, exit 2' '
	test_expect_code 2 scan main momentum --where ".price >< 3" \
	    >out 2>err &&
	test_must_be_empty out &&
	test_grep "^liu-scan: invalid --where .*jq: error" err
'

test_expect_success 'a --where that fails on the snapshots: false, reported' '
	test_expect_code 1 scan main snapshot --provider alpaca \
	    --where ".sym | tonumber > 0" >out 2>err &&
	test_must_be_empty out &&
	test_grep "^liu-scan: --where: .BF.B.: " err &&
	test_grep "^liu-scan: --where failed on 28 snapshots" err &&
	test_line_count = 2 err
'

test_expect_success '429 on one chunk: waited for and retried' '
	start throttle --universe "$U" --throttle-chunk 2 &&
	scan throttle momentum --provider alpaca --chunk 10 -v >out 2>err &&
	syms out >got &&
	expect $DEFAULT &&
	test_cmp expect got &&
	test_grep "HTTP 429 from GET .*symbols=VLOW,.*: retry 1 of 10" err &&
	sed -n 3,4p throttle.log | sed "s/ .* / /" >got &&
	printf "%s\n" "GET 429" "GET 200" >expect &&
	test_cmp expect got &&
	sed -n 3,4p throttle.log | cut -d" " -f2 | uniq | wc -l >n &&
	echo 1 >expect && test_cmp expect n &&
	fake_stop throttle
'

test_expect_success 'polygon: 429 retried too' '
	start throttle2 --universe "$U" --throttle-chunk 1 &&
	scan throttle2 momentum --provider polygon >out 2>err &&
	test_must_be_empty err &&
	syms out >got &&
	expect $DEFAULT &&
	test_cmp expect got &&
	cut -d" " -f3 throttle2.log >got &&
	printf "%s\n" 429 200 >expect &&
	test_cmp expect got &&
	fake_stop throttle2
'

# Chunk 2 of 10 holds VLOW BIG1 BIG2 TIEB TIEA BF.B NEW NULLS NOTR2 FA.
LOST2="CHMIN DVMIN PMAX PMIN VMIN"
test_expect_success 'a chunk failing after the retries is lost, the rest scanned' '
	start fail --universe "$U" --fail-chunk 2 &&
	test_expect_code 1 scan fail momentum --provider alpaca --chunk 10 \
	    --max-wait 0 >out 2>err &&
	syms out >got &&
	expect $LOST2 &&
	test_cmp expect got &&
	test_grep "^liu-scan: alpaca: internal server error (HTTP 500 from GET .*, retries used up)\$" err &&
	grep -c " 500\$" fail.log >n &&
	echo 11 >expect && test_cmp expect n &&
	fake_stop fail
'

test_expect_success 'a chunk that is not JSON is lost, the rest scanned' '
	start badchunk --universe "$U" --bad-chunk 2 &&
	test_expect_code 1 scan badchunk momentum --provider alpaca --chunk 10 \
	    >out 2>err &&
	syms out >got &&
	expect $LOST2 &&
	test_cmp expect got &&
	test_grep "^liu-scan: alpaca: bad response: .* (GET .*symbols=VLOW," err &&
	test_line_count = 1 err &&
	fake_stop badchunk
'

test_expect_success 'polygon: a body that is not JSON: nothing, exit 1' '
	start badpoly --universe "$U" --bad-chunk 1 &&
	test_expect_code 1 scan badpoly momentum --provider polygon >out 2>err &&
	test_must_be_empty out &&
	test_grep "^liu-scan: polygon: bad response: " err &&
	fake_stop badpoly
'

test_expect_success 'assets that are not JSON: no universe, exit 1' '
	start garbage --universe "$U" --garbage-assets &&
	test_expect_code 1 scan garbage momentum --provider alpaca >out 2>err &&
	test_must_be_empty out &&
	test_grep "^liu-scan: alpaca: bad response: .*(GET .*/v2/assets?" err &&
	fake_stop garbage
'

# scan-bad.json: GOOD1 and GOOD2 pick; BADV has no day volume, BADP a
# price that is a string, BADD a day that is not an object; two assets
# have no symbol that is one.
test_expect_success 'alpaca: bad records reported, skipped, the rest scanned' '
	test_expect_code 1 scan bad momentum --provider alpaca >out 2>err &&
	syms out >got &&
	expect GOOD1 GOOD2 &&
	test_cmp expect got &&
	sed "s/ (GET [^)]*)\$//" err >msgs &&
	cat >expect <<-\EOF &&
	liu-scan: alpaca: bad snapshot in the response: an asset without a "symbol" that is a symbol
	liu-scan: alpaca: bad snapshot in the response: an asset without a "symbol" that is a symbol
	liu-scan: alpaca: '"'"'BADV'"'"': bad snapshot in the response: no "v" in dailyBar
	liu-scan: alpaca: '"'"'BADP'"'"': bad snapshot in the response: "p" of latestTrade is not a number
	liu-scan: alpaca: '"'"'BADD'"'"': bad snapshot in the response: "dailyBar" is not an object
	liu-scan: alpaca: skipped 5 bad records
	EOF
	test_cmp expect msgs
'

test_expect_success 'polygon: bad records reported, skipped, the rest scanned' '
	test_expect_code 1 scan bad momentum --provider polygon >out 2>err &&
	syms out >got &&
	expect GOOD1 GOOD2 &&
	test_cmp expect got &&
	sed "s/ (GET [^)]*)\$//" err >msgs &&
	cat >expect <<-\EOF &&
	liu-scan: polygon: '"'"'BADV'"'"': bad snapshot in the response: no "v" in day
	liu-scan: polygon: '"'"'BADP'"'"': bad snapshot in the response: "p" of lastTrade is not a number
	liu-scan: polygon: '"'"'BADD'"'"': bad snapshot in the response: "day" is not an object
	liu-scan: polygon: skipped 3 bad records
	EOF
	test_cmp expect msgs
'

test_expect_success '-v counts what had no data' '
	scan main momentum --provider alpaca -v >out 2>err &&
	test_grep "^liu-scan: alpaca: 1 scans, 28 snapshots, 2 symbols without data, 2 requests (0 retries)\$" err
'

# The schedule, on LIU_NOW's clock.  15:59:57 New York: three scans of a
# second before the close at 16:00 (21:00Z).  With --then, LATE's price
# is 9.5 (+5.56%, volume 650000) from the second request on: only it is
# new in the second scan.
test_expect_success '--every: scans until the close, writes new picks only' '
	start moving --universe "$U" --then &&
	LIU_NOW=2024-03-01T20:59:57Z scan moving momentum --provider polygon \
	    --every 1s >out 2>err &&
	test_must_be_empty err &&
	grep -c " 200\$" moving.log >n &&
	echo 3 >expect && test_cmp expect n &&
	syms out >got &&
	expect $DEFAULT LATE &&
	test_cmp expect got &&
	grep "\"LATE\"" out >late &&
	test_grep "\"t\":\"2024-03-01T20:59:58" late &&
	grep -c "\"t\":\"2024-03-01T20:59:57" out >n &&
	echo 11 >expect && test_cmp expect n &&
	fake_stop moving
'

test_expect_success '--every --max-symbols: the cap is the run'"'"'s' '
	start moving2 --universe "$U" --then &&
	LIU_NOW=2024-03-01T20:59:58Z scan moving2 momentum --provider alpaca \
	    --every 1s --max-symbols 11 >out &&
	syms out >got &&
	expect $DEFAULT &&
	test_cmp expect got &&
	grep -c "snapshots.* 200\$" moving2.log >n &&
	echo 2 >expect && test_cmp expect n &&
	fake_stop moving2
'

test_expect_success '--every --until; snapshot writes every scan' '
	: >main.log &&
	scan main snapshot --provider polygon --every 1s \
	    --until 2024-03-01T14:45:02Z --symbols BIG1 >out &&
	test_line_count = 2 out &&
	test_line_count = 2 main.log
'

test_expect_success '--wait-open 15m waits for 09:45 New York time' '
	LIU_NOW=2024-03-01T14:44:58.5Z scan main momentum --provider alpaca \
	    --wait-open 15m --max-symbols 1 >out &&
	test_grep "\"t\":\"2024-03-01T14:45:00\\.[0-9]*Z\",\"sym\":\"BIG1\"" out
'

test_expect_success '--wait-open after the wait: at once' '
	LIU_NOW=2024-03-01T16:00:00Z scan main momentum --provider alpaca \
	    --wait-open 15m --max-symbols 1 >out &&
	test_grep "\"t\":\"2024-03-01T16:00:00\\.[0-9]*Z\"" out
'

test_expect_success '--wait-open past the close of the session: exit 2' '
	test_expect_code 2 scan main momentum --wait-open 7h 2>err &&
	test_grep "closes at 2024-03-01T21:00:00Z" err
'

test_expect_success 'SIGTERM ends a wait at once: 143, the picks written' '
	(LIU_NOW=2024-03-01T14:45:00Z && export LIU_NOW &&
	    scan_exec main momentum --provider alpaca --every 1h) >out 2>err &
	pid=$! &&
	test_wait_for "test -s out && test \$(wc -l <out) = 11" &&
	kill -TERM $pid &&
	{ wait $pid; echo $? >rc; } &&
	echo 143 >expect && test_cmp expect rc &&
	test_line_count = 11 out &&
	test_must_be_empty err
'

test_expect_success 'SIGTERM during the wait for the open: 143, nothing' '
	(LIU_NOW=2024-03-01T12:00:00Z && export LIU_NOW &&
	    scan_exec main momentum --provider alpaca --wait-open 15m) \
	    >out 2>err &
	pid=$! &&
	sleep 0.3 &&
	kill -TERM $pid &&
	{ wait $pid; echo $? >rc; } &&
	echo 143 >expect && test_cmp expect rc &&
	test_must_be_empty out
'

# Offline, daily bars (t/data/scan-days.ndjson, Monday 2024-03-04 to
# Friday 03-08), each day as of its open (14:30Z in March before DST):
#   03-04 first day: nothing has a day before.
#   03-05 AAA opens 5.5 on 5 (gap +10%), previous volume 200000, dv 1M:
#         picked.  BBB +1%, SPK +0%: no.  CCC is over $20 every day.
#   03-06 AAA 5.6 on 5.6, BBB 10.5 on 10.2 (+2.94%): no.  DDD is new.
#   03-07 DDD 4.2 on 4 (+5%, previous volume 600000): picked; AAA 5.9 on
#         5.6 (+5.36%, 250000): picked after it.  BBB 11 on 10.5 (+4.76%)
#         but dv 10.5 x 40000 = 420000: no.  SPK, the spike, opens 12 on 8
#         (+50%) with 5000000 shares that day, but the day before traded
#         10000: not picked on the day of its spike, nor any day before.
#   03-08 SPK 15.6 on 15 (+4%), previous volume 5000000: picked; BBB
#         11.55 on 11 (+5%), previous volume 1000000: after it.
cat >days.expect <<\EOF
{"ev":"pick","t":"2024-03-05T14:30:00Z","sym":"AAA","scanner":"momentum","price":5.5,"change_pct":10,"volume":200000,"prev_close":5,"prev_volume":200000,"dollar_volume":1000000}
{"ev":"pick","t":"2024-03-07T14:30:00Z","sym":"DDD","scanner":"momentum","price":4.2,"change_pct":5.000000000000004,"volume":600000,"prev_close":4,"prev_volume":600000,"dollar_volume":2400000}
{"ev":"pick","t":"2024-03-07T14:30:00Z","sym":"AAA","scanner":"momentum","price":5.9,"change_pct":5.35714285714287,"volume":250000,"prev_close":5.6,"prev_volume":250000,"dollar_volume":1400000}
{"ev":"pick","t":"2024-03-08T14:30:00Z","sym":"SPK","scanner":"momentum","price":15.6,"change_pct":3.999999999999998,"volume":5000000,"prev_close":15,"prev_volume":5000000,"dollar_volume":75000000}
{"ev":"pick","t":"2024-03-08T14:30:00Z","sym":"BBB","scanner":"momentum","price":11.55,"change_pct":5.000000000000006,"volume":1000000,"prev_close":11,"prev_volume":1000000,"dollar_volume":11000000}
EOF

test_expect_success '--from daily bars: each day as of its open, no look-ahead' '
	liu-scan momentum --from "$TEST_DATA/scan-days.ndjson" >out 2>err &&
	test_must_be_empty err &&
	test_cmp days.expect out
'

test_expect_success '--from: the spike is not seen before its day is over' '
	head -n 17 "$TEST_DATA/scan-days.ndjson" >upto06 &&
	sed -n 18p "$TEST_DATA/scan-days.ndjson" >spike &&
	cat upto06 spike >with-spike &&
	liu-scan momentum --from upto06 >a &&
	liu-scan momentum --from with-spike >b &&
	test_cmp a b &&
	test_grep ! SPK b
'

test_expect_success '--from: options move the picks of each day' '
	liu-scan momentum --from "$TEST_DATA/scan-days.ndjson" \
	    --min-last-dv 420000 >out &&
	grep "2024-03-07" out | syms /dev/stdin >got &&
	expect DDD AAA BBB &&
	test_cmp expect got &&
	liu-scan momentum --from "$TEST_DATA/scan-days.ndjson" \
	    --max-symbols 1 --strategies vwap_long >out &&
	syms out >got &&
	expect AAA DDD SPK &&
	test_cmp expect got &&
	test_grep "\"strategies\":\[\"vwap_long\"\]" out
'

test_expect_success '--from -: standard input; snapshot --where' '
	liu-scan snapshot --from - --where ".change_pct >= 6" \
	    <"$TEST_DATA/scan-days.ndjson" >out &&
	cat >expect <<-\EOF &&
	{"ev":"snapshot","t":"2024-03-05T14:30:00Z","sym":"AAA","price":5.5,"change_pct":10,"volume":200000,"prev_close":5,"prev_volume":200000,"dollar_volume":1000000,"open":5.5}
	{"ev":"snapshot","t":"2024-03-05T14:30:00Z","sym":"CCC","price":26,"change_pct":8.333333333333334,"volume":900000,"prev_close":24,"prev_volume":900000,"dollar_volume":21600000,"open":26}
	{"ev":"snapshot","t":"2024-03-07T14:30:00Z","sym":"CCC","price":29,"change_pct":7.407407407407407,"volume":900000,"prev_close":27,"prev_volume":900000,"dollar_volume":24300000,"open":29}
	{"ev":"snapshot","t":"2024-03-07T14:30:00Z","sym":"SPK","price":12,"change_pct":50,"volume":10000,"prev_close":8,"prev_volume":10000,"dollar_volume":80000,"open":12}
	{"ev":"snapshot","t":"2024-03-08T14:30:00Z","sym":"CCC","price":31,"change_pct":6.896551724137931,"volume":900000,"prev_close":29,"prev_volume":900000,"dollar_volume":26100000,"open":31}
	EOF
	test_cmp expect out
'

# Offline, minute bars with --at (t/data/scan-minutes.ndjson).  03-04:
# MMM's regular session trades 20000 + 30000 + 50000 = 100000, closing
# at 5 (the 13:00Z bar is before the open); NNN 10000 + 90000 = 100000
# at 10 (its 21:00Z bar is after the close).  03-05 at 09:45 (14:45Z),
# the bars that ended by then (14:30, 14:44): MMM at 5.25, +5%, 35000
# shares, dv 500000: picked; NNN 10.3, +3%, 25000 shares: no.  Their
# 14:45 bars (a jump to 9 and 12, a million shares each) end at 14:46:
# not seen at 09:45, seen at 09:46, when both are picked, MMM first
# (1035000 shares to 1025000).
test_expect_success '--from --at 09:45: minute bars as of that time' '
	liu-scan momentum --from "$TEST_DATA/scan-minutes.ndjson" --at 09:45 \
	    >out 2>err &&
	test_must_be_empty err &&
	echo "{\"ev\":\"pick\",\"t\":\"2024-03-05T14:45:00Z\",\"sym\":\"MMM\",\"scanner\":\"momentum\",\"price\":5.25,\"change_pct\":5,\"volume\":35000,\"prev_close\":5,\"prev_volume\":100000,\"dollar_volume\":500000}" >expect &&
	test_cmp expect out &&
	liu-scan momentum --from "$TEST_DATA/scan-minutes.ndjson" \
	    --at 09:46 >out &&
	syms out >got &&
	expect MMM NNN &&
	test_cmp expect got &&
	test_grep "\"t\":\"2024-03-05T14:46:00Z\",\"sym\":\"NNN\",\"scanner\":\"momentum\",\"price\":12,\"change_pct\":20,\"volume\":1025000" out
'

test_expect_success '--at: daily bars are not minute bars' '
	liu-scan momentum --from "$TEST_DATA/scan-days.ndjson" --at 09:45 \
	    -v >out 2>err &&
	test_must_be_empty out &&
	test_grep "23 of another timeframe left alone" err
'

test_expect_success '--from: a bad line reported with its place, skipped' '
	{
		head -n 9 "$TEST_DATA/scan-days.ndjson" &&
		echo "{\"ev\":\"bar\",\"t\":\"2024-03-06T05:00:00Z\",\"sym\":\"BBB\"}" &&
		printf "\r\n" &&
		tail -n +10 "$TEST_DATA/scan-days.ndjson" | sed "s/\$/\r/"
	} >bad.ndjson &&
	test_expect_code 1 liu-scan momentum --from bad.ndjson >out 2>err &&
	test_cmp days.expect out &&
	test_grep "^liu-scan: bad.ndjson:10: bad event: missing \"o\"" err &&
	test_grep "skipped 1 bad line" err &&
	test_expect_code 1 liu-scan momentum --from bad.ndjson --strict >out &&
	head -n 1 days.expect >expect &&
	test_cmp expect out
'

test_expect_success '--from: a day out of order is a bad line' '
	{
		sed -n 1,9p "$TEST_DATA/scan-days.ndjson" &&
		sed -n 1p "$TEST_DATA/scan-days.ndjson" &&
		sed -n "10,\$p" "$TEST_DATA/scan-days.ndjson"
	} >order.ndjson &&
	test_expect_code 1 liu-scan momentum --from order.ndjson >out 2>err &&
	test_cmp days.expect out &&
	test_grep "^liu-scan: order.ndjson:10: bar out of time order" err
'

test_expect_success '--from: a line over --line-max is a bad line' '
	{
		head -n 9 "$TEST_DATA/scan-days.ndjson" &&
		printf "{\"ev\":\"x\",\"t\":\"2024-03-06T05:00:00Z\",\"pad\":\"%0300d\"}\n" 0 &&
		tail -n +10 "$TEST_DATA/scan-days.ndjson"
	} >long.ndjson &&
	test_expect_code 1 liu-scan momentum --from long.ndjson --line-max 200 \
	    >out 2>err &&
	test_cmp days.expect out &&
	test_grep "^liu-scan: long.ndjson:10: " err
'

test_expect_success '--from | head -n 1: SIGPIPE ends it quietly, 141' '
	awk "BEGIN {
		for (d = 4; d <= 8; d++)
			for (i = 0; i < 2000; i++)
				printf \"{\\\"ev\\\":\\\"bar\\\",\\\"t\\\":\\\"2024-03-0%dT05:00:00Z\\\",\\\"sym\\\":\\\"S%d\\\",\\\"tf\\\":\\\"1d\\\",\\\"o\\\":%d,\\\"h\\\":%d,\\\"l\\\":1,\\\"c\\\":%d,\\\"v\\\":100000}\\n\", d, i, d, d, d
	}" >many.ndjson &&
	test_line_count = 10000 many.ndjson &&
	{ liu-scan snapshot --from many.ndjson 2>err; echo $? >rc; } |
	head -n 1 >out &&
	echo 141 >expect && test_cmp expect rc &&
	test_must_be_empty err &&
	test_line_count = 1 out
'

test_expect_success '--from a file that is not there: exit 3' '
	test_expect_code 3 liu-scan momentum --from nothere 2>err &&
	test_grep "^liu-scan: cannot open .nothere.: " err
'

# scan -> stream -> route -> strategy: a pick of V aimed at vwap_short,
# merged by time with the bars of t/data/strategy-vwap.ndjson (on which
# vwap_long and vwap_short both trade V, t/t4000), reaches vwap_short
# only.  The scan runs at 09:29 so that its pick comes before the bars.
test_expect_success 'a pick aimed at one strategy reaches that strategy only' '
	cat >v.json <<-\EOF &&
	{"date": "2024-03-01", "symbols": [{"sym": "V", "price": 10,
	 "prev_close": 9.5, "prev_volume": 1000000, "volume": 500000}]}
	EOF
	start vfake --universe v.json &&
	LIU_NOW=2024-03-01T14:29:00Z scan vfake momentum --provider polygon \
	    --strategies vwap_short >picks &&
	test_line_count = 1 picks &&
	LIU_NOW=2024-03-01T14:29:00Z scan vfake momentum --provider alpaca \
	    >picks-all &&
	for f in picks picks-all
	do
		liu-stream replay --max $f "$TEST_DATA/strategy-vwap.ndjson" |
		liu-route -n 2 -- liu-strategy --require-pick --fill sim \
		    -p start=0 -p rsi_period=2 -p rsi_max=100 -p rsi_min=0 \
		    vwap_long vwap_short >raw-$f &&
		grep "\"ev\":\"order\"" raw-$f |
		sed "s/.*\"strategy\":\"\([^\"]*\)\".*/\1/" | sort -u >got-$f ||
		return 1
	done &&
	echo vwap_short >expect &&
	test_cmp expect got-picks &&
	printf "%s\n" vwap_long vwap_short >expect &&
	test_cmp expect got-picks-all &&
	fake_stop vfake
'

test_expect_success 'usage errors: exit 2, no output' '
	for args in "momentum --min-price 30" "snapshot --min-price 1" \
	    "momentum --at 09:45 --provider alpaca" \
	    "momentum --until 2024-03-01T20:00:00Z --provider alpaca" \
	    "momentum --from x --provider alpaca" "momentum --from x --every 5m" \
	    "momentum --provider polygon --feed iex" \
	    "momentum --provider polygon --chunk 5" "momentum --provider bogus" \
	    "momentum --strict --provider alpaca" "momentum --from x --at 9:45" \
	    "momentum --strategies a,,b" "momentum --symbols A,B\ C" \
	    "momentum --every 0" "bogus" "momentum AAPL" "--min-price 1"
	do
		test_expect_code 2 liu-scan $args >out 2>err &&
		test_must_be_empty out &&
		test -s err || return 1
	done &&
	test_expect_code 2 liu-scan momentum --feed otc 2>err &&
	test_grep "^liu-scan: invalid --feed (want iex or sip): '"'"'otc'"'"'\$" err &&
	test_expect_code 2 liu-scan momentum --provider x 2>err &&
	test_grep "^liu-scan: invalid --provider (want alpaca or polygon): '"'"'x'"'"'\$" err
'

test_expect_success 'no provider and no keys: exit 2, says which to set' '
	(
		unset APCA_API_KEY_ID APCA_API_SECRET_KEY POLYGON_API_KEY &&
		test_expect_code 2 liu-scan momentum 2>err
	) &&
	test_grep "no data provider: set APCA_API_KEY_ID" err &&
	(
		unset POLYGON_API_KEY &&
		test_expect_code 2 liu-scan momentum --provider polygon 2>err
	) &&
	test_grep "^liu-scan: polygon: no key: set POLYGON_API_KEY" err
'

test_expect_success 'LIU_DATA_PROVIDER chooses; keys choose without it' '
	u=https://127.0.0.1:$(cat main.port) &&
	: >main.log &&
	LIU_DATA_PROVIDER=polygon liu-scan momentum --max-symbols 1 \
	    --cacert "$TLS_CA" --url $u >out &&
	test_grep "^GET /v2/snapshot/" main.log &&
	: >main.log &&
	(
		unset POLYGON_API_KEY &&
		liu-scan momentum --max-symbols 1 --cacert "$TLS_CA" \
		    --url $u --trading-url $u >out
	) &&
	test_grep "^GET /v2/assets" main.log &&
	: >main.log &&
	(
		unset APCA_API_KEY_ID &&
		liu-scan momentum --max-symbols 1 --cacert "$TLS_CA" --url $u >out
	) &&
	test_grep "^GET /v2/snapshot/" main.log
'

test_expect_success 'wrong keys: the provider'"'"'s 401 ends the run, exit 1' '
	APCA_API_SECRET_KEY=wrong test_expect_code 1 scan main momentum \
	    --provider alpaca >out 2>err &&
	test_must_be_empty out &&
	test_grep "^liu-scan: alpaca: request is not authorized (HTTP 401 from GET .*/v2/assets?" err &&
	POLYGON_API_KEY=wrong test_expect_code 1 scan main momentum \
	    --provider polygon 2>err &&
	test_grep "^liu-scan: polygon: Unknown API Key (HTTP 401" err
'

test_expect_success 'TLS verified: without the test CA, refused' '
	test_expect_code 1 liu-scan momentum --provider polygon \
	    --url "https://127.0.0.1:$(cat main.port)" >out 2>err &&
	test_must_be_empty out &&
	test_grep "^liu-scan: polygon: cannot GET https://127.0.0.1:.*: .*certificate" err
'

test_expect_success 'plain http only to loopback, no password in a URL' '
	test_expect_code 2 liu-scan momentum --provider polygon \
	    --url http://example.com 2>err &&
	test_grep "plain http:// is refused" err &&
	test_expect_code 2 liu-scan momentum --provider alpaca \
	    --trading-url https://me:pw@example.com 2>err &&
	test_grep "no user name or password" err &&
	test_grep ! pw err
'

test_expect_success '--help and --version' '
	liu-scan --help >out &&
	test_grep "^usage: liu-scan momentum " out &&
	liu-scan momentum --help >out2 &&
	test_cmp out out2 &&
	liu-scan --version >out &&
	test_grep "^liu-scan [0-9]" out
'

test_expect_success 'the keys are in no output, log or message' '
	for k in "$APCA_API_KEY_ID" "$APCA_API_SECRET_KEY" "$POLYGON_API_KEY"
	do
		! grep -r -F -- "$k" . || return 1
	done
'

test_done
