/*
 * head.c: the header scanner (see head.h).
 *
 * Both paths gather what they find of "ev", "t" and "sym" into one struct
 * val each, and check() applies the rules to them: the rules live there
 * and nowhere else.  The fast path trusts nothing it has not seen: a line
 * that leaves its narrow layout at any byte goes to the general scan.
 */
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "tm.h"
#include "banned.h"

enum vkind { V_NONE, V_STR, V_NULL, V_OTHER };

/* One header member as found: its value's raw bytes (strings unquoted). */
struct val {
	enum vkind kind;
	const char *p;
	size_t n;
	int esc;
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

int
ev_head_key(const char *k, size_t n, int esc)
{
	char d[3];
	long dn;

	if (esc) {
		/* a name of three characters is at most 18 bytes escaped */
		if (n > 18 || (dn = decode(k, k + n, d, sizeof(d))) < 0)
			return 0;
		k = d;
		n = (size_t)dn;
	}
	if (n == 2 && k[0] == 'e' && k[1] == 'v')
		return 1;
	if (n == 1 && k[0] == 't')
		return 2;
	if (n == 3 && k[0] == 's' && k[1] == 'y' && k[2] == 'm')
		return 3;
	return 0;
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

	if (n == h->tlast_len && memcmp(s, h->tlast, n) == 0) {
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
	const char *nm;
	int i;

	for (i = 1; i < EV_NTYPES; i++) {
		nm = ev_type_name((enum ev_type)i);
		if (strlen(nm) == n && memcmp(nm, s, n) == 0)
			return (enum ev_type)i;
	}
	return EV_OTHER;
}

/* Types whose events must name their symbol. */
#define B(t) (1u << (t))
static const unsigned need_sym = B(EV_TRADE) | B(EV_QUOTE) | B(EV_BAR) |
    B(EV_PICK) | B(EV_DROP) | B(EV_ORDER) | B(EV_FILL);

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
	h->ev = ev->p;
	h->ev_len = ev->n;
	if (ev->esc) {
		if ((n = decode(ev->p, ev->p + ev->n, h->evbuf,
		    sizeof(h->evbuf))) < 0)
			n = 0;
		h->ev = h->evbuf;
		h->ev_len = (size_t)n;
		h->raw = 0;
	}
	if (!name_ok(h->ev, h->ev_len, EV_NAME_MAX))
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
	h->sym = sym->p;
	h->sym_len = sym->n;
	if (sym->esc) {
		if ((n = decode(sym->p, sym->p + sym->n, h->symbuf,
		    sizeof(h->symbuf))) < 0)
			n = 0;
		h->sym = h->symbuf;
		h->sym_len = (size_t)n;
		h->raw = 0;
	}
	if (!name_ok(h->sym, h->sym_len, EV_SYM_MAX))
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
fast(const char *line, size_t len, struct val *v)
{
	const char *p, *q, *end = line + len;

	if (len < 16 || end[-1] != '}' || memcmp(line, "{\"ev\":\"", 7) != 0)
		return 0;
	p = line + 7;
	if ((q = plain_end(p, end)) == NULL || end - q < 8 ||
	    memcmp(q, "\",\"t\":\"", 7) != 0)
		return 0;
	v[0].kind = V_STR;
	v[0].p = p;
	v[0].n = (size_t)(q - p);
	p = q + 7;
	while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
		p++;
	if (p >= end || *p != '"')
		return 0;
	v[1].kind = V_STR;
	v[1].p = q + 7;
	v[1].n = (size_t)(p - v[1].p);
	p++;
	if (end - p > 8 && memcmp(p, ",\"sym\":\"", 8) == 0) {
		if ((q = plain_end(p + 8, end)) == NULL)
			return 0;
		v[2].kind = V_STR;
		v[2].p = p + 8;
		v[2].n = (size_t)(q - v[2].p);
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
	int which, esc, vesc;

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
	h->body = fast(line, len, v);
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
