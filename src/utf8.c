/*
 * UTF-8 validation (RFC 3629 / Unicode table 3-7): shortest form only, no
 * UTF-16 surrogates, nothing above U+10FFFF.  Shared by the JSON reader
 * (per character) and the JSON writer (whole strings).
 */
#include "tvc_json.h"

int tvc_utf8_check(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    if (s == NULL)
        return len ? TVC_ERR_ARG : TVC_OK;
    while (i < len) {
        unsigned c = p[i];
        unsigned lo = 0x80, hi = 0xBF; /* range of the first continuation byte */
        size_t n, k;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0)
                lo = 0xA0; /* below: overlong */
            else if (c == 0xED)
                hi = 0x9F; /* above: U+D800..U+DFFF */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0)
                lo = 0x90; /* below: overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* above: > U+10FFFF */
        } else {
            return TVC_ERR_UTF8; /* stray continuation, C0/C1, F5..FF */
        }
        if (len - i < n)
            return TVC_ERR_UTF8;
        if (p[i + 1] < lo || p[i + 1] > hi)
            return TVC_ERR_UTF8;
        for (k = 2; k < n; k++)
            if (p[i + k] < 0x80 || p[i + k] > 0xBF)
                return TVC_ERR_UTF8;
        i += n;
    }
    return TVC_OK;
}
