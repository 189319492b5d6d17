/*
 * ta_filter.c: liu-ta's filter (see ta_filter.h).
 *
 * A bar is written as it came, byte for byte, with the indicator fields
 * appended before its closing brace.  A field of the bar that has the name
 * of one of our outputs (a second liu-ta, say) is dropped so that no key is
 * written twice.  Other events pass through unchanged.
 *
 * Speed matters (millions of bars a second), so a bar is read by the
 * quickest of three readers that accepts it: bar_canon() for the exact
 * layout liu writes, bar_fast() for any flat bar, ev_parse() for the rest;
 * the first two accept nothing the last would reject, and give the same
 * values.  The output line is built in one buffer, the indicator values
 * written by ind_add_fields() at --digits significant digits.
 *
 * An updated bar ("updated":true) for the time of the last bar of its
 * series replaces that bar: the indicators are taken back to what they
 * were before it and fed the updated bar instead.  Incremental indicators
 * cannot subtract a bar, and copying them before every bar would slow
 * every bar for the sake of a few, so each series saves its indicators
 * every TA_HIST bars (ind_save()) and keeps the bars fed since: taking the
 * last bar back is restoring the save and feeding the others again, at
 * most TA_HIST - 1 bars, which gives the same values, bit for bit.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event.h"
#include "evread.h"
#include "ind.h"
#include "json.h"
#include "ndjson.h"
#include "ta_filter.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

/* Bars a series keeps to take its last bar back (see the top). */
#define TA_HIST 32

/* The state of one symbol and timeframe: its indicators and last bar time. */
struct series {
	struct ind *ind;	/* nspec of them, owned */
	struct ind_saved *saved;	/* nspec: the indicators before
					   hist[0], owned */
	struct bar *hist;	/* the bars fed since, TA_HIST slots, owned */
	int nhist;		/* >= 1 once started */
	int64_t last_t;
	int started;
	uint64_t hash;		/* of the key */
	uint64_t symw, tfw;	/* key_word()s of the symbol and timeframe */
	char *key;		/* the symbol then the timeframe: kbuf, or
				   owned if they do not fit in it */
	size_t sym_len, tf_len;
	char kbuf[24];
};



/*
 * The fast reader.  Most bars are flat objects of plain ASCII keys, strings,
 * numbers and literals; this scanner reads such a line in one pass and
 * returns 1 with its fields, having checked everything json_parse() and
 * ev_parse() would (the JSON grammar, "ev" is "bar", the time, the required
 * fields and their types), with numbers converted exactly as json_num()
 * does.  Anything else -- an escape, a byte above 0x7e, a nested value, a
 * null, a repeated field, one of our output names, any error -- returns 0
 * and the line goes through ev_parse(), which decides and reports.
 *
 * The line is NUL-terminated (nd_next() does it) and no byte the grammar
 * accepts is a NUL, so the scanner needs no bounds checks: it stops at the
 * terminator as at any unexpected byte, and a NUL inside the line fails
 * the final test that the object ended at 'len'.
 */
struct fbar {
	int64_t t;
	double o, h, l, c, v, vw;
	const char *sym, *tf;
	size_t sym_len, tf_len;
	size_t close;		/* offset of the closing brace */
	const char *end;	/* bytes before it may be read past sym and
				   tf, or NULL */
	int updated;		/* "updated":true */
};

/* The default timeframe, padded so that a word may be read from it. */
static const char tf_1m[8] = "1m";

enum { FK_EV = 1, FK_T = 2, FK_SYM = 4, FK_TF = 8, FK_O = 16, FK_H = 32,
	FK_L = 64, FK_C = 128, FK_V = 256, FK_VW = 512, FK_N = 1024,
	FK_SYNTH = 2048, FK_UPD = 4096 };
#define FK_NEED (FK_EV | FK_T | FK_SYM | FK_O | FK_H | FK_L | FK_C | FK_V)

static const double fpow10[23] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
	1e20, 1e21, 1e22 };


#define ISDIGIT(c) ((unsigned)((c) - '0') < 10)

/* JSON whitespace, as json_parse() takes it */
static inline const char *
skip_ws(const char *p)
{
	while ((unsigned char)*p <= ' ' &&
	    (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* A plain string's end (its closing quote) from just after its opening
 * quote, or NULL. */
static inline const char *
fstr(const char *p)
{
	while (json_plain[(unsigned char)*p])
		p++;
	return *p == '"' ? p : NULL;
}

/* A JSON number at p: its end with *v (finite), else NULL. */
static inline __attribute__((always_inline)) const char *
fnum(const char *p, double *v)
{
	const char *q = p, *d;
	uint64_t m = 0;
	int nd, frac = 0;

	q += *q == '-';
	d = q;
	if (*q == '0')
		q++;			/* no other digit may follow */
	else
		for (; ISDIGIT(*q); q++)
			m = m * 10 + (uint64_t)(*q - '0');
	if (q == d)
		return NULL;
	if (*q == '.') {
		d++;			/* the point is no digit */
		if (!ISDIGIT(*++q))
			return NULL;
		for (; ISDIGIT(*q); q++, frac++)
			m = m * 10 + (uint64_t)(*q - '0');
	}
	nd = (int)(q - d);
	if ((*q | 0x20) != 'e' && nd <= 15) {
		/* exact: m and 10^frac are, and the quotient is rounded */
		*v = frac ? (double)m / fpow10[frac] : (double)m;
		if (*p == '-')
			*v = -*v;
		return q;
	}
	if ((*q | 0x20) == 'e') {
		q++;
		q += *q == '+' || *q == '-';
		if (!ISDIGIT(*q))
			return NULL;
		while (ISDIGIT(*q))
			q++;
	}
	if (q - p >= 64)
		return NULL;		/* json.c clips these: let it decide */
	*v = strtod(p, NULL);		/* stops at the token's end */
	return isfinite(*v) ? q : NULL;
}

/* 1 if the key is the name of one of our outputs. */
static int
ours_key(const struct ta *ta, const char *k, size_t kl)
{
	int f;

	for (f = 0; f < ta->nfield; f++)
		if (ta->field[f].len == kl + 4 &&
		    memcmp(ta->field[f].lit + 2, k, kl) == 0)
			return 1;
	return 0;
}

static int
bar_fast(struct ta *ta, const char *line, size_t len, struct fbar *fb)
{
	const char *p = line, *ks, *vs = NULL, *q;
	size_t kl, vl = 0;
	unsigned seen = 0, bit;
	int kind, truth = 0;
	double x = 0;

	p = skip_ws(p);
	if (*p++ != '{')
		return 0;
	fb->vw = NAN;
	fb->updated = 0;
	for (;;) {
		p = skip_ws(p);
		if (*p++ != '"' || (q = fstr(p)) == NULL)
			return 0;
		ks = p;
		kl = (size_t)(q - p);
		p = skip_ws(q + 1);
		if (*p++ != ':')
			return 0;
		p = skip_ws(p);
		/* the value: 's'tring, 'n'umber, 'b'oolean */
		if (*p == '"') {
			vs = ++p;
			if ((q = fstr(p)) == NULL)
				return 0;
			vl = (size_t)(q - p);
			p = q + 1;
			kind = 's';
		} else if (*p == '-' || ISDIGIT(*p)) {
			if ((p = fnum(p, &x)) == NULL)
				return 0;
			kind = 'n';
		} else if (p[0] == 't' && p[1] == 'r' && p[2] == 'u' &&
		    p[3] == 'e') {
			/* byte by byte: never past the terminator */
			p += 4;
			kind = 'b';
			truth = 1;
		} else if (p[0] == 'f' && p[1] == 'a' && p[2] == 'l' &&
		    p[3] == 's' && p[4] == 'e') {
			p += 5;
			kind = 'b';
			truth = 0;
		} else
			return 0;
		/* the key */
		bit = 0;
		if (kl == 1) {
			switch (*ks) {
			case 't': bit = FK_T; break;
			case 'o': bit = FK_O; fb->o = x; break;
			case 'h': bit = FK_H; fb->h = x; break;
			case 'l': bit = FK_L; fb->l = x; break;
			case 'c': bit = FK_C; fb->c = x; break;
			case 'v': bit = FK_V; fb->v = x; break;
			case 'n': bit = FK_N; break;
			}
		} else if (kl == 2 && ks[0] == 'e' && ks[1] == 'v') {
			bit = FK_EV;	/* ev_head() read ev, t and sym */
		} else if (kl == 2 && ks[0] == 't' && ks[1] == 'f') {
			bit = FK_TF;
			fb->tf = vs;
			fb->tf_len = vl;
		} else if (kl == 2 && ks[0] == 'v' && ks[1] == 'w') {
			bit = FK_VW;
			fb->vw = x;
		} else if (kl == 3 && memcmp(ks, "sym", 3) == 0) {
			bit = FK_SYM;
			fb->sym = vs;
			fb->sym_len = vl;
		} else if (kl == 9 && memcmp(ks, "synthetic", 9) == 0) {
			bit = FK_SYNTH;
			if (kind != 'b')
				return 0;
		} else if (kl == 7 && memcmp(ks, "updated", 7) == 0) {
			/* true or false; any other value: ev_parse() */
			bit = FK_UPD;
			if (kind != 'b')
				return 0;
			fb->updated = truth;
		} else if (ours_key(ta, ks, kl))
			return 0;	/* unknown is fine, ours is not */
		if (bit) {
			if (seen & bit)
				return 0;
			seen |= bit;
			if (bit & (FK_EV | FK_T | FK_SYM | FK_TF)) {
				if (kind != 's')
					return 0;
			} else if (bit != FK_SYNTH && bit != FK_UPD &&
			    kind != 'n')
				return 0;
		}
		p = skip_ws(p);
		if (*p == '}')
			break;
		if (*p++ != ',')
			return 0;
	}
	fb->close = (size_t)(p - line);
	p = skip_ws(p + 1);
	if ((size_t)(p - line) != len || (seen & FK_NEED) != FK_NEED)
		return 0;
	if (!(seen & FK_TF)) {
		fb->tf = tf_1m;
		fb->tf_len = 2;
	}
	fb->t = ta->head.ns;
	fb->end = line + len;
	return 1;
}

static inline __attribute__((always_inline)) uint64_t
load8(const char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/*
 * Whether the bytes at p (before end) begin with the n (<= 24) bytes of
 * the literal s, which LIT() pads with NULs to 8 bytes at least: by words
 * that stay before end (the last one may overlap the one before it), or
 * byte by byte when fewer than 8 bytes are left.  Inlined with a literal,
 * the words of s and the masks are constants.
 */
static inline __attribute__((always_inline)) int
lit(const char *p, const char *end, const char *s, size_t n)
{
	static const char ones[] = "\377\377\377\377\377\377\377\377"
	    "\0\0\0\0\0\0\0";
	size_t i;

	if (n <= 8 && end - p >= 8)
		return ((load8(p) ^ load8(s)) & load8(ones + 8 - n)) == 0;
	if ((size_t)(end - p) < n)
		return 0;
	if (n > 8 && n <= 16)
		return load8(p) == load8(s) &&
		    load8(p + n - 8) == load8(s + n - 8);
	if (n > 16 && n <= 24)
		return load8(p) == load8(s) && load8(p + 8) == load8(s + 8) &&
		    load8(p + n - 8) == load8(s + n - 8);
	for (i = 0; i < n; i++)
		if (p[i] != s[i])
			return 0;
	return 1;
}
#define LIT(p, end, s) lit((p), (end), s "\0\0\0\0\0\0\0", sizeof(s) - 1)

/*
 * The fastest reader: a bar exactly as liu writes one (ev_format(), liu-stream
 * synth and replay), with no blanks, its fields in the schema's order
 * ("ev", "t", "sym", "tf", "o", "h", "l", "c", "v", "vw", "n",
 * "synthetic") and nothing else.  Every part is checked as bar_fast()
 * checks it; any other line returns 0 and goes to bar_fast().
 */
static int
bar_canon(struct ta *ta, const char *line, size_t len, struct fbar *fb)
{
	const struct ev_head *hd = &ta->head;
	const char *p, *end = line + len, *q;
	double n;

	/* ev_head() read '{"ev":"bar","t":"T","sym":"S"' */
	if (!hd->body || !hd->sym)
		return 0;
	fb->t = hd->ns;
	fb->sym = hd->sym;
	fb->sym_len = hd->sym_len;
	p = line + hd->body;
	if (LIT(p, end, ",\"tf\":\"")) {
		if ((q = fstr(p + 7)) == NULL)
			return 0;
		fb->tf = p + 7;
		fb->tf_len = (size_t)(q - fb->tf);
		p = q + 1;
	} else {
		fb->tf = tf_1m;
		fb->tf_len = 2;
	}
	if (!LIT(p, end, ",\"o\":") || (p = fnum(p + 5, &fb->o)) == NULL ||
	    !LIT(p, end, ",\"h\":") || (p = fnum(p + 5, &fb->h)) == NULL ||
	    !LIT(p, end, ",\"l\":") || (p = fnum(p + 5, &fb->l)) == NULL ||
	    !LIT(p, end, ",\"c\":") || (p = fnum(p + 5, &fb->c)) == NULL ||
	    !LIT(p, end, ",\"v\":") || (p = fnum(p + 5, &fb->v)) == NULL)
		return 0;
	fb->vw = NAN;
	if (LIT(p, end, ",\"vw\":") && (p = fnum(p + 6, &fb->vw)) == NULL)
		return 0;
	if (LIT(p, end, ",\"n\":") && (p = fnum(p + 5, &n)) == NULL)
		return 0;
	if (LIT(p, end, ",\"synthetic\":true"))
		p += 17;
	else if (LIT(p, end, ",\"synthetic\":false"))
		p += 18;
	if (*p != '}' || p + 1 != end)
		return 0;
	fb->close = (size_t)(p - line);
	fb->end = end;
	fb->updated = 0;
	return 1;
}

/* A bar's fields by the fastest path that can read it: 1, else 0. */
static int
bar_parse(struct ta *ta, const char *line, size_t len, struct fbar *fb)
{
	return bar_canon(ta, line, len, fb) || bar_fast(ta, line, len, fb);
}

/*
 * The first min(n, 8) bytes of s as a word, the first in the low byte: by
 * one load when 8 bytes at s may be read (before end), else byte by byte.
 */
static inline uint64_t
key_word(const char *s, size_t n, const char *end)
{
	uint64_t w = 0;
	size_t i;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (end != NULL && end - s >= 8) {
		memcpy(&w, s, 8);
		return n >= 8 ? w : w & ((1ULL << 8 * n) - 1);
	}
#endif
	for (i = 0; i < n && i < 8; i++)
		w |= (uint64_t)(unsigned char)s[i] << 8 * i;
	return w;
}

/*
 * The hash of a key from its words and lengths (the bytes past the first
 * eight, rare, are mixed in too).
 */
static uint64_t
key_hash(const struct fbar *fb, uint64_t symw, uint64_t tfw)
{
	uint64_t h;
	size_t i;

	h = (symw ^ fb->sym_len << 59) * 0x9e3779b97f4a7c15ULL;
	h ^= (tfw ^ fb->tf_len << 59) * 0xc2b2ae3d27d4eb4fULL;
	for (i = 8; i < fb->sym_len; i++)
		h = (h ^ (unsigned char)fb->sym[i]) * 1099511628211ULL;
	for (i = 8; i < fb->tf_len; i++)
		h = (h ^ (unsigned char)fb->tf[i]) * 1099511628211ULL;
	return h ^ h >> 31;
}

static int
key_eq(const struct series *s, const struct fbar *fb, uint64_t symw,
    uint64_t tfw)
{
	if (s->symw != symw || s->tfw != tfw || s->sym_len != fb->sym_len ||
	    s->tf_len != fb->tf_len)
		return 0;
	return (fb->sym_len <= 8 || memcmp(s->key + 8, fb->sym + 8,
	    fb->sym_len - 8) == 0) && (fb->tf_len <= 8 ||
	    memcmp(s->key + fb->sym_len + 8, fb->tf + 8, fb->tf_len - 8) == 0);
}

/* Double the hash table and put every series back in it. */
static void
slots_grow(struct ta *ta)
{
	size_t k, i, mask;

	free(ta->slot);
	ta->nslot = ta->nslot ? 2 * ta->nslot : 1024;
	ta->slot = xcalloc(ta->nslot, sizeof(*ta->slot));
	mask = ta->nslot - 1;
	for (k = 0; k < ta->nseries; k++) {
		for (i = ta->series[k].hash & mask; ta->slot[i];
		    i = (i + 1) & mask)
			;
		ta->slot[i] = (uint32_t)k + 1;
	}
}

/* The series of the bar's symbol and timeframe, made if new. */
static struct series *
series_get(struct ta *ta, const struct fbar *fb)
{
	struct series *s;
	uint64_t h, symw, tfw;
	size_t i, mask = ta->nslot - 1, klen;
	int k;

	symw = key_word(fb->sym, fb->sym_len, fb->end);
	tfw = key_word(fb->tf, fb->tf_len, fb->tf == tf_1m ? fb->tf + 8 :
	    fb->end);
	h = key_hash(fb, symw, tfw);
	for (i = h & mask; ta->slot[i]; i = (i + 1) & mask) {
		s = &ta->series[ta->slot[i] - 1];
		if (s->hash == h && key_eq(s, fb, symw, tfw))
			return s;
	}
	if (ta->nseries == ta->cap) {
		ta->cap = ta->cap ? 2 * ta->cap : 64;
		ta->series = xrealloc(ta->series, ta->cap * sizeof(*s));
		for (k = 0; (size_t)k < ta->nseries; k++)
			if (ta->series[k].key != NULL &&
			    ta->series[k].sym_len + ta->series[k].tf_len <=
			    sizeof(ta->series[k].kbuf))
				ta->series[k].key = ta->series[k].kbuf;
	}
	s = &ta->series[ta->nseries];
	ta->slot[i] = (uint32_t)++ta->nseries;
	s->hash = h;
	s->symw = symw;
	s->tfw = tfw;
	s->sym_len = fb->sym_len;
	s->tf_len = fb->tf_len;
	klen = fb->sym_len + fb->tf_len;
	s->key = klen <= sizeof(s->kbuf) ? s->kbuf : xmalloc(klen);
	memcpy(s->key, fb->sym, fb->sym_len);
	memcpy(s->key + fb->sym_len, fb->tf, fb->tf_len);
	s->ind = xcalloc((size_t)ta->nspec, sizeof(*s->ind));
	s->saved = xcalloc((size_t)ta->nspec, sizeof(*s->saved));
	for (k = 0; k < ta->nspec; k++) {
		ind_init(&s->ind[k], &ta->spec[k]);
		ind_save(&s->ind[k], &s->saved[k]);
	}
	s->hist = xmalloc(TA_HIST * sizeof(*s->hist));
	s->nhist = 0;
	s->last_t = 0;
	s->started = 0;
	if (2 * ta->nseries >= ta->nslot)
		slots_grow(ta);
	return s;
}

/* Why a bar cannot be used, or NULL. */
static const char *
fbar_check(const struct fbar *b)
{
	if (!(b->o > 0 && b->h > 0 && b->l > 0 && b->c > 0))
		return "bar price not positive";
	if (!(b->v >= 0))
		return "bar volume negative";
	if (!(b->l <= b->h && b->l <= b->o && b->o <= b->h &&
	    b->l <= b->c && b->c <= b->h))
		return "bar open or close outside its low-high range";
	if (!isnan(b->vw) && !(b->vw > 0))
		return "bar vw not positive";
	return NULL;
}

/* 1 if the key token i of the bar is the name of one of our outputs. */
static int
ours(const struct ta *ta, const struct ev *e, int i)
{
	const struct json_tok *k = &e->j.tok[i];
	size_t n = (size_t)(k->end - k->start);
	int s, o;

	for (s = 0; s < ta->nspec; s++)
		for (o = 0; o < ta->spec[s].nout; o++)
			if (strlen(ta->spec[s].name[o]) == n &&
			    memcmp(ta->spec[s].name[o], e->line + k->start,
			    n) == 0)
				return 1;
	return 0;
}

/*
 * Copy the bar's members to ta->out without its closing brace, leaving out
 * unknown members that have the name of one of our outputs.
 */
static void
copy_bar(struct ta *ta, const struct ev *e)
{
	const struct json_tok *k, *v;
	const char *p = e->line;
	size_t end = e->len;
	int i, m, first = 1, q;

	if (e->extra == 0 && !e->nextra_overflow) {
		while (end > 0 && p[end - 1] != '}')
			end--;
		buf_add(&ta->out, p, end - 1);
		return;
	}
	buf_addc(&ta->out, '{');
	for (i = 1, m = 0; i < e->j.ntok; i = e->j.tok[i + 1].next, m++) {
		if ((m >= 64 || e->extra & (1ULL << m)) && ours(ta, e, i))
			continue;
		k = &e->j.tok[i];
		v = &e->j.tok[i + 1];
		q = v->kind == JSON_STR;
		if (!first)
			buf_addc(&ta->out, ',');
		first = 0;
		buf_add(&ta->out, p + k->start - 1,
		    (size_t)(v->end + q - (k->start - 1)));
	}
}

/*
 * Take the last bar of series s back: its indicators as they were before
 * it, from the save and the bars since.
 */
static void
series_back(const struct ta *ta, struct series *s)
{
	int i, k;

	for (i = 0; i < ta->nspec; i++) {
		ind_restore(&s->ind[i], &s->saved[i]);
		for (k = 0; k + 1 < s->nhist; k++)
			ind_update_bar(&s->ind[i], &s->hist[k]);
	}
	s->nhist--;
}

/*
 * Update the indicators of the bar's series and emit the bar: 'e' is the
 * parsed event when the bar came through ev_parse(), else NULL and the
 * fast path's bytes are used.  A bad bar is reported and dropped; an
 * updated bar replaces the last one, or is written as it came when it is
 * older.
 */
static void
ta_bar(struct ta *ta, struct nd_reader *rd, const struct fbar *fb,
    const char *line, size_t len, const struct ev *e)
{
	struct series *s;
	struct bar *b;
	struct buf *out;
	const char *why;
	int i;

	if ((why = fbar_check(fb)) != NULL) {
		nd_bad(rd, "%s", why);
		return;
	}
	s = series_get(ta, fb);
	if (s->started && fb->t <= s->last_t) {
		if (!fb->updated) {
			nd_bad(rd, "bar time not after the previous %.*s "
			    "%.*s bar", (int)fb->sym_len, fb->sym,
			    (int)fb->tf_len, fb->tf);
			return;
		}
		if (fb->t < s->last_t) {
			/* too old to take back: on as it came */
			nd_emit(line, len);
			ta->nstale++;
			return;
		}
		series_back(ta, s);
		ta->nreplaced++;
	}
	s->started = 1;
	s->last_t = fb->t;
	if (s->nhist == TA_HIST) {
		for (i = 0; i < ta->nspec; i++)
			ind_save(&s->ind[i], &s->saved[i]);
		s->nhist = 0;
	}
	b = &s->hist[s->nhist++];
	b->t = fb->t;
	b->o = fb->o;
	b->h = fb->h;
	b->l = fb->l;
	b->c = fb->c;
	b->v = fb->v;
	b->vw = fb->vw;
	b->n = NAN;
	for (i = 0; i < ta->nspec; i++)
		ind_update_bar(&s->ind[i], b);
	/* the bar without its '}', then the fields, in one buffer */
	out = &ta->out;
	buf_reset(out);
	if (e)
		copy_bar(ta, e);
	else
		buf_add(out, line, fb->close);
	ind_add_fields(out, s->ind, ta->field, ta->nfield, ta->digits);
	buf_addc(out, '}');
	nd_emit(out->p, out->len);
	ta->nbars++;
}

/* The fields of a bar that came through ev_parse(). */
static void
ev_to_fbar(const struct ev *e, struct fbar *fb)
{
	fb->t = e->t;
	fb->o = e->o;
	fb->h = e->h;
	fb->l = e->l;
	fb->c = e->c;
	fb->v = e->v;
	fb->vw = e->vw;
	fb->sym = e->sym;
	fb->sym_len = strlen(e->sym);
	fb->tf = e->tf;
	fb->tf_len = strlen(e->tf);
	fb->end = NULL;
	fb->close = 0;
	fb->updated = ev_flag(e, "updated");
}

/*
 * One input line: a bar gets its fields, any other event passes, a bad
 * line is reported.  Returns 0, or -1 when the bad-line policy says stop.
 */
int
ta_line(struct ta *ta, struct nd_reader *rd, struct ev *e, const char *line,
    size_t len)
{
	struct fbar fb;
	const char *err;

	/*
	 * The header by the one scanner, up to its end only: the fast
	 * readers read every member after it and take a second "ev", "t" or
	 * "sym" for a line they leave to ev_parse(), which checks it all.
	 */
	if (ev_head(&ta->head, line, len, EV_HEAD_PREFIX, &err) < 0)
		return nd_bad_event(rd, err);
	if (ta->head.type == EV_BAR && ta->head.raw &&
	    bar_parse(ta, line, len, &fb)) {
		ta_bar(ta, rd, &fb, line, len, NULL);
		return 0;
	}
	if (ev_parse(e, line, len, &err) < 0)
		return nd_bad_event(rd, err);
	if (e->type == EV_BAR) {
		ev_to_fbar(e, &fb);
		ta_bar(ta, rd, &fb, line, len, e);
	} else if (ev_pass_once(e)) {
		nd_emit(line, len);
	}
	return 0;
}

/*
 * Parse the SPEC arguments and name their fields (usage errors exit 2), and
 * set up the series table.
 */
void
ta_specs(struct ta *ta, int argc, char *argv[])
{
	const char *err;
	int i;

	ta->nspec = argc;
	ta->spec = xcalloc((size_t)argc, sizeof(*ta->spec));
	for (i = 0; i < argc; i++)
		if (ind_spec_parse(argv[i], &ta->spec[i], &err) < 0)
			die_code(LIU_EXIT_USAGE, "invalid indicator '%.*s': %s "
			    "(see liu-ta(1))", LIU_ECHO_MAX, argv[i], err);
	if (ind_spec_names(ta->spec, ta->nspec, &err) < 0)
		die_code(LIU_EXIT_USAGE, "invalid indicators: %s", err);
	ta->field = xcalloc((size_t)argc * IND_MAXOUT, sizeof(*ta->field));
	ta->nfield = ind_fields(ta->spec, ta->nspec, ta->field);
	slots_grow(ta);		/* the empty series table */
}

void
ta_release(struct ta *ta)
{
	struct series *s;
	size_t k;
	int i;

	for (k = 0; k < ta->nseries; k++) {
		s = &ta->series[k];
		for (i = 0; i < ta->nspec; i++) {
			ind_release(&s->ind[i]);
			ind_saved_release(&s->saved[i]);
		}
		free(s->ind);
		free(s->saved);
		free(s->hist);
		if (s->key != s->kbuf)
			free(s->key);
	}
	free(ta->series);
	free(ta->slot);
	free(ta->spec);
	free(ta->field);
	buf_release(&ta->out);
}

