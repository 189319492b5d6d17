/*
 * ind.c: incremental technical indicators (see ind.h for the contract and
 * man/liu-ta.1 for the conventions, which are TA-Lib's).
 *
 * Rolling sums lose precision two ways: cancellation when a variance or a
 * slope is a small difference of large sums, and drift when millions of
 * additions and removals each round.  The windowed indicators here keep
 * their sums of values minus a shift (a recent mean), which removes the
 * cancellation, and recompute them exactly from the window each time the
 * ring wraps (every n values), which bounds the drift: O(n) work every n
 * values is O(1) amortised.
 *
 * Each kind's update is a static inline function, so that
 * ind_update_bar() has them inlined in its cases; the exported
 * ind_KIND_update() functions are wrappers of them.
 *
 * The generic struct ind (ind_init(), ind_update_bar(), ind_out()) puts
 * them behind one interface for programs that choose indicators at run
 * time; specs and output names are ind_spec.c's, JSON output ind_json.c's.
 *
 * Each indicator owns its window, if it has one, until its release
 * function.  Nothing fails but an allocation, which dies, and a period
 * below the kind's minimum, which is a bug() (ind_spec_parse() checks what
 * users give).
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cal.h"
#include "ind.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

/* The window. */

static void
win_init(struct ind_win *w, int n)
{
	if (n < 1)
		bug("ind: window of %d", n);
	w->n = n;
	w->pos = 0;
	w->count = 0;
	w->ring = xcalloc((size_t)n, sizeof(*w->ring));
}

static void
win_release(struct ind_win *w)
{
	free(w->ring);
	w->ring = NULL;
}

/*
 * Store x, returning the value it replaces (meaningless until the window
 * is full, that is while w->count <= w->n after the call).
 */
static inline double
win_push(struct ind_win *w, double x)
{
	double old = w->ring[w->pos];

	w->ring[w->pos] = x;
	if (++w->pos == w->n)
		w->pos = 0;
	w->count++;
	return old;
}

/* The i-th oldest value of a full window (0 = oldest). */
static inline double
win_at(const struct ind_win *w, int i)
{
	int k = w->pos + i;

	return w->ring[k >= w->n ? k - w->n : k];
}

/* Neumaier's compensated addition: *s + *c is the running sum. */
static inline void
ksum_add(double *s, double *c, double x)
{
	double t = *s + x;

	if (fabs(*s) >= fabs(x))
		*c += (*s - t) + x;
	else
		*c += (x - t) + *s;
	*s = t;
}

/* SMA */

void
ind_sma_init(struct ind_sma *s, int n)
{
	win_init(&s->w, n);
	s->sum = s->comp = 0;
	s->value = NAN;
}

static inline __attribute__((always_inline)) int
sma_update(struct ind_sma *s, double x)
{
	double old = win_push(&s->w, x);

	ksum_add(&s->sum, &s->comp, x);
	if (s->w.count > s->w.n)
		ksum_add(&s->sum, &s->comp, -old);
	else if (s->w.count < s->w.n)
		return 0;
	s->value = (s->sum + s->comp) / s->w.n;
	return 1;
}

int
ind_sma_update(struct ind_sma *s, double x)
{
	return sma_update(s, x);
}

void
ind_sma_release(struct ind_sma *s)
{
	win_release(&s->w);
}

/* EMA */

void
ind_ema_init(struct ind_ema *e, int n)
{
	if (n < 1)
		bug("ind: ema of %d", n);
	e->n = n;
	e->count = 0;
	e->alpha = 2.0 / (n + 1);
	e->seed = 0;
	e->value = NAN;
}

static inline __attribute__((always_inline)) int
ema_update(struct ind_ema *e, double x)
{
	e->count++;
	if (e->count > e->n) {
		/* TA-Lib's order of operations: (x - prev) * k + prev */
		e->value = (x - e->value) * e->alpha + e->value;
		return 1;
	}
	e->seed += x;
	if (e->count < e->n)
		return 0;
	e->value = e->seed / e->n;
	return 1;
}

int
ind_ema_update(struct ind_ema *e, double x)
{
	return ema_update(e, x);
}

/* WMA */

void
ind_wma_init(struct ind_wma *m, int n)
{
	win_init(&m->w, n);
	m->sum = m->wsum = 0;
	m->value = NAN;
}

static inline __attribute__((always_inline)) int
wma_update(struct ind_wma *m, double x)
{
	int n = m->w.n, i;
	double old = win_push(&m->w, x);

	if (m->w.count <= n) {
		m->sum += x;
		m->wsum += (double)m->w.count * x;
		if (m->w.count < n)
			return 0;
	} else if (m->w.pos == 0) {
		/* recompute exactly: the oldest weighs 1 */
		m->sum = m->wsum = 0;
		for (i = 0; i < n; i++) {
			m->sum += m->w.ring[i];
			m->wsum += (i + 1.0) * m->w.ring[i];
		}
	} else {
		m->wsum += n * x - m->sum;
		m->sum += x - old;
	}
	m->value = m->wsum / (n * (n + 1.0) / 2);
	return 1;
}

int
ind_wma_update(struct ind_wma *m, double x)
{
	return wma_update(m, x);
}

void
ind_wma_release(struct ind_wma *m)
{
	win_release(&m->w);
}

/* MACD */

void
ind_macd_init(struct ind_macd *m, int fast, int slow, int signal)
{
	int t;

	if (fast > slow) {
		t = fast;
		fast = slow;
		slow = t;
	}
	m->fast = fast;
	m->slow = slow;
	m->signal = signal;
	m->count = 0;
	ind_ema_init(&m->efast, fast);
	ind_ema_init(&m->eslow, slow);
	ind_ema_init(&m->esig, signal);
	m->macd = m->sig = m->hist = NAN;
}

static inline __attribute__((always_inline)) int
macd_update(struct ind_macd *m, double x)
{
	m->count++;
	/*
	 * TA-Lib seeds the fast EMA with the mean of the 'fast' values that
	 * end where the slow EMA's seed ends, so the first slow - fast values
	 * never reach it.
	 */
	if (m->count > m->slow - m->fast)
		ema_update(&m->efast, x);
	if (!ema_update(&m->eslow, x))
		return 0;
	m->macd = m->efast.value - m->eslow.value;
	if (!ema_update(&m->esig, m->macd)) {
		/* TA-Lib gives nothing before the signal is ready */
		m->macd = NAN;
		return 0;
	}
	m->sig = m->esig.value;
	m->hist = m->macd - m->sig;
	return 1;
}

int
ind_macd_update(struct ind_macd *m, double x)
{
	return macd_update(m, x);
}

/* RSI */

void
ind_rsi_init(struct ind_rsi *r, int n)
{
	if (n < 1)
		bug("ind: rsi of %d", n);
	r->n = n;
	r->count = 0;
	r->prev = 0;
	r->gain = r->loss = 0;
	r->value = NAN;
}

static inline __attribute__((always_inline)) int
rsi_update(struct ind_rsi *r, double x)
{
	double d, g, l, s;
	int n = r->n;

	r->count++;
	d = x - r->prev;
	r->prev = x;
	if (r->count == 1)
		return 0;
	g = d > 0 ? d : 0;
	l = d < 0 ? -d : 0;
	if (r->count - 1 < n) {
		r->gain += g;
		r->loss += l;
		return 0;
	}
	if (r->count - 1 == n) {
		r->gain = (r->gain + g) / n;
		r->loss = (r->loss + l) / n;
	} else {
		r->gain = (r->gain * (n - 1) + g) / n;
		r->loss = (r->loss * (n - 1) + l) / n;
	}
	/* TA-Lib: 0 when the sum is within 1e-8 of zero (TA_IS_ZERO) */
	s = r->gain + r->loss;
	r->value = s > -1e-8 && s < 1e-8 ? 0 : 100 * (r->gain / s);
	return 1;
}

int
ind_rsi_update(struct ind_rsi *r, double x)
{
	return rsi_update(r, x);
}

/* ATR */

void
ind_atr_init(struct ind_atr *a, int n)
{
	if (n < 1)
		bug("ind: atr of %d", n);
	a->n = n;
	a->count = 0;
	a->prevc = 0;
	a->atr = 0;
	a->value = NAN;
}

static inline __attribute__((always_inline)) int
atr_update(struct ind_atr *a, double h, double l, double c)
{
	double tr, d;
	int n = a->n;

	a->count++;
	if (a->count == 1) {
		/* TA-Lib: the first bar has no true range */
		a->prevc = c;
		return 0;
	}
	tr = h - l;
	d = fabs(h - a->prevc);
	if (d > tr)
		tr = d;
	d = fabs(l - a->prevc);
	if (d > tr)
		tr = d;
	a->prevc = c;
	if (a->count - 1 < n) {
		a->atr += tr;
		return 0;
	}
	if (a->count - 1 == n)
		a->atr = (a->atr + tr) / n;
	else
		a->atr = (a->atr * (n - 1) + tr) / n;
	a->value = a->atr;
	return 1;
}

int
ind_atr_update(struct ind_atr *a, double h, double l, double c)
{
	return atr_update(a, h, l, c);
}

/* stddev and Bollinger bands */

void
ind_stddev_init(struct ind_stddev *s, int n)
{
	win_init(&s->w, n);
	s->shift = 0;
	s->s1 = s->s2 = 0;
	s->mean = s->value = NAN;
}

static inline __attribute__((always_inline)) int
stddev_update(struct ind_stddev *s, double x)
{
	int n = s->w.n, i;
	double old = win_push(&s->w, x), d, m, var;

	if (s->w.count == 1)
		s->shift = x;
	if (s->w.count > n && s->w.pos == 0) {
		/* recompute around the window's mean */
		m = 0;
		for (i = 0; i < n; i++)
			m += s->w.ring[i];
		s->shift = m / n;
		s->s1 = s->s2 = 0;
		for (i = 0; i < n; i++) {
			d = s->w.ring[i] - s->shift;
			s->s1 += d;
			s->s2 += d * d;
		}
	} else {
		if (s->w.count > n) {
			d = old - s->shift;
			s->s1 -= d;
			s->s2 -= d * d;
		}
		d = x - s->shift;
		s->s1 += d;
		s->s2 += d * d;
		if (s->w.count < n)
			return 0;
	}
	m = s->s1 / n;
	s->mean = s->shift + m;
	var = s->s2 / n - m * m;
	s->value = var > 0 ? sqrt(var) : 0;
	return 1;
}

int
ind_stddev_update(struct ind_stddev *s, double x)
{
	return stddev_update(s, x);
}

void
ind_stddev_release(struct ind_stddev *s)
{
	win_release(&s->w);
}

void
ind_bbands_init(struct ind_bbands *b, int n, double k)
{
	ind_stddev_init(&b->sd, n);
	b->k = k;
	b->mid = b->upper = b->lower = NAN;
}

static inline __attribute__((always_inline)) int
bbands_update(struct ind_bbands *b, double x)
{
	if (!stddev_update(&b->sd, x))
		return 0;
	b->mid = b->sd.mean;
	b->upper = b->mid + b->k * b->sd.value;
	b->lower = b->mid - b->k * b->sd.value;
	return 1;
}

int
ind_bbands_update(struct ind_bbands *b, double x)
{
	return bbands_update(b, x);
}

void
ind_bbands_release(struct ind_bbands *b)
{
	ind_stddev_release(&b->sd);
}

/* VWAP */

void
ind_vwap_init(struct ind_vwap *w, int64_t anchor)
{
	w->anchor = anchor;
	w->day = INT64_MIN;
	w->off = 0;
	w->off_lo = w->off_hi = 0;	/* an empty span: compute at once */
	w->pv = w->v = 0;
	w->value = NAN;
}

static inline __attribute__((always_inline)) int
vwap_update(struct ind_vwap *w, const struct bar *b)
{
	int64_t lt, day;
	double p;

	/* the offset changes twice a year: keep it and where it holds */
	if (b->t < w->off_lo || b->t >= w->off_hi)
		w->off = cal_ny_offset_span(b->t, &w->off_lo, &w->off_hi);
	lt = b->t + w->off - w->anchor;

	day = lt >= 0 ? lt / TM_NS_PER_DAY : -((-lt - 1) / TM_NS_PER_DAY) - 1;
	if (day != w->day) {
		w->day = day;
		w->pv = w->v = 0;
		w->value = NAN;
	}
	p = isfinite(b->vw) && b->vw > 0 ? b->vw : (b->h + b->l + b->c) / 3;
	w->pv += p * b->v;
	w->v += b->v;
	if (!(w->v > 0))
		return 0;
	w->value = w->pv / w->v;
	return 1;
}

int
ind_vwap_update(struct ind_vwap *w, const struct bar *b)
{
	return vwap_update(w, b);
}

/* Rolling highest and lowest */

void
ind_minmax_init(struct ind_minmax *m, int n, int want_max)
{
	if (n < 1)
		bug("ind: minmax of %d", n);
	m->n = n;
	m->want_max = want_max;
	m->count = 0;
	m->idx = xcalloc((size_t)n, sizeof(*m->idx));
	m->val = xcalloc((size_t)n, sizeof(*m->val));
	m->head = m->len = 0;
	m->value = NAN;
}

static inline __attribute__((always_inline)) int
minmax_update(struct ind_minmax *m, double x)
{
	int64_t i = m->count++;
	int back;

	/* drop what has left the window, then what x dominates */
	if (m->len > 0 && m->idx[m->head] <= i - m->n) {
		if (++m->head == m->n)
			m->head = 0;
		m->len--;
	}
	while (m->len > 0) {
		back = m->head + m->len - 1;
		if (back >= m->n)
			back -= m->n;
		if (m->want_max ? m->val[back] > x : m->val[back] < x)
			break;
		m->len--;
	}
	back = m->head + m->len;
	if (back >= m->n)
		back -= m->n;
	m->idx[back] = i;
	m->val[back] = x;
	m->len++;
	if (m->count < m->n)
		return 0;
	m->value = m->val[m->head];
	return 1;
}

int
ind_minmax_update(struct ind_minmax *m, double x)
{
	return minmax_update(m, x);
}

void
ind_minmax_release(struct ind_minmax *m)
{
	free(m->idx);
	free(m->val);
	m->idx = NULL;
	m->val = NULL;
}

/* Linear-regression slope */

void
ind_slope_init(struct ind_slope *s, int n)
{
	if (n < 2)
		bug("ind: slope of %d", n);
	win_init(&s->w, n);
	s->shift = 0;
	s->sy = s->sxy = 0;
	s->value = NAN;
}

static inline __attribute__((always_inline)) int
slope_update(struct ind_slope *s, double x)
{
	int n = s->w.n, i;
	double old = win_push(&s->w, x), d, sx, den;

	if (s->w.count == 1)
		s->shift = x;
	if (s->w.count <= n) {
		d = x - s->shift;
		s->sy += d;
		s->sxy += (double)(s->w.count - 1) * d;
		if (s->w.count < n)
			return 0;
	} else if (s->w.pos == 0) {
		/* recompute around the window's mean; ring[0] is the oldest */
		d = 0;
		for (i = 0; i < n; i++)
			d += s->w.ring[i];
		s->shift = d / n;
		s->sy = s->sxy = 0;
		for (i = 0; i < n; i++) {
			d = s->w.ring[i] - s->shift;
			s->sy += d;
			s->sxy += i * d;
		}
	} else {
		/* every value's x drops by one; the oldest leaves at x = 0 */
		d = old - s->shift;
		s->sy -= d;
		s->sxy -= s->sy;
		d = x - s->shift;
		s->sxy += (n - 1) * d;
		s->sy += d;
	}
	sx = n * (n - 1) / 2.0;
	den = (double)n * n * ((double)n * n - 1) / 12;
	s->value = (n * s->sxy - sx * s->sy) / den;
	return 1;
}

int
ind_slope_update(struct ind_slope *s, double x)
{
	return slope_update(s, x);
}

void
ind_slope_release(struct ind_slope *s)
{
	win_release(&s->w);
}

/* The generic indicator */

void
ind_init(struct ind *in, const struct ind_spec *sp)
{
	const double *p = sp->p;

	in->spec = sp;
	in->kind = sp->kind;
	in->ready = 0;
	switch (sp->kind) {
	case IND_SMA:
		ind_sma_init(&in->u.sma, (int)p[0]);
		break;
	case IND_EMA:
		ind_ema_init(&in->u.ema, (int)p[0]);
		break;
	case IND_WMA:
		ind_wma_init(&in->u.wma, (int)p[0]);
		break;
	case IND_MACD:
		ind_macd_init(&in->u.macd, (int)p[0], (int)p[1], (int)p[2]);
		break;
	case IND_RSI:
		ind_rsi_init(&in->u.rsi, (int)p[0]);
		break;
	case IND_ATR:
		ind_atr_init(&in->u.atr, (int)p[0]);
		break;
	case IND_BBANDS:
		ind_bbands_init(&in->u.bb, (int)p[0], p[1]);
		break;
	case IND_STDDEV:
		ind_stddev_init(&in->u.sd, (int)p[0]);
		break;
	case IND_VWAP:
		ind_vwap_init(&in->u.vwap, (int64_t)p[0] * TM_NS_PER_MIN);
		break;
	case IND_HIGHEST:
	case IND_LOWEST:
		ind_minmax_init(&in->u.mm, (int)p[0], sp->kind == IND_HIGHEST);
		break;
	case IND_SLOPE:
		ind_slope_init(&in->u.slope, (int)p[0]);
		break;
	default:
		bug("ind: kind %d", (int)sp->kind);
	}
}

void
ind_release(struct ind *in)
{
	switch (in->kind) {
	case IND_SMA:
		ind_sma_release(&in->u.sma);
		break;
	case IND_WMA:
		ind_wma_release(&in->u.wma);
		break;
	case IND_BBANDS:
		ind_bbands_release(&in->u.bb);
		break;
	case IND_STDDEV:
		ind_stddev_release(&in->u.sd);
		break;
	case IND_HIGHEST:
	case IND_LOWEST:
		ind_minmax_release(&in->u.mm);
		break;
	case IND_SLOPE:
		ind_slope_release(&in->u.slope);
		break;
	default:
		break;
	}
}

int
ind_update_bar(struct ind *in, const struct bar *b)
{
	int r = 0;

	switch (in->kind) {
	case IND_SMA:
		r = sma_update(&in->u.sma, b->c);
		break;
	case IND_EMA:
		r = ema_update(&in->u.ema, b->c);
		break;
	case IND_WMA:
		r = wma_update(&in->u.wma, b->c);
		break;
	case IND_MACD:
		r = macd_update(&in->u.macd, b->c);
		break;
	case IND_RSI:
		r = rsi_update(&in->u.rsi, b->c);
		break;
	case IND_ATR:
		r = atr_update(&in->u.atr, b->h, b->l, b->c);
		break;
	case IND_BBANDS:
		r = bbands_update(&in->u.bb, b->c);
		break;
	case IND_STDDEV:
		r = stddev_update(&in->u.sd, b->c);
		break;
	case IND_VWAP:
		r = vwap_update(&in->u.vwap, b);
		break;
	case IND_HIGHEST:
		r = minmax_update(&in->u.mm, b->h);
		break;
	case IND_LOWEST:
		r = minmax_update(&in->u.mm, b->l);
		break;
	case IND_SLOPE:
		r = slope_update(&in->u.slope, b->c);
		break;
	default:
		bug("ind: kind %d", (int)in->kind);
	}
	return in->ready = r;
}

/*
 * The arrays an indicator owns, their addresses in p[] and their sizes in
 * sz[]: returns their number, 0 to 2.  Everything else of its state is in
 * the struct.
 */
static int
ind_arrays(const struct ind *in, void *p[2], size_t sz[2])
{
	const struct ind_win *w;

	switch (in->kind) {
	case IND_SMA:
		w = &in->u.sma.w;
		break;
	case IND_WMA:
		w = &in->u.wma.w;
		break;
	case IND_BBANDS:
		w = &in->u.bb.sd.w;
		break;
	case IND_STDDEV:
		w = &in->u.sd.w;
		break;
	case IND_SLOPE:
		w = &in->u.slope.w;
		break;
	case IND_HIGHEST:
	case IND_LOWEST:
		p[0] = in->u.mm.idx;
		sz[0] = (size_t)in->u.mm.n * sizeof(*in->u.mm.idx);
		p[1] = in->u.mm.val;
		sz[1] = (size_t)in->u.mm.n * sizeof(*in->u.mm.val);
		return 2;
	default:
		return 0;
	}
	p[0] = w->ring;
	sz[0] = (size_t)w->n * sizeof(*w->ring);
	return 1;
}

void
ind_save(const struct ind *in, struct ind_saved *sv)
{
	void *p[2];
	size_t sz[2], need = 0, at = 0;
	int i, n = ind_arrays(in, p, sz);

	for (i = 0; i < n; i++)
		need += sz[i];
	if (need > sv->cap) {
		sv->win = xrealloc(sv->win, need);
		sv->cap = need;
	}
	for (i = 0; i < n; i++) {
		memcpy(sv->win + at, p[i], sz[i]);
		at += sz[i];
	}
	sv->in = *in;
}

void
ind_restore(struct ind *in, const struct ind_saved *sv)
{
	void *p[2], *q[2];
	size_t sz[2], at = 0;
	int i, n = ind_arrays(&sv->in, p, sz);

	if (sv->in.kind != in->kind || ind_arrays(in, q, sz) != n ||
	    (n > 0 && p[0] != q[0]))
		bug("ind_restore: not the indicator saved");
	*in = sv->in;
	for (i = 0; i < n; i++) {
		memcpy(p[i], sv->win + at, sz[i]);
		at += sz[i];
	}
}

void
ind_saved_release(struct ind_saved *sv)
{
	free(sv->win);
	sv->win = NULL;
	sv->cap = 0;
}

double
ind_out(const struct ind *in, int i)
{
	if (!in->ready)
		return NAN;
	switch (in->kind) {
	case IND_SMA:
		return in->u.sma.value;
	case IND_EMA:
		return in->u.ema.value;
	case IND_WMA:
		return in->u.wma.value;
	case IND_MACD:
		return i == 0 ? in->u.macd.macd : i == 1 ? in->u.macd.sig :
		    in->u.macd.hist;
	case IND_RSI:
		return in->u.rsi.value;
	case IND_ATR:
		return in->u.atr.value;
	case IND_BBANDS:
		return i == 0 ? in->u.bb.mid : i == 1 ? in->u.bb.upper :
		    in->u.bb.lower;
	case IND_STDDEV:
		return in->u.sd.value;
	case IND_VWAP:
		return in->u.vwap.value;
	case IND_HIGHEST:
	case IND_LOWEST:
		return in->u.mm.value;
	case IND_SLOPE:
		return in->u.slope.value;
	default:
		bug("ind: kind %d", (int)in->kind);
	}
}

size_t
ind_out_offset(enum ind_kind k, int i)
{
	switch (k) {
	case IND_SMA:
		return offsetof(struct ind, u.sma.value);
	case IND_EMA:
		return offsetof(struct ind, u.ema.value);
	case IND_WMA:
		return offsetof(struct ind, u.wma.value);
	case IND_MACD:
		return i == 0 ? offsetof(struct ind, u.macd.macd) : i == 1 ?
		    offsetof(struct ind, u.macd.sig) :
		    offsetof(struct ind, u.macd.hist);
	case IND_RSI:
		return offsetof(struct ind, u.rsi.value);
	case IND_ATR:
		return offsetof(struct ind, u.atr.value);
	case IND_BBANDS:
		return i == 0 ? offsetof(struct ind, u.bb.mid) : i == 1 ?
		    offsetof(struct ind, u.bb.upper) :
		    offsetof(struct ind, u.bb.lower);
	case IND_STDDEV:
		return offsetof(struct ind, u.sd.value);
	case IND_VWAP:
		return offsetof(struct ind, u.vwap.value);
	case IND_HIGHEST:
	case IND_LOWEST:
		return offsetof(struct ind, u.mm.value);
	case IND_SLOPE:
		return offsetof(struct ind, u.slope.value);
	default:
		bug("ind: kind %d", (int)k);
	}
}
