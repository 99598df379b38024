/* make bench: libtvc's job engine, time-scaled, against the simulator.
 * usage: bench_job API_BASE CA_FILE STATE_DIR OUT_DIR SCALE JOBS [POLL_MS]
 * Runs JOBS jobs one after the other (the journal in STATE_DIR carries the
 * polling history from one to the next), with the default schedule unless
 * POLL_MS is given.  The clock the library sees runs SCALE times faster than
 * the real one (now_ms, wall_time), and every sleep it asks for is divided
 * by SCALE, so a 2-5 minute job takes 2-5 / SCALE minutes.  Prints one line
 * per job: "job N rc RC requests N record ID". */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/sha256.h>

#include "tvc_job.h"
#include "tvc_posix.h"
#include "tvc_tls.h"

static struct tvc_posix px;
static struct tvc_port port;
static struct tvc_tls tls;
static struct tvc_transport https_t;
static mbedtls_sha256_context sha_ctx;
static struct tvc_hash sha;
static struct tvc_http_client http;
static char hdr_buf[8192];
static uint8_t io_buf[16384];
static struct tvc_journal journal;
static struct tvc_job job;
static double scale;
static uint64_t (*real_now)(void *);
static uint64_t real0;
static int64_t wall0;

static uint64_t scaled_now(void *ctx)
{
    return (uint64_t)((double)(real_now(ctx) - real0) * scale);
}

static int64_t scaled_wall(void *ctx)
{
    return wall0 + (int64_t)(scaled_now(ctx) / 1000u);
}

static void nap(uint32_t virt_ms)
{
    double real = virt_ms / scale;
    struct timespec ts;
    if (real < 1)
        real = 1;
    ts.tv_sec = (time_t)(real / 1000);
    ts.tv_nsec = (long)((real - ts.tv_sec * 1000.0) * 1e6);
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
    static uint8_t scratch[8192];
    static const struct tvc_gen_params prm = {"Bench: running shoes", NULL, NULL, 10, 0};
    char out[600];
    int i, jobs, rc;

    if (argc < 7) {
        fprintf(stderr, "usage: bench_job API_BASE CA_FILE STATE_DIR OUT_DIR SCALE JOBS [POLL_MS]\n");
        return 2;
    }
    scale = atof(argv[5]);
    jobs = atoi(argv[6]);
    tvc_posix_init(&px, &port);
    real_now = port.now_ms;
    real0 = real_now(port.ctx);
    wall0 = port.wall_time(port.ctx);
    port.now_ms = scaled_now;
    port.wall_time = scaled_wall;
    tvc_tls_init(&tls);
    if (tvc_tls_setup(&tls, &port) < 0 || tvc_tls_add_ca_file(&tls, argv[2], scratch, sizeof scratch) < 0) {
        fprintf(stderr, "bench_job: TLS setup failed\n");
        return 1;
    }
    tvc_tls_transport_init(&https_t, &tls);
    tvc_hash_mbedtls_init(&sha, &sha_ctx);
    tvc_http_client_init(&http, &port, &https_t, hdr_buf, sizeof hdr_buf, io_buf, sizeof io_buf);
    if (tvc_journal_open(&journal, &port, argv[3]) < 0) {
        fprintf(stderr, "bench_job: cannot open %s\n", argv[3]);
        return 1;
    }
    for (i = 0; i < jobs; i++) {
        uint32_t sl = 0;
        /* Back to back, 16 jobs would exceed 100 requests an hour (as the
         * fixed loop's would, many times over): each job starts with an empty
         * budget, as if the jobs were spread out.  per_hour stays 100, so the
         * schedule is stretched as it is by default. */
        snprintf(out, sizeof out, "%s/budget", argv[3]);
        remove(out);
        memset(&job, 0, sizeof job);
        job.poll_ms = argc > 7 ? (uint32_t)atol(argv[7]) : 0;
        job.per_hour = 100;
        job.hash = &sha;
        snprintf(out, sizeof out, "%s/job%d.mp4", argv[4], i);
        rc = tvc_job_start_new(&job, &port, &http, &journal, argv[1], "bench-key", &prm, out, NULL);
        if (rc == 0)
            rc = TVC_ERR_AGAIN;
        while (rc == TVC_ERR_AGAIN) {
            rc = tvc_job_step(&job, 20, &sl);
            if (rc == TVC_ERR_AGAIN && sl)
                nap(sl);
        }
        printf("job %d rc %d requests %u record %s\n", i, rc, (unsigned)job.api_requests,
               job.rec.record_id);
        if (rc != 0)
            fprintf(stderr, "bench_job: job %d: %s\n", i, tvc_strerror(rc));
        fflush(stdout);
        if (rc != 0)
            return 1;
    }
    tvc_http_client_close(&http);
    tvc_tls_free(&tls);
    return 0;
}
