#!/bin/sh
test_description='liu-order alpaca: the journal, a restart and the
reconciliation with the broker (t/fake-alpaca-trade.py): kill -9 in the
middle loses nothing and duplicates nothing; many orders through
timeouts, 5xx, 429s and stream drops end with one broker order per
client id, every fill once, positions equal to the broker'"'"'s.
LIU_TEST_LONG=N runs N orders (200 without it).'
. "$(dirname "$0")/test-lib.sh"
. "$SRC_DIR/t/lib-tls.sh"
. "$SRC_DIR/t/lib-fake.sh"

fake_trade_env

# order ID SIDE QTY [MEMBERS [SYM]]
order () {
	printf '{"ev":"order","t":"2024-03-01T14:31:00Z","sym":"%s","id":"%s","side":"%s","qty":%s,"strategy":"s"%s}\n' \
	    "${5:-AAPL}" "$1" "$2" "$3" "${4:+,$4}"
}
url () {
	echo "https://127.0.0.1:$(cat "$1.port")"
}
lo () {
	lo_n=$1
	shift
	liu-order alpaca --url "$(url "$lo_n")" --cacert "$TLS_CA" "$@"
}
# lo_exec NAME [OPTION...]: the same, as the process itself (exec), for a
# background job whose $! is liu-order
lo_exec () {
	lo_n=$1
	shift
	exec liu-order alpaca --url "$(url "$lo_n")" --cacert "$TLS_CA" "$@"
}
posts () {
	grep -c '^POST /v2/orders ' "$1.log"
}
broker () {
	alpaca_curl "$(url "$1")$2" | jq -r "$3"
}
# all_orders NAME: every order of the fake NAME, one JSON a line, in
# pages of 500 by submitted_at
all_orders () {
	ao_after=
	while :
	do
		alpaca_curl "$(url "$1")/v2/orders?status=all&limit=500&direction=asc${ao_after:+&after=$ao_after}" |
		    jq -c ".[]" >ao.page || return 1
		cat ao.page
		test $(wc -l <ao.page) -eq 500 || return 0
		ao_after=$(tail -n 1 ao.page | jq -r .submitted_at)
	done
}
# filled FILE...: "ID QTY" of the fills written, summed per order
filled () {
	cat "$@" | jq -r 'select(.ev == "fill") | [.id, .qty] |
	    map(tostring) | join(" ")' |
	awk '{ q[$1] += $2 } END { for (i in q) print i, q[i] }' | sort
}
# broker_filled NAME: "ID QTY" of every order of the fake with a fill
broker_filled () {
	all_orders "$1" | jq -r 'select(.filled_qty != "0") |
	    "\(.client_order_id) \(.filled_qty)"' | sort
}
# execs FILE...: exec ids written more than once
dup_execs () {
	cat "$@" | jq -r 'select(.ev == "fill") | .exec_id' | sort | uniq -d
}

test_expect_success 'the journal: each order and its state, no secret' '
	echo "{\"price\":10}" >s1.json &&
	fake_trade_start f1 --script s1.json &&
	{
		order s-1 buy 3 &&
		order s-2 sell_short 2 "" MSFT
	} >in &&
	lo f1 --keep-open --no-stream --journal j1 <in >out 2>err &&
	test_must_be_empty err &&
	jq -r "[.j, .cid, .state // \"-\", .filled // \"-\"] |
	    map(tostring) | join(\" \")" j1 >got &&
	cat >expect <<-\EOT &&
	sent s-1 - -
	state s-1 open 0
	sent s-2 - -
	state s-2 open 0
	state s-1 filled 3
	state s-2 filled 2
	EOT
	test_cmp expect got &&
	jq -r "select(.j == \"sent\") | .order.side" j1 >sides &&
	printf "buy\nsell_short\n" >expect && test_cmp expect sides &&
	for k in "$APCA_API_KEY_ID" "$APCA_API_SECRET_KEY"
	do
		! grep -F "$k" j1 || return 1
	done
'

test_expect_success 'the same input again: nothing sent, nothing written' '
	lo f1 --keep-open --no-stream --journal j1 <in >out2 2>err &&
	test_must_be_empty err &&
	test "$(posts f1)" = 2 &&
	test_must_be_empty out2 &&
	order s-1 buy 4 >in3 &&
	lo f1 --keep-open --no-stream --journal j1 <in3 >out3 2>err &&
	jq -r "select(.ev == \"order_update\") | .status + \" \" + .why" \
	    out3 >u &&
	echo "rejected duplicate client order id" >expect && test_cmp expect u &&
	test "$(posts f1)" = 2
'

test_expect_success 'a second liu-order on the same journal is refused' '
	mkfifo fin &&
	{ lo_exec f1 --no-stream --journal j1 <fin >o4 2>e4 & } &&
	pid=$! &&
	exec 9>fin &&
	: >empty &&
	test_wait_for "! lo f1 --no-stream --journal j1 <empty 2>/dev/null" \
	    10 &&
	test_expect_code 2 lo f1 --no-stream --journal j1 <empty 2>e5 &&
	test_grep "in use by another liu-order" e5 &&
	exec 9>&- &&
	wait $pid
'

test_expect_success 'kill -9 while idle, fills meanwhile: written after' '
	echo "{\"symbols\":{\"AAPL\":{\"mode\":\"hold\"}}}" >s2.json &&
	fake_trade_start f2 --script s2.json &&
	rm -f fin && mkfifo fin &&
	{ lo_exec f2 --keep-open --journal j2 <fin >a.out 2>a.err & } &&
	pid=$! &&
	exec 9>fin &&
	order s-1 buy 10 "\"type\":\"limit\",\"limit\":90" >&9 &&
	order s-2 buy 5 "\"type\":\"limit\",\"limit\":90" >&9 &&
	test_wait_for "test \$(grep -c \"\\\"new\\\"\" a.out) = 2" &&
	kill -9 $pid &&
	exec 9>&- &&
	{ wait $pid; test $? = 137; } &&
	fake_trade_steps f2 "[{\"fill\":\"s-1\",\"qty\":4,\"price\":89},
	    {\"fill\":\"s-2\",\"price\":88}]" &&
	{ order s-1 buy 10 "\"type\":\"limit\",\"limit\":90" &&
	  order s-2 buy 5 "\"type\":\"limit\",\"limit\":90"; } >in &&
	lo f2 --keep-open --journal j2 <in >b.out 2>b.err &&
	test_must_be_empty b.err &&
	filled b.out >got &&
	printf "%s\n" "s-1 4" "s-2 5" >expect &&
	test_cmp expect got &&
	jq -r "select(.ev == \"order\") | .id" b.out >orders &&
	test_must_be_empty orders &&
	test "$(posts f2)" = 2 &&
	filled a.out b.out >got && test_cmp expect got
'

test_expect_success 'an order sent but not at the broker is not sent again' '
	echo "{\"price\":10}" >s3.json &&
	fake_trade_start f3 --script s3.json &&
	order s-9 buy 1 >o9 &&
	j=$(cat o9) &&
	printf "{\"j\":\"sent\",\"t\":\"2024-03-01T14:31:00Z\",\"cid\":\"s-9\",\"order\":%s}\n" \
	    "$j" >j3 &&
	printf "{\"j\":\"state\",\"cid\":\"s-9\",\"st" >>j3 &&
	lo f3 --keep-open --no-stream --journal j3 <o9 >out 2>err &&
	test_grep "last record cut short" err &&
	test "$(posts f3)" = 0 &&
	jq -r "select(.ev == \"order_update\") | .status + \" \" + .why" \
	    out >u &&
	echo "rejected not at the broker: liu-order stopped before it was placed" \
	    >expect &&
	test_cmp expect u
'

N=${LIU_TEST_LONG:-200}
case $LIU_TEST_LONG in
''|*[!0-9]*) N=200 ;;
esac

test_expect_success "$N orders, faults, kill -9 and a restart: once each" '
	cat >s4.json <<-\EOF &&
	{"symbols": {"AAPL": {"price": 10, "partial": [1]},
		     "MSFT": {"price": 20}, "TSLA": {"price": 30}},
	 "fill_delay_ms": 5, "account": {"cash": 100000000},
	 "submit": ["ok", "timeout", "ok", "500_after_create", "ok", 500,
		    "ok", "drop", 429, "ok", 503, "ok", "timeout", "ok",
		    "502_after", "ok", 429, "ok", "drop", "ok", 429],
	 "answers": {"GET /v2/orders:by_client_order_id": ["ok", 500, "ok",
		     "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok",
		     "ok", "ok", "ok", "ok", "ok", "ok", "timeout"]},
	 "stream": {"drop_after": 23}}
	EOF
	fake_trade_start f4 --script s4.json &&
	i=0 &&
	while test $i -lt '"$N"'
	do
		i=$((i + 1))
		case $((i % 3)) in
		0) echo "{\"ev\":\"order\",\"t\":\"2024-03-01T14:31:00Z\",\"sym\":\"AAPL\",\"id\":\"m-$i\",\"side\":\"buy\",\"qty\":2,\"strategy\":\"s\"}" ;;
		1) echo "{\"ev\":\"order\",\"t\":\"2024-03-01T14:31:00Z\",\"sym\":\"MSFT\",\"id\":\"m-$i\",\"side\":\"buy\",\"qty\":1,\"strategy\":\"s\"}" ;;
		2) echo "{\"ev\":\"order\",\"t\":\"2024-03-01T14:31:00Z\",\"sym\":\"TSLA\",\"id\":\"m-$i\",\"side\":\"sell_short\",\"qty\":1,\"strategy\":\"s\"}" ;;
		esac
	done >many &&
	rm -f fin && mkfifo fin &&
	{ lo_exec f4 --keep-open --timeout 300ms --max-wait 5s --journal j4 \
	    <fin >m1.out 2>m1.err & } &&
	pid=$! &&
	exec 9>fin &&
	{ cat many >&9 2>/dev/null & } &&
	catpid=$! &&
	some=$(('"$N"' / 10)) &&
	test_wait_for "test \$(grep -c \"\\\"ev\\\":\\\"order\\\",\" m1.out) -ge $some" 300 &&
	kill -9 $pid &&
	{ wait $catpid || :; } &&
	exec 9>&- &&
	{ wait $pid; test $? = 137; } &&
	lo f4 --keep-open --timeout 300ms --max-wait 5s --journal j4 \
	    <many >m2.out 2>m2.err &&
	# the end: every order of the input at the broker, once, but one
	# the kill caught before the broker took it: that one never
	jq -r ".id" many | sort >want &&
	all_orders f4 | jq -r .client_order_id | sort >have &&
	uniq -d have >twice &&
	test_must_be_empty twice &&
	jq -r "select(.status == \"rejected\" and (.why | startswith(
	    \"not at the broker\"))) | .id" m2.out >never &&
	test $(wc -l <never) -le 1 &&
	sort have never >placed &&
	test_cmp want placed &&
	# every fill once: what was written is what the broker filled
	filled m1.out m2.out >got &&
	broker_filled f4 >bf &&
	test_cmp bf got &&
	awk "{ n += \$2 } END { print n + 0 }" got >total &&
	jq -r "[.id, .qty] | map(tostring) | join(\" \")" many |
	    awk "FILENAME == \"never\" { never[\$1] = 1; next }
		!(\$1 in never) { n += \$2 } END { print n + 0 }" \
	    never - >expect &&
	test_cmp expect total &&
	dup_execs m1.out m2.out >dups &&
	test_must_be_empty dups &&
	# positions: the fills written, per symbol, as the broker has them
	cat m1.out m2.out | jq -r "select(.ev == \"fill\") |
	    [.sym, (if .side == \"buy\" then .qty else -.qty end)] |
	    map(tostring) | join(\" \")" |
	    awk "{ p[\$1] += \$2 } END { for (s in p) print s, p[s] }" |
	    sort >pos &&
	broker f4 /v2/positions ".[] | \"\(.symbol) \(.qty)\"" | sort >bpos &&
	test_cmp bpos pos &&
	grep -q "^POST /v2/orders timeout" f4.log &&
	grep -q "^POST /v2/orders 429" f4.log &&
	grep -q "^# drop " f4.log
'

test_done
