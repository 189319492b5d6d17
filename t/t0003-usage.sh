#!/bin/sh
test_description='every program has the same command-line shape

The usage form (a synopsis, the "-h | --help | --version" line, "See
NAME(1)." last), -h and --help on stdout with exit 0, and option errors
in our words under the program'"'"'s name, not argv[0] as typed, however
the program was run: from PATH, by a path, or through liu.'
. "$(dirname "$0")/test-lib.sh"

progs='liu liu-analyze liu-db liu-mine liu-order liu-plan liu-route liu-scan
	liu-strategy liu-stream liu-ta liu-backtest liu-paper'

for p in $progs
do
	test_expect_success "$p: the usage form, -h and --help alike" '
		$p --help >help 2>err &&
		test_must_be_empty err &&
		head -n 1 help >first &&
		test_grep "^usage: $p " first &&
		test_grep -x "       $p -h | --help | --version" help &&
		tail -n 1 help >last &&
		echo "See $p(1)." >expect &&
		test_cmp expect last &&
		$p -h >h &&
		test_cmp help h
	'
done

# The options a program does not know, and its usage after the message.
for p in $progs
do
	test_expect_success "$p --bogus: unknown option, the usage, exit 2" '
		test_expect_code 2 $p --bogus >out 2>err &&
		test_must_be_empty out &&
		head -n 1 err >first &&
		echo "$p: unknown option '"'"'--bogus'"'"'" >expect &&
		test_cmp expect first &&
		test_grep "^usage: $p " err &&
		$p --help >help &&
		tail -n +2 err >rest &&
		test_cmp help rest
	'
done

test_expect_success 'the name is the base name, run by a path or by liu' '
	ln -s "$SRC_DIR/bin" bin &&
	echo "liu-ta: unknown option '"'"'--bogus'"'"'" >expect &&
	test_expect_code 2 ./bin/liu-ta --bogus 2>err &&
	head -n 1 err >first && test_cmp expect first &&
	test_expect_code 2 "$SRC_DIR/bin/liu-ta" --bogus 2>err &&
	head -n 1 err >first && test_cmp expect first &&
	test_expect_code 2 liu ta --bogus 2>err &&
	head -n 1 err >first && test_cmp expect first &&
	test_expect_code 2 ./bin/liu ta --bogus 2>err &&
	head -n 1 err >first && test_cmp expect first &&
	test_expect_code 2 ./bin/liu-stream replay -x 2>err &&
	test_grep "^liu-stream: unknown option .-x.\$" err &&
	test_grep ! "bin/" err
'

test_expect_success 'an unknown short option, also inside a cluster' '
	test_expect_code 2 liu-route -x -n 2 cat 2>err &&
	test_grep "^liu-route: unknown option .-x.\$" err &&
	test_expect_code 2 liu-ta --strict -xv sma:3 2>err &&
	test_grep "^liu-ta: unknown option .-x.\$" err &&
	test_expect_code 2 liu-ta sma:3 -vx 2>err &&
	test_grep "^liu-ta: unknown option .-x.\$" err
'

test_expect_success 'a missing argument, long or short' '
	test_expect_code 2 liu-ta sma:3 --digits 2>err &&
	test_grep "^liu-ta: missing argument for .--digits.\$" err &&
	test_expect_code 2 liu-strategy momentum_long -p 2>err &&
	test_grep "^liu-strategy: missing argument for .-p.\$" err &&
	test_expect_code 2 liu-strategy momentum_long --param 2>err &&
	test_grep "^liu-strategy: missing argument for .--param.\$" err &&
	test_expect_code 2 liu-analyze --period 2>err &&
	test_grep "^liu-analyze: missing argument for .--period.\$" err &&
	test_expect_code 2 liu-backtest -n 2>err &&
	test_grep "^liu-backtest: missing argument for .-n.\$" err
'

test_expect_success 'an argument to a flag, an ambiguous abbreviation' '
	test_expect_code 2 liu-ta --exact=3 sma:3 2>err &&
	test_grep "^liu-ta: .--exact. takes no argument\$" err &&
	test_expect_code 2 liu-ta --line 9 sma:3 2>err &&
	test_grep "^liu-ta: ambiguous option .--line.\$" err &&
	liu-ta --dig 3 sma:3 </dev/null
'

test_expect_success 'before liu-stream'"'"'s source, and before liu'"'"'s command' '
	test_expect_code 2 liu-stream --max replay 2>err &&
	test_grep "^liu-stream: unknown option .--max.\$" err &&
	test_grep "^usage: liu-stream" err &&
	test_expect_code 2 liu -x 2>err &&
	test_grep "^liu: unknown option .-x.\$" err &&
	test_expect_code 2 liu ../bin/liu-ta 2>err &&
	test_grep "^liu: .\.\./bin/liu-ta. is not a liu command" err
'

# One parser for durations, one message for a bad one.
test_expect_success 'a bad duration: invalid OPTION, exit 2, in every program' '
	test_expect_code 2 liu-route -n 2 --linger 5x cat 2>err &&
	test_grep "^liu-route: invalid --linger: .5x.\$" err &&
	test_expect_code 2 liu-route -n 2 -l soon cat 2>err &&
	test_grep "^liu-route: invalid --max-lag: .soon.\$" err &&
	test_expect_code 2 liu-db --linger -1s store 2>err &&
	test_grep "^liu-db: invalid --linger: .-1s.\$" err &&
	test_expect_code 2 liu-db --flush 1w store 2>err &&
	test_grep "^liu-db: invalid --flush: .1w.\$" err &&
	test_expect_code 2 liu-stream synth --duration 0 2>err &&
	test_grep "^liu-stream: invalid --duration: .0.\$" err &&
	test_expect_code 2 liu-analyze --period 0 2>err &&
	test_grep "^liu-analyze: invalid --period: .0.\$" err &&
	liu-stream synth --max --duration 1.5m --rate 2 --types trade >out &&
	test_line_count = 180 out
'

test_done
