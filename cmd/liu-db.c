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

#include "analyze.h"
#include "buf.h"
#include "db.h"
#include "event.h"
#include "json.h"
#include "ndjson.h"
#include "opt.h"
#include "proc.h"
#include "sym.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

enum { O_VERSION = 300, O_LINGER, O_FLUSH, O_BATCH_SIZE, O_ENV,
	O_PORTFOLIO, O_CREDIT, O_NAME, O_YES };

/* The options of "portfolio" and "positions". */
struct pf_opts {
	const char *portfolio, *credit, *name;
	int yes;
};

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
	{ "portfolio", required_argument, NULL, O_PORTFOLIO },
	{ "credit", required_argument, NULL, O_CREDIT },
	{ "name", required_argument, NULL, O_NAME },
	{ "yes", no_argument, NULL, O_YES },
	ND_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const char *const usage_text[] = {
	"usage: liu-db [-v] [--dsn DSN] init | migrate",
	"       liu-db [-uv] [--dsn DSN] store [--journal FILE] [--batch ID]",
	"              [--env ENV] [--portfolio ID] [--linger DURATION]",
	"              [--flush DURATION] [--batch-size N] [--strict]",
	"              [--max-bad N] [--line-max BYTES] [FILE]",
	"       liu-db [--dsn DSN] export --batch ID",
	"              [--what fills,orders,updates,picks]",
	"       liu-db [--dsn DSN] batches",
	"       liu-db [--dsn DSN] kv get | set | del | list [KEY [VALUE]]",
	"       liu-db [-v] [--dsn DSN] ohlc load [FILE]",
	"       liu-db [--dsn DSN] portfolio create SIZE [--credit C]",
	"              [--name NAME]",
	"       liu-db [--dsn DSN] portfolio list",
	"       liu-db [--dsn DSN] portfolio equity | account | trades ID",
	"       liu-db [--dsn DSN] portfolio recalc ID [--yes]",
	"       liu-db [--dsn DSN] positions --portfolio ID",
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

/* A positive decimal of dollars, as the database will read it. */
static const char *
money_arg(const char *s, const char *what)
{
	const char *p = s;
	int dig = 0, nz = 0;

	for (; *p >= '0' && *p <= '9'; p++, dig++)
		nz |= *p != '0';
	if (*p == '.' && p[1])
		for (p++; *p >= '0' && *p <= '9'; p++)
			nz |= *p != '0';
	if (*p || !dig || strlen(s) > 30 || (!nz && strcmp(what, "--credit")))
		die_code(LIU_EXIT_USAGE, "invalid %s: '%.*s' (dollars, such "
		    "as 100000 or 2500.50)", what, LIU_ECHO_MAX, s);
	return s;
}

static long long
id_arg(const char *s)
{
	long long id = db_portfolio_id(s);

	if (id <= 0)
		die_code(LIU_EXIT_USAGE, "invalid portfolio id '%.*s'",
		    LIU_ECHO_MAX, s);
	return id;
}

/* Positions: the stored fills matched first in, first out. */
struct pos {
	struct an a;
	uint64_t nbad;
	struct symtab keys;	/* "strategy\037sym" of the entries */
	unsigned char *swing;	/* by key: its last entry was swing */
	size_t cap;
	struct buf key;
};

/* The key of a strategy and symbol in pos.swing. */
static void
pos_key(struct pos *ps, const char *strat, const char *sym)
{
	buf_reset(&ps->key);
	buf_addf(&ps->key, "%s\037%s", strat, sym);
}

static void
pos_fill(void *arg, const struct db_fill *df)
{
	struct pos *ps = arg;
	struct an_fill f;
	const char *err;

	memset(&f, 0, sizeof(f));
	f.t = df->t;
	f.sym = df->sym;
	f.strategy = df->strategy;
	f.batch = df->batch;
	f.id = df->id;
	f.exec_id = df->exec_id;
	f.side = ev_side_from(df->side);
	f.stop = AN_NONE;
	if (an_dec(df->qty, strlen(df->qty), &f.qty) < 0 ||
	    an_dec(df->price, strlen(df->price), &f.price) < 0 ||
	    an_dec(df->fee, strlen(df->fee), &f.fee) < 0 || f.qty <= 0 ||
	    f.price <= 0) {
		err = "a quantity or price out of range";
	} else if (an_add_fill(&ps->a, &f, &err) == 0) {
		/* an entry's horizon: the position it opens is swing or day */
		if (f.side == SIDE_BUY || f.side == SIDE_SELL_SHORT) {
			uint32_t k;

			pos_key(ps, f.strategy, f.sym);
			k = sym_intern(&ps->keys, ps->key.p, ps->key.len);
			if (k >= ps->cap) {
				ps->cap = 2 * k + 16;
				ps->swing = xrealloc(ps->swing, ps->cap);
			}
			ps->swing[k] = strcmp(df->horizon, "swing") == 0;
		}
		return;
	}
	warn("positions: fill %s of batch %s: %s", df->exec_id, df->batch,
	    err);
	ps->nbad++;
}

static int
positions(PGconn *c, long long id)
{
	struct an_opts ao = AN_OPTS_INIT;
	struct pos ps;
	struct an_key *k;
	an_money in_val;
	size_t j;
	struct buf b = BUF_INIT;
	char tb[TM_RFC3339_MAX], *name = NULL;
	const char *strat;
	size_t i;
	long sk;
	int rc;

	if ((rc = db_portfolio_name(c, id, &name)) != 0) {
		if (rc == 1)
			warn("no portfolio %lld", id);
		return rc < 0 ? LIU_EXIT_SYS : LIU_EXIT_USAGE;
	}
	memset(&ps, 0, sizeof(ps));
	an_init(&ps.a, &ao);
	if (db_portfolio_fills(c, id, pos_fill, &ps) < 0) {
		buf_release(&ps.key);
		symtab_release(&ps.keys);
		free(ps.swing);
		an_release(&ps.a);
		free(name);
		return LIU_EXIT_SYS;
	}
	tm_format(ps.a.nfills ? ps.a.t_last : liu_now_ns(), tb);
	for (i = 0; i < ps.a.nkeys; i++) {
		k = &ps.a.keys[i];
		if (k->qty == 0)
			continue;
		in_val = 0;
		for (j = k->head; j < k->n; j++)
			in_val += (an_money)k->lots[j].price * k->lots[j].qty;
		buf_reset(&b);
		buf_adds(&b, "{\"ev\":\"position\"");
		json_add_kstr(&b, "t", tb);
		json_add_kstr(&b, "sym", sym_name(&ps.a.syms, k->sym));
		json_add_key(&b, "qty");
		if (k->side < 0)
			buf_addc(&b, '-');
		an_add_qty(&b, k->qty);
		json_add_key(&b, "avg_price");
		an_add_qty(&b, (int64_t)an_div(in_val, k->qty));
		strat = sym_name(&ps.a.strats, k->strat);
		if (*strat)
			json_add_kstr(&b, "strategy", strat);
		json_add_kstr(&b, "portfolio", name);
		pos_key(&ps, strat, sym_name(&ps.a.syms, k->sym));
		sk = sym_find(&ps.keys, ps.key.p, ps.key.len);
		if (sk >= 0 && ps.swing[sk])
			json_add_kstr(&b, "horizon", "swing");
		buf_addc(&b, '}');
		nd_emit(b.p, b.len);
	}
	buf_release(&b);
	buf_release(&ps.key);
	symtab_release(&ps.keys);
	free(ps.swing);
	an_release(&ps.a);
	free(name);
	return ps.nbad ? LIU_EXIT_DATA : 0;
}

static int
portfolio(const char *dsn, const struct pf_opts *po, int argc, char **argv)
{
	const char *sub = argc ? argv[0] : "";
	long long id = 0;
	PGconn *c;
	int rc;

	if (strcmp(sub, "create") == 0) {
		if (argc != 2)
			usage(LIU_EXIT_USAGE);
		money_arg(argv[1], "SIZE");
		if (po->credit)
			money_arg(po->credit, "--credit");
	} else if (strcmp(sub, "list") == 0) {
		if (argc != 1)
			usage(LIU_EXIT_USAGE);
	} else if (strcmp(sub, "equity") == 0 ||
	    strcmp(sub, "account") == 0 || strcmp(sub, "trades") == 0 ||
	    strcmp(sub, "recalc") == 0) {
		if (argc != 2)
			usage(LIU_EXIT_USAGE);
		id = id_arg(argv[1]);
	} else {
		if (argc)
			warn("unknown portfolio command '%.*s'",
			    LIU_ECHO_MAX, sub);
		usage(LIU_EXIT_USAGE);
	}
	if ((po->credit || po->name) && strcmp(sub, "create") != 0)
		die_code(LIU_EXIT_USAGE, "--credit and --name are for "
		    "'portfolio create'");
	if (po->yes && strcmp(sub, "recalc") != 0)
		die_code(LIU_EXIT_USAGE, "--yes is for 'portfolio recalc'");
	c = must_connect(dsn);
	if (sub[0] == 'c')
		rc = db_portfolio_create(c, argv[1], po->credit, po->name);
	else if (sub[0] == 'l')
		rc = db_portfolio_list(c);
	else if (sub[0] == 'e')
		rc = db_portfolio_equity(c, id);
	else if (sub[0] == 'a')
		rc = db_portfolio_account(c, id);
	else if (sub[0] == 't')
		rc = db_portfolio_trades(c, id);
	else
		rc = db_portfolio_recalc(c, id, po->yes);
	PQfinish(c);
	if (rc == 0 && sub[0] == 'r' && !po->yes) {
		warn("portfolio recalc: nothing changed: the lines above are "
		    "what it would append; run again with --yes");
		return LIU_EXIT_USAGE;
	}
	return rc < 0 ? LIU_EXIT_SYS : rc ? LIU_EXIT_USAGE : 0;
}

static int
command(struct db_store_opts *o, const struct pf_opts *po, int what,
    int argc, char **argv)
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
	if (strcmp(sub, "portfolio") == 0)
		return portfolio(o->dsn, po, argc, argv);
	if (strcmp(sub, "positions") == 0) {
		if (argc || !po->portfolio)
			usage(LIU_EXIT_USAGE);
		c = must_connect(o->dsn);
		rc = positions(c, id_arg(po->portfolio));
		PQfinish(c);
		return rc;
	}
	if ((po->credit || po->name || po->yes))
		die_code(LIU_EXIT_USAGE, "--credit, --name and --yes are for "
		    "'portfolio'");
	if (po->portfolio && strcmp(sub, "store") != 0)
		die_code(LIU_EXIT_USAGE, "--portfolio is for 'store' and "
		    "'positions'");
	if (strcmp(sub, "store") == 0) {
		if (po->portfolio)
			o->portfolio = id_arg(po->portfolio);
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
	struct pf_opts po = { NULL, NULL, NULL, 0 };
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
		case O_PORTFOLIO: po.portfolio = optarg; break;
		case O_CREDIT: po.credit = optarg; break;
		case O_NAME: po.name = optarg; break;
		case O_YES: po.yes = 1; break;
		default:
			opt_error(ch, argv, longopts);
			usage(LIU_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(LIU_EXIT_USAGE);
	return liu_finish(command(&o, &po, what, argc, argv));
}
