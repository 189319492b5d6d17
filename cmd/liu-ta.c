/*
 * liu-ta: a technical-analysis filter.  Reads liu events, adds the values of
 * the indicators named on the command line to each bar event, per symbol and
 * timeframe, and writes every event on; values are null during warm-up.
 *
 * A bar is written as it came, byte for byte, with the indicator fields
 * appended before its closing brace.  A field of the bar that has the name
 * of one of our outputs (a second liu-ta, say) is dropped so that no key is
 * written twice.  Other events pass through unchanged.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event.h"
#include "ind.h"
#include "json.h"
#include "ndjson.h"
#include "sym.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

static const char usage_text[] =
"usage: liu-ta [-uv] [--digits N | --exact] [--strict] [--max-bad N]\n"
"              [--line-max N] SPEC...\n"
"       liu-ta -h | --help | --version\n"
"See liu-ta(1).\n";

static _Noreturn void
usage(FILE *f, int code)
{
	fputs(usage_text, f);
	exit(code == 0 ? liu_finish(0) : code);
}

enum { O_VERSION = 300, O_DIGITS, O_EXACT };

static const struct option longopts[] = {
	{ "digits", required_argument, NULL, O_DIGITS },
	{ "exact", no_argument, NULL, O_EXACT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ "verbose", no_argument, NULL, 'v' },
	ND_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/* The state of one symbol and timeframe: its indicators and last bar time. */
struct series {
	struct ind *ind;	/* nspec of them, owned */
	int64_t last_t;
	int started;
};

/*
 * One output field: `,"NAME":` ready to copy (lit is copied whole, a fixed
 * size the compiler can inline; only len bytes count), and where its value
 * comes from.
 */
struct ta_field {
	char lit[IND_NAME_MAX + 8];
	size_t len;
	int spec, out;
};

struct ta {
	struct ind_spec *spec;
	int nspec;
	struct ta_field *field;	/* every output of every spec, owned */
	int nfield;
	size_t room;		/* bytes the fields may take */
	int digits;		/* significant digits, or IND_DIGITS_EXACT */
	struct symtab keys;	/* "SYM\037TF" -> series id */
	struct series *series;	/* indexed by id, owned */
	size_t nseries, cap;
	struct buf key, out;
	uint64_t nbars;
};

/*
 * The fast path.  Most bars are flat objects of plain ASCII keys, strings,
 * numbers and literals; this scanner reads such a line in one pass and
 * returns 1 with its fields, having checked everything json_parse() and
 * ev_parse() would (the JSON grammar, "ev" is "bar", the time, the required
 * fields and their types), with numbers converted exactly as json_num()
 * does.  Anything else -- an escape, a byte above 0x7f, a nested value, a
 * null, a repeated field, one of our output names, any error -- returns 0
 * and the line goes through ev_parse(), which decides and reports.
 */
struct fbar {
	int64_t t;
	double o, h, l, c, v, vw;
	const char *sym, *tf;
	size_t sym_len, tf_len;
	size_t close;		/* offset of the closing brace */
};

enum { FK_EV = 1, FK_T = 2, FK_SYM = 4, FK_TF = 8, FK_O = 16, FK_H = 32,
	FK_L = 64, FK_C = 128, FK_V = 256, FK_VW = 512, FK_N = 1024,
	FK_SYNTH = 2048 };
#define FK_NEED (FK_EV | FK_T | FK_SYM | FK_O | FK_H | FK_L | FK_C | FK_V)

static const double fpow10[23] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
	1e20, 1e21, 1e22 };

/* A JSON number at p[*i]: 1 with *v (finite), else 0. */
static int
fnum(const char *p, size_t len, size_t *i, double *v)
{
	size_t j = *i, start = j;
	uint64_t m = 0;
	int nd = 0, frac = 0, plain = 1;

	if (j < len && p[j] == '-')
		j++;
	if (j >= len || p[j] < '0' || p[j] > '9')
		return 0;
	if (p[j] == '0')
		j++, nd++;
	else
		for (; j < len && p[j] >= '0' && p[j] <= '9'; j++, nd++)
			m = m * 10 + (uint64_t)(p[j] - '0');
	if (j < len && p[j] == '.') {
		j++;
		if (j >= len || p[j] < '0' || p[j] > '9')
			return 0;
		for (; j < len && p[j] >= '0' && p[j] <= '9'; j++, nd++,
		    frac++)
			m = m * 10 + (uint64_t)(p[j] - '0');
	}
	if (j < len && (p[j] == 'e' || p[j] == 'E')) {
		plain = 0;
		j++;
		if (j < len && (p[j] == '+' || p[j] == '-'))
			j++;
		if (j >= len || p[j] < '0' || p[j] > '9')
			return 0;
		while (j < len && p[j] >= '0' && p[j] <= '9')
			j++;
	}
	if (j - start >= 64)
		return 0;		/* json.c clips these: let it decide */
	if (plain && nd <= 15) {
		*v = (double)m / fpow10[frac];
		if (p[start] == '-')
			*v = -*v;
	} else
		*v = strtod(p + start, NULL);	/* stops at the token's end */
	*i = j;
	return isfinite(*v);
}

static int
bar_fast(const struct ta *ta, const char *p, size_t len, struct fbar *fb)
{
	size_t i = 0, ks, kl, vs = 0, vl = 0;
	unsigned seen = 0, bit;
	int s, o, kind;
	double x = 0;

#define WS() \
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r')) \
		i++
	WS();
	if (i >= len || p[i++] != '{')
		return 0;
	fb->vw = NAN;
	for (;;) {
		WS();
		if (i >= len || p[i++] != '"')
			return 0;
		ks = i;
		while (i < len && p[i] != '"') {
			if ((unsigned char)p[i] < 0x20 ||
			    (unsigned char)p[i] > 0x7e || p[i] == '\\')
				return 0;
			i++;
		}
		if (i >= len)
			return 0;
		kl = i++ - ks;
		WS();
		if (i >= len || p[i++] != ':')
			return 0;
		WS();
		if (i >= len)
			return 0;
		/* the value: 's'tring, 'n'umber, 'b'oolean */
		if (p[i] == '"') {
			vs = ++i;
			while (i < len && p[i] != '"') {
				if ((unsigned char)p[i] < 0x20 ||
				    (unsigned char)p[i] > 0x7e || p[i] == '\\')
					return 0;
				i++;
			}
			if (i >= len)
				return 0;
			vl = i++ - vs;
			kind = 's';
		} else if (p[i] == '-' || (p[i] >= '0' && p[i] <= '9')) {
			if (!fnum(p, len, &i, &x))
				return 0;
			kind = 'n';
		} else if (len - i >= 4 && memcmp(p + i, "true", 4) == 0) {
			i += 4;
			kind = 'b';
		} else if (len - i >= 5 && memcmp(p + i, "false", 5) == 0) {
			i += 5;
			kind = 'b';
		} else
			return 0;
		/* the key */
		bit = 0;
		if (kl == 1) {
			switch (p[ks]) {
			case 't': bit = FK_T; break;
			case 'o': bit = FK_O; fb->o = x; break;
			case 'h': bit = FK_H; fb->h = x; break;
			case 'l': bit = FK_L; fb->l = x; break;
			case 'c': bit = FK_C; fb->c = x; break;
			case 'v': bit = FK_V; fb->v = x; break;
			case 'n': bit = FK_N; break;
			}
		} else if (kl == 2 && p[ks] == 'e' && p[ks + 1] == 'v') {
			bit = FK_EV;
			if (kind != 's' || vl != 3 || memcmp(p + vs, "bar", 3))
				return 0;
		} else if (kl == 2 && p[ks] == 't' && p[ks + 1] == 'f') {
			bit = FK_TF;
			fb->tf = p + vs;
			fb->tf_len = vl;
		} else if (kl == 2 && p[ks] == 'v' && p[ks + 1] == 'w') {
			bit = FK_VW;
			fb->vw = x;
		} else if (kl == 3 && memcmp(p + ks, "sym", 3) == 0) {
			bit = FK_SYM;
			fb->sym = p + vs;
			fb->sym_len = vl;
		} else if (kl == 9 && memcmp(p + ks, "synthetic", 9) == 0) {
			bit = FK_SYNTH;
			if (kind != 'b')
				return 0;
		} else {
			/* unknown: fine, unless it is one of our outputs */
			for (s = 0; kl < IND_NAME_MAX && s < ta->nspec; s++)
				for (o = 0; o < ta->spec[s].nout; o++)
					if (ta->spec[s].name[o][kl] == '\0' &&
					    memcmp(ta->spec[s].name[o],
					    p + ks, kl) == 0)
						return 0;
		}
		if (bit) {
			if (seen & bit)
				return 0;
			seen |= bit;
			if (bit & (FK_EV | FK_T | FK_SYM | FK_TF)) {
				if (kind != 's')
					return 0;
			} else if (bit != FK_SYNTH && kind != 'n')
				return 0;
			if (bit == FK_T && tm_parse(p + vs, vl, &fb->t) < 0)
				return 0;
		}
		WS();
		if (i >= len)
			return 0;
		if (p[i] == '}')
			break;
		if (p[i++] != ',')
			return 0;
	}
	fb->close = i++;
	WS();
	if (i != len || (seen & FK_NEED) != FK_NEED)
		return 0;
	if (!(seen & FK_TF)) {
		fb->tf = "1m";
		fb->tf_len = 2;
	}
	return 1;
#undef WS
}

static struct series *
series_get(struct ta *ta, const struct fbar *fb)
{
	struct series *s;
	uint32_t id;
	int i;

	buf_reset(&ta->key);
	buf_add(&ta->key, fb->sym, fb->sym_len);
	buf_addc(&ta->key, '\037');
	buf_add(&ta->key, fb->tf, fb->tf_len);
	id = sym_intern(&ta->keys, ta->key.p, ta->key.len);
	if (id < ta->nseries)
		return &ta->series[id];
	if (id >= ta->cap) {
		ta->cap = ta->cap ? 2 * ta->cap : 64;
		ta->series = xrealloc(ta->series, ta->cap * sizeof(*s));
	}
	s = &ta->series[id];
	ta->nseries = id + 1;
	s->ind = xcalloc((size_t)ta->nspec, sizeof(*s->ind));
	for (i = 0; i < ta->nspec; i++)
		ind_init(&s->ind[i], &ta->spec[i]);
	s->last_t = 0;
	s->started = 0;
	return s;
}

/* Why a bar cannot be used, or NULL. */
static const char *
bar_check(const struct fbar *b)
{
	if (!(b->o > 0 && b->h > 0 && b->l > 0 && b->c > 0))
		return "bar price not positive";
	if (!(b->v >= 0))
		return "bar volume negative";
	if (!(b->l <= b->h && b->l <= b->o && b->o <= b->h &&
	    b->l <= b->c && b->c <= b->h))
		return "bar open or close outside its low-high range";
	if (!isnan(b->vw) && !(b->vw > 0))
		return "bar vw not positive";
	return NULL;
}

/* 1 if the key token i of the bar is the name of one of our outputs. */
static int
ours(const struct ta *ta, const struct ev *e, int i)
{
	const struct json_tok *k = &e->j.tok[i];
	size_t n = (size_t)(k->end - k->start);
	int s, o;

	for (s = 0; s < ta->nspec; s++)
		for (o = 0; o < ta->spec[s].nout; o++)
			if (strlen(ta->spec[s].name[o]) == n &&
			    memcmp(ta->spec[s].name[o], e->line + k->start,
			    n) == 0)
				return 1;
	return 0;
}

/*
 * Copy the bar's members to ta->out without its closing brace, leaving out
 * unknown members that have the name of one of our outputs.
 */
static void
copy_bar(struct ta *ta, const struct ev *e)
{
	const struct json_tok *k, *v;
	const char *p = e->line;
	size_t end = e->len;
	int i, m, first = 1, q;

	if (e->extra == 0 && !e->nextra_overflow) {
		while (end > 0 && p[end - 1] != '}')
			end--;
		buf_add(&ta->out, p, end - 1);
		return;
	}
	buf_addc(&ta->out, '{');
	for (i = 1, m = 0; i < e->j.ntok; i = e->j.tok[i + 1].next, m++) {
		if ((m >= 64 || e->extra & (1ULL << m)) && ours(ta, e, i))
			continue;
		k = &e->j.tok[i];
		v = &e->j.tok[i + 1];
		q = v->kind == JSON_STR;
		if (!first)
			buf_addc(&ta->out, ',');
		first = 0;
		buf_add(&ta->out, p + k->start - 1,
		    (size_t)(v->end + q - (k->start - 1)));
	}
}

/*
 * Update the indicators of the bar's series and emit the bar: 'line' is the
 * parsed event when the bar came through ev_parse(), else NULL and the
 * fast path's bytes are used.  A bad bar is reported and dropped.
 */
static void
ta_bar(struct ta *ta, struct nd_reader *rd, const struct fbar *fb,
    const char *line, const struct ev *e)
{
	const struct ta_field *f;
	struct series *s;
	struct ind_bar b;
	struct buf *out;
	const char *why;
	int i;

	if ((why = bar_check(fb)) != NULL) {
		nd_bad(rd, "%s", why);
		return;
	}
	s = series_get(ta, fb);
	if (s->started && fb->t <= s->last_t) {
		nd_bad(rd, "bar time not after the previous %.*s %.*s bar",
		    (int)fb->sym_len, fb->sym, (int)fb->tf_len, fb->tf);
		return;
	}
	s->started = 1;
	s->last_t = fb->t;
	b.t = fb->t;
	b.o = fb->o;
	b.h = fb->h;
	b.l = fb->l;
	b.c = fb->c;
	b.v = fb->v;
	b.vw = fb->vw;
	for (i = 0; i < ta->nspec; i++)
		ind_update_bar(&s->ind[i], &b);
	/* the bar without its '}', then each field, in one buffer */
	out = &ta->out;
	buf_reset(out);
	if (e)
		copy_bar(ta, e);
	else
		buf_add(out, line, fb->close);
	if (out->cap - out->len <= ta->room)
		buf_grow(out, ta->room);
	for (f = ta->field; f < ta->field + ta->nfield; f++) {
		memcpy(out->p + out->len, f->lit, sizeof(f->lit));
		out->len += f->len;
		ind_add_num(out, ind_out(&s->ind[f->spec], f->out),
		    ta->digits);
	}
	out->p[out->len++] = '}';
	nd_emit(out->p, out->len);
	ta->nbars++;
}

/* The fields of a bar that came through ev_parse(). */
static void
ev_to_fbar(const struct ev *e, struct fbar *fb)
{
	fb->t = e->t;
	fb->o = e->o;
	fb->h = e->h;
	fb->l = e->l;
	fb->c = e->c;
	fb->v = e->v;
	fb->vw = e->vw;
	fb->sym = e->sym;
	fb->sym_len = strlen(e->sym);
	fb->tf = e->tf;
	fb->tf_len = strlen(e->tf);
	fb->close = 0;
}

/* Parse the SPEC arguments and name their fields; usage errors exit 2. */
static void
ta_specs(struct ta *ta, int argc, char *argv[])
{
	struct ta_field *f;
	const char *err;
	int i, o;

	ta->nspec = argc;
	ta->spec = xcalloc((size_t)argc, sizeof(*ta->spec));
	for (i = 0; i < argc; i++)
		if (ind_spec_parse(argv[i], &ta->spec[i], &err) < 0)
			die_code(LIU_EXIT_USAGE, "invalid indicator '%.*s': %s "
			    "(see liu-ta(1))", LIU_ECHO_MAX, argv[i], err);
	if (ind_spec_names(ta->spec, ta->nspec, &err) < 0)
		die_code(LIU_EXIT_USAGE, "invalid indicators: %s", err);
	ta->field = xcalloc((size_t)argc * IND_MAXOUT, sizeof(*ta->field));
	for (i = 0; i < ta->nspec; i++)
		for (o = 0; o < ta->spec[i].nout; o++) {
			f = &ta->field[ta->nfield++];
			f->len = (size_t)snprintf(f->lit, sizeof(f->lit),
			    ",\"%s\":", ta->spec[i].name[o]);
			f->spec = i;
			f->out = o;
			ta->room += sizeof(f->lit) + IND_NUM_MAX;
		}
	ta->room += 2;
}

static void
ta_release(struct ta *ta)
{
	size_t k;
	int i;

	for (k = 0; k < ta->nseries; k++) {
		for (i = 0; i < ta->nspec; i++)
			ind_release(&ta->series[k].ind[i]);
		free(ta->series[k].ind);
	}
	free(ta->series);
	free(ta->spec);
	free(ta->field);
	symtab_release(&ta->keys);
	buf_release(&ta->key);
	buf_release(&ta->out);
}

int
main(int argc, char *argv[])
{
	struct ta ta = { .keys = SYMTAB_INIT, .key = BUF_INIT,
	    .out = BUF_INIT, .digits = IND_DIGITS_DEFAULT };
	struct nd_reader rd;
	struct ev e = EV_INIT;
	struct fbar fb;
	const char *err;
	char *line;
	size_t len;
	int ch, rc, status;

	liu_init(argv[0]);
	while ((ch = getopt_long(argc, argv, "huv", longopts, NULL)) != -1) {
		if (nd_option(ch, optarg))
			continue;
		switch (ch) {
		case 'h': usage(stdout, 0);
		case 'v': nd_policy.verbose = 1; break;
		case O_DIGITS:
			ta.digits = (int)liu_strtonum(optarg, 1,
			    IND_DIGITS_EXACT, "--digits");
			break;
		case O_EXACT: ta.digits = IND_DIGITS_EXACT; break;
		case O_VERSION: liu_version();
		default: usage(stderr, LIU_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage(stderr, LIU_EXIT_USAGE);
	ta_specs(&ta, argc, argv);
	nd_fdopen(&rd, 0, "<stdin>");
	while ((rc = nd_next(&rd, &line, &len)) == 1) {
		if (bar_fast(&ta, line, len, &fb)) {
			ta_bar(&ta, &rd, &fb, line, NULL);
			continue;
		}
		if (ev_parse(&e, line, len, &err) < 0) {
			if (nd_bad(&rd, "bad event: %s", err) < 0)
				break;
			continue;
		}
		if (e.type == EV_BAR) {
			ev_to_fbar(&e, &fb);
			ta_bar(&ta, &rd, &fb, NULL, &e);
		} else
			nd_emit(line, len);
	}
	status = nd_summary();
	if (rc < 0)
		status = LIU_EXIT_SYS;
	if (nd_policy.verbose)
		warn("%llu lines, %llu bars, %zu series, %llu bad",
		    (unsigned long long)rd.nlines,
		    (unsigned long long)ta.nbars, ta.nseries,
		    (unsigned long long)nd_nbad);
	nd_close(&rd);
	ev_release(&e);
	ta_release(&ta);
	return liu_finish(status);
}
