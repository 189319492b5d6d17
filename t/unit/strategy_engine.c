/*
 * Unit tests of lib/strategy_engine.c through a test strategy: bars from
 * trades and official bars, positions and cost basis from live fills,
 * refused orders, parameters.  The engine's output goes to a temporary
 * file (fd 1 is redirected around each call) so TAP stays clean.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strategy_engine.h"
#include "ndjson.h"
#include "tap.h"

struct probe {
	int nbars;
	double last_c;
	int nfills;
	int nupdates;		/* on_bar_update calls */
	double was_c;		/* the close of the bar replaced last */
};

static struct strat_ctx *the_cx;
static struct probe *the_probe;	/* the_cx's state */
static int buy_on_bar = -1;	/* on this bar number, buy 100 */

static void
t_start(struct strat_ctx *cx, void *st)
{
	the_cx = cx;
	the_probe = st;
}

static void
t_bar(struct strat_ctx *cx, void *st, const struct bar *b, int64_t tf)
{
	struct probe *p = st;
	struct strat_order o = STRAT_ORDER_INIT;

	(void)tf;
	p->nbars++;
	p->last_c = b->c;
	if (p->nbars == buy_on_bar) {
		o.side = SIDE_BUY;
		o.qty = 100;
		o.stop_loss = 9;
		o.target = 20;
		o.reason = "test";
		strat_why(&o, "x", 1.5);
		strat_order(cx, &o);
	}
}

static void
t_update(struct strat_ctx *cx, void *st, const struct bar *was,
    const struct bar *b, int64_t tf)
{
	struct probe *p = st;

	(void)cx;
	(void)tf;
	p->nupdates++;
	p->was_c = was->c;
	p->last_c = b->c;
}

static void
t_fill(struct strat_ctx *cx, void *st, const struct strat_fill *f)
{
	struct probe *p = st;

	(void)cx;
	(void)f;
	p->nfills++;
}

static const struct strat_param t_params[] = {
	{ "alpha", 1 }, { "start", 0 }, { NULL, 0 }
};

static const struct strategy test_strategy = {
	.api = LIU_STRATEGY_API,
	.name = "probe",
	.state_size = sizeof(struct probe),
	.params = t_params,
	.on_start = t_start,
	.on_bar = t_bar,
	.on_fill = t_fill,
	.on_bar_update = t_update,
};

static FILE *capture;
static int saved_fd = -1;
static const char *feed_err;	/* the engine's message for the last feed */

/* Feed one line; returns the engine's result, or -1 if it did not parse. */
static int
feed(struct eng *e, const char *line)
{
	static struct ev ev = EV_INIT;
	const char *err;
	int r;

	if (ev_parse(&ev, line, strlen(line), &err) < 0)
		return -1;
	fflush(stdout);
	saved_fd = dup(1);
	dup2(fileno(capture), 1);
	err = NULL;
	r = (int)eng_event(e, &ev, &err);
	feed_err = err;
	nd_out_flush();
	dup2(saved_fd, 1);
	close(saved_fd);
	return r;
}

/* Everything the engine wrote so far, and forget it. */
static char *
output(void)
{
	static char buf[8192];
	size_t n;

	fflush(stdout);
	saved_fd = dup(1);
	dup2(fileno(capture), 1);
	nd_out_flush();
	dup2(saved_fd, 1);
	close(saved_fd);
	fflush(capture);
	rewind(capture);
	n = fread(buf, 1, sizeof(buf) - 1, capture);
	buf[n] = '\0';
	rewind(capture);
	if (ftruncate(fileno(capture), 0) < 0)
		return buf;
	return buf;
}

#define TR(t, p, s) "{\"ev\":\"trade\",\"t\":\"2024-03-01T" t "Z\"," \
	"\"sym\":\"X\",\"price\":" p ",\"size\":" s "}"
#define BAR(t, o, h, l, c) "{\"ev\":\"bar\",\"t\":\"2024-03-01T" t "Z\"," \
	"\"sym\":\"X\",\"o\":" o ",\"h\":" h ",\"l\":" l ",\"c\":" c ",\"v\":1}"
#define FILL(id, side, q, p) "{\"ev\":\"fill\"," \
	"\"t\":\"2024-03-01T15:00:00Z\"," \
	"\"sym\":\"X\",\"id\":\"" id "\",\"side\":\"" side "\",\"qty\":" q \
	",\"price\":" p ",\"strategy\":\"probe\"}"

static void
test_bars(void)
{
	struct eng_opts o = ENG_OPTS_INIT;
	struct eng *e = eng_new(&o);
	const struct bar_ring *r;
	struct probe *p;
	const char *err;

	ok(eng_add(e, &test_strategy, &err) == 0, "add the probe");
	feed(e, TR("14:30:01", "10", "1"));
	feed(e, TR("14:30:30", "12", "1"));
	p = NULL;
	ok(the_cx != NULL, "on_start ran on the first event");
	feed(e, TR("14:31:00", "11", "1"));
	r = strat_bars(the_cx, STRAT_TF_1M);
	ok(r && r->len == 1 && bar_ring_ago(r, 0)->c == 12 &&
	    bar_ring_ago(r, 0)->h == 12, "built 14:30 bar: close 12");
	/* the official 14:30 bar replaces it without a second on_bar */
	is_int(feed(e, BAR("14:30:00", "10", "13", "9", "12.5")), ENG_DONE,
	    "official bar accepted");
	ok(bar_ring_ago(r, 0)->h == 13 && bar_ring_ago(r, 0)->c == 12.5,
	    "the official bar replaced the built one");
	/* find the probe's state through a second bar */
	is_int(feed(e, BAR("14:31:00", "11", "11", "11", "11")), ENG_DONE,
	    "next official bar");
	is_int(r->len, 2, "two bars in history");
	is_int(feed(e, BAR("14:30:00", "10", "13", "9", "12.5")), ENG_BAD,
	    "an older bar is time going backwards");
	is_int(feed(e, TR("14:29:00", "11", "1")), ENG_BAD,
	    "an older trade is time going backwards");
	(void)p;
	is_str(strat_symbol(the_cx), "X", "symbol");
	is_dbl(strat_last_price(the_cx), 11, 0, "last price");
	output();
	eng_free(e);
}

/*
 * A symbol's history starts with no room, grows by doubling as bars come
 * and stops at --history, keeping the newest.
 */
static void
test_history(void)
{
	struct eng_opts o = ENG_OPTS_INIT;
	struct eng *e;
	const struct bar_ring *r;
	const char *err;
	char line[256];
	int i;

	o.history = 20;
	e = eng_new(&o);
	eng_add(e, &test_strategy, &err);
	feed(e, TR("14:00:01", "10", "1"));
	r = strat_bars(the_cx, STRAT_TF_1M);
	ok(r->len == 0 && r->cap == 0, "one trade: no bar, no room taken");
	for (i = 0; i < 25; i++) {
		snprintf(line, sizeof(line), BAR("14:%02d:00", "%d", "%d", "%d",
		    "%d"), 30 + i, 10 + i, 10 + i, 10 + i, 10 + i);
		feed(e, line);
		if (i == 4)
			is_int(r->cap, 8, "five bars: room for 8");
		if (i == 8)
			is_int(r->cap, 16, "nine bars: room for 16");
	}
	ok(r->len == 20 && r->cap == 20, "the history stops at --history");
	ok(bar_ring_ago(r, 0)->c == 34 && bar_ring_ago(r, 19)->c == 15,
	    "the newest 20 bars are kept");
	output();
	eng_free(e);
}

/* Past max_symbols, the events of new symbols are refused; others go on. */
static void
test_max_symbols(void)
{
	struct eng_opts o = ENG_OPTS_INIT;
	struct eng *e;
	const char *err;

	o.max_symbols = 1;
	e = eng_new(&o);
	eng_add(e, &test_strategy, &err);
	is_int(feed(e, TR("14:30:01", "10", "1")), ENG_DONE, "X is kept");
	is_int(feed(e, "{\"ev\":\"trade\",\"t\":\"2024-03-01T14:30:02Z\","
	    "\"sym\":\"Y\",\"price\":10,\"size\":1}"), ENG_REFUSED,
	    "a trade of Y is refused");
	is_int(feed(e, "{\"ev\":\"quote\",\"t\":\"2024-03-01T14:30:02Z\","
	    "\"sym\":\"Y\",\"bid\":9,\"ask\":10}"), ENG_REFUSED,
	    "a quote of Y too");
	is_int(feed(e, "{\"ev\":\"bar\",\"t\":\"2024-03-01T14:30:00Z\","
	    "\"sym\":\"Y\",\"tf\":\"1d\",\"o\":1,\"h\":1,\"l\":1,\"c\":1,"
	    "\"v\":1}"), ENG_REFUSED, "a daily bar of Y too");
	is_int(feed(e, "{\"ev\":\"pick\",\"t\":\"2024-03-01T14:30:02Z\","
	    "\"sym\":\"Y\"}"), ENG_REFUSED, "a pick of Y too");
	is_str(feed_err, "symbol \"Y\" refused: --max-symbols 1 reached",
	    "the message names the symbol and the cap");
	is_int(feed(e, "{\"ev\":\"trade\",\"t\":\"2024-03-01T14:30:02Z\","
	    "\"sym\":\"Y\",\"price\":-1,\"size\":1}"), ENG_BAD,
	    "a bad trade of Y is bad first");
	ok(strstr(feed_err, "trade price") != NULL, "with its own message");
	is_int(feed(e, TR("14:30:03", "11", "1")), ENG_DONE, "X goes on");
	output();
	eng_free(e);
}

static void
test_positions(void)
{
	struct eng_opts o = ENG_OPTS_INIT;
	struct eng *e;
	struct strat_order so = STRAT_ORDER_INIT;
	const char *err, *out;

	o.batch = "B";
	e = eng_new(&o);
	eng_add(e, &test_strategy, &err);
	is_int(eng_param(e, "alpha=2", &err), 0, "global param");
	is_int(eng_param(e, "probe.alpha=3", &err), 0, "strategy param");
	is_int(eng_param(e, "probe.beta=3", &err), -1, "unknown param");
	is_int(eng_param(e, "nope.alpha=3", &err), -1, "unknown strategy");
	is_int(eng_param(e, "alpha=inf", &err), -1, "infinite value");
	buy_on_bar = 1;
	feed(e, BAR("14:30:00", "10", "10", "10", "10"));
	is_dbl(strat_param(the_cx, "alpha"), 3, 0, "NAME.key wins");
	is_dbl(strat_param(the_cx, "portfolio_value"), 100000, 0,
	    "engine default");
	ok(isnan(strat_param(the_cx, "nope")), "unknown key is NaN");
	out = output();
	ok(strstr(out, "\"id\":\"B-probe-X-1\"") != NULL, "id with batch");
	ok(strstr(out, "\"why\":{\"reason\":\"test\",\"x\":1.5}") != NULL,
	    "why object");
	is_int(strat_open_orders(the_cx), 1, "one open order");
	is_int(feed(e, FILL("B-probe-X-1", "buy", "40", "10")), ENG_DONE,
	    "partial fill");
	is_int(feed(e, FILL("B-probe-X-1", "buy", "60", "11")), ENG_DONE,
	    "rest of the fill");
	is_dbl(strat_position(the_cx), 100, 0, "long 100");
	is_dbl(strat_avg_cost(the_cx), 10.6, 1e-12, "cost (400 + 660) / 100");
	is_dbl(strat_stop_loss(the_cx), 9, 0, "stop from the order");
	is_int(feed(e, FILL("B-probe-X-1", "buy", "1", "11")), ENG_BAD,
	    "a fill after the last one is for an unknown order");
	is_dbl(strat_position(the_cx), 100, 0, "position unchanged");

	so.side = SIDE_SELL;
	so.qty = 101;
	is_int(strat_order(the_cx, &so), -1, "cannot sell more than held");
	so.qty = 0;
	is_int(strat_order(the_cx, &so), -1, "zero quantity refused");
	so.qty = 2.5;
	is_int(strat_order(the_cx, &so), -1, "fractional quantity refused");
	so.qty = 30;
	is_int(strat_order(the_cx, &so), 0, "sell 30");
	so.qty = 71;
	is_int(strat_order(the_cx, &so), -1, "pending sells count as sold");
	so.side = SIDE_SELL_SHORT;
	so.qty = 1;
	is_int(strat_order(the_cx, &so), -1, "no short while long");
	output();
	is_int(feed(e, FILL("B-probe-X-2", "sell", "30", "12")), ENG_DONE,
	    "sell filled");
	is_dbl(strat_position(the_cx), 70, 0, "70 left");
	is_dbl(strat_realized(the_cx), 30 * 1.4, 1e-9, "realized 30 x 1.4");
	is_dbl(strat_avg_cost(the_cx), 10.6, 1e-12, "cost unchanged");
	strat_exit(the_cx, "done");
	out = output();
	ok(strstr(out, "\"id\":\"B-probe-X-3\",\"side\":\"sell\",\"qty\":70")
	    != NULL, "exit sells the rest");
	strat_exit(the_cx, "again");
	ok(strlen(output()) == 0, "a second exit adds nothing");
	feed(e, FILL("B-probe-X-3", "sell", "70", "10"));
	is_dbl(strat_position(the_cx), 0, 0, "flat");
	ok(isnan(strat_avg_cost(the_cx)) && isnan(strat_stop_loss(the_cx)),
	    "flat: no cost, no stop");
	is_dbl(strat_realized(the_cx), 42 - 70 * 0.6, 1e-9, "realized total");
	ok(!strat_can_enter(the_cx), "cooling down after the exit");
	strat_drop(the_cx, "enough");
	out = output();
	ok(strstr(out, "\"ev\":\"drop\"") && strstr(out, "\"why\":\"enough\""),
	    "drop event");
	so.side = SIDE_BUY;
	so.qty = 1;
	is_int(strat_order(the_cx, &so), -1, "no entry once rejected");
	buy_on_bar = -1;
	output();
	eng_free(e);
}

#define UBAR(t, o, h, l, c) "{\"ev\":\"bar\",\"t\":\"2024-03-01T" t "Z\"," \
	"\"sym\":\"X\",\"o\":" o ",\"h\":" h ",\"l\":" l ",\"c\":" c \
	",\"v\":1,\"updated\":true}"

/* the probe as a strategy of API 1, and of a version to come */
static const struct strategy probe_v1 = {
	.api = 1,
	.name = "probe",
	.state_size = sizeof(struct probe),
	.on_start = t_start,
	.on_bar = t_bar,
	.on_bar_update = t_update,	/* not read: API 1 has no such member */
};
static const struct strategy probe_v4 = {
	.api = LIU_STRATEGY_API + 1, .name = "probe"
};

/*
 * An updated bar replaces the last bar in the history, goes to
 * on_bar_update (API 2) and not to on_bar, and fills nothing: the order
 * sent on the bar it replaces fills on the next bar.
 */
static void
test_updated(void)
{
	struct eng_opts o = ENG_OPTS_INIT;
	struct eng *e;
	const struct bar_ring *r;
	struct probe *p;
	const char *err, *out;

	o.fill_sim = 1;
	e = eng_new(&o);
	eng_add(e, &test_strategy, &err);
	buy_on_bar = 1;
	feed(e, BAR("14:30:00", "10", "10", "10", "10"));
	buy_on_bar = -1;
	p = the_probe;
	r = strat_bars(the_cx, STRAT_TF_1M);
	output();
	is_int(feed(e, UBAR("14:30:00", "9", "10.5", "9", "10.4")), ENG_DONE,
	    "updated bar accepted");
	ok(r->len == 1 && bar_ring_ago(r, 0)->c == 10.4 &&
	    bar_ring_ago(r, 0)->l == 9, "it replaced the bar in the history");
	ok(p->nbars == 1 && p->nupdates == 1 && p->was_c == 10 &&
	    p->last_c == 10.4, "on_bar_update, with both bars, not on_bar");
	is_int(strat_open_orders(the_cx), 1, "the order is not filled on it");
	is_int(strlen(output()), 0, "nothing written");
	feed(e, BAR("14:31:00", "10.5", "10.6", "10.5", "10.6"));
	out = output();
	ok(strstr(out, "\"ev\":\"fill\"") && strstr(out, "\"price\":10.5"),
	    "filled at the next bar's open");
	feed(e, UBAR("14:31:00", "10.5", "10.9", "10.5", "10.8"));
	feed(e, UBAR("14:31:00", "10.5", "10.9", "10.5", "10.7"));
	ok(p->nbars == 2 && p->nupdates == 3 && p->was_c == 10.8 &&
	    p->last_c == 10.7, "updated twice: each replaces the one before");
	is_int(feed(e, UBAR("14:30:00", "9", "10", "9", "10")), ENG_BAD,
	    "an updated bar older than the last official: time backwards");
	/* a new time is a bar */
	feed(e, UBAR("14:32:00", "10.7", "10.7", "10.7", "10.7"));
	ok(p->nbars == 3 && p->nupdates == 3 && r->len == 3,
	    "an updated bar for a new time goes to on_bar");
	output();
	eng_free(e);

	/* API 1: loaded, but on_bar_update is not its member */
	e = eng_new(&o);
	is_int(eng_add(e, &probe_v1, &err), 0, "a strategy of API 1 loads");
	feed(e, BAR("14:30:00", "10", "10", "10", "10"));
	feed(e, UBAR("14:30:00", "10", "11", "10", "11"));
	ok(the_probe->nbars == 1 && the_probe->nupdates == 0,
	    "API 1: neither on_bar nor on_bar_update for the replacement");
	eng_free(e);
	e = eng_new(&o);
	is_int(eng_add(e, &probe_v4, &err), -1, "a later API is refused");
	is_str(err, "strategy API version mismatch", "says why");
	output();
	eng_free(e);
}

static void
test_sim_short(void)
{
	struct eng_opts o = ENG_OPTS_INIT;
	struct eng *e;
	struct strat_order so = STRAT_ORDER_INIT;
	const char *err, *out;

	o.fill_sim = 1;
	o.commission = 0.01;
	e = eng_new(&o);
	eng_add(e, &test_strategy, &err);
	feed(e, BAR("14:30:00", "10", "10", "10", "10"));
	so.side = SIDE_SELL_SHORT;
	so.qty = 10;
	so.stop_loss = 11;
	so.target = 8;
	is_int(strat_order(the_cx, &so), 0, "short 10");
	feed(e, BAR("14:31:00", "9.9", "10.2", "9.5", "10"));
	is_dbl(strat_position(the_cx), -10, 0, "short 10 at the open");
	is_dbl(strat_avg_cost(the_cx), 9.9, 0, "cost 9.9");
	output();
	/* high 11.5 reaches the stop 11: cover at the next bar's open */
	feed(e, BAR("14:32:00", "10.5", "11.5", "10.4", "11"));
	out = output();
	ok(strstr(out, "\"side\":\"buy_to_cover\",\"qty\":10") &&
	    strstr(out, "\"reason\":\"stop\""), "stop exit for the short");
	feed(e, BAR("14:33:00", "11.2", "11.3", "11", "11.1"));
	out = output();
	ok(strstr(out, "\"price\":11.2,\"fee\":0.1") != NULL,
	    "covered at 11.2 with commission 0.1");
	is_dbl(strat_position(the_cx), 0, 0, "flat");
	is_dbl(strat_realized(the_cx), (9.9 - 11.2) * 10 - 0.2, 1e-9,
	    "realized with fees");
	eng_free(e);
}

#define UPDATE(id, st) "{\"ev\":\"order_update\"," \
	"\"t\":\"2024-03-01T15:00:01Z\",\"id\":\"" id "\",\"status\":\"" st \
	"\"}"
#define XFILL(id, side, q, p, x) "{\"ev\":\"fill\"," \
	"\"t\":\"2024-03-01T15:00:00Z\",\"sym\":\"X\",\"id\":\"" id "\"," \
	"\"exec_id\":\"" x "\",\"side\":\"" side "\",\"qty\":" q \
	",\"price\":" p "}"

/*
 * strat_cancel_all(): a cancel goes out for every open order.  With sim
 * fills they are gone at once; live they stay (open orders, what may
 * still fill) until their final update, and a fill that crossed the
 * cancel counts.
 */
static void
test_cancels(void)
{
	struct eng_opts o = ENG_OPTS_INIT;
	struct eng *e;
	struct strat_order so = STRAT_ORDER_INIT;
	const char *err, *out;

	o.fill_sim = 1;
	e = eng_new(&o);
	eng_add(e, &test_strategy, &err);
	feed(e, BAR("14:30:00", "10", "10", "10", "10"));
	so.side = SIDE_BUY;
	so.qty = 10;
	so.type = "limit";
	so.limit = 9;
	is_int(strat_order(the_cx, &so), 0, "sim: a limit buy");
	output();
	strat_cancel_all(the_cx);
	out = output();
	ok(strstr(out, "{\"ev\":\"cancel\",\"t\":\"2024-03-01T14:31:00Z\","
	    "\"sym\":\"X\",\"id\":\"probe-X-1\",\"strategy\":\"probe\","
	    "\"why\":{\"reason\":\"cancel_all\"}}") != NULL,
	    "sim: the cancel is written");
	is_int(strat_open_orders(the_cx), 0, "sim: gone at once");
	feed(e, BAR("14:31:00", "8", "8", "8", "8"));
	is_dbl(strat_position(the_cx), 0, 0, "sim: it never fills");
	eng_free(e);

	o.fill_sim = 0;
	o.start = 1709301600000000000LL;	/* lt8q1fk0 ms, base 36 */
	e = eng_new(&o);
	eng_add(e, &test_strategy, &err);
	feed(e, BAR("14:30:00", "10", "10", "10", "10"));
	is_int(strat_order(the_cx, &so), 0, "live: a limit buy");
	out = output();
	ok(strstr(out, "\"id\":\"probe-X-lt8q1fk0-1\"") != NULL,
	    "live: the id has the start's stamp");
	strat_cancel_all(the_cx);
	strat_cancel_all(the_cx);
	out = output();
	ok((out = strstr(out, "\"ev\":\"cancel\"")) != NULL &&
	    strstr(out + 1, "\"ev\":\"cancel\"") == NULL,
	    "live: one cancel, however often asked");
	is_int(strat_open_orders(the_cx), 1, "live: still open");
	ok(!strat_can_enter(the_cx), "live: no entry while it may fill");
	so.qty = 1;
	is_int(strat_order(the_cx, &so), 0, "live: a second order");
	output();
	is_int(feed(e, XFILL("probe-X-lt8q1fk0-1", "buy", "4", "9", "x1")),
	    ENG_DONE, "live: a fill that crossed the cancel counts");
	is_dbl(strat_position(the_cx), 4, 0, "live: long 4");
	is_int(feed(e, XFILL("probe-X-lt8q1fk0-1", "buy", "4", "9", "x1")),
	    ENG_DONE, "live: the same fill again is taken");
	is_dbl(strat_position(the_cx), 4, 0, "live: and counted once");
	is_int(feed(e, UPDATE("probe-X-lt8q1fk0-1", "pending_cancel")),
	    ENG_DONE, "live: pending_cancel");
	is_int(strat_open_orders(the_cx), 2, "live: pending_cancel is not "
	    "final");
	is_int(feed(e, UPDATE("probe-X-lt8q1fk0-1", "canceled")), ENG_DONE,
	    "live: canceled");
	is_int(strat_open_orders(the_cx), 1, "live: the final update ends it");
	is_int(feed(e, XFILL("probe-X-lt8q1fk0-1", "buy", "1", "9", "x2")),
	    ENG_BAD, "live: a fill after the final update is unknown");
	is_int(feed(e, XFILL("probe-X-1", "buy", "1", "9", "x3")), ENG_PASS,
	    "live: an id without our stamp is not ours");
	eng_free(e);
}

#define LEGFILL(leg, q, partial, x) "{\"ev\":\"fill\"," \
	"\"t\":\"2024-03-01T15:00:00Z\",\"sym\":\"X\"," \
	"\"id\":\"probe-X-1-" leg "\",\"exec_id\":\"" x "\"," \
	"\"side\":\"sell\",\"qty\":" q ",\"price\":9,\"partial\":" partial \
	",\"parent\":\"probe-X-1\"}"
#define LEGUPDATE(leg, st) "{\"ev\":\"order_update\"," \
	"\"t\":\"2024-03-01T15:00:01Z\",\"sym\":\"X\"," \
	"\"id\":\"probe-X-1-" leg "\",\"status\":\"" st "\"," \
	"\"parent\":\"probe-X-1\"}"

/* The count of "needle" in "s". */
static int
count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s++;
	}
	return n;
}

/*
 * A bracket, live: the entry goes out with "bracket":true; the broker's
 * legs, probe-X-1-stop and probe-X-1-target, fill on the exit side, at
 * most what the entry filled; a sell of the strategy's own first takes the
 * exits back, and goes once both legs are done.
 */
static void
test_bracket(void)
{
	struct eng_opts o = ENG_OPTS_INIT;
	struct eng *e;
	struct strat_order so = STRAT_ORDER_INIT;
	const char *err, *out;

	e = eng_new(&o);
	eng_add(e, &test_strategy, &err);
	is_int(eng_param(e, "probe.bracket=1", &err), 0, "bracket=1");
	buy_on_bar = 1;
	feed(e, BAR("14:30:00", "10", "10", "10", "10"));
	buy_on_bar = -1;
	out = output();
	ok(strstr(out, "\"strategy\":\"probe\",\"bracket\":true,"
	    "\"stop_loss\":9,\"target\":20,") != NULL, "the bracket entry");
	is_int(feed(e, XFILL("probe-X-1", "buy", "100", "10", "b1")),
	    ENG_DONE, "entry filled");
	is_int(strat_open_orders(the_cx), 1, "the bracket lives on");
	is_int(feed(e, LEGUPDATE("stop", "new")), ENG_DONE, "a leg: ours");
	is_int(feed(e, LEGUPDATE("target", "new")), ENG_DONE, "the other");
	feed(e, BAR("14:31:00", "10", "10", "8", "8"));
	ok(strlen(output()) == 0, "the stop is reached: no exit of ours");
	is_int(feed(e, LEGFILL("stop", "101", "false", "b2")), ENG_BAD,
	    "a leg's fill beyond what the entry filled is bad");
	is_int(feed(e, LEGFILL("stop-x", "1", "false", "b4")), ENG_BAD,
	    "a fill of no leg of ours is bad");
	is_int(feed(e, LEGFILL("stop", "40", "true", "b3")), ENG_DONE,
	    "the broker's stop fills 40");
	is_dbl(strat_position(the_cx), 60, 0, "60 left");
	so.side = SIDE_SELL;
	so.qty = 10;
	so.reason = "mine";
	is_int(strat_order(the_cx, &so), -1, "a sell of our own waits");
	out = output();
	ok(count(out, "\"ev\":\"cancel\"") == 1 &&
	    strstr(out, "\"id\":\"probe-X-1\"") &&
	    strstr(out, "\"reason\":\"mine\"") && !strstr(out, "\"order\""),
	    "the exits are taken back first");
	feed(e, LEGUPDATE("stop", "canceled"));
	is_int(strat_order(the_cx, &so), -1, "one leg may still fill");
	is_int(count(output(), "\"ev\":\"cancel\""), 0, "no second cancel");
	feed(e, LEGUPDATE("target", "canceled"));
	is_int(strat_open_orders(the_cx), 0, "both legs done: it ends");
	is_int(strat_order(the_cx, &so), 0, "now the sell goes");
	output();
	eng_free(e);

	/*
	 * Cancelled while its entry is working: the broker places legs for
	 * the shares filled, which the engine cancels in turn.
	 */
	e = eng_new(&o);
	eng_add(e, &test_strategy, &err);
	eng_param(e, "probe.bracket=1", &err);
	buy_on_bar = 1;
	feed(e, BAR("14:30:00", "10", "10", "10", "10"));
	buy_on_bar = -1;
	feed(e, XFILL("probe-X-1", "buy", "40", "10", "c1"));
	output();
	strat_exit(the_cx, "out");
	out = output();
	ok(count(out, "\"ev\":\"cancel\"") == 1 && !strstr(out, "\"order\""),
	    "exit: the entry is cancelled, nothing sold yet");
	is_int(feed(e, UPDATE("probe-X-1", "canceled")), ENG_DONE,
	    "the entry is over");
	is_int(strat_open_orders(the_cx), 1, "its legs are to come");
	feed(e, LEGUPDATE("stop", "new"));
	feed(e, LEGUPDATE("target", "new"));
	out = output();
	ok(count(out, "\"ev\":\"cancel\"") == 1 &&
	    strstr(out, "\"reason\":\"out\""), "the legs are cancelled too");
	feed(e, LEGUPDATE("stop", "canceled"));
	feed(e, LEGUPDATE("target", "canceled"));
	strat_exit(the_cx, "out");
	out = output();
	ok(strstr(out, "\"side\":\"sell\",\"qty\":40") != NULL,
	    "then the engine sells the 40");
	eng_free(e);
}

/* "momentum" names momentum_long; no strategy may take it as its name. */
static void
test_aliases(void)
{
	static const struct strategy alias_strategy = {
		.api = LIU_STRATEGY_API,
		.name = "momentum",
	};
	struct eng_opts o = ENG_OPTS_INIT;
	struct eng *e = eng_new(&o);
	const char *err = NULL, *name = "vwap_long";

	is_str(eng_strategy_name("momentum"), "momentum_long", "the alias");
	ok(eng_strategy_name(name) == name, "another name stands for itself");
	is_str(eng_strategy_name("momentum_"), "momentum_", "no prefix match");
	is_int(eng_add(e, &alias_strategy, &err), -1, "an alias as a name");
	is_str(err, "strategy name is an alias of a built-in", "says why");
	is_int(eng_add(e, &strat_momentum_long, &err), 0, "the real one");
	is_int(eng_param(e, "momentum.risk=0.02", &err), 0,
	    "a parameter through the alias");
	eng_free(e);
}

int
main(void)
{
	capture = tmpfile();
	if (capture == NULL)
		return 1;
	test_bars();
	test_history();
	test_max_symbols();
	test_positions();
	test_sim_short();
	test_updated();
	test_cancels();
	test_bracket();
	test_aliases();
	return done_testing();
}
