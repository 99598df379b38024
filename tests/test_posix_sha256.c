/* The POSIX port's SHA-256 on the x86 SHA extensions (tvc_posix_sha256_init)
 * against mbedTLS's, on every length 0..300, random splits of the input over
 * update() calls, 1 MB, and the FIPS 180-2 vectors.  On a CPU without the
 * extensions it must say so (TVC_ERR_STATE) and the rest is skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "harness.h"
#include "tvc_posix.h"

static struct tvc_hash h;
static struct tvc_posix_sha256 ctx;

static void ref(const uint8_t *d, size_t n, uint8_t out[32])
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    mbedtls_sha256(d, n, out, 0);
#else
    mbedtls_sha256_ret(d, n, out, 0);
#endif
}

static unsigned long long xs = 0x9e3779b97f4a7c15ull;
static unsigned rnd(void)
{
    xs ^= xs << 13;
    xs ^= xs >> 7;
    xs ^= xs << 17;
    return (unsigned)(xs >> 32);
}

/* Hash @p d in pieces of random sizes (0 included). */
static void ours(const uint8_t *d, size_t n, uint8_t out[32])
{
    size_t off = 0;
    CHECK_EQ(h.start(h.ctx), 0);
    while (off < n) {
        size_t k = rnd() % 150u;
        if (k > n - off)
            k = n - off;
        CHECK_EQ(h.update(h.ctx, d + off, k), 0);
        off += k;
    }
    CHECK_EQ(h.finish(h.ctx, out), 0);
}

static void t_against_mbedtls(void)
{
    static uint8_t data[1 << 20];
    uint8_t a[32], b[32];
    size_t i, n;
    for (i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)rnd();
    for (n = 0; n <= 300; n++) {
        ours(data, n, a);
        ref(data, n, b);
        if (memcmp(a, b, 32) != 0) {
            printf("  length %zu differs\n", n);
            CHECK(0);
            return;
        }
    }
    ours(data, sizeof data, a);
    ref(data, sizeof data, b);
    CHECK_MEM(a, 32, b, 32);
    /* one big update, and the engine reusable after finish() */
    CHECK_EQ(h.update(h.ctx, data, sizeof data - 7), 0);
    CHECK_EQ(h.finish(h.ctx, a), 0);
    ref(data, sizeof data - 7, b);
    CHECK_MEM(a, 32, b, 32);
}

static void t_vectors(void)
{
    static const uint8_t abc[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad
    };
    static const uint8_t empty[32] = {
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
        0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55
    };
    uint8_t out[32];
    ours((const uint8_t *)"abc", 3, out);
    CHECK_MEM(out, 32, abc, 32);
    ours((const uint8_t *)"", 0, out);
    CHECK_MEM(out, 32, empty, 32);
}

int main(void)
{
    int rc = tvc_posix_sha256_init(&h, &ctx);
    CHECK_EQ(tvc_posix_sha256_init(NULL, &ctx), TVC_ERR_ARG);
    if (rc == TVC_ERR_STATE) {
        printf("no x86 SHA extensions here: the tvc program uses mbedTLS's SHA-256\n");
        return h_summary();
    }
    CHECK_EQ(rc, 0);
    RUN(t_vectors);
    RUN(t_against_mbedtls);
    return h_summary();
}
