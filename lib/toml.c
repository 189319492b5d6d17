/*
 * toml.c: the C side of the TOML tree: freeing it, looking keys up, and
 * writing it as toml-test's tagged JSON.  The parser is toml_parse.cc.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "numfmt.h"
#include "toml.h"
#include "banned.h"

void
toml_release(struct toml_node *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		toml_release(&t->kid[i]);
	free(t->kid);
	free(t->key);
	free(t->s);
	memset(t, 0, sizeof *t);
	t->type = TOML_TABLE;
}

const struct toml_node *
toml_get(const struct toml_node *t, const char *key)
{
	size_t i, n = strlen(key);

	if (t == NULL || t->type != TOML_TABLE)
		return NULL;
	for (i = 0; i < t->n; i++)
		if (t->kid[i].keylen == n && memcmp(t->kid[i].key, key, n) == 0)
			return &t->kid[i];
	return NULL;
}

const char *
toml_type_name(enum toml_type type)
{
	switch (type) {
	case TOML_TABLE: return "table";
	case TOML_ARRAY: return "array";
	case TOML_STRING: return "string";
	case TOML_INTEGER: return "integer";
	case TOML_FLOAT: return "float";
	case TOML_BOOL: return "bool";
	case TOML_DATETIME: return "datetime";
	case TOML_DATETIME_LOCAL: return "datetime-local";
	case TOML_DATE_LOCAL: return "date-local";
	case TOML_TIME_LOCAL: return "time-local";
	}
	return "?";
}

/* "HH:MM:SS" and the fraction's digits without trailing zeros */
static void
add_time(struct buf *b, const struct toml_datetime *dt)
{
	char frac[16];
	int n;

	buf_addf(b, "%02d:%02d:%02d", dt->hour, dt->minute, dt->second);
	if (dt->nsec == 0)
		return;
	n = snprintf(frac, sizeof frac, ".%09ld", dt->nsec);
	while (n > 1 && frac[n - 1] == '0')
		n--;
	buf_add(b, frac, (size_t)n);
}

/* The value of a scalar as toml-test writes it, in a JSON string. */
static void
add_scalar(struct buf *b, const struct toml_node *t)
{
	const struct toml_datetime *dt = &t->v.dt;
	char num[NUMFMT_MAX];
	int off;

	switch (t->type) {
	case TOML_STRING:
		json_add_str(b, t->s, t->len);
		return;
	case TOML_INTEGER:
		buf_addc(b, '"');
		buf_addi64(b, t->v.i);
		buf_addc(b, '"');
		return;
	case TOML_FLOAT:
		if (isnan(t->v.f))
			buf_adds(b, "\"nan\"");
		else if (isinf(t->v.f))
			buf_adds(b, t->v.f < 0 ? "\"-inf\"" : "\"inf\"");
		else {
			buf_addc(b, '"');
			buf_add(b, num, numfmt_shortest(num, t->v.f));
			buf_addc(b, '"');
		}
		return;
	case TOML_BOOL:
		buf_adds(b, t->v.b ? "\"true\"" : "\"false\"");
		return;
	default:
		break;
	}
	buf_addc(b, '"');
	if (t->type != TOML_TIME_LOCAL)
		buf_addf(b, "%04d-%02d-%02d", dt->year, dt->month, dt->day);
	if (t->type == TOML_DATETIME || t->type == TOML_DATETIME_LOCAL)
		buf_addc(b, 'T');
	if (t->type != TOML_DATE_LOCAL)
		add_time(b, dt);
	if (t->type == TOML_DATETIME) {
		off = dt->offset;
		if (off == 0)
			buf_addc(b, 'Z');
		else
			buf_addf(b, "%c%02d:%02d", off < 0 ? '-' : '+',
			    abs(off) / 60, abs(off) % 60);
	}
	buf_addc(b, '"');
}

void
toml_tagged_json(struct buf *b, const struct toml_node *t)
{
	size_t i;

	switch (t->type) {
	case TOML_TABLE:
		buf_addc(b, '{');
		for (i = 0; i < t->n; i++) {
			if (i)
				buf_addc(b, ',');
			json_add_str(b, t->kid[i].key, t->kid[i].keylen);
			buf_addc(b, ':');
			toml_tagged_json(b, &t->kid[i]);
		}
		buf_addc(b, '}');
		break;
	case TOML_ARRAY:
		buf_addc(b, '[');
		for (i = 0; i < t->n; i++) {
			if (i)
				buf_addc(b, ',');
			toml_tagged_json(b, &t->kid[i]);
		}
		buf_addc(b, ']');
		break;
	default:
		buf_adds(b, "{\"type\":\"");
		buf_adds(b, toml_type_name(t->type));
		buf_adds(b, "\",\"value\":");
		add_scalar(b, t);
		buf_addc(b, '}');
	}
}
