/*
 * proc.h: the life cycle of a liu process, from liu_init() at the top of
 * main() to liu_finish() at its end.  It sits above util (names,
 * diagnostics, the stop flag) and ndjson (the event writer), and ties the
 * two together: util cannot know about the writer, so it is here that
 * die() is told to flush it (see "The event writer at exit" in util.h).
 */
#ifndef LIU_PROC_H
#define LIU_PROC_H

#include <stdint.h>

/*
 * Set the program name from argv[0], hold the number of a closed fd 0, 1
 * or 2 with a descriptor on which reads and writes fail with EBADF (so no
 * file opened later lands there, and the failure is reported as a read or
 * write error; dies if /dev/null cannot be opened), restore SIGPIPE to its
 * default even if the parent ignored it, install the SIGTERM/SIGINT flag
 * handler without SA_RESTART so blocking reads return EINTR, set up the
 * event writer on fd 1, and make die() and die_code() flush that writer
 * before they exit.
 */
void liu_init(const char *argv0);

/*
 * The end of a filter: flush the event writer and stdout, check for write
 * errors (exit 3 with "write error: ..."), then if a signal asked us to stop,
 * restore its default action and raise it so the parent sees 128+N.
 * Otherwise return 'status' for main() to return.
 */
int liu_finish(int status);

/*
 * "Now", for every program that reads the wall clock (receive times,
 * backfill windows, market hours): the real time, or when LIU_NOW is set
 * (RFC 3339), that time at the first call, advancing from it at the pace
 * of the monotonic clock, so that tests pin the day and the hour.  A bad
 * LIU_NOW dies with LIU_EXIT_USAGE.  Call it once before starting threads.
 */
int64_t liu_clock_ns(void);

/* Print "PROG VERSION" to stdout and exit 0 through liu_finish(). */
_Noreturn void liu_version(void);

#endif
