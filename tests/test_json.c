/* Tests for the JSON reader (json.c, json_str.c, json_num.c), the writer
 * (json_write.c) and the UTF-8 check (utf8.c). */
#define _DEFAULT_SOURCE /* mmap MAP_ANONYMOUS */

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "tvc_json.h"
#include "../src/chars.h" /* the core's private character helpers */

/* A byte string with its length (may hold NULs). */
struct bytes {
    const char *p;
    size_t len;
};
#define B(s) {s, sizeof(s) - 1}

#define MAXTOK 512

static int parse(struct tvc_json *j, const char *doc, size_t len, struct tvc_json_tok *toks)
{
    return tvc_json_parse(j, doc, len, toks, MAXTOK);
}

/* ------------------------------------------------------------------ */
/* Valid documents                                                     */

static char deep_ok[2 * 256 + 1];  /* 256 nested arrays: the limit */
static char deep_bad[2 * 257 + 1]; /* 257: refused */

static void make_deep(void)
{
    memset(deep_ok, '[', 256);
    memset(deep_ok + 256, ']', 256);
    memset(deep_bad, '[', 257);
    memset(deep_bad + 257, ']', 257);
}

static const struct valid_doc {
    const char *name;
    struct bytes doc;
    int ntok;
    int kind;
} valid_docs[] = {
    {"empty object", B("{}"), 1, TVC_JSON_OBJECT},
    {"empty array", B("[]"), 1, TVC_JSON_ARRAY},
    {"zero", B("0"), 1, TVC_JSON_NUMBER},
    {"minus zero", B("-0"), 1, TVC_JSON_NUMBER},
    {"bare number", B("12"), 1, TVC_JSON_NUMBER},
    {"bare number ws", B(" 12 \n"), 1, TVC_JSON_NUMBER},
    {"full number", B("-1.5e+10"), 1, TVC_JSON_NUMBER},
    {"upper exp", B("1E-2"), 1, TVC_JSON_NUMBER},
    {"empty string", B("\"\""), 1, TVC_JSON_STRING},
    {"true", B("true"), 1, TVC_JSON_TRUE},
    {"false", B("false"), 1, TVC_JSON_FALSE},
    {"null", B("null"), 1, TVC_JSON_NULL},
    {"all whitespace kinds", B(" \t\r\n[ \t\r\n] \t\r\n"), 1, TVC_JSON_ARRAY},
    {"array", B("[1,2,3]"), 4, TVC_JSON_ARRAY},
    {"array ws", B("[ 1 , 2 , 3 ]"), 4, TVC_JSON_ARRAY},
    {"object", B("{\"a\":1}"), 3, TVC_JSON_OBJECT},
    {"object ws", B("{ \"a\" : 1 , \"b\" : [ ] }"), 5, TVC_JSON_OBJECT},
    {"nested", B("{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":\"x\"}"), 11, TVC_JSON_OBJECT},
    {"nested arrays", B("[[[[]]]]"), 4, TVC_JSON_ARRAY},
    {"numbers", B("[0,-0,0.0,1e5,1E+5,1e-5,-12.5e-3,10]"), 9, TVC_JSON_ARRAY},
    {"literals", B("[true,false,null]"), 4, TVC_JSON_ARRAY},
    {"escapes", B("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\""), 1, TVC_JSON_STRING},
    {"raw DEL and UTF-8", B("[\"\x7f\xc3\xa9\xe4\xb8\xad\"]"), 2, TVC_JSON_ARRAY},
    {"empty key", B("{\"\":\"\"}"), 3, TVC_JSON_OBJECT},
    {"duplicate keys", B("{\"a\":1,\"a\":2}"), 5, TVC_JSON_OBJECT},
    {"string with brackets", B("[\"]}{[,:\"]"), 2, TVC_JSON_ARRAY},
    {"lone surrogate is grammatical", B("\"\\ud800\""), 1, TVC_JSON_STRING},
    {"invalid UTF-8 checked later", B("\"\xc0\x80\""), 1, TVC_JSON_STRING},
    {"deep 256", {deep_ok, 512}, 256, TVC_JSON_ARRAY},
};

static void test_valid_docs(void)
{
    size_t i;

    for (i = 0; i < sizeof valid_docs / sizeof valid_docs[0]; i++) {
        const struct valid_doc *v = &valid_docs[i];
        struct tvc_json_tok toks[MAXTOK];
        struct tvc_json j;
        int n;

        h_begin(v->name);
        n = parse(&j, v->doc.p, v->doc.len, toks);
        CHECK_EQ(n, v->ntok);
        CHECK_EQ(j.ntok, v->ntok);
        CHECK_EQ(tvc_json_kind(&j, 0), v->kind);
        CHECK_EQ(tvc_json_next(&j, 0), v->ntok);
        /* counting only, and exactly enough / one too few tokens */
        CHECK_EQ(tvc_json_parse(&j, v->doc.p, v->doc.len, NULL, 0), v->ntok);
        CHECK_EQ(tvc_json_parse(NULL, v->doc.p, v->doc.len, NULL, 0), v->ntok);
        CHECK_EQ(tvc_json_parse(&j, v->doc.p, v->doc.len, toks, (unsigned)v->ntok), v->ntok);
        CHECK_EQ(tvc_json_parse(&j, v->doc.p, v->doc.len, toks, (unsigned)v->ntok - 1),
                 TVC_ERR_JSON_TOKENS);
        CHECK_EQ(j.ntok, 0); /* a failed parse leaves no tokens to read */
        CHECK_EQ(tvc_json_kind(&j, 0), TVC_JSON_INVALID);
        h_end();
    }
}

/* ------------------------------------------------------------------ */
/* Invalid documents                                                   */

static const struct invalid_doc {
    const char *name;
    struct bytes doc;
    int err;
} invalid_docs[] = {
    /* incomplete: a prefix of some valid document */
    {"empty text", B(""), TVC_ERR_AGAIN},
    {"only whitespace", B(" \n\t"), TVC_ERR_AGAIN},
    {"open object", B("{"), TVC_ERR_AGAIN},
    {"open array", B("["), TVC_ERR_AGAIN},
    {"array after value", B("[1"), TVC_ERR_AGAIN},
    {"array after comma", B("[1,"), TVC_ERR_AGAIN},
    {"object after key", B("{\"a\""), TVC_ERR_AGAIN},
    {"object after colon", B("{\"a\":"), TVC_ERR_AGAIN},
    {"object after value", B("{\"a\":1"), TVC_ERR_AGAIN},
    {"nested open", B("{\"a\":[{}"), TVC_ERR_AGAIN},
    {"open string", B("\"abc"), TVC_ERR_AGAIN},
    {"open string key", B("{\"ab"), TVC_ERR_AGAIN},
    {"string ends in backslash", B("\"a\\"), TVC_ERR_AGAIN},
    {"string ends in \\u", B("\"\\u12"), TVC_ERR_AGAIN},
    {"literal prefix", B("tru"), TVC_ERR_AGAIN},
    {"literal prefix nested", B("[nul"), TVC_ERR_AGAIN},
    {"minus alone", B("-"), TVC_ERR_AGAIN},
    {"point at end", B("1."), TVC_ERR_AGAIN},
    {"exponent at end", B("1e"), TVC_ERR_AGAIN},
    {"exponent sign at end", B("1e+"), TVC_ERR_AGAIN},
    /* structure */
    {"key without value", B("{\"a\"}"), TVC_ERR_JSON},
    {"trailing comma array", B("[1,]"), TVC_ERR_JSON},
    {"trailing comma array 2", B("[1,2,]"), TVC_ERR_JSON},
    {"trailing comma object", B("{\"a\":1,}"), TVC_ERR_JSON},
    {"leading comma", B("[,1]"), TVC_ERR_JSON},
    {"lone comma object", B("{,}"), TVC_ERR_JSON},
    {"lone comma array", B("[,]"), TVC_ERR_JSON},
    {"double comma", B("[1,,2]"), TVC_ERR_JSON},
    {"missing comma array", B("[1 2]"), TVC_ERR_JSON},
    {"missing comma object", B("{\"a\":1 \"b\":2}"), TVC_ERR_JSON},
    {"missing colon", B("{\"a\" 1}"), TVC_ERR_JSON},
    {"comma for colon", B("{\"a\",\"b\"}"), TVC_ERR_JSON},
    {"double colon", B("{\"a\"::1}"), TVC_ERR_JSON},
    {"colon in array", B("[\"a\":1]"), TVC_ERR_JSON},
    {"empty value", B("{\"a\":}"), TVC_ERR_JSON},
    {"number key", B("{1:2}"), TVC_ERR_JSON},
    {"bare key", B("{a:1}"), TVC_ERR_JSON},
    {"literal key", B("{true:1}"), TVC_ERR_JSON},
    {"object key", B("{{}:1}"), TVC_ERR_JSON},
    {"array key", B("{[]:1}"), TVC_ERR_JSON},
    {"single-quoted key", B("{'a':1}"), TVC_ERR_JSON},
    {"extra close", B("[1]]"), TVC_ERR_JSON},
    {"extra close object", B("{\"a\":1}}"), TVC_ERR_JSON},
    {"close only", B("]"), TVC_ERR_JSON},
    {"close brace only", B("}"), TVC_ERR_JSON},
    {"mismatch [}", B("[}"), TVC_ERR_JSON},
    {"mismatch {]", B("{]"), TVC_ERR_JSON},
    {"mismatch nested", B("[1}"), TVC_ERR_JSON},
    {"mismatch deep", B("{\"a\":[1}]"), TVC_ERR_JSON},
    {"two values", B("1 2"), TVC_ERR_JSON},
    {"two strings", B("\"a\" \"b\""), TVC_ERR_JSON},
    {"two objects", B("{} {}"), TVC_ERR_JSON},
    {"trailing garbage", B("[1]x"), TVC_ERR_JSON},
    {"trailing comma top", B("[1],"), TVC_ERR_JSON},
    {"trailing NUL", {"[1]\0", 4}, TVC_ERR_JSON},
    {"BOM", B("\xef\xbb\xbf[]"), TVC_ERR_JSON},
    {"trailing NBSP", B("[1]\xc2\xa0"), TVC_ERR_JSON},
    {"form feed as space", B("\f[]"), TVC_ERR_JSON},
    {"vertical tab as space", B("[1,\v2]"), TVC_ERR_JSON},
    {"comment", B("/* c */ []"), TVC_ERR_JSON},
    {"too deep", {deep_bad, 514}, TVC_ERR_JSON},
    /* literals */
    {"short literal", B("[tru]"), TVC_ERR_JSON},
    {"short literal ws", B("tru "), TVC_ERR_JSON},
    {"long literal", B("[truex]"), TVC_ERR_JSON},
    {"literal then digit", B("[true1]"), TVC_ERR_JSON},
    {"short null", B("[nul]"), TVC_ERR_JSON},
    {"capital True", B("True"), TVC_ERR_JSON},
    {"capital NULL", B("NULL"), TVC_ERR_JSON},
    {"Infinity", B("[Infinity]"), TVC_ERR_JSON},
    {"NaN", B("[NaN]"), TVC_ERR_JSON},
    {"undefined", B("undefined"), TVC_ERR_JSON},
    /* numbers */
    {"leading zero", B("[01]"), TVC_ERR_JSON},
    {"leading zero top", B("01"), TVC_ERR_JSON},
    {"leading zero negative", B("-01"), TVC_ERR_JSON},
    {"leading zeros", B("[00]"), TVC_ERR_JSON},
    {"point no digits", B("[1.]"), TVC_ERR_JSON},
    {"point first", B("[.5]"), TVC_ERR_JSON},
    {"minus only", B("[-]"), TVC_ERR_JSON},
    {"minus letter", B("[-a]"), TVC_ERR_JSON},
    {"minus point", B("[-.5]"), TVC_ERR_JSON},
    {"plus sign", B("[+1]"), TVC_ERR_JSON},
    {"exp no digits", B("[1e]"), TVC_ERR_JSON},
    {"exp sign no digits", B("[1e+]"), TVC_ERR_JSON},
    {"point then exp", B("[1.e5]"), TVC_ERR_JSON},
    {"exp fraction", B("[1e5.5]"), TVC_ERR_JSON},
    {"hex", B("[0x10]"), TVC_ERR_JSON},
    {"double minus", B("[--1]"), TVC_ERR_JSON},
    {"number then minus", B("[1-2]"), TVC_ERR_JSON},
    {"number then letter", B("[1true]"), TVC_ERR_JSON},
    {"number then quote", B("[1\"a\"]"), TVC_ERR_JSON},
    {"exp no digits ws", B("1e "), TVC_ERR_JSON},
    /* strings */
    {"single quotes", B("['a']"), TVC_ERR_JSON},
    {"raw tab in string", B("[\"a\tb\"]"), TVC_ERR_JSON},
    {"raw newline in string", B("[\"a\nb\"]"), TVC_ERR_JSON},
    {"raw 0x01 in string", B("\"\x01\""), TVC_ERR_JSON},
    {"raw 0x1f in key", B("{\"\x1f\":1}"), TVC_ERR_JSON},
    {"raw NUL in string", {"\"a\0b\"", 5}, TVC_ERR_JSON},
    {"unknown escape", B("[\"\\x\"]"), TVC_ERR_JSON},
    {"escaped quote char", B("[\"\\'\"]"), TVC_ERR_JSON},
    {"capital U escape", B("[\"\\U0041\"]"), TVC_ERR_JSON},
    {"bad hex", B("[\"\\u12G4\"]"), TVC_ERR_JSON},
    {"short hex", B("[\"\\u12\"]"), TVC_ERR_JSON},
    {"escaped newline", B("\"\\\n\""), TVC_ERR_JSON},
    {"bytes outside strings", B("[\x80]"), TVC_ERR_JSON},
    {"NUL outside strings", {"[\0]", 3}, TVC_ERR_JSON},
};

static void test_invalid_docs(void)
{
    size_t i;

    for (i = 0; i < sizeof invalid_docs / sizeof invalid_docs[0]; i++) {
        const struct invalid_doc *v = &invalid_docs[i];
        struct tvc_json_tok toks[MAXTOK];
        struct tvc_json j;

        h_begin(v->name);
        CHECK_EQ(parse(&j, v->doc.p, v->doc.len, toks), v->err);
        CHECK_EQ(j.ntok, 0);
        CHECK_EQ(tvc_json_parse(&j, v->doc.p, v->doc.len, NULL, 0), v->err);
        /* malformed beats too-many-tokens */
        CHECK_EQ(tvc_json_parse(&j, v->doc.p, v->doc.len, toks, 1), v->err);
        h_end();
    }
}

static void test_parse_args(void)
{
    struct tvc_json_tok toks[4];
    struct tvc_json j;

    CHECK_EQ(tvc_json_parse(&j, NULL, 0, toks, 4), TVC_ERR_ARG);
    CHECK_EQ(tvc_json_parse(&j, "[]", 2, NULL, 4), TVC_ERR_ARG);
    CHECK_EQ(tvc_json_parse(NULL, "[]", 2, toks, 4), TVC_ERR_ARG);
    CHECK_EQ(tvc_json_parse(&j, "[1,2,3]", 7, toks, 3), TVC_ERR_JSON_TOKENS);
    CHECK_EQ(tvc_json_parse(&j, "[1,2,3]", 7, toks, 0), TVC_ERR_JSON_TOKENS);
    CHECK_EQ(tvc_json_parse(&j, "[1,2,3]", 7, toks, 4), 4);
    /* the length bounds the text: a longer buffer is not read further */
    CHECK_EQ(tvc_json_parse(&j, "[1] garbage", 3, toks, 4), 2);
    CHECK_EQ(tvc_json_parse(&j, "123456", 3, toks, 4), 1);
    /* accessors on bad indexes */
    CHECK_EQ(tvc_json_parse(&j, "[1]", 3, toks, 4), 2);
    CHECK_EQ(tvc_json_kind(&j, -1), TVC_JSON_INVALID);
    CHECK_EQ(tvc_json_kind(&j, 2), TVC_JSON_INVALID);
    CHECK_EQ(tvc_json_kind(NULL, 0), TVC_JSON_INVALID);
    CHECK_EQ(tvc_json_next(&j, 2), TVC_ERR_ARG);
    CHECK_EQ(tvc_json_next(&j, 1), 2);
    CHECK_EQ(tvc_json_is_null(&j, 5), 0);
    {
        struct tvc_slice s;
        CHECK_EQ(tvc_json_raw(&j, 2, &s), TVC_ERR_ARG);
        CHECK_EQ(tvc_json_raw(&j, 0, NULL), TVC_ERR_ARG);
        CHECK_EQ(tvc_json_raw(&j, 0, &s), 0);
        CHECK_MEM(s.p, s.len, "[1]", 3);
    }
}

static void test_kinds_raw(void)
{
    static const char doc[] = " {\"s\":\"a\\nb\",\"n\":-1.5e3,\"t\":true,\"f\":false,"
                              "\"z\":null,\"a\":[1,[2]],\"o\":{\"x\":{}}} ";
    struct tvc_json_tok toks[64];
    struct tvc_json j;
    struct tvc_slice s;
    int v, b = -1;

    CHECK_EQ(parse(&j, doc, sizeof doc - 1, toks), 20);
    CHECK_EQ(tvc_json_raw(&j, 0, &s), 0);
    CHECK_MEM(s.p, s.len, doc + 1, sizeof doc - 3);
    v = tvc_json_find(&j, 0, "s");
    CHECK_EQ(tvc_json_kind(&j, v), TVC_JSON_STRING);
    CHECK_EQ(tvc_json_raw(&j, v, &s), 0);
    CHECK_MEM(s.p, s.len, "a\\nb", 4);
    v = tvc_json_find(&j, 0, "n");
    CHECK_EQ(tvc_json_kind(&j, v), TVC_JSON_NUMBER);
    CHECK_EQ(tvc_json_raw(&j, v, &s), 0);
    CHECK_MEM(s.p, s.len, "-1.5e3", 6);
    v = tvc_json_find(&j, 0, "t");
    CHECK_EQ(tvc_json_kind(&j, v), TVC_JSON_TRUE);
    CHECK_EQ(tvc_json_bool(&j, v, &b), 0);
    CHECK_EQ(b, 1);
    v = tvc_json_find(&j, 0, "f");
    CHECK_EQ(tvc_json_kind(&j, v), TVC_JSON_FALSE);
    CHECK_EQ(tvc_json_bool(&j, v, &b), 0);
    CHECK_EQ(b, 0);
    CHECK_EQ(tvc_json_raw(&j, v, &s), 0);
    CHECK_MEM(s.p, s.len, "false", 5);
    v = tvc_json_find(&j, 0, "z");
    CHECK_EQ(tvc_json_kind(&j, v), TVC_JSON_NULL);
    CHECK_EQ(tvc_json_is_null(&j, v), 1);
    CHECK_EQ(tvc_json_bool(&j, v, &b), TVC_ERR_JSON_TYPE);
    CHECK_EQ(tvc_json_is_null(&j, tvc_json_find(&j, 0, "t")), 0);
    v = tvc_json_find(&j, 0, "a");
    CHECK_EQ(tvc_json_kind(&j, v), TVC_JSON_ARRAY);
    CHECK_EQ(tvc_json_raw(&j, v, &s), 0);
    CHECK_MEM(s.p, s.len, "[1,[2]]", 7);
    CHECK_EQ(tvc_json_next(&j, v), v + 4);
    v = tvc_json_find(&j, 0, "o");
    CHECK_EQ(tvc_json_kind(&j, v), TVC_JSON_OBJECT);
    CHECK_EQ(tvc_json_next(&j, v), 20);
    CHECK_EQ(tvc_json_bool(&j, v, &b), TVC_ERR_JSON_TYPE);
    CHECK_EQ(tvc_json_bool(&j, 99, &b), TVC_ERR_ARG);
}

/* ------------------------------------------------------------------ */
/* find / next                                                         */

static void test_find(void)
{
    static const char doc[] =
        "{\"a\":{\"status\":\"inner\",\"x\":[1,{\"status\":2}]},"
        "\"list\":[{\"status\":3},[\"status\",\"status\"]],"
        "\"\\u0073tatus\":\"escaped\","
        "\"status\":\"second\","
        "\"caf\\u00e9\":1,\"k\\\"q\":2,\"nul\\u0000x\":3,\"\":4,\"stat\":5,\"statusx\":6}";
    struct tvc_json_tok toks[64];
    struct tvc_json j;
    char out[32];
    size_t n;
    int v, a, k;
    int64_t i64;

    CHECK(parse(&j, doc, sizeof doc - 1, toks) > 0);
    /* first match, after unescaping; nested "status" members are skipped */
    v = tvc_json_find(&j, 0, "status");
    CHECK_EQ(tvc_json_string(&j, v, out, sizeof out, &n), 0);
    CHECK_STR(out, "escaped");
    CHECK(tvc_json_string_eq(&j, v, "escaped"));
    v = tvc_json_find(&j, 0, "caf\xc3\xa9");
    CHECK_EQ(tvc_json_int(&j, v, &i64), 0);
    CHECK_EQ(i64, 1);
    v = tvc_json_find(&j, 0, "k\"q");
    CHECK_EQ(tvc_json_int(&j, v, &i64), 0);
    CHECK_EQ(i64, 2);
    /* a key with \u0000 never equals a C string */
    CHECK_EQ(tvc_json_find(&j, 0, "nul"), TVC_ERR_NOT_FOUND);
    CHECK_EQ(tvc_json_find(&j, 0, "nulx"), TVC_ERR_NOT_FOUND);
    v = tvc_json_find(&j, 0, "");
    CHECK_EQ(tvc_json_int(&j, v, &i64), 0);
    CHECK_EQ(i64, 4);
    v = tvc_json_find(&j, 0, "stat");
    CHECK_EQ(tvc_json_int(&j, v, &i64), 0);
    CHECK_EQ(i64, 5);
    CHECK_EQ(tvc_json_find(&j, 0, "sta"), TVC_ERR_NOT_FOUND);
    CHECK_EQ(tvc_json_find(&j, 0, "x"), TVC_ERR_NOT_FOUND); /* nested only */
    CHECK_EQ(tvc_json_find(&j, 0, "missing"), TVC_ERR_NOT_FOUND);
    /* inside a nested object */
    a = tvc_json_find(&j, 0, "a");
    CHECK_EQ(tvc_json_kind(&j, a), TVC_JSON_OBJECT);
    v = tvc_json_find(&j, a, "status");
    CHECK(tvc_json_string_eq(&j, v, "inner"));
    v = tvc_json_find(&j, a, "x");
    CHECK_EQ(tvc_json_kind(&j, v), TVC_JSON_ARRAY);
    k = tvc_json_next(&j, v + 1); /* the {"status":2} after 1 */
    CHECK_EQ(tvc_json_kind(&j, k), TVC_JSON_OBJECT);
    v = tvc_json_find(&j, k, "status");
    CHECK_EQ(tvc_json_int(&j, v, &i64), 0);
    CHECK_EQ(i64, 2);
    /* errors */
    CHECK_EQ(tvc_json_find(&j, tvc_json_find(&j, 0, "list"), "status"), TVC_ERR_JSON_TYPE);
    CHECK_EQ(tvc_json_find(&j, 1, "status"), TVC_ERR_JSON_TYPE); /* a key string */
    CHECK_EQ(tvc_json_find(&j, 999, "status"), TVC_ERR_ARG);
    CHECK_EQ(tvc_json_find(&j, 0, NULL), TVC_ERR_ARG);
    /* last member, and empty objects */
    v = tvc_json_find(&j, 0, "statusx");
    CHECK_EQ(tvc_json_int(&j, v, &i64), 0);
    CHECK_EQ(i64, 6);
    CHECK_EQ(parse(&j, "{}", 2, toks), 1);
    CHECK_EQ(tvc_json_find(&j, 0, ""), TVC_ERR_NOT_FOUND);
    CHECK_EQ(parse(&j, "[{},{\"a\":1}]", 12, toks), 5);
    CHECK_EQ(tvc_json_find(&j, 1, "a"), TVC_ERR_NOT_FOUND); /* must not run into the next object */
    CHECK_EQ(tvc_json_find(&j, 2, "a"), 4);
}

static void test_next(void)
{
    static const char doc[] = "[[1,[2,[3]]],{\"a\":{\"b\":[]},\"c\":\"d\"},\"e\",{},[]]";
    /* tokens: 0[ 1[ 2:1 3[ 4:2 5[ 6:3 7{ 8a 9{ 10b 11[ 12c 13d 14e 15{ 16[ */
    static const int want[] = {17, 7, 3, 7, 5, 7, 7, 14, 9, 12, 11, 12, 13, 14, 15, 16, 17};
    struct tvc_json_tok toks[32];
    struct tvc_json j;
    int i, k, count = 0;

    CHECK_EQ(parse(&j, doc, sizeof doc - 1, toks), 17);
    for (i = 0; i < 17; i++)
        CHECK_EQ(tvc_json_next(&j, i), want[i]);
    /* walking the root's children by next visits exactly the 5 elements */
    for (k = 1; k < j.ntok; k = tvc_json_next(&j, k))
        count++;
    CHECK_EQ(count, 5);
}

/* ------------------------------------------------------------------ */
/* Strings: escapes and surrogates                                     */

static const struct str_vec {
    const char *name;
    struct bytes doc; /* a JSON string, quotes included */
    int err;          /* tvc_json_string result */
    struct bytes want;
} str_vecs[] = {
    {"plain", B("\"hello\""), 0, B("hello")},
    {"empty", B("\"\""), 0, B("")},
    {"quote", B("\"\\\"\""), 0, B("\"")},
    {"backslash", B("\"\\\\\""), 0, B("\\")},
    {"slash", B("\"\\/\""), 0, B("/")},
    {"controls", B("\"\\b\\f\\n\\r\\t\""), 0, B("\b\f\n\r\t")},
    {"u0041", B("\"\\u0041\""), 0, B("A")},
    {"u00e9 lower", B("\"\\u00e9\""), 0, B("\xc3\xa9")},
    {"u00E9 upper", B("\"\\u00E9\""), 0, B("\xc3\xa9")},
    {"u0080 first 2-byte", B("\"\\u0080\""), 0, B("\xc2\x80")},
    {"u07ff last 2-byte", B("\"\\u07FF\""), 0, B("\xdf\xbf")},
    {"u0800 first 3-byte", B("\"\\u0800\""), 0, B("\xe0\xa0\x80")},
    {"u4e2d", B("\"\\u4e2d\""), 0, B("\xe4\xb8\xad")},
    {"uffff", B("\"\\uFFFF\""), 0, B("\xef\xbf\xbf")},
    {"pair emoji", B("\"\\ud83d\\ude00\""), 0, B("\xf0\x9f\x98\x80")},
    {"pair emoji upper", B("\"\\uD83D\\uDE00\""), 0, B("\xf0\x9f\x98\x80")},
    {"pair first", B("\"\\uD800\\uDC00\""), 0, B("\xf0\x90\x80\x80")},
    {"pair last", B("\"\\uDBFF\\uDFFF\""), 0, B("\xf4\x8f\xbf\xbf")},
    {"u0000", B("\"\\u0000\""), 0, {"\0", 1}},
    {"u0000 inside", B("\"a\\u0000b\""), 0, {"a\0b", 3}},
    {"u001f", B("\"\\u001f\""), 0, B("\x1f")},
    {"mixed", B("\"a\\\"b\\\\c\\u00e9\xe4\xb8\xad\\ud83d\\ude00\x7f\""), 0,
     B("a\"b\\c\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\x7f")},
    {"escaped u then digits", B("\"\\u00411\""), 0, B("A1")},
    {"lone high at end", B("\"\\ud800\""), TVC_ERR_JSON_ESCAPE, B("")},
    {"lone high then text", B("\"\\ud800abcdef\""), TVC_ERR_JSON_ESCAPE, B("")},
    {"high then non-surrogate", B("\"\\ud800\\u0041\""), TVC_ERR_JSON_ESCAPE, B("")},
    {"high then high", B("\"\\ud800\\ud800\""), TVC_ERR_JSON_ESCAPE, B("")},
    {"high then other escape", B("\"\\ud83d\\n\""), TVC_ERR_JSON_ESCAPE, B("")},
    {"high then raw low bytes", B("\"\\ud83d\xed\xb8\x80\""), TVC_ERR_JSON_ESCAPE, B("")},
    {"lone low", B("\"\\udc00\""), TVC_ERR_JSON_ESCAPE, B("")},
    {"low then high", B("\"\\udc00\\ud800\""), TVC_ERR_JSON_ESCAPE, B("")},
    {"lone high after text", B("\"abc\\udbff\""), TVC_ERR_JSON_ESCAPE, B("")},
};

static void test_strings(void)
{
    size_t i;

    for (i = 0; i < sizeof str_vecs / sizeof str_vecs[0]; i++) {
        const struct str_vec *v = &str_vecs[i];
        struct tvc_json_tok toks[4];
        struct tvc_json j;
        char out[64];
        size_t n = 99;

        h_begin(v->name);
        CHECK_EQ(parse(&j, v->doc.p, v->doc.len, toks), 1);
        memset(out, 'X', sizeof out);
        CHECK_EQ(tvc_json_string(&j, 0, out, sizeof out, &n), v->err);
        if (v->err == 0) {
            CHECK_MEM(out, n, v->want.p, v->want.len);
            CHECK_EQ(out[n], '\0');
            if (memchr(v->want.p, 0, v->want.len) == NULL) {
                char other[72];
                CHECK(tvc_json_string_eq(&j, 0, v->want.p));
                snprintf(other, sizeof other, "%sx", v->want.p);
                CHECK(!tvc_json_string_eq(&j, 0, other));
                if (v->want.len > 0) {
                    memcpy(other, v->want.p, v->want.len - 1);
                    other[v->want.len - 1] = '\0';
                    CHECK(!tvc_json_string_eq(&j, 0, other));
                }
            } else {
                CHECK(!tvc_json_string_eq(&j, 0, v->want.p)); /* stops at the NUL */
            }
        } else {
            CHECK_EQ(n, 0);
            CHECK_EQ(out[0], '\0');
            CHECK(!tvc_json_string_eq(&j, 0, ""));
            /* the error does not depend on the buffer size */
            CHECK_EQ(tvc_json_string(&j, 0, out, 1, &n), v->err);
            CHECK_EQ(tvc_json_string(&j, 0, NULL, 0, &n), v->err);
        }
        h_end();
    }
}

static void test_string_args(void)
{
    struct tvc_json_tok toks[4];
    struct tvc_json j;
    char out[8];
    size_t n = 7;

    CHECK_EQ(parse(&j, "[1,\"a\"]", 7, toks), 3);
    CHECK_EQ(tvc_json_string(&j, 1, out, sizeof out, &n), TVC_ERR_JSON_TYPE);
    CHECK_EQ(n, 0);
    CHECK_EQ(tvc_json_string(&j, 0, out, sizeof out, NULL), TVC_ERR_JSON_TYPE);
    CHECK_EQ(tvc_json_string(&j, 3, out, sizeof out, NULL), TVC_ERR_ARG);
    CHECK_EQ(tvc_json_string(&j, 2, NULL, 4, NULL), TVC_ERR_ARG);
    CHECK_EQ(tvc_json_string(&j, 2, out, sizeof out, NULL), 0);
    CHECK_STR(out, "a");
    CHECK_EQ(tvc_json_string_eq(&j, 1, "1"), 0);
    CHECK_EQ(tvc_json_string_eq(&j, 2, NULL), 0);
    CHECK_EQ(tvc_json_string_eq(&j, 7, "a"), 0);
    CHECK_EQ(tvc_json_string_eq(&j, 2, "a"), 1);
}

/* Truncation at every cap: whole characters only, always terminated, no
 * byte written at or past cap. */
static void test_truncation(void)
{
    /* "a" e-acute, CJK (raw), U+1F600 (escaped pair), "b": 1+2+3+4+1 bytes */
    static const char doc[] = "\"a\\u00e9\xe4\xb8\xad\\ud83d\\ude00b\"";
    static const char want[] = "a\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80" "b";
    static const size_t bound[] = {0, 1, 3, 6, 10, 11};
    const size_t len = sizeof want - 1;
    struct tvc_json_tok toks[2];
    struct tvc_json j;
    unsigned char buf[32];
    size_t cap, n, k, expect;

    CHECK_EQ(parse(&j, doc, sizeof doc - 1, toks), 1);
    for (cap = 0; cap <= len + 1; cap++) {
        memset(buf, 0xAA, sizeof buf);
        n = 999;
        if (cap == len + 1) {
            CHECK_EQ(tvc_json_string(&j, 0, (char *)buf, cap, &n), 0);
        } else {
            CHECK_EQ(tvc_json_string(&j, 0, (char *)buf, cap, &n), TVC_ERR_NOSPACE);
        }
        expect = 0;
        for (k = 0; k < sizeof bound / sizeof bound[0]; k++)
            if (cap > 0 && bound[k] <= cap - 1)
                expect = bound[k];
        CHECK_EQ(n, expect);
        if (cap > 0) {
            CHECK_MEM(buf, n, want, expect);
            CHECK_EQ(buf[n], 0);
        }
        for (k = cap; k < sizeof buf; k++) /* the canary past the buffer */
            if (buf[k] != 0xAA)
                break;
        CHECK_EQ(k, sizeof buf);
    }
    /* cap 0 with a NULL buffer */
    CHECK_EQ(tvc_json_string(&j, 0, NULL, 0, &n), TVC_ERR_NOSPACE);
    CHECK_EQ(n, 0);
}

/* ------------------------------------------------------------------ */
/* UTF-8                                                               */

static const struct utf8_vec {
    const char *name;
    struct bytes s;
    int ok;
} utf8_vecs[] = {
    {"ascii", B("abc"), 1},
    {"empty", B(""), 1},
    {"raw NUL", {"a\0b", 3}, 1},
    {"2-byte first", B("\xc2\x80"), 1},
    {"2-byte last", B("\xdf\xbf"), 1},
    {"3-byte first", B("\xe0\xa0\x80"), 1},
    {"3-byte CJK", B("\xe4\xb8\xad"), 1},
    {"3-byte before surrogates", B("\xed\x9f\xbf"), 1},
    {"3-byte after surrogates", B("\xee\x80\x80"), 1},
    {"3-byte last", B("\xef\xbf\xbf"), 1},
    {"4-byte first", B("\xf0\x90\x80\x80"), 1},
    {"4-byte emoji", B("\xf0\x9f\x98\x80"), 1},
    {"4-byte plane 15", B("\xf3\xbf\xbf\xbf"), 1},
    {"4-byte last", B("\xf4\x8f\xbf\xbf"), 1},
    {"mixed", B("a\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80z"), 1},
    {"overlong C0 80", B("\xc0\x80"), 0},
    {"overlong C1 BF", B("\xc1\xbf"), 0},
    {"overlong E0 80 80", B("\xe0\x80\x80"), 0},
    {"overlong E0 9F BF", B("\xe0\x9f\xbf"), 0},
    {"overlong F0 80 80 80", B("\xf0\x80\x80\x80"), 0},
    {"overlong F0 8F BF BF", B("\xf0\x8f\xbf\xbf"), 0},
    {"surrogate ED A0 80", B("\xed\xa0\x80"), 0},
    {"surrogate ED BF BF", B("\xed\xbf\xbf"), 0},
    {"surrogate pair in UTF-8", B("\xed\xa0\xbd\xed\xb8\x80"), 0},
    {"above max F4 90 80 80", B("\xf4\x90\x80\x80"), 0},
    {"F5", B("\xf5\x80\x80\x80"), 0},
    {"FE", B("\xfe"), 0},
    {"FF", B("\xff"), 0},
    {"stray continuation 80", B("\x80"), 0},
    {"stray continuation BF after ascii", B("a\xbf"), 0},
    {"extra continuation", B("\xc3\xa9\xa9"), 0},
    {"truncated 2 at end", B("a\xc3"), 0},
    {"truncated 3 at end", B("\xe4\xb8"), 0},
    {"truncated 4 at end", B("\xf0\x9f\x98"), 0},
    {"truncated 2 then ascii", B("\xc3" "A"), 0},
    {"truncated 3 then ascii", B("\xe4" "A\xad"), 0},
    {"truncated 4 then ascii", B("\xf0\x9f" "AA"), 0},
    {"5-byte form", B("\xf8\x88\x80\x80\x80"), 0},
};

static void test_utf8(void)
{
    size_t i;

    for (i = 0; i < sizeof utf8_vecs / sizeof utf8_vecs[0]; i++) {
        const struct utf8_vec *v = &utf8_vecs[i];
        struct tvc_json_tok toks[2];
        struct tvc_json j;
        struct tvc_jw w;
        char doc[32], out[32], wbuf[64];
        size_t n;
        int has_nul = memchr(v->s.p, 0, v->s.len) != NULL;

        h_begin(v->name);
        CHECK_EQ(tvc_utf8_check(v->s.p, v->s.len), v->ok ? 0 : TVC_ERR_UTF8);
        /* as raw bytes inside a JSON string (raw NUL is a parse error) */
        if (!has_nul) {
            doc[0] = '"';
            memcpy(doc + 1, v->s.p, v->s.len);
            doc[v->s.len + 1] = '"';
            CHECK_EQ(parse(&j, doc, v->s.len + 2, toks), 1);
            CHECK_EQ(tvc_json_string(&j, 0, out, sizeof out, &n), v->ok ? 0 : TVC_ERR_UTF8);
            if (v->ok)
                CHECK_MEM(out, n, v->s.p, v->s.len);
            CHECK_EQ(tvc_json_string_eq(&j, 0, v->ok ? v->s.p : ""), v->ok);
            if (!v->ok) /* an invalid string is not equal even to its own bytes */
                CHECK_EQ(tvc_json_string_eq(&j, 0, v->s.p), 0);
        }
        /* the writer refuses invalid UTF-8 */
        tvc_jw_init(&w, wbuf, sizeof wbuf);
        tvc_jw_string(&w, v->s.p, v->s.len);
        CHECK_EQ(tvc_jw_finish(&w) < 0 ? tvc_jw_finish(&w) : 0, v->ok ? 0 : TVC_ERR_UTF8);
        if (!v->ok)
            CHECK_STR(wbuf, "");
        h_end();
    }
    h_begin("utf8 NULL");
    CHECK_EQ(tvc_utf8_check(NULL, 0), 0);
    CHECK_EQ(tvc_utf8_check(NULL, 1), TVC_ERR_ARG);
    h_end();
}

/* A second, independent UTF-8 validator (by decoding) for random bytes. */
static int ref_utf8_ok(const unsigned char *s, size_t len)
{
    size_t i = 0, n, k;
    unsigned long cp, min;

    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if (i + n > len)
            return 0;
        for (k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n;
    }
    return 1;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static void test_utf8_random(void)
{
    unsigned char s[8];
    int i, k, n, bad = 0;
    static const unsigned char pick[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                         0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEE, 0xEF,
                                         0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};

    for (i = 0; i < 200000; i++) {
        n = (int)(rnd() % 8);
        for (k = 0; k < n; k++)
            s[k] = (rnd() & 1) ? pick[rnd() % sizeof pick] : (unsigned char)rnd();
        if ((tvc_utf8_check((const char *)s, (size_t)n) == 0) != ref_utf8_ok(s, (size_t)n))
            bad++;
    }
    CHECK_EQ(bad, 0);
}

/* ------------------------------------------------------------------ */
/* Numbers                                                             */

static const struct int_vec {
    const char *text;
    int err;
    int64_t v;
} int_vecs[] = {
    {"0", 0, 0},
    {"-0", 0, 0},
    {"-0.0e5", 0, 0},
    {"0.000", 0, 0},
    {"0e999999999999", 0, 0},
    {"7", 0, 7},
    {"-7", 0, -7},
    {"180", 0, 180},
    {"180.0", 0, 180},
    {"180.000e0", 0, 180},
    {"1e3", 0, 1000},
    {"1E+3", 0, 1000},
    {"-1.5e1", 0, -15},
    {"1.25e2", 0, 125},
    {"120e-1", 0, 12},
    {"100000000000000000000e-2", 0, INT64_C(1000000000000000000)},
    {"12345678901234567890e-1", 0, INT64_C(1234567890123456789)},
    {"1e18", 0, INT64_C(1000000000000000000)},
    {"9223372036854775807", 0, INT64_MAX},
    {"9.223372036854775807e18", 0, INT64_MAX},
    {"-9223372036854775807", 0, -INT64_MAX},
    {"-9223372036854775808", 0, INT64_MIN},
    {"-9.223372036854775808e18", 0, INT64_MIN},
    {"-92233720368547758080e-1", 0, INT64_MIN},
    {"1.5", TVC_ERR_JSON_TYPE, 0},
    {"0.5", TVC_ERR_JSON_TYPE, 0},
    {"-0.1", TVC_ERR_JSON_TYPE, 0},
    {"1.25e1", TVC_ERR_JSON_TYPE, 0},
    {"12e-1", TVC_ERR_JSON_TYPE, 0},
    {"1e-1", TVC_ERR_JSON_TYPE, 0},
    {"1.0000000000000000000001", TVC_ERR_JSON_TYPE, 0},
    {"1e-999999999999", TVC_ERR_JSON_TYPE, 0},
    {"12345678901234567890.5", TVC_ERR_JSON_TYPE, 0},
    {"9223372036854775808", TVC_ERR_JSON_RANGE, 0},
    {"-9223372036854775809", TVC_ERR_JSON_RANGE, 0},
    {"9.223372036854775808e18", TVC_ERR_JSON_RANGE, 0},
    {"10000000000000000000", TVC_ERR_JSON_RANGE, 0},
    {"18446744073709551616", TVC_ERR_JSON_RANGE, 0},
    {"99999999999999999999", TVC_ERR_JSON_RANGE, 0},
    {"1e19", TVC_ERR_JSON_RANGE, 0},
    {"-1e19", TVC_ERR_JSON_RANGE, 0},
    {"1.5e400", TVC_ERR_JSON_RANGE, 0},
    {"1e999999999999", TVC_ERR_JSON_RANGE, 0},
};

static void test_int(void)
{
    size_t i;

    for (i = 0; i < sizeof int_vecs / sizeof int_vecs[0]; i++) {
        const struct int_vec *v = &int_vecs[i];
        struct tvc_json_tok toks[2];
        struct tvc_json j;
        int64_t got = 12345;

        h_begin(v->text);
        CHECK_EQ(parse(&j, v->text, strlen(v->text), toks), 1);
        CHECK_EQ(tvc_json_int(&j, 0, &got), v->err);
        if (v->err == 0)
            CHECK(got == v->v);
        else
            CHECK_EQ(got, 12345); /* untouched on error */
        h_end();
    }
}

static void test_num_types(void)
{
    struct tvc_json_tok toks[8];
    struct tvc_json j;
    int64_t i64;

    CHECK_EQ(parse(&j, "[\"1\",true,null,{},1]", 20, toks), 6);
    CHECK_EQ(tvc_json_int(&j, 1, &i64), TVC_ERR_JSON_TYPE);
    CHECK_EQ(tvc_json_int(&j, 2, &i64), TVC_ERR_JSON_TYPE);
    CHECK_EQ(tvc_json_int(&j, 3, &i64), TVC_ERR_JSON_TYPE);
    CHECK_EQ(tvc_json_int(&j, 4, &i64), TVC_ERR_JSON_TYPE);
    CHECK_EQ(tvc_json_int(&j, 0, &i64), TVC_ERR_JSON_TYPE);
    CHECK_EQ(tvc_json_int(&j, 6, &i64), TVC_ERR_ARG);
    CHECK_EQ(tvc_json_int(&j, 5, NULL), TVC_ERR_ARG);
    CHECK_EQ(tvc_json_fixed(&j, 1, 3, &i64), TVC_ERR_JSON_TYPE);
    CHECK_EQ(tvc_json_fixed(&j, 6, 3, &i64), TVC_ERR_ARG);
    CHECK_EQ(tvc_json_fixed(&j, 5, 19, &i64), TVC_ERR_ARG);
    CHECK_EQ(tvc_json_fixed(&j, 5, 3, NULL), TVC_ERR_ARG);
    CHECK_EQ(tvc_json_int(&j, 5, &i64), 0);
    CHECK_EQ(i64, 1);
}

static const struct fix_vec {
    const char *text;
    unsigned dec;
    int err;
    int64_t v;
} fix_vecs[] = {
    {"0", 3, 0, 0},
    {"-0", 3, 0, 0},
    {"0.0e-999", 3, 0, 0},
    {"180", 3, 0, 180000},
    {"180.5", 3, 0, 180500},
    {"180.5", 0, 0, 181},          /* half away from zero */
    {"-180.5", 0, 0, -181},
    {"180.49999", 0, 0, 180},
    {"1.5e3", 0, 0, 1500},
    {"1.5E+3", 3, 0, 1500000},
    {"15e-1", 3, 0, 1500},
    {"0.0005", 3, 0, 1},
    {"0.00049999999999999999999", 3, 0, 0},
    {"-0.0005", 3, 0, -1},
    {"-0.0004", 3, 0, 0},
    {"0.00095", 3, 0, 1},
    {"0.0001", 3, 0, 0},
    {"1e-9", 3, 0, 0},
    {"5e-1", 0, 0, 1},
    {"4e-1", 0, 0, 0},
    {"9.9999", 3, 0, 10000},
    {"1e-99999999999999", 18, 0, 0},
    {"7", 18, 0, INT64_C(7000000000000000000)},
    {"9.223372036854775807", 18, 0, INT64_MAX},
    {"9.2233720368547758075", 18, TVC_ERR_JSON_RANGE, 0},
    {"-9.223372036854775808", 18, 0, INT64_MIN},
    {"-9.223372036854775809", 18, TVC_ERR_JSON_RANGE, 0},
    {"9223372036854775.807", 3, 0, INT64_MAX},
    {"9223372036854775.8074", 3, 0, INT64_MAX},
    {"9223372036854775.8075", 3, TVC_ERR_JSON_RANGE, 0},
    {"1e16", 3, TVC_ERR_JSON_RANGE, 0},
    {"1e99999999999999", 0, TVC_ERR_JSON_RANGE, 0},
    {"123456789012345678901234567890e-20", 3, 0, INT64_C(1234567890123)},
    {"123456789012345678901234567890e-20", 0, 0, INT64_C(1234567890)},
    {"0.000000000000000000000000000123456789012345678901234567890e30", 3, 0, INT64_C(123457)},
    {"9223372036854775807.5", 0, TVC_ERR_JSON_RANGE, 0},
    {"9223372036854775806.5", 0, 0, INT64_MAX},
};

static void test_fixed(void)
{
    size_t i;

    for (i = 0; i < sizeof fix_vecs / sizeof fix_vecs[0]; i++) {
        const struct fix_vec *v = &fix_vecs[i];
        struct tvc_json_tok toks[2];
        struct tvc_json j;
        int64_t got = 12345;

        h_begin(v->text);
        CHECK_EQ(parse(&j, v->text, strlen(v->text), toks), 1);
        CHECK_EQ(tvc_json_fixed(&j, 0, v->dec, &got), v->err);
        if (v->err == 0)
            CHECK(got == v->v);
        else
            CHECK_EQ(got, 12345); /* untouched on error */
        h_end();
    }
}

/*
 * Random mantissa, exponent and scale against a reference in 128-bit
 * integers: m * 10^(ex + dec), rounded half away from zero.  (Only where
 * the compiler has them: not on 32-bit targets such as the Cortex-M4
 * firmware test image, which runs every other case.)
 */
#ifdef __SIZEOF_INT128__
static void test_fixed_random(void)
{
    char text[64];
    int i, bad = 0, n = 0;
    struct tvc_json_tok toks[2];
    struct tvc_json j;

    for (i = 0; i < 200000; i++) {
        int nd = 1 + (int)(rnd() % 19), neg = (int)(rnd() & 1), k, pos = 0, rc, want_rc = 0;
        int ex = (int)(rnd() % 50) - 35, dec = (int)(rnd() % 19), s;
        __int128 m = 0, ref = 0, p10 = 1;
        int64_t got = 0;

        if (neg)
            text[pos++] = '-';
        for (k = 0; k < nd; k++) {
            int dg = (int)(k == 0 ? 1 + rnd() % 9 : rnd() % 10);
            text[pos++] = (char)('0' + dg);
            m = m * 10 + dg;
        }
        snprintf(text + pos, sizeof text - (size_t)pos, "e%d", ex);
        s = ex + dec;
        if (s >= 0) {
            if (nd + s > 25) {
                want_rc = TVC_ERR_JSON_RANGE;
            } else {
                for (k = 0; k < s; k++)
                    p10 *= 10;
                ref = m * p10;
            }
        } else if (-s > 30) {
            ref = 0;
        } else {
            for (k = 0; k < -s; k++)
                p10 *= 10;
            ref = (m + p10 / 2) / p10; /* m >= 0: half rounds up in magnitude */
        }
        if (neg)
            ref = -ref;
        if (want_rc == 0 && (ref > INT64_MAX || ref < INT64_MIN))
            want_rc = TVC_ERR_JSON_RANGE;
        if (parse(&j, text, strlen(text), toks) != 1) {
            bad++;
            continue;
        }
        rc = tvc_json_fixed(&j, 0, (unsigned)dec, &got);
        n++;
        if (rc != want_rc || (rc == 0 && got != (int64_t)ref)) {
            if (bad++ < 5)
                printf("fixed mismatch %s dec %d: rc %d got %lld want rc %d\n", text, dec, rc,
                       (long long)got, want_rc);
        }
    }
    CHECK_EQ(bad, 0);
    if (getenv("TVC_TEST_VERBOSE"))
        printf("fixed random: %d values\n", n);
}
#endif

/* src/chars.h: the divide-free v / d, decimal text and the saturating decimal reader. */
static void test_chars(void)
{
    static const uint64_t edge[] = {0, 1, 9, 10, 11, 99, 100, 101, 4294967295u, 4294967296u,
                                    UINT64_C(9999999999999999999), UINT64_C(10000000000000000000),
                                    UINT64_MAX - 1, UINT64_MAX};
    uint64_t v, q;
    unsigned r;
    size_t i;
    int bad = 0, k;

    for (i = 0; i < sizeof edge / sizeof edge[0] + 400000; i++) {
        if (i < sizeof edge / sizeof edge[0]) {
            v = edge[i];
        } else {
            v = (uint64_t)rnd() << 32 | rnd();
            v >>= rnd() % 64;
        }
        for (k = -1; k <= 1; k++) {
            static const unsigned ds[] = {10, 60, 1, 7, 0x80000000u};
            uint64_t x = v + (uint64_t)(int64_t)k;
            unsigned d = ds[(i + (size_t)(k + 1)) % 5];
            q = tvc_ch_divu(x, 10, &r);
            if (q != x / 10 || r != x % 10)
                bad++;
            q = tvc_ch_divu(x, d, &r);
            if (q != x / d || r != x % d)
                bad++;
        }
    }
    CHECK_EQ(bad, 0);
    {
        static const struct { int64_t v; const char *s; } f[] = {
            {0, "0"}, {7, "7"}, {-7, "-7"}, {10, "10"}, {-1000000, "-1000000"},
            {INT64_MAX, "9223372036854775807"}, {INT64_MIN, "-9223372036854775808"}};
        char buf[CH_I64_MAX + 1], *s;
        for (i = 0; i < sizeof f / sizeof f[0]; i++) {
            buf[CH_I64_MAX] = '\0';
            s = tvc_ch_i64(buf + CH_I64_MAX, f[i].v);
            CHECK(s >= buf);
            CHECK_STR(s, f[i].s);
        }
        CHECK(strlen(tvc_ch_hexd) == 16 && tvc_ch_hexd[10] == 'a');
        CHECK(tvc_ch_streq("", "") && tvc_ch_streq("end", "end"));
        CHECK(!tvc_ch_streq("end", "en") && !tvc_ch_streq("en", "end") &&
              !tvc_ch_streq("", "x") && !tvc_ch_streq("x", "") && !tvc_ch_streq("abc", "abd"));
    }
    CHECK_EQ(ch_dec("123x", 4, 1000, &v), 3);
    CHECK(v == 123);
    CHECK_EQ(ch_dec("99999999999999999999999", 23, 1000, &v), 23); /* saturates */
    CHECK(v == 1000);
    CHECK_EQ(ch_dec("18446744073709551615", 20, UINT64_MAX, &v), 20);
    CHECK(v == UINT64_MAX);
    CHECK_EQ(ch_dec("", 0, 10, &v), 0);
    CHECK(v == 0);
    for (k = -128; k < 256; k++) { /* every byte, as char and as unsigned char */
        int want = k > 0 && k < 128 &&
                   ((k >= '0' && k <= '9') || (k >= 'a' && k <= 'z') || (k >= 'A' && k <= 'Z') ||
                    strchr("!#$%&'*+-.^_`|~", k) != NULL);
        if (ch_tchar(k) != want)
            bad++;
    }
    CHECK_EQ(bad, 0);
    CHECK(ch_tchar('!') && ch_tchar('~') && ch_tchar('z') && !ch_tchar(' ') && !ch_tchar(':') &&
          !ch_tchar(0) && !ch_tchar(-20) && !ch_tchar(0x80));
    CHECK(ch_hexval('f') == 15 && ch_hexval('F') == 15 && ch_hexval('0') == 0 &&
          ch_hexval('g') == -1 && ch_hexval('/') == -1 && ch_hexval(':') == -1);
    CHECK(ch_lower('Q') == 'q' && ch_lower('q') == 'q' && ch_lower('[') == '[');
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */

static int jw_text(struct tvc_jw *w, const char *want)
{
    int n = tvc_jw_finish(w);
    if (n < 0) {
        printf("  finish error %d\n", n);
        return 0;
    }
    if ((size_t)n != strlen(want) || strcmp(w->buf, want) != 0) {
        printf("  got  %s\n  want %s\n", w->buf, want);
        return 0;
    }
    return 1;
}

static void test_writer_basic(void)
{
    char buf[256];
    struct tvc_jw w;

#if TVC_JSON_MAX_DEPTH >= 3 /* the first document nests 3 deep */

    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_object_begin(&w);
    tvc_jw_key(&w, "a");
    tvc_jw_int(&w, 1);
    tvc_jw_key(&w, "b");
    tvc_jw_array_begin(&w);
    tvc_jw_bool(&w, 1);
    tvc_jw_bool(&w, 0);
    tvc_jw_null(&w);
    tvc_jw_cstr(&w, NULL);
    tvc_jw_cstr(&w, "s");
    tvc_jw_string(&w, NULL, 0);
    tvc_jw_array_begin(&w);
    tvc_jw_array_end(&w);
    tvc_jw_object_begin(&w);
    tvc_jw_object_end(&w);
    tvc_jw_object_begin(&w);
    tvc_jw_key(&w, "x");
    tvc_jw_array_begin(&w);
    tvc_jw_int(&w, -2);
    tvc_jw_array_end(&w);
    tvc_jw_object_end(&w);
    tvc_jw_array_end(&w);
    tvc_jw_key(&w, "k\"\n");
    tvc_jw_string(&w, "v/", 2);
    tvc_jw_object_end(&w);
    CHECK(jw_text(&w, "{\"a\":1,\"b\":[true,false,null,null,\"s\",\"\",[],{},{\"x\":[-2]}],"
                      "\"k\\\"\\n\":\"v/\"}"));
#endif

    /* bare top-level values */
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_int(&w, 42);
    CHECK(jw_text(&w, "42"));
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_cstr(&w, "x");
    CHECK(jw_text(&w, "\"x\""));
    tvc_jw_init(&w, buf, sizeof buf);
    CHECK_EQ(tvc_jw_finish(&w), 0);
    CHECK_STR(buf, "");
}

static const struct jw_int_vec {
    int64_t v;
    const char *text;
} jw_int_vecs[] = {
    {0, "0"},
    {1, "1"},
    {-1, "-1"},
    {9, "9"},
    {10, "10"},
    {-10, "-10"},
    {1234567890, "1234567890"},
    {INT64_C(-1000000000000000000), "-1000000000000000000"},
    {INT64_MAX, "9223372036854775807"},
    {-INT64_MAX, "-9223372036854775807"},
    {INT64_MIN, "-9223372036854775808"},
};

static void test_writer_int(void)
{
    size_t i;
    char buf[32];
    struct tvc_jw w;
    struct tvc_json_tok toks[2];
    struct tvc_json j;
    int64_t back;

    for (i = 0; i < sizeof jw_int_vecs / sizeof jw_int_vecs[0]; i++) {
        tvc_jw_init(&w, buf, sizeof buf);
        tvc_jw_int(&w, jw_int_vecs[i].v);
        CHECK(jw_text(&w, jw_int_vecs[i].text));
        CHECK_EQ(parse(&j, buf, strlen(buf), toks), 1);
        CHECK_EQ(tvc_json_int(&j, 0, &back), 0);
        CHECK(back == jw_int_vecs[i].v);
    }
}

/* Exact escaping of every byte that needs it. */
static void test_writer_escapes(void)
{
    static const char *const ctl[32] = {
        "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
        "\\b", "\\t", "\\n", "\\u000b", "\\f", "\\r", "\\u000e", "\\u000f",
        "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
        "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f"};
    char buf[64], want[64];
    struct tvc_jw w;
    int c;

    for (c = 0; c < 32; c++) {
        char s[3] = {'a', (char)c, 'b'};
        tvc_jw_init(&w, buf, sizeof buf);
        tvc_jw_string(&w, s, 3);
        snprintf(want, sizeof want, "\"a%sb\"", ctl[c]);
        CHECK(jw_text(&w, want));
    }
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_string(&w, "\x7f\"\\/", 4);
    CHECK(jw_text(&w, "\"\\u007f\\\"\\\\/\""));
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_cstr(&w, "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80"); /* non-ASCII kept as is */
    CHECK(jw_text(&w, "\"\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\""));
}

/* Write strings, parse them back, compare byte-exact. */
static int round_trip(const char *s, size_t len)
{
    static char buf[4096];
    struct tvc_json_tok toks[8];
    struct tvc_json j;
    struct tvc_jw w;
    char out[1024], cs[1024]; /* cs: s as a C string, when it has no NUL */
    size_t n;
    int v, ok = 1, has_nul = memchr(s, 0, len) != NULL;

    if (len >= sizeof cs)
        return 0;
    memcpy(cs, s, len);
    cs[len] = '\0';

    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_object_begin(&w);
    tvc_jw_key(&w, "k");
    tvc_jw_string(&w, s, len);
    tvc_jw_key(&w, "after");
    tvc_jw_int(&w, 1);
    tvc_jw_object_end(&w);
    if (tvc_jw_finish(&w) <= 0)
        return 0;
    if (parse(&j, buf, strlen(buf), toks) != 5)
        return 0;
    v = tvc_json_find(&j, 0, "k");
    if (tvc_json_string(&j, v, out, sizeof out, &n) != 0 || n != len || memcmp(out, s, len) != 0)
        ok = 0;
    if (!has_nul && !tvc_json_string_eq(&j, v, cs))
        ok = 0;
    /* the same text as a key */
    if (ok && !has_nul) {
        tvc_jw_init(&w, buf, sizeof buf);
        tvc_jw_object_begin(&w);
        tvc_jw_key(&w, cs);
        tvc_jw_int(&w, 7);
        tvc_jw_object_end(&w);
        if (tvc_jw_finish(&w) <= 0 || parse(&j, buf, strlen(buf), toks) != 3 ||
            tvc_json_find(&j, 0, cs) != 2)
            ok = 0;
    }
    return ok;
}

static void test_writer_round_trip(void)
{
    static const struct bytes vecs[] = {
        B(""),
        B("plain"),
        B("say \"hi\""),
        B("back\\slash\\"),
        B("\\\"\\\""),
        B("\x7f"),
        B("caf\xc3\xa9"),
        B("\xe4\xb8\xad\xe6\x96\x87"),
        B("\xf0\x9f\x98\x80 smile"),
        B("a/b</script>"),
        {"\0", 1},
        {"a\0b\0", 4},
    };
    char all[32 + 1];
    size_t i;
    int c;

    for (i = 0; i < sizeof vecs / sizeof vecs[0]; i++)
        CHECK(round_trip(vecs[i].p, vecs[i].len));
    for (c = 0; c < 32; c++)
        all[c] = (char)c;
    all[32] = 0x7f;
    CHECK(round_trip(all, sizeof all));
    CHECK(round_trip(all + 1, sizeof all - 1));
}

/* Random valid UTF-8 strings (controls, quotes, all planes) round trip. */
static void test_writer_random(void)
{
    char s[256];
    int i, bad = 0;

    for (i = 0; i < 5000; i++) {
        size_t len = 0;
        int nch = (int)(rnd() % 40), k;
        for (k = 0; k < nch; k++) {
            unsigned long cp;
            switch (rnd() % 6) {
            case 0: cp = rnd() % 0x20; break;             /* controls */
            case 1: cp = "\"\\/\x7f"[rnd() % 4]; break;   /* specials */
            case 2: cp = 0x20 + rnd() % 0x60; break;      /* ASCII */
            case 3: cp = 0x80 + rnd() % 0x780; break;     /* 2 bytes */
            case 4:                                       /* 3 bytes, no surrogates */
                do cp = 0x800 + rnd() % 0xF800; while (cp >= 0xD800 && cp <= 0xDFFF);
                break;
            default: cp = 0x10000 + rnd() % 0x100000; break; /* 4 bytes */
            }
            if (cp < 0x80) {
                s[len++] = (char)cp;
            } else if (cp < 0x800) {
                s[len++] = (char)(0xC0 | cp >> 6);
                s[len++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                s[len++] = (char)(0xE0 | cp >> 12);
                s[len++] = (char)(0x80 | (cp >> 6 & 0x3F));
                s[len++] = (char)(0x80 | (cp & 0x3F));
            } else {
                s[len++] = (char)(0xF0 | cp >> 18);
                s[len++] = (char)(0x80 | (cp >> 12 & 0x3F));
                s[len++] = (char)(0x80 | (cp >> 6 & 0x3F));
                s[len++] = (char)(0x80 | (cp & 0x3F));
            }
        }
        if (tvc_utf8_check(s, len) != 0 || !round_trip(s, len))
            bad++;
    }
    CHECK_EQ(bad, 0);
}

/* The same document at every buffer size: NOSPACE until it fits, the buffer
 * never overrun, always NUL-terminated, always a prefix of the full text. */
static void write_doc(struct tvc_jw *w)
{
#if TVC_JSON_MAX_DEPTH < 3
    tvc_jw_array_begin(w);
    tvc_jw_cstr(w, "caf\xc3\xa9 \"x\"\n\x01");
    tvc_jw_int(w, INT64_MIN);
    tvc_jw_bool(w, 1);
    tvc_jw_null(w);
    tvc_jw_array_end(w);
    return;
#endif
    tvc_jw_object_begin(w);
    tvc_jw_key(w, "name");
    tvc_jw_cstr(w, "caf\xc3\xa9 \"x\"\n\x01");
    tvc_jw_key(w, "n");
    tvc_jw_int(w, INT64_MIN);
    tvc_jw_key(w, "list");
    tvc_jw_array_begin(w);
    tvc_jw_bool(w, 1);
    tvc_jw_null(w);
    tvc_jw_object_begin(w);
    tvc_jw_object_end(w);
    tvc_jw_array_end(w);
    tvc_jw_object_end(w);
}

static void test_writer_nospace(void)
{
    char full[256], buf[256 + 16];
    struct tvc_jw w;
    int len, r;
    size_t cap, k;

    tvc_jw_init(&w, full, sizeof full);
    write_doc(&w);
    len = tvc_jw_finish(&w);
    CHECK(len > 0);
    if (len <= 0)
        return;
    for (cap = 0; cap <= (size_t)len + 1; cap++) {
        memset(buf, 0x55, sizeof buf);
        tvc_jw_init(&w, buf, cap);
        write_doc(&w);
        r = tvc_jw_finish(&w);
        if (cap == (size_t)len + 1) {
            CHECK_EQ(r, len);
            CHECK_STR(buf, full);
        } else {
            CHECK_EQ(r, TVC_ERR_NOSPACE);
            CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_NOSPACE); /* sticky */
            if (cap > 0) {
                size_t n = strlen(buf);
                CHECK(n < cap);
                CHECK(memcmp(buf, full, n) == 0);
            }
        }
        for (k = cap; k < sizeof buf; k++)
            if ((unsigned char)buf[k] != 0x55)
                break;
        CHECK_EQ(k, sizeof buf);
    }
}

static void test_writer_state(void)
{
    char buf[512];
    struct tvc_jw w;
    int i;

    /* key outside an object */
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_key(&w, "a");
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_STATE);
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_array_begin(&w);
    tvc_jw_key(&w, "a");
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_STATE);
    /* value without a key */
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_object_begin(&w);
    tvc_jw_int(&w, 1);
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_STATE);
    CHECK_STR(buf, "{");
    /* two values for one key */
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_object_begin(&w);
    tvc_jw_key(&w, "a");
    tvc_jw_int(&w, 1);
    tvc_jw_int(&w, 2);
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_STATE);
    /* key after key */
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_object_begin(&w);
    tvc_jw_key(&w, "a");
    tvc_jw_key(&w, "b");
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_STATE);
    /* close with a key pending */
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_object_begin(&w);
    tvc_jw_key(&w, "a");
    tvc_jw_object_end(&w);
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_STATE);
    /* finish with a key pending / unbalanced */
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_object_begin(&w);
    tvc_jw_key(&w, "a");
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_STATE);
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_array_begin(&w);
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_STATE);
    /* wrong closer, nothing to close */
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_array_begin(&w);
    tvc_jw_object_end(&w);
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_STATE);
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_object_begin(&w);
    tvc_jw_array_end(&w);
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_STATE);
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_array_end(&w);
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_STATE);
    /* two top-level values */
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_int(&w, 1);
    tvc_jw_int(&w, 2);
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_STATE);
    CHECK_STR(buf, "1");
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_object_begin(&w);
    tvc_jw_object_end(&w);
    tvc_jw_array_begin(&w);
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_STATE);
    /* depth: MAX is fine, MAX + 1 is not */
    tvc_jw_init(&w, buf, sizeof buf);
    for (i = 0; i < TVC_JSON_MAX_DEPTH; i++)
        tvc_jw_array_begin(&w);
    for (i = 0; i < TVC_JSON_MAX_DEPTH; i++)
        tvc_jw_array_end(&w);
    CHECK_EQ(tvc_jw_finish(&w), 2 * TVC_JSON_MAX_DEPTH);
    tvc_jw_init(&w, buf, sizeof buf);
    for (i = 0; i <= TVC_JSON_MAX_DEPTH; i++)
        tvc_jw_object_begin(&w), tvc_jw_key(&w, "k");
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_STATE);
    /* sticky: the first error is kept, later calls change nothing */
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_array_begin(&w);
    tvc_jw_int(&w, 1);
    tvc_jw_string(&w, "\xff", 1);
    CHECK_STR(buf, "[1");
    tvc_jw_object_end(&w);
    tvc_jw_int(&w, 2);
    tvc_jw_array_end(&w);
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_UTF8);
    CHECK_STR(buf, "[1");
    /* invalid key */
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_object_begin(&w);
    tvc_jw_key(&w, "\xc0\x80");
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_UTF8);
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_object_begin(&w);
    tvc_jw_key(&w, NULL);
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_ARG);
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_string(&w, NULL, 3);
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_ARG);
    /* bad buffers */
    tvc_jw_init(&w, NULL, 10);
    tvc_jw_int(&w, 1);
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_ARG);
    tvc_jw_init(&w, NULL, 0);
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_NOSPACE);
    tvc_jw_init(&w, buf, 1);
    tvc_jw_int(&w, 1);
    CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_NOSPACE);
    CHECK_STR(buf, "");
    CHECK_EQ(tvc_jw_finish(NULL), TVC_ERR_ARG);
    tvc_jw_int(NULL, 1); /* must not crash */
    tvc_jw_init(NULL, buf, sizeof buf);
}

/* ------------------------------------------------------------------ */
/* Over-read: each document ends right at an unmapped page             */

static void read_everything(const char *doc, size_t len)
{
    struct tvc_json_tok toks[MAXTOK];
    struct tvc_json j;
    char out[64];
    size_t n;
    int i, r, b;
    int64_t i64;
    struct tvc_slice s;

    (void)tvc_json_parse(NULL, doc, len, NULL, 0);
    (void)tvc_json_parse(&j, doc, len, toks, 1);
    r = tvc_json_parse(&j, doc, len, toks, MAXTOK);
    for (i = 0; i < r; i++) {
        (void)tvc_json_raw(&j, i, &s);
        (void)tvc_json_next(&j, i);
        switch (tvc_json_kind(&j, i)) {
        case TVC_JSON_STRING:
            (void)tvc_json_string(&j, i, out, sizeof out, &n);
            (void)tvc_json_string(&j, i, out, 2, &n);
            (void)tvc_json_string_eq(&j, i, "status");
            (void)tvc_json_string_eq(&j, i, "");
            break;
        case TVC_JSON_NUMBER:
            (void)tvc_json_int(&j, i, &i64);
            (void)tvc_json_fixed(&j, i, 3, &i64);
            break;
        case TVC_JSON_OBJECT:
            (void)tvc_json_find(&j, i, "a");
            (void)tvc_json_find(&j, i, "status");
            break;
        default:
            (void)tvc_json_bool(&j, i, &b);
            (void)tvc_json_is_null(&j, i);
        }
    }
}

static void test_overread(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *map = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *end;
    size_t i;

    CHECK(map != MAP_FAILED);
    if (map == MAP_FAILED)
        return;
    CHECK_EQ(mprotect(map + pg, (size_t)pg, PROT_NONE), 0);
    end = map + pg;
#define AT_END(p, l) (memcpy(end - (l), (p), (l)), read_everything(end - (l), (l)))
    for (i = 0; i < sizeof valid_docs / sizeof valid_docs[0]; i++)
        AT_END(valid_docs[i].doc.p, valid_docs[i].doc.len);
    for (i = 0; i < sizeof invalid_docs / sizeof invalid_docs[0]; i++)
        AT_END(invalid_docs[i].doc.p, invalid_docs[i].doc.len);
    for (i = 0; i < sizeof str_vecs / sizeof str_vecs[0]; i++) {
        size_t k;
        AT_END(str_vecs[i].doc.p, str_vecs[i].doc.len);
        /* and every prefix of it (incomplete strings, cut escapes) */
        for (k = 0; k < str_vecs[i].doc.len; k++)
            AT_END(str_vecs[i].doc.p, k);
    }
    for (i = 0; i < sizeof int_vecs / sizeof int_vecs[0]; i++)
        AT_END(int_vecs[i].text, strlen(int_vecs[i].text));
    for (i = 0; i < sizeof fix_vecs / sizeof fix_vecs[0]; i++)
        AT_END(fix_vecs[i].text, strlen(fix_vecs[i].text));
    {
        static const char *const more[] = {
            "{\"status\":\"done\",\"a\":[1,2,{\"b\":null}]}", "{\"a\"", "{\"a\":", "[1.", "[-",
            "\"\\ud83d\\ude0", "\"\\ud83d\\u", "\"\\ud83d", "\"\xf0\x9f\x98", "{\"\\u0073tat"};
        for (i = 0; i < sizeof more / sizeof more[0]; i++)
            AT_END(more[i], strlen(more[i]));
    }
    /* every prefix of a realistic API answer */
    {
        static const char answer[] =
            "{\"code\":200,\"msg\":\"ok\",\"data\":{\"taskId\":\"t-1\",\"status\":\"SUCCESS\","
            "\"progress\":1.0,\"urls\":[\"https://x/y.mp4\"],\"err\":null,\"flag\":true}}";
        size_t k;
        for (k = 0; k <= sizeof answer - 1; k++)
            AT_END(answer, k);
    }
#undef AT_END
    munmap(map, (size_t)pg * 2);
}

/* Fixed-point numbers (generationTime in ms written as seconds): exact
 * text, and the text parses back to the same value. */
static void test_writer_fixed(void)
{
    static const struct { int64_t v; unsigned d; const char *want; } t[] = {
        {180000, 3, "180"}, {180500, 3, "180.5"}, {7, 3, "0.007"}, {0, 3, "0"},
        {-1500, 3, "-1.5"}, {123456789, 3, "123456.789"}, {10, 0, "10"}, {-7, 3, "-0.007"},
        {INT64_MAX, 18, "9.223372036854775807"}, {INT64_MIN, 0, "-9223372036854775808"},
    };
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        char buf[64];
        struct tvc_jw w;
        struct tvc_json j;
        struct tvc_json_tok tok[2];
        int64_t fv = 0;
        tvc_jw_init(&w, buf, sizeof buf);
        tvc_jw_fixed(&w, t[i].v, t[i].d);
        CHECK_EQ(tvc_jw_finish(&w), (long long)strlen(t[i].want));
        CHECK_STR(buf, t[i].want);
        CHECK_EQ(tvc_json_parse(&j, buf, strlen(buf), tok, 2), 1);
        CHECK_EQ(tvc_json_fixed(&j, 0, t[i].d, &fv), 0);
        CHECK(fv == t[i].v); /* what the writer wrote reads back exactly */
    }
    {
        char buf[8];
        struct tvc_jw w;
        tvc_jw_init(&w, buf, sizeof buf);
        tvc_jw_fixed(&w, 1, 19);
        CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_ARG);
        tvc_jw_init(&w, buf, 4);
        tvc_jw_fixed(&w, 123456, 3);
        CHECK_EQ(tvc_jw_finish(&w), TVC_ERR_NOSPACE);
    }
}

int main(void)
{
    make_deep();
    RUN(test_writer_fixed);
    test_valid_docs(); /* table tests name each row themselves */
    test_invalid_docs();
    RUN(test_parse_args);
    RUN(test_kinds_raw);
    RUN(test_find);
    RUN(test_next);
    test_strings();
    RUN(test_string_args);
    RUN(test_truncation);
    test_utf8();
    RUN(test_utf8_random);
    test_int();
    RUN(test_num_types);
    test_fixed();
#ifdef __SIZEOF_INT128__
    RUN(test_fixed_random);
#endif
    RUN(test_chars);
    RUN(test_writer_basic);
    RUN(test_writer_int);
    RUN(test_writer_escapes);
    RUN(test_writer_round_trip);
    RUN(test_writer_random);
    RUN(test_writer_nospace);
    RUN(test_writer_state);
    RUN(test_overread);
    return h_summary();
}
