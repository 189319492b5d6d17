/*
 * head.c: the header scanner (see head.h).
 *
 * Both paths gather what they find of "ev", "t" and "sym" into one struct
 * val each, and check() applies the rules to them: the rules live there
 * and nowhere else.  The fast path trusts nothing it has not seen: a line
 * that leaves its narrow layout at any byte goes to the general scan.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "json.h"
#include "tm.h"
#include "banned.h"

enum vkind { V_NONE, V_STR, V_NULL, V_OTHER };

/* One header member as found: its value's raw bytes (strings unquoted). */
struct val {
	enum vkind kind;
	const char *p;
	size_t n;
	int esc;
	int plain;		/* a name whose bytes fast() checked */
	int cached;		/* t: the last time string, matched by fast() */
};

/* Bytes that stand for themselves in a name: 0x21-0x7e but '"', '\\'. */
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
static const unsigned char namech[256] = {
	R16(0), R16(0),
	0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* ' ', '"' */
	R16(1), R16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,	/* '\\' */
	R16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,	/* DEL */
	R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0)
};
#undef R16

static inline uint64_t
load8(const char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/*
 * Whether the n (<= 8) bytes at p, with 8 readable, are those of s (padded
 * to 8 bytes); inlined, the words of s are constants.
 */
static inline int
eq8(const char *p, const char *s, size_t n)
{
	uint64_t m = n == 8 ? ~0ULL : (1ULL << 8 * n) - 1;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return ((load8(p) ^ load8(s)) & m) == 0;
#else
	(void)m;
	return memcmp(p, s, n) == 0;
#endif
}

/* Whether the n bytes at p and q are the same, by words when n >= 8. */
static inline int
same(const char *p, const char *q, size_t n)
{
	size_t i;

	if (n < 8) {
		for (i = 0; i < n; i++)
			if (p[i] != q[i])
				return 0;
		return 1;
	}
	for (i = 0; i + 8 < n; i += 8)
		if (load8(p + i) != load8(q + i))
			return 0;
	return load8(p + n - 8) == load8(q + n - 8);
}

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'))
		p++;
	return p;
}

/* From just after an opening quote: the closing quote, or NULL. */
static const char *
str_end(const char *p, const char *end, int *esc)
{
	for (; p < end; p++) {
		if (*p == '"')
			return p;
		if (*p == '\\') {
			*esc = 1;
			if (++p >= end)
				return NULL;
		} else if ((unsigned char)*p < 0x20) {
			return NULL;
		}
	}
	return NULL;
}

static int
hex4(const char *p, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		unsigned c = (unsigned char)p[i];

		if (c >= '0' && c <= '9')
			c -= '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			c = (c | 0x20) - 'a' + 10;
		else
			return -1;
		*v = *v << 4 | c;
	}
	return 0;
}

/*
 * Decode the string bytes [p, q) into out (cap bytes).  Returns the
 * length, or -1 if a character is not printable ASCII (0x20-0x7e, so a
 * control character, a \u0000 or any non-ASCII character), the escapes are
 * malformed, or it does not fit.
 */
static long
decode(const char *p, const char *q, char *out, size_t cap)
{
	size_t n = 0;
	unsigned c;

	while (p < q) {
		c = (unsigned char)*p++;
		if (c == '\\') {
			if (p >= q)
				return -1;
			switch (*p++) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'u':
				if (q - p < 4 || hex4(p, &c) < 0)
					return -1;
				p += 4;
				break;
			default:
				return -1;	/* \b \f \n \r \t: control */
			}
		}
		if (c < 0x20 || c > 0x7e || n >= cap)
			return -1;
		out[n++] = (char)c;
	}
	return (long)n;
}

enum ev_key
ev_head_key(const char *k, size_t n, int esc)
{
	char d[3];
	long dn;

	if (esc) {
		/* a name of three characters is at most 18 bytes escaped */
		if (n > 18 || (dn = decode(k, k + n, d, sizeof(d))) < 0)
			return EV_KEY_NONE;
		k = d;
		n = (size_t)dn;
	}
	if (n == 2 && k[0] == 'e' && k[1] == 'v')
		return EV_KEY_EV;
	if (n == 1 && k[0] == 't')
		return EV_KEY_T;
	if (n == 3 && k[0] == 's' && k[1] == 'y' && k[2] == 'm')
		return EV_KEY_SYM;
	return EV_KEY_NONE;
}

int
ev_head_owns(enum ev_type type, const char *k, size_t n, int esc)
{
	enum ev_key w = ev_head_key(k, n, esc);

	return w == EV_KEY_EV || w == EV_KEY_T ||
	    (w == EV_KEY_SYM && type != EV_CLOCK);
}

/* A name of 1 to max printable ASCII characters but the space. */
static int
name_ok(const char *s, size_t n, size_t max)
{
	size_t i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!namech[(unsigned char)s[i]] && s[i] != '"' &&
		    s[i] != '\\')
			return 0;
	return 1;
}

/*
 * tm_parse() with two caches: the last string whole, and its second (most
 * events share their second with the one before, so only the fraction is
 * new).
 */
static int
head_time(struct ev_head *h, const char *s, size_t n, int64_t *ns)
{
	int64_t frac = 0;
	size_t i = 19, nd = 0;

	if (n == h->tlast_len && same(s, h->tlast, n)) {
		*ns = h->tlast_ns;
		return 0;
	}
	if (n < 20 || n > 30 || s[n - 1] != 'Z') {
		if (tm_parse(s, n, ns) < 0)
			return -1;
		h->tlast_len = 0;
		return 0;
	}
	if (s[i] == '.')
		for (i++; i < n - 1 && s[i] >= '0' && s[i] <= '9'; i++, nd++)
			frac = frac * 10 + (s[i] - '0');
	if (i != n - 1 || nd > 9 || (s[19] == '.' && nd == 0)) {
		h->tlast_len = 0;
		return tm_parse(s, n, ns);
	}
	for (; nd < 9; nd++)
		frac *= 10;
	if (h->tsec_ok && memcmp(s, h->tlast, 19) == 0)
		*ns = h->tsec + frac;
	else if (tm_parse(s, n, ns) < 0)
		return -1;
	memcpy(h->tlast, s, n);
	h->tlast_len = n;
	h->tlast_ns = *ns;
	h->tsec = *ns - frac;
	h->tsec_ok = 1;
	return 0;
}

static enum ev_type
type_of(const char *s, size_t n)
{
	enum ev_type t;

	/* one candidate by length and first letter, then one compare */
	switch (n) {
	case 3: t = s[0] == 'b' ? EV_BAR : EV_OTHER; break;
	case 4: t = s[0] == 'p' ? EV_PICK : s[0] == 'd' ? EV_DROP :
	    s[0] == 'f' ? EV_FILL : EV_OTHER; break;
	case 5: t = s[0] == 't' ? EV_TRADE : s[0] == 'q' ? EV_QUOTE :
	    s[0] == 'o' ? EV_ORDER : s[0] == 'c' ? EV_CLOCK : EV_OTHER; break;
	case 6: t = s[0] == 'c' ? EV_CANCEL : EV_OTHER; break;
	case 8: t = s[0] == 'p' ? EV_POSITION : EV_OTHER; break;
	case 12: t = EV_ORDER_UPDATE; break;
	default: return EV_OTHER;
	}
	if (t == EV_OTHER || !same(s, ev_type_name(t), n))
		return EV_OTHER;
	return t;
}

/* Types whose events must name their symbol. */
#define B(t) (1u << (t))
static const unsigned need_sym = B(EV_TRADE) | B(EV_QUOTE) | B(EV_BAR) |
    B(EV_PICK) | B(EV_DROP) | B(EV_ORDER) | B(EV_FILL) | B(EV_CANCEL) |
    B(EV_POSITION);

/*
 * The name a string member holds, decoded into buf (max bytes) when it has
 * escapes, and checked: 1 to max printable ASCII characters but the blank.
 * Returns 0, or -1 for a bad name.
 */
static int
name_val(struct ev_head *h, const struct val *v, char *buf, size_t max,
    const char **p, size_t *n)
{
	long dn;

	*p = v->p;
	*n = v->n;
	if (v->esc) {
		if ((dn = decode(v->p, v->p + v->n, buf, max)) < 0)
			dn = 0;
		*p = buf;
		*n = (size_t)dn;
		h->raw = 0;
	}
	if (v->plain)		/* fast() checked its bytes */
		return *n == 0 || *n > max ? -1 : 0;
	return name_ok(*p, *n, max) ? 0 : -1;
}

/* The rules of the header, for both paths. */
static int
check(struct ev_head *h, const struct val *ev, const struct val *t,
    const struct val *sym, const char **err)
{
	char tb[40];
	long n;

	if (ev->kind == V_NONE)
		return *err = "missing \"ev\"", -1;
	if (ev->kind != V_STR)
		return *err = "\"ev\" is not a string", -1;
	if (name_val(h, ev, h->evbuf, EV_NAME_MAX, &h->ev, &h->ev_len) < 0)
		return *err = "bad \"ev\": not 1 to 64 printable ASCII "
		    "characters", -1;
	h->type = type_of(h->ev, h->ev_len);

	if (t->kind == V_NONE)
		return *err = "missing \"t\"", -1;
	h->t = t->p;
	h->t_len = t->n;
	if (t->kind != V_STR)
		return *err = "bad time in \"t\"", -1;
	if (t->esc) {
		if ((n = decode(t->p, t->p + t->n, tb, sizeof(tb))) < 0 ||
		    tm_parse(tb, (size_t)n, &h->ns) < 0)
			return *err = "bad time in \"t\"", -1;
	} else if (t->cached) {
		h->ns = h->tlast_ns;	/* fast() compared it already */
	} else if (head_time(h, t->p, t->n, &h->ns) < 0) {
		return *err = "bad time in \"t\"", -1;
	}

	h->sym = NULL;
	h->sym_len = 0;
	if (h->type == EV_CLOCK)
		return 0;	/* "sym" is an unknown member of a clock */
	if (sym->kind == V_NONE || sym->kind == V_NULL) {
		if (!(need_sym & B(h->type)))
			return 0;
		return *err = sym->kind == V_NONE ? "missing \"sym\"" :
		    "\"sym\" is null", -1;
	}
	if (sym->kind != V_STR)
		return *err = "\"sym\" is not a string", -1;
	if (name_val(h, sym, h->symbuf, EV_SYM_MAX, &h->sym, &h->sym_len) < 0)
		return *err = "bad \"sym\": not 1 to 32 printable ASCII "
		    "characters", -1;
	return 0;
}

/*
 * Whether the bytes [p, end) may hold a key that decodes to "ev", "t" or
 * "sym": one written plainly has its quotes around it, one written with
 * escapes has a backslash.
 */
static int
rest_clean(const char *p, const char *end)
{
	for (; p < end; p++) {
		if (*p == '\\')
			return 0;
		if (*p != '"' || end - p < 3)
			continue;
		if ((p[1] == 't' && p[2] == '"') || (end - p >= 4 &&
		    p[1] == 'e' && p[2] == 'v' && p[3] == '"') ||
		    (end - p >= 5 && p[1] == 's' && p[2] == 'y' &&
		    p[3] == 'm' && p[4] == '"'))
			return 0;
	}
	return 1;
}

/* From just after an opening quote, a plain name: its closing quote. */
static const char *
plain_end(const char *p, const char *end)
{
	while (p < end && namech[(unsigned char)*p])
		p++;
	return p < end && *p == '"' ? p : NULL;
}

/*
 * The usual layout: '{"ev":"E","t":"T"' and maybe ',"sym":"S"', plain.
 * Returns the offset after them, or 0 if the line is laid out otherwise.
 */
static size_t
fast(const struct ev_head *h, const char *line, size_t len, struct val *v)
{
	const char *p, *q, *end = line + len;

	if (len < 16 || end[-1] != '}' || !eq8(line, "{\"ev\":\"\0", 7))
		return 0;
	p = line + 7;
	if ((q = plain_end(p, end)) == NULL || end - q < 8 ||
	    !eq8(q, "\",\"t\":\"\0", 7))
		return 0;
	v[0].kind = V_STR;
	v[0].p = p;
	v[0].n = (size_t)(q - p);
	v[0].plain = 1;
	p = q + 7;
	/* most events have the time of the one before */
	if (h->tlast_len && (size_t)(end - p) > h->tlast_len &&
	    p[h->tlast_len] == '"' && same(p, h->tlast, h->tlast_len)) {
		p += h->tlast_len;
		v[1].cached = 1;
	} else
		while (p < end && *p != '"' && *p != '\\' &&
		    (unsigned char)*p >= 0x20)
			p++;
	if (p >= end || *p != '"')
		return 0;
	v[1].kind = V_STR;
	v[1].p = q + 7;
	v[1].n = (size_t)(p - v[1].p);
	p++;
	if (end - p > 8 && eq8(p, ",\"sym\":\"", 8)) {
		if ((q = plain_end(p + 8, end)) == NULL)
			return 0;
		v[2].kind = V_STR;
		v[2].p = p + 8;
		v[2].n = (size_t)(q - v[2].p);
		v[2].plain = 1;
		p = q + 1;
	}
	return *p == ',' || *p == '}' ? (size_t)(p - line) : 0;
}

/* Skip one value at p (not a string); returns its end, or NULL. */
static const char *
skip_value(const char *p, const char *end, enum vkind *kind)
{
	int depth = 0, esc;

	if (*p == '{' || *p == '[') {
		for (; p < end; p++) {
			if (*p == '"') {
				if ((p = str_end(p + 1, end, &esc)) == NULL)
					return NULL;
			} else if (*p == '{' || *p == '[') {
				depth++;
			} else if ((*p == '}' || *p == ']') && --depth == 0) {
				*kind = V_OTHER;
				return p + 1;
			}
		}
		return NULL;
	}
	*kind = end - p >= 4 && memcmp(p, "null", 4) == 0 ? V_NULL : V_OTHER;
	while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' &&
	    *p != '\t' && *p != '\r' && *p != '\n' && *p != '"')
		p++;
	return p;
}

/* Every member, in any layout. */
static int
general(const char *line, size_t len, struct val *v, const char **err)
{
	static const char *const repeated[4] = { "", "repeated \"ev\"",
		"repeated \"t\"", "repeated \"sym\"" };
	const char *p = line, *end = line + len, *k, *q;
	enum vkind kind;
	enum ev_key which;
	int esc, vesc;

	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return *err = "not a JSON object", -1;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}')
		goto close;
	for (;;) {
		if (p >= end || *p != '"')
			return *err = "malformed JSON", -1;
		k = p + 1;
		esc = 0;
		if ((q = str_end(k, end, &esc)) == NULL)
			return *err = "malformed JSON", -1;
		which = ev_head_key(k, (size_t)(q - k), esc);
		p = skip_ws(q + 1, end);
		if (p >= end || *p != ':')
			return *err = "malformed JSON", -1;
		p = skip_ws(p + 1, end);
		if (p >= end)
			return *err = "malformed JSON", -1;
		vesc = 0;
		if (*p == '"') {
			k = p + 1;
			if ((q = str_end(k, end, &vesc)) == NULL)
				return *err = "malformed JSON", -1;
			p = q + 1;
			kind = V_STR;
		} else {
			k = p;
			if ((q = skip_value(p, end, &kind)) == NULL ||
			    q == p)
				return *err = "malformed JSON", -1;
			p = q;
		}
		if (which) {
			if (v[which - 1].kind != V_NONE)
				return *err = repeated[which], -1;
			v[which - 1].kind = kind;
			v[which - 1].p = k;
			v[which - 1].n = (size_t)(q - k);
			v[which - 1].esc = vesc;
		}
		p = skip_ws(p, end);
		if (p < end && *p == '}')
			break;
		if (p >= end || *p != ',')
			return *err = "malformed JSON", -1;
		p = skip_ws(p + 1, end);
	}
close:
	p = skip_ws(p + 1, end);
	if (p != end)
		return *err = "malformed JSON", -1;
	return 0;
}

int
ev_head(struct ev_head *h, const char *line, size_t len, int flags,
    const char **err)
{
	struct val v[3];

	memset(v, 0, sizeof(v));
	h->type = EV_OTHER;
	h->raw = 1;
	h->body = fast(h, line, len, v);
	if (h->body && !(flags & EV_HEAD_PREFIX) &&
	    !rest_clean(line + h->body, line + len))
		h->body = 0;
	if (!h->body) {
		memset(v, 0, sizeof(v));
		if (general(line, len, v, err) < 0)
			return -1;
	}
	return check(h, &v[0], &v[1], &v[2], err);
}

int
ev_head_flat(const struct ev_head *h, const char *line, size_t len)
{
	const char *p, *k, *end = line + len;

	if (!h->body)
		return 0;
	for (p = line + h->body; p < end && *p == ','; ) {
		if (++p >= end || *p != '"')
			return 0;
		for (k = ++p; p < end && json_plain[(unsigned char)*p]; p++)
			;
		if (p + 1 >= end || *p != '"' || p[1] != ':' ||
		    ev_head_key(k, (size_t)(p - k), 0))
			return 0;
		p += 2;
		if (*p == '"') {
			for (p++; p < end && json_plain[(unsigned char)*p]; p++)
				;
			if (p >= end || *p != '"')
				return 0;
			p++;
		} else if (end - p >= 4 && (memcmp(p, "true", 4) == 0 ||
		    memcmp(p, "null", 4) == 0)) {
			p += 4;
		} else if (end - p >= 5 && memcmp(p, "false", 5) == 0) {
			p += 5;
		} else if ((p = json_num_end(p, end)) == NULL) {
			return 0;
		}
	}
	return p == end - 1 && *p == '}';
}
