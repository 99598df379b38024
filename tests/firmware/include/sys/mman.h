/* The part of <sys/mman.h> the core's unit tests use, for the firmware
 * test image (newlib has none).  posix_shim.c maps anonymous memory from
 * the board's PSRAM and makes PROT_NONE pages fault through the MPU. */
#ifndef TVC_FW_SYS_MMAN_H
#define TVC_FW_SYS_MMAN_H

#include <stddef.h>
#include <sys/types.h>

#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 1
#define MAP_PRIVATE 2
#define MAP_ANONYMOUS 0x20
#define MAP_ANON MAP_ANONYMOUS
#define MAP_FAILED ((void *)-1)

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);

#endif
