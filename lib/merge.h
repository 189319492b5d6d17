/*
 * merge.h: the heap of a k-way merge by time (liu-stream replay and
 * history).  Each source stands in the heap with the key of its current
 * event; the least key is first, and equal keys keep the sources' order
 * ('order', smaller first), so a merge is stable across sources.  The heap
 * is the caller's array; nothing is allocated here.
 */
#ifndef LIU_MERGE_H
#define LIU_MERGE_H

#include <stdint.h>

struct merge_src {
	int64_t key;		/* the source's current event time */
	int order;		/* ties: the smaller first */
	void *p;		/* the caller's source */
};

/* Make h[0..n) a heap. */
void merge_build(struct merge_src *h, int n);
/*
 * Restore the heap below h[i] after its key grew (the usual step: h[0]'s
 * source moved to its next event) or after h[i] was replaced.
 */
void merge_sift(struct merge_src *h, int n, int i);

#endif
