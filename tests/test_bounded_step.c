/* Bounded work per step, proved over a transport that ALWAYS has data: an
 * 8 MiB body (Content-Length, and chunked in many small chunks so that one
 * receive buffer holds dozens of them) must not be swallowed by one call.
 * Every tvc_http_step() / tvc_dl_step() / tvc_job_step() call may make at most one transport
 * receive (of at most the I/O buffer), at most one body-sink call, at most
 * one part-file write and one hash update, and the body must arrive whole
 * and identical. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "tvc.h"
#include "tvc_posix.h"

#define BODY (8u << 20) /* 8 MiB */
#define CHUNK 37u       /* chunk size: many chunks per receive buffer */
#define IO_CAP 2048u

static uint8_t body_byte(size_t i)
{
    uint32_t x = (uint32_t)i * 2654435761u;
    return (uint8_t)((x >> 13) ^ (x >> 24));
}

/* ---- a transport that always has the next bytes of one response ---- */

struct eager {
    uint8_t *resp;
    size_t len, off;
    int connected;
    unsigned long recv_calls;  /* this step */
    unsigned long recv_total;
    size_t max_recv_len;       /* largest len asked for */
};

static int e_connect(void *ctx, const char *host, uint16_t port)
{
    struct eager *e = ctx;
    (void)host;
    (void)port;
    e->connected = 1;
    return 0;
}
static int e_handshake(void *ctx, uint32_t w) { (void)ctx; (void)w; return 0; }
static int e_send(void *ctx, const uint8_t *b, size_t n, uint32_t w)
{
    (void)ctx;
    (void)b;
    (void)w;
    return (int)n;
}
static int e_recv(void *ctx, uint8_t *b, size_t n, uint32_t w)
{
    struct eager *e = ctx;
    size_t k = e->len - e->off;
    (void)w;
    e->recv_calls++;
    e->recv_total++;
    if (n > e->max_recv_len)
        e->max_recv_len = n;
    if (k == 0)
        return 0;
    if (k > n)
        k = n;
    memcpy(b, e->resp + e->off, k);
    e->off += k;
    return (int)k;
}
static void e_close(void *ctx) { ((struct eager *)ctx)->connected = 0; }

static struct eager E;
static const struct tvc_transport eager_t = {&E, e_connect, e_handshake, e_send, e_recv,
                                             e_close, NULL, NULL};

/* Build the response: head, then the body plain or in CHUNK-byte chunks. */
static void build(int chunked)
{
    size_t cap = BODY + BODY / CHUNK * 8 + 4096, n = 0, i;
    free(E.resp);
    memset(&E, 0, sizeof E);
    E.resp = malloc(cap);
    if (chunked)
        n += (size_t)sprintf((char *)E.resp, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    else
        n += (size_t)sprintf((char *)E.resp, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n", BODY);
    for (i = 0; i < BODY;) {
        size_t k = chunked && BODY - i > CHUNK ? CHUNK : BODY - i;
        if (chunked)
            n += (size_t)sprintf((char *)E.resp + n, "%zx\r\n", k);
        for (; k; k--, i++)
            E.resp[n++] = body_byte(i);
        if (chunked)
            n += (size_t)sprintf((char *)E.resp + n, "\r\n");
    }
    if (chunked)
        n += (size_t)sprintf((char *)E.resp + n, "0\r\n\r\n");
    E.len = n;
}

/* ---- a sink that checks every byte and counts its calls ---- */

struct sink {
    size_t got;
    int bad;
    unsigned long calls; /* this step */
    size_t max_piece;
};
static struct sink S;

static int on_body(void *u, const uint8_t *d, size_t n)
{
    struct sink *s = u;
    size_t i;
    s->calls++;
    if (n > s->max_piece)
        s->max_piece = n;
    for (i = 0; i < n; i++)
        if (d[i] != body_byte(s->got + i))
            s->bad = 1;
    s->got += n;
    return 0;
}

static struct tvc_posix px;
static struct tvc_port port;
static struct tvc_http_client C;
static char hdr[TVC_HTTP_HEADER_BUF];
static uint8_t io[IO_CAP];

static void client_setup(void)
{
    tvc_http_client_init(&C, &port, NULL, hdr, sizeof hdr, io, sizeof io);
    CHECK_EQ(tvc_http_client_set_transports(&C, &eager_t, NULL), 0);
}

static void http_bounded(int chunked)
{
    struct tvc_http_req rq;
    unsigned long steps = 0, max_recv = 0, max_sink = 0;
    int rc;

    build(chunked);
    memset(&S, 0, sizeof S);
    client_setup();
    memset(&rq, 0, sizeof rq);
    rq.method = "GET";
    rq.url = "http://media.example/big.mp4";
    rq.on_body = on_body;
    rq.user = &S;
    CHECK_EQ(tvc_http_start(&C, &rq), 0);
    do {
        E.recv_calls = 0;
        S.calls = 0;
        rc = tvc_http_step(&C, 0);
        steps++;
        if (E.recv_calls > max_recv)
            max_recv = E.recv_calls;
        if (S.calls > max_sink)
            max_sink = S.calls;
    } while (rc == TVC_ERR_AGAIN && steps < 100000000ul);
    CHECK_EQ(rc, 0);
    CHECK_EQ(C.resp.status, 200);
    CHECK_EQ(max_recv, 1);                /* never two receives in one call */
    CHECK_EQ(max_sink, 1);                /* never two body pieces in one call */
    CHECK(E.max_recv_len <= IO_CAP);      /* each receive at most the I/O buffer */
    CHECK(S.max_piece <= IO_CAP);
    CHECK_EQ(S.got, BODY);                /* whole ... */
    CHECK(!S.bad);                        /* ... and identical */
    /* the work really was spread: at least one call per buffer of input */
    CHECK(steps >= E.len / IO_CAP);
    CHECK(E.recv_total >= E.len / IO_CAP);
    printf("note: %s 8 MiB: %lu steps, %lu receives, %s\n", chunked ? "chunked" : "content-length",
           steps, E.recv_total, chunked ? "37-byte chunks" : "one piece per receive");
    tvc_http_client_close(&C);
}

static void t_http_content_length(void) { http_bounded(0); }
static void t_http_chunked(void) { http_bounded(1); }

/* ---- the download: one receive, one part write, one hash update per step ---- */

static int part_fh = -1;
static unsigned long part_writes, other_writes; /* this step */

static int w_open(void *c, const char *p, unsigned f)
{
    size_t n = strlen(p);
    int fh = port.file_open(c, p, f);
    if (fh >= 0 && n > 5 && strcmp(p + n - 5, ".part") == 0 && f != TVC_FILE_READ)
        part_fh = fh;
    return fh;
}
static int w_write(void *c, int fh, const uint8_t *b, size_t n)
{
    if (fh == part_fh)
        part_writes++;
    else
        other_writes++;
    return port.file_write(c, fh, b, n);
}

struct toyhash {
    uint64_t h;
    unsigned long updates; /* this step */
    size_t max_update;
};
static struct toyhash TH;
static int th_start(void *ctx) { ((struct toyhash *)ctx)->h = 1469598103934665603ull; return 0; }
static int th_update(void *ctx, const uint8_t *d, size_t n)
{
    struct toyhash *t = ctx;
    size_t i;
    t->updates++;
    if (n > t->max_update)
        t->max_update = n;
    for (i = 0; i < n; i++)
        t->h = (t->h ^ d[i]) * 1099511628211ull;
    return 0;
}
static int th_finish(void *ctx, uint8_t out[TVC_SHA256_LEN])
{
    memset(out, 0, TVC_SHA256_LEN);
    memcpy(out, &((struct toyhash *)ctx)->h, 8);
    return 0;
}
static const struct tvc_hash toy = {&TH, th_start, th_update, th_finish};

static void t_download_bounded(void)
{
    static struct tvc_dl d;
    struct tvc_port wp = port;
    char dir[] = "/tmp/tvc-bounded-XXXXXX", path[128], cmd[160];
    unsigned long steps = 0, max_recv = 0, max_part = 0, max_other = 0, max_upd = 0;
    uint64_t want = 1469598103934665603ull;
    size_t i;
    int rc;

    if (!mkdtemp(dir)) {
        h_fail(__FILE__, __LINE__, "mkdtemp");
        return;
    }
    snprintf(path, sizeof path, "%s/big.mp4", dir);
    wp.file_open = w_open;
    wp.file_write = w_write;
    build(0);
    tvc_http_client_init(&C, &wp, NULL, hdr, sizeof hdr, io, sizeof io);
    CHECK_EQ(tvc_http_client_set_transports(&C, &eager_t, NULL), 0);
    memset(&d, 0, sizeof d);
    d.hash = &toy;
    CHECK_EQ(tvc_dl_start(&d, &C, &wp, "http://media.example/big.mp4", path), 0);
    do {
        E.recv_calls = 0;
        part_writes = other_writes = 0;
        TH.updates = 0;
        rc = tvc_dl_step(&d, 0);
        steps++;
        if (E.recv_calls > max_recv)
            max_recv = E.recv_calls;
        if (part_writes > max_part)
            max_part = part_writes;
        if (other_writes > max_other)
            max_other = other_writes;
        if (TH.updates > max_upd)
            max_upd = TH.updates;
    } while (rc == TVC_ERR_AGAIN && steps < 100000000ul);
    CHECK_EQ(rc, 0);
    CHECK_EQ(d.bytes, BODY);
    CHECK_EQ(max_recv, 1);
    CHECK_EQ(max_part, 1);      /* one part-file write per call */
    CHECK(max_other <= 7);      /* the meta, once, on the answer's headers (documented) */
    CHECK_EQ(max_upd, 1);       /* one hash update per call ... */
    CHECK(TH.max_update <= IO_CAP); /* ... of at most one receive */
    for (i = 0; i < BODY; i++)
        want = (want ^ body_byte(i)) * 1099511628211ull;
    CHECK_MEM(d.sha256, 8, &want, 8); /* every byte went through the hash, in order */
    {
        struct stat st;
        CHECK(stat(path, &st) == 0 && (size_t)st.st_size == BODY);
    }
    printf("note: download 8 MiB: %lu steps\n", steps);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("warning: could not remove %s\n", dir);
}

/* ---- resume hashing is sliced too: TVC_DL_HASH_PER_STEP bytes per call ---- */

static void t_resume_hash_bounded(void)
{
    static struct tvc_dl d;
    struct tvc_port wp = port;
    char dir[] = "/tmp/tvc-bounded-XXXXXX", path[128], part[140], meta[160], cmd[160];
    FILE *f;
    unsigned long steps_before_request = 0;
    size_t kept = 1u << 20, i;
    int rc;

    if (!mkdtemp(dir)) {
        h_fail(__FILE__, __LINE__, "mkdtemp");
        return;
    }
    snprintf(path, sizeof path, "%s/big.mp4", dir);
    snprintf(part, sizeof part, "%s.part", path);
    snprintf(meta, sizeof meta, "%s.part.meta", path);
    f = fopen(part, "wb");
    for (i = 0; f && i < kept; i++)
        fputc(body_byte(i), f);
    if (f)
        fclose(f);
    f = fopen(meta, "wb");
    if (f) {
        fprintf(f, "tvc-dl 1\nurl http://media.example/big.mp4\nvalidator \ntotal %u\nend\n", BODY);
        fclose(f);
    }
    wp.file_open = w_open;
    wp.file_write = w_write;
    build(0);
    tvc_http_client_init(&C, &wp, NULL, hdr, sizeof hdr, io, sizeof io);
    CHECK_EQ(tvc_http_client_set_transports(&C, &eager_t, NULL), 0);
    memset(&d, 0, sizeof d);
    d.hash = &toy;
    CHECK_EQ(tvc_dl_start(&d, &C, &wp, "http://media.example/big.mp4", path), 0);
    TH.max_update = 0;
    do {
        TH.updates = 0;
        rc = tvc_dl_step(&d, 0);
        CHECK(TH.updates * IO_CAP <= TVC_DL_HASH_PER_STEP + IO_CAP);
        if (!tvc_http_client_busy(&C))
            steps_before_request++;
    } while (rc == TVC_ERR_AGAIN && tvc_http_client_busy(&C) == 0 && steps_before_request < 100000);
    CHECK_EQ(rc, TVC_ERR_AGAIN);
    /* 1 MiB at TVC_DL_HASH_PER_STEP per call: many calls, none hashing it all */
    CHECK(steps_before_request + 1 >= kept / TVC_DL_HASH_PER_STEP);
    CHECK(TH.max_update <= IO_CAP);
    tvc_dl_abort(&d);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("warning: could not remove %s\n", dir);
}

/* ---- the job engine: one job step, one download step ---- */

/* A resumed job in its download phase, over the transport that always has
 * data: each tvc_job_step() makes at most one receive, one part write and
 * one hash update, and the video arrives whole. */
static void t_job_bounded(void)
{
    static struct tvc_job job;
    static struct tvc_job_rec rec;
    struct tvc_port wp = port;
    char dir[] = "/tmp/tvc-bounded-XXXXXX", cmd[160];
    unsigned long steps = 0, max_recv = 0, max_part = 0, max_upd = 0;
    uint32_t sleep_ms;
    int rc;

    if (!mkdtemp(dir)) {
        h_fail(__FILE__, __LINE__, "mkdtemp");
        return;
    }
    wp.file_open = w_open;
    wp.file_write = w_write;
    build(1); /* chunked: many pieces per receive buffer */
    tvc_http_client_init(&C, &wp, NULL, hdr, sizeof hdr, io, sizeof io);
    CHECK_EQ(tvc_http_client_set_transports(&C, &eager_t, NULL), 0);
    memset(&rec, 0, sizeof rec);
    strcpy(rec.record_id, "42");
    rec.phase = TVC_PHASE_DOWNLOADING;
    strcpy(rec.video_url, "http://media.example/big.mp4");
    snprintf(rec.out, sizeof rec.out, "%s/big.mp4", dir);
    memset(&job, 0, sizeof job);
    job.hash = &toy;
    CHECK_EQ(tvc_job_start_existing(&job, &wp, &C, NULL, "http://api.example", "k", &rec), 0);
    do {
        E.recv_calls = 0;
        part_writes = other_writes = 0;
        TH.updates = 0;
        rc = tvc_job_step(&job, 0, &sleep_ms);
        steps++;
        if (E.recv_calls > max_recv)
            max_recv = E.recv_calls;
        if (part_writes > max_part)
            max_part = part_writes;
        if (TH.updates > max_upd)
            max_upd = TH.updates;
    } while (rc == TVC_ERR_AGAIN && steps < 100000000ul);
    CHECK_EQ(rc, 0);
    CHECK_EQ(job.video_bytes, BODY);
    CHECK_EQ(max_recv, 1);
    CHECK_EQ(max_part, 1);
    CHECK_EQ(max_upd, 1);
    CHECK(steps >= E.len / IO_CAP);
    printf("note: job download 8 MiB chunked: %lu job steps\n", steps);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("warning: could not remove %s\n", dir);
}

int main(void)
{
    tvc_posix_init(&px, &port);
    RUN(t_http_content_length);
    RUN(t_http_chunked);
    RUN(t_download_bounded);
    RUN(t_resume_hash_bounded);
    RUN(t_job_bounded);
    free(E.resp);
    return h_summary();
}
