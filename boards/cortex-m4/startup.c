/* Start-up for the Cortex-M4 of QEMU's mps2-an386: the vector table, the
 * reset handler (copy .data, zero .bss, paint the stack, run main), the
 * SysTick tick and a fault handler that reports and exits.  Exception
 * numbers, the stacked frame and the fault status registers are those of
 * the Armv7-M Architecture Reference Manual. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "board_internal.h"

extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_top[], __stack_limit[];

extern int main(void);
extern void (*__preinit_array_start[])(void), (*__preinit_array_end[])(void);
extern void (*__init_array_start[])(void), (*__init_array_end[])(void);

void Reset_Handler(void) __attribute__((noreturn));
void Default_Handler(void);
void Fault_Handler(void);
void SysTick_Handler(void);
void board_fault_report(uint32_t *frame, uint32_t exc_return);

/* 16 system exceptions and the 32 interrupts QEMU wires for the AN386
 * (num-irq 32 in hw/arm/mps2.c). */
#define N_IRQ 32
typedef void (*vector_fn)(void);
__attribute__((section(".vectors"), used))
const vector_fn board_vectors[16 + N_IRQ] = {
    (vector_fn)(uintptr_t)__stack_top, /* initial SP */
    Reset_Handler,
    Default_Handler, /* NMI (the watchdog) */
    Fault_Handler,   /* HardFault */
    Fault_Handler,   /* MemManage */
    Fault_Handler,   /* BusFault */
    Fault_Handler,   /* UsageFault */
    0, 0, 0, 0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMonitor */
    0,
    Default_Handler, /* PendSV */
    SysTick_Handler,
    [16 ... 16 + N_IRQ - 1] = Default_Handler,
};

void Reset_Handler(void)
{
    uint32_t *p, *src, *sp;
    void (**f)(void);

    /* .data from its load image, .bss to zero */
    for (p = __data_start, src = __data_load; p < __data_end;)
        *p++ = *src++;
    for (p = __bss_start; p < __bss_end;)
        *p++ = 0;
    /* paint the stack below what this function uses, for the high-water mark */
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (p = __stack_limit; p < sp - 16;)
        *p++ = BOARD_STACK_PAINT;

    board_init();
    /* constructors (none in C, but a linked library may have some) */
    for (f = __preinit_array_start; f < __preinit_array_end; f++)
        (*f)();
    for (f = __init_array_start; f < __init_array_end; f++)
        (*f)();
    exit(main());
}

/* newlib's exit() runs __libc_fini_array, which calls _fini (crti's job
 * on hosted targets; this image links no crti). */
void _init(void);
void _fini(void);
void _init(void) {}
void _fini(void) {}

volatile uint32_t board_ticks;

void SysTick_Handler(void)
{
    board_ticks++;
}

void Default_Handler(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    board_puts("\nunexpected exception ");
    board_put_hex(ipsr & 0x1ff);
    board_puts("\n");
    board_exit(3);
}

/* The frame the exception pushed is on MSP or PSP (EXC_RETURN bit 2).
 * board_fault_report either returns (the hook resumed: exception return
 * through the lr it was given) or exits. */
__attribute__((naked)) void Fault_Handler(void)
{
    __asm__ volatile(
        "tst lr, #4\n"
        "ite eq\n"
        "mrseq r0, msp\n"
        "mrsne r0, psp\n"
        "mov r1, lr\n"
        "push {r1, lr}\n"
        "bl board_fault_report\n"
        "pop {r1, pc}\n");
}

__attribute__((weak)) int board_fault_hook(uint32_t *frame)
{
    (void)frame;
    return 0;
}

void board_fault_report(uint32_t *frame, uint32_t exc_return)
{
    static const char *const names[] = {"r0", "r1", "r2", "r3", "r12", "lr", "pc", "xpsr"};
    uint32_t ipsr, cfsr = BOARD_SCB_CFSR;
    unsigned i;

    if (board_fault_hook(frame))
        return;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    board_puts("\nFAULT: exception ");
    board_put_hex(ipsr & 0x1ff);
    board_puts(" (3 HardFault, 4 MemManage, 5 BusFault, 6 UsageFault)\n");
    for (i = 0; i < 8; i++) {
        board_puts(names[i]);
        board_puts("=");
        board_put_hex(frame[i]);
        board_puts(i == 3 || i == 7 ? "\n" : " ");
    }
    board_puts("cfsr=");
    board_put_hex(cfsr);
    board_puts(" hfsr=");
    board_put_hex(*(volatile uint32_t *)0xE000ED2Cu);
    board_puts(" mmfar=");
    board_put_hex(BOARD_SCB_MMFAR);
    board_puts(" bfar=");
    board_put_hex(*(volatile uint32_t *)0xE000ED38u);
    board_puts(" exc_return=");
    board_put_hex(exc_return);
    board_puts("\n");
    board_exit(3);
}
