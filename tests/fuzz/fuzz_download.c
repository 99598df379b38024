/* The download's resume path: the .meta sidecar (as a power cut may leave
 * it, or any bytes at all), the part file, and the server's ranged answers
 * with their Content-Range, through the whole client over an in-process
 * server transport whose behaviour the input picks.
 * Input: byte 0 server behaviour, byte 1 part length, byte 2 how the meta
 * is made (bit 7 set: a correct meta torn at byte 3's offset; else the
 * rest of the input is the meta), then the meta bytes.
 * Properties: a download that reports success left exactly the server's
 * file at the final path; one that fails never left a file there; the
 * step loop ends. */
#include "fuzz.h"
#include "mem_port.h"
#include "tvc.h"

#define RLEN 200
#define URL "http://cdn.example/v.mp4"

static uint8_t R[RLEN];

struct srv {
    unsigned mode;
    char req[2048];
    size_t rlen;
    char resp[4096];
    size_t resp_len, off;
    int open, served, close_after;
    char cr[96]; /* a raw Content-Range chosen by the input, "" for an honest one */
};

static struct srv S;

static int s_connect(void *ctx, const char *host, uint16_t port)
{
    struct srv *s = ctx;
    (void)host;
    (void)port;
    if (s->served >= 4)
        return TVC_ERR_CONNECT;
    s->open = 1;
    s->rlen = s->resp_len = s->off = 0;
    return 0;
}

static int s_handshake(void *ctx, uint32_t w)
{
    (void)ctx;
    (void)w;
    return 0;
}

static long range_from(const char *req)
{
    const char *r = strstr(req, "\r\nRange: bytes=");
    return r ? strtol(r + 15, NULL, 10) : -1;
}

static void answer(struct srv *s)
{
    long n = range_from(s->req);
    int if_range_ok = strstr(s->req, "If-Range: \"v1\"\r\n") != NULL;
    int honor = s->mode & 1, etag_changed = s->mode & 2, chunked = s->mode & 4;
    long start = n;
    size_t body_len, k = 0;
    char head[512];
    int hl;

    if (strstr(s->req, "If-Range:") != NULL && (!if_range_ok || etag_changed))
        honor = 0; /* RFC 9110 13.1.5: the validator does not match: the whole file */
    if (n < 0 || n > RLEN)
        honor = 0;
    if (honor && (s->mode & 0x18) == 0x08 && start > 0)
        start -= 1 + (s->mode >> 5) % 7; /* an earlier start, said honestly */
    if (honor && (s->mode & 0x18) == 0x10)
        start += 1 + (s->mode >> 5) % 7; /* a later one */
    if (start < 0)
        start = 0;
    if (honor && start >= RLEN) {
        hl = snprintf(head, sizeof head, "HTTP/1.1 416 Range Not Satisfiable\r\n"
                                         "Content-Range: bytes */%d\r\nContent-Length: 0\r\n\r\n", RLEN);
        memcpy(s->resp, head, (size_t)hl);
        s->resp_len = (size_t)hl;
        return;
    }
    if (!honor)
        start = 0;
    body_len = (size_t)(RLEN - start);
    hl = snprintf(head, sizeof head, "HTTP/1.1 %s\r\nETag: \"%s\"\r\n%s",
                  honor ? "206 Partial Content" : "200 OK", etag_changed ? "v2" : "v1",
                  s->close_after ? "Connection: close\r\n" : "");
    if (honor)
        hl += snprintf(head + hl, sizeof head - (size_t)hl, "Content-Range: %s\r\n",
                       s->cr[0] ? s->cr : "");
    if (honor && !s->cr[0]) {
        hl -= 2; /* replace the empty value by the honest one */
        hl += snprintf(head + hl, sizeof head - (size_t)hl, "bytes %ld-%d/%d\r\n", start, RLEN - 1,
                       RLEN);
    }
    hl += snprintf(head + hl, sizeof head - (size_t)hl, chunked ? "Transfer-Encoding: chunked\r\n\r\n"
                                                                 : "Content-Length: %zu\r\n\r\n",
                   body_len);
    memcpy(s->resp, head, (size_t)hl);
    k = (size_t)hl;
    if (chunked) {
        k += (size_t)sprintf(s->resp + k, "%zx\r\n", body_len);
        memcpy(s->resp + k, R + start, body_len);
        k += body_len;
        k += (size_t)sprintf(s->resp + k, "\r\n0\r\n\r\n");
    } else {
        memcpy(s->resp + k, R + start, body_len);
        k += body_len;
    }
    s->resp_len = k;
}

static int s_send(void *ctx, const uint8_t *b, size_t n, uint32_t w)
{
    struct srv *s = ctx;
    (void)w;
    if (!s->open)
        return TVC_ERR_CLOSED;
    if (s->rlen + n >= sizeof s->req)
        return TVC_ERR_RESET;
    memcpy(s->req + s->rlen, b, n);
    s->rlen += n;
    s->req[s->rlen] = '\0';
    if (strstr(s->req, "\r\n\r\n") != NULL) {
        /* downloads carry no key (the header: a stored validator may spell the word) */
        FZ_CHECK(strstr(s->req, "\r\nAuthorization:") == NULL);
        answer(s);
        s->off = 0;
        s->rlen = 0;
        s->served++;
    }
    return (int)n;
}

static int s_recv(void *ctx, uint8_t *b, size_t n, uint32_t w)
{
    struct srv *s = ctx;
    size_t k;
    (void)w;
    if (!s->open)
        return TVC_ERR_RESET;
    if (s->off == s->resp_len)
        return s->close_after && s->resp_len ? 0 : TVC_ERR_AGAIN;
    k = s->resp_len - s->off;
    if (k > n)
        k = n;
    if (k > 61)
        k = 61;
    memcpy(b, s->resp + s->off, k);
    s->off += k;
    return (int)k;
}

static void s_close(void *ctx)
{
    ((struct srv *)ctx)->open = 0;
}

static struct mp M;
static struct tvc_port P;
static struct tvc_http_client H;
static char hdr[1024];
static uint8_t io[512];
static struct tvc_dl D;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tvc_transport t = {&S, s_connect, s_handshake, s_send, s_recv, s_close, NULL, NULL};
    struct mp_file *f;
    size_t part;
    int attempt, rc = TVC_ERR_STATE, steps, i;

    if (size < 4)
        return 0;
    for (i = 0; i < RLEN; i++)
        R[i] = (uint8_t)(i * 7 + 3);
    memset(&S, 0, sizeof S);
    memset(&M, 0, sizeof M);
    mp_init(&M, &P);
    S.mode = data[0];
    S.close_after = data[0] & 0x80 ? 0 : 1;
    part = data[1] % (RLEN + 1);
    if (part > 0)
        mp_put(&M, "/d/out.part", R, part);
    if (data[2] & 0x80) {
        char meta[256];
        int n = snprintf(meta, sizeof meta, "tvc-dl 1\nurl %s\nvalidator \"v1\"\ntotal %d\nend\n", URL,
                         RLEN);
        size_t cut = data[3] % (size_t)(n + 1);
        mp_put(&M, "/d/out.part.meta", meta, cut);
        if (data[2] & 0x40) { /* the rest is a raw Content-Range for the server */
            size_t n2 = size - 4 < sizeof S.cr - 1 ? size - 4 : sizeof S.cr - 1;
            memcpy(S.cr, data + 4, n2);
            S.cr[n2] = '\0';
            for (i = 0; S.cr[i]; i++)
                if (S.cr[i] == '\r' || S.cr[i] == '\n')
                    S.cr[i] = ' ';
        }
    } else {
        mp_put(&M, "/d/out.part.meta", data + 3, size - 3);
    }
    tvc_http_client_init(&H, &P, NULL, hdr, sizeof hdr, io, sizeof io);
    FZ_CHECK(tvc_http_client_set_transports(&H, &t, NULL) == 0);
    for (attempt = 0; attempt < 2; attempt++) {
        memset(&D, 0, sizeof D);
        D.io_timeout_ms = 200;
        D.connect_timeout_ms = 200;
        rc = tvc_dl_start(&D, &H, &P, URL, "/d/out");
        for (steps = 0; rc == 0 || rc == TVC_ERR_AGAIN; steps++) {
            rc = tvc_dl_step(&D, 0);
            if (rc != TVC_ERR_AGAIN)
                break;
            FZ_CHECK(steps < 100000);
        }
        if (rc == 0)
            break;
        tvc_dl_abort(&D);
        f = mp_get(&M, "/d/out");
        FZ_CHECK(f == NULL); /* a failure leaves nothing at the final path */
    }
    f = mp_get(&M, "/d/out");
    if (getenv("TVC_FUZZ_DEBUG"))
        fprintf(stderr, "download: rc %d, resumed %d, requests %u\n", rc, D.resumed, H.requests);
    if (rc == 0 && !S.cr[0]) {
        FZ_CHECK(f != NULL && f->len == RLEN && memcmp(f->data, R, RLEN) == 0);
        FZ_CHECK(D.bytes == RLEN);
        FZ_CHECK(mp_get(&M, "/d/out.part") == NULL);
    }
    if (rc != 0)
        FZ_CHECK(f == NULL);
    tvc_http_client_close(&H);
    return 0;
}
