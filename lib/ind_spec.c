/*
 * ind_spec.c: indicator specs as users write them, and the names of their
 * outputs (see ind.h).
 *
 * A spec "KIND[:P1[,P2[,P3]]]" becomes a struct ind_spec with every
 * parameter checked and defaulted, so that ind_init() never sees a period
 * it cannot take: what a user gets wrong is an error message here, not a
 * bug() there.  Output names are the plain ones ("ema20", "macd_signal")
 * until two specs would share one; then the later spec's names carry its
 * parameters, so that no two fields of a record ever have the same key.
 * ind_fields() turns the names into the `,"NAME":` texts a writer copies.
 *
 * Owns nothing: the caller owns the specs and the field array.  Parsing
 * fails with a static message, naming with one for a duplicate indicator;
 * nothing else can fail.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ind.h"
#include "banned.h"

#define IND_PERIOD_MAX 100000

static const struct {
	const char *name;
	int np;			/* parameters it takes */
	double def[IND_MAXPARAM];
	int nout;
	const char *out[IND_MAXOUT];	/* fixed names, or NULL: name + n */
} kinds[IND_NKINDS] = {
	[IND_SMA] = { "sma", 1, { 20 }, 1, { NULL } },
	[IND_EMA] = { "ema", 1, { 20 }, 1, { NULL } },
	[IND_WMA] = { "wma", 1, { 20 }, 1, { NULL } },
	[IND_MACD] = { "macd", 3, { 12, 26, 9 }, 3,
	    { "macd", "macd_signal", "macd_hist" } },
	[IND_RSI] = { "rsi", 1, { 14 }, 1, { NULL } },
	[IND_ATR] = { "atr", 1, { 14 }, 1, { NULL } },
	[IND_BBANDS] = { "bbands", 2, { 20, 2 }, 3,
	    { "bb_mid", "bb_upper", "bb_lower" } },
	[IND_STDDEV] = { "stddev", 1, { 20 }, 1, { NULL } },
	[IND_VWAP] = { "vwap", 1, { 0 }, 1, { "vwap" } },
	[IND_HIGHEST] = { "highest", 1, { 20 }, 1, { NULL } },
	[IND_LOWEST] = { "lowest", 1, { 20 }, 1, { NULL } },
	[IND_SLOPE] = { "slope", 1, { 20 }, 1, { NULL } },
};

const char *
ind_kind_name(enum ind_kind k)
{
	return (unsigned)k < IND_NKINDS ? kinds[k].name : "?";
}

int
ind_kind_from(const char *s, size_t len)
{
	int k;

	for (k = 0; k < IND_NKINDS; k++)
		if (strlen(kinds[k].name) == len &&
		    memcmp(kinds[k].name, s, len) == 0)
			return k;
	return -1;
}

/* The smallest period each parameter of a kind accepts. */
static int
param_min(enum ind_kind k, int i)
{
	if (k == IND_SLOPE)
		return 2;
	if (k == IND_MACD && i < 2)
		return 2;
	return 1;
}

/* "HH:MM" into minutes; -1 if malformed. */
static int
parse_hhmm(const char *s)
{
	if (strlen(s) != 5 || s[2] != ':')
		return -1;
	if (s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' ||
	    s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return -1;
	if ((s[0] - '0') * 10 + (s[1] - '0') > 23)
		return -1;
	return ((s[0] - '0') * 10 + (s[1] - '0')) * 60 +
	    (s[3] - '0') * 10 + (s[4] - '0');
}

static void
plain_names(struct ind_spec *sp)
{
	int i;

	for (i = 0; i < sp->nout; i++)
		if (kinds[sp->kind].out[i])
			snprintf(sp->name[i], IND_NAME_MAX, "%s",
			    kinds[sp->kind].out[i]);
		else
			snprintf(sp->name[i], IND_NAME_MAX, "%s%d",
			    kinds[sp->kind].name, (int)sp->p[0]);
}

int
ind_spec_parse(const char *s, struct ind_spec *sp, const char **err)
{
	const char *colon = strchr(s, ':'), *q;
	char *end;
	int k, i, m;
	double v;

	k = ind_kind_from(s, colon ? (size_t)(colon - s) : strlen(s));
	if (k < 0) {
		*err = "unknown indicator";
		return -1;
	}
	memset(sp, 0, sizeof(*sp));
	sp->kind = k;
	sp->np = kinds[k].np;
	sp->nout = kinds[k].nout;
	memcpy(sp->p, kinds[k].def, sizeof(sp->p));
	if (colon && colon[1] == '\0') {
		*err = "missing parameters after ':'";
		return -1;
	}
	if (colon && k == IND_VWAP) {
		if ((m = parse_hhmm(colon + 1)) < 0) {
			*err = "vwap anchor is not HH:MM";
			return -1;
		}
		sp->p[0] = m;
	} else if (colon) {
		q = colon + 1;
		for (i = 0;; i++) {
			if (i == sp->np) {
				*err = "too many parameters";
				return -1;
			}
			if (*q == ',' || *q == '\0') {
				/* empty: keep the default */
			} else {
				if (*q == ' ' || *q == '\t' || *q == '+') {
					*err = "bad parameter";
					return -1;
				}
				v = strtod(q, &end);
				if (end == q || (*end != ',' && *end != '\0') ||
				    !isfinite(v)) {
					*err = "bad parameter";
					return -1;
				}
				sp->p[i] = v;
				q = end;
			}
			if (*q == '\0')
				break;
			q++;
		}
	}
	for (i = 0; i < sp->np; i++) {
		if (k == IND_VWAP || (k == IND_BBANDS && i == 1)) {
			if (sp->p[i] < 0) {
				*err = "parameter out of range";
				return -1;
			}
			continue;
		}
		if (sp->p[i] != floor(sp->p[i])) {
			*err = "period is not a whole number";
			return -1;
		}
		if (sp->p[i] < param_min(k, i) || sp->p[i] > IND_PERIOD_MAX) {
			*err = "period out of range";
			return -1;
		}
	}
	if (k == IND_MACD && sp->p[0] > sp->p[1]) {
		/* TA-Lib swaps them; so do we, here, for the names */
		v = sp->p[0];
		sp->p[0] = sp->p[1];
		sp->p[1] = v;
	}
	plain_names(sp);
	return 0;
}

/* Append "_P1_P2..." (or "_HHMM" for vwap) to every name of sp. */
static void
suffix_names(struct ind_spec *sp)
{
	char suf[IND_NAME_MAX], num[32], *c;
	size_t len = 0;
	int i;

	suf[0] = '\0';
	if (sp->kind == IND_VWAP) {
		snprintf(suf, sizeof(suf), "_%02d%02d", (int)sp->p[0] / 60,
		    (int)sp->p[0] % 60);
	} else {
		for (i = 0; i < sp->np; i++) {
			snprintf(num, sizeof(num), "%.10g", sp->p[i]);
			for (c = num; *c; c++)
				if (*c == '.')
					*c = 'p';
			len = strlen(suf);
			snprintf(suf + len, sizeof(suf) - len, "_%s", num);
		}
	}
	for (i = 0; i < sp->nout; i++) {
		len = strlen(sp->name[i]);
		snprintf(sp->name[i] + len, IND_NAME_MAX - len, "%s", suf);
	}
}

static int
name_taken(const struct ind_spec *sp, int n, const char *name)
{
	int i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < sp[i].nout; j++)
			if (strcmp(sp[i].name[j], name) == 0)
				return 1;
	return 0;
}

int
ind_spec_names(struct ind_spec *sp, int n, const char **err)
{
	int i, j, clash;

	for (i = 0; i < n; i++) {
		plain_names(&sp[i]);
		for (j = 0; j < i; j++)
			if (sp[j].kind == sp[i].kind &&
			    memcmp(sp[j].p, sp[i].p, sizeof(sp[i].p)) == 0) {
				*err = "duplicate indicator";
				return -1;
			}
		clash = 0;
		for (j = 0; j < sp[i].nout; j++)
			clash |= name_taken(sp, i, sp[i].name[j]);
		if (!clash)
			continue;
		suffix_names(&sp[i]);
		for (j = 0; j < sp[i].nout; j++)
			if (name_taken(sp, i, sp[i].name[j])) {
				*err = "duplicate indicator";
				return -1;
			}
	}
	return 0;
}

int
ind_fields(const struct ind_spec *sp, int n, struct ind_field *f)
{
	int i, o, nf = 0;

	for (i = 0; i < n; i++)
		for (o = 0; o < sp[i].nout; o++, nf++) {
			memset(f[nf].lit, 0, sizeof(f[nf].lit));
			f[nf].len = (size_t)snprintf(f[nf].lit,
			    sizeof(f[nf].lit), ",\"%s\":", sp[i].name[o]);
			f[nf].ind = i;
			f[nf].at = (size_t)i * sizeof(struct ind);
			f[nf].off = ind_out_offset(sp[i].kind, o);
		}
	return nf;
}
