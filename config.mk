# liu build configuration; override on the command line: make PREFIX=/opt/liu
VERSION = 0.1.0
PREFIX ?= /usr/local
MANPREFIX ?= $(PREFIX)/share/man
CC ?= cc
CFLAGS ?= -O2 -g
CXX ?= c++
CXXFLAGS ?= -O2 -g
CPPFLAGS += -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -DLIU_VERSION=\"$(VERSION)\" -Ilib -I/usr/include/postgresql
LDFLAGS ?=
JOBS ?= 2
