#!/bin/sh
test_description='liu-db store: the database goes away and comes back

The database is killed (pg_ctl stop -m immediate) in the middle of a
stream of 100000 fills and restarted; every fill must end up stored
exactly once and pass through unchanged.  A store that ends while the
database is down leaves a journal that the next store writes first.'
. "$(dirname "$0")/test-lib.sh"
. "$SRC_DIR/t/lib-pg.sh"
pg_start 57002

# fills N BATCH [PREFIX]: N fills with exec ids PREFIX1..PREFIXN
fills () {
	awk -v n="$1" -v b="$2" -v p="${3:-e}" 'BEGIN {
		for (i = 1; i <= n; i++) {
			s = i % 86400
			printf "{\"ev\":\"fill\",\"t\":\"2024-03-01T%02d:%02d:%02d.%06dZ\",", \
			    int(s / 3600), int(s / 60) % 60, s % 60, i % 1000000
			printf "\"sym\":\"S%d\",\"id\":\"o%d\",\"exec_id\":\"%s%d\",", \
			    i % 500, i, p, i
			printf "\"side\":\"%s\",\"qty\":%d,\"price\":%d.%02d,", \
			    i % 2 ? "buy" : "sell", i % 7 + 1, 10 + i % 90, i % 100
			if (b != "")
				printf "\"batch\":\"%s\",", b
			printf "\"strategy\":\"s%d\"}\n", i % 3
		}
	}'
}

count () {
	pg_sql "SELECT count(*), count(DISTINCT exec_id) FROM new_trades WHERE batch_id = '$1'"
}

test_expect_success 'setup' '
	liu-db init &&
	fills 100000 fault >fills &&
	test_line_count = 100000 fills &&
	sed -n 1,30000p fills >p1 &&
	sed -n 30001,70000p fills >p2 &&
	sed -n 70001,100000p fills >p3
'

test_expect_success 'database killed mid-stream: 100000 fills, each once' '
	mkfifo in &&
	{ (liu-db -v store --journal j --batch-size 2000 --flush 50ms \
	    --linger 60s <in >out 2>err; echo $? >rc) & } &&
	exec 3>in &&
	cat p1 >&3 &&
	n=0 &&
	until test "$(pg_sql "SELECT count(*) > 0 FROM new_trades")" = t
	do
		n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || break
	done &&
	pg_stop immediate &&
	cat p2 >&3 &&
	test_wait_for "test -s j" &&
	pg_restart &&
	cat p3 >&3 &&
	exec 3>&- &&
	wait &&
	test "$(cat rc)" = 0 &&
	test_cmp fills out &&
	test_grep "database unavailable" err &&
	echo "100000|100000" >expect &&
	count fault >actual &&
	test_cmp expect actual &&
	test ! -s j
'

test_expect_success 'the same fills again add no row' '
	liu-db store --journal j <p2 >/dev/null &&
	echo "100000|100000" >expect &&
	count fault >actual &&
	test_cmp expect actual
'

test_expect_success 'store ends with the database down: events kept in the journal' '
	fills 1000 "" k >k &&
	pg_stop fast &&
	test_expect_code 1 env LIU_BATCH_ID=jb1 \
	    liu-db store --journal j2 --linger 0 <k >out 2>err &&
	test_cmp k out &&
	test_grep "kept in .j2." err &&
	test_line_count = 1000 j2
'

test_expect_success 'the next store writes the journal first, in its batch' '
	pg_restart &&
	fills 10 "" n >n &&
	LIU_BATCH_ID=jb2 liu-db store --journal j2 <n >out 2>err &&
	test_cmp n out &&
	test ! -s err &&
	test ! -s j2 &&
	echo "1000|1000" >expect &&
	count jb1 >actual &&
	test_cmp expect actual &&
	echo "10|10" >expect &&
	count jb2 >actual &&
	test_cmp expect actual
'

test_expect_success 'a database down from the start: nothing lost' '
	pg_stop fast &&
	fills 500 late L >late &&
	mkfifo in2 &&
	{ (liu-db store --journal j3 --flush 50ms --linger 60s <in2 >out \
	    2>err; echo $? >rc) & } &&
	exec 4>in2 &&
	cat late >&4 &&
	test_wait_for "test \$(wc -l <j3) -eq 500" &&
	test_line_count = 500 j3 &&
	pg_restart &&
	exec 4>&- &&
	wait &&
	test "$(cat rc)" = 0 &&
	test_cmp late out &&
	echo "500|500" >expect &&
	count late >actual &&
	test_cmp expect actual
'

test_expect_success 'a journal in use by another store is refused' '
	mkfifo in3 &&
	{ liu-db store --journal j4 <in3 >/dev/null 2>&1 & } &&
	exec 5>in3 &&
	test_wait_for "test -e j4" &&
	test_wait_for "grep -q \":\$(stat -c %i j4) \" /proc/locks" &&
	test_expect_code 3 liu-db store --journal j4 </dev/null 2>err &&
	test_grep "in use" err &&
	exec 5>&- &&
	wait
'

test_done
