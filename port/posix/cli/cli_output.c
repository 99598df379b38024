/* What the tvc program prints on stdout (--json or plain) and the mapping
 * from library results to exit statuses. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_exit_code(int rc, const struct tvc_api_result *res, int in_download)
{
    if (rc >= 0)
        return EX_DONE;
    switch (rc) {
    case TVC_ERR_ARG: case TVC_ERR_UTF8: case TVC_ERR_URL: case TVC_ERR_URL_SCHEME:
    case TVC_ERR_URL_USERINFO: case TVC_ERR_NOSPACE:
        return EX_USAGE;
    case TVC_ERR_API:
        switch (res ? res->code : TVC_API_NONE) {
        case TVC_API_INVALID_INPUT: case TVC_API_REFERENCE_IMAGE_URL_REQUIRED: return EX_USAGE;
        case TVC_API_LOGIN_REQUIRED: case TVC_API_UNAUTHORIZED: return EX_AUTH;
        case TVC_API_INSUFFICIENT_CREDITS: return EX_CREDITS;
        case TVC_API_RATE_LIMIT_EXCEEDED: return EX_RATE;
        case TVC_API_GENERATION_FAILED: return EX_FAILED;
        case TVC_API_RECORD_NOT_FOUND: return EX_NOTFOUND;
        default: return EX_SERVER;
        }
    case TVC_ERR_JOB_FAILED: return EX_FAILED;
    case TVC_ERR_DEADLINE: case TVC_ERR_BUDGET: return EX_DEADLINE;
    case TVC_ERR_OUTCOME_UNKNOWN: return EX_UNKNOWN;
    case TVC_ERR_STORAGE: return EX_STORAGE;
    case TVC_ERR_HTTP_STATUS:
        if (in_download)
            return EX_STORAGE;
        return res && res->http_status >= 500 ? EX_SERVER : EX_NET;
    default:
        break;
    }
    if (tvc_err_class(rc) == TVC_CLASS_TRUST)
        return EX_NET;
    return in_download ? EX_STORAGE : EX_NET;
}

static const char *state_name(int s, const char *raw)
{
    switch (s) {
    case TVC_STATE_PROCESSING: return "processing";
    case TVC_STATE_COMPLETED: return "completed";
    case TVC_STATE_FAILED: return "failed";
    case TVC_STATE_OTHER: return raw;
    default: return NULL;
    }
}

static void str_field(struct tvc_jw *w, const char *key, const char *v)
{
    if (v && v[0]) {
        tvc_jw_key(w, key);
        tvc_jw_cstr(w, v);
    }
}

static int list_open, list_count;

void cli_json_begin_list(void)
{
    fputs("{\"jobs\":[", stdout);
    list_open = 1;
    list_count = 0;
}

void cli_json_end_list(int count)
{
    printf("],\"count\":%d}\n", count);
    list_open = 0;
    (void)fflush(stdout); /* write errors: checked once, at exit (main.c) */
}

void cli_print_json(const struct cli_opts *o, const struct tvc_job *j,
                    const struct tvc_api_result *res, int rc, int in_download,
                    const char *video_file,
                    const char *storyboard_file, const uint8_t *sha, int64_t bytes,
                    uint32_t api_requests)
{
    static char buf[4 * TVC_URL_MAX + 2 * TVC_API_PROMPT_MAX + 4 * TVC_PATH_MAX + 2048];
    struct tvc_jw w;
    const char *st;
    int n;

    (void)o;
    tvc_jw_init(&w, buf, sizeof buf);
    tvc_jw_object_begin(&w);
    if (j) {
        str_field(&w, "recordId", j->rec.record_id);
        str_field(&w, "taskId", j->rec.task_id);
    } else if (res) {
        str_field(&w, "recordId", res->record_id);
        str_field(&w, "taskId", res->task_id);
    }
    if (res && res->http_status) {
        st = state_name(res->state, res->state_raw);
        str_field(&w, "status", st);
        if (res->success >= 0) {
            tvc_jw_key(&w, "success");
            tvc_jw_bool(&w, res->success);
        }
        if (res->current_step >= 0) {
            tvc_jw_key(&w, "currentStep");
            tvc_jw_int(&w, res->current_step);
        }
        str_field(&w, "stepName", res->step_name);
        str_field(&w, "storyboardPrompt", res->storyboard_prompt);
        if (res->truncated & TVC_TRUNC_PROMPT) {
            tvc_jw_key(&w, "storyboardPromptTruncated");
            tvc_jw_bool(&w, 1);
        }
        str_field(&w, "storyboardImageUrl",
                  res->storyboard_image_url[0] ? res->storyboard_image_url
                                               : (j ? j->rec.image_url : NULL));
        str_field(&w, "videoTaskProgress", res->video_task_progress);
        str_field(&w, "videoUrl", res->video_url[0] ? res->video_url : (j ? j->rec.video_url : NULL));
        if (res->generation_time_ms >= 0) {
            /* seconds, as the API gives them; decimals kept (ms precision) */
            tvc_jw_key(&w, "generationTime");
            tvc_jw_fixed(&w, res->generation_time_ms, 3);
        }
        str_field(&w, "error", res->error);
        str_field(&w, "errorCode", res->code_raw);
        if (res->required_credits >= 0) {
            tvc_jw_key(&w, "requiredCredits");
            tvc_jw_int(&w, res->required_credits);
        }
        tvc_jw_key(&w, "httpStatus");
        tvc_jw_int(&w, res->http_status);
    }
    str_field(&w, "videoFile", video_file);
    str_field(&w, "storyboardFile", storyboard_file);
    if (sha) {
        char hex[65];
        tvc_hex(sha, 32, hex);
        str_field(&w, "videoSha256", hex);
    }
    if (bytes >= 0) {
        tvc_jw_key(&w, "videoBytes");
        tvc_jw_int(&w, bytes);
    }
    tvc_jw_key(&w, "apiRequests");
    tvc_jw_int(&w, api_requests);
    if (rc < 0) {
        tvc_jw_key(&w, "libError");
        tvc_jw_cstr(&w, tvc_strerror(rc));
        tvc_jw_key(&w, "exitCode");
        tvc_jw_int(&w, cli_exit_code(rc, res, in_download));
    }
    tvc_jw_object_end(&w);
    n = tvc_jw_finish(&w);
    if (n < 0) {
        fprintf(stderr, "tvc: cannot format the JSON result: %s\n", tvc_strerror(n));
        return;
    }
    if (list_open) {
        if (list_count++)
            fputc(',', stdout);
        (void)fwrite(buf, 1, (size_t)n, stdout);
    } else {
        (void)fwrite(buf, 1, (size_t)n, stdout);
        fputc('\n', stdout);
    }
    (void)fflush(stdout); /* write errors: checked once, at exit (main.c) */
}

void cli_error(const struct cli_opts *o, int rc, const struct tvc_api_result *res)
{
    if (o->quiet && o->json)
        return;
    if (rc == TVC_ERR_API && res) {
        fprintf(stderr, "tvc: the API said %s (HTTP %d)%s%s\n", res->code_raw[0] ? res->code_raw : "an error",
                res->http_status, res->error[0] ? ": " : "", res->error);
        if (res->required_credits >= 0)
            fprintf(stderr, "tvc: %lld credits are required\n", (long long)res->required_credits);
        return;
    }
    if (rc == TVC_ERR_JOB_FAILED && res && res->error[0]) {
        fprintf(stderr, "tvc: the job failed: %s\n", res->error);
        return;
    }
    if (rc == TVC_ERR_HTTP_STATUS && res && res->http_status) {
        fprintf(stderr, "tvc: unexpected HTTP status %d\n", res->http_status);
        return;
    }
    fprintf(stderr, "tvc: %s\n", tvc_strerror(rc));
}

/* The job's answer strings live in its API work area, which the downloads
 * take over: the last answer is copied here at every status event. */
static struct tvc_api_result kept;
static char kept_text[TVC_API_BUF];

static const char *keep_str(size_t *at, const char *src)
{
    size_t n = strlen(src);
    char *dst;
    if (*at + n + 1 > sizeof kept_text)
        return "";
    dst = kept_text + *at;
    memcpy(dst, src, n + 1);
    *at += n + 1;
    return dst;
}

void cli_keep_answer(const struct tvc_api_result *r)
{
    size_t at = 0;
    kept = *r;
    kept.state_raw = keep_str(&at, r->state_raw);
    kept.code_raw = keep_str(&at, r->code_raw);
    kept.error = keep_str(&at, r->error);
    kept.record_id = keep_str(&at, r->record_id);
    kept.task_id = keep_str(&at, r->task_id);
    kept.step_name = keep_str(&at, r->step_name);
    kept.storyboard_prompt = keep_str(&at, r->storyboard_prompt);
    kept.storyboard_image_url = keep_str(&at, r->storyboard_image_url);
    kept.video_task_progress = keep_str(&at, r->video_task_progress);
    kept.video_url = keep_str(&at, r->video_url);
}

void cli_forget_answer(void)
{
    tvc_api_result_init(&kept);
}

const struct tvc_api_result *cli_answer(const struct tvc_job *j)
{
    return j->res_text_gone ? &kept : &j->res;
}
