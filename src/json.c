/*
 * JSON tokenizing: one pass of our own over the whole RFC 8259 grammar that
 * tells "incomplete" (TVC_ERR_AGAIN) from "malformed" (TVC_ERR_JSON), counts
 * the tokens and records them (kind, start, end) in the caller's array,
 * plus the token accessors (kind, raw text, skipping).  String unescaping
 * and member lookup (tvc_json_find) live in json_str.c, numbers in
 * json_num.c; both work through the public accessors, so the token layout
 * stays private to this file, and this file needs neither of them (the
 * layering is json.c <- json_str.c, json_num.c; never a circle).
 *
 * (It once ran jsmn after the grammar pass: jsmn alone accepts "[1 2]",
 * "[1,]", "{\"a\"}", raw control characters and any [-0-9tfn][^ ,]}]* run as
 * a primitive, so the pass was needed anyway, and recording the tokens in it
 * made jsmn's second walk over the text redundant.)
 */
#include "tvc_json.h"
#include "chars.h"

#include <limits.h>
#include <string.h>

/*
 * One token in the caller's struct tvc_json_tok storage: kind is an enum
 * tvc_json_kind; a string's text runs from after its opening quote to its
 * closing quote; a container's from its bracket to just past the closing
 * one (end -1 while it is still open during the parse).  Tokens are in
 * document order.  C99 has no _Static_assert, hence the negative-array-size
 * typedefs that stop the build if the storage were ever too small.
 */
struct tok {
    int kind, start, end;
};
struct tvc_json_align_tok_ {
    char c;
    struct tvc_json_tok t;
};
struct tvc_json_align_own_ {
    char c;
    struct tok t;
};
typedef char tvc_json_check_size_[sizeof(struct tok) <= sizeof(struct tvc_json_tok) ? 1 : -1];
typedef char tvc_json_check_align_[offsetof(struct tvc_json_align_own_, t) <=
                                           offsetof(struct tvc_json_align_tok_, t) ? 1 : -1];

/* Nesting is bounded by TVC_JSON_PARSE_DEPTH (tvc_config.h): the grammar
 * pass keeps one bit per level on the stack, no heap. */

enum {
    ST_VALUE,        /* a value must come */
    ST_VALUE_OR_END, /* just after '[' */
    ST_KEY,          /* after ',' in an object */
    ST_KEY_OR_END,   /* just after '{' */
    ST_COLON,        /* after a key */
    ST_AFTER         /* after a value */
};

/* Each scanner: 0 with *pos past the value, TVC_ERR_JSON, or TVC_ERR_AGAIN
 * when the text ends while the value could still become valid. */

static int scan_string(const char *s, size_t len, size_t *pos)
{
    size_t i = *pos + 1;
    int k;

    for (; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"') {
            *pos = i + 1;
            return 0;
        }
        if (c < 0x20)
            return TVC_ERR_JSON; /* raw control characters (NUL too) */
        if (c != '\\')
            continue;
        if (++i >= len)
            return TVC_ERR_AGAIN;
        if (s[i] != 'u') {
            if (tvc_ch_json_unesc(s[i]) < 0)
                return TVC_ERR_JSON;
            continue;
        }
        for (k = 0; k < 4; k++) {
            if (++i >= len)
                return TVC_ERR_AGAIN;
            if (!ch_hex(s[i]))
                return TVC_ERR_JSON;
        }
    }
    return TVC_ERR_AGAIN;
}

/* Runs of digits: "at least one" is checked by the caller. */
static size_t skip_digits(const char *s, size_t len, size_t i)
{
    while (i < len && ch_digit(s[i]))
        i++;
    return i;
}

static int scan_number(const char *s, size_t len, size_t *pos)
{
    size_t i = *pos;

    if (s[i] == '-' && ++i >= len)
        return TVC_ERR_AGAIN;
    if (s[i] == '0')
        i++;
    else if (ch_digit(s[i]))
        i = skip_digits(s, len, i + 1);
    else
        return TVC_ERR_JSON;
    if (i < len && s[i] == '.') {
        if (++i >= len)
            return TVC_ERR_AGAIN;
        if (!ch_digit(s[i]))
            return TVC_ERR_JSON;
        i = skip_digits(s, len, i);
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        if (++i >= len)
            return TVC_ERR_AGAIN;
        if ((s[i] == '+' || s[i] == '-') && ++i >= len)
            return TVC_ERR_AGAIN;
        if (!ch_digit(s[i]))
            return TVC_ERR_JSON;
        i = skip_digits(s, len, i);
    }
    *pos = i; /* what follows is the caller's business: "01" fails there */
    return 0;
}

static int scan_literal(const char *s, size_t len, size_t *pos, const char *lit)
{
    size_t i = *pos;

    for (; *lit; lit++, i++) {
        if (i >= len)
            return TVC_ERR_AGAIN;
        if (s[i] != *lit)
            return TVC_ERR_JSON;
    }
    *pos = i;
    return 0;
}

static int scan_value(const char *s, size_t len, size_t *pos)
{
    switch (s[*pos]) {
    case '"':
        return scan_string(s, len, pos);
    case 't':
        return scan_literal(s, len, pos, "true");
    case 'f':
        return scan_literal(s, len, pos, "false");
    case 'n':
        return scan_literal(s, len, pos, "null");
    default:
        return scan_number(s, len, pos);
    }
}

/* Token n (counted either way; recorded while it fits). */
static void emit(struct tok *t, unsigned max, int n, int kind, size_t start, int end)
{
    if (t != NULL && (unsigned)n < max) {
        t[n].kind = kind;
        t[n].start = (int)start;
        t[n].end = end;
    }
}

/* A container closes at s[i]: the innermost one still open is the last
 * open container token (all tokens after it are its descendants). */
static void close_at(struct tok *t, unsigned max, int n, size_t i)
{
    int k = (unsigned)n < max ? n : (int)max;

    if (t == NULL)
        return;
    while (--k >= 0)
        if (t[k].end < 0 && (t[k].kind == TVC_JSON_OBJECT || t[k].kind == TVC_JSON_ARRAY)) {
            t[k].end = (int)i + 1;
            return;
        }
}

/* The whole grammar, recording tokens (one per value and one per key) into
 * @p t while they fit @p max; on success *count is the number of tokens. */
static int parse_doc(const char *s, size_t len, struct tok *t, unsigned max, int *count)
{
    unsigned char is_obj[(TVC_JSON_PARSE_DEPTH + 7) / 8] = {0};
    size_t i = 0, at;
    int depth = 0, st = ST_VALUE, n = 0, r, obj;
    char c;

    for (;;) {
        while (i < len && ch_space(s[i]))
            i++;
        if (i >= len) {
            if (st == ST_AFTER && depth == 0)
                break;
            return TVC_ERR_AGAIN;
        }
        c = s[i];
        at = i;
        obj = depth > 0 && (is_obj[(depth - 1) / 8] >> ((depth - 1) % 8) & 1);
        if ((st == ST_VALUE_OR_END && c == ']') || (st == ST_KEY_OR_END && c == '}')) {
            close_at(t, max, n, i);
            depth--;
            i++;
            st = ST_AFTER;
        } else if (st == ST_AFTER) {
            if (depth == 0)
                return TVC_ERR_JSON; /* something after the value */
            if (c == ',') {
                st = obj ? ST_KEY : ST_VALUE;
            } else if (c == (obj ? '}' : ']')) {
                close_at(t, max, n, i);
                depth--;
            } else {
                return TVC_ERR_JSON;
            }
            i++;
        } else if (st == ST_COLON) {
            if (c != ':')
                return TVC_ERR_JSON;
            i++;
            st = ST_VALUE;
        } else if (st == ST_KEY || st == ST_KEY_OR_END) {
            if (c != '"')
                return TVC_ERR_JSON;
            if ((r = scan_string(s, len, &i)) != 0)
                return r;
            emit(t, max, n++, TVC_JSON_STRING, at + 1, (int)i - 1);
            st = ST_COLON;
        } else if (c == '{' || c == '[') {
            if (depth >= TVC_JSON_PARSE_DEPTH)
                return TVC_ERR_JSON;
            if (c == '{')
                is_obj[depth / 8] = (unsigned char)(is_obj[depth / 8] | 1u << depth % 8);
            else
                is_obj[depth / 8] = (unsigned char)(is_obj[depth / 8] & ~(1u << depth % 8));
            depth++;
            emit(t, max, n++, c == '{' ? TVC_JSON_OBJECT : TVC_JSON_ARRAY, i, -1);
            i++;
            st = c == '{' ? ST_KEY_OR_END : ST_VALUE_OR_END;
        } else {
            if ((r = scan_value(s, len, &i)) != 0)
                return r;
            emit(t, max, n++,
                 c == '"' ? TVC_JSON_STRING : c == 't' ? TVC_JSON_TRUE : c == 'f' ? TVC_JSON_FALSE
                 : c == 'n' ? TVC_JSON_NULL : TVC_JSON_NUMBER,
                 at + (c == '"'), (int)i - (c == '"'));
            st = ST_AFTER;
        }
    }
    *count = n;
    return 0;
}

int tvc_json_parse(struct tvc_json *j, const char *doc, size_t len,
                   struct tvc_json_tok *toks, unsigned max)
{
    int n = 0, r;

    if (j != NULL) {
        j->doc = doc;
        j->len = len;
        j->toks = toks;
        j->ntok = 0;
    }
    /* tokens keep offsets in int */
    if (doc == NULL || (toks == NULL && max != 0) || (toks != NULL && j == NULL) ||
        len > (size_t)INT_MAX)
        return TVC_ERR_ARG;
    if ((r = parse_doc(doc, len, (struct tok *)(void *)toks, max, &n)) != 0)
        return r;
    if (toks == NULL)
        return n;
    if ((unsigned)n > max)
        return TVC_ERR_JSON_TOKENS;
    j->ntok = n;
    return n;
}

static const struct tok *tok_at(const struct tvc_json *j, int idx)
{
    if (j == NULL || j->toks == NULL || idx < 0 || idx >= j->ntok)
        return NULL;
    return (const struct tok *)(const void *)j->toks + idx;
}

int tvc_json_kind(const struct tvc_json *j, int idx)
{
    const struct tok *t = tok_at(j, idx);

    return t == NULL ? TVC_JSON_INVALID : t->kind;
}

int tvc_json_raw(const struct tvc_json *j, int idx, struct tvc_slice *out)
{
    const struct tok *t = tok_at(j, idx);

    if (t == NULL || out == NULL)
        return TVC_ERR_ARG;
    out->p = j->doc + t->start;
    out->len = (size_t)(t->end - t->start);
    return 0;
}

/* Tokens are in document order and a container's descendants are exactly
 * the tokens that start before it ends, so one forward scan skips them. */
int tvc_json_next(const struct tvc_json *j, int idx)
{
    const struct tok *t = tok_at(j, idx);
    const struct tok *all = (const struct tok *)(const void *)(j ? j->toks : NULL);
    int k;

    if (t == NULL)
        return TVC_ERR_ARG;
    for (k = idx + 1; k < j->ntok && all[k].start < t->end; k++)
        ;
    return k;
}

int tvc_json_bool(const struct tvc_json *j, int idx, int *v)
{
    int kind = tvc_json_kind(j, idx);

    if (kind == TVC_JSON_INVALID || v == NULL)
        return TVC_ERR_ARG;
    if (kind != TVC_JSON_TRUE && kind != TVC_JSON_FALSE)
        return TVC_ERR_JSON_TYPE;
    *v = kind == TVC_JSON_TRUE;
    return 0;
}

int tvc_json_is_null(const struct tvc_json *j, int idx)
{
    return tvc_json_kind(j, idx) == TVC_JSON_NULL;
}
