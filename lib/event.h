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
	EV_CANCEL,		/* a strategy asks to cancel an order */
	EV_POSITION,		/* a position held, where a run starts */
	EV_NTYPES
};

enum ev_side { SIDE_NONE = 0, SIDE_BUY, SIDE_SELL, SIDE_SELL_SHORT,
	SIDE_BUY_TO_COVER };

#define EV_NFIELDS_MAX 64	/* bits of a uint64_t */

/*
 * The header: the members "ev", "t" and "sym" that every program reads
 * before anything else (schema/events.md, "The header"), by the one
 * scanner in head.c.
 *
 * ev_head() finds them, decodes them, and applies the contract's rules in
 * one place, so that liu-route, liu-ta, liu-stream replay and ev_parse()
 * agree on every line:
 *   - "ev": present once, a string of 1 to EV_NAME_MAX printable ASCII
 *     characters (0x21-0x7e) once decoded;
 *   - "t": present once, a string that is a valid RFC 3339 time;
 *   - "sym": at most once; in a "clock" it is an ordinary unknown member;
 *     elsewhere null is the same as absent, otherwise a string of 1 to
 *     EV_SYM_MAX printable ASCII characters once decoded; required in
 *     trade, quote, bar, pick, drop, order, fill, cancel and position.
 * Keys are compared decoded: "\u0073ym" is "sym", and a second one of
 * these three keys makes the line bad.
 *
 * The usual line, written by liu itself, starts with the three members in
 * that order, without blanks or escapes; it is read up to the end of the
 * header only, and the rest of the line is then checked for a second header
 * key by one cheap pass over its bytes.  Any other line is scanned member by
 * member.  Neither path validates the JSON of the other members beyond
 * what it takes to skip them: json_parse() does that.
 */
#define EV_NAME_MAX 64		/* longest "ev" */
#define EV_SYM_MAX 32		/* longest "sym" */

struct ev_head {
	enum ev_type type;
	/* the decoded values; not NUL-terminated, pointing into the line
	 * (when the value has no escape) or into this struct */
	const char *ev, *sym;	/* sym NULL: absent, null, or a clock */
	size_t ev_len, sym_len;
	const char *t;		/* the raw text of "t", in the line */
	size_t t_len;
	int64_t ns;		/* t, in ns since the epoch */
	/*
	 * The offset just past the header in the usual layout (the ',' or
	 * '}' after its last member), else 0.  With EV_HEAD_PREFIX the rest
	 * of the line was not looked at: the caller must read every member
	 * after 'body' itself and treat "ev", "t" or "sym" there as bad, or
	 * call ev_head() again without the flag.
	 */
	size_t body;
	int raw;		/* ev and sym point into the line */

	/* private: decoded values, and the last time parsed */
	char evbuf[EV_NAME_MAX], symbuf[EV_SYM_MAX];
	char tlast[40];
	size_t tlast_len;
	int64_t tlast_ns, tsec;
	int tsec_ok;
};
#define EV_HEAD_INIT { .type = EV_OTHER }

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
	/* drop, order, fill, order_update, cancel, position */
	const char *strategy, *batch;
	const char *id;		/* trade id, or client order id */
	enum ev_side side;
	double qty, limit, stop, fee, stop_loss, target;
	const char *otype;	/* order type: market/limit/stop/stop_limit/
				 * trailing_stop */
	const char *tif;
	const char *order_id, *exec_id, *status;
	int partial;		/* fill: -1 absent, 0 false, 1 true */
	/* order */
	double trail_price, trail_percent;
	int extended_hours;	/* -1 absent, 0 false, 1 true */
	const char *horizon;	/* "day" (NULL: absent, the same) or "swing" */
	int bracket;		/* -1 absent, 0 false, 1 true */
	/* order, fill, order_update of a bracket's exit: the bracket's id */
	const char *parent;
	/* order_update */
	double filled_qty;	/* cumulative */
	/* position */
	double avg_price;
	const char *portfolio;
	int synthetic;		/* "synthetic":true seen */
	/*
	 * Set by a caller that reads only the fields above: ev_parse() may
	 * then read the usual line (what liu writes: known fields in the
	 * canonical order, nothing else) without building the tokens in j.
	 * It keeps its value across ev_parse() and ev_clear().
	 */
	int fast;

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

	/* each number field's text as read: see ev_num_text() */
	const char *num_p[EV_NFIELDS_MAX];
	uint32_t num_n[EV_NFIELDS_MAX];

	struct ev_head head;	/* the header as ev_head() read it */
	char err[160];		/* the last error's text */
};
#define EV_INIT { .j = JSON_INIT, .arena = BUF_INIT }

/*
 * Parse one line (not NUL-terminated necessarily; it must outlive the
 * event's use).  Returns 0, or -1 with *err set to a message such as
 * 'missing "t"' or '"price" is not a number', kept in the event (so threads
 * may parse events of their own at once): use it before the next call.
 */
int ev_parse(struct ev *e, const char *line, size_t len, const char **err);

/*
 * Append the event as one JSON line (no newline) to b: "ev", "t", "sym",
 * then the known fields of its type in the contract's order, then the
 * unknown fields as they came.  An EV_OTHER event is its original line.
 */
void ev_format(const struct ev *e, struct buf *b);

/*
 * Whether a filter that passes event e through unchanged should write it.
 * liu-route sends an event without a symbol (a clock, an unknown type, an
 * order_update without "sym") to every shard, and each shard's program
 * would pass it on: so a program that runs as a shard (LIU_SHARD set by
 * liu-route) writes such an event only in shard 0, and it comes out of the
 * router once.  Events with a symbol, and every event outside liu-route,
 * are written.
 */
int ev_pass_once(const struct ev *e);

/*
 * The text of number field 'name' of the event's type as the line wrote it
 * (the last one, if repeated), for a reader that wants the decimal and not
 * the double: *p points into the line, *n is its length.  Returns 0, 1 if
 * the field is absent or null, or -1 if 'name' is not a number field of
 * the event's type (unknown fields are the tokens' business).
 */
int ev_num_text(const struct ev *e, const char *name, const char **p,
    size_t *n);

/*
 * Whether the event has the unknown field 'name' with the value true (its
 * key compared decoded, the last one if repeated): a bar's "updated", the
 * "hist" of live sources.  Any other value, null included, is false.
 * For names that are not fields of the event's type.
 */
int ev_flag(const struct ev *e, const char *name);

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

enum { EV_HEAD_PREFIX = 1 };

/*
 * Read the header of 'len' bytes of line.  The struct may be reused from
 * line to line (it keeps the last time to skip parsing a repeated one);
 * its pointers are valid while both it and the line are.  Returns 0, or -1
 * with *err set to a constant message such as 'missing "t"', 'repeated
 * "sym"' or 'bad "sym": not 1 to 32 printable ASCII characters'.
 */
int ev_head(struct ev_head *h, const char *line, size_t len, int flags,
    const char **err);

/*
 * Whether the line whose header ev_head() just read (in the usual layout:
 * h->body set) is, after it, a flat object of plain members (keys and
 * strings of printable ASCII without escapes, numbers, literals) with no
 * second header key: then the whole line is valid JSON and its header
 * complete, checked in one pass.  0 says nothing about the line: it needs
 * json_parse() and ev_head() without EV_HEAD_PREFIX.
 */
int ev_head_flat(const struct ev_head *h, const char *line, size_t len);

/*
 * Which header key the key token's raw bytes k[0..n) name once decoded
 * ('esc': they hold a backslash).
 */
enum ev_key { EV_KEY_NONE, EV_KEY_EV, EV_KEY_T, EV_KEY_SYM };
enum ev_key ev_head_key(const char *k, size_t n, int esc);
/*
 * Whether that key is the header's in an event of type 'type': ev and t
 * always, sym but in a clock (where it is an unknown field).  A reader of
 * the other members skips these.
 */
int ev_head_owns(enum ev_type type, const char *k, size_t n, int esc);


#endif
