#!/bin/sh
test_description='liu-ta: indicator fields on bar events'
. "$(dirname "$0")/test-lib.sh"

# Two symbols interleaved, a trade and an unknown event passing through.
# A: c = 10..14 with h = c + 1, l = c - 1 (typical price = c), v = 100;
# B: c = 20, 22, 24.  A 5m bar of A has a state of its own.
cat >in.ndjson <<'E'
{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"A","tf":"1m","o":10,"h":11,"l":9,"c":10,"v":100}
{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"B","tf":"1m","o":20,"h":20,"l":20,"c":20,"v":1}
{"ev":"trade","t":"2024-03-01T14:30:30Z","sym":"A","price":10.5,"size":3}
{"ev":"bar","t":"2024-03-01T14:31:00Z","sym":"A","tf":"1m","o":11,"h":12,"l":10,"c":11,"v":100}
{"ev":"news","t":"2024-03-01T14:31:30Z","headline":"x"}
{"ev":"bar","t":"2024-03-01T14:31:00Z","sym":"B","tf":"1m","o":22,"h":22,"l":22,"c":22,"v":3}
{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"A","tf":"5m","o":10,"h":15,"l":9,"c":14,"v":500}
{"ev":"bar","t":"2024-03-01T14:32:00Z","sym":"A","tf":"1m","o":12,"h":13,"l":11,"c":12,"v":100}
{"ev":"bar","t":"2024-03-01T14:32:00Z","sym":"B","tf":"1m","o":24,"h":24,"l":24,"c":24,"v":4}
{"ev":"bar","t":"2024-03-01T14:33:00Z","sym":"A","tf":"1m","o":13,"h":14,"l":12,"c":13,"v":100}
{"ev":"bar","t":"2024-03-01T14:34:00Z","sym":"A","tf":"1m","o":14,"h":15,"l":13,"c":14,"v":100}
E

# By hand: sma3 of A = -, -, 11, 12, 13; of B = -, -, 22.  vwap of A =
# 10, 10.5, 11, 11.5, 12; of B = 20, (20 + 66) / 4 = 21.5, (86 + 96) / 8
# = 22.75; of the 5m bar (15 + 9 + 14) / 3 = 12.666..., which is
# 12.6666666667 at the default 12 significant digits.  highest2 (of h)
# of A = -, 12, 13, 14, 15; of B = -, 22, 24.
cat >expect <<'E'
{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"A","tf":"1m","o":10,"h":11,"l":9,"c":10,"v":100,"sma3":null,"vwap":10,"highest2":null}
{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"B","tf":"1m","o":20,"h":20,"l":20,"c":20,"v":1,"sma3":null,"vwap":20,"highest2":null}
{"ev":"trade","t":"2024-03-01T14:30:30Z","sym":"A","price":10.5,"size":3}
{"ev":"bar","t":"2024-03-01T14:31:00Z","sym":"A","tf":"1m","o":11,"h":12,"l":10,"c":11,"v":100,"sma3":null,"vwap":10.5,"highest2":12}
{"ev":"news","t":"2024-03-01T14:31:30Z","headline":"x"}
{"ev":"bar","t":"2024-03-01T14:31:00Z","sym":"B","tf":"1m","o":22,"h":22,"l":22,"c":22,"v":3,"sma3":null,"vwap":21.5,"highest2":22}
{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"A","tf":"5m","o":10,"h":15,"l":9,"c":14,"v":500,"sma3":null,"vwap":12.6666666667,"highest2":null}
{"ev":"bar","t":"2024-03-01T14:32:00Z","sym":"A","tf":"1m","o":12,"h":13,"l":11,"c":12,"v":100,"sma3":11,"vwap":11,"highest2":13}
{"ev":"bar","t":"2024-03-01T14:32:00Z","sym":"B","tf":"1m","o":24,"h":24,"l":24,"c":24,"v":4,"sma3":22,"vwap":22.75,"highest2":24}
{"ev":"bar","t":"2024-03-01T14:33:00Z","sym":"A","tf":"1m","o":13,"h":14,"l":12,"c":13,"v":100,"sma3":12,"vwap":11.5,"highest2":14}
{"ev":"bar","t":"2024-03-01T14:34:00Z","sym":"A","tf":"1m","o":14,"h":15,"l":13,"c":14,"v":100,"sma3":13,"vwap":12,"highest2":15}
E

BAR1='{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"A","o":10,"h":10,"l":10,"c":10,"v":1}'
BAR2='{"ev":"bar","t":"2024-03-01T14:31:00Z","sym":"A","o":20,"h":20,"l":20,"c":20,"v":1}'
OUT1='{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"A","o":10,"h":10,"l":10,"c":10,"v":1,"sma2":null}'
OUT2='{"ev":"bar","t":"2024-03-01T14:31:00Z","sym":"A","o":20,"h":20,"l":20,"c":20,"v":1,"sma2":15}'
printf '%s\n' "$OUT1" "$OUT2" >expect2

# bad lines between BAR1 (line 1) and BAR2 (last line)
bad_case () {
	printf '%s\n' "$BAR1" >"$1" &&
	cat >>"$1" &&
	printf '%s\n' "$BAR2" >>"$1"
}

test_expect_success 'golden: sma:3 vwap highest:2, two symbols, two tfs' '
	liu-ta sma:3 vwap highest:2 <in.ndjson >out 2>err &&
	test_cmp expect out &&
	test_line_count = 0 err
'

test_expect_success 'golden values agree with jq on the input' '
	jq -c "select(.ev == \"bar\" and .sym == \"A\" and .tf == \"1m\")
	    | .c" in.ndjson | tr "\n" " " >closes &&
	test "$(cat closes)" = "10 11 12 13 14 "
'

# X bars whose prices are all CLOSE, one a minute: bar MINUTE CLOSE
xbar () {
	printf '{"ev":"bar","t":"2024-03-01T14:%02d:00Z","sym":"X","o":%s,"h":%s,"l":%s,"c":%s,"v":1}\n' \
	    "$1" "$2" "$2" "$2" "$2"
}

# sma:1 is the close itself and slope:2 the last close less the one
# before, so the values to round are chosen by hand.  At 4 significant
# digits: 1.23456789 -> 1.235; 1.23456789 - 2 = -0.76543211 -> -0.7654;
# 0.125 - 1.23456789 = -1.10956789 -> -1.110, written -1.11;
# 0.0000123456 (below 1e-4: exponent form) -> 1.235e-05;
# 0.0000123456 - 0.125 = -0.1249876544 -> -0.1250, written -0.125;
# 1234567890123456789 (1e15 and up: exponent form) -> 1.235e+18, and
# so is the slope; 2.5 - 1.2345...e18 -> -1.235e+18.
test_expect_success '--digits 4: rounding by hand, signs, exponents, nulls' '
	{
		xbar 0 2 && xbar 1 1.23456789 && xbar 2 0.125 &&
		xbar 3 0.0000123456 && xbar 4 1234567890123456789 &&
		xbar 5 2.5
	} >x.ndjson &&
	liu-ta --digits 4 sma:1 slope:2 <x.ndjson >out &&
	sed "s/.*\"v\":1,//" out >got &&
	cat >want <<-\EOF &&
	"sma1":2,"slope2":null}
	"sma1":1.235,"slope2":-0.7654}
	"sma1":0.125,"slope2":-1.11}
	"sma1":1.235e-05,"slope2":-0.125}
	"sma1":1.235e+18,"slope2":1.235e+18}
	"sma1":2.5,"slope2":-1.235e+18}
	EOF
	test_cmp want got
'

test_expect_success '--digits: exact ties go to even, as printf rounds' '
	{ xbar 0 0.125 && xbar 1 0.375 && xbar 2 2.5 && xbar 3 3.5; } |
	liu-ta --digits 2 sma:1 | sed "s/.*\"v\":1,//" >got2 &&
	printf "%s\n" "\"sma1\":0.12}" "\"sma1\":0.38}" "\"sma1\":2.5}" \
	    "\"sma1\":3.5}" >want2 &&
	test_cmp want2 got2 &&
	{ xbar 0 2.5 && xbar 1 3.5 && xbar 2 9.96; } |
	liu-ta --digits 1 sma:1 | sed "s/.*\"v\":1,//" >got1 &&
	printf "%s\n" "\"sma1\":2}" "\"sma1\":4}" "\"sma1\":10}" >want1 &&
	test_cmp want1 got1
'

test_expect_success '--exact and --digits 17: shortest round trip' '
	liu-ta --exact sma:3 vwap highest:2 <in.ndjson >out &&
	sed "s/\"vwap\":12.6666666667,/\"vwap\":12.666666666666666,/" \
	    expect >expect-exact &&
	test_cmp expect-exact out &&
	liu-ta --digits 17 sma:3 vwap highest:2 <in.ndjson >out17 &&
	test_cmp expect-exact out17 &&
	xbar 0 0.30000000000000004 >y.ndjson &&
	liu-ta --exact sma:1 <y.ndjson >out &&
	test_grep "\"sma1\":0.30000000000000004}" out &&
	liu-ta --digits 16 sma:1 <y.ndjson >out &&
	test_grep "\"sma1\":0.3}" out &&
	liu-ta sma:1 <y.ndjson >out &&
	test_grep "\"sma1\":0.3}" out
'

test_expect_success '--digits out of range is a usage error' '
	test_expect_code 2 liu-ta --digits 0 sma </dev/null 2>err &&
	test_grep "liu-ta: .*--digits" err &&
	test_expect_code 2 liu-ta --digits 18 sma </dev/null &&
	test_expect_code 2 liu-ta --digits x sma </dev/null
'

test_expect_success 'macd, bbands and rsi names; nulls in warm-up' '
	head -n1 in.ndjson | liu-ta macd bbands rsi ema:12 atr stddev \
	    wma:5 lowest slope >out &&
	for f in macd macd_signal macd_hist bb_mid bb_upper bb_lower \
	    rsi14 ema12 atr14 stddev20 wma5 lowest20 slope20
	do
		test_grep "\"$f\":null" out || return 1
	done
'

test_expect_success 'colliding specs get their parameters appended' '
	head -n1 in.ndjson | liu-ta macd macd:5,35,5 bbands:10,1.5 bbands \
	    vwap vwap:09:30 >out &&
	test_grep "\"macd_hist\":null" out &&
	test_grep "\"macd_hist_5_35_5\":null" out &&
	test_grep "\"bb_mid\":null" out &&
	test_grep "\"bb_mid_20_2\":null" out &&
	test_grep "\"vwap\":10,\"vwap_0930\":10}$" out
'

test_expect_success 'a field of ours already in the bar is replaced' '
	printf "%s\n" \
	    "{\"ev\":\"bar\",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"A\",\"o\":1,\"h\":1,\"l\":1,\"c\":1,\"v\":1,\"sma1\":7,\"x\":[1,\"}\"]}" |
	liu-ta sma:1 >out &&
	echo "{\"ev\":\"bar\",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"A\",\"o\":1,\"h\":1,\"l\":1,\"c\":1,\"v\":1,\"x\":[1,\"}\"],\"sma1\":1}" >exp &&
	test_cmp exp out
'

test_expect_success 'liu-ta twice gives the values once' '
	liu-ta sma:3 <in.ndjson | liu-ta sma:3 vwap highest:2 >out &&
	test_cmp expect out
'

test_expect_success 'plain bars and bars with nested fields agree' '
	# a nested field sends a bar through the general event parser
	liu-stream synth --max --symbols 7 --types bar --events 3000 >syn &&
	S="ema:12 macd rsi:14 vwap atr:14 bbands:20,2 sma wma:7 stddev:5 \
	    highest lowest slope:3 vwap:09:30" &&
	liu-ta $S <syn >fast &&
	sed "s/}\$/,\"z\":[{}]}/" syn | liu-ta $S >slow0 &&
	sed "s/,\"z\":\[{}\]//" slow0 >slow &&
	test_line_count = 2730 fast &&
	test_cmp fast slow &&
	# a blank: not the layout liu writes, read by the general fast path
	sed "s/^{\"ev\"/{ \"ev\"/" syn | liu-ta $S >blank0 &&
	sed "s/^{ \"ev\"/{\"ev\"/" blank0 >blank &&
	test_cmp fast blank &&
	# every other bar by the general parser, no "tf": one series still
	sed "s/\"tf\":\"1m\",//" fast >fast-notf &&
	awk "NR % 2 { sub(/}\$/, \",\\\"z\\\":[{}]}\") } { print }" syn |
	sed "s/\"tf\":\"1m\",//" | liu-ta $S |
	sed "s/,\"z\":\[{}\]//" >mixed &&
	test_cmp fast-notf mixed &&
	liu-ta --exact $S <syn >fast-exact &&
	sed "s/}\$/,\"z\":[{}]}/" syn | liu-ta --exact $S |
	sed "s/,\"z\":\[{}\]//" >slow-exact &&
	test_cmp fast-exact slow-exact
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 liu-ta </dev/null &&
	test_expect_code 2 liu-ta sma:0 </dev/null 2>err &&
	test_grep "liu-ta: invalid indicator .sma:0." err &&
	test_expect_code 2 liu-ta foo </dev/null &&
	test_expect_code 2 liu-ta sma:20 sma </dev/null 2>err &&
	test_grep "duplicate" err &&
	test_expect_code 2 liu-ta --nosuch sma </dev/null &&
	test_expect_code 2 liu-ta --max-bad x sma </dev/null
'

test_expect_success '--help and --version' '
	liu-ta --help >out &&
	test_grep "^usage: liu-ta" out &&
	liu-ta -h >out2 && test_cmp out out2 &&
	liu-ta --version >out && test_grep "^liu-ta [0-9]" out
'

test_expect_success 'CRLF and empty lines' '
	printf "%s\r\n\r\n\n%s\r\n" "$BAR1" "$BAR2" | liu-ta sma:2 >out &&
	test_cmp expect2 out
'

test_expect_success 'a last line without newline is read' '
	printf "%s\n%s" "$BAR1" "$BAR2" | liu-ta sma:2 >out &&
	test_cmp expect2 out
'

test_expect_success 'a truncated last line is a bad line' '
	printf "%s\n%s\n%s" "$BAR1" "$BAR2" "{\"ev\":\"bar\",\"t\":\"20" >in3 &&
	test_expect_code 1 liu-ta sma:2 <in3 >out 2>err &&
	test_cmp expect2 out &&
	test_grep "liu-ta: <stdin>:3: bad event" err &&
	test_grep "skipped 1 bad line" err
'

test_expect_success 'malformed JSON is skipped and counted' '
	printf "%s\n" "{\"ev\":\"bar\",\"t\":" "not json" "[1,2]" |
	bad_case in4 &&
	test_expect_code 1 liu-ta sma:2 <in4 >out 2>err &&
	test_cmp expect2 out &&
	test_grep "^liu-ta: <stdin>:2: bad event" err &&
	test_grep "^liu-ta: <stdin>:4: bad event" err &&
	test_grep "skipped 3 bad lines" err
'

test_expect_success 'missing and wrong-typed fields' '
	printf "%s\n" \
	    "{\"ev\":\"bar\",\"t\":\"2024-03-01T14:30:30Z\",\"sym\":\"A\",\"o\":1,\"h\":1,\"l\":1,\"v\":1}" \
	    "{\"ev\":\"bar\",\"t\":\"2024-03-01T14:30:30Z\",\"sym\":\"A\",\"o\":1,\"h\":1,\"l\":1,\"c\":\"1\",\"v\":1}" \
	    "{\"ev\":\"bar\",\"t\":\"2024-03-01T14:30:30Z\",\"o\":1,\"h\":1,\"l\":1,\"c\":1,\"v\":1}" \
	    "{\"ev\":\"bar\",\"t\":\"yesterday\",\"sym\":\"A\",\"o\":1,\"h\":1,\"l\":1,\"c\":1,\"v\":1}" \
	    "{\"ev\":\"bar\",\"t\":\"2024-03-01T14:30:30Z\",\"sym\":\"A\",\"o\":1,\"h\":1,\"l\":1,\"c\":null,\"v\":1}" |
	bad_case in5 &&
	test_expect_code 1 liu-ta sma:2 <in5 >out 2>err &&
	test_cmp expect2 out &&
	test_grep "<stdin>:2: bad event: missing \"c\"" err &&
	test_grep "<stdin>:3: bad event: \"c\" is not a number" err &&
	test_grep "<stdin>:4: bad event: missing \"sym\"" err &&
	test_grep "<stdin>:5: bad event: bad time" err &&
	test_grep "<stdin>:6: bad event: \"c\" is null" err &&
	test_grep "skipped 5 bad lines" err
'

test_expect_success 'bad prices and volumes never reach the indicators' '
	for f in "\"c\":0" "\"c\":-1" "\"o\":1e999" "\"v\":-5" "\"h\":0.5" \
	    "\"vw\":0" "\"c\":NaN"
	do
		echo "{\"ev\":\"bar\",\"t\":\"2024-03-01T14:30:30Z\",\"sym\":\"A\",\"o\":1,\"h\":1,\"l\":1,\"c\":1,\"v\":1,$f}" ||
		return 1
	done | bad_case in6 &&
	test_expect_code 1 liu-ta sma:2 <in6 >out 2>err &&
	test_cmp expect2 out &&
	test_grep "<stdin>:2: bar price not positive" err &&
	test_grep "<stdin>:3: bar price not positive" err &&
	test_grep "<stdin>:4: bad event" err &&
	test_grep "<stdin>:5: bar volume negative" err &&
	test_grep "<stdin>:6: bar open or close outside" err &&
	test_grep "<stdin>:7: bar vw not positive" err &&
	test_grep "<stdin>:8: bad event" err &&
	test_grep "skipped 7 bad lines" err
'

test_expect_success 'time going backwards is a bad line' '
	printf "%s\n" "$BAR1" | bad_case in7 &&
	test_expect_code 1 liu-ta sma:2 <in7 >out 2>err &&
	test_cmp expect2 out &&
	test_grep "<stdin>:2: bar time not after the previous A 1m bar" err
'

# Updated bars.  upd_gen MODE: 40 one-minute bars of A and of B, some
# with an updated version ("updated":true: another close, high and
# volume).  MODE all writes every version, each replaced one marked
# "orig":1 (A's bar 20 is updated twice); MODE final writes the last
# version of each bar only (so updated bars for new times, which are
# plain bars to liu-ta).  A's updates take the fast reader, B's the
# general one (a nested field; an escaped key on even bars).  A's bars
# 0 and 31 to 33 sit around liu-ta's saves, every 32 bars (15 to 17
# around 16).
upd_gen () {
	awk -v mode="$1" '
	function bar(s, i, k, extra,   c) {
		c = 100 + ((i * 37) % 17) / 4 + k / 2
		printf "{\"ev\":\"bar\",\"t\":\"2024-03-01T%02d:%02d:00Z\"," \
		    "\"sym\":\"%s\",\"tf\":\"1m\",\"o\":%s,\"h\":%s," \
		    "\"l\":%s,\"c\":%s,\"v\":%d%s}\n",
		    14 + int((30 + i) / 60), (30 + i) % 60, s, c - 0.25,
		    c + 1 + k, c - 1, c, 1000 + 10 * i + 300 * k, extra
	}
	function upd(s, i, n,   k, key, x) {
		for (k = 0; k <= n; k++) {
			if (k == n)
				x = ""
			else if (mode == "all")
				x = ",\"orig\":1"
			else
				continue
			if (k > 0) {
				key = s == "B" && i % 2 == 0 ? "upd\\u0061ted" : \
				    "updated"
				x = ",\"" key "\":true" \
				    (s == "B" ? ",\"x\":{\"y\":1}" : "") x
			}
			bar(s, i, k, x)
		}
	}
	BEGIN {
		na[0] = na[1] = na[5] = na[15] = na[16] = na[17] = 1
		na[31] = na[32] = na[33] = na[39] = 1
		na[20] = 2
		for (i = 0; i < 40; i++) {
			upd("A", i, na[i] + 0)
			upd("B", i, i % 5 == 2)
		}
	}'
}
ALL_SPECS="ema:3 macd:2,4,2 rsi:3 vwap atr:3 bbands:4,2 sma:3 wma:4 \
    stddev:3 highest:3 lowest:4 slope:3"

test_expect_success 'an updated bar replaces the last: values as if alone' '
	upd_gen all >upd-all &&
	upd_gen final >upd-final &&
	test_line_count = 100 upd-all &&
	test_line_count = 80 upd-final &&
	liu-ta -v --exact $ALL_SPECS <upd-all >out-all 2>err &&
	liu-ta --exact $ALL_SPECS <upd-final >out-final &&
	grep -v "\"orig\":1" out-all >out-replaced &&
	test_cmp out-final out-replaced &&
	test_grep "^liu-ta: 100 lines, 100 bars, 2 series, 0 bad, 20 replaced" \
	    err &&
	grep "\"orig\":1" out-all >out-orig &&
	test_line_count = 20 out-orig &&
	test_grep "\"slope3\":-*[0-9]" out-final &&
	test_grep "\"updated\":true" out-final
'

test_expect_success 'a same-time bar not updated is still a bad line' '
	printf "%s\n" "$BAR1" "$(echo "$BAR1" | sed "s/}/,\"updated\":false}/")" |
	    bad_case in-upd &&
	test_expect_code 1 liu-ta sma:2 <in-upd >out 2>err &&
	test_cmp expect2 out &&
	test_grep "<stdin>:2: bar time not after the previous A 1m bar" err &&
	test_grep "<stdin>:3: bar time not after the previous A 1m bar" err
'

test_expect_success 'an updated bar older than the last passes unchanged' '
	UPD1=$(echo "$BAR1" | sed "s/\"c\":10/\"c\":10,\"updated\":true/") &&
	printf "%s\n" "$BAR1" "$BAR2" "$UPD1" >in-old &&
	liu-ta -v sma:2 <in-old >out 2>err &&
	printf "%s\n" "$OUT1" "$OUT2" "$UPD1" >expect-old &&
	test_cmp expect-old out &&
	test_grep "0 bad, 0 replaced, 1 too old to replace" err
'

test_expect_success 'invalid UTF-8 and NUL bytes' '
	{
		printf "{\"ev\":\"bar\",\"t\":\"2024-03-01T14:30:30Z\",\"sym\":\"A\\377\",\"o\":1,\"h\":1,\"l\":1,\"c\":1,\"v\":1}\n" &&
		printf "{\"ev\":\"bar\",\"t\":\"2024-03-01T14:30:30Z\",\"sym\":\"A\",\"o\":1,\0\"h\":1}\n"
	} | bad_case in8 &&
	test_expect_code 1 liu-ta sma:2 <in8 >out 2>err &&
	test_cmp expect2 out &&
	test_grep "<stdin>:2: bad event" err &&
	test_grep "<stdin>:3: bad event" err &&
	test_grep "skipped 2 bad lines" err
'

test_expect_success 'binary junk is reported, never crashes' '
	{ liu_random_bytes 200000 && echo; } | bad_case in9 &&
	test_expect_code 1 liu-ta sma:2 <in9 >out 2>err &&
	test_cmp expect2 out &&
	test_grep "skipped" err
'

test_expect_success 'a 10 MiB line is skipped in bounded memory' '
	liu_long_line 10485760 | bad_case in10 &&
	test_expect_code 1 /usr/bin/time -f %M -o rss liu-ta sma:2 \
	    <in10 >out 2>err &&
	test_cmp expect2 out &&
	test_grep "^liu-ta: <stdin>:2: line too long" err &&
	test_grep "skipped 1 bad line" err &&
	# peak RSS in KiB over that of a tiny input: the 1 MiB line cap and
	# a read chunk, not the 10 MiB line (sanitizers add their own share)
	/usr/bin/time -f %M -o rss0 liu-ta sma:2 <expect2 >/dev/null &&
	test $(( $(tail -n1 rss) - $(tail -n1 rss0) )) -lt 6000
'

test_expect_success '--strict stops at the first bad line' '
	printf "%s\n" "oops" | bad_case in11 &&
	test_expect_code 1 liu-ta --strict sma:2 <in11 >out 2>err &&
	echo "$OUT1" >exp1 &&
	test_cmp exp1 out &&
	test_grep "^liu-ta: <stdin>:2: bad event" err &&
	test_grep "stopped at the first bad line" err
'

test_expect_success '--max-bad N stops after N bad lines' '
	printf "%s\n" x y z w | bad_case in12 &&
	test_expect_code 1 liu-ta --max-bad 2 sma:2 <in12 >out 2>err &&
	test_grep "<stdin>:3:" err &&
	test_grep ! "<stdin>:4:" err &&
	test_grep "stopped after 2 bad lines" err
'

test_expect_success '-v reports counters' '
	liu-ta -v sma:3 <in.ndjson >out 2>err &&
	test_grep "^liu-ta: 11 lines, 9 bars, 3 series, 0 bad" err
'

test_expect_success '| head -n1 ends liu-ta quietly with SIGPIPE' '
	liu-stream synth --max --symbols 50 --types bar --events 300000 >many &&
	{ liu-ta sma:3 macd <many 2>err; echo $? >status; } | head -n1 >out &&
	test_line_count = 1 out &&
	test "$(cat status)" = 141 &&
	test_line_count = 0 err
'

test_expect_success 'SIGTERM flushes whole lines and exits 143' '
	mkfifo fifo &&
	{ liu-ta sma:3 rsi <fifo >sig.out 2>err & } &&
	pid=$! &&
	{ liu-stream synth --rate 5000 --symbols 500 --types bar \
	    >fifo 2>/dev/null & } &&
	spid=$! &&
	liu_wait_for_file sig.out 60 &&
	sleep 0.3 &&
	kill -TERM $pid &&
	{ wait $pid; echo $? >status; } &&
	{ kill $spid 2>/dev/null; wait $spid; true; } &&
	test "$(cat status)" = 143 &&
	test -s sig.out &&
	test "$(tail -c1 sig.out | od -An -c | tr -d " ")" = "\\n" &&
	jq -e -s "all(.[]; has(\"sma3\") and has(\"rsi14\"))" sig.out >/dev/null
'

test_expect_success 'the AAPL session: values agree with the references' '
	awk -F, "NR > 1 { printf \"{\\\"ev\\\":\\\"bar\\\",\\\"t\\\":\\\"%s\\\",\\\"sym\\\":\\\"AAPL\\\",\\\"o\\\":%s,\\\"h\\\":%s,\\\"l\\\":%s,\\\"c\\\":%s,\\\"v\\\":%s}\\n\", \$1, \$2, \$3, \$4, \$5, \$6 }" \
	    "$TEST_DATA/ind-aapl-ohlcv.csv" >aapl.ndjson &&
	test_line_count = 392 aapl.ndjson &&
	liu-ta rsi:14 macd <aapl.ndjson >out &&
	jq -r "[.rsi14, .macd, .macd_signal, .macd_hist]
	    | map(if . == null then \"\" else tostring end) | join(\",\")" \
	    out >got &&
	sed "s/^[0-9]*,\{0,1\}//" "$TEST_DATA/ind-ref-rsi14.csv" >r &&
	sed "s/^[0-9]*,\{0,1\}//" "$TEST_DATA/ind-ref-macd.csv" >m &&
	paste -d, r m | sed "s/^,$/,,,/" >want &&
	awk -F, "NR == FNR { for (i = 1; i <= NF; i++) w[FNR, i] = \$i; next }
	    { for (i = 1; i <= 4; i++) {
		g = \$i; x = w[FNR, i]
		if ((g == \"\") != (x == \"\")) { print FNR \": \" \$0; bad = 1 }
		else if (g != \"\" && (g - x > 1e-9 * (x < 0 ? -x : x) + 1e-12 ||
		    x - g > 1e-9 * (x < 0 ? -x : x) + 1e-12)) {
			print FNR \": \" g \" vs \" x; bad = 1 }
	    } } END { exit bad }" want got
'

# The references are derived by t/data/ind-ref.py, never by liu-ta: run it
# on a copy (it writes next to itself) and want the committed files, all
# of them and no others.
test_skip_unless_have python3
test_expect_success 't/data/ind-ref-*.csv are what ind-ref.py makes of the bars' '
	mkdir ref &&
	cp "$TEST_DATA/ind-ref.py" "$TEST_DATA/ind-aapl-ohlcv.csv" ref/ &&
	python3 ref/ind-ref.py &&
	(cd ref && ls ind-ref-*.csv) >made &&
	(cd "$TEST_DATA" && ls ind-ref-*.csv) >committed &&
	test_cmp committed made &&
	test_line_count -ge 19 made &&
	while read f
	do
		test_cmp "$TEST_DATA/$f" "ref/$f" || exit 1
	done <made
'

test_done
