/*
 * strategy_engine.h: liu-strategy's engine.  It takes liu events one
 * at a time, keeps per-symbol bars and, per strategy and symbol, the
 * position, cost basis, open orders, protective stop and target, cool-down
 * and reject state; it calls the strategies' callbacks (strategy.h), emits
 * their "order" and "drop" events with nd_emit(), and with sim fills on
 * fills its own orders from the market events that follow.
 *
 * Everything the engine does for a symbol depends only on that symbol's
 * events (and clock events), so output for a symbol is the same whichever
 * other symbols share the process.
 *
 * Client order ids are "[BATCH-]STRATEGY-SYMBOL-STAMP-N", N counting the
 * orders of that strategy and symbol from 1 and STAMP the process's start
 * (eng_opts.start) in milliseconds, base 36: a process that liu-route
 * restarts, or a second run in the same batch, starts N at 1 again under
 * a new stamp, so its ids are new.  With sim fills (a backtest, where
 * the same input must give the same output) and with no start given, the
 * stamp is left out: "[BATCH-]STRATEGY-SYMBOL-N".  Simulated fills have
 * exec_id "ID-K", K counting the fills of that order.
 *
 * Exits have one owner.  An entry sent while the strategy's "bracket"
 * parameter is 1, with a stop_loss and a target, goes out with
 * "bracket":true: the broker holds its stop and target, as two legs of
 * their own ("ID-stop", "ID-target", with "parent":"ID"), so live the
 * engine sends no stop or target exit for what it filled, and the legs'
 * fills close the position.  Any other exit of that position (the flatten
 * before the close, the strategy's own) first takes the exits back: the
 * engine writes a "cancel" of the bracket order and sends the exit only
 * once both legs have had their final order_update.  With sim fills the
 * engine is the broker and holds the exits itself, as without a
 * bracket.
 *
 * An order the engine forgets (strat_cancel_all(), an entry left open
 * when the position is exited) is written as a "cancel" event.  With sim
 * fills it is gone at once; live it stays tracked, counted in the open
 * orders and its shares in what may still fill, until its final
 * order_update (canceled, expired, rejected, replaced) or its last fill,
 * so that a fill that crosses the cancel counts in the position.
 *
 * A fill whose exec_id was seen before is a fill delivered twice: it is
 * counted once.
 */
#ifndef LIU_STRATEGY_ENGINE_H
#define LIU_STRATEGY_ENGINE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "strategy.h"

struct eng_opts {
	int fill_sim;		/* --fill sim */
	double slippage;	/* adverse slippage on market and stop fills */
	int slip_cents;		/* slippage in cents, else bps */
	double commission;	/* per share, dollars */
	double capital;		/* --capital: buying power of a symbol with
				 * sim fills; NAN: portfolio_value */
	double margin;		/* --margin: capital x margin may be held */
	const char *batch;	/* LIU_BATCH_ID, or NULL */
	int require_pick;	/* trade only symbols named by pick events */
	int pass_market;	/* copy market events to output */
	int seconds;		/* build one-second bars too */
	size_t history;		/* one-minute bars kept per symbol */
	size_t max_symbols;	/* --max-symbols: new symbols past it refused */
	int verbose;
	int64_t start;		/* ns since the epoch: stamped into the ids of
				 * live orders; 0: no stamp */
	int64_t book_every;	/* --portfolio-every, ns; 0: 1m with sim
				 * fills, else 5m */
};
#define ENG_MAX_SYMBOLS 1000000
#define ENG_OPTS_INIT { 0, 0, 0, 0, NAN, 1, NULL, 0, 0, 0, 512, \
	ENG_MAX_SYMBOLS, 0, 0, 0 }

struct eng;

/* A new engine with a copy of the options.  Dies on out of memory only. */
struct eng *eng_new(const struct eng_opts *o);

/*
 * Add a strategy (the struct must outlive the engine).  Returns 0, or -1
 * with *err set if its api version is not LIU_STRATEGY_API, its name is
 * empty, too long (over 32), not [a-z0-9_], an alias of another strategy
 * (eng_strategy_name()) or already loaded.
 */
int eng_add(struct eng *e, const struct strategy *s, const char **err);

/*
 * Whether s is a portfolio strategy (API 3, with on_portfolio): it needs
 * every symbol, so it may not run sharded.
 */
int eng_is_portfolio(const struct strategy *s);


/*
 * The strategy that a name given from outside stands for: "momentum" is
 * momentum_long; any other name stands for itself (the same pointer is
 * returned).  The engine resolves names this way wherever it compares
 * them (--param, picks, drops, fills, updates); a caller looking up a
 * built-in by name should too.  Never fails.
 */
const char *eng_strategy_name(const char *name);

/*
 * Set a parameter from "KEY=VALUE" or "STRATEGY.KEY=VALUE".  Call after all
 * eng_add()s.  Returns 0, or -1 with *err set when malformed, when the value
 * is not a finite number, when STRATEGY is not loaded, or when no loaded
 * strategy (nor the engine) knows KEY.
 */
int eng_param(struct eng *e, const char *kv, const char **err);

enum eng_result {
	ENG_DONE,		/* consumed */
	ENG_PASS,		/* not ours: the caller passes it on */
	ENG_BAD,		/* bad input (*err); nothing changed */
	ENG_REFUSED		/* a new symbol past max_symbols (*err) */
};

/*
 * Process one parsed event.  Orders, cancels, fills and drops it causes
 * are emitted with nd_emit() (after the event itself when market data is
 * passed through).  A fill or order_update is ours when its id is one this
 * engine sent (this process: its stamp); those of other orders are
 * ENG_PASS, whatever their "strategy" says, unless a fill names a strategy
 * loaded here.  A fill of ours seen before (its exec_id) is ENG_DONE and
 * changes nothing.  A bad event (a non-positive or non-finite price, a
 * zero size, time going backwards for its symbol, a bad symbol, a fill for
 * an order of ours no longer tracked, ...) returns ENG_BAD and leaves
 * every position unchanged.  A market event or pick of a new symbol when
 * max_symbols symbols are already kept returns ENG_REFUSED and changes
 * nothing: memory stays bounded, and the symbols already kept trade on.
 * *err points to a static or engine-owned message valid until the next call.
 */
enum eng_result eng_event(struct eng *e, const struct ev *ev,
    const char **err);

/*
 * A starting position (a "position" event, from --positions): the
 * strategy it names (the only one loaded, when it names none) holds qty
 * shares of sym at avg_price; its cash is unchanged.  Call after the
 * eng_param()s, before the first eng_event().  Returns ENG_DONE,
 * ENG_PASS for a position of a strategy not loaded here, ENG_BAD (*err)
 * for a bad one (no symbol, a quantity not finite, no positive avg_price
 * with a quantity, no strategy named with several loaded), or
 * ENG_REFUSED past max_symbols.
 */
enum eng_result eng_position(struct eng *e, const struct ev *ev,
    const char **err);

/*
 * End of input: call every strategy's on_finish (and the last
 * on_portfolio of daily data), write a "position" event for every
 * position still held (each strategy and symbol, at the symbol's last
 * time; what --positions takes to resume), and with -v report counters,
 * open positions and portfolio strategies' cash on stderr.
 */
void eng_finish(struct eng *e);

/* Free the engine and everything it owns. */
void eng_free(struct eng *e);

/*
 * Parse a slippage "5", "5bp" (basis points) or "1c" (cents) into o.
 * Returns 0, or -1 if malformed or negative.
 */
int eng_parse_slippage(const char *s, struct eng_opts *o);

#endif
