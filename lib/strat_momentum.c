/*
 * strat_momentum.c: momentum_long, the seed's strategy.  On one-minute bars:
 *
 * Entry, when strat_can_enter() (flat, inside the window that starts
 * "start" minutes after the open), on a bar whose close is above the high
 * of the first "or_minutes" minutes of the session, with MACD(fast, slow,
 * signal) rising (above its value on the previous bar) and above its
 * signal line, and RSI(rsi_period) within [rsi_min, rsi_max].  The stop is
 * the last swing low of the last "lookback" bars below the close
 * (fc_find_stop); no entry without one or when close - stop < min_risk.
 * With R = close - stop, it buys
 *	qty = floor(portfolio_value * risk / R)
 * (capped at floor(portfolio_value / close): no leverage) at market, with
 * stop_loss = stop and target = close + reward * R.
 *
 * Exits: the engine's stop and target; RSI at or above rsi_exit; MACD
 * below its signal line; and a scale-out of scale_frac of the position
 * once the close reaches cost + scale_at * R, after which the stop moves
 * to the cost (break-even).
 *
 * A bar that replaces the last one (on_bar_update) changes the indicators
 * and the opening range as if it had come in its place; no decision is
 * taken on it again.
 */
#include <math.h>

#include "fincalc.h"
#include "ind.h"
#include "strategy.h"
#include "banned.h"

static const struct strat_param params[] = {
	{ "risk", 0.01 },
	{ "reward", 3 },
	{ "or_minutes", 15 },
	{ "macd_fast", 12 },
	{ "macd_slow", 26 },
	{ "macd_signal", 9 },
	{ "rsi_period", 14 },
	{ "rsi_min", 50 },
	{ "rsi_max", 70 },
	{ "rsi_exit", 80 },
	{ "lookback", 30 },
	{ "min_risk", 0.01 },
	{ "scale_at", 2 },
	{ "scale_frac", 0.5 },
	{ "start", 15 },
	{ NULL, 0 }
};

#define LOOKBACK_MAX 240

struct mom {
	struct ind_macd macd;
	struct ind_rsi rsi;
	double prev_macd;
	int64_t open;		/* session open the opening range is for */
	double or_high;
	double prev_high;	/* daily bars: the previous bar's high */
	double r;		/* risk per share of the position */
	int scaled;
	/* parameters */
	double risk, reward, rsi_min, rsi_max, rsi_exit, min_risk;
	double scale_at, scale_frac;
	int64_t or_ns;
	int lookback;
	/* what the last bar changed, as it was before it (bar_update()) */
	int64_t bar_t;		/* that bar's t, INT64_MIN: none */
	struct ind_macd macd0;
	struct ind_rsi rsi0;
	int64_t open0;
	double or_high0;
};

static void
start(struct strat_ctx *cx, void *p)
{
	struct mom *m = p;
	double lb;

	m->risk = strat_param(cx, "risk");
	m->reward = strat_param(cx, "reward");
	m->rsi_min = strat_param(cx, "rsi_min");
	m->rsi_max = strat_param(cx, "rsi_max");
	m->rsi_exit = strat_param(cx, "rsi_exit");
	m->min_risk = strat_param(cx, "min_risk");
	m->scale_at = strat_param(cx, "scale_at");
	m->scale_frac = strat_param(cx, "scale_frac");
	m->or_ns = (int64_t)(strat_param(cx, "or_minutes") * STRAT_TF_1M);
	lb = strat_param(cx, "lookback");
	m->lookback = lb < 3 ? 3 : lb > LOOKBACK_MAX ? LOOKBACK_MAX : (int)lb;
	ind_macd_init(&m->macd, (int)strat_param(cx, "macd_fast"),
	    (int)strat_param(cx, "macd_slow"),
	    (int)strat_param(cx, "macd_signal"));
	ind_rsi_init(&m->rsi, (int)strat_param(cx, "rsi_period"));
	m->prev_macd = NAN;
	m->or_high = NAN;
	m->prev_high = NAN;
	m->open = INT64_MIN;
	m->r = NAN;
	m->bar_t = INT64_MIN;
}

static void
manage(struct strat_ctx *cx, struct mom *m, const struct bar *b, int ok)
{
	struct strat_order o = STRAT_ORDER_INIT;
	double pos = strat_position(cx), cost = strat_avg_cost(cx), q;

	if (strat_open_orders(cx) > 0)
		return;		/* an exit is on its way */
	if (ok && m->rsi.value >= m->rsi_exit) {
		strat_exit(cx, "rsi_extreme");
		return;
	}
	if (ok && m->macd.macd < m->macd.sig) {
		strat_exit(cx, "macd_turning");
		return;
	}
	if (m->scaled || !(m->r > 0) || b->c < cost + m->scale_at * m->r)
		return;
	q = floor(pos * m->scale_frac);
	m->scaled = 1;
	if (q < 1)
		return;
	o.side = SIDE_SELL;
	o.qty = q;
	o.reason = "scale_out";
	strat_why(&o, "price", b->c);
	strat_why(&o, "cost", cost);
	strat_why(&o, "r", m->r);
	if (strat_order(cx, &o) == 0)
		strat_set_exit(cx, cost, strat_target(cx));
}

static void
enter(struct strat_ctx *cx, struct mom *m, const struct bar *b, int64_t tf)
{
	struct strat_order o = STRAT_ORDER_INIT;
	struct bar h[LOOKBACK_MAX];
	double price = b->c, stop, r, qty, pv = strat_portfolio_value(cx);
	size_t n;

	if (!(price > m->or_high) || !(m->macd.macd > m->prev_macd) ||
	    !(m->macd.macd > m->macd.sig) || m->rsi.value < m->rsi_min ||
	    m->rsi.value > m->rsi_max)
		return;
	n = bar_ring_last(strat_bars(cx, tf), (size_t)m->lookback,
	    h);
	stop = fc_find_stop(h, n, price);
	if (isnan(stop) || price - stop < m->min_risk)
		return;
	r = price - stop;
	qty = floor(pv * m->risk / r);
	if (qty > floor(pv / price))
		qty = floor(pv / price);
	if (qty < 1)
		return;
	o.side = SIDE_BUY;
	o.qty = qty;
	o.stop_loss = stop;
	o.target = price + m->reward * r;
	o.reason = "entry";
	strat_why(&o, "price", price);
	strat_why(&o, "or_high", m->or_high);
	strat_why(&o, "macd", m->macd.macd);
	strat_why(&o, "macd_signal", m->macd.sig);
	strat_why(&o, "macd_prev", m->prev_macd);
	strat_why(&o, "rsi", m->rsi.value);
	strat_why(&o, "r", r);
	if (strat_order(cx, &o) == 0) {
		m->r = r;
		m->scaled = 0;
	}
}

/*
 * Feed a bar to the opening range and the indicators, keeping what they
 * were for bar_update(); 1 when the indicators are ready.
 */
static int
feed(struct strat_ctx *cx, struct mom *m, const struct bar *b, int64_t tf)
{
	int64_t open = strat_session_open(cx);
	int ok;

	m->bar_t = b->t;
	m->macd0 = m->macd;
	m->rsi0 = m->rsi;
	m->open0 = m->open;
	m->or_high0 = m->or_high;
	if (tf != STRAT_TF_1M) {
		/* daily: the range to break is the previous bar's */
		m->or_high = m->prev_high;
		m->prev_high = b->h;
	} else if (open != m->open) {
		m->open = open;
		m->or_high = NAN;
	}
	if (b->t >= open && b->t < open + m->or_ns &&
	    !(b->h <= m->or_high))
		m->or_high = b->h;
	ok = ind_macd_update(&m->macd, b->c);
	ok &= ind_rsi_update(&m->rsi, b->c);
	return ok;
}

static void
bar(struct strat_ctx *cx, void *p, const struct bar *b, int64_t tf)
{
	struct mom *m = p;
	int ok;

	if (tf != STRAT_TF_1M && tf != STRAT_TF_1D && tf != STRAT_TF_1MO)
		return;
	ok = feed(cx, m, b, tf);
	if (strat_position(cx) > 0)
		manage(cx, m, b, ok);
	else if (ok && !isnan(m->prev_macd) && (tf != STRAT_TF_1M ||
	    b->t >= m->open + m->or_ns) && strat_can_enter(cx))
		enter(cx, m, b, tf);
	m->prev_macd = ok ? m->macd.macd : NAN;
}

/* The last bar was replaced: its values again, from what they were. */
static void
bar_update(struct strat_ctx *cx, void *p, const struct bar *was,
    const struct bar *b, int64_t tf)
{
	struct mom *m = p;
	int ok;

	(void)was;
	if ((tf != STRAT_TF_1M && tf != STRAT_TF_1D && tf != STRAT_TF_1MO) ||
	    b->t != m->bar_t)
		return;
	m->macd = m->macd0;
	m->rsi = m->rsi0;
	m->open = m->open0;
	if (tf != STRAT_TF_1M)
		m->prev_high = m->or_high;
	m->or_high = m->or_high0;
	ok = feed(cx, m, b, tf);
	m->prev_macd = ok ? m->macd.macd : NAN;
}

const struct strategy strat_momentum_long = {
	.api = LIU_STRATEGY_API,
	.name = "momentum_long",
	.state_size = sizeof(struct mom),
	.params = params,
	.on_start = start,
	.on_bar = bar,
	.on_bar_update = bar_update,
};
