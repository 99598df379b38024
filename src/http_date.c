/*
 * Retry-After (RFC 9110 section 10.2.3): delta-seconds or an HTTP-date in
 * any of its three forms (section 5.6.7).  Dates are turned into Unix time
 * by hand (days-from-civil) because the core may not use libc time
 * functions, and a device's libc may not have timegm() at all.
 *
 * Names are matched case-insensitively and the day name is not checked
 * against the date: a sender that gets those wrong still means the date.
 */
#include "tvc_api.h"
#include "chars.h"

/* Longest wait reported: a huge or overflowing value means "much later",
 * never a negative or wrapped number. */
#define RA_MAX ((int64_t)0x7FFFFFFF)

#if TVC_FEATURE_HTTP_DATE
/* Names packed three letters each, no pointers; a long day name is its
 * short one plus the ending in day_ends (all end in "day"). */
static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
static const char days[] = "montuewedthufrisatsun";
static const char *const day_ends[7] = {"", "s", "nes", "rs", "", "ur", ""};

/* @p s starts with the @p n letters of @p word (case-insensitive): 1 or 0. */
static int match_n(const char *s, size_t len, const char *word, size_t n)
{
    size_t i;
    if (len < n)
        return 0;
    for (i = 0; i < n; i++)
        if (ch_lower((unsigned char)s[i]) != word[i])
            return 0;
    return 1;
}

/* Which of the @p count three-letter names in @p names @p s starts with:
 * 1..count, or 0. */
static int name_at(const char *s, size_t len, const char *names, int count)
{
    int i;
    for (i = 0; i < count; i++)
        if (match_n(s, len, names + 3 * i, 3))
            return i + 1;
    return 0;
}

static int month_at(const char *s, size_t len)
{
    return name_at(s, len, months, 12);
}

/* @p n digits at s -> value, or -1. */
static int digits(const char *s, size_t n)
{
    uint64_t v;
    return ch_dec(s, n, 100000, &v) == n ? (int)v : -1;
}

/* "HH:MM:SS" -> seconds of the day, or -1. */
static int64_t clock_at(const char *s)
{
    int h = digits(s, 2), m = digits(s + 3, 2), sec = digits(s + 6, 2);
    if (s[2] != ':' || s[5] != ':' || h < 0 || m < 0 || sec < 0 || h > 23 || m > 59 ||
        sec > 60) /* 60: a leap second */
        return -1;
    return (int64_t)h * 3600 + m * 60 + sec;
}

/*
 * Calendar arithmetic is done in long (32 bits on a small core, which has a
 * divide instruction for that width but needs a libgcc helper for 64-bit
 * division): years are at most 10099 here and day counts stay near 3.7e6.
 */

/* Last second of 9999-12-31: a clock beyond it is taken as that (RFC 850
 * years are only ever resolved relative to it). */
#define NOW_MAX INT64_C(253402300799)

/* Howard Hinnant's days_from_civil: days since 1970-01-01 (proleptic Gregorian). */
static long days_from_civil(long y, int m, int d)
{
    long era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Year of a day count (the inverse of days_from_civil, year only). */
static long year_of_days(long z)
{
    long era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    return yoe + era * 400 + (mp < 10 ? 0 : 1);
}

static int leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Date parts -> Unix time (negative before 1970); 0 when they do not name
 * a real day. */
static int to_unix(long y, int m, int d, int64_t secs, int64_t *t)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || secs < 0)
        return 0;
    if (d > mdays[m - 1] + (m == 2 && leap(y)))
        return 0;
    *t = (int64_t)days_from_civil(y, m, d) * 86400 + secs;
    return 1;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" */
static int imf_fixdate(const char *s, size_t len, int64_t *t)
{
    int d, m, y;
    int64_t secs;
    if (len != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
        s[16] != ' ' || s[25] != ' ' || !match_n(s + 26, 3, "gmt", 3))
        return 0;
    d = digits(s + 5, 2);
    m = month_at(s + 8, 3);
    y = digits(s + 12, 4);
    secs = clock_at(s + 17);
    if (d < 0 || m == 0 || y < 0 || secs < 0)
        return 0;
    return to_unix(y, m, d, secs, t);
}

/* "Sunday, 06-Nov-94 08:49:37 GMT": the day name decides where the rest starts. */
static int rfc850(const char *s, size_t len, int64_t now, int64_t *t, int *need_now)
{
    size_t n = 0;
    const char *e;
    int i, d, m, yy;
    int64_t secs;
    long cur, y;

    i = name_at(s, len, days, 7);
    if (i == 0)
        return 0;
    for (e = day_ends[i - 1]; *e; e++)
        n++;
    if (!match_n(s + 3, len - 3, day_ends[i - 1], n) || !match_n(s + 3 + n, len - 3 - n, "day", 3))
        return 0;
    n += 6;
    if (len != n + 24)
        return 0;
    s += n;
    if (s[0] != ',' || s[1] != ' ' || s[4] != '-' || s[8] != '-' || s[11] != ' ' ||
        s[20] != ' ' || !match_n(s + 21, 3, "gmt", 3))
        return 0;
    d = digits(s + 2, 2);
    m = month_at(s + 5, 3);
    yy = digits(s + 9, 2);
    secs = clock_at(s + 12);
    if (d < 0 || m == 0 || yy < 0 || secs < 0)
        return 0;
    if (now < 0) {
        *need_now = 1; /* the century depends on the current year */
        return to_unix(2000 + yy, m, d, secs, t);
    }
    /* RFC 9110: a year more than 50 years ahead is the one a century back;
     * so the year is the latest one ending in yy that is not that far ahead. */
    /* now / 86400 as (now / 128) / 675: below 2^31 / 675 after the clamp,
     * so a 32-bit division */
    cur = year_of_days((long)((uint32_t)((uint64_t)(now < NOW_MAX ? now : NOW_MAX) >> 7) / 675u));
    y = cur - cur % 100 + yy;
    if (y > cur + 50)
        y -= 100;
    else if (y + 100 <= cur + 50)
        y += 100;
    return to_unix(y, m, d, secs, t);
}

/* "Sun Nov  6 08:49:37 1994" */
static int asctime_date(const char *s, size_t len, int64_t *t)
{
    int d, m, y;
    int64_t secs;
    if (len != 24 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ')
        return 0;
    m = month_at(s + 4, 3);
    d = s[8] == ' ' ? digits(s + 9, 1) : digits(s + 8, 2);
    y = digits(s + 20, 4);
    secs = clock_at(s + 11);
    if (d < 0 || m == 0 || y < 0 || secs < 0)
        return 0;
    return to_unix(y, m, d, secs, t);
}

static int day_name_ok(const char *s, size_t len)
{
    return name_at(s, len, days, 7) != 0;
}
#endif /* TVC_FEATURE_HTTP_DATE */

int64_t tvc_http_retry_after(const char *s, size_t len, int64_t now_unix)
{
    uint64_t v;

    if (s == NULL)
        return TVC_ERR_HTTP;
    while (len > 0 && ch_space(s[0])) {
        s++;
        len--;
    }
    while (len > 0 && ch_space(s[len - 1]))
        len--;
    if (len == 0)
        return TVC_ERR_HTTP;

    if (ch_digit(s[0])) {
        if (ch_dec(s, len, (uint64_t)RA_MAX, &v) != len)
            return TVC_ERR_HTTP;
        return (int64_t)v;
    }
#if TVC_FEATURE_HTTP_DATE
    {
        int64_t t = -1;
        int need_now = 0;

        if (!day_name_ok(s, len))
            return TVC_ERR_HTTP;
        if (!imf_fixdate(s, len, &t) && !rfc850(s, len, now_unix, &t, &need_now) &&
            !asctime_date(s, len, &t))
            return TVC_ERR_HTTP;
        if (now_unix < 0 || need_now)
            return TVC_ERR_STATE;
        if (t <= now_unix) /* includes dates before 1970 (t < 0) */
            return 0;
        return t - now_unix < RA_MAX ? t - now_unix : RA_MAX;
    }
#else
    (void)now_unix; /* built for delta-seconds only: a date is not understood */
    return TVC_ERR_HTTP;
#endif
}
