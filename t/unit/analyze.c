/* analyze.c: unit tests of lib/analyze.c (exact money, FIFO, figures). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "analyze.h"
#include "tm.h"
#include "banned.h"

static int64_t
dec(const char *s)
{
	int64_t v = -42;

	if (an_dec(s, strlen(s), &v) < 0)
		return -42;
	return v;
}

static const char *
money(an_money v, int d)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	an_add_money(&b, v, d);
	return buf_cstr(&b);
}

static int64_t
at(const char *rfc)
{
	int64_t t = 0;

	tm_parse(rfc, strlen(rfc), &t);
	return t;
}

static int
fill(struct an *a, const char *t, const char *sym, enum ev_side side,
    const char *qty, const char *px, const char *fee, const char *stop,
    const char *id, const char **err)
{
	struct an_fill f;

	memset(&f, 0, sizeof(f));
	f.t = at(t);
	f.sym = sym;
	f.strategy = "s";
	f.batch = "b";
	f.id = id;
	f.side = side;
	f.qty = dec(qty);
	f.price = dec(px);
	f.fee = fee ? dec(fee) : 0;
	f.stop = stop ? dec(stop) : AN_NONE;
	return an_add_fill(a, &f, err);
}

int
main(void)
{
	struct an_opts o = AN_OPTS_INIT;
	struct an a;
	const char *err = NULL;
	an_money before;

	/* decimals: 10^-6 units, half-even on the dropped digits */
	is_int(dec("100.30"), 100300000, "an_dec 100.30");
	is_int(dec("0.1"), 100000, "an_dec 0.1");
	is_int(dec("1e-07"), 0, "an_dec 1e-07 rounds to 0");
	is_int(dec("0.0000005"), 0, "an_dec half to even (0)");
	is_int(dec("0.0000015"), 2, "an_dec half to even (2)");
	is_int(dec("0.00000150001"), 2, "an_dec above half up");
	is_int(dec("0.0000025"), 2, "an_dec 2.5e-6 -> 2");
	is_int(dec("1.5E2"), 150000000, "an_dec exponent");
	is_int(dec("-2.25"), -2250000, "an_dec negative");
	is_int(dec("1e999"), -42, "an_dec out of range");
	is_int(dec("12a"), -42, "an_dec malformed");
	is_int(dec(""), -42, "an_dec empty");

	/* division and printing, half-even */
	is_int((long long)an_div(5, 2), 2, "an_div 5/2 = 2");
	is_int((long long)an_div(7, 2), 4, "an_div 7/2 = 4");
	is_int((long long)an_div(-5, 2), -2, "an_div -5/2 = -2");
	is_int((long long)an_div(-7, 2), -4, "an_div -7/2 = -4");
	is_str(money(AN_MONEY_PER_DOLLAR / 200, 2), "0.00",
	    "0.005 -> 0.00 (even)");
	is_str(money(AN_MONEY_PER_DOLLAR * 3 / 200, 2), "0.02",
	    "0.015 -> 0.02 (even)");
	is_str(money(-AN_MONEY_PER_DOLLAR * 3 / 200, 2), "-0.02",
	    "-0.015 -> -0.02");
	is_str(money((an_money)123456 * AN_MONEY_PER_DOLLAR, 2), "123456.00",
	    "whole dollars");

	/* FIFO over partial fills; a bad fill changes nothing */
	an_init(&a, &o);
	ok(fill(&a, "2024-03-01T14:30:00Z", "A", SIDE_BUY, "10", "10.00",
	    "0.10", "9", "o1", &err) == 0, "buy 10");
	ok(fill(&a, "2024-03-01T14:30:10Z", "A", SIDE_BUY, "10", "11.00",
	    "0.10", "9", "o2", &err) == 0, "buy 10 more");
	before = a.cash;
	ok(fill(&a, "2024-03-01T14:30:20Z", "A", SIDE_SELL, "25", "12",
	    NULL, NULL, "x", &err) < 0, "sell 25 of 20 is refused");
	is_str(err, "sell of 25 with only 20 long", "its message");
	ok(a.cash == before && a.ntrips == 0 && a.nfills == 2,
	    "and changes nothing");
	ok(fill(&a, "2024-03-01T14:30:20Z", "A", SIDE_BUY_TO_COVER, "1",
	    "12", NULL, NULL, "x", &err) < 0, "cover while long is refused");
	ok(fill(&a, "2024-03-01T14:30:30Z", "A", SIDE_SELL, "15", "12.00",
	    "0.30", NULL, "o3", &err) == 0, "sell 15");
	/* o1 -> o3: 10 @ 10 -> 12, fees 0.10 + 0.30*10/15 = 0.30,
	 * gain 20 - 0.30 = 19.70; o2 -> o3: 5 @ 11 -> 12, fees
	 * 0.10*5/10 + 0.10 = 0.15, gain 5 - 0.15 = 4.85 */
	is_int(a.ntrips, 2, "two round trips (two entry orders)");
	is_str(money(a.trips[0].out_val - a.trips[0].in_val -
	    a.trips[0].fees, 2), "19.70", "trip 1 gain");
	is_str(money(a.trips[1].out_val - a.trips[1].in_val -
	    a.trips[1].fees, 2), "4.85", "trip 2 gain");
	an_add_mark(&a, "A", at("2024-03-01T14:31:00Z"), dec("13"), AN_NONE);
	an_finish(&a);
	/* open 5 @ 11, fee left 0.05, mark 13: 10 - 0.05 = 9.95 */
	is_str(money(a.s.unrealized, 2), "9.95", "open lot marked to 13");
	ok(a.s.final_eq == a.o.capital + a.s.realized + a.s.unrealized,
	    "equity = capital + realized + unrealized, exactly");
	/* 0.10 + 0.10 + 0.30 */
	is_str(money(a.s.fees, 6), "0.500000", "fees add up exactly");
	/* R of trip 1: (120 - 100) / (100 - 9*10) = 2 */
	is_dbl(a.s.avg_r, (2.0 + 5.0 / (55 - 45)) / 2, 1e-12,
	    "average R over both trips");
	an_release(&a);

	/* a short, R sign-correct */
	an_init(&a, &o);
	ok(fill(&a, "2024-03-01T14:30:00Z", "B", SIDE_SELL_SHORT, "4", "50",
	    NULL, "52", "s1", &err) == 0, "short 4 @ 50 stop 52");
	ok(fill(&a, "2024-03-01T14:31:00Z", "B", SIDE_BUY_TO_COVER, "4",
	    "47", NULL, NULL, "c1", &err) == 0, "cover @ 47");
	an_finish(&a);
	is_str(money(a.s.realized, 2), "12.00", "short gain 4 * 3");
	is_dbl(a.s.avg_r, 1.5, 1e-12, "short R = (47-50)/(50-52) = 1.5");
	is_dbl(a.s.exposure, 1.0, 1e-12, "exposed all the time");
	an_release(&a);
	return done_testing();
}
