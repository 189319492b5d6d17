/*
 * liu-scan: the scanners.  `momentum` writes pick events for the symbols
 * of the market that meet its criteria (price, previous day's dollar
 * volume, change, volume), `snapshot` one snapshot event a symbol for
 * scanners of your own; over the providers' snapshots now, --every until
 * the close, or offline day by day over saved bars (--from).
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mine.h"
#include "ndjson.h"
#include "opt.h"
#include "proc.h"
#include "rest.h"
#include "scan.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

static const char *const usage_text[] = {
	"usage: liu-scan momentum [--min-price P] [--max-price P]",
	"                [--min-last-dv D] [--min-change PCT]",
	"                [--min-volume N] [--max-symbols N] [--where EXPR]",
	"                [--strategies A,B,...] [--every DURATION]",
	"                [--until T] [--wait-open DURATION]",
	"                [--provider alpaca | polygon] [--feed iex | sip]",
	"                [--symbols A,B,...] [--chunk N] [--url URL]",
	"                [--trading-url URL] [--cacert FILE]",
	"                [--max-wait DURATION] [-uv]",
	"       liu-scan momentum --from FILE [--at HH:MM]",
	"                [--min-price P] [--max-price P]",
	"                [--min-last-dv D] [--min-change PCT]",
	"                [--min-volume N] [--max-symbols N] [--where EXPR]",
	"                [--strategies A,B,...] [--strict] [--max-bad N]",
	"                [--line-max BYTES] [-uv]",
	"       liu-scan momentum --from-db [--dsn DSN]",
	"                [--min-price P] [--max-price P]",
	"                [--min-last-dv D] [--min-change PCT]",
	"                [--min-volume N] [--max-symbols N] [--where EXPR]",
	"                [--strategies A,B,...] [-uv]",
	"       liu-scan snapshot [--where EXPR] [--every DURATION]",
	"                [--until T] [--wait-open DURATION]",
	"                [--provider alpaca | polygon] [--feed iex | sip]",
	"                [--symbols A,B,...] [--chunk N] [--url URL]",
	"                [--trading-url URL] [--cacert FILE]",
	"                [--max-wait DURATION] [-uv]",
	"       liu-scan snapshot --from FILE [--at HH:MM] [--where EXPR]",
	"                [--strict] [--max-bad N] [--line-max BYTES] [-uv]",
	"       liu-scan snapshot --from-db [--dsn DSN] [--where EXPR] [-uv]",
	"       liu-scan -h | --help | --version",
	"See liu-scan(1).",
	NULL
};

static _Noreturn void
usage(int status)
{
	opt_usage(usage_text, status);
}

enum { O_MIN_PRICE = 300, O_MAX_PRICE, O_MIN_LAST_DV, O_MIN_CHANGE,
	O_MIN_VOLUME, O_MAX_SYMBOLS, O_WHERE, O_STRATEGIES, O_EVERY, O_UNTIL,
	O_WAIT_OPEN, O_PROVIDER, O_FEED, O_SYMBOLS, O_CHUNK, O_URL,
	O_TRADING_URL, O_CACERT, O_MAX_WAIT, O_FROM, O_AT, O_FROM_DB, O_DSN,
	O_VERSION };

static const struct option longopts[] = {
	{ "min-price", required_argument, NULL, O_MIN_PRICE },
	{ "max-price", required_argument, NULL, O_MAX_PRICE },
	{ "min-last-dv", required_argument, NULL, O_MIN_LAST_DV },
	{ "min-change", required_argument, NULL, O_MIN_CHANGE },
	/* the original configuration's names */
	{ "today-change-percent", required_argument, NULL, O_MIN_CHANGE },
	{ "min-gap", required_argument, NULL, O_MIN_CHANGE },
	{ "min-volume", required_argument, NULL, O_MIN_VOLUME },
	{ "max-symbols", required_argument, NULL, O_MAX_SYMBOLS },
	{ "where", required_argument, NULL, O_WHERE },
	{ "strategies", required_argument, NULL, O_STRATEGIES },
	{ "every", required_argument, NULL, O_EVERY },
	{ "until", required_argument, NULL, O_UNTIL },
	{ "wait-open", required_argument, NULL, O_WAIT_OPEN },
	{ "provider", required_argument, NULL, O_PROVIDER },
	{ "feed", required_argument, NULL, O_FEED },
	{ "symbols", required_argument, NULL, O_SYMBOLS },
	{ "chunk", required_argument, NULL, O_CHUNK },
	{ "url", required_argument, NULL, O_URL },
	{ "trading-url", required_argument, NULL, O_TRADING_URL },
	{ "cacert", required_argument, NULL, O_CACERT },
	{ "max-wait", required_argument, NULL, O_MAX_WAIT },
	{ "from", required_argument, NULL, O_FROM },
	{ "at", required_argument, NULL, O_AT },
	{ "from-db", no_argument, NULL, O_FROM_DB },
	{ "dsn", required_argument, NULL, O_DSN },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	ND_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/* Options given, by the code above: what a mode allows is checked last. */
static unsigned char given[O_VERSION + 1];

static const char *
name_of(int code)
{
	const struct option *o;

	for (o = longopts; o->name; o++)
		if (o->val == code)
			return o->name;
	return "?";
}

/* Die if any of the options 'codes' (ending with 0) was given. */
static void
refuse(const int *codes, const char *why)
{
	for (; *codes; codes++)
		if (given[*codes])
			die_code(LIU_EXIT_USAGE, "--%s %s", name_of(*codes),
			    why);
}

static double
money_arg(const char *s, const char *what)
{
	return liu_strtod(s, 0, 1e15, what);
}

static char **
list_arg(const char *s, int sym, const char *what)
{
	const char *bad, *e;
	char **v = scan_list(s, sym, &bad);

	if (!v) {
		e = strchr(bad, ',');
		die_code(LIU_EXIT_USAGE, "invalid %s: '%.*s' (want %s, "
		    "comma-separated)", what, (int)(e ? e - bad < LIU_ECHO_MAX ?
		    e - bad : LIU_ECHO_MAX : LIU_ECHO_MAX), bad, sym ?
		    "symbols of 1 to 32 printable characters" :
		    "names of 1 to 64 printable characters but '\"' and '\\'");
	}
	return v;
}

int
main(int argc, char *argv[])
{
	static const char *const providers[] = { "alpaca", "polygon", NULL };
	static const char *const feeds[] = { "iex", "sip", NULL };
	static const int crit[] = { O_MIN_PRICE, O_MAX_PRICE, O_MIN_LAST_DV,
		O_MIN_CHANGE, O_MIN_VOLUME, O_MAX_SYMBOLS, O_STRATEGIES, 0 };
	static const int online[] = { O_EVERY, O_UNTIL, O_WAIT_OPEN,
		O_PROVIDER, O_FEED, O_SYMBOLS, O_CHUNK, O_URL, O_TRADING_URL,
		O_CACERT, O_MAX_WAIT, 0 };
	static const int alpaca_only[] = { O_FEED, O_CHUNK, O_TRADING_URL,
		0 };
	static const int nd_opts[] = { ND_OPT_STRICT, ND_OPT_MAX_BAD,
		ND_OPT_LINE_MAX, 0 };
	struct scan_opts o = SCAN_OPTS_INIT;
	const char *mode, *provider = NULL, *why, *where = NULL, *dsn = NULL;
	struct mine_bars *bars = NULL;
	unsigned char nd_given[ND_OPT_UNBUF + 1] = { 0 };
	int ch, status;
	int64_t ns;

	liu_init(argv[0]);
	if (argc < 2) {
		warn("no scanner (want momentum or snapshot)");
		usage(LIU_EXIT_USAGE);
	}
	mode = argv[1];
	if (strcmp(mode, "-h") == 0 || strcmp(mode, "--help") == 0)
		usage(0);
	if (strcmp(mode, "--version") == 0)
		liu_version();
	if (strcmp(mode, "momentum") == 0)
		o.mode = SCAN_MOMENTUM;
	else if (strcmp(mode, "snapshot") == 0)
		o.mode = SCAN_SNAPSHOT;
	else if (mode[0] == '-')	/* options first: said after them */
		mode = NULL;
	else
		die_code(LIU_EXIT_USAGE, "unknown scanner '%.*s' (want "
		    "momentum or snapshot; see liu-scan(1))", LIU_ECHO_MAX,
		    mode);
	if (mode) {
		argc--;
		argv++;
	}
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":huv", longopts, NULL)) != -1) {
		if (ch >= ND_OPT_STRICT && ch <= ND_OPT_LINE_MAX)
			nd_given[ch] = 1;
		if (nd_option(ch, optarg))
			continue;
		if (ch >= O_MIN_PRICE && ch <= O_VERSION)
			given[ch] = 1;
		switch (ch) {
		case O_MIN_PRICE:
			o.min_price = money_arg(optarg, "--min-price");
			break;
		case O_MAX_PRICE:
			o.max_price = money_arg(optarg, "--max-price");
			break;
		case O_MIN_LAST_DV:
			o.min_last_dv = money_arg(optarg, "--min-last-dv");
			break;
		case O_MIN_CHANGE:
			o.min_change = liu_strtod(optarg, -100, 1e9,
			    "--min-change");
			break;
		case O_MIN_VOLUME:
			o.min_volume = liu_strtod(optarg, 0, 1e15,
			    "--min-volume");
			break;
		case O_MAX_SYMBOLS:
			o.max_symbols = (long)liu_strtonum(optarg, 1, 1000000,
			    "--max-symbols");
			break;
		case O_WHERE: where = optarg; break;
		case O_STRATEGIES:
			scan_list_free(o.strategies);
			o.strategies = list_arg(optarg, 0, "--strategies");
			break;
		case O_EVERY:
			o.every = liu_duration_arg(optarg, TM_NS_PER_SEC,
			    "--every (want 1s or more)");
			break;
		case O_UNTIL:
			if (tm_parse(optarg, strlen(optarg), &ns) < 0)
				die_code(LIU_EXIT_USAGE, "invalid --until "
				    "time: '%.*s' (want RFC 3339, e.g. "
				    "2024-03-01T20:00:00Z)", LIU_ECHO_MAX,
				    optarg);
			o.until = ns;
			break;
		case O_WAIT_OPEN:
			o.wait_open = liu_duration_arg(optarg, 0,
			    "--wait-open");
			break;
		case O_PROVIDER:
			provider = opt_choice(optarg, providers,
			    "--provider (want alpaca or polygon)");
			break;
		case O_FEED:
			o.feed = opt_choice(optarg, feeds,
			    "--feed (want iex or sip)");
			break;
		case O_SYMBOLS:
			scan_list_free(o.symbols);
			o.symbols = list_arg(optarg, 1, "--symbols");
			break;
		case O_CHUNK:
			o.chunk = (long)liu_strtonum(optarg, 1, 10000,
			    "--chunk");
			break;
		case O_URL: o.url = optarg; break;
		case O_TRADING_URL: o.trading_url = optarg; break;
		case O_CACERT: o.rest.cacert = optarg; break;
		case O_MAX_WAIT:
			o.rest.max_wait = liu_duration_arg(optarg, 0,
			    "--max-wait");
			break;
		case O_FROM: o.from = optarg; break;
		case O_AT:
			if ((o.at = scan_time_of_day(optarg)) < 0)
				die_code(LIU_EXIT_USAGE, "invalid --at: '%.*s' "
				    "(want HH:MM, New York time)",
				    LIU_ECHO_MAX, optarg);
			break;
		case O_FROM_DB: break;
		case O_DSN: dsn = optarg; break;
		case 'v': o.verbose = o.rest.verbose = 1; break;
		case 'h': usage(0);
		case O_VERSION: liu_version();
		default:
			opt_error(ch, argv, longopts);
			usage(LIU_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (!mode) {
		warn("no scanner (want momentum or snapshot)");
		usage(LIU_EXIT_USAGE);
	}
	if (argc > 0)
		die_code(LIU_EXIT_USAGE, "unexpected argument '%.*s' (symbols "
		    "go in --symbols)", LIU_ECHO_MAX, argv[0]);
	if (o.mode == SCAN_SNAPSHOT)
		refuse(crit, "is for the momentum scanner");
	if (given[O_DSN] && !given[O_FROM_DB])
		die_code(LIU_EXIT_USAGE, "--dsn is for --from-db");
	if (given[O_FROM_DB]) {
		if (o.from)
			die_code(LIU_EXIT_USAGE, "--from and --from-db: one "
			    "source of bars");
		refuse(online, "is not for --from-db: a scan of saved bars");
		if (given[O_AT])
			die_code(LIU_EXIT_USAGE, "--at is for --from: "
			    "stock_ohlc holds daily bars");
	} else if (o.from) {
		refuse(online, "is not for --from: a scan of saved bars");
	} else {
		if (given[O_AT])
			die_code(LIU_EXIT_USAGE, "--at is for --from");
		for (ch = 0; nd_opts[ch]; ch++)
			if (nd_given[nd_opts[ch]])
				die_code(LIU_EXIT_USAGE, "--%s is for --from",
				    ch == 0 ? "strict" : ch == 1 ? "max-bad" :
				    "line-max");
		if (given[O_UNTIL] && !o.every)
			die_code(LIU_EXIT_USAGE, "--until is for --every");
		if (!provider && rest_env_provider(&provider, &why) < 0)
			die_code(LIU_EXIT_USAGE, "%s", why);
		o.provider = strcmp(provider, "alpaca") == 0 ? SCAN_ALPACA :
		    SCAN_POLYGON;
		if (o.provider == SCAN_POLYGON)
			refuse(alpaca_only, "is for alpaca only");
	}
	if (o.min_price > o.max_price)
		die_code(LIU_EXIT_USAGE, "--min-price is over --max-price");
	if (where)
		o.where = scan_where_compile(where);
	if (given[O_FROM_DB]) {
		bars = mine_bars_open(dsn);
		o.from_bars = mine_bars_next;
		o.from_arg = bars;
		o.from_name = "stock_ohlc";
	}
	status = scan_run(&o);
	mine_bars_close(bars);
	scan_where_free(o.where);
	scan_list_free(o.strategies);
	scan_list_free(o.symbols);
	return liu_finish(status);
}
