/*
 * analyze.c: round trips, the equity curve and the portfolio figures of
 * liu-analyze, and its table, NDJSON, HTML and gnuplot writers.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyze.h"
#include "json.h"
#include "ndjson.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

extern char **environ;

/* 252 trading days of 390 minutes (09:30-16:00 New York) */
#define AN_DAYS_PER_YEAR 252.0
#define AN_SESSION_NS (390 * TM_NS_PER_MIN)
#define AN_MAX_CHART_SYMS 12
#define AN_CHART_POINTS 2000
#define AN_HTML_MAX_ROWS 2000

static char errbuf[160];

/* Exact arithmetic */

an_money
an_div(an_money num, an_money den)
{
	an_money q = num / den, r = num % den;

	/* C truncates toward zero; round the remainder half to even */
	if (r > 0 && (2 * r > den || (2 * r == den && (q & 1))))
		q++;
	else if (r < 0 && (-2 * r > den || (-2 * r == den && (q & 1))))
		q--;
	return q;
}

/*
 * A JSON number as a count of 10^-6: gather its significant digits and
 * decimal exponent, then scale, rounding half-even on the dropped digits.
 */
int
an_dec(const char *s, size_t n, int64_t *v)
{
	const char *p = s, *end = s + n;
	char dig[40];
	size_t nd = 0, i, keep;
	long exp10 = 0, e = 0;
	int neg = 0, esign = 1, sticky = 0, seen = 0, dot = 0;
	uint64_t m = 0;
	int first;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	for (; p < end; p++) {
		if (*p == '.' && !dot) {
			dot = 1;
			continue;
		}
		if (*p < '0' || *p > '9')
			break;
		seen = 1;
		if (dot)
			exp10--;
		if (nd == 0 && *p == '0')
			continue;
		if (nd < sizeof(dig)) {
			dig[nd++] = *p;
		} else {
			/* beyond 40 digits: only whether any is non-zero */
			if (*p != '0')
				sticky = 1;
			exp10++;
		}
	}
	if (!seen)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			esign = *p++ == '-' ? -1 : 1;
		if (p == end)
			return -1;
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			if (e < 100000)
				e = e * 10 + (*p - '0');
	}
	if (p != end)
		return -1;
	/* value * 10^6 = digits * 10^exp10 */
	exp10 += esign * e + 6;
	if (nd == 0) {
		*v = 0;
		return 0;
	}
	if (exp10 >= 0) {
		if (exp10 + (long)nd > 19)
			return -1;
		for (i = 0; i < nd; i++)
			m = m * 10 + (uint64_t)(dig[i] - '0');
		for (; exp10 > 0; exp10--)
			m *= 10;
		if (m > INT64_MAX)
			return -1;
		*v = neg ? -(int64_t)m : (int64_t)m;
		return 0;
	}
	/* drop -exp10 digits from the right */
	if ((long)nd + exp10 > 19)
		return -1;
	keep = (long)nd + exp10 > 0 ? (size_t)((long)nd + exp10) : 0;
	for (i = 0; i < keep; i++)
		m = m * 10 + (uint64_t)(dig[i] - '0');
	if (keep < nd) {
		first = (long)nd + exp10 < 0 ? 0 : dig[keep] - '0';
		for (i = keep + ((long)nd + exp10 < 0 ? 0 : 1); i < nd; i++)
			if (dig[i] != '0')
				sticky = 1;
		if (first > 5 || (first == 5 && (sticky || (m & 1))))
			m++;
	}
	if (m > INT64_MAX)
		return -1;
	*v = neg ? -(int64_t)m : (int64_t)m;
	return 0;
}

static void
add_u128(struct buf *b, an_money u, int mindig)
{
	char tmp[48];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u || (int)sizeof(tmp) - i < mindig);
	buf_add(b, tmp + i, sizeof(tmp) - (size_t)i);
}

void
an_add_money(struct buf *b, an_money v, int decimals)
{
	an_money unit = 1, q, ten = 1;
	an_money u;
	int i;

	for (i = decimals; i < 12; i++)
		unit *= 10;
	for (i = 0; i < decimals; i++)
		ten *= 10;
	q = an_div(v, unit);
	if (q < 0)
		buf_addc(b, '-');
	u = q < 0 ? -q : q;
	add_u128(b, u / ten, 1);
	if (decimals > 0) {
		buf_addc(b, '.');
		add_u128(b, u % ten, decimals);
	}
}

/* 10^-6 units with between 'mindec' and six decimals */
static void
add_micro(struct buf *b, int64_t v, int mindec)
{
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	uint64_t frac = u % AN_SCALE;
	char tmp[32];
	int i = sizeof(tmp), dec = 6;

	while (dec > mindec && frac % 10 == 0) {
		frac /= 10;
		dec--;
	}
	while (dec-- > 0) {
		tmp[--i] = (char)('0' + frac % 10);
		frac /= 10;
		if (dec == 0)
			tmp[--i] = '.';
	}
	u /= AN_SCALE;
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	buf_add(b, tmp + i, sizeof(tmp) - (size_t)i);
}

void
an_add_price(struct buf *b, int64_t micro)
{
	add_micro(b, micro, 2);
}

void
an_add_qty(struct buf *b, int64_t micro)
{
	add_micro(b, micro, 0);
}

static double
money_dbl(an_money v)
{
	return (double)v / (double)AN_MONEY_PER_DOLLAR;
}

/* Setup */

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
	symtab_release(&a->syms);
	symtab_release(&a->strats);
	symtab_release(&a->batches);
	symtab_release(&a->keynames);
	memset(a, 0, sizeof(*a));
}

#define GROW(p, n, cap) do { \
	if ((n) == (cap)) { \
		(cap) = (cap) ? (cap) * 2 : 16; \
		(p) = xrealloc((p), (cap) * sizeof(*(p))); \
	} \
} while (0)

static uint32_t
sym_get(struct an *a, const char *name)
{
	uint32_t id = sym_intern(&a->syms, name, strlen(name));

	if (id < a->nsym)
		return id;
	GROW(a->sym, a->nsym, a->symcap);
	memset(&a->sym[id], 0, sizeof(a->sym[id]));
	a->sym[id].last = AN_NONE;
	a->nsym++;
	if (a->o.benchmark && strcmp(name, a->o.benchmark) == 0)
		a->bench = id;
	return id;
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
		GROW(a->keys, a->nkeys, a->keyscap);
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
	GROW(a->eq, a->neq, a->eqcap);
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

void
an_add_mark(struct an *a, const char *symname, int64_t t, int64_t price,
    int64_t open)
{
	uint32_t s = sym_get(a, symname);
	struct an_sym *y = &a->sym[s];

	seen_time(a, t);
	set_last(a, s, price);
	if (s == a->bench) {
		if (a->bench_first == AN_NONE)
			a->bench_first = open != AN_NONE ? open : price;
		a->bench_last = price;
	}
	if (a->o.charts) {
		GROW(y->pts, y->npts, y->ptscap);
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

/* The text of a top-level number, by one pass over the keys. */
struct numfield {
	const char *key;
	size_t len;
	int tok;
};

static void
find_fields(const struct ev *e, struct numfield *nf, size_t n)
{
	const struct json_tok *tk;
	size_t k, len;
	int i;

	for (k = 0; k < n; k++)
		nf[k].tok = -1;
	for (i = 1; i < e->j.ntok; i = e->j.tok[i + 1].next) {
		tk = &e->j.tok[i];
		len = (size_t)(tk->end - tk->start);
		for (k = 0; k < n; k++)
			if (len == nf[k].len && memcmp(e->line + tk->start,
			    nf[k].key, len) == 0)
				nf[k].tok = i + 1;
	}
}


static int
positive(const struct ev *e, const struct numfield *nf, int64_t *v,
    const char **err)
{
	int rc = tok_dec(e, nf->tok, v);

	if (rc == 0 && *v > 0)
		return 0;
	snprintf(errbuf, sizeof(errbuf), rc > 0 ? "missing \"%s\"" :
	    rc < 0 ? "\"%s\" is out of range" :
	    "\"%s\" must be positive (at 10^-6 precision)", nf->key);
	*err = errbuf;
	return -1;
}

int
an_fill_from_ev(const struct ev *e, struct an_fill *f, const char **err)
{
	struct numfield nf[] = { { "qty", 3, -1 }, { "price", 5, -1 },
	    { "fee", 3, -1 }, { "stop_loss", 9, -1 } };
	int rc;

	memset(f, 0, sizeof(*f));
	f->t = e->t;
	f->sym = e->sym;
	f->strategy = e->strategy ? e->strategy : "";
	f->batch = e->batch ? e->batch : "";
	f->id = e->id ? e->id : "";
	f->side = e->side;
	if (!f->sym || !*f->sym) {
		*err = "fill without \"sym\"";
		return -1;
	}
	if (f->side < SIDE_BUY || f->side > SIDE_BUY_TO_COVER) {
		*err = "fill with an unknown \"side\"";
		return -1;
	}
	find_fields(e, nf, sizeof(nf) / sizeof(nf[0]));
	if (positive(e, &nf[0], &f->qty, err) < 0 ||
	    positive(e, &nf[1], &f->price, err) < 0)
		return -1;
	if ((rc = tok_dec(e, nf[2].tok, &f->fee)) < 0) {
		*err = "\"fee\" is out of range";
		return -1;
	}
	if (rc > 0)
		f->fee = 0;
	if ((rc = tok_dec(e, nf[3].tok, &f->stop)) < 0 ||
	    (rc == 0 && f->stop <= 0)) {
		*err = "\"stop_loss\" must be a positive price";
		return -1;
	}
	if (rc > 0)
		f->stop = AN_NONE;
	return 0;
}

/*
 * Times run from 1678 to 2261, nearly the whole range of an int64_t, so
 * the difference of two does not always fit one; its size always fits a
 * uint64_t.  Returns |to - from|, and sets *neg if to < from.
 */
static uint64_t
t_span(int64_t from, int64_t to, int *neg)
{
	*neg = to < from;
	return *neg ? (uint64_t)from - (uint64_t)to :
	    (uint64_t)to - (uint64_t)from;
}

/* The last time there is: 2261-12-31T23:59:59.999999999Z. */
#define T_END INT64_C(9214646399999999999)

/* t + d for a duration d >= 0, or T_END if that is later. */
static int64_t
t_after(int64_t t, int64_t d)
{
	return t > T_END - d ? T_END : t + d;
}

/* Nanoseconds as seconds, correctly rounded while a double holds them. */
static double
ns_to_s(uint64_t ns)
{
	if (ns < (UINT64_C(1) << 53))
		return (double)ns / 1e9;
	return (double)(ns / TM_NS_PER_SEC) +
	    (double)(ns % TM_NS_PER_SEC) / 1e9;
}

/* The exposure that began at exposed_since ends at t. */
static void
exposed_until(struct an *a, int64_t t)
{
	uint64_t d;
	int neg;

	d = t_span(a->exposed_since, t, &neg);
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
			exposed_until(a, t);
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
		GROW(a->trips, a->ntrips, a->tripscap);
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
	struct buf b = BUF_INIT;

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
		GROW(k->lots, k->n, k->cap);
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
		GROW(y->pts, y->npts, y->ptscap);
		y->pts[y->npts].t = f->t;
		y->pts[y->npts].price = f->price;
		y->npts++;
		GROW(y->marks, y->nmarks, y->markscap);
		y->marks[y->nmarks].t = f->t;
		y->marks[y->nmarks].price = f->price;
		y->marks[y->nmarks].buy = buy;
		y->nmarks++;
	}
	sample(a, f->t);
	return 0;
}

int
an_event(struct an *a, const struct ev *e, const char **err)
{
	struct an_fill f;
	int64_t price, open, tf;

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
		/* a bar's close is seen at the end of its interval */
		if (liu_parse_duration(e->tf ? e->tf : "1m", &tf) < 0)
			tf = 0;
		an_add_mark(a, e->sym, t_after(e->t, tf), price, open);
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

/* The summary */

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static an_money
trip_gain(const struct an_trip *tr)
{
	return tr->side * (tr->out_val - tr->in_val) - tr->fees;
}

/* r-units, or NAN when the stop is absent or on the wrong side. */
static double
trip_r(const struct an_trip *tr)
{
	an_money risk;

	if (tr->stop == AN_NONE)
		return NAN;
	/* (exit - entry) / (entry - stop), times the quantity */
	risk = tr->in_val - (an_money)tr->stop * tr->qty;
	if ((tr->side > 0 && risk <= 0) || (tr->side < 0 && risk >= 0))
		return NAN;
	return (double)(tr->out_val - tr->in_val) / (double)risk;
}

static void
returns(struct an *a)
{
	struct an_summary *s = &a->s;
	int64_t p = a->o.period, b, cur = 0;
	double prev, v, r, sum = 0, sq = 0, down = 0, mean, rfp, sd;
	double *rs = NULL;
	size_t i, n = 0, cap = 0;
	int have = 0;

	if (p <= 0)
		p = a->neq && floor_div(a->eq[0].t, TM_NS_PER_DAY) !=
		    floor_div(a->eq[a->neq - 1].t, TM_NS_PER_DAY) ?
		    TM_NS_PER_DAY : TM_NS_PER_MIN;
	s->period = p;
	s->per_year = p < TM_NS_PER_DAY ?
	    AN_DAYS_PER_YEAR * (double)AN_SESSION_NS / (double)p :
	    AN_DAYS_PER_YEAR * (double)TM_NS_PER_DAY / (double)p;
	prev = money_dbl(a->o.capital);
	/* the last equity of each period that has a sample */
	for (i = 0; i <= a->neq; i++) {
		b = i < a->neq ? floor_div(a->eq[i].t, p) : 0;
		if (have && (i == a->neq || b != cur)) {
			v = money_dbl(a->eq[i - 1].eq);
			GROW(rs, n, cap);
			rs[n++] = prev != 0 ? v / prev - 1 : 0;
			prev = v;
		}
		cur = b;
		have = 1;
	}
	s->nreturns = n;
	s->mean_return = s->volatility = s->sharpe = s->sortino = NAN;
	if (n == 0) {
		free(rs);
		return;
	}
	for (i = 0; i < n; i++)
		sum += rs[i];
	mean = sum / (double)n;
	s->mean_return = mean;
	rfp = a->o.rf / s->per_year;
	for (i = 0; i < n; i++) {
		sq += (rs[i] - mean) * (rs[i] - mean);
		r = rs[i] - rfp;
		if (r < 0)
			down += r * r;
	}
	free(rs);
	if (n < 2)
		return;
	sd = sqrt(sq / (double)(n - 1));
	s->volatility = sd * sqrt(s->per_year);
	if (sd > 0)
		s->sharpe = (mean - rfp) / sd * sqrt(s->per_year);
	down = sqrt(down / (double)n);
	if (down > 0)
		s->sortino = (mean - rfp) / down * sqrt(s->per_year);
}

static void
drawdown(struct an *a)
{
	struct an_summary *s = &a->s;
	an_money peak = a->o.capital, dd;
	int64_t peak_t = a->neq ? a->eq[0].t : 0;
	double ratio;
	size_t i;

	s->dd_value = 0;
	s->dd_ratio = 0;
	s->dd_start = s->dd_end = AN_NONE;
	for (i = 0; i < a->neq; i++) {
		if (a->eq[i].eq > peak) {
			peak = a->eq[i].eq;
			peak_t = a->eq[i].t;
			continue;
		}
		dd = peak - a->eq[i].eq;
		if (dd <= 0 || peak <= 0)
			continue;
		ratio = (double)dd / (double)peak;
		if (ratio > s->dd_ratio) {
			s->dd_ratio = ratio;
			s->dd_value = dd;
			s->dd_start = peak_t;
			s->dd_end = a->eq[i].t;
		}
	}
}

static void
group_add(struct an_group *g, an_money realized, an_money unrealized,
    an_money fees, int trade, int win)
{
	g->realized += realized;
	g->unrealized += unrealized;
	g->fees += fees;
	g->trades += (uint64_t)trade;
	g->wins += (uint64_t)win;
}

void
an_finish(struct an *a)
{
	struct an_summary *s = &a->s;
	struct an_trip *tr;
	struct an_key *k;
	struct an_lot *l;
	an_money g, u;
	double r, rsum = 0;
	size_t i, j;
	uint64_t span;
	int neg;

	if (a->finished)
		return;
	a->finished = 1;
	memset(s, 0, sizeof(*s));
	/* no events: the time of the analysis */
	if (a->t_first > a->t_last)
		a->t_first = a->t_last = liu_now_ns();
	s->t_first = a->t_first;
	s->t_last = a->t_last;
	if (a->nexposed)
		exposed_until(a, a->t_last);
	a->by_sym = xcalloc(a->nsym ? a->nsym : 1, sizeof(*a->by_sym));
	a->by_strat = xcalloc(a->strats.n ? a->strats.n : 1,
	    sizeof(*a->by_strat));
	a->by_batch = xcalloc(a->batches.n ? a->batches.n : 1,
	    sizeof(*a->by_batch));

	s->capital = a->o.capital;
	for (i = 0; i < a->ntrips; i++) {
		tr = &a->trips[i];
		k = &a->keys[tr->key];
		g = trip_gain(tr);
		s->trades++;
		s->realized += g;
		s->fees += tr->fees;
		if (g > 0) {
			s->wins++;
			s->gross_win += g;
		} else if (g < 0) {
			s->losses++;
			s->gross_loss += g;
		}
		if (!isnan(r = trip_r(tr))) {
			s->nr++;
			rsum += r;
		}
		group_add(&a->by_sym[k->sym], g, 0, tr->fees, 1, g > 0);
		group_add(&a->by_strat[k->strat], g, 0, tr->fees, 1, g > 0);
		group_add(&a->by_batch[tr->batch], g, 0, tr->fees, 1, g > 0);
	}
	for (i = 0; i < a->nkeys; i++) {
		k = &a->keys[i];
		if (k->qty == 0)
			continue;
		s->nopen++;
		for (j = k->head; j < k->n; j++) {
			l = &k->lots[j];
			u = k->side * (an_money)(a->sym[k->sym].last -
			    l->price) * l->qty - l->fee;
			s->unrealized += u;
			s->fees += l->fee;
			group_add(&a->by_sym[k->sym], 0, u, l->fee, 0, 0);
			group_add(&a->by_strat[k->strat], 0, u, l->fee, 0, 0);
			group_add(&a->by_batch[l->batch], 0, u, l->fee, 0, 0);
		}
	}
	s->final_eq = a->cash + a->mark;
	s->total_return = s->capital ? money_dbl(s->final_eq - s->capital) /
	    money_dbl(s->capital) : NAN;
	s->win_rate = s->trades ? (double)s->wins / (double)s->trades : NAN;
	s->profit_factor = s->gross_loss ? money_dbl(s->gross_win) /
	    -money_dbl(s->gross_loss) : NAN;
	s->avg_win = s->wins ? an_div(s->gross_win, s->wins) : 0;
	s->avg_loss = s->losses ? an_div(s->gross_loss, s->losses) : 0;
	s->expectancy = s->trades ? an_div(s->realized, s->trades) : 0;
	s->avg_r = s->nr ? rsum / (double)s->nr : NAN;
	span = t_span(a->t_first, a->t_last, &neg);
	s->exposure = span > 0 ? (double)a->exposed_ns / (double)span : NAN;
	s->bench_return = a->bench_first != AN_NONE ?
	    (double)a->bench_last / (double)a->bench_first - 1 : NAN;
	drawdown(a);
	returns(a);
}

/* Formatting */

static void
add_time(struct buf *b, int64_t t)
{
	char tb[TM_RFC3339_MAX];

	if (t == AN_NONE) {
		buf_addc(b, '-');
		return;
	}
	buf_add(b, tb, tm_format(t, tb));
}

static void
add_pct(struct buf *b, double ratio)
{
	if (isnan(ratio))
		buf_addc(b, '-');
	else
		buf_addf(b, "%.2f%%", ratio * 100);
}

static void
add_ratio(struct buf *b, double v)
{
	if (isnan(v))
		buf_addc(b, '-');
	else
		buf_addf(b, "%.4f", v);
}

/* The time from 'from' to 'to' as [-][Nd]HH:MM:SS, in whole seconds. */
static void
add_dur(struct buf *b, int64_t from, int64_t to)
{
	unsigned long long sec;
	int neg;

	sec = t_span(from, to, &neg) / TM_NS_PER_SEC;
	if (neg)
		buf_addc(b, '-');
	if (sec >= 86400)
		buf_addf(b, "%llud", sec / 86400);
	buf_addf(b, "%02llu:%02llu:%02llu", sec % 86400 / 3600,
	    sec % 3600 / 60, sec % 60);
}

/* "1m", "1d", "30s" or "N ns" for a period */
static void
add_period(struct buf *b, int64_t p)
{
	if (p % TM_NS_PER_DAY == 0)
		buf_addf(b, "%lldd", (long long)(p / TM_NS_PER_DAY));
	else if (p % (3600 * TM_NS_PER_SEC) == 0)
		buf_addf(b, "%lldh", (long long)(p / (3600 * TM_NS_PER_SEC)));
	else if (p % TM_NS_PER_MIN == 0)
		buf_addf(b, "%lldm", (long long)(p / TM_NS_PER_MIN));
	else if (p % TM_NS_PER_SEC == 0)
		buf_addf(b, "%llds", (long long)(p / TM_NS_PER_SEC));
	else
		buf_addf(b, "%lldns", (long long)p);
}

static const char *
name_or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static const char *
key_sym(const struct an *a, const struct an_key *k)
{
	return sym_name(&a->syms, k->sym);
}

static const char *
key_strat(const struct an *a, const struct an_key *k)
{
	return sym_name(&a->strats, k->strat);
}

/* A table of text cells, written aligned or as HTML. */
struct tab {
	const char *title;
	const char *align;	/* 'l' or 'r' per column */
	int ncol;
	char **cell;
	size_t n, cap;
	uint64_t more;		/* rows left out */
};

static void
tab_init(struct tab *t, const char *title, const char *align)
{
	memset(t, 0, sizeof(*t));
	t->title = title;
	t->align = align;
	t->ncol = (int)strlen(align);
}

static void
tab_cell(struct tab *t, struct buf *b)
{
	GROW(t->cell, t->n, t->cap);
	t->cell[t->n++] = xstrdup(buf_cstr(b));
	buf_reset(b);
}

static void
tab_cells(struct tab *t, struct buf *b, const char *s)
{
	buf_adds(b, s);
	tab_cell(t, b);
}

static void
tab_release(struct tab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->cell[i]);
	free(t->cell);
}

/* display width: UTF-8 continuation bytes take no column */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void
tab_text(const struct tab *t, struct buf *out)
{
	size_t *w = xcalloc((size_t)t->ncol, sizeof(*w)), i, c, pad;

	for (i = 0; i < t->n; i++)
		if (width(t->cell[i]) > w[i % (size_t)t->ncol])
			w[i % (size_t)t->ncol] = width(t->cell[i]);
	buf_addf(out, "%s\n", t->title);
	for (i = 0; i < t->n; i++) {
		c = i % (size_t)t->ncol;
		pad = w[c] - width(t->cell[i]);
		if (c > 0)
			buf_adds(out, "  ");
		if (t->align[c] == 'r')
			while (pad-- > 0)
				buf_addc(out, ' ');
		buf_adds(out, t->cell[i]);
		if (t->align[c] != 'r' && c + 1 < (size_t)t->ncol)
			while (pad-- > 0)
				buf_addc(out, ' ');
		if (c + 1 == (size_t)t->ncol)
			buf_addc(out, '\n');
	}
	if (t->more)
		buf_addf(out, "(%llu more)\n", (unsigned long long)t->more);
	buf_addc(out, '\n');
	free(w);
}

static void
html_esc(struct buf *out, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': buf_adds(out, "&amp;"); break;
		case '<': buf_adds(out, "&lt;"); break;
		case '>': buf_adds(out, "&gt;"); break;
		case '"': buf_adds(out, "&quot;"); break;
		case '\'': buf_adds(out, "&#39;"); break;
		default: buf_addc(out, *s);
		}
}

static void
tab_html(const struct tab *t, struct buf *out)
{
	size_t i, c;

	buf_adds(out, "<h2>");
	html_esc(out, t->title);
	buf_adds(out, "</h2>\n<table>\n");
	for (i = 0; i < t->n; i++) {
		c = i % (size_t)t->ncol;
		if (c == 0)
			buf_adds(out, "<tr>");
		buf_adds(out, i < (size_t)t->ncol ? "<th" : "<td");
		if (t->align[c] == 'r')
			buf_adds(out, " class=\"n\"");
		buf_addc(out, '>');
		html_esc(out, t->cell[i]);
		buf_adds(out, i < (size_t)t->ncol ? "</th>" : "</td>");
		if (c + 1 == (size_t)t->ncol)
			buf_adds(out, "</tr>\n");
	}
	buf_adds(out, "</table>\n");
	if (t->more)
		buf_addf(out, "<p>%llu more rows: see --format ndjson.</p>\n",
		    (unsigned long long)t->more);
}

static void
kv(struct tab *t, struct buf *b, const char *key)
{
	/* the value is in b */
	struct buf k = BUF_INIT;

	tab_cells(t, &k, key);
	tab_cell(t, b);
	buf_release(&k);
}

static void
tab_summary(struct an *a, struct tab *t)
{
	struct an_summary *s = &a->s;
	struct buf b = BUF_INIT;

	tab_init(t, "summary", "lr");
	tab_cells(t, &b, "figure");
	tab_cells(t, &b, "value");
	add_time(&b, s->t_first);
	buf_adds(&b, " .. ");
	add_time(&b, s->t_last);
	kv(t, &b, "time");
	an_add_money(&b, s->capital, 2);
	kv(t, &b, "capital");
	an_add_money(&b, s->final_eq, 2);
	kv(t, &b, "final equity");
	add_pct(&b, s->total_return);
	kv(t, &b, "total return");
	if (a->o.benchmark) {
		add_pct(&b, s->bench_return);
		buf_addf(&b, " (%s)", a->o.benchmark);
		kv(t, &b, "benchmark return");
		add_pct(&b, s->total_return - s->bench_return);
		kv(t, &b, "excess return");
	}
	an_add_money(&b, s->realized, 2);
	kv(t, &b, "realized gain");
	an_add_money(&b, s->unrealized, 2);
	kv(t, &b, "unrealized gain");
	an_add_money(&b, s->fees, 2);
	kv(t, &b, "fees");
	buf_addf(&b, "%llu (%llu won, %llu lost)",
	    (unsigned long long)s->trades, (unsigned long long)s->wins,
	    (unsigned long long)s->losses);
	kv(t, &b, "round trips");
	buf_addf(&b, "%llu", (unsigned long long)s->nopen);
	kv(t, &b, "open positions");
	add_pct(&b, s->win_rate);
	kv(t, &b, "win rate");
	add_ratio(&b, s->profit_factor);
	kv(t, &b, "profit factor");
	an_add_money(&b, s->avg_win, 2);
	kv(t, &b, "average win");
	an_add_money(&b, s->avg_loss, 2);
	kv(t, &b, "average loss");
	add_ratio(&b, s->avg_r);
	buf_addf(&b, " (%llu with a stop)", (unsigned long long)s->nr);
	kv(t, &b, "average R");
	an_add_money(&b, s->expectancy, 2);
	kv(t, &b, "expectancy per trip");
	add_pct(&b, s->exposure);
	kv(t, &b, "exposure");
	an_add_money(&b, s->dd_value, 2);
	buf_adds(&b, " (");
	add_pct(&b, s->dd_ratio);
	buf_adds(&b, ")");
	kv(t, &b, "max drawdown");
	add_time(&b, s->dd_start);
	buf_adds(&b, " .. ");
	add_time(&b, s->dd_end);
	kv(t, &b, "drawdown peak .. trough");
	add_period(&b, s->period);
	buf_addf(&b, " (%llu returns, %.0f a year)",
	    (unsigned long long)s->nreturns, s->per_year);
	kv(t, &b, "return period");
	add_pct(&b, s->volatility);
	kv(t, &b, "volatility (annual)");
	add_ratio(&b, s->sharpe);
	kv(t, &b, "Sharpe (annual)");
	add_ratio(&b, s->sortino);
	kv(t, &b, "Sortino (annual)");
	add_pct(&b, a->o.rf);
	kv(t, &b, "risk-free rate");
	buf_adds(&b, "exact; shown rounded half-even to the cent");
	kv(t, &b, "money");
	buf_release(&b);
}

static void
tab_trips(struct an *a, struct tab *t, size_t max)
{
	struct buf b = BUF_INIT;
	const char *hdr[] = { "symbol", "strategy", "side", "qty", "entry",
	    "exit", "gain", "return", "fees", "R", "held", "entry time",
	    "exit time" };
	struct an_trip *tr;
	struct an_key *k;
	size_t i;

	tab_init(t, "round trips", "lllrrrrrrrrll");
	for (i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++)
		tab_cells(t, &b, hdr[i]);
	for (i = 0; i < a->ntrips; i++) {
		if (i >= max) {
			t->more = a->ntrips - max;
			break;
		}
		tr = &a->trips[i];
		k = &a->keys[tr->key];
		tab_cells(t, &b, key_sym(a, k));
		tab_cells(t, &b, name_or_dash(key_strat(a, k)));
		tab_cells(t, &b, tr->side > 0 ? "long" : "short");
		an_add_qty(&b, tr->qty);
		tab_cell(t, &b);
		an_add_price(&b, (int64_t)an_div(tr->in_val, tr->qty));
		tab_cell(t, &b);
		an_add_price(&b, (int64_t)an_div(tr->out_val, tr->qty));
		tab_cell(t, &b);
		an_add_money(&b, trip_gain(tr), 2);
		tab_cell(t, &b);
		add_pct(&b, money_dbl(trip_gain(tr)) / money_dbl(tr->in_val));
		tab_cell(t, &b);
		an_add_money(&b, tr->fees, 2);
		tab_cell(t, &b);
		add_ratio(&b, trip_r(tr));
		tab_cell(t, &b);
		add_dur(&b, tr->t_in, tr->t_out);
		tab_cell(t, &b);
		add_time(&b, tr->t_in);
		tab_cell(t, &b);
		add_time(&b, tr->t_out);
		tab_cell(t, &b);
	}
	buf_release(&b);
}

/* The open lots of a key, summed. */
struct an_open {
	int64_t qty, t;
	an_money in_val, fee, gain;
	uint32_t batch;
};

static void
open_sum(const struct an *a, const struct an_key *k, struct an_open *o)
{
	const struct an_lot *l;
	size_t j;

	memset(o, 0, sizeof(*o));
	for (j = k->head; j < k->n; j++) {
		l = &k->lots[j];
		if (j == k->head) {
			o->t = l->t;
			o->batch = l->batch;
		}
		o->qty += l->qty;
		o->in_val += (an_money)l->price * l->qty;
		o->fee += l->fee;
	}
	o->gain = k->side * ((an_money)a->sym[k->sym].last * o->qty -
	    o->in_val) - o->fee;
}

static void
tab_open(struct an *a, struct tab *t)
{
	struct buf b = BUF_INIT;
	const char *hdr[] = { "symbol", "strategy", "side", "qty", "entry",
	    "mark", "gain", "fees", "entry time" };
	struct an_open o;
	struct an_key *k;
	size_t i;

	tab_init(t, "open positions (marked to the last price)",
	    "lllrrrrrl");
	for (i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++)
		tab_cells(t, &b, hdr[i]);
	for (i = 0; i < a->nkeys; i++) {
		k = &a->keys[i];
		if (k->qty == 0)
			continue;
		open_sum(a, k, &o);
		tab_cells(t, &b, key_sym(a, k));
		tab_cells(t, &b, name_or_dash(key_strat(a, k)));
		tab_cells(t, &b, k->side > 0 ? "long" : "short");
		an_add_qty(&b, o.qty);
		tab_cell(t, &b);
		an_add_price(&b, (int64_t)an_div(o.in_val, o.qty));
		tab_cell(t, &b);
		an_add_price(&b, a->sym[k->sym].last);
		tab_cell(t, &b);
		an_add_money(&b, o.gain, 2);
		tab_cell(t, &b);
		an_add_money(&b, o.fee, 2);
		tab_cell(t, &b);
		add_time(&b, o.t);
		tab_cell(t, &b);
	}
	buf_release(&b);
}

static void
tab_group(struct tab *t, const char *title, const char *what,
    const struct symtab *names, const struct an_group *g, size_t n)
{
	struct buf b = BUF_INIT;
	const char *hdr[] = { what, "trips", "won", "realized", "unrealized",
	    "fees" };
	size_t i;

	tab_init(t, title, "lrrrrr");
	for (i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++)
		tab_cells(t, &b, hdr[i]);
	for (i = 0; i < n; i++) {
		if (!g[i].trades && !g[i].unrealized && !g[i].fees)
			continue;
		tab_cells(t, &b, name_or_dash(sym_name(names, (uint32_t)i)));
		buf_addf(&b, "%llu", (unsigned long long)g[i].trades);
		tab_cell(t, &b);
		buf_addf(&b, "%llu", (unsigned long long)g[i].wins);
		tab_cell(t, &b);
		an_add_money(&b, g[i].realized, 2);
		tab_cell(t, &b);
		an_add_money(&b, g[i].unrealized, 2);
		tab_cell(t, &b);
		an_add_money(&b, g[i].fees, 2);
		tab_cell(t, &b);
	}
	buf_release(&b);
}

enum { T_SUMMARY, T_TRIPS, T_OPEN, T_SYM, T_STRAT, T_BATCH, T_N };

static void
tabs_build(struct an *a, struct tab *t, size_t maxrows)
{
	tab_summary(a, &t[T_SUMMARY]);
	tab_trips(a, &t[T_TRIPS], maxrows);
	tab_open(a, &t[T_OPEN]);
	tab_group(&t[T_SYM], "by symbol", "symbol", &a->syms, a->by_sym,
	    a->nsym);
	tab_group(&t[T_STRAT], "by strategy", "strategy", &a->strats,
	    a->by_strat, a->strats.n);
	tab_group(&t[T_BATCH], "by batch", "batch", &a->batches,
	    a->by_batch, a->batches.n);
}

void
an_table(struct an *a, struct buf *out)
{
	struct tab t[T_N];
	int i;

	tabs_build(a, t, SIZE_MAX);
	for (i = 0; i < T_N; i++) {
		if (i == T_SUMMARY || t[i].n > (size_t)t[i].ncol)
			tab_text(&t[i], out);
		tab_release(&t[i]);
	}
}

void
an_html(struct an *a, struct buf *out, const char *svg, size_t svglen)
{
	struct tab t[T_N];
	const char *p;
	int i;

	tabs_build(a, t, AN_HTML_MAX_ROWS);
	buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<title>liu-analyze report</title>\n<style>\n"
	    "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
	    "table{border-collapse:collapse;margin-bottom:1em;"
	    "font-size:13px}\n"
	    "th,td{border:1px solid #ccc;padding:2px 8px;text-align:left}\n"
	    "th{background:#eee}\n.n{text-align:right}\n"
	    "svg{max-width:100%;height:auto}\n"
	    "</style>\n</head>\n<body>\n<h1>liu-analyze report</h1>\n");
	tab_html(&t[T_SUMMARY], out);
	if (svg && svglen) {
		/* drop the XML prolog: inline SVG starts at <svg */
		for (p = svg; p + 4 <= svg + svglen; p++)
			if (memcmp(p, "<svg", 4) == 0)
				break;
		if (p + 4 <= svg + svglen) {
			buf_adds(out, "<h2>charts</h2>\n"
			    "<div class=\"chart\">\n");
			buf_add(out, p, svglen - (size_t)(p - svg));
			buf_adds(out, "</div>\n");
		}
	}
	for (i = 1; i < T_N; i++)
		if (t[i].n > (size_t)t[i].ncol)
			tab_html(&t[i], out);
	for (i = 0; i < T_N; i++)
		tab_release(&t[i]);
	buf_adds(out, "<p>Money is computed exactly (prices and quantities "
	    "in millionths) and shown rounded half-even to the cent.</p>\n"
	    "</body>\n</html>\n");
}

/* NDJSON */

static void
j_str(struct buf *b, const char *key, const char *s)
{
	json_add_key(b, key);
	json_add_str(b, s, strlen(s));
}

static void
j_time(struct buf *b, const char *key, int64_t t)
{
	char tb[TM_RFC3339_MAX];

	json_add_key(b, key);
	if (t == AN_NONE) {
		buf_adds(b, "null");
		return;
	}
	buf_addc(b, '"');
	buf_add(b, tb, tm_format(t, tb));
	buf_addc(b, '"');
}

static void
j_money(struct buf *b, const char *key, an_money v)
{
	json_add_key(b, key);
	an_add_money(b, v, 2);
}

static void
j_num(struct buf *b, const char *key, double v)
{
	json_add_key(b, key);
	json_add_num(b, v);
}

/* "hold_s", the seconds from 'from' to 'to': an integer when whole. */
static void
j_hold(struct buf *b, int64_t from, int64_t to)
{
	uint64_t ns;
	long long sec;
	int neg;

	ns = t_span(from, to, &neg);
	json_add_key(b, "hold_s");
	if (ns % TM_NS_PER_SEC == 0) {
		sec = (long long)(ns / TM_NS_PER_SEC);
		buf_addi64(b, neg ? -sec : sec);
	} else {
		json_add_num(b, neg ? -ns_to_s(ns) : ns_to_s(ns));
	}
}

/* A per-trip ratio: 12 significant digits, cheaper than the shortest. */
static void
j_ratio(struct buf *b, const char *key, double v)
{
	json_add_key(b, key);
	if (isfinite(v))
		buf_addf(b, "%.12g", v);
	else
		buf_adds(b, "null");
}

static void
j_u64(struct buf *b, const char *key, uint64_t v)
{
	json_add_key(b, key);
	buf_addf(b, "%llu", (unsigned long long)v);
}

static void
j_head(struct buf *b, const char *ev, int64_t t)
{
	char tb[TM_RFC3339_MAX];

	buf_reset(b);
	buf_adds(b, "{\"ev\":\"");
	buf_adds(b, ev);
	buf_adds(b, "\",\"t\":\"");
	buf_add(b, tb, tm_format(t, tb));
	buf_addc(b, '"');
}

static void
j_groups(struct buf *b, const char *key, const struct symtab *names,
    const struct an_group *g, size_t n)
{
	const char *name;
	size_t i;
	int first = 1;

	json_add_key(b, key);
	buf_addc(b, '{');
	for (i = 0; i < n; i++) {
		if (!g[i].trades && !g[i].unrealized && !g[i].fees)
			continue;
		if (!first)
			buf_addc(b, ',');
		first = 0;
		name = sym_name(names, (uint32_t)i);
		json_add_str(b, name, strlen(name));
		buf_addf(b, ":{\"trips\":%llu,\"wins\":%llu",
		    (unsigned long long)g[i].trades,
		    (unsigned long long)g[i].wins);
		j_money(b, "realized", g[i].realized);
		j_money(b, "unrealized", g[i].unrealized);
		j_money(b, "fees", g[i].fees);
		buf_addc(b, '}');
	}
	buf_addc(b, '}');
}

void
an_ndjson(struct an *a)
{
	struct an_summary *s = &a->s;
	struct buf b = BUF_INIT;
	struct an_trip *tr;
	struct an_key *k;
	struct an_open o;
	size_t i;

	for (i = 0; i < a->ntrips && !liu_stop; i++) {
		tr = &a->trips[i];
		k = &a->keys[tr->key];
		j_head(&b, "analysis", tr->t_out);
		j_str(&b, "sym", key_sym(a, k));
		j_str(&b, "strategy", key_strat(a, k));
		j_str(&b, "batch", sym_name(&a->batches, tr->batch));
		j_str(&b, "side", tr->side > 0 ? "long" : "short");
		json_add_key(&b, "qty");
		an_add_qty(&b, tr->qty);
		j_time(&b, "entry_t", tr->t_in);
		j_time(&b, "exit_t", tr->t_out);
		json_add_key(&b, "entry");
		an_add_price(&b, (int64_t)an_div(tr->in_val, tr->qty));
		json_add_key(&b, "exit");
		an_add_price(&b, (int64_t)an_div(tr->out_val, tr->qty));
		j_money(&b, "gain", trip_gain(tr));
		j_ratio(&b, "return", money_dbl(trip_gain(tr)) /
		    money_dbl(tr->in_val));
		j_money(&b, "fees", tr->fees);
		json_add_key(&b, "stop_loss");
		if (tr->stop == AN_NONE)
			buf_adds(&b, "null");
		else
			an_add_price(&b, tr->stop);
		j_ratio(&b, "r", trip_r(tr));
		j_hold(&b, tr->t_in, tr->t_out);
		buf_adds(&b, ",\"open\":false}");
		nd_emit(b.p, b.len);
	}
	for (i = 0; i < a->nkeys && !liu_stop; i++) {
		k = &a->keys[i];
		if (k->qty == 0)
			continue;
		open_sum(a, k, &o);
		j_head(&b, "analysis", s->t_last);
		j_str(&b, "sym", key_sym(a, k));
		j_str(&b, "strategy", key_strat(a, k));
		j_str(&b, "batch", sym_name(&a->batches, o.batch));
		j_str(&b, "side", k->side > 0 ? "long" : "short");
		json_add_key(&b, "qty");
		an_add_qty(&b, o.qty);
		j_time(&b, "entry_t", o.t);
		json_add_key(&b, "entry");
		an_add_price(&b, (int64_t)an_div(o.in_val, o.qty));
		json_add_key(&b, "mark");
		an_add_price(&b, a->sym[k->sym].last);
		j_money(&b, "gain", o.gain);
		j_num(&b, "return", money_dbl(o.gain) / money_dbl(o.in_val));
		j_money(&b, "fees", o.fee);
		buf_adds(&b, ",\"open\":true}");
		nd_emit(b.p, b.len);
	}
	if (liu_stop) {
		buf_release(&b);
		return;
	}
	j_head(&b, "summary", s->t_last);
	j_time(&b, "first_t", s->t_first);
	j_money(&b, "capital", s->capital);
	j_money(&b, "final_equity", s->final_eq);
	j_num(&b, "total_return", s->total_return);
	j_money(&b, "realized", s->realized);
	j_money(&b, "unrealized", s->unrealized);
	j_money(&b, "fees", s->fees);
	j_u64(&b, "trips", s->trades);
	j_u64(&b, "wins", s->wins);
	j_u64(&b, "losses", s->losses);
	j_u64(&b, "open", s->nopen);
	j_num(&b, "win_rate", s->win_rate);
	j_num(&b, "profit_factor", s->profit_factor);
	j_money(&b, "avg_win", s->avg_win);
	j_money(&b, "avg_loss", s->avg_loss);
	j_num(&b, "avg_r", s->avg_r);
	j_u64(&b, "r_trips", s->nr);
	j_money(&b, "expectancy", s->expectancy);
	j_num(&b, "exposure", s->exposure);
	j_money(&b, "max_drawdown", s->dd_value);
	j_num(&b, "max_drawdown_ratio", s->dd_ratio);
	j_time(&b, "drawdown_start", s->dd_start);
	j_time(&b, "drawdown_end", s->dd_end);
	json_add_key(&b, "period");
	buf_addc(&b, '"');
	add_period(&b, s->period);
	buf_addc(&b, '"');
	j_num(&b, "periods_per_year", s->per_year);
	j_u64(&b, "returns", s->nreturns);
	j_num(&b, "mean_return", s->mean_return);
	j_num(&b, "volatility", s->volatility);
	j_num(&b, "sharpe", s->sharpe);
	j_num(&b, "sortino", s->sortino);
	j_num(&b, "risk_free", a->o.rf);
	if (a->o.benchmark) {
		j_str(&b, "benchmark", a->o.benchmark);
		j_num(&b, "benchmark_return", s->bench_return);
	}
	j_str(&b, "rounding", "money exact; printed half-even to the cent");
	j_groups(&b, "by_symbol", &a->syms, a->by_sym, a->nsym);
	j_groups(&b, "by_strategy", &a->strats, a->by_strat, a->strats.n);
	j_groups(&b, "by_batch", &a->batches, a->by_batch, a->batches.n);
	buf_addc(&b, '}');
	nd_emit(b.p, b.len);
	buf_release(&b);
}

/* Charts through gnuplot */

/* A gnuplot single-quoted string: '' is a quote, control bytes become ?. */
static void
gp_str(struct buf *b, const char *s)
{
	buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_addc(b, '\'');
		buf_addc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
	}
	buf_addc(b, '\'');
}

/*
 * A datablock of (time, value) rows; more than AN_CHART_POINTS rows are
 * thinned to the lowest and highest value of each run of rows, so the
 * shape (and the deepest drawdown) survives.
 */
static void
gp_block(struct buf *b, const char *name, const double *t, const double *y,
    size_t n)
{
	size_t i, j, step, lo, hi, end;

	buf_addf(b, "$%s << EOD\n", name);
	step = n > AN_CHART_POINTS ? (n + AN_CHART_POINTS / 2 - 1) /
	    (AN_CHART_POINTS / 2) : 1;
	for (i = 0; i < n; i += step) {
		end = i + step < n ? i + step : n;
		lo = hi = i;
		for (j = i; j < end; j++) {
			if (y[j] < y[lo])
				lo = j;
			if (y[j] > y[hi])
				hi = j;
		}
		if (step == 1 || lo == hi) {
			buf_addf(b, "%.3f %.10g\n", t[lo] , y[lo]);
			continue;
		}
		j = lo < hi ? lo : hi;
		buf_addf(b, "%.3f %.10g\n", t[j], y[j]);
		j = lo < hi ? hi : lo;
		buf_addf(b, "%.3f %.10g\n", t[j], y[j]);
	}
	buf_adds(b, "EOD\n");
}

static int
chart_cmp(const void *x, const void *y, void *ctx)
{
	const struct an *a = ctx;
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;

	if (a->sym[i].nmarks != a->sym[j].nmarks)
		return a->sym[i].nmarks > a->sym[j].nmarks ? -1 : 1;
	return strcmp(sym_name(&a->syms, i), sym_name(&a->syms, j));
}

/* Symbols to chart: those with fills, the most filled first. */
static size_t
chart_syms(const struct an *a, uint32_t **out)
{
	uint32_t *ids = xmalloc((a->nsym ? a->nsym : 1) * sizeof(*ids)), t;
	size_t i, j, n = 0;

	for (i = 0; i < a->nsym; i++)
		if (a->sym[i].nmarks)
			ids[n++] = (uint32_t)i;
	/* insertion sort: few symbols */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && chart_cmp(&ids[j - 1], &ids[j],
		    (void *)(uintptr_t)a) > 0; j--) {
			t = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	*out = ids;
	return n < AN_MAX_CHART_SYMS ? n : AN_MAX_CHART_SYMS;
}

static void
gp_sym(struct buf *b, const struct an *a, uint32_t s, int i)
{
	const struct an_sym *y = &a->sym[s];
	size_t n = y->npts, j, nb = 0, ns = 0;
	double *t = xmalloc((n + y->nmarks + 1) * sizeof(*t) * 2);
	double *v = t + n + y->nmarks + 1;
	char name[32];

	for (j = 0; j < n; j++) {
		t[j] = (double)y->pts[j].t / 1e9;
		v[j] = (double)y->pts[j].price / AN_SCALE;
	}
	snprintf(name, sizeof(name), "p%d", i);
	gp_block(b, name, t, v, n);
	for (int buy = 1; buy >= 0; buy--) {
		size_t m = 0;

		for (j = 0; j < y->nmarks; j++)
			if (y->marks[j].buy == buy) {
				t[m] = (double)y->marks[j].t / 1e9;
				v[m++] = (double)y->marks[j].price / AN_SCALE;
			}
		snprintf(name, sizeof(name), "%c%d", buy ? 'b' : 's', i);
		if (m)
			gp_block(b, name, t, v, m);
		if (buy)
			nb = m;
		else
			ns = m;
	}
	free(t);
	buf_adds(b, "set title ");
	gp_str(b, sym_name(&a->syms, s));
	buf_addf(b, "\nplot $p%d using 1:2 with lines lc rgb '#555555' "
	    "notitle", i);
	if (nb)
		buf_addf(b, ", $b%d using 1:2 with points pt 9 ps 1.3 "
		    "lc rgb '#2ca02c' title 'buy'", i);
	if (ns)
		buf_addf(b, ", $s%d using 1:2 with points pt 11 ps 1.3 "
		    "lc rgb '#d62728' title 'sell'", i);
	buf_addc(b, '\n');
}

void
an_plot_script(struct an *a, struct buf *b, int svg)
{
	uint32_t *ids;
	size_t nsym = chart_syms(a, &ids), i, n = a->neq;
	double *t = xmalloc((n + 1) * sizeof(*t) * 3), *v = t + n + 1;
	double *dd = v + n + 1, peak = money_dbl(a->o.capital);
	int h = 260 * (int)(2 + nsym), neg;

	if (svg)
		buf_addf(b, "set terminal svg size 1000,%d noenhanced "
		    "font 'sans,10' background rgb 'white'\n", h);
	else
		buf_addf(b, "set terminal pngcairo size 1000,%d noenhanced "
		    "font 'sans,9' background rgb 'white'\n", h);
	buf_adds(b, "set encoding utf8\nset grid\nset key top left\n"
	    "set xdata time\nset timefmt '%s'\n");
	buf_addf(b, "set format x '%s'\n", t_span(a->t_first, a->t_last,
	    &neg) > TM_NS_PER_DAY ? "%m-%d" : "%H:%M");
	if (a->t_last > a->t_first)
		buf_addf(b, "set xrange ['%.3f':'%.3f']\n",
		    (double)a->t_first / 1e9, (double)a->t_last / 1e9);
	buf_addf(b, "set multiplot layout %zu,1\n", 2 + nsym);
	for (i = 0; i < n; i++) {
		t[i] = (double)a->eq[i].t / 1e9;
		v[i] = money_dbl(a->eq[i].eq);
		if (v[i] > peak)
			peak = v[i];
		dd[i] = peak > 0 ? (v[i] - peak) / peak * 100 : 0;
	}
	if (n == 0) {
		/* nothing to draw: a flat line at the capital */
		t[0] = (double)a->t_first / 1e9;
		v[0] = money_dbl(a->o.capital);
		dd[0] = 0;
		n = 1;
	}
	gp_block(b, "eq", t, v, n);
	gp_block(b, "dd", t, dd, n);
	buf_adds(b, "set title 'equity (cash + positions marked to market)'\n"
	    "plot $eq using 1:2 with lines lw 1.5 lc rgb '#1f77b4' "
	    "notitle\n"
	    "set title 'drawdown (% of the peak)'\n"
	    "plot $dd using 1:2 with filledcurves y1=0 "
	    "lc rgb '#d62728' fs transparent solid 0.4 notitle, "
	    "$dd using 1:2 with lines lc rgb '#d62728' notitle\n");
	free(t);
	for (i = 0; i < nsym; i++)
		gp_sym(b, a, ids[i], (int)i);
	free(ids);
	buf_adds(b, "unset multiplot\n");
}

int
an_gnuplot(const struct buf *script, int fd, const char **err)
{
	posix_spawn_file_actions_t fa;
	struct sigaction ign, old;
	char arg0[] = "gnuplot";
	char *argv[] = { arg0, NULL };
	const char *p = script->p;
	size_t left = script->len;
	ssize_t w;
	pid_t pid;
	int fds[2], rc, status;
	FILE *msgs;

	/*
	 * gnuplot's warnings ("empty y range" on a flat equity curve, say)
	 * are not ours to print: keep its stderr aside and show it only if
	 * gnuplot fails.
	 */
	if (!(msgs = tmpfile()))
		die("tmpfile:");
	if (pipe(fds) < 0)
		die("pipe:");
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	posix_spawn_file_actions_adddup2(&fa, fileno(msgs), 2);
	rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[0]);
	if (rc != 0) {
		close(fds[1]);
		fclose(msgs);
		snprintf(errbuf, sizeof(errbuf), rc == ENOENT ?
		    "gnuplot not found: install gnuplot to draw charts" :
		    "cannot run gnuplot: %s", strerror(rc));
		*err = errbuf;
		return -1;
	}
	/* gnuplot may die early: a closed pipe is its error, not ours */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	while (left > 0) {
		w = write(fds[1], p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		p += w;
		left -= (size_t)w;
	}
	close(fds[1]);
	sigaction(SIGPIPE, &old, NULL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid:");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || left > 0) {
		char line[256];
		int n = 0;

		/* its own words first, a few lines of them */
		rewind(msgs);
		while (n++ < 10 && fgets(line, sizeof(line), msgs)) {
			line[strcspn(line, "\n")] = '\0';
			warn("gnuplot: %s", line);
		}
		fclose(msgs);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			snprintf(errbuf, sizeof(errbuf), "gnuplot not found: "
			    "install gnuplot to draw charts");
		else
			snprintf(errbuf, sizeof(errbuf), "gnuplot failed "
			    "(status %d)", WIFEXITED(status) ?
			    WEXITSTATUS(status) : 128 + WTERMSIG(status));
		*err = errbuf;
		return -1;
	}
	fclose(msgs);
	return 0;
}
