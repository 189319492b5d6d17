/*
 * synth.h: a seeded synthetic market.  The same options and seed give the
 * same events, byte for byte, on every run.  Prices follow a geometric
 * Brownian motion per symbol; trade sizes follow a U-shaped intraday volume
 * curve; every event carries "synthetic":true.
 *
 * Market time is the New York regular sessions of cal.h: no event falls on
 * a weekend, a holiday, outside 09:30-16:00 New York time or after an
 * early close.  A run starts at its start time, or at the next open when
 * that is outside a session, and lasts while New York's clocks run its
 * duration (calendar time: 7d is a week of sessions); a run within one
 * session is a plain stretch of events from its start.
 */
#ifndef LIU_SYNTH_H
#define LIU_SYNTH_H

#include <stdint.h>

enum { SYN_TRADE = 1, SYN_QUOTE = 2, SYN_BAR = 4 };

struct synth_opts {
	int nsyms;		/* symbols */
	uint64_t seed;
	double rate;		/* events per second of market time */
	int max;		/* do not pace in real time */
	int64_t duration;	/* ns of New York clock time from the start */
	int64_t start;		/* ns; moved to the next open if outside */
	uint64_t events;	/* stop after this many; 0 = no cap */
	unsigned types;		/* SYN_* */
};
#define SYNTH_OPTS_INIT { 10, 1, 1000, 0, 390 * 60000000000LL, \
	1704205800000000000LL, 0, SYN_TRADE | SYN_QUOTE | SYN_BAR }

/* Parse "trade,quote,bar" into SYN_* bits; -1 if a name is unknown. */
int synth_types(const char *s, unsigned *types);

/*
 * Emit the market through nd_emit() until the duration or the event cap
 * is reached, or liu_stop is set.  Returns the number of events emitted
 * (none when no session opens after o->start: beyond 2261).
 */
uint64_t synth_run(const struct synth_opts *o);

#endif
