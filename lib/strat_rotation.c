/*
 * strat_rotation.c: momentum_rotation, a portfolio strategy (API 3).
 *
 * On each rebalance it ranks the basket, every symbol the process sees
 * but indexes (a name starting with '^', which cannot be bought), by its
 * return over the last rank_days trading days,
 *	close now / close n bars ago - 1,
 * n being rank_days on daily bars, round(rank_days / 21) (at least 1) on
 * monthly bars (a month is 21 trading days) and rank_days * 390 on
 * one-minute bars; rank_bars > 0 gives n itself.  A symbol is ranked
 * when it has n + 1 bars and a bar at the time of the call (daily data;
 * intraday: any bar).  It holds the top K (top) in equal weights: each
 * gets floor(equity / K / last price) shares, equity being cash plus the
 * positions at their last prices; it sells what is out of the top K and
 * trims or tops up what is in (the engine sends the sells first).  Ties
 * rank in the order the symbols were first seen.
 *
 * Rebalances: rebalance_days 0 (the default) is monthly, at the first
 * call of each New York calendar month (every bar of monthly data);
 * rebalance_days N > 0 is every N trading days (a monthly bar counts 21,
 * a daily bar 1, one-minute data 1 a New York day), the first at the
 * first call with a ranked symbol.  Until some symbol can be ranked,
 * nothing is done and no rebalance is counted.
 *
 * Its positions are kept overnight ("swing" defaults to 1).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cal.h"
#include "strategy.h"
#include "util.h"
#include "banned.h"

static const struct strat_param params[] = {
	{ "rank_days", 63 },
	{ "rank_bars", 0 },
	{ "top", 3 },
	{ "rebalance_days", 0 },
	{ "swing", 1 },
	{ NULL, 0 }
};

struct ranked {
	size_t i;
	double ret;
};

struct rot {
	int started;
	int rebalanced;		/* once */
	int last_month;		/* y * 12 + m of the last rebalance */
	double days;		/* trading days since it */
	int64_t day;		/* one-minute data: the New York day seen */
	struct ranked *r;	/* scratch, owned */
	size_t cr;
};

static int
by_return(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->ret != y->ret)
		return x->ret < y->ret ? 1 : -1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* The bars back that the return is over. */
static size_t
bars_back(const struct strat_book *bk, int64_t tf)
{
	double n = strat_book_param(bk, "rank_bars");
	double d = strat_book_param(bk, "rank_days");

	if (!(n >= 1)) {
		if (tf == STRAT_TF_1MO)
			n = round(d / 21);
		else if (tf == STRAT_TF_1D)
			n = d;
		else
			n = d * 390;
	}
	if (n < 1)
		n = 1;
	return n > 100000 ? 100000 : (size_t)n;
}

/* Whether a rebalance is due now; counts the trading days. */
static int
due(struct rot *st, const struct strat_book *bk, int64_t now, int64_t tf)
{
	double every = strat_book_param(bk, "rebalance_days");
	int64_t day;
	int y, m, d;

	if (tf == STRAT_TF_1MO)
		st->days += 21;
	else if (tf == STRAT_TF_1D)
		st->days += 1;
	else {
		day = now - cal_ny_local_ns(now);
		if (day != st->day) {
			st->day = day;
			st->days += 1;
		}
	}
	if (!st->rebalanced)
		return 1;
	if (every > 0)
		return st->days >= every;
	cal_ny_date(now, &y, &m, &d);
	return y * 12 + m != st->last_month;
}

static void
order(struct strat_ctx *cx, enum ev_side side, double qty,
    const char *reason, double ret, size_t rank)
{
	struct strat_order o = STRAT_ORDER_INIT;

	o.side = side;
	o.qty = qty;
	o.reason = reason;
	strat_why(&o, "price", strat_last_price(cx));
	if (isfinite(ret)) {
		strat_why(&o, "return", ret);
		strat_why(&o, "rank", (double)rank);
	}
	strat_order(cx, &o);
}

static void
portfolio(struct strat_book *bk, void *p)
{
	struct rot *st = p;
	struct strat_ctx *cx;
	const struct bar_ring *h;
	const struct bar *now_b, *then_b;
	int64_t now = strat_book_now(bk), tf = strat_book_tf(bk);
	size_t n = strat_book_size(bk), back, k, i, nr = 0, top, rank;
	double eq, want, pos, px, ret;
	int y, m, d;
	char *in;

	if (!st->started) {
		st->started = 1;
		st->day = INT64_MIN;
	}
	if (!due(st, bk, now, tf))
		return;
	back = bars_back(bk, tf);
	if (n > st->cr) {
		st->cr = n;
		st->r = xrealloc(st->r, n * sizeof(*st->r));
	}
	for (i = 0; i < n; i++) {
		cx = strat_book_ctx(bk, i);
		if (strat_symbol(cx)[0] == '^')
			continue;
		h = strat_bars(cx, tf == STRAT_TF_1M ? STRAT_TF_1M : tf);
		if (h == NULL || h->len < back + 1)
			continue;
		now_b = bar_ring_ago(h, 0);
		then_b = bar_ring_ago(h, back);
		if (tf != STRAT_TF_1M && now_b->t != now)
			continue;	/* no bar now: not trading */
		st->r[nr].i = i;
		st->r[nr++].ret = now_b->c / then_b->c - 1;
	}
	if (nr == 0)
		return;		/* nothing to rank yet */
	qsort(st->r, nr, sizeof(*st->r), by_return);
	top = (size_t)strat_book_param(bk, "top");
	if (top < 1)
		top = 1;
	if (top > nr)
		top = nr;
	st->rebalanced = 1;
	st->days = 0;
	cal_ny_date(now, &y, &m, &d);
	st->last_month = y * 12 + m;
	eq = strat_book_equity(bk);
	in = xcalloc(n, 1);
	for (k = 0; k < top; k++) {
		cx = strat_book_ctx(bk, st->r[k].i);
		in[st->r[k].i] = 1;
		px = strat_last_price(cx);
		want = floor(eq / (double)top / px);
		pos = strat_position(cx);
		if (want > pos)
			order(cx, SIDE_BUY, want - pos, pos > 0 ? "rebalance" :
			    "rotate_in", st->r[k].ret, k + 1);
		else if (want < pos)
			order(cx, SIDE_SELL, pos - want, "rebalance",
			    st->r[k].ret, k + 1);
	}
	for (i = 0; i < n; i++) {
		cx = strat_book_ctx(bk, i);
		if (in[i] || !(strat_position(cx) > 0))
			continue;
		ret = NAN;
		rank = 0;
		for (k = top; k < nr; k++)
			if (st->r[k].i == i) {
				ret = st->r[k].ret;
				rank = k + 1;
			}
		order(cx, SIDE_SELL, strat_position(cx), "rotate_out", ret,
		    rank);
	}
	free(in);
}

static void
book_finish(struct strat_book *bk, void *p)
{
	struct rot *st = p;

	(void)bk;
	free(st->r);
}

const struct strategy strat_momentum_rotation = {
	.api = LIU_STRATEGY_API,
	.name = "momentum_rotation",
	.params = params,
	.on_portfolio = portfolio,
	.book_state_size = sizeof(struct rot),
	.on_book_finish = book_finish,
};
