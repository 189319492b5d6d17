/* merge.c: the k-way merge's heap (see merge.h). */
#include "merge.h"
#include "banned.h"

static int
before(const struct merge_src *a, const struct merge_src *b)
{
	return a->key < b->key || (a->key == b->key && a->order < b->order);
}

void
merge_sift(struct merge_src *h, int n, int i)
{
	struct merge_src tmp;
	int c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && before(&h[c + 1], &h[c]))
			c++;
		if (!before(&h[c], &h[i]))
			return;
		tmp = h[c];
		h[c] = h[i];
		h[i] = tmp;
		i = c;
	}
}

void
merge_build(struct merge_src *h, int n)
{
	int i;

	for (i = n / 2 - 1; i >= 0; i--)
		merge_sift(h, n, i);
}
