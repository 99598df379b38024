/*
 * Streaming squeeze of a JSON answer into a fixed buffer.
 *
 * The answer is copied as it arrives; every string whose escaped form runs
 * past max_str bytes keeps only its longest prefix of whole units (a plain
 * byte, a whole UTF-8 sequence, a whole escape, a \uD8xx\uDCxx pair as one
 * unit) and is closed when its real closing quote arrives, so the text stays
 * JSON and a 100 KB prompt cannot push the fields after it out of the buffer.
 *
 * Units are kept greedily and rolled back when the string turns out to be
 * too long while a unit is still open, so no lookahead is needed and the
 * result depends only on the bytes, never on how they were split.  Rolled
 * back bytes are in the buffer for a moment: an answer that only fits
 * without them (within 12 bytes of cap) is reported as overflow.
 *
 * Whether a cut string was a key or a value is only known from what follows
 * (':' or not), so its truncation bit is decided at the next significant
 * byte.  It is not a validator: malformed text is copied on for the parser
 * to reject, except that white space between two scalar bytes is kept as
 * one space so dropping it cannot turn "1 2" into "12".
 */
#include <string.h>

#include "tvc_api.h"
#include "chars.h"

enum {
    S_OUT = 0,   /* between tokens */
    S_OUT_WS,    /* between tokens, white space dropped since the last byte */
    S_STR,       /* inside a string, at a unit boundary */
    S_UTF8,      /* inside a multi-byte UTF-8 sequence (utf8_left_ to come) */
    S_ESC,       /* inside an escape; esc_left_ = its bytes so far (1..11) */
    S_SKIP,      /* string cut: dropping bytes up to the closing quote */
    S_SKIP_ESC,  /* string cut, the byte before was a backslash */
    S_FULL       /* overflow: sticky */
};

/* The validator of the string in progress (v_st_): it sees every content
 * byte, kept or dropped, so a cut cannot hide an error (issue 9: a lone
 * surrogate past the cut made a refused prompt read as a valid one). */
enum {
    V_TEXT = 0, /* at a character boundary */
    V_BS,       /* after a backslash */
    V_HEX,      /* V_HEX + k: k hex digits of a \u read (0..3) */
    V_LOW_BS = V_HEX + 4, /* after a high surrogate: its '\' must follow */
    V_LOW_U,    /* ... then 'u' */
    V_LHEX,     /* V_LHEX + k: k hex digits of the low half read */
    V_UTF8 = V_LHEX + 4 /* inside a UTF-8 sequence */
};
#define V_STR 1  /* an error that makes tvc_api_decode() drop the string (UTF-8,
                  * surrogate: tvc_json_string(); U+0000: api.c) */
#define V_GRAM 2 /* an error the parser reports (escape, control byte) */

#define DEPTH_LIMIT (1 << 30) /* saturate: malformed input must not overflow an int */
#define KEY_KEEP ((size_t)(sizeof ((struct tvc_jsq *)0)->key_ - 1))

void tvc_jsq_init(struct tvc_jsq *q, char *buf, size_t cap, size_t max_str)
{
    if (q == NULL)
        return;
    memset(q, 0, sizeof *q);
    q->buf = buf;
    q->cap = buf != NULL ? cap : 0;
    q->max_str = max_str;
    q->st_ = S_OUT;
    if (q->cap > 0)
        q->buf[0] = '\0';
}

static int put(struct tvc_jsq *q, unsigned char c)
{
    if (q->cap == 0 || q->len >= q->cap - 1) { /* one byte stays for the NUL */
        q->overflow = 1;
        q->st_ = S_FULL;
        return TVC_ERR_NOSPACE;
    }
    q->buf[q->len++] = (char)c;
    return 0;
}

static unsigned key_bit(const struct tvc_jsq *q)
{
    if (tvc_ch_streq(q->cur_key_, "storyboardPrompt"))
        return TVC_TRUNC_PROMPT;
    if (tvc_ch_streq(q->cur_key_, "error"))
        return TVC_TRUNC_ERROR;
    return TVC_TRUNC_OTHER;
}

/* The string in progress is too long: drop the open unit's @p unit bytes and
 * skip to the closing quote. */
static void cut(struct tvc_jsq *q, size_t unit)
{
    q->len -= unit;
    q->slen_ -= unit;
    q->cut_ = 1;
    q->st_ = S_SKIP;
    if (q->depth_ == 0)
        q->truncated |= TVC_TRUNC_OTHER; /* a bare string as the whole text */
    else
        q->is_key_ = 1; /* key or value: the next significant byte says */
}

/* One content byte of the open unit (which already holds @p unit bytes). */
static int add(struct tvc_jsq *q, unsigned char c, size_t unit)
{
    if (q->slen_ >= q->max_str) {
        cut(q, unit);
        return 1;
    }
    if (put(q, c) < 0)
        return -1;
    q->slen_++;
    return 0;
}

/* One content byte of the string (never its closing quote) to the validator. */
static void v_byte(struct tvc_jsq *q, unsigned char c)
{
    int st = q->v_st_, d;

    if (q->v_bad_ & V_GRAM)
        return; /* nothing can make it worse */
    if (st == V_UTF8) {
        if (c >= q->v_lo_ && c <= q->v_hi_) {
            q->v_lo_ = 0x80;
            q->v_hi_ = 0xBF;
            if (--q->v_left_ == 0)
                q->v_st_ = V_TEXT;
            return;
        }
        q->v_bad_ |= V_STR; /* sequence broken off: c starts anew */
        st = V_TEXT;
    } else if (st == V_LOW_BS || st == V_LOW_U) {
        if (c == (st == V_LOW_BS ? '\\' : 'u')) {
            q->v_st_ = (uint8_t)(st + 1);
            q->v_cp_ = 0;
            return;
        }
        q->v_bad_ |= V_STR; /* a high surrogate alone */
        st = st == V_LOW_U ? V_BS : V_TEXT; /* "\uD800\n": the '\' opened \n */
    }
    q->v_st_ = V_TEXT;
    if (st == V_TEXT) {
        if (c == '\\') {
            q->v_st_ = V_BS;
        } else if (c < 0x20) {
            q->v_bad_ |= V_GRAM;
        } else if (c >= 0x80) {
            if (c < 0xC2 || c > 0xF4) {
                q->v_bad_ |= V_STR;
                return;
            }
            q->v_st_ = V_UTF8;
            q->v_left_ = c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
            q->v_lo_ = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
            q->v_hi_ = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
        }
        return;
    }
    if (st == V_BS) {
        if (c == 'u') {
            q->v_st_ = V_HEX;
            q->v_cp_ = 0;
        } else if (tvc_ch_json_unesc((char)c) < 0) {
            q->v_bad_ |= V_GRAM;
        }
        return;
    }
    if ((d = ch_hexval((char)c)) < 0) { /* V_HEX.. or V_LHEX.. */
        q->v_bad_ |= V_GRAM;
        return;
    }
    q->v_cp_ = (uint16_t)(q->v_cp_ << 4 | (unsigned)d);
    q->v_st_ = (uint8_t)(st + 1);
    if (st == V_HEX + 3) {
        q->v_st_ = V_TEXT;
        if (q->v_cp_ >= 0xD800 && q->v_cp_ <= 0xDBFF)
            q->v_st_ = V_LOW_BS;
        else if (q->v_cp_ == 0 || (q->v_cp_ >= 0xDC00 && q->v_cp_ <= 0xDFFF))
            q->v_bad_ |= V_STR;
    } else if (st == V_LHEX + 3) {
        if (q->v_cp_ < 0xDC00 || q->v_cp_ > 0xDFFF)
            q->v_bad_ |= V_STR;
        q->v_st_ = V_TEXT;
    }
}

/* The closing quote of a cut string: if the whole string (dropped part
 * included) was invalid, leave the cut one invalid the same way. */
static int v_close(struct tvc_jsq *q)
{
    static const char low[] = "\\uDC00";
    int st = q->v_st_, i;

    if (st != V_TEXT && st != V_UTF8 && st != V_LOW_BS)
        q->v_bad_ |= V_GRAM; /* a quote where a \u digit must be */
    else if (st != V_TEXT)
        q->v_bad_ |= V_STR;
    if (q->v_bad_ & V_GRAM)
        return put(q, 0x01);
    for (i = 0; (q->v_bad_ & V_STR) && i < 6; i++)
        if (put(q, (unsigned char)low[i]) < 0)
            return -1;
    return 0;
}

static int is_structural(unsigned char c)
{
    return c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ',' || c == '"';
}

/* The last four bytes written are the hex digits of a high surrogate. */
static int high_surrogate_written(const struct tvc_jsq *q)
{
    const char *h = q->buf + q->len - 4;
    return (h[0] == 'd' || h[0] == 'D') &&
           (h[1] == '8' || h[1] == '9' || h[1] == 'a' || h[1] == 'A' || h[1] == 'b' ||
            h[1] == 'B');
}

/* Bytes of the open UTF-8 sequence already written: lead + continuations. */
static size_t utf8_written(const struct tvc_jsq *q)
{
    size_t k = 1;
    while (k < q->slen_ && ((unsigned char)q->buf[q->len - k] & 0xC0) == 0x80)
        k++;
    return k;
}

static int out_byte(struct tvc_jsq *q, unsigned char c)
{
    size_t n;

    if (ch_space(c)) {
        q->st_ = S_OUT_WS;
        return 0;
    }
    if (q->is_key_) {
        q->is_key_ = 0;
        q->truncated |= c == ':' ? TVC_TRUNC_OTHER : key_bit(q);
    }
    if (q->st_ == S_OUT_WS && !is_structural(c) && q->len > 0 &&
        !is_structural((unsigned char)q->buf[q->len - 1]) && put(q, ' ') < 0)
        return -1;
    q->st_ = S_OUT;
    if (put(q, c) < 0)
        return -1;
    switch (c) {
    case '"':
        q->st_ = S_STR;
        q->slen_ = 0;
        q->cut_ = 0;
        q->klen_ = 0;
        q->v_st_ = V_TEXT;
        q->v_bad_ = 0;
        break;
    case '{':
    case '[':
        if (q->depth_ == 0)
            q->cur_key_[0] = '\0';
        if (q->depth_ < DEPTH_LIMIT)
            q->depth_++;
        break;
    case '}':
    case ']':
        if (q->depth_ > 0)
            q->depth_--;
        break;
    case ':':
        if (q->depth_ == 1) {
            n = q->klen_ < KEY_KEEP ? q->klen_ : KEY_KEEP;
            memcpy(q->cur_key_, q->key_, n);
            q->cur_key_[n] = '\0';
        }
        break;
    default:
        break;
    }
    return 0;
}

/* A byte inside a string, at a unit boundary. */
static int str_byte(struct tvc_jsq *q, unsigned char c)
{
    int r;

    if (c == '"') {
        q->st_ = S_OUT;
        return put(q, c) < 0 ? -1 : 0;
    }
    r = add(q, c, 0);
    if (r > 0 && c == '\\')
        q->st_ = S_SKIP_ESC; /* the cut fell on an escape's backslash */
    if (r != 0)
        return r < 0 ? -1 : 0;
    if (c == '\\') {
        q->st_ = S_ESC;
        q->esc_left_ = 1;
    } else if (c >= 0xC2 && c <= 0xF4) {
        q->st_ = S_UTF8;
        q->utf8_left_ = c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    }
    return 0;
}

/* A byte inside an escape of esc_left_ bytes so far.  A byte that cannot
 * continue it ends the escape and is taken again as an ordinary byte. */
static int esc_byte(struct tvc_jsq *q, unsigned char c)
{
    int p = q->esc_left_, r;

    if (p == 7 && c != 'u') {
        /* "\uD8xx\" then not 'u': the surrogate stands alone and the
         * backslash opens a new escape. */
        p = q->esc_left_ = 1;
    }
    if (p == 1 || p == 7) {
        r = add(q, c, (size_t)p);
        if (r != 0)
            return r < 0 ? -1 : 0;
        if (c == 'u')
            q->esc_left_ = p + 1;
        else
            q->st_ = S_STR; /* \n, \", ... (or junk: still a 2-byte unit) */
        return 0;
    }
    if (p == 6) {
        if (c != '\\') {
            q->st_ = S_STR;
            return str_byte(q, c);
        }
        r = add(q, c, 6);
        if (r > 0)
            q->st_ = S_SKIP_ESC;
        if (r != 0)
            return r < 0 ? -1 : 0;
        q->esc_left_ = 7;
        return 0;
    }
    /* p in 2..5 or 8..11: hex digits */
    if (!ch_hex(c)) {
        q->st_ = S_STR;
        return str_byte(q, c);
    }
    r = add(q, c, (size_t)p);
    if (r != 0)
        return r < 0 ? -1 : 0;
    q->esc_left_ = ++p;
    if (p == 12 || (p == 6 && !high_surrogate_written(q)))
        q->st_ = S_STR;
    return 0;
}

static int utf8_byte(struct tvc_jsq *q, unsigned char c)
{
    int r;

    if ((c & 0xC0) != 0x80) { /* sequence broken off: not ours to judge */
        q->st_ = S_STR;
        return str_byte(q, c);
    }
    r = add(q, c, utf8_written(q));
    if (r != 0)
        return r < 0 ? -1 : 0;
    if (--q->utf8_left_ == 0)
        q->st_ = S_STR;
    return 0;
}

/* Every raw content byte of a string: to the validator, and of a depth-1
 * string, for the key it may be. */
static void note_key(struct tvc_jsq *q, unsigned char c)
{
    int closing = c == '"' && q->st_ != S_SKIP_ESC &&
                  !(q->st_ == S_ESC && (q->esc_left_ == 1 || q->esc_left_ == 7));
    if (!closing)
        v_byte(q, c);
    if (!closing && q->depth_ == 1 && q->klen_ <= KEY_KEEP) {
        if (q->klen_ < KEY_KEEP)
            q->key_[q->klen_] = (char)c;
        q->klen_++;
    }
}

int tvc_jsq_feed(void *user, const uint8_t *data, size_t len)
{
    struct tvc_jsq *q = user;
    size_t i;
    int rc = 0;

    if (q == NULL || (data == NULL && len != 0))
        return TVC_ERR_ARG;
    for (i = 0; i < len && rc == 0; i++) {
        unsigned char c = data[i];

        if (q->st_ >= S_STR && q->st_ != S_FULL)
            note_key(q, c);
        switch (q->st_) {
        case S_OUT:
        case S_OUT_WS: rc = out_byte(q, c); break;
        case S_STR: rc = str_byte(q, c); break;
        case S_UTF8: rc = utf8_byte(q, c); break;
        case S_ESC: rc = esc_byte(q, c); break;
        case S_SKIP:
            if (c == '\\')
                q->st_ = S_SKIP_ESC;
            else if (c == '"') {
                q->st_ = S_OUT;
                rc = v_close(q);
                if (rc == 0)
                    rc = put(q, c);
            }
            break;
        case S_SKIP_ESC: q->st_ = S_SKIP; break;
        default: rc = -1; break;
        }
    }
    if (q->cap > 0)
        q->buf[q->len] = '\0';
    return q->st_ == S_FULL ? TVC_ERR_NOSPACE : 0;
}
