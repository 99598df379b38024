# libFuzzer harnesses: tests/fuzz/fuzz_*.c (see tests/fuzz/README.md).
# Included from the Makefile.  Built with clang (Debian's clang-14 and its
# libclang-rt-14-dev runtime, checked by `boards/posix/deps.sh test`), with
# ASan and UBSan, the whole core compiled again with coverage for libFuzzer.
#   make fuzz-build                 the harnesses, in $(BUILD)/fuzz
#   make fuzz FUZZ_SECONDS=N        run every harness N seconds EACH (default 60)
#   make fuzz-smoke                 every harness FUZZ_SMOKE_SECONDS (default 3) each,
#                                   ending in "N passed, N failed" (make test runs it
#                                   through tests/run.sh)
# Inputs that break a property or crash are kept in $(BUILD)/fuzz/findings/.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 3
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := $(STD) $(WARN) -g -O1 $(FUZZ_SAN) $(INC) -Itests $(CPPFLAGS)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_CORE_OBJ := $(SRC_ALL:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_SUP_OBJ := $(addprefix $(FUZZ_DIR)/obj/tests/,fake_port.o tls_server.o fuzz/mem_port.o \
                fuzz/tls_replay.o)
FUZZ_LIB := $(FUZZ_DIR)/libtvc-fuzz.a

.PHONY: fuzz fuzz-build fuzz-smoke deps-fuzz

deps-fuzz:
	@sh boards/posix/deps.sh fuzz "$(FUZZ_CC)"

$(FUZZ_DIR)/obj/%.o: %.c | deps-fuzz
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# (a harness may compile a core file into itself to reach its static
# parsers; the archive then leaves that member out)
$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_SUP_OBJ) $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_SUP_OBJ) $(FUZZ_LIB) $(LIBS)

fuzz-build: $(FUZZ_BIN) $(FUZZ_DIR)/corpus/.made

# Seeds from the unit tests' vectors (and tests/fuzz/regress/, inputs that
# once broke a property), rebuilt when a test file changes.
$(FUZZ_DIR)/corpus/.made: tests/fuzz/make_corpus.py $(wildcard tests/test_*.c tests/fuzz/regress/*/*)
	@python3 tests/fuzz/make_corpus.py $(FUZZ_DIR)/corpus >/dev/null
	@touch $@

# tests/test_fuzz_regress.c (a unit test like the others, in every build
# directory make test uses) also links the TLS recorder and the memory port.
$(BUILD)/tests/test_fuzz_regress: $(BUILD)/tests/test_fuzz_regress.o $(BUILD)/tests/fuzz/tls_replay.o \
  $(BUILD)/tests/fuzz/mem_port.o $(TSUP_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

fuzz: fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

fuzz-smoke: fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SMOKE_SECONDS)

# (the Makefile's own -include reaches $(FUZZ_DIR)/obj/src and obj/tests)
-include $(wildcard $(FUZZ_DIR)/obj/tests/fuzz/*.d)
