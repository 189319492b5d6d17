#!/bin/sh
test_description='liu-stream replay and synth, and the liu dispatcher'
. "$(dirname "$0")/test-lib.sh"

AAPL=$SRC_DIR/data/aapl-2012-01-26-1m.ndjson

test_expect_success 'setup: hand-made event files' '
	cat >a.ndjson <<-\E &&
	{"ev":"trade","t":"2024-03-01T14:30:00Z","sym":"A","price":10,"size":1}
	{"ev":"trade","t":"2024-03-01T14:30:02Z","sym":"A","price":11,"size":1}
	{"ev":"trade","t":"2024-03-01T14:30:04Z","sym":"A","price":12,"size":1}
	E
	cat >b.ndjson <<-\E &&
	{"ev":"quote","t":"2024-03-01T14:30:01Z","sym":"B","bid":1,"ask":2}
	{"ev":"trade","t":"2024-03-01T14:30:02Z","sym":"B","price":5,"size":3}
	{"ev":"news","t":"2024-03-01T14:30:03.5Z","headline":"x"}
	E
	test_line_count = 3 a.ndjson &&
	test_line_count = 3 b.ndjson
'

test_expect_success '--help prints the usage and exits 0' '
	liu-stream --help >out &&
	test_grep "usage: liu-stream replay" out &&
	liu-stream replay --help >out2 && test_cmp out out2
'

test_expect_success '--version' '
	liu-stream --version >out && test_grep "^liu-stream [0-9]" out
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 liu-stream &&
	test_expect_code 2 liu-stream nosuch 2>err &&
	test_grep "liu-stream: unknown source" err &&
	test_expect_code 2 liu-stream replay --speed x a.ndjson &&
	test_expect_code 2 liu-stream replay --from yesterday a.ndjson &&
	test_expect_code 2 liu-stream synth --types trades
'

test_expect_success 'replay --max copies a file unchanged' '
	liu-stream replay --max "$AAPL" >out &&
	test_cmp "$AAPL" out
'

test_expect_success 'replay --validate re-formats to the same bytes' '
	liu-stream replay --max --validate "$AAPL" >out &&
	test_cmp "$AAPL" out
'

test_expect_success 'replay merges files by event time, ties in argument order' '
	cat >exp <<-\E &&
	{"ev":"trade","t":"2024-03-01T14:30:00Z","sym":"A","price":10,"size":1}
	{"ev":"quote","t":"2024-03-01T14:30:01Z","sym":"B","bid":1,"ask":2}
	{"ev":"trade","t":"2024-03-01T14:30:02Z","sym":"A","price":11,"size":1}
	{"ev":"trade","t":"2024-03-01T14:30:02Z","sym":"B","price":5,"size":3}
	{"ev":"news","t":"2024-03-01T14:30:03.5Z","headline":"x"}
	{"ev":"trade","t":"2024-03-01T14:30:04Z","sym":"A","price":12,"size":1}
	E
	liu-stream replay --max a.ndjson b.ndjson >out &&
	test_cmp exp out
'

test_expect_success 'replay reads standard input' '
	liu-stream replay --max <a.ndjson >out && test_cmp a.ndjson out &&
	liu-stream replay --max - <a.ndjson >out && test_cmp a.ndjson out
'

test_expect_success '--from/--to is a half-open window' '
	liu-stream replay --max --from 2024-03-01T14:30:01Z \
		--to 2024-03-01T14:30:04Z a.ndjson b.ndjson >out &&
	test_line_count = 4 out &&
	head -n1 out | grep -q "14:30:01Z" &&
	tail -n1 out | grep -q "14:30:03.5Z"
'

test_expect_success '--symbols keeps those symbols and events without one' '
	liu-stream replay --max --symbols B,C a.ndjson b.ndjson >out &&
	test_line_count = 3 out &&
	test_grep ! "\"sym\":\"A\"" out &&
	test_grep "news" out
'

test_expect_success '--speed paces by event time' '
	start=$(date +%s%N) &&
	liu-stream replay --speed 10 a.ndjson >out &&
	end=$(date +%s%N) &&
	test_cmp a.ndjson out &&
	# 4 s of events at 10x: at least 0.35 s
	test $(( (end - start) / 1000000 )) -ge 350
'

test_expect_success 'CRLF, empty lines and lines of blanks are accepted' '
	printf "{\"ev\":\"x\",\"t\":\"2024-03-01T14:30:00Z\"}\r\n\r\n\n \t \r\n\t\n   \n{\"ev\":\"y\",\"t\":\"2024-03-01T14:30:01Z\"}\r\n" >crlf &&
	liu-stream replay --max --strict crlf >out 2>err &&
	test_line_count = 2 out && test_line_count = 0 err &&
	test_grep ! "$(printf "\r")" out
'

test_expect_success 'white space with a carriage return inside is a bad line' '
	printf " \r \n\r\r\n" >cr &&
	test_expect_code 1 liu-stream replay --max cr >out 2>err &&
	test_must_be_empty out &&
	test_grep "^liu-stream: cr:1: bad event: empty line" err &&
	test_grep "^liu-stream: cr:2: bad event: empty line" err
'

test_expect_success 'a last line without newline is read' '
	printf "%s" "{\"ev\":\"x\",\"t\":\"2024-03-01T14:30:00Z\"}" >nonl &&
	liu-stream replay --max nonl >out &&
	test_line_count = 1 out
'

# bad.ndjson: good lines around every kind of bad one
{
	echo '{"ev":"trade","t":"2024-03-01T14:30:00Z","sym":"A","price":1,"size":1}'
	echo '{"ev":"trade","t":"2024-03-01T14:30:01Z","sym":"A","price":1.2.3}'
	echo '[1,2,3]'
	echo '42'
	echo '{"t":"2024-03-01T14:30:02Z","sym":"A"}'
	echo '{"ev":"trade","sym":"A"}'
	echo '{"ev":"trade","t":1709303400,"sym":"A"}'
	printf '{"ev":"x","t":"2024-03-01T14:30:03Z","s":"\377\376"}\n'
	printf '{"ev":"x",\000"t":"2024-03-01T14:30:03Z"}\n'
	echo '{"ev":"trade","t":"2024-03-01T14:30:04Z","sym":"A","price":2,"size":1}'
	printf '{"ev":"trade","t":"2024-03-01T14:30:05Z","sym":"A","pri'
} >bad.ndjson

test_expect_success 'bad lines are reported with source and line, good ones kept' '
	test_expect_code 1 liu-stream replay --max bad.ndjson >out 2>err &&
	test_line_count = 2 out &&
	head -n1 out | grep -q "14:30:00Z" &&
	tail -n1 out | grep -q "14:30:04Z" &&
	test_grep "^liu-stream: bad.ndjson:2: bad event: malformed JSON" err &&
	test_grep "^liu-stream: bad.ndjson:3: bad event: not a JSON object" err &&
	test_grep "^liu-stream: bad.ndjson:4: bad event: not a JSON object" err &&
	test_grep "^liu-stream: bad.ndjson:5: bad event: missing \"ev\"" err &&
	test_grep "^liu-stream: bad.ndjson:6: bad event: missing \"t\"" err &&
	test_grep "^liu-stream: bad.ndjson:7: bad event: bad time" err &&
	test_grep "^liu-stream: bad.ndjson:8: bad event: invalid UTF-8" err &&
	test_grep "^liu-stream: bad.ndjson:9: bad event: malformed JSON" err &&
	test_grep "^liu-stream: bad.ndjson:11: bad event: truncated JSON" err &&
	test_grep "^liu-stream: skipped 9 bad lines" err
'

test_expect_success '--validate checks field types' '
	cat >typed <<-\E &&
	{"ev":"trade","t":"2024-03-01T14:30:00Z","sym":"A","price":"1","size":1}
	{"ev":"fill","t":"2024-03-01T14:30:00Z","sym":"A","id":"o1","side":"up","qty":1,"price":1}
	{"ev":"bar","t":"2024-03-01T14:30:00Z","sym":"A","o":1,"h":1,"l":1,"c":1}
	{"ev":"trade","t":"2024-03-01T14:30:00Z","sym":"A","price":1,"size":1}
	E
	test_expect_code 1 liu-stream replay --max --validate typed >out 2>err &&
	test_line_count = 1 out &&
	test_grep "typed:1: bad event: \"price\" is not a number" err &&
	test_grep "typed:2: bad event: bad \"side\"" err &&
	test_grep "typed:3: bad event: missing \"v\"" err
'

test_expect_success '--strict stops at the first bad line, keeping what came before' '
	test_expect_code 1 liu-stream replay --max --strict bad.ndjson >out 2>err &&
	test_line_count = 1 out &&
	test_grep "bad.ndjson:2:" err &&
	test_grep ! "bad.ndjson:3:" err
'

test_expect_success '--max-bad N stops after N bad lines' '
	test_expect_code 1 liu-stream replay --max --max-bad 3 bad.ndjson >out 2>err &&
	test_grep "bad.ndjson:4:" err &&
	test_grep ! "bad.ndjson:5:" err &&
	test_grep "stopped after 3 bad lines" err
'

test_expect_success 'a 10 MiB line is rejected in bounded memory' '
	{
		head -n1 a.ndjson &&
		liu_long_line 10485760 &&
		tail -n1 a.ndjson
	} >long.ndjson &&
	test_expect_code 1 /usr/bin/time -f %M -o rss \
		liu-stream replay --max long.ndjson >out 2>err &&
	/usr/bin/time -f %M -o rss0 liu-stream replay --max a.ndjson >/dev/null &&
	test_line_count = 2 out &&
	test_grep "^liu-stream: long.ndjson:2: line too long" err &&
	test_grep "skipped 1 bad line" err &&
	# peak RSS in KiB over that of a small file: the 1 MiB cap and one
	# read chunk, not the 10 MiB line (sanitizers add their own share)
	test $(( $(tail -n1 rss) - $(tail -n1 rss0) )) -lt 6000
'

test_expect_success 'binary junk is reported, never crashes' '
	{
		head -n1 a.ndjson &&
		liu_random_bytes 200000 &&
		printf "\n" &&
		tail -n1 a.ndjson
	} >junk.ndjson &&
	test_expect_code 1 liu-stream replay --max junk.ndjson >out 2>err &&
	head -n1 out | grep -q "14:30:00Z" &&
	tail -n1 out | grep -q "14:30:04Z" &&
	test_grep "skipped" err
'

test_expect_success 'a missing file is a system error, other files still play' '
	test_expect_code 3 liu-stream replay --max nosuch a.ndjson >out 2>err &&
	test_grep "^liu-stream: cannot open .nosuch.: No such file" err &&
	test_cmp a.ndjson out
'

test_expect_success 'synth is reproducible and marked synthetic' '
	liu-stream synth --max --symbols 5 --seed 7 --events 2000 >s1 &&
	liu-stream synth --max --symbols 5 --seed 7 --events 2000 >s2 &&
	liu-stream synth --max --symbols 5 --seed 8 --events 2000 >s3 &&
	test_cmp s1 s2 &&
	! cmp -s s1 s3 &&
	test_line_count = 2000 s1 &&
	test $(grep -c "\"synthetic\":true}$" s1) -eq 2000 &&
	liu-stream replay --max --validate --strict s1 >s1v &&
	test_cmp s1 s1v
'

test_expect_success 'synth --types and the event mix' '
	liu-stream synth --max --symbols 3 --types bar --events 30 >bars &&
	test $(grep -c "\"ev\":\"bar\"" bars) -eq 30 &&
	liu-stream synth --max --symbols 3 --types trade --events 30 >tr &&
	test $(grep -c "\"ev\":\"trade\"" tr) -eq 30 &&
	liu-stream synth --max --symbols 3 --duration 3m --rate 10 >mix &&
	test_grep "\"ev\":\"quote\"" mix && test_grep "\"ev\":\"bar\"" mix &&
	test $(jq -s "[.[] | select(.ev == \"bar\")] | length" mix) -ge 3
'

test_expect_success 'synth: --events is exact, the last minute has its bars' '
	liu-stream synth --max --events 61 --rate 1 --symbols 2 >capped &&
	test_line_count = 61 capped &&
	liu-stream synth --max --duration 3m --rate 1 --symbols 2 >full &&
	test $(grep -c "\"ev\":\"bar\"" full) -eq 6 &&
	grep "\"ev\":\"bar\"" full | tail -n1 | grep -q "14:32:00Z" &&
	liu-stream synth --max --types bar --symbols 2 --events 4 \
		--start 2024-01-02T14:30:30Z >b &&
	head -n1 b | grep -q "\"t\":\"2024-01-02T14:31:00Z\"" &&
	tail -n1 b | grep -q "\"t\":\"2024-01-02T14:32:00Z\""
'

# ny_minutes DAY[@HH:MM]...: the start of every minute of these New York
# sessions, 09:30 to the close (16:00 unless given), in UTC RFC 3339, from
# python's zoneinfo: an independent clock.  The days are chosen by hand.
ny_minutes () {
	python3 -c '
import sys, datetime as dt
from zoneinfo import ZoneInfo
ny = ZoneInfo("America/New_York")
for a in sys.argv[1:]:
	day, _, close = a.partition("@")
	y, m, d = map(int, day.split("-"))
	hh, mm = map(int, (close or "16:00").split(":"))
	t = dt.datetime(y, m, d, 9, 30, tzinfo=ny)
	while t < dt.datetime(y, m, d, hh, mm, tzinfo=ny):
		print(t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
		t += dt.timedelta(minutes=1)
' "$@"
}

test_skip_unless_have python3
test_expect_success 'synth bars follow the New York sessions, minute by minute' '
	# Friday 2024-11-22 + 10d: Thanksgiving (28th) closed, the 29th
	# closes at 13:00; the open of Monday, December 2 is excluded
	liu-stream synth --max --types bar --symbols 1 \
		--start 2024-11-22T14:30:00Z --duration 10d >nov &&
	ny_minutes 2024-11-22 2024-11-25 2024-11-26 2024-11-27 \
		2024-11-29@13:00 >exp &&
	jq -r .t nov >got && test_cmp exp got &&
	# from midnight on Monday, July 1: the open; July 3 closes at 13:00,
	# July 4 is closed; 5d of New York clock ends at the open of the 6th
	liu-stream synth --max --types bar --symbols 1 \
		--start 2024-07-01T00:00:00Z --duration 5d >jul &&
	ny_minutes 2024-07-01 2024-07-02 2024-07-03@13:00 2024-07-05 >exp &&
	jq -r .t jul >got && test_cmp exp got &&
	# across the change to daylight saving time (Sunday, March 10):
	# 14:30-21:00Z, then 13:30-20:00Z; 10d ends at 09:30 New York time
	# on the 18th, 13:30Z, not an hour into that session
	liu-stream synth --max --types bar --symbols 1 \
		--start 2024-03-08T12:00:00Z --duration 10d >mar &&
	ny_minutes 2024-03-08 2024-03-11 2024-03-12 2024-03-13 \
		2024-03-14 2024-03-15 >exp &&
	jq -r .t mar >got && test_cmp exp got &&
	head -n1 got | grep -q "^2024-03-08T14:30:00Z$" &&
	tail -n1 got | grep -q "^2024-03-15T19:59:00Z$"
'

test_skip_unless_have python3
test_expect_success 'synth trades and quotes over 10d: sessions only, bars at each close' '
	liu-stream synth --max --rate 0.05 --symbols 2 --seed 3 \
		--start 2024-11-22T14:30:00Z --duration 10d >ticks &&
	# an event every 20 s: every session minute has one, no other
	ny_minutes 2024-11-22 2024-11-25 2024-11-26 2024-11-27 \
		2024-11-29@13:00 | cut -c1-16 >exp &&
	jq -r .t ticks | cut -c1-16 | sort -u >got &&
	test_cmp exp got &&
	test $(grep -c "\"ev\":\"trade\"" ticks) -gt 1000 &&
	# the last minute of a session has its bars before the next open
	jq -r .t ticks | cut -c1-10 | sort -c &&
	jq -r "select(.ev == \"trade\") | .sym + .t[0:16]" ticks |
		sort -u >traded &&
	jq -r "select(.ev == \"bar\") | .sym + .t[0:16]" ticks | sort >barred &&
	test_cmp traded barred &&
	grep "\"ev\":\"bar\"" ticks | tail -n1 | grep -q "2024-11-29T17:59:00Z"
'

test_expect_success 'synth: a start outside a session is the next open' '
	cat >exp <<-\E &&
	2024-07-05T13:30:00Z
	2024-07-08T13:30:00Z
	2024-07-08T13:30:00Z
	2024-11-29T14:30:00Z
	2024-01-02T14:30:00Z
	E
	for s in 2024-07-04T00:00:00Z 2024-07-06T12:00:00Z \
		2024-07-05T20:00:00Z 2024-11-28T15:00:00Z 2023-12-29T21:00:00Z
	do
		liu-stream synth --max --types bar --symbols 1 --events 1 \
			--start $s || return 1
	done >out &&
	jq -r .t out >got &&
	test_cmp exp got &&
	liu-stream synth --max --types trade --symbols 1 --events 1 \
		--start 2024-07-04T15:00:00.5Z | grep -q "2024-07-05T13:30:00Z"
'

test_expect_success 'synth: 10d from a Friday has no weekend, a holiday has none' '
	liu-stream synth --max --types bar --symbols 3 --seed 4 \
		--start 2024-06-28T13:30:00Z --duration 10d >ten &&
	jq -r .t ten | cut -c1-10 | uniq >days &&
	cat >exp <<-\E &&
	2024-06-28
	2024-07-01
	2024-07-02
	2024-07-03
	2024-07-05
	E
	test_cmp exp days &&
	while read d
	do
		case $(date -u -d "$d" +%u) in 6|7) return 1 ;; esac
	done <days &&
	test $(grep -c "\"t\":\"2024-07-03T" ten) -eq $((210 * 3)) &&
	test $(grep -c "\"t\":\"2024-07-05T" ten) -eq $((390 * 3)) &&
	# a Friday open and 2d: that session alone, the weekend is empty
	liu-stream synth --max --types bar --symbols 1 \
		--start 2024-06-28T13:30:00Z --duration 2d >two &&
	test_line_count = 390 two &&
	tail -n1 two | grep -q "\"t\":\"2024-06-28T19:59:00Z\""
'

test_expect_success 'synth within one session: a plain stretch from --start' '
	liu-stream synth --max --types trade --symbols 1 \
		--start 2024-01-02T15:00:00Z --duration 10m --rate 1 >short &&
	test_line_count = 600 short &&
	head -n1 short | grep -q "\"t\":\"2024-01-02T15:00:00Z\"" &&
	tail -n1 short | grep -q "\"t\":\"2024-01-02T15:09:59Z\"" &&
	# running past the close stops at the close
	liu-stream synth --max --types trade --symbols 1 \
		--start 2024-01-02T20:50:00Z --duration 1h --rate 1 >late &&
	test_line_count = 600 late &&
	tail -n1 late | grep -q "\"t\":\"2024-01-02T20:59:59Z\""
'

test_expect_success 'synth over 22d: reproducible, canonical, holidays and early close kept' '
	liu-stream synth --max --rate 0.2 --symbols 3 --seed 9 \
		--start 2024-12-20T14:30:00Z --duration 22d >d1 &&
	liu-stream synth --max --rate 0.2 --symbols 3 --seed 9 \
		--start 2024-12-20T14:30:00Z --duration 22d >d2 &&
	test_cmp d1 d2 &&
	liu-stream replay --max --validate --strict d1 >d1v &&
	test_cmp d1 d1v &&
	test_grep "\"t\":\"2024-12-24T17:59" d1 &&
	test_grep ! "\"t\":\"2024-12-24T18:" d1 &&
	test_grep ! "\"t\":\"2024-12-25T" d1 &&
	test_grep ! "\"t\":\"2025-01-01T" d1 &&
	test_grep ! "\"t\":\"2025-01-09T" d1 &&
	test_grep "\"t\":\"2025-01-10T" d1
'

test_expect_success 'synth names stay unique past 26^3 symbols' '
	liu-stream synth --max --types bar --symbols 20000 --events 20000 >many &&
	test $(jq -r .sym many | sort -u | wc -l) -eq 20000
'

test_expect_success 'synth bars are consistent (l <= o,c <= h, v > 0)' '
	liu-stream synth --max --symbols 4 --types bar --events 400 >bars &&
	jq -e -s "all(.[]; .l <= .o and .o <= .h and .l <= .c and .c <= .h and .v > 0)" bars
'

# Enough output that the writer must still be writing when head exits: far
# more than a pipe (64 KiB by default, at most pipe-max-size, 1 MiB here)
# and head's read.
test_expect_success 'synth | head -n1 ends quietly by SIGPIPE' '
	{ liu-stream synth --max --events 2000000 2>err; echo $? >status; } |
		head -n1 >out &&
	test_line_count = 1 out &&
	echo 141 >expect &&
	test_cmp expect status &&
	test_must_be_empty err
'

test_expect_success 'replay | head -n1 ends quietly by SIGPIPE' '
	liu-stream synth --max --events 40000 >big.ndjson &&
	test $(wc -c <big.ndjson) -gt 4000000 &&
	{ liu-stream replay --max big.ndjson 2>err; echo $? >status; } |
		head -n1 >out &&
	test_line_count = 1 out &&
	echo 141 >expect &&
	test_cmp expect status &&
	test_must_be_empty err
'

test_expect_success 'SIGTERM flushes whole lines and exits 143' '
	liu-stream synth --rate 20000 --symbols 3 >term.out 2>err &
	pid=$! &&
	liu_wait_for_file term.out 60 &&
	sleep 0.3 &&
	kill -TERM $pid &&
	{ wait $pid; echo $? >status; } &&
	test "$(cat status)" = 143 &&
	test -s term.out &&
	test "$(tail -c1 term.out | od -An -c | tr -d " ")" = "\\n" &&
	liu-stream replay --max --strict --validate term.out >/dev/null
'

test_expect_success 'SIGINT during a paced replay exits 130' '
	liu-stream replay --speed 1 a.ndjson >paced &
	pid=$! &&
	liu_wait_for_file paced 60 &&
	kill -INT $pid &&
	{ wait $pid; echo $? >status; } &&
	test "$(cat status)" = 130 &&
	test_line_count = 1 paced
'

test_expect_success '--progress reports the count and the last event time' '
	liu-stream replay --max --progress "$AAPL" 2>err >/dev/null &&
	tr "\r" "\n" <err | grep . | tail -n1 >last &&
	echo "liu-stream: 392 events, at 2012-01-26T21:01:00Z" >exp &&
	test_cmp exp last &&
	liu-stream replay --max "$AAPL" 2>err >/dev/null &&
	test_line_count = 0 err
'

test_done
