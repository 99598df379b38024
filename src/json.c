/*
 * JSON tokenizing: a strict grammar check of our own, then jsmn for the
 * tokens, plus the token accessors (kind, raw text, skipping, member lookup).
 * String unescaping and member lookup (tvc_json_find) live in json_str.c,
 * numbers in json_num.c; both work through the public accessors, so jsmn
 * stays private to this file, and this file needs neither of them (the
 * layering is json.c <- json_str.c, json_num.c; never a circle).
 *
 * Why a grammar pass before jsmn: even with JSMN_STRICT, jsmn accepts
 * "[1 2]", "[1,]", "[,1]", "{,}", "{\"a\"}", "{\"a\":}", "{\"a\"::1}",
 * "[\"a\":1]", "{\"a\",\"b\"}", "{} {}", "\"a\" \"b\"", raw control
 * characters in strings and any run of [-0-9tfn][^ ,]}]* as a primitive
 * ("[tru]", "[01]", "[1.]", "[-]", "[1e]", "[truex]"); with a NULL token
 * array it checks nothing at all; and it cannot end a top-level number at the
 * end of the text ("12" gives JSMN_ERROR_PART).  So the pass below is the
 * whole RFC 8259 grammar, it tells "incomplete" from "malformed", and it
 * counts tokens; jsmn only runs on text already known good and only has to
 * record token positions.
 */
#include "tvc_json.h"
#include "chars.h"

#include <limits.h>
#include <string.h>

#define JSMN_STATIC /* keep every jsmn_ symbol file-local */
#define JSMN_STRICT
#include <jsmn.h>

/*
 * struct tvc_json_tok is the public, opaque stand-in for jsmntok_t so that
 * jsmn.h (and its JSMN_* configuration) never leaks into callers.  The
 * caller's array is used as a jsmntok_t array in place, so what this file
 * relies on is exactly that a jsmntok_t fits the storage of one
 * tvc_json_tok and needs no stricter alignment: the checks below stop the
 * build otherwise (they would fail if jsmn were ever built with
 * JSMN_PARENT_LINKS).  The width of jsmntype_t does not matter: with the
 * short enums of the ARM EABI toolchains it is one byte followed by padding,
 * and only this file reads the storage, always through jsmntok_t and member
 * by member; callers never read opaque_, so the two views are never mixed.
 * C99 has no _Static_assert, hence the negative-array-size typedefs.
 */
struct tvc_json_align_tok_ {
    char c;
    struct tvc_json_tok t;
};
struct tvc_json_align_jsmn_ {
    char c;
    jsmntok_t t;
};
typedef char tvc_json_check_size_[sizeof(jsmntok_t) <= sizeof(struct tvc_json_tok) ? 1 : -1];
typedef char tvc_json_check_align_[offsetof(struct tvc_json_align_jsmn_, t) <=
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

/* The whole grammar; on success *count is the number of jsmn tokens (one
 * per value and one per key) and *root the offset of the root value. */
static int check_grammar(const char *s, size_t len, int *count, size_t *root)
{
    unsigned char is_obj[(TVC_JSON_PARSE_DEPTH + 7) / 8] = {0};
    size_t i = 0;
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
        if (n == 0)
            *root = i;
        obj = depth > 0 && (is_obj[(depth - 1) / 8] >> ((depth - 1) % 8) & 1);
        if ((st == ST_VALUE_OR_END && c == ']') || (st == ST_KEY_OR_END && c == '}')) {
            depth--;
            i++;
            st = ST_AFTER;
        } else if (st == ST_AFTER) {
            if (depth == 0)
                return TVC_ERR_JSON; /* something after the value */
            if (c == ',') {
                st = obj ? ST_KEY : ST_VALUE;
            } else if (c == (obj ? '}' : ']')) {
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
            n++;
            st = ST_COLON;
        } else if (c == '{' || c == '[') {
            if (depth >= TVC_JSON_PARSE_DEPTH)
                return TVC_ERR_JSON;
            if (c == '{')
                is_obj[depth / 8] = (unsigned char)(is_obj[depth / 8] | 1u << depth % 8);
            else
                is_obj[depth / 8] = (unsigned char)(is_obj[depth / 8] & ~(1u << depth % 8));
            depth++;
            n++;
            i++;
            st = c == '{' ? ST_KEY_OR_END : ST_VALUE_OR_END;
        } else {
            if ((r = scan_value(s, len, &i)) != 0)
                return r;
            n++;
            st = ST_AFTER;
        }
    }
    *count = n;
    return 0;
}

int tvc_json_parse(struct tvc_json *j, const char *doc, size_t len,
                   struct tvc_json_tok *toks, unsigned max)
{
    jsmntok_t *t = (jsmntok_t *)(void *)toks;
    jsmn_parser p;
    size_t root = 0;
    int n = 0, r;

    if (j != NULL) {
        j->doc = doc;
        j->len = len;
        j->toks = toks;
        j->ntok = 0;
    }
    /* jsmn keeps offsets in int */
    if (doc == NULL || (toks == NULL && max != 0) || (toks != NULL && j == NULL) ||
        len > (size_t)INT_MAX)
        return TVC_ERR_ARG;
    if ((r = check_grammar(doc, len, &n, &root)) != 0)
        return r;
    if (toks == NULL)
        return n;
    if ((unsigned)n > max)
        return TVC_ERR_JSON_TOKENS;
    if (doc[root] == '{' || doc[root] == '[' || doc[root] == '"') {
        jsmn_init(&p);
        r = jsmn_parse(&p, doc, len, t, (unsigned)n);
        if (r != n) /* cannot happen on checked text; never trust half a job */
            return r == JSMN_ERROR_NOMEM ? TVC_ERR_JSON_TOKENS : TVC_ERR_JSON;
    } else {
        /* a bare top-level number/literal, which jsmn strict cannot end */
        size_t e = root;
        if (scan_value(doc, len, &e) != 0)
            return TVC_ERR_JSON;
        t[0].type = JSMN_PRIMITIVE;
        t[0].start = (int)root;
        t[0].end = (int)e;
        t[0].size = 0;
    }
    j->ntok = n;
    return n;
}

static const jsmntok_t *tok_at(const struct tvc_json *j, int idx)
{
    if (j == NULL || j->toks == NULL || idx < 0 || idx >= j->ntok)
        return NULL;
    return (const jsmntok_t *)(const void *)j->toks + idx;
}

int tvc_json_kind(const struct tvc_json *j, int idx)
{
    const jsmntok_t *t = tok_at(j, idx);

    if (t == NULL)
        return TVC_JSON_INVALID;
    switch (t->type) {
    case JSMN_OBJECT:
        return TVC_JSON_OBJECT;
    case JSMN_ARRAY:
        return TVC_JSON_ARRAY;
    case JSMN_STRING:
        return TVC_JSON_STRING;
    case JSMN_PRIMITIVE:
        switch (j->doc[t->start]) {
        case 't':
            return TVC_JSON_TRUE;
        case 'f':
            return TVC_JSON_FALSE;
        case 'n':
            return TVC_JSON_NULL;
        default:
            return TVC_JSON_NUMBER;
        }
    default:
        return TVC_JSON_INVALID;
    }
}

int tvc_json_raw(const struct tvc_json *j, int idx, struct tvc_slice *out)
{
    const jsmntok_t *t = tok_at(j, idx);

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
    const jsmntok_t *t = tok_at(j, idx);
    const jsmntok_t *all = (const jsmntok_t *)(const void *)(j ? j->toks : NULL);
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
