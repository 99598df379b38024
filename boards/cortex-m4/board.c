/* mps2-an386: UART0 console, SysTick clock, semihosting, stack mark. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "board_internal.h"

/* CMSDK APB UART0 (hw/arm/mps2.c maps it at 0x40004000): DATA, STATE
 * (bit 0: TX buffer full), CTRL (bit 0: TX enable), BAUDDIV (at least 16).
 * QEMU drops bytes written while TX is disabled. */
#define UART0_BASE 0x40004000u
#define UART_DATA (*(volatile uint32_t *)(UART0_BASE + 0x000))
#define UART_STATE (*(volatile uint32_t *)(UART0_BASE + 0x004))
#define UART_CTRL (*(volatile uint32_t *)(UART0_BASE + 0x008))
#define UART_BAUDDIV (*(volatile uint32_t *)(UART0_BASE + 0x010))
#define UART_STATE_TXFULL 1u
#define UART_CTRL_TXEN 1u
#define UART_BAUD 115200u

/* SysTick (Armv7-M B3.3): CSR ENABLE|TICKINT|CLKSOURCE=processor clock. */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
/* SHCSR: MEMFAULTENA, BUSFAULTENA, USGFAULTENA (bits 16-18). */
#define SCB_SHCSR (*(volatile uint32_t *)0xE000ED24u)

void board_init(void)
{
    UART_BAUDDIV = BOARD_SYSCLK_HZ / UART_BAUD;
    UART_CTRL = UART_CTRL_TXEN;

    SYST_RVR = BOARD_SYSCLK_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u;

    SCB_SHCSR |= 7u << 16;
}

void board_putc(char c)
{
    while (UART_STATE & UART_STATE_TXFULL)
        ;
    UART_DATA = (uint8_t)c;
}

void board_write(const char *s, size_t n)
{
    while (n--)
        board_putc(*s++);
}

void board_puts(const char *s)
{
    board_write(s, strlen(s));
}

void board_put_hex(uint32_t v)
{
    char b[11];
    int i;
    b[0] = '0';
    b[1] = 'x';
    for (i = 0; i < 8; i++)
        b[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15u];
    b[10] = '\0';
    board_puts(b);
}

uint32_t board_millis(void)
{
    return board_ticks;
}

extern uint32_t __stack_top[], __stack_limit[];

size_t board_stack_size(void)
{
    return (size_t)((uintptr_t)__stack_top - (uintptr_t)__stack_limit);
}

size_t board_stack_used(void)
{
    const uint32_t *p = __stack_limit;
    while (p < __stack_top && *p == BOARD_STACK_PAINT)
        p++;
    return (size_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

/* Semihosting (Arm's "Semihosting for AArch32 and AArch64"): on M-profile
 * the call is BKPT 0xAB with the operation in r0 and its argument in r1;
 * the result comes back in r0. */
#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT 0x18
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

static int semihost(uint32_t op, void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return (int)r0;
}

void board_exit(int status)
{
    uint32_t block[2];
    block[0] = ADP_STOPPED_APPLICATION_EXIT;
    block[1] = (uint32_t)status;
    /* SYS_EXIT_EXTENDED carries the status; on a host without it, plain
     * SYS_EXIT tells only success (ApplicationExit) from failure. */
    semihost(SYS_EXIT_EXTENDED, block);
    semihost(SYS_EXIT, (void *)(uintptr_t)(status == 0 ? ADP_STOPPED_APPLICATION_EXIT : 0x20023u));
    for (;;)
        __asm__ volatile("wfi");
}

int board_cmdline(char *buf, size_t cap)
{
    uint32_t block[2];
    if (cap < 2)
        return -1;
    block[0] = (uint32_t)(uintptr_t)buf;
    block[1] = (uint32_t)(cap - 1);
    if (semihost(SYS_GET_CMDLINE, block) != 0 || block[1] >= cap)
        return -1;
    buf[block[1]] = '\0';
    return (int)block[1];
}
