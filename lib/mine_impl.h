/*
 * mine_impl.h: what the files of liu-mine share with each other and with
 * nobody else.  Only lib/mine*.c include it; programs use mine.h.
 */
#ifndef LIU_MINE_IMPL_H
#define LIU_MINE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "buf.h"
#include "json.h"
#include "mine.h"

/* Connect as o says, or exit with LIU_EXIT_SYS after saying why. */
PGconn *mine_connect(const struct mine_opts *o);

/*
 * Run one statement with text parameters: its result (the caller clears
 * it), or NULL after a warning "WHAT: the database's message".
 */
PGresult *mine_query(PGconn *c, const char *what, const char *sql, int n,
    const char *const *params);
/* The same without a result: 0 or -1. */
int mine_exec(PGconn *c, const char *what, const char *sql, int n,
    const char *const *params);

/* The progress line "WHAT: i+1/n NAME" on stderr when o->progress; i >= n
 * clears it. */
void mine_progress(const struct mine_opts *o, const char *what, size_t i,
    size_t n, const char *name);

/* A day (days since 1970-01-01) as YYYY-MM-DD, and back: 0 or -1. */
void mine_add_day(struct buf *b, int64_t days);
int mine_parse_day(const char *s, int64_t *days);

/* A symbol liu can subscribe to: 1 to 32 of '!' to '~' but , " \. */
int mine_sym_ok(const char *s);

/* Alpaca's active US equities, each asset object to 'each' (mine.c). */
int mine_assets(const struct mine_opts *o,
    void (*each)(void *arg, const struct json *j, int obj, const char *sym),
    void *arg, uint64_t *nbad);

#endif
