#!/bin/sh
test_description='the test library itself

Runs small nested test scripts and checks their TAP output, exit status
and trash directories.'
. "$(dirname "$0")/test-lib.sh"

# run_sub NAME [CMD...]: run ./NAME.sh (written below), through CMD if
# given (e.g. env VAR=x), as a nested test script with its trash directory
# inside ours; NAME.out, NAME.err and NAME.code hold its stdout, stderr
# and exit status.
run_sub () {
	(
		name=$1
		shift
		unset TEST_VERBOSE LIU_TEST_NO_SKIP
		LIU_TEST_SRC_DIR=$SRC_DIR LIU_TEST_OUTPUT_DIR=$TRASH_DIRECTORY
		export LIU_TEST_SRC_DIR LIU_TEST_OUTPUT_DIR
		"$@" ./"$name".sh >"$name".out 2>"$name".err
		echo $? >"$name".code
	)
}

# write_sub NAME: make NAME.sh from the test lines on stdin.
write_sub () {
	{
		echo '#!/bin/sh'
		echo "test_description='nested $1'"
		echo '. "$LIU_TEST_SRC_DIR/t/test-lib.sh"'
		cat
		echo 'test_done'
	} >"$1".sh &&
	chmod +x "$1".sh
}

write_sub pass <<\EOF
test_expect_success 'passes' 'true'
EOF
write_sub fail <<\EOF
test_expect_success 'fails' 'echo some-output && false'
EOF
write_sub chain <<\EOF
test_expect_success 'middle of a chain' 'true && false && true'
EOF
write_sub three <<\EOF
test_expect_success 'one' 'true'
test_expect_success 'two' 'false'
test_expect_success 'three' 'true'
EOF
write_sub mustfail <<\EOF
test_expect_success 'exit 1 is a failure' 'test_must_fail false'
test_expect_success 'exit 0 is not' 'test_must_fail true'
test_expect_success 'SIGSEGV is not' 'test_must_fail sh -c "kill -SEGV \$\$"'
test_expect_success 'abort is not' 'test_must_fail sh -c "kill -ABRT \$\$"'
test_expect_success 'not found is not' 'test_must_fail no-such-command-liu'
test_expect_success 'exit 125 is' 'test_must_fail sh -c "exit 125"'
EOF
write_sub known <<\EOF
test_expect_failure 'still broken' 'false'
test_expect_failure 'fixed' 'true'
EOF
write_sub skip <<\EOF
test_skip_unless_have no-such-command-liu
test_expect_success 'needs a missing command' 'true'
test_skip_unless_have sh
test_expect_success 'needs sh' 'true'
EOF
write_sub env <<\EOF
test_expect_success 'environment' '
	test -z "${LIU_BATCH_ID+set}" && test -z "${LIU_ENV+set}" &&
	test -z "${LIU_DSN+set}" && test -z "${PGHOST+set}" &&
	test "$TZ" = UTC && test "$LC_ALL" = C &&
	test "$PWD" = "$TRASH_DIRECTORY" && test "$HOME" = "$PWD" &&
	case $PATH in "$SRC_DIR/bin:$SRC_DIR/scripts:"*) ;; *) false ;; esac &&
	test "$TEST_DATA" = "$SRC_DIR/t/data"
'
test_expect_success 'a body cannot exit the script' 'exit 0'
test_expect_success 'cd stays in its body' 'mkdir d && cd d'
test_expect_success 'still in the trash' 'test "$PWD" = "$TRASH_DIRECTORY"'
EOF
write_sub nodone <<\EOF
test_expect_success 'passes' 'true'
exit 0
EOF
# no test_done at the end: drop the last line
sed '$d' nodone.sh >nodone.tmp && mv nodone.tmp nodone.sh && chmod +x nodone.sh
write_sub bg <<\EOF
test_expect_success 'a server in the background' '
	sleep 300 </dev/null >/dev/null 2>&1 &
	test_kill_at_end $! && echo $! >../bg.pid
'
EOF
write_sub bgnodone <<\EOF
test_expect_success 'a server in the background' '
	sleep 300 </dev/null >/dev/null 2>&1 &
	test_kill_at_end $! && echo $! >../bgnodone.pid
'
exit 0
EOF
sed '$d' bgnodone.sh >bgnodone.tmp && mv bgnodone.tmp bgnodone.sh &&
chmod +x bgnodone.sh

# gone PID: PID has exited (a zombie nobody reaped yet counts as gone).
gone () {
	case $(ps -o stat= -p "$1") in
	''|Z*) return 0 ;;
	esac
	return 1
}

test_expect_success 'a passing test gives ok and exit 0' '
	run_sub pass &&
	printf "ok 1 - passes\n1..1\n" >expect &&
	grep -v "^#" pass.out >actual &&
	test_cmp expect actual &&
	echo 0 >expect && test_cmp expect pass.code &&
	test_path_is_missing trash.pass &&
	test_path_is_missing trash.pass.out
'

test_expect_success 'a failing test gives not ok, exit 1, kept trash' '
	run_sub fail &&
	printf "not ok 1 - fails\n1..1\n" >expect &&
	grep -v "^#" fail.out >actual &&
	test_cmp expect actual &&
	echo 1 >expect && test_cmp expect fail.code &&
	test_path_is_dir trash.fail &&
	test_grep "^# some-output" fail.err &&
	test_grep "^#	echo some-output && false" fail.err
'

test_expect_success 'a failure in the middle of an && chain fails' '
	run_sub chain &&
	test_grep "^not ok 1 - middle of a chain" chain.out &&
	echo 1 >expect && test_cmp expect chain.code
'

test_expect_success 'numbering and the plan line' '
	run_sub three &&
	printf "ok 1 - one\nnot ok 2 - two\nok 3 - three\n1..3\n" >expect &&
	grep -v "^#" three.out >actual &&
	test_cmp expect actual &&
	test_grep "^# failed 1 among 3" three.out
'

test_expect_success 'test_must_fail accepts 1..125 only' '
	run_sub mustfail &&
	cat >expect <<-\EOF &&
	ok 1 - exit 1 is a failure
	not ok 2 - exit 0 is not
	not ok 3 - SIGSEGV is not
	not ok 4 - abort is not
	not ok 5 - not found is not
	ok 6 - exit 125 is
	1..6
	EOF
	grep -v "^#" mustfail.out >actual &&
	test_cmp expect actual &&
	test_grep "command succeeded" mustfail.err &&
	test_grep "died of signal 11 (SEGV)" mustfail.err &&
	test_grep "died of signal 6 (ABRT)" mustfail.err &&
	test_grep "command not found" mustfail.err
'

test_expect_success 'test_expect_failure gives TODO' '
	run_sub known &&
	cat >expect <<-\EOF &&
	not ok 1 - still broken # TODO known breakage
	ok 2 - fixed # TODO known breakage vanished
	1..2
	EOF
	grep -v "^#" known.out >actual &&
	test_cmp expect actual &&
	echo 0 >expect && test_cmp expect known.code
'

test_expect_success 'a missing command skips a test' '
	run_sub skip &&
	cat >expect <<-\EOF &&
	ok 1 # skip needs a missing command (missing no-such-command-liu)
	ok 2 - needs sh
	1..2
	EOF
	grep -v "^#" skip.out >actual &&
	test_cmp expect actual &&
	echo 0 >expect && test_cmp expect skip.code
'

test_expect_success 'LIU_TEST_NO_SKIP=1 makes it a failure' '
	run_sub skip env LIU_TEST_NO_SKIP=1 &&
	test_grep "^not ok 1 - needs a missing command" skip.out &&
	test_grep "^ok 2 - needs sh" skip.out &&
	echo 1 >expect && test_cmp expect skip.code
'

test_expect_success 'environment, subshells and exit in a body' '
	run_sub env env LIU_BATCH_ID=x LIU_ENV=PROD LIU_DSN=y PGHOST=h &&
	test_grep ! "^not ok" env.out &&
	test_grep "^1\.\.4$" env.out &&
	echo 0 >expect && test_cmp expect env.code
'

test_expect_success 'an exit without test_done is an error' '
	run_sub nodone &&
	test_grep ! "^1\.\." nodone.out &&
	echo 1 >expect && test_cmp expect nodone.code &&
	test_grep "without test_done" nodone.err
'

test_expect_success 'test_kill_at_end: stopped at test_done and at exit' '
	run_sub bg && echo 0 >expect && test_cmp expect bg.code &&
	test_wait_for "gone $(cat bg.pid)" 10 &&
	run_sub bgnodone && echo 1 >expect && test_cmp expect bgnodone.code &&
	test_wait_for "gone $(cat bgnodone.pid)" 10 &&
	test_path_is_missing trash.bg.pids &&
	test_path_is_missing trash.bgnodone.pids
'

test_skip_unless_have prove
test_expect_success 'prove accepts the nested output' '
	unset TEST_VERBOSE LIU_TEST_NO_SKIP &&
	LIU_TEST_SRC_DIR=$SRC_DIR LIU_TEST_OUTPUT_DIR=$TRASH_DIRECTORY \
	    prove ./known.sh ./skip.sh >prove.out 2>&1 &&
	test_must_fail env LIU_TEST_SRC_DIR=$SRC_DIR \
	    LIU_TEST_OUTPUT_DIR=$TRASH_DIRECTORY \
	    prove ./three.sh >prove.out 2>&1
'

test_expect_success 'test_cmp' '
	printf "a\nb\n" >x && printf "a\nb\n" >y && printf "a\nc\n" >z &&
	test_cmp x y &&
	test_must_fail test_cmp x z >diff.out &&
	test_grep "^+c" diff.out
'

test_expect_success 'test_line_count' '
	printf "1\n2\n3\n" >f &&
	test_line_count = 3 f && test_line_count "<" 4 f &&
	test_line_count ">" 2 f && test_line_count "<=" 3 f &&
	test_line_count ">=" 3 f && test_line_count != 2 f &&
	test_must_fail test_line_count = 2 f 2>err &&
	test_grep "has 3 lines, want = 2" err &&
	test_must_fail test_line_count = 1 no-such-file 2>/dev/null
'

test_expect_success 'test_grep and its negation' '
	printf "alpha\nbeta\n" >f &&
	test_grep alpha f && test_grep -E "^b.t" f &&
	test_grep ! gamma f &&
	test_must_fail test_grep gamma f 2>err &&
	test_grep "no match" err &&
	test_must_fail test_grep ! alpha f 2>err &&
	test_grep "unexpected match" err &&
	test_must_fail test_grep alpha no-such-file 2>/dev/null &&
	test_must_fail test_grep ! alpha no-such-file 2>/dev/null
'

test_expect_success 'test_must_be_empty' '
	: >empty && printf "x\n" >full &&
	test_must_be_empty empty &&
	test_must_fail test_must_be_empty full 2>err &&
	test_grep "is not empty" err &&
	test_must_fail test_must_be_empty no-such-file 2>/dev/null
'

test_expect_success 'test_expect_code' '
	test_expect_code 3 sh -c "exit 3" &&
	test_must_fail test_expect_code 3 sh -c "exit 2" 2>err &&
	test_grep "got 2, want 3" err &&
	test_expect_code 143 sh -c "kill -TERM \$\$"
'

test_expect_success 'test_path_is_file' '
	: >f && test_path_is_file f &&
	test_must_fail test_path_is_file nope 2>/dev/null &&
	mkdir dir && test_must_fail test_path_is_file dir 2>/dev/null
'

test_expect_success 'liu_wait_for_file' '
	{ sleep 0.3 && echo x >later; } &
	liu_wait_for_file later 5 &&
	test_must_fail liu_wait_for_file never 1 2>err &&
	test_grep "timed out" err
'

test_expect_success 'test_wait_for' '
	{ sleep 0.3 && echo x >later2; } &
	test_wait_for "test -s later2 && grep -q x later2" 5 &&
	test_wait_for true &&
	test_must_fail test_wait_for "echo not-yet && false" 1 2>err &&
	test_grep "timed out after 1 s: echo not-yet" err &&
	test_grep "^not-yet\$" err &&
	test_line_count = 2 err
'

test_expect_success 'liu_random_bytes is binary and repeatable' '
	liu_random_bytes 100000 >r1 && liu_random_bytes 100000 >r2 &&
	liu_random_bytes 100000 2 >r3 &&
	test $(wc -c <r1) = 100000 &&
	cmp r1 r2 && ! cmp -s r1 r3 &&
	test $(tr -d "\000" <r1 | wc -c) -lt 100000
'

test_expect_success 'liu_long_line' '
	liu_long_line 2000000 >long &&
	test_line_count = 1 long &&
	test $(wc -c <long) = 2000001
'

test_done
