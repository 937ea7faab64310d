# roboto_orgs: PGXS build
EXTENSION = roboto_orgs
EXTVERSION = 0.3.0

MODULE_big = roboto_orgs
OBJS = \
	src/roboto_orgs.o \
	src/spi.o \
	src/ids.o \
	src/identity.o \
	src/restore.o \
	src/tuples.o \
	src/access.o \
	src/records.o \
	src/limits.o \
	src/invariants.o \
	src/events.o \
	src/orgs.o \
	src/members.o \
	src/invites.o \
	src/email_domain_bindings.o \
	src/event_feed.o \
	src/rls.o \
	src/permissions.o \
	src/domain_parse.o \
	src/email_domain.o \
	src/email_address.o

DATA = $(wildcard sql/$(EXTENSION)--*.sql)

SHLIB_LINK = -lidn2 -lpsl

# -Wextra with the exceptions PostgreSQL's own headers and our RoPlan initialisers need:
# fmgr signatures leave parameters unused, and a RoPlan's plan starts zeroed.
PG_CPPFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers

TESTS = $(sort $(wildcard test/sql/*.sql))
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION)

SPECS = $(sort $(wildcard test/specs/*.spec))
ISOLATION = $(patsubst test/specs/%.spec,%,$(SPECS))
ISOLATION_OPTS = --inputdir=test --load-extension=$(EXTENSION)

# TAP tests (test/t/*.pl, PostgreSQL::Test::Cluster): durability of real clusters
# (dump and restore, streaming standby, crash recovery); make installcheck runs
# them after the pg_regress and isolation tests. The wrapper runs prove as an
# unprivileged OS user when make runs as root (see scripts/tap-prove.sh).
TAP_TESTS = 1
PROVE_TESTS = $(sort $(wildcard test/t/*.pl))

EXTRA_CLEAN = test/results test/regression.diffs test/regression.out output_iso

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# After the include, which sets PROVE to the real prove
PROVE := $(CURDIR)/scripts/tap-prove.sh $(PROVE)

.PHONY: prove
prove:
	pg_prove --ext .sql -r test/pgtap
