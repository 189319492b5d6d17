/*
 * sym.h: symbol tables.  Interning maps a symbol string to a small dense id
 * (0, 1, 2, ...) that indexes per-symbol state arrays; sym_hash() is the
 * stable hash liu-route shards by (FNV-1a 64, the same on every run and
 * machine).
 */
#ifndef LIU_SYM_H
#define LIU_SYM_H

#include <stddef.h>
#include <stdint.h>

struct symtab {
	char **names;		/* id -> name, owned */
	size_t *lens;		/* id -> length of the name */
	uint32_t *slots;	/* open addressing: id + 1, 0 = empty */
	size_t n, cap, nslots;
};
#define SYMTAB_INIT { NULL, NULL, NULL, 0, 0, 0 }

/* FNV-1a 64 of the bytes. */
uint64_t sym_hash(const char *s, size_t len);

/* The id of s, adding it if new (the table copies the name). */
uint32_t sym_intern(struct symtab *t, const char *s, size_t len);
/* The id of s, or -1 if absent. */
long sym_find(const struct symtab *t, const char *s, size_t len);
/* The name of an id; owned by the table. */
const char *sym_name(const struct symtab *t, uint32_t id);
/* Free everything; the table is empty and usable again. */
void symtab_release(struct symtab *t);

#endif
