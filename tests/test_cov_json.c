/* JSON strings and the streaming squeeze, at edges test_json.c and
 * test_api.c do not reach:
 *  - the string reader does not trust the token text: tvc_json_parse() keeps
 *    a pointer to the caller's document, and when those bytes change after
 *    the parse (a reused receive buffer) a bad escape or a raw control byte
 *    is still refused with TVC_ERR_JSON_ESCAPE, never decoded;
 *  - the squeeze keeps a surrogate pair whole whatever the case of its hex
 *    digits, and copies lone surrogates on for the parser to judge, the same
 *    way under any segmentation. */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "tvc_api.h"
#include "tvc_json.h"

/* Parse @p doc (a one-string array), then overwrite byte @p at of the
 * document with @p c and read the string back. */
static int read_after_change(const char *doc, size_t at, char c, char *out, size_t cap)
{
    char text[64];
    struct tvc_json_tok toks[4];
    struct tvc_json j;
    size_t len = strlen(doc);
    int rc;

    if (len >= sizeof text)
        return -9999;
    memcpy(text, doc, len + 1);
    rc = tvc_json_parse(&j, text, len, toks, 4);
    if (rc != 2)
        return -9998;
    rc = tvc_json_string(&j, 1, out, cap, NULL);
    if (rc != 0)
        return -9997; /* the original must read fine */
    text[at] = c;
    memset(out, 'x', cap);
    return tvc_json_string(&j, 1, out, cap, NULL);
}

static void reader_rechecks_text_changed_after_parse(void)
{
    char out[16];

    /* a \u escape whose hex digit is no longer hex */
    CHECK_EQ(read_after_change("[\"a\\u0041\"]", 6, 'g', out, sizeof out), TVC_ERR_JSON_ESCAPE);
    CHECK_STR(out, ""); /* nothing half-decoded is left */
    /* an escape that is no longer one JSON knows */
    CHECK_EQ(read_after_change("[\"a\\nb\"]", 4, 'q', out, sizeof out), TVC_ERR_JSON_ESCAPE);
    CHECK_STR(out, "");
    /* a backslash as the token's last byte: an escape cut short */
    CHECK_EQ(read_after_change("[\"ab\"]", 3, '\\', out, sizeof out), TVC_ERR_JSON_ESCAPE);
    CHECK_STR(out, "");
    /* a raw control character inside the string */
    CHECK_EQ(read_after_change("[\"abc\"]", 3, '\001', out, sizeof out), TVC_ERR_JSON_ESCAPE);
    CHECK_STR(out, "");
    /* an unchanged byte keeps reading fine (the helper itself) */
    CHECK_EQ(read_after_change("[\"abc\"]", 3, 'b', out, sizeof out), 0);
    CHECK_STR(out, "abc");
}

static void string_eq_refuses_bad_text(void)
{
    char text[] = "[\"a\\u0041\"]";
    struct tvc_json_tok toks[4];
    struct tvc_json j;

    CHECK_EQ(tvc_json_parse(&j, text, strlen(text), toks, 4), 2);
    CHECK(tvc_json_string_eq(&j, 1, "aA"));
    text[6] = 'z';
    CHECK(!tvc_json_string_eq(&j, 1, "aA"));
    CHECK(!tvc_json_string_eq(&j, 1, "a"));
}

/* Squeeze @p in whole and one byte per call; both outputs must agree. */
static void squeeze2(const char *in, size_t max_str, char *out, size_t cap, unsigned *trunc)
{
    struct tvc_jsq a, b;
    char bbuf[256];
    size_t i, len = strlen(in);

    tvc_jsq_init(&a, out, cap, max_str);
    CHECK_EQ(tvc_jsq_feed(&a, (const uint8_t *)in, len), 0);
    tvc_jsq_init(&b, bbuf, sizeof bbuf < cap ? sizeof bbuf : cap, max_str);
    for (i = 0; i < len; i++)
        CHECK_EQ(tvc_jsq_feed(&b, (const uint8_t *)in + i, 1), 0);
    CHECK_MEM(a.buf, a.len, b.buf, b.len);
    CHECK_EQ(a.truncated, b.truncated);
    CHECK_EQ(a.overflow, 0);
    *trunc = a.truncated;
}

static void squeeze_keeps_pairs_whole_any_case(void)
{
    char out[256];
    unsigned t;

    /* room for "ab" and one 6-byte escape: a plain escape is kept ... */
    squeeze2("{\"k\":\"ab\\u00e9\\u00e9\"}", 8, out, sizeof out, &t);
    CHECK_STR(out, "{\"k\":\"ab\\u00e9\"}");
    CHECK_EQ(t, TVC_TRUNC_OTHER);
    /* ... a surrogate pair (12 bytes, one unit) is not, in any case */
    squeeze2("{\"k\":\"ab\\udbff\\udfff\"}", 8, out, sizeof out, &t);
    CHECK_STR(out, "{\"k\":\"ab\"}");
    CHECK_EQ(t, TVC_TRUNC_OTHER);
    squeeze2("{\"k\":\"ab\\uDBFF\\uDFFF\"}", 8, out, sizeof out, &t);
    CHECK_STR(out, "{\"k\":\"ab\"}");
    squeeze2("{\"k\":\"ab\\uDAFF\\uDFFF\"}", 8, out, sizeof out, &t);
    CHECK_STR(out, "{\"k\":\"ab\"}");
    /* with room for the pair it is kept, and the answer is not cut */
    squeeze2("{\"k\":\"ab\\uDBFF\\uDFFF\"}", 14, out, sizeof out, &t);
    CHECK_STR(out, "{\"k\":\"ab\\uDBFF\\uDFFF\"}");
    CHECK_EQ(t, 0);
}

static void squeeze_copies_lone_surrogates(void)
{
    static const char *const in[] = {
        "{\"k\":\"\\uD800\\nX\"}",     /* high surrogate, then another escape */
        "{\"k\":\"\\uD800x\"}",        /* high surrogate, then a plain byte */
        "{\"k\":\"\\uDBFF\\u0041\"}", /* high surrogate, then a non-surrogate */
        "{\"k\":\"\\uD800\\\"\"}",     /* high surrogate, then an escaped quote */
    };
    char out[256];
    unsigned t;
    size_t i;

    for (i = 0; i < sizeof in / sizeof in[0]; i++) {
        squeeze2(in[i], 100, out, sizeof out, &t);
        CHECK_STR(out, in[i]);
        CHECK_EQ(t, 0);
    }
}

static void squeeze_init_without_state(void)
{
    char out[8] = "x";
    /* no state to fill: nothing happens, nothing is written */
    tvc_jsq_init(NULL, out, sizeof out, 4);
    CHECK_STR(out, "x");
    CHECK_EQ(tvc_jsq_feed(NULL, (const uint8_t *)"{}", 2), TVC_ERR_ARG);
}

int main(void)
{
    RUN(reader_rechecks_text_changed_after_parse);
    RUN(string_eq_refuses_bad_text);
    RUN(squeeze_keeps_pairs_whole_any_case);
    RUN(squeeze_copies_lone_surrogates);
    RUN(squeeze_init_without_state);
    return h_summary();
}
