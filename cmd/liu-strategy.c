/*
 * liu-strategy: run strategies over liu events.  Reads market events
 * (trade, quote, bar), picks, fills and order updates on stdin; writes the
 * strategies' order and drop events (and with --fill sim their fills) on
 * stdout.  Strategies are built in (momentum_long, vwap_long, vwap_short,
 * momentum_rotation) or plug-ins loaded from ./file.so (see strategy.h and
 * liu-strategy(1)).
 */
#include <dlfcn.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategy_engine.h"
#include "event.h"
#include "evread.h"
#include "ndjson.h"
#include "opt.h"
#include "proc.h"
#include "strategy.h"
#include "sym.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

static const char *const usage_text[] = {
	"usage: liu-strategy [--fill sim] [--slippage S] [--commission C]",
	"                    [--capital DOLLARS] [--margin X]",
	"                    [--positions FILE] [--portfolio-every DURATION]",
	"                    [-p KEY=VALUE ...] [--batch ID] [--require-pick]",
	"                    [--pass] [--seconds] [--history N]",
	"                    [--max-symbols N] [--strict] [--max-bad N]",
	"                    [--line-max BYTES] [-uv] NAME ...",
	"       liu-strategy -h | --help | --version",
	"NAME is momentum_long (or momentum), vwap_long, vwap_short,",
	"momentum_rotation or a plug-in ./file.so.",
	"See liu-strategy(1).",
	NULL
};

static _Noreturn void
usage(int status)
{
	opt_usage(usage_text, status);
}

enum { O_FILL = 300, O_SLIPPAGE, O_COMMISSION, O_BATCH, O_REQUIRE_PICK,
	O_PASS, O_SECONDS, O_HISTORY, O_MAX_SYMBOLS, O_VERSION, O_CAPITAL,
	O_MARGIN, O_POSITIONS, O_EVERY };

static const struct option longopts[] = {
	{ "fill", required_argument, NULL, O_FILL },
	{ "slippage", required_argument, NULL, O_SLIPPAGE },
	{ "commission", required_argument, NULL, O_COMMISSION },
	{ "capital", required_argument, NULL, O_CAPITAL },
	{ "margin", required_argument, NULL, O_MARGIN },
	{ "positions", required_argument, NULL, O_POSITIONS },
	{ "portfolio-every", required_argument, NULL, O_EVERY },
	{ "param", required_argument, NULL, 'p' },
	{ "batch", required_argument, NULL, O_BATCH },
	{ "require-pick", no_argument, NULL, O_REQUIRE_PICK },
	{ "pass", no_argument, NULL, O_PASS },
	{ "seconds", no_argument, NULL, O_SECONDS },
	{ "history", required_argument, NULL, O_HISTORY },
	{ "max-symbols", required_argument, NULL, O_MAX_SYMBOLS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ "verbose", no_argument, NULL, 'v' },
	ND_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const struct strategy *const builtins[] = {
	&strat_momentum_long, &strat_vwap_long, &strat_vwap_short,
	&strat_momentum_rotation
};

/* A built-in by name, or a plug-in from a path with a '/'. */
static const struct strategy *
load(const char *name)
{
	const struct strategy *s;
	const char *err;
	void *h;
	size_t i;

	if (strchr(name, '/') == NULL) {
		for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
			if (strcmp(builtins[i]->name,
			    eng_strategy_name(name)) == 0)
				return builtins[i];
		die_code(LIU_EXIT_USAGE, "unknown strategy '%.*s' (plug-ins "
		    "are named by a path: ./%.*s.so)", LIU_ECHO_MAX, name,
		    LIU_ECHO_MAX, name);
	}
	if ((h = dlopen(name, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		err = dlerror();
		die_code(LIU_EXIT_USAGE, "cannot load plug-in: %.200s",
		    err ? err : name);
	}
	s = dlsym(h, LIU_STRATEGY_SYMBOL);
	if (s == NULL)
		die_code(LIU_EXIT_USAGE, "plug-in '%.*s' has no '%s' symbol",
		    LIU_ECHO_MAX, name, LIU_STRATEGY_SYMBOL);
	return s;	/* the handle stays open for the process's life */
}

static const char *
batch_id(const char *b)
{
	const char *p;

	if (b == NULL || *b == '\0')
		return NULL;
	for (p = b; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.'))
			break;
	if (*p || p - b > 64)
		die_code(LIU_EXIT_USAGE, "invalid batch id '%.*s' (want 1-64 "
		    "of [A-Za-z0-9._-])", LIU_ECHO_MAX, b);
	return b;
}

/* Now, or LIU_NOW when set (tests pin it): the stamp of live order ids. */
static int64_t
start_time(void)
{
	const char *s = getenv("LIU_NOW");
	int64_t ns;

	if (s == NULL || *s == '\0')
		return liu_now_ns();
	if (tm_parse(s, strlen(s), &ns) < 0 || ns <= 0)
		die_code(LIU_EXIT_USAGE, "invalid LIU_NOW '%.*s' (want an "
		    "RFC 3339 time)", LIU_ECHO_MAX, s);
	return ns;
}

/* LIU_SHARDS as liu-route sets it: how many shards share the symbols. */
static long
shards(void)
{
	const char *s = getenv("LIU_SHARDS");
	char *end;
	long n;

	if (s == NULL || *s == '\0')
		return 1;
	n = strtol(s, &end, 10);
	return *end == '\0' && n > 1 ? n : 1;
}

/* Whether this process (LIU_SHARD of n) trades the symbol. */
static int
my_symbol(const char *sym, long n)
{
	const char *s = getenv("LIU_SHARD");
	long k = s ? strtol(s, NULL, 10) : 0;

	return n <= 1 || (long)(sym_hash(sym, strlen(sym)) %
	    (uint64_t)n) == k;
}

/*
 * Read the starting positions: "position" events; other event types are
 * bad lines, as are positions of no strategy loaded (when several are);
 * those of a strategy not loaded here, or (a shard) of a symbol of
 * another shard, are skipped.
 */
static void
read_positions(struct eng *eng, const char *path)
{
	struct nd_reader rd = ND_READER_INIT;
	struct ev ev = EV_INIT;
	const char *err;
	long n = shards();
	int r;

	if (nd_open(&rd, path) < 0)
		die_code(LIU_EXIT_USAGE, "cannot open --positions '%.*s'",
		    LIU_ECHO_MAX, path);
	while ((r = nd_next_event(&rd, &ev)) == 1) {
		if (ev.type != EV_POSITION) {
			nd_bad(&rd, "not a position event");
			continue;
		}
		if (!my_symbol(ev.sym, n))
			continue;
		switch (eng_position(eng, &ev, &err)) {
		case ENG_BAD:
		case ENG_REFUSED:
			nd_bad(&rd, "%s", err);
			break;
		default:
			break;
		}
	}
	if (r < 0)
		die_code(LIU_EXIT_SYS, "cannot read --positions '%.*s'",
		    LIU_ECHO_MAX, path);
	ev_release(&ev);
	nd_close(&rd);
}

/*
 * The n-th event refused for a new symbol past --max-symbols: report the
 * 1st, 10th, 100th, ..., so that a flood of new symbols costs a few lines
 * of stderr, not one a line.
 */
static void
refused(const struct nd_reader *rd, uint64_t n, const char *err)
{
	uint64_t m = n;

	while (m % 10 == 0)
		m /= 10;
	if (m == 1)
		warn("%s:%llu: %s (%llu event%s refused)", rd->name,
		    (unsigned long long)rd->lineno, err, (unsigned long long)n,
		    n == 1 ? "" : "s");
}

int
main(int argc, char *argv[])
{
	struct eng_opts o = ENG_OPTS_INIT;
	struct nd_reader rd = ND_READER_INIT;
	struct ev ev = EV_INIT;
	struct eng *eng;
	const char *err, *batch = getenv("LIU_BATCH_ID"), *positions = NULL;
	char **params = NULL;
	size_t nparams = 0, i;
	uint64_t nrefused = 0;
	int ch, r, status;

	liu_init(argv[0]);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":hp:uv", longopts, NULL)) != -1) {
		if (nd_option(ch, optarg))
			continue;
		switch (ch) {
		case O_FILL:
			if (strcmp(optarg, "sim") == 0)
				o.fill_sim = 1;
			else if (strcmp(optarg, "none") == 0)
				o.fill_sim = 0;
			else
				die_code(LIU_EXIT_USAGE, "invalid --fill "
				    "'%.*s' (want sim or none)", LIU_ECHO_MAX,
				    optarg);
			break;
		case O_SLIPPAGE:
			if (eng_parse_slippage(optarg, &o) < 0)
				die_code(LIU_EXIT_USAGE, "invalid --slippage "
				    "'%.*s' (want N, Nbp or Nc)", LIU_ECHO_MAX,
				    optarg);
			break;
		case O_COMMISSION:
			o.commission = liu_strtod(optarg, 0, 1000,
			    "--commission");
			break;
		case O_CAPITAL:
			o.capital = liu_strtod(optarg, 1, 1e15, "--capital");
			break;
		case O_MARGIN:
			o.margin = liu_strtod(optarg, 1, 4, "--margin");
			break;
		case O_POSITIONS: positions = optarg; break;
		case O_EVERY:
			o.book_every = bar_tf_parse(optarg);
			if (o.book_every < 1000000000LL || o.book_every >
			    86400 * 1000000000LL)
				die_code(LIU_EXIT_USAGE, "invalid "
				    "--portfolio-every '%.*s' (want 1s to 1d: "
				    "30s, 5m, 1h)", LIU_ECHO_MAX, optarg);
			break;
		case 'p':
			params = xrealloc(params, (nparams + 1) *
			    sizeof(*params));
			params[nparams++] = optarg;
			break;
		case O_BATCH: batch = optarg; break;
		case O_REQUIRE_PICK: o.require_pick = 1; break;
		case O_PASS: o.pass_market = 1; break;
		case O_SECONDS: o.seconds = 1; break;
		case O_HISTORY:
			o.history = (size_t)liu_strtonum(optarg, 16, 1000000,
			    "--history");
			break;
		case O_MAX_SYMBOLS:
			o.max_symbols = (size_t)liu_strtonum(optarg, 1,
			    1000000000, "--max-symbols");
			break;
		case 'v': o.verbose = nd_policy.verbose = 1; break;
		case 'h': usage(0);
		case O_VERSION: liu_version();
		default:
			opt_error(ch, argv, longopts);
			usage(LIU_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(LIU_EXIT_USAGE);
	o.batch = batch_id(batch);
	o.start = start_time();
	eng = eng_new(&o);
	for (i = 0; i < (size_t)argc; i++)
		if (eng_add(eng, load(argv[i]), &err) < 0)
			die_code(LIU_EXIT_USAGE, "'%.*s': %s", LIU_ECHO_MAX,
			    argv[i], err);
	for (i = 0; i < nparams; i++)
		if (eng_param(eng, params[i], &err) < 0)
			die_code(LIU_EXIT_USAGE, "invalid --param '%.*s': %s",
			    LIU_ECHO_MAX, params[i], err);
	free(params);
	for (i = 0; i < (size_t)argc; i++)
		if (shards() > 1 && eng_is_portfolio(load(argv[i])))
			die_code(LIU_EXIT_USAGE, "'%.*s' is a portfolio "
			    "strategy: it needs every symbol, and this process "
			    "is one of LIU_SHARDS=%ld shards; run it unsharded "
			    "(outside liu-route -n, or beside it)",
			    LIU_ECHO_MAX, argv[i], shards());
	if (positions)
		read_positions(eng, positions);

	nd_fdopen(&rd, 0, "<stdin>");
	ev.fast = 1;		/* strategies read the fields, not the tokens */
	while ((r = nd_next_event(&rd, &ev)) == 1) {
		switch (eng_event(eng, &ev, &err)) {
		case ENG_DONE:
			break;
		case ENG_PASS:
			nd_emit(ev.line, ev.len);
			break;
		case ENG_BAD:
			nd_bad(&rd, "%s", err);
			break;
		case ENG_REFUSED:
			refused(&rd, ++nrefused, err);
			break;
		}
	}
	eng_finish(eng);
	status = nd_summary();
	if (nrefused > 0) {
		warn("refused %llu event%s of new symbols past --max-symbols "
		    "%zu", (unsigned long long)nrefused, nrefused == 1 ? "" :
		    "s", o.max_symbols);
		if (status == 0)
			status = LIU_EXIT_DATA;
	}
	if (r < 0)
		status = LIU_EXIT_SYS;
	eng_free(eng);
	ev_release(&ev);
	nd_close(&rd);
	return liu_finish(status);
}
