/*
 * liu-mine: the miners, the off-market work that fills the database:
 * "daily-ohlc" stores daily bars over REST, incrementally, "tickers" the
 * assets and their metadata, "gainloss" the round trips of recent batches
 * as liu-analyze figures them, "cluster" groups of symbols whose daily
 * returns move together.  The work is done in lib/mine*.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "history.h"
#include "mine.h"
#include "ndjson.h"
#include "opt.h"
#include "proc.h"
#include "rest.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

static const char *const usage_text[] = {
	"usage: liu-mine daily-ohlc [--since DATE] [--from-assets]",
	"                [--provider alpaca | polygon] [--feed iex | sip]",
	"                [--url URL] [--trading-url URL] [--cacert FILE]",
	"                [--max-wait DURATION] [--dsn DSN] [-Pv] [SYM ...]",
	"       liu-mine tickers [--trading-url URL] [--cacert FILE]",
	"                [--max-wait DURATION] [--dsn DSN] [-v]",
	"       liu-mine gainloss [--days N] [--dsn DSN] [-Pv]",
	"       liu-mine cluster [--days N] [--max-distance D] [--min-days N]",
	"                [--ndjson] [--dsn DSN] [-v]",
	"       liu-mine -h | --help | --version",
	"See liu-mine(1).",
	NULL
};

static _Noreturn void
usage(int status)
{
	opt_usage(usage_text, status);
}

enum { O_SINCE = 300, O_FROM_ASSETS, O_PROVIDER, O_FEED, O_URL,
	O_TRADING_URL, O_CACERT, O_MAX_WAIT, O_DSN, O_DAYS, O_MAX_DISTANCE,
	O_MIN_DAYS, O_NDJSON, O_VERSION };

static const struct option longopts[] = {
	{ "since", required_argument, NULL, O_SINCE },
	{ "from-assets", no_argument, NULL, O_FROM_ASSETS },
	{ "provider", required_argument, NULL, O_PROVIDER },
	{ "feed", required_argument, NULL, O_FEED },
	{ "url", required_argument, NULL, O_URL },
	{ "trading-url", required_argument, NULL, O_TRADING_URL },
	{ "cacert", required_argument, NULL, O_CACERT },
	{ "max-wait", required_argument, NULL, O_MAX_WAIT },
	{ "dsn", required_argument, NULL, O_DSN },
	{ "days", required_argument, NULL, O_DAYS },
	{ "max-distance", required_argument, NULL, O_MAX_DISTANCE },
	{ "min-days", required_argument, NULL, O_MIN_DAYS },
	{ "ndjson", no_argument, NULL, O_NDJSON },
	{ "progress", no_argument, NULL, 'P' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

static unsigned char given[O_VERSION + 1];

/* The options each command takes, by code; 0 ends a list. */
static const int for_ohlc[] = { O_SINCE, O_FROM_ASSETS, O_PROVIDER, O_FEED,
	O_URL, O_TRADING_URL, O_CACERT, O_MAX_WAIT, O_DSN, 0 };
static const int for_tickers[] = { O_TRADING_URL, O_CACERT, O_MAX_WAIT,
	O_DSN, 0 };
static const int for_gain[] = { O_DAYS, O_DSN, 0 };
static const int for_cluster[] = { O_DAYS, O_MAX_DISTANCE, O_MIN_DAYS,
	O_NDJSON, O_DSN, 0 };

static void
only(const char *cmd, const int *allowed)
{
	const struct option *lo;
	const int *a;

	for (lo = longopts; lo->name; lo++) {
		if (lo->val < O_SINCE || lo->val >= O_VERSION ||
		    !given[lo->val])
			continue;
		for (a = allowed; *a && *a != lo->val; a++)
			;
		if (!*a)
			die_code(LIU_EXIT_USAGE, "--%s is not for %s",
			    lo->name, cmd);
	}
}

int
main(int argc, char *argv[])
{
	static const char *const providers[] = { "alpaca", "polygon", NULL };
	static const char *const feeds[] = { "iex", "sip", NULL };
	struct mine_opts o = MINE_OPTS_INIT;
	const char *cmd, *provider = NULL, *why;
	int64_t days;
	int ch, status, progress = 0, y, m, d, n;

	liu_init(argv[0]);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":hPv", longopts, NULL)) != -1) {
		if (ch >= O_SINCE && ch <= O_VERSION)
			given[ch] = 1;
		switch (ch) {
		case O_SINCE:
			if (strlen(optarg) != 10 || sscanf(optarg,
			    "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
			    m < 1 || m > 12 || d < 1 || d > 31)
				die_code(LIU_EXIT_USAGE, "invalid --since: "
				    "'%.*s' (want YYYY-MM-DD)", LIU_ECHO_MAX,
				    optarg);
			days = tm_days_from_civil(y, m, d);
			o.since = days * TM_NS_PER_DAY;
			break;
		case O_FROM_ASSETS: o.from_assets = 1; break;
		case O_PROVIDER:
			provider = opt_choice(optarg, providers,
			    "--provider (want alpaca or polygon)");
			break;
		case O_FEED:
			o.feed = opt_choice(optarg, feeds,
			    "--feed (want iex or sip)");
			break;
		case O_URL: o.url = optarg; break;
		case O_TRADING_URL: o.trading_url = optarg; break;
		case O_CACERT: o.rest.cacert = optarg; break;
		case O_MAX_WAIT:
			o.rest.max_wait = liu_duration_arg(optarg, 0,
			    "--max-wait");
			break;
		case O_DSN: o.dsn = optarg; break;
		case O_DAYS:
			o.days = (int)liu_strtonum(optarg, 1, 100000,
			    "--days");
			break;
		case O_MAX_DISTANCE:
			o.max_distance = liu_strtod(optarg, 0, 2,
			    "--max-distance");
			break;
		case O_MIN_DAYS:
			o.min_days = (int)liu_strtonum(optarg, 2, 100000,
			    "--min-days");
			break;
		case O_NDJSON: o.ndjson = 1; break;
		case 'P': progress = 1; break;
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
	if (argc < 1) {
		warn("no command (want daily-ohlc, tickers, gainloss or "
		    "cluster)");
		usage(LIU_EXIT_USAGE);
	}
	cmd = argv[0];
	argc--;
	argv++;
	o.progress = progress || isatty(2);
	if (strcmp(cmd, "daily-ohlc") == 0) {
		only(cmd, for_ohlc);
		if (o.from_assets && argc)
			die_code(LIU_EXIT_USAGE, "symbols and --from-assets: "
			    "one or the other");
		if (!provider && rest_env_provider(&provider, &why) < 0)
			die_code(LIU_EXIT_USAGE, "%s", why);
		hist_provider_from(provider, &o.provider);
		if (o.provider == HIST_POLYGON && o.feed)
			die_code(LIU_EXIT_USAGE, "--feed is for alpaca only");
		status = mine_daily_ohlc(&o, argv, argc);
	} else if (strcmp(cmd, "tickers") == 0) {
		only(cmd, for_tickers);
		if (argc)
			usage(LIU_EXIT_USAGE);
		status = mine_tickers(&o);
	} else if (strcmp(cmd, "gainloss") == 0) {
		only(cmd, for_gain);
		if (argc)
			usage(LIU_EXIT_USAGE);
		if (!o.days)
			o.days = 7;
		status = mine_gainloss(&o);
	} else if (strcmp(cmd, "cluster") == 0) {
		only(cmd, for_cluster);
		if (argc)
			usage(LIU_EXIT_USAGE);
		if (!o.days)
			o.days = 60;
		if (o.min_days > o.days)
			die_code(LIU_EXIT_USAGE, "--min-days is over --days");
		status = mine_cluster(&o);
	} else {
		warn("unknown command '%.*s'", LIU_ECHO_MAX, cmd);
		usage(LIU_EXIT_USAGE);
	}
	return liu_finish(status);
}
