/* bars.c: bars built from trades, a rolling history, resampling. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bars.h"
#include "util.h"
#include "banned.h"

void
bar_ring_init(struct bar_ring *r, size_t cap)
{
	if (cap == 0)
		cap = 1;
	r->b = xcalloc(cap, sizeof(*r->b));
	r->cap = cap;
	r->len = 0;
	r->head = 0;
}

void
bar_ring_grow(struct bar_ring *r, size_t cap)
{
	struct bar *b;
	size_t n;

	if (cap == 0 || cap < r->len)
		bug("bar_ring_grow: room for %zu bars, %zu held", cap, r->len);
	b = xcalloc(cap, sizeof(*b));
	n = bar_ring_last(r, r->len, b);	/* oldest first, at 0 */
	free(r->b);
	r->b = b;
	r->cap = cap;
	r->head = n ? n - 1 : 0;
}

void
bar_ring_release(struct bar_ring *r)
{
	free(r->b);
	r->b = NULL;
	r->cap = r->len = r->head = 0;
}

/* The slot of the bar 'ago' steps back from the newest. */
static size_t
slot(const struct bar_ring *r, size_t ago)
{
	return (r->head + r->cap - ago) % r->cap;
}

const struct bar *
bar_ring_ago(const struct bar_ring *r, size_t ago)
{
	if (ago >= r->len)
		return NULL;
	return &r->b[slot(r, ago)];
}

enum bar_put
bar_ring_put(struct bar_ring *r, const struct bar *b)
{
	size_t ago, i;

	if (r->cap == 0)
		bug("bar_ring_put: a ring with no room");
	if (r->len == 0 || b->t > r->b[r->head].t) {
		/* no division on the path every bar takes */
		r->head = r->len == 0 || r->head + 1 == r->cap ? 0 :
		    r->head + 1;
		r->b[r->head] = *b;
		if (r->len < r->cap)
			r->len++;
		return BAR_APPENDED;
	}
	/* find the newest bar not newer than b */
	for (ago = 0; ago < r->len; ago++)
		if (r->b[slot(r, ago)].t <= b->t)
			break;
	if (ago < r->len && r->b[slot(r, ago)].t == b->t) {
		r->b[slot(r, ago)] = *b;
		return BAR_REPLACED;
	}
	/* b goes just after position 'ago' (older) and before ago - 1 */
	if (ago == r->len && r->len == r->cap)
		return BAR_TOO_OLD;
	if (r->len == r->cap) {
		/* drop the oldest: shift the older part down by one */
		for (i = r->len - 1; i > ago; i--)
			r->b[slot(r, i)] = r->b[slot(r, i - 1)];
		r->b[slot(r, ago)] = *b;
		/* the slot 'ago' now holds b; everything older moved */
		return BAR_INSERTED;
	}
	/* room: move the newer bars up by one */
	r->head = (r->head + 1) % r->cap;
	r->len++;
	for (i = 0; i < ago; i++)
		r->b[slot(r, i)] = r->b[slot(r, i + 1)];
	r->b[slot(r, ago)] = *b;
	return BAR_INSERTED;
}

size_t
bar_ring_last(const struct bar_ring *r, size_t n, struct bar *out)
{
	size_t i;

	if (n > r->len)
		n = r->len;
	for (i = 0; i < n; i++)
		out[i] = r->b[slot(r, n - 1 - i)];
	return n;
}

size_t
bar_ring_count_since(const struct bar_ring *r, int64_t t)
{
	size_t ago;

	for (ago = 0; ago < r->len; ago++)
		if (r->b[slot(r, ago)].t < t)
			break;
	return ago;
}

int64_t
bar_bucket(int64_t t, int64_t tf)
{
	int64_t q = t / tf;

	if (t % tf < 0)
		q--;
	return q * tf;
}

static void
open_bar(struct bar_builder *bb, int64_t t, double price, double size)
{
	bb->cur.t = bar_bucket(t, bb->tf);
	bb->cur.o = bb->cur.h = bb->cur.l = bb->cur.c = price;
	bb->cur.v = size;
	bb->cur.n = 1;
	bb->pv = price * size;
	bb->cur.vw = price;
	bb->open = 1;
}

int
bar_builder_trade(struct bar_builder *bb, int64_t t, double price,
    double size, struct bar *done)
{
	if (t < bb->sealed)
		return 0;
	if (!bb->open) {
		open_bar(bb, t, price, size);
		return 0;
	}
	if (t < bb->cur.t)
		return 0;
	if (t >= bb->cur.t + bb->tf) {
		*done = bb->cur;
		open_bar(bb, t, price, size);
		return 1;
	}
	if (price > bb->cur.h)
		bb->cur.h = price;
	if (price < bb->cur.l)
		bb->cur.l = price;
	bb->cur.c = price;
	bb->cur.v += size;
	bb->cur.n += 1;
	bb->pv += price * size;
	if (bb->cur.v > 0)
		bb->cur.vw = bb->pv / bb->cur.v;
	return 0;
}

int
bar_builder_flush(struct bar_builder *bb, int64_t now, struct bar *done)
{
	if (!bb->open || now < bb->cur.t + bb->tf)
		return 0;
	*done = bb->cur;
	bb->open = 0;
	return 1;
}

void
bar_builder_seal(struct bar_builder *bb, int64_t t)
{
	int64_t end = bar_bucket(t, bb->tf) + bb->tf;

	if (bb->open && bb->cur.t < end)
		bb->open = 0;
	if (end > bb->sealed)
		bb->sealed = end;
}

size_t
bar_resample(const struct bar *in, size_t n, int64_t tf, struct bar *out,
    size_t cap)
{
	struct bar *o = NULL;
	double pv = 0;
	size_t i, k = 0;
	int64_t bt;

	for (i = 0; i < n; i++) {
		bt = bar_bucket(in[i].t, tf);
		if (o == NULL || bt != o->t) {
			if (o != NULL)
				o->vw = o->v > 0 && !isnan(pv) ?
				    pv / o->v : NAN;
			if (k == cap)
				return k;
			o = &out[k++];
			*o = in[i];
			o->t = bt;
			pv = in[i].vw * in[i].v;
			continue;
		}
		if (in[i].h > o->h)
			o->h = in[i].h;
		if (in[i].l < o->l)
			o->l = in[i].l;
		o->c = in[i].c;
		o->v += in[i].v;
		o->n += in[i].n;
		pv += in[i].vw * in[i].v;
	}
	if (o != NULL)
		o->vw = o->v > 0 && !isnan(pv) ? pv / o->v : NAN;
	return k;
}

int64_t
bar_tf_parse(const char *s)
{
	int64_t n = 0, unit;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > 1000000)
			return -1;
	}
	if (p == s || n == 0 || *p == '\0')
		return -1;
	switch (strcmp(p, "mo") == 0 ? 'M' : p[1] == '\0' ? *p : '?') {
	case 'M':
		unit = BAR_TF_MONTH;
		break;
	case 's':
		unit = 1000000000LL;
		break;
	case 'm':
		unit = 60 * 1000000000LL;
		break;
	case 'h':
		unit = 3600 * 1000000000LL;
		break;
	case 'd':
		unit = 86400 * 1000000000LL;
		break;
	default:
		return -1;
	}
	if (n > INT64_MAX / unit)
		return -1;	/* 1000000d would overflow */
	return n * unit;
}

const char *
bar_check(const struct bar *b)
{
	if (!isfinite(b->o) || !isfinite(b->h) || !isfinite(b->l) ||
	    !isfinite(b->c))
		return "bar price is not a finite number";
	if (b->o <= 0 || b->h <= 0 || b->l <= 0 || b->c <= 0)
		return "bar price is not positive";
	if (b->l > b->h || b->o > b->h || b->c > b->h || b->o < b->l ||
	    b->c < b->l)
		return "bar prices out of order (want l <= o,c <= h)";
	if (!isfinite(b->v) || b->v < 0)
		return "bar volume is negative or not a number";
	return NULL;
}
