/*
 * The job engine.  Each call of tvc_job_step() does at most one piece of
 * work (part of an HTTP exchange, a journal write, a download chunk) and
 * returns; waiting between polls is the caller's business, told through
 * *sleep_ms.  See tvc_job.h for the rules it keeps.
 */
#include <string.h>

#include "chars.h"
#include "tvc_job.h"

enum {
    J_IDLE = 0,
    J_SUBMIT_PREP,
    J_SUBMIT,
    J_POLL_PREP,
    J_POLL,
    J_IMG_PREP,
    J_IMG,
    J_VID_PREP,
    J_VID,
    J_END
};

static uint64_t now(const struct tvc_job *j)
{
    return j->port_->now_ms(j->port_->ctx);
}

/* The API client and the download share the job's storage: the API's work
 * area (URL, bodies, answer) is needed only until the answer said
 * "completed", the download only after that. */
/* The answer's strings live in the API's work area: before that area is
 * reused (the next call's URL and body, or the downloads) they become "";
 * the numbers stay. */
static void drop_text(struct tvc_job *j)
{
    j->res.state_raw = j->res.code_raw = j->res.error = j->res.record_id = "";
    j->res.task_id = j->res.step_name = j->res.storyboard_prompt = "";
    j->res.storyboard_image_url = j->res.video_task_progress = j->res.video_url = "";
    j->res_text_gone = 1;
}

static void to_dl_mode(struct tvc_job *j)
{
    if (j->dl_mode_)
        return;
    j->api_requests = j->io_.api.requests;
    drop_text(j);
    memset(&j->io_.dl, 0, sizeof j->io_.dl); /* idle: tvc_dl_abort() is a no-op */
    j->dl_mode_ = 1;
}

static void ev(struct tvc_job *j, int e)
{
    if (!j->dl_mode_)
        j->api_requests = j->io_.api.requests;
    if (j->on_event) {
        /* a tvc_job_abort() from inside waits for the step to unwind */
        j->in_cb_++;
        j->on_event(j->user, j, e);
        j->in_cb_--;
    }
}

static uint32_t rnd(struct tvc_job *j)
{
    uint8_t b[4];
    if (j->port_->entropy(j->port_->ctx, b, sizeof b) != 0)
        return (uint32_t)now(j) * 2654435761u;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* base +- 10%, so a fleet started together does not poll in lock-step. */
static uint32_t jitter10(struct tvc_job *j, uint32_t base)
{
    uint32_t span = base / 5;
    return span ? base - span / 2 + rnd(j) % (span + 1) : base;
}

/* ms since generate was answered: the plan's clock */
static uint32_t elapsed(struct tvc_job *j)
{
    uint64_t t = now(j), e = t > j->origin_ ? t - j->origin_ : 0;
    return e > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)e;
}

static uint32_t poll_interval(struct tvc_job *j)
{
    uint32_t base, t;
    if (j->poll_ms == 0)
        return tvc_poll_plan_next(&j->plan_, elapsed(j), j->per_hour, rnd(j));
    if (j->poll_ms != TVC_JOB_POLL_ADAPTIVE)
        return jitter10(j, j->poll_ms);
    /* The fixed adaptive schedule inside the documented 5-10 s: early
     * answers change fast (steps 1-2), the video step is long, so start at
     * 5 s and slow down. */
    base = 5000u + 500u * (j->polls_ < 8 ? j->polls_ : 8u);
    t = jitter10(j, base);
    if (t < 5000u)
        t = 5000u;
    if (t > 10000u)
        t = 10000u;
    return t;
}

/* The plan starts from the journal's history (none: the documented prior). */
static void plan_start(struct tvc_job *j)
{
    struct tvc_poll_hist h;
    if (!j->journal_ || tvc_poll_hist_load(j->journal_, &h) < 0)
        memset(&h, 0, sizeof h);
    tvc_poll_plan_init(&j->plan_, &h, 0);
}

/* Copy text, cut at a UTF-8 character boundary when it does not fit (so a
 * cut record still passes the journal's UTF-8 check).  NULL copies "". */
static void copy(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

static void journal_save(struct tvc_job *j)
{
    int rc;
    if (!TVC_FEATURE_JOURNAL || !j->journal_)
        return;
    rc = tvc_journal_save(j->journal_, &j->rec);
    if (rc < 0) {
        /* The job goes on: losing the journal must not lose the paid job. */
        copy(j->rec.last_error, sizeof j->rec.last_error, "journal write failed");
    }
}

static void budget_release(struct tvc_job *j);

static void set_last_error(struct tvc_job *j, int rc)
{
    copy(j->rec.last_error, sizeof j->rec.last_error, tvc_strerror(rc));
}

/* End the job with @p rc.  @p retried: the retry policy gave up on trouble
 * it retries (the deadline or the attempt limit ended a run of attempts,
 * and @p rc names their cause); the job may still finish, so it stays
 * resumable whatever the cause. */
static int end_job(struct tvc_job *j, int rc, int retried)
{
    /* A later stalled attempt reset the answer: the status that caused
     * the retries still names the end (a 5xx is a server error, not a
     * network one). */
    if (retried && !j->dl_mode_ && rc == j->retry_.cause && j->retry_.cause_status &&
        !j->res.http_status) {
        j->res.http_status = j->retry_.cause_status;
        /* the contract's only errorCode with a 429 */
        if (rc == TVC_ERR_API && j->res.http_status == 429)
            j->res.code = TVC_API_RATE_LIMIT_EXCEEDED;
    }
    j->err = rc;
    j->st_ = J_END;
    if (j->dl_mode_)
        tvc_dl_abort(&j->io_.dl);
    else
        j->api_requests = j->io_.api.requests;
    tvc_http_client_close(j->http_);
    j->http_->end_by = 0; /* the client may serve others after the job */
    budget_release(j);
    if (rc == 0) {
        j->rec.phase = TVC_PHASE_DONE;
        j->rec.last_error[0] = '\0';
        journal_save(j);
        ev(j, TVC_EV_DONE);
    } else if (j->rec.phase == TVC_PHASE_POLLING || j->rec.phase == TVC_PHASE_DOWNLOADING) {
        int resumable = retried || rc == TVC_ERR_DEADLINE || rc == TVC_ERR_BUDGET ||
                        tvc_err_class(rc) == TVC_CLASS_RETRY ||
                        tvc_err_class(rc) == TVC_CLASS_TRUST ||
                        tvc_err_class(rc) == TVC_CLASS_PROTOCOL || rc == TVC_ERR_STORAGE ||
                        /* an unusable answer (unknown or missing status, wrong
                         * types) says nothing about the job itself */
                        rc == TVC_ERR_API_PROTOCOL ||
                        (rc == TVC_ERR_API && (j->res.code == TVC_API_RATE_LIMIT_EXCEEDED ||
                                               j->res.http_status >= 500)) ||
                        rc == TVC_ERR_HTTP_STATUS || /* server trouble, errorCode or not */
                        rc == TVC_ERR_MEDIA_TYPE;
        if (!resumable)
            j->rec.phase = TVC_PHASE_FAILED;
        set_last_error(j, rc);
        journal_save(j);
    }
    return rc;
}

static int finish(struct tvc_job *j, int rc)
{
    return end_job(j, rc, 0);
}

static int sleep_for(struct tvc_job *j, uint32_t ms, uint32_t *sleep_ms)
{
    j->next_ = now(j) + ms;
    *sleep_ms = ms;
    return TVC_ERR_AGAIN;
}

/* An API exchange never outlives the job's deadline: a stalled answer ends
 * when the deadline does, not TVC_HTTP_IO_TIMEOUT_MS later. */
static void bound_io(struct tvc_job *j)
{
    uint64_t t = now(j);
    uint64_t left = j->deadline_ > t ? j->deadline_ - t : 1;
    j->io_.api.io_timeout_ms = left < TVC_HTTP_IO_TIMEOUT_MS ? (uint32_t)left : 0;
    j->io_.api.connect_timeout_ms = left < TVC_HTTP_CONNECT_TIMEOUT_MS ? (uint32_t)left : 0;
    j->http_->end_by = j->deadline_; /* an answer dripping in never goes silent */
}

/* Take a request from the shared budget.  0: go; TVC_ERR_AGAIN: *wait_ms. */
static int budget(struct tvc_job *j, uint32_t *wait_ms)
{
    int64_t wall, wait_s = 0;
    int rc;
    if (!TVC_FEATURE_BUDGET || !j->journal_ || j->per_hour <= 0 || !j->port_->wall_time)
        return 0;
    wall = j->port_->wall_time(j->port_->ctx);
    if (wall < 0)
        return 0;
    rc = tvc_budget_take(j->journal_, j->per_hour, wall, &wait_s);
    if (rc == TVC_ERR_AGAIN) {
        *wait_ms = wait_s > 3600 ? 3600000u : (uint32_t)(wait_s * 1000);
        return TVC_ERR_AGAIN;
    }
    return 0; /* a broken budget file must not stop the job */
}

/* The job needs no more API requests (polling is over, or the job ended):
 * give the unused part of the budget lease back to other processes.  A
 * no-op, with no storage access, when no lease is held. */
static void budget_release(struct tvc_job *j)
{
    int64_t wall;
    if (!j->journal_ || !j->port_->wall_time)
        return;
    wall = j->port_->wall_time(j->port_->ctx);
    if (wall >= 0)
        (void)tvc_budget_release(j->journal_, wall); /* on failure the lease just expires */
}

/* Wait @p ms, then go to @p next_state. */
static int wait_then(struct tvc_job *j, uint32_t ms, int next_state, uint32_t *sleep_ms)
{
    j->st_ = next_state;
    j->wait_reason_ms = ms;
    ev(j, TVC_EV_WAITING);
    return sleep_for(j, ms, sleep_ms);
}

/* Wait @p ms before @p next_state if the deadline allows; else end with @p rc. */
static int wait_or_end(struct tvc_job *j, uint32_t ms, int next_state, int rc, uint32_t *sleep_ms)
{
    if (now(j) + ms > j->deadline_)
        return finish(j, rc);
    return wait_then(j, ms, next_state, sleep_ms);
}

/* A failed attempt: the retry policy (tvc_retry.h) says wait and go to
 * @p prep again, or gives the final error, which ends the job.  @p err,
 * @p http_status and @p retry_after_s are as tvc_retry_next() takes them. */
static int retry_or_end(struct tvc_job *j, int err, int http_status, int64_t retry_after_s,
                        int prep, uint32_t *sleep_ms)
{
    uint32_t ms = 0, before = j->retry_.failures;
    int rc = tvc_retry_next(&j->retry_, err, http_status, retry_after_s, now(j), rnd(j), &ms);
    if (rc != TVC_ERR_AGAIN) /* counted as a failure: a retried kind the policy gave up on */
        return end_job(j, rc, j->retry_.failures != before);
    return wait_then(j, ms, prep, sleep_ms);
}

/* The deadline passed between attempts: the cause of the latest failure
 * since the last success, else TVC_ERR_DEADLINE. */
static int deadline_end(struct tvc_job *j)
{
    return end_job(j, tvc_retry_end(&j->retry_), 1);
}

/* "" means ./tvc-<recordId>.mp4; a path ending in '/' is a directory to put
 * that name in (the CLI passes its working directory, so a later resume from
 * elsewhere writes to the same place). */
static void default_out(struct tvc_job *j)
{
    static const char pre[] = "tvc-", suf[] = ".mp4";
    size_t i, n = strlen(j->rec.out), cap = sizeof j->rec.out;
    const char *id = j->rec.record_id[0] ? j->rec.record_id : j->rec.task_id;
    if (n && j->rec.out[n - 1] != '/')
        return;
    if (n + sizeof pre + sizeof suf >= cap)
        n = 0; /* no room under that directory: current directory */
    memcpy(j->rec.out + n, pre, sizeof pre - 1);
    n += sizeof pre - 1;
    for (i = 0; id[i] && n + sizeof suf < cap; i++) {
        j->rec.out[n++] = (char)(ch_id(id[i]) ? id[i] : '_');
    }
    memcpy(j->rec.out + n, suf, sizeof suf);
}

static void make_id(struct tvc_job *j)
{
    uint8_t b[16];
    size_t i;
    if (j->port_->entropy(j->port_->ctx, b, sizeof b) != 0) {
        uint32_t x = (uint32_t)now(j);
        for (i = 0; i < sizeof b; i++)
            b[i] = (uint8_t)(x >> (8 * (i % 4))) ^ (uint8_t)i;
    }
    tvc_hex(b, sizeof b, j->rec.id); /* 32 digits and the NUL */
}

static void common_init(struct tvc_job *j, const struct tvc_port *port,
                        struct tvc_http_client *http, struct tvc_journal *journal,
                        const char *base_url, const char *api_key)
{
    j->port_ = port;
    j->http_ = http;
    j->journal_ = TVC_FEATURE_JOURNAL ? journal : NULL;
    j->err = 0;
    j->polls_ = 0;
    j->gen_sent_ = 0;
    tvc_api_result_init(&j->res);
    j->res_text_gone = 0;
    j->dl_mode_ = 0;
    j->in_cb_ = 0;
    j->abort_pending_ = 0;
    tvc_api_init(&j->io_.api, http, base_url, api_key);
    j->base_url_ = base_url;
    j->api_key_ = api_key;
    j->refresh_ = j->refreshes_ = j->same_res_ = 0;
    j->t0_ = now(j);
    j->origin_ = j->t0_;
    j->next_ = j->t0_;
    j->deadline_ = j->t0_ + (j->deadline_ms ? j->deadline_ms : TVC_JOB_DEADLINE_MS);
    tvc_retry_init(&j->retry_, j->deadline_, TVC_JOB_MAX_ATTEMPTS);
}

int tvc_job_start_new(struct tvc_job *j, const struct tvc_port *port,
                      struct tvc_http_client *http, struct tvc_journal *journal,
                      const char *base_url, const char *api_key,
                      const struct tvc_gen_params *p, const char *out,
                      const char *storyboard_out)
{
    int rc;
    if (!j || !port || !http || !base_url || !api_key || !p)
        return TVC_ERR_ARG;
    rc = tvc_port_check(port);
    if (rc < 0)
        return rc;
    rc = tvc_api_validate(p, NULL);
    if (rc < 0)
        return rc;
    if ((out && strlen(out) >= sizeof j->rec.out) ||
        (storyboard_out && strlen(storyboard_out) >= sizeof j->rec.storyboard_out) ||
        (p->reference_url && strlen(p->reference_url) >= TVC_URL_MAX))
        return TVC_ERR_NOSPACE; /* the record keeps only a label of the URL */
    common_init(j, port, http, journal, base_url, api_key);
    /* the body must fit the work area: known now, not after the journal
     * and the budget were touched */
    rc = tvc_api_prepare_generate(&j->io_.api, p);
    if (rc < 0) {
        j->st_ = J_IDLE;
        return rc;
    }
    memset(&j->rec, 0, sizeof j->rec);
    make_id(j);
    j->rec.phase = TVC_PHASE_SUBMITTING;
    copy(j->rec.ad_theme, sizeof j->rec.ad_theme, p->ad_theme);
    copy(j->rec.voiceover, sizeof j->rec.voiceover, p->voiceover);
    copy(j->rec.reference_url, sizeof j->rec.reference_url, p->reference_url); /* a label */
    j->rec.duration = p->duration ? p->duration : 10;
    j->rec.landscape = p->landscape;
    copy(j->rec.out, sizeof j->rec.out, out);
    copy(j->rec.storyboard_out, sizeof j->rec.storyboard_out, storyboard_out);
    j->rec.created_unix = port->wall_time ? port->wall_time(port->ctx) : -1;
    j->params_ = *p;
    plan_start(j);
    j->st_ = J_SUBMIT_PREP;
    return 0;
}

int tvc_job_start_existing(struct tvc_job *j, const struct tvc_port *port,
                           struct tvc_http_client *http, struct tvc_journal *journal,
                           const char *base_url, const char *api_key,
                           const struct tvc_job_rec *rec)
{
    int rc;
    if (!j || !port || !http || !base_url || !api_key || !rec)
        return TVC_ERR_ARG;
    rc = tvc_port_check(port);
    if (rc < 0)
        return rc;
    if (!rec->record_id[0] && !rec->task_id[0])
        return TVC_ERR_ARG;
    if (rec->phase != TVC_PHASE_POLLING && rec->phase != TVC_PHASE_DOWNLOADING)
        return TVC_ERR_STATE;
    if (rec->phase == TVC_PHASE_DOWNLOADING && !rec->video_url[0])
        return TVC_ERR_STATE;
    common_init(j, port, http, journal, base_url, api_key);
    if (&j->rec != rec)
        j->rec = *rec;
    if (!j->rec.id[0])
        make_id(j);
    default_out(j);
    plan_start(j);
    if (j->rec.created_unix >= 0 && port->wall_time) { /* the plan counts from creation */
        int64_t age = port->wall_time(port->ctx) - j->rec.created_unix;
        if (age > 0 && (uint64_t)age * 1000u < j->t0_)
            j->origin_ = j->t0_ - (uint64_t)age * 1000u;
    }
    j->st_ = j->rec.phase == TVC_PHASE_POLLING ? J_POLL_PREP : J_IMG_PREP;
    return 0;
}

void tvc_job_abort(struct tvc_job *j)
{
    if (!j || !j->port_)
        return;
    if (j->in_cb_) {
        /* Called from on_event, deep inside a step (a download's progress
         * comes from within the HTTP client): closing now would pull the
         * connection from under it.  tvc_job_step() aborts on its way out. */
        j->abort_pending_ = 1;
        return;
    }
    j->abort_pending_ = 0;
    if (j->dl_mode_)
        tvc_dl_abort(&j->io_.dl);
    tvc_http_client_close(j->http_);
    j->http_->end_by = 0;
    budget_release(j);
    if (j->st_ != J_END)
        j->err = TVC_ERR_ABORTED; /* a later step must not report 0, "done" */
    j->st_ = J_END;
}

/* generate provably never left, or was refused outright with 429/503 (no
 * record made): retry as the policy allows; when giving up, forget the
 * in-flight marker (there is nothing to be unsure about). */
static int submit_not_sent(struct tvc_job *j, int rc, int http_status, uint32_t *sleep_ms)
{
    int out = retry_or_end(j, rc, http_status, j->res.retry_after_s, J_SUBMIT_PREP, sleep_ms);
    if (out != TVC_ERR_AGAIN && j->journal_)
        tvc_journal_remove(j->journal_, j->rec.id);
    return out;
}

/* generate went out and no usable answer came back: the service may have
 * created (and charged) the job.  Never re-sent; recorded as unknown, the
 * cause kept in last_error. */
static int submit_unknown(struct tvc_job *j, int cause)
{
    j->rec.phase = TVC_PHASE_UNKNOWN;
    set_last_error(j, cause);
    journal_save(j);
    return finish(j, TVC_ERR_OUTCOME_UNKNOWN);
}

/* generate: the one request that must never be sent twice. */
static int step_submit(struct tvc_job *j, uint32_t wait_ms, uint32_t *sleep_ms)
{
    int rc = tvc_api_step(&j->io_.api, wait_ms, &j->res);
    int status = j->res.http_status;

    j->api_requests = j->io_.api.requests;
    if (rc == TVC_ERR_AGAIN) {
        *sleep_ms = 0;
        return TVC_ERR_AGAIN;
    }
    j->res_text_gone = 0; /* res is this call's answer (or reset by its failure) */
    if (rc < 0) {
        /* Any failure once a byte went out (reset, stall, truncated or
         * unreadable answer) leaves the outcome unknown. */
        if (j->http_->request_bytes_out)
            return submit_unknown(j, rc);
        return submit_not_sent(j, rc, 0, sleep_ms);
    }
    if (status >= 200 && status < 300 && j->res.success != 0 && j->res.state != TVC_STATE_FAILED) {
        if (!j->res.record_id[0] && !j->res.task_id[0])
            return submit_unknown(j, TVC_ERR_API_PROTOCOL);
        copy(j->rec.record_id, sizeof j->rec.record_id, j->res.record_id);
        copy(j->rec.task_id, sizeof j->rec.task_id, j->res.task_id);
        copy(j->rec.image_url, sizeof j->rec.image_url, j->res.storyboard_image_url);
        default_out(j);
        j->rec.phase = TVC_PHASE_POLLING;
        j->origin_ = now(j);
        journal_save(j);
        tvc_retry_ok(&j->retry_);
        ev(j, TVC_EV_SUBMITTED);
        j->st_ = J_POLL_PREP;
        return sleep_for(j, poll_interval(j), sleep_ms);
    }
    if (status == 429 || status == 503)
        /* Refused outright: no record exists, so asking again is no double
         * charge.  Wait as told when the deadline allows. */
        return submit_not_sent(j, j->res.code != TVC_API_NONE ? TVC_ERR_API : TVC_ERR_HTTP_STATUS,
                               status, sleep_ms);
    /* A 5xx that is not the API's own error (a proxy's 502/504 page) says
     * nothing about whether the origin created the job. */
    if (status >= 500 && j->res.code == TVC_API_NONE)
        return submit_unknown(j, TVC_ERR_HTTP_STATUS);
    /* Refused with an error: nothing was created. */
    if (j->journal_)
        tvc_journal_remove(j->journal_, j->rec.id);
    if (j->res.code == TVC_API_GENERATION_FAILED || j->res.state == TVC_STATE_FAILED)
        return finish(j, TVC_ERR_JOB_FAILED);
    return finish(j, j->res.code != TVC_API_NONE ? TVC_ERR_API : TVC_ERR_HTTP_STATUS);
}

/* The answer to a check-status asked again because a media host refused a
 * URL: go on from a new URL, or end with the refusal when it is the same. */
static int refreshed(struct tvc_job *j, uint32_t *sleep_ms)
{
    int img = j->refresh_ == 1;
    const char *url = img ? j->res.storyboard_image_url : j->res.video_url;

    j->refresh_ = 0;
    if (j->res.state != TVC_STATE_COMPLETED || !url[0] || strlen(url) >= TVC_URL_MAX ||
        tvc_ch_streq(url, img ? j->rec.image_url : j->rec.video_url)) {
        j->res.http_status = j->refresh_status_; /* the media host's refusal */
        return finish(j, j->refresh_err_);
    }
    if (j->res.storyboard_image_url[0])
        copy(j->rec.image_url, sizeof j->rec.image_url, j->res.storyboard_image_url);
    if (j->res.video_url[0])
        copy(j->rec.video_url, sizeof j->rec.video_url, j->res.video_url);
    journal_save(j); /* a resume starts from the new URL */
    j->same_res_ = 1;
    j->st_ = img ? J_IMG_PREP : J_VID_PREP;
    *sleep_ms = 0;
    return TVC_ERR_AGAIN;
}

/* The answer said completed: keep the service's generation time, else (for
 * a job this process submitted and followed from its start) when it was
 * seen done.  A time over TVC_POLL_LEARN_MAX_S (a job resumed much later,
 * a bogus answer) would only widen every later window: not kept. */
static void learn(struct tvc_job *j)
{
    int64_t g = j->res.generation_time_ms;
    if (g < 0 && j->gen_sent_)
        g = elapsed(j);
    if (g < 0 || g > (int64_t)TVC_POLL_LEARN_MAX_S * 1000)
        return;
    tvc_poll_plan_learn(&j->plan_, (uint32_t)g);
    if (j->journal_)
        (void)tvc_poll_hist_save(j->journal_, &j->plan_.hist); /* a hint: failure is harmless */
}

static int step_poll(struct tvc_job *j, uint32_t wait_ms, uint32_t *sleep_ms)
{
    int rc = tvc_api_step(&j->io_.api, wait_ms, &j->res);
    int status = j->res.http_status;

    j->api_requests = j->io_.api.requests;
    if (rc == TVC_ERR_AGAIN) {
        *sleep_ms = 0;
        return TVC_ERR_AGAIN;
    }
    j->res_text_gone = 0; /* res is this call's answer (or reset by its failure) */
    if (rc < 0) {
        /* An answer too large even squeezed cannot be read: for the
         * policy it is a malformed answer, retried as one. */
        if (rc == TVC_ERR_NOSPACE)
            rc = TVC_ERR_API_PROTOCOL;
        return retry_or_end(j, rc, 0, -1, J_POLL_PREP, sleep_ms);
    }
    j->polls_++;
    ev(j, TVC_EV_STATUS);
    if (j->res.code == TVC_API_GENERATION_FAILED || j->res.state == TVC_STATE_FAILED)
        return finish(j, TVC_ERR_JOB_FAILED); /* finish() journals phase failed */
    if (status < 200 || status >= 300)
        /* 429 and 5xx are retried (429/503 after their Retry-After); any
         * other status ends the job at once. */
        return retry_or_end(j, j->res.code != TVC_API_NONE ? TVC_ERR_API : TVC_ERR_HTTP_STATUS,
                            status, j->res.retry_after_s, J_POLL_PREP, sleep_ms);
    tvc_retry_ok(&j->retry_);
    if (j->refresh_)
        return refreshed(j, sleep_ms);
    if (j->res.storyboard_image_url[0])
        copy(j->rec.image_url, sizeof j->rec.image_url, j->res.storyboard_image_url);
    tvc_poll_plan_seen(&j->plan_, elapsed(j), j->res.current_step);
    if (j->res.state == TVC_STATE_PROCESSING) {
        /* never sleep past the deadline: it is reported when it comes */
        uint64_t t = now(j);
        uint32_t ms = poll_interval(j);
        if (j->deadline_ > t && j->deadline_ - t < ms)
            ms = (uint32_t)(j->deadline_ - t);
        j->st_ = J_POLL_PREP;
        return sleep_for(j, ms, sleep_ms);
    }
    if (j->res.success == 0 && j->res.code != TVC_API_NONE)
        return finish(j, TVC_ERR_API); /* refused with the API's own error */
    if (j->res.state == TVC_STATE_COMPLETED) {
        if (!j->res.video_url[0])
            return finish(j, TVC_ERR_API_PROTOCOL);
        copy(j->rec.video_url, sizeof j->rec.video_url, j->res.video_url);
        j->rec.phase = TVC_PHASE_DOWNLOADING;
        budget_release(j); /* downloads do not count against the budget */
        journal_save(j);
        learn(j);
        j->st_ = J_IMG_PREP;
        *sleep_ms = 0;
        return TVC_ERR_AGAIN;
    }
    return finish(j, TVC_ERR_API_PROTOCOL); /* unknown or missing status */
}

static void dl_progress(void *user, uint64_t have, int64_t total)
{
    struct tvc_job *j = user;
    j->dl_have = have;
    j->dl_total = total;
    ev(j, TVC_EV_DOWNLOAD);
}

static int dl_begin(struct tvc_job *j, const char *url, const char *path, int what, int next)
{
    uint64_t t = now(j);
    uint64_t left = j->deadline_ > t ? j->deadline_ - t : 1;
    int rc;
    to_dl_mode(j);
    j->io_.dl.progress = dl_progress;
    j->io_.dl.progress_user = j;
    j->io_.dl.hash = j->hash;
    j->io_.dl.same_resource = j->same_res_;
    /* a stalled transfer ends by the job's deadline too */
    j->io_.dl.io_timeout_ms = left < TVC_HTTP_IO_TIMEOUT_MS ? (uint32_t)left : 0;
    j->io_.dl.connect_timeout_ms = left < TVC_HTTP_CONNECT_TIMEOUT_MS ? (uint32_t)left : 0;
    rc = tvc_dl_start(&j->io_.dl, j->http_, j->port_, url, path);
    if (rc < 0)
        return rc;
    j->dl_what = what;
    j->dl_have = 0;
    j->dl_total = -1;
    j->st_ = next;
    return 0;
}

/* A media host's "not (or no longer) for you": the URL may have expired. */
static int media_refused(int rc, int status)
{
    return rc == TVC_ERR_MEDIA_TYPE ||
           (rc == TVC_ERR_HTTP_STATUS &&
            (status == 401 || status == 403 || status == 404 || status == 410));
}

/* Ask check-status again for a fresh media URL, within the bound. */
static int refresh(struct tvc_job *j, int rc, uint32_t *sleep_ms)
{
    int status = j->io_.dl.http_status;

    if (j->refreshes_ >= TVC_JOB_MEDIA_REFRESH) {
        j->res.http_status = status;
        return finish(j, rc);
    }
    j->refreshes_++;
    j->refresh_ = (uint8_t)j->dl_what;
    j->refresh_err_ = rc;
    j->refresh_status_ = status;
    /* the storage goes back to the API client (the part file stays) */
    tvc_dl_abort(&j->io_.dl);
    tvc_http_client_close(j->http_);
    tvc_api_init(&j->io_.api, j->http_, j->base_url_, j->api_key_);
    j->io_.api.requests = j->api_requests;
    j->dl_mode_ = 0;
    j->st_ = J_POLL_PREP;
    *sleep_ms = 0;
    return TVC_ERR_AGAIN;
}

static int dl_step(struct tvc_job *j, uint32_t wait_ms, uint32_t *sleep_ms, int prep, int next)
{
    int rc;
    if (now(j) >= j->deadline_)
        return deadline_end(j); /* the part file stays for resume */
    rc = tvc_dl_step(&j->io_.dl, wait_ms);
    if (rc == TVC_ERR_AGAIN) {
        *sleep_ms = 0;
        return TVC_ERR_AGAIN;
    }
    if (rc == 0) {
        tvc_retry_ok(&j->retry_);
        j->st_ = next;
        *sleep_ms = 0;
        return TVC_ERR_AGAIN;
    }
    if (media_refused(rc, j->io_.dl.http_status))
        return refresh(j, rc, sleep_ms);
    /* Downloads are idempotent: retry (resuming the part file) on network
     * trouble, truncation and 429/5xx; the policy gives up on trust,
     * storage and other statuses.  As for polls, a stall cut at the
     * deadline is the deadline. */
    return retry_or_end(j, rc, rc == TVC_ERR_HTTP_STATUS ? j->io_.dl.http_status : 0, -1, prep,
                        sleep_ms);
}

static int step(struct tvc_job *j, uint32_t wait_ms, uint32_t *sleep_ms);

int tvc_job_step(struct tvc_job *j, uint32_t wait_ms, uint32_t *sleep_ms)
{
    uint32_t dummy;
    int rc;

    if (!sleep_ms)
        sleep_ms = &dummy;
    rc = step(j, wait_ms, sleep_ms);
    if (j && j->abort_pending_) {
        tvc_job_abort(j); /* asked for from on_event during this step */
        *sleep_ms = 0;
        return j->err;
    }
    return rc;
}

static int step(struct tvc_job *j, uint32_t wait_ms, uint32_t *sleep_ms)
{
    uint32_t w = 0;
    uint64_t t;
    int rc;

    *sleep_ms = 0;
    if (!j || !j->port_)
        return TVC_ERR_ARG;
    if (j->st_ == J_END)
        return j->err;
    t = now(j);
    if (t < j->next_) {
        *sleep_ms = (uint32_t)(j->next_ - t);
        return TVC_ERR_AGAIN;
    }
    switch (j->st_) {
    case J_SUBMIT_PREP:
        if (t >= j->deadline_)
            return deadline_end(j);
        if (budget(j, &w) == TVC_ERR_AGAIN)
            return wait_or_end(j, w, J_SUBMIT_PREP, TVC_ERR_BUDGET, sleep_ms);
        if (TVC_FEATURE_JOURNAL && j->journal_ && !j->gen_sent_) {
            rc = tvc_journal_mark_inflight(j->journal_, &j->rec);
            if (rc < 0)
                return finish(j, rc); /* nothing sent: safe to stop */
        }
        bound_io(j);
        drop_text(j);
        rc = tvc_api_start_generate(&j->io_.api, &j->params_);
        if (rc < 0) /* e.g. DNS failure: nothing was sent */
            return submit_not_sent(j, rc, 0, sleep_ms);
        j->gen_sent_ = 1;
        j->st_ = J_SUBMIT;
        return TVC_ERR_AGAIN;
    case J_SUBMIT:
        return step_submit(j, wait_ms, sleep_ms);
    case J_POLL_PREP:
        if (t >= j->deadline_)
            return deadline_end(j);
        if (budget(j, &w) == TVC_ERR_AGAIN)
            return wait_or_end(j, w, J_POLL_PREP, TVC_ERR_BUDGET, sleep_ms);
        bound_io(j);
        drop_text(j);
        rc = tvc_api_start_status(&j->io_.api, j->rec.record_id[0] ? j->rec.record_id : NULL,
                                  j->rec.task_id[0] ? j->rec.task_id : NULL);
        if (rc < 0)
            return retry_or_end(j, rc, 0, -1, J_POLL_PREP, sleep_ms);
        j->st_ = J_POLL;
        return TVC_ERR_AGAIN;
    case J_POLL:
        return step_poll(j, wait_ms, sleep_ms);
    case J_IMG_PREP:
        if (!j->rec.storyboard_out[0] || !j->rec.image_url[0]) {
            j->st_ = J_VID_PREP;
            return TVC_ERR_AGAIN;
        }
        rc = dl_begin(j, j->rec.image_url, j->rec.storyboard_out, 1, J_IMG);
        return rc < 0 ? retry_or_end(j, rc, 0, -1, J_IMG_PREP, sleep_ms) : TVC_ERR_AGAIN;
    case J_IMG:
        rc = dl_step(j, wait_ms, sleep_ms, J_IMG_PREP, J_VID_PREP);
        if (rc == TVC_ERR_AGAIN && j->st_ == J_VID_PREP)
            j->have_storyboard_file = 1;
        return rc;
    case J_VID_PREP:
        default_out(j);
        rc = dl_begin(j, j->rec.video_url, j->rec.out, 2, J_VID);
        return rc < 0 ? retry_or_end(j, rc, 0, -1, J_VID_PREP, sleep_ms) : TVC_ERR_AGAIN;
    case J_VID:
        rc = dl_step(j, wait_ms, sleep_ms, J_VID_PREP, J_END);
        if (rc == TVC_ERR_AGAIN && j->st_ == J_END) {
            memcpy(j->video_sha256, j->io_.dl.sha256, sizeof j->video_sha256);
            j->video_bytes = j->io_.dl.bytes;
            return finish(j, 0);
        }
        return rc;
    default:
        return TVC_ERR_STATE;
    }
}
