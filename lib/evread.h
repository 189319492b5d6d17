/*
 * evread.h: reading events, the one read-parse-report loop.
 *
 * A layer above ndjson (lines, the bad-line policy) and event (ev_parse()):
 * nd_next_event() is what a program that needs whole events calls instead
 * of nd_next() and ev_parse(), so that every program reports a line that is
 * not an event the same way, "PROG: SOURCE:LINE: bad event: REASON", counts
 * it and applies --strict and --max-bad to it.
 */
#ifndef LIU_EVREAD_H
#define LIU_EVREAD_H

struct ev;
struct nd_reader;

/*
 * The next event of r, parsed into e.  A line that ev_parse() refuses is
 * reported through nd_bad_event(), counted and skipped, or stops input when
 * the bad-line policy says so.  Returns 1 with an event: e->line and e->len
 * are the line as read (without its newline), valid, like every pointer in
 * e, until the next call.  Returns 0 at end of input, or when liu_stop or
 * the policy says stop, and -1 on a read error, which has been reported.
 * The caller owns e and releases it with ev_release().
 */
int nd_next_event(struct nd_reader *r, struct ev *e);

/*
 * The same over several inputs: the next event of whichever of the n
 * readers has a line, r[0] the main input and the others extras read while
 * it lasts (liu-order's --market FIFO).  Buffered lines come first, taken
 * from the readers in turn, one line each, so no input starves another;
 * when none is buffered, the event writer is flushed and nd_poll() waits
 * for any reader not at its end.  Returns 1 with an event and *which set to
 * its reader's index, 0 once r[0] is at its end and read out (what is left
 * in the others is not read) or when liu_stop or the bad-line policy says
 * stop, and -1 on a read error, which has been reported.  The descriptors
 * are read only when poll says so and may be blocking.
 */
int nd_next_event_any(struct nd_reader *const *r, int n, int *which,
    struct ev *e);

/*
 * Report the line last read from r as "bad event: REASON" through nd_bad():
 * the line is not a valid event, or lacks a field this reader requires
 * (liu-db store: a fill without "exec_id").  A valid event that the
 * program refuses (a fill for an unknown order, a sell with no position)
 * is reported with its reason alone, through nd_bad(), as liu(7) says.
 * Returns what nd_bad() does: 0 to go on, -1 when input must stop.
 */
int nd_bad_event(const struct nd_reader *r, const char *reason);

#endif
