/* The JSON tokenizer and grammar check, the unescaper and the number
 * parsers, with the writer as their inverse.  Properties: counting tokens
 * agrees with tokenizing; a proper prefix of a valid object or array is
 * "need more"; every string that unescapes re-escapes (tvc_jw_string) to
 * text that unescapes to the same bytes, and a cut unescape is a prefix at
 * a UTF-8 boundary; integers and fixed-point numbers written back parse to
 * the same value; navigation stays inside the token array. */
#include "fuzz.h"
#include "tvc.h"

#define NTOK 512

static struct tvc_json_tok toks[NTOK], toks2[8];
static char s1[8192], s2[8192], w[20000], cut[64];

static void check_string(const struct tvc_json *j, int i)
{
    struct tvc_json j2;
    struct tvc_jw jw;
    size_t n1 = 0, n2 = 0, nc = 0;
    int rc = tvc_json_string(j, i, s1, sizeof s1, &n1), rc2, len;

    if (rc == TVC_ERR_NOSPACE)
        return;
    if (rc != 0) {
        FZ_CHECK(rc == TVC_ERR_JSON_ESCAPE || rc == TVC_ERR_UTF8);
        FZ_CHECK(s1[0] == '\0');
        FZ_CHECK(tvc_json_string(j, i, cut, sizeof cut, &nc) == rc); /* errors win at any cap */
        FZ_CHECK(!tvc_json_string_eq(j, i, ""));
        return;
    }
    FZ_CHECK(n1 < sizeof s1 && s1[n1] == '\0');
    FZ_CHECK(tvc_utf8_check(s1, n1) == 0);
    if (memchr(s1, 0, n1) == NULL)
        FZ_CHECK(tvc_json_string_eq(j, i, s1));
    /* a small buffer gets a prefix cut at a character boundary */
    rc2 = tvc_json_string(j, i, cut, sizeof cut, &nc);
    FZ_CHECK(rc2 == (n1 < sizeof cut ? 0 : TVC_ERR_NOSPACE));
    FZ_CHECK(nc <= n1 && memcmp(cut, s1, nc) == 0 && cut[nc] == '\0');
    FZ_CHECK(tvc_utf8_check(cut, nc) == 0);
    /* escape, then unescape: the same bytes */
    tvc_jw_init(&jw, w, sizeof w);
    tvc_jw_string(&jw, s1, n1);
    len = tvc_jw_finish(&jw);
    FZ_CHECK(len > 0);
    FZ_CHECK(tvc_json_parse(&j2, w, (size_t)len, toks2, 8) == 1);
    FZ_CHECK(tvc_json_string(&j2, 0, s2, sizeof s2, &n2) == 0);
    FZ_CHECK(n2 == n1 && memcmp(s1, s2, n1) == 0);
}

static void check_number(const struct tvc_json *j, int i)
{
    struct tvc_json j2;
    struct tvc_jw jw;
    int64_t v, v2;
    unsigned d;
    int len;

    if (tvc_json_int(j, i, &v) == 0) {
        tvc_jw_init(&jw, w, sizeof w);
        tvc_jw_int(&jw, v);
        len = tvc_jw_finish(&jw);
        FZ_CHECK(len > 0 && tvc_json_parse(&j2, w, (size_t)len, toks2, 8) == 1);
        FZ_CHECK(tvc_json_int(&j2, 0, &v2) == 0 && v2 == v);
        /* a whole number is its own fixed point at 0 decimals */
        FZ_CHECK(tvc_json_fixed(j, i, 0, &v2) == 0 && v2 == v);
    }
    for (d = 0; d <= 18; d += 3) {
        int rc = tvc_json_fixed(j, i, d, &v);
        FZ_CHECK(rc == 0 || rc == TVC_ERR_JSON_RANGE);
        if (rc != 0)
            continue;
        tvc_jw_init(&jw, w, sizeof w);
        tvc_jw_fixed(&jw, v, d);
        len = tvc_jw_finish(&jw);
        FZ_CHECK(len > 0 && tvc_json_parse(&j2, w, (size_t)len, toks2, 8) == 1);
        FZ_CHECK(tvc_json_fixed(&j2, 0, d, &v2) == 0 && v2 == v);
    }
    FZ_CHECK(tvc_json_fixed(j, i, 19, &v) == TVC_ERR_ARG);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tvc_json j;
    const char *doc = (const char *)data;
    int n, counted, i;

    n = tvc_json_parse(&j, doc, size, toks, NTOK);
    counted = tvc_json_parse(NULL, doc, size, NULL, 0);
    if (n != TVC_ERR_JSON_TOKENS)
        FZ_CHECK(counted == n);
    else
        FZ_CHECK(counted > NTOK || counted == TVC_ERR_JSON || counted == TVC_ERR_AGAIN);
    if (n <= 0) {
        FZ_CHECK(n == TVC_ERR_JSON || n == TVC_ERR_AGAIN || n == TVC_ERR_JSON_TOKENS);
        return 0;
    }
    FZ_CHECK(j.ntok == n);
    FZ_CHECK(tvc_json_next(&j, 0) == n);
    /* a proper prefix of an object or array is incomplete, never valid */
    {
        size_t end = size, k;
        int kind0 = tvc_json_kind(&j, 0);
        while (end > 0 && (doc[end - 1] == ' ' || doc[end - 1] == '\t' || doc[end - 1] == '\n' ||
                           doc[end - 1] == '\r'))
            end--;
        if (kind0 == TVC_JSON_OBJECT || kind0 == TVC_JSON_ARRAY || kind0 == TVC_JSON_STRING) {
            for (k = 0; k < 4 && end > 0; k++) {
                size_t cutlen = (size_t)((end - 1) * k / 4);
                FZ_CHECK(tvc_json_parse(NULL, doc, cutlen, NULL, 0) == TVC_ERR_AGAIN);
            }
            FZ_CHECK(tvc_json_parse(NULL, doc, end - 1, NULL, 0) == TVC_ERR_AGAIN);
        }
    }
    for (i = 0; i < n; i++) {
        int kind = tvc_json_kind(&j, i), nx = tvc_json_next(&j, i);
        struct tvc_slice raw;
        FZ_CHECK(kind >= TVC_JSON_OBJECT && kind <= TVC_JSON_NULL);
        FZ_CHECK(nx > i && nx <= n);
        FZ_CHECK(tvc_json_raw(&j, i, &raw) == 0);
        FZ_CHECK(raw.p >= doc && raw.p + raw.len <= doc + size);
        if (kind == TVC_JSON_STRING)
            check_string(&j, i);
        else if (kind == TVC_JSON_NUMBER)
            check_number(&j, i);
        else if (kind == TVC_JSON_OBJECT) {
            int v = tvc_json_find(&j, i, "status");
            FZ_CHECK(v == TVC_ERR_NOT_FOUND || (v > i && v < nx));
        } else {
            int b;
            FZ_CHECK(tvc_json_bool(&j, i, &b) == ((kind == TVC_JSON_TRUE || kind == TVC_JSON_FALSE)
                                                      ? 0 : TVC_ERR_JSON_TYPE));
            FZ_CHECK(tvc_json_is_null(&j, i) == (kind == TVC_JSON_NULL));
        }
    }
    FZ_CHECK(tvc_json_kind(&j, n) == TVC_JSON_INVALID);
    return 0;
}
