/*
 * Character classes, hex digits and decimal numbers for the whole core,
 * defined once.  ASCII only: the C library's locale must never matter, so
 * nothing here uses <ctype.h>.  Every function takes an int holding an
 * unsigned char value or a (possibly negative) plain char; bytes >= 0x80
 * belong to no class.  Private to src/ (not installed).
 */
#ifndef TVC_CHARS_H
#define TVC_CHARS_H

#include <stddef.h>
#include <stdint.h>

/** '0'..'9' */
static inline int ch_digit(int c) { return c >= '0' && c <= '9'; }

/** 'A'..'Z', 'a'..'z' */
static inline int ch_alpha(int c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

/** A hex digit, either case. */
static inline int ch_hex(int c) { return ch_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

/** Value of a hex digit, or -1. */
static inline int ch_hexval(int c)
{
    if (ch_digit(c))
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/** ASCII lower case; every other value unchanged. */
static inline int ch_lower(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

/** RFC 9110 tchar: what a header name or token may hold (ALPHA, DIGIT and
 * !#$%&'*+-.^_`|~), as one bit per character of 0x20..0x7F. */
static inline int ch_tchar(int c)
{
    if (c < 0x20 || c > 0x7f)
        return 0;
    return (int)((c < 0x40 ? 0x03ff6cfau : c < 0x60 ? 0xc7fffffeu : 0x57ffffffu) >> (c & 31) & 1u);
}

/** HTTP field text (RFC 9110 field-vchar, SP, HTAB; obs-text too): what a
 * field value, reason phrase or quoted string may hold.  @p c 0..255. */
static inline int ch_field_text(int c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

/** HTTP optional white space: SP, HTAB. */
static inline int ch_ows(int c) { return c == ' ' || c == '\t'; }

/** JSON white space (and what a header value may be trimmed of): SP, HTAB, LF, CR. */
static inline int ch_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/**
 * The run of decimal digits at the start of s[0..n): returns how many there
 * are (0: none) and sets *v to their value, saturated at @p max (so a
 * caller tells "too big" by *v == max with max one past its own limit).
 * No division: cheap on a core without 64-bit divide.
 */
size_t tvc_ch_dec(const char *s, size_t n, uint64_t max, uint64_t *v); /* src/chars.c */
static inline size_t ch_dec(const char *s, size_t n, uint64_t max, uint64_t *v)
{
    return tvc_ch_dec(s, n, max, v);
}

/* Out of line, in src/chars.c: one copy for the whole core. */

/**
 * v / d, with v % d in *rem, for d in 1..2^31, without a 64-bit divide: a
 * 32-bit core would call a libgcc helper (__aeabi_uldivmod, 0.9 KB with
 * what it pulls) for it.  One bit per step: 64 short steps.
 */
uint64_t tvc_ch_divu(uint64_t v, unsigned d, unsigned *rem);

/** Longest text tvc_ch_i64() writes: 19 digits and a sign. */
#define CH_I64_MAX 20

/**
 * @p v in decimal, written backwards so that it ends just before @p end
 * (at most CH_I64_MAX bytes, no NUL).  @return where the text starts.
 */
char *tvc_ch_i64(char *end, int64_t v);

/**
 * 1 when the C strings @p a and @p b are equal.  The core's own loop, not
 * strcmp: newlib's strcmp for ARMv7-M is 0.7 KB of flash.
 */
int tvc_ch_streq(const char *a, const char *b);

/** Lower-case hex digits, indexed by value. */
extern const char tvc_ch_hexd[17];

/**
 * How the JSON writers (json_write.c, the journal) escape byte @p c in a
 * string: 0 when it stands as it is; else the escape's length (2 or 6)
 * with its text in @p e ("\\n", "\\u001f"; controls and DEL as \\u00XX).
 */
size_t tvc_ch_json_esc(unsigned c, char e[6]);

/**
 * The byte a JSON escape letter stands for (after the backslash: " \\ / b f
 * n r t), or -1 ('u' and anything else).
 */
int tvc_ch_json_unesc(int c);

/** Code point @p cp (< 0x110000) as UTF-8 into @p u.  @return 1..4. */
int tvc_ch_utf8(unsigned long cp, unsigned char u[4]);

/** An id or file-name character: ALPHA, DIGIT, '-', '_'. */
static inline int ch_id(int c) { return ch_alpha(c) || ch_digit(c) || c == '-' || c == '_'; }

#endif /* TVC_CHARS_H */
