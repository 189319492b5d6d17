/*
 * analyze_plot.c: liu-analyze's charts: a gnuplot script (the equity
 * curve, its drawdown, and the price of the most traded symbols with
 * their buys and sells), and running gnuplot on it.
 *
 * Promises: a script gnuplot 5 draws as PNG (pngcairo) or SVG without
 * another file: the data travels in datablocks, names in quoted strings
 * with control bytes replaced, so no input can run a gnuplot command.
 * Long series are thinned to AN_CHART_POINTS rows keeping each run's
 * lowest and highest value, so the deepest drawdown survives.  Times are
 * given to gnuplot as seconds on the wall clock of opts.tz, so its axis
 * reads New York (or UTC) time, and the axis label says which.  gnuplot's
 * own warnings are kept aside and shown only when it fails.
 *
 * Owns, while it runs: the script's scratch arrays, and in an_gnuplot()
 * a pipe, a temporary file for gnuplot's stderr and the child, reaped
 * before it returns.  SIGPIPE is ignored while it writes the script and
 * restored after.  Dies when out of memory or when pipe(2), tmpfile(3) or
 * waitpid(2) fail.
 *
 * Fails: an_gnuplot() returns -1 with a message in *err (static: valid
 * until the next call) when gnuplot is missing or fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyze.h"
#include "analyze_impl.h"
#include "buf.h"
#include "sym.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

extern char **environ;

#define AN_MAX_CHART_SYMS 12
#define AN_CHART_POINTS 2000

static char errbuf[160];

/* A gnuplot single-quoted string: '' is a quote, control bytes become ?. */
static void
gp_str(struct buf *b, const char *s)
{
	buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_addc(b, '\'');
		buf_addc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
	}
	buf_addc(b, '\'');
}

/*
 * A datablock of (time, value) rows; more than AN_CHART_POINTS rows are
 * thinned to the lowest and highest value of each run of rows, so the
 * shape (and the deepest drawdown) survives.
 */
static void
gp_block(struct buf *b, const char *name, const double *t, const double *y,
    size_t n)
{
	size_t i, j, step, lo, hi, end;

	buf_addf(b, "$%s << EOD\n", name);
	step = n > AN_CHART_POINTS ? (n + AN_CHART_POINTS / 2 - 1) /
	    (AN_CHART_POINTS / 2) : 1;
	for (i = 0; i < n; i += step) {
		end = i + step < n ? i + step : n;
		lo = hi = i;
		for (j = i; j < end; j++) {
			if (y[j] < y[lo])
				lo = j;
			if (y[j] > y[hi])
				hi = j;
		}
		if (step == 1 || lo == hi) {
			buf_addf(b, "%.3f %.10g\n", t[lo] , y[lo]);
			continue;
		}
		j = lo < hi ? lo : hi;
		buf_addf(b, "%.3f %.10g\n", t[j], y[j]);
		j = lo < hi ? hi : lo;
		buf_addf(b, "%.3f %.10g\n", t[j], y[j]);
	}
	buf_adds(b, "EOD\n");
}

static int
chart_cmp(const void *x, const void *y, void *ctx)
{
	const struct an *a = ctx;
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;

	if (a->sym[i].nmarks != a->sym[j].nmarks)
		return a->sym[i].nmarks > a->sym[j].nmarks ? -1 : 1;
	return strcmp(sym_name(&a->syms, i), sym_name(&a->syms, j));
}

/* Symbols to chart: those with fills, the most filled first. */
static size_t
chart_syms(const struct an *a, uint32_t **out)
{
	uint32_t *ids = xmalloc((a->nsym ? a->nsym : 1) * sizeof(*ids)), t;
	size_t i, j, n = 0;

	for (i = 0; i < a->nsym; i++)
		if (a->sym[i].nmarks)
			ids[n++] = (uint32_t)i;
	/* insertion sort: few symbols */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && chart_cmp(&ids[j - 1], &ids[j],
		    (void *)(uintptr_t)a) > 0; j--) {
			t = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	*out = ids;
	return n < AN_MAX_CHART_SYMS ? n : AN_MAX_CHART_SYMS;
}

/* Instant t as seconds on the zone's wall clock, which gnuplot shows. */
static double
gp_time(struct an_clock *c, int64_t t)
{
	return ((double)t + (double)an_clock_offset(c, t)) / 1e9;
}

static void
gp_sym(struct buf *b, const struct an *a, struct an_clock *ck, uint32_t s,
    int i)
{
	const struct an_sym *y = &a->sym[s];
	size_t n = y->npts, j, nb = 0, ns = 0;
	double *t = xmalloc((n + y->nmarks + 1) * sizeof(*t) * 2);
	double *v = t + n + y->nmarks + 1;
	char name[32];

	for (j = 0; j < n; j++) {
		t[j] = gp_time(ck, y->pts[j].t);
		v[j] = (double)y->pts[j].price / AN_SCALE;
	}
	snprintf(name, sizeof(name), "p%d", i);
	gp_block(b, name, t, v, n);
	for (int buy = 1; buy >= 0; buy--) {
		size_t m = 0;

		for (j = 0; j < y->nmarks; j++)
			if (y->marks[j].buy == buy) {
				t[m] = gp_time(ck, y->marks[j].t);
				v[m++] = (double)y->marks[j].price / AN_SCALE;
			}
		snprintf(name, sizeof(name), "%c%d", buy ? 'b' : 's', i);
		if (m)
			gp_block(b, name, t, v, m);
		if (buy)
			nb = m;
		else
			ns = m;
	}
	free(t);
	buf_adds(b, "set title ");
	gp_str(b, sym_name(&a->syms, s));
	buf_addf(b, "\nplot $p%d using 1:2 with lines lc rgb '#555555' "
	    "notitle", i);
	if (nb)
		buf_addf(b, ", $b%d using 1:2 with points pt 9 ps 1.3 "
		    "lc rgb '#2ca02c' title 'buy'", i);
	if (ns)
		buf_addf(b, ", $s%d using 1:2 with points pt 11 ps 1.3 "
		    "lc rgb '#d62728' title 'sell'", i);
	buf_addc(b, '\n');
}

/*
 * The benchmark as the capital bought and held: the baseline at the run's
 * first event, then each of its prices seen up to the last.  Returns 1
 * if there is one ($bench), else 0.
 */
static int
gp_bench(struct buf *b, struct an *a, struct an_clock *ck)
{
	double *t, *v, cap = an_money_dbl(a->o.capital);
	size_t i, n = 0;

	if (!an_bench_name(a) || a->bench_first == AN_NONE)
		return 0;
	t = xmalloc((a->nbpts + 1) * 2 * sizeof(*t));
	v = t + a->nbpts + 1;
	t[n] = gp_time(ck, a->t_first);
	v[n++] = cap;
	for (i = 0; i < a->nbpts && a->bpts[i].t <= a->t_last; i++) {
		if (a->bpts[i].t < a->t_first)
			continue;
		t[n] = gp_time(ck, a->bpts[i].t);
		v[n++] = cap * (double)a->bpts[i].price /
		    (double)a->bench_first;
	}
	gp_block(b, "bench", t, v, n);
	free(t);
	return 1;
}

void
an_plot_script(struct an *a, struct buf *b, int svg)
{
	uint32_t *ids;
	size_t nsym = chart_syms(a, &ids), i, n = a->neq;
	double *t = xmalloc((n + 1) * sizeof(*t) * 3), *v = t + n + 1;
	double *dd = v + n + 1, peak = an_money_dbl(a->o.capital);
	int h = 260 * (int)(2 + nsym), neg, bench;
	uint64_t span;
	struct an_clock ck = AN_CLOCK_INIT(a->o.tz);
	struct buf label = BUF_INIT;

	if (svg)
		buf_addf(b, "set terminal svg size 1000,%d noenhanced "
		    "font 'sans,10' background rgb 'white'\n", h);
	else
		buf_addf(b, "set terminal pngcairo size 1000,%d noenhanced "
		    "font 'sans,9' background rgb 'white'\n", h);
	buf_adds(b, "set encoding utf8\nset grid\nset key top left\n"
	    "set xdata time\nset timefmt '%s'\n");
	span = an_t_span(a->t_first, a->t_last, &neg);
	buf_addf(b, "set format x '%s'\n", span > 300 * TM_NS_PER_DAY ?
	    "%Y-%m" : span > TM_NS_PER_DAY ? "%m-%d" : "%H:%M");
	if (a->t_last > a->t_first)
		buf_addf(b, "set xrange ['%.3f':'%.3f']\n",
		    gp_time(&ck, a->t_first), gp_time(&ck, a->t_last));
	buf_addf(&label, "time, %s", an_tz_name(a->o.tz));
	buf_adds(b, "set xlabel ");
	gp_str(b, buf_cstr(&label));
	buf_addc(b, '\n');
	buf_release(&label);
	buf_addf(b, "set multiplot layout %zu,1\n", 2 + nsym);
	for (i = 0; i < n; i++) {
		t[i] = gp_time(&ck, a->eq[i].t);
		v[i] = an_money_dbl(a->eq[i].eq);
		if (v[i] > peak)
			peak = v[i];
		dd[i] = peak > 0 ? (v[i] - peak) / peak * 100 : 0;
	}
	if (n == 0) {
		/* nothing to draw: a flat line at the capital */
		t[0] = gp_time(&ck, a->t_first);
		v[0] = an_money_dbl(a->o.capital);
		dd[0] = 0;
		n = 1;
	}
	gp_block(b, "eq", t, v, n);
	gp_block(b, "dd", t, dd, n);
	free(t);
	bench = gp_bench(b, a, &ck);
	buf_adds(b, "set title 'equity (cash + positions marked to market)'\n"
	    "plot $eq using 1:2 with lines lw 1.5 lc rgb '#1f77b4' ");
	if (bench) {
		buf_adds(b, "title 'equity', $bench using 1:2 with steps "
		    "lc rgb '#7f7f7f' title ");
		buf_reset(&label);
		buf_addf(&label, "%s bought and held", an_bench_name(a));
		gp_str(b, buf_cstr(&label));
		buf_release(&label);
		buf_addc(b, '\n');
	} else {
		buf_adds(b, "notitle\n");
	}
	buf_adds(b, "set title 'drawdown (% of the peak)'\n"
	    "plot $dd using 1:2 with filledcurves y1=0 "
	    "lc rgb '#d62728' fs transparent solid 0.4 notitle, "
	    "$dd using 1:2 with lines lc rgb '#d62728' notitle\n");
	for (i = 0; i < nsym; i++)
		gp_sym(b, a, &ck, ids[i], (int)i);
	free(ids);
	buf_adds(b, "unset multiplot\n");
}

int
an_gnuplot(const struct buf *script, int fd, const char **err)
{
	posix_spawn_file_actions_t fa;
	struct sigaction ign, old;
	char arg0[] = "gnuplot";
	char *argv[] = { arg0, NULL };
	const char *p = script->p;
	size_t left = script->len;
	ssize_t w;
	pid_t pid;
	int fds[2], rc, status;
	FILE *msgs;

	/*
	 * gnuplot's warnings ("empty y range" on a flat equity curve, say)
	 * are not ours to print: keep its stderr aside and show it only if
	 * gnuplot fails.
	 */
	if (!(msgs = tmpfile()))
		die("tmpfile:");
	if (pipe(fds) < 0)
		die("pipe:");
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	posix_spawn_file_actions_adddup2(&fa, fileno(msgs), 2);
	rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[0]);
	if (rc != 0) {
		close(fds[1]);
		fclose(msgs);
		snprintf(errbuf, sizeof(errbuf), rc == ENOENT ?
		    "gnuplot not found: install gnuplot to draw charts" :
		    "cannot run gnuplot: %s", strerror(rc));
		*err = errbuf;
		return -1;
	}
	/* gnuplot may die early: a closed pipe is its error, not ours */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	while (left > 0) {
		w = write(fds[1], p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		p += w;
		left -= (size_t)w;
	}
	close(fds[1]);
	sigaction(SIGPIPE, &old, NULL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid:");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || left > 0) {
		char line[256];
		int n = 0;

		/* its own words first, a few lines of them */
		rewind(msgs);
		while (n++ < 10 && fgets(line, sizeof(line), msgs)) {
			line[strcspn(line, "\n")] = '\0';
			warn("gnuplot: %s", line);
		}
		fclose(msgs);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			snprintf(errbuf, sizeof(errbuf), "gnuplot not found: "
			    "install gnuplot to draw charts");
		else
			snprintf(errbuf, sizeof(errbuf), "gnuplot failed "
			    "(status %d)", WIFEXITED(status) ?
			    WEXITSTATUS(status) : 128 + WTERMSIG(status));
		*err = errbuf;
		return -1;
	}
	fclose(msgs);
	return 0;
}
