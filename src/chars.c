/* The out-of-line halves of src/chars.h: decimal and hex text, once. */
#include "chars.h"

const char tvc_ch_hexd[17] = "0123456789abcdef";

/* Long division, a bit at a time: r < d <= 2^31 keeps r * 2 + 1 in 32 bits. */
uint64_t tvc_ch_divu(uint64_t v, unsigned d, unsigned *rem)
{
    uint64_t q = 0;
    unsigned r = 0;
    int i;

    for (i = 63; i >= 0; i--) {
        r = r << 1 | (unsigned)(v >> i & 1);
        q <<= 1;
        if (r >= d) {
            r -= d;
            q |= 1;
        }
    }
    *rem = r;
    return q;
}

char *tvc_ch_i64(char *end, int64_t v)
{
    /* magnitude in unsigned arithmetic: also right for INT64_MIN */
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    unsigned r;

    do {
        u = tvc_ch_divu(u, 10, &r);
        *--end = (char)('0' + r);
    } while (u != 0);
    if (v < 0)
        *--end = '-';
    return end;
}
