/*
 * order_alpaca.c: Alpaca's trading API behind liu-order's book (order.h).
 *
 * Orders go out as POST /v2/orders, with the book's client id (at most 48
 * characters) as client_order_id; cancels as DELETE /v2/orders/{id}.  The
 * rules (liu-order(1) says them to users):
 *
 *   - Sides: buy and buy_to_cover are "buy", sell and sell_short "sell";
 *     prices and quantities go as strings, written exactly (the shortest
 *     decimal that reads back as the same double).  A bracket is
 *     order_class "bracket" with take_profit.limit_price (the target) and
 *     stop_loss.stop_price (the stop_loss).
 *   - Exactly once: a POST is never sent twice blindly.  After a timeout,
 *     a dropped connection or a 5xx, the order is looked up by its client
 *     id (GET /v2/orders:by_client_order_id); found, it is taken as the
 *     answer; not found (404), it is sent again, at most ALP_TRIES times in
 *     all; when even the look-up fails, the order stays "unknown" (state
 *     new, no broker id) and is looked up again at the next re-check, never
 *     sent again.  A 429 waits for the reset time the answer gives and is
 *     sent again (it was refused unseen: rest_send()).
 *   - A 4xx answer is a rejection: an order_update "rejected" whose why is
 *     the broker's code and message; but a 422 "client_order_id must be
 *     unique" is looked up (libcurl may have sent the POST twice).
 *   - The order objects the broker sends (an answer, a look-up, a
 *     re-check, a trade_updates event) are applied the same way: a
 *     filled_qty above what the book knows is a fill: the stream's
 *     execution (execution_id, price) when it is all that is new, else
 *     one fill, exec_id "<order_id>-<filled_qty>", at the price the
 *     filled_avg_price leaves for it; a final status closes the order.
 *   - A re-check (alp_recheck(): at the end of input, and at every
 *     "listening" of the stream, so after a reconnect) gets every open
 *     order with GET /v2/orders/{id}.
 *   - The journal (order_journal.c): a "sent" record on disk before each
 *     POST, a "state" record after each change is written out; read back
 *     quietly at the start (alp_start()), then the open orders re-checked.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "event.h"
#include "json.h"
#include "numfmt.h"
#include "order.h"
#include "order_alp.h"
#include "rest.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define ALP_TRIES 3		/* POSTs of one order, at most */
#define ALP_LOOKUPS 3		/* look-ups after one unknown answer */
#define ALP_RATE 200		/* requests a minute, unless the broker says */
#define ALP_RING 4096		/* the request times kept, for that */

#define EPS 1e-9

/* What the broker keeps of each order of the book, by index. */
struct aord {
	double notional;	/* of the fills written: sum of qty x price */
	int jstate;		/* as last journaled, -1: never */
	double jfilled;
	int joid;
};

struct alp {
	struct broker b;	/* first: the book holds a struct broker * */
	struct alp_opts o;
	struct rest r;
	struct buf req, body, s1, s2, s3, rec;
	struct json j, jj;
	int verbose;
	uint64_t nposts, nlookups, nstream, nforeign, nrecheck;
	struct aord *ord;
	size_t nord;
	struct jr jr;
	int have_jr;
	struct aws *ws;
	int restarting;		/* alp_start()'s re-check of the journal */
	double code;		/* refusal()'s, NAN when the body had none */
	int64_t max_wait;
	uint64_t npaced;	/* waits for the rate limit's reset */
	int64_t sent[ALP_RING];	/* when the last requests went, a ring */
	uint64_t nsent;
	int64_t *cpu;		/* each submit's CPU time, ns */
	size_t ncpu, ccpu;
};

/* A stream execution: the fill of a fill or partial_fill event. */
struct exec {
	const char *id;		/* execution_id */
	double price, qty;
	int64_t t;
};

/* The live endpoint's host: an URL naming it is live. */
int
alp_url_live(const char *url)
{
	const char *h = strstr(url, "://");

	h = h ? h + 3 : url;
	return strncmp(h, "api.alpaca.markets", 18) == 0 &&
	    (h[18] == '\0' || h[18] == '/' || h[18] == ':');
}

static void
add_numstr(struct buf *b, const char *key, double v)
{
	char tmp[NUMFMT_MAX + 1];
	size_t n = numfmt_shortest(tmp, v);

	json_add_key(b, key);
	json_add_str(b, tmp, n);
}

static int
is_buy(enum ev_side s)
{
	return s == SIDE_BUY || s == SIDE_BUY_TO_COVER;
}

static const char *const type_names[] = { "market", "limit", "stop",
	"stop_limit", "trailing_stop" };
static const char *const tif_names[] = { "day", "gtc", "ioc", "fok" };

/* The body of POST /v2/orders for order o. */
static void
order_body(struct buf *b, const struct ob_order *o)
{
	buf_reset(b);
	buf_adds(b, "{\"symbol\":");
	json_add_str(b, o->sym, strlen(o->sym));
	add_numstr(b, "qty", o->qty);
	json_add_key(b, "side");
	buf_adds(b, is_buy(o->side) ? "\"buy\"" : "\"sell\"");
	json_add_key(b, "type");
	json_add_str(b, type_names[o->type], strlen(type_names[o->type]));
	json_add_key(b, "time_in_force");
	json_add_str(b, tif_names[o->tif], strlen(tif_names[o->tif]));
	if ((o->type == OT_LIMIT || o->type == OT_STOP_LIMIT) &&
	    !isnan(o->limit))
		add_numstr(b, "limit_price", o->limit);
	if ((o->type == OT_STOP || o->type == OT_STOP_LIMIT) &&
	    !isnan(o->stop))
		add_numstr(b, "stop_price", o->stop);
	if (o->type == OT_TRAIL) {
		if (!isnan(o->trail_price))
			add_numstr(b, "trail_price", o->trail_price);
		else if (!isnan(o->trail_pct))
			add_numstr(b, "trail_percent", o->trail_pct);
	}
	if (o->ext_hours) {
		json_add_key(b, "extended_hours");
		buf_adds(b, "true");
	}
	json_add_key(b, "client_order_id");
	json_add_str(b, o->cid, strlen(o->cid));
	if (o->bracket) {
		json_add_key(b, "order_class");
		buf_adds(b, "\"bracket\"");
		if (!isnan(o->target)) {
			char tmp[NUMFMT_MAX + 1];
			size_t n = numfmt_shortest(tmp, o->target);

			json_add_key(b, "take_profit");
			buf_adds(b, "{\"limit_price\":");
			json_add_str(b, tmp, n);
			buf_addc(b, '}');
		}
		if (!isnan(o->stop_loss)) {
			char tmp[NUMFMT_MAX + 1];
			size_t n = numfmt_shortest(tmp, o->stop_loss);

			json_add_key(b, "stop_loss");
			buf_adds(b, "{\"stop_price\":");
			json_add_str(b, tmp, n);
			buf_addc(b, '}');
		}
	}
	buf_addc(b, '}');
}

/* A string member into b (reset first): its text, or NULL. */
static const char *
str_member(const struct json *j, int obj, const char *key, struct buf *b)
{
	int i = json_member(j, obj, key);

	buf_reset(b);
	if (i < 0 || json_str(j, i, b) < 0)
		return NULL;
	return buf_cstr(b);
}

/* A number sent as a string (or a number), or NAN. */
static double
num_member(const struct json *j, int obj, const char *key, struct buf *tmp)
{
	int i = json_member(j, obj, key);
	double v;

	if (i < 0)
		return NAN;
	if (j->tok[i].kind == JSON_NUM)
		return json_num(j, i, &v) == 0 ? v : NAN;
	buf_reset(tmp);
	if (json_str(j, i, tmp) < 0 || tmp->len == 0)
		return NAN;
	return json_scan_num(tmp->p, tmp->p + tmp->len, &v) ==
	    tmp->p + tmp->len ? v : NAN;
}

/* A time member, or the book's now. */
static int64_t
time_member(struct alp *a, const struct json *j, struct ob *ob, int obj,
    const char *key)
{
	int64_t t;

	if (!str_member(j, obj, key, &a->s2) ||
	    tm_parse(a->s2.p, a->s2.len, &t) < 0)
		return ob_now(ob);
	return t;
}

/* The broker's record of order i, grown to the book's orders. */
static struct aord *
aord(struct alp *a, struct ob *ob, size_t i)
{
	size_t n = ob_norders(ob);

	if (i >= n)
		bug("aord: no order %zu", i);
	if (a->nord < n) {
		a->ord = xrealloc(a->ord, n * sizeof(*a->ord));
		for (; a->nord < n; a->nord++) {
			a->ord[a->nord].notional = 0;
			a->ord[a->nord].jstate = -1;
			a->ord[a->nord].jfilled = 0;
			a->ord[a->nord].joid = 0;
		}
	}
	return &a->ord[i];
}

/*
 * The price of the shares from 'filled' to 'cum' of order i, out of the
 * average price of all 'cum': what is left once the fills written are
 * taken out, to 1e-8; the average itself if that is not positive.
 */
static double
rest_price(struct alp *a, struct ob *ob, size_t i, double cum, double avg,
    double filled)
{
	double px = (avg * cum - aord(a, ob, i)->notional) / (cum - filled);

	if (!isfinite(px) || !(px > 0))
		return avg;
	return round(px * 1e8) / 1e8;
}

/* Write a fill of order i up to 'cum' at 'px'; keep its notional. */
static void
fill_to(struct alp *a, struct ob *ob, size_t i, double cum, double px,
    int64_t t, const char *xid, int synthetic)
{
	double before = ob_order(ob, i)->filled;

	if (ob_fill(ob, i, cum, px, 0, t, xid, synthetic))
		aord(a, ob, i)->notional += (ob_order(ob, i)->filled -
		    before) * px;
}

/*
 * Apply the order object at token 'obj' of j to order i: its broker id,
 * its cumulative fill, its status.  x: the execution a stream event
 * brought, or NULL; it is written as itself when it is all that is new,
 * else the new shares are one fill at the price they must have had.
 */
static void
apply_order(struct alp *a, struct ob *ob, size_t i, const struct json *j,
    int obj, const struct exec *x)
{
	struct ob_order *o = ob_order(ob, i);
	double cum, avg, px;
	const char *st;
	char xid[160];
	int64_t t;

	if (!o->oid && str_member(j, obj, "id", &a->s1))
		ob_set_oid(ob, i, a->s1.p);
	o = ob_order(ob, i);
	cum = num_member(j, obj, "filled_qty", &a->s1);
	avg = num_member(j, obj, "filled_avg_price", &a->s1);
	st = str_member(j, obj, "status", &a->s1);
	t = time_member(a, j, ob, obj, "updated_at");
	if (o->state == OS_NEW && st && (strcmp(st, "rejected") != 0))
		ob_status(ob, i, OS_OPEN, NULL, t);
	o = ob_order(ob, i);
	if (!isnan(cum) && cum > o->filled + EPS) {
		if (x && x->id && !isnan(x->price) &&
		    fabs(cum - o->filled - x->qty) < EPS)
			fill_to(a, ob, i, cum, x->price, x->t, x->id, 0);
		else if (!isnan(avg)) {
			char q[NUMFMT_MAX + 1];

			q[numfmt_shortest(q, cum)] = '\0';
			snprintf(xid, sizeof(xid), "%s-%s", o->oid ? o->oid :
			    o->cid, q);
			px = rest_price(a, ob, i, cum, avg, o->filled);
			fill_to(a, ob, i, cum, px, x ? x->t :
			    time_member(a, j, ob, obj, "filled_at"), xid, 1);
		}
	}
	st = str_member(j, obj, "status", &a->s1);
	if (!st)
		return;
	if (strcmp(st, "canceled") == 0)
		ob_status(ob, i, OS_CANCELED, NULL, t);
	else if (strcmp(st, "expired") == 0 ||
	    strcmp(st, "done_for_day") == 0)
		ob_status(ob, i, OS_EXPIRED, st, t);
	else if (strcmp(st, "rejected") == 0)
		ob_status(ob, i, OS_REJECTED, "rejected by the broker", t);
	else if (strcmp(st, "pending_cancel") == 0 &&
	    ob_order(ob, i)->state == OS_OPEN)
		ob_status(ob, i, OS_PENDING_CANCEL, NULL, t);
	else if (strcmp(st, "replaced") == 0)
		ob_note(ob, i, "replaced", NULL, t);
}

/* The journal. */

static const char *const jstates[] = { "new", "open", "pending_cancel",
	"filled", "canceled", "expired", "rejected" };

/* Order i as an order event, the fields that make its signature. */
static void
order_event(struct buf *b, const struct ob_order *o)
{
	char ts[TM_RFC3339_MAX];

	buf_adds(b, "{\"ev\":\"order\",\"t\":");
	json_add_str(b, ts, tm_format(o->t, ts));
	json_add_kstr(b, "sym", o->sym);
	json_add_kstr(b, "id", o->id);
	json_add_kstr(b, "side", ev_side_name(o->side));
	json_add_knum(b, "qty", o->qty);
	json_add_kstr(b, "type", type_names[o->type]);
	if (!isnan(o->limit))
		json_add_knum(b, "limit", o->limit);
	if (!isnan(o->stop))
		json_add_knum(b, "stop", o->stop);
	if (!isnan(o->trail_price))
		json_add_knum(b, "trail_price", o->trail_price);
	if (!isnan(o->trail_pct))
		json_add_knum(b, "trail_percent", o->trail_pct);
	json_add_kstr(b, "tif", tif_names[o->tif]);
	if (o->ext_hours)
		buf_adds(b, ",\"extended_hours\":true");
	if (!o->day)
		buf_adds(b, ",\"horizon\":\"swing\"");
	if (o->strategy)
		json_add_kstr(b, "strategy", o->strategy);
	if (o->batch)
		json_add_kstr(b, "batch", o->batch);
	if (o->bracket)
		buf_adds(b, ",\"bracket\":true");
	if (!isnan(o->stop_loss))
		json_add_knum(b, "stop_loss", o->stop_loss);
	if (!isnan(o->target))
		json_add_knum(b, "target", o->target);
	buf_addc(b, '}');
}

/* The record of order i about to be sent: it is, from now on. */
static void
journal_sent(struct alp *a, struct ob *ob, size_t i)
{
	struct ob_order *o = ob_order(ob, i);
	char ts[TM_RFC3339_MAX];
	struct buf *b = &a->rec;

	if (!a->have_jr)
		return;
	buf_reset(b);
	buf_adds(b, "{\"j\":\"sent\",\"t\":");
	json_add_str(b, ts, tm_format(liu_now_ns(), ts));
	json_add_kstr(b, "cid", o->cid);
	json_add_key(b, "order");
	order_event(b, o);
	buf_addc(b, '}');
	jr_add(&a->jr, b->p, b->len);
	aord(a, ob, i)->jstate = OS_NEW;
}

/* The state of order i, if it changed since its last record. */
static void
journal_state(struct alp *a, struct ob *ob, size_t i)
{
	struct ob_order *o = ob_order(ob, i);
	struct aord *d = aord(a, ob, i);
	char ts[TM_RFC3339_MAX];
	struct buf *b = &a->rec;

	if (!a->have_jr || d->jstate < 0 || (d->jstate == (int)o->state &&
	    d->jfilled == o->filled && d->joid == (o->oid != NULL)))
		return;
	buf_reset(b);
	buf_adds(b, "{\"j\":\"state\",\"t\":");
	json_add_str(b, ts, tm_format(liu_now_ns(), ts));
	json_add_kstr(b, "cid", o->cid);
	if (o->oid)
		json_add_kstr(b, "order_id", o->oid);
	json_add_kstr(b, "state", jstates[o->state]);
	json_add_knum(b, "filled", o->filled);
	json_add_knum(b, "notional", d->notional);
	buf_addc(b, '}');
	jr_add(&a->jr, b->p, b->len);
	d->jstate = (int)o->state;
	d->jfilled = o->filled;
	d->joid = o->oid != NULL;
}

static void
journal_sync(struct alp *a)
{
	if (a->have_jr)
		jr_sync(&a->jr);
}

/* The broker's refusal in a->body as a why: "CODE: message". */
static const char *
refusal(struct alp *a, long status)
{
	const char *err;
	double code = NAN;
	int i;

	buf_reset(&a->s2);
	a->code = NAN;
	if (json_parse(&a->j, a->body.p, a->body.len, &err) == 0) {
		if ((i = json_get(&a->j, "code")) >= 0)
			json_num(&a->j, i, &code);
		a->code = code;
		buf_reset(&a->s1);
		if ((i = json_get(&a->j, "message")) >= 0)
			json_str(&a->j, i, &a->s1);
	} else
		buf_reset(&a->s1);
	{
		char tmp[64];

		snprintf(tmp, sizeof(tmp), "alpaca %ld", status);
		buf_adds(&a->s2, tmp);
		if (!isnan(code)) {
			snprintf(tmp, sizeof(tmp), " %.0f", code);
			buf_adds(&a->s2, tmp);
		}
	}
	if (a->s1.len) {
		buf_adds(&a->s2, ": ");
		buf_add(&a->s2, a->s1.p, a->s1.len);
	}
	return buf_cstr(&a->s2);
}

/* Order i refused with HTTP status st: why and the broker's code. */
static void
refused(struct alp *a, struct ob *ob, size_t i, long st)
{
	const char *why = refusal(a, st);

	if (isnan(a->code))
		ob_status(ob, i, OS_REJECTED, why, ob_now(ob));
	else
		ob_refused(ob, i, why, a->code, ob_now(ob));
}

/*
 * The rate limit: when the last answer said no request is left
 * (X-Ratelimit-Remaining 0), wait for its X-Ratelimit-Reset (at most
 * max_wait) before the next one, rather than be refused with a 429.  An
 * answer without X-Ratelimit-Remaining: at most X-Ratelimit-Limit (or
 * ALP_RATE) requests in any minute, by the times they were sent.
 */
static void
pace(struct alp *a)
{
	int64_t w = 0, end, now = liu_now_ns(), lim;
	struct timespec ts;

	if (a->r.remaining == 0 && a->r.reset > 0)
		w = a->r.reset * 1000000000 - now;
	else if (a->r.remaining < 0 && a->nsent > 0) {
		lim = a->r.limit > 0 ? a->r.limit : ALP_RATE;
		if (lim > ALP_RING)
			lim = ALP_RING;
		if (a->nsent >= (uint64_t)lim)
			w = a->sent[(a->nsent - (uint64_t)lim) % ALP_RING] +
			    60000000000LL - now;
	}
	if (w > a->max_wait)
		w = a->max_wait;
	if (w <= 0)
		return;
	a->npaced++;
	if (a->verbose)
		warn("alpaca: rate limit of %lld a minute reached: waiting "
		    "%.3f s", (long long)a->r.limit, (double)w / 1e9);
	end = liu_mono_ns() + w;
	while (!liu_stop && (w = end - liu_mono_ns()) > 0) {
		ts.tv_sec = (time_t)(w / 1000000000);
		ts.tv_nsec = (long)(w % 1000000000);
		nanosleep(&ts, NULL);
	}
}

static long
alp_send(struct alp *a, const char *method, const char *target,
    const char *json)
{
	pace(a);
	a->sent[a->nsent++ % ALP_RING] = liu_now_ns();
	return rest_send(&a->r, method, target, json, &a->body);
}

/* Parse a->body as one object into a->j; 0 or -1. */
static int
parse_body(struct alp *a)
{
	const char *err;

	return json_parse(&a->j, a->body.p, a->body.len, &err);
}

/*
 * Look order i up by its client id: 1 found (applied), 0 not there, -1
 * unknown (no answer, or another status).
 */
static int
lookup(struct alp *a, struct ob *ob, size_t i)
{
	long st;

	buf_reset(&a->req);
	buf_adds(&a->req, "/v2/orders:by_client_order_id?client_order_id=");
	rest_add_escaped(&a->req, ob_order(ob, i)->cid);
	a->nlookups++;
	st = alp_send(a, "GET", buf_cstr(&a->req), NULL);
	if (st == 200 && parse_body(a) == 0) {
		apply_order(a, ob, i, &a->j, 0, NULL);
		return 1;
	}
	if (st == 404)
		return 0;
	if (a->verbose)
		warn("looking up %s: %s", ob_order(ob, i)->cid,
		    st < 0 ? a->r.err : "unexpected answer");
	return -1;
}

/* Whether a->body refuses a client id the broker has already. */
static int
dup_cid(struct alp *a)
{
	static const char m[] = "client_order_id must be unique";
	size_t k, n = sizeof(m) - 1;

	for (k = 0; k + n <= a->body.len; k++)
		if (memcmp(a->body.p + k, m, n) == 0)
			return 1;
	return 0;
}

/* The process's CPU time, ns. */
static int64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

/* -v: the CPU time of a submit, its answer included: p50, p99, max. */
static void
report_cpu(struct alp *a)
{
	size_t n = a->ncpu;

	if (n == 0)
		return;
	qsort(a->cpu, n, sizeof(*a->cpu), cmp_i64);
	warn("alpaca: CPU per order: p50 %.1f us, p99 %.1f us, max %.1f us "
	    "(%zu orders)", a->cpu[n / 2] / 1e3,
	    a->cpu[(n * 99 + 99) / 100 - 1] / 1e3, a->cpu[n - 1] / 1e3, n);
}

static void
alp_submit(struct broker *b, struct ob *ob, size_t i)
{
	struct alp *a = (struct alp *)b;
	struct buf post = BUF_INIT;
	long st;
	int try, k, found;
	int64_t cpu0 = cpu_ns();

	order_body(&post, ob_order(ob, i));
	/* the order and what led to it are out, its record is on disk */
	journal_sent(a, ob, i);
	journal_sync(a);
	for (try = 0; try < ALP_TRIES; try++) {
		a->nposts++;
		st = alp_send(a, "POST", "/v2/orders", buf_cstr(&post));
		if (st == 200 || st == 201) {
			if (parse_body(a) == 0) {
				apply_order(a, ob, i, &a->j, 0, NULL);
				break;
			}
		} else if (st == 422 && dup_cid(a) && lookup(a, ob, i) == 1) {
			/* placed already: a POST libcurl sent again on a
			   fresh connection when the reused one died */
			break;
		} else if (st >= 400 && st < 500 && st != 429) {
			refused(a, ob, i, st);
			break;
		}
		if (a->verbose)
			warn("order %s: %s; looking it up",
			    ob_order(ob, i)->cid, st < 0 ? a->r.err :
			    st == 429 ? "rate limited" : "server error");
		/* no answer, a 5xx or an unreadable one: was it placed? */
		for (k = 0, found = -1; k < ALP_LOOKUPS && found < 0 &&
		    !liu_stop; k++)
			found = lookup(a, ob, i);
		if (found != 0)
			break;	/* placed, or unknown: never sent again */
	}
	if (try == ALP_TRIES)
		ob_status(ob, i, OS_REJECTED, "alpaca: no answer to "
		    "repeated submits", ob_now(ob));
	buf_release(&post);
	journal_state(a, ob, i);
	journal_sync(a);
	if (a->ncpu == a->ccpu) {
		a->ccpu = a->ccpu ? 2 * a->ccpu : 256;
		a->cpu = xrealloc(a->cpu, a->ccpu * sizeof(*a->cpu));
	}
	a->cpu[a->ncpu++] = cpu_ns() - cpu0;
}

/* Get order i from the broker and apply it; 0, or -1 if that failed. */
static int
refresh(struct alp *a, struct ob *ob, size_t i)
{
	struct ob_order *o = ob_order(ob, i);
	long st;

	if (!o->oid) {
		st = lookup(a, ob, i);
		if (st == 0 && a->restarting)
			/* sent, says the journal, yet not there: it never
			   reached the broker, and is not sent again */
			ob_status(ob, i, OS_REJECTED, "not at the broker: "
			    "liu-order stopped before it was placed",
			    ob_now(ob));
		journal_state(a, ob, i);
		return st == 1 ? 0 : -1;
	}
	buf_reset(&a->req);
	buf_adds(&a->req, "/v2/orders/");
	rest_add_escaped(&a->req, o->oid);
	st = alp_send(a, "GET", buf_cstr(&a->req), NULL);
	if (st != 200 || parse_body(a) < 0) {
		if (a->verbose)
			warn("re-checking %s: %s", o->cid, st < 0 ?
			    a->r.err : "unexpected answer");
		return -1;
	}
	apply_order(a, ob, i, &a->j, 0, NULL);
	journal_state(a, ob, i);
	return 0;
}

void
alp_recheck(struct broker *b, struct ob *ob)
{
	struct alp *a = (struct alp *)b;
	size_t i, n = ob_norders(ob);
	enum ob_state s;

	a->nrecheck++;
	for (i = 0; i < n && !liu_stop; i++) {
		s = ob_order(ob, i)->state;
		if (s == OS_NEW || s == OS_OPEN || s == OS_PENDING_CANCEL)
			refresh(a, ob, i);
	}
	journal_sync(a);
}

static void
alp_cancel(struct broker *b, struct ob *ob, size_t i, enum ob_end how,
    int64_t t)
{
	struct alp *a = (struct alp *)b;
	struct ob_order *o = ob_order(ob, i);
	long st;

	if (!o->oid && lookup(a, ob, i) != 1) {
		if (how != OB_END_REQUEST)
			ob_status(ob, i, OS_CANCELED, "not at the broker", t);
		journal_state(a, ob, i);
		journal_sync(a);
		return;
	}
	o = ob_order(ob, i);
	if (o->state != OS_OPEN && o->state != OS_PENDING_CANCEL &&
	    o->state != OS_NEW) {
		journal_state(a, ob, i);
		journal_sync(a);
		return;		/* the look-up closed it */
	}
	buf_reset(&a->req);
	buf_adds(&a->req, "/v2/orders/");
	rest_add_escaped(&a->req, o->oid);
	st = alp_send(a, "DELETE", buf_cstr(&a->req), NULL);
	if (st != 204 && st != 200 && a->verbose)
		warn("cancel of %s: %s", o->cid, st < 0 ? a->r.err :
		    refusal(a, st));
	if (how != OB_END_REQUEST) {
		/* the run ends: the order's last state now, fills too */
		refresh(a, ob, i);
		ob_status(ob, i, OS_CANCELED, how == OB_END_EOF ?
		    "end of input" : "liu-order stopped", ob_now(ob));
	}
	/* else the canceled comes from the broker */
	journal_state(a, ob, i);
	journal_sync(a);
}

/* The stream. */

/* What a trade_updates event that changes nothing in the book writes. */
static const char *const notes[] = { "stopped", "suspended", "calculated",
	"pending_replace", "order_cancel_rejected", "order_replace_rejected",
	NULL };

void
alp_stream(struct broker *b, struct ob *ob, const struct ev *e)
{
	struct alp *a = (struct alp *)b;
	const struct json *j = &e->j;
	struct exec x;
	const char *ev;
	int m, st, d, o, k;
	long i;

	if ((m = json_member(j, 0, "msg")) < 0 ||
	    (st = json_member(j, m, "stream")) < 0)
		return;
	if (json_eq(j, st, "listening")) {
		/* (back) on the stream: what happened while away */
		alp_recheck(b, ob);
		return;
	}
	if (!json_eq(j, st, "trade_updates") ||
	    (d = json_member(j, m, "data")) < 0 ||
	    (o = json_member(j, d, "order")) < 0)
		return;
	a->nstream++;
	if (!str_member(j, o, "client_order_id", &a->s3) ||
	    (i = ob_find_cid(ob, a->s3.p)) < 0) {
		a->nforeign++;	/* not ours: placed by hand, or a leg */
		return;
	}
	ev = str_member(j, d, "event", &a->s3);
	x.id = NULL;
	if (ev && (strcmp(ev, "fill") == 0 ||
	    strcmp(ev, "partial_fill") == 0)) {
		k = json_member(j, d, "execution_id");
		buf_reset(&a->rec);
		if (k >= 0 && json_str(j, k, &a->rec) == 0 && a->rec.len)
			x.id = buf_cstr(&a->rec);
		x.price = num_member(j, d, "price", &a->s1);
		x.qty = num_member(j, d, "qty", &a->s1);
		x.t = time_member(a, j, ob, d, "timestamp");
	}
	apply_order(a, ob, (size_t)i, j, o, x.id ? &x : NULL);
	ev = str_member(j, d, "event", &a->s3);
	for (k = 0; ev && notes[k]; k++)
		if (strcmp(ev, notes[k]) == 0)
			ob_note(ob, (size_t)i, ev, NULL,
			    time_member(a, j, ob, d, "timestamp"));
	journal_state(a, ob, (size_t)i);
	journal_sync(a);
}

/* Read the journal back into the book. */
static void
restore(struct alp *a, struct ob *ob)
{
	struct ev e = EV_INIT;
	const char *p = a->jr.old.p, *end = p + a->jr.old.len, *nl, *err;
	struct ob_order *o;
	struct aord *d;
	uint64_t lineno = 0, nbad = 0, nsent = 0;
	double filled, notional;
	int r, k;
	long i;

	ob_set_quiet(ob, 1);
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		lineno++;
		if (json_parse(&a->jj, p, (size_t)(nl - p), &err) < 0 ||
		    (r = json_member(&a->jj, 0, "j")) < 0 ||
		    !str_member(&a->jj, 0, "cid", &a->s3))
			goto bad;
		i = ob_find_cid(ob, a->s3.p);
		if (json_eq(&a->jj, r, "sent")) {
			const struct json_tok *t;

			if (i >= 0 || (k = json_member(&a->jj, 0, "order")) <
			    0)
				goto bad;
			t = &a->jj.tok[k];
			if (ev_parse(&e, p + t->start, (size_t)(t->end -
			    t->start), &err) < 0 ||
			    ob_event(ob, &e, &err) != OB_DONE ||
			    (i = ob_find_cid(ob, a->s3.p)) < 0)
				goto bad;
			aord(a, ob, (size_t)i)->jstate = OS_NEW;
			nsent++;
			continue;
		}
		if (!json_eq(&a->jj, r, "state") || i < 0)
			goto bad;
		if (str_member(&a->jj, 0, "order_id", &a->s1) &&
		    !ob_order(ob, (size_t)i)->oid)
			ob_set_oid(ob, (size_t)i, a->s1.p);
		filled = num_member(&a->jj, 0, "filled", &a->s1);
		notional = num_member(&a->jj, 0, "notional", &a->s1);
		o = ob_order(ob, (size_t)i);
		d = aord(a, ob, (size_t)i);
		if (filled > o->filled + EPS && !isnan(notional)) {
			double before = o->filled;

			ob_fill(ob, (size_t)i, filled, (notional -
			    d->notional) / (filled - before), 0, o->t, NULL,
			    0);
			d->notional = notional;
		}
		str_member(&a->jj, 0, "state", &a->s1);
		for (k = OS_OPEN; k <= OS_REJECTED; k++)
			if (a->s1.len && strcmp(a->s1.p, jstates[k]) == 0)
				ob_status(ob, (size_t)i, (enum ob_state)k,
				    NULL, o->t);
		o = ob_order(ob, (size_t)i);
		d->jstate = (int)o->state;
		d->jfilled = o->filled;
		d->joid = o->oid != NULL;
		continue;
bad:
		if (++nbad <= 10)
			warn("journal %s:%llu: a bad record skipped",
			    a->jr.path, (unsigned long long)lineno);
	}
	ob_set_quiet(ob, 0);
	ev_release(&e);
	if (a->verbose)
		warn("journal %s: %llu records, %llu orders", a->jr.path,
		    (unsigned long long)lineno, (unsigned long long)nsent);
}

/*
 * The default journal: in $LIU_STATE_DIR, else $XDG_STATE_HOME/liu, else
 * $HOME/.local/state/liu, liu-order-alpaca-HASH.journal, HASH the FNV-1a
 * 64 of the base URL and the key id: one journal per account and endpoint.
 */
static void
default_journal(const struct alp_opts *ao, struct buf *b)
{
	const char *dir = liu_env("LIU_STATE_DIR"), *x;
	uint64_t h = 14695981039346656037ULL;
	const char *s;
	char tmp[64];

	if (dir)
		buf_adds(b, dir);
	else {
		if ((x = liu_env("XDG_STATE_HOME")))
			buf_adds(b, x);
		else {
			if (!(x = liu_env("HOME")))
				die_code(LIU_EXIT_USAGE, "no HOME for the "
				    "journal: give --journal FILE");
			buf_adds(b, x);
			buf_adds(b, "/.local");
			(void)mkdir(buf_cstr(b), 0700);
			buf_adds(b, "/state");
			(void)mkdir(buf_cstr(b), 0700);
		}
		buf_adds(b, "/liu");
	}
	if (mkdir(buf_cstr(b), 0700) < 0 && errno != EEXIST)
		die_code(LIU_EXIT_USAGE, "journal directory %.*s:",
		    LIU_ECHO_MAX, b->p);
	for (s = ao->url; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h = (h ^ 0) * 1099511628211ULL;
	for (s = ao->key; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	snprintf(tmp, sizeof(tmp), "/liu-order-alpaca-%016llx.journal",
	    (unsigned long long)h);
	buf_adds(b, tmp);
}

int
alp_start(struct broker *b, struct ob *ob)
{
	struct alp *a = (struct alp *)b;
	struct aws_opts wo;
	struct timespec tick = { 0, 10000000 };
	struct buf path = BUF_INIT;
	const char *why;
	int64_t until;
	size_t i, n;
	enum ob_state s;

	if (!a->o.no_journal) {
		if (a->o.journal)
			buf_adds(&path, a->o.journal);
		else
			default_journal(&a->o, &path);
		if (jr_open(&a->jr, buf_cstr(&path), &why) < 0)
			die_code(errno == EWOULDBLOCK ? LIU_EXIT_USAGE :
			    LIU_EXIT_SYS, "journal %.*s: %s%s", LIU_ECHO_MAX,
			    path.p, why, errno == EWOULDBLOCK ? "" : ":");
		a->have_jr = 1;
		buf_release(&path);
		restore(a, ob);
	}
	if (!a->o.no_stream) {
		wo.url = a->o.url;
		wo.cacert = a->o.cacert;
		wo.key = a->o.key;
		wo.secret = a->o.secret;
		wo.timeout = a->o.timeout;
		wo.verbose = a->verbose;
		if (!(a->ws = aws_start(&wo, &why)))
			die_code(LIU_EXIT_USAGE, "the trade_updates stream "
			    "of %.*s: %s", LIU_ECHO_MAX, a->o.url, why);
		/* up before anything is sent: no event of ours missed */
		until = liu_mono_ns() + a->o.timeout;
		while (aws_nlisten(a->ws) == 0 && !aws_dead(a->ws) &&
		    !liu_stop && liu_mono_ns() < until)
			nanosleep(&tick, NULL);
		if (aws_nlisten(a->ws) == 0 && !aws_dead(a->ws))
			warn("trade_updates: not listening after %.1fs; "
			    "going on, orders re-checked over REST",
			    (double)a->o.timeout / 1e9);
	}
	/* what the journal left open: what became of it */
	a->restarting = 1;
	n = ob_norders(ob);
	for (i = 0; i < n && !liu_stop; i++) {
		s = ob_order(ob, i)->state;
		if (s == OS_NEW || s == OS_OPEN || s == OS_PENDING_CANCEL)
			refresh(a, ob, i);
	}
	a->restarting = 0;
	journal_sync(a);
	return a->ws ? aws_fd(a->ws) : -1;
}

/*
 * The close the end of day watches: GET /v2/clock's next_close, the
 * session in progress' or the next one's, as the broker knows it (its
 * early closes and closures included); -1 if it cannot be had.
 */
static int64_t
alp_next_close(struct broker *b, struct ob *ob, int64_t t)
{
	struct alp *a = (struct alp *)b;
	long st;
	int64_t c;

	(void)ob, (void)t;
	st = rest_get(&a->r, "/v2/clock", &a->body);
	if (st == 200 && parse_body(a) == 0 &&
	    str_member(&a->j, 0, "next_close", &a->s1) &&
	    tm_parse(a->s1.p, a->s1.len, &c) == 0)
		return c;
	warn("alpaca: no close from /v2/clock (%s): the calendar's is used",
	    st < 0 ? a->r.err : "unexpected answer");
	return -1;
}

static void
alp_market(struct broker *b, struct ob *ob, const struct ev *e)
{
	(void)b, (void)ob, (void)e;
}

static void
alp_release(struct broker *b)
{
	struct alp *a = (struct alp *)b;

	if (a->verbose)
		warn("alpaca: %llu posts, %llu look-ups, %llu requests, "
		    "%llu retries, %llu stream events (%llu not ours), %llu "
		    "re-checks, %llu journal writes",
		    (unsigned long long)a->nposts,
		    (unsigned long long)a->nlookups,
		    (unsigned long long)a->r.nreq,
		    (unsigned long long)a->r.nretry,
		    (unsigned long long)a->nstream,
		    (unsigned long long)a->nforeign,
		    (unsigned long long)a->nrecheck,
		    (unsigned long long)a->jr.nsync);
	if (a->verbose) {
		warn("alpaca: %llu waits for the rate limit",
		    (unsigned long long)a->npaced);
		report_cpu(a);
	}
	free(a->cpu);
	aws_stop(a->ws);
	if (a->have_jr)
		jr_close(&a->jr);
	free(a->ord);
	buf_release(&a->s3);
	buf_release(&a->rec);
	json_release(&a->jj);
	rest_close(&a->r);
	buf_release(&a->req);
	buf_release(&a->body);
	buf_release(&a->s1);
	buf_release(&a->s2);
	json_release(&a->j);
	free(a);
}

struct broker *
alp_broker(const struct alp_opts *ao, const char **why)
{
	struct alp *a = xcalloc(1, sizeof(*a));
	struct rest_opts ro = REST_OPTS_INIT;

	ro.cacert = ao->cacert;
	ro.timeout = ao->timeout;
	ro.max_wait = ao->max_wait;
	ro.verbose = ao->verbose;
	if (rest_open(&a->r, ao->url, &ro, why) < 0) {
		free(a);
		return NULL;
	}
	if (rest_header(&a->r, "APCA-API-KEY-ID", ao->key) < 0 ||
	    rest_header(&a->r, "APCA-API-SECRET-KEY", ao->secret) < 0) {
		*why = "a key holds a control character";
		rest_close(&a->r);
		free(a);
		return NULL;
	}
	rest_header(&a->r, "Content-Type", "application/json");
	a->o = *ao;
	a->jr.fd = -1;
	a->verbose = ao->verbose;
	a->max_wait = ao->max_wait;
	a->b.name = "alpaca";
	a->b.submit = alp_submit;
	a->b.cancel = alp_cancel;
	a->b.market = alp_market;
	a->b.release = alp_release;
	a->b.next_close = alp_next_close;
	a->b.sync = alp_recheck;
	return &a->b;
}

/* The risk checks' questions (order.h). */

int
alp_buying_power(struct broker *b, double *bp)
{
	struct alp *a = (struct alp *)b;

	if (alp_send(a, "GET", "/v2/account", NULL) != 200 ||
	    parse_body(a) < 0)
		return -1;
	*bp = num_member(&a->j, 0, "buying_power", &a->s1);
	return isnan(*bp) ? -1 : 0;
}

int
alp_clock(struct broker *b, int *open, int64_t *now, int64_t *next)
{
	struct alp *a = (struct alp *)b;
	int i;

	if (alp_send(a, "GET", "/v2/clock", NULL) != 200 ||
	    parse_body(a) < 0 || (i = json_member(&a->j, 0, "is_open")) < 0)
		return -1;
	*open = a->j.tok[i].kind == JSON_TRUE;
	if (!str_member(&a->j, 0, "timestamp", &a->s2) ||
	    tm_parse(a->s2.p, a->s2.len, now) < 0 ||
	    !str_member(&a->j, 0, *open ? "next_close" : "next_open",
	    &a->s2) || tm_parse(a->s2.p, a->s2.len, next) < 0)
		return -1;
	return 0;
}

int
alp_asset(struct broker *b, const char *sym, int *shortable, int *etb)
{
	struct alp *a = (struct alp *)b;
	int i, k;

	buf_reset(&a->req);
	buf_adds(&a->req, "/v2/assets/");
	rest_add_escaped(&a->req, sym);
	if (alp_send(a, "GET", buf_cstr(&a->req), NULL) != 200 ||
	    parse_body(a) < 0 ||
	    (i = json_member(&a->j, 0, "shortable")) < 0 ||
	    (k = json_member(&a->j, 0, "easy_to_borrow")) < 0)
		return -1;
	*shortable = a->j.tok[i].kind == JSON_TRUE;
	*etb = a->j.tok[k].kind == JSON_TRUE;
	return 0;
}
