/* Flash wear of a whole job: the job engine over the scripted transport
 * (fake_port) on a virtual clock, with the POSIX port's storage behind a
 * wrapper that counts every storage call.  A job with 5 polls and one with
 * 60 must cost exactly the same writes and syncs: polling writes nothing.
 * The figures are printed for the README. */
#define _DEFAULT_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_port.h"
#include "harness.h"
#include "tvc_job.h"
#include "tvc_posix.h"

#define BASE "http://api.example"
#define KEY "sk-test-1"
#define WALL0 1700000000LL
#define GEN_OK                                                                         \
    "{\"success\":true,\"status\":\"processing\",\"taskId\":\"t-1\",\"recordId\":\"42\"," \
    "\"storyboardPrompt\":null,\"storyboardImageUrl\":null}"
#define PROC "{\"success\":true,\"status\":\"processing\",\"recordId\":\"42\",\"currentStep\":2}"
#define DONE                                                                          \
    "{\"success\":true,\"status\":\"completed\",\"recordId\":\"42\",\"currentStep\":3," \
    "\"storyboardImageUrl\":\"http://cdn.example/sb.png\",\"videoUrl\":\"http://cdn.example/v.mp4\"}"
#define IMG_BODY "PNG-storyboard-bytes"
#define VID_BODY "MP4-video-bytes-0123456789-0123456789-0123456789"

enum { C_JOURNAL, C_BUDGET, C_DOWNLOAD, NCAT };
static const char *const cat_names[NCAT] = { "journal", "budget", "download" };

struct counts {
    long writes, bytes, syncs, dsyncs, renames, removes, creates;
};

static struct world {
    struct fp fp;
    struct tvc_port port;
    struct tvc_http_client http;
    char hdr[TVC_HTTP_HEADER_BUF];
    uint8_t io[TVC_HTTP_IO_BUF];
    struct tvc_journal jn;
    struct tvc_job job;
    char resp[4][1024];
    struct fp_conn *api;
    int polls_wanted, statuses;
    struct counts c[NCAT];
    struct counts at_first_poll[NCAT], at_last_poll[NCAT];
    signed char fh_cat[4096];
    int last_cat;
} *W;

static struct tvc_posix px;
static struct tvc_port pxp;
static char dir[128], sdir[200], out_vid[300], out_img[300];
static const struct tvc_gen_params params = {"Nike running shoes - feel the speed",
                                             "Run faster.", NULL, 15, 1};
static const struct tvc_gen_params *gp = &params;

static int cat_of(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strncmp(base, "budget", 6) == 0)
        return C_BUDGET;
    if (strncmp(base, "job-", 4) == 0 || strncmp(base, "inflight-", 9) == 0 ||
        strncmp(base, "history", 7) == 0)
        return C_JOURNAL;
    return C_DOWNLOAD;
}

/* ---- the counting storage wrapper ---- */

static int s_open(void *c, const char *p, unsigned f)
{
    int fh = pxp.file_open(pxp.ctx, p, f);
    (void)c;
    if (fh >= 0 && fh < (int)sizeof W->fh_cat)
        W->fh_cat[fh] = (signed char)cat_of(p);
    if (fh >= 0 && f != TVC_FILE_READ && !strstr(p, "budget.lock"))
        W->c[cat_of(p)].creates++;
    return fh;
}
static int fh_cat(int fh)
{
    return fh >= 0 && fh < (int)sizeof W->fh_cat ? W->fh_cat[fh] : C_DOWNLOAD;
}
static int s_read(void *c, int fh, uint8_t *b, size_t n) { (void)c; return pxp.file_read(pxp.ctx, fh, b, n); }
static int s_write(void *c, int fh, const uint8_t *b, size_t n)
{
    (void)c;
    W->c[fh_cat(fh)].writes++;
    W->c[fh_cat(fh)].bytes += (long)n;
    return pxp.file_write(pxp.ctx, fh, b, n);
}
static int s_sync(void *c, int fh)
{
    (void)c;
    W->c[fh_cat(fh)].syncs++;
    return pxp.file_sync(pxp.ctx, fh);
}
static int s_close(void *c, int fh) { (void)c; return pxp.file_close(pxp.ctx, fh); }
static int s_lock(void *c, int fh) { (void)c; return pxp.file_lock(pxp.ctx, fh); }
static int s_size(void *c, const char *p, uint64_t *sz) { (void)c; return pxp.file_size(pxp.ctx, p, sz); }
static int s_rename(void *c, const char *a, const char *b)
{
    (void)c;
    W->last_cat = cat_of(b);
    W->c[W->last_cat].renames++;
    return pxp.file_rename(pxp.ctx, a, b);
}
static int s_remove(void *c, const char *p)
{
    int rc = pxp.file_remove(pxp.ctx, p);
    (void)c;
    if (rc == 0) {
        W->last_cat = cat_of(p);
        W->c[W->last_cat].removes++;
    }
    return rc;
}
/* A directory sync belongs to the rename or remove just before it. */
static int s_dsync(void *c, const char *d)
{
    (void)c;
    W->c[W->last_cat].dsyncs++;
    return pxp.dir_sync(pxp.ctx, d);
}
static int s_dcreate(void *c, const char *d) { (void)c; return pxp.dir_create(pxp.ctx, d); }
static int s_dlist(void *c, const char *d, int (*cb)(void *, const char *), void *u)
{
    (void)c;
    return pxp.dir_list(pxp.ctx, d, cb, u);
}
static int64_t c_wall(void *ctx)
{
    (void)ctx;
    return WALL0 + (int64_t)(W->fp.clock / 1000);
}

/* The (polls_wanted)th check-status answers "completed"; the figures are
 * snapshot at the first and the last "processing" answer. */
static void on_event(void *user, const struct tvc_job *j, int e)
{
    (void)user;
    (void)j;
    if (e != TVC_EV_STATUS)
        return;
    W->statuses++;
    if (W->statuses == 1)
        memcpy(W->at_first_poll, W->c, sizeof W->c);
    if (W->statuses == W->polls_wanted - 1) {
        memcpy(W->at_last_poll, W->c, sizeof W->c);
        W->api->resp[W->api->nresp - 1] = W->resp[2];
    }
}

static const char *api(char *s, const char *body)
{
    snprintf(s, 1024,
             "HTTP/1.1 200 X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    return s;
}

static const char *media(char *s, const char *body)
{
    snprintf(s, 1024, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nETag: \"e1\"\r\n\r\n%s",
             strlen(body), body);
    return s;
}

/* One whole job with @p polls check-status requests.  0: done. */
static int run_job(int polls, int per_hour, uint32_t deadline_ms)
{
    struct fp_conn *m;
    uint32_t sl;
    int rc = TVC_ERR_AGAIN, steps = 0;
    char cmd[300];

    if (!W)
        W = malloc(sizeof *W);
    memset(W, 0, sizeof *W);
    memset(W->fh_cat, C_DOWNLOAD, sizeof W->fh_cat);
    strcpy(dir, "/tmp/tvc-wear-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
    snprintf(sdir, sizeof sdir, "%s/state", dir);
    snprintf(out_vid, sizeof out_vid, "%s/video.mp4", dir);
    snprintf(out_img, sizeof out_img, "%s/sb.png", dir);
    tvc_posix_init(&px, &pxp);
    fp_init(&W->fp, &W->port);
    W->fp.seed = 0x9e3779b97f4a7c15ull;
    W->port.wall_time = c_wall;
    W->port.file_open = s_open;
    W->port.file_read = s_read;
    W->port.file_write = s_write;
    W->port.file_sync = s_sync;
    W->port.file_close = s_close;
    W->port.file_lock = s_lock;
    W->port.file_size = s_size;
    W->port.file_rename = s_rename;
    W->port.file_remove = s_remove;
    W->port.dir_sync = s_dsync;
    W->port.dir_create = s_dcreate;
    W->port.dir_list = s_dlist;
    tvc_http_client_init(&W->http, &W->port, NULL, W->hdr, sizeof W->hdr, W->io, sizeof W->io);
    CHECK_EQ(tvc_journal_open(&W->jn, &W->port, sdir), 0);
    memset(W->c, 0, sizeof W->c); /* creating the directory is not the job's */
    W->polls_wanted = polls;
    W->api = fp_add(&W->fp, api(W->resp[0], GEN_OK));
    W->api->resp[W->api->nresp++] = api(W->resp[1], PROC);
    W->api->repeat_last = 1;
    api(W->resp[2], DONE);
    m = fp_add(&W->fp, media(W->resp[3], IMG_BODY));
    m->resp[m->nresp++] = media(W->resp[3] + 512, VID_BODY);
    W->job.on_event = on_event;
    W->job.poll_ms = TVC_JOB_POLL_ADAPTIVE; /* a set number of polls, fast */
    W->job.per_hour = per_hour;
    W->job.deadline_ms = deadline_ms;
    CHECK_EQ(tvc_job_start_new(&W->job, &W->port, &W->http, &W->jn, BASE, KEY, gp, out_vid,
                               out_img),
             0);
    while (rc == TVC_ERR_AGAIN && steps++ < 1000000) {
        sl = 0;
        rc = tvc_job_step(&W->job, 1000, &sl);
        W->fp.clock += sl ? sl : 1;
    }
    CHECK_EQ(W->statuses, polls);
    CHECK_EQ(W->job.api_requests, (uint32_t)polls + 1);
    if (gp != &params) {
        static struct tvc_job_rec r;
        char name[64];
        snprintf(name, sizeof name, "job-%s.json", W->job.rec.id);
        CHECK_EQ(tvc_journal_load(&W->jn, name, &r), 0);
        CHECK_STR(r.ad_theme, W->job.rec.ad_theme);
        CHECK_STR(r.reference_url, W->job.rec.reference_url);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("warning: could not remove %s\n", dir);
    return rc;
}

static struct counts total(const struct counts *c)
{
    struct counts t;
    int k;
    memset(&t, 0, sizeof t);
    for (k = 0; k < NCAT; k++) {
        t.writes += c[k].writes;
        t.bytes += c[k].bytes;
        t.syncs += c[k].syncs;
        t.dsyncs += c[k].dsyncs;
        t.renames += c[k].renames;
        t.removes += c[k].removes;
        t.creates += c[k].creates;
    }
    return t;
}

static void print(const char *title, const struct counts *c)
{
    struct counts t = total(c);
    int k;
    printf("  %s\n", title);
    for (k = 0; k < NCAT; k++)
        printf("    %-8s: %2ld files created, %3ld file_write calls (%5ld bytes), %2ld file_sync, "
               "%2ld dir_sync, %2ld renames, %2ld removes\n",
               cat_names[k], c[k].creates, c[k].writes, c[k].bytes, c[k].syncs, c[k].dsyncs,
               c[k].renames, c[k].removes);
    printf("    %-8s: %2ld files created, %3ld file_write calls (%5ld bytes), %2ld fsyncs "
           "(%ld file + %ld dir)\n",
           "total", t.creates, t.writes, t.bytes, t.syncs + t.dsyncs, t.syncs, t.dsyncs);
}

/* The same storage operations (the bytes may differ a little: the budget
 * file lists the minutes the job polled in, at most one line per minute of
 * a lease). */
static int same(const struct counts *a, const struct counts *b)
{
    int k;
    for (k = 0; k < NCAT; k++)
        if (a[k].writes != b[k].writes || a[k].syncs != b[k].syncs ||
            a[k].dsyncs != b[k].dsyncs || a[k].renames != b[k].renames ||
            a[k].removes != b[k].removes || a[k].creates != b[k].creates)
            return 0;
    return 1;
}

static int same_bytes(const struct counts *a, const struct counts *b)
{
    int k;
    for (k = 0; k < NCAT; k++)
        if (a[k].bytes != b[k].bytes)
            return 0;
    return same(a, b);
}

static void t_polls_write_nothing(void)
{
    static struct counts five[NCAT], sixty[NCAT];
    struct counts t;

    CHECK_EQ(run_job(5, 100, 0), 0);
    memcpy(five, W->c, sizeof five);
    CHECK(same_bytes(W->at_first_poll, W->at_last_poll));
    CHECK_EQ(run_job(60, 100, 0), 0);
    memcpy(sixty, W->c, sizeof sixty);
    /* between the first and the 59th poll: not one storage call */
    CHECK(same_bytes(W->at_first_poll, W->at_last_poll));
    print("job with 5 polls (per_hour 100):", five);
    print("job with 60 polls (per_hour 100):", sixty);
    CHECK(same(five, sixty));
    /* the documented figure: journal 4 records (marker, submit, completed,
     * done) and the polling history once (at completed), budget one lease
     * taken and given back */
    CHECK_EQ(five[C_JOURNAL].renames, 5);
    CHECK_EQ(five[C_JOURNAL].syncs, 5);
    CHECK_EQ(five[C_JOURNAL].dsyncs, 6);
    CHECK_EQ(five[C_JOURNAL].writes, 9);
    CHECK_EQ(five[C_JOURNAL].removes, 1);
    CHECK_EQ(five[C_BUDGET].renames, 2);
    CHECK_EQ(five[C_BUDGET].syncs, 2);
    CHECK_EQ(five[C_BUDGET].dsyncs, 2);
    CHECK_EQ(five[C_JOURNAL].creates, 5);
    CHECK_EQ(five[C_BUDGET].creates, 2);
    CHECK_EQ(five[C_BUDGET].writes, 2); /* the budget file fits one write */
    CHECK(sixty[C_BUDGET].bytes < TVC_JOURNAL_CHUNK);
    /* downloads: each of the two files fsyncs its .part.meta (written in
     * place) and its part, then renames the part and syncs the directory */
    CHECK_EQ(five[C_DOWNLOAD].syncs, 4);
    CHECK_EQ(five[C_DOWNLOAD].dsyncs, 2);
    t = total(five);
    CHECK_EQ(t.syncs + t.dsyncs, 21);
}

/* Polling for longer than a lease covers costs one budget write per
 * further lease, nothing per poll. */
static void t_long_job(void)
{
    const int polls = 300;
    long leases;
    unsigned long long secs;

    CHECK_EQ(run_job(polls, 1000, 4u * 3600000u), 0);
    secs = W->fp.clock / 1000;
    print("job with 300 polls (per_hour 1000):", W->c);
    leases = (polls + 1 + TVC_BUDGET_LEASE - 1) / TVC_BUDGET_LEASE +
             (long)(secs / TVC_BUDGET_LEASE_S) + 1;
    printf("    (%llu s of polling; bound: %ld leases + the release)\n", secs, leases);
    CHECK(W->c[C_BUDGET].renames <= leases + 1);
    CHECK(W->c[C_BUDGET].renames >= (polls + 1 + TVC_BUDGET_LEASE - 1) / TVC_BUDGET_LEASE + 1);
    /* the 4 records; the polling history only when the job's time is one
     * worth learning (this one polls for longer than TVC_POLL_LEARN_MAX_S) */
    CHECK(secs > TVC_POLL_LEARN_MAX_S);
    CHECK_EQ(W->c[C_JOURNAL].renames, 4);
}

/* Theme, voiceover and reference URL are sent whole, but the record keeps
 * only TVC_JOURNAL_TEXT_MAX-byte labels, cut at a character boundary. */
static void t_labels(void)
{
    static char theme[600], url[900];
    static struct tvc_gen_params lp;
    size_t i, n;

    for (n = 0; n + 3 < 590; n += 3)
        memcpy(theme + n, "\xe2\x82\xac", 3); /* euro signs */
    theme[n] = '\0';
    n = (size_t)snprintf(url, sizeof url, "https://cdn.example.com/");
    for (i = 0; i < 800; i++)
        url[n++] = 'a';
    memcpy(url + n, ".png", 5);
    lp = params;
    lp.ad_theme = theme;
    lp.reference_url = url;
    gp = &lp;
    CHECK_EQ(run_job(2, 100, 0), 0);
    gp = &params;
    /* sent whole */
    CHECK(strstr(W->fp.conn[0].sent, url) != NULL);
    CHECK(strstr(W->fp.conn[0].sent, theme) != NULL);
    /* kept as labels */
    CHECK_EQ(strlen(W->job.rec.ad_theme), (TVC_JOURNAL_TEXT_MAX - 1) / 3 * 3);
    CHECK_EQ(strncmp(W->job.rec.ad_theme, theme, strlen(W->job.rec.ad_theme)), 0);
    CHECK_EQ(strlen(W->job.rec.reference_url), TVC_JOURNAL_TEXT_MAX - 1);
    CHECK_EQ(strncmp(W->job.rec.reference_url, url, TVC_JOURNAL_TEXT_MAX - 1), 0);
    /* still refused before any traffic when no request could carry it */
    {
        static char huge[TVC_URL_MAX + 10];
        memset(huge, 'a', sizeof huge - 1);
        memcpy(huge, "https://x.example/", 18);
        lp.reference_url = huge;
        CHECK_EQ(tvc_job_start_new(&W->job, &W->port, &W->http, &W->jn, BASE, KEY, &lp, out_vid,
                                   NULL),
                 TVC_ERR_NOSPACE);
    }
}

int main(void)
{
    RUN(t_polls_write_nothing);
    RUN(t_long_job);
    RUN(t_labels);
    free(W);
    return h_summary();
}
