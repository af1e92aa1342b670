# pam_cognito_mfa: Cognito-style MFA for Linux logins.
#
#   make            build/pam_cognito_mfa.so and build/cognito-mfa
#   make check      every test; ends with "N passed, N failed, N skipped"
#   make asan       the whole check again under ASan + UBSan (build/asan/)
#   make fuzz       libFuzzer targets (clang), each run FUZZ_SECONDS
#   make bench      speed and memory figures (never part of check)
#   make deps       install the Debian packages the build and tests need
#   make install / uninstall   honour DESTDIR, PREFIX, PAMDIR
#
# CFLAGS / LDFLAGS from the command line or environment are appended to,
# never replaced.  WERROR=0 turns warnings back into warnings.

VERSION := 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var/lib
PAM_LIBDIR := $(shell pkg-config --variable=libdir pam 2>/dev/null)
PAMDIR ?= $(if $(PAM_LIBDIR),$(PAM_LIBDIR)/security,/lib/security)

BUILD ?= build
WERROR ?= 1
SAN ?=
FUZZ_SECONDS ?= 60

PKGS := libcjson libcrypto pam
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wconversion -Wvla \
	-Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith
ifeq ($(WERROR),1)
WARN += -Werror
endif

ifeq ($(SAN),1)
HARDEN := -fstack-protector-strong
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
OPT := -O1 -g
else
HARDEN := -D_FORTIFY_SOURCE=3 -fstack-protector-strong \
	-fstack-clash-protection
SANFLAGS :=
OPT := -O2 -g
endif

DEFS := -D_GNU_SOURCE -DCMFA_VERSION='"$(VERSION)"' \
	-DCMFA_SYSCONFDIR='"$(SYSCONFDIR)"' \
	-DCMFA_LOCALSTATEDIR='"$(LOCALSTATEDIR)"' \
	-DCMFA_BINDIR='"$(BINDIR)"'

ALL_CFLAGS := -std=c11 $(OPT) $(WARN) $(HARDEN) $(SANFLAGS) $(DEFS) \
	-fPIC -fvisibility=hidden -Iinclude $(PKG_CFLAGS) \
	$(shell pkg-config --cflags libcurl 2>/dev/null) $(CFLAGS)
ALL_LDFLAGS := -Wl,-z,relro -Wl,-z,now -Wl,--as-needed $(SANFLAGS) \
	$(LDFLAGS)

# The units every program links (util, core, otp, store, config).  Only
# cli/ and aws/ may ever use libcurl; the module links none of it.
LIB_UNITS := util core otp store config
LIB_SRCS := $(foreach u,$(LIB_UNITS),$(wildcard pam_cognito_mfa/$(u)/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libcmfa.a
LIB_LIBS := -lcjson -lcrypto

MOD_SRCS := $(wildcard pam_cognito_mfa/pam/*.c)
MOD_OBJS := $(MOD_SRCS:%.c=$(BUILD)/obj/%.o)
MOD_MAP := pam_cognito_mfa/pam/pam_cognito_mfa.map
MODULE := $(BUILD)/pam_cognito_mfa.so

# aws/ (signing, HTTPS, SNS / STS / SES) and deliver/ (SMTP, delivery
# limits): the only units that may use libcurl.  Their own archive, linked
# by the CLI and the tests, never by the module.
AWS_SRCS := $(wildcard pam_cognito_mfa/aws/*.c pam_cognito_mfa/deliver/*.c)
AWS_OBJS := $(AWS_SRCS:%.c=$(BUILD)/obj/%.o)
AWS_LIB := $(BUILD)/libcmfa_aws.a
AWS_LIBS := $(shell pkg-config --libs libcurl 2>/dev/null)

# The CLI: main.c alone is the program; the rest of cli/ is a library the
# unit tests link too.
CLI_MAIN_OBJ := $(BUILD)/obj/pam_cognito_mfa/cli/main.o
CLI_LIB_SRCS := $(filter-out pam_cognito_mfa/cli/main.c,\
	$(wildcard pam_cognito_mfa/cli/*.c))
CLI_LIB_OBJS := $(CLI_LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_LIB := $(BUILD)/libcmfa_cli.a
CLI_LIBS := $(shell pkg-config --libs libqrencode 2>/dev/null)
CLI := $(BUILD)/cognito-mfa

TEST_SRCS := $(wildcard tests/unit/test_*.c)
TESTS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz-replay/%)

BENCH_SRCS := $(wildcard tests/bench/bench_*.c)
BENCHES := $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/bench/%)

.PHONY: all check asan fuzz bench deps install uninstall clean format \
	test-programs demo dist deb rpm

all: $(MODULE) $(CLI)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(MODULE): $(MOD_OBJS) $(LIB) $(MOD_MAP)
	$(CC) -shared -o $@ $(MOD_OBJS) $(LIB) $(ALL_LDFLAGS) \
		-Wl,--version-script=$(MOD_MAP) -Wl,--no-undefined \
		-lpam $(LIB_LIBS)

$(CLI_LIB): $(CLI_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(AWS_LIB): $(AWS_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(CLI): $(CLI_MAIN_OBJ) $(CLI_LIB) $(AWS_LIB) $(LIB)
	$(CC) -pie -o $@ $(CLI_MAIN_OBJ) $(CLI_LIB) $(AWS_LIB) $(LIB) \
		$(ALL_LDFLAGS) $(CLI_LIBS) $(AWS_LIBS) $(LIB_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(CLI_LIB) $(AWS_LIB) $(LIB) \
		tests/unit/cmfa_test.h tests/unit/cmfa_fixture.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -pie -o $@ $< $(CLI_LIB) $(AWS_LIB) \
		$(LIB) $(ALL_LDFLAGS) -lpam $(CLI_LIBS) $(AWS_LIBS) $(LIB_LIBS)

# Fuzz targets built with the normal compiler and a replay main(), so
# every corpus file is a regression test in `make check`.
$(BUILD)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(CLI_LIB) \
		$(AWS_LIB) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -pie -o $@ $< tests/fuzz/replay.c $(CLI_LIB) \
		$(AWS_LIB) $(LIB) $(ALL_LDFLAGS) $(CLI_LIBS) $(AWS_LIBS) \
		$(LIB_LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -pie -o $@ $< $(LIB) $(ALL_LDFLAGS) -lpam $(LIB_LIBS)

test-programs: all $(TESTS) $(FUZZ_REPLAY)

check: test-programs
	@tests/run-tests $(BUILD)

asan:
	$(MAKE) BUILD=build/asan SAN=1 check

# The main job (as root): a throwaway user enrolled with a TOTP
# authenticator on a temporary store, a real SSH login to a loopback sshd
# protected by the module; everything removed afterwards.
demo: deps all
	@sh tests/e2e/demo.sh $(BUILD)

# libFuzzer: clang, ASan + UBSan, each target for FUZZ_SECONDS, new inputs
# kept in build/fuzz/corpus/<target> (copy the interesting ones into
# tests/fuzz/corpus/<target> to make them regression tests).
fuzz:
	@set -e; for src in $(FUZZ_SRCS); do \
		t=$$(basename $$src .c); name=$${t#fuzz_}; \
		mkdir -p build/fuzz/corpus/$$name; \
		echo "building $$t"; \
		clang -std=c11 -g -O1 $(DEFS) -Iinclude $(PKG_CFLAGS) \
			-fsanitize=fuzzer,address,undefined \
			-fno-sanitize-recover=all -o build/fuzz/$$t $$src \
			$(CLI_LIB_SRCS) $(AWS_SRCS) $(LIB_SRCS) $(CLI_LIBS) \
			$(AWS_LIBS) $(LIB_LIBS); \
		echo "fuzzing $$t for $(FUZZ_SECONDS)s"; \
		build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) \
			-max_len=65536 build/fuzz/corpus/$$name \
			tests/fuzz/corpus/$$name; \
	done

bench: all $(BENCHES)
	@tests/run-bench $(BUILD)

# Debian packages the build and every test need (packaging/deps-debian.txt);
# only the missing ones are installed, so this is a no-op on a machine
# that has them all.  A temporary policy-rc.d (unless the machine has its
# own) keeps packages such as openssh-server from starting services.
DEB_DEPS := $(shell sed -e 's/\#.*//' packaging/deps-debian.txt)
deps:
	@missing=""; for p in $(DEB_DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q '^install ok installed$$' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all present"; exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "deps: missing:$$missing (run make deps as root)"; exit 1; fi; \
	echo "deps: installing$$missing"; \
	guard=""; if [ ! -e /usr/sbin/policy-rc.d ]; then \
		printf '#!/bin/sh\n# make deps: start no service\nexit 101\n' \
			>/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d && \
		guard=1; fi; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $$missing; \
	rc=$$?; [ -z "$$guard" ] || rm -f /usr/sbin/policy-rc.d; exit $$rc
	@sh tests/cognito-local/setup.sh

# Packages (packaging/): a source tarball of the tree, then Debian and RPM
# packages built from it in private directories under build/ (never
# $(BUILD)), with the packages' own flags: nothing of this make's command
# line (SAN=1, BUILD=...) reaches them.  tests/sh/packages.sh installs
# and checks them.
DIST := build/pam-cognito-mfa-$(VERSION).tar.gz
dist:
	@sh packaging/mkdist.sh $(VERSION) build

deb: dist
	rm -rf build/deb && mkdir -p build/deb
	tar -xzf $(DIST) -C build/deb
	cp -R packaging/debian build/deb/pam-cognito-mfa-$(VERSION)/debian
	cd build/deb/pam-cognito-mfa-$(VERSION) && \
		env -u SAN -u BUILD -u WERROR MAKEFLAGS= MAKELEVEL= \
		dpkg-buildpackage -us -uc -b

# On Debian the Fedora build dependencies are not in the RPM database
# (--nodeps), there is no find-debuginfo (no debug package), and rpm's
# brp-compress (man pages) is a bash script that Debian's rpm runs with sh.
rpm: dist
	rm -rf build/rpm && mkdir -p build/rpm/SOURCES
	cp $(DIST) build/rpm/SOURCES/
	env -u SAN -u BUILD -u WERROR MAKEFLAGS= MAKELEVEL= \
		rpmbuild -bb --nodeps \
		--define '_topdir $(CURDIR)/build/rpm' \
		--define 'cmfa_version $(VERSION)' \
		--define 'debug_package %{nil}' \
		--define '__brp_compress bash %{_rpmconfigdir}/brp-compress /usr' \
		packaging/rpm/pam_cognito_mfa.spec

install: all
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(BINDIR)
	install -m 0644 $(MODULE) $(DESTDIR)$(PAMDIR)/pam_cognito_mfa.so
	install -m 0755 $(CLI) $(DESTDIR)$(BINDIR)/cognito-mfa
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/cognito-mfa
	@if [ ! -e $(DESTDIR)$(SYSCONFDIR)/cognito-mfa/cognito-mfa.conf ]; then \
		install -m 0644 conf/cognito-mfa.conf \
			$(DESTDIR)$(SYSCONFDIR)/cognito-mfa/cognito-mfa.conf; \
	else echo "keeping existing $(SYSCONFDIR)/cognito-mfa/cognito-mfa.conf"; fi
	install -d -m 0700 $(DESTDIR)$(LOCALSTATEDIR)/cognito-mfa
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8
	install -m 0644 doc/cognito-mfa.1 $(DESTDIR)$(MANDIR)/man1/cognito-mfa.1
	install -m 0644 doc/cognito-mfa.conf.5 \
		$(DESTDIR)$(MANDIR)/man5/cognito-mfa.conf.5
	install -m 0644 doc/pam_cognito_mfa.8 \
		$(DESTDIR)$(MANDIR)/man8/pam_cognito_mfa.8
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|^ExecStart=/usr/bin/cognito-mfa |ExecStart=$(BINDIR)/cognito-mfa |' \
		conf/systemd/cognito-mfa-sync.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/cognito-mfa-sync.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/cognito-mfa-sync.service
	install -m 0644 conf/systemd/cognito-mfa-sync.timer \
		$(DESTDIR)$(SYSTEMDUNITDIR)/cognito-mfa-sync.timer

uninstall:
	rm -f $(DESTDIR)$(PAMDIR)/pam_cognito_mfa.so
	rm -f $(DESTDIR)$(BINDIR)/cognito-mfa
	rm -f $(DESTDIR)$(MANDIR)/man1/cognito-mfa.1 \
		$(DESTDIR)$(MANDIR)/man5/cognito-mfa.conf.5 \
		$(DESTDIR)$(MANDIR)/man8/pam_cognito_mfa.8
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/cognito-mfa-sync.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/cognito-mfa-sync.timer
	@echo "left in place: $(SYSCONFDIR)/cognito-mfa (configuration) and" \
		"$(LOCALSTATEDIR)/cognito-mfa (store: TOTP secrets, state)"

format:
	clang-format -i $$(find include pam_cognito_mfa tests -name '*.[ch]')

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
