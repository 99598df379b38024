/* mbedTLS and libtvc platform hooks for QEMU's mps2-an386: entropy,
 * clocks, the mbedTLS arena, the command line and host files. */
#include "fw_platform.h"

#include <string.h>

#include <mbedtls/entropy.h>
#include <mbedtls/memory_buffer_alloc.h>
#include <mbedtls/platform.h>
#include <mbedtls/platform_time.h>
#include <mbedtls/sha256.h>

#include "board.h"
#include "tvc_base.h"
#include "tvc_port.h"

#if !defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C) || !defined(MBEDTLS_MEMORY_DEBUG)
#error "fw_platform.c reads the arena's high-water mark: MBEDTLS_MEMORY_BUFFER_ALLOC_C and MBEDTLS_MEMORY_DEBUG"
#endif

/* ------------------------------------------------------------------ */
/* semihosting (Arm's "Semihosting for AArch32 and AArch64": BKPT 0xAB,
 * operation in r0, argument block in r1, result in r0)                 */

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_READ 0x06
#define SYS_FLEN 0x0C
#define SYS_TIME 0x11
#define SYS_OPEN_MODE_RB 1 /* fopen() mode "rb" */

static int32_t semihost(uint32_t op, void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return (int32_t)r0;
}

int fw_host_open(const char *path)
{
    uint32_t block[3];
    block[0] = (uint32_t)(uintptr_t)path;
    block[1] = SYS_OPEN_MODE_RB;
    block[2] = (uint32_t)strlen(path);
    return semihost(SYS_OPEN, block);
}

long fw_host_read_some(int fh, void *buf, size_t len)
{
    uint32_t block[3];
    int32_t left;
    block[0] = (uint32_t)fh;
    block[1] = (uint32_t)(uintptr_t)buf;
    block[2] = (uint32_t)len;
    left = semihost(SYS_READ, block); /* bytes NOT read */
    if (left < 0 || (size_t)left > len)
        return -1;
    return (long)(len - (size_t)left);
}

void fw_host_close(int fh)
{
    uint32_t block[1];
    block[0] = (uint32_t)fh;
    (void)semihost(SYS_CLOSE, block);
}

static long host_flen_fh(int fh)
{
    uint32_t block[1];
    block[0] = (uint32_t)fh;
    return semihost(SYS_FLEN, block);
}

long fw_host_flen(const char *path)
{
    int fh = fw_host_open(path);
    long n;
    if (fh < 0)
        return -1;
    n = host_flen_fh(fh);
    fw_host_close(fh);
    return n;
}

long fw_host_read(const char *path, char *buf, size_t cap)
{
    long len, got = 0, n;
    int fh;

    if (path == NULL || buf == NULL || cap == 0)
        return -1;
    fh = fw_host_open(path);
    if (fh < 0)
        return -1;
    len = host_flen_fh(fh);
    if (len < 0) {
        fw_host_close(fh);
        return -1;
    }
    if ((size_t)len > cap - 1) {
        fw_host_close(fh);
        return -2;
    }
    while (got < len) {
        n = fw_host_read_some(fh, buf + got, (size_t)(len - got));
        if (n <= 0)
            break;
        got += n;
    }
    fw_host_close(fh);
    if (got != len)
        return -1;
    buf[got] = '\0';
    return got;
}

/* ------------------------------------------------------------------ */
/* command line                                                          */

static char cmdline[FW_CMDLINE_MAX];
static int have_cmdline;

static size_t cmdline_len;

/* The words are NUL-separated after fw_platform_init() (blanks turned into
 * NULs); empty strings between them are skipped. */
const char *fw_arg(const char *key)
{
    size_t klen = strlen(key), i = 0, n;

    if (!have_cmdline)
        return NULL;
    while (i < cmdline_len) {
        n = strlen(cmdline + i);
        if (n > klen && strncmp(cmdline + i, key, klen) == 0 && cmdline[i + klen] == '=')
            return cmdline + i + klen + 1;
        i += n + 1;
    }
    return NULL;
}

long fw_host_read_arg(const char *key, char *buf, size_t cap)
{
    const char *path = fw_arg(key);
    return path ? fw_host_read(path, buf, cap) : -1;
}

static void split_words(void)
{
    size_t i;
    for (i = 0; i < cmdline_len; i++)
        if (cmdline[i] == ' ' || cmdline[i] == '\t')
            cmdline[i] = '\0';
}

/* ------------------------------------------------------------------ */
/* entropy                                                             */

/*
 * QEMU's mps2-an386 has no random-number generator, and nothing on an
 * emulated board is unpredictable (QEMU runs the same instructions with
 * the same timer values).  So the entropy comes from the host: the test
 * hands in a seed on the command line (seed=<hex>, FW_SEED_MIN to
 * FW_SEED_MAX bytes, from the host's /dev/urandom), and this file expands
 * it without a DRBG of its own: output block i is
 *     SHA-256("tvc-fw-seed" || seed || i)      (i: 64-bit big-endian)
 * over a counter that only grows, so no two requests see the same bytes.
 * mbedTLS then seeds its CTR_DRBG (and PSA's) from these bytes as from
 * any hardware source.
 *
 * Acceptable only under emulation: the secret is the seed, which sits on
 * the host's command line (visible to the host's processes) and in the
 * emulated RAM; a fixed seed makes every run's keys repeat; and a seed
 * handed in from outside is not entropy the device gathered.  A real board
 * uses its TRNG (or a secure element) in mbedtls_hardware_poll() and
 * fw_entropy(), and nothing else changes.  Without a seed both fail, so
 * TLS refuses to start rather than run on predictable keys.
 */
static uint8_t seed[FW_SEED_MAX];
static size_t seed_len;
static uint64_t seed_counter;
static uint8_t pool[32];
static size_t pool_left; /* unread bytes at the end of pool */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void parse_seed(const char *hex)
{
    size_t n = 0;
    int hi, lo;

    seed_len = 0;
    if (hex == NULL)
        return;
    while (hex[0] && hex[1] && n < FW_SEED_MAX) {
        hi = hexval(hex[0]);
        lo = hexval(hex[1]);
        if (hi < 0 || lo < 0)
            return; /* not hex: no seed at all */
        seed[n++] = (uint8_t)(hi << 4 | lo);
        hex += 2;
    }
    if (*hex != '\0' || n < FW_SEED_MIN)
        return; /* odd length, too long or too short */
    seed_len = n;
}

static int refill(void)
{
    static const uint8_t label[] = "tvc-fw-seed";
    mbedtls_sha256_context c;
    uint8_t ctr[8];
    int i, rc;

    for (i = 0; i < 8; i++)
        ctr[i] = (uint8_t)(seed_counter >> (56 - 8 * i));
    seed_counter++;
    mbedtls_sha256_init(&c);
    rc = mbedtls_sha256_starts(&c, 0);
    if (rc == 0)
        rc = mbedtls_sha256_update(&c, label, sizeof label - 1);
    if (rc == 0)
        rc = mbedtls_sha256_update(&c, seed, seed_len);
    if (rc == 0)
        rc = mbedtls_sha256_update(&c, ctr, sizeof ctr);
    if (rc == 0)
        rc = mbedtls_sha256_finish(&c, pool);
    mbedtls_sha256_free(&c);
    pool_left = rc == 0 ? sizeof pool : 0;
    return rc;
}

static int draw(uint8_t *out, size_t len)
{
    size_t n;

    if (seed_len == 0)
        return -1;
    while (len > 0) {
        if (pool_left == 0 && refill() != 0)
            return -1;
        n = len < pool_left ? len : pool_left;
        memcpy(out, pool + sizeof pool - pool_left, n);
        memset(pool + sizeof pool - pool_left, 0, n); /* used bytes do not linger */
        pool_left -= n;
        out += n;
        len -= n;
    }
    return 0;
}

int fw_have_seed(void)
{
    return seed_len != 0;
}

/* MBEDTLS_ENTROPY_HARDWARE_ALT */
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen);
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
    (void)data;
    *olen = 0;
    if (draw(output, len) != 0)
        return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
    *olen = len;
    return 0;
}

int fw_entropy(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    return draw(buf, len) == 0 ? 0 : TVC_ERR_ENTROPY;
}

/* ------------------------------------------------------------------ */
/* clocks                                                              */

/* board_millis() is 32-bit (wraps after 49 days); widened here.  Called
 * from the main loop only. */
uint64_t fw_now_ms(void *ctx)
{
    static uint32_t last;
    static uint64_t high;
    uint32_t now = board_millis();

    (void)ctx;
    if (now < last)
        high += (uint64_t)1 << 32;
    last = now;
    return high | now;
}

/* MBEDTLS_PLATFORM_MS_TIME_ALT (TLS 1.3 ticket ages) */
mbedtls_ms_time_t mbedtls_ms_time(void)
{
    return (mbedtls_ms_time_t)fw_now_ms(NULL);
}

/* The host's wall clock read once at start (SYS_TIME: seconds since
 * 1970), advanced by the board's own clock. */
static int64_t boot_unix = -1;
static uint64_t boot_ms;

int64_t fw_wall_time(void *ctx)
{
    (void)ctx;
    if (boot_unix < 0)
        return -1;
    return boot_unix + (int64_t)((fw_now_ms(NULL) - boot_ms) / 1000u);
}

/* MBEDTLS_PLATFORM_TIME_ALT: certificate validity */
static mbedtls_time_t fw_mbedtls_time(mbedtls_time_t *t)
{
    mbedtls_time_t now = (mbedtls_time_t)fw_wall_time(NULL);
    if (t != NULL)
        *t = now;
    return now;
}

/* ------------------------------------------------------------------ */
/* arena                                                               */

#define ARENA_PAINT 0xA5u
/* mbedTLS's block header (memory_buffer_alloc.c, no MBEDTLS_MEMORY_BACKTRACE):
 * magic1, size, alloc, prev, next, prev_free, next_free, magic2 */
#define ARENA_HDR (8u * sizeof(size_t))

static unsigned char arena[FW_MBEDTLS_ARENA] __attribute__((aligned(8)));

/* mbedtls_memory_buffer_alloc_init() zeroes the arena and writes its first
 * header; everything after that header is painted again, so that the
 * highest byte not equal to the paint is the furthest the allocator ever
 * reached (allocations are zeroed by calloc, headers are written). */
static void arena_init(void)
{
    mbedtls_memory_buffer_alloc_init(arena, sizeof arena);
    memset(arena + ARENA_HDR, ARENA_PAINT, sizeof arena - ARENA_HDR);
}

void fw_arena_stats(struct fw_arena_stats *s)
{
    size_t n = sizeof arena;

    s->size = sizeof arena;
    mbedtls_memory_buffer_alloc_max_get(&s->max_used, &s->max_blocks);
    mbedtls_memory_buffer_alloc_cur_get(&s->cur_used, &s->cur_blocks);
    s->peak_bytes = s->max_used + s->max_blocks * ARENA_HDR;
    while (n > ARENA_HDR && arena[n - 1] == ARENA_PAINT)
        n--;
    s->extent = n;
}

/* ------------------------------------------------------------------ */

extern char __data_start[], __data_end[], __bss_start[], __bss_end[];

size_t fw_static_ram(void)
{
    return (size_t)(__data_end - __data_start) + (size_t)(__bss_end - __bss_start);
}

/* Images with a heap link boards/cortex-m4/syscalls.c's _sbrk; the others
 * have none, and the weak reference is then NULL. */
extern char __heap_start[];
extern void *_sbrk(ptrdiff_t incr) __attribute__((weak));

static size_t round_up(size_t n, size_t round)
{
    return round > 1 ? (n + round - 1u) / round * round : n;
}

void fw_ram_figures(struct fw_ram *r, size_t round)
{
    size_t stat = fw_static_ram();

    fw_arena_stats(&r->arena);
    r->static_ram = stat - r->arena.size;
    r->arena_exact = r->arena.extent > r->arena.peak_bytes ? r->arena.extent : r->arena.peak_bytes;
    r->arena_peak = round_up(r->arena_exact, round);
    r->stack_exact = board_stack_used();
    r->stack_peak = round_up(r->stack_exact, round);
    r->stack_reserved = board_stack_size();
    r->heap = _sbrk != NULL ? (size_t)((char *)_sbrk(0) - __heap_start) : 0;
    r->total = r->static_ram + r->arena_peak + r->stack_peak + r->heap;
    r->reserved = stat + r->stack_reserved + r->heap;
}

int fw_platform_init(void)
{
    uint32_t t;
    int n;

    arena_init();
    boot_ms = fw_now_ms(NULL);
    t = (uint32_t)semihost(SYS_TIME, NULL); /* unsigned: good until 2106; -1 failure */
    boot_unix = t != 0 && t != 0xFFFFFFFFu ? (int64_t)t : -1;
    if (boot_unix >= 0)
        (void)mbedtls_platform_set_time(fw_mbedtls_time);

    n = board_cmdline(cmdline, sizeof cmdline);
    if (n < 0) {
        have_cmdline = 0;
        return -1;
    }
    cmdline_len = (size_t)n;
    split_words();
    have_cmdline = 1;
    parse_seed(fw_arg("seed"));
    return 0;
}

int fw_host_to_store(const struct tvc_port *port, const char *host_path, const char *name)
{
    uint8_t buf[128];
    long n;
    int hf, fh, rc = 0;

    hf = fw_host_open(host_path);
    if (hf < 0)
        return TVC_ERR_NOT_FOUND;
    fh = port->file_open(port->ctx, name, TVC_FILE_WRITE);
    if (fh < 0) {
        fw_host_close(hf);
        return fh;
    }
    while (rc >= 0 && (n = fw_host_read_some(hf, buf, sizeof buf)) > 0)
        rc = port->file_write(port->ctx, fh, buf, (size_t)n);
    if (rc >= 0)
        rc = port->file_sync(port->ctx, fh);
    (void)port->file_close(port->ctx, fh);
    fw_host_close(hf);
    return rc < 0 ? rc : 0;
}
