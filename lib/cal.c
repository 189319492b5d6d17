/*
 * cal.c: the New York stock market calendar (see cal.h).  Day numbers are
 * days since 1970-01-01 (tm_days_from_civil); 1970-01-01 was a Thursday.
 */
#include <stdint.h>

#include "cal.h"
#include "tm.h"
#include "banned.h"

#define HOUR_NS	(3600 * TM_NS_PER_SEC)

/* Full-day closures not given by the rules (since 1994). */
static const struct {
	short y;
	signed char m, d;
} cal_closures[] = {
	{ 1994, 4, 27 },	/* Nixon's funeral */
	{ 2001, 9, 11 }, { 2001, 9, 12 }, { 2001, 9, 13 }, { 2001, 9, 14 },
	{ 2004, 6, 11 },	/* Reagan */
	{ 2007, 1, 2 },		/* Ford */
	{ 2012, 10, 29 }, { 2012, 10, 30 },	/* hurricane Sandy */
	{ 2018, 12, 5 },	/* G. H. W. Bush */
	{ 2025, 1, 9 },		/* Carter */
};

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b != 0 && (a < 0) != (b < 0))
		q--;
	return q;
}

static int
wday(int64_t day)
{
	int64_t w = (day + 4) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const signed char n[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

/* Day number of the n-th weekday wd (0 Sunday) of a month; n < 0: last. */
static int64_t
nth_wday(int y, int m, int wd, int n)
{
	int64_t day;

	if (n < 0) {
		day = tm_days_from_civil(y, m, month_days(y, m));
		return day - (wday(day) - wd + 7) % 7;
	}
	day = tm_days_from_civil(y, m, 1);
	return day + (wd - wday(day) + 7) % 7 + 7 * (n - 1);
}

/*
 * Easter Sunday of year y (Gregorian), by the anonymous algorithm published
 * by Meeus ("Astronomical Algorithms").
 */
static int64_t
easter(int y)
{
	int a, b, c, d, e, f, g, h, i, k, l, m, n;

	a = y % 19;
	b = y / 100;
	c = y % 100;
	d = b / 4;
	e = b % 4;
	f = (b + 8) / 25;
	g = (b - f + 1) / 3;
	h = (19 * a + b - d - g + 15) % 30;
	i = c / 4;
	k = c % 4;
	l = (32 + 2 * e + 2 * i - h - k) % 7;
	m = (a + 11 * h + 22 * l) / 451;
	n = h + l - 7 * m + 114;
	return tm_days_from_civil(y, n / 31, n % 31 + 1);
}

/*
 * Whether 'day' is the day a fixed-date holiday y-m-d is observed: Sunday
 * moves to Monday, Saturday to Friday when sat_friday is set, else it is
 * not observed.
 */
static int
observed(int64_t day, int y, int m, int d, int sat_friday)
{
	int64_t h = tm_days_from_civil(y, m, d);

	switch (wday(h)) {
	case 0:
		return day == h + 1;
	case 6:
		return sat_friday && day == h - 1;
	default:
		return day == h;
	}
}

static int
valid_date(int y, int m, int d)
{
	return y >= 1678 && y <= 2261 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= month_days(y, m);
}

int
cal_weekday(int y, int m, int d)
{
	return wday(tm_days_from_civil(y, m, d));
}

/* DST bounds of year y as UTC instants: [*start, *end). */
static void
dst_bounds(int y, int64_t *start, int64_t *end)
{
	int64_t s, e;

	if (y >= 2007) {
		s = nth_wday(y, 3, 0, 2);
		e = nth_wday(y, 11, 0, 1);
	} else if (y >= 1987) {
		s = nth_wday(y, 4, 0, 1);
		e = nth_wday(y, 10, 0, -1);
	} else {
		s = nth_wday(y, 4, 0, -1);
		e = nth_wday(y, 10, 0, -1);
	}
	/* 02:00 EST is 07:00Z; 02:00 EDT is 06:00Z */
	*start = s * TM_NS_PER_DAY + 7 * HOUR_NS;
	*end = e * TM_NS_PER_DAY + 6 * HOUR_NS;
}

int64_t
cal_ny_offset_span(int64_t t_ns, int64_t *lo, int64_t *hi)
{
	int64_t start, end, other;
	int y, m, d;

	/* transitions are far from New Year, so the UTC year will do */
	tm_civil_from_days(floor_div(t_ns, TM_NS_PER_DAY), &y, &m, &d);
	/* where a neighbour year would overflow: this instant alone */
	*lo = t_ns;
	*hi = t_ns < INT64_MAX ? t_ns + 1 : t_ns;
	if (y < 1678 || y > 2261)	/* the bounds would overflow */
		return -5 * HOUR_NS;
	dst_bounds(y, &start, &end);
	if (t_ns >= start && t_ns < end) {
		*lo = start;
		*hi = end;
		return -4 * HOUR_NS;
	}
	if (t_ns < start) {	/* since last year's daylight saving time */
		if (y > 1678)
			dst_bounds(y - 1, &other, lo);
		*hi = start;
	} else {		/* until next year's */
		*lo = end;
		if (y < 2261)
			dst_bounds(y + 1, hi, &other);
	}
	return -5 * HOUR_NS;
}

int64_t
cal_ny_offset(int64_t t_ns)
{
	int64_t lo, hi;

	return cal_ny_offset_span(t_ns, &lo, &hi);
}

/* New York local time of t_ns as ns since 1970-01-01 00:00 local. */
static int64_t
ny_local(int64_t t_ns)
{
	int64_t off = cal_ny_offset(t_ns);

	/* keep the sum in range at the low end of int64 */
	if (t_ns < INT64_MIN - off)
		return INT64_MIN;
	return t_ns + off;
}

void
cal_ny_date(int64_t t_ns, int *y, int *m, int *d)
{
	tm_civil_from_days(floor_div(ny_local(t_ns), TM_NS_PER_DAY), y, m, d);
}

int64_t
cal_ny_local_ns(int64_t t_ns)
{
	int64_t l = ny_local(t_ns);

	return l - floor_div(l, TM_NS_PER_DAY) * TM_NS_PER_DAY;
}

int
cal_is_holiday(int y, int m, int d)
{
	int64_t day;
	size_t i;
	int wd;

	if (!valid_date(y, m, d))
		return 0;
	day = tm_days_from_civil(y, m, d);
	wd = wday(day);
	if (wd == 0 || wd == 6)
		return 0;
	for (i = 0; i < sizeof(cal_closures) / sizeof(cal_closures[0]); i++)
		if (cal_closures[i].y == y && cal_closures[i].m == m &&
		    cal_closures[i].d == d)
			return 1;
	switch (m) {
	case 1:
		return observed(day, y, 1, 1, 0) ||
		    (y >= 1998 && day == nth_wday(y, 1, 1, 3));
	case 2:
		if (y < 1971)
			return observed(day, y, 2, 22, 1);
		return day == nth_wday(y, 2, 1, 3);
	case 3:
	case 4:
		return day == easter(y) - 2;
	case 5:
		if (y < 1971)
			return observed(day, y, 5, 30, 1);
		return day == nth_wday(y, 5, 1, -1);
	case 6:
		return y >= 2022 && observed(day, y, 6, 19, 1);
	case 7:
		return observed(day, y, 7, 4, 1);
	case 9:
		return day == nth_wday(y, 9, 1, 1);
	case 11:
		return day == nth_wday(y, 11, 4, 4);
	case 12:
		return observed(day, y, 12, 25, 1);
	default:
		return 0;
	}
}

int
cal_is_trading_day(int y, int m, int d)
{
	int wd;

	if (!valid_date(y, m, d))
		return 0;
	wd = cal_weekday(y, m, d);
	return wd != 0 && wd != 6 && !cal_is_holiday(y, m, d);
}

int
cal_is_early_close(int y, int m, int d)
{
	if (!cal_is_trading_day(y, m, d))
		return 0;
	if (m == 7 && d == 3)
		return 1;
	if (m == 12 && d == 24)
		return 1;
	return m == 11 && tm_days_from_civil(y, m, d) ==
	    nth_wday(y, 11, 4, 4) + 1;
}

int
cal_session(int y, int m, int d, int64_t *open_ns, int64_t *close_ns)
{
	int64_t midnight, off;

	if (!cal_is_trading_day(y, m, d))
		return -1;
	midnight = tm_days_from_civil(y, m, d) * TM_NS_PER_DAY;
	/* at 12:00Z the day's DST change (06:00Z or 07:00Z) is past */
	off = cal_ny_offset(midnight + 12 * HOUR_NS);
	*open_ns = midnight + CAL_OPEN_NS - off;
	*close_ns = midnight - off +
	    (cal_is_early_close(y, m, d) ? CAL_EARLY_NS : CAL_CLOSE_NS);
	return 0;
}

int64_t
cal_session_open(int64_t t_ns)
{
	int64_t open, close;
	int y, m, d;

	cal_ny_date(t_ns, &y, &m, &d);
	if (cal_session(y, m, d, &open, &close) < 0)
		return -1;
	return open;
}

int64_t
cal_session_close(int64_t t_ns)
{
	int64_t open, close;
	int y, m, d;

	cal_ny_date(t_ns, &y, &m, &d);
	if (cal_session(y, m, d, &open, &close) < 0)
		return -1;
	return close;
}

int64_t
cal_next_open(int64_t t_ns)
{
	int64_t day, open, close;
	int i, y, m, d;

	day = floor_div(ny_local(t_ns), TM_NS_PER_DAY);
	for (i = 0; i < 31; i++, day++) {
		tm_civil_from_days(day, &y, &m, &d);
		if (cal_session(y, m, d, &open, &close) == 0 && open >= t_ns)
			return open;
	}
	return -1;
}

int
cal_next_session(int64_t t_ns, int64_t *open_ns, int64_t *close_ns)
{
	int64_t day, open, close;
	int i, y, m, d;

	day = floor_div(ny_local(t_ns), TM_NS_PER_DAY);
	for (i = 0; i < 31; i++, day++) {
		tm_civil_from_days(day, &y, &m, &d);
		if (cal_session(y, m, d, &open, &close) == 0 && close > t_ns) {
			*open_ns = open;
			*close_ns = close;
			return 0;
		}
	}
	return -1;
}
