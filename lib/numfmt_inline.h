/*
 * numfmt_inline.h: the core of numfmt.c as inline functions, not an
 * interface: numfmt.c is built on it, and one loop that writes many
 * numbers, ind_add_fields(), inlines numfmt_digits()'s fast path from it,
 * since a call per number costs liu-ta 6% of its instructions.  Other code
 * calls numfmt.h.  Not installed.
 *
 * A decimal here is an integer significand q of nd digits (trailing zeros
 * allowed) and the decimal exponent e of its first digit: the value is
 * q * 10^(e - nd + 1).  nf_round_fast() finds one, nf_lay_out() writes it
 * (numfmt.c's lay_out_wide() one of 17 digits).
 */
#ifndef LIU_NUMFMT_INLINE_H
#define LIU_NUMFMT_INLINE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "numfmt.h"

/* The exactly representable powers of ten. */
static const double nf_dpow10[23] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
	1e20, 1e21, 1e22 };
/* The doubles nearest 10^-5 .. 10^16, for the decimal exponent. */
static const double nf_epow10[22] = { 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1,
	1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
	1e15, 1e16 };
static const uint64_t nf_upow10[20] = { 1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL,
	100000ULL, 1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
	10000000000ULL, 100000000000ULL, 1000000000000ULL,
	10000000000000ULL, 100000000000000ULL, 1000000000000000ULL,
	10000000000000000ULL, 100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL };
static const char nf_digits2[] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";

/* |v| as a double is in [1e-4, 1e15): the fast paths' range */
#define NF_IN_RANGE(a) ((a) >= 1e-4 && (a) < 1e15)

/*
 * floor(be * log10(2)), with 78913 / 2^18 for log10(2): near enough for
 * |be| < 50, which covers the fast paths' range (callers correct it
 * beyond that).
 */
static inline int
nf_floor_log10_pow2(int be)
{
	return be >= 0 ? be * 78913 >> 18 : -((-be * 78913 + 262143) >> 18);
}

/* Stage one, the digits mode's fast path */

/*
 * |v| rounded to nd significant digits (nd <= 15) as the integer *q of nd
 * digits times 10^(*e - nd + 1), by one multiplication (or division) by an
 * exact power of ten: returns 0, or -1 when |v| is outside [1e-4, 1e15)
 * or the product lies so near a rounding tie that its own rounding might
 * decide it (one value in some ten thousand at 12 digits), and the caller
 * must round exactly.
 */
static inline __attribute__((always_inline)) int
nf_round_fast(double v, int nd, uint64_t *q, int *e)
{
	double a = fabs(v), p, t, f;
	uint64_t bits, u;
	int k;

	if (!NF_IN_RANGE(a))
		return -1;
	memcpy(&bits, &a, sizeof(bits));
	/* a in [2^be, 2^(be+1)), be = (bits >> 52) - 1023 */
	k = nf_floor_log10_pow2((int)(bits >> 52) - 1023);
	k += a >= nf_epow10[k + 1 + 5];		/* now 10^k <= a < 10^(k+1) */
	*e = k;
	k = nd - 1 - k;				/* -14 <= k <= 18 */
	if (__builtin_expect(k >= 0, 1))
		p = a * nf_dpow10[k];
	else
		p = a / nf_dpow10[-k];
	/*
	 * p < 10^15 < 2^52, so adding 2^52 rounds it to an integer (to
	 * nearest), which is the low bits of the sum; f is exactly what
	 * that rounding changed.  p is within half an ulp, at most
	 * p * 2^-53, of a * 10^k: a tie (|f| = 1/2) that near is left to
	 * round_exact().
	 */
	t = p + 0x1p52;
	memcpy(&bits, &t, sizeof(bits));
	u = bits & ((1ULL << 52) - 1);
	f = p - (t - 0x1p52);
	if (fabs(fabs(f) - 0.5) <= p * 0x1p-53)
		return -1;
	if (u >= nf_upow10[nd]) {		/* 9.99.. went up to 10 */
		u /= 10;
		++*e;
	}
	*q = u;
	return 0;
}

/* Stage two: the text */

/*
 * The digits of n < 10^8 in a word, eight bytes of values 0 to 9 with the
 * first digit in the lowest byte, without one division per digit: split
 * into two halves of four digits, each half into two of two, each two into
 * one and one, all the lanes at once (SWAR).  Each step multiplies by a
 * reciprocal that is exact for the lane's range (x / 100 = x * 10486 >>
 * 20 for x < 43700, x / 10 = x * 103 >> 10 for x < 179) and whose product
 * stays inside its lane.
 */
static inline uint64_t
nf_digits8(uint32_t n)
{
	uint64_t v, q;

	v = n / 10000 | (uint64_t)(n % 10000) << 32;
	q = (v * 10486 >> 20) & 0x0000007f0000007fULL;
	v = q | (v - q * 100) << 16;
	q = (v * 103 >> 10) & 0x000f000f000f000fULL;
	return q | (v - q * 10) << 8;
}

/* The same for n < 10^4: four digits in the low four bytes. */
static inline uint64_t
nf_digits4(uint32_t n)
{
	uint64_t v, q;

	q = n * 10486 >> 20;
	v = q | (uint64_t)(n - q * 100) << 16;
	q = (v * 103 >> 10) & 0x000f000fULL;
	return q | (v - q * 10) << 8;
}

/* Store a word's eight bytes, lowest first. */
static inline void
nf_store8(char *o, uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(o, &w, 8);
#else
	int i;

	for (i = 0; i < 8; i++)
		o[i] = (char)(w >> 8 * i);
#endif
}

/*
 * A decimal's digits as ASCII travel as two words and a char: nd of them,
 * leading zeros and all, the last 16 in a (the first 8 of those) and b,
 * and for nd = 17 the first in lead, which is '\0' for up to 16 digits.
 * By value, not in a struct, so that they stay in registers.
 *
 * Store the characters s to 15 of the 16 in a and b (0 <= s <= 16), then
 * NULs, as 16 bytes: two stores, whatever s is.  s = -1, with lead set,
 * stores lead and all 16, 17 bytes.
 */
static inline void
nf_put16(char *o, uint64_t a, uint64_t b, char lead, int s)
{
	if (lead && s < 0) {	/* folds away where lead is known '\0' */
		*o++ = lead;
		s = 0;
	}
	if (s == 0) {
		nf_store8(o, a);
		nf_store8(o + 8, b);
	} else if (s < 8) {
		nf_store8(o, a >> 8 * s | b << (64 - 8 * s));
		nf_store8(o + 8, b >> 8 * s);
	} else {
		nf_store8(o, s < 16 ? b >> 8 * (s - 8) : 0);
		nf_store8(o + 8, 0);
	}
}

/*
 * The nd (<= 16) digits of q in *pa and *pb (see nf_put16()): returns how
 * many are significant, trailing zeros dropped (q > 0).
 */
static inline __attribute__((always_inline)) int
nf_digits16(uint64_t q, int nd, uint64_t *pa, uint64_t *pb)
{
	const uint64_t zeros = 0x3030303030303030ULL;	/* "00000000" */
	uint32_t hi;
	uint64_t a, b;
	int n;

	if (nd <= 8) {
		/* one word (prices, shortest): a is all leading zeros */
		a = 0;
		b = nf_digits8((uint32_t)q);
	} else {
		/* nd <= 12 (the default) folds to four digits: hi < 10^4 */
		hi = (uint32_t)(q / 100000000);
		a = nd <= 12 || hi < 10000 ? nf_digits4(hi) << 32 :
		    nf_digits8(hi);
		b = nf_digits8((uint32_t)(q % 100000000));
	}
	/* trailing zero digits are the word's high zero bytes */
	n = nd - (b ? __builtin_clzll(b) / 8 : 8 + __builtin_clzll(a) / 8);
	*pa = a + zeros;
	*pb = b + zeros;
	return n;
}

/*
 * Write the sign, the first n significant digits of the nd in a, b and
 * lead (see nf_put16()) and the
 * decimal exponent e of the first digit: plain decimal notation for
 * -4 <= e < elim, else %g's exponent form ("1.5e-07").  Writes whole
 * 8-byte words, some bytes past the text (up to 34 from out); returns the
 * text's length, at most 24.
 */
static inline __attribute__((always_inline)) size_t
nf_place(char *out, int neg, uint64_t a, uint64_t b, char lead, int n,
    int nd, int e, int elim)
{
	char *o = out;
	int s = 16 - nd, intd, i;

	*o = '-';
	o += neg;
	if (e < -4 || e >= elim) {
		nf_put16(o, a, b, lead, s);		/* d.ddde+XX */
		o[1] = '.';
		nf_put16(o + 2, a, b, lead, s + 1);
		o += n > 1 ? n + 1 : 1;
		*o++ = 'e';
		*o++ = e < 0 ? '-' : '+';
		e = e < 0 ? -e : e;
		if (e >= 100)
			*o++ = (char)('0' + e / 100);
		memcpy(o, nf_digits2 + 2 * (e % 100), 2);
		return (size_t)(o + 2 - out);
	}
	intd = e + 1;
	if (intd <= 0) {
		nf_store8(o, 0x3030303030302e30ULL);	/* "0.000000" */
		o += 2 - intd;
		nf_put16(o, a, b, lead, s);
		o += n;
	} else if (n <= intd) {
		/* an integer: the dropped zeros are still in a and b */
		nf_put16(o, a, b, lead, s);
		for (i = nd; i < intd; i++)
			o[i] = '0';
		o += intd;
	} else {
		nf_put16(o, a, b, lead, s);
		o += intd;
		*o++ = '.';
		nf_put16(o, a, b, lead, s + intd);
		o += n - intd;
	}
	return (size_t)(o - out);
}

/* Write sign, q (nd <= 16 digits, q > 0) and e as nf_place() does. */
static inline __attribute__((always_inline)) size_t
nf_lay_out(char *out, int neg, uint64_t q, int nd, int e, int elim)
{
	uint64_t a, b;
	int n = nf_digits16(q, nd, &a, &b);

	return nf_place(out, neg, a, b, '\0', n, nd, e, elim);
}

/*
 * numfmt_digits() without its fast path: any v, any digits (numfmt.c).
 */
size_t numfmt_digits_slow(char *out, double v, int digits);

/*
 * numfmt_digits() for digits 1 to 15, inlined, with digits constant where
 * the caller's is.
 */
static inline __attribute__((always_inline)) size_t
numfmt_digits_inline(char *out, double v, int digits)
{
	uint64_t q;
	int e;

	if (nf_round_fast(v, digits, &q, &e) == 0)
		return nf_lay_out(out, signbit(v) != 0, q, digits, e, 15);
	return numfmt_digits_slow(out, v, digits);
}

#endif
