#!/bin/sh
test_description='the fake Alpaca and Polygon stream servers themselves

t/fake-stream.py is test infrastructure: these tests check it against the
providers'"'"' fixtures (../shared/fixtures, ../shared/protocols.md sections
1 and 4), through the small client t/ws-client.py, not against liu-stream.'
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

# What the client sends (ws-client.py sendf=FILE).  ws-client.py expands
# ${...} from its environment: no credential is in a file or an argv.
cat >a-auth <<\EOF
{"action":"auth","key":"${APCA_API_KEY_ID}","secret":"${APCA_API_SECRET_KEY}"}
EOF
cat >a-badauth <<\EOF
{"action":"auth","key":"${APCA_API_KEY_ID}","secret":"not-the-secret"}
EOF
# the subscribe and unsubscribe of the docs (protocols.md section 1)
cat >a-sub <<\EOF
{"action": "subscribe", "trades": ["AAPL"], "quotes": ["AMD", "CLDR"], "bars": ["*"],"dailyBars":["VOO"],"statuses":["*"]}
EOF
cat >a-unsub <<\EOF
{"action": "unsubscribe", "bars": ["*"], "dailyBars": ["VOO"], "statuses": ["*"]}
EOF
cat >a-sub-aapl <<\EOF
{"action":"subscribe","trades":["AAPL"]}
EOF
cat >p-auth <<\EOF
{"action":"auth","params":"${POLYGON_API_KEY}"}
EOF
cat >p-sub <<\EOF
{"action":"subscribe","params":"T.MSFT,Q.MSFT, AM.GTE"}
EOF
AUTH=sendf=a-auth SUB=sendf=a-sub PAUTH=sendf=p-auth PSUB=sendf=p-sub

# The frames, verbatim from the fixtures: alpaca/fixtures.json
# market_data_stream (server_connected, server_authenticated,
# data_examples_docs), and the subscription answers of protocols.md.
cat >alpaca-hello <<\EOF
[{"T":"success","msg":"connected"}]
[{"T":"success","msg":"authenticated"}]
EOF
cat >alpaca-sub <<\EOF
[{"T":"subscription","trades":["AAPL"],"quotes":["AMD","CLDR"],"bars":["*"],"updatedBars":[],"dailyBars":["VOO"],"statuses":["*"],"lulds":[],"corrections":["AAPL"],"cancelErrors":["AAPL"]}]
EOF
cat >alpaca-unsub <<\EOF
[{"T":"subscription","trades":["AAPL"],"quotes":["AMD","CLDR"],"bars":[],"updatedBars":[],"dailyBars":[],"statuses":[],"lulds":[],"corrections":["AAPL"],"cancelErrors":["AAPL"]}]
EOF
cat >alpaca-data <<\EOF
{"T":"t","i":96921,"S":"AAPL","x":"D","p":126.55,"s":1,"t":"2021-02-22T15:51:44.208Z","c":["@","I"],"z":"C"}
{"T":"q","S":"AMD","bx":"U","bp":87.66,"bs":1,"ax":"Q","ap":87.68,"as":4,"t":"2021-02-22T15:51:45.335689322Z","c":["R"],"z":"C"}
{"T":"b","S":"SPY","o":388.985,"h":389.13,"l":388.975,"c":389.12,"v":49378,"t":"2021-02-22T19:15:00Z"}
{"T":"d","S":"SPY","o":388.985,"h":389.13,"l":388.975,"c":389.12,"v":749378,"t":"2021-02-16T04:00:00Z"}
{"T":"s","S":"AAPL","sc":"H","sm":"Trading Halt","rc":"T12","rm":"Trading Halted; For information requested by NASDAQ","t":"2021-02-22T19:15:00Z","z":"C"}
EOF
sed -e 's/^/[/' -e 's/$/]/' alpaca-data >alpaca-frames
# polygon/ws_spec_examples.json; the status texts of protocols.md section 4
cat >polygon-hello <<\EOF
[{"ev":"status","status":"connected","message":"Connected Successfully"}]
[{"ev":"status","status":"auth_success","message":"authenticated"}]
[{"ev":"status","status":"success","message":"subscribed to: T.MSFT"}]
[{"ev":"status","status":"success","message":"subscribed to: Q.MSFT"}]
[{"ev":"status","status":"success","message":"subscribed to: AM.GTE"}]
EOF
cat >polygon-data <<\EOF
{"ev":"T","sym":"MSFT","x":4,"i":"12345","z":3,"p":114.125,"s":100,"c":[0,12],"t":1536036818784,"q":3681328}
{"ev":"Q","sym":"MSFT","bx":4,"bp":114.125,"bs":100,"ax":7,"ap":114.128,"as":160,"c":0,"i":[604],"t":1536036818784,"q":50385480,"z":3}
{"ev":"A","sym":"SPCE","v":200,"av":8642007,"op":25.66,"vw":25.3981,"o":25.39,"c":25.39,"h":25.39,"l":25.39,"a":25.3714,"z":50,"s":1610144868000,"e":1610144869000}
{"ev":"AM","sym":"GTE","v":4110,"av":9470157,"op":0.4372,"vw":0.4488,"o":0.4488,"c":0.4486,"h":0.4489,"l":0.4486,"a":0.4352,"z":685,"s":1610144640000,"e":1610144700000}
{"ev":"LULD","T":"MSFT","h":218.96,"l":198.11,"i":[21],"z":3,"t":1601316752683746,"q":290317}
{"ev":"NOI","T":"NTEST.Q","t":1601318039223013600,"at":930,"a":"M","i":44,"x":10,"o":480,"p":440,"b":25.03}
EOF
sed -e 's/^/[/' -e 's/$/]/' polygon-data >polygon-frames
# alpaca-derived: the "derived" set of t/data/alpaca-stream.json, made for
# liu from the field lists of protocols.md (no verbatim example exists)
cat >alpaca-derived <<\EOF
[{"T":"u","S":"SPY","o":388.985,"h":389.13,"l":388.975,"c":389.12,"v":49478,"t":"2021-02-22T19:15:00Z"}]
[{"T":"c","S":"AAPL","x":"D","oi":96921,"op":126.55,"os":1,"oc":["@","I"],"ci":96922,"cp":126.5,"cs":1,"cc":["@","I"],"z":"C","t":"2021-02-22T15:51:44.208Z"}]
[{"T":"x","S":"AAPL","i":96921,"x":"D","p":126.55,"s":1,"a":"C","z":"C","t":"2021-02-22T15:51:44.208Z"}]
[{"T":"l","S":"AAPL","u":132.88,"d":120.22,"i":"B","z":"C","t":"2021-02-22T15:51:44.208Z"}]
EOF

# alp_url NAME [FEED]: the Alpaca stream URL of the fake NAME.
alp_url () {
	echo "wss://127.0.0.1:$(cat "$1.port")/v2/${2:-iex}"
}
pg_url () {
	echo "wss://127.0.0.1:$(cat "$1.port")/stocks"
}
# flat FILE: the messages of the frames (JSON arrays, one a line) in FILE,
# one a line, compact.  Not jq: jq 1.6 reads numbers as doubles, and the
# 19-digit integer of Polygon's NOI example has more digits than that.
flat () {
	"$FAKE_PYTHON" -c 'import json, sys
for line in open(sys.argv[1]):
	for m in json.loads(line):
		print(json.dumps(m, separators=(",", ":"), ensure_ascii=False))
' "$1"
}
# frame: the lines of stdin joined into one frame, a JSON array.
frame () {
	paste -s -d, - | sed -e 's/^/[/' -e 's/$/]/'
}
# sizes FILE: the number of messages in each frame of FILE, on one line.
sizes () {
	jq -c length "$1" | paste -s -d" " -
}
# bg_client NAME ARG...: ws_client in the background, its output in
# NAME.cout and its exit status, once it has ended, in NAME.code.
bg_client () {
	bg_name=$1
	shift
	rm -f "$bg_name.code"
	{ ws_client "$@" >"$bg_name.cout" 2>&1; echo $? >"$bg_name.code"; } &
}

test_expect_success 'alpaca: start the fake with the default scenario' '
	fake_stream_start alp alpaca &&
	test_grep "^[0-9][0-9]*\$" alp.port
'

test_expect_success 'alpaca: handshake, subscription and data, verbatim' '
	ws_client "$(alp_url alp)" recv $AUTH recv $SUB recv recv=5 \
	    sendf=a-unsub recv >out &&
	cat alpaca-hello alpaca-sub alpaca-frames alpaca-unsub >expect &&
	test_cmp expect out
'

test_expect_success 'alpaca: subscribe is a delta, the answer the whole set' '
	cat >more <<-\EOF &&
	{"action":"subscribe","trades":["MSFT"],"updatedBars":["SPY"],"lulds":["*"],"imbalances":["IBM"]}
	EOF
	cat >less <<-\EOF &&
	{"action":"unsubscribe","trades":["AAPL","NONE"],"quotes":[],"imbalances":["IBM"]}
	EOF
	ws_client "$(alp_url alp sip)" recv $AUTH recv sendf=a-sub-aapl recv \
	    recv=5 sendf=more sendf=less recv=2 >out &&
	sed -n "3p;9,10p" out >actual &&
	cat >expect <<-\EOF &&
	[{"T":"subscription","trades":["AAPL"],"quotes":[],"bars":[],"updatedBars":[],"dailyBars":[],"statuses":[],"lulds":[],"corrections":["AAPL"],"cancelErrors":["AAPL"]}]
	[{"T":"subscription","trades":["AAPL","MSFT"],"quotes":[],"bars":[],"updatedBars":["SPY"],"dailyBars":[],"statuses":[],"lulds":["*"],"corrections":["AAPL","MSFT"],"cancelErrors":["AAPL","MSFT"],"imbalances":["IBM"]}]
	[{"T":"subscription","trades":["MSFT"],"quotes":[],"bars":[],"updatedBars":["SPY"],"dailyBars":[],"statuses":[],"lulds":["*"],"corrections":["MSFT"],"cancelErrors":["MSFT"]}]
	EOF
	test_cmp expect actual
'

test_expect_success 'alpaca: 401 before auth, 400 for bad requests, 402, 403' '
	echo "{\"action\":\"subscribe\",\"corrections\":[\"AAPL\"]}" >bad1 &&
	echo "{\"action\":\"subscribe\",\"trades\":\"AAPL\"}" >bad2 &&
	ws_client "$(alp_url alp)" recv $SUB recv "send=not json" recv \
	    "send=[]" recv "send={\"action\":\"listen\"}" recv \
	    sendf=a-badauth recv $AUTH recv $AUTH recv \
	    sendf=bad1 recv sendf=bad2 recv >out &&
	cat >expect <<-\EOF &&
	[{"T":"success","msg":"connected"}]
	[{"T":"error","code":401,"msg":"not authenticated"}]
	[{"T":"error","code":400,"msg":"invalid syntax"}]
	[{"T":"error","code":400,"msg":"invalid syntax"}]
	[{"T":"error","code":400,"msg":"invalid syntax"}]
	[{"T":"error","code":402,"msg":"auth failed"}]
	[{"T":"success","msg":"authenticated"}]
	[{"T":"error","code":403,"msg":"already authenticated"}]
	[{"T":"error","code":400,"msg":"invalid syntax"}]
	[{"T":"error","code":400,"msg":"invalid syntax"}]
	EOF
	test_cmp expect out
'

test_expect_success 'the log: every client frame, the credentials masked' '
	test_wait_for "test \$(grep -c \"^# closed\" alp.log) = 3" &&
	grep -c "^{\"action\":\"auth\",\"key\":\"\*\*\*\",\"secret\":\"\*\*\*\"}\$" \
	    alp.log >n &&
	echo 5 >expect && test_cmp expect n &&
	test_grep ! "not-the-secret" alp.log &&
	grep -v "^# closed" alp.log | sed -n "1,4p" >actual &&
	cat >expect <<-\EOF &&
	# connection 1 /v2/iex
	{"action":"auth","key":"***","secret":"***"}
	{"action": "subscribe", "trades": ["AAPL"], "quotes": ["AMD", "CLDR"], "bars": ["*"],"dailyBars":["VOO"],"statuses":["*"]}
	{"action": "unsubscribe", "bars": ["*"], "dailyBars": ["VOO"], "statuses": ["*"]}
	EOF
	test_cmp expect actual &&
	grep "^# closed" alp.log | sort >actual &&
	printf "# closed %d 1000\\n" 1 2 3 >expect &&
	test_cmp expect actual &&
	test_grep "^# connection 2 /v2/sip\$" alp.log &&
	test_grep "^not json\$" alp.log
'

test_expect_success 'TLS: a certificate from another CA is refused' '
	fake_stream_start other alpaca --cert "$TLS_OTHER_CERT" \
	    --key "$TLS_OTHER_KEY" &&
	test_expect_code 3 ws_client "$(alp_url other)" recv >out 2>err &&
	test_grep "CERTIFICATE_VERIFY_FAILED" err &&
	test_must_be_empty out &&
	test_grep ! "^# connection" other.log &&
	ws_client --cacert "$TLS_OTHER_CA" "$(alp_url other)" recv >out &&
	head -n 1 alpaca-hello >expect && test_cmp expect out &&
	test_grep "^# connection 1 " other.log &&
	test_expect_code 3 ws_client --cacert "$TLS_OTHER_CA" \
	    "$(alp_url alp)" recv 2>err &&
	test_grep "CERTIFICATE_VERIFY_FAILED" err
'

test_expect_success 'TLS: names are checked; localhost and 127.0.0.1 pass' '
	fake_stream_start badname alpaca --cert "$TLS_BADNAME_CERT" \
	    --key "$TLS_BADNAME_KEY" &&
	test_expect_code 3 ws_client "$(alp_url badname)" recv 2>err &&
	test_grep "mismatch" err &&
	ws_client "wss://localhost:$(cat alp.port)/v2/iex" recv >out &&
	head -n 1 alpaca-hello >expect && test_cmp expect out &&
	test_grep ! "^# connection" badname.log
'

test_expect_success 'plain ws:// with --plain; HTTP 404 for another path' '
	fake_stream_start plain alpaca --plain &&
	url="ws://127.0.0.1:$(cat plain.port)" &&
	ws_client "$url/v2/iex" recv >out &&
	head -n 1 alpaca-hello >expect && test_cmp expect out &&
	test_expect_code 3 ws_client "$url/v2/stocks" recv 2>err &&
	test_grep "HTTP 404" err &&
	test_grep "^# http 2 404\$" plain.log
'

test_expect_success 'alpaca: scripted answers to auth and subscribe' '
	cat >answers.json <<-\EOF &&
	{"connections": [
		{"auth": [406, 406, "ok"]},
		{"auth": 409},
		{"subscribe": [410, "ok"], "symbol_limit": 2, "steps": []},
		{"http": 429}
	]}
	EOF
	echo "{\"action\":\"subscribe\",\"quotes\":[\"IBM\",\"AAPL\"]}" >s2 &&
	echo "{\"action\":\"subscribe\",\"quotes\":[\"IBM\",\"MSFT\"]}" >s3 &&
	fake_stream_start ans alpaca --script answers.json &&
	ws_client "$(alp_url ans)" recv $AUTH recv $AUTH recv $AUTH recv \
	    reconnect recv $AUTH recv \
	    reconnect recv $AUTH recv $SUB recv sendf=s2 recv sendf=s3 recv \
	    >out &&
	test_expect_code 3 ws_client "$(alp_url ans)" recv 2>err &&
	cat >expect <<-\EOF &&
	[{"T":"success","msg":"connected"}]
	[{"T":"error","code":406,"msg":"connection limit exceeded"}]
	[{"T":"error","code":406,"msg":"connection limit exceeded"}]
	[{"T":"success","msg":"authenticated"}]
	[{"T":"success","msg":"connected"}]
	[{"T":"error","code":409,"msg":"insufficient subscription"}]
	[{"T":"success","msg":"connected"}]
	[{"T":"success","msg":"authenticated"}]
	[{"T":"error","code":410,"msg":"invalid subscribe action for this feed"}]
	[{"T":"subscription","trades":[],"quotes":["IBM","AAPL"],"bars":[],"updatedBars":[],"dailyBars":[],"statuses":[],"lulds":[],"corrections":[],"cancelErrors":[]}]
	[{"T":"error","code":405,"msg":"symbol limit exceeded"}]
	EOF
	test_cmp expect out &&
	test_grep "HTTP 429" err
'

test_expect_success 'alpaca: no auth in time: 404 and a close' '
	echo "{\"auth_timeout_ms\": 200}" >timeout.json &&
	fake_stream_start tmo alpaca --script timeout.json &&
	ws_client "$(alp_url tmo)" drain >out &&
	cat >expect <<-\EOF &&
	[{"T":"success","msg":"connected"}]
	[{"T":"error","code":404,"msg":"auth timeout"}]
	# closed 1000
	EOF
	test_cmp expect out
'

test_expect_success 'alpaca: a connection over the limit gets 406; ps' '
	echo "{\"limit\": 1}" >limit.json &&
	fake_stream_start lim alpaca --script limit.json &&
	rm -f go &&
	bg_client first "$(alp_url lim)" recv $AUTH recv until=go close &&
	test_wait_for "grep -q authenticated first.cout" &&
	ws_client "$(alp_url lim)" recv $AUTH recv >second &&
	# while they run, no credential shows in a command line
	ps -eo args >ps.out &&
	touch go &&
	test_wait_for "test -s first.code" &&
	ws_client "$(alp_url lim)" recv $AUTH recv >third &&
	test_grep "\"code\":406" second &&
	test_grep authenticated third &&
	test_grep "fake-stream.py --provider alpaca" ps.out &&
	test_grep "ws-client.py .*sendf=a-auth" ps.out &&
	test_grep ! -F -e "$APCA_API_KEY_ID" -e "$APCA_API_SECRET_KEY" ps.out
'

test_expect_success 'frames: batches, spaced JSON, binary, malformed, unknown' '
	cat >frames.json <<-\EOF &&
	{"steps": [
		{"send": "default", "batch": 2, "style": "spaced"},
		{"send": "default", "binary": true, "batch": 5},
		{"raw": "not json"},
		{"raw": "{\"T\":\"t\",\"S\":\"AAPL\"}"},
		{"raw": "[{\"T\":\"q\"", "binary": true},
		{"send": ["unknown", "derived", {"T": "n", "S": "X"}]},
		{"send": "capture", "batch": 4, "delay_ms": 50},
		{"close": 1001, "reason": "going away"}
	]}
	EOF
	fake_stream_start frm alpaca --script frames.json &&
	ws_client "$(alp_url frm)" recv $AUTH recv $SUB recv drain >out &&
	sed -n "4,6p" out >spaced &&
	test_grep -c ", \"" spaced &&
	flat spaced >actual && test_cmp alpaca-data actual &&
	echo "2 2 1" >expect && sizes spaced >actual &&
	test_cmp expect actual &&
	sed -n "7s/^# binary //p" out >bin &&
	flat bin >actual && test_cmp alpaca-data actual &&
	sed -n "8,\$p" out >actual &&
	cat >expect <<-\EOF &&
	not json
	{"T":"t","S":"AAPL"}
	# binary [{"T":"q"
	[{"T":"zz","S":"AAPL","t":"2021-02-22T15:51:44.208Z"}]
	EOF
	cat alpaca-derived >>expect &&
	cat >>expect <<-\EOF &&
	[{"T":"n","S":"X"}]
	[{"T":"t","S":"AAPL","i":628,"x":"K","p":162.92,"s":3,"c":["@","F","T","I"],"z":"C","t":"2023-04-06T11:54:26.838232225Z"},{"T":"t","S":"AAPL","i":75,"x":"Z","p":162.92,"s":3,"c":["@","F","T","I"],"z":"C","t":"2023-04-06T11:54:26.838562809Z"},{"T":"q","S":"AMD","bx":"K","bp":91.95,"bs":2,"ax":"Q","ap":91.98,"as":1,"c":["R"],"z":"C","t":"2023-04-06T11:54:21.670905508Z"},{"T":"b","S":"FAKEPACA","o":132.65,"h":136,"l":132.12,"c":134.65,"v":205,"t":"2024-07-24T07:56:00Z","n":16,"vw":133.7}]
	# closed 1001 going away
	EOF
	test_cmp expect actual
'

test_expect_success 'disconnects: no close frame after K messages, a code' '
	cat >drop.json <<-\EOF &&
	{"connections": [
		{"drop_after": 2, "batch": 3},
		{"steps": [{"send": "default"}, {"drop": true}]},
		{"steps": [{"send": "default"}, {"close": 1011, "reason": "bye"}]},
		{}
	]}
	EOF
	fake_stream_start drop alpaca --script drop.json &&
	ws_client "$(alp_url drop)" \
	    recv $AUTH recv $SUB recv drain reconnect \
	    recv $AUTH recv $SUB recv drain reconnect \
	    recv $AUTH recv $SUB recv drain reconnect \
	    recv $AUTH recv $SUB recv recv=5 >out &&
	grep -v -e "^\[{\"T\":\"success\"" -e "^\[{\"T\":\"subscription\"" \
	    out >actual &&
	{
		head -n 2 alpaca-data | frame &&
		echo "# closed 1006" &&
		cat alpaca-frames && echo "# closed 1006" &&
		cat alpaca-frames && echo "# closed 1011 bye" &&
		cat alpaca-frames
	} >expect &&
	test_cmp expect actual &&
	test_wait_for "grep -q \"^# closed 4 \" drop.log" &&
	grep "^# closed" drop.log >actual &&
	printf "# closed %s\\n" "1 1006" "2 1006" "3 1011" "4 1000" >expect &&
	test_cmp expect actual &&
	test $(grep -c "^{\"action\":\"auth\"" drop.log) = 4 &&
	test $(grep -c "^{\"action\": \"subscribe\"" drop.log) = 4
'

test_expect_success 'slow start: the first frame comes late' '
	echo "{\"slow_start_ms\": 500, \"handshake_delay_ms\": 300}" \
	    >slow.json &&
	fake_stream_start slow alpaca --script slow.json &&
	t0=$(date +%s%N) &&
	ws_client "$(alp_url slow)" recv >out &&
	t1=$(date +%s%N) &&
	head -n 1 alpaca-hello >expect && test_cmp expect out &&
	test $(( (t1 - t0) / 1000000 )) -ge 800
'

test_expect_success 'subscriptions on the fly: filter, wait for the client' '
	cat >dyn.json <<-\EOF &&
	{"filter": true, "steps": [
		{"send": ["default", "derived"]},
		{"wait": "subscribe"},
		{"send": "default"},
		{"wait": "unsubscribe"},
		{"send": "default"},
		{"wait": "subscribe", "timeout_ms": 200},
		{"send": "default"}
	]}
	EOF
	cat >more <<-\EOF &&
	{"action":"subscribe","quotes":["*"],"dailyBars":["SPY"]}
	EOF
	echo "{\"action\":\"unsubscribe\",\"trades\":[\"AAPL\"]}" >less &&
	fake_stream_start dyn alpaca --script dyn.json &&
	rm -f go &&
	bg_client dyn "$(alp_url dyn)" recv $AUTH recv sendf=a-sub-aapl \
	    recv recv=3 sendf=more recv=4 sendf=less recv=3 until=go &&
	# the client stays until the last wait of the fake has timed out
	test_wait_for "grep -q \"^# timeout subscribe\" dyn.log" &&
	touch go &&
	test_wait_for "test -s dyn.code" &&
	echo 0 >expect && test_cmp expect dyn.code &&
	sed -n "4,6p" dyn.cout >actual &&
	sed -n "1p" alpaca-frames >expect &&
	sed -n "2,3p" alpaca-derived >>expect &&
	test_cmp expect actual &&
	sed -n "8,10p" dyn.cout >actual &&
	sed -n "1,2p;4p" alpaca-frames >expect &&
	test_cmp expect actual &&
	sed -n "12,13p" dyn.cout >actual &&
	sed -n "2p;4p" alpaca-frames >expect &&
	test_cmp expect actual &&
	sed -n "3p;7p;11p" dyn.cout >actual &&
	cat >expect <<-\EOF &&
	[{"T":"subscription","trades":["AAPL"],"quotes":[],"bars":[],"updatedBars":[],"dailyBars":[],"statuses":[],"lulds":[],"corrections":["AAPL"],"cancelErrors":["AAPL"]}]
	[{"T":"subscription","trades":["AAPL"],"quotes":["*"],"bars":[],"updatedBars":[],"dailyBars":["SPY"],"statuses":[],"lulds":[],"corrections":["AAPL"],"cancelErrors":["AAPL"]}]
	[{"T":"subscription","trades":[],"quotes":["*"],"bars":[],"updatedBars":[],"dailyBars":["SPY"],"statuses":[],"lulds":[],"corrections":[],"cancelErrors":[]}]
	EOF
	test_cmp expect actual
'

test_expect_success 'pings: answered by the client; a hung server is silent' '
	echo "{\"steps\": [{\"ping\": true}, {\"hang\": true}]}" >hang.json &&
	fake_stream_start hang alpaca --script hang.json &&
	rm -f go &&
	bg_client hang --timeout 1 "$(alp_url hang)" ping recv $AUTH recv \
	    $SUB recv until=go ping &&
	test_wait_for "grep -q \"^# pong\" hang.log" &&
	touch go &&
	test_wait_for "test -s hang.code" &&
	echo 1 >expect && test_cmp expect hang.code &&
	sed -n "1p;\$p" hang.cout >actual &&
	printf "# pong\\n# timeout\\n" >expect &&
	test_cmp expect actual &&
	sed -n "2p" hang.log >actual &&
	echo "# ping" >expect && test_cmp expect actual
'

test_expect_success 'load: a repeated batch, as fast as the client reads' '
	cat >load.json <<-\EOF &&
	{"steps": [{"send": "default", "batch": 5, "repeat": 3000},
		   {"close": 1000}]}
	EOF
	fake_stream_start load alpaca --script load.json &&
	ws_client "$(alp_url load)" recv $AUTH recv $SUB recv drain >out &&
	sed -n "4,\$p" out | sort | uniq -c >actual &&
	{
		echo "      1 # closed 1000" &&
		frame <alpaca-data | sed "s/^/   3000 /"
	} >expect &&
	test_cmp expect actual
'

test_expect_success 'polygon: handshake, subscription and data, verbatim' '
	fake_stream_start pg polygon &&
	echo "{\"action\":\"unsubscribe\",\"params\":\"T.MSFT\"}" >unsub &&
	ws_client "$(pg_url pg)" recv $PAUTH recv $PSUB recv=3 recv=6 \
	    sendf=unsub recv >out &&
	cat polygon-hello polygon-frames >expect &&
	cat >>expect <<-\EOF &&
	[{"ev":"status","status":"success","message":"unsubscribed to: T.MSFT"}]
	EOF
	test_cmp expect out
'

test_expect_success 'polygon: a wrong key gets auth_failed; the log masks it' '
	echo "{\"action\":\"auth\",\"params\":\"wrong-key-42\"}" >bad &&
	ws_client "$(pg_url pg)" recv sendf=bad recv $PAUTH recv >out &&
	cat >expect <<-\EOF &&
	[{"ev":"status","status":"connected","message":"Connected Successfully"}]
	[{"ev":"status","status":"auth_failed","message":"authentication failed"}]
	[{"ev":"status","status":"auth_success","message":"authenticated"}]
	EOF
	test_cmp expect out &&
	test_wait_for "test \$(grep -c \"^# closed\" pg.log) = 2" &&
	grep -c "^{\"action\":\"auth\",\"params\":\"\*\*\*\"}\$" pg.log >n &&
	echo 3 >expect && test_cmp expect n &&
	test_grep ! wrong-key-42 pg.log
'

test_expect_success 'polygon: spaced frames, a batch, one status a request' '
	cat >p.json <<-\EOF &&
	{"style": "spaced", "batch": 4, "sub_reply": "one",
	 "steps": [{"send": "default"}, {"send": "unknown"}]}
	EOF
	fake_stream_start psp polygon --script p.json &&
	ws_client "$(pg_url psp)" recv $PAUTH recv $PSUB recv recv=3 >out &&
	cat >expect <<-\EOF &&
	[{"ev": "status", "status": "connected", "message": "Connected Successfully"}]
	[{"ev": "status", "status": "auth_success", "message": "authenticated"}]
	[{"ev": "status", "status": "success", "message": "subscribed to: T.MSFT,Q.MSFT,AM.GTE"}]
	EOF
	sed -n "1,3p" out >actual && test_cmp expect actual &&
	sed -n "4,5p" out >frames && flat frames >actual &&
	test_cmp polygon-data actual &&
	echo "4 2" >expect && sizes frames >actual && test_cmp expect actual &&
	sed -n "6p" out >actual &&
	echo "[{\"ev\": \"ZZ\", \"sym\": \"MSFT\", \"t\": 1536036818784}]" \
	    >expect &&
	test_cmp expect actual
'

test_expect_success 'polygon: filter, max_connections, auth timeout' '
	cat >plim.json <<-\EOF &&
	{"limit": 1, "filter": true, "connections": [{}, {},
		{"auth_timeout_ms": 100}]}
	EOF
	echo "{\"action\":\"subscribe\",\"params\":\"Q.*,LULD.MSFT,NOI.AAPL\"}" \
	    >sub &&
	fake_stream_start plim polygon --script plim.json &&
	rm -f go &&
	bg_client first "$(pg_url plim)" recv $PAUTH recv sendf=sub recv=3 \
	    recv=2 until=go &&
	test_wait_for "test \$(wc -l <first.cout) -ge 7" &&
	ws_client "$(pg_url plim)" recv $PAUTH drain >second &&
	touch go &&
	ws_client "$(pg_url plim)" drain >third &&
	test_wait_for "test -s first.code" &&
	sed -n "6,7p" first.cout >actual &&
	sed -n "2p;5p" polygon-frames >expect &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	[{"ev":"status","status":"connected","message":"Connected Successfully"}]
	[{"ev":"status","status":"max_connections","message":"Maximum number of connections exceeded."}]
	# closed 1000
	[{"ev":"status","status":"connected","message":"Connected Successfully"}]
	[{"ev":"status","status":"auth_timeout","message":"No authentication request received."}]
	# closed 1000
	EOF
	cat second third >actual &&
	test_cmp expect actual
'

test_expect_success 'the fake refuses a bad scenario or a missing key' '
	for s in "{\"batch\": 0}" "{\"steps\": [{\"send\": \"nosuch\"}]}" \
	    "{\"steps\": [{\"status\": \"auth_failed\"}]}" \
	    "{\"steps\": [{\"drop\": true, \"send\": \"default\"}]}" \
	    "{\"auth\": [999]}" "[]" "{\"bach\": 1}" "{" \
	    "{\"connections\": [{\"limit\": 1}]}" "{\"http\": 499}"
	do
		echo "$s" >bad.json &&
		test_expect_code 2 "$FAKE_PYTHON" "$SRC_DIR/t/fake-stream.py" \
		    --provider alpaca --plain --port-file bad.port \
		    --script bad.json 2>err &&
		test_grep "^fake-stream: " err &&
		test_path_is_missing bad.port || return 1
	done &&
	test_expect_code 2 env -u POLYGON_API_KEY "$FAKE_PYTHON" \
	    "$SRC_DIR/t/fake-stream.py" --provider polygon --plain \
	    --port-file bad.port 2>err &&
	test_grep "set POLYGON_API_KEY" err
'

test_expect_success 'no credential in any file or output of this test' '
	for n in alp other badname plain ans tmo lim frm drop slow dyn hang \
	    load pg psp plim
	do
		test -f $n.pid || continue
		fake_stop $n || return 1
	done &&
	! grep -r -l -F -e "$APCA_API_KEY_ID" -e "$APCA_API_SECRET_KEY" \
	    -e "$POLYGON_API_KEY" "$TRASH_DIRECTORY" "$TRASH_DIRECTORY.out" \
	    >found &&
	test_must_be_empty found
'

test_done
