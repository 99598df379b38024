# Board: linux-armhf.  32-bit ARM Linux players (Raspberry Pi OS 32-bit and
# the like): Debian's gcc-arm-linux-gnueabihf (ARMv7-A, hard float, Thumb-2),
# a static tvc and static unit tests, mbedTLS 3.6 built for the target.
#   make BOARD=linux-armhf            -> build/linux-armhf/tvc, libtvc.a
#   make BOARD=linux-armhf tests      -> build/linux-armhf/tests/test_*
# Run them with qemu-arm (Debian's qemu-user): qemu-arm build/linux-armhf/tvc
CROSS_COMPILE ?= arm-linux-gnueabihf-
BUILD ?= build/linux-armhf
include boards/linux-cross.mk
