# mbedTLS 3.6 LTS for a Linux build, from the Debian source package the
# firmware board uses too (boards/fetch-src.sh, cached under $(SRC_CACHE)),
# compiled with the board's $(CC) and mbedTLS's own default configuration
# (include/mbedtls/mbedtls_config.h: TLS 1.2 and 1.3, sockets, file I/O,
# the OS's entropy), as static libraries in $(BUILD)/mbedtls/.
#
# Included by boards/linux-cross.mk (BOARD=linux-armhf, linux-aarch64) and by
# boards/posix/board.mk when MBEDTLS=3.6 (the host build against 3.6 instead
# of the system's 2.28).  libtvc's files then see 3.6's headers before the
# system's and link 3.6's libraries.
#
#   make ... mbedtls36      fetch (once) and build the three libraries
#
# The libraries are built before any libtvc object (BOARD_PREREQ), with
# mbedTLS's own warning level (library/Makefile), not the project's -Werror.
#
# $(BUILD) must not contain the word "mbedtls": the no-mbedTLS check of the
# Makefile looks for it in the dependency files.
SRC_CACHE ?= build/src
MB36_DIR := $(SRC_CACHE)/mbedtls
MB36_OUT := $(BUILD)/mbedtls
MB36_LIBS := $(MB36_OUT)/libmbedtls.a $(MB36_OUT)/libmbedx509.a $(MB36_OUT)/libmbedcrypto.a
# (library/Makefile's CFLAGS and WARNING_CFLAGS)
MB36_CFLAGS := -O2 -Wall -Wextra -Wformat=2 -Wno-format-nonliteral -D_FILE_OFFSET_BITS=64

ifneq ($(findstring mbedtls,$(BUILD)),)
$(error BUILD=$(BUILD): the build directory of an mbedTLS 3.6 build must not contain "mbedtls")
endif

# 3.6's headers ahead of the system's (-isystem comes before /usr/include);
# -lmbedtls -lmbedx509 -lmbedcrypto then find 3.6's archives first.
BOARD_INC += -isystem $(MB36_DIR)/include
BOARD_PREREQ += mbedtls36
override LDFLAGS += -L$(MB36_OUT)

.PHONY: mbedtls36 mbedtls36-libs deps-src36

deps-src36:
	@sh boards/posix/deps.sh src "$(CC)"

# The fetch runs first; the sub-make then sees the unpacked sources.
mbedtls36: | deps deps-src36
	@sh boards/fetch-src.sh -C $(SRC_CACHE) mbedtls >/dev/null
	@$(MAKE) --no-print-directory mbedtls36-libs

# library/Makefile's split: x509*.c and pkcs7.c; the TLS files; the rest
MB36_ALL := $(notdir $(wildcard $(MB36_DIR)/library/*.c))
MB36_X509 := $(filter x509%.c pkcs7.c,$(MB36_ALL))
MB36_TLS := $(filter ssl_%.c mps_%.c debug.c net_sockets.c,$(MB36_ALL))
MB36_CRYPTO := $(filter-out $(MB36_X509) $(MB36_TLS),$(MB36_ALL))
mb36_objs = $(addprefix $(MB36_OUT)/,$(1:.c=.o))

mbedtls36-libs: $(MB36_LIBS)
	@:
$(MB36_OUT)/libmbedcrypto.a: $(call mb36_objs,$(MB36_CRYPTO))
$(MB36_OUT)/libmbedx509.a: $(call mb36_objs,$(MB36_X509))
$(MB36_OUT)/libmbedtls.a: $(call mb36_objs,$(MB36_TLS))
$(MB36_LIBS):
	@rm -f $@
	@$(AR) rcs $@ $^
	@echo "  AR      $@"

# (each object also depends on the fetch's stamp: the unpacked sources keep
# their release dates, so a newly fetched version could look older)
$(MB36_OUT)/%.o: $(MB36_DIR)/library/%.c $(MB36_DIR)/.fetch-src
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(MB36_CFLAGS) $(BOARD_ARCH) -I$(MB36_DIR)/include -I$(MB36_DIR)/library \
	  -MMD -MP -c $< -o $@
