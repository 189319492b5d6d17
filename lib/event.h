/*
 * event.h: liu events, the one interface between programs (schema/events.md).
 *
 * ev_parse() reads one line into a struct ev: the common fields (ev, t, sym)
 * and the known fields of its type, checked for presence and type.  Fields a
 * type does not know are kept as raw JSON and written back byte for byte by
 * ev_format(); an event whose "ev" is not a known type is valid if it has
 * "ev" and "t", and ev_format() then writes the original line unchanged.
 *
 * Absent numbers are NAN, absent strings NULL.  Strings are decoded and
 * NUL-terminated in the event's own arena; every pointer in a struct ev
 * stays valid until the next ev_parse() on it or ev_release().
 */
#ifndef LIU_EVENT_H
#define LIU_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

enum ev_type {
	EV_OTHER = 0,		/* a type not known here: passed through */
	EV_TRADE,
	EV_QUOTE,
	EV_BAR,
	EV_PICK,
	EV_DROP,
	EV_ORDER,
	EV_FILL,
	EV_ORDER_UPDATE,
	EV_CLOCK,		/* ev "clock": time passes (no sym) */
	EV_NTYPES
};

enum ev_side { SIDE_NONE = 0, SIDE_BUY, SIDE_SELL, SIDE_SELL_SHORT,
	SIDE_BUY_TO_COVER };

#define EV_NFIELDS_MAX 48

struct ev {
	enum ev_type type;
	int64_t t;		/* event time, ns since the epoch, UTC */
	const char *evname;	/* the "ev" string as given */
	const char *sym;

	/* trade */
	double price, size;
	const char *x, *tape;
	/* quote */
	double bid, bid_size, ask, ask_size;
	const char *bx, *ax;
	/* bar */
	const char *tf;		/* "1m" when absent */
	double o, h, l, c, v, vw, n;
	/* pick */
	const char *scanner;
	/* drop, order, fill, order_update */
	const char *strategy, *batch;
	const char *id;		/* trade id, or client order id */
	enum ev_side side;
	double qty, limit, stop, fee, stop_loss, target;
	const char *otype;	/* order type: market/limit/stop/stop_limit */
	const char *tif;
	const char *order_id, *exec_id, *status;
	int partial;		/* fill: -1 absent, 0 false, 1 true */
	int synthetic;		/* "synthetic":true seen */

	/* raw JSON values kept as they came (pointers into the line) */
	const char *why;	/* string or object */
	size_t why_len;
	const char *strategies;	/* pick: array of names */
	size_t strategies_len;
	const char *cond;	/* trade: array of condition codes */
	size_t cond_len;

	/* the line and its tokens */
	const char *line;
	size_t len;
	struct json j;
	uint64_t extra;		/* bit k: member k is an unknown field */
	int nextra_overflow;	/* more unknown fields than bits: kept via j */
	struct buf arena;

	/*
	 * Numbers whose text was already canonical: field k's text and the
	 * value read from it, so ev_format() copies the text while the value
	 * is unchanged.  Valid where bit k of 'canon' is set; ev_clear()
	 * clears only 'canon'.
	 */
	uint64_t canon;
	double canon_v[EV_NFIELDS_MAX];
	const char *canon_p[EV_NFIELDS_MAX];
	unsigned char canon_n[EV_NFIELDS_MAX];
};
#define EV_INIT { .j = JSON_INIT, .arena = BUF_INIT }

/*
 * Parse one line (not NUL-terminated necessarily; it must outlive the
 * event's use).  Returns 0, or -1 with *err set to a message such as
 * 'missing "t"' or '"price" is not a number' (in a static or thread-unsafe
 * buffer: use it before the next call).
 */
int ev_parse(struct ev *e, const char *line, size_t len, const char **err);

/*
 * Append the event as one JSON line (no newline) to b: "ev", "t", "sym",
 * then the known fields of its type in the contract's order, then the
 * unknown fields as they came.  An EV_OTHER event is its original line.
 */
void ev_format(const struct ev *e, struct buf *b);

/* Reset an event to empty (all numbers NAN) keeping its storage. */
void ev_clear(struct ev *e);
/* Free the event's storage. */
void ev_release(struct ev *e);

/* Names. */
const char *ev_type_name(enum ev_type t);
enum ev_type ev_type_from(const char *s);
const char *ev_side_name(enum ev_side s);
/* SIDE_NONE if not a side name. */
enum ev_side ev_side_from(const char *s);

/*
 * A fast look at a line without parsing it: the raw bytes of the top-level
 * string fields "ev", "t" and "sym" (NULL if absent or not strings).  It does
 * not validate the JSON; it does skip nested values and strings correctly.
 * Returns 0, or -1 if the line is not a JSON object at all.
 */
struct ev_peek {
	const char *ev, *t, *sym;
	size_t ev_len, t_len, sym_len;
};
int ev_peek(const char *line, size_t len, struct ev_peek *p);

#endif
