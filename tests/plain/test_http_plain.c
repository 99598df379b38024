/* The HTTP client over the plain TCP transport, in a program built and
 * linked WITHOUT mbedTLS (see the Makefile: its objects are compiled with
 * no mbedTLS header reached, and the linked program is checked with nm).
 * Against a real local HTTP/1.1 server (tests/plain/plain_server.py, run
 * under `timeout` and stopped by PID): Content-Length, chunked, keep-alive
 * reuse seen from both sides, a redirect on the kept connection, a body
 * until close, a refused connection, and https refused for lack of a
 * transport. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "../tl_servers.h"
#include "tvc.h"
#include "tvc_posix.h"

struct got {
    char body[8192];
    size_t len;
    int over;
    char conn[16], req[16]; /* X-Conn, X-Req of the final response */
};

static int on_body(void *u, const uint8_t *d, size_t n)
{
    struct got *g = u;
    if (g->len + n > sizeof g->body) {
        g->over = 1;
        return TVC_ERR_NOSPACE;
    }
    memcpy(g->body + g->len, d, n);
    g->len += n;
    return 0;
}

static void copy_field(const struct tvc_http_parser *p, const char *name, char *out, size_t cap)
{
    struct tvc_slice v;
    out[0] = '\0';
    if (tvc_http_parser_header(p, name, &v) == 0 && v.len < cap) {
        memcpy(out, v.p, v.len);
        out[v.len] = '\0';
    }
}

static int on_headers(void *u, const struct tvc_http_parser *p)
{
    struct got *g = u;
    copy_field(p, "X-Conn", g->conn, sizeof g->conn);
    copy_field(p, "X-Req", g->req, sizeof g->req);
    return 0;
}

static struct tvc_posix px;
static struct tvc_port port;
static struct tvc_http_client C;
static char hdr[TVC_HTTP_HEADER_BUF];
static uint8_t io[256]; /* small: bodies cross it many times */
static struct got G;
static char base[64];

static int get(const char *path, unsigned flags)
{
    static char url[128];
    static struct tvc_http_req rq;
    static char redir[TVC_URL_MAX];
    snprintf(url, sizeof url, "%s%s", base, path);
    memset(&G, 0, sizeof G);
    memset(&rq, 0, sizeof rq);
    rq.method = "GET";
    rq.url = url;
    rq.flags = flags;
    rq.redirect_buf = redir;
    rq.redirect_cap = sizeof redir;
    rq.io_timeout_ms = 10000;
    rq.connect_timeout_ms = 10000;
    rq.on_body = on_body;
    rq.on_headers = on_headers;
    rq.user = &G;
    return tvc_http_request(&C, &rq);
}

static void t_content_length_then_reuse(void)
{
    static const char want[] = "hello over plain TCP, framed by Content-Length\n";
    CHECK_EQ(get("/cl", 0), 0);
    CHECK_EQ(C.resp.status, 200);
    CHECK_MEM(G.body, G.len, want, sizeof want - 1);
    CHECK_STR(G.req, "1");
    CHECK(tvc_http_client_connected(&C));
    /* the same connection again, from both sides */
    CHECK_EQ(get("/cl", 0), 0);
    CHECK_MEM(G.body, G.len, want, sizeof want - 1);
    CHECK_STR(G.conn, "1");
    CHECK_STR(G.req, "2");
    CHECK_EQ(C.connects, 1);
    CHECK_EQ(C.requests, 2);
}

static void t_chunked(void)
{
    size_t i;
    int ok = 1;
    CHECK_EQ(get("/chunked", 0), 0);
    CHECK_EQ(C.resp.status, 200);
    CHECK(C.resp.chunked);
    CHECK_EQ(G.len, 5000);
    for (i = 0; i < G.len; i++)
        if ((uint8_t)G.body[i] != (uint8_t)((i * 7 + 3) & 0xFF))
            ok = 0;
    CHECK(ok);
    CHECK_STR(G.conn, "1"); /* still the first connection */
    CHECK_STR(G.req, "3");
    CHECK_EQ(C.connects, 1);
}

static void t_redirect(void)
{
    CHECK_EQ(get("/redirect", TVC_HTTP_FOLLOW), 0);
    CHECK_EQ(C.resp.status, 200);
    CHECK_EQ(C.redirects, 1);
    CHECK(G.len > 0);
    CHECK_STR(G.conn, "1"); /* the redirect's body was drained, the connection reused */
    CHECK_STR(G.req, "5");
    CHECK_EQ(C.connects, 1);
    /* not followed when not asked */
    CHECK_EQ(get("/redirect", 0), 0);
    CHECK_EQ(C.resp.status, 302);
}

static void t_until_close(void)
{
    CHECK_EQ(get("/close", 0), 0);
    CHECK_EQ(C.resp.status, 200);
    CHECK_MEM(G.body, G.len, "until close", 11);
    CHECK(!C.unclean_end); /* plain TCP: a FIN is a clean end */
    CHECK(!tvc_http_client_connected(&C));
    /* the next request opens a new connection */
    CHECK_EQ(get("/cl", 0), 0);
    CHECK_STR(G.conn, "2");
    CHECK_STR(G.req, "1");
    CHECK_EQ(C.connects, 2);
}

static void t_refused(void)
{
    uint16_t p;
    char url[64];
    struct tvc_http_req rq;

    CHECK_EQ(tl_free_ports(&p, 1), 0); /* free a moment ago: nobody listens */
    snprintf(url, sizeof url, "http://127.0.0.1:%u/cl", (unsigned)p);
    memset(&rq, 0, sizeof rq);
    rq.method = "GET";
    rq.url = url;
    rq.connect_timeout_ms = 5000;
    CHECK_EQ(tvc_http_request(&C, &rq), TVC_ERR_CONNECT);
    CHECK_EQ(C.request_bytes_out, 0);
    CHECK(!tvc_http_client_connected(&C));
}

static void t_https_without_transport(void)
{
    struct tvc_http_req rq;
    memset(&rq, 0, sizeof rq);
    rq.method = "GET";
    rq.url = "https://127.0.0.1/";
    CHECK_EQ(tvc_http_start(&C, &rq), TVC_ERR_URL_SCHEME);
}

int main(void)
{
    static struct tl_proc srv;
    const char *dir = getenv("TVC_TEST_DIR");
    char script[512], log[128], line[128], tmp[64];
    const char *argv[4];
    unsigned p = 0;

    if (!dir)
        dir = "tests";
    snprintf(script, sizeof script, "%s/plain/plain_server.py", dir);
    if (tl_temp_dir(tmp, sizeof tmp) != 0) {
        printf("cannot make a temp dir\n");
        return 1;
    }
    snprintf(log, sizeof log, "%s/server.log", tmp);
    argv[0] = "python3";
    argv[1] = script;
    argv[2] = NULL;
    if (tl_spawn(&srv, argv, log) != 0 || tl_log_line(log, "port ", line, sizeof line, 10000) != 0 ||
        sscanf(line, "port %u", &p) != 1) {
        printf("the test server did not start (see %s)\n", log);
        tl_stop(&srv);
        return 1;
    }
    snprintf(base, sizeof base, "http://127.0.0.1:%u", p);

    tvc_posix_init(&px, &port);
    /* http only: no https transport, no TLS library */
    tvc_http_client_init(&C, &port, NULL, hdr, sizeof hdr, io, sizeof io);
    RUN(t_content_length_then_reuse);
    RUN(t_chunked);
    RUN(t_redirect);
    RUN(t_until_close);
    RUN(t_refused);
    RUN(t_https_without_transport);
    tvc_http_client_close(&C);

    tl_stop(&srv);
    tl_remove_dir(tmp);
    return h_summary();
}
