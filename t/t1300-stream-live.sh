#!/bin/sh
test_description='liu-stream alpaca | polygon: the live client against the fakes

liu-stream'"'"'s live sources (lib/live.c, lib/feed.c) against
t/fake-stream.py, the loopback fake of both providers'"'"' WebSockets, and
t/fake-rest.py for the REST bars of the backfills.  The expected events
(t/data/live-*.golden) were written by hand from the messages of
t/data/alpaca-stream.json and polygon-stream.json and the mapping at the
top of lib/feed.c, without "rt" (which the tests check apart).

Every wait is for a condition (a line in a log or an output), never a
fixed time; reconnect waits and timeouts are short options.  The fakes'"'"'
scenarios are all written first and the fakes started together (a fake
takes most of a second to start), each test using its own.  TLS is real
(t/lib-tls.sh).  Keys are random throwaway values, in the environment
only; the last test greps every output, log and a ps listing for them.'
. "$(dirname "$0")/test-lib.sh"
. "$SRC_DIR/t/lib-tls.sh"
. "$SRC_DIR/t/lib-fake.sh"

fake_stream_have || test_skip_all "missing $fake_missing"
tls_setup || {
	echo "Bail out! openssl could not make the test certificates"
	exit 1
}

# Throwaway credentials, random so that a grep for them finds nothing else.
rand () {
	od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}
APCA_API_KEY_ID=PKT$(rand 8)
APCA_API_SECRET_KEY=sk-$(rand 16)
POLYGON_API_KEY=pg-$(rand 16)
export APCA_API_KEY_ID APCA_API_SECRET_KEY POLYGON_API_KEY

# Short waits everywhere, so that reconnects take milliseconds.
FAST="--reconnect-min 50ms --reconnect-max 200ms --timeout 2s"

# The URLs of the fake NAME.
alp_url () {
	echo "wss://127.0.0.1:$(cat "$1.port")/v2/${2:-iex}"
}
pg_url () {
	echo "wss://127.0.0.1:$(cat "$1.port")/stocks"
}
rest_url () {
	echo "https://127.0.0.1:$(cat "$1.port")"
}

# alp NAME ARG...: liu-stream alpaca against the fake NAME, with the test
# CA and short waits; pg NAME ARG...: the same for polygon.  Run by bg,
# they exec liu-stream, so that $bg_pid is its pid.
alp () {
	alp_n=$1
	shift
	$bg_exec liu-stream alpaca --cacert "$TLS_CA" \
	    --url "$(alp_url "$alp_n")" $FAST "$@"
}
pg () {
	pg_n=$1
	shift
	$bg_exec liu-stream polygon --cacert "$TLS_CA" \
	    --url "$(pg_url "$pg_n")" $FAST "$@"
}

# bg NAME CMD...: CMD in the background, stdout in NAME.out, stderr in
# NAME.err; $bg_pid is its pid, killed when the script ends should the
# test fail before it stops it.  CMD is a program, or alp or pg.  The
# files are emptied first, so that no wait sees what an earlier command
# wrote there (NAME.out may be a FIFO, left as it is).
bg () {
	bg_n=$1
	shift
	test -p "$bg_n.out" || : >"$bg_n.out"
	: >"$bg_n.err"
	{ bg_exec=exec; "$@"; } >"$bg_n.out" 2>"$bg_n.err" &
	bg_pid=$!
	test_kill_at_end $bg_pid
}

# stop [SIGNAL]: send SIGNAL (TERM) to $bg_pid and wait; the exit status
# is in $bg_code.
stop () {
	kill -"${1:-TERM}" $bg_pid &&
	{ wait $bg_pid; bg_code=$?; } &&
	return 0
}

# lines FILE: the number of lines of FILE (0 if it does not exist yet).
lines () {
	if test -f "$1"
	then
		wc -l <"$1"
	else
		echo 0
	fi
}

# no_rt FILE: FILE without the "rt" member that ends each live event.
no_rt () {
	sed -e 's/,"rt":"[^"]*"}$/}/' "$1"
}

# check_rt FILE [PREFIX]: every line of FILE ends with "rt" and a time as
# liu writes "t" (RFC 3339 in UTC, the fraction's trailing zeros left
# out: up to 9 digits); with PREFIX, each rt starts with it.
check_rt () {
	test -s "$1" &&
	sed -e 's/.*,"rt":"\([^"]*\)"}$/\1/' "$1" >rts &&
	grep -v -E '^'"${2:-}"'[0-9:T-]*(\.[0-9]{0,8}[1-9])?Z$' rts >bad-rt
	test_must_be_empty bad-rt &&
	grep -v -E '^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?Z$' \
	    rts >bad-rt
	test_must_be_empty bad-rt &&
	test_line_count = $(lines "$1") rts
}

# valid FILE: the events of FILE are valid and in canonical form.
valid () {
	liu-stream replay --max --validate --strict "$1" >valid.out &&
	test_cmp "$1" valid.out
}

# ends_in_newline FILE
ends_in_newline () {
	test "$(tail -c 1 "$1" | od -An -c | tr -d " ")" = "\\n"
}

# A trade message of AAPL at the time $1 with the id $2, for a scenario,
# and the event it makes.
trade_at () {
	echo "{\"T\":\"t\",\"i\":$2,\"S\":\"AAPL\",\"x\":\"V\",\"p\":133.5,\"s\":10,\"t\":\"$1\",\"c\":[\"@\"],\"z\":\"C\"}"
}
trade_ev () {
	echo "{\"ev\":\"trade\",\"t\":\"$1\",\"sym\":\"AAPL\",\"price\":133.5,\"size\":10,\"x\":\"V\",\"cond\":[\"@\"],\"tape\":\"C\",\"id\":\"$2\"}"
}

# The scenarios, one fake each (see "t/fake-stream.py --help").  Without
# one a fake sends the "default" set of t/data/*-stream.json to every
# connection; "capture", "derived" and "unknown" are the other sets.

# every message type, all three sets of Alpaca's fixtures
cat >types.json <<\EOF
{"steps": [{"send": ["default", "capture", "derived"]}]}
EOF
cat >batch.json <<\EOF
{"steps": [
	{"send": "default", "batch": 5},
	{"send": "default", "batch": 2, "style": "spaced"},
	{"send": "default", "batch": 3, "binary": true},
	{"send": "capture", "batch": 4, "binary": true, "style": "spaced"}
]}
EOF
cat >pbatch.json <<\EOF
{"batch": 6, "binary": true, "style": "spaced"}
EOF
# subscriptions alone, nothing sent
cat >quiet.json <<\EOF
{"steps": []}
EOF
# Subscription changes: only the data of the symbols subscribed to (the
# default set has an AAPL trade and status, an AMD quote, SPY bars), sent
# again after each change.
cat >dyn.json <<\EOF
{"filter": true, "steps": [
	{"send": "default"},
	{"wait": "subscribe"},
	{"send": "default"},
	{"wait": "unsubscribe"},
	{"send": "default"}
]}
EOF
# the same, and the first connection lost in the second sending
cat >drop.json <<\EOF
{"filter": true, "connections": [
	{"drop_after": 4, "steps": [
		{"send": "default"},
		{"wait": "subscribe"},
		{"send": "default"}
	]},
	{}
]}
EOF
# A connection lost at once; the next one answers its upgrade 5.5 s
# later.
cat >gap.json <<EOF
{"connections": [
	{"steps": [{"send": [$(trade_at 2021-02-01T16:02:57Z 1)]},
	    {"drop": true}]},
	{"handshake_delay_ms": 5500,
	 "steps": [{"send": [$(trade_at 2021-02-01T16:03:01Z 2)]}]}
]}
EOF
cat >bf.json <<EOF
{"steps": [{"send": [$(trade_at 2021-02-01T16:03:30.5Z 3)]}]}
EOF
cat >bfpick.json <<EOF
{"filter": true, "steps": [
	{"wait": "subscribe"},
	{"send": [$(trade_at 2021-02-01T16:03:30.5Z 4)]}
]}
EOF
# one connection for each fatal error, in the order of the test
cat >fatal.json <<\EOF
{"connections": [{"auth": 409}, {"subscribe": 410}, {"http": 401}]}
EOF
cat >f406.json <<\EOF
{"connections": [{"auth": [406, 406, "ok"]}, {"auth": 406}]}
EOF
cat >f405.json <<\EOF
{"symbol_limit": 2}
EOF
cat >f407.json <<\EOF
{"connections": [
	{"steps": [{"send": "default"}, {"error": 407},
	    {"close": 1008, "reason": "slow client"}]},
	{}
]}
EOF
# Frames and messages that are not right: not JSON, cut short, binary
# junk, an event longer than a line may be (1 MiB), messages without a
# time or with a bad one, an empty frame, a number for a message, a frame
# larger than liu-stream reads (16 MiB); then the unknown type (twice),
# and good data.
big=$(liu_long_line 1100000)
huge=$(liu_long_line 17000000)
cat >junk.json <<EOF
{"steps": [
	{"raw": "not json"},
	{"raw": "[{\"T\":\"t\",\"S\":\"AAPL\""},
	{"raw": "\u0000\u0001junk\u00ff\u0091", "binary": true},
	{"raw": "[{\"T\":\"t\",\"i\":1,\"S\":\"AAPL\",\"x\":\"D\",\"p\":1,\"s\":1,\"t\":\"2021-02-22T15:51:44Z\",\"c\":[\"$big\"],\"z\":\"C\"}]"},
	{"raw": "[{\"T\":\"t\",\"S\":\"AAPL\",\"p\":1}, {\"T\":\"q\",\"S\":\"AMD\",\"t\":\"yesterday\"}]"},
	{"raw": ""},
	{"raw": "[1]"},
	{"raw": "[\"$huge\"]"},
	{"send": ["unknown", "unknown", "capture", "unknown"], "batch": 2},
	{"send": "default"}
]}
EOF
unset big huge
cat >punk.json <<\EOF
{"steps": [{"send": ["unknown", "default", "unknown"]}]}
EOF
# 100000 events as fast as the client reads them, then a ping: its pong
# comes once the client has read them all.
cat >slow.json <<\EOF
{"steps": [
	{"send": "default", "repeat": 20000},
	{"ping": true},
	{"send": "capture"}
]}
EOF
# a stream that does not end
cat >fast.json <<\EOF
{"steps": [{"send": "default", "repeat": 100000000}]}
EOF
cat >hang.json <<\EOF
{"connections": [
	{"steps": [{"send": "default"}, {"hang": true, "timeout_ms": 30000}]},
	{}
]}
EOF
# the AAPL session of data/ as Alpaca minute bars, 7 to a frame
"$FAKE_PYTHON" -c 'import json, sys
bars = []
for line in open(sys.argv[1]):
	e = json.loads(line)
	bars.append({"T": "b", "S": e["sym"], "o": e["o"], "h": e["h"],
	    "l": e["l"], "c": e["c"], "v": e["v"], "t": e["t"]})
print(json.dumps({"steps": [{"send": bars, "batch": 7}]}))
' "$SRC_DIR/data/aapl-2012-01-26-1m.ndjson" >day.json

test_expect_success 'start the fakes' '
	{
		fake_stream_start types alpaca --script types.json &
		fake_stream_start ptypes polygon &
		fake_stream_start batch alpaca --script batch.json &
		fake_stream_start pbatch polygon --script pbatch.json &
		fake_stream_start asub alpaca --script quiet.json &
		fake_stream_start psub polygon --script quiet.json &
		fake_stream_start dynamic alpaca --script dyn.json &
		fake_stream_start drop alpaca --script drop.json &
		fake_stream_start gap alpaca --script gap.json &
		fake_stream_start bf alpaca --script bf.json &
		fake_stream_start bfpick alpaca --script bfpick.json &
		fake_stream_start fatal alpaca --script fatal.json &
		fake_stream_start f406 alpaca --script f406.json &
		fake_stream_start f405 alpaca --script f405.json &
		fake_stream_start f407 alpaca --script f407.json &
		fake_stream_start junk alpaca --script junk.json &
		fake_stream_start punk polygon --script punk.json &
		fake_stream_start other alpaca --cert "$TLS_OTHER_CERT" \
		    --key "$TLS_OTHER_KEY" &
		fake_stream_start badname alpaca --cert "$TLS_BADNAME_CERT" \
		    --key "$TLS_BADNAME_KEY" &
		fake_stream_start plain alpaca --plain &
		fake_stream_start slow alpaca --script slow.json &
		fake_stream_start fast alpaca --script fast.json &
		fake_stream_start hang alpaca --script hang.json &
		fake_stream_start day alpaca --script day.json &
		# the REST bars: AAPL at 16:01 and 16:02 on 2021-02-01
		# (t/data/rest-alpaca.json, hist-alpaca-aapl-1m.ndjson)
		fake_start rest "$FAKE_PYTHON" "$SRC_DIR/t/fake-rest.py" \
		    --port-file rest.port --log rest.log --data "$TEST_DATA" \
		    --cert "$TLS_CERT" --key "$TLS_KEY" --idle 300 &
		wait
	} &&
	for f in types ptypes batch pbatch asub psub dynamic drop gap bf \
	    bfpick fatal f406 f405 f407 junk punk other badname plain slow \
	    fast hang day rest
	do
		test -s $f.port || return 1
	done
'

# 1. Every message type, normalised

test_expect_success 'alpaca: every message type of the fixtures, as events' '
	LIU_NOW=2030-01-02T03:04:05Z && export LIU_NOW &&
	bg live alp types AAPL SPY &&
	test_wait_for "test \$(lines live.out) -ge 13" &&
	stop &&
	test $bg_code = 143 &&
	cat "$TEST_DATA/live-alpaca-default.golden" \
	    "$TEST_DATA/live-alpaca-capture.golden" \
	    "$TEST_DATA/live-alpaca-derived.golden" >expect &&
	no_rt live.out >actual &&
	test_cmp expect actual &&
	# the receive time, on the pinned clock
	check_rt live.out 2030-01-02T03:0 &&
	test_must_be_empty live.err &&
	valid live.out
'

test_expect_success 'polygon: every message type of the fixtures, NOI counted' '
	LIU_NOW=2030-01-02T03:04:05Z && export LIU_NOW &&
	bg live pg ptypes MSFT &&
	test_wait_for "test \$(lines live.out) -ge 5 && test -s live.err" &&
	stop &&
	test $bg_code = 143 &&
	no_rt live.out >actual &&
	test_cmp "$TEST_DATA/live-polygon-default.golden" actual &&
	check_rt live.out 2030-01-02T03:0 &&
	valid live.out &&
	cat >expect <<-\EOF &&
	liu-stream: polygon: messages of type '"'"'NOI'"'"' are not translated: counted, not written
	liu-stream: polygon: 5 events, 11 frames (0 refused), 0 messages skipped, 1 of unknown types, 0 reconnects, 0 events dropped for a slow reader
	EOF
	test_cmp expect live.err
'

test_expect_success 'batched, spaced and binary frames: the same events' '
	bg live alp batch AAPL &&
	test_wait_for "test \$(lines live.out) -ge 19" &&
	stop &&
	test $bg_code = 143 &&
	g=$TEST_DATA/live-alpaca-default.golden &&
	cat "$g" "$g" "$g" "$TEST_DATA/live-alpaca-capture.golden" >expect &&
	no_rt live.out >actual &&
	test_cmp expect actual &&
	check_rt live.out &&
	test_must_be_empty live.err &&
	# one frame, one receive time: frames of 5; 2, 2, 1; 3, 2; 4
	sed -e "s/.*\"rt\"://" live.out | uniq -c | awk "{print \$1}" |
	    paste -s -d" " - >actual &&
	echo "5 2 2 1 3 2 4" >expect &&
	test_cmp expect actual
'

test_expect_success 'polygon: batched binary frames, spaced' '
	bg live pg pbatch MSFT &&
	test_wait_for "test \$(lines live.out) -ge 5" &&
	stop &&
	test $bg_code = 143 &&
	no_rt live.out >actual &&
	test_cmp "$TEST_DATA/live-polygon-default.golden" actual &&
	sed -e "s/.*\"rt\"://" live.out | sort -u >rts &&
	test_line_count = 1 rts
'

# 2. Subscriptions

# sub_log NAME PROVIDER ARG...: run liu-stream PROVIDER ARG... against the
# fake NAME until the fake has logged one more subscription, then stop it;
# that message is appended to NAME.subs.
sub_log () {
	sl_n=$1 sl_p=$2
	shift 2
	sl_k=$(grep -c "\"action\":\"subscribe\"" "$sl_n.log")
	if test $sl_p = alpaca
	then
		bg sub alp "$sl_n" "$@"
	else
		bg sub pg "$sl_n" "$@"
	fi
	test_wait_for "test \$(grep -c \"\\\"action\\\":\\\"subscribe\\\"\" $sl_n.log) -gt $sl_k" &&
	stop &&
	test $bg_code = 143 &&
	test_must_be_empty sub.err &&
	grep "\"action\":\"subscribe\"" "$sl_n.log" | sed -n "\$p" \
	    >>"$sl_n.subs"
}

test_expect_success 'alpaca: auth, then the channels of --types and --tf' '
	sub_log asub alpaca AAPL SPY &&
	sub_log asub alpaca --types trade,bar --tf 1m,1d AAPL &&
	sub_log asub alpaca --types bar --tf 1d MSFT &&
	sub_log asub alpaca --types quote,status "BRK.B" &&
	sub_log asub alpaca --types trade "*" &&
	cat >expect <<-\EOF &&
	{"action":"subscribe","trades":["AAPL","SPY"],"quotes":["AAPL","SPY"],"bars":["AAPL","SPY"],"updatedBars":["AAPL","SPY"],"statuses":["AAPL","SPY"],"lulds":["AAPL","SPY"]}
	{"action":"subscribe","trades":["AAPL"],"bars":["AAPL"],"updatedBars":["AAPL"],"dailyBars":["AAPL"]}
	{"action":"subscribe","dailyBars":["MSFT"]}
	{"action":"subscribe","quotes":["BRK.B"],"statuses":["BRK.B"],"lulds":["BRK.B"]}
	{"action":"subscribe","trades":["*"]}
	EOF
	test_cmp expect asub.subs &&
	grep -v "^# closed" asub.log | grep -v "\"action\":\"subscribe\"" \
	    >actual &&
	for i in 1 2 3 4 5
	do
		echo "# connection $i /v2/iex" &&
		echo "{\"action\":\"auth\",\"key\":\"***\",\"secret\":\"***\"}" ||
		return 1
	done >expect &&
	test_cmp expect actual
'

test_expect_success 'polygon: auth, then the params of --types and --tf' '
	sub_log psub polygon AAPL MSFT &&
	sub_log psub polygon --types trade,quote,bar --tf 1s,1m AAPL MSFT &&
	sub_log psub polygon --types bar --tf 1s SPCE &&
	sub_log psub polygon --types quote,status "*" &&
	cat >expect <<-\EOF &&
	{"action":"subscribe","params":"T.AAPL,Q.AAPL,AM.AAPL,T.MSFT,Q.MSFT,AM.MSFT"}
	{"action":"subscribe","params":"T.AAPL,Q.AAPL,A.AAPL,AM.AAPL,T.MSFT,Q.MSFT,A.MSFT,AM.MSFT"}
	{"action":"subscribe","params":"A.SPCE"}
	{"action":"subscribe","params":"Q.*,LULD.*"}
	EOF
	test_cmp expect psub.subs &&
	test $(grep -c "^{\"action\":\"auth\",\"params\":\"\*\*\*\"}\$" \
	    psub.log) = 4
'

PICK='{"ev":"pick","t":"2021-02-22T15:51:45Z","sym":"AMD","scanner":"gap"}'
DROP='{"ev":"drop","t":"2021-02-22T15:52:00Z","sym":"AAPL","why":"done"}'
g=$TEST_DATA/live-alpaca-default.golden
{
	sed -n "1p;5p" "$g" && echo "$PICK" && sed -n "1,2p;5p" "$g" &&
	echo "$DROP" && sed -n "2p" "$g"
} >dyn.expect
cat >dyn.subs <<\EOF
{"action":"subscribe","trades":["AAPL"],"quotes":["AAPL"],"bars":["AAPL"],"updatedBars":["AAPL"],"statuses":["AAPL"],"lulds":["AAPL"]}
{"action":"subscribe","trades":["AMD"],"quotes":["AMD"],"bars":["AMD"],"updatedBars":["AMD"],"statuses":["AMD"],"lulds":["AMD"]}
{"action":"unsubscribe","trades":["AAPL"],"quotes":["AAPL"],"bars":["AAPL"],"updatedBars":["AAPL"],"statuses":["AAPL"],"lulds":["AAPL"]}
EOF

# dyn_run N SOURCE: with liu-stream started as bg live, on the fake "dynamic"
# (its connection N), reading control lines from the file descriptor 7:
# a pick of AMD, a bad line, the pick of a symbol that would break a
# subscription (Polygon's is a comma list), an event that is neither a
# pick nor a drop, a drop of AAPL, each once the data before it is out.
# The control source is $2 in the messages.
dyn_run () {
	test_wait_for "test \$(lines live.out) -ge 2" &&
	echo "$PICK" >&7 &&
	test_wait_for "test \$(lines live.out) -ge 6" &&
	echo "{\"ev\":\"pick\"" >&7 &&
	echo "{\"ev\":\"pick\",\"t\":\"2021-02-22T15:51:50Z\",\"sym\":\"X,T.*\"}" >&7 &&
	echo "{\"ev\":\"clock\",\"t\":\"2021-02-22T15:51:50Z\"}" >&7 &&
	echo "$DROP" >&7 &&
	test_wait_for "test \$(lines live.out) -ge 8" &&
	exec 7>&- &&
	stop &&
	test $bg_code = 143 &&
	no_rt live.out >actual &&
	test_cmp dyn.expect actual &&
	sed -n "/^# connection $1 /,\$p" dynamic.log |
	    grep "^{\"action\":\"[a-z]*subscribe\"" >actual &&
	test_cmp dyn.subs actual &&
	cat >expect <<-EOF &&
	liu-stream: $2:2: bad event: truncated JSON
	liu-stream: $2:3: pick of a symbol that cannot be subscribed to: not 1 to 32 printable ASCII characters, without a comma, a quote or a backslash
	EOF
	test_cmp expect live.err
}

test_expect_success 'a --control FIFO: pick subscribes, drop unsubscribes' '
	mkfifo ctl &&
	bg live alp dynamic --control ctl AAPL &&
	exec 7>ctl &&
	dyn_run 1 ctl
'

test_expect_success 'the same from stdin, a pipe' '
	mkfifo in &&
	exec 7<>in &&
	: >live.out &&
	: >live.err &&
	{
		cat <in 7>&- | { bg_exec=exec; alp dynamic AAPL; } \
		    >live.out 2>live.err &
	} &&
	bg_pid=$! &&
	test_kill_at_end $bg_pid &&
	dyn_run 2 stdin
'

# 3. Disconnects, gaps

test_expect_success 'a disconnect mid-stream: reconnect, the whole set again' '
	mkfifo ctl2 &&
	LIU_NOW=2021-02-22T15:55:00Z && export LIU_NOW &&
	bg live alp drop --control ctl2 AAPL &&
	test_wait_for "test \$(lines live.out) -ge 2" &&
	echo "$PICK" >ctl2 &&
	test_wait_for "grep -q \"^# connection 2 \" drop.log" &&
	test_wait_for "test \$(lines live.out) -ge 8" &&
	stop &&
	test $bg_code = 143 &&
	{
		sed -n "1p;5p" "$g" && echo "$PICK" && sed -n "1,2p" "$g" &&
		sed -n "1,2p;5p" "$g"
	} >expect &&
	no_rt live.out >actual &&
	test_cmp expect actual &&
	grep -v "^# closed" drop.log >actual &&
	cat >expect <<-\EOF &&
	# connection 1 /v2/iex
	{"action":"auth","key":"***","secret":"***"}
	{"action":"subscribe","trades":["AAPL"],"quotes":["AAPL"],"bars":["AAPL"],"updatedBars":["AAPL"],"statuses":["AAPL"],"lulds":["AAPL"]}
	{"action":"subscribe","trades":["AMD"],"quotes":["AMD"],"bars":["AMD"],"updatedBars":["AMD"],"statuses":["AMD"],"lulds":["AMD"]}
	# connection 2 /v2/iex
	{"action":"auth","key":"***","secret":"***"}
	{"action":"subscribe","trades":["AAPL","AMD"],"quotes":["AAPL","AMD"],"bars":["AAPL","AMD"],"updatedBars":["AAPL","AMD"],"statuses":["AAPL","AMD"],"lulds":["AAPL","AMD"]}
	EOF
	test_cmp expect actual &&
	test_line_count = 2 live.err &&
	test_grep "^liu-stream: alpaca: connection lost; reconnecting in 0\.[0-9]s\$" live.err &&
	test_grep "^liu-stream: alpaca: reconnected after [0-9]*\.[0-9]s, gap 15:5[56]:[0-5][0-9]-15:5[56]:[0-5][0-9]\$" live.err
'

# The clock starts at 16:02:55 and the connection is lost at once; the
# second one is up after 16:03:00 (5 s of room for a slow start): the bar of 16:02, which came out while
# the client was away, is fetched, and comes before the live trade.
test_expect_success '--backfill-gaps: the missed minute bars, over REST' '
	: >rest.log &&
	LIU_NOW=2021-02-01T16:02:55Z && export LIU_NOW &&
	bg live alp gap --timeout 10s --backfill-gaps \
	    --rest-url "$(rest_url rest)" AAPL &&
	test_wait_for "test \$(lines live.out) -ge 3" &&
	stop &&
	test $bg_code = 143 &&
	{
		trade_ev 2021-02-01T16:02:57Z 1 &&
		sed -n "2s/}\$/,\"hist\":true}/p" \
		    "$TEST_DATA/hist-alpaca-aapl-1m.ndjson" &&
		trade_ev 2021-02-01T16:03:01Z 2
	} >expect &&
	no_rt live.out >actual &&
	test_cmp expect actual &&
	test_line_count = 2 live.err &&
	test_grep "^liu-stream: alpaca: connection lost; reconnecting in 0\.[0-9]s\$" live.err &&
	test_grep "^liu-stream: alpaca: reconnected after [0-9]*\.[0-9]s, gap 16:02:5[5-9]-16:03:0[0-9]\$" live.err &&
	test_line_count = 1 rest.log &&
	test_grep "^GET /v2/stocks/AAPL/bars?timeframe=1Min&start=2021-02-01T16%3A02%3A00Z&end=2021-02-01T16%3A03%3A00Z&.* 200\$" rest.log
'

# 4. Backfills

# The bars of the last 5 minutes before 16:03:30: 16:01 and 16:02.
test_expect_success '--backfill: recent bars first, marked hist, in order' '
	: >rest.log &&
	LIU_NOW=2021-02-01T16:03:30Z && export LIU_NOW &&
	bg live alp bf --backfill 5m --rest-url "$(rest_url rest)" AAPL &&
	test_wait_for "test \$(lines live.out) -ge 3" &&
	stop &&
	test $bg_code = 143 &&
	{
		sed -e "s/}\$/,\"hist\":true}/" \
		    "$TEST_DATA/hist-alpaca-aapl-1m.ndjson" &&
		trade_ev 2021-02-01T16:03:30.5Z 3
	} >expect &&
	no_rt live.out >actual &&
	test_cmp expect actual &&
	test_must_be_empty live.err &&
	test_grep "^GET /v2/stocks/AAPL/bars?timeframe=1Min&start=2021-02-01T15%3A58%3A00Z&end=2021-02-01T16%3A03%3A00Z&.* 200\$" rest.log
'

test_expect_success '--backfill: a symbol picked later, before its events' '
	mkfifo ctl3 &&
	LIU_NOW=2021-02-01T16:03:30Z && export LIU_NOW &&
	bg live alp bfpick --control ctl3 --backfill 5m \
	    --rest-url "$(rest_url rest)" SPY &&
	test_wait_for "grep -q subscribe bfpick.log" &&
	p="{\"ev\":\"pick\",\"t\":\"2021-02-01T16:03:30Z\",\"sym\":\"AAPL\"}" &&
	echo "$p" >ctl3 &&
	test_wait_for "test \$(lines live.out) -ge 4" &&
	stop &&
	test $bg_code = 143 &&
	{
		echo "$p" &&
		sed -e "s/}\$/,\"hist\":true}/" \
		    "$TEST_DATA/hist-alpaca-aapl-1m.ndjson" &&
		trade_ev 2021-02-01T16:03:30.5Z 4
	} >expect &&
	no_rt live.out >actual &&
	test_cmp expect actual &&
	test_must_be_empty live.err
'

# 5. The provider's errors

# fatal FAKE MESSAGE ARG...: liu-stream alpaca ARG... against the fake
# FAKE ends at once with status 1 and MESSAGE alone, writing nothing.
fatal () {
	fa_n=$1
	echo "liu-stream: $2" >expect &&
	shift 2 &&
	test_expect_code 1 alp $fa_n "$@" >out 2>err &&
	test_must_be_empty out &&
	test_cmp expect err
}

test_expect_success 'fatal: alpaca 402, 409, 410, polygon auth_failed, 4xx' '
	(
		APCA_API_SECRET_KEY=not-the-secret &&
		fatal types "alpaca: authentication failed: auth failed (check APCA_API_KEY_ID and APCA_API_SECRET_KEY)" \
		    AAPL
	) &&
	fatal fatal "alpaca: error 409: insufficient subscription" AAPL &&
	fatal fatal "alpaca: error 410: invalid subscribe action for this feed" \
	    AAPL &&
	fatal fatal "alpaca: the server refused the upgrade: HTTP 401" AAPL &&
	grep "^# [ch]" fatal.log >actual &&
	cat >expect <<-\EOF &&
	# connection 1 /v2/iex
	# closed 1 1000
	# connection 2 /v2/iex
	# closed 2 1000
	# connection 3 /v2/iex
	# http 3 401
	EOF
	test_cmp expect actual &&
	fatal fatal "alpaca: the server refused the upgrade: HTTP 404" \
	    --url "$(alp_url fatal v2/stocks)" AAPL &&
	test_grep "^# http 4 404\$" fatal.log &&
	(
		POLYGON_API_KEY=not-the-key &&
		test_expect_code 1 pg ptypes AAPL >out 2>err
	) &&
	test_must_be_empty out &&
	echo "liu-stream: polygon: authentication failed: authentication failed (check POLYGON_API_KEY)" \
	    >expect &&
	test_cmp expect err
'

test_expect_success 'alpaca 406: asks again after a wait, then streams' '
	bg live alp f406 AAPL &&
	test_wait_for "test \$(lines live.out) -ge 5" &&
	stop &&
	test $bg_code = 143 &&
	no_rt live.out >actual &&
	test_cmp "$TEST_DATA/live-alpaca-default.golden" actual &&
	test_line_count = 1 live.err &&
	test_grep "^liu-stream: alpaca: connection limit exceeded (another client holds the connection); asking again in 0\.[0-9]s\$" live.err &&
	test $(grep -c "^{\"action\":\"auth\"" f406.log) = 3 &&
	test $(grep -c "^# connection" f406.log) = 1 &&
	# the next connection gets 406 for ever: --give-up ends it
	test_expect_code 1 alp f406 --give-up 1s AAPL >out 2>err &&
	test_must_be_empty out &&
	test_grep "^liu-stream: alpaca: connection limit exceeded, still after [0-9]*s; giving up\$" err
'

test_expect_success 'alpaca 405: the symbols that fit stream, the others named' '
	bg live alp f405 AAPL AMD SPY &&
	test_wait_for "test \$(lines live.out) -ge 5 && test -s live.err" &&
	stop &&
	test $bg_code = 143 &&
	no_rt live.out >actual &&
	test_cmp "$TEST_DATA/live-alpaca-default.golden" actual &&
	echo "liu-stream: alpaca: symbol limit: SPY refused (error 405); the others stream on" \
	    >expect &&
	test_cmp expect live.err &&
	grep "subscribe" f405.log | sed -e "s/,\"quotes\".*//" >actual &&
	cat >expect <<-\EOF &&
	{"action":"subscribe","trades":["AAPL","AMD","SPY"]
	{"action":"subscribe","trades":["AAPL"]
	{"action":"subscribe","trades":["AMD"]
	{"action":"subscribe","trades":["SPY"]
	EOF
	test_cmp expect actual
'

test_expect_success 'alpaca 407: said loudly, with the queue; reconnects' '
	bg live alp f407 AAPL &&
	test_wait_for "test \$(lines live.out) -ge 10" &&
	stop &&
	test $bg_code = 143 &&
	cat "$g" "$g" >expect &&
	no_rt live.out >actual &&
	test_cmp expect actual &&
	test_line_count = 3 live.err &&
	test_grep "^liu-stream: alpaca: SLOW CLIENT: the server is dropping us (slow client); queue [0-9]* bytes now, peak [0-9]* of 67108864, 0 events dropped here so far\$" live.err &&
	test_grep "^liu-stream: alpaca: the server closed the connection (1008: slow client); reconnecting in 0\.[0-9]s\$" live.err &&
	test_grep "^liu-stream: alpaca: reconnected after [0-9]*\.[0-9]s, gap " live.err &&
	test $(grep -c "^# connection" f407.log) = 2
'

# 6. Malformed frames

test_expect_success 'malformed frames and messages: said, skipped; the rest' '
	bg live alp junk AAPL &&
	test_wait_for "test \$(lines live.out) -ge 9" &&
	stop &&
	test $bg_code = 143 &&
	cat "$TEST_DATA/live-alpaca-capture.golden" "$g" >expect &&
	no_rt live.out >actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	liu-stream: alpaca: frame 4 skipped: not a JSON array or object
	liu-stream: alpaca: frame 5 skipped: truncated JSON
	liu-stream: alpaca: frame 6 skipped: not a JSON array or object
	liu-stream: alpaca: message skipped: event longer than the line limit
	liu-stream: alpaca: message skipped: missing "t"
	liu-stream: alpaca: message skipped: bad time in "t"
	liu-stream: alpaca: frame 9 skipped: empty frame
	liu-stream: alpaca: message skipped: not an object
	liu-stream: alpaca: frame 11 skipped: larger than 16 MiB
	liu-stream: alpaca: messages of type '"'"'zz'"'"' are not translated: counted, not written
	liu-stream: alpaca: 9 events, 20 frames (5 refused), 4 messages skipped, 3 of unknown types, 0 reconnects, 0 events dropped for a slow reader
	EOF
	test_cmp expect live.err
'

test_expect_success 'polygon: an unknown event type, said once, counted' '
	bg live pg punk MSFT &&
	test_wait_for "test \$(lines live.out) -ge 5" &&
	stop &&
	test $bg_code = 143 &&
	no_rt live.out >actual &&
	test_cmp "$TEST_DATA/live-polygon-default.golden" actual &&
	cat >expect <<-\EOF &&
	liu-stream: polygon: messages of type '"'"'ZZ'"'"' are not translated: counted, not written
	liu-stream: polygon: messages of type '"'"'NOI'"'"' are not translated: counted, not written
	liu-stream: polygon: 5 events, 13 frames (0 refused), 0 messages skipped, 3 of unknown types, 0 reconnects, 0 events dropped for a slow reader
	EOF
	test_cmp expect live.err
'

# 7. TLS

# A refused certificate is a reason to try again (it may be renewed), said
# once; --give-up ends it.
test_expect_success 'TLS: a certificate of another CA is refused' '
	test_expect_code 1 alp other --give-up 500ms AAPL >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	liu-stream: alpaca: cannot connect: SSL error: unable to get local issuer certificate; reconnecting in 0.0s
	liu-stream: alpaca: connection lost (cannot connect: SSL error: unable to get local issuer certificate), not back after 1s; giving up
	EOF
	sed -e "s/in 0\.[0-9]s\$/in 0.0s/" -e "s/after [0-9]s;/after 1s;/" \
	    err >actual &&
	test_cmp expect actual &&
	test_grep ! "^# connection" other.log &&
	# nor without --cacert: the system CAs do not know ours either
	test_expect_code 1 liu-stream alpaca --url "$(alp_url types)" $FAST \
	    --give-up 500ms AAPL >out 2>err &&
	test_must_be_empty out &&
	sed -e "s/in 0\.[0-9]s\$/in 0.0s/" -e "s/after [0-9]s;/after 1s;/" \
	    err >actual &&
	test_cmp expect actual
'

test_expect_success 'TLS: a certificate for another name is refused' '
	test_expect_code 1 alp badname --give-up 500ms AAPL >out 2>err &&
	test_must_be_empty out &&
	test_line_count = 2 err &&
	test_grep "^liu-stream: alpaca: cannot connect: SSL error: IP address mismatch; reconnecting in 0\.[0-9]s\$" err &&
	test_expect_code 1 liu-stream alpaca --cacert "$TLS_CA" $FAST \
	    --url "wss://localhost:$(cat badname.port)/v2/iex" \
	    --give-up 500ms AAPL >out 2>err &&
	test_line_count = 2 err &&
	test_grep "^liu-stream: alpaca: cannot connect: SSL error: .*mismatch; reconnecting in 0\.[0-9]s\$" err &&
	test_grep ! "^# connection" badname.log
'

test_expect_success 'TLS: a --cacert that cannot be read or used: exit 2' '
	test_expect_code 2 alp types --cacert nosuch.pem AAPL >out 2>err &&
	test_must_be_empty out &&
	echo "liu-stream: --cacert nosuch.pem: No such file or directory" \
	    >expect &&
	test_cmp expect err &&
	echo "not a certificate" >junk.pem &&
	test_expect_code 2 alp types --cacert junk.pem AAPL >out 2>err &&
	test_must_be_empty out &&
	test_grep "^liu-stream: --cacert junk.pem: .*junk.pem" err &&
	test_line_count = 1 err
'

test_expect_success 'plain ws:// to loopback: by address and by name' '
	bg live liu-stream alpaca \
	    --url "ws://127.0.0.1:$(cat plain.port)/v2/iex" AAPL &&
	test_wait_for "test \$(lines live.out) -ge 5" &&
	stop &&
	no_rt live.out >actual &&
	test_cmp "$g" actual &&
	bg live env APCA_API_STREAM_URL="ws://localhost:$(cat plain.port)" \
	    liu-stream alpaca --feed sip AAPL &&
	test_wait_for "test \$(lines live.out) -ge 5" &&
	stop &&
	no_rt live.out >actual &&
	test_cmp "$g" actual &&
	test_grep "^# connection 2 /v2/sip\$" plain.log
'

# 192.0.2.1 is TEST-NET-1: a connection would hang, not end in exit 2.
test_expect_success 'plain ws:// elsewhere: refused, exit 2, nothing sent' '
	for u in ws://192.0.2.1:9/v2/iex ws://stream.data.alpaca.markets/v2/iex \
	    ws://127.0.0.1.nip.io/v2/iex ws://localhost.example.com/v2/iex
	do
		test_expect_code 2 liu-stream alpaca --url "$u" AAPL \
		    >out 2>err &&
		test_must_be_empty out &&
		echo "liu-stream: alpaca: bad --url: plain ws:// is refused but to a loopback host (127.0.0.0/8, ::1, localhost); use wss://" \
		    >expect &&
		test_cmp expect err || return 1
	done &&
	test_expect_code 2 env APCA_API_STREAM_URL=ws://192.0.2.1 \
	    liu-stream alpaca AAPL 2>err &&
	test_grep "^liu-stream: alpaca: bad APCA_API_STREAM_URL: plain ws:// is refused" err &&
	test_expect_code 2 env POLYGON_STREAM_URL=ws://192.0.2.1 \
	    liu-stream polygon AAPL 2>err &&
	test_grep "^liu-stream: polygon: bad POLYGON_STREAM_URL: plain ws:// is refused" err &&
	test_expect_code 2 liu-stream alpaca \
	    --url "wss://me:hunter2@127.0.0.1:1/v2/iex" AAPL 2>err &&
	test_grep "no user name or password in a URL" err &&
	test_grep ! hunter2 err
'

# 9. No subcommand

test_expect_success 'no subcommand: LIU_DATA_PROVIDER, else the keys set' '
	: >ptypes.log &&
	LIU_DATA_PROVIDER=polygon && export LIU_DATA_PROVIDER &&
	bg live liu-stream --cacert "$TLS_CA" --url "$(pg_url ptypes)" MSFT &&
	test_wait_for "test \$(lines live.out) -ge 5" &&
	stop &&
	no_rt live.out >actual &&
	test_cmp "$TEST_DATA/live-polygon-default.golden" actual &&
	# only the Polygon key: Polygon; a symbol first, no option
	unset LIU_DATA_PROVIDER APCA_API_KEY_ID &&
	bg live env POLYGON_STREAM_URL="wss://127.0.0.1:$(cat ptypes.port)" \
	    SSL_CERT_FILE="$TLS_CA" liu-stream MSFT &&
	test_wait_for "test \$(lines live.out) -ge 5" &&
	stop &&
	no_rt live.out >actual &&
	test_cmp "$TEST_DATA/live-polygon-default.golden" actual &&
	test $(grep -c "^{\"action\":\"auth\",\"params\":\"\*\*\*\"}\$" \
	    ptypes.log) = 2
'

test_expect_success 'no subcommand, no keys: exit 2 naming the variables' '
	(
		unset APCA_API_KEY_ID APCA_API_SECRET_KEY POLYGON_API_KEY &&
		test_expect_code 2 liu-stream >out 2>err &&
		test_must_be_empty out &&
		cat >expect <<-\EOF &&
		liu-stream: no data provider: set APCA_API_KEY_ID and APCA_API_SECRET_KEY (Alpaca) or POLYGON_API_KEY (Polygon), and LIU_DATA_PROVIDER to choose when both are set
		EOF
		test_cmp expect err &&
		test_expect_code 2 liu-stream --types trade AAPL >out 2>err &&
		test_cmp expect err &&
		test_expect_code 2 liu-stream AAPL 2>err &&
		test_cmp expect err &&
		test_expect_code 2 env APCA_API_KEY_ID=x liu-stream AAPL 2>err &&
		test_cmp expect err &&
		test_expect_code 2 env LIU_DATA_PROVIDER=alpaca \
		    liu-stream AAPL 2>err &&
		echo "liu-stream: no key: set APCA_API_KEY_ID (see liu-stream(1))" \
		    >expect &&
		test_cmp expect err &&
		test_expect_code 2 liu-stream polygon AAPL 2>err &&
		echo "liu-stream: no key: set POLYGON_API_KEY (see liu-stream(1))" \
		    >expect &&
		test_cmp expect err
	)
'

# 10. A slow reader

# stdout is a FIFO whose reader waits for the fake's pong (the client has
# read all 100000 events) before it reads anything.
test_expect_success 'a slow reader: the oldest events dropped, said; no loss' '
	mkfifo slowp.out &&
	{
		{
			until grep -q "^# pong" slow.log
			do
				sleep 0.1
			done &&
			exec cat
		} <slowp.out >slow.out &
	} &&
	rpid=$! &&
	bg slowp alp slow --queue-max 4096 AAPL &&
	test_wait_for "grep -q FAKEPACA slow.out" &&
	stop &&
	test $bg_code = 143 &&
	wait $rpid &&
	tail -n 4 slow.out >last &&
	no_rt last >actual &&
	test_cmp "$TEST_DATA/live-alpaca-capture.golden" actual &&
	valid slow.out &&
	ends_in_newline slow.out &&
	test_grep ! reconnecting slowp.err &&
	test $(grep -c "^# connection" slow.log) = 1 &&
	test_grep "^liu-stream: alpaca: output too slow: dropped the [0-9]* oldest events (gap 20[-0-9T:.Z]* to 20[-0-9T:.Z]*); queue limit 4096 bytes\$" slowp.err &&
	# what was written and what was dropped make up what was sent
	sed -n "s/.*: dropped the \([0-9]*\) oldest.*/\1/p" slowp.err >n &&
	test $(($(paste -s -d+ n) + $(lines slow.out))) = 100004 &&
	test_grep ", [1-9][0-9]* events dropped for a slow reader\$" slowp.err
'

# 11. Signals, keep-alive

# killed SIGNAL STATUS: liu-stream streaming from the fake "fast" ends
# with STATUS on SIGNAL, its output whole valid lines.
killed () {
	bg live alp fast AAPL &&
	test_wait_for "test \$(lines live.out) -ge 20000" &&
	stop $1 &&
	test $bg_code = $2 &&
	ends_in_newline live.out &&
	valid live.out &&
	check_rt live.out
}

test_expect_success 'SIGTERM mid-stream: whole lines out, status 143' '
	killed TERM 143
'

test_expect_success 'SIGINT mid-stream: whole lines out, status 130' '
	killed INT 130
'

# The reader never reads: the writer blocks in write(2) (Linux says
# where a process waits in wchan).  The first SIGINT cannot get a whole
# line out; once it has been taken (no signal pending), the second ends
# the process, as in every liu program.
test_expect_success 'a reader that never reads: the second SIGINT ends it' '
	mkfifo stuck.out &&
	exec 8<>stuck.out &&
	bg stuck alp fast AAPL 8>&- &&
	test_wait_for "ps -o wchan= -p $bg_pid | grep -q pipe_write" &&
	kill -INT $bg_pid &&
	test_wait_for "grep -q \"^ShdPnd:[	 ]*0*\$\" /proc/$bg_pid/status" &&
	kill -0 $bg_pid &&
	kill -INT $bg_pid &&
	test_wait_for "fake_gone $bg_pid" 20 &&
	{ wait $bg_pid; echo $? >code; } &&
	echo 130 >expect &&
	test_cmp expect code
'

test_expect_success 'a reader that leaves: SIGPIPE, quietly' '
	{ alp fast AAPL 2>err; echo $? >code; } | head -n 1 >out &&
	echo 141 >expect &&
	test_cmp expect code &&
	test_must_be_empty err &&
	test_line_count = 1 out
'

test_expect_success 'keep-alive: --ping; a server that hangs is left' '
	bg live alp hang --ping 1s --timeout 1s AAPL &&
	test_wait_for "grep -q \"^# connection 2 \" hang.log" 20 &&
	test_wait_for "test \$(lines live.out) -ge 10" &&
	# the new connection, idle, is pinged
	test_wait_for "sed -n \"/^# connection 2 /,\\\$p\" hang.log |
	    grep -q \"^# ping\"" &&
	stop &&
	test $bg_code = 143 &&
	cat "$g" "$g" >expect &&
	no_rt live.out >actual &&
	test_cmp expect actual &&
	test_grep "^liu-stream: alpaca: connection lost; reconnecting in 0\.[0-9]s\$" live.err &&
	test_grep "^liu-stream: alpaca: reconnected after " live.err
'

# 12. Record, replay

# momentum_long places no order on this day; vwap_long does.
test_expect_success 'record with tee, replay: the same orders and fills' '
	mkfifo rec.out &&
	{
		tee day.ndjson <rec.out |
		    liu-strategy --fill sim momentum_long vwap_long \
		    >live.orders &
	} &&
	spid=$! &&
	bg rec alp day AAPL &&
	test_wait_for "test \$(lines day.ndjson) -ge 392" &&
	stop &&
	test $bg_code = 143 &&
	wait $spid &&
	test_line_count = 392 day.ndjson &&
	no_rt day.ndjson >actual &&
	test_cmp "$SRC_DIR/data/aapl-2012-01-26-1m.ndjson" actual &&
	liu-stream replay --max day.ndjson |
	    liu-strategy --fill sim momentum_long vwap_long >replay.orders &&
	test -s live.orders &&
	test_cmp live.orders replay.orders &&
	liu-strategy --fill sim momentum_long vwap_long \
	    <"$SRC_DIR/data/aapl-2012-01-26-1m.ndjson" >backtest.orders &&
	test_cmp backtest.orders live.orders
'

# 8. Secrets

test_expect_success 'no key in any output, log, file or ps listing' '
	bg live alp types AAPL &&
	bg_pid1=$bg_pid &&
	bg live2 pg ptypes MSFT &&
	test_wait_for "test \$(lines live.out) -ge 13" &&
	test_wait_for "test \$(lines live2.out) -ge 5" &&
	ps -eo args >ps.out &&
	stop &&
	bg_pid=$bg_pid1 &&
	stop &&
	test_grep "^liu-stream alpaca --cacert" ps.out &&
	test_grep "^liu-stream polygon --cacert" ps.out &&
	test_grep "fake-stream.py --provider alpaca" ps.out &&
	for k in "$APCA_API_KEY_ID" "$APCA_API_SECRET_KEY" "$POLYGON_API_KEY"
	do
		! grep -r -l -F -e "$k" . "$TRASH_DIRECTORY.out" >>leaks ||
		return 1
	done &&
	test_must_be_empty leaks
'

test_done
