/* What lwIP (NO_SYS=1) asks of the board: sys_now() for its timeouts, and
 * the hooks boards/cortex-m4/lwip/arch/cc.h names.  Weak, so that a
 * program may supply its own (e.g. a random number from its entropy). */
#include <stdint.h>

#include "board.h"
#include "lwip/sys.h"

__attribute__((weak)) u32_t sys_now(void)
{
    return board_millis();
}

/* Used by lwIP for DNS query ids and the first local port: not secret,
 * only varied.  xorshift32 stirred with the clock. */
__attribute__((weak)) unsigned long lwip_port_rand(void)
{
    static uint32_t x = 0x9e3779b9u;
    x ^= board_millis();
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

__attribute__((weak)) void lwip_port_assert(const char *msg, int line, const char *file)
{
    char num[12];
    int i = (int)sizeof num - 1;
    unsigned v = line < 0 ? 0u : (unsigned)line;

    num[i] = '\0';
    do {
        num[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v && i > 0);
    board_puts("\nlwIP assertion failed: ");
    board_puts(msg);
    board_puts(" at ");
    board_puts(file);
    board_puts(":");
    board_puts(num + i);
    board_puts("\n");
    board_exit(3);
}
