/*
 * db_store.c: the store filter behind "liu-db store".
 *
 * Two threads.  The main thread reads events, checks them, writes every
 * valid line to stdout at once and queues the lines worth keeping.  The
 * writer thread takes the queue in batches and writes each batch in one
 * transaction: COPY into temporary staging tables, then INSERT ... SELECT
 * ... ON CONFLICT DO NOTHING into the real ones, so a row already there
 * (the same fill twice, a replayed journal) adds nothing.  Fills, the
 * bulk, take a fast path first: COPY straight into new_trades under a
 * savepoint, their algo_run ids cached; only if one of them is already
 * there (unique violation) do they go the staging way.  Event text only
 * ever travels as COPY data, never as SQL.
 *
 * When the database is away, or fails in a way that is not the data's
 * fault, the writer appends the batch to the journal file and fsyncs it;
 * from then on every batch goes to the journal, so order is kept.  It
 * retries with backoff; once connected again it writes the journal, in
 * order, and truncates it.  A journal left by an earlier run is written
 * first.  Rows the database rejects for their data (SQLSTATE classes 22
 * and 23) are retried one by one and the bad ones reported and dropped.
 *
 * A journal record is "BATCH<TAB>ENV<TAB>EVENT\n": the default batch and
 * environment travel with the event, so a later run stores it as this one
 * would have.  The journal is locked (flock) while a store uses it.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "db.h"
#include "event.h"
#include "evread.h"
#include "json.h"
#include "ndjson.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define QUEUE_MAX (256u * 1024 * 1024)	/* queued bytes before we wait */
#define BACKOFF_MIN (100 * 1000000LL)
#define BACKOFF_MAX (5 * TM_NS_PER_SEC)
#define JCHUNK (4u * 1024 * 1024)

enum skind { K_NONE, K_FILL, K_ORDER, K_UPDATE, K_PICK, K_WHOLE, K_N };
enum { TX_OK, TX_DATA, TX_DOWN, TX_DUP };

struct rec {
	const char *batch, *env, *line;
	size_t len;
	off_t next;		/* journal offset after the record */
};

/* A run (batch and strategy) and its algo_run id, for the fast path. */
struct run {
	char *batch, *strategy, *env;
	long long id;		/* 0: not known to be in algo_run */
	int64_t tmin, tmax;	/* event times in this transaction */
	int used;		/* has fills in this transaction */
};

/* A fill's new_trades row, less its algo_run_id, in store.fast. */
struct fastrow {
	size_t run, off, len;
};

struct recv {
	struct rec *v;
	size_t cap;
};

struct store {
	struct db_store_opts *o;
	const char *batch, *env;	/* for events that name no batch */

	/* the queue, shared with the main thread under mu */
	pthread_mutex_t mu;
	pthread_cond_t more, space;
	struct buf q;
	size_t qn;
	int done;

	/* the writer thread's own */
	PGconn *c;
	int jfd;
	char *jpath;
	off_t jdone;		/* journal bytes already in the database */
	int jpending;		/* the journal holds events */
	int down_said, schema_said;
	int64_t next_try, backoff;
	uint64_t nstored, nrejected, njournaled;
	struct ev e;
	struct buf copy[K_N];
	size_t ncopy[K_N];
	struct buf tmp;
	struct recv qr, jr;	/* records of the queue, of the journal */
	char err[512];

	/* the fast path for fills: COPY straight into new_trades */
	struct buf bbuf;
	struct run *runs;
	size_t nruns, capruns, lastrun;
	struct buf fast, fbuild;
	struct fastrow *frows;
	size_t nfrows, capfrows;
};

/*
 * Per connection: commits are durable whatever the server's default (an
 * asynchronous commit could lose a batch we were told was written), and
 * the staging tables.
 */
static const char *const staging_sql =
	"SET synchronous_commit TO on;"
	"CREATE TEMP TABLE IF NOT EXISTS s_fill (seq int, batch_id text,"
	" env text, strategy text, exec_id text, client_order_id text,"
	" order_id text, symbol text, operation text, qty numeric,"
	" price numeric, fee numeric, partial boolean, t timestamptz,"
	" t_ns smallint, stop_loss numeric, target numeric,"
	" indicators jsonb, extra jsonb) ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE IF NOT EXISTS s_order (seq int, batch_id text,"
	" env text, strategy text, client_id text, symbol text, side text,"
	" qty numeric, type text, limit_price numeric, stop_price numeric,"
	" tif text, stop_loss numeric, target numeric, why jsonb,"
	" extra jsonb, t timestamptz, t_ns smallint) ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE IF NOT EXISTS s_update (seq int, batch_id text,"
	" client_id text, symbol text, status text, t timestamptz,"
	" t_ns smallint, why jsonb, extra jsonb) ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE IF NOT EXISTS s_pick (seq int, batch_id text,"
	" symbol text, scanner text, t timestamptz, t_ns smallint,"
	" strategies jsonb, criteria jsonb) ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE IF NOT EXISTS s_whole (seq int, kind text,"
	" batch_id text, strategy text, symbol text, t timestamptz,"
	" t_ns smallint, r_units numeric, gain numeric, event jsonb)"
	" ON COMMIT DELETE ROWS";

static const char *const copy_sql[K_N] = {
	NULL,
	"COPY s_fill FROM STDIN",
	"COPY s_order FROM STDIN",
	"COPY s_update FROM STDIN",
	"COPY s_pick FROM STDIN",
	"COPY s_whole FROM STDIN",
};

static const char algo_run_sql[] =
	"INSERT INTO algo_run AS a (batch_id, strategy, environment,"
	" start_time, end_time)"
	" SELECT batch_id, strategy, max(nullif(env, '')), min(t), max(t)"
	" FROM (SELECT batch_id, strategy, env, t FROM s_fill"
	" UNION ALL SELECT batch_id, strategy, env, t FROM s_order) x"
	" GROUP BY batch_id, strategy ORDER BY batch_id, strategy"
	" ON CONFLICT (batch_id, strategy) DO UPDATE SET"
	" start_time = least(a.start_time, excluded.start_time),"
	" end_time = greatest(a.end_time, excluded.end_time),"
	" environment = coalesce(a.environment, excluded.environment)";

/* What each kind runs after its COPY, in order. */
static const char *const insert_sql[K_N][3] = {
	{ NULL },
	{ "INSERT INTO new_trades (algo_run_id, batch_id, exec_id,"
	  " client_order_id, order_id, symbol, operation, qty, price, fee,"
	  " partial, client_time, client_time_ns, stop_loss, target,"
	  " indicators, extra)"
	  " SELECT a.id, s.batch_id, s.exec_id, s.client_order_id,"
	  " s.order_id, s.symbol, s.operation, s.qty, s.price, s.fee,"
	  " s.partial, s.t, s.t_ns, s.stop_loss, s.target, s.indicators,"
	  " s.extra FROM s_fill s JOIN algo_run a"
	  " ON a.batch_id = s.batch_id AND a.strategy = s.strategy"
	  " ORDER BY s.seq ON CONFLICT (batch_id, exec_id) DO NOTHING",
	  NULL },
	{ "INSERT INTO orders (algo_run_id, batch_id, client_id, symbol,"
	  " side, qty, type, limit_price, stop_price, tif, stop_loss,"
	  " target, why, extra, order_time, order_time_ns)"
	  " SELECT a.id, s.batch_id, s.client_id, s.symbol, s.side, s.qty,"
	  " s.type, s.limit_price, s.stop_price, s.tif, s.stop_loss,"
	  " s.target, s.why, s.extra, s.t, s.t_ns FROM s_order s"
	  " JOIN algo_run a"
	  " ON a.batch_id = s.batch_id AND a.strategy = s.strategy"
	  " ORDER BY s.seq ON CONFLICT (batch_id, client_id) DO NOTHING",
	  NULL },
	{ "INSERT INTO order_events (batch_id, client_id, symbol, status,"
	  " event_time, event_time_ns, why, extra)"
	  " SELECT batch_id, client_id, symbol, status, t, t_ns, why, extra"
	  " FROM s_update ORDER BY seq ON CONFLICT DO NOTHING",
	  "UPDATE orders o SET status = u.status, status_time = u.t"
	  " FROM (SELECT DISTINCT ON (batch_id, client_id) batch_id,"
	  " client_id, status, t FROM s_update"
	  " ORDER BY batch_id, client_id, seq DESC) u"
	  " WHERE o.batch_id = u.batch_id AND o.client_id = u.client_id"
	  " AND (o.status_time IS NULL OR o.status_time <= u.t)",
	  NULL },
	{ "INSERT INTO trending_tickers (batch_id, symbol, scanner,"
	  " pick_time, pick_time_ns, strategies, criteria)"
	  " SELECT batch_id, symbol, scanner, t, t_ns, strategies, criteria"
	  " FROM s_pick ORDER BY seq ON CONFLICT DO NOTHING",
	  NULL },
	{ "INSERT INTO trade_analysis (batch_id, strategy, symbol,"
	  " event_time, event_time_ns, r_units, gain, event, digest)"
	  " SELECT batch_id, strategy, symbol, t, t_ns, r_units, gain, event,"
	  " md5(event::text) FROM s_whole WHERE kind = 'analysis'"
	  " ORDER BY seq ON CONFLICT DO NOTHING",
	  "INSERT INTO run_summary (batch_id, strategy, event_time,"
	  " event_time_ns, event, digest)"
	  " SELECT batch_id, strategy, t, t_ns, event, md5(event::text)"
	  " FROM s_whole WHERE kind = 'summary'"
	  " ORDER BY seq ON CONFLICT DO NOTHING",
	  NULL },
};

/* The fields each kind keeps in columns; the rest go to "extra". */
static const char *const known_fill[] = { "ev", "t", "sym", "id",
	"order_id", "exec_id", "side", "qty", "price", "fee", "partial",
	"strategy", "batch", "stop_loss", "target", "why", NULL };
static const char *const known_order[] = { "ev", "t", "sym", "id", "side",
	"qty", "type", "limit", "stop", "tif", "strategy", "batch",
	"stop_loss", "target", "why", NULL };
static const char *const known_update[] = { "ev", "t", "sym", "id",
	"status", "why", "batch", NULL };
static const char *const known_pick[] = { "ev", "t", "sym", "scanner",
	"strategies", "batch", NULL };

static enum skind
store_kind(const struct ev *e)
{
	switch (e->type) {
	case EV_FILL:
		return K_FILL;
	case EV_ORDER:
		return K_ORDER;
	case EV_ORDER_UPDATE:
		return K_UPDATE;
	case EV_PICK:
		return K_PICK;
	case EV_OTHER:
		if (strcmp(e->evname, "analysis") == 0 ||
		    strcmp(e->evname, "summary") == 0)
			return K_WHOLE;
		return K_NONE;
	default:
		return K_NONE;
	}
}

/* Row building: every column after the first starts with a tab. */

static void
col_str(struct buf *b, const char *s)
{
	buf_addc(b, '\t');
	db_copy_field(b, s, s ? strlen(s) : 0);
}

static void
col_raw(struct buf *b, const char *p, size_t n)
{
	buf_addc(b, '\t');
	db_copy_field(b, p, n);
}

static void
col_num(struct buf *b, double v)
{
	buf_addc(b, '\t');
	if (isnan(v))
		buf_add(b, "\\N", 2);
	else
		json_add_num(b, v);
}

/* Two columns: the time to the microsecond, and the nanoseconds below. */
static void
col_time(struct buf *b, int64_t ns)
{
	char t[TM_RFC3339_MAX];
	int64_t sub = ns % 1000;

	if (sub < 0)
		sub += 1000;
	buf_addc(b, '\t');
	buf_add(b, t, tm_format(ns - sub, t));
	buf_addc(b, '\t');
	buf_addi64(b, (long long)sub);
}

/* A column with the fields not in 'known' as a JSON object, or NULL. */
static void
col_extra(struct store *s, struct buf *b, const char *const *known)
{
	int n;

	buf_reset(&s->tmp);
	db_add_unknown(&s->tmp, &s->e.j, known, &n);
	col_raw(b, n ? s->tmp.p : NULL, s->tmp.len);
}

/* A column with the raw JSON value of a field, or NULL. */
static void
col_field(struct store *s, struct buf *b, const char *key)
{
	const struct json *j = &s->e.j;
	const struct json_tok *v;
	int i, q;

	if ((i = json_get(j, key)) < 0 || j->tok[i].kind == JSON_NULL) {
		col_raw(b, NULL, 0);
		return;
	}
	v = &j->tok[i];
	q = v->kind == JSON_STR;
	col_raw(b, j->s + v->start - q, (size_t)(v->end - v->start + 2 * q));
}

/* A column with a string field decoded, or NULL. */
static void
col_strfield(struct store *s, struct buf *b, const char *key,
    const char *dflt)
{
	int i = json_get(&s->e.j, key);

	buf_reset(&s->tmp);
	if (i >= 0 && s->e.j.tok[i].kind == JSON_STR &&
	    json_str(&s->e.j, i, &s->tmp) == 0) {
		col_raw(b, s->tmp.p, s->tmp.len);
		return;
	}
	col_str(b, dflt);
}

/* A column with the first of the number fields present, or NULL. */
static void
col_numfield(struct store *s, struct buf *b, const char *k1,
    const char *k2)
{
	double v = NAN;
	int i;

	if ((i = json_get(&s->e.j, k1)) < 0)
		i = json_get(&s->e.j, k2);
	if (i >= 0 && json_num(&s->e.j, i, &v) < 0)
		v = NAN;
	col_num(b, v);
}

/* The run of batch and strategy, added if new. */
static size_t
run_get(struct store *s, const char *batch, const char *strategy,
    const char *env)
{
	struct run *u;
	size_t i;

	if (s->lastrun < s->nruns &&
	    strcmp(s->runs[s->lastrun].batch, batch) == 0 &&
	    strcmp(s->runs[s->lastrun].strategy, strategy) == 0)
		return s->lastrun;
	for (i = 0; i < s->nruns; i++)
		if (strcmp(s->runs[i].batch, batch) == 0 &&
		    strcmp(s->runs[i].strategy, strategy) == 0)
			return s->lastrun = i;
	if (s->nruns == s->capruns) {
		s->capruns = s->capruns ? 2 * s->capruns : 16;
		s->runs = xrealloc(s->runs, s->capruns * sizeof(*s->runs));
	}
	u = &s->runs[s->nruns];
	u->batch = xstrdup(batch);
	u->strategy = xstrdup(strategy);
	u->env = env && *env ? xstrdup(env) : NULL;
	u->id = 0;
	u->used = 0;
	return s->lastrun = s->nruns++;
}

/* Forget the algo_run ids: after a data error they may be stale. */
static void
runs_forget(struct store *s)
{
	size_t i;

	for (i = 0; i < s->nruns; i++)
		s->runs[i].id = 0;
}

/* The fill just parsed as a new_trades row (less algo_run_id). */
static void
fast_row(struct store *s, const struct rec *r)
{
	struct buf *b = &s->fast;
	const char *batch = r->batch;
	struct fastrow *f;
	struct run *u;
	size_t off = b->len, ri;
	int i;

	i = json_get(&s->e.j, "batch");
	if (i >= 0 && s->e.j.tok[i].kind == JSON_STR) {
		buf_reset(&s->bbuf);
		json_str(&s->e.j, i, &s->bbuf);
		batch = buf_cstr(&s->bbuf);
	}
	ri = run_get(s, batch, s->e.strategy ? s->e.strategy : "", r->env);
	u = &s->runs[ri];	/* after run_get(), which may move s->runs */
	if (!u->used || s->e.t < u->tmin)
		u->tmin = s->e.t;
	if (!u->used || s->e.t > u->tmax)
		u->tmax = s->e.t;
	u->used = 1;
	col_str(b, batch);
	col_str(b, s->e.exec_id);
	col_str(b, s->e.id);
	col_str(b, s->e.order_id);
	col_str(b, s->e.sym);
	col_str(b, ev_side_name(s->e.side));
	col_num(b, s->e.qty);
	col_num(b, s->e.price);
	col_num(b, s->e.fee);
	col_str(b, s->e.partial < 0 ? NULL : s->e.partial ? "t" : "f");
	col_time(b, s->e.t);
	col_num(b, s->e.stop_loss);
	col_num(b, s->e.target);
	col_field(s, b, "why");
	col_extra(s, b, known_fill);
	buf_addc(b, '\n');
	if (s->nfrows == s->capfrows) {
		s->capfrows = s->capfrows ? 2 * s->capfrows : 1024;
		s->frows = xrealloc(s->frows, s->capfrows * sizeof(*s->frows));
	}
	f = &s->frows[s->nfrows++];
	f->run = (size_t)(u - s->runs);
	f->off = off;
	f->len = b->len - off;
}

/* Add record r, number seq in its transaction, to its staging rows. */
static void
stage(struct store *s, size_t seq, const struct rec *r)
{
	const char *err;
	struct buf *b;
	enum skind k;

	if (ev_parse(&s->e, r->line, r->len, &err) < 0 ||
	    (k = store_kind(&s->e)) == K_NONE) {
		/* only from a damaged journal: we queue valid events */
		warn("journal: bad event dropped: %.*s", LIU_ECHO_MAX,
		    r->line);
		s->nrejected++;
		return;
	}
	b = &s->copy[k];
	s->ncopy[k]++;
	buf_addi64(b, (long long)seq);
	switch (k) {
	case K_FILL:
		col_strfield(s, b, "batch", r->batch);
		col_str(b, r->env);
		col_str(b, s->e.strategy ? s->e.strategy : "");
		col_str(b, s->e.exec_id);
		col_str(b, s->e.id);
		col_str(b, s->e.order_id);
		col_str(b, s->e.sym);
		col_str(b, ev_side_name(s->e.side));
		col_num(b, s->e.qty);
		col_num(b, s->e.price);
		col_num(b, s->e.fee);
		col_str(b, s->e.partial < 0 ? NULL :
		    s->e.partial ? "t" : "f");
		col_time(b, s->e.t);
		col_num(b, s->e.stop_loss);
		col_num(b, s->e.target);
		col_field(s, b, "why");
		col_extra(s, b, known_fill);
		buf_addc(b, '\n');
		fast_row(s, r);
		return;
	case K_ORDER:
		col_strfield(s, b, "batch", r->batch);
		col_str(b, r->env);
		col_str(b, s->e.strategy ? s->e.strategy : "");
		col_str(b, s->e.id);
		col_str(b, s->e.sym);
		col_str(b, ev_side_name(s->e.side));
		col_num(b, s->e.qty);
		col_str(b, s->e.otype);
		col_num(b, s->e.limit);
		col_num(b, s->e.stop);
		col_str(b, s->e.tif);
		col_num(b, s->e.stop_loss);
		col_num(b, s->e.target);
		col_field(s, b, "why");
		col_extra(s, b, known_order);
		col_time(b, s->e.t);
		break;
	case K_UPDATE:
		col_strfield(s, b, "batch", r->batch);
		col_str(b, s->e.id);
		col_str(b, s->e.sym);
		col_str(b, s->e.status);
		col_time(b, s->e.t);
		col_field(s, b, "why");
		col_extra(s, b, known_update);
		break;
	case K_PICK:
		col_strfield(s, b, "batch", r->batch);
		col_str(b, s->e.sym);
		col_str(b, s->e.scanner ? s->e.scanner : "");
		col_time(b, s->e.t);
		col_field(s, b, "strategies");
		col_extra(s, b, known_pick);
		break;
	default:
		col_str(b, s->e.evname);
		col_strfield(s, b, "batch", r->batch);
		col_strfield(s, b, "strategy", NULL);
		col_strfield(s, b, "sym", NULL);
		col_time(b, s->e.t);
		col_numfield(s, b, "r_units", "r");
		col_numfield(s, b, "gain", "pnl");
		col_raw(b, r->line, r->len);
		break;
	}
	buf_addc(b, '\n');
}

/* Remember the error of r (or of the connection) in s->err. */
static void
set_err(struct store *s, const PGresult *r)
{
	const char *m = r ? PQresultErrorMessage(r) : NULL;
	size_t n;

	if (!m || !*m)
		m = PQerrorMessage(s->c);
	if (!m || !*m)
		m = "unknown error";
	n = strcspn(m, "\n");
	if (n >= sizeof(s->err))
		n = sizeof(s->err) - 1;
	memcpy(s->err, m, n);
	s->err[n] = '\0';
}

/*
 * How bad a failed result is: the data's fault (SQLSTATE classes 22 data
 * exception and 23 integrity violation), or the database's (anything
 * else: a lost connection, a shutdown, a missing table, a full disk).
 */
static int
tx_fail(struct store *s, PGresult *r)
{
	const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	int data;

	set_err(s, r);
	data = PQstatus(s->c) == CONNECTION_OK && st &&
	    (strncmp(st, "22", 2) == 0 || strncmp(st, "23", 2) == 0);
	PQclear(r);
	if (PQstatus(s->c) == CONNECTION_OK) {
		PGresult *rb;

		while ((rb = PQgetResult(s->c)))
			PQclear(rb);
		PQclear(PQexec(s->c, "ROLLBACK"));
	}
	return data ? TX_DATA : TX_DOWN;
}

/* Run one SQL command that returns no rows: TX_OK, or tx_fail()'s. */
static int
tx_exec(struct store *s, const char *sql)
{
	PGresult *r = PQexec(s->c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return tx_fail(s, r);
	PQclear(r);
	return TX_OK;
}

static int
copy_buf(struct store *s, const char *sql, const struct buf *b)
{
	PGresult *r = PQexec(s->c, sql);
	size_t off, n;

	if (PQresultStatus(r) != PGRES_COPY_IN)
		return tx_fail(s, r);
	PQclear(r);
	for (off = 0; off < b->len; off += n) {
		n = b->len - off < (1u << 30) ? b->len - off : (1u << 30);
		if (PQputCopyData(s->c, b->p + off, (int)n) != 1)
			return tx_fail(s, NULL);
	}
	if (PQputCopyEnd(s->c, NULL) != 1)
		return tx_fail(s, NULL);
	r = PQgetResult(s->c);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return tx_fail(s, r);
	PQclear(r);
	while ((r = PQgetResult(s->c)))
		PQclear(r);
	return TX_OK;
}

static int
copy_in(struct store *s, enum skind k)
{
	return copy_buf(s, copy_sql[k], &s->copy[k]);
}

/* Give every run used in this transaction its algo_run id (autocommit). */
static int
runs_resolve(struct store *s)
{
	const char *p[3];
	PGresult *r;
	size_t i;

	for (i = 0; i < s->nruns; i++) {
		if (!s->runs[i].used || s->runs[i].id)
			continue;
		p[0] = s->runs[i].batch;
		p[1] = s->runs[i].strategy;
		p[2] = s->runs[i].env;
		r = PQexecParams(s->c, "INSERT INTO algo_run (batch_id,"
		    " strategy, environment) VALUES ($1, $2, $3)"
		    " ON CONFLICT (batch_id, strategy) DO UPDATE SET"
		    " environment = coalesce(algo_run.environment,"
		    " excluded.environment) RETURNING id", 3, NULL, p, NULL,
		    NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
			return tx_fail(s, r);
		s->runs[i].id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
	}
	return TX_OK;
}

/*
 * The fast path for fills, inside the transaction: widen the runs' time
 * span, then COPY the rows straight into new_trades under a savepoint.
 * Returns TX_DUP, with the savepoint rolled back, if a fill is already
 * there: the caller then takes the ON CONFLICT path.
 */
static int
fast_fills(struct store *s)
{
	char id[24], t0[TM_RFC3339_MAX], t1[TM_RFC3339_MAX];
	const char *p[3], *st;
	struct fastrow *f;
	PGresult *r;
	size_t i;
	int rc;

	for (i = 0; i < s->nruns; i++) {
		if (!s->runs[i].used)
			continue;
		snprintf(id, sizeof(id), "%lld", s->runs[i].id);
		tm_format(s->runs[i].tmin, t0);
		tm_format(s->runs[i].tmax, t1);
		p[0] = id;
		p[1] = t0;
		p[2] = t1;
		r = PQexecParams(s->c, "UPDATE algo_run SET"
		    " start_time = least(start_time, $2::timestamptz),"
		    " end_time = greatest(end_time, $3::timestamptz)"
		    " WHERE id = $1", 3, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			return tx_fail(s, r);
		PQclear(r);
	}
	buf_reset(&s->fbuild);
	for (i = 0; i < s->nfrows; i++) {
		f = &s->frows[i];
		buf_addi64(&s->fbuild, s->runs[f->run].id);
		buf_add(&s->fbuild, s->fast.p + f->off, f->len);
	}
	if ((rc = tx_exec(s, "SAVEPOINT liu_fast")) != TX_OK)
		return rc;
	r = PQexec(s->c, "COPY new_trades (algo_run_id, batch_id, exec_id,"
	    " client_order_id, order_id, symbol, operation, qty, price, fee,"
	    " partial, client_time, client_time_ns, stop_loss, target,"
	    " indicators, extra) FROM STDIN");
	if (PQresultStatus(r) != PGRES_COPY_IN)
		return tx_fail(s, r);
	PQclear(r);
	if (PQputCopyData(s->c, s->fbuild.p, (int)s->fbuild.len) != 1 ||
	    PQputCopyEnd(s->c, NULL) != 1)
		return tx_fail(s, NULL);
	r = PQgetResult(s->c);
	if (PQresultStatus(r) == PGRES_COMMAND_OK) {
		PQclear(r);
		while ((r = PQgetResult(s->c)))
			PQclear(r);
		return tx_exec(s, "RELEASE SAVEPOINT liu_fast");
	}
	st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (PQstatus(s->c) != CONNECTION_OK || !st || strcmp(st, "23505"))
		return tx_fail(s, r);
	PQclear(r);
	while ((r = PQgetResult(s->c)))
		PQclear(r);
	if ((rc = tx_exec(s, "ROLLBACK TO SAVEPOINT liu_fast")) != TX_OK)
		return rc;
	return TX_DUP;
}

/*
 * With --portfolio, inside the transaction: tie the batches of its fills
 * to the portfolio and append their cash flows to its account.
 */
static int
portfolio_sync(struct store *s)
{
	char id[24];
	const char *p[2];
	PGresult *r;
	size_t i, j;

	snprintf(id, sizeof(id), "%lld", s->o->portfolio);
	p[0] = id;
	for (i = 0; i < s->nruns; i++) {
		if (!s->runs[i].used)
			continue;
		for (j = 0; j < i; j++)
			if (s->runs[j].used && strcmp(s->runs[j].batch,
			    s->runs[i].batch) == 0)
				break;
		if (j < i)
			continue;	/* its batch is done */
		p[1] = s->runs[i].batch;
		r = PQexecParams(s->c, "INSERT INTO portfolio_batch_ids"
		    " (portfolio_id, batch_id) VALUES ($1, $2)"
		    " ON CONFLICT DO NOTHING", 2, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			return tx_fail(s, r);
		PQclear(r);
		r = PQexecParams(s->c, "SELECT liu_portfolio_sync($1, $2)", 2,
		    NULL, p, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			return tx_fail(s, r);
		PQclear(r);
	}
	return TX_OK;
}

/* Write n records in one transaction. */
static int
write_tx(struct store *s, const struct rec *r, size_t n)
{
	size_t i, k, any = 0;
	const char *const *q;
	int rc;

	for (k = 0; k < K_N; k++) {
		buf_reset(&s->copy[k]);
		s->ncopy[k] = 0;
	}
	buf_reset(&s->fast);
	s->nfrows = 0;
	for (i = 0; i < s->nruns; i++)
		s->runs[i].used = 0;
	for (i = 0; i < n; i++)
		stage(s, i, &r[i]);
	for (k = 0; k < K_N; k++)
		any += s->ncopy[k];
	if (!any)
		return TX_OK;
	if (s->nfrows && (rc = runs_resolve(s)) != TX_OK)
		return rc;
	if ((rc = tx_exec(s, "BEGIN")) != TX_OK)
		return rc;
	if (s->nfrows) {
		/* written: the fills need no staging */
		if ((rc = fast_fills(s)) == TX_OK)
			s->ncopy[K_FILL] = 0;
		else if (rc != TX_DUP)
			return rc;
	}
	for (k = 1; k < K_N; k++)
		if (s->ncopy[k] && (rc = copy_in(s, (enum skind)k)) != TX_OK)
			return rc;
	if ((s->ncopy[K_FILL] || s->ncopy[K_ORDER]) &&
	    (rc = tx_exec(s, algo_run_sql)) != TX_OK)
		return rc;
	for (k = 1; k < K_N; k++)
		for (q = insert_sql[k]; s->ncopy[k] && *q; q++)
			if ((rc = tx_exec(s, *q)) != TX_OK)
				return rc;
	if (s->o->portfolio && s->nfrows &&
	    (rc = portfolio_sync(s)) != TX_OK)
		return rc;
	if ((rc = tx_exec(s, "COMMIT")) != TX_OK)
		return rc;
	s->nstored += any;
	return TX_OK;
}

/*
 * Write n records, in transactions of up to batch_max; a batch the
 * database rejects for its data is written one record at a time and the
 * rejected ones are reported and dropped.  Returns how many records were
 * dealt with: fewer than n if the database went away.
 */
static size_t
write_recs(struct store *s, const struct rec *r, size_t n)
{
	size_t done, m, i;
	int rc;

	for (done = 0; done < n; done += m) {
		m = n - done < s->o->batch_max ? n - done : s->o->batch_max;
		rc = write_tx(s, r + done, m);
		if (rc == TX_DOWN)
			return done;
		if (rc == TX_OK)
			continue;
		runs_forget(s);
		for (i = 0; i < m; i++) {
			rc = m == 1 ? TX_DATA : write_tx(s, r + done + i, 1);
			if (rc == TX_DOWN)
				return done + i;
			if (rc == TX_DATA) {
				warn("database rejected an event: %s: %.*s",
				    s->err, LIU_ECHO_MAX, r[done + i].line);
				s->nrejected++;
			}
		}
	}
	return n;
}

/* The journal. */

static void
write_all(int fd, const char *p, size_t n, const char *path)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("journal '%s': write:", path);
		p += w;
		n -= (size_t)w;
	}
}

static void
journal_append(struct store *s, const struct rec *r, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	buf_reset(&s->tmp);
	for (i = 0; i < n; i++) {
		buf_adds(&s->tmp, r[i].batch);
		buf_addc(&s->tmp, '\t');
		buf_adds(&s->tmp, r[i].env ? r[i].env : "");
		buf_addc(&s->tmp, '\t');
		buf_add(&s->tmp, r[i].line, r[i].len);
		buf_addc(&s->tmp, '\n');
	}
	write_all(s->jfd, s->tmp.p, s->tmp.len, s->jpath);
	if (fdatasync(s->jfd) < 0)
		die("journal '%s': fsync:", s->jpath);
	s->jpending = 1;
	s->njournaled += n;
}

static struct rec *
recs_room(struct recv *rv, size_t n)
{
	if (n > rv->cap) {
		rv->cap = n * 2;
		rv->v = xrealloc(rv->v, rv->cap * sizeof(*rv->v));
	}
	return rv->v;
}

/*
 * Write the journal from s->jdone to its end.  Returns 0 when all of it is
 * in the database (the journal is then truncated), -1 if the database
 * went away again (s->jdone says how far we got).
 */
static int
journal_replay(struct store *s)
{
	struct buf b = BUF_INIT;
	struct rec *r;
	off_t off = s->jdone;
	size_t n, k, used;
	ssize_t got;
	char *p, *nl, *t1, *t2;
	int rc = 0;

	for (;;) {
		buf_grow(&b, JCHUNK);
		got = pread(s->jfd, b.p + b.len, JCHUNK, off + (off_t)b.len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			die("journal '%s': read:", s->jpath);
		if (got == 0)
			break;
		b.len += (size_t)got;
		/* the whole records in b */
		n = 0;
		for (p = b.p; (nl = memchr(p, '\n', b.len -
		    (size_t)(p - b.p))); p = nl + 1) {
			r = recs_room(&s->jr, n + 1) + n;
			*nl = '\0';
			t1 = strchr(p, '\t');
			t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
			if (!t2) {
				warn("journal '%s': damaged record dropped",
				    s->jpath);
				s->nrejected++;
				continue;
			}
			*t1 = *t2 = '\0';
			r->batch = p;
			r->env = t1 + 1;
			r->line = t2 + 1;
			r->len = (size_t)(nl - (t2 + 1));
			r->next = off + (off_t)(nl + 1 - b.p);
			n++;
		}
		used = (size_t)(p - b.p);
		k = write_recs(s, s->jr.v, n);
		if (k < n) {
			s->jdone = k ? s->jr.v[k - 1].next : off;
			rc = -1;
			goto out;
		}
		off += (off_t)used;
		s->jdone = off;
		memmove(b.p, b.p + used, b.len - used);
		b.len -= used;
	}
	if (b.len)
		warn("journal '%s': a torn last record (%zu bytes) dropped",
		    s->jpath, b.len);
	if (ftruncate(s->jfd, 0) < 0 || fdatasync(s->jfd) < 0)
		die("journal '%s': truncate:", s->jpath);
	s->jdone = 0;
	s->jpending = 0;
out:
	buf_release(&b);
	return rc;
}

/* The connection. */

static void
go_down(struct store *s)
{
	if (!s->down_said) {
		warn("database unavailable (%s); keeping events in '%s'",
		    s->err, s->jpath);
		s->down_said = 1;
	}
	if (s->c)
		PQfinish(s->c);
	s->c = NULL;
	s->next_try = liu_mono_ns() + s->backoff;
	s->backoff = s->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX :
	    s->backoff * 2;
}

static int
latest_version(void)
{
	const struct db_migration *m;
	int v = 0;

	for (m = db_migrations; m->name; m++)
		v = m->version;
	return v;
}

/* Connect if due, then write the journal.  0 when all is written. */
static int
try_recover(struct store *s)
{
	int v;

	if (s->c && !s->jpending)
		return 0;
	if (liu_mono_ns() < s->next_try)
		return -1;
	if (!s->c) {
		s->c = db_connect_err(s->o->dsn, s->err, sizeof(s->err));
		if (!s->c) {
			go_down(s);
			return -1;
		}
		v = db_schema_version(s->c);
		if (v < latest_version()) {
			if (!s->schema_said)
				warn("database schema is at version %d, not %d:"
				    " run 'liu-db migrate'", v < 0 ? 0 : v,
				    latest_version());
			s->schema_said = 1;
			snprintf(s->err, sizeof(s->err), "schema too old");
			go_down(s);
			return -1;
		}
		if (tx_exec(s, staging_sql) != TX_OK) {
			go_down(s);
			return -1;
		}
	}
	if (s->jpending && journal_replay(s) < 0) {
		go_down(s);
		return -1;
	}
	if (s->down_said && s->o->verbose)
		warn("database is back; the journal is written");
	s->down_said = s->schema_said = 0;
	s->backoff = BACKOFF_MIN;
	return 0;
}

/*
 * Store records taken from the queue: in the database, or in the journal
 * while it is down or still holds older records.
 */
static void
store_or_journal(struct store *s, struct rec *r, size_t n)
{
	size_t k;

	if (!s->c || s->jpending)
		try_recover(s);
	if (!s->c || s->jpending) {
		journal_append(s, r, n);
		return;
	}
	k = write_recs(s, r, n);
	if (k < n) {
		go_down(s);
		journal_append(s, r + k, n - k);
	}
}

/* Split the queued lines of b into records. */
static size_t
split_recs(struct store *s, struct buf *b)
{
	struct rec *r;
	char *p, *nl, *end = b->p + b->len;
	size_t n = 0;

	for (p = b->p; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		*nl = '\0';
		r = recs_room(&s->qr, n + 1) + n;
		r->batch = s->batch;
		r->env = s->env;
		r->line = p;
		r->len = (size_t)(nl - p);
		r->next = 0;
		n++;
	}
	return n;
}

static void
set_end_reason(struct store *s)
{
	const char *p[2];

	if (!s->c)
		return;
	p[0] = s->batch;
	p[1] = liu_stop ? "stopped" : "end of input";
	PQclear(PQexecParams(s->c, "UPDATE algo_run SET end_reason = $2"
	    " WHERE batch_id = $1 AND end_reason IS NULL", 2, NULL, p, NULL,
	    NULL, 0));
}

static void *
writer(void *arg)
{
	struct store *s = arg;
	struct buf mine = BUF_INIT, t;
	struct timespec dl;
	int64_t until, ns;
	size_t n;
	int done;

	try_recover(s);
	for (;;) {
		pthread_mutex_lock(&s->mu);
		clock_gettime(CLOCK_REALTIME, &dl);
		ns = (int64_t)dl.tv_nsec + s->o->flush_ns;
		dl.tv_sec += (time_t)(ns / TM_NS_PER_SEC);
		dl.tv_nsec = (long)(ns % TM_NS_PER_SEC);
		while (!s->done && s->qn < s->o->batch_max)
			if (pthread_cond_timedwait(&s->more, &s->mu, &dl) ==
			    ETIMEDOUT)
				break;
		t = s->q;
		s->q = mine;
		mine = t;
		n = s->qn;
		s->qn = 0;
		done = s->done;
		pthread_cond_broadcast(&s->space);
		pthread_mutex_unlock(&s->mu);
		if (n)
			store_or_journal(s, s->qr.v, split_recs(s, &mine));
		else if (s->jpending || !s->c)
			try_recover(s);
		buf_reset(&mine);
		if (done && n == 0)
			break;
	}
	/* at the end, give the database a while to come back */
	until = liu_mono_ns() + s->o->linger_ns;
	while (s->jpending && !liu_stop && liu_mono_ns() < until) {
		ns = s->next_try - liu_mono_ns();
		if (ns > until - liu_mono_ns())
			ns = until - liu_mono_ns();
		if (ns > 0) {
			dl.tv_sec = (time_t)(ns / TM_NS_PER_SEC);
			dl.tv_nsec = (long)(ns % TM_NS_PER_SEC);
			nanosleep(&dl, NULL);
		}
		try_recover(s);
	}
	if (!s->jpending)
		set_end_reason(s);
	buf_release(&mine);
	return NULL;
}

/* The main thread's side. */

static void
queue_push(struct store *s, const char *line, size_t len)
{
	struct timespec dl;

	pthread_mutex_lock(&s->mu);
	while (s->q.len > QUEUE_MAX && !liu_stop) {
		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_nsec += 100000000L;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->space, &s->mu, &dl);
	}
	buf_add(&s->q, line, len);
	buf_addc(&s->q, '\n');
	if (++s->qn == s->o->batch_max)
		pthread_cond_signal(&s->more);
	pthread_mutex_unlock(&s->mu);
}

/* The default journal path (owned by the caller). */
static char *
db_journal_default(void)
{
	struct buf b = BUF_INIT;
	const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");

	if (x && *x == '/')
		buf_addf(&b, "%s/liu/liu-db.journal", x);
	else if (h && *h == '/')
		buf_addf(&b, "%s/.local/state/liu/liu-db.journal", h);
	else
		buf_adds(&b, "liu-db.journal");
	return (char *)buf_cstr(&b);
}

/* mkdir -p the directories above path. */
static void
make_parents(const char *path)
{
	char *p = xstrdup(path), *sl;

	for (sl = strchr(p + 1, '/'); sl; sl = strchr(sl + 1, '/')) {
		*sl = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			die("cannot create '%s':", p);
		*sl = '/';
	}
	free(p);
}

static void
journal_open(struct store *s)
{
	struct stat st;

	if (s->o->journal) {
		s->jpath = xstrdup(s->o->journal);
	} else {
		s->jpath = db_journal_default();
		make_parents(s->jpath);
	}
	s->jfd = open(s->jpath, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (s->jfd < 0)
		die("cannot open journal '%s':", s->jpath);
	if (flock(s->jfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			die("journal '%s' is in use by another liu-db store"
			    " (give each its own --journal)", s->jpath);
		die("cannot lock journal '%s':", s->jpath);
	}
	if (fstat(s->jfd, &st) < 0)
		die("journal '%s':", s->jpath);
	s->jpending = st.st_size > 0;
}

/* A new batch id: a random (version 4) UUID. */
static char *
new_batch_id(void)
{
	unsigned char u[16];
	struct buf b = BUF_INIT;
	int i;

	if (getentropy(u, sizeof(u)) < 0)
		die("getentropy:");
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf_addc(&b, '-');
		buf_addf(&b, "%02x", u[i]);
	}
	return (char *)buf_cstr(&b);
}

static int
clean_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 200)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/*
 * --portfolio ID: if the database answers, the portfolio must exist, and
 * the batch named (--batch, LIU_BATCH_ID) is tied to it now; the fills
 * tie their own batches as they are written.  A database away is no
 * error: the journal waits for it.
 */
static void
portfolio_check(const struct db_store_opts *o, const char *batch)
{
	char err[256];
	PGconn *c = db_connect_err(o->dsn, err, sizeof(err));
	int rc;

	if (!c)
		return;
	rc = db_portfolio_name(c, o->portfolio, NULL);
	if (rc == 0 && batch)
		db_portfolio_tie(c, o->portfolio, batch);
	PQfinish(c);
	if (rc == 1)
		die_code(LIU_EXIT_USAGE, "no portfolio %lld", o->portfolio);
}

int
db_store(struct db_store_opts *o, struct nd_reader *rd)
{
	static struct store s;
	struct ev e = EV_INIT;
	sigset_t all, old;
	pthread_t th;
	char *gen = NULL;
	size_t k;
	int st, rc;

	s.o = o;
	s.batch = o->batch ? o->batch : getenv("LIU_BATCH_ID");
	if (!s.batch || !*s.batch)
		s.batch = gen = new_batch_id();
	if (!clean_id(s.batch))
		die_code(LIU_EXIT_USAGE, "invalid batch id '%.*s'",
		    LIU_ECHO_MAX, s.batch);
	s.env = o->env ? o->env : getenv("LIU_ENV");
	if (s.env && !*s.env)
		s.env = NULL;
	if (s.env && strcmp(s.env, "BACKTEST") != 0 &&
	    strcmp(s.env, "PAPER") != 0 && strcmp(s.env, "PROD") != 0)
		die_code(LIU_EXIT_USAGE, "invalid LIU_ENV '%.*s': not "
		    "BACKTEST, PAPER or PROD", LIU_ECHO_MAX, s.env);
	if (o->verbose && gen)
		warn("batch %s", s.batch);
	if (o->portfolio)
		portfolio_check(o, gen ? NULL : s.batch);
	journal_open(&s);
	s.backoff = BACKOFF_MIN;
	s.e = (struct ev)EV_INIT;
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.more, NULL);
	pthread_cond_init(&s.space, NULL);

	/* signals are the main thread's: it stops reading, then we finish */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if ((rc = pthread_create(&th, NULL, writer, &s)) != 0) {
		errno = rc;
		die("cannot start the writer thread:");
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	while ((st = nd_next_event(rd, &e)) == 1) {
		k = store_kind(&e);
		if (k == K_FILL && !e.exec_id) {
			nd_bad_event(rd, "missing \"exec_id\"");
			continue;
		}
		nd_emit(e.line, e.len);
		if (k != K_NONE)
			queue_push(&s, e.line, e.len);
	}
	if (nd_out_flush() < 0)
		die("write error:");
	pthread_mutex_lock(&s.mu);
	s.done = 1;
	pthread_cond_signal(&s.more);
	pthread_mutex_unlock(&s.mu);
	pthread_join(th, NULL);

	rc = nd_summary();
	if (st < 0)
		rc = LIU_EXIT_SYS;
	if (s.nrejected)
		rc = rc ? rc : LIU_EXIT_DATA;
	if (s.jpending) {
		warn("database unavailable: events kept in '%s' for the next "
		    "'liu-db store'", s.jpath);
		rc = rc ? rc : LIU_EXIT_DATA;
	}
	if (o->verbose)
		warn("%llu events stored, %llu journaled, %llu rejected",
		    (unsigned long long)s.nstored,
		    (unsigned long long)s.njournaled,
		    (unsigned long long)s.nrejected);
	if (s.c)
		PQfinish(s.c);
	close(s.jfd);
	ev_release(&e);
	ev_release(&s.e);
	free(s.qr.v);
	free(s.jr.v);
	for (k = 0; k < s.nruns; k++) {
		free(s.runs[k].batch);
		free(s.runs[k].strategy);
		free(s.runs[k].env);
	}
	free(s.runs);
	free(s.frows);
	buf_release(&s.fast);
	buf_release(&s.fbuild);
	buf_release(&s.bbuf);
	buf_release(&s.tmp);
	for (k = 0; k < K_N; k++)
		buf_release(&s.copy[k]);
	free(s.jpath);
	free(gen);
	return rc;
}
