/* The mps2-an386 board (QEMU): console, millisecond clock, semihosting.
 * Written from QEMU's hw/arm/mps2.c (memory map, 25 MHz SYSCLK, UART0 at
 * 0x40004000), the CMSDK APB UART description and the Armv7-M
 * Architecture Reference Manual (SysTick, SCB, MPU), and Arm's
 * semihosting specification. */
#ifndef TVC_BOARD_H
#define TVC_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* The system clock QEMU gives the AN386 (SYSCLK_FRQ in hw/arm/mps2.c). */
#define BOARD_SYSCLK_HZ 25000000u

/* Bring up the console (UART0, polled TX) and the 1 ms SysTick clock, and
 * give MemManage, BusFault and UsageFault their own handlers.  Called by
 * the reset handler before main(). */
void board_init(void);

/* Console: UART0, polled.  Blocks while the TX buffer is full. */
void board_putc(char c);
void board_write(const char *s, size_t n);
void board_puts(const char *s); /* no newline added */

/* Milliseconds since board_init() (SysTick, wraps after 49 days). */
uint32_t board_millis(void);

/* Stack painted at reset: bytes the deepest use reached, and the size. */
size_t board_stack_used(void);
size_t board_stack_size(void);

/* Semihosting (needs QEMU's -semihosting-config enable=on). */
void board_exit(int status) __attribute__((noreturn));
/* The command line the host passed (QEMU: -append, or the arguments of
 * -semihosting-config ...,arg=...): copied NUL-terminated into buf.
 * Returns its length, or -1 if the host gave none or it does not fit. */
int board_cmdline(char *buf, size_t cap);

/* A fault (HardFault, MemManage, BusFault, UsageFault) calls this first
 * with the stacked frame (r0-r3, r12, lr, pc, xpsr).  Returning nonzero
 * resumes the interrupted code at the (possibly changed) stacked pc;
 * returning 0 prints the fault on the console and exits with status 3.
 * The default returns 0; a program may define its own. */
int board_fault_hook(uint32_t *frame);

/* The fault status registers, for board_fault_hook. */
#define BOARD_SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define BOARD_SCB_MMFAR (*(volatile uint32_t *)0xE000ED34u)

#endif
