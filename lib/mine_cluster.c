/*
 * mine_cluster.c: liu-mine cluster.  Symbols are grouped by how their
 * daily log returns move together, from the closes of stock_ohlc over the
 * last --days days (to today, LIU_NOW's date):
 *
 *   return     ln(close / the symbol's close of the stored day before),
 *              for each stored day of the window but its first
 *   distance   1 - the Pearson correlation of two symbols' returns over
 *              the days both have one; 1 (as if uncorrelated) when they
 *              share fewer than --min-days or one of them does not move
 *   grouping   agglomerative, average linkage (UPGMA): each symbol
 *              starts alone; the two groups at the least distance (the
 *              mean of the distances between their members) are joined,
 *              again and again, while that distance is at most
 *              --max-distance.  A tie goes to the pair met first, groups
 *              taken in the order of their first symbol (byte order), so
 *              a run is deterministic.
 *
 * A symbol with fewer than --min-days returns in the window is left out.
 * Groups are numbered from 1 in the order of their first symbol.  The
 * result is one "cluster" event a symbol on stdout (--ndjson), or the
 * member "cluster" of ticker_data.data: {"id", "size", "days",
 * "max_distance", "as_of"}.  Time and memory grow as the square of the
 * symbols, the joining as the cube: a few thousand symbols at most.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "mine.h"
#include "mine_impl.h"
#include "proc.h"
#include "ndjson.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

struct cl {
	char **sym;
	size_t n, cap;
	double *ret;		/* n x ndays, NAN where none */
	int ndays;
	int *nret;		/* returns each symbol has */
};

static double
corr_dist(const struct cl *c, size_t a, size_t b, int min_days)
{
	const double *x = c->ret + a * (size_t)c->ndays;
	const double *y = c->ret + b * (size_t)c->ndays;
	double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, mx, my, vx, vy;
	int d, n = 0;

	for (d = 0; d < c->ndays; d++)
		if (!isnan(x[d]) && !isnan(y[d])) {
			sx += x[d];
			sy += y[d];
			n++;
		}
	if (n < min_days || n < 2)
		return 1;
	mx = sx / n;
	my = sy / n;
	for (d = 0; d < c->ndays; d++)
		if (!isnan(x[d]) && !isnan(y[d])) {
			sxx += (x[d] - mx) * (x[d] - mx);
			syy += (y[d] - my) * (y[d] - my);
			sxy += (x[d] - mx) * (y[d] - my);
		}
	vx = sxx;
	vy = syy;
	if (!(vx > 0) || !(vy > 0))
		return 1;
	return 1 - sxy / sqrt(vx * vy);
}

/* Load the closes of the window as returns: 0, or -1 (reported). */
static int
load(PGconn *c, const struct mine_opts *o, int64_t today, struct cl *cl)
{
	struct buf lo = BUF_INIT, hi = BUF_INIT;
	const char *p[2];
	PGresult *r;
	int i, n, rc = 0;
	int64_t day, prevday = 0;
	double close, prev = NAN;
	const char *last = "";

	mine_add_day(&lo, today - o->days);
	mine_add_day(&hi, today);
	p[0] = buf_cstr(&lo);
	p[1] = buf_cstr(&hi);
	r = mine_query(c, "cluster", "SELECT symbol, day::text, close::float8"
	    " FROM stock_ohlc WHERE day > $1 AND day <= $2 AND close > 0"
	    " ORDER BY symbol COLLATE \"C\", day", 2, p);
	if (!r) {
		rc = -1;
		goto out;
	}
	cl->ndays = o->days;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		if (mine_parse_day(PQgetvalue(r, i, 1), &day) < 0)
			continue;
		close = strtod(PQgetvalue(r, i, 2), NULL);
		if (strcmp(PQgetvalue(r, i, 0), last) != 0) {
			if (cl->n == cl->cap) {
				cl->cap = cl->cap ? 2 * cl->cap : 64;
				cl->sym = xrealloc(cl->sym, cl->cap *
				    sizeof(*cl->sym));
				cl->nret = xrealloc(cl->nret, cl->cap *
				    sizeof(*cl->nret));
				cl->ret = xrealloc(cl->ret, cl->cap *
				    (size_t)cl->ndays * sizeof(*cl->ret));
			}
			cl->sym[cl->n] = xstrdup(PQgetvalue(r, i, 0));
			cl->nret[cl->n] = 0;
			for (int d = 0; d < cl->ndays; d++)
				cl->ret[cl->n * (size_t)cl->ndays + d] = NAN;
			last = cl->sym[cl->n++];
			prev = NAN;
		}
		if (!isnan(prev) && day > prevday) {
			cl->ret[(cl->n - 1) * (size_t)cl->ndays +
			    (day - (today - o->days) - 1)] = log(close / prev);
			cl->nret[cl->n - 1]++;
		}
		prev = close;
		prevday = day;
	}
	PQclear(r);
out:
	buf_release(&lo);
	buf_release(&hi);
	return rc;
}

int
mine_cluster(const struct mine_opts *o)
{
	struct cl cl = { NULL, 0, 0, NULL, 0, NULL };
	struct buf b = BUF_INIT, asof = BUF_INIT, num = BUF_INIT;
	int64_t now = liu_clock_ns(), today;
	size_t *keep = NULL, *size = NULL, *root = NULL, n = 0, i, j, k;
	size_t bi = 0, bj = 0, ngroups = 0;
	double *dist = NULL, best;
	int *active = NULL, rc = 0;
	long *label = NULL;
	PGconn *c = mine_connect(o);
	const char *p[2];
	char ts[64];

	today = now / TM_NS_PER_DAY - (now % TM_NS_PER_DAY < 0);
	if (load(c, o, today, &cl) < 0) {
		PQfinish(c);
		return LIU_EXIT_SYS;
	}
	keep = xcalloc(cl.n + 1, sizeof(*keep));
	for (i = 0; i < cl.n; i++)
		if (cl.nret[i] >= o->min_days)
			keep[n++] = i;
	dist = xcalloc(n * n + 1, sizeof(*dist));
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			dist[i * n + j] = dist[j * n + i] =
			    corr_dist(&cl, keep[i], keep[j], o->min_days);
	active = xcalloc(n + 1, sizeof(*active));
	size = xcalloc(n + 1, sizeof(*size));
	root = xcalloc(n + 1, sizeof(*root));
	for (i = 0; i < n; i++) {
		active[i] = 1;
		size[i] = 1;
		root[i] = i;
	}
	/* join the closest two while they are close enough */
	for (;;) {
		best = INFINITY;
		for (i = 0; i < n; i++) {
			if (!active[i])
				continue;
			for (j = i + 1; j < n; j++)
				if (active[j] && dist[i * n + j] < best) {
					best = dist[i * n + j];
					bi = i;
					bj = j;
				}
		}
		if (!(best <= o->max_distance))
			break;
		for (k = 0; k < n; k++) {
			if (!active[k] || k == bi || k == bj)
				continue;
			dist[bi * n + k] = dist[k * n + bi] =
			    ((double)size[bi] * dist[bi * n + k] +
			    (double)size[bj] * dist[bj * n + k]) /
			    (double)(size[bi] + size[bj]);
		}
		size[bi] += size[bj];
		active[bj] = 0;
		for (k = 0; k < n; k++)
			if (root[k] == bj)
				root[k] = bi;
	}
	label = xcalloc(n + 1, sizeof(*label));
	for (i = 0; i < n; i++)
		if (active[i])
			label[i] = (long)++ngroups;
	mine_add_day(&asof, today);
	ts[tm_format(now, ts)] = '\0';
	if (!o->ndjson && mine_exec(c, "cluster", "BEGIN", 0, NULL) < 0)
		rc = LIU_EXIT_SYS;
	for (i = 0; i < n && rc == 0 && !liu_stop; i++) {
		buf_reset(&b);
		if (o->ndjson) {
			buf_adds(&b, "{\"ev\":\"cluster\",\"t\":\"");
			buf_adds(&b, ts);
			buf_addc(&b, '"');
			json_add_kstr(&b, "sym", cl.sym[keep[i]]);
			json_add_knum(&b, "cluster", (double)label[root[i]]);
			json_add_knum(&b, "size", (double)size[root[i]]);
			json_add_knum(&b, "days", o->days);
			json_add_knum(&b, "max_distance", o->max_distance);
			buf_addc(&b, '}');
			nd_emit(b.p, b.len);
			continue;
		}
		buf_adds(&b, "{\"cluster\":{\"id\":");
		buf_addi64(&b, label[root[i]]);
		json_add_knum(&b, "size", (double)size[root[i]]);
		json_add_knum(&b, "days", o->days);
		json_add_knum(&b, "max_distance", o->max_distance);
		json_add_kstr(&b, "as_of", buf_cstr(&asof));
		buf_adds(&b, "}}");
		p[0] = cl.sym[keep[i]];
		p[1] = buf_cstr(&b);
		if (mine_exec(c, "cluster", "INSERT INTO ticker_data (symbol,"
		    " data) VALUES ($1, $2::jsonb) ON CONFLICT (symbol) DO"
		    " UPDATE SET data = coalesce(ticker_data.data, '{}') ||"
		    " excluded.data, updated_at = now()", 2, p) < 0)
			rc = LIU_EXIT_SYS;
	}
	if (!o->ndjson && rc == 0 && (liu_stop ||
	    mine_exec(c, "cluster", "COMMIT", 0, NULL) < 0))
		rc = LIU_EXIT_SYS;
	if (!o->ndjson && rc)
		PQclear(PQexec(c, "ROLLBACK"));
	if (o->verbose)
		warn("cluster: %zu symbols in %zu groups, %zu left out (fewer "
		    "than %d returns)", n, ngroups, cl.n - n, o->min_days);
	PQfinish(c);
	for (i = 0; i < cl.n; i++)
		free(cl.sym[i]);
	free(cl.sym);
	free(cl.ret);
	free(cl.nret);
	free(keep);
	free(dist);
	free(active);
	free(size);
	free(root);
	free(label);
	buf_release(&b);
	buf_release(&asof);
	buf_release(&num);
	return rc;
}
