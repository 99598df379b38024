# The firmware test image for BOARD=cortex-m4 (included by the Makefile):
#   make BOARD=cortex-m4 firmware-tests   ->  $(BUILD)/fw/tests.elf
# The core's unit tests that need no host (FW_SUITES), each test file built
# unchanged with its main() renamed, linked with the board start-up
# (boards/cortex-m4), the firmware harness and POSIX shim (tests/firmware)
# and the portable core library.  tests/firmware/run_qemu_tests.sh runs it.
#
# Full newlib, not newlib-nano: the tests print and build data with %lld,
# which nano's printf lacks; and Debian's newlib has no %zu, which
# tests/firmware/printf_c99.c tests/fake_port.c adds through the --wrap'ed calls.
comma := ,
FW_WRAP := $(addprefix -Wl$(comma)--wrap=,printf fprintf sprintf snprintf vprintf vfprintf vsprintf vsnprintf)
FW_DIR := $(BUILD)/fw
FW_SUITES := json url http_response retry http_request http_client api api_exchange
FW_ELF := $(FW_DIR)/tests.elf
FW_LD := boards/cortex-m4/mps2-an386.ld
FW_INC := -Itests -Itests/firmware/include -Iboards/cortex-m4
FW_STACK := 0x10000
FW_SRC := boards/cortex-m4/startup.c boards/cortex-m4/board.c boards/cortex-m4/syscalls.c \
          tests/firmware/run_tests.c tests/firmware/harness_fw.c tests/firmware/posix_shim.c \
          tests/firmware/printf_c99.c tests/fake_port.c \
          boards/cortex-m4/fw_store.c tests/firmware/test_fw_store.c
FW_OBJ := $(FW_SRC:%.c=$(FW_DIR)/%.o) $(FW_SUITES:%=$(FW_DIR)/suite_%.o)

.PHONY: firmware-tests
firmware-tests: $(FW_ELF)

$(FW_DIR)/suite_%.o: tests/test_%.c tests/firmware/suites.h | deps $(BOARD_PREREQ)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(BOARD_ARCH) $(CFLAGS) $(INC) $(FW_INC) $(CPPFLAGS) \
	  -include tests/firmware/suites.h -Dmain=fw_suite_$* -MMD -MP -c $< -o $@

$(FW_DIR)/%.o: %.c | deps $(BOARD_PREREQ)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(BOARD_ARCH) $(CFLAGS) $(INC) $(FW_INC) $(CPPFLAGS) -MMD -MP -c $< -o $@

$(FW_ELF): $(FW_OBJ) $(LIB) $(FW_LD)
	$(CC) $(BOARD_ARCH) $(CFLAGS) $(LDFLAGS) -nostartfiles -T $(FW_LD) -Wl,--gc-sections \
	  -Wl,--defsym=__stack_size=$(FW_STACK) $(FW_WRAP) -Wl,-Map=$(FW_DIR)/tests.map -o $@ $(FW_OBJ) $(LIB)
	@$(SIZE) $@

-include $(wildcard $(FW_DIR)/*.d $(FW_DIR)/*/*.d $(FW_DIR)/*/*/*.d)
