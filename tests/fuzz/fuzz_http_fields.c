/* Retry-After (delta-seconds and the three HTTP date forms) against any
 * clock, and the download's Content-Range parser (a static function of
 * src/download.c, compiled into this harness so that no test hook has to
 * be exported; the library's download.o is then not linked).
 * Byte 0 bit 0: 0 Retry-After (bytes 1..8: the wall clock, any int64),
 * 1 Content-Range.  Properties: Retry-After is a wait in [0, 2^31-1] or one
 * of its two errors, never an overflow (UBSan aborts on one), and moves
 * back one second when the clock moves on one; delta-seconds are read
 * exactly.  A Content-Range accepted is a consistent range, written back in
 * canonical form it parses to the same numbers. */
#include "fuzz.h"
#include "../../src/download.c"
#include "tvc_api.h"

#include <inttypes.h>

static void retry_after(const uint8_t *d, size_t n)
{
    int64_t now = 0, r, r2;
    uint64_t u = 0;
    size_t i;
    char s[64];
    int digits = 1;

    if (n < 8)
        return;
    for (i = 0; i < 8; i++)
        u = u << 8 | d[i];
    now = (int64_t)u;
    d += 8;
    n -= 8;
    r = tvc_http_retry_after((const char *)d, n, now);
    FZ_CHECK(r == TVC_ERR_HTTP || r == TVC_ERR_STATE || (r >= 0 && r <= INT64_C(0x7FFFFFFF)));
    if (r == TVC_ERR_STATE)
        FZ_CHECK(now < 0);
    for (i = 0; i < n; i++)
        if (d[i] < '0' || d[i] > '9')
            digits = 0;
    if (digits && n > 0 && n < 10) {
        memcpy(s, d, n);
        s[n] = '\0';
        FZ_CHECK(r == strtoll(s, NULL, 10));
    }
    /* a date: one second later, one second less to wait (the RFC 850 century
     * may move with the clock, so only the four-digit forms) */
    for (i = 0; i < n && ch_space(d[i]); i++)
        ;
    if (i < n && d[i] >= '0' && d[i] <= '9')
        digits = 1; /* delta-seconds: the clock does not matter */
    if (!digits && r > 0 && r < INT64_C(0x7FFFFFFF) && now < INT64_MAX && memchr(d, '-', n) == NULL) {
        r2 = tvc_http_retry_after((const char *)d, n, now + 1);
        FZ_CHECK(r2 == r - 1);
    }
    /* the clock's extremes */
    (void)tvc_http_retry_after((const char *)d, n, INT64_MAX);
    (void)tvc_http_retry_after((const char *)d, n, INT64_MIN);
    (void)tvc_http_retry_after((const char *)d, n, INT64_C(253402300799));
    (void)tvc_http_retry_after((const char *)d, n, INT64_C(253402300800));
}

static void content_range(const uint8_t *d, size_t n)
{
    struct tvc_slice v;
    int64_t first = 7, last = 7, total = 7, f2, l2, t2;
    char s[128];
    int len;

    v.p = (const char *)d;
    v.len = n;
    if (parse_content_range(v, &first, &last, &total) != 0)
        return;
    FZ_CHECK((first == -1 && last == -1) || (first >= 0 && first <= last));
    FZ_CHECK(total == -1 || total >= 0);
    FZ_CHECK(total == -1 || last < total);
    if (first >= 0 && total >= 0)
        len = snprintf(s, sizeof s, "bytes %" PRId64 "-%" PRId64 "/%" PRId64, first, last, total);
    else if (first >= 0)
        len = snprintf(s, sizeof s, "bytes %" PRId64 "-%" PRId64 "/*", first, last);
    else if (total >= 0)
        len = snprintf(s, sizeof s, "bytes */%" PRId64, total);
    else
        len = snprintf(s, sizeof s, "bytes */*");
    v.p = s;
    v.len = (size_t)len;
    FZ_CHECK(parse_content_range(v, &f2, &l2, &t2) == 0);
    FZ_CHECK(f2 == first && l2 == last && t2 == total);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1)
        content_range(data + 1, size - 1);
    else
        retry_after(data + 1, size - 1);
    return 0;
}
