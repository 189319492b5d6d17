/*
 * my_strategy.c: an example liu-strategy plug-in.  Build it with make
 * (examples/my_strategy.so) and run it with
 *
 *	liu-strategy --fill sim ./examples/my_strategy.so <bars.ndjson
 *
 * On one-minute bars it buys when the close crosses above its simple
 * moving average of "n" bars, with the stop at the lowest low of those n
 * bars and the target "reward" times the risk above the close; it sells
 * when the close falls back below the average.  A symbol whose close is
 * below "min_price" is dropped (a "drop" event; no more trading in it).
 *
 * A plug-in exports one symbol, liu_strategy, and may call the strat_*,
 * bar_*, fc_* and ind_* functions of liu-strategy (see strategy.h).
 */
#include <math.h>

#include "ind.h"
#include "strategy.h"

static const struct strat_param params[] = {
	{ "n", 5 },
	{ "reward", 2 },
	{ "risk", 0.01 },
	{ "min_price", 0 },
	{ NULL, 0 }
};

struct my {
	struct ind_sma sma;
	struct ind_minmax low;
	double prev_c, prev_sma;
};

static void
my_start(struct strat_ctx *cx, void *p)
{
	struct my *m = p;
	int n = (int)strat_param(cx, "n");

	if (n < 2)
		n = 2;
	ind_sma_init(&m->sma, n);
	ind_minmax_init(&m->low, n, 0);
	m->prev_c = m->prev_sma = NAN;
}

static void
my_bar(struct strat_ctx *cx, void *p, const struct bar *b, int64_t tf)
{
	struct my *m = p;
	struct strat_order o = STRAT_ORDER_INIT;
	double r, qty;
	int ok;

	if (tf != STRAT_TF_1M)
		return;
	if (b->c < strat_param(cx, "min_price")) {
		strat_drop(cx, "price below min_price");
		return;
	}
	ok = ind_sma_update(&m->sma, b->c);
	ok &= ind_minmax_update(&m->low, b->l);
	if (ok && strat_position(cx) > 0 && b->c < m->sma.value)
		strat_exit(cx, "below_sma");
	else if (ok && strat_can_enter(cx) && m->prev_c <= m->prev_sma &&
	    b->c > m->sma.value && b->c > m->low.value) {
		r = b->c - m->low.value;
		qty = floor(strat_portfolio_value(cx) *
		    strat_param(cx, "risk") / r);
		o.side = SIDE_BUY;
		o.qty = qty;
		o.stop_loss = m->low.value;
		o.target = b->c + strat_param(cx, "reward") * r;
		o.reason = "sma_cross";
		strat_why(&o, "sma", m->sma.value);
		strat_why(&o, "low", m->low.value);
		strat_order(cx, &o);
	}
	m->prev_c = b->c;
	m->prev_sma = ok ? m->sma.value : NAN;
}

static void
my_finish(struct strat_ctx *cx, void *p)
{
	struct my *m = p;

	(void)cx;
	ind_sma_release(&m->sma);
	ind_minmax_release(&m->low);
}

const struct strategy liu_strategy = {
	.api = LIU_STRATEGY_API,
	.name = "my_strategy",
	.state_size = sizeof(struct my),
	.params = params,
	.on_start = my_start,
	.on_bar = my_bar,
	.on_finish = my_finish,
};
