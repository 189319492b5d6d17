/*
 * order_alp.h: the pieces of liu-order's Alpaca broker (order_alpaca.c)
 * that live in files of their own: the trade_updates WebSocket client
 * (order_ws.c) and the journal file (order_journal.c).  Private to the
 * order module.
 */
#ifndef LIU_ORDER_ALP_H
#define LIU_ORDER_ALP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * The trade_updates stream: a network thread (libwebsockets) that
 * connects to URL (wss://, ws:// to loopback only), authenticates with key
 * and secret, listens to ["trade_updates"], and on a lost connection
 * connects again with a growing back-off (100 ms doubling to 10 s, with
 * jitter).  It hands each message of the stream ("listening" answers and
 * "trade_updates" events) to the calling thread as one line of the pipe
 * aws_fd(): {"ev":"trade_updates","t":RECEIVED,"msg":MESSAGE}, the message
 * as the server sent it (binary or text frames alike), its line breaks
 * made blanks.  The pipe is never written blocking: what it cannot take
 * waits in memory.  The strings must outlive the stream.
 */
struct aws_opts {
	const char *url;
	const char *cacert;
	const char *key, *secret;
	int64_t timeout;	/* connect and authenticate, ns */
	int verbose;
};
struct aws;

/* Start the thread; NULL with *why set when the URL is refused. */
struct aws *aws_start(const struct aws_opts *o, const char **why);
/* The read end of the pipe. */
int aws_fd(const struct aws *w);
/* The "listening" answers so far (each connection that came up). */
int aws_nlisten(struct aws *w);
/* Whether the stream gave up for good (refused credentials, an HTTP 4xx). */
int aws_dead(struct aws *w);
/* Stop the thread, close the connection and the pipe, free w. */
void aws_stop(struct aws *w);

/*
 * The journal: an append-only file of NDJSON records, one writer at a time
 * (an exclusive flock(2); a second liu-order on the same file is refused).
 * A last line cut short by a crash is dropped when the file is opened.
 */
struct jr {
	int fd;
	char *path;
	struct buf old;		/* the records there when it was opened */
	struct buf pend;	/* records not yet written */
	uint64_t nsync;
};

/* Open (create) path; 0, or -1 with *why set (errno kept). */
int jr_open(struct jr *j, const char *path, const char **why);
/* Queue one record (a JSON object, no newline). */
void jr_add(struct jr *j, const char *p, size_t len);
/*
 * Write the queued records out, after the events written so far
 * (nd_out_flush() first), and fdatasync(2) them.  Dies on a write error:
 * without its journal liu-order cannot keep its promise.
 */
void jr_sync(struct jr *j);
void jr_close(struct jr *j);

#endif
