/*
 * JSON numbers to integers, done here (no strtod, no libm, no floating
 * point at all: the core is integer-only) so the result does not depend on
 * the C library's locale or float support.
 *
 * Both readers start from the decimal form checked by tvc_json_parse():
 *   value = D * 10^E
 * where D is the significant digits (first to last non-zero digit of the
 * integer and fraction parts taken together).  tvc_json_int() wants a whole
 * number (E >= 0); tvc_json_fixed() scales by 10^decimals and rounds the
 * digits that fall off, half away from zero.  Either way the result is
 * exact: at most 19 digits are kept, and 10^19 - 1 < 2^64.
 */
#include "tvc_json.h"
#include "chars.h"

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
    while (i < r.len && ch_digit(r.p[i]))
        i++;
    d->ni = (size_t)(r.p + i - d->ip);
    if (i < r.len && r.p[i] == '.') {
        d->fp = r.p + ++i;
        while (i < r.len && ch_digit(r.p[i]))
            i++;
        d->nf = (size_t)(r.p + i - d->fp);
    }
    if (i < r.len && (r.p[i] == 'e' || r.p[i] == 'E')) {
        i++;
        if (i < r.len && (r.p[i] == '+' || r.p[i] == '-'))
            eneg = r.p[i++] == '-';
        for (; i < r.len && ch_digit(r.p[i]); i++)
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

/*
 * D * 10^(e + decimals) rounded to an integer (half away from zero), or
 * TVC_ERR_JSON_TYPE when @p exact and digits would fall off.
 */
static int dec_fixed(const struct dec *d, unsigned decimals, int exact, int64_t *v)
{
    size_t f, l, k, keep_end;
    int64_t e, nd;
    uint64_t u = 0;
    int up = 0;

    if (!dec_sig(d, &f, &l, &e)) {
        *v = 0;
        return 0;
    }
    e += (int64_t)decimals; /* |e| <= 1e9 + 20: no overflow */
    nd = (int64_t)(l - f + 1);
    if (e < 0) {
        if (exact)
            return TVC_ERR_JSON_TYPE; /* a non-zero digit after the point */
        if (nd + e < 0) {
            *v = 0; /* below 0.1: rounds to zero */
            return 0;
        }
        keep_end = f + (size_t)(nd + e); /* digits f .. keep_end-1 stay */
        up = dec_digit(d, keep_end) >= 5;
        nd += e;
        e = 0;
    } else {
        keep_end = l + 1;
    }
    if (nd + e > 19)
        return TVC_ERR_JSON_RANGE; /* >= 10^19 */
    for (k = f; k < keep_end; k++)
        u = u * 10 + (uint64_t)dec_digit(d, k);
    for (; e > 0; e--)
        u *= 10; /* < 10^19 < 2^64 by the check above */
    u += (uint64_t)up; /* <= 10^19 < 2^64 */
    if (d->neg) {
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

int tvc_json_int(const struct tvc_json *j, int idx, int64_t *v)
{
    struct dec d;
    int r;

    if ((r = dec_scan(j, idx, &d)) != 0)
        return r;
    if (v == NULL)
        return TVC_ERR_ARG;
    return dec_fixed(&d, 0, 1, v);
}

int tvc_json_fixed(const struct tvc_json *j, int idx, unsigned decimals, int64_t *v)
{
    struct dec d;
    int r;

    if ((r = dec_scan(j, idx, &d)) != 0)
        return r;
    if (v == NULL || decimals > 18)
        return TVC_ERR_ARG;
    return dec_fixed(&d, decimals, 0, v);
}
