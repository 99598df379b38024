/* The streaming squeeze filter, fed in arbitrary segments.  Byte 0 picks
 * max_str and the buffer size; the rest is the answer text.  Properties:
 * the output (text, truncation bits, overflow) is the same whole, byte by
 * byte and in the input's segmentation; the buffer stays NUL-terminated
 * and inside its size; a text the parser accepts stays accepted with the
 * same tokens, strings and scalars of the same kinds. */
#include "fuzz.h"
#include "tvc.h"

struct out {
    char buf[4096];
    size_t len;
    unsigned truncated;
    int overflow, rc;
};

static void squeeze(struct out *o, const uint8_t *d, size_t n, size_t cap, size_t max_str,
                    int mode, struct fz_rng *rng)
{
    struct tvc_jsq q;
    size_t off = 0;

    memset(o, 0, sizeof *o);
    memset(o->buf, 0x55, sizeof o->buf);
    tvc_jsq_init(&q, o->buf, cap, max_str);
    o->rc = 0;
    while (off < n) {
        size_t seg = mode == 0 ? n - off : mode == 1 ? 1 : fz_seg(rng, n - off);
        int rc = tvc_jsq_feed(&q, d + off, seg);
        FZ_CHECK(rc == 0 || rc == TVC_ERR_NOSPACE);
        FZ_CHECK(q.len < cap && q.buf[q.len] == '\0');
        if (rc != 0) {
            FZ_CHECK(q.overflow);
            o->rc = rc;
        }
        off += seg;
    }
    FZ_CHECK(cap >= sizeof o->buf || (unsigned char)o->buf[cap] == 0x55); /* never past cap */
    o->len = q.len;
    o->truncated = q.truncated;
    o->overflow = q.overflow;
}

static void same(const struct out *a, const struct out *b)
{
    FZ_CHECK(a->overflow == b->overflow && a->rc == b->rc);
    if (a->overflow)
        return; /* where the text stops depends on nothing else, but it is not kept */
    FZ_CHECK(a->len == b->len && memcmp(a->buf, b->buf, a->len) == 0);
    FZ_CHECK(a->truncated == b->truncated);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct out a, b, c;
    static struct tvc_json_tok t1[600], t2[600];
    static const size_t maxes[8] = {0, 1, 5, 16, 64, 200, TVC_API_STR_MAX, 4000};
    struct fz_rng rng;
    struct tvc_json j1, j2;
    size_t cap, max_str;
    int n1, n2, i;

    if (size < 1)
        return 0;
    max_str = maxes[data[0] & 7];
    cap = data[0] & 8 ? 256 : sizeof a.buf - 1;
    fz_rng_seed(&rng, data, size);
    data++;
    size--;
    squeeze(&a, data, size, cap, max_str, 0, &rng);
    squeeze(&b, data, size, cap, max_str, 1, &rng);
    same(&a, &b);
    squeeze(&c, data, size, cap, max_str, 2, &rng);
    same(&a, &c);
    if (a.overflow)
        return 0;
    n1 = tvc_json_parse(&j1, (const char *)data, size, t1, 600);
    if (n1 <= 0)
        return 0;
    if (a.truncated == 0) /* (in a valid text every cut is reported) */
        FZ_CHECK(a.len <= size);
    n2 = tvc_json_parse(&j2, a.buf, a.len, t2, 600);
    FZ_CHECK(n2 == n1);
    for (i = 0; i < n1; i++)
        FZ_CHECK(tvc_json_kind(&j1, i) == tvc_json_kind(&j2, i));
    if (a.truncated == 0) {
        /* nothing cut: only white space went */
        for (i = 0; i < n1; i++) {
            struct tvc_slice r1, r2;
            FZ_CHECK(tvc_json_raw(&j1, i, &r1) == 0 && tvc_json_raw(&j2, i, &r2) == 0);
            if (tvc_json_kind(&j1, i) != TVC_JSON_OBJECT && tvc_json_kind(&j1, i) != TVC_JSON_ARRAY)
                FZ_CHECK(r1.len == r2.len && memcmp(r1.p, r2.p, r1.len) == 0);
        }
    }
    return 0;
}
