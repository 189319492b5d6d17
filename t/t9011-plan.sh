#!/bin/sh
test_description='liu-plan: tradeplan.toml to the script that runs it

The sections of a plan become the options of the programs the script
runs; no value of a plan, however hostile, is read by the shell as code;
the script supervises its stages (the first failure, SIGTERM to all,
its FIFO directory removed); a backtest through liu-plan --run gives the
trades of the same pipeline run by hand.'
. "$(dirname "$0")/test-lib.sh"

AAPL=$SRC_DIR/data/aapl-2012-01-26-1m.ndjson

# Fake programs: each writes its arguments, one "[ARG]" a line, and its
# LIU_BATCH_ID and LIU_ENV into a file of its own, fakelog/NAME.PID, opens
# the FIFO of a --feedback as liu-route would, reads its input to the end
# and exits with $FAKE_EXIT_<name> (0).  They run no command they are
# given.
mkdir fake fakelog
for p in liu-stream liu-scan liu-route liu-strategy liu-order liu-db \
	liu-analyze
do
	cat >fake/$p <<-\EOF
	#!/bin/sh
	name=${0##*/}
	{
		echo "$name"
		for a
		do
			printf '[%s]\n' "$a"
		done
		echo "batch=$LIU_BATCH_ID env=$LIU_ENV"
	} >"$FAKE_LOG/$name.$$"
	prev=
	for a
	do
		[ "$prev" = --feedback ] && { cat "$a" >/dev/null & }
		prev=$a
	done
	cat >/dev/null
	eval "exit \${FAKE_EXIT_$(echo "$name" | tr - _):-0}"
	EOF
	chmod +x fake/$p
done
FAKE_LOG=$TRASH_DIRECTORY/fakelog
export FAKE_LOG
mkdir tmp

# fake_run SCRIPT: run SCRIPT with the fakes first in PATH; fake.log is
# then what they wrote, and fake_args PROG [PATTERN] the arguments of the
# PROG (that has an argument matching PATTERN)
fake_run () {
	rm -f fakelog/* &&
	PATH="$TRASH_DIRECTORY/fake:$PATH" TMPDIR="$TRASH_DIRECTORY/tmp" \
	    sh "$1"
	fake_status=$?
	cat fakelog/* >fake.log
	return $fake_status
}
# joined SCRIPT: the script with its continued lines joined
joined () {
	sed -e :a -e "/\\\\\$/N; s/ *\\\\\n[[:space:]]*/ /; ta" "$1"
}
fake_args () {
	for f in fakelog/$1.*
	do
		if grep -q -e "${2:-.}" "$f"
		then
			sed -e 1d -e \$d "$f"
		fi
	done
}

test_expect_success 'the original'"'"'s plan: MomentumLong, one window' '
	cat >orig.toml <<-\EOF &&
	bypass_market_schedule = true
	portfolio_value = 25000.0
	risk = 0.001
	market_liquidation_end_time_minutes = 15
	[[scanners]]
	    [scanners.momentum]
	        provider = "polygon"
	        min_volume = 30000
	        min_gap = 3.5
	        min_last_dv = 500000
	        min_share_price = 2.0
	        max_share_price = 20.0
	        from_market_open = 15
	        recurrence = 5
	        max_symbols = 440
	        target_strategy_name = "MomentumLong"
	[[strategies]]
	    [strategies.MomentumLong]
	        [[strategies.MomentumLong.schedule]]
	            start = 15
	            duration = 400
	EOF
	liu-plan --paper orig.toml >paper.sh &&
	fake_run paper.sh &&
	fake_args liu-scan >scan &&
	cat >expect <<-\EOF &&
	[momentum]
	[-u]
	[--provider]
	[polygon]
	[--wait-open]
	[15m]
	[--every]
	[5m]
	[--min-volume]
	[30000]
	[--min-change]
	[3.5]
	[--min-last-dv]
	[500000]
	[--min-price]
	[2]
	[--max-price]
	[20]
	[--max-symbols]
	[440]
	[--strategies]
	[momentum_long]
	EOF
	test_cmp expect scan &&
	fake_args liu-route >route &&
	cat >expect <<-\EOF &&
	[-n]
	[2]
	[--feedback]
	EOF
	head -n 3 route >route.head && test_cmp expect route.head &&
	sed -n "/^\[--\]/,\$p" route >strategy &&
	cat >expect <<-\EOF &&
	[--]
	[liu-strategy]
	[-p]
	[portfolio_value=25000]
	[-p]
	[risk=0.001]
	[-p]
	[flatten=15]
	[-p]
	[momentum_long.start=15]
	[-p]
	[momentum_long.duration=400]
	[--]
	[momentum_long]
	EOF
	test_cmp expect strategy
'

test_expect_success 'every stage of a run shares one LIU_BATCH_ID' '
	grep -h "^batch=" fakelog/* | sort -u >batches &&
	test_line_count = 1 batches &&
	test_grep "^batch=[0-9a-f-]\{36\} env=PAPER\$" batches &&
	fake_run paper.sh &&
	grep -h "^batch=" fakelog/* | sort -u >batches2 &&
	test_line_count = 1 batches2 &&
	! test_cmp batches batches2 2>/dev/null &&
	(LIU_BATCH_ID=mine && export LIU_BATCH_ID && fake_run paper.sh) &&
	grep -h "^batch=" fakelog/* | sort -u >batches &&
	echo "batch=mine env=PAPER" >expect && test_cmp expect batches
'

test_expect_success 'the pipeline of --paper and --live' '
	ls fakelog | sed "s/\.[0-9]*\$//" | sort >progs &&
	printf "%s\n" liu-order liu-route liu-scan liu-stream >expect &&
	test_cmp expect progs &&
	fake_args liu-order | head -n 2 >order &&
	printf "[alpaca]\n[--paper]\n" >expect && test_cmp expect order &&
	liu-plan --live orig.toml >live.sh &&
	fake_run live.sh &&
	fake_args liu-order | head -n 2 >order &&
	printf "[alpaca]\n[--live]\n" >expect && test_cmp expect order &&
	test_grep "env=PROD" fake.log &&
	test_grep "^liu-order .alpaca. --live" live.sh
'

test_expect_success '[order]: liu-order sim'"'"'s checks; liquidation by the engine' '
	cat >sim.toml <<-\EOF &&
	portfolio_value = 5000
	broker = "sim"
	[data]
	symbols = ["AAPL"]
	[strategies.vwap_long]
	[order]
	margin = 2
	max_fill_qty = 100
	liquidate_before_close = 20
	EOF
	liu-plan --paper sim.toml >sim.sh &&
	fake_run sim.sh &&
	fake_args liu-order >args &&
	printf "%s\n" "[sim]" "[--pass]" "[--capital]" "[5000]" "[--margin]" \
	    "[2]" "[--max-fill-qty]" "[100]" >expect &&
	test_cmp expect args &&
	fake_args liu-route >args &&
	test_grep -x "\[--pass\]" args &&
	test_grep -x "\[flatten=20\]" args &&
	test_expect_code 2 liu-plan --live sim.toml 2>err &&
	test_grep "use --paper" err &&
	sed "/^broker/d" sim.toml >alpaca.toml &&
	test_expect_code 2 liu-plan --paper alpaca.toml 2>err &&
	test_grep "alpaca.toml:6:1: order.margin: an option of liu-order sim" err &&
	printf "market_liquidation_end_time_minutes = 5\n" >two.toml &&
	cat sim.toml >>two.toml &&
	test_expect_code 2 liu-plan --paper two.toml 2>err &&
	test_grep "two.toml:10:1: liquidate_before_close: the strategies. flatten, given twice" err &&
	printf "[strategies.vwap_long]\n[order]\nmax_daily_loss = 500\n" >later.toml &&
	test_expect_code 2 liu-plan --paper later.toml 2>err &&
	test_grep "later.toml:3:1: order.max_daily_loss: liu-order has no such limit yet" err
'

test_expect_success 'the FIFO directory is gone after the run' '
	ls tmp >left && test_must_be_empty left
'

test_expect_success 'both spellings of the change, but not both at once' '
	sed "s/min_gap/today_change_percent/" orig.toml >tcp.toml &&
	liu-plan --paper tcp.toml >tcp.sh &&
	test_grep -e "--min-change .3\.5." tcp.sh &&
	sed "s/min_gap = 3.5/min_gap = 3.5\n        today_change_percent = 4/" \
	    orig.toml >both.toml &&
	test_expect_code 2 liu-plan --paper both.toml 2>err &&
	test_grep "both.toml:10:9: scanners.momentum: today_change_percent and min_gap are one criterion" err
'

test_expect_success 'the built-ins by the original'"'"'s names and files' '
	cat >names.toml <<-\EOF &&
	[strategies.A]
	filename = "strategies/momentum_long.py"
	[strategies.VWAPLong]
	[strategies.vwap_short]
	[strategies.mine]
	plugin = "./my.so"
	threshold = 2.5
	flag = true
	EOF
	liu-plan --backtest x.ndjson names.toml >bt0.sh &&
	joined bt0.sh >bt.sh &&
	test_grep -e "-- .momentum_long. .vwap_long. .vwap_short. .\./my\.so." bt.sh &&
	test_grep -e "-p .mine\.threshold=2\.5. -p .mine\.flag=1." bt.sh
'

test_expect_success 'a Python strategy of the original: a clear error' '
	cat >py.toml <<-\EOF &&
	[strategies.MomentumLongV3]
	filename = "./momentum_long_simplified.py"
	EOF
	test_expect_code 2 liu-plan --backtest x py.toml 2>err &&
	test_grep "^liu-plan: py.toml:2:1: strategies.MomentumLongV3: filename .\./momentum_long_simplified\.py.: liu runs no Python" err &&
	test_grep "command = \[\"program\", \"arg\", \.\.\.\]" err &&
	test_grep "plugin = \"\./x\.so\"" err &&
	printf "[strategies.TrendFollow]\nx = 1\n" >tf.toml &&
	test_expect_code 2 liu-plan --backtest x tf.toml 2>err &&
	test_grep "tf.toml:1:[0-9]*: strategies.TrendFollow: not a built-in" err &&
	test_grep "plugin = " err
'

test_expect_success 'what a plan cannot say: each an error with its place' '
	printf "[strategies.vwap_long]\nschedule = [{start = 5, duration = 10}, {start = 100, duration = 10}]\n" >two.toml &&
	test_expect_code 2 liu-plan --backtest x two.toml 2>err &&
	test_grep "two.toml:2:[0-9]*: strategies.vwap_long.schedule: 2 windows" err &&
	printf "risk = 0.01\nrisc = 1\n[strategies.vwap_long]\n" >typo.toml &&
	test_expect_code 2 liu-plan --backtest x typo.toml 2>err &&
	test_grep "typo.toml:2:1: .risc.: unknown key" err &&
	printf "[strategies.vwap_long]\n[route]\nshards = 0\n" >sh.toml &&
	test_expect_code 2 liu-plan --backtest x sh.toml 2>err &&
	test_grep "sh.toml:3:1: shards: out of range" err &&
	printf "[strategies.vwap_long]\nrsi_max = \"high\"\n" >str.toml &&
	test_expect_code 2 liu-plan --backtest x str.toml 2>err &&
	test_grep "are numbers" err &&
	printf "portfolio_value = 1\n" >none.toml &&
	test_expect_code 2 liu-plan --backtest x none.toml 2>err &&
	test_grep "nothing would trade" err &&
	printf "a = [1,\n" >bad.toml &&
	test_expect_code 2 liu-plan --backtest x bad.toml 2>err &&
	test_grep "^liu-plan: bad.toml:[0-9]*:[0-9]*: " err &&
	test_expect_code 3 liu-plan --backtest x missing.toml 2>err &&
	test_grep "cannot open .missing.toml." err
'

test_expect_success 'the modes: from the plan, or the command line' '
	printf "[strategies.vwap_long]\n" >bare.toml &&
	test_expect_code 2 liu-plan bare.toml 2>err &&
	test_grep "no environment in the plan" err &&
	printf "environment = \"backtest\"\n[strategies.vwap_long]\n" >env.toml &&
	test_expect_code 2 liu-plan env.toml 2>err &&
	test_grep "a backtest needs FILEs" err &&
	test_expect_code 2 liu-plan --paper env.toml 2>err &&
	test_grep "nothing to watch" err &&
	test_expect_code 2 liu-plan --paper --live env.toml 2>err &&
	test_grep "^usage: liu-plan" err &&
	test_expect_code 2 liu-plan --paper a.ndjson env.toml 2>err &&
	test_expect_code 2 liu-plan 2>err
'

# The values of this plan try every way into a shell: quotes, $(...),
# backticks, newlines, globs, separators; each must reach its program as
# one argument, byte for byte, and nothing may run.
test_expect_success 'no value of a plan is read as code' '
	cat >evil.toml <<-\EOF &&
	portfolio_value = 1000
	[scanners.momentum]
	where = "\"; touch pwned1; \" '"'"'$(touch pwned2)'"'"' `touch pwned3`"
	target_strategy_name = "x$(touch pwned4)"
	[scanners.other]
	command = ["liu-scan", "scan\nprog", "a b", "*", "$HOME", "\\", "'"'"'", "--x;touch pwned5"]
	[strategies."x$(touch pwned4)"]
	command = ["my strategy", "`touch pwned6`", "&& touch pwned7 &&"]
	"k'"'"';touch pwned8;'"'"'" = 1
	[strategies.vwap_long]
	"a\nb$(touch pwned9)" = 2
	[data]
	symbols = ["AAPL", "$(touch pwned10)", "x\n;touch pwned11"]
	[database]
	dsn = "host='"'"'$(touch pwned12)'"'"'\n`touch pwned13`"
	[backtest]
	slippage = "1c$(touch pwned14)"
	EOF
	liu-plan --paper evil.toml >evil.sh &&
	fake_run evil.sh &&
	fake_args liu-scan "^\[momentum\]" >args &&
	printf "%s\n" "[momentum]" "[-u]" "[--where]" \
	    "[\"; touch pwned1; \" '"'"'\$(touch pwned2)'"'"' \`touch pwned3\`]" \
	    "[--strategies]" "[x\$(touch pwned4)]" >expect &&
	test_cmp expect args &&
	fake_args liu-scan "^\[scan\$" >args &&
	printf "%s\n" "[scan" "prog]" "[a b]" "[*]" "[\$HOME]" "[\\]" \
	    "['"'"']" "[--x;touch pwned5]" >expect &&
	test_cmp expect args &&
	fake_args liu-route "^\[my strategy\]" |
	sed -n "/^\[--\]/,\$p" | sed 1d >args &&
	printf "%s\n" "[my strategy]" "[\`touch pwned6\`]" \
	    "[&& touch pwned7 &&]" "[-p]" "[k'"'"';touch pwned8;'"'"'=1]" \
	    >expect &&
	test_cmp expect args &&
	fake_args liu-route "vwap_long" | grep -A1 "^\[vwap_long.a\$" >args &&
	printf "%s\n" "[vwap_long.a" "b\$(touch pwned9)=2]" >expect &&
	test_cmp expect args &&
	fake_args liu-stream | sed -n "/^\[--\]/,\$p" | sed 1d >args &&
	printf "%s\n" "[AAPL]" "[\$(touch pwned10)]" "[x" ";touch pwned11]" \
	    >expect &&
	test_cmp expect args &&
	liu-plan -o "o'"'"'\$(touch pwned15)" \
	    --backtest "f \`touch pwned16\`" evil.toml >evil-bt.sh &&
	fake_run evil-bt.sh &&
	fake_args liu-stream "^\[f " >args &&
	printf "%s\n" "[replay]" "[--max]" "[--]" "[f \`touch pwned16\`]" \
	    >expect &&
	test_cmp expect args &&
	fake_args liu-route "^\[--slippage\]" | grep -A1 "^\[--slippage\]" >args &&
	printf "%s\n" "[--slippage]" "[1c\$(touch pwned14)]" >expect &&
	test_cmp expect args &&
	fake_args liu-db >args &&
	printf "%s\n" "[--dsn]" "[host='"'"'\$(touch pwned12)'"'"'" \
	    "\`touch pwned13\`]" >expect &&
	head -n 3 args >args.head && test_cmp expect args.head &&
	test -d "o'"'"'\$(touch pwned15)" &&
	find . -name "pwned*" >found &&
	test_must_be_empty found
'

test_expect_success 'a NUL byte in a value is refused' '
	printf "[strategies.vwap_long]\n[data]\nsymbols = [\"A\\\\u0000B\"]\n" >nul.toml &&
	test_expect_code 2 liu-plan --paper nul.toml 2>err &&
	test_grep "a NUL byte" err
'

test_expect_success 'the first stage that failed gives the status' '
	liu-plan --paper orig.toml >paper.sh &&
	s=0 &&
	(FAKE_EXIT_liu_route=5 FAKE_EXIT_liu_scan=4 &&
	 export FAKE_EXIT_liu_route FAKE_EXIT_liu_scan &&
	 fake_run paper.sh) 2>err || s=$? &&
	test "$s" = 4 &&
	test_grep "^liu-plan: stage 1 (liu-scan) failed with status 4\$" err &&
	test_expect_code 5 env FAKE_EXIT_liu_route=5 \
	    PATH="$TRASH_DIRECTORY/fake:$PATH" TMPDIR="$TRASH_DIRECTORY/tmp" \
	    liu-plan --run --paper orig.toml 2>err &&
	test_grep "^liu-plan: stage 4 (liu-route) failed with status 5\$" err
'

# Stages that run until stopped, each writing its pid first.
mkdir slow
for p in liu-stream liu-route liu-analyze
do
	cat >slow/$p <<-\EOF
	#!/bin/sh
	echo $$ >>"$SLOW_PIDS"
	exec sleep 600
	EOF
	chmod +x slow/$p
done
SLOW_PIDS=$TRASH_DIRECTORY/slow.pids
export SLOW_PIDS

test_expect_success 'SIGTERM to liu-plan --run reaches every stage' '
	printf "[strategies.vwap_long]\n" >slow.toml &&
	: >"$SLOW_PIDS" &&
	PATH="$TRASH_DIRECTORY/slow:$PATH" TMPDIR="$TRASH_DIRECTORY/tmp" \
	    liu-plan --run --backtest x.ndjson slow.toml >slow.out 2>slow.err &
	plan=$! &&
	test_wait_for "test \$(wc -l <\"$SLOW_PIDS\") -ge 2" &&
	ps -o pid= --ppid "$plan" >child &&
	test_line_count = 1 child &&
	kill -TERM "$plan" &&
	s=0 && wait "$plan" || s=$? &&
	test "$s" = 143 &&
	for pid in $(cat "$SLOW_PIDS")
	do
		test_wait_for "! kill -0 $pid" 10 || return 1
	done &&
	ls tmp >left && test_must_be_empty left
'

test_expect_success 'SIGTERM to the script alone reaches every stage too' '
	liu-plan --backtest x.ndjson slow.toml >slow.sh &&
	: >"$SLOW_PIDS" &&
	PATH="$TRASH_DIRECTORY/slow:$PATH" TMPDIR="$TRASH_DIRECTORY/tmp" \
	    sh slow.sh >slow.out 2>slow.err &
	script=$! &&
	test_wait_for "test \$(wc -l <\"$SLOW_PIDS\") -ge 2" &&
	kill -TERM "$script" &&
	s=0 && wait "$script" || s=$? &&
	test "$s" = 143 &&
	for pid in $(cat "$SLOW_PIDS")
	do
		test_wait_for "! kill -0 $pid" 10 || return 1
	done &&
	ls tmp >left && test_must_be_empty left
'

test_expect_success 'a backtest by liu-plan --run: the trades of the pipeline by hand' '
	cat >bt.toml <<-\EOF &&
	portfolio_value = 25000
	[strategies.MomentumLong]
	[strategies.vwap_long]
	schedule = [{start = 5, duration = 300}]
	rsi_max = 75
	[strategies.vwap_short]
	[route]
	shards = 3
	[backtest]
	commission = 0.005
	EOF
	LIU_BATCH_ID=b1 TMPDIR="$TRASH_DIRECTORY/tmp" \
	    liu-plan --run -o res --backtest "$AAPL" bt.toml >report 2>err &&
	test_grep "^liu-plan: orders and fills in res/trades.ndjson" err &&
	test_grep "^final equity" report &&
	test_path_is_file res/report.html &&
	LIU_BATCH_ID=b1 liu-strategy --fill sim --commission 0.005 \
	    -p portfolio_value=25000 -p vwap_long.start=5 \
	    -p vwap_long.duration=300 -p vwap_long.rsi_max=75 \
	    momentum_long vwap_long vwap_short <"$AAPL" >byhand &&
	test $(grep -c "\"ev\":\"fill\"" byhand) -ge 4 &&
	jq -c -s "sort_by(.t, .id, .ev)[]" byhand >expect &&
	jq -c -s "sort_by(.t, .id, .ev)[]" res/trades.ndjson >actual &&
	test_cmp expect actual &&
	ls tmp >left && test_must_be_empty left
'

test_expect_success 'a command strategy beside the built-ins: its own liu-route' '
	cat >cmd.toml <<-\EOF &&
	[strategies.vwap_long]
	[strategies.quiet]
	command = ["sh", "-c", "echo \"$*\" >>quiet.args; cat >/dev/null", "quiet"]
	level = 3
	EOF
	TMPDIR="$TRASH_DIRECTORY/tmp" liu-plan --run -o cmdout \
	    --backtest "$AAPL" cmd.toml >report &&
	sort -u quiet.args >args &&
	echo "-p level=3" >expect && test_cmp expect args &&
	test_line_count = 2 quiet.args &&
	test_must_be_empty cmdout/trades.1.ndjson &&
	test $(grep -c "\"ev\":\"fill\"" cmdout/trades.ndjson) -ge 2 &&
	test_grep "^final equity" report &&
	ls tmp >left && test_must_be_empty left
'

test_expect_success 'a backtest that scans: liu-scan over the FILEs first' '
	cat >scan.toml <<-\EOF &&
	[scanners.momentum]
	min_gap = 2
	target_strategy_name = "vwap_short"
	[strategies.vwap_short]
	[backtest]
	scan_at = "09:45"
	EOF
	liu-plan --backtest day.ndjson scan.toml >scan.sh &&
	fake_run scan.sh &&
	fake_args liu-scan >args &&
	printf "%s\n" "[momentum]" "[--from]" "[-]" "[--at]" "[09:45]" \
	    "[--min-change]" "[2]" "[--strategies]" "[vwap_short]" >expect &&
	test_cmp expect args &&
	fake_args liu-route | grep -x "\[--require-pick\]" &&
	fake_args liu-stream "picks.ndjson" | tail -n 1 >last &&
	test_grep "/picks.ndjson\]\$" last
'

test_expect_success 'make demo'"'"'s run: the example plan over the AAPL day' '
	TMPDIR="$TRASH_DIRECTORY/tmp" liu-plan --run -o demo \
	    --backtest "$AAPL" "$SRC_DIR/examples/tradeplan.toml" >report &&
	test_grep "^orders and fills:" report &&
	test_grep "^final equity" report &&
	test $(grep -c "\"ev\":\"fill\"" demo/trades.ndjson) -ge 4 &&
	tail -n 3 report | head -n 1 >last &&
	test_grep "^batch " last &&
	test_path_is_file demo/report.html
'

test_expect_success 'examples/tradeplan.toml: every mode makes a valid script' '
	liu-plan --backtest a.ndjson "$SRC_DIR/examples/tradeplan.toml" >1.sh &&
	liu-plan "$SRC_DIR/examples/tradeplan.toml" >2.sh &&
	liu-plan --live "$SRC_DIR/examples/tradeplan.toml" >3.sh &&
	sh -n 1.sh && sh -n 2.sh && sh -n 3.sh &&
	test_grep "^LIU_ENV=PAPER\$" 2.sh &&
	test_grep "^liu-order .alpaca. --paper" 2.sh
'

test_done
