#!/bin/sh
# liu-scan: a full-market scan of 10000 symbols against t/fake-scan.py on
# loopback (plain http; its bodies made once and kept, so the server's
# part is sending them): Polygon's all-tickers snapshot (one body of
# 13.5 MB) and Alpaca's assets and ten chunks of 1000 snapshots.
# Targets: the momentum scan, parse and criteria and the transfer from the
# fake, in under 1 s wall-clock; the same criteria as a --where jq
# expression (snapshot --where, libjq) within 2x of the built-in ones, in
# the same run.  Also shown: liu-scan's own CPU time (user + sys), without
# the fake's, and the time curl takes to fetch the same Polygon body.
. bench/lib.sh
PY=${LIU_TEST_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || { echo "b8000: no $PY for the fake"; exit 3; }
APCA_API_KEY_ID=benchKey APCA_API_SECRET_KEY=benchSecret
POLYGON_API_KEY=benchPolygon
export APCA_API_KEY_ID APCA_API_SECRET_KEY POLYGON_API_KEY
unset LIU_NOW LIU_DATA_PROVIDER
O=bench/out
mkdir -p $O
rm -f $O/scan.port
"$PY" t/fake-scan.py --port-file $O/scan.port --gen 10000 --seed 1 \
    --idle 120 </dev/null >$O/scan-fake.out 2>&1 &
fake=$!
trap 'kill $fake 2>/dev/null' EXIT
i=0
while [ ! -s $O/scan.port ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s $O/scan.port ] || { echo "b8000: the fake did not start"; exit 3; }
U=http://127.0.0.1:$(cat $O/scan.port)
W='.price >= 2 and .price <= 20 and .dollar_volume >= 500000 and
    .change_pct >= 3.5 and .volume >= 30000'

# cpu CMD: liu-scan's user + sys seconds, best of 3
cpu () {
	best=
	for _i in 1 2 3; do
		/usr/bin/time -f "%U %S" -o $O/scan.cpu sh -c "$1" || return 1
		_c=$(awk '{ printf "%.3f", $1 + $2 }' $O/scan.cpu)
		if [ -z "$best" ] || awk -v a=$_c -v b=$best \
		    'BEGIN { exit !(a < b) }'; then best=$_c; fi
	done
	echo $best
}

fail=0
for p in polygon alpaca; do
	args="--provider $p --url $U"
	[ $p = alpaca ] && args="$args --trading-url $U"
	built="liu-scan momentum --max-symbols 1000000 $args"
	where="liu-scan snapshot --where '$W' $args"
	# the fake makes its bodies on the first request: not timed
	eval "$built" >$O/scan-built.ndjson || exit 3
	eval "$where" >$O/scan-where.ndjson || exit 3
	n=$(wc -l <$O/scan-built.ndjson)
	[ "$n" -eq "$(wc -l <$O/scan-where.ndjson)" ] && [ "$n" -gt 0 ] || {
		echo "b8000: $p: momentum and --where disagree"; exit 3; }
	tb=$(bench_time "$built >/dev/null") || exit 3
	tw=$(bench_time "$where >/dev/null") || exit 3
	cb=$(cpu "$built >/dev/null") || exit 3
	cw=$(cpu "$where >/dev/null") || exit 3
	awk -v p=$p -v n=$n -v tb=$tb -v tw=$tw -v cb=$cb -v cw=$cw 'BEGIN {
		ok1 = tb < 1 ? "ok" : "MISSED"
		ok2 = tw / tb <= 2 ? "ok" : "MISSED"
		printf "scan %s: 10000 symbols, %d picks: momentum %.3f s " \
		    "(target < 1 s) %s; liu-scan CPU %.3f s\n", p, n, tb, ok1, cb
		printf "scan %s: --where %.3f s = %.2fx of momentum " \
		    "(target <= 2x) %s; liu-scan CPU %.3f s\n", p, tw, tw / tb,
		    ok2, cw
		exit ok1 == "ok" && ok2 == "ok" ? 0 : 1
	}' || fail=1
done
if command -v curl >/dev/null; then
	t=$(bench_time "curl -s -H 'Authorization: Bearer $POLYGON_API_KEY' \
	    '$U/v2/snapshot/locale/us/markets/stocks/tickers?include_otc=false' \
	    >/dev/null") &&
	echo "for scale: curl fetches the Polygon body in $t s"
fi
exit $fail
