/* The job engine end to end: network from the scripted transport
 * (fake_port), storage and journal from the POSIX port in a fresh temporary
 * directory, a wall clock that follows the virtual one (for the budget), and
 * a driver that sleeps only when the engine says so, by advancing the fake
 * clock.  Every case checks the exact requests that went on the wire. */
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
#define KEY "sk-test-1"
#define IMG_URL "http://cdn.example/sb.png"
#define VID_URL "http://cdn.example/v.mp4"
#define IMG_BODY "PNG-storyboard-bytes"
#define VID_BODY "MP4-video-bytes-0123456789-0123456789-0123456789"
#define WALL0 1700000000LL
#define AUTH "Authorization: Bearer " KEY "\r\n"

#define GEN_OK                                                                         \
    "{\"success\":true,\"status\":\"processing\",\"taskId\":\"t-1\",\"recordId\":\"42\"," \
    "\"storyboardPrompt\":null,\"storyboardImageUrl\":null}"
#define PROC "{\"success\":true,\"status\":\"processing\",\"recordId\":\"42\",\"currentStep\":2}"
#define DONE_NO_IMG                                                                   \
    "{\"success\":true,\"status\":\"completed\",\"recordId\":\"42\",\"currentStep\":3," \
    "\"videoUrl\":\"" VID_URL "\"}"
#define DONE                                                                          \
    "{\"success\":true,\"status\":\"completed\",\"recordId\":\"42\",\"currentStep\":3," \
    "\"storyboardImageUrl\":\"" IMG_URL "\",\"videoUrl\":\"" VID_URL "\"}"

#define MAX_LOG 256

/* One request as it went out (logged by the composite port's send). */
struct wreq {
    unsigned long long at;  /* virtual clock when its head went out */
    int sock;
    char head[700];         /* request head (cut to fit) */
    char line[160];         /* request line */
    char body[512];
    int auth;               /* carried "Authorization: Bearer" + KEY */
    int inflight_marker;    /* generate only: the marker file existed */
};

struct ev {
    int e;
    unsigned long long at;
    int state;
    uint32_t wait;
};

static struct world {
    struct fp fp;
    struct tvc_port port;
    struct tvc_http_client http;
    char hdr[TVC_HTTP_HEADER_BUF];
    uint8_t io[TVC_HTTP_IO_BUF];
    struct tvc_journal jn;
    struct tvc_job job;
    char resp[40][1024];
    int nbuilt;
    struct wreq req[MAX_LOG];
    int nreq;
    struct ev ev[4096];
    int nev;
    int abort_on;                   /* on_event calls tvc_job_abort() on this event */
    /* what the driver saw */
    uint32_t sleep[MAX_LOG];        /* every non-zero sleep_ms asked for */
    unsigned long long sleep_at[MAX_LOG];
    int nsleep;
    int steps;
    int blocked;                    /* step calls during which the clock moved */
} *W;

static struct tvc_posix px;
static struct tvc_port pxp;
static int64_t wall0 = WALL0; /* -1: clock not set */
static char dir[128], sdir[200], out_vid[300], out_img[300];
static const struct tvc_gen_params params = {"Nike running shoes - feel the speed",
                                             "Run faster.", NULL, 15, 1};

/* ---- composite port: fake network (with a request log), POSIX storage ---- */

static int fexists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static void marker_path(char *buf, size_t cap, const char *kind)
{
    snprintf(buf, cap, "%s/%s-%s.json", sdir, kind, W->job.rec.id);
}

static void log_body(struct wreq *r, const uint8_t *b, size_t n)
{
    size_t have = strlen(r->body);
    if (have + n >= sizeof r->body)
        n = sizeof r->body - 1 - have;
    memcpy(r->body + have, b, n);
    r->body[have + n] = '\0';
}

static int (*fake_send)(void *, int, const uint8_t *, size_t, uint32_t);

static int c_send(void *ctx, int sock, const uint8_t *buf, size_t len, uint32_t wait_ms)
{
    if ((len >= 5 && memcmp(buf, "POST ", 5) == 0) || (len >= 4 && memcmp(buf, "GET ", 4) == 0)) {
        struct wreq *r = &W->req[W->nreq < MAX_LOG ? W->nreq++ : MAX_LOG - 1];
        const uint8_t *eol = memchr(buf, '\r', len), *end = NULL;
        size_t i, n = eol ? (size_t)(eol - buf) : len;
        char m[320];
        memset(r, 0, sizeof *r);
        r->at = W->fp.clock;
        r->sock = sock;
        if (n >= sizeof r->line)
            n = sizeof r->line - 1;
        memcpy(r->line, buf, n);
        n = len < sizeof r->head - 1 ? len : sizeof r->head - 1;
        memcpy(r->head, buf, n);
        for (i = 0; i + 4 <= len; i++)
            if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
                end = buf + i + 4;
                break;
            }
        for (i = 0; i + sizeof AUTH - 1 <= len; i++)
            if (memcmp(buf + i, AUTH, sizeof AUTH - 1) == 0)
                r->auth = 1;
        if (end && end < buf + len)
            log_body(r, end, (size_t)(buf + len - end));
        marker_path(m, sizeof m, "inflight");
        r->inflight_marker = fexists(m);
    } else if (W->nreq > 0) {
        log_body(&W->req[W->nreq - 1], buf, len);
    }
    return fake_send(ctx, sock, buf, len, wait_ms);
}

static int64_t c_wall(void *ctx)
{
    (void)ctx;
    return wall0 < 0 ? -1 : wall0 + (int64_t)(W->fp.clock / 1000);
}


/* ---- set-up ---- */

static void on_event(void *user, const struct tvc_job *j, int e)
{
    struct ev *v;
    (void)user;
    if (W->nev >= (int)(sizeof W->ev / sizeof W->ev[0]))
        return;
    v = &W->ev[W->nev++];
    v->e = e;
    v->at = W->fp.clock;
    v->state = j->res.state;
    v->wait = j->wait_reason_ms;
    if (W->abort_on && e == W->abort_on)
        tvc_job_abort(&W->job); /* from inside the step: done as it returns */
}

static int use_journal;

static void setup(int journal)
{
    if (!W)
        W = malloc(sizeof *W);
    memset(W, 0, sizeof *W);
    strcpy(dir, "/tmp/tvc-job-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
    snprintf(sdir, sizeof sdir, "%s/state", dir);
    snprintf(out_vid, sizeof out_vid, "%s/video.mp4", dir);
    snprintf(out_img, sizeof out_img, "%s/sb.png", dir);
    fp_init(&W->fp, &W->port);
    W->fp.seed = 0x9e3779b97f4a7c15ull; /* jitter that varies, reproducibly */
    fake_send = W->port.send;
    W->port.send = c_send;
    W->port.wall_time = c_wall;
    fp_use_storage(&W->port, &pxp);
    tvc_http_client_init(&W->http, &W->port, NULL, W->hdr, sizeof W->hdr, W->io, sizeof W->io);
    use_journal = journal;
    if (journal)
        CHECK_EQ(tvc_journal_open(&W->jn, &W->port, sdir), 0);
    W->job.on_event = on_event;
    /* these cases were written for the fixed 5-10 s schedule; the default,
     * learning one is tested in tests/test_poll_plan.c */
    W->job.poll_ms = TVC_JOB_POLL_ADAPTIVE;
    {
        static struct tvc_hash h;
        static mbedtls_sha256_context sha;
        tvc_hash_mbedtls_init(&h, &sha);
        W->job.hash = &h;
    }
    wall0 = WALL0;
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("warning: could not remove %s\n", dir);
}

static int start_new(int storyboard)
{
    return tvc_job_start_new(&W->job, &W->port, &W->http, use_journal ? &W->jn : NULL, BASE, KEY,
                             &params, out_vid, storyboard ? out_img : NULL);
}

/* An API answer with Content-Length; @p extra is more header lines. */
static const char *api(int status, const char *extra, const char *body)
{
    char *s = W->resp[W->nbuilt++ % 40];
    snprintf(s, sizeof W->resp[0],
             "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n%sContent-Length: %zu\r\n\r\n%s",
             status, extra ? extra : "", strlen(body), body);
    return s;
}

static const char *media(const char *body)
{
    char *s = W->resp[W->nbuilt++ % 40];
    snprintf(s, sizeof W->resp[0], "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nETag: \"e1\"\r\n\r\n%s",
             strlen(body), body);
    return s;
}

/* A scripted connection serving the given answers (NULL-terminated). */
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

/* Step until the job ends (or @p max_steps), sleeping as told on the
 * virtual clock.  With wait_ms 0 a stalled exchange would spin forever, so
 * the driver lets 1 ms pass per call, as a caller's loop would. */
static int drive(uint32_t wait_ms, int max_steps)
{
    int rc = TVC_ERR_AGAIN, n = 0;
    while (n++ < max_steps) {
        unsigned long long t = W->fp.clock;
        uint32_t sl = 777777;
        rc = tvc_job_step(&W->job, wait_ms, &sl);
        W->steps++;
        if (W->fp.clock != t)
            W->blocked++;
        if (rc != TVC_ERR_AGAIN) {
            CHECK_EQ(sl, 0);
            break;
        }
        CHECK(sl != 777777);
        if (sl) {
            if (W->nsleep < MAX_LOG) {
                W->sleep_at[W->nsleep] = W->fp.clock;
                W->sleep[W->nsleep++] = sl;
            }
            W->fp.clock += sl;
        } else if (wait_ms == 0) {
            W->fp.clock += 1;
        }
    }
    return rc;
}

/* The requests on the wire, in order: "generate", "status" or "GET /path". */
static const char *wire(void)
{
    static char s[4096];
    int i;
    s[0] = '\0';
    for (i = 0; i < W->nreq; i++) {
        const char *l = W->req[i].line, *name = l;
        char tmp[160];
        if (strstr(l, "POST /api/sora-2-tvc/generate HTTP/1.1"))
            name = "generate";
        else if (strstr(l, "POST /api/sora-2-tvc/check-status HTTP/1.1"))
            name = "status";
        else {
            const char *sp = strstr(l, " HTTP/1.1");
            size_t n = sp ? (size_t)(sp - l) : strlen(l);
            memcpy(tmp, l, n);
            tmp[n] = '\0';
            name = tmp;
        }
        if (i)
            strcat(s, ",");
        strncat(s, name, sizeof s - strlen(s) - 2);
    }
    return s;
}

static int count_ev(int e)
{
    int i, n = 0;
    for (i = 0; i < W->nev; i++)
        n += W->ev[i].e == e;
    return n;
}

/* Phase of the job in the journal; -1 when it has no record file. */
static int jphase(void)
{
    static struct tvc_job_rec r;
    char name[64];
    snprintf(name, sizeof name, "job-%s.json", W->job.rec.id);
    if (tvc_journal_load(&W->jn, name, &r) != 0)
        return -1;
    return r.phase;
}

static int has_marker(void)
{
    char m[320];
    marker_path(m, sizeof m, "inflight");
    return fexists(m);
}

static int file_is(const char *p, const char *want)
{
    static char got[4096];
    FILE *f = fopen(p, "rb");
    size_t n;
    if (!f)
        return 0;
    n = fread(got, 1, sizeof got, f);
    fclose(f);
    return n == strlen(want) && memcmp(got, want, n) == 0;
}

static void sha256_ref(const char *d, uint8_t out[32])
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    mbedtls_sha256((const uint8_t *)d, strlen(d), out, 0);
#else
    mbedtls_sha256_ret((const uint8_t *)d, strlen(d), out, 0);
#endif
}

static int in(uint32_t v, uint32_t lo, uint32_t hi)
{
    return v >= lo && v <= hi;
}

/* ---- cases ---- */

static void t_happy(void)
{
    uint8_t sha[32];
    int i;
    char part[320];

    setup(1);
    conn(api(200, NULL, GEN_OK), api(200, NULL, PROC), api(200, NULL, PROC), api(200, NULL, DONE),
         NULL);
    conn(media(IMG_BODY), media(VID_BODY), NULL);
    CHECK_EQ(start_new(1), 0);
    CHECK_EQ(W->job.rec.phase, TVC_PHASE_SUBMITTING);
    CHECK_EQ(W->nreq, 0); /* nothing goes out before the first step */
    CHECK_EQ(drive(1000, 10000), 0);
    CHECK_STR(wire(), "generate,status,status,status,GET /sb.png,GET /v.mp4");
    /* generate: the marker was durable before it left, the body as asked */
    CHECK(W->req[0].inflight_marker);
    CHECK(strstr(W->req[0].body, "\"adTheme\":\"Nike running shoes - feel the speed\"") != NULL);
    CHECK(strstr(W->req[0].body, "\"videoDuration\":\"15\"") != NULL);
    CHECK(strstr(W->req[0].body, "\"aspectRatio\":\"landscape\"") != NULL);
    for (i = 0; i < 4; i++)
        CHECK(W->req[i].auth);
    for (i = 1; i < 4; i++)
        CHECK_STR(W->req[i].body, "{\"recordId\":\"42\"}");
    CHECK(!W->req[4].auth && !W->req[5].auth); /* the key never goes to the CDN */
    CHECK(strstr(W->req[4].head, "Host: cdn.example\r\n") != NULL);
    /* polls exactly when the engine said, within the adaptive 5-10 s */
    CHECK_EQ(W->nsleep, 3);
    for (i = 0; i < 3 && i < W->nsleep; i++) {
        CHECK(in(W->sleep[i], 5000, 10000));
        CHECK_EQ(W->req[i + 1].at - W->req[i].at, W->sleep[i]);
    }
    /* results */
    CHECK(file_is(out_img, IMG_BODY));
    CHECK(file_is(out_vid, VID_BODY));
    snprintf(part, sizeof part, "%s.part", out_vid);
    CHECK(!fexists(part));
    CHECK_EQ(W->job.err, 0);
    CHECK_EQ(W->job.api_requests, 4);
    CHECK_EQ(W->job.video_bytes, strlen(VID_BODY));
    sha256_ref(VID_BODY, sha);
    CHECK_MEM(W->job.video_sha256, 32, sha, 32);
    CHECK_EQ(W->job.have_storyboard_file, 1);
    CHECK_STR(W->job.rec.record_id, "42");
    CHECK_STR(W->job.rec.task_id, "t-1");
    CHECK_STR(W->job.rec.video_url, VID_URL);
    CHECK_STR(W->job.rec.image_url, IMG_URL);
    CHECK_EQ(W->job.rec.phase, TVC_PHASE_DONE);
    CHECK_EQ(jphase(), TVC_PHASE_DONE);
    CHECK(!has_marker());
    /* events */
    CHECK_EQ(count_ev(TVC_EV_SUBMITTED), 1);
    CHECK_EQ(count_ev(TVC_EV_STATUS), 3);
    CHECK_EQ(count_ev(TVC_EV_DONE), 1);
    CHECK_EQ(count_ev(TVC_EV_WAITING), 0);
    CHECK(count_ev(TVC_EV_DOWNLOAD) >= 2);
    CHECK(W->nev > 0 && W->ev[0].e == TVC_EV_SUBMITTED);
    CHECK(W->nev > 0 && W->ev[W->nev - 1].e == TVC_EV_DONE);
    CHECK(W->nev > 3 && W->ev[3].e == TVC_EV_STATUS && W->ev[3].state == TVC_STATE_COMPLETED);
    /* done stays done, silently */
    CHECK_EQ(tvc_job_step(&W->job, 1000, NULL), 0);
    CHECK_EQ(W->nreq, 6);
    teardown();
}

static const struct {
    const char *name;
    uint32_t poll_ms, deadline_ms, lo, hi;
    int adaptive;
} schedules[] = {
    {"adaptive 5-10 s", TVC_JOB_POLL_ADAPTIVE, 300000, 5000, 10000, 1},
    {"fixed 2000 ms +-10%", 2000, 60000, 1800, 2200, 0},
    {"fixed 60000 ms +-10%", 60000, 900000, 54000, 66000, 0},
};

static double avg(const uint32_t *v, int from, int to)
{
    double s = 0;
    int i;
    for (i = from; i < to; i++)
        s += v[i];
    return to > from ? s / (to - from) : 0;
}

static void t_poll_schedule(void)
{
    size_t k;
    int i, distinct, distinct_late;

    for (k = 0; k < sizeof schedules / sizeof schedules[0]; k++) {
        h_begin(schedules[k].name);
        setup(0);
        conn(api(200, NULL, GEN_OK), api(200, NULL, PROC), NULL)->repeat_last = 1;
        W->job.poll_ms = schedules[k].poll_ms;
        W->job.deadline_ms = schedules[k].deadline_ms;
        CHECK_EQ(start_new(0), 0);
        CHECK_EQ(drive(1000, 100000), TVC_ERR_DEADLINE);
        CHECK(W->nsleep >= 12);
        CHECK_EQ(W->nreq, W->nsleep); /* one poll per interval, the last one cut by the deadline */
        distinct = distinct_late = 0;
        for (i = 0; i < W->nsleep; i++) {
            /* the last sleep is cut short so the deadline is met on time */
            if (!in(W->sleep[i], i + 1 == W->nsleep ? 1 : schedules[k].lo, schedules[k].hi)) {
                printf("  interval %d: %u ms\n", i, (unsigned)W->sleep[i]);
                CHECK(0);
            }
            if (i && W->sleep[i] != W->sleep[i - 1]) {
                distinct++;
                distinct_late += i > 8;
            }
            if (i + 1 < W->nreq)
                CHECK_EQ(W->req[i + 1].at - W->req[i].at, W->sleep[i]);
        }
        CHECK(distinct > 0);
        CHECK(distinct_late > 0); /* jitter, not only the growing base */
        CHECK_EQ(count_ev(TVC_EV_STATUS), W->nreq - 1);
        if (schedules[k].adaptive && W->nsleep >= 12) {
            CHECK(avg(W->sleep, 0, 3) < avg(W->sleep, 3, 6));
            CHECK(avg(W->sleep, 3, 6) < avg(W->sleep, 8, W->nsleep));
            CHECK(W->sleep[0] < W->sleep[10] && W->sleep[1] < W->sleep[11]);
        }
        teardown();
        h_end();
    }
}

static const struct {
    const char *name;
    int cut_now;
    size_t cut_at;
    int cut_rc;
} unknowns[] = {
    {"generate: reset, no answer byte", 1, 0, TVC_ERR_RESET},
    {"generate: EOF, no answer byte", 1, 0, 0},
    {"generate: reset inside the answer", 0, 20, TVC_ERR_RESET},
    {"generate: answer never comes", 1, 0, TVC_ERR_AGAIN},
};

static void t_generate_unknown(void)
{
    size_t k;
    unsigned long long t0;

    for (k = 0; k < sizeof unknowns / sizeof unknowns[0]; k++) {
        struct fp_conn *c;
        h_begin(unknowns[k].name);
        setup(1);
        c = conn(api(200, NULL, GEN_OK), NULL);
        c->cut_now = unknowns[k].cut_now;
        c->cut_at = unknowns[k].cut_at;
        c->cut_rc = unknowns[k].cut_rc;
        conn(api(200, NULL, GEN_OK), api(200, NULL, DONE_NO_IMG), NULL); /* a re-send would get here */
        conn(media(VID_BODY), NULL);
        CHECK_EQ(start_new(0), 0);
        t0 = W->fp.clock;
        CHECK_EQ(drive(1000, 10000), TVC_ERR_OUTCOME_UNKNOWN);
        CHECK_STR(wire(), "generate");
        CHECK(W->req[0].inflight_marker);
        CHECK_EQ(W->job.api_requests, 1);
        CHECK_EQ(W->job.rec.phase, TVC_PHASE_UNKNOWN);
        CHECK_EQ(jphase(), TVC_PHASE_UNKNOWN);
        CHECK(!has_marker());
        CHECK(W->job.rec.last_error[0] != '\0');
        CHECK_EQ(W->nsleep, 0);
        if (unknowns[k].cut_rc == TVC_ERR_AGAIN) /* the I/O timeout, not sooner */
            CHECK(W->fp.clock - t0 >= TVC_HTTP_IO_TIMEOUT_MS &&
                  W->fp.clock - t0 <= TVC_HTTP_IO_TIMEOUT_MS + 1000);
        else
            CHECK_EQ(W->fp.clock, t0);
        CHECK_EQ(tvc_job_step(&W->job, 1000, NULL), TVC_ERR_OUTCOME_UNKNOWN);
        CHECK_EQ(W->nreq, 1);
        CHECK_EQ(W->fp.next, 1); /* no other connection was even opened */
        teardown();
        h_end();
    }
}

/* Answers that came but cannot tell whether the job was created. */
static const struct {
    const char *name;
    int status;
    const char *body;
    int cause;
} unreadable[] = {
    {"generate: 502 page from a proxy", 502, "<html>Bad Gateway</html>", TVC_ERR_HTTP_STATUS},
    {"generate: 200 without any id", 200, "{\"success\":true,\"status\":\"processing\"}",
     TVC_ERR_API_PROTOCOL},
    {"generate: 200 malformed JSON", 200, "{\"success\":true,\"recordId\":", TVC_ERR_JSON},
};

static void t_generate_unreadable(void)
{
    size_t k;

    for (k = 0; k < sizeof unreadable / sizeof unreadable[0]; k++) {
        h_begin(unreadable[k].name);
        setup(1);
        conn(api(unreadable[k].status, NULL, unreadable[k].body), NULL);
        conn(api(200, NULL, GEN_OK), NULL); /* a re-send would get here */
        CHECK_EQ(start_new(0), 0);
        CHECK_EQ(drive(1000, 10000), TVC_ERR_OUTCOME_UNKNOWN);
        CHECK_STR(wire(), "generate");
        CHECK_EQ(jphase(), TVC_PHASE_UNKNOWN);
        CHECK(!has_marker());
        CHECK_STR(W->job.rec.last_error, tvc_strerror(unreadable[k].cause));
        teardown();
        h_end();
    }
}

static const struct {
    const char *name;
    int connect_rc, poll_rc;
} refusals[] = {
    {"generate: connect_poll refused twice", 0, TVC_ERR_CONNECT},
    {"generate: connect() refused twice", TVC_ERR_CONNECT, 0},
    {"generate: DNS failed twice", TVC_ERR_DNS, 0},
    {"generate: connect timed out twice", 0, TVC_ERR_AGAIN},
};

static void t_generate_connect_retry(void)
{
    size_t k;
    int i;

    for (k = 0; k < sizeof refusals / sizeof refusals[0]; k++) {
        h_begin(refusals[k].name);
        setup(1);
        for (i = 0; i < 2; i++) {
            struct fp_conn *c = conn(api(200, NULL, GEN_OK), NULL);
            c->connect_rc = refusals[k].connect_rc;
            c->poll_rc = refusals[k].poll_rc;
        }
        conn(api(200, NULL, GEN_OK), api(200, NULL, DONE_NO_IMG), NULL);
        conn(media(VID_BODY), NULL);
        CHECK_EQ(start_new(0), 0);
        CHECK_EQ(drive(1000, 10000), 0);
        CHECK_STR(wire(), "generate,status,GET /v.mp4");
        CHECK(W->nreq > 0 && W->req[0].inflight_marker);
        CHECK_EQ(W->job.api_requests, 2);
        CHECK_EQ(W->nsleep, 3); /* backoff, backoff, poll interval */
        CHECK_EQ(count_ev(TVC_EV_WAITING), 2);
        if (W->nsleep == 3) {
            CHECK(W->sleep[0] >= 500);
            CHECK(W->sleep[1] >= W->sleep[0]);
            CHECK(W->sleep[1] <= 4000);
            CHECK(in(W->sleep[2], 5000, 10000));
            /* the second attempt started only after the first wait */
            CHECK(W->req[0].at >= W->sleep_at[1] + W->sleep[1]);
        }
        for (i = 0; i < W->nev; i++)
            if (W->ev[i].e == TVC_EV_WAITING)
                CHECK(W->ev[i].wait == W->sleep[0] || W->ev[i].wait == W->sleep[1]);
        CHECK(file_is(out_vid, VID_BODY));
        CHECK_EQ(jphase(), TVC_PHASE_DONE);
        CHECK(!has_marker());
        teardown();
        h_end();
    }
}

/* Never connected at all: the job gives up, and leaves no marker of a
 * generate that provably never left. */
static void t_generate_never_connects(void)
{
    int i;

    setup(1);
    CHECK_EQ(start_new(0), 0); /* nothing scripted: every connect is refused */
    CHECK_EQ(drive(1000, 10000), TVC_ERR_CONNECT);
    CHECK_STR(wire(), "");
    CHECK_EQ(W->job.api_requests, 0);
    CHECK_EQ(W->nsleep, TVC_JOB_MAX_ATTEMPTS - 1);
    for (i = 1; i < W->nsleep; i++)
        CHECK(W->sleep[i] >= W->sleep[i - 1]);
    CHECK(!has_marker());
    CHECK_EQ(jphase(), -1);
    teardown();

    /* the deadline ends the retries: still no marker */
    setup(1);
    W->job.deadline_ms = 3000;
    CHECK_EQ(start_new(0), 0);
    CHECK(drive(1000, 10000) == TVC_ERR_CONNECT);
    CHECK_STR(wire(), "");
    CHECK(!has_marker());
    CHECK_EQ(jphase(), -1);
    teardown();
}

#define RATE_LIMITED "{\"success\":false,\"error\":\"Rate limit exceeded\",\"errorCode\":\"API_KEY_RATE_LIMIT_EXCEEDED\"}"

static void t_generate_refused(void)
{
    unsigned long long t0;

    h_begin("generate 429 Retry-After: 3");
    setup(1);
    conn(api(429, "Retry-After: 3\r\n", RATE_LIMITED), NULL);
    conn(api(200, NULL, GEN_OK), api(200, NULL, DONE_NO_IMG), NULL);
    conn(media(VID_BODY), NULL);
    CHECK_EQ(start_new(0), 0);
    CHECK_EQ(drive(1000, 10000), 0);
    CHECK_STR(wire(), "generate,generate,status,GET /v.mp4");
    CHECK(W->nsleep >= 1 && W->sleep[0] == 3000);
    CHECK(W->nreq >= 2 && W->req[1].at - W->req[0].at == 3000);
    CHECK(W->nreq >= 2 && W->req[1].inflight_marker);
    CHECK_EQ(count_ev(TVC_EV_WAITING), 1);
    CHECK(W->nev > 0 && W->ev[0].e == TVC_EV_WAITING && W->ev[0].wait == 3000);
    CHECK_EQ(W->job.api_requests, 3);
    CHECK_EQ(jphase(), TVC_PHASE_DONE);
    teardown();
    h_end();

    h_begin("generate 503 without Retry-After: backoff");
    setup(1);
    conn(api(503, NULL, "<html>busy</html>"), NULL);
    conn(api(200, NULL, GEN_OK), api(200, NULL, DONE_NO_IMG), NULL);
    conn(media(VID_BODY), NULL);
    CHECK_EQ(start_new(0), 0);
    CHECK_EQ(drive(1000, 10000), 0);
    CHECK_STR(wire(), "generate,generate,status,GET /v.mp4");
    CHECK(W->nsleep >= 1 && in(W->sleep[0], 500, 4000));
    teardown();
    h_end();

    h_begin("generate 429 Retry-After past the deadline");
    setup(1);
    conn(api(429, "Retry-After: 3600\r\n", RATE_LIMITED), NULL);
    conn(api(200, NULL, GEN_OK), NULL);
    CHECK_EQ(start_new(0), 0);
    t0 = W->fp.clock;
    CHECK_EQ(drive(1000, 10000), TVC_ERR_API);
    CHECK_EQ(W->job.res.code, TVC_API_RATE_LIMIT_EXCEEDED);
    CHECK_EQ(W->job.res.http_status, 429);
    CHECK_STR(wire(), "generate");
    CHECK_EQ(W->nsleep, 0);
    CHECK_EQ(W->fp.clock, t0); /* ended at once, no waiting */
    CHECK(!has_marker());
    CHECK_EQ(jphase(), -1);
    teardown();
    h_end();

    h_begin("generate 402 INSUFFICIENT_CREDITS");
    setup(1);
    conn(api(402, NULL,
             "{\"success\":false,\"errorCode\":\"INSUFFICIENT_CREDITS\",\"requiredCredits\":300}"),
         NULL);
    conn(api(200, NULL, GEN_OK), NULL);
    CHECK_EQ(start_new(0), 0);
    CHECK_EQ(drive(1000, 10000), TVC_ERR_API);
    CHECK_EQ(W->job.res.code, TVC_API_INSUFFICIENT_CREDITS);
    CHECK_EQ(W->job.res.required_credits, 300);
    CHECK_STR(wire(), "generate");
    CHECK(!has_marker());
    CHECK_EQ(jphase(), -1);
    teardown();
    h_end();
}

/* check-status answers, after a generate on its own connection. */
struct ans {
    int status;
    const char *hdr;
    const char *body;
};

#define A500 {500, NULL, "{\"success\":false,\"error\":\"boom\",\"errorCode\":\"INTERNAL_ERROR\"}"}
#define AOK {200, NULL, DONE_NO_IMG}

static const struct {
    const char *name;
    int reset_first;          /* the first status connection is reset */
    struct ans a[FP_MAX_RESP];
    int rc;
    const char *wire;
    int code;
    int phase;
    uint32_t lo, hi;          /* the wait after the first status answer */
} statuses[] = {
    {"status: reset, retried with backoff", 1, {AOK}, 0,
     "generate,status,status,GET /v.mp4", 0, TVC_PHASE_DONE, 500, 2000},
    {"status: 500 INTERNAL_ERROR every time", 0, {A500, A500, A500, A500, A500, A500}, TVC_ERR_API,
     "generate,status,status,status,status,status,status", TVC_API_INTERNAL_ERROR,
     TVC_PHASE_POLLING, 500, 2000},
    {"status: 502 proxy page every time", 0,
     {{502, NULL, "<html>bad gateway</html>"}, {502, NULL, "<html>bad gateway</html>"},
      {502, NULL, "<html>bad gateway</html>"}, {502, NULL, "<html>bad gateway</html>"},
      {502, NULL, "<html>bad gateway</html>"}, {502, NULL, "<html>bad gateway</html>"}},
     TVC_ERR_HTTP_STATUS, "generate,status,status,status,status,status,status", 0,
     TVC_PHASE_POLLING, 500, 2000},
    {"status: 500 then ok", 0, {A500, A500, AOK}, 0,
     "generate,status,status,status,GET /v.mp4", 0, TVC_PHASE_DONE, 500, 2000},
    {"status: 503 Retry-After: 4", 0, {{503, "Retry-After: 4\r\n", "<html>503</html>"}, AOK}, 0,
     "generate,status,status,GET /v.mp4", 0, TVC_PHASE_DONE, 4000, 4000},
    {"status: 429 Retry-After: 2", 0, {{429, "Retry-After: 2\r\n", RATE_LIMITED}, AOK}, 0,
     "generate,status,status,GET /v.mp4", 0, TVC_PHASE_DONE, 2000, 2000},
    {"status: 429 Retry-After past the deadline", 0, {{429, "Retry-After: 7200\r\n", RATE_LIMITED}},
     TVC_ERR_API, "generate,status", TVC_API_RATE_LIMIT_EXCEEDED, TVC_PHASE_POLLING, 0, 0},
    {"status: unknown value", 0, {{200, NULL, "{\"success\":true,\"status\":\"weird\"}"}},
     TVC_ERR_API_PROTOCOL, "generate,status", 0, TVC_PHASE_POLLING, 0, 0}, /* resumable */
    {"status: no status at all", 0, {{200, NULL, "{\"success\":true}"}},
     TVC_ERR_API_PROTOCOL, "generate,status", 0, TVC_PHASE_POLLING, 0, 0}, /* resumable */
    {"status: completed without videoUrl", 0,
     {{200, NULL, "{\"success\":true,\"status\":\"completed\"}"}},
     TVC_ERR_API_PROTOCOL, "generate,status", 0, TVC_PHASE_POLLING, 0, 0}, /* resumable */
    {"status: 200 success:false failed", 0,
     {{200, NULL, "{\"success\":false,\"status\":\"failed\",\"error\":\"moderation\"}"}},
     TVC_ERR_JOB_FAILED, "generate,status", 0, TVC_PHASE_FAILED, 0, 0},
    {"status: GENERATION_FAILED", 0,
     {{200, NULL, "{\"success\":false,\"errorCode\":\"GENERATION_FAILED\"}"}},
     TVC_ERR_JOB_FAILED, "generate,status", TVC_API_GENERATION_FAILED, TVC_PHASE_FAILED, 0, 0},
    {"status: 404 RECORD_NOT_FOUND", 0,
     {{404, NULL, "{\"success\":false,\"errorCode\":\"RECORD_NOT_FOUND\",\"error\":\"no\"}"}},
     TVC_ERR_API, "generate,status", TVC_API_RECORD_NOT_FOUND, TVC_PHASE_FAILED, 0, 0},
    {"status: malformed JSON, retried", 0, {{200, NULL, "{\"success\":tru"}, AOK}, 0,
     "generate,status,status,GET /v.mp4", 0, TVC_PHASE_DONE, 500, 2000},
};

static void t_status(void)
{
    size_t k;
    int i, n;

    for (k = 0; k < sizeof statuses / sizeof statuses[0]; k++) {
        struct fp_conn *c;
        const char *r[FP_MAX_RESP] = {NULL};
        h_begin(statuses[k].name);
        setup(1);
        conn(api(200, "Connection: close\r\n", GEN_OK), NULL);
        if (statuses[k].reset_first) {
            c = conn(api(200, NULL, PROC), NULL);
            c->cut_now = 1;
            c->cut_rc = TVC_ERR_RESET;
        }
        for (n = 0; n < FP_MAX_RESP && statuses[k].a[n].status; n++)
            r[n] = api(statuses[k].a[n].status, statuses[k].a[n].hdr, statuses[k].a[n].body);
        c = conn(r[0], NULL);
        for (i = 1; i < n; i++)
            c->resp[c->nresp++] = r[i];
        conn(media(VID_BODY), NULL);
        CHECK_EQ(start_new(0), 0);
        CHECK_EQ(drive(1000, 10000), statuses[k].rc);
        CHECK_STR(wire(), statuses[k].wire);
        if (statuses[k].code)
            CHECK_EQ(W->job.res.code, statuses[k].code);
        CHECK_EQ(W->job.rec.phase, statuses[k].phase);
        CHECK_EQ(jphase(), statuses[k].phase);
        CHECK(!has_marker());
        CHECK_EQ(W->job.api_requests, W->nreq - (statuses[k].rc == 0));
        if (statuses[k].hi) {
            CHECK(W->nsleep >= 2 && in(W->sleep[1], statuses[k].lo, statuses[k].hi));
            CHECK(W->nreq >= 3 && W->req[2].at - W->req[1].at == W->sleep[1]);
            CHECK(count_ev(TVC_EV_WAITING) >= 1);
        }
        if (statuses[k].rc == TVC_ERR_API && statuses[k].code == TVC_API_INTERNAL_ERROR) {
            /* five waits between six attempts, growing */
            CHECK_EQ(W->nsleep, 1 + TVC_JOB_MAX_ATTEMPTS - 1);
            for (i = 2; i < W->nsleep; i++)
                CHECK(W->sleep[i] >= W->sleep[i - 1]);
        }
        if (statuses[k].rc && statuses[k].rc != TVC_ERR_AGAIN)
            CHECK(W->job.rec.last_error[0] != '\0');
        teardown();
        h_end();
    }
}

static void t_deadline(void)
{
    unsigned long long t0;
    int i;

    h_begin("deadline: processing forever");
    setup(1);
    conn(api(200, NULL, GEN_OK), api(200, NULL, PROC), NULL)->repeat_last = 1;
    W->job.deadline_ms = 60000;
    CHECK_EQ(start_new(0), 0);
    t0 = W->fp.clock;
    CHECK_EQ(drive(1000, 10000), TVC_ERR_DEADLINE);
    CHECK(W->fp.clock >= t0 + 60000 && W->fp.clock <= t0 + 60000 + 10000);
    for (i = 0; i < W->nreq; i++)
        CHECK(W->req[i].at < t0 + 60000);
    CHECK(W->nreq >= 6);
    CHECK_EQ(W->job.rec.phase, TVC_PHASE_POLLING);
    CHECK_EQ(jphase(), TVC_PHASE_POLLING); /* resumable */
    CHECK(strstr(W->job.rec.last_error, "deadline") != NULL);
    CHECK_EQ(tvc_job_step(&W->job, 1000, NULL), TVC_ERR_DEADLINE);
    teardown();
    h_end();

    h_begin("deadline: status answers never come");
    setup(1);
    conn(api(200, "Connection: close\r\n", GEN_OK), NULL);
    for (i = 0; i < 4; i++) {
        struct fp_conn *c = conn(api(200, NULL, PROC), NULL);
        c->cut_now = 1;
        c->cut_rc = TVC_ERR_AGAIN;
    }
    W->job.deadline_ms = 60000;
    CHECK_EQ(start_new(0), 0);
    t0 = W->fp.clock;
    CHECK_EQ(drive(1000, 100000), TVC_ERR_DEADLINE);
    /* the stalled exchange ends with the deadline, not an I/O timeout later */
    CHECK(W->fp.clock >= t0 + 60000 && W->fp.clock <= t0 + 60000 + 1000);
    CHECK(W->nreq >= 3);
    CHECK_EQ(jphase(), TVC_PHASE_POLLING);
    teardown();
    h_end();

    h_begin("deadline: the download stalls");
    setup(1);
    conn(api(200, NULL, GEN_OK), api(200, NULL, DONE_NO_IMG), NULL);
    {
        struct fp_conn *c = conn(media(VID_BODY), NULL);
        c->cut_at = strlen(c->resp[0]) - strlen(VID_BODY) + 7;
        c->cut_rc = TVC_ERR_AGAIN;
    }
    W->job.deadline_ms = 20000;
    CHECK_EQ(start_new(0), 0);
    t0 = W->fp.clock;
    CHECK_EQ(drive(1000, 100000), TVC_ERR_DEADLINE);
    CHECK(W->fp.clock >= t0 + 20000 && W->fp.clock <= t0 + 20000 + 1000);
    CHECK_STR(wire(), "generate,status,GET /v.mp4");
    CHECK_EQ(jphase(), TVC_PHASE_DOWNLOADING); /* resumable */
    {
        char part[320];
        struct stat st;
        snprintf(part, sizeof part, "%s.part", out_vid);
        CHECK(stat(part, &st) == 0 && st.st_size == 7); /* kept for the resume */
        CHECK(!fexists(out_vid));
    }
    teardown();
    h_end();
}

/* The deadline ends a run of failed attempts: the result names their cause
 * (exit 8 or 12 in the tvc program), not "still processing". */
#define BAD_JSON "{\"success\":tru"
#define GARBAGE "\x16\x03\x01 this is not HTTP at all \xff\xfe\r\n\r\n"
#define STATUS_503 "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n"

static char big_head[TVC_HTTP_HEADER_BUF + 4096];

static const char *oversized(void)
{
    size_t n;
    strcpy(big_head, "HTTP/1.1 200 OK\r\nX-Pad: ");
    n = strlen(big_head);
    memset(big_head + n, 'a', sizeof big_head - n - 64);
    strcpy(big_head + sizeof big_head - 64, "\r\nContent-Length: 2\r\n\r\n{}");
    return big_head;
}

enum { FIRST_PROC = 1, LAST_PROC = 2, STALL_AFTER = 4, ONE_CONN = 8 };

static const struct {
    const char *name;
    const char *(*answer)(void); /* NULL: body below as a 200 or 500 */
    int status;
    const char *body;
    unsigned flags;
    int rc;
    int http_status;             /* of the last answer kept in res */
} honest[] = {
    {"deadline: every status answer malformed JSON", NULL, 200, BAD_JSON, ONE_CONN, TVC_ERR_JSON,
     200},
    {"deadline: processing, then malformed JSON", NULL, 200, BAD_JSON, ONE_CONN | FIRST_PROC,
     TVC_ERR_JSON, 200},
    {"deadline: malformed JSON, then processing again", NULL, 200, BAD_JSON,
     ONE_CONN | FIRST_PROC | LAST_PROC, TVC_ERR_DEADLINE, 200},
    {"deadline: every status answer is garbage", NULL, 0, GARBAGE, 0, TVC_ERR_HTTP, 0},
    {"deadline: every status answer has an oversized header", oversized, 0, NULL, 0,
     TVC_ERR_HTTP_HEADERS_TOO_LARGE, 0},
    {"deadline: 500 INTERNAL_ERROR every time", NULL, 500,
     "{\"success\":false,\"error\":\"boom\",\"errorCode\":\"INTERNAL_ERROR\"}", ONE_CONN,
     TVC_ERR_API, 500},
    {"deadline: 503 proxy page every time", NULL, 0, STATUS_503, ONE_CONN, TVC_ERR_HTTP_STATUS,
     503},
    {"deadline: a 500, then a stall cut by the deadline", NULL, 500,
     "{\"success\":false,\"error\":\"boom\",\"errorCode\":\"INTERNAL_ERROR\"}", STALL_AFTER,
     TVC_ERR_API, 500},
    {"deadline: a 429, then a stall cut by the deadline", NULL, 429,
     "{\"success\":false,\"error\":\"slow down\",\"errorCode\":\"API_KEY_RATE_LIMIT_EXCEEDED\"}",
     STALL_AFTER, TVC_ERR_API, 429},
};

static void t_honest_end(void)
{
    size_t k;
    int i;

    for (k = 0; k < sizeof honest / sizeof honest[0]; k++) {
        const char *a;
        unsigned f = honest[k].flags;
        unsigned long long t0;
        h_begin(honest[k].name);
        setup(1);
        a = honest[k].answer ? honest[k].answer()
            : honest[k].status ? api(honest[k].status, NULL, honest[k].body)
                               : honest[k].body;
        conn(api(200, "Connection: close\r\n", GEN_OK), NULL);
        if (f & ONE_CONN) {
            struct fp_conn *c = conn(f & FIRST_PROC ? api(200, NULL, PROC) : a, NULL);
            if (f & FIRST_PROC)
                c->resp[c->nresp++] = a;
            c->resp[c->nresp++] = a;
            if (f & LAST_PROC)
                c->resp[c->nresp++] = api(200, NULL, PROC);
            c->repeat_last = 1;
        } else if (f & STALL_AFTER) {
            struct fp_conn *c;
            conn(api(honest[k].status, "Connection: close\r\n", honest[k].body), NULL);
            c = conn(api(200, NULL, PROC), NULL);
            c->cut_now = 1;
            c->cut_rc = TVC_ERR_AGAIN;
        } else {
            for (i = 0; i < TVC_JOB_MAX_ATTEMPTS; i++)
                conn(a, NULL);
        }
        W->job.deadline_ms = 20000;
        CHECK_EQ(start_new(0), 0);
        t0 = W->fp.clock;
        CHECK_EQ(drive(1000, 100000), honest[k].rc);
        /* the deadline ended it, not the attempt limit */
        CHECK(W->fp.clock <= t0 + 20000);
        CHECK(W->nreq >= 3 && W->nreq < 1 + TVC_JOB_MAX_ATTEMPTS + 3);
        CHECK_EQ(W->job.res.http_status, honest[k].http_status);
        /* (after a stall the answer itself is gone: only its status is kept) */
        if (honest[k].rc == TVC_ERR_API && honest[k].http_status && !(f & STALL_AFTER))
            CHECK_EQ(W->job.res.code, TVC_API_INTERNAL_ERROR);
        if (honest[k].http_status == 429) /* exit 5 for the CLI, not 12 */
            CHECK_EQ(W->job.res.code, TVC_API_RATE_LIMIT_EXCEEDED);
        /* the job may still finish: it stays resumable, the cause kept */
        CHECK_EQ(jphase(), TVC_PHASE_POLLING);
        CHECK_STR(W->job.rec.last_error, tvc_strerror(honest[k].rc));
        CHECK_EQ(tvc_job_step(&W->job, 1000, NULL), honest[k].rc);
        teardown();
        h_end();
    }

    h_begin("deadline: the video host answers 503 every time");
    setup(1);
    conn(api(200, NULL, GEN_OK), api(200, NULL, DONE_NO_IMG), NULL);
    for (i = 0; i < TVC_JOB_MAX_ATTEMPTS; i++)
        conn(STATUS_503, NULL);
    W->job.deadline_ms = 20000;
    CHECK_EQ(start_new(0), 0);
    CHECK_EQ(drive(1000, 100000), TVC_ERR_HTTP_STATUS);
    CHECK_EQ(W->job.io_.dl.http_status, 503);
    CHECK(W->nreq >= 4 && W->nreq < 2 + TVC_JOB_MAX_ATTEMPTS);
    CHECK_EQ(jphase(), TVC_PHASE_DOWNLOADING); /* resumable */
    teardown();
    h_end();

    /* (a 404 asks check-status once more for a fresh URL: the same one
     * ends it; tests/test_media_expiry.c has the rest) */
    h_begin("download: 404 is final once the URL comes back unchanged");
    setup(1);
    conn(api(200, NULL, GEN_OK), api(200, NULL, DONE_NO_IMG), NULL);
    conn("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", NULL);
    conn(api(200, NULL, DONE_NO_IMG), NULL);
    CHECK_EQ(start_new(0), 0);
    CHECK_EQ(drive(1000, 100000), TVC_ERR_HTTP_STATUS);
    CHECK_STR(wire(), "generate,status,GET /v.mp4,status");
    CHECK_EQ(W->job.res.http_status, 404);
    CHECK_EQ(W->nsleep, 1); /* the poll interval only */
    teardown();
    h_end();
}

static void t_budget(void)
{
    int i, big = -1;

    h_begin("budget: waits for the window");
    setup(1);
    conn(api(200, NULL, GEN_OK), api(200, NULL, PROC), api(200, NULL, PROC), api(200, NULL, PROC),
         api(200, NULL, DONE_NO_IMG), NULL);
    conn(media(VID_BODY), NULL);
    W->job.per_hour = 3;
    W->job.deadline_ms = 3 * 3600000u;
    CHECK_EQ(start_new(0), 0);
    CHECK_EQ(drive(1000, 10000), 0);
    CHECK_STR(wire(), "generate,status,status,status,status,GET /v.mp4");
    for (i = 0; i < W->nsleep; i++)
        if (W->sleep[i] > 60000) {
            CHECK(big < 0);
            if (big < 0)
                big = i;
        }
    /* generate, poll, poll, poll interval, then the 4th request must wait
     * for the generate to leave the window */
    CHECK_EQ(big, 3);
    if (big == 3) {
        CHECK(in(W->sleep[3], 3600000 - 30000, 3600000));
        CHECK_EQ(W->sleep_at[3], W->req[2].at + W->sleep[2]);
        CHECK(W->req[3].at >= W->req[0].at + 3599000);
    }
    /* never 4 requests to the API inside one hour */
    for (i = 0; i + 3 < 5 && i + 3 < W->nreq; i++)
        CHECK(W->req[i + 3].at - W->req[i].at >= 3599000);
    CHECK(count_ev(TVC_EV_WAITING) >= 1);
    for (i = 0; i < W->nev; i++)
        if (W->ev[i].e == TVC_EV_WAITING && big == 3)
            CHECK(W->ev[i].wait == W->sleep[3] || W->ev[i].wait < 60000);
    CHECK_EQ(jphase(), TVC_PHASE_DONE);
    teardown();
    h_end();

    h_begin("budget: no room before the deadline");
    setup(1);
    conn(api(200, NULL, GEN_OK), api(200, NULL, PROC), api(200, NULL, PROC), api(200, NULL, PROC),
         NULL);
    W->job.per_hour = 3;
    CHECK_EQ(start_new(0), 0);
    CHECK_EQ(drive(1000, 10000), TVC_ERR_BUDGET);
    CHECK_STR(wire(), "generate,status,status");
    CHECK_EQ(W->nsleep, 3);
    for (i = 0; i < W->nsleep; i++)
        CHECK(W->sleep[i] <= 10000);
    CHECK_EQ(jphase(), TVC_PHASE_POLLING); /* resumable later */
    teardown();
    h_end();

    h_begin("budget: shared with an earlier job");
    setup(1);
    conn(api(200, NULL, GEN_OK), NULL);
    W->job.per_hour = 2;
    {
        int64_t w;
        CHECK_EQ(tvc_budget_take(&W->jn, 2, WALL0 - 100, &w), 0);
        CHECK_EQ(tvc_budget_take(&W->jn, 2, WALL0 - 50, &w), 0);
    }
    CHECK_EQ(start_new(0), 0);
    CHECK_EQ(drive(1000, 10000), TVC_ERR_BUDGET);
    CHECK_STR(wire(), ""); /* not even generate */
    CHECK(!has_marker());
    teardown();
    h_end();

    h_begin("budget: no wall clock, no budget");
    setup(1);
    wall0 = -1;
    conn(api(200, NULL, GEN_OK), api(200, NULL, PROC), api(200, NULL, DONE_NO_IMG), NULL);
    conn(media(VID_BODY), NULL);
    W->job.per_hour = 1;
    CHECK_EQ(start_new(0), 0);
    CHECK_EQ(drive(1000, 10000), 0);
    CHECK_STR(wire(), "generate,status,status,GET /v.mp4");
    teardown();
    h_end();
}

static void make_rec(struct tvc_job_rec *r, int phase)
{
    memset(r, 0, sizeof *r);
    strcpy(r->id, "0123456789abcdef0123456789abcdef");
    r->phase = phase;
    strcpy(r->record_id, "42");
    strcpy(r->task_id, "t-1");
    strcpy(r->ad_theme, "theme");
    r->duration = 10;
    strcpy(r->out, out_vid);
    r->created_unix = WALL0;
}

static void t_resume(void)
{
    static struct tvc_job_rec rec, got;

    h_begin("resume: polling");
    setup(1);
    make_rec(&rec, TVC_PHASE_POLLING);
    CHECK_EQ(tvc_journal_save(&W->jn, &rec), 0);
    CHECK_EQ(tvc_journal_load(&W->jn, "job-0123456789abcdef0123456789abcdef.json", &got), 0);
    conn(api(200, NULL, PROC), api(200, NULL, DONE), NULL);
    conn(media(VID_BODY), NULL);
    CHECK_EQ(tvc_job_start_existing(&W->job, &W->port, &W->http, &W->jn, BASE, KEY, &got), 0);
    CHECK_EQ(drive(1000, 10000), 0);
    CHECK_STR(wire(), "status,status,GET /v.mp4"); /* no storyboard was asked for */
    CHECK(W->nreq > 0 && W->req[0].at == 1000);       /* at once, no interval first */
    CHECK(file_is(out_vid, VID_BODY));
    CHECK_EQ(W->job.api_requests, 2);
    CHECK_EQ(jphase(), TVC_PHASE_DONE);
    CHECK_EQ(count_ev(TVC_EV_SUBMITTED), 0);
    teardown();
    h_end();

    h_begin("resume: downloading");
    setup(1);
    make_rec(&rec, TVC_PHASE_DOWNLOADING);
    strcpy(rec.video_url, VID_URL);
    strcpy(rec.image_url, IMG_URL);
    strcpy(rec.storyboard_out, out_img);
    snprintf(rec.out, sizeof rec.out, "%s/", dir); /* a directory: default name inside */
    CHECK_EQ(tvc_journal_save(&W->jn, &rec), 0);
    conn(media(IMG_BODY), media(VID_BODY), NULL);
    CHECK_EQ(tvc_job_start_existing(&W->job, &W->port, &W->http, &W->jn, BASE, KEY, &rec), 0);
    CHECK_EQ(drive(1000, 10000), 0);
    CHECK_STR(wire(), "GET /sb.png,GET /v.mp4");
    CHECK_EQ(W->job.api_requests, 0);
    CHECK(file_is(out_img, IMG_BODY));
    {
        char p[320];
        snprintf(p, sizeof p, "%s/tvc-42.mp4", dir);
        CHECK(file_is(p, VID_BODY));
        CHECK_STR(W->job.rec.out, p);
    }
    CHECK_EQ(jphase(), TVC_PHASE_DONE);
    teardown();
    h_end();

    h_begin("resume: refused records");
    setup(1);
    {
        static const int bad[] = {TVC_PHASE_SUBMITTING, TVC_PHASE_DONE, TVC_PHASE_FAILED,
                                  TVC_PHASE_UNKNOWN};
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            make_rec(&rec, bad[i]);
            CHECK_EQ(tvc_job_start_existing(&W->job, &W->port, &W->http, &W->jn, BASE, KEY, &rec),
                     TVC_ERR_STATE);
        }
        make_rec(&rec, TVC_PHASE_DOWNLOADING); /* no video URL */
        CHECK_EQ(tvc_job_start_existing(&W->job, &W->port, &W->http, &W->jn, BASE, KEY, &rec),
                 TVC_ERR_STATE);
        make_rec(&rec, TVC_PHASE_POLLING);
        rec.record_id[0] = rec.task_id[0] = '\0';
        CHECK_EQ(tvc_job_start_existing(&W->job, &W->port, &W->http, &W->jn, BASE, KEY, &rec),
                 TVC_ERR_ARG);
    }
    CHECK_EQ(W->nreq, 0);
    CHECK_EQ(W->fp.next, 0);
    teardown();
    h_end();
}

/* The video connection dies mid-body: the engine waits, then resumes the
 * part with a Range request. */
static void t_download_retry(void)
{
    struct fp_conn *c;
    char part206[400];
    size_t hl;
    int n = (int)strlen(VID_BODY);

    setup(1);
    conn(api(200, NULL, GEN_OK), api(200, NULL, DONE_NO_IMG), NULL);
    c = conn(media(VID_BODY), NULL);
    hl = strlen(c->resp[0]) - (size_t)n;
    c->cut_at = hl + 10;
    c->cut_rc = TVC_ERR_RESET;
    snprintf(part206, sizeof part206,
             "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 10-%d/%d\r\nETag: \"e1\"\r\n"
             "Content-Length: %d\r\n\r\n%s",
             n - 1, n, n - 10, &VID_BODY[10]);
    conn(part206, NULL);
    CHECK_EQ(start_new(0), 0);
    CHECK_EQ(drive(1000, 10000), 0);
    CHECK_STR(wire(), "generate,status,GET /v.mp4,GET /v.mp4");
    CHECK(W->nreq == 4 && strstr(W->req[3].head, "Range: bytes=10-\r\n") != NULL);
    CHECK(W->nsleep == 2 && in(W->sleep[1], 500, 2000));
    CHECK(file_is(out_vid, VID_BODY));
    CHECK_EQ(W->job.video_bytes, (uint64_t)n);
    CHECK_EQ(W->job.api_requests, 2);
    CHECK_EQ(jphase(), TVC_PHASE_DONE);
    teardown();
}

static void t_abort(void)
{
    setup(1);
    conn(api(200, NULL, GEN_OK), api(200, NULL, PROC), NULL)->repeat_last = 1;
    CHECK_EQ(start_new(0), 0);
    /* bounded steps: drive until generate is answered and the first poll sent */
    for (int i = 0; i < 40 && (W->nreq < 2 || jphase() != TVC_PHASE_POLLING); i++)
        CHECK_EQ(drive(1000, 1), TVC_ERR_AGAIN);
    tvc_job_abort(&W->job);
    CHECK(W->fp.conn[0].closed);
    CHECK(tvc_job_step(&W->job, 1000, NULL) < 0); /* not "done" */
    CHECK(tvc_job_step(&W->job, 1000, NULL) != TVC_ERR_AGAIN);
    CHECK_EQ(jphase(), TVC_PHASE_POLLING); /* kept for resume */
    teardown();
}

/* tvc_job_abort() from on_event: a status event comes between steps of the
 * engine, a download's progress from inside the HTTP client's sink.  Either
 * way the step that ran the callback returns TVC_ERR_ABORTED, nothing is
 * closed under the running code, and the job stays resumable. */
static void t_abort_from_event(void)
{
    static const int evs[] = {TVC_EV_SUBMITTED, TVC_EV_STATUS, TVC_EV_DOWNLOAD};
    /* (the completed answer is journalled before its event returns) */
    static const int phase[] = {TVC_PHASE_POLLING, TVC_PHASE_DOWNLOADING, TVC_PHASE_DOWNLOADING};
    size_t k;
    for (k = 0; k < sizeof evs / sizeof evs[0]; k++) {
        setup(1);
        conn(api(200, NULL, GEN_OK), api(200, NULL, DONE), NULL);
        conn(media(IMG_BODY), media(VID_BODY), NULL);
        W->abort_on = evs[k];
        CHECK_EQ(start_new(1), 0);
        CHECK_EQ(drive(1000, 10000), TVC_ERR_ABORTED);
        CHECK_EQ(W->ev[W->nev - 1].e, evs[k]); /* nothing after the aborting event */
        CHECK_EQ(tvc_job_step(&W->job, 1000, NULL), TVC_ERR_ABORTED);
        CHECK_EQ(jphase(), phase[k]);
        CHECK(!fexists(out_vid)); /* never presented as finished */
        teardown();
    }
}

static void t_start_errors(void)
{
    static char longp[TVC_PATH_MAX + 10];
    struct tvc_gen_params p = params;

    setup(1);
    p.ad_theme = "";
    CHECK_EQ(tvc_job_start_new(&W->job, &W->port, &W->http, &W->jn, BASE, KEY, &p, out_vid, NULL),
             TVC_ERR_ARG);
    p = params;
    p.duration = 12;
    CHECK_EQ(tvc_job_start_new(&W->job, &W->port, &W->http, &W->jn, BASE, KEY, &p, out_vid, NULL),
             TVC_ERR_ARG);
    p = params;
    p.reference_url = "data:image/png;base64,AAAA";
    CHECK_EQ(tvc_job_start_new(&W->job, &W->port, &W->http, &W->jn, BASE, KEY, &p, out_vid, NULL),
             TVC_ERR_ARG);
    memset(longp, 'x', sizeof longp - 1);
    CHECK_EQ(tvc_job_start_new(&W->job, &W->port, &W->http, &W->jn, BASE, KEY, &params, longp,
                               NULL),
             TVC_ERR_NOSPACE);
    CHECK_EQ(tvc_job_start_new(&W->job, NULL, &W->http, &W->jn, BASE, KEY, &params, out_vid, NULL),
             TVC_ERR_ARG);
    CHECK_EQ(W->fp.calls, 0);
    CHECK_EQ(W->nreq, 0);
    teardown();
}

/* With wait_ms 0 no step blocks: the clock never moves inside a call. */
static void never_blocks_run(int scenario, uint32_t wait_ms)
{
    setup(1);
    if (scenario == 0) {
        conn(api(200, NULL, GEN_OK), api(200, NULL, PROC), api(200, NULL, DONE), NULL);
        conn(media(IMG_BODY), media(VID_BODY), NULL)->chunk = 3;
    } else if (scenario == 1) {
        conn(api(200, NULL, GEN_OK), NULL)->poll_rc = TVC_ERR_AGAIN; /* never connects */
        conn(api(200, NULL, GEN_OK), api(200, NULL, DONE), NULL)->chunk = 1;
        conn(media(IMG_BODY), media(VID_BODY), NULL);
    } else {
        struct fp_conn *c;
        conn(api(200, "Connection: close\r\n", GEN_OK), NULL);
        c = conn(api(200, NULL, PROC), NULL); /* status answer stalls */
        c->cut_now = 1;
        c->cut_rc = TVC_ERR_AGAIN;
        conn(api(200, NULL, DONE), NULL);
        conn(media(IMG_BODY), media(VID_BODY), NULL);
    }
    CHECK_EQ(start_new(1), 0);
    CHECK_EQ(drive(wait_ms, 1000000), 0);
    CHECK(file_is(out_vid, VID_BODY));
    CHECK(file_is(out_img, IMG_BODY));
}

static void t_never_blocks(void)
{
    static const char *names[] = {"never blocks: happy path", "never blocks: connect stalls",
                                  "never blocks: status answer stalls"};
    int s;

    for (s = 0; s < 3; s++) {
        h_begin(names[s]);
        never_blocks_run(s, 0);
        CHECK_EQ(W->blocked, 0);
        if (s == 0)
            CHECK_STR(wire(), "generate,status,status,GET /sb.png,GET /v.mp4");
        else
            CHECK_STR(wire(), s == 1 ? "generate,status,GET /sb.png,GET /v.mp4"
                                     : "generate,status,status,GET /sb.png,GET /v.mp4");
        teardown();
        h_end();
    }
    /* the check can fail: the same stall with wait_ms 1000 blocks in port calls */
    h_begin("never blocks: control with wait_ms 1000");
    never_blocks_run(1, 1000);
    CHECK(W->blocked > 0);
    teardown();
    h_end();
}

int main(void)
{
    tvc_posix_init(&px, &pxp);

    RUN(t_happy);
    t_poll_schedule();
    t_generate_unknown();
    t_generate_unreadable();
    t_generate_connect_retry();
    RUN(t_generate_never_connects);
    t_generate_refused();
    t_status();
    t_deadline();
    t_honest_end();
    t_budget();
    t_resume();
    RUN(t_download_retry);
    RUN(t_abort);
    RUN(t_abort_from_event);
    RUN(t_start_errors);
    t_never_blocks();
    free(W);
    return h_summary();
}
