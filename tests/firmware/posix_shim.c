/* The few POSIX calls the core's unit tests make, on the bare board, so
 * that the test files build unchanged:
 *
 *  - mmap(MAP_ANONYMOUS) hands out page-aligned memory from the board's
 *    PSRAM (never reused: the tests map a few hundred KB in all), and
 *    mprotect(PROT_NONE) makes a page fault on any access through a
 *    region of the Cortex-M4's MPU (Armv7-M PMSAv7: 8 regions, power-of-two
 *    sizes aligned to their size; the rest of memory keeps the default map
 *    through PRIVDEFENA).  So the guard pages the tests put after their
 *    buffers really fault here, as they do on Linux: a core over-read stops
 *    the run with a MemManage fault.
 *  - fork() is vfork(): the child runs first, in the same memory; when it
 *    calls _exit(), or faults, the parent resumes from fork() with the
 *    child's pid, and waitpid() gives the child's status (a fault reads as
 *    killed by SIGSEGV).  test_http_response.c forks only to show that its
 *    guard page faults, which is exactly what this can show.
 */
#define _DEFAULT_SOURCE /* fork, dup2, sysconf */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "board.h"

#define PAGE 4096u

/* ---- mmap over PSRAM, guard pages through the MPU ---- */

extern char __psram_start[], __psram_end[];
static char *psram_next = __psram_start;

#define MPU_CTRL (*(volatile uint32_t *)0xE000ED94u)
#define MPU_RNR (*(volatile uint32_t *)0xE000ED98u)
#define MPU_RBAR (*(volatile uint32_t *)0xE000ED9Cu)
#define MPU_RASR (*(volatile uint32_t *)0xE000EDA0u)
#define MPU_CTRL_ENABLE 1u
#define MPU_CTRL_PRIVDEFENA 4u
#define MPU_REGIONS 8
#define RASR_XN (1u << 28) /* AP (bits 24-26) 000: no access */

static uintptr_t guard_base[MPU_REGIONS];
static size_t guard_len[MPU_REGIONS];

static void mpu_sync(void)
{
    __asm__ volatile("dsb\n isb" ::: "memory");
}

static void mpu_set(int r, uintptr_t base, size_t len)
{
    unsigned sz = 0;
    while (((size_t)2 << sz) < len)
        sz++; /* region size is 2^(SIZE+1) */
    MPU_RNR = (uint32_t)r;
    /* off before the base moves: the old size and rights at the new base
     * (address 0 when clearing) would cover the running code */
    MPU_RASR = 0;
    MPU_RBAR = (uint32_t)base;
    MPU_RASR = len ? (RASR_XN | (sz << 1) | 1u) : 0u;
    guard_base[r] = base;
    guard_len[r] = len;
    MPU_CTRL = MPU_CTRL_ENABLE | MPU_CTRL_PRIVDEFENA;
    mpu_sync();
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    char *p;
    size_t span = (len + PAGE - 1) & ~(size_t)(PAGE - 1);
    (void)addr;
    (void)prot;
    (void)off;
    if (!(flags & MAP_ANONYMOUS) || fd != -1 || len == 0) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    if (span > (size_t)(__psram_end - psram_next)) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    p = psram_next;
    psram_next += span;
    return p;
}

int munmap(void *addr, size_t len)
{
    uintptr_t a = (uintptr_t)addr;
    int r;
    for (r = 0; r < MPU_REGIONS; r++)
        if (guard_len[r] && guard_base[r] >= a && guard_base[r] < a + len)
            mpu_set(r, 0, 0);
    return 0;
}

int mprotect(void *addr, size_t len, int prot)
{
    uintptr_t a = (uintptr_t)addr;
    int r, freer = -1;
    for (r = 0; r < MPU_REGIONS; r++) {
        if (guard_len[r] && guard_base[r] == a && guard_len[r] == len) {
            if (prot != PROT_NONE)
                mpu_set(r, 0, 0);
            return 0;
        }
        if (!guard_len[r] && freer < 0)
            freer = r;
    }
    if (prot != PROT_NONE)
        return 0; /* every mapped page is readable and writable */
    /* one MPU region: a power of two, at least 32, aligned to its size */
    if (len < 32 || (len & (len - 1)) || (a & (len - 1)) || freer < 0) {
        errno = EINVAL;
        return -1;
    }
    mpu_set(freer, a, len);
    return 0;
}

long sysconf(int name)
{
    if (name == _SC_PAGESIZE)
        return PAGE;
    errno = EINVAL;
    return -1;
}

int dup2(int fd, int fd2)
{
    (void)fd;
    (void)fd2;
    errno = ENOSYS; /* no files on the board (open() fails before this) */
    return -1;
}

/* ---- fork() as vfork() ---- */

/* The parent's callee-saved registers r4-r11, sp and return address,
 * saved by fork(); fw_vfork_resume() returns from fork() a second time
 * with them and r0 = the child's pid. */
uint32_t fw_vfork_ctx[10];
uint32_t fw_vfork_pid;
volatile int fw_vfork_child; /* set by fork(), cleared by the child's end */
#define in_child fw_vfork_child
static int child_status, child_waitable;
void fw_vfork_resume(void) __attribute__((noreturn));

__attribute__((naked)) pid_t fork(void)
{
    __asm__ volatile(
        "ldr r1, =fw_vfork_ctx\n"
        "stmia r1!, {r4-r11}\n"
        "mov r2, sp\n"
        "stmia r1, {r2, lr}\n"
        "ldr r1, =fw_vfork_child\n"
        "movs r0, #1\n"
        "str r0, [r1]\n"
        "movs r0, #0\n"
        "bx lr\n"
        ".ltorg\n");
}

__attribute__((naked)) void fw_vfork_resume(void)
{
    __asm__ volatile(
        "ldr r1, =fw_vfork_ctx\n"
        "ldmia r1!, {r4-r11}\n"
        "ldmia r1, {r2, r3}\n"
        "mov sp, r2\n"
        "ldr r0, =fw_vfork_pid\n"
        "ldr r0, [r0]\n"
        "bx r3\n"
        ".ltorg\n");
}

/* The child runs from fork() until its _exit() or its fault. */
static void child_done(int status)
{
    child_status = status;
    child_waitable = 1;
    in_child = 0;
    fw_vfork_pid++;
}

void _exit(int status)
{
    if (in_child) {
        child_done((status & 0xff) << 8);
        fw_vfork_resume();
    }
    board_exit(status);
}

int board_fault_hook(uint32_t *frame)
{
    if (!in_child)
        return 0;
    /* clear the sticky fault status (write one to clear) */
    BOARD_SCB_CFSR = BOARD_SCB_CFSR;
    child_done(SIGSEGV);
    frame[6] = (uint32_t)(uintptr_t)fw_vfork_resume & ~1u; /* stacked pc */
    frame[7] = 1u << 24;                                  /* xpsr: Thumb only */
    return 1;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    (void)options;
    if (!child_waitable || pid != (pid_t)fw_vfork_pid) {
        errno = ECHILD;
        return -1;
    }
    child_waitable = 0;
    if (status)
        *status = child_status;
    return pid;
}
