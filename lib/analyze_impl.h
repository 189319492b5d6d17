/*
 * analyze_impl.h: what the parts of liu-analyze share with each other and
 * with nobody else.  Only lib/analyze_*.c include it; programs and tests
 * use analyze.h.
 *
 * The analysis is one module, prefix an_, in six files along its seams:
 *   analyze_money.c    exact decimals: read, divide, print
 *   analyze_trips.c    events in: fills matched into round trips, prices
 *                      marking positions, the equity samples
 *   analyze_figures.c  an_finish(): the summary, the groups, drawdown,
 *                      the returns and their ratios
 *   analyze_table.c    the aligned text tables and the HTML report
 *   analyze_ndjson.c   the analysis and summary events
 *   analyze_plot.c     the gnuplot script, and running gnuplot
 * Data flows down that list: the writers read a finished struct an and
 * change nothing in it.
 */
#ifndef LIU_ANALYZE_IMPL_H
#define LIU_ANALYZE_IMPL_H

#include <stdint.h>

#include "analyze.h"
#include "buf.h"

/* Grow array p of n elements to hold one more; dies when out of memory. */
#define AN_GROW(p, n, cap) do { \
	if ((n) == (cap)) { \
		(cap) = (cap) ? (cap) * 2 : 16; \
		(p) = xrealloc((p), (cap) * sizeof(*(p))); \
	} \
} while (0)

/* analyze_money.c */

/* v in dollars, as a double (for ratios, never for money printed). */
double an_money_dbl(an_money v);

/* analyze_trips.c */

/*
 * Times run from 1678 to 2261, nearly the whole range of an int64_t, so
 * the difference of two does not always fit one; its size always fits a
 * uint64_t.  Returns |to - from|, and sets *neg if to < from.
 */
uint64_t an_t_span(int64_t from, int64_t to, int *neg);

/*
 * The exposure that began at a->exposed_since ends at t (a stream out of
 * time order adds none).
 */
void an_exposed_until(struct an *a, int64_t t);

/* The names of a key's symbol and strategy, owned by a's tables. */
const char *an_key_sym(const struct an *a, const struct an_key *k);
const char *an_key_strat(const struct an *a, const struct an_key *k);

/* analyze_figures.c */

/* A round trip's gain after fees. */
an_money an_trip_gain(const struct an_trip *tr);

/* Its R, or NAN when the stop is absent or on the wrong side. */
double an_trip_r(const struct an_trip *tr);

/* The open lots of a key, summed. */
struct an_open {
	int64_t qty, t;		/* t: the first open lot's entry */
	an_money in_val, fee, gain;	/* gain: marked to the last price */
	uint32_t batch;		/* the first open lot's */
};

/* Sum the open lots of k (which must have some) into *o. */
void an_open_sum(const struct an *a, const struct an_key *k,
    struct an_open *o);

/* analyze_table.c */

/*
 * The zone times are shown in, keeping the span [lo, hi) over which its
 * offset off holds, so a run of times costs one lookup.  Start with
 * AN_CLOCK_INIT; it owns nothing.
 */
struct an_clock {
	enum an_tz tz;
	int64_t lo, hi, off;
};
#define AN_CLOCK_INIT(tz) { (tz), 0, 0, 0 }

/* The zone's offset from UTC at instant t, in ns (0 for UTC). */
int64_t an_clock_offset(struct an_clock *c, int64_t t);

/*
 * Append instant t as RFC 3339 in the zone: "2024-03-01T09:30:00-05:00",
 * or with "Z" in UTC (and for a time too early to shift); "-" for AN_NONE.
 */
void an_clock_add(struct an_clock *c, struct buf *b, int64_t t);

/* The zone's name for a report: "New York (EST/EDT)" or "UTC". */
const char *an_tz_name(enum an_tz tz);

/* Append a period as "1m", "1d", "30s", ... or "N ns". */
void an_add_period(struct buf *b, int64_t p);

#endif
