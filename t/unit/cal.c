/*
 * Unit tests of lib/cal.c, the New York market calendar.  Every expected
 * value was checked by hand against a calendar and the NYSE holiday lists.
 */
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "cal.h"
#include "tm.h"
#include "banned.h"

#define H (3600 * TM_NS_PER_SEC)

static int64_t
t(const char *s)
{
	int64_t ns = 0;

	if (tm_parse(s, strlen(s), &ns) < 0)
		printf("# bad time in test: %s\n", s);
	return ns;
}

/* an instant (or -1) as RFC 3339, for readable failures */
static const char *
fmt(int64_t ns)
{
	static char buf[4][TM_RFC3339_MAX];
	static int i;

	i = (i + 1) % 4;
	if (ns == -1)
		return "-1";
	tm_format(ns, buf[i]);
	return buf[i];
}

static void
is_session(int y, int m, int d, const char *open, const char *close)
{
	int64_t o = -1, c = -1;

	is_int(cal_session(y, m, d, &o, &c), 0, "%04d-%02d-%02d trades",
	    y, m, d);
	is_str(fmt(o), open, "%04d-%02d-%02d opens", y, m, d);
	is_str(fmt(c), close, "%04d-%02d-%02d closes", y, m, d);
}

static void
is_closed(int y, int m, int d, int holiday)
{
	int64_t o = 7, c = 7;

	is_int(cal_is_trading_day(y, m, d), 0, "%04d-%02d-%02d no trading",
	    y, m, d);
	is_int(cal_is_holiday(y, m, d), holiday, "%04d-%02d-%02d holiday %d",
	    y, m, d, holiday);
	ok(cal_session(y, m, d, &o, &c) == -1 && o == 7 && c == 7,
	    "%04d-%02d-%02d no session", y, m, d);
}

static void
is_open_day(int y, int m, int d)
{
	is_int(cal_is_trading_day(y, m, d), 1, "%04d-%02d-%02d trading",
	    y, m, d);
	is_int(cal_is_holiday(y, m, d), 0, "%04d-%02d-%02d no holiday",
	    y, m, d);
}

static void
test_offset(void)
{
	is_int(cal_ny_offset(t("2024-01-15T12:00:00Z")), -5 * H, "winter EST");
	is_int(cal_ny_offset(t("2024-07-15T12:00:00Z")), -4 * H, "summer EDT");
	/* 2024: the second Sunday of March is the 10th, the first of November
	 * the 3rd */
	is_int(cal_ny_offset(t("2024-03-10T06:59:59.999999999Z")), -5 * H,
	    "2024 before spring forward");
	is_int(cal_ny_offset(t("2024-03-10T07:00:00Z")), -4 * H,
	    "2024 spring forward at 07:00Z");
	is_int(cal_ny_offset(t("2024-11-03T05:59:59Z")), -4 * H,
	    "2024 before fall back");
	is_int(cal_ny_offset(t("2024-11-03T06:00:00Z")), -5 * H,
	    "2024 fall back at 06:00Z");
	/* 1987-2006 rules: first Sunday of April, last Sunday of October */
	is_int(cal_ny_offset(t("2006-03-15T12:00:00Z")), -5 * H,
	    "2006-03-15 still EST under the old rules");
	is_int(cal_ny_offset(t("2006-04-02T06:59:59Z")), -5 * H,
	    "2006-04-02 before 07:00Z");
	is_int(cal_ny_offset(t("2006-04-02T07:00:00Z")), -4 * H,
	    "2006-04-02 at 07:00Z");
	is_int(cal_ny_offset(t("2006-10-29T05:59:59Z")), -4 * H,
	    "2006-10-29 before 06:00Z");
	is_int(cal_ny_offset(t("2006-10-29T06:00:00Z")), -5 * H,
	    "2006-10-29 at 06:00Z");
	is_int(cal_ny_offset(t("2006-11-01T12:00:00Z")), -5 * H,
	    "2006-11-01 EST under the old rules");
	is_int(cal_ny_offset(t("2000-04-02T07:00:00Z")), -4 * H,
	    "2000-04-02 at 07:00Z");
	is_int(cal_ny_offset(t("2000-04-02T06:59:59Z")), -5 * H,
	    "2000-04-02 before 07:00Z");
	is_int(cal_ny_offset(t("2007-03-11T07:00:00Z")), -4 * H,
	    "2007-03-11, the first year of the new rules");
	is_int(cal_ny_offset(t("2007-11-04T05:59:59Z")), -4 * H,
	    "2007-11-04 before 06:00Z");
	is_int(cal_ny_offset(0), -5 * H, "the epoch is EST");
	is_int(cal_ny_offset(INT64_MAX), -5 * H, "INT64_MAX does not overflow");
	is_int(cal_ny_offset(INT64_MIN), -5 * H, "INT64_MIN does not overflow");
}

static void
test_date(void)
{
	int y = 0, m = 0, d = 0;

	cal_ny_date(t("2024-03-11T03:00:00Z"), &y, &m, &d);
	ok(y == 2024 && m == 3 && d == 10, "03:00Z is the day before in NY");
	cal_ny_date(t("2024-01-01T04:59:59Z"), &y, &m, &d);
	ok(y == 2023 && m == 12 && d == 31, "New Year comes at 05:00Z");
	cal_ny_date(t("2024-01-01T05:00:00Z"), &y, &m, &d);
	ok(y == 2024 && m == 1 && d == 1, "2024-01-01T05:00Z is 2024-01-01");
	cal_ny_date(-1, &y, &m, &d);
	ok(y == 1969 && m == 12 && d == 31, "negative times");
	is_int(cal_ny_local_ns(t("2024-03-11T13:30:00Z")), 9 * H + 30 * 60 *
	    TM_NS_PER_SEC, "13:30Z is 09:30 EDT");
	is_int(cal_ny_local_ns(t("2024-01-11T04:59:59.5Z")),
	    24 * H - TM_NS_PER_SEC / 2, "04:59:59.5Z is 23:59:59.5 EST");
	is_int(cal_ny_local_ns(t("2024-01-11T05:00:00Z")), 0,
	    "05:00Z is EST midnight");
	is_int(cal_weekday(2024, 3, 10), 0, "2024-03-10 is a Sunday");
	is_int(cal_weekday(2024, 2, 29), 4, "2024-02-29 is a Thursday");
	is_int(cal_weekday(1970, 1, 1), 4, "1970-01-01 is a Thursday");
}

static void
test_holidays(void)
{
	static const struct { int m, d; } h2024[] = {
		{ 1, 1 }, { 1, 15 }, { 2, 19 }, { 3, 29 }, { 5, 27 },
		{ 6, 19 }, { 7, 4 }, { 9, 2 }, { 11, 28 }, { 12, 25 },
	};
	int m, d, n = 0, trading = 0;
	size_t i;

	for (i = 0; i < sizeof(h2024) / sizeof(h2024[0]); i++)
		is_closed(2024, h2024[i].m, h2024[i].d, 1);
	for (m = 1; m <= 12; m++)
		for (d = 1; d <= 31; d++) {
			n += cal_is_holiday(2024, m, d);
			trading += cal_is_trading_day(2024, m, d);
		}
	is_int(n, 10, "2024 has 10 holidays");
	is_int(trading, 252, "2024 has 252 trading days");

	is_open_day(2024, 3, 28);	/* Thursday before Good Friday */
	is_open_day(2024, 4, 1);	/* Easter Monday */
	is_open_day(2024, 10, 14);	/* Columbus Day: open */
	is_open_day(2024, 11, 11);	/* Veterans Day: open */
	is_open_day(2024, 1, 2);

	/* observance */
	is_closed(2021, 12, 24, 1);	/* Christmas on a Saturday */
	is_open_day(2021, 12, 31);	/* New Year's Day 2022 on a Saturday */
	is_closed(2022, 1, 1, 0);
	is_closed(2022, 6, 20, 1);	/* Juneteenth on a Sunday */
	is_open_day(2021, 6, 18);	/* before Juneteenth was a holiday */
	is_closed(2022, 12, 26, 1);	/* Christmas on a Sunday */
	is_closed(2023, 1, 2, 1);	/* New Year's Day on a Sunday */
	is_closed(2020, 7, 3, 1);	/* Independence Day on a Saturday */
	is_closed(2021, 7, 5, 1);	/* Independence Day on a Sunday */
	is_closed(2026, 7, 3, 1);
	is_closed(2027, 6, 18, 1);	/* Juneteenth on a Saturday */
	is_open_day(1997, 1, 20);	/* MLK Day before 1998 */
	is_closed(1998, 1, 19, 1);

	/* Good Friday: Easter 2000-04-23, 2008-03-23, 2019-04-21, 2025-04-20 */
	is_closed(2000, 4, 21, 1);
	is_closed(2008, 3, 21, 1);
	is_closed(2019, 4, 19, 1);
	is_closed(2025, 4, 18, 1);
	is_open_day(2008, 4, 18);

	/* 2000-2008 history */
	is_closed(2001, 9, 11, 1);
	is_closed(2001, 9, 14, 1);
	is_open_day(2001, 9, 17);
	is_closed(2004, 6, 11, 1);
	is_closed(2007, 1, 2, 1);
	is_closed(2005, 12, 26, 1);	/* Christmas 2005 on a Sunday */
	is_closed(2008, 11, 27, 1);	/* Thanksgiving */
	is_closed(2012, 10, 29, 1);

	/* weekends */
	is_closed(2024, 3, 9, 0);
	is_closed(2024, 3, 10, 0);
	is_closed(2024, 12, 28, 0);

	/* invalid dates */
	is_int(cal_is_trading_day(2024, 2, 30), 0, "2024-02-30 is invalid");
	is_int(cal_is_trading_day(2024, 13, 1), 0, "month 13 is invalid");
	is_int(cal_is_holiday(2023, 0, 1), 0, "month 0 is invalid");
}

static void
test_sessions(void)
{
	int64_t o = 0, c = 0;

	is_session(2012, 1, 26, "2012-01-26T14:30:00Z", "2012-01-26T21:00:00Z");
	is_session(2024, 3, 8, "2024-03-08T14:30:00Z", "2024-03-08T21:00:00Z");
	is_session(2024, 3, 11, "2024-03-11T13:30:00Z", "2024-03-11T20:00:00Z");
	is_session(2024, 11, 1, "2024-11-01T13:30:00Z", "2024-11-01T20:00:00Z");
	is_session(2024, 11, 4, "2024-11-04T14:30:00Z", "2024-11-04T21:00:00Z");
	is_session(2006, 3, 31, "2006-03-31T14:30:00Z", "2006-03-31T21:00:00Z");
	is_session(2006, 4, 3, "2006-04-03T13:30:00Z", "2006-04-03T20:00:00Z");
	is_session(2006, 10, 30, "2006-10-30T14:30:00Z",
	    "2006-10-30T21:00:00Z");

	/* early closes, 13:00 New York */
	is_session(2024, 11, 29, "2024-11-29T14:30:00Z",
	    "2024-11-29T18:00:00Z");
	is_session(2024, 12, 24, "2024-12-24T14:30:00Z",
	    "2024-12-24T18:00:00Z");
	is_session(2024, 7, 3, "2024-07-03T13:30:00Z", "2024-07-03T17:00:00Z");
	is_session(2023, 7, 3, "2023-07-03T13:30:00Z", "2023-07-03T17:00:00Z");
	is_session(2008, 11, 28, "2008-11-28T14:30:00Z",
	    "2008-11-28T18:00:00Z");
	is_int(cal_is_early_close(2024, 11, 29), 1, "2024-11-29 early");
	is_int(cal_is_early_close(2024, 11, 27), 0, "2024-11-27 not early");
	is_int(cal_is_early_close(2021, 12, 24), 0, "a holiday is not early");
	is_int(cal_is_early_close(2022, 12, 24), 0, "a Saturday is not early");
	/* July 3 2020 was the holiday; July 2 is a full day */
	is_session(2020, 7, 2, "2020-07-02T13:30:00Z", "2020-07-02T20:00:00Z");
	is_session(2021, 12, 23, "2021-12-23T14:30:00Z",
	    "2021-12-23T21:00:00Z");

	is_str(fmt(cal_session_open(t("2024-03-11T20:30:00Z"))),
	    "2024-03-11T13:30:00Z", "session open after the close");
	is_str(fmt(cal_session_close(t("2024-03-11T02:00:00Z"))),
	    "-1",
	    "02:00Z on Monday is Sunday in New York");
	is_str(fmt(cal_session_close(t("2024-11-29T15:00:00Z"))),
	    "2024-11-29T18:00:00Z", "session close of an early close");
	is_str(fmt(cal_session_open(t("2024-03-29T15:00:00Z"))), "-1",
	    "no session on Good Friday");
	is_str(fmt(cal_session_close(t("2024-11-30T04:59:59Z"))),
	    "2024-11-29T18:00:00Z", "late evening is still the same day");
	ok(cal_session(2024, 3, 9, &o, &c) == -1, "no session on Saturday");
}

static void
test_next_open(void)
{
	is_str(fmt(cal_next_open(t("2024-03-08T21:00:00Z"))),
	    "2024-03-11T13:30:00Z", "across a weekend and a DST change");
	is_str(fmt(cal_next_open(t("2024-03-28T20:00:00Z"))),
	    "2024-04-01T13:30:00Z", "across Good Friday and a weekend");
	is_str(fmt(cal_next_open(t("2023-12-29T22:00:00Z"))),
	    "2024-01-02T14:30:00Z", "across New Year");
	is_str(fmt(cal_next_open(t("2024-03-11T13:30:00Z"))),
	    "2024-03-11T13:30:00Z", "at the open is that open");
	is_str(fmt(cal_next_open(t("2024-03-11T13:30:00.000000001Z"))),
	    "2024-03-12T13:30:00Z", "just after the open is the next day");
	is_str(fmt(cal_next_open(t("2024-03-11T05:00:00Z"))),
	    "2024-03-11T13:30:00Z", "early morning is the same day");
	is_str(fmt(cal_next_open(t("2024-03-11T03:00:00Z"))),
	    "2024-03-11T13:30:00Z", "Sunday evening in New York");
	is_str(fmt(cal_next_open(t("2001-09-10T21:00:00Z"))),
	    "2001-09-17T13:30:00Z", "across the September 2001 closure");
	is_str(fmt(cal_next_open(t("2024-11-27T21:00:00Z"))),
	    "2024-11-29T14:30:00Z", "across Thanksgiving");
	is_int(cal_next_open(INT64_MAX - 1), -1, "none beyond 2261");
}

/* The session in progress, else the next: what liu-stream synth walks. */
static void
is_next_session(const char *at, const char *open, const char *close,
    const char *what)
{
	int64_t o = -1, c = -1;

	is_int(cal_next_session(t(at), &o, &c), 0, "a session at or after %s",
	    at);
	is_str(fmt(o), open, "%s: opens", what);
	is_str(fmt(c), close, "%s: closes", what);
}

static void
test_next_session(void)
{
	int64_t o = 7, c = 7;

	is_next_session("2024-03-08T20:59:59.999999999Z",
	    "2024-03-08T14:30:00Z", "2024-03-08T21:00:00Z",
	    "the last instant of a session is in it");
	is_next_session("2024-03-08T21:00:00Z", "2024-03-11T13:30:00Z",
	    "2024-03-11T20:00:00Z", "at the close: the next, after a "
	    "weekend and a DST change");
	is_next_session("2024-03-11T13:30:00Z", "2024-03-11T13:30:00Z",
	    "2024-03-11T20:00:00Z", "at the open");
	is_next_session("2024-03-11T03:00:00Z", "2024-03-11T13:30:00Z",
	    "2024-03-11T20:00:00Z", "Sunday evening in New York");
	is_next_session("2024-07-03T18:00:00Z", "2024-07-05T13:30:00Z",
	    "2024-07-05T20:00:00Z", "after July 3's early close, past "
	    "Independence Day");
	is_next_session("2024-11-28T12:00:00Z", "2024-11-29T14:30:00Z",
	    "2024-11-29T18:00:00Z", "the day after Thanksgiving closes at "
	    "13:00");
	is_next_session("2001-09-10T21:00:00Z", "2001-09-17T13:30:00Z",
	    "2001-09-17T20:00:00Z", "across the September 2001 closure");
	ok(cal_next_session(INT64_MAX - 1, &o, &c) == -1 && o == 7 && c == 7,
	    "none beyond 2261, outputs untouched");
}

/* The span of instants that share an offset, kept by VWAP's cache. */
static void
test_offset_span(void)
{
	static const struct {
		const char *at, *lo, *hi;
		int off_h;
	} c[] = {
		{ "2024-06-01T12:00:00Z", "2024-03-10T07:00:00Z",
		    "2024-11-03T06:00:00Z", -4 },
		{ "2024-01-15T12:00:00Z", "2023-11-05T06:00:00Z",
		    "2024-03-10T07:00:00Z", -5 },
		{ "2024-12-01T12:00:00Z", "2024-11-03T06:00:00Z",
		    "2025-03-09T07:00:00Z", -5 },
		{ "2006-12-01T12:00:00Z", "2006-10-29T06:00:00Z",
		    "2007-03-11T07:00:00Z", -5 },
	};
	int64_t lo, hi, off;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		off = cal_ny_offset_span(t(c[i].at), &lo, &hi);
		is_int(off, c[i].off_h * H, "offset at %s", c[i].at);
		is_str(fmt(lo), c[i].lo, "span of %s starts", c[i].at);
		is_str(fmt(hi), c[i].hi, "span of %s ends", c[i].at);
		is_int(cal_ny_offset(lo), off, "offset at the span's start");
		is_int(cal_ny_offset(hi - 1), off, "offset at its end");
		ok(cal_ny_offset(lo - 1) != off && cal_ny_offset(hi) != off,
		    "the offset changes on both sides of %s's span", c[i].at);
	}
}

int
main(void)
{
	test_offset();
	test_offset_span();
	test_date();
	test_holidays();
	test_sessions();
	test_next_open();
	test_next_session();
	return done_testing();
}
