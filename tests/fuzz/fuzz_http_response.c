/* The response parser with chunked decoding, fed in segments whose split
 * points come from the input.  Property: the result (return codes, status,
 * framing, every field, the body bytes, what eof() says) is the same whole,
 * byte by byte, and in the input's own segmentation. */
#include "fuzz.h"
#include "tvc.h"

struct run {
    int rc;           /* last event or error; eof()'s answer when it ended in NEED_MORE */
    int headers_seen;
    uint16_t status, nhdrs;
    uint8_t minor, chunked, until_close, no_body, keep_alive;
    int64_t content_length;
    uint64_t body_bytes;
    size_t consumed;  /* bytes consumed up to DONE / error */
    uint8_t body[8192];
    size_t blen;
    int body_over;
    char fields[4096];
    size_t flen;
};

static int sink(void *u, const uint8_t *d, size_t n)
{
    struct run *r = u;
    FZ_CHECK(n > 0);
    if (r->blen + n > sizeof r->body) {
        r->body_over = 1;
        return 0;
    }
    memcpy(r->body + r->blen, d, n);
    r->blen += n;
    return 0;
}

static void snap_fields(struct run *r, const struct tvc_http_parser *p)
{
    unsigned i;
    struct tvc_slice n, v;
    r->flen = 0;
    for (i = 0; i < p->nhdrs; i++) {
        FZ_CHECK(tvc_http_parser_field(p, i, &n, &v) == 0);
        if (r->flen + n.len + v.len + 2 > sizeof r->fields)
            break;
        memcpy(r->fields + r->flen, n.p, n.len);
        r->flen += n.len;
        r->fields[r->flen++] = ':';
        memcpy(r->fields + r->flen, v.p, v.len);
        r->flen += v.len;
        r->fields[r->flen++] = '\n';
        /* a lookup by name finds a field of that name */
        {
            char name[64];
            struct tvc_slice w;
            if (n.len < sizeof name) {
                memcpy(name, n.p, n.len);
                name[n.len] = '\0';
                FZ_CHECK(tvc_http_parser_header(p, name, &w) == 0);
            }
        }
    }
    FZ_CHECK(tvc_http_parser_field(p, p->nhdrs, NULL, NULL) == TVC_ERR_NOT_FOUND);
}

/* mode 0: whole; 1: one byte per call; 2: the input's segmentation */
static void run(struct run *r, const uint8_t *d, size_t n, int head, size_t cap, unsigned maxh,
                int mode, struct fz_rng *rng)
{
    static char hbuf[4096];
    struct tvc_http_parser p;
    size_t off = 0;
    int rc = TVC_HTTP_NEED_MORE, calls = 0;

    memset(r, 0, sizeof *r);
    tvc_http_parser_init(&p, hbuf, cap, maxh, head);
    for (;;) {
        size_t seg = n - off, used = 0;
        if (mode == 1 && seg > 1)
            seg = 1;
        else if (mode == 2)
            seg = fz_seg(rng, seg);
        rc = tvc_http_parser_feed(&p, d + off, seg, &used, sink, r);
        FZ_CHECK(used <= seg);
        FZ_CHECK(++calls < 1000000);
        off += used;
        if (rc == TVC_HTTP_HEADERS) {
            FZ_CHECK(!r->headers_seen);
            r->headers_seen = 1;
            r->status = p.status;
            r->nhdrs = p.nhdrs;
            r->minor = p.minor;
            r->chunked = p.chunked;
            r->until_close = p.until_close;
            r->no_body = p.no_body;
            r->content_length = p.content_length;
            FZ_CHECK(p.status >= 200 && p.status <= 599);
            FZ_CHECK(p.minor <= 1);
            snap_fields(r, &p);
            continue;
        }
        if (rc < 0 || rc == TVC_HTTP_DONE)
            break;
        FZ_CHECK(rc == TVC_HTTP_NEED_MORE);
        if (off == n && used == seg) { /* all fed: the peer closes */
            rc = tvc_http_parser_eof(&p);
            FZ_CHECK(rc == TVC_HTTP_DONE || rc < 0);
            FZ_CHECK(tvc_http_parser_eof(&p) == rc); /* sticky */
            break;
        }
    }
    if (rc == TVC_HTTP_DONE) {
        /* once done, always done, consuming nothing */
        size_t used = 1;
        FZ_CHECK(tvc_http_parser_feed(&p, d, n, &used, sink, r) == TVC_HTTP_DONE && used == 0);
        FZ_CHECK(r->headers_seen);
        if (!p.until_close && !p.chunked && !p.no_body)
            FZ_CHECK(p.body_bytes == (uint64_t)p.content_length);
    } else if (rc < 0) {
        size_t used = 1;
        FZ_CHECK(tvc_http_parser_feed(&p, d, n, &used, sink, r) == rc); /* sticky */
    }
    FZ_CHECK(p.body_bytes == r->blen || r->body_over);
    r->rc = rc;
    r->keep_alive = p.keep_alive;
    r->body_bytes = p.body_bytes;
    r->consumed = rc == TVC_HTTP_DONE ? off : 0;
}

static void same(const struct run *a, const struct run *b)
{
    FZ_CHECK(a->rc == b->rc);
    FZ_CHECK(a->headers_seen == b->headers_seen);
    FZ_CHECK(a->status == b->status && a->nhdrs == b->nhdrs && a->minor == b->minor);
    FZ_CHECK(a->chunked == b->chunked && a->until_close == b->until_close);
    FZ_CHECK(a->no_body == b->no_body && a->keep_alive == b->keep_alive);
    FZ_CHECK(a->content_length == b->content_length);
    FZ_CHECK(a->body_bytes == b->body_bytes && a->body_over == b->body_over);
    FZ_CHECK(a->blen == b->blen && memcmp(a->body, b->body, a->blen) == 0);
    FZ_CHECK(a->flen == b->flen && memcmp(a->fields, b->fields, a->flen) == 0);
    FZ_CHECK(a->consumed == b->consumed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct run a, b, c;
    struct fz_rng rng;
    int head;
    size_t cap;
    unsigned maxh;

    if (size < 2)
        return 0;
    /* byte 0: HEAD request (bit 0), a small header buffer (bit 1), few
     * header slots (bit 2); byte 1 seeds the split points with the rest */
    head = data[0] & 1;
    cap = data[0] & 2 ? 96 : 4096;
    maxh = data[0] & 4 ? 3 : 64;
    fz_rng_seed(&rng, data, size);
    run(&a, data + 2, size - 2, head, cap, maxh, 0, &rng);
    run(&b, data + 2, size - 2, head, cap, maxh, 1, &rng);
    same(&a, &b);
    run(&c, data + 2, size - 2, head, cap, maxh, 2, &rng);
    same(&a, &c);
    return 0;
}
