/*
 * evread.c: nd_next_event(), the read-parse-report loop every program that
 * reads whole events shares.  The readers that look at less than a whole
 * event, or at a line before ev_parse() (liu-stream replay: the header of
 * several files merged; liu-route: non-blocking, the header only; liu-ta:
 * its fast path for bars), read lines with nd_next() or nd_getline() and
 * report through nd_bad_event() all the same.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>

#include "event.h"
#include "evread.h"
#include "ndjson.h"
#include "util.h"
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

#define ND_ANY_MAX 8

int
nd_next_event_any(struct nd_reader *const *r, int n, int *which,
    struct ev *e)
{
	static int next;	/* the reader to look at first */
	struct pollfd p[ND_ANY_MAX];
	int idx[ND_ANY_MAX];
	const char *err;
	char *line;
	size_t len;
	int i, k, np;

	if (n < 1 || n > ND_ANY_MAX)
		bug("nd_next_event_any: %d readers", n);
	for (;;) {
		if (nd_stopped || liu_stop)
			return 0;
		for (k = 0; k < n; k++) {
			i = (next + k) % n;
			if (!nd_getline(r[i], &line, &len))
				continue;
			if (nd_stopped)
				return 0;
			next = (i + 1) % n;
			if (ev_parse(e, line, len, &err) == 0) {
				*which = i;
				return 1;
			}
			if (nd_bad_event(r[i], err) < 0)
				return 0;
			k = -1;		/* look again from the next one */
		}
		if (nd_stopped || r[0]->eof)
			return 0;
		if (nd_out_flush() < 0)
			die("write error:");
		for (i = np = 0; i < n; i++)
			if (!r[i]->eof) {
				p[np].fd = r[i]->fd;
				p[np].events = POLLIN;
				p[np].revents = 0;
				idx[np++] = i;
			}
		if (nd_poll(p, (unsigned)np) < 0)
			return 0;
		for (k = 0; k < np; k++) {
			/* on POLLNVAL too: read(2) fails and says why */
			if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR |
			    POLLNVAL)))
				continue;
			i = idx[k];
			if (nd_fill(r[i]) < 0 && errno != EINTR) {
				if (errno == EAGAIN)
					continue;
				warn("%s: read error:", r[i]->name);
				return -1;
			}
		}
	}
}

int
nd_bad_event(const struct nd_reader *r, const char *reason)
{
	return nd_bad(r, "bad event: %s", reason);
}
