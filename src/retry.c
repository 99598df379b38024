/* The one retry policy: backoff, Retry-After, deadline, attempts.  Pure:
 * time and randomness come from the caller.  See tvc_retry.h. */
#include "tvc_retry.h"

void tvc_retry_init(struct tvc_retry *r, uint64_t deadline, uint32_t max_attempts)
{
    if (!r)
        return;
    r->deadline = deadline;
    r->max_attempts = max_attempts ? max_attempts : TVC_RETRY_MAX_ATTEMPTS;
    r->failures = 0;
    r->cause = 0;
    r->cause_status = 0;
    r->answered = 0;
}

void tvc_retry_ok(struct tvc_retry *r)
{
    if (!r)
        return;
    r->failures = 0;
    r->cause = 0;
    r->cause_status = 0;
    r->answered = 1;
}

uint32_t tvc_retry_backoff(uint32_t n, uint32_t rnd)
{
    uint32_t b = TVC_RETRY_CAP_MS;
    if (n < 1)
        n = 1;
    if (n < 12 && (1000u << n) < b)
        b = 1000u << n;
    return b / 2 + rnd % (b / 2 + 1);
}

/* An answer the server sent with a status we did not want. */
static int is_answer(int err)
{
    return err == TVC_ERR_HTTP_STATUS || err == TVC_ERR_API;
}

static int retried(int err, int http_status)
{
    int c;
    if (is_answer(err))
        return http_status == 429 || (http_status >= 500 && http_status <= 599);
    if (err == TVC_ERR_API_PROTOCOL)
        return 1;
    c = tvc_err_class(err);
    return c == TVC_CLASS_RETRY || c == TVC_CLASS_PROTOCOL;
}

int tvc_retry_end(const struct tvc_retry *r)
{
    if (!r)
        return TVC_ERR_ARG;
    if (r->cause)
        return r->cause;
    return r->answered ? TVC_ERR_DEADLINE : TVC_ERR_TIMEOUT;
}

int tvc_retry_next(struct tvc_retry *r, int err, int http_status, int64_t retry_after_s,
                   uint64_t now, uint32_t rnd, uint32_t *wait_ms)
{
    uint32_t ms;

    if (wait_ms)
        *wait_ms = 0;
    if (!r || !wait_ms || err >= 0 || err == TVC_ERR_AGAIN)
        return TVC_ERR_ARG;
    if (!retried(err, http_status))
        return err;
    /* A stall is not a cause of its own when the deadline cut it: what
     * was learnt before it (a bad answer, or nothing) is kept. */
    if (err != TVC_ERR_TIMEOUT) {
        r->cause = err;
        r->cause_status = is_answer(err) ? http_status : 0;
    }
    if (++r->failures >= r->max_attempts)
        return err;
    if (is_answer(err) && (http_status == 429 || http_status == 503) && retry_after_s >= 0) {
        int64_t s = retry_after_s < 1 ? 1 : retry_after_s;
        if (s > TVC_RETRY_AFTER_MAX_S)
            s = TVC_RETRY_AFTER_MAX_S;
        ms = (uint32_t)s * 1000u;
    } else {
        ms = tvc_retry_backoff(r->failures, rnd);
    }
    if (now > r->deadline || r->deadline - now < ms)
        return err == TVC_ERR_TIMEOUT ? tvc_retry_end(r) : err;
    *wait_ms = ms;
    return TVC_ERR_AGAIN;
}
