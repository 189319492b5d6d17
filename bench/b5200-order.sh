#!/bin/sh
# liu-order alpaca against the loopback fake (t/fake-alpaca-trade.py, TLS):
#
# 1. The rate limit.  The fake allows L requests a window (rate_window_s,
#    its "minute" shortened to W seconds so that the run takes seconds)
#    and says so in X-Ratelimit-*; liu-order is given 4L + L/2 orders.
#    Target (issue 14): it sends exactly L in every full window, the rest
#    queued (waiting for the reset), none refused (no 429).  The POSTs are
#    timed as the fake logs them (through a FIFO, stamped on arrival) and
#    counted per window the way the fake counts them.
# 2. Its own CPU per order: N limit orders, the limit raised out of the
#    way; liu-order -v reports each submit's CPU time (request, answer,
#    order_update written) as p50/p99/max.  Target: p99 under 1 ms.
#    Same-run baseline: curl POSTing the same N bodies over one kept-alive
#    TLS connection, its CPU (user + sys) per request.
. bench/lib.sh
L=50 W=2 N=${B5200_N:-2000}
D=bench/out/order
bench_fake_setup b5200 $D
pids=
trap 'for p in $pids; do kill $p 2>/dev/null; done' EXIT

# fake NAME SCENARIO LOG: start a fake, its port in $D/NAME.port
fake () {
	echo "$2" >$D/$1.json
	$PY t/fake-alpaca-trade.py --cert $D/tls/server.crt \
		--key $D/tls/server.key --port-file $D/$1.port \
		--script $D/$1.json --log "$3" </dev/null 2>$D/$1.err &
	pids="$pids $!"
	i=0
	while ! [ -s $D/$1.port ]; do
		i=$((i + 1)); [ $i -lt 300 ] || { echo "b5200: no fake"; exit 3; }
		sleep 0.1
	done
}
# orders N PREFIX: N limit orders, ids PREFIX1 ...
orders () {
	awk -v n=$1 -v p=$2 'BEGIN { for (i = 1; i <= n; i++)
		printf "{\"ev\":\"order\",\"t\":\"2024-03-01T14:31:00Z\"," \
		    "\"sym\":\"AAPL\",\"id\":\"%s%d\",\"side\":\"buy\",\"qty\":1," \
		    "\"type\":\"limit\",\"limit\":1,\"strategy\":\"s\"}\n", p, i }'
}

# 1. the rate limit
mkfifo $D/log.fifo
perl -MTime::HiRes=time -ne '$| = 1; printf "%.6f %s", time, $_' \
	<$D/log.fifo >$D/rate.log &
stamp=$!
fake rate "{\"rate_limit\":$L,\"rate_window_s\":$W,
    \"symbols\":{\"AAPL\":{\"mode\":\"hold\"}}}" $D/log.fifo
M=$((4 * L + L / 2))
orders $M r >$D/rate.in
s0=$(date +%s%N)
liu-order alpaca -v --any-hours --no-account-check --keep-open \
	--url "https://127.0.0.1:$(cat $D/rate.port)" --cacert $CA \
	<$D/rate.in >$D/rate.out 2>$D/rate.err || {
	echo "b5200: liu-order failed"; cat $D/rate.err; exit 3; }
s1=$(date +%s%N)
for p in $pids; do kill $p 2>/dev/null; done
pids=
wait $stamp
# the fake's windows: from a request 60 s (W) after the last start
awk -v w=$W -v l=$L -v m=$M -v wall=$(( (s1 - s0) / 1000000 )) '
$2 == "POST" || $2 == "GET" || $2 == "DELETE" {
	if (start == "" || $1 - start >= w) {
		if (start != "") out = out " " n
		start = $1; n = 0; nw++
	}
	n++
	if ($2 == "POST") posts++
	if ($NF == 429) refused++
}
END {
	out = out " " n
	split(substr(out, 2), c, " ")
	ok = posts == m && refused == 0
	for (i = 1; i < nw; i++)
		if (c[i] != l) ok = 0
	printf "rate limit %d a %d s window (%d a minute): %d orders (and " \
	    "the re-check of each at the end) in %.1f s, requests per " \
	    "window:%s; %d refused (429)\n", l, w, l * 60 / w, posts,
	    wall / 1000, out, refused
	printf "rate: exactly the limit in every full window: %s\n",
	    ok ? "ok" : "MISSED"
	exit !ok }' $D/rate.log || fail=1

# 2. CPU per order
fake cpu "{\"rate_limit\":1000000,
    \"symbols\":{\"AAPL\":{\"mode\":\"hold\"}}}" $D/cpu.log
url="https://127.0.0.1:$(cat $D/cpu.port)"
orders $N c >$D/cpu.in
/usr/bin/time -f "%U %S %e" -o $D/cpu.time liu-order alpaca -v \
	--any-hours --no-account-check --keep-open --url "$url" --cacert $CA \
	<$D/cpu.in >$D/cpu.out 2>$D/cpu.err || {
	echo "b5200: liu-order failed"; cat $D/cpu.err; exit 3; }
n=$(grep -c '"status":"new"' $D/cpu.out)
[ "$n" -eq $N ] || { echo "b5200: $n orders of $N placed"; exit 3; }
# the baseline: curl, the same bodies (other client ids) on one
# connection; its config (with the keys) on its stdin, never in argv or a
# file
awk -v n=$N -v u="$url/v2/orders" -v ca="$CA" 'BEGIN {
	k = ENVIRON["APCA_API_KEY_ID"]; s = ENVIRON["APCA_API_SECRET_KEY"]
	for (i = 1; i <= n; i++) {
	printf "url = \"%s\"\ncacert = \"%s\"\noutput = \"/dev/null\"\n", u, ca
	printf "silent\nshow-error\nwrite-out = \"%%{num_connects}\\\\n\"\n"
	printf "header = \"APCA-API-KEY-ID: %s\"\n", k
	printf "header = \"APCA-API-SECRET-KEY: %s\"\n", s
	printf "header = \"Content-Type: application/json\"\n"
	printf "data = \"{\\\"symbol\\\":\\\"AAPL\\\",\\\"qty\\\":\\\"1\\\"," \
	    "\\\"side\\\":\\\"buy\\\",\\\"type\\\":\\\"limit\\\"," \
	    "\\\"time_in_force\\\":\\\"day\\\",\\\"limit_price\\\":\\\"1\\\"," \
	    "\\\"client_order_id\\\":\\\"b%d\\\"}\"\n", i
	if (i < n) print "next"
	} }' | /usr/bin/time -f "%U %S %e" -o $D/curl.time curl -K - \
	>$D/curl.conns || {
	echo "b5200: curl failed"; exit 3; }
b=$(grep -c '^POST /v2/orders 200' $D/cpu.log)
[ "$b" -eq $((2 * N)) ] || { echo "b5200: curl placed $((b - N)) of $N"; exit 3; }
awk -v n=$N -v t="$(tail -n1 $D/cpu.time)" -v c="$(tail -n1 $D/curl.time)" \
    -v v="$(grep 'CPU per order' $D/cpu.err)" \
    -v conns=$(awk '{ s += $1 } END { print s }' $D/curl.conns) 'BEGIN {
	split(t, a, " "); split(c, b, " ")
	cpu = (a[1] + a[2]) / n * 1e6; bcpu = (b[1] + b[2]) / n * 1e6
	match(v, /p50 [0-9.]+ us, p99 [0-9.]+ us, max [0-9.]+ us/)
	s = substr(v, RSTART, RLENGTH); split(s, f, " ")
	p99 = f[5] + 0
	printf "baseline: curl, the same POSTs (%d connection(s)): %.1f us " \
	    "CPU/order (%.2f s wall for %d)\n", conns, bcpu, b[3], n
	printf "liu-order alpaca: %.1f us CPU/order all told (the re-check " \
	    "at the end included; %.2f s wall), " \
	    "%.2fx of curl; each submit: %s\n", cpu, a[3], cpu / bcpu, s
	ok = p99 > 0 && p99 < 1000 ? "ok" : "MISSED"
	printf "CPU per order p99: target < 1000 us %s\n", ok
	exit ok == "ok" ? 0 : 1 }' || fail=1
exit ${fail:-0}
