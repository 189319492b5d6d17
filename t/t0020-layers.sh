#!/bin/sh
test_description='make lint keeps the layers of lib/

scripts/check-style reads the layer table at the head of lib/README.md
and rejects an #include in lib/ that goes up a layer or sideways, a file
missing from the table and a row naming a file that does not exist.  It
runs here on scratch trees: a small one made up for each rule, and a copy
of the real lib/ with the old util -> ndjson include put back.'
. "$(dirname "$0")/test-lib.sh"

# A made-up lib/ of three layers: base (a.h a.c), mid (b.h b.c b_more.c)
# and top (c.h c.c).  Each .c includes what the table allows.
test_expect_success 'setup: a small tree that keeps its layers' '
	mkdir -p good/lib good/scripts &&
	cp "$SRC_DIR/scripts/check-style" good/scripts/ &&
	cat >good/lib/README.md <<-\EOF &&
	# lib/

	| layer | module | files | what it is |
	|------:|--------|-------|------------|
	| 0 | a | a.h a.c | the base |
	| 1 | b | b.h b.c b_more.c | the middle |
	| 1 | b2 | b2.h b2.c | beside b |
	| 2 | c | c.h c.c | the top |
	EOF
	printf "/* banned */\n" >good/lib/banned.h &&
	for m in a b b2 c
	do
		printf "/* %s */\n" $m >good/lib/$m.h || return 1
	done &&
	printf "#include \"a.h\"\n#include \"banned.h\"\n" >good/lib/a.c &&
	printf "#include \"a.h\"\n#include \"b.h\"\n#include \"banned.h\"\n" \
		>good/lib/b.c &&
	printf "#include \"b.h\"\n#include \"banned.h\"\n" >good/lib/b_more.c &&
	printf "#include \"a.h\"\n#include \"b2.h\"\n#include \"banned.h\"\n" \
		>good/lib/b2.c &&
	printf "#include \"b.h\"\n#include \"b2.h\"\n#include \"a.h\"\n" \
		>good/lib/c.h &&
	printf "#include \"c.h\"\n#include \"banned.h\"\n" >good/lib/c.c &&
	(cd good && scripts/check-style) >out 2>&1 &&
	test_must_be_empty out
'

# fresh NAME: a copy of the good tree
fresh () {
	rm -rf "$1" && cp -R good "$1"
}

test_expect_success 'an include that goes up a layer fails' '
	fresh up &&
	printf "#include \"a.h\"\n#include \"c.h\"\n#include \"banned.h\"\n" \
		>up/lib/b.c &&
	(cd up && test_must_fail scripts/check-style) >out 2>&1 &&
	test_grep "^lib/b.c:2: includes \"c.h\" (c, layer 2) from b, layer 1" \
		out &&
	test_line_count = 1 out
'

test_expect_success 'a header that goes up a layer fails too' '
	fresh uph &&
	printf "#include \"b.h\"\n" >uph/lib/a.h &&
	(cd uph && test_must_fail scripts/check-style) >out 2>&1 &&
	test_grep "^lib/a.h:1: includes \"b.h\" (b, layer 1) from a, layer 0" \
		out
'

test_expect_success 'an include of the same layer, another module, fails' '
	fresh side &&
	printf "#include \"b2.h\"\n#include \"banned.h\"\n" >side/lib/b_more.c &&
	(cd side && test_must_fail scripts/check-style) >out 2>&1 &&
	test_grep "^lib/b_more.c:1: includes \"b2.h\" (b2, layer 1) from b," out
'

test_expect_success 'include with blanks after the # is read too' '
	fresh blank &&
	printf "#  include \"c.h\"\n#include \"banned.h\"\n" >blank/lib/a.c &&
	(cd blank && test_must_fail scripts/check-style) >out 2>&1 &&
	test_grep "^lib/a.c:1: includes \"c.h\"" out
'

test_expect_success 'a file that is not in the table fails' '
	fresh new &&
	printf "#include \"a.h\"\n#include \"banned.h\"\n" >new/lib/d.c &&
	(cd new && test_must_fail scripts/check-style) >out 2>&1 &&
	test_grep "^lib/d.c: not in the layer table" out
'

test_expect_success 'an include of a header that is not in the table fails' '
	fresh unknown &&
	printf "#include \"zz.h\"\n#include \"banned.h\"\n" >unknown/lib/c.c &&
	(cd unknown && test_must_fail scripts/check-style) >out 2>&1 &&
	test_grep "^lib/c.c:1: includes \"zz.h\", which is not in the" out
'

test_expect_success 'a row naming a file that does not exist fails' '
	fresh gone &&
	rm gone/lib/b_more.c &&
	(cd gone && test_must_fail scripts/check-style) >out 2>&1 &&
	test_grep "^lib/README.md:6: lib/b_more.c does not exist" out
'

test_expect_success 'a file in two rows fails' '
	fresh twice &&
	echo "| 2 | c2 | a.c |  |" >>twice/lib/README.md &&
	(cd twice && test_must_fail scripts/check-style) >out 2>&1 &&
	test_grep "a.c is in two rows" out
'

test_expect_success 'no table: fails' '
	fresh none &&
	rm none/lib/README.md &&
	(cd none && test_must_fail scripts/check-style) >out 2>&1 &&
	test_grep "lib/README.md: missing" out
'

# The real tree: only the layer check is asserted, since other rules of
# check-style are not this test's business.
test_expect_success 'the real lib/ keeps its layers' '
	mkdir -p real/lib real/scripts &&
	cp "$SRC_DIR/scripts/check-style" real/scripts/ &&
	cp "$SRC_DIR"/lib/*.c "$SRC_DIR"/lib/*.cc "$SRC_DIR"/lib/*.h \
		"$SRC_DIR"/lib/README.md real/lib/ &&
	{ (cd real && scripts/check-style) >out 2>&1 || :; } &&
	test_grep ! "layer\|does not exist\|two rows" out
'

test_expect_success 'the real lib/ with util including ndjson.h fails' '
	sed "s/^#include \"util.h\"$/&\n#include \"ndjson.h\"/" \
		real/lib/util.c >util.c &&
	! cmp -s util.c real/lib/util.c &&
	cp util.c real/lib/util.c &&
	(cd real && test_must_fail scripts/check-style) >out 2>&1 &&
	test_grep "^lib/util.c:[0-9]*: includes \"ndjson.h\" (ndjson, layer 1)" \
		out
'

test_done
