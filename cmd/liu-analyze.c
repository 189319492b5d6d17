/*
 * liu-analyze: read fill events (and bars or trades to mark positions to
 * market), pair the fills into round trips and write the session's
 * analysis as a table, NDJSON events or an HTML report, with charts drawn
 * by gnuplot.  The analysis itself is in lib/analyze_*.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "event.h"
#include "evread.h"
#include "ndjson.h"
#include "opt.h"
#include "proc.h"
#include "util.h"
#include "banned.h"

enum { FMT_TABLE = 1, FMT_NDJSON, FMT_HTML };
enum { O_PERIOD = 300, O_RISK_FREE, O_TZ, O_VERSION, O_DAYS, O_BENCH_FILE };

static const struct option longopts[] = {
	{ "benchmark", required_argument, NULL, 'b' },
	{ "benchmark-file", required_argument, NULL, O_BENCH_FILE },
	{ "days", no_argument, NULL, O_DAYS },
	{ "capital", required_argument, NULL, 'c' },
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "plot", required_argument, NULL, 'p' },
	{ "period", required_argument, NULL, O_PERIOD },
	{ "risk-free", required_argument, NULL, O_RISK_FREE },
	{ "tz", required_argument, NULL, O_TZ },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, O_VERSION },
	ND_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const char *const usage_text[] = {
	"usage: liu-analyze [-uv] [-b SYMBOL] [--benchmark-file FILE]",
	"                   [-c CAPITAL] [-f FORMAT] [-p FILE] [--days]",
	"                   [--period PERIOD] [--risk-free RATE] [--tz ZONE]",
	"                   [--strict] [--max-bad N] [--line-max BYTES]",
	"                   [FILE ...]",
	"       liu-analyze -h | --help | --version",
	"See liu-analyze(1).",
	NULL
};

static _Noreturn void
usage(int status)
{
	opt_usage(usage_text, status);
}

/* Write a text report as whole lines through the event writer. */
static void
emit_lines(const struct buf *b)
{
	const char *p = b->p, *end = b->p + b->len, *nl;

	while (p < end && !liu_stop) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		nd_emit(p, (size_t)(nl - p));
		p = nl + 1;
	}
}

/* Draw the charts into fd; dies with gnuplot's trouble. */
static void
plot(struct an *a, int fd, int svg)
{
	struct buf script = BUF_INIT;
	const char *err;

	an_plot_script(a, &script, svg);
	if (an_gnuplot(&script, fd, &err) < 0)
		die("%s", err);
	buf_release(&script);
}

static void
plot_file(struct an *a, const char *path)
{
	const char *dot = strrchr(path, '.');
	int fd, svg = dot && strcmp(dot, ".svg") == 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		die("cannot open '%s':", path);
	plot(a, fd, svg);
	if (close(fd) < 0)
		die("cannot write '%s':", path);
}

static void
html(struct an *a, struct buf *out)
{
	struct buf svg = BUF_INIT;
	FILE *tmp = tmpfile();
	char chunk[65536];
	size_t n;

	if (!tmp)
		die("temporary file:");
	plot(a, fileno(tmp), 1);
	rewind(tmp);
	while ((n = fread(chunk, 1, sizeof(chunk), tmp)) > 0)
		buf_add(&svg, chunk, n);
	if (ferror(tmp))
		die("temporary file:");
	fclose(tmp);
	an_html(a, out, svg.p, svg.len);
	buf_release(&svg);
}

/*
 * Every event of path through fn (an_event(), or an_bench_event() for the
 * benchmark's own file); a bad line is said and skipped.
 */
static int
read_events(struct an *a, const char *path,
    int (*fn)(struct an *, const struct ev *, const char **))
{
	struct nd_reader rd;
	struct ev ev = EV_INIT;
	const char *err;
	int rc;

	if (nd_open(&rd, path) < 0)
		die("cannot open '%s':", path);
	ev.fast = 1;		/* the analysis reads fields and their text */
	while ((rc = nd_next_event(&rd, &ev)) == 1)
		if (fn(a, &ev, &err) < 0)
			nd_bad(&rd, "%s", err);
	nd_close(&rd);
	ev_release(&ev);
	return rc < 0 ? LIU_EXIT_SYS : 0;
}

int
main(int argc, char *argv[])
{
	struct an_opts o = AN_OPTS_INIT;
	struct an a;
	struct buf out = BUF_INIT;
	const char *plotfile = NULL, *benchfile = NULL, *dot;
	int64_t cap;
	int ch, fmt = 0, status = 0, i;

	liu_init(argv[0]);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":b:c:f:hp:uv", longopts,
	    NULL)) != -1) {
		if (nd_option(ch, optarg))
			continue;
		switch (ch) {
		case 'b':
			o.benchmark = optarg;
			break;
		case 'c':
			if (an_dec(optarg, strlen(optarg), &cap) < 0 ||
			    cap <= 0)
				die_code(LIU_EXIT_USAGE, "invalid --capital: "
				    "'%.*s'", LIU_ECHO_MAX, optarg);
			o.capital = (an_money)cap * AN_SCALE;
			break;
		case 'f':
			if (strcmp(optarg, "table") == 0)
				fmt = FMT_TABLE;
			else if (strcmp(optarg, "ndjson") == 0)
				fmt = FMT_NDJSON;
			else if (strcmp(optarg, "html") == 0)
				fmt = FMT_HTML;
			else
				die_code(LIU_EXIT_USAGE, "invalid --format: "
				    "'%.*s' (table, ndjson or html)",
				    LIU_ECHO_MAX, optarg);
			break;
		case 'h':
			usage(0);
		case 'p':
			dot = strrchr(optarg, '.');
			if (!dot || (strcmp(dot, ".png") != 0 &&
			    strcmp(dot, ".svg") != 0))
				die_code(LIU_EXIT_USAGE, "--plot needs a file "
				    "ending in .png or .svg: '%.*s'",
				    LIU_ECHO_MAX, optarg);
			plotfile = optarg;
			break;
		case 'v':
			nd_policy.verbose = 1;
			break;
		case O_PERIOD:
			o.period = strcmp(optarg, "auto") == 0 ? 0 :
			    liu_duration_arg(optarg, 1, "--period");
			break;
		case O_RISK_FREE:
			o.rf = liu_strtod(optarg, -1, 1, "--risk-free");
			break;
		case O_TZ:
			if (an_tz_parse(optarg, &o.tz) < 0)
				die_code(LIU_EXIT_USAGE, "invalid --tz: "
				    "'%.*s' (ny or utc)", LIU_ECHO_MAX, optarg);
			break;
		case O_VERSION:
			liu_version();
		case O_DAYS:
			o.days = 1;
			break;
		case O_BENCH_FILE:
			benchfile = optarg;
			o.bench_file = 1;
			break;
		default:
			opt_error(ch, argv, longopts);
			usage(LIU_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (!fmt)
		fmt = isatty(1) ? FMT_TABLE : FMT_NDJSON;
	o.charts = plotfile || fmt == FMT_HTML;

	an_init(&a, &o);
	if (benchfile && strcmp(benchfile, "-") == 0)
		die_code(LIU_EXIT_USAGE, "--benchmark-file needs a file, "
		    "not standard input");
	if (benchfile) {
		if (read_events(&a, benchfile, an_bench_event))
			status = LIU_EXIT_SYS;
		else if (!an_bench_name(&a))
			warn("%s: no bars for a benchmark", benchfile);
	}
	for (i = 0; i < (argc ? argc : 1) && !nd_stopped && !liu_stop; i++)
		if (read_events(&a, argc ? argv[i] : "-", an_event))
			status = LIU_EXIT_SYS;
	if (liu_stop) {
		/* interrupted: no report from half the input */
		an_release(&a);
		return liu_finish(LIU_EXIT_DATA);
	}
	an_finish(&a);
	if (nd_policy.verbose)
		warn("%llu fills, %llu fills delivered again, %llu prices, "
		    "%zu round trips, %llu open, %llu bad lines",
		    (unsigned long long)a.nfills, (unsigned long long)a.ndups,
		    (unsigned long long)a.nmarks, a.ntrips,
		    (unsigned long long)a.s.nopen,
		    (unsigned long long)nd_nbad);
	if (plotfile)
		plot_file(&a, plotfile);
	if (fmt == FMT_NDJSON) {
		an_ndjson(&a);
	} else {
		if (fmt == FMT_TABLE)
			an_table(&a, &out);
		else
			html(&a, &out);
		emit_lines(&out);
	}
	buf_release(&out);
	an_release(&a);
	i = nd_summary();
	return liu_finish(status ? status : i);
}
