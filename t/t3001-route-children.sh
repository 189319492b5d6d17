#!/bin/sh
test_description='liu-route: dying children, --restart, feedback FIFOs,
backpressure'
. "$(dirname "$0")/test-lib.sh"

# gen N [DAY]: N trades over 50 symbols, one second apart, on 2024-01-DAY.
gen () {
	awk -v n="$1" -v d="${2:-2}" 'BEGIN {
		for (i = 0; i < n; i++) {
			s = i % 86400
			printf "{\"ev\":\"trade\",\"t\":\"2024-01-%02dT%02d:%02d:%02dZ\"," \
			    "\"sym\":\"S%d\",\"price\":%d.25}\n", d + int(i / 86400),
			    int(s / 3600), int(s / 60) % 60, s % 60, i % 50, i
		}
	}'
}

gen 3000 >many.ndjson
gen 3000 5 >later.ndjson
gen 200000 >big.ndjson

# to_fills: copy standard input into the FIFO fills; give up after 60 s if
# no liu-route opens it, rather than hang.
to_fills () {
	timeout 60 sh -c 'cat >fills'
}

# fill SYM ID: a fill event.
fill () {
	printf '{"ev":"fill","t":"2024-01-02T00:00:00Z","sym":"%s","id":"%s"}\n' \
	    "$1" "$2"
}

# ./wait-go [FILE]: for shards to run: wait until FILE (default go) exists,
# at most 60 s.
cat >wait-go <<\EOF
#!/bin/sh
n=0
until test -e "${1:-go}" || test $n = 600
do
	sleep 0.1
	n=$((n + 1))
done
EOF
chmod +x wait-go

# shard_of SYM N: the shard liu-route -n N gives SYM, seen through cat.
shard_of () {
	printf '{"ev":"x","t":"2024-01-02T00:00:00Z","sym":"%s"}\n' "$1" |
	liu-route -n "$2" sh -c 'if read l; then echo $LIU_SHARD; fi
		cat >/dev/null'
}

test_expect_success 'a command that cannot run: exit 3, named' '
	test_expect_code 3 liu-route -n 2 ./no-such-command <many.ndjson \
	    2>err &&
	grep "^liu-route: shard 0: cannot run .\./no-such-command.: No such" err
'

test_expect_success 'a dying child: reported with shard and status, exit 1' '
	# the input stays open until liu-route has exited: it stops by itself
	{ cat many.ndjson; liu_wait_for_file code 60; } | {
		liu-route -n 3 sh -c "test \$LIU_SHARD = 1 && exit 7; cat" \
		    >out 2>err
		echo $? >code
	} &
	liu_wait_for_file code 60 &&
	echo 1 >expect &&
	test_cmp expect code &&
	grep "^liu-route: shard 1: .sh. exited with status 7$" err &&
	test_line_count -gt 0 out
'

test_expect_success 'the other shards are stopped and drained' '
	# with -n 3, S0 S7 S9 S10 are shard 1 (FNV-1a 64, computed apart)
	! grep -E "\"sym\":\"S(0|7|9|10)\"," out &&
	grep "\"sym\":\"S3\"," out &&
	grep -v "^{\"ev\":\"trade\",\"t\":\"[^\"]*\",\"sym\":\"S[0-9]*\",\"price\":[0-9]*\.25}\$" out >junk;
	test_must_be_empty junk
'

test_expect_success 'a child killed by a signal is reported so' '
	test_expect_code 1 liu-route -n 2 \
	    sh -c "test \$LIU_SHARD = 0 && kill -KILL \$\$; cat" \
	    <many.ndjson >out 2>err &&
	grep "^liu-route: shard 0: .sh. killed by signal 9$" err
'

test_expect_success 'a child that exits 1 after its input ended: exit 1' '
	test_expect_code 1 liu-route -n 2 sh -c "cat >/dev/null; exit 1" \
	    <many.ndjson 2>err &&
	grep "shard 0: .sh. exited with status 1" err &&
	grep "shard 1: .sh. exited with status 1" err
'

test_expect_success '--restart starts a new child and keeps the others' '
	# later.ndjson comes once the second copy of shard k has started
	k=$(shard_of S7 2) &&
	{ cat many.ndjson; liu_wait_for_file back 60; cat later.ndjson; } |
	liu-route -n 2 -r -v sh -c "
		if test \$LIU_SHARD = $k
		then
			test -e died || { touch died; exit 5; }
			echo x >back
		fi
		cat" >out 2>err &&
	grep "^liu-route: shard $k: .sh. exited with status 5; restarting in 0.1s$" err &&
	grep "shard $k: pid [1-9][0-9]* exited with status 0: .* 1 restarts" err &&
	grep "2024-01-05" out | sort >got &&
	sort later.ndjson >expect &&
	test_cmp expect got
'

test_expect_success '--restart backs off: 0.1s, 0.2s, 0.4s' '
	{ head -n 1 many.ndjson; test_wait_for "grep -q 0.4s err"; } |
	test_expect_code 1 liu-route -n 1 -r sh -c "exit 4" 2>err &&
	grep "restarting in 0.1s" err &&
	grep "restarting in 0.2s" err &&
	grep "restarting in 0.4s" err &&
	grep "not restarting .sh. at the end of input" err
'

test_expect_success 'a feedback FIFO is routed by symbol, and reopened' '
	mkfifo fills &&
	ka=$(shard_of S1 3) && kb=$(shard_of S3 3) || exit 1
	# the input stays open until fill b is out; fill b is written once
	# fill a is out, so liu-route has seen the first writer close
	{ { cat many.ndjson; test_wait_for "grep -q .id.:.b. out.$kb"; } |
	  liu-route -n 3 -f fills sh -c "cat >out.\$LIU_SHARD"; echo $? >code1; } &
	fill S1 a | to_fills &&
	test_wait_for "grep -q .id.:.a. out.$ka" &&
	fill S3 b | to_fills &&
	liu_wait_for_file code1 60 &&
	echo 0 >expect && test_cmp expect code1 &&
	grep "\"id\":\"a\"" out.$ka &&
	grep "\"id\":\"b\"" out.$kb &&
	test $(grep -c "\"sym\":\"S1\"," out.$ka) = 61
'

test_expect_success 'bad lines on a feedback FIFO name the FIFO' '
	{ { cat many.ndjson; test_wait_for "test \$(wc -l <out) = 3001"; } |
	  liu-route -n 2 -f fills cat >out 2>err; echo $? >code2; } &
	{ echo junk && fill S1 c; } | to_fills &&
	liu_wait_for_file code2 60 &&
	echo 1 >expect && test_cmp expect code2 &&
	grep "^liu-route: fills:1: bad event" err &&
	test_line_count = 3001 out
'

# fb EV SYM [FIELDS]: an event of type EV on the feedback, marked "fb".
fb () {
	printf '{"ev":"%s","t":"2024-01-02T00:00:00Z","sym":"%s"%s,"fb":1}\n' \
	    "$1" "$2" "$3"
}

test_expect_success 'feedback carries results only: the rest is dropped, counted' '
	ka=$(shard_of S1 3) || exit 1
	{ { cat many.ndjson; test_wait_for "grep -q .position. out.$ka"; } |
	  liu-route -n 3 -v -f fills sh -c "cat >out.\$LIU_SHARD" 2>err
	  echo $? >code5; } &
	{
		fb order S1 ",\"id\":\"o\",\"side\":\"buy\",\"qty\":1" &&
		fb fill S1 ",\"id\":\"o\",\"side\":\"buy\",\"qty\":1,\"price\":2" &&
		fb drop S1 &&
		fb pick S1 &&
		echo "{\"ev\":\"clock\",\"t\":\"2024-01-02T00:00:00Z\",\"fb\":1}" &&
		fb note S1 &&
		fb order_update S1 ",\"id\":\"o\",\"status\":\"filled\"" &&
		fb cancel S1 ",\"id\":\"o\"" &&
		fb position S1 ",\"qty\":1"
	} | to_fills &&
	liu_wait_for_file code5 60 &&
	echo 0 >expect && test_cmp expect code5 &&
	cat out.* | grep "\"fb\":1" | cut -d\" -f4 >got &&
	printf "%s\n" fill order_update position >expect &&
	test_cmp expect got &&
	grep "^liu-route: fills:3: feedback carries fill, order_update and position events only: \"drop\" dropped" err &&
	test $(grep -c "feedback carries" err) = 1 &&
	grep "^liu-route: input: .* 6 not results on feedback" err
'

test_expect_success '--linger keeps feedback flowing after the input ends' '
	# the fill is written once all the input is out; 5 s of --linger
	# leave room for a slow machine between the end of input and the fill
	{ liu-route -n 2 -f fills --linger 5s cat <many.ndjson >out; echo $? >code3; } &
	test_wait_for "test \$(wc -l <out) = 3000" &&
	fill S1 late | to_fills &&
	liu_wait_for_file code3 60 &&
	echo 0 >expect && test_cmp expect code3 &&
	grep "\"id\":\"late\"" out &&
	test_line_count = 3001 out
'

test_expect_success 'a --feedback that is not a FIFO is a usage error' '
	test_expect_code 2 liu-route -n 1 -f many.ndjson cat </dev/null 2>err &&
	grep "not a FIFO" err
'

test_expect_success 'a stalled child does not stall the other shards' '
	# shard k reads nothing, and the input stays open, until the other
	# shard has had all its events
	k=$(shard_of S0 2) || exit 1
	o=$((1 - k))
	{ { cat many.ndjson; liu_wait_for_file go 60; } |
	  liu-route -n 2 sh -c "test \$LIU_SHARD = $k && ./wait-go
		cat >out.\$LIU_SHARD"; echo $? >code4; } &
	test_wait_for "test \$(wc -l <out.$o) = 1500"
	got=$?
	echo x >go &&
	liu_wait_for_file code4 60 &&
	test $got = 0 &&
	test_line_count = 1500 out.$o &&
	test_line_count = 1500 out.$k
'

test_expect_success '--on-full block (default) loses nothing to a slow child' '
	# the sleep only makes the shards slow; no outcome depends on it
	liu-route -n 2 --queue 64k sh -c "sleep 1; cat" <big.ndjson >out &&
	test_line_count = 200000 out
'

test_expect_success '--on-full drop-oldest drops and counts' '
	# the shards read nothing until all the input is in liu-route: 14 MB,
	# far more than their pipes and queues
	{ cat big.ndjson; echo x >go2; } |
	liu-route -n 2 --queue 64k --on-full drop-oldest -v \
	    sh -c "./wait-go go2; cat" >out 2>err &&
	full=$(sed -n -e "s/.* \\([0-9]*\\) full,.*/\\1/p" err |
	    awk "{ s += \$1 } END { print s }") &&
	test $full -gt 0 &&
	n=$(wc -l <out) &&
	test $((n + full)) = 200000
'

test_expect_success 'memory stays flat: 10x the input, about the same RSS' '
	gen 2000000 >huge.ndjson &&
	/usr/bin/time -f %M liu-route -n 4 cat <big.ndjson 2>rss1 >/dev/null &&
	/usr/bin/time -f %M liu-route -n 4 cat <huge.ndjson 2>rss10 >/dev/null &&
	a=$(tail -n 1 rss1) && b=$(tail -n 1 rss10) &&
	echo "max RSS $a KiB, 10x: $b KiB" &&
	test $b -lt $((a * 2 + 4096))
'

test_done
