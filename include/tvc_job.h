/**
 * @file tvc_job.h
 * @brief The job engine: submit, poll, download, as a step function that
 * never sleeps and never blocks longer than the caller allows.
 *
 * @code
 * // in a player's main loop
 * uint32_t sleep_ms;
 * int rc = tvc_job_step(&job, 0, &sleep_ms);   // never blocks
 * if (rc == TVC_ERR_AGAIN) schedule_next_call(sleep_ms);
 * else if (rc == 0) play(job.rec.out);
 * else report(rc, &job.res);
 * @endcode
 *
 * Rules the engine keeps:
 * - generate is sent at most once per job.  It is repeated only when the
 *   connection or TLS handshake failed before any request byte went out, or
 *   when the service explicitly refused it with 429/503 (no record made).
 *   When bytes went out and no usable answer came (reset, stall,
 *   truncated or unreadable answer, a 2xx without an id, a 5xx that is not
 *   the API's own error such as a proxy's 502/504 page), the job ends with
 *   TVC_ERR_OUTCOME_UNKNOWN (cause in rec.last_error) and is never re-sent.
 * - With a journal, an in-flight marker is durable before generate is sent,
 *   and the job record is durable as soon as the answer arrives.
 * - check-status and downloads are retried by the one retry policy of
 *   tvc_retry.h: network errors, malformed answers and 429/5xx, with
 *   exponential backoff and jitter (1-2 s, 2-4 s ... capped at 60 s, at most
 *   TVC_JOB_MAX_ATTEMPTS in a row); 429/503 honour Retry-After when it fits
 *   the deadline.
 * - Polling follows the learning schedule of tvc_poll_plan.h (sparse while
 *   completion is unlikely, dense around the completion time learnt from
 *   past jobs, 5 s at the densest, the freshness target at the sparsest,
 *   stretched to the request budget, with jitter), or a fixed base interval.
 *   With a journal the history is read at start and written once per job,
 *   when the answer says completed (file "history").
 * - An unknown status value ends the job (TVC_ERR_API_PROTOCOL).
 * - Media URLs that expire: when a media host answers a download with 401,
 *   403, 404 or 410, or with an error page (TVC_ERR_MEDIA_TYPE), check-status
 *   is asked again (at most TVC_JOB_MEDIA_REFRESH times per job).  A new
 *   URL is journalled and downloaded from, keeping the part when the new
 *   URL serves the same file (validator, length: see same_resource in
 *   tvc_download.h) and restarting otherwise; the same URL again ends the
 *   job with the download's error (TVC_ERR_HTTP_STATUS, res.http_status the
 *   media host's status, or TVC_ERR_MEDIA_TYPE), the journal kept for a
 *   resume.
 * - The overall deadline always ends the job, downloads included (their
 *   part files stay for a resume).  The result is TVC_ERR_DEADLINE when the
 *   last thing learnt was that the job was still processing (or a stall
 *   that the deadline cut); when the failures since the last good answer
 *   were malformed answers, server errors or network errors, it is the
 *   latest of those causes instead (e.g. TVC_ERR_JSON, TVC_ERR_HTTP,
 *   TVC_ERR_API with a 5xx in res, TVC_ERR_HTTP_STATUS, TVC_ERR_CONNECT).
 */
#ifndef TVC_JOB_H
#define TVC_JOB_H

#include "tvc_api.h"
#include "tvc_base.h"
#include "tvc_config.h"
#include "tvc_download.h"
#include "tvc_journal.h"
#include "tvc_poll_plan.h"
#include "tvc_retry.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief tvc_job.poll_ms: the fixed adaptive 5-10 s schedule (no learning),
 * starting at 5 s and growing by 0.5 s per poll, with jitter. */
#define TVC_JOB_POLL_ADAPTIVE 1u

/** @brief Events reported to tvc_job.on_event. */
enum tvc_job_event {
    TVC_EV_SUBMITTED = 1, /**< generate accepted: rec.record_id known */
    TVC_EV_STATUS,        /**< a check-status answer arrived (res updated) */
    TVC_EV_WAITING,       /**< backing off / honouring Retry-After / budget */
    TVC_EV_DOWNLOAD,      /**< download progress (dl_have / dl_total) */
    TVC_EV_DONE           /**< files on disk */
};

struct tvc_job {
    /* set by the caller before tvc_job_start_* (zero = default) */
    uint32_t poll_ms;        /**< 0: the learning schedule (tvc_poll_plan.h); TVC_JOB_POLL_ADAPTIVE:
                                  a fixed adaptive 5-10 s; else base interval (jitter +-10%) */
    uint32_t deadline_ms;    /**< 0: TVC_JOB_DEADLINE_MS */
    int per_hour;            /**< request budget; 0: no budget (needs a journal otherwise) */
    void (*on_event)(void *user, const struct tvc_job *j, int event);
    void *user;
    const struct tvc_hash *hash; /**< SHA-256 of downloads (tvc_hash.h); NULL: video_sha256 stays zero */

    /* results */
    struct tvc_job_rec rec;      /**< ids, params, paths, phase (journalled) */
    /** The last API answer.  Its strings point into the job's API work area:
     * they are reset to "" (res_text_gone becomes 1; the numbers stay) as
     * soon as that area is reused, i.e. when the next API call starts and
     * when the download phase takes the storage over.  Copy them in
     * on_event (TVC_EV_SUBMITTED / TVC_EV_STATUS) to keep them. */
    struct tvc_api_result res;
    int res_text_gone;           /**< 1 while res strings are reset (storage reused) */
    int err;                     /**< final error (0 done) */
    uint32_t api_requests;       /**< requests sent to the API host for this job */
    uint8_t video_sha256[32];
    uint64_t video_bytes;
    int have_storyboard_file;
    uint64_t dl_have;
    int64_t dl_total;
    int dl_what;                 /**< 1 storyboard image, 2 video */
    uint32_t wait_reason_ms;     /**< with TVC_EV_WAITING: how long */

    /* private */
    const struct tvc_port *port_;
    struct tvc_http_client *http_;
    struct tvc_journal *journal_;
    union {                          /* one phase at a time shares the storage */
        struct tvc_api api;          /* submit and poll */
        struct tvc_dl dl;            /* the downloads, once the answer said completed */
    } io_;
    int dl_mode_;
    uint8_t in_cb_;                  /* inside on_event */
    uint8_t abort_pending_;          /* tvc_job_abort() from on_event: done as the step returns */
    struct tvc_gen_params params_;   /**< the caller's strings: must outlive the job */
    int st_;
    struct tvc_retry retry_;         /**< the retry policy's state (tvc_retry.h) */
    int gen_sent_;
    uint64_t t0_;
    uint64_t next_;
    uint64_t deadline_;
    uint32_t polls_;
    const char *base_url_;           /* the caller's, for a check-status after the API phase */
    const char *api_key_;
    int refresh_err_;                /* the media refusal that asked for a fresh URL */
    int refresh_status_;
    uint8_t refresh_;                /* 1/2: check-status asked again for the image/video URL */
    uint8_t refreshes_;              /* how many times (TVC_JOB_MEDIA_REFRESH) */
    uint8_t same_res_;               /* a URL was renewed: parts of the old one may be kept */
    uint64_t origin_;                /* when generate was answered (elapsed 0 of the plan) */
    struct tvc_poll_plan plan_;      /* the polling schedule (tvc_poll_plan.h) */
};

/**
 * @brief Prepare a new job: validates @p p (before any traffic) and copies it
 * into the record.  @p journal may be NULL (no persistence, no budget).
 * @p out is the video path ("" or NULL: "tvc-<recordId>.mp4" once known);
 * @p storyboard_out NULL/"" means not wanted.
 * @return 0; TVC_ERR_ARG (a required pointer NULL); TVC_ERR_PORT (see
 *         tvc_port_check()); the errors of tvc_api_validate() (TVC_ERR_ARG,
 *         TVC_ERR_UTF8); TVC_ERR_NOSPACE (@p out, @p storyboard_out or the
 *         reference URL too long for the record, or the generate body
 *         (theme, voiceover, reference URL) or the base URL too large for
 *         TVC_API_BUF: see tvc_api_prepare_generate()).  Without entropy the job
 *         id comes from the clock: no error.
 */
int tvc_job_start_new(struct tvc_job *j, const struct tvc_port *port,
                      struct tvc_http_client *http, struct tvc_journal *journal,
                      const char *base_url, const char *api_key,
                      const struct tvc_gen_params *p, const char *out,
                      const char *storyboard_out);

/**
 * @brief Prepare to follow an existing record (tvc wait) or a journalled one
 * (tvc resume: pass the loaded record; its phase decides where to go on).
 * Never sends generate.
 * @return 0; TVC_ERR_ARG (a required pointer NULL; no record id / task
 *         id); TVC_ERR_PORT (see tvc_port_check()); TVC_ERR_STATE (record
 *         is done, failed, or of unknown outcome).
 */
int tvc_job_start_existing(struct tvc_job *j, const struct tvc_port *port,
                           struct tvc_http_client *http, struct tvc_journal *journal,
                           const char *base_url, const char *api_key,
                           const struct tvc_job_rec *rec);

/**
 * @brief Do the next piece of work.
 *
 * Bounded work: one call makes at most one tvc_api_step() or tvc_dl_step()
 * (so at most one transport receive of at most the I/O buffer, one body-sink
 * call, one part-file write and one bounded hash update: see tvc_http_step()
 * and tvc_dl_step()), or starts one exchange, or makes one journal write or
 * one budget checkpoint at a phase change.  It never sleeps; *sleep_ms 0
 * with TVC_ERR_AGAIN means "more is ready: call again at once".
 * @param wait_ms  longest any one port call may block (0: never block)
 * @param sleep_ms on TVC_ERR_AGAIN: call again after this many ms (0: soon)
 * @return TVC_ERR_AGAIN; 0 done (files on disk); or the final error:
 *         TVC_ERR_API (see j->res.code: LOGIN_REQUIRED, UNAUTHORIZED,
 *         INSUFFICIENT_CREDITS, INVALID_INPUT, REFERENCE_IMAGE_URL_REQUIRED,
 *         RECORD_NOT_FOUND, API_KEY_RATE_LIMIT_EXCEEDED (no room to wait),
 *         INTERNAL_ERROR), TVC_ERR_JOB_FAILED, TVC_ERR_DEADLINE,
 *         TVC_ERR_BUDGET, TVC_ERR_OUTCOME_UNKNOWN, TVC_ERR_API_PROTOCOL,
 *         TVC_ERR_HTTP_STATUS (server error that retries did not cure),
 *         network/TLS/HTTP/JSON errors, TVC_ERR_STORAGE, TVC_ERR_ABORTED
 *         (after tvc_job_abort()).  When the deadline or the attempt limit
 *         ends a run of failed attempts, the result is the latest failure's
 *         cause (see tvc_retry.h), not TVC_ERR_DEADLINE.
 */
int tvc_job_step(struct tvc_job *j, uint32_t wait_ms, uint32_t *sleep_ms);

/**
 * @brief Stop: closes connections and files and gives the unused budget
 * lease back (tvc_budget_release()); the journal keeps the job for resume.
 * A running job's tvc_job_step() then returns TVC_ERR_ABORTED; a job that
 * had already ended keeps its result.  Called from on_event (which runs
 * inside tvc_job_step(), for downloads inside the HTTP client), the stop
 * happens as that tvc_job_step() returns, and it returns TVC_ERR_ABORTED.
 */
void tvc_job_abort(struct tvc_job *j);

#ifdef __cplusplus
}
#endif
#endif /* TVC_JOB_H */
