# Makefile for pgmig
#
# The extension is built with PGXS (C++17 sources in extension/src and the
# server-independent core in extension/core).  The client and the GoogleTest
# unit tests are built with CMake into build/.  The targets a person uses:
#
#   make deps     install what a fresh Debian 12 machine lacks (apt; a quick
#                 no-op when everything is present)
#   make          build the extension and the CMake targets
#   make install  install the extension into the server's directories
#   make test     deps + build + install, then every suite against throwaway
#                 servers; ends with "N passed, N failed"
#   make demo     deps + build + install, then the example project on a
#                 throwaway server
#   make bench    pgmig against plain psql and Alembic, Sqitch, dbmate and
#                 node-pg-migrate (docs/benchmarks.md), plus the graph core
#   make stress   long forms of the reliability suites, fuzzing; docs/stress.md
#
# `make installcheck` keeps its PGXS meaning (pg_regress and isolation specs
# against the server named by PGHOST/PGPORT/PGUSER); TAP tests run through
# `make test`, which starts them as the postgres OS user.

MODULEDIR  = extension
EXTVERSION := $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" extension/pgmig.control)

MODULE_big = pgmig
OBJS       = $(patsubst %.cpp,%.o,$(sort $(wildcard extension/src/*.cpp) $(wildcard extension/src/lint/*.cpp) $(wildcard extension/core/*.cpp)))
PGFILEDESC = "pgmig - schema migrations inside PostgreSQL"

# The control file is not next to this Makefile, so it is installed as DATA.
# Install scripts are versioned and frozen once released: pgmig--0.1.sql
# creates 0.1, and each pgmig--A--B.sql upgrades A to B.  CREATE EXTENSION of
# a later version runs the 0.1 script and then the upgrades, so a fresh install
# and an upgraded one run the same SQL (sql/upgrade checks they match).
DATA       = extension/pgmig.control $(wildcard extension/sql/pgmig--*.sql)

REGRESS        = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
ISOLATION      = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test

PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Wshadow -Werror \
              -Wno-unused-parameter -Wno-missing-field-initializers -Wno-register
PG_CPPFLAGS = -Iextension/core -Iextension/src -isystem $(includedir_server)
SHLIB_LINK  = -lstdc++

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS compiles bitcode with clang without PG_CXXFLAGS; give it the same flags.
COMPILE.cxx.bc += $(PG_CXXFLAGS)

# The CMake side: unit tests (and, later, the client).
CMAKE_BUILD_DIR ?= build
.PHONY: deps cmake-build test demo bench unit stress
ifndef SKIP_CMAKE
all: cmake-build
endif

cmake-build:
	cmake -S . -B $(CMAKE_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(CMAKE_BUILD_DIR) -j$$(nproc)

deps:
	@scripts/deps.sh

test: deps
	@scripts/test.sh

demo: deps
	@scripts/demo.sh

bench: deps
	@scripts/deps.sh bench
	@scripts/bench.sh

stress: deps
	@scripts/deps.sh stress
	@scripts/stress.sh

clean: clean-cmake
clean-cmake:
	rm -rf $(CMAKE_BUILD_DIR) tmp_check output_iso

# Every object depends on every header (the sources are few and small).
$(OBJS): $(wildcard extension/src/*.hpp extension/src/lint/*.hpp extension/core/*.hpp)
