# libtvc - plain Makefile.  Standard variables work: CC CFLAGS CPPFLAGS
# LDFLAGS CROSS_COMPILE PREFIX DESTDIR.  See README.md.

VERSION := 0.1.0

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
CFLAGS ?= -Os -g
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build

STD := -std=c99
WARN := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
        -Wmissing-prototypes -Wvla
INC := -Iinclude -Iport/posix
LIBS := -lmbedtls -lmbedx509 -lmbedcrypto

ifeq ($(SAN),1)
SANFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

CORE_SRC := $(sort $(wildcard src/*.c))
PORT_SRC := $(sort $(wildcard port/posix/*.c))
CLI_SRC  := $(sort $(wildcard port/posix/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TSUP_SRC := $(sort $(filter-out $(TEST_SRC),$(wildcard tests/*.c)))

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
PORT_OBJ := $(PORT_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TSUP_OBJ := $(TSUP_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

LIB := $(BUILD)/libtvc.a
PROG := $(BUILD)/tvc

# The core without mbedTLS: every source but the mbedTLS glue, compiled with
# no mbedTLS header reached (checked in each dependency file) and linked into
# tests/plain/test_http_plain without -lmbed* (checked with nm).
NOMB_SRC := $(filter-out src/tls_mbedtls.c src/hash_mbedtls.c,$(CORE_SRC)) $(PORT_SRC)
NOMB_OBJ := $(NOMB_SRC:%.c=$(BUILD)/nomb/%.o)
NOMB_LIB := $(BUILD)/nomb/libtvc-nomb.a
NOMB_TSUP := $(addprefix $(BUILD)/nomb/tests/,harness.o tl_servers.o tls_server.o)
PLAIN_TEST := $(BUILD)/tests/test_http_plain

.PHONY: all lib tests deps deps-test deps-demo test check-alloc check-symbols \
        check-clang install uninstall clean demo size
.DEFAULT_GOAL := all

all: $(LIB) $(PROG)
lib: $(LIB)
tests: $(TEST_BIN) $(PLAIN_TEST)

deps:
	@sh boards/posix/deps.sh build "$(CC)"
deps-test:
	@sh boards/posix/deps.sh test "$(CC)"
deps-demo:
	@sh boards/posix/deps.sh demo "$(CC)"

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(CFLAGS) $(SANFLAGS) $(INC) $(CPPFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(CORE_OBJ) $(PORT_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(PROG): $(CLI_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TSUP_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $< $(TSUP_OBJ) $(LIB) $(LIBS)

$(BUILD)/nomb/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(CFLAGS) $(SANFLAGS) $(INC) $(CPPFLAGS) -MMD -MP -c $< -o $@
	@if grep -qi mbedtls $(@:.o=.d); then echo "$<: reaches an mbedTLS header"; rm -f $@; exit 1; fi

$(NOMB_LIB): $(NOMB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(PLAIN_TEST): $(BUILD)/nomb/tests/plain/test_http_plain.o $(NOMB_TSUP) $(NOMB_LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $^
	@if $(NM) $@ | grep -qi mbedtls; then echo "$@: references mbedTLS"; rm -f $@; exit 1; fi

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

test: deps-test
	@$(MAKE) --no-print-directory all tests
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/san SAN=1 all tests
	@$(MAKE) --no-print-directory check-alloc check-symbols check-clang
	@sh tests/run.sh $(BUILD) $(BUILD)/san

demo: deps-demo
	@$(MAKE) --no-print-directory all
	@sh tests/demo.sh $(BUILD)/tvc

# Flash per core object (text+data) and RAM per struct, for the README table.
size: $(CORE_OBJ) $(PORT_OBJ) | deps
	@echo "Flash (bytes, $(CC) $(CFLAGS)):"
	@$(SIZE) $(CORE_OBJ) | awk 'NR>1 {t+=$$1; d+=$$2; b+=$$3; sub(".*/","",$$6); printf "  %-22s text %6d  data %4d  bss %4d\n", $$6, $$1, $$2, $$3} END {printf "  %-22s text %6d  data %4d  bss %4d\n", "core total", t, d, b}'
	@$(SIZE) $(PORT_OBJ) | awk 'NR>1 {t+=$$1; d+=$$2} END {printf "  %-22s text %6d  data %4d\n", "posix port total", t, d}'
	@mkdir -p $(BUILD)
	@$(CC) $(STD) $(WARN) $(CFLAGS) $(INC) $(CPPFLAGS) boards/posix/sizes.c -o $(BUILD)/sizes && $(BUILD)/sizes

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

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libtvc.a $(DESTDIR)$(PREFIX)/lib/pkgconfig/tvc.pc $(DESTDIR)$(PREFIX)/bin/tvc
	cd $(DESTDIR)$(PREFIX)/include && rm -f $(notdir $(wildcard include/*.h)) tvc_posix.h

clean:
	rm -rf $(BUILD) demo-out

-include $(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d $(BUILD)/*/*/*/*.d)

# Keep test objects between runs (they are intermediate to make).
.SECONDARY:
