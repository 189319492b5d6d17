/*
 * scan_where.c: --where, a jq expression evaluated in-process by libjq on
 * each snapshot, so that a custom criterion costs no pipe and no second
 * parse of the JSON.
 *
 * The input is the snapshot event that liu-scan snapshot would write for
 * the symbol, built as jq values directly (no text in between): "ev",
 * "t", "sym" and the numbers that are known.  The expression's first
 * output decides, by jq's own truth: false and null are false, anything
 * else is true; no output at all is false.  A jq error (.price | ascii)
 * is reported by the caller and is false.
 *
 * The program compiled owns one jq state, reused for every snapshot; the
 * keys of the object are made once and shared by reference count.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>

#include "buf.h"
#include "scan.h"
#include "scan_impl.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

enum { K_EV, K_T, K_SYM, K_PRICE, K_CHANGE, K_VOLUME, K_PREV_CLOSE,
	K_PREV_VOLUME, K_DV, K_VWAP, K_OPEN, K_HIGH, K_LOW, K_SNAPSHOT, NKEYS };

static const char *const key_names[NKEYS] = { "ev", "t", "sym", "price",
	"change_pct", "volume", "prev_close", "prev_volume", "dollar_volume",
	"vwap", "open", "high", "low", "snapshot" };

struct scan_where {
	jq_state *jq;
	jv keys[NKEYS];
	struct buf msg;		/* the last error */
};

/* Append a jq message (a string, or any value as JSON) to b, its line
 * ends as blanks. */
static void
add_msg(struct buf *b, jv msg)
{
	jv s;
	size_t k, n0 = b->len;

	if (jv_get_kind(msg) == JV_KIND_STRING)
		buf_adds(b, jv_string_value(msg));
	else {
		s = jv_dump_string(jv_copy(msg), 0);
		buf_adds(b, jv_string_value(s));
		jv_free(s);
	}
	jv_free(msg);
	for (k = n0; k < b->len; k++)
		if (b->p[k] == '\n' || b->p[k] == '\r' || b->p[k] == '\t')
			b->p[k] = ' ';
	while (b->len > n0 && b->p[b->len - 1] == ' ')
		b->len--;
}

/* jq's error callback while compiling: the messages, joined by "; ". */
static void
on_compile_error(void *arg, jv msg)
{
	struct buf *b = arg;

	if (b->len)
		buf_adds(b, "; ");
	add_msg(b, msg);
}

struct scan_where *
scan_where_compile(const char *expr)
{
	struct scan_where *w = xcalloc(1, sizeof(*w));
	struct buf err = BUF_INIT;
	int k;

	if (!(w->jq = jq_init()))
		die("jq: cannot initialise");
	jq_set_error_cb(w->jq, on_compile_error, &err);
	if (!jq_compile(w->jq, expr)) {
		if (!err.len)
			buf_adds(&err, "does not compile");
		/* nothing left behind for a leak checker at the exit */
		jq_teardown(&w->jq);
		free(w);
		die_code(LIU_EXIT_USAGE, "invalid --where '%.*s': %s",
		    LIU_ECHO_MAX, expr, buf_cstr(&err));
	}
	buf_release(&err);
	/* runtime errors come back as values from jq_next(), not here */
	jq_set_error_cb(w->jq, NULL, NULL);
	for (k = 0; k < NKEYS; k++)
		w->keys[k] = jv_string(key_names[k]);
	return w;
}

void
scan_where_free(struct scan_where *w)
{
	int k;

	if (!w)
		return;
	for (k = 0; k < NKEYS; k++)
		jv_free(w->keys[k]);
	jq_teardown(&w->jq);
	buf_release(&w->msg);
	free(w);
}

static jv
set_num(struct scan_where *w, jv obj, int key, double v)
{
	if (isnan(v))
		return obj;
	return jv_object_set(obj, jv_copy(w->keys[key]), jv_number(v));
}

int
scan_where_test(struct scan_where *w, const struct scan_snap *sn,
    int64_t t, const char **err)
{
	char ts[TM_RFC3339_MAX];
	size_t n = tm_format(t, ts);
	jv obj = jv_object(), r;
	jv_kind kind;

	obj = jv_object_set(obj, jv_copy(w->keys[K_EV]),
	    jv_copy(w->keys[K_SNAPSHOT]));
	obj = jv_object_set(obj, jv_copy(w->keys[K_T]),
	    jv_string_sized(ts, (int)n));
	obj = jv_object_set(obj, jv_copy(w->keys[K_SYM]), jv_string(sn->sym));
	obj = set_num(w, obj, K_PRICE, sn->price);
	obj = set_num(w, obj, K_CHANGE, sn->change_pct);
	obj = set_num(w, obj, K_VOLUME, sn->volume);
	obj = set_num(w, obj, K_PREV_CLOSE, sn->prev_close);
	obj = set_num(w, obj, K_PREV_VOLUME, sn->prev_volume);
	obj = set_num(w, obj, K_DV, sn->dollar_volume);
	obj = set_num(w, obj, K_VWAP, sn->vwap);
	obj = set_num(w, obj, K_OPEN, sn->open);
	obj = set_num(w, obj, K_HIGH, sn->high);
	obj = set_num(w, obj, K_LOW, sn->low);
	jq_start(w->jq, obj, 0);
	r = jq_next(w->jq);
	kind = jv_get_kind(r);
	if (kind != JV_KIND_INVALID) {
		jv_free(r);
		return kind != JV_KIND_FALSE && kind != JV_KIND_NULL;
	}
	if (!jv_invalid_has_msg(jv_copy(r))) {
		jv_free(r);
		return 0;
	}
	buf_reset(&w->msg);
	add_msg(&w->msg, jv_invalid_get_msg(r));
	*err = buf_cstr(&w->msg);
	return -1;
}
