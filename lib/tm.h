/*
 * tm.h: event time.  liu keeps time as int64 nanoseconds since the Unix
 * epoch, UTC, and writes it as RFC 3339 with 0 to 9 fractional digits:
 * 2024-03-01T14:30:00.123456789Z.
 */
#ifndef LIU_TM_H
#define LIU_TM_H

#include <stddef.h>
#include <stdint.h>

#define TM_NS_PER_SEC 1000000000LL
#define TM_NS_PER_MIN (60 * TM_NS_PER_SEC)
#define TM_NS_PER_DAY (86400 * TM_NS_PER_SEC)
/* Room for the longest formatted time, with its NUL. */
#define TM_RFC3339_MAX 40

/*
 * Parse RFC 3339 ("YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+hh:mm|-hh:mm)"; 't' and
 * ' ' are accepted for 'T', 'z' for 'Z').  Returns 0 and sets *ns, or -1 if
 * malformed or out of range (years 1678-2261).
 */
int tm_parse(const char *s, size_t len, int64_t *ns);

/*
 * Write 'ns' as RFC 3339 UTC into out (TM_RFC3339_MAX bytes), with the
 * fraction trimmed of trailing zeros (none if whole seconds).  Returns the
 * length, without the NUL.
 */
size_t tm_format(int64_t ns, char *out);

/*
 * For a string tm_parse() accepted: 1 if tm_format() of its time writes
 * it back exactly (UTC 'Z', 'T', no leap second, no trailing zero in the
 * fraction), so a writer may copy it; 0 otherwise.
 */
int tm_canonical(const char *s, size_t len);

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
int64_t tm_days_from_civil(int y, int m, int d);
void tm_civil_from_days(int64_t days, int *y, int *m, int *d);

#endif
