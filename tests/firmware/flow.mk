# The full-flow image for BOARD=cortex-m4 (included by the Makefile):
#   make BOARD=cortex-m4 fw-flow  ->  $(BUILD)/fwflow/flow.elf
# tests/firmware/flow.c: the job engine (generate, poll, storyboard and
# video downloads) over libtvc's TLS transport (mbedTLS 3.6) over lwIP
# (port/lwip) on the LAN9118, the RAM file store (placed in the board's
# PSRAM: it stands for a player's flash) and the board's entropy and
# clocks.  tests/firmware/run_flow.sh runs it against the simulator.
FWFLOW_DIR := $(BUILD)/fwflow
FWFLOW_ELF := $(FWFLOW_DIR)/flow.elf
# The store holds the CA, the journal, the storyboard and the video with
# its pending copy: 4 MB of the 16 MB PSRAM.
FWFLOW_DEFS := -DFW_STORE_ARENA=0x400000u -DFW_STORE_FILES=24 -DFW_STORE_HANDLES=6
# What the image sets aside for mbedTLS's arena and for the stack: the
# measured peaks (the run prints them; make size BOARD=cortex-m4 shows the
# last run's: 25.9 KB and 2.8 KB) with room to spare (a video cut by the
# simulator, resumed over a resumed TLS session, measured 27.1 KB of arena;
# the stack has more than twice its peak), so that the reserved RAM also
# stays under 64 KB.
FWFLOW_ARENA := 32768
FWFLOW_STACK := 0x2000
FWFLOW_DEFS += -DFW_MBEDTLS_ARENA=$(FWFLOW_ARENA)u
# No newlib stdio, heap or system calls: boards/cortex-m4/tiny_stdio.c
# formats to the UART (syscalls.c is only for the unit-test image, whose
# tests call malloc); without syscalls.c's _sbrk, anything that pulled
# newlib's malloc into the image would fail the link.
FWFLOW_SRC := boards/cortex-m4/startup.c boards/cortex-m4/board.c boards/cortex-m4/tiny_stdio.c \
              boards/cortex-m4/fw_platform.c boards/cortex-m4/fw_store.c \
              boards/cortex-m4/lan9118.c boards/cortex-m4/netif_lan9118.c boards/cortex-m4/lwip_sys.c \
              port/lwip/lwip_port.c tests/firmware/flow.c
FWFLOW_OBJ := $(FWFLOW_SRC:%.c=$(FWFLOW_DIR)/%.o)

.PHONY: fw-flow fw-flow-image
fw-flow: | deps
	@$(MAKE) --no-print-directory mbedtls lwip
	@$(MAKE) --no-print-directory fw-flow-image
fw-flow-image: $(FWFLOW_ELF)

$(FWFLOW_DIR)/%.o: %.c $(MBEDTLS_DIR)/.fetch-src boards/cortex-m4/mbedtls_config.h tests/firmware/flow.mk | deps $(BOARD_PREREQ)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(BOARD_ARCH) $(CFLAGS) $(INC) $(FW_INC) $(NET_INC) $(FWFLOW_DEFS) \
	  $(MBEDTLS_CPPFLAGS) -isystem $(MBEDTLS_DIR)/include $(CPPFLAGS) -MMD -MP -c $< -o $@

$(FWFLOW_ELF): $(FWFLOW_OBJ) $(MB_GLUE_OBJ) $(LIB) $(FWTLS_LIBS) $(LWIP_OUT)/liblwip.a $(FW_LD) tests/firmware/flow.mk
	$(CC) $(BOARD_ARCH) $(CFLAGS) $(LDFLAGS) -nostartfiles -T $(FW_LD) -Wl,--gc-sections \
	  -Wl,--defsym=__stack_size=$(FWFLOW_STACK) -Wl,-Map=$(FWFLOW_DIR)/flow.map -o $@ $(FWFLOW_OBJ) $(MB_GLUE_OBJ) $(LIB) \
	  -Wl,--start-group $(FWTLS_LIBS) $(LWIP_OUT)/liblwip.a -lc -lgcc -Wl,--end-group
	@$(SIZE) $@
	@python3 boards/cortex-m4/map_split.py $(FWFLOW_DIR)/flow.map

-include $(wildcard $(FWFLOW_DIR)/*/*.d $(FWFLOW_DIR)/*/*/*.d $(FWFLOW_DIR)/*/*/*/*.d)
