# Third-party libraries for the cortex-m4 board, built from Debian's source
# packages (boards/fetch-src.sh caches them unpacked under $(SRC_CACHE)):
#
#   make BOARD=cortex-m4 mbedtls  mbedTLS 3.6 with boards/cortex-m4/mbedtls_config.h
#                                 -> $(BUILD)/mbedtls/libmbed{crypto,x509,tls}.a,
#                                 and libtvc's mbedTLS glue compiled against it
#   make BOARD=cortex-m4 lwip     lwIP 2.1.3 core, IPv4, Ethernet (NO_SYS=1, raw API)
#                                 with boards/cortex-m4/lwipopts.h -> $(BUILD)/lwip/liblwip.a
#
# Third-party code is built at its own projects' warning level, without the
# project's -Werror; libtvc's glue is built with the project's flags.
SRC_CACHE ?= build/src
MBEDTLS_DIR := $(SRC_CACHE)/mbedtls
LWIP_DIR := $(SRC_CACHE)/lwip
MBEDTLS_OUT := $(BUILD)/mbedtls
LWIP_OUT := $(BUILD)/lwip
TP_ARCH := -mcpu=cortex-m4 -mthumb -Os -ffunction-sections -fdata-sections

# The board's config, named by absolute path (a relative "mbedtls_config.h"
# would find mbedTLS's own default config beside build_info.h first).
MBEDTLS_CPPFLAGS := -DMBEDTLS_CONFIG_FILE='"$(abspath boards/cortex-m4/mbedtls_config.h)"'
# The config's options (see its head), for a board whose servers need them:
#   make BOARD=cortex-m4 BUILD=build/cortex-m4-rsa MBEDTLS_OPTIONS='-DTVC_MBEDTLS_RSA -DTVC_MBEDTLS_P384' ...
# (a build directory of its own: objects are not rebuilt when it changes)
MBEDTLS_OPTIONS ?=
MBEDTLS_CPPFLAGS += $(MBEDTLS_OPTIONS)
# (mbedTLS's own library/Makefile WARNING_CFLAGS)
MBEDTLS_WARN := -Wall -Wextra -Wformat=2 -Wno-format-nonliteral
LWIP_CPPFLAGS := -Iboards/cortex-m4 -Iboards/cortex-m4/lwip -I$(LWIP_DIR)/src/include
LWIP_WARN := -Wall -Wextra

.PHONY: mbedtls lwip mbedtls-libs lwip-lib mbedtls-glue deps-src

deps-src:
	@sh boards/posix/deps.sh src "$(CC)"

# The fetch runs first; the sub-make then sees the unpacked sources.
mbedtls: | deps deps-src
	@sh boards/fetch-src.sh -C $(SRC_CACHE) mbedtls
	@$(MAKE) --no-print-directory mbedtls-libs mbedtls-glue
lwip: | deps deps-src
	@sh boards/fetch-src.sh -C $(SRC_CACHE) lwip
	@$(MAKE) --no-print-directory lwip-lib

# library/Makefile's split: x509*.c and pkcs7.c; the TLS files; the rest
MB_ALL := $(notdir $(wildcard $(MBEDTLS_DIR)/library/*.c))
MB_X509 := $(filter x509%.c pkcs7.c,$(MB_ALL))
MB_TLS := $(filter ssl_%.c mps_%.c debug.c net_sockets.c,$(MB_ALL))
MB_CRYPTO := $(filter-out $(MB_X509) $(MB_TLS),$(MB_ALL))
mbedtls_objs = $(addprefix $(MBEDTLS_OUT)/,$(1:.c=.o))

mbedtls-libs: $(MBEDTLS_OUT)/libmbedcrypto.a $(MBEDTLS_OUT)/libmbedx509.a $(MBEDTLS_OUT)/libmbedtls.a
	@:
# the board's own _ALT functions (boards/cortex-m4/mbedtls_alt.c) go into
# the crypto library, so every image that links mbedTLS has them
MB_ALT_OBJ := $(MBEDTLS_OUT)/board/mbedtls_alt.o
$(MBEDTLS_OUT)/libmbedcrypto.a: $(call mbedtls_objs,$(MB_CRYPTO)) $(MB_ALT_OBJ)
$(MBEDTLS_OUT)/libmbedx509.a: $(call mbedtls_objs,$(MB_X509))
$(MBEDTLS_OUT)/libmbedtls.a: $(call mbedtls_objs,$(MB_TLS))
$(MBEDTLS_OUT)/libmbedcrypto.a $(MBEDTLS_OUT)/libmbedx509.a $(MBEDTLS_OUT)/libmbedtls.a:
	@rm -f $@
	@$(AR) rcs $@ $^
	@echo "  AR      $@"

# (each object also depends on the fetch's stamp: the unpacked sources keep
# their release dates, so a newly fetched version could look older)
$(MBEDTLS_OUT)/%.o: $(MBEDTLS_DIR)/library/%.c $(MBEDTLS_DIR)/.fetch-src boards/cortex-m4/mbedtls_config.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) -std=c99 $(MBEDTLS_WARN) $(TP_ARCH) $(MBEDTLS_CPPFLAGS) -I$(MBEDTLS_DIR)/include \
	  -I$(MBEDTLS_DIR)/library -MMD -MP -c $< -o $@

$(MB_ALT_OBJ): boards/cortex-m4/mbedtls_alt.c $(MBEDTLS_DIR)/.fetch-src boards/cortex-m4/mbedtls_config.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(STD) $(WARN) $(TP_ARCH) $(MBEDTLS_CPPFLAGS) -isystem $(MBEDTLS_DIR)/include -MMD -MP -c $< -o $@

# libtvc's glue: the project's flags; mbedTLS's headers as system headers,
# as on the host (/usr/include).
MB_GLUE := src/tls_mbedtls.c src/hash_mbedtls.c
MB_GLUE_OBJ := $(MB_GLUE:src/%.c=$(MBEDTLS_OUT)/glue/%.o)
mbedtls-glue: $(MB_GLUE_OBJ)
	@:
$(MBEDTLS_OUT)/glue/%.o: src/%.c $(MBEDTLS_DIR)/.fetch-src boards/cortex-m4/mbedtls_config.h | $(BOARD_PREREQ)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(BOARD_ARCH) $(CFLAGS) $(INC) $(MBEDTLS_CPPFLAGS) \
	  -isystem $(MBEDTLS_DIR)/include $(CPPFLAGS) -MMD -MP -c $< -o $@

LWIP_SRC := $(wildcard $(LWIP_DIR)/src/core/*.c $(LWIP_DIR)/src/core/ipv4/*.c) \
            $(LWIP_DIR)/src/netif/ethernet.c
LWIP_OBJ := $(patsubst $(LWIP_DIR)/src/%.c,$(LWIP_OUT)/%.o,$(LWIP_SRC))
lwip-lib: $(LWIP_OUT)/liblwip.a
	@:
$(LWIP_OUT)/liblwip.a: $(LWIP_OBJ)
	@rm -f $@
	@$(AR) rcs $@ $^
	@echo "  AR      $@"
$(LWIP_OUT)/%.o: $(LWIP_DIR)/src/%.c $(LWIP_DIR)/.fetch-src boards/cortex-m4/lwipopts.h boards/cortex-m4/lwip/arch/cc.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) -std=c99 $(LWIP_WARN) $(TP_ARCH) $(LWIP_CPPFLAGS) -MMD -MP -c $< -o $@

# Flash of each library as built (the image's --gc-sections link keeps less).
.PHONY: size-libs
size-libs:
	@for a in $(MBEDTLS_OUT)/libmbedcrypto.a $(MBEDTLS_OUT)/libmbedx509.a \
	          $(MBEDTLS_OUT)/libmbedtls.a $(LWIP_OUT)/liblwip.a; do \
	  [ -f $$a ] || continue; \
	  $(SIZE) -t $$a | tail -n 1 | awk -v a=$$a '{printf "  %-40s text %7d  data %5d  bss %6d\n", a, $$1, $$2, $$3}'; \
	done
