/*
 * plan_run.c: liu-plan --run, the script run by /bin/sh under our eye.
 *
 * The script does the real supervision (plan_sh.c): it knows its stages,
 * passes a signal on to every one of them and exits with the status of
 * the first that failed.  What is left here is to start it, to pass
 * SIGTERM, SIGINT and SIGHUP on to it (a SIGTERM sent to liu-plan alone
 * must not leave the pipeline running), and to end as it ended: with its
 * exit status, or by the signal that stopped it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plan.h"
#include "util.h"
#include "banned.h"

static volatile pid_t child;

static void
forward(int sig)
{
	int saved = errno;

	if (child > 0)
		kill(child, sig);
	if (!liu_stop)
		liu_stop = sig;
	errno = saved;
}

int
plan_run(const char *script)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;
	sigset_t block, old;
	pid_t pid;
	size_t i;
	int ws;

	/* no signal between fork() and knowing the child's pid */
	sigemptyset(&block);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&block, sigs[i]);
	sigprocmask(SIG_BLOCK, &block, &old);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	fflush(NULL);
	if ((pid = fork()) < 0)
		die("cannot fork:");
	if (pid == 0) {
		sa.sa_handler = SIG_DFL;
		for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
			sigaction(sigs[i], &sa, NULL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		execl("/bin/sh", "sh", "-c", script, "liu-plan", (char *)NULL);
		warn("cannot run /bin/sh:");
		_exit(127);
	}
	child = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			die("waitpid:");
	child = 0;
	if (WIFSIGNALED(ws))
		return 128 + WTERMSIG(ws);
	return WEXITSTATUS(ws);
}
