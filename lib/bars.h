/*
 * bars.h: OHLCV bars.  Per symbol, bars are built from trades (one-second
 * and one-minute), replaced by official bars when those arrive, and kept in
 * a bounded rolling history (a ring buffer) that strategies read as
 * "close[-1]", "the last N bars" or "the bars since a time".  Bars are also
 * resampled into 2, 5, 10 or 15 minutes.
 *
 * A bar's t is its start; it covers [t, t + tf).  Buckets are aligned on
 * multiples of the timeframe since the epoch, so one-minute to 15-minute
 * buckets line up with the New York open (14:30Z and 13:30Z are multiples
 * of 15 minutes).
 */
#ifndef LIU_BARS_H
#define LIU_BARS_H

#include <stddef.h>
#include <stdint.h>

struct bar {
	int64_t t;		/* start, ns since the epoch, UTC */
	double o, h, l, c;
	double v;		/* volume */
	double vw;		/* volume-weighted price; NAN: unknown */
	double n;		/* number of trades; NAN if unknown */
};

/*
 * A ring of the newest 'cap' bars, oldest dropped first.  Bars are in
 * strictly increasing t.  The ring owns its storage.  A ring may start
 * empty with no room (BAR_RING_INIT) and grow (bar_ring_grow()) as bars
 * come, so that a symbol with few bars costs little: the engine grows its
 * rings by doubling up to the history it keeps.
 */
struct bar_ring {
	struct bar *b;		/* cap slots, owned */
	size_t cap;
	size_t len;		/* bars held, <= cap */
	size_t head;		/* slot of the newest bar */
};
#define BAR_RING_INIT { NULL, 0, 0, 0 }

/* Give an empty ring room for 'cap' (>= 1) bars; dies on out of memory. */
void bar_ring_init(struct bar_ring *r, size_t cap);
/*
 * Give a ring room for 'cap' bars, cap >= 1 and >= the bars it holds,
 * keeping them (in order); the ring then behaves as one made with room for
 * 'cap'.  Dies on out of memory; a cap below len is a bug().
 */
void bar_ring_grow(struct bar_ring *r, size_t cap);
/* Free the storage; the ring is then empty with no capacity. */
void bar_ring_release(struct bar_ring *r);

enum bar_put {
	BAR_APPENDED,		/* newer than the newest: appended */
	BAR_REPLACED,		/* same t as a bar held: replaced it */
	BAR_INSERTED,		/* older, a gap in the history: inserted */
	BAR_TOO_OLD		/* older than all of a full ring */
};

/*
 * Put a bar (copied) in its place by t: append, replace a bar with the
 * same start (an official bar replacing a built one), or insert an older
 * bar (backfill).  Never fails; the ring must have room for one bar at
 * least (a ring with none is a bug()).
 */
enum bar_put bar_ring_put(struct bar_ring *r, const struct bar *b);

/*
 * The bar 'ago' steps back from the newest: 0 is the newest bar (the
 * seed's close[-1] is bar_ring_ago(r, 0)->c).  NULL if there is no such bar.
 * The pointer stays valid until the ring changes.
 */
const struct bar *bar_ring_ago(const struct bar_ring *r, size_t ago);

/*
 * Copy the last n bars (fewer if fewer are held), oldest first, into out.
 * Returns the number copied.
 */
size_t bar_ring_last(const struct bar_ring *r, size_t n, struct bar *out);

/* The number of bars held whose start is >= t. */
size_t bar_ring_count_since(const struct bar_ring *r, int64_t t);

/*
 * A bar being built from trades for one timeframe.  Trades inside a bucket
 * already covered by an official bar ("sealed") are not built into bars.
 */
struct bar_builder {
	int64_t tf;		/* ns */
	struct bar cur;		/* the bar in progress, if open */
	double pv;		/* sum of price * size in cur */
	int open;
	int64_t sealed;		/* trades before this are not built */
};
#define BAR_BUILDER_INIT(tf) { (tf), { 0, 0, 0, 0, 0, 0, 0, 0 }, 0, 0, 0 }

/*
 * Add a trade.  If it starts a new bucket while a bar is open, the open
 * bar is finished: copied to *done and 1 is returned; the trade then opens
 * the next bar.  Returns 0 otherwise.  A trade older than the open bar, or
 * in a sealed bucket, is ignored (returns 0); callers check prices, sizes
 * and time order first.
 */
int bar_builder_trade(struct bar_builder *bb, int64_t t, double price,
    double size, struct bar *done);

/*
 * Time has reached 'now': if the open bar ends at or before it, finish it
 * into *done and return 1; else 0.
 */
int bar_builder_flush(struct bar_builder *bb, int64_t now, struct bar *done);

/*
 * An official bar starting at t arrived: drop the open bar if it is the
 * same bucket or older, and seal everything before t + tf.
 */
void bar_builder_seal(struct bar_builder *bb, int64_t t);

/* The start of the bucket of 'tf' ns that holds t. */
int64_t bar_bucket(int64_t t, int64_t tf);

/*
 * Resample n bars (oldest first, one timeframe, increasing t) into buckets
 * of 'tf' ns: o of the first, h max, l min, c of the last, v summed, vw
 * volume-weighted (NAN if any input vw is NAN or the volume is 0), n summed.
 * Writes at most 'cap' bars to out and returns the number written; a partial
 * last bucket is included.  out may not overlap in.
 */
size_t bar_resample(const struct bar *in, size_t n, int64_t tf,
    struct bar *out, size_t cap);

/*
 * A month's nominal length, 30 days: what bar_tf_parse() gives for "1mo".
 * A monthly bar's t is midnight New York time of the first of its month
 * and it ends at the next first; the nominal length orders it (a bar is
 * over at t + tf) without a calendar, and no bucket is aligned on it.
 */
#define BAR_TF_MONTH (30 * 86400 * 1000000000LL)

/*
 * Parse a timeframe name: "1s", "1m", "2m", "5m", "10m", "15m", "1h", "1d",
 * "1mo" (any positive count of s, m, h, d or mo; a month is BAR_TF_MONTH).
 * Returns ns, or -1.
 */
int64_t bar_tf_parse(const char *s);

/*
 * A bar is valid if its prices are finite and positive, l <= o, c <= h,
 * l <= h, v finite and >= 0.  Returns NULL if valid, else a static message.
 */
const char *bar_check(const struct bar *b);

#endif
