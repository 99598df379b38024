/*
 * JSON string values: unescaping to UTF-8 and comparing without a buffer.
 * Works on the raw token text from tvc_json_raw(), one character at a time,
 * so copying (tvc_json_string) and comparing (tvc_json_string_eq, and so
 * tvc_json_find, which lives here for that reason) share one decoder and
 * need no scratch memory.  Only json.c's public accessors are used.
 *
 * tvc_json_parse() already refuses unknown escapes, bad \u hex digits and
 * raw control characters (as TVC_ERR_JSON), so from here those only show up
 * as TVC_ERR_JSON_ESCAPE if the token text is not what the parser checked;
 * lone surrogates are grammatical JSON and are caught here.  UTF-8 is checked
 * here, not at parse time, so only strings actually read pay for it.
 */
#include "tvc_json.h"
#include "chars.h"

#include <string.h>

/* The 4 hex digits of a \uXXXX starting at s[i] (the backslash), or -1. */
static long read_u16(const char *s, size_t len, size_t i)
{
    long v = 0;
    int k, d;

    if (len - i < 6 || s[i] != '\\' || s[i + 1] != 'u')
        return -1;
    for (k = 2; k < 6; k++) {
        if ((d = ch_hexval(s[i + k])) < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/*
 * Decode the character at s[*i] (an escape or one raw UTF-8 sequence) into
 * u; advance *i.  Returns the byte count 1..4, TVC_ERR_JSON_ESCAPE or
 * TVC_ERR_UTF8.
 */
static int next_char(const char *s, size_t len, size_t *i, unsigned char u[4])
{
    unsigned char c = (unsigned char)s[*i];
    long cp, lo;
    size_t n;

    if (c == '\\') {
        if (len - *i < 2)
            return TVC_ERR_JSON_ESCAPE;
        if (s[*i + 1] == 'u') {
            if ((cp = read_u16(s, len, *i)) < 0)
                return TVC_ERR_JSON_ESCAPE;
            *i += 6;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return TVC_ERR_JSON_ESCAPE; /* low surrogate first */
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                lo = read_u16(s, len, *i);
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return TVC_ERR_JSON_ESCAPE; /* high surrogate alone */
                *i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            return tvc_ch_utf8((unsigned long)cp, u);
        }
        if ((cp = tvc_ch_json_unesc(s[*i + 1])) < 0)
            return TVC_ERR_JSON_ESCAPE;
        *i += 2;
        u[0] = (unsigned char)cp;
        return 1;
    }
    if (c < 0x20)
        return TVC_ERR_JSON_ESCAPE;
    if (c < 0x80) {
        u[0] = c;
        *i += 1;
        return 1;
    }
    n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2; /* other lead bytes fail the check */
    if (len - *i < n || tvc_utf8_check(s + *i, n) != 0)
        return TVC_ERR_UTF8;
    memcpy(u, s + *i, n);
    *i += n;
    return (int)n;
}

static int string_text(const struct tvc_json *j, int idx, struct tvc_slice *r)
{
    int kind = tvc_json_kind(j, idx);

    if (kind == TVC_JSON_INVALID)
        return TVC_ERR_ARG;
    if (kind != TVC_JSON_STRING)
        return TVC_ERR_JSON_TYPE;
    return tvc_json_raw(j, idx, r);
}

/*
 * Errors in the text win over truncation: the whole string is decoded even
 * after the buffer is full, so a bad string gives the same error at every
 * cap and TVC_ERR_NOSPACE always means "valid, just longer than cap - 1".
 * On an error other than NOSPACE out is set to "" (nothing half-decoded is
 * left for a careless caller).
 */
int tvc_json_string(const struct tvc_json *j, int idx, char *out, size_t cap,
                    size_t *outlen)
{
    struct tvc_slice r;
    unsigned char u[4];
    size_t i = 0, n = 0;
    int rc = 0, k;

    if (outlen != NULL)
        *outlen = 0;
    if (out == NULL && cap != 0)
        return TVC_ERR_ARG;
    if ((k = string_text(j, idx, &r)) != 0)
        goto fail;
    while (i < r.len) {
        if ((k = next_char(r.p, r.len, &i, u)) < 0)
            goto fail;
        if (rc == 0 && cap - n > (size_t)k) { /* room for it and the NUL */
            memcpy(out + n, u, (size_t)k);
            n += (size_t)k;
        } else {
            rc = TVC_ERR_NOSPACE; /* nothing more is written after this */
        }
    }
    if (cap == 0)
        return TVC_ERR_NOSPACE;
    out[n] = '\0';
    if (outlen != NULL)
        *outlen = n;
    return rc;
fail:
    if (cap != 0)
        out[0] = '\0';
    return k;
}

int tvc_json_string_eq(const struct tvc_json *j, int idx, const char *s)
{
    struct tvc_slice r;
    unsigned char u[4];
    size_t i = 0, pos = 0;
    int k, b;

    if (s == NULL || string_text(j, idx, &r) != 0)
        return 0;
    while (i < r.len) {
        if ((k = next_char(r.p, r.len, &i, u)) < 0)
            return 0;
        /* s ends at its NUL, so a decoded \u0000 never matches it */
        for (b = 0; b < k; b++, pos++)
            if (s[pos] == '\0' || (unsigned char)s[pos] != u[b])
                return 0;
    }
    return s[pos] == '\0';
}

/* Members are (key, value) pairs, the grammar pass guarantees both; a
 * container's descendants end where tvc_json_next() of it says. */
int tvc_json_find(const struct tvc_json *j, int obj, const char *key)
{
    int kind = tvc_json_kind(j, obj), k, end;

    if (kind == TVC_JSON_INVALID || key == NULL)
        return TVC_ERR_ARG;
    if (kind != TVC_JSON_OBJECT)
        return TVC_ERR_JSON_TYPE;
    end = tvc_json_next(j, obj);
    for (k = obj + 1; k + 1 < end; k = tvc_json_next(j, k + 1))
        if (tvc_json_string_eq(j, k, key))
            return k + 1;
    return TVC_ERR_NOT_FOUND;
}
