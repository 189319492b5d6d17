/*
 * proc.c: the process life cycle: liu_init(), liu_finish(), and the flush
 * of the event writer when die() ends the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ndjson.h"
#include "proc.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

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

/*
 * die()'s hook: write out the whole records the event writer holds.  A
 * failure is not reported, as the message that is ending the process
 * already said what went wrong (most often it is this very write error);
 * a closed pipe raises SIGPIPE, as any write to it does.
 */
static void
flush_writer_at_die(void)
{
	(void)nd_out_flush();
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
	liu_set_die_hook(flush_writer_at_die);
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

int64_t
liu_clock_ns(void)
{
	static int64_t pinned, mono0;
	static int state;	/* 0: not read, 1: real, 2: pinned */
	const char *s;

	if (state == 0) {
		s = getenv("LIU_NOW");
		state = 1;
		if (s && *s) {
			if (tm_parse(s, strlen(s), &pinned) < 0)
				die_code(LIU_EXIT_USAGE, "bad LIU_NOW: '%.*s' "
				    "(want RFC 3339)", LIU_ECHO_MAX, s);
			mono0 = liu_mono_ns();
			state = 2;
		}
	}
	if (state == 1)
		return liu_now_ns();
	return pinned + (liu_mono_ns() - mono0);
}

void
liu_version(void)
{
	printf("%s %s\n", liu_progname, LIU_VERSION);
	exit(liu_finish(0));
}
