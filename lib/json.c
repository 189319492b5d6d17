/*
 * json.c: JSON reading (a validating one-pass tokenizer) and JSON writing
 * (numbers: json_add_num() in json.h, by numfmt.c).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"
#include "banned.h"

static const double pow10tab[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

int
json_utf8_check(const unsigned char *s, size_t n)
{
	size_t i = 0;
	unsigned c, need, cp, min;

	while (i < n) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07, min = 0x10000;
		else
			return -1;
		if (n - i <= need)
			return -1;
		for (i++; need > 0; need--, i++) {
			if ((s[i] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
	}
	return 0;
}

static int
hex4(const char *p, unsigned *v)
{
	unsigned x = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		x <<= 4;
		if (c >= '0' && c <= '9')
			x |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			x |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*v = x;
	return 0;
}

/*
 * Decode the escapes of s[0..n) into out (if not NULL), checking them:
 * returns 0, or -1 for a bad escape or a lone surrogate.
 */
static int
unescape(const char *s, size_t n, struct buf *out)
{
	size_t i = 0, run;
	unsigned cp, lo;
	char u[4];

	while (i < n) {
		const char *bs = memchr(s + i, '\\', n - i);

		run = bs ? (size_t)(bs - (s + i)) : n - i;
		if (out)
			buf_add(out, s + i, run);
		i += run;
		if (i >= n)
			break;
		if (++i >= n)
			return -1;
		switch (s[i++]) {
		case '"': cp = '"'; break;
		case '\\': cp = '\\'; break;
		case '/': cp = '/'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			if (n - i < 4 || hex4(s + i, &cp))
				return -1;
			i += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return -1;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (n - i < 6 || s[i] != '\\' ||
				    s[i + 1] != 'u' || hex4(s + i + 2, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff)
					return -1;
				i += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			break;
		default:
			return -1;
		}
		if (!out)
			continue;
		if (cp < 0x80) {
			buf_addc(out, (int)cp);
		} else if (cp < 0x800) {
			u[0] = (char)(0xc0 | cp >> 6);
			u[1] = (char)(0x80 | (cp & 0x3f));
			buf_add(out, u, 2);
		} else if (cp < 0x10000) {
			u[0] = (char)(0xe0 | cp >> 12);
			u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
			u[2] = (char)(0x80 | (cp & 0x3f));
			buf_add(out, u, 3);
		} else {
			u[0] = (char)(0xf0 | cp >> 18);
			u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
			u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
			u[3] = (char)(0x80 | (cp & 0x3f));
			buf_add(out, u, 4);
		}
	}
	return 0;
}

/* The JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
check_number(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i >= n)
		return -1;
	if (s[i] == '0')
		i++;
	else if (s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return -1;
	if (i < n && s[i] == '.') {
		if (++i >= n || s[i] < '0' || s[i] > '9')
			return -1;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return -1;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == n ? 0 : -1;
}

/*
 * One pass over the line: tokens in document order, each container's and
 * key's "next" set when it closes, strings and numbers validated as they
 * are scanned.  An explicit stack bounds the nesting, so no input can
 * exhaust the C stack.
 */
#define JSON_MAXDEPTH 512

static inline int
newtok(struct json *j, enum json_kind kind, int start)
{
	struct json_tok *t;

	if (j->ntok == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 64;
		j->tok = xrealloc(j->tok, (size_t)j->cap * sizeof(*j->tok));
	}
	t = &j->tok[j->ntok];
	t->kind = kind;
	t->start = t->end = start;
	t->size = 0;
	t->next = j->ntok + 1;
	t->esc = 0;
	return j->ntok++;
}

/* Bytes a string may hold as they are: printable ASCII but '"' and '\\'. */
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
const unsigned char json_plain[256] = {
	R16(0), R16(0),
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x20: '"' */
	R16(1), R16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,	/* 0x50: '\\' */
	R16(1), R16(1),
	R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0)
};
/* Bytes a number may be made of (the grammar is checked after). */
static const unsigned char numch[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['-'] = 1, ['+'] = 1,
	['.'] = 1, ['e'] = 1, ['E'] = 1
};

/* SWAR: a byte of w is zero where has_zero() has its high bit set. */
#define ONES 0x0101010101010101ULL
static inline uint64_t
has_zero(uint64_t w)
{
	return (w - ONES) & ~w & (0x80 * ONES);
}

/* The index of w's lowest set bit (w != 0); bytes are little-endian. */
static inline int
ctz64(uint64_t w)
{
	return __builtin_ctzll(w);
}

/* Scan a string from just after its opening quote; returns its end. */
static const char *
scan_string(const char *p, const char *end, int *esc, const char **err)
{
	const unsigned char *u;
	unsigned c;
	int need;

	*esc = 0;
	for (;;) {
		/* eight bytes at a time while none is special (SWAR) */
		while (end - p >= 8) {
			uint64_t w, t;

			memcpy(&w, p, 8);
			t = has_zero(w ^ (0x22 * ONES)) |	/* '"' */
			    has_zero(w ^ (0x5c * ONES)) |	/* '\\' */
			    ((w - 0x20 * ONES) & ~w) |		/* < 0x20 */
			    w;					/* >= 0x80 */
			t &= 0x80 * ONES;
			if (t) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				/*
				 * the first byte's flag is exact (a borrow
				 * runs to later bytes only): go straight there
				 */
				p += ctz64(t) >> 3;
				goto special;
#else
				break;
#endif
			}
			p += 8;
		}
		while (p < end && json_plain[(unsigned char)*p])
			p++;
special:
		if (p >= end) {
			*err = "truncated JSON";
			return NULL;
		}
		c = (unsigned char)*p;
		if (c == '"')
			return p;
		if (c < 0x20) {
			*err = "control character in string";
			return NULL;
		}
		if (c == '\\') {
			*esc = 1;
			if (p + 1 >= end) {
				*err = "truncated JSON";
				return NULL;
			}
			if (p[1] == 'u') {
				unsigned x;

				if (end - p < 6 || hex4(p + 2, &x)) {
					*err = "bad escape in string";
					return NULL;
				}
				p += 6;
			} else if (strchr("\"\\/bfnrt", p[1]) && p[1]) {
				p += 2;
			} else {
				*err = "bad escape in string";
				return NULL;
			}
			continue;
		}
		/* a multi-byte UTF-8 sequence */
		u = (const unsigned char *)p;
		need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (end - p < need || json_utf8_check(u, (size_t)need)) {
			*err = "invalid UTF-8";
			return NULL;
		}
		p += need;
	}
}

/* true, false or null at p: its end with *kind, or NULL. */
static inline const char *
scan_literal(const char *p, const char *end, enum json_kind *kind)
{
	const char *q = p;

	while (q < end && *q >= 'a' && *q <= 'z')
		q++;
	if (q - p == 4 && memcmp(p, "true", 4) == 0)
		*kind = JSON_TRUE;
	else if (q - p == 5 && memcmp(p, "false", 5) == 0)
		*kind = JSON_FALSE;
	else if (q - p == 4 && memcmp(p, "null", 4) == 0)
		*kind = JSON_NULL;
	else
		return NULL;
	return q;
}

#define BLANK(c) ((c) == ' ' || (c) == '\t' || (c) == '\r' || \
	((c) == '\n' && frame))

/*
 * frame: the value may be an array too, and '\n' is a blank like ' ' (a
 * WebSocket frame, not a line).  Inlined into both callers, so the line's
 * parse pays nothing for it.
 */
static inline __attribute__((always_inline)) int
parse(struct json *j, const char *s, size_t len, const char **err, int frame)
{
	const char *p = s, *end = s + len, *q;
	int stack[JSON_MAXDEPTH], depth = 0, t, want_key, esc;
	enum json_kind kind;

	j->s = s;
	j->ntok = 0;
	while (p < end && BLANK(*p))
		p++;
	if (p >= end) {
		*err = "empty line";
		return -1;
	}
	if (*p != '{' && !(frame && *p == '[')) {
		*err = frame ? "not a JSON array or object" :
		    "not a JSON object";
		return -1;
	}
	want_key = 0;
	for (;;) {
		/* a value (or, in an object, a key) at p */
		while (p < end && BLANK(*p))
			p++;
		if (p >= end)
			goto truncated;
		if (want_key && *p != '"') {
			*err = "malformed JSON object";
			return -1;
		}
		switch (*p) {
		case '{':
		case '[':
			if (depth >= JSON_MAXDEPTH) {
				*err = "JSON nested too deep";
				return -1;
			}
			t = newtok(j, *p == '{' ? JSON_OBJ : JSON_ARR,
			    (int)(p - s));
			stack[depth++] = t;
			p++;
			while (p < end && BLANK(*p))
				p++;
			if (p < end && (*p == '}' || *p == ']')) {
				if ((*p == '}') != (j->tok[t].kind == JSON_OBJ))
					goto malformed;
				p++;
				depth--;
				j->tok[t].end = (int)(p - s);
				j->tok[t].next = j->ntok;
				break;
			}
			want_key = j->tok[t].kind == JSON_OBJ;
			if (want_key)
				j->tok[t].size++;
			continue;
		case '"':
			/* a short plain string (a key, a symbol) at once */
			q = p + 1;
			while (q < end && q - p <= 8 &&
			    json_plain[(unsigned char)*q])
				q++;
			esc = 0;
			if ((q >= end || *q != '"') &&
			    !(q = scan_string(q, end, &esc, err)))
				return -1;
			t = newtok(j, JSON_STR, (int)(p + 1 - s));
			j->tok[t].end = (int)(q - s);
			j->tok[t].esc = esc;
			p = q + 1;
			if (esc && unescape(s + j->tok[t].start,
			    (size_t)(q - s - j->tok[t].start), NULL)) {
				*err = "bad escape in string";
				return -1;
			}
			if (want_key) {
				while (p < end && BLANK(*p))
					p++;
				if (p >= end || *p != ':')
					goto malformed;
				p++;
				j->tok[t].size = 1;
				/* the key holds its value */
				if (depth == JSON_MAXDEPTH) {
					*err = "JSON nested too deep";
					return -1;
				}
				stack[depth++] = t;
				want_key = 0;
				continue;
			}
			break;
		case 't':
		case 'f':
		case 'n':
			if (!(q = scan_literal(p, end, &kind)))
				goto badvalue;
			t = newtok(j, kind, (int)(p - s));
			j->tok[t].end = (int)(q - s);
			p = q;
			break;
		default:
			if (!(q = json_num_end(p, end)))
				goto badvalue;
			t = newtok(j, JSON_NUM, (int)(p - s));
			j->tok[t].end = (int)(q - s);
			p = q;
			break;
		}
		/* a value is complete: close what it completes */
		for (;;) {
			if (depth == 0)
				goto done;
			t = stack[depth - 1];
			if (j->tok[t].kind == JSON_STR) {
				/* a key: its value is done */
				j->tok[t].next = j->ntok;
				depth--;
				continue;
			}
			while (p < end && BLANK(*p))
				p++;
			if (p >= end)
				goto truncated;
			if (*p == ',') {
				p++;
				j->tok[t].size++;
				want_key = j->tok[t].kind == JSON_OBJ;
				break;
			}
			if ((*p == '}' && j->tok[t].kind == JSON_OBJ) ||
			    (*p == ']' && j->tok[t].kind == JSON_ARR)) {
				p++;
				if (j->tok[t].kind == JSON_ARR)
					j->tok[t].size++;
				j->tok[t].end = (int)(p - s);
				j->tok[t].next = j->ntok;
				depth--;
				continue;
			}
			goto malformed;
		}
	}
done:
	while (p < end && BLANK(*p))
		p++;
	if (p < end) {
		*err = frame ? "trailing data after the JSON value" :
		    "trailing data after the JSON object";
		return -1;
	}
	return 0;
truncated:
	*err = "truncated JSON";
	return -1;
badvalue:
	*err = "malformed JSON value";
	return -1;
malformed:
	*err = "malformed JSON";
	return -1;
}

#undef BLANK

int
json_parse(struct json *j, const char *s, size_t len, const char **err)
{
	return parse(j, s, len, err, 0);
}

int
json_parse_frame(struct json *j, const char *s, size_t len, const char **err)
{
	return parse(j, s, len, err, 1);
}

/*
 * The usual frame, read without the general machinery: an array of flat
 * objects, no blank anywhere, every string printable ASCII without an
 * escape, every value a string, a number, true, false, null or an array
 * of those.  The tokens are exactly those json_parse_frame() would make
 * (t/unit/json.c compares them); anything else returns 0 and is left to
 * json_parse_frame(), errors included.
 */

/* A plain string at p (its opening quote): its token, or -1. */
static inline int
flat_str(struct json *j, const char **pp, const char *end)
{
	const char *p = *pp + 1, *q = p;
	int t;

	while (q < end && json_plain[(unsigned char)*q])
		q++;
	if (q >= end || *q != '"')
		return -1;
	t = newtok(j, JSON_STR, (int)(p - j->s));
	j->tok[t].end = (int)(q - j->s);
	*pp = q + 1;
	return t;
}

/* A string, number or literal at *pp: 0 with its token made, or -1. */
static inline int
flat_scalar(struct json *j, const char **pp, const char *end)
{
	const char *p = *pp, *q;
	enum json_kind kind = JSON_NUM;
	int t;

	if (*p == '"')
		return flat_str(j, pp, end) < 0 ? -1 : 0;
	q = *p == 't' || *p == 'f' || *p == 'n' ? scan_literal(p, end, &kind) :
	    json_num_end(p, end);
	if (!q)
		return -1;
	t = newtok(j, kind, (int)(p - j->s));
	j->tok[t].end = (int)(q - j->s);
	*pp = q;
	return 0;
}

/*
 * After a member or an element: 1 for ',' (another follows), 0 for the
 * container's closing byte, -1 for anything else; *pp past it.
 */
static inline int
flat_next(const char **pp, const char *end, char close)
{
	const char *p = *pp;

	if (p >= end || (*p != ',' && *p != close))
		return -1;
	*pp = p + 1;
	return *p == ',';
}

/* Container t closes just before p. */
static inline void
flat_close(struct json *j, int t, const char *p)
{
	j->tok[t].end = (int)(p - j->s);
	j->tok[t].next = j->ntok;
}

/* A member's value at *pp: a scalar or an array of them. */
static inline int
flat_value(struct json *j, const char **pp, const char *end)
{
	const char *p = *pp;
	int a, more = 1;

	if (*p != '[')
		return flat_scalar(j, pp, end);
	a = newtok(j, JSON_ARR, (int)(p - j->s));
	p++;
	if (p < end && *p == ']')
		p++, more = 0;
	while (more) {
		if (p >= end || *p == '[' || flat_scalar(j, &p, end) < 0 ||
		    (more = flat_next(&p, end, ']')) < 0)
			return -1;
		j->tok[a].size++;
	}
	flat_close(j, a, p);
	*pp = p;
	return 0;
}

int
json_parse_flat(struct json *j, const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	int arr, obj, key, more = 1, member;

	j->s = s;
	j->ntok = 0;
	if (len < 4 || s[0] != '[' || s[1] != '{')
		return 0;
	arr = newtok(j, JSON_ARR, 0);
	p++;
	while (more) {
		if (p >= end || *p != '{')
			return 0;
		obj = newtok(j, JSON_OBJ, (int)(p - s));
		p++;
		for (member = 1; member; ) {
			if (p >= end || *p != '"' ||
			    (key = flat_str(j, &p, end)) < 0 ||
			    p >= end || *p != ':')
				return 0;
			j->tok[key].size = 1;
			p++;
			if (p >= end || flat_value(j, &p, end) < 0 ||
			    (member = flat_next(&p, end, '}')) < 0)
				return 0;
			j->tok[key].next = j->ntok;
			j->tok[obj].size++;
		}
		flat_close(j, obj, p);
		j->tok[arr].size++;
		if ((more = flat_next(&p, end, ']')) < 0)
			return 0;
	}
	flat_close(j, arr, p);
	return p == end;
}

void
json_release(struct json *j)
{
	free(j->tok);
	j->tok = NULL;
	j->ntok = j->cap = 0;
}

int
json_eq(const struct json *j, int i, const char *s)
{
	size_t n = strlen(s);
	const struct json_tok *t = &j->tok[i];

	return t->kind == JSON_STR && (size_t)(t->end - t->start) == n &&
	    memcmp(j->s + t->start, s, n) == 0;
}

int
json_get(const struct json *j, const char *key)
{
	int i;

	for (i = 1; i < j->ntok; i = j->tok[i + 1].next)
		if (json_eq(j, i, key))
			return i + 1;
	return -1;
}

int
json_member(const struct json *j, int obj, const char *key)
{
	int k, end;

	if (obj < 0 || obj >= j->ntok || j->tok[obj].kind != JSON_OBJ)
		return -1;
	end = j->tok[obj].next;
	for (k = obj + 1; k < end; k = j->tok[k].next)
		if (json_eq(j, k, key))
			return j->tok[k + 1].kind == JSON_NULL ? -1 : k + 1;
	return -1;
}

int
json_find(const struct json *j, const char *key)
{
	const struct json_tok *t;
	struct buf d = BUF_INIT;
	size_t n = strlen(key), kn;
	int i, v = -1;

	for (i = 1; i < j->ntok; i = j->tok[i + 1].next) {
		t = &j->tok[i];
		kn = (size_t)(t->end - t->start);
		if (!t->esc) {
			if (kn == n && memcmp(j->s + t->start, key, n) == 0)
				v = i + 1;
			continue;
		}
		/* decoding never makes a key longer */
		if (kn < n)
			continue;
		buf_reset(&d);
		if (unescape(j->s + t->start, kn, &d) == 0 && d.len == n &&
		    memcmp(d.p, key, n) == 0)
			v = i + 1;
	}
	buf_release(&d);
	return v;
}

int
json_str(const struct json *j, int i, struct buf *out)
{
	const struct json_tok *t;

	if (i < 0 || i >= j->ntok || j->tok[i].kind != JSON_STR)
		return -1;
	t = &j->tok[i];
	if (!t->esc)
		buf_add(out, j->s + t->start, (size_t)(t->end - t->start));
	else if (unescape(j->s + t->start, (size_t)(t->end - t->start), out))
		return -1;
	buf_cstr(out);
	return 0;
}

/* Parse a validated JSON number; fast and exact for up to 15 digits. */
static double
number(const char *s, size_t n)
{
	uint64_t m = 0;
	size_t i = 0;
	int neg = 0, nd = 0, frac = 0;
	char tmp[64];

	if (s[0] == '-')
		neg = 1, i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, nd++)
		m = m * 10 + (uint64_t)(s[i] - '0');
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, nd++,
		    frac++)
			m = m * 10 + (uint64_t)(s[i] - '0');
	if (i == n && nd <= 15) {
		double v = (double)m / pow10tab[frac];

		return neg ? -v : v;
	}
	if (n >= sizeof(tmp)) {
		char *big = xstrndup(s, n);
		double v = strtod(big, NULL);

		free(big);
		return v;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return strtod(tmp, NULL);
}

const char *
json_num_end(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && numch[(unsigned char)*q])
		q++;
	if (q == p || check_number(p, (size_t)(q - p)) < 0)
		return NULL;
	return q;
}

const char *
json_scan_num(const char *p, const char *end, double *v)
{
	const char *q = p;
	uint64_t m = 0;
	int nd = 0, frac = 0;

	/* the usual price or size, in one pass: number()'s exact case */
	q += q < end && *q == '-';
	if (q < end && *q == '0') {
		q++;
		nd++;
	} else {
		for (; q < end && (unsigned)(*q - '0') < 10; q++, nd++)
			m = m * 10 + (uint64_t)(*q - '0');
	}
	if (nd > 0 && q < end && *q == '.')
		for (q++; q < end && (unsigned)(*q - '0') < 10; q++, nd++,
		    frac++)
			m = m * 10 + (uint64_t)(*q - '0');
	if (nd > 0 && nd <= 15 && q[-1] != '.' && (q == end ||
	    !numch[(unsigned char)*q])) {
		*v = (double)m / pow10tab[frac];
		if (*p == '-')
			*v = -*v;
		return q;
	}
	/* anything else: the grammar, then number() */
	if ((q = json_num_end(p, end)) == NULL)
		return NULL;
	*v = number(p, (size_t)(q - p));
	return isfinite(*v) ? q : NULL;
}

int
json_num_canon(const struct json *j, int i, double *v)
{
	const struct json_tok *t;

	if (json_num(j, i, v) < 0)
		return -1;
	t = &j->tok[i];
	return json_num_plain(j->s + t->start, (size_t)(t->end - t->start));
}

int
json_num_plain(const char *s, size_t n)
{
	size_t k = s[0] == '-', i0, f0 = 0;

	/*
	 * -?(0|[1-9]d*)(.d*[1-9])? of up to 15 digits names one double, and
	 * is the writer's shortest fixed form for it when the magnitude is in
	 * its fixed-point range (numfmt.h: plain for 1e-4 <= |v| < 1e15).
	 */
	if (k >= n)
		return 0;
	for (i0 = k; k < n && s[k] >= '0' && s[k] <= '9'; k++)
		;
	if (k < n && s[k] == '.')
		for (f0 = ++k; k < n && s[k] >= '0' && s[k] <= '9'; k++)
			;
	if (k != n)
		return 0;		/* an exponent */
	if (!f0)		/* an integer below 10^15, not "-0" */
		return n - i0 <= 15 && !(s[i0] == '0' && i0);
	/* up to 15 digits and 9 decimals, no trailing zero, at least 1e-4 */
	return n - 1 - i0 <= 15 && n - f0 <= 9 && s[n - 1] != '0' &&
	    !(s[i0] == '0' && n - f0 >= 5 && memcmp(s + f0, "0000", 4) == 0);
}

int
json_num(const struct json *j, int i, double *v)
{
	const struct json_tok *t;

	if (i < 0 || i >= j->ntok || j->tok[i].kind != JSON_NUM)
		return -1;
	t = &j->tok[i];
	*v = number(j->s + t->start, (size_t)(t->end - t->start));
	return isfinite(*v) ? 0 : -1;
}

int
json_i64(const struct json *j, int i, int64_t min, int64_t max, int64_t *v)
{
	const struct json_tok *t;
	char tmp[24], *end;
	long long x;
	double d;
	size_t n;

	if (i < 0 || i >= j->ntok || j->tok[i].kind != JSON_NUM)
		return -1;
	t = &j->tok[i];
	n = (size_t)(t->end - t->start);
	if (n < sizeof(tmp) && !memchr(j->s + t->start, '.', n) &&
	    !memchr(j->s + t->start, 'e', n) &&
	    !memchr(j->s + t->start, 'E', n)) {
		/* an integer as written: exact, however large */
		memcpy(tmp, j->s + t->start, n);
		tmp[n] = '\0';
		errno = 0;
		x = strtoll(tmp, &end, 10);
		if (errno || *end || x < min || x > max)
			return -1;
		*v = x;
		return 0;
	}
	/* 1.0, 1e3: whole values within the exact range of doubles */
	if (json_num(j, i, &d) < 0 || d != floor(d) || fabs(d) > 9e15 ||
	    d < (double)min || d > (double)max)
		return -1;
	*v = (int64_t)d;
	return 0;
}

void
json_add_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	if (b->cap - b->len <= n + 2)
		buf_grow(b, n + 2);
	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_add(b, s + run, i - run);
		run = i + 1;
		buf_addc(b, '\\');
		switch (c) {
		case '"': buf_addc(b, '"'); break;
		case '\\': buf_addc(b, '\\'); break;
		case '\n': buf_addc(b, 'n'); break;
		case '\r': buf_addc(b, 'r'); break;
		case '\t': buf_addc(b, 't'); break;
		case '\b': buf_addc(b, 'b'); break;
		case '\f': buf_addc(b, 'f'); break;
		default:
			buf_add(b, "u00", 3);
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
	buf_add(b, s + run, n - run);
	buf_addc(b, '"');
}
