/*
 * Unit tests of lib/tm.c: RFC 3339 parsing and formatting and the civil
 * date arithmetic.  Expected values are written by hand or come from the
 * C library (timegm, gmtime_r), never from tm.c itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "rng.h"
#include "tm.h"
#include "banned.h"

#define NS TM_NS_PER_SEC

/* tm_parse on an exact-size copy (no NUL after it), so ASan sees over-reads */
static int
parse(const char *s, int64_t *ns)
{
	size_t n = strlen(s);
	char *p = malloc(n ? n : 1);
	int rc;

	memcpy(p, s, n);
	rc = tm_parse(p, n, ns);
	free(p);
	return rc;
}

static const char *
fmt(int64_t ns)
{
	static char out[4][TM_RFC3339_MAX];
	static int i;

	i = (i + 1) % 4;
	tm_format(ns, out[i]);
	return out[i];
}

/* s parses to want ns */
static void
is_time(const char *s, int64_t want)
{
	int64_t ns = 12345;
	int rc = parse(s, &ns);

	if (!ok(rc == 0 && ns == want, "parse %s", s))
		printf("#   rc %d got %lld want %lld\n", rc, (long long)ns,
		    (long long)want);
}

/* s parses and formats as want */
static void
is_canon(const char *s, const char *want)
{
	int64_t ns = 0;

	if (!ok(parse(s, &ns) == 0, "parse %s", s))
		return;
	is_str(fmt(ns), want, "format(parse(%s))", s);
}

static void
is_bad(const char *s, const char *why)
{
	int64_t ns = 777;

	ok(parse(s, &ns) == -1 && ns == 777, "reject %s: '%s'", why, s);
}

/* the same instant by timegm(), the C library's own arithmetic */
static int64_t
libc_ns(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm) * NS;
}

static void
test_known(void)
{
	int y, m, d;

	is_int(tm_days_from_civil(1970, 1, 1), 0, "1970-01-01 is day 0");
	is_int(tm_days_from_civil(2000, 3, 1), 11017, "2000-03-01 is 11017");
	is_int(tm_days_from_civil(1969, 12, 31), -1, "1969-12-31 is -1");
	is_int(tm_days_from_civil(2000, 1, 1), 10957, "2000-01-01 is 10957");
	is_int(tm_days_from_civil(2024, 2, 29), 19782, "2024-02-29 is 19782");
	is_int(tm_days_from_civil(1600, 1, 1), -135140, "1600-01-01");
	tm_civil_from_days(11017, &y, &m, &d);
	ok(y == 2000 && m == 3 && d == 1, "day 11017 is 2000-03-01");
	tm_civil_from_days(-1, &y, &m, &d);
	ok(y == 1969 && m == 12 && d == 31, "day -1 is 1969-12-31");
	tm_civil_from_days(0, &y, &m, &d);
	ok(y == 1970 && m == 1 && d == 1, "day 0 is 1970-01-01");

	is_time("1970-01-01T00:00:00Z", 0);
	is_time("1970-01-01T00:00:01Z", NS);
	is_time("1969-12-31T23:59:59.999999999Z", -1);
	is_time("2024-03-01T14:30:00Z", 1709303400 * NS);
	is_time("2024-03-01T14:30:00.123456789Z", 1709303400 * NS + 123456789);
	is_time("2024-01-02T14:30:00Z", 1704205800 * NS);
	is_str(fmt(0), "1970-01-01T00:00:00Z", "format 0");
	is_str(fmt(-1), "1969-12-31T23:59:59.999999999Z", "format -1");
	is_str(fmt(1), "1970-01-01T00:00:00.000000001Z", "format 1");
	is_str(fmt(1709303400 * NS + 500000000), "2024-03-01T14:30:00.5Z",
	    "format trims the fraction");
	is_str(fmt(INT64_MAX), "2262-04-11T23:47:16.854775807Z",
	    "format INT64_MAX");
	is_str(fmt(INT64_MIN), "1677-09-21T00:12:43.145224192Z",
	    "format INT64_MIN");
	ok(strlen(fmt(INT64_MIN + 1)) < TM_RFC3339_MAX,
	    "longest output fits TM_RFC3339_MAX");
}

static void
test_fraction(void)
{
	static const char *const in[] = {
		"2024-03-01T14:30:00Z",
		"2024-03-01T14:30:00.1Z",
		"2024-03-01T14:30:00.12Z",
		"2024-03-01T14:30:00.123Z",
		"2024-03-01T14:30:00.1234Z",
		"2024-03-01T14:30:00.12345Z",
		"2024-03-01T14:30:00.123456Z",
		"2024-03-01T14:30:00.1234567Z",
		"2024-03-01T14:30:00.12345678Z",
		"2024-03-01T14:30:00.123456789Z",
	};
	static const int64_t frac[] = {
		0, 100000000, 120000000, 123000000, 123400000, 123450000,
		123456000, 123456700, 123456780, 123456789,
	};
	int64_t base = 1709303400 * NS;
	int k;

	for (k = 0; k <= 9; k++) {
		is_time(in[k], base + frac[k]);
		is_canon(in[k], in[k]);
	}
	is_canon("2024-03-01T14:30:00.0Z", "2024-03-01T14:30:00Z");
	is_canon("2024-03-01T14:30:00.000000000Z", "2024-03-01T14:30:00Z");
	is_canon("2024-03-01T14:30:00.100Z", "2024-03-01T14:30:00.1Z");
	is_canon("2024-03-01T14:30:00.000000001Z",
	    "2024-03-01T14:30:00.000000001Z");
	is_canon("2024-03-01T14:30:00.050Z", "2024-03-01T14:30:00.05Z");
	is_canon("2024-03-01T14:30:00.999999999Z",
	    "2024-03-01T14:30:00.999999999Z");
}

static void
test_zones(void)
{
	int64_t z = 1709303400 * NS;	/* 2024-03-01T14:30:00Z */

	is_time("2024-03-01T14:30:00z", z);
	is_time("2024-03-01t14:30:00Z", z);
	is_time("2024-03-01 14:30:00Z", z);
	is_time("2024-03-01T14:30:00+00:00", z);
	is_time("2024-03-01T14:30:00-00:00", z);
	is_time("2024-03-01T20:00:00+05:30", z);
	is_time("2024-03-01T10:30:00-04:00", z);
	is_time("2024-03-01T10:30:00.25-04:00", z + 250000000);
	is_time("2024-03-02T14:29:00+23:59", z - 60 * NS + 86400 * NS -
	    (23 * 3600 + 59 * 60) * NS);
	is_canon("2024-01-01T01:00:00+05:30", "2023-12-31T19:30:00Z");
	is_canon("2023-12-31T22:00:00-04:00", "2024-01-01T02:00:00Z");
	is_canon("2024-02-28T23:00:00-02:00", "2024-02-29T01:00:00Z");
}

static void
test_calendar(void)
{
	is_canon("2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z");
	is_canon("2000-02-29T00:00:00Z", "2000-02-29T00:00:00Z");
	is_canon("2096-02-29T00:00:00Z", "2096-02-29T00:00:00Z");
	is_bad("2200-02-29T12:00:00Z", "2200 is not a leap year");
	is_bad("2023-02-29T12:00:00Z", "2023 is not a leap year");
	is_bad("1900-02-29T12:00:00Z", "1900 is not a leap year");
	is_bad("2100-02-29T12:00:00Z", "2100 is not a leap year");
	is_bad("2024-02-30T12:00:00Z", "February 30");
	is_bad("2023-04-31T12:00:00Z", "April 31");
	is_bad("2023-06-31T12:00:00Z", "June 31");
	is_bad("2023-09-31T12:00:00Z", "September 31");
	is_bad("2023-11-31T12:00:00Z", "November 31");
	is_canon("2023-12-31T23:59:59Z", "2023-12-31T23:59:59Z");
	is_bad("2023-12-32T12:00:00Z", "day 32");
	is_bad("2023-13-01T12:00:00Z", "month 13");
	is_bad("2023-00-10T12:00:00Z", "month 0");
	is_bad("2023-01-00T12:00:00Z", "day 0");
	is_bad("2023-01-01T24:00:00Z", "hour 24");
	is_bad("2023-01-01T12:60:00Z", "minute 60");
	is_bad("2023-01-01T12:00:61Z", "second 61");
	is_bad("2023-01-01T12:00:99Z", "second 99");
}

static void
test_leap_second(void)
{
	int64_t a = 0, b = 0;

	/* tm.c folds :60 into the next second (it does not reject it) */
	ok(parse("2016-12-31T23:59:60Z", &a) == 0 &&
	    parse("2017-01-01T00:00:00Z", &b) == 0 && a == b,
	    "23:59:60 is the next midnight");
	is_canon("2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z");
	is_canon("2016-12-31T23:59:60.5Z", "2017-01-01T00:00:00.5Z");
	is_canon("2016-12-31T23:59:60.999999999Z",
	    "2017-01-01T00:00:00.999999999Z");
	is_canon("2016-12-31T18:59:60-05:00", "2017-01-01T00:00:00Z");
	is_canon("2015-06-30T23:59:60Z", "2015-07-01T00:00:00Z");
	is_canon("2024-03-01T14:30:60Z", "2024-03-01T14:31:00Z");
}

static void
test_range(void)
{
	int64_t ns = 0;

	is_canon("1678-01-01T00:00:00Z", "1678-01-01T00:00:00Z");
	is_canon("1678-01-01T00:00:00.000000001Z",
	    "1678-01-01T00:00:00.000000001Z");
	is_canon("2261-12-31T23:59:59.999999999Z",
	    "2261-12-31T23:59:59.999999999Z");
	is_canon("1678-01-01T00:00:00+23:59", "1677-12-31T00:01:00Z");
	is_canon("2261-12-31T23:59:59.999999999-23:59",
	    "2262-01-01T23:58:59.999999999Z");
	is_bad("1677-12-31T23:59:59Z", "year 1677");
	is_bad("2262-01-01T00:00:00Z", "year 2262");
	is_bad("0000-01-01T00:00:00Z", "year 0");
	is_bad("9999-12-31T23:59:59Z", "year 9999");
	ok(parse("1678-01-01T00:00:00Z", &ns) == 0 &&
	    ns == libc_ns(1678, 1, 1, 0, 0, 0), "1678-01-01 as timegm");
	ok(parse("2261-12-31T23:59:59Z", &ns) == 0 &&
	    ns == libc_ns(2261, 12, 31, 23, 59, 59), "2261-12-31 as timegm");
}

static void
test_malformed(void)
{
	int64_t ns = 777;

	is_bad("", "empty");
	is_bad("2024", "year only");
	is_bad("2024-03-01", "date only");
	is_bad("2024-03-01T14:30:00", "no zone");
	is_bad("2024-03-01T14:30Z", "no seconds");
	is_bad("2024-03-01T14:30:00.Z", "a point and no digits");
	is_bad("2024-03-01T14:30:00.", "a point at the end");
	is_bad("2024-03-01T14:30:00.1234567890Z", "10 fractional digits");
	is_bad("2024-03-01T14:30:00.5", "fraction, no zone");
	is_bad("2024-03-01T14:30:00,5Z", "comma fraction");
	is_bad("2024-0a-01T14:30:00Z", "letter in the month");
	is_bad("2024-03-01T14:3x:00Z", "letter in the minute");
	is_bad("2024-03-01T14:30:00.12a4Z", "letter in the fraction");
	is_bad("2024-03-01T14:30:00X", "zone X");
	is_bad("2024-03-01T14:30:00ZZ", "two Z");
	is_bad("2024-03-01T14:30:00Z ", "a trailing blank");
	is_bad(" 2024-03-01T14:30:00Z", "a leading blank");
	is_bad("2024/03/01T14:30:00Z", "slashes");
	is_bad("2024-03-01X14:30:00Z", "separator X");
	is_bad("2024-03-01_14:30:00Z", "separator _");
	is_bad("2024-03-01T14-30-00Z", "dashes in the time");
	is_bad("2024-3-01T14:30:00Z", "one-digit month");
	is_bad("+2024-03-01T14:30:00Z", "a sign on the year");
	is_bad("-2024-03-01T14:30:00Z", "a negative year");
	is_bad("2024-03-01T14:30:00+0530", "offset without colon");
	is_bad("2024-03-01T14:30:00+05:3", "short offset");
	is_bad("2024-03-01T14:30:00+05", "offset hours only");
	is_bad("2024-03-01T14:30:00+24:00", "offset +24:00");
	is_bad("2024-03-01T14:30:00+05:60", "offset minute 60");
	is_bad("2024-03-01T14:30:00+05:30Z", "offset then Z");
	is_bad("2024-03-01T14:30:00Z+05:30", "Z then offset");
	is_bad("2024-03-01T14:30:00 +05:30", "blank before the offset");
	is_bad("2024-03-01T14:30:00.+05:30", "point then offset");
	is_bad("2024-03-01T14:30:00-0a:00", "letter in the offset");
	is_bad("2024-03-01T14:30:-1Z", "negative second");

	/* the length is honoured: no reading past it, no NUL needed */
	ok(tm_parse("2024-03-01T14:30:00Zjunk", 20, &ns) == 0 &&
	    ns == 1709303400 * NS, "length 20 of a longer string");
	ns = 777;
	ok(tm_parse("2024-03-01T14:30:00.5Z", 21, &ns) == -1 && ns == 777,
	    "a length that cuts the zone off");
	ok(tm_parse("2024-03-01T14:30:00Z", 19, &ns) == -1,
	    "length 19");
	ok(tm_parse("2024-03-01T14:30:00Z", 0, &ns) == -1, "length 0");
}

/* Every day of 1678..2261: the two conversions are inverse and agree with
 * a plain walk through the calendar. */
static void
test_sweep(void)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int64_t first, last, z;
	int y = 1678, m = 1, d = 1, cy, cm, cd, nbad = 0, leap;

	first = tm_days_from_civil(1678, 1, 1);
	last = tm_days_from_civil(2261, 12, 31);
	is_int(first, libc_ns(1678, 1, 1, 0, 0, 0) / (86400 * NS),
	    "day of 1678-01-01 as timegm");
	is_int(last, libc_ns(2261, 12, 31, 0, 0, 0) / (86400 * NS),
	    "day of 2261-12-31 as timegm");
	for (z = first; z <= last; z++) {
		tm_civil_from_days(z, &cy, &cm, &cd);
		if ((cy != y || cm != m || cd != d ||
		    tm_days_from_civil(y, m, d) != z) && nbad++ < 5)
			printf("# day %lld: got %d-%d-%d want %d-%d-%d\n",
			    (long long)z, cy, cm, cd, y, m, d);
		leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
		if (++d > dm[m - 1] + (m == 2 && leap)) {
			d = 1;
			if (++m > 12)
				m = 1, y++;
		}
	}
	is_int(nbad, 0, "%lld days of 1678..2261 convert both ways",
	    (long long)(last - first + 1));
	ok(y == 2262 && m == 1 && d == 1, "the walk ends on 2262-01-01");
}

/* Random instants: format agrees with gmtime_r, parse inverts format. */
static void
test_random(void)
{
	struct rng r;
	struct tm tm;
	char want[64], s[64];
	int64_t lo, hi, ns, back;
	time_t secs;
	int n, nbad = 0, nd, k;
	uint64_t span;

	lo = libc_ns(1678, 1, 1, 0, 0, 0);
	hi = libc_ns(2261, 12, 31, 23, 59, 59) + NS - 1;
	span = (uint64_t)hi - (uint64_t)lo + 1;
	rng_seed(&r, 3339);
	for (n = 0; n < 200000; n++) {
		ns = (int64_t)((uint64_t)lo + rng_next(&r) % span);
		switch (n % 4) {	/* whole seconds, ms, us, ns */
		case 0: ns -= ((ns % NS) + NS) % NS; break;
		case 1: ns -= ((ns % 1000000) + 1000000) % 1000000; break;
		case 2: ns -= ((ns % 1000) + 1000) % 1000; break;
		default: break;
		}
		secs = (time_t)(ns >= 0 ? ns / NS : -((-ns + NS - 1) / NS));
		gmtime_r(&secs, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
		k = (int)(ns - (int64_t)secs * NS);
		if (k) {
			nd = 9;
			while (k % 10 == 0)
				k /= 10, nd--;
			snprintf(want + 19, sizeof(want) - 19, ".%0*dZ", nd, k);
		} else
			snprintf(want + 19, sizeof(want) - 19, "Z");
		snprintf(s, sizeof(s), "%s", fmt(ns));
		back = 0;
		if ((strcmp(s, want) != 0 || parse(s, &back) != 0 ||
		    back != ns || !tm_canonical(s, strlen(s))) && nbad++ < 5)
			printf("# %lld: got %s want %s, back %lld\n",
			    (long long)ns, s, want, (long long)back);
	}
	is_int(nbad, 0, "200000 random instants: format == gmtime_r, "
	    "parse(format(t)) == t, and the text is canonical");
}

/* tm_canonical() says 1 exactly when tm_format() gives the text back. */
static void
test_canonical(void)
{
	static const char *const in[] = {
		"2021-02-22T15:51:44.208Z", "2021-02-22T15:51:44Z",
		"2021-02-22T15:51:45.335689322Z", "2021-02-22T15:51:44.2080Z",
		"2021-02-22T15:51:44.000Z", "2021-02-22t15:51:44Z",
		"2021-02-22T15:51:44z", "2021-02-22 15:51:44Z",
		"2021-02-22T15:51:44+00:00", "2021-02-22T10:51:44-05:00",
		"2016-12-31T23:59:60Z", "2016-12-31T23:59:60.5Z",
		"2021-02-22T15:51:44.1Z", "2021-02-22T15:51:44.10Z",
	};
	char out[TM_RFC3339_MAX];
	size_t i, n;
	int64_t ns;
	int bad = 0;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		n = strlen(in[i]);
		if (parse(in[i], &ns) != 0) {
			printf("# tm_parse refused %s\n", in[i]);
			bad++;
			continue;
		}
		out[tm_format(ns, out)] = '\0';
		if (tm_canonical(in[i], n) != (strcmp(out, in[i]) == 0)) {
			printf("# %s: tm_canonical %d, tm_format %s\n", in[i],
			    tm_canonical(in[i], n), out);
			bad++;
		}
	}
	is_int(bad, 0, "tm_canonical() is 1 exactly when tm_format() "
	    "writes the text back");
}

int
main(void)
{
	test_known();
	test_fraction();
	test_zones();
	test_calendar();
	test_leap_second();
	test_range();
	test_malformed();
	test_sweep();
	test_random();
	test_canonical();
	return done_testing();
}
