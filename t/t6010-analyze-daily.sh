#!/bin/sh
test_description='liu-analyze on daily and monthly bars: days, a benchmark

Returns per session day, whatever the bars'"'"' timeframe; the days table
and "day" events (--days); a benchmark from a file of bars
(--benchmark-file), its return over the same days, beta and alpha.
Every expected value is worked out by hand in the comments.'
. "$(dirname "$0")/test-lib.sh"
test_skip_unless_have jq

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

sum () {
	jq -r "select(.ev == \"summary\") | .$1" "$2"
}

# Capital 5000, all in X: buy 100 X at 50 at the close of Monday
# 2024-03-04 (21:00Z, 16:00 EST).  X's daily bars (t: midnight New York,
# 05:00Z) close Mon 50, Tue 55, Wed 49.5, Thu 54.45, Fri 49.005: the
# equity (100 x close) at each close is 5000, 5500, 4950, 5445, 4900.50,
# daily returns 0, +10%, -10%, +10%, -10%.
cat >x.ndjson <<\EOF
{"ev":"fill","t":"2024-03-04T21:00:00Z","sym":"X","id":"a","exec_id":"a1","side":"buy","qty":100,"price":50}
{"ev":"bar","t":"2024-03-04T05:00:00Z","sym":"X","tf":"1d","o":49,"h":51,"l":48,"c":50,"v":1000}
{"ev":"bar","t":"2024-03-05T05:00:00Z","sym":"X","tf":"1d","o":50,"h":56,"l":50,"c":55,"v":1000}
{"ev":"bar","t":"2024-03-06T05:00:00Z","sym":"X","tf":"1d","o":55,"h":55,"l":49,"c":49.5,"v":1000}
{"ev":"bar","t":"2024-03-07T05:00:00Z","sym":"X","tf":"1d","o":49.5,"h":55,"l":49,"c":54.45,"v":1000}
{"ev":"bar","t":"2024-03-08T05:00:00Z","sym":"X","tf":"1d","o":54.45,"h":55,"l":49,"c":49.005,"v":1000}
EOF
# The benchmark Y closes Fri 03-01 100 (before the run: the baseline),
# then Mon 100, Tue 105, Wed 99.75, Thu 104.7375, Fri 99.500625: returns
# 0, +5%, -5%, +5%, -5%, half of X's each day, so beta = 2 and alpha = 0;
# over the run Y returns 99.500625 / 100 - 1 = -0.499375%.  Its bar of
# the Monday after is past the run's end and counts for nothing.
cat >y.ndjson <<\EOF
{"ev":"bar","t":"2024-03-01T05:00:00Z","sym":"Y","tf":"1d","o":100,"h":100,"l":100,"c":100,"v":0}
{"ev":"bar","t":"2024-03-04T05:00:00Z","sym":"Y","tf":"1d","o":100,"h":100,"l":100,"c":100,"v":0}
{"ev":"bar","t":"2024-03-05T05:00:00Z","sym":"Y","tf":"1d","o":100,"h":105,"l":100,"c":105,"v":0}
{"ev":"bar","t":"2024-03-06T05:00:00Z","sym":"Y","tf":"1d","o":105,"h":105,"l":99.75,"c":99.75,"v":0}
{"ev":"bar","t":"2024-03-07T05:00:00Z","sym":"Y","tf":"1d","o":99.75,"h":104.7375,"l":99.75,"c":104.7375,"v":0}
{"ev":"bar","t":"2024-03-08T05:00:00Z","sym":"Y","tf":"1d","o":104.7375,"h":104.7375,"l":99.500625,"c":99.500625,"v":0}
{"ev":"bar","t":"2024-03-11T04:00:00Z","sym":"Y","tf":"1d","o":99,"h":99,"l":99,"c":99,"v":0}
EOF

# stats RF RETURNS...: mean, volatility, Sharpe, Sortino, 252 a year
stats () {
	rf=$1
	shift
	echo "$@" | tr " " "\n" | awk -v rf="$rf" 'NF { r[++n] = $1 } END {
		N = 252; rp = rf / N
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

test_expect_success 'daily bars: one return a session day, from the closes' '
	liu-analyze -f ndjson --capital 5000 x.ndjson >out &&
	test "$(sum period out)" = 1d &&
	test "$(sum returns out)" = 5 &&
	test "$(sum days out)" = 5 &&
	test "$(sum final_equity out)" = 4900.5 &&
	set -- $(stats 0 0 0.1 -0.1 0.1 -0.1) &&
	near "$(sum mean_return out)" $1 mean &&
	near "$(sum volatility out)" $2 volatility &&
	near "$(sum sharpe out)" $3 sharpe &&
	near "$(sum sortino out)" $4 sortino &&
	! grep -q "\"ev\":\"day\"" out
'

test_expect_success '--days: a day event at each close' '
	liu-analyze -f ndjson --days --capital 5000 x.ndjson >out &&
	jq -r "select(.ev == \"day\") | [.t, .date, .equity] | @tsv" out >actual &&
	cat >expect <<-\EOF &&
	2024-03-04T21:00:00Z	2024-03-04	5000
	2024-03-05T21:00:00Z	2024-03-05	5500
	2024-03-06T21:00:00Z	2024-03-06	4950
	2024-03-07T21:00:00Z	2024-03-07	5445
	2024-03-08T21:00:00Z	2024-03-08	4900.5
	EOF
	test_cmp expect actual &&
	grep -q "\"equity\":4900.50," out &&
	jq -r "select(.ev == \"day\") | .return" out >r &&
	set -- $(cat r) &&
	test $# = 5 &&
	near $1 0 r1 && near $2 0.1 r2 && near $3 -0.1 r3 &&
	near $4 0.1 r4 && near $5 -0.1 r5 &&
	jq -r "select(.ev == \"day\") | .cum_return" out | tail -n 1 >c &&
	near "$(cat c)" -0.0199 cum &&
	tail -n 1 out | jq -e ".ev == \"summary\""
'

test_expect_success '--benchmark-file: its return over the run, beta and alpha' '
	liu-analyze -f ndjson --days --capital 5000 --benchmark-file y.ndjson \
	    x.ndjson >out &&
	test "$(sum benchmark out)" = Y &&
	near "$(sum benchmark_return out)" -0.00499375 bench &&
	near "$(sum beta out)" 2 beta &&
	near "$(sum alpha out)" 0 alpha &&
	jq -r "select(.ev == \"day\") | [.date, .bench] | @tsv" out >actual &&
	cat >expect <<-\EOF &&
	2024-03-04	100
	2024-03-05	105
	2024-03-06	99.75
	2024-03-07	104.7375
	2024-03-08	99.500625
	EOF
	test_cmp expect actual &&
	jq -r "select(.ev == \"day\") | .bench_return" out >r &&
	set -- $(cat r) &&
	near $1 0 b1 && near $2 0.05 b2 && near $3 -0.05 b3 &&
	near $4 0.05 b4 && near $5 -0.05 b5
'

test_expect_success 'a benchmark of the input itself (-b) keeps buy and hold from its open' '
	liu-analyze -f ndjson --capital 5000 -b X x.ndjson >out &&
	near "$(sum benchmark_return out)" "$(awk "BEGIN { printf \"%.17g\", 49.005 / 49 - 1 }")" bench
'

test_expect_success '-b picks the benchmark out of a file of several symbols' '
	cat x.ndjson y.ndjson | grep "\"bar\"" >xy.ndjson &&
	liu-analyze -f ndjson --capital 5000 -b Y --benchmark-file xy.ndjson \
	    x.ndjson >out &&
	near "$(sum benchmark_return out)" -0.00499375 bench &&
	test_expect_code 1 liu-analyze -f ndjson --capital 5000 \
	    --benchmark-file xy.ndjson x.ndjson >out 2>err &&
	test_grep "xy.ndjson:6: a bar of Y after bars of X: name the benchmark symbol with -b" err &&
	test_expect_code 2 liu-analyze --benchmark-file - x.ndjson 2>err &&
	test_expect_code 3 liu-analyze --benchmark-file nonesuch x.ndjson 2>err &&
	test_grep "nonesuch" err
'

# Monthly bars are seen at the close of the month's last session: March
# 2024 ends on Thursday the 28th (Good Friday, the 29th, is a holiday),
# 20:00Z (16:00 EDT); February 2024 on Thursday the 29th, 21:00Z.
test_expect_success 'a monthly benchmark: seen at the last close of its month' '
	cat >m.ndjson <<-\EOF &&
	{"ev":"bar","t":"2024-02-01T05:00:00Z","sym":"M","tf":"1mo","o":200,"h":200,"l":200,"c":200,"v":0,"close_only":true}
	{"ev":"bar","t":"2024-03-01T05:00:00Z","sym":"M","tf":"1mo","o":210,"h":210,"l":210,"c":210,"v":0,"close_only":true}
	{"ev":"bar","t":"2024-04-01T04:00:00Z","sym":"M","tf":"1mo","o":220,"h":220,"l":220,"c":220,"v":0,"close_only":true}
	EOF
	cat >f.ndjson <<-\EOF &&
	{"ev":"fill","t":"2024-03-27T15:00:00Z","sym":"Z","id":"a","exec_id":"a1","side":"buy","qty":1,"price":10}
	{"ev":"trade","t":"2024-04-01T15:00:00Z","sym":"Z","price":11,"size":1}
	EOF
	liu-analyze -f ndjson --days --benchmark-file m.ndjson f.ndjson >out &&
	jq -r "select(.ev == \"day\") | [.t, .bench] | @tsv" out >actual &&
	cat >expect <<-\EOF &&
	2024-03-27T20:00:00Z	200
	2024-03-28T20:00:00Z	210
	2024-04-01T20:00:00Z	210
	EOF
	test_cmp expect actual &&
	near "$(sum benchmark_return out)" 0.05 bench &&
	test "$(sum days out)" = 3 &&
	test "$(sum returns out)" = 3
'

# A monthly run: M's closes count at the last close of February, March
# and April; returns per session day between them are zero.
test_expect_success 'monthly bars: daily returns, zero between month ends' '
	echo "{\"ev\":\"fill\",\"t\":\"2024-02-29T21:00:00Z\",\"sym\":\"M\",\"id\":\"a\",\"exec_id\":\"a1\",\"side\":\"buy\",\"qty\":10,\"price\":200}" >mz.ndjson &&
	cat m.ndjson >>mz.ndjson &&
	liu-analyze -f ndjson --days --capital 2000 mz.ndjson >out &&
	jq -r "select(.ev == \"day\") | select(.return != 0) | [.date, .equity, .return] | @tsv" out >actual &&
	cat >expect <<-\EOF &&
	2024-03-28	2100	0.05
	2024-04-30	2200	0.047619047619
	EOF
	test_cmp expect actual &&
	# 2024-02-29 .. 2024-04-30: 1 + 20 (March less Good Friday) + 22
	test "$(sum days out)" = 43 &&
	test "$(sum returns out)" = 43
'

# Intraday: two sessions of minute bars; each day ends with the last
# equity at or before its close (the 15:59 bar is seen at 16:00).
test_expect_success 'intraday bars over two sessions: a return per day' '
	cat >i.ndjson <<-\EOF &&
	{"ev":"fill","t":"2024-03-04T14:30:00Z","sym":"Q","id":"a","exec_id":"a1","side":"buy","qty":100,"price":10}
	{"ev":"bar","t":"2024-03-04T14:30:00Z","sym":"Q","tf":"1m","o":10,"h":10,"l":10,"c":10,"v":1}
	{"ev":"bar","t":"2024-03-04T20:59:00Z","sym":"Q","tf":"1m","o":11,"h":11,"l":11,"c":11,"v":1}
	{"ev":"bar","t":"2024-03-05T14:30:00Z","sym":"Q","tf":"1m","o":12,"h":12,"l":12,"c":12,"v":1}
	{"ev":"fill","t":"2024-03-05T20:00:00Z","sym":"Q","id":"b","exec_id":"b1","side":"sell","qty":100,"price":10.5}
	EOF
	liu-analyze -f ndjson --days --capital 1000 i.ndjson >out &&
	jq -r "select(.ev == \"day\") | [.t, .equity] | @tsv" out >actual &&
	cat >expect <<-\EOF &&
	2024-03-04T21:00:00Z	1100
	2024-03-05T21:00:00Z	1050
	EOF
	test_cmp expect actual &&
	test "$(sum period out)" = 1d &&
	test "$(sum days out)" = 2
'

test_expect_success 'the table: the summary rows and, with --days, the days' '
	liu-analyze -f table --days --capital 5000 --benchmark-file y.ndjson \
	    x.ndjson >tab &&
	test_grep "^beta (daily returns) *2.0000$" tab &&
	test_grep "^alpha (annual) *0.00%$" tab &&
	test_grep "^benchmark return *-0.50% (Y)$" tab &&
	test_grep "^session days *5$" tab &&
	test_grep "^2024-03-05 *5500.00 *10.00% *10.00% *105.00 *5.00% *5.00%$" tab &&
	test_grep "^2024-03-08 *4900.50 *-10.00% *-1.99% *99.500625 *-5.00% *-0.50%$" tab &&
	liu-analyze -f table --capital 5000 x.ndjson >tab &&
	! grep -q "^days" tab
'

test_expect_success 'the real GOOG daily bars against the S&P 500 monthly' '
	{
		echo "{\"ev\":\"fill\",\"t\":\"2004-08-19T20:00:00Z\",\"sym\":\"GOOG\",\"id\":\"a\",\"exec_id\":\"a1\",\"side\":\"buy\",\"qty\":100,\"price\":100.34}" &&
		cat "$SRC_DIR/data/goog-2004-2008-1d.ndjson"
	} >g.ndjson &&
	liu-analyze -f ndjson --capital 10034 -b "^GSPC" \
	    --benchmark-file "$SRC_DIR/data/stocks-1990-2022-1mo.ndjson" \
	    g.ndjson >out &&
	# all in GOOG from its first close (100.34) to its last (2008-10-14)
	test "$(sum days out)" = 1047 &&
	test "$(sum returns out)" = 1047 &&
	last=$(tail -n 1 "$SRC_DIR/data/goog-2004-2008-1d.ndjson" | jq .c) &&
	near "$(sum total_return out)" "$(awk "BEGIN { printf \"%.17g\", $last / 100.34 - 1 }")" total &&
	# ^GSPC: the close of July 2004 (seen 2004-07-30) to that of
	# September 2008 (seen 2008-09-30; October is not over by 10-14)
	g0=$(jq -r "select(.sym == \"^GSPC\" and .t == \"2004-07-01T04:00:00Z\") | .c" \
	    "$SRC_DIR/data/stocks-1990-2022-1mo.ndjson") &&
	g1=$(jq -r "select(.sym == \"^GSPC\" and .t == \"2008-09-01T04:00:00Z\") | .c" \
	    "$SRC_DIR/data/stocks-1990-2022-1mo.ndjson") &&
	test -n "$g0" && test -n "$g1" &&
	near "$(sum benchmark_return out)" "$(awk "BEGIN { printf \"%.17g\", $g1 / $g0 - 1 }")" bench
'

test_skip_unless_have gnuplot
test_expect_success 'the chart and the HTML report: the benchmark bought and held' '
	liu-analyze -f html --days --capital 5000 --benchmark-file y.ndjson \
	    -p chart.svg x.ndjson >report.html &&
	test_grep "Y bought and held" chart.svg &&
	test_grep "Y bought and held" report.html &&
	test_grep "<h2>days (at each session&#39;s close)</h2>" report.html &&
	test_grep "<td>2024-03-08</td><td class=\"n\">4900.50</td>" report.html
'

test_done
