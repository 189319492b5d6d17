/*
 * numfmt.h: doubles as decimal text, the one float formatter of liu.
 *
 * Two modes share one shape of text.  numfmt_shortest() writes the
 * shortest decimal that strtod(3) reads back as the same double: JSON
 * output (json_add_num()) and liu-ta --exact.  numfmt_digits() writes the
 * value rounded to a number of significant digits: liu-ta --digits, where
 * a MACD histogram near zero keeps as many digits as a price.
 *
 * The shape: a '-' for a negative value (and for -0), the significant
 * digits with trailing zeros after the point dropped and no bare point;
 * plain decimal notation when the value written is from 1e-4 to below
 * 1e15 ("0.0001235", "1235000"), else printf's %g exponent form
 * ("1.5e-07", "1e+21", "4.9e-324").  The shortest mode keeps %g's own
 * choice beyond 1e15, so a value there that needs 16 or 17 digits stays
 * plain ("1234567890123456").  0 is "0", -0 "-0", NaN and infinities
 * "null" (JSON has no word for them).
 *
 * Both write to a caller's array of NUMFMT_MAX bytes: they may write bytes
 * past the text (whole words are stored), and no NUL; they return the
 * text's length, at most 24.  Neither allocates, and neither fails.
 */
#ifndef LIU_NUMFMT_H
#define LIU_NUMFMT_H

#include <stddef.h>

#define NUMFMT_MAX 40		/* bytes a numfmt_*() call may write */
#define NUMFMT_DIGITS_MAX 17	/* a double needs no more */

/*
 * Write v as the shortest decimal that strtod(3) reads back as v, and of
 * two as short the nearer: the digits of printf's "%.*g" at the least
 * precision that reads back.  Fast (integer arithmetic) for 1e-4 <= |v| <
 * 1e15; elsewhere snprintf(3) and strtod(3).
 */
size_t numfmt_shortest(char *out, double v);

/*
 * Write v rounded to 'digits' (1 to NUMFMT_DIGITS_MAX) significant digits:
 * the digits of printf's "%.*e" with digits - 1, which rounds exactly (to
 * nearest; a double that is exactly a tie goes to even), laid out in the
 * shape above, so 1.23456789 to 4 digits is "1.235" and 2.5 to 1 digit
 * "2".  A digits outside 1..NUMFMT_DIGITS_MAX is a bug().  Fast (integer
 * arithmetic) for up to 15 digits and 1e-4 <= |v| < 1e15, fastest at 12.
 */
size_t numfmt_digits(char *out, double v, int digits);

#endif
