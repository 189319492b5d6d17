/*
 * plan.c: tradeplan.toml to struct plan.
 *
 * Two vocabularies meet here.  The original system's: top-level
 * portfolio_value, risk and market_liquidation_end_time_minutes,
 * [scanners.NAME] with momentum's criteria, [strategies.NAME] with a
 * schedule and free parameters, [optimizer]; a plan of the original that
 * uses only what liu has (the momentum scanner; momentum_long, vwap_long,
 * vwap_short) runs unchanged.  And liu's own: environment, broker,
 * data_provider, [data], [route], [order], [backtest], [database].  Every
 * key of a section is known here, but a strategy's free parameters, which
 * liu-strategy checks when it starts.  Whatever is wrong stops the load
 * with the position of the value ("PLAN:LINE:COL: key: what"), exit 2: a
 * plan is a program, and a typo in it must not trade.
 *
 * Every string that reaches struct plan is a copy owned by it; values
 * are checked for what their program will accept where liu-plan can know
 * it (numbers, durations, names) and never for shell safety, which is the
 * quoting's job (plan_sh.c).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "numfmt.h"
#include "plan.h"
#include "toml.h"
#include "util.h"
#include "banned.h"

#define TRADEPLAN_MAX (16 << 20)	/* bytes of a plan we read */

void
plan_slurp(const char *path, struct buf *b)
{
	int fd = 0;
	ssize_t n;

	if (strcmp(path, "-") != 0 && (fd = open(path, O_RDONLY)) < 0)
		die("cannot open '%s':", path);
	for (;;) {
		buf_grow(b, 65536);
		n = read(fd, b->p + b->len, b->cap - b->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read error on '%s':", path);
		if (n == 0)
			break;
		b->len += (size_t)n;
		if (b->len > TRADEPLAN_MAX)
			die_code(LIU_EXIT_USAGE, "'%s': more than %d bytes",
			    path, TRADEPLAN_MAX);
	}
	b->p[b->len] = '\0';
	if (fd != 0)
		close(fd);
}

void
plan_argv_add(struct plan_argv *av, const char *word)
{
	av->v = xrealloc(av->v, (av->n + 1) * sizeof *av->v);
	av->v[av->n++] = xstrdup(word);
}

void
plan_argv_release(struct plan_argv *av)
{
	size_t i;

	for (i = 0; i < av->n; i++)
		free(av->v[i]);
	free(av->v);
	av->v = NULL;
	av->n = 0;
}

/* The walk: the plan's file name for messages, the key path so far. */
struct walk {
	const char *path;
	struct plan *p;
};

static _Noreturn void __attribute__((format(printf, 3, 4)))
fail(const struct walk *w, const struct toml_node *at, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;
	char tmp[512];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (at && at->line)
		buf_addf(&msg, "%s:%d:%d: ", w->path, at->line, at->col);
	else
		buf_addf(&msg, "%s: ", w->path);
	buf_adds(&msg, tmp);
	die_code(LIU_EXIT_USAGE, "%s", buf_cstr(&msg));
}

/*
 * A key as it may be echoed: printable ASCII as is, anything else '?',
 * cut to LIU_ECHO_MAX.  Into a caller's array of LIU_ECHO_MAX + 4 bytes.
 */
static const char *
echo(char *out, const char *s, size_t len)
{
	size_t i, n = len < LIU_ECHO_MAX ? len : LIU_ECHO_MAX;

	for (i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (n < len) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

#define ECHO_SIZE (LIU_ECHO_MAX + 4)

static _Noreturn void
unknown_key(const struct walk *w, const char *section,
    const struct toml_node *k)
{
	char e[ECHO_SIZE];

	fail(w, k, "%s%s'%s': unknown key (see tradeplan(5))",
	    section ? section : "", section ? ": " : "",
	    echo(e, k->key, k->keylen));
}

/* The value as a C string, or fail: a string without NUL bytes. */
static const char *
str(const struct walk *w, const struct toml_node *t, const char *what)
{
	if (t->type != TOML_STRING)
		fail(w, t, "%s: a string is needed, not %s", what,
		    toml_type_name(t->type));
	if (memchr(t->s, '\0', t->len))
		fail(w, t, "%s: a NUL byte in a string", what);
	return t->s;
}

static double
num(const struct walk *w, const struct toml_node *t, const char *what)
{
	if (t->type == TOML_INTEGER)
		return (double)t->v.i;
	if (t->type == TOML_FLOAT && isfinite(t->v.f))
		return t->v.f;
	fail(w, t, "%s: a finite number is needed", what);
}

/* A number in [min, max] as the text a program reads back exactly. */
static char *
num_text(const struct walk *w, const struct toml_node *t, const char *what,
    double min, double max)
{
	char out[NUMFMT_MAX + 1];
	double v = num(w, t, what);
	size_t n;

	if (v < min || v > max)
		fail(w, t, "%s: out of range", what);
	if (t->type == TOML_INTEGER) {
		snprintf(out, sizeof out, "%lld", t->v.i);
		return xstrdup(out);
	}
	n = numfmt_shortest(out, v);
	out[n] = '\0';
	return xstrdup(out);
}

/* A whole number of minutes, >= 0, as a liu duration ("15m"). */
static char *
minutes(const struct walk *w, const struct toml_node *t, const char *what)
{
	char out[64];
	double v = num(w, t, what);

	if (v < 0 || v > 100000 || v != floor(v))
		fail(w, t, "%s: a whole number of minutes (0 to 100000) is "
		    "needed", what);
	snprintf(out, sizeof out, "%lldm", (long long)v);
	return xstrdup(out);
}

/* A duration: a string liu reads ("5s", "2d") or a number of seconds. */
static char *
duration(const struct walk *w, const struct toml_node *t, const char *what)
{
	int64_t ns;

	if (t->type == TOML_STRING) {
		if (liu_parse_duration(str(w, t, what), &ns) < 0 || ns < 0)
			fail(w, t, "%s: not a duration (\"5s\", \"2d\")",
			    what);
		return xstrdup(t->s);
	}
	return num_text(w, t, what, 0, 1e9);
}

static int
boolean(const struct walk *w, const struct toml_node *t, const char *what)
{
	if (t->type != TOML_BOOL)
		fail(w, t, "%s: true or false is needed", what);
	return t->v.b;
}

/* A word for a program's option: no leading '-', non-empty. */
static const char *
word(const struct walk *w, const struct toml_node *t, const char *what)
{
	const char *s = str(w, t, what);

	if (*s == '\0' || *s == '-')
		fail(w, t, "%s: empty, or starts with '-'", what);
	return s;
}

static const char *
one_of(const struct walk *w, const struct toml_node *t, const char *what,
    const char *const *words)
{
	const char *s = str(w, t, what);
	size_t i;

	for (i = 0; words[i]; i++)
		if (strcmp(s, words[i]) == 0)
			return words[i];
	fail(w, t, "%s: not one of %s%s%s%s", what, words[0],
	    words[1] ? ", " : "", words[1] ? words[1] : "",
	    words[1] && words[2] ? ", ..." : "");
}

static void
add_opt(struct plan_argv *av, const char *opt, char *val)
{
	plan_argv_add(av, opt);
	plan_argv_add(av, val);
	free(val);
}

/*
 * The built-in strategies, by every name the original system or liu gives
 * them: a class name (MomentumLong), a file name (momentum_long.py), liu's
 * name.  Compared without case, '_' and a ".py"; NULL if not built in.
 */
static const char *
builtin(const char *name)
{
	static const struct { const char *alias, *name; } tab[] = {
		{ "momentumlong", "momentum_long" },
		{ "momentum", "momentum_long" },
		{ "vwaplong", "vwap_long" },
		{ "vwapshort", "vwap_short" },
	};
	char norm[64];
	const char *base = strrchr(name, '/');
	size_t i, n = 0, len;

	base = base ? base + 1 : name;
	len = strlen(base);
	if (len > 3 && strcmp(base + len - 3, ".py") == 0)
		len -= 3;
	for (i = 0; i < len && n < sizeof norm - 1; i++)
		if (base[i] != '_')
			norm[n++] = (char)tolower((unsigned char)base[i]);
	if (i < len)
		return NULL;
	norm[n] = '\0';
	for (i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (strcmp(norm, tab[i].alias) == 0)
			return tab[i].name;
	return NULL;
}

/* command = ["prog", "arg", ...]: a non-empty array of strings. */
static void
command(const struct walk *w, const struct toml_node *t, const char *what,
    struct plan_argv *av)
{
	size_t i;

	if (t->type != TOML_ARRAY || t->n == 0)
		fail(w, t, "%s: command = [\"program\", \"argument\", ...] "
		    "is needed", what);
	for (i = 0; i < t->n; i++)
		plan_argv_add(av, str(w, &t->kid[i], what));
	if (av->v[0][0] == '\0')
		fail(w, t, "%s: the program's name is empty", what);
}

/* ---- strategies ---- */

static const char python_help[] =
    "liu runs no Python: its built-in strategies are momentum_long "
    "(momentum_long.py, MomentumLong), vwap_long and vwap_short; bring "
    "your own as command = [\"program\", \"arg\", ...] (any program that "
    "reads and writes liu events) or plugin = \"./x.so\" (a liu-strategy "
    "plug-in)";

static struct plan_strategy *
strategy_find(struct plan *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nstrat; i++)
		if (strcmp(p->strat[i].name, name) == 0 ||
		    strcmp(p->strat[i].prefix, name) == 0)
			return &p->strat[i];
	return NULL;
}

/* schedule = [{start, duration}]: one window, minutes from the open. */
static void
schedule(const struct walk *w, const struct toml_node *t, const char *name,
    struct plan_strategy *s)
{
	const struct toml_node *win, *k;
	struct buf kv = BUF_INIT;
	char *v;
	size_t i;

	if (t->type != TOML_ARRAY)
		fail(w, t, "strategies.%s.schedule: an array of "
		    "{start, duration} is needed", name);
	if (t->n == 0)
		return;
	if (t->n > 1)
		fail(w, &t->kid[1], "strategies.%s.schedule: %zu windows; "
		    "liu-strategy trades one window a strategy", name, t->n);
	win = &t->kid[0];
	if (win->type != TOML_TABLE)
		fail(w, win, "strategies.%s.schedule: {start, duration} is "
		    "needed", name);
	for (i = 0; i < win->n; i++) {
		k = &win->kid[i];
		if (strcmp(k->key, "start") != 0 &&
		    strcmp(k->key, "duration") != 0)
			unknown_key(w, "schedule", k);
		v = num_text(w, k, k->key, 0, 100000);
		buf_reset(&kv);
		buf_addf(&kv, "%s=%s", k->key, v);
		plan_argv_add(&s->params, buf_cstr(&kv));
		free(v);
	}
	buf_release(&kv);
}

static void
strategy(const struct walk *w, const struct toml_node *t)
{
	struct plan *p = w->p;
	struct plan_strategy *s;
	const struct toml_node *k, *file, *plugin, *cmd;
	struct buf kv = BUF_INIT;
	const char *name = t->key, *b;
	char e[ECHO_SIZE], *v;
	size_t i;

	if (t->type != TOML_TABLE)
		fail(w, t, "strategies: '%s' is not a table",
		    echo(e, t->key, t->keylen));
	if (memchr(t->key, '\0', t->keylen) || t->keylen == 0 ||
	    strchr(t->key, '.') || strchr(t->key, '='))
		fail(w, t, "strategies: '%s': a name without '.', '=' or "
		    "NUL is needed", echo(e, t->key, t->keylen));
	p->strat = xrealloc(p->strat, (p->nstrat + 1) * sizeof *p->strat);
	s = &p->strat[p->nstrat++];
	memset(s, 0, sizeof *s);
	s->name = xstrdup(name);
	file = toml_get(t, "filename");
	plugin = toml_get(t, "plugin");
	cmd = toml_get(t, "command");
	if (!!file + !!plugin + !!cmd > 1)
		fail(w, t, "strategies.%s: one of filename, plugin and "
		    "command", name);
	if (plugin) {
		s->run = xstrdup(str(w, plugin, "plugin"));
		if (strchr(s->run, '/') == NULL)
			fail(w, plugin, "strategies.%s.plugin: a path with a "
			    "'/' is needed (\"./x.so\")", name);
		s->prefix = xstrdup(name);
	} else if (cmd) {
		command(w, cmd, "command", &s->cmd);
		s->prefix = xstrdup(name);
	} else if (file) {
		if ((b = builtin(str(w, file, "filename"))) == NULL)
			fail(w, file, "strategies.%s: filename '%s': %s", name,
			    echo(e, file->s, file->len), python_help);
		s->run = xstrdup(b);
		s->prefix = xstrdup(b);
	} else {
		if ((b = builtin(name)) == NULL)
			fail(w, t, "strategies.%s: not a built-in strategy; "
			    "%s", name, python_help);
		s->run = xstrdup(b);
		s->prefix = xstrdup(b);
	}
	for (i = 0; i + 1 < p->nstrat; i++)
		if (p->strat[i].run && s->run &&
		    strcmp(p->strat[i].run, s->run) == 0)
			fail(w, t, "strategies.%s: %s twice in the plan",
			    name, s->run);
	for (i = 0; i < t->n; i++) {
		k = &t->kid[i];
		if (k == file || k == plugin || k == cmd)
			continue;
		if (strcmp(k->key, "schedule") == 0) {
			schedule(w, k, name, s);
			continue;
		}
		if (memchr(k->key, '\0', k->keylen) || k->keylen == 0 ||
		    strchr(k->key, '='))
			fail(w, k, "strategies.%s: '%s': not a parameter name",
			    name, echo(e, k->key, k->keylen));
		if (k->type == TOML_BOOL)
			v = xstrdup(k->v.b ? "1" : "0");
		else if (k->type == TOML_INTEGER || k->type == TOML_FLOAT)
			v = num_text(w, k, k->key, -HUGE_VAL, HUGE_VAL);
		else
			fail(w, k, "strategies.%s.%s: a strategy's parameters "
			    "are numbers (or true and false), not %s", name,
			    echo(e, k->key, k->keylen),
			    toml_type_name(k->type));
		buf_reset(&kv);
		buf_addf(&kv, "%s=%s", k->key, v);
		plan_argv_add(&s->params, buf_cstr(&kv));
		free(v);
	}
	buf_release(&kv);
}

/* [strategies] or [[strategies]]: tables of strategies. */
static void
strategies(const struct walk *w, const struct toml_node *t)
{
	size_t i, j;

	if (t->type == TOML_TABLE) {
		for (i = 0; i < t->n; i++)
			strategy(w, &t->kid[i]);
		return;
	}
	if (t->type != TOML_ARRAY)
		fail(w, t, "strategies: a table is needed");
	for (i = 0; i < t->n; i++) {
		if (t->kid[i].type != TOML_TABLE)
			fail(w, &t->kid[i], "strategies: a table is needed");
		for (j = 0; j < t->kid[i].n; j++)
			strategy(w, &t->kid[i].kid[j]);
	}
}

/* ---- scanners ---- */

/* target_strategy_name: a name or names of the plan's strategies. */
static char *
targets(const struct walk *w, const struct toml_node *t, const char *scanner)
{
	struct buf list = BUF_INIT;
	const struct toml_node *one = t;
	const struct plan_strategy *s;
	const char *b;
	char e[ECHO_SIZE];
	size_t i, n = 1;

	if (t->type == TOML_ARRAY) {
		n = t->n;
		if (n == 0)
			fail(w, t, "scanners.%s.target_strategy_name: empty",
			    scanner);
	}
	for (i = 0; i < n; i++) {
		if (t->type == TOML_ARRAY)
			one = &t->kid[i];
		str(w, one, "target_strategy_name");
		if ((s = strategy_find(w->p, one->s)) != NULL)
			b = s->prefix;
		else if ((b = builtin(one->s)) == NULL)
			fail(w, one, "scanners.%s.target_strategy_name: '%s' "
			    "is no strategy of the plan", scanner,
			    echo(e, one->s, one->len));
		if (i)
			buf_addc(&list, ',');
		buf_adds(&list, b);
	}
	buf_cstr(&list);
	return list.p;
}

static const char *const providers[] = { "alpaca", "polygon", NULL };

static void
scanner(const struct walk *w, const struct toml_node *t)
{
	/* momentum's criteria: the original's key, liu-scan's option */
	static const struct { const char *key, *opt; double min, max; }
	    crit[] = {
		{ "min_share_price", "--min-price", 0, 1e9 },
		{ "max_share_price", "--max-price", 0, 1e9 },
		{ "min_last_dv", "--min-last-dv", 0, 1e18 },
		{ "today_change_percent", "--min-change", -100, 1e6 },
		{ "min_gap", "--min-change", -100, 1e6 },
		{ "min_volume", "--min-volume", 0, 1e15 },
		{ "max_symbols", "--max-symbols", 1, 1000000 },
	};
	struct plan *p = w->p;
	struct plan_scanner *s;
	const struct toml_node *k, *cmd, *file, *change = NULL;
	const char *name = t->key;
	char e[ECHO_SIZE];
	size_t i, j;

	if (t->type != TOML_TABLE)
		fail(w, t, "scanners: '%s' is not a table",
		    echo(e, t->key, t->keylen));
	p->scan = xrealloc(p->scan, (p->nscan + 1) * sizeof *p->scan);
	s = &p->scan[p->nscan++];
	memset(s, 0, sizeof *s);
	s->name = xstrdup(echo(e, t->key, t->keylen));
	cmd = toml_get(t, "command");
	file = toml_get(t, "filename");
	if (file)
		fail(w, file, "scanners.%s: filename '%s': liu runs no Python:"
		    " its scanner is momentum; bring your own as command = "
		    "[\"program\", \"arg\", ...], a program that writes pick "
		    "events", s->name, echo(e, str(w, file, "filename"),
		    file->len));
	if (cmd)
		command(w, cmd, "command", &s->cmd);
	else if (strcmp(name, "momentum") != 0)
		fail(w, t, "scanners.%s: not a scanner of liu (momentum); "
		    "bring your own as command = [\"program\", \"arg\", ...]",
		    s->name);
	for (i = 0; i < t->n; i++) {
		k = &t->kid[i];
		if (k == cmd)
			continue;
		if (strcmp(k->key, "provider") == 0) {
			s->provider = xstrdup(one_of(w, k, "provider",
			    providers));
			continue;
		}
		if (strcmp(k->key, "from_market_open") == 0) {
			s->wait_open = minutes(w, k, "from_market_open");
			continue;
		}
		if (strcmp(k->key, "recurrence") == 0) {
			if (k->type == TOML_BOOL && !k->v.b)
				continue;
			s->every = minutes(w, k, "recurrence");
			if (strcmp(s->every, "0m") == 0)
				fail(w, k, "scanners.%s.recurrence: 0 minutes",
				    s->name);
			continue;
		}
		if (strcmp(k->key, "target_strategy_name") == 0) {
			s->strategies = targets(w, k, s->name);
			continue;
		}
		if (cmd)
			unknown_key(w, "scanners", k);
		if (strcmp(k->key, "where") == 0) {
			plan_argv_add(&s->crit, "--where");
			plan_argv_add(&s->crit, str(w, k, "where"));
			continue;
		}
		for (j = 0; j < sizeof crit / sizeof crit[0]; j++)
			if (strcmp(k->key, crit[j].key) == 0)
				break;
		if (j == sizeof crit / sizeof crit[0])
			unknown_key(w, "scanners.momentum", k);
		if (strcmp(crit[j].opt, "--min-change") == 0) {
			if (change)
				fail(w, k, "scanners.%s: today_change_percent "
				    "and min_gap are one criterion; give one",
				    s->name);
			change = k;
		}
		if (strcmp(k->key, "max_symbols") == 0 &&
		    k->type != TOML_INTEGER)
			fail(w, k, "max_symbols: a whole number is needed");
		add_opt(&s->crit, crit[j].opt, num_text(w, k, k->key,
		    crit[j].min, crit[j].max));
	}
}

/*
 * The original's [scanners] events = ["second", "minute", "trade",
 * "quote"]: the data its strategies get, liu-stream's --types and --tf.
 */
static void
events(const struct walk *w, const struct toml_node *t)
{
	struct buf types = BUF_INIT, tf = BUF_INIT;
	const char *ev;
	size_t i;

	if (t->type != TOML_ARRAY)
		fail(w, t, "scanners.events: an array of strings is needed");
	for (i = 0; i < t->n; i++) {
		ev = str(w, &t->kid[i], "scanners.events");
		if (strcmp(ev, "trade") == 0 || strcmp(ev, "quote") == 0) {
			buf_adds(&types, types.len ? "," : "");
			buf_adds(&types, ev);
		} else if (strcmp(ev, "second") == 0 ||
		    strcmp(ev, "minute") == 0) {
			buf_adds(&tf, tf.len ? "," : "");
			buf_adds(&tf, ev[0] == 's' ? "1s" : "1m");
		} else
			fail(w, &t->kid[i], "scanners.events: '%s' is not "
			    "second, minute, trade or quote", ev);
	}
	if (tf.len) {
		buf_adds(&types, types.len ? ",bar" : "bar");
		add_opt(&w->p->stream_args, "--tf",
		    xstrdup(buf_cstr(&tf)));
	}
	if (types.len)
		add_opt(&w->p->stream_args, "--types",
		    xstrdup(buf_cstr(&types)));
	buf_release(&types);
	buf_release(&tf);
}

static void
scanners(const struct walk *w, const struct toml_node *t)
{
	const struct toml_node *tab;
	size_t i, j, n = t->type == TOML_ARRAY ? t->n : 1;

	if (t->type != TOML_TABLE && t->type != TOML_ARRAY)
		fail(w, t, "scanners: a table is needed");
	for (j = 0; j < n; j++) {
		tab = t->type == TOML_ARRAY ? &t->kid[j] : t;
		if (tab->type != TOML_TABLE)
			fail(w, tab, "scanners: a table is needed");
		for (i = 0; i < tab->n; i++) {
			if (strcmp(tab->kid[i].key, "events") == 0)
				events(w, &tab->kid[i]);
			else
				scanner(w, &tab->kid[i]);
		}
	}
}

/* ---- liu's own sections ---- */

static void
route(const struct walk *w, const struct toml_node *t)
{
	struct plan *p = w->p;
	const struct toml_node *k;
	size_t i;

	if (t->type != TOML_TABLE)
		fail(w, t, "route: a table is needed");
	for (i = 0; i < t->n; i++) {
		k = &t->kid[i];
		if (strcmp(k->key, "shards") == 0) {
			if (k->type != TOML_INTEGER)
				fail(w, k, "shards: a whole number is needed");
			free(p->shards);
			p->shards = num_text(w, k, "shards", 1, 1024);
		} else if (strcmp(k->key, "max_lag") == 0)
			add_opt(&p->route_args, "--max-lag",
			    duration(w, k, "max_lag"));
		else if (strcmp(k->key, "linger") == 0)
			add_opt(&p->route_args, "--linger",
			    duration(w, k, "linger"));
		else
			unknown_key(w, "route", k);
	}
}

static void engine_param(const struct walk *w, const struct toml_node *at,
    const char *key, char *val);

/*
 * [order]: liu-order's check of buying power and its simulated broker's
 * fills (liu-order sim's options: liu-order alpaca has none of them, the
 * broker checks its account itself), and the liquidation before the
 * close, which the strategies' engine does (-p flatten).  The limits of
 * liu's design that liu-order does not have yet are refused by name.
 */
static void
order(const struct walk *w, const struct toml_node *t)
{
	static const struct { const char *key, *opt; double min, max; }
	    sim[] = {
		{ "capital", "--capital", 1e-9, 1e15 },
		{ "margin", "--margin", 1, 100 },
		{ "fee_per_share", "--fee-per-share", 0, 1e6 },
		{ "max_fill_qty", "--max-fill-qty", 1, 1e12 },
	};
	static const char *const later[] = { "max_order_value",
		"max_position_value", "max_positions", "max_daily_loss", NULL };
	struct plan *p = w->p;
	const struct toml_node *k;
	size_t i, j;

	if (t->type != TOML_TABLE)
		fail(w, t, "order: a table is needed");
	for (i = 0; i < t->n; i++) {
		k = &t->kid[i];
		if (strcmp(k->key, "liquidate_before_close") == 0) {
			engine_param(w, k, "flatten", num_text(w, k, k->key,
			    0, 390));
			continue;
		}
		for (j = 0; later[j]; j++)
			if (strcmp(k->key, later[j]) == 0)
				fail(w, k, "order.%s: liu-order has no such "
				    "limit yet; its check is the buying power "
				    "of capital and margin", k->key);
		for (j = 0; j < sizeof sim / sizeof sim[0]; j++)
			if (strcmp(k->key, sim[j].key) == 0)
				break;
		if (j == sizeof sim / sizeof sim[0])
			unknown_key(w, "order", k);
		if (strcmp(k->key, "max_fill_qty") == 0 &&
		    k->type != TOML_INTEGER)
			fail(w, k, "max_fill_qty: a whole number is needed");
		if (strcmp(k->key, "capital") == 0)
			p->order_capital = 1;
		if (p->sim_key == NULL)
			p->sim_key = k;
		add_opt(&p->order_args, sim[j].opt,
		    num_text(w, k, k->key, sim[j].min, sim[j].max));
	}
}

static void
data(const struct walk *w, const struct toml_node *t)
{
	static const char *const feeds[] = { "iex", "sip", "delayed_sip",
		NULL };
	struct plan *p = w->p;
	const struct toml_node *k;
	size_t i, j;

	if (t->type != TOML_TABLE)
		fail(w, t, "data: a table is needed");
	for (i = 0; i < t->n; i++) {
		k = &t->kid[i];
		if (strcmp(k->key, "feed") == 0)
			add_opt(&p->stream_args, "--feed",
			    xstrdup(one_of(w, k, "feed", feeds)));
		else if (strcmp(k->key, "backfill") == 0)
			add_opt(&p->stream_args, "--backfill",
			    duration(w, k, "backfill"));
		else if (strcmp(k->key, "symbols") == 0) {
			if (k->type != TOML_ARRAY)
				fail(w, k, "symbols: an array of strings is "
				    "needed");
			for (j = 0; j < k->n; j++)
				plan_argv_add(&p->symbols,
				    word(w, &k->kid[j], "symbols"));
		} else
			unknown_key(w, "data", k);
	}
}

static void
backtest(const struct walk *w, const struct toml_node *t)
{
	struct plan *p = w->p;
	const struct toml_node *k;
	size_t i;

	if (t->type != TOML_TABLE)
		fail(w, t, "backtest: a table is needed");
	for (i = 0; i < t->n; i++) {
		k = &t->kid[i];
		if (strcmp(k->key, "slippage") == 0) {
			plan_argv_add(&p->sim_args, "--slippage");
			plan_argv_add(&p->sim_args, k->type == TOML_STRING ?
			    word(w, k, "slippage") : num_text(w, k,
			    "slippage", 0, 1e6));
		} else if (strcmp(k->key, "commission") == 0)
			add_opt(&p->sim_args, "--commission",
			    num_text(w, k, "commission", 0, 1e6));
		else if (strcmp(k->key, "scan_at") == 0) {
			free(p->scan_at);
			p->scan_at = xstrdup(word(w, k, "scan_at"));
		} else
			unknown_key(w, "backtest", k);
	}
}

static void
database(const struct walk *w, const struct toml_node *t)
{
	struct plan *p = w->p;
	const struct toml_node *k;
	size_t i;

	if (t->type != TOML_TABLE)
		fail(w, t, "database: a table is needed");
	p->database = 1;
	for (i = 0; i < t->n; i++) {
		k = &t->kid[i];
		if (strcmp(k->key, "dsn") == 0) {
			free(p->dsn);
			p->dsn = xstrdup(str(w, k, "dsn"));
		} else if (strcmp(k->key, "enabled") == 0)
			p->database = boolean(w, k, "enabled");
		else
			unknown_key(w, "database", k);
	}
}

/* A date of [optimizer]: a TOML date, or a string YYYY-MM-DD. */
static char *
date(const struct walk *w, const struct toml_node *t, const char *what)
{
	char out[32];
	int y, m, d, n = 0;

	if (t->type == TOML_DATE_LOCAL) {
		snprintf(out, sizeof out, "%04d-%02d-%02d", t->v.dt.year,
		    t->v.dt.month, t->v.dt.day);
		return xstrdup(out);
	}
	if (t->type != TOML_STRING ||
	    sscanf(t->s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    (size_t)n != t->len || t->len != 10 || m < 1 || m > 12 ||
	    d < 1 || d > 31)
		fail(w, t, "optimizer.%s: a date (2024-03-01) is needed",
		    what);
	return xstrdup(t->s);
}

/*
 * The decimals of v as numfmt_shortest() writes it: 0 for "75", 2 for
 * "0.25", 7 for "1e-07"; more than 15 is refused by the caller.
 */
static int
decimals(double v)
{
	char s[NUMFMT_MAX + 1], *dot, *e;
	int d = 0;

	s[numfmt_shortest(s, v)] = '\0';
	e = strchr(s, 'e');
	if (e)
		*e = '\0';
	dot = strchr(s, '.');
	if (dot)
		d = (int)strlen(dot + 1);
	if (e)
		d -= (int)strtol(e + 1, NULL, 10);
	return d < 0 ? 0 : d;
}

/* The largest grid of liu-optimize, in points. */
#define GRID_MAX 100000

/*
 * The values of h, exactly: min, max and delta scaled by 10^decimals to
 * whole numbers, so that the grid is counted and written in integers and
 * 0.1 + 0.2 is 0.3.  A delta past max-min leaves min alone.
 */
static void
hyper_grid(const struct walk *w, const struct toml_node *k,
    struct plan_hyper *h, const char *name)
{
	double s, smin, smax, sdelta;
	int d = decimals(h->min), i;

	if (decimals(h->max) > d)
		d = decimals(h->max);
	if (decimals(h->delta) > d)
		d = decimals(h->delta);
	if (d > 15)
		fail(w, k, "%s: more than 15 decimals", name);
	for (s = 1, i = 0; i < d; i++)
		s *= 10;
	smin = round(h->min * s);
	smax = round(h->max * s);
	sdelta = round(h->delta * s);
	if (fabs(smin) > 9007199254740992.0 ||
	    fabs(smax) > 9007199254740992.0 || sdelta > 9007199254740992.0)
		fail(w, k, "%s: too large for an exact grid", name);
	h->scale = s;
	h->smin = (long long)smin;
	h->sdelta = (long long)sdelta;
	h->n = (size_t)(((long long)smax - h->smin) / h->sdelta) + 1;
	if (h->n > GRID_MAX)
		fail(w, k, "%s: more than %d values", name, GRID_MAX);
}

static void
hyper(const struct walk *w, const struct toml_node *t, const char *strat)
{
	struct plan *p = w->p;
	const struct plan_strategy *s = strategy_find(p, strat);
	const struct toml_node *k, *type, *min, *max, *delta;
	struct plan_hyper *h;
	static const char *const types[] = { "int", "float", NULL };
	char e[ECHO_SIZE], name[2 * ECHO_SIZE + 64], what[sizeof name + 16];
	size_t i;

	if (s == NULL)
		fail(w, t, "optimizer.hyperparameters: '%s' is no strategy "
		    "of the plan", strat);
	for (i = 0; i < t->n; i++) {
		k = &t->kid[i];
		snprintf(name, sizeof name, "optimizer.hyperparameters.%s.%s",
		    strat, echo(e, k->key, k->keylen));
		if (k->type != TOML_TABLE)
			fail(w, k, "%s: {param_type, min, max, delta} is "
			    "needed", name);
		p->hyper = xrealloc(p->hyper, (p->nhyper + 1) *
		    sizeof *p->hyper);
		h = &p->hyper[p->nhyper++];
		memset(h, 0, sizeof *h);
		h->strategy = xstrdup(s->prefix);
		h->key = xstrdup(echo(e, k->key, k->keylen));
		type = toml_get(k, "param_type");
		min = toml_get(k, "min");
		max = toml_get(k, "max");
		delta = toml_get(k, "delta");
		if (type == NULL || min == NULL || max == NULL)
			fail(w, k, "%s: param_type, min and max are needed",
			    name);
		snprintf(what, sizeof what, "%s.param_type", name);
		h->is_int = strcmp(one_of(w, type, what, types), "int") == 0;
		snprintf(what, sizeof what, "%s.min", name);
		h->min = num(w, min, what);
		snprintf(what, sizeof what, "%s.max", name);
		h->max = num(w, max, what);
		if (h->max < h->min)
			fail(w, max, "%s.max: less than min", name);
		h->delta = h->is_int ? 1 : 0;
		snprintf(what, sizeof what, "%s.delta", name);
		if (delta)
			h->delta = num(w, delta, what);
		if (h->is_int && (min->type != TOML_INTEGER ||
		    max->type != TOML_INTEGER || h->delta != floor(h->delta)))
			fail(w, k, "%s: an int parameter takes whole numbers",
			    name);
		if (!(h->delta > 0))
			fail(w, delta ? delta : k, "%s.delta: a delta > 0 is "
			    "needed", name);
		if (k->n != 3u + !!delta)
			fail(w, k, "%s: only param_type, min, max and delta",
			    name);
		hyper_grid(w, k, h, name);
	}
}

static void
optimizer(const struct walk *w, const struct toml_node *t)
{
	struct plan *p = w->p;
	const struct toml_node *k, *h;
	size_t i, j, n;

	if (t->type != TOML_TABLE)
		fail(w, t, "optimizer: a table is needed");
	for (i = 0; i < t->n; i++) {
		k = &t->kid[i];
		if (strcmp(k->key, "start_date") == 0)
			p->opt_start = date(w, k, "start_date");
		else if (strcmp(k->key, "end_date") == 0)
			p->opt_end = date(w, k, "end_date");
		else if (strcmp(k->key, "hyperparameters") == 0) {
			h = toml_get(k, "strategies");
			if (k->type != TOML_TABLE || h == NULL || k->n != 1 ||
			    h->type != TOML_TABLE)
				fail(w, k, "optimizer.hyperparameters: "
				    "[optimizer.hyperparameters.strategies."
				    "NAME] tables are needed");
			for (j = 0; j < h->n; j++)
				hyper(w, &h->kid[j], h->kid[j].key);
		} else if (strcmp(k->key, "parameters") == 0)
			fail(w, k, "optimizer.parameters: portfolio "
			    "parameters are not supported by liu");
		else
			unknown_key(w, "optimizer", k);
	}
	if (p->opt_start && p->opt_end && strcmp(p->opt_end, p->opt_start) < 0)
		fail(w, t, "optimizer: end_date before start_date");
	for (i = 0, n = 1; i < p->nhyper; i++) {
		n *= p->hyper[i].n;
		if (n > GRID_MAX)
			fail(w, t, "optimizer.hyperparameters: more than %d "
			    "points in the grid", GRID_MAX);
	}
}

/*
 * -p KEY=VALUE for every strategy of liu-strategy; takes val.  One key
 * given twice (flatten, by two names) is an error at the second.
 */
static void
engine_param(const struct walk *w, const struct toml_node *at,
    const char *key, char *val)
{
	struct plan *p = w->p;
	struct buf kv = BUF_INIT;
	size_t i, n = strlen(key);

	for (i = 1; i < p->strat_args.n; i += 2)
		if (strncmp(p->strat_args.v[i], key, n) == 0 &&
		    p->strat_args.v[i][n] == '=')
			fail(w, at, "%s: the strategies' %s, given twice",
			    at->key, key);
	buf_addf(&kv, "%s=%s", key, val);
	plan_argv_add(&p->strat_args, "-p");
	plan_argv_add(&p->strat_args, buf_cstr(&kv));
	buf_release(&kv);
	free(val);
}

/* The original's keys that have no meaning in liu, accepted and left. */
static const char *const ignored[] = {
	"bypass_market_schedule", "skip_existing", "test_scanners", NULL
};

static void
top(const struct walk *w, const struct toml_node *k)
{
	static const char *const envs[] = { "backtest", "paper", "live",
		NULL };
	static const char *const brokers[] = { "alpaca", "sim", NULL };
	struct plan *p = w->p;
	const char *s;
	size_t i;

	if (strcmp(k->key, "portfolio_value") == 0) {
		p->capital = num_text(w, k, "portfolio_value", 1e-9, 1e15);
		engine_param(w, k, "portfolio_value", xstrdup(p->capital));
	} else if (strcmp(k->key, "risk") == 0)
		engine_param(w, k, "risk", num_text(w, k, "risk", 1e-9, 1));
	else if (strcmp(k->key, "market_liquidation_end_time_minutes") == 0)
		engine_param(w, k, "flatten", num_text(w, k, k->key, 0,
		    390));
	else if (strcmp(k->key, "environment") == 0) {
		s = one_of(w, k, "environment", envs);
		p->env = s[0] == 'b' ? PLAN_BACKTEST : s[0] == 'p' ?
		    PLAN_PAPER : PLAN_LIVE;
	} else if (strcmp(k->key, "broker") == 0) {
		free(p->broker);
		p->broker = xstrdup(one_of(w, k, "broker", brokers));
	} else if (strcmp(k->key, "data_provider") == 0) {
		free(p->provider);
		p->provider = xstrdup(one_of(w, k, "data_provider",
		    providers));
	} else if (strcmp(k->key, "scanners") == 0)
		scanners(w, k);
	else if (strcmp(k->key, "strategies") == 0)
		;	/* first, in plan_load() */
	else if (strcmp(k->key, "route") == 0)
		route(w, k);
	else if (strcmp(k->key, "order") == 0)
		order(w, k);
	else if (strcmp(k->key, "data") == 0)
		data(w, k);
	else if (strcmp(k->key, "backtest") == 0)
		backtest(w, k);
	else if (strcmp(k->key, "database") == 0)
		database(w, k);
	else if (strcmp(k->key, "optimizer") == 0)
		optimizer(w, k);
	else {
		for (i = 0; ignored[i]; i++)
			if (strcmp(k->key, ignored[i]) == 0)
				return;
		unknown_key(w, NULL, k);
	}
}

void
plan_load(struct plan *p, const char *path)
{
	struct buf text = BUF_INIT;
	struct walk w = { path, p };
	const struct toml_node *s;
	char err[256];
	int line, col;
	size_t i;

	plan_slurp(path, &text);
	p->path = xstrdup(path);
	if (toml_parse(text.p, text.len, &p->root, err, sizeof err, &line,
	    &col)) {
		if (line)
			die_code(LIU_EXIT_USAGE, "%s:%d:%d: %s", path, line,
			    col, err);
		die_code(LIU_EXIT_USAGE, "%s: %s", path, err);
	}
	buf_release(&text);
	p->broker = xstrdup("alpaca");
	/* strategies first: scanners and the optimizer name them */
	if ((s = toml_get(&p->root, "strategies")) != NULL)
		strategies(&w, s);
	for (i = 0; i < p->root.n; i++) {
		if (memchr(p->root.kid[i].key, '\0', p->root.kid[i].keylen))
			unknown_key(&w, NULL, &p->root.kid[i]);
		top(&w, &p->root.kid[i]);
	}
	if (p->nstrat == 0)
		fail(&w, NULL, "no [strategies.NAME]: nothing would trade");
	if (p->sim_key && strcmp(p->broker, "sim") != 0)
		fail(&w, p->sim_key, "order.%s: an option of liu-order sim; "
		    "the broker %s checks its account itself", p->sim_key->key,
		    p->broker);
}

void
plan_release(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nscan; i++) {
		free(p->scan[i].name);
		plan_argv_release(&p->scan[i].cmd);
		plan_argv_release(&p->scan[i].crit);
		free(p->scan[i].provider);
		free(p->scan[i].wait_open);
		free(p->scan[i].every);
		free(p->scan[i].strategies);
	}
	free(p->scan);
	for (i = 0; i < p->nstrat; i++) {
		free(p->strat[i].name);
		free(p->strat[i].run);
		free(p->strat[i].prefix);
		plan_argv_release(&p->strat[i].cmd);
		plan_argv_release(&p->strat[i].params);
	}
	free(p->strat);
	for (i = 0; i < p->nhyper; i++) {
		free(p->hyper[i].strategy);
		free(p->hyper[i].key);
	}
	free(p->hyper);
	plan_argv_release(&p->strat_args);
	plan_argv_release(&p->order_args);
	plan_argv_release(&p->stream_args);
	plan_argv_release(&p->symbols);
	plan_argv_release(&p->route_args);
	plan_argv_release(&p->sim_args);
	free(p->capital);
	free(p->broker);
	free(p->provider);
	free(p->shards);
	free(p->scan_at);
	free(p->dsn);
	free(p->opt_start);
	free(p->opt_end);
	free(p->path);
	toml_release(&p->root);
	memset(p, 0, sizeof *p);
}
