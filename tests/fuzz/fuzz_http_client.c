/* The whole HTTP exchange over the scripted transport of tests/fake_port.c:
 * connect, request, response framing, keep-alive reuse, redirects with
 * Location resolution, the Authorization drop.  The input scripts the
 * server's answers (0xFF separates them).  Properties: every exchange ends
 * (virtual time, no hang); a success is a final status with its body whole;
 * the redirect limit holds; the API key never reaches another origin. */
#include <strings.h>

#include "fuzz.h"
#include "fake_port.h"
#include "tvc.h"

static struct {
    struct fp fp;
    struct tvc_port port;
    struct tvc_http_client c;
    char hdr[1024];
    uint8_t io[256];
    char redir[TVC_URL_MAX];
    char resp[FP_MAX_CONN][2048];
    uint64_t body;
    int headers_calls;
} X;

static int on_body(void *u, const uint8_t *d, size_t n)
{
    (void)u;
    (void)d;
    FZ_CHECK(X.headers_calls == 1); /* body only after the final headers */
    X.body += n;
    return 0;
}

static int on_headers(void *u, const struct tvc_http_parser *p)
{
    (void)u;
    FZ_CHECK(p->status >= 200 && p->status <= 599);
    X.headers_calls++;
    return 0;
}

static int has(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;
    for (i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[4] = {"GET", "HEAD", "POST", "GET"};
    struct tvc_http_req rq;
    unsigned flags;
    int rc, i, one_conn;

    if (size < 2)
        return 0;
    memset(&X, 0, sizeof X);
    fp_init(&X.fp, &X.port);
    X.fp.seed = 7;
    tvc_http_client_init(&X.c, &X.port, NULL, X.hdr, sizeof X.hdr, X.io, sizeof X.io);
    flags = data[0];
    one_conn = flags & 8;
    data++;
    size--;
    {
        size_t chunk = data[0] % 17; /* bytes per receive (0: as many as asked) */
        data++;
        size--;
        for (i = 0; i < FP_MAX_CONN && (size > 0 || i == 0); i++) {
            const uint8_t *a;
            size_t alen;
            struct fp_conn *cn;
            fz_take(&data, &size, (char)0xFF, &a, &alen);
            if (alen > sizeof X.resp[i])
                alen = sizeof X.resp[i];
            memcpy(X.resp[i], a, alen);
            if (one_conn) {
                if (i == 0)
                    fp_add(&X.fp, NULL);
                cn = &X.fp.conn[0];
                if (cn->nresp < FP_MAX_RESP) {
                    cn->resp[cn->nresp] = X.resp[i];
                    cn->resp_len[cn->nresp] = alen ? alen : 1; /* 1: an empty answer is one NUL */
                    cn->nresp++;
                }
            } else {
                cn = fp_add(&X.fp, X.resp[i]);
                cn->resp_len[0] = alen ? alen : 1;
            }
            cn->chunk = chunk;
            cn->idle = flags & 16 ? 0 : flags & 32 ? TVC_ERR_RESET : TVC_ERR_AGAIN;
        }
    }
    memset(&rq, 0, sizeof rq);
    rq.method = methods[flags & 3];
    rq.url = "http://api.example/v1/x?q=1";
    rq.bearer = "sekret-key";
    rq.body = (const uint8_t *)"{}";
    rq.body_len = rq.method[0] == 'P' ? 2 : 0;
    rq.range_from = flags & 64 ? 10 : -1;
    rq.flags = (flags & 4 ? TVC_HTTP_FOLLOW : 0) | TVC_HTTP_IDEMPOTENT;
    rq.redirect_buf = flags & 128 ? NULL : X.redir;
    rq.redirect_cap = flags & 128 ? 0 : sizeof X.redir;
    rq.io_timeout_ms = 3000;
    rq.connect_timeout_ms = 3000;
    rq.on_body = on_body;
    rq.on_headers = on_headers;

    rc = tvc_http_request(&X.c, &rq);
    FZ_CHECK(rc != TVC_ERR_AGAIN);
    FZ_CHECK(!tvc_http_client_busy(&X.c));
    FZ_CHECK(X.c.redirects >= 0 && X.c.redirects <= TVC_HTTP_MAX_REDIRECTS);
    if (!(flags & 4))
        FZ_CHECK(X.c.redirects == 0);
    if (rc == 0) {
        FZ_CHECK(X.c.resp.status >= 200 && X.c.resp.status <= 599);
        FZ_CHECK(X.headers_calls == 1);
        FZ_CHECK(X.body == X.c.resp.body_bytes);
        if (X.c.resp.no_body)
            FZ_CHECK(X.body == 0);
        else if (!X.c.resp.chunked && !X.c.resp.until_close)
            FZ_CHECK(X.body == (uint64_t)X.c.resp.content_length);
    }
    FZ_CHECK(X.headers_calls <= 1);
    /* the key goes to the API origin only */
    for (i = 0; i < X.fp.next; i++) {
        const struct fp_conn *cn = &X.fp.conn[i];
        int api = strcasecmp(cn->host, "api.example") == 0 && cn->port == 80;
        /* (the header itself: a Location may spell the key into a host name) */
        if (!api)
            FZ_CHECK(!has(cn->sent, cn->sent_len, "\r\nAuthorization: Bearer "));
        FZ_CHECK(!has(cn->sent, cn->sent_len, "#")); /* no fragment ever sent */
    }
    tvc_http_client_close(&X.c);
    return 0;
}
