/*
 * analyze_figures.c: the figures of liu-analyze, computed once by
 * an_finish() when the last event is in.
 *
 * Promises: money figures (gains, fees, equity, averages, drawdown) are
 * exact sums of an_money, divided half-even; ratios (returns, win rate,
 * profit factor, R, exposure, volatility, Sharpe, Sortino) are doubles,
 * NAN where undefined (no trips, one return, a zero deviation).  Returns
 * are taken on the grid of regular sessions, lib/cal's (see struct grid),
 * the equity carried forward over periods without a sample; drawdown is
 * the deepest fall from a running peak of the samples themselves.
 *
 * Owns the group arrays (by symbol, strategy and batch) it hangs on struct
 * an, freed by an_release(); the summary is a struct inside it.  A scratch
 * array of returns lives only inside returns().  Dies when out of memory.
 *
 * Fails: never; an_finish() on a finished analysis does nothing.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "analyze_impl.h"
#include "cal.h"
#include "sym.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

/* 252 trading days of 390 minutes (09:30-16:00 New York) */
#define AN_DAYS_PER_YEAR 252.0
#define AN_SESSION_NS (390 * TM_NS_PER_MIN)

an_money
an_trip_gain(const struct an_trip *tr)
{
	return tr->side * (tr->out_val - tr->in_val) - tr->fees;
}

/* r-units, or NAN when the stop is absent or on the wrong side. */
double
an_trip_r(const struct an_trip *tr)
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

void
an_open_sum(const struct an *a, const struct an_key *k, struct an_open *o)
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

/*
 * The grid the equity is sampled on for returns: regular sessions only
 * (lib/cal: 09:30-16:00 New York, 13:00 on early-close days, none on
 * weekends and holidays).  A period p shorter than a day puts grid points
 * at open + p, open + 2p, ... and at the close, the last period of a
 * session being shorter when p does not divide it.  A period of a day or
 * more is n = p / 1d trading days (rounded down): a grid point at every
 * n-th close, counted from the first sample.  The equity at a grid point
 * is the last sample before it; a point with no sample since the one
 * before carries that equity forward, a return of zero, as daily-return
 * tools do, so a quiet stretch is not read as one long period.  A sample
 * outside the sessions counts at the next grid point.
 */
struct grid {
	int64_t p;		/* the period, < 1 day; 0 when daily */
	uint64_t ndays;		/* trading days a period, when daily */
	int64_t open, close;	/* the session last found, or 0, 0 */
};

/*
 * The first regular session that closes after t, as [*open, *close).
 * Returns 0, or -1 if none is found within a month (not in 1678-2261).
 */
static int
session_after(struct grid *g, int64_t t, int64_t *open, int64_t *close)
{
	int64_t day;
	int y, m, d, i;

	if (g->open <= t && t < g->close) {
		*open = g->open;
		*close = g->close;
		return 0;
	}
	cal_ny_date(t, &y, &m, &d);
	day = tm_days_from_civil(y, m, d);
	for (i = 0; i < 31; i++, day++) {
		tm_civil_from_days(day, &y, &m, &d);
		if (cal_session(y, m, d, open, close) == 0 && *close > t) {
			g->open = *open;
			g->close = *close;
			return 0;
		}
	}
	return -1;
}

/* Intraday: the grid points in (from, to], from itself a grid point. */
static uint64_t
grid_count(struct grid *g, int64_t from, int64_t to)
{
	int64_t o, c, lo, hi, k0, k1, kmax;
	uint64_t n = 0;

	while (from < to && session_after(g, from, &o, &c) == 0 && o < to) {
		/* open + k p for k >= 1 while before the close, then it */
		lo = from > o ? from : o;
		hi = to < c ? to : c;
		k0 = (lo - o) / g->p;
		k1 = (hi - o) / g->p;
		kmax = (c - o - 1) / g->p;
		if (k1 > kmax)
			k1 = kmax;
		if (k1 > k0)
			n += (uint64_t)(k1 - k0);
		if (lo < c && c <= hi)
			n++;
		from = c;
	}
	return n;
}

/*
 * The first grid point after t, or INT64_MAX if there is none; *skipped is
 * set to the number of grid points in (from, t], each a period without a
 * sample.  'from' is the grid point that ended the period before, or, with
 * first set, ignored: t is the first sample.
 */
static int64_t
grid_after(struct grid *g, int first, int64_t from, int64_t t,
    uint64_t *skipped)
{
	int64_t o, c, k, x;
	uint64_t i = 0, le = 0, want = 0;

	x = first ? t : from;
	if (g->p > 0) {
		*skipped = first ? 0 : grid_count(g, from, t);
		if (session_after(g, t, &o, &c) < 0)
			return INT64_MAX;
		k = t < o ? 1 : (t - o) / g->p + 1;
		return k <= (c - o - 1) / g->p ? o + k * g->p : c;
	}
	/*
	 * daily: count the closes after x; every ndays-th is a grid point.
	 * A sample at a close (a daily bar's) counts in that day: look from
	 * just before it.
	 */
	if (t > INT64_MIN)
		t--;
	if (first)
		x = t;
	for (;;) {
		if (session_after(g, x, &o, &c) < 0) {
			*skipped = (want ? le : i) / g->ndays;
			return INT64_MAX;
		}
		x = c;
		i++;
		if (c <= t)
			continue;
		if (!want) {
			le = i - 1;
			want = (le / g->ndays + 1) * g->ndays;
		}
		if (i == want)
			break;
	}
	*skipped = le / g->ndays;
	return c;
}

/* The default period: a minute on one New York date, else a day. */
static int64_t
auto_period(const struct an *a)
{
	int y0, m0, d0, y1, m1, d1;

	if (a->neq == 0)
		return TM_NS_PER_MIN;
	cal_ny_date(a->eq[0].t, &y0, &m0, &d0);
	cal_ny_date(a->eq[a->neq - 1].t, &y1, &m1, &d1);
	return y0 == y1 && m0 == m1 && d0 == d1 ? TM_NS_PER_MIN :
	    TM_NS_PER_DAY;
}

/*
 * The returns of the equity on the grid: each grid point's equity over
 * the one before (the first over the capital), the mean, volatility,
 * Sharpe and Sortino.  A period with samples gives a return kept in a
 * scratch array; the zero returns of the periods without are only
 * counted, so a long quiet stretch (or a short period over years) costs
 * no memory.
 */
static void
returns(struct an *a)
{
	struct an_summary *s = &a->s;
	struct grid g = { 0, 1, 0, 0 };
	int64_t p = a->o.period > 0 ? a->o.period : auto_period(a), end = 0;
	double prev, v, r, sum = 0, sq = 0, down = 0, mean, rfp, sd, nd;
	double *rs = NULL;
	size_t i, n = 0, cap = 0;
	uint64_t nzero = 0, skipped;
	int have = 0;

	s->period = p;
	if (p < TM_NS_PER_DAY) {
		g.p = p;
		/* grid points in a full session: ceil(390 min / p) */
		s->per_year = AN_DAYS_PER_YEAR *
		    (double)((AN_SESSION_NS - 1) / p + 1);
	} else {
		g.ndays = (uint64_t)(p / TM_NS_PER_DAY);
		s->per_year = AN_DAYS_PER_YEAR / (double)g.ndays;
	}
	prev = an_money_dbl(a->o.capital);
	/* a stream out of time order: a late sample joins the open period */
	for (i = 0; i <= a->neq; i++) {
		if (i < a->neq && have && (a->eq[i].t < end ||
		    (g.p == 0 && a->eq[i].t == end)))
			continue;
		if (have) {
			v = an_money_dbl(a->eq[i - 1].eq);
			AN_GROW(rs, n, cap);
			rs[n++] = prev != 0 ? v / prev - 1 : 0;
			prev = v;
		}
		if (i == a->neq)
			break;
		end = grid_after(&g, !have, end, a->eq[i].t, &skipped);
		nzero += skipped;
		have = 1;
	}
	s->nreturns = n + nzero;
	s->mean_return = s->volatility = s->sharpe = s->sortino = NAN;
	if (s->nreturns == 0) {
		free(rs);
		return;
	}
	nd = (double)s->nreturns;
	for (i = 0; i < n; i++)
		sum += rs[i];
	mean = sum / nd;
	s->mean_return = mean;
	rfp = a->o.rf / s->per_year;
	for (i = 0; i < n; i++) {
		sq += (rs[i] - mean) * (rs[i] - mean);
		r = rs[i] - rfp;
		if (r < 0)
			down += r * r;
	}
	/* the zero returns */
	sq += (double)nzero * mean * mean;
	if (rfp > 0)
		down += (double)nzero * rfp * rfp;
	free(rs);
	if (s->nreturns < 2)
		return;
	sd = sqrt(sq / (nd - 1));
	s->volatility = sd * sqrt(s->per_year);
	if (sd > 0)
		s->sharpe = (mean - rfp) / sd * sqrt(s->per_year);
	down = sqrt(down / nd);
	if (down > 0)
		s->sortino = (mean - rfp) / down * sqrt(s->per_year);
}

/*
 * The benchmark's baseline and last price: the last price seen before the
 * run's first event (else the open of the first bar seen, or its first
 * price), and the last seen by the run's last event.
 */
static void
bench_span(struct an *a)
{
	size_t i;

	a->bench_first = a->bench_last = AN_NONE;
	for (i = 0; i < a->nbpts && a->bpts[i].t < a->t_first; i++)
		a->bench_first = a->bpts[i].price;
	if (a->bench_first == AN_NONE && a->nbpts)
		a->bench_first = a->bench_open != AN_NONE ? a->bench_open :
		    a->bpts[0].price;
	a->bench_last = a->bench_first;
	for (i = 0; i < a->nbpts && a->bpts[i].t <= a->t_last; i++)
		a->bench_last = a->bpts[i].price;
}

/*
 * The session days from the one of the first sample to the one of the
 * last: a sample counts in the session it falls in, or that closes at its
 * instant, else in the next one (after hours, a weekend).  Each day has
 * the last equity at or before its close and the benchmark's last price
 * by then; the returns are over the day before, the first over the
 * capital and the benchmark's baseline.  Then beta and alpha of the days'
 * returns against the benchmark's.
 */
static void
days(struct an *a)
{
	struct an_summary *s = &a->s;
	int64_t o, c, t, last, bench;
	an_money eq = a->o.capital;
	double prev, bprev, ms = 0, mb = 0, cov = 0, vb = 0, rfd, n;
	size_t i = 0, j = 0, k, cap = 0;

	s->beta = s->alpha = NAN;
	if (a->neq == 0)
		return;
	last = a->eq[a->neq - 1].t;
	bench = a->bench_first;
	t = a->eq[0].t;
	while (cal_next_session(t > INT64_MIN ? t - 1 : t, &o, &c) == 0) {
		while (i < a->neq && a->eq[i].t <= c)
			eq = a->eq[i++].eq;
		while (j < a->nbpts && a->bpts[j].t <= c)
			bench = a->bpts[j++].price;
		AN_GROW(a->days, a->ndays, cap);
		a->days[a->ndays].t = c;
		a->days[a->ndays].eq = eq;
		a->days[a->ndays].bench = bench;
		a->ndays++;
		if (c >= last)
			break;
		t = c + 1;
	}
	prev = an_money_dbl(a->o.capital);
	bprev = a->bench_first != AN_NONE ? (double)a->bench_first : NAN;
	for (k = 0; k < a->ndays; k++) {
		struct an_day *d = &a->days[k];
		double v = an_money_dbl(d->eq);

		d->ret = prev != 0 ? v / prev - 1 : NAN;
		prev = v;
		d->bench_ret = d->bench != AN_NONE ?
		    (double)d->bench / bprev - 1 : NAN;
		if (d->bench != AN_NONE)
			bprev = (double)d->bench;
	}
	if (a->ndays < 2 || a->bench_first == AN_NONE)
		return;
	n = (double)a->ndays;
	for (k = 0; k < a->ndays; k++) {
		ms += a->days[k].ret / n;
		mb += a->days[k].bench_ret / n;
	}
	for (k = 0; k < a->ndays; k++) {
		cov += (a->days[k].ret - ms) * (a->days[k].bench_ret - mb);
		vb += (a->days[k].bench_ret - mb) * (a->days[k].bench_ret - mb);
	}
	if (!(vb > 0) || isnan(cov))
		return;
	s->beta = cov / vb;
	rfd = a->o.rf / AN_DAYS_PER_YEAR;
	s->alpha = (ms - rfd - s->beta * (mb - rfd)) * AN_DAYS_PER_YEAR;
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
		an_exposed_until(a, a->t_last);
	a->by_sym = xcalloc(a->nsym ? a->nsym : 1, sizeof(*a->by_sym));
	a->by_strat = xcalloc(a->strats.n ? a->strats.n : 1,
	    sizeof(*a->by_strat));
	a->by_batch = xcalloc(a->batches.n ? a->batches.n : 1,
	    sizeof(*a->by_batch));

	s->capital = a->o.capital;
	for (i = 0; i < a->ntrips; i++) {
		tr = &a->trips[i];
		k = &a->keys[tr->key];
		g = an_trip_gain(tr);
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
		if (!isnan(r = an_trip_r(tr))) {
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
	s->total_return = s->capital ? an_money_dbl(s->final_eq - s->capital) /
	    an_money_dbl(s->capital) : NAN;
	s->win_rate = s->trades ? (double)s->wins / (double)s->trades : NAN;
	s->profit_factor = s->gross_loss ? an_money_dbl(s->gross_win) /
	    -an_money_dbl(s->gross_loss) : NAN;
	s->avg_win = s->wins ? an_div(s->gross_win, s->wins) : 0;
	s->avg_loss = s->losses ? an_div(s->gross_loss, s->losses) : 0;
	s->expectancy = s->trades ? an_div(s->realized, s->trades) : 0;
	s->avg_r = s->nr ? rsum / (double)s->nr : NAN;
	span = an_t_span(a->t_first, a->t_last, &neg);
	s->exposure = span > 0 ? (double)a->exposed_ns / (double)span : NAN;
	bench_span(a);
	s->bench_return = a->bench_first != AN_NONE ?
	    (double)a->bench_last / (double)a->bench_first - 1 : NAN;
	drawdown(a);
	returns(a);
	days(a);
}
