/*
 * route_latency.c: the latency of a filter such as liu-route, for
 * bench/b3000-route.sh.  It runs COMMAND with pipes on its stdin and
 * stdout, writes trade events to it at RATE events/s (one write(2) per
 * event, each stamped with CLOCK_MONOTONIC in a "lat" field and with the
 * wall clock in "t"), reads the echoes back, and prints the percentiles
 * of the time from write to read in microseconds:
 *
 *	route_latency RATE COUNT COMMAND [ARG...]
 *	p50 41.2 p99 180.3 p99.9 412.9 max 1302.0 n 60000
 *
 * A pacer process writes; this process reads, so neither waits on the
 * other.  Exits 1 if an echo is missing or malformed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t
ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
pace(int fd, double rate, long count)
{
	struct timespec ts;
	struct tm tm;
	char line[256], ts3339[64];
	int64_t start, due, now, wall;
	time_t sec;
	long i;
	int n;

	start = ns(CLOCK_MONOTONIC) + 20000000;	/* let the command start */
	for (i = 0; i < count; i++) {
		due = start + (int64_t)((double)i * 1e9 / rate);
		ts.tv_sec = due / 1000000000;
		ts.tv_nsec = due % 1000000000;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
		    NULL) == EINTR)
			;
		wall = ns(CLOCK_REALTIME);
		sec = (time_t)(wall / 1000000000);
		gmtime_r(&sec, &tm);
		strftime(ts3339, sizeof(ts3339), "%Y-%m-%dT%H:%M:%S", &tm);
		now = ns(CLOCK_MONOTONIC);
		n = snprintf(line, sizeof(line), "{\"ev\":\"trade\","
		    "\"t\":\"%s.%09lldZ\",\"sym\":\"S%03ld\",\"price\":10.5,"
		    "\"size\":100,\"lat\":%lld}\n", ts3339,
		    (long long)(wall % 1000000000), i % 500, (long long)now);
		if (write(fd, line, (size_t)n) != n) {
			perror("route_latency: write");
			_exit(1);
		}
	}
	_exit(0);
}

int
main(int argc, char *argv[])
{
	int in[2], out[2], st;
	pid_t cmd, pacer;
	double rate;
	long count, got = 0, bad = 0;
	int64_t *lat, now;
	char buf[1 << 16], *p, *e, *nl, *l;
	size_t have = 0;
	ssize_t r;

	if (argc < 4) {
		fprintf(stderr, "usage: route_latency RATE COUNT COMMAND "
		    "[ARG...]\n");
		return 2;
	}
	rate = atof(argv[1]);
	count = atol(argv[2]);
	if (rate <= 0 || count <= 0)
		return 2;
	lat = calloc((size_t)count, sizeof(*lat));
	if (!lat || pipe(in) < 0 || pipe(out) < 0)
		return 3;
	if ((cmd = fork()) == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]); close(in[1]); close(out[0]); close(out[1]);
		execvp(argv[3], argv + 3);
		perror("route_latency: exec");
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if ((pacer = fork()) == 0) {
		close(out[0]);
		pace(in[1], rate, count);
	}
	close(in[1]);
	for (;;) {
		r = read(out[0], buf + have, sizeof(buf) - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		now = ns(CLOCK_MONOTONIC);
		have += (size_t)r;
		p = buf;
		e = buf + have;
		while ((nl = memchr(p, '\n', (size_t)(e - p))) != NULL) {
			*nl = '\0';
			l = strstr(p, "\"lat\":");
			if (l && got < count)
				lat[got++] = now - strtoll(l + 6, NULL, 10);
			else
				bad++;
			p = nl + 1;
		}
		have = (size_t)(e - p);
		memmove(buf, p, have);
	}
	waitpid(pacer, &st, 0);
	waitpid(cmd, &st, 0);
	if (got == 0) {
		fprintf(stderr, "route_latency: no echoes\n");
		return 1;
	}
	qsort(lat, (size_t)got, sizeof(*lat), cmp);
	printf("p50 %.1f p99 %.1f p99.9 %.1f max %.1f n %ld\n",
	    lat[got / 2] / 1e3, lat[(long)(got * 0.99)] / 1e3,
	    lat[(long)(got * 0.999)] / 1e3, lat[got - 1] / 1e3, got);
	return got == count && bad == 0 ? 0 : 1;
}
