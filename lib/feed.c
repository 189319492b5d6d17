/*
 * feed.c: Alpaca and Polygon stream frames to liu events.
 *
 * What it promises: every event it writes is one canonical line
 * (schema/events.md) with a valid header: a known or documented type, a
 * time converted exactly to UTC nanoseconds and written as tm_format()
 * writes it, a symbol of 1 to 32 printable ASCII characters; numbers
 * shortest round-trip; the fields in the contract's order, then the
 * type's own extras, then "rt".  A message it cannot translate leaves no
 * trace in the output; a frame it cannot parse leaves no trace at all.
 *
 * What it owns: a struct feed holds the tokens of the last frame, its
 * notes and their strings, reused from frame to frame; nothing points
 * into the caller's frame after a call returns.
 *
 * How a frame is read: json_parse_frame(), the event line's tokenizer
 * taking an array at the top (or, defensively, one object) and '\n' as a
 * blank, reads it where it lies: the frame gets the same full validation
 * as every event line (UTF-8, escapes, numbers), and is not copied.  The
 * usual frame, compact and plain ASCII, is read by json_parse_flat()
 * first, which makes the same tokens in half the time.
 *
 * The mapping (provider keys on the left; "as given" means the value is
 * copied, strings decoded and re-escaped, arrays without blanks):
 *
 *   Alpaca (protocols.md section 1)       liu
 *   t  S t p s x c z i                    trade sym t price size x cond
 *                                           tape id (i as a string)
 *   q  S t bp bs ap as bx ax              quote sym t bid bid_size ask
 *                                           ask_size bx ax (sizes x100)
 *   b / d / u  S t o h l c v vw n         bar tf "1m" / "1d" / "1m"; d
 *                                           and u with "updated":true
 *                                           (d: the day's bar so far,
 *                                           sent again all day long)
 *   s  S t sm sc rc rm z                  status status=sm code=sc
 *                                           why={"code":rc,"text":rm} tape
 *   l  S t i u d z                        status status="luld" code=i
 *                                           limit_up=u limit_down=d tape
 *   x  S t i p s x a z                    trade_cancel id price size x
 *                                           tape action=a
 *   c  S t oi ci cp cs cc op os oc x z    trade_correction id=oi
 *                                           new_id=ci price=cp size=cs x
 *                                           cond=cc tape orig_price=op
 *                                           orig_size=os orig_cond=oc
 *   success, error, subscription          notes
 *   anything else ("i" imbalances, ...)   counted as unknown
 *
 *   Polygon (protocols.md section 4)      liu
 *   T  sym t p s x c z i                  trade (x as a decimal string,
 *                                           z 1/2/3 -> tape "A"/"B"/"C")
 *   Q  sym t bp bs ap as bx ax            quote (sizes x100, bx and ax as
 *                                           decimal strings)
 *   A / AM  sym s o h l c v vw            bar tf "1s" / "1m", t = s
 *   LULD  T t h l i z                     status status="luld" code=i
 *                                           limit_up=h limit_down=l tape
 *   status                                notes
 *   anything else ("NOI", ...)            counted as unknown
 *
 * Left out, on purpose: quote conditions and tapes, sequence numbers (q),
 * Polygon's day figures in aggregates (av op a z e otc), TRF ids and times,
 * Alpaca's undocumented receive time (r).  Everything else unknown is
 * ignored, as both providers ask.
 *
 * Quote sizes are round lots in both providers' documentation (Polygon's
 * spec: "a bid size of 2 means there are 200 shares"), and liu counts
 * shares, so they are multiplied by 100.
 *
 * Times: an RFC 3339 string (Alpaca: 0 to 9 fraction digits, perhaps an
 * offset) goes through tm_parse(); an integer (Polygon) is a count since
 * the epoch whose unit is told by its size: below 10^14 milliseconds (what
 * the spec says for every stock event), below 10^17 microseconds (the
 * spec's own LULD example), else nanoseconds (its NOI example).  For any
 * time from 1973 to 2262 the three ranges cannot be confused.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "json.h"
#include "ndjson.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define NONE SIZE_MAX		/* no string: "" */

/* The message keys of both providers; a member's key picks its slot. */
enum key {
	K_UT, K_US, K_EV, K_SYM, K_I, K_X, K_P, K_S, K_C, K_Z, K_T,
	K_BX, K_BP, K_BS, K_AX, K_AP, K_AS, K_O, K_H, K_L, K_V, K_VW, K_N,
	K_SC, K_SM, K_RC, K_RM, K_A, K_U, K_D, K_OI, K_OP, K_OS, K_OC,
	K_CI, K_CP, K_CS, K_CC, K_MSG, K_CODE, K_STATUS, K_MESSAGE, NKEYS
};

static const char *const keyname[NKEYS] = {
	"T", "S", "ev", "sym", "i", "x", "p", "s", "c", "z", "t",
	"bx", "bp", "bs", "ax", "ap", "as", "o", "h", "l", "v", "vw", "n",
	"sc", "sm", "rc", "rm", "a", "u", "d", "oi", "op", "os", "oc",
	"ci", "cp", "cs", "cc", "msg", "code", "status", "message"
};

/* key (up to 7 bytes and its length, packed) -> slot, open addressing */
#define KTAB 128
static uint64_t ktab_key[KTAB];
static signed char ktab_slot[KTAB];

static uint64_t
pack(const char *s, size_t n)
{
	uint64_t k = (uint64_t)n << 56;
	size_t i;

	if (n == 0 || n > 7)
		return 0;	/* no key packs to 0 */
	for (i = 0; i < n; i++)
		k |= (uint64_t)(unsigned char)s[i] << 8 * i;
	return k;
}

static unsigned
khash(uint64_t k)
{
	return (unsigned)((k * 0x9e3779b97f4a7c15ULL) >> 57);
}

/* keys of one and two printable bytes (the most) looked up directly;
 * longer ones in ktab */
static signed char kone[96], ktwo[96 * 96];

/* Built before main(), so no frame can see it half made. */
static void __attribute__((constructor))
ktab_init(void)
{
	const char *s;
	uint64_t k;
	unsigned h;
	size_t n;
	int i;

	memset(kone, -1, sizeof(kone));
	memset(ktwo, -1, sizeof(ktwo));
	for (i = 0; i < NKEYS; i++) {
		s = keyname[i];
		n = strlen(s);
		if (n == 1) {
			kone[s[0] - 32] = (signed char)i;
		} else if (n == 2) {
			ktwo[(s[0] - 32) * 96 + s[1] - 32] = (signed char)i;
		} else {
			k = pack(s, n);
			for (h = khash(k); ktab_key[h]; h = (h + 1) % KTAB)
				;
			ktab_key[h] = k;
			ktab_slot[h] = (signed char)i;
		}
	}
}

static int
key_slot(const char *s, size_t n)
{
	uint64_t k;
	unsigned h, a, b;

	if (n <= 2 && n > 0) {
		a = (unsigned char)s[0] - 32;
		b = n == 2 ? (unsigned char)s[1] - 32 : 0;
		if (a >= 96 || b >= 96)
			return -1;
		return n == 1 ? kone[a] : ktwo[a * 96 + b];
	}
	if (!(k = pack(s, n)))
		return -1;
	for (h = khash(k); ktab_key[h]; h = (h + 1) % KTAB)
		if (ktab_key[h] == k)
			return ktab_slot[h];
	return -1;
}

/* Why a message could not be translated: the text around the key. */
enum efail { E_MISSING, E_NOTNUM, E_NOTSTR, E_TIME, E_SYM, E_NOTOBJ,
	E_LONG };
static const char *const epre[] = { "missing \"", "\"", "\"",
	"bad time in \"", "bad symbol in \"", "not an object",
	"event longer than the line limit" };
static const char *const epost[] = { "\"", "\" is not a number",
	"\" is not a string", "\"", "\"", "", "" };

/* One message of the frame being translated. */
struct msg {
	int k[NKEYS];		/* each key's value token, or -1 */
	enum efail err;		/* why it could not be translated */
	const char *ekey;	/* the key it is about, or "" */
};

/* Find the members of the object at token obj (the last of a repeated
 * key wins, as for events). */
static void
msg_keys(struct feed *f, int obj, struct msg *m)
{
	const struct json *j = &f->j;
	const struct json_tok *t;
	int i, n, slot;

	for (i = 0; i < NKEYS; i++)
		m->k[i] = -1;
	m->err = E_MISSING;
	m->ekey = "";
	for (i = obj + 1, n = 0; n < j->tok[obj].size; n++,
	    i = j->tok[i].next) {
		t = &j->tok[i];
		if (!t->esc) {
			slot = key_slot(j->s + t->start,
			    (size_t)(t->end - t->start));
		} else {
			buf_reset(&f->tmp);
			if (json_str(j, i, &f->tmp) < 0)
				continue;
			slot = key_slot(f->tmp.p, f->tmp.len);
		}
		if (slot >= 0)
			m->k[slot] = i + 1;
	}
}

/* The token at slot k, or -1 if absent or null. */
static int
tok(const struct feed *f, const struct msg *m, int k)
{
	int i = m->k[k];

	return i >= 0 && f->j.tok[i].kind != JSON_NULL ? i : -1;
}

static int
fail(struct msg *m, enum efail err, int k)
{
	m->err = err;
	m->ekey = keyname[k];
	return -1;
}

/* Decode string token i into f->tmp (NUL-terminated). */
static void
decode(struct feed *f, int i)
{
	buf_reset(&f->tmp);
	if (json_str(&f->j, i, &f->tmp) < 0)
		bug("feed: token %d is not a valid string", i);
}

/* Append string token i as a JSON string, decoded and re-escaped. */
static void
add_strtok(struct feed *f, struct buf *b, int i)
{
	const struct json_tok *t = &f->j.tok[i];

	if (!t->esc) {
		/* a checked string without escapes is its own encoding */
		buf_addc(b, '"');
		buf_add(b, f->j.s + t->start, (size_t)(t->end - t->start));
		buf_addc(b, '"');
		return;
	}
	decode(f, i);
	json_add_str(b, f->tmp.p, f->tmp.len);
}

/* Append the value at token i without blanks outside strings. */
static void
add_compact(struct feed *f, struct buf *b, int i)
{
	const struct json_tok *t = &f->j.tok[i];
	const char *p, *q, *end;
	int instr = 0;

	if (t->kind == JSON_STR) {
		add_strtok(f, b, i);
		return;
	}
	p = f->j.s + t->start;
	end = f->j.s + t->end;
	for (q = p; q < end && *q != ' ' && *q != '\t' && *q != '\r' &&
	    *q != '\n'; q++)
		;
	if (q == end) {
		/* no blank anywhere (the usual ["@","I"]): as it is */
		buf_add(b, p, (size_t)(end - p));
		return;
	}
	for (; p < end; p++) {
		if (instr) {
			if (*p == '\\')
				buf_addc(b, *p++);
			else if (*p == '"')
				instr = 0;
		} else if (*p == '"') {
			instr = 1;
		} else if (*p == ' ' || *p == '\t' || *p == '\r' ||
		    *p == '\n') {
			continue;
		}
		buf_addc(b, *p);
	}
}

/*
 * The number at slot k, times scale (1 or 100), as `,"key":number`: 0, 1
 * if absent or null, -1 if not a number.  The provider's own text is
 * copied when it is already what json_add_num() would write (prices and
 * sizes nearly always are), which spares a parse and a format.
 */
static int
add_num(struct feed *f, struct msg *m, struct buf *b, const char *key,
    int k, int scale)
{
	const struct json_tok *t;
	const char *s;
	size_t n, d;
	double v;
	int i = tok(f, m, k);

	if (i < 0)
		return 1;
	t = &f->j.tok[i];
	s = f->j.s + t->start;
	n = (size_t)(t->end - t->start);
	if (scale == 100 && t->kind == JSON_NUM && n <= 13 && s[0] > '0') {
		/* round lots: a whole number gains two zeros */
		for (d = 0; d < n && s[d] >= '0' && s[d] <= '9'; d++)
			;
		if (d == n) {
			json_add_key(b, key);
			buf_add(b, s, n);
			buf_add(b, "00", 2);
			return 0;
		}
	}
	if (t->kind == JSON_NUM && scale == 1 && json_num_plain(s, n)) {
		json_add_key(b, key);
		buf_add(b, s, n);
		return 0;
	}
	if (json_num(&f->j, i, &v) < 0)
		return fail(m, E_NOTNUM, k);
	json_add_key(b, key);
	json_add_num(b, v * scale);
	return 0;
}

/* A number the event needs: as add_num(), and missing is an error. */
static int
need_num(struct feed *f, struct msg *m, struct buf *b, const char *key,
    int k)
{
	int rc = add_num(f, m, b, key, k, 1);

	return rc > 0 ? fail(m, E_MISSING, k) : rc;
}

/* A number the event may have. */
static int
put_num(struct feed *f, struct msg *m, struct buf *b, const char *key,
    int k, int scale)
{
	return add_num(f, m, b, key, k, scale) < 0 ? -1 : 0;
}

/*
 * Append the value at slot k as a JSON string: a string as given, or a
 * number's text as a string (Polygon's exchange ids, Alpaca's trade ids:
 * exact, however long).  The slot must hold a value; -1 for another type.
 */
static int
add_strish(struct feed *f, struct msg *m, struct buf *b, int k)
{
	const struct json_tok *t = &f->j.tok[m->k[k]];

	if (t->kind == JSON_STR) {
		add_strtok(f, b, m->k[k]);
	} else if (t->kind == JSON_NUM) {
		buf_addc(b, '"');
		buf_add(b, f->j.s + t->start, (size_t)(t->end - t->start));
		buf_addc(b, '"');
	} else {
		return fail(m, E_NOTSTR, k);
	}
	return 0;
}

/* "key":"string" from slot k (add_strish()); nothing if absent or null. */
static int
put_str(struct feed *f, struct msg *m, struct buf *b, const char *key,
    int k)
{
	if (tok(f, m, k) < 0)
		return 0;
	json_add_key(b, key);
	return add_strish(f, m, b, k);
}

/* Alpaca's halt reason: "why":{"code":rc,"text":rm}, members if given. */
static int
put_why(struct feed *f, struct msg *m, struct buf *b)
{
	int rc = tok(f, m, K_RC) >= 0, rm = tok(f, m, K_RM) >= 0;

	if (!rc && !rm)
		return 0;
	buf_adds(b, ",\"why\":{");
	if (rc) {
		buf_adds(b, "\"code\":");
		if (add_strish(f, m, b, K_RC) < 0)
			return -1;
	}
	if (rm) {
		buf_adds(b, rc ? ",\"text\":" : "\"text\":");
		if (add_strish(f, m, b, K_RM) < 0)
			return -1;
	}
	buf_addc(b, '}');
	return 0;
}

/* "key":value from slot k, as given (conditions, indicators). */
static void
put_raw(struct feed *f, struct msg *m, struct buf *b, const char *key,
    int k)
{
	int i = tok(f, m, k);

	if (i < 0)
		return;
	json_add_key(b, key);
	add_compact(f, b, i);
}

/* Polygon's tape: 1, 2, 3 are "A", "B", "C"; another number is left
 * out; a string is taken as given. */
static int
put_tape_num(struct feed *f, struct msg *m, struct buf *b, int k)
{
	static const char *const tapes[] = { "\"A\"", "\"B\"", "\"C\"" };
	int64_t z;
	int i = tok(f, m, k);

	if (i < 0 || f->j.tok[i].kind == JSON_STR)
		return put_str(f, m, b, "tape", k);
	if (f->j.tok[i].kind != JSON_NUM)
		return fail(m, E_NOTNUM, k);
	if (json_i64(&f->j, i, 1, 3, &z) == 0) {
		json_add_key(b, "tape");
		buf_adds(b, tapes[z - 1]);
	}
	return 0;
}

/*
 * The time at token i: an RFC 3339 string, or an integer count since the
 * epoch in ms, us or ns by its size (see the head of this file).
 */
static int
get_time(struct feed *f, int i, int64_t *ns)
{
	const struct json_tok *t = &f->j.tok[i];
	int64_t v;

	if (t->kind == JSON_STR) {
		if (!t->esc)
			return tm_parse(f->j.s + t->start,
			    (size_t)(t->end - t->start), ns);
		decode(f, i);
		return tm_parse(f->tmp.p, f->tmp.len, ns);
	}
	if (json_i64(&f->j, i, 1, INT64_MAX, &v) < 0)
		return -1;
	if (v < 100000000000000LL) {		/* 10^14: ms */
		if (v > INT64_MAX / 1000000)
			return -1;
		v *= 1000000;
	} else if (v < 100000000000000000LL) {	/* 10^17: us */
		v *= 1000;
	}
	*ns = v;
	return 0;
}

/*
 * Start an event: {"ev":EV,"t":...,"sym":...} without its closing brace,
 * the symbol from slot ks and the time from slot kt, both required.
 */
static int
head(struct feed *f, struct msg *m, struct buf *b, const char *ev, int ks,
    int kt)
{
	char ts[TM_RFC3339_MAX];
	const struct json_tok *t;
	const char *s;
	size_t n, k, tn;
	int64_t ns;
	int i;

	/* the time first: decoding the symbol may use f->tmp */
	if ((i = tok(f, m, kt)) < 0)
		return fail(m, E_MISSING, kt);
	if (get_time(f, i, &ns) < 0)
		return fail(m, E_TIME, kt);
	t = &f->j.tok[i];
	tn = 0;
	if (t->kind == JSON_STR && !t->esc && tm_canonical(f->j.s + t->start,
	    (size_t)(t->end - t->start))) {
		/* already as tm_format() writes it (Alpaca's times) */
		tn = (size_t)(t->end - t->start);
		memcpy(ts, f->j.s + t->start, tn);
	}
	if ((i = tok(f, m, ks)) < 0)
		return fail(m, E_MISSING, ks);
	if (f->j.tok[i].kind != JSON_STR)
		return fail(m, E_NOTSTR, ks);
	if (f->j.tok[i].esc) {
		decode(f, i);
		s = f->tmp.p;
		n = f->tmp.len;
	} else {
		s = f->j.s + f->j.tok[i].start;
		n = (size_t)(f->j.tok[i].end - f->j.tok[i].start);
	}
	/* the contract's symbol: 1 to 32 printable ASCII characters */
	if (n < 1 || n > 32)
		return fail(m, E_SYM, ks);
	for (k = 0; k < n; k++)
		if (s[k] < '!' || s[k] > '~')
			return fail(m, E_SYM, ks);
	buf_add(b, "{\"ev\":\"", 7);
	buf_adds(b, ev);
	buf_add(b, "\",\"t\":\"", 7);
	buf_add(b, ts, tn ? tn : tm_format(ns, ts));
	buf_add(b, "\",\"sym\":", 8);
	json_add_str(b, s, n);
	return 0;
}

/* Notes. */

static size_t
str_add(struct feed *f, const char *s, size_t n)
{
	size_t off = f->str.len;

	buf_add(&f->str, s, n);
	buf_addc(&f->str, '\0');
	return off;
}

/* The string token at slot k, decoded, as a note string (NONE if none). */
static size_t
str_tok(struct feed *f, const struct msg *m, int k)
{
	int i = tok(f, m, k);

	if (i < 0 || f->j.tok[i].kind != JSON_STR)
		return NONE;
	decode(f, i);
	return str_add(f, f->tmp.p, f->tmp.len);
}

static struct feed_note *
note_new(struct feed *f, enum feed_kind kind, int index)
{
	struct feed_note *n;

	if (f->nnote == f->notecap) {
		f->notecap = f->notecap ? 2 * f->notecap : 8;
		f->note = xrealloc(f->note, (size_t)f->notecap * sizeof(*n));
	}
	n = &f->note[f->nnote++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->index = index;
	n->o_status = n->o_msg = n->o_type = NONE;
	n->sub0 = f->nsub;
	return n;
}

static void
sub_add(struct feed *f, size_t o_chan, const char *sym, size_t ns)
{
	struct feed_sub *s;

	if (f->nsub == f->subcap) {
		f->subcap = f->subcap ? 2 * f->subcap : 16;
		f->sub = xrealloc(f->sub, (size_t)f->subcap * sizeof(*s));
	}
	s = &f->sub[f->nsub++];
	s->o_chan = o_chan;
	s->o_sym = str_add(f, sym, ns);
	f->note[f->nnote - 1].nsub++;
}

/* Point the notes at their strings, now that these have stopped moving. */
static void
notes_fix(struct feed *f)
{
	struct feed_note *n;
	int i;

	for (i = 0; i < f->nsub; i++) {
		f->sub[i].chan = f->str.p + f->sub[i].o_chan;
		f->sub[i].sym = f->str.p + f->sub[i].o_sym;
	}
	for (i = 0; i < f->nnote; i++) {
		n = &f->note[i];
		n->status = n->o_status == NONE ? "" : f->str.p + n->o_status;
		n->msg = n->o_msg == NONE ? "" : f->str.p + n->o_msg;
		n->type = n->o_type == NONE ? "" : f->str.p + n->o_type;
		n->sub = n->nsub ? f->sub + n->sub0 : NULL;
	}
}

static void
note_bad(struct feed *f, int index, const char *type, size_t tn,
    const struct msg *m)
{
	struct feed_note *n = note_new(f, FEED_BAD, index);
	size_t off;

	if (type)
		n->o_type = str_add(f, type, tn);
	off = f->str.len;
	buf_adds(&f->str, epre[m->err]);
	buf_adds(&f->str, m->ekey);
	buf_adds(&f->str, epost[m->err]);
	buf_addc(&f->str, '\0');
	n->o_msg = off;
	f->nbad++;
}

/* Count a message of a type not translated; note its first. */
static void
note_unknown(struct feed *f, int index, const char *type, size_t tn)
{
	struct feed_note *n;
	size_t cut = tn < FEED_TYPE_MAX ? tn : FEED_TYPE_MAX - 1;
	int i;

	f->nunknown++;
	for (i = 0; i < f->ntypes; i++)
		if (strlen(f->types[i].name) == cut &&
		    memcmp(f->types[i].name, type, cut) == 0) {
			f->types[i].n++;
			return;
		}
	if (f->ntypes == FEED_TYPES_MAX)
		return;
	memcpy(f->types[f->ntypes].name, type, cut);
	f->types[f->ntypes].name[cut] = '\0';
	f->types[f->ntypes++].n = 1;
	n = note_new(f, FEED_UNKNOWN, index);
	n->o_type = str_add(f, type, cut);
}

/* The frame. */

/*
 * Parse the frame as the one member of an object (see the head of this
 * file).  Returns the token of the array or object, or -1 with *err.
 */
static int
frame_parse(struct feed *f, const char *p, size_t len, const char **err)
{
	size_t i = 0;
	unsigned char c;

	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
	    p[i] == '\n'))
		i++;
	if (i == len) {
		*err = "empty frame";
		return -1;
	}
	c = (unsigned char)p[i];
	if ((c >= 0x90 && c <= 0x9f) || c == 0xdc || c == 0xdd) {
		*err = "MessagePack frame (liu asks for JSON)";
		return -1;
	}
	if (len > INT_MAX / 2) {
		*err = "frame too large";
		return -1;
	}
	/* the usual frame the quick way, any other the general way */
	if (json_parse_flat(&f->j, p, len))
		return 0;
	return json_parse_frame(&f->j, p, len, err) < 0 ? -1 : 0;
}

typedef void (*msg_fn)(struct feed *, int, int, struct buf *);

/* Translate every message of the frame with fn. */
static int
frame(struct feed *f, const void *p, size_t len, int64_t rt,
    struct buf *out, const char **err, msg_fn fn)
{
	char ts[TM_RFC3339_MAX];
	uint64_t before = f->nevents;
	int top, i, n, k;

	f->nnote = 0;
	f->nsub = 0;
	buf_reset(&f->str);
	top = 0;
	if (frame_parse(f, p, len, err) < 0) {
		f->nbadframes++;
		return -1;
	}
	memcpy(f->rt, ",\"rt\":\"", 7);
	k = (int)tm_format(rt, ts);
	memcpy(f->rt + 7, ts, (size_t)k);
	f->rt[7 + k] = '"';
	f->rtlen = (size_t)k + 8;
	if (f->j.tok[top].kind == JSON_OBJ) {
		fn(f, 0, top, out);
	} else {
		n = f->j.tok[top].size;
		for (i = 0, k = top + 1; i < n; i++, k = f->j.tok[k].next)
			fn(f, i, k, out);
	}
	notes_fix(f);
	return (int)(f->nevents - before);
}

/*
 * Finish the event begun at out->len == start (rc 0), or take it back and
 * note why (rc -1).
 */
static void
event_end(struct feed *f, struct msg *m, int rc, int index,
    const char *type, size_t tn, struct buf *out, size_t start)
{
	if (rc == 0 && out->len - start + f->rtlen + 1 > LIU_LINE_MAX) {
		m->err = E_LONG;
		m->ekey = "";
		rc = -1;
	}
	if (rc < 0) {
		out->len = start;
		note_bad(f, index, type, tn, m);
		return;
	}
	buf_add(out, f->rt, f->rtlen);
	buf_add(out, "}\n", 2);
	f->nevents++;
}

/*
 * The message type at slot k, as (s, n) pointing into the frame, or when
 * it had escapes decoded into buf (FEED_TYPE_MAX bytes, cut there); -1
 * with the reason if missing or not a string.
 */
static int
msg_type(struct feed *f, struct msg *m, int k, char *buf, const char **s,
    size_t *n)
{
	int i = tok(f, m, k);

	if (i < 0)
		return fail(m, E_MISSING, k);
	if (f->j.tok[i].kind != JSON_STR)
		return fail(m, E_NOTSTR, k);
	if (!f->j.tok[i].esc) {
		*s = f->j.s + f->j.tok[i].start;
		*n = (size_t)(f->j.tok[i].end - f->j.tok[i].start);
		return 0;
	}
	decode(f, i);
	*n = f->tmp.len;
	memcpy(buf, f->tmp.p, *n < FEED_TYPE_MAX ? *n : FEED_TYPE_MAX);
	*s = buf;
	if (*n > FEED_TYPE_MAX)
		*n = FEED_TYPE_MAX;	/* longer than any we translate */
	return 0;
}

static int
is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(s, name, n) == 0;
}

/* Alpaca. */

/*
 * A quote, as both providers send one but for the member naming the
 * symbol: sizes in round lots of 100 shares.
 */
static int
quote(struct feed *f, struct msg *m, struct buf *b, int symkey)
{
	return head(f, m, b, "quote", symkey, K_T) < 0 ||
	    need_num(f, m, b, "bid", K_BP) < 0 ||
	    put_num(f, m, b, "bid_size", K_BS, 100) < 0 ||
	    need_num(f, m, b, "ask", K_AP) < 0 ||
	    put_num(f, m, b, "ask_size", K_AS, 100) < 0 ||
	    put_str(f, m, b, "bx", K_BX) < 0 ||
	    put_str(f, m, b, "ax", K_AX) < 0 ? -1 : 0;
}

/* A bar's figures after its head: tf (as JSON text), o h l c v vw. */
static int
bar_body(struct feed *f, struct msg *m, struct buf *b, const char *tf)
{
	json_add_key(b, "tf");
	buf_adds(b, tf);
	return need_num(f, m, b, "o", K_O) < 0 ||
	    need_num(f, m, b, "h", K_H) < 0 ||
	    need_num(f, m, b, "l", K_L) < 0 ||
	    need_num(f, m, b, "c", K_C) < 0 ||
	    need_num(f, m, b, "v", K_V) < 0 ||
	    put_num(f, m, b, "vw", K_VW, 1) < 0 ? -1 : 0;
}

/* A trade's price and size, and its exchange as a string. */
static int
trade_body(struct feed *f, struct msg *m, struct buf *b)
{
	return need_num(f, m, b, "price", K_P) < 0 ||
	    need_num(f, m, b, "size", K_S) < 0 ||
	    put_str(f, m, b, "x", K_X) < 0 ? -1 : 0;
}

static int
alpaca_bar(struct feed *f, struct msg *m, struct buf *b, const char *tf,
    int updated)
{
	if (head(f, m, b, "bar", K_US, K_T) < 0 || bar_body(f, m, b, tf) < 0 ||
	    put_num(f, m, b, "n", K_N, 1) < 0)
		return -1;
	if (updated)
		buf_adds(b, ",\"updated\":true");
	return 0;
}

static int
alpaca_event(struct feed *f, struct msg *m, struct buf *b, const char *ty,
    size_t tn)
{
	if (tn != 1)
		return 1;
	switch (ty[0]) {
	case 't':
		if (head(f, m, b, "trade", K_US, K_T) < 0 ||
		    trade_body(f, m, b) < 0)
			return -1;
		put_raw(f, m, b, "cond", K_C);
		return put_str(f, m, b, "tape", K_Z) < 0 ||
		    put_str(f, m, b, "id", K_I) < 0 ? -1 : 0;
	case 'q':
		return quote(f, m, b, K_US);
	case 'b':
		return alpaca_bar(f, m, b, "\"1m\"", 0);
	case 'd':
		/* the day's bar so far, sent again as the day goes on */
		return alpaca_bar(f, m, b, "\"1d\"", 1);
	case 'u':
		return alpaca_bar(f, m, b, "\"1m\"", 1);
	case 's':
		if (head(f, m, b, "status", K_US, K_T) < 0 ||
		    put_str(f, m, b, "status", K_SM) < 0 ||
		    put_str(f, m, b, "code", K_SC) < 0)
			return -1;
		if (put_why(f, m, b) < 0)
			return -1;
		return put_str(f, m, b, "tape", K_Z);
	case 'l':
		if (head(f, m, b, "status", K_US, K_T) < 0)
			return -1;
		buf_adds(b, ",\"status\":\"luld\"");
		put_raw(f, m, b, "code", K_I);
		return put_num(f, m, b, "limit_up", K_U, 1) < 0 ||
		    put_num(f, m, b, "limit_down", K_D, 1) < 0 ||
		    put_str(f, m, b, "tape", K_Z) < 0 ? -1 : 0;
	case 'x':
		if (head(f, m, b, "trade_cancel", K_US, K_T) < 0)
			return -1;
		if (tok(f, m, K_I) < 0)
			return fail(m, E_MISSING, K_I);
		return put_str(f, m, b, "id", K_I) < 0 ||
		    put_num(f, m, b, "price", K_P, 1) < 0 ||
		    put_num(f, m, b, "size", K_S, 1) < 0 ||
		    put_str(f, m, b, "x", K_X) < 0 ||
		    put_str(f, m, b, "tape", K_Z) < 0 ||
		    put_str(f, m, b, "action", K_A) < 0 ? -1 : 0;
	case 'c':
		if (head(f, m, b, "trade_correction", K_US, K_T) < 0)
			return -1;
		if (tok(f, m, K_OI) < 0)
			return fail(m, E_MISSING, K_OI);
		if (put_str(f, m, b, "id", K_OI) < 0 ||
		    put_str(f, m, b, "new_id", K_CI) < 0 ||
		    put_num(f, m, b, "price", K_CP, 1) < 0 ||
		    put_num(f, m, b, "size", K_CS, 1) < 0 ||
		    put_str(f, m, b, "x", K_X) < 0)
			return -1;
		put_raw(f, m, b, "cond", K_CC);
		if (put_str(f, m, b, "tape", K_Z) < 0 ||
		    put_num(f, m, b, "orig_price", K_OP, 1) < 0 ||
		    put_num(f, m, b, "orig_size", K_OS, 1) < 0)
			return -1;
		put_raw(f, m, b, "orig_cond", K_OC);
		return 0;
	}
	return 1;
}

/*
 * Alpaca's "subscription": every member but "T" names a channel and holds
 * its symbols.
 */
static void
alpaca_subs(struct feed *f, int obj)
{
	const struct json *j = &f->j;
	size_t o_chan;
	int i, n, e, k;

	for (i = obj + 1, n = 0; n < j->tok[obj].size; n++,
	    i = j->tok[i].next) {
		if (j->tok[i + 1].kind != JSON_ARR)
			continue;
		decode(f, i);
		if (f->tmp.len == 1 && f->tmp.p[0] == 'T')
			continue;
		o_chan = str_add(f, f->tmp.p, f->tmp.len);
		for (e = 0, k = i + 2; e < j->tok[i + 1].size; e++,
		    k = j->tok[k].next) {
			if (j->tok[k].kind != JSON_STR)
				continue;
			decode(f, k);
			sub_add(f, o_chan, f->tmp.p, f->tmp.len);
		}
	}
}

/* success, error, subscription: 0 if it was one of them. */
static int
alpaca_control(struct feed *f, struct msg *m, int index, int obj,
    const char *ty, size_t tn)
{
	struct feed_note *n;
	enum feed_kind kind;
	const char *s;
	int64_t code = 0;
	size_t o_status, o_msg;
	int i;

	if (is(ty, tn, "success")) {
		o_msg = str_tok(f, m, K_MSG);
		s = o_msg == NONE ? "" : f->str.p + o_msg;
		kind = !strcmp(s, "connected") ? FEED_CONNECTED :
		    !strcmp(s, "authenticated") ? FEED_AUTH_OK : FEED_INFO;
	} else if (is(ty, tn, "error")) {
		if ((i = tok(f, m, K_CODE)) >= 0 &&
		    json_i64(&f->j, i, LONG_MIN, LONG_MAX, &code) < 0)
			code = 0;
		o_msg = str_tok(f, m, K_MSG);
		kind = code == 402 ? FEED_AUTH_FAILED : FEED_ERROR;
	} else if (is(ty, tn, "subscription")) {
		o_msg = NONE;
		kind = FEED_SUBSCRIBED;
	} else {
		return 1;
	}
	o_status = str_add(f, ty, tn);
	n = note_new(f, kind, index);
	n->o_msg = o_msg;
	n->o_status = o_status;
	n->code = (long)code;
	if (kind == FEED_SUBSCRIBED) {
		n->full = 1;
		alpaca_subs(f, obj);
	}
	return 0;
}

/* What tells one provider's messages from another's. */
struct provider {
	int type_key;		/* the member naming a message's type */
	int (*event)(struct feed *, struct msg *, struct buf *, const char *,
	    size_t);		/* 1: not an event; 0 or -1: event_end() */
	int (*control)(struct feed *, struct msg *, int, int, const char *,
	    size_t);		/* 0: a control message, noted */
};

/* One message of a frame: an event, a control message or an unknown. */
static void
provider_msg(const struct provider *pv, struct feed *f, int index, int obj,
    struct buf *out)
{
	struct msg m;
	char tbuf[FEED_TYPE_MAX];
	const char *ty;
	size_t tn, start = out->len;
	int rc;

	if (f->j.tok[obj].kind != JSON_OBJ) {
		m.err = E_NOTOBJ;
		m.ekey = "";
		note_bad(f, index, NULL, 0, &m);
		return;
	}
	msg_keys(f, obj, &m);
	if (msg_type(f, &m, pv->type_key, tbuf, &ty, &tn) < 0) {
		note_bad(f, index, NULL, 0, &m);
		return;
	}
	rc = pv->event(f, &m, out, ty, tn);
	if (rc <= 0) {
		event_end(f, &m, rc, index, ty, tn, out, start);
		return;
	}
	if (pv->control(f, &m, index, obj, ty, tn) == 0)
		return;
	note_unknown(f, index, ty, tn);
}

static const struct provider alpaca = { K_UT, alpaca_event, alpaca_control };

static void
alpaca_msg(struct feed *f, int index, int obj, struct buf *out)
{
	provider_msg(&alpaca, f, index, obj, out);
}

int
feed_alpaca_frame(struct feed *f, const void *p, size_t len, int64_t rt,
    struct buf *out, const char **err)
{
	return frame(f, p, len, rt, out, err, alpaca_msg);
}

/* Polygon. */

static int
polygon_event(struct feed *f, struct msg *m, struct buf *b, const char *ty,
    size_t tn)
{
	if (is(ty, tn, "T")) {
		if (head(f, m, b, "trade", K_SYM, K_T) < 0 ||
		    trade_body(f, m, b) < 0)
			return -1;
		put_raw(f, m, b, "cond", K_C);
		return put_tape_num(f, m, b, K_Z) < 0 ||
		    put_str(f, m, b, "id", K_I) < 0 ? -1 : 0;
	}
	if (is(ty, tn, "Q")) {
		return quote(f, m, b, K_SYM);
	}
	if (is(ty, tn, "A") || is(ty, tn, "AM")) {
		/* the window's start, "s", is the bar's time */
		return head(f, m, b, "bar", K_SYM, K_S) < 0 ||
		    bar_body(f, m, b, tn == 1 ? "\"1s\"" : "\"1m\"") < 0 ?
		    -1 : 0;
	}
	if (is(ty, tn, "LULD")) {
		/* the spec names its symbol "T"; take "sym" as well */
		if (head(f, m, b, "status", tok(f, m, K_UT) >= 0 ? K_UT :
		    K_SYM, K_T) < 0)
			return -1;
		buf_adds(b, ",\"status\":\"luld\"");
		put_raw(f, m, b, "code", K_I);
		return put_num(f, m, b, "limit_up", K_H, 1) < 0 ||
		    put_num(f, m, b, "limit_down", K_L, 1) < 0 ||
		    put_tape_num(f, m, b, K_Z) < 0 ? -1 : 0;
	}
	return 1;
}

static int
prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/*
 * The channels of "subscribed to: T.AAPL" (or of a list, "T.AAPL, Q.MSFT",
 * as some servers send): PREFIX.TICKER, split at the first dot, blanks
 * trimmed.
 */
static void
polygon_subs(struct feed *f, const char *text)
{
	const char *p, *e, *dot;
	size_t o_chan;

	buf_reset(&f->tmp);
	buf_adds(&f->tmp, strchr(text, ':') + 1);	/* str may move */
	for (p = buf_cstr(&f->tmp); *p; p = *e ? e + 1 : e) {
		while (*p == ' ')
			p++;
		if (!(e = strchr(p, ',')))
			e = p + strlen(p);
		dot = memchr(p, '.', (size_t)(e - p));
		if (!dot || dot == p)
			continue;
		o_chan = str_add(f, p, (size_t)(dot - p));
		for (p = e; p > dot + 1 && p[-1] == ' '; p--)
			;
		sub_add(f, o_chan, dot + 1, (size_t)(p - dot - 1));
	}
}

static int
polygon_control(struct feed *f, struct msg *m, int index, int obj,
    const char *ty, size_t tn)
{
	struct feed_note *n;
	enum feed_kind kind;
	const char *st, *text;
	size_t o_status, o_msg;

	(void)obj;		/* Polygon's status carries all in m */
	if (!is(ty, tn, "status"))
		return 1;
	o_status = str_tok(f, m, K_STATUS);
	o_msg = str_tok(f, m, K_MESSAGE);
	st = o_status == NONE ? "" : f->str.p + o_status;
	text = o_msg == NONE ? "" : f->str.p + o_msg;
	if (!strcmp(st, "connected"))
		kind = FEED_CONNECTED;
	else if (!strcmp(st, "auth_success"))
		kind = FEED_AUTH_OK;
	else if (!strcmp(st, "auth_failed"))
		kind = FEED_AUTH_FAILED;
	else if (strcmp(st, "success"))
		kind = FEED_ERROR;
	else if (prefix(text, "subscribed to:"))
		kind = FEED_SUBSCRIBED;
	else if (prefix(text, "unsubscribed to:"))
		kind = FEED_UNSUBSCRIBED;
	else if (prefix(text, "Connected"))	/* the spec's ConnectEvent */
		kind = FEED_CONNECTED;
	else
		kind = FEED_INFO;
	n = note_new(f, kind, index);
	n->o_status = o_status;
	n->o_msg = o_msg;
	if (kind == FEED_SUBSCRIBED || kind == FEED_UNSUBSCRIBED)
		polygon_subs(f, text);
	return 0;
}

static const struct provider polygon = { K_EV, polygon_event,
	polygon_control };

static void
polygon_msg(struct feed *f, int index, int obj, struct buf *out)
{
	provider_msg(&polygon, f, index, obj, out);
}

int
feed_polygon_frame(struct feed *f, const void *p, size_t len, int64_t rt,
    struct buf *out, const char **err)
{
	return frame(f, p, len, rt, out, err, polygon_msg);
}

const char *
feed_kind_name(enum feed_kind k)
{
	static const char *const names[] = {
		"connected", "authenticated", "authentication failed",
		"subscribed", "unsubscribed", "error", "info",
		"unknown message type", "bad message"
	};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] :
	    "?";
}

void
feed_release(struct feed *f)
{
	json_release(&f->j);
	buf_release(&f->str);
	buf_release(&f->tmp);
	free(f->note);
	free(f->sub);
	memset(f, 0, sizeof(*f));
}
