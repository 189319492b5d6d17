/*
 * opt.c: usage and option errors.  getopt_long()'s own messages would
 * name argv[0] as typed ("./bin/liu-ta: unrecognized option"), and a
 * message of ours names the program ("liu-ta: ..."), so every program
 * sets opterr = 0 and reports through opt_error(), in our words.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "opt.h"
#include "proc.h"
#include "util.h"
#include "banned.h"

void
opt_usage(const char *const *lines, int status)
{
	struct buf b = BUF_INIT;
	const char *p;
	ssize_t w;

	for (; *lines; lines++) {
		buf_adds(&b, *lines);
		buf_addc(&b, '\n');
	}
	if (status == 0) {
		fwrite(b.p, 1, b.len, stdout);
		exit(liu_finish(0));
	}
	for (p = b.p; p < b.p + b.len; p += w)
		if ((w = write(2, p, (size_t)(b.p + b.len - p))) < 0) {
			if (errno != EINTR)
				break;
			w = 0;
		}
	exit(status);
}

/*
 * The long options that "--NAME" (n bytes of name) can stand for: an
 * exact match, or else every option it abbreviates.  Returns how many,
 * with the last in *found.
 */
static int
long_match(const char *name, size_t n, const struct option *lo,
    const struct option **found)
{
	int nmatch = 0;

	*found = NULL;
	for (; lo->name; lo++) {
		if (strncmp(lo->name, name, n) != 0)
			continue;
		*found = lo;
		if (lo->name[n] == '\0')
			return 1;
		nmatch++;
	}
	return nmatch;
}

void
opt_error(int ch, char *const argv[], const struct option *longopts)
{
	const struct option *o;
	const char *arg = optind > 0 ? argv[optind - 1] : NULL;
	size_t n;
	int nmatch;

	if (ch != '?' && ch != ':')
		bug("option %d is listed but not handled", ch);
	/*
	 * A long option always ends its argv element, so the element is
	 * argv[optind - 1]; getopt_long() sets optopt to 0 for an unknown
	 * one, and to its val for a known one used wrongly.  A short
	 * option's optopt is the letter, and argv[optind - 1] may then be
	 * an earlier element, so it is a long option only if it is one
	 * with that val.
	 */
	if (arg && strncmp(arg, "--", 2) == 0 && arg[2]) {
		n = strcspn(arg + 2, "=");
		nmatch = long_match(arg + 2, n, longopts, &o);
		if (optopt == 0 || optopt > UCHAR_MAX ||
		    (nmatch == 1 && o->val == optopt)) {
			if (optopt == 0 && nmatch > 1)
				warn("ambiguous option '--%.*s'",
				    (int)(n < LIU_ECHO_MAX ? n : LIU_ECHO_MAX),
				    arg + 2);
			else if (optopt == 0 || nmatch != 1)
				warn("unknown option '--%.*s'",
				    (int)(n < LIU_ECHO_MAX ? n : LIU_ECHO_MAX),
				    arg + 2);
			else if (ch == ':')
				warn("missing argument for '--%s'", o->name);
			else
				warn("'--%s' takes no argument", o->name);
			return;
		}
	}
	if (ch == ':')
		warn("missing argument for '-%c'", optopt);
	else
		warn("unknown option '-%c'", optopt);
}

const char *
opt_choice(const char *arg, const char *const *words, const char *what)
{
	for (; *words; words++)
		if (strcmp(arg, *words) == 0)
			return *words;
	die_code(LIU_EXIT_USAGE, "invalid %s: '%.*s'", what, LIU_ECHO_MAX, arg);
}
