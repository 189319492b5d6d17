/*
 * liu-plan: read a tradeplan.toml and print the POSIX shell script that
 * runs the plan's pipeline (a backtest over saved events, or a paper or
 * live session), or with --run execute that script and supervise it.
 * --decode is the TOML decoder alone, as the toml-test suite drives one.
 * The plan is lib/plan.c, the script lib/plan_sh.c, --run lib/plan_run.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "opt.h"
#include "plan.h"
#include "proc.h"
#include "toml.h"
#include "util.h"
#include "banned.h"

static const char *const usage_text[] = {
	"usage: liu-plan [--run] [-o DIR] [-p STRATEGY.KEY=VALUE ...]",
	"                [--backtest FILE ... [--no-report] | --paper |",
	"                --live] PLAN",
	"       liu-plan --grid PLAN",
	"       liu-plan --decode",
	"       liu-plan -h | --help | --version",
	"PLAN is a tradeplan.toml; see tradeplan(5).",
	"See liu-plan(1).",
	NULL
};

static _Noreturn void
usage(int status)
{
	opt_usage(usage_text, status);
}

enum { O_VERSION = 300, O_BACKTEST, O_PAPER, O_LIVE, O_RUN, O_DECODE,
	O_GRID, O_NO_REPORT };

static const struct option longopts[] = {
	{ "backtest", no_argument, NULL, O_BACKTEST },
	{ "decode", no_argument, NULL, O_DECODE },
	{ "grid", no_argument, NULL, O_GRID },
	{ "help", no_argument, NULL, 'h' },
	{ "live", no_argument, NULL, O_LIVE },
	{ "no-report", no_argument, NULL, O_NO_REPORT },
	{ "out", required_argument, NULL, 'o' },
	{ "paper", no_argument, NULL, O_PAPER },
	{ "param", required_argument, NULL, 'p' },
	{ "run", no_argument, NULL, O_RUN },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

/* --decode: TOML on stdin, toml-test's tagged JSON on stdout. */
static int
decode(void)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct toml_node root = TOML_INIT;
	char err[256];
	int line, col;

	plan_slurp("-", &in);
	if (toml_parse(in.p, in.len, &root, err, sizeof err, &line, &col)) {
		warn("<stdin>:%d:%d: %s", line, col, err);
		buf_release(&in);
		return LIU_EXIT_DATA;
	}
	toml_tagged_json(&out, &root);
	buf_addc(&out, '\n');
	fwrite(out.p, 1, out.len, stdout);
	toml_release(&root);
	buf_release(&in);
	buf_release(&out);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct plan_opts o = PLAN_OPTS_INIT;
	struct plan plan = PLAN_INIT;
	struct buf script = BUF_INIT;
	int ch, run = 0, modes = 0, grid = 0, status;
	size_t n;

	liu_init(argv[0]);
	opterr = 0;
	o.params = xcalloc((size_t)argc, sizeof *o.params);
	while ((ch = getopt_long(argc, argv, ":ho:p:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': usage(0);
		case 'o': o.dir = optarg; break;
		case 'p':
			n = strcspn(optarg, "=");
			if (n == 0 || optarg[n] != '=' ||
			    optarg[n + 1] == '\0' ||
			    memchr(optarg, '.', n) == NULL) {
				warn("-p '%s': STRATEGY.KEY=VALUE is needed",
				    optarg);
				usage(LIU_EXIT_USAGE);
			}
			o.params[o.nparams++] = optarg;
			break;
		case O_GRID: grid = 1; break;
		case O_NO_REPORT: o.no_report = 1; break;
		case O_BACKTEST: o.mode = PLAN_BACKTEST; modes++; break;
		case O_PAPER: o.mode = PLAN_PAPER; modes++; break;
		case O_LIVE: o.mode = PLAN_LIVE; modes++; break;
		case O_RUN: run = 1; break;
		case O_DECODE: o.decode = 1; break;
		case O_VERSION: liu_version();
		default:
			opt_error(ch, argv, longopts);
			usage(LIU_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (o.decode) {
		if (argc || modes || run || o.dir || grid || o.nparams ||
		    o.no_report)
			usage(LIU_EXIT_USAGE);
		free(o.params);
		return liu_finish(decode());
	}
	if (grid) {
		if (argc != 1 || modes || run || o.dir || o.nparams ||
		    o.no_report)
			usage(LIU_EXIT_USAGE);
		plan_load(&plan, argv[0]);
		if (plan.nhyper == 0)
			die_code(LIU_EXIT_USAGE, "%s: no [optimizer."
			    "hyperparameters.strategies.NAME] in the plan",
			    plan.path);
		plan_grid(&script, &plan);
		fwrite(script.p, 1, script.len, stdout);
		buf_release(&script);
		plan_release(&plan);
		free(o.params);
		return liu_finish(0);
	}
	if (modes > 1 || argc < 1 || (argc > 1 && o.mode != PLAN_BACKTEST) ||
	    (o.no_report && o.mode != PLAN_BACKTEST))
		usage(LIU_EXIT_USAGE);
	o.files = argv;
	o.nfiles = (size_t)argc - 1;
	o.plan = argv[argc - 1];
	plan_load(&plan, o.plan);
	plan_script(&script, &plan, &o);
	if (run) {
		status = plan_run(script.p);
	} else {
		fwrite(script.p, 1, script.len, stdout);
		status = 0;
	}
	buf_release(&script);
	plan_release(&plan);
	free(o.params);
	return liu_finish(status);
}
