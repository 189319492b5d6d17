#!/bin/sh
test_description='one contract: every program agrees on each line of a
corpus of tricky lines (t/data/contract.ndjson): whether its header is bad,
its symbol, its shard and its time'
. "$(dirname "$0")/test-lib.sh"

C="$TEST_DATA/contract.ndjson"

# Lines whose header is bad (schema/events.md, "The header"): a repeated
# ev, t or sym (3-6, 33), a symbol with a control character, too long,
# not ASCII or empty (7-9, 11-13), a number sym (16), a bad time (23), a
# trade without sym (26), an empty ev (27), a cancel and a position
# without sym (35, 36).
printf '%s\n' 3 4 5 6 7 8 9 11 12 13 16 23 26 27 33 35 36 >head.bad
# Every program that reads the whole event also rejects an unknown type's
# "synthetic":"yes" (17) and a price of 1e999 (20).
printf '%s\n' 17 20 | sort -n head.bad - >all.bad

# badlines FILE: the line numbers of the reports in FILE
badlines () {
	sed -n 's/^liu-[a-z]*: [^:]*:\([0-9][0-9]*\): .*/\1/p' "$1"
}

test_expect_success 'liu-stream replay --validate' '
	test_expect_code 1 liu-stream replay --validate "$C" >out 2>err &&
	badlines err >bad &&
	test_cmp all.bad bad
'

test_expect_success 'liu-route, without and with --validate' '
	test_expect_code 1 liu-route -n 3 cat <"$C" >out 2>err &&
	badlines err >bad &&
	test_cmp head.bad bad &&
	test_expect_code 1 liu-route -n 3 --validate cat <"$C" >out 2>err &&
	badlines err >bad &&
	test_cmp head.bad bad
'

test_expect_success 'liu-ta' '
	test_expect_code 1 liu-ta sma:2 <"$C" >out 2>err &&
	badlines err >bad &&
	test_cmp all.bad bad
'

test_expect_success 'liu-strategy' '
	test_expect_code 1 liu-strategy momentum_long <"$C" >out 2>err &&
	badlines err >bad &&
	test_cmp all.bad bad
'

test_expect_success 'liu-analyze' '
	test_expect_code 1 liu-analyze -f ndjson <"$C" >out 2>err &&
	badlines err >bad &&
	test_cmp all.bad bad
'

# shards_of K...: the shards that the lines "k":K reached
shards_of () {
	for k in "$@"
	do
		grep "\"k\":$k}" shards.out | cut -d" " -f1 | sort -u |
		tr "\n" " " && echo || return 1
	done
}

test_expect_success 'liu-route shards by the decoded symbol' '
	liu-route -n 3 sh -c "sed \"s/^/\$LIU_SHARD /\"" <"$C" \
	    >shards.out 2>/dev/null
	shards_of 1 2 34 37 38 | sort -u >a &&
	test_line_count = 1 a &&
	shards_of 31 32 | sort -u >g &&
	test_line_count = 1 g
'

test_expect_success 'a clock with a stray sym, and events without one, reach every shard' '
	shards_of 14 15 22 24 25 28 30 >shards &&
	for k in 14 15 22 24 25 28 30
	do
		echo "0 1 2 "
	done >expect &&
	test_cmp expect shards
'

test_expect_success 'liu-ta: an escaped symbol is the same series' '
	liu-ta sma:2 <"$C" 2>/dev/null | grep "\"k\":32" >bar &&
	grep "\"sma2\":1}" bar
'

test_expect_success 'liu-strategy: an escaped symbol is the same symbol' '
	liu-strategy -v momentum_long <"$C" >/dev/null 2>err
	grep "events, 7 symbols" err
'

test_expect_success 'replay --validate: times in UTC, symbols decoded' '
	liu-stream replay --validate "$C" 2>/dev/null >out
	grep "\"k\":21" out | grep "\"t\":\"2024-03-01T14:30:05Z\"" &&
	grep "\"k\":22" out | grep "\"t\":\"2017-01-01T00:00:00Z\"" &&
	grep "\"k\":24" out | grep "\"t\":\"2024-03-01T14:30:07Z\"" &&
	grep "\"k\":2}" out | grep "\"sym\":\"A\"" &&
	grep "\"k\":32" out | grep "\"sym\":\"G\"" &&
	grep "\"k\":38" out | grep "^{\"ev\":\"position\",[^}]*\"sym\":\"A\""
'

test_expect_success 'an unknown type as the first line is checked by the tables' '
	echo "{\"ev\":\"x\",\"t\":\"2024-01-01T00:00:00Z\"}" >x.ndjson &&
	liu-stream replay --validate x.ndjson >out &&
	test_cmp x.ndjson out
'

test_done
