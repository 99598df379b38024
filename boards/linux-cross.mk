# The ARM Linux boards (boards/linux-armhf, boards/linux-aarch64): Debian's
# cross gcc and its glibc, the POSIX port and the tvc program, linked
# statically so that one file runs on any ARM Linux player of that
# architecture (and under qemu-user on the build machine, without the
# target's shared libraries or binfmt_misc).  mbedTLS 3.6 is built for the
# target from Debian's source (boards/mbedtls36.mk).
#
# The board file sets CROSS_COMPILE, BUILD and (if needed) LINUX_ABI, flags
# for every object, mbedTLS's included, before including
# this one.  make test runs the unit tests and tests/integration/test_cli.py
# with these programs under qemu-arm / qemu-aarch64 (tests/run.sh picks the
# emulator from each program's ELF header).
BOARD_CFLAGS := -Os -g
BOARD_ARCH := $(LINUX_ABI)
BOARD_CORE_SRC = $(SRC_ALL)
BOARD_PORT_SRC = $(sort $(wildcard port/posix/*.c))
BOARD_CLI_SRC = $(sort $(wildcard port/posix/cli/*.c))
BOARD_DEPS := linux-cross
HOSTCC ?= cc

# jsmn is header-only and comes from the host's libjsmn-dev; the cross
# compiler gets that one header (copied into the build's include dir), not
# the host's whole /usr/include.
BOARD_INC := -Iport/posix -I$(BUILD)/include
BOARD_PREREQ := $(BUILD)/include/jsmn.h

# Static: glibc, mbedTLS and libtvc in one file.
override LDFLAGS += -static

hash := \#
host_header = $(shell printf '$(hash)include <%s>\n' '$(1)' | $(HOSTCC) -E -x c - 2>/dev/null | \
                sed -n 's|^$(hash) [0-9]* "\(.*/$(1)\)".*|\1|p' | head -n 1)

$(BUILD)/include/jsmn.h: | deps
	@mkdir -p $(dir $@)
	@h='$(call host_header,jsmn.h)'; \
	if [ -z "$$h" ]; then echo "$(BOARD): $(HOSTCC) finds no jsmn.h (libjsmn-dev)" >&2; exit 1; fi; \
	cp "$$h" $@

include boards/mbedtls36.mk
