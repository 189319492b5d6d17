/*
 * util.c: names, diagnostics, checked allocation, numbers, clocks.  A leaf:
 * it includes no other module of lib/ (see lib/README.md).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "banned.h"

const char *liu_progname = "liu";
volatile sig_atomic_t liu_stop;

/*
 * At most this much of the program's name starts a message: argv[0] is
 * the caller's choice and may be longer than the buffer.
 */
#define PROGNAME_MAX 64

/* Set by liu_set_die_hook(), run once by die() and die_code(). */
static void (*die_hook)(void);

/* Format "PROG: TAG<message>\n" in one buffer and write(2) it at once. */
static void
report(const char *tag, const char *fmt, va_list ap)
{
	char msg[1024];
	size_t n, i, len;
	int saved = errno, r;

	r = snprintf(msg, sizeof(msg), "%.*s: %s", PROGNAME_MAX, liu_progname,
	    tag);
	n = r < 0 ? 0 : (size_t)r;
	if (n > sizeof(msg) - 2)
		n = sizeof(msg) - 2;
	r = vsnprintf(msg + n, sizeof(msg) - n - 1, fmt, ap);
	if (r < 0)
		r = 0;
	len = n + (size_t)r;
	if (len > sizeof(msg) - 2)
		len = sizeof(msg) - 2;
	for (i = 0; i < len; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';
	if (len > n && fmt[0] && fmt[strlen(fmt) - 1] == ':') {
		r = snprintf(msg + len, sizeof(msg) - len - 1, " %s",
		    strerror(saved));
		if (r > 0)
			len += (size_t)r;
		if (len > sizeof(msg) - 2)
			len = sizeof(msg) - 2;
	}
	msg[len++] = '\n';
	while (write(2, msg, len) < 0 && errno == EINTR)
		;
	errno = saved;
}

void
liu_set_die_hook(void (*fn)(void))
{
	die_hook = fn;
}

/* The one way out of die() and die_code(): the hook, then exit(3). */
static _Noreturn void
die_exit(int code)
{
	void (*fn)(void) = die_hook;

	die_hook = NULL;	/* a die() inside the hook exits at once */
	if (fn)
		fn();
	exit(code);
}

void
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("", fmt, ap);
	va_end(ap);
}

void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("", fmt, ap);
	va_end(ap);
	die_exit(LIU_EXIT_SYS);
}

void
die_code(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("", fmt, ap);
	va_end(ap);
	die_exit(code);
}

void
bug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("BUG: ", fmt, ap);
	va_end(ap);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory allocating %zu bytes", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		die("out of memory allocating %zu bytes", n);
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

long long
liu_strtonum(const char *s, long long min, long long max, const char *what)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno == ERANGE)
		die_code(LIU_EXIT_USAGE, "invalid %s: '%.*s'", what,
		    LIU_ECHO_MAX, s);
	if (v < min || v > max)
		die_code(LIU_EXIT_USAGE, "%s out of range: %lld (%lld to %lld)",
		    what, v, min, max);
	return v;
}

double
liu_strtod(const char *s, double min, double max, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno == ERANGE || !isfinite(v))
		die_code(LIU_EXIT_USAGE, "invalid %s: '%.*s'", what,
		    LIU_ECHO_MAX, s);
	if (v < min || v > max)
		die_code(LIU_EXIT_USAGE, "%s out of range: %g (%g to %g)",
		    what, v, min, max);
	return v;
}

int
liu_parse_duration(const char *s, int64_t *ns)
{
	static const struct {
		const char *u;
		double mul;
	} units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 }, { "h", 3600e9 }, { "d", 86400e9 }, { "", 1e9 },
	};
	char *end;
	double v;
	size_t i;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno == ERANGE || !isfinite(v) || v < 0 || *s == '+')
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].u) == 0) {
			v *= units[i].mul;
			if (v > 9e18)
				return -1;
			*ns = (int64_t)llround(v);
			return 0;
		}
	return -1;
}

const char *
liu_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int64_t
liu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
liu_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
liu_duration_arg(const char *s, int64_t min, const char *what)
{
	int64_t ns;

	if (liu_parse_duration(s, &ns) < 0 || ns < min)
		die_code(LIU_EXIT_USAGE, "invalid %s: '%.*s'", what,
		    LIU_ECHO_MAX, s);
	return ns;
}
