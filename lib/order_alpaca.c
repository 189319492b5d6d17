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
 *     the broker's code and message.
 *   - The order objects the broker sends (an answer, a look-up, a
 *     re-check) are applied the same way: a filled_qty above what the book
 *     knows is a fill, exec_id "<order_id>-<filled_qty>", at the
 *     filled_avg_price; a final status closes the order.
 *   - A re-check (alp_recheck(): at the end of input, and after the stream
 *     came back) gets every open order with GET /v2/orders/{id}.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "event.h"
#include "json.h"
#include "numfmt.h"
#include "order.h"
#include "rest.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define ALP_TRIES 3		/* POSTs of one order, at most */
#define ALP_LOOKUPS 3		/* look-ups after one unknown answer */
#define ALP_RATE 200		/* requests a minute, unless the broker says */
#define ALP_RING 4096		/* the request times kept, for that */

struct alp {
	struct broker b;	/* first: the book holds a struct broker * */
	struct rest r;
	struct buf req, body, s1, s2;
	struct json j;
	int verbose;
	uint64_t nposts, nlookups;
	double code;		/* refusal()'s, NAN when the body had none */
	int64_t max_wait;
	uint64_t npaced;	/* waits for the rate limit's reset */
	int64_t sent[ALP_RING];	/* when the last requests went, a ring */
	uint64_t nsent;
	int64_t *cpu;		/* each submit's CPU time, ns */
	size_t ncpu, ccpu;
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
time_member(struct alp *a, struct ob *ob, int obj, const char *key)
{
	int64_t t;

	if (!str_member(&a->j, obj, key, &a->s2) ||
	    tm_parse(a->s2.p, a->s2.len, &t) < 0)
		return ob_now(ob);
	return t;
}

/*
 * Apply the order object at token 'obj' of a->j to order i: its broker id,
 * its cumulative fill, its status.
 */
static void
apply_order(struct alp *a, struct ob *ob, size_t i, int obj)
{
	struct ob_order *o = ob_order(ob, i);
	double cum, px;
	const char *st;
	char xid[160];
	int64_t t;

	if (!o->oid && str_member(&a->j, obj, "id", &a->s1))
		ob_set_oid(ob, i, a->s1.p);
	o = ob_order(ob, i);
	cum = num_member(&a->j, obj, "filled_qty", &a->s1);
	px = num_member(&a->j, obj, "filled_avg_price", &a->s1);
	st = str_member(&a->j, obj, "status", &a->s1);
	t = time_member(a, ob, obj, "updated_at");
	if (o->state == OS_NEW && st && (strcmp(st, "rejected") != 0))
		ob_status(ob, i, OS_OPEN, NULL, t);
	if (!isnan(cum) && cum > o->filled && !isnan(px)) {
		char q[NUMFMT_MAX + 1];

		q[numfmt_shortest(q, cum)] = '\0';
		snprintf(xid, sizeof(xid), "%s-%s", o->oid ? o->oid : o->cid,
		    q);
		ob_fill(ob, i, cum, px, 0, time_member(a, ob, obj,
		    "filled_at"), xid, 1);
	}
	st = str_member(&a->j, obj, "status", &a->s1);
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
		apply_order(a, ob, i, 0);
		return 1;
	}
	if (st == 404)
		return 0;
	if (a->verbose)
		warn("looking up %s: %s", ob_order(ob, i)->cid,
		    st < 0 ? a->r.err : "unexpected answer");
	return -1;
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
	for (try = 0; try < ALP_TRIES; try++) {
		a->nposts++;
		st = alp_send(a, "POST", "/v2/orders", buf_cstr(&post));
		if (st == 200 || st == 201) {
			if (parse_body(a) == 0) {
				apply_order(a, ob, i, 0);
				break;
			}
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

	if (!o->oid)
		return lookup(a, ob, i) == 1 ? 0 : -1;
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
	apply_order(a, ob, i, 0);
	return 0;
}

void
alp_recheck(struct broker *b, struct ob *ob)
{
	struct alp *a = (struct alp *)b;
	size_t i, n = ob_norders(ob);
	enum ob_state s;

	for (i = 0; i < n && !liu_stop; i++) {
		s = ob_order(ob, i)->state;
		if (s == OS_NEW || s == OS_OPEN || s == OS_PENDING_CANCEL)
			refresh(a, ob, i);
	}
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
		return;
	}
	o = ob_order(ob, i);
	if (o->state != OS_OPEN && o->state != OS_PENDING_CANCEL &&
	    o->state != OS_NEW)
		return;		/* the look-up closed it */
	buf_reset(&a->req);
	buf_adds(&a->req, "/v2/orders/");
	rest_add_escaped(&a->req, o->oid);
	st = alp_send(a, "DELETE", buf_cstr(&a->req), NULL);
	if (st != 204 && st != 200 && a->verbose)
		warn("cancel of %s: %s", o->cid, st < 0 ? a->r.err :
		    refusal(a, st));
	if (how == OB_END_REQUEST)
		return;		/* the canceled comes from the broker */
	/* the run ends: the order's last state now, fills included */
	refresh(a, ob, i);
	ob_status(ob, i, OS_CANCELED, how == OB_END_EOF ?
	    "end of input" : "liu-order stopped", ob_now(ob));
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
		    "%llu retries", (unsigned long long)a->nposts,
		    (unsigned long long)a->nlookups,
		    (unsigned long long)a->r.nreq,
		    (unsigned long long)a->r.nretry);
	if (a->verbose) {
		warn("alpaca: %llu waits for the rate limit",
		    (unsigned long long)a->npaced);
		report_cpu(a);
	}
	free(a->cpu);
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
