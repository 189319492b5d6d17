/*
 * analyze_trips.c: events into liu-analyze: fills matched into round
 * trips, market prices marking positions, and the equity sampled at every
 * event.
 *
 * Promises: fills are matched first in, first out per (strategy, symbol),
 * long and short; the fills of one entry order closed by one exit order
 * make one round trip; a fee shared between round trips is split by
 * quantity so the shares add up to it exactly (see analyze.h).  A fill
 * that cannot apply (a sell with no long position, ...) is refused before
 * it changes anything, so a bad event never leaves a half-applied total.
 * Cash, the mark of every position and so the equity are exact at every
 * event.
 *
 * Owns, in struct an: the symbol, strategy, batch and key tables, the
 * open lots of every key, the round trips, the equity samples and, with
 * opts.charts, the price points and fill markers; an_release() frees
 * them all.  Arrays grow by doubling and die when out of memory.
 *
 * Fails: an_event(), an_fill_from_ev() and an_add_fill() return -1 with a
 * message in *err (static: valid until the next call here).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "analyze_impl.h"
#include "bars.h"
#include "buf.h"
#include "cal.h"
#include "event.h"
#include "json.h"
#include "sym.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

/* The last time there is: 2261-12-31T23:59:59.999999999Z. */
#define T_END INT64_C(9214646399999999999)

static char errbuf[160];

void
an_init(struct an *a, const struct an_opts *o)
{
	memset(a, 0, sizeof(*a));
	a->o = *o;
	a->cash = o->capital;
	a->t_first = INT64_MAX;
	a->t_last = INT64_MIN;
	a->bench = UINT32_MAX;
	a->bench_first = a->bench_last = AN_NONE;
	a->bench_open = AN_NONE;
}

void
an_release(struct an *a)
{
	size_t i;

	for (i = 0; i < a->nkeys; i++)
		free(a->keys[i].lots);
	for (i = 0; i < a->nsym; i++) {
		free(a->sym[i].pts);
		free(a->sym[i].marks);
	}
	free(a->keys);
	free(a->sym);
	free(a->trips);
	free(a->eq);
	free(a->by_sym);
	free(a->by_strat);
	free(a->by_batch);
	free(a->bpts);
	free(a->bench_name);
	free(a->days);
	symtab_release(&a->syms);
	symtab_release(&a->strats);
	symtab_release(&a->batches);
	symtab_release(&a->execs);
	symtab_release(&a->keynames);
	memset(a, 0, sizeof(*a));
}

static uint32_t
sym_get(struct an *a, const char *name)
{
	uint32_t id = sym_intern(&a->syms, name, strlen(name));

	if (id < a->nsym)
		return id;
	AN_GROW(a->sym, a->nsym, a->symcap);
	memset(&a->sym[id], 0, sizeof(a->sym[id]));
	a->sym[id].last = AN_NONE;
	a->nsym++;
	if (a->o.benchmark && !a->o.bench_file &&
	    strcmp(name, a->o.benchmark) == 0)
		a->bench = id;
	return id;
}

const char *
an_key_sym(const struct an *a, const struct an_key *k)
{
	return sym_name(&a->syms, k->sym);
}

const char *
an_key_strat(const struct an *a, const struct an_key *k)
{
	return sym_name(&a->strats, k->strat);
}

static struct an_key *
key_get(struct an *a, const char *strat, uint32_t sym)
{
	char kb[256];
	struct buf big = BUF_INIT;
	const char *name = sym_name(&a->syms, sym);
	size_t ls = strlen(strat), ln = strlen(name), len = ls + 1 + ln;
	const char *kn = kb;
	uint32_t id;
	struct an_key *k;

	/* "strategy\037symbol": the unit separator cannot be in a name */
	if (len > sizeof(kb)) {
		buf_add(&big, strat, ls);
		buf_addc(&big, 037);
		buf_add(&big, name, ln);
		kn = big.p;
	} else {
		memcpy(kb, strat, ls);
		kb[ls] = 037;
		memcpy(kb + ls + 1, name, ln);
	}
	id = sym_intern(&a->keynames, kn, len);
	buf_release(&big);
	if (id == a->nkeys) {
		AN_GROW(a->keys, a->nkeys, a->keyscap);
		k = &a->keys[a->nkeys++];
		memset(k, 0, sizeof(*k));
		k->sym = sym;
		k->strat = sym_intern(&a->strats, strat, ls);
	}
	return &a->keys[id];
}

static void
sample(struct an *a, int64_t t)
{
	/*
	 * Events of one instant (the bars of every symbol for a minute) are
	 * one point of the curve: the equity once all of them are in.  So
	 * the curve grows with time, not with the number of symbols.
	 */
	if (a->neq > 0 && a->eq[a->neq - 1].t == t) {
		a->eq[a->neq - 1].eq = a->cash + a->mark;
		return;
	}
	AN_GROW(a->eq, a->neq, a->eqcap);
	a->eq[a->neq].t = t;
	a->eq[a->neq].eq = a->cash + a->mark;
	a->neq++;
}

static void
seen_time(struct an *a, int64_t t)
{
	if (t < a->t_first)
		a->t_first = t;
	if (t > a->t_last)
		a->t_last = t;
}

/* A new last price for symbol s: revalue its position. */
static void
set_last(struct an *a, uint32_t s, int64_t price)
{
	struct an_sym *y = &a->sym[s];

	if (y->last != AN_NONE)
		a->mark += (an_money)y->net * (price - y->last);
	else
		a->mark += (an_money)y->net * price;
	y->last = price;
}

static void
bench_point(struct an *a, int64_t t, int64_t price, int64_t open)
{
	if (a->nbpts == 0)
		a->bench_open = open;
	AN_GROW(a->bpts, a->nbpts, a->bptscap);
	a->bpts[a->nbpts].t = t;
	a->bpts[a->nbpts].price = price;
	a->nbpts++;
}

const char *
an_bench_name(const struct an *a)
{
	return a->o.benchmark ? a->o.benchmark : a->bench_name;
}

void
an_add_mark(struct an *a, const char *symname, int64_t t, int64_t price,
    int64_t open)
{
	uint32_t s = sym_get(a, symname);
	struct an_sym *y = &a->sym[s];

	seen_time(a, t);
	set_last(a, s, price);
	if (s == a->bench)
		bench_point(a, t, price, open);
	if (a->o.charts) {
		AN_GROW(y->pts, y->npts, y->ptscap);
		y->pts[y->npts].t = t;
		y->pts[y->npts].price = price;
		y->npts++;
	}
	a->nmarks++;
	sample(a, t);
}

/* A number token read from its text: 1 absent or null, 0, -1 bad. */
static int
tok_dec(const struct ev *e, int i, int64_t *v)
{
	const struct json_tok *tk;

	if (i < 0)
		return 1;
	tk = &e->j.tok[i];
	if (tk->kind == JSON_NULL)
		return 1;
	if (tk->kind != JSON_NUM)
		return -1;
	return an_dec(e->line + tk->start, (size_t)(tk->end - tk->start), v);
}

/* The same for a field found by name. */
static int
field_dec(const struct ev *e, const char *key, int64_t *v)
{
	const char *p;
	size_t n;

	/* a known number: its text as ev_parse() read it (the last one) */
	switch (ev_num_text(e, key, &p, &n)) {
	case 0:
		return an_dec(p, n, v);
	case 1:
		return 1;
	}
	return tok_dec(e, json_get(&e->j, key), v);
}

static int
need_positive(const struct ev *e, const char *key, int64_t *v,
    const char **err)
{
	int rc = field_dec(e, key, v);

	if (rc == 0 && *v > 0)
		return 0;
	snprintf(errbuf, sizeof(errbuf), rc > 0 ? "missing \"%s\"" :
	    rc < 0 ? "\"%s\" is out of range" :
	    "\"%s\" must be positive (at 10^-6 precision)", key);
	*err = errbuf;
	return -1;
}

int
an_fill_from_ev(const struct ev *e, struct an_fill *f, const char **err)
{
	int rc;

	memset(f, 0, sizeof(*f));
	f->t = e->t;
	f->sym = e->sym;
	f->strategy = e->strategy ? e->strategy : "";
	f->batch = e->batch ? e->batch : "";
	f->id = e->id ? e->id : "";
	f->exec_id = e->exec_id ? e->exec_id : "";
	f->side = e->side;
	if (!f->sym || !*f->sym) {
		*err = "fill without \"sym\"";
		return -1;
	}
	if (f->side < SIDE_BUY || f->side > SIDE_BUY_TO_COVER) {
		*err = "fill with an unknown \"side\"";
		return -1;
	}
	if (need_positive(e, "qty", &f->qty, err) < 0 ||
	    need_positive(e, "price", &f->price, err) < 0)
		return -1;
	if ((rc = field_dec(e, "fee", &f->fee)) < 0) {
		*err = "\"fee\" is out of range";
		return -1;
	}
	if (rc > 0)
		f->fee = 0;
	if ((rc = field_dec(e, "stop_loss", &f->stop)) < 0 ||
	    (rc == 0 && f->stop <= 0)) {
		*err = "\"stop_loss\" must be a positive price";
		return -1;
	}
	if (rc > 0)
		f->stop = AN_NONE;
	return 0;
}

uint64_t
an_t_span(int64_t from, int64_t to, int *neg)
{
	*neg = to < from;
	return *neg ? (uint64_t)from - (uint64_t)to :
	    (uint64_t)to - (uint64_t)from;
}

/* t + d for a duration d >= 0, or T_END if that is later. */
static int64_t
t_after(int64_t t, int64_t d)
{
	return t > T_END - d ? T_END : t + d;
}

void
an_exposed_until(struct an *a, int64_t t)
{
	uint64_t d;
	int neg;

	d = an_t_span(a->exposed_since, t, &neg);
	if (neg)	/* a stream out of time order: no exposure */
		return;
	a->exposed_ns = d > UINT64_MAX - a->exposed_ns ? UINT64_MAX :
	    a->exposed_ns + d;
}

static void
exposure(struct an *a, int64_t before, int64_t after, int64_t t)
{
	if (before == 0 && after != 0) {
		if (a->nexposed++ == 0)
			a->exposed_since = t;
	} else if (before != 0 && after == 0) {
		if (--a->nexposed == 0)
			an_exposed_until(a, t);
	}
}

/* Close q shares of the key's first lot against fill f. */
static void
close_lot(struct an *a, struct an_key *k, const struct an_fill *f,
    uint64_t fid, int64_t q, an_money *xfee, int64_t *xrem)
{
	struct an_lot *l = &k->lots[k->head];
	struct an_trip *tr;
	an_money in_fee, out_fee;

	in_fee = q == l->qty ? l->fee : an_div(l->fee * q, l->qty);
	out_fee = q == *xrem ? *xfee : an_div(*xfee * q, *xrem);
	l->fee -= in_fee;
	*xfee -= out_fee;
	*xrem -= q;
	tr = k->last_trip ? &a->trips[k->last_trip - 1] : NULL;
	if (!tr || tr->in_id != l->id || tr->out_id != fid || l->id == 0 ||
	    fid == 0) {
		AN_GROW(a->trips, a->ntrips, a->tripscap);
		tr = &a->trips[a->ntrips++];
		memset(tr, 0, sizeof(*tr));
		tr->key = (uint32_t)(k - a->keys);
		tr->batch = l->batch;
		tr->side = k->side;
		tr->t_in = l->t;
		tr->stop = l->stop;
		tr->in_id = l->id;
		tr->out_id = fid;
		k->last_trip = a->ntrips;
		a->sym[k->sym].trips++;
	}
	tr->qty += q;
	tr->in_val += (an_money)l->price * q;
	tr->out_val += (an_money)f->price * q;
	tr->fees += in_fee + out_fee;
	tr->t_out = f->t;
	l->qty -= q;
	k->qty -= q;
	if (l->qty == 0)
		k->head++;
}

static uint64_t
id_hash(const char *id)
{
	uint64_t h;

	if (!id || !*id)
		return 0;
	h = sym_hash(id, strlen(id));
	return h ? h : 1;
}

/*
 * The key of a fill's exec_id in a->execs, in b: the batch's length, the
 * batch, the exec_id, so that no two pairs make the same key.  0 if the
 * fill has no exec_id.
 */
static int
exec_key(const struct an_fill *f, struct buf *b)
{
	if (!f->exec_id || !*f->exec_id)
		return 0;
	buf_reset(b);
	buf_addf(b, "%zu:%s%s", strlen(f->batch), f->batch, f->exec_id);
	return 1;
}

int
an_add_fill(struct an *a, const struct an_fill *f, const char **err)
{
	struct an_key *k;
	struct an_sym *y;
	struct an_lot *l;
	uint32_t s;
	int64_t close_q = 0, open_q = 0, rem, before;
	int open_side = 0, buy;
	an_money fee, close_fee;
	uint64_t fid;
	char q1[32], q2[32];
	const char *want;
	struct buf b = BUF_INIT, key = BUF_INIT;
	int dup;

	/* a fill delivered again: counted once */
	dup = exec_key(f, &key) && sym_find(&a->execs, key.p, key.len) >= 0;
	buf_release(&key);
	if (dup) {
		a->ndups++;
		return 0;
	}
	s = sym_get(a, f->sym);
	k = key_get(a, f->strategy, s);
	switch (f->side) {
	case SIDE_BUY:
		if (k->side < 0)
			close_q = f->qty < k->qty ? f->qty : k->qty;
		open_q = f->qty - close_q;
		open_side = 1;
		break;
	case SIDE_SELL:
	case SIDE_BUY_TO_COVER:
		if (k->side != (f->side == SIDE_SELL ? 1 : -1) ||
		    k->qty < f->qty) {
			want = f->side == SIDE_SELL ? "long" : "short";
			an_add_qty(&b, f->qty);
			snprintf(q1, sizeof(q1), "%s", buf_cstr(&b));
			buf_reset(&b);
			an_add_qty(&b, k->qty);
			snprintf(q2, sizeof(q2), "%s", buf_cstr(&b));
			buf_release(&b);
			if (k->side == 0)
				snprintf(errbuf, sizeof(errbuf),
				    "%s of %s with no %s position",
				    ev_side_name(f->side), q1, want);
			else if (k->side == (f->side == SIDE_SELL ? 1 : -1))
				snprintf(errbuf, sizeof(errbuf),
				    "%s of %s with only %s %s",
				    ev_side_name(f->side), q1, q2, want);
			else
				snprintf(errbuf, sizeof(errbuf),
				    "%s of %s with a %s position, not %s",
				    ev_side_name(f->side), q1,
				    k->side > 0 ? "long" : "short", want);
			*err = errbuf;
			return -1;
		}
		close_q = f->qty;
		break;
	case SIDE_SELL_SHORT:
		if (k->side > 0) {
			*err = "sell_short with a long position open";
			return -1;
		}
		open_q = f->qty;
		open_side = -1;
		break;
	default:
		*err = "fill with an unknown \"side\"";
		return -1;
	}

	/* the fill is good: from here on it changes the totals */
	if (exec_key(f, &key))
		sym_intern(&a->execs, key.p, key.len);
	buf_release(&key);
	a->nfills++;
	seen_time(a, f->t);
	buy = f->side == SIDE_BUY || f->side == SIDE_BUY_TO_COVER;
	fee = (an_money)f->fee * AN_SCALE;
	if (buy)
		a->cash -= (an_money)f->price * f->qty + fee;
	else
		a->cash += (an_money)f->price * f->qty - fee;
	y = &a->sym[s];
	set_last(a, s, f->price);
	before = y->net;
	y->net += buy ? f->qty : -f->qty;
	a->mark += (an_money)(y->net - before) * f->price;
	exposure(a, before, y->net, f->t);

	fid = id_hash(f->id);
	close_fee = open_q == 0 ? fee : an_div(fee * close_q, f->qty);
	rem = close_q;
	while (rem > 0) {
		l = &k->lots[k->head];
		close_lot(a, k, f, fid, rem < l->qty ? rem : l->qty,
		    &close_fee, &rem);
	}
	if (k->qty == 0) {
		k->side = 0;
		k->head = k->n = 0;
	}
	if (open_q > 0) {
		if (k->head > 0 && k->head * 2 >= k->n) {
			memmove(k->lots, k->lots + k->head,
			    (k->n - k->head) * sizeof(*k->lots));
			k->n -= k->head;
			k->head = 0;
		}
		AN_GROW(k->lots, k->n, k->cap);
		l = &k->lots[k->n++];
		l->t = f->t;
		l->qty = open_q;
		l->price = f->price;
		l->stop = f->stop;
		l->fee = fee - (close_q ? an_div(fee * close_q, f->qty) : 0);
		l->id = fid;
		l->batch = sym_intern(&a->batches, f->batch,
		    strlen(f->batch));
		k->side = open_side;
		k->qty += open_q;
	}
	if (a->o.charts) {
		/* the fill's price is on the price line too */
		AN_GROW(y->pts, y->npts, y->ptscap);
		y->pts[y->npts].t = f->t;
		y->pts[y->npts].price = f->price;
		y->npts++;
		AN_GROW(y->marks, y->nmarks, y->markscap);
		y->marks[y->nmarks].t = f->t;
		y->marks[y->nmarks].price = f->price;
		y->marks[y->nmarks].buy = buy;
		y->nmarks++;
	}
	sample(a, f->t);
	return 0;
}

/*
 * When a bar's close is known.  A bar shorter than a day: at t + tf.  A
 * daily or longer one ("1d", "1mo", ...): at the close of the last
 * regular session in its interval, t to t + tf (for months, to the first
 * of the month after its last), so a daily bar counts in its own session
 * day; at t + tf if the interval has no session.  A tf that is no
 * timeframe: at t.
 */
static int64_t
bar_seen(int64_t t, const char *tfs)
{
	int64_t tf, o, c, day, day0;
	int y, m, d, i;
	char *end;
	long n;

	if (!tfs)
		tfs = "1m";
	if ((tf = bar_tf_parse(tfs)) < 0 && liu_parse_duration(tfs, &tf) < 0)
		return t;
	if (tf < TM_NS_PER_DAY)
		return t_after(t, tf);
	cal_ny_date(t, &y, &m, &d);
	day0 = tm_days_from_civil(y, m, d);
	n = strtol(tfs, &end, 10);
	if (strcmp(end, "mo") == 0 && n > 0 && n < 1200) {
		m += (int)n;
		y += (m - 1) / 12;
		m = (m - 1) % 12 + 1;
		day = tm_days_from_civil(y, m, 1);
	} else {
		day = day0 + (tf + TM_NS_PER_DAY - 1) / TM_NS_PER_DAY;
	}
	/* the last session before the end: a month of days at most */
	for (i = 0, day--; day >= day0 && i < 400; day--, i++) {
		tm_civil_from_days(day, &y, &m, &d);
		if (cal_session(y, m, d, &o, &c) == 0 && c > t)
			return c;
	}
	return t_after(t, tf);
}

int
an_bench_event(struct an *a, const struct ev *e, const char **err)
{
	int64_t price, open;

	if (e->type != EV_BAR)
		return 0;
	if (!a->o.benchmark && !a->bench_name)
		a->bench_name = xstrdup(e->sym);
	if (strcmp(e->sym, an_bench_name(a)) != 0) {
		if (a->o.benchmark)
			return 0;
		snprintf(errbuf, sizeof(errbuf), "a bar of %.20s after bars of "
		    "%.20s: name the benchmark symbol with -b", e->sym,
		    a->bench_name);
		*err = errbuf;
		return -1;
	}
	if (need_positive(e, "c", &price, err) < 0)
		return -1;
	if (field_dec(e, "o", &open) != 0 || open <= 0)
		open = AN_NONE;
	bench_point(a, bar_seen(e->t, e->tf), price, open);
	return 0;
}

int
an_event(struct an *a, const struct ev *e, const char **err)
{
	struct an_fill f;
	int64_t price, open;

	switch (e->type) {
	case EV_FILL:
		if (an_fill_from_ev(e, &f, err) < 0)
			return -1;
		return an_add_fill(a, &f, err);
	case EV_BAR:
		if (need_positive(e, "c", &price, err) < 0)
			return -1;
		if (field_dec(e, "o", &open) != 0 || open <= 0)
			open = AN_NONE;
		an_add_mark(a, e->sym, bar_seen(e->t, e->tf), price, open);
		return 0;
	case EV_TRADE:
		if (need_positive(e, "price", &price, err) < 0)
			return -1;
		an_add_mark(a, e->sym, e->t, price, AN_NONE);
		return 0;
	default:
		return 0;
	}
}
