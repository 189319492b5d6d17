#!/bin/sh
test_description='liu-analyze: round trips, portfolio figures, outputs

Every expected figure below is computed by hand in the comments, from
t/data/analyze-golden.ndjson, never taken from the program.'
. "$(dirname "$0")/test-lib.sh"

G=$TEST_DATA/analyze-golden.ndjson
BAD=$TEST_DATA/analyze-bad.ndjson

# near GOT WANT NAME: |got - want| <= 1e-9 * max(1, |want|)
near () {
	awk -v g="$1" -v w="$2" -v n="$3" 'BEGIN {
		d = g - w; if (d < 0) d = -d
		s = w < 0 ? -w : w; if (s < 1) s = 1
		if (g == "" || d > 1e-9 * s) {
			printf "%s: got %s, want %.17g\n", n, g, w > "/dev/stderr"
			exit 1
		}
	}'
}

# The fixture (capital 100000, strategy s1 unless said, batch b1):
#  14:30:00 AAPL buy 100 @ 100.00 fee 1.00 id o1 stop 98
#  14:30:30 AAPL buy  50 @ 100.30 fee 0.50 id o1 stop 98 (same order)
#  14:31:00 MSFT sell_short 40 @ 400 fee 0.40 id o4 stop 404 (s2)
#  14:32:00 AAPL bar 14:31 1m closes 100.80 (seen at its end, 14:32)
#  14:32:00 AAPL sell 120 @ 101 fee 1.20 id o2
#  14:33:00 AAPL sell  30 @ 99.50 fee 0.30 id o3
#  14:34:00 MSFT buy_to_cover 40 @ 396 fee 0.40 id o5 (s2)
#  14:35-14:38 TSLA buy 10 @ 200, sell @ 190, buy @ 190, sell @ 185
#  14:39:00 NVDA buy 5 @ 800 fee 1 id o10 stop 780 (s2, batch b2)
#  14:40:00 NVDA bar closes 810, SPY bar closes 505 (SPY opened at 500)
#
# Round trips (FIFO; fills of one order merge):
#  A AAPL o1->o2: 100 @ 100.00 + 20 @ 100.30; in = 10000 + 2006 = 12006,
#    out = 120 * 101 = 12120; fees = 1.00 + 0.50*20/50 + 1.20 = 2.40;
#    gain = 12120 - 12006 - 2.40 = 111.60; entry = 12006/120 = 100.05;
#    R = (12120 - 12006) / (12006 - 98*120) = 114/246
#  B AAPL o1->o3: 30 @ 100.30 -> 99.50; in 3009, out 2985;
#    fees = 0.30 (rest of 0.50) + 0.30 = 0.60; gain = -24 - 0.60 = -24.60;
#    R = -24 / (3009 - 98*30) = -24/69; held 14:30:30 -> 14:33:00 = 150 s
#  C MSFT short 40 @ 400 -> 396: gain = 16000 - 15840 - 0.80 = 159.20;
#    R = (15840 - 16000) / (16000 - 404*40) = -160/-160 = 1
#  D TSLA 10 @ 200 -> 190: -100.00, no stop: R null
#  E TSLA 10 @ 190 -> 185: -50.00
#  open: NVDA 5 @ 800, mark 810: 5*10 - 1.00 fee = 49.00
cat >trips.want <<\EOF
AAPL	s1	b1	long	120	100.05	101	111.6	2.4	98	120
AAPL	s1	b1	long	30	100.3	99.5	-24.6	0.6	98	150
MSFT	s2	b1	short	40	400	396	159.2	0.8	404	180
TSLA	s1	b1	long	10	200	190	-100	0		60
TSLA	s1	b1	long	10	190	185	-50	0		60
EOF

test_expect_success 'round trips: FIFO, partial fills, shorts, fees' '
	liu-analyze -f ndjson "$G" >out 2>err &&
	test_line_count = 0 err &&
	test_line_count = 7 out &&
	jq -r "select(.ev == \"analysis\" and .open == false) |
	    [.sym, .strategy, .batch, .side, .qty, .entry, .exit, .gain,
	    .fees, .stop_loss, .hold_s] | @tsv" out >trips &&
	test_cmp trips.want trips
'

test_expect_success 'money is printed exactly to the cent' '
	grep -c "\"gain\":111.60,.*\"fees\":2.40," out >n &&
	test "$(cat n)" = 1 &&
	grep -q "\"gain\":-24.60," out &&
	grep -q "\"entry\":100.05,\"exit\":101.00," out &&
	grep -q "\"fees\":0.00," out
'

test_expect_success 'r-units, long and short, null without a stop' '
	jq -r "select(.ev == \"analysis\") | .r" out >r &&
	near "$(sed -n 1p r)" "$(awk "BEGIN{printf \"%.17g\", 114/246}")" rA &&
	near "$(sed -n 2p r)" "$(awk "BEGIN{printf \"%.17g\", -24/69}")" rB &&
	near "$(sed -n 3p r)" 1 rC &&
	test "$(sed -n 4p r)" = null &&
	test "$(sed -n 5p r)" = null
'

test_expect_success 'open position listed apart, marked to the last bar' '
	jq -r "select(.open == true) | [.sym, .strategy, .batch, .side,
	    .qty, .entry, .mark, .gain, .fees, .entry_t] | @tsv" out >open &&
	printf "NVDA\ts2\tb2\tlong\t5\t800\t810\t49\t1\t2024-03-01T14:39:00Z\n" \
	    >open.want &&
	test_cmp open.want open
'

# Summary by hand:
#  realized = 111.60 - 24.60 + 159.20 - 100 - 50 = 96.20
#  unrealized = 49.00; final = 100000 + 96.20 + 49.00 = 100145.20
#  fees = 1 + 0.5 + 0.4 + 1.2 + 0.3 + 0.4 + 1 = 4.80
#  trips 5, wins 2 (A, C), losses 3; win rate 0.4
#  gross win 270.80, gross loss -174.60: profit factor 270.8/174.6
#  avg win 135.40, avg loss -58.20, expectancy 96.20/5 = 19.24
#  avg R = (114/246 - 24/69 + 1)/3
#  exposure: AAPL/MSFT 14:30-14:34 (240 s), TSLA 60 + 60 s, NVDA 14:39 to
#    the end 14:40 (60 s) = 420 s of the 600 s from 14:30 to 14:40 = 0.7
#  equity (cash + marks) after each event:
#    14:30:00 SPY bar 100000; L1 99999 (cash 89999 + 10000);
#    14:30:30 100028.5 (84983.5 + 150*100.30); 14:31 MSFT short 100028.1
#    (100983.1 + 15045 - 16000); 14:32 bar 100103.1 (AAPL at 100.80);
#    14:32 sell 100131.9; 14:33 100086.6; 14:34 100246.2; 14:35 100246.2;
#    14:36 100146.2; 14:37 100146.2; 14:38 100096.2; 14:39 100095.2;
#    14:40 NVDA bar 100145.2, SPY bar 100145.2
#  max drawdown: peak 100246.2 at 14:34, trough 100095.2 at 14:39:
#    151.00, ratio 151/100246.2
#  returns per minute (one day: period 1m, 252*390 = 98280 a year), the
#    last equity of each minute over the one before, from 100000
cat >eq.txt <<\EOF
100028.5 100028.1 100131.9 100086.6 100246.2 100246.2 100146.2 100146.2
100096.2 100095.2 100145.2
EOF
# stats RF: mean, volatility, Sharpe, Sortino of those returns
stats () {
	tr " " "\n" <eq.txt | awk -v rf="$1" 'NF {
		r[++n] = $1 / (n == 1 ? 100000 : p) - 1; p = $1
	} END {
		N = 252 * 390; rp = rf / N
		for (i = 1; i <= n; i++) m += r[i] / n
		for (i = 1; i <= n; i++) {
			v += (r[i] - m) ^ 2
			if (r[i] < rp) d += (r[i] - rp) ^ 2
		}
		sd = sqrt(v / (n - 1)); dd = sqrt(d / n)
		printf "%.17g %.17g %.17g %.17g\n", m, sd * sqrt(N),
		    (m - rp) / sd * sqrt(N), (m - rp) / dd * sqrt(N)
	}'
}

test_expect_success 'summary: money to the cent' '
	jq -r "select(.ev == \"summary\") | [.capital, .final_equity,
	    .realized, .unrealized, .fees, .trips, .wins, .losses, .open,
	    .avg_win, .avg_loss, .expectancy, .max_drawdown,
	    .drawdown_start, .drawdown_end, .period, .returns] | @tsv" \
	    out >sum &&
	printf "%s\n" "100000	100145.2	96.2	49	4.8	5	2	3	1	135.4	-58.2	19.24	151	2024-03-01T14:34:00Z	2024-03-01T14:39:00Z	1m	11" >sum.want &&
	test_cmp sum.want sum &&
	grep -q "\"final_equity\":100145.20,.*\"realized\":96.20," out
'

test_expect_success 'summary: ratios to 1e-9' '
	s() { jq -r "select(.ev == \"summary\") | .$1" out; } &&
	near "$(s total_return)" 0.001452 total_return &&
	near "$(s win_rate)" 0.4 win_rate &&
	near "$(s profit_factor)" "$(awk "BEGIN{printf \"%.17g\", 270.8/174.6}")" pf &&
	near "$(s avg_r)" "$(awk "BEGIN{printf \"%.17g\", (114/246 - 24/69 + 1)/3}")" avg_r &&
	near "$(s exposure)" 0.7 exposure &&
	near "$(s max_drawdown_ratio)" "$(awk "BEGIN{printf \"%.17g\", 151/100246.2}")" dd &&
	near "$(s periods_per_year)" 98280 per_year &&
	set -- $(stats 0) &&
	near "$(s mean_return)" $1 mean &&
	near "$(s volatility)" $2 volatility &&
	near "$(s sharpe)" $3 sharpe &&
	near "$(s sortino)" $4 sortino
'

test_expect_success '--risk-free changes Sharpe and Sortino' '
	liu-analyze -f ndjson --risk-free 0.05 "$G" >rf &&
	set -- $(stats 0.05) &&
	near "$(jq -r "select(.ev == \"summary\") | .sharpe" rf)" $3 sharpe &&
	near "$(jq -r "select(.ev == \"summary\") | .sortino" rf)" $4 sortino
'

test_expect_success '--benchmark: buy and hold from the bars (500 -> 505)' '
	liu-analyze -f ndjson -b SPY "$G" >bm &&
	near "$(jq -r "select(.ev == \"summary\") | .benchmark_return" bm)" 0.01 bench
'

test_expect_success 'groups by symbol, strategy and batch' '
	jq -r "select(.ev == \"summary\") | (.by_symbol, .by_strategy,
	    .by_batch) | to_entries[] | [.key, .value.trips, .value.wins,
	    .value.realized, .value.unrealized, .value.fees] | @tsv" out >g &&
	cat >g.want <<-\EOF &&
	AAPL	2	1	87	0	3
	MSFT	1	1	159.2	0	0.8
	TSLA	2	0	-150	0	0
	NVDA	0	0	0	49	1
	s1	4	1	-63	0	3
	s2	1	1	159.2	49	1.8
	b1	5	2	96.2	0	3.8
	b2	0	0	0	49	1
	EOF
	test_cmp g.want g
'

test_expect_success '--period 1d on one day: one return, no Sharpe' '
	liu-analyze -f ndjson --period 1d "$G" >d &&
	jq -e "select(.ev == \"summary\") | .period == \"1d\" and
	    .returns == 1 and .sharpe == null and .periods_per_year == 252" d
'

# Returns on the session grid.  grid.py CASE RF computes, independently of
# liu-analyze, the returns of an equity series sampled on a grid listed by
# hand from the New York calendar, carrying the last equity forward over
# grid points without a sample, and prints: the number of returns, their
# mean, the annual volatility, Sharpe and Sortino (as stats above does).
# Each case's equity after each event is worked out by hand below.
cat >grid.py <<\EOF
import math, sys
from datetime import datetime, timedelta

def at(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S")

def stats(per_year, rf, grid, samples, capital=100000.0):
    rets, prev = [], capital
    for g in grid:
        e = [v for t, v in samples if t < g][-1]
        rets.append(e / prev - 1)
        prev = e
    n = len(rets)
    rp = rf / per_year
    m = sum(rets) / n
    sd = math.sqrt(sum((r - m) ** 2 for r in rets) / (n - 1))
    dd = math.sqrt(sum((r - rp) ** 2 for r in rets if r < rp) / n)
    y = math.sqrt(per_year)
    print(n, repr(m), repr(sd * y), repr((m - rp) / sd * y),
        repr((m - rp) / dd * y))

case, rf = sys.argv[1], float(sys.argv[2])
if case == "minutes":
    # 2024-03-01 (EST): the session opens at 14:30Z; a grid point at the
    # end of every minute from 14:31 to 14:46, the minute of the last fill
    s = [("14:30:00", 100000), ("14:32:00", 100100), ("14:37:00", 100000),
        ("14:38:00", 100000), ("14:45:30", 100010)]
    s = [(at("2024-03-01T" + t), v) for t, v in s]
    grid = [at("2024-03-01T14:30:00") + timedelta(minutes=k)
        for k in range(1, 17)]
    stats(252 * 390, rf, grid, s)
elif case == "hours":
    # 1h: 2024-07-03 closes early (13:00 EDT = 17:00Z), 07-04 is a
    # holiday, 07-05 trades 13:30Z-20:00Z; each session's last period
    # ends at its close: 252 sessions of ceil(390 / 60) = 7 periods
    grid = ["07-03T14:30", "07-03T15:30", "07-03T16:30", "07-03T17:00",
        "07-05T14:30", "07-05T15:30", "07-05T16:30", "07-05T17:30",
        "07-05T18:30", "07-05T19:30", "07-05T20:00"]
    grid = [at("2024-" + g + ":00") for g in grid]
    s = [("07-03T14:00", 100000), ("07-03T16:45", 100100),
        ("07-05T14:00", 100200), ("07-05T19:45", 100200),
        ("07-05T19:50", 100190)]
    s = [(at("2024-" + t + ":00"), v) for t, v in s]
    stats(252 * 7, rf, grid, s)
elif case == "days":
    # 1d: the closes of Friday 2024-03-01, Monday 03-04 and Tuesday
    # 03-05 (21:00Z, EST); the weekend has none; the 22:00Z price on
    # Friday, after the close, counts at Monday's close
    grid = [at(d + "T21:00:00") for d in
        ("2024-03-01", "2024-03-04", "2024-03-05")]
    s = [("2024-03-01T15:00", 100000), ("2024-03-01T20:00", 100100),
        ("2024-03-01T22:00", 100050), ("2024-03-05T15:00", 99900)]
    s = [(at(t + ":00"), v) for t, v in s]
    stats(252, rf, grid, s)
EOF

# check_grid CASE FILE [RF]: the summary in FILE against grid.py
check_grid () {
	set -- "$1" "$2" "${3:-0}" $(python3 grid.py "$1" "${3:-0}") &&
	test $# = 8 &&
	f=$2 &&
	g() { jq -r "select(.ev == \"summary\") | .$1" "$f"; } &&
	test "$(g returns)" = "$4" &&
	near "$(g mean_return)" "$5" "$1 mean" &&
	near "$(g volatility)" "$6" "$1 volatility" &&
	near "$(g sharpe)" "$7" "$1 sharpe" &&
	near "$(g sortino)" "$8" "$1 sortino"
}

# Fills without bars (capital 100000), 2024-03-01, session from 14:30Z:
#  14:30:00 buy 100 X @ 100: cash 90000 + 100 * 100 = 100000
#  14:32:00 sell 50 X @ 101: cash 95050 + 50 * 101 = 100100
#  14:37:00 sell 50 X @ 99: cash 95050 + 4950 = 100000
#  14:38:00 buy 10 Y @ 20: cash 99800 + 200 = 100000
#  14:45:30 sell 10 Y @ 21: 100010
# Skipping the minutes without a fill gave 5 returns, annualised as if
# each spanned a minute; the grid gives the 16 minutes 14:31 .. 14:46.
test_skip_unless_have python3
test_expect_success 'a gappy series: Sharpe and Sortino on the minute grid' '
	cat >gap.ndjson <<-\EOF &&
	{"ev":"fill","t":"2024-03-01T14:30:00Z","sym":"X","id":"a","side":"buy","qty":100,"price":100}
	{"ev":"fill","t":"2024-03-01T14:32:00Z","sym":"X","id":"b","side":"sell","qty":50,"price":101}
	{"ev":"fill","t":"2024-03-01T14:37:00Z","sym":"X","id":"c","side":"sell","qty":50,"price":99}
	{"ev":"fill","t":"2024-03-01T14:38:00Z","sym":"Y","id":"d","side":"buy","qty":10,"price":20}
	{"ev":"fill","t":"2024-03-01T14:45:30Z","sym":"Y","id":"e","side":"sell","qty":10,"price":21}
	EOF
	liu-analyze -f ndjson gap.ndjson >gap &&
	jq -e "select(.ev == \"summary\") | .period == \"1m\" and
	    .periods_per_year == 98280 and .returns == 16" gap &&
	check_grid minutes gap &&
	liu-analyze -f ndjson --risk-free 0.05 gap.ndjson >gaprf &&
	check_grid minutes gaprf 0.05
'

#  07-03 14:00Z buy 100 X @ 100: 100000
#  07-03 16:45Z trade X 101: 100100
#  07-05 14:00Z sell 100 X @ 102: cash 90000 + 10200 = 100200
#  07-05 19:45Z buy 10 Z @ 50: 99700 + 500 = 100200
#  07-05 19:50Z trade Z 49: 100190
test_skip_unless_have python3
test_expect_success '1h periods: an early close, a holiday, a short last hour' '
	cat >hours.ndjson <<-\EOF &&
	{"ev":"fill","t":"2024-07-03T14:00:00Z","sym":"X","id":"a","side":"buy","qty":100,"price":100}
	{"ev":"trade","t":"2024-07-03T16:45:00Z","sym":"X","price":101,"size":100}
	{"ev":"fill","t":"2024-07-05T14:00:00Z","sym":"X","id":"b","side":"sell","qty":100,"price":102}
	{"ev":"fill","t":"2024-07-05T19:45:00Z","sym":"Z","id":"c","side":"buy","qty":10,"price":50}
	{"ev":"trade","t":"2024-07-05T19:50:00Z","sym":"Z","price":49,"size":100}
	EOF
	liu-analyze -f ndjson --period 1h hours.ndjson >hours &&
	jq -e "select(.ev == \"summary\") | .period == \"1h\" and
	    .periods_per_year == 1764 and .returns == 11" hours &&
	check_grid hours hours
'

#  03-01 15:00Z buy 100 X @ 100: 100000
#  03-01 20:00Z trade X 101: 100100
#  03-01 22:00Z trade X 100.5 (after the close): 100050
#  03-05 15:00Z sell 100 X @ 99: 99900
test_skip_unless_have python3
test_expect_success 'days: trading days only, after hours counts the next day' '
	cat >days.ndjson <<-\EOF &&
	{"ev":"fill","t":"2024-03-01T15:00:00Z","sym":"X","id":"a","side":"buy","qty":100,"price":100}
	{"ev":"trade","t":"2024-03-01T20:00:00Z","sym":"X","price":101,"size":100}
	{"ev":"trade","t":"2024-03-01T22:00:00Z","sym":"X","price":100.5,"size":100}
	{"ev":"fill","t":"2024-03-05T15:00:00Z","sym":"X","id":"b","side":"sell","qty":100,"price":99}
	EOF
	liu-analyze -f ndjson days.ndjson >days &&
	jq -e "select(.ev == \"summary\") | .period == \"1d\" and
	    .periods_per_year == 252 and .returns == 3" days &&
	check_grid days days
'

test_expect_success '--capital scales returns, not money' '
	liu-analyze -f ndjson --capital 50000 "$G" >c &&
	jq -e "select(.ev == \"summary\") | .final_equity == 50145.2" c &&
	near "$(jq -r "select(.ev == \"summary\") | .total_return" c)" 0.002904 tr
'

test_expect_success 'table: the default on a terminal is readable, -f table' '
	liu-analyze -f table -b SPY "$G" >tab &&
	grep -q "^final equity  *100145.20$" tab &&
	grep -q "^max drawdown  *151.00 (0.15%)$" tab &&
	grep -q "^AAPL  *s1  *long  *120  *100.05  *101.00  *111.60 " tab &&
	grep -q "^open positions (marked" tab
'

# The fixture's times are 14:30-14:40 UTC on 2024-03-01, a Friday in
# standard time: 09:30-09:40 EST (UTC-05:00) in New York.
test_expect_success '--tz: the table shows New York time by default' '
	liu-analyze -f table "$G" >ny &&
	grep "^time  *2024-03-01T09:30:00-05:00 .. 2024-03-01T09:40:00-05:00$" ny &&
	grep "^time zone  *New York (EST/EDT)$" ny &&
	grep "^drawdown peak .. trough  *2024-03-01T09:34:00-05:00 .. 2024-03-01T09:39:00-05:00$" ny &&
	grep "^AAPL  *s1  *long  *120 .* 2024-03-01T09:30:00-05:00  2024-03-01T09:32:00-05:00$" ny &&
	grep "^NVDA  *s2  *long  *5 .* 2024-03-01T09:39:00-05:00$" ny &&
	! grep "14:3" ny &&
	liu-analyze -f table --tz ny "$G" >ny2 &&
	test_cmp ny ny2
'

test_expect_success '--tz utc: the table in UTC, as it was' '
	liu-analyze -f table --tz utc "$G" >utc &&
	grep "^time  *2024-03-01T14:30:00Z .. 2024-03-01T14:40:00Z$" utc &&
	grep "^time zone  *UTC$" utc &&
	grep "^drawdown peak .. trough  *2024-03-01T14:34:00Z .. 2024-03-01T14:39:00Z$" utc &&
	grep "^AAPL  *s1  *long  *120 .* 2024-03-01T14:30:00Z  2024-03-01T14:32:00Z$" utc &&
	! grep -e "-05:00" utc
'

test_expect_success '--tz leaves NDJSON in UTC' '
	liu-analyze -f ndjson --tz ny "$G" >nyj &&
	test_cmp out nyj &&
	liu-analyze -f ndjson --tz utc "$G" >utcj &&
	test_cmp out utcj
'

# Daylight saving time in 2024 (second Sunday of March to first Sunday of
# November, at 02:00 local): EDT from 2024-03-10T07:00:00Z (02:00 EST
# becomes 03:00 EDT) to 2024-11-03T06:00:00Z (02:00 EDT becomes 01:00 EST).
#   X: 03-08 14:30Z = 09:30 EST (Friday) -> 03-10 06:59:59Z = 01:59:59 EST
#   Y: 03-10 07:00:00Z = 03:00:00 EDT -> 03-11 13:30Z = 09:30 EDT (Monday)
#   Z: 11-03 05:59:59Z = 01:59:59 EDT -> 11-03 06:00:00Z = 01:00:00 EST,
#      one second later though the wall clock went back
test_expect_success '--tz ny across both daylight saving changes' '
	cat >dst.ndjson <<-\EOF &&
	{"ev":"fill","t":"2024-03-08T14:30:00Z","sym":"X","id":"a","side":"buy","qty":1,"price":10}
	{"ev":"fill","t":"2024-03-10T06:59:59Z","sym":"X","id":"b","side":"sell","qty":1,"price":11}
	{"ev":"fill","t":"2024-03-10T07:00:00Z","sym":"Y","id":"c","side":"buy","qty":1,"price":10}
	{"ev":"fill","t":"2024-03-11T13:30:00Z","sym":"Y","id":"d","side":"sell","qty":1,"price":10}
	{"ev":"fill","t":"2024-11-03T05:59:59Z","sym":"Z","id":"e","side":"buy","qty":1,"price":10}
	{"ev":"fill","t":"2024-11-03T06:00:00Z","sym":"Z","id":"f","side":"sell","qty":1,"price":10}
	EOF
	liu-analyze -f table dst.ndjson >dst &&
	grep "^X .* 2024-03-08T09:30:00-05:00  2024-03-10T01:59:59-05:00$" dst &&
	grep "^Y .* 2024-03-10T03:00:00-04:00  2024-03-11T09:30:00-04:00$" dst &&
	grep "^Z .* 00:00:01  2024-11-03T01:59:59-04:00  2024-11-03T01:00:00-05:00$" dst &&
	grep "^time  *2024-03-08T09:30:00-05:00 .. 2024-11-03T01:00:00-05:00$" dst &&
	liu-analyze -f table --tz utc dst.ndjson >dstu &&
	grep "^Z .* 2024-11-03T05:59:59Z  2024-11-03T06:00:00Z$" dstu
'

test_expect_success 'ndjson is the default into a pipe' '
	liu-analyze "$G" | jq -e -s "length == 7 and .[6].ev == \"summary\""
'

# A sell with no long position, qty 0, an unknown side, a negative and an
# infinite price, a sell of a flat position, an over-cover and a sell of a
# short: each reported with its line, and the totals are the golden ones.
test_expect_success 'bad fills are reported by line and change nothing' '
	test_expect_code 1 liu-analyze -f ndjson "$BAD" >bad 2>err &&
	test_cmp out bad &&
	grep -q "^liu-analyze: .*-bad.ndjson:4: sell of 5 with no long position" err &&
	grep -q ":5: \"qty\" must be positive" err &&
	grep -q ":6: bad event: bad \"side\"" err &&
	grep -q ":7: \"price\" must be positive" err &&
	grep -q ":8: bad event: \"price\" is not a number" err &&
	grep -q ":14: sell of 1 with no long position" err &&
	grep -q ":15: buy_to_cover of 50 with only 40 short" err &&
	grep -q ":16: sell of 1 with a short position, not long" err &&
	grep -q "skipped 8 bad lines" err
'

test_expect_success '--strict stops at the first bad line' '
	test_expect_code 1 liu-analyze --strict -f ndjson "$BAD" >s 2>err &&
	grep -q ":4: " err &&
	! grep -q ":5: " err
'

test_expect_success 'malformed JSON, missing and wrong-typed fields' '
	cat >m.ndjson <<-\EOF &&
	{"ev":"fill","t":"2024-03-01T14:30:00Z","sym":"A","id":"1","side":"buy","qty":1,"price":10
	{"ev":"fill","t":"2024-03-01T14:30:00Z","sym":"A","id":"1","side":"buy","qty":1}
	{"ev":"fill","t":"2024-03-01T14:30:00Z","sym":"A","id":"1","side":"buy","qty":"1","price":10}
	{"ev":"fill","t":"2024-03-01T14:30:00Z","sym":"A","id":"1","side":"buy","qty":1,"price":10,"fee":"x"}
	[1,2,3]
	{"ev":"fill","t":"2024-03-01T14:30:00Z","sym":"A","id":"1","side":"buy","qty":1,"price":10}
	EOF
	test_expect_code 1 liu-analyze -f ndjson m.ndjson >o 2>err &&
	grep -q "m.ndjson:1: bad event: truncated JSON" err &&
	grep -q "m.ndjson:2: bad event: .*price" err &&
	grep -q "m.ndjson:3: bad event: .*qty" err &&
	grep -q "m.ndjson:4: bad event: .*fee" err &&
	grep -q "m.ndjson:5: bad event: not a JSON object" err &&
	! grep -q ":6:" err &&
	jq -e "select(.ev == \"summary\") | .open == 1" o
'

test_expect_success 'over-long line, binary junk, invalid UTF-8, NUL bytes' '
	{
		liu_long_line 10485760 &&
		liu_random_bytes 3000 7 && echo &&
		printf "{\"ev\":\"fill\",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"\\377\\376\",\"id\":\"1\",\"side\":\"buy\",\"qty\":1,\"price\":1}\n" &&
		printf "{\"ev\":\"fill\"\\000,\"t\":1}\n" &&
		cat "$G"
	} >junk.ndjson &&
	test_expect_code 1 liu-analyze -f ndjson junk.ndjson >j 2>err &&
	grep -q "junk.ndjson:1: line too long" err &&
	grep -q "invalid UTF-8" err &&
	tail -n 1 j | jq -e ".final_equity == 100145.2"
'

test_expect_success 'CRLF, empty lines and a truncated last line' '
	sed "s/\$/\r/" "$G" | sed "3{p;s/.*//}" >crlf.ndjson &&
	liu-analyze -f ndjson crlf.ndjson >cr &&
	test_cmp out cr &&
	head -c -1 "$G" >trunc.ndjson &&
	liu-analyze -f ndjson trunc.ndjson >tr &&
	test_cmp out tr &&
	head -c -20 "$G" >cut.ndjson &&
	test_expect_code 1 liu-analyze -f ndjson cut.ndjson >/dev/null 2>err &&
	grep -q "cut.ndjson:16: " err
'

test_expect_success 'several files and stdin read as one session' '
	head -n 8 "$G" >p1 && tail -n +9 "$G" >p2 &&
	liu-analyze -f ndjson p1 p2 >two &&
	test_cmp out two &&
	liu-analyze -f ndjson <"$G" >in &&
	test_cmp out in
'

# A fill delivered twice (a feedback loop, a stage restarted after a
# crash) is one fill: liu-db stores a fill once per batch and exec_id, and
# so liu-analyze counts it.
test_expect_success 'a fill delivered twice counts once (batch and exec_id)' '
	liu-analyze -f ndjson "$G" >once &&
	awk "{ print } /\"ev\":\"fill\"/ { print }" "$G" >twice.ndjson &&
	test $(grep -c "\"ev\":\"fill\"" twice.ndjson) = 22 &&
	liu-analyze -v -f ndjson twice.ndjson >twice 2>err &&
	test_cmp once twice &&
	test_grep "^liu-analyze: 11 fills, 11 fills delivered again," err &&
	# the same exec_id in another batch is another fill
	cat >batches.ndjson <<-\EOF &&
	{"ev":"fill","t":"2024-03-01T14:30:00Z","sym":"X","id":"a","exec_id":"e1","side":"buy","qty":1,"price":10,"batch":"b1"}
	{"ev":"fill","t":"2024-03-01T14:30:00Z","sym":"X","id":"c","exec_id":"e1","side":"buy","qty":1,"price":10,"batch":"b2"}
	{"ev":"fill","t":"2024-03-01T14:30:00Z","sym":"X","id":"a","exec_id":"e1","side":"buy","qty":1,"price":10,"batch":"b1"}
	{"ev":"fill","t":"2024-03-01T14:31:00Z","sym":"X","id":"b","side":"sell","qty":1,"price":11}
	{"ev":"fill","t":"2024-03-01T14:31:00Z","sym":"X","id":"b","side":"sell","qty":1,"price":11}
	EOF
	liu-analyze -v -f ndjson batches.ndjson >b 2>err &&
	test_grep "^liu-analyze: 4 fills, 1 fills delivered again," err &&
	jq -e -s "map(select(.ev == \"analysis\")) | length == 2 and
	    all(.open == false)" b
'

test_expect_success 'a file that cannot be opened: exit 3, named' '
	test_expect_code 3 liu-analyze -f ndjson nosuch.ndjson 2>err &&
	test_grep "^liu-analyze: cannot open .nosuch.ndjson.: No such file" err &&
	test_expect_code 3 liu-analyze -p nodir/eq.png "$G" 2>err &&
	test_grep "^liu-analyze: cannot open .nodir/eq.png.: No such file" err
'

test_expect_success 'exact money over many fills: 0.1 + 0.2 never drifts' '
	awk "BEGIN { for (i = 0; i < 1000; i++) {
		printf \"{\\\"ev\\\":\\\"fill\\\",\\\"t\\\":\\\"2024-03-01T14:30:00Z\\\",\\\"sym\\\":\\\"X\\\",\\\"id\\\":\\\"b%d\\\",\\\"side\\\":\\\"buy\\\",\\\"qty\\\":3,\\\"price\\\":0.1,\\\"fee\\\":0.001}\n\", i
		printf \"{\\\"ev\\\":\\\"fill\\\",\\\"t\\\":\\\"2024-03-01T14:31:00Z\\\",\\\"sym\\\":\\\"X\\\",\\\"id\\\":\\\"s%d\\\",\\\"side\\\":\\\"sell\\\",\\\"qty\\\":3,\\\"price\\\":0.2,\\\"fee\\\":0.002}\n\", i
	} }" >many.ndjson &&
	liu-analyze -f ndjson many.ndjson >mo &&
	# each trip: 3 * (0.2 - 0.1) - 0.003 = 0.297; 1000 trips: 297.00
	jq -e "select(.ev == \"summary\") | .realized == 297 and .fees == 3" mo &&
	grep -q "\"realized\":297.00," mo
'

test_expect_success 'a buy covers a short, the rest opens a long' '
	cat >rev.ndjson <<-\EOF &&
	{"ev":"fill","t":"2024-03-01T14:30:00Z","sym":"X","id":"a","side":"sell_short","qty":10,"price":50,"fee":1}
	{"ev":"fill","t":"2024-03-01T14:31:00Z","sym":"X","id":"b","side":"buy","qty":15,"price":48,"fee":1.5}
	EOF
	liu-analyze -f ndjson rev.ndjson >rv &&
	# cover 10: 500 - 480 - 1 - 1.5*10/15 = 18.00; open long 5 @ 48 with
	# fee 0.50, marked at 48: -0.50
	jq -e -s ".[0].side == \"short\" and .[0].gain == 18 and
	    .[1].open and .[1].side == \"long\" and .[1].qty == 5 and
	    .[1].gain == -0.5 and .[2].final_equity == 100017.5" rv
'

# Times span 1678-2261, so the difference of two is wider than int64_t.
# 1700-01-01 -> 2250-01-01: 550 years with 133 leap days (the 138 multiples
# of 4 from 1700 to 2248, less 1700 1800 1900 2100 2200) = 200883 days =
# 17356291200 s.  1678-01-01T00:00:00.25 -> 2261-12-31T23:59:59.75: 584
# years with 141 leap days = 213301 days = 18429206400 s, less 0.5 s,
# shown as 213300 days 23:59:59.  Y is held over the whole span: exposure 1.
test_expect_success 'hold and exposure over centuries (1678 to 2261)' '
	cat >cent.ndjson <<-\EOF &&
	{"ev":"fill","t":"1678-01-01T00:00:00.25Z","sym":"Y","id":"c","side":"buy","qty":1,"price":10}
	{"ev":"fill","t":"1700-01-01T00:00:00Z","sym":"X","id":"a","side":"buy","qty":10,"price":50}
	{"ev":"fill","t":"2250-01-01T00:00:00Z","sym":"X","id":"b","side":"sell","qty":10,"price":60}
	{"ev":"fill","t":"2261-12-31T23:59:59.75Z","sym":"Y","id":"d","side":"sell","qty":1,"price":11}
	EOF
	liu-analyze -f ndjson cent.ndjson >co &&
	grep -q "\"hold_s\":17356291200," co &&
	jq -e -s ".[0].sym == \"X\" and .[0].hold_s == 17356291200 and
	    .[1].sym == \"Y\" and .[1].hold_s == 18429206399.5 and
	    .[2].exposure == 1" co &&
	liu-analyze -f table cent.ndjson >ct &&
	grep "^X .* 200883d00:00:00 " ct &&
	grep "^Y .* 213300d23:59:59 " ct
'

# A bar is seen at t + tf; 1000 days after December 2261 is past the last
# time there is, so it is seen at the end of 2261.
test_expect_success 'a bar that ends after 2261 is seen at the end of 2261' '
	cat >end.ndjson <<-\EOF &&
	{"ev":"bar","t":"2261-12-01T00:00:00Z","sym":"X","tf":"1000d","o":1,"h":1,"l":1,"c":1,"v":1}
	EOF
	liu-analyze -f ndjson end.ndjson >eo &&
	jq -e ".t == \"2261-12-31T23:59:59.999999999Z\"" eo
'

test_skip_unless_have gnuplot
test_expect_success '--plot draws a PNG and an SVG through gnuplot' '
	liu-analyze -p eq.png "$G" >/dev/null &&
	test "$(od -An -tx1 -N8 eq.png | tr -d " ")" = 89504e470d0a1a0a &&
	liu-analyze -p eq.svg "$G" >/dev/null &&
	grep -q "<svg" eq.svg
'

test_skip_unless_have gnuplot
test_expect_success '--plot: the time axis in New York time, or UTC' '
	liu-analyze -p ny.svg "$G" >/dev/null &&
	grep -q ">time, New York (EST/EDT)<" ny.svg &&
	grep -q ">09:30<" ny.svg && grep -q ">09:40<" ny.svg &&
	! grep -q ">14:3[0-9]<" ny.svg &&
	liu-analyze --tz utc -p utc.svg "$G" >/dev/null &&
	grep -q ">time, UTC<" utc.svg &&
	grep -q ">14:30<" utc.svg && grep -q ">14:40<" utc.svg &&
	! grep -q ">09:3[0-9]<" utc.svg
'

test_skip_unless_have gnuplot
test_expect_success '-f html says which time zone' '
	liu-analyze -f html "$G" >ny.html &&
	grep -q "<td>time zone</td><td class=\"n\">New York (EST/EDT)</td>" ny.html &&
	grep -q "<td>time</td><td class=\"n\">2024-03-01T09:30:00-05:00 .. 2024-03-01T09:40:00-05:00</td>" ny.html &&
	grep -q "Times are New York time" ny.html &&
	grep -q ">time, New York (EST/EDT)<" ny.html &&
	liu-analyze -f html --tz utc "$G" >utc.html &&
	grep -q "<td>time zone</td><td class=\"n\">UTC</td>" utc.html &&
	grep -q "Times are UTC." utc.html
'

test_expect_success '--plot without gnuplot: a clear error' '
	mkdir nognu &&
	for c in sh cat; do ln -s "$(command -v $c)" nognu/$c; done &&
	test_expect_code 3 env PATH="$PWD/nognu" "$SRC_DIR/bin/liu-analyze" \
	    -p x.png "$G" >/dev/null 2>err &&
	grep -q "gnuplot not found" err
'

test_expect_success '--plot is quiet when gnuplot only warns (a flat curve)' '
	liu-analyze -f ndjson -p flat.png "$SRC_DIR/data/aapl-2012-01-26-1m.ndjson" \
	    >/dev/null 2>err &&
	test_must_be_empty err &&
	test -s flat.png
'

test_expect_success 'a failing gnuplot is reported in its own words' '
	mkdir badgnu &&
	printf "#!/bin/sh\ncat >/dev/null\necho \"line 3: unknown thing\" >&2\nexit 1\n" \
	    >badgnu/gnuplot &&
	chmod +x badgnu/gnuplot &&
	test_must_fail env PATH="$PWD/badgnu:$PATH" liu-analyze -p x.png "$G" \
	    >/dev/null 2>err &&
	test_grep "^liu-analyze: gnuplot: line 3: unknown thing" err &&
	test_grep "gnuplot failed" err
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 liu-analyze -f xml "$G" &&
	test_expect_code 2 liu-analyze -p eq.jpg "$G" &&
	test_expect_code 2 liu-analyze --capital -5 "$G" &&
	test_expect_code 2 liu-analyze --period nope "$G" &&
	test_expect_code 2 liu-analyze --tz paris "$G" &&
	test_expect_code 2 liu-analyze --bogus
'

test_expect_success '--help and --version' '
	liu-analyze --help >h &&
	grep -q "^usage: liu-analyze" h &&
	liu-analyze -h >h2 && test_cmp h h2 &&
	liu-analyze --version | grep -q "^liu-analyze [0-9]"
'

test_expect_success '| head -n1 gives 141 with enough input' '
	for i in $(seq 1 4000); do
		echo "{\"ev\":\"fill\",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"X\",\"id\":\"b$i\",\"side\":\"buy\",\"qty\":1,\"price\":10}"
		echo "{\"ev\":\"fill\",\"t\":\"2024-03-01T14:31:00Z\",\"sym\":\"X\",\"id\":\"s$i\",\"side\":\"sell\",\"qty\":1,\"price\":11}"
	done >big.ndjson &&
	{ liu-analyze -f ndjson big.ndjson 2>err; echo $? >status; } |
		head -n1 >h1 &&
	test_line_count = 1 h1 &&
	test "$(cat status)" = 141 &&
	test_line_count = 0 err
'

test_expect_success 'SIGTERM while reading: exit 143, no partial output' '
	{ cat "$G"; sleep 3; } | liu-analyze -f ndjson >term 2>err &
	pid=$! &&
	sleep 0.5 &&
	kill -TERM $pid &&
	{ wait $pid; echo $? >status; } &&
	test "$(cat status)" = 143 &&
	test_line_count = 0 term
'

test_skip_unless_have chromium
test_expect_success 'HTML report renders in headless Chromium' '
	liu-analyze -f html -b SPY "$G" >report.html &&
	grep -q "<svg" report.html &&
	grep -q "100145.20" report.html &&
	! grep -q "<script" report.html &&
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
	    --screenshot="$PWD/shot.png" --window-size=1200,1600 \
	    "file://$PWD/report.html" >/dev/null 2>&1 &&
	test -s shot.png &&
	python3 -c "
import struct, sys
d = open(\"shot.png\", \"rb\").read(24)
assert d[:8] == b\"\\x89PNG\\r\\n\\x1a\\n\", d[:8]
w, h = struct.unpack(\">II\", d[16:24])
sys.exit(0 if (w, h) == (1200, 1600) else 1)
"
'

test_expect_success 'no events: the summary carries the time of the analysis' '
	today=$(date -u +%Y-%m-%d) &&
	liu-analyze -f ndjson </dev/null >out &&
	test_line_count = 1 out &&
	jq -e --arg d "$today" ".ev == \"summary\" and (.t | startswith(\$d)) and .trips == 0" out
'

test_done
