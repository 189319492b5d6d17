/* fincalc.c: candle patterns, support/resistance, swing lows, volatility. */
#include <math.h>
#include <stdlib.h>

#include "fincalc.h"
#include "util.h"
#include "banned.h"

unsigned
fc_candle(const struct bar *b)
{
	double range = b->h - b->l, body = fabs(b->c - b->o);
	double upper = b->h - fmax(b->o, b->c);
	double lower = fmin(b->o, b->c) - b->l;
	unsigned m = 0;

	if (b->c > b->o)
		m |= FC_BULLISH;
	else if (b->c < b->o)
		m |= FC_BEARISH;
	if (range == 0) {
		if (b->o == b->h && b->c == b->h)
			m |= FC_FOUR_PRICE_DOJI;
		return m;
	}
	if (!(range > 0))
		return m;
	if (body <= 0.1 * range) {
		m |= FC_DOJI;
		if (lower <= 0.1 * range)
			m |= FC_GRAVESTONE_DOJI;
		if (upper <= 0.1 * range)
			m |= FC_DRAGONFLY_DOJI;
	} else if (body <= 0.3 * range && upper >= 0.25 * range &&
	    lower >= 0.25 * range)
		m |= FC_SPINNING_TOP;
	return m;
}

unsigned
fc_candle2(const struct bar *p, const struct bar *c)
{
	unsigned mp = fc_candle(p), mc = fc_candle(c), m = 0;
	double bp = fabs(p->c - p->o), bc = fabs(c->c - c->o);

	if ((mp & FC_BEARISH) && (mc & FC_BULLISH)) {
		if (c->o <= p->c && c->c >= p->o && bc > bp)
			m |= FC_BULLISH_ENGULFING;
		if (c->o > p->c && c->c < p->o)
			m |= FC_BULLISH_HARAMI;
	}
	if ((mp & FC_BULLISH) && (mc & FC_BEARISH)) {
		if (c->o >= p->c && c->c <= p->o && bc > bp)
			m |= FC_BEARISH_ENGULFING;
		if (c->o < p->c && c->c > p->o)
			m |= FC_BEARISH_HARAMI;
	}
	if (mp & (FC_DOJI | FC_FOUR_PRICE_DOJI)) {
		if ((mc & FC_BULLISH) && c->c > p->h)
			m |= FC_DOJI_BULLISH_FOLLOW;
		if ((mc & FC_BEARISH) && c->c < p->l)
			m |= FC_DOJI_BEARISH_FOLLOW;
	}
	return m;
}

const char *
fc_pattern_name(unsigned bit)
{
	switch (bit) {
	case FC_BULLISH: return "bullish";
	case FC_BEARISH: return "bearish";
	case FC_DOJI: return "doji";
	case FC_FOUR_PRICE_DOJI: return "four_price_doji";
	case FC_GRAVESTONE_DOJI: return "gravestone_doji";
	case FC_DRAGONFLY_DOJI: return "dragonfly_doji";
	case FC_SPINNING_TOP: return "spinning_top";
	case FC_BULLISH_ENGULFING: return "bullish_engulfing";
	case FC_BEARISH_ENGULFING: return "bearish_engulfing";
	case FC_BULLISH_HARAMI: return "bullish_harami";
	case FC_BEARISH_HARAMI: return "bearish_harami";
	case FC_DOJI_BULLISH_FOLLOW: return "doji_bullish_follow";
	case FC_DOJI_BEARISH_FOLLOW: return "doji_bearish_follow";
	default: return NULL;
	}
}

static int
cmp_level(const void *a, const void *b)
{
	const struct fc_level *x = a, *y = b;

	if (x->price < y->price)
		return -1;
	if (x->price > y->price)
		return 1;
	return x->t < y->t ? -1 : x->t > y->t;
}

/* Group sorted candidates c[0..n) in place into levels; returns count. */
static size_t
group(struct fc_level *c, size_t n, double margin)
{
	size_t i, k = 0;
	double lo = 0, sum = 0;

	for (i = 0; i < n; i++) {
		if (k > 0 && c[i].price - lo <= margin * lo) {
			struct fc_level *g = &c[k - 1];

			sum += c[i].price;
			g->touches++;
			g->price = sum / g->touches;
			if (c[i].t > g->t)
				g->t = c[i].t;
			continue;
		}
		lo = sum = c[i].price;
		c[k] = c[i];
		c[k].touches = 1;
		k++;
	}
	return k;
}

size_t
fc_levels(const struct bar *b, size_t n, double margin,
    struct fc_level *out, size_t cap)
{
	struct fc_level *sup, *res;
	size_t i, ns = 0, nr = 0, k = 0;

	if (n < 3)
		return 0;
	sup = xcalloc(n, sizeof(*sup));
	res = xcalloc(n, sizeof(*res));
	for (i = 1; i + 1 < n; i++) {
		if (b[i].l < b[i - 1].l && b[i].l <= b[i + 1].l) {
			sup[ns].kind = FC_SUPPORT;
			sup[ns].price = b[i].l;
			sup[ns++].t = b[i].t;
		}
		if (b[i].h > b[i - 1].h && b[i].h >= b[i + 1].h) {
			res[nr].kind = FC_RESISTANCE;
			res[nr].price = b[i].h;
			res[nr++].t = b[i].t;
		}
	}
	qsort(sup, ns, sizeof(*sup), cmp_level);
	qsort(res, nr, sizeof(*res), cmp_level);
	ns = group(sup, ns, margin);
	nr = group(res, nr, margin);
	for (i = 0; i < ns && k < cap; i++)
		out[k++] = sup[i];
	for (i = 0; i < nr && k < cap; i++)
		out[k++] = res[i];
	free(sup);
	free(res);
	return k;
}

size_t
fc_ring_levels(const struct bar_ring *r, int64_t tf, double margin,
    struct fc_level *out, size_t cap)
{
	struct bar *b;
	size_t n, k;

	if (r->len == 0)
		return 0;
	b = xcalloc(2 * r->len, sizeof(*b));
	n = bar_ring_last(r, r->len, b);
	n = bar_resample(b, n, tf, b + r->len, r->len);
	k = fc_levels(b + r->len, n, margin, out, cap);
	free(b);
	return k;
}

double
fc_find_stop(const struct bar *b, size_t n, double below)
{
	size_t i;

	for (i = n >= 2 ? n - 2 : 0; i >= 1 && i + 1 < n; i--)
		if (b[i].l < b[i - 1].l && b[i].l <= b[i + 1].l &&
		    b[i].l < below)
			return b[i].l;
	return NAN;
}

double
fc_find_stop_high(const struct bar *b, size_t n, double above)
{
	size_t i;

	for (i = n >= 2 ? n - 2 : 0; i >= 1 && i + 1 < n; i--)
		if (b[i].h > b[i - 1].h && b[i].h >= b[i + 1].h &&
		    b[i].h > above)
			return b[i].h;
	return NAN;
}

double
fc_volatility(const struct bar *b, size_t n)
{
	double mean = 0, m2 = 0, r, d;
	size_t i, k = 0;

	if (n < 2)
		return NAN;
	for (i = 1; i < n; i++) {
		if (!(b[i].c > 0) || !(b[i - 1].c > 0))
			return NAN;
		r = log(b[i].c / b[i - 1].c);
		k++;
		d = r - mean;
		mean += d / (double)k;
		m2 += d * (r - mean);
	}
	return sqrt(m2 / (double)k);
}
