# Board: posix (the default).  The host's compiler, the whole core including
# the mbedTLS glue, the POSIX port and the tvc program.  See the board
# variables described in the Makefile.
# MBEDTLS=3.6: against mbedTLS 3.6 built from Debian's source
# (boards/mbedtls36.mk, in build/mb36) instead of the system's 2.28.
ifeq ($(MBEDTLS),3.6)
BUILD ?= build/mb36
endif
BUILD ?= build
BOARD_CFLAGS := -Os -g
BOARD_ARCH :=
BOARD_CORE_SRC = $(SRC_ALL)
BOARD_PORT_SRC = $(sort $(wildcard port/posix/*.c))
BOARD_CLI_SRC = $(sort $(wildcard port/posix/cli/*.c))
BOARD_INC := -Iport/posix
BOARD_DEPS := build
BOARD_PREREQ :=
ifeq ($(MBEDTLS),3.6)
include boards/mbedtls36.mk
endif
