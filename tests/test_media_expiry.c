/* Media URLs that expire, and error pages that are not media: the job
 * engine over the scripted transport (fake_port) with real files (POSIX
 * storage, journal) in a fresh temporary directory.
 *
 * A media host's 401/403/404/410 (or an HTML/XML/JSON/text page) makes the
 * job ask check-status again, at most TVC_JOB_MEDIA_REFRESH times: a new
 * URL serving the same file resumes the part (If-Range + Range, nothing
 * fetched twice); a changed file restarts; the same URL ends the job with
 * nothing at the final path. */
#define _DEFAULT_SOURCE

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "fake_port.h"
#include "harness.h"
#include "tvc_job.h"
#include "tvc_posix.h"
#include "tvc_tls.h" /* the mbedTLS SHA-256 for downloads */

#define BASE "http://api.example"
#define KEY "sk-media-expiry-1"
#define URL1 "http://cdn.example/v.mp4?sig=1"
#define URL2 "http://cdn.example/v.mp4?sig=2"
#define URL3 "http://cdn.example/v.mp4?sig=3"
#define URL4 "http://cdn.example/v.mp4?sig=4"
#define VID "MP4-video-bytes-0123456789-0123456789-0123456789" /* 48 bytes */
#define NEWVID "MP4-other-file-9876543210-9876543210-987654321"
#define KEPT 20 /* bytes of VID the first answer delivers before it is cut */

#define GEN_OK                                                                         \
    "{\"success\":true,\"status\":\"processing\",\"taskId\":\"t-1\",\"recordId\":\"42\"," \
    "\"storyboardPrompt\":null,\"storyboardImageUrl\":null}"
#define DONE(u)                                                                       \
    "{\"success\":true,\"status\":\"completed\",\"recordId\":\"42\",\"currentStep\":3," \
    "\"videoUrl\":\"" u "\"}"

static struct {
    struct fp fp;
    struct tvc_port port;
    struct tvc_http_client http;
    char hdr[TVC_HTTP_HEADER_BUF];
    uint8_t io[TVC_HTTP_IO_BUF];
    struct tvc_journal jn;
    struct tvc_job job;
    char resp[16][1024];
    int nbuilt;
} *W;

static struct tvc_posix px;
static struct tvc_port pxp;
static char dir[128], sdir[200], out[300], part[320], meta[330];
static const struct tvc_gen_params params = {"Media expiry test", NULL, NULL, 10, 0};


static void setup(void)
{
    static struct tvc_hash h;
    static mbedtls_sha256_context sha;

    if (!W)
        W = malloc(sizeof *W);
    memset(W, 0, sizeof *W);
    strcpy(dir, "/tmp/tvc-media-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
    snprintf(sdir, sizeof sdir, "%s/state", dir);
    snprintf(out, sizeof out, "%s/video.mp4", dir);
    snprintf(part, sizeof part, "%s.part", out);
    snprintf(meta, sizeof meta, "%s.part.meta", out);
    fp_init(&W->fp, &W->port);
    W->fp.seed = 0x9e3779b97f4a7c15ull;
    fp_use_storage(&W->port, &pxp);
    tvc_http_client_init(&W->http, &W->port, NULL, W->hdr, sizeof W->hdr, W->io, sizeof W->io);
    CHECK_EQ(tvc_journal_open(&W->jn, &W->port, sdir), 0);
    tvc_hash_mbedtls_init(&h, &sha);
    W->job.hash = &h;
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("warning: could not remove %s\n", dir);
}

static const char *fmt(const char *f, ...)
{
    char *s = W->resp[W->nbuilt++ % 16];
    va_list ap;
    va_start(ap, f);
    vsnprintf(s, sizeof W->resp[0], f, ap);
    va_end(ap);
    return s;
}

static const char *api(const char *body)
{
    return fmt("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
               strlen(body), body);
}

/* A media answer: status, extra header lines, body (Content-Length). */
static const char *mresp(int status, const char *extra, const char *body)
{
    return fmt("HTTP/1.1 %d X\r\n%sContent-Length: %zu\r\n\r\n%s", status, extra, strlen(body), body);
}

static struct fp_conn *conn(const char *r0, ...)
{
    struct fp_conn *c = fp_add(&W->fp, r0);
    const char *r;
    va_list ap;
    va_start(ap, r0);
    while (r0 && (r = va_arg(ap, const char *)) != NULL && c->nresp < FP_MAX_RESP)
        c->resp[c->nresp++] = r;
    va_end(ap);
    return c;
}

/* The first media answer: the whole of VID announced, cut after KEPT bytes
 * of body by an orderly close (a truncated download, part kept). */
static void conn_cut(void)
{
    const char *r = mresp(200, "Content-Type: video/mp4\r\nETag: \"e1\"\r\n", VID);
    struct fp_conn *c = conn(r, NULL);
    c->cut_at = strlen(r) - strlen(VID) + KEPT;
    c->cut_rc = 0;
}

static int drive(void)
{
    int rc = TVC_ERR_AGAIN, n = 0;
    while (n++ < 100000) {
        uint32_t sl = 0;
        rc = tvc_job_step(&W->job, 1000, &sl);
        if (rc != TVC_ERR_AGAIN)
            break;
        W->fp.clock += sl;
    }
    return rc;
}

static int start(void)
{
    return tvc_job_start_new(&W->job, &W->port, &W->http, &W->jn, BASE, KEY, &params, out, NULL);
}

static int file_is(const char *p, const char *want, size_t n)
{
    static char got[4096];
    FILE *f = fopen(p, "rb");
    size_t k;
    if (!f)
        return 0;
    k = fread(got, 1, sizeof got, f);
    fclose(f);
    return k == n && memcmp(got, want, n) == 0;
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* What connection @p i sent (requests in order, heads and bodies). */
static const char *sent(int i)
{
    W->fp.conn[i].sent[sizeof W->fp.conn[i].sent - 1] = '\0';
    return W->fp.conn[i].sent;
}

static int count_status(void)
{
    int i, n = 0;
    const char *s;
    for (i = 0; i < W->fp.nconn; i++)
        for (s = sent(i); (s = strstr(s, "POST /api/sora-2-tvc/check-status")) != NULL; s++)
            n++;
    return n;
}

static void journal_rec(struct tvc_job_rec *r)
{
    char name[64];
    snprintf(name, sizeof name, "job-%s.json", W->job.rec.id);
    CHECK_EQ(tvc_journal_load(&W->jn, name, r), 0);
}

static void sha_of(const char *d, size_t n, uint8_t o[32])
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    mbedtls_sha256((const uint8_t *)d, n, o, 0);
#else
    mbedtls_sha256_ret((const uint8_t *)d, n, o, 0);
#endif
}

/* No media request ever carried the key; every API request did. */
static void check_key_only_to_api(void)
{
    int i;
    for (i = 0; i < W->fp.nconn; i++) {
        const char *s = sent(i);
        if (strstr(s, "POST /api/"))
            CHECK(strstr(s, "Authorization: Bearer " KEY) != NULL);
        else
            CHECK(strstr(s, KEY) == NULL && strstr(s, "Authorization") == NULL);
    }
}

static void t_resigned_same_file(void)
{
    static struct tvc_job_rec r;
    uint8_t sha[32];

    setup();
    conn(api(GEN_OK), api(DONE(URL1)), NULL);
    conn_cut();                                      /* 1: 20 bytes, then closed */
    conn(mresp(403, "", ""), NULL);                  /* 2: the resume: expired */
    conn(api(DONE(URL2)), NULL);                     /* 3: check-status again */
    conn(mresp(206, "Content-Type: video/mp4\r\nETag: \"e1\"\r\nContent-Range: bytes 20-47/48\r\n",
               VID + KEPT), NULL);                   /* 4: the rest, from the new URL */
    CHECK_EQ(start(), 0);
    CHECK_EQ(drive(), 0);
    CHECK(file_is(out, VID, strlen(VID)));
    CHECK(!exists(part) && !exists(meta));
    sha_of(VID, strlen(VID), sha);
    CHECK_MEM(W->job.video_sha256, 32, sha, 32);
    CHECK_EQ(W->job.video_bytes, strlen(VID));
    CHECK(strstr(sent(2), "GET /v.mp4?sig=1 ") && strstr(sent(2), "Range: bytes=20-"));
    /* the new URL resumed where the part ended, proving the file the same */
    CHECK(strstr(sent(4), "GET /v.mp4?sig=2 ") != NULL);
    CHECK(strstr(sent(4), "Range: bytes=20-\r\n") != NULL);
    CHECK(strstr(sent(4), "If-Range: \"e1\"\r\n") != NULL);
    CHECK_EQ(W->fp.nconn, 5);
    CHECK_EQ(count_status(), 2);
    CHECK_EQ(W->job.api_requests, 3); /* generate, status, status */
    CHECK(W->job.io_.dl.resumed);
    journal_rec(&r);
    CHECK_STR(r.video_url, URL2);
    CHECK_EQ(r.phase, TVC_PHASE_DONE);
    check_key_only_to_api();
    teardown();
}

static void t_resigned_changed_file(void)
{
    setup();
    conn(api(GEN_OK), api(DONE(URL1)), NULL);
    conn_cut();
    conn(mresp(410, "", ""), NULL);
    conn(api(DONE(URL2)), NULL);
    /* If-Range did not match: the whole new file */
    conn(mresp(200, "Content-Type: video/mp4\r\nETag: \"e2\"\r\n", NEWVID), NULL);
    CHECK_EQ(start(), 0);
    CHECK_EQ(drive(), 0);
    CHECK(strstr(sent(4), "If-Range: \"e1\"\r\n") != NULL);
    CHECK(file_is(out, NEWVID, strlen(NEWVID)));
    CHECK(!W->job.io_.dl.resumed);
    CHECK_EQ(W->job.video_bytes, strlen(NEWVID));
    teardown();
}

/* A CDN that ignores If-Range and sends a 206 of another file (its ETag
 * says so): never spliced; the part goes and the next attempt restarts. */
static void t_resigned_206_other_etag(void)
{
    setup();
    conn(api(GEN_OK), api(DONE(URL1)), NULL);
    conn_cut();
    conn(mresp(403, "", ""), NULL);
    conn(api(DONE(URL2)), NULL);
    conn(mresp(206, "ETag: \"e2\"\r\nContent-Range: bytes 20-47/48\r\n", NEWVID + KEPT), NULL);
    conn(mresp(200, "ETag: \"e2\"\r\n", NEWVID), NULL);
    CHECK_EQ(start(), 0);
    CHECK_EQ(drive(), 0);
    CHECK(strstr(sent(5), "GET /v.mp4?sig=2 ") != NULL);
    CHECK(strstr(sent(5), "Range:") == NULL); /* restarted from zero */
    CHECK(file_is(out, NEWVID, strlen(NEWVID)));
    teardown();
}

/* The service hands out the same URL again: the refusal ends the job
 * (exit 11 for the CLI), nothing at the final path, resumable. */
static void t_same_url(void)
{
    static struct tvc_job_rec r;

    setup();
    conn(api(GEN_OK), api(DONE(URL1)), NULL);
    conn_cut();
    conn(mresp(403, "Content-Type: text/html\r\n", "<html>expired</html>"), NULL);
    conn(api(DONE(URL1)), NULL);
    CHECK_EQ(start(), 0);
    CHECK_EQ(drive(), TVC_ERR_HTTP_STATUS);
    CHECK_EQ(W->job.res.http_status, 403);
    CHECK_EQ(W->fp.nconn, 4);
    CHECK_EQ(count_status(), 2);
    CHECK(!exists(out));
    CHECK(file_is(part, VID, KEPT)); /* the kept bytes, untouched */
    journal_rec(&r);
    CHECK_EQ(r.phase, TVC_PHASE_DOWNLOADING);
    CHECK_STR(r.last_error, tvc_strerror(TVC_ERR_HTTP_STATUS));
    teardown();
}

/* A 200 whose body is an HTML page: never written (not even to the part),
 * a download error; the same URL again ends the job. */
static void t_html_200(void)
{
    setup();
    conn(api(GEN_OK), api(DONE(URL1)), NULL);
    conn_cut();
    conn(mresp(200, "Content-Type: text/html; charset=utf-8\r\n", "<html>Link expired</html>"),
         NULL);
    conn(api(DONE(URL1)), NULL);
    CHECK_EQ(start(), 0);
    CHECK_EQ(drive(), TVC_ERR_MEDIA_TYPE);
    CHECK_EQ(W->job.res.http_status, 200);
    CHECK(!exists(out));
    CHECK(file_is(part, VID, KEPT)); /* a 200 would have truncated it: the page came first */
    teardown();
}

/* Every URL refused: check-status is asked TVC_JOB_MEDIA_REFRESH times. */
static void t_bound(void)
{
    static const char *const urls[] = {DONE(URL2), DONE(URL3), DONE(URL4)};
    int i;

    setup();
    conn(api(GEN_OK), api(DONE(URL1)), NULL);
    for (i = 0; i < TVC_JOB_MEDIA_REFRESH && W->fp.nconn + 2 < FP_MAX_CONN; i++) {
        conn(mresp(404, "", ""), NULL);
        conn(api(urls[i % 3]), NULL);
    }
    conn(mresp(404, "", ""), NULL);
    CHECK_EQ(start(), 0);
    CHECK_EQ(drive(), TVC_ERR_HTTP_STATUS);
    CHECK_EQ(W->job.res.http_status, 404);
    CHECK_EQ(count_status(), 1 + TVC_JOB_MEDIA_REFRESH);
    CHECK_EQ(W->fp.nconn, W->fp.next); /* every scripted connection used, no more */
    CHECK(!exists(out));
    teardown();
}

/* Which Content-Types are pages: tvc_dl on its own. */
static void t_content_types(void)
{
    static const struct {
        const char *ct;
        int rc;
    } v[] = {
        {"text/html", TVC_ERR_MEDIA_TYPE},
        {"TEXT/HTML;charset=UTF-8", TVC_ERR_MEDIA_TYPE},
        {"text/plain", TVC_ERR_MEDIA_TYPE},
        {"text/xml", TVC_ERR_MEDIA_TYPE},
        {"application/xml", TVC_ERR_MEDIA_TYPE},
        {"application/json; charset=utf-8", TVC_ERR_MEDIA_TYPE},
        {"application/problem+json", TVC_ERR_MEDIA_TYPE},
        {"application/xhtml+xml", TVC_ERR_MEDIA_TYPE},
        {"text/csv", TVC_ERR_MEDIA_TYPE},
        {"application/jsonx", 0},
        {"application/", 0},
        {"text/", 0},
        {"video/mp4", 0},
        {"image/png", 0},
        {"image/svg+xml", 0},
        {"application/octet-stream", 0},
        {"binary/octet-stream", 0},
        {NULL, 0}, /* none at all */
    };
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct tvc_dl *d = &W->job.io_.dl;
        char h[128];
        int rc, n = 0;

        setup();
        snprintf(h, sizeof h, "%s%s%s", v[i].ct ? "Content-Type: " : "", v[i].ct ? v[i].ct : "",
                 v[i].ct ? "\r\n" : "");
        conn(mresp(200, h, VID), NULL);
        memset(d, 0, sizeof *d);
        CHECK_EQ(tvc_dl_start(d, &W->http, &W->port, URL1, out), 0);
        while ((rc = tvc_dl_step(d, 1000)) == TVC_ERR_AGAIN && n++ < 1000)
            ;
        if (rc != v[i].rc)
            printf("  Content-Type %s\n", v[i].ct ? v[i].ct : "(none)");
        CHECK_EQ(rc, v[i].rc);
        CHECK_EQ(exists(out), rc == 0);
        CHECK(rc == 0 || !exists(part)); /* a page never reaches the part either */
        teardown();
    }
}

/* Without same_resource a part of another URL is never resumed (the
 * tvc download command, a reused output path). */
static void t_other_url_needs_vouching(void)
{
    struct tvc_dl *d;
    int rc, n = 0;

    setup();
    d = &W->job.io_.dl;
    conn_cut();
    conn(mresp(200, "ETag: \"e1\"\r\n", VID), NULL);
    memset(d, 0, sizeof *d);
    CHECK_EQ(tvc_dl_start(d, &W->http, &W->port, URL1, out), 0);
    while ((rc = tvc_dl_step(d, 1000)) == TVC_ERR_AGAIN && n++ < 1000)
        ;
    CHECK_EQ(rc, TVC_ERR_HTTP_TRUNCATED);
    CHECK(file_is(part, VID, KEPT));
    tvc_http_client_close(&W->http);
    CHECK_EQ(tvc_dl_start(d, &W->http, &W->port, URL2, out), 0);
    while ((rc = tvc_dl_step(d, 1000)) == TVC_ERR_AGAIN && n++ < 2000)
        ;
    CHECK_EQ(rc, 0);
    CHECK(strstr(sent(1), "Range:") == NULL);
    CHECK(!d->resumed);
    CHECK(file_is(out, VID, strlen(VID)));
    teardown();
}

static int dl_run(struct tvc_dl *d, const char *url, int same)
{
    int rc, n = 0;
    tvc_http_client_close(&W->http);
    memset(d, 0, sizeof *d);
    d->same_resource = same;
    rc = tvc_dl_start(d, &W->http, &W->port, url, out);
    while (rc == 0 || rc == TVC_ERR_AGAIN) {
        rc = tvc_dl_step(d, 1000);
        if (n++ > 1000)
            break;
    }
    return rc;
}

/* A part kept across a URL change takes the new URL in its meta: after a
 * second cut, the new URL resumes it with no vouching. */
static void t_meta_takes_new_url(void)
{
    struct tvc_dl *d;
    const char *r;
    struct fp_conn *c;

    setup();
    d = &W->job.io_.dl;
    conn_cut();
    r = mresp(206, "ETag: \"e1\"\r\nContent-Range: bytes 20-47/48\r\n", VID + KEPT);
    c = conn(r, NULL);
    c->cut_at = strlen(r) - strlen(VID + KEPT) + 10; /* 10 more bytes, then closed */
    c->cut_rc = 0;
    conn(mresp(206, "ETag: \"e1\"\r\nContent-Range: bytes 30-47/48\r\n", VID + KEPT + 10), NULL);
    CHECK_EQ(dl_run(d, URL1, 0), TVC_ERR_HTTP_TRUNCATED);
    CHECK_EQ(dl_run(d, URL2, 1), TVC_ERR_HTTP_TRUNCATED);
    CHECK(file_is(part, VID, KEPT + 10));
    CHECK_EQ(dl_run(d, URL2, 0), 0);
    CHECK(strstr(sent(2), "GET /v.mp4?sig=2 ") && strstr(sent(2), "Range: bytes=30-\r\n"));
    CHECK(file_is(out, VID, strlen(VID)));
    teardown();
}

int main(void)
{
    tvc_posix_init(&px, &pxp);
    RUN(t_resigned_same_file);
    RUN(t_resigned_changed_file);
    RUN(t_resigned_206_other_etag);
    RUN(t_same_url);
    RUN(t_html_200);
    RUN(t_bound);
    RUN(t_content_types);
    RUN(t_other_url_needs_vouching);
    RUN(t_meta_takes_new_url);
    free(W);
    return h_summary();
}
