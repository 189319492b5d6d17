/*
 * toml_parse.cc: toml_parse(), TOML text to the C tree of toml.h, on toml++.
 *
 * The one C++ translation unit of liu.  It is built with its own flags
 * (C++17, and NDEBUG: toml++'s debug assertions abort on some invalid
 * documents instead of reporting them) and linked with -lstdc++.  Nothing
 * thrown in here leaves it: toml_parse() catches every exception and
 * returns -1 with a message, freeing whatever part of the tree it had
 * built.  The tree is allocated with calloc() so that toml_release(), in
 * C, frees it; an allocation that fails throws std::bad_alloc, caught
 * like the rest.
 */
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "toml.h"

namespace {

void *
alloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == nullptr)
		throw std::bad_alloc();
	return p;
}

char *
copy(const std::string &s, size_t *len)
{
	char *p = static_cast<char *>(alloc(s.size() + 1, 1));

	memcpy(p, s.data(), s.size());
	*len = s.size();
	return p;
}

void
where(struct toml_node *t, const toml::source_region &src)
{
	t->line = static_cast<int>(src.begin.line);
	t->col = static_cast<int>(src.begin.column);
}

void
set_date(struct toml_datetime *dt, const toml::date &d)
{
	dt->year = d.year;
	dt->month = d.month;
	dt->day = d.day;
}

void
set_time(struct toml_datetime *dt, const toml::time &t)
{
	dt->hour = t.hour;
	dt->minute = t.minute;
	dt->second = t.second;
	dt->nsec = static_cast<long>(t.nanosecond);
}

void convert(struct toml_node *t, const toml::node &node);

/*
 * A table's members, in the order of their keys in the text (toml++ keeps
 * them sorted by name, which is the order of ties: keys of implicit tables
 * made by one header share its position).
 */
void
convert_table(struct toml_node *t, const toml::table &tab)
{
	std::vector<std::pair<const toml::key *, const toml::node *>> m;
	size_t i;

	t->type = TOML_TABLE;
	for (auto &&[k, v] : tab)
		m.emplace_back(&k, &v);
	std::stable_sort(m.begin(), m.end(), [](auto &a, auto &b) {
		const auto &x = a.first->source().begin;
		const auto &y = b.first->source().begin;
		return x.line != y.line ? x.line < y.line : x.column < y.column;
	});
	t->kid = static_cast<struct toml_node *>(alloc(m.size(),
	    sizeof *t->kid));
	for (i = 0; i < m.size(); i++) {
		struct toml_node *kid = &t->kid[i];

		t->n = i + 1;	/* toml_release() frees what is built */
		kid->key = copy(std::string(m[i].first->str()), &kid->keylen);
		convert(kid, *m[i].second);
		/* a member is where its key is, for messages */
		if (m[i].first->source().begin.line)
			where(kid, m[i].first->source());
	}
}

void
convert(struct toml_node *t, const toml::node &node)
{
	where(t, node.source());
	switch (node.type()) {
	case toml::node_type::table:
		convert_table(t, *node.as_table());
		break;
	case toml::node_type::array: {
		const toml::array &arr = *node.as_array();

		t->type = TOML_ARRAY;
		t->kid = static_cast<struct toml_node *>(alloc(arr.size(),
		    sizeof *t->kid));
		for (size_t i = 0; i < arr.size(); i++) {
			t->n = i + 1;
			convert(&t->kid[i], arr[i]);
		}
		break;
	}
	case toml::node_type::string:
		t->type = TOML_STRING;
		t->s = copy(node.as_string()->get(), &t->len);
		break;
	case toml::node_type::integer:
		t->type = TOML_INTEGER;
		t->v.i = node.as_integer()->get();
		break;
	case toml::node_type::floating_point:
		t->type = TOML_FLOAT;
		t->v.f = node.as_floating_point()->get();
		break;
	case toml::node_type::boolean:
		t->type = TOML_BOOL;
		t->v.b = node.as_boolean()->get() ? 1 : 0;
		break;
	case toml::node_type::date:
		t->type = TOML_DATE_LOCAL;
		set_date(&t->v.dt, node.as_date()->get());
		break;
	case toml::node_type::time:
		t->type = TOML_TIME_LOCAL;
		set_time(&t->v.dt, node.as_time()->get());
		break;
	case toml::node_type::date_time: {
		const toml::date_time &d = node.as_date_time()->get();

		set_date(&t->v.dt, d.date);
		set_time(&t->v.dt, d.time);
		if (d.offset) {
			t->type = TOML_DATETIME;
			t->v.dt.offset = d.offset->minutes;
		} else
			t->type = TOML_DATETIME_LOCAL;
		break;
	}
	default:
		throw std::runtime_error("a TOML value of an unknown type");
	}
}

void
message(char *err, size_t errsize, std::string_view what)
{
	size_t n;

	if (errsize == 0)
		return;
	n = std::min(what.size(), errsize - 1);
	memcpy(err, what.data(), n);
	err[n] = '\0';
}

} // namespace

extern "C" int
toml_parse(const char *text, size_t len, struct toml_node *root, char *err,
    size_t errsize, int *line, int *col)
{
	*line = *col = 0;
	try {
		toml::table tab = toml::parse(std::string_view(text, len));

		convert(root, tab);
		return 0;
	} catch (const toml::parse_error &e) {
		message(err, errsize, e.description());
		*line = static_cast<int>(e.source().begin.line);
		*col = static_cast<int>(e.source().begin.column);
	} catch (const std::bad_alloc &) {
		message(err, errsize, "out of memory");
	} catch (const std::exception &e) {
		message(err, errsize, e.what());
	} catch (...) {
		message(err, errsize, "unknown error");
	}
	toml_release(root);
	return -1;
}
