# make bench (included by the Makefile): libtvc beside what a user would
# pick instead, measured in one run against the bundled simulator on
# 127.0.0.1 (tests/bench/bench.py prints the table and writes
# $(BUILD)/bench/bench.csv).  Not part of make test.
#   BENCH_ARGS   extra arguments for bench.py (e.g. --only poll --jobs 4)
ifeq ($(BOARD),posix)
BENCH_DIR := $(BUILD)/bench
BENCH_BINS := $(BENCH_DIR)/bench_job $(BENCH_DIR)/parse_bench $(BENCH_DIR)/runmeasure \
              $(BENCH_DIR)/tvc-static-mbedtls
BENCH_ARGS ?=

.PHONY: bench bench-bins
bench-bins: $(BENCH_BINS)

$(BENCH_DIR)/bench_job: tests/bench/bench_job.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(CFLAGS) $(INC) $(CPPFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)

$(BENCH_DIR)/parse_bench: tests/bench/parse_bench.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(CFLAGS) $(INC) $(CPPFLAGS) $(LDFLAGS) -o $@ $< $(LIB) -lhttp_parser $(LIBS)

$(BENCH_DIR)/runmeasure: tests/bench/runmeasure.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) -O2 $(LDFLAGS) -o $@ $<

# The same tvc with Debian's mbedTLS linked in statically (libmbed*.a), for
# the RSS row: shared libraries' resident pages are most of tvc's RSS.
$(BENCH_DIR)/tvc-static-mbedtls: $(CLI_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) -Wl,-Bstatic $(LIBS) -Wl,-Bdynamic

# mbedTLS 3.6 for the host, bench only (the download-CPU row on each
# mbedTLS line): Debian's source as boards/fetch-src.sh unpacks it under
# $(SRC_CACHE), its default configuration, -O2, built out of tree into
# $(BENCH_DIR)/m36; then tvc (BUILD=$(BENCH_DIR)/m36/build) linked against it.
# make bench builds it unless BENCH_M36=0.
SRC_CACHE ?= build/src
BENCH_M36 ?= 1
M36_SRC := $(SRC_CACHE)/mbedtls
M36_OUT := $(BENCH_DIR)/m36
M36_LIB := $(M36_OUT)/libmbedtls36.a
M36_OBJ := $(patsubst $(M36_SRC)/library/%.c,$(M36_OUT)/lib/%.o,$(wildcard $(M36_SRC)/library/*.c))
M36_TVC := $(M36_OUT)/build/tvc

$(M36_OUT)/lib/%.o: $(M36_SRC)/library/%.c
	@mkdir -p $(dir $@)
	@echo "  CC (mbedTLS 3.6, host) $<"
	@$(CC) -O2 -I$(M36_SRC)/include -I$(M36_SRC)/library -c $< -o $@

$(M36_LIB): $(M36_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

.PHONY: bench-m36
bench-m36:
	@sh boards/fetch-src.sh -C $(SRC_CACHE) mbedtls
	@$(MAKE) --no-print-directory $(M36_LIB)
	@$(MAKE) --no-print-directory BUILD=$(M36_OUT)/build CPPFLAGS='$(CPPFLAGS) -isystem $(M36_SRC)/include' \
	  LIBS='$(abspath $(M36_LIB))' $(M36_TVC)

# One thing at a time, nice'd: the figures are ratios of runs made side by side.
bench:
	@sh boards/posix/deps.sh bench "$(CC)"
	@nice $(MAKE) --no-print-directory all bench-bins
	@mkdir -p $(BENCH_DIR)
	@nice $(MAKE) --no-print-directory BOARD=cortex-m4 BUILD=$(BUILD)/cortex-m4 lib size \
	  > $(BENCH_DIR)/size-cortex-m4.txt
	@nice $(MAKE) --no-print-directory BOARD=cortex-m4 BUILD=$(BUILD)/cortex-m4 SRC_CACHE=$(BUILD)/src \
	  fw-flow > $(BENCH_DIR)/fw-flow-build.txt
	@if [ "$(BENCH_M36)" = 1 ]; then nice $(MAKE) -j2 --no-print-directory bench-m36 > $(BENCH_DIR)/m36-build.txt; fi
	@nice /usr/bin/python3 tests/bench/bench.py --build $(BUILD) \
	  $(if $(filter 1,$(BENCH_M36)),--tvc-36 $(M36_TVC)) $(BENCH_ARGS)
endif
