/*
 * liu-stream: market data in.  `replay` plays saved NDJSON events back in
 * event-time order, paced or as fast as possible; `synth` makes a seeded
 * synthetic market; `history` downloads past bars and trades over REST;
 * `alpaca` and `polygon`, or no source at all, stream live over WebSockets.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "history.h"
#include "live.h"
#include "ndjson.h"
#include "opt.h"
#include "proc.h"
#include "replay.h"
#include "sym.h"
#include "synth.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

static const char *const usage_text[] = {
	"usage: liu-stream replay [--max | --speed N] [--from T] [--to T]",
	"                  [--symbols A,B,...] [--validate] [--strict]",
	"                  [--max-bad N] [--line-max BYTES]",
	"                  [--progress | --no-progress] [-uv] [FILE ...]",
	"       liu-stream synth [--symbols N] [--seed S] [--rate R] [--max]",
	"                  [--duration DURATION] [--start T] [--events N]",
	"                  [--types trade,quote,bar] [-u]",
	"       liu-stream history alpaca | polygon --from T --to T",
	"                  [--tf 1m | 1d] [--types bar,trade]",
	"                  [--adjustment raw | split | dividend | all]",
	"                  [--feed iex | sip] [--url URL] [--cacert FILE]",
	"                  [--max-wait DURATION] [--progress | --no-progress]",
	"                  [-uv] SYM ...",
	"       liu-stream [alpaca | polygon]",
	"                  [--feed iex | sip | delayed_sip]",
	"                  [--types trade,quote,bar,status] [--tf 1s,1m,1d]",
	"                  [--control FIFO] [--backfill DURATION]",
	"                  [--backfill-gaps] [--url URL] [--rest-url URL]",
	"                  [--cacert FILE] [--queue-max BYTES]",
	"                  [--reconnect-min DURATION]",
	"                  [--reconnect-max DURATION] [--give-up DURATION]",
	"                  [--timeout DURATION] [--ping DURATION] [-uv]",
	"                  [SYM ...]",
	"       liu-stream -h | --help | --version",
	"See liu-stream(1).",
	NULL
};

static _Noreturn void
usage(int status)
{
	opt_usage(usage_text, status);
}

enum { O_MAX = 300, O_SPEED, O_FROM, O_TO, O_SYMBOLS, O_VALIDATE, O_SEED,
	O_RATE, O_DURATION, O_START, O_EVENTS, O_TYPES, O_VERSION,
	O_PROGRESS, O_NO_PROGRESS };

static const struct option longopts[] = {
	{ "max", no_argument, NULL, O_MAX },
	{ "speed", required_argument, NULL, O_SPEED },
	{ "from", required_argument, NULL, O_FROM },
	{ "to", required_argument, NULL, O_TO },
	{ "symbols", required_argument, NULL, O_SYMBOLS },
	{ "validate", no_argument, NULL, O_VALIDATE },
	{ "seed", required_argument, NULL, O_SEED },
	{ "rate", required_argument, NULL, O_RATE },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "start", required_argument, NULL, O_START },
	{ "events", required_argument, NULL, O_EVENTS },
	{ "types", required_argument, NULL, O_TYPES },
	{ "progress", no_argument, NULL, O_PROGRESS },
	{ "no-progress", no_argument, NULL, O_NO_PROGRESS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ "verbose", no_argument, NULL, 'v' },
	ND_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static int64_t
time_arg(const char *s, const char *what)
{
	int64_t ns;

	if (tm_parse(s, strlen(s), &ns) < 0)
		die_code(LIU_EXIT_USAGE, "invalid %s time: '%.*s' (want RFC "
		    "3339, e.g. 2024-03-01T14:30:00Z)", what, LIU_ECHO_MAX, s);
	return ns;
}

static void
symbol_list(struct symtab *t, const char *s)
{
	const char *e;

	while (*s) {
		e = strchr(s, ',');
		if (!e)
			e = s + strlen(s);
		if (e > s)
			sym_intern(t, s, (size_t)(e - s));
		s = *e ? e + 1 : e;
	}
}

enum { H_FROM = 300, H_TO, H_TF, H_TYPES, H_ADJUSTMENT, H_FEED, H_URL,
	H_CACERT, H_MAX_WAIT, H_PROGRESS, H_NO_PROGRESS, H_VERSION };

static const struct option history_longopts[] = {
	{ "from", required_argument, NULL, H_FROM },
	{ "to", required_argument, NULL, H_TO },
	{ "tf", required_argument, NULL, H_TF },
	{ "types", required_argument, NULL, H_TYPES },
	{ "adjustment", required_argument, NULL, H_ADJUSTMENT },
	{ "feed", required_argument, NULL, H_FEED },
	{ "url", required_argument, NULL, H_URL },
	{ "cacert", required_argument, NULL, H_CACERT },
	{ "max-wait", required_argument, NULL, H_MAX_WAIT },
	{ "progress", no_argument, NULL, H_PROGRESS },
	{ "no-progress", no_argument, NULL, H_NO_PROGRESS },
	{ "unbuffered", no_argument, NULL, 'u' },
	{ "line-buffered", no_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, H_VERSION },
	{ NULL, 0, NULL, 0 }
};

/* liu-stream history PROVIDER [options] SYM...: argv[0] is "history". */
static int
history_main(int argc, char *argv[])
{
	static const char *const tfs[] = { "1m", "1d", NULL };
	static const char *const adjustments[] = { "raw", "split",
		"dividend", "all", NULL };
	static const char *const feeds[] = { "iex", "sip", NULL };
	struct hist_opts o = HIST_OPTS_INIT;
	int ch, have_from = 0, have_to = 0;

	o.progress = isatty(2);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":huv", history_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case H_FROM:
			o.from = time_arg(optarg, "--from");
			have_from = 1;
			break;
		case H_TO:
			o.to = time_arg(optarg, "--to");
			have_to = 1;
			break;
		case H_TF:
			o.daily = strcmp(opt_choice(optarg, tfs,
			    "--tf (want 1m or 1d)"), "1d") == 0;
			break;
		case H_TYPES:
			if (hist_types(optarg, &o.types) < 0)
				die_code(LIU_EXIT_USAGE, "invalid --types: "
				    "'%.*s' (want bar,trade)", LIU_ECHO_MAX,
				    optarg);
			break;
		case H_ADJUSTMENT:
			o.adjustment = opt_choice(optarg, adjustments,
			    "--adjustment (want raw, split, dividend or all)");
			break;
		case H_FEED:
			o.feed = opt_choice(optarg, feeds,
			    "--feed (want iex or sip)");
			break;
		case H_URL: o.url = optarg; break;
		case H_CACERT: o.rest.cacert = optarg; break;
		case H_MAX_WAIT:
			o.rest.max_wait = liu_duration_arg(optarg, 0,
			    "--max-wait");
			break;
		case H_PROGRESS: o.progress = 1; break;
		case H_NO_PROGRESS: o.progress = 0; break;
		case 'u': nd_option(ch, optarg); break;
		case 'v': o.verbose = o.rest.verbose = 1; break;
		case 'h': usage(0);
		case H_VERSION: liu_version();
		default:
			opt_error(ch, argv, history_longopts);
			usage(LIU_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		warn("history: no provider (want alpaca or polygon)");
		usage(LIU_EXIT_USAGE);
	}
	if (hist_provider_from(argv[0], &o.provider) < 0)
		die_code(LIU_EXIT_USAGE, "history: unknown provider '%.*s' "
		    "(want alpaca or polygon)", LIU_ECHO_MAX, argv[0]);
	if (argc < 2) {
		warn("history: no symbol");
		usage(LIU_EXIT_USAGE);
	}
	if (!have_from || !have_to)
		die_code(LIU_EXIT_USAGE, "history: --from and --to are "
		    "required");
	if (o.from >= o.to)
		die_code(LIU_EXIT_USAGE, "--from must be before --to");
	return liu_finish(hist_run(&o, argv + 1, argc - 1));
}

enum { L_FEED = 300, L_TYPES, L_TF, L_CONTROL, L_BACKFILL, L_BACKFILL_GAPS,
	L_URL, L_REST_URL, L_CACERT, L_QUEUE_MAX, L_RECONNECT_MIN,
	L_RECONNECT_MAX, L_GIVE_UP, L_TIMEOUT, L_PING, L_VERSION };

static const struct option live_longopts[] = {
	{ "feed", required_argument, NULL, L_FEED },
	{ "types", required_argument, NULL, L_TYPES },
	{ "tf", required_argument, NULL, L_TF },
	{ "control", required_argument, NULL, L_CONTROL },
	{ "backfill", required_argument, NULL, L_BACKFILL },
	{ "backfill-gaps", no_argument, NULL, L_BACKFILL_GAPS },
	{ "url", required_argument, NULL, L_URL },
	{ "rest-url", required_argument, NULL, L_REST_URL },
	{ "cacert", required_argument, NULL, L_CACERT },
	{ "queue-max", required_argument, NULL, L_QUEUE_MAX },
	{ "reconnect-min", required_argument, NULL, L_RECONNECT_MIN },
	{ "reconnect-max", required_argument, NULL, L_RECONNECT_MAX },
	{ "give-up", required_argument, NULL, L_GIVE_UP },
	{ "timeout", required_argument, NULL, L_TIMEOUT },
	{ "ping", required_argument, NULL, L_PING },
	{ "unbuffered", no_argument, NULL, 'u' },
	{ "line-buffered", no_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, L_VERSION },
	{ NULL, 0, NULL, 0 }
};

/*
 * Whether the first argument is a symbol rather than a source: the
 * synopsis lets the provider be left out before the symbols.  Symbols
 * are written in capitals, sources are not, so a mistyped source is
 * still an error and not a subscription.
 */
static int
is_symbol_like(const char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			return 0;
	return 1;
}

/*
 * liu-stream [alpaca | polygon] [options] [SYM...]: argv[0] is the
 * provider, or with 'named' 0 the program name (the provider from the
 * environment).
 */
static int
live_main(int argc, char *argv[], int named)
{
	static const char *const feeds[] = { "iex", "sip", "delayed_sip",
		NULL };
	struct live_opts o = LIVE_OPTS_INIT;
	const char *why;
	int ch, have_types = 0, have_tf = 0;

	if (named)
		(void)live_provider_from(argv[0], &o.provider);
	o.read_stdin = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":huv", live_longopts, NULL))
	    != -1) {
		switch (ch) {
		case L_FEED:
			o.feed = opt_choice(optarg, feeds,
			    "--feed (want iex, sip or delayed_sip)");
			break;
		case L_TYPES:
			if (live_types(optarg, &o.types) < 0)
				die_code(LIU_EXIT_USAGE, "invalid --types: "
				    "'%.*s' (want trade,quote,bar,status)",
				    LIU_ECHO_MAX, optarg);
			have_types = 1;
			break;
		case L_TF:
			if (live_tfs(optarg, &o.tfs) < 0)
				die_code(LIU_EXIT_USAGE, "invalid --tf: '%.*s' "
				    "(want 1s, 1m or 1d, comma-separated)",
				    LIU_ECHO_MAX, optarg);
			have_tf = 1;
			break;
		case L_CONTROL: o.control = optarg; break;
		case L_BACKFILL:
			o.backfill = liu_duration_arg(optarg, 60000000000LL,
			    "--backfill (want 1m or more)");
			break;
		case L_BACKFILL_GAPS: o.backfill_gaps = 1; break;
		case L_URL: o.url = optarg; break;
		case L_REST_URL: o.rest_url = optarg; break;
		case L_CACERT: o.cacert = optarg; break;
		case L_QUEUE_MAX:
			o.queue_max = (size_t)liu_strtonum(optarg, 4096,
			    (long long)1 << 40, "--queue-max");
			break;
		case L_RECONNECT_MIN:
			o.backoff_min = liu_duration_arg(optarg, 1000000,
			    "--reconnect-min");
			break;
		case L_RECONNECT_MAX:
			o.backoff_max = liu_duration_arg(optarg, 1000000,
			    "--reconnect-max");
			break;
		case L_GIVE_UP:
			o.give_up = liu_duration_arg(optarg, 0, "--give-up");
			break;
		case L_TIMEOUT:
			o.timeout = liu_duration_arg(optarg, 1000000000LL,
			    "--timeout (want 1s or more)");
			break;
		case L_PING:
			o.ping = (int)(liu_duration_arg(optarg, 0, "--ping") /
			    1000000000LL);
			if (o.ping > 3600)
				die_code(LIU_EXIT_USAGE, "invalid --ping: at "
				    "most 1h");
			break;
		case 'u': nd_option(ch, optarg); break;
		case 'v': o.verbose = 1; break;
		case 'h': usage(0);
		case L_VERSION: liu_version();
		default:
			opt_error(ch, argv, live_longopts);
			usage(LIU_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (!named && live_default_provider(&o.provider, &why) < 0)
		die_code(LIU_EXIT_USAGE, "%s", why);
	if (o.feed && o.provider != LIVE_ALPACA)
		die_code(LIU_EXIT_USAGE, "polygon: --feed is for alpaca only");
	if (!have_types)
		o.types = o.provider == LIVE_ALPACA ? LIVE_TRADE | LIVE_QUOTE |
		    LIVE_BAR | LIVE_STATUS : LIVE_TRADE | LIVE_QUOTE | LIVE_BAR;
	if (have_tf && o.provider == LIVE_ALPACA && (o.tfs & LIVE_TF_1S))
		die_code(LIU_EXIT_USAGE, "alpaca: no 1s bars (want 1m or 1d)");
	if (have_tf && o.provider == LIVE_POLYGON && (o.tfs & LIVE_TF_1D))
		die_code(LIU_EXIT_USAGE, "polygon: no 1d bars on the stream "
		    "(want 1s or 1m)");
	if (o.backoff_max < o.backoff_min)
		o.backoff_max = o.backoff_min;
	return liu_finish(live_run(&o, argv, argc));
}

int
main(int argc, char *argv[])
{
	struct replay_opts ro = REPLAY_OPTS_INIT;
	struct synth_opts so = SYNTH_OPTS_INIT;
	struct symtab syms = SYMTAB_INIT;
	const char *mode, *symarg = NULL;
	static char dash[] = "-", *stdin_only[] = { dash };
	int ch, status, progress = isatty(2);

	liu_init(argv[0]);
	if (argc < 2)
		return live_main(argc, argv, 0);
	mode = argv[1];
	if (strcmp(mode, "-h") == 0 || strcmp(mode, "--help") == 0)
		usage(0);
	if (strcmp(mode, "--version") == 0)
		liu_version();
	if (mode[0] == '-')	/* live, from the configured provider */
		return live_main(argc, argv, 0);
	if (strcmp(mode, "history") == 0)
		return history_main(argc - 1, argv + 1);
	if (strcmp(mode, "alpaca") == 0 || strcmp(mode, "polygon") == 0)
		return live_main(argc - 1, argv + 1, 1);
	if (is_symbol_like(mode))	/* liu-stream AAPL SPY: live */
		return live_main(argc, argv, 0);
	if (strcmp(mode, "replay") != 0 && strcmp(mode, "synth") != 0)
		die_code(LIU_EXIT_USAGE, "unknown source '%.*s' (want replay, "
		    "synth, history, alpaca or polygon; see liu-stream(1))",
		    LIU_ECHO_MAX, mode);
	argc--;
	argv++;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":huv", longopts, NULL)) != -1) {
		if (nd_option(ch, optarg))
			continue;
		switch (ch) {
		case O_MAX: ro.max = so.max = 1; break;
		case O_SPEED:
			ro.speed = liu_strtod(optarg, 1e-6, 1e9, "--speed");
			break;
		case O_FROM: ro.from = time_arg(optarg, "--from"); break;
		case O_TO: ro.to = time_arg(optarg, "--to"); break;
		case O_SYMBOLS: symarg = optarg; break;
		case O_VALIDATE: ro.validate = 1; break;
		case O_SEED:
			so.seed = (uint64_t)liu_strtonum(optarg, 0, LLONG_MAX,
			    "--seed");
			break;
		case O_RATE:
			so.rate = liu_strtod(optarg, 1e-3, 1e9, "--rate");
			break;
		case O_DURATION:
			so.duration = liu_duration_arg(optarg, 1, "--duration");
			break;
		case O_START: so.start = time_arg(optarg, "--start"); break;
		case O_EVENTS:
			so.events = (uint64_t)liu_strtonum(optarg, 1, LLONG_MAX,
			    "--events");
			break;
		case O_TYPES:
			if (synth_types(optarg, &so.types) < 0)
				die_code(LIU_EXIT_USAGE, "invalid --types: "
				    "'%.*s' (want trade,quote,bar)",
				    LIU_ECHO_MAX, optarg);
			break;
		case O_PROGRESS: progress = 1; break;
		case O_NO_PROGRESS: progress = 0; break;
		case 'v': nd_policy.verbose = 1; break;
		case 'h': usage(0);
		case O_VERSION: liu_version();
		default:
			opt_error(ch, argv, longopts);
			usage(LIU_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (strcmp(mode, "synth") == 0) {
		if (argc > 0)
			usage(LIU_EXIT_USAGE);
		if (symarg)
			so.nsyms = (int)liu_strtonum(symarg, 1, 1000000,
			    "--symbols");
		synth_run(&so);
		return liu_finish(0);
	}
	if (ro.from >= ro.to)
		die_code(LIU_EXIT_USAGE, "--from must be before --to");
	if (symarg) {
		symbol_list(&syms, symarg);
		ro.syms = &syms;
	}
	ro.progress = progress;
	status = replay_run(&ro, argc ? argv : stdin_only, argc ? argc : 1);
	if (nd_policy.verbose)
		warn("%llu events out, %llu bad lines",
		    (unsigned long long)nd_nout, (unsigned long long)nd_nbad);
	if (!status)
		status = nd_summary();
	else
		nd_summary();
	symtab_release(&syms);
	return liu_finish(status);
}
