/*
 * liu-stream: market data in.  `replay` plays saved NDJSON events back in
 * event-time order, paced or as fast as possible; `synth` makes a seeded
 * synthetic market.  Live feeds (alpaca, polygon) and `history` come later.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		usage(LIU_EXIT_USAGE);
	mode = argv[1];
	if (strcmp(mode, "-h") == 0 || strcmp(mode, "--help") == 0)
		usage(0);
	if (strcmp(mode, "--version") == 0)
		liu_version();
	if (mode[0] == '-') {
		/* the options follow the source */
		warn("unknown option '%.*s'", LIU_ECHO_MAX, mode);
		usage(LIU_EXIT_USAGE);
	}
	if (strcmp(mode, "replay") != 0 && strcmp(mode, "synth") != 0)
		die_code(LIU_EXIT_USAGE, "unknown source '%.*s' (want replay "
		    "or synth; see liu-stream(1))", LIU_ECHO_MAX, mode);
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
