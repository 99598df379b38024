/* The learning polling schedule (tvc_poll_plan.h) on a virtual clock: the
 * plan alone against modelled jobs (the documented 2-5 minutes, steps of
 * 10/20/70 % of the job), its history file in a real directory, and the job
 * engine following it (scripted transport, virtual clock, real files). */
#define _DEFAULT_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_port.h"
#include "harness.h"
#include "tvc_job.h"
#include "tvc_poll_plan.h"
#include "tvc_posix.h"

struct run {
    int polls;         /* check-status requests */
    uint32_t delay;    /* completion to the first poll after it */
    uint32_t min_gap, max_gap;
    int before_lo;     /* polls before lo (the window's lower edge at start) */
};

static uint32_t xs = 12345u;
static uint32_t rnd(void)
{
    xs ^= xs << 13;
    xs ^= xs >> 17;
    xs ^= xs << 5;
    return xs;
}

static int step_at(uint32_t t, uint32_t total)
{
    return t < total / 10u ? 1 : t < total * 3u / 10u ? 2 : 3;
}

/* Poll a job completing at @p total ms on the virtual clock. */
static struct run simulate(const struct tvc_poll_hist *h, uint32_t total, int per_hour)
{
    struct tvc_poll_plan p;
    struct run r;
    uint32_t t = 0, lo;
    memset(&r, 0, sizeof r);
    r.min_gap = 0xFFFFFFFFu;
    tvc_poll_plan_init(&p, h, 0);
    lo = tvc_poll_plan_lo(&p);
    for (;;) {
        uint32_t gap = tvc_poll_plan_next(&p, t, per_hour, rnd());
        if (gap < r.min_gap)
            r.min_gap = gap;
        if (gap > r.max_gap)
            r.max_gap = gap;
        t += gap;
        r.polls++;
        if (t < lo)
            r.before_lo++;
        if (t >= total) {
            r.delay = t - total;
            return r;
        }
        tvc_poll_plan_seen(&p, t, step_at(t, total));
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* No history: the documented 2-5 minutes.  Jobs spread over that range:
 * at most 40% of a fixed 5 s loop's requests, median delay <= 5 s, no gap
 * under 5 s or over the freshness target, at most 2 polls in the first 2 min. */
static void t_prior(void)
{
    uint32_t delays[201];
    long polls = 0, loop = 0;
    int i;
    for (i = 0; i < 201; i++) {
        uint32_t total = 120000u + rnd() % 180001u; /* 120..300 s */
        struct run r = simulate(NULL, total, 100);
        delays[i] = r.delay;
        polls += r.polls;
        loop += (total + 4999u) / 5000u;
        CHECK(r.min_gap >= TVC_POLL_MIN_MS);
        CHECK(r.max_gap <= TVC_POLL_FRESH_MS);
        CHECK(r.before_lo <= 2);
        /* one dense gap at most (stretched by the budget: 4 x 180 s / 100) */
        CHECK(r.delay <= (TVC_POLL_DENSE_MS > 7200u ? TVC_POLL_DENSE_MS : 7200u) * 11u / 10u);
    }
    qsort(delays, 201, sizeof delays[0], cmp_u32);
    printf("  prior: %ld polls for 201 jobs (5 s loop: %ld), median delay %u ms, worst %u ms\n",
           polls, loop, (unsigned)delays[100], (unsigned)delays[200]);
    CHECK(polls * 10 <= loop * 4);
    CHECK(delays[100] <= 5000u);
}

/* Learning: after jobs of 175-185 s the window shrinks around them: fewer
 * polls for such a job than with no history, notice within a dense gap. */
static void t_learns(void)
{
    struct tvc_poll_hist h;
    struct tvc_poll_plan p;
    struct run prior, learnt;
    int i;
    memset(&h, 0, sizeof h);
    for (i = 0; i < TVC_POLL_HIST; i++)
        tvc_poll_hist_add(&h, 175000u + 10000u * (uint32_t)(i % 2), 120000u);
    tvc_poll_plan_init(&p, &h, 0);
    CHECK(p.lo_ms > 150000u && p.lo_ms < 175000u);
    CHECK(p.hi_ms > 185000u && p.hi_ms < 210000u);
    prior = simulate(NULL, 180000u, 100);
    learnt = simulate(&h, 180000u, 100);
    printf("  job of 180 s: %d polls with no history, %d after 8 jobs of 175-185 s\n",
           prior.polls, learnt.polls);
    CHECK(learnt.polls < prior.polls);
    CHECK(learnt.delay <= TVC_POLL_DENSE_MS * 11u / 10u);
    CHECK(learnt.min_gap >= TVC_POLL_MIN_MS && learnt.max_gap <= TVC_POLL_FRESH_MS);
    /* a job far later than any before is still seen: gaps grow to the
     * freshness target, never beyond */
    learnt = simulate(&h, 600000u, 100);
    CHECK(learnt.max_gap <= TVC_POLL_FRESH_MS);
    CHECK(learnt.delay <= TVC_POLL_FRESH_MS);
}

/* Step lengths: a job still before step 3 at 100 s cannot complete before
 * 100 s + (most of) the shortest video step seen. */
static void t_step_lengths(void)
{
    struct tvc_poll_hist h;
    struct tvc_poll_plan p;
    memset(&h, 0, sizeof h);
    tvc_poll_hist_add(&h, 150000u, 120000u);
    tvc_poll_hist_add(&h, 200000u, 140000u);
    tvc_poll_plan_init(&p, &h, 0);
    CHECK_EQ(p.vmin_ms, 120000u);
    CHECK_EQ(tvc_poll_plan_lo(&p), p.lo_ms);
    tvc_poll_plan_seen(&p, 100000u, 2);
    CHECK_EQ(tvc_poll_plan_lo(&p), 100000u + 120000u - 15000u);
    /* first seen in step 3 at 130 s; the lower edge stays */
    tvc_poll_plan_seen(&p, 130000u, 3);
    CHECK_EQ(p.seen3_ms, 130000u);
    CHECK_EQ(tvc_poll_plan_lo(&p), 205000u);
    CHECK(tvc_poll_plan_next(&p, 130000u, 0, 0) >= 37500u * 9u / 10u); /* sparse: 75 s away */
    CHECK(tvc_poll_plan_next(&p, 130000u, 0, 0) <= 37500u * 11u / 10u);
    CHECK(tvc_poll_plan_next(&p, 160000u, 0, 0) >= 45000u); /* 45 s away: straight there */
    tvc_poll_plan_learn(&p, 220000u);
    CHECK_EQ(p.hist.n, 3);
    CHECK_EQ(p.hist.gen_s[2], 220);
    CHECK_EQ(p.hist.video_s[2], 90); /* 220 - 130 s */
}

/* The request budget stretches the dense gap (a job's dense polls take at
 * most a quarter of per_hour), but never past the freshness target. */
static void t_budget(void)
{
    struct tvc_poll_plan p;
    tvc_poll_plan_init(&p, NULL, 0);
    /* window 120-300 s: 4 * 180 s / per_hour */
    CHECK(tvc_poll_plan_next(&p, 150000u, 100, 0) < 9000u);   /* 4 x 180 s / 100: 7.2 s */
    CHECK(tvc_poll_plan_next(&p, 150000u, 40, 0) >= 18000u * 9u / 10u);
    CHECK(tvc_poll_plan_next(&p, 150000u, 40, 0) <= 18000u * 11u / 10u);
    CHECK(tvc_poll_plan_next(&p, 150000u, 5, 7) >= TVC_POLL_FRESH_MS * 9u / 10u); /* 144 s: */
    CHECK(tvc_poll_plan_next(&p, 150000u, 5, 7) <= TVC_POLL_FRESH_MS);  /* fresh wins */
    /* a tighter freshness target */
    tvc_poll_plan_init(&p, NULL, 20000u);
    CHECK(tvc_poll_plan_next(&p, 0, 0, 0) <= 20000u);
    tvc_poll_plan_init(&p, NULL, 1000u); /* never below the documented 5 s */
    CHECK_EQ(p.fresh_ms, TVC_POLL_MIN_MS);
    CHECK_EQ(tvc_poll_plan_next(&p, 150000u, 0, 3), TVC_POLL_MIN_MS);
}

/* Jitter: +-10% of the gap, spread (a fleet does not poll in lock-step). */
static void t_jitter(void)
{
    struct tvc_poll_plan p;
    uint32_t seen[64];
    int i, k, distinct = 0;
    tvc_poll_plan_init(&p, NULL, 0);
    for (i = 0; i < 64; i++) {
        uint32_t g = tvc_poll_plan_next(&p, 200000u, 0, rnd());
        CHECK(g >= TVC_POLL_DENSE_MS * 9u / 10u && g <= TVC_POLL_DENSE_MS * 11u / 10u);
        for (k = 0; k < i && seen[k] != g; k++)
            ;
        distinct += k == i;
        seen[i] = g;
    }
    CHECK(distinct >= 32);
}

static void t_ring(void)
{
    struct tvc_poll_hist h;
    int i;
    memset(&h, 0, sizeof h);
    for (i = 0; i < TVC_POLL_HIST + 2; i++)
        tvc_poll_hist_add(&h, 1000u * (uint32_t)(100 + i), 0);
    CHECK_EQ(h.n, TVC_POLL_HIST);
    for (i = 0; i < TVC_POLL_HIST; i++)
        CHECK(h.gen_s[i] >= 102); /* the two oldest went */
    tvc_poll_hist_add(&h, 70000000u, 0); /* capped, not wrapped */
    CHECK_EQ(h.gen_s[(h.next + TVC_POLL_HIST - 1) % TVC_POLL_HIST], 65535);
}

/* ---- the history file, and the job engine, with real files ---- */

static struct tvc_posix px;
static struct tvc_port pxp;
static char dir[64], sdir[128];

static void mkdir_tmp(void)
{
    strcpy(dir, "/tmp/tvc-plan-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
    snprintf(sdir, sizeof sdir, "%s/state", dir);
}

static void rm_tmp(void)
{
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("warning: could not remove %s\n", dir);
}

static void put_file(const char *name, const char *text)
{
    char p[200];
    FILE *f;
    snprintf(p, sizeof p, "%s/%s", sdir, name);
    f = fopen(p, "wb");
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static void t_hist_file(void)
{
    static struct tvc_journal jn;
    struct tvc_poll_hist h, back;
    int i;
    mkdir_tmp();
    tvc_posix_init(&px, &pxp);
    CHECK_EQ(tvc_journal_open(&jn, &pxp, sdir), 0);
    CHECK_EQ(tvc_poll_hist_load(&jn, &back), TVC_ERR_NOT_FOUND);
    memset(&h, 0, sizeof h);
    for (i = 0; i < TVC_POLL_HIST + 3; i++)
        tvc_poll_hist_add(&h, 1000u * (uint32_t)(150 + i), 1000u * (uint32_t)i);
    CHECK_EQ(tvc_poll_hist_save(&jn, &h), 0);
    CHECK_EQ(tvc_poll_hist_load(&jn, &back), 0);
    CHECK_EQ(back.n, TVC_POLL_HIST);
    for (i = 0; i < TVC_POLL_HIST; i++) { /* same samples, oldest first */
        unsigned k = (h.next + (unsigned)i) % TVC_POLL_HIST;
        CHECK_EQ(back.gen_s[i], h.gen_s[k]);
        CHECK_EQ(back.video_s[i], h.video_s[k]);
    }
    put_file("history", "tvc-history 1\n150 90\n16");              /* truncated */
    CHECK_EQ(tvc_poll_hist_load(&jn, &back), TVC_ERR_JSON);
    CHECK_EQ(back.n, 0);
    put_file("history", "tvc-history 1\n150 90\nend\ntrailing");   /* trailing bytes */
    CHECK_EQ(tvc_poll_hist_load(&jn, &back), TVC_ERR_JSON);
    put_file("history", "tvc-history 2\nend\n");                    /* other version */
    CHECK_EQ(tvc_poll_hist_load(&jn, &back), TVC_ERR_JSON);
    put_file("history", "tvc-history 1\n150 90\n200 0\nend\n");
    CHECK_EQ(tvc_poll_hist_load(&jn, &back), 0);
    CHECK_EQ(back.n, 2);
    CHECK_EQ(back.gen_s[1], 200);
    rm_tmp();
}

/* The job engine on the virtual clock: the first job polls by the prior
 * (first gap about 60 s), learns the service's generationTime into the
 * journal, and the next job plans from it. */
static struct fp fp;
static struct tvc_port port;
static int64_t s_wall(void *c)
{
    (void)c;
    return 1700000000LL + (int64_t)(fp.clock / 1000);
}

static char resp[8][512];
static const char *answer(int i, const char *body)
{
    snprintf(resp[i], sizeof resp[i],
             "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    return resp[i];
}

#define GEN "{\"success\":true,\"status\":\"processing\",\"taskId\":\"t-1\",\"recordId\":\"42\"}"
#define PROC(n) "{\"success\":true,\"status\":\"processing\",\"recordId\":\"42\",\"currentStep\":" #n "}"
#define DONE "{\"success\":true,\"status\":\"completed\",\"recordId\":\"42\",\"currentStep\":3," \
             "\"videoUrl\":\"http://cdn.example/v.mp4\",\"generationTime\":150}"

static uint32_t gaps[16];
static int ngaps;

static int run_job(struct tvc_journal *jn, struct tvc_job *job, struct tvc_http_client *http)
{
    static const struct tvc_gen_params prm = {"Coffee ad", NULL, NULL, 10, 0};
    struct fp_conn *c;
    char out[200];
    int rc = TVC_ERR_AGAIN, steps = 0, was_polling = 0;
    c = fp_add(&fp, answer(0, GEN));
    c->resp[c->nresp++] = answer(1, PROC(2));
    c->resp[c->nresp++] = answer(2, PROC(3));
    c->resp[c->nresp++] = answer(3, DONE);
    fp_add(&fp, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nvideo");
    snprintf(out, sizeof out, "%s/v.mp4", dir);
    ngaps = 0;
    CHECK_EQ(tvc_job_start_new(job, &port, http, jn, "http://api.example", "k", &prm, out, NULL), 0);
    while (rc == TVC_ERR_AGAIN && steps++ < 100000) {
        uint32_t sl = 0;
        rc = tvc_job_step(job, 1000, &sl);
        if (sl && job->rec.phase == TVC_PHASE_POLLING && ngaps < 16)
            gaps[ngaps++] = sl;
        was_polling |= job->rec.phase == TVC_PHASE_POLLING;
        fp.clock += sl ? sl : 1;
    }
    CHECK(was_polling);
    return rc;
}

static void t_job_learns(void)
{
    static struct tvc_journal jn;
    static struct tvc_job job;
    static struct tvc_http_client http;
    static char hdr[TVC_HTTP_HEADER_BUF];
    static uint8_t io[TVC_HTTP_IO_BUF];
    struct tvc_poll_hist h;
    uint32_t first;

    mkdir_tmp();
    tvc_posix_init(&px, &pxp);
    memset(&fp, 0, sizeof fp);
    fp_init(&fp, &port);
    fp.seed = 0x9e3779b97f4a7c15ull;
    fp_use_storage(&port, &pxp);
    port.wall_time = s_wall;
    tvc_http_client_init(&http, &port, NULL, hdr, sizeof hdr, io, sizeof io);
    CHECK_EQ(tvc_journal_open(&jn, &port, sdir), 0);

    memset(&job, 0, sizeof job);
    CHECK_EQ(run_job(&jn, &job, &http), 0);
    CHECK_EQ(job.api_requests, 4);
    CHECK_EQ(ngaps, 3);
    first = gaps[0];
    printf("  first job (no history): gaps %u %u %u ms\n", (unsigned)gaps[0], (unsigned)gaps[1],
           (unsigned)gaps[2]);
    CHECK(first >= 54000u && first <= 66000u); /* 120 s away: half of it, jittered */
    CHECK(gaps[1] >= TVC_POLL_MIN_MS && gaps[2] >= TVC_POLL_MIN_MS);
    /* learnt: the service's generationTime (150 s) and the video step after
     * it was first seen (at the second poll) */
    CHECK_EQ(tvc_poll_hist_load(&jn, &h), 0);
    CHECK_EQ(h.n, 1);
    CHECK_EQ(h.gen_s[0], 150);
    CHECK_EQ(h.video_s[0], 150 - (gaps[0] + gaps[1] + 500) / 1000);

    /* the second job starts from that history: window 150 s +- 42.5 s,
     * and the video step (at least 7/8 of the one seen) after step 2 */
    memset(&job, 0, sizeof job);
    CHECK_EQ(run_job(&jn, &job, &http), 0);
    printf("  second job (1 job learnt): gaps %u %u %u ms\n", (unsigned)gaps[0],
           (unsigned)gaps[1], (unsigned)gaps[2]);
    CHECK(job.plan_.lo_ms == 150000u - 5000u - 150000u / 4u);
    CHECK(gaps[0] >= 50000u && gaps[0] <= 60000u); /* fresh target, jittered inside it */
    CHECK(gaps[0] != first);
    CHECK_EQ(tvc_poll_hist_load(&jn, &h), 0);
    CHECK_EQ(h.n, 2);

    /* a fixed interval still wins when asked for */
    memset(&job, 0, sizeof job);
    job.poll_ms = 7000;
    CHECK_EQ(run_job(&jn, &job, &http), 0);
    CHECK(gaps[0] >= 6300u && gaps[0] <= 7700u);
    rm_tmp();
}

int main(void)
{
    RUN(t_prior);
    RUN(t_learns);
    RUN(t_step_lengths);
    RUN(t_budget);
    RUN(t_jitter);
    RUN(t_ring);
    RUN(t_hist_file);
    RUN(t_job_learns);
    return h_summary();
}
