/*
 * ind.c: tests of lib/ind: hand-checked values on tiny inputs, warm-up,
 * the spec parser and field names, long-run precision, and every value of
 * every indicator over the AAPL session of 2012-01-26 against the direct
 * (non-incremental) references of t/data/ind-ref.py, to 1e-9 relative.
 */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#include "buf.h"
#include "cal.h"
#include "ind.h"
#include "json.h"
#include "tm.h"
#include "util.h"
#include "banned.h"

#define REL 1e-9
#define NBAR_MAX 1000

static char datadir[4096];
static struct bar aapl[NBAR_MAX];
static int naapl;

/* 1 if g matches w to REL relative (absolute 1e-12 for |w| < 1e-3) */
static int
close_to(double g, double w)
{
	double s = fabs(w) > 1e-3 ? fabs(w) : 1e-3;

	return fabs(g - w) <= REL * s;
}

static FILE *
open_data(const char *name)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", datadir, name);
	if ((f = fopen(path, "r")) == NULL) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

static void
load_aapl(void)
{
	char line[512], *p, *end;
	FILE *f = open_data("ind-aapl-ohlcv.csv");
	double *fld[5];
	int i;

	if (fgets(line, sizeof(line), f) == NULL)	/* header */
		exit(1);
	while (fgets(line, sizeof(line), f) && naapl < NBAR_MAX) {
		struct bar *b = &aapl[naapl];

		p = strchr(line, ',');
		if (p == NULL ||
		    tm_parse(line, (size_t)(p - line), &b->t) < 0) {
			printf("Bail out! bad time in ind-aapl-ohlcv.csv\n");
			exit(1);
		}
		fld[0] = &b->o;
		fld[1] = &b->h;
		fld[2] = &b->l;
		fld[3] = &b->c;
		fld[4] = &b->v;
		for (i = 0; i < 5; i++) {
			*fld[i] = strtod(p + 1, &end);
			p = end;
		}
		b->vw = NAN;
		naapl++;
	}
	fclose(f);
}

/*
 * Run the spec over the AAPL bars and compare with t/data/ind-ref-REF.csv,
 * every row: empty rows must be warm-up, others must match every output.
 */
static void
check_ref(const char *spec, const char *ref, int want_first)
{
	char name[256], line[1024], *p, *end;
	struct ind_spec sp;
	struct ind in;
	const char *err;
	int i, k, r, nval = 0, first = -1, bad = 0;
	double w, g, maxrel = 0;
	FILE *f;

	if (ind_spec_parse(spec, &sp, &err) < 0) {
		ok(0, "%s: parse: %s", spec, err);
		return;
	}
	ind_init(&in, &sp);
	snprintf(name, sizeof(name), "ind-ref-%s.csv", ref);
	f = open_data(name);
	for (i = 0; i < naapl && !bad; i++) {
		if (fgets(line, sizeof(line), f) == NULL) {
			printf("# %s: short reference at %d\n", ref, i);
			bad = 1;
			break;
		}
		r = ind_update_bar(&in, &aapl[i]);
		p = strchr(line, ',');
		if ((p != NULL) != (r == 1)) {
			printf("# %s: bar %d: ready %d, reference %s\n",
			    spec, i, r, p ? "has a value" : "is empty");
			bad = 1;
			break;
		}
		if (!r) {
			for (k = 0; k < sp.nout; k++)
				if (!isnan(ind_out(&in, k))) {
					printf("# %s: bar %d: value during "
					    "warm-up\n", spec, i);
					bad = 1;
				}
			continue;
		}
		if (first < 0)
			first = i;
		for (k = 0; k < sp.nout; k++) {
			w = strtod(p + 1, &end);
			p = end;
			g = ind_out(&in, k);
			if (!close_to(g, w)) {
				printf("# %s: bar %d output %d: got %.17g, "
				    "want %.17g\n", spec, i, k, g, w);
				bad = 1;
			}
			if (w != 0 && fabs(g - w) / fabs(w) > maxrel)
				maxrel = fabs(g - w) / fabs(w);
			nval++;
		}
	}
	fclose(f);
	ind_release(&in);
	ok(!bad && first == want_first,
	    "%s on AAPL: %d values match ind-ref-%s.csv (first at bar %d, "
	    "max rel err %.1e)", spec, nval, ref, first, maxrel);
	if (first != want_first)
		printf("#   first value at bar %d, want %d\n", first,
		    want_first);
}

/* Feed xs to a fresh spec; check ready flags and values (NAN = warm-up). */
static void
check_seq(const char *spec, const double *xs, const double *want, int n,
    int out)
{
	struct ind_spec sp;
	struct ind in;
	struct bar b;
	const char *err;
	int i, r, bad = 0;

	if (ind_spec_parse(spec, &sp, &err) < 0) {
		ok(0, "%s: parse: %s", spec, err);
		return;
	}
	ind_init(&in, &sp);
	for (i = 0; i < n; i++) {
		memset(&b, 0, sizeof(b));
		b.o = b.h = b.l = b.c = xs[i];
		b.v = 1;
		b.vw = NAN;
		r = ind_update_bar(&in, &b);
		if (isnan(want[i]) ? r != 0 : r != 1 ||
		    !close_to(ind_out(&in, out), want[i])) {
			printf("# %s: value %d: ready %d got %.17g want "
			    "%.17g\n", spec, i + 1, r, ind_out(&in, out),
			    want[i]);
			bad = 1;
		}
	}
	ind_release(&in);
	ok(!bad, "%s output %d by hand on %d values", spec, out, n);
}

static void
test_hand(void)
{
	static const double one5[] = { 1, 2, 3, 4, 5 };
	const double N = NAN;

	{
		double w[] = { N, N, 2, 3, 4 };
		check_seq("sma:3", one5, w, 5, 0);
	}
	{
		double w[] = { N, N, N, N, 3 };
		check_seq("sma:5", one5, w, 5, 0);
	}
	{
		/* seed mean(1,2,3) = 2; alpha 1/2: 2 + (4-2)/2 = 3; 4 */
		double w[] = { N, N, 2, 3, 4 };
		check_seq("ema:3", one5, w, 5, 0);
	}
	{
		double w[] = { 1, 2, 3, 4, 5 };
		check_seq("ema:1", one5, w, 5, 0);
	}
	{
		/* (1+4+9)/6, (2+6+12)/6, (3+8+15)/6 */
		double w[] = { N, N, 14.0 / 6, 20.0 / 6, 26.0 / 6 };
		check_seq("wma:3", one5, w, 5, 0);
	}
	{
		/*
		 * 44 45 43 46 46 44: changes +1 -2 +3 0 -2.
		 * value 4: gain (1+0+3)/3 = 4/3, loss (0+2+0)/3 = 2/3,
		 *	RSI = 100 * (4/3) / 2 = 66.67
		 * value 5: gain (4/3*2 + 0)/3 = 8/9, loss (2/3*2)/3 = 4/9,
		 *	RSI = 100 * (8/9) / (12/9) = 66.67
		 * value 6: gain (8/9*2)/3 = 16/27, loss (4/9*2 + 2)/3 = 26/27,
		 *	RSI = 100 * 16/42 = 38.095
		 */
		double xs[] = { 44, 45, 43, 46, 46, 44 };
		double w[] = { N, N, N, 200.0 / 3, 200.0 / 3, 1600.0 / 42 };
		check_seq("rsi:3", xs, w, 6, 0);
	}
	{
		/* no change at all: TA-Lib gives 0 */
		double xs[] = { 7, 7, 7, 7 };
		double w[] = { N, N, 0, 0 };
		check_seq("rsi:2", xs, w, 4, 0);
	}
	{
		/* [2 4 4 4]: mean 3.5, var (2.25 + 3 * 0.25) / 4 = 0.75 */
		double xs[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
		double w[] = { N, N, N, sqrt(0.75), sqrt(0.1875),
		    sqrt(0.25), sqrt(1.1875), sqrt(2.75) };
		double w8[] = { N, N, N, N, N, N, N, 2 };
		check_seq("stddev:4", xs, w, 8, 0);
		check_seq("stddev:8", xs, w8, 8, 0);
	}
	{
		/* 1 2 3: mid 2, sigma sqrt(2/3) */
		double xs[] = { 1, 2, 3 };
		double wm[] = { N, N, 2 };
		double wu[] = { N, N, 2 + 2 * sqrt(2.0 / 3) };
		double wl[] = { N, N, 2 - 2 * sqrt(2.0 / 3) };
		check_seq("bbands:3,2", xs, wm, 3, 0);
		check_seq("bbands:3,2", xs, wu, 3, 1);
		check_seq("bbands:3,2", xs, wl, 3, 2);
	}
	{
		double xs[] = { 5, 3, 4, 1, 2, 6, 6, 0 };
		double wh[] = { N, N, 5, 4, 4, 6, 6, 6 };
		double wl[] = { N, N, 3, 1, 1, 1, 2, 0 };
		check_seq("highest:3", xs, wh, 8, 0);
		check_seq("lowest:3", xs, wl, 8, 0);
	}
	{
		/* 1 3 5: 2 per step; 3 5 4: (4 - 3) / 2 */
		double xs[] = { 1, 3, 5, 4 };
		double w[] = { N, N, 2, 0.5 };
		check_seq("slope:3", xs, w, 4, 0);
	}
	{
		/*
		 * macd(2,3,2) of 1 2 4 8 16.  The fast EMA starts at the 2nd
		 * value: at the 3rd, fast = mean(2,4) = 3, slow = mean(1,2,4)
		 * = 7/3, macd 2/3.  4th: fast 3 + 5*2/3 = 19/3, slow 7/3 +
		 * (8-7/3)/2 = 31/6, macd 7/6; signal mean(2/3, 7/6) = 11/12,
		 * hist 1/4.  5th: fast 115/9, slow 127/12, macd 79/36;
		 * signal 11/12 + (79/36 - 11/12) * 2/3 = 191/108, hist 23/54.
		 */
		double xs[] = { 1, 2, 4, 8, 16 };
		double wm[] = { N, N, N, 7.0 / 6, 79.0 / 36 };
		double ws[] = { N, N, N, 11.0 / 12, 191.0 / 108 };
		double wh[] = { N, N, N, 0.25, 23.0 / 54 };
		check_seq("macd:2,3,2", xs, wm, 5, 0);
		check_seq("macd:2,3,2", xs, ws, 5, 1);
		check_seq("macd:2,3,2", xs, wh, 5, 2);
		/* TA-Lib swaps a fast period above the slow one */
		check_seq("macd:3,2,2", xs, wm, 5, 0);
	}
}

static void
test_atr(void)
{
	/*
	 * (h, l, c): (10 8 9) (11 9 10) (12 10 11.5) (11 7 8).  Bar 1 has
	 * no true range.  TR2 = max(2, |11-9|, |9-9|) = 2, TR3 = max(2,
	 * |12-10|, |10-10|) = 2: ATR(2) = 2 at bar 3.  TR4 = max(4,
	 * |11-11.5|, |7-11.5|) = 4.5: ATR = (2 * 1 + 4.5) / 2 = 3.25.
	 */
	struct ind_atr a;
	int r1, r2, r3, r4;

	ind_atr_init(&a, 2);
	r1 = ind_atr_update(&a, 10, 8, 9);
	r2 = ind_atr_update(&a, 11, 9, 10);
	ok(!r1 && !r2 && isnan(a.value), "atr:2 warm-up is 2 bars");
	r3 = ind_atr_update(&a, 12, 10, 11.5);
	is_dbl(a.value, 2, 1e-15, "atr:2 first value is the mean TR");
	r4 = ind_atr_update(&a, 11, 7, 8);
	is_dbl(a.value, 3.25, 1e-15, "atr:2 Wilder step");
	ok(r3 && r4, "atr:2 ready from bar 3");
}

static int64_t
ts(const char *s)
{
	int64_t t = 0;

	if (tm_parse(s, strlen(s), &t) < 0)
		printf("# bad time %s\n", s);
	return t;
}

static void
test_vwap(void)
{
	struct ind_vwap w;
	struct bar b = { 0, 0, 0, 0, 0, 0, NAN, NAN };
	int r;

	is_int(cal_ny_offset(ts("2024-01-15T12:00:00Z")) / TM_NS_PER_SEC,
	    -5 * 3600, "January is EST");
	is_int(cal_ny_offset(ts("2024-03-10T06:59:59Z")) / TM_NS_PER_SEC,
	    -5 * 3600, "2024-03-10 01:59:59 EST is still EST");
	is_int(cal_ny_offset(ts("2024-03-10T07:00:00Z")) / TM_NS_PER_SEC,
	    -4 * 3600, "2024-03-10 02:00 EST becomes EDT");
	is_int(cal_ny_offset(ts("2024-11-03T05:59:59Z")) / TM_NS_PER_SEC,
	    -4 * 3600, "2024-11-03 01:59:59 EDT is still EDT");
	is_int(cal_ny_offset(ts("2024-11-03T06:00:00Z")) / TM_NS_PER_SEC,
	    -5 * 3600, "2024-11-03 02:00 EDT becomes EST");
	is_int(cal_ny_offset(ts("2006-03-15T12:00:00Z")) / TM_NS_PER_SEC,
	    -5 * 3600, "2006 rules: mid March is EST");
	is_int(cal_ny_offset(ts("2006-04-02T07:00:00Z")) / TM_NS_PER_SEC,
	    -4 * 3600, "2006 rules: first Sunday of April");
	is_int(cal_ny_offset(ts("2006-10-29T06:00:00Z")) / TM_NS_PER_SEC,
	    -5 * 3600, "2006 rules: last Sunday of October");

	ind_vwap_init(&w, 0);
	b.t = ts("2024-03-01T14:30:00Z");
	b.v = 0;
	b.h = b.l = b.c = 10;
	r = ind_vwap_update(&w, &b);
	ok(!r && isnan(w.value), "vwap: no volume yet, no value");
	b.t += TM_NS_PER_MIN;
	b.h = 11, b.l = 9, b.c = 10, b.v = 100;	/* typical 10 */
	r = ind_vwap_update(&w, &b);
	ok(r && w.value == 10, "vwap: typical price of the first bar");
	b.t += TM_NS_PER_MIN;
	b.vw = 12, b.v = 300;			/* vw wins */
	ind_vwap_update(&w, &b);
	is_dbl(w.value, (1000 + 3600) / 400.0, 1e-15, "vwap: bar vw used");
	b.t = ts("2024-03-02T04:59:00Z");	/* 23:59 New York */
	b.vw = NAN, b.h = b.l = b.c = 8, b.v = 100;
	ind_vwap_update(&w, &b);
	is_dbl(w.value, 5400 / 500.0, 1e-15, "vwap: same New York date");
	b.t = ts("2024-03-02T05:00:00Z");	/* 00:00 New York */
	b.h = b.l = b.c = 20, b.v = 10;
	ind_vwap_update(&w, &b);
	is_dbl(w.value, 20, 0, "vwap: reset at New York midnight");

	/* across the switch to EDT on 2024-03-10, New York midnights */
	ind_vwap_init(&w, 0);
	b.vw = NAN, b.v = 1;
	b.t = ts("2024-03-10T04:59:00Z");	/* Mar 9 23:59 EST */
	b.h = b.l = b.c = 1;
	ind_vwap_update(&w, &b);
	b.t = ts("2024-03-10T05:00:00Z");	/* Mar 10 00:00 EST */
	b.h = b.l = b.c = 2;
	ind_vwap_update(&w, &b);
	is_dbl(w.value, 2, 0, "vwap: reset at midnight EST");
	b.t = ts("2024-03-11T03:59:00Z");	/* Mar 10 23:59 EDT */
	b.h = b.l = b.c = 4;
	ind_vwap_update(&w, &b);
	is_dbl(w.value, 3, 0, "vwap: 23:59 EDT is the same session");
	b.t = ts("2024-03-11T04:00:00Z");	/* Mar 11 00:00 EDT */
	b.h = b.l = b.c = 8;
	ind_vwap_update(&w, &b);
	is_dbl(w.value, 8, 0, "vwap: reset at midnight EDT");
	b.t = ts("2024-11-04T04:59:00Z");	/* Nov 3 23:59 EST */
	b.h = b.l = b.c = 5;
	ind_vwap_update(&w, &b);
	b.t = ts("2024-11-04T05:00:00Z");	/* Nov 4 00:00 EST */
	b.h = b.l = b.c = 6;
	ind_vwap_update(&w, &b);
	is_dbl(w.value, 6, 0, "vwap: back to EST in November");

	ind_vwap_init(&w, (9 * 60 + 30) * TM_NS_PER_MIN);
	b.t = ts("2024-07-01T13:00:00Z");	/* 09:00 EDT */
	b.h = b.l = b.c = 5, b.v = 10;
	ind_vwap_update(&w, &b);
	b.t = ts("2024-07-01T13:29:00Z");
	b.h = b.l = b.c = 7, b.v = 10;
	ind_vwap_update(&w, &b);
	is_dbl(w.value, 6, 0, "vwap 09:30: pre-market bars accumulate");
	b.t = ts("2024-07-01T13:30:00Z");	/* 09:30 EDT */
	b.h = b.l = b.c = 100, b.v = 1;
	ind_vwap_update(&w, &b);
	is_dbl(w.value, 100, 0, "vwap 09:30: reset at the anchor");
}

static void
test_spec(void)
{
	struct ind_spec sp[4];
	const char *err = NULL;
	static const char *bad[] = { "foo", "sma:0", "sma:2.5", "sma:20,3",
	    "sma:", "sma:x", "sma:20x", "macd:1,26,9", "macd:12,26,0",
	    "slope:1", "bbands:20,-1", "vwap:9:30", "vwap:24:00", "vwap:0930",
	    "sma:100001", "sma: 5", "sma:+5", "SMA:5", "sma:nan", "sma:inf",
	    "rsi:14,", "macd:12,26,9,1", NULL };
	int i, r;

	r = ind_spec_parse("macd:12,26,9", &sp[0], &err);
	ok(r == 0 && sp[0].kind == IND_MACD && sp[0].p[0] == 12 &&
	    sp[0].p[1] == 26 && sp[0].p[2] == 9 && sp[0].nout == 3,
	    "parse macd:12,26,9");
	r = ind_spec_parse("macd", &sp[0], &err);
	ok(r == 0 && sp[0].p[0] == 12 && sp[0].p[1] == 26 && sp[0].p[2] == 9,
	    "macd defaults to 12,26,9");
	r = ind_spec_parse("macd:,,5", &sp[0], &err);
	ok(r == 0 && sp[0].p[0] == 12 && sp[0].p[1] == 26 && sp[0].p[2] == 5,
	    "macd:,,5 keeps the other defaults");
	r = ind_spec_parse("bbands:10,1.5", &sp[0], &err);
	ok(r == 0 && sp[0].p[0] == 10 && sp[0].p[1] == 1.5,
	    "bbands:10,1.5");
	r = ind_spec_parse("vwap:09:30", &sp[0], &err);
	ok(r == 0 && sp[0].kind == IND_VWAP && sp[0].p[0] == 570,
	    "vwap:09:30 anchors at 570 minutes");
	{
		static const char *def[][2] = { { "sma", "sma20" },
		    { "ema", "ema20" }, { "wma", "wma20" },
		    { "rsi", "rsi14" }, { "atr", "atr14" },
		    { "stddev", "stddev20" }, { "vwap", "vwap" },
		    { "highest", "highest20" }, { "lowest", "lowest20" },
		    { "slope", "slope20" }, { "bbands", "bb_mid" },
		    { "ema:12", "ema12" } };
		for (i = 0; i < (int)(sizeof(def) / sizeof(def[0])); i++) {
			r = ind_spec_parse(def[i][0], &sp[0], &err);
			ok(r == 0, "parse %s", def[i][0]);
			ok(strcmp(sp[0].name[0], def[i][1]) == 0,
			    "%s is named %s (%s)", def[i][0], def[i][1],
			    sp[0].name[0]);
		}
	}
	for (i = 0; bad[i]; i++) {
		err = NULL;
		r = ind_spec_parse(bad[i], &sp[0], &err);
		ok(r < 0 && err != NULL, "reject '%s' (%s)", bad[i],
		    err ? err : "accepted");
	}

	ind_spec_parse("macd", &sp[0], &err);
	ind_spec_parse("macd:5,35,5", &sp[1], &err);
	ind_spec_parse("bbands", &sp[2], &err);
	ind_spec_parse("bbands:10,1.5", &sp[3], &err);
	r = ind_spec_names(sp, 4, &err);
	ok(r == 0, "names for macd macd:5,35,5 bbands bbands:10,1.5");
	is_str(sp[0].name[0], "macd", "first macd keeps its name");
	is_str(sp[0].name[1], "macd_signal", "first macd_signal");
	is_str(sp[1].name[0], "macd_5_35_5", "second macd suffixed");
	is_str(sp[1].name[1], "macd_signal_5_35_5", "second signal suffixed");
	is_str(sp[1].name[2], "macd_hist_5_35_5", "second hist suffixed");
	is_str(sp[3].name[2], "bb_lower_10_1p5", "bbands: '.' becomes 'p'");

	ind_spec_parse("vwap", &sp[0], &err);
	ind_spec_parse("vwap:09:30", &sp[1], &err);
	ind_spec_parse("sma:20", &sp[2], &err);
	ind_spec_parse("sma:10", &sp[3], &err);
	r = ind_spec_names(sp, 4, &err);
	ok(r == 0, "names for vwap vwap:09:30 sma:20 sma:10");
	is_str(sp[1].name[0], "vwap_0930", "anchored vwap suffixed HHMM");
	is_str(sp[3].name[0], "sma10", "sma10 does not collide");

	ind_spec_parse("sma:20", &sp[0], &err);
	ind_spec_parse("sma", &sp[1], &err);
	err = NULL;
	r = ind_spec_names(sp, 2, &err);
	ok(r < 0 && err, "sma:20 and sma are the same indicator");
	ind_spec_parse("macd:26,12,9", &sp[0], &err);
	ind_spec_parse("macd:12,26,9", &sp[1], &err);
	ok(ind_spec_names(sp, 2, &err) < 0,
	    "macd:26,12,9 is macd:12,26,9 (periods swapped as TA-Lib does)");
}

/*
 * With IND_DIGITS_EXACT, ind_add_json() must give the very text
 * json_add_num() gives, on edge cases and random doubles.
 */
static void
test_numfmt(void)
{
	static const double edge[] = { 1e-4, 0.00010000000000000002,
	    9.9999999999999e-5, 999999999999999.9, 1e15, 0.1, 0.2, 0.3,
	    1.0 / 3, 2.0 / 3, 100, 1, 0.5, -0.5, 354.37, 447.3422,
	    123456789012345.6, 5e-324, 1e300, 0, -0.0, 0.000122070312500,
	    9007199254740991.0, 4503599627370496.5, 1.7976931348623157e308,
	    248.75050000000002, 45.59766132205992, -0.10494508711822953 };
	struct ind_spec sp;
	struct ind in;
	struct bar b = { 0, 1, 1, 1, 1, 1, NAN, NAN };
	struct buf got = BUF_INIT, want = BUF_INIT;
	uint64_t x = 2463534242ULL, u;
	const char *err;
	int i, n = (int)(sizeof(edge) / sizeof(edge[0])), bad = 0;

	ind_spec_parse("highest:1", &sp, &err);
	ind_init(&in, &sp);
	for (i = 0; i < n + 300000 && bad < 5; i++) {
		if (i < n)
			b.h = edge[i];
		else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (i % 3 == 0) {
				u = x;
				memcpy(&b.h, &u, sizeof(b.h));
				if (!isfinite(b.h))
					continue;
			} else if (i % 3 == 1)
				b.h = (double)(x >> 11) / 9007199254740992.0 *
				    pow(10, (double)(x % 21) - 5);
			else
				b.h = (double)(x % 10000000) / 10000;
		}
		ind_update_bar(&in, &b);
		buf_reset(&got);
		buf_reset(&want);
		ind_add_json(&in, &got, IND_DIGITS_EXACT);
		json_add_key(&want, "highest1");
		json_add_num(&want, b.h);
		if (strcmp(buf_cstr(&got), buf_cstr(&want)) != 0) {
			printf("# %.17g: got %s want %s\n", b.h, got.p, want.p);
			bad++;
		}
	}
	ok(!bad, "exact ind_add_json numbers are json_add_num's, %d values",
	    i);
	ind_release(&in);
	buf_release(&got);
	buf_release(&want);
}

static void
test_json(void)
{
	struct ind_spec sp;
	struct ind in;
	struct bar b = { 0, 1, 1, 1, 1, 1, NAN, NAN };
	struct buf out = BUF_INIT;
	const char *err;

	ind_spec_parse("sma:2", &sp, &err);
	ind_init(&in, &sp);
	ind_update_bar(&in, &b);
	ind_add_json(&in, &out, IND_DIGITS_DEFAULT);
	is_str(buf_cstr(&out), ",\"sma2\":null", "json: null in warm-up");
	buf_reset(&out);
	b.c = 2;
	ind_update_bar(&in, &b);
	ind_add_json(&in, &out, IND_DIGITS_DEFAULT);
	is_str(buf_cstr(&out), ",\"sma2\":1.5", "json: value when ready");
	ind_release(&in);

	ind_spec_parse("macd:2,3,2", &sp, &err);
	ind_init(&in, &sp);
	buf_reset(&out);
	ind_update_bar(&in, &b);
	ind_add_json(&in, &out, IND_DIGITS_DEFAULT);
	is_str(buf_cstr(&out),
	    ",\"macd\":null,\"macd_signal\":null,\"macd_hist\":null",
	    "json: three nulls for macd");
	ind_release(&in);
	buf_release(&out);
}

/*
 * ind_add_fields() writes what ind_add_json() writes for each indicator
 * in turn, at every digits, in warm-up and after, and ind_out_offset()
 * finds every output ind_out() gives.
 */
static void
test_fields(void)
{
	static const char *specs[] = { "ema:3", "macd:2,3,2", "rsi:2",
	    "vwap", "atr:2", "bbands:3,2", "sma:2", "wma:2", "stddev:2",
	    "highest:2", "lowest:2", "slope:2" };
	enum { NS = sizeof(specs) / sizeof(specs[0]) };
	struct ind_spec sp[NS];
	struct ind in[NS];
	struct ind_field f[NS * IND_MAXOUT];
	struct bar b = { 0, 0, 0, 0, 0, 1000, NAN, NAN };
	struct buf got = BUF_INIT, want = BUF_INIT;
	const char *err;
	double v;
	int i, k, o, nf, d, bad = 0, badoff = 0;

	for (i = 0; i < NS; i++)
		ind_spec_parse(specs[i], &sp[i], &err);
	ind_spec_names(sp, NS, &err);
	nf = ind_fields(sp, NS, f);
	is_int(nf, 16, "ind_fields: 16 fields for 12 specs");
	is_str(f[1].lit, ",\"macd\":", "ind_fields: the text of a field");
	ok(f[1].len == 8 && f[1].ind == 1, "ind_fields: length and index");
	for (i = 0; i < NS; i++)
		ind_init(&in[i], &sp[i]);
	for (k = 0; k < 8; k++) {
		b.t = (int64_t)k * 60000000000LL;
		b.c = 100 + 7.0 * k / 3 - (k % 3) * 1.1;
		b.o = b.c - 0.25;
		b.h = b.c + 0.5;
		b.l = b.c - 0.75;
		for (i = 0; i < NS; i++) {
			ind_update_bar(&in[i], &b);
			for (o = 0; o < sp[i].nout; o++) {
				memcpy(&v, (const char *)&in[i] +
				    ind_out_offset(sp[i].kind, o), sizeof(v));
				if (in[i].ready && v != ind_out(&in[i], o))
					badoff++;
			}
		}
		for (d = 1; d <= IND_DIGITS_EXACT; d++) {
			buf_reset(&got);
			buf_reset(&want);
			ind_add_fields(&got, in, f, nf, d);
			for (i = 0; i < NS; i++)
				ind_add_json(&in[i], &want, d);
			if (strcmp(buf_cstr(&got), buf_cstr(&want)) != 0 &&
			    bad++ < 3)
				printf("# bar %d, %d digits:\n# got  %s\n"
				    "# want %s\n", k, d, got.p, want.p);
		}
	}
	ok(!bad, "ind_add_fields writes what ind_add_json does");
	ok(!badoff, "ind_out_offset finds ind_out's values");
	ok(strstr(want.p, "\"rsi2\":") && !strstr(want.p, "null"),
	    "ind_add_fields: every indicator ready after 8 bars");
	for (i = 0; i < NS; i++)
		ind_release(&in[i]);
	buf_release(&got);
	buf_release(&want);
}

/* Whether two indicators give the same outputs, bit for bit. */
static int
same_outputs(const struct ind *a, const struct ind *b)
{
	double x, y;
	int o;

	if (a->ready != b->ready)
		return 0;
	for (o = 0; o < a->spec->nout; o++) {
		x = ind_out(a, o);
		y = ind_out(b, o);
		if (memcmp(&x, &y, sizeof(x)) != 0)
			return 0;
	}
	return 1;
}

/*
 * ind_save() and ind_restore(), as liu-ta takes back a bar: for every
 * kind, every place of the last bar (across warm-up and the exact
 * recomputes at each turn of a window) and every place of the save before
 * it, going back to the save, feeding the bars since again and then a
 * replacement gives what feeding the replacement in the first place
 * gives, on that bar and on the bars after it.
 */
static void
test_save(void)
{
	static const char *specs[] = { "ema:3", "macd:2,4,2", "rsi:3",
	    "vwap", "atr:3", "bbands:4,2", "sma:3", "wma:4", "stddev:3",
	    "highest:3", "lowest:4", "slope:3" };
	enum { NS = sizeof(specs) / sizeof(specs[0]), N = 24, AFTER = 6 };
	struct ind_spec sp;
	struct ind a, b;
	struct ind_saved sv = IND_SAVED_INIT;
	struct bar bar[N + AFTER], alt[N];
	const char *err;
	uint64_t seed = 2463534242ULL;
	int i, k, sa, j, bad, runs;

	/* a random walk; the replacements differ in close, high, volume */
	for (k = 0; k < N + AFTER; k++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		bar[k].t = 1704205800000000000LL + k * 60000000000LL;
		bar[k].c = 100 + (double)(seed % 1000) / 100;
		bar[k].o = bar[k].c - 0.25;
		bar[k].h = bar[k].c + (double)(seed % 7) / 10;
		bar[k].l = bar[k].o - (double)(seed % 5) / 10;
		bar[k].v = (double)(seed % 9000);
		bar[k].vw = k % 3 ? bar[k].c : NAN;
		bar[k].n = NAN;
		if (k < N) {
			alt[k] = bar[k];
			alt[k].c = alt[k].o + 0.5;
			alt[k].h = alt[k].c + 1;
			alt[k].v += 700;
		}
	}
	for (i = 0; i < NS; i++) {
		ind_spec_parse(specs[i], &sp, &err);
		bad = runs = 0;
		for (k = 0; k < N; k++) {
			for (sa = 0; sa <= k; sa++) {
				ind_init(&a, &sp);
				ind_init(&b, &sp);
				for (j = 0; j < sa; j++)
					ind_update_bar(&a, &bar[j]);
				ind_save(&a, &sv);
				for (j = sa; j <= k; j++)
					ind_update_bar(&a, &bar[j]);
				ind_restore(&a, &sv);
				for (j = sa; j < k; j++)
					ind_update_bar(&a, &bar[j]);
				ind_update_bar(&a, &alt[k]);
				for (j = 0; j < k; j++)
					ind_update_bar(&b, &bar[j]);
				ind_update_bar(&b, &alt[k]);
				bad += !same_outputs(&a, &b);
				for (j = k + 1; j < k + 1 + AFTER; j++) {
					ind_update_bar(&a, &bar[j]);
					ind_update_bar(&b, &bar[j]);
					bad += !same_outputs(&a, &b);
				}
				runs++;
				ind_release(&a);
				ind_release(&b);
			}
		}
		ok(bad == 0, "ind_restore: %s, %d ways of taking a bar back, "
		    "%d mismatches", specs[i], runs, bad);
	}
	ind_saved_release(&sv);
}

/*
 * Millions of updates must not drift: compare the rolling indicators at
 * the end of a long random walk with a direct computation of the last
 * window.
 */
static void
test_long(void)
{
	enum { N = 20, COUNT = 2000000 };
	struct ind_sma sma;
	struct ind_wma wma;
	struct ind_stddev sd;
	struct ind_slope sl;
	double last[N], x = 400, m = 0, v = 0, wsum = 0, sxy = 0, xbar;
	uint64_t seed = 88172645463325252ULL;
	int i;

	ind_sma_init(&sma, N);
	ind_wma_init(&wma, N);
	ind_stddev_init(&sd, N);
	ind_slope_init(&sl, N);
	for (i = 0; i < COUNT; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		x += ((double)(seed % 2001) - 1000) / 100000;
		if (x < 1)
			x = 1;
		ind_sma_update(&sma, x);
		ind_wma_update(&wma, x);
		ind_stddev_update(&sd, x);
		ind_slope_update(&sl, x);
		if (i >= COUNT - N)
			last[i - (COUNT - N)] = x;
	}
	for (i = 0; i < N; i++)
		m += last[i];
	m /= N;
	xbar = (N - 1) / 2.0;
	for (i = 0; i < N; i++) {
		v += (last[i] - m) * (last[i] - m);
		wsum += (i + 1) * last[i];
		sxy += (i - xbar) * (last[i] - m);
	}
	ok(close_to(sma.value, m), "sma:20 after 2M values: %.17g vs %.17g",
	    sma.value, m);
	ok(close_to(wma.value, wsum / (N * (N + 1) / 2.0)),
	    "wma:20 after 2M values");
	ok(close_to(sd.value, sqrt(v / N)), "stddev:20 after 2M values: "
	    "%.17g vs %.17g", sd.value, sqrt(v / N));
	ok(close_to(sl.value, sxy / (N * (N * N - 1) / 12.0)),
	    "slope:20 after 2M values: %.17g vs %.17g", sl.value,
	    sxy / (N * (N * N - 1) / 12.0));
	ind_sma_release(&sma);
	ind_wma_release(&wma);
	ind_stddev_release(&sd);
	ind_slope_release(&sl);
}

static void
test_aapl(void)
{
	load_aapl();
	is_int(naapl, 392, "AAPL session has 392 bars");
	check_ref("sma:20", "sma20", 19);
	check_ref("sma:5", "sma5", 4);
	check_ref("ema:12", "ema12", 11);
	check_ref("ema:26", "ema26", 25);
	check_ref("wma:20", "wma20", 19);
	check_ref("wma:7", "wma7", 6);
	check_ref("macd:12,26,9", "macd", 33);
	check_ref("macd:5,35,5", "macd_5_35_5", 38);
	check_ref("rsi:14", "rsi14", 14);
	check_ref("rsi:5", "rsi5", 5);
	check_ref("atr:14", "atr14", 14);
	check_ref("bbands:20,2", "bbands", 19);
	check_ref("stddev:20", "stddev20", 19);
	check_ref("stddev:5", "stddev5", 4);
	check_ref("vwap", "vwap", 0);
	check_ref("highest:20", "highest20", 19);
	check_ref("lowest:20", "lowest20", 19);
	check_ref("slope:20", "slope20", 19);
	check_ref("slope:3", "slope3", 2);
}

int
main(int argc, char *argv[])
{
	const char *d = getenv("TEST_DATA");
	char *tmp;

	(void)argc;
	if (d)
		snprintf(datadir, sizeof(datadir), "%s", d);
	else {
		/* t/unit/bin/ind -> t/data */
		tmp = xstrdup(argv[0]);
		snprintf(datadir, sizeof(datadir), "%s/../../data",
		    dirname(tmp));
		free(tmp);
	}
	test_hand();
	test_atr();
	test_vwap();
	test_spec();
	test_json();
	test_numfmt();
	test_fields();
	test_save();
	test_long();
	test_aapl();
	return done_testing();
}
