# libtvc - plain Makefile.  Standard variables work: CC CFLAGS CPPFLAGS
# LDFLAGS CROSS_COMPILE PREFIX DESTDIR.  See README.md.
#
# BOARD=<name> (default posix) picks boards/<name>/board.mk, which sets:
#   BUILD           its default build directory (set with ?=)
#   BOARD_CFLAGS    default CFLAGS (optimisation, debug)
#   BOARD_ARCH      flags always added (CPU, ABI, measuring), even to a CFLAGS override
#   BOARD_CORE_SRC  the core files built ($(SRC_ALL) or $(SRC_PORTABLE))
#   BOARD_PORT_SRC  port files linked into the library; BOARD_CLI_SRC: the program
#   BOARD_INC       extra include flags; BOARD_PREREQ: files made before compiling
#   BOARD_DEPS      the boards/posix/deps.sh mode that checks its packages

VERSION := 0.1.0

BOARD ?= posix
ifeq ($(wildcard boards/$(BOARD)/board.mk),)
$(error BOARD=$(BOARD): there is no boards/$(BOARD)/board.mk)
endif
# Every core file, and the portable core: without the mbedTLS glue
# (src/*mbedtls*.c: the TLS transport and the SHA-256 over mbedTLS).
SRC_ALL := $(sort $(wildcard src/*.c))
SRC_PORTABLE := $(foreach f,$(SRC_ALL),$(if $(findstring mbedtls,$(f)),,$(f)))
include boards/$(BOARD)/board.mk

ifeq ($(origin CC),default)
ifneq ($(CROSS_COMPILE),)
CC := $(CROSS_COMPILE)gcc
else
CC := cc
endif
endif
ifeq ($(origin AR),default)
AR := $(CROSS_COMPILE)ar
endif
NM ?= $(CROSS_COMPILE)nm
SIZE ?= $(CROSS_COMPILE)size
CFLAGS ?= $(BOARD_CFLAGS)
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build

STD := -std=c99
WARN := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
        -Wmissing-prototypes -Wvla
INC := -Iinclude $(BOARD_INC)
LIBS := -lmbedtls -lmbedx509 -lmbedcrypto

ifeq ($(SAN),1)
SANFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

CORE_SRC := $(BOARD_CORE_SRC)
PORT_SRC := $(BOARD_PORT_SRC)
CLI_SRC  := $(BOARD_CLI_SRC)
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TSUP_SRC := $(sort $(filter-out $(TEST_SRC),$(wildcard tests/*.c)))

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
PORT_OBJ := $(PORT_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TSUP_OBJ := $(TSUP_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

LIB := $(BUILD)/libtvc.a
PROG := $(BUILD)/tvc

# The port conformance kit and the template port (port/skeleton, check-skeleton).
include tests/conformance/conformance.mk
include port/skeleton/skeleton.mk
# Resume at boot: the systemd unit, init script and tvc.conf make install adds.
include port/posix/dist/dist.mk
# libFuzzer harnesses (make fuzz, fuzz-build, fuzz-smoke): tests/fuzz/fuzz.mk
# (and on the ARM Linux boards, for tests/test_fuzz_regress's link rule)
ifneq ($(filter posix linux-armhf linux-aarch64,$(BOARD)),)
include tests/fuzz/fuzz.mk
endif

# The Cortex-M4 firmware test image (make BOARD=cortex-m4 firmware-tests).
# make coverage, make check-static (tests/coverage.mk, tests/static.mk)
ifeq ($(BOARD),posix)
include tests/coverage.mk tests/static.mk
endif
ifeq ($(BOARD),cortex-m4)
include tests/firmware/firmware.mk
include tests/firmware/net.mk
include tests/firmware/flow.mk
include tests/conformance/fw_conformance.mk
endif
include boards/bench.mk

# The core without mbedTLS: every source but the mbedTLS glue, compiled with
# no mbedTLS header reached (checked in each dependency file) and linked into
# tests/plain/test_http_plain without -lmbed* (checked with nm).
NOMB_SRC := $(SRC_PORTABLE) $(PORT_SRC)
NOMB_OBJ := $(NOMB_SRC:%.c=$(BUILD)/nomb/%.o)
NOMB_LIB := $(BUILD)/nomb/libtvc-nomb.a
NOMB_TSUP := $(addprefix $(BUILD)/nomb/tests/,harness.o tl_servers.o tls_server.o)
PLAIN_TEST := $(BUILD)/tests/test_http_plain

# The feature switches of include/tvc_config.h; check-minimal turns them all off.
FEATURES := HTTP_DATE STRERROR BUDGET JOURNAL RESUME
FEATURES_OFF := $(FEATURES:%=-DTVC_FEATURE_%=0)

.PHONY: all lib core tests deps deps-test deps-demo test check-alloc check-symbols \
        check-clang check-float check-minimal install uninstall clean demo size
.DEFAULT_GOAL := all

ifeq ($(BOARD_CLI_SRC),)
all: $(LIB)
else
all: $(LIB) $(PROG)
endif
lib: $(LIB)
core: $(CORE_OBJ)
tests: $(TEST_BIN) $(PLAIN_TEST)

deps:
	@sh boards/posix/deps.sh $(BOARD_DEPS) "$(CC)"
deps-test:
	@sh boards/posix/deps.sh test "$(CC)"
deps-demo:
	@sh boards/posix/deps.sh demo "$(CC)"

$(BUILD)/%.o: %.c | deps $(BOARD_PREREQ)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(BOARD_ARCH) $(CFLAGS) $(SANFLAGS) $(INC) $(CPPFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/nomb/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(BOARD_ARCH) $(CFLAGS) $(SANFLAGS) $(INC) $(CPPFLAGS) -MMD -MP -c $< -o $@
	@if grep -qi mbedtls $(@:.o=.d); then echo "$<: reaches an mbedTLS header"; rm -f $@; exit 1; fi

$(NOMB_LIB): $(NOMB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(PLAIN_TEST): $(BUILD)/nomb/tests/plain/test_http_plain.o $(NOMB_TSUP) $(NOMB_LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $^
	@if $(NM) $@ | grep -qi mbedtls; then echo "$@: references mbedTLS"; rm -f $@; exit 1; fi

$(LIB): $(CORE_OBJ) $(PORT_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(PROG): $(CLI_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TSUP_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $< $(TSUP_OBJ) $(LIB) $(LIBS)

# The core must not touch the heap: no core object may reference an allocator.
check-alloc: $(CORE_OBJ)
	@bad=$$($(NM) -u $(CORE_OBJ) | grep -Ew 'malloc|calloc|realloc|free|strdup' || true); \
	if [ -n "$$bad" ]; then echo "check-alloc: core references the heap:"; echo "$$bad"; exit 1; fi; \
	echo "check-alloc: $(words $(CORE_OBJ)) core objects, no heap references"

# Every exported symbol starts with tvc_ (jsmn stays static inside json.c).
check-symbols: $(LIB)
	@bad=$$($(NM) -g --defined-only $(LIB) | awk 'NF==3 {print $$3}' | grep -v '^tvc_' || true); \
	if [ -n "$$bad" ]; then echo "check-symbols: symbols outside tvc_:"; echo "$$bad"; exit 1; fi; \
	echo "check-symbols: every exported symbol starts with tvc_"

# Warning-free under clang too (gcc builds everything else).
check-clang: | deps
	@if command -v clang >/dev/null 2>&1; then \
	  for f in $(CORE_SRC) $(PORT_SRC) $(CLI_SRC); do \
	    clang $(STD) $(WARN) -Os $(INC) -fsyntax-only $$f || exit 1; done; \
	  echo "check-clang: $(words $(CORE_SRC) $(PORT_SRC) $(CLI_SRC)) files warning-free under clang"; \
	else echo "check-clang: clang not installed"; exit 1; fi

# The core is integer-only: no core object may call a soft-float helper
# (the Cortex-M4 build shows every float operation as one) and no core
# source or public header may say float or double outside comments.
FLOAT_HELPERS := __aeabi_[df][a-z0-9]*|__aeabi_[ifu]*[l]?2[df]|__(add|sub|mul|div|neg|cmp|eq|ne|lt|le|gt|ge|unord)[sdtx]f[0-9]|__(fix|fixuns|float|floatun|extend|trunc)[a-z]*[sdtx]f[0-9]?|__powi[sdtx]f2
check-float: $(CORE_OBJ)
	@bad=$$($(NM) -u $(CORE_OBJ) | grep -Ew '$(FLOAT_HELPERS)' || true); \
	if [ -n "$$bad" ]; then echo "check-float: core objects call soft-float helpers:"; echo "$$bad" | sort -u; exit 1; fi; \
	for f in $(CORE_SRC) $(wildcard src/*.h include/*.h); do \
	  hit=$$($(CC) -fpreprocessed -dD -E -x c $$f 2>/dev/null | grep -nwE 'float|double'); \
	  if [ -n "$$hit" ]; then echo "check-float: $$f:"; echo "$$hit"; exit 1; fi; done; \
	echo "check-float: $(words $(CORE_OBJ)) $(BOARD) core objects call no float helper; sources use no float"

# The core with every feature switch off still builds warning-free; on a
# board whose code runs here, tests/minimal/check_minimal.c also checks what
# each switch promises when off.
ifeq ($(BOARD_CLI_SRC),)
check-minimal:
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/minimal CPPFLAGS='$(CPPFLAGS) $(FEATURES_OFF)' core
	@echo "check-minimal: $(BOARD) core builds with $(FEATURES_OFF)"
else
check-minimal:
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/minimal CPPFLAGS='$(CPPFLAGS) $(FEATURES_OFF)' \
	  core $(BUILD)/minimal/tests/test_minimal
	@echo "check-minimal: $(BOARD) core builds with $(FEATURES_OFF)"
	@out=$$($(BUILD)/minimal/tests/test_minimal); rc=$$?; \
	  if [ $$rc != 0 ]; then echo "$$out"; fi; echo "$$out" | tail -n 1 | sed 's/^/check-minimal: /'; exit $$rc
endif

# (named test_* so that tests/run.sh counts it when given $(BUILD)/minimal)
$(BUILD)/tests/test_minimal: tests/minimal/check_minimal.c $(BUILD)/tests/harness.o $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(CFLAGS) $(INC) -Itests $(CPPFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

test: deps-test
	@$(MAKE) --no-print-directory all tests
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/san SAN=1 all tests
	@$(MAKE) --no-print-directory check-alloc check-symbols check-clang check-float check-minimal
	@$(MAKE) --no-print-directory check-skeleton
	@$(MAKE) --no-print-directory fuzz-build
	@$(MAKE) --no-print-directory BOARD=cortex-m4 BUILD=$(BUILD)/cortex-m4 lib check-float check-minimal size \
	  firmware-tests
	@$(MAKE) --no-print-directory BOARD=cortex-m4 BUILD=$(BUILD)/cortex-m4 SRC_CACHE=$(BUILD)/src mbedtls lwip size-libs \
	  net-test
	@$(MAKE) --no-print-directory BOARD=cortex-m4 BUILD=$(BUILD)/cortex-m4 SRC_CACHE=$(BUILD)/src fw-tls-test fw-flow
	@$(MAKE) --no-print-directory BOARD=cortex-m4 BUILD=$(BUILD)/cortex-m4 SRC_CACHE=$(BUILD)/src fw-conformance
	@$(MAKE) --no-print-directory check-static coverage-build
	@$(MAKE) --no-print-directory -j2 MBEDTLS=3.6 BUILD=$(BUILD)/mb36 SRC_CACHE=$(BUILD)/src mbedtls36
	@$(MAKE) --no-print-directory MBEDTLS=3.6 BUILD=$(BUILD)/mb36 SRC_CACHE=$(BUILD)/src all tests
	@$(MAKE) --no-print-directory -j2 BOARD=linux-armhf BUILD=$(BUILD)/linux-armhf SRC_CACHE=$(BUILD)/src mbedtls36
	@$(MAKE) --no-print-directory BOARD=linux-armhf BUILD=$(BUILD)/linux-armhf SRC_CACHE=$(BUILD)/src all tests
	@$(MAKE) --no-print-directory -j2 BOARD=linux-aarch64 BUILD=$(BUILD)/linux-aarch64 SRC_CACHE=$(BUILD)/src mbedtls36
	@$(MAKE) --no-print-directory BOARD=linux-aarch64 BUILD=$(BUILD)/linux-aarch64 SRC_CACHE=$(BUILD)/src all tests
	@sh tests/run.sh $(BUILD) $(BUILD)/cortex-m4 $(BUILD)/cov $(BUILD)/linux-armhf \
	  -- $(BUILD)/san $(BUILD)/minimal $(BUILD)/mb36 $(BUILD)/linux-aarch64

ifeq ($(BOARD),cortex-m4)
# The whole flow on the emulated board, over TLS on lwIP, against the
# simulator; its UART shows the progress, and the video's hash is checked.
demo:
	@sh boards/posix/deps.sh fwdemo
	@$(MAKE) --no-print-directory fw-flow
	@sh tests/firmware/run_flow.sh --demo $(FWFLOW_ELF)
else
demo: deps-demo
	@$(MAKE) --no-print-directory all
	@sh tests/demo.sh $(BUILD)/tvc
endif

# Flash per core object, RAM per struct, stack per entry point: boards/size.py
# (on posix the object sizes and a run of boards/posix/sizes.c).
ifeq ($(BOARD),posix)
size: $(CORE_OBJ) $(PORT_OBJ) | deps
	@echo "Flash (bytes, $(CC) $(CFLAGS)):"
	@$(SIZE) $(CORE_OBJ) | awk 'NR>1 {t+=$$1; d+=$$2; b+=$$3; sub(".*/","",$$6); printf "  %-22s text %6d  data %4d  bss %4d\n", $$6, $$1, $$2, $$3} END {printf "  %-22s text %6d  data %4d  bss %4d\n", "core total", t, d, b}'
	@$(SIZE) $(PORT_OBJ) | awk 'NR>1 {t+=$$1; d+=$$2} END {printf "  %-22s text %6d  data %4d\n", "posix port total", t, d}'
	@mkdir -p $(BUILD)
	@$(CC) $(STD) $(WARN) $(CFLAGS) $(INC) $(CPPFLAGS) boards/posix/sizes.c -o $(BUILD)/sizes && $(BUILD)/sizes
else
size: $(LIB)
	@python3 boards/size.py --build $(BUILD) --cross '$(CROSS_COMPILE)' --board $(BOARD) \
	  $(if $(filter cortex-m4,$(BOARD)),--flow $(BUILD)/fwflow) --cflags '$(subst ','\'',$(STD) $(WARN) $(BOARD_ARCH) $(CFLAGS) $(INC) $(CPPFLAGS))' $(CORE_OBJ)
endif

tvc.pc: Makefile
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	  'Name: libtvc' 'Description: Client for the NanoPhoto.AI Sora 2 TVC Ad API' \
	  'Version: $(VERSION)' 'Cflags: -I$${includedir}' \
	  'Libs: -L$${libdir} -ltvc -lmbedtls -lmbedx509 -lmbedcrypto' > $(BUILD)/tvc.pc

install: all
	@$(MAKE) --no-print-directory tvc.pc
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libtvc.a
	install -m 644 include/*.h port/posix/tvc_posix.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/tvc.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/tvc.pc
	install -m 755 $(PROG) $(DESTDIR)$(PREFIX)/bin/tvc
	@$(MAKE) --no-print-directory install-boot

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libtvc.a $(DESTDIR)$(PREFIX)/lib/pkgconfig/tvc.pc $(DESTDIR)$(PREFIX)/bin/tvc
	cd $(DESTDIR)$(PREFIX)/include && rm -f $(notdir $(wildcard include/*.h)) tvc_posix.h
	@$(MAKE) --no-print-directory uninstall-boot

clean:
	rm -rf $(BUILD) demo-out

# (only files: the fetched sources under $(BUILD)/src have directories named *.d)
-include $(foreach f,$(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d $(BUILD)/*/*/*/*.d),$(if $(wildcard $(f)/.),,$(f)))

# Keep test objects between runs (they are intermediate to make).
.SECONDARY:
