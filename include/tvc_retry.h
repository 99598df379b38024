/**
 * @file tvc_retry.h
 * @brief The one retry policy of libtvc: exponential backoff with jitter,
 * Retry-After, the deadline and the attempt limit, as a small pure state
 * machine.  The job engine (check-status, refused generates, downloads) and
 * the tvc program's `status` and `download` commands all use it.
 *
 * It never sleeps, reads no clock and draws no randomness of its own: the
 * caller passes the time (any monotonic ms clock, the one the deadline is
 * on) and 32 random bits from the port's entropy, so it is deterministic
 * under test.
 *
 * The policy, with the defaults below:
 * - Which failures are retried: network trouble (TVC_CLASS_RETRY: timeouts,
 *   DNS, refused connections, resets, early closes, I/O errors), malformed
 *   answers (TVC_CLASS_PROTOCOL: TVC_ERR_HTTP*, TVC_ERR_JSON*; and
 *   TVC_ERR_API_PROTOCOL), and answers with status 429 or 5xx (passed as
 *   TVC_ERR_HTTP_STATUS or TVC_ERR_API with their status).  Every other
 *   error is final at once: input errors, TLS/certificate trust, local
 *   storage, aborts, 4xx answers other than 429.
 * - Backoff: the n-th consecutive failure (n = 1, 2, ...) waits a time drawn
 *   uniformly from [b/2, b] with b = min(TVC_RETRY_CAP_MS, 1000 ms * 2^n):
 *   1-2 s, 2-4 s, 4-8 s, 8-16 s, 16-32 s, then 30-60 s.
 * - Retry-After: a 429 or 503 that carries one waits exactly that long
 *   instead (at least 1 s, so a "0" cannot make a fleet hammer the service;
 *   at most TVC_RETRY_AFTER_MAX_S), when the wait fits the deadline.
 * - Attempts: after max_attempts consecutive failures (default
 *   TVC_RETRY_MAX_ATTEMPTS = 6, so at most 5 waits) the run ends with the
 *   last failure's error.  A success (tvc_retry_ok()) starts the count anew.
 * - Deadline: a wait that would end after the deadline is not taken; the run
 *   ends at once with the cause (see tvc_retry_end()).
 * - Honest end states: the state remembers the latest failure's error since
 *   the last success.  When the deadline ends a run, the result names that
 *   cause (a malformed answer, a 5xx, a refused connection...), not
 *   TVC_ERR_DEADLINE.  TVC_ERR_DEADLINE is the result only when the last
 *   thing that happened was a success (for a job: it said "processing") or
 *   a stall cut by the deadline itself (TVC_ERR_TIMEOUT) with no other cause
 *   since the last success.  A run that never had a success and only
 *   stalled ends with TVC_ERR_TIMEOUT: nothing was learnt, so nothing may be
 *   called "still processing".
 */
#ifndef TVC_RETRY_H
#define TVC_RETRY_H

#include "tvc_base.h"
#include "tvc_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The policy's numbers (TVC_RETRY_CAP_MS, TVC_RETRY_AFTER_MAX_S,
 * TVC_RETRY_MAX_ATTEMPTS) are options of tvc_config.h. */


/** @brief Retry state of one run.  Fields are read-only for the caller. */
struct tvc_retry {
    uint64_t deadline;     /**< no wait ends after this (caller's ms clock) */
    uint32_t max_attempts; /**< consecutive failures that end the run */
    uint32_t failures;     /**< consecutive failures so far */
    int cause;             /**< latest failure since the last success, except
                                TVC_ERR_TIMEOUT; 0 when none */
    int cause_status;      /**< the HTTP status of that failure when it was an
                                answer (TVC_ERR_HTTP_STATUS / TVC_ERR_API); 0 else */
    int answered;          /**< 1 once tvc_retry_ok() was called in this run */
};

/**
 * @brief Start a run.
 * @param deadline     absolute time on the caller's ms clock
 * @param max_attempts 0: TVC_RETRY_MAX_ATTEMPTS
 */
void tvc_retry_init(struct tvc_retry *r, uint64_t deadline, uint32_t max_attempts);

/** @brief An attempt succeeded: the failure count and the cause start anew. */
void tvc_retry_ok(struct tvc_retry *r);

/**
 * @brief An attempt failed: wait and try again, or give up?
 * @param err          the library error describing the failure: a network,
 *                     HTTP or JSON error when no usable answer came; for an
 *                     answer with an unwanted status, TVC_ERR_API (it carried
 *                     the API's errorCode) or TVC_ERR_HTTP_STATUS
 * @param http_status  that answer's status (read only with TVC_ERR_API and
 *                     TVC_ERR_HTTP_STATUS; else pass 0)
 * @param retry_after_s the answer's Retry-After in seconds, < 0 when none
 *                     (read only with status 429 and 503)
 * @param now          the current time on the deadline's clock
 * @param rnd          32 random bits (the port's entropy) for the jitter
 * @param wait_ms      out: with TVC_ERR_AGAIN, how long to wait; else 0
 * @return TVC_ERR_AGAIN: wait *wait_ms, then try again.  Otherwise the final
 *         error of the run:
 *         - @p err itself when it is not retried (see the policy above), or
 *           when this was the max_attempts-th consecutive failure, or when
 *           the wait does not fit before the deadline;
 *         - with @p err TVC_ERR_TIMEOUT and no room before the deadline:
 *           tvc_retry_end() (an earlier cause since the last success, else
 *           TVC_ERR_DEADLINE, or TVC_ERR_TIMEOUT when nothing succeeded yet);
 *         - TVC_ERR_ARG: @p r or @p wait_ms NULL, or @p err not an error
 *           (>= 0 or TVC_ERR_AGAIN).
 */
int tvc_retry_next(struct tvc_retry *r, int err, int http_status, int64_t retry_after_s,
                   uint64_t now, uint32_t rnd, uint32_t *wait_ms);

/**
 * @brief The error that ends the run when the caller finds the deadline
 * passed (before starting an attempt, or while waiting).
 * @return the remembered cause of the latest failure since the last success
 *         (its HTTP status, if it was an answer, is in r->cause_status);
 *         else TVC_ERR_DEADLINE when the run had a success (tvc_retry_ok()),
 *         TVC_ERR_TIMEOUT when it never had one; TVC_ERR_ARG when @p r is NULL.
 */
int tvc_retry_end(const struct tvc_retry *r);

/**
 * @brief The backoff wait alone: for the @p n-th consecutive failure
 * (n >= 1; 0 counts as 1), a time in [b/2, b] ms chosen by @p rnd, with
 * b = min(TVC_RETRY_CAP_MS, 1000 * 2^n).
 */
uint32_t tvc_retry_backoff(uint32_t n, uint32_t rnd);

#ifdef __cplusplus
}
#endif
#endif /* TVC_RETRY_H */
