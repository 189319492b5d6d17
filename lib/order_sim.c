/*
 * order_sim.c: the simulated broker behind liu-order's book (order.h).
 *
 * It fills the orders it holds from the market events the book hands it,
 * the same way on every run: what an order gets depends only on the
 * events of its symbol that come after it (and clock events), never on the
 * wall clock or on other symbols.  The rules (liu-order(1) says them to
 * users):
 *
 *   - An order is worked from the first market event of its symbol that
 *     comes after it and whose time is not before the order's (a bar's
 *     time is its start, so a bar that began before the order cannot fill
 *     it).  A bracket's legs start with the event after the one that
 *     filled the entry.
 *   - Each event is seen by a buyer at one price and a range: a trade at
 *     its price; a quote at its ask (buyers) or bid (sellers); a bar at
 *     its open, within its low and high.  Market orders fill at that price.
 *     A limit fills at that price if it is at or better than the limit,
 *     else at the limit if the range reaches it.  A stop triggers when the
 *     price or the range reaches it, and fills at that price (a gap
 *     through the stop) or at the stop; once triggered it is a market
 *     order.  A stop limit triggers the same way and fills then only if
 *     the trigger price is within the limit; otherwise it rests as a
 *     limit from the next event.  A trailing stop's stop follows the best
 *     price since it was placed (the last price then, else the first
 *     event's: a trade's price, a quote's bid or ask, a bar's close) by
 *     trail_price dollars or trail_percent percent; an event is first
 *     checked against the stop as it stood, then moves it.
 *   - max_fill caps the shares one event fills of one order.
 *   - Time in force: a day order (tif "day" or none) expires at the close
 *     of its New York session (the next session's, when placed outside
 *     one), at the first event of its symbol, or clock event, at or after
 *     it; gtc orders do not; ioc fills what the first event it is worked
 *     against gives and cancels the rest; fok fills whole at that event or
 *     is cancelled.
 *   - A cancel asked for takes effect at the next event of the symbol
 *     whose time is not before the cancel's, after that event's fills: an
 *     order can still fill then (a late fill).
 *   - Brackets: when the entry has filled (or is cancelled after a partial
 *     fill), a stop leg at its stop_loss and a limit leg at its target are
 *     placed for what was filled; the first fill of either cancels the
 *     other.
 *
 * The broker's order ids are "sim-" and 16 hex digits of the FNV-1a hash
 * of the client id, the same on every run; fills' exec_ids are left to the
 * book (order id, a dash, the fill's number).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal.h"
#include "event.h"
#include "order.h"
#include "sym.h"
#include "util.h"
#include "banned.h"

#define EPS 1e-9

/* The orders being worked on one symbol, in the order they came. */
struct worklist {
	size_t *ord;
	size_t n, cap;
};

struct sim {
	struct broker b;	/* first: the book holds a struct broker * */
	double max_fill;
	struct symtab syms;
	struct worklist *w;
	size_t nw;
	uint64_t nmkt;		/* market events seen */
};

static struct worklist *
worklist(struct sim *s, const char *sym, int make)
{
	long k = sym_find(&s->syms, sym, strlen(sym));

	if (k < 0) {
		if (!make)
			return NULL;
		k = sym_intern(&s->syms, sym, strlen(sym));
		if ((size_t)k >= s->nw) {
			s->w = xrealloc(s->w, ((size_t)k + 1) * sizeof(*s->w));
			memset(&s->w[s->nw], 0, ((size_t)k + 1 - s->nw) *
			    sizeof(*s->w));
			s->nw = (size_t)k + 1;
		}
	}
	return &s->w[k];
}

static int
is_buy(enum ev_side s)
{
	return s == SIDE_BUY || s == SIDE_BUY_TO_COVER;
}

static void
sim_submit(struct broker *b, struct ob *ob, size_t i)
{
	struct sim *s = (struct sim *)b;
	struct ob_order *o = ob_order(ob, i);
	struct worklist *w = worklist(s, o->sym, 1);
	int64_t open, close;
	char oid[24];

	snprintf(oid, sizeof(oid), "sim-%016llx",
	    (unsigned long long)sym_hash(o->cid, strlen(o->cid)));
	ob_set_oid(ob, i, oid);
	o->expire = INT64_MAX;
	if (o->tif == TIF_DAY && cal_next_session(o->t, &open, &close) == 0)
		o->expire = close;
	o->mark = ob_last(ob, o->sym);
	o->trig = 0;
	o->after = s->nmkt;
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 8;
		w->ord = xrealloc(w->ord, w->cap * sizeof(*w->ord));
	}
	w->ord[w->n++] = i;
	ob_status(ob, i, OS_OPEN, NULL, o->t);
}

static void
sim_cancel(struct broker *b, struct ob *ob, size_t i, enum ob_end how,
    int64_t t)
{
	struct ob_order *o = ob_order(ob, i);

	(void)b;
	if (how == OB_END_REQUEST)
		o->cancel_t = t;	/* at the symbol's next event */
	else if (how == OB_END_EOF && o->state != OS_PENDING_CANCEL)
		ob_status(ob, i, OS_EXPIRED, "end of input", t);
	else
		ob_status(ob, i, OS_CANCELED, how == OB_END_EOF ?
		    "canceled on request" : "liu-order stopped", t);
}

/* An event as a buyer (buy) or seller sees it: a price and a range. */
struct seen {
	double px, hi, lo;
	double last;		/* the price a trailing stop starts from */
};

static void
seen(const struct ev *e, int buy, struct seen *v)
{
	switch (e->type) {
	case EV_TRADE:
		v->px = v->hi = v->lo = v->last = e->price;
		break;
	case EV_QUOTE:
		v->px = v->hi = v->lo = v->last = buy ? e->ask : e->bid;
		break;
	default:
		v->px = e->o;
		v->hi = e->h;
		v->lo = e->l;
		v->last = e->c;
		break;
	}
}

/* A limit: the fill price, or NAN. */
static double
at_limit(const struct seen *v, int buy, double lim)
{
	if (buy)
		return v->px <= lim ? v->px : v->lo <= lim ? lim : NAN;
	return v->px >= lim ? v->px : v->hi >= lim ? lim : NAN;
}

/* A stop: the trigger (and fill) price, or NAN. */
static double
at_stop(const struct seen *v, int buy, double stop)
{
	if (buy)
		return v->px >= stop ? v->px : v->hi >= stop ? stop : NAN;
	return v->px <= stop ? v->px : v->lo <= stop ? stop : NAN;
}

/* The price order o fills at on event e, or NAN; triggers stops. */
static double
fill_price(struct ob_order *o, const struct ev *e)
{
	struct seen v;
	int buy = is_buy(o->side);
	double p, stop, trail;

	seen(e, buy, &v);
	switch (o->type) {
	case OT_MARKET:
		return v.px;
	case OT_LIMIT:
		return at_limit(&v, buy, o->limit);
	case OT_STOP:
		if (o->trig)
			return v.px;
		if (!isnan(p = at_stop(&v, buy, o->stop)))
			o->trig = 1;
		return p;
	case OT_STOP_LIMIT:
		if (o->trig)
			return at_limit(&v, buy, o->limit);
		if (isnan(p = at_stop(&v, buy, o->stop)))
			return NAN;
		o->trig = 1;
		return (buy ? p <= o->limit : p >= o->limit) ? p : NAN;
	case OT_TRAIL:
		if (o->trig)
			return v.px;
		if (isnan(o->mark)) {
			o->mark = v.last;
			return NAN;
		}
		trail = isnan(o->trail_price) ? o->mark * o->trail_pct / 100 :
		    o->trail_price;
		stop = buy ? o->mark + trail : o->mark - trail;
		if (!isnan(p = at_stop(&v, buy, stop))) {
			o->trig = 1;
			return p;
		}
		o->mark = buy ? fmin(o->mark, v.lo) : fmax(o->mark, v.hi);
		return NAN;
	}
	return NAN;
}

/* Place the legs of bracket entry i for qty shares. */
static void
legs(struct sim *s, struct ob *ob, size_t i, double qty, int64_t t)
{
	size_t st, tg;

	st = ob_leg(ob, i, LEG_STOP, qty, t);
	tg = ob_leg(ob, i, LEG_TARGET, qty, t);
	sim_submit(&s->b, ob, st);
	sim_submit(&s->b, ob, tg);
}

/* Work order i against event e (of its symbol, at or after it). */
static void
work(struct sim *s, struct ob *ob, size_t i, const struct ev *e)
{
	struct ob_order *o = ob_order(ob, i);
	double px, want, q;
	long sib;
	int first_leg_fill;

	if (o->expire <= e->t) {
		ob_status(ob, i, OS_EXPIRED, "day order expired at the close",
		    o->expire);
		return;
	}
	px = fill_price(o, e);
	want = o->qty - o->filled;
	q = s->max_fill > 0 && s->max_fill < want ? s->max_fill : want;
	if (!isnan(px) && !(o->tif == TIF_FOK && q + EPS < want)) {
		first_leg_fill = o->parent >= 0 && o->filled == 0;
		ob_fill(ob, i, o->filled + q, px, NAN, e->t, NULL,
		    e->synthetic);
		o = ob_order(ob, i);
		if (first_leg_fill) {
			sib = ob_order(ob, (size_t)o->parent)->leg[
			    o->kind == LEG_STOP ? 1 : 0];
			if (sib >= 0)
				ob_status(ob, (size_t)sib, OS_CANCELED,
				    "oco: the other leg filled", e->t);
		}
		if (o->state == OS_FILLED && o->bracket)
			legs(s, ob, i, o->qty, e->t);
	}
	o = ob_order(ob, i);
	if (o->state == OS_FILLED || o->state == OS_CANCELED ||
	    o->state == OS_EXPIRED || o->state == OS_REJECTED)
		return;
	if (o->state == OS_PENDING_CANCEL && e->t >= o->cancel_t) {
		ob_status(ob, i, OS_CANCELED, "canceled on request", e->t);
		if (o->bracket && o->filled > 0)
			legs(s, ob, i, o->filled, e->t);
	} else if (o->tif == TIF_IOC)
		ob_status(ob, i, OS_CANCELED, "ioc: the rest canceled", e->t);
	else if (o->tif == TIF_FOK)
		ob_status(ob, i, OS_CANCELED, "fok: not filled whole", e->t);
}

static int
is_final(const struct ob_order *o)
{
	return o->state >= OS_FILLED;
}

/* Drop the orders that are done from a work list. */
static void
compact(struct ob *ob, struct worklist *w)
{
	size_t k, n = 0;

	for (k = 0; k < w->n; k++)
		if (!is_final(ob_order(ob, w->ord[k])))
			w->ord[n++] = w->ord[k];
	w->n = n;
}

static void
sim_market(struct broker *b, struct ob *ob, const struct ev *e)
{
	struct sim *s = (struct sim *)b;
	struct worklist *w;
	struct ob_order *o;
	size_t k, n, j;

	s->nmkt++;
	if (e->type == EV_CLOCK) {
		for (j = 0; j < s->nw; j++) {
			w = &s->w[j];
			for (k = 0; k < w->n; k++) {
				o = ob_order(ob, w->ord[k]);
				if (!is_final(o) && o->expire <= e->t)
					ob_status(ob, w->ord[k], OS_EXPIRED,
					    "day order expired at the close",
					    o->expire);
			}
			compact(ob, w);
		}
		return;
	}
	if ((w = worklist(s, e->sym, 0)) == NULL)
		return;
	/* legs placed while working this event wait for the next one */
	n = w->n;
	for (k = 0; k < n; k++) {
		o = ob_order(ob, w->ord[k]);
		if (is_final(o) || o->after >= s->nmkt || e->t < o->t)
			continue;
		work(s, ob, w->ord[k], e);
		w = worklist(s, e->sym, 0);	/* legs may move it */
	}
	compact(ob, w);
}

static void
sim_release(struct broker *b)
{
	struct sim *s = (struct sim *)b;
	size_t k;

	for (k = 0; k < s->nw; k++)
		free(s->w[k].ord);
	free(s->w);
	symtab_release(&s->syms);
	free(s);
}

struct broker *
sim_broker(double max_fill)
{
	struct sim *s = xcalloc(1, sizeof(*s));

	s->b.name = "sim";
	s->b.submit = sim_submit;
	s->b.cancel = sim_cancel;
	s->b.market = sim_market;
	s->b.release = sim_release;
	s->max_fill = max_fill;
	return &s->b;
}
