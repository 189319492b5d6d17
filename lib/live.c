/*
 * live.c: liu-stream alpaca | polygon, the live WebSocket sources (live.h
 * says which thread does what).
 *
 * What it promises:
 *   - the socket is read whatever stdout does: events wait in a queue of
 *     at most queue_max bytes, and when downstream stalls the oldest are
 *     dropped, counted, and reported with the times they spanned;
 *   - keys go to the server in the auth message only, never to a log, an
 *     argv or a message, and the buffers that held them are wiped;
 *   - a lost connection is retried with exponential backoff and jitter,
 *     the whole current subscription sent again, and the gap reported;
 *   - bad credentials, an insufficient subscription or an upgrade refused
 *     with a 4xx end the run with the provider's words and status 1;
 *   - a symbol whose past bars are being fetched (--backfill, or every
 *     symbol after a gap with --backfill-gaps) has its live events held
 *     until those bars are written before them.
 */
#define _GNU_SOURCE		/* ppoll(), pipe2() */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "buf.h"
#include "event.h"
#include "evread.h"
#include "feed.h"
#include "live.h"
#include "ndjson.h"
#include "proc.h"
#include "rest.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define NS_S 1000000000LL
#define WAKE_BATCH (256 << 10)	/* bytes queued that wake the writer anyway */

/* The queue between the readers and the writer of stdout. */

struct hold {			/* a symbol's live events held back */
	char sym[EV_SYM_MAX + 1];
	struct buf lines;
	uint64_t n;		/* lines in it */
};

struct queue {
	pthread_mutex_t mu;
	struct buf ev;		/* events, oldest first: dropped if need be */
	struct buf pri;		/* picks, drops, backfills: never dropped */
	uint64_t nev, npri;	/* the lines in each */
	size_t max, peak;
	int wake_r, wake_w;	/* the writer's alarm */
	int armed;		/* the writer waits for the alarm */
	int done;		/* the network thread has ended */
	uint64_t ndrop, ndrop_all;	/* events dropped: unreported, all */
	char drop_t0[40], drop_t1[40];	/* times of the unreported drops */
	struct hold *hold;
	int nhold, holdcap;
	size_t held;		/* bytes in the holds */
};

static struct queue q = { .mu = PTHREAD_MUTEX_INITIALIZER, .ev = BUF_INIT,
	.pri = BUF_INIT, .wake_r = -1, .wake_w = -1 };

/* Call with q.mu held. */
static void
wake_writer(void)
{
	if (q.armed) {
		q.armed = 0;
		if (write(q.wake_w, "", 1) < 0 && errno != EAGAIN)
			die("wake-up pipe:");
	}
}

/* The text of "t" of a line liu wrote ("" if it has none), into out. */
static void
line_time(const char *p, size_t len, char *out, size_t cap)
{
	const char *s = memmem(p, len < 64 ? len : 64, "\"t\":\"", 5), *e;

	out[0] = '\0';
	if (!s)
		return;
	s += 5;
	e = memchr(s, '"', len - (size_t)(s - p));
	if (e && (size_t)(e - s) < cap) {
		memcpy(out, s, (size_t)(e - s));
		out[e - s] = '\0';
	}
}

/* Drop the oldest whole lines of q.ev until 'need' more bytes fit. */
static void
make_room(size_t need)
{
	size_t cut = 0;
	const char *nl;

	while (q.ev.len - cut > 0 && q.ev.len - cut + need > q.max) {
		nl = memchr(q.ev.p + cut, '\n', q.ev.len - cut);
		if (!nl)
			bug("queue holds a partial line");
		if (q.ndrop++ == 0)
			line_time(q.ev.p + cut, (size_t)(nl - q.ev.p) - cut,
			    q.drop_t0, sizeof(q.drop_t0));
		line_time(q.ev.p + cut, (size_t)(nl - q.ev.p) - cut,
		    q.drop_t1, sizeof(q.drop_t1));
		q.ndrop_all++;
		q.nev--;
		cut = (size_t)(nl - q.ev.p) + 1;
	}
	if (cut) {
		memmove(q.ev.p, q.ev.p + cut, q.ev.len - cut);
		q.ev.len -= cut;
	}
}

static struct hold *
find_hold(const char *sym, size_t n)
{
	int i;

	for (i = 0; i < q.nhold; i++)
		if (strlen(q.hold[i].sym) == n &&
		    memcmp(q.hold[i].sym, sym, n) == 0)
			return &q.hold[i];
	return NULL;
}

static void release_sym(const char *sym);

/* Append nlines lines ('\n'-terminated) from the network thread. */
static void
queue_events(const char *p, size_t len, uint64_t nlines)
{
	struct ev_head h = EV_HEAD_INIT;
	struct hold *hd;
	const char *nl, *err;
	size_t n;

	pthread_mutex_lock(&q.mu);
	while (q.nhold > 0 && len > 0) {
		nl = memchr(p, '\n', len);
		n = (size_t)(nl - p) + 1;
		hd = NULL;
		if (ev_head(&h, p, n - 1, EV_HEAD_PREFIX, &err) == 0 && h.sym)
			hd = find_hold(h.sym, h.sym_len);
		if (hd) {
			buf_add(&hd->lines, p, n);
			hd->n++;
			q.held += n;
		} else {
			make_room(n);
			buf_add(&q.ev, p, n);
			q.nev++;
		}
		p += n;
		len -= n;
		nlines--;
	}
	if (len > 0) {
		make_room(len);
		buf_add(&q.ev, p, len);
		q.nev += nlines;
	}
	if (q.held > q.max) {
		warn("live events held for a backfill reached %zu bytes: "
		    "written now, before their backfill", q.held);
		while (q.nhold > 0)
			release_sym(q.hold[0].sym);
	}
	if (q.ev.len + q.pri.len > q.peak)
		q.peak = q.ev.len + q.pri.len;
	pthread_mutex_unlock(&q.mu);
}

/* Append one line that must not be dropped (no newline in it). */
static void
queue_line(const char *p, size_t len)
{
	pthread_mutex_lock(&q.mu);
	buf_add(&q.pri, p, len);
	buf_addc(&q.pri, '\n');
	q.npri++;
	wake_writer();
	pthread_mutex_unlock(&q.mu);
}

/* Hold the live events of sym from now.  Call with q.mu held. */
static void
hold_sym(const char *sym)
{
	struct hold *hd;

	if (strlen(sym) > EV_SYM_MAX || find_hold(sym, strlen(sym)))
		return;
	if (q.nhold == q.holdcap) {
		q.holdcap = q.holdcap ? 2 * q.holdcap : 8;
		q.hold = xrealloc(q.hold, (size_t)q.holdcap * sizeof(*q.hold));
	}
	hd = &q.hold[q.nhold++];
	memcpy(hd->sym, sym, strlen(sym) + 1);
	hd->lines = (struct buf)BUF_INIT;
	hd->n = 0;
}

/* Write sym's held events after what is queued.  Call with q.mu held. */
static void
release_sym(const char *sym)
{
	struct hold *hd = find_hold(sym, strlen(sym));

	if (!hd)
		return;
	if (hd->lines.len)	/* none held: lines.p may be NULL */
		buf_add(&q.pri, hd->lines.p, hd->lines.len);
	q.npri += hd->n;
	q.held -= hd->lines.len;
	buf_release(&hd->lines);
	*hd = q.hold[--q.nhold];
}

/* The network thread. */

enum state { S_DOWN, S_CONNECTING, S_WELCOME, S_AUTH, S_LIVE };

/* A subscription request sent to Alpaca, waiting for its answer. */
struct subreq {
	int unsub;
	int nsym;
	char **sym;
};

/*
 * The largest frame read: a provider's are a few KiB, and one without
 * end must not take the memory.  A larger one is skipped, reported.
 */
#define FRAME_MAX (16u << 20)
#define FRAME_MAX_TEXT "16 MiB"

struct net {
	const struct live_opts *o;
	const char *name;	/* "alpaca", "polygon" */
	struct lws_context *ctx;
	struct lws *wsi;
	struct rest_ws_url url;
	lws_retry_bo_t idle;
	struct feed feed;
	struct buf frame;	/* the fragments of a frame */
	int frame_over;		/* it outgrew FRAME_MAX: skipped */
	struct buf out;		/* its events */
	struct buf tx;		/* messages to send, each NUL-terminated */
	size_t txpos;
	enum state state;

	/* symbols: wanted, and the changes the control threads ask for */
	char **want;
	int nwant, wantcap;
	pthread_mutex_t chmu;
	struct buf changes;	/* "+SYM\n" and "-SYM\n" */
	int stop_asked;		/* the writer took a signal (chmu) */

	/* Alpaca's subscription requests, in the order sent */
	struct subreq *req;
	int nreq, reqcap;

	lws_sorted_usec_list_t sul_retry, sul_timeout, sul_auth;
	int tries;		/* failed attempts in a row */
	int limit_hit;		/* 406 / max_connections: back off longer */
	int auth_tries;		/* Alpaca 406 answers to auth in a row */
	int64_t limit_since;	/* when the first of them came */
	int64_t down_since;	/* when the connection was lost; 0: up */
	int64_t last_rt;	/* the receive time of the last event */
	int ever_up;
	int close_code;
	char close_why[124];
	int stopping, done, status;
	uint64_t nframes, nreconnect;
	size_t unwoken;		/* bytes queued since the writer's last alarm */
	struct live_backfill *bf;
};

static struct net *the_net;	/* for the timers' callbacks */

/*
 * What libwebsockets logs (errors, and warnings with -v) goes to stderr,
 * but while lws_keep is set: then its first words are kept in lws_said
 * (and shown as well with -v).
 * So its reason for a failed connection attempt ("SSL error: unable to
 * get local issuer certificate") becomes the reason liu-stream gives,
 * said once, not a line at every attempt; and a --cacert it cannot load
 * while the context is made ends the run.  Set and read by the network
 * thread, or by the calling thread before it starts.
 */
static int lws_keep, lws_verbose;
static char lws_said[200];

static void lws_log(int level, const char *line);

/* A provider's text, safe to print: control bytes as '?', 200 at most. */
static const char *
clean(const char *s, char *out, size_t cap)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < cap && i < 200; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
	out[i] = '\0';
	return out;
}

static void
fatal(struct net *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fatal(struct net *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warn("%s: %s", n->name, msg);
	n->status = LIU_EXIT_DATA;
	n->stopping = 1;
	if (n->wsi)
		lws_callback_on_writable(n->wsi);
	else
		n->done = 1;
}

/* Queue a message for the server (JSON text, NUL-terminated). */
static void
send_msg(struct net *n, const char *p, size_t len)
{
	buf_add(&n->tx, p, len);
	buf_addc(&n->tx, '\0');
	if (n->wsi)
		lws_callback_on_writable(n->wsi);
}

static void
add_json_str(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

static void
send_auth(struct net *n)
{
	struct buf b = BUF_INIT;

	if (n->o->provider == LIVE_ALPACA) {
		buf_adds(&b, "{\"action\":\"auth\",\"key\":");
		add_json_str(&b, getenv("APCA_API_KEY_ID"));
		buf_adds(&b, ",\"secret\":");
		add_json_str(&b, getenv("APCA_API_SECRET_KEY"));
	} else {
		buf_adds(&b, "{\"action\":\"auth\",\"params\":");
		add_json_str(&b, getenv("POLYGON_API_KEY"));
	}
	buf_addc(&b, '}');
	send_msg(n, b.p, b.len);
	memset(b.p, 0, b.len);
	buf_release(&b);
	n->state = S_AUTH;
}

/* Alpaca's channels for the types and bar timeframes asked for. */
static int
alpaca_channels(const struct live_opts *o, const char **ch)
{
	int k = 0;

	if (o->types & LIVE_TRADE)
		ch[k++] = "trades";
	if (o->types & LIVE_QUOTE)
		ch[k++] = "quotes";
	if ((o->types & LIVE_BAR) && (o->tfs & LIVE_TF_1M)) {
		ch[k++] = "bars";
		ch[k++] = "updatedBars";
	}
	if ((o->types & LIVE_BAR) && (o->tfs & LIVE_TF_1D))
		ch[k++] = "dailyBars";
	if (o->types & LIVE_STATUS) {
		ch[k++] = "statuses";
		ch[k++] = "lulds";
	}
	return k;
}

static int
polygon_channels(const struct live_opts *o, const char **ch)
{
	int k = 0;

	if (o->types & LIVE_TRADE)
		ch[k++] = "T";
	if (o->types & LIVE_QUOTE)
		ch[k++] = "Q";
	if ((o->types & LIVE_BAR) && (o->tfs & LIVE_TF_1S))
		ch[k++] = "A";
	if ((o->types & LIVE_BAR) && (o->tfs & LIVE_TF_1M))
		ch[k++] = "AM";
	if (o->types & LIVE_STATUS)
		ch[k++] = "LULD";
	return k;
}

/* Ask for (or, with unsub, give up) the nsym symbols. */
static void
subscribe(struct net *n, char *const *sym, int nsym, int unsub)
{
	const char *ch[8];
	struct buf b = BUF_INIT;
	struct subreq *r;
	int c, i, nch;

	if (nsym == 0)
		return;
	buf_adds(&b, unsub ? "{\"action\":\"unsubscribe\"" :
	    "{\"action\":\"subscribe\"");
	if (n->o->provider == LIVE_ALPACA) {
		nch = alpaca_channels(n->o, ch);
		for (c = 0; c < nch; c++) {
			buf_addf(&b, ",\"%s\":[", ch[c]);
			for (i = 0; i < nsym; i++) {
				if (i)
					buf_addc(&b, ',');
				add_json_str(&b, sym[i]);
			}
			buf_addc(&b, ']');
		}
		if (n->nreq == n->reqcap) {
			n->reqcap = n->reqcap ? 2 * n->reqcap : 8;
			n->req = xrealloc(n->req, (size_t)n->reqcap *
			    sizeof(*n->req));
		}
		r = &n->req[n->nreq++];
		r->unsub = unsub;
		r->nsym = nsym;
		r->sym = xcalloc((size_t)nsym, sizeof(*r->sym));
		for (i = 0; i < nsym; i++)
			r->sym[i] = xstrndup(sym[i], strlen(sym[i]));
	} else {
		nch = polygon_channels(n->o, ch);
		buf_adds(&b, ",\"params\":\"");
		for (i = 0; i < nsym; i++)
			for (c = 0; c < nch; c++) {
				if (i || c)
					buf_addc(&b, ',');
				buf_addf(&b, "%s.%s", ch[c], sym[i]);
			}
		buf_addc(&b, '"');
	}
	buf_addc(&b, '}');
	send_msg(n, b.p, b.len);
	buf_release(&b);
}

static void
free_req(struct subreq *r)
{
	int i;

	for (i = 0; i < r->nsym; i++)
		free(r->sym[i]);
	free(r->sym);
}

static void
drop_reqs(struct net *n)
{
	while (n->nreq > 0)
		free_req(&n->req[--n->nreq]);
}

static int
find_want(const struct net *n, const char *sym)
{
	int i;

	for (i = 0; i < n->nwant; i++)
		if (strcmp(n->want[i], sym) == 0)
			return i;
	return -1;
}

static void
unwant(struct net *n, int i)
{
	free(n->want[i]);
	memmove(n->want + i, n->want + i + 1,
	    (size_t)(n->nwant - i - 1) * sizeof(*n->want));
	n->nwant--;
}

/* Backfills: the thread that runs `liu-stream history`. */

struct bf_job {
	int64_t from, to;
	int nsym;
	char **sym;
	struct bf_job *next;
};

struct live_backfill {
	const struct live_opts *o;
	const char *name;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct bf_job *head, **tail;
	pthread_t th;
	int started;
};

/* Queue a backfill of the symbols over [from, to), their events held. */
static void
backfill(struct net *n, char *const *sym, int nsym, int64_t from, int64_t to)
{
	struct live_backfill *b = n->bf;
	struct bf_job *j;
	int i, k = 0;

	if (nsym == 0 || from >= to)
		return;
	j = xcalloc(1, sizeof(*j));
	j->from = from;
	j->to = to;
	j->sym = xcalloc((size_t)nsym, sizeof(*j->sym));
	pthread_mutex_lock(&q.mu);
	for (i = 0; i < nsym; i++) {
		if (strcmp(sym[i], "*") == 0)
			continue;	/* no history of every symbol */
		hold_sym(sym[i]);
		j->sym[k++] = xstrndup(sym[i], strlen(sym[i]));
	}
	pthread_mutex_unlock(&q.mu);
	j->nsym = k;
	if (k == 0) {
		free(j->sym);
		free(j);
		return;
	}
	pthread_mutex_lock(&b->mu);
	*b->tail = j;
	b->tail = &j->next;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

/* The minute a time falls in. */
static int64_t
floor_min(int64_t t)
{
	return t - ((t % (60 * NS_S)) + 60 * NS_S) % (60 * NS_S);
}

/* "HH:MM:SS" of a time, UTC. */
static const char *
hms(int64_t t, char *out)
{
	char full[40];

	tm_format(t, full);
	memcpy(out, full + 11, 8);
	out[8] = '\0';
	return out;
}

/* The connection is up: subscribed (or nothing to subscribe). */
static void
now_up(struct net *n)
{
	char a[16], b[16];
	int64_t now = liu_clock_ns(), start;

	n->tries = 0;
	n->limit_hit = 0;
	n->auth_tries = 0;
	lws_sul_cancel(&n->sul_timeout);
	if (!n->ever_up) {	/* the first connection: no gap */
		n->ever_up = 1;
		if (n->down_since)
			warn("%s: connected after %.1fs", n->name,
			    (double)(now - n->down_since) / NS_S);
		n->down_since = 0;
		return;
	}
	if (!n->down_since)
		return;
	start = n->last_rt ? n->last_rt : n->down_since;
	n->nreconnect++;
	warn("%s: reconnected after %.1fs, gap %s-%s", n->name,
	    (double)(now - n->down_since) / NS_S, hms(start, a), hms(now, b));
	if (n->o->backfill_gaps)
		backfill(n, n->want, n->nwant, floor_min(start),
		    floor_min(now));
	n->down_since = 0;
}

/* Apply the changes the control threads asked for. */
static void
apply_changes(struct net *n)
{
	struct buf ch = BUF_INIT;
	char **add = NULL, **del = NULL;
	int nadd = 0, ndel = 0, i;
	char *p, *e;

	pthread_mutex_lock(&n->chmu);
	ch = n->changes;
	n->changes = (struct buf)BUF_INIT;
	pthread_mutex_unlock(&n->chmu);
	if (ch.len == 0)
		return;
	add = xcalloc(ch.len, sizeof(*add));
	del = xcalloc(ch.len, sizeof(*del));
	for (p = ch.p; p < ch.p + ch.len; p = e + 1) {
		e = memchr(p, '\n', (size_t)(ch.p + ch.len - p));
		*e = '\0';
		i = find_want(n, p + 1);
		if (*p == '+' && i < 0) {
			if (n->nwant == n->wantcap) {
				n->wantcap = n->wantcap ? 2 * n->wantcap : 16;
				n->want = xrealloc(n->want, (size_t)n->wantcap
				    * sizeof(*n->want));
			}
			n->want[n->nwant++] = xstrndup(p + 1, strlen(p + 1));
			add[nadd++] = p + 1;
		} else if (*p == '-' && i >= 0) {
			unwant(n, i);
			del[ndel++] = p + 1;
		}
	}
	if (nadd && n->o->backfill) {
		int64_t now = liu_clock_ns();

		backfill(n, add, nadd, floor_min(now - n->o->backfill),
		    floor_min(now));
	}
	if (n->state == S_LIVE) {
		subscribe(n, add, nadd, 0);
		subscribe(n, del, ndel, 1);
	}
	free(add);
	free(del);
	buf_release(&ch);
}

static void connect_now(struct net *n);

static void
retry_cb(lws_sorted_usec_list_t *sul)
{
	struct net *n = lws_container_of(sul, struct net, sul_retry);

	if (!n->stopping)
		connect_now(n);
}

static void
timeout_cb(lws_sorted_usec_list_t *sul)
{
	struct net *n = lws_container_of(sul, struct net, sul_timeout);
	static const char *const what[] = { "", "the connection",
		"the welcome", "the authentication", "" };

	if (n->wsi && n->state != S_LIVE) {
		warn("%s: no answer to %s in %.1fs", n->name, what[n->state],
		    (double)n->o->timeout / NS_S);
		lws_set_timeout(n->wsi, PENDING_TIMEOUT_USER_OK,
		    LWS_TO_KILL_ASYNC);
	}
}

/*
 * The wait before the next attempt, after 'tries' failed ones: doubling,
 * capped, with jitter.
 */
static int64_t
backoff(struct net *n, int tries)
{
	int64_t d = n->o->backoff_min;
	int i;

	for (i = 0; i < tries && d < n->o->backoff_max; i++)
		d *= 2;
	if (n->limit_hit && d < 4 * n->o->backoff_min)
		d = 4 * n->o->backoff_min;
	if (d > n->o->backoff_max)
		d = n->o->backoff_max;
	/* between 3/4 and 5/4 of it, so that clients do not come in step */
	return d / 4 * 3 + (int64_t)((double)(d / 2) * ((double)rand() /
	    RAND_MAX));
}

/* The connection is gone, or never came: retry, or give up. */
static void
lost(struct net *n, const char *why)
{
	int64_t now = liu_clock_ns(), wait;

	n->wsi = NULL;
	n->state = S_DOWN;
	lws_keep = 0;
	lws_sul_cancel(&n->sul_timeout);
	lws_sul_cancel(&n->sul_auth);
	drop_reqs(n);
	buf_reset(&n->tx);
	n->txpos = 0;
	if (n->stopping) {
		n->done = 1;
		return;
	}
	if (!n->down_since)
		n->down_since = now;
	if (n->o->give_up && now - n->down_since >= n->o->give_up) {
		fatal(n, "connection lost (%s), not back after %.0fs; giving "
		    "up", why, (double)(now - n->down_since) / NS_S);
		return;
	}
	wait = backoff(n, n->tries);
	if (n->tries == 0 || n->o->verbose)
		warn("%s: %s; reconnecting in %.1fs", n->name, why,
		    (double)wait / NS_S);
	n->tries++;
	lws_sul_schedule(n->ctx, 0, &n->sul_retry, retry_cb,
	    (lws_usec_t)(wait / 1000));
}

static void
connect_now(struct net *n)
{
	struct lws_client_connect_info ci;

	memset(&ci, 0, sizeof(ci));
	ci.context = n->ctx;
	ci.address = n->url.host;
	ci.port = n->url.port;
	ci.path = n->url.path;
	ci.host = n->url.host;
	ci.origin = n->url.host;
	ci.ssl_connection = (n->url.plain ? 0 : LCCSCF_USE_SSL) |
	    LCCSCF_PRIORITIZE_READS;
	ci.local_protocol_name = "liu";
	ci.retry_and_idle_policy = &n->idle;
	ci.pwsi = &n->wsi;
	n->state = S_CONNECTING;
	lws_keep = 1;
	lws_said[0] = '\0';
	n->close_code = 0;
	n->close_why[0] = '\0';
	lws_sul_schedule(n->ctx, 0, &n->sul_timeout, timeout_cb,
	    (lws_usec_t)(n->o->timeout / 1000));
	if (!lws_client_connect_via_info(&ci) && n->state == S_CONNECTING)
		lost(n, "cannot connect");
}

static void
auth_cb(lws_sorted_usec_list_t *sul)
{
	struct net *n = lws_container_of(sul, struct net, sul_auth);

	if (n->stopping || !n->wsi || n->state != S_AUTH)
		return;
	lws_sul_schedule(n->ctx, 0, &n->sul_timeout, timeout_cb,
	    (lws_usec_t)(n->o->timeout / 1000));
	send_auth(n);
}

/*
 * Alpaca's 406 to an auth request: another client holds the connection
 * the plan allows.  The server keeps this one open, so the same request
 * is sent again on it after a back-off, as Alpaca's own SDK does (15
 * times there; here until --give-up, said once).
 */
static void
auth_later(struct net *n, const char *msg)
{
	int64_t now = liu_clock_ns(), wait;

	if (n->auth_tries == 0)
		n->limit_since = now;
	if (n->o->give_up && now - n->limit_since >= n->o->give_up) {
		fatal(n, "%s, still after %.0fs; giving up", msg,
		    (double)(now - n->limit_since) / NS_S);
		return;
	}
	wait = backoff(n, n->auth_tries);
	if (n->auth_tries == 0 || n->o->verbose)
		warn("%s: %s (another client holds the connection); asking "
		    "again in %.1fs", n->name, msg, (double)wait / NS_S);
	n->auth_tries++;
	lws_sul_cancel(&n->sul_timeout);
	lws_sul_schedule(n->ctx, 0, &n->sul_auth, auth_cb,
	    (lws_usec_t)(wait / 1000));
}

/* Alpaca: the answer to the oldest request (a subscription, or 405). */
static void
alpaca_answer(struct net *n, const struct feed_note *nt)
{
	struct subreq r;
	int i, k;

	if (n->nreq == 0)
		return;
	r = n->req[0];
	memmove(n->req, n->req + 1, (size_t)--n->nreq * sizeof(*n->req));
	if (nt->kind == FEED_ERROR && r.nsym > 1) {
		/* some may fit: ask for them one by one */
		for (i = 0; i < r.nsym; i++)
			subscribe(n, &r.sym[i], 1, 0);
	} else if (nt->kind == FEED_ERROR) {
		warn("%s: symbol limit: %s refused (error 405); the others "
		    "stream on", n->name, r.sym[0]);
		if ((k = find_want(n, r.sym[0])) >= 0)
			unwant(n, k);
		pthread_mutex_lock(&q.mu);
		release_sym(r.sym[0]);
		pthread_mutex_unlock(&q.mu);
	}
	free_req(&r);
	if (n->nreq == 0 && n->state == S_LIVE)
		now_up(n);
}

static void
note(struct net *n, const struct feed_note *nt)
{
	char msg[256];

	switch (nt->kind) {
	case FEED_CONNECTED:
		if (n->state == S_WELCOME)
			send_auth(n);
		break;
	case FEED_AUTH_OK:
		n->state = S_LIVE;
		if (n->nwant == 0)
			now_up(n);
		else
			subscribe(n, n->want, n->nwant, 0);
		break;
	case FEED_AUTH_FAILED:
		fatal(n, "authentication failed: %s%s%s",
		    clean(nt->msg, msg, sizeof(msg)), *nt->msg ? "" : "?",
		    n->o->provider == LIVE_ALPACA ? " (check "
		    "APCA_API_KEY_ID and APCA_API_SECRET_KEY)" : " (check "
		    "POLYGON_API_KEY)");
		break;
	case FEED_SUBSCRIBED:
		if (n->o->provider == LIVE_ALPACA)
			alpaca_answer(n, nt);
		else
			now_up(n);
		break;
	case FEED_UNSUBSCRIBED:
		break;
	case FEED_ERROR:
		clean(nt->msg, msg, sizeof(msg));
		if (nt->code == 405) {
			alpaca_answer(n, nt);
		} else if (nt->code == 409 || nt->code == 410 ||
		    nt->code == 411 || nt->code == 402) {
			fatal(n, "error %ld: %s", nt->code, msg);
		} else if (nt->code == 406 && n->state == S_AUTH && n->wsi) {
			auth_later(n, msg);
		} else if (nt->code == 406 ||
		    strcmp(nt->status, "max_connections") == 0) {
			warn("%s: %s%s (another client holds the connection)",
			    n->name, msg, nt->code ? "" : "");
			n->limit_hit = 1;
			if (n->wsi)
				lws_set_timeout(n->wsi, PENDING_TIMEOUT_USER_OK,
				    LWS_TO_KILL_ASYNC);
		} else if (nt->code == 407 ||
		    strcmp(nt->status, "slow_consumer") == 0) {
			pthread_mutex_lock(&q.mu);
			warn("%s: SLOW CLIENT: the server is dropping us (%s); "
			    "queue %zu bytes now, peak %zu of %zu, %llu events "
			    "dropped here so far", n->name, msg,
			    q.ev.len + q.pri.len, q.peak, q.max,
			    (unsigned long long)q.ndrop_all);
			pthread_mutex_unlock(&q.mu);
		} else if (nt->code)
			warn("%s: error %ld: %s", n->name, nt->code, msg);
		else
			warn("%s: %s: %s", n->name, nt->status, msg);
		break;
	case FEED_INFO:
		if (n->o->verbose)
			warn("%s: %s", n->name, clean(nt->msg, msg,
			    sizeof(msg)));
		break;
	case FEED_UNKNOWN:
		warn("%s: messages of type '%s' are not translated: "
		    "counted, not written", n->name,
		    clean(nt->type, msg, sizeof(msg)));
		break;
	case FEED_BAD:
		if (n->feed.nbad <= 10)
			warn("%s: message skipped: %s%s", n->name,
			    clean(nt->msg, msg, sizeof(msg)),
			    n->feed.nbad == 10 ? " (no more of these said)" :
			    "");
		break;
	}
}

/* A whole frame has come: its events to the queue, its notes acted on. */
static void
frame_done(struct net *n, const char *p, size_t len)
{
	const char *err;
	int64_t rt = liu_clock_ns();
	int k, i;

	buf_reset(&n->out);
	n->nframes++;
	if (n->frame_over) {
		n->feed.nbadframes++;
		err = "larger than " FRAME_MAX_TEXT;
		k = -1;
	} else if (n->o->provider == LIVE_ALPACA)
		k = feed_alpaca_frame(&n->feed, p, len, rt,
		    &n->out, &err);
	else
		k = feed_polygon_frame(&n->feed, p, len, rt,
		    &n->out, &err);
	if (k < 0) {
		if (n->feed.nbadframes <= 10)
			warn("%s: frame %llu skipped: %s%s", n->name,
			    (unsigned long long)n->nframes, err,
			    n->feed.nbadframes == 10 ?
			    " (no more of these said)" : "");
		return;
	}
	if (k > 0) {
		n->last_rt = rt;
		queue_events(n->out.p, n->out.len, (uint64_t)k);
		n->unwoken += n->out.len;
	}
	for (i = 0; i < n->feed.nnote && !n->stopping; i++)
		note(n, &n->feed.note[i]);
}

static void
write_next(struct net *n, struct lws *wsi)
{
	size_t len;
	unsigned char *m;

	if (n->txpos >= n->tx.len)
		return;
	len = strlen(n->tx.p + n->txpos);
	m = xmalloc(LWS_PRE + len);
	memcpy(m + LWS_PRE, n->tx.p + n->txpos, len);
	if (lws_write(wsi, m + LWS_PRE, len, LWS_WRITE_TEXT) < (int)len)
		warn("%s: a message to the server was not sent", n->name);
	memset(m, 0, LWS_PRE + len);
	free(m);
	memset(n->tx.p + n->txpos, 0, len);
	n->txpos += len + 1;
	if (n->txpos >= n->tx.len) {
		buf_reset(&n->tx);
		n->txpos = 0;
	} else
		lws_callback_on_writable(wsi);
}

/* Why an upgrade failed, and whether it is for good (an HTTP 4xx). */
static int
upgrade_refused(struct lws *wsi, const char *in, char *why, size_t cap)
{
	unsigned int st = wsi ? lws_http_client_http_response(wsi) : 0;

	if (st >= 400 && st < 500) {
		snprintf(why, cap, "the server refused the upgrade: HTTP %u",
		    st);
		return st != 429 && st != 408;
	}
	snprintf(why, cap, "cannot connect: %s", in ? in : "unknown error");
	return 0;
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct net *n = the_net;
	char why[300], tmp[200];
	int stop, done;

	(void)user;
	if (!n)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		lws_keep = 0;
		if (lws_said[0])
			in = lws_said;
		if (upgrade_refused(wsi, in ? clean(in, tmp, sizeof(tmp)) :
		    NULL, why, sizeof(why))) {
			n->wsi = NULL;
			fatal(n, "%s", why);
			lost(n, why);
		} else
			lost(n, why);
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		lws_keep = 0;
		n->state = S_WELCOME;
		if (n->o->verbose)
			warn("%s: connected", n->name);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (lws_is_first_fragment(wsi)) {
			buf_reset(&n->frame);
			n->frame_over = 0;
		}
		done = lws_is_final_fragment(wsi) &&
		    !lws_remaining_packet_payload(wsi);
		if (done && n->frame.len == 0 && !n->frame_over &&
		    len <= FRAME_MAX) {
			/* the whole frame in one piece: read where it lies */
			frame_done(n, in, len);
		} else {
			if (n->frame.len + len > FRAME_MAX)
				n->frame_over = 1;
			if (!n->frame_over)
				buf_add(&n->frame, in, len);
			if (done)
				frame_done(n, n->frame.p, n->frame.len);
		}
		if (n->stopping)
			lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (n->stopping) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL,
			    NULL, 0);
			return -1;
		}
		write_next(n, wsi);
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2) {
			const unsigned char *c = in;
			size_t k = len - 2 < sizeof(n->close_why) - 1 ?
			    len - 2 : sizeof(n->close_why) - 1;

			n->close_code = c[0] << 8 | c[1];
			memcpy(n->close_why, c + 2, k);
			n->close_why[k] = '\0';
		}
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (n->close_code)
			snprintf(why, sizeof(why), "the server closed the "
			    "connection (%d%s%s)", n->close_code,
			    n->close_why[0] ? ": " : "",
			    clean(n->close_why, tmp, sizeof(tmp)));
		else
			snprintf(why, sizeof(why), "connection lost");
		lost(n, why);
		break;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		pthread_mutex_lock(&n->chmu);
		stop = n->stop_asked;
		pthread_mutex_unlock(&n->chmu);
		if (stop && !n->stopping) {
			n->stopping = 1;
			if (n->wsi)
				lws_callback_on_writable(n->wsi);
			else
				n->done = 1;
		}
		if (!n->stopping)
			apply_changes(n);
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{ "liu", callback, 0, 1 << 16, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static const struct lws_extension extensions[] = {
	{ "permessage-deflate", lws_extension_callback_pm_deflate,
	  "permessage-deflate; client_max_window_bits" },
	{ NULL, NULL, NULL }
};

/*
 * Whether the socket holds bytes not read yet: the next lws_service() then
 * reads them at once, without waiting.
 */
static int
more_to_read(struct net *n)
{
	int fd, avail = 0;

	if (!n->wsi || (fd = (int)lws_get_socket_fd(n->wsi)) < 0)
		return 0;
	return ioctl(fd, FIONREAD, &avail) == 0 && avail > 0;
}

static void *
net_main(void *arg)
{
	struct net *n = arg;
	size_t batch = q.max / 4 < WAKE_BATCH ? q.max / 4 : WAKE_BATCH;

	connect_now(n);
	while (!n->done) {
		if (lws_service(n->ctx, 0) < 0)
			break;
		/*
		 * One alarm for all the frames the socket holds, not one a
		 * frame: while more bytes wait in the socket, and less than
		 * a batch has been queued, they are read first.  Waking the
		 * writer is the dearest thing done here (a thread woken on
		 * another CPU), and the alarm is not delayed beyond what is
		 * already there to read.
		 */
		if (!n->unwoken || (n->unwoken < batch && more_to_read(n)))
			continue;
		n->unwoken = 0;
		pthread_mutex_lock(&q.mu);
		wake_writer();
		pthread_mutex_unlock(&q.mu);
	}
	pthread_mutex_lock(&q.mu);
	q.done = 1;
	q.armed = 1;
	wake_writer();
	pthread_mutex_unlock(&q.mu);
	return NULL;
}

/* The backfill thread. */

/* Run `liu-stream history` for a job; its events into out. */
static int
run_history(struct live_backfill *b, const struct bf_job *j, struct buf *out)
{
	char from[40], to[40], exe[4096];
	const char *argv[32 + 1];
	char **av;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	int fd[2], ac = 0, i, st;
	pid_t pid;
	ssize_t r;
	char chunk[65536];

	tm_format(j->from, from);
	tm_format(j->to, to);
	if ((r = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) < 0) {
		warn("backfill: /proc/self/exe:");
		return -1;
	}
	exe[r] = '\0';
	argv[ac++] = "liu-stream";
	argv[ac++] = "history";
	argv[ac++] = b->name;
	argv[ac++] = "--from";
	argv[ac++] = from;
	argv[ac++] = "--to";
	argv[ac++] = to;
	argv[ac++] = "--no-progress";
	if (b->o->rest_url) {
		argv[ac++] = "--url";
		argv[ac++] = b->o->rest_url;
	}
	if (b->o->cacert) {
		argv[ac++] = "--cacert";
		argv[ac++] = b->o->cacert;
	}
	if (b->o->provider == LIVE_ALPACA && b->o->feed) {
		argv[ac++] = "--feed";
		argv[ac++] = strcmp(b->o->feed, "iex") == 0 ? "iex" : "sip";
	}
	argv[ac++] = "--";
	av = xcalloc((size_t)(ac + j->nsym + 1), sizeof(*av));
	for (i = 0; i < ac; i++)
		av[i] = (char *)argv[i];
	for (i = 0; i < j->nsym; i++)
		av[ac + i] = j->sym[i];
	if (pipe2(fd, O_CLOEXEC) < 0)
		die("pipe:");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	st = posix_spawn(&pid, exe, &fa, &at, av, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(av);
	close(fd[1]);
	if (st != 0) {
		close(fd[0]);
		errno = st;
		warn("backfill: cannot run %s:", exe);
		return -1;
	}
	while ((r = read(fd[0], chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		buf_add(out, chunk, (size_t)r);
	}
	close(fd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Lines of 'in' with "hist":true added, into q.pri.  Call with q.mu. */
static void
add_hist(const struct buf *in)
{
	const char *p = in->p, *end = in->p + in->len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;		/* a cut last line: the child died */
		if (nl - p >= 2 && nl[-1] == '}') {
			buf_add(&q.pri, p, (size_t)(nl - p) - 1);
			buf_adds(&q.pri, ",\"hist\":true}\n");
			q.npri++;
		}
		p = nl + 1;
	}
}

static void *
backfill_main(void *arg)
{
	struct live_backfill *b = arg;
	struct bf_job *j;
	struct buf out = BUF_INIT;
	int st, i;

	for (;;) {
		pthread_mutex_lock(&b->mu);
		while (!b->head)
			pthread_cond_wait(&b->cv, &b->mu);
		j = b->head;
		if (!(b->head = j->next))
			b->tail = &b->head;
		pthread_mutex_unlock(&b->mu);
		buf_reset(&out);
		st = run_history(b, j, &out);
		if (st != 0)
			warn("%s: backfill of %d symbol%s (%s%s) failed "
			    "(status %d); their live events go on", b->name,
			    j->nsym, j->nsym == 1 ? "" : "s", j->sym[0],
			    j->nsym > 1 ? ", ..." : "", st);
		pthread_mutex_lock(&q.mu);
		add_hist(&out);
		for (i = 0; i < j->nsym; i++)
			release_sym(j->sym[i]);
		wake_writer();
		pthread_mutex_unlock(&q.mu);
		for (i = 0; i < j->nsym; i++)
			free(j->sym[i]);
		free(j->sym);
		free(j);
	}
	return NULL;
}

/* The control threads. */

/*
 * Whether s can be subscribed to: the contract's symbol, less the bytes
 * that would break a subscription message (Polygon's params are a comma
 * list in a JSON string, written as they are).
 */
#define SYMBOL_RULE "not 1 to 32 printable ASCII characters, without " \
	"a comma, a quote or a backslash"
static int
symbol_ok(const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++)
		if (s[i] < '!' || s[i] > '~' || s[i] == ',' || s[i] == '"' ||
		    s[i] == '\\')
			return 0;
	return n > 0 && n <= EV_SYM_MAX;
}

struct control {
	struct net *net;
	struct nd_reader r;
	pthread_t th;
};

static void *
control_main(void *arg)
{
	struct control *c = arg;
	struct net *n = c->net;
	struct ev e = EV_INIT;

	while (nd_next_event(&c->r, &e) > 0) {
		if (e.type != EV_PICK && e.type != EV_DROP)
			continue;
		if (!symbol_ok(e.sym)) {
			/* not passed on either: it is not subscribed to */
			if (nd_bad(&c->r, "%s of a symbol that cannot be "
			    "subscribed to: %s", e.type == EV_PICK ? "pick" :
			    "drop", SYMBOL_RULE) < 0)
				break;
			continue;
		}
		queue_line(e.line, e.len);
		pthread_mutex_lock(&n->chmu);
		buf_addc(&n->changes, e.type == EV_PICK ? '+' : '-');
		buf_adds(&n->changes, e.sym);
		buf_addc(&n->changes, '\n');
		pthread_mutex_unlock(&n->chmu);
		lws_cancel_service(n->ctx);
	}
	ev_release(&e);
	return NULL;
}

static void
start_control(struct net *n, struct control *c, int fd, const char *name)
{
	c->net = n;
	nd_fdopen(&c->r, fd, name);
	c->r.no_flush = 1;	/* stdout is the writer thread's alone */
	if (pthread_create(&c->th, NULL, control_main, c) != 0)
		die("cannot start a thread");
	pthread_detach(c->th);
}

/* Setup. */

int
live_provider_from(const char *s, enum live_provider *p)
{
	if (strcmp(s, "alpaca") == 0)
		*p = LIVE_ALPACA;
	else if (strcmp(s, "polygon") == 0)
		*p = LIVE_POLYGON;
	else
		return -1;
	return 0;
}

/* A comma list of words into bits: 0 or -1. */
static int
word_bits(const char *s, const char *const *words, const int *bits, int *out)
{
	const char *e;
	size_t n;
	int i, v = 0;

	while (*s) {
		e = strchr(s, ',');
		n = e ? (size_t)(e - s) : strlen(s);
		for (i = 0; words[i]; i++)
			if (strlen(words[i]) == n &&
			    memcmp(words[i], s, n) == 0)
				break;
		if (!words[i])
			return -1;
		v |= bits[i];
		s += n;
		if (*s == ',' && *++s == '\0')
			return -1;
	}
	if (!v)
		return -1;
	*out = v;
	return 0;
}

int
live_types(const char *s, int *types)
{
	static const char *const w[] = { "trade", "quote", "bar", "status",
		NULL };
	static const int b[] = { LIVE_TRADE, LIVE_QUOTE, LIVE_BAR,
		LIVE_STATUS };

	return word_bits(s, w, b, types);
}

int
live_tfs(const char *s, int *tfs)
{
	static const char *const w[] = { "1s", "1m", "1d", NULL };
	static const int b[] = { LIVE_TF_1S, LIVE_TF_1M, LIVE_TF_1D };

	return word_bits(s, w, b, tfs);
}

int
live_default_provider(enum live_provider *p, const char **why)
{
	const char *name;

	if (rest_env_provider(&name, why) < 0)
		return -1;
	return live_provider_from(name, p);
}

static void
check_key(const char *var)
{
	const char *v = liu_env(var), *s;

	if (!v)
		die_code(LIU_EXIT_USAGE, "no key: set %s (see liu-stream(1))",
		    var);
	for (s = v; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			die_code(LIU_EXIT_USAGE, "%s holds a control character",
			    var);
}

static void
check_symbol(const char *s)
{
	if (!symbol_ok(s))
		die_code(LIU_EXIT_USAGE, "bad symbol '%.*s': %s",
		    LIU_ECHO_MAX, s, SYMBOL_RULE);
}

static void
lws_log(int level, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	(void)level;
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (!lws_keep || lws_verbose)
		warn("libwebsockets: %.*s", (int)n, line);
	if (!lws_keep || lws_said[0])
		return;
	/* OpenSSL's figures, for those who can read them: -v */
	if ((p = memmem(line, n, " (preverify_ok", 14)))
		n = (size_t)(p - line);
	snprintf(lws_said, sizeof(lws_said), "%.*s", (int)n, line);
}

static void
setup_url(struct net *n)
{
	const char *o = n->o->url, *why, *var;
	struct buf u = BUF_INIT;

	if (o)
		buf_adds(&u, o);
	else if (n->o->provider == LIVE_ALPACA) {
		var = liu_env("APCA_API_STREAM_URL");
		buf_adds(&u, var ? var : "wss://stream.data.alpaca.markets");
		buf_addf(&u, "/v2/%s", n->o->feed ? n->o->feed : "iex");
	} else {
		var = liu_env("POLYGON_STREAM_URL");
		buf_adds(&u, var ? var : "wss://socket.polygon.io");
		buf_adds(&u, "/stocks");
	}
	/* a refused URL is not echoed: it may hold a password */
	if (rest_ws_url(buf_cstr(&u), &n->url, &why) < 0)
		die_code(LIU_EXIT_USAGE, "%s: bad %s: %s", n->name,
		    o ? "--url" : n->o->provider == LIVE_ALPACA ?
		    "APCA_API_STREAM_URL" : "POLYGON_STREAM_URL", why);
	buf_release(&u);
}

static struct lws_context *
make_context(struct net *n)
{
	struct lws_context_creation_info ci;
	struct lws_context *ctx;

	lws_verbose = n->o->verbose;
	lws_set_log_level(n->o->verbose ? LLL_ERR | LLL_WARN : LLL_ERR,
	    lws_log);
	memset(&ci, 0, sizeof(ci));
	ci.port = CONTEXT_PORT_NO_LISTEN;
	ci.protocols = protocols;
	ci.extensions = extensions;
	ci.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	ci.client_ssl_ca_filepath = n->o->cacert;
	ci.timeout_secs = (unsigned int)(n->o->timeout / NS_S);
	if (ci.timeout_secs < 1)
		ci.timeout_secs = 1;
	ci.fd_limit_per_thread = 64;
	ci.pt_serv_buf_size = 256 << 10;	/* fewer, larger reads */
	if (n->o->cacert && access(n->o->cacert, R_OK) < 0)
		die_code(LIU_EXIT_USAGE, "--cacert %s:", n->o->cacert);
	lws_keep = 1;
	lws_said[0] = '\0';
	ctx = lws_create_context(&ci);
	lws_keep = 0;
	if (lws_said[0] && ctx) {
		/* nothing left behind for a leak checker at the exit */
		lws_context_destroy(ctx);
		ctx = NULL;
	}
	if (lws_said[0] && n->o->cacert)
		die_code(LIU_EXIT_USAGE, "--cacert %s: %s", n->o->cacert,
		    lws_said);
	if (lws_said[0])
		die("%s: cannot set up libwebsockets: %s", n->name, lws_said);
	if (!ctx)
		die("%s: cannot set up libwebsockets", n->name);
	return ctx;
}

/* The writer: the calling thread. */

/* Wait for the alarm, or a signal: called with SIGTERM and SIGINT blocked,
 * which ppoll() lets in while it waits. */
static void
wait_alarm(void)
{
	struct pollfd p = { q.wake_r, POLLIN, 0 };
	sigset_t none;
	char junk[256];

	sigemptyset(&none);
	if (ppoll(&p, 1, NULL, &none) > 0)
		while (read(q.wake_r, junk, sizeof(junk)) > 0)
			;
}

/*
 * The writer.  SIGTERM and SIGINT come in while it works and while it
 * waits for the alarm: a write that blocks (the reader has stopped
 * reading) is then taken up again after the first signal, so that only
 * whole lines go out, and a second SIGINT ends the process (liu_init()),
 * as in every liu program.  They are blocked only from the last look at
 * liu_stop to the ppoll() that lets them in again, so that none comes in
 * between and is missed until the next alarm; the other threads never
 * take them (live_run()).
 */
static void
write_loop(struct net *n)
{
	struct buf ev = BUF_INIT, pri = BUF_INIT, t;
	uint64_t ndrop, nev, npri;
	char t0[40], t1[40];
	int done, asked = 0, sleep;
	sigset_t stops;

	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	pthread_sigmask(SIG_UNBLOCK, &stops, NULL);
	for (;;) {
		if (liu_stop && !asked) {
			asked = 1;
			/* liu_stop is the signal handler's: read here only */
			pthread_mutex_lock(&n->chmu);
			n->stop_asked = 1;
			pthread_mutex_unlock(&n->chmu);
			lws_cancel_service(n->ctx);
		}
		pthread_mutex_lock(&q.mu);
		done = q.done;
		if (q.ev.len == 0 && q.pri.len == 0 && !done) {
			/*
			 * Nothing waits: write out what we hold, then sleep
			 * unless more came meanwhile.  While events keep
			 * coming, they are written as the buffer fills.
			 */
			pthread_mutex_unlock(&q.mu);
			if (nd_out_flush() < 0)
				die("write error:");
			pthread_sigmask(SIG_BLOCK, &stops, NULL);
			pthread_mutex_lock(&q.mu);
			sleep = q.ev.len == 0 && q.pri.len == 0 && !q.done &&
			    (!liu_stop || asked);
			q.armed = sleep;
			pthread_mutex_unlock(&q.mu);
			if (sleep)
				wait_alarm();
			pthread_sigmask(SIG_UNBLOCK, &stops, NULL);
			continue;
		}
		t = q.pri;
		q.pri = pri;
		pri = t;
		t = q.ev;
		q.ev = ev;
		ev = t;
		npri = q.npri;
		nev = q.nev;
		q.npri = q.nev = 0;
		ndrop = q.ndrop;
		q.ndrop = 0;
		memcpy(t0, q.drop_t0, sizeof(t0));
		memcpy(t1, q.drop_t1, sizeof(t1));
		pthread_mutex_unlock(&q.mu);
		if (ndrop)
			warn("%s: output too slow: dropped the %llu oldest "
			    "events (gap %s to %s); queue limit %zu bytes",
			    n->name, (unsigned long long)ndrop, t0, t1, q.max);
		nd_emit_lines(pri.p, pri.len, npri);
		nd_emit_lines(ev.p, ev.len, nev);
		buf_reset(&pri);
		buf_reset(&ev);
		if (done)
			break;
	}
	if (nd_out_flush() < 0)
		die("write error:");
	pthread_sigmask(SIG_BLOCK, &stops, NULL);
	buf_release(&ev);
	buf_release(&pri);
}

static int
open_control(const char *path)
{
	struct stat st;
	int fd;

	/* O_RDWR: a writer that closes the FIFO is not an end of file */
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
		die_code(LIU_EXIT_USAGE, "--control %s:", path);
	if (fstat(fd, &st) == 0 && !S_ISFIFO(st.st_mode))
		die_code(LIU_EXIT_USAGE, "--control %s: not a FIFO (make one "
		    "with mkfifo)", path);
	return fd;
}

int
live_run(const struct live_opts *o, char *const *syms, int nsyms)
{
	static struct net net;
	static struct live_backfill bf;
	static struct control ctl[2];
	struct net *n = &net;
	sigset_t block, old;
	struct stat st;
	pthread_t th;
	int i, cfd = -1, wake[2], nctl = 0;

	memset(n, 0, sizeof(*n));
	n->o = o;
	n->name = o->provider == LIVE_ALPACA ? "alpaca" : "polygon";
	n->feed = (struct feed)FEED_INIT;
	n->frame = n->out = n->tx = n->changes = (struct buf)BUF_INIT;
	pthread_mutex_init(&n->chmu, NULL);
	if (o->provider == LIVE_ALPACA) {
		check_key("APCA_API_KEY_ID");
		check_key("APCA_API_SECRET_KEY");
	} else
		check_key("POLYGON_API_KEY");
	setup_url(n);
	for (i = 0; i < nsyms; i++) {
		check_symbol(syms[i]);
		if (find_want(n, syms[i]) >= 0)
			continue;
		if (n->nwant == n->wantcap) {
			n->wantcap = n->wantcap ? 2 * n->wantcap : 16;
			n->want = xrealloc(n->want, (size_t)n->wantcap *
			    sizeof(*n->want));
		}
		n->want[n->nwant++] = xstrndup(syms[i], strlen(syms[i]));
	}
	if (o->control)
		cfd = open_control(o->control);
	(void)liu_clock_ns();	/* read LIU_NOW before the threads */
	srand((unsigned int)(liu_mono_ns() ^ getpid()));
	n->idle.secs_since_valid_ping = (uint16_t)o->ping;
	n->idle.secs_since_valid_hangup = (uint16_t)(o->ping ? 2 * o->ping +
	    o->timeout / NS_S : 0);
	n->idle.jitter_percent = 20;
	q.max = o->queue_max;
	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) < 0)
		die("pipe:");
	q.wake_r = wake[0];
	q.wake_w = wake[1];

	/* the other threads never take SIGTERM or SIGINT: this one does */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	n->ctx = make_context(n);
	the_net = n;
	bf.o = o;
	bf.name = n->name;
	pthread_mutex_init(&bf.mu, NULL);
	pthread_cond_init(&bf.cv, NULL);
	bf.tail = &bf.head;
	n->bf = &bf;
	if (o->backfill || o->backfill_gaps) {
		if (pthread_create(&bf.th, NULL, backfill_main, &bf) != 0)
			die("cannot start a thread");
		pthread_detach(bf.th);
	}
	if (o->backfill && n->nwant)
		backfill(n, n->want, n->nwant,
		    floor_min(liu_clock_ns() - o->backfill),
		    floor_min(liu_clock_ns()));
	if (cfd >= 0)
		start_control(n, &ctl[nctl++], cfd, o->control);
	if (o->read_stdin && fstat(0, &st) == 0 && S_ISFIFO(st.st_mode))
		start_control(n, &ctl[nctl++], 0, "stdin");
	if (pthread_create(&th, NULL, net_main, n) != 0)
		die("cannot start a thread");
	write_loop(n);
	pthread_join(th, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (o->verbose || q.ndrop_all || n->feed.nunknown || n->feed.nbad ||
	    n->feed.nbadframes)
		warn("%s: %llu events, %llu frames (%llu refused), %llu "
		    "messages skipped, %llu of unknown types, %llu "
		    "reconnects, %llu events dropped for a slow reader",
		    n->name, (unsigned long long)n->feed.nevents,
		    (unsigned long long)n->nframes,
		    (unsigned long long)n->feed.nbadframes,
		    (unsigned long long)n->feed.nbad,
		    (unsigned long long)n->feed.nunknown,
		    (unsigned long long)n->nreconnect,
		    (unsigned long long)q.ndrop_all);
	/* the control and backfill threads may be blocked: not joined */
	lws_context_destroy(n->ctx);
	the_net = NULL;
	return n->status;
}
