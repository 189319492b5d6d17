/*
 * history.h: liu-stream history: past bars and trades over the providers'
 * REST APIs, written as liu events in time order across symbols.
 *
 * Alpaca (market data v2): GET /v2/stocks/{sym}/bars and /trades, paged
 * by next_page_token.  Polygon: GET /v2/aggs/ticker/{sym}/range/1/minute
 * (or day)/{from}/{to} and /v3/trades/{sym}, paged by next_url, whose path
 * and query are followed on the server we were given.  Each symbol and
 * type is one source holding one page at a time; sources are merged by a
 * heap as lib/replay.c merges files.
 */
#ifndef LIU_HISTORY_H
#define LIU_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "rest.h"

enum hist_provider { HIST_ALPACA, HIST_POLYGON };
enum { HIST_BARS = 1, HIST_TRADES = 2 };

struct hist_opts {
	enum hist_provider provider;
	int64_t from, to;	/* the window [from, to), ns */
	int daily;		/* --tf 1d; else 1m */
	int types;		/* HIST_BARS | HIST_TRADES */
	const char *adjustment;	/* raw, split, dividend or all */
	const char *feed;	/* Alpaca's iex or sip; NULL: the plan's */
	const char *url;	/* --url; NULL: the environment's, or the
				   provider's own */
	struct rest_opts rest;
	int progress;		/* a progress line on stderr */
	int verbose;		/* counters at the end */
	/* where the events go: NULL, nd_emit(); else sink(sink_arg, event,
	   its length), in the same order (liu-mine) */
	void (*sink)(void *arg, const char *p, size_t n);
	void *sink_arg;
};
#define HIST_OPTS_INIT { HIST_ALPACA, INT64_MIN, INT64_MAX, 0, HIST_BARS, \
	"raw", NULL, NULL, REST_OPTS_INIT, 0, 0, NULL, NULL }

/* "alpaca" or "polygon" into *p: 0, or -1 for another name. */
int hist_provider_from(const char *s, enum hist_provider *p);

/* A --types list ("bar", "trade", "bar,trade") into *types: 0 or -1. */
int hist_types(const char *s, int *types);

/*
 * Download the bars and trades of the 'nsyms' symbols (duplicates are
 * taken once) and write them through nd_emit().  Keys come from the
 * environment (APCA_API_KEY_ID and APCA_API_SECRET_KEY, or
 * POLYGON_API_KEY).  Returns 0, or LIU_EXIT_DATA when a symbol was not
 * found (reported; the others are written) or a record of a response was
 * bad (reported and skipped).  Dies with LIU_EXIT_USAGE for missing keys,
 * a refused URL, a bad symbol or an option the provider does not have,
 * and with LIU_EXIT_DATA when the provider refuses (401, 403), keeps
 * answering 429 or 5xx after the retries, or cannot be reached; the
 * events written before that are flushed.  Stops early on liu_stop.
 */
int hist_run(const struct hist_opts *o, char *const *syms, int nsyms);

#endif
