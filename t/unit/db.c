/* db.c: unit tests of lib/db.c's helpers (no database needed). */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "tap.h"
#include "banned.h"

static const char *
copy(const char *s, size_t n)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	db_copy_field(&b, s, n);
	return buf_cstr(&b);
}

static const char *
compact(const char *s)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	db_json_compact(&b, s, strlen(s));
	return buf_cstr(&b);
}

int
main(void)
{
	const struct db_migration *m;
	int last = 0, sorted = 1;

	/* COPY text format: only \ TAB NL CR need escaping; NULL is \N */
	is_str(copy(NULL, 0), "\\N", "NULL is \\N");
	is_str(copy("", 0), "", "empty string is empty");
	is_str(copy("AAPL", 4), "AAPL", "plain text as is");
	is_str(copy("\\N", 2), "\\\\N", "a literal \\N is not NULL");
	is_str(copy("a\tb\nc\rd\\e", 9), "a\\tb\\nc\\rd\\\\e",
	    "tab, newline, CR and backslash escaped");
	is_str(copy("x'); DROP TABLE t;--", 20), "x'); DROP TABLE t;--",
	    "quotes need nothing in COPY data");
	is_str(copy("ab\tcd", 3), "ab\\t", "length respected");

	/* jsonb's text output back to compact JSON */
	is_str(compact("{\"a\": 1, \"b\": [1, 2]}"), "{\"a\":1,\"b\":[1,2]}",
	    "blanks outside strings dropped");
	is_str(compact("{\"a b\": \"c, d\"}"), "{\"a b\":\"c, d\"}",
	    "blanks inside strings kept");
	is_str(compact("{\"q\": \"x\\\" y\", \"z\": 2}"),
	    "{\"q\":\"x\\\" y\",\"z\":2}",
	    "escaped quote does not end a string");
	is_str(compact("{\"e\": \"\\\\\", \"f\": 1}"),
	    "{\"e\":\"\\\\\",\"f\":1}", "escaped backslash before the quote");

	/* --what */
	is_int(db_what_parse("fills"), DB_WHAT_FILLS, "what fills");
	is_int(db_what_parse("fills,picks"), DB_WHAT_FILLS | DB_WHAT_PICKS,
	    "what fills,picks");
	is_int(db_what_parse("all"), DB_WHAT_ALL, "what all");
	is_int(db_what_parse("fill"), -1, "what fill is unknown");
	is_int(db_what_parse(""), -1, "what empty is unknown");

	/* the embedded migrations: numbered from 1, in order */
	for (m = db_migrations; m->name; m++) {
		if (m->version != last + 1)
			sorted = 0;
		last = m->version;
	}
	ok(last >= 1 && sorted, "migrations numbered 1..%d in order", last);
	ok(strncmp(db_migrations[0].name, "0001-", 5) == 0 &&
	    db_migrations[0].sql[0] != NULL, "migration 0001 has its SQL");
	return done_testing();
}
