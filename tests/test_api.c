/* API bodies, validation, answer decoding, the streaming squeezer and
 * Retry-After parsing. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tvc_api.h"

/* ------------------------------------------------------------------ */
/* Decoding: each row lists only the fields that differ from the
 * defaults; every other field must keep its default. */

struct dec_row {
    const char *name;
    int status;
    const char *body;
    int rc;
    const char *expect; /* "field=value|field=value" */
};

static const char *state_name(int s)
{
    switch (s) {
    case TVC_STATE_NONE: return "none";
    case TVC_STATE_PROCESSING: return "processing";
    case TVC_STATE_COMPLETED: return "completed";
    case TVC_STATE_FAILED: return "failed";
    case TVC_STATE_OTHER: return "other";
    default: return "?";
    }
}

#define NFIELD 21
static const char *const fnames[NFIELD] = {
    "http_status", "success", "state", "state_raw", "code", "code_raw", "error",
    "record_id", "task_id", "current_step", "step_name", "prompt", "img", "progress",
    "video", "gen_ms", "credits", "retry", "trunc", "", ""};

static void render(const struct tvc_api_result *r, char out[NFIELD][1100])
{
    snprintf(out[0], 1100, "%d", r->http_status);
    snprintf(out[1], 1100, "%d", r->success);
    snprintf(out[2], 1100, "%s", state_name(r->state));
    snprintf(out[3], 1100, "%s", r->state_raw);
    snprintf(out[4], 1100, "%s", tvc_api_code_name(r->code));
    snprintf(out[5], 1100, "%s", r->code_raw);
    snprintf(out[6], 1100, "%s", r->error);
    snprintf(out[7], 1100, "%s", r->record_id);
    snprintf(out[8], 1100, "%s", r->task_id);
    snprintf(out[9], 1100, "%d", r->current_step);
    snprintf(out[10], 1100, "%s", r->step_name);
    snprintf(out[11], 1100, "%s", r->storyboard_prompt);
    snprintf(out[12], 1100, "%s", r->storyboard_image_url);
    snprintf(out[13], 1100, "%s", r->video_task_progress);
    snprintf(out[14], 1100, "%s", r->video_url);
    snprintf(out[15], 1100, "%lld", (long long)r->generation_time_ms);
    snprintf(out[16], 1100, "%lld", (long long)r->required_credits);
    snprintf(out[17], 1100, "%lld", (long long)r->retry_after_s);
    snprintf(out[18], 1100, "%u", r->truncated);
    out[19][0] = out[20][0] = '\0';
}

/* Compare every field of @p r with the defaults overridden by @p expect. */
static void check_result(const struct tvc_api_result *r, int status, const char *expect)
{
    static char got[NFIELD][1100], want[NFIELD][1100];
    char spec[4096], *item, *save = NULL;
    int i;

    render(r, got);
    for (i = 0; i < NFIELD; i++)
        want[i][0] = '\0';
    snprintf(want[0], 1100, "%d", status);
    strcpy(want[1], "-1");
    strcpy(want[2], "none");
    strcpy(want[9], "-1");
    strcpy(want[15], "-1");
    strcpy(want[16], "-1");
    strcpy(want[17], "-1");
    strcpy(want[18], "0");
    snprintf(spec, sizeof spec, "%s", expect ? expect : "");
    for (item = strtok_r(spec, "|", &save); item; item = strtok_r(NULL, "|", &save)) {
        char *eq = strchr(item, '=');
        int found = 0;
        if (!eq) {
            h_fail(__FILE__, __LINE__, item);
            continue;
        }
        *eq = '\0';
        for (i = 0; i < NFIELD; i++)
            if (fnames[i][0] && strcmp(fnames[i], item) == 0) {
                snprintf(want[i], 1100, "%s", eq + 1);
                found = 1;
            }
        if (!found)
            h_fail(__FILE__, __LINE__, item);
    }
    for (i = 0; i < NFIELD; i++) {
        if (strcmp(got[i], want[i]) != 0) {
            char m[600];
            snprintf(m, sizeof m, "field %s: want \"%.200s\" got \"%.200s\"", fnames[i],
                     want[i], got[i]);
            h_fail(__FILE__, __LINE__, m);
        }
    }
}

/* tvc_api_decode() unescapes in place: decode a copy, in a buffer that
 * ends exactly with the body so a write past it is caught by ASan. */
static int decode(const char *body, size_t len, int status, unsigned sq,
                  struct tvc_api_result *r)
{
    static struct tvc_json_tok toks[TVC_JSON_TOKENS];
    static char *copy;
    free(copy);
    copy = malloc(len ? len : 1);
    if (!copy)
        return TVC_ERR_NOSPACE;
    memcpy(copy, body, len);
    return tvc_api_decode(copy, len, status, sq, toks, TVC_JSON_TOKENS, r);
}

#define IMG "https://static.nanophoto.ai/images/sora-tvc/storyboard-xxx.png"

static const struct dec_row dec_rows[] = {
    /* the page's examples */
    {"generate processing", 200,
     "{\n  \"success\": true,\n  \"status\": \"processing\",\n  \"taskId\": \"video_task_id\",\n"
     "  \"recordId\": \"tvc_record_id\",\n  \"storyboardPrompt\": \"Generated 9-scene storyboard "
     "description...\",\n  \"storyboardImageUrl\": \"" IMG "\"\n}",
     0,
     "success=1|state=processing|state_raw=processing|task_id=video_task_id|"
     "record_id=tvc_record_id|prompt=Generated 9-scene storyboard description...|img=" IMG},
    {"generate error example", 402,
     "{\"error\": \"Insufficient credits\", \"errorCode\": \"INSUFFICIENT_CREDITS\", "
     "\"requiredCredits\": 8}",
     0, "error=Insufficient credits|code=INSUFFICIENT_CREDITS|code_raw=INSUFFICIENT_CREDITS|credits=8"},
    {"step 1", 200,
     "{\"success\": true, \"status\": \"processing\", \"recordId\": \"tvc_record_id\", "
     "\"currentStep\": 1, \"stepName\": \"Generating Storyboard Prompt\"}",
     0,
     "success=1|state=processing|state_raw=processing|record_id=tvc_record_id|current_step=1|"
     "step_name=Generating Storyboard Prompt"},
    {"step 2", 200,
     "{\"success\": true, \"status\": \"processing\", \"recordId\": \"tvc_record_id\", "
     "\"currentStep\": 2, \"stepName\": \"Generating Storyboard\", \"storyboardPrompt\": \"...\"}",
     0,
     "success=1|state=processing|state_raw=processing|record_id=tvc_record_id|current_step=2|"
     "step_name=Generating Storyboard|prompt=..."},
    {"step 3", 200,
     "{\"success\": true, \"status\": \"processing\", \"recordId\": \"tvc_record_id\", "
     "\"currentStep\": 3, \"stepName\": \"Generating Ad Video\", \"storyboardPrompt\": \"...\", "
     "\"storyboardImageUrl\": \"" IMG "\", \"videoTaskProgress\": \"generating\"}",
     0,
     "success=1|state=processing|state_raw=processing|record_id=tvc_record_id|current_step=3|"
     "step_name=Generating Ad Video|prompt=...|img=" IMG "|progress=generating"},
    {"completed", 200,
     "{\"success\": true, \"status\": \"completed\", \"recordId\": \"tvc_record_id\", "
     "\"currentStep\": 3, \"stepName\": \"Completed\", \"storyboardPrompt\": \"...\", "
     "\"storyboardImageUrl\": \"" IMG "\", \"videoUrl\": \"https://video.nanophoto.ai/sora/...\", "
     "\"generationTime\": 180}",
     0,
     "success=1|state=completed|state_raw=completed|record_id=tvc_record_id|current_step=3|"
     "step_name=Completed|prompt=...|img=" IMG "|video=https://video.nanophoto.ai/sora/...|"
     "gen_ms=180000"},
    {"failed as 200", 200,
     "{\"success\": false, \"status\": \"failed\", \"error\": \"Video generation failed\", "
     "\"errorCode\": \"GENERATION_FAILED\", \"recordId\": \"tvc_record_id\"}",
     0,
     "success=0|state=failed|state_raw=failed|error=Video generation failed|"
     "code=GENERATION_FAILED|code_raw=GENERATION_FAILED|record_id=tvc_record_id"},
    {"failed as 500", 500,
     "{\"error\": \"TVC ad generation failed\", \"errorCode\": \"GENERATION_FAILED\"}", 0,
     "error=TVC ad generation failed|code=GENERATION_FAILED|code_raw=GENERATION_FAILED"},

    /* the nine errorCodes with their statuses */
    {"LOGIN_REQUIRED", 401,
     "{\"error\":\"Authentication required\",\"errorCode\":\"LOGIN_REQUIRED\"}", 0,
     "error=Authentication required|code=LOGIN_REQUIRED|code_raw=LOGIN_REQUIRED"},
    {"API_KEY_RATE_LIMIT_EXCEEDED", 429,
     "{\"error\":\"Rate limit exceeded\",\"errorCode\":\"API_KEY_RATE_LIMIT_EXCEEDED\"}", 0,
     "error=Rate limit exceeded|code=API_KEY_RATE_LIMIT_EXCEEDED|"
     "code_raw=API_KEY_RATE_LIMIT_EXCEEDED"},
    {"INSUFFICIENT_CREDITS", 402,
     "{\"error\":\"Not enough credits\",\"errorCode\":\"INSUFFICIENT_CREDITS\",\"requiredCredits\":8}",
     0, "error=Not enough credits|code=INSUFFICIENT_CREDITS|code_raw=INSUFFICIENT_CREDITS|credits=8"},
    {"INVALID_INPUT", 400, "{\"error\":\"Missing ad theme\",\"errorCode\":\"INVALID_INPUT\"}", 0,
     "error=Missing ad theme|code=INVALID_INPUT|code_raw=INVALID_INPUT"},
    {"REFERENCE_IMAGE_URL_REQUIRED", 400,
     "{\"error\":\"no base64\",\"errorCode\":\"REFERENCE_IMAGE_URL_REQUIRED\"}", 0,
     "error=no base64|code=REFERENCE_IMAGE_URL_REQUIRED|code_raw=REFERENCE_IMAGE_URL_REQUIRED"},
    {"GENERATION_FAILED", 500, "{\"error\":\"failed\",\"errorCode\":\"GENERATION_FAILED\"}", 0,
     "error=failed|code=GENERATION_FAILED|code_raw=GENERATION_FAILED"},
    {"RECORD_NOT_FOUND", 404,
     "{\"error\":\"TVC record not found\",\"errorCode\":\"RECORD_NOT_FOUND\"}", 0,
     "error=TVC record not found|code=RECORD_NOT_FOUND|code_raw=RECORD_NOT_FOUND"},
    {"UNAUTHORIZED", 403, "{\"error\":\"Record not owned by user\",\"errorCode\":\"UNAUTHORIZED\"}",
     0, "error=Record not owned by user|code=UNAUTHORIZED|code_raw=UNAUTHORIZED"},
    {"INTERNAL_ERROR", 500, "{\"error\":\"Internal server error\",\"errorCode\":\"INTERNAL_ERROR\"}",
     0, "error=Internal server error|code=INTERNAL_ERROR|code_raw=INTERNAL_ERROR"},
    {"unknown errorCode", 418, "{\"errorCode\":\"TEAPOT\"}", 0, "code=OTHER|code_raw=TEAPOT"},
    {"empty errorCode", 400, "{\"errorCode\":\"\"}", 0, ""},
    {"errorCode too long", 400,
     "{\"errorCode\":\"ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJ\"}", 0,
     "code=OTHER|trunc=4"},

    /* absent, null, order, unknown fields, types */
    {"empty object", 200, "{}", 0, ""},
    {"all null", 200,
     "{\"success\":null,\"status\":null,\"errorCode\":null,\"error\":null,\"recordId\":null,"
     "\"taskId\":null,\"currentStep\":null,\"stepName\":null,\"storyboardPrompt\":null,"
     "\"storyboardImageUrl\":null,\"videoTaskProgress\":null,\"videoUrl\":null,"
     "\"generationTime\":null,\"requiredCredits\":null}",
     0, ""},
    {"reordered with extras", 200,
     "{\"generationTime\":12,\"extra\":{\"a\":[1,2,{\"videoUrl\":\"http://wrong\"}],\"b\":null},"
     "\"videoUrl\":\"https://v/x.mp4\",\"list\":[\"status\",\"failed\"],\"status\":\"completed\","
     "\"n\":-1.5e3,\"recordId\":\"r\",\"t\":true,\"success\":true}",
     0,
     "success=1|state=completed|state_raw=completed|record_id=r|video=https://v/x.mp4|gen_ms=12000"},
    {"nested unknown objects", 200,
     "{\"meta\":{\"status\":\"failed\",\"error\":\"nested\",\"deep\":{\"deeper\":{\"x\":[[[]]]}}},"
     "\"status\":\"processing\",\"recordId\":\"r1\"}",
     0, "state=processing|state_raw=processing|record_id=r1"},
    {"recordId and taskId as numbers", 200, "{\"recordId\":12345,\"taskId\":678}", 0,
     "record_id=12345|task_id=678"},
    {"recordId as non-integer number", 200, "{\"recordId\":1.5,\"taskId\":-3}", 0, ""},
    {"generationTime 180.5", 200, "{\"generationTime\":180.5}", 0, "gen_ms=180500"},
    {"generationTime \"180\"", 200, "{\"generationTime\":\"180\"}", 0, "gen_ms=180000"},
    {"generationTime \"180.25\"", 200, "{\"generationTime\":\"180.25\"}", 0, "gen_ms=180250"},
    {"generationTime 1.8e2", 200, "{\"generationTime\":1.8e2}", 0, "gen_ms=180000"},
    {"generationTime rounding", 200, "{\"generationTime\":0.0015}", 0, "gen_ms=2"},
    {"generationTime negative", 200, "{\"generationTime\":-4}", 0, ""},
    {"generationTime junk string", 200, "{\"generationTime\":\"3 minutes\"}", 0, ""},
    {"currentStep as string", 200, "{\"currentStep\":\"2\"}", 0, "current_step=2"},
    {"currentStep 2.0", 200, "{\"currentStep\":2.0}", 0, "current_step=2"},
    {"currentStep fractional", 200, "{\"currentStep\":2.5}", 0, ""},
    {"requiredCredits as string", 402, "{\"requiredCredits\":\"16\"}", 0, "credits=16"},
    {"videoTaskProgress number", 200, "{\"videoTaskProgress\":45.5}", 0, "progress=45.5"},
    {"wrong types ignored", 200,
     "{\"success\":\"true\",\"status\":1,\"errorCode\":7,\"error\":{\"m\":1},\"recordId\":[1],"
     "\"stepName\":false,\"storyboardPrompt\":3,\"videoUrl\":5,\"currentStep\":\"two\","
     "\"requiredCredits\":true}",
     0, ""},
    {"unknown status", 200, "{\"status\":\"queued\"}", 0, "state=other|state_raw=queued"},
    {"empty status", 200, "{\"status\":\"\"}", 0, ""},
    {"long unknown status cut to fit", 200,
     "{\"status\":\"waiting-for-a-free-gpu-slot\"}", 0,
     "state=other|state_raw=waiting-for-a-free-gpu-"},
    {"duplicate key: first wins", 200, "{\"status\":\"processing\",\"status\":\"completed\"}", 0,
     "state=processing|state_raw=processing"},
    {"escapes and surrogate pairs in prompt", 200,
     "{\"storyboardPrompt\":\"SC1: caf\\u00e9 \\\"run\\\"\\n\\ud83d\\ude00 \\u4e2d\\/x\"}", 0,
     "prompt=SC1: caf\xc3\xa9 \"run\"\n\xf0\x9f\x98\x80 \xe4\xb8\xad/x"},
    {"lone surrogates in optional fields", 200,
     "{\"stepName\":\"a\\udc00b\",\"videoUrl\":\"\\ud800\",\"status\":\"completed\"}", 0,
     "state=completed|state_raw=completed"},
    {"lone surrogates in recordId and status", 200,
     "{\"recordId\":\"\\ud83d\",\"status\":\"\\udfff\",\"success\":true}", 0, "success=1"},
    {"bad escape is a syntax error", 200, "{\"stepName\":\"a\\qb\",\"status\":\"completed\"}",
     TVC_ERR_JSON, ""},
    {"invalid UTF-8 in prompt", 200, "{\"storyboardPrompt\":\"ab\xc3\",\"status\":\"failed\"}", 0,
     "state=failed|state_raw=failed"},
    {"invalid UTF-8 in status", 200, "{\"status\":\"compl\xff" "eted\",\"recordId\":\"r\"}", 0,
     "record_id=r"},
    {"recordId too long", 200,
     "{\"recordId\":\"0123456789012345678901234567890123456789012345678901234567890123456789"
     "01234567890123456789012345\"}",
     0, "trunc=4"},
    {"error too long is kept cut", 500,
     "{\"error\":\"01234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789XYZ\"}",
     0, "trunc=2|error=012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678"},

    /* bodies that are not the expected JSON */
    {"malformed JSON with 200", 200, "{\"status\": \"completed\",}", TVC_ERR_JSON, ""},
    {"cut short with 200", 200, "{\"status\": \"completed\"", TVC_ERR_JSON, ""},
    {"empty body with 200", 200, "", TVC_ERR_JSON, ""},
    {"array root with 200", 200, "[{\"status\":\"completed\"}]", TVC_ERR_JSON_TYPE, ""},
    {"string root with 201", 201, "\"ok\"", TVC_ERR_JSON_TYPE, ""},
    {"HTML error page with 502", 502,
     "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", 0, ""},
    {"array root with 500", 500, "[1,2]", 0, ""},
    {"empty body with 404", 404, "", 0, ""},
    {"JSON 503 without errorCode", 503, "{\"message\":\"down\"}", 0, ""},
};

static void test_decode_table(void)
{
    size_t i;
    for (i = 0; i < sizeof dec_rows / sizeof dec_rows[0]; i++) {
        const struct dec_row *d = &dec_rows[i];
        struct tvc_api_result r;
        int rc;
        h_begin(d->name);
        rc = decode(d->body, strlen(d->body), d->status, 0, &r);
        CHECK_EQ(rc, d->rc);
        check_result(&r, d->status, d->expect);
        h_end();
    }
}

static void test_decode_long_prompt_unsqueezed(void)
{
    static char body[8192], want[TVC_API_PROMPT_MAX];
    struct tvc_api_result r;
    size_t i;
    int n = sprintf(body, "{\"status\":\"processing\",\"storyboardPrompt\":\"");
    for (i = 0; i < 3000; i++)
        body[n++] = (char)('a' + i % 26);
    n += sprintf(body + n, "\"}");
    CHECK_EQ(decode(body, (size_t)n, 200, 0, &r), 0);
    CHECK_EQ(r.truncated, TVC_TRUNC_PROMPT);
    CHECK_EQ(strlen(r.storyboard_prompt), TVC_API_PROMPT_MAX - 1);
    memcpy(want, body + strlen("{\"status\":\"processing\",\"storyboardPrompt\":\""),
           TVC_API_PROMPT_MAX - 1);
    want[TVC_API_PROMPT_MAX - 1] = '\0';
    CHECK_STR(r.storyboard_prompt, want);
    CHECK_EQ(r.state, TVC_STATE_PROCESSING);
}

static void test_decode_too_many_tokens(void)
{
    static char body[4096];
    struct tvc_api_result r;
    int i, n = sprintf(body, "{\"status\":\"completed\",\"x\":[");
    for (i = 0; i < TVC_JSON_TOKENS + 5; i++)
        n += sprintf(body + n, "%s1", i ? "," : "");
    n += sprintf(body + n, "]}");
    CHECK_EQ(decode(body, (size_t)n, 200, 0, &r), TVC_ERR_JSON_TOKENS);
    CHECK_EQ(decode(body, (size_t)n, 500, 0, &r), 0);
    CHECK_EQ(r.http_status, 500);
    CHECK_EQ(r.state, TVC_STATE_NONE);
}

static void test_decode_args(void)
{
    struct tvc_json_tok toks[4];
    struct tvc_api_result r;
    CHECK_EQ(tvc_api_decode("{}", 2, 200, 0, toks, 4, NULL), TVC_ERR_ARG);
    CHECK_EQ(tvc_api_decode("{}", 2, 200, 0, NULL, 0, &r), TVC_ERR_ARG);
    CHECK_EQ(tvc_api_decode(NULL, 5, 200, 0, toks, 4, &r), TVC_ERR_ARG);
    CHECK_EQ(tvc_api_decode(NULL, 0, 200, 0, toks, 4, &r), TVC_ERR_JSON);
    CHECK_EQ(tvc_api_decode(NULL, 0, 500, 0, toks, 4, &r), 0);
    CHECK_EQ(r.http_status, 500);
    CHECK_EQ(r.retry_after_s, -1);
}

/* ------------------------------------------------------------------ */
/* Squeezer                                                            */

struct sq_out {
    char buf[TVC_API_BUF];
    size_t len;
    int overflow;
    unsigned truncated;
    int last_rc;
};

/* Feed @p in cut at the offsets chosen by @p step (NULL: all at once). */
static void squeeze(const char *in, size_t len, size_t cap, size_t max_str,
                    size_t (*step)(size_t pos, void *st), void *st, struct sq_out *o)
{
    struct tvc_jsq q;
    size_t pos = 0;
    int rc = 0;

    memset(o, 0, sizeof *o);
    tvc_jsq_init(&q, o->buf, cap, max_str);
    while (pos < len) {
        size_t n = step ? step(pos, st) : len - pos;
        if (n == 0)
            n = 1;
        if (n > len - pos)
            n = len - pos;
        rc = tvc_jsq_feed(&q, (const uint8_t *)in + pos, n);
        pos += n;
    }
    if (len == 0)
        rc = tvc_jsq_feed(&q, NULL, 0);
    o->len = q.len;
    o->overflow = q.overflow;
    o->truncated = q.truncated;
    o->last_rc = rc;
}

static size_t one_byte(size_t pos, void *st)
{
    (void)pos;
    (void)st;
    return 1;
}

static size_t random_step(size_t pos, void *st)
{
    unsigned *seed = st;
    (void)pos;
    *seed = *seed * 1103515245u + 12345u;
    return 1 + (*seed >> 16) % 17;
}

static size_t rand_big_step(size_t pos, void *st)
{
    unsigned *seed = st;
    (void)pos;
    *seed = *seed * 1103515245u + 12345u;
    return 1 + (*seed >> 8) % 3000;
}

static int same(const struct sq_out *a, const struct sq_out *b)
{
    return a->len == b->len && memcmp(a->buf, b->buf, a->len) == 0 &&
           a->overflow == b->overflow && a->truncated == b->truncated &&
           a->last_rc == b->last_rc;
}

/* Every segmentation gives the same output as feeding all at once. */
static void check_segmentations(const char *in, size_t len, size_t cap, size_t max_str,
                                struct sq_out *ref)
{
    static struct sq_out o;
    unsigned seed;
    int k;

    squeeze(in, len, cap, max_str, NULL, NULL, ref);
    squeeze(in, len, cap, max_str, one_byte, NULL, &o);
    CHECK(same(ref, &o));
    for (k = 0; k < 40; k++) {
        seed = 12345u + (unsigned)k;
        squeeze(in, len, cap, max_str, k % 2 ? random_step : rand_big_step, &seed, &o);
        if (!same(ref, &o)) {
            CHECK(same(ref, &o));
            break;
        }
    }
    CHECK(ref->len < (cap ? cap : 1));
    if (cap)
        CHECK_EQ(ref->buf[ref->len], '\0');
}

struct sq_row {
    const char *name;
    const char *in;
    size_t max_str;
    const char *out;
    unsigned truncated;
};

static const struct sq_row sq_rows[] = {
    {"short strings untouched", "{\"a\":\"xyz\",\"b\":[1,true,null]}", 8,
     "{\"a\":\"xyz\",\"b\":[1,true,null]}", 0},
    {"white space dropped", " {\n \"a\" : 1 ,\t\"b\" : [ true , false ] } \r\n", 8,
     "{\"a\":1,\"b\":[true,false]}", 0},
    {"white space between scalars kept", "[1  2, tr ue]", 8, "[1 2,tr ue]", 0},
    {"white space inside strings kept", "{\"a b\":\" x \"}", 8, "{\"a b\":\" x \"}", 0},
    {"exactly max_str kept", "{\"k\":\"12345678\"}", 8, "{\"k\":\"12345678\"}", 0},
    {"max_str + 1 cut", "{\"k\":\"123456789\"}", 8, "{\"k\":\"12345678\"}", TVC_TRUNC_OTHER},
    {"prompt bit", "{\"storyboardPrompt\":\"0123456789abcdefXYZ\",\"x\":1}", 16,
     "{\"storyboardPrompt\":\"0123456789abcdef\",\"x\":1}", TVC_TRUNC_PROMPT},
    {"error bit", "{\"error\":\"0123456789\"}", 5, "{\"error\":\"01234\"}", TVC_TRUNC_ERROR},
    {"error bit for nested value", "{\"error\":{\"message\":\"0123456789\"}}", 7,
     "{\"error\":{\"message\":\"0123456\"}}", TVC_TRUNC_ERROR},
    {"long key cut, bit other", "{\"storyboardPrompt\":\"0\"}", 10,
     "{\"storyboard\":\"0\"}", TVC_TRUNC_OTHER},
    {"nested long key: other", "{\"error\":{\"0123456789\":1}}", 5,
     "{\"error\":{\"01234\":1}}", TVC_TRUNC_OTHER},
    {"array at root: other", "[\"0123456789\",\"error\"]", 5, "[\"01234\",\"error\"]",
     TVC_TRUNC_OTHER},
    {"bare string root", "\"0123456789\"", 5, "\"01234\"", TVC_TRUNC_OTHER},
    {"key not at depth 1 does not rename",
     "{\"a\":{\"storyboardPrompt\":\"0123456789abcdefXYZ\"}}", 16,
     "{\"a\":{\"storyboardPrompt\":\"0123456789abcdef\"}}", TVC_TRUNC_OTHER},
    {"escaped quote in skipped part", "{\"error\":\"012345\\\"\\\\\\\"x\",\"y\":\"z\"}", 5,
     "{\"error\":\"01234\",\"y\":\"z\"}", TVC_TRUNC_ERROR},
    {"cut on an escaped quote", "{\"error\":\"abcde\\\"fg\",\"y\":\"z\"}", 5,
     "{\"error\":\"abcde\",\"y\":\"z\"}", TVC_TRUNC_ERROR},
    {"cut on an escaped backslash before a quote",
     "{\"error\":\"abcde\\\\\",\"y\":\"z\"}", 5, "{\"error\":\"abcde\",\"y\":\"z\"}",
     TVC_TRUNC_ERROR},
    /* (a lone surrogate: the cut string is kept invalid, issue 9) */
    {"cut after a high surrogate, on the backslash", "{\"error\":\"\\ud83d\\\"z\",\"y\":1}", 6,
     "{\"error\":\"\\uDC00\",\"y\":1}", TVC_TRUNC_ERROR},
    {"simple escape not split", "{\"error\":\"abcd\\ne\"}", 5, "{\"error\":\"abcd\"}",
     TVC_TRUNC_ERROR},
    {"simple escape at the end fits", "{\"error\":\"abc\\n\"}", 5, "{\"error\":\"abc\\n\"}", 0},
    {"\\u escape not split", "{\"error\":\"ab\\u00e9z\"}", 7, "{\"error\":\"ab\"}",
     TVC_TRUNC_ERROR},
    {"\\u escape kept whole", "{\"error\":\"ab\\u00e9z\"}", 8, "{\"error\":\"ab\\u00e9\"}",
     TVC_TRUNC_ERROR},
    {"surrogate pair is one unit", "{\"error\":\"a\\ud83d\\ude00b\"}", 12, "{\"error\":\"a\"}",
     TVC_TRUNC_ERROR},
    {"surrogate pair kept whole", "{\"error\":\"a\\ud83d\\ude00b\"}", 13,
     "{\"error\":\"a\\ud83d\\ude00\"}", TVC_TRUNC_ERROR},
    {"UTF-8 not split", "{\"error\":\"abcd\xf0\x9f\x98\x80\xc3\xa9\"}", 7,
     "{\"error\":\"abcd\"}", TVC_TRUNC_ERROR},
    {"UTF-8 kept whole", "{\"error\":\"abcd\xf0\x9f\x98\x80\xc3\xa9\"}", 9,
     "{\"error\":\"abcd\xf0\x9f\x98\x80\"}", TVC_TRUNC_ERROR},
    {"max_str 0", "{\"a\":\"x\",\"b\":\"\"}", 0, "{\"\":\"\",\"\":\"\"}", TVC_TRUNC_OTHER},
    {"malformed copied", "{\"a\":\"\\u12\"}]]]}}}", 40, "{\"a\":\"\\u12\"}]]]}}}", 0},
};

static void test_squeeze_table(void)
{
    size_t i;
    static struct sq_out o;
    for (i = 0; i < sizeof sq_rows / sizeof sq_rows[0]; i++) {
        const struct sq_row *r = &sq_rows[i];
        h_begin(r->name);
        check_segmentations(r->in, strlen(r->in), sizeof o.buf, r->max_str, &o);
        CHECK_STR(o.buf, r->out);
        CHECK_EQ(o.truncated, r->truncated);
        CHECK_EQ(o.overflow, 0);
        CHECK_EQ(o.last_rc, 0);
        h_end();
    }
}

/* Cut strings at every max_str: always valid JSON, a prefix of whole units. */
static void check_cuts(const char *full_str, size_t unit_hint)
{
    static char in[2048], expect_dec[2048], got_dec[2048];
    static struct sq_out o;
    struct tvc_json_tok toks[8];
    struct tvc_json j;
    size_t m, n_full, dl;
    int n = sprintf(in, "{\"storyboardPrompt\":\"%s\",\"status\":\"completed\"}", full_str);

    (void)unit_hint;
    CHECK(tvc_json_parse(&j, in, (size_t)n, toks, 8) > 0);
    CHECK_EQ(tvc_json_string(&j, 2, expect_dec, sizeof expect_dec, &n_full), 0);
    for (m = 16; m <= strlen(full_str) + 1; m++) { /* below 16 the key is cut too */
        check_segmentations(in, (size_t)n, sizeof o.buf, m, &o);
        if (tvc_json_parse(&j, o.buf, o.len, toks, 8) != 5) {
            CHECK(!"squeezed text parses");
            return;
        }
        if (tvc_json_string(&j, 2, got_dec, sizeof got_dec, &dl) != 0) {
            CHECK(!"cut string decodes");
            return;
        }
        CHECK(dl <= n_full && memcmp(got_dec, expect_dec, dl) == 0);
        CHECK(tvc_json_string_eq(&j, 4, "completed"));
        if (m >= strlen(full_str))
            CHECK_EQ(o.truncated, 0);
        else
            CHECK_EQ(o.truncated, TVC_TRUNC_PROMPT);
    }
}

static void test_squeeze_units(void)
{
    check_cuts("\\ud83d\\ude00\\ud83d\\ude01x\\uD83D\\uDE02\\n\\t\\\"\\\\\\/\\u0041", 12);
    check_cuts("caf\xc3\xa9 \xe4\xb8\xad\xf0\x9f\x98\x80\xc3\xa9\xe2\x82\xac", 4);
    check_cuts("SC1: \\u00e9\xe2\x82\xac\\ud83d\\ude00\xf0\x9f\x98\x80\\\\\\\"", 12);
}

static void test_squeeze_overflow(void)
{
    static struct sq_out o;
    const char *in = "{\"a\":\"0123456789\",\"b\":\"0123456789\",\"c\":\"0123456789\"}";
    struct tvc_jsq q;
    char small[20];
    int rc;

    check_segmentations(in, strlen(in), 20, 100, &o);
    CHECK_EQ(o.overflow, 1);
    CHECK_EQ(o.last_rc, TVC_ERR_NOSPACE);
    CHECK_EQ(o.len, 19);
    CHECK_MEM(o.buf, o.len, in, 19);

    /* exactly fitting: cap = len + 1 */
    check_segmentations(in, strlen(in), strlen(in) + 1, 100, &o);
    CHECK_EQ(o.overflow, 0);
    CHECK_STR(o.buf, in);
    check_segmentations(in, strlen(in), strlen(in), 100, &o);
    CHECK_EQ(o.overflow, 1);

    /* sticky */
    tvc_jsq_init(&q, small, sizeof small, 100);
    CHECK_EQ(tvc_jsq_feed(&q, (const uint8_t *)in, strlen(in)), TVC_ERR_NOSPACE);
    CHECK_EQ(tvc_jsq_feed(&q, (const uint8_t *)"1", 1), TVC_ERR_NOSPACE);
    CHECK_EQ(tvc_jsq_feed(&q, NULL, 0), TVC_ERR_NOSPACE);
    CHECK_EQ(q.len, 19);

    /* zero capacity */
    tvc_jsq_init(&q, NULL, 0, 10);
    CHECK_EQ(tvc_jsq_feed(&q, (const uint8_t *)"{", 1), TVC_ERR_NOSPACE);
    CHECK_EQ(q.overflow, 1);
    tvc_jsq_init(&q, small, 1, 10);
    CHECK_EQ(tvc_jsq_feed(&q, (const uint8_t *)" ", 1), 0); /* dropped: nothing written */
    CHECK_EQ(tvc_jsq_feed(&q, (const uint8_t *)"1", 1), TVC_ERR_NOSPACE);
    CHECK_EQ(small[0], '\0');

    rc = tvc_jsq_feed(NULL, (const uint8_t *)"1", 1);
    CHECK_EQ(rc, TVC_ERR_ARG);
    tvc_jsq_init(&q, small, sizeof small, 10);
    CHECK_EQ(tvc_jsq_feed(&q, NULL, 3), TVC_ERR_ARG);
}

/* Random bytes (and random JSON-ish soup): never beyond cap, same output
 * for every segmentation (ASan/UBSan watch the rest). */
static void test_squeeze_garbage(void)
{
    static char in[5000];
    static struct sq_out o;
    const char alphabet[] = "{}[]:,\"\\u0dD8eE9aAbB \n\t\xc3\xa9\xf0\x9f\x98\x80\xed\xff";
    unsigned seed = 777;
    int k;
    size_t i;

    for (k = 0; k < 60; k++) {
        size_t len = 1 + (size_t)k * 80;
        for (i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = (k % 3 == 0) ? (char)(seed >> 16)
                                 : alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        check_segmentations(in, len, (k % 4) ? 300 : sizeof o.buf, (size_t)(k % 13), &o);
        {
            /* whatever came out, decoding it is safe */
            struct tvc_api_result r;
            int rc = decode(o.buf, o.len, 200, o.truncated, &r);
            CHECK(rc == 0 || rc == TVC_ERR_JSON || rc == TVC_ERR_JSON_TYPE ||
                  rc == TVC_ERR_JSON_TOKENS);
            CHECK_EQ(decode(o.buf, o.len, 500, o.truncated, &r), 0);
            CHECK_EQ(decode(in, len, 503, 0, &r), 0);
        }
        if (h_failed_now())
            break;
    }
}

/* Random valid JSON (strings of every unit kind, nesting): the squeezed
 * text parses to the same token structure and every string decodes to a
 * prefix of the original one. */
static unsigned rnd_state;

static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 12) % n;
}

static size_t gen_string(char *o)
{
    static const char *const units[] = {
        "a", "Z", " ", "/", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\u4E2D",
        "\\ud83d\\ude00", "\\uD83D\\uDE4F", "\xc3\xa9", "\xe2\x82\xac",
        "\xf0\x9f\x98\x80", "\\t", "\\u0000", "\\b"};
    size_t n = 0;
    unsigned k, count = rnd(4) == 0 ? rnd(200) : rnd(20);
    o[n++] = '"';
    for (k = 0; k < count; k++) {
        const char *u = units[rnd(sizeof units / sizeof units[0])];
        memcpy(o + n, u, strlen(u));
        n += strlen(u);
    }
    o[n++] = '"';
    return n;
}

static size_t gen_value(char *o, int depth)
{
    size_t n = 0;
    unsigned k, count, kind = depth > 3 ? rnd(3) : rnd(6);
    if (kind == 0)
        return gen_string(o);
    if (kind == 1) {
        static const char *const lits[] = {"true", "false", "null", "0", "-12.5e3", "180"};
        const char *l = lits[rnd(6)];
        memcpy(o, l, strlen(l));
        return strlen(l);
    }
    if (kind == 2)
        return gen_string(o);
    count = rnd(5);
    o[n++] = kind == 3 ? '[' : '{';
    for (k = 0; k < count; k++) {
        if (k)
            o[n++] = ',';
        if (rnd(3) == 0)
            o[n++] = ' ';
        if (kind != 3) {
            n += gen_string(o + n);
            o[n++] = ':';
        }
        n += gen_value(o + n, depth + 1);
    }
    o[n++] = kind == 3 ? ']' : '}';
    return n;
}

static void test_squeeze_random_json(void)
{
    static char in[200000], a[4096], b[4096];
    static struct sq_out o;
    static struct tvc_json_tok t1[4000], t2[4000];
    struct tvc_json j1, j2;
    int k, n1, n2, i, cut = 0, whole = 0;

    rnd_state = 4242;
    for (k = 0; k < 300; k++) {
        size_t len = 0, max_str = rnd(4) == 0 ? 2000 : rnd(60);
        unsigned f, fields = 1 + rnd(8);
        in[len++] = '{';
        for (f = 0; f < fields; f++) {
            if (f)
                in[len++] = ',';
            len += gen_string(in + len);
            in[len++] = ':';
            len += gen_value(in + len, 1);
        }
        in[len++] = '}';
        n1 = tvc_json_parse(&j1, in, len, t1, 4000);
        if (n1 <= 0) {
            CHECK(!"generated JSON parses");
            return;
        }
        check_segmentations(in, len, sizeof o.buf, max_str, &o);
        if (o.overflow)
            continue;
        if (o.truncated)
            cut++;
        else
            whole++;
        n2 = tvc_json_parse(&j2, o.buf, o.len, t2, 4000);
        if (n2 != n1) {
            CHECK_EQ(n2, n1);
            return;
        }
        {
            struct tvc_api_result r;
            int rc = decode(o.buf, o.len, 200, o.truncated, &r);
            CHECK(rc == 0 || rc == TVC_ERR_JSON_TOKENS);
        }
        for (i = 0; i < n1; i++) {
            size_t la, lb;
            int ka = tvc_json_kind(&j1, i), kb = tvc_json_kind(&j2, i);
            CHECK_EQ(ka, kb);
            if (ka != TVC_JSON_STRING)
                continue;
            CHECK_EQ(tvc_json_string(&j1, i, a, sizeof a, &la), 0);
            /* a U+0000 (which tvc_api_decode refuses) that a cut dropped
             * leaves the squeezed string invalid too (issue 9) */
            if (memchr(a, 0, la) != NULL &&
                tvc_json_string(&j2, i, b, sizeof b, &lb) == TVC_ERR_JSON_ESCAPE)
                continue;
            if (tvc_json_string(&j2, i, b, sizeof b, &lb) != 0 || lb > la ||
                memcmp(a, b, lb) != 0) {
                CHECK(!"squeezed string is a decodable prefix");
                return;
            }
        }
        if (h_failed_now())
            return;
    }
    CHECK(cut > 150); /* the table really exercises cutting ... */
    CHECK(whole > 10); /* ... and texts that need none */
}

/* A 100 KB prompt squeezed into the default buffer still leaves the
 * fields after it readable. */
static void test_squeeze_big_prompt(void)
{
    static char in[120000];
    static struct sq_out o;
    static char want[TVC_API_PROMPT_MAX];
    struct tvc_api_result r;
    int n = sprintf(in, "{\"success\":true,\"recordId\":\"tvc_1\",\"storyboardPrompt\":\"");
    int start = n, i;

    for (i = 0; n < 100 * 1024; i++) {
        if (i % 50 == 0)
            n += sprintf(in + n, "\\u00e9\\ud83d\\ude00\\n");
        else
            in[n++] = (char)('A' + i % 26);
    }
    n += sprintf(in + n, "\",\"status\":\"completed\",\"videoUrl\":\"https://video.nanophoto.ai/"
                         "sora/abc.mp4\",\"generationTime\":180}");
    check_segmentations(in, (size_t)n, TVC_API_BUF, TVC_API_STR_MAX, &o);
    CHECK_EQ(o.overflow, 0);
    CHECK_EQ(o.truncated, TVC_TRUNC_PROMPT);
    CHECK(o.len < 1500);
    CHECK_EQ(decode(o.buf, o.len, 200, o.truncated, &r), 0);
    CHECK_EQ(r.state, TVC_STATE_COMPLETED);
    CHECK_STR(r.video_url, "https://video.nanophoto.ai/sora/abc.mp4");
    CHECK_STR(r.record_id, "tvc_1");
    CHECK_EQ(r.generation_time_ms, 180000);
    CHECK_EQ(r.truncated, TVC_TRUNC_PROMPT);
    CHECK(strlen(r.storyboard_prompt) > 500);
    /* the kept part is the start of the real prompt */
    memcpy(want, "\xc3\xa9\xf0\x9f\x98\x80\n", 7);
    CHECK(memcmp(r.storyboard_prompt, want, 7) == 0);
    CHECK(in[start] == '\\');
}

/* videoUrl longer than a field: never used cut. */
static void test_squeeze_long_url(void)
{
    static char in[12000], url[4000];
    static struct sq_out o;
    struct tvc_api_result r;
    size_t i;
    int n;

    /* (a) 3000 bytes: the squeezer cuts it */
    strcpy(url, "https://video.nanophoto.ai/");
    for (i = strlen(url); i < 3000; i++)
        url[i] = 'a';
    url[i] = '\0';
    n = sprintf(in, "{\"status\":\"completed\",\"videoUrl\":\"%s\",\"recordId\":\"r\"}", url);
    check_segmentations(in, (size_t)n, TVC_API_BUF, TVC_API_STR_MAX, &o);
    CHECK_EQ(o.truncated, TVC_TRUNC_OTHER);
    CHECK_EQ(decode(o.buf, o.len, 200, o.truncated, &r), 0);
    CHECK_STR(r.video_url, "");
    CHECK_EQ(r.truncated, TVC_TRUNC_OTHER);
    CHECK_EQ(r.state, TVC_STATE_COMPLETED);
    CHECK_STR(r.record_id, "r");

    /* (b) exactly TVC_URL_MAX - 1 bytes: whole, usable */
    url[TVC_URL_MAX - 1] = '\0';
    n = sprintf(in, "{\"status\":\"completed\",\"videoUrl\":\"%s\"}", url);
    check_segmentations(in, (size_t)n, TVC_API_BUF, TVC_API_STR_MAX, &o);
    CHECK_EQ(o.truncated, 0);
    CHECK_EQ(decode(o.buf, o.len, 200, o.truncated, &r), 0);
    CHECK_STR(r.video_url, url);
    CHECK_EQ(r.truncated, 0);

    /* (c) one byte more, not squeezed: does not fit the field */
    url[TVC_URL_MAX - 1] = 'a';
    url[TVC_URL_MAX] = '\0';
    n = sprintf(in, "{\"videoUrl\":\"%s\",\"storyboardImageUrl\":\"%s\"}", url, url);
    CHECK_EQ(decode(in, (size_t)n, 200, 0, &r), 0);
    CHECK_STR(r.video_url, "");
    CHECK_STR(r.storyboard_image_url, "");
    CHECK_EQ(r.truncated, TVC_TRUNC_OTHER);

    /* (d) escaped slashes: 1500 raw bytes; the squeezer's cut at 1023 raw
     * bytes decodes to about 690, short enough to fit the field, so only
     * the squeezer's report tells the decoder it must not be used */
    strcpy(url, "https:\\/\\/video.nanophoto.ai");
    for (i = strlen(url); i < 1500; i += 3)
        memcpy(url + i, "\\/a", 3);
    url[i] = '\0';
    n = sprintf(in, "{\"videoUrl\":\"%s\",\"status\":\"completed\"}", url);
    check_segmentations(in, (size_t)n, TVC_API_BUF, TVC_API_STR_MAX, &o);
    CHECK_EQ(o.truncated, TVC_TRUNC_OTHER);
    CHECK_EQ(decode(o.buf, o.len, 200, o.truncated, &r), 0);
    CHECK_STR(r.video_url, "");
    CHECK_EQ(r.truncated, TVC_TRUNC_OTHER);

    /* (e) an unknown field cut does not spoil a short URL, nor flag it */
    n = sprintf(in, "{\"debug\":\"%s\",\"videoUrl\":\"https://v/x.mp4\"}", url);
    check_segmentations(in, (size_t)n, TVC_API_BUF, TVC_API_STR_MAX, &o);
    CHECK_EQ(o.truncated, TVC_TRUNC_OTHER);
    CHECK_EQ(decode(o.buf, o.len, 200, o.truncated, &r), 0);
    CHECK_STR(r.video_url, "https://v/x.mp4");
    CHECK_EQ(r.truncated, 0);
}

/* ------------------------------------------------------------------ */
/* Bodies and validation                                               */

struct body_row {
    const char *name;
    struct tvc_gen_params p;
    const char *json;
};

static const struct body_row body_rows[] = {
    {"basic", {"Nike running shoes - feel the speed", NULL, NULL, 15, 1},
     "{\"adTheme\":\"Nike running shoes - feel the speed\",\"videoDuration\":\"15\","
     "\"aspectRatio\":\"landscape\"}"},
    {"defaults", {"x", NULL, "", 0, 0},
     "{\"adTheme\":\"x\",\"videoDuration\":\"10\",\"aspectRatio\":\"portrait\"}"},
    {"all fields",
     {"Luxury perfume - elegance in every drop",
      "Discover the essence of elegance. A fragrance that speaks to your soul.",
      "https://example.com/perfume-reference.jpg", 15, 0},
     "{\"adTheme\":\"Luxury perfume - elegance in every drop\",\"voiceoverScript\":\"Discover "
     "the essence of elegance. A fragrance that speaks to your soul.\",\"referenceImageUrl\":"
     "\"https://example.com/perfume-reference.jpg\",\"videoDuration\":\"15\","
     "\"aspectRatio\":\"portrait\"}"},
    {"quotes and backslashes", {"say \"hi\" \\o/", "C:\\path", NULL, 10, 0},
     "{\"adTheme\":\"say \\\"hi\\\" \\\\o/\",\"voiceoverScript\":\"C:\\\\path\","
     "\"videoDuration\":\"10\",\"aspectRatio\":\"portrait\"}"},
    {"control characters", {"a\nb\tc\x01" "d\x7f", "\r\b\f", NULL, 10, 0},
     "{\"adTheme\":\"a\\nb\\tc\\u0001d\\u007f\",\"voiceoverScript\":\"\\r\\b\\f\","
     "\"videoDuration\":\"10\",\"aspectRatio\":\"portrait\"}"},
    {"non-ASCII and emoji", {"Caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x91\x9f", NULL,
                             "http://example.com/a%20b.png?x=1&y=%C3%A9", 10, 1},
     "{\"adTheme\":\"Caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x91\x9f\","
     "\"referenceImageUrl\":\"http://example.com/a%20b.png?x=1&y=%C3%A9\","
     "\"videoDuration\":\"10\",\"aspectRatio\":\"landscape\"}"},
};

static void test_body_table(void)
{
    size_t i;
    char buf[1024];
    for (i = 0; i < sizeof body_rows / sizeof body_rows[0]; i++) {
        const struct body_row *b = &body_rows[i];
        int n;
        h_begin(b->name);
        n = tvc_api_generate_body(&b->p, buf, sizeof buf);
        CHECK_EQ(n, (int)strlen(b->json));
        CHECK_STR(buf, b->json);
        /* the body parses back */
        if (n > 0) {
            struct tvc_json_tok t[16];
            struct tvc_json j;
            char v[256];
            CHECK(tvc_json_parse(&j, buf, (size_t)n, t, 16) > 0);
            CHECK_EQ(tvc_json_string(&j, tvc_json_find(&j, 0, "adTheme"), v, sizeof v, NULL), 0);
            CHECK_STR(v, b->p.ad_theme);
        }
        /* too small: NOSPACE at every smaller size */
        CHECK_EQ(tvc_api_generate_body(&b->p, buf, strlen(b->json)), TVC_ERR_NOSPACE);
        CHECK_EQ(tvc_api_generate_body(&b->p, buf, 1), TVC_ERR_NOSPACE);
        CHECK_EQ(tvc_api_generate_body(&b->p, NULL, 0), TVC_ERR_NOSPACE);
        h_end();
    }
}

static void test_status_body(void)
{
    char buf[64];
    CHECK_EQ(tvc_api_status_body("tvc_record_id", NULL, buf, sizeof buf), 28);
    CHECK_STR(buf, "{\"recordId\":\"tvc_record_id\"}");
    CHECK_EQ(tvc_api_status_body("r\"1", "t", buf, sizeof buf), 19);
    CHECK_STR(buf, "{\"recordId\":\"r\\\"1\"}");
    CHECK_EQ(tvc_api_status_body(NULL, "video_task_id", buf, sizeof buf), 26);
    CHECK_STR(buf, "{\"taskId\":\"video_task_id\"}");
    CHECK_EQ(tvc_api_status_body("", "t1", buf, sizeof buf), 15);
    CHECK_STR(buf, "{\"taskId\":\"t1\"}");
    CHECK_EQ(tvc_api_status_body(NULL, NULL, buf, sizeof buf), TVC_ERR_ARG);
    CHECK_EQ(tvc_api_status_body("", "", buf, sizeof buf), TVC_ERR_ARG);
    CHECK_EQ(tvc_api_status_body("a\xff", NULL, buf, sizeof buf), TVC_ERR_UTF8);
    CHECK_EQ(tvc_api_status_body("tvc_record_id", NULL, buf, 28), TVC_ERR_NOSPACE);
    CHECK_EQ(tvc_api_status_body("tvc_record_id", NULL, buf, 29), 28);
}

struct val_row {
    const char *name;
    struct tvc_gen_params p;
    int rc;
    const char *why_has; /* substring of the reason */
};

static const struct val_row val_rows[] = {
    {"ok", {"theme", NULL, NULL, 10, 0}, 0, NULL},
    {"ok 15 landscape with URL", {"theme", "vo", "https://example.com/a.jpg", 15, 1}, 0, NULL},
    {"ok http URL with port", {"theme", NULL, "http://1.2.3.4:8080/a.png", 0, 0}, 0, NULL},
    {"NULL theme", {NULL, NULL, NULL, 10, 0}, TVC_ERR_ARG, "adTheme"},
    {"empty theme", {"", NULL, NULL, 10, 0}, TVC_ERR_ARG, "adTheme"},
    {"whitespace theme", {" \t\r\n ", NULL, NULL, 10, 0}, TVC_ERR_ARG, "adTheme"},
    {"duration 12", {"theme", NULL, NULL, 12, 0}, TVC_ERR_ARG, "videoDuration"},
    {"duration -10", {"theme", NULL, NULL, -10, 0}, TVC_ERR_ARG, "videoDuration"},
    {"data: URI", {"theme", NULL, "data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==", 10, 0},
     TVC_ERR_ARG, "referenceImageUrl must be a public http(s) URL"},
    {"base64 text", {"theme", NULL, "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4", 10, 0},
     TVC_ERR_ARG, "referenceImageUrl"},
    {"ftp URL", {"theme", NULL, "ftp://example.com/a.png", 10, 0}, TVC_ERR_ARG,
     "data: URIs and base64 are refused"},
    {"relative URL", {"theme", NULL, "/images/a.png", 10, 0}, TVC_ERR_ARG, "referenceImageUrl"},
    {"URL with user", {"theme", NULL, "https://u:p@example.com/a.png", 10, 0}, TVC_ERR_ARG,
     "referenceImageUrl"},
    {"invalid UTF-8 theme", {"caf\xc3", NULL, NULL, 10, 0}, TVC_ERR_UTF8, "adTheme"},
    {"invalid UTF-8 voiceover", {"theme", "\xed\xa0\x80", NULL, 10, 0}, TVC_ERR_UTF8,
     "voiceoverScript"},
    {"invalid UTF-8 URL", {"theme", NULL, "https://example.com/\xff", 10, 0}, TVC_ERR_UTF8,
     "referenceImageUrl"},
    {"URL with raw non-ASCII", {"theme", NULL, "https://example.com/caf\xc3\xa9.png", 10, 0},
     TVC_ERR_ARG, "referenceImageUrl"},
    {"URL with space", {"theme", NULL, "https://example.com/a b.png", 10, 0}, TVC_ERR_ARG,
     "referenceImageUrl"},
    {"overlong UTF-8", {"\xc0\xaf", NULL, NULL, 10, 0}, TVC_ERR_UTF8, "UTF-8"},
};

static void test_validate_table(void)
{
    size_t i;
    char buf[512];
    for (i = 0; i < sizeof val_rows / sizeof val_rows[0]; i++) {
        const struct val_row *v = &val_rows[i];
        const char *why = "unset";
        int rc;
        h_begin(v->name);
        rc = tvc_api_validate(&v->p, &why);
        CHECK_EQ(rc, v->rc);
        if (v->why_has) {
            CHECK(why != NULL && strstr(why, v->why_has) != NULL);
        } else {
            CHECK(why == NULL);
        }
        CHECK_EQ(tvc_api_validate(&v->p, NULL), v->rc);
        /* the body writer refuses the same way, writing nothing usable */
        rc = tvc_api_generate_body(&v->p, buf, sizeof buf);
        if (v->rc == 0)
            CHECK(rc > 0);
        else
            CHECK_EQ(rc, v->rc);
        h_end();
    }
    h_begin("NULL params");
    {
        const char *why = NULL;
        CHECK_EQ(tvc_api_validate(NULL, &why), TVC_ERR_ARG);
        CHECK(why != NULL);
    }
    h_end();
}

/* ------------------------------------------------------------------ */
/* errorCodes                                                          */

static void test_codes(void)
{
    static const char *const names[] = {
        "LOGIN_REQUIRED", "API_KEY_RATE_LIMIT_EXCEEDED", "INSUFFICIENT_CREDITS",
        "INVALID_INPUT", "REFERENCE_IMAGE_URL_REQUIRED", "GENERATION_FAILED",
        "RECORD_NOT_FOUND", "UNAUTHORIZED", "INTERNAL_ERROR"};
    static const int codes[] = {
        TVC_API_LOGIN_REQUIRED, TVC_API_RATE_LIMIT_EXCEEDED, TVC_API_INSUFFICIENT_CREDITS,
        TVC_API_INVALID_INPUT, TVC_API_REFERENCE_IMAGE_URL_REQUIRED, TVC_API_GENERATION_FAILED,
        TVC_API_RECORD_NOT_FOUND, TVC_API_UNAUTHORIZED, TVC_API_INTERNAL_ERROR};
    int i;
    for (i = 0; i < 9; i++) {
        CHECK_EQ(tvc_api_code_from(names[i], strlen(names[i])), codes[i]);
        CHECK_STR(tvc_api_code_name(codes[i]), names[i]);
        /* a prefix or a longer word is not the code */
        CHECK_EQ(tvc_api_code_from(names[i], strlen(names[i]) - 1), TVC_API_OTHER);
    }
    CHECK_EQ(tvc_api_code_from("LOGIN_REQUIRED_X", 16), TVC_API_OTHER);
    CHECK_EQ(tvc_api_code_from("login_required", 14), TVC_API_OTHER);
    CHECK_EQ(tvc_api_code_from("", 0), TVC_API_NONE);
    CHECK_EQ(tvc_api_code_from(NULL, 3), TVC_API_NONE);
    CHECK_STR(tvc_api_code_name(TVC_API_NONE), "");
    CHECK_STR(tvc_api_code_name(TVC_API_OTHER), "OTHER");
    CHECK_STR(tvc_api_code_name(-1), "");
    CHECK_STR(tvc_api_code_name(99), "");
}

/* ------------------------------------------------------------------ */
/* Retry-After                                                         */

#define NOW_1994 784111777LL /* Sun, 06 Nov 1994 08:49:37 GMT */
#define NOW_2025 1748736000LL /* Sun, 01 Jun 2025 00:00:00 GMT */

struct ra_row {
    const char *name;
    const char *s;
    int64_t now;
    int64_t want;
};

static const struct ra_row ra_rows[] = {
    {"seconds", "7", -1, 7},
    {"zero", "0", -1, 0},
    {"surrounding white space", " \t120 \r\n", -1, 120},
    {"leading zeros", "007", -1, 7},
    {"huge clamps", "99999999999999999999999999", -1, 2147483647},
    {"just below clamp", "2147483646", NOW_1994, 2147483646},
    {"negative", "-1", -1, TVC_ERR_HTTP},
    {"plus sign", "+7", -1, TVC_ERR_HTTP},
    {"decimal", "1.5", -1, TVC_ERR_HTTP},
    {"suffix", "7s", -1, TVC_ERR_HTTP},
    {"inner space", "1 2", -1, TVC_ERR_HTTP},
    {"empty", "", -1, TVC_ERR_HTTP},
    {"blank", "   ", -1, TVC_ERR_HTTP},
    {"garbage", "soon", NOW_1994, TVC_ERR_HTTP},
    {"IMF-fixdate", "Sun, 06 Nov 1994 08:50:37 GMT", NOW_1994, 60},
    {"IMF-fixdate same second", "Sun, 06 Nov 1994 08:49:37 GMT", NOW_1994, 0},
    {"IMF-fixdate past", "Sat, 05 Nov 1994 08:49:37 GMT", NOW_1994, 0},
    {"IMF-fixdate next day", "Mon, 07 Nov 1994 08:49:37 GMT", NOW_1994, 86400},
    {"IMF-fixdate lower case", "sun, 06 nov 1994 08:50:37 gmt", NOW_1994, 60},
    {"IMF-fixdate trimmed", "  Sun, 06 Nov 1994 08:50:37 GMT\t", NOW_1994, 60},
    {"IMF-fixdate without clock", "Sun, 06 Nov 1994 08:50:37 GMT", -1, TVC_ERR_STATE},
    {"IMF-fixdate UTC", "Sun, 06 Nov 1994 08:50:37 UTC", NOW_1994, TVC_ERR_HTTP},
    {"IMF-fixdate bad hour", "Sun, 06 Nov 1994 24:00:00 GMT", NOW_1994, TVC_ERR_HTTP},
    {"IMF-fixdate bad month", "Sun, 06 Nox 1994 08:50:37 GMT", NOW_1994, TVC_ERR_HTTP},
    {"IMF-fixdate bad day name", "Sux, 06 Nov 1994 08:50:37 GMT", NOW_1994, TVC_ERR_HTTP},
    {"IMF-fixdate one-digit day", "Sun, 6 Nov 1994 08:50:37 GMT", NOW_1994, TVC_ERR_HTTP},
    {"IMF-fixdate Feb 29 leap", "Thu, 29 Feb 1996 00:00:00 GMT", NOW_1994, 825552000LL - NOW_1994},
    {"IMF-fixdate Feb 29 non-leap", "Wed, 29 Feb 1995 00:00:00 GMT", NOW_1994, TVC_ERR_HTTP},
    {"IMF-fixdate Nov 31", "Thu, 31 Nov 1994 00:00:00 GMT", NOW_1994, TVC_ERR_HTTP},
    {"IMF-fixdate 2100-03-01", "Mon, 01 Mar 2100 00:00:00 GMT", 4107542400LL - 100, 100},
    {"IMF-fixdate 2100 is not leap", "Mon, 29 Feb 2100 00:00:00 GMT", NOW_2025, TVC_ERR_HTTP},
    {"IMF-fixdate 2000 is leap", "Tue, 29 Feb 2000 00:00:00 GMT", 951782400LL - 5, 5},
    {"IMF-fixdate far future clamps", "Fri, 31 Dec 9999 23:59:59 GMT", NOW_2025, 2147483647},
    {"IMF-fixdate before 1970", "Thu, 01 Jan 1960 00:00:00 GMT", NOW_1994, 0},
    {"IMF-fixdate trailing junk", "Sun, 06 Nov 1994 08:50:37 GMTx", NOW_1994, TVC_ERR_HTTP},
    {"RFC 850", "Sunday, 06-Nov-94 08:50:37 GMT", NOW_1994, 60},
    {"RFC 850 Wednesday", "Wednesday, 09-Nov-94 08:49:37 GMT", NOW_1994, 3 * 86400},
    {"RFC 850 without clock", "Sunday, 06-Nov-94 08:50:37 GMT", -1, TVC_ERR_STATE},
    {"RFC 850 short day name", "Sun, 06-Nov-94 08:50:37 GMT", NOW_1994, TVC_ERR_HTTP},
    /* day names are matched as short name + ending + "day" */
    {"RFC 850 SATURDAY upper case", "SATURDAY, 12-Nov-94 08:49:37 GMT", NOW_1994, 6 * 86400},
    {"RFC 850 Monday", "Monday, 07-Nov-94 08:49:37 GMT", NOW_1994, 86400},
    {"RFC 850 day name missing its middle", "Tueday, 08-Nov-94 08:49:37 GMT", NOW_1994,
     TVC_ERR_HTTP},
    {"RFC 850 day name with another's ending", "Monsday, 07-Nov-94 08:49:37 GMT", NOW_1994,
     TVC_ERR_HTTP},
    {"RFC 850 day name without day", "Thurs, 10-Nov-94 08:49:37 GMT", NOW_1994, TVC_ERR_HTTP},
    {"RFC 850 49 years ahead", "Friday, 01-Jan-74 00:00:00 GMT", NOW_2025,
     3313526400LL - 31536000LL - NOW_2025},
    {"RFC 850 50 years ahead", "Tuesday, 01-Jan-75 00:00:00 GMT", NOW_2025,
     3313526400LL - NOW_2025},
    {"RFC 850 51 years ahead is the past", "Thursday, 01-Jan-76 00:00:00 GMT", NOW_2025, 0},
    {"RFC 850 this year", "Sunday, 01-Jun-25 00:01:00 GMT", NOW_2025, 60},
    {"asctime", "Sun Nov  6 08:50:37 1994", NOW_1994, 60},
    {"asctime two-digit day", "Thu Nov 10 08:49:37 1994", NOW_1994, 4 * 86400},
    {"asctime without clock", "Sun Nov  6 08:50:37 1994", -1, TVC_ERR_STATE},
    {"asctime one space", "Sun Nov 6 08:50:37 1994", NOW_1994, TVC_ERR_HTTP},
    {"asctime with GMT", "Sun Nov  6 08:50:37 1994 GMT", NOW_1994, TVC_ERR_HTTP},
};

static void test_retry_after_table(void)
{
    size_t i;
    for (i = 0; i < sizeof ra_rows / sizeof ra_rows[0]; i++) {
        const struct ra_row *r = &ra_rows[i];
        h_begin(r->name);
        CHECK_EQ(tvc_http_retry_after(r->s, strlen(r->s), r->now), r->want);
        h_end();
    }
    h_begin("retry-after NULL and length-bounded");
    CHECK_EQ(tvc_http_retry_after(NULL, 0, 0), TVC_ERR_HTTP);
    CHECK_EQ(tvc_http_retry_after("12345", 2, -1), 12);
    h_end();
}

/* Every day since 1970 round-trips through the IMF-fixdate parser against
 * an independent count. */
static void test_retry_after_days(void)
{
    static const char *const mn[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const char *const dn[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    int y, m, d, mdays;
    int64_t day = 0;
    char s[40];

    for (y = 1970; y < 2200; y++) {
        for (m = 0; m < 12; m++) {
            static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
            int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            mdays = md[m] + (m == 1 && leap);
            for (d = 1; d <= mdays; d++, day++) {
                if (d % 7 != 1 && !(m == 1 && d == 29))
                    continue;
                snprintf(s, sizeof s, "%s, %02d %s %04d 01:02:03 GMT", dn[day % 7], d, mn[m], y);
                if (tvc_http_retry_after(s, strlen(s), day * 86400) != 3723) {
                    CHECK_STR(s, "parses to its day");
                    return;
                }
            }
        }
    }
}

/* tvc_strerror() reads one packed table: every status has its own text,
 * the neighbours of the table's entries do not read each other's. */
static void test_strerror_table(void)
{
    static const struct { int err; const char *text; } t[] = {
        { TVC_OK, "ok" },
        { 5, "ok" },
        { TVC_ERR_ARG, "invalid argument" },
        { TVC_ERR_PORT, "port incomplete or wrong version" },
        { TVC_ERR_AGAIN, "in progress, call again" },
        { TVC_ERR_IO, "network I/O error" },
        { TVC_ERR_TLS, "TLS failure" },
        { TVC_ERR_TLS_CA, "trust anchors could not be loaded" },
        { TVC_ERR_HTTP, "malformed HTTP response" },
        { TVC_ERR_HTTP_REDIRECT, "redirect without a usable Location" },
        { TVC_ERR_NOT_FOUND, "not found" },
        { TVC_ERR_STORAGE, "local storage error" },
        { TVC_ERR_API_PROTOCOL, "API answer incomplete or with an unknown status" },
        { TVC_ERR_MEDIA_TYPE, "download answered with a page, not the file" },
        { -9, "unknown error" },
        { -17, "unknown error" },
        { -68, "unknown error" },
        { -255, "unknown error" },
        { -256 - 1, "unknown error" },
        { -100000, "unknown error" },
    };
    size_t i;
    int e, k;

    if (strcmp(tvc_strerror(TVC_ERR_ARG), "invalid argument") != 0)
        return; /* built without the texts (TVC_FEATURE_STRERROR 0) */
    for (i = 0; i < sizeof t / sizeof t[0]; i++)
        CHECK_STR(tvc_strerror(t[i].err), t[i].text);
    /* every code in the enum's ranges has a text, and no two share one */
    for (e = -1; e >= -67; e--) {
        const char *s = tvc_strerror(e);
        if (strcmp(s, "unknown error") == 0)
            continue;
        CHECK(s[0] != '\0');
        for (k = e - 1; k >= -67; k--)
            CHECK(strcmp(s, tvc_strerror(k)) != 0);
    }
    CHECK(strcmp(tvc_strerror(TVC_ERR_OUTCOME_UNKNOWN), "unknown error") != 0);
    CHECK(strcmp(tvc_strerror(TVC_ERR_BUDGET), "unknown error") != 0);
}

int main(void)
{
    test_decode_table();
    RUN(test_decode_long_prompt_unsqueezed);
    RUN(test_decode_too_many_tokens);
    RUN(test_decode_args);
    test_squeeze_table();
    RUN(test_squeeze_units);
    RUN(test_squeeze_overflow);
    RUN(test_squeeze_garbage);
    RUN(test_squeeze_random_json);
    RUN(test_squeeze_big_prompt);
    RUN(test_squeeze_long_url);
    test_body_table();
    RUN(test_status_body);
    test_validate_table();
    RUN(test_codes);
    RUN(test_strerror_table);
    test_retry_after_table();
    RUN(test_retry_after_days);
    return h_summary();
}
