/*
 * opt.h: the command line every program shares: its usage text, printed
 * the same way by all, and getopt_long()'s errors, reported under the
 * program's name rather than argv[0] as typed.
 *
 * A program keeps its usage as a static, NULL-terminated array of lines
 * that is its man page's SYNOPSIS ("usage: liu-X ...", the continuation
 * lines, "       liu-X -h | --help | --version"), maybe a line of notes,
 * and "See liu-X(1)." last.  It calls getopt_long() with opterr = 0 and
 * an optstring that starts with ':' (after a '+' if any), and passes
 * whatever getopt_long() returned that it does not handle to opt_error(),
 * then exits through its usage().
 */
#ifndef LIU_OPT_H
#define LIU_OPT_H

struct option;

/*
 * Print the usage lines, each followed by a newline.  With status 0 (for
 * -h and --help) they go to standard output and the program exits through
 * liu_finish(); otherwise they go to standard error in one write(2) and
 * the program exits with 'status' (LIU_EXIT_USAGE).
 */
_Noreturn void opt_usage(const char *const *lines, int status);

/*
 * Report the option error that getopt_long() just returned as 'ch' ('?'
 * or ':'), as "unknown option '--bogus'", "unknown option '-x'",
 * "ambiguous option '--s'", "missing argument for '--digits'" or
 * "'--exact' takes no argument".  'argv' is what getopt_long() was given;
 * 'longopts' its long options.  Any other 'ch' is an option the program
 * lists but does not handle: a bug, and abort().
 */
void opt_error(int ch, char *const argv[], const struct option *longopts);

/*
 * 'arg' if it is one of 'words' (NULL-terminated), else die with the
 * usage status: "invalid WHAT: 'ARG'", WHAT naming the option and its
 * choices, as "--feed (want iex or sip)".
 */
const char *opt_choice(const char *arg, const char *const *words,
    const char *what);

#endif
