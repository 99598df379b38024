/* The retry policy (tvc_retry.h) alone: deterministic, fixed random input,
 * a clock that is just a number.  Caps, Retry-After clamps, the deadline
 * cut, the attempt limit, and which cause ends a run. */
#include <stdint.h>

#include "harness.h"
#include "tvc_retry.h"

#define T0 1000000ull
#define FAR (T0 + 100ull * 86400000ull)

static void t_backoff_bounds(void)
{
    /* n-th failure: [b/2, b], b = 1 s << n, capped */
    static const uint32_t hi[] = {0, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000};
    uint32_t n;
    for (n = 1; n < sizeof hi / sizeof hi[0]; n++) {
        CHECK_EQ(tvc_retry_backoff(n, 0), hi[n] / 2);            /* rnd 0: lower end */
        CHECK_EQ(tvc_retry_backoff(n, hi[n] / 2), hi[n]);        /* exactly the top */
        CHECK_EQ(tvc_retry_backoff(n, hi[n] / 2 + 1), hi[n] / 2); /* wraps */
        CHECK(tvc_retry_backoff(n, 0xFFFFFFFFu) >= hi[n] / 2);
        CHECK(tvc_retry_backoff(n, 0xFFFFFFFFu) <= hi[n]);
    }
    CHECK_EQ(tvc_retry_backoff(0, 0), 1000); /* 0 counts as the first */
    /* the cap holds for any count, no shift overflow */
    CHECK_EQ(tvc_retry_backoff(31, TVC_RETRY_CAP_MS / 2), TVC_RETRY_CAP_MS);
    CHECK_EQ(tvc_retry_backoff(32, TVC_RETRY_CAP_MS / 2), TVC_RETRY_CAP_MS);
    CHECK_EQ(tvc_retry_backoff(0xFFFFFFFFu, 0), TVC_RETRY_CAP_MS / 2);
}

static void t_backoff_sequence(void)
{
    struct tvc_retry r;
    uint32_t w = 1, rnd;
    int i;

    tvc_retry_init(&r, FAR, 100);
    CHECK_EQ(r.max_attempts, 100);
    for (i = 1; i <= 12; i++) {
        uint32_t b = i < 6 ? 1000u << i : 60000u;
        rnd = (uint32_t)i * 7919u;
        CHECK_EQ(tvc_retry_next(&r, TVC_ERR_RESET, 0, -1, T0, rnd, &w), TVC_ERR_AGAIN);
        CHECK_EQ(w, b / 2 + rnd % (b / 2 + 1));
        CHECK_EQ(r.failures, (uint32_t)i);
    }
    /* a success starts the count anew: back to 1-2 s */
    tvc_retry_ok(&r);
    CHECK_EQ(r.failures, 0);
    CHECK_EQ(r.cause, 0);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_RESET, 0, -1, T0, 1000, &w), TVC_ERR_AGAIN);
    CHECK_EQ(w, 2000);
}

static void t_attempts_limit(void)
{
    struct tvc_retry r;
    uint32_t w;
    int i;

    tvc_retry_init(&r, FAR, 0);
    CHECK_EQ(r.max_attempts, TVC_RETRY_MAX_ATTEMPTS);
    for (i = 1; i < TVC_RETRY_MAX_ATTEMPTS; i++)
        CHECK_EQ(tvc_retry_next(&r, TVC_ERR_JSON, 0, -1, T0, 0, &w), TVC_ERR_AGAIN);
    /* the 6th consecutive failure ends the run with its own error */
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_API, 500, -1, T0, 0, &w), TVC_ERR_API);
    CHECK_EQ(w, 0);

    /* a limit of 1: no retry at all */
    tvc_retry_init(&r, FAR, 1);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_CONNECT, 0, -1, T0, 0, &w), TVC_ERR_CONNECT);

    /* attempts used up by stalls: the stall is the error */
    tvc_retry_init(&r, FAR, 2);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_TIMEOUT, 0, -1, T0, 0, &w), TVC_ERR_AGAIN);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_TIMEOUT, 0, -1, T0, 0, &w), TVC_ERR_TIMEOUT);

    /* Retry-After waits count as attempts too */
    tvc_retry_init(&r, FAR, 3);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_API, 429, 1, T0, 0, &w), TVC_ERR_AGAIN);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_API, 429, 1, T0, 0, &w), TVC_ERR_AGAIN);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_API, 429, 1, T0, 0, &w), TVC_ERR_API);
}

static void t_retry_after(void)
{
    static const struct {
        int status;
        int64_t ra;
        uint32_t want; /* 0: the backoff */
    } cases[] = {
        {429, 3, 3000},       {503, 3, 3000},   {429, 0, 1000}, /* at least 1 s */
        {503, 0, 1000},       {429, 1, 1000},   {429, -1, 0},   /* none: backoff */
        {503, -1, 0},         {500, 7, 0},      /* only 429/503 carry one */
        {502, 7, 0},          {429, 86400, 86400000u},
        {429, 86401, (uint32_t)TVC_RETRY_AFTER_MAX_S * 1000u}, /* clamped */
        {503, INT64_MAX, (uint32_t)TVC_RETRY_AFTER_MAX_S * 1000u},
    };
    struct tvc_retry r;
    uint32_t w;
    size_t k;

    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        tvc_retry_init(&r, FAR, 0);
        CHECK_EQ(tvc_retry_next(&r, TVC_ERR_HTTP_STATUS, cases[k].status, cases[k].ra, T0, 0, &w),
                 TVC_ERR_AGAIN);
        CHECK_EQ(w, cases[k].want ? cases[k].want : 1000u);
        tvc_retry_init(&r, FAR, 0);
        CHECK_EQ(tvc_retry_next(&r, TVC_ERR_API, cases[k].status, cases[k].ra, T0, 0, &w),
                 TVC_ERR_AGAIN);
        CHECK_EQ(w, cases[k].want ? cases[k].want : 1000u);
    }
    /* Retry-After is not read for a failure that is not an answer */
    tvc_retry_init(&r, FAR, 0);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_RESET, 429, 30, T0, 0, &w), TVC_ERR_AGAIN);
    CHECK_EQ(w, 1000);
}

static void t_deadline_cut(void)
{
    struct tvc_retry r;
    uint32_t w = 7;

    /* a wait that ends exactly at the deadline is taken; 1 ms more is not */
    tvc_retry_init(&r, T0 + 2000, 0);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_IO, 0, -1, T0, 1000, &w), TVC_ERR_AGAIN);
    CHECK_EQ(w, 2000);
    tvc_retry_init(&r, T0 + 1999, 0);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_IO, 0, -1, T0, 1000, &w), TVC_ERR_IO);
    CHECK_EQ(w, 0);
    /* already past the deadline */
    tvc_retry_init(&r, T0, 0);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_JSON, 0, -1, T0 + 5, 0, &w), TVC_ERR_JSON);

    /* a Retry-After that does not fit: the answer's own error (429: the
     * caller reports the rate limit) */
    tvc_retry_init(&r, T0 + 3599999, 0);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_API, 429, 3600, T0, 0, &w), TVC_ERR_API);
    tvc_retry_init(&r, T0 + 3600000, 0);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_API, 429, 3600, T0, 0, &w), TVC_ERR_AGAIN);
    CHECK_EQ(w, 3600000u);
}

/* Which error ends a run that the deadline cuts. */
static void t_honest_end(void)
{
    struct tvc_retry r;
    uint32_t w;

    /* nothing happened at all: nothing was learnt, so not "processing" */
    tvc_retry_init(&r, T0 + 10000, 0);
    CHECK_EQ(tvc_retry_end(&r), TVC_ERR_TIMEOUT);
    /* an answer came, nothing failed since: the deadline is the deadline */
    tvc_retry_ok(&r);
    CHECK_EQ(tvc_retry_end(&r), TVC_ERR_DEADLINE);

    /* malformed answers until the deadline: the cause, not the deadline */
    tvc_retry_init(&r, T0 + 10000, 0);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_HTTP, 0, -1, T0, 0, &w), TVC_ERR_AGAIN);
    CHECK_EQ(tvc_retry_end(&r), TVC_ERR_HTTP);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_HTTP_HEADERS_TOO_LARGE, 0, -1, T0 + 9000, 0, &w),
             TVC_ERR_HTTP_HEADERS_TOO_LARGE);
    CHECK_EQ(tvc_retry_end(&r), TVC_ERR_HTTP_HEADERS_TOO_LARGE);

    /* a server error, then a stall cut by the deadline: the server error,
     * with its status kept for whoever maps it (exit 12, not 8) */
    tvc_retry_init(&r, T0 + 10000, 0);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_API, 500, -1, T0, 0, &w), TVC_ERR_AGAIN);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_TIMEOUT, 0, -1, T0 + 10000, 0, &w), TVC_ERR_API);
    CHECK_EQ(r.cause_status, 500);

    /* only stalls, never an answer (a black hole): a timeout, not "processing" */
    tvc_retry_init(&r, T0 + 10000, 0);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_TIMEOUT, 0, -1, T0, 0, &w), TVC_ERR_AGAIN);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_TIMEOUT, 0, -1, T0 + 10000, 0, &w), TVC_ERR_TIMEOUT);

    /* an answer, then only stalls: the deadline */
    tvc_retry_init(&r, T0 + 10000, 0);
    tvc_retry_ok(&r);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_TIMEOUT, 0, -1, T0, 0, &w), TVC_ERR_AGAIN);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_TIMEOUT, 0, -1, T0 + 10000, 0, &w), TVC_ERR_DEADLINE);

    /* a bad answer, then a good one ("processing"), then the deadline */
    tvc_retry_init(&r, T0 + 10000, 0);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_JSON, 0, -1, T0, 0, &w), TVC_ERR_AGAIN);
    tvc_retry_ok(&r);
    CHECK_EQ(tvc_retry_end(&r), TVC_ERR_DEADLINE);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_TIMEOUT, 0, -1, T0 + 10000, 0, &w), TVC_ERR_DEADLINE);

    /* the latest cause wins */
    tvc_retry_init(&r, T0 + 100000, 0);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_JSON, 0, -1, T0, 0, &w), TVC_ERR_AGAIN);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_HTTP_STATUS, 502, -1, T0, 0, &w), TVC_ERR_AGAIN);
    CHECK_EQ(tvc_retry_end(&r), TVC_ERR_HTTP_STATUS);
}

static void t_not_retried(void)
{
    static const struct {
        int err, status;
    } finals[] = {
        {TVC_ERR_ARG, 0},          {TVC_ERR_NOSPACE, 0},        {TVC_ERR_URL, 0},
        {TVC_ERR_TLS, 0},          {TVC_ERR_TLS_UNTRUSTED, 0},  {TVC_ERR_TLS_HOSTNAME, 0},
        {TVC_ERR_NOT_FOUND, 0},    {TVC_ERR_ABORTED, 0},        {TVC_ERR_STORAGE, 0},
        {TVC_ERR_ENTROPY, 0},      {TVC_ERR_JOB_FAILED, 0},     {TVC_ERR_OUTCOME_UNKNOWN, 0},
        {TVC_ERR_DEADLINE, 0},     {TVC_ERR_BUDGET, 0},         {TVC_ERR_HTTP_STATUS, 404},
        {TVC_ERR_HTTP_STATUS, 416}, {TVC_ERR_API, 401},         {TVC_ERR_API, 402},
        {TVC_ERR_API, 400},        {TVC_ERR_HTTP_STATUS, 0},    {TVC_ERR_HTTP_STATUS, 600},
        {TVC_ERR_HTTP_STATUS, 301},
    };
    static const struct {
        int err, status;
    } retried[] = {
        {TVC_ERR_TIMEOUT, 0}, {TVC_ERR_DNS, 0},        {TVC_ERR_CONNECT, 0},
        {TVC_ERR_RESET, 0},   {TVC_ERR_CLOSED, 0},     {TVC_ERR_IO, 0},
        {TVC_ERR_HTTP, 0},    {TVC_ERR_HTTP_CHUNK, 0}, {TVC_ERR_HTTP_TRUNCATED, 0},
        {TVC_ERR_JSON, 0},    {TVC_ERR_JSON_TYPE, 0},  {TVC_ERR_API_PROTOCOL, 0},
        {TVC_ERR_API, 500},   {TVC_ERR_API, 429},      {TVC_ERR_HTTP_STATUS, 503},
        {TVC_ERR_HTTP_STATUS, 599}, {TVC_ERR_HTTP_STATUS, 429},
    };
    struct tvc_retry r;
    uint32_t w;
    size_t k;

    for (k = 0; k < sizeof finals / sizeof finals[0]; k++) {
        tvc_retry_init(&r, FAR, 0);
        w = 5;
        CHECK_EQ(tvc_retry_next(&r, finals[k].err, finals[k].status, 1, T0, 0, &w), finals[k].err);
        CHECK_EQ(w, 0);
        CHECK_EQ(r.failures, 0);
        CHECK_EQ(r.cause, 0); /* not a cause the deadline would report */
    }
    for (k = 0; k < sizeof retried / sizeof retried[0]; k++) {
        tvc_retry_init(&r, FAR, 0);
        CHECK_EQ(tvc_retry_next(&r, retried[k].err, retried[k].status, -1, T0, 0, &w),
                 TVC_ERR_AGAIN);
        CHECK_EQ(w, 1000);
        CHECK_EQ(r.failures, 1);
    }
}

static void t_bad_args(void)
{
    struct tvc_retry r;
    uint32_t w = 9;

    tvc_retry_init(&r, FAR, 0);
    CHECK_EQ(tvc_retry_next(NULL, TVC_ERR_IO, 0, -1, T0, 0, &w), TVC_ERR_ARG);
    CHECK_EQ(w, 0);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_IO, 0, -1, T0, 0, NULL), TVC_ERR_ARG);
    CHECK_EQ(tvc_retry_next(&r, 0, 0, -1, T0, 0, &w), TVC_ERR_ARG);
    CHECK_EQ(tvc_retry_next(&r, 5, 0, -1, T0, 0, &w), TVC_ERR_ARG);
    CHECK_EQ(tvc_retry_next(&r, TVC_ERR_AGAIN, 0, -1, T0, 0, &w), TVC_ERR_ARG);
    CHECK_EQ(r.failures, 0);
    CHECK_EQ(tvc_retry_end(NULL), TVC_ERR_ARG);
    tvc_retry_init(NULL, FAR, 0); /* harmless */
    tvc_retry_ok(NULL);
}

int main(void)
{
    RUN(t_backoff_bounds);
    RUN(t_backoff_sequence);
    RUN(t_attempts_limit);
    RUN(t_retry_after);
    RUN(t_deadline_cut);
    RUN(t_honest_end);
    RUN(t_not_retried);
    RUN(t_bad_args);
    return h_summary();
}
