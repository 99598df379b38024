/* The TLS smoke test on the Cortex-M4 of QEMU's mps2-an386, without a
 * network: libtvc's mbedTLS glue (src/tls_mbedtls.c, src/hash_mbedtls.c)
 * over mbedTLS 3.6 built for the board, with the board's entropy, clocks,
 * arena, RAM file store and semihosting files (boards/cortex-m4/fw_*.c).
 *
 * Command line (QEMU -append; tests/firmware/run_tls_smoke.sh builds it):
 *   seed=<hex>     entropy seed (without it, the test checks that TLS
 *                  refuses to start: TVC_ERR_ENTROPY)
 *   ca=<file>      PEM trust anchors (tests/certs.sh's ca.crt)
 *   key=<file>     the API key     (read and checked non-empty, not printed)
 *   url=<file>     the base URL    (read and parsed)
 *   certs=<dir>    tests/certs.sh's output: good, unk, expired, wrong .crt
 *                  are verified against the anchors (certificate checks
 *                  with the host's time, as a handshake would make them)
 *
 * Prints the memory figures, then "N passed, N failed"; exits 0 only
 * when every case passed. */
#include <stdio.h>
#include <string.h>
#include <stddef.h>

#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "board.h"
#include "fw_nonet.h"
#include "fw_platform.h"
#include "fw_store.h"
#include "harness.h"
#include "tvc_tls.h"
#include "tvc_url.h"

int main(void);

static struct fw_store store;
static struct tvc_port port;
static struct tvc_tls tls;
static uint8_t scratch[1024]; /* tvc_tls_add_ca_file()'s window */
static char text[512];        /* key and URL files */
static int have_cmd;



static void t_platform(void)
{
    uint8_t a[48], b[48];
    int64_t now = fw_wall_time(NULL);
    uint64_t t0 = fw_now_ms(NULL);

    /* the host's clock: after 2024-01-01, before 2100 */
    CHECK(now > 1704067200 && now < 4102444800LL);
    CHECK(fw_now_ms(NULL) >= t0);
    /* two draws differ, and are not all one byte */
    CHECK_EQ(fw_entropy(NULL, a, sizeof a), 0);
    CHECK_EQ(fw_entropy(NULL, b, sizeof b), 0);
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK(a[0] != a[1] || a[1] != a[2] || a[2] != a[3]);
}

static void t_setup(void)
{
    CHECK_EQ(tvc_tls_setup(&tls, &port), 0);
    CHECK_EQ(tvc_tls_setup(&tls, &port), TVC_ERR_STATE);
}

static void t_ca(void)
{
    const char *ca = fw_arg("ca");
    int n;

    CHECK(ca != NULL);
    if (ca == NULL)
        return;
    CHECK_EQ(fw_host_to_store(&port, ca, "trust/ca.pem"), TVC_ERR_STORAGE); /* no such directory */
    CHECK_EQ(port.dir_create(port.ctx, "trust"), 0);
    CHECK_EQ(fw_host_to_store(&port, ca, "trust/ca.pem"), 0);
    n = tvc_tls_add_ca_file(&tls, "trust/ca.pem", scratch, sizeof scratch);
    CHECK_EQ(n, 1);
    CHECK_EQ(tvc_tls_add_ca_file(&tls, "trust/none.pem", scratch, sizeof scratch),
             TVC_ERR_NOT_FOUND);
    printf("CA: %s, %d certificate(s) loaded from the RAM store\n", ca, n);
}

/* Verify tests/certs.sh's leaf <name>.crt against the anchors for host
 * "localhost": the mbedTLS flags. */
static uint32_t verify_leaf(const char *name)
{
    static char path[FW_CMDLINE_MAX];
    static char pem[2048];
    const char *dir = fw_arg("certs");
    mbedtls_x509_crt leaf;
    uint32_t flags = 0xFFFFFFFFu;
    long n;

    if (dir == NULL)
        return flags;
    snprintf(path, sizeof path, "%s/%s.crt", dir, name);
    n = fw_host_read(path, pem, sizeof pem);
    if (n <= 0)
        return flags;
    mbedtls_x509_crt_init(&leaf);
    if (mbedtls_x509_crt_parse(&leaf, (const unsigned char *)pem, (size_t)n + 1) == 0)
        (void)mbedtls_x509_crt_verify(&leaf, &tls.ca, NULL, "localhost", &flags, NULL, NULL);
    mbedtls_x509_crt_free(&leaf);
    return flags;
}

static void t_verify(void)
{
    CHECK(fw_arg("certs") != NULL);
    CHECK_EQ(verify_leaf("good"), 0);
    CHECK_EQ(verify_leaf("unk"), MBEDTLS_X509_BADCERT_NOT_TRUSTED);
    CHECK(verify_leaf("expired") & MBEDTLS_X509_BADCERT_EXPIRED);
    CHECK(verify_leaf("future") & MBEDTLS_X509_BADCERT_FUTURE);
    CHECK_EQ(verify_leaf("wrong"), MBEDTLS_X509_BADCERT_CN_MISMATCH);
}

static void t_key_url(void)
{
    struct tvc_url u;
    long n;

    n = fw_host_read_arg("key", text, sizeof text);
    CHECK(n > 0);
    printf("API key: %ld bytes from the host (not printed)\n", n);
    n = fw_host_read_arg("url", text, sizeof text);
    CHECK(n > 0);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
        text[--n] = '\0';
    CHECK_EQ(tvc_url_parse(text, (size_t)(n > 0 ? n : 0), &u), 0);
    printf("base URL: %s\n", text);
}

static void t_hash(void)
{
    /* FIPS 180-2 examples */
    static const uint8_t abc[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    static const uint8_t two_blocks[32] = {
        0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26, 0x93, 0x0c, 0x3e, 0x60, 0x39,
        0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff, 0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1};
    static const char msg2[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    mbedtls_sha256_context c;
    struct tvc_hash h;
    uint8_t out[TVC_SHA256_LEN];
    size_t i;

    tvc_hash_mbedtls_init(&h, &c);
    CHECK_EQ(h.start(h.ctx), 0);
    CHECK_EQ(h.update(h.ctx, (const uint8_t *)"abc", 3), 0);
    CHECK_EQ(h.finish(h.ctx, out), 0);
    CHECK_MEM(out, sizeof out, abc, sizeof abc);
    /* in pieces, as a download feeds it */
    CHECK_EQ(h.start(h.ctx), 0);
    for (i = 0; i < sizeof msg2 - 1; i += 5)
        CHECK_EQ(h.update(h.ctx, (const uint8_t *)msg2 + i, sizeof msg2 - 1 - i < 5 ? sizeof msg2 - 1 - i : 5), 0);
    CHECK_EQ(h.finish(h.ctx, out), 0);
    CHECK_MEM(out, sizeof out, two_blocks, sizeof two_blocks);
}

static void t_no_seed(void)
{
    uint8_t b[16];
    CHECK_EQ(fw_entropy(NULL, b, sizeof b), TVC_ERR_ENTROPY);
    CHECK_EQ(tvc_tls_setup(&tls, &port), TVC_ERR_ENTROPY);
}

static void report(void)
{
    struct fw_ram r;
    const struct fw_arena_stats *a = &r.arena;

    fw_ram_figures(&r, 1);
    printf("RAM (bytes):\n");
    printf("  static .data+.bss    %6lu  (of which mbedTLS arena %lu, RAM store %lu, struct tvc_tls %lu)\n",
           (unsigned long)(r.static_ram + a->size), (unsigned long)a->size, (unsigned long)sizeof store,
           (unsigned long)sizeof tls);
    printf("  mbedTLS arena peak   %6lu  (%lu bytes in %lu blocks at most + headers; reached offset %lu; %lu bytes in %lu blocks held now)\n",
           (unsigned long)a->peak_bytes, (unsigned long)a->max_used, (unsigned long)a->max_blocks,
           (unsigned long)a->extent, (unsigned long)a->cur_used, (unsigned long)a->cur_blocks);
    printf("  stack peak           %6lu  (of %lu reserved, painted)\n", (unsigned long)r.stack_peak,
           (unsigned long)r.stack_reserved);
    printf("  heap                 %6lu  (newlib's _sbrk: this image links none, so no malloc)\n",
           (unsigned long)r.heap);
    printf("  total                %6lu  (static without the arena + arena need + stack peak + heap)\n",
           (unsigned long)r.total);
    printf("RAM store peak: %lu of %lu bytes\n", (unsigned long)store.peak,
           (unsigned long)sizeof store.arena);
}

static void t_cmdline(void)
{
    CHECK(have_cmd);
}

int main(void)
{
    have_cmd = fw_platform_init() == 0;

    printf("libtvc TLS smoke test on mps2-an386 (Cortex-M4), mbedTLS %s, no network\n",
           MBEDTLS_VERSION_STRING);
    port.version = TVC_PORT_VERSION;
    fw_port_no_network(&port);
    port.now_ms = fw_now_ms;
    port.entropy = fw_entropy;
    port.wall_time = fw_wall_time;
    fw_store_init(&store, &port);
    tvc_tls_init(&tls);

    printf("command line: %s; seed: %s\n", have_cmd ? "read" : "none",
           fw_have_seed() ? "yes" : fw_arg("seed") ? "unusable" : "no");
    RUN(t_cmdline);
    if (!fw_have_seed()) {
        printf("no seed=<hex> on the command line: checking that TLS refuses to start\n");
        RUN(t_no_seed);
    } else {
        RUN(t_platform);
        RUN(t_setup);
        RUN(t_ca);
        RUN(t_verify);
        RUN(t_key_url);
        RUN(t_hash);
    }
    report();
    tvc_tls_free(&tls);
    return h_summary();
}
