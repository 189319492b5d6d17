/*
 * synth.c: the synthetic market.  Each symbol's price is a geometric
 * Brownian motion stepped per event in market time; quotes straddle it by a
 * spread of a few cents; one-minute bars summarise each symbol's trades (or,
 * with bars alone, a minute of the motion) at every minute boundary.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cal.h"
#include "json.h"
#include "ndjson.h"
#include "rng.h"
#include "synth.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define HOUR_NS (3600 * TM_NS_PER_SEC)

int
synth_types(const char *s, unsigned *types)
{
	const char *p = s, *e;
	size_t n;

	*types = 0;
	while (*p) {
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n == 5 && strncmp(p, "trade", 5) == 0)
			*types |= SYN_TRADE;
		else if (n == 5 && strncmp(p, "quote", 5) == 0)
			*types |= SYN_QUOTE;
		else if (n == 3 && strncmp(p, "bar", 3) == 0)
			*types |= SYN_BAR;
		else
			return -1;
		p += n + (e != NULL);
	}
	return *types ? 0 : -1;
}

struct ssym {
	char name[8];
	size_t namelen;
	double px;		/* the motion's current price */
	double sigma;		/* volatility per sqrt(second) */
	/* the bar being built */
	double o, h, l, c, v, pv, n;
};

static double
cents(double x)
{
	return rint(x * 100) / 100;
}

/* U-shaped intraday volume: heavy at the open and the close. */
static double
volume_shape(double frac)
{
	double d = 2 * frac - 1;

	return 0.5 + 1.5 * d * d;
}

static void
head(struct buf *b, const char *ev, int64_t t, const struct ssym *s)
{
	char ts[TM_RFC3339_MAX];

	buf_add(b, "{\"ev\":\"", 7);
	buf_adds(b, ev);
	buf_add(b, "\",\"t\":\"", 7);
	buf_add(b, ts, tm_format(t, ts));
	buf_add(b, "\",\"sym\":\"", 9);
	buf_add(b, s->name, s->namelen);
	buf_addc(b, '"');
}

static void
emit_bar(struct buf *b, int64_t t, struct ssym *s)
{
	buf_reset(b);
	head(b, "bar", t, s);
	buf_add(b, ",\"tf\":\"1m\"", 10);
	json_add_key(b, "o");
	json_add_num(b, s->o);
	json_add_key(b, "h");
	json_add_num(b, s->h);
	json_add_key(b, "l");
	json_add_num(b, s->l);
	json_add_key(b, "c");
	json_add_num(b, s->c);
	json_add_key(b, "v");
	json_add_num(b, s->v);
	json_add_key(b, "vw");
	json_add_num(b, rint(s->pv / s->v * 10000) / 10000);
	json_add_key(b, "n");
	json_add_num(b, s->n);
	buf_add(b, ",\"synthetic\":true}", 18);
	nd_emit(b->p, b->len);
	s->n = s->v = 0;
}

static void
bar_add(struct ssym *s, double px, double size)
{
	if (s->n == 0)
		s->o = s->h = s->l = px, s->pv = 0;
	if (px > s->h)
		s->h = px;
	if (px < s->l)
		s->l = px;
	s->c = px;
	s->v += size;
	s->pv += px * size;
	s->n++;
}

static void
pace(const struct synth_opts *o, uint64_t k, int64_t wall0)
{
	int64_t due = wall0 + (int64_t)((double)k * 1e9 / o->rate), now;
	struct timespec ts;

	if (o->max)
		return;
	now = liu_mono_ns();
	if (due <= now)
		return;
	if (nd_out_flush() < 0)
		die("write error:");
	ts.tv_sec = (due - now) / TM_NS_PER_SEC;
	ts.tv_nsec = (due - now) % TM_NS_PER_SEC;
	nanosleep(&ts, NULL);
}

/* The bars of the minute that starts at 'minute', within the event cap. */
static uint64_t
flush_bars(const struct synth_opts *o, struct ssym *sy, struct buf *b,
    int64_t minute, uint64_t k, int64_t wall0)
{
	int i;

	for (i = 0; i < o->nsyms; i++) {
		if (sy[i].n == 0)
			continue;
		if (o->events && k >= o->events)
			break;
		emit_bar(b, minute, &sy[i]);
		pace(o, ++k, wall0);
	}
	return k;
}

/*
 * The instant at which New York's clocks show d ns more than at t: a
 * duration of days ends at the same New York time of day even across a
 * change of daylight saving time.  Saturates at INT64_MAX.
 */
static int64_t
ny_after(int64_t t, int64_t d)
{
	int64_t u;

	if (t > INT64_MAX - HOUR_NS - d)
		return INT64_MAX;
	u = t + d;
	return u + cal_ny_offset(t) - cal_ny_offset(u);
}

/* The start of the minute of t (floored, also before 1970). */
static int64_t
minute_of(int64_t t)
{
	int64_t r = t % TM_NS_PER_MIN;

	return t - (r < 0 ? r + TM_NS_PER_MIN : r);
}

/*
 * Market time is the regular sessions of the New York calendar (cal.h):
 * it starts at o->start, or at the next open if that is outside a
 * session, and ends when New York's clocks have run o->duration from
 * there.  Within a session time steps by dt; at its close the bars of its
 * last minute are written and time jumps to the next open.
 */
uint64_t
synth_run(const struct synth_opts *o)
{
	struct rng r;
	struct ssym *sy;
	struct buf b = BUF_INIT;
	uint64_t k = 0;
	int64_t t, end, open, close, minute, dt, wall0;
	double step, frac, size;
	int i, j, ticks = (o->types & (SYN_TRADE | SYN_QUOTE)) != 0;

	rng_seed(&r, o->seed);
	sy = xcalloc((size_t)o->nsyms, sizeof(*sy));
	for (i = 0; i < o->nsyms; i++) {
		char tmp[8];
		int x = i, nl = 0;

		/* S + at least three letters: SAAA, SAAB, ..., SZZZ, SBAAA */
		do {
			tmp[nl++] = (char)('A' + x % 26);
			x /= 26;
		} while (x || nl < 3);
		sy[i].name[0] = 'S';
		for (j = 0; j < nl; j++)
			sy[i].name[1 + j] = tmp[nl - 1 - j];
		sy[i].namelen = (size_t)nl + 1;
		sy[i].px = 10 + rng_unif(&r) * 490;
		/* 20% to 60% a year, as volatility per sqrt(second) */
		sy[i].sigma = (0.2 + 0.4 * rng_unif(&r)) / sqrt(252 * 23400.0);
	}
	wall0 = liu_mono_ns();
	dt = ticks ? (int64_t)(1e9 / o->rate) : TM_NS_PER_MIN;
	if (dt < 1)
		dt = 1;
	/* no session at all only outside the calendar's years */
	if (cal_next_session(o->start, &open, &close) < 0)
		open = close = end = t = minute = o->start;
	else {
		t = o->start > open ? o->start : open;
		end = ny_after(t, o->duration);
		minute = minute_of(t);
		/* bars alone start on a minute */
		if (!ticks && t != minute)
			t = minute + TM_NS_PER_MIN;
	}
	while (!liu_stop && !(o->events && k >= o->events)) {
		if (t >= close || t >= end) {
			/* the close (or the end): the last minute's bars */
			if (ticks && (o->types & SYN_BAR))
				k = flush_bars(o, sy, &b, minute, k, wall0);
			if (t >= end ||
			    cal_next_session(close, &open, &close) < 0 ||
			    open >= end)
				break;
			t = minute = open;
			continue;
		}
		if (!ticks) {
			/* bars alone: a minute of motion for each symbol */
			for (i = 0; i < o->nsyms; i++) {
				struct ssym *s = &sy[i];

				s->n = 0;
				for (j = 0; j < 4; j++) {
					s->px *= exp(s->sigma * sqrt(15.0) *
					    rng_norm(&r));
					bar_add(s, cents(s->px), 100 *
					    (1 + (int)(rng_unif(&r) * 20)));
				}
				emit_bar(&b, t, s);
				pace(o, ++k, wall0);
				if (o->events && k >= o->events)
					break;
			}
			t += dt;
			continue;
		}
		while (t >= minute + TM_NS_PER_MIN) {
			if (o->types & SYN_BAR)
				k = flush_bars(o, sy, &b, minute, k, wall0);
			minute += TM_NS_PER_MIN;
		}
		if (o->events && k >= o->events)
			break;
		i = (int)(rng_next(&r) % (uint64_t)o->nsyms);
		step = (double)dt * (double)o->nsyms / 1e9;
		sy[i].px *= exp(sy[i].sigma * sqrt(step) * rng_norm(&r));
		if (sy[i].px < 0.5)
			sy[i].px = 0.5;
		buf_reset(&b);
		if ((o->types & SYN_TRADE) &&
		    (!(o->types & SYN_QUOTE) || rng_unif(&r) < 0.6)) {
			/* the U of the volume spans the whole session */
			frac = (double)(t - open) / (double)(close - open);
			size = (double)(1 + (int)(rng_unif(&r) * 5 *
			    volume_shape(frac))) * 100;
			head(&b, "trade", t, &sy[i]);
			json_add_key(&b, "price");
			json_add_num(&b, cents(sy[i].px));
			json_add_key(&b, "size");
			json_add_num(&b, size);
			buf_add(&b, ",\"x\":\"V\",\"synthetic\":true}", 26);
			bar_add(&sy[i], cents(sy[i].px), size);
		} else {
			double half = 0.01 * (1 + (int)(rng_unif(&r) * 3));

			head(&b, "quote", t, &sy[i]);
			json_add_key(&b, "bid");
			json_add_num(&b, cents(sy[i].px - half));
			json_add_key(&b, "bid_size");
			json_add_num(&b, 100 * (1 + (int)(rng_unif(&r) * 9)));
			json_add_key(&b, "ask");
			json_add_num(&b, cents(sy[i].px + half));
			json_add_key(&b, "ask_size");
			json_add_num(&b, 100 * (1 + (int)(rng_unif(&r) * 9)));
			buf_add(&b, ",\"synthetic\":true}", 18);
		}
		nd_emit(b.p, b.len);
		pace(o, ++k, wall0);
		t += dt;
	}
	free(sy);
	buf_release(&b);
	return k;
}
