#!/bin/sh
test_description='liu-route: sharding, merging, staleness, bad input

t/data/route-basic.ndjson has 36 trades over 12 symbols and one clock
event; route-basic.n3.shardK is what shard K of 3 must see, computed by
hand from FNV-1a 64 of the symbol (see the comment in this script).'
. "$(dirname "$0")/test-lib.sh"

# FNV-1a 64 of the symbol, modulo 3 (computed independently in Python):
# AAPL 0x89106b8b9f086ccb -> 1, MSFT -> 2, GOOG -> 0, SPY -> 0, INTC -> 1,
# AMZN TSLA NVDA META AMD IBM QQQ -> 2.

# gen N FIRSTSEC: N trades over 50 symbols, one second apart.
gen () {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			s = i % 86400
			printf "{\"ev\":\"trade\",\"t\":\"2024-01-%02dT%02d:%02d:%02dZ\"," \
			    "\"sym\":\"S%d\",\"price\":%d.25,\"size\":%d}\n",
			    2 + int(i / 86400), int(s / 3600), int(s / 60) % 60, s % 60,
			    i % 50, i, i % 7
		}
	}'
}

gen 3000 >many.ndjson
# -v's counters for a child that has ended
ended='pid [1-9][0-9]* exited with status 0'
gen 200000 >big.ndjson

test_expect_success '--help prints the usage and exits 0' '
	liu-route --help >out &&
	grep "^usage: liu-route -n N" out &&
	grep "liu-route(1)" out
'

test_expect_success '--version' '
	liu-route --version >out &&
	grep "^liu-route [0-9]" out
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 liu-route cat </dev/null 2>err &&
	grep "usage:" err &&
	test_expect_code 2 liu-route -n 2 </dev/null 2>err &&
	grep "no command" err &&
	test_expect_code 2 liu-route -n 0 cat </dev/null &&
	test_expect_code 2 liu-route -n x cat </dev/null &&
	test_expect_code 2 liu-route -n 2 --on-full maybe cat </dev/null &&
	test_expect_code 2 liu-route -n 2 --clock moon cat </dev/null &&
	test_expect_code 2 liu-route -n 2 -l 5parsecs cat </dev/null &&
	test_expect_code 2 liu-route -n 2 --queue 0 cat </dev/null &&
	test_expect_code 2 liu-route -n 2 --bogus cat </dev/null
'

test_expect_success 'each shard sees exactly its symbols (golden, -n 3)' '
	liu-route -n 3 sh -c "cat >shard.\$LIU_SHARD" \
	    <"$TEST_DATA/route-basic.ndjson" >out &&
	test_must_be_empty out &&
	test_cmp "$TEST_DATA/route-basic.n3.shard0" shard.0 &&
	test_cmp "$TEST_DATA/route-basic.n3.shard1" shard.1 &&
	test_cmp "$TEST_DATA/route-basic.n3.shard2" shard.2
'

test_expect_success 'the clock event goes to every shard' '
	grep -c "\"ev\":\"clock\"" shard.0 shard.1 shard.2 >counts &&
	cat >expect <<-\EOF &&
	shard.0:1
	shard.1:1
	shard.2:1
	EOF
	test_cmp expect counts
'

test_expect_success '{} in ARGS is the shard; LIU_SHARD(S) are set' '
	liu-route -n 3 sh -c "cat >/dev/null; echo \$0 \$LIU_SHARD/\$LIU_SHARDS" \
	    "a{}b{}" <"$TEST_DATA/route-basic.ndjson" | sort >out &&
	cat >expect <<-\EOF &&
	a0b0 0/3
	a1b1 1/3
	a2b2 2/3
	EOF
	test_cmp expect out
'

test_expect_success 'options after COMMAND belong to it' '
	echo "{\"ev\":\"x\",\"t\":\"2024-01-02T00:00:00Z\"}" |
	liu-route -n 1 sed -n -e "s/x/y/p" >out &&
	grep "\"ev\":\"y\"" out
'

test_expect_success 'liu-route -n N cat gives back the input lines, N = 1..16' '
	sort many.ndjson >expect &&
	for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16
	do
		liu-route -n $n cat <many.ndjson >out.$n &&
		sort out.$n >sorted &&
		test_cmp expect sorted || return 1
	done
'

test_expect_success 'the lines each shard sees are the same on every run' '
	for run in 1 2 3
	do
		mkdir run$run &&
		(cd run$run &&
		 liu-route -n 5 sh -c "cat >out.\$LIU_SHARD" <../big.ndjson) &&
		for k in 0 1 2 3 4
		do
			sort run$run/out.$k >run$run/sorted.$k || return 1
		done || return 1
	done &&
	for k in 0 1 2 3 4
	do
		test_cmp run1/sorted.$k run2/sorted.$k &&
		test_cmp run1/sorted.$k run3/sorted.$k || return 1
	done
'

test_expect_success 'a symbol always meets the same shard' '
	for k in 0 1 2 3 4
	do
		sed -e "s/.*\"sym\":\"\\([^\"]*\\)\".*/\\1 $k/" run1/out.$k
	done | sort -u >pairs &&
	cut -d" " -f1 pairs | sort | uniq -d >dups &&
	test_must_be_empty dups &&
	test_line_count = 50 pairs
'

test_expect_success 'no descriptor leaks into the children' '
	liu-route -n 3 sh -c "cat >/dev/null; ls /proc/\$\$/fd" \
	    <"$TEST_DATA/route-basic.ndjson" 3<many.ndjson 7>junk >out &&
	sort -u out >fds &&
	printf "%s\n" 0 1 2 >expect &&
	test_cmp expect fds
'

# each child answers every input line with one 100 KiB line of its digit
test_expect_success 'lines of 100 KiB from 4 children never interleave' '
	liu-route -n 4 perl -ne "print \"{}\" x 102400, \"\\n\"" \
	    <many.ndjson >out &&
	test_line_count = 3000 out &&
	awk "length(\$0) != 102400 || \$0 !~ /^(0+|1+|2+|3+)\$/ { bad++ }
	    END { exit bad > 0 }" out
'

test_expect_success 'a last line without a newline from a child gets one' '
	echo "{\"ev\":\"x\",\"t\":\"2024-01-02T00:00:00Z\"}" |
	liu-route -n 2 sh -c "cat >/dev/null; printf tail\$LIU_SHARD" >out &&
	sort out >sorted &&
	printf "tail0\ntail1\n" >expect &&
	test_cmp expect sorted
'

test_expect_success 'a child line over --line-max is dropped and reported' '
	echo "{\"ev\":\"x\",\"t\":\"2024-01-02T00:00:00Z\"}" |
	test_expect_code 1 liu-route -n 1 perl -e "<STDIN>;
		print \"y\" x 2097152, \"\\n\"; print \"short\\n\"" \
	    >out 2>err &&
	echo short >expect &&
	test_cmp expect out &&
	grep "^liu-route: shard 0:[0-9]*: line too long" err
'

# Staleness.
cat >late.ndjson <<\EOF
{"ev":"trade","t":"2024-01-02T14:30:00Z","sym":"A","price":1}
{"ev":"trade","t":"2024-01-02T14:30:10Z","sym":"B","price":1}
{"ev":"trade","t":"2024-01-02T14:30:03Z","sym":"C","price":1}
{"ev":"trade","t":"2024-01-02T14:30:06Z","sym":"D","price":1}
{"ev":"bar","t":"2024-01-02T14:30:00Z","sym":"E","tf":"1m","o":1,"h":1,"l":1,"c":1,"v":1}
{"ev":"trade","t":"2024-01-02T14:31:09Z","sym":"F","price":1}
{"ev":"bar","t":"2024-01-02T14:30:00Z","sym":"G","o":1,"h":1,"l":1,"c":1,"v":1}
EOF

test_expect_success 'replayed data: the event clock drops only the out-of-order' '
	liu-route -n 1 -v cat <late.ndjson >out 2>err &&
	test_line_count = 5 out &&
	! grep "\"sym\":\"C\"" out &&
	! grep "\"sym\":\"G\"" out &&
	grep "\"sym\":\"E\"" out &&
	grep "C out of sync by 7.0s" err &&
	! grep "G out of sync" err &&
	grep "shard 0: $ended: 5 events, 2 late, .* max lag 9.000s" err
'

# Old by design: a backfill marked "hist":true, picks and drops.  The
# exempt events are older than any dropped one, so the max lag figure
# (9m10s = 550s, of the trade of L) shows that they are not counted.
cat >old.ndjson <<\EOF
{"ev":"trade","t":"2024-01-02T14:30:10Z","sym":"A","price":1}
{"ev":"bar","t":"2024-01-02T13:00:00Z","sym":"B","tf":"1m","o":1,"h":1,"l":1,"c":1,"v":1,"hist":true}
{"ev":"pick","t":"2024-01-02T13:00:00Z","sym":"C","scanner":"x"}
{"ev":"drop","t":"2024-01-02T13:00:00Z","sym":"D"}
{"ev":"trade","t":"2024-01-02T13:00:00Z","sym":"E","price":1,"hist":true,"rt":"2024-01-02T14:30:11Z"}
{ "ev":"trade", "t":"2024-01-02T13:00:00Z", "sym":"F", "h\u0069st":true}
{"ev":"bar","t":"2024-01-02T14:20:00Z","sym":"G","o":1,"h":1,"l":1,"c":1,"v":1,"hist":false}
{"ev":"trade","t":"2024-01-02T14:21:00Z","sym":"H","price":1,"hist":true,"hist":null}
{"ev":"trade","t":"2024-01-02T14:21:00Z","sym":"I","scanner":"hist"}
{"ev":"trade","t":"2024-01-02T14:21:00Z","sym":"J","hist":"true"}
{"ev":"trade","t":"2024-01-02T14:21:00Z","sym":"K","x":{"hist":true}}
{"ev":"trade","t":"2024-01-02T14:21:00Z","sym":"L","price":1}
EOF

test_expect_success 'hist:true, pick and drop are never late, nor counted' '
	liu-route -n 1 -v cat <old.ndjson >out 2>err &&
	for s in A B C D E F; do
		grep "\"sym\":\"$s\"" out || return 1
	done &&
	test_line_count = 6 out &&
	grep "shard 0: $ended: 6 events, 6 late, .* max lag 550.000s" err &&
	! grep "[B-F] out of sync" err
'

test_expect_success 'they pass under the wall clock too' '
	liu-route -n 2 --clock wall cat <old.ndjson >out 2>err &&
	test_line_count = 5 out &&
	! grep "\"sym\":\"A\"" out
'

test_expect_success 'a bar ends after its tf, wherever "tf" is; null is 1m' '
	cat >tf.ndjson <<-\EOF &&
	{"ev":"trade","t":"2024-01-02T14:30:00Z","sym":"A","price":1}
	{"ev":"bar","t":"2024-01-02T14:28:00Z","sym":"B","o":1,"tf":"2m","h":1,"l":1,"c":1,"v":1}
	{"ev":"bar","t":"2024-01-02T14:29:00Z","sym":"C","tf":null,"o":1,"h":1,"l":1,"c":1,"v":1}
	{ "ev":"bar","t":"2024-01-02T14:25:00Z","sym":"D","tf":"5m","o":1,"h":1,"l":1,"c":1,"v":1}
	{"ev":"bar","t":"2024-01-02T14:28:00Z","sym":"E","tf":"1m","o":1,"h":1,"l":1,"c":1,"v":1}
	EOF
	liu-route -n 1 cat <tf.ndjson >out 2>err &&
	test_line_count = 4 out &&
	! grep "\"sym\":\"E\"" out &&
	grep "E out of sync by 60.0s" err
'

test_expect_success '--max-lag 0 drops nothing' '
	liu-route -n 2 --max-lag 0 cat <late.ndjson >out 2>err &&
	test_line_count = 7 out &&
	test_must_be_empty err
'

test_expect_success 'a wider --max-lag keeps more' '
	liu-route -n 2 -l 8s cat <late.ndjson >out &&
	test_line_count = 6 out
'

test_expect_success 'sorted replayed data loses nothing by default' '
	liu-route -n 4 cat <big.ndjson >out 2>err &&
	test_line_count = 200000 out &&
	test_must_be_empty err
'

test_expect_success '--clock wall drops old events and says so, rate-limited' '
	liu-route -n 1 --clock wall -v cat <late.ndjson >out 2>err &&
	test_must_be_empty out &&
	test_line_count = 3 err &&
	grep "shard 0: A out of sync by [0-9]*\.[0-9]s" err &&
	grep "shard 0: .* 7 late" err
'

test_expect_success 'live data (t now) passes under the auto clock' '
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ) &&
	printf "{\"ev\":\"trade\",\"t\":\"%s\",\"sym\":\"A\"}\n" $now \
	    $now $now >live.ndjson &&
	liu-route -n 2 -v cat <live.ndjson >out 2>err &&
	test_line_count = 3 out &&
	grep "clock wall" err
'

# Bad input.
cat >bad.ndjson <<\EOF
{"ev":"trade","t":"2024-01-02T14:30:00Z","sym":"A","price":1}
not json at all
{"t":"2024-01-02T14:30:00Z","sym":"A"}
{"ev":"trade","sym":"A"}
{"ev":"trade","t":1704205800,"sym":"A"}
{"ev":"trade","t":"yesterday","sym":"A"}
{"ev":"trade","t":"2024-01-02T14:30:00Z" "sym":"A","price":1}
{"ev":"trade","t":"2024-01-02T14:30:01Z","sym":"B","price":2}
EOF

test_expect_success 'bad lines are reported with their line and skipped' '
	test_expect_code 1 liu-route -n 2 cat <bad.ndjson >out 2>err &&
	test_line_count = 2 out &&
	grep "^liu-route: <stdin>:2: bad event: not a JSON object" err &&
	grep "^liu-route: <stdin>:3: bad event: missing \"ev\"" err &&
	grep "^liu-route: <stdin>:4: bad event: missing \"t\"" err &&
	grep "^liu-route: <stdin>:5: bad event: bad time in \"t\"" err &&
	grep "^liu-route: <stdin>:6: bad event: bad time" err &&
	grep "^liu-route: <stdin>:7: bad event: malformed JSON" err &&
	grep "^liu-route: skipped 6 bad lines" err
'

test_expect_success '--strict stops at the first bad line, exit 1' '
	test_expect_code 1 liu-route -n 2 --strict cat <bad.ndjson >out 2>err &&
	test_line_count = 1 out &&
	grep ":2: bad event" err &&
	! grep ":3:" err
'

test_expect_success '--max-bad stops after N bad lines' '
	test_expect_code 1 liu-route -n 2 --max-bad 3 cat <bad.ndjson \
	    >out 2>err &&
	grep ":4: bad event" err &&
	! grep ":5:" err &&
	grep "stopped after 3 bad lines" err
'

test_expect_success 'CRLF, empty lines and a last line without newline' '
	printf "{\"ev\":\"x\",\"t\":\"2024-01-02T00:00:00Z\",\"sym\":\"A\"}\r\n\n\r\n{\"ev\":\"x\",\"t\":\"2024-01-02T00:00:01Z\",\"sym\":\"B\"}" |
	liu-route -n 2 cat >out 2>err &&
	test_must_be_empty err &&
	sort out >sorted &&
	cat >expect <<-\EOF &&
	{"ev":"x","t":"2024-01-02T00:00:00Z","sym":"A"}
	{"ev":"x","t":"2024-01-02T00:00:01Z","sym":"B"}
	EOF
	test_cmp expect sorted
'

test_expect_success 'a truncated last line is a bad line' '
	printf "{\"ev\":\"x\",\"t\":\"2024-01-02T00:00:00Z\",\"sym\":\"A\"}\n{\"ev\":\"x\",\"t\":\"2024-01" |
	test_expect_code 1 liu-route -n 2 cat >out 2>err &&
	test_line_count = 1 out &&
	grep ":2: bad event" err
'

test_expect_success 'a 10 MiB line is skipped; the lines around it are not' '
	{
		echo "{\"ev\":\"x\",\"t\":\"2024-01-02T00:00:00Z\",\"sym\":\"A\"}" &&
		printf "{\"ev\":\"x\",\"t\":\"2024-01-02T00:00:00Z\",\"pad\":\"" &&
		liu_long_line 10485760 &&
		echo "{\"ev\":\"x\",\"t\":\"2024-01-02T00:00:01Z\",\"sym\":\"B\"}"
	} >long.ndjson &&
	test_expect_code 1 liu-route -n 2 cat <long.ndjson >out 2>err &&
	test_line_count = 2 out &&
	grep ":2: line too long" err
'

test_expect_success 'binary junk with NUL bytes is skipped' '
	{
		liu_random_bytes 100000 7 &&
		echo &&
		echo "{\"ev\":\"x\",\"t\":\"2024-01-02T00:00:00Z\",\"sym\":\"A\"}"
	} >junk.ndjson &&
	test_expect_code 1 liu-route -n 3 cat <junk.ndjson >out 2>err &&
	grep "\"sym\":\"A\"" out &&
	grep "skipped [0-9]* bad line" err
'

printf '{"ev":"x","t":"2024-01-02T00:00:00Z","sym":"A","s":"\377\376"}\n{"ev":"x","t":"2024-01-02T00:00:00Z","sym":"B","p":1.2.3}\n' >utf8.ndjson

test_expect_success 'without --validate, what is not read passes through' '
	liu-route -n 2 cat <utf8.ndjson >out &&
	test_line_count = 2 out
'

test_expect_success '--validate checks the whole line (invalid UTF-8, numbers)' '
	test_expect_code 1 liu-route -n 2 --validate cat <utf8.ndjson \
	    >out 2>err &&
	test_must_be_empty out &&
	grep ":1: bad event: .*UTF-8" err &&
	grep ":2: bad event" err
'

test_expect_success 'a wrong-typed sym is a bad line; --key picks another' '
	cat >key.ndjson <<-\EOF &&
	{"ev":"order","t":"2024-01-02T00:00:00Z","sym":"A","strategy":"s1"}
	{"ev":"order","t":"2024-01-02T00:00:00Z","sym":"B","strategy":"s1"}
	{"ev":"order","t":"2024-01-02T00:00:00Z","sym":"C","strategy":"s2"}
	{"ev":"order","t":"2024-01-02T00:00:00Z","sym":5,"strategy":"s2"}
	EOF
	test_expect_code 1 liu-route -n 2 sh -c "cat >k.\$LIU_SHARD" \
	    <key.ndjson 2>err &&
	grep "<stdin>:4: bad event: \"sym\" is not a string" err &&
	cat k.0 k.1 | grep -c "\"sym\":\"" >count &&
	echo 3 >expect &&
	test_cmp expect count &&
	sed 4d key.ndjson >key3.ndjson &&
	liu-route -n 4 -k strategy sh -c "cat >s.\$LIU_SHARD" <key3.ndjson &&
	for f in s.0 s.1 s.2 s.3
	do
		test $(grep -c s1 $f) = 0 || test $(grep -c s1 $f) = 2 || return 1
		test $(grep -c s2 $f) = 0 || test $(grep -c s2 $f) = 1 || return 1
	done
'

test_expect_success '| head -n1 ends liu-route with SIGPIPE (141)' '
	{ liu-route -n 2 cat <big.ndjson; echo $? >code; } | head -n 1 >out &&
	test_line_count = 1 out &&
	echo 141 >expect &&
	test_cmp expect code
'

# start_slow SECONDS ARGS...: liu-route ARGS in the background, fed the big
# file and then an open FIFO for SECONDS; $pid is liu-route itself.
start_slow () {
	rm -f in.fifo
	mkfifo in.fifo || return 1
	{ cat big.ndjson; sleep "$1"; } >in.fifo &
	shift
	liu-route "$@" <in.fifo >out 2>err &
	pid=$!
}

# wait_lines N FILE: until FILE has N lines (10 s at most).
wait_lines () {
	i=0
	while test $(wc -l <"$2") -lt "$1"
	do
		i=$((i + 1))
		test $i -gt 100 && return 1
		sleep 0.1
	done
}

test_expect_success 'SIGTERM mid-stream: whole lines out, exit 143' '
	start_slow 5 -n 3 cat &&
	wait_lines 200000 out &&
	kill -TERM $pid &&
	{ wait $pid; echo $? >code; } &&
	echo 143 >expect && test_cmp expect code &&
	sort out >sorted && sort big.ndjson >expect && test_cmp expect sorted
'

test_expect_success 'SIGTERM while reading: only whole lines' '
	start_slow 5 -n 3 cat &&
	sleep 0.2 &&
	kill -TERM $pid &&
	{ wait $pid; echo $? >code; } &&
	echo 143 >expect && test_cmp expect code &&
	grep -v -c "^{\"ev\":\"trade\".*}\$" out >bad;
	echo 0 >expect && test_cmp expect bad
'

test_expect_success 'SIGINT mid-stream: exit 130' '
	start_slow 5 -n 2 cat &&
	wait_lines 200000 out &&
	kill -INT $pid &&
	{ wait $pid; echo $? >code; } &&
	echo 130 >expect && test_cmp expect code
'

test_expect_success 'a second SIGINT ends it while a child lingers' '
	start_slow 5 -n 2 sh -c "cat >/dev/null; sleep 3" &&
	sleep 1 &&
	kill -INT $pid &&
	sleep 0.5 &&
	kill -0 $pid &&
	kill -INT $pid &&
	{ wait $pid; echo $? >code; } &&
	echo 130 >expect && test_cmp expect code
'

test_expect_success 'SIGUSR1 prints the counters and goes on' '
	start_slow 1 -n 2 cat &&
	wait_lines 200000 out &&
	kill -USR1 $pid &&
	{ wait $pid; echo $? >code; } &&
	echo 0 >expect && test_cmp expect code &&
	grep "^liu-route: shard 0: pid [1-9][0-9]*: [0-9]* events" err &&
	grep "^liu-route: shard 1: " err &&
	grep "^liu-route: input: 200000 events" err &&
	test_line_count = 200000 out
'

test_expect_success '-v prints per-shard counters at the end' '
	liu-route -n 3 -v cat <"$TEST_DATA/route-basic.ndjson" >out 2>err &&
	grep "^liu-route: shard 0: $ended: 7 events, 0 late" err &&
	grep "^liu-route: shard 1: $ended: 7 events, 0 late" err &&
	grep "^liu-route: shard 2: $ended: 25 events, 0 late" err &&
	grep "^liu-route: input: 37 events routed, 1 to every shard, 0 bad" err
'

# Each child writes its pid; the counters at the end name that pid and how
# it ended, not "pid 0".
test_expect_success '-v names the pid and the end of a shard that is gone' '
	liu-route -n 2 -v sh -c "echo \$\$ >pid.\$LIU_SHARD; exec cat" \
	    <"$TEST_DATA/route-basic.ndjson" >out 2>err &&
	grep "^liu-route: shard 0: pid $(cat pid.0) exited with status 0: " err &&
	grep "^liu-route: shard 1: pid $(cat pid.1) exited with status 0: " err &&
	rm -f pid.0 pid.1 &&
	test_expect_code 1 liu-route -n 2 -v sh -c "echo \$\$ >pid.\$LIU_SHARD
		test \$LIU_SHARD = 0 || kill -9 \$\$; exec cat" \
	    <"$TEST_DATA/route-basic.ndjson" >out 2>err &&
	grep "^liu-route: shard 0: pid $(cat pid.0) exited with status 0: " err &&
	grep "^liu-route: shard 1: pid $(cat pid.1) killed by signal 9: " err
'

# A closed standard descriptor is an I/O error, as in every program (see
# t0001); no pipe to a child may take its number.
test_expect_success 'standard output closed: a write error, exit 3' '
	test_expect_code 3 liu-route -n 2 -- cat \
	    <"$TEST_DATA/route-basic.ndjson" >&- 2>err &&
	test_grep "^liu-route: write error: Bad file descriptor\$" err
'

test_expect_success 'standard input closed: a read error, exit 3' '
	test_expect_code 3 liu-route -n 2 -- cat <&- >out 2>err &&
	test_grep "^liu-route: <stdin>: read error: Bad file descriptor\$" err &&
	test_must_be_empty out
'

test_expect_success 'an event without a symbol comes out once, whatever -n' '
	cat >bc.ndjson <<-\EOF &&
	{"ev":"note","t":"2024-01-02T14:30:00Z"}
	{"ev":"clock","t":"2024-01-02T14:30:00Z"}
	{"ev":"order_update","t":"2024-01-02T14:30:00Z","id":"zz","status":"new"}
	{"ev":"note","t":"2024-01-02T14:30:00Z","sym":"A"}
	EOF
	for n in 1 3 8
	do
		liu-route -n $n liu-ta sma:2 <bc.ndjson | sort >out.ta.$n &&
		sort bc.ndjson >expect &&
		test_cmp expect out.ta.$n &&
		liu-route -n $n liu-strategy momentum_long <bc.ndjson |
		sort >out.st.$n &&
		grep -v clock bc.ndjson | sort >expect &&
		test_cmp expect out.st.$n || return 1
	done
'

test_done
