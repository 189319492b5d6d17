/*
 * scan_from.c: liu-scan --from FILE, the scanners over saved bars, for
 * backtests: each day of the file is scanned as the market looked at one
 * time of that day, from that day's bars and the days before, never from
 * anything later.
 *
 * Daily bars (tf "1d"), the default: a day is scanned as of its open.
 *   price       the day's open
 *   change_pct  the gap: (open - prev_close) * 100 / prev_close
 *   volume      the PREVIOUS day's volume (today's is not known at the
 *               open), so --min-volume, like --min-last-dv, applies to
 *               the previous day
 *   prev_close, prev_volume: the symbol's bar before, whatever day it is
 * and the events are stamped with the open of the day (09:30 New York).
 *
 * Intraday bars with --at HH:MM (tf under a day, "1m" when absent): a
 * day is scanned as of that New York time, from the bars of its regular
 * session that ended by then (t + tf <= the time):
 *   price       the close of the last of them
 *   volume      their volume; open, high, low, vwap: theirs
 *   prev_close, prev_volume: the last close and the volume of the
 *               regular session of the symbol's day before
 * and the events are stamped with that time of the day.
 *
 * The file is read once, in order, holding one day: a symbol's state is
 * its day so far and its day before.  Days follow the contract's order
 * (schema/events.md): a bar of a day before the one being read is
 * refused as out of time order.  A daily bar's day is its New York date,
 * or its UTC date when t is a UTC midnight (a bar dated by a bare day).
 * A symbol's first day in the file has no day before: it is not scanned.
 * Events that are not bars, and bars of the other kind, are read and
 * left alone.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bars.h"
#include "cal.h"
#include "event.h"
#include "evread.h"
#include "ndjson.h"
#include "scan.h"
#include "scan_impl.h"
#include "sym.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define NO_DAY INT64_MIN

struct fsym {
	int64_t day;		/* of the figures below; NO_DAY: none */
	/* the day being read: daily, its bar; intraday, its session */
	double o, c, v;		/* daily: the bar's open, close, volume */
	int have;		/* daily: a bar; intraday: session bars */
	double day_c, day_v;	/* intraday: last close, volume */
	int at_n;		/* intraday, bars ended by --at: */
	double at_o, at_h, at_l, at_c, at_v, at_pv;
	int vw_known;		/* every one of them had a vwap */
	/* the symbol's day before */
	double prev_c, prev_v;
	int have_prev;
};

struct from {
	struct scan *s;
	int daily;
	struct symtab syms;
	struct fsym *st;
	size_t cap;
	uint32_t *touched;	/* the symbols of the day being read */
	size_t ntouched, tcap;
	int64_t day;		/* being read; NO_DAY before the first */
	int64_t stamp;		/* its events' time */
	int64_t open, close;	/* intraday: its regular session */
	int64_t at;		/* intraday: the instant of --at */
	struct scan_set set;
	uint64_t nbars, nignored;
};

/* The UTC instant of 'local' ns after midnight, New York time, on the
 * day 'days' after 1970-01-01. */
static int64_t
ny_instant(int64_t days, int64_t local)
{
	int64_t guess = days * TM_NS_PER_DAY + local;

	/* New York is 4 or 5 hours behind: ask at about the instant */
	return guess - cal_ny_offset(guess + 5 * 3600 * TM_NS_PER_SEC);
}

static void
begin_day(struct from *f, int64_t day)
{
	int y, m, d;

	f->day = day;
	tm_civil_from_days(day, &y, &m, &d);
	if (cal_session(y, m, d, &f->open, &f->close) < 0) {
		f->open = ny_instant(day, CAL_OPEN_NS);
		f->close = ny_instant(day, CAL_CLOSE_NS);
	}
	f->at = f->daily ? f->open : ny_instant(day, f->s->o->at);
	f->stamp = f->at;
	scan_forget_picks(f->s);
}

/* The day over: scan its symbols that have a day before. */
static void
end_day(struct from *f)
{
	struct scan_snap *sn;
	struct fsym *fs;
	size_t i;

	f->set.n = 0;
	for (i = 0; i < f->ntouched; i++) {
		fs = &f->st[f->touched[i]];
		if (!fs->have_prev || !fs->have || (!f->daily && !fs->at_n))
			continue;
		sn = scan_set_add(&f->set);
		memcpy(sn->sym, sym_name(&f->syms, f->touched[i]),
		    strlen(sym_name(&f->syms, f->touched[i])) + 1);
		sn->prev_close = fs->prev_c;
		sn->prev_volume = fs->prev_v;
		if (f->daily) {
			sn->price = sn->open = fs->o;
			sn->volume = fs->prev_v;
		} else {
			sn->price = fs->at_c;
			sn->volume = fs->at_v;
			sn->open = fs->at_o;
			sn->high = fs->at_h;
			sn->low = fs->at_l;
			if (fs->vw_known && fs->at_v > 0)
				sn->vwap = fs->at_pv / fs->at_v;
		}
		if (scan_snap_derive(sn) < 0)
			f->set.n--;
	}
	f->ntouched = 0;
	if (f->set.n)
		scan_eval(f->s, &f->set, f->stamp);
}

/* The symbol's day before becomes the day it had; a new day starts. */
static void
roll(struct fsym *fs, int daily, int64_t day)
{
	if (fs->day != NO_DAY && fs->have) {
		fs->prev_c = daily ? fs->c : fs->day_c;
		fs->prev_v = daily ? fs->v : fs->day_v;
		fs->have_prev = 1;
	}
	fs->day = day;
	fs->have = 0;
	fs->day_c = fs->day_v = 0;
	fs->at_n = 0;
	fs->at_v = fs->at_pv = 0;
	fs->vw_known = 1;
}

static struct fsym *
state(struct from *f, const char *sym, uint32_t *id)
{
	size_t old = f->cap;

	*id = sym_intern(&f->syms, sym, strlen(sym));
	if (*id >= f->cap) {
		f->cap = f->cap ? 2 * f->cap : 1024;
		f->st = xrealloc(f->st, f->cap * sizeof(*f->st));
		memset(f->st + old, 0, (f->cap - old) * sizeof(*f->st));
		for (; old < f->cap; old++)
			f->st[old].day = NO_DAY;
	}
	return &f->st[*id];
}

/* The day a bar belongs to, in days since 1970-01-01. */
static int64_t
bar_day(const struct ev *ev, int daily)
{
	int y, m, d;

	if (daily && ev->t % TM_NS_PER_DAY == 0)
		return ev->t / TM_NS_PER_DAY;
	cal_ny_date(ev->t, &y, &m, &d);
	return tm_days_from_civil(y, m, d);
}

/* One bar; -1 if input must stop.  r is NULL for o->from_bars, the
 * nbars-th bar of o->from_name. */
static int
on_bar(struct from *f, struct nd_reader *r, const struct ev *ev)
{
	int64_t tf = bar_tf_parse(ev->tf ? ev->tf : "1m"), day;
	struct fsym *fs;
	uint32_t id;

	if (tf <= 0 || (f->daily ? tf != TM_NS_PER_DAY : tf >=
	    TM_NS_PER_DAY)) {
		f->nignored++;
		return 0;
	}
	day = bar_day(ev, f->daily);
	if (f->day != NO_DAY && day < f->day)
		return r ? nd_bad(r, "bar out of time order: a day before the "
		    "one being read") : nd_bad_at(f->s->o->from_name,
		    f->nbars + 1, "bar out of time order: a day before the one "
		    "being read");
	if (day != f->day) {
		if (f->day != NO_DAY)
			end_day(f);
		begin_day(f, day);
	}
	f->nbars++;
	fs = state(f, ev->sym, &id);
	if (fs->day != day) {
		roll(fs, f->daily, day);
		if (f->ntouched == f->tcap) {
			f->tcap = f->tcap ? 2 * f->tcap : 1024;
			f->touched = xrealloc(f->touched, f->tcap *
			    sizeof(*f->touched));
		}
		f->touched[f->ntouched++] = id;
	}
	if (f->daily) {		/* a second bar of the day replaces it */
		fs->o = ev->o;
		fs->c = ev->c;
		fs->v = ev->v;
		fs->have = 1;
		return 0;
	}
	if (ev->t < f->open || ev->t >= f->close)
		return 0;	/* outside the regular session */
	fs->have = 1;
	fs->day_c = ev->c;
	fs->day_v += ev->v;
	if (ev->t + tf > f->at)
		return 0;
	if (fs->at_n++ == 0) {
		fs->at_o = ev->o;
		fs->at_h = ev->h;
		fs->at_l = ev->l;
	}
	fs->at_h = fmax(fs->at_h, ev->h);
	fs->at_l = fmin(fs->at_l, ev->l);
	fs->at_c = ev->c;
	fs->at_v += ev->v;
	if (isnan(ev->vw))
		fs->vw_known = 0;
	else
		fs->at_pv += ev->vw * ev->v;
	return 0;
}

int
scan_from_run(struct scan *s)
{
	struct nd_reader r = ND_READER_INIT;
	struct ev ev = EV_INIT;
	struct from f;
	int rc;

	memset(&f, 0, sizeof(f));
	f.s = s;
	f.daily = s->o->at < 0;
	f.day = NO_DAY;
	if (s->o->from_bars) {
		while (!liu_stop && (rc = s->o->from_bars(s->o->from_arg,
		    &ev)) == 1)
			if (on_bar(&f, NULL, &ev) < 0)
				break;
		rc = liu_stop ? 0 : rc;
	} else {
		if (nd_open(&r, s->o->from) < 0)
			die("cannot open '%s':", s->o->from);
		while ((rc = nd_next_event(&r, &ev)) == 1) {
			if (ev.type == EV_BAR && on_bar(&f, &r, &ev) < 0)
				break;
		}
	}
	if (rc >= 0 && !liu_stop && !nd_stopped && f.day != NO_DAY)
		end_day(&f);
	if (s->o->verbose)
		warn("%s: %llu bars read, %llu of another timeframe left "
		    "alone, %llu days scanned", s->o->from_bars ?
		    s->o->from_name : r.name,
		    (unsigned long long)f.nbars,
		    (unsigned long long)f.nignored,
		    (unsigned long long)s->nscans);
	ev_release(&ev);
	nd_close(&r);
	symtab_release(&f.syms);
	free(f.st);
	free(f.touched);
	scan_set_release(&f.set);
	rc = rc < 0 ? LIU_EXIT_SYS : 0;
	return rc ? rc : nd_summary();
}
