/*
 * analyze.h: end-of-session analysis of fills (liu-analyze).
 *
 * Fills are matched into round trips first in, first out, per (strategy,
 * symbol), long and short; bars and trades mark open positions to market.
 * At the end an_finish() computes the portfolio figures and the writers
 * print a table, NDJSON events, an HTML report or a gnuplot chart.
 *
 * Money is exact.  Prices and quantities are read from their decimal text
 * and rounded half-even to millionths (micro-dollars, micro-shares, int64);
 * a price times a quantity is then an exact integer of 10^-12 dollars
 * (an_money, a 128-bit integer), and every sum of money is exact.  Figures
 * are rounded half-even to the cent only when they are printed; a fee split
 * between the round trips of one fill is shared in proportion to quantity,
 * rounded half-even to 10^-12 dollars, with the last share taking the rest,
 * so the shares always add up to the fee.
 *
 * The code is in lib/analyze_*.c, one file per part (money, trips,
 * figures, table, ndjson, plot); analyze_impl.h has the map.
 */
#ifndef LIU_ANALYZE_H
#define LIU_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"
#include "sym.h"

/* Exact money in 10^-12 dollars (a GCC/Clang extension; C11 has none). */
__extension__ typedef __int128 an_money;

#define AN_SCALE 1000000LL		/* prices and quantities: 10^-6 */
#define AN_MONEY_PER_DOLLAR ((an_money)AN_SCALE * AN_SCALE)
#define AN_NONE INT64_MIN		/* an absent price */

/* The zone the table, the HTML report and the charts show times in. */
enum an_tz {
	AN_TZ_NY,		/* New York: EST or EDT, by lib/cal's rules */
	AN_TZ_UTC
};

struct an_opts {
	an_money capital;	/* starting capital */
	double rf;		/* annual risk-free rate, 0.02 for 2% */
	const char *benchmark;	/* symbol for buy and hold, or NULL */
	int bench_file;		/* its prices come from an_bench_event() */
	int days;		/* write the days (table, NDJSON, HTML) */
	int64_t period;		/* return period in ns; 0 = auto */
	int charts;		/* keep price series for the charts */
	enum an_tz tz;		/* of the table, HTML and charts (not NDJSON) */
};
#define AN_OPTS_INIT { 100000 * AN_MONEY_PER_DOLLAR, 0, NULL, 0, 0, 0, 0, \
	AN_TZ_NY }

/* One fill, checked and in exact units. */
struct an_fill {
	int64_t t;
	const char *sym, *strategy, *batch, *id;
	const char *exec_id;	/* "" when absent */
	enum ev_side side;
	int64_t qty, price;	/* 10^-6 shares, 10^-6 dollars, > 0 */
	int64_t fee;		/* 10^-6 dollars, 0 when absent */
	int64_t stop;		/* stop_loss, 10^-6 dollars, or AN_NONE */
};

/* A round trip: one entry order's shares closed by one exit order. */
struct an_trip {
	uint32_t key;		/* index in an.keys */
	uint32_t batch;		/* id in an.batches */
	int side;		/* 1 long, -1 short */
	int64_t t_in, t_out;	/* first entry fill, last exit fill */
	int64_t qty;		/* 10^-6 shares */
	an_money in_val, out_val;	/* sums of price times qty */
	an_money fees;		/* entry and exit fees, shared by qty */
	int64_t stop;		/* first entry fill's stop_loss, AN_NONE */
	uint64_t in_id, out_id;	/* hashes of the order ids */
};

/* An open lot: what is left of one entry fill. */
struct an_lot {
	int64_t t, qty, price, stop;
	an_money fee;		/* the entry fee not yet shared out */
	uint64_t id;
	uint32_t batch;
};

/* The position of one (strategy, symbol). */
struct an_key {
	uint32_t sym, strat;
	int side;		/* of the open lots: 1, -1, 0 when flat */
	struct an_lot *lots;	/* FIFO: lots[head .. n) are open */
	size_t head, n, cap;
	int64_t qty;		/* open 10^-6 shares */
	size_t last_trip;	/* index + 1 of its last round trip, or 0 */
};

/* Per symbol: net position, prices seen, chart data. */
struct an_point {
	int64_t t, price;
};
struct an_marker {
	int64_t t, price;
	int buy;		/* buy or buy_to_cover, else a sell */
};
struct an_sym {
	int64_t net;		/* 10^-6 shares over all strategies */
	int64_t last;		/* last price seen, AN_NONE before any */
	struct an_point *pts;	/* with opts.charts */
	size_t npts, ptscap;
	struct an_marker *marks;	/* with opts.charts */
	size_t nmarks, markscap;
	uint64_t trips;
};

struct an_sample {
	int64_t t;
	an_money eq;
};

/* A session day of a run: the equity and the benchmark at its close. */
struct an_day {
	int64_t t;		/* the session's close */
	an_money eq;		/* the last equity at or before it */
	double ret;		/* over the day before (the first: capital) */
	int64_t bench;		/* benchmark price, AN_NONE without */
	double bench_ret;	/* NAN without */
};

/* Gain and loss of a symbol, strategy or batch. */
struct an_group {
	an_money realized, unrealized, fees;
	uint64_t trades, wins;
};

/* The portfolio figures; NAN where a ratio is undefined. */
struct an_summary {
	int64_t t_first, t_last;
	an_money capital, final_eq, realized, unrealized, fees;
	an_money gross_win, gross_loss;	/* loss is <= 0 */
	uint64_t trades, wins, losses, nopen, nr;
	double total_return, win_rate, profit_factor, avg_r, exposure;
	an_money avg_win, avg_loss, expectancy;
	an_money dd_value;		/* >= 0 */
	double dd_ratio;		/* >= 0, of the peak */
	int64_t dd_start, dd_end;	/* peak and trough times */
	int64_t period;			/* the return period used, ns */
	double per_year;		/* periods in a year */
	uint64_t nreturns;
	double mean_return, volatility, sharpe, sortino;
	double bench_return;
	double beta, alpha;	/* on the days' returns; NAN if undefined */
};

struct an {
	struct an_opts o;
	struct symtab syms, strats, batches, keynames;
	struct an_key *keys;
	size_t nkeys, keyscap;
	struct an_sym *sym;
	size_t nsym, symcap;
	struct an_trip *trips;
	size_t ntrips, tripscap;
	struct an_sample *eq;
	size_t neq, eqcap;
	an_money cash;		/* capital + sales - purchases - fees */
	an_money mark;		/* sum of net position times last price */
	int64_t t_first, t_last;
	size_t nexposed;	/* symbols with a position */
	int64_t exposed_since;
	uint64_t exposed_ns;	/* may pass INT64_MAX ns (292 years) */
	uint64_t nfills, nmarks;
	struct symtab execs;	/* batch and exec_id of the fills counted */
	uint64_t ndups;		/* fills delivered again, not counted */
	uint32_t bench;		/* symbol id of the benchmark */
	int64_t bench_first, bench_last;	/* its prices, AN_NONE */
	struct an_point *bpts;	/* the benchmark's prices, as seen */
	size_t nbpts, bptscap;
	int64_t bench_open;	/* the open of its first bar, or AN_NONE */
	char *bench_name;	/* the symbol, once known */
	struct an_day *days;	/* after finish: the session days */
	size_t ndays;
	struct an_group *by_sym, *by_strat, *by_batch;	/* after finish */
	struct an_summary s;	/* after finish */
	int finished;
};

/*
 * Set up an empty analysis with a copy of the options (the benchmark string
 * is borrowed and must outlive 'a').  an_release() frees everything.
 */
void an_init(struct an *a, const struct an_opts *o);
void an_release(struct an *a);

/*
 * Feed one parsed event: fills are matched, bars (their close) and trades
 * (their price) mark the symbol, other types are ignored.  A fill whose
 * batch and exec_id were counted before is the same fill delivered again
 * (as liu-db stores a fill once per batch and exec_id): it returns 0 and
 * changes nothing but the count of such fills.  Returns 0, or -1
 * with *err set (a static message, valid until the next call) when the
 * event is bad: a qty that is not positive, a price that is not a positive
 * finite number, a sell with no long position, a buy_to_cover with no short
 * position.  A bad event changes nothing.
 */
int an_event(struct an *a, const struct ev *e, const char **err);

/* The same two steps apart: check a fill event, then apply it. */
int an_fill_from_ev(const struct ev *e, struct an_fill *f, const char **err);
int an_add_fill(struct an *a, const struct an_fill *f, const char **err);
/*
 * A market price seen for sym at time t (a bar's close, a trade's price);
 * 'open' is the bar's open for the benchmark, or AN_NONE.
 */
void an_add_mark(struct an *a, const char *sym, int64_t t, int64_t price,
    int64_t open);

/*
 * A benchmark price from elsewhere (opts.bench_file): a bar of the
 * benchmark symbol (with opts.benchmark NULL, the first bar's symbol
 * becomes it), seen as an_event() sees bars; other types are ignored.
 * Returns 0, or -1 with *err set for a bad bar or, without a symbol
 * named, a bar of a second symbol.
 */
int an_bench_event(struct an *a, const struct ev *e, const char **err);
/* The benchmark's symbol, or NULL. */
const char *an_bench_name(const struct an *a);

/*
 * After the last event: mark the open positions, compute the summary and
 * the groups.  No more events may be added.
 */
void an_finish(struct an *a);

/*
 * A zone by name, "ny" or "utc", into *tz.  Returns 0, or -1 (leaving *tz
 * alone) for any other name.
 */
int an_tz_parse(const char *name, enum an_tz *tz);

/*
 * The output formats; a must be finished.  The table and the HTML show
 * times in a->o.tz as RFC 3339 with the zone's offset, and say which zone
 * in the summary; NDJSON times are UTC, as liu(7) has them.
 */
void an_table(struct an *a, struct buf *out);
void an_ndjson(struct an *a);		/* through nd_emit() */
/* The same events, each handed to out(arg, event, its length). */
void an_ndjson_to(struct an *a,
    void (*out)(void *arg, const char *p, size_t n), void *arg);
/* 'svg' is a chart to embed (may be NULL), copied as it is. */
void an_html(struct an *a, struct buf *out, const char *svg, size_t svglen);

/*
 * Write the gnuplot script that draws the equity curve, its drawdown and
 * the price charts with fill markers, for terminal "png" or "svg", to out.
 */
void an_plot_script(struct an *a, struct buf *out, int svg);
/*
 * Run gnuplot with the script on its stdin and its stdout on fd.
 * Returns 0, or -1 with a message in *err (gnuplot missing, or failed).
 */
int an_gnuplot(const struct buf *script, int fd, const char **err);

/*
 * Exact decimals.  an_dec() reads a JSON number's text as a count of
 * 10^-6, rounding half-even; returns 0, or -1 if it is malformed or out of
 * range.  an_add_money() appends v (10^-12 dollars) rounded half-even to
 * 'decimals' places (0 to 12); an_add_price() appends 10^-6 units with two
 * to six decimals, trailing zeros trimmed, an_add_qty() with none to six.
 */
int an_dec(const char *s, size_t n, int64_t *v);
void an_add_money(struct buf *b, an_money v, int decimals);
void an_add_price(struct buf *b, int64_t micro);
void an_add_qty(struct buf *b, int64_t micro);
/* num / den rounded half-even; den > 0. */
an_money an_div(an_money num, an_money den);

#endif
