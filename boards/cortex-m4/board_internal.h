/* Between the board's own files. */
#ifndef TVC_BOARD_INTERNAL_H
#define TVC_BOARD_INTERNAL_H

#include <stdint.h>

#define BOARD_STACK_PAINT 0xC5C5C5C5u

extern volatile uint32_t board_ticks;
void board_put_hex(uint32_t v);

#endif
