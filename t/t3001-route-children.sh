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
	{ cat many.ndjson; sleep 6; } | {
		liu-route -n 3 sh -c "test \$LIU_SHARD = 1 && exit 7; cat" \
		    >out 2>err
		echo $? >code
	} &
	liu_wait_for_file code 5 &&
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
	k=$(shard_of S7 2) &&
	{ cat many.ndjson; sleep 1; cat later.ndjson; } |
	liu-route -n 2 -r -v sh -c "
		if test \$LIU_SHARD = $k && ! test -e died
		then
			touch died; exit 5
		fi
		cat" >out 2>err &&
	grep "^liu-route: shard $k: .sh. exited with status 5; restarting in 0.1s$" err &&
	grep "shard $k: pid [1-9][0-9]* exited with status 0: .* 1 restarts" err &&
	grep "2024-01-05" out | sort >got &&
	sort later.ndjson >expect &&
	test_cmp expect got
'

test_expect_success '--restart backs off: 0.1s, 0.2s, 0.4s' '
	{ head -n 1 many.ndjson; sleep 1; } |
	test_expect_code 1 liu-route -n 1 -r sh -c "exit 4" 2>err &&
	grep "restarting in 0.1s" err &&
	grep "restarting in 0.2s" err &&
	grep "restarting in 0.4s" err &&
	grep "not restarting .sh. at the end of input" err
'

test_expect_success 'a feedback FIFO is routed by symbol, and reopened' '
	mkfifo fills &&
	ka=$(shard_of S1 3) && kb=$(shard_of S3 3) || exit 1
	{ { cat many.ndjson; sleep 2; } |
	  liu-route -n 3 -f fills sh -c "cat >out.\$LIU_SHARD"; echo $? >code1; } &
	sleep 0.5 &&
	echo "{\"ev\":\"fill\",\"t\":\"2024-01-02T00:00:00Z\",\"sym\":\"S1\",\"id\":\"a\"}" >fills &&
	sleep 0.2 &&
	echo "{\"ev\":\"fill\",\"t\":\"2024-01-02T00:00:00Z\",\"sym\":\"S3\",\"id\":\"b\"}" >fills &&
	liu_wait_for_file code1 10 &&
	echo 0 >expect && test_cmp expect code1 &&
	grep "\"id\":\"a\"" out.$ka &&
	grep "\"id\":\"b\"" out.$kb &&
	test $(grep -c "\"sym\":\"S1\"," out.$ka) = 61
'

test_expect_success 'bad lines on a feedback FIFO name the FIFO' '
	{ { cat many.ndjson; sleep 1; } |
	  liu-route -n 2 -f fills cat >out 2>err; echo $? >code2; } &
	sleep 0.3 &&
	printf "junk\n{\"ev\":\"fill\",\"t\":\"2024-01-02T00:00:00Z\",\"sym\":\"S1\"}\n" >fills &&
	liu_wait_for_file code2 10 &&
	echo 1 >expect && test_cmp expect code2 &&
	grep "^liu-route: fills:1: bad event" err &&
	test_line_count = 3001 out
'

test_expect_success '--linger keeps feedback flowing after the input ends' '
	{ liu-route -n 2 -f fills --linger 1s cat <many.ndjson >out; echo $? >code3; } &
	sleep 0.3 &&
	echo "{\"ev\":\"fill\",\"t\":\"2024-01-02T00:00:00Z\",\"sym\":\"S1\",\"id\":\"late\"}" >fills &&
	liu_wait_for_file code3 10 &&
	grep "\"id\":\"late\"" out &&
	test_line_count = 3001 out
'

test_expect_success 'a --feedback that is not a FIFO is a usage error' '
	test_expect_code 2 liu-route -n 1 -f many.ndjson cat </dev/null 2>err &&
	grep "not a FIFO" err
'

test_expect_success 'a stalled child does not stall the other shards' '
	k=$(shard_of S0 2) || exit 1
	{ { cat many.ndjson; sleep 3; } |
	  liu-route -n 2 sh -c "test \$LIU_SHARD = $k && sleep 2
		cat >out.\$LIU_SHARD"; echo $? >code4; } &
	sleep 1 &&
	o=$((1 - k)) &&
	test_line_count = 1500 out.$o &&
	liu_wait_for_file code4 10 &&
	test_line_count = 1500 out.$k
'

test_expect_success '--on-full block (default) loses nothing to a slow child' '
	liu-route -n 2 --queue 64k sh -c "sleep 1; cat" <big.ndjson >out &&
	test_line_count = 200000 out
'

test_expect_success '--on-full drop-oldest drops and counts' '
	liu-route -n 2 --queue 64k --on-full drop-oldest -v \
	    sh -c "sleep 1; cat" <big.ndjson >out 2>err &&
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
