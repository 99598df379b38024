# The firmware test image for BOARD=cortex-m4 (included by the Makefile):
#   make BOARD=cortex-m4 firmware-tests   ->  $(BUILD)/fw/tests.elf
# The core's unit tests that need no host (FW_SUITES), each test file built
# unchanged with its main() renamed, linked with the board start-up
# (boards/cortex-m4), tests/harness.c built with H_SUITES, the POSIX shim
# and the portable core library.  tests/firmware/run_qemu_tests.sh runs it.
#
# The printf family is the board's (boards/cortex-m4/tiny_stdio.c: C99's
# %zu, %lld and %jd, which Debian's newlib lacks in part; no floats, which
# no test prints).  syscalls.c only for _sbrk, the heap under the malloc,
# calloc and setenv of the tests, and open() in test_http_response.c's
# forked child.
FW_DIR := $(BUILD)/fw
FW_SUITES := json url http_response retry http_request http_client api api_exchange
FW_ELF := $(FW_DIR)/tests.elf
FW_LD := boards/cortex-m4/mps2-an386.ld
FW_INC := -Itests -Itests/firmware/include -Iboards/cortex-m4
FW_STACK := 0x10000
FW_SRC := boards/cortex-m4/startup.c boards/cortex-m4/board.c boards/cortex-m4/tiny_stdio.c \
          boards/cortex-m4/syscalls.c \
          tests/firmware/run_tests.c tests/harness.c tests/firmware/posix_shim.c tests/fake_port.c \
          boards/cortex-m4/fw_store.c boards/cortex-m4/fw_nonet.c tests/firmware/test_fw_store.c
FW_OBJ := $(FW_SRC:%.c=$(FW_DIR)/%.o) $(FW_SUITES:%=$(FW_DIR)/suite_%.o)

.PHONY: firmware-tests
firmware-tests: $(FW_ELF)

# the shared harness, in its several-files-in-one-program form
$(FW_DIR)/tests/harness.o: FW_INC += -DH_SUITES

$(FW_DIR)/suite_%.o: tests/test_%.c tests/firmware/suites.h | deps $(BOARD_PREREQ)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(BOARD_ARCH) $(CFLAGS) $(INC) $(FW_INC) $(CPPFLAGS) \
	  -include tests/firmware/suites.h -Dmain=fw_suite_$* -MMD -MP -c $< -o $@

$(FW_DIR)/%.o: %.c | deps $(BOARD_PREREQ)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(BOARD_ARCH) $(CFLAGS) $(INC) $(FW_INC) $(CPPFLAGS) -MMD -MP -c $< -o $@

$(FW_ELF): $(FW_OBJ) $(LIB) $(FW_LD)
	$(CC) $(BOARD_ARCH) $(CFLAGS) $(LDFLAGS) -nostartfiles -T $(FW_LD) -Wl,--gc-sections \
	  -Wl,--defsym=__stack_size=$(FW_STACK) -Wl,-Map=$(FW_DIR)/tests.map -o $@ $(FW_OBJ) $(LIB)
	@$(SIZE) $@

-include $(wildcard $(FW_DIR)/*.d $(FW_DIR)/*/*.d $(FW_DIR)/*/*/*.d)

# The TLS smoke test (no network):  make BOARD=cortex-m4 fw-tls-test
#   -> $(BUILD)/fwtls/tls_smoke.elf, run by tests/firmware/run_tls_smoke.sh.
# libtvc's mbedTLS glue (built by `make mbedtls` against the fetched 3.6
# headers) and mbedTLS itself, with the board's platform hooks and RAM
# store.  The store is sized down for this image (it holds only the CA).
FWTLS_DIR := $(BUILD)/fwtls
FWTLS_ELF := $(FWTLS_DIR)/tls_smoke.elf
FWTLS_DEFS := -DFW_STORE_ARENA=4096 -DFW_STORE_FILES=8 -DFW_STORE_HANDLES=4
FWTLS_SRC := boards/cortex-m4/startup.c boards/cortex-m4/board.c boards/cortex-m4/tiny_stdio.c \
             boards/cortex-m4/fw_platform.c boards/cortex-m4/fw_store.c boards/cortex-m4/fw_nonet.c \
             tests/firmware/tls_smoke.c tests/harness.c
FWTLS_OBJ := $(FWTLS_SRC:%.c=$(FWTLS_DIR)/%.o)
FWTLS_LIBS := $(MBEDTLS_OUT)/libmbedtls.a $(MBEDTLS_OUT)/libmbedx509.a $(MBEDTLS_OUT)/libmbedcrypto.a

.PHONY: fw-tls-test fw-tls-image
fw-tls-test: | deps
	@$(MAKE) --no-print-directory mbedtls
	@$(MAKE) --no-print-directory fw-tls-image
fw-tls-image: $(FWTLS_ELF)

$(FWTLS_DIR)/%.o: %.c $(MBEDTLS_DIR)/.fetch-src boards/cortex-m4/mbedtls_config.h | deps $(BOARD_PREREQ)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(BOARD_ARCH) $(CFLAGS) $(INC) $(FW_INC) $(FWTLS_DEFS) $(MBEDTLS_CPPFLAGS) \
	  -isystem $(MBEDTLS_DIR)/include $(CPPFLAGS) -MMD -MP -c $< -o $@

$(FWTLS_ELF): $(FWTLS_OBJ) $(MB_GLUE_OBJ) $(LIB) $(FWTLS_LIBS) $(FW_LD)
	$(CC) $(BOARD_ARCH) $(CFLAGS) $(LDFLAGS) -nostartfiles -T $(FW_LD) -Wl,--gc-sections \
	  -Wl,-Map=$(FWTLS_DIR)/tls_smoke.map -o $@ $(FWTLS_OBJ) $(MB_GLUE_OBJ) $(LIB) \
	  -Wl,--start-group $(FWTLS_LIBS) -lc -lgcc -Wl,--end-group
	@$(SIZE) $@
	@python3 boards/cortex-m4/map_split.py $(FWTLS_DIR)/tls_smoke.map

-include $(wildcard $(FWTLS_DIR)/*/*.d $(FWTLS_DIR)/*/*/*.d)
