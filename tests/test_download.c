/* Resumable downloads: network from the scripted transport (fake_port),
 * storage from the POSIX port in a fresh temporary directory, with fault
 * injection wrappers around the storage calls. */
#define _DEFAULT_SOURCE

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "fake_port.h"
#include "harness.h"
#include "tvc_download.h"
#include "tvc_posix.h"
#include "tvc_tls.h" /* the mbedTLS SHA-256 */

#define BODY_LEN 10000
#define URL "http://files.example/media/video.mp4"
#define ETAG "\"v1-abc\""

static uint8_t body[BODY_LEN];
static uint8_t body_sha[32];

/* ---- composite port: fake network, POSIX storage, injectable faults ---- */

static struct tvc_posix px;
static struct tvc_port pxp;
static struct {
    int write_fail;     /* 1: writes to the .part fail; 2: every write fails */
    int rename_fail;    /* 1: the rename to the final name fails; 2: every rename */
    int sync_fail;      /* 1: every fsync of a file fails */
    int writes;         /* writes that failed */
    int part_fh;        /* handle of the open .part file, -1 none */
    char trace[64];     /* storage order: P part fsync, M meta opened for writing */
} inj;

static void trace(char ch)
{
    size_t n = strlen(inj.trace);
    if (n + 1 < sizeof inj.trace) {
        inj.trace[n] = ch;
        inj.trace[n + 1] = '\0';
    }
}

static int s_open(void *c, const char *p, unsigned f)
{
    size_t n = strlen(p);
    int fh;
    (void)c;
    fh = pxp.file_open(pxp.ctx, p, f);
    if (fh >= 0 && n > 5 && strcmp(p + n - 5, ".part") == 0)
        inj.part_fh = fh;
    if (fh >= 0 && n > 5 && strcmp(p + n - 5, ".meta") == 0 && f != TVC_FILE_READ)
        trace('M');
    return fh;
}
static int s_read(void *c, int fh, uint8_t *b, size_t n) { (void)c; return pxp.file_read(pxp.ctx, fh, b, n); }
static int s_write(void *c, int fh, const uint8_t *b, size_t n)
{
    (void)c;
    if (inj.write_fail == 2 || (inj.write_fail == 1 && fh == inj.part_fh)) {
        inj.writes++;
        return TVC_ERR_STORAGE;
    }
    return pxp.file_write(pxp.ctx, fh, b, n);
}
static int s_sync(void *c, int fh)
{
    (void)c;
    if (inj.sync_fail)
        return TVC_ERR_STORAGE;
    if (fh == inj.part_fh)
        trace('P');
    return pxp.file_sync(pxp.ctx, fh);
}
static int s_close(void *c, int fh) { (void)c; return pxp.file_close(pxp.ctx, fh); }
static int s_lock(void *c, int fh) { (void)c; return pxp.file_lock(pxp.ctx, fh); }
static int s_size(void *c, const char *p, uint64_t *sz) { (void)c; return pxp.file_size(pxp.ctx, p, sz); }
static int s_rename(void *c, const char *a, const char *b)
{
    size_t n = strlen(b);
    (void)c;
    if (inj.rename_fail == 2 ||
        (inj.rename_fail == 1 && !(n > 5 && strcmp(b + n - 5, ".meta") == 0)))
        return TVC_ERR_STORAGE;
    return pxp.file_rename(pxp.ctx, a, b);
}
static int s_remove(void *c, const char *p) { (void)c; return pxp.file_remove(pxp.ctx, p); }
static int s_dsync(void *c, const char *d) { (void)c; return pxp.dir_sync(pxp.ctx, d); }
static int s_dcreate(void *c, const char *d) { (void)c; return pxp.dir_create(pxp.ctx, d); }
static int s_dlist(void *c, const char *d, int (*cb)(void *, const char *), void *u)
{
    (void)c;
    return pxp.dir_list(pxp.ctx, d, cb, u);
}

/* Everything one attempt needs. */
struct att {
    struct fp fp;
    struct tvc_port port;
    struct tvc_http_client c;
    char hdr[1024];
    uint8_t io[512];
    char resp[FP_MAX_CONN][BODY_LEN + 1024];
};

static struct att *A;
static char dir[256];
static char path[400], part[512], meta[512];

struct prog {
    int calls;
    uint64_t last_have;
    int64_t last_total;
    int went_back;
};
static struct prog prog;

static void on_progress(void *user, uint64_t have, int64_t total)
{
    struct prog *p = user;
    if (p->calls && have < p->last_have)
        p->went_back++;
    p->calls++;
    p->last_have = have;
    p->last_total = total;
}

static void new_attempt(void)
{
    if (!A)
        A = malloc(sizeof *A);
    memset(A, 0, sizeof *A);
    fp_init(&A->fp, &A->port);
    A->port.file_open = s_open;
    A->port.file_read = s_read;
    A->port.file_write = s_write;
    A->port.file_sync = s_sync;
    A->port.file_close = s_close;
    A->port.file_lock = s_lock;
    A->port.file_size = s_size;
    A->port.file_rename = s_rename;
    A->port.file_remove = s_remove;
    A->port.dir_sync = s_dsync;
    A->port.dir_create = s_dcreate;
    A->port.dir_list = s_dlist;
    tvc_http_client_init(&A->c, &A->port, NULL, A->hdr, sizeof A->hdr, A->io, sizeof A->io);
    memset(&inj, 0, sizeof inj);
    inj.part_fh = -1;
}

/* Connection @p i answers with @p head (CRLFs added) then @p blen bytes of
 * @p b.  Returns the connection; ->cut_at etc. may be set afterwards.
 * *head_len (if given) is where the body starts. */
static struct fp_conn *serve(int i, const uint8_t *b, size_t blen, size_t *head_len,
                             const char *fmt, ...)
{
    struct fp_conn *c;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(A->resp[i], sizeof A->resp[i] - blen, fmt, ap);
    va_end(ap);
    if (head_len)
        *head_len = (size_t)n;
    if (blen)
        memcpy(A->resp[i] + n, b, blen);
    c = fp_add(&A->fp, A->resp[i]);
    c->resp_len[0] = (size_t)n + blen;
    return c;
}

static void setup(void)
{
    strcpy(dir, "/tmp/tvc-dl-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
    snprintf(path, sizeof path, "%s/video.mp4", dir);
    snprintf(part, sizeof part, "%s.part", path);
    snprintf(meta, sizeof meta, "%s.part.meta", path);
    memset(&prog, 0, sizeof prog);
    new_attempt();
}

static void teardown(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("warning: could not remove %s\n", dir);
}

static long fsize(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

static int file_is(const char *p, const uint8_t *want, size_t len)
{
    static uint8_t got[BODY_LEN * 2];
    FILE *f = fopen(p, "rb");
    size_t n;
    if (!f)
        return 0;
    n = fread(got, 1, sizeof got, f);
    fclose(f);
    return n == len && memcmp(got, want, len) == 0;
}

static void put_file(const char *p, const void *data, size_t len)
{
    FILE *f = fopen(p, "wb");
    if (!f)
        return;
    fwrite(data, 1, len, f);
    fclose(f);
}

static int sent_has(int conn, const char *needle)
{
    const struct fp_conn *c = &A->fp.conn[conn];
    size_t n = strlen(needle), i;
    for (i = 0; i + n <= c->sent_len; i++)
        if (memcmp(c->sent + i, needle, n) == 0)
            return 1;
    return 0;
}

/* Case-insensitive search over every byte sent on every connection. */
static int any_sent_has_ci(const char *needle)
{
    size_t n = strlen(needle), i, k;
    int c;
    for (c = 0; c < A->fp.nconn; c++) {
        const struct fp_conn *fc = &A->fp.conn[c];
        for (i = 0; i + n <= fc->sent_len; i++) {
            for (k = 0; k < n; k++) {
                char a = fc->sent[i + k], b = needle[k];
                if (a >= 'A' && a <= 'Z')
                    a = (char)(a + 32);
                if (b >= 'A' && b <= 'Z')
                    b = (char)(b + 32);
                if (a != b)
                    break;
            }
            if (k == n)
                return 1;
        }
    }
    return 0;
}

static void sha256_ref(const uint8_t *d, size_t n, uint8_t out[32])
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    mbedtls_sha256(d, n, out, 0);
#else
    mbedtls_sha256_ret(d, n, out, 0);
#endif
}

static struct tvc_dl D;
static struct tvc_hash sha;
static mbedtls_sha256_context sha_ctx;

static int start(const char *url)
{
    tvc_hash_mbedtls_init(&sha, &sha_ctx);
    D.hash = &sha;
    D.progress = on_progress;
    D.progress_user = &prog;
    D.io_timeout_ms = 2000;
    return tvc_dl_start(&D, &A->c, &A->port, url, path);
}

static int run(void)
{
    int i, rc = TVC_ERR_AGAIN;
    for (i = 0; i < 100000 && rc == TVC_ERR_AGAIN; i++)
        rc = tvc_dl_step(&D, 100);
    return rc;
}

/* A first attempt that dies after @p got body bytes, leaving a part. */
static void cut_attempt(size_t got, const char *validators)
{
    size_t hl;
    struct fp_conn *c;

    new_attempt();
    c = serve(0, body, BODY_LEN, &hl,
              "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n", BODY_LEN, validators);
    c->cut_at = hl + got;
    c->cut_rc = 0;
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), TVC_ERR_HTTP_TRUNCATED);
    CHECK_EQ(fsize(part), (long)got);
    CHECK(fsize(meta) > 0);
    CHECK_EQ(fsize(path), -1);
}

/* ---- cases ---- */

static void t_hex(void)
{
    static const uint8_t abc_sha[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad
    };
    char hex[65];
    uint8_t ref[32];

    tvc_hex(abc_sha, 32, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256_ref((const uint8_t *)"abc", 3, ref);
    CHECK_MEM(ref, 32, abc_sha, 32);
    tvc_hex((const uint8_t *)"\x00\xff", 2, hex);
    CHECK_STR(hex, "00ff");
    tvc_hex(NULL, 0, hex);
    CHECK_STR(hex, "");
}

static void t_full_200(void)
{
    setup();
    serve(0, body, BODY_LEN, NULL,
          "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nETag: " ETAG "\r\n\r\n", BODY_LEN);
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), 0);
    CHECK(file_is(path, body, BODY_LEN));
    CHECK_EQ(D.bytes, BODY_LEN);
    CHECK_MEM(D.sha256, 32, body_sha, 32);
    CHECK_EQ(D.http_status, 200);
    CHECK_EQ(D.resumed, 0);
    CHECK_EQ(fsize(part), -1);
    CHECK_EQ(fsize(meta), -1);
    CHECK(sent_has(0, "GET /media/video.mp4 HTTP/1.1\r\n"));
    CHECK(!any_sent_has_ci("Range:"));
    CHECK(!any_sent_has_ci("Authorization"));
    CHECK(prog.calls > 2);
    CHECK_EQ(prog.last_have, BODY_LEN);
    CHECK_EQ(prog.last_total, BODY_LEN);
    CHECK_EQ(prog.went_back, 0);
    CHECK_EQ(tvc_dl_step(&D, 0), 0); /* done stays done */
    tvc_dl_abort(&D);                /* harmless after the end */
    CHECK(file_is(path, body, BODY_LEN));
    teardown();
}

static void t_chunked(void)
{
    static char chunked[BODY_LEN + 512];
    size_t n = 0, off = 0, step = 777;

    setup();
    while (off < BODY_LEN) {
        size_t k = BODY_LEN - off < step ? BODY_LEN - off : step;
        n += (size_t)sprintf(chunked + n, "%zx\r\n", k);
        memcpy(chunked + n, body + off, k);
        n += k;
        memcpy(chunked + n, "\r\n", 2);
        n += 2;
        off += k;
        step = step * 3 % 2000 + 1;
    }
    memcpy(chunked + n, "0\r\n\r\n", 5);
    n += 5;
    serve(0, (const uint8_t *)chunked, n, NULL,
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), 0);
    CHECK(file_is(path, body, BODY_LEN));
    CHECK_MEM(D.sha256, 32, body_sha, 32);
    CHECK_EQ(D.bytes, BODY_LEN);
    CHECK_EQ(prog.last_total, -1);
    CHECK_EQ(fsize(part), -1);
    teardown();
}

/* Each kind of validator, and what the resume sends for it. */
static const struct {
    const char *name;
    const char *headers;  /* of the first answer */
    const char *if_range; /* expected in the resume; NULL: none */
} validators[] = {
    { "strong etag", "ETag: " ETAG "\r\n", "If-Range: " ETAG "\r\n" },
    { "etag wins over date", "Last-Modified: Wed, 21 Oct 2015 07:28:00 GMT\r\nETag: " ETAG "\r\n",
      "If-Range: " ETAG "\r\n" },
    { "last-modified", "Last-Modified: Wed, 21 Oct 2015 07:28:00 GMT\r\n",
      "If-Range: Wed, 21 Oct 2015 07:28:00 GMT\r\n" },
    { "weak etag", "ETag: W/\"weak\"\r\nLast-Modified: Wed, 21 Oct 2015 07:28:00 GMT\r\n", NULL },
    { "unquoted etag", "ETag: bare\r\n", NULL },
    { "none", "", NULL },
};

static void t_cut_then_resume(void)
{
    size_t i, hl;
    const size_t got = 4000;

    for (i = 0; i < sizeof validators / sizeof validators[0]; i++) {
        h_begin(validators[i].name);
        setup();
        cut_attempt(got, validators[i].headers);

        new_attempt();
        serve(0, body + got, BODY_LEN - got, &hl,
              "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %zu-%d/%d\r\n"
              "Content-Length: %zu\r\n\r\n",
              got, BODY_LEN - 1, BODY_LEN, (size_t)BODY_LEN - got);
        CHECK_EQ(start(URL), 0);
        CHECK_EQ(D.resumed, 1);
        CHECK_EQ(run(), 0);
        CHECK(sent_has(0, "Range: bytes=4000-\r\n"));
        if (validators[i].if_range)
            CHECK(sent_has(0, validators[i].if_range));
        else
            CHECK(!any_sent_has_ci("If-Range"));
        CHECK(!any_sent_has_ci("Authorization"));
        CHECK(file_is(path, body, BODY_LEN));
        CHECK_MEM(D.sha256, 32, body_sha, 32);
        CHECK_EQ(D.bytes, BODY_LEN);
        CHECK_EQ(D.resumed, 1);
        CHECK_EQ(D.http_status, 206);
        CHECK_EQ(fsize(part), -1);
        CHECK_EQ(fsize(meta), -1);
        CHECK_EQ(prog.last_have, BODY_LEN);
        teardown();
        h_end();
    }
}

/* The server sends less than the rest: TRUNCATED, and the next resume
 * continues from there. */
static void t_short_206(void)
{
    setup();
    cut_attempt(4000, "ETag: " ETAG "\r\n");

    new_attempt();
    serve(0, body + 4000, 2000, NULL,
          "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4000-5999/%d\r\n"
          "Content-Length: 2000\r\n\r\n", BODY_LEN);
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), TVC_ERR_HTTP_TRUNCATED);
    CHECK_EQ(fsize(part), 6000);
    CHECK_EQ(fsize(path), -1);

    new_attempt();
    serve(0, body + 6000, BODY_LEN - 6000, NULL,
          "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 6000-%d/%d\r\n"
          "Content-Length: %d\r\n\r\n", BODY_LEN - 1, BODY_LEN, BODY_LEN - 6000);
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), 0);
    CHECK(sent_has(0, "Range: bytes=6000-\r\n"));
    CHECK(sent_has(0, "If-Range: " ETAG "\r\n"));
    CHECK(file_is(path, body, BODY_LEN));
    teardown();
}

static void t_resume_gets_200(void)
{
    setup();
    cut_attempt(3000, "ETag: " ETAG "\r\n");

    new_attempt();
    serve(0, body, BODY_LEN, NULL,
          "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nETag: \"v2\"\r\n\r\n", BODY_LEN);
    inj.trace[0] = '\0';
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), 0);
    CHECK(sent_has(0, "Range: bytes=3000-\r\n"));
    /* the dropped part's truncation is durable before the new meta names
     * it: first a part fsync, then the meta, then the finished part's */
    CHECK_STR(inj.trace, "PMP");
    CHECK(file_is(path, body, BODY_LEN)); /* not 13000 bytes */
    CHECK_EQ(D.bytes, BODY_LEN);
    CHECK_EQ(D.resumed, 0);
    CHECK_MEM(D.sha256, 32, body_sha, 32);
    teardown();
}

/* The restart after a 200 records the new validator before new bytes land:
 * cut the 200 too, and the next resume asks with the new one. */
static void t_resume_200_cut_again(void)
{
    size_t hl;
    struct fp_conn *c;

    setup();
    cut_attempt(3000, "ETag: " ETAG "\r\n");

    new_attempt();
    c = serve(0, body, BODY_LEN, &hl,
              "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nETag: \"v2\"\r\n\r\n", BODY_LEN);
    c->cut_at = hl + 1000;
    c->cut_rc = TVC_ERR_RESET;
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), TVC_ERR_RESET);
    CHECK_EQ(fsize(part), 1000);
    CHECK_EQ(fsize(path), -1);

    new_attempt();
    serve(0, body + 1000, BODY_LEN - 1000, NULL,
          "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 1000-%d/%d\r\n\r\n",
          BODY_LEN - 1, BODY_LEN);
    c = &A->fp.conn[0];
    c->idle = 0; /* no Content-Length: the body ends at close */
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), 0);
    CHECK(sent_has(0, "Range: bytes=1000-\r\n"));
    CHECK(sent_has(0, "If-Range: \"v2\"\r\n"));
    CHECK(file_is(path, body, BODY_LEN));
    teardown();
}

static const struct {
    const char *name;
    const char *head; /* answer to a resume from 4000, body is the rest */
} bad_ranges[] = {
    { "wrong start", "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 3000-8999/10000\r\n"
                     "Content-Length: 6000\r\n\r\n" },
    { "from zero", "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-5999/10000\r\n"
                   "Content-Length: 6000\r\n\r\n" },
    { "length disagrees", "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4000-9999/10000\r\n"
                          "Content-Length: 5000\r\n\r\n" },
    { "no content-range", "HTTP/1.1 206 Partial Content\r\nContent-Length: 6000\r\n\r\n" },
    { "garbage content-range", "HTTP/1.1 206 Partial Content\r\nContent-Range: items 4000-9999/10000\r\n"
                               "Content-Length: 6000\r\n\r\n" },
    { "last before first", "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4000-3999/10000\r\n"
                           "Content-Length: 6000\r\n\r\n" },
    { "last past total", "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4000-9999/9000\r\n"
                         "Content-Length: 6000\r\n\r\n" },
    { "total changed", "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4000-9999/20000\r\n"
                       "Content-Length: 6000\r\n\r\n" },
    { "start past part", "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5000-9999/10000\r\n"
                         "Content-Length: 5000\r\n\r\n" },
    { "length one more", "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4000-9999/*\r\n"
                            "Content-Length: 6001\r\n\r\n" },
    { "too many bytes", "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4000-4999/*\r\n\r\n" },
};

static void t_bad_content_range(void)
{
    size_t i;

    for (i = 0; i < sizeof bad_ranges / sizeof bad_ranges[0]; i++) {
        h_begin(bad_ranges[i].name);
        setup();
        cut_attempt(4000, "ETag: " ETAG "\r\n");

        new_attempt();
        serve(0, body + 4000, BODY_LEN - 4000, NULL, "%s", bad_ranges[i].head);
        A->fp.conn[0].idle = 0; /* bodies without a length end at close */
        CHECK_EQ(start(URL), 0);
        CHECK_EQ(run(), TVC_ERR_HTTP_FRAMING);
        CHECK_EQ(fsize(path), -1);
        CHECK_EQ(fsize(part), -1); /* dropped: the next start is clean */
        CHECK_EQ(fsize(meta), -1);

        new_attempt();
        serve(0, body, BODY_LEN, NULL, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY_LEN);
        CHECK_EQ(start(URL), 0);
        CHECK_EQ(run(), 0);
        CHECK(!sent_has(0, "Range:"));
        CHECK(file_is(path, body, BODY_LEN));
        teardown();
        h_end();
    }
}

static void write_meta(const char *url, const char *validator, long total)
{
    char text[2048];
    int n = snprintf(text, sizeof text, "tvc-dl 1\nurl %s\nvalidator %s\ntotal %ld\nend\n", url,
                     validator, total);
    put_file(meta, text, (size_t)n);
}

static void t_416_complete(void)
{
    setup();
    put_file(part, body, BODY_LEN);
    write_meta(URL, ETAG, BODY_LEN);
    serve(0, NULL, 0, NULL,
          "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */%d\r\n"
          "Content-Length: 5\r\n\r\nnope!", BODY_LEN);
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), 0);
    CHECK(sent_has(0, "Range: bytes=10000-\r\n"));
    CHECK(sent_has(0, "If-Range: " ETAG "\r\n"));
    CHECK(file_is(path, body, BODY_LEN));
    CHECK_MEM(D.sha256, 32, body_sha, 32);
    CHECK_EQ(D.bytes, BODY_LEN);
    CHECK_EQ(D.http_status, 416);
    CHECK_EQ(fsize(part), -1);
    CHECK_EQ(fsize(meta), -1);
    teardown();

    /* a 416 naming another length: the part is wrong and goes */
    setup();
    put_file(part, body, BODY_LEN);
    write_meta(URL, ETAG, BODY_LEN);
    serve(0, NULL, 0, NULL,
          "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */5000\r\n"
          "Content-Length: 0\r\n\r\n");
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), TVC_ERR_HTTP_STATUS);
    CHECK_EQ(D.http_status, 416);
    CHECK_EQ(fsize(path), -1);
    CHECK_EQ(fsize(part), -1);
    teardown();
}

static void t_404(void)
{
    setup();
    serve(0, NULL, 0, NULL, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot here!");
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), TVC_ERR_HTTP_STATUS);
    CHECK_EQ(D.http_status, 404);
    CHECK_EQ(fsize(path), -1);
    CHECK_EQ(tvc_dl_step(&D, 0), TVC_ERR_HTTP_STATUS); /* stays failed */
    teardown();

    /* with a part from before: kept for a later resume */
    setup();
    cut_attempt(2500, "ETag: " ETAG "\r\n");
    new_attempt();
    serve(0, NULL, 0, NULL, "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n");
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), TVC_ERR_HTTP_STATUS);
    CHECK_EQ(D.http_status, 503);
    CHECK_EQ(fsize(part), 2500);
    CHECK(fsize(meta) > 0);
    CHECK_EQ(fsize(path), -1);
    teardown();
}

/* A 206 to a request without Range is not ours to trust. */
static void t_unasked_206(void)
{
    setup();
    serve(0, body, 100, NULL,
          "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-99/%d\r\n"
          "Content-Length: 100\r\n\r\n", BODY_LEN);
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), TVC_ERR_HTTP_FRAMING);
    CHECK_EQ(fsize(part), -1);
    CHECK_EQ(fsize(path), -1);
    teardown();
}

static void t_redirect_other_host(void)
{
    setup();
    serve(0, NULL, 0, NULL,
          "HTTP/1.1 302 Found\r\nLocation: http://cdn.other.example:8080/x/real.mp4?sig=1\r\n"
          "Content-Length: 0\r\n\r\n");
    serve(1, body, BODY_LEN, NULL, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY_LEN);
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), 0);
    CHECK_STR(A->fp.conn[0].host, "files.example");
    CHECK_STR(A->fp.conn[1].host, "cdn.other.example");
    CHECK_EQ(A->fp.conn[1].port, 8080);
    CHECK(sent_has(1, "GET /x/real.mp4?sig=1 HTTP/1.1\r\n"));
    CHECK(!any_sent_has_ci("Authorization"));
    CHECK(!any_sent_has_ci("Bearer"));
    CHECK(file_is(path, body, BODY_LEN));
    teardown();
}

static void t_meta_other_url(void)
{
    setup();
    cut_attempt(4000, "ETag: " ETAG "\r\n");
    new_attempt();
    serve(0, body, BODY_LEN, NULL, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY_LEN);
    CHECK_EQ(start("http://files.example/media/other.mp4"), 0);
    CHECK_EQ(fsize(part), -1); /* stale part gone at start */
    CHECK_EQ(D.resumed, 0);
    CHECK_EQ(run(), 0);
    CHECK(!sent_has(0, "Range:"));
    CHECK(file_is(path, body, BODY_LEN));
    teardown();
}

static const struct {
    const char *name;
    const char *text; /* NULL: no meta file */
} bad_metas[] = {
    { "no meta", NULL },
    { "empty meta", "" },
    { "garbage meta", "hello world\n" },
    { "torn meta", "tvc-dl 1\nurl " URL "\nvalidator " ETAG "\n" },
    { "url prefix", "tvc-dl 1\nurl " URL "x\nvalidator \ntotal -1\nend\n" },
    { "url shorter", "tvc-dl 1\nurl http://files.example/media/video.mp\nvalidator \ntotal -1\nend\n" },
    { "version 2", "tvc-dl 2\nurl " URL "\nvalidator \ntotal -1\nend\n" },
    { "bad total", "tvc-dl 1\nurl " URL "\nvalidator \ntotal 12a\nend\n" },
};

static void t_bad_meta(void)
{
    size_t i;

    for (i = 0; i < sizeof bad_metas / sizeof bad_metas[0]; i++) {
        h_begin(bad_metas[i].name);
        setup();
        put_file(part, body, 4000);
        if (bad_metas[i].text)
            put_file(meta, bad_metas[i].text, strlen(bad_metas[i].text));
        serve(0, body, BODY_LEN, NULL, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY_LEN);
        CHECK_EQ(start(URL), 0);
        CHECK_EQ(fsize(part), -1);
        CHECK_EQ(run(), 0);
        CHECK(!sent_has(0, "Range:"));
        CHECK(file_is(path, body, BODY_LEN));
        CHECK_EQ(fsize(meta), -1);
        teardown();
        h_end();
    }
    /* the hand-written good meta is accepted (the format is as documented) */
    h_begin("good meta");
    setup();
    put_file(part, body, 4000);
    write_meta(URL, "", -1);
    serve(0, body + 4000, BODY_LEN - 4000, NULL,
          "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4000-9999/*\r\n"
          "Content-Length: 6000\r\n\r\n");
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), 0);
    CHECK(sent_has(0, "Range: bytes=4000-\r\n"));
    CHECK(file_is(path, body, BODY_LEN));
    teardown();
    h_end();
}

static void t_storage_fail(void)
{
    setup();
    serve(0, body, BODY_LEN, NULL, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY_LEN);
    CHECK_EQ(start(URL), 0);
    inj.write_fail = 1;
    CHECK_EQ(run(), TVC_ERR_STORAGE);
    CHECK(inj.writes > 0);
    CHECK_EQ(fsize(path), -1);
    CHECK_EQ(fsize(part), 0);
    CHECK(fsize(meta) > 0); /* the meta went out before the body */
    teardown();

    /* the meta cannot be written: no body byte is stored either */
    setup();
    serve(0, body, BODY_LEN, NULL, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY_LEN);
    CHECK_EQ(start(URL), 0);
    inj.write_fail = 2;
    CHECK_EQ(run(), TVC_ERR_STORAGE);
    CHECK_EQ(inj.writes, 1);
    CHECK_EQ(fsize(path), -1);
    CHECK_EQ(fsize(meta), -1);
    CHECK(fsize(part) <= 0);
    teardown();

    /* the final rename fails: nothing published, the part is kept */
    setup();
    serve(0, body, BODY_LEN, NULL, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY_LEN);
    CHECK_EQ(start(URL), 0);
    inj.rename_fail = 1;
    CHECK_EQ(run(), TVC_ERR_STORAGE);
    CHECK_EQ(fsize(path), -1);
    CHECK_EQ(fsize(part), BODY_LEN);
    CHECK(fsize(meta) > 0);
    teardown();

    /* the meta cannot be made durable: nothing stored, no meta left */
    setup();
    serve(0, body, BODY_LEN, NULL, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY_LEN);
    CHECK_EQ(start(URL), 0);
    inj.sync_fail = 1;
    CHECK_EQ(run(), TVC_ERR_STORAGE);
    CHECK_EQ(fsize(path), -1);
    CHECK_EQ(fsize(meta), -1);
    CHECK(fsize(part) <= 0);
    teardown();

    /* the directory is gone: the part cannot even be created */
    setup();
    serve(0, body, BODY_LEN, NULL, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY_LEN);
    snprintf(path, sizeof path, "%s/missing/dir/video.mp4", dir);
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), TVC_ERR_STORAGE);
    CHECK_EQ(fsize(path), -1);
    teardown();
}

static void t_network_errors(void)
{
    /* refused connection (the fake refuses at once, inside start) */
    setup();
    CHECK_EQ(start(URL), TVC_ERR_CONNECT);
    CHECK_EQ(tvc_dl_step(&D, 0), TVC_ERR_STATE);
    CHECK_EQ(fsize(part), -1);
    CHECK_EQ(fsize(path), -1);
    teardown();

    /* stalled mid-body: timeout, part kept, final absent */
    setup();
    {
        size_t hl;
        struct fp_conn *c = serve(0, body, BODY_LEN, &hl,
                                  "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nETag: " ETAG "\r\n\r\n",
                                  BODY_LEN);
        c->cut_at = hl + 1234;
        c->cut_rc = TVC_ERR_AGAIN;
    }
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(run(), TVC_ERR_TIMEOUT);
    CHECK_EQ(fsize(part), 1234);
    CHECK_EQ(fsize(path), -1);
    teardown();
}

static void t_abort(void)
{
    setup();
    {
        size_t hl;
        struct fp_conn *c = serve(0, body, BODY_LEN, &hl,
                                  "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY_LEN);
        c->cut_at = hl + 1500; /* then silence */
        c->cut_rc = TVC_ERR_AGAIN;
    }
    CHECK_EQ(start(URL), 0);
    {
        /* bounded steps: a few calls bring the 1500 bytes, then silence */
        int i, rc = TVC_ERR_AGAIN;
        for (i = 0; i < 100 && rc == TVC_ERR_AGAIN && prog.last_have < 1500; i++)
            rc = tvc_dl_step(&D, 0);
        CHECK_EQ(rc, TVC_ERR_AGAIN);
        CHECK_EQ(tvc_dl_step(&D, 0), TVC_ERR_AGAIN);
    }
    CHECK_EQ(prog.last_have, 1500);
    tvc_dl_abort(&D);
    tvc_dl_abort(&D);
    CHECK_EQ(tvc_dl_step(&D, 0), TVC_ERR_ABORTED);
    CHECK_EQ(fsize(part), 1500);
    CHECK_EQ(fsize(path), -1);
    CHECK(A->fp.conn[0].closed);
    teardown();
}

static void t_start_errors(void)
{
    static char longp[TVC_PATH_MAX + 10];
    static char longu[TVC_URL_MAX + 10];
    struct tvc_port noio;

    setup();
    memset(longp, 'p', sizeof longp - 1);
    memset(longu, 'u', sizeof longu - 1);
    memcpy(longu, "http://x/", 9);
    CHECK_EQ(tvc_dl_start(&D, &A->c, &A->port, URL, longp), TVC_ERR_NOSPACE);
    CHECK_EQ(tvc_dl_start(&D, &A->c, &A->port, longu, path), TVC_ERR_NOSPACE);
    CHECK_EQ(tvc_dl_start(&D, &A->c, &A->port, "ftp://x/y", path), TVC_ERR_URL_SCHEME);
    CHECK_EQ(tvc_dl_start(&D, &A->c, &A->port, "http:// bad/", path), TVC_ERR_URL);
    CHECK_EQ(tvc_dl_start(&D, &A->c, &A->port, "https://x/y", path), TVC_ERR_URL_SCHEME);
    CHECK_EQ(tvc_dl_start(&D, &A->c, &A->port, URL, ""), TVC_ERR_ARG);
    CHECK_EQ(tvc_dl_start(&D, &A->c, &A->port, URL, "dir/"), TVC_ERR_ARG);
    noio = A->port;
    noio.file_lock = NULL;
    CHECK_EQ(tvc_dl_start(&D, &A->c, &noio, URL, path), TVC_ERR_PORT);
    /* a URL error does not touch a part on disk */
    put_file(part, body, 100);
    CHECK_EQ(tvc_dl_start(&D, &A->c, &A->port, "ftp://x/y", path), TVC_ERR_URL_SCHEME);
    CHECK_EQ(fsize(part), 100);
    /* a second start while running is refused */
    serve(0, body, BODY_LEN, NULL, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY_LEN);
    CHECK_EQ(start(URL), 0);
    CHECK_EQ(start(URL), TVC_ERR_STATE);
    CHECK_EQ(run(), 0);
    CHECK(file_is(path, body, BODY_LEN));
    teardown();
}

/* A relative path: the directory to sync is "." */
static void t_relative_path(void)
{
    char cwd[512];

    setup();
    if (!getcwd(cwd, sizeof cwd) || chdir(dir) != 0) {
        CHECK(0);
        teardown();
        return;
    }
    serve(0, body, BODY_LEN, NULL, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY_LEN);
    D.progress = NULL;
    CHECK_EQ(tvc_dl_start(&D, &A->c, &A->port, URL, "plain.bin"), 0);
    CHECK_EQ(run(), 0);
    CHECK(file_is("plain.bin", body, BODY_LEN));
    CHECK_EQ(fsize("plain.bin.part"), -1);
    if (chdir(cwd) != 0)
        CHECK(0);
    teardown();
}

int main(void)
{
    size_t i;

    for (i = 0; i < BODY_LEN; i++)
        body[i] = (uint8_t)(i * 131u + (i >> 7));
    sha256_ref(body, BODY_LEN, body_sha);
    tvc_posix_init(&px, &pxp);

    RUN(t_hex);
    RUN(t_full_200);
    RUN(t_chunked);
    t_cut_then_resume();
    RUN(t_short_206);
    RUN(t_resume_gets_200);
    RUN(t_resume_200_cut_again);
    t_bad_content_range();
    RUN(t_416_complete);
    RUN(t_404);
    RUN(t_unasked_206);
    RUN(t_redirect_other_host);
    RUN(t_meta_other_url);
    t_bad_meta();
    RUN(t_storage_fail);
    RUN(t_network_errors);
    RUN(t_abort);
    RUN(t_start_errors);
    RUN(t_relative_path);
    free(A);
    return h_summary();
}
