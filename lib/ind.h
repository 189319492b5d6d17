/*
 * ind.h: incremental technical indicators.  Each indicator is a struct fed
 * one value (or one bar) at a time; an update costs O(1) (amortised O(1) for
 * the rolling highest/lowest and for the periodic exact recompute of rolling
 * sums) and never re-scans history.
 *
 * Every indicator has an init function, an update function that returns 1
 * when its value fields are valid and 0 during warm-up (value fields are NAN
 * then), and, if it owns memory, a release function that frees it (the
 * struct must be initialised again before reuse).  Nothing here fails: an
 * init that allocates dies on out of memory, and a period below the
 * minimum is a bug() (ind_spec_parse() checks what users give).  Updates
 * take finite values; what a NaN or an infinity does is unspecified.
 * The conventions are TA-Lib's (see liu-ta(1), "Conventions"):
 *
 *	SMA, WMA, stddev, bbands, slope, highest, lowest: valid from value n
 *	EMA: alpha 2/(n+1), seeded with the SMA of the first n values; valid
 *	    from value n
 *	MACD(f, s, g): EMA(f) - EMA(s), the fast EMA seeded with the SMA of the
 *	    f values ending where the slow EMA's seed ends (TA-Lib aligns them);
 *	    signal is EMA(g) of the MACD line seeded with its SMA; hist is
 *	    macd - signal; all three valid from value s + g - 1
 *	RSI(n): Wilder smoothing seeded with the plain mean of the first n
 *	    gains and losses; valid from value n + 1
 *	ATR(n): the first bar has no true range (TA-Lib skips it); the first
 *	    ATR is the mean of the next n true ranges; valid from bar n + 1
 *	stddev, bbands: population sigma
 *	VWAP: session-anchored, see struct ind_vwap
 *
 * Bar-based indicators (the generic struct ind) read the close, except ATR
 * (high, low, close), VWAP (bar vw or typical price, and volume), highest
 * (high) and lowest (low).
 */
#ifndef LIU_IND_H
#define LIU_IND_H

#include <stddef.h>
#include <stdint.h>

#include "bars.h"
#include "buf.h"

/* One bar as the bar-based indicators see it. */
/*
 * A fixed window of the last n values, the base of the rolling indicators.
 * Owns ring.  count is the number of values seen (saturating at INT64_MAX
 * never matters: only count < n is tested).
 */
struct ind_win {
	int n;
	int pos;		/* where the next value goes */
	int64_t count;		/* values seen so far */
	double *ring;		/* n values, owned */
};

/* Simple moving average; sum is Neumaier-compensated. */
struct ind_sma {
	struct ind_win w;
	double sum, comp;
	double value;
};
/* Dies on out of memory only.  n >= 1. */
void ind_sma_init(struct ind_sma *s, int n);
int ind_sma_update(struct ind_sma *s, double x);
void ind_sma_release(struct ind_sma *s);

/* Exponential moving average, TA-Lib seeded.  Owns nothing. */
struct ind_ema {
	int n;
	int64_t count;
	double alpha;		/* 2/(n+1) */
	double seed;		/* sum of the first n values */
	double value;
};
void ind_ema_init(struct ind_ema *e, int n);
int ind_ema_update(struct ind_ema *e, double x);

/* Weighted moving average, weights 1..n (the newest weighs n). */
struct ind_wma {
	struct ind_win w;
	double sum, wsum;	/* sum of values, sum of weight * value */
	double value;
};
void ind_wma_init(struct ind_wma *m, int n);
int ind_wma_update(struct ind_wma *m, double x);
void ind_wma_release(struct ind_wma *m);

/* MACD (TA-Lib alignment; fast > slow are swapped as TA-Lib does). */
struct ind_macd {
	int fast, slow, signal;
	int64_t count;
	struct ind_ema efast, eslow, esig;
	double macd, sig, hist;
};
void ind_macd_init(struct ind_macd *m, int fast, int slow, int signal);
int ind_macd_update(struct ind_macd *m, double x);

/* Relative strength index, Wilder. */
struct ind_rsi {
	int n;
	int64_t count;
	double prev;		/* previous value */
	double gain, loss;	/* average gain and loss (sums in warm-up) */
	double value;
};
void ind_rsi_init(struct ind_rsi *r, int n);
int ind_rsi_update(struct ind_rsi *r, double x);

/* Average true range, Wilder. */
struct ind_atr {
	int n;
	int64_t count;
	double prevc;		/* previous close */
	double atr;		/* running ATR (a sum during warm-up) */
	double value;
};
void ind_atr_init(struct ind_atr *a, int n);
int ind_atr_update(struct ind_atr *a, double h, double l, double c);

/*
 * Rolling population standard deviation.  Sums are kept of the values minus
 * a shift (a recent mean), recomputed exactly from the window every n
 * values, so neither cancellation nor drift loses precision.
 */
struct ind_stddev {
	struct ind_win w;
	double shift;
	double s1, s2;		/* sum of (x - shift), of (x - shift)^2 */
	double mean, value;
};
void ind_stddev_init(struct ind_stddev *s, int n);
int ind_stddev_update(struct ind_stddev *s, double x);
void ind_stddev_release(struct ind_stddev *s);

/* Bollinger bands: SMA(n) +- k population sigmas. */
struct ind_bbands {
	struct ind_stddev sd;
	double k;
	double mid, upper, lower;
};
void ind_bbands_init(struct ind_bbands *b, int n, double k);
int ind_bbands_update(struct ind_bbands *b, double x);
void ind_bbands_release(struct ind_bbands *b);

/*
 * Session VWAP: sum(p * v) / sum(v) over the bars of the current session,
 * where p is the bar's vw when it is finite and positive, else the typical
 * price (h + l + c) / 3.  A session starts at 'anchor' nanoseconds after
 * midnight New York time (US Eastern, with its daylight saving rules) each
 * day: a bar whose session day differs from the previous bar's resets the
 * sums.  anchor 0 resets when the New York date changes.  Not valid (NAN)
 * while the session's volume is 0.
 */
struct ind_vwap {
	int64_t anchor;
	int64_t day;		/* last bar's session day, INT64_MIN: none */
	int64_t off, off_lo, off_hi;	/* New York offset, valid in [lo, hi) */
	double pv, v;
	double value;
};
void ind_vwap_init(struct ind_vwap *w, int64_t anchor);
int ind_vwap_update(struct ind_vwap *w, const struct bar *b);

/*
 * Rolling highest (want_max 1) or lowest (0) of the last n values, with a
 * monotonic deque: amortised O(1).  Owns its storage.
 */
struct ind_minmax {
	int n, want_max;
	int64_t count;
	int64_t *idx;		/* deque of value numbers, n slots, owned */
	double *val;		/* their values */
	int head, len;
	double value;
};
void ind_minmax_init(struct ind_minmax *m, int n, int want_max);
int ind_minmax_update(struct ind_minmax *m, double x);
void ind_minmax_release(struct ind_minmax *m);

/*
 * Least-squares slope of the last n values against 0..n-1 (value per step),
 * from shifted rolling sums recomputed exactly every n values.  n >= 2.
 */
struct ind_slope {
	struct ind_win w;
	double shift;
	double sy, sxy;		/* sum of y - shift, sum of x (y - shift) */
	double value;
};
void ind_slope_init(struct ind_slope *s, int n);
int ind_slope_update(struct ind_slope *s, double x);
void ind_slope_release(struct ind_slope *s);

/* Specs and the generic wrapper. */

enum ind_kind {
	IND_SMA, IND_EMA, IND_WMA, IND_MACD, IND_RSI, IND_ATR, IND_BBANDS,
	IND_STDDEV, IND_VWAP, IND_HIGHEST, IND_LOWEST, IND_SLOPE, IND_NKINDS
};

#define IND_MAXPARAM 3
#define IND_MAXOUT 3
#define IND_NAME_MAX 48

/*
 * A parsed indicator spec such as "macd:12,26,9".  p[] holds the parameters
 * with defaults filled in (periods are whole numbers); for vwap p[0] is the
 * anchor in minutes after New York midnight ("vwap:09:30" gives 570).
 * name[] are the output field names, set by ind_spec_parse() to the plain
 * names and changed by ind_spec_names() when specs collide.
 */
struct ind_spec {
	enum ind_kind kind;
	int np;			/* parameters given or defaulted */
	double p[IND_MAXPARAM];
	int nout;		/* output fields */
	char name[IND_MAXOUT][IND_NAME_MAX];
};

/*
 * Parse a spec "KIND[:P1[,P2[,P3]]]": sma:20 ema:20 wma:20 macd:12,26,9
 * rsi:14 atr:14 bbands:20,2 stddev:20 vwap[:HH:MM] highest:20 lowest:20
 * slope:20 (the defaults shown).  Returns 0, or -1 with *err set to a
 * static message.  Owns nothing.
 */
int ind_spec_parse(const char *s, struct ind_spec *sp, const char **err);

/*
 * Give 'n' specs unique field names: a spec whose names are already taken
 * by an earlier spec gets its parameters appended to each of its names
 * ("macd_5_35_5", "macd_signal_5_35_5", "bb_mid_10_1p5": '.' becomes 'p').
 * Returns 0, or -1 with *err set if two specs are identical.
 */
int ind_spec_names(struct ind_spec *sp, int n, const char **err);

/* The kind's name ("macd"), and the kind of a name or -1. */
const char *ind_kind_name(enum ind_kind k);
int ind_kind_from(const char *s, size_t len);

/*
 * One indicator of any kind.  Small (the spec is not copied), since a
 * program keeps one per indicator, symbol and timeframe, and touches them
 * all in turn.
 */
struct ind {
	const struct ind_spec *spec;	/* not owned */
	enum ind_kind kind;
	int ready;		/* the last update returned 1 */
	union {
		struct ind_sma sma;
		struct ind_ema ema;
		struct ind_wma wma;
		struct ind_macd macd;
		struct ind_rsi rsi;
		struct ind_atr atr;
		struct ind_bbands bb;
		struct ind_stddev sd;
		struct ind_vwap vwap;
		struct ind_minmax mm;
		struct ind_slope slope;
	} u;
};

/*
 * Set up an indicator for a spec, which is not copied and must outlive the
 * indicator.  Dies on out of memory only.
 */
void ind_init(struct ind *in, const struct ind_spec *sp);
/* Free what the indicator owns; it must be ind_init()ed again to be used. */
void ind_release(struct ind *in);
/* Feed one bar; returns 1 when the outputs are valid, 0 during warm-up. */
int ind_update_bar(struct ind *in, const struct bar *b);
/* Output i (0 <= i < spec.nout), NAN during warm-up. */
double ind_out(const struct ind *in, int i);
/*
 * A saved state of an indicator, to go back to: liu-ta takes back the last
 * bar of a series when an updated bar replaces it, by going back to a
 * saved state and feeding again the bars since.  ind_save() copies the
 * indicator, its window included; ind_restore() puts that state back into
 * the indicator it was saved from (any other is a bug()), after which the
 * same bars give the same outputs, bit for bit, as they did after the
 * save.  The saved state is made with IND_SAVED_INIT, may be saved into
 * again and again, and owns its copy of the window until
 * ind_saved_release().  Saving dies on out of memory only.
 */
struct ind_saved {
	struct ind in;		/* as it was: its pointers are the saved
				   indicator's */
	char *win;		/* a copy of its window, owned, or NULL */
	size_t cap;		/* bytes allocated at win */
};
#define IND_SAVED_INIT { .win = NULL, .cap = 0 }
void ind_save(const struct ind *in, struct ind_saved *sv);
void ind_restore(struct ind *in, const struct ind_saved *sv);
void ind_saved_release(struct ind_saved *sv);

/*
 * Where output i of an indicator of kind k is kept: once the indicator is
 * ready, ind_out(in, i) is the double at (char *)in + ind_out_offset(k, i).
 * The same for every indicator of the kind, so a caller that reads many
 * may compute it once.
 */
size_t ind_out_offset(enum ind_kind k, int i);

/*
 * Numbers.  Indicator values are written rounded to a number of
 * significant digits (liu-ta --digits) by numfmt_digits(): relative, so a
 * MACD histogram near zero keeps as many digits as a price.
 * IND_DIGITS_EXACT instead writes the shortest decimal that reads back as
 * the same double, by numfmt_shortest() as json_add_num() does.
 */
#define IND_DIGITS_DEFAULT 12
#define IND_DIGITS_EXACT 17

/*
 * Append v to b: rounded to 'digits' (1 to 16) significant digits, or
 * shortest for IND_DIGITS_EXACT (and more).  A digits below 1 is a bug();
 * dies on out of memory only.
 */
void ind_add_num(struct buf *b, double v, int digits);
/*
 * Append `,"NAME":VALUE` for each output to b; VALUE is null during
 * warm-up, else ind_add_num()'s text with 'digits'.
 */
void ind_add_json(const struct ind *in, struct buf *b, int digits);

/*
 * The output fields of an array of indicators, for writing them all at
 * once (liu-ta writes ten or so per bar): each names its indicator by its
 * index in the array and holds its `,"NAME":` text.
 */
struct ind_field {
	char lit[IND_NAME_MAX + 8];	/* `,"NAME":`, NUL-padded */
	size_t len;			/* its length */
	int ind;			/* the indicator's index */
	size_t at;			/* ind * sizeof(struct ind) */
	size_t off;			/* ind_out_offset() of the output */
};
/*
 * Fill f[] (room for the sum of the specs' nout) with the output fields of
 * the n specs sp[], in order; returns their number.  Owns nothing.
 */
int ind_fields(const struct ind_spec *sp, int n, struct ind_field *f);
/*
 * Append `,"NAME":VALUE` for each of the nf fields f[] of the indicators
 * in[] (made from the same specs) to b, as ind_add_json() would, in one
 * pass.  Dies on out of memory only.
 */
void ind_add_fields(struct buf *b, const struct ind *in,
    const struct ind_field *f, int nf, int digits);

#endif
