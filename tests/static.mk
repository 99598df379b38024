# Static analysis of src/ and port/: make check-static.
#
# cppcheck (tests/cppcheck.supp: each suppression with its reason) and
# clang-tidy (.clang-tidy: the checks and why some are off) over every core
# file, the POSIX port and program, and the lwIP port (checked with the host
# clang against the fetched lwIP headers and the Cortex-M4 board's lwipopts).
# Any finding fails the build, as check-clang does for a warning.  clang-tidy
# runs per file into $(BUILD)/static (stamps: only changed files are checked
# again; STATIC_JOBS of them at a time).

STATIC_DIR := $(BUILD)/static
STATIC_JOBS ?= 2
TIDY_POSIX_SRC := $(SRC_ALL) $(sort $(wildcard port/posix/*.c port/posix/cli/*.c))
TIDY_LWIP_SRC := $(sort $(wildcard port/lwip/*.c))
STATIC_LWIP_DIR := $(BUILD)/src/lwip
TIDY_POSIX_FLAGS := -std=c99 -Iinclude -Isrc -Iport/posix
TIDY_LWIP_FLAGS := -std=c99 -Iinclude -Isrc -Iport/lwip -Iboards/cortex-m4 -Iboards/cortex-m4/lwip \
                   -isystem $(STATIC_LWIP_DIR)/src/include
STATIC_HDRS := $(wildcard include/*.h src/*.h port/*/*.h port/posix/cli/*.h boards/cortex-m4/lwip/*.h) \
               .clang-tidy tests/static.mk
TIDY_STAMPS := $(TIDY_POSIX_SRC:%.c=$(STATIC_DIR)/%.tidy) $(TIDY_LWIP_SRC:%.c=$(STATIC_DIR)/%.tidy)
CPPCHECK_FLAGS := --std=c99 --enable=warning,style,performance,portability --library=posix \
                  --error-exitcode=1 --inline-suppr --suppressions-list=tests/cppcheck.supp -q \
                  -Iinclude -Isrc -Iport/posix -Iport/lwip -UTVC_CONFIG_FILE --template=gcc

.PHONY: check-static check-cppcheck check-tidy

check-static: | deps-test
	@$(MAKE) --no-print-directory BOARD=cortex-m4 BUILD=$(BUILD)/cortex-m4 SRC_CACHE=$(BUILD)/src lwip
	@$(MAKE) --no-print-directory -k -j$(STATIC_JOBS) check-cppcheck check-tidy

check-cppcheck: $(STATIC_DIR)/cppcheck.ok
$(STATIC_DIR)/cppcheck.ok: $(SRC_ALL) $(wildcard src/*.h port/*/*.c port/*/*.h port/posix/cli/*) \
                           $(STATIC_HDRS) tests/cppcheck.supp
	@mkdir -p $(dir $@)
	@if ! cppcheck $(CPPCHECK_FLAGS) src port > $(STATIC_DIR)/cppcheck.log 2>&1; then \
	  cat $(STATIC_DIR)/cppcheck.log; echo "check-static: cppcheck found the above"; exit 1; fi
	@touch $@
	@echo "check-static: cppcheck $$(cppcheck --version | sed 's/.* //'): src/ and port/ clean"

check-tidy: $(TIDY_STAMPS)
	@echo "check-static: clang-tidy $$(clang-tidy --version | sed -n 's/.*version \([0-9.]*\).*/\1/p'): $(words $(TIDY_STAMPS)) files of src/ and port/ clean"

$(STATIC_DIR)/port/lwip/%.tidy: port/lwip/%.c $(STATIC_HDRS)
	@mkdir -p $(dir $@)
	@if ! clang-tidy --quiet $< -- $(TIDY_LWIP_FLAGS) > $(@:.tidy=.log) 2>&1; then \
	  grep -v 'warnings generated' $(@:.tidy=.log); echo "check-static: clang-tidy: $<"; exit 1; fi
	@touch $@

$(STATIC_DIR)/%.tidy: %.c $(STATIC_HDRS)
	@mkdir -p $(dir $@)
	@if ! clang-tidy --quiet $< -- $(TIDY_POSIX_FLAGS) > $(@:.tidy=.log) 2>&1; then \
	  grep -v 'warnings generated' $(@:.tidy=.log); echo "check-static: clang-tidy: $<"; exit 1; fi
	@touch $@
