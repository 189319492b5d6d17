/*
 * live.h: liu-stream alpaca | polygon: the providers' market-data
 * WebSockets, live, as liu events.
 *
 * Threads, so that reading the socket always has priority:
 *   - the network thread owns libwebsockets: it connects, authenticates,
 *     subscribes, reads frames, translates them (feed.h) and appends the
 *     events to a bounded queue; it never waits on anything else;
 *   - the calling thread is the only writer of stdout: it waits for the
 *     queue, writes what it holds and flushes, and takes the signals;
 *   - a control thread per source (--control FIFO, stdin when a pipe)
 *     reads pick and drop events with nd_next_event() and hands the
 *     subscription changes to the network thread (lws_cancel_service());
 *   - a backfill thread runs `liu-stream history` for symbols that need
 *     past bars (--backfill, --backfill-gaps) while their live events
 *     wait in the queue.
 */
#ifndef LIU_LIVE_H
#define LIU_LIVE_H

#include <stddef.h>
#include <stdint.h>

enum live_provider { LIVE_ALPACA, LIVE_POLYGON };

/* liu's event types (--types) and the bar channels (--tf) */
enum { LIVE_TRADE = 1, LIVE_QUOTE = 2, LIVE_BAR = 4, LIVE_STATUS = 8 };
enum { LIVE_TF_1S = 1, LIVE_TF_1M = 2, LIVE_TF_1D = 4 };

struct live_opts {
	enum live_provider provider;
	const char *feed;	/* Alpaca: iex, sip or delayed_sip */
	int types;		/* LIVE_TRADE | ... */
	int tfs;		/* LIVE_TF_1M | ... */
	const char *url;	/* --url; NULL: the environment's, or the
				   provider's */
	const char *rest_url;	/* --rest-url, for backfills */
	const char *cacert;	/* a CA file to trust instead of the system's */
	const char *control;	/* --control FIFO, or NULL */
	int read_stdin;		/* stdin is a control source too */
	size_t queue_max;	/* bytes of events waiting for stdout */
	int64_t backoff_min, backoff_max;	/* reconnect waits, ns */
	int64_t give_up;	/* exit 1 when down this long; 0: never */
	int64_t timeout;	/* connect, welcome, auth and subscription */
	int ping;		/* seconds idle before a ping; 0: none */
	int64_t backfill;	/* --backfill DURATION; 0: none */
	int backfill_gaps;	/* --backfill-gaps */
	int verbose;
};
#define LIVE_OPTS_INIT { LIVE_ALPACA, NULL, 0, LIVE_TF_1M, NULL, NULL, \
	NULL, NULL, 0, 64u << 20, 500000000LL, 60000000000LL, \
	900000000000LL, 10000000000LL, 10, 0, 0, 0 }

/* "alpaca" or "polygon": 0, or -1 for another name. */
int live_provider_from(const char *s, enum live_provider *p);

/* A --types list into *types (trade, quote, bar, status): 0 or -1. */
int live_types(const char *s, int *types);

/* A --tf list into *tfs (1s, 1m, 1d): 0 or -1. */
int live_tfs(const char *s, int *tfs);

/*
 * The provider liu-stream streams from with no subcommand:
 * LIU_DATA_PROVIDER, else whichever keys are set (Alpaca's first).
 * Returns 0, or -1 with none: *why says which variables to set.
 */
int live_default_provider(enum live_provider *p, const char **why);

/*
 * Stream until SIGTERM or SIGINT, or a fatal error.  Returns 0 after a
 * signal, LIU_EXIT_DATA after bad credentials, a refused subscription
 * or a connection that did not come back within give_up (each reported).
 * Dies with LIU_EXIT_USAGE for missing keys, a refused URL or a bad
 * symbol.
 */
int live_run(const struct live_opts *o, char *const *syms, int nsyms);

#endif
