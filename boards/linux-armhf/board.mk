# Board: linux-armhf.  32-bit ARM Linux players (Raspberry Pi OS 32-bit and
# the like): Debian's gcc-arm-linux-gnueabihf (ARMv7-A, hard float, Thumb-2),
# a static tvc and static unit tests, mbedTLS 3.6 built for the target.
#   make BOARD=linux-armhf            -> build/linux-armhf/tvc, libtvc.a
#   make BOARD=linux-armhf tests      -> build/linux-armhf/tests/test_*
# Run them with qemu-arm (Debian's qemu-user): qemu-arm build/linux-armhf/tvc
CROSS_COMPILE ?= arm-linux-gnueabihf-
BUILD ?= build/linux-armhf
# 64-bit file offsets and inode numbers, and a 64-bit time_t (glibc 2.34+):
# without them readdir() fails with EOVERFLOW on file systems whose inode
# numbers or directory cookies exceed 32 bits (and under qemu-arm on a
# 64-bit host, where the kernel returns 64-bit cookies), and the clock and
# file times end in 2038.  Applied to mbedTLS too (time_t is in its ABI).
LINUX_ABI := -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
include boards/linux-cross.mk
