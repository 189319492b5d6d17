#!/bin/sh
test_description='liu-plan --decode against the toml-test corpus

Every valid document of toml-test 1.0.0 (t/toml-test, the files its
files-toml-1.0.0 list names) decodes to its expected tagged JSON, compared
as toml-test compares (t/toml-cmp.py), and every invalid one is refused
with exit status 1 and a message that says where.'
. "$(dirname "$0")/test-lib.sh"

CORPUS=$SRC_DIR/t/toml-test
CMP=$SRC_DIR/t/toml-cmp.py

test_expect_success 'the corpus is whole: 210 valid, 499 invalid' '
	grep -c "^valid/.*\.toml\$" "$CORPUS/files-toml-1.0.0" >n &&
	echo 210 >expect && test_cmp expect n &&
	grep -c "^invalid/.*\.toml\$" "$CORPUS/files-toml-1.0.0" >n &&
	echo 499 >expect && test_cmp expect n
'

test_expect_success 'the comparator itself: floats, datetimes, tables' '
	cat >want <<-\EOF &&
	{"a":{"type":"float","value":"1e3"},"n":{"type":"float","value":"+nan"},
	 "d":{"type":"datetime","value":"1979-05-27T07:32:00-07:00"},
	 "l":{"type":"time-local","value":"07:32:00.5"},
	 "t":{"x":[{"type":"integer","value":"1"}]}}
	EOF
	cat >have <<-\EOF &&
	{"t":{"x":[{"type":"integer","value":"1"}]},
	 "n":{"type":"float","value":"nan"},"a":{"type":"float","value":"1000"},
	 "d":{"type":"datetime","value":"1979-05-27T14:32:00Z"},
	 "l":{"type":"time-local","value":"07:32:00.500"}}
	EOF
	"$CMP" want have &&
	sed "s/14:32/14:33/" have >bad && test_must_fail "$CMP" want bad &&
	sed "s/\"1\"/\"01\"/" have >bad && test_must_fail "$CMP" want bad &&
	sed "s/1000/1001/" have >bad && test_must_fail "$CMP" want bad &&
	sed "s/integer/float/" have >bad && test_must_fail "$CMP" want bad
'

# One test a directory of the corpus; a failure names its files.
dirs=$(sed -n 's,^\(.*\)/[^/]*\.toml$,\1,p' "$CORPUS/files-toml-1.0.0" |
    sort -u)

for d in $dirs
do
	case $d in
	valid|valid/*) test_expect_success "$d: each decodes to its JSON" '
		: >pairs &&
		for f in $(grep "^$d/[^/]*\.toml\$" "$CORPUS/files-toml-1.0.0")
		do
			f=${f%.toml} &&
			mkdir -p "dec/${f%/*}" &&
			liu-plan --decode <"$CORPUS/$f.toml" >"dec/$f.json" ||
			{ echo "failed: $f" >&2; return 1; }
			echo "$CORPUS/$f.json dec/$f.json" >>pairs
		done &&
		"$CMP" - <pairs
	' ;;
	invalid/*) test_expect_success "$d: each is refused (status 1)" '
		for f in $(grep "^$d/[^/]*\.toml\$" "$CORPUS/files-toml-1.0.0")
		do
			s=0 &&
			liu-plan --decode <"$CORPUS/$f" >out 2>err || s=$? &&
			{ test $s = 1 && test ! -s out &&
			  grep -q "^liu-plan: <stdin>:[0-9]*:[0-9]*: ." err ||
			  { echo "not refused: $f (status $s)" >&2; return 1; }; }
		done
	' ;;
	esac
done

test_expect_success 'the output: one line, keys in the order of the text' '
	printf "b = 1\na = \"x\\\\u0000y\"\n[t]\nz = 1979-05-27\n" |
	liu-plan --decode >out &&
	cat >expect <<-\EOF &&
	{"b":{"type":"integer","value":"1"},"a":{"type":"string","value":"x\u0000y"},"t":{"z":{"type":"date-local","value":"1979-05-27"}}}
	EOF
	test_cmp expect out
'

test_expect_success 'an empty document is an empty table' '
	liu-plan --decode </dev/null >out &&
	echo "{}" >expect && test_cmp expect out
'

test_expect_success 'an error says where' '
	printf "a = 1\nb = = 2\n" >bad.toml &&
	test_expect_code 1 liu-plan --decode <bad.toml 2>err &&
	test_grep "^liu-plan: <stdin>:2:5: " err
'

test_expect_success 'NUL bytes and invalid UTF-8 are refused' '
	printf "a = \"x\0y\"\n" >nul.toml &&
	test_expect_code 1 liu-plan --decode <nul.toml &&
	printf "a = \"\\377\"\n" >utf.toml &&
	test_expect_code 1 liu-plan --decode <utf.toml
'

test_expect_success '--decode takes no PLAN and no mode' '
	test_expect_code 2 liu-plan --decode x.toml 2>err &&
	test_grep "^usage: liu-plan" err &&
	test_expect_code 2 liu-plan --decode --paper 2>err
'

test_done
