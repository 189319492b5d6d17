/*
 * strategy_engine.c: per-symbol bars, per strategy and symbol
 * positions and orders, simulated fills, and the strategy API of
 * strategy.h.
 *
 * Memory: a symbol's state (struct eng_sym, its contexts and the
 * strategies' state blocks) is made on its first market event or pick and
 * kept to the end; its bar histories grow as bars come (keep_bar()).  At
 * most o.max_symbols symbols are made: the events of others are refused
 * (ENG_REFUSED), so a feed of endless new symbols cannot exhaust memory.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal.h"
#include "strategy_engine.h"
#include "ndjson.h"
#include "sym.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define NAME_MAX_LEN 32
#define SYM_MAX_LEN 32
#define BATCH_MAX_LEN 64
#define STAMP_MAX 16
#define ID_MAX (BATCH_MAX_LEN + NAME_MAX_LEN + SYM_MAX_LEN + STAMP_MAX + 32)
#define REASON_MAX 64
#define EPS 1e-9
/*
 * Bar histories start with no room and double from RING_MIN bars up to
 * what is kept (--history one-minute bars, S1_KEPT one-second bars), so a
 * symbol that has seen a trade or two costs a few hundred bytes, not the
 * 32 KiB of a full one-minute history.
 */
#define RING_MIN 8
#define S1_KEPT 300

enum otype { OT_MARKET, OT_LIMIT, OT_STOP };

struct eng_order {
	char id[ID_MAX];
	enum ev_side side;
	enum otype type;
	double qty, filled;
	double limit, stop, stop_loss, target;
	int nfill;
	int bracket;		/* the broker holds the exits of its fills */
	double exited;		/* bracket: shares its legs filled */
	int leg[2];		/* bracket: its stop and target legs */
	int canceled;		/* a cancel went out: tracked to the end */
	char why[REASON_MAX];	/* the cancel's reason */
};

/* A bracket's leg, as its events tell: not seen yet, working, done. */
enum { LEG_UNSEEN, LEG_OPEN, LEG_DONE };

struct kv {
	char *key;
	double v;
};

struct eng;

/* A portfolio strategy's book (strategy.h), one per strategy. */
struct strat_book {
	struct eng *eng;
	struct eng_strat *es;
	void *st;		/* book state, owned */
	int64_t now, tf;
};

struct eng_strat {
	const struct strategy *s;
	struct strat_book *book;	/* a portfolio strategy's, or NULL */
	double cash;		/* capital, less buys, plus sells, less fees */
	struct kv *kv;		/* --param NAME.key=v */
	size_t nkv;
	/* engine parameters, resolved when the first event comes */
	double start, duration, flatten, cooldown, pv;
	int bracket;
	int swing;		/* positions kept overnight */
};

struct eng_sym;

struct strat_ctx {
	struct eng *eng;
	struct eng_strat *es;
	struct eng_sym *sym;
	void *st;		/* per-symbol state, owned */
	int started, rejected;
	double pos, cost, realized;
	double stop_loss, target;
	int64_t cool_until;
	uint64_t norders;
	struct eng_order *ord;	/* open orders, owned */
	size_t nord, cord;
};

struct eng_sym {
	char *name;		/* owned by the symbol table */
	struct bar_ring m1, s1;
	struct bar_ring d1, mo;	/* daily and monthly bars */
	struct bar_builder b1m, b1s;
	int official;		/* official one-minute bars seen */
	int daily;		/* daily or monthly bars seen: no session */
	int64_t last_trade, last_quote, last_bar, last_bar_s;
	int64_t last_bar_d, last_bar_mo;
	int64_t now;
	double last;		/* last price, NAN */
	int picked;
	uint64_t pick_mask;
	int64_t day_start, day_end, open, close;
	int64_t pos_t;		/* the latest --positions time, or MIN */
	struct strat_ctx *cx;	/* one per strategy, owned */
};

struct eng {
	struct eng_opts o;
	struct eng_strat *st;
	size_t nst;
	struct kv *gkv;		/* --param key=v */
	size_t ngkv;
	int ready;
	int warming;		/* a "hist":true bar: history, never orders */
	struct symtab syms;
	struct eng_sym **sym;
	size_t nsym, csym;
	struct buf out;
	char err[256];
	char stamp[STAMP_MAX];	/* of live ids, or "" */
	size_t stamplen;
	struct symtab execs;	/* the exec_ids of the fills applied */
	/* portfolio strategies */
	int nbook;		/* how many are loaded */
	int64_t book_g;		/* daily data: the last bar time, or MIN */
	int64_t book_gtf;	/* its timeframe */
	int book_owed;		/* the call for book_g is still to be made */
	int book_daily;		/* daily (monthly) bars seen */
	int64_t book_m;		/* intraday: the last schedule time, or MIN */
	int64_t book_day, book_open, book_close;	/* book_m's session */
	struct queued *q;	/* orders held during on_portfolio */
	size_t nq, cq;
	int holding;		/* in on_portfolio: strat_order() queues */
	int64_t book_now;	/* the time of that call */
	uint64_t nbookcalls;
	/* counters for -v */
	uint64_t nev, nbars, norders, nfills, ndrops, nrefused;
	uint64_t ncancels, ndups, nrejected;
};

/* An order held during on_portfolio, with copies of its strings. */
struct queued {
	struct strat_ctx *cx;
	struct strat_order o;
	char reason[REASON_MAX];
	char key[STRAT_WHY_MAX][32];
};

/* Parameters the engine itself reads, with their defaults. */
static const struct strat_param eng_params[] = {
	{ "start", 0 },		/* minutes after the open */
	{ "duration", 390 },	/* minutes entries stay allowed */
	{ "flatten", 10 },	/* minutes before the close to go flat */
	{ "cooldown", 5 },	/* minutes without entries after an exit */
	{ "portfolio_value", 100000 },
	{ "bracket", 0 },	/* 1: the broker holds entries' exits */
	{ "swing", 0 },		/* 1: positions kept overnight */
	{ NULL, 0 }
};

/*
 * The stamp of live ids: the start in milliseconds, base 36, 8 digits
 * until 2059.  Two starts a millisecond apart have different stamps, and
 * liu-route waits at least 100 ms before it restarts a shard.
 */
static void
id_stamp(int64_t start, char *b, size_t *len)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	uint64_t ms = (uint64_t)(start / 1000000);
	char tmp[STAMP_MAX];
	size_t n = 0, i;

	do {
		tmp[n++] = digits[ms % 36];
		ms /= 36;
	} while (ms > 0 && n < STAMP_MAX - 1);
	for (i = 0; i < n; i++)
		b[i] = tmp[n - 1 - i];
	b[n] = '\0';
	*len = n;
}

struct eng *
eng_new(const struct eng_opts *o)
{
	struct eng *e = xcalloc(1, sizeof(*e));
	struct symtab st = SYMTAB_INIT;
	struct buf b = BUF_INIT;

	e->o = *o;
	if (e->o.history < 16)
		e->o.history = 16;
	e->syms = st;
	e->execs = st;
	e->out = b;
	if (!o->fill_sim && o->start > 0)
		id_stamp(o->start, e->stamp, &e->stamplen);
	return e;
}

/*
 * Other names of strategies, honoured wherever a name comes from outside:
 * the command line, --param, a pick's "strategies" and the "strategy" of
 * drop, fill and order_update.  Ids and output carry the real name.
 * "momentum" is the name of the mission's own example,
 * "liu-route -n 8 liu-strategy momentum".
 */
static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "momentum", "momentum_long" },
};

/* The name that the n bytes at p are an alias of, or NULL. */
static const char *
alias_of(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strlen(aliases[i].alias) == n &&
		    memcmp(aliases[i].alias, p, n) == 0)
			return aliases[i].name;
	return NULL;
}

const char *
eng_strategy_name(const char *name)
{
	const char *real = alias_of(name, strlen(name));

	return real ? real : name;
}

/* Whether the n bytes at p name the strategy s, by its name or an alias. */
static int
names(const struct strategy *s, const char *p, size_t n)
{
	const char *real = alias_of(p, n);

	if (real) {
		p = real;
		n = strlen(real);
	}
	return strlen(s->name) == n && memcmp(s->name, p, n) == 0;
}

static int
valid_name(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_'))
			return 0;
	return n > 0 && n <= NAME_MAX_LEN;
}

int
eng_is_portfolio(const struct strategy *s)
{
	return s->api >= 3 && s->api <= LIU_STRATEGY_API &&
	    s->on_portfolio != NULL;
}

int
eng_add(struct eng *e, const struct strategy *s, const char **err)
{
	size_t i;

	if (s->api < 1 || s->api > LIU_STRATEGY_API) {
		*err = "strategy API version mismatch";
		return -1;
	}
	if (s->name == NULL || !valid_name(s->name)) {
		*err = "strategy name is not 1-32 of [a-z0-9_]";
		return -1;
	}
	if (alias_of(s->name, strlen(s->name))) {
		*err = "strategy name is an alias of a built-in";
		return -1;
	}
	for (i = 0; i < e->nst; i++)
		if (strcmp(e->st[i].s->name, s->name) == 0) {
			*err = "strategy loaded twice";
			return -1;
		}
	if (e->nst == 64) {
		*err = "too many strategies (64 at most)";
		return -1;
	}
	if (s->api >= 3 && s->on_portfolio == NULL && s->book_state_size) {
		*err = "book_state_size without on_portfolio";
		return -1;
	}
	e->st = xrealloc(e->st, (e->nst + 1) * sizeof(*e->st));
	memset(&e->st[e->nst], 0, sizeof(e->st[0]));
	e->st[e->nst++].s = s;
	if (eng_is_portfolio(s))
		e->nbook++;
	return 0;
}

static int
knows(const struct strategy *s, const char *key)
{
	const struct strat_param *p;

	for (p = eng_params; p->key; p++)
		if (strcmp(p->key, key) == 0)
			return 1;
	if (s == NULL)
		return 0;
	for (p = s->params; p && p->key; p++)
		if (strcmp(p->key, key) == 0)
			return 1;
	return 0;
}

static void
kv_set(struct kv **kv, size_t *n, const char *key, size_t klen, double v)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strlen((*kv)[i].key) == klen &&
		    memcmp((*kv)[i].key, key, klen) == 0) {
			(*kv)[i].v = v;
			return;
		}
	*kv = xrealloc(*kv, (*n + 1) * sizeof(**kv));
	(*kv)[*n].key = xstrndup(key, klen);
	(*kv)[*n].v = v;
	(*n)++;
}

int
eng_param(struct eng *e, const char *kv, const char **err)
{
	const char *eq = strchr(kv, '='), *dot, *key;
	char *end, name[NAME_MAX_LEN + 1], k[64];
	size_t i, klen;
	double v;

	if (eq == NULL || eq == kv) {
		*err = "parameter is not KEY=VALUE";
		return -1;
	}
	v = strtod(eq + 1, &end);
	if (eq[1] == '\0' || *end != '\0' || !isfinite(v)) {
		*err = "parameter value is not a finite number";
		return -1;
	}
	dot = memchr(kv, '.', (size_t)(eq - kv));
	key = dot ? dot + 1 : kv;
	klen = (size_t)(eq - key);
	if (klen == 0 || klen >= sizeof(k)) {
		*err = "parameter name is empty or too long";
		return -1;
	}
	memcpy(k, key, klen);
	k[klen] = '\0';
	if (dot == NULL) {
		for (i = 0; i < e->nst; i++)
			if (knows(e->st[i].s, k))
				break;
		if (i == e->nst && !knows(NULL, k)) {
			*err = "no strategy has that parameter";
			return -1;
		}
		kv_set(&e->gkv, &e->ngkv, key, klen, v);
		return 0;
	}
	if ((size_t)(dot - kv) > NAME_MAX_LEN) {
		*err = "no such strategy loaded";
		return -1;
	}
	memcpy(name, kv, (size_t)(dot - kv));
	name[dot - kv] = '\0';
	for (i = 0; i < e->nst; i++)
		if (names(e->st[i].s, name, strlen(name)))
			break;
	if (i == e->nst) {
		*err = "no such strategy loaded";
		return -1;
	}
	if (!knows(e->st[i].s, k)) {
		*err = "the strategy has no such parameter";
		return -1;
	}
	kv_set(&e->st[i].kv, &e->st[i].nkv, key, klen, v);
	return 0;
}

static double
param(const struct eng *e, const struct eng_strat *es, const char *key)
{
	const struct strat_param *p;
	size_t i;

	for (i = 0; i < es->nkv; i++)
		if (strcmp(es->kv[i].key, key) == 0)
			return es->kv[i].v;
	for (i = 0; i < e->ngkv; i++)
		if (strcmp(e->gkv[i].key, key) == 0)
			return e->gkv[i].v;
	for (p = es->s->params; p && p->key; p++)
		if (strcmp(p->key, key) == 0)
			return p->def;
	for (p = eng_params; p->key; p++)
		if (strcmp(p->key, key) == 0)
			return p->def;
	return NAN;
}

static void
resolve(struct eng *e)
{
	struct eng_strat *es;
	size_t i;

	for (i = 0; i < e->nst; i++) {
		es = &e->st[i];
		es->start = param(e, es, "start") * TM_NS_PER_MIN;
		es->duration = param(e, es, "duration") * TM_NS_PER_MIN;
		es->flatten = param(e, es, "flatten") * TM_NS_PER_MIN;
		es->cooldown = param(e, es, "cooldown") * TM_NS_PER_MIN;
		es->pv = param(e, es, "portfolio_value");
		es->bracket = param(e, es, "bracket") != 0;
		es->swing = param(e, es, "swing") != 0;
		es->cash = isnan(e->o.capital) ? es->pv : e->o.capital;
		if (eng_is_portfolio(es->s)) {
			es->book = xcalloc(1, sizeof(*es->book));
			es->book->eng = e;
			es->book->es = es;
			if (es->s->book_state_size)
				es->book->st = xcalloc(1,
				    es->s->book_state_size);
		}
	}
	e->book_g = e->book_m = e->book_day = INT64_MIN;
	e->ready = 1;
}

/* Symbols. */

static int
valid_sym(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (*s <= ' ' || *s >= 0x7f || *s == '"' || *s == '\\')
			return 0;
	return n > 0 && n <= SYM_MAX_LEN;
}

static struct eng_sym *
find_sym(const struct eng *e, const char *name)
{
	long id = sym_find(&e->syms, name, strlen(name));

	return id < 0 ? NULL : e->sym[id];
}

/* The symbol's state, made if new; NULL if new past max_symbols. */
static struct eng_sym *
get_sym(struct eng *e, const char *name)
{
	struct eng_sym *s;
	size_t i, len = strlen(name);
	long found;
	uint32_t id;

	if ((found = sym_find(&e->syms, name, len)) >= 0)
		return e->sym[found];
	if (e->nsym >= e->o.max_symbols)
		return NULL;
	id = sym_intern(&e->syms, name, len);
	if (id != e->nsym)
		bug("get_sym: symbol id %u for symbol %zu", id, e->nsym);
	if (e->nsym == e->csym) {
		e->csym = e->csym ? 2 * e->csym : 64;
		e->sym = xrealloc(e->sym, e->csym * sizeof(*e->sym));
	}
	s = xcalloc(1, sizeof(*s));
	s->name = (char *)sym_name(&e->syms, id);
	s->b1m.tf = STRAT_TF_1M;
	if (e->o.seconds)
		s->b1s.tf = STRAT_TF_1S;
	s->last_trade = s->last_quote = INT64_MIN;
	s->last_bar = s->last_bar_s = INT64_MIN;
	s->last_bar_d = s->last_bar_mo = INT64_MIN;
	s->now = INT64_MIN;
	s->last = NAN;
	s->day_start = s->day_end = INT64_MIN;
	s->pos_t = INT64_MIN;
	s->cx = xcalloc(e->nst, sizeof(*s->cx));
	for (i = 0; i < e->nst; i++) {
		s->cx[i].eng = e;
		s->cx[i].es = &e->st[i];
		s->cx[i].sym = s;
		s->cx[i].cost = NAN;
		s->cx[i].stop_loss = s->cx[i].target = NAN;
	}
	e->sym[e->nsym++] = s;
	return s;
}

/* Move the symbol's clock to t (never back) and its session with it. */
static void
advance(struct eng *e, struct eng_sym *s, int64_t t)
{
	int64_t local, mid, open;
	size_t i;

	if (t > s->now)
		s->now = t;
	if (s->now >= s->day_start && s->now < s->day_end)
		return;
	local = cal_ny_local_ns(s->now);
	mid = s->now - local;
	s->day_start = mid;
	s->day_end = mid + TM_NS_PER_DAY;
	open = cal_session_open(s->now);
	if (open >= 0) {
		s->open = open;
		s->close = cal_session_close(s->now);
	} else {
		/* no session (weekend, holiday): regular hours by rule */
		s->open = mid + CAL_OPEN_NS;
		s->close = mid + CAL_CLOSE_NS;
	}
	/* a new session: the reject set and cool-downs start over */
	for (i = 0; i < e->nst; i++) {
		s->cx[i].rejected = 0;
		s->cx[i].cool_until = 0;
	}
}

/* Output. */

static void
add_time(struct buf *b, const char *key, int64_t t)
{
	char ts[TM_RFC3339_MAX];
	size_t n = tm_format(t, ts);

	json_add_key(b, key);
	json_add_str(b, ts, n);
}

/* Start an event: {"ev":NAME,"t":T,"sym":S */
static struct buf *
record_start(struct eng *e, const char *ev, int64_t t, const char *sym)
{
	struct buf *b = &e->out;

	buf_reset(b);
	buf_adds(b, "{\"ev\":");
	json_add_str(b, ev, strlen(ev));
	add_time(b, "t", t);
	json_add_kstr(b, "sym", sym);
	return b;
}

/* Close the record record_start() began and emit it. */
static void
record_emit(struct eng *e)
{
	buf_addc(&e->out, '}');
	nd_emit(e->out.p, e->out.len);
}

/*
 * Whether the context's positions are kept overnight: a swing strategy,
 * or a symbol traded on daily or monthly bars (no session to flatten in).
 */
static int
keeps_overnight(const struct strat_ctx *cx)
{
	return cx->es->swing || cx->sym->daily;
}

static const char *
otype_name(enum otype t)
{
	return t == OT_LIMIT ? "limit" : t == OT_STOP ? "stop" : "market";
}

static void
emit_order(struct strat_ctx *cx, const struct eng_order *o,
    const struct strat_order *req)
{
	struct eng *e = cx->eng;
	struct buf *b = record_start(e, "order", cx->sym->now, cx->sym->name);
	int i;

	json_add_kstr(b, "id", o->id);
	json_add_kstr(b, "side", ev_side_name(o->side));
	json_add_knum(b, "qty", o->qty);
	json_add_kstr(b, "type", otype_name(o->type));
	if (o->type == OT_LIMIT)
		json_add_knum(b, "limit", o->limit);
	if (o->type == OT_STOP)
		json_add_knum(b, "stop", o->stop);
	json_add_kstr(b, "tif", "day");
	if (keeps_overnight(cx) && (o->side == SIDE_BUY ||
	    o->side == SIDE_SELL_SHORT))
		json_add_kstr(b, "horizon", "swing");
	json_add_kstr(b, "strategy", cx->es->s->name);
	if (e->o.batch)
		json_add_kstr(b, "batch", e->o.batch);
	if (o->bracket) {
		json_add_key(b, "bracket");
		buf_adds(b, "true");
	}
	if (isfinite(o->stop_loss))
		json_add_knum(b, "stop_loss", o->stop_loss);
	if (isfinite(o->target))
		json_add_knum(b, "target", o->target);
	json_add_key(b, "why");
	buf_adds(b, "{\"reason\":");
	json_add_str(b, req->reason ? req->reason : "signal",
	    strlen(req->reason ? req->reason : "signal"));
	for (i = 0; i < req->nwhy && i < STRAT_WHY_MAX; i++)
		json_add_knum(b, req->why_key[i], req->why_val[i]);
	buf_addc(b, '}');
	record_emit(e);
	e->norders++;
}

static void
emit_fill(struct strat_ctx *cx, const struct eng_order *o, double qty,
    double price, double fee, int64_t t)
{
	struct eng *e = cx->eng;
	struct buf *b = record_start(e, "fill", t, cx->sym->name);

	json_add_kstr(b, "id", o->id);
	json_add_key(b, "exec_id");
	buf_addc(b, '"');
	buf_adds(b, o->id);
	buf_addc(b, '-');
	buf_addi64(b, o->nfill);
	buf_addc(b, '"');
	json_add_kstr(b, "side", ev_side_name(o->side));
	json_add_knum(b, "qty", qty);
	json_add_knum(b, "price", price);
	json_add_knum(b, "fee", fee);
	json_add_key(b, "partial");
	buf_adds(b, o->filled + EPS < o->qty ? "true" : "false");
	json_add_kstr(b, "strategy", cx->es->s->name);
	if (e->o.batch)
		json_add_kstr(b, "batch", e->o.batch);
	if (isfinite(o->stop_loss))
		json_add_knum(b, "stop_loss", o->stop_loss);
	if (isfinite(o->target))
		json_add_knum(b, "target", o->target);
	record_emit(e);
	e->nfills++;
}

static void
emit_cancel(struct strat_ctx *cx, const struct eng_order *o,
    const char *reason)
{
	struct eng *e = cx->eng;
	struct buf *b = record_start(e, "cancel", cx->sym->now, cx->sym->name);

	json_add_kstr(b, "id", o->id);
	json_add_kstr(b, "strategy", cx->es->s->name);
	if (e->o.batch)
		json_add_kstr(b, "batch", e->o.batch);
	json_add_key(b, "why");
	buf_adds(b, "{\"reason\":");
	json_add_str(b, reason, strlen(reason));
	buf_addc(b, '}');
	record_emit(e);
	e->ncancels++;
}

static void
emit_drop(struct strat_ctx *cx, const char *why)
{
	struct eng *e = cx->eng;
	struct buf *b = record_start(e, "drop", cx->sym->now, cx->sym->name);

	json_add_kstr(b, "strategy", cx->es->s->name);
	json_add_kstr(b, "why", why ? why : "rejected");
	record_emit(e);
	e->ndrops++;
}

/* Positions and orders. */

static int
is_buy(enum ev_side s)
{
	return s == SIDE_BUY || s == SIDE_BUY_TO_COVER;
}

/* Quantity that open orders of 'side' still want. */
static double
pending(const struct strat_ctx *cx, enum ev_side side)
{
	double q = 0;
	size_t i;

	for (i = 0; i < cx->nord; i++)
		if (cx->ord[i].side == side)
			q += cx->ord[i].qty - cx->ord[i].filled;
	return q;
}

static void
remove_order(struct strat_ctx *cx, size_t i)
{
	memmove(&cx->ord[i], &cx->ord[i + 1],
	    (cx->nord - i - 1) * sizeof(cx->ord[0]));
	cx->nord--;
}

/*
 * The engine no longer wants order i: a "cancel" goes out (once).  With
 * sim fills the order is gone at once; live it stays tracked until its
 * final update or last fill, since it may fill until the broker has
 * cancelled it.  Returns 1 if the order was removed.
 */
static int
forget(struct strat_ctx *cx, size_t i, const char *reason)
{
	struct eng_order *o = &cx->ord[i];

	if (!o->canceled) {
		emit_cancel(cx, o, reason);
		snprintf(o->why, sizeof(o->why), "%s", reason);
	}
	o->canceled = 1;
	if (!cx->eng->o.fill_sim)
		return 0;
	remove_order(cx, i);
	return 1;
}

/* The side that exits a position opened by 'side'. */
static enum ev_side
exit_side(enum ev_side side)
{
	return side == SIDE_BUY ? SIDE_SELL : side == SIDE_SELL_SHORT ?
	    SIDE_BUY_TO_COVER : SIDE_NONE;
}

/* Whether both legs of a bracket are done: the broker holds no exit. */
static int
legs_done(const struct eng_order *o)
{
	return o->leg[0] == LEG_DONE && o->leg[1] == LEG_DONE;
}

/*
 * Whether the broker holds exits of this position: live, a bracket order
 * filled more than its legs have, with a leg that may still fill (or is
 * still to be placed).  The engine then sends no exit of its own.
 */
static int
broker_holds(const struct strat_ctx *cx)
{
	const struct eng_order *o;
	size_t i;

	if (cx->eng->o.fill_sim)
		return 0;
	for (i = 0; i < cx->nord; i++) {
		o = &cx->ord[i];
		if (o->bracket && o->filled > o->exited + EPS && !legs_done(o))
			return 1;
	}
	return 0;
}

/*
 * Apply a fill of qty at price on 'side' to the position; an entry's fill
 * sets the stop and target it carries.  The caller has checked that it
 * does not sell or cover more than is held.
 */
static void
apply_fill(struct strat_ctx *cx, enum ev_side side, const struct eng_order *o,
    double qty, double price, double fee)
{
	double pos = cx->pos;

	cx->es->cash += (is_buy(side) ? -qty : qty) * price - fee;
	if (is_buy(side)) {
		if (pos >= 0) {
			cx->cost = pos > 0 ? (cx->cost * pos + price * qty) /
			    (pos + qty) : price;
		} else
			cx->realized += (cx->cost - price) * qty;
		cx->pos = pos + qty;
	} else {
		if (pos <= 0) {
			cx->cost = pos < 0 ? (cx->cost * -pos + price * qty) /
			    (-pos + qty) : price;
		} else
			cx->realized += (price - cx->cost) * qty;
		cx->pos = pos - qty;
	}
	cx->realized -= fee;
	if (fabs(cx->pos) < EPS) {
		cx->pos = 0;
		cx->cost = NAN;
		cx->stop_loss = cx->target = NAN;
		cx->cool_until = cx->sym->now + (int64_t)cx->es->cooldown;
	} else if (side == SIDE_BUY || side == SIDE_SELL_SHORT) {
		if (isfinite(o->stop_loss))
			cx->stop_loss = o->stop_loss;
		if (isfinite(o->target))
			cx->target = o->target;
	}
}

static void
call_start(struct strat_ctx *cx)
{
	const struct strategy *s = cx->es->s;

	if (cx->started)
		return;
	cx->started = 1;
	if (s->state_size)
		cx->st = xcalloc(1, s->state_size);
	if (s->on_start)
		s->on_start(cx, cx->st);
}

/* Whether the strategy hears this symbol's events. */
static int
listening(const struct strat_ctx *cx)
{
	const struct eng_sym *s = cx->sym;
	size_t k = (size_t)(cx->es - cx->eng->st);

	if (cx->rejected)
		return 0;
	if (s->picked)
		return (s->pick_mask >> k) & 1;
	return !cx->eng->o.require_pick;
}

static void
fill_order(struct strat_ctx *cx, size_t i, double price, int64_t t)
{
	struct eng *e = cx->eng;
	struct eng_order *o = &cx->ord[i];
	struct strat_fill f;
	double qty = o->qty - o->filled, fee;

	/* an exit never sells or covers more than is held */
	if (o->side == SIDE_SELL && qty > cx->pos)
		qty = cx->pos;
	if (o->side == SIDE_BUY_TO_COVER && qty > -cx->pos)
		qty = -cx->pos;
	if (qty < EPS) {
		remove_order(cx, i);	/* nothing left to exit */
		return;
	}
	fee = round(qty * e->o.commission * 1e4) / 1e4;
	o->filled += qty;
	o->nfill++;
	apply_fill(cx, o->side, o, qty, price, fee);
	emit_fill(cx, o, qty, price, fee, t);
	f.id = o->id;
	f.side = o->side;
	f.qty = qty;
	f.price = price;
	f.fee = fee;
	f.t = t;
	f.partial = 0;
	remove_order(cx, i);
	if (cx->started && cx->es->s->on_fill)
		cx->es->s->on_fill(cx, cx->st, &f);
}

/* A market event as the simulator sees it. */
struct mkt {
	int64_t t;
	double buy, sell;	/* market prices for a buy and a sell */
	double lo, hi;		/* the range traded */
	double open;		/* a bar's open, or the trade price */
	int bar;
};

static double
slip(const struct eng *e, double px, int buy)
{
	double d = e->o.slip_cents ? e->o.slippage / 100 :
	    px * e->o.slippage / 1e4;

	px = buy ? px + d : px - d;
	px = round(px * 1e4) / 1e4;
	return px > 0 ? px : 0.0001;
}

/* The price an order fills at on this event, or NAN. */
static double
sim_price(const struct eng *e, const struct eng_order *o,
    const struct mkt *m)
{
	int buy = is_buy(o->side);
	double px = buy ? m->buy : m->sell;

	if (!(px > 0))
		return NAN;
	switch (o->type) {
	case OT_MARKET:
		return slip(e, px, buy);
	case OT_LIMIT:
		if (m->bar) {
			if (buy && m->lo <= o->limit)
				return fmin(m->open, o->limit);
			if (!buy && m->hi >= o->limit)
				return fmax(m->open, o->limit);
			return NAN;
		}
		if (buy ? px <= o->limit : px >= o->limit)
			return px;
		return NAN;
	case OT_STOP:
		if (m->bar) {
			if (buy && m->hi >= o->stop)
				return slip(e, fmax(m->open, o->stop), 1);
			if (!buy && m->lo <= o->stop)
				return slip(e, fmin(m->open, o->stop), 0);
			return NAN;
		}
		if (buy ? px >= o->stop : px <= o->stop)
			return slip(e, px, buy);
		return NAN;
	}
	return NAN;
}

static void
sim_fills(struct eng *e, struct eng_sym *s, const struct mkt *m)
{
	struct strat_ctx *cx;
	size_t k, i;
	double px;

	if (!e->o.fill_sim)
		return;
	for (k = 0; k < e->nst; k++) {
		cx = &s->cx[k];
		for (i = 0; i < cx->nord; ) {
			px = sim_price(e, &cx->ord[i], m);
			if (isnan(px)) {
				i++;
				continue;
			}
			fill_order(cx, i, px, m->t);
		}
	}
}

/*
 * Exit the position.  Orders that would add to it are cancelled (a
 * bracket entry with them, which takes its exits back from the broker);
 * exits already sent stay.  While the broker holds exits, the exit waits
 * for the bracket's final update: the caller asks again later.
 */
static void
exit_reason(struct strat_ctx *cx, const char *reason, double price)
{
	struct strat_order o = STRAT_ORDER_INIT;
	double q;
	size_t i;

	for (i = 0; i < cx->nord; )
		if ((cx->ord[i].side == SIDE_BUY ||
		    cx->ord[i].side == SIDE_SELL_SHORT) &&
		    !cx->ord[i].canceled && forget(cx, i, reason))
			continue;
		else
			i++;
	if (broker_holds(cx))
		return;
	if (cx->pos > 0) {
		o.side = SIDE_SELL;
		q = cx->pos - pending(cx, SIDE_SELL);
	} else if (cx->pos < 0) {
		o.side = SIDE_BUY_TO_COVER;
		q = -cx->pos - pending(cx, SIDE_BUY_TO_COVER);
	} else
		return;
	if (q < EPS)
		return;
	o.qty = q;
	o.reason = reason;
	if (isfinite(price))
		strat_why(&o, "price", price);
	if (isfinite(cx->stop_loss))
		strat_why(&o, "stop_loss", cx->stop_loss);
	if (isfinite(cx->target))
		strat_why(&o, "target", cx->target);
	strat_order(cx, &o);
}

/* The engine's own exits on a market range [lo, hi] at price 'px'. */
static void
guard(struct strat_ctx *cx, double lo, double hi, double px)
{
	if (cx->pos == 0)
		return;
	if (!keeps_overnight(cx) &&
	    cx->sym->now >= cx->sym->close - (int64_t)cx->es->flatten) {
		exit_reason(cx, "flatten", px);
		return;
	}
	if (broker_holds(cx))
		return;		/* a bracket: the broker's stop and target */
	if (cx->pos > 0) {
		if (lo <= cx->stop_loss)
			exit_reason(cx, "stop", px);
		else if (hi >= cx->target)
			exit_reason(cx, "target", px);
	} else {
		if (hi >= cx->stop_loss)
			exit_reason(cx, "stop", px);
		else if (lo <= cx->target)
			exit_reason(cx, "target", px);
	}
}

/* Put a bar in a history of at most 'max' bars, growing it when full. */
static enum bar_put
keep_bar(struct bar_ring *r, const struct bar *b, size_t max)
{
	size_t cap;

	if (r->len == r->cap && r->cap < max) {
		cap = r->cap ? 2 * r->cap : RING_MIN;
		bar_ring_grow(r, cap < max ? cap : max);
	}
	return bar_ring_put(r, b);
}

/* The history of tf (1s, 1m, 1d, 1mo), or NULL for another tf. */
static struct bar_ring *
ring_of(struct eng_sym *s, int64_t tf)
{
	switch (tf) {
	case STRAT_TF_1S: return &s->s1;
	case STRAT_TF_1M: return &s->m1;
	case STRAT_TF_1D: return &s->d1;
	case STRAT_TF_1MO: return &s->mo;
	default: return NULL;
	}
}

/* The last bar kept for tf (1m, 1s, 1d or 1mo), or NULL. */
static const struct bar *
last_bar(struct eng_sym *s, int64_t tf)
{
	return bar_ring_ago(ring_of(s, tf), 0);
}

/*
 * Bar b replaced 'was', the last bar kept for tf: the strategies that saw
 * it take it back (on_bar_update, API 2).
 */
static void
bar_again(struct eng *e, struct eng_sym *s, const struct bar *was,
    const struct bar *b, int64_t tf)
{
	const struct strategy *st;
	struct strat_ctx *cx;
	size_t k;

	for (k = 0; k < e->nst; k++) {
		cx = &s->cx[k];
		st = cx->es->s;
		if (cx->started && listening(cx) && st->api >= 2 &&
		    st->on_bar_update)
			st->on_bar_update(cx, cx->st, was, b, tf);
	}
}

static void
deliver_bar(struct eng *e, struct eng_sym *s, const struct bar *b,
    int64_t tf, int official)
{
	struct strat_ctx *cx;
	const struct bar *last = last_bar(s, tf);
	struct bar was;
	enum bar_put r;
	size_t k;
	int again = last && last->t == b->t;

	if (again)
		was = *last;
	r = keep_bar(ring_of(s, tf), b, tf == STRAT_TF_1S ? S1_KEPT :
	    e->o.history);
	e->nbars++;
	if (again) {
		bar_again(e, s, &was, b, tf);
		return;
	}
	if (r == BAR_REPLACED || r == BAR_TOO_OLD)
		return;		/* official, for a bar before the last */
	for (k = 0; k < e->nst; k++) {
		cx = &s->cx[k];
		if (official && !e->warming)
			guard(cx, b->l, b->h, b->c);
		if (!listening(cx))
			continue;
		call_start(cx);
		if (cx->es->s->on_bar)
			cx->es->s->on_bar(cx, cx->st, b, tf);
	}
}

static void
flush_built(struct eng *e, struct eng_sym *s, int64_t now)
{
	struct bar b;

	if (!s->official && bar_builder_flush(&s->b1m, now, &b))
		deliver_bar(e, s, &b, STRAT_TF_1M, 0);
	if (e->o.seconds && bar_builder_flush(&s->b1s, now, &b))
		deliver_bar(e, s, &b, STRAT_TF_1S, 0);
}

/* The event is bad: the message goes to *err, for the reader's policy. */
static enum eng_result __attribute__((format(printf, 3, 4)))
bad_event(struct eng *e, const char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->err, sizeof(e->err), fmt, ap);
	va_end(ap);
	*err = e->err;
	return ENG_BAD;
}

static enum eng_result
refused(struct eng *e, const char **err, const char *sym)
{
	snprintf(e->err, sizeof(e->err), "symbol \"%s\" refused: "
	    "--max-symbols %zu reached", sym, e->o.max_symbols);
	*err = e->err;
	return ENG_REFUSED;
}

/* Copy a market event to the output, if the options ask for it. */
static void
pass_on(struct eng *e, const struct ev *ev)
{
	if (e->o.pass_market)
		nd_emit(ev->line, ev->len);
}

static enum eng_result
on_trade(struct eng *e, const struct ev *ev, const char **err)
{
	struct eng_sym *s;
	struct strat_ctx *cx;
	struct mkt m;
	struct bar b;
	size_t k;

	if (!isfinite(ev->price) || ev->price <= 0)
		return bad_event(e, err, "trade price is not positive");
	if (!isfinite(ev->size) || ev->size <= 0)
		return bad_event(e, err, "trade size is not positive");
	if ((s = get_sym(e, ev->sym)) == NULL)
		return refused(e, err, ev->sym);
	if (ev->t < s->last_trade)
		return bad_event(e, err, "time going backwards for \"%s\"",
		    s->name);
	pass_on(e, ev);
	s->last_trade = ev->t;
	advance(e, s, ev->t);
	flush_built(e, s, ev->t);
	m.t = ev->t;
	m.buy = m.sell = m.lo = m.hi = m.open = ev->price;
	m.bar = 0;
	sim_fills(e, s, &m);
	s->last = ev->price;
	if (!s->official && bar_builder_trade(&s->b1m, ev->t, ev->price,
	    ev->size, &b))
		deliver_bar(e, s, &b, STRAT_TF_1M, 0);
	if (e->o.seconds && bar_builder_trade(&s->b1s, ev->t, ev->price,
	    ev->size, &b))
		deliver_bar(e, s, &b, STRAT_TF_1S, 0);
	for (k = 0; k < e->nst; k++) {
		cx = &s->cx[k];
		guard(cx, ev->price, ev->price, ev->price);
		if (!listening(cx))
			continue;
		call_start(cx);
		if (cx->es->s->on_trade)
			cx->es->s->on_trade(cx, cx->st, ev);
	}
	return ENG_DONE;
}

static enum eng_result
on_quote(struct eng *e, const struct ev *ev, const char **err)
{
	struct eng_sym *s;
	struct strat_ctx *cx;
	struct mkt m;
	size_t k;

	if (!isfinite(ev->bid) || !isfinite(ev->ask) || ev->bid < 0 ||
	    ev->ask < 0)
		return bad_event(e, err, "quote price is negative");
	if (ev->bid > 0 && ev->ask > 0 && ev->bid > ev->ask)
		return bad_event(e, err, "quote is crossed (bid above ask)");
	if ((s = get_sym(e, ev->sym)) == NULL)
		return refused(e, err, ev->sym);
	if (ev->t < s->last_quote)
		return bad_event(e, err, "time going backwards for \"%s\"",
		    s->name);
	pass_on(e, ev);
	s->last_quote = ev->t;
	advance(e, s, ev->t);
	flush_built(e, s, ev->t);
	m.t = ev->t;
	m.buy = ev->ask;
	m.sell = ev->bid;
	m.lo = m.hi = m.open = NAN;
	m.bar = 0;
	sim_fills(e, s, &m);
	for (k = 0; k < e->nst; k++) {
		cx = &s->cx[k];
		if (!listening(cx))
			continue;
		call_start(cx);
		if (cx->es->s->on_quote)
			cx->es->s->on_quote(cx, cx->st, ev);
	}
	return ENG_DONE;
}

/*
 * A daily or monthly bar.  Its symbol then has no session: no trading
 * window, no flatten before the close (keeps_overnight()).  The symbol's
 * clock is the bar's t (midnight New York of its date); the orders
 * decided on it fill on the next bar of that timeframe, at its open as
 * on one-minute bars (a close-only monthly bar's open is its close).
 */
static enum eng_result
on_daily_bar(struct eng *e, struct eng_sym *s, const struct ev *ev,
    const struct bar *b, int64_t tf, const char **err)
{
	int64_t *last = tf == STRAT_TF_1D ? &s->last_bar_d : &s->last_bar_mo;
	const struct bar *kept;
	struct mkt m;

	if (ev->t < *last)
		return bad_event(e, err, "time going backwards for \"%s\"",
		    s->name);
	pass_on(e, ev);
	*last = ev->t;
	s->daily = 1;
	e->warming = ev_flag(ev, "hist");
	advance(e, s, ev->t);
	m.t = ev->t;
	m.buy = m.sell = m.open = ev->o;
	m.lo = ev->l;
	m.hi = ev->h;
	m.bar = 1;
	if (!e->warming && ((kept = last_bar(s, tf)) == NULL ||
	    ev->t > kept->t))
		sim_fills(e, s, &m);
	s->last = ev->c;
	deliver_bar(e, s, b, tf, 1);
	e->warming = 0;
	return ENG_DONE;
}

static enum eng_result
on_bar(struct eng *e, const struct ev *ev, const char **err)
{
	struct eng_sym *s;
	struct strat_ctx *cx;
	struct bar b;
	const struct bar *kept;
	struct mkt m;
	const char *why;
	int64_t tf = bar_tf_parse(ev->tf);
	int64_t *last;
	size_t k;

	b.t = ev->t;
	b.o = ev->o;
	b.h = ev->h;
	b.l = ev->l;
	b.c = ev->c;
	b.v = ev->v;
	b.vw = ev->vw;
	b.n = ev->n;
	if ((why = bar_check(&b)) != NULL)
		return bad_event(e, err, "%s", why);
	if (tf < 0)
		return bad_event(e, err, "bad bar timeframe \"%s\"", ev->tf);
	if ((s = get_sym(e, ev->sym)) == NULL)
		return refused(e, err, ev->sym);
	if (tf == STRAT_TF_1D || tf == STRAT_TF_1MO)
		return on_daily_bar(e, s, ev, &b, tf, err);
	if (tf != STRAT_TF_1M && !(tf == STRAT_TF_1S && e->o.seconds)) {
		pass_on(e, ev);	/* other timeframes: to strategies only */
		for (k = 0; k < e->nst; k++) {
			cx = &s->cx[k];
			if (!listening(cx) || !cx->es->s->on_bar)
				continue;
			call_start(cx);
			cx->es->s->on_bar(cx, cx->st, &b, tf);
		}
		return ENG_DONE;
	}
	last = tf == STRAT_TF_1M ? &s->last_bar : &s->last_bar_s;
	if (ev->t < *last)
		return bad_event(e, err, "time going backwards for \"%s\"",
		    s->name);
	pass_on(e, ev);
	*last = ev->t;
	e->warming = ev_flag(ev, "hist");
	advance(e, s, ev->t + tf);
	m.t = ev->t;
	m.buy = m.sell = m.open = ev->o;
	m.lo = ev->l;
	m.hi = ev->h;
	m.bar = 1;
	/*
	 * A bar for a time already kept is the past: nothing fills on it;
	 * nor on a bar of history ("hist":true), which reaches the
	 * strategies' indicators and sends no order.
	 */
	if (!e->warming && ((kept = last_bar(s, tf)) == NULL ||
	    ev->t > kept->t))
		sim_fills(e, s, &m);
	s->last = ev->c;
	if (tf == STRAT_TF_1M) {
		s->official = 1;
		bar_builder_seal(&s->b1m, ev->t);
	} else
		bar_builder_seal(&s->b1s, ev->t);
	deliver_bar(e, s, &b, tf, 1);
	e->warming = 0;
	return ENG_DONE;
}

/*
 * The context that sent the order 'id', or NULL if this process did not
 * send it.  Ids are "[BATCH-]STRATEGY-SYMBOL[-STAMP]-N" (strategy names
 * have no '-', symbols may): ours have our batch, a strategy loaded here,
 * a symbol seen here, our stamp if we have one, and N between 1 and the
 * count of that context's orders.  This, not a "strategy" field, decides
 * whose a fill or update is: a broker need not echo the strategy, and an
 * order of an earlier process of this batch (before a restart) is not
 * ours, whatever its strategy.
 */
static struct strat_ctx *
sender(const struct eng *e, const char *id)
{
	struct strat_ctx *cx;
	const char *p = id, *dash, *q;
	uint64_t n = 0;
	size_t k, len;
	long sid;

	if (e->o.batch) {
		len = strlen(e->o.batch);
		if (strncmp(p, e->o.batch, len) != 0 || p[len] != '-')
			return NULL;
		p += len + 1;
	}
	if ((dash = strchr(p, '-')) == NULL)
		return NULL;
	len = (size_t)(dash - p);
	for (k = 0; k < e->nst; k++)
		if (strlen(e->st[k].s->name) == len &&
		    memcmp(e->st[k].s->name, p, len) == 0)
			break;
	if (k == e->nst)
		return NULL;
	p = dash + 1;
	if ((dash = strrchr(p, '-')) == NULL || dash == p ||
	    dash[1] < '1' || dash[1] > '9')
		return NULL;
	for (q = dash + 1; *q; q++) {
		if (*q < '0' || *q > '9' || n > UINT64_MAX / 10 - 1)
			return NULL;
		n = n * 10 + (uint64_t)(*q - '0');
	}
	if (e->stamplen) {
		if ((size_t)(dash - p) < e->stamplen + 2 ||
		    memcmp(dash - e->stamplen, e->stamp, e->stamplen) != 0 ||
		    dash[-(long)e->stamplen - 1] != '-')
			return NULL;
		dash -= e->stamplen + 1;
	}
	if ((sid = sym_find(&e->syms, p, (size_t)(dash - p))) < 0)
		return NULL;
	cx = &e->sym[sid]->cx[k];
	return n <= cx->norders ? cx : NULL;
}

/* The index of the open order 'id' of the context, or -1. */
static long
open_order(const struct strat_ctx *cx, const char *id)
{
	size_t i;

	for (i = 0; i < cx->nord; i++)
		if (strcmp(cx->ord[i].id, id) == 0)
			return (long)i;
	return -1;
}

/* Whether a strategy of that name runs here. */
static int
ours(const struct eng *e, const char *strategy)
{
	size_t k;

	for (k = 0; k < e->nst; k++)
		if (names(e->st[k].s, strategy, strlen(strategy)))
			return 1;
	return 0;
}

/*
 * Which leg of bracket o the id names: "<o's id>-stop" (0) or
 * "<o's id>-target" (1), maybe with "-N" after; -1 for neither.
 */
static int
leg_of(const struct eng_order *o, const char *id)
{
	size_t n = strlen(o->id);
	const char *p;
	int k;

	if (strncmp(id, o->id, n) != 0 || id[n] != '-')
		return -1;
	p = id + n + 1;
	if (strncmp(p, "stop", 4) == 0) {
		k = 0;
		p += 4;
	} else if (strncmp(p, "target", 6) == 0) {
		k = 1;
		p += 6;
	} else
		return -1;
	if (*p == '\0')
		return k;
	if (*p++ != '-' || *p < '1' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0' ? k : -1;
}

/*
 * Leg k of bracket o is seen working.  If the engine had cancelled the
 * bracket (to take its exits back) before these legs were placed, for
 * the shares filled by then, they are cancelled too.
 */
static void
leg_open(struct strat_ctx *cx, struct eng_order *o, int k)
{
	if (o->leg[k] != LEG_UNSEEN)
		return;
	if (o->canceled && o->leg[1 - k] == LEG_UNSEEN)
		emit_cancel(cx, o, o->why);
	o->leg[k] = LEG_OPEN;
}

/*
 * The bracket order i ends once its entry is over and the broker holds
 * nothing of it: its legs closed all it opened, or both are done.
 */
static void
bracket_end(struct strat_ctx *cx, size_t i)
{
	const struct eng_order *o = &cx->ord[i];

	if (o->filled + EPS >= o->qty &&
	    (o->exited + EPS >= o->filled || legs_done(o)))
		remove_order(cx, i);
}

/*
 * A fill of leg k of bracket order i: on the exit side, it closes part of
 * what the entry opened.
 */
static enum eng_result
leg_fill(struct strat_ctx *cx, size_t i, int k, const struct ev *ev,
    double fee, const char **err)
{
	struct eng *e = cx->eng;
	struct eng_order *o = &cx->ord[i];
	struct strat_fill f;

	if (ev->side != exit_side(o->side))
		return bad_event(e, err, "fill side is not the exit of the "
		    "bracket \"%s\"", o->id);
	if (!(ev->qty > 0) || ev->qty > o->filled - o->exited + EPS ||
	    ev->qty > fabs(cx->pos) + EPS)
		return bad_event(e, err, "fill quantity is not positive or "
		    "more than the bracket \"%s\" holds", o->id);
	advance(e, cx->sym, ev->t);
	o->exited += ev->qty;
	leg_open(cx, o, k);
	if (ev->partial == 0)
		o->leg[k] = LEG_DONE;
	apply_fill(cx, ev->side, o, ev->qty, ev->price, fee);
	f.id = ev->id;
	f.side = ev->side;
	f.qty = ev->qty;
	f.price = ev->price;
	f.fee = fee;
	f.t = ev->t;
	f.partial = ev->partial == 1;
	bracket_end(cx, i);
	if (cx->started && cx->es->s->on_fill)
		cx->es->s->on_fill(cx, cx->st, &f);
	return ENG_DONE;
}

/* A fill of the order itself: all or part of what it asked for. */
static enum eng_result
order_fill(struct strat_ctx *cx, size_t i, const struct ev *ev, double fee,
    const char **err)
{
	struct eng *e = cx->eng;
	struct eng_order *o = &cx->ord[i];
	struct strat_fill f;

	if (!(ev->qty > 0) || ev->qty > o->qty - o->filled + EPS)
		return bad_event(e, err, "fill quantity is not positive or "
		    "more than the order \"%s\" wants", ev->id);
	if (ev->side != o->side)
		return bad_event(e, err, "fill side differs from order \"%s\"",
		    ev->id);
	if (!is_buy(o->side) && cx->pos > 0 && ev->qty > cx->pos + EPS)
		return bad_event(e, err, "fill sells more than held for \"%s\"",
		    ev->id);
	advance(e, cx->sym, ev->t);
	o->filled += ev->qty;
	o->nfill++;
	apply_fill(cx, o->side, o, ev->qty, ev->price, fee);
	f.id = ev->id;
	f.side = ev->side;
	f.qty = ev->qty;
	f.price = ev->price;
	f.fee = fee;
	f.t = ev->t;
	f.partial = o->filled + EPS < o->qty;
	/* a bracket lives on in its exits */
	if (!f.partial && !o->bracket)
		remove_order(cx, i);
	if (cx->started && cx->es->s->on_fill)
		cx->es->s->on_fill(cx, cx->st, &f);
	return ENG_DONE;
}

/* Whether the fill's exec_id was applied before: a second delivery. */
static int
fill_seen(const struct eng *e, const struct ev *ev)
{
	return ev->exec_id && sym_find(&e->execs, ev->exec_id,
	    strlen(ev->exec_id)) >= 0;
}

/*
 * A fill is ours if we sent its order (or, a bracket's leg, its parent);
 * one that names none of our orders passes through, unless its "strategy"
 * names a strategy of ours: then it is bad, like one whose symbol or
 * strategy is not its order's, or that comes when the order is no longer
 * tracked.  A fill of ours whose exec_id was applied before is a fill
 * delivered twice: it counts once.
 */
static enum eng_result
on_fill(struct eng *e, const struct ev *ev, const char **err)
{
	struct strat_ctx *cx;
	const char *id = ev->parent ? ev->parent : ev->id;
	double fee = isfinite(ev->fee) ? ev->fee : 0;
	enum eng_result r;
	long i = -1;
	int k = -1;

	if (ev->strategy && !ours(e, ev->strategy))
		return ENG_PASS;
	cx = sender(e, id);
	if (cx == NULL && ev->strategy == NULL)
		return ENG_PASS;
	if (e->o.fill_sim)
		return bad_event(e, err, "fill for unknown order \"%s\" "
		    "(--fill sim fills its own)", ev->id);
	if (cx && fill_seen(e, ev)) {
		e->ndups++;
		return ENG_DONE;
	}
	if (cx && strcmp(cx->sym->name, ev->sym) == 0 &&
	    (ev->strategy == NULL ||
	    names(cx->es->s, ev->strategy, strlen(ev->strategy))))
		i = open_order(cx, id);
	if (i >= 0 && ev->parent && (!cx->ord[i].bracket ||
	    (k = leg_of(&cx->ord[i], ev->id)) < 0))
		i = -1;		/* not a leg of one of our brackets */
	if (i < 0)
		return bad_event(e, err, "fill for unknown order \"%s\"",
		    ev->id);
	if (!isfinite(ev->price) || ev->price <= 0)
		return bad_event(e, err, "fill price is not positive");
	if (fee < 0)
		return bad_event(e, err, "fill fee is negative");
	if (k >= 0)
		r = leg_fill(cx, (size_t)i, k, ev, fee, err);
	else
		r = order_fill(cx, (size_t)i, ev, fee, err);
	if (r != ENG_DONE)
		return r;
	if (ev->exec_id)
		sym_intern(&e->execs, ev->exec_id, strlen(ev->exec_id));
	e->nfills++;
	return ENG_DONE;
}

/*
 * Whether an order_update status is final: nothing of the order is left
 * at the broker.  "filled" is not among them here: the fills themselves
 * end an order, and a bracket's exits outlive its filled entry.
 */
static int
final_status(const char *st)
{
	return st && (strcmp(st, "canceled") == 0 ||
	    strcmp(st, "rejected") == 0 || strcmp(st, "expired") == 0 ||
	    strcmp(st, "replaced") == 0);
}

/*
 * An update is ours if we sent its order (or, a bracket's leg, its
 * parent), found by the id alone; the updates of every other order pass
 * through unchanged.  A final one ends the order; a leg's final one ends
 * the leg, and with both legs done the broker holds no exit of the
 * bracket any more.
 */
static enum eng_result
on_update(struct eng *e, const struct ev *ev)
{
	struct strat_ctx *cx;
	const char *id = ev->parent ? ev->parent : ev->id;
	struct eng_order *o;
	long i;
	int k;

	if (ev->strategy && !ours(e, ev->strategy))
		return ENG_PASS;
	if ((cx = sender(e, id)) == NULL)
		return ENG_PASS;
	if ((i = open_order(cx, id)) < 0)
		return ENG_DONE;	/* e.g. an update after the last fill */
	o = &cx->ord[i];
	/* the broker refused an entry (its code given): not again today */
	if (!ev->parent && ev->status && strcmp(ev->status, "rejected") ==
	    0 && (o->side == SIDE_BUY || o->side == SIDE_SELL_SHORT) &&
	    json_member(&ev->j, 0, "code") >= 0)
		strat_drop(cx, "refused by the broker");
	if (!ev->parent && final_status(ev->status)) {
		/* a bracket's entry is over; legs guard what it filled */
		if (o->bracket && !e->o.fill_sim && o->filled > EPS) {
			o->qty = o->filled;
			bracket_end(cx, (size_t)i);
		} else
			remove_order(cx, (size_t)i);
	} else if (ev->parent && o->bracket &&
	    (k = leg_of(o, ev->id)) >= 0) {
		if (final_status(ev->status))
			o->leg[k] = LEG_DONE;
		else
			leg_open(cx, o, k);
		bracket_end(cx, (size_t)i);
	}
	if (cx->started && cx->es->s->on_order_update)
		cx->es->s->on_order_update(cx, cx->st, ev);
	return ENG_DONE;
}

/* Set the pick mask from a "strategies" array of names. */
static enum eng_result
on_pick(struct eng *e, const struct ev *ev, const char **err)
{
	struct eng_sym *s = get_sym(e, ev->sym);
	const char *p, *end, *q;
	size_t k, n;

	if (s == NULL)
		return refused(e, err, ev->sym);
	s->picked = 1;
	if (ev->strategies == NULL) {
		s->pick_mask = ~0ULL;
		return ENG_PASS;
	}
	p = ev->strategies;
	end = p + ev->strategies_len;
	while (p < end && (p = memchr(p, '"', (size_t)(end - p))) != NULL) {
		q = memchr(p + 1, '"', (size_t)(end - p - 1));
		if (q == NULL)
			break;
		n = (size_t)(q - p - 1);
		for (k = 0; k < e->nst; k++)
			if (names(e->st[k].s, p + 1, n))
				s->pick_mask |= 1ULL << k;
		p = q + 1;
	}
	return ENG_PASS;
}

static void
on_drop_in(struct eng *e, const struct ev *ev)
{
	struct eng_sym *s = find_sym(e, ev->sym);
	size_t k;

	for (k = 0; s && k < e->nst; k++)
		if (ev->strategy == NULL ||
		    names(e->st[k].s, ev->strategy, strlen(ev->strategy)))
			s->cx[k].rejected = 1;
}

static void
on_clock(struct eng *e, const struct ev *ev)
{
	struct eng_sym *s;
	struct strat_ctx *cx;
	size_t i, k;

	pass_on(e, ev);
	for (i = 0; i < e->nsym; i++) {
		s = e->sym[i];
		if (ev->t <= s->now)
			continue;
		flush_built(e, s, ev->t);
		advance(e, s, ev->t);
		for (k = 0; k < e->nst; k++) {
			cx = &s->cx[k];
			guard(cx, NAN, NAN, s->last);
			if (listening(cx) && cx->es->s->on_clock) {
				call_start(cx);
				cx->es->s->on_clock(cx, cx->st, s->now);
			}
		}
	}
}

/* Portfolio strategies. */

static int is_entry(enum ev_side s);

/*
 * Call every portfolio strategy for time 'now', then send the orders
 * each held back: its sells and covers first, then its buys and shorts.
 */
static void
call_books(struct eng *e, int64_t now, int64_t tf)
{
	struct strat_book *bk;
	size_t k, i;
	int pass;

	e->nbookcalls++;
	for (k = 0; k < e->nst; k++) {
		if ((bk = e->st[k].book) == NULL)
			continue;
		bk->now = e->book_now = now;
		bk->tf = tf;
		e->nq = 0;
		e->holding = 1;
		e->st[k].s->on_portfolio(bk, bk->st);
		e->holding = 0;
		for (pass = 0; pass < 2; pass++)
			for (i = 0; i < e->nq; i++)
				if (is_entry(e->q[i].o.side) == pass)
					strat_order(e->q[i].cx, &e->q[i].o);
		e->nq = 0;
	}
}

/* Whether the intraday schedule time t is in its day's session. */
static int
book_in_session(struct eng *e, int64_t t)
{
	int64_t mid, open;

	if (t < e->book_day || t >= e->book_day + TM_NS_PER_DAY) {
		mid = t - cal_ny_local_ns(t);
		e->book_day = mid;
		open = cal_session_open(t);
		if (open >= 0) {
			e->book_open = open;
			e->book_close = cal_session_close(t);
		} else {
			e->book_open = mid + CAL_OPEN_NS;
			e->book_close = mid + CAL_CLOSE_NS;
		}
	}
	return t >= e->book_open && t <= e->book_close;
}

/*
 * The portfolio schedule, before the event is processed.  Daily data:
 * a bar (or clock) after the last bar time makes the call owed for it.
 * Otherwise: the first event at or after a multiple T of the period
 * (within a session) makes the call for T.
 */
static void
book_tick(struct eng *e, const struct ev *ev)
{
	int64_t tf = 0, every, g;
	struct bar b;

	if (ev->type == EV_BAR) {
		b.t = ev->t;
		b.o = ev->o;
		b.h = ev->h;
		b.l = ev->l;
		b.c = ev->c;
		b.v = ev->v;
		b.vw = ev->vw;
		b.n = ev->n;
		if ((tf = bar_tf_parse(ev->tf)) < 0 || bar_check(&b) != NULL)
			return;		/* a bad bar: no time passes */
	}
	if (ev->type == EV_TRADE && !(ev->price > 0 && ev->size > 0))
		return;
	if (tf == STRAT_TF_1D || tf == STRAT_TF_1MO ||
	    (ev->type == EV_CLOCK && e->book_daily)) {
		if (e->book_owed && ev->t > e->book_g) {
			e->book_owed = 0;
			call_books(e, e->book_g, e->book_gtf);
		}
		if (ev->type == EV_BAR && ev->t > e->book_g) {
			e->book_daily = 1;
			e->book_g = ev->t;
			e->book_gtf = tf;
			e->book_owed = 1;
		}
		return;
	}
	every = e->o.book_every > 0 ? e->o.book_every : e->o.fill_sim ?
	    STRAT_TF_1M : 5 * STRAT_TF_1M;
	g = ev->t - ev->t % every;
	if (g <= e->book_m)
		return;
	e->book_m = g;
	if (book_in_session(e, g))
		call_books(e, g, STRAT_TF_1M);
}

static enum eng_result
dispatch(struct eng *e, const struct ev *ev, const char **err)
{
	switch (ev->type) {
	case EV_TRADE:
	case EV_QUOTE:
	case EV_BAR:
	case EV_PICK:
		if (!valid_sym(ev->sym))
			return bad_event(e, err, "bad symbol \"%.40s\"",
			    ev->sym);
		break;
	default:
		break;
	}
	switch (ev->type) {
	case EV_TRADE:
		return on_trade(e, ev, err);
	case EV_QUOTE:
		return on_quote(e, ev, err);
	case EV_BAR:
		return on_bar(e, ev, err);
	case EV_PICK:
		return on_pick(e, ev, err);
	case EV_DROP:
		on_drop_in(e, ev);
		return ENG_PASS;
	case EV_FILL:
		return on_fill(e, ev, err);
	case EV_ORDER_UPDATE:
		return on_update(e, ev);
	case EV_CLOCK:
		on_clock(e, ev);
		return ENG_DONE;
	default:
		return ENG_PASS;
	}
}

enum eng_result
eng_event(struct eng *e, const struct ev *ev, const char **err)
{
	enum eng_result r;

	if (!e->ready)
		resolve(e);
	e->nev++;
	if (e->nbook && (ev->type == EV_TRADE || ev->type == EV_QUOTE ||
	    ev->type == EV_BAR || ev->type == EV_CLOCK) && ev->t > 0)
		book_tick(e, ev);
	r = dispatch(e, ev, err);
	/* under liu-route, an event without a symbol came to every shard */
	return r == ENG_PASS && !ev_pass_once(ev) ? ENG_DONE : r;
}

enum eng_result
eng_position(struct eng *e, const struct ev *ev, const char **err)
{
	struct eng_sym *s;
	struct strat_ctx *cx;
	size_t k = 0;

	if (!e->ready)
		resolve(e);
	if (ev->type != EV_POSITION)
		return bad_event(e, err, "not a position event");
	if (ev->sym == NULL || !valid_sym(ev->sym))
		return bad_event(e, err, "bad symbol \"%.40s\"",
		    ev->sym ? ev->sym : "");
	if (ev->strategy == NULL && e->nst != 1)
		return bad_event(e, err, "position names no strategy, and "
		    "several are loaded");
	if (ev->strategy != NULL) {
		for (k = 0; k < e->nst; k++)
			if (names(e->st[k].s, ev->strategy,
			    strlen(ev->strategy)))
				break;
		if (k == e->nst)
			return ENG_PASS;
	}
	if (!isfinite(ev->qty) || fabs(ev->qty) > 1e12)
		return bad_event(e, err, "position qty is not a number");
	if (fabs(ev->qty) >= EPS && !(isfinite(ev->avg_price) &&
	    ev->avg_price > 0))
		return bad_event(e, err, "position has no positive "
		    "avg_price");
	if ((s = get_sym(e, ev->sym)) == NULL)
		return refused(e, err, ev->sym);
	if ((!isnan(ev->stop_loss) && !(isfinite(ev->stop_loss) &&
	    ev->stop_loss > 0)) || (!isnan(ev->target) &&
	    !(isfinite(ev->target) && ev->target > 0)))
		return bad_event(e, err, "position stop_loss or target is "
		    "not positive");
	cx = &s->cx[k];
	cx->pos = fabs(ev->qty) < EPS ? 0 : ev->qty;
	cx->cost = cx->pos != 0 ? ev->avg_price : NAN;
	/* its exits come with it: a resumed position is not left bare */
	cx->stop_loss = cx->pos != 0 ? ev->stop_loss : NAN;
	cx->target = cx->pos != 0 ? ev->target : NAN;
	if (ev->t > s->pos_t)
		s->pos_t = ev->t;
	return ENG_DONE;
}

static void
emit_position(struct strat_ctx *cx)
{
	struct eng *e = cx->eng;
	const struct eng_sym *s = cx->sym;
	struct buf *b = record_start(e, "position", s->now > s->pos_t ?
	    s->now : s->pos_t, s->name);

	json_add_knum(b, "qty", cx->pos);
	json_add_knum(b, "avg_price", cx->cost);
	json_add_kstr(b, "strategy", cx->es->s->name);
	if (isfinite(cx->stop_loss))
		json_add_knum(b, "stop_loss", cx->stop_loss);
	if (isfinite(cx->target))
		json_add_knum(b, "target", cx->target);
	record_emit(e);
}

void
eng_finish(struct eng *e)
{
	struct strat_ctx *cx;
	size_t i, k;

	if (!e->ready)
		resolve(e);
	if (e->book_owed) {
		e->book_owed = 0;
		call_books(e, e->book_g, e->book_gtf);
	}
	for (k = 0; k < e->nst; k++)
		if (e->st[k].book && e->st[k].s->on_book_finish)
			e->st[k].s->on_book_finish(e->st[k].book,
			    e->st[k].book->st);
	for (i = 0; i < e->nsym; i++)
		for (k = 0; k < e->nst; k++) {
			cx = &e->sym[i]->cx[k];
			if (cx->started && cx->es->s->on_finish)
				cx->es->s->on_finish(cx, cx->st);
			if (e->o.verbose && cx->pos != 0)
				warn("open position: %s %s %g at %g",
				    cx->es->s->name, e->sym[i]->name, cx->pos,
				    cx->cost);
			if (cx->pos != 0)
				emit_position(cx);
		}
	for (k = 0; e->o.verbose && k < e->nst; k++)
		if (e->st[k].book)
			warn("%s: cash %.2f after %llu portfolio calls",
			    e->st[k].s->name, e->st[k].cash,
			    (unsigned long long)e->nbookcalls);
	if (e->o.verbose)
		warn("%llu events, %zu symbols, %llu bars, %llu orders, "
		    "%llu fills, %llu drops, %llu orders refused, "
		    "%llu cancels, %llu fills delivered again, "
		    "%llu rejected for buying power",
		    (unsigned long long)e->nev, e->nsym,
		    (unsigned long long)e->nbars,
		    (unsigned long long)e->norders,
		    (unsigned long long)e->nfills,
		    (unsigned long long)e->ndrops,
		    (unsigned long long)e->nrefused,
		    (unsigned long long)e->ncancels,
		    (unsigned long long)e->ndups,
		    (unsigned long long)e->nrejected);
}

void
eng_free(struct eng *e)
{
	struct eng_sym *s;
	size_t i, k;

	if (e == NULL)
		return;
	for (i = 0; i < e->nsym; i++) {
		s = e->sym[i];
		for (k = 0; k < e->nst; k++) {
			free(s->cx[k].st);
			free(s->cx[k].ord);
		}
		free(s->cx);
		bar_ring_release(&s->m1);
		bar_ring_release(&s->s1);
		bar_ring_release(&s->d1);
		bar_ring_release(&s->mo);
		free(s);
	}
	free(e->sym);
	for (i = 0; i < e->nst; i++) {
		for (k = 0; k < e->st[i].nkv; k++)
			free(e->st[i].kv[k].key);
		free(e->st[i].kv);
	}
	for (i = 0; i < e->nst; i++)
		if (e->st[i].book) {
			free(e->st[i].book->st);
			free(e->st[i].book);
		}
	free(e->st);
	free(e->q);
	for (k = 0; k < e->ngkv; k++)
		free(e->gkv[k].key);
	free(e->gkv);
	symtab_release(&e->syms);
	symtab_release(&e->execs);
	buf_release(&e->out);
	free(e);
}

int
eng_parse_slippage(const char *s, struct eng_opts *o)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || !isfinite(v) || v < 0)
		return -1;
	if (strcmp(end, "c") == 0)
		o->slip_cents = 1;
	else if (*end == '\0' || strcmp(end, "bp") == 0)
		o->slip_cents = 0;
	else
		return -1;
	o->slippage = v;
	return 0;
}

/* The strategy API (strategy.h). */

void
strat_why(struct strat_order *o, const char *key, double val)
{
	if (o->nwhy < STRAT_WHY_MAX) {
		o->why_key[o->nwhy] = key;
		o->why_val[o->nwhy++] = val;
	}
}

static int
is_entry(enum ev_side s)
{
	return s == SIDE_BUY || s == SIDE_SELL_SHORT;
}

/* Take the exits back from the broker: cancel the bracket orders. */
static void
take_back(struct strat_ctx *cx, const char *reason)
{
	size_t i;

	for (i = 0; i < cx->nord; )
		if (cx->ord[i].bracket && !cx->ord[i].canceled &&
		    forget(cx, i, reason))
			continue;
		else
			i++;
}

/*
 * With sim fills, an entry the account could not pay for is refused as a
 * broker refuses it: the order goes out and an order_update "rejected"
 * follows it.  Each strategy's position in each symbol is checked on its
 * own, as each strategy sizes against its own portfolio_value (and a run
 * gives the same trades with any liu-route -n): what it holds and its
 * entries still open, this order among them (it is in cx's open orders
 * already), at the order's price (its limit or stop, else the last
 * price), may not cost more than capital x margin.  Exits are never
 * refused.  An order before any price is not checked.
 */
static int over_book_power(const struct strat_ctx *cx, double px0);

static int
over_buying_power(const struct strat_ctx *cx, enum otype type,
    double limit, double stop)
{
	const struct eng *e = cx->eng;
	double px, held, cap;

	if (!e->o.fill_sim)
		return 0;
	px = type == OT_LIMIT ? limit : type == OT_STOP ? stop : cx->sym->last;
	if (!(px > 0))
		return 0;
	if (cx->es->book)
		return over_book_power(cx, px);
	held = fabs(cx->pos) + pending(cx, SIDE_BUY) +
	    pending(cx, SIDE_SELL_SHORT);
	cap = isnan(e->o.capital) ? cx->es->pv : e->o.capital;
	return held * px > cap * e->o.margin * (1 + EPS);
}

/* A price for a position's value: the last price, else its cost. */
static double
mark(const struct strat_ctx *cx)
{
	return cx->sym->last > 0 ? cx->sym->last : cx->cost;
}

/* The equity of a portfolio strategy: cash plus its positions' value. */
static double
book_equity(const struct eng *e, const struct eng_strat *es)
{
	const struct strat_ctx *c;
	size_t i, k = (size_t)(es - e->st);
	double eq = es->cash;

	for (i = 0; i < e->nsym; i++) {
		c = &e->sym[i]->cx[k];
		if (c->pos != 0 && mark(c) > 0)
			eq += c->pos * mark(c);
	}
	return eq;
}

/*
 * A portfolio strategy sees the whole account: what it would hold in
 * every symbol once its open orders fill (pending sells count at the last
 * price), this order at px among them, may not be worth more than its
 * equity x margin.
 */
static int
over_book_power(const struct strat_ctx *cx, double px0)
{
	const struct eng *e = cx->eng;
	const struct strat_ctx *c;
	size_t i, k = (size_t)(cx->es - e->st);
	double expo = 0, net, px;

	for (i = 0; i < e->nsym; i++) {
		c = &e->sym[i]->cx[k];
		px = c == cx ? px0 : mark(c);
		if (!(px > 0))
			continue;
		net = c->pos + pending(c, SIDE_BUY) +
		    pending(c, SIDE_BUY_TO_COVER) - pending(c, SIDE_SELL) -
		    pending(c, SIDE_SELL_SHORT);
		expo += fabs(net) * px;
	}
	return expo > book_equity(e, cx->es) * e->o.margin * (1 + EPS);
}

/* Hold an order made during on_portfolio, with copies of its strings. */
static void
queue_order(struct strat_ctx *cx, const struct strat_order *req,
    enum otype type)
{
	struct eng *e = cx->eng;
	struct queued *q;
	int i;

	if (e->nq == e->cq) {
		e->cq = e->cq ? 2 * e->cq : 16;
		e->q = xrealloc(e->q, e->cq * sizeof(*e->q));
	}
	q = &e->q[e->nq++];
	q->cx = cx;
	q->o = *req;
	q->o.type = otype_name(type);
	snprintf(q->reason, sizeof(q->reason), "%s",
	    req->reason ? req->reason : "signal");
	q->o.reason = q->reason;
	for (i = 0; i < req->nwhy && i < STRAT_WHY_MAX; i++) {
		snprintf(q->key[i], sizeof(q->key[i]), "%s", req->why_key[i]);
		q->o.why_key[i] = q->key[i];
	}
	advance(e, cx->sym, e->book_now);
}

static void
emit_rejected(struct strat_ctx *cx, const struct eng_order *o,
    const char *why)
{
	struct eng *e = cx->eng;
	struct buf *b = record_start(e, "order_update", cx->sym->now,
	    cx->sym->name);

	json_add_kstr(b, "id", o->id);
	json_add_kstr(b, "status", "rejected");
	json_add_kstr(b, "strategy", cx->es->s->name);
	if (e->o.batch)
		json_add_kstr(b, "batch", e->o.batch);
	json_add_kstr(b, "why", why);
	record_emit(e);
}

static int
refuse(struct strat_ctx *cx, const char *why)
{
	cx->eng->nrefused++;
	if (cx->eng->o.verbose)
		warn("order refused: %s %s: %s", cx->es->s->name,
		    cx->sym->name, why);
	return -1;
}

/* Prices go out to 1/100 of a cent. */
static double
round4(double v)
{
	return isfinite(v) ? round(v * 1e4) / 1e4 : v;
}

int
strat_order(struct strat_ctx *cx, const struct strat_order *req)
{
	struct eng *e = cx->eng;
	struct eng_order *o;
	enum otype type = OT_MARKET;
	double q = req->qty, held;

	if (e->warming)
		return -1;	/* history: its time has passed */
	if (!(q >= 1) || q != floor(q) || q > 1e9)
		return refuse(cx, "quantity is not a positive whole number");
	if (req->type == NULL || strcmp(req->type, "market") == 0)
		type = OT_MARKET;
	else if (strcmp(req->type, "limit") == 0)
		type = OT_LIMIT;
	else if (strcmp(req->type, "stop") == 0)
		type = OT_STOP;
	else
		return refuse(cx, "order type is not market, limit or stop");
	if (type == OT_LIMIT && !(isfinite(req->limit) && req->limit > 0))
		return refuse(cx, "limit price is not positive");
	if (type == OT_STOP && !(isfinite(req->stop) && req->stop > 0))
		return refuse(cx, "stop price is not positive");
	if ((!isnan(req->stop_loss) && !(isfinite(req->stop_loss) &&
	    req->stop_loss > 0)) || (!isnan(req->target) &&
	    !(isfinite(req->target) && req->target > 0)))
		return refuse(cx, "stop_loss or target is not positive");
	switch (req->side) {
	case SIDE_BUY:
	case SIDE_SELL_SHORT:
		if (cx->rejected)
			return refuse(cx, "symbol rejected");
		if (req->side == SIDE_BUY ? cx->pos < 0 : cx->pos > 0)
			return refuse(cx, "position on the other side");
		break;
	case SIDE_SELL:
		held = cx->pos - pending(cx, SIDE_SELL);
		if (q > held + EPS)
			return refuse(cx, "selling more than held");
		break;
	case SIDE_BUY_TO_COVER:
		held = -cx->pos - pending(cx, SIDE_BUY_TO_COVER);
		if (q > held + EPS)
			return refuse(cx, "covering more than held short");
		break;
	default:
		return refuse(cx, "no side");
	}
	if (e->holding) {
		queue_order(cx, req, type);
		return 0;
	}
	if (!is_entry(req->side) && broker_holds(cx)) {
		take_back(cx, req->reason ? req->reason : "exit");
		return refuse(cx, "the broker holds the exits (a bracket): "
		    "cancelling it first");
	}
	if (cx->nord == cx->cord) {
		cx->cord = cx->cord ? 2 * cx->cord : 4;
		cx->ord = xrealloc(cx->ord, cx->cord * sizeof(*cx->ord));
	}
	o = &cx->ord[cx->nord++];
	memset(o, 0, sizeof(*o));
	snprintf(o->id, sizeof(o->id), "%s%s%s-%s-%s%s%llu",
	    e->o.batch ? e->o.batch : "", e->o.batch ? "-" : "",
	    cx->es->s->name, cx->sym->name, e->stamp, e->stamplen ? "-" : "",
	    (unsigned long long)++cx->norders);
	o->side = req->side;
	o->type = type;
	o->qty = q;
	o->limit = round4(req->limit);
	o->stop = round4(req->stop);
	o->stop_loss = round4(req->stop_loss);
	o->target = round4(req->target);
	o->bracket = cx->es->bracket && is_entry(req->side) &&
	    isfinite(o->stop_loss) && isfinite(o->target);
	if (is_entry(req->side) && over_buying_power(cx, type, o->limit,
	    o->stop)) {
		emit_order(cx, o, req);
		emit_rejected(cx, o, "insufficient buying power");
		cx->nord--;
		e->nrejected++;
		return refuse(cx, "insufficient buying power");
	}
	emit_order(cx, o, req);
	return 0;
}

void
strat_cancel_all(struct strat_ctx *cx)
{
	size_t i;

	for (i = 0; i < cx->nord; )
		if (!cx->ord[i].canceled && forget(cx, i, "cancel_all"))
			continue;
		else
			i++;
}

void
strat_exit(struct strat_ctx *cx, const char *reason)
{
	exit_reason(cx, reason, cx->sym->last);
}

void
strat_set_exit(struct strat_ctx *cx, double stop_loss, double target)
{
	cx->stop_loss = stop_loss;
	cx->target = target;
}

void
strat_drop(struct strat_ctx *cx, const char *why)
{
	if (cx->rejected)
		return;
	cx->rejected = 1;
	emit_drop(cx, why);
}

void
strat_cooldown(struct strat_ctx *cx, int64_t ns)
{
	if (cx->sym->now + ns > cx->cool_until)
		cx->cool_until = cx->sym->now + ns;
}

int
strat_can_enter(const struct strat_ctx *cx)
{
	const struct eng_sym *s = cx->sym;
	const struct eng_strat *es = cx->es;
	int64_t from = s->open + (int64_t)es->start;

	if (s->daily)
		return cx->pos == 0 && cx->nord == 0 && !cx->rejected &&
		    s->now >= cx->cool_until;
	return cx->pos == 0 && cx->nord == 0 && !cx->rejected &&
	    s->now >= cx->cool_until && s->now >= from &&
	    s->now < from + (int64_t)es->duration &&
	    s->now < s->close - (int64_t)es->flatten;
}

double
strat_param(const struct strat_ctx *cx, const char *key)
{
	return param(cx->eng, cx->es, key);
}

const char *
strat_symbol(const struct strat_ctx *cx)
{
	return cx->sym->name;
}

const char *
strat_name(const struct strat_ctx *cx)
{
	return cx->es->s->name;
}

int64_t
strat_now(const struct strat_ctx *cx)
{
	return cx->sym->now;
}

double
strat_last_price(const struct strat_ctx *cx)
{
	return cx->sym->last;
}

double
strat_position(const struct strat_ctx *cx)
{
	return cx->pos;
}

double
strat_avg_cost(const struct strat_ctx *cx)
{
	return cx->cost;
}

double
strat_realized(const struct strat_ctx *cx)
{
	return cx->realized;
}

double
strat_stop_loss(const struct strat_ctx *cx)
{
	return cx->stop_loss;
}

double
strat_target(const struct strat_ctx *cx)
{
	return cx->target;
}

int
strat_open_orders(const struct strat_ctx *cx)
{
	return (int)cx->nord;
}

double
strat_portfolio_value(const struct strat_ctx *cx)
{
	return cx->es->pv;
}

int64_t
strat_session_open(const struct strat_ctx *cx)
{
	return cx->sym->open;
}

int64_t
strat_session_close(const struct strat_ctx *cx)
{
	return cx->sym->close;
}

const struct bar_ring *
strat_bars(const struct strat_ctx *cx, int64_t tf)
{
	if (tf == STRAT_TF_1M)
		return &cx->sym->m1;
	if (tf == STRAT_TF_1S && cx->eng->o.seconds)
		return &cx->sym->s1;
	if (tf == STRAT_TF_1D)
		return &cx->sym->d1;
	if (tf == STRAT_TF_1MO)
		return &cx->sym->mo;
	return NULL;
}

/* The book of a portfolio strategy (strategy.h). */

size_t
strat_book_size(const struct strat_book *bk)
{
	return bk->eng->nsym;
}

struct strat_ctx *
strat_book_ctx(struct strat_book *bk, size_t i)
{
	struct eng *e = bk->eng;

	if (i >= e->nsym)
		return NULL;
	return &e->sym[i]->cx[bk->es - e->st];
}

int64_t
strat_book_now(const struct strat_book *bk)
{
	return bk->now;
}

int64_t
strat_book_tf(const struct strat_book *bk)
{
	return bk->tf;
}

double
strat_book_cash(const struct strat_book *bk)
{
	return bk->es->cash;
}

double
strat_book_equity(const struct strat_book *bk)
{
	return book_equity(bk->eng, bk->es);
}

double
strat_book_param(const struct strat_book *bk, const char *key)
{
	return param(bk->eng, bk->es, key);
}
