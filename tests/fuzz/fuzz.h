/* Shared by the libFuzzer harnesses of tests/fuzz/ (see tests/fuzz/README.md).
 * Each harness checks properties, not only the absence of crashes: a
 * violated property aborts with FZ_CHECK's message, which libFuzzer reports
 * as a crash and saves the input for. */
#ifndef TVC_FUZZ_H
#define TVC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(c) do { if (!(c)) { \
    fprintf(stderr, "property violated: %s (%s:%d)\n", #c, __FILE__, __LINE__); abort(); } } while (0)

/* A tiny deterministic generator for split points taken from the input. */
struct fz_rng {
    uint64_t s;
};

static inline void fz_rng_seed(struct fz_rng *r, const uint8_t *d, size_t n)
{
    size_t i;
    r->s = 0x9E3779B97F4A7C15ull;
    for (i = 0; i < n; i++)
        r->s = (r->s ^ d[i]) * 0x100000001B3ull;
    if (r->s == 0)
        r->s = 1;
}

static inline uint32_t fz_rng_next(struct fz_rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return (uint32_t)(r->s >> 32);
}

/* Length of the next segment: 1..max, often small. */
static inline size_t fz_seg(struct fz_rng *r, size_t left)
{
    uint32_t v = fz_rng_next(r);
    size_t n = (v & 3) == 0 ? 1 : (v & 3) == 1 ? 1 + (v >> 8) % 7 : 1 + (v >> 8) % 97;
    return n > left ? left : n;
}

/* Cut the input at the first occurrence of @p sep: returns the part before
 * it (*a, *alen) and moves *d past the separator (or to the end). */
static inline void fz_take(const uint8_t **d, size_t *n, char sep, const uint8_t **a, size_t *alen)
{
    const uint8_t *p = memchr(*d, sep, *n);
    *a = *d;
    *alen = p ? (size_t)(p - *d) : *n;
    *d += p ? *alen + 1 : *n;
    *n -= p ? *alen + 1 : *n;
}

#endif
