#!/bin/sh
test_description='liu-stream history: bars and trades over REST

Against t/fake-rest.py, a loopback fake of the Alpaca and Polygon REST
endpoints serving records copied from the providers'"'"' fixtures (t/data/
rest-*.json), three pages a symbol.  The expected events (t/data/hist-*)
were written by hand from those records: the times converted from the
Unix milliseconds by hand, the fields in the contract'"'"'s order.

TLS is real: the test makes its own CA with openssl (self-contained: it
does not need t/lib-tls.sh), a server certificate for DNS:localhost and
IP:127.0.0.1, and a second CA whose certificate must be refused.  Keys are
throwaway values, passed through the environment only; the last tests grep
every output, log and a ps listing for them.'
. "$(dirname "$0")/test-lib.sh"

PY=/usr/bin/python3
test -x "$PY" || test_skip_all "no /usr/bin/python3 for the fake server"
command -v openssl >/dev/null 2>&1 || test_skip_all "no openssl for the test CA"

# Throwaway keys: the fake wants exactly these (it reads the same names).
APCA_API_KEY_ID=PKFAKE7QW2E9R1T5Y3UZ
APCA_API_SECRET_KEY=fakeSecret9f8e7d6c5b4aDoNotShip
POLYGON_API_KEY=fakePolygonKey5u7i9o1p3a
export APCA_API_KEY_ID APCA_API_SECRET_KEY POLYGON_API_KEY

# start_fake NAME [ARG...]: run the fake in the background; its port is in
# NAME.port once it listens, its pid in NAME.pid, its requests in NAME.log.
start_fake () {
	liu_f=$1
	shift
	rm -f "$liu_f.port" "$liu_f.log" &&
	"$PY" "$SRC_DIR/t/fake-rest.py" --port-file "$liu_f.port" \
	    --log "$liu_f.log" --data "$TEST_DATA" --idle 300 "$@" \
	    >"$liu_f.out" 2>&1 &
	echo $! >"$liu_f.pid"
	test_wait_for "test -s $liu_f.port"
}

# stop_fake NAME: end the fake started as NAME, by its pid, and wait
# until it is gone (or a zombie: its parent, a test's subshell, is gone
# and init reaps it in its own time).
stop_fake () {
	test -s "$1.pid" || return 0
	liu_p=$(cat "$1.pid")
	kill "$liu_p" 2>/dev/null
	test_wait_for "! kill -0 $liu_p || ps -o stat= -p $liu_p | grep -q Z"
}

# url NAME [HOST]: the base URL of the fake NAME (over TLS).
url () {
	echo "https://${2:-localhost}:$(cat "$1.port")"
}

# hist ARG...: liu-stream history against the main fake, with the test CA.
hist () {
	liu-stream history --cacert ca.pem --url "$(url tls)" "$@"
}

test_expect_success 'a test CA, its server certificate, and another CA' '
	cat >san.ext <<-\EOF &&
	subjectAltName = DNS:localhost, IP:127.0.0.1
	EOF
	for ca in ca other
	do
		openssl req -x509 -newkey ec \
		    -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		    -subj "/CN=liu test $ca" -keyout $ca.key -out $ca.pem \
		    2>/dev/null &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		    -nodes -subj /CN=localhost \
		    -keyout $ca-srv.key -out $ca-srv.csr 2>/dev/null &&
		openssl x509 -req -in $ca-srv.csr -CA $ca.pem -CAkey $ca.key \
		    -CAcreateserial -days 2 -extfile san.ext \
		    -out $ca-srv.pem 2>/dev/null || return 1
	done &&
	echo "subjectAltName = DNS:elsewhere.example" >wrong.ext &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -subj /CN=elsewhere.example \
	    -keyout wrong-srv.key -out wrong-srv.csr 2>/dev/null &&
	openssl x509 -req -in wrong-srv.csr -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 2 -extfile wrong.ext -out wrong-srv.pem \
	    2>/dev/null &&
	openssl verify -CAfile ca.pem ca-srv.pem wrong-srv.pem &&
	test_must_fail openssl verify -CAfile ca.pem other-srv.pem
'

test_expect_success 'start the fakes: TLS, another CA, another name, plain' '
	start_fake tls --cert ca-srv.pem --key ca-srv.key &&
	start_fake other --cert other-srv.pem --key other-srv.key &&
	start_fake wrong --cert wrong-srv.pem --key wrong-srv.key &&
	start_fake plain
'

test_expect_success 'alpaca: daily bars over three pages' '
	hist alpaca --tf 1d --from 2022-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z AAPL >out 2>err &&
	test_must_be_empty err &&
	test_cmp "$TEST_DATA/hist-alpaca-aapl-1d.ndjson" out &&
	test_line_count = 3 tls.log &&
	sed -n 1p tls.log >first &&
	test_grep "^GET /v2/stocks/AAPL/bars?timeframe=1Day&start=2022-01-01T00%3A00%3A00Z&end=2023-01-01T00%3A00%3A00Z&adjustment=raw&limit=10000 200\$" first &&
	test_grep ! page_token first &&
	grep -c "&page_token=[^&]* 200\$" tls.log >n &&
	echo 2 >expect && test_cmp expect n
'

test_expect_success 'alpaca: minute bars, adjustment and feed asked for' '
	: >tls.log &&
	hist alpaca --from 2021-02-01T16:00:00Z --to 2021-02-01T17:00:00Z \
	    --adjustment split --feed sip AAPL >out &&
	test_cmp "$TEST_DATA/hist-alpaca-aapl-1m.ndjson" out &&
	test_grep "timeframe=1Min&.*&adjustment=split&limit=10000&feed=sip " \
	    tls.log
'

test_expect_success 'alpaca: trades, the id a string, the conditions kept' '
	hist alpaca --types trade --from 2021-02-06T00:00:00Z \
	    --to 2021-02-07T00:00:00Z SPY >out &&
	test_cmp "$TEST_DATA/hist-alpaca-spy-trades.ndjson" out
'

test_expect_success 'alpaca: two symbols merged in time order' '
	hist alpaca --tf 1d --from 2022-01-01T00:00:00Z \
	    --to 2024-01-01T00:00:00Z AAPL TSLA >out &&
	test_cmp "$TEST_DATA/hist-alpaca-two-1d.ndjson" out
'

# Both have a bar at 2022-03-09T05:00:00Z: the first on the command line
# comes first; lines 3 and 4 of the golden file trade places.
test_expect_success 'alpaca: equal times in command-line order' '
	hist alpaca --tf 1d --from 2022-01-01T00:00:00Z \
	    --to 2024-01-01T00:00:00Z TSLA AAPL >out &&
	g="$TEST_DATA/hist-alpaca-two-1d.ndjson" &&
	{ sed -n 1,2p "$g" && sed -n 4p "$g" && sed -n 3p "$g" &&
	    sed -n 5,7p "$g"; } >expect &&
	test_cmp expect out
'

# A day's bar starts at midnight New York time and sums up the day: it
# comes after the day's trades, as a live bar follows its trades.
test_expect_success 'alpaca: bars and trades, a bar after its trades' '
	hist alpaca --tf 1d --types bar,trade --from 2022-03-09T00:00:00Z \
	    --to 2022-03-10T00:00:00Z AAPL TSLA >out &&
	test_cmp "$TEST_DATA/hist-alpaca-mixed.ndjson" out
'

test_expect_success 'the window is half-open, [--from, --to)' '
	hist alpaca --tf 1d --from 2022-02-01T05:00:00Z \
	    --to 2022-03-09T05:00:00Z AAPL >out &&
	sed -n 1,2p "$TEST_DATA/hist-alpaca-aapl-1d.ndjson" >expect &&
	test_cmp expect out
'

test_expect_success 'the events are in the canonical form' '
	cat "$TEST_DATA"/hist-*.ndjson >all &&
	liu-stream replay --max --validate --strict all >again &&
	test_cmp all again
'

test_expect_success 'polygon: daily aggregates over three pages of next_url' '
	: >tls.log &&
	hist polygon --tf 1d --from 2005-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z AAPL >out 2>err &&
	test_must_be_empty err &&
	test_cmp "$TEST_DATA/hist-polygon-aapl-1d.ndjson" out &&
	cat >expect <<-\EOF &&
	GET /v2/aggs/ticker/AAPL/range/1/day/1104537600000/1672531199999?adjusted=false&sort=asc&limit=50000 200
	GET /v2/aggs/ticker/AAPL/range/1/day/1104537600000/1672531199999?cursor=QUFQTHwx&adjusted=false&sort=asc&limit=50000 200
	GET /v2/aggs/ticker/AAPL/range/1/day/1104537600000/1672531199999?cursor=QUFQTHwy&adjusted=false&sort=asc&limit=50000 200
	EOF
	test_cmp expect tls.log
'

test_expect_success 'polygon: two tickers merged, split-adjusted asked for' '
	: >tls.log &&
	hist polygon --tf 1d --adjustment split --from 2005-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z AAPL GIK >out &&
	test_cmp "$TEST_DATA/hist-polygon-two-1d.ndjson" out &&
	test_grep "adjusted=true" tls.log &&
	test_grep ! "adjusted=false" tls.log
'

test_expect_success 'polygon: v3 trades, numeric codes as strings' '
	: >tls.log &&
	hist polygon --types trade --from 2022-04-28T00:00:00Z \
	    --to 2022-04-29T00:00:00Z AAPL >out &&
	test_cmp "$TEST_DATA/hist-polygon-aapl-trades.ndjson" out &&
	test_grep "^GET /v3/trades/AAPL?timestamp.gte=1651104000000000000&timestamp.lt=1651190400000000000&order=asc&sort=timestamp&limit=50000 200" tls.log
'

test_expect_success 'an unknown symbol is reported, the others written' '
	test_expect_code 1 hist alpaca --tf 1d --from 2022-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z ZZZZ AAPL >out 2>err &&
	test_cmp "$TEST_DATA/hist-alpaca-aapl-1d.ndjson" out &&
	echo "liu-stream: alpaca: '"'"'ZZZZ'"'"' not found: not found (HTTP 404)" \
	    >expect &&
	test_cmp expect err &&
	test_expect_code 1 hist polygon --tf 1d --from 2005-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z AAPL NOPE >out 2>err &&
	test_cmp "$TEST_DATA/hist-polygon-aapl-1d.ndjson" out &&
	test_grep "polygon: .NOPE. not found: Unknown ticker (HTTP 404)" err
'

test_expect_success '401: exit 1 with the provider'"'"'s message' '
	test_expect_code 1 env APCA_API_SECRET_KEY=wrong liu-stream history \
	    alpaca --cacert ca.pem --url "$(url tls)" --tf 1d \
	    --from 2022-01-01T00:00:00Z --to 2023-01-01T00:00:00Z AAPL \
	    >out 2>err &&
	test_must_be_empty out &&
	test_grep "^liu-stream: alpaca: unauthorized (HTTP 401 from GET https://localhost:[0-9]*/v2/stocks/AAPL/bars?" err &&
	test_line_count = 1 err &&
	test_expect_code 1 env POLYGON_API_KEY=wrong liu-stream history \
	    polygon --cacert ca.pem --url "$(url tls)" --tf 1d \
	    --from 2022-01-01T00:00:00Z --to 2023-01-01T00:00:00Z AAPL \
	    >out 2>err &&
	test_must_be_empty out &&
	test_grep "^liu-stream: polygon: Unknown API Key (HTTP 401 " err
'

test_expect_success '429 with Retry-After: waited for (capped) and retried' '
	start_fake slow --cert ca-srv.pem --key ca-srv.key --throttle 2 &&
	liu-stream history alpaca --cacert ca.pem --url "$(url slow)" \
	    --max-wait 0.05s --tf 1d --from 2022-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z AAPL >out 2>err &&
	test_must_be_empty err &&
	test_cmp "$TEST_DATA/hist-alpaca-aapl-1d.ndjson" out &&
	cut -d" " -f3 slow.log >codes &&
	printf "%s\n" 429 429 200 200 200 >expect &&
	test_cmp expect codes &&
	stop_fake slow
'

test_expect_success '429 with X-Ratelimit-Reset, said with -v' '
	start_fake reset --cert ca-srv.pem --key ca-srv.key --throttle 1 \
	    --reset &&
	liu-stream history alpaca --cacert ca.pem --url "$(url reset)" -v \
	    --max-wait 0.05s --tf 1d --from 2022-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z AAPL >out 2>err &&
	test_cmp "$TEST_DATA/hist-alpaca-aapl-1d.ndjson" out &&
	test_grep "^liu-stream: HTTP 429 from GET https://localhost:.*: retry 1 of 10 in 0.050 s\$" err &&
	test_grep "^liu-stream: alpaca: 3 events, 4 requests (1 retries)\$" err &&
	stop_fake reset
'

test_expect_success '429 for ever: ten retries, then exit 1' '
	start_fake busy --cert ca-srv.pem --key ca-srv.key --throttle 1000 &&
	test_expect_code 1 liu-stream history alpaca --cacert ca.pem \
	    --url "$(url busy)" --max-wait 0 --tf 1d \
	    --from 2022-01-01T00:00:00Z --to 2023-01-01T00:00:00Z AAPL \
	    >out 2>err &&
	test_must_be_empty out &&
	test_grep "alpaca: Too Many Requests (HTTP 429 from GET .*, retries used up)" err &&
	test_line_count = 11 busy.log &&
	stop_fake busy
'

test_expect_success 'SIGTERM during a wait: a prompt, clean stop' '
	start_fake hold --cert ca-srv.pem --key ca-srv.key --throttle 1000 &&
	{
		liu-stream history alpaca --cacert ca.pem --url "$(url hold)" \
		    --max-wait 60s --tf 1d --from 2022-01-01T00:00:00Z \
		    --to 2023-01-01T00:00:00Z AAPL >out 2>err &
		echo $! >liu.pid
	} &&
	test_wait_for "test -s hold.log" &&
	kill -TERM "$(cat liu.pid)" &&
	{ wait "$(cat liu.pid)"; echo $? >code; } &&
	echo 143 >expect && test_cmp expect code &&
	test_line_count -le 2 hold.log &&
	stop_fake hold
'

test_expect_success 'alpaca 403 on recent SIP data: the IEX feed, said once' '
	start_fake sip --cert ca-srv.pem --key ca-srv.key --sip-403 &&
	liu-stream history alpaca --cacert ca.pem --url "$(url sip)" --tf 1d \
	    --from 2022-01-01T00:00:00Z --to 2024-01-01T00:00:00Z \
	    AAPL TSLA >out 2>err &&
	test_cmp "$TEST_DATA/hist-alpaca-two-1d.ndjson" out &&
	echo "liu-stream: alpaca: subscription does not permit querying recent SIP data: using the IEX feed" >expect &&
	test_cmp expect err &&
	test_line_count = 7 sip.log &&
	grep -c "feed=iex" sip.log >n && echo 6 >expect &&
	test_cmp expect n &&
	test_expect_code 1 liu-stream history alpaca --cacert ca.pem \
	    --url "$(url sip)" --feed sip --tf 1d \
	    --from 2022-01-01T00:00:00Z --to 2024-01-01T00:00:00Z AAPL \
	    >out 2>err &&
	test_must_be_empty out &&
	test_grep "alpaca: subscription does not permit querying recent SIP data (HTTP 403 " err &&
	stop_fake sip
'

test_expect_success 'a bad record is reported and skipped, exit 1' '
	start_fake bad --cert ca-srv.pem --key ca-srv.key --corrupt &&
	test_expect_code 1 liu-stream history alpaca --cacert ca.pem \
	    --url "$(url bad)" --tf 1d --from 2022-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z AAPL >out 2>err &&
	sed 2d "$TEST_DATA/hist-alpaca-aapl-1d.ndjson" >expect &&
	test_cmp expect out &&
	test_line_count = 2 err &&
	test_grep "^liu-stream: alpaca: .AAPL.: bad bar in the response: a field of o, h, l, c, v missing or not a number (GET https://localhost:[0-9]*/v2/stocks/AAPL/bars?.*&page_token=" err &&
	test_grep "^liu-stream: alpaca: skipped 1 bad records\$" err &&
	stop_fake bad
'

test_expect_success 'an answer that is not JSON: exit 1' '
	start_fake html --cert ca-srv.pem --key ca-srv.key --garbage &&
	test_expect_code 1 liu-stream history polygon --cacert ca.pem \
	    --url "$(url html)" --tf 1d --from 2022-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z AAPL >out 2>err &&
	test_must_be_empty out &&
	test_grep "^liu-stream: polygon: bad response: not a JSON object (GET https://localhost:" err &&
	stop_fake html
'

test_expect_success 'TLS: the test CA by name and by address' '
	liu-stream history alpaca --cacert ca.pem --url "$(url tls 127.0.0.1)" \
	    --tf 1d --from 2022-01-01T00:00:00Z --to 2023-01-01T00:00:00Z \
	    AAPL >out &&
	test_cmp "$TEST_DATA/hist-alpaca-aapl-1d.ndjson" out
'

test_expect_success 'TLS: a certificate of another CA is refused' '
	: >other.log &&
	test_expect_code 1 liu-stream history alpaca --cacert ca.pem \
	    --url "$(url other)" --tf 1d --from 2022-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z AAPL >out 2>err &&
	test_must_be_empty out &&
	test_grep "^liu-stream: alpaca: cannot GET https://localhost:[0-9]*/v2/stocks/AAPL/bars?.*: SSL certificate problem: unable to get local issuer certificate\$" err &&
	test_must_be_empty other.log
'

test_expect_success 'TLS: without --cacert the system CAs do not know ours' '
	test_expect_code 1 liu-stream history alpaca --url "$(url tls)" --tf 1d \
	    --from 2022-01-01T00:00:00Z --to 2023-01-01T00:00:00Z AAPL \
	    >out 2>err &&
	test_must_be_empty out &&
	test_grep "SSL certificate problem" err
'

test_expect_success 'TLS: the name must match the certificate' '
	test_expect_code 1 liu-stream history alpaca --cacert ca.pem \
	    --url "$(url wrong)" --tf 1d --from 2022-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z AAPL >out 2>err &&
	test_must_be_empty out &&
	test_grep "cannot GET .*: SSL: no alternative certificate subject name matches target host name .localhost.\$" err &&
	test_must_be_empty wrong.log
'

test_expect_success 'plain http:// to loopback, from the environment' '
	APCA_API_DATA_URL="http://127.0.0.1:$(cat plain.port)" \
	    liu-stream history alpaca --tf 1d --from 2022-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z AAPL >out &&
	test_cmp "$TEST_DATA/hist-alpaca-aapl-1d.ndjson" out &&
	test_line_count = 3 plain.log &&
	POLYGON_API_URL="http://localhost:$(cat plain.port)" \
	    liu-stream history polygon --tf 1d --from 2005-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z AAPL >out &&
	test_cmp "$TEST_DATA/hist-polygon-aapl-1d.ndjson" out
'

# 192.0.2.1 is TEST-NET-1: a connection attempt would hang until the
# connect timeout and end in exit 1, not refuse at once with 2.
test_expect_success 'plain http:// elsewhere is refused, nothing sent' '
	: >plain.log &&
	for u in http://192.0.2.1:9 http://data.alpaca.markets \
	    http://127.0.0.1.nip.io http://localhost.example.com
	do
		test_expect_code 2 liu-stream history alpaca --url "$u" \
		    --tf 1d --from 2022-01-01T00:00:00Z \
		    --to 2023-01-01T00:00:00Z AAPL >out 2>err &&
		test_must_be_empty out &&
		echo "liu-stream: alpaca: bad --url: plain http:// is refused but to a loopback host (127.0.0.0/8, ::1, localhost); use https://" >expect &&
		test_cmp expect err || return 1
	done &&
	test_expect_code 2 env APCA_API_DATA_URL=http://192.0.2.1 \
	    liu-stream history alpaca --tf 1d --from 2022-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z AAPL 2>err &&
	test_grep "^liu-stream: alpaca: bad APCA_API_DATA_URL: plain http:// is refused" err &&
	test_expect_code 2 liu-stream history alpaca \
	    --url "ftp://127.0.0.1:$(cat plain.port)" --tf 1d \
	    --from 2022-01-01T00:00:00Z --to 2023-01-01T00:00:00Z AAPL 2>err &&
	test_grep "bad --url: not an http(s) URL" err &&
	test_must_be_empty plain.log
'

test_expect_success 'a password in a URL is refused and not shown' '
	test_expect_code 2 liu-stream history alpaca \
	    --url "https://me:hunter2@localhost:$(cat tls.port)" --tf 1d \
	    --from 2022-01-01T00:00:00Z --to 2023-01-01T00:00:00Z AAPL \
	    2>err &&
	test_grep "no user name or password in a URL" err &&
	test_grep ! hunter2 err
'

test_expect_success 'no keys: exit 2 naming the variables' '
	(
		unset APCA_API_SECRET_KEY POLYGON_API_KEY &&
		test_expect_code 2 hist alpaca --from 2022-01-01T00:00:00Z \
		    --to 2023-01-01T00:00:00Z AAPL 2>err1 &&
		test_expect_code 2 hist polygon --from 2022-01-01T00:00:00Z \
		    --to 2023-01-01T00:00:00Z AAPL 2>err2
	) &&
	echo "liu-stream: alpaca: no keys: set APCA_API_KEY_ID and APCA_API_SECRET_KEY (see liu-stream(1))" >expect &&
	test_cmp expect err1 &&
	echo "liu-stream: polygon: no key: set POLYGON_API_KEY (see liu-stream(1))" >expect &&
	test_cmp expect err2
'

test_expect_success 'a progress line only when asked or on a terminal' '
	hist alpaca --tf 1d --from 2022-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z AAPL >out 2>err &&
	test_must_be_empty err &&
	hist alpaca --progress --tf 1d --from 2022-01-01T00:00:00Z \
	    --to 2023-01-01T00:00:00Z AAPL >out 2>err &&
	test_cmp "$TEST_DATA/hist-alpaca-aapl-1d.ndjson" out &&
	tr "\r" "\n" <err | tail -n 1 >last &&
	echo "liu-stream: history: 3 events, 3 requests, at 2022-03-09T05:00:00Z" >expect &&
	test_cmp expect last
'

test_expect_success '--help and no arguments: the usage' '
	liu-stream history --help >help &&
	liu-stream --help >expect &&
	test_cmp expect help &&
	test_grep "^       liu-stream history alpaca | polygon --from T --to T\$" help &&
	test_expect_code 2 liu-stream history >out 2>err &&
	test_must_be_empty out &&
	echo "liu-stream: history: no provider (want alpaca or polygon)" >expect &&
	head -n 1 err >first && test_cmp expect first &&
	test_grep "^usage: liu-stream " err
'

# bad_args WANT ARG...: exit 2, nothing on stdout, WANT as the message
bad_args () {
	liu_w=$1
	shift
	test_expect_code 2 liu-stream history "$@" >out 2>err &&
	test_must_be_empty out &&
	head -n 1 err >first &&
	echo "liu-stream: $liu_w" >expect &&
	test_cmp expect first
}

test_expect_success 'bad arguments: exit 2 with the reason' '
	F="--from 2022-01-01T00:00:00Z --to 2023-01-01T00:00:00Z" &&
	bad_args "history: unknown provider '"'"'iex'"'"' (want alpaca or polygon)" iex $F AAPL &&
	bad_args "history: no symbol" alpaca $F &&
	bad_args "history: --from and --to are required" alpaca \
	    --from 2022-01-01T00:00:00Z AAPL &&
	bad_args "--from must be before --to" alpaca \
	    --from 2023-01-01T00:00:00Z --to 2022-01-01T00:00:00Z AAPL &&
	bad_args "invalid --from time: '"'"'yesterday'"'"' (want RFC 3339, e.g. 2024-03-01T14:30:00Z)" \
	    alpaca --from yesterday --to 2023-01-01T00:00:00Z AAPL &&
	bad_args "invalid --tf (want 1m or 1d): '"'"'5m'"'"'" alpaca $F --tf 5m AAPL &&
	bad_args "invalid --types: '"'"'quote'"'"' (want bar,trade)" alpaca $F --types quote AAPL &&
	bad_args "invalid --adjustment (want raw, split, dividend or all): '"'"'none'"'"'" \
	    alpaca $F --adjustment none AAPL &&
	bad_args "invalid --feed (want iex or sip): '"'"'otc'"'"'" alpaca $F --feed otc AAPL &&
	bad_args "invalid --max-wait: '"'"'soon'"'"'" alpaca $F --max-wait soon AAPL &&
	bad_args "polygon: --adjustment dividend: Polygon adjusts for splits only (want raw or split)" \
	    polygon $F --adjustment dividend AAPL &&
	bad_args "polygon: --feed is for alpaca only" polygon $F --feed iex AAPL &&
	bad_args "bad symbol '"'"'A B'"'"': not 1 to 32 printable ASCII characters" \
	    alpaca $F "A B" &&
	bad_args "unknown option '"'"'--strict'"'"'" alpaca $F --strict AAPL &&
	bad_args "missing argument for '"'"'--url'"'"'" alpaca $F AAPL --url
'

# Every file this script wrote (outputs, messages, the fakes' logs) and a
# ps listing taken while liu-stream runs must be free of the keys.
test_expect_success 'no key in any output, log or ps listing' '
	start_fake ps --cert ca-srv.pem --key ca-srv.key --throttle 2 &&
	{
		liu-stream history alpaca --cacert ca.pem --url "$(url ps)" \
		    --max-wait 60s --tf 1d --from 2022-01-01T00:00:00Z \
		    --to 2023-01-01T00:00:00Z AAPL >ps-run.out 2>ps-run.err &
		echo $! >liu.pid
	} &&
	test_wait_for "test -s ps.log" &&
	ps -eww -o pid,args >ps.txt &&
	test_grep "^ *$(cat liu.pid) .*liu-stream history" ps.txt &&
	tr "\0" " " <"/proc/$(cat liu.pid)/cmdline" >cmdline &&
	wait "$(cat liu.pid)" &&
	test_cmp "$TEST_DATA/hist-alpaca-aapl-1d.ndjson" ps-run.out &&
	stop_fake ps &&
	for k in "$APCA_API_KEY_ID" "$APCA_API_SECRET_KEY" "$POLYGON_API_KEY"
	do
		! grep -rlF "$k" . || return 1
	done
'

test_expect_success 'stop the fakes' '
	stop_fake tls &&
	stop_fake other &&
	stop_fake wrong &&
	stop_fake plain
'

test_done
