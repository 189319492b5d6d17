#!/bin/sh
test_description='liu-db: schema, store, export, kv, ohlc and bad input

Runs against a throwaway PostgreSQL cluster (t/lib-pg.sh).  Expected
rows and exports are written by hand from the input events.'
. "$(dirname "$0")/test-lib.sh"
. "$SRC_DIR/t/lib-pg.sh"
pg_start 57000

store () {
	liu-db store --journal j "$@"
}

test_expect_success 'init creates the database and the schema' '
	liu-db -v init 2>err &&
	test_grep "applied 0001-init" err &&
	test_grep "applied 0002-portfolio" err &&
	printf "1|0001-init\n2|0002-portfolio\n" >expect &&
	pg_sql "SELECT version, name FROM schema_migrations ORDER BY 1" >actual &&
	test_cmp expect actual
'

test_expect_success 'init and migrate again change nothing' '
	pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = '\''public'\''" >before &&
	liu-db init 2>err &&
	liu-db migrate 2>>err &&
	test ! -s err &&
	pg_sql "SELECT count(*) FROM schema_migrations" >actual &&
	echo 2 >expect &&
	test_cmp expect actual &&
	pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = '\''public'\''" >after &&
	test_cmp before after &&
	echo 16 >expect &&
	test_cmp expect after
'

test_expect_success 'store passes every event through unchanged' '
	LIU_BATCH_ID=bt1 LIU_ENV=BACKTEST store <"$TEST_DATA/db-golden.ndjson" \
	    >out 2>err &&
	test_cmp "$TEST_DATA/db-golden.ndjson" out &&
	test ! -s err
'

test_expect_success 'fills are in new_trades, exact' '
	cat >expect <<-\EOF &&
	x-1|AAPL|buy|4|180.15|0.01|t|2024-03-01 14:30:01.123456+00|789|178.5|185|momentum_long|
	x-2|AAPL|buy|6|180.2|0.01|f|2024-03-01 14:30:02+00|0|178.5|185|momentum_long|{"venue": "iex"}
	x-3|AAPL|sell|10|182|0.02||2024-03-01 15:00:00.25+00|0|||momentum_long|
	EOF
	pg_sql "SELECT exec_id, symbol, operation, qty, price, fee, partial,
	    client_time, client_time_ns, stop_loss, target, a.strategy, extra
	    FROM new_trades t JOIN algo_run a ON a.id = t.algo_run_id
	    ORDER BY t.id" >actual &&
	test_cmp expect actual &&
	echo 18.16 >expect &&
	pg_sql "SELECT sum(CASE operation WHEN '\''sell'\'' THEN qty * price
	    ELSE -qty * price END) - sum(fee) FROM new_trades" >actual &&
	test_cmp expect actual
'

test_expect_success 'orders, their status, the history, picks and the run' '
	cat >expect <<-\EOF &&
	ml-AAPL-1|buy|10|limit|180.2|day|{"rsi": 31.5}|accepted
	ml-AAPL-2|sell|10|market||||filled
	EOF
	pg_sql "SELECT client_id, side, qty, type, limit_price, tif, why, status
	    FROM orders ORDER BY id" >actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	bt1|ml-AAPL-1|accepted
	bt1|ml-AAPL-2|filled
	EOF
	pg_sql "SELECT batch_id, client_id, status FROM order_events
	    ORDER BY id" >actual &&
	test_cmp expect actual &&
	echo "bt1|AAPL|momentum|2024-03-01 14:29:00+00|[\"momentum_long\"]|{\"chg\": 5.5}" >expect &&
	pg_sql "SELECT batch_id, symbol, scanner, pick_time, strategies,
	    criteria FROM trending_tickers" >actual &&
	test_cmp expect actual &&
	echo "bt1|momentum_long|BACKTEST|2024-03-01 14:30:00.5+00|2024-03-01 15:00:00.25+00|end of input" >expect &&
	pg_sql "SELECT batch_id, strategy, environment, start_time, end_time,
	    end_reason FROM algo_run" >actual &&
	test_cmp expect actual
'

test_expect_success 'storing the same events again adds no row' '
	LIU_BATCH_ID=bt1 store <"$TEST_DATA/db-golden.ndjson" >out &&
	echo "3|2|2|1|1" >expect &&
	pg_sql "SELECT (SELECT count(*) FROM new_trades),
	    (SELECT count(*) FROM orders), (SELECT count(*) FROM order_events),
	    (SELECT count(*) FROM trending_tickers),
	    (SELECT count(*) FROM algo_run)" >actual &&
	test_cmp expect actual
'

test_expect_success 'export gives the stored events back' '
	liu-db export --batch bt1 >actual &&
	test_cmp "$TEST_DATA/db-golden-export.ndjson" actual
'

test_expect_success 'export --what fills' '
	grep "\"ev\":\"fill\"" "$TEST_DATA/db-golden-export.ndjson" >expect &&
	liu-db export --batch bt1 --what fills >actual &&
	test_cmp expect actual &&
	liu-db export --batch nosuch >actual &&
	test ! -s actual
'

test_expect_success 'export of an export stores nothing new' '
	liu-db export --batch bt1 | store >/dev/null &&
	echo "3|2" >expect &&
	pg_sql "SELECT (SELECT count(*) FROM new_trades),
	    (SELECT count(*) FROM orders)" >actual &&
	test_cmp expect actual
'

test_expect_success 'batches lists the run' '
	printf "bt1\tBACKTEST\t2024-03-01T14:30:00Z\t2024-03-01T15:00:00Z\tmomentum_long\t3\t2\n" >expect &&
	liu-db batches >actual &&
	test_cmp expect actual
'

test_expect_success 'SQL in symbols, ids and strategy names is stored verbatim' '
	store <"$TEST_DATA/db-inject.ndjson" >out &&
	test_cmp "$TEST_DATA/db-inject.ndjson" out &&
	liu-db export --batch inj >actual &&
	test_cmp "$TEST_DATA/db-inject-export.ndjson" actual &&
	echo "5|3|3" >expect &&
	pg_sql "SELECT count(*), count(DISTINCT symbol),
	    (SELECT count(*) FROM algo_run) FROM new_trades" >actual &&
	test_cmp expect actual &&
	echo "\\N|f" >expect &&
	pg_sql "SELECT symbol, symbol IS NULL FROM new_trades
	    WHERE batch_id = '\''inj'\'' AND price = 2" >actual &&
	test_cmp expect actual
'

test_expect_success 'kv set, get, overwrite, list, del' '
	liu-db kv set ml.max 8 &&
	echo 8 >expect &&
	liu-db kv get ml.max >actual &&
	test_cmp expect actual &&
	liu-db kv set ml.max 9 &&
	liu-db kv set ml.min 1 &&
	liu-db kv set other x &&
	printf "ml.max\t9\nml.min\t1\n" >expect &&
	liu-db kv list ml. >actual &&
	test_cmp expect actual &&
	liu-db kv del ml.max &&
	test_expect_code 1 liu-db kv get ml.max >actual &&
	test ! -s actual &&
	test_expect_code 1 liu-db kv del ml.max
'

test_expect_success 'kv keys and values with SQL in them' '
	k="a'\''b; DROP TABLE keystore;--" &&
	v="x'\''); DELETE FROM keystore; --" &&
	liu-db kv set "$k" "$v" &&
	printf "%s\n" "$v" >expect &&
	liu-db kv get "$k" >actual &&
	test_cmp expect actual &&
	liu-db kv get other >actual &&
	echo x >expect &&
	test_cmp expect actual
'

test_expect_success 'ohlc load stores daily bars, one per symbol and day' '
	liu-db ohlc load "$TEST_DATA/db-bars.ndjson" >out &&
	test ! -s out &&
	cat >expect <<-\EOF &&
	AAPL|2024-03-01|1|2|0.5|1.5|1000||{"ema12": 1.25}
	AAPL|2024-03-02|1.5|2.5|1|2|2000|40|
	MSFT|2024-03-01|400|410|399.5|405.25|5000||
	EOF
	pg_sql "SELECT symbol, day, open, high, low, close, volume, trades,
	    indicators FROM stock_ohlc ORDER BY symbol, day" >actual &&
	test_cmp expect actual &&
	echo "{\"ev\":\"bar\",\"t\":\"2024-03-01T00:00:00Z\",\"sym\":\"AAPL\",\"tf\":\"1d\",\"o\":1,\"h\":2,\"l\":0.5,\"c\":1.75,\"v\":1100}" |
	liu-db ohlc load &&
	echo "3|1.75" >expect &&
	pg_sql "SELECT count(*), max(close) FILTER (WHERE symbol = '\''AAPL'\''
	    AND day = '\''2024-03-01'\'') FROM stock_ohlc" >actual &&
	test_cmp expect actual
'

test_expect_success 'account balances follow their transactions' '
	pg_sql "INSERT INTO accounts (name) VALUES ('\''main'\'')" &&
	pg_sql "INSERT INTO account_transactions (account_id, kind, amount)
	    SELECT id, '\''deposit'\'', 1000.50 FROM accounts" &&
	pg_sql "INSERT INTO account_transactions (account_id, kind, amount)
	    SELECT id, '\''withdrawal'\'', -200.25 FROM accounts" &&
	echo "800.25|1000.50,800.25" >expect &&
	pg_sql "SELECT balance, (SELECT string_agg(balance_after::text, '\'','\''
	    ORDER BY id) FROM account_transactions) FROM accounts" >actual &&
	test_cmp expect actual &&
	! pg_sql "UPDATE accounts SET balance = 5" 2>err &&
	! pg_sql "DELETE FROM account_transactions" 2>err &&
	! pg_sql "INSERT INTO accounts (name, balance) VALUES ('\''x'\'', 9)" 2>err &&
	echo 800.25 >expect &&
	pg_sql "SELECT balance FROM accounts" >actual &&
	test_cmp expect actual
'

test_expect_success 'LIU_ENV is checked, and recorded' '
	test_expect_code 2 env LIU_ENV=LIVE liu-db store </dev/null 2>err &&
	test_grep "invalid LIU_ENV" err &&
	echo "{\"ev\":\"fill\",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"A\",\"id\":\"p\",\"exec_id\":\"p1\",\"side\":\"buy\",\"qty\":1,\"price\":1,\"batch\":\"pp\"}" |
	LIU_ENV=PAPER store >/dev/null &&
	echo "pp||PAPER" >expect &&
	pg_sql "SELECT batch_id, strategy, environment FROM algo_run
	    WHERE batch_id = '\''pp'\''" >actual &&
	test_cmp expect actual
'

test_expect_success 'the default journal lives under XDG_STATE_HOME or HOME' '
	liu-db store </dev/null &&
	test_path_is_file .local/state/liu/liu-db.journal &&
	XDG_STATE_HOME=$PWD/st liu-db store </dev/null &&
	test_path_is_file st/liu/liu-db.journal
'

# Bad input: reported with its line, skipped, not passed, not stored.
fill='{"ev":"fill","t":"2024-03-01T14:30:00Z","sym":"B","id":"b","side":"buy","qty":1,"price":1,"batch":"bad"'

test_expect_success 'malformed JSON, missing and wrong-typed fields' '
	{
		echo "$fill,\"exec_id\":\"b1\"}" &&
		echo "{\"ev\":\"fill\",\"t\":" &&
		echo "$fill}" &&
		echo "{\"ev\":\"fill\",\"sym\":\"B\",\"id\":\"b\",\"exec_id\":\"b2\",\"side\":\"buy\",\"qty\":1,\"price\":1}" &&
		echo "$fill,\"exec_id\":\"b3\",\"qty\":\"ten\"}" &&
		echo "$fill,\"exec_id\":\"b4\",\"side\":\"hold\"}" &&
		echo "[1,2]" &&
		echo "$fill,\"exec_id\":\"b5\"}"
	} >in &&
	test_expect_code 1 store <in >out 2>err &&
	sed -n "1p;8p" in >expect &&
	test_cmp expect out &&
	test_grep "<stdin>:2: bad event" err &&
	test_grep "<stdin>:3: bad event: missing \"exec_id\"" err &&
	test_grep "<stdin>:4: bad event: missing \"t\"" err &&
	test_grep "<stdin>:5: bad event" err &&
	test_grep "<stdin>:6: bad event" err &&
	test_grep "<stdin>:7: bad event" err &&
	test_grep "skipped 6 bad lines" err &&
	echo "b1,b5" >expect &&
	pg_sql "SELECT string_agg(exec_id, '\'','\'' ORDER BY exec_id)
	    FROM new_trades WHERE batch_id = '\''bad'\''" >actual &&
	test_cmp expect actual
'

test_expect_success '--strict stops at the first bad line' '
	test_expect_code 1 store --strict <in >out 2>err &&
	sed -n 1p in >expect &&
	test_cmp expect out &&
	test_grep ":2:" err
'

test_expect_success 'a 10 MiB line, binary junk and invalid UTF-8' '
	{
		echo "$fill,\"exec_id\":\"c1\"}" &&
		liu_long_line 10485760 &&
		liu_random_bytes 4096 &&
		echo &&
		printf "%s,\"exec_id\":\"c2\",\"strategy\":\"\\377\\376\"}\n" "$fill" &&
		echo "$fill,\"exec_id\":\"c3\"}"
	} >in &&
	test_expect_code 1 store <in >out 2>err &&
	printf "%s\n" "$fill,\"exec_id\":\"c1\"}" "$fill,\"exec_id\":\"c3\"}" >expect &&
	test_cmp expect out &&
	test_grep "line too long" err &&
	test_grep "skipped" err &&
	echo "c1,c3" >expect &&
	pg_sql "SELECT string_agg(exec_id, '\'','\'' ORDER BY exec_id)
	    FROM new_trades WHERE exec_id LIKE '\''c%'\''" >actual &&
	test_cmp expect actual
'

test_expect_success 'CRLF, empty lines and a last line without newline' '
	printf "%s\r\n\r\n\n%s" "$fill,\"exec_id\":\"d1\"}" "$fill,\"exec_id\":\"d2\"}" >in &&
	store <in >out 2>err &&
	test ! -s err &&
	printf "%s\n" "$fill,\"exec_id\":\"d1\"}" "$fill,\"exec_id\":\"d2\"}" >expect &&
	test_cmp expect out &&
	echo 2 >expect &&
	pg_sql "SELECT count(*) FROM new_trades WHERE exec_id LIKE '\''d%'\''" >actual &&
	test_cmp expect actual &&
	printf "%s\n%s" "$fill,\"exec_id\":\"d3\"}" "$fill,\"exec_id\":\"d4\"" >in &&
	test_expect_code 1 store <in >out 2>err &&
	test_grep "<stdin>:2:" err
'

test_expect_success 'a database rejecting one event: the rest is stored' '
	{
		echo "$fill,\"exec_id\":\"r1\"}" &&
		echo "$fill,\"exec_id\":\"r2\",\"why\":{\"a\":\"\\u0000\"}}" &&
		echo "$fill,\"exec_id\":\"r3\"}"
	} >in &&
	test_expect_code 1 store <in >out 2>err &&
	test_cmp in out &&
	test_grep "database rejected an event" err &&
	echo "r1,r3" >expect &&
	pg_sql "SELECT string_agg(exec_id, '\'','\'' ORDER BY exec_id)
	    FROM new_trades WHERE exec_id LIKE '\''r%'\''" >actual &&
	test_cmp expect actual
'

test_expect_success 'setup a long stream' '
	awk "BEGIN { for (i = 0; i < 200000; i++)
	    printf \"{\\\"ev\\\":\\\"trade\\\",\\\"t\\\":\\\"2024-03-01T14:30:00Z\\\",\\\"sym\\\":\\\"S%d\\\",\\\"price\\\":1.5,\\\"size\\\":%d}\\n\", i % 100, i }" >big &&
	test_line_count = 200000 big
'

test_expect_success 'downstream closing ends store with SIGPIPE (141)' '
	{ store <big; echo $? >rc; } | head -n 1 >out &&
	test "$(cat rc)" = 141 &&
	test_line_count = 1 out
'

test_expect_success 'SIGTERM: whole lines out, the fills read are stored, 143' '
	awk "BEGIN { for (i = 0; i < 3000; i++)
	    printf \"{\\\"ev\\\":\\\"fill\\\",\\\"t\\\":\\\"2024-03-01T14:30:00Z\\\",\\\"sym\\\":\\\"S\\\",\\\"id\\\":\\\"o\\\",\\\"exec_id\\\":\\\"t%d\\\",\\\"side\\\":\\\"buy\\\",\\\"qty\\\":1,\\\"price\\\":1,\\\"batch\\\":\\\"term\\\"}\\n\", i }" >tf &&
	mkfifo fifo &&
	{ (liu-db store --journal j <fifo >out 2>err & echo $! >pid; wait $!; echo $? >rc) & } &&
	exec 3>fifo &&
	cat tf >&3 &&
	test_wait_for "test \$(wc -l <out) -eq 3000" &&
	kill -TERM "$(cat pid)" &&
	test_wait_for "test -s rc" &&
	exec 3>&- &&
	wait &&
	test "$(cat rc)" = 143 &&
	test_cmp tf out &&
	echo 3000 >expect &&
	pg_sql "SELECT count(*) FROM new_trades WHERE batch_id = '\''term'\''" >actual &&
	test_cmp expect actual
'

test_expect_success 'usage errors exit 2; --help and --version' '
	liu-db --help >out &&
	test_grep "^usage: liu-db" out &&
	liu-db --version >out &&
	test_grep "^liu-db [0-9]" out &&
	test_expect_code 2 liu-db 2>err &&
	test_expect_code 2 liu-db frobnicate 2>err &&
	test_grep "unknown command" err &&
	test_expect_code 2 liu-db --no-such-option store 2>err &&
	test_expect_code 2 liu-db export 2>err &&
	test_expect_code 2 liu-db export --batch x --what nothing 2>err &&
	test_expect_code 2 liu-db kv get 2>err &&
	test_expect_code 2 liu-db kv set k 2>err &&
	test_expect_code 2 liu-db store --linger soon </dev/null 2>err &&
	test_expect_code 2 liu-db store a b 2>err
'

test_expect_success 'no database: a clear error and exit 3' '
	test_expect_code 3 env PGHOST=/nonexistent liu-db kv get x 2>err &&
	test_grep "cannot connect to the database" err &&
	test_expect_code 3 env PGHOST=/nonexistent liu-db migrate 2>err
'

test_done
