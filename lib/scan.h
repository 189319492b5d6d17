/*
 * scan.h: liu-scan, the scanners.  A scan looks at every symbol of the
 * market once, as the providers' snapshots show it (Alpaca: the tradable
 * assets of /v2/assets, then /v2/stocks/snapshots in chunks of symbols;
 * Polygon: the all-tickers snapshot), or offline, day by day, as daily or
 * minute bars show it as of a time of the day.  Each symbol becomes one
 * snapshot: its price, change, volumes and the previous day's; a scanner
 * then writes either the snapshots themselves (`snapshot`) or `pick`
 * events for the symbols that meet its criteria (`momentum`), and with
 * --every scans again until the close, writing only new picks.
 *
 * The module, prefix scan_, is four files along its seams:
 *   scan.c        the run: the schedule, the criteria, the order, output
 *   scan_fetch.c  the providers' REST endpoints into snapshots
 *   scan_from.c   bars of saved events into snapshots, as of a time
 *   scan_where.c  --where: a jq expression on each snapshot (libjq)
 * scan_impl.h is what they share with each other and nobody else.
 */
#ifndef LIU_SCAN_H
#define LIU_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "rest.h"

enum scan_mode { SCAN_MOMENTUM, SCAN_SNAPSHOT };
enum scan_provider { SCAN_ALPACA, SCAN_POLYGON };

struct scan_where;
struct ev;

struct scan_opts {
	enum scan_mode mode;
	/* momentum's criteria: a symbol is picked when all hold */
	double min_price, max_price;	/* price in [min, max] */
	double min_last_dv;	/* prev_close x prev_volume, at least */
	double min_change;	/* change_pct, at least */
	double min_volume;	/* today's volume, at least */
	long max_symbols;	/* picks in the whole run, at most */
	struct scan_where *where;	/* --where, compiled; NULL: none */
	char **strategies;	/* --strategies, NULL-terminated; NULL:
				   the picks name none */

	/* when */
	int64_t every;		/* --every, ns; 0: scan once */
	int64_t until;		/* --until; INT64_MIN: the session's close */
	int64_t wait_open;	/* --wait-open, ns after the open; -1: none */

	/* where from */
	enum scan_provider provider;
	const char *feed;	/* Alpaca: iex or sip; NULL: the plan's */
	char **symbols;		/* --symbols, NULL-terminated; NULL: the
				   whole market */
	long chunk;		/* Alpaca: symbols a snapshots request */
	const char *url;	/* market data base URL; NULL: env/default */
	const char *trading_url;	/* Alpaca trading API base URL */
	struct rest_opts rest;

	/* offline */
	const char *from;	/* --from FILE: bars; NULL: the providers */
	int64_t at;		/* --at, ns after New York midnight; -1:
				   daily bars at the open */

	int verbose;

	/* offline from elsewhere (liu-scan --from-db): daily bars in time
	   order, the next one into *ev with 1, 0 at the end, -1 after an
	   error it reported; from_name names the source in messages */
	int (*from_bars)(void *arg, struct ev *ev);
	void *from_arg;
	const char *from_name;
};
#define SCAN_OPTS_INIT { SCAN_MOMENTUM, 2, 20, 500000, 3.5, 30000, 100, \
	NULL, NULL, 0, INT64_MIN, -1, SCAN_ALPACA, NULL, NULL, 1000, NULL, \
	NULL, REST_OPTS_INIT, NULL, -1, 0, NULL, NULL, NULL }

/*
 * Compile a --where expression (jq, through libjq).  Returns the compiled
 * program, owned by the caller (scan_where_free()), or dies with
 * LIU_EXIT_USAGE and jq's own message when it does not compile.
 */
struct scan_where *scan_where_compile(const char *expr);
void scan_where_free(struct scan_where *w);

/*
 * A comma-separated list ("a,b") as a NULL-terminated array of copies,
 * owned by the caller (scan_list_free()).  Each name must be 1 to 64
 * printable ASCII characters but '"' and '\\' (with 'sym' set: 1 to 32, a
 * symbol as the contract has it); returns NULL with *bad pointing at the
 * offending name in s otherwise, or for an empty list.
 */
char **scan_list(const char *s, int sym, const char **bad);
void scan_list_free(char **list);

/*
 * "HH:MM" or "HH:MM:SS" as ns after midnight, 00:00 to 23:59:59; -1 if
 * malformed.
 */
int64_t scan_time_of_day(const char *s);

/*
 * Run the scanner 'o' asks for and write its events through nd_emit().
 * Keys come from the environment (APCA_API_KEY_ID and APCA_API_SECRET_KEY,
 * or POLYGON_API_KEY) and are sent in headers only.  Returns 0, or
 * LIU_EXIT_DATA when something was reported and skipped: a bad record of
 * a response or a bad line of --from, a request that failed after its
 * retries, a response that was not JSON.  Dies with LIU_EXIT_USAGE for
 * missing keys or a refused URL, with LIU_EXIT_DATA when the provider
 * refuses the keys (401, 403), and with LIU_EXIT_SYS when --from cannot
 * be opened.  Stops between scans, and its waits end, on liu_stop.
 */
int scan_run(const struct scan_opts *o);

#endif
