/* ndjson.c: the NDJSON line reader, the bad-line policy and the writer. */
#define _GNU_SOURCE	/* ppoll() */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ndjson.h"
#include "util.h"
#include "banned.h"

struct nd_policy nd_policy = { 0, 0, LIU_LINE_MAX, 0 };
uint64_t nd_nbad;
int nd_stopped;
uint64_t nd_nout;
/* Flush after every record: fd 1 is a tty, or -u (--unbuffered). */
static int unbuffered;

#define ND_CHUNK (256 * 1024)

int
nd_open(struct nd_reader *r, const char *path)
{
	int fd;

	if (strcmp(path, "-") == 0) {
		nd_fdopen(r, 0, "<stdin>");
		return 0;
	}
	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR && !liu_stop);
	if (fd < 0)
		return -1;
	nd_fdopen(r, fd, path);
	r->own_fd = 1;
	return 0;
}

void
nd_fdopen(struct nd_reader *r, int fd, const char *name)
{
	struct nd_reader z = ND_READER_INIT;

	*r = z;
	r->fd = fd;
	r->name = xstrdup(name);
	r->cap = ND_CHUNK;
	r->buf = xmalloc(r->cap + 1);
}

void
nd_close(struct nd_reader *r)
{
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	free(r->name);
	free(r->buf);
	r->name = r->buf = NULL;
	r->fd = -1;
}

static int
vbad(const char *src, uint64_t line, const char *fmt, va_list ap)
{
	char msg[512];
	uint64_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	warn("%s:%llu: %s", src, (unsigned long long)line, msg);
	/* atomic: liu-stream's two control threads report bad lines too */
	n = __atomic_add_fetch(&nd_nbad, 1, __ATOMIC_RELAXED);
	if (nd_policy.strict ||
	    (nd_policy.max_bad && n >= nd_policy.max_bad)) {
		nd_stopped = 1;
		return -1;
	}
	return 0;
}

int
nd_bad(const struct nd_reader *r, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vbad(r->name, r->lineno, fmt, ap);
	va_end(ap);
	return rc;
}

int
nd_bad_at(const char *src, uint64_t line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vbad(src, line, fmt, ap);
	va_end(ap);
	return rc;
}

int
nd_summary(void)
{
	if (nd_nbad == 0)
		return 0;
	if (nd_stopped && nd_policy.strict)
		warn("stopped at the first bad line (--strict)");
	else if (nd_stopped)
		warn("stopped after %llu bad lines (--max-bad)",
		    (unsigned long long)nd_nbad);
	else
		warn("skipped %llu bad line%s", (unsigned long long)nd_nbad,
		    nd_nbad == 1 ? "" : "s");
	return LIU_EXIT_DATA;
}

int
nd_option(int ch, const char *arg)
{
	switch (ch) {
	case ND_OPT_STRICT:
		nd_policy.strict = 1;
		return 1;
	case ND_OPT_MAX_BAD:
		nd_policy.max_bad = (uint64_t)liu_strtonum(arg, 1, LLONG_MAX,
		    "--max-bad");
		return 1;
	case ND_OPT_LINE_MAX:
		nd_policy.line_max = (size_t)liu_strtonum(arg, 16,
		    1024LL * 1024 * 1024, "--line-max");
		return 1;
	case 'u':
		unbuffered = 1;
		return 1;
	}
	return 0;
}

long
nd_fill(struct nd_reader *r)
{
	ssize_t n;
	size_t want;

	if (r->eof)
		return 0;
	if (r->pos > 0 && (r->pos == r->end || r->end == r->cap)) {
		/* slide the partial line to the front */
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->pos = 0;
	}
	if (r->end == r->cap) {
		/* a partial line fills the buffer: grow up to the cap */
		size_t lim = nd_policy.line_max + 2;

		if (r->cap < lim) {
			r->cap = r->cap * 2 < lim + ND_CHUNK ?
			    r->cap * 2 : lim + ND_CHUNK;
			r->buf = xrealloc(r->buf, r->cap + 1);
		} else {
			/* over-long: report it and drop what we hold */
			if (!r->discarding) {
				r->lineno++;
				r->discarding = 1;
				nd_bad(r, "line too long (over %zu bytes)",
				    nd_policy.line_max);
			}
			r->pos = r->end = 0;
		}
	}
	want = r->cap - r->end;
	n = read(r->fd, r->buf + r->end, want);
	if (n < 0)
		return -1;
	if (n == 0)
		r->eof = 1;
	r->end += (size_t)n;
	return (long)n;
}

int
nd_getline(struct nd_reader *r, char **line, size_t *len)
{
	char *p, *nl;
	size_t n;

	while (r->pos < r->end || r->eof) {
		p = r->buf + r->pos;
		nl = memchr(p, '\n', r->end - r->pos);
		if (!nl) {
			if (!r->eof || r->pos == r->end)
				return 0;
			nl = r->buf + r->end;	/* last line, no newline */
		}
		n = (size_t)(nl - p);
		r->pos += n + (nl < r->buf + r->end);
		if (r->discarding) {
			/* the tail of an over-long line, already reported */
			r->discarding = 0;
			continue;
		}
		r->lineno++;
		if (n && p[n - 1] == '\r')
			n--;
		if (n && (p[0] == ' ' || p[0] == '\t')) {
			size_t k = 0;	/* a line of blanks counts as empty */

			while (k < n && (p[k] == ' ' || p[k] == '\t'))
				k++;
			if (k == n)
				n = 0;
		}
		if (n == 0)
			continue;
		if (n > nd_policy.line_max) {
			nd_bad(r, "line too long (over %zu bytes)",
			    nd_policy.line_max);
			if (nd_stopped)
				return 0;
			continue;
		}
		p[n] = '\0';
		*line = p;
		*len = n;
		r->nlines++;
		return 1;
	}
	return 0;
}

/*
 * Wait until one of the descriptors is ready, or until SIGTERM or SIGINT
 * asks us to stop.  Checking liu_stop and then calling read(2) would leave
 * a window where the signal lands between the two and read(2) sleeps on:
 * so the signals are blocked from the check until ppoll(2), which lets them
 * in only while it waits.
 */
int
nd_poll(struct pollfd *p, unsigned n)
{
	sigset_t blk, old;

	sigemptyset(&blk);
	sigaddset(&blk, SIGTERM);
	sigaddset(&blk, SIGINT);
	sigprocmask(SIG_BLOCK, &blk, &old);
	if (!liu_stop)
		(void)ppoll(p, n, NULL, &old);	/* EINTR if signalled */
	sigprocmask(SIG_SETMASK, &old, NULL);
	return liu_stop ? -1 : 0;
}

/* Wait until fd is readable (nd_poll()).  Returns 0 to read, -1 to stop. */
static int
wait_readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return nd_poll(&p, 1);
}

int
nd_next(struct nd_reader *r, char **line, size_t *len)
{
	for (;;) {
		if (nd_stopped || liu_stop)
			return 0;
		if (nd_getline(r, line, len))
			return nd_stopped ? 0 : 1;
		if (nd_stopped || r->eof)
			return 0;
		if (!r->no_flush && nd_out_flush() < 0)
			die("write error:");
		if (wait_readable(r->fd) < 0)
			return 0;
		if (nd_fill(r) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				bug("nd_next on a non-blocking descriptor");
			warn("%s: read error:", r->name);
			return -1;
		}
	}
}

/* The writer: whole records into one buffer, written with write(2). */

#define ND_OUT_CAP (256 * 1024)
static char *obuf;
static size_t olen;

void
nd_out_init(void)
{
	if (!obuf)
		obuf = xmalloc(ND_OUT_CAP);
	if (isatty(1))
		unbuffered = 1;
}

static int
write_all(const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(1, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE) {
				signal(SIGPIPE, SIG_DFL);
				raise(SIGPIPE);
			}
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
nd_out_flush(void)
{
	int rc;

	if (olen == 0)
		return 0;
	rc = write_all(obuf, olen);
	olen = 0;
	return rc;
}

void
nd_emit_lines(const char *p, size_t len, uint64_t n)
{
	if (len == 0)
		return;
	if (!obuf)
		nd_out_init();
	nd_nout += n;
	if (len > ND_OUT_CAP - olen && nd_out_flush() < 0)
		die("write error:");
	if (len >= ND_OUT_CAP / 4 && olen == 0) {
		/* big enough to go out at once: no copy */
		if (write_all(p, len) < 0)
			die("write error:");
		return;
	}
	memcpy(obuf + olen, p, len);
	olen += len;
	if (unbuffered && nd_out_flush() < 0)
		die("write error:");
}

void
nd_emit(const char *p, size_t len)
{
	if (!obuf)
		nd_out_init();
	nd_nout++;
	if (len + 1 > ND_OUT_CAP - olen) {
		if (nd_out_flush() < 0)
			die("write error:");
		if (len + 1 > ND_OUT_CAP) {
			/* a huge record: write it and its newline at once */
			char *tmp = xmalloc(len + 1);

			memcpy(tmp, p, len);
			tmp[len] = '\n';
			if (write_all(tmp, len + 1) < 0)
				die("write error:");
			free(tmp);
			return;
		}
	}
	memcpy(obuf + olen, p, len);
	obuf[olen + len] = '\n';
	olen += len + 1;
	if (unbuffered && nd_out_flush() < 0)
		die("write error:");
}
