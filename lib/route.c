/*
 * route.c: liu-route's engine: a poll(2) loop over the main input, the
 * feedback FIFOs, a pipe pair per child and our stdout.
 *
 * Data flows input -> per-shard queue -> child's stdin pipe, and child's
 * stdout pipe -> nd_reader -> output queue -> fd 1.  Every descriptor we
 * read or write in the loop is non-blocking except standard input (which
 * we read only when poll(2) says it is ready, since its open file may be
 * shared with other processes) and a standard output that is not a pipe.
 * Queues hold whole lines; a descriptor may take part of one, and the rest
 * follows before anything else, so no line is ever split or interleaved.
 *
 * Signals are blocked except inside ppoll(2), so a SIGCHLD, SIGUSR1,
 * SIGTERM or SIGINT can never slip in between checking the flags and
 * going to sleep.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bars.h"
#include "buf.h"
#include "event.h"
#include "evread.h"
#include "json.h"
#include "ndjson.h"
#include "route.h"
#include "sym.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

extern char **environ;

#define NS_MS 1000000LL
#define NS_S 1000000000LL
#define OUT_MAX (1024 * 1024)	/* merged output held before we stop reading */
#define PIPE_WANT (1024 * 1024)	/* pipe size we ask for */
#define BACKOFF_MIN (100 * NS_MS)
#define BACKOFF_MAX (30 * NS_S)
#define HEALTHY (10 * NS_S)	/* a child that ran this long resets backoff */
#define WARN_EVERY NS_S		/* out-of-sync messages per shard */

/* Bytes of whole lines waiting for a descriptor: p[off..len) is unsent. */
struct rq {
	char *p;
	size_t off, len, cap;
};
#define RQ_INIT { NULL, 0, 0, 0 }

struct shard {
	int k;
	pid_t pid;		/* running child, or 0 */
	pid_t last;		/* the child that ended last, or 0 */
	int last_st;		/* its wait status */
	int in;			/* our end of its stdin, or -1 */
	int out_open;		/* its stdout reader is open */
	struct nd_reader out;
	struct rq q;
	int eof_sent;		/* we closed its stdin on purpose */
	int gone;		/* it stopped reading: events are lost */
	uint64_t took;		/* bytes the running child has read */
	int fruitless;		/* the last child died having read nothing */
	int64_t started;	/* monotonic */
	int64_t restart_at;	/* monotonic; 0 = none pending */
	int64_t backoff;
	int64_t last_warn;
	uint64_t nev, nlate, nfull, nlost, nout, nrestart;
	int64_t maxlag;
};

struct source {
	const char *path;	/* NULL for standard input */
	int feedback;
	int open;
	struct nd_reader rd;
	char *pend;		/* a line waiting for room (--on-full block) */
	size_t pend_len;
	int64_t now;		/* wall clock when the buffer was read */
};

struct router {
	const struct route_opts *o;
	struct shard *sh;
	int n;
	struct source *src;	/* [0] is standard input */
	int nsrc;
	struct rq out;
	int out_nb;		/* fd 1 is a pipe we made non-blocking */
	int out_flags;		/* its flags as we found them */
	char **envp;		/* environ + 2 slots for LIU_SHARD(S) */
	int nenv;
	char env_shard[32], env_shards[32];
	sigset_t waitmask;	/* the mask inside ppoll() */
	struct json j;
	int parsed;		/* j holds the current line */
	int keysym;		/* the key is "sym", which ev_head() finds */
	struct ev_head head;	/* the current line's */
	char tf[8];		/* tf_ns()'s last timeframe and its length */
	size_t tf_len;
	int64_t tf_d;
	int64_t clock;		/* event clock: latest t on the main input */
	int live;		/* auto clock: the stream reached the present */
	int in_done;		/* no more input will be read */
	int64_t linger_until;	/* monotonic; feedback kept open until then */
	int failed;		/* a child failed: exit 1 */
	int sysfail;		/* a child could not be started: exit 3 */
	uint64_t nin, nall, nbadkey;
	uint64_t nfbdrop;	/* feedback events not results: dropped */
	uint64_t nfbwarn;	/* of them, not orders or cancels */
};

static volatile sig_atomic_t got_chld, got_usr1;

static void
on_chld(int sig)
{
	(void)sig;
	got_chld = 1;
}

static void
on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

/*
 * The shard of a key: FNV-1a 64 of its raw bytes modulo n.  Stable across
 * runs and machines.
 */
static int
route_shard(const char *key, size_t len, int n)
{
	return (int)(sym_hash(key, len) % (uint64_t)n);
}

/* Queues. */

static size_t
rq_pending(const struct rq *q)
{
	return q->len - q->off;
}

static void
rq_add(struct rq *q, const char *p, size_t n)
{
	if (q->cap - q->len < n + 1 && q->off > 0) {
		memmove(q->p, q->p + q->off, q->len - q->off);
		q->len -= q->off;
		q->off = 0;
	}
	if (q->cap - q->len < n + 1) {
		size_t c = q->cap ? q->cap : 64 * 1024;

		while (c - q->len < n + 1)
			c *= 2;
		q->p = xrealloc(q->p, c);
		q->cap = c;
	}
	memcpy(q->p + q->len, p, n);
	q->p[q->len + n] = '\n';
	q->len += n + 1;
}

static void
rq_add_raw(struct rq *q, const char *p, size_t n)
{
	rq_add(q, p, n - 1);	/* n >= 1 and p[n - 1] is the newline */
}

/* Lines held, counting one partly sent. */
static uint64_t
rq_lines(const struct rq *q)
{
	const char *p = q->p + q->off, *e = q->p + q->len;
	uint64_t n = 0;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* Where the first line not yet begun starts. */
static size_t
rq_first_whole(const struct rq *q)
{
	const char *nl;

	if (q->off == 0 || q->p[q->off - 1] == '\n')
		return q->off;
	nl = memchr(q->p + q->off, '\n', q->len - q->off);
	return nl ? (size_t)(nl - q->p) + 1 : q->len;
}

/*
 * Drop the oldest lines not yet begun until 'need' more bytes fit under
 * 'max' (or nothing droppable is left).  Returns the lines dropped.
 */
static uint64_t
rq_drop_oldest(struct rq *q, size_t need, size_t max)
{
	size_t s = rq_first_whole(q), e = s;
	uint64_t nd = 0;
	const char *nl;

	while (e < q->len && (q->len - q->off) - (e - s) + need > max) {
		nl = memchr(q->p + e, '\n', q->len - e);
		e = (size_t)(nl - q->p) + 1;
		nd++;
	}
	memmove(q->p + s, q->p + e, q->len - e);
	q->len -= e - s;
	return nd;
}

/*
 * Skip the rest of a line partly sent (to a child that died), so that the
 * next reader starts on a line boundary.  Returns 1 if there was one.
 */
static uint64_t
rq_drop_partial(struct rq *q)
{
	size_t s = rq_first_whole(q);
	int part = s != q->off;

	q->off = s;
	if (q->off == q->len)
		q->off = q->len = 0;
	return part;
}

static void
rq_clear(struct rq *q)
{
	q->off = q->len = 0;
}

/*
 * Write what the descriptor takes.  Returns 0 (EAGAIN included) or -1
 * with errno.
 */
static int
rq_write(struct rq *q, int fd)
{
	ssize_t w;

	while (q->off < q->len) {
		w = write(fd, q->p + q->off, q->len - q->off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -1;
		}
		q->off += (size_t)w;
	}
	q->off = q->len = 0;
	return 0;
}

/* Descriptors and processes. */

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		die("fcntl:");
}

/* Ask for a big pipe buffer; a smaller one is fine if that is refused. */
static void
pipe_grow(int fd)
{
	static long max = -1;
	long want;
	FILE *f;

	if (max < 0) {
		max = PIPE_WANT;
		if ((f = fopen("/proc/sys/fs/pipe-max-size", "re")) != NULL) {
			if (fscanf(f, "%ld", &max) != 1 || max > PIPE_WANT)
				max = PIPE_WANT;
			fclose(f);
		}
	}
	for (want = max; want >= 65536; want /= 2)
		if (fcntl(fd, F_SETPIPE_SZ, (int)want) >= 0)
			return;
}

static void
env_init(struct router *r)
{
	char **e;
	int n = 0;

	for (e = environ; *e; e++)
		n++;
	r->envp = xcalloc((size_t)n + 3, sizeof(*r->envp));
	for (e = environ; *e; e++)
		if (strncmp(*e, "LIU_SHARD=", 10) != 0 &&
		    strncmp(*e, "LIU_SHARDS=", 11) != 0)
			r->envp[r->nenv++] = *e;
	r->envp[r->nenv] = r->env_shard;
	r->envp[r->nenv + 1] = r->env_shards;
	r->envp[r->nenv + 2] = NULL;
	snprintf(r->env_shards, sizeof(r->env_shards), "LIU_SHARDS=%d", r->n);
}

/* The child's argv: every "{}" in an argument becomes the shard number. */
static char **
child_argv(const struct router *r, int k)
{
	char **av, *const *a = r->o->argv;
	const char *p, *s;
	struct buf b = BUF_INIT;
	int n = 0, i;

	while (a[n])
		n++;
	av = xcalloc((size_t)n + 1, sizeof(*av));
	for (i = 0; i < n; i++) {
		buf_reset(&b);
		for (s = a[i]; (p = strstr(s, "{}")) != NULL; s = p + 2) {
			buf_add(&b, s, (size_t)(p - s));
			buf_addi64(&b, k);
		}
		buf_adds(&b, s);
		av[i] = xstrdup(buf_cstr(&b));
	}
	buf_release(&b);
	return av;
}

static void
argv_free(char **av)
{
	char **a;

	for (a = av; *a; a++)
		free(*a);
	free(av);
}

/*
 * Start shard k's child with fresh pipes.  Returns 0, or -1 (reported) if
 * the command could not be run.
 */
static int
shard_spawn(struct router *r, struct shard *sh)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	int in[2], out[2], err;
	char name[32], **av;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		die("pipe:");
	pipe_grow(in[1]);
	pipe_grow(out[0]);
	set_nonblock(in[1]);
	set_nonblock(out[0]);

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGCHLD);
	sigaddset(&def, SIGUSR1);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGINT);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	snprintf(r->env_shard, sizeof(r->env_shard), "LIU_SHARD=%d", sh->k);
	av = child_argv(r, sh->k);
	err = posix_spawnp(&sh->pid, av[0], &fa, &at, av, r->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(in[0]);
	close(out[1]);
	if (err) {
		errno = err;
		warn("shard %d: cannot run '%s':", sh->k, av[0]);
		argv_free(av);
		close(in[1]);
		close(out[0]);
		sh->pid = 0;
		return -1;
	}
	argv_free(av);
	sh->in = in[1];
	snprintf(name, sizeof(name), "shard %d", sh->k);
	nd_fdopen(&sh->out, out[0], name);
	sh->out_open = 1;
	sh->eof_sent = sh->gone = 0;
	sh->took = 0;
	sh->started = liu_mono_ns();
	return 0;
}

/* Close its stdin; what it never read does not count as taken. */
static void
shard_close_in(struct shard *sh)
{
	int unread = 0;

	if (sh->in < 0)
		return;
	if (ioctl(sh->in, FIONREAD, &unread) == 0 && unread > 0)
		sh->took -= (uint64_t)unread < sh->took ?
		    (uint64_t)unread : sh->took;
	close(sh->in);
	sh->in = -1;
}

static void
shard_close_out(struct shard *sh)
{
	if (!sh->out_open)
		return;
	close(sh->out.fd);
	nd_close(&sh->out);
	sh->out_open = 0;
}

/* Output. */

static void
out_init(struct router *r)
{
	struct stat st;

	r->out_flags = fcntl(1, F_GETFL);
	if (r->out_flags >= 0 && fstat(1, &st) == 0 && S_ISFIFO(st.st_mode)) {
		if (fcntl(1, F_SETFL, r->out_flags | O_NONBLOCK) == 0)
			r->out_nb = 1;
	}
}

/* Write out what fd 1 takes now; with 'all', everything, blocking. */
static void
out_flush(struct router *r, int all)
{
	if (rq_pending(&r->out) == 0)
		return;
	if (all && r->out_nb) {
		fcntl(1, F_SETFL, r->out_flags);
		r->out_nb = 0;
	}
	if (rq_write(&r->out, 1) == 0)
		return;
	if (errno == EPIPE) {
		/* downstream is gone: end quietly, as a filter does */
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
	die("write error:");
}

/* Send bytes of whole lines to fd 1, or queue what it does not take. */
static void
out_put(struct router *r, const char *p, size_t n)
{
	ssize_t w;

	if (rq_pending(&r->out) == 0) {
		while (n > 0) {
			w = write(1, p, n);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN)
					break;
				if (errno == EPIPE) {
					signal(SIGPIPE, SIG_DFL);
					raise(SIGPIPE);
				}
				die("write error:");
			}
			p += w;
			n -= (size_t)w;
		}
	}
	if (n > 0)
		rq_add_raw(&r->out, p, n);
}

/*
 * Read once from a child's stdout and pass on every whole line it holds,
 * byte for byte, in one piece.  The reader keeps a partial line until its
 * end comes (or treats one longer than --line-max as a bad line); a last
 * line without a newline gets one.
 */
static void
shard_read(struct router *r, struct shard *sh)
{
	struct nd_reader *rd = &sh->out;
	char *p, *e, *nl;
	long n;

	n = nd_fill(rd);
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		warn("shard %d: read error:", sh->k);
		shard_close_out(sh);
		return;
	}
	for (;;) {
		p = rd->buf + rd->pos;
		e = rd->buf + rd->end;
		if (p == e)
			break;
		if (rd->discarding) {
			/* the tail of an over-long line, already reported */
			nl = memchr(p, '\n', (size_t)(e - p));
			rd->pos = nl ? (size_t)(nl + 1 - rd->buf) : rd->end;
			if (nl)
				rd->discarding = 0;
			continue;
		}
		if ((nl = memrchr(p, '\n', (size_t)(e - p))) != NULL) {
			out_put(r, p, (size_t)(nl + 1 - p));
			sh->nout += (size_t)(nl + 1 - p);
			rd->pos = (size_t)(nl + 1 - rd->buf);
		} else if (rd->eof) {
			*e = '\n';	/* the reader keeps a byte spare */
			out_put(r, p, (size_t)(e + 1 - p));
			sh->nout += (size_t)(e + 1 - p);
			rd->pos = rd->end;
		}
		break;
	}
	if (rd->eof)
		shard_close_out(sh);
}

/* Routing. */

static void
note_late(struct router *r, struct shard *sh, const char *sym, size_t n,
    int64_t lag)
{
	int64_t now = liu_mono_ns();

	sh->nlate++;
	if (sh->last_warn && now - sh->last_warn < WARN_EVERY)
		return;
	sh->last_warn = now;
	warn("shard %d: %.*s out of sync by %.1fs", sh->k,
	    (int)(n > LIU_ECHO_MAX ? LIU_ECHO_MAX : n), sym,
	    (double)lag / NS_S);
	(void)r;
}

/*
 * The lag of an event that happened at 'te' (for a bar, its end), by the
 * clock the options ask for.  'now' is the wall clock.
 */
static int64_t
event_lag(struct router *r, int64_t t, int64_t te, int64_t now, int main)
{
	int64_t win;

	if (main && t > r->clock)
		r->clock = t;
	switch (r->o->clock) {
	case ROUTE_CLOCK_WALL:
		return now - te;
	case ROUTE_CLOCK_EVENT:
		return r->clock - te;
	case ROUTE_CLOCK_AUTO:
		break;
	}
	if (!r->live && main) {
		win = r->o->max_lag ? r->o->max_lag : 5 * NS_S;
		if (te >= now - win)
			r->live = 1;
	}
	return r->live ? now - te : r->clock - te;
}

/*
 * The JSON tokens of a line whose header ev_head() read, for the
 * rare events that need a field beyond ev, t and sym.  Returns 1 if they
 * are there.
 */
static int
parse(struct router *r, const char *line, size_t len)
{
	const char *err;

	if (!r->parsed)
		r->parsed = json_parse(&r->j, line, len, &err) == 0;
	return r->parsed;
}

/* A timeframe's length from its text, or -1; the last one is kept. */
static int64_t
tf_ns(struct router *r, const char *s, size_t n)
{
	char tf[16];
	int64_t d;

	if (n == r->tf_len && memcmp(s, r->tf, n) == 0)
		return r->tf_d;
	if (n >= sizeof(tf))
		return -1;
	memcpy(tf, s, n);
	tf[n] = '\0';
	if (liu_parse_duration(tf, &d) < 0 && (d = bar_tf_parse(tf)) < 0)
		return -1;	/* "1mo" is bar_tf_parse()'s nominal month */
	if (n <= sizeof(r->tf)) {
		memcpy(r->tf, s, n);
		r->tf_len = n;
		r->tf_d = d;
	}
	return d;
}

/*
 * A bar's t is its start: it happened at t + tf.  In the usual layout "tf"
 * follows the header, or is absent from a rest that ev_head() found clean
 * of escapes; else the line is parsed to find it.
 */
static int64_t
bar_end(struct router *r, const char *line, size_t len, int64_t t)
{
	const struct ev_head *h = &r->head;
	const char *p, *q, *end = line + len;
	int64_t d;
	int i;

	if (h->body) {
		p = line + h->body;
		if (end - p > 7 && memcmp(p, ",\"tf\":\"", 7) == 0 &&
		    (q = memchr(p + 7, '"', (size_t)(end - p - 7))) != NULL &&
		    !memchr(p + 7, '\\', (size_t)(q - p - 7))) {
			d = tf_ns(r, p + 7, (size_t)(q - p - 7));
			return d < 0 ? t : t + d;
		}
		if (!memmem(p, (size_t)(end - p), "\"tf\"", 4) &&
		    !memchr(p, '\\', (size_t)(end - p)))
			return t + TM_NS_PER_MIN;	/* the default */
	}
	if (!parse(r, line, len))
		return t;
	i = json_get(&r->j, "tf");
	if (i < 0 || r->j.tok[i].kind == JSON_NULL)
		return t + TM_NS_PER_MIN;	/* the contract's default */
	if (r->j.tok[i].kind != JSON_STR || r->j.tok[i].esc)
		return t;
	d = tf_ns(r, line + r->j.tok[i].start,
	    (size_t)(r->j.tok[i].end - r->j.tok[i].start));
	return d < 0 ? t : t + d;
}

/*
 * Whether the line is old by design, and so never late: a pick or a drop
 * (a scanner's or a strategy's word, however old the data it was drawn
 * from), or an event marked "hist":true (a live source's backfill).  In
 * the usual layout a line without "hist" and without an escape is
 * answered without parsing it.
 */
static int
old_by_design(struct router *r, const char *line, size_t len)
{
	const struct ev_head *h = &r->head;
	const char *p;
	int i;

	if (h->type == EV_PICK || h->type == EV_DROP)
		return 1;
	if (h->body) {
		p = line + h->body;
		if (!memmem(p, len - h->body, "\"hist\"", 6) &&
		    !memchr(p, '\\', len - h->body))
			return 0;
	}
	if (!parse(r, line, len))
		return 0;
	i = json_find(&r->j, "hist");
	return i >= 0 && r->j.tok[i].kind == JSON_TRUE;
}

/* Room for 'n' more bytes in shard sh's queue under the bound? */
static int
room(const struct router *r, const struct shard *sh, size_t n)
{
	size_t p = rq_pending(&sh->q);

	return p == 0 || p + n + 1 <= r->o->queue_max;
}

/* Queue one line for a shard, applying --on-full if it must. */
static void
enqueue(struct router *r, struct shard *sh, const char *line, size_t len,
    int feedback)
{
	if (sh->gone || (!sh->pid && !sh->restart_at)) {
		sh->nlost++;
		return;
	}
	if (!feedback && !room(r, sh, len))
		sh->nfull += rq_drop_oldest(&sh->q, len + 1, r->o->queue_max);
	rq_add(&sh->q, line, len);
	sh->nev++;
}

enum { R_TAKEN, R_WAIT };

/*
 * Feedback carries results only: the fills, order updates and positions
 * that come back from liu-order.  Anything else on a feedback FIFO (the
 * orders of "liu-order ... | tee fills.fifo", say) would go round the
 * loop to the strategies and back out for ever: it is counted and
 * dropped, and the first one that is not an order or a cancel is
 * reported.
 */
static int
feedback_result(struct router *r, struct source *s, const struct ev_head *h)
{
	if (h->type == EV_FILL || h->type == EV_ORDER_UPDATE ||
	    h->type == EV_POSITION)
		return 1;
	/* liu-order writes the orders and cancels it handled, which a tee
	 * brings here on every run: those are dropped without a word */
	r->nfbdrop++;
	if (h->type != EV_ORDER && h->type != EV_CANCEL && r->nfbwarn++ == 0)
		warn("%s:%llu: feedback carries fill, order_update and "
		    "position events only: \"%.*s\" dropped (the first; -v "
		    "counts them)", s->rd.name,
		    (unsigned long long)s->rd.lineno,
		    h->ev_len < LIU_ECHO_MAX ? (int)h->ev_len : LIU_ECHO_MAX,
		    h->ev);
	return 0;
}

/*
 * Route one line of source s: to its shard, to every shard, or nowhere
 * (bad, or late).  Returns R_WAIT if it must wait for room, with nothing
 * changed.
 */
static int
route_line(struct router *r, struct source *s, char *line, size_t len)
{
	struct ev_head *h = &r->head;
	const char *err, *key;
	size_t klen;
	int64_t t, te, lag;
	int i, k, isbar;

	if (ev_head(h, line, len, 0, &err) < 0) {
		nd_bad_event(&s->rd, err);
		return R_TAKEN;
	}
	if (s->feedback && !feedback_result(r, s, h))
		return R_TAKEN;
	t = h->ns;
	r->parsed = 0;
	if (r->o->validate) {
		if (json_parse(&r->j, line, len, &err) < 0) {
			nd_bad_event(&s->rd, err);
			return R_TAKEN;
		}
		r->parsed = 1;
	}
	key = h->sym;		/* decoded; NULL in a clock */
	klen = h->sym_len;
	if (!r->keysym && h->type != EV_CLOCK) {
		if (!parse(r, line, len))
			return R_TAKEN;
		key = NULL;
		if ((i = json_get(&r->j, r->o->key)) >= 0 &&
		    r->j.tok[i].kind != JSON_NULL) {
			key = line + r->j.tok[i].start;
			klen = (size_t)(r->j.tok[i].end - r->j.tok[i].start);
		}
	}

	if (!key) {
		/* clock and control events: every shard */
		if (!s->feedback && r->o->on_full == ROUTE_BLOCK)
			for (k = 0; k < r->n; k++)
				if (!r->sh[k].gone && !room(r, &r->sh[k], len))
					return R_WAIT;
		if (!s->feedback)
			event_lag(r, t, t, s->now, 1);
		for (k = 0; k < r->n; k++)
			enqueue(r, &r->sh[k], line, len, s->feedback);
		r->nin++;
		r->nall++;
		return R_TAKEN;
	}

	k = route_shard(key, klen, r->n);
	if (!s->feedback && r->o->on_full == ROUTE_BLOCK &&
	    !r->sh[k].gone && !room(r, &r->sh[k], len))
		return R_WAIT;
	r->nin++;
	if (!s->feedback) {
		isbar = h->type == EV_BAR;
		te = isbar ? bar_end(r, line, len, t) : t;
		lag = event_lag(r, t, te, s->now, 1);
		/* a lag that matters: is it an event's that is never late? */
		if ((lag > r->sh[k].maxlag || (r->o->max_lag &&
		    lag > r->o->max_lag)) && !old_by_design(r, line, len)) {
			if (lag > r->sh[k].maxlag)
				r->sh[k].maxlag = lag;
			if (r->o->max_lag && lag > r->o->max_lag) {
				note_late(r, &r->sh[k], key, klen, lag);
				return R_TAKEN;
			}
		}
	}
	enqueue(r, &r->sh[k], line, len, s->feedback);
	return R_TAKEN;
}

/* Sources. */

static void
src_close(struct source *s)
{
	if (!s->open)
		return;
	if (s->rd.fd > 0)
		close(s->rd.fd);
	nd_close(&s->rd);
	s->open = 0;
	s->pend = NULL;
}

/* Open a feedback FIFO without waiting for a writer. */
static void
src_open_fifo(struct source *s, uint64_t lineno)
{
	struct stat st;
	int fd;

	fd = open(s->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		die("cannot open '%s':", s->path);
	if (fstat(fd, &st) < 0)
		die("%s:", s->path);
	if (!S_ISFIFO(st.st_mode))
		die_code(LIU_EXIT_USAGE, "'%s' is not a FIFO", s->path);
	pipe_grow(fd);
	nd_fdopen(&s->rd, fd, s->path);
	s->rd.lineno = lineno;	/* numbering goes on across writers */
	s->open = 1;
}

/* No more input: close the sources (feedback may linger). */
static void
input_end(struct router *r, int linger)
{
	int i;

	if (!r->in_done && linger && r->o->linger > 0 && r->nsrc > 1) {
		r->linger_until = liu_mono_ns() + r->o->linger;
		src_close(&r->src[0]);
		r->in_done = 1;
		return;
	}
	r->in_done = 1;
	r->linger_until = 0;
	for (i = 0; i < r->nsrc; i++)
		src_close(&r->src[i]);
}

/* Stop at once: a signal, a dead child or the bad-line policy. */
static void
input_stop(struct router *r)
{
	input_end(r, 0);
}

/* Route the lines buffered in s until one must wait or none is left. */
static void
src_route(struct router *r, struct source *s)
{
	char *line;
	size_t len;
	uint64_t ln;

	if (!s->open)
		return;
	if (s->pend) {
		if (route_line(r, s, s->pend, s->pend_len) == R_WAIT)
			return;
		s->pend = NULL;
	}
	while (!nd_stopped && nd_getline(&s->rd, &line, &len)) {
		if (route_line(r, s, line, len) == R_WAIT) {
			s->pend = line;
			s->pend_len = len;
			return;
		}
		if (s->feedback && r->linger_until)
			r->linger_until = liu_mono_ns() + r->o->linger;
	}
	if (nd_stopped) {
		input_stop(r);
		return;
	}
	if (!s->rd.eof)
		return;
	if (!s->feedback) {
		input_end(r, 1);
	} else {
		/* the writer closed: wait for the next one */
		ln = s->rd.lineno;
		src_close(s);
		src_open_fifo(s, ln);
	}
}

static void
src_read(struct router *r, struct source *s)
{
	if (nd_fill(&s->rd) < 0 && errno != EAGAIN && errno != EINTR) {
		warn("%s: read error:", s->rd.name);
		if (!s->feedback) {
			r->sysfail = 1;
			input_stop(r);
		} else {
			src_close(s);
		}
		return;
	}
	s->now = liu_now_ns();
	src_route(r, s);
}

/* Children. */

static const char *
status_str(int st, char *b, size_t n)
{
	if (WIFSIGNALED(st))
		snprintf(b, n, "killed by signal %d", WTERMSIG(st));
	else
		snprintf(b, n, "exited with status %d", WEXITSTATUS(st));
	return b;
}

static void
shard_died(struct router *r, struct shard *sh, int st)
{
	char why[64];
	int64_t now = liu_mono_ns();

	sh->last = sh->pid;
	sh->last_st = st;
	sh->pid = 0;
	status_str(st, why, sizeof(why));
	if (!sh->eof_sent)
		shard_close_in(sh);
	if (liu_stop) {
		/* we are stopping; so are they */
		sh->nlost += rq_lines(&sh->q);
		rq_clear(&sh->q);
		return;
	}
	if (sh->eof_sent) {
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			warn("shard %d: '%s' %s", sh->k, r->o->argv[0], why);
			r->failed = 1;
		}
		return;
	}
	sh->gone = 0;
	sh->fruitless = sh->took == 0;
	if (r->o->restart) {
		if (now - sh->started >= HEALTHY || sh->backoff == 0)
			sh->backoff = BACKOFF_MIN;
		sh->nlost += rq_drop_partial(&sh->q);
		warn("shard %d: '%s' %s; restarting in %.1fs", sh->k,
		    r->o->argv[0], why, (double)sh->backoff / NS_S);
		sh->restart_at = now + sh->backoff;
		sh->backoff = sh->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX :
		    sh->backoff * 2;
		return;
	}
	warn("shard %d: '%s' %s", sh->k, r->o->argv[0], why);
	sh->nlost += rq_lines(&sh->q);
	rq_clear(&sh->q);
	r->failed = 1;
	input_stop(r);
}

static void
reap(struct router *r)
{
	pid_t pid;
	int st, k;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (k = 0; k < r->n; k++)
			if (r->sh[k].pid == pid) {
				shard_died(r, &r->sh[k], st);
				break;
			}
}

/*
 * Send what the child's pipe takes of its queue.  Returns 1 if anything
 * moved (or the queue was dropped), so a source waiting for room may go on.
 */
static int
shard_write(struct router *r, struct shard *sh)
{
	size_t before;
	int rc;

	if (sh->in < 0 || rq_pending(&sh->q) == 0)
		return 0;
	before = rq_pending(&sh->q);
	rc = rq_write(&sh->q, sh->in);
	sh->took += before - rq_pending(&sh->q);
	if (rc == 0)
		return before != rq_pending(&sh->q);
	if (errno != EPIPE)
		warn("shard %d: write error:", sh->k);
	/*
	 * It stopped reading.  With --restart its queue waits for the next
	 * child (less the line it got part of); otherwise it is lost.
	 */
	shard_close_in(sh);
	sh->nlost += rq_drop_partial(&sh->q);
	if (r->o->restart)
		return 1;
	sh->nlost += rq_lines(&sh->q);
	rq_clear(&sh->q);
	sh->gone = 1;
	return 1;
}

static void
counters(const struct router *r)
{
	const struct shard *sh;
	char who[96], why[64];
	int k;

	for (k = 0; k < r->n; k++) {
		sh = &r->sh[k];
		/* the running child, else the last one and how it ended */
		if (sh->pid)
			snprintf(who, sizeof(who), "pid %ld", (long)sh->pid);
		else if (sh->last)
			snprintf(who, sizeof(who), "pid %ld %s",
			    (long)sh->last,
			    status_str(sh->last_st, why, sizeof(why)));
		else
			snprintf(who, sizeof(who), "not started");
		warn("shard %d: %s: %llu events, %llu late, %llu full, "
		    "%llu lost, %llu queued, max lag %.3fs, %llu restarts, "
		    "%llu bytes out", k, who,
		    (unsigned long long)sh->nev,
		    (unsigned long long)sh->nlate,
		    (unsigned long long)sh->nfull,
		    (unsigned long long)sh->nlost,
		    (unsigned long long)rq_lines(&sh->q),
		    (double)sh->maxlag / NS_S,
		    (unsigned long long)sh->nrestart,
		    (unsigned long long)sh->nout);
	}
	warn("input: %llu events routed, %llu to every shard, %llu bad, "
	    "%llu not results on feedback; clock %s",
	    (unsigned long long)r->nin, (unsigned long long)r->nall,
	    (unsigned long long)nd_nbad, (unsigned long long)r->nfbdrop,
	    r->o->clock == ROUTE_CLOCK_WALL || r->live ? "wall" : "event");
}

/* The loop. */

enum { PF_SRC, PF_IN, PF_OUT, PF_STDOUT };

struct pfref {
	int type, idx;
};

/* Timers and the end of input: what happens without any descriptor. */
static void
housekeeping(struct router *r, int64_t *deadline)
{
	struct shard *sh;
	int64_t now = liu_mono_ns();
	int k, over;

	*deadline = 0;
	if (liu_stop && (!r->in_done || r->linger_until))
		input_stop(r);
	if (r->linger_until) {
		if (now >= r->linger_until)
			input_end(r, 0);
		else
			*deadline = r->linger_until;
	}
	over = r->in_done && !r->linger_until;
	for (k = 0; k < r->n; k++) {
		sh = &r->sh[k];
		if (sh->restart_at && over && (liu_stop || sh->fruitless ||
		    rq_pending(&sh->q) == 0)) {
			/* nothing left for it, or it cannot take it */
			sh->restart_at = 0;
			if (!liu_stop) {
				warn("shard %d: not restarting '%s' at the end "
				    "of input (%llu events lost)", sh->k,
				    r->o->argv[0], (unsigned long long)
				    rq_lines(&sh->q));
				r->failed = 1;
			}
			sh->nlost += rq_lines(&sh->q);
			rq_clear(&sh->q);
		}
		if (sh->restart_at && now >= sh->restart_at) {
			shard_close_out(sh);
			sh->restart_at = 0;
			sh->nrestart++;
			if (shard_spawn(r, sh) < 0) {
				sh->fruitless = 1;
				sh->restart_at = now + sh->backoff;
				sh->backoff = sh->backoff * 2 > BACKOFF_MAX ?
				    BACKOFF_MAX : sh->backoff * 2;
			}
		}
		if (sh->restart_at && (!*deadline || sh->restart_at <
		    *deadline))
			*deadline = sh->restart_at;
		/* all input queued is sent: end the child's input */
		if (over && sh->in >= 0 && rq_pending(&sh->q) == 0) {
			shard_close_in(sh);
			sh->eof_sent = 1;
		}
	}
}

static int
finished(const struct router *r)
{
	int k;

	if (!r->in_done || r->linger_until)
		return 0;
	for (k = 0; k < r->n; k++)
		if (r->sh[k].pid || r->sh[k].out_open || r->sh[k].restart_at)
			return 0;
	return 1;
}

static void
loop(struct router *r)
{
	struct pollfd *pfd;
	struct pfref *ref;
	struct timespec ts, *tsp;
	int64_t deadline, wait;
	sigset_t stops;
	int i, k, n, rc, max = r->nsrc + 2 * r->n + 1, unblocked = 0;
	int moved, waiting;

	pfd = xcalloc((size_t)max, sizeof(*pfd));
	ref = xcalloc((size_t)max, sizeof(*ref));
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	for (;;) {
		if (liu_stop && !unblocked) {
			/*
			 * Stopping: no sleep waits for a stop signal any more,
			 * so let them in at once; a second SIGINT then ends us
			 * even while a child will not finish.
			 */
			sigprocmask(SIG_UNBLOCK, &stops, NULL);
			unblocked = 1;
		}
		if (got_chld) {
			got_chld = 0;
			reap(r);
		}
		if (got_usr1) {
			got_usr1 = 0;
			counters(r);
		}
		/*
		 * Route, then write.  A source that waited for room is only
		 * woken by POLLOUT on a queue that is not empty, so while the
		 * writes make room, route again before going to sleep.
		 */
		do {
			for (i = 0; i < r->nsrc; i++)
				src_route(r, &r->src[i]);
			moved = 0;
			for (k = 0; k < r->n; k++)
				moved |= shard_write(r, &r->sh[k]);
			waiting = 0;
			for (i = 0; i < r->nsrc; i++)
				waiting |= r->src[i].pend != NULL;
		} while (moved && waiting);
		housekeeping(r, &deadline);
		if (r->out_nb)
			out_flush(r, 0);
		if (finished(r))
			break;

		n = 0;
		for (i = 0; i < r->nsrc; i++)
			if (r->src[i].open && !r->src[i].pend) {
				pfd[n].fd = r->src[i].rd.fd;
				pfd[n].events = POLLIN;
				ref[n].type = PF_SRC;
				ref[n++].idx = i;
			}
		for (k = 0; k < r->n; k++) {
			if (r->sh[k].in >= 0 && rq_pending(&r->sh[k].q)) {
				pfd[n].fd = r->sh[k].in;
				pfd[n].events = POLLOUT;
				ref[n].type = PF_IN;
				ref[n++].idx = k;
			}
			if (r->sh[k].out_open &&
			    rq_pending(&r->out) < OUT_MAX) {
				pfd[n].fd = r->sh[k].out.fd;
				pfd[n].events = POLLIN;
				ref[n].type = PF_OUT;
				ref[n++].idx = k;
			}
		}
		if (r->out_nb && rq_pending(&r->out)) {
			pfd[n].fd = 1;
			pfd[n].events = POLLOUT;
			ref[n++].type = PF_STDOUT;
		}
		tsp = NULL;
		if (deadline) {
			wait = deadline - liu_mono_ns();
			if (wait < 0)
				wait = 0;
			ts.tv_sec = wait / NS_S;
			ts.tv_nsec = wait % NS_S;
			tsp = &ts;
		}
		rc = ppoll(pfd, (nfds_t)n, tsp, &r->waitmask);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			die("poll:");
		}
		for (i = 0; i < n && rc > 0; i++) {
			if (!pfd[i].revents)
				continue;
			switch (ref[i].type) {
			case PF_SRC:
				if (r->src[ref[i].idx].open)
					src_read(r, &r->src[ref[i].idx]);
				break;
			case PF_IN:
				shard_write(r, &r->sh[ref[i].idx]);
				break;
			case PF_OUT:
				if (r->sh[ref[i].idx].out_open)
					shard_read(r, &r->sh[ref[i].idx]);
				break;
			case PF_STDOUT:
				out_flush(r, 0);
				break;
			}
		}
	}
	free(pfd);
	free(ref);
}

int
route_run(const struct route_opts *o)
{
	struct router r;
	struct sigaction sa;
	sigset_t block;
	int i, k, status;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.n = o->nshards;
	r.clock = INT64_MIN;
	r.j = (struct json)JSON_INIT;
	r.keysym = strcmp(o->key, "sym") == 0;
	/* liu_init() holds fds 0-2: no pipe of ours can land on them */

	/* SIGPIPE: we see EPIPE, and re-raise it ourselves for stdout */
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = on_usr1;
	sa.sa_flags = 0;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &r.waitmask);
	sigdelset(&r.waitmask, SIGCHLD);
	sigdelset(&r.waitmask, SIGUSR1);
	sigdelset(&r.waitmask, SIGTERM);
	sigdelset(&r.waitmask, SIGINT);

	r.nsrc = 1 + o->nfeedback;
	r.src = xcalloc((size_t)r.nsrc, sizeof(*r.src));
	nd_fdopen(&r.src[0].rd, 0, "<stdin>");
	r.src[0].open = 1;
	for (i = 0; i < o->nfeedback; i++) {
		r.src[i + 1].path = o->feedback[i];
		r.src[i + 1].feedback = 1;
		src_open_fifo(&r.src[i + 1], 0);
	}

	env_init(&r);
	out_init(&r);
	r.sh = xcalloc((size_t)r.n, sizeof(*r.sh));
	for (k = 0; k < r.n; k++) {
		r.sh[k].k = k;
		r.sh[k].in = -1;
		if (shard_spawn(&r, &r.sh[k]) < 0) {
			/* nothing useful can run: stop what started */
			r.sysfail = 1;
			for (i = 0; i < k; i++)
				shard_close_in(&r.sh[i]);
			input_stop(&r);
			break;
		}
	}

	loop(&r);
	out_flush(&r, 1);
	if (r.out_nb || (r.out_flags >= 0 && fcntl(1, F_GETFL) != r.out_flags))
		fcntl(1, F_SETFL, r.out_flags);
	if (o->verbose)
		counters(&r);

	status = nd_summary();
	if (r.failed)
		status = LIU_EXIT_DATA;
	if (r.sysfail)
		status = LIU_EXIT_SYS;
	for (k = 0; k < r.n; k++) {
		rq_clear(&r.sh[k].q);
		free(r.sh[k].q.p);
	}
	for (i = 0; i < r.nsrc; i++)
		src_close(&r.src[i]);
	free(r.sh);
	free(r.src);
	free(r.out.p);
	free(r.envp);
	json_release(&r.j);
	sigprocmask(SIG_SETMASK, &r.waitmask, NULL);
	return status;
}
