/* sym.c: symbol interning and the stable routing hash. */
#include <stdlib.h>
#include <string.h>

#include "sym.h"
#include "util.h"
#include "banned.h"

uint64_t
sym_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static long
lookup(const struct symtab *t, const char *s, size_t len, size_t *slot)
{
	size_t i, mask = t->nslots - 1;
	uint32_t v;
	const char *nm;

	i = (size_t)sym_hash(s, len) & mask;
	for (;;) {
		v = t->slots[i];
		if (v == 0) {
			*slot = i;
			return -1;
		}
		nm = t->names[v - 1];
		if (t->lens[v - 1] == len && memcmp(nm, s, len) == 0)
			return (long)(v - 1);
		i = (i + 1) & mask;
	}
}

static void
rehash(struct symtab *t)
{
	size_t n = t->nslots ? t->nslots * 2 : 64, slot;
	uint32_t id;

	free(t->slots);
	t->slots = xcalloc(n, sizeof(*t->slots));
	t->nslots = n;
	for (id = 0; id < t->n; id++) {
		lookup(t, t->names[id], t->lens[id], &slot);
		t->slots[slot] = id + 1;
	}
}

long
sym_find(const struct symtab *t, const char *s, size_t len)
{
	size_t slot;

	if (t->nslots == 0)
		return -1;
	return lookup(t, s, len, &slot);
}

uint32_t
sym_intern(struct symtab *t, const char *s, size_t len)
{
	size_t slot;
	long id;

	if (t->nslots == 0 || (t->n + 1) * 2 > t->nslots)
		rehash(t);
	id = lookup(t, s, len, &slot);
	if (id >= 0)
		return (uint32_t)id;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->names = xrealloc(t->names, t->cap * sizeof(*t->names));
		t->lens = xrealloc(t->lens, t->cap * sizeof(*t->lens));
	}
	t->names[t->n] = xstrndup(s, len);
	t->lens[t->n] = len;
	t->slots[slot] = (uint32_t)t->n + 1;
	return (uint32_t)t->n++;
}

const char *
sym_name(const struct symtab *t, uint32_t id)
{
	if (id >= t->n)
		bug("sym_name: no symbol %u", id);
	return t->names[id];
}

void
symtab_release(struct symtab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	free(t->lens);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
