# bench/lib.sh: helpers for benchmarks, sourced by bench/b*.sh.

# bench_synth FILE N TYPES [ARGS...]: the seeded synthetic market of 500
# symbols that every benchmark uses, N events of TYPES, made once into FILE
bench_synth () {
	_f=$1 _n=$2 _ty=$3
	shift 3
	[ -s "$_f" ] || liu-stream synth --symbols 500 --seed 1 --max \
		--events "$_n" --types "$_ty" "$@" >"$_f"
}

# best of 3 wall-clock seconds of a shell command line
bench_time () {
	best=
	for _i in 1 2 3; do
		_s=$(date +%s%N)
		sh -c "$1" || return 1
		_e=$(date +%s%N)
		_t=$(( _e - _s ))
		if [ -z "$best" ] || [ $_t -lt $best ]; then best=$_t; fi
	done
	echo "$best" | awk '{ printf "%.4f\n", $1 / 1e9 }'
}

# bench_report NAME EVENTS SECONDS BASE_SECONDS TARGET_RATIO
# prints the rate and the ratio; returns 1 if the ratio is under target
bench_report () {
	awk -v name="$1" -v n="$2" -v t="$3" -v b="$4" -v target="$5" 'BEGIN {
		rate = n / t; ratio = b / t
		ok = ratio >= target ? "ok" : "MISSED"
		printf "%s: %.2fM ev/s, %.2fx of baseline (target >= %sx) %s\n",
		    name, rate / 1e6, ratio, target, ok
		exit ratio >= target ? 0 : 1
	}'
}

# bench_rate NAME EVENTS SECONDS TARGET_EVENTS_PER_S
bench_rate () {
	awk -v name="$1" -v n="$2" -v t="$3" -v target="$4" 'BEGIN {
		rate = n / t
		ok = rate >= target ? "ok" : "MISSED"
		printf "%s: %.2fM ev/s (target >= %.2fM/s) %s\n", name,
		    rate / 1e6, target / 1e6, ok
		exit rate >= target ? 0 : 1
	}'
}

# bench_fake_setup NAME DIR: the start of a bench against a loopback fake
# (t/fake-*.py): skipped (exit 0) without Python's websockets module; DIR
# made afresh, with a test CA in CA (DIR/tls/ca.crt); PY the fakes'
# Python; throwaway Alpaca keys exported
bench_fake_setup () {
	PY=${LIU_TEST_PYTHON:-/usr/bin/python3}
	$PY -c 'import websockets.legacy.server' 2>/dev/null || {
		echo "$1: skipped: $PY has no websockets module"; exit 0; }
	rm -rf "$2" && mkdir -p "$2" || exit 3
	TRASH_DIRECTORY=$PWD/$2
	. t/lib-tls.sh
	( cd "$2" && tls_setup ) >/dev/null || exit 3
	CA=$2/tls/ca.crt
	APCA_API_KEY_ID=PKBENCH$$ APCA_API_SECRET_KEY=bench-$$
	export APCA_API_KEY_ID APCA_API_SECRET_KEY
}
