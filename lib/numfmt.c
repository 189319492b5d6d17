/*
 * numfmt.c: doubles as decimal text (see numfmt.h for the contract).
 *
 * Every number goes through two stages.  The first finds a decimal, an
 * integer significand q of nd digits (trailing zeros allowed) and the
 * decimal exponent e of its first digit, so that the value written is
 * q * 10^(e - nd + 1).  The modes differ only there:
 *
 *	digits:   nf_round_fast() scales |v| by one exact power of ten and
 *		  rounds it to an integer, falling back on round_exact()
 *		  (printf's %.*e, exact) near a tie or out of range;
 *	shortest: short_fixed() finds the fewest decimals, up to 9, that
 *		  read back (prices); short_wide() the first of 15, 16, 17
 *		  digits that reads back, with 128-bit integer arithmetic;
 *		  short_printf() the same by snprintf and strtod for what
 *		  those two cannot do (subnormals, |v| outside [1e-4, 1e15),
 *		  a compiler without __int128).
 *
 * The second stage, nf_lay_out(), is shared: the digits of q become ASCII
 * eight at a time in a 64-bit word (SWAR), trailing zeros are counted off
 * the words, and the text is stored a word at a time, in plain notation
 * or in %g's exponent form; only where %g would use a 17th digit does
 * lay_out_wide() put it in front.  liu-ta writes ten or so numbers a bar
 * and this is most of its work, hence no printf on the usual paths.
 * nf_round_fast() and nf_lay_out() live in numfmt_inline.h, so that
 * ind_add_fields() can inline them too.
 *
 * Owns nothing, allocates nothing, keeps no state; a digits out of range
 * is a bug(), and nothing else can fail.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"
#include "numfmt_inline.h"
#include "util.h"
#include "banned.h"

/*
 * |v| (finite, nonzero) rounded to nd (<= 17) digits by printf, exactly,
 * into tmp (40 bytes) as "d.ddde-dd".
 */
static void
exact_text(char *tmp, double v, int nd)
{
	snprintf(tmp, 40, "%.*e", nd - 1, fabs(v));
}

/* The significand *q and exponent *e of exact_text()'s text. */
static void
exact_parse(const char *tmp, uint64_t *q, int *e)
{
	const char *p;
	uint64_t u = 0;
	int x = 0, neg;

	/* our own text, so no checks */
	for (p = tmp; *p != 'e'; p++)
		if (*p != '.')
			u = u * 10 + (uint64_t)(*p - '0');
	neg = *++p == '-';
	while (*++p)
		x = x * 10 + (*p - '0');
	*q = u;
	*e = neg ? -x : x;
}

/* What nf_round_fast() does, exactly, for any finite nonzero v. */
static void
round_exact(double v, int nd, uint64_t *q, int *e)
{
	char tmp[40];

	exact_text(tmp, v, nd);
	exact_parse(tmp, q, e);
}

/* Stage one, shortest mode */

/*
 * For 1e-4 <= a < 1e15: the fewest decimals k, up to 9, that read back,
 * as *q of *nd digits and first-digit exponent *e; returns 0, or -1 if no
 * k does.  If any k works, k = 9 does, and below 2^50 the product is near
 * enough an integer for rint() to find it: a value that fails there (a
 * computed one, at full precision) skips the loop.
 */
static inline int
short_fixed(double a, uint64_t *q, int *nd, int *e)
{
	double m = a * 1e9;
	uint64_t u;
	int k, n;

	k = m < 1.1e15 && rint(m) / 1e9 != a ? 10 : 0;
	for (; k <= 9; k++) {
		m = rint(a * nf_dpow10[k]);
		if (m / nf_dpow10[k] != a || m >= 9007199254740992.0)
			continue;
		u = (uint64_t)m;		/* 1 <= u < 2^53 */
		/* its digits: about log10(2) per bit, then correct */
		n = (64 - __builtin_clzll(u)) * 1233 >> 12;
		n += u >= nf_upow10[n];
		*q = u;
		*nd = n;
		*e = n - 1 - k;
		return 0;
	}
	return -1;
}

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;

/* 10^k, 0 <= k <= 20 */
static inline u128
pow10_128(int k)
{
	return k < 20 ? (u128)nf_upow10[k] : (u128)nf_upow10[19] * 10;
}

/* a * 10^k = d17 + frac / 2^s rounded to 17 - t digits, ties to even */
static inline uint64_t
round_digits(uint64_t d17, int t, u128 frac, u128 half)
{
	uint64_t q, r, h;

	if (t == 0)
		return d17 + (frac > half || (frac == half && (d17 & 1)));
	q = t == 1 ? d17 / 10 : d17 / 100;
	r = t == 1 ? d17 % 10 : d17 % 100;
	h = t == 1 ? 5 : 50;
	return q + (r > h || (r == h && (frac != 0 || (q & 1))));
}

/*
 * Whether c / 10^k (c scaled like d17) reads back as m / 2^s, n being
 * m * 10^k: within half an ulp, ties going to an even m.
 */
static inline int
reads_back(uint64_t c, int s, u128 n, uint64_t m, u128 pk)
{
	u128 cs = (u128)c << s, delta;

	delta = cs >= n ? cs - n : n - cs;
	if (cs < n && m == (1ULL << 52))
		delta *= 2;		/* the ulp below is half as big */
	return 2 * delta < pk || (2 * delta == pk && !(m & 1));
}

/*
 * For 1e-4 <= a < 1e15: the first of 15, 16 and 17 digits that reads
 * back, as short_fixed() gives its result, but without snprintf and
 * strtod: a = m / 2^s exactly, so a * 10^k is the integer quotient and
 * remainder of m * 10^k by 2^s, and a candidate reads back if it lies
 * within half an ulp of it.  Returns 0, or -1 if a is out of range.
 */
static int
short_wide(double a, uint64_t *qp, int *nd, int *e)
{
	uint64_t bits, m, d17, q, q15;
	u128 n, frac, half, pk;
	int s, k, prec;

	if (!NF_IN_RANGE(a))
		return -1;
	memcpy(&bits, &a, sizeof(bits));
	m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	s = 1075 - (int)(bits >> 52);	/* a = m / 2^s, 3 <= s <= 66 */
	/* k such that a * 10^k has 17 digits: estimate, then correct */
	k = 16 - nf_floor_log10_pow2(52 - s);
	for (;;) {
		if (k < 0 || k > 20)
			return -1;
		pk = pow10_128(k);
		n = (u128)m * pk;
		d17 = (uint64_t)(n >> s);
		if (d17 >= nf_upow10[17])
			k--;
		else if (d17 < nf_upow10[16])
			k++;
		else
			break;
	}
	frac = n & (((u128)1 << s) - 1);
	half = (u128)1 << (s - 1);
	/*
	 * The nearest 16-digit decimal is no farther than the 15-digit one,
	 * so if 16 fails so does 15, and 17 digits always read back: try
	 * 16 first.
	 */
	q = round_digits(d17, 1, frac, half);
	if (reads_back(q * 10, s, n, m, pk)) {
		prec = 16;
		q15 = round_digits(d17, 2, frac, half);
		if (reads_back(q15 * 100, s, n, m, pk)) {
			q = q15;
			prec = 15;
		}
	} else {
		q = round_digits(d17, 0, frac, half);
		prec = 17;
	}
	*e = 16 - k;
	if (q >= nf_upow10[prec]) {		/* 9.99.. went up to 10 */
		q /= 10;
		++*e;
	}
	*qp = q;
	*nd = prec;
	return 0;
}
#else
static int
short_wide(double a, uint64_t *qp, int *nd, int *e)
{
	(void)a;
	(void)qp;
	(void)nd;
	(void)e;
	return -1;
}
#endif

/*
 * For any finite nonzero v: the least precision, from 15 (from 1 for a
 * subnormal, which has fewer digits of its own), whose printf rounding
 * reads back.  Returns that precision, the digits being *q and *e.
 */
static __attribute__((noinline)) int
short_printf(double v, uint64_t *q, int *e)
{
	char tmp[40];
	double a = fabs(v);
	int prec;

	for (prec = a < DBL_MIN ? 1 : 15; prec < 17; prec++) {
		exact_text(tmp, a, prec);
		if (strtod(tmp, NULL) == a)
			break;
	}
	if (prec == 17)
		exact_text(tmp, a, prec);	/* 17 always reads back */
	exact_parse(tmp, q, e);
	return prec;
}

/* nf_lay_out() for up to 17 digits: the shortest mode's, and %.17g's. */
static size_t
lay_out_wide(char *out, int neg, uint64_t q, int nd, int e, int elim)
{
	uint64_t a, b;
	char lead;
	int n;

	if (nd <= 16)
		return nf_lay_out(out, neg, q, nd, e, elim);
	/* the first digit apart, the others as nf_lay_out() has them */
	lead = (char)('0' + q / nf_upow10[16]);
	q %= nf_upow10[16];
	if (q) {
		n = 1 + nf_digits16(q, 16, &a, &b);
	} else {
		a = b = 0x3030303030303030ULL;
		n = 1;
	}
	return nf_place(out, neg, a, b, lead, n, nd, e, elim);
}

/* NaN, infinities and zeros: the length, or 0 for any other value. */
static inline size_t
special(char *out, double v)
{
	if (!isfinite(v)) {
		memcpy(out, "null", 4);
		return 4;
	}
	if (v != 0)
		return 0;
	if (signbit(v)) {
		memcpy(out, "-0", 2);
		return 2;
	}
	*out = '0';
	return 1;
}

/* The modes */

size_t
numfmt_shortest(char *out, double v)
{
	double a = fabs(v);
	uint64_t q;
	size_t n;
	int nd, e;

	if (NF_IN_RANGE(a)) {
		if (short_fixed(a, &q, &nd, &e) == 0)
			return nf_lay_out(out, signbit(v) != 0, q, nd, e, 15);
		if (short_wide(a, &q, &nd, &e) == 0)
			return lay_out_wide(out, signbit(v) != 0, q, nd, e,
			    15);
	} else if ((n = special(out, v)) > 0) {
		return n;
	}
	/* %g's rule: plain below 10^prec, beyond 1e15 as in it */
	nd = short_printf(v, &q, &e);
	return lay_out_wide(out, signbit(v) != 0, q, nd, e, nd > 15 ? nd : 15);
}

/* Everything but the usual case, out of its way. */
__attribute__((noinline)) size_t
numfmt_digits_slow(char *out, double v, int digits)
{
	uint64_t q;
	size_t n;
	int e;

	if ((n = special(out, v)) > 0)
		return n;
	if (digits < 1 || digits > NUMFMT_DIGITS_MAX)
		bug("numfmt: %d digits", digits);
	if (digits > 15 || nf_round_fast(v, digits, &q, &e) < 0)
		round_exact(v, digits, &q, &e);
	return lay_out_wide(out, signbit(v) != 0, q, digits, e, 15);
}

size_t
numfmt_digits(char *out, double v, int digits)
{
	if (digits == 12)		/* liu-ta's default */
		return numfmt_digits_inline(out, v, 12);
	if (digits >= 1 && digits <= 15)
		return numfmt_digits_inline(out, v, digits);
	return numfmt_digits_slow(out, v, digits);
}
