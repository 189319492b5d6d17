# liu: one Makefile, no recursive make.
include config.mk

WERROR ?= -Werror
WARN = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wwrite-strings -Wformat=2 \
	-Wimplicit-fallthrough $(WERROR)

# the one C++ unit, lib/toml_parse.cc (toml++): C++17, and NDEBUG, since
# toml++'s debug assertions abort on some invalid documents
CXXWARN = -std=c++17 -Wall -Wextra -Wpedantic -Wshadow $(WERROR)
CXXDEFS = -DNDEBUG

ifdef SANITIZE
SANFLAGS = -fsanitize=$(SANITIZE) -fno-sanitize-recover=$(SANITIZE) -fno-omit-frame-pointer
CFLAGS += $(SANFLAGS)
CXXFLAGS += $(SANFLAGS)
LDFLAGS += -fsanitize=$(SANITIZE)
endif

LIB_SRC = $(sort $(wildcard lib/*.c))
LIB_CXX = $(sort $(wildcard lib/*.cc))
LIB_OBJ = $(LIB_SRC:.c=.o) $(LIB_CXX:.cc=.o)
LIB_HDR = $(wildcard lib/*.h)
CMD_SRC = $(sort $(wildcard cmd/*.c))
BINS = $(patsubst cmd/%.c,bin/%,$(CMD_SRC))
UNIT_SRC = $(sort $(wildcard t/unit/*.c))
UNITS = $(patsubst t/unit/%.c,t/unit/bin/%,$(UNIT_SRC))
SCRIPTS = $(wildcard scripts/liu-*)
MANS = $(wildcard man/*.1 man/*.5 man/*.7)
EXAMPLES_SRC = $(wildcard examples/*.c)
EXAMPLES = $(EXAMPLES_SRC:.c=.so)

# extra libraries per program
LDLIBS_liu-db = -lpq
LDLIBS_liu-plan = -lstdc++
LDLIBS_toml = -lstdc++
LDLIBS_liu-strategy = -ldl
LDLIBS_liu-stream = -lcurl -lwebsockets -lpthread
LDLIBS_liu-scan = -lcurl -ljq -lpq
LDLIBS_liu-mine = -lcurl -lpq
LDLIBS_liu-order = -lcurl -lwebsockets -lpthread
LDLIBS_rest = -lcurl
LDLIBS_db = -lpq
# objects linked whole: a plug-in may call any function of PLUGIN_HDRS
# (strategy.h), and the built-in strategies pull in all their modules but
# these (t4000 checks that liu-strategy exports every one)
OBJS_liu-strategy = lib/ind_spec.o lib/ind_json.o

.PHONY: all test check bench lint install uninstall clean demo paper
all: $(BINS) $(UNITS) $(EXAMPLES)

lib/%.o: lib/%.c $(LIB_HDR)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -fPIC -c -o $@ $<

lib/%.o: lib/%.cc $(LIB_HDR)
	$(CXX) $(CXXWARN) $(CXXDEFS) $(CPPFLAGS) $(CXXFLAGS) -fPIC -c -o $@ $<

lib/libliu.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

bin/%: cmd/%.c lib/libliu.a $(LIB_HDR)
	@mkdir -p bin
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -rdynamic -o $@ $< \
		$(OBJS_$*) lib/libliu.a $(LDLIBS_$*) -lm

t/unit/bin/%: t/unit/%.c t/unit/tap.h lib/libliu.a $(LIB_HDR)
	@mkdir -p t/unit/bin
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -It/unit -o $@ $< lib/libliu.a $(LDLIBS_$*) -lm

examples/%.so: examples/%.c $(LIB_HDR)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -shared -fPIC -o $@ $<

test check: all
	prove -j$(JOBS) $(PROVE_OPTS) t/t[0-9]*.sh $(UNITS)

bench: all
	bench/run

# the main job: backtest the AAPL session in data/ as examples/tradeplan.toml
# says, and print its report
demo: all
	PATH="$(CURDIR)/bin:$(CURDIR)/scripts:$$PATH" bin/liu-plan --run -o out \
		--backtest data/aapl-2012-01-26-1m.ndjson examples/tradeplan.toml

# the order loop: a synthetic session paper-traded through liu-order sim
# in about a minute, then its report
paper: all
	PATH="$(CURDIR)/bin:$(CURDIR)/scripts:$$PATH" scripts/liu-paper \
		-o out/paper

lint:
	mandoc -Tlint -Wwarning man/*.1 man/*.5 man/*.7
	scripts/check-style

# headers a strategy plug-in compiles against (cc -I$(PREFIX)/include/liu)
PLUGIN_HDRS = lib/strategy.h lib/bars.h lib/event.h lib/json.h lib/buf.h \
	lib/ind.h lib/numfmt.h

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man1 \
		$(DESTDIR)$(MANPREFIX)/man5 \
		$(DESTDIR)$(MANPREFIX)/man7 $(DESTDIR)$(PREFIX)/include/liu
	cp -f $(BINS) $(SCRIPTS) $(DESTDIR)$(PREFIX)/bin/
	cp -f $(PLUGIN_HDRS) $(DESTDIR)$(PREFIX)/include/liu/
	for m in $(MANS); do s=$${m##*.}; cp -f $$m $(DESTDIR)$(MANPREFIX)/man$$s/; done

uninstall:
	for b in $(BINS) $(SCRIPTS); do rm -f $(DESTDIR)$(PREFIX)/bin/$${b##*/}; done
	for m in $(MANS); do s=$${m##*.}; rm -f $(DESTDIR)$(MANPREFIX)/man$$s/$${m##*/}; done
	for h in $(PLUGIN_HDRS); do rm -f $(DESTDIR)$(PREFIX)/include/liu/$${h##*/}; done
	-rmdir $(DESTDIR)$(PREFIX)/include/liu 2>/dev/null

clean:
	rm -rf bin t/unit/bin lib/*.o lib/libliu.a examples/*.so t/trash.* out
