/*
 * fincalc.h: financial calculations on bars: candle patterns, support and
 * resistance levels, the last swing low (a stop), volatility.
 *
 * Candle terms, for a bar with open o, high h, low l, close c:
 *	range = h - l
 *	body  = |c - o|
 *	upper shadow = h - max(o, c)
 *	lower shadow = min(o, c) - l
 *
 * Single-candle patterns (fc_candle() returns a mask of these):
 *	FC_BULLISH	c > o.
 *	FC_BEARISH	c < o.
 *	FC_DOJI		range > 0 and body <= 10% of range.
 *	FC_FOUR_PRICE_DOJI  o == h == l == c (range 0).  Not FC_DOJI.
 *	FC_GRAVESTONE_DOJI  a doji whose lower shadow is <= 10% of range
 *			(open and close at the low, a long upper shadow).
 *	FC_DRAGONFLY_DOJI   a doji whose upper shadow is <= 10% of range
 *			(open and close at the high, a long lower shadow).
 *	FC_SPINNING_TOP	not a doji, body <= 30% of range, and each
 *			shadow >= 25% of range (a small body in the middle).
 *
 * Two-candle patterns (fc_candle2(prev, cur) returns a mask of these):
 *	FC_BULLISH_ENGULFING  prev bearish, cur bullish, cur.o <= prev.c,
 *			cur.c >= prev.o, and cur's body > prev's body.
 *	FC_BEARISH_ENGULFING  prev bullish, cur bearish, cur.o >= prev.c,
 *			cur.c <= prev.o, and cur's body > prev's body.
 *	FC_BULLISH_HARAMI  prev bearish, cur bullish, cur's body strictly
 *			inside prev's (cur.o > prev.c, cur.c < prev.o).
 *	FC_BEARISH_HARAMI  prev bullish, cur bearish, cur.o < prev.c,
 *			cur.c > prev.o.
 *	FC_DOJI_BULLISH_FOLLOW  prev a doji (any kind, four-price
 *			included), cur bullish and cur.c > prev.h: the
 *			indecision resolved upwards.
 *	FC_DOJI_BEARISH_FOLLOW  prev a doji, cur bearish and cur.c < prev.l.
 *
 * Comparisons are exact on the doubles given; no tolerance is applied.
 */
#ifndef LIU_FINCALC_H
#define LIU_FINCALC_H

#include <stddef.h>
#include <stdint.h>

#include "bars.h"

enum {
	FC_BULLISH = 1 << 0,
	FC_BEARISH = 1 << 1,
	FC_DOJI = 1 << 2,
	FC_FOUR_PRICE_DOJI = 1 << 3,
	FC_GRAVESTONE_DOJI = 1 << 4,
	FC_DRAGONFLY_DOJI = 1 << 5,
	FC_SPINNING_TOP = 1 << 6,
	FC_BULLISH_ENGULFING = 1 << 8,
	FC_BEARISH_ENGULFING = 1 << 9,
	FC_BULLISH_HARAMI = 1 << 10,
	FC_BEARISH_HARAMI = 1 << 11,
	FC_DOJI_BULLISH_FOLLOW = 1 << 12,
	FC_DOJI_BEARISH_FOLLOW = 1 << 13
};

/* The single-candle patterns of b, a mask of FC_* (0 for none). */
unsigned fc_candle(const struct bar *b);
/* The two-candle patterns of prev followed by cur. */
unsigned fc_candle2(const struct bar *prev, const struct bar *cur);
/*
 * The name of one pattern bit ("doji", "bullish_engulfing", ...), or NULL
 * if 'bit' is not exactly one known pattern.
 */
const char *fc_pattern_name(unsigned bit);

/* A support or resistance level. */
enum fc_level_kind { FC_SUPPORT, FC_RESISTANCE };
struct fc_level {
	enum fc_level_kind kind;
	double price;		/* the mean of the grouped extremes */
	int touches;		/* how many extremes were grouped */
	int64_t t;		/* start of the newest bar in the group */
};

/*
 * Support and resistance levels of n bars (oldest first; callers pass
 * 5-minute bars, see bar_resample()).  A support candidate is a local
 * minimum of the lows: l[i] < l[i-1] and l[i] <= l[i+1] (the first bar
 * of a flat bottom); a resistance candidate a local maximum of the highs,
 * symmetrically.  The first and last bars are never candidates.
 * Candidates of one kind are sorted by price and grouped: a candidate
 * joins the current group while it is within margin * (group's lowest
 * price) of the group's lowest price (margin is a fraction, 0.002 =
 * 0.2%).  Writes at most cap levels, supports first then resistances,
 * each by increasing price, and returns the number written.
 */
size_t fc_levels(const struct bar *b, size_t n, double margin,
    struct fc_level *out, size_t cap);

/*
 * The levels of a symbol's history: the bars of ring r resampled into
 * buckets of tf ns (5 minutes: 5 * 60 * 1000000000), then fc_levels().
 * Dies on out of memory only.
 */
size_t fc_ring_levels(const struct bar_ring *r, int64_t tf, double margin,
    struct fc_level *out, size_t cap);

/*
 * The last swing low of n bars (oldest first) that is strictly below
 * 'below': the newest i with 0 < i < n - 1, l[i] < l[i-1], l[i] <= l[i+1]
 * and l[i] < below.  Returns that low, or NAN if there is none.
 */
double fc_find_stop(const struct bar *b, size_t n, double below);

/*
 * The last swing high strictly above 'above' (for short positions),
 * symmetric to fc_find_stop().  NAN if none.
 */
double fc_find_stop_high(const struct bar *b, size_t n, double above);

/*
 * Volatility: the population standard deviation of the n - 1 log returns
 * ln(c[i] / c[i-1]) of n bars.  NAN if n < 2 or a close is not positive.
 * Not annualised: multiply by sqrt(bars per year) for that.
 */
double fc_volatility(const struct bar *b, size_t n);

#endif
