#!/bin/sh
test_description='the fake Alpaca trading API itself

t/fake-alpaca-trade.py is test infrastructure for liu-order: these tests
check it against the shapes of Alpaca'"'"'s fixtures (../shared/fixtures/alpaca,
../shared/protocols.md sections 2 and 6), through curl and the small client
t/ws-client.py, not against liu-order.'
. "$(dirname "$0")/test-lib.sh"
. "$SRC_DIR/t/lib-tls.sh"
. "$SRC_DIR/t/lib-fake.sh"

fake_trade_env

# url NAME PATH, wss NAME: the fake NAME's addresses (one port for both).
url () {
	echo "https://127.0.0.1:$(cat "$1.port")$2"
}
wss () {
	echo "wss://127.0.0.1:$(cat "$1.port")/stream"
}
# api NAME METHOD PATH [BODY-FILE]: the status of the answer on a line,
# then its body on the next (an empty line for none).
api () {
	api_n=$1 api_m=$2 api_p=$3
	shift 3
	if test $# -gt 0
	then
		set -- -H "Content-Type: application/json" --data-binary "@$1"
	fi
	alpaca_curl -X "$api_m" -o api.out -w "%{http_code}\\n" "$@" \
	    "$(url "$api_n" "$api_p")" &&
	cat api.out && echo
}
# body FILE: the body line of an api answer, or a filter of it.
body () {
	sed -n 2p "$1"
}
# post NAME JSON...: POST each order, the answers' status lines only.
post () {
	post_n=$1
	shift
	for post_b
	do
		printf '%s' "$post_b" >post.json &&
		api "$post_n" POST /v2/orders post.json >post.out &&
		sed -n 1p post.out || return 1
	done
}
# get NAME PATH FILTER: jq -r FILTER of the body of GET PATH.
get () {
	api "$1" GET "$2" >get.out && body get.out | jq -r "$3"
}
# events FILE: the trade_updates of a ws_client output, one a line:
# event, qty and position_qty (fills), and the order's client id, status
# and filled_qty.
events () {
	sed -n 's/^# binary //p' "$1" | jq -r 'select(.stream ==
	    "trade_updates") | .data | [.event, .qty, .position_qty,
	    .order.client_order_id, .order.status, .order.filled_qty] |
	    map(. // "-") | join(" ")'
}
# bg_client NAME ARG...: ws_client in the background, its output in
# NAME.cout and its exit status, once it has ended, in NAME.code.
bg_client () {
	bg_name=$1
	shift
	rm -f "$bg_name.code"
	{ ws_client "$@" >"$bg_name.cout" 2>&1; echo $? >"$bg_name.code"; } &
}
cat >auth <<\EOF
{"action":"authenticate","data":{"key_id":"${APCA_API_KEY_ID}","secret_key":"${APCA_API_SECRET_KEY}"}}
EOF
cat >badauth <<\EOF
{"action":"authenticate","data":{"key_id":"${APCA_API_KEY_ID}","secret_key":"not-the-secret"}}
EOF
cat >listen <<\EOF
{"action":"listen","data":{"streams":["trade_updates"]}}
EOF
AUTH=sendf=auth LISTEN=sendf=listen

# The shapes, from the fixtures.  The order object: the keys of the docs'
# entity (fixtures.json, POST /v2/orders, entity_example_docs, from
# order-v2.yaml), then position_intent as alpaca-py's order fixtures have
# it.
cat >order-keys <<\EOF
id
client_order_id
created_at
updated_at
submitted_at
filled_at
expired_at
canceled_at
failed_at
replaced_at
replaced_by
replaces
asset_id
symbol
asset_class
notional
qty
filled_qty
filled_avg_price
order_class
order_type
type
side
time_in_force
limit_price
stop_price
status
extended_hours
legs
trail_percent
trail_price
hwm
position_intent
EOF
# The order of a trade update: the keys of the docs' verbatim fill example
# (fixtures.json, trade_updates_stream, verbatim_examples.fill), sorted as
# it has them, with position_intent.
{ grep -v '^position_intent$' order-keys; echo cancel_requested_at; } |
    sort >stream-order-keys0
sed '/^qty$/i\
position_intent' stream-order-keys0 >stream-order-keys
# the account: entities/account-v2.yaml as protocols.md lists it
cat >account-keys <<\EOF
id
account_number
status
currency
cash
buying_power
regt_buying_power
daytrading_buying_power
non_marginable_buying_power
equity
last_equity
portfolio_value
long_market_value
short_market_value
initial_margin
maintenance_margin
last_maintenance_margin
multiplier
sma
daytrade_count
pattern_day_trader
shorting_enabled
trading_blocked
transfers_blocked
account_blocked
trade_suspended_by_user
created_at
crypto_status
accrued_fees
pending_transfer_in
pending_transfer_out
EOF
# the position: entities/position.yaml (fixtures.json GET /v2/positions
# entity_example_docs)
cat >position-keys <<\EOF
asset_id
symbol
exchange
asset_class
avg_entry_price
qty
qty_available
side
market_value
cost_basis
unrealized_pl
unrealized_plpc
unrealized_intraday_pl
unrealized_intraday_plpc
current_price
lastday_price
change_today
EOF

# The fake most tests share: the clock pinned (frozen: every timestamp the
# same), AAPL at 100 (98 yesterday), MSFT at 200, NOSH not shortable.
cat >base.json <<\EOF
{"clock": {"time": "2024-01-02T15:00:00Z", "frozen": true},
 "symbols": {"AAPL": {"price": 100, "lastday_price": 98},
	     "MSFT": {"price": "200"}, "NOSH": {"shortable": false}}}
EOF
MKT='{"symbol":"AAPL","qty":"10","side":"buy","type":"market","time_in_force":"day","client_order_id":"m-1"}'

test_expect_success 'start the fake; one port, in its port file' '
	fake_trade_start alp --script base.json &&
	test_grep "^[0-9][0-9]*\$" alp.port &&
	test_line_count = 1 alp.port
'

test_expect_success 'credentials: 401 and the body of protocols.md' '
	curl -sS --cacert "$TLS_CA" -D h -w "\\n%{http_code}\\n" \
	    "$(url alp /v2/account)" >out &&
	printf "{\"code\":40110000,\"message\":\"request is not authorized\"}\\n401\\n" \
	    >expect && test_cmp expect out &&
	(
		APCA_API_SECRET_KEY=not-the-secret &&
		api alp GET /v2/account
	) >out &&
	printf "401\\n{\"code\":40110000,\"message\":\"request is not authorized\"}\\n" \
	    >expect && test_cmp expect out &&
	test_grep ! -i "^x-ratelimit" h
'

test_expect_success 'account: the keys of the docs, money as strings' '
	api alp GET /v2/account >out &&
	test_grep "^200\$" out &&
	body out | jq -r "keys_unsorted[]" >actual &&
	test_cmp account-keys actual &&
	body out | jq -r "to_entries[] | select(.value | type != \"string\")
	    | \"\\(.key) \\(.value)\"" >actual &&
	cat >expect <<-\EOF &&
	daytrade_count 0
	pattern_day_trader false
	shorting_enabled true
	trading_blocked false
	transfers_blocked false
	account_blocked false
	trade_suspended_by_user false
	EOF
	test_cmp expect actual &&
	body out | jq -r "[.cash, .buying_power, .equity, .multiplier] |
	    join(\" \")" >actual &&
	echo "100000 100000 100000 1" >expect && test_cmp expect actual
'

test_expect_success 'every answer carries the rate-limit headers' '
	alpaca_curl -D h -o /dev/null "$(url alp /v2/clock)" &&
	tr -d "\\r" <h | sed -n "s/^\\(X-Ratelimit-[A-Za-z]*\\): .*/\\1/p" \
	    >actual &&
	printf "X-Ratelimit-%s\\n" Limit Remaining Reset >expect &&
	test_cmp expect actual &&
	test_grep "^X-Ratelimit-Limit: 200" h
'

test_expect_success 'clock: New York time of the pinned clock; is_open' '
	api alp GET /v2/clock >out &&
	cat >expect <<-\EOF &&
	200
	{"timestamp":"2024-01-02T10:00:00-05:00","is_open":true,"next_open":"2024-01-03T09:30:00-05:00","next_close":"2024-01-02T16:00:00-05:00"}
	EOF
	test_cmp expect out
'

test_expect_success 'clock: LIU_NOW, the sessions of New York, calendar' '
	cat >july.json <<-\EOF &&
	{"clock": {"is_open": "auto", "frozen": true,
		   "holidays": ["2024-07-04"],
		   "early_closes": {"2024-07-03": "13:00"}}}
	EOF
	LIU_NOW=2024-07-03T18:30:00.5Z &&
	export LIU_NOW &&
	fake_trade_start july --script july.json &&
	api july GET /v2/clock >out &&
	cat >expect <<-\EOF &&
	200
	{"timestamp":"2024-07-03T14:30:00.5-04:00","is_open":false,"next_open":"2024-07-05T09:30:00-04:00","next_close":"2024-07-05T16:00:00-04:00"}
	EOF
	test_cmp expect out &&
	get july "/v2/calendar?start=2024-07-01&end=2024-07-09" \
	    ".[] | [.date, .open, .close, .session_open, .session_close] |
	    join(\" \")" >actual &&
	cat >expect <<-\EOF &&
	2024-07-01 09:30 16:00 0400 2000
	2024-07-02 09:30 16:00 0400 2000
	2024-07-03 09:30 13:00 0400 2000
	2024-07-05 09:30 16:00 0400 2000
	2024-07-08 09:30 16:00 0400 2000
	2024-07-09 09:30 16:00 0400 2000
	EOF
	test_cmp expect actual &&
	LIU_NOW=2024-03-10T16:00:00Z &&
	fake_trade_start dst --script july.json &&
	get dst /v2/clock "[.timestamp, .is_open, .next_open] | join(\" \")" \
	    >actual &&
	echo "2024-03-10T12:00:00-04:00 false 2024-03-11T09:30:00-04:00" \
	    >expect &&
	test_cmp expect actual
'

test_expect_success 'POST /v2/orders: the order object of the docs' '
	printf "%s" "$MKT" >o &&
	api alp POST /v2/orders o >out &&
	test_grep "^200\$" out &&
	body out | jq -r "keys_unsorted[]" >actual &&
	test_cmp order-keys actual &&
	body out | jq -c "del(.id, .asset_id)" >actual &&
	cat >expect <<-\EOF &&
	{"client_order_id":"m-1","created_at":"2024-01-02T15:00:00Z","updated_at":"2024-01-02T15:00:00Z","submitted_at":"2024-01-02T15:00:00Z","filled_at":null,"expired_at":null,"canceled_at":null,"failed_at":null,"replaced_at":null,"replaced_by":null,"replaces":null,"symbol":"AAPL","asset_class":"us_equity","notional":null,"qty":"10","filled_qty":"0","filled_avg_price":null,"order_class":"","order_type":"market","type":"market","side":"buy","time_in_force":"day","limit_price":null,"stop_price":null,"status":"accepted","extended_hours":false,"legs":null,"trail_percent":null,"trail_price":null,"hwm":null,"position_intent":"buy_to_open"}
	EOF
	test_cmp expect actual &&
	body out | jq -r ".id, .asset_id" >ids &&
	grep -c -E "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\$" ids >n &&
	echo 1 >expect && test_cmp expect n &&
	grep -c -E "^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}\$" ids >n &&
	echo 2 >expect && test_cmp expect n
'

test_expect_success 'the market order filled: by id, by client id' '
	id=$(get alp "/v2/orders:by_client_order_id?client_order_id=m-1" .id) &&
	get alp "/v2/orders/$id" "[.status, .filled_qty, .filled_avg_price,
	    .filled_at, .updated_at] | join(\" \")" >actual &&
	echo "filled 10 100 2024-01-02T15:00:00Z 2024-01-02T15:00:00Z" \
	    >expect &&
	test_cmp expect actual &&
	get alp "/v2/orders/$id" "[.. | numbers] | length" >actual &&
	echo 0 >expect && test_cmp expect actual &&
	api alp GET "/v2/orders:by_client_order_id?client_order_id=none" \
	    >out &&
	printf "404\\n{\"code\":40410000,\"message\":\"order not found\"}\\n" \
	    >expect && test_cmp expect out &&
	api alp GET /v2/orders/61e69015-8549-4bfd-b9c3-01e75843f47d >out &&
	test_cmp expect out &&
	api alp GET /v2/orders/some_order_id >out &&
	printf "422\\n{\"code\":40010001,\"message\":\"order_id is missing\"}\\n" \
	    >expect && test_cmp expect out
'

test_expect_success 'positions and account after the fill' '
	api alp GET /v2/positions >out &&
	body out | jq -r ".[0] | keys_unsorted[]" >actual &&
	test_cmp position-keys actual &&
	body out | jq -c ".[] | del(.asset_id)" >actual &&
	cat >expect <<-\EOF &&
	{"symbol":"AAPL","exchange":"NASDAQ","asset_class":"us_equity","avg_entry_price":"100","qty":"10","qty_available":"10","side":"long","market_value":"1000","cost_basis":"1000","unrealized_pl":"0","unrealized_plpc":"0","unrealized_intraday_pl":"20","unrealized_intraday_plpc":"0.020408163","current_price":"100","lastday_price":"98","change_today":"0.020408163"}
	EOF
	test_cmp expect actual &&
	aid=$(body out | jq -r ".[0].asset_id") &&
	get alp "/v2/positions/$aid" .symbol >actual &&
	echo AAPL >expect && test_cmp expect actual &&
	api alp GET /v2/positions/TSLA >out &&
	printf "404\\n{\"code\":40410000,\"message\":\"position does not exist\"}\\n" \
	    >expect && test_cmp expect out &&
	get alp /v2/account "[.cash, .buying_power, .equity,
	    .long_market_value] | join(\" \")" >actual &&
	echo "99000 99000 100000 1000" >expect && test_cmp expect actual
'

test_expect_success 'assets: the shape of alpaca-py'"'"'s fixture' '
	api alp GET /v2/assets/AAPL >out &&
	body out | jq -c "del(.id)" >actual &&
	cat >expect <<-\EOF &&
	{"class":"us_equity","exchange":"NASDAQ","symbol":"AAPL","name":"AAPL","status":"active","tradable":true,"marginable":true,"shortable":true,"easy_to_borrow":true,"fractionable":true,"attributes":[]}
	EOF
	test_cmp expect actual &&
	get alp /v2/assets/NOSH .shortable >actual &&
	echo false >expect && test_cmp expect actual
'

test_expect_success 'trade_updates: authorize, listen, new and fill' '
	rm -f go &&
	bg_client tu "$(wss alp)" $AUTH recv $LISTEN recv recv=2 &&
	test_wait_for "grep -q listening tu.cout" &&
	post alp "{\"symbol\":\"MSFT\",\"qty\":\"2\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\",\"client_order_id\":\"t-1\"}" \
	    >st &&
	test_wait_for "test -s tu.code" &&
	echo 0 >expect && test_cmp expect tu.code &&
	sed -n "1,2p" tu.cout >actual &&
	cat >expect <<-\EOF &&
	# binary {"stream":"authorization","data":{"status":"authorized","action":"authenticate"}}
	# binary {"stream":"listening","data":{"streams":["trade_updates"]}}
	EOF
	test_cmp expect actual &&
	events tu.cout >actual &&
	cat >expect <<-\EOF &&
	new - - t-1 new 0
	fill 2 2 t-1 filled 2
	EOF
	test_cmp expect actual &&
	sed -n "3,4s/^# binary //p" tu.cout >ev &&
	jq -r ".data | keys_unsorted | join(\" \")" ev >actual &&
	cat >expect <<-\EOF &&
	event order timestamp
	event execution_id order position_qty price qty timestamp
	EOF
	test_cmp expect actual &&
	sed -n 2p ev | jq -r ".data.order | keys_unsorted[]" >actual &&
	test_cmp stream-order-keys actual &&
	sed -n 2p ev | jq -r ".data | [.price, .timestamp, .order.filled_avg_price,
	    (.execution_id | test(\"^[0-9a-f-]{36}\$\"))] | join(\" \")" \
	    >actual &&
	echo "200 2024-01-02T15:00:00Z 200 true" >expect &&
	test_cmp expect actual
'

test_expect_success 'trade_updates: unauthorized, listen first, stop' '
	ws_client "$(wss alp)" sendf=listen recv sendf=badauth recv \
	    $AUTH recv "send={\"action\":\"listen\",\"data\":{\"streams\":[]}}" \
	    recv >out &&
	cat >expect <<-\EOF &&
	# binary {"stream":"authorization","data":{"status":"unauthorized","action":"listen"}}
	# binary {"stream":"authorization","data":{"status":"unauthorized","action":"authenticate"}}
	# binary {"stream":"authorization","data":{"status":"authorized","action":"authenticate"}}
	# binary {"stream":"listening","data":{"streams":[]}}
	EOF
	test_cmp expect out
'

# The faults of POST /v2/orders, in pairs of lines: the body, then the
# answer (status and body).
cat >bad-orders <<\EOF
{}
422 {"code":40010001,"message":"symbol is required"}
{"symbol":"aapl","qty":"1","side":"buy","type":"market","time_in_force":"day"}
422 {"code":40010001,"message":"asset \"aapl\" not found"}
{"symbol":"AAPL","side":"buy","type":"market","time_in_force":"day"}
422 {"code":40010001,"message":"qty or notional is required"}
{"symbol":"AAPL","qty":"1","notional":"100","side":"buy","type":"market","time_in_force":"day"}
422 {"code":40010001,"message":"only one of qty or notional is accepted"}
{"symbol":"AAPL","qty":"ten","side":"buy","type":"market","time_in_force":"day"}
422 {"code":40010001,"message":"invalid qty"}
{"symbol":"AAPL","qty":0,"side":"buy","type":"market","time_in_force":"day"}
422 {"code":40010001,"message":"qty must be > 0"}
{"symbol":"AAPL","qty":"1","side":"short","type":"market","time_in_force":"day"}
422 {"code":40010001,"message":"invalid side"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"stop_loss","time_in_force":"day"}
422 {"code":40010001,"message":"invalid order type"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"gtd"}
422 {"code":40010001,"message":"invalid time_in_force"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"limit","time_in_force":"day"}
422 {"code":40010001,"message":"limit_price is required"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day","limit_price":"99"}
422 {"code":40010001,"message":"limit_price must not be given for market orders"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"stop","time_in_force":"day"}
422 {"code":40010001,"message":"stop_price is required"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"stop_limit","time_in_force":"day","limit_price":"101"}
422 {"code":40010001,"message":"stop_price is required"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"limit","time_in_force":"day","limit_price":"99","stop_price":"98"}
422 {"code":40010001,"message":"stop_price must not be given for limit orders"}
{"symbol":"AAPL","qty":"1","side":"sell","type":"trailing_stop","time_in_force":"day"}
422 {"code":40010001,"message":"trail_price or trail_percent is required"}
{"symbol":"AAPL","qty":"1","side":"sell","type":"trailing_stop","time_in_force":"day","trail_price":"1","trail_percent":"2"}
422 {"code":40010001,"message":"only one of trail_price or trail_percent is accepted"}
{"symbol":"AAPL","qty":"1","side":"sell","type":"trailing_stop","time_in_force":"ioc","trail_price":"1"}
422 {"code":40010001,"message":"trailing stop orders must be day or gtc"}
{"symbol":"AAPL","notional":"500","side":"buy","type":"limit","time_in_force":"day","limit_price":"99"}
422 {"code":40010001,"message":"notional orders must be market orders with day time_in_force"}
{"symbol":"AAPL","qty":"1.5","side":"buy","type":"market","time_in_force":"gtc"}
422 {"code":40010001,"message":"fractional orders must be market orders with day time_in_force"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day","extended_hours":true}
422 {"code":40010001,"message":"only type=\"limit\" is allowed for extended hours orders"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"limit","time_in_force":"gtc","limit_price":"99","extended_hours":true}
422 {"code":40010001,"message":"extended hours order must be DAY limit orders"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day","order_class":"bracket"}
422 {"code":40010001,"message":"take_profit.limit_price is required"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day","order_class":"bracket","take_profit":{"limit_price":"110"}}
422 {"code":40010001,"message":"stop_loss.stop_price is required"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day","order_class":"bracket","take_profit":{"limit_price":"90"},"stop_loss":{"stop_price":"95"}}
422 {"code":40010001,"message":"take_profit.limit_price must be above stop_loss.stop_price"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"ioc","order_class":"bracket","take_profit":{"limit_price":"110"},"stop_loss":{"stop_price":"95"}}
422 {"code":40010001,"message":"bracket orders must be day or gtc"}
{"symbol":"AAPL","qty":"1","side":"sell","type":"market","time_in_force":"day","order_class":"oco","take_profit":{"limit_price":"110"},"stop_loss":{"stop_price":"95"}}
422 {"code":40010001,"message":"oco orders must be limit orders"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day","order_class":"oto","take_profit":{"limit_price":"110"},"stop_loss":{"stop_price":"95"}}
422 {"code":40010001,"message":"oto orders take one of take_profit or stop_loss"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day","order_class":"simple","take_profit":{"limit_price":"110"}}
422 {"code":40010001,"message":"take_profit is for bracket, oco and oto orders"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day","order_class":"one"}
422 {"code":40010001,"message":"invalid order_class"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"limit","time_in_force":"day","limit_price":"99.001"}
422 {"code":42210000,"message":"invalid limit_price 99.001. sub-penny increment does not fulfill minimum pricing criteria"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"limit","time_in_force":"day","limit_price":"0.12345"}
422 {"code":42210000,"message":"invalid limit_price 0.12345. sub-penny increment does not fulfill minimum pricing criteria"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day","position_intent":"sell_to_open"}
422 {"code":40010001,"message":"invalid position_intent"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day","client_order_id":"0123456789012345678901234567890123456789012345678"}
422 {"code":40010001,"message":"client_order_id must be no more than 48 characters"}
{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day","client_order_id":"m-1"}
422 {"code":40010001,"message":"client_order_id must be unique"}
not json
400 {"code":40010000,"message":"request body format is invalid"}
EOF

test_expect_success 'orders are checked as Alpaca checks them' '
	n=$(get alp "/v2/orders?status=all&limit=500" length) &&
	while read -r req && read -r want
	do
		printf "%s" "$req" >req.json &&
		api alp POST /v2/orders req.json >out &&
		paste -s -d " " out >actual &&
		echo "$want" >expect &&
		test_cmp expect actual || return 1
	done <bad-orders &&
	get alp "/v2/orders?status=all&limit=500" length >actual &&
	echo "$n" >expect && test_cmp expect actual
'

test_expect_success 'the account refuses: buying power, qty, short, wash' '
	: >actual &&
	cat >expect <<-\EOF &&
	403 {"buying_power":"98600","code":40310000,"cost_basis":"200000","message":"insufficient buying power"}
	403 {"available":"10","code":40310000,"existing_qty":"10","held_for_orders":"0","message":"insufficient qty available for order (requested: 15, available: 10)","symbol":"AAPL"}
	200
	403 {"available":"5","code":40310000,"existing_qty":"10","held_for_orders":"5","message":"insufficient qty available for order (requested: 6, available: 5)","symbol":"AAPL"}
	422 {"code":42210000,"message":"potential wash trade detected. use complex orders"}
	422 {"code":42210000,"message":"potential wash trade detected. use complex orders"}
	403 {"code":40310000,"message":"asset \"NOSH\" is not shortable"}
	200
	403 {"code":40310000,"message":"cannot open a long buy while a short sell order is open"}
	200
	403 {"code":40310000,"message":"cannot open a short sell while a long buy order is open"}
	403 {"code":40310000,"message":"account is not allowed to short"}
	EOF
	for b in \
	    "{\"symbol\":\"AAPL\",\"qty\":\"2000\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\"}" \
	    "{\"symbol\":\"AAPL\",\"qty\":\"15\",\"side\":\"sell\",\"type\":\"market\",\"time_in_force\":\"day\"}" \
	    "{\"symbol\":\"AAPL\",\"qty\":\"5\",\"side\":\"sell\",\"type\":\"limit\",\"limit_price\":\"110\",\"time_in_force\":\"gtc\",\"client_order_id\":\"w-1\"}" \
	    "{\"symbol\":\"AAPL\",\"qty\":\"6\",\"side\":\"sell\",\"type\":\"market\",\"time_in_force\":\"day\"}" \
	    "{\"symbol\":\"AAPL\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"limit\",\"limit_price\":\"110.5\",\"time_in_force\":\"day\"}" \
	    "{\"symbol\":\"AAPL\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\"}" \
	    "{\"symbol\":\"NOSH\",\"qty\":\"1\",\"side\":\"sell\",\"type\":\"market\",\"time_in_force\":\"day\"}" \
	    "{\"symbol\":\"IBM\",\"qty\":\"1\",\"side\":\"sell\",\"type\":\"limit\",\"limit_price\":\"250\",\"time_in_force\":\"day\",\"client_order_id\":\"w-2\"}" \
	    "{\"symbol\":\"IBM\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"limit\",\"limit_price\":\"150\",\"time_in_force\":\"day\"}" \
	    "{\"symbol\":\"NOSH\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"limit\",\"limit_price\":\"50\",\"time_in_force\":\"day\",\"client_order_id\":\"w-3\"}" \
	    "{\"symbol\":\"NOSH\",\"qty\":\"1\",\"side\":\"sell\",\"type\":\"limit\",\"limit_price\":\"150\",\"time_in_force\":\"day\"}"
	do
		printf "%s" "$b" >req.json &&
		api alp POST /v2/orders req.json | paste -s -d " " - |
		    sed "s/^200 .*/200/" >>actual || return 1
	done &&
	fake_trade_steps alp "{\"account\": {\"shorting_enabled\": false}}" &&
	printf "%s" "{\"symbol\":\"IBM\",\"qty\":\"1\",\"side\":\"sell\",\"type\":\"market\",\"time_in_force\":\"day\"}" \
	    >req.json &&
	api alp POST /v2/orders req.json | paste -s -d " " - >>actual &&
	fake_trade_steps alp "{\"account\": {\"shorting_enabled\": true}}" &&
	test_cmp expect actual &&
	get alp "/v2/positions/AAPL" ".qty_available" >actual &&
	echo 5 >expect && test_cmp expect actual
'

test_expect_success 'DELETE: 204 and canceled; 404; 422 not cancelable' '
	id=$(get alp "/v2/orders:by_client_order_id?client_order_id=w-1" .id) &&
	api alp DELETE "/v2/orders/$id" >out &&
	printf "204\\n\\n" >expect && test_cmp expect out &&
	get alp "/v2/orders/$id" "[.status, .canceled_at] | join(\" \")" \
	    >actual &&
	echo "canceled 2024-01-02T15:00:00Z" >expect &&
	test_cmp expect actual &&
	api alp DELETE "/v2/orders/$id" >out &&
	printf "422\\n{\"code\":42210000,\"message\":\"order is already in \\\\\"canceled\\\\\" state\"}\\n" \
	    >expect && test_cmp expect out &&
	id=$(get alp "/v2/orders:by_client_order_id?client_order_id=m-1" .id) &&
	api alp DELETE "/v2/orders/$id" >out &&
	test_grep "already in .*filled.* state" out &&
	api alp DELETE /v2/orders/61e69015-8549-4bfd-b9c3-01e75843f47d >out &&
	printf "404\\n{\"code\":40410000,\"message\":\"order not found\"}\\n" \
	    >expect && test_cmp expect out &&
	api alp DELETE /v2/orders/nope >out &&
	test_grep "^422\$" out
'

test_expect_success 'DELETE /v2/orders: 207, a status per order' '
	get alp "/v2/orders" "[.[].client_order_id] | sort | join(\" \")" \
	    >actual &&
	echo "w-2 w-3" >expect && test_cmp expect actual &&
	w2=$(get alp "/v2/orders:by_client_order_id?client_order_id=w-2" .id) &&
	w3=$(get alp "/v2/orders:by_client_order_id?client_order_id=w-3" .id) &&
	api alp DELETE /v2/orders >out &&
	printf "207\\n[{\"id\":\"%s\",\"status\":200},{\"id\":\"%s\",\"status\":200}]\\n" \
	    "$w2" "$w3" >expect &&
	test_cmp expect out &&
	get alp "/v2/orders" length >actual &&
	echo 0 >expect && test_cmp expect actual &&
	get alp "/v2/orders?status=closed&limit=500" \
	    "map(select(.status == \"canceled\")) | length" >actual &&
	echo 3 >expect && test_cmp expect actual
'

test_expect_success 'GET /v2/orders: status, limit, direction, filters' '
	fake_trade_start lst --script base.json &&
	o="{\"symbol\":\"%s\",\"qty\":\"1\",\"side\":\"%s\",\"type\":\"%s\",%s\"time_in_force\":\"day\",\"client_order_id\":\"%s\"}" &&
	{
		post lst "$(printf "$o" AAPL buy limit "\"limit_price\":\"90\"," a1)" &&
		fake_trade_steps lst "{\"clock\":{\"time\":\"2024-01-02T15:01:00Z\"}}" &&
		post lst "$(printf "$o" MSFT buy market "" a2)" &&
		fake_trade_steps lst "{\"clock\":{\"time\":\"2024-01-02T15:02:00Z\"}}" &&
		post lst "$(printf "$o" MSFT sell limit "\"limit_price\":\"300\"," a3)" &&
		fake_trade_steps lst "{\"clock\":{\"time\":\"2024-01-02T15:03:00Z\"}}" &&
		post lst "$(printf "$o" AAPL buy limit "\"limit_price\":\"80\"," a4)"
	} >st &&
	printf "200\\n200\\n200\\n200\\n" >expect && test_cmp expect st &&
	for q in "" "status=closed" "status=all&direction=asc" \
	    "status=all&limit=2" "status=all&symbols=MSFT,IBM" "side=sell" \
	    "status=all&after=2024-01-02T15:01:00Z&until=2024-01-02T15:03:00Z" \
	    "status=all&after=2024-01-02T10:01:00.5-05:00"
	do
		get lst "/v2/orders?$q" "[.[].client_order_id] | join(\" \")" \
		    || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	a4 a3 a1
	a2
	a1 a2 a3 a4
	a4 a3
	a3 a2
	a3
	a3
	a4 a3
	EOF
	test_cmp expect actual &&
	for q in status=any limit=0 direction=up after=yesterday
	do
		api lst GET "/v2/orders?$q" | sed -n 1p || return 1
	done >actual &&
	printf "422\\n422\\n422\\n422\\n" >expect && test_cmp expect actual
'

test_expect_success 'DELETE a position: a market order that closes it' '
	api lst DELETE /v2/positions/MSFT >out &&
	cat >expect <<-\EOF &&
	403
	{"available":"0","code":40310000,"existing_qty":"1","held_for_orders":"1","message":"insufficient qty available for order (requested: 1, available: 0)","symbol":"MSFT"}
	EOF
	test_cmp expect out &&
	a3=$(get lst "/v2/orders:by_client_order_id?client_order_id=a3" .id) &&
	api lst DELETE "/v2/orders/$a3" >out &&
	api lst DELETE /v2/positions/MSFT >out &&
	body out | jq -r "[.symbol, .qty, .side, .type, .position_intent,
	    .status] | join(\" \")" >actual &&
	echo "MSFT 1 sell market sell_to_close accepted" >expect &&
	test_cmp expect actual &&
	api lst GET /v2/positions/MSFT >out &&
	test_grep "^404\$" out &&
	get lst "/v2/orders?status=closed" \
	    "[.[] | select(.symbol == \"MSFT\") | .status] | join(\" \")" \
	    >actual &&
	echo "filled canceled filled" >expect && test_cmp expect actual
'

test_expect_success 'a scripted answer per POST: timeout, drop, 500 ...' '
	cat >sub.json <<-\EOF &&
	{"clock": {"time": "2024-01-02T15:00:00Z", "frozen": true},
	 "retry_after_s": 3,
	 "submit": ["timeout", "drop", "500_after_create", "500", "429", 403,
		    "422", {"delay_ms": 400},
		    {"status": 503, "body": "upstream down\n",
		     "headers": {"Retry-After": "2"}}]}
	EOF
	fake_trade_start sub --script sub.json &&
	o="{\"symbol\":\"AAPL\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\",\"client_order_id\":\"%s\"}" &&
	printf "$o" s1 >s1 &&
	test_expect_code 28 alpaca_curl --max-time 1 -d @s1 \
	    "$(url sub /v2/orders)" 2>err &&
	printf "$o" s2 >s2 &&
	test_must_fail alpaca_curl -d @s2 "$(url sub /v2/orders)" 2>err &&
	for i in 3 4 5 6 7
	do
		printf "$o" s$i >s &&
		alpaca_curl -D h$i -d @s -w " %{http_code}\\n" \
		    "$(url sub /v2/orders)" || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	{"code":50010000,"message":"internal server error"} 500
	{"code":50010000,"message":"internal server error"} 500
	too many requests
	 429
	{"code":40310000,"message":"insufficient buying power"} 403
	{"code":42210000,"message":"error"} 422
	EOF
	test_cmp expect actual &&
	tr -d "\\r" <h5 >h &&
	test_grep "^Retry-After: 3\$" h &&
	test_grep "^X-Ratelimit-Remaining: 0\$" h &&
	reset=$(sed -n "s/^X-Ratelimit-Reset: //p" h) &&
	now=$(date +%s) &&
	test $reset -gt $((now - 10)) && test $reset -le $((now + 4)) &&
	test_grep "^Content-Type: text/plain" h &&
	printf "$o" s8 >s &&
	t0=$(date +%s%N) &&
	api sub POST /v2/orders s >out &&
	t1=$(date +%s%N) &&
	test $(( (t1 - t0) / 1000000 )) -ge 400 &&
	test_grep "^200\$" out &&
	printf "$o" s9 >s &&
	alpaca_curl -D h -d @s "$(url sub /v2/orders)" >out &&
	echo "upstream down" >expect && test_cmp expect out &&
	test_grep "^Retry-After: 2" h &&
	test_grep "^HTTP/1.1 503 " h &&
	printf "$o" s10 >s &&
	api sub POST /v2/orders s >out &&
	test_grep "^200\$" out &&
	for i in 1 2 3 4 5 6 7 8 9 10
	do
		get sub "/v2/orders:by_client_order_id?client_order_id=s$i" \
		    ".status // .message" || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	filled
	filled
	filled
	order not found
	order not found
	order not found
	order not found
	filled
	order not found
	filled
	EOF
	test_cmp expect actual &&
	grep "^POST /v2/orders " sub.log | cut -d" " -f3 >actual &&
	printf "%s\\n" timeout drop 500 500 429 403 422 200 503 200 >expect &&
	test_cmp expect actual
'

test_expect_success 'answers of other routes; "cycle"; a cancel too late' '
	cat >ans.json <<-\EOF &&
	{"symbols": {"AAPL": {"mode": "hold"}}, "cycle": true,
	 "submit": ["ok", "500"],
	 "answers": {"GET /v2/orders:by_client_order_id": [503, "ok"],
		     "DELETE /v2/orders/{id}": ["too_late"],
		     "GET /v2/clock": ["drop", "ok"]}}
	EOF
	fake_trade_start ans --script ans.json &&
	o="{\"symbol\":\"AAPL\",\"qty\":\"3\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\",\"client_order_id\":\"%s\"}" &&
	post ans "$(printf "$o" c1)" "$(printf "$o" c2)" "$(printf "$o" c3)" \
	    "$(printf "$o" c4)" >actual &&
	printf "200\\n500\\n200\\n500\\n" >expect && test_cmp expect actual &&
	for c in c1 c1 c3
	do
		api ans GET "/v2/orders:by_client_order_id?client_order_id=$c" \
		    | sed -n 1p || return 1
	done >actual &&
	printf "503\\n200\\n503\\n" >expect && test_cmp expect actual &&
	id=$(get ans "/v2/orders:by_client_order_id?client_order_id=c1" .id) &&
	get ans "/v2/orders/$id" .status >actual &&
	echo new >expect && test_cmp expect actual &&
	api ans DELETE "/v2/orders/$id" >out &&
	test_grep "^204\$" out &&
	get ans "/v2/orders/$id" "[.status, .filled_qty] | join(\" \")" \
	    >actual &&
	echo "filled 3" >expect && test_cmp expect actual &&
	test_must_fail alpaca_curl "$(url ans /v2/clock)" 2>err &&
	get ans /v2/clock .is_open >actual &&
	echo true >expect && test_cmp expect actual &&
	test_grep "^GET /v2/clock drop\$" ans.log
'

test_expect_success 'rate limit: N a minute, then 429 until the reset' '
	echo "{\"rate_limit\": 3}" >rate.json &&
	fake_trade_start rate --script rate.json &&
	for i in 1 2 3 4
	do
		alpaca_curl -D h$i -o /dev/null "$(url rate /v2/clock)" &&
		tr -d "\\r" <h$i |
		sed -n -e "s/^HTTP[^ ]* \\([0-9]*\\).*/\\1/p" \
		    -e "s/^X-Ratelimit-\\(Limit\\|Remaining\\): //p" |
		paste -s -d " " - || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	200 3 2
	200 3 1
	200 3 0
	429 3 0
	EOF
	test_cmp expect actual &&
	r1=$(tr -d "\\r" <h1 | sed -n "s/^X-Ratelimit-Reset: //p") &&
	r4=$(tr -d "\\r" <h4 | sed -n "s/^X-Ratelimit-Reset: //p") &&
	test "$r1" = "$r4" &&
	now=$(date +%s) &&
	# the epoch second by which the window has ended: rounded up
	test $r4 -gt $now && test $r4 -le $((now + 61)) &&
	wait=$(tr -d "\\r" <h4 | sed -n "s/^Retry-After: //p") &&
	test $wait -ge 1 && test $wait -le 60 &&
	test_grep "^GET /v2/clock 429\$" rate.log
'

test_expect_success 'partial fills: the scenario'"'"'s, a step'"'"'s; avg price' '
	cat >part.json <<-\EOF &&
	{"partial": [3, 3],
	 "symbols": {"MSFT": {"price": 200, "mode": "hold"}}}
	EOF
	fake_trade_start part --script part.json &&
	bg_client pt "$(wss part)" $AUTH recv $LISTEN recv recv=7 &&
	test_wait_for "grep -q listening pt.cout" &&
	post part \
	    "{\"symbol\":\"AAPL\",\"qty\":\"10\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\",\"client_order_id\":\"p1\"}" \
	    "{\"symbol\":\"MSFT\",\"qty\":\"10\",\"side\":\"buy\",\"type\":\"limit\",\"limit_price\":\"201\",\"time_in_force\":\"day\",\"client_order_id\":\"p2\"}" \
	    >st &&
	fake_trade_steps part "[{\"fill\": \"p2\", \"qty\": 4, \"price\": \"199.5\"},
		{\"fill\": [\"p2\"], \"price\": 200.25}]" &&
	test_wait_for "test -s pt.code" &&
	events pt.cout >actual &&
	cat >expect <<-\EOF &&
	new - - p1 new 0
	partial_fill 3 3 p1 partially_filled 3
	partial_fill 3 6 p1 partially_filled 6
	fill 4 10 p1 filled 10
	new - - p2 new 0
	partial_fill 4 4 p2 partially_filled 4
	fill 6 10 p2 filled 10
	EOF
	test_cmp expect actual &&
	sed -n "s/^# binary //p" pt.cout |
	jq -r "select(.data.event == \"fill\") |
	    [.data.price, .data.order.filled_avg_price] | join(\" \")" \
	    >actual &&
	printf "100 100\\n200.25 199.95\\n" >expect && test_cmp expect actual &&
	get part /v2/positions/MSFT "[.avg_entry_price, .cost_basis] |
	    join(\" \")" >actual &&
	echo "199.95 1999.5" >expect && test_cmp expect actual
'

test_expect_success 'limit, stop, trailing stop: they wait for the price' '
	fake_trade_start px --script base.json &&
	o="{\"symbol\":\"AAPL\",\"qty\":\"10\",\"side\":\"%s\",\"type\":\"%s\",%s\"time_in_force\":\"gtc\",\"client_order_id\":\"%s\"}" &&
	st () {
		get px "/v2/orders:by_client_order_id?client_order_id=$1" \
		    "[.status, .filled_qty, .filled_avg_price // \"-\", .hwm // \"-\",
		    .stop_price // \"-\"] | join(\" \")"
	} &&
	post px "$(printf "$o" buy limit "\"limit_price\":\"95\"," l1)" &&
	fake_trade_steps px "{\"price\": {\"AAPL\": 96}}" &&
	st l1 >actual &&
	fake_trade_steps px "{\"price\": {\"AAPL\": 95}}" &&
	st l1 >>actual &&
	post px "$(printf "$o" sell stop "\"stop_price\":\"90\"," l2)" &&
	fake_trade_steps px "{\"price\": {\"AAPL\": \"90.01\"}}" &&
	st l2 >>actual &&
	fake_trade_steps px "{\"price\": {\"AAPL\": \"89.5\"}}" &&
	st l2 >>actual &&
	post px "$(printf "$o" buy market "" l3)" &&
	post px "$(printf "$o" sell trailing_stop "\"trail_price\":\"5\"," l4)" &&
	st l4 >>actual &&
	fake_trade_steps px "[{\"price\": {\"AAPL\": 100}}, {\"price\": {\"AAPL\": 96}}]" &&
	st l4 >>actual &&
	fake_trade_steps px "{\"price\": {\"AAPL\": \"94.9\"}}" &&
	st l4 >>actual &&
	post px "{\"symbol\":\"AAPL\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"limit\",\"limit_price\":\"50\",\"time_in_force\":\"ioc\",\"client_order_id\":\"l5\"}" &&
	st l5 >>actual &&
	cat >expect <<-\EOF &&
	new 0 - - -
	filled 10 95 - -
	new 0 - - 90
	filled 10 89.5 - 90
	new 0 - 89.5 84.5
	new 0 - 100 95
	filled 10 94.9 100 95
	canceled 0 - - -
	EOF
	test_cmp expect actual &&
	api px GET /v2/positions >out &&
	printf "200\\n[]\\n" >expect && test_cmp expect out
'

test_expect_success 'events of steps: done_for_day, expired' '
	post px "{\"symbol\":\"AAPL\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"limit\",\"limit_price\":\"10\",\"time_in_force\":\"day\",\"client_order_id\":\"e1\"}" &&
	fake_trade_steps px "{\"event\": \"done_for_day\", \"orders\": \"e1\"}" &&
	get px "/v2/orders" "[.[].status] | join(\" \")" >actual &&
	fake_trade_steps px "{\"event\": \"expired\", \"orders\": [\"e1\"]}" &&
	get px "/v2/orders:by_client_order_id?client_order_id=e1" \
	    "[.status, .expired_at] | join(\" \")" >>actual &&
	cat >expect <<-\EOF &&
	done_for_day
	expired 2024-01-02T15:00:00Z
	EOF
	test_cmp expect actual &&
	grep -E "^# lost (done_for_day|expired) e1\$" px.log >actual &&
	printf "# lost done_for_day e1\\n# lost expired e1\\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'replace: a new order, the old one replaced' '
	post px "{\"symbol\":\"AAPL\",\"qty\":\"5\",\"side\":\"buy\",\"type\":\"limit\",\"limit_price\":\"50\",\"time_in_force\":\"day\",\"client_order_id\":\"r1\"}" &&
	r1=$(get px "/v2/orders:by_client_order_id?client_order_id=r1" .id) &&
	echo "{\"qty\":\"7\",\"limit_price\":\"55\",\"client_order_id\":\"r2\"}" \
	    >patch &&
	api px PATCH "/v2/orders/$r1" patch >out &&
	body out | jq -r "[.client_order_id, .qty, .limit_price, .replaces,
	    .status] | join(\" \")" >actual &&
	echo "r2 7 55 $r1 accepted" >expect && test_cmp expect actual &&
	r2=$(body out | jq -r .id) &&
	get px "/v2/orders/$r1" "[.status, .replaced_by] | join(\" \")" \
	    >actual &&
	echo "replaced $r2" >expect && test_cmp expect actual &&
	get px "/v2/orders/$r2" .status >actual &&
	echo new >expect && test_cmp expect actual &&
	grep -E "^# lost [a-z]+ r[12]\$" px.log >actual &&
	printf "# lost new r1\\n# lost replaced r1\\n# lost new r2\\n" >expect &&
	test_cmp expect actual &&
	api px PATCH "/v2/orders/$r1" patch >out &&
	test_grep "already in .*replaced.* state" out
'

test_expect_success 'bracket: legs held, then new; one fills, one cancels' '
	fake_trade_start brk --script base.json &&
	post brk "{\"symbol\":\"AAPL\",\"qty\":\"10\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"gtc\",\"order_class\":\"bracket\",\"take_profit\":{\"limit_price\":\"110\"},\"stop_loss\":{\"stop_price\":\"90\",\"limit_price\":\"89\"},\"client_order_id\":\"b1\"}" \
	    >st &&
	body post.out | jq -r ".legs[] | [.type, .side, .status,
	    .limit_price // \"-\", .stop_price // \"-\", .position_intent] |
	    join(\" \")" >actual &&
	cat >expect <<-\EOF &&
	limit sell held 110 - sell_to_close
	stop_limit sell held 89 90 sell_to_close
	EOF
	test_cmp expect actual &&
	get brk "/v2/orders:by_client_order_id?client_order_id=b1&nested=true" \
	    "[.status, .order_class, (.legs | map(.status) | join(\",\"))] |
	    join(\" \")" >actual &&
	echo "filled bracket new,new" >expect && test_cmp expect actual &&
	get brk /v2/orders "[.[].type] | join(\" \")" >actual &&
	echo "stop_limit limit" >expect && test_cmp expect actual &&
	get brk "/v2/orders?nested=true" length >actual &&
	echo 0 >expect && test_cmp expect actual &&
	get brk "/v2/orders?nested=true&status=all" \
	    "[.[] | .legs | length] | join(\" \")" >actual &&
	echo 2 >expect && test_cmp expect actual &&
	fake_trade_steps brk "{\"price\": {\"AAPL\": 111}}" &&
	get brk "/v2/orders?status=all" "[.[] |
	    \"\\(.type) \\(.status) \\(.filled_avg_price // \"-\")\"] |
	    join(\", \")" >actual &&
	echo "stop_limit canceled -, limit filled 111, market filled 100" \
	    >expect &&
	test_cmp expect actual &&
	get brk /v2/positions length >actual &&
	echo 0 >expect && test_cmp expect actual
'

test_expect_success 'oco: the limit and the stop; the stop fills' '
	post brk "{\"symbol\":\"AAPL\",\"qty\":\"5\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\",\"client_order_id\":\"o0\"}" \
	    "{\"symbol\":\"AAPL\",\"qty\":\"5\",\"side\":\"sell\",\"type\":\"limit\",\"time_in_force\":\"gtc\",\"order_class\":\"oco\",\"take_profit\":{\"limit_price\":\"120\"},\"stop_loss\":{\"stop_price\":\"105\"},\"client_order_id\":\"o1\"}" \
	    >st &&
	printf "200\\n200\\n" >expect && test_cmp expect st &&
	get brk "/v2/orders?nested=true" ".[] | [.client_order_id, .type,
	    .limit_price, .status, (.legs[] | .type, .side, .stop_price,
	    .status)] | join(\" \")" >actual &&
	echo "o1 limit 120 new stop sell 105 new" >expect &&
	test_cmp expect actual &&
	fake_trade_steps brk "{\"price\": {\"AAPL\": 104}}" &&
	get brk "/v2/orders?nested=true&limit=1&status=all" ".[] |
	    [.status, (.legs | map(\"\\(.status) \\(.filled_avg_price)\") |
	    join(\",\"))] | join(\" \")" >actual &&
	echo "canceled filled 104" >expect && test_cmp expect actual
'

test_expect_success 'fill_delay_ms, cancel_delay_ms; early_events' '
	cat >dly.json <<-\EOF &&
	{"fill_delay_ms": 10000, "cancel_delay_ms": 10000}
	EOF
	fake_trade_start dly --script dly.json &&
	post dly "{\"symbol\":\"AAPL\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\",\"client_order_id\":\"d1\"}" \
	    "{\"symbol\":\"MSFT\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"limit\",\"limit_price\":\"1\",\"time_in_force\":\"day\",\"client_order_id\":\"d2\"}" \
	    >st &&
	d2=$(get dly "/v2/orders:by_client_order_id?client_order_id=d2" .id) &&
	api dly DELETE "/v2/orders/$d2" >out &&
	statuses () {
		get dly "/v2/orders?status=all&direction=asc" \
		    "[.[].status] | join(\" \")"
	} &&
	statuses >actual &&
	echo "new pending_cancel" >expect && test_cmp expect actual &&
	test_wait_for "statuses | grep \"^filled canceled\\\$\"" &&
	echo "{\"early_events\": true}" >early.json &&
	fake_trade_start early --script early.json &&
	post early "{\"symbol\":\"AAPL\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\"}" \
	    >st &&
	body post.out | jq -r "[.status, .filled_qty] | join(\" \")" >actual &&
	echo "filled 1" >expect && test_cmp expect actual
'

test_expect_success 'a closed market: accepted until a step opens it' '
	cat >shut.json <<-\EOF &&
	{"clock": {"time": "2024-01-06T15:00:00Z", "frozen": true,
		   "is_open": "auto"}}
	EOF
	fake_trade_start shut --script shut.json &&
	get shut /v2/clock "[.is_open, .next_open, .next_close] |
	    join(\" \")" >actual &&
	echo "false 2024-01-08T09:30:00-05:00 2024-01-08T16:00:00-05:00" \
	    >expect && test_cmp expect actual &&
	post shut "{\"symbol\":\"AAPL\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\",\"client_order_id\":\"x1\"}" \
	    "{\"symbol\":\"MSFT\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"limit\",\"limit_price\":\"101\",\"extended_hours\":true,\"time_in_force\":\"day\",\"client_order_id\":\"x2\"}" \
	    >st &&
	get shut "/v2/orders?status=all&direction=asc" \
	    "[.[].status] | join(\" \")" >actual &&
	echo "accepted filled" >expect && test_cmp expect actual &&
	fake_trade_steps shut "{\"clock\": {\"is_open\": true}}" &&
	get shut "/v2/orders?status=all&direction=asc" \
	    "[.[].status] | join(\" \")" >actual &&
	echo "filled filled" >expect && test_cmp expect actual
'

test_expect_success 'stream knobs: refuse, drop, close, HTTP, text, ignore' '
	cat >knob.json <<-\EOF &&
	{"stream": {"connections": [
		{"auth": ["refuse", "ok"]},
		{"drop_after": 1},
		{"close_after": 2, "close_code": 4001, "close_reason": "bye"},
		{"http": 503},
		{"binary": false, "listen": "ignore"},
		{"auth": "ignore"}]}}
	EOF
	fake_trade_start knob --script knob.json &&
	ws_client "$(wss knob)" $AUTH recv $AUTH recv $LISTEN recv >out &&
	cat >expect <<-\EOF &&
	# binary {"stream":"authorization","data":{"status":"unauthorized","action":"authenticate"}}
	# binary {"stream":"authorization","data":{"status":"authorized","action":"authenticate"}}
	# binary {"stream":"listening","data":{"streams":["trade_updates"]}}
	EOF
	test_cmp expect out &&
	o="{\"symbol\":\"AAPL\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\",\"client_order_id\":\"%s\"}" &&
	for c in k2 k3
	do
		bg_client $c "$(wss knob)" $AUTH recv $LISTEN recv drain &&
		test_wait_for "grep -q listening $c.cout" &&
		post knob "$(printf "$o" $c)" >st &&
		test_wait_for "test -s $c.code" || return 1
	done &&
	events k2.cout >actual &&
	tail -n 1 k2.cout >>actual &&
	events k3.cout >>actual &&
	tail -n 1 k3.cout >>actual &&
	cat >expect <<-\EOF &&
	new - - k2 new 0
	# closed 1006
	new - - k3 new 0
	fill 1 2 k3 filled 1
	# closed 4001 bye
	EOF
	test_cmp expect actual &&
	test_expect_code 3 ws_client "$(wss knob)" recv 2>err &&
	test_grep "HTTP 503" err &&
	test_expect_code 1 ws_client --timeout 1 "$(wss knob)" $AUTH recv \
	    $LISTEN recv >out &&
	cat >expect <<-\EOF &&
	{"stream":"authorization","data":{"status":"authorized","action":"authenticate"}}
	# timeout
	EOF
	test_cmp expect out &&
	test_expect_code 1 ws_client --timeout 1 "$(wss knob)" $AUTH recv \
	    >out &&
	echo "# timeout" >expect && test_cmp expect out &&
	grep -E "^# (drop|close|lost|http) " knob.log >actual &&
	cat >expect <<-\EOF &&
	# drop 2
	# lost fill k2
	# close 3 4001
	# http 4 503
	EOF
	test_cmp expect actual
'

test_expect_success 'fills while the client is away: lost, in filled_qty' '
	cat >away.json <<-\EOF &&
	{"clock": {"time": "2024-01-02T15:00:00Z", "frozen": true},
	 "stream": {"connections": [{"drop_after": 1}, {}]},
	 "steps": [{"wait": "drops"}, {"delay_ms": 300},
		   {"price": {"AAPL": 95}}]}
	EOF
	fake_trade_start away --script away.json &&
	rm -f go &&
	bg_client aw "$(wss away)" $AUTH recv $LISTEN recv until=go drain \
	    reconnect $AUTH recv $LISTEN recv &&
	test_wait_for "grep -q listening aw.cout" &&
	post away "{\"symbol\":\"AAPL\",\"qty\":\"10\",\"side\":\"buy\",\"type\":\"limit\",\"limit_price\":\"95\",\"time_in_force\":\"day\",\"client_order_id\":\"w1\"}" \
	    >st &&
	touch go &&
	test_wait_for "test -s aw.code" &&
	echo 0 >expect && test_cmp expect aw.code &&
	events aw.cout >actual &&
	echo "new - - w1 new 0" >expect && test_cmp expect actual &&
	test_grep "^# closed 1006\$" aw.cout &&
	get away "/v2/orders:by_client_order_id?client_order_id=w1" \
	    "[.status, .filled_qty, .filled_avg_price] | join(\" \")" \
	    >actual &&
	echo "filled 10 95" >expect && test_cmp expect actual &&
	grep -E "^(# (event|drop|lost|listening|connection)|\\{\"action\":\"listen)" \
	    away.log >actual &&
	cat >expect <<-\EOF &&
	# connection 1 /stream
	{"action":"listen","data":{"streams":["trade_updates"]}}
	# listening 1
	# event 1 new w1
	# drop 1
	# connection 2 /stream
	{"action":"listen","data":{"streams":["trade_updates"]}}
	# lost fill w1
	# listening 2
	EOF
	test_cmp expect actual
'

test_expect_success 'orders placed by hand: at the start, by a step' '
	cat >hand.json <<-\EOF &&
	{"orders": [{"symbol": "AAPL", "qty": "3", "side": "buy",
		     "type": "limit", "limit_price": "90",
		     "time_in_force": "gtc", "client_order_id": "by-hand-1"}],
	 "steps": [{"wait": "orders"},
		   {"order": {"symbol": "MSFT", "qty": "2", "side": "buy",
			      "type": "market", "time_in_force": "day",
			      "client_order_id": "by-hand-2"}},
		   {"order": {"symbol": "MSFT", "side": "buy"}}]}
	EOF
	fake_trade_start hand --script hand.json &&
	get hand /v2/orders "[.[].client_order_id] | join(\" \")" >actual &&
	echo by-hand-1 >expect && test_cmp expect actual &&
	post hand "{\"symbol\":\"IBM\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"limit\",\"limit_price\":\"1\",\"time_in_force\":\"day\",\"client_order_id\":\"mine\"}" \
	    >st &&
	test_wait_for "grep -q \"^# order 422\" hand.log" &&
	get hand "/v2/orders?status=all&direction=asc" \
	    "[.[] | \"\\(.client_order_id) \\(.status)\"] | join(\", \")" \
	    >actual &&
	echo "by-hand-1 new, mine new, by-hand-2 filled" >expect &&
	test_cmp expect actual &&
	test_grep "^# order 422 qty or notional is required\$" hand.log &&
	test_grep "order of a step refused" hand.out
'

test_expect_success 'the other knobs: account, positions, strict, reject' '
	cat >misc.json <<-\EOF &&
	{"clock": {"time": "2024-01-02T15:00:00Z", "frozen": true},
	 "seed": 2, "strict_symbols": true,
	 "symbols": {"BAD": {"mode": "reject"}, "GAP": {"price": 10,
		     "partial": [1]}, "FRAC": {"fractionable": false}},
	 "fill_gap_ms": 10000,
	 "account": {"cash": 5000, "multiplier": 2},
	 "positions": {"MSFT": {"qty": -10, "avg_entry_price": 150}},
	 "auth_error": {"status": 403, "body": {"message": "forbidden"}}}
	EOF
	fake_trade_start misc --script misc.json &&
	(
		APCA_API_KEY_ID=PKNOTAKEY &&
		api misc GET /v2/account
	) >out &&
	printf "403\\n{\"message\":\"forbidden\"}\\n" >expect &&
	test_cmp expect out &&
	get misc /v2/account "[.cash, .equity, .short_market_value,
	    .buying_power, .multiplier] | join(\" \")" >actual &&
	echo "5000 4000 -1000 7000 2" >expect && test_cmp expect actual &&
	get misc /v2/positions/MSFT "[.qty, .side, .market_value, .cost_basis,
	    .unrealized_pl, .unrealized_plpc] | join(\" \")" >actual &&
	echo "-10 short -1000 -1500 500 0.333333333" >expect &&
	test_cmp expect actual &&
	o="{\"symbol\":\"%s\",\"qty\":\"%s\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\",\"client_order_id\":\"%s\"}" &&
	post misc "$(printf "$o" IBM 1 x1)" "$(printf "$o" FRAC 0.5 x2)" \
	    "$(printf "$o" BAD 1 x3)" "$(printf "$o" MSFT 11 x4)" >actual &&
	printf "422\\n422\\n200\\n403\\n" >expect && test_cmp expect actual &&
	body post.out | jq -r .available >actual &&
	echo 10 >expect && test_cmp expect actual &&
	api misc GET /v2/assets/IBM | sed -n 1p >actual &&
	echo 404 >expect && test_cmp expect actual &&
	get misc "/v2/orders:by_client_order_id?client_order_id=x3" \
	    "[.status, .failed_at] | join(\" \")" >actual &&
	echo "rejected 2024-01-02T15:00:00Z" >expect && test_cmp expect actual &&
	test_grep "^# lost rejected x3\$" misc.log &&
	fake_trade_steps misc "{\"account\": {\"trading_blocked\": true}}" &&
	post misc "$(printf "$o" GAP 3 x5)" >actual &&
	body post.out >>actual &&
	fake_trade_steps misc "{\"account\": {\"trading_blocked\": false}}" &&
	post misc "$(printf "$o" GAP 3 x6)" >>actual &&
	fake_trade_steps misc "{\"price\": {\"GAP\": 11}}" &&
	cat >expect <<-\EOF &&
	403
	{"code":40310000,"message":"account is not authorized to trade"}
	200
	EOF
	test_cmp expect actual &&
	x6="/v2/orders:by_client_order_id?client_order_id=x6" &&
	get misc "$x6" "[.status, .filled_qty] | join(\" \")" >actual &&
	echo "partially_filled 1" >expect && test_cmp expect actual &&
	test_wait_for "get misc \"$x6\" .status | grep -q \"^filled\\\$\"" &&
	get misc "$x6" "[.filled_qty, .filled_avg_price] | join(\" \")" \
	    >actual &&
	echo "3 10.666666667" >expect && test_cmp expect actual &&
	id=$(get misc "$x6" .id) &&
	aapl=$(get lst "/v2/orders:by_client_order_id?client_order_id=a1" .id) &&
	m1=$(get alp "/v2/orders:by_client_order_id?client_order_id=m-1" .id) &&
	test "$aapl" = "$m1" && test "$id" != "$m1"
'

test_expect_success 'steps: waits for listens, fills, requests; drop, close' '
	cat >stp.json <<-\EOF &&
	{"stream": {"handshake_delay_ms": 300},
	 "steps": [{"wait": "listens"}, {"drop": true},
		   {"wait": "listens", "count": 2}, {"wait": "fills"},
		   {"close": 4002, "reason": "done"},
		   {"wait": "requests", "count": 1000, "timeout_ms": 200},
		   {"price": {"AAPL": 1}}]}
	EOF
	fake_trade_start stp --script stp.json &&
	t0=$(date +%s%N) &&
	bg_client sp "$(wss stp)" $AUTH recv $LISTEN recv drain reconnect \
	    $AUTH recv $LISTEN recv drain &&
	test_wait_for "test \$(grep -c listening sp.cout) = 2" &&
	t1=$(date +%s%N) &&
	test $(( (t1 - t0) / 1000000 )) -ge 600 &&
	post stp "{\"symbol\":\"AAPL\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\",\"client_order_id\":\"y1\"}" \
	    >st &&
	test_wait_for "test -s sp.code" &&
	grep "^# closed" sp.cout >actual &&
	printf "# closed 1006\\n# closed 4002 done\\n" >expect &&
	test_cmp expect actual &&
	events sp.cout >actual &&
	printf "new - - y1 new 0\\nfill 1 1 y1 filled 1\\n" >expect &&
	test_cmp expect actual &&
	test_wait_for "grep -q \"^# timeout requests\\\$\" stp.log" &&
	get stp /v2/positions ".[0].current_price" >actual &&
	echo 100 >expect && test_cmp expect actual
'

test_expect_success 'the control endpoint refuses bad steps' '
	test_must_fail fake_trade_steps alp "{\"nope\": 1}" 2>err &&
	printf "[{\"price\": {\"aapl\": 1}}]" >bad &&
	curl -sS --cacert "$TLS_CA" --data-binary @bad -w " %{http_code}\\n" \
	    "$(url alp /_fake/steps)" >actual &&
	printf "{\"message\":\"steps[0]: \\047aapl\\047 is not a symbol\"} 400\\n" \
	    >expect &&
	test_cmp expect actual
'

test_expect_success 'the fake refuses a bad scenario or no credentials' '
	for s in "[]" "{\"nope\": 1}" "{\"price\": 0}" "{\"submit\": [\"sometimes\"]}" \
	    "{\"submit\": [\"too_late\"]}" "{\"submit\": []}" \
	    "{\"answers\": {\"GET /v2/nowhere\": [\"ok\"]}}" \
	    "{\"stream\": {\"drop_after\": 0}}" "{\"stream\": {\"auth\": \"yes\"}}" \
	    "{\"stream\": {\"connections\": [{\"close_code\": 1006}]}}" \
	    "{\"steps\": [{\"wait\": \"godot\"}]}" \
	    "{\"steps\": [{\"price\": {\"AAPL\": 1}, \"drop\": true}]}" \
	    "{\"steps\": [{\"event\": \"exploded\"}]}" \
	    "{\"symbols\": {\"AAPL\": {\"mode\": \"sometimes\"}}}" \
	    "{\"clock\": {\"time\": \"yesterday\"}}" \
	    "{\"account\": {\"multiplier\": 3}}" "{\"rate_limit\": 0}" \
	    "{\"orders\": [{\"symbol\": \"AAPL\"}]}" "{"
	do
		echo "$s" >bad.json &&
		test_expect_code 2 "$FAKE_PYTHON" "$SRC_DIR/t/fake-alpaca-trade.py" \
		    --plain --port-file bad.port --script bad.json 2>err &&
		test_grep "^fake-alpaca-trade: " err &&
		test_path_is_missing bad.port || return 1
	done &&
	test_expect_code 2 env -u APCA_API_SECRET_KEY "$FAKE_PYTHON" \
	    "$SRC_DIR/t/fake-alpaca-trade.py" --plain --port-file bad.port \
	    2>err &&
	test_grep "set APCA_API_KEY_ID and APCA_API_SECRET_KEY" err &&
	"$FAKE_PYTHON" "$SRC_DIR/t/fake-alpaca-trade.py" --help >out &&
	test_grep "^usage: fake-alpaca-trade.py" out
'

test_expect_success 'plain http:// and ws:// with --plain' '
	fake_trade_start plain --plain &&
	p=$(cat plain.port) &&
	curl -sS "http://127.0.0.1:$p/v2/clock" >out &&
	test_grep "request is not authorized" out &&
	ws_client "ws://127.0.0.1:$p/stream" $AUTH recv >out &&
	test_grep "\"authorized\"" out
'

test_expect_success 'the log: a line per request, no secret; ps' '
	rm -f go &&
	bg_client ps "$(wss alp)" $AUTH recv until=go &&
	test_wait_for "grep -q authorized ps.cout" &&
	ps -eo args >ps.out &&
	touch go &&
	test_wait_for "test -s ps.code" &&
	test_grep "fake-alpaca-trade.py --port-file alp.port" ps.out &&
	test_grep "ws-client.py .*sendf=auth" ps.out &&
	test_grep ! -F -e "$APCA_API_KEY_ID" -e "$APCA_API_SECRET_KEY" ps.out &&
	sed -n "1,3p" alp.log >actual &&
	cat >expect <<-\EOF &&
	GET /v2/account 401
	GET /v2/account 401
	GET /v2/account 200
	EOF
	test_cmp expect actual &&
	test_grep "^GET /v2/orders:by_client_order_id?client_order_id=m-1 200\$" \
	    alp.log &&
	test_grep "^DELETE /v2/orders 207\$" alp.log &&
	test_grep "^POST /_fake/steps 200\$" alp.log &&
	test_grep "^{\"action\":\"authenticate\",\"data\":{\"key_id\":\"\*\*\*\",\"secret_key\":\"\*\*\*\"}}\$" \
	    alp.log &&
	test_grep ! "not-the-secret" alp.log &&
	for n in $(ls *.pid | sed "s/\\.pid\$//")
	do
		fake_stop $n || return 1
	done &&
	! grep -r -l -F -e "$APCA_API_KEY_ID" -e "$APCA_API_SECRET_KEY" \
	    "$TRASH_DIRECTORY" "$TRASH_DIRECTORY.out" >found &&
	test_must_be_empty found
'

test_done
