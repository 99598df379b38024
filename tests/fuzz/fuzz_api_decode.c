/* The API answer decoder, alone and behind the squeeze.  Byte 0 picks the
 * HTTP status; the rest is the body.  Properties: every string member is
 * valid UTF-8 within its documented size, with no NUL inside; decoding the
 * squeezed answer (as tvc_api_step does) gives what decoding it whole
 * gives, except where a cut is reported: a cut prompt or error is a prefix
 * of the whole one, any other cut field is left empty with TVC_TRUNC_OTHER.
 * Errors win over truncation: a string the whole answer refuses is refused
 * squeezed too (issue 9). */
#include "fuzz.h"
#include "tvc.h"

static const int statuses[8] = {200, 201, 202, 400, 404, 429, 500, 503};

static void check_str(const char *s, size_t max)
{
    size_t n;
    FZ_CHECK(s != NULL);
    n = strlen(s);
    FZ_CHECK(n < max);
    FZ_CHECK(tvc_utf8_check(s, n) == 0);
}

static void check_result(const struct tvc_api_result *r)
{
    check_str(r->state_raw, TVC_API_STATE_MAX);
    check_str(r->code_raw, TVC_API_CODE_MAX);
    check_str(r->error, TVC_API_ERROR_MAX);
    check_str(r->record_id, TVC_ID_MAX);
    check_str(r->task_id, TVC_ID_MAX);
    check_str(r->step_name, TVC_API_STEP_MAX);
    check_str(r->storyboard_prompt, TVC_API_PROMPT_MAX);
    check_str(r->storyboard_image_url, TVC_URL_MAX);
    check_str(r->video_task_progress, TVC_API_PROGRESS_MAX);
    check_str(r->video_url, TVC_URL_MAX);
    FZ_CHECK(r->success >= -1 && r->success <= 1);
    FZ_CHECK(r->state >= TVC_STATE_NONE && r->state <= TVC_STATE_OTHER);
    FZ_CHECK(r->current_step == -1 || r->current_step >= 0);
    FZ_CHECK(r->generation_time_ms >= -1 && r->required_credits >= -1);
}

static int prefix(const char *a, const char *b) /* a is a prefix of b */
{
    return strncmp(a, b, strlen(a)) == 0;
}

/* A field other than prompt / error: equal, or dropped as cut. */
static void same_or_dropped(const char *whole, const char *sq, unsigned sq_trunc)
{
    if (strcmp(whole, sq) == 0)
        return;
    FZ_CHECK(sq[0] == '\0' && (sq_trunc & TVC_TRUNC_OTHER));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char whole[16384], sqbuf[TVC_API_BUF];
    static struct tvc_json_tok toks[TVC_JSON_TOKENS];
    struct tvc_api_result r1, r2;
    struct tvc_jsq q;
    int status, rc1, rc2;

    if (size < 1 || size > sizeof whole)
        return 0;
    status = statuses[data[0] & 7];
    data++;
    size--;
    memcpy(whole, data, size);
    rc1 = tvc_api_decode(whole, size, status, 0, toks, TVC_JSON_TOKENS, &r1);
    FZ_CHECK(rc1 == 0 || rc1 == TVC_ERR_JSON || rc1 == TVC_ERR_JSON_TOKENS ||
             rc1 == TVC_ERR_JSON_TYPE);
    FZ_CHECK(r1.http_status == status);
    if (rc1 == 0)
        check_result(&r1);

    /* the same answer through the squeeze, as tvc_api_step() reads it */
    tvc_jsq_init(&q, sqbuf, sizeof sqbuf, TVC_API_STR_MAX);
    if (tvc_jsq_feed(&q, data, size) != 0)
        return 0; /* too big even squeezed: tvc_api_step() refuses it */
    rc2 = tvc_api_decode(sqbuf, q.len, status, q.truncated, toks, TVC_JSON_TOKENS, &r2);
    FZ_CHECK(rc2 == rc1);
    if (rc1 != 0)
        return 0;
    check_result(&r2);
    FZ_CHECK(r2.success == r1.success && r2.state == r1.state);
    FZ_CHECK(r2.current_step == r1.current_step);
    FZ_CHECK(r2.generation_time_ms == r1.generation_time_ms);
    FZ_CHECK(r2.required_credits == r1.required_credits);
    /* prompt and error: a cut keeps a prefix and says so */
    FZ_CHECK(prefix(r2.storyboard_prompt, r1.storyboard_prompt));
    if (strcmp(r2.storyboard_prompt, r1.storyboard_prompt) != 0)
        FZ_CHECK(r2.truncated & TVC_TRUNC_PROMPT);
    FZ_CHECK(prefix(r2.error, r1.error));
    if (strcmp(r2.error, r1.error) != 0)
        FZ_CHECK(r2.truncated & TVC_TRUNC_ERROR);
    /* a refused (empty) prompt is not reported as cut */
    if (r2.storyboard_prompt[0] == '\0' && r1.storyboard_prompt[0] == '\0')
        FZ_CHECK((r2.truncated & TVC_TRUNC_PROMPT) == (r1.truncated & TVC_TRUNC_PROMPT));
    same_or_dropped(r1.record_id, r2.record_id, r2.truncated);
    same_or_dropped(r1.task_id, r2.task_id, r2.truncated);
    same_or_dropped(r1.step_name, r2.step_name, r2.truncated);
    same_or_dropped(r1.storyboard_image_url, r2.storyboard_image_url, r2.truncated);
    same_or_dropped(r1.video_task_progress, r2.video_task_progress, r2.truncated);
    same_or_dropped(r1.video_url, r2.video_url, r2.truncated);
    same_or_dropped(r1.code_raw, r2.code_raw, r2.truncated);
    FZ_CHECK(prefix(r2.state_raw, r1.state_raw));
    return 0;
}
