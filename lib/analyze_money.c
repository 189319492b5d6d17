/*
 * analyze_money.c: exact decimals for liu-analyze.
 *
 * Promises: a price or a quantity is read from its decimal text into a
 * count of 10^-6 (an int64), rounded half-even on the digits it drops, and
 * never through a double; money is an_money, 10^-12 dollars in 128 bits,
 * so a price times a quantity and every sum of them is exact.  Division
 * and printing round half-even; nothing else rounds.
 *
 * Owns nothing: every function works on its arguments, and appends to a
 * struct buf the caller owns (buf_* dies when out of memory).
 *
 * Fails: an_dec() returns -1 on text that is not a JSON number or does not
 * fit; the rest cannot fail, except an_div() by zero, which the callers
 * never ask for.
 */
#include <stdint.h>

#include "analyze.h"
#include "analyze_impl.h"
#include "buf.h"
#include "banned.h"

an_money
an_div(an_money num, an_money den)
{
	an_money q = num / den, r = num % den;

	/* C truncates toward zero; round the remainder half to even */
	if (r > 0 && (2 * r > den || (2 * r == den && (q & 1))))
		q++;
	else if (r < 0 && (-2 * r > den || (-2 * r == den && (q & 1))))
		q--;
	return q;
}

/*
 * A JSON number as a count of 10^-6: gather its significant digits and
 * decimal exponent, then scale, rounding half-even on the dropped digits.
 */
int
an_dec(const char *s, size_t n, int64_t *v)
{
	const char *p = s, *end = s + n;
	char dig[40];
	size_t nd = 0, i, keep;
	long exp10 = 0, e = 0;
	int neg = 0, esign = 1, sticky = 0, seen = 0, dot = 0;
	uint64_t m = 0;
	int first;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	for (; p < end; p++) {
		if (*p == '.' && !dot) {
			dot = 1;
			continue;
		}
		if (*p < '0' || *p > '9')
			break;
		seen = 1;
		if (dot)
			exp10--;
		if (nd == 0 && *p == '0')
			continue;
		if (nd < sizeof(dig)) {
			dig[nd++] = *p;
		} else {
			/* beyond 40 digits: only whether any is non-zero */
			if (*p != '0')
				sticky = 1;
			exp10++;
		}
	}
	if (!seen)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			esign = *p++ == '-' ? -1 : 1;
		if (p == end)
			return -1;
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			if (e < 100000)
				e = e * 10 + (*p - '0');
	}
	if (p != end)
		return -1;
	/* value * 10^6 = digits * 10^exp10 */
	exp10 += esign * e + 6;
	if (nd == 0) {
		*v = 0;
		return 0;
	}
	if (exp10 >= 0) {
		if (exp10 + (long)nd > 19)
			return -1;
		for (i = 0; i < nd; i++)
			m = m * 10 + (uint64_t)(dig[i] - '0');
		for (; exp10 > 0; exp10--)
			m *= 10;
		if (m > INT64_MAX)
			return -1;
		*v = neg ? -(int64_t)m : (int64_t)m;
		return 0;
	}
	/* drop -exp10 digits from the right */
	if ((long)nd + exp10 > 19)
		return -1;
	keep = (long)nd + exp10 > 0 ? (size_t)((long)nd + exp10) : 0;
	for (i = 0; i < keep; i++)
		m = m * 10 + (uint64_t)(dig[i] - '0');
	if (keep < nd) {
		first = (long)nd + exp10 < 0 ? 0 : dig[keep] - '0';
		for (i = keep + ((long)nd + exp10 < 0 ? 0 : 1); i < nd; i++)
			if (dig[i] != '0')
				sticky = 1;
		if (first > 5 || (first == 5 && (sticky || (m & 1))))
			m++;
	}
	if (m > INT64_MAX)
		return -1;
	*v = neg ? -(int64_t)m : (int64_t)m;
	return 0;
}

static void
add_u128(struct buf *b, an_money u, int mindig)
{
	char tmp[48];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u || (int)sizeof(tmp) - i < mindig);
	buf_add(b, tmp + i, sizeof(tmp) - (size_t)i);
}

void
an_add_money(struct buf *b, an_money v, int decimals)
{
	an_money unit = 1, q, ten = 1;
	an_money u;
	int i;

	for (i = decimals; i < 12; i++)
		unit *= 10;
	for (i = 0; i < decimals; i++)
		ten *= 10;
	q = an_div(v, unit);
	if (q < 0)
		buf_addc(b, '-');
	u = q < 0 ? -q : q;
	add_u128(b, u / ten, 1);
	if (decimals > 0) {
		buf_addc(b, '.');
		add_u128(b, u % ten, decimals);
	}
}

/* 10^-6 units with between 'mindec' and six decimals */
static void
add_micro(struct buf *b, int64_t v, int mindec)
{
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	uint64_t frac = u % AN_SCALE;
	char tmp[32];
	int i = sizeof(tmp), dec = 6;

	while (dec > mindec && frac % 10 == 0) {
		frac /= 10;
		dec--;
	}
	while (dec-- > 0) {
		tmp[--i] = (char)('0' + frac % 10);
		frac /= 10;
		if (dec == 0)
			tmp[--i] = '.';
	}
	u /= AN_SCALE;
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	buf_add(b, tmp + i, sizeof(tmp) - (size_t)i);
}

void
an_add_price(struct buf *b, int64_t micro)
{
	add_micro(b, micro, 2);
}

void
an_add_qty(struct buf *b, int64_t micro)
{
	add_micro(b, micro, 0);
}

double
an_money_dbl(an_money v)
{
	return (double)v / (double)AN_MONEY_PER_DOLLAR;
}
