/*
 * JSON numbers to int64_t and double, done here (no strtod, no libm) so the
 * result does not depend on the C library's locale or float support.
 *
 * Both start from the decimal form checked by tvc_json_parse():
 *   value = D * 10^E
 * where D is the significant digits (first to last non-zero digit of the
 * integer and fraction parts taken together).  An integer is whole exactly
 * when E >= 0.  A double takes the first 19 digits of D (they fit a
 * uint64_t) and scales them by 10^E with 64-bit binary floating point
 * ("diy-fp", as in Grisu): a table of 10^(+-2^i) rounded to 64-bit mantissas
 * and at most 9 multiplications.  Each step is off by at most one unit in
 * the 64th bit, so before the final rounding to 53 bits the error is below
 * 2^-58 relative: the result is the correctly rounded double except for
 * inputs within ~1/100 ulp of a rounding midpoint, and within 1 ulp always.
 */
#include "tvc_json.h"

#include <string.h>

struct dec {
    int neg;
    const char *ip; /* integer digits */
    size_t ni;
    const char *fp; /* fraction digits */
    size_t nf;
    int64_t exp; /* written exponent, clamped to +-1e9 */
};

/* Beyond this the exponent only decides "zero or overflow" anyway. */
#define EXP_CLAMP 1000000000

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int dec_scan(const struct tvc_json *j, int idx, struct dec *d)
{
    struct tvc_slice r;
    size_t i = 0;
    int kind = tvc_json_kind(j, idx), eneg = 0;

    if (kind == TVC_JSON_INVALID)
        return TVC_ERR_ARG;
    if (kind != TVC_JSON_NUMBER || tvc_json_raw(j, idx, &r) != 0)
        return TVC_ERR_JSON_TYPE;
    memset(d, 0, sizeof *d);
    if (i < r.len && r.p[i] == '-') {
        d->neg = 1;
        i++;
    }
    d->ip = r.p + i;
    while (i < r.len && is_digit(r.p[i]))
        i++;
    d->ni = (size_t)(r.p + i - d->ip);
    if (i < r.len && r.p[i] == '.') {
        d->fp = r.p + ++i;
        while (i < r.len && is_digit(r.p[i]))
            i++;
        d->nf = (size_t)(r.p + i - d->fp);
    }
    if (i < r.len && (r.p[i] == 'e' || r.p[i] == 'E')) {
        i++;
        if (i < r.len && (r.p[i] == '+' || r.p[i] == '-'))
            eneg = r.p[i++] == '-';
        for (; i < r.len && is_digit(r.p[i]); i++)
            if (d->exp < EXP_CLAMP)
                d->exp = d->exp * 10 + (r.p[i] - '0');
        if (eneg)
            d->exp = -d->exp;
    }
    /* the parser checked the grammar; stay safe if handed anything else */
    return i == r.len && d->ni > 0 ? 0 : TVC_ERR_JSON_TYPE;
}

static int dec_digit(const struct dec *d, size_t k)
{
    return (k < d->ni ? d->ip[k] : d->fp[k - d->ni]) - '0';
}

/*
 * Significant digits: sets *first and *last (indexes into the integer and
 * fraction digits taken together) and *e so that value = D * 10^e.
 * Returns 0 when the value is zero.
 */
static int dec_sig(const struct dec *d, size_t *first, size_t *last, int64_t *e)
{
    size_t n = d->ni + d->nf, f = 0, l = n;

    while (f < n && dec_digit(d, f) == 0)
        f++;
    if (f == n)
        return 0;
    while (dec_digit(d, l - 1) == 0)
        l--;
    *first = f;
    *last = l - 1;
    *e = d->exp - (int64_t)d->nf + (int64_t)(n - l);
    return 1;
}

int tvc_json_int(const struct tvc_json *j, int idx, int64_t *v)
{
    struct dec d;
    size_t f, l, k;
    int64_t e;
    uint64_t u = 0;
    int r;

    if ((r = dec_scan(j, idx, &d)) != 0)
        return r;
    if (v == NULL)
        return TVC_ERR_ARG;
    if (!dec_sig(&d, &f, &l, &e)) {
        *v = 0;
        return 0;
    }
    if (e < 0)
        return TVC_ERR_JSON_TYPE; /* a non-zero digit after the point */
    if ((int64_t)(l - f + 1) + e > 19)
        return TVC_ERR_JSON_RANGE; /* >= 10^19 */
    for (k = f; k <= l; k++)
        u = u * 10 + (uint64_t)dec_digit(&d, k);
    for (; e > 0; e--)
        u *= 10; /* < 10^19 < 2^64 by the check above */
    if (d.neg) {
        if (u > (uint64_t)INT64_MAX + 1)
            return TVC_ERR_JSON_RANGE;
        /* -(INT64_MAX) - 1 spelled so that nothing overflows */
        *v = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
    } else {
        if (u > (uint64_t)INT64_MAX)
            return TVC_ERR_JSON_RANGE;
        *v = (int64_t)u;
    }
    return 0;
}

/* value = f * 2^e; f has its top bit set */
struct diy {
    uint64_t f;
    int e;
};

/* 10^(2^i) and 10^-(2^i), i = 0..8, mantissas rounded to nearest. */
static const struct diy pow10_pos[9] = {
    {UINT64_C(0xA000000000000000), -60},  /* 1e1 */
    {UINT64_C(0xC800000000000000), -57},  /* 1e2 */
    {UINT64_C(0x9C40000000000000), -50},  /* 1e4 */
    {UINT64_C(0xBEBC200000000000), -37},  /* 1e8 */
    {UINT64_C(0x8E1BC9BF04000000), -10},  /* 1e16 */
    {UINT64_C(0x9DC5ADA82B70B59E), 43},   /* 1e32 */
    {UINT64_C(0xC2781F49FFCFA6D5), 149},  /* 1e64 */
    {UINT64_C(0x93BA47C980E98CE0), 362},  /* 1e128 */
    {UINT64_C(0xAA7EEBFB9DF9DE8E), 787},  /* 1e256 */
};
static const struct diy pow10_neg[9] = {
    {UINT64_C(0xCCCCCCCCCCCCCCCD), -67},  /* 1e-1 */
    {UINT64_C(0xA3D70A3D70A3D70A), -70},  /* 1e-2 */
    {UINT64_C(0xD1B71758E219652C), -77},  /* 1e-4 */
    {UINT64_C(0xABCC77118461CEFD), -90},  /* 1e-8 */
    {UINT64_C(0xE69594BEC44DE15B), -117}, /* 1e-16 */
    {UINT64_C(0xCFB11EAD453994BA), -170}, /* 1e-32 */
    {UINT64_C(0xA87FEA27A539E9A5), -276}, /* 1e-64 */
    {UINT64_C(0xDDD0467C64BCE4A1), -489}, /* 1e-128 */
    {UINT64_C(0xC0314325637A193A), -914}, /* 1e-256 */
};

/* Product of two normalized values, rounded to a normalized 64-bit one. */
static struct diy diy_mul(struct diy x, struct diy y)
{
    const uint64_t m32 = 0xFFFFFFFFu;
    uint64_t a = x.f >> 32, b = x.f & m32, c = y.f >> 32, d = y.f & m32;
    uint64_t ac = a * c, bc = b * c, ad = a * d, bd = b * d;
    uint64_t mid = (bd >> 32) + (ad & m32) + (bc & m32);
    uint64_t hi = ac + (ad >> 32) + (bc >> 32) + (mid >> 32);
    uint64_t lo = mid << 32 | (bd & m32);
    struct diy r;

    r.e = x.e + y.e + 64;
    if (!(hi >> 63)) { /* product in [2^126, 2^127): one more bit to keep */
        hi = hi << 1 | lo >> 63;
        lo <<= 1;
        r.e--;
    }
    if (lo >> 63 && ++hi == 0) {
        hi = UINT64_C(1) << 63;
        r.e++;
    }
    r.f = hi;
    return r;
}

/* m * 2^s with s chosen so every step is exact (powers of two only). */
static double scale2(double m, int s)
{
    const double two30 = 1073741824.0;

    for (; s >= 30; s -= 30)
        m *= two30;
    for (; s <= -30; s += 30)
        m /= two30;
    for (; s > 0; s--)
        m *= 2.0;
    for (; s < 0; s++)
        m /= 2.0;
    return m;
}

/* Round x to the nearest double (ties to even); TVC_ERR_JSON_RANGE on overflow. */
static int diy_to_double(struct diy x, double *out)
{
    int k = x.e + 63; /* x in [2^k, 2^(k+1)) */
    int shift = k >= -1022 ? 11 : 11 + (-1022 - k);
    uint64_t mant, rem, half;

    if (shift > 64) {
        *out = 0.0; /* below half the smallest subnormal */
        return 0;
    }
    if (shift == 64) {
        mant = 0;
        rem = x.f;
    } else {
        mant = x.f >> shift;
        rem = x.f & ((UINT64_C(1) << shift) - 1);
    }
    half = UINT64_C(1) << (shift - 1);
    if (rem > half || (rem == half && (mant & 1)))
        mant++;
    if (mant == UINT64_C(1) << 53) { /* rounded up to the next binade */
        mant >>= 1;
        k++;
    }
    if (k > 1023)
        return TVC_ERR_JSON_RANGE;
    *out = scale2((double)mant, k >= -1022 ? k - 52 : -1074);
    return 0;
}

int tvc_json_double(const struct tvc_json *j, int idx, double *v)
{
    struct dec d;
    struct diy x;
    size_t f, l, k, take;
    int64_t e;
    uint64_t m = 0;
    double r = 0.0;
    int rc, i;

    if ((rc = dec_scan(j, idx, &d)) != 0)
        return rc;
    if (v == NULL)
        return TVC_ERR_ARG;
    if (dec_sig(&d, &f, &l, &e)) {
        take = l - f + 1 > 19 ? 19 : l - f + 1;
        for (k = f; k < f + take; k++)
            m = m * 10 + (uint64_t)dec_digit(&d, k);
        e += (int64_t)(l - f + 1 - take); /* digits past the 19th are dropped */
        if (e > 308)
            return TVC_ERR_JSON_RANGE; /* >= 10^309 */
        if (e >= -343) { /* else < 10^-324: rounds to zero */
            x.f = m;
            x.e = 0;
            while (!(x.f >> 63)) {
                x.f <<= 1;
                x.e--;
            }
            for (i = 0; i < 9; i++)
                if ((e < 0 ? -e : e) >> i & 1)
                    x = diy_mul(x, e < 0 ? pow10_neg[i] : pow10_pos[i]);
            if ((rc = diy_to_double(x, &r)) != 0)
                return rc;
        }
    }
    *v = d.neg ? -r : r;
    return 0;
}
