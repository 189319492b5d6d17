/*
 * order_risk.c: liu-order's risk checks (order.h), made by the book after
 * its own rules and before an order reaches the broker.  Each refusal is
 * an order_update "rejected" whose why starts "risk: ".  The rules
 * (liu-order(1) says them to users):
 *
 *   - Entries (buy, sell_short) only: the kill switch (the day's loss,
 *     realized less fees plus the open positions marked at their last
 *     price, against where the New York day began, reached
 *     max_daily_loss: reported once, on stderr and as a "risk" event, and
 *     no entry until the next day); the value of a symbol (its positions
 *     at the last price, its open entries and this one at their price)
 *     over max_pos_value; the same over every symbol over max_exposure;
 *     the broker's buying power (alpaca: GET /v2/account, again after a
 *     minute, less what entries took since) under the order's value.
 *   - Every order: none into a symbol halted (a "status" event read whose
 *     status says a halt or pause, until one says a resumption); none
 *     outside the regular session (alpaca: the broker's GET /v2/clock,
 *     asked again at its next change or after a minute; sim: the order's
 *     time and the New York calendar) unless ext_hours and the order is
 *     extended_hours and in the pre- or post-market (04:00 to the open,
 *     the close to four hours after); max_open open orders; max_per_min
 *     orders in the 60 s before the order's time; a limit or stop price
 *     more than price_band percent off the last price seen.
 *   - sell_short: the broker's asset must be shortable and easy to borrow
 *     (alpaca: GET /v2/assets/{symbol}, once a symbol).
 *
 * A question the broker does not answer lets the order through (the
 * broker checks again), said once on stderr.  The orders the book places
 * itself (tagged: the end of day's liquidation) are not checked.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cal.h"
#include "event.h"
#include "json.h"
#include "ndjson.h"
#include "order.h"
#include "order_eod.h"
#include "sym.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define NS 1000000000LL
#define MINUTE (60 * NS)

struct risk {
	struct risk_opts o;
	struct risk_broker rb;
	struct broker *alp;	/* rb.b, or NULL */
	/* symbols: halted, and shortable (-1 not asked, 0 no, 1 yes) */
	struct symtab syms;
	signed char *halted, *shortable;
	size_t nsyms;
	/* the times of the last max_per_min orders sent, a ring */
	int64_t *times;
	size_t head, ntimes;
	/* the day, for the kill switch */
	int64_t day_end;
	double pnl0;
	int have_day, killed;
	/* the account */
	double bp, bp_expo;
	int64_t bp_at;
	int have_bp;
	/* the broker's clock */
	int open, have_clk;
	int64_t clk_off, clk_next, clk_at;
	int warned;
	struct buf out, tmp;
	char err[256];
};

struct risk *
risk_new(const struct risk_opts *o, const struct risk_broker *rb)
{
	struct risk *r = xcalloc(1, sizeof(*r));

	r->o = *o;
	if (rb) {
		r->rb = *rb;
		r->alp = rb->b;
	}
	if (o->max_per_min > 0)
		r->times = xcalloc((size_t)o->max_per_min, sizeof(*r->times));
	return r;
}

void
risk_free(struct risk *r)
{
	if (r == NULL)
		return;
	symtab_release(&r->syms);
	free(r->halted);
	free(r->shortable);
	free(r->times);
	buf_release(&r->out);
	buf_release(&r->tmp);
	free(r);
}

static size_t
sym_index(struct risk *r, const char *sym)
{
	uint32_t k = sym_intern(&r->syms, sym, strlen(sym));

	if (k >= r->nsyms) {
		r->halted = xrealloc(r->halted, k + 1);
		r->shortable = xrealloc(r->shortable, k + 1);
		for (; r->nsyms <= k; r->nsyms++) {
			r->halted[r->nsyms] = 0;
			r->shortable[r->nsyms] = -1;
		}
	}
	return k;
}

static void
warn_once(struct risk *r, const char *what)
{
	if (r->warned++ == 0 || r->o.verbose)
		warn("risk: %s: no answer from the broker; orders go "
		    "unchecked by it", what);
}

static const char *
say(struct risk *r, const char *fmt, ...) __attribute__((format(printf, 2,
    3)));

static const char *
say(struct risk *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return r->err;
}

static int
is_entry(enum ev_side s)
{
	return s == SIDE_BUY || s == SIDE_SELL_SHORT;
}

/* A symbol's price: the last seen, else the cost given; or NAN. */
static double
price_of(struct ob *ob, const char *sym, double cost)
{
	double px = ob_last(ob, sym);

	return isnan(px) ? cost : px;
}

/* The price an order is valued at: its limit, its stop, else the last. */
static double
order_price(struct ob *ob, const struct ob_order *o)
{
	if ((o->type == OT_LIMIT || o->type == OT_STOP_LIMIT) &&
	    !isnan(o->limit))
		return o->limit;
	if (o->type == OT_STOP && !isnan(o->stop))
		return o->stop;
	return ob_last(ob, o->sym);
}

/*
 * The value at stake of symbol sym (NULL: of all): positions at their
 * price, open entries (but order 'self') at theirs.  *unpriced: whether
 * an open entry had no price (not counted).
 */
static double
value(struct ob *ob, const char *sym, size_t self, int *unpriced)
{
	const size_t *open;
	const struct ob_order *o;
	const char *s;
	double v = 0, q, c, px;
	size_t k, n;

	*unpriced = 0;
	for (k = 0; k < ob_npositions(ob); k++) {
		s = ob_position(ob, k, &q, &c);
		if (q == 0 || (sym && strcmp(s, sym) != 0))
			continue;
		px = price_of(ob, s, c);
		if (!isnan(px))
			v += fabs(q) * px;
	}
	open = ob_open_orders(ob, &n);
	for (k = 0; k < n; k++) {
		o = ob_order(ob, open[k]);
		if (open[k] == self || !is_entry(o->side) || o->parent >= 0 ||
		    (sym && strcmp(o->sym, sym) != 0))
			continue;
		px = order_price(ob, o);
		if (isnan(px))
			*unpriced = 1;
		else
			v += fmax(0, o->qty - o->filled) * px;
	}
	return v;
}

/* The P&L of the run: realized less fees, open positions marked. */
static double
pnl(struct ob *ob)
{
	double v = ob_realized(ob), q, c, px;
	const char *s;
	size_t k;

	for (k = 0; k < ob_npositions(ob); k++) {
		s = ob_position(ob, k, &q, &c);
		if (q == 0 || isnan(c))
			continue;
		px = price_of(ob, s, c);
		v += q * (px - c);
	}
	return v;
}

/* The kill switch: a new day starts over; a loss trips it, said once. */
static void
day_check(struct risk *r, struct ob *ob, int64_t t)
{
	char ts[TM_RFC3339_MAX];
	double loss;
	struct buf *b = &r->out;

	if (isnan(r->o.max_daily_loss))
		return;
	if (!r->have_day || t >= r->day_end) {
		r->day_end = t - cal_ny_local_ns(t) + 24 * 3600 * NS;
		r->pnl0 = pnl(ob);
		r->have_day = 1;
		r->killed = 0;
	}
	if (r->killed)
		return;
	loss = r->pnl0 - pnl(ob);
	if (loss < r->o.max_daily_loss)
		return;
	r->killed = 1;
	warn("risk: kill switch: the day's loss %.2f reached "
	    "--max-daily-loss %.2f: no new entries today", loss,
	    r->o.max_daily_loss);
	buf_reset(b);
	buf_adds(b, "{\"ev\":\"risk\",\"t\":");
	json_add_str(b, ts, tm_format(t, ts));
	json_add_kstr(b, "status", "kill_switch");
	json_add_kstr(b, "check", "max_daily_loss");
	json_add_knum(b, "loss", round(loss * 100) / 100);
	json_add_knum(b, "limit", r->o.max_daily_loss);
	json_add_kstr(b, "why", "the day's loss reached the limit: no new "
	    "entries today");
	buf_addc(b, '}');
	nd_emit(b->p, b->len);
}

/* Whether t (New York) is in the pre- or post-market of a session day. */
static int
extended(int64_t t)
{
	int64_t open = cal_session_open(t), close = cal_session_close(t);

	return open >= 0 && t >= open - (int64_t)(5.5 * 3600) * NS &&
	    t < close + 4 * 3600 * NS;
}

static int
regular(int64_t t)
{
	int64_t open = cal_session_open(t), close = cal_session_close(t);

	return open >= 0 && t >= open && t < close;
}

/* NULL if the market is open for order o, else why not. */
static const char *
hours_check(struct risk *r, const struct ob_order *o)
{
	int64_t t = o->t, wall;
	int open;

	if (r->alp) {
		wall = liu_now_ns();
		if (!r->have_clk || wall + r->clk_off >= r->clk_next ||
		    wall - r->clk_at >= MINUTE) {
			int64_t bnow, next;

			if (r->rb.clock(r->alp, &open, &bnow, &next) == 0) {
				r->open = open;
				r->clk_off = bnow - liu_now_ns();
				r->clk_next = next;
				r->clk_at = liu_now_ns();
				r->have_clk = 1;
			} else {
				warn_once(r, "GET /v2/clock");
				r->have_clk = 0;
			}
		}
		if (r->have_clk) {
			t = wall + r->clk_off;
			open = r->open && t < r->clk_next;
		} else
			open = regular(t = wall);
	} else
		open = regular(t);
	if (open)
		return NULL;
	if (r->o.ext_hours && o->ext_hours && extended(t))
		return NULL;
	if (r->o.ext_hours && extended(t))
		return "risk: outside the regular session: only "
		    "extended_hours orders now";
	return r->alp ? "risk: market closed (the broker's clock)" :
	    "risk: market closed";
}

static const char *
rate_check(struct risk *r, const struct ob_order *o)
{
	size_t n = (size_t)r->o.max_per_min;

	if (r->ntimes == n && o->t - r->times[r->head] < MINUTE)
		return say(r, "risk: order rate: %zu orders in the minute "
		    "before (--max-orders-per-min %zu)", n, n);
	return NULL;
}

static void
rate_add(struct risk *r, const struct ob_order *o)
{
	size_t n = (size_t)r->o.max_per_min;

	r->times[(r->head + r->ntimes) % n] = o->t;
	if (r->ntimes < n)
		r->ntimes++;
	else
		r->head = (r->head + 1) % n;
}

static const char *
band_check(struct risk *r, struct ob *ob, const struct ob_order *o)
{
	double last = ob_last(ob, o->sym), px[2], off;
	int k;

	px[0] = o->type == OT_LIMIT || o->type == OT_STOP_LIMIT ? o->limit :
	    NAN;
	px[1] = o->type == OT_STOP || o->type == OT_STOP_LIMIT ? o->stop :
	    NAN;
	if (isnan(px[0]) && isnan(px[1]))
		return NULL;	/* market: no price of its own */
	if (isnan(last))
		return say(r, "risk: no last price of %.32s to check the "
		    "price band", o->sym);
	for (k = 0; k < 2; k++) {
		if (isnan(px[k]))
			continue;
		off = fabs(px[k] - last) / last * 100;
		if (off > r->o.price_band)
			return say(r, "risk: %s price %.10g is %.1f%% off the "
			    "last price %.10g (--price-band %.10g)",
			    k ? "stop" : "limit", px[k], off, last,
			    r->o.price_band);
	}
	return NULL;
}

static const char *
short_check(struct risk *r, const struct ob_order *o)
{
	size_t k = sym_index(r, o->sym);
	int sh, etb;

	if (r->shortable[k] < 0) {
		if (r->rb.asset(r->alp, o->sym, &sh, &etb) < 0) {
			warn_once(r, "GET /v2/assets");
			return NULL;
		}
		r->shortable[k] = sh ? (etb ? 1 : 2) : 0;
	}
	if (r->shortable[k] == 0)
		return say(r, "risk: %.32s is not shortable (the broker's "
		    "asset)", o->sym);
	if (r->shortable[k] == 2)
		return say(r, "risk: %.32s is not easy to borrow (the "
		    "broker's asset)", o->sym);
	return NULL;
}

/* The money checks of an entry, valued at px. */
static const char *
money_check(struct risk *r, struct ob *ob, size_t i, double px)
{
	const struct ob_order *o = ob_order(ob, i);
	double want = o->qty * px, v, have;
	int64_t wall;
	int unp;

	if (!isnan(r->o.max_pos_value)) {
		v = value(ob, o->sym, i, &unp);
		if (unp)
			return say(r, "risk: an open order of %.32s has no "
			    "price", o->sym);
		if (v + want > r->o.max_pos_value + 1e-6)
			return say(r, "risk: %.32s would be worth %.2f, over "
			    "--max-position-value %.2f", o->sym, v + want,
			    r->o.max_pos_value);
	}
	if (!isnan(r->o.max_exposure) || (r->o.account && r->alp)) {
		v = value(ob, NULL, i, &unp);
		if (unp && !isnan(r->o.max_exposure))
			return say(r, "risk: an open order has no price");
		if (v + want > r->o.max_exposure + 1e-6)
			return say(r, "risk: exposure would be %.2f, over "
			    "--max-exposure %.2f", v + want,
			    r->o.max_exposure);
		if (!(r->o.account && r->alp))
			return NULL;
		wall = liu_now_ns();
		if (!r->have_bp || wall - r->bp_at >= MINUTE) {
			if (r->rb.buying_power(r->alp, &r->bp) < 0) {
				warn_once(r, "GET /v2/account");
				return NULL;
			}
			r->have_bp = 1;
			r->bp_at = wall;
			r->bp_expo = v;
		}
		have = r->bp - (v - r->bp_expo);
		if (want > have + 1e-6)
			return say(r, "risk: insufficient buying power "
			    "(the broker's account): %.2f wanted, %.2f "
			    "available", want, fmax(0, have));
	}
	return NULL;
}

const char *
risk_order(struct risk *r, struct ob *ob, size_t i)
{
	const struct ob_order *o = ob_order(ob, i);
	const char *why;
	size_t k = sym_index(r, o->sym), n;
	double px;

	if (o->tag)
		return NULL;	/* the book's own (liquidation): let out */
	if (r->halted[k])
		return say(r, "risk: %.32s is halted", o->sym);
	if (r->o.hours && (why = hours_check(r, o)))
		return why;
	if (r->o.max_per_min > 0 && (why = rate_check(r, o)))
		return why;
	if (r->o.max_open > 0) {
		ob_open_orders(ob, &n);
		if (n >= (size_t)r->o.max_open)
			return say(r, "risk: %zu orders open "
			    "(--max-open-orders %ld)", n, r->o.max_open);
	}
	if (!isnan(r->o.price_band) && (why = band_check(r, ob, o)))
		return why;
	if (is_entry(o->side)) {
		day_check(r, ob, o->t);
		if (r->killed)
			return "risk: kill switch (--max-daily-loss): no new "
			    "entries today";
	}
	if (o->side == SIDE_SELL_SHORT && r->o.shortable && r->alp &&
	    (why = short_check(r, o)))
		return why;
	if (is_entry(o->side) && (!isnan(r->o.max_pos_value) ||
	    !isnan(r->o.max_exposure) || (r->o.account && r->alp))) {
		o = ob_order(ob, i);
		px = order_price(ob, o);
		if (isnan(px) && (!isnan(r->o.max_pos_value) ||
		    !isnan(r->o.max_exposure)))
			return say(r, "risk: no price of %.32s yet to value "
			    "the order", o->sym);
		/* unpriced, the broker's buying power is its own to check */
		if (!isnan(px) && (why = money_check(r, ob, i, px)))
			return why;
	}
	if (r->o.max_per_min > 0)
		rate_add(r, ob_order(ob, i));
	return NULL;
}

void
risk_market(struct risk *r, struct ob *ob, const struct ev *e)
{
	if (!r->killed || !r->have_day || e->t >= r->day_end)
		day_check(r, ob, e->t);
}

/* Whether s holds word w, ignoring case. */
static int
has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; *s; s++)
		if (strncasecmp(s, w, n) == 0)
			return 1;
	return 0;
}

void
risk_status(struct risk *r, struct ob *ob, const struct ev *e)
{
	int i = json_member(&e->j, 0, "status");
	const char *st;
	size_t k;

	(void)ob;
	buf_reset(&r->tmp);
	if (i < 0 || json_str(&e->j, i, &r->tmp) < 0)
		return;
	st = buf_cstr(&r->tmp);
	k = sym_index(r, e->sym);
	if (has_word(st, "resum"))
		r->halted[k] = 0;
	else if (has_word(st, "halt") || has_word(st, "pause"))
		r->halted[k] = 1;
}
