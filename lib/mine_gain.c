/*
 * mine_gain.c: liu-mine gainloss.  The batches with fills in the last
 * --days days are analysed one at a time by lib/analyze, from their fills
 * as liu-db stored them (new_trades, in the order `liu-db export` writes
 * them), exactly as `liu-db export --what fills | liu-analyze -f ndjson`
 * would: the same fill events go through the same an_event(), and the
 * analysis events an_ndjson_to() writes are what is stored.
 *
 *   trade_analysis  every analysis event, kept whole, unique by batch and
 *                   digest as liu-db store keeps them (the same digest:
 *                   md5 of the jsonb text), so a trip stored by either
 *                   is stored once; the batch's open positions are
 *                   replaced by the run's
 *   gain_loss       per batch, strategy and symbol: the closed round
 *                   trips, wins (gain > 0), losses (gain < 0), the sum
 *                   of their gains (after fees) and fees, and the sum
 *                   of their R (NULL when none has one); the batch's
 *                   rows are replaced by the run's
 *
 * Each batch is one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "buf.h"
#include "event.h"
#include "json.h"
#include "mine.h"
#include "mine_impl.h"
#include "proc.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

static const char fills_sql[] =
	"SELECT (extract(epoch FROM f.client_time) * 1000000)::bigint,"
	" f.client_time_ns, f.symbol, f.client_order_id, f.order_id,"
	" f.exec_id, f.operation, f.qty::text, f.price::text, f.fee::text,"
	" nullif(a.strategy, ''), f.stop_loss::text"
	" FROM new_trades f JOIN algo_run a ON a.id = f.algo_run_id"
	" WHERE f.batch_id = $1 ORDER BY f.client_time, f.client_time_ns, f.id";

struct out {
	struct buf ev;		/* analysis events, NUL-terminated */
	size_t n;
};

static void
keep(void *arg, const char *p, size_t n)
{
	struct out *o = arg;

	if (n < 20 || memcmp(p, "{\"ev\":\"analysis\"", 16) != 0)
		return;		/* the summary: not kept here */
	buf_add(&o->ev, p, n);
	buf_addc(&o->ev, '\0');
	o->n++;
}

static void
add_str(struct buf *b, const char *key, PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return;
	json_add_kstr(b, key, PQgetvalue(r, row, col));
}

static void
add_num(struct buf *b, const char *key, PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return;
	json_add_key(b, key);
	buf_adds(b, PQgetvalue(r, row, col));
}

/* The fill event of row i, as liu-db export writes its fields. */
static int
fill_line(struct buf *b, PGresult *r, int i, const char *batch)
{
	char ts[64];
	long long us = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	long ns = strtol(PQgetvalue(r, i, 1), NULL, 10);

	buf_reset(b);
	ts[tm_format((int64_t)us * 1000 + ns, ts)] = '\0';
	buf_adds(b, "{\"ev\":\"fill\",\"t\":\"");
	buf_adds(b, ts);
	buf_addc(b, '"');
	add_str(b, "sym", r, i, 2);
	add_str(b, "id", r, i, 3);
	add_str(b, "order_id", r, i, 4);
	add_str(b, "exec_id", r, i, 5);
	add_str(b, "side", r, i, 6);
	add_num(b, "qty", r, i, 7);
	add_num(b, "price", r, i, 8);
	add_num(b, "fee", r, i, 9);
	add_str(b, "strategy", r, i, 10);
	json_add_kstr(b, "batch", batch);
	add_num(b, "stop_loss", r, i, 11);
	buf_addc(b, '}');
	return 0;
}

/* The raw text of member 'key' of the event, or NULL (absent or null). */
static const char *
member(const struct json *j, const char *key, struct buf *b)
{
	int i = json_get(j, key);

	buf_reset(b);
	if (i < 0 || j->tok[i].kind == JSON_NULL)
		return NULL;
	if (j->tok[i].kind == JSON_STR)
		json_str(j, i, b);
	else
		buf_add(b, j->s + j->tok[i].start,
		    (size_t)(j->tok[i].end - j->tok[i].start));
	return buf_cstr(b);
}

/* Store the analysis of one batch in one transaction: 0 or -1. */
static int
store(PGconn *c, const char *batch, struct out *o)
{
	struct json j = JSON_INIT;
	struct buf f[6], tb = BUF_INIT;
	const char *p[8], *q[5], *s = o->ev.p, *err;
	int64_t t;
	size_t i, k;
	int rc = 0;
	char ts[64], nsb[8];

	for (k = 0; k < 6; k++)
		f[k] = (struct buf)BUF_INIT;
	p[0] = batch;
	if (mine_exec(c, "gainloss", "BEGIN", 0, NULL) < 0 ||
	    mine_exec(c, "gainloss", "CREATE TEMP TABLE IF NOT EXISTS"
	    " mine_trips (strategy text, symbol text, gain numeric,"
	    " fees numeric, r numeric) ON COMMIT DELETE ROWS", 0, NULL) < 0 ||
	    mine_exec(c, "gainloss", "DELETE FROM trade_analysis WHERE"
	    " batch_id = $1 AND event->>'open' = 'true'", 1, p) < 0 ||
	    mine_exec(c, "gainloss", "DELETE FROM gain_loss WHERE"
	    " batch_id = $1", 1, p) < 0)
		rc = -1;
	for (i = 0; rc == 0 && i < o->n; i++, s += strlen(s) + 1) {
		if (json_parse(&j, s, strlen(s), &err) < 0)
			bug("gainloss: an analysis event that is not JSON: %s",
			    err);
		if (!member(&j, "t", &tb) || tm_parse(tb.p, tb.len, &t) < 0)
			bug("gainloss: an analysis event without a time");
		ts[tm_format(t - t % 1000, ts)] = '\0';
		snprintf(nsb, sizeof(nsb), "%d", (int)(t % 1000));
		p[1] = member(&j, "strategy", &f[0]);
		p[2] = member(&j, "sym", &f[1]);
		p[3] = ts;
		p[4] = nsb;
		p[5] = member(&j, "r", &f[2]);
		p[6] = member(&j, "gain", &f[3]);
		p[7] = s;
		if (mine_exec(c, "gainloss", "INSERT INTO trade_analysis"
		    " (batch_id, strategy, symbol, event_time, event_time_ns,"
		    " r_units, gain, event, digest) VALUES ($1, $2, $3, $4,"
		    " $5, $6, $7, $8::jsonb, md5($8::jsonb::text))"
		    " ON CONFLICT DO NOTHING", 8, p) < 0) {
			rc = -1;
			break;
		}
		if (json_get(&j, "open") >= 0 &&
		    j.tok[json_get(&j, "open")].kind == JSON_TRUE)
			continue;
		q[0] = p[1];
		q[1] = p[2];
		q[2] = p[6];
		q[3] = member(&j, "fees", &f[4]);
		q[4] = p[5];
		if (mine_exec(c, "gainloss", "INSERT INTO mine_trips VALUES"
		    " (coalesce($1, ''), $2, $3, $4, $5)", 5, q) < 0)
			rc = -1;
	}
	if (rc == 0 && mine_exec(c, "gainloss", "INSERT INTO gain_loss"
	    " (batch_id, strategy, symbol, trades, wins, losses, gain, fees,"
	    " r_units) SELECT $1, strategy, symbol, count(*),"
	    " count(*) FILTER (WHERE gain > 0),"
	    " count(*) FILTER (WHERE gain < 0),"
	    " sum(gain), sum(coalesce(fees, 0)), sum(r) FROM mine_trips"
	    " GROUP BY strategy, symbol ORDER BY strategy, symbol", 1, p) < 0)
		rc = -1;
	if (rc == 0 && mine_exec(c, "gainloss", "COMMIT", 0, NULL) < 0)
		rc = -1;
	if (rc < 0)
		PQclear(PQexec(c, "ROLLBACK"));
	buf_release(&tb);
	for (k = 0; k < 6; k++)
		buf_release(&f[k]);
	json_release(&j);
	return rc;
}

int
mine_gainloss(const struct mine_opts *o)
{
	struct out out = { BUF_INIT, 0 };
	struct buf line = BUF_INIT;
	struct ev e = EV_INIT;
	struct an a;
	struct an_opts ao = AN_OPTS_INIT;
	PGconn *c = mine_connect(o);
	PGresult *br, *fr;
	const char *p[1], *err;
	uint64_t nbad = 0, nbatch = 0, nev = 0;
	int64_t since = liu_clock_ns() - (int64_t)o->days * TM_NS_PER_DAY;
	int i, k, n, rc = 0;
	char ts[64];

	ts[tm_format(since, ts)] = '\0';
	p[0] = ts;
	br = mine_query(c, "gainloss", "SELECT DISTINCT batch_id FROM"
	    " new_trades WHERE client_time >= $1 ORDER BY batch_id", 1, p);
	if (!br) {
		PQfinish(c);
		return LIU_EXIT_SYS;
	}
	n = PQntuples(br);
	for (i = 0; i < n && !liu_stop; i++) {
		p[0] = PQgetvalue(br, i, 0);
		mine_progress(o, "gainloss", (size_t)i, (size_t)n, p[0]);
		if (!(fr = mine_query(c, "gainloss", fills_sql, 1, p))) {
			rc = LIU_EXIT_SYS;
			break;
		}
		an_init(&a, &ao);
		for (k = 0; k < PQntuples(fr); k++) {
			fill_line(&line, fr, k, p[0]);
			if (ev_parse(&e, line.p, line.len, &err) < 0 ||
			    an_event(&a, &e, &err) < 0) {
				warn("gainloss: batch %s: fill %d of %d: %s",
				    p[0], k + 1, PQntuples(fr), err);
				nbad++;
			}
		}
		PQclear(fr);
		an_finish(&a);
		buf_reset(&out.ev);
		out.n = 0;
		an_ndjson_to(&a, keep, &out);
		an_release(&a);
		if (store(c, p[0], &out) < 0) {
			rc = LIU_EXIT_SYS;
			break;
		}
		nbatch++;
		nev += out.n;
	}
	mine_progress(o, "gainloss", (size_t)n, (size_t)n, NULL);
	if (o->verbose)
		warn("gainloss: %llu batches, %llu analysis events",
		    (unsigned long long)nbatch, (unsigned long long)nev);
	if (nbad && !rc) {
		warn("gainloss: skipped %llu bad fills",
		    (unsigned long long)nbad);
		rc = LIU_EXIT_DATA;
	}
	PQclear(br);
	PQfinish(c);
	ev_release(&e);
	buf_release(&line);
	buf_release(&out.ev);
	return rc;
}
