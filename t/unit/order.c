/*
 * Unit tests of lib/order.c, liu-order's order book, through a broker of
 * the test's own that reports what the test tells it to: client ids, the
 * cumulative rule (a fill only for an increase of the filled quantity),
 * late fills, and what the book writes for them.  Output goes to a
 * temporary file (fd 1 is redirected around each call) so TAP stays clean.
 */
#define _GNU_SOURCE	/* memmem() */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "ndjson.h"
#include "order.h"
#include "tap.h"

static FILE *capture;

/* The test's broker: takes every order, reports nothing by itself. */
static size_t nsubmit, ncancel;
static long last_submit = -1;

static void
t_submit(struct broker *b, struct ob *ob, size_t i)
{
	(void)b;
	nsubmit++;
	last_submit = (long)i;
	ob_set_oid(ob, i, "B-1");
	ob_status(ob, i, OS_OPEN, NULL, ob_order(ob, i)->t);
}

static void
t_cancel(struct broker *b, struct ob *ob, size_t i, enum ob_end how,
    int64_t t)
{
	(void)b;
	(void)ob;
	(void)i;
	(void)how;
	(void)t;
	ncancel++;
}

static void
t_market(struct broker *b, struct ob *ob, const struct ev *e)
{
	(void)b;
	(void)ob;
	(void)e;
}

static void
t_release(struct broker *b)
{
	(void)b;
}

static struct broker test_broker = { "test", t_submit, t_cancel, t_market,
	t_release, NULL, NULL };

/* Run f(ob, ...) with fd 1 on the capture file. */
static int saved_fd = -1;

static void
out_begin(void)
{
	fflush(stdout);
	saved_fd = dup(1);
	dup2(fileno(capture), 1);
}

static void
out_end(void)
{
	nd_out_flush();
	dup2(saved_fd, 1);
	close(saved_fd);
}

/* Feed one line; returns the book's result, or -1 if it did not parse. */
static int
feed(struct ob *ob, const char *line)
{
	static struct ev ev = EV_INIT;
	const char *err;
	int r;

	if (ev_parse(&ev, line, strlen(line), &err) < 0)
		return -1;
	out_begin();
	r = (int)ob_event(ob, &ev, &err);
	out_end();
	return r;
}

/* Everything written so far, and forget it. */
static char *
output(void)
{
	static char buf[16384];
	size_t n;

	fflush(capture);
	rewind(capture);
	n = fread(buf, 1, sizeof(buf) - 1, capture);
	buf[n] = '\0';
	rewind(capture);
	if (ftruncate(fileno(capture), 0) < 0)
		return buf;
	return buf;
}

/* The number of lines of s containing 'what'. */
static int
count(const char *s, const char *what)
{
	const char *p, *nl;
	int n = 0;

	for (p = s; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (memmem(p, (size_t)(nl - p), what, strlen(what)))
			n++;
		if (*nl == '\0')
			break;
	}
	return n;
}

static void
test_client_ids(void)
{
	char out[OB_CID_MAX + 1], again[OB_CID_MAX + 1], b2[OB_CID_MAX + 1];
	const char *batch = "0f8e2a6c-5d1b-4c39-9a57-3f0e2d7b8c41";
	const char *id = "0f8e2a6c-5d1b-4c39-9a57-3f0e2d7b8c41-"
	    "momentum_long-AAPL-1";
	const char *id48 = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL";
	size_t n;

	is_int(ob_client_id(batch, "s-AAPL-1", out), 8, "a short id: length");
	is_str(out, "s-AAPL-1", "a short id is kept as it is");
	is_int(strlen(id48), 48, "48 bytes");
	ob_client_id(NULL, id48, out);
	is_str(out, id48, "48 bytes fit");
	n = ob_client_id(batch, id, out);
	is_int(n, 20 + 1 + 16, "a long id: its tail after the batch, a "
	    "dash, 16 hex digits");
	ok(strncmp(out, "momentum_long-AAPL-1-", 21) == 0, "the tail");
	ok(strspn(out + 21, "0123456789abcdef") == 16, "16 hex digits");
	ob_client_id(batch, id, again);
	is_str(again, out, "the same batch and id, the same client id");
	ob_client_id("other", id, b2);
	ok(strcmp(b2, out) != 0, "another batch, another client id");
	n = ob_client_id(NULL, "0123456789012345678901234567890123456789"
	    "a b/c\"d-1", out);
	is_int(n, OB_CID_MAX, "a long id without batch: 48 bytes");
	ok(strncmp(out, "8901234567890123456789a_b_c_d-1-", 32) == 0,
	    "its last 31 bytes, made [A-Za-z0-9._-]");
}

#define ORDER "{\"ev\":\"order\",\"t\":\"2024-03-01T14:30:00Z\"," \
	"\"sym\":\"X\",\"id\":\"s-X-1\",\"side\":\"buy\",\"qty\":100," \
	"\"strategy\":\"s\",\"batch\":\"b\"}"
#define SELL(id, q) "{\"ev\":\"order\",\"t\":\"2024-03-01T14:40:00Z\"," \
	"\"sym\":\"X\",\"id\":\"" id "\",\"side\":\"sell\",\"qty\":" q "," \
	"\"strategy\":\"s\",\"batch\":\"b\"}"

/*
 * The cumulative rule: a broker reports an order's filled quantity, maybe
 * more than once; the book writes a fill only for an increase.
 */
static void
test_cumulative(void)
{
	struct ob_opts o = OB_OPTS_INIT;
	struct ob *ob;
	const char *s;
	int r;

	o.fee_per_share = 0.005;
	ob = ob_new(&o);
	ob_set_broker(ob, &test_broker);
	is_int(feed(ob, ORDER), OB_DONE, "an order");
	is_int(nsubmit, 1, "reached the broker");
	s = output();
	is_int(count(s, "\"ev\":\"order\","), 1, "the order is written");
	is_int(count(s, "\"status\":\"new\""), 1, "and its new update");
	ok(strstr(s, "\"client_order_id\":\"s-X-1\"") != NULL,
	    "with its client id");

	out_begin();
	r = ob_fill(ob, 0, 40, 10.5, NAN, 1, NULL, 0);
	out_end();
	is_int(r, 1, "40 filled: a fill");
	s = output();
	ok(strstr(s, "\"exec_id\":\"B-1-1\",\"side\":\"buy\",\"qty\":40,"
	    "\"price\":10.5,\"fee\":0.2,\"partial\":true") != NULL,
	    "40 at 10.5, fee 40 x 0.005, partial");
	ok(strstr(s, "\"status\":\"partially_filled\",\"filled_qty\":40")
	    != NULL, "then partially_filled, 40 in all");

	out_begin();
	r = ob_fill(ob, 0, 40, 10.5, NAN, 2, NULL, 0);
	r += ob_fill(ob, 0, 30, 10.4, NAN, 3, NULL, 0);
	out_end();
	is_int(r, 0, "40 again, then 30: nothing new");
	is_str(output(), "", "and nothing written");

	/* an exit while 40 are held: 50 is too many, 40 is not */
	is_int(feed(ob, SELL("s-X-2", "50")), OB_DONE, "a sell of 50");
	s = output();
	ok(strstr(s, "\"status\":\"rejected\"") != NULL &&
	    strstr(s, "exceeds the long position: 40 available") != NULL,
	    "rejected: 40 held");
	is_int(nsubmit, 1, "never sent");

	out_begin();
	r = ob_fill(ob, 0, 100, 10.6, 0, 4, "X-9", 0);
	out_end();
	is_int(r, 1, "100: the other 60");
	s = output();
	ok(strstr(s, "\"exec_id\":\"X-9\",\"side\":\"buy\",\"qty\":60,"
	    "\"price\":10.6,\"fee\":0,\"partial\":false") != NULL,
	    "60 at 10.6, the broker's exec_id and fee");
	ok(strstr(s, "\"status\":\"filled\",\"filled_qty\":100") != NULL,
	    "filled, 100 in all");
	is_int(feed(ob, SELL("s-X-3", "100")), OB_DONE, "a sell of 100");
	is_int(nsubmit, 2, "now it is sent");
	s = output();
	is_int(count(s, "\"status\":\"new\""), 1, "new");
	is_int(feed(ob, SELL("s-X-4", "1")), OB_DONE, "one more");
	s = output();
	ok(strstr(s, "0 available") != NULL, "the open sell holds all 100");

	/* a cancel, then a fill: a late fill is still written */
	is_int(feed(ob, "{\"ev\":\"cancel\",\"t\":\"2024-03-01T14:41:00Z\","
	    "\"sym\":\"X\",\"id\":\"s-X-3\",\"batch\":\"b\"}"), OB_DONE,
	    "a cancel");
	is_int(ncancel, 1, "reached the broker");
	s = output();
	ok(count(s, "\"ev\":\"cancel\"") == 1 &&
	    count(s, "\"status\":\"pending_cancel\"") == 1,
	    "the cancel and pending_cancel are written");
	out_begin();
	r = ob_fill(ob, (size_t)last_submit, 100, 11, NAN, 5, NULL, 0);
	ob_status(ob, (size_t)last_submit, OS_CANCELED, "too late", 6);
	out_end();
	is_int(r, 1, "a fill after the cancel");
	s = output();
	is_int(count(s, "\"ev\":\"fill\""), 1, "is written");
	is_int(count(s, "\"canceled\""), 0, "and a final state stays final");
	is_int(feed(ob, "{\"ev\":\"cancel\",\"t\":\"2024-03-01T14:42:00Z\","
	    "\"sym\":\"X\",\"id\":\"s-X-3\",\"batch\":\"b\"}"), OB_DONE,
	    "a cancel of a filled order");
	is_str(output(), "", "is ignored");
	is_int(feed(ob, "{\"ev\":\"cancel\",\"t\":\"2024-03-01T14:42:00Z\","
	    "\"sym\":\"X\",\"id\":\"s-X-3\"}"), OB_REFUSED,
	    "a cancel of another batch's order names no known order");
	is_int(feed(ob, "{\"ev\":\"cancel\",\"t\":\"2024-03-01T14:42:00Z\","
	    "\"sym\":\"X\"}"), -1, "a cancel without id is a bad event");
	ob_free(ob);
}

int
main(void)
{
	capture = tmpfile();
	if (capture == NULL)
		return 1;
	nd_out_init();
	test_client_ids();
	test_cumulative();
	return done_testing();
}
