/*
 * json.h: JSON reading and writing.
 *
 * json_parse() tokenizes one NDJSON line in a single validating pass, in the
 * spirit of jsmn (flat tokens, no allocation per value) but checking what
 * jsmn leaves out: the top level is one object, every number follows the
 * JSON grammar, literals are exactly true/false/null, strings have valid
 * escapes (\u surrogates paired), no raw control bytes and valid UTF-8 (no
 * overlongs, no surrogates), nesting at most 512 deep.  jsmn itself cost
 * 135 ns a line here before any of that checking; this pass does it all
 * in less.  Tokens point into the caller's line, which must outlive the
 * struct json's use.
 */
#ifndef LIU_JSON_H
#define LIU_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "numfmt.h"

enum json_kind { JSON_BAD, JSON_OBJ, JSON_ARR, JSON_STR, JSON_NUM,
	JSON_TRUE, JSON_FALSE, JSON_NULL };

struct json_tok {
	enum json_kind kind;
	int start, end;		/* span in the line; strings without quotes */
	int size;		/* members of an object, elements of an array;
				   1 for a key (its value follows it) */
	int next;		/* index of the token after this one's subtree
				   (for a key: after its value) */
	int esc;		/* a string with a backslash in it */
};

struct json {
	const char *s;
	struct json_tok *tok;	/* owned */
	int ntok, cap;
};
#define JSON_INIT { NULL, NULL, 0, 0 }

/*
 * Parse and validate 'len' bytes.  Returns 0, or -1 with *err set to a
 * static message ("malformed JSON", "not a JSON object", "invalid UTF-8",
 * ...).  Token 0 is the top-level object.
 */
int json_parse(struct json *j, const char *s, size_t len, const char **err);
/*
 * The same for a WebSocket frame: token 0 may be an array too, and '\n'
 * is a blank as JSON allows (a line has none).
 */
int json_parse_frame(struct json *j, const char *s, size_t len,
    const char **err);
/*
 * The usual frame alone (an array of flat objects, compact, plain ASCII
 * strings) and faster: 1 with the tokens json_parse_frame() would make,
 * or 0 for any other bytes, which json_parse_frame() must then read.
 */
int json_parse_flat(struct json *j, const char *s, size_t len);
void json_release(struct json *j);

/* The value token of top-level key 'key', or -1. */
int json_get(const struct json *j, const char *key);
/*
 * The value token of member 'key' of the object at token 'obj' (the
 * first one, keys compared as json_eq() does), or -1 if obj is not an
 * object, has no such member, or its value is null: the providers' REST
 * bodies send null for "none".
 */
int json_member(const struct json *j, int obj, const char *key);
/*
 * The value token of the last top-level member whose key, once decoded, is
 * 'key' ("\u0068ist" is hist), or -1: a repeated key keeps its last value,
 * as the event contract says.  Slower than json_get(), for the rare member
 * that a reader looks for by its meaning.
 */
int json_find(const struct json *j, const char *key);
/* Compare a string token's raw bytes with a C string. */
int json_eq(const struct json *j, int i, const char *s);

/* Decode a string token into out (appended, NUL-terminated); -1 if not
 * a string. */
int json_str(const struct json *j, int i, struct buf *out);
/* A number token as a double; -1 if not a number or not finite. */
int json_num(const struct json *j, int i, double *v);
/*
 * Like json_num(), and returns 1 when the token's text is exactly what
 * json_add_num() would write for the value (so a writer may copy it).
 */
int json_num_canon(const struct json *j, int i, double *v);
/*
 * The same test on the text of a number token alone, without its value:
 * 1 when json_add_num() writes exactly these n bytes for it.
 */
int json_num_plain(const char *s, size_t n);
/*
 * A JSON number written at p (before end), without tokenizing: its end, with
 * *v, or NULL if the bytes there are not one finite number (the grammar is
 * checked, the value is read exactly as json_num() reads it).
 */
const char *json_scan_num(const char *p, const char *end, double *v);
/* The same check of the grammar alone (1e999 passes): the end, or NULL. */
const char *json_num_end(const char *p, const char *end);
/* A number token as an integer in [min, max]; -1 otherwise. */
int json_i64(const struct json *j, int i, int64_t min, int64_t max,
    int64_t *v);

/* Writing. */

/* Append s as a quoted JSON string, escaping what must be. */
void json_add_str(struct buf *b, const char *s, size_t n);
/*
 * Append v as the shortest decimal that reads back as the same double
 * ("447.3422", "100", "1e-07"), as numfmt_shortest() writes it; NaN and
 * infinities become null.  Dies on out of memory only.
 */
static inline void
json_add_num(struct buf *b, double v)
{
	if (b->cap - b->len <= NUMFMT_MAX)
		buf_grow(b, NUMFMT_MAX);
	b->len += numfmt_shortest(b->p + b->len, v);
}
/* Append `"key":` with the key already safe (no escaping done). */
static inline void
json_add_key(struct buf *b, const char *key)
{
	size_t n = strlen(key);
	char *p;

	if (b->cap - b->len <= n + 4)
		buf_grow(b, n + 4);
	p = b->p + b->len;
	p[0] = ',';
	p[1] = '"';
	memcpy(p + 2, key, n);
	p[n + 2] = '"';
	p[n + 3] = ':';
	b->len += n + 4;
}
/* Append `,"key":v` and `,"key":"s"` (s escaped as need be). */
static inline void
json_add_knum(struct buf *b, const char *key, double v)
{
	json_add_key(b, key);
	json_add_num(b, v);
}
static inline void
json_add_kstr(struct buf *b, const char *key, const char *s)
{
	json_add_key(b, key);
	json_add_str(b, s, strlen(s));
}

/*
 * The bytes a string holds as they are, without escape: printable ASCII
 * (0x20-0x7f) but '"' and '\\'.  Readers of the usual line scan with it.
 */
extern const unsigned char json_plain[256];

/* Validate UTF-8; returns 0 if valid. */
int json_utf8_check(const unsigned char *s, size_t n);

#endif
