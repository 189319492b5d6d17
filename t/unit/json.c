/*
 * Unit tests of lib/json.c: the validating tokenizer (an accept/reject
 * table), value access (json_get, json_str, json_num, json_i64) and the
 * writer (json_add_str, json_add_num).  Expected bytes are written out by
 * hand; numbers are checked against the C library's strtod(), never
 * against json.c itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "buf.h"
#include "json.h"
#include "rng.h"
#include "util.h"
#include "banned.h"

/* A string literal and its length, NUL bytes included. */
#define S(lit) lit, sizeof(lit) - 1

struct jcase {
	const char *s;
	size_t len;
	const char *err;	/* reject: part of the message, or NULL */
	const char *name;
};

static const struct jcase good[] = {
	{ S("{}"), NULL, "empty object" },
	{ S("{\"a\":1}"), NULL, "one member" },
	{ S(" \t{ \"a\" : 1 , \"b\" :\t[ 1 , 2 ] }\r"), NULL,
	    "blanks, tabs and a trailing CR" },
	{ S("{\"a\":{\"b\":{\"c\":[1,[2,[3,{}]],[]]}}}"), NULL, "nested" },
	{ S("{\"a\":[true,false,null,\"x\",-1.5e+3,{},[]]}"), NULL,
	    "array of every kind" },
	{ S("{\"\":\"\"}"), NULL, "empty key and value" },
	{ S("{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}"), NULL,
	    "all two-character escapes" },
	{ S("{\"s\":\"\\u0041\\u00e9\\u20AC\\u0000\\uffff\"}"), NULL,
	    "\\u escapes, both cases, U+0000, U+FFFF" },
	{ S("{\"s\":\"\\ud83d\\ude00\"}"), NULL, "surrogate pair" },
	{ S("{\"s\":\"\\uDBFF\\uDFFF\"}"), NULL, "surrogate pair U+10FFFF" },
	{ S("{\"\\u0061\\n\":1}"), NULL, "escapes in a key" },
	{ S("{\"s\":\"\xc2\x80 \xc3\xa9 \xdf\xbf\"}"), NULL,
	    "2-byte UTF-8 (U+0080, U+00E9, U+07FF)" },
	{ S("{\"s\":\"\xe0\xa0\x80 \xe2\x82\xac \xed\x9f\xbf \xee\x80\x80 "
	    "\xef\xbf\xbf\"}"), NULL,
	    "3-byte UTF-8 (U+0800, U+20AC, U+D7FF, U+E000, U+FFFF)" },
	{ S("{\"s\":\"\xf0\x90\x80\x80 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"}"),
	    NULL, "4-byte UTF-8 (U+10000, U+1F600, U+10FFFF)" },
	{ S("{\"\xc3\xa9\":\"\x7f\"}"), NULL, "UTF-8 key, DEL in a string" },
	{ S("{\"n\":-0}"), NULL, "-0" },
	{ S("{\"n\":0}"), NULL, "0" },
	{ S("{\"n\":1e5}"), NULL, "1e5" },
	{ S("{\"n\":1.5E-3}"), NULL, "1.5E-3" },
	{ S("{\"n\":1E+2}"), NULL, "1E+2" },
	{ S("{\"n\":-0.0e-0}"), NULL, "-0.0e-0" },
	{ S("{\"n\":0.5}"), NULL, "0.5" },
	{ S("{\"n\":123456789012345678901234567890}"), NULL, "30 digits" },
	{ S("{\"n\":1e400}"), NULL, "1e400 is valid JSON" },
	{ S("{\"a\":true,\"b\":false,\"c\":null}"), NULL, "literals" },
	{ S("{\"a\":1,\"a\":2}"), NULL, "duplicate keys" },
};

static const struct jcase bad[] = {
	{ S(""), NULL, "empty" },
	{ S("   "), NULL, "blanks only" },
	{ S("[]"), "not a JSON object", "empty array" },
	{ S("[1,2]"), "not a JSON object", "array" },
	{ S("\"str\""), "not a JSON object", "string" },
	{ S("1"), "not a JSON object", "number" },
	{ S("true"), "not a JSON object", "true" },
	{ S("null"), "not a JSON object", "null" },
	{ S("{\"a\":1}x"), "trailing", "trailing letter" },
	{ S("{\"a\":1}{}"), "trailing", "two objects" },
	{ S("{\"a\":1} 1"), "trailing", "trailing number" },
	{ S("{}}"), "trailing", "extra brace" },
	{ S("{\"a\":\"abc"), NULL, "unterminated string value" },
	{ S("{\"a\":\"abc}"), NULL, "unterminated string at brace" },
	{ S("{\"abc"), NULL, "unterminated key" },
	{ S("{\"a\":\"\\"), NULL, "backslash at the end" },
	{ S("{\"a\":\"\\\"}"), NULL, "escaped closing quote" },
	{ S("{\"a\":\"\\x41\"}"), "escape", "\\x" },
	{ S("{\"a\":\"\\u12\"}"), NULL, "\\u12" },
	{ S("{\"a\":\"\\u12\",\"b\":\"cd\"}"), "escape",
	    "\\u12 then more strings" },
	{ S("{\"a\":\"\\u12g4\"}"), "escape", "\\u with a non-hex digit" },
	{ S("{\"a\":\"\\U0041\"}"), "escape", "\\U" },
	{ S("{\"a\":\"\\'\"}"), "escape", "\\'" },
	{ S("{\"a\":\"\\ \"}"), "escape", "backslash space" },
	{ S("{\"a\":\"\\u\"}"), "escape", "bare \\u" },
	{ S("{\"a\":\"\\ud800\"}"), "escape", "lone high surrogate" },
	{ S("{\"a\":\"\\udc00\"}"), "escape", "lone low surrogate" },
	{ S("{\"a\":\"\\ud800x\"}"), "escape", "high surrogate then x" },
	{ S("{\"a\":\"\\ud800\\u0041\"}"), "escape",
	    "high surrogate then \\u0041" },
	{ S("{\"a\":\"\\ud800\\ud800\"}"), "escape", "two high surrogates" },
	{ S("{\"a\":\"\\ude00\\ud83d\"}"), "escape", "pair reversed" },
	{ S("{\"\\udfff\":1}"), "escape", "lone surrogate in a key" },
	{ S("{\"a\":\"\xc0\x80\"}"), "UTF-8", "overlong C0 80" },
	{ S("{\"a\":\"\xc1\xbf\"}"), "UTF-8", "overlong C1 BF" },
	{ S("{\"a\":\"\xe0\x80\x80\"}"), "UTF-8", "overlong E0 80 80" },
	{ S("{\"a\":\"\xe0\x9f\xbf\"}"), "UTF-8", "overlong E0 9F BF" },
	{ S("{\"a\":\"\xf0\x80\x80\x80\"}"), "UTF-8", "overlong F0 80 80 80" },
	{ S("{\"a\":\"\xf0\x8f\xbf\xbf\"}"), "UTF-8", "overlong F0 8F BF BF" },
	{ S("{\"a\":\"\xed\xa0\x80\"}"), "UTF-8", "surrogate ED A0 80" },
	{ S("{\"a\":\"\xed\xbf\xbf\"}"), "UTF-8", "surrogate ED BF BF" },
	{ S("{\"a\":\"\xf4\x90\x80\x80\"}"), "UTF-8", "above U+10FFFF" },
	{ S("{\"a\":\"\xf5\x80\x80\x80\"}"), "UTF-8", "byte F5" },
	{ S("{\"a\":\"\xf8\x88\x80\x80\x80\"}"), "UTF-8", "byte F8" },
	{ S("{\"a\":\"\xfe\"}"), "UTF-8", "byte FE" },
	{ S("{\"a\":\"\xff\"}"), "UTF-8", "byte FF" },
	{ S("{\"a\":\"\x80\"}"), "UTF-8", "lone continuation 80" },
	{ S("{\"a\":\"\xbf\xbf\"}"), "UTF-8", "lone continuations BF BF" },
	{ S("{\"a\":\"\xc3\"}"), "UTF-8", "truncated 2-byte" },
	{ S("{\"a\":\"\xe2\x82\"}"), "UTF-8", "truncated 3-byte" },
	{ S("{\"a\":\"\xf0\x9f\x98\"}"), "UTF-8", "truncated 4-byte" },
	{ S("{\"a\":\"\xc3\xa9\xe2"), NULL, "truncated at end of line" },
	{ S("{\"a\":\"\xc3\x41\"}"), "UTF-8", "lead byte then ASCII" },
	{ S("{\"\xff\":1}"), "UTF-8", "bad UTF-8 in a key" },
	{ S("{\"a\":\"x\x01y\"}"), "control", "raw 0x01" },
	{ S("{\"a\":\"x\x1fy\"}"), "control", "raw 0x1f" },
	{ S("{\"a\":\"x\ty\"}"), "control", "raw tab" },
	{ S("{\"a\":\"x\ny\"}"), "control", "raw newline" },
	{ S("{\"a\":\"x\0y\"}"), "control", "NUL inside a string" },
	{ S("{\"a\":\0}"), NULL, "NUL as a value" },
	{ S("{\"a\":1\0}"), NULL, "NUL after a value" },
	{ S("{\"a\":1}\0"), "trailing", "NUL after the object" },
	{ S("\0{\"a\":1}"), NULL, "NUL before the object" },
	{ S("{\"n\":01}"), NULL, "leading zero 01" },
	{ S("{\"n\":-01}"), NULL, "leading zero -01" },
	{ S("{\"n\":00}"), NULL, "00" },
	{ S("{\"n\":1.}"), NULL, "1." },
	{ S("{\"n\":.5}"), NULL, ".5" },
	{ S("{\"n\":-.5}"), NULL, "-.5" },
	{ S("{\"n\":+1}"), NULL, "+1" },
	{ S("{\"n\":-}"), NULL, "-" },
	{ S("{\"n\":--1}"), NULL, "--1" },
	{ S("{\"n\":1e}"), NULL, "1e" },
	{ S("{\"n\":1e+}"), NULL, "1e+" },
	{ S("{\"n\":1.e5}"), NULL, "1.e5" },
	{ S("{\"n\":1.5.5}"), NULL, "1.5.5" },
	{ S("{\"n\":1e5e5}"), NULL, "1e5e5" },
	{ S("{\"n\":0x10}"), NULL, "0x10" },
	{ S("{\"n\":1_000}"), NULL, "1_000" },
	{ S("{\"n\":NaN}"), NULL, "NaN" },
	{ S("{\"n\":Infinity}"), NULL, "Infinity" },
	{ S("{\"n\":-Infinity}"), NULL, "-Infinity" },
	{ S("{\"n\":1,\"m\":-}"), NULL, "- after a good member" },
	{ S("{\"a\":tru}"), NULL, "tru" },
	{ S("{\"a\":nulll}"), NULL, "nulll" },
	{ S("{\"a\":fals}"), NULL, "fals" },
	{ S("{\"a\":True}"), NULL, "True" },
	{ S("{\"a\":NULL}"), NULL, "NULL" },
	{ S("{\"a\":truex}"), NULL, "truex" },
	{ S("{\"a\":true1}"), NULL, "true1" },
	{ S("{\"a\":undefined}"), NULL, "undefined" },
	{ S("{\"a\" 1}"), NULL, "missing colon" },
	{ S("{\"a\"}"), NULL, "key without a value" },
	{ S("{\"a\":}"), NULL, "colon without a value" },
	{ S("{\"a\"::1}"), NULL, "two colons" },
	{ S("{\"a\":1 \"b\":2}"), NULL, "missing comma" },
	{ S("{\"a\":[1 2]}"), NULL, "missing comma in an array" },
	{ S("{\"a\":1,}"), NULL, "trailing comma" },
	{ S("{\"a\":[1,]}"), NULL, "trailing comma in an array" },
	{ S("{,\"a\":1}"), NULL, "leading comma" },
	{ S("{\"a\":[,1]}"), NULL, "leading comma in an array" },
	{ S("{\"a\":1,,\"b\":2}"), NULL, "two commas" },
	{ S("{\"a\":[1}"), NULL, "[ closed by }" },
	{ S("{\"a\":{\"b\":1]}"), NULL, "{ closed by ]" },
	{ S("{\"a\":1]"), NULL, "object closed by ]" },
	{ S("{\"a\":1"), NULL, "unclosed object" },
	{ S("{\"a\":[1,2"), NULL, "unclosed array" },
	{ S("{\"a\":{}"), NULL, "unclosed outer object" },
	{ S("{"), NULL, "lone {" },
	{ S("{\"a\":1]}"), NULL, "stray ]" },
	{ S("{1:2}"), NULL, "number key" },
	{ S("{a:1}"), NULL, "bare key" },
	{ S("{null:1}"), NULL, "null key" },
	{ S("{'a':1}"), NULL, "single quotes" },
	{ S("{\"a\":'b'}"), NULL, "single-quoted value" },
	{ S("{\"a\":1}//"), NULL, "comment after" },
	{ S("{/*c*/\"a\":1}"), NULL, "comment inside" },
	{ S("{\"a\":{\"b\":[1,{\"c\":}]}}"), NULL, "deep missing value" },
};

static void
test_table(void)
{
	struct json j = JSON_INIT;
	const char *err;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		/* an exact-size copy, so reading past the end shows in ASan */
		char *p = malloc(good[i].len ? good[i].len : 1);

		memcpy(p, good[i].s, good[i].len);
		err = NULL;
		rc = json_parse(&j, p, good[i].len, &err);
		if (!ok(rc == 0, "accept: %s", good[i].name))
			printf("#   err: %s\n", err ? err : "(null)");
		free(p);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *p = malloc(bad[i].len ? bad[i].len : 1);

		memcpy(p, bad[i].s, bad[i].len);
		err = NULL;
		rc = json_parse(&j, p, bad[i].len, &err);
		if (!ok(rc == -1 && err && *err && (!bad[i].err ||
		    strstr(err, bad[i].err)), "reject: %s", bad[i].name))
			printf("#   rc %d, err '%s', want '%s'\n", rc,
			    err ? err : "(null)",
			    bad[i].err ? bad[i].err : "(any)");
		free(p);
	}
	json_release(&j);
}

/* Run fn(arg) in a child with stderr silenced: its exit code, or 128+sig. */
static int
in_child(int (*fn)(const void *), const void *arg)
{
	pid_t pid;
	int st, fd;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 2);
		_exit(fn(arg));
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* 0 if the line is rejected as too deep, 1 if not rejected or wrong err */
static int
parse_deep(const void *arg)
{
	const struct buf *b = arg;
	struct json j = JSON_INIT;
	const char *err = NULL;
	int rc;

	rc = json_parse(&j, b->p, b->len, &err);
	json_release(&j);
	return rc == -1 && err && strstr(err, "deep") ? 0 : 1;
}

static void
test_deep(void)
{
	struct buf b = BUF_INIT;
	struct json j = JSON_INIT;
	const char *err = NULL;
	int i, rc;

	/* 100 levels: fine */
	buf_adds(&b, "{\"a\":");
	for (i = 0; i < 100; i++)
		buf_addc(&b, '[');
	for (i = 0; i < 100; i++)
		buf_addc(&b, ']');
	buf_addc(&b, '}');
	is_int(json_parse(&j, b.p, b.len, &err), 0, "100 nested arrays");

	buf_reset(&b);
	for (i = 0; i < 100000; i++)
		buf_addc(&b, '[');
	rc = json_parse(&j, b.p, b.len, &err);
	ok(rc == -1 && strstr(err, "not a JSON object"),
	    "100000 '[' at the top: not an object");

	buf_reset(&b);
	buf_adds(&b, "{\"a\":");
	for (i = 0; i < 100000; i++)
		buf_addc(&b, '[');
	is_int(in_child(parse_deep, &b), 0,
	    "{\"a\": then 100000 '[': rejected as too deep, no crash");

	buf_reset(&b);
	for (i = 0; i < 100000; i++)
		buf_adds(&b, "{\"a\":");
	is_int(in_child(parse_deep, &b), 0,
	    "100000 nested objects: rejected as too deep, no crash");

	/*
	 * Keys take a slot of the nesting stack too, but only containers
	 * check the depth: an object opened at depth 511 pushes its key at
	 * stack[512], and from then on "depth == 512" never matches again.
	 */
	buf_reset(&b);
	buf_adds(&b, "{\"a\":");
	for (i = 0; i < 509; i++)
		buf_addc(&b, '[');
	buf_adds(&b, "{\"a\":");
	for (i = 0; i < 100000; i++)
		buf_addc(&b, '[');
	rc = in_child(parse_deep, &b);
	if (!ok(rc == 0, "509 '[' then {\"a\": then 100000 '[': "
	    "rejected, no crash"))
		printf("#   child exit %d\n", rc);

	buf_reset(&b);
	buf_adds(&b, "{\"a\":");
	for (i = 0; i < 509; i++)
		buf_addc(&b, '[');
	buf_adds(&b, "{\"a\":1}");
	for (i = 0; i < 509; i++)
		buf_addc(&b, ']');
	buf_addc(&b, '}');
	rc = in_child(parse_deep, &b);
	if (!ok(rc == 0, "an object at depth 511: rejected as too deep"))
		printf("#   child exit %d (1: accepted)\n", rc);
	json_release(&j);
	buf_release(&b);
}

static void
test_tokens(void)
{
	static const char line[] =
	    "{\"a\":{\"b\":1,\"c\":{\"d\":2}},\"e\":[{\"f\":3},\"b\"],"
	    "\"g\":\"b\",\"h\":4,\"x\\\"y\":5}";
	struct json j = JSON_INIT;
	const char *err = NULL;
	double v = 0;
	int i;

	if (!ok(json_parse(&j, line, sizeof(line) - 1, &err) == 0,
	    "nested line parses"))
		return;
	is_int(j.tok[0].kind, JSON_OBJ, "token 0 is the object");
	is_int(j.tok[0].size, 5, "top level has 5 members");
	is_int(j.tok[0].next, j.ntok, "top object's next is the end");
	is_int(json_get(&j, "b"), -1, "json_get does not find inner key b");
	is_int(json_get(&j, "c"), -1, "json_get does not find inner key c");
	is_int(json_get(&j, "d"), -1, "json_get does not find inner key d");
	is_int(json_get(&j, "f"), -1, "json_get does not find key f in array");
	is_int(json_get(&j, "zz"), -1, "json_get: absent key");
	is_int(json_get(&j, ""), -1, "json_get: empty key absent");
	i = json_get(&j, "a");
	ok(i > 0 && j.tok[i].kind == JSON_OBJ && j.tok[i].size == 2,
	    "json_get a: an object of 2 members");
	i = json_get(&j, "e");
	ok(i > 0 && j.tok[i].kind == JSON_ARR && j.tok[i].size == 2,
	    "json_get e: an array of 2 elements");
	i = json_get(&j, "g");
	ok(i > 0 && json_eq(&j, i, "b"), "json_get g: the string b");
	i = json_get(&j, "h");
	ok(i > 0 && json_num(&j, i, &v) == 0 && v == 4, "json_get h: 4");
	i = json_get(&j, "x\\\"y");
	ok(i > 0 && json_num(&j, i, &v) == 0 && v == 5,
	    "json_get matches a key's raw (escaped) bytes");
	ok(json_num(&j, json_get(&j, "g"), &v) == -1,
	    "json_num of a string fails");
	ok(json_num(&j, -1, &v) == -1, "json_num of index -1 fails");
	i = json_get(&j, "a");
	ok(json_num(&j, json_member(&j, i, "b"), &v) == 0 && v == 1,
	    "json_member a.b: 1");
	is_int(json_member(&j, i, "d"), -1, "json_member: not two levels down");
	ok(j.tok[json_member(&j, i, "c")].kind == JSON_OBJ,
	    "json_member a.c: skips a.b to the object after it");
	is_int(json_member(&j, json_get(&j, "e"), "f"), -1,
	    "json_member of an array: -1");
	is_int(json_member(&j, -1, "b"), -1, "json_member of index -1: -1");
	is_int(json_member(&j, 0, "b"), -1, "json_member: inner keys unseen");
	ok(json_parse(&j, "{\"a\":null,\"b\":1}", 16, &err) == 0 &&
	    json_member(&j, 0, "a") == -1 && json_member(&j, 0, "b") == 4,
	    "json_member: a null value is absent");
	ok(json_parse(&j, line, sizeof(line) - 1, &err) == 0, "reparsed");

	err = NULL;
	ok(json_parse(&j, "{}", 2, &err) == 0 && j.ntok == 1 &&
	    json_get(&j, "a") == -1, "json_get on {}");
	json_release(&j);
}

/* json_find: the last member of a key, compared decoded. */
static void
test_find(void)
{
	static const char line[] =
	    "{\"hist\":true,\"x\":{\"hist\":1},\"h\\u0069st\":false,"
	    "\"x\\\"y\":5,\"hist2\":null,\"\\u00e9\":7}";
	struct json j = JSON_INIT;
	const char *err = NULL;
	double v = 0;
	int i;

	if (!ok(json_parse(&j, line, sizeof(line) - 1, &err) == 0,
	    "json_find: the line parses"))
		return;
	i = json_find(&j, "hist");
	ok(i > 0 && j.tok[i].kind == JSON_FALSE,
	    "json_find: the last of a repeated key, decoded (\\u0069)");
	is_int(json_get(&j, "hist"), 2, "json_get: the first, raw");
	i = json_find(&j, "x\"y");
	ok(i > 0 && json_num(&j, i, &v) == 0 && v == 5,
	    "json_find: an escaped quote decoded");
	i = json_find(&j, "\xc3\xa9");
	ok(i > 0 && json_num(&j, i, &v) == 0 && v == 7,
	    "json_find: \\u00e9 is UTF-8 e-acute");
	i = json_find(&j, "hist2");
	ok(i > 0 && j.tok[i].kind == JSON_NULL,
	    "json_find: hist2, a key of its own");
	is_int(json_find(&j, "his"), -1, "json_find: no prefix match");
	is_int(json_find(&j, "zz"), -1, "json_find: absent key");
	json_release(&j);
}

struct strcase {
	const char *json;	/* the value, quoted */
	const char *want;
	size_t wantlen;
	const char *name;
};

static const struct strcase strs[] = {
	{ "\"plain\"", S("plain"), "no escapes" },
	{ "\"\"", S(""), "empty" },
	{ "\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"",
	    S("a\"b\\c/d\be\ff\ng\rh\ti"), "two-character escapes" },
	{ "\"\\u0041\\u0062\"", S("Ab"), "\\u ASCII" },
	{ "\"\\u0000\"", S("\0"), "\\u0000 is a NUL byte" },
	{ "\"\\u001f\\u007f\"", S("\x1f\x7f"), "\\u001f \\u007f" },
	{ "\"\\u0080\"", S("\xc2\x80"), "U+0080 -> C2 80" },
	{ "\"\\u00e9\"", S("\xc3\xa9"), "U+00E9 -> C3 A9" },
	{ "\"\\u07FF\"", S("\xdf\xbf"), "U+07FF -> DF BF" },
	{ "\"\\u0800\"", S("\xe0\xa0\x80"), "U+0800 -> E0 A0 80" },
	{ "\"\\u20ac\"", S("\xe2\x82\xac"), "U+20AC -> E2 82 AC" },
	{ "\"\\ud7ff\\ue000\"", S("\xed\x9f\xbf\xee\x80\x80"),
	    "U+D7FF U+E000" },
	{ "\"\\uffff\"", S("\xef\xbf\xbf"), "U+FFFF -> EF BF BF" },
	{ "\"\\ud800\\udc00\"", S("\xf0\x90\x80\x80"),
	    "D800 DC00 -> U+10000 F0 90 80 80" },
	{ "\"\\ud83d\\ude00\"", S("\xf0\x9f\x98\x80"),
	    "D83D DE00 -> U+1F600 F0 9F 98 80" },
	{ "\"\\uDBFF\\uDFFF\"", S("\xf4\x8f\xbf\xbf"),
	    "DBFF DFFF -> U+10FFFF F4 8F BF BF" },
	{ "\"x\\ud83d\\ude00y\\u00e9\"", S("x\xf0\x9f\x98\x80y\xc3\xa9"),
	    "mixed text" },
	{ "\"\xc3\xa9\xe2\x82\xac\\n\"", S("\xc3\xa9\xe2\x82\xac\n"),
	    "raw UTF-8 kept" },
};

static void
test_str(void)
{
	struct json j = JSON_INIT;
	struct buf line = BUF_INIT, out = BUF_INIT;
	const char *err;
	size_t i;
	int k;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		buf_reset(&line);
		buf_reset(&out);
		buf_adds(&line, "{\"k\":");
		buf_adds(&line, strs[i].json);
		buf_addc(&line, '}');
		err = NULL;
		if (json_parse(&j, line.p, line.len, &err) < 0) {
			ok(0, "json_str: %s (parse: %s)", strs[i].name, err);
			continue;
		}
		k = json_get(&j, "k");
		ok(json_str(&j, k, &out) == 0 && out.len == strs[i].wantlen &&
		    memcmp(out.p, strs[i].want, out.len) == 0 &&
		    out.p[out.len] == '\0', "json_str: %s", strs[i].name);
	}
	/* appends, does not reset */
	buf_reset(&out);
	buf_adds(&out, "pre:");
	err = NULL;
	json_parse(&j, "{\"k\":\"v\\n\",\"n\":1}", 17, &err);
	ok(json_str(&j, json_get(&j, "k"), &out) == 0 &&
	    strcmp(out.p, "pre:v\n") == 0, "json_str appends");
	buf_reset(&out);
	is_int(json_str(&j, json_get(&j, "n"), &out), -1,
	    "json_str of a number fails");
	is_int(json_str(&j, -1, &out), -1, "json_str of -1 fails");
	is_int(json_str(&j, 99, &out), -1, "json_str past the tokens fails");
	json_release(&j);
	buf_release(&line);
	buf_release(&out);
}

/* json_add_num(v) as a C string in a static buffer */
static const char *
addnum(double v)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	json_add_num(&b, v);
	return buf_cstr(&b);
}

/* Parse {"v":num} and return json_num's result, *v its value. */
static int
num_of(struct json *j, struct buf *line, const char *num, double *v)
{
	const char *err = NULL;

	buf_reset(line);
	buf_adds(line, "{\"v\":");
	buf_adds(line, num);
	buf_addc(line, '}');
	if (json_parse(j, line->p, line->len, &err) < 0)
		return -2;
	return json_num(j, json_get(j, "v"), v);
}

static int
same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

/* prefix, nz zeros, suffix: json_num must equal strtod bit for bit */
static void
long_number(struct json *j, const char *pre, int nz, const char *suf,
    const char *name)
{
	struct buf num = BUF_INIT, line = BUF_INIT;
	double v = 7, w;
	int i, rc;

	buf_adds(&num, pre);
	for (i = 0; i < nz; i++)
		buf_addc(&num, '0');
	buf_adds(&num, suf);
	w = strtod(buf_cstr(&num), NULL);
	rc = num_of(j, &line, num.p, &v);
	if (!ok(rc == 0 && same_bits(v, w), "json_num of %s == strtod",
	    name))
		printf("#   got %.17g want %.17g\n", v, w);
	buf_release(&num);
	buf_release(&line);
}

/* A random JSON number: up to 17 significant digits, maybe an exponent. */
static void
random_number(struct rng *r, char *out, size_t cap)
{
	char dig[24];
	int nd, ip, i, lz, e;
	size_t n = 0;

	nd = 1 + (int)(rng_next(r) % 17);
	for (i = 0; i < nd; i++)
		dig[i] = (char)('0' + rng_next(r) % 10);
	if (dig[0] == '0')
		dig[0] = (char)('1' + rng_next(r) % 9);
	if (rng_next(r) % 2)
		out[n++] = '-';
	/* how many digits go before the point */
	ip = (int)(rng_next(r) % (unsigned)(nd + 1));
	if (ip == 0) {
		out[n++] = '0';
		out[n++] = '.';
		lz = (int)(rng_next(r) % 6);
		for (i = 0; i < lz; i++)
			out[n++] = '0';
		for (i = 0; i < nd; i++)
			out[n++] = dig[i];
	} else {
		for (i = 0; i < ip; i++)
			out[n++] = dig[i];
		if (ip < nd) {
			out[n++] = '.';
			for (i = ip; i < nd; i++)
				out[n++] = dig[i];
		}
	}
	switch (rng_next(r) % 4) {
	case 0:
		break;
	case 1:		/* a small exponent */
		e = (int)(rng_next(r) % 61) - 30;
		n += (size_t)snprintf(out + n, cap - n, "%s%d",
		    rng_next(r) % 2 ? "e" : "E", e);
		break;
	case 2:		/* a sign on the exponent */
		e = (int)(rng_next(r) % 23);
		n += (size_t)snprintf(out + n, cap - n, "e%c%d",
		    rng_next(r) % 2 ? '+' : '-', e);
		break;
	default:	/* anywhere in the double range, subnormals too */
		e = (int)(rng_next(r) % 630) - 325;
		n += (size_t)snprintf(out + n, cap - n, "e%d", e);
		break;
	}
	out[n] = '\0';
}

/* No exponent, up to 15 digits of which up to 9 decimals. */
static int
plain_shape(const char *s)
{
	const char *dot = strchr(s, '.');
	size_t nd = 0;

	if (strpbrk(s, "eE"))
		return 0;
	for (; *s; s++)
		nd += *s >= '0' && *s <= '9';
	return nd <= 15 && (!dot || strlen(dot + 1) <= 9);
}

static void
test_num(void)
{
	static const struct {
		const char *s;
		int want;
	} canon[] = {
		{ "447.3422", 1 }, { "100", 1 }, { "0.5", 1 }, { "0", 1 },
		{ "-2.5", 1 }, { "0.0001", 1 }, { "123456789012345", 1 },
		{ "0.123456789", 1 }, { "-0", 0 }, { "1e5", 0 }, { "1E5", 0 },
		{ "1.50", 0 }, { "0.0", 0 }, { "0.00001", 0 },
		{ "1234567890123456", 0 }, { "0.1234567891", 0 },
		{ "1000000000000000", 0 }, { "0.00012", 1 }, { "0.000012", 0 },
		{ "-0.5", 1 }, { "-0.00001", 0 }, { "-0.0001", 1 }, { "10", 1 },
		{ "100000000000000.5", 0 }, { "0.1000000001", 0 },
	};
	static const char *const fixed[] = {
		"0", "-0", "1", "-1", "0.1", "0.2", "0.3", "447.3422",
		"1e5", "1.5E-3", "123456789012345", "1234567890123456",
		"12345678901234567", "9007199254740993", "0.000001",
		"1e-7", "1e21", "1e22", "1e23", "2.2250738585072011e-308",
		"2.2250738585072014e-308", "4.9406564584124654e-324",
		"5e-324", "1.7976931348623157e308", "1e-400",
		"0.30000000000000004", "999999999999999.9",
		"1.00000000000000011102230246251565404236316680908203125",
	};
	struct json j = JSON_INIT;
	struct buf line = BUF_INIT;
	struct rng r;
	char num[64];
	double v, w;
	size_t i;
	int n, nbad = 0, rc, ncanon = 0, ncanonbad = 0, nplainbad = 0;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		v = 7;
		rc = num_of(&j, &line, fixed[i], &v);
		w = strtod(fixed[i], NULL);
		if (!ok(rc == 0 && same_bits(v, w), "json_num %s == strtod",
		    fixed[i]))
			printf("#   rc %d got %.17g want %.17g\n", rc, v, w);
	}
	v = 0;
	ok(num_of(&j, &line, "-0", &v) == 0 && signbit(v),
	    "json_num -0 is negative zero");
	is_int(num_of(&j, &line, "1e400", &v), -1, "json_num 1e400 fails");
	is_int(num_of(&j, &line, "-1e400", &v), -1, "json_num -1e400 fails");
	for (i = 0; i < sizeof(canon) / sizeof(canon[0]); i++) {
		num_of(&j, &line, canon[i].s, &v);
		w = 7;
		rc = json_num_canon(&j, json_get(&j, "v"), &w);
		if (!ok(rc == canon[i].want && same_bits(v, w),
		    "json_num_canon %s is %d", canon[i].s, canon[i].want))
			printf("#   got %d, %.17g\n", rc, w);
		is_int(json_num_plain(canon[i].s, strlen(canon[i].s)),
		    canon[i].want == 1, "json_num_plain %s", canon[i].s);
	}
	rc = num_of(&j, &line, "1e400", &v);
	is_int(json_num_canon(&j, json_get(&j, "v"), &v), -1,
	    "json_num_canon 1e400 fails");

	/* numbers longer than any buffer: json_num must still be exact */
	long_number(&j, "1", 70, "", "1 and 70 zeros");
	long_number(&j, "0.", 70, "25", "0. 70 zeros 25");
	long_number(&j, "1.", 70, "1e5", "1. 70 zeros 1e5");

	rng_seed(&r, 20240301);
	for (n = 0; n < 100000; n++) {
		random_number(&r, num, sizeof(num));
		v = 7;
		rc = num_of(&j, &line, num, &v);
		w = strtod(num, NULL);
		if (!isfinite(w)) {
			if (rc != -1 && nbad++ < 5)
				printf("# %s: rc %d, want -1\n", num, rc);
			continue;
		}
		if ((rc != 0 || !same_bits(v, w)) && nbad++ < 5)
			printf("# %s: rc %d got %.17g want %.17g\n", num, rc, v,
			    w);
		/*
		 * and the other way: a plain number (no exponent, up to 15
		 * digits, 9 decimals) that the writer gives back as it is,
		 * -0 aside, is one json_num_plain() takes
		 */
		if (plain_shape(num) && !(v == 0 && signbit(v)) &&
		    (strcmp(addnum(v), num) == 0) !=
		    json_num_plain(num, strlen(num)) && nplainbad++ < 5)
			printf("# %s: written %s, json_num_plain %d\n", num,
			    addnum(v), json_num_plain(num, strlen(num)));
		if (json_num_canon(&j, json_get(&j, "v"), &v) == 1) {
			ncanon++;
			if (strcmp(addnum(v), num) != 0 && ncanonbad++ < 5)
				printf("# canonical %s is written %s\n", num,
				    addnum(v));
		}
	}
	is_int(nbad, 0, "json_num == strtod bit for bit on 100000 random "
	    "numbers");
	is_int(ncanonbad, 0, "json_num_canon 1 only when json_add_num writes "
	    "the same text (%d of 100000 were canonical)", ncanon);
	is_int(nplainbad, 0, "json_num_plain takes every plain random number "
	    "that json_add_num writes back as it is, and no other");
	json_release(&j);
	buf_release(&line);
}

static void
test_i64(void)
{
	struct json j = JSON_INIT;
	struct buf line = BUF_INIT;
	const char *err;
	int64_t v;
	double d;

#define I64(num, min, max) (num_of(&j, &line, num, &d), \
	json_i64(&j, json_get(&j, "v"), min, max, &v))
	ok(I64("42", 0, 100) == 0 && v == 42, "json_i64 42");
	ok(I64("-7", -10, 10) == 0 && v == -7, "json_i64 -7");
	ok(I64("1e3", 0, 10000) == 0 && v == 1000, "json_i64 1e3");
	ok(I64("-0", 0, 10) == 0 && v == 0, "json_i64 -0");
	is_int(I64("1.5", 0, 10), -1, "json_i64 1.5 fails");
	is_int(I64("101", 0, 100), -1, "json_i64 above max fails");
	is_int(I64("-1", 0, 100), -1, "json_i64 below min fails");
	is_int(I64("1e400", 0, 100), -1, "json_i64 1e400 fails");
	err = NULL;
	json_parse(&j, "{\"v\":\"5\"}", 9, &err);
	is_int(json_i64(&j, json_get(&j, "v"), 0, 10, &v), -1,
	    "json_i64 of a string fails");
	v = 0;
	ok(I64("1704205800123456789", 0, INT64_MAX) == 0 &&
	    v == 1704205800123456789LL,
	    "json_i64 keeps all 19 digits of a ns time");
	if (v != 1704205800123456789LL)
		printf("#   got %lld\n", (long long)v);
	v = 0;
	ok(I64("9223372036854775807", INT64_MIN, INT64_MAX) == 0 &&
	    v == INT64_MAX, "json_i64 INT64_MAX");
	if (v != INT64_MAX)
		printf("#   got %lld\n", (long long)v);
#undef I64
	json_release(&j);
	buf_release(&line);
}

static void
test_add_num(void)
{
	static const struct {
		double v;
		const char *want;
	} shortest[] = {
		{ 447.3422, "447.3422" }, { 100, "100" }, { 0.5, "0.5" },
		{ 0.1, "0.1" }, { 0, "0" }, { -2.5, "-2.5" }, { 1, "1" },
		{ 180.51, "180.51" }, { 0.0001, "0.0001" }, { 1e-7, "1e-07" },
		{ 12345.6789, "12345.6789" }, { 0.3, "0.3" },
		{ 99999999.99, "99999999.99" }, { 1e21, "1e+21" },
		{ 0.30000000000000004, "0.30000000000000004" },
		{ 1.7976931348623157e308, "1.7976931348623157e+308" },
	};
	static const double specials[] = {
		447.3422, 0.1, 1e-7, 1e21, 1e22, 1e23, -0.0, 5e-324,
		DBL_MAX, -DBL_MAX, DBL_MIN, DBL_EPSILON, 1e15, 1e15 + 0.5,
		9007199254740992.0, 9007199254740993.0, 123456789012345.6,
		0.000123, 1e-5, 2.5e-5, 1.0 / 3, 2.0 / 3, 100.0 / 3,
		4.35, 0.07, 1e300, 1e-300, 2.2250738585072011e-308,
	};
	struct json j = JSON_INIT;
	struct buf line = BUF_INIT;
	struct rng r;
	const char *s;
	char want[40];
	uint64_t bits;
	double v, w;
	size_t i;
	int n, nbad, rc, d, k;

	for (i = 0; i < sizeof(shortest) / sizeof(shortest[0]); i++)
		is_str(addnum(shortest[i].v), shortest[i].want,
		    "json_add_num %s", shortest[i].want);
	s = addnum(5e-324);
	if (!ok(strcmp(s, "5e-324") == 0, "json_add_num 5e-324 is "
	    "shortest"))
		printf("#   got '%s'\n", s);
	s = addnum(-0.0);
	ok(strcmp(s, "-0") == 0, "json_add_num -0.0 keeps the sign");
	if (strcmp(s, "-0") != 0)
		printf("#   got '%s'\n", s);
	is_str(addnum(NAN), "null", "json_add_num NaN is null");
	is_str(addnum(INFINITY), "null", "json_add_num inf is null");
	is_str(addnum(-INFINITY), "null", "json_add_num -inf is null");

	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
		s = addnum(specials[i]);
		w = strtod(s, NULL);
		rc = num_of(&j, &line, s, &v);
		if (!ok(w == specials[i] && rc == 0 && v == specials[i],
		    "json_add_num %.17g round-trips as %s", specials[i], s))
			printf("#   reads back %.17g, json rc %d\n", w, rc);
	}

	/* random bit patterns: strtod(output) == input, output is JSON */
	rng_seed(&r, 7);
	nbad = 0;
	for (n = 0; n < 100000; n++) {
		bits = rng_next(&r);
		memcpy(&v, &bits, sizeof(v));
		if (!isfinite(v))
			continue;
		s = addnum(v);
		w = strtod(s, NULL);
		if (w != v && nbad++ < 5)
			printf("# %.17g -> %s -> %.17g\n", v, s, w);
		if (n % 10 == 0 && (num_of(&j, &line, s, &w) != 0 || w != v) &&
		    nbad++ < 5)
			printf("# %s is not a JSON number for %.17g\n", s, v);
	}
	is_int(nbad, 0, "json_add_num round-trips 100000 random doubles");

	/* random prices with up to 4 decimals come out as written */
	nbad = 0;
	for (n = 0; n < 100000; n++) {
		long long m = (long long)(rng_next(&r) % 1000000000ULL);
		char *p;

		d = (int)(rng_next(&r) % 5);
		k = snprintf(want, sizeof(want), "%lld", m);
		if (d > 0 && k <= d) {
			/* left-pad with zeros so there is an integer digit */
			memmove(want + (d - k + 1), want, (size_t)k + 1);
			memset(want, '0', (size_t)(d - k + 1));
			k = d + 1;
		}
		if (d > 0) {
			memmove(want + k - d + 1, want + k - d, (size_t)d + 1);
			want[k - d] = '.';
			/* trim trailing zeros and a bare point */
			p = want + strlen(want) - 1;
			while (*p == '0')
				*p-- = '\0';
			if (*p == '.')
				*p = '\0';
		}
		if (m == 0 || strtod(want, NULL) < 1e-4)
			continue;
		s = addnum(strtod(want, NULL));
		if (strcmp(s, want) != 0 && nbad++ < 5)
			printf("# want %s got %s\n", want, s);
	}
	is_int(nbad, 0, "json_add_num writes 100000 random prices as typed");
	json_release(&j);
	buf_release(&line);
}

static void
test_add_str(void)
{
	static const char utf8[][5] = {
		"a", "Z", " ", "\"", "\\", "/", "\x01", "\x1f", "\n", "\t",
		"\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\0",
	};
	struct json j = JSON_INIT;
	struct buf b = BUF_INIT, line = BUF_INIT, out = BUF_INIT;
	struct rng r;
	const char *err;
	char in[256];
	size_t n, len, i, nbad = 0;
	int t;

#define ADDSTR(lit) (buf_reset(&b), json_add_str(&b, S(lit)), buf_cstr(&b))
	is_str(ADDSTR("plain"), "\"plain\"", "json_add_str plain");
	is_str(ADDSTR(""), "\"\"", "json_add_str empty");
	is_str(ADDSTR("a\"b"), "\"a\\\"b\"", "json_add_str quote");
	is_str(ADDSTR("a\\b"), "\"a\\\\b\"", "json_add_str backslash");
	is_str(ADDSTR("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"",
	    "json_add_str short escapes");
	is_str(ADDSTR("\x1f"), "\"\\u001f\"", "json_add_str 0x1f as \\u001f");
	is_str(ADDSTR("\x01\x0b\x10"), "\"\\u0001\\u000b\\u0010\"",
	    "json_add_str other control bytes");
	is_str(ADDSTR("a/b\x7f\xc3\xa9"), "\"a/b\x7f\xc3\xa9\"",
	    "json_add_str leaves /, DEL and UTF-8 alone");
	buf_reset(&b);
	json_add_str(&b, "x\0y", 3);
	is_str(buf_cstr(&b), "\"x\\u0000y\"", "json_add_str NUL as \\u0000");
	buf_reset(&b);
	buf_adds(&b, "pre");
	json_add_str(&b, "q", 1);
	is_str(buf_cstr(&b), "pre\"q\"", "json_add_str appends");
#undef ADDSTR

	/* random valid UTF-8 strings re-parse to the same bytes */
	rng_seed(&r, 99);
	for (t = 0; t < 20000; t++) {
		len = 0;
		n = rng_next(&r) % 40;
		for (i = 0; i < n; i++) {
			const char *c = utf8[rng_next(&r) %
			    (sizeof(utf8) / sizeof(utf8[0]))];
			size_t cl = *c ? strlen(c) : 1;

			memcpy(in + len, c, cl);
			len += cl;
		}
		buf_reset(&line);
		buf_adds(&line, "{\"s\":");
		json_add_str(&line, in, len);
		buf_addc(&line, '}');
		buf_reset(&out);
		err = NULL;
		if (json_parse(&j, line.p, line.len, &err) < 0 ||
		    json_str(&j, json_get(&j, "s"), &out) < 0 ||
		    out.len != len || memcmp(out.p, in, len) != 0) {
			if (nbad++ < 5)
				printf("# %.*s: %s\n", (int)line.len, line.p,
				    err ? err : "differs");
		}
	}
	is_int(nbad, 0, "json_add_str output re-parses to the same bytes "
	    "(20000 random strings)");
	json_release(&j);
	buf_release(&b);
	buf_release(&line);
	buf_release(&out);
}

static void
test_utf8_check(void)
{
	is_int(json_utf8_check((const unsigned char *)"abc\xc3\xa9", 5), 0,
	    "json_utf8_check valid");
	is_int(json_utf8_check((const unsigned char *)"", 0), 0,
	    "json_utf8_check empty");
	is_int(json_utf8_check((const unsigned char *)"\xc3\xa9", 1), -1,
	    "json_utf8_check truncated by the length");
	is_int(json_utf8_check((const unsigned char *)"\xed\xa0\x80", 3), -1,
	    "json_utf8_check surrogate");
	is_int(json_utf8_check((const unsigned char *)"\xf4\x90\x80\x80", 4),
	    -1, "json_utf8_check above U+10FFFF");
	is_int(json_utf8_check((const unsigned char *)"\xe0\x80\x80", 3), -1,
	    "json_utf8_check overlong");
}

/*
 * json_scan_num() against json_parse() and json_num() on random strings of
 * number characters: the same verdict (finite numbers only) and the same
 * double, bit for bit.
 */
static void
test_scan_num(void)
{
	static const char ch[] = "0123456789012345678901234567890.-+eE";
	struct json j = JSON_INIT;
	char line[64], num[40];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	const char *err, *q;
	double a, b;
	int i, k, n, nbad = 0, ngood = 0;

	for (i = 0; i < 300000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n = 1 + (int)(x % 24);
		for (k = 0; k < n; k++)
			num[k] = ch[(x >> (k % 8 * 8)) % (sizeof(ch) - 1) ^
			    (uint64_t)k % 3];
		if (i % 2 == 0) {	/* mostly digits: plausible prices */
			for (k = 0; k < n; k++)
				num[k] = (char)('0' + (x >> (k * 2)) % 10);
			if (n > 2 && (x >> 50) % 2)
				num[(x >> 52) % (uint64_t)(n - 1) + 1] = '.';
			if (num[0] == '0' && n > 1 && num[1] != '.')
				num[0] = '1';
		}
		snprintf(line, sizeof(line), "{\"a\":%.*s}", n, num);
		q = json_scan_num(line + 5, line + 5 + n, &a);
		if (json_parse(&j, line, strlen(line), &err) == 0 &&
		    json_num(&j, 2, &b) == 0) {
			ngood++;
			if (q != line + 5 + n || memcmp(&a, &b, sizeof(a)))
				nbad++;
		} else if (q == line + 5 + n) {
			nbad++;
		}
	}
	is_int(nbad, 0, "json_scan_num agrees with json_num on %d strings "
	    "(%d numbers)", i, ngood);
	json_release(&j);
}

/* json_parse_frame(): an array at the top, '\n' a blank; lines keep both
 * out. */
static void
test_frame(void)
{
	static const char fr[] = "[\n {\"T\":\"t\",\n  \"c\":[\"@\","
	    "\r\n\"I\"]},"
	    "\n {\"T\":\"q\"}\n]\n";
	struct json j = JSON_INIT;
	const char *err = NULL;
	int rc;

	rc = json_parse_frame(&j, fr, sizeof(fr) - 1, &err);
	is_int(rc, 0, "frame: an array with newlines between tokens parses");
	ok(rc == 0 && j.tok[0].kind == JSON_ARR && j.tok[0].size == 2 &&
	    j.tok[1].kind == JSON_OBJ && j.tok[j.tok[1].next].kind == JSON_OBJ,
	    "frame: two objects in the array");
	ok(rc == 0 && json_eq(&j, json_member(&j, 1, "T"), "t"),
	    "frame: the first's member");
	is_int(json_parse_frame(&j, "{\"a\":\n1}", 8, &err), 0,
	    "frame: an object too");
	err = "";
	is_int(json_parse(&j, fr, sizeof(fr) - 1, &err), -1,
	    "line: an array is refused");
	is_str(err, "not a JSON object", "line: its reason");
	is_int(json_parse(&j, "{\"a\":\n1}", 8, &err), -1,
	    "line: a newline is not a blank");
	is_int(json_parse_frame(&j, "[1]\n[2]", 7, &err), -1,
	    "frame: two values refused");
	is_str(err, "trailing data after the JSON value", "frame: the reason");
	is_int(json_parse_frame(&j, "\"x\"", 3, &err), -1,
	    "frame: a string refused");
	is_str(err, "not a JSON array or object", "frame: its reason");
	is_int(json_parse_frame(&j, "[\"a\nb\"]", 7, &err), -1,
	    "frame: a newline inside a string is still refused");
	json_release(&j);
}

/* a random piece of a frame from a list, into b */
static void
pick(struct rng *r, struct buf *b, const char *const *v, size_t n)
{
	buf_adds(b, v[rng_next(r) % n]);
}

/* a random member value, usual or not */
static void
rand_value(struct rng *r, struct buf *b)
{
	static const char *const scalars[] = {
		"\"AAPL\"", "\"D\"", "\"\"", "\"2021-02-22T15:51:44.208Z\"",
		"\"a\\\"b\"", "\"\xc3\xa9t\xc3\xa9\"", "\"tab\there\"",
		"126.55",
		"100", "-0", "1e5", "0.0001", "01", "1.", "-", "true", "false",
		"null", "tru", "nullx", "96921", "\"x\x7fy\"",
	};
	static const char *const others[] = {
		"[]", "[\"@\",\"I\"]", "[1,2.5,true,null]", "[[1]]", "[{}]",
		"{}", "{\"a\":1}", "[\"a\",]", "[,]", "[\"\\u0041\"]",
	};
	char num[64];

	switch (rng_next(r) % 4) {
	case 0:
		pick(r, b, others, sizeof(others) / sizeof(others[0]));
		break;
	case 1:
		random_number(r, num, sizeof(num));
		buf_adds(b, num);
		break;
	default:
		pick(r, b, scalars, sizeof(scalars) / sizeof(scalars[0]));
		break;
	}
}

/*
 * json_parse_flat() against json_parse_frame() on random frames: when the
 * first takes a frame, the second must take it too, with the very same
 * tokens; what the first leaves, the second reads (or refuses) alone.
 */
static void
test_flat(void)
{
	static const char *const keys[] = {
		"T", "S", "p", "s", "t", "bp", "conditions", "", "a\\\"b",
		"\xc3\xa9", "x y",
	};
	static const char *const blanks[] = { " ", "\n", "\t", "\r\n" };
	struct json a = JSON_INIT, b = JSON_INIT;
	struct buf fr = BUF_INIT;
	struct rng r;
	const char *err;
	int n, o, m, nobj, nmem, rf, rp, nflat = 0, nbad = 0, i;

	rng_seed(&r, 7692);
	for (n = 0; n < 20000; n++) {
		buf_reset(&fr);
		buf_addc(&fr, '[');
		nobj = 1 + (int)(rng_next(&r) % 4);
		for (o = 0; o < nobj; o++) {
			buf_adds(&fr, o ? ",{" : "{");
			nmem = (int)(rng_next(&r) % 6);
			for (m = 0; m < nmem; m++) {
				if (m)
					buf_addc(&fr, ',');
				buf_addc(&fr, '"');
				/* mostly usual keys, now and then not */
				if (rng_next(&r) % 8)
					pick(&r, &fr, keys, 6);
				else
					pick(&r, &fr, keys, sizeof(keys) /
					    sizeof(keys[0]));
				buf_adds(&fr, "\":");
				if (rng_next(&r) % 3)
					buf_adds(&fr, "\"v\"");
				else
					rand_value(&r, &fr);
			}
			buf_addc(&fr, '}');
		}
		buf_addc(&fr, ']');
		/* now and then: a blank somewhere, a byte changed, a cut */
		switch (rng_next(&r) % 10) {
		case 0:
			i = (int)(rng_next(&r) % (fr.len + 1));
			buf_addc(&fr, ' ');
			memmove(fr.p + i + 1, fr.p + i, fr.len - 1 - (size_t)i);
			fr.p[i] = blanks[rng_next(&r) % 4][0];
			break;
		case 1:
			fr.p[rng_next(&r) % fr.len] =
			    (char)(rng_next(&r) % 256);
			break;
		case 2:
			fr.len = rng_next(&r) % fr.len;
			break;
		default:
			break;
		}
		rf = json_parse_flat(&a, fr.p, fr.len);
		rp = json_parse_frame(&b, fr.p, fr.len, &err);
		if (!rf)
			continue;
		nflat++;
		if (rp != 0 || a.ntok != b.ntok) {
			if (nbad++ < 5)
				printf("# flat took %.*s: frame %d, %d and %d "
				    "tokens\n", (int)fr.len, fr.p, rp, a.ntok,
				    b.ntok);
			continue;
		}
		for (i = 0; i < a.ntok; i++) {
			const struct json_tok *x = &a.tok[i], *y = &b.tok[i];

			if (x->kind != y->kind || x->start != y->start ||
			    x->end != y->end || x->size != y->size ||
			    x->next != y->next || x->esc != y->esc) {
				if (nbad++ < 5)
					printf("# %.*s: token %d differs\n",
					    (int)fr.len, fr.p, i);
				break;
			}
		}
	}
	is_int(nbad, 0, "json_parse_flat: the tokens of json_parse_frame on "
	    "every frame it takes");
	ok(nflat > 2000 && nflat < 18000, "json_parse_flat took %d of 20000 "
	    "random frames and left the others", nflat);
	is_int(json_parse_flat(&a, "[{\"T\":\"t\"}]\n", 12), 0,
	    "json_parse_flat leaves a frame with a newline after it");
	is_int(json_parse_flat(&a, "[{\"T\":\"t\"}]", 11), 1,
	    "json_parse_flat takes the plainest frame");
	json_release(&a);
	json_release(&b);
	buf_release(&fr);
}

int
main(void)
{
	test_table();
	test_deep();
	test_tokens();
	test_find();
	test_str();
	test_num();
	test_i64();
	test_add_num();
	test_add_str();
	test_utf8_check();
	test_scan_num();
	test_frame();
	test_flat();
	return done_testing();
}
