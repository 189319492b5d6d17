#!/bin/sh
test_description='liu-scan -> liu-stream (live, --control) -> liu-route -> liu-strategy

End to end through the live stream'"'"'s fakes: liu-scan picks over
t/fake-scan.py and writes its picks into the --control FIFO of
liu-stream alpaca, which runs against t/fake-stream.py; liu-stream
subscribes the picked symbol, writes the pick on, and the fake, once
subscribed, sends the bars of t/data/strategy-vwap.ndjson as Alpaca bar
messages (the fixture'"'"'s "b" shape).  On those bars vwap_long and
vwap_short both trade V (t/t4000); a pick aimed at vwap_short must reach
vwap_short only, and a pick aimed at none both.  TLS is real
(t/lib-tls.sh); every wait is for a condition.'
. "$(dirname "$0")/test-lib.sh"
. "$SRC_DIR/t/lib-tls.sh"
. "$SRC_DIR/t/lib-fake.sh"

fake_stream_have || test_skip_all "missing $fake_missing"
tls_setup || {
	echo "Bail out! openssl could not make the test certificates"
	exit 1
}

APCA_API_KEY_ID=PKE2EFAKE5T7Y9U1
APCA_API_SECRET_KEY=e2eSecret1a2b3c4dDoNotShip
export APCA_API_KEY_ID APCA_API_SECRET_KEY
unset POLYGON_API_KEY LIU_DATA_PROVIDER

# The bars of V as Alpaca's bar messages, sent once V is subscribed.
{
	printf '{"filter": true, "after": "subscribe", "steps": [{"send": ['
	sed -e 's/^{"ev":"bar","t":\("[^"]*"\),"sym":"V",\(.*\)}$/{"T":"b","S":"V",\2,"t":\1}/' \
	    "$TEST_DATA/strategy-vwap.ndjson" | paste -sd, -
	printf ']}]}\n'
} >vbars.json
cat >v.json <<\EOF
{"date": "2024-03-01", "symbols": [{"sym": "V", "price": 10,
 "prev_close": 9.5, "prev_volume": 1000000, "volume": 500000}]}
EOF

lines () {
	if test -f "$1"
	then
		wc -l <"$1"
	else
		echo 0
	fi
}

# start_pipe NAME: the FIFO NAME.fifo through tee (NAME.stream) to
# liu-route and the strategies, in the background, $run_p its pid (tee's
# pipeline's last process); start_stream NAME: liu-stream alpaca against
# the fake NAME with the control FIFO NAME.control, $run_s its pid.
start_pipe () {
	tee "$1.stream" <"$1.fifo" |
	liu-route -n 2 -- liu-strategy --require-pick --fill sim \
	    -p start=0 -p rsi_period=2 -p rsi_max=100 -p rsi_min=0 \
	    vwap_long vwap_short >"$1.raw" 2>"$1.rerr" &
	run_p=$!
}
start_stream () {
	liu-stream alpaca --cacert "$TLS_CA" \
	    --url "wss://127.0.0.1:$(cat "$1.port")/v2/iex" \
	    --reconnect-min 50ms --reconnect-max 200ms --timeout 5s \
	    --control "$1.control" >"$1.fifo" 2>"$1.err" &
	run_s=$!
}

# run NAME SCAN-OPTION...: the whole pipeline against a new stream fake
# NAME; the strategies of its orders, one a line, in NAME.got
run () {
	run_n=$1
	shift
	fake_stream_start "$run_n" alpaca --script vbars.json &&
	mkfifo "$run_n.control" "$run_n.fifo" &&
	start_pipe "$run_n" &&
	test_kill_at_end $run_p &&
	start_stream "$run_n" &&
	test_kill_at_end $run_s &&
	u=https://127.0.0.1:$(cat scanfake.port) &&
	LIU_NOW=2024-03-01T14:29:00Z liu-scan momentum --provider alpaca \
	    --cacert "$TLS_CA" --url "$u" --trading-url "$u" "$@" \
	    >"$run_n.control" &&
	test_wait_for "test \$(lines $run_n.stream) -ge 10" &&
	kill -TERM $run_s &&
	{ wait $run_s; test $? = 143; } &&
	wait $run_p &&
	grep "\"ev\":\"order\"" "$run_n.raw" |
	sed "s/.*\"strategy\":\"\([^\"]*\)\".*/\1/" | sort -u >"$run_n.got" &&
	fake_stop "$run_n"
}

test_expect_success 'setup: the scanner'"'"'s fake' '
	fake_start scanfake "$FAKE_PYTHON" "$SRC_DIR/t/fake-scan.py" \
	    --port-file scanfake.port --log scanfake.log --universe v.json \
	    --cert "$TLS_CERT" --key "$TLS_KEY" --idle 120
'

test_expect_success 'a pick aimed at vwap_short reaches vwap_short only' '
	run one --strategies vwap_short &&
	head -n 1 one.stream >pick &&
	test_grep "^{\"ev\":\"pick\",\"t\":\"2024-03-01T14:29:00" pick &&
	test_grep "\"sym\":\"V\"" pick &&
	test_grep "\"strategies\":\[\"vwap_short\"\]" pick &&
	test $(grep -c "\"ev\":\"bar\"" one.stream) = 9 &&
	grep "^{\"action\":\"subscribe\"" one.log >subs &&
	test_grep "\"bars\":\[\"V\"\]" subs &&
	echo vwap_short >expect &&
	test_cmp expect one.got
'

test_expect_success 'a pick aimed at none reaches both' '
	run two &&
	printf "%s\n" vwap_long vwap_short >expect &&
	test_cmp expect two.got
'

test_expect_success 'the keys are in no output or log' '
	for k in "$APCA_API_KEY_ID" "$APCA_API_SECRET_KEY"
	do
		! grep -r -F -e "$k" . || return 1
	done
'

test_done
