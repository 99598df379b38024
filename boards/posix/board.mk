# Board: posix (the default).  The host's compiler, the whole core including
# the mbedTLS glue, the POSIX port and the tvc program.  See the board
# variables described in the Makefile.
BUILD ?= build
BOARD_CFLAGS := -Os -g
BOARD_ARCH :=
BOARD_CORE_SRC = $(SRC_ALL)
BOARD_PORT_SRC = $(sort $(wildcard port/posix/*.c))
BOARD_CLI_SRC = $(sort $(wildcard port/posix/cli/*.c))
BOARD_INC := -Iport/posix
BOARD_DEPS := build
BOARD_PREREQ :=
