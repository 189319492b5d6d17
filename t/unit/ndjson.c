/*
 * Unit tests of the NDJSON reader in lib/ndjson.c: line splitting (CRLF,
 * empty lines, a last line without newline), line numbers across buffer
 * refills, over-long lines, and the bad-line policy (skip, --strict,
 * --max-bad) with its messages on stderr.  Input comes from temporary
 * files and from pipes fed by a child in chunks of chosen sizes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "buf.h"
#include "ndjson.h"
#include "proc.h"
#include "util.h"
#include "banned.h"

#define MIB (1024 * 1024)

/* One line as read: its number, length and first bytes. */
struct rec {
	uint64_t lineno;
	size_t len;
	char head[40];
};

struct run {
	struct rec *rec;
	size_t nrec, cap;
	int last;		/* nd_next's last return */
	uint64_t nlines;
	char err[4096];		/* what went to stderr */
};

static int saved_stderr = -1;
static FILE *errfile;

/* Send stderr to a temporary file until cap_end(). */
static void
cap_begin(void)
{
	fflush(stderr);
	errfile = tmpfile();
	if (!errfile) {
		perror("tmpfile");
		exit(3);
	}
	saved_stderr = dup(2);
	dup2(fileno(errfile), 2);
}

static void
cap_end(char *out, size_t cap)
{
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	rewind(errfile);
	n = fread(out, 1, cap - 1, errfile);
	out[n] = '\0';
	fclose(errfile);
}

static void
policy(int strict, uint64_t max_bad, size_t line_max)
{
	nd_policy.strict = strict;
	nd_policy.max_bad = max_bad;
	nd_policy.line_max = line_max;
	nd_nbad = 0;
	nd_stopped = 0;
}

/*
 * A descriptor that reads 'data': a temporary file (chunk 0) or a pipe fed
 * by a child in writes of 'chunk' bytes.
 */
static int
source(const char *data, size_t n, size_t chunk, pid_t *pid)
{
	char path[] = "/tmp/liu-unit-ndjson.XXXXXX";
	int fd, p[2];
	size_t off, k;
	ssize_t w;

	*pid = -1;
	if (chunk == 0) {
		if ((fd = mkstemp(path)) < 0) {
			perror("mkstemp");
			exit(3);
		}
		unlink(path);
		for (off = 0; off < n; off += (size_t)w)
			if ((w = write(fd, data + off, n - off)) < 0) {
				perror("write");
				exit(3);
			}
		lseek(fd, 0, SEEK_SET);
		return fd;
	}
	if (pipe(p) < 0) {
		perror("pipe");
		exit(3);
	}
	fflush(stdout);
	if ((*pid = fork()) < 0) {
		perror("fork");
		exit(3);
	}
	if (*pid == 0) {
		close(p[0]);
		for (off = 0; off < n; off += k) {
			k = n - off < chunk ? n - off : chunk;
			if (write(p[1], data + off, k) != (ssize_t)k)
				_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

/*
 * Read everything through nd_next().  Lines starting with "bad" are
 * reported with nd_bad(), as a program would.
 */
static void
run(struct run *res, const char *data, size_t n, size_t chunk)
{
	struct nd_reader rd;
	struct rec *rc;
	char *line;
	size_t len;
	pid_t pid;
	int fd, st;

	memset(res, 0, sizeof(*res));
	fd = source(data, n, chunk, &pid);
	nd_fdopen(&rd, fd, "in.ndjson");
	cap_begin();
	while ((res->last = nd_next(&rd, &line, &len)) == 1) {
		if (len >= 3 && memcmp(line, "bad", 3) == 0) {
			if (nd_bad(&rd, "bad event: %s", line) < 0)
				break;
			continue;
		}
		if (res->nrec == res->cap) {
			res->cap = res->cap ? res->cap * 2 : 16;
			res->rec = xrealloc(res->rec, res->cap *
			    sizeof(*res->rec));
		}
		rc = &res->rec[res->nrec++];
		rc->lineno = rd.lineno;
		rc->len = len;
		memset(rc->head, 0, sizeof(rc->head));
		memcpy(rc->head, line, len < sizeof(rc->head) - 1 ? len :
		    sizeof(rc->head) - 1);
		if (line[len] != '\0')
			rc->len = (size_t)-1;	/* not NUL-terminated */
	}
	cap_end(res->err, sizeof(res->err));
	res->nlines = rd.nlines;
	nd_close(&rd);
	close(fd);
	if (pid > 0)
		waitpid(pid, &st, 0);
}

/* "1:a 2:b 5:c": the lines as read, for comparing with is_str */
static const char *
show(const struct run *res)
{
	static struct buf b = BUF_INIT;
	size_t i;

	buf_reset(&b);
	for (i = 0; i < res->nrec; i++) {
		if (i)
			buf_addc(&b, ' ');
		if (res->rec[i].len > sizeof(res->rec[i].head) - 1)
			buf_addf(&b, "%llu:<%zu bytes>",
			    (unsigned long long)res->rec[i].lineno,
			    res->rec[i].len);
		else
			buf_addf(&b, "%llu:%s",
			    (unsigned long long)res->rec[i].lineno,
			    res->rec[i].head);
	}
	return buf_cstr(&b);
}

static const size_t chunks[] = { 0, 1, 3, 4096, 65536, 100003 };
#define NCHUNKS (sizeof(chunks) / sizeof(chunks[0]))

static const char *
how(size_t chunk)
{
	static char s[40];

	if (chunk == 0)
		return "file";
	snprintf(s, sizeof(s), "pipe/%zu", chunk);
	return s;
}

/* data read through every kind of source gives 'want' and 'err' */
static void
is_read(const char *data, size_t n, const char *want, const char *err,
    const char *name)
{
	struct run res;
	size_t i;

	for (i = 0; i < NCHUNKS; i++) {
		if (chunks[i] && chunks[i] < 4096 && n > 100000)
			continue;	/* too slow to be worth it */
		nd_nbad = 0;
		nd_stopped = 0;
		run(&res, data, n, chunks[i]);
		is_str(show(&res), want, "%s (%s)", name, how(chunks[i]));
		if (err)
			is_str(res.err, err, "%s (%s): stderr", name,
			    how(chunks[i]));
		free(res.rec);
	}
}

#define DATA(lit) lit, sizeof(lit) - 1

static void
test_lines(void)
{
	struct run res;

	policy(0, 0, LIU_LINE_MAX);
	is_read(DATA("a\nb\r\n\n\r\nc"), "1:a 2:b 5:c", "",
	    "CRLF, empty lines, last line without newline");
	is_read(DATA(""), "", "", "empty input");
	is_read(DATA("\n\n\r\n\n"), "", "", "only empty lines");
	is_read(DATA("x\r\r\n\r\ny\r"), "1:x\r 3:y",
	    "", "one CR is stripped, a lone CR line is empty");
	is_read(DATA("  \n\t\n \t\r\n x\n"), "4: x", "",
	    "lines of blanks are empty, leading blanks kept");
	is_read(DATA("{\"a\":1}\n{\"b\":2}\n"), "1:{\"a\":1} 2:{\"b\":2}", "",
	    "newline at the end");

	run(&res, DATA("a\0b\nc"), 0);
	ok(res.nrec == 2 && res.rec[0].len == 3 &&
	    memcmp(res.rec[0].head, "a\0b", 3) == 0 && res.rec[1].len == 1,
	    "a NUL byte inside a line is kept");
	is_int(res.nlines, 2, "nlines counts returned lines");
	is_int(res.last, 0, "nd_next returns 0 at EOF");
	free(res.rec);
}

static void
test_long(void)
{
	struct buf d = BUF_INIT;
	struct run res;
	char want[200];
	size_t i, k;

	/* a 3 MiB line with the default 1 MiB cap, then lines that count */
	policy(0, 0, LIU_LINE_MAX);
	buf_adds(&d, "{\"n\":1}\n");
	for (i = 0; i < 3 * MIB; i++)
		buf_addc(&d, 'x');
	buf_adds(&d, "\n{\"n\":3}\n\n{\"n\":5}");
	is_read(d.p, d.len, "1:{\"n\":1} 3:{\"n\":3} 5:{\"n\":5}",
	    "ndjson: in.ndjson:2: line too long (over 1048576 bytes)\n",
	    "3 MiB line");
	is_int(nd_nbad, 1, "the 3 MiB line counts as one bad line");

	/* the same with CRLF and as the last line, without newline */
	policy(0, 0, LIU_LINE_MAX);
	buf_reset(&d);
	buf_adds(&d, "ok\r\n");
	for (i = 0; i < 2 * MIB; i++)
		buf_addc(&d, 'y');
	is_read(d.p, d.len, "1:ok",
	    "ndjson: in.ndjson:2: line too long (over 1048576 bytes)\n",
	    "2 MiB last line without newline");

	/* two over-long lines in a row, then empty and good lines */
	policy(0, 0, LIU_LINE_MAX);
	buf_reset(&d);
	buf_adds(&d, "a\n");
	for (k = 0; k < 2; k++) {
		for (i = 0; i < 2 * MIB + 17; i++)
			buf_addc(&d, 'z');
		buf_adds(&d, "\r\n");
	}
	buf_adds(&d, "\nb\n");
	is_read(d.p, d.len, "1:a 5:b",
	    "ndjson: in.ndjson:2: line too long (over 1048576 bytes)\n"
	    "ndjson: in.ndjson:3: line too long (over 1048576 bytes)\n",
	    "two over-long lines");

	/* exactly line_max bytes is fine, one more is not */
	policy(0, 0, LIU_LINE_MAX);
	buf_reset(&d);
	for (i = 0; i < LIU_LINE_MAX; i++)
		buf_addc(&d, 'm');
	buf_adds(&d, "\n");
	for (i = 0; i < LIU_LINE_MAX; i++)
		buf_addc(&d, 'n');
	buf_adds(&d, "\r\n");
	for (i = 0; i <= LIU_LINE_MAX; i++)
		buf_addc(&d, 'o');
	buf_adds(&d, "\nend");
	snprintf(want, sizeof(want), "1:<%d bytes> 2:<%d bytes> 4:end",
	    LIU_LINE_MAX, LIU_LINE_MAX);
	is_read(d.p, d.len, want,
	    "ndjson: in.ndjson:3: line too long (over 1048576 bytes)\n",
	    "lines of exactly 1 MiB (LF and CRLF) pass, 1 MiB + 1 does not");

	/* a small cap, where the buffer is far larger than the line */
	policy(0, 0, 16);
	is_read(DATA("0123456789abcdef\n0123456789abcdefg\n"
	    "0123456789abcdef\r\n0123456789abcdefgh\r\nok"),
	    "1:0123456789abcdef 3:0123456789abcdef 5:ok",
	    "ndjson: in.ndjson:2: line too long (over 16 bytes)\n"
	    "ndjson: in.ndjson:4: line too long (over 16 bytes)\n",
	    "line_max 16");

	/* strict: an over-long line stops the input */
	policy(1, 0, 16);
	run(&res, DATA("good\n0123456789abcdefXYZ\nnever\n"), 0);
	is_str(show(&res), "1:good", "strict stops at an over-long line");
	ok(nd_stopped && res.last == 0, "nd_stopped is set, nd_next said 0");
	free(res.rec);

	/* strict: the same when the line overflows the buffer itself */
	policy(1, 0, LIU_LINE_MAX);
	buf_reset(&d);
	buf_adds(&d, "good\n");
	for (i = 0; i < 2 * MIB; i++)
		buf_addc(&d, 'w');
	buf_adds(&d, "\nnever\n");
	run(&res, d.p, d.len, 65536);
	is_str(show(&res), "1:good", "strict stops at a 2 MiB line (pipe)");
	is_str(res.err,
	    "ndjson: in.ndjson:2: line too long (over 1048576 bytes)\n",
	    "strict: the 2 MiB line is reported once");
	ok(nd_stopped && res.last == 0, "nd_stopped is set, nd_next said 0");
	free(res.rec);
	buf_release(&d);
}

static void
test_policy(void)
{
	static const char data[] = "1\nbad two\n3\n\nbad five\n6\nbad seven\n8";
	struct run res;

	/* the default: report, skip, go on */
	policy(0, 0, LIU_LINE_MAX);
	run(&res, DATA(data), 0);
	is_str(show(&res), "1:1 3:3 6:6 8:8", "skip: every good line read");
	is_str(res.err, "ndjson: in.ndjson:2: bad event: bad two\n"
	    "ndjson: in.ndjson:5: bad event: bad five\n"
	    "ndjson: in.ndjson:7: bad event: bad seven\n",
	    "skip: one message per bad line, PROG: SRC:LINE: ...");
	is_int(nd_nbad, 3, "skip: 3 bad lines counted");
	free(res.rec);
	cap_begin();
	is_int(nd_summary(), LIU_EXIT_DATA, "skip: nd_summary says 1");
	cap_end(res.err, sizeof(res.err));
	is_str(res.err, "ndjson: skipped 3 bad lines\n", "skip: summary");

	policy(0, 0, LIU_LINE_MAX);
	run(&res, DATA("bad\nok\n"), 0);
	free(res.rec);
	cap_begin();
	nd_summary();
	cap_end(res.err, sizeof(res.err));
	is_str(res.err, "ndjson: skipped 1 bad line\n", "summary, singular");

	policy(0, 0, LIU_LINE_MAX);
	run(&res, DATA("ok\n"), 0);
	free(res.rec);
	cap_begin();
	is_int(nd_summary(), 0, "no bad lines: nd_summary says 0");
	cap_end(res.err, sizeof(res.err));
	is_str(res.err, "", "no bad lines: no summary");

	/* --strict */
	policy(1, 0, LIU_LINE_MAX);
	run(&res, DATA(data), 0);
	is_str(show(&res), "1:1", "strict: stops at line 2");
	is_str(res.err, "ndjson: in.ndjson:2: bad event: bad two\n",
	    "strict: one message");
	ok(nd_stopped && nd_nbad == 1, "strict: nd_stopped");
	free(res.rec);
	cap_begin();
	is_int(nd_summary(), LIU_EXIT_DATA, "strict: nd_summary says 1");
	cap_end(res.err, sizeof(res.err));
	is_str(res.err, "ndjson: stopped at the first bad line (--strict)\n",
	    "strict: summary");

	/* --max-bad 2 */
	policy(0, 2, LIU_LINE_MAX);
	run(&res, DATA(data), 0);
	is_str(show(&res), "1:1 3:3", "max-bad 2: stops at line 5");
	is_str(res.err, "ndjson: in.ndjson:2: bad event: bad two\n"
	    "ndjson: in.ndjson:5: bad event: bad five\n",
	    "max-bad 2: two messages");
	free(res.rec);
	cap_begin();
	nd_summary();
	cap_end(res.err, sizeof(res.err));
	is_str(res.err, "ndjson: stopped after 2 bad lines (--max-bad)\n",
	    "max-bad: summary");

	/* nd_bad_at, and control bytes in messages */
	policy(0, 0, LIU_LINE_MAX);
	cap_begin();
	is_int(nd_bad_at("feed", 42, "bad event: %s", "a\tb\x1b[0m"), 0,
	    "nd_bad_at goes on by default");
	cap_end(res.err, sizeof(res.err));
	is_str(res.err, "ndjson: feed:42: bad event: a?b?[0m\n",
	    "nd_bad_at: SRC:LINE, control bytes as ?");
	policy(1, 0, LIU_LINE_MAX);
	cap_begin();
	is_int(nd_bad_at("feed", 7, "x"), -1, "nd_bad_at -1 when strict");
	cap_end(res.err, sizeof(res.err));
	policy(0, 0, LIU_LINE_MAX);
}

/* A million short lines: numbers survive every buffer refill. */
static void
test_many(void)
{
	struct buf d = BUF_INIT;
	struct nd_reader rd;
	uint64_t want;
	char *line;
	size_t len, ci;
	long c, prev;
	int fd, nbad, st;
	pid_t pid;

	policy(0, 0, LIU_LINE_MAX);
	for (c = 1; c <= 1000000; c++) {
		buf_addf(&d, "%ld\n", c);
		if (c % 1000 == 0)
			buf_addc(&d, '\n');	/* an empty line */
	}
	/* a file, a pipe in writes of 4093 bytes, and of 65536 */
	for (ci = 0; ci < NCHUNKS; ci += 2) {
		size_t chunk = chunks[ci] == 3 ? 4093 : chunks[ci];

		fd = source(d.p, d.len, chunk, &pid);
		nd_fdopen(&rd, fd, "many");
		nbad = 0;
		prev = 0;
		while (nd_next(&rd, &line, &len) == 1) {
			c = strtol(line, NULL, 10);
			want = (uint64_t)(c + (c - 1) / 1000);
			if ((c != prev + 1 || rd.lineno != want) && nbad++ < 5)
				printf("# line %s at %llu, want %llu\n", line,
				    (unsigned long long)rd.lineno,
				    (unsigned long long)want);
			prev = c;
		}
		ok(nbad == 0 && prev == 1000000 && rd.nlines == 1000000,
		    "1000000 lines and 1000 empty ones numbered right (%s)",
		    how(chunk));
		nd_close(&rd);
		close(fd);
		if (pid > 0)
			waitpid(pid, &st, 0);
	}
	buf_release(&d);
}

static void
test_open(void)
{
	struct nd_reader rd;
	char path[] = "/tmp/liu-unit-ndjson.XXXXXX";
	char *line;
	size_t len;
	int fd;

	errno = 0;
	ok(nd_open(&rd, "/nonexistent/liu/x.ndjson") == -1 &&
	    errno == ENOENT, "nd_open of a missing file: -1, ENOENT");
	ok(nd_open(&rd, "-") == 0 && rd.fd == 0 &&
	    strcmp(rd.name, "<stdin>") == 0, "nd_open - is <stdin>");
	nd_close(&rd);

	fd = mkstemp(path);
	if (write(fd, "l1\nl2\n", 6) != 6)
		perror("write");
	close(fd);
	ok(nd_open(&rd, path) == 0 && strcmp(rd.name, path) == 0 &&
	    rd.own_fd, "nd_open of a file names it");
	ok(nd_next(&rd, &line, &len) == 1 && strcmp(line, "l1") == 0 &&
	    nd_next(&rd, &line, &len) == 1 && strcmp(line, "l2") == 0 &&
	    nd_next(&rd, &line, &len) == 0, "reads the file");
	fd = rd.fd;
	nd_close(&rd);
	ok(fcntl(fd, F_GETFD) == -1 && errno == EBADF,
	    "nd_close closes what nd_open opened");
	unlink(path);
}

/* The non-blocking pair: nd_getline only returns whole lines. */
static void
test_getline(void)
{
	struct nd_reader rd;
	char *line;
	size_t len;
	int p[2];

	policy(0, 0, LIU_LINE_MAX);
	if (pipe(p) < 0)
		return;
	nd_fdopen(&rd, p[0], "pipe");
	is_int(nd_getline(&rd, &line, &len), 0, "nd_getline: nothing yet");
	if (write(p[1], "abc", 3) != 3)
		perror("write");
	ok(nd_fill(&rd) == 3 && nd_getline(&rd, &line, &len) == 0,
	    "nd_getline: no whole line yet");
	if (write(p[1], "d\nef\n", 5) != 5)
		perror("write");
	ok(nd_fill(&rd) == 5 && nd_getline(&rd, &line, &len) == 1 &&
	    strcmp(line, "abcd") == 0 && rd.lineno == 1,
	    "nd_getline: the line once its newline came");
	ok(nd_getline(&rd, &line, &len) == 1 && strcmp(line, "ef") == 0 &&
	    nd_getline(&rd, &line, &len) == 0, "nd_getline: the next one");
	if (write(p[1], "gh", 2) != 2)
		perror("write");
	close(p[1]);
	ok(nd_fill(&rd) == 2 && nd_getline(&rd, &line, &len) == 0 &&
	    nd_fill(&rd) == 0 && nd_getline(&rd, &line, &len) == 1 &&
	    strcmp(line, "gh") == 0 && rd.lineno == 3,
	    "nd_getline: the last line at EOF");
	is_int(nd_getline(&rd, &line, &len), 0, "nd_getline: then nothing");
	nd_close(&rd);
	close(p[0]);

	/* a stop signal ends nd_next before the next line */
	if (pipe(p) < 0)
		return;
	if (write(p[1], "a\nb\n", 4) != 4)
		perror("write");
	nd_fdopen(&rd, p[0], "pipe");
	ok(nd_next(&rd, &line, &len) == 1, "a line before the signal");
	liu_stop = SIGTERM;
	is_int(nd_next(&rd, &line, &len), 0, "nd_next returns 0 on liu_stop");
	liu_stop = 0;
	ok(nd_next(&rd, &line, &len) == 1 && strcmp(line, "b") == 0,
	    "the line is still there after");
	nd_close(&rd);
	close(p[0]);
	close(p[1]);
}

int
main(int argc, char *argv[])
{
	(void)argc;
	liu_init(argv[0]);
	liu_progname = "ndjson";	/* whatever the binary is called */
	test_lines();
	test_long();
	test_policy();
	test_many();
	test_open();
	test_getline();
	return done_testing();
}
