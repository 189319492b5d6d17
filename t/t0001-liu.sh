#!/bin/sh
test_description='liu, the dispatcher'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'liu COMMAND runs liu-COMMAND with its arguments' '
	liu stream synth --max --events 3 >out &&
	test_line_count = 3 out &&
	liu-stream synth --max --events 3 >exp &&
	test_cmp exp out
'

test_expect_success 'help and version' '
	liu help >h && test_grep "^usage: liu COMMAND" h &&
	liu --help >h2 && test_cmp h h2 &&
	liu version >v && test_grep "^liu [0-9][0-9.]*$" v &&
	liu --version >v2 && test_cmp v v2
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 liu 2>err &&
	test_grep "usage: liu" err &&
	test_expect_code 2 liu nosuchcommand 2>err &&
	test_grep "^liu: .nosuchcommand. is not a liu command" err &&
	test_expect_code 2 liu -x &&
	test_expect_code 2 liu ../bin/liu-stream
'

test_expect_success 'a liu-COMMAND in PATH is found too' '
	mkdir -p extra &&
	printf "#!/bin/sh\necho extra \"\$@\"\n" >extra/liu-hello &&
	chmod +x extra/liu-hello &&
	PATH=$PWD/extra:$PATH liu hello a b >out &&
	echo "extra a b" >exp &&
	test_cmp exp out
'

test_expect_success 'exit status and signals of the command come through' '
	printf "not json\n" >bad &&
	test_expect_code 1 liu stream replay --max bad 2>err &&
	test_grep "^liu-stream: bad:1:" err &&
	{ liu stream synth --max --events 1000000 2>err; echo $? >status; } |
		head -n1 >/dev/null &&
	test "$(cat status)" = 141 &&
	liu stream synth --rate 1000 >out 2>/dev/null &
	pid=$! &&
	test_wait_for "test -s out" 60 &&
	kill -TERM $pid &&
	{ wait $pid; echo $? >status; } &&
	test "$(cat status)" = 143
'

# A program's name is argv[0], which the caller chooses: a name longer
# than report()'s buffer is cut short and its control bytes shown as "?",
# and the message itself is never lost.
long=$(liu_long_line 1100)
test_skip_unless_have bash
test_expect_success 'messages survive a long or odd program name' '
	test_expect_code 2 bash -c "exec -a \"\$0\" liu-ta --digits x" \
	    "$long" 2>err &&
	test_line_count = 1 err &&
	test_grep "^x\{1,100\}: invalid --digits: .x.\$" err &&
	test_expect_code 2 bash -c "exec -a \"\$0\" liu-ta --digits x" \
	    "$(printf "a\tb\nc")" 2>err &&
	test_line_count = 1 err &&
	test_grep "^a?b?c: invalid --digits: .x.\$" err
'

# A closed standard input or output is an I/O error like any other: every
# program that reads or writes it says so and exits 3, through liu too.
test_expect_success 'closed stdin or stdout: a read or write error, exit 3' '
	cat >tr.ndjson <<-\EOF &&
	{"ev":"trade","t":"2024-01-02T14:30:00Z","sym":"A","price":1,"size":1}
	EOF
	for cmd in "liu-stream replay" "liu-ta sma:3" \
	    "liu-strategy --pass momentum_long" "liu-analyze -f ndjson" \
	    "liu-route -n 2 cat" "liu ta sma:3"
	do
		echo "$cmd" &&
		test_expect_code 3 $cmd <tr.ndjson >&- 2>err &&
		test_grep ": write error: Bad file descriptor\$" err &&
		test_expect_code 3 $cmd <&- >/dev/null 2>err &&
		test_grep ": <stdin>: read error: Bad file descriptor\$" err ||
		exit 1
	done
'

test_done
