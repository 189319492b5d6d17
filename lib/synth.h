/*
 * synth.h: a seeded synthetic market.  The same options and seed give the
 * same events, byte for byte, on every run.  Prices follow a geometric
 * Brownian motion per symbol; trade sizes follow a U-shaped intraday volume
 * curve; every event carries "synthetic":true.
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
	int64_t duration;	/* ns of market time */
	int64_t start;		/* ns, the first event's time */
	uint64_t events;	/* stop after this many; 0 = no cap */
	unsigned types;		/* SYN_* */
};
#define SYNTH_OPTS_INIT { 10, 1, 1000, 0, 390 * 60000000000LL, \
	1704205800000000000LL, 0, SYN_TRADE | SYN_QUOTE | SYN_BAR }

/* Parse "trade,quote,bar" into SYN_* bits; -1 if a name is unknown. */
int synth_types(const char *s, unsigned *types);

/*
 * Emit the market through nd_emit() until the duration or the event cap
 * is reached, or liu_stop is set.  Returns the number of events emitted.
 */
uint64_t synth_run(const struct synth_opts *o);

#endif
