/*
 * Unit tests of the way a liu process ends (lib/util.c and lib/proc.c):
 * the one rule of die() and die_code() about the event writer, the hook
 * behind it, and bug()'s message in one write(2).  Each case runs in a
 * child whose stdout is a pipe and whose stderr is a SOCK_SEQPACKET
 * socket, which keeps the boundaries of writes: the first read returns
 * exactly what the first write(2) wrote.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "ndjson.h"
#include "proc.h"
#include "util.h"
#include "banned.h"

/* What a child left: its stdout, its first stderr write, how it ended. */
struct end {
	char out[256];
	char err1[256];		/* the first write(2) to stderr */
	char err2[256];		/* the second, if any */
	int status;
};

static void
read_all(int fd, char *p, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n < cap - 1 && (r = read(fd, p + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	p[n] = '\0';
}

static void
read_one(int fd, char *p, size_t cap)
{
	ssize_t r = recv(fd, p, cap - 1, MSG_DONTWAIT);

	p[r > 0 ? r : 0] = '\0';
}

/*
 * Run 'fn' in a child that has called liu_init() if 'init', with stdout
 * read by us (or closed before the child writes, if 'closed').
 */
static void
run(void (*fn)(void), int init, int closed, struct end *e)
{
	int out[2], err[2];
	pid_t pid;

	memset(e, 0, sizeof(*e));
	if (pipe(out) < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, err) < 0) {
		perror("pipe");
		exit(1);
	}
	if (closed)
		close(out[0]);
	fflush(stdout);
	if ((pid = fork()) < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };

		setrlimit(RLIMIT_CORE, &nocore);	/* bug() aborts */
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		if (!closed)
			close(out[0]);
		if (init)
			liu_init("/some/dir/liu-unit");
		else
			liu_progname = "liu-unit";
		fn();
		_exit(99);	/* fn() must not return */
	}
	close(out[1]);
	close(err[1]);
	if (!closed) {
		read_all(out[0], e->out, sizeof(e->out));
		close(out[0]);
	}
	waitpid(pid, &e->status, 0);
	read_one(err[0], e->err1, sizeof(e->err1));
	read_one(err[0], e->err2, sizeof(e->err2));
	close(err[0]);
}

static void
emit_die(void)
{
	nd_emit("{\"a\":1}", 7);
	nd_emit("{\"a\":2}", 7);
	die("no more %s", "memory");
}

static void
emit_die_code(void)
{
	nd_emit("{\"a\":1}", 7);
	die_code(LIU_EXIT_DATA, "stopped");
}

static void
die_errno(void)
{
	errno = ENOENT;
	die("%s:", "x.nd");
}

static void
emit_bug(void)
{
	nd_emit("{\"a\":1}", 7);
	bug("count is %d", -1);
}

static void
hook_dies(void)
{
	die("in the hook");
}

static void
die_in_hook(void)
{
	liu_set_die_hook(hook_dies);
	die("first");
}

static void
control_bytes(void)
{
	warn("a\tb\x7f" "c");
	exit(0);
}

static void
test_die(void)
{
	struct end e;

	run(emit_die, 1, 0, &e);
	is_str(e.out, "{\"a\":1}\n{\"a\":2}\n",
	    "die() flushes the records already emitted");
	is_str(e.err1, "liu-unit: no more memory\n",
	    "die(): the message, under the base name");
	ok(WIFEXITED(e.status) && WEXITSTATUS(e.status) == LIU_EXIT_SYS,
	    "die() exits 3 (status %#x)", e.status);

	run(emit_die_code, 1, 0, &e);
	is_str(e.out, "{\"a\":1}\n", "die_code() flushes the same way");
	ok(WIFEXITED(e.status) && WEXITSTATUS(e.status) == LIU_EXIT_DATA,
	    "die_code() exits with its code (status %#x)", e.status);

	run(emit_die, 0, 0, &e);
	is_str(e.out, "", "without liu_init() there is no hook: no flush");
	ok(WIFEXITED(e.status) && WEXITSTATUS(e.status) == LIU_EXIT_SYS,
	    "and die() still exits 3");

	run(emit_die, 1, 1, &e);
	is_str(e.err1, "liu-unit: no more memory\n",
	    "stdout closed: the message comes first");
	ok(WIFSIGNALED(e.status) && WTERMSIG(e.status) == SIGPIPE,
	    "then the flush raises SIGPIPE (status %#x)", e.status);

	run(die_errno, 1, 0, &e);
	is_str(e.err1, "liu-unit: x.nd: No such file or directory\n",
	    "a format ending in ':' gets strerror(errno)");

	run(die_in_hook, 1, 0, &e);
	is_str(e.err2, "liu-unit: in the hook\n",
	    "die() in the hook reports");
	ok(WIFEXITED(e.status) && WEXITSTATUS(e.status) == LIU_EXIT_SYS,
	    "and exits at once (status %#x)", e.status);

	run(control_bytes, 1, 0, &e);
	is_str(e.err1, "liu-unit: a?b?c\n", "control bytes become '?'");
}

static void
test_bug(void)
{
	struct end e;

	run(emit_bug, 1, 0, &e);
	is_str(e.err1, "liu-unit: BUG: count is -1\n",
	    "bug(): the whole message in the first write(2)");
	is_str(e.err2, "", "and nothing after it");
	is_str(e.out, "", "bug() does not flush the writer");
	ok(WIFSIGNALED(e.status) && WTERMSIG(e.status) == SIGABRT,
	    "bug() aborts (status %#x)", e.status);
}

int
main(void)
{
	test_die();
	test_bug();
	return done_testing();
}
