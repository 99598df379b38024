# The conformance kit on the lwIP port, on the emulated Cortex-M4 (included
# by the Makefile for BOARD=cortex-m4, after tests/firmware/net.mk):
#   make BOARD=cortex-m4 fw-conformance  ->  $(BUILD)/fwconf/conformance.elf
# tests/conformance/run_fw_conformance.sh runs it under QEMU against
# tests/conformance/conf_peer.py on the host's loopback.
FWCONF_DIR := $(BUILD)/fwconf
FWCONF_ELF := $(FWCONF_DIR)/conformance.elf
FWCONF_SRC := boards/cortex-m4/startup.c boards/cortex-m4/board.c boards/cortex-m4/tiny_stdio.c \
              boards/cortex-m4/lan9118.c boards/cortex-m4/netif_lan9118.c boards/cortex-m4/lwip_sys.c \
              port/lwip/lwip_port.c tests/conformance/tvc_conformance.c tests/conformance/fw_conformance.c
FWCONF_OBJ := $(FWCONF_SRC:%.c=$(FWCONF_DIR)/%.o)

.PHONY: fw-conformance
fw-conformance: | deps
	@$(MAKE) --no-print-directory lwip
	@$(MAKE) --no-print-directory $(FWCONF_ELF)

$(FWCONF_DIR)/%.o: %.c | deps $(BOARD_PREREQ)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(BOARD_ARCH) $(CFLAGS) $(INC) $(NET_INC) -Itests/conformance $(CPPFLAGS) \
	  -MMD -MP -c $< -o $@

$(FWCONF_ELF): $(FWCONF_OBJ) $(LIB) $(LWIP_OUT)/liblwip.a $(FW_LD)
	$(CC) $(BOARD_ARCH) $(CFLAGS) $(LDFLAGS) -nostartfiles -T $(FW_LD) -Wl,--gc-sections \
	  -Wl,-Map=$(FWCONF_DIR)/conformance.map -o $@ $(FWCONF_OBJ) $(LIB) $(LWIP_OUT)/liblwip.a
	@$(SIZE) $@

-include $(wildcard $(FWCONF_DIR)/*/*.d $(FWCONF_DIR)/*/*/*.d)
