/* bars.c: unit tests of lib/bars.c (ring, builder, resampling). */
#include <math.h>
#include <stdint.h>

#include "bars.h"
#include "tap.h"

#define MIN (60 * 1000000000LL)
#define SEC (1000000000LL)
#define T0 (1709303400LL * SEC)	/* 2024-03-01T14:30:00Z */

static struct bar
mk(int64_t t, double o, double h, double l, double c, double v)
{
	struct bar b = { t, o, h, l, c, v, (o + c) / 2, 1 };

	return b;
}

static void
test_ring(void)
{
	struct bar_ring r = BAR_RING_INIT;
	struct bar b, out[8];
	int i;

	bar_ring_init(&r, 4);
	ok(bar_ring_ago(&r, 0) == NULL, "empty ring has no close[-1]");
	for (i = 0; i < 6; i++) {
		b = mk(T0 + i * MIN, 10 + i, 11 + i, 9 + i, 10.5 + i, 100);
		is_int(bar_ring_put(&r, &b), BAR_APPENDED, "append %d", i);
	}
	is_int(r.len, 4, "ring keeps the newest 4");
	is_dbl(bar_ring_ago(&r, 0)->c, 15.5, 0, "close[-1] is the newest");
	is_dbl(bar_ring_ago(&r, 3)->c, 12.5, 0, "ago 3 is the oldest kept");
	ok(bar_ring_ago(&r, 4) == NULL, "ago past the history is NULL");
	is_int(bar_ring_last(&r, 3, out), 3, "last 3");
	is_dbl(out[0].c, 13.5, 0, "last 3 oldest first");
	is_dbl(out[2].c, 15.5, 0, "last 3 newest last");
	is_int(bar_ring_last(&r, 8, out), 4, "last 8 gives what is held");
	is_int(bar_ring_count_since(&r, T0 + 4 * MIN), 2, "bars since 14:34");
	is_int(bar_ring_count_since(&r, T0), 4, "bars since the start");

	b = mk(T0 + 4 * MIN, 1, 2, 1, 2, 1);
	is_int(bar_ring_put(&r, &b), BAR_REPLACED, "same start replaces");
	is_dbl(bar_ring_ago(&r, 1)->c, 2, 0, "the official bar is in place");
	b = mk(T0, 1, 1, 1, 1, 1);
	is_int(bar_ring_put(&r, &b), BAR_TOO_OLD, "older than a full ring");
	bar_ring_release(&r);

	/* backfill into gaps */
	bar_ring_init(&r, 4);
	b = mk(T0 + 3 * MIN, 3, 3, 3, 3, 1);
	bar_ring_put(&r, &b);
	b = mk(T0 + 1 * MIN, 1, 1, 1, 1, 1);
	is_int(bar_ring_put(&r, &b), BAR_INSERTED, "backfill before");
	b = mk(T0 + 2 * MIN, 2, 2, 2, 2, 1);
	is_int(bar_ring_put(&r, &b), BAR_INSERTED, "backfill in a gap");
	is_int(bar_ring_last(&r, 4, out), 3, "three bars");
	ok(out[0].c == 1 && out[1].c == 2 && out[2].c == 3, "in time order");
	b = mk(T0, 0.5, 0.5, 0.5, 0.5, 1);
	bar_ring_put(&r, &b);
	b = mk(T0 + 150 * SEC, 2.5, 2.5, 2.5, 2.5, 1);
	is_int(bar_ring_put(&r, &b), BAR_INSERTED, "insert into a full ring");
	bar_ring_last(&r, 4, out);
	ok(out[0].c == 1 && out[1].c == 2 && out[2].c == 2.5 && out[3].c == 3,
	    "the oldest was dropped, order kept");
	bar_ring_release(&r);
}

/*
 * A ring that starts with no room and grows, wrapped or not, holds the same
 * bars in the same order as one made with the final room from the start.
 */
static void
test_grow(void)
{
	struct bar_ring g = BAR_RING_INIT, r = BAR_RING_INIT;
	struct bar b, og[16], or[16];
	size_t ng, nr;
	int i, same = 1;

	ok(g.cap == 0 && bar_ring_ago(&g, 0) == NULL &&
	    bar_ring_last(&g, 4, og) == 0 && bar_ring_count_since(&g, T0) == 0,
	    "a ring with no room is empty");
	bar_ring_grow(&g, 2);
	for (i = 0; i < 5; i++) {	/* wraps the two slots */
		b = mk(T0 + (2 * i + 1) * MIN, i, i, i, i, 1);
		bar_ring_put(&g, &b);
	}
	is_int(g.len, 2, "two slots keep the newest two");
	bar_ring_grow(&g, 8);
	is_int(g.cap, 8, "grown to 8");
	ok(bar_ring_ago(&g, 0)->c == 4 && bar_ring_ago(&g, 1)->c == 3,
	    "the bars held are kept in order");
	bar_ring_init(&r, 8);
	bar_ring_put(&r, bar_ring_ago(&g, 1));
	bar_ring_put(&r, bar_ring_ago(&g, 0));
	/* from here on both see the same: backfill, replace, append, wrap */
	for (i = 0; i < 12; i++) {
		b = mk(T0 + (i % 3 ? 2 * i : 2 * i + 1) * MIN, 10 + i, 10 + i,
		    10 + i, 10 + i, 1);
		if (bar_ring_put(&g, &b) != bar_ring_put(&r, &b))
			same = 0;
	}
	ng = bar_ring_last(&g, 16, og);
	nr = bar_ring_last(&r, 16, or);
	for (i = 0; same && (size_t)i < ng; i++)
		same = og[i].t == or[i].t && og[i].c == or[i].c;
	ok(same && ng == nr && ng == 8, "then it behaves as one made with 8");
	bar_ring_release(&g);
	bar_ring_release(&r);
}

static void
test_builder(void)
{
	struct bar_builder bb = BAR_BUILDER_INIT(MIN);
	struct bar done;

	is_int(bar_builder_trade(&bb, T0 + 1 * SEC, 10, 100, &done), 0,
	    "first trade opens a bar");
	bar_builder_trade(&bb, T0 + 10 * SEC, 12, 100, &done);
	bar_builder_trade(&bb, T0 + 20 * SEC, 9, 200, &done);
	is_int(bar_builder_trade(&bb, T0 + 59 * SEC, 11, 100, &done), 0,
	    "same minute");
	is_int(bar_builder_trade(&bb, T0 + 61 * SEC, 11.5, 50, &done), 1,
	    "next minute finishes the bar");
	ok(done.t == T0 && done.o == 10 && done.h == 12 && done.l == 9 &&
	    done.c == 11 && done.v == 500 && done.n == 4, "OHLCV n");
	/* (10*100 + 12*100 + 9*200 + 11*100) / 500 = 10.2 */
	is_dbl(done.vw, 10.2, 1e-12, "vw");
	is_int(bar_builder_flush(&bb, T0 + 119 * SEC, &done), 0,
	    "not finished before its end");
	is_int(bar_builder_flush(&bb, T0 + 120 * SEC, &done), 1,
	    "finished at its end");
	ok(done.t == T0 + MIN && done.c == 11.5, "the flushed bar");
	/* an official bar for 14:32 seals the bucket */
	bar_builder_trade(&bb, T0 + 121 * SEC, 20, 1, &done);
	bar_builder_seal(&bb, T0 + 2 * MIN);
	ok(!bb.open, "seal drops the bar in progress");
	is_int(bar_builder_trade(&bb, T0 + 150 * SEC, 20, 1, &done), 0,
	    "a late trade in a sealed bucket is ignored");
	ok(!bb.open, "and opens nothing");
	bar_builder_trade(&bb, T0 + 181 * SEC, 21, 1, &done);
	ok(bb.open && bb.cur.t == T0 + 3 * MIN, "the next bucket builds");
}

static void
test_resample(void)
{
	struct bar in[12], out[4];
	size_t i, n;

	/* 14:28 .. 14:39: 5-minute buckets 14:25, 14:30, 14:35 */
	for (i = 0; i < 12; i++)
		in[i] = mk(T0 + ((int64_t)i - 2) * MIN, 10 + (double)i,
		    12 + (double)i, 9 + (double)i, 11 + (double)i, 10);
	n = bar_resample(in, 12, 5 * MIN, out, 4);
	is_int(n, 3, "three 5-minute buckets");
	ok(out[0].t == T0 - 5 * MIN && out[0].o == 10 && out[0].c == 12 &&
	    out[0].h == 13 && out[0].l == 9 && out[0].v == 20,
	    "partial first bucket 14:25");
	ok(out[1].t == T0 && out[1].o == 12 && out[1].h == 18 &&
	    out[1].l == 11 && out[1].c == 17 && out[1].v == 50 &&
	    out[1].n == 5, "14:30 bucket");
	/* vw of bars 2..6: mean of (o+c)/2 = (12.5+...+16.5)/5 = 14.5 */
	is_dbl(out[1].vw, 14.5, 1e-12, "14:30 bucket vw");
	ok(out[2].t == T0 + 5 * MIN && out[2].c == 22, "14:35 bucket");
	is_int(bar_resample(in, 12, 15 * MIN, out, 4), 2, "15 minutes");
	is_int(bar_resample(in, 12, 2 * MIN, out, 4), 4, "cap respected");
	is_int(bar_resample(in, 0, MIN, out, 4), 0, "no input");
	is_int(bar_resample(in, 12, MIN, out, 4), 4, "1 minute copies");
	in[3].vw = NAN;
	bar_resample(in, 12, 5 * MIN, out, 4);
	ok(isnan(out[1].vw), "unknown vw makes the bucket's vw unknown");
}

static void
test_misc(void)
{
	struct bar b = mk(T0, 10, 11, 9, 10.5, 1);

	is_int(bar_tf_parse("1m"), MIN, "1m");
	is_int(bar_tf_parse("15m"), 15 * MIN, "15m");
	is_int(bar_tf_parse("1s"), SEC, "1s");
	is_int(bar_tf_parse("1d"), 86400 * SEC, "1d");
	is_int(bar_tf_parse("1mo"), 30 * 86400 * SEC, "1mo: a nominal month");
	is_int(bar_tf_parse("3mo"), 90 * 86400 * SEC, "3mo");
	is_int(bar_tf_parse("1mon"), -1, "1mon is bad");
	is_int(bar_tf_parse("1000000d"), -1, "1000000d overflows: bad");
	is_int(bar_tf_parse("0m"), -1, "0m is bad");
	is_int(bar_tf_parse("5"), -1, "5 (no unit) is bad");
	is_int(bar_tf_parse("m"), -1, "m is bad");
	is_int(bar_tf_parse("5x"), -1, "5x is bad");
	is_int(bar_tf_parse("5mm"), -1, "5mm is bad");
	is_int(bar_bucket(T0 + 59 * SEC, MIN), T0, "bucket");
	is_int(bar_bucket(-1, MIN), -MIN, "bucket before the epoch");
	ok(bar_check(&b) == NULL, "a valid bar");
	b.h = 8;
	ok(bar_check(&b) != NULL, "h below l");
	b = mk(T0, NAN, 11, 9, 10, 1);
	ok(bar_check(&b) != NULL, "NaN open");
	b = mk(T0, 0, 11, 0, 10, 1);
	ok(bar_check(&b) != NULL, "zero price");
	b = mk(T0, 10, 11, 9, 10, -1);
	ok(bar_check(&b) != NULL, "negative volume");
}

int
main(void)
{
	test_ring();
	test_grow();
	test_builder();
	test_resample();
	test_misc();
	return done_testing();
}
