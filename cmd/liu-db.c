/*
 * liu-db: liu's PostgreSQL tool.  "init" and "migrate" apply the schema,
 * "store" is a pass-through filter that persists fills, orders, order
 * updates, picks and analysis events (journaling them while the database
 * is away), "export" writes a batch back out as NDJSON, "batches" lists
 * the runs, "kv" is the keystore and "ohlc load" stores daily bars.
 * The work is done in lib/db.c and lib/db_store.c.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "ndjson.h"
#include "opt.h"
#include "proc.h"
#include "util.h"
#include "banned.h"

enum { O_VERSION = 300, O_LINGER, O_FLUSH, O_BATCH_SIZE, O_ENV };

static const struct option longopts[] = {
	{ "batch", required_argument, NULL, 'b' },
	{ "dsn", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "journal", required_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "what", required_argument, NULL, 'w' },
	{ "version", no_argument, NULL, O_VERSION },
	{ "linger", required_argument, NULL, O_LINGER },
	{ "flush", required_argument, NULL, O_FLUSH },
	{ "batch-size", required_argument, NULL, O_BATCH_SIZE },
	{ "env", required_argument, NULL, O_ENV },
	ND_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const char *const usage_text[] = {
	"usage: liu-db [-v] [--dsn DSN] init | migrate",
	"       liu-db [-uv] [--dsn DSN] store [--journal FILE] [--batch ID]",
	"              [--env ENV] [--linger DURATION] [--flush DURATION]",
	"              [--batch-size N] [--strict] [--max-bad N]",
	"              [--line-max BYTES] [FILE]",
	"       liu-db [--dsn DSN] export --batch ID",
	"              [--what fills,orders,updates,picks]",
	"       liu-db [--dsn DSN] batches",
	"       liu-db [--dsn DSN] kv get | set | del | list [KEY [VALUE]]",
	"       liu-db [-v] [--dsn DSN] ohlc load [FILE]",
	"       liu-db -h | --help | --version",
	"See liu-db(1).",
	NULL
};

static _Noreturn void
usage(int status)
{
	opt_usage(usage_text, status);
}

static PGconn *
must_connect(const char *dsn)
{
	PGconn *c = db_connect(dsn, 0);

	if (!c)
		exit(LIU_EXIT_SYS);
	return c;
}

static void
open_input(struct nd_reader *rd, int argc, char **argv)
{
	if (argc > 1)
		usage(LIU_EXIT_USAGE);
	if (nd_open(rd, argc ? argv[0] : "-") < 0)
		die("cannot open '%s':", argv[0]);
}

/* kv get|set|del|list: 0, 1 for an absent key, 3 on database errors. */
static int
kv(const char *dsn, int argc, char **argv)
{
	PGconn *c;
	int rc;

	if (argc < 1 || (strcmp(argv[0], "list") == 0 ? argc > 2 :
	    strcmp(argv[0], "set") == 0 ? argc != 3 : argc != 2))
		usage(LIU_EXIT_USAGE);
	if (strcmp(argv[0], "get") && strcmp(argv[0], "set") &&
	    strcmp(argv[0], "del") && strcmp(argv[0], "list"))
		usage(LIU_EXIT_USAGE);
	c = must_connect(dsn);
	if (strcmp(argv[0], "get") == 0)
		rc = db_kv_get(c, argv[1]);
	else if (strcmp(argv[0], "set") == 0)
		rc = db_kv_set(c, argv[1], argv[2]);
	else if (strcmp(argv[0], "del") == 0)
		rc = db_kv_del(c, argv[1]);
	else
		rc = db_kv_list(c, argc > 1 ? argv[1] : NULL);
	PQfinish(c);
	return rc < 0 ? LIU_EXIT_SYS : rc;
}

static int
command(struct db_store_opts *o, int what, int argc, char **argv)
{
	struct nd_reader rd = ND_READER_INIT;
	const char *sub = argv[0];
	PGconn *c;
	int rc;

	argc--;
	argv++;
	if (strcmp(sub, "init") == 0 || strcmp(sub, "migrate") == 0) {
		if (argc)
			usage(LIU_EXIT_USAGE);
		return db_migrate(o->dsn, sub[0] == 'i', o->verbose) < 0 ?
		    LIU_EXIT_SYS : 0;
	}
	if (strcmp(sub, "store") == 0) {
		open_input(&rd, argc, argv);
		rc = db_store(o, &rd);
		nd_close(&rd);
		return rc;
	}
	if (strcmp(sub, "kv") == 0)
		return kv(o->dsn, argc, argv);
	if (strcmp(sub, "export") == 0) {
		if (argc || !o->batch)
			usage(LIU_EXIT_USAGE);
		c = must_connect(o->dsn);
		rc = db_export(c, o->batch, what) < 0 ? LIU_EXIT_SYS : 0;
		PQfinish(c);
		return rc;
	}
	if (strcmp(sub, "batches") == 0) {
		if (argc)
			usage(LIU_EXIT_USAGE);
		c = must_connect(o->dsn);
		rc = db_batches(c) < 0 ? LIU_EXIT_SYS : 0;
		PQfinish(c);
		return rc;
	}
	if (strcmp(sub, "ohlc") == 0) {
		if (argc < 1 || strcmp(argv[0], "load") != 0)
			usage(LIU_EXIT_USAGE);
		open_input(&rd, argc - 1, argv + 1);
		c = must_connect(o->dsn);
		rc = db_ohlc_load(c, &rd, o->verbose);
		PQfinish(c);
		nd_close(&rd);
		return rc;
	}
	warn("unknown command '%.*s'", LIU_ECHO_MAX, sub);
	usage(LIU_EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	struct db_store_opts o = DB_STORE_OPTS_INIT;
	int ch, what = DB_WHAT_ALL;

	liu_init(argv[0]);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":b:d:hj:uvw:", longopts,
	    NULL)) != -1) {
		if (nd_option(ch, optarg))
			continue;
		switch (ch) {
		case 'b': o.batch = optarg; break;
		case 'd': o.dsn = optarg; break;
		case 'h': usage(0);
		case 'j': o.journal = optarg; break;
		case 'v': o.verbose = nd_policy.verbose = 1; break;
		case 'w':
			if ((what = db_what_parse(optarg)) < 0)
				die_code(LIU_EXIT_USAGE,
				    "invalid --what '%.*s'", LIU_ECHO_MAX,
				    optarg);
			break;
		case O_VERSION: liu_version();
		case O_LINGER:
			o.linger_ns = liu_duration_arg(optarg, 0, "--linger");
			break;
		case O_FLUSH:
			o.flush_ns = liu_duration_arg(optarg, 0, "--flush");
			break;
		case O_BATCH_SIZE:
			o.batch_max = (size_t)liu_strtonum(optarg, 1, 1000000,
			    "--batch-size");
			break;
		case O_ENV: o.env = optarg; break;
		default:
			opt_error(ch, argv, longopts);
			usage(LIU_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(LIU_EXIT_USAGE);
	return liu_finish(command(&o, what, argc, argv));
}
