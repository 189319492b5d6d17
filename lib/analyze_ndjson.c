/*
 * analyze_ndjson.c: liu-analyze's report for programs: one "analysis"
 * event per round trip and per open position, then one "summary" event.
 *
 * Promises: events in the liu(7) contract, times in RFC 3339 UTC; money
 * with exactly two decimals (rounded half-even), prices with two to six,
 * quantities with none to six, so a reader never sees 0.30000000000000004;
 * null for an undefined ratio or an absent time.  Each event goes out
 * whole through nd_emit().  Stops between events when liu_stop is set and
 * then writes no summary, so the output is never a summary of half the
 * events.
 *
 * Owns one line buffer while it writes.  Dies when out of memory; a write
 * error is the writer's (see ndjson.h).
 *
 * Fails: never.  The analysis must be finished (an_finish()).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "analyze.h"
#include "analyze_impl.h"
#include "buf.h"
#include "cal.h"
#include "json.h"
#include "ndjson.h"
#include "sym.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

/* Nanoseconds as seconds, correctly rounded while a double holds them. */
static double
ns_to_s(uint64_t ns)
{
	if (ns < (UINT64_C(1) << 53))
		return (double)ns / 1e9;
	return (double)(ns / TM_NS_PER_SEC) +
	    (double)(ns % TM_NS_PER_SEC) / 1e9;
}

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

	ns = an_t_span(from, to, &neg);
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

static void
emit(void *arg, const char *p, size_t n)
{
	(void)arg;
	nd_emit(p, n);
}

/* A "day" event: the equity and the benchmark at a session's close. */
static void
j_day(struct an *a, struct buf *b, const struct an_day *d,
    void (*out)(void *, const char *, size_t), void *arg)
{
	int y, m, dd;

	j_head(b, "day", d->t);
	cal_ny_date(d->t, &y, &m, &dd);
	buf_addf(b, ",\"date\":\"%04d-%02d-%02d\"", y, m, dd);
	j_money(b, "equity", d->eq);
	j_ratio(b, "return", d->ret);
	j_ratio(b, "cum_return", an_money_dbl(d->eq) /
	    an_money_dbl(a->o.capital) - 1);
	if (an_bench_name(a)) {
		json_add_key(b, "bench");
		if (d->bench == AN_NONE)
			buf_adds(b, "null");
		else
			an_add_qty(b, d->bench);
		j_ratio(b, "bench_return", d->bench_ret);
		j_ratio(b, "bench_cum_return", d->bench == AN_NONE ? NAN :
		    (double)d->bench / (double)a->bench_first - 1);
	}
	buf_addc(b, '}');
	out(arg, b->p, b->len);
}

void
an_ndjson(struct an *a)
{
	an_ndjson_to(a, emit, NULL);
}

void
an_ndjson_to(struct an *a, void (*out)(void *arg, const char *p, size_t n),
    void *arg)
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
		j_str(&b, "sym", an_key_sym(a, k));
		j_str(&b, "strategy", an_key_strat(a, k));
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
		j_money(&b, "gain", an_trip_gain(tr));
		j_ratio(&b, "return", an_money_dbl(an_trip_gain(tr)) /
		    an_money_dbl(tr->in_val));
		j_money(&b, "fees", tr->fees);
		json_add_key(&b, "stop_loss");
		if (tr->stop == AN_NONE)
			buf_adds(&b, "null");
		else
			an_add_price(&b, tr->stop);
		j_ratio(&b, "r", an_trip_r(tr));
		j_hold(&b, tr->t_in, tr->t_out);
		buf_adds(&b, ",\"open\":false}");
		out(arg, b.p, b.len);
	}
	for (i = 0; i < a->nkeys && !liu_stop; i++) {
		k = &a->keys[i];
		if (k->qty == 0)
			continue;
		an_open_sum(a, k, &o);
		j_head(&b, "analysis", s->t_last);
		j_str(&b, "sym", an_key_sym(a, k));
		j_str(&b, "strategy", an_key_strat(a, k));
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
		j_num(&b, "return", an_money_dbl(o.gain) /
		    an_money_dbl(o.in_val));
		j_money(&b, "fees", o.fee);
		buf_adds(&b, ",\"open\":true}");
		out(arg, b.p, b.len);
	}
	for (i = 0; a->o.days && i < a->ndays && !liu_stop; i++)
		j_day(a, &b, &a->days[i], out, arg);
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
	an_add_period(&b, s->period);
	buf_addc(&b, '"');
	j_num(&b, "periods_per_year", s->per_year);
	j_u64(&b, "returns", s->nreturns);
	j_num(&b, "mean_return", s->mean_return);
	j_num(&b, "volatility", s->volatility);
	j_num(&b, "sharpe", s->sharpe);
	j_num(&b, "sortino", s->sortino);
	j_num(&b, "risk_free", a->o.rf);
	j_u64(&b, "days", a->ndays);
	if (an_bench_name(a)) {
		j_str(&b, "benchmark", an_bench_name(a));
		j_num(&b, "benchmark_return", s->bench_return);
		j_num(&b, "beta", s->beta);
		j_num(&b, "alpha", s->alpha);
	}
	j_str(&b, "rounding", "money exact; printed half-even to the cent");
	j_groups(&b, "by_symbol", &a->syms, a->by_sym, a->nsym);
	j_groups(&b, "by_strategy", &a->strats, a->by_strat, a->strats.n);
	j_groups(&b, "by_batch", &a->batches, a->by_batch, a->batches.n);
	buf_addc(&b, '}');
	out(arg, b.p, b.len);
	buf_release(&b);
}
