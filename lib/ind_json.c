/*
 * ind_json.c: indicator outputs as JSON fields, `,"NAME":VALUE` (see
 * ind.h).
 *
 * Values are numbers as numfmt.c writes them, at liu-ta's --digits or
 * shortest, and null during warm-up.  ind_add_fields() writes the fields
 * of many indicators in one pass: each name is copied a word at a time
 * from its ind_field, each value is read at its ind_out_offset(), and
 * numfmt's fast path is inlined (numfmt_inline.h) with the digits
 * constant for the default, since liu-ta writes ten or so fields a bar
 * and this is most of its work.
 *
 * Owns nothing; appends to the caller's buffer, dying on out of memory
 * only.
 */
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "ind.h"
#include "json.h"
#include "numfmt.h"
#include "numfmt_inline.h"
#include "banned.h"

void
ind_add_num(struct buf *b, double v, int digits)
{
	if (b->cap - b->len <= NUMFMT_MAX)
		buf_grow(b, NUMFMT_MAX);
	if (digits >= IND_DIGITS_EXACT)
		b->len += numfmt_shortest(b->p + b->len, v);
	else
		b->len += numfmt_digits(b->p + b->len, v, digits);
}

void
ind_add_json(const struct ind *in, struct buf *b, int digits)
{
	int i;

	for (i = 0; i < in->spec->nout; i++) {
		json_add_key(b, in->spec->name[i]);
		ind_add_num(b, ind_out(in, i), digits);
	}
}

/*
 * The fields' values at nd digits (shortest for IND_DIGITS_EXACT) to out,
 * which has room for (sizeof(lit) + NUMFMT_MAX) bytes a field; returns the
 * length.  Inlined with nd constant for the default.
 */
static inline __attribute__((always_inline)) size_t
put_fields(char *out, const struct ind *in, const struct ind_field *f,
    int nf, int nd)
{
	const struct ind *x;
	char *o = out;
	double v;
	int i;

	for (i = 0; i < nf; i++, f++) {
		/* whole words of the name: the value overwrites the rest */
		if (f->len <= 24)
			memcpy(o, f->lit, 24);
		else
			memcpy(o, f->lit, sizeof(f->lit));
		o += f->len;
		x = (const struct ind *)(const void *)((const char *)in +
		    f->at);
		if (!x->ready) {
			memcpy(o, "null", 4);
			o += 4;
			continue;
		}
		memcpy(&v, (const char *)x + f->off, sizeof(v));
		if (nd < 1 || nd > 15)
			o += nd >= IND_DIGITS_EXACT ? numfmt_shortest(o, v) :
			    numfmt_digits(o, v, nd);
		else
			o += numfmt_digits_inline(o, v, nd);
	}
	return (size_t)(o - out);
}

void
ind_add_fields(struct buf *b, const struct ind *in,
    const struct ind_field *f, int nf, int digits)
{
	size_t room = (size_t)nf * (sizeof(f->lit) + NUMFMT_MAX);

	if (b->cap - b->len <= room)
		buf_grow(b, room);
	/* three instances, one with digits constant, one known in 1..15 */
	if (digits == IND_DIGITS_DEFAULT)
		b->len += put_fields(b->p + b->len, in, f, nf,
		    IND_DIGITS_DEFAULT);
	else if (digits >= 1 && digits <= 15)
		b->len += put_fields(b->p + b->len, in, f, nf, digits);
	else
		b->len += put_fields(b->p + b->len, in, f, nf, digits);
}
