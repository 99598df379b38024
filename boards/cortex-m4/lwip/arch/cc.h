/*
 * lwIP's architecture header for the cortex-m4 board (arm-none-eabi-gcc,
 * newlib, little-endian, no OS).  The standard integer types, limits and
 * byte order come from lwIP's defaults (stdint.h, inttypes.h, limits.h,
 * LITTLE_ENDIAN).
 */
#ifndef TVC_BOARD_LWIP_ARCH_CC_H
#define TVC_BOARD_LWIP_ARCH_CC_H

/* newlib's sys/types.h already defines struct timeval */
#define LWIP_TIMEVAL_PRIVATE 0
#include <sys/time.h>

/* Provided by the board. */
unsigned long lwip_port_rand(void);
void lwip_port_assert(const char *msg, int line, const char *file);

/* DNS query ids and source ports */
#define LWIP_RAND() ((u32_t)lwip_port_rand())
/* No console output from inside lwIP (LWIP_DEBUG is off). */
#define LWIP_PLATFORM_DIAG(x) do { } while (0)
/* An assertion failure is a bug: the board reports it and stops. */
#define LWIP_PLATFORM_ASSERT(x) lwip_port_assert((x), __LINE__, __FILE__)

#endif /* TVC_BOARD_LWIP_ARCH_CC_H */
