/*
 * util.h: what every liu program shares: its name, diagnostics, exit codes,
 * checked allocation, strict number parsing, clocks and the stop flag.
 * util is a leaf of lib/: it includes no other module, and the process
 * life cycle (liu_init(), liu_finish()) that needs the event writer lives
 * above it, in proc.h.
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

/* The program's name, "liu-stream", set by liu_init() (proc.h). */
extern const char *liu_progname;

/*
 * The signal that asked us to stop (SIGTERM or SIGINT), or 0.  Set only by
 * the handler liu_init() installs; loops check it between records.  A
 * second SIGINT exits at once.
 */
extern volatile sig_atomic_t liu_stop;

/*
 * Diagnostics.  Each message goes to stderr in one write(2), as
 * "PROG: message\n" (PROG cut to 64 bytes, the whole cut to 1 KiB).  A
 * format ending in ':' gets " strerror(errno)" appended.  Control bytes in
 * PROG and the message become '?'.  warn() returns with errno unchanged.
 * die() exits LIU_EXIT_SYS; die_code() exits with the given code.
 * bug() reports an invariant violation as "PROG: BUG: message" and calls
 * abort() at once: no hook, no flush, no atexit handlers.
 *
 * The event writer at exit: die() and die_code() follow one rule.  After
 * the message they run the hook set by liu_set_die_hook(), once, then
 * call exit(3), which flushes stdio's streams as usual.  liu_init() (in
 * proc.h) sets that hook to write out the records the event writer
 * (ndjson.h) holds.  The writer only ever holds whole records, so a
 * program that dies in a data path, for any reason and with any code,
 * has delivered every record it emitted before the error, and no part of
 * a record it was still building.  Nothing is written after a write
 * error, since the failed write has already dropped what it held; a
 * closed pipe raises SIGPIPE, as any write to it does, and the process
 * ends by that signal instead of the exit code.  In a program that did
 * not call liu_init() there is no hook and nothing is flushed.
 */
_Noreturn void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
_Noreturn void die_code(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void bug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The function die() and die_code() run after the message and before
 * exit(3); NULL for none.  A die() inside it exits at once.
 */
void liu_set_die_hook(void (*fn)(void));

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

/* The value of an environment variable, or NULL if it is unset or empty. */
const char *liu_env(const char *name);

/* Wall-clock time in nanoseconds since the epoch, and a monotonic clock. */
int64_t liu_now_ns(void);
int64_t liu_mono_ns(void);

/* Bytes that may be echoed in a message: 60 at most, control bytes as '?'. */
#define LIU_ECHO_MAX 60

#endif
