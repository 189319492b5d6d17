/*
 * scan_impl.h: what the parts of liu-scan share with each other and with
 * nobody else.  Only lib/scan*.c include it; programs use scan.h.
 *
 * Data flows one way: a source (scan_fetch.c over REST, scan_from.c over
 * saved bars) fills a struct scan_set with one snapshot a symbol, as of
 * one instant, and hands it to scan_eval() (scan.c), which applies the
 * criteria and --where (scan_where.c) and writes the events.  A source
 * owns its set; scan_eval() may reorder it but keeps nothing of it.
 */
#ifndef LIU_SCAN_IMPL_H
#define LIU_SCAN_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "rest.h"
#include "scan.h"
#include "sym.h"

/*
 * One symbol as a scan sees it.  Every price is in dollars and every
 * volume in shares; the fields a source does not know are NAN, but the
 * six a scan needs never are: a source leaves out a symbol it cannot fill
 * them for.
 */
struct scan_snap {
	char sym[33];		/* 1 to 32 printable ASCII characters */
	double price;		/* the last price */
	double change_pct;	/* (price - prev_close) * 100 / prev_close */
	double volume;		/* today's volume so far */
	double prev_close;	/* the previous day's close */
	double prev_volume;	/* the previous day's volume */
	double dollar_volume;	/* prev_close * prev_volume */
	double vwap, open, high, low;	/* today's, or NAN */
};

struct scan_set {
	struct scan_snap *v;	/* owned */
	size_t n, cap;
};
#define SCAN_SET_INIT { NULL, 0, 0 }

/* A new snapshot at the end of the set, zeroed but for NAN optionals. */
struct scan_snap *scan_set_add(struct scan_set *set);
void scan_set_release(struct scan_set *set);

/*
 * Fill the derived fields of a snapshot whose price, prev_close and
 * prev_volume are set: change_pct and dollar_volume.  Returns 0, or -1
 * when a price is not finite and positive or a volume not finite and
 * non-negative (nothing can be said of the symbol).
 */
int scan_snap_derive(struct scan_snap *sn);

/* Whether s is a symbol as the contract has it: 1 to 32 of '!' to '~'. */
int scan_sym_ok(const char *s, size_t n);

/* scan.c: the run's state, and what a source hands its snapshots to. */
struct scan {
	const struct scan_opts *o;
	struct symtab picked;	/* the symbols picked so far in the run */
	long npicked;
	struct buf line;	/* the event being written */
	struct buf strategies;	/* ',"strategies":[...]', or empty */
	uint64_t nwhere_err;	/* --where failed on a snapshot */
	uint64_t nscans, nsnaps;
	int status;		/* LIU_EXIT_DATA once anything was skipped */
};

/*
 * Apply the scanner to the snapshots of 'set', as of instant t, and write
 * its events: every snapshot (--where true) in symbol order, or the picks
 * not picked before, in order of volume, up to what --max-symbols leaves.
 * Reorders the set.
 */
void scan_eval(struct scan *s, struct scan_set *set, int64_t t);

/*
 * Forget the picks so far: a new day of --from is a new run, with its own
 * --max-symbols and its own picks.
 */
void scan_forget_picks(struct scan *s);

/* scan_where.c */

/*
 * Evaluate the expression on the snapshot as scan_eval() writes it (the
 * event "snapshot" at t).  Returns 1 when its first output is neither
 * false nor null, 0 when it is or there is none, -1 on a jq error, with
 * *err set to jq's message, valid until the next call.
 */
int scan_where_test(struct scan_where *w, const struct scan_snap *sn,
    int64_t t, const char **err);

/* scan_fetch.c: the providers. */
struct scan_src {
	const struct scan_opts *o;
	const char *name;	/* "alpaca" or "polygon" */
	struct rest data;	/* market data */
	struct rest trading;	/* Alpaca: the trading API, for assets */
	struct buf target, body, str, msg, wrap;
	struct json j;
	char **universe;	/* Alpaca: the symbols to ask for, owned */
	size_t nuniv;
	int have_universe;
	uint64_t nbad;		/* bad records, this run */
	uint64_t nodata;	/* symbols without the data a scan needs */
	uint64_t nchunks;	/* snapshot requests, this run */
};

/* Check the keys, open the connections.  Dies as scan_run() says. */
void scan_src_open(struct scan_src *src, const struct scan_opts *o);

/*
 * One scan: the snapshots of the market (or of --symbols) into 'set'
 * (emptied first).  Returns 0, or LIU_EXIT_DATA when something was
 * reported and skipped (bad records, a chunk whose request failed or
 * whose body was not JSON, a universe that could not be had: then the
 * set is empty).  Dies when the provider refuses the keys.
 */
int scan_src_fetch(struct scan_src *src, struct scan_set *set);
void scan_src_close(struct scan_src *src);

/* scan_from.c */

/*
 * Scan the bars of o->from, day by day, as scan.h says; returns 0 or
 * LIU_EXIT_DATA (bad lines, reported through the bad-line policy).
 */
int scan_from_run(struct scan *s);

#endif
