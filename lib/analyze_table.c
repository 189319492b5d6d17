/*
 * analyze_table.c: liu-analyze's report for people: aligned text tables
 * (an_table) and a self-contained HTML page (an_html).
 *
 * Promises: the same tables in both forms: the summary, the round trips,
 * the open positions, and the gains by symbol, strategy and batch; money
 * rounded half-even to the cent, ratios as percentages or to four
 * decimals, "-" where a figure is undefined.  HTML text is escaped, and
 * the page carries no script; an SVG chart is copied in as it comes.
 * Columns are aligned by display width (UTF-8 continuation bytes take no
 * column).  Times are RFC 3339 in the zone of opts.tz, with its offset,
 * New York's computed by lib/cal (never the C library's time zones); the
 * summary names the zone.  The clock (an_clock_*) is here, and the charts
 * use it too.
 *
 * Owns only the cells of its tables while it writes them; the output is
 * appended to the caller's struct buf.  Dies when out of memory.
 *
 * Fails: never.  The analysis must be finished (an_finish()).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "analyze_impl.h"
#include "buf.h"
#include "cal.h"
#include "sym.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define AN_HTML_MAX_ROWS 2000

int
an_tz_parse(const char *name, enum an_tz *tz)
{
	if (strcmp(name, "ny") == 0)
		*tz = AN_TZ_NY;
	else if (strcmp(name, "utc") == 0)
		*tz = AN_TZ_UTC;
	else
		return -1;
	return 0;
}

const char *
an_tz_name(enum an_tz tz)
{
	return tz == AN_TZ_NY ? "New York (EST/EDT)" : "UTC";
}

int64_t
an_clock_offset(struct an_clock *c, int64_t t)
{
	if (c->tz == AN_TZ_UTC)
		return 0;
	if (t < c->lo || t >= c->hi)
		c->off = cal_ny_offset_span(t, &c->lo, &c->hi);
	return c->off;
}

void
an_clock_add(struct an_clock *c, struct buf *b, int64_t t)
{
	char tb[TM_RFC3339_MAX];
	int64_t off, min;
	size_t n;

	if (t == AN_NONE) {
		buf_addc(b, '-');
		return;
	}
	off = an_clock_offset(c, t);
	if (off == 0 || t < INT64_MIN - off) {
		buf_add(b, tb, tm_format(t, tb));
		return;
	}
	/* the local wall clock, its "Z" replaced by the offset */
	n = tm_format(t + off, tb) - 1;
	buf_add(b, tb, n);
	min = (off < 0 ? -off : off) / TM_NS_PER_MIN;
	buf_addf(b, "%c%02d:%02d", off < 0 ? '-' : '+', (int)(min / 60),
	    (int)(min % 60));
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

	sec = an_t_span(from, to, &neg) / TM_NS_PER_SEC;
	if (neg)
		buf_addc(b, '-');
	if (sec >= 86400)
		buf_addf(b, "%llud", sec / 86400);
	buf_addf(b, "%02llu:%02llu:%02llu", sec % 86400 / 3600,
	    sec % 3600 / 60, sec % 60);
}

/* "1m", "1d", "30s" or "N ns" for a period */
void
an_add_period(struct buf *b, int64_t p)
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
	AN_GROW(t->cell, t->n, t->cap);
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
tab_summary(struct an *a, struct an_clock *ck, struct tab *t)
{
	struct an_summary *s = &a->s;
	struct buf b = BUF_INIT;

	tab_init(t, "summary", "lr");
	tab_cells(t, &b, "figure");
	tab_cells(t, &b, "value");
	an_clock_add(ck, &b, s->t_first);
	buf_adds(&b, " .. ");
	an_clock_add(ck, &b, s->t_last);
	kv(t, &b, "time");
	buf_adds(&b, an_tz_name(a->o.tz));
	kv(t, &b, "time zone");
	an_add_money(&b, s->capital, 2);
	kv(t, &b, "capital");
	an_add_money(&b, s->final_eq, 2);
	kv(t, &b, "final equity");
	add_pct(&b, s->total_return);
	kv(t, &b, "total return");
	if (an_bench_name(a)) {
		add_pct(&b, s->bench_return);
		buf_addf(&b, " (%s)", an_bench_name(a));
		kv(t, &b, "benchmark return");
		add_pct(&b, s->total_return - s->bench_return);
		kv(t, &b, "excess return");
		add_ratio(&b, s->beta);
		kv(t, &b, "beta (daily returns)");
		add_pct(&b, s->alpha);
		kv(t, &b, "alpha (annual)");
	}
	buf_addf(&b, "%zu", a->ndays);
	kv(t, &b, "session days");
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
	an_clock_add(ck, &b, s->dd_start);
	buf_adds(&b, " .. ");
	an_clock_add(ck, &b, s->dd_end);
	kv(t, &b, "drawdown peak .. trough");
	an_add_period(&b, s->period);
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
tab_trips(struct an *a, struct an_clock *ck, struct tab *t, size_t max)
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
		tab_cells(t, &b, an_key_sym(a, k));
		tab_cells(t, &b, name_or_dash(an_key_strat(a, k)));
		tab_cells(t, &b, tr->side > 0 ? "long" : "short");
		an_add_qty(&b, tr->qty);
		tab_cell(t, &b);
		an_add_price(&b, (int64_t)an_div(tr->in_val, tr->qty));
		tab_cell(t, &b);
		an_add_price(&b, (int64_t)an_div(tr->out_val, tr->qty));
		tab_cell(t, &b);
		an_add_money(&b, an_trip_gain(tr), 2);
		tab_cell(t, &b);
		add_pct(&b, an_money_dbl(an_trip_gain(tr)) /
		    an_money_dbl(tr->in_val));
		tab_cell(t, &b);
		an_add_money(&b, tr->fees, 2);
		tab_cell(t, &b);
		add_ratio(&b, an_trip_r(tr));
		tab_cell(t, &b);
		add_dur(&b, tr->t_in, tr->t_out);
		tab_cell(t, &b);
		an_clock_add(ck, &b, tr->t_in);
		tab_cell(t, &b);
		an_clock_add(ck, &b, tr->t_out);
		tab_cell(t, &b);
	}
	buf_release(&b);
}

static void
tab_open(struct an *a, struct an_clock *ck, struct tab *t)
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
		an_open_sum(a, k, &o);
		tab_cells(t, &b, an_key_sym(a, k));
		tab_cells(t, &b, name_or_dash(an_key_strat(a, k)));
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
		an_clock_add(ck, &b, o.t);
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

/* The days of a run of more than one: equity and benchmark at closes. */
static void
tab_days(struct an *a, struct tab *t, size_t max)
{
	struct buf b = BUF_INIT;
	const char *hdr[] = { "date", "equity", "return", "cumulative",
	    "benchmark", "return", "cumulative" };
	const struct an_day *d;
	int y, m, dd, bench = an_bench_name(a) != NULL;
	size_t i, ncol = bench ? 7 : 4;

	tab_init(t, "days (at each session's close)", bench ? "lrrrrrr" :
	    "lrrr");
	for (i = 0; i < ncol; i++)
		tab_cells(t, &b, hdr[i]);
	for (i = 0; a->o.days && i < a->ndays; i++) {
		if (i >= max) {
			t->more = a->ndays - max;
			break;
		}
		d = &a->days[i];
		cal_ny_date(d->t, &y, &m, &dd);
		buf_addf(&b, "%04d-%02d-%02d", y, m, dd);
		tab_cell(t, &b);
		an_add_money(&b, d->eq, 2);
		tab_cell(t, &b);
		add_pct(&b, d->ret);
		tab_cell(t, &b);
		add_pct(&b, an_money_dbl(d->eq) / an_money_dbl(a->o.capital) -
		    1);
		tab_cell(t, &b);
		if (!bench)
			continue;
		if (d->bench == AN_NONE)
			buf_addc(&b, '-');
		else
			an_add_price(&b, d->bench);
		tab_cell(t, &b);
		add_pct(&b, d->bench_ret);
		tab_cell(t, &b);
		add_pct(&b, d->bench == AN_NONE ? NAN :
		    (double)d->bench / (double)a->bench_first - 1);
		tab_cell(t, &b);
	}
	buf_release(&b);
}

enum { T_SUMMARY, T_TRIPS, T_OPEN, T_SYM, T_STRAT, T_BATCH, T_DAYS, T_N };

static void
tabs_build(struct an *a, struct tab *t, size_t maxrows)
{
	struct an_clock ck = AN_CLOCK_INIT(a->o.tz);

	tab_summary(a, &ck, &t[T_SUMMARY]);
	tab_trips(a, &ck, &t[T_TRIPS], maxrows);
	tab_open(a, &ck, &t[T_OPEN]);
	tab_group(&t[T_SYM], "by symbol", "symbol", &a->syms, a->by_sym,
	    a->nsym);
	tab_group(&t[T_STRAT], "by strategy", "strategy", &a->strats,
	    a->by_strat, a->strats.n);
	tab_group(&t[T_BATCH], "by batch", "batch", &a->batches,
	    a->by_batch, a->batches.n);
	tab_days(a, &t[T_DAYS], maxrows);
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
	    "in millionths) and shown rounded half-even to the cent.  "
	    "Times are ");
	buf_adds(out, a->o.tz == AN_TZ_NY ? "New York time: EST (UTC-05:00) "
	    "or EDT (UTC-04:00), as on the date." : "UTC.");
	buf_adds(out, "</p>\n</body>\n</html>\n");
}
