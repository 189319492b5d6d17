/*
 * util.h: what every liu program shares: its name, diagnostics, exit codes,
 * checked allocation, strict number parsing and signal handling.
 */
#ifndef LIU_UTIL_H
#define LIU_UTIL_H

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>

/* Exit codes, the same table in every man page (EXIT STATUS). */
enum {
	LIU_EXIT_OK = 0,	/* success */
	LIU_EXIT_DATA = 1,	/* bad data, or an unrecoverable failure */
	LIU_EXIT_USAGE = 2,	/* unknown option, bad argument, bad config */
	LIU_EXIT_SYS = 3	/* system or I/O error, out of memory, db */
};

/* The program's name, "liu-stream", set by liu_init(). */
extern const char *liu_progname;

/*
 * The signal that asked us to stop (SIGTERM or SIGINT), or 0.  Set only by
 * the handler; loops check it between records.  A second SIGINT exits at
 * once.
 */
extern volatile sig_atomic_t liu_stop;

/*
 * Set the program name from argv[0], hold the number of a closed fd 0, 1
 * or 2 with a descriptor on which reads and writes fail with EBADF (so no
 * file opened later lands there, and the failure is reported as a read or
 * write error; dies if /dev/null cannot be opened), restore SIGPIPE to its
 * default even if the parent ignored it, and install the SIGTERM/SIGINT
 * flag handler without SA_RESTART so blocking reads return EINTR.
 */
void liu_init(const char *argv0);

/*
 * Diagnostics.  Each message goes to stderr in one write(2), as
 * "PROG: message\n" (PROG cut to 64 bytes).  A format ending in ':' gets
 * " strerror(errno)" appended.  Control bytes in PROG and the message
 * become '?'.
 * die() exits LIU_EXIT_SYS; die_code() exits with the given code;
 * bug() reports an invariant violation and aborts.
 */
_Noreturn void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
_Noreturn void die_code(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void bug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation that never returns NULL: out of memory dies with the size. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/*
 * Strict number parsing for options: the whole string must be a number in
 * [min, max], or the program dies with LIU_EXIT_USAGE naming 'what'.
 */
long long liu_strtonum(const char *s, long long min, long long max,
    const char *what);
double liu_strtod(const char *s, double min, double max, const char *what);

/*
 * Parse a duration such as "5s", "390m", "1.5h", "250ms", "2d" or "0" into
 * nanoseconds.  A bare number is seconds.  Returns 0, or -1 if malformed.
 */
int liu_parse_duration(const char *s, int64_t *ns);
/*
 * The same for an option's argument: the nanoseconds, at least 'min', or
 * die with LIU_EXIT_USAGE and "invalid WHAT: 'S'".
 */
int64_t liu_duration_arg(const char *s, int64_t min, const char *what);

/* Wall-clock time in nanoseconds since the epoch, and a monotonic clock. */
int64_t liu_now_ns(void);
int64_t liu_mono_ns(void);

/*
 * The end of a filter: flush the event writer and stdout, check for write
 * errors (exit 3 with "write error: ..."), then if a signal asked us to stop,
 * restore its default action and raise it so the parent sees 128+N.
 * Otherwise return 'status' for main() to return.
 */
int liu_finish(int status);

/* Print "PROG VERSION" to stdout and exit 0. */
_Noreturn void liu_version(void);

/* Bytes that may be echoed in a message: 60 at most, control bytes as '?'. */
#define LIU_ECHO_MAX 60

#endif
