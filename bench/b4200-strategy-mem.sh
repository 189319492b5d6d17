#!/bin/sh
# liu-strategy: peak memory per idle symbol.  1M symbols with one trade each
# (a symbol that saw one trade is idle: it has no bar yet), through
# momentum_long and through the three built-ins at once; the peak RSS of a
# one-symbol run in the same run is the baseline taken off.  Target: at
# most 4 KiB per symbol (liu-ta keeps 0.65-1.9 KiB per series), and the
# run completes with every symbol kept (the default --max-symbols is 1M).
. bench/lib.sh
N=1000000
F=bench/out/strategy-1m-symbols.ndjson
[ -s $F ] || awk -v n=$N 'BEGIN {
	for (i = 0; i < n; i++)
		printf "{\"ev\":\"trade\",\"t\":\"2024-03-01T14:30:00Z\"," \
		    "\"sym\":\"S%06d\",\"price\":10,\"size\":100}\n", i
}' >$F || exit 3
head -n 1 $F >bench/out/strategy-1-symbol.ndjson

# mem_run NAME STRATEGY...: peak RSS per symbol against one symbol
mem_run () {
	_name=$1
	shift
	/usr/bin/time -f %M -o bench/out/strategy-rss1 liu-strategy "$@" \
	    <bench/out/strategy-1-symbol.ndjson >/dev/null || return 3
	_s=$(date +%s%N)
	/usr/bin/time -f %M -o bench/out/strategy-rssn liu-strategy -v "$@" \
	    <$F >/dev/null 2>bench/out/strategy-mem.err || {
		cat bench/out/strategy-mem.err >&2
		return 1
	}
	_e=$(date +%s%N)
	grep -q " $N symbols," bench/out/strategy-mem.err || {
		echo "strategy-mem: $_name: not every symbol was kept" >&2
		return 1
	}
	awk -v name="$_name" -v n=$N -v t=$(( _e - _s )) \
	    -v a="$(tail -n1 bench/out/strategy-rssn)" \
	    -v b="$(tail -n1 bench/out/strategy-rss1)" 'BEGIN {
		per = (a - b) * 1024 / n
		ok = per <= 4096 ? "ok" : "MISSED"
		printf "strategy-mem: %s: %d symbols, one trade each: peak " \
		    "RSS %.0f MiB (1 symbol: %.1f MiB), %.0f bytes per " \
		    "symbol, %.1f s (target <= 4096 bytes) %s\n", name, n,
		    a / 1024, b / 1024, per, t / 1e9, ok
		exit ok == "ok" ? 0 : 1
	}'
}

fail=0
mem_run momentum_long momentum_long || fail=1
mem_run "three built-ins" momentum_long vwap_long vwap_short || fail=1
exit $fail
