# lib-pg.sh: a throwaway PostgreSQL cluster for the liu-db tests.
#
# Source it after test-lib.sh, then start the cluster:
#
#	. "$(dirname "$0")/test-lib.sh"
#	. "$SRC_DIR/t/lib-pg.sh"
#	pg_start 57000		# the port names the socket; one per script
#
# pg_start runs initdb into a fresh directory under ${TMPDIR:-/tmp}, lets
# the server listen only on a Unix socket in that directory
# (listen_addresses = ''), with fsync off, and exports PGHOST, PGPORT,
# PGUSER (the superuser "liu", trust authentication) and PGDATABASE=liu.
# The database "liu" itself is not created: "liu-db init" does that.  As
# root, the cluster runs as the unprivileged user $LIU_TEST_PG_USER
# (default "nobody"), which owns the directory.  The cluster is stopped
# and removed when the script exits.  If PostgreSQL cannot be started the
# script bails out, which fails it: no liu-db test is ever skipped.
#
# Helpers: pg_stop [MODE] (default fast; "immediate" is a crash),
# pg_restart, pg_sql SQL (psql, unaligned, tuples only; stops on error).

pg_find_bindir () {
	if test -n "${LIU_TEST_PG_BINDIR:-}"
	then
		echo "$LIU_TEST_PG_BINDIR"
		return
	fi
	for pg_d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r)
	do
		test -x "$pg_d/initdb" && { echo "$pg_d"; return; }
	done
	pg_d=$(command -v initdb 2>/dev/null) && { dirname "$pg_d"; return; }
	return 1
}

pg_bail () {
	echo "Bail out! PostgreSQL: $*"
	test -n "${PG_TMP:-}" && test -f "$PG_TMP/log" &&
	sed -e 's/^/# /' "$PG_TMP/log" | tail -n 20
	exit 1
}

# pg_as CMD...: run CMD as the cluster's owner, from the cluster's
# directory (the test's own may be closed to that user).
pg_as () {
	if test -n "$PG_RUNAS"
	then
		(cd "$PG_TMP" && runuser -u "$PG_RUNAS" -- "$@")
	else
		"$@"
	fi
}

pg_start () {
	PGPORT=${1:-57000}
	PG_BIN=$(pg_find_bindir) || pg_bail "initdb not found (install postgresql)"
	PG_RUNAS=
	if test "$(id -u)" = 0
	then
		PG_RUNAS=${LIU_TEST_PG_USER:-nobody}
		id -u "$PG_RUNAS" >/dev/null 2>&1 ||
		pg_bail "no user '$PG_RUNAS' to run the cluster as"
	fi
	PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/liu-pg.XXXXXX") ||
	pg_bail "cannot make a temporary directory"
	chmod 755 "$PG_TMP"
	test -n "$PG_RUNAS" && chown "$PG_RUNAS" "$PG_TMP"
	trap 'pg_t_rc=$?; pg_cleanup; (exit $pg_t_rc); liu_t_exit_trap' EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 141' PIPE
	trap 'exit 143' TERM
	pg_as "$PG_BIN/initdb" -D "$PG_TMP/data" -U liu -A trust -E UTF8 \
	    --locale=C --no-sync >"$PG_TMP/initdb.log" 2>&1 ||
	{ sed -e 's/^/# /' "$PG_TMP/initdb.log"; pg_bail "initdb failed"; }
	cat >>"$PG_TMP/data/postgresql.conf" <<-EOF
	listen_addresses = ''
	unix_socket_directories = '$PG_TMP'
	port = $PGPORT
	fsync = off
	full_page_writes = off
	max_connections = 20
	shared_buffers = 32MB
	log_min_messages = warning
	EOF
	pg_as touch "$PG_TMP/log"
	pg_restart || pg_bail "the server did not start"
	PGHOST=$PG_TMP PGUSER=liu PGDATABASE=liu PGTZ=UTC
	export PGHOST PGPORT PGUSER PGDATABASE PGTZ PG_BIN PG_TMP
}

pg_stop () {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m "${1:-fast}" -w stop \
	    >/dev/null 2>&1
}

# The server must not inherit the test's descriptors: a FIFO's write end
# held by it would never let a reader see the end of input.
pg_restart () {
	pg_as perl -e 'use POSIX (); POSIX::close($_) for 3 .. 1023; exec @ARGV' \
	    "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/log" -w -t 60 \
	    start </dev/null >/dev/null 2>&1
}

pg_cleanup () {
	test -n "${PG_TMP:-}" && test -d "$PG_TMP" || return 0
	pg_as "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop \
	    >/dev/null 2>&1
	rm -rf "$PG_TMP"
}

pg_sql () {
	"$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"
}
