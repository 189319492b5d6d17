/*
 * mine.c: liu-mine's REST miners: daily-ohlc (daily bars through
 * lib/history into stock_ohlc) and tickers (Alpaca's assets into
 * ticker_data), and what the miners share: the connection, statements,
 * the progress line.
 *
 * daily-ohlc asks for each symbol's bars from the last day it has stored
 * (that day again: a bar stored during its session is replaced by the
 * whole day's), or from --since for a symbol without any, to now; a bar
 * replaces the row of its symbol and day, so a run repeated stores the
 * same rows.  Each symbol is one transaction: a run that fails part way
 * keeps the symbols done, and the next run goes on from there.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cal.h"
#include "db.h"
#include "event.h"
#include "history.h"
#include "json.h"
#include "mine.h"
#include "mine_impl.h"
#include "proc.h"
#include "rest.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define ALPACA_TRADING_URL "https://paper-api.alpaca.markets"
#define YEAR_NS (365 * TM_NS_PER_DAY)

PGconn *
mine_connect(const struct mine_opts *o)
{
	PGconn *c = db_connect(o->dsn, 0);

	if (!c)
		exit(LIU_EXIT_SYS);
	return c;
}

PGresult *
mine_query(PGconn *c, const char *what, const char *sql, int n,
    const char *const *params)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	const char *m;

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	m = PQresultErrorMessage(r);
	if (!m || !*m)
		m = PQerrorMessage(c);
	warn("%s: %.*s", what, (int)strcspn(m, "\n"), m);
	PQclear(r);
	return NULL;
}

int
mine_exec(PGconn *c, const char *what, const char *sql, int n,
    const char *const *params)
{
	PGresult *r = mine_query(c, what, sql, n, params);

	if (!r)
		return -1;
	PQclear(r);
	return 0;
}

void
mine_progress(const struct mine_opts *o, const char *what, size_t i,
    size_t n, const char *name)
{
	if (!o->progress)
		return;
	if (i >= n)
		fprintf(stderr, "\r\033[K");
	else
		fprintf(stderr, "\r\033[K%s: %zu/%zu %s", what, i + 1, n,
		    name ? name : "");
	fflush(stderr);
}

void
mine_add_day(struct buf *b, int64_t days)
{
	int y, m, d;

	tm_civil_from_days(days, &y, &m, &d);
	buf_addf(b, "%04d-%02d-%02d", y, m, d);
}

int
mine_parse_day(const char *s, int64_t *days)
{
	int y, m, d, n = 0;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    (size_t)n != strlen(s) || n != 10 || m < 1 || m > 12 || d < 1 ||
	    d > 31)
		return -1;
	*days = tm_days_from_civil(y, m, d);
	return 0;
}

/* Alpaca's assets. */

static void
set_key(struct rest *r, const char *header, const char *var)
{
	const char *v = liu_env(var);

	if (!v || rest_header(r, header, v) < 0)
		die_code(LIU_EXIT_USAGE, "%s is not set, or holds a control "
		    "character", var);
}

/*
 * GET the active US equities of Alpaca's trading API and call 'each' with
 * every asset object (its symbol checked).  Returns 0, or LIU_EXIT_DATA
 * when the request failed or the body was not an array of assets (then
 * 'each' was not called); bad records are reported, counted in *nbad and
 * skipped.
 */
int
mine_assets(const struct mine_opts *o,
    void (*each)(void *arg, const struct json *j, int obj, const char *sym),
    void *arg, uint64_t *nbad)
{
	struct rest r = REST_INIT;
	struct buf body = BUF_INIT, w = BUF_INIT, sym = BUF_INIT;
	struct json j = JSON_INIT;
	const char *url, *var = "--trading-url", *why, *err;
	long st;
	int arr, e, i, rc = LIU_EXIT_DATA;
	size_t k;

	if (!liu_env("APCA_API_KEY_ID") || !liu_env("APCA_API_SECRET_KEY"))
		die_code(LIU_EXIT_USAGE, "alpaca: no keys: set "
		    "APCA_API_KEY_ID and APCA_API_SECRET_KEY (see "
		    "liu-mine(1))");
	url = o->trading_url;
	if (!url && (url = liu_env("APCA_API_BASE_URL")))
		var = "APCA_API_BASE_URL";
	if (!url) {
		url = ALPACA_TRADING_URL;
		var = "the default URL";
	}
	if (rest_open(&r, url, &o->rest, &why) < 0)
		die_code(LIU_EXIT_USAGE, "alpaca: bad %s: %s", var, why);
	set_key(&r, "APCA-API-KEY-ID", "APCA_API_KEY_ID");
	set_key(&r, "APCA-API-SECRET-KEY", "APCA_API_SECRET_KEY");
	st = rest_get(&r, "/v2/assets?status=active&asset_class=us_equity",
	    &body);
	if (st < 0) {
		warn("alpaca: GET %s: %s", rest_shown_url(&r), r.err);
		goto out;
	}
	if (st == 401 || st == 403)
		die_code(LIU_EXIT_DATA, "alpaca: the keys were refused (%ld, "
		    "GET %s)", st, rest_shown_url(&r));
	if (st != 200) {
		warn("alpaca: HTTP %ld (GET %s)", st, rest_shown_url(&r));
		goto out;
	}
	for (k = 0; k < body.len; k++)
		if (body.p[k] == '\n')
			body.p[k] = '\r';
	buf_adds(&w, "{\"assets\":");
	buf_add(&w, body.p, body.len);
	buf_addc(&w, '}');
	arr = json_parse(&j, w.p, w.len, &err) < 0 ? -1 :
	    json_get(&j, "assets");
	if (arr < 0 || j.tok[arr].kind != JSON_ARR) {
		warn("alpaca: bad response: not an array of assets (GET %s)",
		    rest_shown_url(&r));
		goto out;
	}
	rc = 0;
	for (e = arr + 1; e < j.tok[arr].next && !liu_stop;
	    e = j.tok[e].next) {
		i = j.tok[e].kind == JSON_OBJ ? json_member(&j, e, "symbol") :
		    -1;
		buf_reset(&sym);
		if (i < 0 || j.tok[i].kind != JSON_STR ||
		    json_str(&j, i, &sym) < 0 || !mine_sym_ok(sym.p)) {
			warn("alpaca: bad record: an asset without a \"symbol\""
			    " that is a symbol (GET %s)", rest_shown_url(&r));
			(*nbad)++;
			rc = LIU_EXIT_DATA;
			continue;
		}
		each(arg, &j, e, sym.p);
	}
out:
	json_release(&j);
	buf_release(&body);
	buf_release(&w);
	buf_release(&sym);
	rest_close(&r);
	return rc;
}

int
mine_sym_ok(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		if (s[i] < '!' || s[i] > '~' || s[i] == ',' || s[i] == '"' ||
		    s[i] == '\\')
			return 0;
	return n >= 1 && n <= 32;
}

/* tickers */

struct tick {
	PGconn *c;
	struct buf data, name, exch;
	uint64_t n;
	int failed;
};

static void
one_ticker(void *arg, const struct json *j, int obj, const char *sym)
{
	struct tick *t = arg;
	const char *p[4];
	int i;

	if (t->failed)
		return;
	buf_reset(&t->data);
	db_json_compact(&t->data, j->s + j->tok[obj].start,
	    (size_t)(j->tok[obj].end - j->tok[obj].start));
	buf_reset(&t->name);
	buf_reset(&t->exch);
	p[0] = sym;
	i = json_member(j, obj, "name");
	p[1] = i >= 0 && json_str(j, i, &t->name) == 0 ? t->name.p : NULL;
	i = json_member(j, obj, "exchange");
	p[2] = i >= 0 && json_str(j, i, &t->exch) == 0 ? t->exch.p : NULL;
	p[3] = buf_cstr(&t->data);
	if (mine_exec(t->c, "tickers", "INSERT INTO ticker_data (symbol, name,"
	    " exchange, data) VALUES ($1, $2, $3,"
	    " jsonb_build_object('asset', $4::jsonb))"
	    " ON CONFLICT (symbol) DO UPDATE SET name = excluded.name,"
	    " exchange = excluded.exchange,"
	    " data = coalesce(ticker_data.data, '{}') || excluded.data,"
	    " updated_at = now()", 4, p) < 0)
		t->failed = 1;
	else
		t->n++;
}

int
mine_tickers(const struct mine_opts *o)
{
	struct tick t = { NULL, BUF_INIT, BUF_INIT, BUF_INIT, 0, 0 };
	uint64_t nbad = 0;
	int rc;

	if (o->provider != HIST_ALPACA)
		die_code(LIU_EXIT_USAGE, "tickers: the assets are Alpaca's "
		    "(--provider alpaca)");
	t.c = mine_connect(o);
	if (mine_exec(t.c, "tickers", "BEGIN", 0, NULL) < 0) {
		PQfinish(t.c);
		return LIU_EXIT_SYS;
	}
	rc = mine_assets(o, one_ticker, &t, &nbad);
	if (t.failed || liu_stop ||
	    mine_exec(t.c, "tickers", "COMMIT", 0, NULL) < 0) {
		PQclear(PQexec(t.c, "ROLLBACK"));
		if (!liu_stop)
			rc = LIU_EXIT_SYS;
	} else if (o->verbose)
		warn("tickers: %llu stored, %llu bad records skipped",
		    (unsigned long long)t.n, (unsigned long long)nbad);
	PQfinish(t.c);
	buf_release(&t.data);
	buf_release(&t.name);
	buf_release(&t.exch);
	return rc;
}

/* daily-ohlc */

struct names {
	char **v;
	size_t n, cap;
};

static void
names_add(struct names *s, const char *name)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = xstrdup(name);
}

static void
tradable(void *arg, const struct json *j, int obj, const char *sym)
{
	int i = json_member(j, obj, "tradable");

	if (i < 0 || j->tok[i].kind != JSON_TRUE)
		return;
	i = json_member(j, obj, "status");
	if (i >= 0 && !json_eq(j, i, "active"))
		return;
	names_add(arg, sym);
}

/* The lines hist_run() hands over, back to back, NUL-terminated. */
struct lines {
	struct buf b;
	size_t n;
};

static void
collect(void *arg, const char *p, size_t n)
{
	struct lines *l = arg;

	buf_add(&l->b, p, n);
	buf_addc(&l->b, '\0');
	l->n++;
}

/* The day of a daily bar: its UTC date at a UTC midnight, else New
 * York's (Alpaca dates its daily bars by New York's midnight). */
static int64_t
bar_day(int64_t t)
{
	int y, m, d;

	if (t % TM_NS_PER_DAY == 0)
		return t / TM_NS_PER_DAY;
	cal_ny_date(t, &y, &m, &d);
	return tm_days_from_civil(y, m, d);
}

static const char *
num_param(struct buf *b, double v)
{
	if (isnan(v))
		return NULL;
	buf_reset(b);
	json_add_num(b, v);
	return buf_cstr(b);
}

/* Store the bars of one symbol in one transaction: the bars stored, or
 * -1 after a database error.  Bad bars are reported and counted. */
static long
store_bars(PGconn *c, const char *sym, struct lines *l, uint64_t *nbad)
{
	struct ev e = EV_INIT;
	struct buf nb[7], day = BUF_INIT;
	const char *p[9], *err, *s = l->b.p;
	size_t i, k;
	long n = 0;

	for (k = 0; k < 7; k++)
		nb[k] = (struct buf)BUF_INIT;
	if (mine_exec(c, "daily-ohlc", "BEGIN", 0, NULL) < 0)
		return -1;
	for (i = 0; i < l->n; i++, s += strlen(s) + 1) {
		err = NULL;
		if (ev_parse(&e, s, strlen(s), &err) < 0 ||
		    e.type != EV_BAR || !e.tf || strcmp(e.tf, "1d") != 0 ||
		    strcmp(e.sym, sym) != 0) {
			warn("daily-ohlc: %s: a bar that is not one: %s", sym,
			    err ? err : "not a daily bar of the symbol");
			(*nbad)++;
			continue;
		}
		buf_reset(&day);
		mine_add_day(&day, bar_day(e.t));
		p[0] = sym;
		p[1] = buf_cstr(&day);
		p[2] = num_param(&nb[0], e.o);
		p[3] = num_param(&nb[1], e.h);
		p[4] = num_param(&nb[2], e.l);
		p[5] = num_param(&nb[3], e.c);
		p[6] = num_param(&nb[4], e.v);
		p[7] = num_param(&nb[5], e.vw);
		p[8] = isnan(e.n) || e.n != floor(e.n) || fabs(e.n) > 9e15 ?
		    NULL : num_param(&nb[6], e.n);
		if (mine_exec(c, "daily-ohlc", "INSERT INTO stock_ohlc (symbol,"
		    " day, open, high, low, close, volume, vwap, trades)"
		    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
		    " ON CONFLICT (symbol, day) DO UPDATE SET"
		    " open = excluded.open, high = excluded.high,"
		    " low = excluded.low, close = excluded.close,"
		    " volume = excluded.volume, vwap = excluded.vwap,"
		    " trades = excluded.trades", 9, p) < 0) {
			n = -1;
			break;
		}
		n++;
	}
	if (n >= 0 && mine_exec(c, "daily-ohlc", "COMMIT", 0, NULL) < 0)
		n = -1;
	if (n < 0)
		PQclear(PQexec(c, "ROLLBACK"));
	for (k = 0; k < 7; k++)
		buf_release(&nb[k]);
	buf_release(&day);
	ev_release(&e);
	return n;
}

/* The first day to ask a symbol's bars from. */
static int
start_day(PGconn *c, const struct mine_opts *o, const char *sym,
    int64_t now, int64_t *from)
{
	const char *p[1] = { sym };
	PGresult *r;
	int64_t days;

	r = mine_query(c, "daily-ohlc", "SELECT max(day)::text FROM stock_ohlc"
	    " WHERE symbol = $1", 1, p);
	if (!r)
		return -1;
	if (!PQgetisnull(r, 0, 0) &&
	    mine_parse_day(PQgetvalue(r, 0, 0), &days) == 0)
		*from = days * TM_NS_PER_DAY;
	else if (o->since != INT64_MIN)
		*from = o->since;
	else
		*from = now - YEAR_NS - (now % TM_NS_PER_DAY);
	PQclear(r);
	return 0;
}

int
mine_daily_ohlc(const struct mine_opts *o, char **syms, int nsyms)
{
	struct names s = { NULL, 0, 0 };
	struct lines l = { BUF_INIT, 0 };
	struct hist_opts h = HIST_OPTS_INIT;
	uint64_t nbad = 0, nbars = 0;
	int64_t now = liu_clock_ns(), from;
	PGconn *c;
	PGresult *r;
	size_t i;
	long n;
	int rc = 0, hr, k;
	char *one[1];

	if (o->from_assets && o->provider != HIST_ALPACA)
		die_code(LIU_EXIT_USAGE, "--from-assets: the assets are "
		    "Alpaca's (--provider alpaca)");
	for (k = 0; k < nsyms; k++) {
		if (!mine_sym_ok(syms[k]))
			die_code(LIU_EXIT_USAGE, "bad symbol '%.*s': not 1 to "
			    "32 printable ASCII characters", LIU_ECHO_MAX,
			    syms[k]);
		names_add(&s, syms[k]);
	}
	c = mine_connect(o);
	if (o->from_assets)
		rc = mine_assets(o, tradable, &s, &nbad);
	else if (nsyms == 0) {
		r = mine_query(c, "daily-ohlc", "SELECT DISTINCT symbol FROM"
		    " stock_ohlc ORDER BY symbol", 0, NULL);
		if (!r) {
			PQfinish(c);
			return LIU_EXIT_SYS;
		}
		for (k = 0; k < PQntuples(r); k++)
			names_add(&s, PQgetvalue(r, k, 0));
		PQclear(r);
		if (s.n == 0)
			warn("daily-ohlc: no symbols: none named, none stored");
	}
	h.provider = o->provider;
	h.daily = 1;
	h.types = HIST_BARS;
	h.feed = o->feed;
	h.url = o->url;
	h.rest = o->rest;
	h.sink = collect;
	h.sink_arg = &l;
	for (i = 0; i < s.n && !liu_stop; i++) {
		mine_progress(o, "daily-ohlc", i, s.n, s.v[i]);
		if (start_day(c, o, s.v[i], now, &from) < 0) {
			rc = LIU_EXIT_SYS;
			break;
		}
		if (from >= now)
			continue;
		h.from = from;
		h.to = now;
		buf_reset(&l.b);
		l.n = 0;
		one[0] = s.v[i];
		hr = hist_run(&h, one, 1);
		if (hr && !rc)
			rc = hr;
		if (liu_stop)
			break;
		if ((n = store_bars(c, s.v[i], &l, &nbad)) < 0) {
			rc = LIU_EXIT_SYS;
			break;
		}
		nbars += (uint64_t)n;
		if (o->verbose) {
			buf_reset(&l.b);
			mine_add_day(&l.b, from / TM_NS_PER_DAY);
			warn("daily-ohlc: %s: %ld bars from %s", s.v[i], n,
			    buf_cstr(&l.b));
		}
	}
	mine_progress(o, "daily-ohlc", s.n, s.n, NULL);
	if (nbad) {
		warn("daily-ohlc: skipped %llu bad records",
		    (unsigned long long)nbad);
		if (!rc)
			rc = LIU_EXIT_DATA;
	}
	if (o->verbose)
		warn("daily-ohlc: %zu symbols, %llu bars stored", s.n,
		    (unsigned long long)nbars);
	PQfinish(c);
	for (i = 0; i < s.n; i++)
		free(s.v[i]);
	free(s.v);
	buf_release(&l.b);
	return rc;
}
