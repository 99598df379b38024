/**
 * @file tvc_api.h
 * @brief The Sora 2 TVC Ad API: request bodies, input validation, and
 * bounded-memory decoding of every answer (both endpoints, all nine
 * errorCodes, both forms of failure).
 */
#ifndef TVC_API_H
#define TVC_API_H

#include "tvc_base.h"
#include "tvc_config.h"
#include "tvc_http.h"
#include "tvc_json.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Longest string (bytes of its escaped form) a tvc_api client keeps
 * when squeezing an answer: the largest field capacity minus its NUL.
 * tvc_api_decode() treats a URL or id whose raw form is within 12 bytes of
 * this as possibly cut when the squeezer reported TVC_TRUNC_OTHER.
 */
#define TVC_API_STR_MAX ((TVC_URL_MAX > TVC_API_PROMPT_MAX ? TVC_URL_MAX : TVC_API_PROMPT_MAX) - 1)

/** @brief The API's errorCode values (TVC_API_NONE when absent). */
enum tvc_api_code {
    TVC_API_NONE = 0,
    TVC_API_LOGIN_REQUIRED,
    TVC_API_RATE_LIMIT_EXCEEDED,      /**< API_KEY_RATE_LIMIT_EXCEEDED */
    TVC_API_INSUFFICIENT_CREDITS,
    TVC_API_INVALID_INPUT,
    TVC_API_REFERENCE_IMAGE_URL_REQUIRED,
    TVC_API_GENERATION_FAILED,
    TVC_API_RECORD_NOT_FOUND,
    TVC_API_UNAUTHORIZED,
    TVC_API_INTERNAL_ERROR,
    TVC_API_OTHER                     /**< an errorCode this version does not know */
};

/** @brief Job state as the API reports it. */
enum tvc_job_state {
    TVC_STATE_NONE = 0,     /**< no status field */
    TVC_STATE_PROCESSING,
    TVC_STATE_COMPLETED,
    TVC_STATE_FAILED,
    TVC_STATE_OTHER         /**< a status value this version does not know */
};

/** @brief Parameters of a generate call. */
struct tvc_gen_params {
    const char *ad_theme;      /**< required, non-empty UTF-8 */
    const char *voiceover;     /**< NULL or UTF-8 */
    const char *reference_url; /**< NULL or an http(s) URL */
    int duration;              /**< 10 or 15 (0 means 10) */
    int landscape;             /**< 0 portrait (default), 1 landscape */
};

/** @brief tvc_api_result.truncated bits: which strings were cut to fit. */
enum tvc_api_trunc {
    TVC_TRUNC_PROMPT = 1,
    TVC_TRUNC_ERROR = 2,
    TVC_TRUNC_OTHER = 4 /**< another field (URL, id): treat that field as unusable */
};

/**
 * @brief One decoded API answer.  Absent and null fields are empty strings /
 * -1; unknown fields are ignored; order does not matter.
 *
 * The string members are never NULL.  They point into the buffer the answer
 * was decoded in (for tvc_api_step(): the struct tvc_api's work area), so
 * they stay valid until the next tvc_api_start_*() or tvc_api_init() on that
 * client, or, for tvc_api_decode(), while the body buffer lives unchanged.
 * Copy what must outlive that.  Each has a longest length (bytes, without the
 * NUL), the same on every board; what is cut or dropped is said below.
 */
struct tvc_api_result {
    int http_status;          /**< HTTP status of the answer */
    int success;              /**< 1 true, 0 false, -1 absent */
    int state;                /**< enum tvc_job_state */
    const char *state_raw;    /**< the status text as sent (cut to TVC_API_STATE_MAX - 1 bytes) */
    int code;                 /**< enum tvc_api_code */
    const char *code_raw;     /**< errorCode text as sent (at most TVC_API_CODE_MAX - 1 bytes, else dropped) */
    const char *error;        /**< error text (cut to TVC_API_ERROR_MAX - 1 bytes, TVC_TRUNC_ERROR) */
    const char *record_id;    /**< at most TVC_ID_MAX - 1 bytes, else dropped (TVC_TRUNC_OTHER) */
    const char *task_id;      /**< at most TVC_ID_MAX - 1 bytes, else dropped */
    int current_step;         /**< 1..3, or -1 absent */
    const char *step_name;    /**< at most TVC_API_STEP_MAX - 1 bytes, else dropped */
    const char *storyboard_prompt;   /**< cut to TVC_API_PROMPT_MAX - 1 bytes (TVC_TRUNC_PROMPT) */
    const char *storyboard_image_url;/**< at most TVC_URL_MAX - 1 bytes, else dropped */
    const char *video_task_progress; /**< at most TVC_API_PROGRESS_MAX - 1 bytes, else dropped */
    const char *video_url;    /**< at most TVC_URL_MAX - 1 bytes, else dropped */
    int64_t generation_time_ms; /**< generationTime in ms (decimals kept), -1 absent */
    int64_t required_credits; /**< -1 absent */
    int64_t retry_after_s;    /**< from a Retry-After header (seconds or date), -1 absent */
    unsigned truncated;       /**< enum tvc_api_trunc bits */
};

/**
 * @brief Reset a result to "no answer": every string "", every number -1,
 * http_status 0.  Never fails.  tvc_api_step() and tvc_api_decode() do it
 * themselves; a caller that reads a result before any answer calls it first.
 */
void tvc_api_result_init(struct tvc_api_result *r);


/**
 * @brief Validate generate parameters before any byte is sent.
 * @param why set to a static English reason on failure (may be NULL)
 * @return 0; TVC_ERR_ARG (empty theme, duration not 10/15, reference URL not
 *         http(s), data: URI or base64); TVC_ERR_UTF8 (text not UTF-8).
 */
int tvc_api_validate(const struct tvc_gen_params *p, const char **why);

/**
 * @brief Write the generate body: adTheme, voiceoverScript,
 * referenceImageUrl (only when given), videoDuration "10"/"15",
 * aspectRatio "portrait"/"landscape".  Validates first.
 * @return length; the errors of tvc_api_validate(); TVC_ERR_NOSPACE.
 */
int tvc_api_generate_body(const struct tvc_gen_params *p, char *buf, size_t cap);

/**
 * @brief Write the check-status body: {"recordId":...} when @p record_id is
 * given, else {"taskId":...}.
 * @return length; TVC_ERR_ARG (both NULL/empty); TVC_ERR_NOSPACE; TVC_ERR_UTF8.
 */
int tvc_api_status_body(const char *record_id, const char *task_id, char *buf, size_t cap);

/**
 * @brief Map an errorCode string to enum tvc_api_code.
 * @return TVC_API_NONE (NULL or empty), a known code, or TVC_API_OTHER;
 *         never an error.
 */
int tvc_api_code_from(const char *s, size_t len);

/** @brief The errorCode text of an enum tvc_api_code ("" for NONE). */
const char *tvc_api_code_name(int code);

/* ------------------------------------------------------------------ */
/* Streaming squeeze: keep a JSON answer within a fixed buffer.         */

/**
 * @brief Copies a JSON text as it streams in, cutting every string value
 * longer than @p max_str bytes (at an escape/UTF-8 boundary, still valid
 * JSON), so an answer with a 100 KB field still fits a small buffer.
 *
 * Lengths count the escaped form.  A cut keeps the longest prefix of whole
 * units (byte, UTF-8 sequence, escape, surrogate pair) and closes the string
 * at its real end.  Keys are cut the same way (bit OTHER); a cut value's bit
 * comes from its top-level key ("storyboardPrompt" PROMPT, "error" ERROR,
 * else OTHER) and is set when the byte after the string arrives.  White
 * space between tokens is dropped (one space kept between two scalars).
 * Not a validator: malformed text is copied for the parser to reject; and
 * what a cut drops is still checked (escapes, surrogate pairs, UTF-8, \\u0000)
 * so that errors win over truncation: when the dropped part holds a grammar
 * error a raw control byte is written before the closing quote (the parser
 * then refuses the text, as it would the whole), and when it holds a string
 * error (one tvc_json_string() refuses) a lone "\\uDC00" is (the value then
 * reads as invalid, as it would uncut).  The
 * output never depends on how the input was split.  buf stays
 * NUL-terminated; when the text does not fit in cap - 1 bytes (checked
 * with the not-yet-cut unit in place, so up to 12 bytes early) overflow is
 * set and every feed returns TVC_ERR_NOSPACE.
 */
struct tvc_jsq {
    char *buf;
    size_t cap;
    size_t len;
    size_t max_str;
    int overflow;        /**< the squeezed text still did not fit */
    unsigned truncated;  /**< enum tvc_api_trunc bits (by top-level key) */
    /* private */
    int st_;
    int depth_;
    int is_key_;
    size_t slen_;
    int cut_;
    int esc_left_;
    int utf8_left_;
    char key_[TVC_API_KEY_MAX];
    size_t klen_;
    char cur_key_[TVC_API_KEY_MAX];
    uint16_t v_cp_;      /* the string's validator: \\u digits so far */
    uint8_t v_st_;       /* its state */
    uint8_t v_bad_;      /* its verdict bits */
    uint8_t v_left_;     /* UTF-8 continuation bytes to come */
    uint8_t v_lo_, v_hi_; /* range of the next one */
};

/** @brief Start squeezing into @p buf (@p cap bytes). */
void tvc_jsq_init(struct tvc_jsq *q, char *buf, size_t cap, size_t max_str);

/**
 * @brief Body sink (tvc_http_body_fn shape): @p user is the struct tvc_jsq.
 * @return 0; TVC_ERR_NOSPACE (overflow, sticky); TVC_ERR_ARG.
 */
int tvc_jsq_feed(void *user, const uint8_t *data, size_t len);

/* ------------------------------------------------------------------ */
/* Exchanges                                                            */

/** @brief An API endpoint client: one exchange at a time over a tvc_http_client. */
struct tvc_api {
    struct tvc_http_client *http;
    const char *base_url;     /**< e.g. "https://nanophoto.ai" (no trailing slash needed) */
    const char *api_key;      /**< sent only to the API origin */
    uint32_t io_timeout_ms;   /**< longest silence in a call, ms; 0: TVC_HTTP_IO_TIMEOUT_MS */
    uint32_t connect_timeout_ms; /**< connect + TLS handshake, ms; 0: TVC_HTTP_CONNECT_TIMEOUT_MS */
    uint32_t requests;        /**< requests sent to the API (statistics, budget) */

    /* private */
    char buf_[TVC_API_BUF];   /* URL, then request body, then answer + tokens */
    size_t url_len_;          /* bytes of buf_ the URL takes, NUL included */
    struct tvc_jsq jsq_;
    struct tvc_http_req rq_;
    int64_t retry_after_;
    int generate_;
    uint32_t req_base_; /* http->requests when the call started */
};

/**
 * @brief Set up.  Never fails.
 */
void tvc_api_init(struct tvc_api *a, struct tvc_http_client *http, const char *base_url,
                  const char *api_key);

/**
 * @brief Check that a generate call can be made, with no traffic: validates
 * @p p and writes the call's URL and body into the work area (as
 * tvc_api_start_generate() will), so a body too large for TVC_API_BUF is
 * known before anything is sent or journalled.
 * @return the body's length; the errors of tvc_api_validate() (TVC_ERR_ARG,
 *         TVC_ERR_UTF8); TVC_ERR_NOSPACE (URL or body larger than
 *         TVC_API_BUF allows); TVC_ERR_STATE (an exchange is running on
 *         a->http); TVC_ERR_ARG (@p a, a->http or a->base_url NULL).
 */
int tvc_api_prepare_generate(struct tvc_api *a, const struct tvc_gen_params *p);

/**
 * @brief Begin a generate call (validated first; sent on a fresh connection,
 * never re-sent by the HTTP layer once any byte went out).
 * Calls are never redirected: a POST carrying the key is not replayed to a
 * Location; a 3xx comes back from tvc_api_step() as an answer (http_status).
 * @return 0; the errors of tvc_api_validate() (TVC_ERR_ARG, TVC_ERR_UTF8);
 *         TVC_ERR_NOSPACE (URL or body larger than TVC_API_BUF allows);
 *         TVC_ERR_STATE (an exchange is running on a->http); TVC_ERR_ARG
 *         (@p a, a->http or a->base_url NULL); or what tvc_http_start()
 *         returns (URL errors; it may already try to connect).
 */
int tvc_api_start_generate(struct tvc_api *a, const struct tvc_gen_params *p);

/**
 * @brief Begin a check-status call (idempotent: may be re-sent; may reuse a
 * kept-alive connection).
 * @return 0; the errors of tvc_api_status_body() (TVC_ERR_ARG: both ids
 *         NULL/empty; TVC_ERR_UTF8); TVC_ERR_NOSPACE (URL or body larger than
 *         TVC_API_BUF allows); TVC_ERR_STATE (an exchange is running on
 *         a->http); TVC_ERR_ARG (@p a, a->http or a->base_url NULL); or what
 *         tvc_http_start() returns (URL errors; it may already try to connect).
 */
int tvc_api_start_status(struct tvc_api *a, const char *record_id, const char *task_id);

/**
 * @brief Advance the call.  a->requests grows by the requests that went on
 * the wire.  out->retry_after_s comes from a Retry-After field (a date needs
 * port->wall_time; without a clock it stays -1).
 * @return TVC_ERR_AGAIN; 0 with @p out filled (any HTTP status, 3xx
 *         included: look at out->http_status, out->code, out->state); a
 *         transport error, @p out reset (see tvc_http_step; for generate,
 *         a->http->request_bytes_out says whether the request may have
 *         reached the server); TVC_ERR_JSON* (a 2xx answer that is not the
 *         expected JSON object); TVC_ERR_NOSPACE (a 2xx answer too big for
 *         TVC_API_BUF even squeezed: unreadable, out->http_status set;
 *         a non-2xx one that big is decoded as far as possible and gives 0);
 *         TVC_ERR_STATE (no call of this client running).
 */
int tvc_api_step(struct tvc_api *a, uint32_t wait_ms, struct tvc_api_result *out);

/**
 * @brief Decode an answer body already in memory (used by tvc_api_step; public
 * for tests and fuzzing).  The body is tokenized, then the strings that are
 * kept are unescaped **in place** and NUL-terminated there (an unescaped
 * string is never longer than its escaped form): @p body is modified, and
 * the result's strings point into it.  Error answers need not be JSON: a non-2xx status
 * with an unreadable body still fills http_status and returns 0.
 *
 * Fields of a wrong type, or strings with bad UTF-8 / lone surrogates /
 * \\u0000 (every string kept is a C string, which would silently end at a
 * NUL) are left empty (-1) rather than failing the answer, and such a
 * string is not reported cut even when the squeeze cut it: errors win over
 * truncation.  recordId, taskId and
 * videoTaskProgress also accept a number (its literal text; ids only plain
 * digits), currentStep / generationTime / requiredCredits a numeric string.
 * storyboardPrompt and error are kept cut to fit (TVC_TRUNC_PROMPT /
 * _ERROR); any other known field that does not fit is left empty and
 * TVC_TRUNC_OTHER set; state_raw is the exception, kept cut to fit.
 *
 * @param truncated the tvc_jsq bits of the squeeze that produced @p body
 *        (0 if none).  PROMPT and ERROR are copied to out->truncated; OTHER
 *        is not (it may concern an unknown field) but makes any other field
 *        whose escaped form is longer than TVC_API_STR_MAX - 12 count as cut
 *        (the squeezer must have run with max_str TVC_API_STR_MAX).
 * @return 0; TVC_ERR_JSON / TVC_ERR_JSON_TOKENS / TVC_ERR_JSON_TYPE for a
 *         2xx answer that is not a JSON object; TVC_ERR_ARG.
 */
int tvc_api_decode(char *body, size_t len, int http_status, unsigned truncated,
                   struct tvc_json_tok *toks, unsigned ntok, struct tvc_api_result *out);

/**
 * @brief Parse a Retry-After value: delta-seconds, or an HTTP date
 * (IMF-fixdate, RFC 850, asctime) compared with @p now_unix.  Surrounding
 * white space is ignored; names match case-insensitively; an RFC 850 year
 * more than 50 years ahead is taken from the century before (RFC 9110).
 * @return seconds to wait (>= 0, at most 2^31-1; a date in the past gives
 *         0); TVC_ERR_HTTP when unparseable (and for every date when built
 *         with TVC_FEATURE_HTTP_DATE 0); TVC_ERR_STATE when it is a date and
 *         now_unix < 0.
 */
int64_t tvc_http_retry_after(const char *s, size_t len, int64_t now_unix);

#ifdef __cplusplus
}
#endif
#endif /* TVC_API_H */
