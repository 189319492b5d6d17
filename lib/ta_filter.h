/*
 * ta_filter.h: liu-ta's filter.  Indicators per symbol and timeframe over bar
 * events, the bars read by the quickest reader that accepts them and
 * written back with the indicator fields appended.
 */
#ifndef LIU_TA_FILTER_H
#define LIU_TA_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"
#include "ind.h"
#include "ndjson.h"

struct series;

struct ta {
	struct ind_spec *spec;
	int nspec;
	struct ind_field *field;	/* every output of every spec, owned */
	int nfield;
	int digits;		/* significant digits, or IND_DIGITS_EXACT */
	struct ev_head head;	/* the current line's */
	struct series *series;	/* owned */
	size_t nseries, cap;
	uint32_t *slot;		/* hash table: series index + 1, 0 empty */
	size_t nslot;		/* a power of two, over twice nseries */
	struct buf out;
	uint64_t nbars;
	uint64_t nreplaced;	/* updated bars that replaced the last one */
	uint64_t nstale;	/* updated bars too old for that, passed on */
};
#define TA_INIT { .out = BUF_INIT, .digits = IND_DIGITS_DEFAULT }

/*
 * Parse the SPEC arguments (usage errors exit 2), name their fields and
 * set up the series table.  The ta owns what it allocates until
 * ta_release().
 */
void ta_specs(struct ta *ta, int argc, char *argv[]);

/*
 * One input line: a bar gets its indicator fields and is emitted (an
 * updated bar for the time of its series' last bar replaces that bar in
 * the indicators; one older than it is written as it came), any other
 * event passes through, a bad line goes to the bad-line policy (reported
 * against rd).  'e' is scratch space for the general parser.  Returns 0, or
 * -1 when the policy says stop.
 */
int ta_line(struct ta *ta, struct nd_reader *rd, struct ev *e,
    const char *line, size_t len);

/* Free everything the ta holds. */
void ta_release(struct ta *ta);

#endif
