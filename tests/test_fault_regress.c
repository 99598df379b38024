/* Regression tests for defects the fault-injection suite
 * (tests/integration/test_faults.py) found, at the library level, over the
 * scripted transport with a virtual clock.
 *
 * - drip: an answer that trickles in one byte every 100 ms never goes
 *   silent, so the silence timer (io_timeout_ms) never fired and a job's
 *   deadline did not end the exchange: `tvc generate --timeout 2` against a
 *   dripping check-status answer ran for minutes.  The client now takes an
 *   overall end for every exchange (tvc_http_client.end_by), which the job
 *   sets to its deadline. */
#include <stdlib.h>
#include <string.h>

#include "fake_port.h"
#include "harness.h"
#include "tvc.h"

struct ctx {
    struct fp fp;
    struct tvc_port port;
    struct tvc_http_client c;
    char hdr[2048];
    uint8_t io[512];
    struct tvc_http_req rq;
    size_t got;
};

static char drip_resp[4096];

static int on_body(void *u, const uint8_t *d, size_t n)
{
    (void)d;
    ((struct ctx *)u)->got += n;
    return 0;
}

static struct ctx *setup(void)
{
    struct ctx *x = calloc(1, sizeof *x);
    struct fp_conn *cn;
    size_t n;
    fp_init(&x->fp, &x->port);
    tvc_http_client_init(&x->c, &x->port, NULL, x->hdr, sizeof x->hdr, x->io, sizeof x->io);
    x->rq.method = "GET";
    x->rq.url = "http://api.example/x";
    x->rq.on_body = on_body;
    x->rq.user = x;
    x->rq.io_timeout_ms = 5000; /* longer than any gap of the drip */
    n = (size_t)snprintf(drip_resp, sizeof drip_resp, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
    memset(drip_resp + n, 'a', 1000);
    drip_resp[n + 1000] = '\0';
    cn = fp_add(&x->fp, drip_resp);
    cn->chunk = 1; /* one byte per receive */
    return x;
}

/* Step the exchange, 100 ms of virtual time passing between steps (one
 * byte per 100 ms), until it ends or @p max_steps pass. */
static int drip(struct ctx *x, int max_steps, int *steps)
{
    int rc = tvc_http_start(&x->c, &x->rq);
    *steps = 0;
    while (rc == 0 || rc == TVC_ERR_AGAIN) {
        if (++*steps > max_steps)
            return 1;
        rc = tvc_http_step(&x->c, 0);
        if (rc == 0)
            break;
        x->fp.clock += 100;
    }
    return rc;
}

static void drip_without_end_runs_its_course(void)
{
    struct ctx *x = setup();
    int steps, rc = drip(x, 100000, &steps);
    CHECK_EQ(rc, 0);
    CHECK_EQ(x->got, 1000);
    CHECK(x->fp.clock > 1000 + 100000); /* over 100 s of virtual time: why end_by exists */
    free(x);
}

static void drip_ends_at_end_by(void)
{
    struct ctx *x = setup();
    uint64_t t0 = x->fp.clock;
    int steps, rc;
    x->c.end_by = t0 + 2000;
    rc = drip(x, 100000, &steps);
    CHECK_EQ(rc, TVC_ERR_TIMEOUT);
    CHECK(x->got < 1000);
    CHECK(x->fp.clock <= t0 + 2000 + 200); /* within a step of the end */
    CHECK(!tvc_http_client_busy(&x->c));
    free(x);
}

static void end_by_bounds_the_connect(void)
{
    struct ctx *x = setup();
    uint64_t t0 = x->fp.clock;
    int rc;
    x->fp.conn[0].poll_rc = TVC_ERR_AGAIN; /* never connects */
    x->c.end_by = t0 + 700;                /* well before TVC_HTTP_CONNECT_TIMEOUT_MS */
    rc = tvc_http_start(&x->c, &x->rq);
    while (rc == 0 || rc == TVC_ERR_AGAIN)
        rc = tvc_http_step(&x->c, 250);
    CHECK_EQ(rc, TVC_ERR_TIMEOUT);
    CHECK(x->fp.clock <= t0 + 700 + 250);
    free(x);
}

static void end_by_zero_is_no_limit(void)
{
    struct ctx *x = setup();
    int steps, rc;
    x->c.end_by = 0;
    x->fp.conn[0].chunk = 0;
    rc = drip(x, 100, &steps);
    CHECK_EQ(rc, 0);
    CHECK_EQ(x->got, 1000);
    free(x);
}

int main(void)
{
    RUN(drip_without_end_runs_its_course);
    RUN(drip_ends_at_end_by);
    RUN(end_by_bounds_the_connect);
    RUN(end_by_zero_is_no_limit);
    return h_summary();
}
