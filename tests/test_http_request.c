/* Request head writer: exact bytes, injection refusal, bounded writes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tvc_http.h"

#define UA "User-Agent: " TVC_USER_AGENT "\r\n"

static struct tvc_url mkurl(int scheme, const char *host, int is_ip, uint16_t port,
                            const char *path, const char *query)
{
    struct tvc_url u;

    memset(&u, 0, sizeof u);
    u.scheme = scheme;
    u.host.p = host;
    u.host.len = strlen(host);
    u.host_is_ip = is_ip;
    u.port = port;
    u.port_explicit = port != (scheme == TVC_SCHEME_HTTPS ? 443 : 80);
    u.path.p = path;
    u.path.len = strlen(path);
    u.query.p = query;
    u.query.len = strlen(query);
    return u;
}

static struct tvc_http_head mkhead(const char *method, const struct tvc_url *u)
{
    struct tvc_http_head h;

    memset(&h, 0, sizeof h);
    h.method = method;
    h.url = u;
    h.content_length = -1;
    h.range_from = -1;
    h.keep_alive = 1;
    return h;
}

/* Write @p h and compare with @p want; then check every smaller cap gives
 * TVC_ERR_NOSPACE without touching a byte at or past the cap. */
static void expect_head(const struct tvc_http_head *h, const char *want)
{
    size_t n = strlen(want), cap;
    char *buf = malloc(n + 64);
    int rc;

    memset(buf, 0xA5, n + 64);
    rc = tvc_http_head_write(buf, n + 64, h);
    CHECK_EQ(rc, (long long)n);
    if (rc >= 0) {
        buf[rc] = '\0';
        CHECK_STR(buf, want);
    }
    /* exact fit: no NUL or anything else appended */
    memset(buf, 0xA5, n + 64);
    CHECK_EQ(tvc_http_head_write(buf, n, h), (long long)n);
    CHECK_MEM(buf, n, want, n);
    CHECK_EQ((unsigned char)buf[n], 0xA5);

    for (cap = 0; cap < n; cap++) {
        size_t i;
        int touched = 0;
        memset(buf, 0xA5, n + 64);
        rc = tvc_http_head_write(buf, cap, h);
        for (i = cap; i < n + 64; i++)
            if ((unsigned char)buf[i] != 0xA5)
                touched = 1;
        if (rc != TVC_ERR_NOSPACE || touched) {
            char m[96];
            snprintf(m, sizeof m, "cap %zu: rc %d touched %d", cap, rc, touched);
            h_fail(__FILE__, __LINE__, m);
            break;
        }
    }
    free(buf);
}

static void test_get_default_port(void)
{
    struct tvc_url u = mkurl(TVC_SCHEME_HTTP, "example.com", 0, 80, "/v1/x", "");
    struct tvc_http_head h = mkhead("GET", &u);

    expect_head(&h, "GET /v1/x HTTP/1.1\r\nHost: example.com\r\n" UA
                    "Connection: keep-alive\r\n\r\n");
    u.port_explicit = 1; /* "http://example.com:80/" still omits the port */
    expect_head(&h, "GET /v1/x HTTP/1.1\r\nHost: example.com\r\n" UA
                    "Connection: keep-alive\r\n\r\n");
}

static void test_https_default_port(void)
{
    struct tvc_url u = mkurl(TVC_SCHEME_HTTPS, "api.example.com", 0, 443, "/", "");
    struct tvc_http_head h = mkhead("GET", &u);

    expect_head(&h, "GET / HTTP/1.1\r\nHost: api.example.com\r\n" UA
                    "Connection: keep-alive\r\n\r\n");
}

static void test_non_default_ports(void)
{
    struct tvc_url u = mkurl(TVC_SCHEME_HTTP, "example.com", 0, 8080, "/a", "");
    struct tvc_http_head h = mkhead("GET", &u);

    expect_head(&h, "GET /a HTTP/1.1\r\nHost: example.com:8080\r\n" UA
                    "Connection: keep-alive\r\n\r\n");
    u = mkurl(TVC_SCHEME_HTTPS, "example.com", 0, 80, "/a", "");
    expect_head(&h, "GET /a HTTP/1.1\r\nHost: example.com:80\r\n" UA
                    "Connection: keep-alive\r\n\r\n");
    u = mkurl(TVC_SCHEME_HTTP, "example.com", 0, 443, "/a", "");
    expect_head(&h, "GET /a HTTP/1.1\r\nHost: example.com:443\r\n" UA
                    "Connection: keep-alive\r\n\r\n");
    u = mkurl(TVC_SCHEME_HTTP, "127.0.0.1", 4, 65535, "/a", "");
    expect_head(&h, "GET /a HTTP/1.1\r\nHost: 127.0.0.1:65535\r\n" UA
                    "Connection: keep-alive\r\n\r\n");
    u = mkurl(TVC_SCHEME_HTTP, "h", 0, 1, "/a", "");
    expect_head(&h, "GET /a HTTP/1.1\r\nHost: h:1\r\n" UA "Connection: keep-alive\r\n\r\n");
}

static void test_ipv6_host(void)
{
    struct tvc_url u = mkurl(TVC_SCHEME_HTTP, "::1", 6, 80, "/", "");
    struct tvc_http_head h = mkhead("GET", &u);

    expect_head(&h, "GET / HTTP/1.1\r\nHost: [::1]\r\n" UA "Connection: keep-alive\r\n\r\n");
    u = mkurl(TVC_SCHEME_HTTPS, "2001:db8::1", 6, 8443, "/p", "?q=1");
    expect_head(&h, "GET /p?q=1 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n" UA
                    "Connection: keep-alive\r\n\r\n");
}

static void test_empty_path_and_query(void)
{
    struct tvc_url u = mkurl(TVC_SCHEME_HTTP, "example.com", 0, 80, "", "");
    struct tvc_http_head h = mkhead("GET", &u);

    expect_head(&h, "GET / HTTP/1.1\r\nHost: example.com\r\n" UA "Connection: keep-alive\r\n\r\n");
    u = mkurl(TVC_SCHEME_HTTP, "example.com", 0, 80, "", "?a=1&b=%20");
    expect_head(&h, "GET /?a=1&b=%20 HTTP/1.1\r\nHost: example.com\r\n" UA
                    "Connection: keep-alive\r\n\r\n");
    u = mkurl(TVC_SCHEME_HTTP, "example.com", 0, 80, "/v1/a%2Fb/", "?x=%C3%A9");
    expect_head(&h, "GET /v1/a%2Fb/?x=%C3%A9 HTTP/1.1\r\nHost: example.com\r\n" UA
                    "Connection: keep-alive\r\n\r\n");
}

static void test_all_fields_in_order(void)
{
    struct tvc_url u = mkurl(TVC_SCHEME_HTTPS, "api.example.com", 0, 443, "/v1/jobs", "?x=1");
    struct tvc_http_head h = mkhead("POST", &u);

    h.accept = "application/json";
    h.bearer = "sk-test_123";
    h.content_type = "application/json; charset=utf-8";
    h.content_length = 1234567;
    h.range_from = 42;
    h.if_range = "\"etag-1\"";
    h.keep_alive = 0;
    expect_head(&h, "POST /v1/jobs?x=1 HTTP/1.1\r\nHost: api.example.com\r\n" UA
                    "Accept: application/json\r\n"
                    "Authorization: Bearer sk-test_123\r\n"
                    "Content-Type: application/json; charset=utf-8\r\n"
                    "Content-Length: 1234567\r\n"
                    "Range: bytes=42-\r\n"
                    "If-Range: \"etag-1\"\r\n"
                    "Connection: close\r\n\r\n");
}

static void test_numbers(void)
{
    struct tvc_url u = mkurl(TVC_SCHEME_HTTP, "h", 0, 80, "/", "");
    struct tvc_http_head h = mkhead("POST", &u);

    h.content_length = 0;
    expect_head(&h, "POST / HTTP/1.1\r\nHost: h\r\n" UA "Content-Length: 0\r\n"
                    "Connection: keep-alive\r\n\r\n");
    h.content_length = -1;
    h.range_from = 0;
    expect_head(&h, "POST / HTTP/1.1\r\nHost: h\r\n" UA "Range: bytes=0-\r\n"
                    "Connection: keep-alive\r\n\r\n");
    h.range_from = INT64_MAX;
    h.content_length = 1000000000000LL;
    expect_head(&h, "POST / HTTP/1.1\r\nHost: h\r\n" UA "Content-Length: 1000000000000\r\n"
                    "Range: bytes=9223372036854775807-\r\nConnection: keep-alive\r\n\r\n");
    /* any negative means absent */
    h.range_from = -5;
    h.content_length = INT64_MIN;
    expect_head(&h, "POST / HTTP/1.1\r\nHost: h\r\n" UA "Connection: keep-alive\r\n\r\n");
}

static void test_head_and_range_resume(void)
{
    struct tvc_url u = mkurl(TVC_SCHEME_HTTPS, "cdn.example.net", 0, 443, "/v.mp4", "?sig=a%2Bb");
    struct tvc_http_head h = mkhead("GET", &u);

    h.range_from = 1048576;
    h.if_range = "Wed, 21 Oct 2015 07:28:00 GMT";
    h.keep_alive = 0;
    expect_head(&h, "GET /v.mp4?sig=a%2Bb HTTP/1.1\r\nHost: cdn.example.net\r\n" UA
                    "Range: bytes=1048576-\r\nIf-Range: Wed, 21 Oct 2015 07:28:00 GMT\r\n"
                    "Connection: close\r\n\r\n");
    h = mkhead("HEAD", &u);
    expect_head(&h, "HEAD /v.mp4?sig=a%2Bb HTTP/1.1\r\nHost: cdn.example.net\r\n" UA
                    "Connection: keep-alive\r\n\r\n");
}

/* ARG is decided before writing: same with a roomy or an empty buffer. */
static void expect_arg(const struct tvc_http_head *h, const char *what)
{
    char buf[512];
    int rc1, rc2;

    memset(buf, 0xA5, sizeof buf);
    rc1 = tvc_http_head_write(buf, sizeof buf, h);
    rc2 = tvc_http_head_write(buf, 0, h);
    if (rc1 != TVC_ERR_ARG || rc2 != TVC_ERR_ARG) {
        char m[160];
        snprintf(m, sizeof m, "%s: rc %d / %d, want TVC_ERR_ARG", what, rc1, rc2);
        h_fail(__FILE__, __LINE__, m);
    }
}

static void test_value_injection(void)
{
    static const char *const bad[] = {"a\r\nX-Evil: 1", "\r", "\n", "x\r", "\ny", "a\rb"};
    struct tvc_url u = mkurl(TVC_SCHEME_HTTP, "h", 0, 80, "/", "");
    struct tvc_http_head h;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        h = mkhead("GET", &u);
        h.bearer = bad[i];
        expect_arg(&h, "bearer");
        h = mkhead("GET", &u);
        h.content_type = bad[i];
        expect_arg(&h, "content_type");
        h = mkhead("GET", &u);
        h.accept = bad[i];
        expect_arg(&h, "accept");
        h = mkhead("GET", &u);
        h.if_range = bad[i];
        expect_arg(&h, "if_range");
    }
    /* control bytes other than CR/LF inside a value are passed through (HTAB is legal) */
    h = mkhead("GET", &u);
    h.accept = "a\tb";
    expect_head(&h, "GET / HTTP/1.1\r\nHost: h\r\n" UA "Accept: a\tb\r\nConnection: keep-alive\r\n\r\n");
}

struct raw {
    const char *p;
    size_t len;
};
#define RAWS(s) {s, sizeof(s) - 1}

static void test_url_injection(void)
{
    /* slices may hold NUL, CR, LF or space: each must be refused */
    static const struct raw bad_host[] = {RAWS("h\r"), RAWS("h\n"), RAWS("h x"), RAWS("h\0x"),
                                          RAWS("\r\nX:1"), RAWS("h\t")};
    static const struct raw bad_path[] = {RAWS("/a\r"), RAWS("/a\n"), RAWS("/a b"),
                                          RAWS("/a\0b"), RAWS("/\t"), RAWS("/\x7f"),
                                          RAWS("/ HTTP/1.1\r\nX: y")};
    static const struct raw bad_query[] = {RAWS("?a\r"), RAWS("?\n"), RAWS("?a b"), RAWS("?a\0")};
    struct tvc_url u;
    struct tvc_http_head h;
    size_t i;

    for (i = 0; i < sizeof bad_host / sizeof bad_host[0]; i++) {
        u = mkurl(TVC_SCHEME_HTTP, "h", 0, 80, "/", "");
        u.host.p = bad_host[i].p;
        u.host.len = bad_host[i].len;
        h = mkhead("GET", &u);
        expect_arg(&h, "host");
    }
    for (i = 0; i < sizeof bad_path / sizeof bad_path[0]; i++) {
        u = mkurl(TVC_SCHEME_HTTP, "h", 0, 80, "/", "");
        u.path.p = bad_path[i].p;
        u.path.len = bad_path[i].len;
        h = mkhead("GET", &u);
        expect_arg(&h, "path");
    }
    for (i = 0; i < sizeof bad_query / sizeof bad_query[0]; i++) {
        u = mkurl(TVC_SCHEME_HTTP, "h", 0, 80, "/", "");
        u.query.p = bad_query[i].p;
        u.query.len = bad_query[i].len;
        h = mkhead("GET", &u);
        expect_arg(&h, "query");
    }
}

static void test_bad_arguments(void)
{
    static const char *const bad_methods[] = {"", "GE T", "GET\r\n", "G(ET", "G\xc3\x89T",
                                              "GET/", "G\"", " GET", "GET:"};
    struct tvc_url u = mkurl(TVC_SCHEME_HTTP, "h", 0, 80, "/", "");
    struct tvc_http_head h;
    char buf[256];
    size_t i;

    for (i = 0; i < sizeof bad_methods / sizeof bad_methods[0]; i++) {
        h = mkhead(bad_methods[i], &u);
        expect_arg(&h, bad_methods[i]);
    }
    h = mkhead(NULL, &u);
    expect_arg(&h, "NULL method");
    h = mkhead("GET", NULL);
    expect_arg(&h, "NULL url");
    CHECK_EQ(tvc_http_head_write(buf, sizeof buf, NULL), TVC_ERR_ARG);
    h = mkhead("GET", &u);
    CHECK_EQ(tvc_http_head_write(NULL, 10, &h), TVC_ERR_ARG);
    CHECK_EQ(tvc_http_head_write(NULL, 0, &h), TVC_ERR_NOSPACE);

    u = mkurl(TVC_SCHEME_HTTP, "", 0, 80, "/", "");
    expect_arg(&h, "empty host");
    u = mkurl(0, "h", 0, 80, "/", "");
    expect_arg(&h, "scheme 0");
    u = mkurl(3, "h", 0, 80, "/", "");
    expect_arg(&h, "scheme 3");
    u = mkurl(TVC_SCHEME_HTTP, "h", 0, 80, "a/b", "");
    expect_arg(&h, "relative path");
    u = mkurl(TVC_SCHEME_HTTP, "h", 0, 80, "/", "a=1");
    expect_arg(&h, "query without ?");

    /* unusual but valid token methods */
    u = mkurl(TVC_SCHEME_HTTP, "h", 0, 80, "/", "");
    h = mkhead("M-SEARCH.x_1~!", &u);
    expect_head(&h, "M-SEARCH.x_1~! / HTTP/1.1\r\nHost: h\r\n" UA "Connection: keep-alive\r\n\r\n");
}

int main(void)
{
    RUN(test_get_default_port);
    RUN(test_https_default_port);
    RUN(test_non_default_ports);
    RUN(test_ipv6_host);
    RUN(test_empty_path_and_query);
    RUN(test_all_fields_in_order);
    RUN(test_numbers);
    RUN(test_head_and_range_resume);
    RUN(test_value_injection);
    RUN(test_url_injection);
    RUN(test_bad_arguments);
    return h_summary();
}
