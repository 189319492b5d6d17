/*
 * order_eod.h: between liu-order's book (order.c) and its end of day
 * (order_eod.c): the liquidation before each session's close and the
 * cancel of entries left unfilled.  Not for brokers nor programs: the
 * book calls the eod_ functions, and order_eod.c acts through the ob_
 * functions below, which keep the book's rules (it places its orders and
 * cancels as if they had been read).
 */
#ifndef LIU_ORDER_EOD_H
#define LIU_ORDER_EOD_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "order.h"

struct eod;

/* The end of day of a book with these options, or NULL if none is asked. */
struct eod *eod_new(const struct ob_opts *o);
/* Free it; with verbose, report its counters. */
void eod_free(struct eod *d);
/* Time is t: act on what is due.  Writes with nd_emit(). */
void eod_run(struct ob *ob, struct eod *d, int64_t t);
/*
 * Why order i, new, is refused (a day order while the day's positions
 * are being liquidated), or NULL.
 */
const char *eod_refuse(struct ob *ob, struct eod *d, size_t i);

/* The book, for the end of day. */

/* The time the book goes by: liu_clock_ns() live, else the events'. */
int64_t ob_clock(const struct ob *ob);
struct broker *ob_broker(const struct ob *ob);
/* The number of positions; each is (strategy, symbol). */
size_t ob_npos(const struct ob *ob);
/*
 * Position p: its signed quantity, whether an order of horizon swing
 * added to it since it was last flat (or a position event said swing),
 * its strategy (NULL for none) and symbol, owned by the book.
 */
double ob_pos_qty(const struct ob *ob, size_t p, int *swing,
    const char **strategy, const char **sym);
/* Shares open orders of 'side' still want on position p. */
double ob_pos_pending(struct ob *ob, size_t p, enum ev_side side);
/*
 * Cancel order i on the book's own account: write a cancel event in its
 * strategy's name, with "tag":TAG and "why":{"reason":TAG}, then ask the
 * broker, the pending_cancel update's why TAG.  Nothing if it is closed or
 * already being cancelled.
 */
void ob_cancel(struct ob *ob, size_t i, const char *tag, int64_t t);
/*
 * Place an order made by the book: 'line', an order event, is taken as if
 * read (every rule holds), written, and its order marked with 'tag' (a
 * static string).  Returns its index, or -1 if it was not taken (a bad
 * line: a bug; a known id).
 */
long ob_place(struct ob *ob, const char *line, size_t len, const char *tag);

#endif
