/*
 * liu-route: spawn N copies of a command, shard the events on stdin among
 * them by a stable hash of their symbol, and merge their output onto
 * stdout a whole line at a time.  The engine is lib/route.c.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ndjson.h"
#include "opt.h"
#include "proc.h"
#include "route.h"
#include "util.h"
#include "banned.h"

static const char *const usage_text[] = {
	"usage: liu-route -n N [-rv] [-f FIFO] [-k FIELD] [-l DURATION]",
	"                 [--clock auto|wall|event] [--linger DURATION]",
	"                 [--on-full block|drop-oldest] [--queue BYTES]",
	"                 [--validate] [--strict] [--max-bad N]",
	"                 [--line-max BYTES] [--] COMMAND [ARG ...]",
	"       liu-route -h | --help | --version",
	"See liu-route(1).",
	NULL
};

static _Noreturn void
usage(int status)
{
	opt_usage(usage_text, status);
}

enum { O_CLOCK = 300, O_LINGER, O_ON_FULL, O_QUEUE, O_VALIDATE, O_VERSION };

static const struct option longopts[] = {
	{ "shards", required_argument, NULL, 'n' },
	{ "feedback", required_argument, NULL, 'f' },
	{ "key", required_argument, NULL, 'k' },
	{ "max-lag", required_argument, NULL, 'l' },
	{ "restart", no_argument, NULL, 'r' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "clock", required_argument, NULL, O_CLOCK },
	{ "linger", required_argument, NULL, O_LINGER },
	{ "on-full", required_argument, NULL, O_ON_FULL },
	{ "queue", required_argument, NULL, O_QUEUE },
	{ "validate", no_argument, NULL, O_VALIDATE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	ND_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/* "65536", "64k", "1M": bytes. */
static size_t
size_arg(const char *s, const char *what)
{
	char num[32];
	size_t n = strlen(s);
	long long mul = 1;

	if (n > 0 && n < sizeof(num)) {
		switch (s[n - 1]) {
		case 'k': case 'K': mul = 1024; n--; break;
		case 'm': case 'M': mul = 1024 * 1024; n--; break;
		case 'g': case 'G': mul = 1024 * 1024 * 1024; n--; break;
		}
	}
	if (n >= sizeof(num))
		n = sizeof(num) - 1;
	memcpy(num, s, n);
	num[n] = '\0';
	return (size_t)(liu_strtonum(num, 1, (1LL << 40) / mul, what) * mul);
}

int
main(int argc, char *argv[])
{
	struct route_opts o = ROUTE_OPTS_INIT;
	char **fifos;
	int ch, nshards = 0, status;

	liu_init(argv[0]);
	fifos = xcalloc((size_t)argc, sizeof(*fifos));
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:f:hk:l:n:ruv", longopts,
	    NULL)) != -1) {
		if (nd_option(ch, optarg))
			continue;
		switch (ch) {
		case 'f': fifos[o.nfeedback++] = optarg; break;
		case 'h': usage(0);
		case 'k': o.key = optarg; break;
		case 'l':
			o.max_lag = liu_duration_arg(optarg, 0, "--max-lag");
			break;
		case 'n':
			nshards = (int)liu_strtonum(optarg, 1, ROUTE_MAX_SHARDS,
			    "-n");
			break;
		case 'r': o.restart = 1; break;
		case 'v': o.verbose = nd_policy.verbose = 1; break;
		case O_CLOCK:
			if (strcmp(optarg, "auto") == 0)
				o.clock = ROUTE_CLOCK_AUTO;
			else if (strcmp(optarg, "wall") == 0)
				o.clock = ROUTE_CLOCK_WALL;
			else if (strcmp(optarg, "event") == 0)
				o.clock = ROUTE_CLOCK_EVENT;
			else
				die_code(LIU_EXIT_USAGE, "invalid --clock: "
				    "'%.*s' (auto, wall or event)",
				    LIU_ECHO_MAX, optarg);
			break;
		case O_LINGER:
			o.linger = liu_duration_arg(optarg, 0, "--linger");
			break;
		case O_ON_FULL:
			if (strcmp(optarg, "block") == 0)
				o.on_full = ROUTE_BLOCK;
			else if (strcmp(optarg, "drop-oldest") == 0)
				o.on_full = ROUTE_DROP_OLDEST;
			else
				die_code(LIU_EXIT_USAGE, "invalid --on-full: "
				    "'%.*s' (block or drop-oldest)",
				    LIU_ECHO_MAX, optarg);
			break;
		case O_QUEUE:
			o.queue_max = size_arg(optarg, "--queue");
			break;
		case O_VALIDATE: o.validate = 1; break;
		case O_VERSION: liu_version();
		default:
			opt_error(ch, argv, longopts);
			usage(LIU_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (nshards == 0) {
		warn("-n is required");
		usage(LIU_EXIT_USAGE);
	}
	if (argc < 1) {
		warn("no command to run");
		usage(LIU_EXIT_USAGE);
	}
	if (*o.key == '\0')
		die_code(LIU_EXIT_USAGE, "invalid --key: ''");
	o.nshards = nshards;
	o.argv = argv;
	o.feedback = fifos;
	status = route_run(&o);
	free(fifos);
	return liu_finish(status);
}
