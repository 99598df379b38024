/* What mbedTLS and libtvc need from the mps2-an386 board beyond the
 * console and the clock (board.h): entropy, milliseconds and wall-clock
 * time for mbedTLS, the static arena of MBEDTLS_MEMORY_BUFFER_ALLOC_C with
 * its high-water marks, the host command line as key=value words, and
 * files read from the host through semihosting (the CA, the API key, the
 * base URL: nothing secret is compiled into the image).
 *
 * The command line (QEMU: -append) is a list of words; the first is the
 * image's name, the others are key=value (values without spaces):
 *   seed=<hex>   at least FW_SEED_MIN bytes (2 hex digits each) of seed
 *                for the entropy source (see fw_platform.c: emulation only)
 *   ca=<file>    host file: PEM trust anchors
 *   key=<file>   host file: the API key
 *   url=<file>   host file: the API base URL
 * and whatever else a program reads with fw_arg(). */
#ifndef TVC_FW_PLATFORM_H
#define TVC_FW_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* The mbedTLS heap: a static arena of this many bytes (override with
 * -DFW_MBEDTLS_ARENA=...). */
#ifndef FW_MBEDTLS_ARENA
#define FW_MBEDTLS_ARENA (40u * 1024u)
#endif
/* The longest command line kept, and the seed bounds (bytes). */
#define FW_CMDLINE_MAX 512
#define FW_SEED_MIN 16
#define FW_SEED_MAX 64

/* Read the command line and the seed, set mbedTLS's wall clock from the
 * host's (semihosting SYS_TIME) and give mbedTLS its arena.  Call once,
 * first.  Returns 0, or -1 when the host gave no command line (the
 * arena and the clocks are set up all the same; entropy then fails). */
int fw_platform_init(void);

/* The value of key=value on the command line, or NULL. */
const char *fw_arg(const char *key);

/* 1 when the command line carried a usable seed (fw_entropy can work). */
int fw_have_seed(void);

/* Port functions (struct tvc_port: ctx unused). */
int fw_entropy(void *ctx, uint8_t *buf, size_t len);     /* 0; TVC_ERR_ENTROPY */
uint64_t fw_now_ms(void *ctx);                           /* SysTick, 64-bit */
int64_t fw_wall_time(void *ctx);                         /* host time at boot + uptime; -1 unset */

/* Arena figures.  peak_bytes: the most bytes mbedTLS held at once,
 * counting the allocator's per-block headers (max_used +
 * max_blocks * header: an upper bound, since the two maxima may come at
 * different times); extent: the highest arena offset ever written, i.e.
 * what the arena must be for this run, fragmentation included. */
struct fw_arena_stats {
    size_t size;        /* FW_MBEDTLS_ARENA */
    size_t max_used;    /* mbedtls_memory_buffer_alloc_max_get() */
    size_t max_blocks;
    size_t cur_used;    /* mbedtls_memory_buffer_alloc_cur_get() */
    size_t cur_blocks;
    size_t peak_bytes;
    size_t extent;
};
void fw_arena_stats(struct fw_arena_stats *s);

/* Static RAM of the image: .data + .bss (linker symbols), in bytes. */
size_t fw_static_ram(void);

/* The RAM a run used, for a program's report (the printing is the
 * program's).  The arena and stack peaks are rounded up to a multiple of
 * @p round (1: exact), the total is made of the rounded ones. */
struct fw_ram {
    struct fw_arena_stats arena;
    size_t static_ram;     /* .data + .bss without the mbedTLS arena */
    size_t arena_exact;    /* what the arena had to be: extent or peak_bytes, the larger */
    size_t arena_peak;     /* arena_exact rounded up */
    size_t stack_exact;    /* the painted stack's high-water mark */
    size_t stack_peak;     /* stack_exact rounded up */
    size_t stack_reserved; /* board_stack_size() */
    size_t heap;           /* bytes _sbrk handed out; 0 in an image without _sbrk */
    size_t total;          /* static_ram + arena_peak + stack_peak + heap */
    size_t reserved;       /* .data + .bss (arena included) + stack_reserved + heap */
};
void fw_ram_figures(struct fw_ram *r, size_t round);

/* Read the whole host file @p path (semihosting SYS_OPEN/FLEN/READ/CLOSE)
 * into buf[0..cap-1) and NUL-terminate it.  Returns its length; -1 when it
 * cannot be opened or read, -2 when it does not fit (cap - 1 bytes). */
long fw_host_read(const char *path, char *buf, size_t cap);
/* The same, for the file named by the command line's @p key. */
long fw_host_read_arg(const char *key, char *buf, size_t cap);
/* The host file's length, or -1. */
long fw_host_flen(const char *path);

/* Streamed: open, read up to len bytes at a time, close. */
int fw_host_open(const char *path);                 /* handle >= 0, or -1 */
long fw_host_read_some(int fh, void *buf, size_t len); /* bytes read (0 at end), -1 */
void fw_host_close(int fh);

/* Copy the host file @p host_path into the port's storage as @p name
 * (written a piece at a time, then synced).  0; TVC_ERR_NOT_FOUND when the
 * host file cannot be opened; the port's error otherwise. */
struct tvc_port;
int fw_host_to_store(const struct tvc_port *port, const char *host_path, const char *name);

#endif
