#!/bin/sh
test_description='liu-db portfolio: portfolios, accounts, cash kept with the fills

Runs against a throwaway PostgreSQL cluster (t/lib-pg.sh).  The cash,
equity and positions expected are worked out by hand from the fills.'
. "$(dirname "$0")/test-lib.sh"
. "$SRC_DIR/t/lib-pg.sh"
pg_start 57010

# Four fills of batch p1, cash worked by hand from 100000:
#   buy 10 AAPL at 180.15, fee 0.01       -1801.50 -0.01  98198.49
#   sell_short 5 TSLA at 200.50, fee 0.02 +1002.50 -0.02  99200.97
#   sell 4 AAPL at 182, fee 0               +728.00        99928.97
#   buy_to_cover 5 TSLA at 199, fee 0.01    -995.00 -0.01  98933.96
# Left: 6 AAPL bought at 180.15, marked at 182 (its last fill): 1092.
cat >fills.ndjson <<\EOF2
{"ev":"fill","t":"2024-03-01T14:30:01.123456789Z","sym":"AAPL","id":"o1","exec_id":"e1","side":"buy","qty":10,"price":180.15,"fee":0.01,"strategy":"s","batch":"p1"}
{"ev":"fill","t":"2024-03-01T14:31:00Z","sym":"TSLA","id":"o2","exec_id":"e2","side":"sell_short","qty":5,"price":200.50,"fee":0.02,"strategy":"s","batch":"p1"}
{"ev":"fill","t":"2024-03-01T15:00:00Z","sym":"AAPL","id":"o3","exec_id":"e3","side":"sell","qty":4,"price":182,"fee":0,"strategy":"s","batch":"p1"}
{"ev":"fill","t":"2024-03-01T15:10:00Z","sym":"TSLA","id":"o4","exec_id":"e4","side":"buy_to_cover","qty":5,"price":199,"fee":0.01,"strategy":"s","batch":"p1"}
EOF2

balance () {
	pg_sql "SELECT a.balance FROM portfolio p JOIN accounts a
	    ON a.id = p.account_id WHERE p.id = $1"
}

test_expect_success 'create makes a portfolio, its account and the deposit' '
	liu-db init &&
	liu-db portfolio create 100000 --credit 50000 >id &&
	echo 1 >expect &&
	test_cmp expect id &&
	liu-db portfolio create 2500.50 --name small >id &&
	echo 2 >expect &&
	test_cmp expect id &&
	printf "1\tportfolio-1\t100000\t50000\t100000\t0\n2\tsmall\t2500.50\t0\t2500.50\t0\n" >expect &&
	liu-db portfolio list >actual &&
	test_cmp expect actual &&
	printf "1\tdeposit\t100000\t100000\t\tportfolio:1\tportfolio size\n" >expect &&
	liu-db portfolio account 1 | cut -f1,3- >actual &&
	test_cmp expect actual
'

test_expect_success 'store --portfolio ties the batch and keeps the cash' '
	liu-db store --journal j --portfolio 1 <fills.ndjson >out &&
	test_cmp fills.ndjson out &&
	echo "1|p1" >expect &&
	pg_sql "SELECT * FROM portfolio_batch_ids" >actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOF2 &&
	deposit	100000	100000		portfolio:1	portfolio size
	trade	-1801.50	98198.50	p1	fill:1	buy 10 AAPL at 180.15
	fee	-0.01	98198.49	p1	fee:1	fee of e1
	trade	1002.5	99200.99	p1	fill:2	sell_short 5 TSLA at 200.5
	fee	-0.02	99200.97	p1	fee:2	fee of e2
	trade	728	99928.97	p1	fill:3	sell 4 AAPL at 182
	trade	-995	98933.97	p1	fill:4	buy_to_cover 5 TSLA at 199
	fee	-0.01	98933.96	p1	fee:4	fee of e4
	EOF2
	liu-db portfolio account 1 | cut -f3- >actual &&
	test_cmp expect actual &&
	echo 98933.96 >expect &&
	balance 1 >actual &&
	test_cmp expect actual
'

test_expect_success 'the same fills stored again change no cash' '
	liu-db store --journal j --portfolio 1 <fills.ndjson >out &&
	echo 98933.96 >expect &&
	balance 1 >actual &&
	test_cmp expect actual &&
	echo 8 >expect &&
	liu-db portfolio account 1 | wc -l | tr -d " " >actual &&
	test_cmp expect actual
'

test_expect_success 'equity: cash plus positions at their last fill price' '
	cat >expect <<-\EOF2 &&
	size	100000
	credit	50000
	cash	98933.96
	positions	1092
	equity	100025.96
	return	0.000260
	EOF2
	liu-db portfolio equity 1 >actual &&
	test_cmp expect actual
'

test_expect_success 'trades lists the fills of its batches' '
	cat >expect <<-\EOF2 &&
	2024-03-01T14:30:01.123456789Z	p1	s	AAPL	buy	10	180.15	0.01	e1
	2024-03-01T14:31:00.000000000Z	p1	s	TSLA	sell_short	5	200.5	0.02	e2
	2024-03-01T15:00:00.000000000Z	p1	s	AAPL	sell	4	182	0	e3
	2024-03-01T15:10:00.000000000Z	p1	s	TSLA	buy_to_cover	5	199	0.01	e4
	EOF2
	liu-db portfolio trades 1 >actual &&
	test_cmp expect actual
'

test_expect_success 'positions: the open lots as position events' '
	cat >expect <<-\EOF2 &&
	{"ev":"position","t":"2024-03-01T15:10:00Z","sym":"AAPL","qty":6,"avg_price":180.15,"strategy":"s","portfolio":"portfolio-1"}
	EOF2
	liu-db positions --portfolio 1 >actual &&
	test_cmp expect actual &&
	liu-db positions --portfolio 2 >actual &&
	test_must_be_empty actual
'

test_expect_success 'a short left open is a negative position' '
	cat >short.ndjson <<-\EOF2 &&
	{"ev":"fill","t":"2024-03-04T14:30:00Z","sym":"TSLA","id":"o5","exec_id":"e5","side":"sell_short","qty":3,"price":190,"strategy":"t","batch":"p2"}
	{"ev":"fill","t":"2024-03-04T14:31:00Z","sym":"TSLA","id":"o6","exec_id":"e6","side":"sell_short","qty":1,"price":194,"strategy":"t","batch":"p2"}
	EOF2
	liu-db store --journal j --portfolio 2 <short.ndjson >out &&
	cat >expect <<-\EOF2 &&
	{"ev":"position","t":"2024-03-04T14:31:00Z","sym":"TSLA","qty":-4,"avg_price":191,"strategy":"t","portfolio":"small"}
	EOF2
	liu-db positions --portfolio 2 >actual &&
	test_cmp expect actual &&
	echo 3264.50 >expect &&
	balance 2 >actual &&
	test_cmp expect actual
'

test_expect_success 'a swing entry gives a swing position' '
	cat >swing.ndjson <<-\EOF2 &&
	{"ev":"order","t":"2024-03-04T15:00:00Z","sym":"AAPL","id":"o8","side":"buy","qty":5,"type":"market","strategy":"w","batch":"p2","horizon":"swing"}
	{"ev":"fill","t":"2024-03-04T15:00:01Z","sym":"AAPL","id":"o8","exec_id":"e8","side":"buy","qty":5,"price":170.5,"strategy":"w","batch":"p2"}
	EOF2
	liu-db store --journal j --portfolio 2 <swing.ndjson >out &&
	cat >expect <<-\EOF2 &&
	{"ev":"position","t":"2024-03-04T15:00:01Z","sym":"TSLA","qty":-4,"avg_price":191,"strategy":"t","portfolio":"small"}
	{"ev":"position","t":"2024-03-04T15:00:01Z","sym":"AAPL","qty":5,"avg_price":170.5,"strategy":"w","portfolio":"small","horizon":"swing"}
	EOF2
	liu-db positions --portfolio 2 >actual &&
	test_cmp expect actual &&
	echo 2412.00 >expect &&
	balance 2 >actual &&
	test_cmp expect actual
'

test_expect_success 'the trigger refuses a wrong balance_after' '
	test_must_fail pg_sql "INSERT INTO account_transactions
	    (account_id, kind, amount, balance_after)
	    VALUES (1, '\''deposit'\'', 10, 1)" 2>err &&
	test_grep "balance after would be 98943.96, not 1" err &&
	echo 98933.96 >expect &&
	balance 1 >actual &&
	test_cmp expect actual &&
	pg_sql "INSERT INTO account_transactions
	    (account_id, kind, amount, balance_after, note)
	    VALUES (1, '\''adjustment'\'', -5, 98928.96, '\''drift'\'')" &&
	echo 98928.96 >expect &&
	balance 1 >actual &&
	test_cmp expect actual
'

test_expect_success 'transactions are append-only; balances move only through them' '
	test_must_fail pg_sql "UPDATE account_transactions SET amount = 0" 2>err &&
	test_grep "append-only" err &&
	test_must_fail pg_sql "DELETE FROM account_transactions" 2>err &&
	test_grep "append-only" err &&
	test_must_fail pg_sql "UPDATE accounts SET balance = 1" 2>err &&
	test_grep "through account_transactions" err
'

test_expect_success 'recalc without --yes shows the correction and changes nothing' '
	test_expect_code 2 liu-db portfolio recalc 1 >out 2>err &&
	test_grep "run again with --yes" err &&
	cut -f3- out >actual &&
	printf "adjustment\t5.00\t98933.96\t\trecalc\trecalc: cash rebuilt from the stored fills\n" >expect &&
	test_cmp expect actual &&
	echo 98928.96 >expect &&
	balance 1 >actual &&
	test_cmp expect actual
'

test_expect_success 'recalc --yes appends the correction' '
	liu-db portfolio recalc 1 --yes >out &&
	cut -f3- out >actual &&
	printf "adjustment\t5.00\t98933.96\t\trecalc\trecalc: cash rebuilt from the stored fills\n" >expect &&
	test_cmp expect actual &&
	echo 98933.96 >expect &&
	balance 1 >actual &&
	test_cmp expect actual &&
	liu-db portfolio recalc 1 --yes >out &&
	test_must_be_empty out
'

test_expect_success 'recalc appends the fills of a batch tied later' '
	cat >late.ndjson <<-\EOF2 &&
	{"ev":"fill","t":"2024-03-05T14:30:00Z","sym":"MSFT","id":"o7","exec_id":"e7","side":"buy","qty":2,"price":400.25,"fee":0.5,"strategy":"s","batch":"p3"}
	EOF2
	liu-db store --journal j <late.ndjson >out &&
	echo 98933.96 >expect &&
	balance 1 >actual &&
	test_cmp expect actual &&
	pg_sql "INSERT INTO portfolio_batch_ids VALUES (1, '\''p3'\'')" &&
	liu-db portfolio recalc 1 --yes >out &&
	cut -f3-6,8 out >actual &&
	cat >expect <<-\EOF2 &&
	trade	-800.50	98133.46	p3	buy 2 MSFT at 400.25
	fee	-0.5	98132.96	p3	fee of e7
	EOF2
	test_cmp expect actual &&
	id=$(pg_sql "SELECT id FROM new_trades WHERE exec_id = '\''e7'\''") &&
	printf "fill:%s\nfee:%s\n" $id $id >expect &&
	cut -f7 out >actual &&
	test_cmp expect actual
'

test_expect_success 'bad input: usage errors exit 2 and change nothing' '
	pg_sql "SELECT count(*) FROM account_transactions" >before &&
	for a in "create 0" "create -5" "create abc" "create 1e5" "create" \
	    "create 100 --credit x" "list 1" "equity" "equity 0" \
	    "equity abc" "account 1 2" "trades -1" "recalc x --yes" \
	    "list --yes" "equity 1 --credit 5" "frob 1"
	do
		test_expect_code 2 liu-db portfolio $a >out 2>err &&
		test_must_be_empty out &&
		test -s err || { echo "portfolio $a"; return 1; }
	done &&
	test_expect_code 2 liu-db positions 2>err &&
	test_expect_code 2 liu-db positions --portfolio zero 2>err &&
	test_expect_code 2 liu-db export --batch p1 --portfolio 1 2>err &&
	pg_sql "SELECT count(*) FROM account_transactions" >after &&
	test_cmp before after
'

test_expect_success 'a portfolio that does not exist' '
	for c in equity account trades recalc
	do
		test_expect_code 2 liu-db portfolio $c 99 >out 2>err &&
		test_grep "no portfolio 99" err &&
		test_must_be_empty out || return 1
	done &&
	test_expect_code 2 liu-db positions --portfolio 99 2>err &&
	test_grep "no portfolio 99" err &&
	test_expect_code 2 liu-db store --journal j --portfolio 99 \
	    <fills.ndjson >out 2>err &&
	test_grep "no portfolio 99" err &&
	test_must_be_empty out
'

test_expect_success 'a name already taken is refused' '
	test_expect_code 3 liu-db portfolio create 10 --name small 2>err &&
	test_grep "portfolio create" err &&
	echo 2 >expect &&
	pg_sql "SELECT count(*) FROM portfolio" >actual &&
	test_cmp expect actual
'

test_expect_success 'a portfolio made by hand, without an account' '
	id=$(pg_sql "INSERT INTO portfolio (name) VALUES ('\''bare'\'')
	    RETURNING id") &&
	sed "s/\"p1\"/\"p9\"/" fills.ndjson >bare.ndjson &&
	liu-db store --journal j --portfolio "$id" <bare.ndjson >out &&
	test_cmp bare.ndjson out &&
	echo 4 >expect &&
	pg_sql "SELECT count(*) FROM new_trades WHERE batch_id = '\''p9'\''" >actual &&
	test_cmp expect actual &&
	echo "$id|p9" >expect &&
	pg_sql "SELECT * FROM portfolio_batch_ids WHERE portfolio_id = $id" >actual &&
	test_cmp expect actual &&
	liu-db portfolio equity "$id" >eq &&
	test_grep "^cash	0$" eq &&
	test_grep "^positions	1092$" eq &&
	test_expect_code 3 liu-db portfolio recalc "$id" --yes 2>err &&
	test_grep "has no account" err
'

test_expect_success 'a stored backtest: cash = capital + realized gain - fees' '
	liu-stream replay "$SRC_DIR/data/aapl-2012-01-26-1m.ndjson" --max |
	liu-strategy --fill sim --commission 0.005 vwap_long vwap_short \
	    >bt.ndjson &&
	test_grep "\"fee\":1.115," bt.ndjson &&
	liu-db portfolio create 100000 >id &&
	LIU_BATCH_ID=bt liu-db store --journal j --portfolio "$(cat id)" \
	    <bt.ndjson >out &&
	test_cmp bt.ndjson out &&
	liu-analyze -f ndjson bt.ndjson | tail -n 1 >summary &&
	test_grep "\"open\":0," summary &&
	# liu-analyze: realized is after fees, so cash - capital = realized
	sed -n "s/.*\"realized\":\([-0-9.]*\),\"unrealized\":[-0-9.]*,\"fees\":\([0-9.]*\),.*/\1|\2/p" \
	    summary >expect &&
	test_line_count = 1 expect &&
	pg_sql "SELECT round(a.balance - p.size, 2), round(-(SELECT sum(amount)
	    FROM account_transactions x WHERE x.account_id = a.id
	    AND x.kind = '\''fee'\''), 2) FROM portfolio p JOIN accounts a
	    ON a.id = p.account_id WHERE p.id = $(cat id)" >actual &&
	test_cmp expect actual &&
	echo "$(cat id)|bt" >expect &&
	pg_sql "SELECT * FROM portfolio_batch_ids WHERE portfolio_id = $(cat id)" >actual &&
	test_cmp expect actual &&
	liu-db positions --portfolio "$(cat id)" >pos &&
	test_must_be_empty pos
'

test_done
