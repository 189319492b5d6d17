/*
 * buf.h: a growable byte buffer, always NUL-terminated after buf_cstr().
 * The buffer owns p; buf_release() frees it and leaves an empty buffer.
 */
#ifndef LIU_BUF_H
#define LIU_BUF_H

#include <stddef.h>
#include <string.h>

struct buf {
	char *p;
	size_t len;
	size_t cap;
};
#define BUF_INIT { NULL, 0, 0 }

/* Make room for 'extra' more bytes plus a NUL; dies on out of memory. */
void buf_grow(struct buf *b, size_t extra);
/* Append printf-style. */
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Free the storage; the buffer is empty and usable again. */
void buf_release(struct buf *b);
/* Add an integer in decimal. */
void buf_addi64(struct buf *b, long long v);

static inline void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->cap - b->len <= n)
		buf_grow(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static inline void
buf_addc(struct buf *b, int c)
{
	if (b->cap - b->len <= 1)
		buf_grow(b, 1);
	b->p[b->len++] = (char)c;
}

static inline void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static inline void
buf_reset(struct buf *b)
{
	b->len = 0;
}

/* The contents as a C string; valid until the next change. */
static inline const char *
buf_cstr(struct buf *b)
{
	if (b->cap - b->len < 1)
		buf_grow(b, 1);
	b->p[b->len] = '\0';
	return b->p;
}

#endif
