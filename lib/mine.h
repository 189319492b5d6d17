/*
 * mine.h: liu-mine, the miners: the off-market work that fills the
 * database for the scanners, strategies and reports, and the daily bars
 * of the database as a source for liu-scan --from-db.
 *
 *   daily-ohlc  daily bars over REST (lib/history) into stock_ohlc, each
 *               symbol from the last day it has stored: incremental,
 *               idempotent, one transaction a symbol (resumable)
 *   tickers     Alpaca's assets into ticker_data
 *   gainloss    the round trips of recent batches, as liu-analyze
 *               (lib/analyze) figures them, into trade_analysis and
 *               gain_loss
 *   cluster     symbols grouped by the correlation of their daily log
 *               returns (average linkage), into ticker_data or NDJSON
 *
 * The module, prefix mine_, is layer 6: it joins db with history and
 * analyze, which are of layer 5.  Files: mine.c (the REST miners),
 * mine_gain.c, mine_cluster.c, mine_bars.c.
 */
#ifndef LIU_MINE_H
#define LIU_MINE_H

#include <stdint.h>

#include "history.h"
#include "rest.h"

struct mine_opts {
	const char *dsn;	/* NULL: $LIU_DSN, then libpq's PG* */
	enum hist_provider provider;
	const char *url;	/* market data base URL; NULL: env/default */
	const char *trading_url;	/* Alpaca's trading API */
	const char *feed;	/* Alpaca: iex or sip; NULL: the plan's */
	struct rest_opts rest;
	int64_t since;		/* daily-ohlc: the first day of a symbol
				   without bars stored; INT64_MIN: a year
				   before now */
	int from_assets;	/* daily-ohlc: the tradable assets */
	int days;		/* gainloss: batches started in the last N
				   days; cluster: the window of returns */
	double max_distance;	/* cluster: the cut, 1 - correlation */
	int min_days;		/* cluster: least common returns a pair */
	int ndjson;		/* cluster: events, not ticker_data */
	int progress;		/* a progress line on stderr */
	int verbose;
};
#define MINE_OPTS_INIT { NULL, HIST_ALPACA, NULL, NULL, NULL, \
	REST_OPTS_INIT, INT64_MIN, 0, 0, 0.5, 5, 0, 0, 0 }

/*
 * The miners.  Each returns the exit status: 0, LIU_EXIT_DATA when
 * something was reported and skipped (a bad record, a symbol the provider
 * does not have), LIU_EXIT_SYS on a database error (what was committed
 * before stays).  They die with LIU_EXIT_USAGE for missing keys or a
 * refused URL, and as hist_run() does when a provider refuses.
 */
int mine_daily_ohlc(const struct mine_opts *o, char **syms, int nsyms);
int mine_tickers(const struct mine_opts *o);
int mine_gainloss(const struct mine_opts *o);
int mine_cluster(const struct mine_opts *o);

/*
 * stock_ohlc as daily bar events, in order of day then symbol, for
 * liu-scan --from-db: mine_bars_open() connects (dies with LIU_EXIT_SYS
 * when it cannot); mine_bars_next() fills *ev with the next bar (tf "1d",
 * t the UTC midnight of its day) and returns 1, 0 at the end, -1 after
 * reporting a database error.  The strings of *ev live until the next
 * call.
 */
struct mine_bars;
struct ev;
struct mine_bars *mine_bars_open(const char *dsn);
int mine_bars_next(void *bars, struct ev *ev);
void mine_bars_close(struct mine_bars *b);

#endif
