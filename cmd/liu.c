/*
 * liu: the dispatcher.  `liu stream ARGS` runs `liu-stream ARGS`, found
 * first beside this program and then in PATH, as git runs its external
 * commands.  `liu help` lists the programs, `liu version` prints the version.
 */
#include <errno.h>
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

static const char *const usage_text[] = {
	"usage: liu COMMAND [ARGS ...]",
	"       liu help | version",
	"       liu -h | --help | --version",
	"COMMAND is stream, scan, route, strategy, ta, analyze, db, order",
	"or plan.",
	"See liu(1).",
	NULL
};

static _Noreturn void
usage(int status)
{
	opt_usage(usage_text, status);
}

int
main(int argc, char *argv[])
{
	struct buf path = BUF_INIT;
	char self[PATH_MAX], *slash;
	const char *cmd;
	ssize_t n;

	liu_init(argv[0]);
	if (argc < 2)
		usage(LIU_EXIT_USAGE);
	cmd = argv[1];
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "--help") == 0)
		usage(0);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0)
		liu_version();
	if (cmd[0] == '-') {
		warn("unknown option '%.*s'", LIU_ECHO_MAX, cmd);
		usage(LIU_EXIT_USAGE);
	}
	if (strchr(cmd, '/'))
		die_code(LIU_EXIT_USAGE, "'%.*s' is not a liu command; see "
		    "'liu help'", LIU_ECHO_MAX, cmd);
	/* first the liu-CMD installed beside us */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			buf_addf(&path, "%s/liu-%s", self, cmd);
			if (access(path.p, X_OK) == 0) {
				argv[1] = path.p;
				execv(path.p, argv + 1);
			}
		}
	}
	buf_reset(&path);
	buf_addf(&path, "liu-%s", cmd);
	argv[1] = path.p;
	execvp(path.p, argv + 1);
	if (errno == ENOENT)
		die_code(LIU_EXIT_USAGE, "'%.*s' is not a liu command; see "
		    "'liu help'", LIU_ECHO_MAX, cmd);
	die("cannot run '%s':", path.p);
}
