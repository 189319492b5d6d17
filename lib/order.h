/*
 * order.h: liu-order's order book and the rules of the order loop, with
 * the broker behind an interface (struct broker), so that the simulated
 * broker (order_sim.c) and a real one plug into the same book.
 *
 * The book reads the events of a pipeline one at a time (ob_event()).  It
 * acts on "order" and "cancel" events, takes "position" events as where a
 * strategy's positions start, hands market events (trade, quote, bar,
 * clock) to the broker, and writes with nd_emit() the orders and cancels it
 * acted on and the results it originates: "order_update" and "fill"
 * events.  The rules it keeps, whatever the broker:
 *
 *   - Results in are never results out: a "fill" or "order_update" read is
 *     counted and dropped, even with pass set, so that a result fed back
 *     (liu-order | tee fills.fifo) cannot circle.
 *   - Client ids: an order is known by its batch and id.  Its id at the
 *     broker (ob_client_id()) is at most OB_CID_MAX bytes and the same for
 *     the same batch and id on every run.  The same order seen again,
 *     field for field, is ignored; another one with a known batch and id is
 *     rejected ("duplicate client order id") and never reaches the broker.
 *   - No accidental shorts: a sell larger than the long position of its
 *     strategy and symbol, less what open sells already want, is rejected,
 *     as is a buy_to_cover larger than the short position, a sell_short
 *     while long and a buy while short: a position changes sides only
 *     through flat.
 *   - Buying power, when a capital is set: an order that would take the
 *     positions at cost and the open entry orders beyond capital (plus
 *     realized gains, less fees) times margin is rejected.
 *   - Fills count once: the book keeps each order's cumulative filled
 *     quantity, and a broker's report (ob_fill()) makes a fill only for an
 *     increase.  A fill after a cancel was asked for, or after the order
 *     was cancelled, is still written (a late fill), and counted.
 *   - At the end (ob_end()), open day orders (horizon "day" or none) are
 *     expired at the end of input, or cancelled when a signal stopped the
 *     program, unless keep_open is set.
 *
 * The book owns every order it has seen during the run, closed ones too
 * (memory grows with the orders of the run, not with market events), and
 * every string in them.  It dies only on out of memory.
 */
#ifndef LIU_ORDER_H
#define LIU_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* The longest client id a broker takes (Alpaca: 48 characters). */
#define OB_CID_MAX 48

enum ob_type { OT_MARKET, OT_LIMIT, OT_STOP, OT_STOP_LIMIT, OT_TRAIL };
enum ob_tif { TIF_DAY, TIF_GTC, TIF_IOC, TIF_FOK };
enum ob_state {
	OS_NEW,			/* passed the book's rules, at the broker */
	OS_OPEN,		/* the broker took it ("new") */
	OS_PENDING_CANCEL,	/* a cancel was asked for */
	OS_FILLED,		/* the rest are final */
	OS_CANCELED,
	OS_EXPIRED,
	OS_REJECTED
};
enum ob_leg { LEG_NONE, LEG_STOP, LEG_TARGET };
enum ob_end { OB_END_REQUEST, OB_END_EOF, OB_END_STOP };

struct ob_order {
	char *id;		/* the client order id, as the order gave it */
	char *cid;		/* the id at the broker, <= OB_CID_MAX bytes */
	char *oid;		/* the broker's order id, or NULL */
	char *sym;
	char *strategy, *batch;	/* NULL when the order had none */
	enum ev_side side;
	enum ob_type type;
	enum ob_tif tif;
	int day;		/* horizon "day" (or none), not "swing" */
	int bracket;
	int ext_hours;
	double qty;
	double limit, stop;	/* NAN when not given */
	double trail_price, trail_pct;
	double stop_loss, target;
	int64_t t;		/* the order's time */
	enum ob_state state;
	double filled;		/* cumulative */
	uint32_t nfill;		/* fills written */
	size_t pos;		/* index of its position (strategy, symbol) */
	long parent;		/* a bracket leg: index of its entry, else -1 */
	long leg[2];		/* a bracket entry: its stop and target legs */
	enum ob_leg kind;

	/* the broker's own: the book neither reads nor writes these */
	double mark;		/* sim: a trailing stop's best price */
	int trig;		/* sim: a stop that triggered */
	int64_t expire;		/* sim: when a day order expires */
	uint64_t after;		/* sim: market events to let pass first */
	int64_t cancel_t;	/* sim: when a cancel was asked for */

	int64_t sent;		/* when the book sent it (ob_clock()) */
	const char *tag;	/* static: "liquidation", ... or NULL */
};

struct ob_opts {
	double capital;		/* NAN: no buying-power check */
	double margin;		/* buying power is equity times this */
	double fee_per_share;	/* dollars, rounded to 1/100 cent a fill */
	int pass;		/* write every input event but results */
	int keep_open;		/* leave open day orders open at the end */
	int verbose;
	/* the end of day (order_eod.c): 0 for none */
	int64_t liquidate_before;	/* ns before each session's close */
	int64_t cancel_after;		/* ns after an entry was sent */
	int live_clock;		/* time is liu_clock_ns(), not the events' */
};
#define OB_OPTS_INIT { NAN, 1, 0, 0, 0, 0, 0, 0, 0 }

struct ob;

/*
 * A broker: callbacks the book calls.  Each reports back with ob_status()
 * and ob_fill(), at once or when later events come.
 *   submit: order i passed the book's rules; place it (and set its oid
 *     with ob_set_oid() before the first status).
 *   cancel: cancel order i, at time t.  OB_END_REQUEST: a cancel event
 *     asked for it (the book has written "pending_cancel"); OB_END_EOF and
 *     OB_END_STOP: the run ends, and the order must be closed now,
 *     "expired" or "canceled".
 *   market: a market event (trade, quote, bar or clock) that the book has
 *     checked: positive prices and sizes, a quote not crossed, a bar's
 *     open and close within its low and high.
 *   release: free the broker.
 *   next_close (may be NULL: lib/cal's calendar is used): the close of
 *     the session in progress at t, or of the next one; -1 if unknown.
 *   sync (may be NULL): learn from the broker what changed in the open
 *     orders (the end of day calls it while cancels are pending).
 */
struct broker {
	const char *name;
	void (*submit)(struct broker *b, struct ob *ob, size_t i);
	void (*cancel)(struct broker *b, struct ob *ob, size_t i,
	    enum ob_end how, int64_t t);
	void (*market)(struct broker *b, struct ob *ob, const struct ev *e);
	void (*release)(struct broker *b);
	int64_t (*next_close)(struct broker *b, struct ob *ob, int64_t t);
	void (*sync)(struct broker *b, struct ob *ob);
};

/* A new book with a copy of the options.  Dies on out of memory only. */
struct ob *ob_new(const struct ob_opts *o);

/* The broker the book sends to; the book releases it in ob_free(). */
void ob_set_broker(struct ob *ob, struct broker *b);

enum ob_result {
	OB_DONE,		/* acted on, passed or dropped as documented */
	OB_BAD,			/* a bad line: *err says why */
	OB_REFUSED		/* a valid event refused (*err): a bad line
				   too, reported without "bad event:" */
};

/*
 * Take one parsed event (e->line is the line as read).  Whatever it causes
 * is written with nd_emit(): with pass set, the event itself first, then
 * its results.  *err points to a message owned by the book, valid until the
 * next call.
 */
enum ob_result ob_event(struct ob *ob, const struct ev *e, const char **err);

/*
 * The end of the run: expire (OB_END_EOF) or cancel (OB_END_STOP) every
 * open day order through the broker, unless keep_open is set; with verbose,
 * report the counters and the orders still open on stderr.
 */
void ob_end(struct ob *ob, enum ob_end how);

/* Free the book, its orders and its broker. */
void ob_free(struct ob *ob);

/*
 * The end of day (order_eod.c; liu-order(1) says the rules): with
 * liquidate_before or cancel_after set, the book acts at every event, at
 * the time it goes by (ob_clock()).  Live, time passes without events:
 * eod_ticker_start() starts a thread that writes a clock event about
 * twice a second on a socket and returns the descriptor to read, to be
 * handed to ob_tick() rather than ob_event(); -1 with errno if that
 * failed.  eod_ticker_stop() ends the thread and closes the descriptor.
 */
void ob_tick(struct ob *ob);
int eod_ticker_start(void);
void eod_ticker_stop(void);

/*
 * The client id at the broker of order 'id' of 'batch' (may be NULL),
 * written to out (OB_CID_MAX + 1 bytes, NUL-terminated): 'id' itself when
 * it has at most OB_CID_MAX bytes; otherwise its last 31 bytes (after the
 * batch and a dash, if it starts with them), each byte not in
 * [A-Za-z0-9._-] made '_', then '-' and the 16 hex digits of the FNV-1a 64
 * hash of the batch, a NUL and the id.  Returns the length.
 */
size_t ob_client_id(const char *batch, const char *id, char *out);

/* For brokers. */

/* Order i; the pointer is valid until the book adds an order. */
struct ob_order *ob_order(struct ob *ob, size_t i);
/* The number of orders; they are indexed 0 to ob_norders() - 1. */
size_t ob_norders(const struct ob *ob);
/* Set order i's broker id (copied). */
void ob_set_oid(struct ob *ob, size_t i, const char *oid);
/* The index of the order whose client id is cid, or -1. */
long ob_find_cid(const struct ob *ob, const char *cid);
/*
 * Quiet (1): the book writes nothing and sends nothing; an order event
 * is taken as already placed (its type checked, not its money), fills and
 * states only recorded.  For a broker reading its journal back.
 */
void ob_set_quiet(struct ob *ob, int quiet);
/* The latest event time seen, or the wall clock if none yet. */
int64_t ob_now(const struct ob *ob);
/* The last price of a symbol (trade, bar close, quote midpoint) or NAN. */
double ob_last(const struct ob *ob, const char *sym);

/*
 * Order i's state changed: record it and write an order_update with the
 * status (OS_OPEN is written "new") and why (may be NULL), at time t.  A
 * final state is kept: a later change is ignored.
 */
void ob_status(struct ob *ob, size_t i, enum ob_state st, const char *why,
    int64_t t);

/*
 * Write an order_update of order i with a broker's own status ("accepted",
 * "replaced", "done_for_day", ...) that changes nothing in the book, at
 * time t; nothing once the order is final.
 */
void ob_note(struct ob *ob, size_t i, const char *status, const char *why,
    int64_t t);

/*
 * The broker says order i has 'cum' shares filled, the latest at 'price',
 * at time t.  If cum is above what the book knows, the increase is written
 * as one fill (its fee from fee_per_share when 'fee' is NAN, its exec_id
 * 'exec_id' or, when NULL, the order id, a dash and the fill's number,
 * "synthetic":true if 'synthetic'), the position is updated, and an
 * order_update "partially_filled" or "filled" follows.  Returns 1 if a
 * fill was written, 0 if the report brought nothing new (counted).
 */
int ob_fill(struct ob *ob, size_t i, double cum, double price, double fee,
    int64_t t, const char *exec_id, int synthetic);

/*
 * Make the stop (LEG_STOP, a stop order at the entry's stop_loss) or target
 * (LEG_TARGET, a limit at its target) leg of bracket entry 'parent', for
 * 'qty' shares, on the other side, at time t: id "<entry id>-stop" or
 * "-target", state OS_NEW.  The broker places it.  Returns its index.
 */
size_t ob_leg(struct ob *ob, size_t parent, enum ob_leg kind, double qty,
    int64_t t);

/*
 * The broker refused order i (its answer to the submit): as ob_status()
 * with OS_REJECTED, the order_update also carrying "code", the broker's
 * code for the refusal (Alpaca's 8 digits), so that a strategy can tell it
 * from liu-order's own checks.
 */
void ob_refused(struct ob *ob, size_t i, const char *why, double code,
    int64_t t);

/* For the risk checks (order_risk.c). */

/*
 * The orders maybe open, by index, in the order they came (valid until
 * the book adds an order), and their number in *n.
 */
const size_t *ob_open_orders(struct ob *ob, size_t *n);
/* Position k (0 to ob_npositions() - 1): its symbol, signed quantity and
   average cost (NAN when flat). */
size_t ob_npositions(const struct ob *ob);
const char *ob_position(const struct ob *ob, size_t k, double *qty,
    double *cost);
/* Realized gains less fees, dollars, since the start. */
double ob_realized(const struct ob *ob);

/*
 * Risk checks (order_risk.c), made before an order reaches the broker;
 * each refusal is an order_update "rejected" with the reason.  See
 * liu-order(1).  A money limit is off when NAN, a count when 0.
 */
struct risk_opts {
	double max_pos_value;	/* a symbol: position and open entries, $ */
	double max_exposure;	/* all symbols, $ */
	double max_daily_loss;	/* the day's loss that stops entries, $ */
	double price_band;	/* percent off the last price */
	long max_open;		/* open orders */
	long max_per_min;	/* orders in any 60 s */
	int hours;		/* the regular session only */
	int ext_hours;		/* and extended_hours orders in pre/post */
	int shortable;		/* sell_short: ask the broker (alpaca) */
	int account;		/* buying power from the broker (alpaca) */
	int verbose;
};
#define RISK_OPTS_INIT { NAN, NAN, NAN, NAN, 0, 0, 0, 0, 0, 0, 0 }
struct risk;
/* A broker to ask (alpaca: alp_buying_power() ...; each 0 or -1). */
struct risk_broker {
	struct broker *b;
	int (*buying_power)(struct broker *b, double *bp);
	int (*clock)(struct broker *b, int *open, int64_t *now,
	    int64_t *next);
	int (*asset)(struct broker *b, const char *sym, int *shortable,
	    int *etb);
};
/* rb: the broker to ask (copied), or NULL (sim: the book's own). */
struct risk *risk_new(const struct risk_opts *o,
    const struct risk_broker *rb);
void risk_free(struct risk *r);
/* The book's checks; ob_free() frees them. */
void ob_set_risk(struct ob *ob, struct risk *r);
/* Called by the book: NULL, or why order i is refused. */
const char *risk_order(struct risk *r, struct ob *ob, size_t i);
/* A market event (after the book took its price), or a "status" one. */
void risk_market(struct risk *r, struct ob *ob, const struct ev *e);
void risk_status(struct risk *r, struct ob *ob, const struct ev *e);

/*
 * The simulated broker (order_sim.c): fills from the market events it is
 * given; see liu-order(1).  max_fill: the most shares one market event
 * fills of an order, 0 for no limit.
 */
struct broker *sim_broker(double max_fill);

/*
 * Alpaca's trading API (order_alpaca.c); see liu-order(1).  The strings
 * must outlive the broker; key and secret are sent as headers only.
 * Returns NULL with *why set when the URL is refused (rest_url_check()).
 */
struct alp_opts {
	const char *url;	/* the base URL, checked */
	const char *cacert;
	const char *key, *secret;
	int64_t timeout;	/* one request, ns */
	int64_t max_wait;	/* the longest wait for a 429's reset, ns */
	int verbose;
	const char *journal;	/* NULL: the default file */
	int no_journal, no_stream;
};
struct broker *alp_broker(const struct alp_opts *ao, const char **why);
/*
 * Before the first event: read the journal back into the book (quietly),
 * start the trade_updates stream and wait for it (at most the timeout),
 * then re-check every order the journal left open and write what was
 * missed.  Returns the stream's pipe for the main loop (lines for
 * alp_stream()), or -1 without a stream.
 */
int alp_start(struct broker *b, struct ob *ob);
/* One line of the stream's pipe, parsed. */
void alp_stream(struct broker *b, struct ob *ob, const struct ev *e);
/*
 * For the risk checks, from the broker (each a request, paced like the
 * orders): the account's buying power; the clock (is_open, the broker's
 * time, and the next change: next_close when open, else next_open); an
 * asset's shortable and easy_to_borrow.  0, or -1 (no answer).
 */
int alp_buying_power(struct broker *b, double *bp);
int alp_clock(struct broker *b, int *open, int64_t *now, int64_t *next);
int alp_asset(struct broker *b, const char *sym, int *shortable, int *etb);
/* Get every open order from the broker and write what changed. */
void alp_recheck(struct broker *b, struct ob *ob);
/* Whether a URL names Alpaca's live endpoint (api.alpaca.markets). */
int alp_url_live(const char *url);

#endif
