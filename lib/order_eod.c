/*
 * order_eod.c: liu-order's end of day (order_eod.h): the liquidation of
 * the day's positions before each session's close (--liquidate-before)
 * and the cancel of entries left unfilled (--cancel-after).  The rules
 * (liu-order(1) says them to users):
 *
 *   - Time is what the book goes by (ob_clock()): the events' times in a
 *     backtest or simulation, liu_clock_ns() live, where a ticker thread
 *     (eod_ticker_start()) wakes the program when no event comes.
 *   - The close is the broker's (struct broker's next_close: Alpaca's
 *     clock), else lib/cal's New York calendar, early closes included.  It
 *     is asked once a session: when no close is known yet, and when the
 *     one watched has passed.
 *   - From 'before' ahead of the close until the close (the window), at
 *     the first time seen in it and at every one after: every open order
 *     of horizon day (or none), bracket legs included, is cancelled
 *     (tag "liquidation"), and every position of the day (not swing) is
 *     sold (bought to cover) at market for what open orders of its side
 *     do not already hold, in its strategy's name, the order tagged
 *     "liquidation".  What a pending cancel holds is sold once the
 *     cancel is done, and so is a position while an order of its symbol
 *     on the other side is being cancelled (a broker refuses an order
 *     that could trade against the account's own): at a later time in the
 *     window (live, the broker is asked how its orders stand first, and
 *     at most once a second meanwhile).  So the
 *     liquidation repeats nothing: an order already working for the
 *     shares is counted.  At most EOD_TRIES orders a position a session.
 *     New day orders are refused in the window.  One line on stderr per
 *     session said what was done (nothing: nothing said, unless verbose).
 *   - A window in which no time was seen (events that skip it) is missed:
 *     said on stderr if day positions were open, nothing sent.
 *   - Cancel after: an entry (buy, sell_short) of tif day or gtc, not a
 *     bracket leg nor a liquidation, still open 'after' since it was sent
 *     is cancelled, tag "cancel_after".  Orders are sent in time order,
 *     so one index walks them.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "cal.h"
#include "event.h"
#include "json.h"
#include "order.h"
#include "order_eod.h"
#include "proc.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define EPS 1e-9
#define EOD_TRIES 3		/* liquidation orders of a position a session */
#define SYNC_GAP TM_NS_PER_SEC	/* live: broker re-checks, at most */
#define TICK_MS 500

static const char TAG_LIQ[] = "liquidation";
static const char TAG_AFTER[] = "cancel_after";

struct eod {
	int64_t before, after;
	int verbose;
	int64_t close;		/* the close watched, or -1 */
	int done;		/* its liquidation began */
	int64_t last_sync;
	unsigned char *tries;	/* by position: orders placed this session */
	size_t ntries;
	size_t next;		/* cancel after: the first order to look at */
	struct buf line, id;
	uint64_t nsessions, ncanceled, nplaced, nafter, nmissed;
};

struct eod *
eod_new(const struct ob_opts *o)
{
	struct eod *d;

	if (o->liquidate_before <= 0 && o->cancel_after <= 0)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->before = o->liquidate_before;
	d->after = o->cancel_after;
	d->verbose = o->verbose;
	d->close = -1;
	d->last_sync = 0;
	return d;
}

void
eod_free(struct eod *d)
{
	if (d == NULL)
		return;
	if (d->verbose)
		warn("end of day: %llu liquidations, %llu orders canceled and "
		    "%llu placed by them, %llu missed, %llu entries canceled "
		    "after %.0f s", (unsigned long long)d->nsessions,
		    (unsigned long long)d->ncanceled,
		    (unsigned long long)d->nplaced,
		    (unsigned long long)d->nmissed,
		    (unsigned long long)d->nafter, (double)d->after / 1e9);
	free(d->tries);
	buf_release(&d->line);
	buf_release(&d->id);
	free(d);
}

/* "YYYY-MM-DD HH:MM" of instant t in New York, into out (32 bytes). */
static const char *
ny_time(int64_t t, char *out)
{
	int y, m, dd;
	int64_t mins = cal_ny_local_ns(t) / TM_NS_PER_MIN;

	cal_ny_date(t, &y, &m, &dd);
	snprintf(out, 32, "%04d-%02d-%02d %02d:%02d", y, m, dd,
	    (int)(mins / 60), (int)(mins % 60));
	return out;
}

/* The close of the session in progress at t or of the next, or -1. */
static int64_t
next_close(struct ob *ob, int64_t t)
{
	struct broker *b = ob_broker(ob);
	int64_t c = -1, open;

	if (b && b->next_close)
		c = b->next_close(b, ob, t);
	if (c > t)
		return c;
	if (cal_next_session(t, &open, &c) < 0)
		return -1;
	return c;
}

/* The number of day positions open. */
static size_t
day_positions(struct ob *ob)
{
	const char *strategy, *sym;
	size_t p, n = 0;
	int swing;

	for (p = 0; p < ob_npos(ob); p++)
		if (fabs(ob_pos_qty(ob, p, &swing, &strategy, &sym)) > EPS &&
		    !swing)
			n++;
	return n;
}

/* The batch of the latest order on position p, or NULL. */
static const char *
pos_batch(struct ob *ob, size_t p)
{
	size_t i;

	for (i = ob_norders(ob); i-- > 0;)
		if (ob_order(ob, i)->pos == p)
			return ob_order(ob, i)->batch;
	return NULL;
}

static int
is_buy(enum ev_side s)
{
	return s == SIDE_BUY || s == SIDE_BUY_TO_COVER;
}

/*
 * Whether an order of sym on the other side of 'side' is being cancelled:
 * a sale waits for it, as a broker refuses an order that could trade
 * against the account's own (a wash trade).
 */
static int
opposite_pending(struct ob *ob, const char *sym, enum ev_side side)
{
	const struct ob_order *o;
	const size_t *open;
	size_t n, k;

	open = ob_open_orders(ob, &n);
	for (k = 0; k < n; k++) {
		o = ob_order(ob, open[k]);
		if (o->state == OS_PENDING_CANCEL &&
		    is_buy(o->side) != is_buy(side) && strcmp(o->sym, sym) == 0)
			return 1;
	}
	return 0;
}

/* Place a market order for qty of position p; -1 if it was not taken. */
static long
place(struct ob *ob, struct eod *d, size_t p, enum ev_side side,
    double qty, int64_t t)
{
	const char *strategy, *sym, *batch = pos_batch(ob, p);
	struct buf *b = &d->line, *id = &d->id;
	char ts[TM_RFC3339_MAX], day[16];
	int swing, y, m, dd;

	ob_pos_qty(ob, p, &swing, &strategy, &sym);
	cal_ny_date(d->close, &y, &m, &dd);
	snprintf(day, sizeof(day), "%04d%02d%02d", y, m, dd);
	buf_reset(id);
	if (strategy) {
		buf_adds(id, strategy);
		buf_addc(id, '-');
	}
	buf_adds(id, sym);
	buf_adds(id, "-liquidation-");
	buf_adds(id, day);
	if (d->tries[p] > 0) {
		buf_addc(id, '-');
		buf_addi64(id, d->tries[p] + 1);
	}
	buf_reset(b);
	buf_adds(b, "{\"ev\":\"order\"");
	json_add_key(b, "t");
	json_add_str(b, ts, tm_format(t, ts));
	json_add_kstr(b, "sym", sym);
	json_add_key(b, "id");
	json_add_str(b, id->p, id->len);
	json_add_kstr(b, "side", ev_side_name(side));
	json_add_knum(b, "qty", qty);
	buf_adds(b, ",\"type\":\"market\",\"tif\":\"day\",\"horizon\":\"day\"");
	if (strategy)
		json_add_kstr(b, "strategy", strategy);
	if (batch)
		json_add_kstr(b, "batch", batch);
	buf_adds(b, ",\"why\":{\"reason\":\"liquidation\"},"
	    "\"tag\":\"liquidation\"}");
	d->tries[p]++;
	return ob_place(ob, b->p, b->len, TAG_LIQ);
}

/* One look at the window: cancel, flatten, and say so the first time. */
static void
liquidate(struct ob *ob, struct eod *d, int64_t t)
{
	const size_t *open;
	const struct ob_order *o;
	const char *strategy, *sym;
	struct broker *b = ob_broker(ob);
	size_t n, k, p, nday = 0, nswing = 0, ncanc = 0;
	enum ev_side side;
	double qty, free;
	int first = !d->done, swing, wait = 0;
	char when[32];

	d->done = 1;
	if (first && b && b->sync) {
		/* start from how the orders stand at the broker */
		d->last_sync = t;
		b->sync(b, ob);
	}
	if (d->ntries < ob_npos(ob)) {
		d->tries = xrealloc(d->tries, ob_npos(ob));
		memset(d->tries + d->ntries, 0, ob_npos(ob) - d->ntries);
		d->ntries = ob_npos(ob);
	}
	open = ob_open_orders(ob, &n);
	for (k = 0; k < n; k++) {
		o = ob_order(ob, open[k]);
		if (o->state == OS_PENDING_CANCEL || o->tag == TAG_LIQ)
			wait = 1;
		if (!o->day || o->tag == TAG_LIQ ||
		    o->state == OS_PENDING_CANCEL || o->state >= OS_FILLED)
			continue;
		ob_cancel(ob, open[k], TAG_LIQ, t);
		ncanc++;
		wait = 1;
	}
	for (p = 0; p < ob_npos(ob); p++) {
		qty = ob_pos_qty(ob, p, &swing, &strategy, &sym);
		if (fabs(qty) <= EPS)
			continue;
		if (swing) {
			nswing++;
			continue;
		}
		nday++;
		side = qty > 0 ? SIDE_SELL : SIDE_BUY_TO_COVER;
		free = fabs(qty) - ob_pos_pending(ob, p, side);
		if (free <= EPS || d->tries[p] >= EOD_TRIES ||
		    opposite_pending(ob, sym, side))
			continue;
		if (place(ob, d, p, side, free, t) >= 0)
			d->nplaced++;
	}
	d->ncanceled += ncanc;
	if (wait && b && b->sync && t - d->last_sync >= SYNC_GAP) {
		d->last_sync = t;
		b->sync(b, ob);
	}
	if (!first)
		return;
	d->nsessions++;
	if (ncanc || nday || d->verbose)
		warn("liquidation before the close of %s New York: %zu "
		    "order%s canceled, %zu day position%s flattened, %zu "
		    "swing position%s kept", ny_time(d->close, when), ncanc,
		    ncanc == 1 ? "" : "s", nday, nday == 1 ? "" : "s",
		    nswing, nswing == 1 ? "" : "s");
}

static void
liquidation(struct ob *ob, struct eod *d, int64_t t)
{
	char when[32];
	int64_t c;
	size_t n;

	if (d->close < 0 || t >= d->close) {
		if (d->close >= 0 && !d->done && (n = day_positions(ob)) > 0) {
			d->nmissed++;
			warn("no time seen in the %.0f minutes before the "
			    "close of %s New York: %zu day position%s not "
			    "liquidated",
			    (double)d->before / TM_NS_PER_MIN,
			    ny_time(d->close, when), n, n == 1 ? "" : "s");
		}
		d->done = 1;	/* until a new close is known */
		if ((c = next_close(ob, t)) < 0)
			return;
		if (c != d->close) {
			d->close = c;
			d->done = 0;
			if (d->ntries)
				memset(d->tries, 0, d->ntries);
		}
	}
	if (t >= d->close - d->before)	/* and t < d->close */
		liquidate(ob, d, t);
}

static void
cancel_after(struct ob *ob, struct eod *d, int64_t t)
{
	const struct ob_order *o;
	size_t n = ob_norders(ob);

	for (; d->next < n; d->next++) {
		o = ob_order(ob, d->next);
		if (o->parent >= 0 || o->tag || (o->side != SIDE_BUY &&
		    o->side != SIDE_SELL_SHORT) || (o->tif != TIF_DAY &&
		    o->tif != TIF_GTC) || o->state >= OS_FILLED)
			continue;
		if (t - o->sent < d->after)
			break;
		if (o->state != OS_PENDING_CANCEL) {
			ob_cancel(ob, d->next, TAG_AFTER, t);
			d->nafter++;
		}
	}
}

void
eod_run(struct ob *ob, struct eod *d, int64_t t)
{
	if (d->before > 0)
		liquidation(ob, d, t);
	if (d->after > 0)
		cancel_after(ob, d, t);
}

const char *
eod_refuse(struct ob *ob, struct eod *d, size_t i)
{
	const struct ob_order *o = ob_order(ob, i);

	if (d->before <= 0 || !o->day || o->tag || !d->done || d->close < 0 ||
	    ob_clock(ob) >= d->close)
		return NULL;
	return "liquidation before the close: no new day orders";
}

/* The ticker. */

static struct {
	pthread_t th;
	int fd[2];		/* [0] the program's, [1] the thread's */
	int on;
} tick = { .fd = { -1, -1 } };

static void *
ticker(void *arg)
{
	struct pollfd p;
	char line[96], ts[TM_RFC3339_MAX];
	int n;

	(void)arg;
	p.fd = tick.fd[1];
	p.events = POLLIN;
	for (;;) {
		p.revents = 0;
		n = poll(&p, 1, TICK_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != 0)
			break;	/* the program's end was shut */
		tm_format(liu_clock_ns(), ts);
		n = snprintf(line, sizeof(line), "{\"ev\":\"clock\","
		    "\"t\":\"%s\"}\n", ts);
		/* a tick the program has no room for is not missed */
		if (send(tick.fd[1], line, (size_t)n, MSG_DONTWAIT |
		    MSG_NOSIGNAL) < 0 && errno != EAGAIN &&
		    errno != EWOULDBLOCK && errno != EINTR)
			break;
	}
	return NULL;
}

int
eod_ticker_start(void)
{
	sigset_t all, old;
	int rc;

	if (tick.on)
		bug("eod_ticker_start: started twice");
	(void)liu_clock_ns();	/* read LIU_NOW before the thread */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, tick.fd) < 0)
		return -1;
	/* signals are the main thread's: it sets liu_stop */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&tick.th, NULL, ticker, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		close(tick.fd[0]);
		close(tick.fd[1]);
		errno = rc;
		return -1;
	}
	tick.on = 1;
	return tick.fd[0];
}

void
eod_ticker_stop(void)
{
	if (!tick.on)
		return;
	shutdown(tick.fd[0], SHUT_RDWR);
	pthread_join(tick.th, NULL);
	close(tick.fd[0]);
	close(tick.fd[1]);
	tick.fd[0] = tick.fd[1] = -1;
	tick.on = 0;
}
