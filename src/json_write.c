/*
 * JSON writer into a caller buffer.  The output is valid JSON or an error:
 * commas and colons come from the nesting state (need_comma: a value was
 * already written at that depth; in_object: the container at that depth is
 * an object; after_key: a key waits for its value), misuse is TVC_ERR_STATE,
 * and every string is UTF-8 checked and escaped.
 *
 * The buffer is never written past cap and stays NUL-terminated (when
 * cap > 0).  A call that fails leaves the text as it was before the call, so
 * after an error the buffer holds whole elements only.
 */
#include "tvc_json.h"
#include "chars.h"

#include <limits.h>
#include <string.h>

static void fail(struct tvc_jw *w, int err)
{
    if (w->err == 0)
        w->err = err;
}

static void put(struct tvc_jw *w, const char *s, size_t n)
{
    if (w->err != 0)
        return;
    if (w->cap - w->len <= n) { /* the NUL needs one byte too */
        fail(w, TVC_ERR_NOSPACE);
        return;
    }
    if (n > 0) /* (s may be NULL when n is 0) */
        memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static uint32_t bit(int depth)
{
    return (uint32_t)1 << (depth - 1);
}

/* Called for every value: the comma, and a check it may stand here. */
static int begin_value(struct tvc_jw *w)
{
    if (w->err != 0)
        return 0;
    if (w->depth == 0) {
        if (w->len > 0) { /* only one top-level value */
            fail(w, TVC_ERR_STATE);
            return 0;
        }
        return 1;
    }
    if (w->in_object & bit(w->depth)) {
        if (!w->after_key) {
            fail(w, TVC_ERR_STATE); /* object member without key */
            return 0;
        }
        w->after_key = 0;
        return 1;
    }
    if (w->need_comma & bit(w->depth))
        put(w, ",", 1);
    w->need_comma |= bit(w->depth);
    return w->err == 0;
}

/* A whole value (or key) as one unit: on failure undo any comma before it. */
static void end_unit(struct tvc_jw *w, size_t start)
{
    if (w->err != 0 && w->cap > 0 && w->buf != NULL && start <= w->len) {
        w->len = start;
        w->buf[start] = '\0';
    }
}

static void put_escaped(struct tvc_jw *w, const char *s, size_t len)
{
    size_t i, run = 0;
    char e[6];

    if (s == NULL && len != 0) {
        fail(w, TVC_ERR_ARG);
        return;
    }
    if (tvc_utf8_check(s, len) != 0) {
        fail(w, TVC_ERR_UTF8);
        return;
    }
    put(w, "\"", 1);
    for (i = 0; i < len && w->err == 0; i++) {
        /* other controls, and DEL so logs and terminals stay clean, as \u00XX */
        size_t n = tvc_ch_json_esc((unsigned char)s[i], e);

        if (n == 0) {
            run++;
            continue;
        }
        put(w, s + i - run, run); /* the plain bytes before it, in one go */
        run = 0;
        put(w, e, n);
    }
    put(w, s + i - run, run);
    put(w, "\"", 1);
}

void tvc_jw_init(struct tvc_jw *w, char *buf, size_t cap)
{
    if (w == NULL)
        return;
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = cap > (size_t)INT_MAX ? (size_t)INT_MAX : cap; /* finish returns int */
    if (buf == NULL && cap != 0) {
        w->cap = 0;
        w->err = TVC_ERR_ARG;
    } else if (cap > 0) {
        buf[0] = '\0';
    }
}

static void begin(struct tvc_jw *w, char c, int obj)
{
    size_t start;

    if (w == NULL || w->err != 0)
        return;
    if (w->depth >= TVC_JSON_MAX_DEPTH) {
        fail(w, TVC_ERR_STATE);
        return;
    }
    start = w->len;
    if (begin_value(w))
        put(w, &c, 1);
    if (w->err != 0) {
        end_unit(w, start);
        return;
    }
    w->depth++;
    w->need_comma &= ~bit(w->depth);
    if (obj)
        w->in_object |= bit(w->depth);
    else
        w->in_object &= ~bit(w->depth);
}

static void end(struct tvc_jw *w, char c, int obj)
{
    if (w == NULL || w->err != 0)
        return;
    if (w->depth == 0 || !(w->in_object & bit(w->depth)) != !obj || w->after_key) {
        fail(w, TVC_ERR_STATE); /* nothing open, other kind open, or key without value */
        return;
    }
    put(w, &c, 1);
    if (w->err == 0)
        w->depth--;
}

void tvc_jw_object_begin(struct tvc_jw *w) { begin(w, '{', 1); }
void tvc_jw_object_end(struct tvc_jw *w) { end(w, '}', 1); }
void tvc_jw_array_begin(struct tvc_jw *w) { begin(w, '[', 0); }
void tvc_jw_array_end(struct tvc_jw *w) { end(w, ']', 0); }

void tvc_jw_key(struct tvc_jw *w, const char *key)
{
    size_t start;

    if (w == NULL || w->err != 0)
        return;
    if (key == NULL) {
        fail(w, TVC_ERR_ARG);
        return;
    }
    if (w->depth == 0 || !(w->in_object & bit(w->depth)) || w->after_key) {
        fail(w, TVC_ERR_STATE);
        return;
    }
    start = w->len;
    if (w->need_comma & bit(w->depth))
        put(w, ",", 1);
    put_escaped(w, key, strlen(key));
    put(w, ":", 1);
    if (w->err != 0) {
        end_unit(w, start);
        return;
    }
    w->need_comma |= bit(w->depth);
    w->after_key = 1;
}

/* A scalar value: the comma if any, then either literal text or an escaped string. */
static void scalar(struct tvc_jw *w, const char *text, size_t n, const char *s, size_t slen)
{
    size_t start;

    if (w == NULL || w->err != 0)
        return;
    start = w->len;
    if (begin_value(w)) {
        if (text != NULL)
            put(w, text, n);
        else
            put_escaped(w, s, slen);
    }
    end_unit(w, start);
}

void tvc_jw_string(struct tvc_jw *w, const char *s, size_t len)
{
    if (s == NULL && len == 0)
        s = "";
    scalar(w, NULL, 0, s, len);
}

void tvc_jw_cstr(struct tvc_jw *w, const char *s)
{
    if (s == NULL)
        tvc_jw_null(w);
    else
        scalar(w, NULL, 0, s, strlen(s));
}

void tvc_jw_int(struct tvc_jw *w, int64_t v)
{
    char d[CH_I64_MAX];
    const char *s = tvc_ch_i64(d + sizeof d, v);

    scalar(w, s, (size_t)(d + sizeof d - s), NULL, 0);
}

void tvc_jw_fixed(struct tvc_jw *w, int64_t v, unsigned decimals)
{
    char d[24]; /* 19 digits, a point, a sign, leading zeros */
    size_t i = sizeof d;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    unsigned k = 0, r;
    uint64_t q;

    if (decimals > 18) {
        fail(w, TVC_ERR_ARG);
        return;
    }
    /* Trailing zeros of the fraction say nothing: 180.500 -> 180.5. */
    while (decimals > 0 && (q = tvc_ch_divu(u, 10, &r), r == 0)) {
        u = q;
        decimals--;
    }
    do {
        u = tvc_ch_divu(u, 10, &r);
        d[--i] = (char)('0' + r);
        if (++k == decimals)
            d[--i] = '.';
    } while (u != 0 || k < decimals + (decimals ? 1u : 0u));
    if (v < 0)
        d[--i] = '-';
    scalar(w, d + i, sizeof d - i, NULL, 0);
}

void tvc_jw_bool(struct tvc_jw *w, int v)
{
    if (v)
        scalar(w, "true", 4, NULL, 0);
    else
        scalar(w, "false", 5, NULL, 0);
}

void tvc_jw_null(struct tvc_jw *w)
{
    scalar(w, "null", 4, NULL, 0);
}

int tvc_jw_finish(struct tvc_jw *w)
{
    if (w == NULL)
        return TVC_ERR_ARG;
    if (w->err == 0 && (w->depth != 0 || w->after_key))
        fail(w, TVC_ERR_STATE);
    if (w->err == 0 && w->cap == 0)
        fail(w, TVC_ERR_NOSPACE); /* no room for the NUL */
    return w->err != 0 ? w->err : (int)w->len;
}
