/*
 * scan.c: the run of liu-scan.  It schedules the scans (once, or --every
 * until --until or the close, from --wait-open after the open), takes the
 * snapshots a source gives for each, applies the scanner and writes its
 * events.
 *
 * What it promises:
 *   - Time is liu_clock_ns(): LIU_NOW pins the start, so a test runs a
 *     day's schedule in seconds of its own choosing.  Every wait ends at
 *     once on SIGTERM or SIGINT, and no scan starts after one.
 *   - A symbol is picked once a run: a later scan writes only the picks
 *     that are new, and --max-symbols counts every pick of the run.
 *   - Order is deterministic: snapshots in symbol order (bytewise), picks
 *     in order of volume, greatest first, ties in symbol order.
 *   - Every event written is whole (nd_emit()), and what one scan wrote is
 *     flushed before the program waits for the next.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cal.h"
#include "json.h"
#include "ndjson.h"
#include "proc.h"
#include "scan.h"
#include "scan_impl.h"
#include "sym.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

/* Lists and times from the command line. */

char **
scan_list(const char *s, int sym, const char **bad)
{
	char **v = NULL;
	const char *e, *p;
	size_t n = 0, len, max = sym ? 32 : 64;

	*bad = s;
	if (!*s)
		return NULL;
	for (;;) {
		e = strchr(s, ',');
		len = e ? (size_t)(e - s) : strlen(s);
		*bad = s;
		if (len == 0 || len > max)
			goto fail;
		for (p = s; p < s + len; p++)
			if (*p < '!' || *p > '~' || (!sym && (*p == '"' ||
			    *p == '\\')))
				goto fail;
		v = xrealloc(v, (n + 2) * sizeof(*v));
		v[n++] = xstrndup(s, len);
		v[n] = NULL;
		if (!e)
			return v;
		s = e + 1;
	}
fail:
	if (v)
		v[n] = NULL;
	scan_list_free(v);
	return NULL;
}

void
scan_list_free(char **list)
{
	char **p;

	for (p = list; p && *p; p++)
		free(*p);
	free(list);
}

/* Two digits at s, at most max: the value, or -1. */
static int
two_digits(const char *s, int max)
{
	int v;

	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	v = (s[0] - '0') * 10 + (s[1] - '0');
	return v <= max ? v : -1;
}

int64_t
scan_time_of_day(const char *s)
{
	int h, m, sec = 0;
	size_t n = strlen(s);

	if ((n != 5 && n != 8) || s[2] != ':' || (n == 8 && s[5] != ':'))
		return -1;
	if ((h = two_digits(s, 23)) < 0 || (m = two_digits(s + 3, 59)) < 0 ||
	    (n == 8 && (sec = two_digits(s + 6, 59)) < 0))
		return -1;
	return ((int64_t)h * 3600 + m * 60 + sec) * TM_NS_PER_SEC;
}

/* Snapshots. */

struct scan_snap *
scan_set_add(struct scan_set *set)
{
	struct scan_snap *sn;

	if (set->n == set->cap) {
		set->cap = set->cap ? 2 * set->cap : 1024;
		set->v = xrealloc(set->v, set->cap * sizeof(*set->v));
	}
	sn = &set->v[set->n++];
	memset(sn, 0, sizeof(*sn));
	sn->vwap = sn->open = sn->high = sn->low = NAN;
	return sn;
}

void
scan_set_release(struct scan_set *set)
{
	free(set->v);
	set->v = NULL;
	set->n = set->cap = 0;
}

int
scan_sym_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '!' || s[i] > '~')
			return 0;
	return 1;
}

int
scan_snap_derive(struct scan_snap *sn)
{
	if (!isfinite(sn->price) || sn->price <= 0 ||
	    !isfinite(sn->prev_close) || sn->prev_close <= 0 ||
	    !isfinite(sn->prev_volume) || sn->prev_volume < 0 ||
	    !isfinite(sn->volume) || sn->volume < 0)
		return -1;
	/*
	 * Times 100 before the division, so that a change that is exactly
	 * a threshold in decimal and in binary (6.25 to 6.46875: 3.5%) comes
	 * out exactly, as a hand check expects.
	 */
	sn->change_pct = (sn->price - sn->prev_close) * 100 / sn->prev_close;
	sn->dollar_volume = sn->prev_close * sn->prev_volume;
	return 0;
}

/* Output. */

static void
add_num(struct buf *b, const char *key, double v)
{
	if (isnan(v))
		return;
	json_add_key(b, key);
	json_add_num(b, v);
}

static void
add_head(struct buf *b, const char *ev, int64_t t, const char *sym)
{
	char ts[TM_RFC3339_MAX];
	size_t n = tm_format(t, ts);

	buf_reset(b);
	buf_adds(b, "{\"ev\":\"");
	buf_adds(b, ev);
	buf_adds(b, "\",\"t\":\"");
	buf_add(b, ts, n);
	buf_adds(b, "\",\"sym\":");
	json_add_str(b, sym, strlen(sym));
}

static void
emit_snapshot(struct scan *s, const struct scan_snap *sn, int64_t t)
{
	struct buf *b = &s->line;

	add_head(b, "snapshot", t, sn->sym);
	add_num(b, "price", sn->price);
	add_num(b, "change_pct", sn->change_pct);
	add_num(b, "volume", sn->volume);
	add_num(b, "prev_close", sn->prev_close);
	add_num(b, "prev_volume", sn->prev_volume);
	add_num(b, "dollar_volume", sn->dollar_volume);
	add_num(b, "vwap", sn->vwap);
	add_num(b, "open", sn->open);
	add_num(b, "high", sn->high);
	add_num(b, "low", sn->low);
	buf_addc(b, '}');
	nd_emit(b->p, b->len);
}

static void
emit_pick(struct scan *s, const struct scan_snap *sn, int64_t t)
{
	struct buf *b = &s->line;

	add_head(b, "pick", t, sn->sym);
	buf_adds(b, ",\"scanner\":\"momentum\"");
	if (s->strategies.len)
		buf_add(b, s->strategies.p, s->strategies.len);
	add_num(b, "price", sn->price);
	add_num(b, "change_pct", sn->change_pct);
	add_num(b, "volume", sn->volume);
	add_num(b, "prev_close", sn->prev_close);
	add_num(b, "prev_volume", sn->prev_volume);
	add_num(b, "dollar_volume", sn->dollar_volume);
	buf_addc(b, '}');
	nd_emit(b->p, b->len);
}

/* The scan. */

static int
by_sym(const void *a, const void *b)
{
	return strcmp(((const struct scan_snap *)a)->sym,
	    ((const struct scan_snap *)b)->sym);
}

/* Volume, greatest first, then the symbol. */
static int
by_volume(const void *a, const void *b)
{
	const struct scan_snap *x = *(const struct scan_snap *const *)a;
	const struct scan_snap *y = *(const struct scan_snap *const *)b;

	if (x->volume != y->volume)
		return x->volume > y->volume ? -1 : 1;
	return strcmp(x->sym, y->sym);
}

static int
momentum(const struct scan_opts *o, const struct scan_snap *sn)
{
	return sn->price >= o->min_price && sn->price <= o->max_price &&
	    sn->dollar_volume >= o->min_last_dv &&
	    sn->change_pct >= o->min_change && sn->volume >= o->min_volume;
}

/* --where on a snapshot: 1 or 0; an error is counted, reported once a
 * scan, and is a 0. */
static int
where(struct scan *s, const struct scan_snap *sn, int64_t t, int *told)
{
	const char *err;
	int r;

	if (!s->o->where)
		return 1;
	r = scan_where_test(s->o->where, sn, t, &err);
	if (r >= 0)
		return r;
	s->nwhere_err++;
	s->status = LIU_EXIT_DATA;
	if (!*told)
		warn("--where: '%s': %s", sn->sym, err);
	*told = 1;
	return 0;
}

void
scan_eval(struct scan *s, struct scan_set *set, int64_t t)
{
	const struct scan_opts *o = s->o;
	struct scan_snap **cand;
	size_t i, n = 0;
	int told = 0;

	s->nscans++;
	s->nsnaps += set->n;
	if (o->mode == SCAN_SNAPSHOT) {
		qsort(set->v, set->n, sizeof(*set->v), by_sym);
		for (i = 0; i < set->n && !liu_stop; i++)
			if (where(s, &set->v[i], t, &told))
				emit_snapshot(s, &set->v[i], t);
		return;
	}
	cand = xcalloc(set->n + 1, sizeof(*cand));
	for (i = 0; i < set->n; i++)
		if (momentum(o, &set->v[i]) && sym_find(&s->picked,
		    set->v[i].sym, strlen(set->v[i].sym)) < 0 &&
		    where(s, &set->v[i], t, &told))
			cand[n++] = &set->v[i];
	qsort(cand, n, sizeof(*cand), by_volume);
	for (i = 0; i < n && s->npicked < o->max_symbols; i++) {
		sym_intern(&s->picked, cand[i]->sym, strlen(cand[i]->sym));
		s->npicked++;
		emit_pick(s, cand[i], t);
	}
	free(cand);
}

void
scan_forget_picks(struct scan *s)
{
	symtab_release(&s->picked);
	s->npicked = 0;
}

/* The schedule. */

/* Wait until liu_clock_ns() reaches t, or liu_stop. */
static void
wait_until(int64_t t)
{
	struct timespec ts;
	int64_t d;

	while (!liu_stop && (d = t - liu_clock_ns()) > 0) {
		/* a minute at most, so that the wall clock is followed */
		if (d > 60 * TM_NS_PER_SEC)
			d = 60 * TM_NS_PER_SEC;
		ts.tv_sec = (time_t)(d / TM_NS_PER_SEC);
		ts.tv_nsec = (long)(d % TM_NS_PER_SEC);
		if (nanosleep(&ts, NULL) < 0 && errno != EINTR)
			die("nanosleep:");
	}
}

/* When the first scan starts, and when the last may. */
static void
schedule(const struct scan_opts *o, int64_t now, int64_t *start,
    int64_t *until)
{
	char ts[TM_RFC3339_MAX];
	int64_t open, close;

	*start = now;
	if (o->wait_open >= 0) {
		if (cal_next_session(now, &open, &close) < 0)
			die_code(LIU_EXIT_USAGE, "--wait-open: no session "
			    "within a month of now");
		if (open + o->wait_open >= close) {
			tm_format(close, ts);
			die_code(LIU_EXIT_USAGE, "--wait-open: the session "
			    "closes at %s, before the wait is over", ts);
		}
		if (open + o->wait_open > now)
			*start = open + o->wait_open;
	}
	*until = o->until;
	if (*until == INT64_MIN) {
		if (cal_next_session(*start, &open, &close) < 0)
			die_code(LIU_EXIT_USAGE, "--every: no session within "
			    "a month of now (give --until)");
		*until = close;
	}
}

static void
set_strategies(struct scan *s)
{
	char **p;

	if (!s->o->strategies)
		return;
	buf_adds(&s->strategies, ",\"strategies\":[");
	for (p = s->o->strategies; *p; p++) {
		if (p > s->o->strategies)
			buf_addc(&s->strategies, ',');
		json_add_str(&s->strategies, *p, strlen(*p));
	}
	buf_addc(&s->strategies, ']');
}

static int
live(struct scan *s)
{
	const struct scan_opts *o = s->o;
	struct scan_src src;
	struct scan_set set = SCAN_SET_INIT;
	int64_t start, until, next, t;
	int rc;

	scan_src_open(&src, o);
	schedule(o, liu_clock_ns(), &start, &until);
	for (next = start; !liu_stop;) {
		wait_until(next);
		if (liu_stop)
			break;
		t = liu_clock_ns();
		if ((rc = scan_src_fetch(&src, &set)) != 0)
			s->status = rc;
		if (liu_stop)	/* a scan cut short is not a scan */
			break;
		scan_eval(s, &set, t);
		if (nd_out_flush() < 0)
			die("write error:");
		if (!o->every)
			break;
		/* the next slot of the grid from the start not yet gone */
		next += o->every;
		if ((t = liu_clock_ns()) > next)
			next += (t - next + o->every - 1) / o->every * o->every;
		if (next >= until)
			break;
	}
	if (src.nbad)
		warn("%s: skipped %llu bad records", src.name,
		    (unsigned long long)src.nbad);
	if (o->verbose)
		warn("%s: %llu scans, %llu snapshots, %llu symbols without "
		    "data, %llu requests (%llu retries)", src.name,
		    (unsigned long long)s->nscans,
		    (unsigned long long)s->nsnaps,
		    (unsigned long long)src.nodata,
		    (unsigned long long)(src.data.nreq + src.trading.nreq),
		    (unsigned long long)(src.data.nretry +
		    src.trading.nretry));
	scan_src_close(&src);
	scan_set_release(&set);
	return s->status;
}

int
scan_run(const struct scan_opts *o)
{
	struct scan s;
	int status;

	memset(&s, 0, sizeof(s));
	s.o = o;
	set_strategies(&s);
	status = o->from || o->from_bars ? scan_from_run(&s) : live(&s);
	if (s.nwhere_err)
		warn("--where failed on %llu snapshots",
		    (unsigned long long)s.nwhere_err);
	if (o->verbose)
		warn("%llu events out", (unsigned long long)nd_nout);
	symtab_release(&s.picked);
	buf_release(&s.line);
	buf_release(&s.strategies);
	return status ? status : s.status;
}
