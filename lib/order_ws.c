/*
 * order_ws.c: the trade_updates stream of liu-order alpaca (order_alp.h),
 * a libwebsockets client in a thread of its own, as lib/live.c is for
 * market data: the book is single-threaded, so this thread only hands the
 * stream's messages over, as lines of a pipe the main loop reads beside
 * standard input.  It answers the protocol itself (protocols.md, section
 * 2): authenticate, then listen to trade_updates, again after every
 * reconnect; and knows no order.
 */
#define _GNU_SOURCE	/* pipe2, F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "buf.h"
#include "json.h"
#include "order_alp.h"
#include "rest.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define BACKOFF_MIN 100000000LL		/* ns */
#define BACKOFF_MAX 10000000000LL

enum wstate { W_DOWN, W_CONNECTING, W_AUTH, W_LISTEN, W_LIVE };

struct aws {
	struct aws_opts o;
	struct lws_context *ctx;
	struct lws *wsi;
	struct rest_ws_url url;
	lws_retry_bo_t idle;
	pthread_t th;
	int fd[2];		/* [0] the main thread's, [1] this one's */
	struct buf frame;	/* the fragments of a message */
	struct buf tx;		/* messages to send, each NUL-terminated */
	size_t txpos;
	struct buf pend;	/* lines the pipe has not taken yet */
	struct json j;
	struct buf s;
	enum wstate state;
	lws_sorted_usec_list_t sul_retry, sul_timeout, sul_pend, sul_end;
	int tries;		/* failed attempts in a row */
	int stopping, done;
	uint64_t nconn;
	pthread_mutex_t mu;
	int stop_asked;		/* mu */
	int nlisten;		/* mu */
	int dead;		/* mu */
};

static struct aws *the_aws;	/* for the callbacks: one stream a process */

/* A server's text, safe to print. */
static const char *
clean(const char *s, size_t n, char *out, size_t cap)
{
	size_t i;

	for (i = 0; i < n && s[i] && i + 1 < cap && i < 200; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
	out[i] = '\0';
	return out;
}

static void
lws_log(int level, const char *line)
{
	size_t n = strlen(line);

	(void)level;
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	warn("trade_updates: libwebsockets: %.*s", (int)n, line);
}

/* Queue a message for the server and ask to write. */
static void
send_msg(struct aws *w, const char *p, size_t len)
{
	buf_add(&w->tx, p, len);
	buf_addc(&w->tx, '\0');
	if (w->wsi)
		lws_callback_on_writable(w->wsi);
}

static void
write_next(struct aws *w, struct lws *wsi)
{
	size_t len;
	unsigned char *m;

	if (w->txpos >= w->tx.len)
		return;
	len = strlen(w->tx.p + w->txpos);
	m = xmalloc(LWS_PRE + len);
	memcpy(m + LWS_PRE, w->tx.p + w->txpos, len);
	if (lws_write(wsi, m + LWS_PRE, len, LWS_WRITE_TEXT) < (int)len)
		warn("trade_updates: a message to the server was not sent");
	/* the authentication holds the secret: nothing of it left */
	memset(m, 0, LWS_PRE + len);
	free(m);
	memset(w->tx.p + w->txpos, 0, len);
	w->txpos += len + 1;
	if (w->txpos >= w->tx.len) {
		buf_reset(&w->tx);
		w->txpos = 0;
	} else
		lws_callback_on_writable(wsi);
}

static void
send_auth(struct aws *w)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "{\"action\":\"authenticate\",\"data\":{\"key_id\":");
	json_add_str(&b, w->o.key, strlen(w->o.key));
	json_add_key(&b, "secret_key");
	json_add_str(&b, w->o.secret, strlen(w->o.secret));
	buf_adds(&b, "}}");
	send_msg(w, b.p, b.len);
	memset(b.p, 0, b.len);
	buf_release(&b);
}

static void pend_cb(lws_sorted_usec_list_t *sul);

/* Write what the pipe takes; the rest waits for a timer. */
static void
flush_pend(struct aws *w)
{
	ssize_t n;
	size_t off = 0;

	while (off < w->pend.len) {
		n = write(w->fd[1], w->pend.p + off, w->pend.len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			warn("trade_updates: the pipe:");
		break;
	}
	if (off) {
		memmove(w->pend.p, w->pend.p + off, w->pend.len - off);
		w->pend.len -= off;
	}
	if (w->pend.len)
		lws_sul_schedule(w->ctx, 0, &w->sul_pend, pend_cb, 5000);
}

static void
pend_cb(lws_sorted_usec_list_t *sul)
{
	struct aws *w = lws_container_of(sul, struct aws, sul_pend);

	flush_pend(w);
}

/* Hand the message in w->frame over, as one line. */
static void
hand_over(struct aws *w)
{
	char ts[TM_RFC3339_MAX];
	size_t k, start;

	buf_adds(&w->pend, "{\"ev\":\"trade_updates\",\"t\":\"");
	buf_add(&w->pend, ts, tm_format(liu_now_ns(), ts));
	buf_adds(&w->pend, "\",\"msg\":");
	start = w->pend.len;
	buf_add(&w->pend, w->frame.p, w->frame.len);
	for (k = start; k < w->pend.len; k++)
		if (w->pend.p[k] == '\n' || w->pend.p[k] == '\r')
			w->pend.p[k] = ' ';
	buf_adds(&w->pend, "}\n");
	flush_pend(w);
}

static void
set_dead(struct aws *w, const char *why)
{
	warn("trade_updates: %s; no stream, orders are re-checked over "
	    "REST", why);
	pthread_mutex_lock(&w->mu);
	w->dead = 1;
	pthread_mutex_unlock(&w->mu);
	w->stopping = 1;
	if (w->wsi)
		lws_callback_on_writable(w->wsi);
	else
		w->done = 1;
}

/* A whole message from the server. */
static void
message(struct aws *w)
{
	const char *err;
	char tmp[210];
	int st, d, s;

	if (json_parse(&w->j, w->frame.p, w->frame.len, &err) < 0 ||
	    w->j.tok[0].kind != JSON_OBJ ||
	    (st = json_member(&w->j, 0, "stream")) < 0) {
		if (w->o.verbose)
			warn("trade_updates: a message skipped: %s",
			    clean(w->frame.p, w->frame.len, tmp,
			    sizeof(tmp)));
		return;
	}
	d = json_member(&w->j, 0, "data");
	if (json_eq(&w->j, st, "authorization")) {
		s = d < 0 ? -1 : json_member(&w->j, d, "status");
		if (s >= 0 && json_eq(&w->j, s, "authorized")) {
			static const char listen[] = "{\"action\":"
			    "\"listen\",\"data\":{\"streams\":"
			    "[\"trade_updates\"]}}";

			w->state = W_LISTEN;
			send_msg(w, listen, sizeof(listen) - 1);
		} else
			set_dead(w, "authentication refused");
		return;
	}
	if (json_eq(&w->j, st, "listening")) {
		if (w->state != W_LIVE) {
			w->state = W_LIVE;
			w->tries = 0;
			lws_sul_cancel(&w->sul_timeout);
			pthread_mutex_lock(&w->mu);
			w->nlisten++;
			pthread_mutex_unlock(&w->mu);
			if (w->o.verbose)
				warn("trade_updates: listening");
		}
		hand_over(w);
		return;
	}
	if (json_eq(&w->j, st, "trade_updates"))
		hand_over(w);
}

static void connect_now(struct aws *w);

static void
retry_cb(lws_sorted_usec_list_t *sul)
{
	struct aws *w = lws_container_of(sul, struct aws, sul_retry);

	if (!w->stopping)
		connect_now(w);
}

static void
timeout_cb(lws_sorted_usec_list_t *sul)
{
	struct aws *w = lws_container_of(sul, struct aws, sul_timeout);

	if (w->wsi && w->state != W_LIVE) {
		warn("trade_updates: no answer in %.1fs",
		    (double)w->o.timeout / 1e9);
		lws_set_timeout(w->wsi, PENDING_TIMEOUT_USER_OK,
		    LWS_TO_KILL_ASYNC);
	}
}

static void
end_cb(lws_sorted_usec_list_t *sul)
{
	struct aws *w = lws_container_of(sul, struct aws, sul_end);

	w->done = 1;
}

/* Doubling from BACKOFF_MIN to BACKOFF_MAX, between 3/4 and 5/4 of it. */
static int64_t
backoff(int tries)
{
	int64_t d = BACKOFF_MIN;
	int i;

	for (i = 0; i < tries && d < BACKOFF_MAX; i++)
		d *= 2;
	if (d > BACKOFF_MAX)
		d = BACKOFF_MAX;
	return d / 4 * 3 + (int64_t)((double)(d / 2) * ((double)rand() /
	    RAND_MAX));
}

static void
lost(struct aws *w, const char *why)
{
	int64_t wait;

	w->wsi = NULL;
	w->state = W_DOWN;
	lws_sul_cancel(&w->sul_timeout);
	buf_reset(&w->tx);
	w->txpos = 0;
	if (w->stopping) {
		w->done = 1;
		return;
	}
	wait = backoff(w->tries);
	if (w->tries == 0 || w->o.verbose)
		warn("trade_updates: %s; reconnecting in %.1fs", why,
		    (double)wait / 1e9);
	w->tries++;
	lws_sul_schedule(w->ctx, 0, &w->sul_retry, retry_cb,
	    (lws_usec_t)(wait / 1000));
}

static void
connect_now(struct aws *w)
{
	struct lws_client_connect_info ci;

	memset(&ci, 0, sizeof(ci));
	ci.context = w->ctx;
	ci.address = w->url.host;
	ci.port = w->url.port;
	ci.path = w->url.path;
	ci.host = w->url.host;
	ci.origin = w->url.host;
	ci.ssl_connection = w->url.plain ? 0 : LCCSCF_USE_SSL;
	ci.local_protocol_name = "liu-trade";
	ci.retry_and_idle_policy = &w->idle;
	ci.pwsi = &w->wsi;
	w->state = W_CONNECTING;
	w->nconn++;
	lws_sul_schedule(w->ctx, 0, &w->sul_timeout, timeout_cb,
	    (lws_usec_t)(w->o.timeout / 1000));
	if (!lws_client_connect_via_info(&ci) && w->state == W_CONNECTING)
		lost(w, "cannot connect");
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct aws *w = the_aws;
	char why[300], tmp[210];
	unsigned int st;
	int stop;

	(void)user;
	if (!w)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		st = wsi ? lws_http_client_http_response(wsi) : 0;
		if (st >= 400 && st < 500 && st != 429 && st != 408) {
			snprintf(why, sizeof(why), "the server refused the "
			    "upgrade: HTTP %u", st);
			w->wsi = NULL;
			set_dead(w, why);
			lost(w, why);
			break;
		}
		snprintf(why, sizeof(why), "cannot connect: %s", in ?
		    clean(in, len ? len : strlen(in), tmp, sizeof(tmp)) :
		    "unknown error");
		lost(w, why);
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		w->state = W_AUTH;
		if (w->o.verbose)
			warn("trade_updates: connected");
		send_auth(w);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (lws_is_first_fragment(wsi))
			buf_reset(&w->frame);
		buf_add(&w->frame, in, len);
		if (lws_is_final_fragment(wsi) &&
		    !lws_remaining_packet_payload(wsi))
			message(w);
		if (w->stopping)
			lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (w->stopping) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL,
			    0);
			return -1;
		}
		write_next(w, wsi);
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		lost(w, "connection lost");
		break;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		pthread_mutex_lock(&w->mu);
		stop = w->stop_asked;
		pthread_mutex_unlock(&w->mu);
		if (stop && !w->stopping) {
			w->stopping = 1;
			lws_sul_cancel(&w->sul_retry);
			if (w->wsi && w->state != W_CONNECTING) {
				lws_callback_on_writable(w->wsi);
				lws_sul_schedule(w->ctx, 0, &w->sul_end,
				    end_cb, 300000);
			} else
				w->done = 1;
		}
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{ "liu-trade", callback, 0, 1 << 16, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void *
net_main(void *arg)
{
	struct aws *w = arg;

	connect_now(w);
	while (!w->done)
		if (lws_service(w->ctx, 0) < 0)
			break;
	return NULL;
}

/* wss://HOST/stream of an https://HOST base URL, into b. */
static void
stream_url(const char *base, struct buf *b)
{
	size_t n;

	if (strncmp(base, "https://", 8) == 0) {
		buf_adds(b, "wss://");
		base += 8;
	} else if (strncmp(base, "http://", 7) == 0) {
		buf_adds(b, "ws://");
		base += 7;
	}
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	buf_add(b, base, n);
	buf_adds(b, "/stream");
}

struct aws *
aws_start(const struct aws_opts *o, const char **why)
{
	struct lws_context_creation_info ci;
	struct aws *w = xcalloc(1, sizeof(*w));
	struct buf u = BUF_INIT;
	sigset_t all, old;

	if (the_aws)
		bug("aws_start: a second stream");
	w->o = *o;
	stream_url(o->url, &u);
	if (rest_ws_url(buf_cstr(&u), &w->url, why) < 0) {
		buf_release(&u);
		free(w);
		return NULL;
	}
	buf_release(&u);
	if (pipe2(w->fd, O_CLOEXEC) < 0)
		die("pipe:");
	if (fcntl(w->fd[1], F_SETFL, O_NONBLOCK) < 0)
		die("fcntl:");
	(void)fcntl(w->fd[1], F_SETPIPE_SZ, 1 << 20);	/* best effort */
	pthread_mutex_init(&w->mu, NULL);
	w->idle.secs_since_valid_ping = 10;
	w->idle.secs_since_valid_hangup = 25;
	w->idle.jitter_percent = 20;
	lws_set_log_level(o->verbose ? LLL_ERR : 0, lws_log);
	memset(&ci, 0, sizeof(ci));
	ci.port = CONTEXT_PORT_NO_LISTEN;
	ci.protocols = protocols;
	ci.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	ci.client_ssl_ca_filepath = o->cacert;
	ci.timeout_secs = (unsigned int)(o->timeout / 1000000000LL);
	if (ci.timeout_secs < 1)
		ci.timeout_secs = 1;
	ci.fd_limit_per_thread = 16;
	if (!(w->ctx = lws_create_context(&ci)))
		die("trade_updates: cannot set up libwebsockets");
	the_aws = w;
	srand((unsigned int)(liu_mono_ns() ^ getpid()));
	/* signals are the main thread's */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&w->th, NULL, net_main, w) != 0)
		die("pthread_create:");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return w;
}

int
aws_fd(const struct aws *w)
{
	return w->fd[0];
}

int
aws_nlisten(struct aws *w)
{
	int n;

	pthread_mutex_lock(&w->mu);
	n = w->nlisten;
	pthread_mutex_unlock(&w->mu);
	return n;
}

int
aws_dead(struct aws *w)
{
	int n;

	pthread_mutex_lock(&w->mu);
	n = w->dead;
	pthread_mutex_unlock(&w->mu);
	return n;
}

void
aws_stop(struct aws *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop_asked = 1;
	pthread_mutex_unlock(&w->mu);
	lws_cancel_service(w->ctx);
	pthread_join(w->th, NULL);
	lws_context_destroy(w->ctx);
	the_aws = NULL;
	close(w->fd[0]);
	close(w->fd[1]);
	pthread_mutex_destroy(&w->mu);
	buf_release(&w->frame);
	if (w->tx.p)
		memset(w->tx.p, 0, w->tx.len);
	buf_release(&w->tx);
	buf_release(&w->pend);
	buf_release(&w->s);
	json_release(&w->j);
	free(w->url.host);
	free(w->url.path);
	free(w);
}
