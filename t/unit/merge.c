/*
 * Unit tests of lib/merge.c: sources popped in key order, ties in their
 * order, against a sort done here, over random merges.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tap.h"
#include "merge.h"
#include "banned.h"

#define NSRC 9
#define NEV 40

static int
cmp(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 :
	    (x[1] > y[1]) - (x[1] < y[1]);
}

int
main(void)
{
	static int64_t ev[NSRC][NEV], want[NSRC * NEV][2], got[NSRC * NEV][2];
	struct merge_src heap[NSRC];
	int pos[NSRC], order[NSRC];
	uint64_t x = 42;
	int r, i, k, n, m, bad = 0;

	for (r = 0; r < 500; r++) {
		/* each source's keys rise; small keys make many ties */
		m = 0;
		for (i = 0; i < NSRC; i++) {
			int64_t t = 0;

			for (k = 0; k < NEV; k++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				t += (int64_t)(x % 3);
				ev[i][k] = t;
			}
			order[i] = (i * 5 + r) % NSRC;	/* not creation order */
			pos[i] = 0;
			for (k = 0; k < NEV; k++) {
				want[m][0] = ev[i][k];
				want[m][1] = order[i] * NEV + k;
				m++;
			}
		}
		/* the merge is stable: a source's events keep their order */
		qsort(want, (size_t)m, sizeof(want[0]), cmp);
		n = 0;
		for (i = 0; i < NSRC; i++)
			heap[n++] = (struct merge_src){ ev[i][0], order[i],
			    &pos[i] };
		merge_build(heap, n);
		m = 0;
		while (n > 0) {
			int *p = heap[0].p, s = (int)(p - pos);

			got[m][0] = ev[s][*p];
			got[m][1] = order[s] * NEV + *p;
			m++;
			if (++*p < NEV)
				heap[0].key = ev[s][*p];
			else
				heap[0] = heap[--n];
			merge_sift(heap, n, 0);
		}
		for (i = 0; i < m; i++)
			if (got[i][0] != want[i][0] || got[i][1] != want[i][1])
				bad++;
	}
	is_int(bad, 0, "500 random merges of %d sources pop in key order, "
	    "ties in source order", NSRC);
	return done_testing();
}
