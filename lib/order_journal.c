/*
 * order_journal.c: the journal file of liu-order alpaca (order_alp.h).
 * What the records say is order_alpaca.c's business; here: the file, its
 * lock, a torn last line, and the order of writes (the events first, then
 * the records, then fdatasync).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "ndjson.h"
#include "order_alp.h"
#include "util.h"
#include "banned.h"

int
jr_open(struct jr *j, const char *path, const char **why)
{
	char tmp[65536];
	ssize_t n;
	size_t keep;
	int e;

	memset(j, 0, sizeof(*j));
	j->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd < 0) {
		*why = "cannot open it";
		return -1;
	}
	if (flock(j->fd, LOCK_EX | LOCK_NB) < 0) {
		e = errno;
		*why = e == EWOULDBLOCK ? "in use by another liu-order" :
		    "cannot lock it";
		close(j->fd);
		errno = e;
		return -1;
	}
	while ((n = read(j->fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			*why = "cannot read it";
			close(j->fd);
			buf_release(&j->old);
			errno = e;
			return -1;
		}
		buf_add(&j->old, tmp, (size_t)n);
	}
	/* a crash in the middle of a record: drop what was cut short */
	keep = j->old.len;
	while (keep > 0 && j->old.p[keep - 1] != '\n')
		keep--;
	if (keep != j->old.len) {
		warn("%s: a last record cut short (%zu bytes) dropped", path,
		    j->old.len - keep);
		if (ftruncate(j->fd, (off_t)keep) < 0) {
			e = errno;
			*why = "cannot truncate its torn last record";
			close(j->fd);
			buf_release(&j->old);
			errno = e;
			return -1;
		}
		j->old.len = keep;
	}
	buf_cstr(&j->old);
	j->path = xstrdup(path);
	return 0;
}

void
jr_add(struct jr *j, const char *p, size_t len)
{
	buf_add(&j->pend, p, len);
	buf_addc(&j->pend, '\n');
}

void
jr_sync(struct jr *j)
{
	size_t off = 0;
	ssize_t n;

	if (j->pend.len == 0)
		return;
	if (nd_out_flush() < 0)
		die("write error:");
	while (off < j->pend.len) {
		n = write(j->fd, j->pend.p + off, j->pend.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die_code(LIU_EXIT_SYS, "journal %s: write error:",
			    j->path);
		off += (size_t)n;
	}
	if (fdatasync(j->fd) < 0)
		die_code(LIU_EXIT_SYS, "journal %s: fdatasync:", j->path);
	buf_reset(&j->pend);
	j->nsync++;
}

void
jr_close(struct jr *j)
{
	if (j->fd < 0 || !j->path)
		return;
	jr_sync(j);
	close(j->fd);
	j->fd = -1;
	free(j->path);
	j->path = NULL;
	buf_release(&j->old);
	buf_release(&j->pend);
}
