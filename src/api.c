/*
 * The two API calls and the decoding of their answers.
 *
 * Decoding is lenient where the page is vague (any field may be absent,
 * null, reordered, of a slightly different type, or joined by unknown ones)
 * and strict where a wrong value would do harm: a string that did not fit,
 * or that the squeezer may have cut, is left empty rather than used
 * half (a cut URL must never be fetched); only storyboardPrompt and error
 * are kept cut, flagged in `truncated`.
 *
 * Calls are never redirected: a POST that carries the key is not replayed
 * to wherever a Location points; a 3xx comes back as an answer whose
 * http_status says so.  generate runs on a fresh connection and is not
 * re-sent by the HTTP layer once any byte went out (it costs credits and
 * has no idempotency key); check-status may be re-sent.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "tvc_api.h"
#include "chars.h"

/* struct tvc_api.generate_: which call is running. */
enum { CALL_NONE = 0, CALL_STATUS = 1, CALL_GENERATE = 2 };

static const char *const code_names[] = {
    "", "LOGIN_REQUIRED", "API_KEY_RATE_LIMIT_EXCEEDED", "INSUFFICIENT_CREDITS",
    "INVALID_INPUT", "REFERENCE_IMAGE_URL_REQUIRED", "GENERATION_FAILED",
    "RECORD_NOT_FOUND", "UNAUTHORIZED", "INTERNAL_ERROR"};

#define NCODES ((int)(sizeof code_names / sizeof code_names[0]))

int tvc_api_code_from(const char *s, size_t len)
{
    int i;

    if (s == NULL || len == 0)
        return TVC_API_NONE;
    for (i = 1; i < NCODES; i++)
        if (strlen(code_names[i]) == len && memcmp(code_names[i], s, len) == 0)
            return i;
    return TVC_API_OTHER;
}

const char *tvc_api_code_name(int code)
{
    if (code == TVC_API_OTHER)
        return "OTHER";
    if (code < 0 || code >= NCODES)
        return "";
    return code_names[code];
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */

enum {
    F_NUMBER = 1,   /* a number is accepted too, as its literal text */
    F_DIGITS = 2,   /* ... but only a plain run of digits (ids) */
    F_KEEP_CUT = 4  /* a cut value is kept (and flagged) rather than dropped */
};

static void reset(struct tvc_api_result *r, int http_status);

void tvc_api_result_init(struct tvc_api_result *r)
{
    if (r != NULL)
        reset(r, 0);
}

static void reset(struct tvc_api_result *r, int http_status)
{
    memset(r, 0, sizeof *r);
    r->http_status = http_status;
    r->success = -1;
    r->state = TVC_STATE_NONE;
    r->code = TVC_API_NONE;
    r->current_step = -1;
    r->generation_time_ms = -1;
    r->required_credits = -1;
    r->retry_after_s = -1;
    r->state_raw = r->code_raw = r->error = r->record_id = r->task_id = r->step_name = "";
    r->storyboard_prompt = r->storyboard_image_url = r->video_task_progress = r->video_url = "";
}

/* 1..18 digits and nothing else (so the value fits int64_t): the value, else -1 */
static int64_t digits_value(const char *s, size_t n)
{
    uint64_t v;

    return n > 0 && n <= 18 && ch_dec(s, n, UINT64_MAX, &v) == n ? (int64_t)v : -1;
}

/* The body text of token @p v, writable: tvc_api_decode() owns its body. */
static char *raw_text(const struct tvc_json *j, int v, struct tvc_slice *raw)
{
    if (tvc_json_raw(j, v, raw) != 0)
        return NULL;
    return (char *)(uintptr_t)raw->p;
}

/* The escaped text holds \u0000.  Every member kept is a C string, which
 * would end there and silently read shorter (issue 9): such a string is
 * refused like one with a lone surrogate, wherever the escape stands, cut
 * off or not. */
static int has_nul_escape(struct tvc_slice raw)
{
    size_t i = 0;
    while (i + 1 < raw.len) {
        if (raw.p[i] != '\\') {
            i++;
            continue;
        }
        if (raw.p[i + 1] == 'u' && i + 6 <= raw.len && raw.p[i + 2] == '0' &&
            raw.p[i + 3] == '0' && raw.p[i + 4] == '0' && raw.p[i + 5] == '0')
            return 1;
        i += 2;
    }
    return 0;
}

/*
 * A text member, kept where it stands in the body: unescaped in place and
 * NUL-terminated (on the closing quote, or inside the string when cut, or on
 * the delimiter after a number).  Absent, null, a wrong type or a bad string
 * gives "" (so does a \u0000 anywhere in it).  A value longer than cap - 1
 * bytes is kept cut only with
 * F_KEEP_CUT (flag @p cut_bit); otherwise it is dropped and flagged OTHER.
 * So is one the squeezer may have cut: it reported cutting some "other"
 * string and this one's escaped form is as long as a cut leaves it.
 * @return 1 when *out holds a value; 0 when it is empty; -1 when a value was
 *         there but dropped as cut.
 */
static int text(const struct tvc_json *j, const char *key, const char **out, size_t cap,
                unsigned flags, unsigned cut_bit, unsigned sq, struct tvc_api_result *r)
{
    struct tvc_slice raw;
    int v = tvc_json_find(j, 0, key), kind, rc;
    char *p;

    *out = "";
    if (v < 0 || (p = raw_text(j, v, &raw)) == NULL)
        return 0;
    kind = tvc_json_kind(j, v);
    if (kind == TVC_JSON_NUMBER && (flags & F_NUMBER)) {
        if ((flags & F_DIGITS) && ch_dec(raw.p, raw.len, 0, &(uint64_t){0}) != raw.len)
            return 0;
        if (raw.len >= cap) {
            r->truncated |= TVC_TRUNC_OTHER;
            return -1;
        }
        /* a number inside an object is always followed by a delimiter,
         * which no later look-up reads */
        p[raw.len] = '\0';
        *out = p;
        return 1;
    }
    if (kind != TVC_JSON_STRING) {
        r->truncated &= ~cut_bit; /* what the squeeze cut is not this value */
        return 0;
    }
    /* the closing quote is the last byte the unescaped text may need */
    rc = has_nul_escape(raw) ? TVC_ERR_JSON_ESCAPE
                             : tvc_json_string(j, v, p, cap < raw.len + 1 ? cap : raw.len + 1, NULL);
    if (rc == TVC_ERR_NOSPACE || (rc == 0 && !(flags & F_KEEP_CUT) &&
                                  (sq & TVC_TRUNC_OTHER) && raw.len + 12 > TVC_API_STR_MAX)) {
        if (flags & F_KEEP_CUT) {
            r->truncated |= cut_bit;
            *out = p;
            return 1;
        }
        r->truncated |= TVC_TRUNC_OTHER;
        return -1;
    }
    if (rc != 0) {
        r->truncated &= ~cut_bit; /* errors win over truncation: not "cut", invalid */
        return 0;
    }
    *out = p;
    return p[0] != '\0';
}

/* "180", "180.5": seconds to ms (half up at the fourth decimal), exactly. */
static int decimal_ms(const char *s, size_t n, int64_t *ms)
{
    size_t i = 0, ni = 0, nf = 0;
    int64_t whole = 0, frac = 0;
    int round_up = 0;

    while (i < n && s[i] >= '0' && s[i] <= '9') {
        if (++ni > 15) /* keeps ms far from INT64_MAX */
            return 0;
        whole = whole * 10 + (s[i++] - '0');
    }
    if (ni == 0)
        return 0;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (nf < 3)
                frac = frac * 10 + (s[i] - '0');
            else if (nf == 3)
                round_up = s[i] >= '5';
            nf++;
            i++;
        }
        if (nf == 0)
            return 0;
    }
    if (i != n)
        return 0;
    for (; nf < 3; nf++)
        frac *= 10;
    *ms = whole * 1000 + frac + round_up;
    return 1;
}

/* A numeric member: a number, or a string holding one. */
static int number_text(const struct tvc_json *j, int v, char *tmp, size_t cap,
                       struct tvc_slice *txt)
{
    int kind = tvc_json_kind(j, v);
    size_t n;

    if (kind == TVC_JSON_NUMBER)
        return tvc_json_raw(j, v, txt) == 0;
    if (kind == TVC_JSON_STRING && tvc_json_string(j, v, tmp, cap, &n) == 0) {
        txt->p = tmp;
        txt->len = n;
        return 1;
    }
    return 0;
}

static void generation_time(const struct tvc_json *j, struct tvc_api_result *r)
{
    char tmp[32];
    struct tvc_slice t;
    int64_t ms;
    int v = tvc_json_find(j, 0, "generationTime");

    if (v < 0 || !number_text(j, v, tmp, sizeof tmp, &t))
        return;
    if (decimal_ms(t.p, t.len, &ms)) {
        r->generation_time_ms = ms;
        return;
    }
    /* exponent forms; negative and absurd values stay "absent" */
    if (tvc_json_kind(j, v) == TVC_JSON_NUMBER && tvc_json_fixed(j, v, 3, &ms) == 0 &&
        ms >= 0 && ms < INT64_C(1000000000000000000))
        r->generation_time_ms = ms;
}

/* A whole number >= 0 (a number, or a string of digits); -1 otherwise. */
static int64_t count(const struct tvc_json *j, const char *key, int64_t max)
{
    char tmp[32];
    struct tvc_slice t;
    int64_t x = 0;
    int v = tvc_json_find(j, 0, key);

    if (v < 0)
        return -1;
    if (tvc_json_kind(j, v) == TVC_JSON_NUMBER)
        return tvc_json_int(j, v, &x) == 0 && x >= 0 && x <= max ? x : -1;
    if (!number_text(j, v, tmp, sizeof tmp, &t))
        return -1;
    x = digits_value(t.p, t.len);
    return x <= max ? x : -1;
}

/* The plain text members tvc_api_decode() keeps (each value is unescaped in
 * its own place, so the order does not matter).  Every cap fits 16 bits:
 * tvc_config.h stops larger ones. */
struct text_field {
    const char *key;
    unsigned short off, cap;
    unsigned char flags, cut_bit;
};

#define TF(key, field, cap, flags, cut) \
    { key, offsetof(struct tvc_api_result, field), cap, flags, cut }
static const struct text_field texts[] = {
    TF("error", error, TVC_API_ERROR_MAX, F_KEEP_CUT, TVC_TRUNC_ERROR),
    TF("recordId", record_id, TVC_ID_MAX, F_NUMBER | F_DIGITS, 0),
    TF("taskId", task_id, TVC_ID_MAX, F_NUMBER | F_DIGITS, 0),
    TF("stepName", step_name, TVC_API_STEP_MAX, 0, 0),
    TF("storyboardPrompt", storyboard_prompt, TVC_API_PROMPT_MAX, F_KEEP_CUT, TVC_TRUNC_PROMPT),
    TF("storyboardImageUrl", storyboard_image_url, TVC_URL_MAX, 0, 0),
    TF("videoTaskProgress", video_task_progress, TVC_API_PROGRESS_MAX, F_NUMBER, 0),
    TF("videoUrl", video_url, TVC_URL_MAX, 0, 0),
};

static int is_2xx(int status)
{
    return status >= 200 && status <= 299;
}

int tvc_api_decode(char *body, size_t len, int http_status, unsigned truncated,
                   struct tvc_json_tok *toks, unsigned ntok, struct tvc_api_result *out)
{
    struct tvc_json j;
    int n, v, ok = is_2xx(http_status);
    unsigned sq = truncated;

    if (out == NULL)
        return TVC_ERR_ARG;
    reset(out, http_status);
    if (toks == NULL || ntok == 0 || (body == NULL && len != 0))
        return TVC_ERR_ARG;
    /* An error page (HTML from a proxy, ...) need not be JSON at all. */
    n = tvc_json_parse(&j, body != NULL ? body : "", len, toks, ntok);
    if (n < 0) {
        if (!ok)
            return 0;
        return n == TVC_ERR_JSON_TOKENS ? n : TVC_ERR_JSON; /* AGAIN: cut short */
    }
    if (tvc_json_kind(&j, 0) != TVC_JSON_OBJECT)
        return ok ? TVC_ERR_JSON_TYPE : 0;

    out->truncated = sq & (TVC_TRUNC_PROMPT | TVC_TRUNC_ERROR);

    v = tvc_json_find(&j, 0, "success");
    if (v >= 0 && tvc_json_kind(&j, v) == TVC_JSON_TRUE)
        out->success = 1;
    else if (v >= 0 && tvc_json_kind(&j, v) == TVC_JSON_FALSE)
        out->success = 0;

    v = tvc_json_find(&j, 0, "status");
    if (v >= 0 && tvc_json_kind(&j, v) == TVC_JSON_STRING) {
        /* compare before the text is unescaped in place */
        int st = tvc_json_string_eq(&j, v, "processing")  ? TVC_STATE_PROCESSING
                 : tvc_json_string_eq(&j, v, "completed") ? TVC_STATE_COMPLETED
                 : tvc_json_string_eq(&j, v, "failed")    ? TVC_STATE_FAILED
                                                          : TVC_STATE_OTHER;
        if (text(&j, "status", &out->state_raw, TVC_API_STATE_MAX, F_KEEP_CUT, 0, 0, out) > 0)
            out->state = st; /* state_raw is kept cut to fit */
    }

    n = text(&j, "errorCode", &out->code_raw, TVC_API_CODE_MAX, 0, 0, sq, out);
    if (n > 0)
        out->code = tvc_api_code_from(out->code_raw, strlen(out->code_raw));
    else if (n < 0)
        out->code = TVC_API_OTHER; /* there, but too long to be one we know */

    for (n = 0; n < (int)(sizeof texts / sizeof texts[0]); n++) {
        const struct text_field *f = &texts[n];
        text(&j, f->key, (const char **)(void *)((char *)out + f->off), f->cap, f->flags,
             f->cut_bit, sq, out);
    }
    out->current_step = (int)count(&j, "currentStep", INT_MAX);
    generation_time(&j, out);
    out->required_credits = count(&j, "requiredCredits", INT64_MAX);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Exchanges                                                           */

void tvc_api_init(struct tvc_api *a, struct tvc_http_client *http, const char *base_url,
                  const char *api_key)
{
    if (a == NULL)
        return;
    memset(a, 0, sizeof *a);
    a->http = http;
    a->base_url = base_url;
    a->api_key = api_key;
    a->retry_after_ = -1;
    a->generate_ = CALL_NONE;
}

/* Tokens the answer keeps room for however long it is: more than any answer
 * of the contract needs (its flat objects take about 30). */
#define MIN_TOKENS 40u
/* Room an answer has at the least (bytes, squeezed). */
#define MIN_ANSWER 512u

/* The URL goes first in the work area and stays there for the whole call
 * (the HTTP client reads it on every hop and re-send). */
static int build_url(struct tvc_api *a, const char *path)
{
    size_t b = strlen(a->base_url), p = strlen(path);

    while (b > 0 && a->base_url[b - 1] == '/')
        b--;
    /* the rest must hold the tokens kept free and a useful answer */
    if (b + p + 1 > sizeof a->buf_ / 2 ||
        sizeof a->buf_ - (b + p + 1) < MIN_TOKENS * sizeof(struct tvc_json_tok) + MIN_ANSWER)
        return TVC_ERR_NOSPACE;
    memcpy(a->buf_, a->base_url, b);
    memcpy(a->buf_ + b, path, p + 1);
    a->url_len_ = b + p + 1;
    return 0;
}


/* The final response's head arrived: its body starts a fresh squeeze over
 * the request body, which is no longer needed (nothing is re-sent once a
 * response byte came). */
static int on_headers(void *user, const struct tvc_http_parser *resp)
{
    struct tvc_jsq *q = user;
    (void)resp;
    tvc_jsq_init(q, q->buf, q->cap, q->max_str);
    return 0;
}

/* An exchange is running on the HTTP client. */
static int busy(const struct tvc_api *a)
{
    return tvc_http_client_busy(a->http);
}

static int begin(struct tvc_api *a, int body_len, unsigned flags, int call)
{
    struct tvc_http_req *rq = &a->rq_;
    size_t region = sizeof a->buf_ - a->url_len_;
    int rc;

    memset(rq, 0, sizeof *rq);
    rq->method = "POST";
    rq->url = a->buf_;
    rq->bearer = (a->api_key != NULL && a->api_key[0] != '\0') ? a->api_key : NULL;
    rq->content_type = "application/json";
    rq->accept = "application/json";
    rq->body = (const uint8_t *)a->buf_ + a->url_len_;
    rq->body_len = (size_t)body_len;
    rq->range_from = 0;
    rq->flags = flags; /* never TVC_HTTP_FOLLOW: see the top of this file */
    rq->io_timeout_ms = a->io_timeout_ms;
    rq->connect_timeout_ms = a->connect_timeout_ms;
    rq->on_headers = on_headers;
    rq->on_body = tvc_jsq_feed;
    rq->user = &a->jsq_;
    /* The squeeze starts at the headers (on_headers), not here: the region
     * still holds the request body. */
    memset(&a->jsq_, 0, sizeof a->jsq_);
    a->jsq_.buf = a->buf_ + a->url_len_;
    a->jsq_.cap = region - MIN_TOKENS * sizeof(struct tvc_json_tok);
    a->jsq_.max_str = TVC_API_STR_MAX;
    a->retry_after_ = -1;
    a->req_base_ = a->http->requests;
    a->generate_ = call;
    rc = tvc_http_start(a->http, rq);
    if (rc < 0) {
        a->generate_ = CALL_NONE;
        a->requests += a->http->requests - a->req_base_;
    }
    return rc;
}

int tvc_api_prepare_generate(struct tvc_api *a, const struct tvc_gen_params *p)
{
    int rc;

    if (a == NULL || a->http == NULL || a->base_url == NULL)
        return TVC_ERR_ARG;
    if (busy(a))
        return TVC_ERR_STATE;
    rc = tvc_api_validate(p, NULL);
    if (rc < 0)
        return rc;
    rc = build_url(a, "/api/sora-2-tvc/generate");
    if (rc < 0)
        return rc;
    return tvc_api_generate_body(p, a->buf_ + a->url_len_, sizeof a->buf_ - a->url_len_);
}

int tvc_api_start_generate(struct tvc_api *a, const struct tvc_gen_params *p)
{
    int n = tvc_api_prepare_generate(a, p);

    if (n < 0)
        return n;
    /* FRESH: a kept-alive connection that died unseen could otherwise
     * swallow the request; IDEMPOTENT is left out so it is never re-sent. */
    return begin(a, n, TVC_HTTP_FRESH, CALL_GENERATE);
}

int tvc_api_start_status(struct tvc_api *a, const char *record_id, const char *task_id)
{
    int n, rc;

    if (a == NULL || a->http == NULL || a->base_url == NULL)
        return TVC_ERR_ARG;
    if (busy(a))
        return TVC_ERR_STATE;
    rc = tvc_api_status_body(record_id, task_id, NULL, 0);
    if (rc < 0 && rc != TVC_ERR_NOSPACE)
        return rc;
    rc = build_url(a, "/api/sora-2-tvc/check-status");
    if (rc < 0)
        return rc;
    n = tvc_api_status_body(record_id, task_id, a->buf_ + a->url_len_,
                            sizeof a->buf_ - a->url_len_);
    if (n < 0)
        return n;
    return begin(a, n, TVC_HTTP_IDEMPOTENT, CALL_STATUS);
}

static int64_t retry_after(const struct tvc_http_client *h)
{
    struct tvc_slice v;
    int64_t now = -1, s;

    if (tvc_http_parser_header(&h->resp, "Retry-After", &v) != 0)
        return -1;
    if (h->port->wall_time != NULL)
        now = h->port->wall_time(h->port->ctx);
    s = tvc_http_retry_after(v.p, v.len, now);
    return s >= 0 ? s : -1; /* unparseable, or a date without a clock */
}

/* Decode the squeezed answer; its tokens go in the work area after it. */
static int decode_answer(struct tvc_api *a, int status, struct tvc_api_result *out)
{
    char *text = a->jsq_.buf;
    uintptr_t at = (uintptr_t)(text + a->jsq_.len + 1);
    uintptr_t end = (uintptr_t)(a->buf_ + sizeof a->buf_);
    at = (at + 7u) & ~(uintptr_t)7u;
    if (at >= end || (end - at) / sizeof(struct tvc_json_tok) == 0) {
        reset(out, status); /* cannot happen: MIN_TOKENS are kept free */
        return is_2xx(status) ? TVC_ERR_JSON_TOKENS : 0;
    }
    return tvc_api_decode(text, a->jsq_.len, status, a->jsq_.truncated,
                          (struct tvc_json_tok *)at,
                          (unsigned)((end - at) / sizeof(struct tvc_json_tok)), out);
}

int tvc_api_step(struct tvc_api *a, uint32_t wait_ms, struct tvc_api_result *out)
{
    struct tvc_http_client *h;
    int rc, status;

    if (a == NULL || a->http == NULL || out == NULL)
        return TVC_ERR_ARG;
    h = a->http;
    if (a->generate_ == CALL_NONE || h->req != &a->rq_)
        return TVC_ERR_STATE;
    rc = tvc_http_step(h, wait_ms);
    if (rc == TVC_ERR_AGAIN)
        return rc;
    a->generate_ = CALL_NONE;
    a->requests += h->requests - a->req_base_;
    reset(out, 0);
    if (rc == TVC_ERR_ABORTED && h->sink_err < 0)
        rc = h->sink_err; /* the squeezer's own reason (TVC_ERR_NOSPACE: answer too large) */

    if (rc == TVC_ERR_NOSPACE && a->jsq_.overflow) {
        /* Even squeezed, the answer did not fit.  An error answer is still
         * an answer (its status says enough); a 2xx one cannot be read, so
         * for generate the caller must treat the outcome as unknown. */
        status = h->resp.status;
        reset(out, status);
        out->retry_after_s = a->retry_after_ = retry_after(h);
        return is_2xx(status) ? TVC_ERR_NOSPACE : 0;
    }
    if (rc < 0)
        return rc;
    a->retry_after_ = retry_after(h);
    rc = decode_answer(a, h->resp.status, out);
    out->retry_after_s = a->retry_after_;
    return rc;
}
