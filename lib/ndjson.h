/*
 * ndjson.h: the NDJSON reader (read(2) into a large buffer, memchr line
 * splitting, line numbers, the bad-line policy) and the event writer
 * (whole records only, one buffer, flushed before the reader would block).
 *
 * The reader accepts "\n" and "\r\n", ignores empty lines, reads a last line
 * that has no newline, and treats a line longer than nd_policy.line_max as a
 * bad line without holding more than line_max + one read chunk in memory.
 */
#ifndef LIU_NDJSON_H
#define LIU_NDJSON_H

#include <stddef.h>
#include <stdint.h>

/* The program-wide bad-line policy, set from the common options. */
struct nd_policy {
	int strict;		/* --strict: the first bad line stops input */
	uint64_t max_bad;	/* --max-bad N: stop after N; 0: off */
	size_t line_max;	/* lines longer than this are bad (1 MiB) */
	int verbose;		/* -v: counters at EOF */
};
extern struct nd_policy nd_policy;
#define LIU_LINE_MAX (1024 * 1024)

/* Bad lines seen so far in this process, and whether the policy stopped. */
extern uint64_t nd_nbad;
extern int nd_stopped;

struct nd_reader {
	int fd;
	int own_fd;		/* close fd in nd_close() */
	char *name;		/* "<stdin>" or the path, owned */
	char *buf;		/* owned */
	size_t cap, pos, end;	/* unread bytes are buf[pos..end) */
	uint64_t lineno;	/* number of the line last returned */
	uint64_t nlines;	/* lines returned, not counting empty ones */
	int eof;
	int discarding;		/* inside an over-long line */
	int no_flush;		/* nd_next() leaves the event writer alone:
				   the reader runs in a thread that does not
				   own it (set it after nd_fdopen()) */
};
#define ND_READER_INIT { -1, 0, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0 }

/*
 * Open 'path' ("-" is standard input) for reading.  Returns 0, or -1 with
 * errno set; the reader then owns nothing.
 */
int nd_open(struct nd_reader *r, const char *path);
/* Read from an open descriptor; 'name' is copied.  Does not close fd. */
void nd_fdopen(struct nd_reader *r, int fd, const char *name);
/* Close the file (if we opened it) and free everything. */
void nd_close(struct nd_reader *r);

/*
 * The next non-empty line, without its "\n" or "\r\n", NUL-terminated in
 * place.  *line stays valid until the next call.  Returns 1 for a line,
 * 0 at end of input (or when liu_stop or the bad-line policy says stop),
 * and -1 on a read error, which has been reported.  Flushes the event
 * writer before each read(2), that is, before it might block, unless
 * r->no_flush is set.
 */
int nd_next(struct nd_reader *r, char **line, size_t *len);

/*
 * The non-blocking pair that nd_next() is made of, for poll(2) loops:
 * nd_getline() returns 1 with a line if a whole one is buffered (or the
 * last one at EOF), else 0; nd_fill() reads once and returns the bytes read,
 * 0 at EOF, -1 with errno (EAGAIN, EINTR, ...).
 */
int nd_getline(struct nd_reader *r, char **line, size_t *len);
long nd_fill(struct nd_reader *r);

/*
 * Wait in ppoll(2) until one of the n descriptors is ready (their revents
 * set), without losing a SIGTERM or SIGINT that comes between the caller's
 * check of liu_stop and the wait: returns 0, or -1 when liu_stop is set.
 * Does not flush the writer.
 */
struct pollfd;
int nd_poll(struct pollfd *p, unsigned n);

/*
 * Report a bad line as "PROG: SOURCE:LINE: message", count it, and apply
 * the policy.  Returns 0 to go on, or -1 if input must stop (--strict or
 * --max-bad reached); nd_stopped is then set and nd_next() returns 0.
 */
int nd_bad(const struct nd_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same, with an explicit source and line, for other readers. */
int nd_bad_at(const char *src, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * At end of input: print "skipped N bad lines" if any were, and return the
 * exit status the bad lines call for (LIU_EXIT_DATA, or 0).
 */
int nd_summary(void);

/*
 * Parse the common bad-line options for getopt_long: returns 1 if 'ch' was
 * one of them (consuming optarg), else 0.  The long options are
 * ND_LONGOPTS; their codes are above 255 so they do not collide.
 */
enum { ND_OPT_STRICT = 256, ND_OPT_MAX_BAD, ND_OPT_LINE_MAX, ND_OPT_UNBUF };
#define ND_LONGOPTS \
	{ "strict", no_argument, NULL, ND_OPT_STRICT }, \
	{ "max-bad", required_argument, NULL, ND_OPT_MAX_BAD }, \
	{ "line-max", required_argument, NULL, ND_OPT_LINE_MAX }, \
	{ "unbuffered", no_argument, NULL, 'u' }, \
	{ "line-buffered", no_argument, NULL, 'u' }
int nd_option(int ch, const char *arg);

/* The writer. */

/* Set up the writer on fd 1: line-buffered if it is a terminal. */
void nd_out_init(void);
/*
 * Emit one record: 'len' bytes that must not contain a newline; the writer
 * adds it.  The record reaches fd 1 whole or not at all.  A closed pipe
 * raises SIGPIPE (the default action ends the process quietly); any other
 * write error dies with "write error".
 */
void nd_emit(const char *p, size_t len);
/*
 * Emit 'len' bytes of n whole records, each ending with its newline, as
 * they are: one copy into the writer's buffer, or none for a block of a
 * quarter of it or more that finds it empty.  For a writer whose records
 * already sit in lines and are counted (liu-stream's live queue).  Errors
 * as nd_emit().
 */
void nd_emit_lines(const char *p, size_t len, uint64_t n);
/* Write out everything buffered.  Returns 0, or -1 with errno. */
int nd_out_flush(void);
/* Records emitted so far. */
extern uint64_t nd_nout;

#endif
