# Board: cortex-m4.  Debian's gcc-arm-none-eabi with newlib, the toolchain's
# default ABI (soft float, short enums), Thumb-2.  Builds the portable core
# only (no mbedTLS glue, no port, no program): `make BOARD=cortex-m4 lib`
# gives $(BUILD)/libtvc.a; `make BOARD=cortex-m4 size` measures it.
#
# The extra flags are for measuring: one section per function and object so
# a --gc-sections link drops what a firmware would not use, and the
# per-function stack frames (.su) and call graph (.ci) boards/size.py reads.
CROSS_COMPILE ?= arm-none-eabi-
BUILD ?= build/cortex-m4
BOARD_CFLAGS := -Os -DNDEBUG
BOARD_ARCH := -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections \
              -fstack-usage -fcallgraph-info=su
BOARD_CORE_SRC = $(SRC_PORTABLE)
BOARD_PORT_SRC :=
BOARD_CLI_SRC :=
BOARD_DEPS := cross
HOSTCC ?= cc

# jsmn is header-only and comes from the host's libjsmn-dev; the cross
# compiler gets that one header (copied into the build's include dir), not
# the host's whole /usr/include.
BOARD_INC = -I$(BUILD)/include
BOARD_PREREQ = $(BUILD)/include/jsmn.h

# Where the host compiler finds a header (empty when it does not).
hash := \#
host_header = $(shell printf '$(hash)include <%s>\n' '$(1)' | $(HOSTCC) -E -x c - 2>/dev/null | \
                sed -n 's|^$(hash) [0-9]* "\(.*/$(1)\)".*|\1|p' | head -n 1)

$(BUILD)/include/jsmn.h: | deps
	@mkdir -p $(dir $@)
	@h='$(call host_header,jsmn.h)'; \
	if [ -z "$$h" ]; then echo "cortex-m4: $(HOSTCC) finds no jsmn.h (libjsmn-dev)" >&2; exit 1; fi; \
	cp "$$h" $@

# mbedTLS and lwIP from Debian's sources: make BOARD=cortex-m4 mbedtls lwip
include boards/cortex-m4/mbedtls.mk
