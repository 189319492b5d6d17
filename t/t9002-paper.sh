#!/bin/sh
test_description='the order loop: strategies, liu-order sim and fills fed back

liu-stream synth | liu-route --feedback FIFO liu-strategy --pass |
liu-order sim | tee FIFO: the orders reach the simulated broker, its
fills come back through the FIFO to the shard that sent the order.'
. "$(dirname "$0")/test-lib.sh"

# A session of 5 synthetic symbols, 1950 bars, paced at 100 a second:
# a symbol's next bar comes some 50 ms after its last, time enough for a
# fill to go round the loop first (a millisecond or two), so the trades
# do not depend on the number of shards.  Nothing makes the loop wait for
# a fill: on a machine stalled for longer than that, a fill would reach
# its strategy a bar late, and the trades could differ.
loop () {
	rm -f fb && mkfifo fb &&
	liu-stream synth --types bar --symbols 5 --rate 100 |
	liu-route -n "$1" --linger 1s --feedback fb -- \
	    liu-strategy -v --pass momentum_long 2>"strategy.$1" |
	liu-order sim -v 2>"order.$1" | tee -p fb >"trades.$1"
}

test_expect_success 'the loop with one shard' '
	loop 1 &&
	test_grep "\"ev\":\"fill\"" trades.1
'

test_expect_success 'every fill written reached its strategy' '
	grep -c "\"ev\":\"fill\"" trades.1 >written &&
	sed -n "s/.* \([0-9]*\) fills, .*/\1/p" strategy.1 >taken &&
	test_cmp written taken &&
	test_grep ! "bad\|unknown order" strategy.1
'

test_expect_success 'positions are right afterwards, in the strategy and in liu-order' '
	test_grep ! "open position" strategy.1 &&
	test_grep ! "^liu-order: position" order.1 &&
	test_grep "0 rejected" order.1 &&
	jq -s -c "[.[] | select(.ev == \"fill\")] | group_by(.sym)[] |
	    map(if .side == \"buy\" then .qty else -.qty end) | add" \
	    trades.1 | sort -u >net &&
	echo 0 >zero &&
	test_cmp zero net
'

test_expect_success 'each order ends once: filled, or expired at the end' '
	jq -r "select(.ev == \"order_update\" and
	    (.status == \"filled\" or .status == \"expired\" or
	     .status == \"canceled\" or .status == \"rejected\")) | .id" \
	    trades.1 | sort >ended &&
	jq -r "select(.ev == \"order\") | .id" trades.1 | sort >orders &&
	test_cmp orders ended
'

# Not the trades of liu-strategy --fill sim on the same bars: there, an
# entry filled at a bar's open is checked against its stop on that very
# bar; in the loop the fill comes back after the strategy has seen the
# bar, so its stop is first checked on the next one.
test_expect_success 'the same trades with four shards' '
	# ids carry their process'"'"'s start stamp (STRATEGY-SYM-STAMP-N),
	# which differs from run to run: compare them without it
	jq -c "select(.ev == \"fill\") | [.id, .side, .qty, .price]" trades.1 |
	sed "s/-[0-9a-z]*-\([0-9]*\)\",/-\1\",/" | sort >paper1 &&
	test_line_count -gt 10 paper1 &&
	loop 4 &&
	jq -c "select(.ev == \"fill\") | [.id, .side, .qty, .price]" trades.4 |
	sed "s/-[0-9a-z]*-\([0-9]*\)\",/-\1\",/" | sort >paper4 &&
	test_cmp paper1 paper4 &&
	cat strategy.4 >all &&
	test "$(sed -n "s/.* \([0-9]*\) fills, .*/\1/p" all |
	    awk "{ n += \$1 } END { print n }")" = "$(wc -l <paper4)"
'

test_expect_success 'liu-paper: the report shows round trips' '
	liu-paper -t 3 -o run >report 2>err &&
	test_grep "^round trips  *[1-9][0-9]* (" report &&
	for f in market trades session; do test -s run/$f.ndjson || exit 1; done &&
	test_path_is_missing run/fills.fifo &&
	test_grep "^liu-paper: batch [0-9a-f-]*: " err &&
	test_line_count = 1 err &&
	B=$(sed -n "s/^liu-paper: batch \([^:]*\):.*/\1/p" err) &&
	jq -r "select(.ev == \"fill\") | .batch" run/trades.ndjson |
	sort -u >batches &&
	echo "$B" >want &&
	test_cmp want batches &&
	jq -r "select(.status == \"new\") | .client_order_id | length" \
	    run/trades.ndjson | sort -nu | tail -n1 >longest &&
	test "$(cat longest)" -le 48
'

test_expect_success 'liu-paper: usage' '
	test_expect_code 2 liu-paper -x 2>err &&
	test_grep "^usage: liu-paper" err &&
	test_expect_code 2 liu-paper -S many 2>err &&
	test_expect_code 2 liu-paper -d soon 2>err &&
	test_grep "invalid -d" err &&
	liu-paper --version >v && test_grep "^liu-paper [0-9][0-9.]*\$" v
'

test_done
