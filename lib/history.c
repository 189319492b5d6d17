/*
 * history.c: liu-stream history.  Each (symbol, type) is a source that
 * holds the events of one page of the provider's answer, formatted and
 * keyed; a binary heap merges the sources by key and, on equal keys, by
 * the symbols' order on the command line with a symbol's bars before its
 * trades.  A source whose page is used up asks for its next page, so
 * memory holds one page per source, however long the window.
 *
 * The key of a trade is its time; the key of a bar is the END of its
 * interval (t plus one minute or one day), because the contract writes a
 * bar after the events of its interval (schema/events.md, "Order in a
 * stream"): with bars alone this is the order of t, and with trades the
 * 14:30 bar comes after the trades of 14:30 to 14:31.
 *
 * What the providers send is never trusted further than it is checked:
 * bodies are parsed by the validating tokenizer of lib/json.c, a record
 * missing a field or with one of the wrong type is reported and skipped,
 * and numbers are read exactly and written in the shortest form that
 * reads back the same (json_add_num()), as the contract asks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "history.h"
#include "json.h"
#include "merge.h"
#include "ndjson.h"
#include "rest.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define ALPACA_URL "https://data.alpaca.markets"
#define POLYGON_URL "https://api.polygon.io"

/* one event of a page: its merge key and its text in the source's lines */
struct pend {
	int64_t key, t;
	size_t off, len;
};

struct source {
	int sym;		/* index into the symbols */
	int kind;		/* HIST_BARS or HIST_TRADES */
	int idx;		/* the order of ties */
	struct buf lines;	/* the page's events, back to back */
	struct pend *ev;
	size_t nev, cap, pos;
	struct buf next;	/* Alpaca: the page token; Polygon: the
				   target of next_url */
	int more;		/* there is a next page */
	int started;		/* the first page was asked for */
	int64_t key;		/* of ev[pos] */
};

struct hist {
	const struct hist_opts *o;
	const char *name;	/* "alpaca" or "polygon" */
	char **syms;		/* the symbols, duplicates out */
	int nsyms;
	unsigned char *failed;	/* per symbol: not found */
	const char *feed;	/* Alpaca: the feed asked for, NULL: none */
	int fell_back;		/* the SIP to IEX fallback was taken */
	long limit;		/* records a page */
	struct rest rest;
	struct buf target, body, str, msg;
	struct json j;
	struct source *cur;	/* the source being read */
	uint64_t nout, nbad;
	int64_t tlast, last_progress;
	int shown;		/* a progress line is on the screen */
	int status;
};

int
hist_provider_from(const char *s, enum hist_provider *p)
{
	if (strcmp(s, "alpaca") == 0)
		*p = HIST_ALPACA;
	else if (strcmp(s, "polygon") == 0)
		*p = HIST_POLYGON;
	else
		return -1;
	return 0;
}

int
hist_types(const char *s, int *types)
{
	const char *e;
	size_t n;
	int t = 0;

	for (;;) {
		e = strchr(s, ',');
		n = e ? (size_t)(e - s) : strlen(s);
		if (n == 3 && strncmp(s, "bar", 3) == 0)
			t |= HIST_BARS;
		else if (n == 5 && strncmp(s, "trade", 5) == 0)
			t |= HIST_TRADES;
		else
			return -1;
		if (!e)
			break;
		s = e + 1;
	}
	*types = t;
	return 0;
}

/* Progress. */

static void
progress(struct hist *h, int last)
{
	char ts[TM_RFC3339_MAX], msg[200];
	int64_t now;
	int n;

	if (!h->o->progress)
		return;
	now = liu_mono_ns();
	if (!last && now - h->last_progress < 250000000)
		return;
	if (last && !h->shown)
		return;
	h->last_progress = now;
	h->shown = 1;
	if (h->nout)
		tm_format(h->tlast, ts);
	n = snprintf(msg, sizeof(msg), "\r%s: history: %llu events, "
	    "%llu requests%s%s%s", liu_progname,
	    (unsigned long long)h->nout, (unsigned long long)h->rest.nreq,
	    h->nout ? ", at " : "", h->nout ? ts : "", last ? "\n" : "");
	if (n > 0 && write(2, msg, (size_t)n) < 0)
		return;
}

/* Messages.  A progress line on the screen is ended first. */

static void
end_progress(struct hist *h)
{
	if (h->shown && write(2, "\n", 1) == 1)
		h->shown = 0;
}

/*
 * The provider's message in an error body: its "message" (Alpaca, Polygon
 * 403) or "error" (Polygon) string, else the body's first line, cut to 200
 * bytes; into h->msg.
 */
static const char *
provider_message(struct hist *h)
{
	const char *err, *p, *e;
	int i;
	size_t k;

	buf_reset(&h->msg);
	for (k = 0; k < h->body.len; k++)
		if (h->body.p[k] == '\n')
			h->body.p[k] = '\r';
	if (h->body.len && json_parse(&h->j, h->body.p, h->body.len,
	    &err) == 0 && (((i = json_get(&h->j, "message")) >= 0 &&
	    h->j.tok[i].kind == JSON_STR) || ((i = json_get(&h->j,
	    "error")) >= 0 && h->j.tok[i].kind == JSON_STR)) &&
	    json_str(&h->j, i, &h->msg) == 0 && h->msg.len)
		return buf_cstr(&h->msg);
	buf_reset(&h->msg);
	p = buf_cstr(&h->body);
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	for (e = p; *e && *e != '\r' && e - p < 200; e++)
		;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == p)
		return "no message";
	buf_add(&h->msg, p, (size_t)(e - p));
	return buf_cstr(&h->msg);
}

/* Requests. */

static void
add_time(struct buf *b, int64_t ns)
{
	char ts[TM_RFC3339_MAX];

	tm_format(ns, ts);
	rest_add_escaped(b, ts);
}

/* ns to ms, rounding down */
static int64_t
floor_ms(int64_t ns)
{
	return ns / 1000000 - (ns % 1000000 < 0);
}

static void
build_target(struct hist *h, struct source *s)
{
	const struct hist_opts *o = h->o;
	struct buf *b = &h->target;
	const char *sym = h->syms[s->sym];

	buf_reset(b);
	if (o->provider == HIST_POLYGON && s->started) {
		buf_add(b, s->next.p, s->next.len);
		buf_cstr(b);
		return;
	}
	if (o->provider == HIST_ALPACA) {
		buf_adds(b, "/v2/stocks/");
		rest_add_escaped(b, sym);
		if (s->kind == HIST_BARS) {
			buf_adds(b, "/bars?timeframe=");
			buf_adds(b, o->daily ? "1Day" : "1Min");
			buf_adds(b, "&start=");
		} else
			buf_adds(b, "/trades?start=");
		add_time(b, o->from);
		buf_adds(b, "&end=");
		add_time(b, o->to);
		if (s->kind == HIST_BARS) {
			buf_adds(b, "&adjustment=");
			rest_add_escaped(b, o->adjustment);
		}
		buf_addf(b, "&limit=%ld", h->limit);
		if (h->feed) {
			buf_adds(b, "&feed=");
			rest_add_escaped(b, h->feed);
		}
		if (s->started) {
			buf_adds(b, "&page_token=");
			rest_add_escaped(b, buf_cstr(&s->next));
		}
	} else if (s->kind == HIST_BARS) {
		buf_adds(b, "/v2/aggs/ticker/");
		rest_add_escaped(b, sym);
		buf_addf(b, "/range/1/%s/%lld/%lld?adjusted=%s&sort=asc"
		    "&limit=%ld", o->daily ? "day" : "minute",
		    (long long)floor_ms(o->from),
		    (long long)floor_ms(o->to - 1),
		    strcmp(o->adjustment, "raw") == 0 ? "false" : "true",
		    h->limit);
	} else {
		buf_adds(b, "/v3/trades/");
		rest_add_escaped(b, sym);
		buf_addf(b, "?timestamp.gte=%lld&timestamp.lt=%lld"
		    "&order=asc&sort=timestamp&limit=%ld",
		    (long long)o->from, (long long)o->to, h->limit);
	}
	buf_cstr(b);
}

/*
 * Whether a message speaks of SIP data, in any case ("subscription does
 * not permit querying recent SIP data").
 */
static int
mentions_sip(const char *msg)
{
	for (; *msg; msg++)
		if (strncasecmp(msg, "sip data", 8) == 0)
			return 1;
	return 0;
}

/*
 * Get the source's next page into h->body.  Returns 1 with a 2xx body, 0
 * when the symbol is not found (reported) or on liu_stop; dies on the
 * errors nothing can be done about.
 */
static int
get_page(struct hist *h, struct source *s)
{
	const char *sym = h->syms[s->sym], *msg;
	long status;

	for (;;) {
		build_target(h, s);
		/* what is written goes downstream before we wait */
		if (nd_out_flush() < 0)
			die("write error:");
		status = rest_get(&h->rest, h->target.p, &h->body);
		if (status < 0) {
			if (liu_stop)
				return 0;
			end_progress(h);
			die_code(LIU_EXIT_DATA, "%s: cannot GET %s: %s",
			    h->name, rest_shown_url(&h->rest), h->rest.err);
		}
		if (status >= 200 && status < 300)
			return 1;
		msg = provider_message(h);
		end_progress(h);
		/*
		 * A plan without recent SIP data: the IEX feed has it, so
		 * take that, once for every request, and say so.
		 */
		if (status == 403 && h->o->provider == HIST_ALPACA &&
		    !h->o->feed && !h->fell_back && mentions_sip(msg)) {
			warn("%s: %s: using the IEX feed", h->name, msg);
			h->feed = "iex";
			h->fell_back = 1;
			continue;
		}
		if (status == 404) {
			warn("%s: '%s' not found: %s (HTTP 404)", h->name, sym,
			    msg);
			h->failed[s->sym] = 1;
			h->status = LIU_EXIT_DATA;
			return 0;
		}
		die_code(LIU_EXIT_DATA, "%s: %s (HTTP %ld from GET %s%s)",
		    h->name, msg, status, rest_shown_url(&h->rest),
		    status == 429 || status >= 500 ? ", retries used up" :
		    "");
	}
}

/* Records. */

/* A record is bad: report it once with its reason, count it. */
static void
bad_record(struct hist *h, const char *what, const char *why)
{
	end_progress(h);
	warn("%s: '%s': bad %s in the response: %s (GET %s)", h->name,
	    h->syms[h->cur->sym], what, why, rest_shown_url(&h->rest));
	h->nbad++;
	h->status = LIU_EXIT_DATA;
}

/* Append ',"key":NUMBER' from member 'key'; -1 if absent or no number. */
static int
add_num(struct buf *b, const struct json *j, int obj, const char *key,
    const char *name)
{
	double v;
	int i = json_member(j, obj, key);

	if (i < 0 || json_num(j, i, &v) < 0)
		return -1;
	json_add_key(b, name);
	json_add_num(b, v);
	return 0;
}

/*
 * Append ',"name":"CODE"' from member 'key', a string as it is or a whole
 * number as its decimal text (Polygon's exchange codes, Alpaca's trade
 * ids); nothing if absent.  -1 for any other JSON type.
 */
static int
add_code(struct hist *h, struct buf *b, int obj, const char *key,
    const char *name)
{
	const struct json *j = &h->j;
	int i = json_member(j, obj, key), n, k;
	const char *p;

	if (i < 0)
		return 0;
	if (j->tok[i].kind == JSON_STR) {
		buf_reset(&h->str);
		if (json_str(j, i, &h->str) < 0)
			return -1;
		json_add_key(b, name);
		json_add_str(b, h->str.p, h->str.len);
		return 0;
	}
	if (j->tok[i].kind != JSON_NUM)
		return -1;
	p = j->s + j->tok[i].start;
	n = j->tok[i].end - j->tok[i].start;
	for (k = 0; k < n; k++)
		if (p[k] < '0' || p[k] > '9')
			return -1;
	json_add_key(b, name);
	json_add_str(b, p, (size_t)n);
	return 0;
}

/* Append the value at token i without blanks: strings and numbers in
 * their canonical form. */
static void
add_compact(struct hist *h, struct buf *b, int i)
{
	const struct json *j = &h->j;
	const struct json_tok *t = &j->tok[i];
	double v;
	int k;

	switch (t->kind) {
	case JSON_STR:
		buf_reset(&h->str);
		json_str(j, i, &h->str);
		json_add_str(b, h->str.p, h->str.len);
		break;
	case JSON_NUM:
		json_num(j, i, &v);
		json_add_num(b, v);
		break;
	case JSON_ARR:
		buf_addc(b, '[');
		for (k = i + 1; k < t->next; k = j->tok[k].next) {
			if (k > i + 1)
				buf_addc(b, ',');
			add_compact(h, b, k);
		}
		buf_addc(b, ']');
		break;
	case JSON_OBJ:
		buf_addc(b, '{');
		for (k = i + 1; k < t->next; k = j->tok[k + 1].next) {
			if (k > i + 1)
				buf_addc(b, ',');
			add_compact(h, b, k);
			buf_addc(b, ':');
			add_compact(h, b, k + 1);
		}
		buf_addc(b, '}');
		break;
	default:
		buf_add(b, j->s + t->start, (size_t)(t->end - t->start));
		break;
	}
}

/* The time of a record: Alpaca's RFC 3339 "t", or Polygon's integer in
 * units of 'unit' ns.  -1 if absent or bad. */
static int
record_time(struct hist *h, int obj, const char *key, int64_t unit,
    int64_t *ns)
{
	const struct json *j = &h->j;
	int i = json_member(j, obj, key);
	int64_t v;

	if (i < 0)
		return -1;
	if (unit == 0)
		return j->tok[i].kind == JSON_STR && !j->tok[i].esc &&
		    tm_parse(j->s + j->tok[i].start, (size_t)(j->tok[i].end -
		    j->tok[i].start), ns) == 0 ? 0 : -1;
	if (json_i64(j, i, INT64_MIN / unit, INT64_MAX / unit, &v) < 0)
		return -1;
	*ns = v * unit;
	return 0;
}

static void
add_head(struct hist *h, struct buf *b, const char *ev, int64_t t)
{
	char ts[TM_RFC3339_MAX];
	size_t n = tm_format(t, ts);
	const char *sym = h->syms[h->cur->sym];

	buf_adds(b, "{\"ev\":\"");
	buf_adds(b, ev);
	buf_adds(b, "\",\"t\":\"");
	buf_add(b, ts, n);
	buf_adds(b, "\",\"sym\":");
	json_add_str(b, sym, strlen(sym));
}

/* Format the bar at token 'obj' into the source; -1 if it is bad. */
static int
record_bar(struct hist *h, int obj, int64_t *t, const char **why)
{
	static const char *const ohlcv[] = { "o", "h", "l", "c", "v" };
	struct buf *b = &h->cur->lines;
	const struct json *j = &h->j;
	size_t k;

	if (record_time(h, obj, "t", h->o->provider == HIST_POLYGON ?
	    1000000 : 0, t) < 0) {
		*why = "no valid \"t\"";
		return -1;
	}
	if (*t < h->o->from || *t >= h->o->to)
		return 1;
	add_head(h, b, "bar", *t);
	json_add_key(b, "tf");
	buf_adds(b, h->o->daily ? "\"1d\"" : "\"1m\"");
	for (k = 0; k < 5; k++)
		if (add_num(b, j, obj, ohlcv[k], ohlcv[k]) < 0) {
			*why = "a field of o, h, l, c, v missing or not a "
			    "number";
			return -1;
		}
	if ((json_member(j, obj, "vw") >= 0 &&
	    add_num(b, j, obj, "vw", "vw") < 0) ||
	    (json_member(j, obj, "n") >= 0 &&
	    add_num(b, j, obj, "n", "n") < 0)) {
		*why = "\"vw\" or \"n\" not a number";
		return -1;
	}
	buf_addc(b, '}');
	return 0;
}

/* Polygon's tape: 1, 2, 3 are the consolidated tapes A, B, C. */
static int
add_tape(struct hist *h, struct buf *b, int obj)
{
	int64_t v;
	int i = json_member(&h->j, obj, "tape");

	if (i < 0)
		return 0;
	if (json_i64(&h->j, i, 1, 3, &v) == 0) {
		json_add_key(b, "tape");
		buf_addc(b, '"');
		buf_addc(b, (int)('A' + v - 1));
		buf_addc(b, '"');
		return 0;
	}
	return add_code(h, b, obj, "tape", "tape");
}

/* Format the trade at token 'obj' into the source; -1 if it is bad. */
static int
record_trade(struct hist *h, int obj, int64_t *t, const char **why)
{
	struct buf *b = &h->cur->lines;
	const struct json *j = &h->j;
	int poly = h->o->provider == HIST_POLYGON, i;

	if (record_time(h, obj, poly ? "sip_timestamp" : "t", poly ? 1 : 0,
	    t) < 0 && (!poly || record_time(h, obj, "participant_timestamp",
	    1, t) < 0)) {
		*why = "no valid time";
		return -1;
	}
	if (*t < h->o->from || *t >= h->o->to)
		return 1;
	add_head(h, b, "trade", *t);
	if (add_num(b, j, obj, poly ? "price" : "p", "price") < 0 ||
	    add_num(b, j, obj, poly ? "size" : "s", "size") < 0) {
		*why = "price or size missing or not a number";
		return -1;
	}
	if (add_code(h, b, obj, poly ? "exchange" : "x", "x") < 0) {
		*why = "a bad exchange code";
		return -1;
	}
	if ((i = json_member(j, obj, poly ? "conditions" : "c")) >= 0) {
		json_add_key(b, "cond");
		add_compact(h, b, i);
	}
	if ((poly ? add_tape(h, b, obj) : add_code(h, b, obj, "z",
	    "tape")) < 0) {
		*why = "a bad tape";
		return -1;
	}
	if (add_code(h, b, obj, poly ? "id" : "i", "id") < 0) {
		*why = "a bad trade id";
		return -1;
	}
	buf_addc(b, '}');
	return 0;
}

/* Add the records of the array at token 'arr' to the source. */
static void
add_records(struct hist *h, struct source *s, int arr)
{
	const struct json *j = &h->j;
	const char *why, *what = s->kind == HIST_BARS ? "bar" : "trade";
	size_t off;
	int64_t t;
	int e, rc;

	for (e = arr + 1; e < j->tok[arr].next; e = j->tok[e].next) {
		off = s->lines.len;
		if (j->tok[e].kind != JSON_OBJ) {
			bad_record(h, what, "not an object");
			continue;
		}
		rc = s->kind == HIST_BARS ? record_bar(h, e, &t, &why) :
		    record_trade(h, e, &t, &why);
		if (rc != 0) {
			s->lines.len = off;
			if (rc < 0)
				bad_record(h, what, why);
			continue;
		}
		if (s->nev == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 256;
			s->ev = xrealloc(s->ev, s->cap * sizeof(*s->ev));
		}
		s->ev[s->nev].key = t + (s->kind == HIST_TRADES ? 0 :
		    h->o->daily ? TM_NS_PER_DAY : TM_NS_PER_MIN);
		s->ev[s->nev].t = t;
		s->ev[s->nev].off = off;
		s->ev[s->nev].len = s->lines.len - off;
		s->nev++;
	}
}

/* Read the page in h->body into the source: its events, its next page. */
static void
read_page(struct hist *h, struct source *s)
{
	const struct json *j = &h->j;
	const char *err;
	int arr, nx;
	size_t k;

	/* the tokenizer reads lines: a body's newlines are blanks to it */
	for (k = 0; k < h->body.len; k++)
		if (h->body.p[k] == '\n')
			h->body.p[k] = '\r';
	if (json_parse(&h->j, h->body.p, h->body.len, &err) < 0) {
		end_progress(h);
		die_code(LIU_EXIT_DATA, "%s: bad response: %s (GET %s)",
		    h->name, err, rest_shown_url(&h->rest));
	}
	if (h->o->provider == HIST_ALPACA) {
		arr = json_get(j, s->kind == HIST_BARS ? "bars" : "trades");
		nx = json_get(j, "next_page_token");
	} else {
		arr = json_get(j, "results");
		nx = json_get(j, "next_url");
	}
	if (arr >= 0 && j->tok[arr].kind == JSON_ARR)
		add_records(h, s, arr);
	else if (arr >= 0 && j->tok[arr].kind != JSON_NULL) {
		end_progress(h);
		die_code(LIU_EXIT_DATA, "%s: bad response: \"%s\" is not an "
		    "array (GET %s)", h->name, h->o->provider == HIST_ALPACA ?
		    (s->kind == HIST_BARS ? "bars" : "trades") : "results",
		    rest_shown_url(&h->rest));
	}
	s->more = nx >= 0 && j->tok[nx].kind == JSON_STR &&
	    j->tok[nx].end > j->tok[nx].start;
	if (!s->more)
		return;
	buf_reset(&h->str);
	json_str(j, nx, &h->str);
	if (h->o->provider == HIST_POLYGON) {
		buf_reset(&h->msg);
		if (rest_target_of(h->str.p, &h->msg) < 0) {
			end_progress(h);
			die_code(LIU_EXIT_DATA, "%s: bad response: a "
			    "next_url that is not a URL (GET %s)", h->name,
			    rest_shown_url(&h->rest));
		}
		buf_reset(&h->str);
		buf_add(&h->str, h->msg.p, h->msg.len);
	}
	/* a server that sends the page it was asked for again: no end */
	if (h->str.len == s->next.len && memcmp(h->str.p, s->next.p,
	    s->next.len) == 0) {
		end_progress(h);
		die_code(LIU_EXIT_DATA, "%s: bad response: the same next page "
		    "again (GET %s)", h->name, rest_shown_url(&h->rest));
	}
	buf_reset(&s->next);
	buf_add(&s->next, h->str.p, h->str.len);
}

/*
 * Refill the source with its next page that has events in the window.
 * Returns 1 with s->ev[0] current, 0 when it has no more.
 */
static int
fill(struct hist *h, struct source *s)
{
	s->nev = s->pos = 0;
	buf_reset(&s->lines);
	while (s->nev == 0) {
		if ((s->started && !s->more) || h->failed[s->sym] || liu_stop)
			return 0;
		h->cur = s;
		if (!get_page(h, s))
			return 0;
		s->started = 1;
		read_page(h, s);
		progress(h, 0);
	}
	s->key = s->ev[0].key;
	return 1;
}

/* Setup. */

static void
set_key(struct hist *h, const char *header, const char *var,
    const char *prefix)
{
	struct buf v = BUF_INIT;
	const char *s = liu_env(var);

	buf_adds(&v, prefix);
	buf_adds(&v, s);
	if (rest_header(&h->rest, header, buf_cstr(&v)) < 0)
		die_code(LIU_EXIT_USAGE, "%s holds a control character", var);
	memset(v.p, 0, v.len);
	buf_release(&v);
}

static void
check_symbol(const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++)
		if (s[i] < '!' || s[i] > '~')
			break;
	if (n == 0 || n > 32 || i < n)
		die_code(LIU_EXIT_USAGE, "bad symbol '%.*s': not 1 to 32 "
		    "printable ASCII characters", LIU_ECHO_MAX, s);
}

static void
setup(struct hist *h, const struct hist_opts *o, char *const *syms,
    int nsyms)
{
	const char *url, *urlvar, *why;
	long max;
	int i, k, nsrc;

	h->o = o;
	h->feed = o->feed;
	h->syms = xcalloc((size_t)nsyms, sizeof(*h->syms));
	for (i = 0; i < nsyms; i++) {
		check_symbol(syms[i]);
		for (k = 0; k < h->nsyms; k++)
			if (strcmp(h->syms[k], syms[i]) == 0)
				break;
		if (k == h->nsyms)
			h->syms[h->nsyms++] = syms[i];
	}
	h->failed = xcalloc((size_t)h->nsyms, 1);
	if (o->provider == HIST_ALPACA) {
		h->name = "alpaca";
		urlvar = "APCA_API_DATA_URL";
		url = ALPACA_URL;
		max = 10000;
		if (!liu_env("APCA_API_KEY_ID") ||
		    !liu_env("APCA_API_SECRET_KEY"))
			die_code(LIU_EXIT_USAGE, "alpaca: no keys: set "
			    "APCA_API_KEY_ID and APCA_API_SECRET_KEY (see "
			    "liu-stream(1))");
	} else {
		h->name = "polygon";
		urlvar = "POLYGON_API_URL";
		url = POLYGON_URL;
		max = 50000;
		if (!liu_env("POLYGON_API_KEY"))
			die_code(LIU_EXIT_USAGE, "polygon: no key: set "
			    "POLYGON_API_KEY (see liu-stream(1))");
		if (strcmp(o->adjustment, "raw") != 0 &&
		    strcmp(o->adjustment, "split") != 0)
			die_code(LIU_EXIT_USAGE, "polygon: --adjustment %s: "
			    "Polygon adjusts for splits only (want raw or "
			    "split)", o->adjustment);
		if (o->feed)
			die_code(LIU_EXIT_USAGE, "polygon: --feed is for "
			    "alpaca only");
	}
	if (o->url) {
		url = o->url;
		urlvar = "--url";
	} else if (liu_env(urlvar))
		url = liu_env(urlvar);
	else
		urlvar = "the default URL";
	/* a refused URL is not echoed: it may hold a password */
	if (rest_open(&h->rest, url, &o->rest, &why) < 0)
		die_code(LIU_EXIT_USAGE, "%s: bad %s: %s", h->name, urlvar,
		    why);
	if (o->provider == HIST_ALPACA) {
		set_key(h, "APCA-API-KEY-ID", "APCA_API_KEY_ID", "");
		set_key(h, "APCA-API-SECRET-KEY", "APCA_API_SECRET_KEY", "");
	} else
		set_key(h, "Authorization", "POLYGON_API_KEY", "Bearer ");
	/*
	 * Records a page: the provider's most for a source or two, fewer
	 * for many sources, so that the pages held at once (one a source)
	 * stay near 100000 records.
	 */
	nsrc = h->nsyms * ((o->types & HIST_BARS ? 1 : 0) +
	    (o->types & HIST_TRADES ? 1 : 0));
	h->limit = nsrc > 0 ? 100000 / nsrc : max;
	if (h->limit > max)
		h->limit = max;
	if (h->limit < 1000)
		h->limit = 1000;
}

int
hist_run(const struct hist_opts *o, char *const *syms, int nsyms)
{
	struct hist h;
	struct source *src, *s;
	struct merge_src *heap;
	int i, k, n = 0, nsrc = 0;
	static const int kinds[] = { HIST_BARS, HIST_TRADES };

	memset(&h, 0, sizeof(h));
	setup(&h, o, syms, nsyms);
	src = xcalloc((size_t)h.nsyms * 2, sizeof(*src));
	heap = xcalloc((size_t)h.nsyms * 2, sizeof(*heap));
	for (i = 0; i < h.nsyms; i++)
		for (k = 0; k < 2; k++) {
			if (!(o->types & kinds[k]))
				continue;
			s = &src[nsrc++];
			s->sym = i;
			s->kind = kinds[k];
			s->idx = 2 * i + k;
			if (fill(&h, s))
				heap[n++] = (struct merge_src){ s->key, s->idx,
				    s };
		}
	merge_build(heap, n);
	while (n > 0 && !liu_stop) {
		s = heap[0].p;
		if (o->sink)
			o->sink(o->sink_arg, s->lines.p + s->ev[s->pos].off,
			    s->ev[s->pos].len);
		else
			nd_emit(s->lines.p + s->ev[s->pos].off,
			    s->ev[s->pos].len);
		h.nout++;
		h.tlast = s->ev[s->pos].t;
		if (++s->pos < s->nev)
			s->key = s->ev[s->pos].key;
		else if (!fill(&h, s))
			s = NULL;
		if (s)
			heap[0].key = s->key;
		else
			heap[0] = heap[--n];
		merge_sift(heap, n, 0);
		if ((h.nout & 1023) == 0)
			progress(&h, 0);
	}
	progress(&h, 1);
	if (h.nbad)
		warn("%s: skipped %llu bad records", h.name,
		    (unsigned long long)h.nbad);
	if (o->verbose)
		warn("%s: %llu events, %llu requests (%llu retries)", h.name,
		    (unsigned long long)h.nout,
		    (unsigned long long)h.rest.nreq,
		    (unsigned long long)h.rest.nretry);
	for (i = 0; i < nsrc; i++) {
		buf_release(&src[i].lines);
		buf_release(&src[i].next);
		free(src[i].ev);
	}
	free(src);
	free(heap);
	free(h.syms);
	free(h.failed);
	rest_close(&h.rest);
	buf_release(&h.target);
	buf_release(&h.body);
	buf_release(&h.str);
	buf_release(&h.msg);
	json_release(&h.j);
	return h.status;
}
