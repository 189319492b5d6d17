/*
 * replay.h: saved NDJSON events back onto stdout, merged across files in
 * event-time order and paced by their "t".
 */
#ifndef LIU_REPLAY_H
#define LIU_REPLAY_H

#include <stdint.h>

#include "sym.h"

struct replay_opts {
	int max;		/* as fast as possible */
	double speed;		/* else N times real time */
	int64_t from, to;	/* window [from, to); INT64_MIN/MAX: open */
	struct symtab *syms;	/* only these symbols; NULL = all */
	int validate;		/* parse every event fully and re-format it */
	int progress;		/* a progress line on stderr */
};
#define REPLAY_OPTS_INIT { 0, 1.0, INT64_MIN, INT64_MAX, NULL, 0, 0 }

/*
 * Replay the files ("-" is standard input) through nd_emit().  Bad lines
 * go through the bad-line policy.  Returns 0, or LIU_EXIT_SYS if a file
 * could not be opened or read (reported; the other files still replay).
 */
int replay_run(const struct replay_opts *o, char *const *files, int nfiles);

#endif
