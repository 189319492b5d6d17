/*
 * evread.c: nd_next_event(), the read-parse-report loop every program that
 * reads whole events shares.  The readers that look at less than a whole
 * event, or at a line before ev_parse() (liu-stream replay: the header of
 * several files merged; liu-route: non-blocking, the header only; liu-ta:
 * its fast path for bars), read lines with nd_next() or nd_getline() and
 * report through nd_bad_event() all the same.
 */
#include <stddef.h>

#include "event.h"
#include "evread.h"
#include "ndjson.h"
#include "banned.h"

int
nd_next_event(struct nd_reader *r, struct ev *e)
{
	const char *err;
	char *line;
	size_t len;
	int rc;

	while ((rc = nd_next(r, &line, &len)) == 1) {
		if (ev_parse(e, line, len, &err) == 0)
			return 1;
		if (nd_bad_event(r, err) < 0)
			return 0;
	}
	return rc;
}

int
nd_bad_event(const struct nd_reader *r, const char *reason)
{
	return nd_bad(r, "bad event: %s", reason);
}
