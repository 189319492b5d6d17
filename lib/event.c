/*
 * event.c: liu events to and from JSON lines.  One table says which field
 * belongs to which event types, its JSON kind, where it lives in struct ev
 * and whether it is required; parsing, checking and formatting all follow it.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

static const char *const type_names[EV_NTYPES] = {
	"", "trade", "quote", "bar", "pick", "drop", "order", "fill",
	"order_update", "clock", "cancel", "position"
};

static const char *const side_names[] = {
	"", "buy", "sell", "sell_short", "buy_to_cover"
};

enum fkind { F_NUM, F_STR, F_SIDE, F_BOOL, F_RAW };

#define B(t) (1u << (t))
#define MARKET (B(EV_TRADE) | B(EV_QUOTE) | B(EV_BAR))
#define ORDERS (B(EV_ORDER) | B(EV_FILL))
#define UPDATE B(EV_ORDER_UPDATE)
#define CANCEL B(EV_CANCEL)
#define POSITION B(EV_POSITION)
#define ALL (0xffffu & ~B(EV_OTHER))	/* unknown types: only ev and t */

struct field {
	const char *name;
	enum fkind kind;
	size_t off;		/* of the double, pointer, side or int */
	size_t lenoff;		/* F_RAW: of the length */
	unsigned types;		/* where the field is known */
	unsigned required;	/* where it must be present */
};

#define NUM(n, m, ty, rq) { n, F_NUM, offsetof(struct ev, m), 0, ty, rq }
#define STR(n, m, ty, rq) { n, F_STR, offsetof(struct ev, m), 0, ty, rq }
#define RAW(n, m, ty) { n, F_RAW, offsetof(struct ev, m), \
	offsetof(struct ev, m##_len), ty, 0 }

/* In output order; "ev" and "t" are handled apart. */
static const struct field fields[] = {
	STR("sym", sym, ALL & ~B(EV_CLOCK),
	    MARKET | B(EV_PICK) | B(EV_DROP) | ORDERS | CANCEL | POSITION),
	STR("id", id, ORDERS | UPDATE | CANCEL, ORDERS | UPDATE | CANCEL),
	STR("order_id", order_id, B(EV_FILL) | UPDATE, 0),
	STR("exec_id", exec_id, B(EV_FILL), 0),
	STR("status", status, UPDATE, UPDATE),
	{ "side", F_SIDE, offsetof(struct ev, side), 0, ORDERS, ORDERS },
	NUM("qty", qty, ORDERS | POSITION, ORDERS | POSITION),
	NUM("filled_qty", filled_qty, UPDATE, 0),
	STR("type", otype, B(EV_ORDER), 0),
	NUM("price", price, B(EV_TRADE) | B(EV_FILL), B(EV_TRADE) | B(EV_FILL)),
	NUM("avg_price", avg_price, POSITION, 0),
	NUM("size", size, B(EV_TRADE), B(EV_TRADE)),
	STR("x", x, B(EV_TRADE), 0),
	RAW("cond", cond, B(EV_TRADE)),
	STR("tape", tape, B(EV_TRADE), 0),
	NUM("bid", bid, B(EV_QUOTE), B(EV_QUOTE)),
	NUM("bid_size", bid_size, B(EV_QUOTE), 0),
	NUM("ask", ask, B(EV_QUOTE), B(EV_QUOTE)),
	NUM("ask_size", ask_size, B(EV_QUOTE), 0),
	STR("bx", bx, B(EV_QUOTE), 0),
	STR("ax", ax, B(EV_QUOTE), 0),
	STR("tf", tf, B(EV_BAR), 0),
	NUM("o", o, B(EV_BAR), B(EV_BAR)),
	NUM("h", h, B(EV_BAR), B(EV_BAR)),
	NUM("l", l, B(EV_BAR), B(EV_BAR)),
	NUM("c", c, B(EV_BAR), B(EV_BAR)),
	NUM("v", v, B(EV_BAR), B(EV_BAR)),
	NUM("vw", vw, B(EV_BAR), 0),
	NUM("n", n, B(EV_BAR), 0),
	STR("scanner", scanner, B(EV_PICK), 0),
	RAW("strategies", strategies, B(EV_PICK)),
	NUM("limit", limit, B(EV_ORDER), 0),
	NUM("stop", stop, B(EV_ORDER), 0),
	NUM("trail_price", trail_price, B(EV_ORDER), 0),
	NUM("trail_percent", trail_percent, B(EV_ORDER), 0),
	STR("tif", tif, B(EV_ORDER), 0),
	{ "extended_hours", F_BOOL, offsetof(struct ev, extended_hours), 0,
	    B(EV_ORDER), 0 },
	STR("horizon", horizon, B(EV_ORDER), 0),
	NUM("fee", fee, B(EV_FILL), 0),
	{ "partial", F_BOOL, offsetof(struct ev, partial), 0, B(EV_FILL), 0 },
	STR("strategy", strategy, B(EV_DROP) | ORDERS | UPDATE | CANCEL |
	    POSITION, 0),
	STR("batch", batch, ORDERS | UPDATE | CANCEL, 0),
	STR("parent", parent, ORDERS | UPDATE, 0),
	STR("portfolio", portfolio, POSITION, 0),
	{ "bracket", F_BOOL, offsetof(struct ev, bracket), 0, B(EV_ORDER),
	    0 },
	NUM("stop_loss", stop_loss, ORDERS | POSITION, 0),
	NUM("target", target, ORDERS | POSITION, 0),
	RAW("why", why, B(EV_DROP) | B(EV_ORDER) | UPDATE | CANCEL),
	{ "synthetic", F_BOOL, offsetof(struct ev, synthetic), 0,
	    ALL | B(EV_OTHER), 0 },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))
_Static_assert(NFIELDS <= EV_NFIELDS_MAX, "raise EV_NFIELDS_MAX");

/* key -> field: the fields of each name length, tried in turn */
#define FMAXLEN 15
#define NFIELDS_MAX EV_NFIELDS_MAX
#define FPERLEN 12
static signed char bylen[FMAXLEN][FPERLEN];
/* ',"name":' for each field, ready to copy */
static char keylit[NFIELDS_MAX][FMAXLEN + 5];
static unsigned char keylen[NFIELDS_MAX];
/* per type, its fields in output order and its required ones; -1 ends */
static signed char typefields[EV_NTYPES][NFIELDS_MAX + 1];
static signed char typereq[EV_NTYPES][NFIELDS_MAX + 1];

/*
 * The tables are built once, before main(), so that no parse can see them
 * half made, whichever thread it runs in.
 */
static void __attribute__((constructor))
fields_init(void)
{
	size_t i, n, k, nf, nr;
	int t;

	memset(bylen, -1, sizeof(bylen));
	for (i = 0; i < NFIELDS; i++) {
		n = strlen(fields[i].name);
		for (k = 0; bylen[n][k] >= 0; k++)
			;
		bylen[n][k] = (signed char)i;
		keylit[i][0] = ',';
		keylit[i][1] = '"';
		memcpy(keylit[i] + 2, fields[i].name, n);
		keylit[i][n + 2] = '"';
		keylit[i][n + 3] = ':';
		keylen[i] = (unsigned char)(n + 4);
	}
	for (t = 0; t < EV_NTYPES; t++) {
		nf = nr = 0;
		for (i = 0; i < NFIELDS; i++) {
			if (fields[i].types & B(t))
				typefields[t][nf++] = (signed char)i;
			if (fields[i].required & B(t))
				typereq[t][nr++] = (signed char)i;
		}
		typefields[t][nf] = typereq[t][nr] = -1;
	}
}


static const struct field *
field_find(const char *key, size_t n)
{
	const signed char *c;

	if (n >= FMAXLEN)
		return NULL;
	for (c = bylen[n]; *c >= 0; c++) {
		const char *nm = fields[*c].name;
		size_t k;

		for (k = 0; k < n && nm[k] == key[k]; k++)
			;
		if (k == n)
			return &fields[*c];
	}
	return NULL;
}

/* LIU_SHARD as liu-route set it, or -1 outside liu-route. */
static long shard = -1;

static void __attribute__((constructor))
shard_init(void)
{
	const char *s = getenv("LIU_SHARD");
	char *end;
	long k;

	if (!s || !*s)
		return;
	k = strtol(s, &end, 10);
	if (*end == '\0' && k >= 0)
		shard = k;
}

int
ev_pass_once(const struct ev *e)
{
	return e->sym != NULL || shard <= 0;
}

const char *
ev_type_name(enum ev_type t)
{
	return t > EV_OTHER && t < EV_NTYPES ? type_names[t] : "";
}

enum ev_type
ev_type_from(const char *s)
{
	const char *n;
	int i, k;

	for (i = 1; i < EV_NTYPES; i++) {
		n = type_names[i];
		for (k = 0; n[k] && n[k] == s[k]; k++)
			;
		if (n[k] == s[k])
			return (enum ev_type)i;
	}
	return EV_OTHER;
}

const char *
ev_side_name(enum ev_side s)
{
	return s > SIDE_NONE && s <= SIDE_BUY_TO_COVER ? side_names[s] : "";
}

enum ev_side
ev_side_from(const char *s)
{
	int i;

	for (i = 1; i <= SIDE_BUY_TO_COVER; i++)
		if (strcmp(s, side_names[i]) == 0)
			return (enum ev_side)i;
	return SIDE_NONE;
}

void
ev_clear(struct ev *e)
{
	struct json j = e->j;
	struct buf a = e->arena;
	int fast = e->fast;

	memset(e, 0, offsetof(struct ev, canon_v));
	e->j = j;
	e->arena = a;
	e->fast = fast;
	e->price = e->size = NAN;
	e->bid = e->bid_size = e->ask = e->ask_size = NAN;
	e->o = e->h = e->l = e->c = e->v = e->vw = e->n = NAN;
	e->qty = e->limit = e->stop = e->fee = e->stop_loss = e->target = NAN;
	e->trail_price = e->trail_percent = e->filled_qty = e->avg_price = NAN;
	e->partial = e->extended_hours = e->bracket = -1;
	buf_reset(&e->arena);
}

void
ev_release(struct ev *e)
{
	json_release(&e->j);
	buf_release(&e->arena);
}

static int __attribute__((format(printf, 3, 4)))
fail(struct ev *e, const char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->err, sizeof(e->err), fmt, ap);
	va_end(ap);
	*err = e->err;
	return -1;
}

/* Decode string token i into the arena; returns its start. */
static const char *
arena_str(struct ev *e, int i)
{
	const struct json_tok *t = &e->j.tok[i];
	size_t at = e->arena.len, n = (size_t)(t->end - t->start);
	char *p;

	if (t->esc) {
		json_str(&e->j, i, &e->arena);
		buf_addc(&e->arena, '\0');
		return e->arena.p + at;
	}
	/* room was made by ev_parse: the line's length and more */
	p = e->arena.p + at;
	memcpy(p, e->line + t->start, n);
	p[n] = '\0';
	e->arena.len += n + 1;
	return p;
}

/* Copy n bytes into the arena, NUL-terminated; returns the copy. */
static const char *
arena_copy(struct ev *e, const char *s, size_t n)
{
	char *p = e->arena.p + e->arena.len;

	memcpy(p, s, n);
	p[n] = '\0';
	e->arena.len += n + 1;
	return p;
}

/*
 * The field a key token names, decoding it first if it has escapes; NULL
 * for an unknown key.
 */
static const struct field *
key_field(struct ev *e, int i)
{
	const struct json_tok *k = &e->j.tok[i];
	const struct field *f;
	size_t at;

	if (!k->esc)
		return field_find(e->line + k->start,
		    (size_t)(k->end - k->start));
	at = e->arena.len;
	json_str(&e->j, i, &e->arena);
	f = field_find(e->arena.p + at, e->arena.len - at);
	e->arena.len = at;
	return f;
}

/* Whether key tokens a and b are the same name once decoded. */
static int
same_key(struct ev *e, int a, int b)
{
	const struct json_tok *ka = &e->j.tok[a], *kb = &e->j.tok[b];
	size_t at, mid;
	int same;

	if (!ka->esc && !kb->esc)
		return ka->end - ka->start == kb->end - kb->start &&
		    memcmp(e->line + ka->start, e->line + kb->start,
		    (size_t)(ka->end - ka->start)) == 0;
	at = e->arena.len;
	json_str(&e->j, a, &e->arena);
	mid = e->arena.len;
	json_str(&e->j, b, &e->arena);
	same = mid - at == e->arena.len - mid &&
	    memcmp(e->arena.p + at, e->arena.p + mid, mid - at) == 0;
	e->arena.len = at;
	return same;
}

/*
 * Mark member m (key token i) as an unknown field.  A repeated unknown key
 * keeps its last value only, as known fields do: the earlier one is
 * unmarked.
 */
static void
mark_extra(struct ev *e, int i, int m, const int *keys)
{
	uint64_t x;
	int k;

	if (m >= 64) {
		e->nextra_overflow = 1;
		return;
	}
	for (x = e->extra; x; x &= x - 1) {
		k = __builtin_ctzll(x);
		if (same_key(e, keys[k], i))
			e->extra &= ~(1ULL << k);
	}
	e->extra |= 1ULL << m;
}


/*
 * Whether the bytes at p (more than keylen[fi] of them before end) are
 * field fi's ',"name":', compared by two words when 16 bytes may be read
 * and the literal has no more: the literals are padded with NULs to
 * FMAXLEN + 5 bytes.
 */
static inline int
key_at(const char *p, const char *end, int fi)
{
	uint64_t a, b, k0, k1, m;
	size_t n = keylen[fi];

	if (n > 16 || end - p < 16)
		return memcmp(p, keylit[fi], n) == 0;
	memcpy(&a, p, 8);
	memcpy(&b, p + 8, 8);
	memcpy(&k0, keylit[fi], 8);
	memcpy(&k1, keylit[fi] + 8, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (n <= 8) {
		m = n == 8 ? ~0ULL : (1ULL << 8 * n) - 1;
		return ((a ^ k0) & m) == 0;
	}
	m = n == 16 ? ~0ULL : (1ULL << 8 * (n - 8)) - 1;
	return a == k0 && ((b ^ k1) & m) == 0;
#else
	(void)a, (void)b, (void)k0, (void)k1, (void)m;
	return memcmp(p, keylit[fi], n) == 0;
#endif
}

/* A plain string from its opening quote: the byte after it, or NULL. */
static const char *
plain_str(const char *p, const char *end)
{
	for (p++; p < end && json_plain[(unsigned char)*p]; p++)
		;
	return p < end && *p == '"' ? p + 1 : NULL;
}

/* A plain scalar at p (string, number, literal): its end, or NULL. */
static const char *
plain_scalar(const char *p, const char *end)
{
	if (*p == '"')
		return plain_str(p, end);
	if (end - p >= 4 && (memcmp(p, "true", 4) == 0 ||
	    memcmp(p, "null", 4) == 0))
		return p + 4;
	if (end - p >= 5 && memcmp(p, "false", 5) == 0)
		return p + 5;
	return json_num_end(p, end);
}

/*
 * A raw value the usual line may hold: a flat object or array of plain
 * scalars, or a plain string (a why, a pick's strategies, a trade's
 * conditions).  Its end, or NULL for anything else (nesting, escapes,
 * blanks), which the general path reads.
 */
static const char *
flat_raw(const char *p, const char *end)
{
	char close;

	if (*p == '"')
		return plain_str(p, end);
	if (*p != '{' && *p != '[')
		return NULL;
	close = *p == '{' ? '}' : ']';
	if (++p < end && *p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (p >= end || *p != '"' ||
			    (p = plain_str(p, end)) == NULL || p >= end ||
			    *p++ != ':')
				return NULL;
		}
		if (p >= end || (p = plain_scalar(p, end)) == NULL ||
		    p >= end)
			return NULL;
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

/*
 * The usual line of a known type, read without tokens: after the header
 * that ev_head() read, only known fields of the type, in canonical order
 * (so none twice and no second header key), each a number, a string of
 * printable ASCII without escapes, true/false, or a raw value that is a
 * flat object or array of such; no blanks; '}' last.
 * That is what liu itself writes, and every byte of it is checked as
 * json_parse() and the general path would check it.  Returns 1 with the
 * event filled in, or 0 for any other line, which the general path then
 * reads from the start.
 */
static int
parse_usual(struct ev *e)
{
	const char *p = e->line + e->head.body, *end = e->line + e->len, *q;
	const signed char *c = typefields[e->type];
	const struct field *f;
	uint64_t seen = 0;
	size_t fi, n;
	char *base;

	if (*c >= 0 && fields[*c].off == offsetof(struct ev, sym))
		c++;			/* the header's */
	while (*p == ',') {
		/* the next field in canonical order that this key names */
		for (; *c >= 0; c++)
			if ((size_t)(end - p) > keylen[*c] &&
			    key_at(p, end, *c))
				break;
		if (*c < 0)
			return 0;
		fi = (size_t)*c++;
		f = &fields[fi];
		p += keylen[fi];
		base = (char *)e + f->off;
		switch (f->kind) {
		case F_NUM:
			q = json_scan_num(p, end, (double *)(void *)base);
			if (q == NULL)
				return 0;
			e->num_p[fi] = p;
			e->num_n[fi] = (uint32_t)(q - p);
			break;
		case F_STR:
		case F_SIDE:
			if (*p != '"' || (q = plain_str(p, end)) == NULL)
				return 0;
			n = (size_t)(q - p - 2);
			if (f->kind == F_STR) {
				*(const char **)(void *)base =
				    arena_copy(e, p + 1, n);
			} else {
				e->side = ev_side_from(arena_copy(e, p + 1,
				    n));
				if (e->side == SIDE_NONE)
					return 0;
			}
			break;
		case F_BOOL:
			if (end - p >= 4 && memcmp(p, "true", 4) == 0) {
				*(int *)(void *)base = 1;
				q = p + 4;
			} else if (end - p >= 5 && memcmp(p, "false", 5) == 0) {
				*(int *)(void *)base = 0;
				q = p + 5;
			} else {
				return 0;
			}
			break;
		case F_RAW:
			if ((q = flat_raw(p, end)) == NULL)
				return 0;
			*(const char **)(void *)base = p;
			*(size_t *)(void *)((char *)e + f->lenoff) =
			    (size_t)(q - p);
			break;
		default:
			return 0;
		}
		seen |= 1ULL << fi;
		p = q;
	}
	if (p != end - 1 || *p != '}')
		return 0;
	for (c = typereq[e->type]; *c >= 0; c++)
		if (fields[*c].off != offsetof(struct ev, sym) &&
		    !(seen & (1ULL << *c)))
			return 0;
	if (e->type == EV_BAR && !e->tf)
		e->tf = "1m";
	e->j.ntok = 0;		/* no tokens: see ev_parse() */
	return 1;
}

/* The header's fields into the event, from ev_head(). */
static void
take_head(struct ev *e)
{
	e->type = e->head.type;
	e->t = e->head.ns;
	e->evname = arena_copy(e, e->head.ev, e->head.ev_len);
	if (e->head.sym)
		e->sym = arena_copy(e, e->head.sym, e->head.sym_len);
}

/*
 * Known field f (index fi) from the value token v: the last one wins, null
 * included (null is absent).  Returns 0, or -1 with *err.
 */
static int
set_field(struct ev *e, const struct field *f, size_t fi, int v,
    const char **err)
{
	const struct json_tok *tk = &e->j.tok[v];
	char *base = (char *)e + f->off;
	int kind = tk->kind;

	switch (f->kind) {
	case F_NUM:
		*(double *)(void *)base = NAN;
		if (kind == JSON_NULL)
			break;
		e->num_p[fi] = e->line + tk->start;
		e->num_n[fi] = (uint32_t)(tk->end - tk->start);
		switch (json_num_canon(&e->j, v, (double *)(void *)base)) {
		case -1:
			return fail(e, err, "\"%s\" is not a number", f->name);
		case 1:
			e->canon |= 1ULL << fi;
			e->canon_v[fi] = *(double *)(void *)base;
			e->canon_p[fi] = e->line + tk->start;
			e->canon_n[fi] = (unsigned char)(tk->end - tk->start);
			break;
		}
		break;
	case F_STR:
	case F_SIDE:
		if (f->kind == F_STR)
			*(const char **)(void *)base = NULL;
		else
			e->side = SIDE_NONE;
		if (kind == JSON_NULL)
			break;
		if (kind != JSON_STR)
			return fail(e, err, "\"%s\" is not a string", f->name);
		if (f->kind == F_STR) {
			*(const char **)(void *)base = arena_str(e, v);
			break;
		}
		e->side = ev_side_from(arena_str(e, v));
		if (e->side == SIDE_NONE)
			return fail(e, err, "bad \"%s\": not buy, sell, "
			    "sell_short or buy_to_cover", f->name);
		break;
	case F_BOOL:
		/* null: absent (-1 for partial, 0 for synthetic) */
		*(int *)(void *)base = f->off == offsetof(struct ev,
		    synthetic) ? 0 : -1;
		if (kind == JSON_NULL)
			break;
		if (kind != JSON_TRUE && kind != JSON_FALSE)
			return fail(e, err, "\"%s\" is not true or false",
			    f->name);
		*(int *)(void *)base = kind == JSON_TRUE;
		break;
	case F_RAW:
		*(const char **)(void *)base = NULL;
		if (kind == JSON_NULL)
			break;
		/* a string keeps its quotes */
		*(const char **)(void *)base = e->line + tk->start -
		    (kind == JSON_STR);
		*(size_t *)(void *)((char *)e + f->lenoff) =
		    (size_t)(tk->end - tk->start) + 2 * (kind == JSON_STR);
		break;
	}
	return 0;
}

/* Every required field of the type seen, and none null: 0, or -1. */
static int
check_required(struct ev *e, uint64_t seen, const char **err)
{
	const struct field *f;
	const signed char *c;
	const char *base;

	for (c = typereq[e->type]; *c >= 0; c++) {
		f = &fields[*c];
		if (f->off == offsetof(struct ev, sym))
			continue;	/* ev_head() saw to it */
		if (!(seen & (1ULL << *c)))
			return fail(e, err, "missing \"%s\"", f->name);
		base = (const char *)e + f->off;
		if ((f->kind == F_NUM &&
		    isnan(*(const double *)(const void *)base)) ||
		    (f->kind == F_STR &&
		    !*(const char *const *)(const void *)base) ||
		    (f->kind == F_SIDE && e->side == SIDE_NONE))
			return fail(e, err, "\"%s\" is null", f->name);
	}
	return 0;
}

int
ev_parse(struct ev *e, const char *line, size_t len, const char **err)
{
	const struct json_tok *tk;
	const struct field *f;
	uint64_t seen = 0;
	int keys[64];
	int i, m;

	ev_clear(e);
	e->line = line;
	e->len = len;
	if (e->fast && ev_head(&e->head, line, len, EV_HEAD_PREFIX, err) == 0 &&
	    e->head.body && e->head.raw && e->head.type != EV_OTHER) {
		buf_grow(&e->arena, len + 16);
		take_head(e);
		if (parse_usual(e))
			return 0;
		ev_clear(e);
		e->line = line;
		e->len = len;
	}
	if (json_parse(&e->j, line, len, err) < 0 ||
	    ev_head(&e->head, line, len, 0, err) < 0)
		return -1;
	/* room for every decoded string: the line's length and more */
	buf_grow(&e->arena, 2 * len + (size_t)e->j.ntok + 16);
	take_head(e);
	for (i = 1, m = 0; i < e->j.ntok; i = e->j.tok[i + 1].next, m++) {
		tk = &e->j.tok[i];
		if (m < 64)
			keys[m] = i;
		if (ev_head_owns(e->type, line + tk->start,
		    (size_t)(tk->end - tk->start), tk->esc))
			continue;	/* ev_head() read it */
		f = key_field(e, i);
		if (!f || !(f->types & B(e->type))) {
			mark_extra(e, i, m, keys);
			continue;
		}
		seen |= 1ULL << (f - fields);
		if (set_field(e, f, (size_t)(f - fields), i + 1, err) < 0)
			return -1;
	}
	if (check_required(e, seen, err) < 0)
		return -1;
	if (e->type == EV_BAR && !e->tf)
		e->tf = "1m";
	return 0;
}

int
ev_num_text(const struct ev *e, const char *name, const char **p,
    size_t *n)
{
	const struct field *f = field_find(name, strlen(name));
	size_t fi;

	if (!f || f->kind != F_NUM || !(f->types & B(e->type)))
		return -1;
	if (isnan(*(const double *)(const void *)((const char *)e + f->off)))
		return 1;
	fi = (size_t)(f - fields);
	*p = e->num_p[fi];
	*n = e->num_n[fi];
	return 0;
}

int
ev_flag(const struct ev *e, const char *name)
{
	int i;

	/* a line read without tokens has no unknown field */
	if (e->j.ntok == 0)
		return 0;
	i = json_find(&e->j, name);
	return i >= 0 && e->j.tok[i].kind == JSON_TRUE;
}

/* Copy the raw bytes of token i, with quotes if it is a string. */
static void
add_raw(struct buf *b, const struct json *j, int i)
{
	const struct json_tok *t = &j->tok[i];
	int q = t->kind == JSON_STR;

	buf_add(b, j->s + t->start - q, (size_t)(t->end - t->start + 2 * q));
}

/*
 * Whether key token i is the header's or a known field of the event's
 * type (for members past the 64th, which have no bit in e->extra).
 */
static int
known_key(const struct ev *e, int i)
{
	const struct json_tok *k = &e->j.tok[i];
	const struct field *f;
	struct buf d = BUF_INIT;

	if (ev_head_owns(e->type, e->line + k->start,
	    (size_t)(k->end - k->start), k->esc))
		return 1;
	if (k->esc) {
		json_str(&e->j, i, &d);
		f = field_find(d.p, d.len);
		buf_release(&d);
	} else {
		f = field_find(e->line + k->start,
		    (size_t)(k->end - k->start));
	}
	return f && (f->types & B(e->type));
}

void
ev_format(const struct ev *e, struct buf *b)
{
	const signed char *c;
	char ts[TM_RFC3339_MAX];
	const struct field *f;
	const char *base, *s;
	size_t fi, n;
	int i, m;

	if (e->type == EV_OTHER) {
		buf_add(b, e->line, e->len);
		return;
	}
	buf_grow(b, e->len + 256);
	buf_add(b, "{\"ev\":\"", 7);
	buf_adds(b, type_names[e->type]);
	buf_add(b, "\",\"t\":\"", 7);
	n = tm_format(e->t, ts);
	buf_add(b, ts, n);
	buf_addc(b, '"');
	for (c = typefields[e->type]; *c >= 0; c++) {
		fi = (size_t)*c;
		f = &fields[fi];
		base = (const char *)e + f->off;
		switch (f->kind) {
		case F_NUM:
			if (isnan(*(const double *)(const void *)base))
				continue;
			buf_add(b, keylit[fi], keylen[fi]);
			if ((e->canon & (1ULL << fi)) && e->canon_v[fi] ==
			    *(const double *)(const void *)base)
				buf_add(b, e->canon_p[fi], e->canon_n[fi]);
			else
				json_add_num(b,
				    *(const double *)(const void *)base);
			break;
		case F_STR:
			s = *(const char *const *)(const void *)base;
			if (!s)
				continue;
			buf_add(b, keylit[fi], keylen[fi]);
			json_add_str(b, s, strlen(s));
			break;
		case F_SIDE:
			if (e->side == SIDE_NONE)
				continue;
			buf_add(b, keylit[fi], keylen[fi]);
			buf_addc(b, '"');
			buf_adds(b, side_names[e->side]);
			buf_addc(b, '"');
			break;
		case F_BOOL:
			i = *(const int *)(const void *)base;
			if (f->off == offsetof(struct ev, synthetic) ? i <= 0 :
			    i < 0)
				continue;
			buf_add(b, keylit[fi], keylen[fi]);
			buf_adds(b, i ? "true" : "false");
			break;
		case F_RAW:
			s = *(const char *const *)(const void *)base;
			if (!s)
				continue;
			buf_add(b, keylit[fi], keylen[fi]);
			buf_add(b, s, *(const size_t *)(const void *)
			    ((const char *)e + f->lenoff));
			break;
		}
	}
	/* unknown fields, as they came */
	for (i = 1, m = 0; (e->extra || e->nextra_overflow) && i < e->j.ntok;
	    i = e->j.tok[i + 1].next, m++) {
		if (m < 64 && !(e->extra & (1ULL << m)))
			continue;
		if (m >= 64 && known_key(e, i))
			continue;
		buf_addc(b, ',');
		add_raw(b, &e->j, i);
		buf_addc(b, ':');
		add_raw(b, &e->j, i + 1);
	}
	buf_addc(b, '}');
}
