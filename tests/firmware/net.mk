# The network test image for BOARD=cortex-m4 (included by the Makefile):
#   make BOARD=cortex-m4 net-test  ->  $(BUILD)/fw/net_test.elf
# The LAN9118 driver and lwIP netif (boards/cortex-m4), libtvc's lwIP port
# (port/lwip) and tests/firmware/net_test.c, linked with the portable core
# and lwIP built from Debian's source (make lwip, boards/cortex-m4/mbedtls.mk).
# tests/firmware/run_net_test.sh runs it under QEMU against a server on the
# host's loopback.
#
# lwIP's headers are included as system headers (as mbedTLS's for the glue):
# the project's warning flags are for its own code.
NET_ELF := $(FW_DIR)/net_test.elf
NET_INC := -Iboards/cortex-m4 -Iboards/cortex-m4/lwip -Iport/lwip -isystem $(LWIP_DIR)/src/include
NET_SRC := boards/cortex-m4/startup.c boards/cortex-m4/board.c boards/cortex-m4/tiny_stdio.c \
           boards/cortex-m4/lan9118.c boards/cortex-m4/netif_lan9118.c boards/cortex-m4/lwip_sys.c \
           port/lwip/lwip_port.c tests/firmware/net_test.c
NET_OBJ := $(NET_SRC:%.c=$(FW_DIR)/net/%.o)

.PHONY: net-test
# lwIP is fetched and built first; the sub-make then sees its headers.
net-test: | deps
	@$(MAKE) --no-print-directory lwip
	@$(MAKE) --no-print-directory $(NET_ELF)

$(FW_DIR)/net/%.o: %.c | deps $(BOARD_PREREQ)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(BOARD_ARCH) $(CFLAGS) $(INC) $(NET_INC) $(CPPFLAGS) -MMD -MP -c $< -o $@

$(NET_ELF): $(NET_OBJ) $(LIB) $(LWIP_OUT)/liblwip.a $(FW_LD)
	$(CC) $(BOARD_ARCH) $(CFLAGS) $(LDFLAGS) -nostartfiles -T $(FW_LD) -Wl,--gc-sections \
	  -Wl,-Map=$(FW_DIR)/net_test.map -o $@ $(NET_OBJ) $(LIB) $(LWIP_OUT)/liblwip.a
	@$(SIZE) $@

-include $(wildcard $(FW_DIR)/net/*/*.d $(FW_DIR)/net/*/*/*.d)
