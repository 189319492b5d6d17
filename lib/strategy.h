/*
 * strategy.h: the strategy interface of liu-strategy.
 *
 * A strategy is a struct of callbacks.  The engine (strategy_engine.h)
 * keeps, for every strategy and every symbol it trades, a context (struct
 * strat_ctx, opaque) and a block of per-symbol state of state_size bytes,
 * zeroed before on_start.  Every callback gets both; none is required
 * (NULL is skipped).  Callbacks run in event order; for one symbol they
 * see exactly that symbol's events, so a strategy's decisions for a symbol
 * never depend on other symbols (liu-route may shard symbols across
 * processes at will).
 *
 * The engine already does the bookkeeping: position, cost basis, open
 * orders, the protective stop and target (it exits with a market order when
 * a bar's low reaches the stop or its high the target; with the parameter
 * "bracket" at 1 the broker holds them instead: see liu-strategy(1)),
 * cool-down after an exit, the reject set, the trading window and the
 * flattening before the close.  A strategy mostly decides entries and its
 * own exits.
 *
 * Plug-ins: a shared object that defines
 *
 *	const struct strategy liu_strategy = {
 *		LIU_STRATEGY_API, "name", ...
 *	};
 *
 * loaded with "liu-strategy ./file.so".  It may call every strat_*, bar_*,
 * fc_* and ind_* function: the liu-strategy binary exports them (-rdynamic).
 * See examples/my_strategy.c and liu-strategy(1).
 */
#ifndef LIU_STRATEGY_H
#define LIU_STRATEGY_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "bars.h"
#include "event.h"

/*
 * The version of struct strategy.  2 added on_bar_update, 3 on_portfolio,
 * book_state_size and on_book_finish; the engine still loads a strategy
 * of version 1 or 2 (which has no such members).
 */
#define LIU_STRATEGY_API 3
#define LIU_STRATEGY_SYMBOL "liu_strategy"

struct strat_ctx;
struct strat_book;

/* A parameter default: "risk" = 0.01.  Arrays end with key NULL. */
struct strat_param {
	const char *key;
	double def;
};

/* A fill as the strategy sees it, after the engine applied it. */
struct strat_fill {
	const char *id;		/* client order id */
	enum ev_side side;
	double qty, price, fee;
	int64_t t;
	int partial;
};

struct strategy {
	int api;		/* LIU_STRATEGY_API */
	const char *name;	/* [a-z0-9_], used in ids and --param */
	size_t state_size;	/* per-symbol state, zeroed before on_start */
	const struct strat_param *params;	/* defaults, or NULL */

	/* first event of a symbol for this strategy */
	void (*on_start)(struct strat_ctx *cx, void *st);
	/* a finished bar (built from trades or official); tf in ns */
	void (*on_bar)(struct strat_ctx *cx, void *st, const struct bar *b,
	    int64_t tf);
	void (*on_trade)(struct strat_ctx *cx, void *st, const struct ev *e);
	void (*on_quote)(struct strat_ctx *cx, void *st, const struct ev *e);
	void (*on_fill)(struct strat_ctx *cx, void *st,
	    const struct strat_fill *f);
	void (*on_order_update)(struct strat_ctx *cx, void *st,
	    const struct ev *e);
	/* a clock event reached this symbol's strategies */
	void (*on_clock)(struct strat_ctx *cx, void *st, int64_t now);
	/* end of input; free here whatever st points to */
	void (*on_finish)(struct strat_ctx *cx, void *st);
	/*
	 * API 2.  Bar b replaced 'was', the last bar given to on_bar for tf
	 * (same t): an updated bar ("updated":true, after late trades) or
	 * an official bar for one built from trades.  The history
	 * (strat_bars()) holds b already, and on_bar is not called again:
	 * take back what the strategy computed from 'was' and feed it b.
	 * The engine has made no fills and no stop or target exits on b, a
	 * bar of the past.  Not called for timeframes the engine does not
	 * keep (other than 1m, 1d, 1mo, and 1s with --seconds), or for a
	 * bar older than the last.
	 */
	void (*on_bar_update)(struct strat_ctx *cx, void *st,
	    const struct bar *was, const struct bar *b, int64_t tf);
	/*
	 * API 3.  A portfolio strategy: called on the portfolio schedule
	 * (see strat_book_now()) with the book, every symbol the process
	 * has seen, and the strategy's one block of book state (bst,
	 * book_state_size bytes, zeroed before the first call).  It sends
	 * orders with strat_order() on the contexts of the book
	 * (strat_book_ctx()): the engine holds them until it returns, then
	 * sends the sells and covers first, then the buys and shorts, each
	 * group in the order given.  Such a strategy needs every symbol: it
	 * runs unsharded (liu-strategy refuses it under LIU_SHARDS > 1).
	 * Its per-symbol callbacks, if any, are called as any strategy's.
	 */
	void (*on_portfolio)(struct strat_book *bk, void *bst);
	size_t book_state_size;
	/* API 3.  End of input: free here whatever bst points to. */
	void (*on_book_finish)(struct strat_book *bk, void *bst);
};

/* An order request.  Unused numbers are NAN (STRAT_ORDER_INIT). */
#define STRAT_WHY_MAX 12
struct strat_order {
	enum ev_side side;
	double qty;
	const char *type;	/* "market" (NULL), "limit", "stop" */
	double limit, stop;	/* prices for limit and stop orders */
	double stop_loss, target;	/* protective levels, or NAN */
	const char *reason;	/* why.reason: "entry", "stop", ... */
	int nwhy;		/* indicator values that justified it */
	const char *why_key[STRAT_WHY_MAX];
	double why_val[STRAT_WHY_MAX];
};
#define STRAT_ORDER_INIT { SIDE_NONE, 0, NULL, NAN, NAN, NAN, NAN, NULL, 0, \
	{ NULL }, { 0 } }

/* Add one "why" value to an order (ignored past STRAT_WHY_MAX). */
void strat_why(struct strat_order *o, const char *key, double val);

/*
 * Send an order for the context's symbol: it gets the next client order id
 * and goes out as an "order" event (with --fill sim the engine also fills
 * it).  Refused, returning -1 and reporting with -v, when the quantity is
 * not a positive whole number, a price is not finite and positive, the
 * symbol is rejected, or it would sell or cover more than is held.  With
 * sim fills, an entry over the buying power (liu-strategy --capital,
 * --margin) goes out and is rejected at once (an order_update "rejected",
 * "insufficient buying power"): -1 too.
 * Returns 0 when sent.  Copies what it needs from o.
 */
int strat_order(struct strat_ctx *cx, const struct strat_order *o);

/*
 * Cancel every open order of this strategy and symbol: a "cancel" event
 * goes out for each, once.  With sim fills they are gone at once; live
 * they stay open orders, and their fills count, until their final
 * order_update or last fill.
 */
void strat_cancel_all(struct strat_ctx *cx);

/* Close the position with a market order; reason goes into "why". */
void strat_exit(struct strat_ctx *cx, const char *reason);

/* Set the protective stop and target the engine watches (NAN: none). */
void strat_set_exit(struct strat_ctx *cx, double stop_loss, double target);

/*
 * Reject the symbol for this strategy for the rest of the session: emit a
 * "drop" event with the reason; later events no longer reach the strategy
 * (its open position is still managed: stop, target, flatten).
 */
void strat_drop(struct strat_ctx *cx, const char *why);

/* No new entry for 'ns' nanoseconds from now. */
void strat_cooldown(struct strat_ctx *cx, int64_t ns);

/*
 * May the strategy open a position now?  True when flat with no open
 * orders, not rejected, not cooling down, inside the trading window and
 * before the flattening time (on daily or monthly bars: no window).
 */
int strat_can_enter(const struct strat_ctx *cx);

/*
 * A parameter: --param NAME.key=v, else --param key=v, else the
 * strategy's default, else NAN.
 */
double strat_param(const struct strat_ctx *cx, const char *key);

/* The context's facts; strings are owned by the engine. */
const char *strat_symbol(const struct strat_ctx *cx);
const char *strat_name(const struct strat_ctx *cx);
int64_t strat_now(const struct strat_ctx *cx);
double strat_last_price(const struct strat_ctx *cx);	/* NAN: none yet */
double strat_position(const struct strat_ctx *cx);	/* < 0: short */
double strat_avg_cost(const struct strat_ctx *cx);	/* NAN when flat */
double strat_realized(const struct strat_ctx *cx);	/* P&L, fees off */
double strat_stop_loss(const struct strat_ctx *cx);
double strat_target(const struct strat_ctx *cx);
/* Orders being cancelled, and brackets the broker holds exits of, count. */
int strat_open_orders(const struct strat_ctx *cx);
/* The "portfolio_value" parameter (default 100000). */
double strat_portfolio_value(const struct strat_ctx *cx);
/* The New York session of the symbol's current day (regular hours). */
int64_t strat_session_open(const struct strat_ctx *cx);
int64_t strat_session_close(const struct strat_ctx *cx);

/*
 * The symbol's bar history for tf (STRAT_TF_1M, STRAT_TF_1S, STRAT_TF_1D
 * or STRAT_TF_1MO), shared by all strategies; NULL if not kept.  Valid
 * until the next event.
 *
 * Daily and monthly bars ("1d", "1mo", their t midnight New York of
 * their date) take the symbol out of the session: no trading window in
 * strat_can_enter(), no flatten before the close; the symbol's time is
 * the bar's t, and orders decided on a bar fill (sim) at the next bar's
 * open.
 */
#define STRAT_TF_1S (1000000000LL)
#define STRAT_TF_1M (60 * 1000000000LL)
#define STRAT_TF_1D (86400 * 1000000000LL)
#define STRAT_TF_1MO BAR_TF_MONTH
const struct bar_ring *strat_bars(const struct strat_ctx *cx, int64_t tf);

/*
 * The book of a portfolio strategy (valid during on_portfolio): the
 * symbols the process has seen, 0 to strat_book_size() - 1, each with the
 * strategy's context (its position, last price, bars; strat_order()).
 */
size_t strat_book_size(const struct strat_book *bk);
struct strat_ctx *strat_book_ctx(struct strat_book *bk, size_t i);
/*
 * The time of the call.  On one-minute data (and trades, quotes) the
 * schedule is every --portfolio-every (1m with --fill sim, 5m live) of
 * the session: the call at T, made when the first event at or after T
 * comes (or a clock event), sees every event before T.  On daily or
 * monthly bars it is each bar time: the call for bar time D, made when
 * the first event after D (a later bar, a clock event) comes or at the
 * end of input, sees every bar of D, and strat_book_now() is D.
 */
int64_t strat_book_now(const struct strat_book *bk);
/* The data's step: STRAT_TF_1D, STRAT_TF_1MO, else STRAT_TF_1M. */
int64_t strat_book_tf(const struct strat_book *bk);
/*
 * The strategy's cash: --capital (else portfolio_value) at the start,
 * less what its fills bought, plus what they sold, less fees.  Positions
 * given with --positions are held besides it.
 */
double strat_book_cash(const struct strat_book *bk);
/* Cash plus every position at its last price. */
double strat_book_equity(const struct strat_book *bk);
/* A parameter of the strategy, as strat_param(). */
double strat_book_param(const struct strat_book *bk, const char *key);

/* The built-in strategies. */
extern const struct strategy strat_momentum_long;
extern const struct strategy strat_vwap_long;
extern const struct strategy strat_vwap_short;
extern const struct strategy strat_momentum_rotation;

#endif
