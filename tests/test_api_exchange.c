/* tvc_api exchanges over the scripted transport: exact requests, decoded
 * answers, Retry-After, chunked one-byte delivery, no re-send of generate,
 * no redirects, answers too big even squeezed. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fake_port.h"
#include "harness.h"
#include "tvc_api.h"

static struct {
    struct fp f;
    struct tvc_port port;
    struct tvc_http_client http;
    char hdr[TVC_HTTP_HEADER_BUF];
    uint8_t io[TVC_HTTP_IO_BUF];
    struct tvc_api api;
    struct tvc_api_result r;
} E;

static void env(const char *base)
{
    memset(&E, 0, sizeof E);
    fp_init(&E.f, &E.port);
    tvc_http_client_init(&E.http, &E.port, NULL, E.hdr, sizeof E.hdr, E.io, sizeof E.io);
    tvc_api_init(&E.api, &E.http, base, "k-123");
}

static int run(void)
{
    int i, rc = TVC_ERR_AGAIN;
    for (i = 0; i < 100000 && rc == TVC_ERR_AGAIN; i++)
        rc = tvc_api_step(&E.api, 100, &E.r);
    return rc;
}

/* A response with Content-Length, kept in one of a few static slots. */
static const char *resp(const char *status_and_fields, const char *body)
{
    static char slots[4][140000];
    static int next;
    char *s = slots[next++ % 4];
    snprintf(s, sizeof slots[0], "%sContent-Length: %zu\r\n\r\n%s", status_and_fields,
             strlen(body), body);
    return s;
}

static int count_of(const char *hay, size_t len, const char *needle)
{
    int n = 0;
    size_t i, k = strlen(needle);
    for (i = 0; i + k <= len; i++)
        if (memcmp(hay + i, needle, k) == 0)
            n++;
    return n;
}

static int has(const struct fp_conn *c, const char *needle)
{
    return count_of(c->sent, c->sent_len, needle) > 0;
}

#define PROCESSING                                                                          \
    "{\"success\":true,\"status\":\"processing\",\"taskId\":\"video_task_id\","              \
    "\"recordId\":\"tvc_record_id\",\"storyboardPrompt\":\"Generated 9-scene storyboard "    \
    "description...\",\"storyboardImageUrl\":\"https://static.nanophoto.ai/images/sora-tvc/" \
    "storyboard-xxx.png\"}"

#define COMPLETED                                                                          \
    "{\"success\": true, \"status\": \"completed\", \"recordId\": \"tvc_record_id\", "      \
    "\"currentStep\": 3, \"stepName\": \"Completed\", \"storyboardPrompt\": \"...\", "      \
    "\"storyboardImageUrl\": \"https://static.nanophoto.ai/images/sora-tvc/storyboard-xxx.png\", " \
    "\"videoUrl\": \"https://video.nanophoto.ai/sora/abc.mp4\", \"generationTime\": 180}"

static const struct tvc_gen_params nike = {"Nike running shoes - feel the speed",
                                           "Run faster. Run stronger. Nike.", NULL, 15, 1};

static void test_generate_exchange(void)
{
    static const char body[] =
        "{\"adTheme\":\"Nike running shoes - feel the speed\",\"voiceoverScript\":\"Run faster. "
        "Run stronger. Nike.\",\"videoDuration\":\"15\",\"aspectRatio\":\"landscape\"}";
    char cl[64];
    struct fp_conn *c;

    env("http://api.test");
    c = fp_add(&E.f, resp("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n", PROCESSING));
    CHECK_EQ(tvc_api_start_generate(&E.api, &nike), 0);
    CHECK_EQ(run(), 0);

    /* the request, byte for byte where it matters */
    CHECK(c->sent_len > sizeof body + 40);
    CHECK(strncmp(c->sent, "POST /api/sora-2-tvc/generate HTTP/1.1\r\n", 40) == 0);
    CHECK(has(c, "\r\nHost: api.test\r\n"));
    CHECK(has(c, "\r\nAuthorization: Bearer k-123\r\n"));
    CHECK(has(c, "\r\nContent-Type: application/json\r\n"));
    CHECK(has(c, "\r\nAccept: application/json\r\n"));
    snprintf(cl, sizeof cl, "\r\nContent-Length: %zu\r\n", strlen(body));
    CHECK(has(c, cl));
    /* the head ends right before the body, and the body is exactly it */
    CHECK_MEM(c->sent + c->sent_len - strlen(body) - 4, 4, "\r\n\r\n", 4);
    CHECK_MEM(c->sent + c->sent_len - strlen(body), strlen(body), body, strlen(body));
    CHECK_EQ(count_of(c->sent, c->sent_len, "\r\n\r\n"), 1);
    CHECK_EQ(count_of(c->sent, c->sent_len, "POST "), 1);
    CHECK_STR(c->host, "api.test");
    CHECK_EQ(c->port, 80);

    /* the answer */
    CHECK_EQ(E.r.http_status, 200);
    CHECK_EQ(E.r.success, 1);
    CHECK_EQ(E.r.state, TVC_STATE_PROCESSING);
    CHECK_STR(E.r.record_id, "tvc_record_id");
    CHECK_STR(E.r.task_id, "video_task_id");
    CHECK_STR(E.r.storyboard_prompt, "Generated 9-scene storyboard description...");
    CHECK_STR(E.r.storyboard_image_url,
              "https://static.nanophoto.ai/images/sora-tvc/storyboard-xxx.png");
    CHECK_EQ(E.r.retry_after_s, -1);
    CHECK_EQ(E.r.truncated, 0);
    CHECK_EQ(E.api.requests, 1);
    CHECK_EQ(E.f.next, 1);
    /* done: stepping again is a state error, not a new exchange */
    CHECK_EQ(tvc_api_step(&E.api, 0, &E.r), TVC_ERR_STATE);
}

/* base URL with a path and a trailing slash; explicit port in Host */
static void test_status_url_and_body(void)
{
    struct fp_conn *c;

    env("http://api.test:8080/proxy/");
    c = fp_add(&E.f, resp("HTTP/1.1 200 OK\r\n", COMPLETED));
    CHECK_EQ(tvc_api_start_status(&E.api, "tvc_record_id", "ignored"), 0);
    CHECK_EQ(run(), 0);
    CHECK(strncmp(c->sent, "POST /proxy/api/sora-2-tvc/check-status HTTP/1.1\r\n", 50) == 0);
    CHECK(has(c, "\r\nHost: api.test:8080\r\n"));
    CHECK(has(c, "\r\nContent-Length: 28\r\n"));
    CHECK(c->sent_len > 28);
    CHECK_MEM(c->sent + c->sent_len - 28, 28, "{\"recordId\":\"tvc_record_id\"}", 28);
    CHECK_EQ(c->port, 8080);
    CHECK_EQ(E.r.state, TVC_STATE_COMPLETED);
    CHECK_STR(E.r.video_url, "https://video.nanophoto.ai/sora/abc.mp4");
    CHECK_EQ(E.r.generation_time_ms, 180000);
}

static void test_rate_limited(void)
{
    env("http://api.test");
    fp_add(&E.f, resp("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\n"
                      "Content-Type: application/json\r\n",
                      "{\"error\":\"Rate limit exceeded\","
                      "\"errorCode\":\"API_KEY_RATE_LIMIT_EXCEEDED\"}"));
    CHECK_EQ(tvc_api_start_status(&E.api, "r1", NULL), 0);
    CHECK_EQ(run(), 0);
    CHECK_EQ(E.r.http_status, 429);
    CHECK_EQ(E.r.code, TVC_API_RATE_LIMIT_EXCEEDED);
    CHECK_STR(E.r.error, "Rate limit exceeded");
    CHECK_EQ(E.r.retry_after_s, 7);
    CHECK_EQ(E.api.requests, 1);
}

static int64_t wall_1994(void *ctx)
{
    (void)ctx;
    return 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */
}

static int64_t wall_unset(void *ctx)
{
    (void)ctx;
    return -1;
}

static void test_retry_after_date(void)
{
    static const char *const head =
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: Sun, 06 Nov 1994 08:50:37 GMT\r\n";
    int k;

    for (k = 0; k < 3; k++) {
        env("http://api.test");
        if (k == 0)
            E.port.wall_time = wall_1994;
        else if (k == 1)
            E.port.wall_time = wall_unset;
        fp_add(&E.f, resp(head, "{\"errorCode\":\"INTERNAL_ERROR\"}"));
        CHECK_EQ(tvc_api_start_status(&E.api, NULL, "task-9"), 0);
        CHECK_EQ(run(), 0);
        CHECK_EQ(E.r.http_status, 503);
        CHECK_EQ(E.r.code, TVC_API_INTERNAL_ERROR);
        CHECK_EQ(E.r.retry_after_s, k == 0 ? 60 : -1); /* no clock: unknown */
        CHECK(has(&E.f.conn[0], "{\"taskId\":\"task-9\"}"));
    }
    env("http://api.test");
    fp_add(&E.f, resp("HTTP/1.1 429 Too Many Requests\r\nRetry-After: soon\r\n", "{}"));
    CHECK_EQ(tvc_api_start_status(&E.api, "r", NULL), 0);
    CHECK_EQ(run(), 0);
    CHECK_EQ(E.r.retry_after_s, -1);
}

/* A status answer in chunked encoding, one byte per recv. */
static void test_status_chunked_bytewise(void)
{
    static char r[4096];
    const char *body = COMPLETED;
    size_t n, off = 0, len = strlen(body);
    int w = sprintf(r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                       "Content-Type: application/json\r\n\r\n");
    struct fp_conn *c;

    while (off < len) {
        n = len - off < 17 ? len - off : 17;
        w += sprintf(r + w, "%zx;ext=1\r\n%.*s\r\n", n, (int)n, body + off);
        off += n;
    }
    w += sprintf(r + w, "0\r\n\r\n");

    env("http://api.test");
    c = fp_add(&E.f, r);
    c->chunk = 1;
    CHECK_EQ(tvc_api_start_status(&E.api, "tvc_record_id", NULL), 0);
    CHECK_EQ(run(), 0);
    CHECK_EQ(E.r.http_status, 200);
    CHECK_EQ(E.r.success, 1);
    CHECK_EQ(E.r.state, TVC_STATE_COMPLETED);
    CHECK_STR(E.r.record_id, "tvc_record_id");
    CHECK_EQ(E.r.current_step, 3);
    CHECK_STR(E.r.step_name, "Completed");
    CHECK_STR(E.r.storyboard_prompt, "...");
    CHECK_STR(E.r.video_url, "https://video.nanophoto.ai/sora/abc.mp4");
    CHECK_EQ(E.r.generation_time_ms, 180000);
    CHECK_EQ(E.r.truncated, 0);
    CHECK(strncmp(c->sent, "POST /api/sora-2-tvc/check-status HTTP/1.1\r\n", 44) == 0);
}

/* The request went out, then the connection died: the outcome is unknown,
 * and generate must not be sent a second time. */
static void test_generate_reset_not_resent(void)
{
    int k;
    for (k = 0; k < 2; k++) {
        struct fp_conn *c;
        env("http://api.test");
        c = fp_add(&E.f, "never delivered");
        c->cut_now = 1;
        c->cut_rc = k == 0 ? TVC_ERR_RESET : 0;
        fp_add(&E.f, resp("HTTP/1.1 200 OK\r\n", PROCESSING)); /* a re-send would land here */
        CHECK_EQ(tvc_api_start_generate(&E.api, &nike), 0);
        CHECK_EQ(run(), k == 0 ? TVC_ERR_RESET : TVC_ERR_CLOSED);
        CHECK_EQ(E.http.request_bytes_out, 1);
        CHECK_EQ(E.f.next, 1); /* no second connection */
        CHECK_EQ(E.f.conn[1].used, 0);
        CHECK_EQ(count_of(c->sent, c->sent_len, "POST "), 1);
        CHECK_EQ(E.api.requests, 1);
        CHECK_EQ(E.r.http_status, 0);
        CHECK_STR(E.r.record_id, "");
    }
}

/* A send that fails before any byte left is safe to retry, even for generate. */
static void test_generate_unsent_is_retried(void)
{
    struct fp_conn *c0, *c1;
    env("http://api.test");
    c0 = fp_add(&E.f, NULL);
    c0->send_rc = TVC_ERR_RESET;
    c1 = fp_add(&E.f, resp("HTTP/1.1 200 OK\r\n", PROCESSING));
    CHECK_EQ(tvc_api_start_generate(&E.api, &nike), 0);
    CHECK_EQ(run(), 0);
    CHECK_EQ(c0->sent_len, 0);
    CHECK_EQ(count_of(c1->sent, c1->sent_len, "POST "), 1);
    CHECK_STR(E.r.record_id, "tvc_record_id");
    CHECK_EQ(E.api.requests, 1);
}

/* check-status reuses a kept-alive connection; generate never does. */
static void test_connection_reuse(void)
{
    struct fp_conn *c0, *c1;
    env("http://api.test");
    c0 = fp_add(&E.f, resp("HTTP/1.1 200 OK\r\n", "{\"status\":\"processing\",\"currentStep\":1}"));
    c0->resp[1] = resp("HTTP/1.1 200 OK\r\n", "{\"status\":\"processing\",\"currentStep\":2}");
    c0->nresp = 2;
    c1 = fp_add(&E.f, resp("HTTP/1.1 200 OK\r\n", PROCESSING));

    CHECK_EQ(tvc_api_start_status(&E.api, "r", NULL), 0);
    CHECK_EQ(run(), 0);
    CHECK_EQ(E.r.current_step, 1);
    CHECK_EQ(tvc_api_start_status(&E.api, "r", NULL), 0);
    CHECK_EQ(run(), 0);
    CHECK_EQ(E.r.current_step, 2);
    CHECK_EQ(E.http.connects, 1);
    CHECK_EQ(count_of(c0->sent, c0->sent_len, "POST "), 2);

    CHECK_EQ(tvc_api_start_generate(&E.api, &nike), 0);
    CHECK_EQ(run(), 0);
    CHECK_EQ(E.http.connects, 2); /* fresh connection */
    CHECK_EQ(count_of(c1->sent, c1->sent_len, "POST /api/sora-2-tvc/generate"), 1);
    CHECK_EQ(E.r.state, TVC_STATE_PROCESSING);
    CHECK_EQ(E.api.requests, 3);
}

/* A redirect is an answer, not a hop: the key never travels to Location. */
static void test_redirect_not_followed(void)
{
    env("http://api.test");
    fp_add(&E.f, resp("HTTP/1.1 302 Found\r\nLocation: http://elsewhere.test/x\r\n", ""));
    fp_add(&E.f, resp("HTTP/1.1 200 OK\r\n", PROCESSING));
    CHECK_EQ(tvc_api_start_generate(&E.api, &nike), 0);
    CHECK_EQ(run(), 0);
    CHECK_EQ(E.r.http_status, 302);
    CHECK_EQ(E.r.state, TVC_STATE_NONE);
    CHECK_EQ(E.f.next, 1);
    CHECK_EQ(E.api.requests, 1);
}

static void test_big_prompt_over_the_wire(void)
{
    static char body[110000];
    int n = sprintf(body, "{\"success\":true,\"status\":\"completed\",\"storyboardPrompt\":\"");
    while (n < 100 * 1024)
        n += sprintf(body + n, "SC%d: \\u00e9\\ud83d\\ude00 wide shot, runner at dawn. ", n % 9 + 1);
    sprintf(body + n, "\",\"videoUrl\":\"https://video.nanophoto.ai/sora/abc.mp4\","
                      "\"recordId\":\"tvc_record_id\"}");
    env("http://api.test");
    fp_add(&E.f, resp("HTTP/1.1 200 OK\r\n", body))->chunk = 1000;
    CHECK_EQ(tvc_api_start_status(&E.api, "tvc_record_id", NULL), 0);
    CHECK_EQ(run(), 0);
    CHECK_EQ(E.r.state, TVC_STATE_COMPLETED);
    CHECK_STR(E.r.video_url, "https://video.nanophoto.ai/sora/abc.mp4");
    CHECK_STR(E.r.record_id, "tvc_record_id");
    CHECK_EQ(E.r.truncated, TVC_TRUNC_PROMPT);
    CHECK(strncmp(E.r.storyboard_prompt, "SC", 2) == 0);
    CHECK(strlen(E.r.storyboard_prompt) > 500);
}

/* Too big even squeezed: a 2xx cannot be read (NOSPACE); an error status
 * is still an answer. */
static void test_answer_too_big(void)
{
    static char body[40000], html[30000];
    int i, n = sprintf(body, "{\"status\":\"completed\"");
    for (i = 0; i < 8; i++) {
        n += sprintf(body + n, ",\"extra%d\":\"", i);
        memset(body + n, 'x', 2000);
        n += 2000;
        n += sprintf(body + n, "\"");
    }
    sprintf(body + n, "}");

    env("http://api.test");
    fp_add(&E.f, resp("HTTP/1.1 200 OK\r\n", body));
    CHECK_EQ(tvc_api_start_generate(&E.api, &nike), 0);
    CHECK_EQ(run(), TVC_ERR_NOSPACE);
    CHECK_EQ(E.r.http_status, 200);
    CHECK_EQ(E.r.state, TVC_STATE_NONE);
    CHECK_EQ(E.api.requests, 1);

    n = sprintf(html, "<html><body>");
    while (n < 20000)
        n += sprintf(html + n, "<p>Bad gateway, please try again later.</p>\n");
    sprintf(html + n, "</body></html>");
    env("http://api.test");
    fp_add(&E.f, resp("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nRetry-After: 3\r\n",
                      html));
    CHECK_EQ(tvc_api_start_status(&E.api, "r", NULL), 0);
    CHECK_EQ(run(), 0);
    CHECK_EQ(E.r.http_status, 502);
    CHECK_EQ(E.r.code, TVC_API_NONE);
    CHECK_EQ(E.r.retry_after_s, 3);

    /* a small HTML page fits and is simply not JSON */
    env("http://api.test");
    fp_add(&E.f, resp("HTTP/1.1 502 Bad Gateway\r\n", "<html>502</html>"));
    CHECK_EQ(tvc_api_start_status(&E.api, "r", NULL), 0);
    CHECK_EQ(run(), 0);
    CHECK_EQ(E.r.http_status, 502);
}

static void test_malformed_2xx(void)
{
    env("http://api.test");
    fp_add(&E.f, resp("HTTP/1.1 200 OK\r\n", "{\"status\":\"completed\""));
    CHECK_EQ(tvc_api_start_status(&E.api, "r", NULL), 0);
    CHECK_EQ(run(), TVC_ERR_JSON);
    CHECK_EQ(E.r.http_status, 200);
}

static void test_start_errors(void)
{
    struct tvc_gen_params bad = {"  ", NULL, NULL, 10, 0};
    static char longbase[TVC_URL_MAX + 10];

    env("http://api.test");
    fp_add(&E.f, resp("HTTP/1.1 200 OK\r\n", COMPLETED));
    CHECK_EQ(tvc_api_step(&E.api, 0, &E.r), TVC_ERR_STATE); /* nothing started */
    CHECK_EQ(tvc_api_start_generate(&E.api, &bad), TVC_ERR_ARG);
    CHECK_EQ(tvc_api_start_generate(&E.api, NULL), TVC_ERR_ARG);
    CHECK_EQ(tvc_api_start_status(&E.api, NULL, ""), TVC_ERR_ARG);
    CHECK_EQ(E.f.calls, 0); /* nothing touched the network */

    /* one call at a time */
    CHECK_EQ(tvc_api_start_status(&E.api, "r", NULL), 0);
    CHECK_EQ(tvc_api_start_status(&E.api, "other", NULL), TVC_ERR_STATE);
    CHECK_EQ(tvc_api_start_generate(&E.api, &nike), TVC_ERR_STATE);
    CHECK_EQ(run(), 0);
    CHECK_EQ(E.r.state, TVC_STATE_COMPLETED);
    CHECK(has(&E.f.conn[0], "{\"recordId\":\"r\"}"));

    /* https without TLS, and a base URL that leaves no room */
    env("https://api.test");
    CHECK_EQ(tvc_api_start_status(&E.api, "r", NULL), TVC_ERR_URL_SCHEME);
    memset(longbase, 'a', sizeof longbase - 1);
    memcpy(longbase, "http://", 7);
    env(longbase);
    CHECK_EQ(tvc_api_start_status(&E.api, "r", NULL), TVC_ERR_NOSPACE);
    env("not a url");
    CHECK_EQ(tvc_api_start_status(&E.api, "r", NULL), TVC_ERR_URL);
    env("ftp://api.test");
    CHECK_EQ(tvc_api_start_status(&E.api, "r", NULL), TVC_ERR_URL_SCHEME);
    CHECK_EQ(E.f.calls, 0);

    /* no key: no Authorization field at all */
    env("http://api.test");
    E.api.api_key = NULL;
    fp_add(&E.f, resp("HTTP/1.1 401 Unauthorized\r\n", "{\"errorCode\":\"LOGIN_REQUIRED\"}"));
    CHECK_EQ(tvc_api_start_status(&E.api, "r", NULL), 0);
    CHECK_EQ(run(), 0);
    CHECK_EQ(E.r.code, TVC_API_LOGIN_REQUIRED);
    CHECK(!has(&E.f.conn[0], "Authorization"));
}

/* A base URL too long for the work area (it must leave room for the tokens
 * and an answer) is refused before anything is sent, whatever its length. */
static void test_base_url_too_long(void)
{
    static char base[TVC_API_BUF + 64];
    size_t lens[3] = {TVC_API_BUF / 2, TVC_API_BUF - 1100, TVC_API_BUF + 10};
    size_t i;
    for (i = 0; i < 3; i++) {
        size_t n = lens[i];
        memcpy(base, "http://api.example/", 19);
        memset(base + 19, 'p', n - 19);
        base[n] = '\0';
        env(base);
        CHECK_EQ(tvc_api_start_status(&E.api, "r1", NULL), TVC_ERR_NOSPACE);
        CHECK_EQ(tvc_api_start_generate(&E.api, &nike), TVC_ERR_NOSPACE);
        CHECK_EQ(E.api.requests, 0);
        CHECK_EQ(E.f.calls, 0);
    }
}

int main(void)
{
    RUN(test_generate_exchange);
    RUN(test_status_url_and_body);
    RUN(test_rate_limited);
    RUN(test_retry_after_date);
    RUN(test_status_chunked_bytewise);
    RUN(test_generate_reset_not_resent);
    RUN(test_generate_unsent_is_retried);
    RUN(test_connection_reuse);
    RUN(test_redirect_not_followed);
    RUN(test_big_prompt_over_the_wire);
    RUN(test_answer_too_big);
    RUN(test_malformed_2xx);
    RUN(test_start_errors);
    RUN(test_base_url_too_long);
    return h_summary();
}
