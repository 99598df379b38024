/* The real client (tvc_http_request over the POSIX port, with and without
 * TLS) against servers this project did not write: nginx, Python's
 * http.server (HTTP/1.0) and `openssl s_server -WWW` (HTTP/1.0 over TLS,
 * body until close).  Every server is started here on 127.0.0.1 and
 * stopped by PID; one that cannot start is a failure, not a skip (make
 * deps-test installs them). */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"
#include "tl_servers.h"
#include "tls_server.h"
#include "tvc_http.h"
#include "tvc_posix.h"
#include "tvc_tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BIG_LEN (5u << 20)
#define BEARER "tl-secret"

enum { P_A, P_AS, P_B, P_BS, NPORTS }; /* nginx: origin A and B, http and https */

static char root[256];   /* temp dir: nginx prefix; www/ below it */
static char www[320];    /* document root; the files are in www/static */
static char alog[320];   /* nginx access log */
static uint16_t ports[NPORTS];
static struct tl_proc nginx;

static const char small[] = "hello from a real server\n";
static char text[40000]; /* lower case: sub_filter matches without case */
static size_t text_len;
static uint8_t big[BIG_LEN];

/* ---------------------------------------------------------------- client */

struct live {
    struct tvc_posix px;
    struct tvc_port port;
    struct tvc_tls tls;
    struct tvc_transport https; /* TLS transport over tls */
    struct tvc_http_client c;
    char hdr[TVC_HTTP_HEADER_BUF];
    uint8_t io[512]; /* small on purpose: every body crosses it many times */

    /* what the callbacks saw of the final response */
    int headers_calls;
    int chunked, until_close, minor;
    int64_t content_length;
    char etag[80];
    char content_range[80];
    size_t got_len;
};

static struct live L;
static uint8_t got[BIG_LEN + 65536];

static int on_headers(void *user, const struct tvc_http_parser *p)
{
    struct live *l = user;
    struct tvc_slice v;

    l->headers_calls++;
    l->chunked = p->chunked;
    l->until_close = p->until_close;
    l->minor = p->minor;
    l->content_length = p->content_length;
    if (tvc_http_parser_header(p, "ETag", &v) == 0 && v.len < sizeof l->etag)
        snprintf(l->etag, sizeof l->etag, "%.*s", (int)v.len, v.p);
    if (tvc_http_parser_header(p, "Content-Range", &v) == 0 && v.len < sizeof l->content_range)
        snprintf(l->content_range, sizeof l->content_range, "%.*s", (int)v.len, v.p);
    return 0;
}

static int on_body(void *user, const uint8_t *d, size_t n)
{
    struct live *l = user;
    if (n > sizeof got - l->got_len)
        return TVC_ERR_NOSPACE;
    memcpy(got + l->got_len, d, n);
    l->got_len += n;
    return 0;
}

static void resolve_local(uint16_t p)
{
    char spec[64];
    snprintf(spec, sizeof spec, "localhost:%u:127.0.0.1", (unsigned)p);
    CHECK_EQ(tvc_posix_resolve_add(&L.px, spec), 0);
}

/* A fresh client (connects counts from 0) with the test CA. */
static void live_open(void)
{
    memset(&L, 0, sizeof L);
    tvc_posix_init(&L.px, &L.port);
    if (ports[P_AS] != 0) {
        resolve_local(ports[P_AS]);
        resolve_local(ports[P_BS]);
    }
    tvc_tls_init(&L.tls);
    CHECK_EQ(tvc_tls_setup(&L.tls, &L.port), 0);
    CHECK_EQ(tvc_tls_add_ca_file(&L.tls, ts_pki_path("ca.crt"), got, 4096), 1);
    tvc_tls_transport_init(&L.https, &L.tls);
    tvc_http_client_init(&L.c, &L.port, &L.https, L.hdr, sizeof L.hdr, L.io, sizeof L.io);
}

static void live_close(void)
{
    tvc_http_client_close(&L.c);
    tvc_tls_free(&L.tls);
}

struct rq {
    const char *method;
    int64_t range_from;
    const char *if_range;
    const char *bearer;
    const uint8_t *body;
    size_t body_len;
    unsigned flags; /* besides TVC_HTTP_FOLLOW */
};

static int request(const char *url, const struct rq *o)
{
    static char redir[TVC_URL_MAX];
    struct tvc_http_req r;

    memset(&r, 0, sizeof r);
    r.method = o && o->method ? o->method : "GET";
    r.url = url;
    r.bearer = o ? o->bearer : NULL;
    r.range_from = o ? o->range_from : 0;
    r.if_range = o ? o->if_range : NULL;
    r.body = o ? o->body : NULL;
    r.body_len = o ? o->body_len : 0;
    r.content_type = r.body ? "text/plain" : NULL;
    r.flags = TVC_HTTP_FOLLOW | (o ? o->flags : 0);
    r.redirect_buf = redir;
    r.redirect_cap = sizeof redir;
    r.connect_timeout_ms = 3000;
    r.io_timeout_ms = 5000;
    r.on_headers = on_headers;
    r.on_body = on_body;
    r.user = &L;
    L.headers_calls = 0;
    L.got_len = 0;
    L.etag[0] = L.content_range[0] = '\0';
    return tvc_http_request(&L.c, &r);
}

static int get(const char *url)
{
    return request(url, NULL);
}

/* "http://127.0.0.1:PA/path" or "https://localhost:PAS/path" */
static const char *url_of(int https, int origin_b, const char *path)
{
    static char bufs[4][512];
    static unsigned next;
    char *b = bufs[next++ % 4];
    uint16_t p = ports[(origin_b ? P_B : P_A) + (https ? 1 : 0)];
    snprintf(b, sizeof bufs[0], "%s://%s:%u%s", https ? "https" : "http",
             https ? "localhost" : "127.0.0.1", (unsigned)p, path);
    return b;
}

static int got_is(const void *want, size_t len)
{
    return L.got_len == len && memcmp(got, want, len) == 0;
}

static int got_has(const char *needle)
{
    size_t n = strlen(needle), i;
    for (i = 0; i + n <= L.got_len; i++)
        if (memcmp(got + i, needle, n) == 0)
            return 1;
    return 0;
}

static void nap_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* The access log line whose request target contains @needle. */
static int log_line(const char *needle, char *line, size_t cap)
{
    return tl_log_line(alog, needle, line, cap, 2000);
}

static long log_num(const char *line, const char *key)
{
    const char *at = strstr(line, key);
    return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

/* ---------------------------------------------------------------- fixtures */

static void make_files(void)
{
    char path[1024];
    uint32_t x = 0x2545F491u;
    size_t i;
    int n;

    text_len = 0;
    for (n = 0; text_len + 64 < sizeof text; n++)
        text_len += (size_t)snprintf(text + text_len, sizeof text - text_len,
                                     "line %05d: the quick brown fox jumps over a lazy dog\n", n);
    for (i = 0; i < BIG_LEN; i++) { /* xorshift32: incompressible, reproducible */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        big[i] = (uint8_t)x;
    }
    snprintf(www, sizeof www, "%s/www", root);
    snprintf(path, sizeof path, "mkdir -p '%s/static' '%s/tmp'", www, root);
    CHECK_EQ(system(path), 0);
    snprintf(path, sizeof path, "%s/static/small.txt", www);
    CHECK_EQ(tl_write_file(path, small, sizeof small - 1), 0);
    snprintf(path, sizeof path, "%s/static/text.txt", www);
    CHECK_EQ(tl_write_file(path, text, text_len), 0);
    snprintf(path, sizeof path, "%s/static/big.bin", www);
    CHECK_EQ(tl_write_file(path, big, BIG_LEN), 0);
}

static int write_nginx_conf(const char *path, const uint16_t *p, void *user)
{
    const char *d = root;
    FILE *f = fopen(path, "w");
    int i;
    (void)user;
    if (f == NULL)
        return -1;
    fprintf(f,
            "error_log %s/error.log info;\n"
            "pid %s/nginx.pid;\n"
            "events { worker_connections 64; }\n"
            "http {\n"
            "  client_body_temp_path %s/tmp/body;\n"
            "  proxy_temp_path %s/tmp/proxy;\n"
            "  fastcgi_temp_path %s/tmp/fastcgi;\n"
            "  uwsgi_temp_path %s/tmp/uwsgi;\n"
            "  scgi_temp_path %s/tmp/scgi;\n"
            "  log_format tl '$server_port $request_method $request_uri "
            "auth=[$http_authorization] cl=$content_length conn=$connection n=$connection_requests "
            "status=$status';\n"
            "  access_log %s/access.log tl;\n"
            "  default_type application/octet-stream;\n"
            "  sendfile on;\n"
            "  keepalive_timeout 30s;\n"
            "  ssl_certificate %s;\n"
            "  ssl_certificate_key %s;\n"
            "  map $scheme $other_port { https %u; default %u; }\n"
            "  server {\n"
            "    listen 127.0.0.1:%u;\n"
            "    listen 127.0.0.1:%u ssl;\n"
            "    root %s;\n"
            "    location /static/ { }\n"
            /* sub_filter drops Content-Length: HTTP/1.1 then gets chunked */
            "    location /chunked/ { alias %s/static/; sub_filter 'a' 'b'; sub_filter_once off;"
            " sub_filter_types *; }\n"
            "    location /ka1/ { alias %s/static/; keepalive_timeout 1s; }\n"
            "    location = /r301 { absolute_redirect off;"
            " return 301 /static/small.txt$is_args$args; }\n"
            "    location = /r302other {"
            " return 302 $scheme://$host:$other_port/echo$is_args$args; }\n"
            "    location = /loop { absolute_redirect off; return 302 /loop; }\n"
            "    location = /to-http { return 302 http://127.0.0.1:%u/static/small.txt; }\n"
            "    location = /to-https {"
            " return 301 https://localhost:%u/static/small.txt$is_args$args; }\n"
            "    location = /sink { return 200 \"sink\\n\"; }\n"
            "    location = /r307 { absolute_redirect off; return 307 /sink$is_args$args; }\n"
            "    location = /r303 { absolute_redirect off; return 303 /sink$is_args$args; }\n"
            /* 444: close without any response */
            "    location = /close444 { return 444; }\n"
            /* the built-in 302 page is text/html: sub_filter makes it chunked */
            "    location = /r302chunked { absolute_redirect off; sub_filter 'a' 'b';"
            " return 302 /static/text.txt; }\n"
            "    location = /empty { return 200 \"\"; }\n"
            "    location = /nocontent { return 204; }\n"
            "    location = /limit { client_max_body_size 1k; return 200 \"fits\\n\"; }\n"
            /* the server ends the connection after its second request */
            "    location /kr/ { alias %s/static/; keepalive_requests 2; }\n",
            d, d, d, d, d, d, d, d, ts_pki_path("good.crt"), ts_pki_path("good.key"),
            (unsigned)p[P_BS], (unsigned)p[P_B], (unsigned)p[P_A], (unsigned)p[P_AS], www, www,
            www, (unsigned)p[P_A], (unsigned)p[P_AS], www);
    /* header blocks past the client's limits: one 3000-byte field (the
     * buffer is TVC_HTTP_HEADER_BUF), then more fields than it has slots */
    fprintf(f, "    location = /fat { add_header X-Pad \"");
    for (i = 0; i < 3000; i++)
        fputc('p', f);
    fprintf(f, "\"; return 200 \"x\\n\"; }\n    location = /many {");
    for (i = 0; i < TVC_HTTP_MAX_HEADERS + 2; i++)
        fprintf(f, " add_header X-H%d %d;", i, i);
    fprintf(f, " return 200 \"x\\n\"; }\n");
    fprintf(f,
            "  }\n"
            "  server {\n"
            "    listen 127.0.0.1:%u;\n"
            "    listen 127.0.0.1:%u ssl;\n"
            "    location = /echo { return 200 \"echo\\n\"; }\n"
            "  }\n"
            "}\n",
            (unsigned)p[P_B], (unsigned)p[P_BS]);
    return fclose(f) == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------- nginx cases */

static int https_now; /* the scheme the nginx cases run over */

static void nginx_static_get(void)
{
    CHECK_EQ(get(url_of(https_now, 0, "/static/small.txt")), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK_EQ(L.headers_calls, 1);
    CHECK_EQ(L.content_length, (long)(sizeof small - 1));
    CHECK_EQ(L.chunked, 0);
    CHECK(got_is(small, sizeof small - 1));
    CHECK(tvc_http_client_connected(&L.c)); /* kept alive */
    CHECK_EQ(L.c.connects, 1);
    if (https_now) {
        CHECK_EQ(L.tls.verify_flags, 0);
    } else { /* by name through the system resolver (no override for this port) */
        char url[96];
        snprintf(url, sizeof url, "http://localhost:%u/static/small.txt", (unsigned)ports[P_A]);
        CHECK_EQ(get(url), 0);
        CHECK(got_is(small, sizeof small - 1));
        CHECK_EQ(L.c.connects, 2); /* another host name: not the same connection */
    }
}

/* Several exchanges on one connection, seen from both ends: one connect
 * here, one $connection there with $connection_requests 1..4. */
static void nginx_keepalive(void)
{
    static const char *const paths[] = {"/static/small.txt", "/static/text.txt",
                                        "/static/nope", "/static/small.txt"};
    char path[128], tag[64], line[512];
    long conn0 = -2;
    int i;

    for (i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s?ka=%s-%d", paths[i], https_now ? "s" : "p", i);
        CHECK_EQ(get(url_of(https_now, 0, path)), 0);
        CHECK_EQ(L.c.resp.status, i == 2 ? 404 : 200);
    }
    CHECK(got_is(small, sizeof small - 1));
    CHECK_EQ(L.c.connects, 1);
    CHECK_EQ(L.c.conn_uses, 4);
    CHECK_EQ(L.c.requests, 4);
    for (i = 0; i < 4; i++) {
        snprintf(tag, sizeof tag, "?ka=%s-%d ", https_now ? "s" : "p", i);
        if (log_line(tag, line, sizeof line) != 0) {
            CHECK(!"request missing from the nginx access log");
            continue;
        }
        if (i == 0)
            conn0 = log_num(line, "conn=");
        CHECK_EQ(log_num(line, "conn="), conn0);
        CHECK_EQ(log_num(line, " n="), i + 1);
    }
}

static void nginx_chunked(void)
{
    static char want[sizeof text];
    size_t i;

    for (i = 0; i < text_len; i++)
        want[i] = text[i] == 'a' ? 'b' : text[i];
    CHECK_EQ(get(url_of(https_now, 0, "/chunked/text.txt")), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK_EQ(L.chunked, 1);
    CHECK_EQ(L.content_length, -1);
    CHECK(got_is(want, text_len));
    /* the last chunk ended the body exactly: the connection carries on */
    CHECK(tvc_http_client_connected(&L.c));
    CHECK_EQ(get(url_of(https_now, 0, "/chunked/small.txt")), 0);
    CHECK(got_is("hello from b rebl server\n", sizeof small - 1));
    CHECK_EQ(L.c.connects, 1);
}

static void nginx_range(void)
{
    static const struct rq head = {.method = "HEAD"};
    struct rq r = {.range_from = 1000};
    char etag[80], want_cr[80];

    CHECK_EQ(request(url_of(https_now, 0, "/static/text.txt"), &head), 0);
    CHECK(L.etag[0] == '"');
    snprintf(etag, sizeof etag, "%s", L.etag);
    snprintf(want_cr, sizeof want_cr, "bytes 1000-%zu/%zu", text_len - 1, text_len);

    CHECK_EQ(request(url_of(https_now, 0, "/static/text.txt"), &r), 0);
    CHECK_EQ(L.c.resp.status, 206);
    CHECK_STR(L.content_range, want_cr);
    CHECK(got_is(text + 1000, text_len - 1000));

    r.if_range = etag; /* still the same file: the range is honoured */
    CHECK_EQ(request(url_of(https_now, 0, "/static/text.txt"), &r), 0);
    CHECK_EQ(L.c.resp.status, 206);
    CHECK(got_is(text + 1000, text_len - 1000));

    r.if_range = "\"0-0\""; /* changed: the whole file instead */
    CHECK_EQ(request(url_of(https_now, 0, "/static/text.txt"), &r), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK(got_is(text, text_len));

    r.if_range = NULL; /* the tail of the large file, across the small buffer */
    r.range_from = BIG_LEN - 70000;
    CHECK_EQ(request(url_of(https_now, 0, "/static/big.bin"), &r), 0);
    CHECK_EQ(L.c.resp.status, 206);
    CHECK(got_is(big + BIG_LEN - 70000, 70000));

    r.range_from = (int64_t)text_len; /* past the end: 416, with a body */
    CHECK_EQ(request(url_of(https_now, 0, "/static/text.txt"), &r), 0);
    CHECK_EQ(L.c.resp.status, 416);
    CHECK(got_has("416"));
    CHECK_EQ(L.c.connects, 1);
}

/* HEAD announces 5 MB but sends none: the next request must not wait for it. */
static void nginx_head(void)
{
    static const struct rq head = {.method = "HEAD"};

    CHECK_EQ(request(url_of(https_now, 0, "/static/big.bin"), &head), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK_EQ(L.content_length, (long)BIG_LEN);
    CHECK_EQ(L.got_len, 0);
    CHECK(tvc_http_client_connected(&L.c));
    CHECK_EQ(get(url_of(https_now, 0, "/static/small.txt")), 0);
    CHECK(got_is(small, sizeof small - 1));
    /* where a GET would be chunked */
    CHECK_EQ(request(url_of(https_now, 0, "/chunked/text.txt"), &head), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK_EQ(L.got_len, 0);
    CHECK_EQ(get(url_of(https_now, 0, "/static/small.txt")), 0);
    CHECK(got_is(small, sizeof small - 1));
    /* through a redirect: neither hop has a body to wait for */
    CHECK_EQ(request(url_of(https_now, 0, "/r301"), &head), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK_EQ(L.c.redirects, 1);
    CHECK_EQ(L.content_length, (long)(sizeof small - 1));
    CHECK_EQ(L.got_len, 0);
    CHECK_EQ(L.c.connects, 1);
    CHECK_EQ(L.c.requests, 6);
}

/* Bodies of nothing: Content-Length: 0 and 204; neither waits, both keep
 * the connection. */
static void nginx_empty_bodies(void)
{
    CHECK_EQ(get(url_of(https_now, 0, "/empty")), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK_EQ(L.content_length, 0);
    CHECK_EQ(L.got_len, 0);
    CHECK_EQ(get(url_of(https_now, 0, "/nocontent")), 0);
    CHECK_EQ(L.c.resp.status, 204);
    CHECK_EQ(L.got_len, 0);
    CHECK_EQ(L.headers_calls, 1);
    CHECK_EQ(get(url_of(https_now, 0, "/static/small.txt")), 0);
    CHECK(got_is(small, sizeof small - 1));
    CHECK_EQ(L.c.connects, 1);
}

/* Real header blocks over the client's limits fail cleanly, and the next
 * request starts over on a new connection. */
static void nginx_header_limits(void)
{
    CHECK_EQ(get(url_of(https_now, 0, "/fat")), TVC_ERR_HTTP_HEADERS_TOO_LARGE);
    CHECK_EQ(tvc_http_client_connected(&L.c), 0);
    CHECK_EQ(get(url_of(https_now, 0, "/many")), TVC_ERR_HTTP_TOO_MANY_HEADERS);
    CHECK_EQ(tvc_http_client_connected(&L.c), 0);
    CHECK_EQ(L.headers_calls, 0);
    CHECK_EQ(get(url_of(https_now, 0, "/static/small.txt")), 0);
    CHECK(got_is(small, sizeof small - 1));
    CHECK_EQ(L.c.connects, 3);
}

static void nginx_not_found(void)
{
    CHECK_EQ(get(url_of(https_now, 0, "/static/nope.txt")), 0);
    CHECK_EQ(L.c.resp.status, 404);
    CHECK_EQ(L.headers_calls, 1);
    CHECK(got_has("404 Not Found"));
    CHECK(tvc_http_client_connected(&L.c));
}

/* Relative Location, same connection for both hops. */
static void nginx_redirect_relative(void)
{
    CHECK_EQ(get(url_of(https_now, 0, "/r301")), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK(got_is(small, sizeof small - 1));
    CHECK_EQ(L.c.redirects, 1);
    CHECK_EQ(L.c.requests, 2);
    CHECK_EQ(L.c.connects, 1);
    CHECK_EQ(L.headers_calls, 1); /* the redirect itself is not delivered */

    /* a chunked redirect body is drained through the small buffer too */
    CHECK_EQ(get(url_of(https_now, 0, "/r302chunked")), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK(got_is(text, text_len));
    CHECK_EQ(L.c.connects, 1);

    /* the Range goes with every hop and applies where the file is */
    {
        struct rq r = {.range_from = 6};
        CHECK_EQ(request(url_of(https_now, 0, "/r301"), &r), 0);
        CHECK_EQ(L.c.resp.status, 206);
        CHECK(got_is(small + 6, sizeof small - 1 - 6));
        CHECK_EQ(L.c.connects, 1);
    }
}

/* Another port is another origin: the key goes to the first hop only. */
static void nginx_redirect_other_port(void)
{
    struct rq r = {.bearer = BEARER};
    char path[64], tag[64], line[512];

    snprintf(path, sizeof path, "/r302other?tag=%s", https_now ? "s" : "p");
    CHECK_EQ(request(url_of(https_now, 0, path), &r), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK(got_is("echo\n", 5));
    CHECK_EQ(L.c.redirects, 1);
    CHECK_EQ(L.c.connects, 2);

    snprintf(tag, sizeof tag, "%u GET /r302other?tag=%s ", (unsigned)ports[P_A + https_now],
             https_now ? "s" : "p");
    CHECK_EQ(log_line(tag, line, sizeof line), 0);
    CHECK(strstr(line, "auth=[Bearer " BEARER "]") != NULL);
    snprintf(tag, sizeof tag, "%u GET /echo?tag=%s ", (unsigned)ports[P_B + https_now],
             https_now ? "s" : "p");
    CHECK_EQ(log_line(tag, line, sizeof line), 0);
    CHECK(strstr(line, "auth=[-]") != NULL);
    CHECK(strstr(line, BEARER) == NULL);
}

static void nginx_redirect_loop(void)
{
    CHECK_EQ(get(url_of(https_now, 0, "/loop")), TVC_ERR_HTTP_REDIRECT_LIMIT);
    CHECK_EQ(L.c.redirects, TVC_HTTP_MAX_REDIRECTS);
    CHECK_EQ(L.c.requests, TVC_HTTP_MAX_REDIRECTS + 1);
    CHECK_EQ(L.c.connects, 1);
    CHECK_EQ(tvc_http_client_connected(&L.c), 0);
    CHECK_EQ(L.headers_calls, 0);
}

/* https -> http is refused before anything goes to the http origin. */
static void nginx_redirect_insecure(void)
{
    CHECK_EQ(get(url_of(1, 0, "/to-http")), TVC_ERR_HTTP_REDIRECT_INSECURE);
    CHECK_EQ(L.c.connects, 1);
    CHECK_EQ(L.c.requests, 1);
    CHECK_EQ(L.headers_calls, 0);
}

/* http -> https is followed (a new origin: no key) and verified. */
static void nginx_redirect_upgrade(void)
{
    struct rq r = {.bearer = BEARER};
    char tag[64], line[512];

    CHECK_EQ(request(url_of(0, 0, "/to-https?tag=up"), &r), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK(got_is(small, sizeof small - 1));
    CHECK_EQ(L.c.connects, 2);
    CHECK_EQ(L.tls.verify_flags, 0);
    snprintf(tag, sizeof tag, "%u GET /static/small.txt?tag=up ", (unsigned)ports[P_AS]);
    CHECK_EQ(log_line(tag, line, sizeof line), 0);
    CHECK(strstr(line, "auth=[-]") != NULL);
}

/* nginx drops the idle connection after 1 s; the client must notice before
 * sending and open a new one. */
static void nginx_stale_keepalive(void)
{
    const char *s = https_now ? "s" : "p";
    char path[64], tag[64], line[512];
    long conn1;

    snprintf(path, sizeof path, "/ka1/small.txt?st=%s1", s);
    CHECK_EQ(get(url_of(https_now, 0, path)), 0);
    CHECK(tvc_http_client_connected(&L.c));
    nap_ms(2000);
    snprintf(path, sizeof path, "/static/small.txt?st=%s2", s);
    CHECK_EQ(get(url_of(https_now, 0, path)), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK(got_is(small, sizeof small - 1));
    CHECK_EQ(L.c.connects, 2);
    CHECK_EQ(L.c.requests, 2); /* detected before sending: nothing re-sent */
    snprintf(tag, sizeof tag, "?st=%s1 ", s);
    CHECK_EQ(log_line(tag, line, sizeof line), 0);
    conn1 = log_num(line, "conn=");
    snprintf(tag, sizeof tag, "?st=%s2 ", s);
    CHECK_EQ(log_line(tag, line, sizeof line), 0);
    CHECK(log_num(line, "conn=") != conn1);
    CHECK_EQ(log_num(line, " n="), 1);
}

/* The request body's framing as a real server reads it: the next request
 * on the same connection parses only if the body ended where it said. */
static void nginx_post_keepalive(void)
{
    struct rq r = {.method = "POST", .body = (const uint8_t *)text, .body_len = 3000};
    const char *s = https_now ? "s" : "p";
    char path[64], line[512];
    long conn;

    snprintf(path, sizeof path, "/sink?post=%s1", s);
    CHECK_EQ(request(url_of(https_now, 0, path), &r), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK(got_is("sink\n", 5));
    CHECK(tvc_http_client_connected(&L.c));
    snprintf(path, sizeof path, "/static/small.txt?post=%s2", s);
    CHECK_EQ(get(url_of(https_now, 0, path)), 0);
    CHECK(got_is(small, sizeof small - 1));
    CHECK_EQ(L.c.connects, 1);

    snprintf(path, sizeof path, "POST /sink?post=%s1 ", s);
    CHECK_EQ(log_line(path, line, sizeof line), 0);
    CHECK(strstr(line, " cl=3000 ") != NULL);
    conn = log_num(line, "conn=");
    snprintf(path, sizeof path, "GET /static/small.txt?post=%s2 ", s);
    CHECK_EQ(log_line(path, line, sizeof line), 0);
    CHECK_EQ(log_num(line, "conn="), conn);
    CHECK_EQ(log_num(line, " n="), 2);
}

/* 307 keeps the method and body, 303 turns into a body-less GET; the
 * redirect bodies are drained so one connection carries all four. */
static void nginx_redirect_307_303(void)
{
    struct rq r = {.method = "POST", .body = (const uint8_t *)text, .body_len = 3000};
    const char *s = https_now ? "s" : "p";
    char path[64], line[512];

    snprintf(path, sizeof path, "/r307?m=%s7", s);
    CHECK_EQ(request(url_of(https_now, 0, path), &r), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK(got_is("sink\n", 5));
    snprintf(path, sizeof path, "/r303?m=%s3", s);
    CHECK_EQ(request(url_of(https_now, 0, path), &r), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK(got_is("sink\n", 5));
    CHECK_EQ(L.c.connects, 1);
    CHECK_EQ(L.c.requests, 4);

    snprintf(path, sizeof path, "/r301?m=%s1", s); /* POST to 301: GET, as browsers do */
    CHECK_EQ(request(url_of(https_now, 0, path), &r), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK(got_is(small, sizeof small - 1));
    CHECK_EQ(L.c.connects, 1);

    snprintf(path, sizeof path, "GET /static/small.txt?m=%s1 ", s);
    CHECK_EQ(log_line(path, line, sizeof line), 0);
    CHECK(strstr(line, " cl=- ") != NULL);
    snprintf(path, sizeof path, "POST /sink?m=%s7 ", s);
    CHECK_EQ(log_line(path, line, sizeof line), 0);
    CHECK(strstr(line, " cl=3000 ") != NULL);
    snprintf(path, sizeof path, "GET /sink?m=%s3 ", s);
    CHECK_EQ(log_line(path, line, sizeof line), 0);
    CHECK(strstr(line, " cl=- ") != NULL);
}

/* nginx's 444 closes without a byte of response.  On a reused connection
 * that looks like a stale one: a GET is sent once more on a new connection
 * (and fails the same way), a POST is never sent twice. */
static void nginx_close_without_response(void)
{
    struct rq post = {.method = "POST", .body = (const uint8_t *)text, .body_len = 3000};
    int rc;

    CHECK_EQ(get(url_of(https_now, 0, "/static/small.txt")), 0);
    CHECK_EQ(get(url_of(https_now, 0, "/close444")), TVC_ERR_CLOSED);
    CHECK_EQ(L.c.connects, 2);
    CHECK_EQ(L.c.requests, 3);
    CHECK_EQ(L.c.request_bytes_out, 1);
    CHECK_EQ(tvc_http_client_connected(&L.c), 0);

    CHECK_EQ(get(url_of(https_now, 0, "/static/small.txt")), 0);
    rc = request(url_of(https_now, 0, "/close444"), &post);
    CHECK(rc == TVC_ERR_CLOSED || rc == TVC_ERR_RESET);
    CHECK_EQ(L.c.connects, 3);
    CHECK_EQ(L.c.requests, 5);
    CHECK_EQ(L.c.request_bytes_out, 1);
    CHECK_EQ(L.headers_calls, 0);
}

/* A body over client_max_body_size: nginx answers 413 at once and closes
 * after reading (and discarding) the rest; the status must reach us. */
static void nginx_early_413(void)
{
    struct rq r = {.method = "POST", .body = big, .body_len = 256u << 10};

    CHECK_EQ(request(url_of(https_now, 0, "/limit"), &r), 0);
    CHECK_EQ(L.c.resp.status, 413);
    CHECK(got_has("413"));
    CHECK_EQ(tvc_http_client_connected(&L.c), 0);
    r.body_len = 100; /* fits */
    CHECK_EQ(request(url_of(https_now, 0, "/limit"), &r), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK(got_is("fits\n", 5));
    CHECK_EQ(L.c.connects, 2);
}

/* TVC_HTTP_CLOSE: nginx is asked to close and does; nothing is kept. */
static void nginx_close_flag(void)
{
    struct rq r = {.flags = TVC_HTTP_CLOSE};
    struct tvc_slice v;

    CHECK_EQ(request(url_of(https_now, 0, "/static/small.txt"), &r), 0);
    CHECK(got_is(small, sizeof small - 1));
    CHECK_EQ(tvc_http_parser_header(&L.c.resp, "Connection", &v), 0);
    CHECK(v.len == 5 && memcmp(v.p, "close", 5) == 0);
    CHECK_EQ(tvc_http_client_connected(&L.c), 0);
    CHECK_EQ(get(url_of(https_now, 0, "/static/small.txt")), 0);
    CHECK_EQ(L.c.connects, 2);
    CHECK(tvc_http_client_connected(&L.c));
    tvc_http_client_close(&L.c);

    /* keepalive_requests 2: the server says close on the second response */
    CHECK_EQ(get(url_of(https_now, 0, "/kr/small.txt")), 0);
    CHECK(tvc_http_client_connected(&L.c));
    CHECK_EQ(get(url_of(https_now, 0, "/kr/small.txt")), 0);
    CHECK_EQ(L.c.resp.keep_alive, 0);
    CHECK_EQ(tvc_http_client_connected(&L.c), 0);
    CHECK_EQ(get(url_of(https_now, 0, "/kr/small.txt")), 0);
    CHECK(got_is(small, sizeof small - 1));
    CHECK_EQ(L.c.connects, 4);
}

static void nginx_large(void)
{
    uint64_t t0 = ts_now_ms();
    CHECK_EQ(get(url_of(https_now, 0, "/static/big.bin")), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK_EQ(L.content_length, (long)BIG_LEN);
    CHECK_EQ(L.c.resp.body_bytes, BIG_LEN);
    CHECK(got_is(big, BIG_LEN));
    CHECK(tvc_http_client_connected(&L.c));
    printf("note: nginx %s 5 MB through a 512-byte buffer: %lu ms\n", https_now ? "https" : "http",
           (unsigned long)(ts_now_ms() - t0));
}

struct live_case {
    const char *name;
    void (*fn)(void);
    int schemes; /* 1 http, 2 https, 3 both */
};

static const struct live_case nginx_cases[] = {
    {"static GET", nginx_static_get, 3},
    {"keep-alive", nginx_keepalive, 3},
    {"chunked", nginx_chunked, 3},
    {"range and If-Range", nginx_range, 3},
    {"HEAD", nginx_head, 3},
    {"404", nginx_not_found, 3},
    {"empty bodies", nginx_empty_bodies, 3},
    {"redirect relative", nginx_redirect_relative, 3},
    {"redirect other port drops auth", nginx_redirect_other_port, 3},
    {"redirect loop", nginx_redirect_loop, 3},
    {"redirect https to http refused", nginx_redirect_insecure, 2},
    {"redirect http to https", nginx_redirect_upgrade, 1},
    {"POST body then keep-alive", nginx_post_keepalive, 3},
    {"redirect 307, 303 and 301 with a body", nginx_redirect_307_303, 3},
    {"444: closed without a response", nginx_close_without_response, 3},
    {"early 413 for a large body", nginx_early_413, 3},
    {"Connection: close, asked and imposed", nginx_close_flag, 3},
    {"header block over the limits", nginx_header_limits, 3},
    {"stale keep-alive", nginx_stale_keepalive, 3},
    {"5 MB through 512 bytes", nginx_large, 3},
};

static void run_nginx(void)
{
    char name[128];
    size_t i;
    int https;

    h_begin("nginx start");
    snprintf(alog, sizeof alog, "%s/access.log", root);
    CHECK_EQ(tl_nginx_start(&nginx, root, ports, NPORTS, write_nginx_conf, NULL), 0);
    h_end();
    for (https = 0; https <= 1; https++) {
        https_now = https;
        for (i = 0; i < sizeof nginx_cases / sizeof nginx_cases[0]; i++) {
            if (!(nginx_cases[i].schemes & (https ? 2 : 1)))
                continue;
            snprintf(name, sizeof name, "nginx %s: %s", https ? "https" : "http",
                     nginx_cases[i].name);
            h_begin(name);
            if (nginx.pid == 0) {
                CHECK(!"nginx is not running");
            } else {
                live_open();
                nginx_cases[i].fn();
                live_close();
            }
            h_end();
        }
    }
    h_begin("nginx still up");
    CHECK(tl_alive(&nginx));
    h_end();
    tl_stop(&nginx);
    memset(ports, 0, sizeof ports);
}

/* ---------------------------------------------------------------- HTTP/1.0 servers */

static void python_cases(void)
{
    struct tl_proc py;
    uint16_t p;
    char url[128];

    h_begin("python http.server: GET, HTTP/1.0 and close");
    if (tl_python_start(&py, www, &p) != 0) {
        CHECK(!"python3 -m http.server did not start");
        h_end();
        h_begin("python http.server: 404");
        CHECK(!"python3 -m http.server is not running");
        h_end();
        return;
    }
    live_open();
    snprintf(url, sizeof url, "http://127.0.0.1:%u/static/small.txt", (unsigned)p);
    CHECK_EQ(get(url), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK_EQ(L.minor, 0);
    CHECK_EQ(L.content_length, (long)(sizeof small - 1));
    CHECK(got_is(small, sizeof small - 1));
    CHECK_EQ(L.c.resp.keep_alive, 0);
    CHECK_EQ(tvc_http_client_connected(&L.c), 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/static/big.bin", (unsigned)p);
    CHECK_EQ(get(url), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK(got_is(big, BIG_LEN));
    CHECK_EQ(L.c.connects, 2);
    live_close();
    h_end();

    h_begin("python http.server: 404");
    live_open();
    snprintf(url, sizeof url, "http://127.0.0.1:%u/static/nope.txt", (unsigned)p);
    CHECK_EQ(get(url), 0);
    CHECK_EQ(L.c.resp.status, 404);
    CHECK_EQ(L.headers_calls, 1);
    CHECK(got_has("404"));
    CHECK_EQ(tvc_http_client_connected(&L.c), 0);
    live_close();
    CHECK(tl_alive(&py));
    h_end();
    tl_stop(&py);
}

/* No Content-Length, no chunks: the body is whatever comes before the
 * close, and such a connection is never reused. */
static void s_server_cases(void)
{
    struct ts_server s;
    char dir[400], url[128];

    h_begin("openssl s_server -WWW: body until close over TLS");
    snprintf(dir, sizeof dir, "%s/static", www);
    if (tl_s_server_www(&s, dir, 2) != 0) {
        CHECK(!"openssl s_server -WWW did not start");
        h_end();
        return;
    }
    live_open();
    resolve_local(s.port);
    snprintf(url, sizeof url, "https://localhost:%u/text.txt", (unsigned)s.port);
    CHECK_EQ(get(url), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK_EQ(L.minor, 0);
    CHECK_EQ(L.until_close, 1);
    CHECK_EQ(L.content_length, -1);
    CHECK(got_is(text, text_len));
    CHECK_EQ(tvc_http_client_connected(&L.c), 0);
    snprintf(url, sizeof url, "https://localhost:%u/small.txt", (unsigned)s.port);
    CHECK_EQ(get(url), 0);
    CHECK_EQ(L.c.resp.status, 200);
    CHECK(got_is(small, sizeof small - 1));
    CHECK_EQ(L.c.connects, 2);
    live_close();
    h_end();
    ts_server_stop(&s);
}

int main(void)
{
    if (ts_pki() == NULL || tl_temp_dir(root, sizeof root) != 0) {
        h_begin("setup");
        CHECK(!"tests/certs.sh or the temp directory failed");
        h_end();
        return h_summary();
    }
    h_begin("fixtures");
    make_files();
    h_end();
    run_nginx();
    python_cases();
    s_server_cases();
    tl_remove_dir(root);
    ts_pki_remove();
    return h_summary();
}
