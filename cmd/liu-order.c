/*
 * liu-order: orders out, fills and order updates in.  Reads the orders
 * and cancels of strategies (and market events) on standard input, sends
 * them to a broker through the order book of lib/order.c, and writes the
 * orders it handled and the broker's fill and order_update events.  The
 * broker is "sim" (lib/order_sim.c), a local one that fills from the market
 * events it reads, or "alpaca" (lib/order_alpaca.c), Alpaca's trading API,
 * paper unless asked for live on purpose.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event.h"
#include "evread.h"
#include "ndjson.h"
#include "opt.h"
#include "order.h"
#include "proc.h"
#include "util.h"
#include "banned.h"

static const char *const usage_text[] = {
	"usage: liu-order sim [--market FIFO] [--pass] [--keep-open]",
	"                 [--capital C] [--margin M] [--fee-per-share F]",
	"                 [--max-fill-qty N] [--liquidate-before DURATION]",
	"                 [--cancel-after DURATION] [--market-hours] [RISK...]",
	"                 [--strict] [--max-bad N] [--line-max BYTES] [-uv]",
	"       liu-order alpaca [--paper | --live] [--url URL]",
	"                 [--cacert FILE] [--timeout DURATION]",
	"                 [--max-wait DURATION] [--journal FILE |",
	"                 --no-journal] [--no-stream] [--any-hours]",
	"                 [--no-account-check] [RISK...] [--pass]",
	"                 [--keep-open] [--liquidate-before DURATION]",
	"                 [--cancel-after DURATION] [--strict] [--max-bad N]",
	"                 [--line-max BYTES] [-uv]",
	"       liu-order -h | --help | --version",
	"RISK: [--max-position-value D] [--max-exposure D]",
	"      [--max-open-orders N] [--max-daily-loss D] [--price-band PCT]",
	"      [--max-orders-per-min N] [--extended-hours]",
	"See liu-order(1).",
	NULL
};

static _Noreturn void
usage(int status)
{
	opt_usage(usage_text, status);
}

enum { O_MARKET = 300, O_PASS, O_KEEP_OPEN, O_CAPITAL, O_MARGIN, O_FEE,
	O_MAX_FILL, O_VERSION, O_PAPER, O_LIVE, O_URL, O_CACERT, O_TIMEOUT,
	O_MAX_WAIT, O_LIQUIDATE, O_CANCEL_AFTER, O_JOURNAL, O_NO_JOURNAL,
	O_NO_STREAM, O_MAX_POS, O_MAX_EXPO, O_MAX_OPEN, O_MAX_LOSS, O_BAND,
	O_PER_MIN, O_EXT, O_HOURS, O_ANY_HOURS, O_NO_ACCOUNT };

static const struct option longopts[] = {
	{ "market", required_argument, NULL, O_MARKET },
	{ "pass", no_argument, NULL, O_PASS },
	{ "keep-open", no_argument, NULL, O_KEEP_OPEN },
	{ "capital", required_argument, NULL, O_CAPITAL },
	{ "margin", required_argument, NULL, O_MARGIN },
	{ "fee-per-share", required_argument, NULL, O_FEE },
	{ "max-fill-qty", required_argument, NULL, O_MAX_FILL },
	{ "paper", no_argument, NULL, O_PAPER },
	{ "live", no_argument, NULL, O_LIVE },
	{ "url", required_argument, NULL, O_URL },
	{ "cacert", required_argument, NULL, O_CACERT },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "max-wait", required_argument, NULL, O_MAX_WAIT },
	{ "liquidate-before", required_argument, NULL, O_LIQUIDATE },
	{ "cancel-after", required_argument, NULL, O_CANCEL_AFTER },
	{ "journal", required_argument, NULL, O_JOURNAL },
	{ "no-journal", no_argument, NULL, O_NO_JOURNAL },
	{ "no-stream", no_argument, NULL, O_NO_STREAM },
	{ "max-position-value", required_argument, NULL, O_MAX_POS },
	{ "max-exposure", required_argument, NULL, O_MAX_EXPO },
	{ "max-open-orders", required_argument, NULL, O_MAX_OPEN },
	{ "max-daily-loss", required_argument, NULL, O_MAX_LOSS },
	{ "price-band", required_argument, NULL, O_BAND },
	{ "max-orders-per-min", required_argument, NULL, O_PER_MIN },
	{ "extended-hours", no_argument, NULL, O_EXT },
	{ "market-hours", no_argument, NULL, O_HOURS },
	{ "any-hours", no_argument, NULL, O_ANY_HOURS },
	{ "no-account-check", no_argument, NULL, O_NO_ACCOUNT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ "verbose", no_argument, NULL, 'v' },
	ND_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/*
 * Open the --market input: a FIFO read and write, so that its writers may
 * come and go without an end of file; anything else read only.
 */
static int
open_market(const char *path)
{
	struct stat st;
	int fd, flags = O_RDONLY;

	if (stat(path, &st) == 0 && S_ISFIFO(st.st_mode))
		flags = O_RDWR;
	do
		fd = open(path, flags | O_CLOEXEC);
	while (fd < 0 && errno == EINTR && !liu_stop);
	if (fd < 0)
		die("%.*s:", LIU_ECHO_MAX, path);
	return fd;
}

#define PAPER_URL "https://paper-api.alpaca.markets"
#define LIVE_URL "https://api.alpaca.markets"

/*
 * The Alpaca broker, live only on purpose: a live URL, however given, needs
 * --live and LIU_ENV=PROD; --live needs a live URL.
 */
static struct broker *
alpaca(struct alp_opts *ao, int live, const char *url)
{
	const char *why, *e = liu_env("LIU_ENV");
	struct broker *b;

	if (!url)
		url = liu_env("APCA_API_BASE_URL");
	if (!url)
		url = live ? LIVE_URL : PAPER_URL;
	if (alp_url_live(url) && !live)
		die_code(LIU_EXIT_USAGE, "%.*s is Alpaca's live endpoint: "
		    "refused without --live", LIU_ECHO_MAX, url);
	if (live && !alp_url_live(url))
		die_code(LIU_EXIT_USAGE, "--live with a URL that is not the "
		    "live endpoint (%.*s): refused", LIU_ECHO_MAX, url);
	if (live && (!e || strcmp(e, "PROD") != 0))
		die_code(LIU_EXIT_USAGE, "--live is refused unless "
		    "LIU_ENV=PROD");
	ao->url = url;
	ao->key = liu_env("APCA_API_KEY_ID");
	ao->secret = liu_env("APCA_API_SECRET_KEY");
	if (!ao->key || !ao->secret)
		die_code(LIU_EXIT_USAGE, "set APCA_API_KEY_ID and "
		    "APCA_API_SECRET_KEY");
	if (!(b = alp_broker(ao, &why)))
		die_code(LIU_EXIT_USAGE, "%.*s: %s", LIU_ECHO_MAX, url, why);
	return b;
}

int
main(int argc, char *argv[])
{
	struct ob_opts o = OB_OPTS_INIT;
	struct risk_opts ro = RISK_OPTS_INIT;
	int hours = -1, no_account = 0;
	struct risk_broker rb = { NULL, alp_buying_power, alp_clock,
		alp_asset };
	struct nd_reader in = ND_READER_INIT, mk = ND_READER_INIT;
	struct nd_reader tk = ND_READER_INIT, ws = ND_READER_INIT;
	struct nd_reader *rd[4] = { &in, &mk, NULL, NULL };
	struct ev ev = EV_INIT;
	struct ob *ob;
	struct alp_opts ao = { NULL, NULL, NULL, NULL, 30000000000LL,
		60000000000LL, 0, NULL, 0, 0 };
	struct broker *bk = NULL;
	const char *mode, *market = NULL, *err, *url = NULL;
	double max_fill = 0;
	int ch, rc, which, status, nrd = 1, sim, live = 0, paper = 0, wsfd;

	liu_init(argv[0]);
	if (argc < 2)
		usage(LIU_EXIT_USAGE);
	mode = argv[1];
	if (strcmp(mode, "-h") == 0 || strcmp(mode, "--help") == 0)
		usage(0);
	if (strcmp(mode, "--version") == 0)
		liu_version();
	if (mode[0] == '-') {
		/* the options follow the broker */
		warn("unknown option '%.*s'", LIU_ECHO_MAX, mode);
		usage(LIU_EXIT_USAGE);
	}
	if (strcmp(mode, "sim") != 0 && strcmp(mode, "alpaca") != 0)
		die_code(LIU_EXIT_USAGE, "unknown broker '%.*s' (want sim or "
		    "alpaca; see liu-order(1))", LIU_ECHO_MAX, mode);
	sim = strcmp(mode, "sim") == 0;
	argc--;
	argv++;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":huv", longopts, NULL)) != -1) {
		if (nd_option(ch, optarg))
			continue;
		switch (ch) {
		case O_MARKET: market = optarg; break;
		case O_PASS: o.pass = 1; break;
		case O_KEEP_OPEN: o.keep_open = 1; break;
		case O_CAPITAL:
			o.capital = liu_strtod(optarg, 0, 1e15, "--capital");
			break;
		case O_MARGIN:
			o.margin = liu_strtod(optarg, 1e-6, 100, "--margin");
			break;
		case O_FEE:
			o.fee_per_share = liu_strtod(optarg, 0, 1000,
			    "--fee-per-share");
			break;
		case O_MAX_FILL:
			max_fill = liu_strtod(optarg, 1e-9, 1e15,
			    "--max-fill-qty");
			break;
		case O_PAPER: paper = 1; break;
		case O_LIVE: live = 1; break;
		case O_URL: url = optarg; break;
		case O_CACERT: ao.cacert = optarg; break;
		case O_TIMEOUT:
			ao.timeout = liu_duration_arg(optarg, 1000000,
			    "--timeout");
			break;
		case O_MAX_WAIT:
			ao.max_wait = liu_duration_arg(optarg, 0,
			    "--max-wait");
			break;
		case O_LIQUIDATE:
			o.liquidate_before = liu_duration_arg(optarg, 1,
			    "--liquidate-before");
			break;
		case O_CANCEL_AFTER:
			o.cancel_after = liu_duration_arg(optarg, 1,
			    "--cancel-after");
			break;
		case O_JOURNAL: ao.journal = optarg; break;
		case O_NO_JOURNAL: ao.no_journal = 1; break;
		case O_NO_STREAM: ao.no_stream = 1; break;
		case O_MAX_POS:
			ro.max_pos_value = liu_strtod(optarg, 0, 1e15,
			    "--max-position-value");
			break;
		case O_MAX_EXPO:
			ro.max_exposure = liu_strtod(optarg, 0, 1e15,
			    "--max-exposure");
			break;
		case O_MAX_OPEN:
			ro.max_open = (long)liu_strtod(optarg, 1, 1e9,
			    "--max-open-orders");
			break;
		case O_MAX_LOSS:
			ro.max_daily_loss = liu_strtod(optarg, 0, 1e15,
			    "--max-daily-loss");
			break;
		case O_BAND:
			ro.price_band = liu_strtod(optarg, 0, 1e6,
			    "--price-band");
			break;
		case O_PER_MIN:
			ro.max_per_min = (long)liu_strtod(optarg, 1, 1e7,
			    "--max-orders-per-min");
			break;
		case O_EXT: ro.ext_hours = 1; break;
		case O_HOURS: hours = 1; break;
		case O_ANY_HOURS: hours = 0; break;
		case O_NO_ACCOUNT: no_account = 1; break;
		case 'v':
			o.verbose = nd_policy.verbose = ao.verbose = 1;
			ro.verbose = 1;
			break;
		case 'h': usage(0);
		case O_VERSION: liu_version();
		default:
			opt_error(ch, argv, longopts);
			usage(LIU_EXIT_USAGE);
		}
	}
	if (optind != argc)
		usage(LIU_EXIT_USAGE);
	if (sim ? (live || paper || url || ao.cacert || ao.journal ||
	    ao.no_journal || ao.no_stream || hours == 0 || no_account) :
	    (market || max_fill > 0 || !isnan(o.capital) || hours == 1))
		die_code(LIU_EXIT_USAGE, "an option of the other broker "
		    "given to %s (see liu-order(1))", mode);
	if (live && paper)
		die_code(LIU_EXIT_USAGE, "--paper or --live, not both");
	if (ao.journal && ao.no_journal)
		die_code(LIU_EXIT_USAGE, "--journal or --no-journal, not both");
	bk = sim ? sim_broker(max_fill) : alpaca(&ao, live, url);
	o.live_clock = !sim;
	rb.b = bk;
	ob = ob_new(&o);
	ob_set_broker(ob, bk);
	/* alpaca: the market hours, shortable and buying power by default */
	ro.hours = sim ? hours == 1 || ro.ext_hours : hours != 0;
	ro.shortable = !sim;
	ro.account = !sim && !no_account;
	ob_set_risk(ob, risk_new(&ro, sim ? NULL : &rb));
	nd_fdopen(&in, 0, "<stdin>");
	if (market) {
		nd_fdopen(&mk, open_market(market), market);
		nrd = 2;
	}
	/* the journal read back, the stream up, what was missed written */
	if (!sim && (wsfd = alp_start(bk, ob)) >= 0) {
		nd_fdopen(&ws, wsfd, "<trade_updates>");
		rd[nrd++] = &ws;
	}
	if (!sim && (o.liquidate_before || o.cancel_after)) {
		/* live, time passes between events: a clock wakes us */
		int fd = eod_ticker_start();

		if (fd < 0)
			die("cannot start the clock:");
		nd_fdopen(&tk, fd, "<clock>");
		rd[nrd++] = &tk;
	}
	while ((rc = nd_next_event_any(rd, nrd, &which, &ev)) == 1) {
		if (rd[which] == &ws) {
			alp_stream(bk, ob, &ev);
			continue;
		}
		if (rd[which] == &tk) {
			ob_tick(ob);
			continue;
		}
		switch (ob_event(ob, &ev, &err)) {
		case OB_DONE:
			continue;
		case OB_BAD:
			rc = nd_bad_event(rd[which], err);
			break;
		case OB_REFUSED:
			rc = nd_bad(rd[which], "%s", err);
			break;
		}
		if (rc < 0)
			break;
	}
	if (!sim && !liu_stop)
		alp_recheck(bk, ob);	/* what happened since */
	eod_ticker_stop();
	ob_end(ob, liu_stop ? OB_END_STOP : OB_END_EOF);
	status = nd_summary();
	if (rc < 0 && !nd_stopped)
		status = LIU_EXIT_SYS;
	if (nd_policy.verbose)
		warn("%llu lines, %llu events out, %llu bad",
		    (unsigned long long)(in.nlines + mk.nlines),
		    (unsigned long long)nd_nout, (unsigned long long)nd_nbad);
	ob_free(ob);
	if (market)
		close(mk.fd);
	nd_close(&tk);
	nd_close(&mk);
	nd_close(&ws);
	nd_close(&in);
	ev_release(&ev);
	return liu_finish(status);
}
