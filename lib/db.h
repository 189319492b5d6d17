/*
 * db.h: liu's PostgreSQL persistence (libpq): the embedded schema
 * migrations, the store filter with its local journal, export of a batch
 * as NDJSON, the run list, the keystore and the daily-bar loader.
 *
 * Every query is a constant string: values travel as libpq parameters or
 * as COPY data, never as SQL text.  Programs using this module link with
 * -lpq.
 */
#ifndef LIU_DB_H
#define LIU_DB_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

struct nd_reader;

/* One migration: schema/NNNN-name.sql, as lines (db_schema.c). */
struct db_migration {
	int version;
	const char *name;		/* "0001-init" */
	const char *const *sql;		/* lines, NULL-terminated */
};
/* All migrations in order, ended by a zero entry. */
extern const struct db_migration db_migrations[];

/*
 * Connect with libpq: 'dsn' (a conninfo string or URI; NULL or "" means
 * $LIU_DSN, and without it libpq's own PG* environment).  Returns the
 * connection, or NULL after printing why unless 'quiet'.  The caller owns
 * the connection and closes it with PQfinish().
 */
PGconn *db_connect(const char *dsn, int quiet);
/* The same, quiet, with the first line of the reason in err on failure. */
PGconn *db_connect_err(const char *dsn, char *err, size_t cap);

/*
 * Apply the migrations the database lacks, in order, each in its own
 * transaction and recorded in schema_migrations, under an advisory lock so
 * that concurrent runs do not race.  With 'create', first create the
 * database named by the connection settings if it does not exist.
 * Returns 0, or -1 after printing the database's error.
 */
int db_migrate(const char *dsn, int create, int verbose);

/* The schema version of the database: the highest applied, 0, or -1. */
int db_schema_version(PGconn *c);

/* What the store filter does; DB_STORE_OPTS_INIT gives the defaults. */
struct db_store_opts {
	const char *dsn;
	const char *journal;	/* NULL: the default, see liu-db(1) */
	const char *batch;	/* default batch; NULL: LIU_BATCH_ID or new */
	const char *env;	/* BACKTEST, PAPER, PROD; NULL: LIU_ENV */
	size_t batch_max;	/* events per transaction */
	int64_t flush_ns;	/* longest wait of a partial batch */
	int64_t linger_ns;	/* at end of input, how long to retry */
	int verbose;
	long long portfolio;	/* --portfolio: its id, or 0 */
};
#define DB_STORE_OPTS_INIT { NULL, NULL, NULL, NULL, 5000, \
	200000000LL, 10000000000LL, 0, 0 }

/*
 * The store filter: read events from 'rd', write every valid line to
 * stdout at once (nd_emit), and persist the kinds liu keeps (fill, order,
 * order_update, pick, analysis, summary) from a writer thread, in batched
 * transactions.  What cannot be written goes to the journal (fsync'ed) and
 * is written, in order, when the database is back; an unfinished journal is
 * written first.  Returns the exit status: 0, LIU_EXIT_DATA if lines were
 * bad, rows were rejected or events are left in the journal.  Dies on
 * errors of the journal file itself.
 */
int db_store(struct db_store_opts *o, struct nd_reader *rd);

/* Kinds for export; DB_WHAT_ALL is every one. */
enum {
	DB_WHAT_FILLS = 1, DB_WHAT_ORDERS = 2, DB_WHAT_UPDATES = 4,
	DB_WHAT_PICKS = 8, DB_WHAT_ALL = 15
};
/* Parse "fills,orders,..." into a mask; -1 if a name is unknown. */
int db_what_parse(const char *s);

/*
 * Write the events of 'batch' as NDJSON on stdout (nd_emit), ordered by
 * event time, then kind, then insertion.  Returns 0, or -1 after printing
 * the database's error.
 */
int db_export(PGconn *c, const char *batch, int what);

/* List the runs as tab-separated lines.  Returns 0 or -1. */
int db_batches(PGconn *c);

/*
 * The keystore.  db_kv_get() prints the value and a newline and returns 0,
 * 1 if the key is absent, -1 on error; db_kv_set() returns 0 or -1;
 * db_kv_del() returns 0, 1 if absent, -1 on error; db_kv_list() prints
 * "key<TAB>value" lines for keys starting with 'prefix' (NULL: all).
 */
int db_kv_get(PGconn *c, const char *key);
int db_kv_set(PGconn *c, const char *key, const char *value);
int db_kv_del(PGconn *c, const char *key);
int db_kv_list(PGconn *c, const char *prefix);

/*
 * Load daily bar events (tf "1d") from 'rd' into stock_ohlc, replacing a
 * row of the same symbol and day.  Other events are ignored; bad lines
 * follow the reader's policy.  Returns the exit status.
 */
int db_ohlc_load(PGconn *c, struct nd_reader *rd, int verbose);

/*
 * Portfolios (db_portfolio.c).  A portfolio has a size, a credit and an
 * account; its batches (portfolio_batch_ids) are the runs it holds, and
 * its account's cash follows their fills (see schema/0002-portfolio.sql).
 * Ids are positive; db_portfolio_id() reads one from text (0 if bad).
 * The listings print tab-separated lines through nd_emit(); each returns
 * 0, 1 when the portfolio does not exist (said on stderr), -1 after
 * printing the database's error.
 */
long long db_portfolio_id(const char *s);
/* size and credit are decimal text, credit and name may be NULL. */
int db_portfolio_create(PGconn *c, const char *size, const char *credit,
    const char *name);
int db_portfolio_list(PGconn *c);
int db_portfolio_equity(PGconn *c, long long id);
int db_portfolio_account(PGconn *c, long long id);
int db_portfolio_trades(PGconn *c, long long id);
/* Without 'yes', shows what it would append and changes nothing. */
int db_portfolio_recalc(PGconn *c, long long id, int yes);
/* The portfolio's name into *name (malloc'ed): 0, 1 if absent, -1. */
int db_portfolio_name(PGconn *c, long long id, char **name);
/* Tie batch to portfolio id: 0, or -1 after printing the error. */
int db_portfolio_tie(PGconn *c, long long id, const char *batch);

/* A stored fill of a portfolio, as text from the database. */
struct db_fill {
	int64_t t;		/* ns since the epoch */
	const char *batch, *strategy, *sym, *side, *qty, *price, *fee;
	const char *id, *exec_id;	/* fee, id: "" when absent */
	const char *horizon;	/* its order's (or its own), "" when absent */
};
/*
 * Call fn for each fill of the portfolio's batches in time order (then
 * insertion).  Returns 0, or -1 after printing the database's error.
 */
int db_portfolio_fills(PGconn *c, long long id,
    void (*fn)(void *arg, const struct db_fill *f), void *arg);

/* Helpers shared with the tests. */

/* Print each row of a query as tab-separated fields (nd_emit); returns
 * the number of rows, or -1 after printing the error, prefixed 'what'. */
int db_print_rows(PGconn *c, const char *sql, int n, const char *const *p,
    const char *what);

/* Append s as a COPY text field (\N for NULL), escaping \ TAB NL CR. */
struct buf;
void db_copy_field(struct buf *b, const char *s, size_t n);
/* Append JSON text without the blanks outside its strings. */
void db_json_compact(struct buf *b, const char *s, size_t n);
/*
 * Append the top-level fields of j whose names are not in 'known' (a
 * NULL-terminated list) as one JSON object, their bytes as they came; sets
 * *nout to how many (nothing is appended when none).
 */
struct json;
void db_add_unknown(struct buf *b, const struct json *j,
    const char *const *known, int *nout);

#endif
