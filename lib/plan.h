/*
 * plan.h: liu-plan's engine: a tradeplan.toml (tradeplan(5)) read into a
 * struct plan, the POSIX shell script that runs it, and --run.
 *
 * plan_load() turns each section of the plan into the options of the
 * program that does its part (liu-scan, liu-stream, liu-route,
 * liu-strategy, liu-order, liu-db, liu-analyze): the programs themselves
 * know nothing of TOML.  Every value of the plan reaches the script only
 * as one single-quoted shell word (plan_sh_quote()), so no value, whatever
 * it holds, is ever read by the shell as code.  A plan that is not valid
 * TOML or not a valid plan is a usage error: plan_load() reports it as
 * "PLAN:LINE:COL: what" and exits 2.
 */
#ifndef LIU_PLAN_H
#define LIU_PLAN_H

#include <stddef.h>

#include "buf.h"
#include "toml.h"

enum plan_mode { PLAN_DEFAULT, PLAN_BACKTEST, PLAN_PAPER, PLAN_LIVE };

/* What the command line asked for. */
struct plan_opts {
	enum plan_mode mode;	/* PLAN_DEFAULT: the plan's environment */
	int decode;		/* --decode */
	const char *dir;	/* -o DIR, or NULL for the default */
	const char *plan;	/* the plan's file name */
	char **files;		/* --backtest FILE ... */
	size_t nfiles;
	int no_report;		/* --no-report: the trades, no analysis */
	const char **params;	/* -p STRATEGY.KEY=VALUE, after the plan's */
	size_t nparams;
};
#define PLAN_OPTS_INIT { PLAN_DEFAULT, 0, NULL, NULL, NULL, 0, 0, NULL, 0 }

/* A list of words, each owned. */
struct plan_argv {
	char **v;
	size_t n;
};

struct plan_scanner {
	char *name;		/* the section's name */
	struct plan_argv cmd;	/* command = [...], or empty for momentum */
	struct plan_argv crit;	/* momentum's criteria: liu-scan options */
	char *provider;		/* or NULL */
	char *wait_open;	/* from_market_open, a duration, or NULL */
	char *every;		/* recurrence, a duration, or NULL */
	char *strategies;	/* target_strategy_name, liu's names, or NULL */
};

struct plan_strategy {
	char *name;		/* the section's name */
	char *run;		/* liu-strategy's NAME: built-in or ./x.so;
				   NULL for a command strategy */
	char *prefix;		/* of its -p KEY=VALUE: liu's name */
	struct plan_argv cmd;	/* command = [...] */
	struct plan_argv params;	/* KEY=VALUE, schedule included */
};

struct plan_hyper {
	char *strategy, *key;	/* the strategy's liu name, the parameter */
	int is_int;
	double min, max, delta;
	/* the grid in whole numbers: value i is (smin + i*sdelta) / scale */
	double scale;
	long long smin, sdelta;
	size_t n;		/* values, 1 or more */
};

struct plan {
	struct toml_node root;
	char *path;
	enum plan_mode env;	/* environment, or PLAN_DEFAULT */
	struct plan_argv strat_args;	/* liu-strategy's shared options */
	char *capital;		/* portfolio_value, for liu-analyze -c */
	char *broker;		/* liu-order's broker (alpaca) */
	struct plan_argv order_args;	/* [order] as liu-order sim options */
	int order_capital;	/* [order] capital given */
	const struct toml_node *sim_key;	/* the first of order_args */
	struct plan_argv stream_args;	/* [data] as liu-stream options */
	char *provider;		/* data_provider, or NULL */
	struct plan_argv symbols;	/* [data] symbols: always watched */
	char *shards;		/* [route] */
	struct plan_argv route_args;
	struct plan_argv sim_args;	/* [backtest]: --fill sim's models */
	char *scan_at;		/* [backtest] scan_at: liu-scan --at */
	char *dsn;		/* [database], or NULL */
	int database;		/* [database] present and not disabled */
	struct plan_scanner *scan;
	size_t nscan;
	struct plan_strategy *strat;
	size_t nstrat;
	char *opt_start, *opt_end;	/* [optimizer] dates, or NULL */
	struct plan_hyper *hyper;
	size_t nhyper;
};
#define PLAN_INIT { TOML_INIT, NULL, PLAN_DEFAULT, { NULL, 0 }, NULL, \
	NULL, { NULL, 0 }, 0, NULL, { NULL, 0 }, NULL, { NULL, 0 }, NULL, \
	{ NULL, 0 }, { NULL, 0 }, NULL, NULL, 0, NULL, 0, NULL, 0, \
	NULL, NULL, NULL, 0 }

/*
 * Read all of a file ("-" for standard input) into b; a read error dies
 * (exit 3).  NUL bytes are kept: b->len counts them.
 */
void plan_slurp(const char *path, struct buf *b);

/*
 * Read and check the plan in file 'path' into p (PLAN_INIT).  Any error
 * in it is reported with its position and exits 2; a read error exits 3.
 * plan_release() frees what p owns.
 */
void plan_load(struct plan *p, const char *path);
void plan_release(struct plan *p);

/*
 * Append the grid of p's [optimizer] to b, one JSON line a point
 * (liu-optimize(1)); returns the number of points.
 */
size_t plan_grid(struct buf *b, const struct plan *p);

/* Append one word to av (copied). */
void plan_argv_add(struct plan_argv *av, const char *word);
void plan_argv_release(struct plan_argv *av);

/*
 * Append s to b as one single-quoted shell word: 'it'\''s', whatever the
 * bytes (newlines, $, `, \ are inert between single quotes).  s is a C
 * string: plan_load() refuses values with NUL bytes.
 */
void plan_sh_quote(struct buf *b, const char *s);

/*
 * Append to b the POSIX shell script that runs plan p in the mode of o
 * (see liu-plan(1)).  Dies with exit 2 if the mode cannot run the plan
 * (a backtest without files).
 */
void plan_script(struct buf *b, const struct plan *p,
    const struct plan_opts *o);

/*
 * --run: run 'script' with /bin/sh and wait for it, passing SIGTERM,
 * SIGINT and SIGHUP on to it (the script passes them to every stage).
 * Returns its exit status, 128+N if a signal N ended it, or dies (exit 3)
 * if it cannot be started.
 */
int plan_run(const char *script);

#endif
