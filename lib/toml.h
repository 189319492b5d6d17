/*
 * toml.h: TOML 1.0 documents as a tree of C structs.
 *
 * The parsing is toml++'s (libtomlplusplus-dev, a C++17 header-only
 * library), behind one small C++ translation unit, toml_parse.cc, whose only
 * export is toml_parse(): every C++ exception (a parse error, out of
 * memory, anything else) is caught there and becomes an error return, so
 * no exception ever crosses into C.  The rest, in toml.c, is plain C:
 * freeing the tree, looking keys up, and writing the tree as the tagged
 * JSON of the toml-test suite ({"type":"integer","value":"1"}), which is
 * how t/ holds the decoder to that suite's corpus.
 *
 * The tree owns all its memory; toml_release() frees it.  Strings and keys
 * are UTF-8 (toml++ checked), NUL-terminated, and may hold NUL bytes
 * ("\u0000" is a valid TOML string): 'len' and 'keylen' are their lengths.
 * The members of a table are in the order they were defined in the text.
 */
#ifndef LIU_TOML_H
#define LIU_TOML_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum toml_type {
	TOML_TABLE = 1,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,		/* with an offset: an instant */
	TOML_DATETIME_LOCAL,
	TOML_DATE_LOCAL,
	TOML_TIME_LOCAL
};

/* A date, a time or both; the fields a type does not have are 0. */
struct toml_datetime {
	int year, month, day;
	int hour, minute, second;
	long nsec;		/* 0 to 999999999 */
	int offset;		/* minutes east of UTC, TOML_DATETIME only */
};

struct toml_node {
	enum toml_type type;
	int line, col;		/* where its key (or an item itself) is, from
				   1; 0 if unknown */
	char *key;		/* a table member's key, else NULL */
	size_t keylen;
	size_t n;		/* the members of a table, items of an array */
	struct toml_node *kid;	/* n of them */
	char *s;		/* TOML_STRING */
	size_t len;
	union {
		long long i;	/* TOML_INTEGER */
		double f;	/* TOML_FLOAT */
		int b;		/* TOML_BOOL: 0 or 1 */
		struct toml_datetime dt;	/* the date and time types */
	} v;
};
#define TOML_INIT { TOML_TABLE, 0, 0, NULL, 0, 0, NULL, NULL, 0, { 0 } }

/*
 * Parse the TOML document of 'len' bytes at 'text' into *root, a table
 * the caller initialised with TOML_INIT and frees with toml_release().
 * Returns 0; or -1 with a message in err (of errsize bytes, NUL-terminated
 * and cut to fit), *line and *col set to where the error is (0 when
 * unknown), and *root left empty.  Invalid TOML, text that is not UTF-8
 * and running out of memory are all errors; nothing is printed.
 */
int toml_parse(const char *text, size_t len, struct toml_node *root,
    char *err, size_t errsize, int *line, int *col);

/* Free what t owns and leave it empty (TOML_INIT); t itself is not freed. */
void toml_release(struct toml_node *t);

/* The member of table t whose key is 'key', or NULL (also if t is not a
 * table). */
const struct toml_node *toml_get(const struct toml_node *t, const char *key);

/* The name of a type, as toml-test writes it: "integer", "datetime-local",
 * "table", ... */
const char *toml_type_name(enum toml_type type);

struct buf;

/*
 * Append t to b as the tagged JSON of toml-test: a table is an object, an
 * array an array, and every other value {"type":TYPE,"value":TEXT}, TEXT a
 * string: integers in decimal, floats as the shortest decimal that reads
 * back ("inf", "-inf", "nan" for those), datetimes in RFC 3339 with "T",
 * the fraction of a second without trailing zeros and "Z" for a zero
 * offset.  Dies on out of memory only.
 */
void toml_tagged_json(struct buf *b, const struct toml_node *t);

#ifdef __cplusplus
}
#endif

#endif
