#!/bin/sh
test_description='liu-optimize and the multi-day liu-backtest on GNU parallel

The grid of [optimizer] (liu-plan --grid), exact for int and float
parameters; bad optimizer sections refused with the key named; the days of
a backtest and the points of a grid as jobs of GNU parallel, the same
results whatever -j, resumable through --joblog, and on another machine
through --sshlogin to a private sshd on loopback (t/lib-sshd.sh).'
. "$(dirname "$0")/test-lib.sh"
. "$SRC_DIR/t/lib-sshd.sh"

# plan NAME HYPER...: a plan of vwap_long alone with these lines of
# [optimizer.hyperparameters.strategies.vwap_long]
plan () {
	name=$1
	shift
	{
		printf '%s\n' 'portfolio_value = 25000.0' 'risk = 0.01' \
		    '[strategies.vwap_long]' \
		    'schedule = [{ start = 5, duration = 380 }]' \
		    '[route]' 'shards = 2' '[optimizer]' \
		    'start_date = 2024-01-02' 'end_date = 2024-01-03' \
		    '[optimizer.hyperparameters.strategies.vwap_long]'
		printf '%s\n' "$@"
	} >"$name"
}

# grid PLAN: the points' parameters, one line a point
grid () {
	liu-plan --grid "$1" | jq -r '.args | join(" ")'
}

test_expect_success 'the grid of examples/tradeplan.toml, exactly' '
	liu-plan --grid "$SRC_DIR/examples/tradeplan.toml" >g &&
	test_line_count = 9 g &&
	head -n 1 g >first &&
	echo "{\"point\":1,\"params\":{\"vwap_long.reward\":1.5,\"vwap_long.rsi_max\":65},\"args\":[\"vwap_long.reward=1.5\",\"vwap_long.rsi_max=65\"],\"start_date\":\"2024-01-02\",\"end_date\":\"2024-01-31\"}" >expect &&
	test_cmp expect first &&
	jq -r "[.point, .params[\"vwap_long.reward\"], .params[\"vwap_long.rsi_max\"]] | @tsv" g >got &&
	printf "%s\t%s\t%s\n" 1 1.5 65 2 1.5 70 3 1.5 75 4 2 65 5 2 70 6 2 75 \
	    7 2.5 65 8 2.5 70 9 2.5 75 >expect &&
	test_cmp expect got
'

test_expect_success 'float steps are exact: 0.1 + 0.2 is 0.3' '
	plan p.toml "x = { param_type = \"float\", min = 0.1, max = 0.3, delta = 0.1 }" &&
	grid p.toml >got &&
	printf "%s\n" vwap_long.x=0.1 vwap_long.x=0.2 vwap_long.x=0.3 >expect &&
	test_cmp expect got &&
	plan p.toml "x = { param_type = \"float\", min = 0.0001, max = 0.0003, delta = 0.0001 }" &&
	grid p.toml >got &&
	printf "%s\n" vwap_long.x=0.0001 vwap_long.x=0.0002 vwap_long.x=0.0003 >expect &&
	test_cmp expect got
'

test_expect_success 'a max off the grid, min = max, a delta past the range' '
	plan p.toml "x = { param_type = \"float\", min = 0, max = 1, delta = 0.3 }" &&
	grid p.toml >got &&
	printf "%s\n" vwap_long.x=0 vwap_long.x=0.3 vwap_long.x=0.6 vwap_long.x=0.9 >expect &&
	test_cmp expect got &&
	plan p.toml "x = { param_type = \"float\", min = 2.5, max = 2.5, delta = 0.5 }" &&
	grid p.toml >got && echo vwap_long.x=2.5 >expect && test_cmp expect got &&
	plan p.toml "x = { param_type = \"int\", min = 3, max = 7, delta = 10 }" &&
	grid p.toml >got && echo vwap_long.x=3 >expect && test_cmp expect got &&
	plan p.toml "x = { param_type = \"float\", min = -0.5, max = 0.5, delta = 0.25 }" &&
	grid p.toml >got &&
	printf "vwap_long.x=%s\n" -0.5 -0.25 0 0.25 0.5 >expect && test_cmp expect got
'

test_expect_success 'int parameters: delta 1 by default, a delta that skips max' '
	plan p.toml "n = { param_type = \"int\", min = 9, max = 12 }" &&
	grid p.toml >got &&
	printf "vwap_long.n=%s\n" 9 10 11 12 >expect && test_cmp expect got &&
	plan p.toml "n = { param_type = \"int\", min = 65, max = 76, delta = 5 }" &&
	grid p.toml >got &&
	printf "vwap_long.n=%s\n" 65 70 75 >expect && test_cmp expect got
'

test_expect_success 'three parameters: the cartesian product, the last fastest' '
	plan p.toml "a = { param_type = \"int\", min = 1, max = 2 }" \
	    "b = { param_type = \"float\", min = 0.5, max = 1, delta = 0.5 }" \
	    "c = { param_type = \"int\", min = 10, max = 30, delta = 10 }" &&
	grid p.toml >got &&
	for a in 1 2; do for b in 0.5 1; do for c in 10 20 30; do
		echo "vwap_long.a=$a vwap_long.b=$b vwap_long.c=$c"
	done; done; done >expect &&
	test_cmp expect got &&
	liu-plan --grid p.toml | jq -r .point | tr "\n" " " >points &&
	printf "%s " 1 2 3 4 5 6 7 8 9 10 11 12 >expect &&
	test_cmp expect points
'

# bad HYPER-LINE KEY: the plan is refused, exit 2, naming KEY and its line
bad () {
	plan bad.toml "$1" &&
	test_expect_code 2 liu-plan --grid bad.toml >out 2>err &&
	test_must_be_empty out &&
	test_grep "^liu-plan: bad.toml:11:[0-9]*: .*$2" err
}

test_expect_success 'bad hyperparameters are refused, the key named' '
	bad "x = { param_type = \"float\", min = 1, max = 2, delta = 0 }" \
	    "optimizer.hyperparameters.vwap_long.x.delta: a delta > 0" &&
	bad "x = { param_type = \"float\", min = 1, max = 2, delta = -0.5 }" \
	    "optimizer.hyperparameters.vwap_long.x.delta: a delta > 0" &&
	bad "x = { param_type = \"float\", min = 1, max = 2 }" \
	    "optimizer.hyperparameters.vwap_long.x.delta: a delta > 0" &&
	bad "x = { param_type = \"int\", min = 5, max = 2 }" \
	    "optimizer.hyperparameters.vwap_long.x.max: less than min" &&
	bad "x = { param_type = \"int\", min = 1.5, max = 2 }" \
	    "optimizer.hyperparameters.vwap_long.x: an int parameter takes whole numbers" &&
	bad "x = { param_type = \"int\", min = 1, max = 9, delta = 1.5 }" \
	    "optimizer.hyperparameters.vwap_long.x: an int parameter takes whole numbers" &&
	bad "x = { param_type = \"double\", min = 1, max = 2 }" \
	    "optimizer.hyperparameters.vwap_long.x.param_type: not one of int, float" &&
	bad "x = { param_type = \"int\", min = 1 }" \
	    "optimizer.hyperparameters.vwap_long.x: param_type, min and max are needed" &&
	bad "x = { param_type = \"int\", min = 1, max = 2, step = 1 }" \
	    "optimizer.hyperparameters.vwap_long.x: only param_type, min, max and delta" &&
	bad "x = { param_type = \"int\", min = \"1\", max = 2 }" \
	    "optimizer.hyperparameters.vwap_long.x.min: a finite number is needed" &&
	bad "x = { param_type = \"float\", min = 0, max = 1, delta = 1e-16 }" \
	    "optimizer.hyperparameters.vwap_long.x: more than 15 decimals" &&
	bad "x = 3" \
	    "optimizer.hyperparameters.vwap_long.x: {param_type, min, max, delta} is needed" &&
	bad "x = { param_type = \"int\", min = 0, max = 1000000 }" \
	    "optimizer.hyperparameters.vwap_long.x: more than 100000 values"
'

test_expect_success 'bad optimizer sections are refused, the key named' '
	plan bad.toml "a = { param_type = \"int\", min = 1, max = 1000 }" \
	    "b = { param_type = \"int\", min = 1, max = 1000 }" &&
	test_expect_code 2 liu-plan --grid bad.toml 2>err &&
	test_grep "optimizer.hyperparameters: more than 100000 points" err &&
	sed "s/^end_date = .*/end_date = 2023-12-01/" "$SRC_DIR/examples/tradeplan.toml" >bad.toml &&
	test_expect_code 2 liu-plan --grid bad.toml 2>err &&
	test_grep "^liu-plan: bad.toml:[0-9]*:[0-9]*: optimizer: end_date before start_date" err &&
	sed "s/^start_date = .*/start_date = \"2024-13-01\"/" "$SRC_DIR/examples/tradeplan.toml" >bad.toml &&
	test_expect_code 2 liu-plan --grid bad.toml 2>err &&
	test_grep "optimizer.start_date: a date" err &&
	sed "s/^\[optimizer.hyperparameters.strategies.vwap_long\]/[optimizer.hyperparameters.strategies.nosuch]/" \
	    "$SRC_DIR/examples/tradeplan.toml" >bad.toml &&
	test_expect_code 2 liu-plan --grid bad.toml 2>err &&
	test_grep "optimizer.hyperparameters: .nosuch. is no strategy of the plan" err &&
	sed "/^\[optimizer\]/,/^# liu/d" "$SRC_DIR/examples/tradeplan.toml" >none.toml &&
	test_expect_code 2 liu-plan --grid none.toml 2>err &&
	test_grep "no \[optimizer.hyperparameters.strategies.NAME\]" err &&
	test_expect_code 2 liu-optimize -o o none.toml day.ndjson 2>err &&
	test_grep "no \[optimizer.hyperparameters.strategies.NAME\]" err
'

test_expect_success 'liu-plan -p: after the plan'"'"'s parameters; --no-report' '
	liu-plan -p vwap_long.reward=2.25 --no-report --backtest d.ndjson \
	    "$SRC_DIR/examples/tradeplan.toml" >s.sh &&
	tr -d "\\\\\n" <s.sh >flat &&
	test_grep "rsi_min=30'"'"'[[:space:]]*-p '"'"'vwap_long.reward=2.25'"'"'[[:space:]]*--" flat &&
	! test_grep liu-analyze s.sh &&
	test_expect_code 2 liu-plan -p reward --backtest d.ndjson \
	    "$SRC_DIR/examples/tradeplan.toml" 2>err &&
	test_grep "STRATEGY.KEY=VALUE is needed" err &&
	test_expect_code 2 liu-plan --no-report --paper \
	    "$SRC_DIR/examples/tradeplan.toml" 2>/dev/null
'

# three days of a synthetic market of 4 symbols, one file a day
test_expect_success 'setup: the days' '
	mkdir days &&
	for d in 2024-01-02 2024-01-03 2024-01-04; do
		liu-stream synth --types bar --symbols 4 \
		    --seed "$(echo $d | tr -d -)" --max \
		    --start ${d}T14:30:00Z --duration 1d >days/$d.ndjson || exit
	done &&
	plan vl.toml \
	    "reward = { param_type = \"float\", min = 1.5, max = 2.5, delta = 0.5 }" \
	    "rsi_max = { param_type = \"int\", min = 60, max = 70, delta = 5 }"
'

LIU_BATCH_ID=run1
export LIU_BATCH_ID

test_expect_success 'liu-backtest over days: the same with -j1 and -j3' '
	liu-backtest -P vl.toml -d days --from 2024-01-02 --to 2024-01-03 \
	    -o j1 -j 1 >out1 2>err1 &&
	liu-backtest -P vl.toml -o j3 -j 3 -D days/2024-01-02.ndjson \
	    days/2024-01-03.ndjson >out3 2>err3 &&
	test_cmp j1/trades.ndjson j3/trades.ndjson &&
	test_cmp j1/session.ndjson j3/session.ndjson &&
	test_cmp out1 out3 &&
	test -s j1/trades.ndjson &&
	jq -r .t j1/trades.ndjson | cut -c1-10 | sort -u >dates &&
	printf "%s\n" 2024-01-02 2024-01-03 >expect && test_cmp expect dates &&
	test_grep "return period  *1d (" out1 &&
	test_grep "capital  *25000.00" out1 &&
	test_grep "<html" j1/report.html
'

test_expect_success 'the days run one by one give the same trades' '
	for d in 2024-01-02 2024-01-03; do
		liu-backtest -P vl.toml -o one-$d days/$d.ndjson >/dev/null 2>&1 ||
			exit
	done &&
	cat one-*/trades.ndjson | sort >a &&
	sort j1/trades.ndjson >b &&
	test_cmp a b
'

test_expect_success 'liu-backtest --joblog --resume runs only what is left' '
	liu-backtest -P vl.toml -d days -o r -j 2 --joblog jl >/dev/null 2>&1 &&
	test_line_count = 4 jl &&
	cp r/trades.ndjson first &&
	rm r/days/2024-01-03.ndjson &&
	sed -i "/2024-01-03/d" jl &&
	liu-backtest -P vl.toml -d days -o r -j 2 --joblog jl --resume \
	    >/dev/null 2>&1 &&
	test_line_count = 4 jl &&
	test_cmp first r/trades.ndjson
'

test_expect_success 'liu-backtest: usage errors' '
	test_expect_code 2 liu-backtest -j 2 days/2024-01-02.ndjson 2>err &&
	test_grep "are for -D or -d" err &&
	test_expect_code 2 liu-backtest -d nosuch 2>err &&
	test_grep "no such directory" err &&
	test_expect_code 2 liu-backtest -d days --from 2024-02-01 2>err &&
	test_grep "no day files" err &&
	test_expect_code 2 liu-backtest -d days --from 1.1.2024 2>err &&
	test_grep "a date YYYY-MM-DD is needed" err &&
	test_expect_code 2 liu-backtest -o dup -D days/2024-01-02.ndjson \
	    days/../days/2024-01-02.ndjson 2>err &&
	test_grep "two days named" err
'

test_expect_success 'liu-optimize 3x3 over 2 days: the same results with -j1 and -j4' '
	liu-optimize -o o1 -j 1 -d days vl.toml >t1 2>e1 &&
	liu-optimize -o o4 -j 4 -d days vl.toml >t4 2>e4 &&
	test_cmp o1/results.ndjson o4/results.ndjson &&
	test_cmp t1 t4 && test_cmp o1/results.txt t1 &&
	test_line_count = 9 o1/results.ndjson &&
	test_line_count = 10 t1 &&
	test_grep "9 points over 2 days" e1
'

test_expect_success 'the points differ, and are ranked best first, ties in grid order' '
	jq -r .total_return o1/results.ndjson | sort -u >returns &&
	test $(wc -l <returns) -ge 3 &&
	jq -r "[.rank, .point, (.sharpe // \"null\")] | @tsv" o1/results.ndjson >ranks &&
	cut -f1 ranks | tr "\n" " " >rk && printf "%s " 1 2 3 4 5 6 7 8 9 >expect &&
	test_cmp expect rk &&
	jq -s -e "[.[] | .sharpe] | . as \$s |
	    [range(1; length) | \$s[. - 1] >= \$s[.]] | all" o1/results.ndjson &&
	jq -s -e "[range(1; length) as \$i | .[\$i - 1] as \$a | .[\$i] as \$b |
	    \$a.sharpe != \$b.sharpe or \$a.point < \$b.point] | all" o1/results.ndjson
'

test_expect_success 'each point has its batch, in its orders and fills' '
	jq -r "[.point, .batch] | @tsv" o1/results.ndjson | sort -n >batches &&
	for p in 1 2 3 4 5 6 7 8 9; do printf "%s\trun1-p%s\n" $p $p; done >expect &&
	test_cmp expect batches &&
	jq -r .batch o1/points/5/*.ndjson | sort -u >b5 &&
	echo run1-p5 >expect && test_cmp expect b5 &&
	jq -r .params o1/grid.ndjson >/dev/null
'

test_expect_success 'each point is the backtest of its parameters' '
	p=$(jq -r "select(.rank == 1) | .point" o1/results.ndjson) &&
	args=$(sed -n "${p}p" o1/grid.ndjson | jq -r ".args[]" | sed "s/^/-p /" | tr "\n" " ") &&
	LIU_BATCH_ID=run1-p$p liu-backtest -P vl.toml $args -d days \
	    --to 2024-01-03 -o check >/dev/null 2>&1 &&
	cat o1/points/$p/2024-01-02.ndjson o1/points/$p/2024-01-03.ndjson >a &&
	test_cmp a check/trades.ndjson
'

test_expect_success 'liu-optimize --joblog --resume: the jobs done are not run again' '
	liu-optimize -o or -j 2 --joblog ojl --from 2024-01-04 --to 2024-01-04 \
	    -d days vl.toml \
	    >first 2>/dev/null &&
	test_line_count = 10 ojl &&
	liu-optimize -o or -j 2 --joblog ojl --resume --from 2024-01-04 \
	    --to 2024-01-04 -d days vl.toml >again 2>/dev/null &&
	test_line_count = 10 ojl &&
	test_cmp first again
'

test_expect_success 'liu-optimize --by return, --by drawdown ascending (resumed)' '
	liu-optimize -o or -j 2 --joblog ojl --resume --from 2024-01-04 \
	    --to 2024-01-04 --by return -d days vl.toml >/dev/null 2>&1 &&
	test_line_count = 10 ojl &&
	jq -r .total_return or/results.ndjson >got &&
	sort -g -r got >expect && test_cmp expect got &&
	liu-optimize -o or -j 2 --joblog ojl --resume --from 2024-01-04 \
	    --to 2024-01-04 --by=drawdown -d days vl.toml >/dev/null 2>&1 &&
	jq -r .max_drawdown_ratio or/results.ndjson >got &&
	sort -g got >expect && test_cmp expect got
'

test_expect_success 'liu-optimize: usage errors' '
	test_expect_code 2 liu-optimize 2>err && test_grep "usage: liu-optimize" err &&
	test_expect_code 2 liu-optimize --by luck -d days vl.toml 2>err &&
	test_grep "luck.: not one of sharpe" err &&
	test_expect_code 2 liu-optimize --resume -d days vl.toml 2>err &&
	test_grep "needs --joblog" err &&
	test_expect_code 2 liu-optimize vl.toml 2>err &&
	test_grep "no days" err &&
	liu-optimize --version >v && test_grep "^liu-optimize [0-9][0-9.]*\$" v
'

if sshd_start
then
	have_sshd=1
else
	echo "# no loopback sshd: $sshd_missing" >&2
	test -n "${LIU_TEST_NO_SKIP:-}" || have_sshd=
fi

ssh_ok () {
	test -n "${have_sshd:-}" && return 0
	liu_t_skip_next="a loopback sshd ($sshd_missing)"
	return 1
}

ssh_ok
test_expect_success 'liu-backtest -S: the days on another machine, the same trades' '
	liu-backtest -P vl.toml -d days --to 2024-01-03 -o remote \
	    -S 2/liu-loop --ssh "ssh -F $SSH_CONFIG" --joblog rjl \
	    >rout 2>rerr &&
	test_cmp j1/trades.ndjson remote/trades.ndjson &&
	test_cmp out1 rout &&
	cut -f 2 rjl | sort -u >hosts &&
	printf "%s\n" Host liu-loop >expect && test_cmp expect hosts &&
	awk -F "\t" "NR > 1 && \$5 == 0 { exit 1 }" rjl
'

ssh_ok
test_expect_success 'liu-optimize -S: the same ranking through the sshlogin' '
	liu-optimize -o oremote -S 2/liu-loop --ssh "ssh -F $SSH_CONFIG" \
	    --joblog ojl2 -d days vl.toml >tr 2>er &&
	test_cmp o4/results.ndjson oremote/results.ndjson &&
	test_cmp t4 tr &&
	cut -f 2 ojl2 | sort -u >hosts &&
	printf "%s\n" Host liu-loop >expect && test_cmp expect hosts &&
	! ls -d "$(ssh -F "$SSH_CONFIG" liu-loop pwd)/.liu-run1" 2>/dev/null
'

test_done
