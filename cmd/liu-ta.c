/*
 * liu-ta: a technical-analysis filter.  Reads liu events, adds the values of
 * the indicators named on the command line to each bar event, per symbol and
 * timeframe, and writes every event on; values are null during warm-up.
 * The filter is lib/ta_filter.c.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event.h"
#include "ind.h"
#include "json.h"
#include "ndjson.h"
#include "opt.h"
#include "proc.h"
#include "ta_filter.h"
#include "ta_filter.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

static const char *const usage_text[] = {
	"usage: liu-ta [-uv] [--digits N | --exact] [--strict] [--max-bad N]",
	"              [--line-max BYTES] SPEC ...",
	"       liu-ta -h | --help | --version",
	"See liu-ta(1).",
	NULL
};

static _Noreturn void
usage(int status)
{
	opt_usage(usage_text, status);
}

enum { O_VERSION = 300, O_DIGITS, O_EXACT };

static const struct option longopts[] = {
	{ "digits", required_argument, NULL, O_DIGITS },
	{ "exact", no_argument, NULL, O_EXACT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ "verbose", no_argument, NULL, 'v' },
	ND_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct ta ta = TA_INIT;
	struct nd_reader rd;
	struct ev e = EV_INIT;
	char *line;
	size_t len;
	int ch, rc, status;

	liu_init(argv[0]);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":huv", longopts, NULL)) != -1) {
		if (nd_option(ch, optarg))
			continue;
		switch (ch) {
		case 'h': usage(0);
		case 'v': nd_policy.verbose = 1; break;
		case O_DIGITS:
			ta.digits = (int)liu_strtonum(optarg, 1,
			    IND_DIGITS_EXACT, "--digits");
			break;
		case O_EXACT: ta.digits = IND_DIGITS_EXACT; break;
		case O_VERSION: liu_version();
		default:
			opt_error(ch, argv, longopts);
			usage(LIU_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage(LIU_EXIT_USAGE);
	ta_specs(&ta, argc, argv);
	nd_fdopen(&rd, 0, "<stdin>");
	while ((rc = nd_next(&rd, &line, &len)) == 1)
		if (ta_line(&ta, &rd, &e, line, len) < 0)
			break;
	status = nd_summary();
	if (rc < 0)
		status = LIU_EXIT_SYS;
	if (nd_policy.verbose)
		warn("%llu lines, %llu bars, %zu series, %llu bad, "
		    "%llu replaced, %llu too old to replace",
		    (unsigned long long)rd.nlines,
		    (unsigned long long)ta.nbars, ta.nseries,
		    (unsigned long long)nd_nbad,
		    (unsigned long long)ta.nreplaced,
		    (unsigned long long)ta.nstale);
	nd_close(&rd);
	ev_release(&e);
	ta_release(&ta);
	return liu_finish(status);
}
