/*
 * Unit tests of lib/event.c: ev_parse() for every event type (required
 * fields, wrong types, nulls, sides), the pass-through of unknown types and
 * unknown fields by ev_format(), round trips of canonical lines, and
 * ev_head() on tricky lines.  Every expected line is written by hand.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "buf.h"
#include "event.h"
#include "tm.h"
#include "banned.h"

enum { N = 'N', STR = 'S', SIDE = 'D' };

struct req {
	const char *name;
	int kind;
};

struct canon {
	enum ev_type type;
	const char *line;
	struct req req[8];	/* the required fields */
};

static const struct canon canon[] = {
	{ EV_TRADE, "{\"ev\":\"trade\","
	    "\"t\":\"2024-03-01T14:30:00.123456789Z\","
	    "\"sym\":\"AAPL\",\"price\":447.3422,\"size\":100,\"x\":\"V\","
	    "\"cond\":[\"@\",\"T\"],\"tape\":\"C\",\"synthetic\":true}",
	    { { "sym", STR }, { "price", N }, { "size", N } } },
	{ EV_QUOTE, "{\"ev\":\"quote\",\"t\":\"2024-03-01T14:30:00.5Z\","
	    "\"sym\":\"MSFT\",\"bid\":410.1,\"bid_size\":300,\"ask\":410.12,"
	    "\"ask_size\":200,\"bx\":\"Q\",\"ax\":\"P\"}",
	    { { "sym", STR }, { "bid", N }, { "ask", N } } },
	{ EV_BAR, "{\"ev\":\"bar\",\"t\":\"2024-03-01T14:30:00Z\","
	    "\"sym\":\"AAPL\",\"tf\":\"1m\",\"o\":180.1,\"h\":181,"
	    "\"l\":179.95,\"c\":180.5,\"v\":12345,\"vw\":180.3321,\"n\":87}",
	    { { "sym", STR }, { "o", N }, { "h", N }, { "l", N }, { "c", N },
	    { "v", N } } },
	{ EV_PICK, "{\"ev\":\"pick\",\"t\":\"2024-03-01T14:30:00Z\","
	    "\"sym\":\"TSLA\",\"scanner\":\"momentum\","
	    "\"strategies\":[\"momentum_long\",\"vwap_long\"],"
	    "\"change\":0.051,\"rvol\":3.2}",
	    { { "sym", STR } } },
	{ EV_DROP, "{\"ev\":\"drop\",\"t\":\"2024-03-01T15:00:00Z\","
	    "\"sym\":\"TSLA\",\"strategy\":\"momentum_long\","
	    "\"why\":\"stale \\\"feed\\\"\"}",
	    { { "sym", STR } } },
	{ EV_ORDER, "{\"ev\":\"order\",\"t\":\"2024-03-01T14:30:00.5Z\","
	    "\"sym\":\"AAPL\",\"id\":\"ml-1\",\"side\":\"buy\",\"qty\":10,"
	    "\"type\":\"stop_limit\",\"limit\":180.5,\"stop\":179.95,"
	    "\"tif\":\"day\",\"strategy\":\"momentum_long\",\"batch\":\"b1\","
	    "\"stop_loss\":178,\"target\":185,"
	    "\"why\":{\"rsi\":28.5,\"ema\":\"x\"}}",
	    { { "sym", STR }, { "id", STR }, { "side", SIDE }, { "qty", N } } },
	{ EV_FILL, "{\"ev\":\"fill\",\"t\":\"2024-03-01T14:30:01Z\","
	    "\"sym\":\"AAPL\",\"id\":\"ml-1\",\"order_id\":\"9f1c\","
	    "\"exec_id\":\"ml-1-1\",\"side\":\"sell_short\",\"qty\":5,"
	    "\"price\":180.51,\"fee\":0.01,\"partial\":true,"
	    "\"strategy\":\"momentum_long\",\"batch\":\"b1\","
	    "\"stop_loss\":178,\"target\":185,\"synthetic\":true}",
	    { { "sym", STR }, { "id", STR }, { "side", SIDE }, { "qty", N },
	    { "price", N } } },
	{ EV_ORDER_UPDATE, "{\"ev\":\"order_update\","
	    "\"t\":\"2024-03-01T14:30:02Z\",\"sym\":\"AAPL\",\"id\":\"ml-1\","
	    "\"order_id\":\"9f1c\",\"status\":\"canceled\","
	    "\"why\":\"timeout\"}",
	    { { "id", STR }, { "status", STR } } },
	{ EV_CLOCK, "{\"ev\":\"clock\",\"t\":\"2024-03-01T21:00:00Z\"}",
	    { { NULL, 0 } } },
	/* every order field, in order (not an order a broker would take) */
	{ EV_ORDER, "{\"ev\":\"order\",\"t\":\"2024-03-01T14:31:00Z\","
	    "\"sym\":\"AAPL\",\"id\":\"ml-2\",\"side\":\"sell\",\"qty\":10,"
	    "\"type\":\"trailing_stop\",\"trail_price\":0.5,"
	    "\"trail_percent\":0.25,\"tif\":\"gtc\",\"extended_hours\":true,"
	    "\"horizon\":\"swing\",\"strategy\":\"momentum_long\","
	    "\"batch\":\"b1\",\"parent\":\"ml-1\",\"bracket\":false,"
	    "\"stop_loss\":178,\"target\":185,\"why\":{\"reason\":\"trail\"}}",
	    { { "sym", STR }, { "id", STR }, { "side", SIDE }, { "qty", N } } },
	{ EV_ORDER_UPDATE, "{\"ev\":\"order_update\","
	    "\"t\":\"2024-03-01T14:30:03Z\",\"sym\":\"AAPL\",\"id\":\"ml-1\","
	    "\"order_id\":\"9f1c\",\"status\":\"partially_filled\","
	    "\"filled_qty\":4,\"strategy\":\"momentum_long\",\"batch\":\"b1\","
	    "\"parent\":\"ml-0\"}",
	    { { "id", STR }, { "status", STR } } },
	{ EV_CANCEL, "{\"ev\":\"cancel\",\"t\":\"2024-03-01T14:30:04Z\","
	    "\"sym\":\"AAPL\",\"id\":\"ml-1\",\"strategy\":\"momentum_long\","
	    "\"batch\":\"b1\",\"why\":{\"reason\":\"flatten\"}}",
	    { { "sym", STR }, { "id", STR } } },
	{ EV_POSITION, "{\"ev\":\"position\",\"t\":\"2024-03-01T13:30:00Z\","
	    "\"sym\":\"AAPL\",\"qty\":-25,\"avg_price\":180.25,"
	    "\"strategy\":\"vwap_short\",\"portfolio\":\"main\"}",
	    { { "sym", STR }, { "qty", N } } },
};
#define NCANON (sizeof(canon) / sizeof(canon[0]))

/*
 * A copy of a canonical line with member 'key' removed (val NULL) or its
 * value replaced.  Values in the canonical lines hold no ',' or '}'.
 */
static char *
edit(const char *line, const char *key, const char *val)
{
	struct buf b = BUF_INIT, k = BUF_INIT;
	const char *p, *e;

	buf_addf(&k, ",\"%s\":", key);
	p = strstr(line, buf_cstr(&k));
	if (!p) {
		printf("# no %s in %s\n", key, line);
		exit(1);
	}
	e = p + k.len;
	if (*e == '"')
		e = strchr(e + 1, '"') + 1;
	else
		e += strcspn(e, ",}");
	buf_add(&b, line, (size_t)(p - line));
	if (val) {
		buf_add(&b, k.p, k.len);
		buf_adds(&b, val);
	}
	buf_adds(&b, e);
	buf_release(&k);
	return (char *)buf_cstr(&b);
}

/* ev_parse a C string; on failure *err is the message. */
static int
parse(struct ev *e, const char *line, const char **err)
{
	*err = NULL;
	return ev_parse(e, line, strlen(line), err);
}

/* ev_format(ev_parse(in)) == want */
static void
is_format(struct ev *e, const char *in, const char *want, const char *name)
{
	static struct buf b = BUF_INIT;
	const char *err;

	buf_reset(&b);
	if (parse(e, in, &err) < 0) {
		ok(0, "%s (parse: %s)", name, err);
		return;
	}
	ev_format(e, &b);
	is_str(buf_cstr(&b), want, "%s", name);
}

/* ev_parse(in) fails with exactly the message want */
static void
is_err(struct ev *e, const char *in, const char *want, const char *name)
{
	const char *err;
	int rc = parse(e, in, &err);

	if (!ok(rc == -1 && err && strcmp(err, want) == 0, "%s: %s", name,
	    want))
		printf("#   rc %d, err '%s'\n#   line %s\n", rc,
		    err ? err : "(null)", in);
}

static void
test_canonical(void)
{
	struct ev e = EV_INIT;
	const char *err;
	size_t i;

	for (i = 0; i < NCANON; i++) {
		is_format(&e, canon[i].line, canon[i].line,
		    ev_type_name(canon[i].type));
		is_int(e.type, canon[i].type, "%s: type",
		    ev_type_name(canon[i].type));
		is_str(e.evname, ev_type_name(canon[i].type), "%s: evname",
		    ev_type_name(canon[i].type));
	}

	/* the values themselves */
	parse(&e, canon[0].line, &err);
	ok(e.t == 1709303400123456789LL, "trade: t");
	is_str(e.sym, "AAPL", "trade: sym");
	ok(e.price == 447.3422 && e.size == 100, "trade: price, size");
	is_str(e.x, "V", "trade: x");
	is_str(e.tape, "C", "trade: tape");
	ok(e.cond && e.cond_len == 9 && memcmp(e.cond, "[\"@\",\"T\"]", 9) == 0,
	    "trade: cond kept raw");
	is_int(e.synthetic, 1, "trade: synthetic");
	ok(isnan(e.bid) && isnan(e.qty) && e.side == SIDE_NONE &&
	    e.partial == -1 && !e.id && !e.why, "trade: other fields absent");

	parse(&e, canon[1].line, &err);
	ok(e.bid == 410.1 && e.bid_size == 300 && e.ask == 410.12 &&
	    e.ask_size == 200, "quote: numbers");
	ok(e.bx && e.ax && !strcmp(e.bx, "Q") && !strcmp(e.ax, "P"),
	    "quote: bx, ax");
	is_int(e.synthetic, 0, "quote: not synthetic");

	parse(&e, canon[2].line, &err);
	ok(e.o == 180.1 && e.h == 181 && e.l == 179.95 && e.c == 180.5 &&
	    e.v == 12345 && e.vw == 180.3321 && e.n == 87, "bar: numbers");
	is_str(e.tf, "1m", "bar: tf");

	parse(&e, canon[3].line, &err);
	is_str(e.scanner, "momentum", "pick: scanner");
	ok(e.strategies && e.strategies_len == 29 &&
	    memcmp(e.strategies, "[\"momentum_long\",\"vwap_long\"]", 29) == 0,
	    "pick: strategies kept raw");

	parse(&e, canon[4].line, &err);
	is_str(e.strategy, "momentum_long", "drop: strategy");
	ok(e.why && e.why_len == 16 &&
	    memcmp(e.why, "\"stale \\\"feed\\\"\"", 16) == 0,
	    "drop: why string kept raw with its quotes");

	parse(&e, canon[5].line, &err);
	ok(e.id && !strcmp(e.id, "ml-1") && e.side == SIDE_BUY && e.qty == 10,
	    "order: id, side, qty");
	ok(e.otype && !strcmp(e.otype, "stop_limit") && e.limit == 180.5 &&
	    e.stop == 179.95, "order: type, limit, stop");
	ok(e.tif && !strcmp(e.tif, "day") && e.batch && !strcmp(e.batch, "b1")
	    && e.stop_loss == 178 && e.target == 185, "order: tif, batch, "
	    "stop_loss, target");
	ok(e.why && e.why_len == 22 &&
	    memcmp(e.why, "{\"rsi\":28.5,\"ema\":\"x\"}", 22) == 0,
	    "order: why object kept raw");

	parse(&e, canon[6].line, &err);
	ok(e.order_id && !strcmp(e.order_id, "9f1c") && e.exec_id &&
	    !strcmp(e.exec_id, "ml-1-1"), "fill: order_id, exec_id");
	ok(e.side == SIDE_SELL_SHORT && e.qty == 5 && e.price == 180.51 &&
	    e.fee == 0.01 && e.partial == 1, "fill: side, qty, price, fee, "
	    "partial");

	parse(&e, canon[7].line, &err);
	is_str(e.status, "canceled", "order_update: status");
	is_str(e.sym, "AAPL", "order_update: sym");

	parse(&e, canon[8].line, &err);
	ok(e.t == 1709326800LL * TM_NS_PER_SEC && e.sym == NULL, "clock: t");

	parse(&e, canon[9].line, &err);
	ok(e.otype && !strcmp(e.otype, "trailing_stop") &&
	    e.trail_price == 0.5 && e.trail_percent == 0.25,
	    "order: trailing_stop, trail_price, trail_percent");
	ok(e.extended_hours == 1 && e.bracket == 0 && e.horizon &&
	    !strcmp(e.horizon, "swing") && e.parent &&
	    !strcmp(e.parent, "ml-1"), "order: extended_hours, bracket, "
	    "horizon, parent");
	parse(&e, canon[5].line, &err);
	ok(e.extended_hours == -1 && e.bracket == -1 && !e.horizon &&
	    isnan(e.trail_price) && isnan(e.trail_percent),
	    "order: the new fields absent");

	parse(&e, canon[10].line, &err);
	ok(e.status && !strcmp(e.status, "partially_filled") &&
	    e.filled_qty == 4 && e.strategy &&
	    !strcmp(e.strategy, "momentum_long") && e.batch &&
	    !strcmp(e.batch, "b1") && e.parent && !strcmp(e.parent, "ml-0"),
	    "order_update: filled_qty, strategy, batch, parent");

	parse(&e, canon[11].line, &err);
	ok(e.id && !strcmp(e.id, "ml-1") && e.strategy && e.batch &&
	    e.why && e.why_len == 20, "cancel: id, strategy, batch, why");

	parse(&e, canon[12].line, &err);
	ok(e.qty == -25 && e.avg_price == 180.25 && e.portfolio &&
	    !strcmp(e.portfolio, "main") && e.strategy &&
	    !strcmp(e.strategy, "vwap_short"), "position: qty, avg_price, "
	    "strategy, portfolio");
	ev_release(&e);
}

static void
test_required(void)
{
	struct ev e = EV_INIT;
	struct buf want = BUF_INIT;
	const struct req *rq;
	const char *err;
	size_t i;
	char *l;

	for (i = 0; i < NCANON; i++) {
		const char *ty = ev_type_name(canon[i].type);

		for (rq = canon[i].req; rq->name; rq++) {
			l = edit(canon[i].line, rq->name, NULL);
			buf_reset(&want);
			buf_addf(&want, "missing \"%s\"", rq->name);
			is_err(&e, l, buf_cstr(&want), ty);
			free(l);

			/* wrong-typed */
			buf_reset(&want);
			buf_addf(&want, "\"%s\" is not a %s", rq->name,
			    rq->kind == N ? "number" : "string");
			l = edit(canon[i].line, rq->name,
			    rq->kind == N ? "\"1\"" : "5");
			is_err(&e, l, buf_cstr(&want), ty);
			free(l);
			l = edit(canon[i].line, rq->name,
			    rq->kind == N ? "true" : "[\"x\"]");
			is_err(&e, l, buf_cstr(&want), ty);
			free(l);
			l = edit(canon[i].line, rq->name, "{}");
			is_err(&e, l, buf_cstr(&want), ty);
			free(l);

			/* null: as if absent, and required */
			buf_reset(&want);
			buf_addf(&want, "\"%s\" is null", rq->name);
			l = edit(canon[i].line, rq->name, "null");
			is_err(&e, l, buf_cstr(&want), ty);
			free(l);
		}
	}

	/* the common fields */
	is_err(&e, "{\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"A\"}",
	    "missing \"ev\"", "no ev");
	is_err(&e, "{\"ev\":5,\"t\":\"2024-03-01T14:30:00Z\"}",
	    "\"ev\" is not a string", "ev a number");
	is_err(&e, "{\"ev\":null,\"t\":\"2024-03-01T14:30:00Z\"}",
	    "\"ev\" is not a string", "ev null");
	is_err(&e, "{\"ev\":\"trade\",\"sym\":\"A\",\"price\":1,\"size\":1}",
	    "missing \"t\"", "no t");
	is_err(&e, "{\"ev\":\"news\"}", "missing \"t\"", "unknown type, no t");
	is_err(&e, "{\"ev\":\"clock\",\"t\":1709326800}",
	    "bad time in \"t\"", "t a number");
	is_err(&e, "{\"ev\":\"clock\",\"t\":null}", "bad time in \"t\"",
	    "t null");
	is_err(&e, "{\"ev\":\"clock\",\"t\":\"2024-03-01\"}",
	    "bad time in \"t\"", "t a date");
	is_err(&e, "{\"ev\":\"clock\",\"t\":\"2023-02-29T00:00:00Z\"}",
	    "bad time in \"t\"", "t on 2023-02-29");

	/* optional fields are still typed */
	l = edit(canon[0].line, "x", "5");
	is_err(&e, l, "\"x\" is not a string", "trade x");
	free(l);
	l = edit(canon[1].line, "bid_size", "\"300\"");
	is_err(&e, l, "\"bid_size\" is not a number", "quote bid_size");
	free(l);
	l = edit(canon[6].line, "partial", "1");
	is_err(&e, l, "\"partial\" is not true or false", "fill partial");
	free(l);
	l = edit(canon[6].line, "partial", "null");
	ok(parse(&e, l, &err) == 0 && e.partial == -1,
	    "fill partial null is absent");
	free(l);
	l = edit(canon[0].line, "synthetic", "\"true\"");
	is_err(&e, l, "\"synthetic\" is not true or false", "synthetic");
	free(l);
	l = edit(canon[5].line, "limit", "1e400");
	is_err(&e, l, "\"limit\" is not a number", "limit 1e400");
	free(l);

	/* malformed JSON: json.c's message */
	is_err(&e, "{\"ev\":\"clock\",\"t\":\"2024-03-01T21:00:00Z\"",
	    "truncated JSON", "truncated line");
	is_err(&e, "[\"ev\",\"clock\"]", "not a JSON object", "an array");
	ev_release(&e);
	buf_release(&want);
}

static void
test_nulls_and_sides(void)
{
	struct ev e = EV_INIT;
	const char *err;
	char *l;
	int s;

	/* optional fields may be null: absent */
	l = edit(canon[0].line, "x", "null");
	ok(parse(&e, l, &err) == 0 && e.x == NULL, "trade x null is absent");
	free(l);
	l = edit(canon[1].line, "bid_size", "null");
	ok(parse(&e, l, &err) == 0 && isnan(e.bid_size),
	    "quote bid_size null is NAN");
	free(l);
	l = edit(canon[2].line, "tf", "null");
	ok(parse(&e, l, &err) == 0 && e.tf && !strcmp(e.tf, "1m"),
	    "bar tf null is 1m");
	free(l);
	l = edit(canon[2].line, "tf", NULL);
	is_format(&e, l, canon[2].line, "bar without tf gets \"tf\":\"1m\"");
	free(l);
	is_format(&e, "{\"ev\":\"drop\",\"t\":\"2024-03-01T15:00:00Z\","
	    "\"sym\":\"TSLA\",\"why\":null}", "{\"ev\":\"drop\","
	    "\"t\":\"2024-03-01T15:00:00Z\",\"sym\":\"TSLA\"}",
	    "drop why null is left out");

	for (s = SIDE_BUY; s <= SIDE_BUY_TO_COVER; s++) {
		struct buf v = BUF_INIT;

		buf_addf(&v, "\"%s\"", ev_side_name((enum ev_side)s));
		l = edit(canon[5].line, "side", v.p);
		is_format(&e, l, l, v.p);
		is_int(e.side, s, "side %s", v.p);
		free(l);
		buf_release(&v);
	}
	l = edit(canon[5].line, "side", "\"hold\"");
	is_err(&e, l, "bad \"side\": not buy, sell, sell_short or "
	    "buy_to_cover", "side hold");
	free(l);
	l = edit(canon[6].line, "side", "\"BUY\"");
	is_err(&e, l, "bad \"side\": not buy, sell, sell_short or "
	    "buy_to_cover", "side BUY");
	free(l);
	l = edit(canon[6].line, "side", "\"\"");
	is_err(&e, l, "bad \"side\": not buy, sell, sell_short or "
	    "buy_to_cover", "side empty");
	free(l);

	/* partial false is kept; synthetic false is the default */
	l = edit(canon[6].line, "partial", "false");
	ok(parse(&e, l, &err) == 0 && e.partial == 0, "partial false");
	is_format(&e, l, l, "partial false kept");
	free(l);
	ev_release(&e);
}

static void
test_names(void)
{
	int i;

	for (i = 1; i < EV_NTYPES; i++)
		is_int(ev_type_from(ev_type_name((enum ev_type)i)), i,
		    "type name %s", ev_type_name((enum ev_type)i));
	is_str(ev_type_name(EV_OTHER), "", "EV_OTHER has no name");
	is_str(ev_type_name(EV_NTYPES), "", "EV_NTYPES has no name");
	is_int(ev_type_from("Trade"), EV_OTHER, "Trade is not trade");
	is_int(ev_type_from(""), EV_OTHER, "empty type");
	is_int(ev_type_from("trades"), EV_OTHER, "trades");
	for (i = SIDE_BUY; i <= SIDE_BUY_TO_COVER; i++)
		is_int(ev_side_from(ev_side_name((enum ev_side)i)), i,
		    "side name %s", ev_side_name((enum ev_side)i));
	is_int(ev_side_from("short"), SIDE_NONE, "short is no side");
	is_str(ev_side_name(SIDE_NONE), "", "SIDE_NONE has no name");
}

static void
test_other(void)
{
	static const char *const lines[] = {
		"{\"ev\":\"news\",\"t\":\"2024-03-01T14:30:00Z\","
		    "\"headline\":\"a \\\"quoted\\\" \\u00e9 \xc3\xa9\","
		    "\"n\":{\"t\":1,\"x\":[1,2,{\"ev\":\"trade\"}]},\"z\":null,"
		    "\"big\":1.0E+10,\"neg\":-0.0}",
		"{ \"ev\" : \"news\" , \"t\" : \"2024-03-01T14:30:00.000Z\" , "
		    "\"k\" : [ 1 , 2 ] }",
		"{\"t\":\"2024-03-01 14:30:00+05:30\",\"ev\":\"Trade\","
		    "\"price\":\"not checked\",\"size\":[]}",
		"{\"ev\":\"heartbeat\",\"t\":\"2024-03-01T14:30:00Z\","
		    "\"sym\":\"AAPL\",\"x\":1}",
	};
	struct ev e = EV_INIT;
	const char *err;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		is_format(&e, lines[i], lines[i], "unknown type passes "
		    "through byte for byte");
		is_int(e.type, EV_OTHER, "unknown type is EV_OTHER");
	}
	is_str(e.evname, "heartbeat", "evname of an unknown type");

	/*
	 * A trade's "id" is the provider's, a number or a string: it is not
	 * read into e.id (the client order id) and passes through untouched.
	 */
	rc = parse(&e, "{\"ev\":\"trade\",\"t\":\"2024-03-01T14:30:00Z\","
	    "\"sym\":\"A\",\"id\":\"t1\",\"price\":1,\"size\":1}", &err);
	if (!ok(rc == 0 && !e.id,
	    "a trade's \"id\" is not a client order id"))
		printf("#   rc %d id %s\n", rc, e.id ? e.id : "(null)");
	if (rc == 0) {
		struct buf b = BUF_INIT;

		ev_format(&e, &b);
		ok(strstr(buf_cstr(&b), ",\"id\":\"t1\"") != NULL,
		    "a trade's id is written back either way");
		buf_release(&b);
	}

	/* valid with ev and t, and a string sym and boolean synthetic */
	is_err(&e, "{\"ev\":\"news\",\"t\":\"2024-03-01T14:30:00Z\","
	    "\"sym\":5}", "\"sym\" is not a string", "unknown type, sym 5");
	is_err(&e, "{\"ev\":\"news\",\"t\":\"2024-03-01T14:30:00Z\","
	    "\"synthetic\":\"yes\"}", "\"synthetic\" is not true or false",
	    "unknown type, synthetic \"yes\"");
	is_err(&e, "{\"ev\":\"\",\"t\":\"2024-03-01T14:30:00Z\"}",
	    "bad \"ev\": not 1 to 64 printable ASCII characters",
	    "an empty ev");
	ev_release(&e);
}

static void
test_unknown_fields(void)
{
	struct ev e = EV_INIT;
	struct buf in = BUF_INIT, want = BUF_INIT;
	const char *err;
	int i, rc;

	is_format(&e,
	    "{\"ev\":\"trade\","
	    "\"zz\":{\"t\":\"x\",\"a\":[1,{\"b\":\"c\\\"d\"}]},"
	    "\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"AAPL\","
	    "\"k\\\"ey\":\"v\\\\al\\u00e9\",\"price\":1.5,\"big\":1.0E+10,"
	    "\"size\":10,\"neg\":-0.0,\"bid\":3,\"n\":null,"
	    "\"arr\":[ 1 , 2 ],\"e\\u0077\":\"x\"}",
	    "{\"ev\":\"trade\",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"AAPL\","
	    "\"price\":1.5,\"size\":10,"
	    "\"zz\":{\"t\":\"x\",\"a\":[1,{\"b\":\"c\\\"d\"}]},"
	    "\"k\\\"ey\":\"v\\\\al\\u00e9\",\"big\":1.0E+10,\"neg\":-0.0,"
	    "\"bid\":3,\"n\":null,\"arr\":[ 1 , 2 ],\"e\\u0077\":\"x\"}",
	    "unknown fields follow the known ones, in order, byte for byte");
	is_format(&e,
	    "{\"ev\":\"quote\",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"A\","
	    "\"price\":5,\"bid\":1,\"ask\":2,\"status\":\"x\",\"tf\":\"1d\"}",
	    "{\"ev\":\"quote\",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"A\","
	    "\"bid\":1,\"ask\":2,\"price\":5,\"status\":\"x\",\"tf\":\"1d\"}",
	    "other types' fields are unknown fields");
	is_format(&e,
	    "{\"ev\":\"clock\",\"t\":\"2024-03-01T21:00:00Z\",\"sym\":\"SPY\"}",
	    "{\"ev\":\"clock\",\"t\":\"2024-03-01T21:00:00Z\",\"sym\":\"SPY\"}",
	    "sym on a clock is kept");
	is_format(&e,
	    "{\"ev\":\"trade\",\"t\":\"2024-03-01T14:30:00+01:00\","
	    "\"sym\":\"A\\u0042\",\"price\":1,\"size\":2}",
	    "{\"ev\":\"trade\",\"t\":\"2024-03-01T13:30:00Z\","
	    "\"sym\":\"AB\",\"price\":1,\"size\":2}",
	    "known fields are re-encoded");

	/* more unknown fields than the 64-bit mask; known ones among them */
	buf_adds(&in, "{\"ev\":\"trade\"");
	buf_adds(&want, "{\"ev\":\"trade\",\"t\":\"2024-03-01T14:30:00Z\","
	    "\"sym\":\"X\",\"price\":1.25,\"size\":2");
	for (i = 0; i < 70; i++)
		buf_addf(&in, ",\"u%d\":%d", i, i);
	buf_adds(&in, ",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"X\","
	    "\"price\":1.25,\"bid\":7,\"size\":2");
	for (i = 0; i < 70; i++)
		buf_addf(&want, ",\"u%d\":%d", i, i);
	buf_adds(&want, ",\"bid\":7");
	for (i = 0; i < 30; i++) {
		buf_addf(&in, ",\"w%d\":\"s\\\"%d\"", i, i);
		buf_addf(&want, ",\"w%d\":\"s\\\"%d\"", i, i);
	}
	buf_addc(&in, '}');
	buf_addc(&want, '}');
	is_format(&e, buf_cstr(&in), buf_cstr(&want),
	    "100 unknown fields, known fields past the 64th");
	ok(e.price == 1.25 && e.size == 2 && e.sym && !strcmp(e.sym, "X"),
	    "known fields past the 64th are parsed");

	/* a wrong-typed or missing field past the 64th is still caught */
	buf_reset(&in);
	buf_adds(&in, "{\"ev\":\"trade\",\"t\":\"2024-03-01T14:30:00Z\"");
	for (i = 0; i < 80; i++)
		buf_addf(&in, ",\"u%d\":%d", i, i);
	buf_adds(&in, ",\"sym\":\"X\",\"size\":1,\"price\":\"x\"}");
	is_err(&e, buf_cstr(&in), "\"price\" is not a number",
	    "wrong type past the 64th field");
	in.len -= strlen(",\"price\":\"x\"}");
	buf_addc(&in, '}');
	is_err(&e, buf_cstr(&in), "missing \"price\"",
	    "missing field with 80 unknown ones");

	/*
	 * A duplicate "ev": the first pass stores no field for "ev" keys,
	 * but the second pass looks up the earlier one (it is not the last
	 * "ev").  Left over from the previous call here: "price" at member 0.
	 */
	{
		static const char a[] = "{\"price\":\"x\",\"ev\":\"trade\","
		    "\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"A\",\"size\":1}";
		static const char b[] = "{\"ev\":\"trade\",\"ev\":\"trade\","
		    "\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"A\",\"price\":1,"
		    "\"size\":1}";
		const char *err2 = NULL;

		err = NULL;
		rc = ev_parse(&e, a, sizeof(a) - 1, &err);
		rc = ev_parse(&e, b, sizeof(b) - 1, &err2);
		if (!ok(rc == 0 || (err2 && strstr(err2, "\"ev\"")),
		    "a duplicate \"ev\" is not blamed on another field"))
			printf("#   err '%s'\n", err2);
	}
	ev_release(&e);
	buf_release(&in);
	buf_release(&want);
}

static void
test_numbers(void)
{
	static const char head[] = "{\"ev\":\"trade\","
	    "\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"A\",\"price\":";
	static const struct {
		const char *in, *out;
	} num[] = {
		{ "447.3422", "447.3422" }, { "447.34220", "447.3422" },
		{ "1e2", "100" }, { "1.5E+1", "15" }, { "-0", "-0" },
		{ "0.00001", "1e-05" }, { "100.0", "100" },
		{ "12345678901234567", "12345678901234568" },
		{ "0.30000000000000004", "0.30000000000000004" },
	};
	struct ev e = EV_INIT;
	struct buf in = BUF_INIT, want = BUF_INIT, out = BUF_INIT;
	const char *err;
	size_t i;

	for (i = 0; i < sizeof(num) / sizeof(num[0]); i++) {
		buf_reset(&in);
		buf_reset(&want);
		buf_addf(&in, "%s%s,\"size\":1}", head, num[i].in);
		buf_addf(&want, "%s%s,\"size\":1}", head, num[i].out);
		is_format(&e, buf_cstr(&in), buf_cstr(&want), num[i].in);
	}
	/* a number changed after parsing is written from its new value */
	buf_reset(&in);
	buf_addf(&in, "%s447.3422,\"size\":100}", head);
	if (parse(&e, buf_cstr(&in), &err) == 0) {
		e.price = 5.25;
		e.size = 100;
		ev_format(&e, &out);
		buf_reset(&want);
		buf_addf(&want, "%s5.25,\"size\":100}", head);
		is_str(buf_cstr(&out), want.p, "a changed price is re-written");
	} else
		ok(0, "a changed price is re-written (parse: %s)", err);
	ev_release(&e);
	buf_release(&in);
	buf_release(&want);
	buf_release(&out);
}

static void
test_arena(void)
{
	struct ev e = EV_INIT;
	struct buf b = BUF_INIT, in = BUF_INIT;
	const char *err;
	int i, nbad = 0;

	/* every string escaped, many times over, lines growing and shrinking */
	for (i = 0; i < 200; i++) {
		buf_reset(&in);
		buf_addf(&in, "{\"ev\":\"or\\u0064er\","
		    "\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"S\\u0059M%d\","
		    "\"id\":\"i\\\"d\",\"side\":\"s\\u0065ll\",\"qty\":%d,"
		    "\"type\":\"li\\u006dit\",\"tif\":\"\\u0064ay\","
		    "\"strategy\":\"%*s\\n\",\"batch\":\"\\ud83d\\ude00\"}",
		    i, i, i * 37 % 500, "x");
		if (parse(&e, buf_cstr(&in), &err) < 0) {
			if (nbad++ < 3)
				printf("# %s: %s\n", in.p, err);
			continue;
		}
		buf_reset(&b);
		buf_addf(&b, "SYM%d", i);
		if ((e.type != EV_ORDER || strcmp(e.sym, b.p) ||
		    strcmp(e.id, "i\"d") || e.side != SIDE_SELL ||
		    e.qty != i || strcmp(e.otype, "limit") ||
		    strcmp(e.tif, "day") || strlen(e.strategy) !=
		    (size_t)(i * 37 % 500 > 1 ? i * 37 % 500 : 1) + 1 ||
		    strcmp(e.batch, "\xf0\x9f\x98\x80")) && nbad++ < 3)
			printf("# wrong values for %s\n", in.p);
	}
	is_int(nbad, 0, "200 lines of escaped strings decode right");
	ev_clear(&e);
	ok(e.type == EV_OTHER && isnan(e.price) && isnan(e.target) &&
	    e.partial == -1 && !e.sym, "ev_clear empties the event");
	ev_release(&e);
	buf_release(&b);
	buf_release(&in);
}

/*
 * ev_head() on one line: 'err' NULL for a good header (then its decoded
 * ev, raw t and decoded sym are compared), else a part of the message.
 * Both paths are tried: the line as given and, when it is in the usual
 * layout, with EV_HEAD_PREFIX.
 */
static void
is_head(const char *line, const char *err, const char *ev, const char *t,
    const char *sym, const char *name)
{
	struct ev_head h = EV_HEAD_INIT;
	const char *e = NULL;
	size_t n = strlen(line);
	char *copy = malloc(n ? n : 1);	/* no NUL: ASan sees over-reads */
	int got;

	memcpy(copy, line, n);
	got = ev_head(&h, copy, n, 0, &e);
#define SAME(f, w) ((w) ? h.f && h.f##_len == strlen(w) && \
	memcmp(h.f, (w), h.f##_len) == 0 : h.f == NULL)
	if (!ok(err ? got < 0 && strstr(e, err) != NULL : got == 0 &&
	    SAME(ev, ev) && SAME(t, t) && SAME(sym, sym), "ev_head: %s",
	    name)) {
		printf("#   rc %d err '%s'\n", got, got < 0 ? e : "");
		if (got == 0)
			printf("#   ev '%.*s' t '%.*s' sym '%.*s'\n",
			    (int)h.ev_len, h.ev, (int)h.t_len, h.t,
			    h.sym ? (int)h.sym_len : 6,
			    h.sym ? h.sym : "(null)");
	}
#undef SAME
	free(copy);
}

#define T0 "2024-03-01T14:30:00Z"
#define TQ "\"t\":\"" T0 "\""

static void
test_head(void)
{
	struct ev_head h = EV_HEAD_INIT;
	const char *err;

	is_head(canon[0].line, NULL, "trade", "2024-03-01T14:30:00.123456789Z",
	    "AAPL", "canonical trade");
	is_head(canon[8].line, NULL, "clock", "2024-03-01T21:00:00Z", NULL,
	    "clock has no sym");
	is_head("{\"note\":\"he said \\\"ev\\\":\\\"x\\\"\",\"ev\":\"quote\","
	    TQ ",\"sym\":\"A\\\"B\"}", NULL, "quote", T0, "A\"B",
	    "escaped quotes in strings, decoded sym");
	is_head("{\"a\":\"x\\\\\",\"ev\":\"x\"," TQ "}", NULL, "x", T0, NULL,
	    "a string ending in an escaped backslash");
	is_head("{\"why\":{\"t\":\"inner\",\"ev\":\"inner\",\"sym\":\"in\"},"
	    "\"arr\":[{\"t\":\"x\"},\"]}\",[\"{\"]],\"ev\":\"y\"," TQ "}", NULL,
	    "y", T0, NULL, "nested objects with header keys");
	is_head(" \t{ \"ev\" : \"clock\" ,\n \"t\" : \"" T0 "\" } ", NULL,
	    "clock", T0, NULL, "whitespace everywhere");
	is_head("{\"ev\":\"x\",\"n\":-1.5e3,\"b\":false,\"sym\":\"S\"," TQ "}",
	    NULL, "x", T0, "S", "scalars are skipped");
	is_head("{\"evx\":\"a\",\"tt\":\"b\",\"symbol\":\"c\",\"ev\":\"d\","
	    TQ "}", NULL, "d", T0, NULL, "longer and shorter keys differ");

	/* escapes */
	is_head("{\"ev\":\"trade\"," TQ ",\"sym\":\"\\u0041\",\"price\":1}",
	    NULL, "trade", T0, "A", "an escaped symbol is decoded");
	is_head("{\"\\u0065v\":\"bar\",\"\\u0074\":\"" T0 "\","
	    "\"\\u0073ym\":\"B\\/C\"}", NULL, "bar", T0, "B/C",
	    "escaped keys are the header's");
	is_head("{\"ev\":\"tr\\u0061de\"," TQ ",\"sym\":\"A\"}", NULL, "trade",
	    T0, "A", "an escaped type");
	is_head("{\"ev\":\"trade\"," TQ ",\"sym\":\"A\\u0000B\"}",
	    "bad \"sym\"",
	    NULL, NULL, NULL, "\\u0000 in a symbol");
	is_head("{\"ev\":\"trade\"," TQ ",\"sym\":\"A\\nB\"}", "bad \"sym\"",
	    NULL, NULL, NULL, "a newline in a symbol");
	is_head("{\"ev\":\"trade\"," TQ ",\"sym\":\"A B\"}", "bad \"sym\"",
	    NULL, NULL, NULL, "a blank in a symbol");
	is_head("{\"ev\":\"trade\"," TQ ",\"sym\":\"\\u00e9\"}", "bad \"sym\"",
	    NULL, NULL, NULL, "a non-ASCII symbol");
	is_head("{\"ev\":\"trade\"," TQ ",\"sym\":\"\"}", "bad \"sym\"",
	    NULL, NULL, NULL, "an empty symbol");
	is_head("{\"ev\":\"trade\"," TQ ",\"sym\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "012345\"}", NULL, "trade", T0, "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
	    "a 32-byte symbol");
	is_head("{\"ev\":\"trade\"," TQ ",\"sym\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456\"}", "bad \"sym\"", NULL, NULL, NULL, "a 33-byte symbol");

	/* repeated keys, in both layouts */
	is_head("{\"ev\":\"trade\"," TQ ",\"sym\":\"A\",\"sym\":\"AB\"}",
	    "repeated \"sym\"", NULL, NULL, NULL, "a repeated sym");
	is_head("{\"ev\":\"trade\"," TQ ",\"sym\":\"A\",\"price\":1,"
	    "\"\\u0073ym\":\"AB\"}", "repeated \"sym\"", NULL, NULL, NULL,
	    "a repeated sym, escaped");
	is_head("{\"ev\":\"trade\"," TQ ",\"sym\":\"A\"," TQ "}",
	    "repeated \"t\"", NULL, NULL, NULL, "a repeated t");
	is_head("{\"ev\":\"trade\",\"ev\":\"quote\"," TQ "}",
	    "repeated \"ev\"", NULL, NULL, NULL, "a repeated ev");
	is_head("{ \"sym\":\"A\", \"ev\":\"trade\", \"sym\":\"A\"," TQ "}",
	    "repeated \"sym\"", NULL, NULL, NULL, "a repeated sym, blanks");
	is_head("{\"ev\":\"trade\"," TQ ",\"sym\":\"A\",\"x\":\"t\","
	    "\"why\":{\"sym\":\"B\"}}", NULL, "trade", T0, "A",
	    "header names as values and nested keys are not repeats");

	/* the rules */
	is_head("{" TQ ",\"sym\":\"A\"}", "missing \"ev\"", NULL, NULL, NULL,
	    "no ev");
	is_head("{\"ev\":1," TQ "}", "\"ev\" is not a string", NULL, NULL,
	    NULL, "a number ev");
	is_head("{\"ev\":\"\"," TQ "}", "bad \"ev\"", NULL, NULL, NULL,
	    "an empty ev");
	is_head("{\"ev\":\"clock\"}", "missing \"t\"", NULL, NULL, NULL,
	    "no t");
	is_head("{\"ev\":\"clock\",\"t\":5}", "bad time", NULL, NULL, NULL,
	    "a number t");
	is_head("{\"ev\":\"clock\",\"t\":\"2024-02-30T00:00:00Z\"}", "bad time",
	    NULL, NULL, NULL, "an impossible date");
	is_head("{\"ev\":\"clock\",\"t\":\"2016-12-31T23:59:60Z\"}", NULL,
	    "clock", "2016-12-31T23:59:60Z", NULL, "a leap second");
	is_head("{\"ev\":\"clock\",\"t\":\"2024-03-01T09:30:00-05:00\"}", NULL,
	    "clock", "2024-03-01T09:30:00-05:00", NULL, "an offset");
	is_head("{\"ev\":\"trade\"," TQ "}", "missing \"sym\"", NULL, NULL,
	    NULL, "a trade without sym");
	is_head("{\"ev\":\"trade\"," TQ ",\"sym\":null}", "\"sym\" is null",
	    NULL, NULL, NULL, "a trade with a null sym");
	is_head("{\"ev\":\"order_update\"," TQ ",\"sym\":null}", NULL,
	    "order_update", T0, NULL, "an order_update with a null sym");
	is_head("{\"ev\":\"note\"," TQ ",\"sym\":1}", "\"sym\" is not a string",
	    NULL, NULL, NULL, "an unknown type with a number sym");
	is_head("{\"ev\":\"clock\"," TQ ",\"sym\":\"A\"}", NULL, "clock", T0,
	    NULL, "a clock's sym is not its symbol");
	is_head("{\"ev\":\"clock\"," TQ ",\"sym\":1}", NULL, "clock", T0,
	    NULL, "a clock's sym is any unknown field");

	/* not objects */
	is_head("{}", "missing \"ev\"", NULL, NULL, NULL, "empty object");
	is_head("[{\"ev\":\"trade\"}]", "not a JSON object", NULL, NULL, NULL,
	    "an array");
	is_head("", "not a JSON object", NULL, NULL, NULL, "empty");
	is_head("{\"ev\":\"trade\"", "malformed", NULL, NULL, NULL,
	    "truncated");
	is_head("{\"ev\":\"tra", "malformed", NULL, NULL, NULL,
	    "truncated string");
	is_head("{\"ev\" \"trade\"}", "malformed", NULL, NULL, NULL,
	    "no colon");
	is_head("{ev:\"trade\"}", "malformed", NULL, NULL, NULL, "bare key");
	is_head("{\"ev\":\"x\"," TQ "} x", "malformed", NULL, NULL, NULL,
	    "something after the object");

	/* the length is honoured */
	{
		static const char l[] = "{\"ev\":\"a\",\"t\":\"" T0 "\"}"
		    "{\"ev\"";

		ok(ev_head(&h, l, sizeof(l) - 6, 0, &err) == 0 &&
		    h.ev_len == 1 && h.ev[0] == 'a', "ev_head stops at len");
		ok(ev_head(&h, l, 12, 0, &err) == -1,
		    "ev_head: len cuts the line");
	}
	/* the prefix: the body is the caller's */
	{
		static const char l[] = "{\"ev\":\"bar\",\"t\":\"" T0 "\","
		    "\"sym\":\"A\",\"sym\":\"B\"}";

		ok(ev_head(&h, l, sizeof(l) - 1, EV_HEAD_PREFIX, &err) == 0 &&
		    h.body == 48 && l[h.body] == ',',
		    "EV_HEAD_PREFIX stops after the header");
		ok(ev_head(&h, l, sizeof(l) - 1, 0, &err) == -1,
		    "without it the repeat is found");
	}
	/* the time caches agree with tm_parse() */
	{
		static const char *const ts[] = { "2024-03-01T14:30:00Z",
			"2024-03-01T14:30:00.5Z", "2024-03-01T14:30:00.25Z",
			"2024-03-01T14:30:01Z", "2024-03-01T14:30:01Z",
			"2024-03-01T14:30:01.000000001Z" };
		char l[128];
		int64_t want;
		size_t i;
		int bad = 0;

		for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
			snprintf(l, sizeof(l),
			    "{\"ev\":\"clock\",\"t\":\"%s\"}", ts[i]);
			if (ev_head(&h, l, strlen(l), 0, &err) < 0 ||
			    tm_parse(ts[i], strlen(ts[i]), &want) < 0 ||
			    h.ns != want)
				bad++;
		}
		is_int(bad, 0, "cached times are the parsed ones");
	}
}

/* ev_parse() follows the header's rules and the last repeated key. */
static void
test_parse_rules(void)
{
	struct ev e = EV_INIT;
	struct buf b = BUF_INIT;
	const char *err;

#define L(s) s, strlen(s)
	ok(ev_parse(&e, L("{\"ev\":\"trade\"," TQ ",\"sym\":\"A\","
	    "\"sym\":\"AB\",\"price\":1,\"size\":1}"), &err) < 0 &&
	    strstr(err, "repeated"), "ev_parse: a repeated sym is bad");
	ok(ev_parse(&e, L("{\"ev\":\"trade\"," TQ ",\"sym\":\"\\u0041\","
	    "\"price\":1,\"size\":1}"), &err) == 0 && strcmp(e.sym, "A") == 0,
	    "ev_parse: the symbol decoded");
	ok(ev_parse(&e, L("{\"ev\":\"trade\"," TQ ",\"sym\":\"A\","
	    "\"price\":1,\"price\":null,\"size\":1}"), &err) < 0 &&
	    strstr(err, "\"price\" is null"), "ev_parse: the last price wins, "
	    "null included");
	ok(ev_parse(&e, L("{\"ev\":\"trade\"," TQ ",\"sym\":\"A\","
	    "\"price\":1,\"size\":1,\"price\":2}"), &err) == 0 &&
	    e.price == 2, "ev_parse: the last price wins");
	ok(ev_parse(&e, L("{\"ev\":\"fill\"," TQ ",\"sym\":\"A\",\"id\":\"i\","
	    "\"side\":\"buy\",\"qty\":1,\"price\":1,\"partial\":null,"
	    "\"synthetic\":null}"), &err) == 0 && e.partial == -1 &&
	    e.synthetic == 0, "ev_parse: null booleans are absent");
	ok(ev_parse(&e, L("{\"ev\":\"trade\"," TQ ",\"sym\":\"A\","
	    "\"price\":1,\"size\":1,\"cond\":null}"), &err) == 0, "cond null");
	buf_reset(&b);
	ev_format(&e, &b);
	buf_addc(&b, '\0');
	is_str(b.p, "{\"ev\":\"trade\",\"t\":\"" T0 "\",\"sym\":\"A\","
	    "\"price\":1,\"size\":1}", "a null cond is left out");
	ok(ev_parse(&e, L("{\"ev\":\"note\"," TQ ",\"synthetic\":\"yes\"}"),
	    &err) < 0, "ev_parse: an unknown type's synthetic is checked");
	ok(ev_parse(&e, L("{\"ev\":\"note\"," TQ ",\"sym\":1}"), &err) < 0,
	    "ev_parse: an unknown type's sym is checked");
	ok(ev_parse(&e, L("{\"ev\":\"trade\"," TQ ",\"sym\":\"A\",\"price\":1,"
	    "\"size\":1,\"k\":1,\"k\":2,\"\\u006b\":3}"), &err) == 0,
	    "repeated unknown keys");
	buf_reset(&b);
	ev_format(&e, &b);
	buf_addc(&b, '\0');
	is_str(b.p, "{\"ev\":\"trade\",\"t\":\"" T0 "\",\"sym\":\"A\","
	    "\"price\":1,\"size\":1,\"\\u006b\":3}",
	    "a repeated unknown key keeps its last value");
	ok(ev_parse(&e, L("{\"ev\":\"trade\"," TQ ",\"sym\":\"A\",\"size\":1,"
	    "\"\\u0070rice\":7}"), &err) == 0 && e.price == 7,
	    "an escaped known key is that field");
	ok(ev_parse(&e, L("{\"ev\":\"clock\"," TQ ",\"sym\":\"A\"}"), &err) ==
	    0 && e.sym == NULL, "a clock has no symbol");
	buf_reset(&b);
	ev_format(&e, &b);
	buf_addc(&b, '\0');
	is_str(b.p, "{\"ev\":\"clock\",\"t\":\"" T0 "\",\"sym\":\"A\"}",
	    "a clock's sym is kept as an unknown field");
	/* the message lives in the event: two events, two messages */
	{
		struct ev e2 = EV_INIT;
		const char *err2;

		ev_parse(&e, L("{\"ev\":\"trade\"," TQ ",\"sym\":\"A\","
		    "\"price\":\"x\",\"size\":1}"), &err);
		ev_parse(&e2, L("{\"ev\":\"trade\"," TQ ",\"sym\":\"A\","
		    "\"price\":1,\"size\":\"x\"}"), &err2);
		ok(strstr(err, "price") && strstr(err2, "size"),
		    "each event keeps its own error text");
		ev_release(&e2);
	}
#undef L
	ev_release(&e);
	buf_release(&b);
}

/*
 * Both readers of ev_parse(), the usual-line path (e.fast) and the general
 * one, on the same line: the same verdict and, when good, the same event.
 * Returns 1 if they agree.
 */
static int
readers_agree(const char *line, size_t n, struct ev *a, struct ev *b,
    struct buf *fa, struct buf *fb)
{
	const char *ea, *eb;
	int ra, rb;

	a->fast = 1;
	b->fast = 0;
	ra = ev_parse(a, line, n, &ea);
	rb = ev_parse(b, line, n, &eb);
	if (ra != rb)
		return 0;
	if (ra < 0)
		return 1;
	buf_reset(fa);
	buf_reset(fb);
	ev_format(a, fa);
	ev_format(b, fb);
	return fa->len == fb->len && memcmp(fa->p, fb->p, fa->len) == 0 &&
	    a->type == b->type && a->t == b->t && a->side == b->side &&
	    a->partial == b->partial && a->synthetic == b->synthetic &&
	    (a->sym == b->sym || (a->sym && b->sym &&
	    strcmp(a->sym, b->sym) == 0));
}

/* The usual-line reader agrees with the general one, line by line. */
/* ev_flag(): an unknown field that is true, on either reader's path. */
static void
test_flag(void)
{
	static const struct {
		const char *line;
		int want;
	} c[] = {
		{ "\"updated\":true", 1 },
		{ "\"updated\":false", 0 },
		{ "\"updated\":null", 0 },
		{ "\"updated\":\"true\"", 0 },
		{ "\"updated\":1", 0 },
		{ "\"upd\\u0061ted\":true", 1 },
		{ "\"updated\":true,\"updated\":false", 0 },
		{ "\"updated\":false,\"updated\":true", 1 },
		{ "\"x\":{\"updated\":true}", 0 },
		{ "\"updated2\":true", 0 },
	};
	static const char head[] = "{\"ev\":\"bar\","
	    "\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"A\",\"o\":1,\"h\":1,"
	    "\"l\":1,\"c\":1,\"v\":1";
	struct ev e = EV_INIT;
	struct buf l = BUF_INIT;
	const char *err;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		buf_reset(&l);
		buf_adds(&l, head);
		buf_addc(&l, ',');
		buf_adds(&l, c[i].line);
		buf_addc(&l, '}');
		e.fast = (int)(i & 1);
		ok(ev_parse(&e, l.p, l.len, &err) == 0 &&
		    ev_flag(&e, "updated") == c[i].want,
		    "ev_flag: %s is %d", c[i].line, c[i].want);
	}
	buf_reset(&l);
	buf_adds(&l, head);
	buf_addc(&l, '}');
	e.fast = 1;
	ok(ev_parse(&e, l.p, l.len, &err) == 0 && e.j.ntok == 0 &&
	    !ev_flag(&e, "updated"), "ev_flag: none on the fast path");
	ev_release(&e);
	buf_release(&l);
}

static void
test_fast_path(void)
{
	static const char *const usual[] = {
		"{\"ev\":\"bar\",\"t\":\"2024-03-01T14:30:00Z\",\"sym\":\"A\","
		    "\"tf\":\"1m\",\"o\":1,\"h\":2,\"l\":0.5,\"c\":1.5,"
		    "\"v\":100,\"vw\":1.25,\"n\":3,\"synthetic\":true}",
		"{\"ev\":\"trade\",\"t\":\"2024-03-01T14:30:00Z\","
		    "\"sym\":\"A\",\"price\":291.31,\"size\":900,\"x\":\"V\","
		    "\"synthetic\":true}",
		"{\"ev\":\"quote\",\"t\":\"2024-03-01T14:30:00.001Z\","
		    "\"sym\":\"A\",\"bid\":354.41,\"bid_size\":600,"
		    "\"ask\":354.47,\"ask_size\":900,\"synthetic\":true}",
		"{\"ev\":\"fill\",\"t\":\"2024-03-01T14:30:01Z\",\"sym\":\"A\","
		    "\"id\":\"s-A-1\",\"exec_id\":\"s-A-1-1\",\"side\":\"buy\","
		    "\"qty\":5,\"price\":180.51,\"fee\":0,\"partial\":false,"
		    "\"strategy\":\"s\",\"batch\":\"b\"}",
		"{\"ev\":\"order\",\"t\":\"2024-03-01T14:30:00Z\","
		    "\"sym\":\"A\",\"id\":\"s-A-1\",\"side\":\"buy\","
		    "\"qty\":100,\"type\":\"market\",\"strategy\":\"s\","
		    "\"stop_loss\":178.9,\"why\":{\"reason\":\"entry\","
		    "\"rsi\":61.7,\"x\":null}}",
		"{\"ev\":\"trade\",\"t\":\"2024-03-01T14:30:00Z\","
		    "\"sym\":\"A\",\"price\":1.5,\"size\":100,"
		    "\"cond\":[\"@\",12,true],\"tape\":\"C\"}",
		/* keys longer than the two words key_at() compares */
		"{\"ev\":\"order\",\"t\":\"2024-03-01T14:30:00Z\","
		    "\"sym\":\"A\",\"id\":\"s-A-2\",\"side\":\"sell\","
		    "\"qty\":100,\"type\":\"trailing_stop\","
		    "\"trail_percent\":1.5,\"extended_hours\":false,"
		    "\"horizon\":\"day\",\"bracket\":true}",
		"{\"ev\":\"cancel\",\"t\":\"2024-03-01T14:30:00Z\","
		    "\"sym\":\"A\",\"id\":\"s-A-1\",\"strategy\":\"s\","
		    "\"why\":{\"reason\":\"flatten\"}}",
		"{\"ev\":\"position\",\"t\":\"2024-03-01T14:30:00Z\","
		    "\"sym\":\"A\",\"qty\":-3,\"avg_price\":10.5,"
		    "\"strategy\":\"s\",\"portfolio\":\"p\"}",
	};
#define NUSUAL (sizeof(usual) / sizeof(usual[0]))
	struct ev a = EV_INIT, b = EV_INIT;
	struct ev_head h = EV_HEAD_INIT;
	struct json j = JSON_INIT;
	struct buf fa = BUF_INIT, fb = BUF_INIT, l = BUF_INIT;
	int nflat = 0, badflat = 0;
	uint64_t x = 88172645463325252ULL;
	size_t i, k, n;
	int bad = 0, tried = 0, good = 0;
	const char *err;

	/* the usual lines take the fast path: no tokens */
	for (i = 0; i < NUSUAL; i++) {
		a.fast = 1;
		ok(ev_parse(&a, usual[i], strlen(usual[i]), &err) == 0 &&
		    a.j.ntok == 0, "usual line %zu read without tokens", i);
		ok(readers_agree(usual[i], strlen(usual[i]), &a, &b, &fa, &fb),
		    "usual line %zu: both readers agree", i);
	}
	for (i = 0; i < NCANON; i++)
		if (!readers_agree(canon[i].line, strlen(canon[i].line), &a,
		    &b, &fa, &fb) && bad++ < 3)
			printf("# disagree on %s\n", canon[i].line);
	is_int(bad, 0, "both readers agree on the canonical lines");

	/*
	 * Random edits of the usual lines: a byte changed to one of those
	 * that matter, removed, or doubled, up to three times.
	 */
	bad = 0;
	for (k = 0; k < 200000; k++) {
		static const char pick[] = "\"\\,:{}[]0123456789.eE+-tfnulras "
		    "\x01\x7f\xc3\xa9";
		const char *u = usual[k % NUSUAL];
		int m, edits = 1 + (int)(k % 3);

		buf_reset(&l);
		buf_adds(&l, u);
		for (m = 0; m < edits && l.len > 2; m++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			n = (size_t)(x % l.len);
			switch ((x >> 32) % 3) {
			case 0:
				l.p[n] = pick[(x >> 40) % (sizeof(pick) - 1)];
				break;
			case 1:
				memmove(l.p + n, l.p + n + 1, l.len - n - 1);
				l.len--;
				break;
			default:
				buf_addc(&l, 0);
				memmove(l.p + n + 1, l.p + n, l.len - n - 1);
				break;
			}
		}
		tried++;
		/* what ev_head_flat() passes, the full check passes */
		if (ev_head(&h, l.p, l.len, EV_HEAD_PREFIX, &err) == 0 &&
		    ev_head_flat(&h, l.p, l.len)) {
			nflat++;
			if ((json_parse(&j, l.p, l.len, &err) < 0 ||
			    ev_head(&h, l.p, l.len, 0, &err) < 0) &&
			    badflat++ < 3)
				printf("# flat but bad: %.*s\n", (int)l.len,
				    l.p);
		}
		if (!readers_agree(l.p, l.len, &a, &b, &fa, &fb)) {
			if (bad++ < 3)
				printf("# disagree on %.*s\n", (int)l.len,
				    l.p);
		} else if (ev_parse(&b, l.p, l.len, &err) == 0) {
			good++;
		}
	}
	is_int(bad, 0, "both readers agree on %d edited lines (%d good)",
	    tried, good);
	is_int(badflat, 0, "ev_head_flat() passes only good lines (%d)",
	    nflat);
	json_release(&j);
	ev_release(&a);
	ev_release(&b);
	buf_release(&fa);
	buf_release(&fb);
	buf_release(&l);
}

int
main(void)
{
	test_canonical();
	test_required();
	test_nulls_and_sides();
	test_names();
	test_other();
	test_unknown_fields();
	test_numbers();
	test_arena();
	test_head();
	test_parse_rules();
	test_fast_path();
	test_flag();
	return done_testing();
}
