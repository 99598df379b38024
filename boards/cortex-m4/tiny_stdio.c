/* The printf family of every firmware image on this board: printf,
 * snprintf and the rest format here and write straight to the UART
 * (board_write), unbuffered.  Linked before the C library, these
 * definitions take the place of newlib's, so no image carries newlib's
 * vfprintf (with its floating-point, locale and wide-character code), its
 * FILE buffers or the malloc they come from: about 30 KB of flash and 4 to
 * 5 KB of RAM less than with newlib's stdio (figures in the README's
 * bare-metal table).  It also brings the C99 length modifiers (%zu, %jd,
 * %td) that Debian's newlib for arm-none-eabi is built without.
 *
 * What it formats: the C99 conversions d i u o x X c s p %, the flags
 * - + space # 0, a field width and a precision (numbers or *), and the
 * length modifiers hh h l ll j z t.  Floating-point conversions (e, f, g,
 * a) are not supported: neither libtvc, mbedTLS nor the firmware tests
 * print a float; one prints as "%?".  %n is not supported (it writes
 * nothing).
 *
 * Every stream (stdout, stderr) is the UART; fflush has nothing to do;
 * exit() ends the run through _exit() (there is no stdio to flush and no
 * atexit handler), which also keeps newlib's exit and its reentrancy
 * structure out of the image.  _exit() here is weak: the firmware tests'
 * vfork (tests/firmware/posix_shim.c) stands in for it; this one ends the
 * run through semihosting. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"

/* %zd reads a size_t and gives it ptrdiff_t's sign: the same size here */
typedef char size_t_is_ptrdiff_t[sizeof(size_t) == sizeof(ptrdiff_t) ? 1 : -1];

/* Where formatted text goes: a bounded buffer (snprintf) or the UART,
 * through a small staging buffer so that the UART sees runs, not bytes. */
struct sink {
    char *buf;   /* NULL: the UART */
    size_t cap;  /* buffer: bytes it holds, NUL included */
    size_t len;  /* characters produced so far (also past cap) */
    char stage[64];
    size_t staged;
};

static void sink_flush(struct sink *s)
{
    if (s->buf == NULL && s->staged) {
        board_write(s->stage, s->staged);
        s->staged = 0;
    }
}

static void put(struct sink *s, char c)
{
    if (s->buf != NULL) {
        if (s->len + 1 < s->cap)
            s->buf[s->len] = c;
    } else {
        if (s->staged == sizeof s->stage)
            sink_flush(s);
        s->stage[s->staged++] = c;
    }
    s->len++;
}

static void put_n(struct sink *s, const char *p, size_t n)
{
    while (n--)
        put(s, *p++);
}

static void pad(struct sink *s, char c, int n)
{
    while (n-- > 0)
        put(s, c);
}

#define F_LEFT 1u
#define F_PLUS 2u
#define F_SPACE 4u
#define F_ALT 8u
#define F_ZERO 16u

/* One integer conversion: v is the magnitude, neg its sign. */
static void put_int(struct sink *s, uintmax_t v, int neg, unsigned base, int upper, unsigned flags,
                    int width, int prec)
{
    char digits[3 * sizeof(uintmax_t)]; /* octal of 64 bits: 22 */
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char sign = 0;
    const char *prefix = "";
    int nd = 0, zeros, plen, total;

    while (v) {
        digits[nd++] = set[v % base];
        v /= base;
    }
    if (neg)
        sign = '-';
    else if (flags & F_PLUS)
        sign = '+';
    else if (flags & F_SPACE)
        sign = ' ';
    if (flags & F_ALT) {
        if (base == 16 && nd > 0)
            prefix = upper ? "0X" : "0x";
        else if (base == 8 && nd >= prec)
            prec = nd + 1; /* octal's # makes the first digit a 0 */
    }
    if (prec < 0)
        prec = 1; /* the default: at least one digit ... */
    else
        flags &= ~F_ZERO; /* ... and a precision turns the 0 flag off */
    zeros = prec > nd ? prec - nd : 0;
    plen = (int)strlen(prefix) + (sign != 0);
    total = plen + zeros + nd;
    if (flags & F_ZERO && !(flags & F_LEFT) && width > total) {
        zeros += width - total;
        total = width;
    }
    if (!(flags & F_LEFT))
        pad(s, ' ', width - total);
    if (sign)
        put(s, sign);
    put_n(s, prefix, strlen(prefix));
    pad(s, '0', zeros);
    while (nd > 0)
        put(s, digits[--nd]);
    if (flags & F_LEFT)
        pad(s, ' ', width - total);
}

static int format(struct sink *s, const char *fmt, va_list ap)
{
    while (*fmt) {
        unsigned flags = 0;
        int width = 0, prec = -1, len = 0; /* len: -2 hh, -1 h, 1 l, 2 ll, 3 j, 4 z, 5 t */
        char c;

        if (*fmt != '%') {
            put(s, *fmt++);
            continue;
        }
        fmt++;
        for (;; fmt++) {
            if (*fmt == '-')
                flags |= F_LEFT;
            else if (*fmt == '+')
                flags |= F_PLUS;
            else if (*fmt == ' ')
                flags |= F_SPACE;
            else if (*fmt == '#')
                flags |= F_ALT;
            else if (*fmt == '0')
                flags |= F_ZERO;
            else
                break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = width == INT_MIN ? INT_MAX : -width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width < INT_MAX / 10 ? width * 10 + (*fmt++ - '0') : (fmt++, INT_MAX);
        }
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(ap, int); /* negative: as if none */
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec < INT_MAX / 10 ? prec * 10 + (*fmt++ - '0') : (fmt++, INT_MAX);
            }
        }
        switch (*fmt) {
        case 'h':
            len = fmt[1] == 'h' ? -2 : -1;
            fmt += fmt[1] == 'h' ? 2 : 1;
            break;
        case 'l':
            len = fmt[1] == 'l' ? 2 : 1;
            fmt += fmt[1] == 'l' ? 2 : 1;
            break;
        case 'j':
            len = 3;
            fmt++;
            break;
        case 'z':
            len = 4;
            fmt++;
            break;
        case 't':
            len = 5;
            fmt++;
            break;
        default:
            break;
        }
        c = *fmt;
        if (c == '\0')
            break;
        fmt++;
        switch (c) {
        case 'd':
        case 'i': {
            intmax_t v;
            switch (len) {
            case 1: v = va_arg(ap, long); break;
            case 2: v = va_arg(ap, long long); break;
            case 3: v = va_arg(ap, intmax_t); break;
            case 4: v = (ptrdiff_t)va_arg(ap, size_t); break; /* size_t's signed twin */
            case 5: v = va_arg(ap, ptrdiff_t); break;
            default:
                v = va_arg(ap, int);
                if (len == -1)
                    v = (short)v;
                else if (len == -2)
                    v = (signed char)v;
                break;
            }
            put_int(s, v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v, v < 0, 10, 0, flags, width,
                    prec);
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            uintmax_t v;
            switch (len) {
            case 1: v = va_arg(ap, unsigned long); break;
            case 2: v = va_arg(ap, unsigned long long); break;
            case 3: v = va_arg(ap, uintmax_t); break;
            case 4: v = va_arg(ap, size_t); break;
            case 5: v = (uintmax_t)va_arg(ap, ptrdiff_t); break;
            default:
                v = va_arg(ap, unsigned);
                if (len == -1)
                    v = (unsigned short)v;
                else if (len == -2)
                    v = (unsigned char)v;
                break;
            }
            put_int(s, v, 0, c == 'u' ? 10 : c == 'o' ? 8 : 16, c == 'X',
                    flags & ~(unsigned)(F_PLUS | F_SPACE), width, prec);
            break;
        }
        case 'p':
            put_int(s, (uintptr_t)va_arg(ap, void *), 0, 16, 0, F_ALT, width, -1);
            break;
        case 'c': {
            char ch = (char)va_arg(ap, int);
            if (!(flags & F_LEFT))
                pad(s, ' ', width - 1);
            put(s, ch);
            if (flags & F_LEFT)
                pad(s, ' ', width - 1);
            break;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            size_t n = 0;
            if (str == NULL)
                str = "(null)";
            while ((prec < 0 || n < (size_t)prec) && str[n])
                n++;
            if (!(flags & F_LEFT))
                pad(s, ' ', width - (int)n);
            put_n(s, str, n);
            if (flags & F_LEFT)
                pad(s, ' ', width - (int)n);
            break;
        }
        case '%':
            put(s, '%');
            break;
        case 'n':
            (void)va_arg(ap, int *);
            break;
        default: /* floating point or unknown: shown, not guessed */
            put(s, '%');
            put(s, '?');
            break;
        }
    }
    return s->len > INT_MAX ? INT_MAX : (int)s->len;
}

int vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
    struct sink s;
    int n;

    s.buf = buf;
    s.cap = buf != NULL ? cap : 0;
    s.len = 0;
    s.staged = 0;
    n = format(&s, fmt, ap);
    if (s.cap > 0)
        buf[s.len < s.cap ? s.len : s.cap - 1] = '\0';
    return n;
}

int snprintf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

int vsprintf(char *buf, const char *fmt, va_list ap)
{
    return vsnprintf(buf, (size_t)INT_MAX, fmt, ap); /* unbounded, as sprintf is */
}

int sprintf(char *buf, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsprintf(buf, fmt, ap);
    va_end(ap);
    return n;
}

int vprintf(const char *fmt, va_list ap)
{
    struct sink s;
    int n;

    s.buf = NULL;
    s.cap = 0;
    s.len = 0;
    s.staged = 0;
    n = format(&s, fmt, ap);
    sink_flush(&s);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
    (void)f; /* stdout and stderr are both the UART */
    return vprintf(fmt, ap);
}

int fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vfprintf(f, fmt, ap);
    va_end(ap);
    return n;
}

/* What the compiler turns printf and fprintf calls with constant formats
 * into. */
int puts(const char *str)
{
    board_puts(str);
    board_putc('\n');
    return 1;
}

int putchar(int c)
{
    board_putc((char)c);
    return (unsigned char)c;
}

int fputs(const char *str, FILE *f)
{
    (void)f;
    board_puts(str);
    return 1;
}

int fputc(int c, FILE *f)
{
    (void)f;
    board_putc((char)c);
    return (unsigned char)c;
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    (void)f;
    if (size != 0 && n != 0)
        board_write(p, size * n);
    return n;
}

int fflush(FILE *f)
{
    (void)f; /* nothing is buffered */
    return 0;
}

void perror(const char *what)
{
    const char *msg = strerror(errno);
    if (what != NULL && *what != '\0') {
        board_puts(what);
        board_puts(": ");
    }
    board_puts(msg);
    board_putc('\n');
}

void _exit(int status) __attribute__((noreturn));
__attribute__((weak)) void _exit(int status)
{
    board_exit(status);
}

void exit(int status)
{
    _exit(status);
}
