/*
 * plan_grid.c: the grid of a plan's [optimizer] for liu-optimize(1), one
 * JSON line a point, in the order of nested loops over the
 * hyperparameters as the plan lists them, the last one varying fastest.
 * The values come from the whole numbers plan_load() scaled them to, so
 * they are exact: 0.1 + 0.2 is written 0.3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "plan.h"
#include "util.h"
#include "banned.h"

/* Append value number i of h. */
static void
value(struct buf *b, const struct plan_hyper *h, size_t i)
{
	long long v = h->smin + (long long)i * h->sdelta;

	if (h->is_int)
		buf_addf(b, "%lld", v);
	else
		json_add_num(b, (double)v / h->scale);
}

size_t
plan_grid(struct buf *b, const struct plan *p)
{
	size_t *at = xcalloc(p->nhyper + 1, sizeof *at);
	size_t i, k, points = 0;
	struct buf kv = BUF_INIT;

	for (;;) {
		buf_addf(b, "{\"point\":%zu,\"params\":{", ++points);
		for (k = 0; k < p->nhyper; k++) {
			buf_reset(&kv);
			buf_addf(&kv, "%s.%s", p->hyper[k].strategy,
			    p->hyper[k].key);
			if (k)
				buf_addc(b, ',');
			json_add_str(b, kv.p, kv.len);
			buf_addc(b, ':');
			value(b, &p->hyper[k], at[k]);
		}
		buf_adds(b, "},\"args\":[");
		for (k = 0; k < p->nhyper; k++) {
			buf_reset(&kv);
			buf_addf(&kv, "%s.%s=", p->hyper[k].strategy,
			    p->hyper[k].key);
			value(&kv, &p->hyper[k], at[k]);
			if (k)
				buf_addc(b, ',');
			json_add_str(b, kv.p, kv.len);
		}
		buf_addc(b, ']');
		if (p->opt_start)
			json_add_kstr(b, "start_date", p->opt_start);
		if (p->opt_end)
			json_add_kstr(b, "end_date", p->opt_end);
		buf_adds(b, "}\n");
		/* the next point: an odometer, the last wheel fastest */
		for (i = p->nhyper; i > 0; i--) {
			if (++at[i - 1] < p->hyper[i - 1].n)
				break;
			at[i - 1] = 0;
		}
		if (i == 0)
			break;
	}
	buf_release(&kv);
	free(at);
	return points;
}
