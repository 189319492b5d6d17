# lib-fake.sh: loopback fake servers in the background, for the tests of
# the live programs.
#
# Source it after test-lib.sh and lib-tls.sh:
#
#	. "$(dirname "$0")/test-lib.sh"
#	. "$SRC_DIR/t/lib-tls.sh"
#	. "$SRC_DIR/t/lib-fake.sh"
#	fake_stream_have || test_skip_all "$fake_missing"
#	tls_setup
#	APCA_API_KEY_ID=... APCA_API_SECRET_KEY=...; export ...
#	test_expect_success 'the fake' '
#		fake_stream_start alp alpaca --script s.json &&
#		ws_client wss://127.0.0.1:$(cat alp.port)/v2/iex recv >out
#	'
#
# fake_stream_start NAME PROVIDER [OPTION...]
#	starts t/fake-stream.py --provider PROVIDER with the test certificate
#	($TLS_CERT, $TLS_KEY; an OPTION --cert/--key or --plain replaces
#	them), --port-file NAME.port and --log NAME.log, and waits until it
#	listens.  See "t/fake-stream.py --help" for the options and the
#	scenario file.
# fake_trade_start NAME [OPTION...]
#	the same for t/fake-alpaca-trade.py, the fake Alpaca trading API (REST
#	and the trade_updates stream at /stream, on one port); see
#	"t/fake-alpaca-trade.py --help" for the options and the scenario.
# fake_start NAME CMD...
#	the same for any server CMD that writes its port to NAME.port (the
#	caller passes that option): starts CMD in the background from the
#	current directory, stdin from /dev/null, stdout and stderr into
#	NAME.out, no other descriptor of the test (a FIFO's write end held by
#	a server would keep a reader from its end of file); NAME.pid holds its
#	process id.  Waits (test_wait_for, at most 30 s) until NAME.port is
#	written; if CMD dies first, shows NAME.out and returns 1.  The server
#	is killed when the script ends (test_kill_at_end), whichever test
#	started it.
# fake_stop NAME
#	SIGTERM to the server NAME and wait until it has gone.
# fake_trade_steps NAME STEPS
#	runs STEPS (JSON: a step or a list of them) on the trading fake NAME
#	(over TLS) at once: POST /_fake/steps, NAME.steps the body; returns
#	when they are done, non-zero if the fake refuses them.
# alpaca_curl [CURL-OPTION...] URL
#	curl -sS with --cacert $TLS_CA and the Alpaca credentials of the
#	environment (APCA_API_KEY_ID, APCA_API_SECRET_KEY) as the headers
#	APCA-API-KEY-ID and APCA-API-SECRET-KEY, given to curl as a config
#	in a here-document on its stdin, never in argv (ps) or a file of the
#	test; so a request body comes from a file (--data-binary @FILE).
# ws_client [OPTION...] URL [ACTION...]
#	t/ws-client.py with --cacert $TLS_CA, a small client that prints what
#	the server sends; see "t/ws-client.py --help".
# fake_stream_have
#	status 0 if /usr/bin/python3 (or $LIU_TEST_PYTHON) has websockets and
#	openssl is there; else 1, with the reason in $fake_missing.
#
# FAKE_PYTHON is the interpreter: $LIU_TEST_PYTHON, else /usr/bin/python3
# (Debian's python3-websockets is not seen by another python3 on PATH).

FAKE_PYTHON=${LIU_TEST_PYTHON:-/usr/bin/python3}

fake_stream_have () {
	fake_missing=
	if ! "$FAKE_PYTHON" -c 'import websockets.legacy.server' 2>/dev/null
	then
		fake_missing="python3-websockets ($FAKE_PYTHON cannot import it)"
		return 1
	fi
	if ! tls_have
	then
		fake_missing="openssl 3"
		return 1
	fi
}

# fake_gone PID: status 0 once PID has exited (a zombie no one has reaped
# yet counts as gone).
fake_gone () {
	case $(ps -o stat= -p "$1" 2>/dev/null) in
	''|Z*) return 0 ;;
	esac
	return 1
}

fake_start () {
	fake_name=$1
	shift
	rm -f "$fake_name.port" "$fake_name.pid"
	perl -e 'use POSIX (); POSIX::close($_) for 3 .. 1023; exec @ARGV or
	    die "cannot run $ARGV[0]: $!\n"' "$@" \
	    </dev/null >"$fake_name.out" 2>&1 &
	fake_pid=$!
	echo "$fake_pid" >"$fake_name.pid"
	test_kill_at_end "$fake_pid"
	test_wait_for "test -s $fake_name.port || fake_gone $fake_pid" 30 &&
	test -s "$fake_name.port" && return 0
	echo "fake_start: '$fake_name' did not start; $fake_name.out:" >&2
	cat "$fake_name.out" >&2
	return 1
}

fake_stream_start () {
	fake_sname=$1 fake_prov=$2
	shift 2
	case " $* " in
	*" --plain "*|*" --cert "*) set -- "$@" ;;
	*) set -- --cert "$TLS_CERT" --key "$TLS_KEY" "$@" ;;
	esac
	fake_start "$fake_sname" "$FAKE_PYTHON" "$SRC_DIR/t/fake-stream.py" \
	    --provider "$fake_prov" --port-file "$fake_sname.port" \
	    --log "$fake_sname.log" "$@"
}

# fake_trade_env: what a test of the fake trading API needs first: the
# fake's Python, curl and jq (else the test is skipped), the test CA
# (t/lib-tls.sh, sourced before), and throwaway credentials in the
# environment, random so that a grep for them finds nothing else.
fake_trade_env () {
	fake_stream_have || test_skip_all "missing $fake_missing"
	for c in curl jq
	do
		command -v $c >/dev/null || test_skip_all "missing $c"
	done
	tls_setup || {
		echo "Bail out! openssl could not make the test certificates"
		exit 1
	}
	APCA_API_KEY_ID=PKT$(rand 8)
	APCA_API_SECRET_KEY=sk-$(rand 16)
	export APCA_API_KEY_ID APCA_API_SECRET_KEY
	unset APCA_API_BASE_URL LIU_ENV
}

# rand N: N random bytes in hex.
rand () {
	od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

fake_trade_start () {
	fake_tname=$1
	shift
	case " $* " in
	*" --plain "*|*" --cert "*) set -- "$@" ;;
	*) set -- --cert "$TLS_CERT" --key "$TLS_KEY" "$@" ;;
	esac
	fake_start "$fake_tname" "$FAKE_PYTHON" \
	    "$SRC_DIR/t/fake-alpaca-trade.py" --port-file "$fake_tname.port" \
	    --log "$fake_tname.log" "$@"
}

fake_trade_steps () {
	printf '%s' "$2" >"$1.steps" &&
	curl -sS -f -o /dev/null --cacert "$TLS_CA" --data-binary "@$1.steps" \
	    "https://127.0.0.1:$(cat "$1.port")/_fake/steps"
}

# The config comes from a here-document: neither ps nor a shell trace
# (-x) shows it.
alpaca_curl () {
	curl -sS --cacert "$TLS_CA" -K - "$@" <<-EOF
	header = "APCA-API-KEY-ID: $APCA_API_KEY_ID"
	header = "APCA-API-SECRET-KEY: $APCA_API_SECRET_KEY"
	EOF
}

fake_stop () {
	fake_pid=$(cat "$1.pid") || return 1
	kill "$fake_pid" 2>/dev/null
	test_wait_for "fake_gone $fake_pid" 30
}

ws_client () {
	"$FAKE_PYTHON" "$SRC_DIR/t/ws-client.py" --cacert "$TLS_CA" "$@"
}
