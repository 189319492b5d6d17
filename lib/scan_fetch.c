/*
 * scan_fetch.c: the market's snapshots over the providers' REST APIs.
 *
 * Alpaca: the universe is the tradable assets of the trading API,
 * GET /v2/assets?status=active&asset_class=us_equity (a JSON array, not
 * paged), asked for once a run; the snapshots come from the market-data
 * API, GET /v2/stocks/snapshots?symbols=A,B,... in chunks of --chunk
 * symbols (a map from symbol to snapshot, not paged; an unknown symbol
 * maps to null).  Polygon: one GET of the all-tickers snapshot,
 * /v2/snapshot/locale/us/markets/stocks/tickers (or ?tickers=A,B for
 * --symbols), whose "tickers" array holds every symbol (not paged).
 *
 * A snapshot becomes a struct scan_snap:
 *   field        Alpaca                      Polygon
 *   price        latestTrade.p, else         lastTrade.p, else day.c
 *                dailyBar.c
 *   volume       dailyBar.v                  day.v
 *   prev_close   prevDailyBar.c              prevDay.c
 *   prev_volume  prevDailyBar.v              prevDay.v
 *   vwap, open,  dailyBar.vw, .o, .h, .l     day.vw, .o, .h, .l
 *   high, low
 * A symbol whose snapshot, day or previous day is null or absent (a new
 * listing, a symbol without trades), or whose prices are 0 (Polygon
 * clears the day before the open), has no data for a scan: it is counted
 * and left out, quietly.  A record that is there but wrong (a field
 * missing from an object, a number that is a string) is a bad record:
 * reported, counted, left out, and the rest of the response is read.
 *
 * Failures: a response that is not JSON, or a request that failed after
 * rest.c's retries, loses its chunk (reported); a connection that cannot
 * be made ends the scan (reported); a 401 or 403 ends the program, since
 * no later request can succeed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "ndjson.h"
#include "rest.h"
#include "scan.h"
#include "scan_impl.h"
#include "util.h"
#include "banned.h"

#define ALPACA_DATA_URL "https://data.alpaca.markets"
#define ALPACA_TRADING_URL "https://paper-api.alpaca.markets"
#define POLYGON_URL "https://api.polygon.io"

/* Requests. */

/*
 * The provider's message in an error body: its "message" (Alpaca, and
 * Polygon's 403) or "error" (Polygon) string, else the start of the body,
 * into src->msg.
 */
static const char *
provider_message(struct scan_src *src)
{
	const struct json *j = &src->j;
	const char *err, *p;
	size_t k;
	int i;

	buf_reset(&src->msg);
	for (k = 0; k < src->body.len; k++)
		if (src->body.p[k] == '\n' || src->body.p[k] == '\r')
			src->body.p[k] = ' ';
	if (src->body.len && json_parse(&src->j, src->body.p, src->body.len,
	    &err) == 0 && (((i = json_get(j, "message")) >= 0 &&
	    j->tok[i].kind == JSON_STR) || ((i = json_get(j, "error")) >= 0 &&
	    j->tok[i].kind == JSON_STR)) && json_str(j, i, &src->msg) == 0 &&
	    src->msg.len)
		return buf_cstr(&src->msg);
	buf_reset(&src->msg);
	for (p = buf_cstr(&src->body); *p == ' ' || *p == '\t'; p++)
		;
	buf_add(&src->msg, p, strnlen(p, 200));
	while (src->msg.len && src->msg.p[src->msg.len - 1] == ' ')
		src->msg.len--;
	return src->msg.len ? buf_cstr(&src->msg) : "no message";
}

/*
 * GET src->target on r into src->body.  Returns 1 with a 2xx body, 0
 * when the request failed (reported), -1 when no connection could be
 * had (reported; the scan should end) or on liu_stop.  Dies on 401 and
 * 403.
 */
static int
get(struct scan_src *src, struct rest *r)
{
	const char *msg;
	long status;

	/* what is written goes downstream before we wait */
	if (nd_out_flush() < 0)
		die("write error:");
	status = rest_get(r, buf_cstr(&src->target), &src->body);
	if (status < 0) {
		if (!liu_stop)
			warn("%s: cannot GET %s: %s", src->name,
			    rest_shown_url(r), r->err);
		return -1;
	}
	if (status >= 200 && status < 300)
		return 1;
	msg = provider_message(src);
	if (status == 401 || status == 403)
		die_code(LIU_EXIT_DATA, "%s: %s (HTTP %ld from GET %s)",
		    src->name, msg, status, rest_shown_url(r));
	warn("%s: %s (HTTP %ld from GET %s%s)", src->name, msg, status,
	    rest_shown_url(r), status == 429 || status >= 500 ?
	    ", retries used up" : "");
	return 0;
}

/*
 * Tokenize 'len' bytes at p, a whole response body; the tokenizer reads
 * lines, so a body's line ends become blanks first.  Returns 0, or -1
 * after reporting a body that is not JSON.
 */
static int
parse(struct scan_src *src, struct rest *r, char *p, size_t len)
{
	const char *err;
	char *q, *end = p + len;

	for (q = p; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
		*q = '\r';
	if (json_parse(&src->j, p, len, &err) == 0)
		return 0;
	warn("%s: bad response: %s (GET %s)", src->name, err,
	    rest_shown_url(r));
	return -1;
}

/* Records. */

/* A record being read: where to say what is wrong with it. */
struct rec {
	struct scan_src *src;
	struct rest *r;
	const char *sym;	/* NULL: not known yet */
	char why[160];
};

static void
bad_record(struct rec *rc)
{
	struct scan_src *src = rc->src;

	if (rc->sym)
		warn("%s: '%s': bad snapshot in the response: %s (GET %s)",
		    src->name, rc->sym, rc->why, rest_shown_url(rc->r));
	else
		warn("%s: bad snapshot in the response: %s (GET %s)",
		    src->name, rc->why, rest_shown_url(rc->r));
	src->nbad++;
}

/* The object member 'key' of obj: its token, -1 if absent or null, -2
 * (why set) if it is not an object. */
static int
sub(struct rec *rc, int obj, const char *key)
{
	const struct json *j = &rc->src->j;
	int i = json_member(j, obj, key);

	if (i >= 0 && j->tok[i].kind != JSON_OBJ) {
		snprintf(rc->why, sizeof(rc->why), "\"%s\" is not an object",
		    key);
		return -2;
	}
	return i;
}

/*
 * Number member 'key' of the object 'name' at token obj into *v: 0, or
 * -1 (why set) when it is not a number, or missing and 'need'.  Absent
 * and not needed: *v is NAN.
 */
static int
num(struct rec *rc, int obj, const char *name, const char *key, int need,
    double *v)
{
	const struct json *j = &rc->src->j;
	int i = json_member(j, obj, key);

	*v = NAN;
	if (i < 0 && !need)
		return 0;
	if (i < 0)
		snprintf(rc->why, sizeof(rc->why), "no \"%s\" in %s", key,
		    name);
	else if (json_num(j, i, v) < 0)
		snprintf(rc->why, sizeof(rc->why), "\"%s\" of %s is not a "
		    "number", key, name);
	else
		return 0;
	return -1;
}

/* A price or volume of 0 is one the provider does not have. */
static double
known(double v)
{
	return v == 0 ? NAN : v;
}

/*
 * Read the day, the previous day and the last trade into sn.  Returns 1
 * with the snapshot filled, 0 when there is no data for a scan, -1 for a
 * bad record (why set).
 */
static int
read_days(struct rec *rc, struct scan_snap *sn, int day, int prev,
    int trade, const char *dname, const char *pname, const char *tname)
{
	double c, p;

	if (day == -2 || prev == -2 || trade == -2)
		return -1;
	if (day < 0 || prev < 0)
		return 0;
	if (num(rc, prev, pname, "c", 1, &sn->prev_close) < 0 ||
	    num(rc, prev, pname, "v", 1, &sn->prev_volume) < 0 ||
	    num(rc, day, dname, "v", 1, &sn->volume) < 0 ||
	    num(rc, day, dname, "c", trade < 0, &c) < 0 ||
	    num(rc, day, dname, "o", 0, &sn->open) < 0 ||
	    num(rc, day, dname, "h", 0, &sn->high) < 0 ||
	    num(rc, day, dname, "l", 0, &sn->low) < 0 ||
	    num(rc, day, dname, "vw", 0, &sn->vwap) < 0 ||
	    (trade >= 0 && num(rc, trade, tname, "p", 1, &p) < 0))
		return -1;
	sn->price = trade >= 0 && p != 0 ? p : c;
	sn->open = known(sn->open);
	sn->high = known(sn->high);
	sn->low = known(sn->low);
	sn->vwap = known(sn->vwap);
	if (sn->prev_close == 0 || isnan(sn->price) || sn->price == 0)
		return 0;
	if (scan_snap_derive(sn) < 0) {
		snprintf(rc->why, sizeof(rc->why), "a negative price or "
		    "volume");
		return -1;
	}
	return 1;
}

/* Add the snapshot at token v of symbol sym (n bytes) to the set. */
static void
add_alpaca(struct scan_src *src, struct scan_set *set, struct rec *rc,
    int v)
{
	const struct json *j = &src->j;
	struct scan_snap *sn;
	int r;

	if (j->tok[v].kind == JSON_NULL) {
		src->nodata++;
		return;
	}
	if (j->tok[v].kind != JSON_OBJ) {
		snprintf(rc->why, sizeof(rc->why), "not an object");
		bad_record(rc);
		return;
	}
	sn = scan_set_add(set);
	memcpy(sn->sym, rc->sym, strlen(rc->sym) + 1);
	r = read_days(rc, sn, sub(rc, v, "dailyBar"), sub(rc, v,
	    "prevDailyBar"), sub(rc, v, "latestTrade"), "dailyBar",
	    "prevDailyBar", "latestTrade");
	if (r == 1)
		return;
	set->n--;
	if (r == 0)
		src->nodata++;
	else
		bad_record(rc);
}

static void
add_polygon(struct scan_src *src, struct scan_set *set, struct rec *rc,
    int v)
{
	const struct json *j = &src->j;
	struct scan_snap *sn;
	int i, r;

	rc->sym = NULL;
	if (j->tok[v].kind != JSON_OBJ) {
		snprintf(rc->why, sizeof(rc->why), "a ticker that is not an "
		    "object");
		bad_record(rc);
		return;
	}
	sn = scan_set_add(set);
	i = json_member(j, v, "ticker");
	if (i < 0 || j->tok[i].kind != JSON_STR || j->tok[i].esc ||
	    !scan_sym_ok(j->s + j->tok[i].start, (size_t)(j->tok[i].end -
	    j->tok[i].start))) {
		snprintf(rc->why, sizeof(rc->why), "no \"ticker\" that is a "
		    "symbol");
		set->n--;
		bad_record(rc);
		return;
	}
	memcpy(sn->sym, j->s + j->tok[i].start, (size_t)(j->tok[i].end -
	    j->tok[i].start));
	sn->sym[j->tok[i].end - j->tok[i].start] = '\0';
	rc->sym = sn->sym;
	r = read_days(rc, sn, sub(rc, v, "day"), sub(rc, v, "prevDay"),
	    sub(rc, v, "lastTrade"), "day", "prevDay", "lastTrade");
	if (r == 1)
		return;
	set->n--;
	if (r == 0)
		src->nodata++;
	else
		bad_record(rc);
}

/* Alpaca. */

/* The tradable assets into the universe.  0, or -1 (reported). */
static int
alpaca_universe(struct scan_src *src)
{
	const struct json *j = &src->j;
	struct rec rc = { src, &src->trading, NULL, "" };
	struct buf *w = &src->wrap;
	int arr, e, i, n;

	buf_reset(&src->target);
	buf_adds(&src->target, "/v2/assets?status=active"
	    "&asset_class=us_equity");
	if (get(src, &src->trading) <= 0)
		return -1;
	/* the body is an array; the tokenizer wants an object */
	buf_reset(w);
	buf_adds(w, "{\"assets\":");
	buf_add(w, src->body.p, src->body.len);
	buf_addc(w, '}');
	if (parse(src, &src->trading, w->p, w->len) < 0)
		return -1;
	arr = json_get(j, "assets");
	if (j->tok[arr].kind != JSON_ARR) {
		warn("%s: bad response: not an array of assets (GET %s)",
		    src->name, rest_shown_url(&src->trading));
		return -1;
	}
	src->universe = xcalloc((size_t)j->tok[arr].size + 1,
	    sizeof(*src->universe));
	for (e = arr + 1; e < j->tok[arr].next; e = j->tok[e].next) {
		rc.sym = NULL;
		if (j->tok[e].kind != JSON_OBJ) {
			snprintf(rc.why, sizeof(rc.why), "an asset that is "
			    "not an object");
			bad_record(&rc);
			continue;
		}
		i = json_member(j, e, "symbol");
		if (i < 0 || j->tok[i].kind != JSON_STR || j->tok[i].esc ||
		    !scan_sym_ok(j->s + j->tok[i].start, (size_t)(n =
		    j->tok[i].end - j->tok[i].start))) {
			snprintf(rc.why, sizeof(rc.why), "an asset without a "
			    "\"symbol\" that is a symbol");
			bad_record(&rc);
			continue;
		}
		i = json_member(j, e, "tradable");
		if (i < 0 || j->tok[i].kind != JSON_TRUE)
			continue;
		i = json_member(j, e, "status");
		if (i >= 0 && !json_eq(j, i, "active"))
			continue;
		i = json_member(j, e, "symbol");
		src->universe[src->nuniv++] = xstrndup(j->s +
		    j->tok[i].start, (size_t)n);
	}
	src->have_universe = 1;
	return 0;
}

static int
alpaca_fetch(struct scan_src *src, struct scan_set *set)
{
	const struct json *j = &src->j;
	const struct scan_opts *o = src->o;
	struct rec rc = { src, &src->data, NULL, "" };
	struct buf *t = &src->target;
	size_t i, k;
	int status = 0, g, m, n;

	if (!src->have_universe && alpaca_universe(src) < 0)
		return LIU_EXIT_DATA;
	for (i = 0; i < src->nuniv && !liu_stop; i += (size_t)o->chunk) {
		buf_reset(t);
		buf_adds(t, "/v2/stocks/snapshots?symbols=");
		for (k = i; k < src->nuniv && k < i + (size_t)o->chunk; k++) {
			if (k > i)
				buf_addc(t, ',');
			rest_add_escaped(t, src->universe[k]);
		}
		if (o->feed) {
			buf_adds(t, "&feed=");
			rest_add_escaped(t, o->feed);
		}
		src->nchunks++;
		if ((g = get(src, &src->data)) < 0)
			return LIU_EXIT_DATA;
		if (g == 0 || parse(src, &src->data, src->body.p,
		    src->body.len) < 0) {
			status = LIU_EXIT_DATA;
			continue;
		}
		for (m = 1; m < j->tok[0].next; m = j->tok[m + 1].next) {
			n = j->tok[m].end - j->tok[m].start;
			if (j->tok[m].esc || !scan_sym_ok(j->s +
			    j->tok[m].start, (size_t)n)) {
				rc.sym = NULL;
				snprintf(rc.why, sizeof(rc.why), "a key that "
				    "is not a symbol");
				bad_record(&rc);
				continue;
			}
			buf_reset(&src->str);
			buf_add(&src->str, j->s + j->tok[m].start, (size_t)n);
			rc.sym = buf_cstr(&src->str);
			add_alpaca(src, set, &rc, m + 1);
		}
	}
	return status;
}

/* Polygon. */

static int
polygon_fetch(struct scan_src *src, struct scan_set *set)
{
	const struct json *j = &src->j;
	const struct scan_opts *o = src->o;
	struct rec rc = { src, &src->data, NULL, "" };
	struct buf *t = &src->target;
	char **p;
	int arr, e, g;

	buf_reset(t);
	buf_adds(t, "/v2/snapshot/locale/us/markets/stocks/tickers"
	    "?include_otc=false");
	if (o->symbols) {
		buf_adds(t, "&tickers=");
		for (p = o->symbols; *p; p++) {
			if (p > o->symbols)
				buf_addc(t, ',');
			rest_add_escaped(t, *p);
		}
	}
	src->nchunks++;
	if ((g = get(src, &src->data)) <= 0 ||
	    parse(src, &src->data, src->body.p, src->body.len) < 0)
		return LIU_EXIT_DATA;
	arr = json_get(j, "tickers");
	if (arr < 0 || j->tok[arr].kind == JSON_NULL)
		return 0;	/* nothing to say: no tickers */
	if (j->tok[arr].kind != JSON_ARR) {
		warn("%s: bad response: \"tickers\" is not an array (GET %s)",
		    src->name, rest_shown_url(&src->data));
		return LIU_EXIT_DATA;
	}
	for (e = arr + 1; e < j->tok[arr].next; e = j->tok[e].next)
		add_polygon(src, set, &rc, e);
	return 0;
}

/* Setup. */

static void
open_rest(struct scan_src *src, struct rest *r, const char *opt,
    const char *var, const char *dflt, const char *given)
{
	const char *url, *why;

	if (given)
		url = given;
	else if (liu_env(var)) {
		url = liu_env(var);
		opt = var;
	} else {
		url = dflt;
		opt = "the default URL";
	}
	/* a refused URL is not echoed: it may hold a password */
	if (rest_open(r, url, &src->o->rest, &why) < 0)
		die_code(LIU_EXIT_USAGE, "%s: bad %s: %s", src->name, opt,
		    why);
}

static void
set_key(struct rest *r, const char *header, const char *var,
    const char *prefix)
{
	struct buf v = BUF_INIT;

	buf_adds(&v, prefix);
	buf_adds(&v, liu_env(var));
	if (rest_header(r, header, buf_cstr(&v)) < 0)
		die_code(LIU_EXIT_USAGE, "%s holds a control character", var);
	memset(v.p, 0, v.len);
	buf_release(&v);
}

void
scan_src_open(struct scan_src *src, const struct scan_opts *o)
{
	static const struct rest rinit = REST_INIT;
	size_t n;

	memset(src, 0, sizeof(*src));
	src->o = o;
	src->data = src->trading = rinit;
	if (o->provider == SCAN_ALPACA) {
		src->name = "alpaca";
		if (!liu_env("APCA_API_KEY_ID") ||
		    !liu_env("APCA_API_SECRET_KEY"))
			die_code(LIU_EXIT_USAGE, "alpaca: no keys: set "
			    "APCA_API_KEY_ID and APCA_API_SECRET_KEY (see "
			    "liu-scan(1))");
		open_rest(src, &src->data, "--url", "APCA_API_DATA_URL",
		    ALPACA_DATA_URL, o->url);
		set_key(&src->data, "APCA-API-KEY-ID", "APCA_API_KEY_ID", "");
		set_key(&src->data, "APCA-API-SECRET-KEY",
		    "APCA_API_SECRET_KEY", "");
		if (!o->symbols) {
			open_rest(src, &src->trading, "--trading-url",
			    "APCA_API_BASE_URL", ALPACA_TRADING_URL,
			    o->trading_url);
			set_key(&src->trading, "APCA-API-KEY-ID",
			    "APCA_API_KEY_ID", "");
			set_key(&src->trading, "APCA-API-SECRET-KEY",
			    "APCA_API_SECRET_KEY", "");
		} else {
			for (n = 0; o->symbols[n]; n++)
				;
			src->universe = xcalloc(n + 1,
			    sizeof(*src->universe));
			for (n = 0; o->symbols[n]; n++)
				src->universe[n] = xstrdup(o->symbols[n]);
			src->nuniv = n;
			src->have_universe = 1;
		}
	} else {
		src->name = "polygon";
		if (!liu_env("POLYGON_API_KEY"))
			die_code(LIU_EXIT_USAGE, "polygon: no key: set "
			    "POLYGON_API_KEY (see liu-scan(1))");
		open_rest(src, &src->data, "--url", "POLYGON_API_URL",
		    POLYGON_URL, o->url);
		set_key(&src->data, "Authorization", "POLYGON_API_KEY",
		    "Bearer ");
	}
}

int
scan_src_fetch(struct scan_src *src, struct scan_set *set)
{
	uint64_t nbad = src->nbad;
	int rc;

	set->n = 0;
	rc = src->o->provider == SCAN_ALPACA ? alpaca_fetch(src, set) :
	    polygon_fetch(src, set);
	return rc ? rc : src->nbad > nbad ? LIU_EXIT_DATA : 0;
}

void
scan_src_close(struct scan_src *src)
{
	size_t i;

	for (i = 0; i < src->nuniv; i++)
		free(src->universe[i]);
	free(src->universe);
	rest_close(&src->data);
	rest_close(&src->trading);
	buf_release(&src->target);
	buf_release(&src->body);
	buf_release(&src->str);
	buf_release(&src->msg);
	buf_release(&src->wrap);
	json_release(&src->j);
}
