# test-lib.sh: liu's TAP test library, in the spirit of git's t/test-lib.sh
# (re-implemented; no code taken from git).
#
# A test script looks like:
#
#	#!/bin/sh
#	test_description='liu-stream replay'
#	. "$(dirname "$0")/test-lib.sh"
#	test_expect_success 'golden' '
#		liu-stream replay a.nd >out && test_cmp exp out
#	'
#	test_done
#
# Each test body is eval'ed in a subshell, in the scratch directory
# t/trash.<script> with stdin from /dev/null: a non-zero exit status of
# the body (so chain its commands with &&) fails the test, and variables
# or cd inside a body do not reach the next test; set shared variables at
# the top level.  TAP goes to stdout; the body and output of a failing test
# go to stderr as "# " lines.
#
# Options: -v/--verbose (or TEST_VERBOSE=1): show test output live on
# stderr; -x/--trace: set -x in bodies; -i/--immediate: stop at the first
# failure; -d/--debug: keep the trash directory.  Environment:
# LIU_TEST_NO_SKIP=1 turns a missing prerequisite into a failure (CI);
# LIU_TEST_OUTPUT_DIR puts the trash directory elsewhere and
# LIU_TEST_SRC_DIR names the source tree (for scripts outside t/, such as
# the nested scripts of t0000).

liu_t_verbose=${TEST_VERBOSE:-} liu_t_trace= liu_t_immediate= liu_t_debug=
for liu_t_arg
do
	case $liu_t_arg in
	-v|--verbose) liu_t_verbose=1 ;;
	-x|--trace) liu_t_trace=1 ;;
	-i|--immediate) liu_t_immediate=1 ;;
	-d|--debug) liu_t_debug=1 ;;
	-h|--help) printf '%s\n' "$test_description"; exit 0 ;;
	*) echo "test-lib: unknown option '$liu_t_arg'" >&2; exit 1 ;;
	esac
done
test "$liu_t_verbose" = 0 && liu_t_verbose=

# Source tree, scratch directory and a clean environment.
if test -n "${LIU_TEST_SRC_DIR:-}"
then
	SRC_DIR=$(cd "$LIU_TEST_SRC_DIR" && pwd) || exit 1
else
	SRC_DIR=$(cd "$(dirname "$0")/.." && pwd) || exit 1
fi
TEST_DATA=$SRC_DIR/t/data
TEST_NAME=$(basename "$0" .sh)
TRASH_DIRECTORY=${LIU_TEST_OUTPUT_DIR:-$SRC_DIR/t}/trash.$TEST_NAME
case $TRASH_DIRECTORY in
/*) ;;
*) TRASH_DIRECTORY=$(pwd)/$TRASH_DIRECTORY ;;
esac
liu_t_out=$TRASH_DIRECTORY.out
liu_t_pids=$TRASH_DIRECTORY.pids

for liu_t_var in $(env | sed -n \
    -e 's/^\(LIU_[A-Za-z0-9_]*\)=.*/\1/p' \
    -e 's/^\(PG[A-Za-z0-9_]*\)=.*/\1/p' \
    -e 's/^\(APCA_[A-Za-z0-9_]*\)=.*/\1/p' \
    -e 's/^\(POLYGON_[A-Za-z0-9_]*\)=.*/\1/p')
do
	case $liu_t_var in
	LIU_TEST_*) ;;
	*) unset "$liu_t_var" ;;
	esac
done
unset LIU_BATCH_ID LIU_ENV LIU_DSN XDG_CONFIG_HOME XDG_STATE_HOME CDPATH
PATH=$SRC_DIR/bin:$SRC_DIR/scripts:$PATH
LC_ALL=C
TZ=UTC
HOME=$TRASH_DIRECTORY
export SRC_DIR TEST_DATA TRASH_DIRECTORY PATH LC_ALL TZ HOME

test -d "$SRC_DIR/bin" ||
echo "# warning: $SRC_DIR/bin is missing; run make first" >&2
chmod -R u+rwx "$TRASH_DIRECTORY" 2>/dev/null
rm -rf "$TRASH_DIRECTORY" "$liu_t_out" "$liu_t_pids"
mkdir -p "$TRASH_DIRECTORY" &&
cd "$TRASH_DIRECTORY" || {
	echo "Bail out! cannot make trash directory '$TRASH_DIRECTORY'"
	exit 1
}

liu_t_count=0 liu_t_fail=0 liu_t_broken=0 liu_t_fixed=0 liu_t_skipped=0
liu_t_skip_next= liu_t_done=

# test_kill_at_end PID...: send SIGTERM to each PID when the script ends,
# however it ends (test_done, test_skip_all, a failure to reach test_done,
# SIGINT or SIGTERM): for the servers a test starts in the background.
# Test bodies run in subshells, so the list is a file beside the trash.
test_kill_at_end () {
	printf '%s\n' "$@" >>"$liu_t_pids"
}

liu_t_kill_all () {
	test -f "$liu_t_pids" || return 0
	while read -r liu_t_pid
	do
		kill "$liu_t_pid" 2>/dev/null
	done <"$liu_t_pids"
	rm -f "$liu_t_pids"
}

liu_t_exit_trap () {
	liu_t_code=$?
	liu_t_kill_all
	test -n "$liu_t_done" && return
	echo "# FATAL: $TEST_NAME exited ($liu_t_code) without test_done" >&2
	exit 1
}
trap liu_t_exit_trap EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# liu_t_run BODY: eval BODY in a subshell; its status is the test's.
liu_t_run () {
	if test -n "$liu_t_verbose"
	then
		(test -n "$liu_t_trace" && set -x; eval "$1") </dev/null >&2
	else
		(test -n "$liu_t_trace" && set -x; eval "$1") </dev/null \
		    >"$liu_t_out" 2>&1
	fi
}

# liu_t_comment: copy stdin to stderr as TAP comment lines.
liu_t_comment () {
	sed -e 's/^/# /' >&2
}

# liu_t_skip TITLE: consume a pending skip; status 0 if the test is skipped.
liu_t_skip () {
	test -z "$liu_t_skip_next" && return 1
	if test -n "${LIU_TEST_NO_SKIP:-}"
	then
		liu_t_fail=$((liu_t_fail + 1))
		echo "not ok $liu_t_count - $1 # missing $liu_t_skip_next" \
		    "(LIU_TEST_NO_SKIP is set)"
	else
		liu_t_skipped=$((liu_t_skipped + 1))
		echo "ok $liu_t_count # skip $1 (missing $liu_t_skip_next)"
	fi
	liu_t_skip_next=
	return 0
}

# test_expect_success TITLE BODY: BODY must succeed.
test_expect_success () {
	test $# = 2 || { echo "bug in test script: test_expect_success" \
	    "needs 2 arguments" >&2; exit 1; }
	liu_t_count=$((liu_t_count + 1))
	liu_t_skip "$1" && return 0
	if liu_t_run "$2"
	then
		echo "ok $liu_t_count - $1"
		return 0
	fi
	liu_t_fail=$((liu_t_fail + 1))
	echo "not ok $liu_t_count - $1"
	printf '%s\n' "$2" | sed -e 's/^/#	/' >&2
	if test -z "$liu_t_verbose" && test -s "$liu_t_out"
	then
		echo "# output:" >&2
		sed -n -e '1,200p' "$liu_t_out" | liu_t_comment
	fi
	if test -n "$liu_t_immediate"
	then
		liu_t_done=1
		echo "1..$liu_t_count"
		echo "# stopped at the first failure (--immediate)"
		exit 1
	fi
	return 1
}

# test_expect_failure TITLE BODY: a known breakage, reported as TODO.
test_expect_failure () {
	test $# = 2 || { echo "bug in test script: test_expect_failure" \
	    "needs 2 arguments" >&2; exit 1; }
	liu_t_count=$((liu_t_count + 1))
	liu_t_skip "$1" && return 0
	if liu_t_run "$2"
	then
		liu_t_fixed=$((liu_t_fixed + 1))
		echo "ok $liu_t_count - $1 # TODO known breakage vanished"
	else
		liu_t_broken=$((liu_t_broken + 1))
		echo "not ok $liu_t_count - $1 # TODO known breakage"
	fi
	return 0
}

# test_skip_unless_have CMD...: skip the next test (status 1) unless every
# CMD is found in PATH; with LIU_TEST_NO_SKIP=1 that test fails instead.
test_skip_unless_have () {
	for liu_t_cmd
	do
		command -v "$liu_t_cmd" >/dev/null 2>&1 && continue
		liu_t_skip_next=$liu_t_cmd
		return 1
	done
	return 0
}

# test_skip_all REASON: skip the whole script (call before any test).
test_skip_all () {
	liu_t_done=1
	if test -n "${LIU_TEST_NO_SKIP:-}"
	then
		echo "not ok 1 - skip all: $1 (LIU_TEST_NO_SKIP is set)"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP $1"
	liu_t_kill_all
	cd "$SRC_DIR" && rm -rf "$TRASH_DIRECTORY" "$liu_t_out"
	exit 0
}

# liu_t_status NAME CODE: explain an exit status, for the helpers below.
liu_t_status () {
	if test "$2" -gt 128
	then
		echo "$1: died of signal $(($2 - 128))" \
		    "($(kill -l $(($2 - 128)) 2>/dev/null)): $3" >&2
	elif test "$2" = 127
	then
		echo "$1: command not found: $3" >&2
	elif test "$2" = 126
	then
		echo "$1: command not executable: $3" >&2
	fi
}

# test_must_fail CMD...: CMD must exit 1..125; success, 126, 127 (not
# runnable) and death by a signal (128+N) all fail.
test_must_fail () {
	"$@"
	liu_t_code=$?
	if test $liu_t_code = 0
	then
		echo "test_must_fail: command succeeded: $*" >&2
		return 1
	elif test $liu_t_code -ge 126
	then
		liu_t_status test_must_fail $liu_t_code "$*"
		test $liu_t_code -le 128 &&
		echo "test_must_fail: bad exit code $liu_t_code: $*" >&2
		return 1
	fi
	return 0
}

# test_expect_code N CMD...: CMD must exit with exactly N.
test_expect_code () {
	liu_t_want=$1
	shift
	"$@"
	liu_t_code=$?
	test $liu_t_code = "$liu_t_want" && return 0
	echo "test_expect_code: got $liu_t_code, want $liu_t_want: $*" >&2
	liu_t_status test_expect_code $liu_t_code "$*"
	return 1
}

# test_cmp EXPECTED ACTUAL
test_cmp () {
	test $# = 2 || { echo "bug in test script: test_cmp needs 2" \
	    "arguments" >&2; return 1; }
	diff -u -- "$1" "$2"
}

# test_line_count OP N FILE: OP is one of = != < > <= >= or test's -eq...
test_line_count () {
	test $# = 3 || { echo "bug in test script: test_line_count" \
	    "needs 3 arguments" >&2; return 1; }
	test -f "$3" || { echo "test_line_count: no file '$3'" >&2; return 1; }
	case $1 in
	=|==) liu_t_op=-eq ;;
	!=) liu_t_op=-ne ;;
	'<') liu_t_op=-lt ;;
	'>') liu_t_op=-gt ;;
	'<=') liu_t_op=-le ;;
	'>=') liu_t_op=-ge ;;
	*) liu_t_op=$1 ;;
	esac
	liu_t_n=$(wc -l <"$3")
	test "$liu_t_n" "$liu_t_op" "$2" && return 0
	echo "test_line_count: $3 has $liu_t_n lines, want $1 $2:" >&2
	sed -n -e '1,20p' "$3" >&2
	return 1
}

# test_grep [!] [GREP-OPTION...] PATTERN FILE: grep, explaining a failure.
# With "!", PATTERN must not match.
test_grep () {
	liu_t_neg=
	if test "$1" = "!"
	then
		liu_t_neg=1
		shift
	fi
	eval "liu_t_file=\${$#}"
	test -f "$liu_t_file" ||
	{ echo "test_grep: no file '$liu_t_file'" >&2; return 1; }
	if test -n "$liu_t_neg"
	then
		grep "$@" >&2
		liu_t_code=$?
		test $liu_t_code = 1 && return 0
		test $liu_t_code = 0 && echo "test_grep: unexpected match" \
		    "(shown above): ! $*" >&2
		return 1
	fi
	grep "$@" >/dev/null && return 0
	echo "test_grep: no match: $*; $liu_t_file is:" >&2
	sed -n -e '1,20p' "$liu_t_file" >&2
	return 1
}

test_path_is_file () {
	test -f "$1" && return 0
	echo "test_path_is_file: no file '$1'" >&2
	return 1
}

test_path_is_dir () {
	test -d "$1" && return 0
	echo "test_path_is_dir: no directory '$1'" >&2
	return 1
}

test_path_is_missing () {
	test -e "$1" || return 0
	echo "test_path_is_missing: '$1' exists" >&2
	return 1
}

# test_must_be_empty FILE: FILE exists and is empty (shows it if not).
test_must_be_empty () {
	test -f "$1" && ! test -s "$1" && return 0
	echo "test_must_be_empty: '$1' is not empty:" >&2
	sed -n -e '1,20p' "$1" >&2
	return 1
}

# liu_wait_for_file FILE [TIMEOUT_S]: wait until FILE is non-empty
# (default 10 s); status 1 on timeout.
liu_wait_for_file () {
	liu_t_tries=$(( ${2:-10} * 10 ))
	until test -s "$1"
	do
		liu_t_tries=$((liu_t_tries - 1))
		if test $liu_t_tries -lt 0
		then
			echo "liu_wait_for_file: timed out waiting for '$1'" >&2
			return 1
		fi
		sleep 0.1
	done
}

# test_wait_for CONDITION [TIMEOUT_S]: eval the shell command CONDITION
# every 0.1 s, quietly, until it succeeds; after TIMEOUT_S (default 60,
# generous for a loaded machine) show its output once and return 1.  Wait
# for the event a test needs, never a fixed time: a sleep is too short on
# a busy machine and wasted on an idle one.
test_wait_for () {
	liu_t_wait_n=$(( ${2:-60} * 10 ))
	until eval "$1" >/dev/null 2>&1
	do
		liu_t_wait_n=$((liu_t_wait_n - 1))
		if test $liu_t_wait_n -lt 0
		then
			echo "test_wait_for: timed out after ${2:-60} s: $1" >&2
			eval "$1" >&2
			return 1
		fi
		sleep 0.1
	done
}

# liu_random_bytes N [SEED]: N bytes of binary junk (NULs included) on
# stdout, the same bytes for the same SEED (default 1).
liu_random_bytes () {
	perl -e 'srand($ARGV[1]); my $n = $ARGV[0];
	    while ($n > 0) {
		my $k = $n < 65536 ? $n : 65536;
		print pack("C*", map { int(rand(256)) } 1 .. $k);
		$n -= $k;
	    }' "$1" "${2:-1}"
}

# liu_long_line N [CHAR]: one line of N copies of CHAR (default x).
liu_long_line () {
	head -c "$1" /dev/zero | tr '\0' "${2:-x}"
	echo
}

# test_done: print the plan and a summary, clean up, exit.
test_done () {
	liu_t_done=1
	liu_t_kill_all
	echo "1..$liu_t_count"
	test $liu_t_fixed -gt 0 &&
	echo "# $liu_t_fixed known breakage(s) vanished; fix the test"
	test $liu_t_broken -gt 0 &&
	echo "# still have $liu_t_broken known breakage(s)"
	test $liu_t_skipped -gt 0 && echo "# skipped $liu_t_skipped test(s)"
	if test $liu_t_fail = 0
	then
		echo "# passed all $liu_t_count test(s)"
		cd "$SRC_DIR" || exit 1
		if test -z "$liu_t_debug"
		then
			test -d "$SRC_DIR/bin" ||
echo "# warning: $SRC_DIR/bin is missing; run make first" >&2
chmod -R u+rwx "$TRASH_DIRECTORY" 2>/dev/null
			rm -rf "$TRASH_DIRECTORY" "$liu_t_out"
		fi
		exit 0
	fi
	echo "# failed $liu_t_fail among $liu_t_count test(s)"
	echo "# kept $TRASH_DIRECTORY"
	exit 1
}
