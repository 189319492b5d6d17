/*
 * strat_vwap.c: vwap_long and vwap_short, on one-minute bars against the
 * session VWAP (anchored at the New York open, ind_vwap).
 *
 * vwap_long enters when a bar closes above the VWAP after the previous bar
 * closed at or below it, with RSI(rsi_period) <= rsi_max; the stop is the
 * last swing low below the close (fc_find_stop over "lookback" bars), the
 * target close + reward * R, the size floor(portfolio_value * risk / R)
 * capped at floor(portfolio_value / close).  It exits when a bar closes
 * back below the VWAP (besides the engine's stop and target).
 *
 * vwap_short is the mirror image: it sells short when a bar closes below
 * the VWAP after the previous one closed at or above it, with RSI >=
 * rsi_min; stop at the last swing high above the close, target close -
 * reward * R; it covers when a bar closes back above the VWAP.
 *
 * A bar that replaces the last one (on_bar_update) changes VWAP and RSI as
 * if it had come in its place; no decision is taken on it again.
 */
#include <math.h>

#include "cal.h"
#include "fincalc.h"
#include "ind.h"
#include "strategy.h"
#include "banned.h"

static const struct strat_param params[] = {
	{ "risk", 0.01 },
	{ "reward", 2 },
	{ "rsi_period", 14 },
	{ "rsi_min", 30 },
	{ "rsi_max", 70 },
	{ "lookback", 30 },
	{ "min_risk", 0.01 },
	{ "start", 5 },
	{ NULL, 0 }
};

#define LOOKBACK_MAX 240

struct vw {
	struct ind_vwap vwap;
	struct ind_rsi rsi;
	double prev_c, prev_vwap;
	double risk, reward, rsi_min, rsi_max, min_risk;
	int lookback;
	/* the indicators before the last bar (bar_update()) */
	int64_t bar_t;		/* that bar's t, INT64_MIN: none */
	struct ind_vwap vwap0;
	struct ind_rsi rsi0;
};

static void
start(struct strat_ctx *cx, void *p)
{
	struct vw *w = p;
	double lb = strat_param(cx, "lookback");

	ind_vwap_init(&w->vwap, CAL_OPEN_NS);
	ind_rsi_init(&w->rsi, (int)strat_param(cx, "rsi_period"));
	w->risk = strat_param(cx, "risk");
	w->reward = strat_param(cx, "reward");
	w->rsi_min = strat_param(cx, "rsi_min");
	w->rsi_max = strat_param(cx, "rsi_max");
	w->min_risk = strat_param(cx, "min_risk");
	w->lookback = lb < 3 ? 3 : lb > LOOKBACK_MAX ? LOOKBACK_MAX : (int)lb;
	w->prev_c = w->prev_vwap = NAN;
	w->bar_t = INT64_MIN;
}

/* Size and send an entry; dir 1 long, -1 short. */
static void
enter(struct strat_ctx *cx, struct vw *w, const struct bar *b, int dir)
{
	struct strat_order o = STRAT_ORDER_INIT;
	struct bar h[LOOKBACK_MAX];
	double price = b->c, stop, r, qty, pv = strat_portfolio_value(cx);
	size_t n;

	n = bar_ring_last(strat_bars(cx, STRAT_TF_1M), (size_t)w->lookback,
	    h);
	stop = dir > 0 ? fc_find_stop(h, n, price) :
	    fc_find_stop_high(h, n, price);
	if (isnan(stop))
		return;
	r = fabs(price - stop);
	if (r < w->min_risk)
		return;
	qty = floor(pv * w->risk / r);
	if (qty > floor(pv / price))
		qty = floor(pv / price);
	if (qty < 1)
		return;
	o.side = dir > 0 ? SIDE_BUY : SIDE_SELL_SHORT;
	o.qty = qty;
	o.stop_loss = stop;
	o.target = price + dir * w->reward * r;
	if (!(o.target > 0))
		return;
	o.reason = "entry";
	strat_why(&o, "price", price);
	strat_why(&o, "vwap", w->vwap.value);
	strat_why(&o, "prev_close", w->prev_c);
	strat_why(&o, "prev_vwap", w->prev_vwap);
	strat_why(&o, "rsi", w->rsi.value);
	strat_why(&o, "r", r);
	strat_order(cx, &o);
}

/* Feed a bar to VWAP and RSI, keeping them for bar_update(); 1: ready. */
static int
feed(struct vw *w, const struct bar *b)
{
	int ok;

	w->bar_t = b->t;
	w->vwap0 = w->vwap;
	w->rsi0 = w->rsi;
	ok = ind_vwap_update(&w->vwap, b);
	ok &= ind_rsi_update(&w->rsi, b->c);
	return ok;
}

/*
 * A one-minute bar: update VWAP and RSI, exit a position whose close is
 * on the wrong side of VWAP, enter when the close crosses VWAP in
 * direction 'dir' (1 long, -1 short).
 */
static void
trade_vwap_cross(struct strat_ctx *cx, struct vw *w, const struct bar *b,
    int dir)
{
	double pos, v;
	int ok;

	ok = feed(w, b);
	v = w->vwap.value;
	pos = strat_position(cx);
	if (ok && !isnan(w->prev_vwap)) {
		if (dir > 0 && pos > 0 && b->c < v)
			strat_exit(cx, "below_vwap");
		else if (dir < 0 && pos < 0 && b->c > v)
			strat_exit(cx, "above_vwap");
		else if (pos == 0 && strat_can_enter(cx)) {
			if (dir > 0 && w->prev_c <= w->prev_vwap && b->c > v &&
			    w->rsi.value <= w->rsi_max)
				enter(cx, w, b, 1);
			if (dir < 0 && w->prev_c >= w->prev_vwap && b->c < v &&
			    w->rsi.value >= w->rsi_min)
				enter(cx, w, b, -1);
		}
	}
	w->prev_c = b->c;
	w->prev_vwap = ok ? v : NAN;
}

/* The last bar was replaced: VWAP and RSI again, from what they were. */
static void
bar_update(struct strat_ctx *cx, void *p, const struct bar *was,
    const struct bar *b, int64_t tf)
{
	struct vw *w = p;
	int ok;

	(void)cx;
	(void)was;
	if (tf != STRAT_TF_1M || b->t != w->bar_t)
		return;
	w->vwap = w->vwap0;
	w->rsi = w->rsi0;
	ok = feed(w, b);
	w->prev_c = b->c;
	w->prev_vwap = ok ? w->vwap.value : NAN;
}

static void
bar_long(struct strat_ctx *cx, void *p, const struct bar *b, int64_t tf)
{
	if (tf == STRAT_TF_1M)
		trade_vwap_cross(cx, p, b, 1);
}

static void
bar_short(struct strat_ctx *cx, void *p, const struct bar *b, int64_t tf)
{
	if (tf == STRAT_TF_1M)
		trade_vwap_cross(cx, p, b, -1);
}

const struct strategy strat_vwap_long = {
	.api = LIU_STRATEGY_API,
	.name = "vwap_long",
	.state_size = sizeof(struct vw),
	.params = params,
	.on_start = start,
	.on_bar = bar_long,
	.on_bar_update = bar_update,
};

const struct strategy strat_vwap_short = {
	.api = LIU_STRATEGY_API,
	.name = "vwap_short",
	.state_size = sizeof(struct vw),
	.params = params,
	.on_start = start,
	.on_bar = bar_short,
	.on_bar_update = bar_update,
};
