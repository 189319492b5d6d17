/*
 * tap.h: a tiny TAP producer for C unit tests of lib/.  prove runs the
 * binaries in t/unit/bin directly.
 *
 *	ok(cond, "name %d", i);   is_int(got, want, "name");
 *	is_str(got, want, "name");  is_dbl(got, want, rel, "name");
 *	return done_testing();
 */
#ifndef LIU_TAP_H
#define LIU_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static int __attribute__((format(printf, 4, 5), unused))
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", pass ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

#define ok(c, ...) tap_ok(!!(c), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (!tap_ok(g_ == w_, __FILE__, __LINE__, __VA_ARGS__)) \
		printf("#   got %lld, want %lld\n", g_, w_); \
} while (0)
#define is_str(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	if (!tap_ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, \
	    __FILE__, __LINE__, __VA_ARGS__)) \
		printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)", \
		    w_ ? w_ : "(null)"); \
} while (0)
/* relative tolerance 'rel' (absolute below 1) */
#define is_dbl(got, want, rel, ...) do { \
	double g_ = (got), w_ = (want), s_ = fabs(w_) > 1 ? fabs(w_) : 1; \
	int p_ = (isnan(g_) && isnan(w_)) || fabs(g_ - w_) <= (rel) * s_; \
	if (!tap_ok(p_, __FILE__, __LINE__, __VA_ARGS__)) \
		printf("#   got %.17g, want %.17g\n", g_, w_); \
} while (0)

static int __attribute__((unused))
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
