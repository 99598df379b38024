/*
 * SHA-256 with the x86 SHA extensions (SHA-NI), behind tvc_hash.h, for
 * downloads: mbedTLS hashes in software on x86, which is about a third of
 * a download's CPU.  Used only when CPUID says the CPU has them (checked at
 * init); elsewhere tvc_posix_sha256_init() says no and the caller keeps
 * another engine (the tvc program falls back to mbedTLS's).
 */
#include <string.h>

#include "tvc_posix.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

/* @p n 64-byte blocks.  The state is kept as ABEF / CDGH, the order
 * SHA256RNDS2 works in; each step of the loop is 4 rounds. */
__attribute__((target("sha,sse4.1,ssse3")))
static void blocks(uint32_t st[8], const uint8_t *data, size_t n)
{
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i s0, s1, t, save0, save1, m[4];
    int i;

    t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&st[0]), 0xB1);
    s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&st[4]), 0x1B);
    s0 = _mm_alignr_epi8(t, s1, 8);     /* ABEF */
    s1 = _mm_blend_epi16(s1, t, 0xF0); /* CDGH */
    for (; n > 0; n--, data += 64) {
        save0 = s0;
        save1 = s1;
        for (i = 0; i < 16; i++) {
            __m128i *w = &m[i & 3];
            if (i < 4)
                *w = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(data + 16 * i)),
                                      swap);
            else /* W[t..t+3] from W[t-16..t-1] */
                *w = _mm_sha256msg2_epu32(
                    _mm_add_epi32(_mm_sha256msg1_epu32(*w, m[(i + 1) & 3]),
                                  _mm_alignr_epi8(m[(i + 3) & 3], m[(i + 2) & 3], 4)),
                    m[(i + 3) & 3]);
            t = _mm_add_epi32(*w, _mm_loadu_si128((const __m128i *)(const void *)&K[4 * i]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, t);
            s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(t, 0x0E));
        }
        s0 = _mm_add_epi32(s0, save0);
        s1 = _mm_add_epi32(s1, save1);
    }
    t = _mm_shuffle_epi32(s0, 0x1B);   /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xB1);  /* DCHG */
    s0 = _mm_blend_epi16(t, s1, 0xF0); /* DCBA */
    s1 = _mm_alignr_epi8(s1, t, 8);    /* HGFE */
    _mm_storeu_si128((__m128i *)(void *)&st[0], s0);
    _mm_storeu_si128((__m128i *)(void *)&st[4], s1);
}

static int have_sha_ni(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19)) || !(c & (1u << 9)))
        return 0; /* SSE4.1, SSSE3 */
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b >> 29) & 1u; /* SHA */
}

static int sha_start(void *ctx)
{
    static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    struct tvc_posix_sha256 *c = ctx;
    memcpy(c->st, iv, sizeof iv);
    c->bytes = 0;
    return 0;
}

static int sha_update(void *ctx, const uint8_t *data, size_t len)
{
    struct tvc_posix_sha256 *c = ctx;
    size_t have = (size_t)(c->bytes % 64u), k;

    c->bytes += len;
    if (have) {
        k = 64u - have < len ? 64u - have : len;
        memcpy(c->buf + have, data, k);
        data += k;
        len -= k;
        if (have + k < 64u)
            return 0;
        blocks(c->st, c->buf, 1);
    }
    if (len >= 64u) {
        blocks(c->st, data, len / 64u);
        data += len - len % 64u;
        len %= 64u;
    }
    if (len)
        memcpy(c->buf, data, len);
    return 0;
}

static int sha_finish(void *ctx, uint8_t out[TVC_SHA256_LEN])
{
    struct tvc_posix_sha256 *c = ctx;
    uint64_t bits = c->bytes * 8u;
    size_t have = (size_t)(c->bytes % 64u);
    int i;

    c->buf[have++] = 0x80;
    if (have > 56u) {
        memset(c->buf + have, 0, 64u - have);
        blocks(c->st, c->buf, 1);
        have = 0;
    }
    memset(c->buf + have, 0, 56u - have);
    for (i = 0; i < 8; i++)
        c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    blocks(c->st, c->buf, 1);
    for (i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(c->st[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->st[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->st[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->st[i];
    }
    return sha_start(ctx);
}

int tvc_posix_sha256_init(struct tvc_hash *h, struct tvc_posix_sha256 *ctx)
{
    if (!h || !ctx)
        return TVC_ERR_ARG;
    if (!have_sha_ni())
        return TVC_ERR_STATE;
    (void)sha_start(ctx);
    h->ctx = ctx;
    h->start = sha_start;
    h->update = sha_update;
    h->finish = sha_finish;
    return 0;
}

#else

int tvc_posix_sha256_init(struct tvc_hash *h, struct tvc_posix_sha256 *ctx)
{
    return !h || !ctx ? TVC_ERR_ARG : TVC_ERR_STATE;
}

#endif
