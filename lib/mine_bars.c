/*
 * mine_bars.c: stock_ohlc as daily bar events, for liu-scan --from-db:
 * one query in libpq's single-row mode, so the table is read once, in
 * order of day then symbol (byte order), a row in memory at a time.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "mine.h"
#include "mine_impl.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

struct mine_bars {
	PGconn *c;
	PGresult *r;
	char sym[40];
	int done;
};

struct mine_bars *
mine_bars_open(const char *dsn)
{
	struct mine_opts o = MINE_OPTS_INIT;
	struct mine_bars *b = xcalloc(1, sizeof(*b));

	o.dsn = dsn;
	b->c = mine_connect(&o);
	if (!PQsendQuery(b->c, "SELECT symbol, day - date '1970-01-01',"
	    " open::float8, high::float8, low::float8, close::float8,"
	    " volume::float8, vwap::float8, trades::float8 FROM stock_ohlc"
	    " ORDER BY day, symbol COLLATE \"C\"") ||
	    !PQsetSingleRowMode(b->c))
		die_code(LIU_EXIT_SYS, "stock_ohlc: %.*s",
		    (int)strcspn(PQerrorMessage(b->c), "\n"),
		    PQerrorMessage(b->c));
	return b;
}

static double
col(PGresult *r, int k)
{
	return PQgetisnull(r, 0, k) ? NAN : strtod(PQgetvalue(r, 0, k), NULL);
}

int
mine_bars_next(void *arg, struct ev *ev)
{
	struct mine_bars *b = arg;
	const char *m;
	size_t n;

	if (b->done)
		return 0;
	PQclear(b->r);
	b->r = PQgetResult(b->c);
	if (!b->r) {
		b->done = 1;
		return 0;
	}
	switch (PQresultStatus(b->r)) {
	case PGRES_SINGLE_TUPLE:
		break;
	case PGRES_TUPLES_OK:	/* the end */
		PQclear(b->r);
		b->r = NULL;
		while ((b->r = PQgetResult(b->c)))
			PQclear(b->r);
		b->done = 1;
		return 0;
	default:
		m = PQresultErrorMessage(b->r);
		warn("stock_ohlc: %.*s", (int)strcspn(m, "\n"), m);
		b->done = 1;
		return -1;
	}
	ev_clear(ev);
	n = strlen(PQgetvalue(b->r, 0, 0));
	if (n >= sizeof(b->sym))
		n = sizeof(b->sym) - 1;
	memcpy(b->sym, PQgetvalue(b->r, 0, 0), n);
	b->sym[n] = '\0';
	ev->type = EV_BAR;
	ev->evname = "bar";
	ev->sym = b->sym;
	ev->tf = "1d";
	ev->t = strtoll(PQgetvalue(b->r, 0, 1), NULL, 10) * TM_NS_PER_DAY;
	ev->o = col(b->r, 2);
	ev->h = col(b->r, 3);
	ev->l = col(b->r, 4);
	ev->c = col(b->r, 5);
	ev->v = col(b->r, 6);
	ev->vw = col(b->r, 7);
	ev->n = col(b->r, 8);
	return 1;
}

void
mine_bars_close(struct mine_bars *b)
{
	if (!b)
		return;
	PQclear(b->r);
	PQfinish(b->c);
	free(b);
}
