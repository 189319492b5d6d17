/*
 * route.h: liu-route's engine.  One process reads the event stream (and
 * any feedback FIFOs), routes each event by a stable hash of its key to
 * one of N child processes, and merges the children's output onto its own
 * stdout a whole line at a time.  See liu-route(1) for the behaviour.
 */
#ifndef LIU_ROUTE_H
#define LIU_ROUTE_H

#include <stddef.h>
#include <stdint.h>

/* What to do with an event for a shard whose queue is full. */
enum route_full {
	ROUTE_BLOCK,		/* stop reading the input until there is room */
	ROUTE_DROP_OLDEST	/* drop the shard's oldest queued events */
};

/* The clock --max-lag measures against. */
enum route_clock {
	ROUTE_CLOCK_AUTO,	/* event clock until the stream is live */
	ROUTE_CLOCK_WALL,	/* the wall clock */
	ROUTE_CLOCK_EVENT	/* the latest "t" seen on the main input */
};

struct route_opts {
	int nshards;		/* children, 1..ROUTE_MAX_SHARDS */
	char **argv;		/* COMMAND [ARG...], NULL-ended, borrowed */
	const char *key;	/* top-level field to shard by ("sym") */
	int64_t max_lag;	/* ns; 0 = no staleness check */
	enum route_clock clock;
	enum route_full on_full;
	size_t queue_max;	/* bytes queued per shard before on_full */
	int restart;		/* restart dead children with backoff */
	int64_t linger;		/* ns to keep routing feedback after EOF */
	char **feedback;	/* FIFO paths, borrowed */
	int nfeedback;
	int validate;		/* check the whole JSON, not only ev/t/key */
	int verbose;		/* counters at the end */
};
#define ROUTE_MAX_SHARDS 1024
#define ROUTE_QUEUE_DEFAULT (1024 * 1024)
#define ROUTE_OPTS_INIT { 1, NULL, "sym", 5000000000LL, ROUTE_CLOCK_AUTO, \
	ROUTE_BLOCK, ROUTE_QUEUE_DEFAULT, 0, 0, NULL, 0, 0, 0 }

/*
 * Run the router over standard input until the input ends (or a signal,
 * the bad-line policy or a dead child stops it) and every child has
 * exited.  Children write their lines to our stdout; their stderr is ours.
 * Returns the exit status for liu_finish(): 0, or LIU_EXIT_DATA if lines
 * were skipped or a child failed.  System errors (pipe, spawn at start)
 * die with LIU_EXIT_SYS.  The options are borrowed for the call.
 */
int route_run(const struct route_opts *o);

#endif
