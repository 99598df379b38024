/* Debian's newlib for arm-none-eabi is built without its C99 formats, so
 * its printf family prints "%zu" as "zu" (and has no %j or %t).  The test
 * files use %zu and %zx, also to build test data.  The firmware image is
 * linked with --wrap for the calls below: each wrapper rewrites the length
 * modifiers newlib lacks into ones it has that are the same size on this
 * ABI (size_t and ptrdiff_t are 32 bits like long, intmax_t is 64 bits
 * like long long) and calls newlib's own function. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* the rewrite is only right where the sizes match */
typedef char size_t_is_long[sizeof(size_t) == sizeof(long) ? 1 : -1];
typedef char ptrdiff_t_is_long[sizeof(ptrdiff_t) == sizeof(long) ? 1 : -1];
typedef char intmax_t_is_long_long[sizeof(intmax_t) == sizeof(long long) ? 1 : -1];

int __real_vsnprintf(char *s, size_t n, const char *fmt, va_list ap);
int __real_vsprintf(char *s, const char *fmt, va_list ap);
int __real_vprintf(const char *fmt, va_list ap);
int __real_vfprintf(FILE *f, const char *fmt, va_list ap);
int __wrap_vsnprintf(char *s, size_t n, const char *fmt, va_list ap);
int __wrap_vsprintf(char *s, const char *fmt, va_list ap);
int __wrap_vprintf(const char *fmt, va_list ap);
int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap);
int __wrap_snprintf(char *s, size_t n, const char *fmt, ...);
int __wrap_sprintf(char *s, const char *fmt, ...);
int __wrap_printf(const char *fmt, ...);
int __wrap_fprintf(FILE *f, const char *fmt, ...);

#define FMT_MAX 512

/* fmt with z and t as l and j as ll, in buf; fmt itself if it has none
 * of them or does not fit. */
static const char *fix(const char *fmt, char *buf)
{
    const char *p = fmt;
    size_t o = 0;
    int changed = 0;

    while (*p) {
        if (o + 3 >= FMT_MAX)
            return fmt;
        if (*p != '%') {
            buf[o++] = *p++;
            continue;
        }
        buf[o++] = *p++;
        while (*p && o + 3 < FMT_MAX &&
               ((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == ' ' || *p == '#' ||
                *p == '.' || *p == '*'))
            buf[o++] = *p++;
        if (*p == 'z' || *p == 't') {
            buf[o++] = 'l';
            p++;
            changed = 1;
        } else if (*p == 'j') {
            buf[o++] = 'l';
            buf[o++] = 'l';
            p++;
            changed = 1;
        } else if (*p) {
            buf[o++] = *p++; /* a conversion, another modifier or %% */
        }
    }
    if (!changed)
        return fmt;
    buf[o] = '\0';
    return buf;
}

int __wrap_vsnprintf(char *s, size_t n, const char *fmt, va_list ap)
{
    char b[FMT_MAX];
    return __real_vsnprintf(s, n, fix(fmt, b), ap);
}

int __wrap_vsprintf(char *s, const char *fmt, va_list ap)
{
    char b[FMT_MAX];
    return __real_vsprintf(s, fix(fmt, b), ap);
}

int __wrap_vprintf(const char *fmt, va_list ap)
{
    char b[FMT_MAX];
    return __real_vprintf(fix(fmt, b), ap);
}

int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap)
{
    char b[FMT_MAX];
    return __real_vfprintf(f, fix(fmt, b), ap);
}

int __wrap_snprintf(char *s, size_t n, const char *fmt, ...)
{
    va_list ap;
    int r;
    va_start(ap, fmt);
    r = __wrap_vsnprintf(s, n, fmt, ap);
    va_end(ap);
    return r;
}

int __wrap_sprintf(char *s, const char *fmt, ...)
{
    va_list ap;
    int r;
    va_start(ap, fmt);
    r = __wrap_vsprintf(s, fmt, ap);
    va_end(ap);
    return r;
}

int __wrap_printf(const char *fmt, ...)
{
    va_list ap;
    int r;
    va_start(ap, fmt);
    r = __wrap_vprintf(fmt, ap);
    va_end(ap);
    return r;
}

int __wrap_fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    int r;
    va_start(ap, fmt);
    r = __wrap_vfprintf(f, fmt, ap);
    va_end(ap);
    return r;
}
