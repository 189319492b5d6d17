/* fincalc.c: unit tests of lib/fincalc.c, against hand-checked values. */
#include <math.h>
#include <stdint.h>

#include "fincalc.h"
#include "tap.h"

#define MIN (60 * 1000000000LL)

static struct bar
c4(double o, double h, double l, double c)
{
	struct bar b = { 0, o, h, l, c, 100, NAN, 1 };

	return b;
}

static void
test_candles(void)
{
	struct bar b, p;
	unsigned m;

	b = c4(10, 11, 9, 10.8);
	is_int(fc_candle(&b), FC_BULLISH, "plain bullish (body 40%%)");
	b = c4(10.8, 11, 9, 10);
	is_int(fc_candle(&b), FC_BEARISH, "plain bearish");
	/* range 2, body 0.1 (5%), shadows 0.95 each: a doji */
	b = c4(10, 11, 9, 10.1);
	is_int(fc_candle(&b), FC_BULLISH | FC_DOJI, "doji");
	b = c4(10, 10, 10, 10);
	is_int(fc_candle(&b), FC_FOUR_PRICE_DOJI, "four-price doji");
	/* open/close at the low: lower shadow 0 */
	b = c4(9, 11, 9, 9.1);
	m = fc_candle(&b);
	ok((m & FC_GRAVESTONE_DOJI) && (m & FC_DOJI) &&
	    !(m & FC_DRAGONFLY_DOJI), "gravestone doji");
	b = c4(11, 11, 9, 10.9);
	m = fc_candle(&b);
	ok((m & FC_DRAGONFLY_DOJI) && !(m & FC_GRAVESTONE_DOJI),
	    "dragonfly doji");
	/* body 0.4 of range 2 (20%), shadows 0.8 each (40%) */
	b = c4(9.8, 11, 9, 10.2);
	is_int(fc_candle(&b), FC_BULLISH | FC_SPINNING_TOP, "spinning top");
	/* body 20% but one shadow 10%: not a spinning top */
	b = c4(10.4, 11, 9, 10.8);
	is_int(fc_candle(&b), FC_BULLISH, "small body at the top: no top");
	/* exactly 10% body: still a doji (<=) */
	b = c4(10, 11, 9, 10.2);
	ok(fc_candle(&b) & FC_DOJI, "body exactly 10%% is a doji");

	p = c4(10.5, 10.6, 9.9, 10);
	b = c4(9.9, 10.8, 9.8, 10.7);
	is_int(fc_candle2(&p, &b), FC_BULLISH_ENGULFING, "bullish engulfing");
	p = c4(10, 10.6, 9.9, 10.5);
	b = c4(10.6, 10.7, 9.8, 9.9);
	is_int(fc_candle2(&p, &b), FC_BEARISH_ENGULFING, "bearish engulfing");
	p = c4(11, 11.1, 9.9, 10);
	b = c4(10.2, 10.7, 10.1, 10.6);
	is_int(fc_candle2(&p, &b), FC_BULLISH_HARAMI, "bullish harami");
	p = c4(10, 11.1, 9.9, 11);
	b = c4(10.8, 10.9, 10.1, 10.3);
	is_int(fc_candle2(&p, &b), FC_BEARISH_HARAMI, "bearish harami");
	p = c4(10, 11, 9, 10.05);
	b = c4(10.5, 11.5, 10.4, 11.2);
	is_int(fc_candle2(&p, &b), FC_DOJI_BULLISH_FOLLOW,
	    "doji then a close above its high");
	b = c4(10.5, 10.6, 8.5, 8.8);
	/* p is also bullish (10.05 > 10), so b engulfs it too */
	is_int(fc_candle2(&p, &b), FC_DOJI_BEARISH_FOLLOW |
	    FC_BEARISH_ENGULFING, "doji then a close below its low");
	b = c4(10, 10.9, 9.5, 10.8);
	is_int(fc_candle2(&p, &b), 0, "doji then a close inside: nothing");
	is_str(fc_pattern_name(FC_BULLISH_ENGULFING), "bullish_engulfing",
	    "name");
	ok(fc_pattern_name(FC_DOJI | FC_BULLISH) == NULL, "two bits: no name");
}

static void
test_levels(void)
{
	/* lows 10 9 10 9.01 11 12 11.5 12, highs 11 10 12 10.5 12.02 13 ... */
	static const double lo[] = { 10, 9, 10, 9.01, 11, 12, 11.5, 12 };
	static const double hi[] = { 11, 10, 12, 10.5, 12.02, 13, 12.5, 13.5 };
	struct bar b[8];
	struct fc_level lv[8];
	size_t i, n;

	for (i = 0; i < 8; i++) {
		b[i] = c4(lo[i], hi[i], lo[i], hi[i]);
		b[i].t = (int64_t)i * 5 * MIN;
	}
	n = fc_levels(b, 8, 0.002, lv, 8);
	/*
	 * minima: 9 (i=1), 9.01 (i=3), 11.5 (i=6) -> 9 and 9.01 group
	 * (9.01 - 9 = 0.01 <= 0.018): support 9.005 x2, support 11.5.
	 * maxima: 12 (i=2), 13 (i=5) -> two resistances.
	 */
	is_int(n, 4, "four levels");
	ok(lv[0].kind == FC_SUPPORT && lv[0].touches == 2 &&
	    fabs(lv[0].price - 9.005) < 1e-12 && lv[0].t == 3 * 5 * MIN,
	    "grouped support 9.005, 2 touches, newest at bar 3");
	ok(lv[1].kind == FC_SUPPORT && lv[1].price == 11.5, "support 11.5");
	ok(lv[2].kind == FC_RESISTANCE && lv[2].price == 12 &&
	    lv[3].price == 13, "resistances 12 and 13");
	is_int(fc_levels(b, 8, 0.002, lv, 1), 1, "cap respected");
	is_int(fc_levels(b, 2, 0.002, lv, 8), 0, "too few bars");
	n = fc_levels(b, 8, 0.5, lv, 8);
	is_int(n, 2, "a wide margin groups everything of a kind");
}

static void
test_ring_levels(void)
{
	/* 40 one-minute bars, lows dipping to 9 at minute 12 and 27 */
	struct bar_ring r = BAR_RING_INIT;
	struct fc_level lv[8];
	struct bar b;
	size_t i, n;
	double l;

	bar_ring_init(&r, 64);
	for (i = 0; i < 40; i++) {
		l = i == 12 || i == 27 ? 9 : 10;
		b = c4(l + 0.5, l + 1, l, l + 0.5);
		b.t = (int64_t)i * MIN;
		bar_ring_put(&r, &b);
	}
	/* 5-minute lows: 10 10 9 10 10 9 10 10: supports at buckets 2, 5 */
	n = fc_ring_levels(&r, 5 * MIN, 0.001, lv, 8);
	ok(n >= 1 && lv[0].kind == FC_SUPPORT && lv[0].price == 9 &&
	    lv[0].touches == 2 && lv[0].t == 25 * MIN,
	    "support 9 touched twice on 5-minute bars");
	bar_ring_release(&r);
}

static void
test_stop(void)
{
	static const double lo[] = { 10, 9.5, 9.8, 9.2, 9.6, 9.9, 10.3 };
	struct bar b[7];
	size_t i;

	for (i = 0; i < 7; i++)
		b[i] = c4(lo[i] + 0.2, lo[i] + 0.5, lo[i], lo[i] + 0.3);
	is_dbl(fc_find_stop(b, 7, 10.5), 9.2, 0, "last swing low 9.2");
	is_dbl(fc_find_stop(b, 7, 9.4), 9.2, 0, "below 9.4: 9.2");
	ok(isnan(fc_find_stop(b, 7, 9.2)), "none strictly below 9.2");
	is_dbl(fc_find_stop(b, 3, 10.5), 9.5, 0, "in the first 3 bars: 9.5");
	ok(isnan(fc_find_stop(b, 2, 100)), "two bars: none");
	/* the newest bar is never a swing: 10.3 after 9.9 isn't one anyway */
	b[6] = c4(9, 9.5, 8, 9);
	is_dbl(fc_find_stop(b, 7, 10.5), 9.2, 0, "the last bar cannot swing");
	/* highs 10.5 10 10.3 9.7 10.1 10.4 9.5: swings at 10.3 and 10.4 */
	is_dbl(fc_find_stop_high(b, 7, 9.0), 10.4, 0, "last swing high");
	is_dbl(fc_find_stop_high(b, 5, 9.0), 10.3, 0, "in the first 5");
}

static void
test_volatility(void)
{
	struct bar b[3];

	b[0] = c4(1, 1, 1, 100);
	b[1] = c4(1, 1, 1, 110);
	b[2] = c4(1, 1, 1, 99);
	/* returns ln 1.1 and ln 0.9; population sigma = |r1 - r2| / 2 */
	is_dbl(fc_volatility(b, 3), fabs(log(1.1) - log(0.9)) / 2, 1e-12,
	    "volatility of two returns");
	ok(isnan(fc_volatility(b, 1)), "one bar: NaN");
	b[1].c = 0;
	ok(isnan(fc_volatility(b, 3)), "zero close: NaN");
}

int
main(void)
{
	test_candles();
	test_levels();
	test_ring_levels();
	test_stop();
	test_volatility();
	return done_testing();
}
