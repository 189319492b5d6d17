#!/bin/sh
test_description='each program'"'"'s --help synopsis is its man page'"'"'s

Every program in bin/ and scripts/liu-* prints, for --help, the synopsis
lines of its man page (STYLE.md: usage() identical to SYNOPSIS).'
. "$(dirname "$0")/test-lib.sh"

# Known disagreements, each with its reason, as " NAME NAME ": when one
# of these comes to agree, its test says "known breakage vanished": take
# it off the list.
known_mismatch=' '

# normalise PROG: synopsis lines on stdin, each starting with PROG and
# maybe continued on the lines after, to one synopsis a line.  Runs of
# blanks become one space, and the spacing mandoc puts around "|" and
# before "..." goes, so that only words and brackets are compared.
normalise () {
	awk -v prog="$1" '
	{ gsub(/[ \t]+/, " "); sub(/^ /, ""); sub(/ $/, "") }
	$0 == "" { next }
	$1 == prog { s[++n] = $0; next }
	{ s[n] = s[n] " " $0 }
	END {
		for (i = 0; i <= n; i++) {
			if (s[i] == "")
				continue
			gsub(/ ?[|] ?/, "|", s[i])
			gsub(/ [.][.][.]/, "...", s[i])
			print s[i]
		}
	}'
}

# help_synopsis PROG: the usage lines of PROG --help ("usage: " and the
# indented lines after it); fails if --help does.
help_synopsis () {
	"$1" --help >help.out &&
	sed -n -e '1{s/^usage: //p;d;}' -e '/^[[:space:]]/!q' -e p help.out |
	normalise "$1"
}

# man_synopsis PROG: the SYNOPSIS of man/PROG.1 as mandoc renders it, on
# lines wide enough not to wrap, bold and underline taken out.
man_synopsis () {
	mandoc -T ascii -O width=1000 "$SRC_DIR/man/$1.1" >man.out &&
	sed -e "s/.$(printf '\b')//g" man.out |
	sed -n -e '/^SYNOPSIS$/,/^[A-Z]/{/^[A-Z]/d;p;}' |
	normalise "$1"
}

test_expect_success 'the normal form' '
	printf "%s\n" "  p [-a] x | y [B ...]" "      [--c]" " p -h | --help" \
	    "" >in &&
	normalise p <in >out &&
	printf "%s\n" "p [-a] x|y [B...] [--c]" "p -h|--help" >expect &&
	test_cmp expect out
'

for prog in "$SRC_DIR"/bin/liu* "$SRC_DIR"/scripts/liu-*
do
	name=${prog##*/}
	test_skip_unless_have mandoc
	case $known_mismatch in
	*" $name "*) expect=test_expect_failure ;;
	*) expect=test_expect_success ;;
	esac
	$expect "$name --help gives the synopsis of $name(1)" '
		help_synopsis "$name" >help &&
		man_synopsis "$name" >man &&
		test -s man &&
		test_cmp man help
	'
done

test_done
