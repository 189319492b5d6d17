/*
 * cal.h: the New York stock market calendar.  Instants are int64 ns since
 * the Unix epoch, UTC (see tm.h); dates are New York civil dates (y, m 1-12,
 * d 1-31).  Everything is computed by rule, without the system's time zone
 * database, so results do not depend on TZ or on installed zoneinfo.
 *
 * Time zone: EST (UTC-5) and EDT (UTC-4) under the US rules of 2007 on
 * (second Sunday of March to first Sunday of November), 1987-2006 (first
 * Sunday of April to last Sunday of October) and 1967-1986, also used for
 * earlier years (last Sunday of April to last Sunday of October; the
 * 1974-1975 emergency rules are not modelled).  Changes happen at 02:00
 * local time.  Years 1678-2261 only (the int64 ns range); EST outside.
 *
 * Sessions: the NYSE regular session, 09:30-16:00 New York time, closing at
 * 13:00 on early-close days.  Extended hours are not modelled.
 */
#ifndef LIU_CAL_H
#define LIU_CAL_H

#include <stdint.h>

/* Regular session times, ns since New York midnight. */
#define CAL_OPEN_NS	((9 * 60 + 30) * 60 * 1000000000LL)
#define CAL_CLOSE_NS	(16 * 60 * 60 * 1000000000LL)
#define CAL_EARLY_NS	(13 * 60 * 60 * 1000000000LL)

/*
 * New York's offset from UTC at instant t_ns, in ns: -5 h (EST) or -4 h
 * (EDT).  Never fails.
 */
int64_t cal_ny_offset(int64_t t_ns);

/*
 * The same, and the span [*lo, *hi) of instants around t_ns that share the
 * offset (a daylight saving period, or the standard time between two), so
 * a caller can keep the offset until time leaves the span.  Outside years
 * 1678-2261 the span is that one instant.  Never fails.
 */
int64_t cal_ny_offset_span(int64_t t_ns, int64_t *lo, int64_t *hi);

/* The New York civil date of instant t_ns.  Never fails. */
void cal_ny_date(int64_t t_ns, int *y, int *m, int *d);

/* Nanoseconds since New York midnight at instant t_ns (0 to 24 h - 1). */
int64_t cal_ny_local_ns(int64_t t_ns);

/*
 * Day of the week of a civil date: 0 Sunday, 1 Monday, ... 6 Saturday.
 */
int cal_weekday(int y, int m, int d);

/*
 * Whether the NYSE is closed all day on a weekday date: 1 for a holiday or
 * an unscheduled closure, else 0 (also 0 for weekends and invalid dates).
 * Holidays by rule: New Year's Day, Martin Luther King Jr. Day (from 1998),
 * Washington's Birthday, Good Friday, Memorial Day, Juneteenth (from 2022),
 * Independence Day, Labor Day, Thanksgiving and Christmas.  A holiday on a
 * Sunday is observed the Monday after, one on a Saturday the Friday before,
 * except New Year's Day on a Saturday, which is not observed (the NYSE
 * stays open on December 31, the end of an accounting year).  Unscheduled
 * closures since 1994 (September 11 2001, hurricane Sandy, national days
 * of mourning) come from a table.
 */
int cal_is_holiday(int y, int m, int d);

/* 1 if the NYSE has a regular session on that date, else 0. */
int cal_is_trading_day(int y, int m, int d);

/*
 * 1 if that trading day closes early (13:00): the day after Thanksgiving,
 * December 24 and July 3 when they are trading days.  0 otherwise,
 * including for days that are not trading days.
 */
int cal_is_early_close(int y, int m, int d);

/*
 * The regular session of a New York date as UTC instants in *open_ns and
 * *close_ns.  Returns 0, or -1 (leaving both untouched) if the date is not
 * a trading day.
 */
int cal_session(int y, int m, int d, int64_t *open_ns, int64_t *close_ns);

/*
 * The open (close) of the session on the New York date of t_ns, which may
 * lie before or after t_ns; -1 if that date is not a trading day.
 */
int64_t cal_session_open(int64_t t_ns);
int64_t cal_session_close(int64_t t_ns);

/*
 * The first regular open at or after t_ns; -1 if none is found within a
 * month (only outside the supported years).
 */
int64_t cal_next_open(int64_t t_ns);

/*
 * The regular session in progress at t_ns (open <= t_ns < close), else the
 * next one to open, as UTC instants in *open_ns and *close_ns; a session
 * that closed at t_ns is over.  Returns 0, or -1 (leaving both untouched)
 * if none is found within a month (only outside the supported years).
 */
int cal_next_session(int64_t t_ns, int64_t *open_ns, int64_t *close_ns);

#endif
