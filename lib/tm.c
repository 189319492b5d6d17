/* tm.c: RFC 3339 times to and from int64 nanoseconds, UTC. */
#include <stdint.h>
#include <string.h>

#include "tm.h"
#include "banned.h"

/* Howard Hinnant's civil-date algorithms, written from their description. */
int64_t
tm_days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
tm_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
digits(const char *s, int n, int *v)
{
	int i, x = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

static int
mdays(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* The last date parsed, "YYYY-MM-DD", and its day number. */
static _Thread_local char parsed_date[10] = { 'x' };	/* no date */
static _Thread_local int64_t parsed_days;

int
tm_parse(const char *s, size_t len, int64_t *ns)
{
	int y, mo, d, h, mi, sec, oh, om, i;
	int64_t frac = 0, secs, off = 0;
	size_t p;

	if (len < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	if (memcmp(s, parsed_date, 10) != 0) {
		/* a new day: check and convert it, then remember it */
		if (digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
		    digits(s + 8, 2, &d))
			return -1;
		if (mo < 1 || mo > 12 || d < 1 || d > mdays(y, mo) ||
		    y < 1678 || y > 2261)
			return -1;
		parsed_days = tm_days_from_civil(y, mo, d);
		memcpy(parsed_date, s, 10);
	}
	if (digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) ||
	    digits(s + 17, 2, &sec) || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (sec == 60)	/* a leap second: fold into the next second */
		sec = 59, frac = TM_NS_PER_SEC;
	p = 19;
	if (s[p] == '.') {
		int64_t f = 0, scale = 100000000;

		p++;
		for (i = 0; p < len && s[p] >= '0' && s[p] <= '9'; i++, p++) {
			if (i >= 9)
				return -1;
			f += (s[p] - '0') * scale;
			scale /= 10;
		}
		if (i == 0)
			return -1;
		frac += f;
	}
	if (p == len - 1 && (s[p] == 'Z' || s[p] == 'z'))
		;
	else if (p + 6 == len && (s[p] == '+' || s[p] == '-') &&
	    s[p + 3] == ':') {
		if (digits(s + p + 1, 2, &oh) || digits(s + p + 4, 2, &om) ||
		    oh > 23 || om > 59)
			return -1;
		off = (int64_t)(oh * 60 + om) * 60;
		if (s[p] == '-')
			off = -off;
	} else
		return -1;
	secs = parsed_days * 86400 + h * 3600 + mi * 60 + sec - off;
	*ns = secs * TM_NS_PER_SEC + frac;
	return 0;
}

int
tm_canonical(const char *s, size_t len)
{
	if (s[10] != 'T' || s[len - 1] != 'Z' ||
	    (s[17] == '6' && s[18] == '0'))
		return 0;
	return len == 20 || (s[19] == '.' && s[len - 2] != '0');
}

static char *
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

static _Thread_local int64_t last_days = INT64_MIN;
static _Thread_local int64_t last_secs = INT64_MIN;
static _Thread_local char last_sec_text[20];
static _Thread_local char last_date[12];

size_t
tm_format(int64_t ns, char *out)
{
	int64_t secs, days, rem, frac;
	int y, m, d, i, nd;
	char *p = out;

	secs = ns / TM_NS_PER_SEC;
	frac = ns % TM_NS_PER_SEC;
	if (frac < 0)
		frac += TM_NS_PER_SEC, secs--;
	days = secs / 86400;
	rem = secs % 86400;
	if (rem < 0)
		rem += 86400, days--;
	if (secs == last_secs) {
		/* the same second as last time: copy it */
		memcpy(p, last_sec_text, 19);
		p += 19;
		goto fraction;
	}
	if (days != last_days) {
		/* events come in runs of one day: format its date once */
		tm_civil_from_days(days, &y, &m, &d);
		if (y < 0 || y > 9999)
			y = 0;
		put2(put2(last_date, y / 100), y % 100)[0] = '-';
		put2(last_date + 5, m)[0] = '-';
		put2(last_date + 8, d)[0] = 'T';
		last_days = days;
	}
	memcpy(p, last_date, 11);
	p += 11;
	p = put2(p, (int)(rem / 3600));
	*p++ = ':';
	p = put2(p, (int)(rem / 60 % 60));
	*p++ = ':';
	p = put2(p, (int)(rem % 60));
	memcpy(last_sec_text, out, 19);
	last_secs = secs;
fraction:
	if (frac) {
		nd = 9;
		while (frac % 10 == 0)
			frac /= 10, nd--;
		*p++ = '.';
		for (i = nd - 1; i >= 0; i--) {
			p[i] = (char)('0' + frac % 10);
			frac /= 10;
		}
		p += nd;
	}
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - out);
}
