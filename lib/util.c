/* util.c: names, diagnostics, checked allocation, numbers, signals. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "ndjson.h"
#include "banned.h"

const char *liu_progname = "liu";
volatile sig_atomic_t liu_stop;

static void
on_stop(int sig)
{
	if (liu_stop == SIGINT && sig == SIGINT) {
		/* the second ^C: the user means it */
		signal(SIGINT, SIG_DFL);
		raise(SIGINT);
	}
	liu_stop = sig;
}

/*
 * A standard descriptor the caller closed must stay unusable, and must not
 * be taken by the next pipe or file we open, which would then get our
 * output or be read as our input.  So its number is held by /dev/null
 * opened the wrong way round (0 for writing, 1 and 2 for reading): a read
 * or write fails with EBADF as on a closed descriptor, and is reported as
 * any read or write error is.  The descriptor is inherited across exec,
 * so a program run by liu or liu-route sees the same.
 */
static void
hold_std_fds(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* the lowest free number: fd, as those below are open */
		if (open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) != fd)
			die("/dev/null:");
	}
}

void
liu_init(const char *argv0)
{
	struct sigaction sa;
	const char *p;

	if (argv0 && *argv0) {
		p = strrchr(argv0, '/');
		liu_progname = p ? p + 1 : argv0;
	}
	hold_std_fds();
	signal(SIGPIPE, SIG_DFL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: reads return EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	nd_out_init();
}

/*
 * At most this much of the program's name starts a message: argv[0] is
 * the caller's choice and may be longer than the buffer.
 */
#define PROGNAME_MAX 64

static void
report(const char *fmt, va_list ap)
{
	char msg[1024];
	size_t n, i, len;
	int saved = errno, r;

	r = snprintf(msg, sizeof(msg), "%.*s: ", PROGNAME_MAX, liu_progname);
	n = r < 0 ? 0 : (size_t)r;
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
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(fmt, ap);
	va_end(ap);
}

void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(fmt, ap);
	va_end(ap);
	exit(LIU_EXIT_SYS);
}

void
die_code(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(fmt, ap);
	va_end(ap);
	nd_out_flush();
	exit(code);
}

void
bug(const char *fmt, ...)
{
	va_list ap;

	fputs("BUG: ", stderr);
	va_start(ap, fmt);
	report(fmt, ap);
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

int
liu_finish(int status)
{
	int sig;

	if (nd_out_flush() < 0 || fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE) {
			signal(SIGPIPE, SIG_DFL);
			raise(SIGPIPE);
		}
		die("write error:");
	}
	if (fclose(stdout) != 0 && errno != EBADF)
		die("write error:");
	sig = liu_stop;
	if (sig) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return status;
}

void
liu_version(void)
{
	printf("%s %s\n", liu_progname, LIU_VERSION);
	exit(liu_finish(0));
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
