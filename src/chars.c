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

/* The two-letter escapes: the byte, then its letter. */
static const char esc2[] = "\"\"" "\\\\" "//" "\bb" "\ff" "\nn" "\rr" "\tt";

size_t tvc_ch_json_esc(unsigned c, char e[6])
{
    size_t i;

    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F)
        return 0;
    e[0] = '\\';
    for (i = 0; i < sizeof esc2 - 1; i += 2)
        if ((unsigned char)esc2[i] == c) {
            e[1] = esc2[i + 1];
            return 2;
        }
    e[1] = 'u';
    e[2] = '0';
    e[3] = '0';
    e[4] = tvc_ch_hexd[c >> 4 & 15];
    e[5] = tvc_ch_hexd[c & 15];
    return 6;
}

int tvc_ch_json_unesc(int c)
{
    size_t i;

    for (i = 1; i < sizeof esc2 - 1; i += 2)
        if (esc2[i] == c)
            return (unsigned char)esc2[i - 1];
    return -1;
}

int tvc_ch_utf8(unsigned long cp, unsigned char u[4])
{
    int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4, i;

    for (i = n - 1; i > 0; i--, cp >>= 6)
        u[i] = (unsigned char)(0x80 | (cp & 0x3F));
    u[0] = (unsigned char)(n == 1 ? cp : (0xF00u >> n & 0xF0) | cp);
    return n;
}

int tvc_ch_streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

size_t tvc_ch_dec(const char *s, size_t n, uint64_t max, uint64_t *v)
{
    uint64_t x = 0;
    size_t i;

    for (i = 0; i < n && ch_digit(s[i]); i++) {
        /* x * 10 + 9 cannot wrap below this bound (UINT64_MAX / 10) */
        uint64_t y = x * 10 + (unsigned)(s[i] - '0');
        x = x > UINT64_C(1844674407370955160) || y > max ? max : y;
    }
    *v = x;
    return i;
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
