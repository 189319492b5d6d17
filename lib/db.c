/*
 * db.c: liu's PostgreSQL side, except the store filter (db_store.c):
 * connecting, the schema migrations, export of a batch as NDJSON, the run
 * list, the keystore and the daily-bar loader.
 *
 * Every statement here is a constant string; values go to the server as
 * libpq parameters or as COPY data.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "event.h"
#include "evread.h"
#include "json.h"
#include "ndjson.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

/* Serialises concurrent migrations: an arbitrary constant ("liu-db"). */
#define DB_MIGRATE_LOCK "7081652350"

/* The first line of a libpq message, for a one-line diagnostic. */
static const char *
firstline(const char *msg, char *out, size_t cap)
{
	size_t n;

	if (!msg || !*msg)
		msg = "unknown error";
	n = strcspn(msg, "\n");
	if (n >= cap)
		n = cap - 1;
	memcpy(out, msg, n);
	out[n] = '\0';
	return out;
}

static void
quiet_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/*
 * Connect; with 'dbname', override the database the settings name.  On
 * failure *failed (if not NULL) gets the failed connection, to ask PQdb().
 */
static PGconn *
connect_db(const char *dsn, const char *dbname, int quiet, PGconn **failed,
    char *err, size_t errcap)
{
	const char *kw[6], *val[6];
	char msg[512];
	PGconn *c;
	int n = 0;

	if (!dsn || !*dsn)
		dsn = getenv("LIU_DSN");
	kw[n] = "connect_timeout";
	val[n++] = "5";
	kw[n] = "fallback_application_name";
	val[n++] = liu_progname;
	if (dsn && *dsn) {
		kw[n] = "dbname";
		val[n++] = dsn;
	}
	if (dbname) {
		kw[n] = "dbname";
		val[n++] = dbname;
	}
	kw[n] = NULL;
	val[n] = NULL;
	c = PQconnectdbParams(kw, val, 1);
	if (!c)
		die("out of memory connecting to the database");
	if (PQstatus(c) != CONNECTION_OK) {
		firstline(PQerrorMessage(c), msg, sizeof(msg));
		if (err)
			snprintf(err, errcap, "%s", msg);
		if (!quiet)
			warn("cannot connect to the database: %s", msg);
		if (failed)
			*failed = c;
		else
			PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, quiet_notice, NULL);
	return c;
}

PGconn *
db_connect(const char *dsn, int quiet)
{
	return connect_db(dsn, NULL, quiet, NULL, NULL, 0);
}

PGconn *
db_connect_err(const char *dsn, char *err, size_t cap)
{
	return connect_db(dsn, NULL, 1, NULL, err, cap);
}

/* Run one statement; 0 if it succeeded, else -1 after a warning. */
static int
exec_ok(PGconn *c, const char *sql, int nparams, const char *const *params,
    const char *what)
{
	PGresult *r;
	ExecStatusType st;
	char msg[512];

	r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		warn("%s: %s", what, firstline(PQresultErrorMessage(r) &&
		    *PQresultErrorMessage(r) ? PQresultErrorMessage(r) :
		    PQerrorMessage(c), msg, sizeof(msg)));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

/* Create the database the settings name, if it is missing. */
static int
create_database(const char *dsn)
{
	PGconn *c, *adm, *failed = NULL;
	struct buf sql = BUF_INIT;
	char msg[512], *ident;
	PGresult *r;
	int rc;

	if ((c = connect_db(dsn, NULL, 1, &failed, NULL, 0))) {
		PQfinish(c);
		return 0;
	}
	if (!failed || !PQdb(failed) || !strstr(PQerrorMessage(failed),
	    "does not exist") || strcmp(PQdb(failed), "postgres") == 0 ||
	    !(adm = connect_db(dsn, "postgres", 1, NULL, NULL, 0))) {
		warn("cannot connect to the database: %s",
		    firstline(failed ? PQerrorMessage(failed) : NULL, msg,
		    sizeof(msg)));
		if (failed)
			PQfinish(failed);
		return -1;
	}
	ident = PQescapeIdentifier(adm, PQdb(failed), strlen(PQdb(failed)));
	if (!ident)
		die("out of memory quoting a database name");
	buf_adds(&sql, "CREATE DATABASE ");
	buf_adds(&sql, ident);
	r = PQexec(adm, buf_cstr(&sql));
	rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
	if (rc < 0)
		warn("cannot create database '%.*s': %s", LIU_ECHO_MAX,
		    PQdb(failed), firstline(PQresultErrorMessage(r), msg,
		    sizeof(msg)));
	PQclear(r);
	PQfreemem(ident);
	buf_release(&sql);
	PQfinish(adm);
	PQfinish(failed);
	return rc;
}

int
db_schema_version(PGconn *c)
{
	PGresult *r;
	int v = -1;

	r = PQexec(c,
	    "SELECT coalesce(max(version), 0) FROM schema_migrations");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

int
db_migrate(const char *dsn, int create, int verbose)
{
	const struct db_migration *m;
	struct buf sql = BUF_INIT, v = BUF_INIT;
	const char *p[2];
	const char *const *l;
	PGconn *c;
	PGresult *r;
	int have, rc = -1;

	if (create && create_database(dsn) < 0)
		return -1;
	if (!(c = db_connect(dsn, 0)))
		return -1;
	if (exec_ok(c, "SELECT pg_advisory_lock(" DB_MIGRATE_LOCK ")", 0,
	    NULL, "cannot lock the schema") < 0)
		goto out;
	if (exec_ok(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version integer PRIMARY KEY, name text NOT NULL, "
	    "applied_at timestamptz NOT NULL DEFAULT now())", 0, NULL,
	    "cannot create schema_migrations") < 0)
		goto out;
	for (m = db_migrations; m->name; m++) {
		buf_reset(&v);
		buf_addi64(&v, m->version);
		p[0] = buf_cstr(&v);
		p[1] = m->name;
		r = PQexecParams(c, "SELECT 1 FROM schema_migrations "
		    "WHERE version = $1", 1, NULL, p, NULL, NULL, 0);
		have = PQresultStatus(r) == PGRES_TUPLES_OK ?
		    PQntuples(r) : -1;
		PQclear(r);
		if (have < 0) {
			warn("cannot read schema_migrations: %s",
			    PQerrorMessage(c));
			goto out;
		}
		if (have)
			continue;
		buf_reset(&sql);
		for (l = m->sql; *l; l++)
			buf_adds(&sql, *l);
		if (exec_ok(c, "BEGIN", 0, NULL, "migration") < 0)
			goto out;
		/* a migration is several statements: the simple protocol */
		r = PQexec(c, buf_cstr(&sql));
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			char msg[512];

			warn("migration %s failed: %s", m->name,
			    firstline(PQresultErrorMessage(r), msg,
			    sizeof(msg)));
			PQclear(r);
			PQclear(PQexec(c, "ROLLBACK"));
			goto out;
		}
		PQclear(r);
		if (exec_ok(c, "INSERT INTO schema_migrations (version, name) "
		    "VALUES ($1, $2)", 2, p, "migration") < 0 ||
		    exec_ok(c, "COMMIT", 0, NULL, "migration") < 0) {
			PQclear(PQexec(c, "ROLLBACK"));
			goto out;
		}
		if (verbose)
			warn("applied %s", m->name);
	}
	rc = 0;
out:
	PQfinish(c);
	buf_release(&sql);
	buf_release(&v);
	return rc;
}

/* COPY and JSON helpers. */

void
db_copy_field(struct buf *b, const char *s, size_t n)
{
	size_t i, run;

	if (!s) {
		buf_add(b, "\\N", 2);
		return;
	}
	for (i = 0; i < n; i += run) {
		for (run = 0; i + run < n; run++) {
			char ch = s[i + run];

			if (ch == '\\' || ch == '\t' || ch == '\n' ||
			    ch == '\r')
				break;
		}
		buf_add(b, s + i, run);
		if (i + run < n) {
			switch (s[i + run]) {
			case '\\': buf_add(b, "\\\\", 2); break;
			case '\t': buf_add(b, "\\t", 2); break;
			case '\n': buf_add(b, "\\n", 2); break;
			default: buf_add(b, "\\r", 2); break;
			}
			run++;
		}
	}
}

void
db_json_compact(struct buf *b, const char *s, size_t n)
{
	size_t i;
	int in = 0, esc = 0;

	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (in) {
			if (esc)
				esc = 0;
			else if (ch == '\\')
				esc = 1;
			else if (ch == '"')
				in = 0;
		} else if (ch == '"') {
			in = 1;
		} else if (ch == ' ' || ch == '\t' || ch == '\n' ||
		    ch == '\r') {
			continue;
		}
		buf_addc(b, ch);
	}
}

int
db_what_parse(const char *s)
{
	static const struct {
		const char *name;
		int bit;
	} names[] = {
		{ "fills", DB_WHAT_FILLS }, { "orders", DB_WHAT_ORDERS },
		{ "updates", DB_WHAT_UPDATES }, { "picks", DB_WHAT_PICKS },
		{ "all", DB_WHAT_ALL },
	};
	size_t i, n;
	int what = 0;

	while (*s) {
		n = strcspn(s, ",");
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n &&
			    memcmp(names[i].name, s, n) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		what |= names[i].bit;
		s += n;
		if (*s == ',')
			s++;
	}
	return what ? what : -1;
}

/* Export. */

/*
 * One query for every kind, ordered as the export is: event time, then
 * kind (pick, order, order update, fill), then insertion order.  Columns:
 * kind, microseconds since the epoch, the nanoseconds below them, id, and
 * fifteen text columns whose meaning depends on the kind.
 */
static const char export_sql[] =
	"SELECT * FROM ("
	"SELECT 0 AS k, (extract(epoch FROM p.pick_time) * 1000000)::bigint"
	" AS us, p.pick_time_ns AS ns, p.id,"
	" p.symbol, nullif(p.scanner, ''), p.strategies::text,"
	" p.batch_id, p.criteria::text, NULL, NULL, NULL, NULL, NULL, NULL,"
	" NULL, NULL, NULL, NULL"
	" FROM trending_tickers p WHERE p.batch_id = $1 AND ($2::int & 8) <> 0"
	" UNION ALL "
	"SELECT 1, (extract(epoch FROM o.order_time) * 1000000)::bigint,"
	" o.order_time_ns, o.id,"
	" o.symbol, o.client_id, o.side, o.qty::text, o.type,"
	" o.limit_price::text, o.stop_price::text, o.tif,"
	" nullif(a.strategy, ''), o.batch_id, o.stop_loss::text,"
	" o.target::text, o.why::text, o.extra::text, NULL"
	" FROM orders o JOIN algo_run a ON a.id = o.algo_run_id"
	" WHERE o.batch_id = $1 AND ($2::int & 2) <> 0"
	" UNION ALL "
	"SELECT 2, (extract(epoch FROM u.event_time) * 1000000)::bigint,"
	" u.event_time_ns, u.id,"
	" u.symbol, u.client_id, u.status, u.why::text, u.batch_id,"
	" u.extra::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
	" FROM order_events u WHERE u.batch_id = $1 AND ($2::int & 4) <> 0"
	" UNION ALL "
	"SELECT 3, (extract(epoch FROM f.client_time) * 1000000)::bigint,"
	" f.client_time_ns, f.id,"
	" f.symbol, f.client_order_id, f.order_id, f.exec_id, f.operation,"
	" f.qty::text, f.price::text, f.fee::text, f.partial::text,"
	" nullif(a.strategy, ''), f.batch_id, f.stop_loss::text,"
	" f.target::text, f.indicators::text, f.extra::text"
	" FROM new_trades f JOIN algo_run a ON a.id = f.algo_run_id"
	" WHERE f.batch_id = $1 AND ($2::int & 1) <> 0"
	") x ORDER BY 2, 3, 1, 4";

/* How the text columns of each kind become fields. */
enum xkind { X_STR, X_NUM, X_BOOL, X_JSON, X_EXTRA };
struct xcol {
	const char *key;
	enum xkind kind;
};
static const struct xcol xpick[] = {
	{ "sym", X_STR }, { "scanner", X_STR }, { "strategies", X_JSON },
	{ "batch", X_STR }, { NULL, X_EXTRA }, { NULL, X_STR },
};
static const struct xcol xorder[] = {
	{ "sym", X_STR }, { "id", X_STR }, { "side", X_STR },
	{ "qty", X_NUM }, { "type", X_STR }, { "limit", X_NUM },
	{ "stop", X_NUM }, { "tif", X_STR }, { "strategy", X_STR },
	{ "batch", X_STR }, { "stop_loss", X_NUM }, { "target", X_NUM },
	{ "why", X_JSON }, { NULL, X_EXTRA }, { NULL, X_STR },
};
static const struct xcol xupdate[] = {
	{ "sym", X_STR }, { "id", X_STR }, { "status", X_STR },
	{ "why", X_JSON }, { "batch", X_STR }, { NULL, X_EXTRA },
	{ NULL, X_STR },
};
static const struct xcol xfill[] = {
	{ "sym", X_STR }, { "id", X_STR }, { "order_id", X_STR },
	{ "exec_id", X_STR }, { "side", X_STR }, { "qty", X_NUM },
	{ "price", X_NUM }, { "fee", X_NUM }, { "partial", X_BOOL },
	{ "strategy", X_STR }, { "batch", X_STR }, { "stop_loss", X_NUM },
	{ "target", X_NUM }, { "why", X_JSON }, { NULL, X_EXTRA },
	{ NULL, X_STR },
};

/* Append the members of a JSON object (compacted) after a comma. */
static void
add_members(struct buf *b, const char *obj)
{
	struct buf t = BUF_INIT;

	db_json_compact(&t, obj, strlen(obj));
	if (t.len > 2 && t.p[0] == '{') {
		buf_addc(b, ',');
		buf_add(b, t.p + 1, t.len - 2);
	}
	buf_release(&t);
}

static void
export_row(PGresult *r, int row, struct buf *b)
{
	static const char *const names[] = { "pick", "order",
		"order_update", "fill" };
	const struct xcol *cols;
	char tbuf[TM_RFC3339_MAX];
	const char *v;
	int64_t us, ns;
	int kind, i;

	kind = (int)strtol(PQgetvalue(r, row, 0), NULL, 10);
	us = strtoll(PQgetvalue(r, row, 1), NULL, 10);
	ns = us * 1000 + strtoll(PQgetvalue(r, row, 2), NULL, 10);
	switch (kind) {
	case 0: cols = xpick; break;
	case 1: cols = xorder; break;
	case 2: cols = xupdate; break;
	default: kind = 3; cols = xfill; break;
	}
	buf_reset(b);
	buf_adds(b, "{\"ev\":");
	json_add_str(b, names[kind], strlen(names[kind]));
	json_add_key(b, "t");
	buf_addc(b, '"');
	buf_add(b, tbuf, tm_format(ns, tbuf));
	buf_addc(b, '"');
	for (i = 0; cols[i].key || cols[i].kind == X_EXTRA; i++) {
		if (PQgetisnull(r, row, 4 + i))
			continue;
		v = PQgetvalue(r, row, 4 + i);
		if (cols[i].kind == X_EXTRA) {
			add_members(b, v);
			continue;
		}
		json_add_key(b, cols[i].key);
		switch (cols[i].kind) {
		case X_STR:
			json_add_str(b, v, strlen(v));
			break;
		case X_NUM:
			buf_adds(b, v);
			break;
		case X_BOOL:
			buf_adds(b, *v == 't' ? "true" : "false");
			break;
		default:
			db_json_compact(b, v, strlen(v));
			break;
		}
	}
	buf_addc(b, '}');
}

int
db_export(PGconn *c, const char *batch, int what)
{
	struct buf b = BUF_INIT, w = BUF_INIT;
	const char *p[2];
	PGresult *r;
	char msg[512];
	int i, rc = 0;

	buf_addi64(&w, what);
	p[0] = batch;
	p[1] = buf_cstr(&w);
	if (!PQsendQueryParams(c, export_sql, 2, NULL, p, NULL, NULL, 0) ||
	    !PQsetSingleRowMode(c)) {
		warn("export: %s", firstline(PQerrorMessage(c), msg,
		    sizeof(msg)));
		buf_release(&w);
		return -1;
	}
	while ((r = PQgetResult(c))) {
		switch (PQresultStatus(r)) {
		case PGRES_SINGLE_TUPLE:
		case PGRES_TUPLES_OK:
			for (i = 0; i < PQntuples(r); i++) {
				export_row(r, i, &b);
				nd_emit(b.p, b.len);
			}
			break;
		default:
			warn("export: %s", firstline(PQresultErrorMessage(r),
			    msg, sizeof(msg)));
			rc = -1;
			break;
		}
		PQclear(r);
	}
	buf_release(&b);
	buf_release(&w);
	return rc;
}

int
db_print_rows(PGconn *c, const char *sql, int n, const char *const *p,
    const char *what)
{
	struct buf b = BUF_INIT;
	PGresult *r;
	char msg[512];
	int i, k;

	r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		warn("%s: %s", what, firstline(PQresultErrorMessage(r), msg,
		    sizeof(msg)));
		PQclear(r);
		return -1;
	}
	for (i = 0; i < PQntuples(r); i++) {
		buf_reset(&b);
		for (k = 0; k < PQnfields(r); k++) {
			if (k)
				buf_addc(&b, '\t');
			if (!PQgetisnull(r, i, k))
				db_copy_field(&b, PQgetvalue(r, i, k),
				    (size_t)PQgetlength(r, i, k));
		}
		nd_emit(b.p, b.len);
	}
	k = PQntuples(r);
	PQclear(r);
	buf_release(&b);
	return k;
}

int
db_batches(PGconn *c)
{
	static const char sql[] =
	    "SELECT a.batch_id, coalesce(max(a.environment), ''),"
	    " coalesce(to_char(min(a.start_time) AT TIME ZONE 'UTC',"
	    "  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''),"
	    " coalesce(to_char(max(a.end_time) AT TIME ZONE 'UTC',"
	    "  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''),"
	    " string_agg(DISTINCT nullif(a.strategy, ''), ',' ORDER BY"
	    "  nullif(a.strategy, '')),"
	    " (SELECT count(*) FROM new_trades t"
	    "  WHERE t.batch_id = a.batch_id),"
	    " (SELECT count(*) FROM orders o WHERE o.batch_id = a.batch_id)"
	    " FROM algo_run a GROUP BY a.batch_id"
	    " ORDER BY min(a.start_time), a.batch_id";

	return db_print_rows(c, sql, 0, NULL, "batches") < 0 ? -1 : 0;
}

int
db_kv_get(PGconn *c, const char *key)
{
	const char *p[1] = { key };
	PGresult *r;
	char msg[512];
	int rc;

	r = PQexecParams(c, "SELECT value FROM keystore WHERE key = $1", 1,
	    NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		warn("kv: %s", firstline(PQresultErrorMessage(r), msg,
		    sizeof(msg)));
		rc = -1;
	} else if (PQntuples(r) == 0) {
		rc = 1;
	} else {
		fwrite(PQgetvalue(r, 0, 0), 1, (size_t)PQgetlength(r, 0, 0),
		    stdout);
		putchar('\n');
		rc = 0;
	}
	PQclear(r);
	return rc;
}

int
db_kv_set(PGconn *c, const char *key, const char *value)
{
	const char *p[2] = { key, value };

	return exec_ok(c, "INSERT INTO keystore (key, value) VALUES ($1, $2)"
	    " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
	    " updated_at = now()", 2, p, "kv");
}

int
db_kv_del(PGconn *c, const char *key)
{
	const char *p[1] = { key };
	PGresult *r;
	char msg[512];
	int rc;

	r = PQexecParams(c, "DELETE FROM keystore WHERE key = $1", 1, NULL,
	    p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		warn("kv: %s", firstline(PQresultErrorMessage(r), msg,
		    sizeof(msg)));
		rc = -1;
	} else {
		rc = strcmp(PQcmdTuples(r), "0") == 0 ? 1 : 0;
	}
	PQclear(r);
	return rc;
}

int
db_kv_list(PGconn *c, const char *prefix)
{
	const char *p[1] = { prefix ? prefix : "" };

	return db_print_rows(c, "SELECT key, value FROM keystore"
	    " WHERE starts_with(key, $1) ORDER BY key", 1, p, "kv") < 0 ?
	    -1 : 0;
}

/* Daily bars. */

static const char *const ohlc_known[] = {
	"ev", "t", "sym", "tf", "o", "h", "l", "c", "v", "vw", "n", NULL
};

void
db_add_unknown(struct buf *b, const struct json *j, const char *const *known,
    int *nout)
{
	const struct json_tok *k, *v;
	const char *const *kn;
	int i, q, n = 0;

	for (i = 1; i < j->ntok; i = j->tok[i + 1].next) {
		for (kn = known; *kn; kn++)
			if (json_eq(j, i, *kn))
				break;
		if (*kn)
			continue;
		k = &j->tok[i];
		v = &j->tok[i + 1];
		buf_addc(b, n++ ? ',' : '{');
		buf_add(b, j->s + k->start - 1,
		    (size_t)(k->end - k->start + 2));
		buf_addc(b, ':');
		q = v->kind == JSON_STR;
		buf_add(b, j->s + v->start - q,
		    (size_t)(v->end - v->start + 2 * q));
	}
	if (n)
		buf_addc(b, '}');
	*nout = n;
}

static void
copy_num(struct buf *b, double v)
{
	if (isnan(v))
		buf_add(b, "\\N", 2);
	else
		json_add_num(b, v);
}

static int
ohlc_flush(PGconn *c, struct buf *rows, size_t *n)
{
	PGresult *r;
	char msg[512];
	int rc = 0;

	if (*n == 0)
		return 0;
	if (exec_ok(c, "BEGIN", 0, NULL, "ohlc") < 0)
		return -1;
	r = PQexec(c, "COPY s_ohlc FROM STDIN");
	if (PQresultStatus(r) != PGRES_COPY_IN)
		rc = -1;
	PQclear(r);
	if (rc == 0 && (PQputCopyData(c, rows->p, (int)rows->len) != 1 ||
	    PQputCopyEnd(c, NULL) != 1))
		rc = -1;
	while (rc == 0 && (r = PQgetResult(c))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			warn("ohlc: %s", firstline(PQresultErrorMessage(r),
			    msg, sizeof(msg)));
			rc = -1;
		}
		PQclear(r);
	}
	if (rc == 0)
		rc = exec_ok(c, "INSERT INTO stock_ohlc (symbol, day, open,"
		    " high, low, close, volume, vwap, trades, indicators)"
		    " SELECT DISTINCT ON (symbol, day) symbol, day, o, h, l, c,"
		    " v, vw, n, ind FROM s_ohlc ORDER BY symbol, day, seq DESC"
		    " ON CONFLICT (symbol, day) DO UPDATE SET"
		    " open = excluded.open, high = excluded.high,"
		    " low = excluded.low, close = excluded.close,"
		    " volume = excluded.volume, vwap = excluded.vwap,"
		    " trades = excluded.trades,"
		    " indicators = excluded.indicators", 0, NULL, "ohlc");
	if (rc == 0)
		rc = exec_ok(c, "COMMIT", 0, NULL, "ohlc");
	else
		PQclear(PQexec(c, "ROLLBACK"));
	buf_reset(rows);
	*n = 0;
	return rc;
}

int
db_ohlc_load(PGconn *c, struct nd_reader *rd, int verbose)
{
	struct ev e = EV_INIT;
	struct buf rows = BUF_INIT;
	size_t n = 0;
	uint64_t nbars = 0, nother = 0;
	int y, mo, d, nx, st = 0;
	int64_t days;

	if (exec_ok(c, "CREATE TEMP TABLE s_ohlc (seq bigint, symbol text,"
	    " day date, o numeric, h numeric, l numeric, c numeric,"
	    " v numeric, vw numeric, n bigint, ind jsonb)"
	    " ON COMMIT DELETE ROWS", 0, NULL, "ohlc") < 0)
		return LIU_EXIT_SYS;
	while ((st = nd_next_event(rd, &e)) == 1) {
		if (e.type != EV_BAR || strcmp(e.tf, "1d") != 0) {
			nother++;
			continue;
		}
		buf_addi64(&rows, (long long)nbars++);
		buf_addc(&rows, '\t');
		db_copy_field(&rows, e.sym, strlen(e.sym));
		days = e.t >= 0 ? e.t / TM_NS_PER_DAY :
		    -((-e.t + TM_NS_PER_DAY - 1) / TM_NS_PER_DAY);
		tm_civil_from_days(days, &y, &mo, &d);
		buf_addf(&rows, "\t%04d-%02d-%02d", y, mo, d);
		buf_addc(&rows, '\t');
		copy_num(&rows, e.o);
		buf_addc(&rows, '\t');
		copy_num(&rows, e.h);
		buf_addc(&rows, '\t');
		copy_num(&rows, e.l);
		buf_addc(&rows, '\t');
		copy_num(&rows, e.c);
		buf_addc(&rows, '\t');
		copy_num(&rows, e.v);
		buf_addc(&rows, '\t');
		copy_num(&rows, e.vw);
		buf_addc(&rows, '\t');
		if (isnan(e.n) || e.n != floor(e.n) || fabs(e.n) > 9e15)
			buf_add(&rows, "\\N", 2);
		else
			buf_addi64(&rows, (long long)e.n);
		buf_addc(&rows, '\t');
		{
			struct buf u = BUF_INIT;

			db_add_unknown(&u, &e.j, ohlc_known, &nx);
			db_copy_field(&rows, nx ? u.p : NULL, u.len);
			buf_release(&u);
		}
		buf_addc(&rows, '\n');
		if (++n >= 10000 && ohlc_flush(c, &rows, &n) < 0) {
			st = -1;
			break;
		}
	}
	if (st >= 0 && ohlc_flush(c, &rows, &n) < 0)
		st = -1;
	if (verbose)
		warn("%llu daily bars, %llu other events ignored",
		    (unsigned long long)nbars, (unsigned long long)nother);
	buf_release(&rows);
	ev_release(&e);
	if (st < 0)
		return LIU_EXIT_SYS;
	return nd_summary();
}
