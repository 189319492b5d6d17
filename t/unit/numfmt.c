/*
 * Unit tests of lib/numfmt.c: hand-checked texts, then a random
 * differential test of both modes against an independent formatter built
 * here on the C library's printf and strtod, never on numfmt.c itself.
 *
 * The reference follows numfmt.h word for word.  Its digits are those of
 * printf's "%.*e": at N digits for numfmt_digits(), at the least
 * precision whose text strtod() reads back as the value for
 * numfmt_shortest().  Its shape: trailing zeros dropped, plain notation
 * when the value written is from 1e-4 to below 1e15, else %g's exponent
 * form, but for the shortest mode %g's own choice beyond 1e15 (plain
 * while the exponent is below the precision).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "numfmt.h"
#include "banned.h"

/* numfmt_shortest() (digits 0) or numfmt_digits() to a C string */
static const char *
fmt(double v, int digits)
{
	static char s[NUMFMT_MAX + 1];

	s[digits ? numfmt_digits(s, v, digits) : numfmt_shortest(s, v)] =
	    '\0';
	return s;
}

/*
 * The reference: v (finite, nonzero) to out (64 bytes) at 'digits', or
 * shortest for 0, as numfmt.h describes it.
 */
static void
ref(char *out, double v, int digits)
{
	char e[40], d[24], *p, *o = out;
	int prec, lo, hi, nd = 0, x, i;

	prec = digits;
	if (prec == 0) {
		/*
		 * The least precision that reads back, by bisection: if one
		 * does, so does the next (its rounding is no farther), and
		 * 17 always does.
		 */
		for (lo = 1, hi = 17; lo < hi;) {
			prec = (lo + hi) / 2;
			snprintf(e, sizeof(e), "%.*e", prec - 1, v);
			if (strtod(e, NULL) == v)
				hi = prec;
			else
				lo = prec + 1;
		}
		prec = lo;
	}
	snprintf(e, sizeof(e), "%.*e", prec - 1, fabs(v));
	for (p = e; *p != 'e'; p++)
		if (*p != '.')
			d[nd++] = *p;
	while (nd > 1 && d[nd - 1] == '0')
		nd--;
	x = (int)strtol(p + 1, NULL, 10);
	if (v < 0)
		*o++ = '-';
	if ((x >= -4 && x < 15) || (digits == 0 && x >= 15 && x < prec)) {
		if (x < 0) {
			*o++ = '0';
			*o++ = '.';
			for (i = x + 1; i < 0; i++)
				*o++ = '0';
			for (i = 0; i < nd; i++)
				*o++ = d[i];
		} else {
			for (i = 0; i < nd || i <= x; i++) {
				if (i == x + 1)
					*o++ = '.';
				*o++ = i < nd ? d[i] : '0';
			}
		}
		*o = '\0';
		return;
	}
	*o++ = d[0];
	if (nd > 1)
		*o++ = '.';
	for (i = 1; i < nd; i++)
		*o++ = d[i];
	snprintf(o, 16, "e%c%02d", x < 0 ? '-' : '+', abs(x));
}

static uint64_t rs = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

/*
 * A random finite double, from kinds that reach every path: any bit
 * pattern, subnormals, prices with up to 10 decimals, ties and near ties,
 * values computed at full precision, integers from 1e15 to 1e18, values
 * next to 1e-4, 1e15 and 2^53, short decimals at any exponent.
 */
static double
rand_double(int i)
{
	uint64_t u = rnd();
	double v;
	int j;

	switch (i % 8) {
	case 0:
		do {
			u = rnd();
			memcpy(&v, &u, sizeof(v));
		} while (!isfinite(v));
		return v;
	case 1:
		u &= 0x800fffffffffffffULL;	/* exponent 0 */
		memcpy(&v, &u, sizeof(v));
		return v;
	case 2:
		return (double)(u % 100000000000ULL) /
		    pow(10, (double)(rnd() % 11));
	case 3:
		v = ((double)(u % 1000000) + 0.5) /
		    pow(10, (double)(rnd() % 12));
		for (j = (int)(rnd() % 5); j > 0; j--)
			v = nextafter(v, u & 1 ? 0 : INFINITY);
		return v;
	case 4:
		return (double)(u % 10000000) / ((double)(rnd() % 999) + 1) *
		    pow(10, (double)(rnd() % 30) - 10);
	case 5:
		return 1e15 + (double)(u % 999000000000000000ULL);
	case 6:
		/* up to 3000 doubles either side */
		v = u & 1 ? 1e-4 : u & 2 ? 1e15 : 9007199254740992.0;
		memcpy(&u, &v, sizeof(u));
		u += rnd() % 6001 - 3000;
		memcpy(&v, &u, sizeof(v));
		return v;
	default:
		return (double)(u % 100000) *
		    pow(10, (double)(rnd() % 620) - 324);
	}
}

static void
test_hand(void)
{
	static const struct {
		double v;
		int d;		/* 0: shortest */
		const char *want;
	} c[] = {
		{ 1.23456789, 4, "1.235" },
		{ -1.23456789, 4, "-1.235" },
		{ 1.23456789, 9, "1.23456789" },
		{ 1.23456789, 12, "1.23456789" },
		{ 0.000123456789, 4, "0.0001235" },
		{ 123456.789, 4, "123500" },	/* plain below 1e15 */
		{ 123456.789, 12, "123456.789" },
		{ 9.9996, 4, "10" },		/* carries into a new digit */
		{ -9.9996, 4, "-10" },
		{ 0.99996, 4, "1" },
		{ 9.99996e-5, 4, "0.0001" },	/* and into plain notation */
		{ 999999999999999.9, 12, "1e+15" },	/* and out of it */
		{ 2.5, 1, "2" },		/* exact ties: to even */
		{ 3.5, 1, "4" },
		{ 0.125, 2, "0.12" },
		{ 0.375, 2, "0.38" },
		{ 1.005, 3, "1" },		/* 1.00499999999999989... */
		{ 354.73, 12, "354.73" },
		{ 271.176045832845, 12, "271.176045833" },
		{ -0.06485527631364257, 12, "-0.0648552763136" },
		{ 0.0001, 12, "0.0001" },
		{ 0.00001234567, 4, "1.235e-05" },	/* below 1e-4 */
		{ 1234567890123456789.0, 4, "1.235e+18" },	/* 1e15 up */
		{ 5e-324, 3, "4.94e-324" },
		{ 1.7976931348623157e308, 5, "1.7977e+308" },
		{ 0.1, 16, "0.1" },
		{ 0.1 + 0.2, 16, "0.3" },
		{ 0.1 + 0.2, 15, "0.3" },
		{ 0.1 + 0.2, 17, "0.30000000000000004" },
		{ 100, 12, "100" },
		{ 447.3422, 0, "447.3422" },
		{ 0.3, 0, "0.3" },
		{ 0.30000000000000004, 0, "0.30000000000000004" },
		{ 100, 0, "100" },
		{ 1e-7, 0, "1e-07" },
		{ 0.0001, 0, "0.0001" },
		{ 1e15, 0, "1e+15" },
		{ 1234567890123456.0, 0, "1234567890123456" },	/* %.16g */
		/* %.17g */
		{ 18014398509481988.0, 0, "18014398509481988" },
		{ 1e21, 0, "1e+21" },
		{ 5e-324, 0, "5e-324" },
		{ 1.7976931348623157e308, 0, "1.7976931348623157e+308" },
		{ 0, 0, "0" }, { -0.0, 0, "-0" }, { 0, 12, "0" },
		{ -0.0, 12, "-0" }, { NAN, 0, "null" },
		{ -INFINITY, 0, "null" }, { NAN, 12, "null" },
		{ -INFINITY, 12, "null" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		is_str(fmt(c[i].v, c[i].d), c[i].want, "%.17g %s %d", c[i].v,
		    c[i].d ? "to" : "shortest,", c[i].d);
}

/*
 * numfmt_shortest() reads back, and is the reference's text; so is
 * numfmt_digits() at every digits.  Also: no call writes past NUMFMT_MAX
 * bytes, nor returns more than 24.
 */
static void
test_random(void)
{
	enum { N = 1000000 };
	char want[64], buf[NUMFMT_MAX + 17];
	const char *s;
	double v;
	int i, d, nback = 0, nshort = 0, ndig = 0, nover = 0;
	size_t n;

	for (i = 0; i < N; i++) {
		v = rand_double(i);
		if (v == 0)
			continue;
		s = fmt(v, 0);
		if (strtod(s, NULL) != v && nback++ < 5)
			printf("# %.17g: %s reads back as %.17g\n", v, s,
			    strtod(s, NULL));
		ref(want, v, 0);
		if (strcmp(s, want) != 0 && nshort++ < 5)
			printf("# %.17g: shortest %s, want %s\n", v, s, want);
		d = 1 + (int)(rnd() % NUMFMT_DIGITS_MAX);
		s = fmt(v, d);
		ref(want, v, d);
		if (strcmp(s, want) != 0 && ndig++ < 5)
			printf("# %.17g to %d digits: %s, want %s\n", v, d, s,
			    want);
		memset(buf, '#', sizeof(buf) - 1);
		buf[sizeof(buf) - 1] = '\0';
		n = i & 1 ? numfmt_shortest(buf, v) : numfmt_digits(buf, v, d);
		if ((n > 24 || strspn(buf + NUMFMT_MAX, "#") < 16) &&
		    nover++ < 5)
			printf("# %.17g: %zu bytes, or past NUMFMT_MAX\n", v,
			    n);
	}
	is_int(nback, 0, "numfmt_shortest reads back, %d doubles", N);
	is_int(nshort, 0, "numfmt_shortest is the least %%.*g that reads "
	    "back");
	is_int(ndig, 0, "numfmt_digits is %%.*e's digits at 1 to %d",
	    NUMFMT_DIGITS_MAX);
	is_int(nover, 0, "at most 24 bytes of text, none past NUMFMT_MAX");
}

int
main(void)
{
	test_hand();
	test_random();
	return done_testing();
}
