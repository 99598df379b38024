/* The client state machine over a scripted transport: framing through the
 * client at every delivery size, keep-alive and stale connections, the
 * re-send rules, redirects and the Authorization drop, stalls, resets and
 * lies.  Time is virtual (see fake_port.h). */
#include <stdlib.h>
#include <string.h>

#include "fake_port.h"
#include "harness.h"
#include "tvc.h"

struct sink {
    char body[65536];
    size_t len;
    int headers_calls;
    int status_at_headers;
    int abort_after;
    int abort_rc;    /* what the body sink returns when it aborts (0: TVC_ERR_ABORTED) */
    int headers_rc;  /* what on_headers returns */
};

static int on_body(void *u, const uint8_t *d, size_t n)
{
    struct sink *s = u;
    if (s->len + n > sizeof s->body)
        return TVC_ERR_NOSPACE;
    memcpy(s->body + s->len, d, n);
    s->len += n;
    if (s->abort_after && s->len >= (size_t)s->abort_after)
        return s->abort_rc ? s->abort_rc : TVC_ERR_ABORTED;
    return 0;
}

static int on_headers(void *u, const struct tvc_http_parser *p)
{
    struct sink *s = u;
    s->headers_calls++;
    s->status_at_headers = p->status;
    return s->headers_rc;
}

/* Everything one test needs, zeroed per test. */
struct ctx {
    struct fp fp;
    struct tvc_port port;
    struct tvc_http_client c;
    char hdr[2048];
    uint8_t io[512];
    struct sink sink;
    struct tvc_http_req rq;
    char redir[TVC_URL_MAX];
};

static struct ctx *setup(size_t io_len)
{
    struct ctx *x = calloc(1, sizeof *x);
    fp_init(&x->fp, &x->port);
    tvc_http_client_init(&x->c, &x->port, NULL, x->hdr, sizeof x->hdr, x->io,
                         io_len ? io_len : sizeof x->io);
    x->rq.method = "GET";
    x->rq.url = "http://api.example/x";
    x->rq.on_body = on_body;
    x->rq.on_headers = on_headers;
    x->rq.user = &x->sink;
    x->rq.io_timeout_ms = 5000;
    x->rq.redirect_buf = x->redir;
    x->rq.redirect_cap = sizeof x->redir;
    return x;
}

static int contains(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;
    for (i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return 1;
    return 0;
}

static int count(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;
    int k = 0;
    for (i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            k++;
    return k;
}

#define SENT(x, i) (x)->fp.conn[i].sent, (x)->fp.conn[i].sent_len

/* ---- framing through the client, at every delivery size ---- */

struct frame_case {
    const char *name;
    const char *method;
    const char *resp;
    int want_rc;
    int want_status;
    const char *want_body;
    int keep; /* connection kept open afterwards */
};

static const struct frame_case frames[] = {
    {"content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 0, 200, "hello", 1},
    {"chunked", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: 1\r\n\r\n",
     0, 200, "abc0123456789", 1},
    {"until-close", "GET", "HTTP/1.1 200 OK\r\n\r\nall of it", 0, 200, "all of it", 0},
    {"http10", "GET", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 0, 200, "ok", 0},
    {"head", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", 0, 200, "", 1},
    {"204", "GET", "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n", 0, 204, "", 1},
    {"304", "GET", "HTTP/1.1 304 Not Modified\r\n\r\n", 0, 304, "", 1},
    {"empty-cl", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 200, "", 1},
    {"100-continue", "GET", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx", 0, 201, "x", 1},
    {"close-header", "GET", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx", 0, 200, "x", 0},
    {"truncated", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", TVC_ERR_HTTP_TRUNCATED, 200, NULL, 0},
    {"conflict", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx", TVC_ERR_HTTP_FRAMING, 0, NULL, 0},
    {"cl-and-te", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", TVC_ERR_HTTP_FRAMING, 0, NULL, 0},
    {"folding", "GET", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n", 0, 200, "", 1},
    {"space-before-first-field", "GET", "HTTP/1.1 200 OK\r\n X: a\r\nContent-Length: 0\r\n\r\n", TVC_ERR_HTTP_FOLDING, 0, NULL, 0},
    {"garbage", "GET", "SSH-2.0-OpenSSH_9.2\r\n", TVC_ERR_HTTP, 0, NULL, 0},
};

static void test_framing_every_chunk_size(void)
{
    size_t i, chunk;
    for (i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        const struct frame_case *fc = &frames[i];
        char name[96];
        snprintf(name, sizeof name, "client framing %s", fc->name);
        h_begin(name);
        for (chunk = 1; chunk <= 64; chunk = chunk < 8 ? chunk + 1 : chunk * 2) {
            struct ctx *x = setup(0);
            struct fp_conn *cn = fp_add(&x->fp, fc->resp);
            int rc;
            cn->chunk = chunk;
            cn->idle = 0; /* after the response: EOF */
            x->rq.method = fc->method;
            rc = tvc_http_request(&x->c, &x->rq);
            CHECK_EQ(rc, fc->want_rc);
            if (fc->want_rc == 0) {
                CHECK_EQ(x->c.resp.status, fc->want_status);
                CHECK_MEM(x->sink.body, x->sink.len, fc->want_body, strlen(fc->want_body));
                CHECK_EQ(x->sink.headers_calls, 1);
                CHECK_EQ(tvc_http_client_connected(&x->c), fc->keep);
            } else {
                CHECK_EQ(tvc_http_client_connected(&x->c), 0);
            }
            tvc_http_client_close(&x->c);
            free(x);
            if (h_failed_now())
                break;
        }
        h_end();
    }
}

static void test_request_head(void)
{
    struct ctx *x = setup(0);
    static const uint8_t body[] = "{\"a\":1}";
    fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    x->rq.method = "POST";
    x->rq.url = "http://api.example:8080/api/gen?x=1";
    x->rq.bearer = "sekret";
    x->rq.content_type = "application/json";
    x->rq.body = body;
    x->rq.body_len = sizeof body - 1;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK(contains(SENT(x, 0), "POST /api/gen?x=1 HTTP/1.1\r\n"));
    CHECK(contains(SENT(x, 0), "Host: api.example:8080\r\n"));
    CHECK(contains(SENT(x, 0), "Authorization: Bearer sekret\r\n"));
    CHECK(contains(SENT(x, 0), "Content-Length: 7\r\n"));
    CHECK(contains(SENT(x, 0), "User-Agent: libtvc/"));
    CHECK(contains(SENT(x, 0), "\r\n\r\n{\"a\":1}"));
    CHECK_STR(x->fp.conn[0].host, "api.example");
    CHECK_EQ(x->fp.conn[0].port, 8080);
    CHECK_EQ(x->c.requests, 1);
    free(x);
}

/* ---- keep-alive ---- */

static void test_keepalive_reuse(void)
{
    struct ctx *x = setup(0);
    struct fp_conn *cn = fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
    cn->resp[1] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb";
    cn->nresp = 2;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK_EQ(x->c.connects, 1);
    CHECK_MEM(x->sink.body, x->sink.len, "ab", 2);
    CHECK_EQ(count(SENT(x, 0), "GET /x HTTP/1.1"), 2);
    free(x);
}

/* The server closed the idle connection: the zero-wait look notices and a
 * new connection carries the request; nothing is sent twice. */
static void test_stale_connection_detected(void)
{
    struct ctx *x = setup(0);
    struct fp_conn *a = fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
    fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
    a->idle = 0;
    x->rq.method = "POST";
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK_EQ(x->c.connects, 2);
    CHECK_EQ(count(SENT(x, 0), "POST"), 1);
    CHECK_EQ(count(SENT(x, 1), "POST"), 1);
    free(x);
}

/* The connection looked quiet but died once the request was out, before
 * any response byte: GET is re-sent once on a new connection. */
static void test_reused_dies_get_resent(void)
{
    struct ctx *x = setup(0);
    struct fp_conn *a = fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
    fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    a->cut_now = 1; /* quiet when looked at, EOF once the request is out */
    a->cut_rc = 0;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK_EQ(x->c.connects, 2);
    CHECK_EQ(count(SENT(x, 0), "GET /x"), 2);
    CHECK_EQ(count(SENT(x, 1), "GET /x"), 1);
    CHECK_MEM(x->sink.body, x->sink.len, "ab", 2);
    free(x);
}

/* Same, for a request that must not be sent twice: reported, not re-sent. */
static void test_reused_dies_post_not_resent(void)
{
    struct ctx *x = setup(0);
    struct fp_conn *a = fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
    fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
    x->rq.method = "POST";
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    a->cut_now = 1;
    a->cut_rc = 0;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_CLOSED);
    CHECK_EQ(x->c.request_bytes_out, 1);
    CHECK_EQ(x->c.connects, 1);
    CHECK_EQ(x->fp.conn[1].used, 0);
    free(x);
}

static void test_fresh_flag(void)
{
    struct ctx *x = setup(0);
    fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
    fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    x->rq.flags = TVC_HTTP_FRESH;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK_EQ(x->c.connects, 2);
    CHECK(x->fp.conn[0].closed);
    free(x);
}

/* A connection that fails before any byte left: always safe to retry. */
static void test_send_fails_before_any_byte(void)
{
    struct ctx *x = setup(0);
    struct fp_conn *a = fp_add(&x->fp, NULL);
    fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
    a->send_rc = TVC_ERR_RESET;
    x->rq.method = "POST";
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK_EQ(x->c.connects, 2);
    CHECK_EQ(count(SENT(x, 1), "POST"), 1);
    free(x);
}

/* ---- failures ---- */

static void test_connect_refused(void)
{
    struct ctx *x = setup(0);
    struct fp_conn *a = fp_add(&x->fp, NULL);
    a->poll_rc = TVC_ERR_CONNECT;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_CONNECT);
    CHECK_EQ(x->c.request_bytes_out, 0);
    free(x);
}

static void test_dns_failure(void)
{
    struct ctx *x = setup(0);
    struct fp_conn *a = fp_add(&x->fp, NULL);
    a->connect_rc = TVC_ERR_DNS;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_DNS);
    free(x);
}

static void test_connect_timeout(void)
{
    struct ctx *x = setup(0);
    struct fp_conn *a = fp_add(&x->fp, NULL);
    unsigned long long t0 = x->fp.clock;
    a->poll_rc = TVC_ERR_AGAIN;
    x->rq.connect_timeout_ms = 3000;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_TIMEOUT);
    CHECK(x->fp.clock - t0 >= 3000);
    CHECK(x->fp.clock - t0 <= 3001);
    CHECK_EQ(x->c.request_bytes_out, 0);
    free(x);
}

static void test_stall_mid_body_times_out(void)
{
    struct ctx *x = setup(0);
    struct fp_conn *a = fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
    unsigned long long t0;
    a->cut_at = 45;
    a->cut_rc = TVC_ERR_AGAIN;
    x->rq.io_timeout_ms = 2500;
    t0 = x->fp.clock;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_TIMEOUT);
    CHECK(x->fp.clock - t0 >= 2500);
    CHECK(x->fp.clock - t0 <= 2501);
    CHECK_EQ(tvc_http_client_connected(&x->c), 0);
    free(x);
}

static void test_reset_mid_body(void)
{
    struct ctx *x = setup(0);
    struct fp_conn *a = fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
    a->cut_at = 45;
    a->cut_rc = TVC_ERR_RESET;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_RESET);
    free(x);
}

/* A response that lies about its length: more bytes than Content-Length
 * are not delivered, and the connection is not reused. */
static void test_extra_bytes_not_reused(void)
{
    struct ctx *x = setup(0);
    fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA");
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK_MEM(x->sink.body, x->sink.len, "ok", 2);
    CHECK_EQ(tvc_http_client_connected(&x->c), 0);
    free(x);
}

static void test_sink_abort(void)
{
    struct ctx *x = setup(0);
    fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
    x->sink.abort_after = 3;
    x->fp.conn[0].chunk = 1;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_ABORTED);
    CHECK_EQ(x->c.sink_err, TVC_ERR_ABORTED);
    CHECK_EQ(tvc_http_client_connected(&x->c), 0);
    free(x);
}

/* A callback's own code never comes back as if the library had said it:
 * the exchange ends with TVC_ERR_ABORTED and the code waits in sink_err. */
static void test_sink_err_kept_apart(void)
{
    struct ctx *x = setup(0);
    fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
    fp_add(&x->fp, "HTTP/1.1 404 Nope\r\nContent-Length: 0\r\n\r\n");
    fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    x->sink.abort_after = 3;
    x->sink.abort_rc = TVC_ERR_STORAGE; /* a sink's write failed */
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_ABORTED);
    CHECK_EQ(x->c.sink_err, TVC_ERR_STORAGE);
    /* from on_headers: even a code that looks like a network error */
    x->sink.abort_after = 0;
    x->sink.headers_rc = TVC_ERR_RESET;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_ABORTED);
    CHECK_EQ(x->c.sink_err, TVC_ERR_RESET);
    CHECK_EQ(x->sink.status_at_headers, 404);
    /* the next exchange starts clean */
    x->sink.headers_rc = 0;
    x->sink.len = 0;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK_EQ(x->c.sink_err, 0);
    CHECK_MEM(x->sink.body, x->sink.len, "ok", 2);
    free(x);
}

/* The step function never blocks when given wait 0: each call returns at
 * once, and the exchange completes over many calls. */
static void test_nonblocking_steps(void)
{
    struct ctx *x = setup(0);
    struct fp_conn *a = fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    int rc, steps = 0;
    unsigned long long t0 = x->fp.clock;
    a->chunk = 1;
    CHECK_EQ(tvc_http_start(&x->c, &x->rq), 0);
    CHECK_EQ(tvc_http_start(&x->c, &x->rq), TVC_ERR_STATE);
    do {
        rc = tvc_http_step(&x->c, 0);
        steps++;
    } while (rc == TVC_ERR_AGAIN && steps < 1000);
    CHECK_EQ(rc, 0);
    CHECK_EQ(x->fp.clock, t0);
    CHECK_MEM(x->sink.body, x->sink.len, "hello", 5);
    free(x);
}

/* ---- redirects ---- */

static void test_redirect_relative_same_origin(void)
{
    struct ctx *x = setup(0);
    struct fp_conn *a = fp_add(&x->fp, "HTTP/1.1 302 Found\r\nLocation: ../y/z?q=1\r\nContent-Length: 4\r\n\r\nmove");
    a->resp[1] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nend";
    a->nresp = 2;
    x->rq.url = "http://api.example/a/b";
    x->rq.bearer = "k";
    x->rq.flags = TVC_HTTP_FOLLOW;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK_EQ(x->c.resp.status, 200);
    CHECK_EQ(x->sink.status_at_headers, 200);
    CHECK_EQ(x->sink.headers_calls, 1);
    CHECK_MEM(x->sink.body, x->sink.len, "end", 3);
    CHECK(contains(SENT(x, 0), "GET /y/z?q=1 HTTP/1.1\r\n"));
    CHECK_EQ(count(SENT(x, 0), "Authorization: Bearer k"), 2);
    CHECK_EQ(x->c.connects, 1);
    CHECK_EQ(x->c.redirects, 1);
    free(x);
}

/* The redirect target lives in the caller's buffer: none, or one too small
 * for the target, ends the exchange before anything goes to the new URL. */
static void test_redirect_needs_room(void)
{
    static const char loc[] = "http://cdn.example/a/rather/long/path/v.mp4";
    size_t caps[2] = {0, sizeof loc - 1}; /* none; one byte short (the NUL) */
    size_t i;
    for (i = 0; i < 2; i++) {
        struct ctx *x = setup(0);
        fp_add(&x->fp, "HTTP/1.1 302 Found\r\nLocation: http://cdn.example/a/rather/long/path/v.mp4\r\n"
                       "Content-Length: 0\r\n\r\n");
        x->rq.flags = TVC_HTTP_FOLLOW;
        x->rq.redirect_buf = caps[i] ? x->redir : NULL;
        x->rq.redirect_cap = caps[i];
        CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_HTTP_REDIRECT);
        CHECK_EQ(x->c.connects, 1); /* never went to the CDN */
        CHECK_EQ(x->sink.headers_calls, 0);
        free(x);
    }
    {
        struct ctx *x = setup(0);
        fp_add(&x->fp, "HTTP/1.1 302 Found\r\nLocation: http://cdn.example/a/rather/long/path/v.mp4\r\n"
                       "Content-Length: 0\r\n\r\n");
        fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        x->rq.flags = TVC_HTTP_FOLLOW;
        x->rq.redirect_cap = sizeof loc; /* exactly enough */
        CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
        CHECK_STR(x->redir, loc);
        CHECK_EQ(x->c.connects, 2);
        free(x);
    }
}

static void test_redirect_other_host_drops_auth(void)
{
    struct ctx *x = setup(0);
    struct fp_conn *a = fp_add(&x->fp, "HTTP/1.1 301 Moved\r\nLocation: http://video.example:81/v.mp4\r\nContent-Length: 0\r\n\r\n");
    struct fp_conn *b = fp_add(&x->fp, "HTTP/1.1 307 Temporary\r\nLocation: http://api.example/back\r\nContent-Length: 0\r\n\r\n");
    fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    x->rq.bearer = "sekret-key";
    x->rq.flags = TVC_HTTP_FOLLOW;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK(contains(SENT(x, 0), "Authorization: Bearer sekret-key"));
    CHECK_STR(b->host, "video.example");
    CHECK_EQ(b->port, 81);
    CHECK(!contains(SENT(x, 1), "sekret-key"));
    CHECK(contains(SENT(x, 1), "Host: video.example:81\r\n"));
    /* back on the first origin: still dropped */
    CHECK(!contains(SENT(x, 2), "sekret-key"));
    CHECK_EQ(x->c.redirects, 2);
    (void)a;
    free(x);
}

static void test_redirect_port_change_drops_auth(void)
{
    struct ctx *x = setup(0);
    fp_add(&x->fp, "HTTP/1.1 308 Perm\r\nLocation: //api.example:8443/x\r\nContent-Length: 0\r\n\r\n");
    fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    x->rq.bearer = "sekret-key";
    x->rq.flags = TVC_HTTP_FOLLOW;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK(!contains(SENT(x, 1), "sekret-key"));
    CHECK_EQ(x->fp.conn[1].port, 8443);
    free(x);
}

static void test_redirect_303_post_becomes_get(void)
{
    struct ctx *x = setup(0);
    static const uint8_t body[] = "payload";
    struct fp_conn *a = fp_add(&x->fp, "HTTP/1.1 303 See Other\r\nLocation: /result\r\nContent-Length: 0\r\n\r\n");
    a->resp[1] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    a->nresp = 2;
    x->rq.method = "POST";
    x->rq.body = body;
    x->rq.body_len = 7;
    x->rq.flags = TVC_HTTP_FOLLOW;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK(contains(SENT(x, 0), "GET /result HTTP/1.1"));
    CHECK_EQ(count(SENT(x, 0), "payload"), 1);
    free(x);
}

static void test_redirect_307_keeps_method_and_body(void)
{
    struct ctx *x = setup(0);
    static const uint8_t body[] = "payload";
    struct fp_conn *a = fp_add(&x->fp, "HTTP/1.1 307 Temp\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n");
    a->resp[1] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    a->nresp = 2;
    x->rq.method = "POST";
    x->rq.body = body;
    x->rq.body_len = 7;
    x->rq.flags = TVC_HTTP_FOLLOW;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK(contains(SENT(x, 0), "POST /again HTTP/1.1"));
    CHECK_EQ(count(SENT(x, 0), "payload"), 2);
    free(x);
}

static void test_redirect_limit(void)
{
    struct ctx *x = setup(0);
    struct fp_conn *a = fp_add(&x->fp, NULL);
    int i;
    for (i = 0; i < FP_MAX_RESP; i++)
        a->resp[i] = "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n";
    a->nresp = FP_MAX_RESP;
    x->rq.flags = TVC_HTTP_FOLLOW;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_HTTP_REDIRECT_LIMIT);
    CHECK_EQ(count(SENT(x, 0), "GET /"), TVC_HTTP_MAX_REDIRECTS + 1);
    free(x);
}

static void test_redirect_without_location(void)
{
    struct ctx *x = setup(0);
    fp_add(&x->fp, "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n");
    x->rq.flags = TVC_HTTP_FOLLOW;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_HTTP_REDIRECT);
    free(x);
}

static void test_redirect_not_followed_without_flag(void)
{
    struct ctx *x = setup(0);
    fp_add(&x->fp, "HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 3\r\n\r\nabc");
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK_EQ(x->c.resp.status, 302);
    CHECK_MEM(x->sink.body, x->sink.len, "abc", 3);
    free(x);
}

/* An https Location for a client without TLS is refused before connecting
 * anywhere.  (https -> http refusal needs a TLS first hop: test_http_live.) */
static void test_redirect_to_https_without_tls(void)
{
    struct ctx *x = setup(0);
    fp_add(&x->fp, "HTTP/1.1 302 Found\r\nLocation: https://secure.example/\r\nContent-Length: 0\r\n\r\n");
    x->rq.flags = TVC_HTTP_FOLLOW;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_URL_SCHEME);
    free(x);
}

static void test_bad_args(void)
{
    struct ctx *x = setup(0);
    x->rq.url = "ftp://x/";
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_URL_SCHEME);
    x->rq.url = "http://user:pw@x/";
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_URL_USERINFO);
    x->rq.url = "https://x/";
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_URL_SCHEME);
    x->rq.url = "http://x/";
    x->rq.bearer = "a\r\nX-Evil: 1";
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_ARG);
    CHECK_EQ(x->fp.next, 0);
    free(x);
}

/* ---- the transport interface as the client uses it ---- */

/* A one-response transport whose clean_end() and detail() answers are set
 * by the test (a TLS-like transport seen from the client). */
struct mini {
    const char *resp;
    size_t off;
    int recv_err;   /* < 0: recv fails with it once the response is out */
    int clean;      /* clean_end() answer */
    int detail;     /* detail() answer */
    int connects, closes, handshakes;
};

static int m_connect(void *ctx, const char *host, uint16_t port)
{
    struct mini *m = ctx;
    (void)host;
    (void)port;
    m->connects++;
    m->off = 0;
    return 0;
}
static int m_handshake(void *ctx, uint32_t w)
{
    struct mini *m = ctx;
    (void)w;
    return ++m->handshakes < 3 ? TVC_ERR_AGAIN : 0; /* a few steps, like TLS */
}
static int m_send(void *ctx, const uint8_t *b, size_t n, uint32_t w)
{
    (void)ctx;
    (void)b;
    (void)w;
    return (int)n;
}
static int m_recv(void *ctx, uint8_t *b, size_t n, uint32_t w)
{
    struct mini *m = ctx;
    size_t k = strlen(m->resp) - m->off;
    (void)w;
    if (k == 0)
        return m->recv_err ? m->recv_err : 0;
    if (k > n)
        k = n;
    memcpy(b, m->resp + m->off, k);
    m->off += k;
    return (int)k;
}
static void m_close(void *ctx) { ((struct mini *)ctx)->closes++; }
static int m_clean(void *ctx) { return ((struct mini *)ctx)->clean; }
static int m_detail(void *ctx) { return ((struct mini *)ctx)->detail; }

static void test_transport_for_https_only(void)
{
    struct ctx *x = setup(0);
    struct mini m = {"HTTP/1.1 200 OK\r\n\r\nuntil close", 0, 0, 0, 0, 0, 0, 0};
    const struct tvc_transport t = {&m, m_connect, m_handshake, m_send, m_recv,
                                    m_close, m_clean, m_detail};

    /* no transport for https: refused before any traffic */
    x->rq.url = "https://api.example/x";
    CHECK_EQ(tvc_http_start(&x->c, &x->rq), TVC_ERR_URL_SCHEME);
    {
        struct tvc_transport half = t;
        half.recv = NULL;
        CHECK_EQ(tvc_http_client_set_transports(&x->c, NULL, &half), TVC_ERR_ARG);
        CHECK_EQ(tvc_http_client_set_transports(NULL, NULL, NULL), TVC_ERR_ARG);
    }
    CHECK_EQ(tvc_http_client_set_transports(&x->c, NULL, &t), 0);
    /* and now none for http */
    x->rq.url = "http://api.example/x";
    CHECK_EQ(tvc_http_start(&x->c, &x->rq), TVC_ERR_URL_SCHEME);
    CHECK_EQ(x->fp.next, 0); /* the port's sockets were never used */

    /* a body until close that the transport cannot prove complete */
    x->rq.url = "https://api.example/x";
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK_MEM(x->sink.body, x->sink.len, "until close", 11);
    CHECK_EQ(x->c.unclean_end, 1);
    CHECK_EQ(m.connects, 1);
    CHECK_EQ(m.handshakes, 3);
    CHECK_EQ(m.closes, 1);
    CHECK(!tvc_http_client_connected(&x->c));

    /* the same, proven complete (close_notify) */
    memset(&x->sink, 0, sizeof x->sink);
    m.clean = 1;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK_EQ(x->c.unclean_end, 0);

    /* a failure reports the transport's raw detail */
    memset(&x->sink, 0, sizeof x->sink);
    m.resp = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort";
    m.recv_err = TVC_ERR_TLS;
    m.detail = -0x7780;
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), TVC_ERR_TLS);
    CHECK_EQ(x->c.tls_error, -0x7780);
    CHECK(!tvc_http_client_connected(&x->c));

    /* not while an exchange runs */
    m.resp = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    m.recv_err = 0;
    m.handshakes = 0;
    CHECK_EQ(tvc_http_start(&x->c, &x->rq), 0);
    CHECK(tvc_http_client_busy(&x->c));
    CHECK_EQ(tvc_http_client_set_transports(&x->c, NULL, NULL), TVC_ERR_STATE);
    while (tvc_http_step(&x->c, 0) == TVC_ERR_AGAIN)
        ;
    CHECK(!tvc_http_client_busy(&x->c));
    CHECK_EQ(x->c.resp.status, 200);
    free(x);
}

int main(void)
{
    test_framing_every_chunk_size();
    RUN(test_request_head);
    RUN(test_keepalive_reuse);
    RUN(test_stale_connection_detected);
    RUN(test_reused_dies_get_resent);
    RUN(test_reused_dies_post_not_resent);
    RUN(test_fresh_flag);
    RUN(test_send_fails_before_any_byte);
    RUN(test_connect_refused);
    RUN(test_dns_failure);
    RUN(test_connect_timeout);
    RUN(test_stall_mid_body_times_out);
    RUN(test_reset_mid_body);
    RUN(test_extra_bytes_not_reused);
    RUN(test_sink_abort);
    RUN(test_sink_err_kept_apart);
    RUN(test_nonblocking_steps);
    RUN(test_redirect_relative_same_origin);
    RUN(test_redirect_needs_room);
    RUN(test_redirect_other_host_drops_auth);
    RUN(test_redirect_port_change_drops_auth);
    RUN(test_redirect_303_post_becomes_get);
    RUN(test_redirect_307_keeps_method_and_body);
    RUN(test_redirect_limit);
    RUN(test_redirect_without_location);
    RUN(test_redirect_not_followed_without_flag);
    RUN(test_redirect_to_https_without_tls);
    RUN(test_bad_args);
    RUN(test_transport_for_https_only);
    return h_summary();
}
