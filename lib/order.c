/*
 * order.c: liu-order's order book and the rules of the order loop (see
 * order.h).  Broker-independent: the broker behind it (order_sim.c, later
 * a real one) only places, cancels and reports.
 *
 * Orders are kept in one array, by index.  Two symbol tables map to that
 * index, interned exactly once per order so that a table's id is the
 * order's index: the key (batch, a NUL, the id) and the client id at the
 * broker.  Positions are kept per strategy and symbol (a third table),
 * last prices per symbol (a fourth).
 *
 * Whether an order seen again is "the same" is decided by its signature:
 * the fields that make what it does (symbol, side, quantity, type, prices,
 * time in force, horizon, bracket, extended hours, strategy) as one string.
 * Its time and its "why" may differ on a retry.
 *
 * The new fields of the order loop (bracket, horizon, trail_price,
 * trail_percent, extended_hours) and the cancel and position events are
 * read from the event's JSON tokens, not from struct ev: they work whether
 * or not lib/event.c's field table knows them.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event.h"
#include "json.h"
#include "ndjson.h"
#include "order.h"
#include "order_eod.h"
#include "proc.h"
#include "sym.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define EPS 1e-9

struct pos {
	double qty;		/* signed: short < 0 */
	double cost;		/* average price of the open shares, or NAN */
	int swing;		/* a swing order added to it since flat */
};

/* What the book keeps of an order beside struct ob_order. */
struct priv {
	char *sig;		/* the signature ("" for a leg) */
	double bp_qty;		/* shares that open a position */
	double bp_px;		/* the price they were valued at */
};

struct ob {
	struct ob_opts o;
	struct broker *bk;
	struct risk *risk;	/* order_risk.c's checks, or NULL */
	double code;		/* ob_refused()'s, for emit_update() */
	int has_code;
	struct ob_order *ord;
	struct priv *pv;
	size_t nord, cap;
	struct symtab keys;	/* batch NUL id -> order index */
	struct symtab cids;	/* client id -> order index */
	struct symtab poskeys;	/* strategy NUL symbol -> position index */
	struct pos *pos;
	size_t npos;
	struct symtab syms;	/* symbol -> last price index */
	double *last;
	size_t nlast;
	size_t *open;		/* indices of orders maybe open */
	size_t nopen, capopen;
	double realized, fees;
	int64_t now;
	int have_now;
	struct eod *eod;	/* the end of day, or NULL */
	const char *placing;	/* the tag of an order the book places */
	int quiet;		/* ob_set_quiet(): a journal read back */
	struct buf out, key, sig, s1, s2, s3;
	char err[256];
	/* counters, for -v */
	uint64_t norders, nrejected, nrepeat, ndup, nresults, nfills;
	uint64_t nstale, nlate, ncancels, ncancel_closed, nended;
};

static const char *const state_names[] = { "new", "new", "pending_cancel",
	"filled", "canceled", "expired", "rejected" };

struct ob *
ob_new(const struct ob_opts *o)
{
	struct ob *ob = xcalloc(1, sizeof(*ob));

	ob->o = *o;
	ob->eod = eod_new(o);
	return ob;
}

void
ob_set_broker(struct ob *ob, struct broker *b)
{
	ob->bk = b;
}

struct ob_order *
ob_order(struct ob *ob, size_t i)
{
	if (i >= ob->nord)
		bug("ob_order: no order %zu", i);
	return &ob->ord[i];
}

size_t
ob_norders(const struct ob *ob)
{
	return ob->nord;
}

void
ob_set_oid(struct ob *ob, size_t i, const char *oid)
{
	struct ob_order *o = ob_order(ob, i);

	free(o->oid);
	o->oid = xstrdup(oid);
}

long
ob_find_cid(const struct ob *ob, const char *cid)
{
	return sym_find(&ob->cids, cid, strlen(cid));
}

void
ob_set_quiet(struct ob *ob, int quiet)
{
	ob->quiet = quiet;
}

int64_t
ob_now(const struct ob *ob)
{
	return ob->have_now ? ob->now : liu_now_ns();
}

double
ob_last(const struct ob *ob, const char *sym)
{
	long k = sym_find(&ob->syms, sym, strlen(sym));

	return k < 0 ? NAN : ob->last[k];
}

static int
is_final(enum ob_state s)
{
	return s >= OS_FILLED;
}

static int
is_buy(enum ev_side s)
{
	return s == SIDE_BUY || s == SIDE_BUY_TO_COVER;
}

/* Client ids. */

static int
cid_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

size_t
ob_client_id(const char *batch, const char *id, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const char *src = id;
	size_t n = strlen(id), bl = batch ? strlen(batch) : 0, k, m;
	uint64_t h = 14695981039346656037ULL;
	int i;

	if (n <= OB_CID_MAX) {
		memcpy(out, id, n + 1);
		return n;
	}
	/* FNV-1a 64 of batch NUL id, as sym_hash() does it */
	for (k = 0; k < bl; k++)
		h = (h ^ (unsigned char)batch[k]) * 1099511628211ULL;
	h = (h ^ 0) * 1099511628211ULL;
	for (k = 0; k < n; k++)
		h = (h ^ (unsigned char)id[k]) * 1099511628211ULL;
	if (bl && strncmp(id, batch, bl) == 0 && id[bl] == '-')
		src = id + bl + 1;
	m = strlen(src);
	if (m > OB_CID_MAX - 17) {
		src += m - (OB_CID_MAX - 17);
		m = OB_CID_MAX - 17;
	}
	for (k = 0; k < m; k++)
		out[k] = cid_char((unsigned char)src[k]) ? src[k] : '_';
	out[k++] = '-';
	for (i = 60; i >= 0; i -= 4)
		out[k++] = hex[(h >> i) & 15];
	out[k] = '\0';
	return k;
}

/* Output. */

/* Start an event in ob->out: {"ev":EV,"t":T,"sym":SYM */
static struct buf *
rec(struct ob *ob, const char *ev, int64_t t, const char *sym)
{
	struct buf *b = &ob->out;
	char ts[TM_RFC3339_MAX];

	buf_reset(b);
	buf_adds(b, "{\"ev\":");
	json_add_str(b, ev, strlen(ev));
	json_add_key(b, "t");
	json_add_str(b, ts, tm_format(t, ts));
	json_add_kstr(b, "sym", sym);
	return b;
}

static void
rec_emit(struct ob *ob)
{
	buf_addc(&ob->out, '}');
	if (!ob->quiet)
		nd_emit(ob->out.p, ob->out.len);
}

/*
 * An order_update: the order's fields where there is an order (o), else
 * those given (a refused order that is not kept).
 */
static void
emit_update(struct ob *ob, const struct ob_order *o, int64_t t,
    const char *status, const char *why, const struct ev *e)
{
	struct buf *b = rec(ob, "order_update", t, o ? o->sym : e->sym);
	const char *strategy = o ? o->strategy : e->strategy;
	const char *batch = o ? o->batch : e->batch;

	json_add_kstr(b, "id", o ? o->id : e->id);
	if (o && o->oid)
		json_add_kstr(b, "order_id", o->oid);
	json_add_kstr(b, "status", status);
	if (o && o->filled > 0)
		json_add_knum(b, "filled_qty", o->filled);
	if (strategy)
		json_add_kstr(b, "strategy", strategy);
	if (batch)
		json_add_kstr(b, "batch", batch);
	if (why)
		json_add_kstr(b, "why", why);
	if (ob->has_code)
		json_add_knum(b, "code", ob->code);
	if (o && strcmp(status, "new") == 0)
		json_add_kstr(b, "client_order_id", o->cid);
	if (o && o->parent >= 0)
		json_add_kstr(b, "parent", ob->ord[o->parent].id);
	if (o && o->tag)
		json_add_kstr(b, "tag", o->tag);
	rec_emit(ob);
}

static void
emit_fill(struct ob *ob, const struct ob_order *o, double qty, double price,
    double fee, int64_t t, const char *exec_id, int synthetic)
{
	struct buf *b = rec(ob, "fill", t, o->sym);

	json_add_kstr(b, "id", o->id);
	if (o->oid)
		json_add_kstr(b, "order_id", o->oid);
	json_add_key(b, "exec_id");
	if (exec_id)
		json_add_str(b, exec_id, strlen(exec_id));
	else {
		buf_reset(&ob->s3);
		buf_adds(&ob->s3, o->oid ? o->oid : o->cid);
		buf_addc(&ob->s3, '-');
		buf_addi64(&ob->s3, (long long)o->nfill);
		json_add_str(b, ob->s3.p, ob->s3.len);
	}
	json_add_kstr(b, "side", ev_side_name(o->side));
	json_add_knum(b, "qty", qty);
	json_add_knum(b, "price", price);
	json_add_knum(b, "fee", fee);
	json_add_key(b, "partial");
	buf_adds(b, o->filled + EPS < o->qty ? "true" : "false");
	if (o->strategy)
		json_add_kstr(b, "strategy", o->strategy);
	if (o->batch)
		json_add_kstr(b, "batch", o->batch);
	if (!isnan(o->stop_loss))
		json_add_knum(b, "stop_loss", o->stop_loss);
	if (!isnan(o->target))
		json_add_knum(b, "target", o->target);
	if (synthetic)
		buf_adds(b, ",\"synthetic\":true");
	if (o->parent >= 0)
		json_add_kstr(b, "parent", ob->ord[o->parent].id);
	if (o->tag)
		json_add_kstr(b, "tag", o->tag);
	rec_emit(ob);
}

/* Reading members that lib/event.c may not know. */

/* The value token of the last member named 'key', or -1 (absent, null). */
static int
member(const struct ev *e, const char *key)
{
	const struct json *j = &e->j;
	int i, v = -1;

	for (i = 1; i < j->ntok; i = j->tok[i + 1].next)
		if (json_eq(j, i, key))
			v = i + 1;
	return v >= 0 && j->tok[v].kind == JSON_NULL ? -1 : v;
}

/* The message '"KEY" WHAT' in ob->err. */
static const char *
fail(struct ob *ob, const char *key, const char *what)
{
	snprintf(ob->err, sizeof(ob->err), "\"%s\" %s", key, what);
	return ob->err;
}

/* A boolean member into *v (left as is when absent); NULL or an error. */
static const char *
get_bool(struct ob *ob, const struct ev *e, const char *key, int *v)
{
	int i = member(e, key);

	if (i < 0)
		return NULL;
	if (e->j.tok[i].kind == JSON_TRUE)
		*v = 1;
	else if (e->j.tok[i].kind == JSON_FALSE)
		*v = 0;
	else
		return fail(ob, key, "is not true or false");
	return NULL;
}

/* A number member into *v (NAN when absent); NULL or an error. */
static const char *
get_num(struct ob *ob, const struct ev *e, const char *key, double *v)
{
	int i = member(e, key);

	*v = NAN;
	if (i < 0)
		return NULL;
	if (json_num(&e->j, i, v) < 0)
		return fail(ob, key, "is not a number");
	return NULL;
}

/* A string member, decoded into b (*s NULL when absent); NULL or error. */
static const char *
get_str(struct ob *ob, const struct ev *e, const char *key, struct buf *b,
    const char **s)
{
	int i = member(e, key);

	*s = NULL;
	if (i < 0)
		return NULL;
	buf_reset(b);
	if (json_str(&e->j, i, b) < 0)
		return fail(ob, key, "is not a string");
	*s = b->p;
	return NULL;
}

/* Orders. */

/* The fields of an order that struct ev does not have. */
struct extras {
	int bracket, ext_hours;
	const char *horizon;	/* in ob->s1, or NULL */
	double trail_price, trail_pct;
};

static const char *
read_extras(struct ob *ob, const struct ev *e, struct extras *x)
{
	const char *err;

	x->bracket = x->ext_hours = 0;
	if ((err = get_bool(ob, e, "bracket", &x->bracket)) ||
	    (err = get_bool(ob, e, "extended_hours", &x->ext_hours)) ||
	    (err = get_str(ob, e, "horizon", &ob->s1, &x->horizon)) ||
	    (err = get_num(ob, e, "trail_price", &x->trail_price)) ||
	    (err = get_num(ob, e, "trail_percent", &x->trail_pct)))
		return err;
	return NULL;
}

static void
sig_str(struct buf *b, const char *s)
{
	if (s)
		buf_adds(b, s);
	buf_addc(b, '\037');
}

static void
sig_num(struct buf *b, double v)
{
	json_add_num(b, v);
	buf_addc(b, '\037');
}

/* The signature of an order into ob->sig. */
static void
signature(struct ob *ob, const struct ev *e, const struct extras *x)
{
	struct buf *b = &ob->sig;

	buf_reset(b);
	sig_str(b, e->sym);
	sig_str(b, ev_side_name(e->side));
	sig_num(b, e->qty);
	sig_str(b, e->otype ? e->otype : "market");
	sig_num(b, e->limit);
	sig_num(b, e->stop);
	sig_num(b, x->trail_price);
	sig_num(b, x->trail_pct);
	sig_str(b, e->tif ? e->tif : "day");
	sig_str(b, x->horizon ? x->horizon : "day");
	sig_num(b, x->bracket);
	sig_num(b, x->ext_hours);
	sig_num(b, e->stop_loss);
	sig_num(b, e->target);
	sig_str(b, e->strategy);
	buf_cstr(b);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* The key of an order, batch NUL id, into ob->key. */
static void
order_key(struct ob *ob, const char *batch, const char *id)
{
	buf_reset(&ob->key);
	if (batch)
		buf_adds(&ob->key, batch);
	buf_addc(&ob->key, '\0');
	buf_adds(&ob->key, id);
}

/* The index of the position of a strategy (may be NULL) and symbol. */
static size_t
pos_index(struct ob *ob, const char *strategy, const char *sym)
{
	struct buf *k = &ob->s3;
	uint32_t i;

	buf_reset(k);
	if (strategy)
		buf_adds(k, strategy);
	buf_addc(k, '\0');
	buf_adds(k, sym);
	i = sym_intern(&ob->poskeys, k->p, k->len);
	if (i >= ob->npos) {
		ob->pos = xrealloc(ob->pos, (i + 1) * sizeof(*ob->pos));
		for (; ob->npos <= i; ob->npos++) {
			ob->pos[ob->npos].qty = 0;
			ob->pos[ob->npos].cost = NAN;
			ob->pos[ob->npos].swing = 0;
		}
	}
	return i;
}

/*
 * Add an order under the key in ob->key and client id cid (both checked
 * fresh by the caller), with the strings and numbers common to all.
 */
static size_t
add_order(struct ob *ob, const char *cid, const char *id, const char *sym,
    const char *strategy, const char *batch)
{
	struct ob_order *o;
	size_t i = ob->nord;

	if (ob->nord == ob->cap) {
		ob->cap = ob->cap ? 2 * ob->cap : 64;
		ob->ord = xrealloc(ob->ord, ob->cap * sizeof(*ob->ord));
		ob->pv = xrealloc(ob->pv, ob->cap * sizeof(*ob->pv));
	}
	if (sym_intern(&ob->keys, ob->key.p, ob->key.len) != i ||
	    sym_intern(&ob->cids, cid, strlen(cid)) != i)
		bug("order tables out of step at %zu", i);
	o = &ob->ord[i];
	memset(o, 0, sizeof(*o));
	memset(&ob->pv[i], 0, sizeof(ob->pv[i]));
	ob->nord++;
	o->id = xstrdup(id);
	o->cid = xstrdup(cid);
	o->sym = xstrdup(sym);
	o->strategy = dup_or_null(strategy);
	o->batch = dup_or_null(batch);
	o->limit = o->stop = o->trail_price = o->trail_pct = NAN;
	o->stop_loss = o->target = NAN;
	o->parent = o->leg[0] = o->leg[1] = -1;
	o->pos = pos_index(ob, strategy, sym);
	return i;
}

static int
is_open(const struct ob_order *o)
{
	return !is_final(o->state);
}

/*
 * The open orders, for the scans below: a list of indices kept in the
 * order they came, from which those closed since are dropped at each scan,
 * so that a scan costs what is open, not every order of the run.
 */
static void
open_add(struct ob *ob, size_t i)
{
	if (ob->nopen == ob->capopen) {
		ob->capopen = ob->capopen ? 2 * ob->capopen : 64;
		ob->open = xrealloc(ob->open, ob->capopen * sizeof(*ob->open));
	}
	ob->open[ob->nopen++] = i;
}

static void
open_compact(struct ob *ob)
{
	size_t k, n = 0;

	for (k = 0; k < ob->nopen; k++)
		if (is_open(&ob->ord[ob->open[k]]))
			ob->open[n++] = ob->open[k];
	ob->nopen = n;
}

/*
 * Shares that open orders of 'side' but order 'self' still want for
 * position p; of the two legs of a bracket, one or the other fills: the
 * stop is counted.
 */
static double
pending(struct ob *ob, size_t p, enum ev_side side, size_t self)
{
	const struct ob_order *o;
	double q = 0;
	size_t i, k;

	open_compact(ob);
	for (k = 0; k < ob->nopen; k++) {
		i = ob->open[k];
		o = &ob->ord[i];
		if (i == self || o->pos != p || o->side != side)
			continue;
		if (o->kind == LEG_TARGET && o->parent >= 0 &&
		    ob->ord[o->parent].leg[0] >= 0 &&
		    is_open(&ob->ord[ob->ord[o->parent].leg[0]]))
			continue;
		q += o->qty - o->filled;
	}
	return q;
}

/* Money tied up: positions at cost and what open entry orders want. */
static double
exposure(struct ob *ob)
{
	const struct ob_order *o;
	const struct priv *pv;
	double x = 0, c;
	size_t i, k;

	for (i = 0; i < ob->npos; i++) {
		c = ob->pos[i].cost;
		if (ob->pos[i].qty != 0 && !isnan(c))
			x += fabs(ob->pos[i].qty) * c;
	}
	open_compact(ob);
	for (k = 0; k < ob->nopen; k++) {
		o = &ob->ord[ob->open[k]];
		pv = &ob->pv[ob->open[k]];
		if (pv->bp_qty > 0)
			x += fmax(0, pv->bp_qty - o->filled) * pv->bp_px;
	}
	return x;
}

const size_t *
ob_open_orders(struct ob *ob, size_t *n)
{
	open_compact(ob);
	*n = ob->nopen;
	return ob->open;
}

size_t
ob_npositions(const struct ob *ob)
{
	return ob->npos;
}

const char *
ob_position(const struct ob *ob, size_t k, double *qty, double *cost)
{
	const char *name = sym_name(&ob->poskeys, (uint32_t)k);

	*qty = ob->pos[k].qty;
	*cost = ob->pos[k].cost;
	return name + strlen(name) + 1;	/* strategy NUL symbol */
}

double
ob_realized(const struct ob *ob)
{
	return ob->realized - ob->fees;
}

void
ob_set_risk(struct ob *ob, struct risk *r)
{
	ob->risk = r;
}

static const char *
check_types(struct ob *ob, struct ob_order *o, const struct ev *e,
    const struct extras *x)
{
	const char *t = e->otype;

	if (!(isfinite(o->qty) && o->qty > 0))
		return "qty is not a positive number";
	if (t == NULL || strcmp(t, "market") == 0)
		o->type = OT_MARKET;
	else if (strcmp(t, "limit") == 0)
		o->type = OT_LIMIT;
	else if (strcmp(t, "stop") == 0)
		o->type = OT_STOP;
	else if (strcmp(t, "stop_limit") == 0)
		o->type = OT_STOP_LIMIT;
	else if (strcmp(t, "trailing_stop") == 0)
		o->type = OT_TRAIL;
	else {
		snprintf(ob->err, sizeof(ob->err), "unknown order type "
		    "\"%.60s\"", t);
		return ob->err;
	}
	if ((o->type == OT_LIMIT || o->type == OT_STOP_LIMIT) &&
	    !(isfinite(o->limit) && o->limit > 0))
		return "no positive limit price";
	if ((o->type == OT_STOP || o->type == OT_STOP_LIMIT) &&
	    !(isfinite(o->stop) && o->stop > 0))
		return "no positive stop price";
	if (o->type == OT_TRAIL && !(isnan(o->trail_price) ?
	    isfinite(o->trail_pct) && o->trail_pct > 0 && o->trail_pct < 100 :
	    isnan(o->trail_pct) && isfinite(o->trail_price) &&
	    o->trail_price > 0))
		return "trailing_stop wants one of a positive trail_price or "
		    "a trail_percent between 0 and 100";
	if (e->tif == NULL || strcmp(e->tif, "day") == 0)
		o->tif = TIF_DAY;
	else if (strcmp(e->tif, "gtc") == 0)
		o->tif = TIF_GTC;
	else if (strcmp(e->tif, "ioc") == 0)
		o->tif = TIF_IOC;
	else if (strcmp(e->tif, "fok") == 0)
		o->tif = TIF_FOK;
	else {
		snprintf(ob->err, sizeof(ob->err), "time in force \"%.60s\" "
		    "not supported", e->tif);
		return ob->err;
	}
	if (x->horizon && strcmp(x->horizon, "day") != 0 &&
	    strcmp(x->horizon, "swing") != 0)
		return "horizon is not day or swing";
	if ((!isnan(o->stop_loss) && !(isfinite(o->stop_loss) &&
	    o->stop_loss > 0)) || (!isnan(o->target) &&
	    !(isfinite(o->target) && o->target > 0)))
		return "stop_loss or target is not positive";
	if (!o->bracket)
		return NULL;
	if (o->side != SIDE_BUY && o->side != SIDE_SELL_SHORT)
		return "a bracket order opens a position: buy or sell_short";
	if (isnan(o->stop_loss) || isnan(o->target))
		return "a bracket order wants stop_loss and target";
	if (o->side == SIDE_BUY ? o->stop_loss >= o->target :
	    o->stop_loss <= o->target)
		return "bracket stop_loss and target on the wrong sides";
	return NULL;
}

/* The position rule and buying power; NULL, or why the order is refused. */
static const char *
check_money(struct ob *ob, size_t i)
{
	struct ob_order *o = &ob->ord[i];
	struct priv *pv = &ob->pv[i];
	const struct pos *p = &ob->pos[o->pos];
	double avail, opening = 0, px, have;

	if (o->side == SIDE_SELL) {
		avail = fmax(0, p->qty) - pending(ob, o->pos, SIDE_SELL, i);
		if (o->qty > avail + EPS) {
			snprintf(ob->err, sizeof(ob->err), "sell of %.10g "
			    "exceeds the long position: %.10g available",
			    o->qty, fmax(0, avail));
			return ob->err;
		}
	} else if (o->side == SIDE_BUY_TO_COVER) {
		avail = fmax(0, -p->qty) - pending(ob, o->pos,
		    SIDE_BUY_TO_COVER, i);
		if (o->qty > avail + EPS) {
			snprintf(ob->err, sizeof(ob->err), "buy_to_cover of "
			    "%.10g exceeds the short position: %.10g "
			    "available", o->qty, fmax(0, avail));
			return ob->err;
		}
	} else if (o->side == SIDE_BUY ? p->qty < 0 : p->qty > 0) {
		snprintf(ob->err, sizeof(ob->err), "%s while %s: %s first",
		    ev_side_name(o->side), p->qty < 0 ? "short" : "long",
		    p->qty < 0 ? "buy_to_cover" : "sell");
		return ob->err;
	} else
		opening = o->qty;
	if (isnan(ob->o.capital) || opening <= 0)
		return NULL;
	px = o->type == OT_LIMIT || o->type == OT_STOP_LIMIT ? o->limit :
	    o->type == OT_STOP ? o->stop : ob_last(ob, o->sym);
	if (isnan(px)) {
		snprintf(ob->err, sizeof(ob->err), "no price of %.32s yet to "
		    "value the order", o->sym);
		return ob->err;
	}
	have = (ob->o.capital + ob->realized - ob->fees) * ob->o.margin -
	    exposure(ob);
	if (opening * px > have + 1e-6) {
		snprintf(ob->err, sizeof(ob->err), "insufficient buying "
		    "power: %.2f wanted, %.2f available", opening * px,
		    fmax(0, have));
		return ob->err;
	}
	pv->bp_qty = opening;
	pv->bp_px = px;
	return NULL;
}

static enum ob_result
on_order(struct ob *ob, const struct ev *e, const char **err)
{
	char cid[OB_CID_MAX + 1];
	struct extras x;
	struct ob_order *o;
	const char *why;
	long k;
	size_t i;

	if ((*err = read_extras(ob, e, &x)) != NULL)
		return OB_BAD;
	signature(ob, e, &x);
	order_key(ob, e->batch, e->id);
	if ((k = sym_find(&ob->keys, ob->key.p, ob->key.len)) >= 0) {
		if (strcmp(ob->pv[k].sig, ob->sig.p) == 0) {
			ob->nrepeat++;	/* a retry: placed once */
			return OB_DONE;
		}
		ob->ndup++;
		emit_update(ob, NULL, e->t, "rejected",
		    "duplicate client order id", e);
		return OB_DONE;
	}
	ob_client_id(e->batch, e->id, cid);
	if (sym_find(&ob->cids, cid, strlen(cid)) >= 0) {
		ob->ndup++;
		emit_update(ob, NULL, e->t, "rejected",
		    "client order id collision", e);
		return OB_DONE;
	}
	ob->norders++;
	i = add_order(ob, cid, e->id, e->sym, e->strategy, e->batch);
	o = &ob->ord[i];
	ob->pv[i].sig = xstrdup(ob->sig.p);
	o->side = e->side;
	o->qty = e->qty;
	o->limit = e->limit;
	o->stop = e->stop;
	o->trail_price = x.trail_price;
	o->trail_pct = x.trail_pct;
	o->stop_loss = e->stop_loss;
	o->target = e->target;
	o->bracket = x.bracket;
	o->ext_hours = x.ext_hours;
	o->day = x.horizon == NULL || strcmp(x.horizon, "swing") != 0;
	o->t = e->t;
	o->state = OS_NEW;
	o->sent = ob_clock(ob);
	o->tag = ob->placing;
	if (!ob->quiet)
		nd_emit(e->line, e->len);
	if ((why = check_types(ob, o, e, &x)) != NULL ||
	    (!ob->quiet && (why = check_money(ob, i)) != NULL) ||
	    (!ob->quiet && ob->eod &&
	    (why = eod_refuse(ob, ob->eod, i)) != NULL) ||
	    (!ob->quiet && ob->risk &&
	    (why = risk_order(ob->risk, ob, i)) != NULL)) {
		ob->nrejected++;
		ob_status(ob, i, OS_REJECTED, why, e->t);
		return OB_DONE;
	}
	open_add(ob, i);
	if (!ob->quiet)
		ob->bk->submit(ob->bk, ob, i);
	return OB_DONE;
}

size_t
ob_leg(struct ob *ob, size_t parent, enum ob_leg kind, double qty,
    int64_t t)
{
	char cid[OB_CID_MAX + 1];
	struct ob_order *o, *p;
	struct buf *id = &ob->s2;
	size_t i;
	int n;

	/* its id: "<entry>-stop", "-stop-2" if taken, ... */
	for (n = 1;; n++) {
		p = &ob->ord[parent];
		buf_reset(id);
		buf_adds(id, p->id);
		buf_adds(id, kind == LEG_STOP ? "-stop" : "-target");
		if (n > 1) {
			buf_addc(id, '-');
			buf_addi64(id, n);
		}
		buf_cstr(id);
		order_key(ob, p->batch, id->p);
		ob_client_id(p->batch, id->p, cid);
		if (sym_find(&ob->keys, ob->key.p, ob->key.len) < 0 &&
		    sym_find(&ob->cids, cid, strlen(cid)) < 0)
			break;
	}
	i = add_order(ob, cid, id->p, p->sym, p->strategy, p->batch);
	p = &ob->ord[parent];
	o = &ob->ord[i];
	ob->pv[i].sig = xstrdup("");
	o->side = p->side == SIDE_BUY ? SIDE_SELL : SIDE_BUY_TO_COVER;
	o->qty = qty;
	o->type = kind == LEG_STOP ? OT_STOP : OT_LIMIT;
	if (kind == LEG_STOP)
		o->stop = p->stop_loss;
	else
		o->limit = p->target;
	o->tif = p->tif == TIF_GTC ? TIF_GTC : TIF_DAY;
	o->day = p->day;
	o->ext_hours = p->ext_hours;
	o->t = t;
	o->state = OS_NEW;
	o->parent = (long)parent;
	o->kind = kind;
	p->leg[kind == LEG_STOP ? 0 : 1] = (long)i;
	open_add(ob, i);
	return i;
}

void
ob_status(struct ob *ob, size_t i, enum ob_state st, const char *why,
    int64_t t)
{
	struct ob_order *o = ob_order(ob, i);

	if (is_final(o->state) || st == OS_NEW)
		return;
	o->state = st;
	emit_update(ob, o, t, state_names[st], why, NULL);
}

void
ob_refused(struct ob *ob, size_t i, const char *why, double code,
    int64_t t)
{
	ob->code = code;
	ob->has_code = 1;
	ob_status(ob, i, OS_REJECTED, why, t);
	ob->has_code = 0;
}

void
ob_note(struct ob *ob, size_t i, const char *status, const char *why,
    int64_t t)
{
	struct ob_order *o = ob_order(ob, i);

	if (!is_final(o->state))
		emit_update(ob, o, t, status, why, NULL);
}

/* A fill of qty at price on the order's position, realizing P&L. */
static void
apply_fill(struct ob *ob, struct ob_order *o, double qty, double price,
    double fee)
{
	struct pos *p = &ob->pos[o->pos];
	double q = is_buy(o->side) ? qty : -qty, close;

	ob->fees += fee;
	if (p->qty == 0 || (p->qty > 0) == (q > 0)) {
		/* opening or adding */
		p->swing |= !o->day;
		p->cost = p->qty == 0 || isnan(p->cost) ? price :
		    (p->cost * fabs(p->qty) + price * qty) /
		    (fabs(p->qty) + qty);
		p->qty += q;
		return;
	}
	close = fmin(qty, fabs(p->qty));
	if (!isnan(p->cost))
		ob->realized += (p->qty > 0 ? price - p->cost :
		    p->cost - price) * close;
	p->qty += q;
	if (fabs(p->qty) < EPS) {
		p->qty = 0;
		p->cost = NAN;
		p->swing = 0;
	} else if (qty > close) {
		p->cost = price;	/* turned over: the rest opens */
		p->swing = !o->day;
	}
}

int
ob_fill(struct ob *ob, size_t i, double cum, double price, double fee,
    int64_t t, const char *exec_id, int synthetic)
{
	struct ob_order *o = ob_order(ob, i);
	double qty;

	if (!(cum > o->filled + EPS)) {
		ob->nstale++;
		return 0;
	}
	if (cum > o->qty + EPS) {
		warn("broker filled %.10g of order \"%.60s\" for %.10g; "
		    "taking %.10g", cum, o->id, o->qty, o->qty);
		cum = o->qty;
		if (!(cum > o->filled + EPS))
			return 0;
	}
	qty = cum - o->filled;
	if (isnan(fee))
		fee = round(qty * ob->o.fee_per_share * 1e4) / 1e4;
	if (o->state == OS_PENDING_CANCEL || o->state == OS_CANCELED ||
	    o->state == OS_EXPIRED)
		ob->nlate++;
	o->filled = cum;
	o->nfill++;
	ob->nfills++;
	apply_fill(ob, o, qty, price, fee);
	emit_fill(ob, o, qty, price, fee, t, exec_id, synthetic);
	if (o->filled + EPS >= o->qty) {
		o->state = OS_FILLED;
		emit_update(ob, o, t, "filled", NULL, NULL);
	} else {
		if (o->state == OS_NEW)
			o->state = OS_OPEN;
		emit_update(ob, o, t, "partially_filled", NULL, NULL);
	}
	return 1;
}

/* Cancels. */

static void
cancel_one(struct ob *ob, size_t i, int64_t t, const char *why)
{
	struct ob_order *o = &ob->ord[i];

	if (!is_open(o) || o->state == OS_PENDING_CANCEL)
		return;
	ob->ncancels++;
	ob_status(ob, i, OS_PENDING_CANCEL, why, t);
	ob->bk->cancel(ob->bk, ob, i, OB_END_REQUEST, t);
}

/*
 * A cancel: of an open order, the order; of a filled bracket entry, what
 * is open of its legs; of a leg, both legs.  A cancel of an order already
 * closed or being cancelled is ignored (counted).
 */
static enum ob_result
on_cancel(struct ob *ob, const struct ev *e, const char **err)
{
	const char *id, *batch, *strategy;
	struct ob_order *o;
	long k, l;
	int n = 0, j;

	if ((*err = get_str(ob, e, "id", &ob->s1, &id)) ||
	    (*err = get_str(ob, e, "batch", &ob->s2, &batch)) ||
	    (*err = get_str(ob, e, "strategy", &ob->s3, &strategy)))
		return OB_BAD;
	if (id == NULL) {
		*err = "missing \"id\"";
		return OB_BAD;
	}
	order_key(ob, batch, id);
	if ((k = sym_find(&ob->keys, ob->key.p, ob->key.len)) < 0) {
		snprintf(ob->err, sizeof(ob->err), "cancel for unknown order "
		    "\"%.60s\"", id);
		*err = ob->err;
		return OB_REFUSED;
	}
	o = &ob->ord[k];
	if (e->sym && strcmp(e->sym, o->sym) != 0) {
		snprintf(ob->err, sizeof(ob->err), "cancel for order "
		    "\"%.60s\" of another symbol", id);
		*err = ob->err;
		return OB_REFUSED;
	}
	if (o->parent >= 0)
		o = &ob->ord[o->parent];
	if (is_open(o) && o->state != OS_PENDING_CANCEL)
		n++;
	for (j = 0; j < 2; j++)
		if ((l = o->leg[j]) >= 0 && is_open(&ob->ord[l]) &&
		    ob->ord[l].state != OS_PENDING_CANCEL)
			n++;
	if (n == 0) {
		ob->ncancel_closed++;
		return OB_DONE;
	}
	nd_emit(e->line, e->len);
	k = o - ob->ord;
	cancel_one(ob, (size_t)k, e->t, NULL);
	for (j = 0; j < 2; j++)
		if ((l = ob->ord[k].leg[j]) >= 0)
			cancel_one(ob, (size_t)l, e->t, NULL);
	return OB_DONE;
}

/* Positions given: where a strategy's position starts. */
static enum ob_result
on_position(struct ob *ob, const struct ev *e, const char **err)
{
	const char *strategy, *horizon;
	double qty, avg;
	struct pos *p;
	size_t k;

	if (e->sym == NULL) {
		*err = "missing \"sym\"";
		return OB_BAD;
	}
	if ((*err = get_num(ob, e, "qty", &qty)) ||
	    (*err = get_num(ob, e, "avg_price", &avg)) ||
	    (*err = get_str(ob, e, "strategy", &ob->s1, &strategy)) ||
	    (*err = get_str(ob, e, "horizon", &ob->s2, &horizon)))
		return OB_BAD;
	if (isnan(qty)) {
		*err = "missing \"qty\"";
		return OB_BAD;
	}
	if (!isnan(avg) && !(avg > 0)) {
		*err = "position avg_price is not positive";
		return OB_REFUSED;
	}
	if (ob->o.pass)
		nd_emit(e->line, e->len);
	k = pos_index(ob, strategy, e->sym);	/* may move ob->pos */
	p = &ob->pos[k];
	p->qty = qty;
	p->cost = qty != 0 ? avg : NAN;
	p->swing = qty != 0 && horizon && strcmp(horizon, "swing") == 0;
	return OB_DONE;
}

/* Market events: checked here for every broker. */
static const char *
market_check(const struct ev *e)
{
	switch (e->type) {
	case EV_TRADE:
		if (!(e->price > 0))
			return "trade price is not positive";
		if (!(e->size > 0))
			return "trade size is not positive";
		return NULL;
	case EV_QUOTE:
		if (!(e->bid > 0 && e->ask > 0))
			return "quote price is not positive";
		if (e->bid > e->ask)
			return "crossed quote: bid above ask";
		return NULL;
	case EV_BAR:
		if (!(e->o > 0 && e->h > 0 && e->l > 0 && e->c > 0))
			return "bar price not positive";
		if (!(e->l <= e->o && e->o <= e->h && e->l <= e->c &&
		    e->c <= e->h))
			return "bar open or close outside its low-high range";
		return NULL;
	default:
		return NULL;
	}
}

static void
set_last(struct ob *ob, const char *sym, double px)
{
	uint32_t k = sym_intern(&ob->syms, sym, strlen(sym));

	if (k >= ob->nlast) {
		ob->last = xrealloc(ob->last, (k + 1) * sizeof(*ob->last));
		ob->nlast = k + 1;
	}
	ob->last[k] = px;
}

static enum ob_result
on_market(struct ob *ob, const struct ev *e, const char **err)
{
	if ((*err = market_check(e)) != NULL)
		return OB_REFUSED;
	if (ob->o.pass && ev_pass_once(e))
		nd_emit(e->line, e->len);
	if (e->type == EV_TRADE)
		set_last(ob, e->sym, e->price);
	else if (e->type == EV_BAR)
		set_last(ob, e->sym, e->c);
	else if (e->type == EV_QUOTE)
		set_last(ob, e->sym, (e->bid + e->ask) / 2);
	if (ob->risk)
		risk_market(ob->risk, ob, e);
	ob->bk->market(ob->bk, ob, e);
	return OB_DONE;
}

enum ob_result
ob_event(struct ob *ob, const struct ev *e, const char **err)
{
	*err = NULL;
	if (!ob->have_now || e->t > ob->now) {
		ob->now = e->t;
		ob->have_now = 1;
	}
	if (ob->eod)
		eod_run(ob, ob->eod, ob_clock(ob));
	switch (e->type) {
	case EV_FILL:
	case EV_ORDER_UPDATE:
		ob->nresults++;	/* never written again */
		return OB_DONE;
	case EV_ORDER:
		return on_order(ob, e, err);
	case EV_TRADE:
	case EV_QUOTE:
	case EV_BAR:
	case EV_CLOCK:
		return on_market(ob, e, err);
	default:
		break;
	}
	if (strcmp(e->evname, "cancel") == 0)
		return on_cancel(ob, e, err);
	if (strcmp(e->evname, "position") == 0)
		return on_position(ob, e, err);
	if (ob->risk && e->sym && strcmp(e->evname, "status") == 0)
		risk_status(ob->risk, ob, e);
	if (ob->o.pass && ev_pass_once(e))
		nd_emit(e->line, e->len);
	return OB_DONE;
}

void
ob_end(struct ob *ob, enum ob_end how)
{
	const struct ob_order *o;
	const char *name;
	uint64_t nopen = 0;
	size_t i;

	for (i = 0; i < ob->nord; i++) {
		if (!is_open(&ob->ord[i]))
			continue;
		if ((ob->ord[i].day || ob->ord[i].state ==
		    OS_PENDING_CANCEL) && !ob->o.keep_open) {
			ob->nended++;
			ob->bk->cancel(ob->bk, ob, i, how, ob_now(ob));
		}
	}
	if (!ob->o.verbose)
		return;
	warn("%llu orders, %llu rejected, %llu repeats ignored, %llu "
	    "duplicate ids rejected, %llu fills, %llu late fills, %llu stale "
	    "reports, %llu cancels, %llu cancels of closed orders, %llu "
	    "results read and dropped, %llu orders %s at the end",
	    (unsigned long long)ob->norders,
	    (unsigned long long)ob->nrejected,
	    (unsigned long long)ob->nrepeat, (unsigned long long)ob->ndup,
	    (unsigned long long)ob->nfills, (unsigned long long)ob->nlate,
	    (unsigned long long)ob->nstale,
	    (unsigned long long)ob->ncancels,
	    (unsigned long long)ob->ncancel_closed,
	    (unsigned long long)ob->nresults,
	    (unsigned long long)ob->nended,
	    how == OB_END_EOF ? "expired" : "canceled");
	for (i = 0; i < ob->nord; i++) {
		o = &ob->ord[i];
		if (is_open(o) && ++nopen <= 20)	/* a few, by name */
			warn("open: %.60s %s %.10g %.32s, %.10g filled",
			    o->id, ev_side_name(o->side), o->qty, o->sym,
			    o->filled);
	}
	for (i = 0; i < ob->npos; i++) {
		name = sym_name(&ob->poskeys, (uint32_t)i);
		if (ob->pos[i].qty != 0)
			warn("position: %.32s %.32s %.10g at %.10g",
			    *name ? name : "-", name + strlen(name) + 1,
			    ob->pos[i].qty, ob->pos[i].cost);
	}
	if (nopen)
		warn("%llu orders still open", (unsigned long long)nopen);
}

void
ob_free(struct ob *ob)
{
	struct ob_order *o;
	size_t i;

	if (ob == NULL)
		return;
	eod_free(ob->eod);
	if (ob->bk)
		ob->bk->release(ob->bk);
	risk_free(ob->risk);
	for (i = 0; i < ob->nord; i++) {
		o = &ob->ord[i];
		free(o->id);
		free(o->cid);
		free(o->oid);
		free(o->sym);
		free(o->strategy);
		free(o->batch);
		free(ob->pv[i].sig);
	}
	free(ob->ord);
	free(ob->pv);
	free(ob->pos);
	free(ob->last);
	free(ob->open);
	symtab_release(&ob->keys);
	symtab_release(&ob->cids);
	symtab_release(&ob->poskeys);
	symtab_release(&ob->syms);
	buf_release(&ob->out);
	buf_release(&ob->key);
	buf_release(&ob->sig);
	buf_release(&ob->s1);
	buf_release(&ob->s2);
	buf_release(&ob->s3);
	free(ob);
}

/* For the end of day (order_eod.h). */

int64_t
ob_clock(const struct ob *ob)
{
	return ob->o.live_clock ? liu_clock_ns() : ob_now(ob);
}

struct broker *
ob_broker(const struct ob *ob)
{
	return ob->bk;
}

size_t
ob_npos(const struct ob *ob)
{
	return ob->npos;
}

double
ob_pos_qty(const struct ob *ob, size_t p, int *swing, const char **strategy,
    const char **sym)
{
	const char *name;

	if (p >= ob->npos)
		bug("ob_pos_qty: no position %zu", p);
	name = sym_name(&ob->poskeys, (uint32_t)p);
	*swing = ob->pos[p].swing;
	*strategy = *name ? name : NULL;
	*sym = name + strlen(name) + 1;
	return ob->pos[p].qty;
}

double
ob_pos_pending(struct ob *ob, size_t p, enum ev_side side)
{
	return pending(ob, p, side, SIZE_MAX);
}

void
ob_cancel(struct ob *ob, size_t i, const char *tag, int64_t t)
{
	struct ob_order *o = ob_order(ob, i);
	struct buf *b;

	if (!is_open(o) || o->state == OS_PENDING_CANCEL)
		return;
	b = rec(ob, "cancel", t, o->sym);
	json_add_kstr(b, "id", o->id);
	if (o->strategy)
		json_add_kstr(b, "strategy", o->strategy);
	if (o->batch)
		json_add_kstr(b, "batch", o->batch);
	buf_adds(b, ",\"why\":{\"reason\":");
	json_add_str(b, tag, strlen(tag));
	buf_addc(b, '}');
	json_add_kstr(b, "tag", tag);
	rec_emit(ob);
	cancel_one(ob, i, t, tag);
}

long
ob_place(struct ob *ob, const char *line, size_t len, const char *tag)
{
	struct ev e = EV_INIT;
	const char *err = NULL;
	size_t n = ob->nord;
	long r = -1;

	if (ev_parse(&e, line, len, &err) < 0 || e.type != EV_ORDER)
		bug("ob_place: %s", err ? err : "not an order");
	ob->placing = tag;
	if (on_order(ob, &e, &err) == OB_DONE && ob->nord > n)
		r = (long)n;
	ob->placing = NULL;
	ev_release(&e);
	return r;
}

void
ob_tick(struct ob *ob)
{
	if (ob->eod)
		eod_run(ob, ob->eod, ob_clock(ob));
}
