/*
 * replay.c: the k-way merge of NDJSON files by event time.  Each source
 * holds its current line in its reader's buffer; a binary heap orders the
 * sources by (t, file order), so equal times keep the order of the files
 * on the command line and, within a file, the file's own order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "event.h"
#include "evread.h"
#include "json.h"
#include "merge.h"
#include "ndjson.h"
#include "replay.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

struct source {
	struct nd_reader rd;
	char *line;
	size_t len;
	int64_t t;
	const char *sym;
	size_t symlen;
	struct ev ev;		/* its current event, parsed */
};

struct replay {
	const struct replay_opts *o;
	struct buf out;
	int64_t t0, wall0;	/* pacing: the first event's time and when */
	int64_t tlast;		/* the last event's time */
	uint64_t n;
	int64_t last_progress;
	int status;
};

/*
 * Take the source's next good line: JSON-checked, with "ev" and "t".
 * Returns 1, or 0 at its end.
 */
static int
advance(struct replay *rp, struct source *s)
{
	const char *err;
	int rc;

	while ((rc = nd_next(&s->rd, &s->line, &s->len)) == 1) {
		struct json *j = &s->ev.j;

		if (rp->o->validate) {
			if (ev_parse(&s->ev, s->line, s->len, &err) < 0)
				goto bad;
			s->t = s->ev.t;
			s->sym = s->ev.sym;
			s->symlen = s->sym ? strlen(s->sym) : 0;
			return 1;
		}
		/* the usual line in one pass; any other, in full */
		if ((ev_head(&s->ev.head, s->line, s->len, EV_HEAD_PREFIX,
		    &err) < 0 || !ev_head_flat(&s->ev.head, s->line,
		    s->len)) && (json_parse(j, s->line, s->len, &err) < 0 ||
		    ev_head(&s->ev.head, s->line, s->len, 0, &err) < 0))
			goto bad;
		s->t = s->ev.head.ns;
		s->sym = s->ev.head.sym;	/* decoded */
		s->symlen = s->ev.head.sym_len;
		return 1;
bad:
		if (nd_bad_event(&s->rd, err) < 0)
			return 0;
	}
	if (rc < 0)
		rp->status = LIU_EXIT_SYS;
	return 0;
}

static void
progress(struct replay *rp, int64_t t, int last)
{
	char ts[TM_RFC3339_MAX], msg[160];
	int64_t now = liu_mono_ns();
	int n;

	if (!last && now - rp->last_progress < 250000000)
		return;
	rp->last_progress = now;
	tm_format(t, ts);
	n = snprintf(msg, sizeof(msg), "\r%s: %llu events, at %s%s",
	    liu_progname, (unsigned long long)rp->n, ts, last ? "\n" : "");
	if (n > 0 && write(2, msg, (size_t)n) < 0)
		return;
}

static void
pace(struct replay *rp, int64_t t)
{
	int64_t due, now;
	struct timespec ts;

	if (rp->n == 0) {
		rp->t0 = t;
		rp->wall0 = liu_mono_ns();
		return;
	}
	due = rp->wall0 + (int64_t)((double)(t - rp->t0) / rp->o->speed);
	while (!liu_stop && (now = liu_mono_ns()) < due) {
		if (nd_out_flush() < 0)
			die("write error:");
		ts.tv_sec = (due - now) / TM_NS_PER_SEC;
		ts.tv_nsec = (due - now) % TM_NS_PER_SEC;
		nanosleep(&ts, NULL);
	}
}

static void
emit(struct replay *rp, struct source *s)
{
	const struct replay_opts *o = rp->o;

	if (s->t < o->from || s->t >= o->to)
		return;
	if (o->syms && s->sym && sym_find(o->syms, s->sym, s->symlen) < 0)
		return;
	if (!o->max) {
		pace(rp, s->t);
		if (liu_stop)
			return;	/* the event is not due yet: not sent */
	}
	if (o->validate) {
		buf_reset(&rp->out);
		ev_format(&s->ev, &rp->out);
		nd_emit(rp->out.p, rp->out.len);
	} else
		nd_emit(s->line, s->len);
	rp->n++;
	rp->tlast = s->t;
	if (o->progress && (rp->n & 4095) == 0)
		progress(rp, s->t, 0);
}

int
replay_run(const struct replay_opts *o, char *const *files, int nfiles)
{
	struct replay rp;
	struct source *src;
	struct merge_src *heap;
	int i, n = 0;

	memset(&rp, 0, sizeof(rp));
	rp.o = o;
	src = xcalloc((size_t)nfiles, sizeof(*src));
	heap = xcalloc((size_t)nfiles, sizeof(*heap));
	for (i = 0; i < nfiles; i++) {
		ev_clear(&src[i].ev);
		/* --validate reads the fields and writes the event anew */
		src[i].ev.fast = 1;
		if (nd_open(&src[i].rd, files[i]) < 0) {
			warn("cannot open '%s':", files[i]);
			rp.status = LIU_EXIT_SYS;
			src[i].rd.fd = -1;
			continue;
		}
		if (advance(&rp, &src[i]))
			heap[n++] = (struct merge_src){ src[i].t, i, &src[i] };
	}
	merge_build(heap, n);
	while (n > 0 && !liu_stop && !nd_stopped) {
		struct source *s = heap[0].p;

		emit(&rp, s);
		if (advance(&rp, s))
			heap[0].key = s->t;
		else
			heap[0] = heap[--n];
		merge_sift(heap, n, 0);
	}
	if (o->progress && rp.n)
		progress(&rp, rp.tlast, 1);
	for (i = 0; i < nfiles; i++) {
		if (src[i].rd.buf)
			nd_close(&src[i].rd);
		ev_release(&src[i].ev);
	}
	free(src);
	free(heap);
	buf_release(&rp.out);
	return rp.status;
}
