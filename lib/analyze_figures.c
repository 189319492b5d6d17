/*
 * analyze_figures.c: the figures of liu-analyze, computed once by
 * an_finish() when the last event is in.
 *
 * Promises: money figures (gains, fees, equity, averages, drawdown) are
 * exact sums of an_money, divided half-even; ratios (returns, win rate,
 * profit factor, R, exposure, volatility, Sharpe, Sortino) are doubles,
 * NAN where undefined (no trips, one return, a zero deviation).  Returns
 * are taken per period from the equity samples (see returns()); drawdown
 * is the deepest fall from a running peak of those samples.
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
#include "sym.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

/* 252 trading days of 390 minutes (09:30-16:00 New York) */
#define AN_DAYS_PER_YEAR 252.0
#define AN_SESSION_NS (390 * TM_NS_PER_MIN)

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

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
	prev = an_money_dbl(a->o.capital);
	/* the last equity of each period that has a sample */
	for (i = 0; i <= a->neq; i++) {
		b = i < a->neq ? floor_div(a->eq[i].t, p) : 0;
		if (have && (i == a->neq || b != cur)) {
			v = an_money_dbl(a->eq[i - 1].eq);
			AN_GROW(rs, n, cap);
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
	s->bench_return = a->bench_first != AN_NONE ?
	    (double)a->bench_last / (double)a->bench_first - 1 : NAN;
	drawdown(a);
	returns(a);
}
