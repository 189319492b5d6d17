/*
 * db_portfolio.c: "liu-db portfolio": portfolios, their accounts and the
 * fills of their batches.
 *
 * Promises: the work is done by the functions of schema/0002-portfolio.sql
 * (liu_portfolio_create, _sync, _recalc), each call one transaction, so a
 * portfolio is never half made and an account's balance only ever moves
 * through its append-only transactions, checked by the balance trigger.
 * Money is printed as the database keeps it (numeric, exact).  Times are
 * RFC 3339 UTC.  Every statement is a constant string; values travel as
 * libpq parameters.
 *
 * Owns nothing past a call.
 *
 * Fails: each function returns -1 after printing the database's first
 * line of error, 1 (said on stderr) when the portfolio does not exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "ndjson.h"
#include "util.h"
#include "banned.h"

/* An RFC 3339 UTC time of a timestamptz column, to the microsecond. */
#define DB_T(col) "to_char(" col " AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

long long
db_portfolio_id(const char *s)
{
	long long v = 0;

	if (!*s || strlen(s) > 18)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
	}
	return v;
}

static void
say_error(PGconn *c, PGresult *r, const char *what)
{
	const char *m = r ? PQresultErrorMessage(r) : NULL;

	if (!m || !*m)
		m = PQerrorMessage(c);
	warn("%s: %.*s", what, (int)strcspn(m, "\n"), m);
}

/* Run a statement of one row; returns the result, or NULL after saying. */
static PGresult *
one_row(PGconn *c, const char *sql, int n, const char *const *p,
    const char *what)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		say_error(c, r, what);
		PQclear(r);
		return NULL;
	}
	return r;
}

int
db_portfolio_name(PGconn *c, long long id, char **name)
{
	char ib[24];
	const char *p[1] = { ib };
	PGresult *r;

	snprintf(ib, sizeof(ib), "%lld", id);
	r = PQexecParams(c, "SELECT name FROM portfolio WHERE id = $1", 1,
	    NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		say_error(c, r, "portfolio");
		PQclear(r);
		return -1;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 1;
	}
	if (name)
		*name = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

/* 0 if portfolio id exists; 1 after saying it does not; -1. */
static int
must_exist(PGconn *c, long long id)
{
	int rc = db_portfolio_name(c, id, NULL);

	if (rc == 1)
		warn("no portfolio %lld", id);
	return rc;
}

int
db_portfolio_create(PGconn *c, const char *size, const char *credit,
    const char *name)
{
	const char *p[3] = { size, credit, name };
	PGresult *r;

	r = one_row(c, "SELECT liu_portfolio_create($1::numeric,"
	    " $2::numeric, $3)", 3, p, "portfolio create");
	if (!r)
		return -1;
	nd_emit(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
	PQclear(r);
	return 0;
}

int
db_portfolio_list(PGconn *c)
{
	return db_print_rows(c, "SELECT p.id, p.name, p.size, p.credit,"
	    " coalesce(a.balance, 0), (SELECT count(*) FROM"
	    "  portfolio_batch_ids b WHERE b.portfolio_id = p.id)"
	    " FROM portfolio p LEFT JOIN accounts a ON a.id = p.account_id"
	    " ORDER BY p.id", 0, NULL, "portfolio list") < 0 ? -1 : 0;
}

int
db_portfolio_equity(PGconn *c, long long id)
{
	static const char *const names[] = { "size", "credit", "cash",
		"positions", "equity", "return" };
	char ib[24];
	const char *p[1] = { ib };
	struct buf b = BUF_INIT;
	PGresult *r;
	int rc, i;

	if ((rc = must_exist(c, id)) != 0)
		return rc;
	snprintf(ib, sizeof(ib), "%lld", id);
	/* each symbol's net position marked at its last fill's price */
	r = one_row(c, "WITH f AS (SELECT t.* FROM portfolio_batch_ids b"
	    "  JOIN new_trades t ON t.batch_id = b.batch_id"
	    "  WHERE b.portfolio_id = $1),"
	    " s AS (SELECT sum(CASE WHEN operation IN ('buy',"
	    "  'buy_to_cover') THEN qty ELSE -qty END) AS qty,"
	    "  (array_agg(price ORDER BY client_time DESC,"
	    "  client_time_ns DESC, id DESC))[1] AS mark"
	    "  FROM f GROUP BY symbol),"
	    " v AS (SELECT coalesce(sum(qty * mark), 0) AS mv FROM s)"
	    " SELECT p.size, p.credit, coalesce(a.balance, 0), v.mv,"
	    "  coalesce(a.balance, 0) + v.mv, round((coalesce(a.balance, 0)"
	    "  + v.mv) / nullif(p.size, 0) - 1, 6)"
	    " FROM portfolio p LEFT JOIN accounts a ON a.id = p.account_id,"
	    "  v WHERE p.id = $1", 1, p, "portfolio equity");
	if (!r)
		return -1;
	for (i = 0; i < 6; i++) {
		buf_reset(&b);
		buf_addf(&b, "%s\t%s", names[i], PQgetvalue(r, 0, i));
		nd_emit(b.p, b.len);
	}
	PQclear(r);
	buf_release(&b);
	return 0;
}

/* The rows of sql (its $1 the portfolio's id) for an existing portfolio. */
static int
print_for(PGconn *c, long long id, const char *sql, const char *what)
{
	char ib[24];
	const char *p[1] = { ib };
	int rc;

	if ((rc = must_exist(c, id)) != 0)
		return rc;
	snprintf(ib, sizeof(ib), "%lld", id);
	return db_print_rows(c, sql, 1, p, what) < 0 ? -1 : 0;
}

int
db_portfolio_account(PGconn *c, long long id)
{
	return print_for(c, id, "SELECT x.id, " DB_T("x.tx_time") ", x.kind,"
	    " x.amount, x.balance_after, x.batch_id, x.ref, x.note"
	    " FROM portfolio p JOIN account_transactions x"
	    " ON x.account_id = p.account_id WHERE p.id = $1 ORDER BY x.id",
	    "portfolio account");
}

int
db_portfolio_trades(PGconn *c, long long id)
{
	return print_for(c, id, "SELECT to_char(t.client_time AT TIME ZONE"
	    " 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') ||"
	    " lpad(t.client_time_ns::text, 3, '0') || 'Z', t.batch_id,"
	    " a.strategy, t.symbol, t.operation, t.qty, t.price,"
	    " t.fee, t.exec_id"
	    " FROM portfolio_batch_ids b JOIN new_trades t"
	    " ON t.batch_id = b.batch_id JOIN algo_run a"
	    " ON a.id = t.algo_run_id WHERE b.portfolio_id = $1"
	    " ORDER BY t.client_time, t.client_time_ns, t.id",
	    "portfolio trades");
}

static int
exec_cmd(PGconn *c, const char *sql, int n, const char *const *p,
    const char *what)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		say_error(c, r, what);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

int
db_portfolio_recalc(PGconn *c, long long id, int yes)
{
	char ib[24];
	const char *p[2] = { ib, NULL };
	PGresult *r;
	char *last = NULL;
	int rc;

	if ((rc = must_exist(c, id)) != 0)
		return rc;
	snprintf(ib, sizeof(ib), "%lld", id);
	if (exec_cmd(c, "BEGIN", 0, NULL, "portfolio recalc") < 0)
		return -1;
	r = one_row(c, "SELECT coalesce(max(x.id), 0) FROM portfolio p"
	    " JOIN account_transactions x ON x.account_id = p.account_id"
	    " WHERE p.id = $1", 1, p, "portfolio recalc");
	if (!r)
		goto fail;
	last = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (!(r = one_row(c, "SELECT liu_portfolio_recalc($1)", 1, p,
	    "portfolio recalc")))
		goto fail;
	PQclear(r);
	/* what it appended (or, without --yes, would append) */
	p[1] = last;
	if (db_print_rows(c, "SELECT x.id, " DB_T("x.tx_time") ", x.kind,"
	    " x.amount, x.balance_after, x.batch_id, x.ref, x.note"
	    " FROM portfolio p JOIN account_transactions x"
	    " ON x.account_id = p.account_id WHERE p.id = $1"
	    " AND x.id > $2::bigint ORDER BY x.id", 2, p,
	    "portfolio recalc") < 0)
		goto fail;
	if (exec_cmd(c, yes ? "COMMIT" : "ROLLBACK", 0, NULL,
	    "portfolio recalc") < 0)
		goto fail;
	free(last);
	return 0;
fail:
	PQclear(PQexec(c, "ROLLBACK"));
	free(last);
	return -1;
}

int
db_portfolio_tie(PGconn *c, long long id, const char *batch)
{
	char ib[24];
	const char *p[2] = { ib, batch };

	snprintf(ib, sizeof(ib), "%lld", id);
	return exec_cmd(c, "INSERT INTO portfolio_batch_ids (portfolio_id,"
	    " batch_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", 2, p,
	    "portfolio");
}

int
db_portfolio_fills(PGconn *c, long long id,
    void (*fn)(void *arg, const struct db_fill *f), void *arg)
{
	char ib[24];
	const char *p[1] = { ib };
	struct db_fill f;
	PGresult *r;
	int i;

	snprintf(ib, sizeof(ib), "%lld", id);
	r = PQexecParams(c, "SELECT (extract(epoch FROM t.client_time)"
	    " * 1000000)::bigint, t.client_time_ns, t.batch_id, a.strategy,"
	    " t.symbol, t.operation, t.qty, t.price, coalesce(t.fee, 0),"
	    " coalesce(t.client_order_id, ''), t.exec_id,"
	    " coalesce(t.extra->>'horizon', o.extra->>'horizon', '')"
	    " FROM portfolio_batch_ids b JOIN new_trades t"
	    " ON t.batch_id = b.batch_id JOIN algo_run a"
	    " ON a.id = t.algo_run_id LEFT JOIN orders o"
	    " ON o.batch_id = t.batch_id AND o.client_id = t.client_order_id"
	    " WHERE b.portfolio_id = $1"
	    " ORDER BY t.client_time, t.client_time_ns, t.id", 1, NULL, p,
	    NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		say_error(c, r, "portfolio fills");
		PQclear(r);
		return -1;
	}
	for (i = 0; i < PQntuples(r); i++) {
		f.t = strtoll(PQgetvalue(r, i, 0), NULL, 10) * 1000 +
		    strtoll(PQgetvalue(r, i, 1), NULL, 10);
		f.batch = PQgetvalue(r, i, 2);
		f.strategy = PQgetvalue(r, i, 3);
		f.sym = PQgetvalue(r, i, 4);
		f.side = PQgetvalue(r, i, 5);
		f.qty = PQgetvalue(r, i, 6);
		f.price = PQgetvalue(r, i, 7);
		f.fee = PQgetvalue(r, i, 8);
		f.id = PQgetvalue(r, i, 9);
		f.exec_id = PQgetvalue(r, i, 10);
		f.horizon = PQgetvalue(r, i, 11);
		fn(arg, &f);
	}
	PQclear(r);
	return 0;
}
