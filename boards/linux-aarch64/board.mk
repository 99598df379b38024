# Board: linux-aarch64.  64-bit ARM Linux players (Raspberry Pi 3/4/5 with a
# 64-bit OS and the like): Debian's gcc-aarch64-linux-gnu, a static tvc and
# static unit tests, mbedTLS 3.6 built for the target.
#   make BOARD=linux-aarch64          -> build/linux-aarch64/tvc, libtvc.a
#   make BOARD=linux-aarch64 tests    -> build/linux-aarch64/tests/test_*
# Run them with qemu-aarch64 (Debian's qemu-user): qemu-aarch64 build/linux-aarch64/tvc
CROSS_COMPILE ?= aarch64-linux-gnu-
BUILD ?= build/linux-aarch64
include boards/linux-cross.mk
