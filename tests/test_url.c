/* Tests for src/url.c: parse, resolve, same_origin, ip_parse. */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "tvc_url.h"

/* Every string vector carries its exact length, so embedded NULs work. */
#define S(x) x, sizeof(x) - 1

/* ------------------------------------------------------------------ */
/* Guard pages: input ending exactly where an unmapped page begins      */

struct guard {
    char *mem;
    size_t page;
};

static int guard_init(struct guard *g)
{
    long ps = sysconf(_SC_PAGESIZE);
    void *m;
    g->page = ps > 0 ? (size_t)ps : 4096;
    m = mmap(NULL, 2 * g->page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return -1;
    if (mprotect((char *)m + g->page, g->page, PROT_NONE) != 0)
        return -1;
    g->mem = (char *)m;
    return 0;
}

static void guard_free(struct guard *g)
{
    if (g->mem)
        munmap(g->mem, 2 * g->page);
    g->mem = NULL;
}

/* Copy @p s so that its last byte is the last readable byte. */
static char *guard_place(struct guard *g, const char *s, size_t n)
{
    char *p;
    if (n > g->page)
        return NULL;
    p = g->mem + g->page - n;
    memcpy(p, s, n);
    return p;
}

static struct guard g_in, g_ref, g_out;

/* ------------------------------------------------------------------ */
/* tvc_url_parse: valid vectors                                        */

struct valid_vec {
    const char *name;
    const char *url;
    size_t len;
    int scheme;
    const char *host;
    int is_ip;
    unsigned port;
    int port_explicit;
    const char *path;
    const char *query;
};

#define H TVC_SCHEME_HTTP
#define HS TVC_SCHEME_HTTPS

static const struct valid_vec valid[] = {
    {"bare host", S("http://example.com"), H, "example.com", 0, 80, 0, "", ""},
    {"https root", S("https://example.com/"), HS, "example.com", 0, 443, 0, "/", ""},
    {"scheme and host case kept", S("HTTP://Example.COM/A?B"), H, "Example.COM", 0, 80, 0, "/A", "?B"},
    {"mixed case https", S("HtTpS://h:8443/p"), HS, "h", 0, 8443, 1, "/p", ""},
    {"empty port is default", S("http://h:/x"), H, "h", 0, 80, 0, "/x", ""},
    {"empty port https", S("https://h:"), HS, "h", 0, 443, 0, "", ""},
    {"leading zeros in port", S("http://h:0080/"), H, "h", 0, 80, 1, "/", ""},
    {"many leading zeros", S("http://h:000000000000000000443/"), H, "h", 0, 443, 1, "/", ""},
    {"port 1", S("http://h:1"), H, "h", 0, 1, 1, "", ""},
    {"port 65535", S("http://h:65535/"), H, "h", 0, 65535, 1, "/", ""},
    {"explicit default port", S("https://h:443/"), HS, "h", 0, 443, 1, "/", ""},
    {"ipv4", S("http://1.2.3.4/"), H, "1.2.3.4", 4, 80, 0, "/", ""},
    {"ipv4 zeros", S("http://0.0.0.0:8080/"), H, "0.0.0.0", 4, 8080, 1, "/", ""},
    {"ipv4 max", S("http://255.255.255.255"), H, "255.255.255.255", 4, 80, 0, "", ""},
    {"ipv6 loopback", S("http://[::1]/"), H, "::1", 6, 80, 0, "/", ""},
    {"ipv6 with port", S("https://[2001:db8::1]:8443/v"), HS, "2001:db8::1", 6, 8443, 1, "/v", ""},
    {"ipv6 embedded ipv4", S("http://[::ffff:1.2.3.4]:80"), H, "::ffff:1.2.3.4", 6, 80, 1, "", ""},
    {"ipv6 empty port", S("http://[::1]:/"), H, "::1", 6, 80, 0, "/", ""},
    {"ipv6 upper case", S("http://[2001:DB8::A]?x"), H, "2001:DB8::A", 6, 80, 0, "", "?x"},
    {"query without path", S("http://host?q"), H, "host", 0, 80, 0, "", "?q"},
    {"fragment without path", S("http://host#frag"), H, "host", 0, 80, 0, "", ""},
    {"port then query", S("http://h:8080?q=1"), H, "h", 0, 8080, 1, "", "?q=1"},
    {"port then fragment", S("http://h:8080#f"), H, "h", 0, 8080, 1, "", ""},
    {"path query fragment", S("http://host/p?q#f"), H, "host", 0, 80, 0, "/p", "?q"},
    {"question mark in fragment", S("http://host/p#f?x"), H, "host", 0, 80, 0, "/p", ""},
    {"empty query kept", S("http://host/?"), H, "host", 0, 80, 0, "/", "?"},
    {"empty fragment", S("http://host/a#"), H, "host", 0, 80, 0, "/a", ""},
    {"percent escapes verbatim", S("http://h/a%20b/%2e%2E?c=%41&d"), H, "h", 0, 80, 0, "/a%20b/%2e%2E", "?c=%41&d"},
    {"dot segments verbatim", S("http://h/a//b/../c/./"), H, "h", 0, 80, 0, "/a//b/../c/./", ""},
    {"at sign in path", S("http://h/p:q@r"), H, "h", 0, 80, 0, "/p:q@r", ""},
    {"at sign in query", S("http://h/?u=a@b"), H, "h", 0, 80, 0, "/", "?u=a@b"},
    {"at sign in fragment", S("http://h/#a@b"), H, "h", 0, 80, 0, "/", ""},
    {"colon and slash in query", S("http://h?x=http://y/z"), H, "h", 0, 80, 0, "", "?x=http://y/z"},
    {"sub-delims in host", S("http://a-b_c~d.e!$&'()*+,;=/"), H, "a-b_c~d.e!$&'()*+,;=", 0, 80, 0, "/", ""},
    {"pct-encoded host", S("http://h%41st/"), H, "h%41st", 0, 80, 0, "/", ""},
    {"trailing dot name", S("http://example.com./"), H, "example.com.", 0, 80, 0, "/", ""},
    {"digits then letters", S("http://1.2.3.4.example/"), H, "1.2.3.4.example", 0, 80, 0, "/", ""},
    {"label not a number", S("http://10.0.0.1a/"), H, "10.0.0.1a", 0, 80, 0, "/", ""},
    {"hex-looking label", S("http://a.0xg/"), H, "a.0xg", 0, 80, 0, "/", ""},
    {"ordinary signed url", S("https://cdn.example.com/v/1.mp4?X-Sig=ab%2Bc&e=1700000000"), HS,
     "cdn.example.com", 0, 443, 0, "/v/1.mp4", "?X-Sig=ab%2Bc&e=1700000000"},
    {"lenient path chars", S("http://h/{a}|b^`\\"), H, "h", 0, 80, 0, "/{a}|b^`\\", ""},
};

static int slice_is(struct tvc_slice s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

static int slice_inside(struct tvc_slice s, const char *buf, size_t n)
{
    return s.p != NULL && s.p >= buf && s.p + s.len <= buf + n;
}

static void check_valid(const struct valid_vec *v, const char *in)
{
    struct tvc_url u;
    memset(&u, 0xA5, sizeof u);
    CHECK_EQ(tvc_url_parse(in, v->len, &u), 0);
    if (h_failed_now())
        return;
    CHECK_EQ(u.scheme, v->scheme);
    CHECK(slice_is(u.host, v->host));
    CHECK_EQ(u.host_is_ip, v->is_ip);
    CHECK_EQ(u.port, v->port);
    CHECK_EQ(u.port_explicit, v->port_explicit);
    CHECK(slice_is(u.path, v->path));
    CHECK(slice_is(u.query, v->query));
    CHECK(slice_inside(u.host, in, v->len));
    CHECK(slice_inside(u.path, in, v->len));
    CHECK(slice_inside(u.query, in, v->len));
    if (h_failed_now())
        printf("  url \"%s\": host \"%.*s\" path \"%.*s\" query \"%.*s\"\n", v->url, (int)u.host.len,
               u.host.p, (int)u.path.len, u.path.p, (int)u.query.len, u.query.p);
}

static void test_valid(void)
{
    size_t i;
    for (i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        h_begin(valid[i].name);
        check_valid(&valid[i], valid[i].url);
        h_end();
    }
}

/* ------------------------------------------------------------------ */
/* tvc_url_parse: invalid vectors with their exact error               */

struct invalid_vec {
    const char *name;
    const char *url;
    size_t len;
    int err;
};

#define E_URL TVC_ERR_URL
#define E_SCH TVC_ERR_URL_SCHEME
#define E_USR TVC_ERR_URL_USERINFO

static const struct invalid_vec invalid[] = {
    {"empty", S(""), E_SCH},
    {"host only", S("example.com/x"), E_SCH},
    {"absolute path", S("/path"), E_SCH},
    {"network path", S("//host/x"), E_SCH},
    {"query only", S("?q"), E_SCH},
    {"fragment only", S("#f"), E_SCH},
    {"no colon", S("http"), E_SCH},
    {"empty scheme", S("://host/"), E_SCH},
    {"ftp", S("ftp://h/"), E_SCH},
    {"httpx", S("httpx://h/"), E_SCH},
    {"htt", S("htt://h/"), E_SCH},
    {"https+x", S("https+x://h"), E_SCH},
    {"ws", S("ws://h/"), E_SCH},
    {"javascript", S("javascript:alert(1)"), E_SCH},
    {"mailto with at", S("mailto:a@b"), E_SCH},
    {"scheme starting with digit", S("1http://h/"), E_SCH},
    {"http colon only", S("http:"), E_URL},
    {"http no slashes", S("http:h"), E_URL},
    {"http one slash", S("http:/h"), E_URL},
    {"http backslashes", S("http:\\\\h"), E_URL},
    {"empty authority", S("http://"), E_URL},
    {"empty host with path", S("http:///x"), E_URL},
    {"empty host with query", S("http://?q"), E_URL},
    {"empty host with fragment", S("https://#f"), E_URL},
    {"empty host with port", S("http://:80/"), E_URL},
    {"colon only authority", S("http://:/"), E_URL},
    {"user", S("http://u@h/"), E_USR},
    {"user and password", S("http://u:p@h/"), E_USR},
    {"empty userinfo", S("http://@h"), E_USR},
    {"userinfo empty host", S("https://h@"), E_USR},
    {"userinfo with ipv6", S("http://u@[::1]/"), E_USR},
    {"backslash userinfo trick", S("http://evil\\@good/"), E_USR},
    {"port zero", S("http://h:0/"), E_URL},
    {"port zeros", S("http://h:0000/"), E_URL},
    {"port 65536", S("http://h:65536/"), E_URL},
    {"port 100000", S("http://h:100000"), E_URL},
    {"port overflow", S("http://h:99999999999999999999/"), E_URL},
    {"port letter", S("http://h:8o/"), E_URL},
    {"port plus", S("http://h:+80/"), E_URL},
    {"port minus", S("http://h:-1"), E_URL},
    {"port hex", S("http://h:0x50"), E_URL},
    {"two ports", S("http://h:80:80/"), E_URL},
    {"space in host", S("http://h x/"), E_URL},
    {"space in path", S("http://h/a b"), E_URL},
    {"space in query", S("http://h/?a b"), E_URL},
    {"space in fragment", S("http://h/#a b"), E_URL},
    {"leading space", S(" http://h/"), E_URL},
    {"trailing space", S("http://h/ "), E_URL},
    {"tab", S("http://h/\t"), E_URL},
    {"crlf injection", S("http://h/\r\nX: y"), E_URL},
    {"del", S("http://h/\x7f"), E_URL},
    {"nul in host", S("http://h\0x/"), E_URL},
    {"nul at end", S("http://h/\0"), E_URL},
    {"non-ascii path", S("http://h/\xc3\xa9"), E_URL},
    {"non-ascii host", S("http://\xc3\xa9.com/"), E_URL},
    {"non-ascii scheme", S("htt\xd0\xb5://h/"), E_URL},
    {"non-ascii on ftp", S("ftp://h/\x80"), E_URL},
    {"unclosed bracket", S("http://[::1"), E_URL},
    {"unclosed bracket path", S("http://[::1/x]"), E_URL},
    {"junk after bracket", S("http://[::1]x/"), E_URL},
    {"double close bracket", S("http://[::1]]/"), E_URL},
    {"empty brackets", S("http://[]/"), E_URL},
    {"ipv4 in brackets", S("http://[1.2.3.4]/"), E_URL},
    {"zone id escaped", S("http://[fe80::1%25eth0]/"), E_URL},
    {"zone id raw", S("http://[fe80::1%eth0]/"), E_URL},
    {"ipvfuture", S("http://[v1.fe]/"), E_URL},
    {"bad ipv6 char", S("http://[::g]/"), E_URL},
    {"ipv6 too many groups", S("http://[1:2:3:4:5:6:7:8:9]/"), E_URL},
    {"bare ipv6", S("http://::1/"), E_URL},
    {"bracket inside name", S("http://h[1]/"), E_URL},
    {"backslash in host", S("http://a\\b/"), E_URL},
    {"lt in host", S("http://h<x>/"), E_URL},
    {"quote in host", S("http://h\"/"), E_URL},
    {"percent short", S("http://h%4/"), E_URL},
    {"percent bad hex", S("http://h%zz/"), E_URL},
    {"percent at end", S("http://h%"), E_URL},
    {"ipv4 leading zero", S("http://01.2.3.4/"), E_URL},
    {"ipv4 three parts", S("http://1.2.3/"), E_URL},
    {"ipv4 part too big", S("http://256.1.1.1/"), E_URL},
    {"ipv4 hex", S("http://0x7f.1/"), E_URL},
    {"ipv4 trailing dot", S("http://1.2.3.4./"), E_URL},
    {"ipv4 five parts", S("http://1.2.3.4.5/"), E_URL},
    {"single number host", S("http://2130706433/"), E_URL},
    {"numeric last label", S("http://localhost.123/"), E_URL},
    {"bare 0x label", S("http://a.0x/"), E_URL},
};

static void test_invalid(void)
{
    size_t i;
    for (i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        struct tvc_url u;
        h_begin(invalid[i].name);
        CHECK_EQ(tvc_url_parse(invalid[i].url, invalid[i].len, &u), invalid[i].err);
        h_end();
    }
}

static void test_parse_args(void)
{
    struct tvc_url u;
    CHECK_EQ(tvc_url_parse("http://h/", 9, NULL), TVC_ERR_ARG);
    CHECK_EQ(tvc_url_parse(NULL, 3, &u), TVC_ERR_ARG);
    CHECK_EQ(tvc_url_parse(NULL, 0, &u), TVC_ERR_URL_SCHEME);
    /* The length is what counts, not a NUL: a prefix parses on its own. */
    CHECK_EQ(tvc_url_parse("http://h/ junk", 9, &u), 0);
    CHECK(slice_is(u.path, "/"));
    CHECK_EQ(tvc_url_parse("http://h:8080", 10, &u), 0);
    CHECK_EQ(u.port, 8);
    /* A failed parse leaves the output alone. */
    memset(&u, 0x5A, sizeof u);
    CHECK_EQ(tvc_url_parse("http://u@h/", 11, &u), TVC_ERR_URL_USERINFO);
    CHECK_EQ(u.scheme, 0x5A5A5A5A);
}

/* Every vector again, placed so its last byte touches an unmapped page. */
static void test_no_overread(void)
{
    size_t i;
    for (i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        char *p = guard_place(&g_in, valid[i].url, valid[i].len);
        CHECK(p != NULL);
        if (p)
            check_valid(&valid[i], p);
    }
    for (i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        struct tvc_url u;
        char *p = guard_place(&g_in, invalid[i].url, invalid[i].len);
        CHECK(p != NULL);
        if (p && tvc_url_parse(p, invalid[i].len, &u) != invalid[i].err) {
            h_fail(__FILE__, __LINE__, invalid[i].name);
        }
    }
}

/* ------------------------------------------------------------------ */
/* tvc_ip_parse                                                        */

struct ip_vec {
    const char *s;
    int fam;
    uint8_t b[16];
};

static const struct ip_vec ip_ok[] = {
    {"0.0.0.0", 4, {0, 0, 0, 0}},
    {"255.255.255.255", 4, {255, 255, 255, 255}},
    {"1.2.3.4", 4, {1, 2, 3, 4}},
    {"10.0.0.1", 4, {10, 0, 0, 1}},
    {"192.168.100.200", 4, {192, 168, 100, 200}},
    {"::", 6, {0}},
    {"::1", 6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
    {"1::", 6, {0, 1}},
    {"2001:db8::1", 6, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
    {"2001:DB8:0:0:8:800:200C:417A", 6,
     {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 8, 0x08, 0x00, 0x20, 0x0c, 0x41, 0x7a}},
    {"2001:DB8::8:800:200C:417A", 6,
     {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 8, 0x08, 0x00, 0x20, 0x0c, 0x41, 0x7a}},
    {"FF01::101", 6, {0xff, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x01}},
    {"::ffff:1.2.3.4", 6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4}},
    {"::1.2.3.4", 6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}},
    {"1:2:3:4:5:6:1.2.3.4", 6, {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4}},
    {"1::5:6:1.2.3.4", 6, {0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 6, 1, 2, 3, 4}},
    {"1:2:3:4:5:6:7::", 6, {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0}},
    {"::2:3:4:5:6:7:8", 6, {0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8}},
    {"1:2:3:4:5:6:7:8", 6, {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8}},
    {"1:2:3::6:7:8", 6, {0, 1, 0, 2, 0, 3, 0, 0, 0, 0, 0, 6, 0, 7, 0, 8}},
    {"0:0:0:0:0:0:0:0", 6, {0}},
    {"fe80::1:2", 6, {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2}},
    {"0001:002::ffff", 6, {0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}},
    {"a:B:c:D:e:F:0:1", 6, {0, 0xa, 0, 0xb, 0, 0xc, 0, 0xd, 0, 0xe, 0, 0xf, 0, 0, 0, 1}},
};

static const char *const ip_bad[] = {
    "", "1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "00.0.0.0", "000.1.1.1",
    "256.0.0.0", "1.2.3.256", "1.2.3.1000", "1.2.3.-4", "+1.2.3.4", "1.2.3.+4", "1..2.3",
    ".1.2.3.4", "1.2.3.4.", " 1.2.3.4", "1.2.3.4 ", "0x1.2.3.4", "1.2.3.a", "1.2.3.4/8",
    ":", ":::", "::::", ":1", "1:", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3",
    "::1::", ":1::2", "1::2:", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1::2:3:4:5:6:7:8",
    "1:2:3:4::5:6:7:8", "12345::", "g::", "::g", "::ffff:1.2.3", "::ffff:01.2.3.4",
    "::1.2.3.4:1", "1:2:3:4:5:6:7:1.2.3.4", "::ffff:256.1.1.1", "1.2.3.4::", "::1.2.3.4.5",
    "fe80:::1", "::1%eth0", "fe80::1%25en0", "[::1]", "::ffff:1.2.3.4.", "1:2:3:4:5:6:7:8:",
    ":1:2:3:4:5:6:7:8", "::ffff:0x1.2.3.4", "1:2:3:4:5::1.2.3.4:5", "1.2.3.4:80", "::1 ",
};

static void test_ip_ok(void)
{
    size_t i;
    for (i = 0; i < sizeof ip_ok / sizeof ip_ok[0]; i++) {
        uint8_t b[16];
        size_t n = strlen(ip_ok[i].s);
        char *p;
        h_begin(ip_ok[i].s);
        memset(b, 0xEE, sizeof b);
        CHECK_EQ(tvc_ip_parse(ip_ok[i].s, n, b), ip_ok[i].fam);
        CHECK_MEM(b, ip_ok[i].fam == 4 ? 4u : 16u, ip_ok[i].b, ip_ok[i].fam == 4 ? 4u : 16u);
        if (ip_ok[i].fam == 4) /* the rest is zeroed */
            CHECK_MEM(b + 4, 12u, ip_ok[i].b + 4, 12u);
        p = guard_place(&g_in, ip_ok[i].s, n);
        CHECK_EQ(tvc_ip_parse(p, n, NULL), ip_ok[i].fam);
        h_end();
    }
}

static void test_ip_bad(void)
{
    size_t i;
    for (i = 0; i < sizeof ip_bad / sizeof ip_bad[0]; i++) {
        uint8_t b[16], z[16];
        size_t n = strlen(ip_bad[i]);
        char name[80];
        snprintf(name, sizeof name, "ip bad \"%s\"", ip_bad[i]);
        h_begin(name);
        memset(b, 0xEE, sizeof b);
        memset(z, 0xEE, sizeof z);
        CHECK_EQ(tvc_ip_parse(ip_bad[i], n, b), TVC_ERR_URL);
        CHECK_MEM(b, 16u, z, 16u); /* untouched on failure */
        CHECK_EQ(tvc_ip_parse(guard_place(&g_in, ip_bad[i], n), n, b), TVC_ERR_URL);
        h_end();
    }
}

static void test_ip_args(void)
{
    uint8_t b[16];
    CHECK_EQ(tvc_ip_parse(NULL, 0, b), TVC_ERR_URL);
    CHECK_EQ(tvc_ip_parse(NULL, 4, b), TVC_ERR_ARG);
    /* Length bounds the parse: "1.2.3.45" cut to 7 bytes is 1.2.3.4. */
    CHECK_EQ(tvc_ip_parse("1.2.3.45", 7, b), 4);
    CHECK_EQ(b[3], 4);
    CHECK_EQ(tvc_ip_parse("::1:2", 3, b), 6);
    CHECK_EQ(b[15], 1);
}

/* ------------------------------------------------------------------ */
/* tvc_url_resolve                                                     */

struct res_vec {
    const char *base;
    const char *ref;
    const char *want; /* NULL when an error is expected */
    int err;
};

#define RFC_BASE "http://a/b/c/d;p?q"

/* RFC 3986 5.4.1 and 5.4.2, fragments dropped from the expected results. */
static const struct res_vec res_rfc[] = {
    {RFC_BASE, "g:h", NULL, E_SCH}, /* result "g:h" is not http(s) */
    {RFC_BASE, "g", "http://a/b/c/g", 0},
    {RFC_BASE, "./g", "http://a/b/c/g", 0},
    {RFC_BASE, "g/", "http://a/b/c/g/", 0},
    {RFC_BASE, "/g", "http://a/g", 0},
    {RFC_BASE, "//g", "http://g", 0},
    {RFC_BASE, "?y", "http://a/b/c/d;p?y", 0},
    {RFC_BASE, "g?y", "http://a/b/c/g?y", 0},
    {RFC_BASE, "#s", "http://a/b/c/d;p?q", 0},
    {RFC_BASE, "g#s", "http://a/b/c/g", 0},
    {RFC_BASE, "g?y#s", "http://a/b/c/g?y", 0},
    {RFC_BASE, ";x", "http://a/b/c/;x", 0},
    {RFC_BASE, "g;x", "http://a/b/c/g;x", 0},
    {RFC_BASE, "g;x?y#s", "http://a/b/c/g;x?y", 0},
    {RFC_BASE, "", "http://a/b/c/d;p?q", 0},
    {RFC_BASE, ".", "http://a/b/c/", 0},
    {RFC_BASE, "./", "http://a/b/c/", 0},
    {RFC_BASE, "..", "http://a/b/", 0},
    {RFC_BASE, "../", "http://a/b/", 0},
    {RFC_BASE, "../g", "http://a/b/g", 0},
    {RFC_BASE, "../..", "http://a/", 0},
    {RFC_BASE, "../../", "http://a/", 0},
    {RFC_BASE, "../../g", "http://a/g", 0},
    /* 5.4.2 abnormal */
    {RFC_BASE, "../../../g", "http://a/g", 0},
    {RFC_BASE, "../../../../g", "http://a/g", 0},
    {RFC_BASE, "/./g", "http://a/g", 0},
    {RFC_BASE, "/../g", "http://a/g", 0},
    {RFC_BASE, "g.", "http://a/b/c/g.", 0},
    {RFC_BASE, ".g", "http://a/b/c/.g", 0},
    {RFC_BASE, "g..", "http://a/b/c/g..", 0},
    {RFC_BASE, "..g", "http://a/b/c/..g", 0},
    {RFC_BASE, "./../g", "http://a/b/g", 0},
    {RFC_BASE, "./g/.", "http://a/b/c/g/", 0},
    {RFC_BASE, "g/./h", "http://a/b/c/g/h", 0},
    {RFC_BASE, "g/../h", "http://a/b/c/h", 0},
    {RFC_BASE, "g;x=1/./y", "http://a/b/c/g;x=1/y", 0},
    {RFC_BASE, "g;x=1/../y", "http://a/b/c/y", 0},
    {RFC_BASE, "g?y/./x", "http://a/b/c/g?y/./x", 0},
    {RFC_BASE, "g?y/../x", "http://a/b/c/g?y/../x", 0},
    {RFC_BASE, "g#s/./x", "http://a/b/c/g", 0},
    {RFC_BASE, "g#s/../x", "http://a/b/c/g", 0},
    {RFC_BASE, "http:g", NULL, E_URL}, /* strict: "http:g" has no host */
};

#define API "http://api.example.com/v1/jobs/42"

static const struct res_vec res_loc[] = {
    {API, "https://cdn.example.com/x.mp4?sig=1", "https://cdn.example.com/x.mp4?sig=1", 0},
    {API, "result.mp4", "http://api.example.com/v1/jobs/result.mp4", 0},
    {API, "?x", "http://api.example.com/v1/jobs/42?x", 0},
    {API, "../../up", "http://api.example.com/up", 0},
    {API, "/v2/jobs/42", "http://api.example.com/v2/jobs/42", 0},
    {API, "//cdn.example:8443/v.mp4", "http://cdn.example:8443/v.mp4", 0},
    {"https://api.example.com/a", "//cdn.example:8443/v.mp4", "https://cdn.example:8443/v.mp4", 0},
    {"https://api.example.com/a", "http://x/", "http://x/", 0}, /* policy is the client's job */
    {"http://[2001:db8::1]:8080/a/b", "c", "http://[2001:db8::1]:8080/a/c", 0},
    {"http://[2001:db8::1]:8080/a/b", "/", "http://[2001:db8::1]:8080/", 0},
    {"http://[2001:db8::1]:8080/a/b", "../../..", "http://[2001:db8::1]:8080/", 0},
    {"http://[::1]/a", "//[::2]:81", "http://[::2]:81", 0},
    {"http://a", "g", "http://a/g", 0},
    {"http://a", "?y", "http://a?y", 0},
    {"http://a", "", "http://a", 0},
    {"http://a", ".", "http://a/", 0},
    {"http://a", "..", "http://a/", 0},
    {"http://a?q", "#f", "http://a?q", 0},
    {"http://a/b#f", "", "http://a/b", 0},
    {"http://a/b?q#f", "#g", "http://a/b?q", 0},
    {"http://a/b?q", "?", "http://a/b?", 0},
    {"http://a:/b", "c", "http://a:/c", 0},
    {"http://a/b/../c", "?y", "http://a/b/../c?y", 0}, /* base path taken as is */
    {"http://a/b/../c", "d", "http://a/d", 0},
    {"http://a//x", "y", "http://a//y", 0},
    {"http://a/b/c/", "g//h/../i", "http://a/b/c/g//i", 0},
    {"http://a/b/c/", "/.", "http://a/", 0},
    {"http://a/b/c/", "./g/..", "http://a/b/c/", 0},
    {"http://a/b/c/", "g/%2E%2E/h", "http://a/b/c/g/%2E%2E/h", 0},
    {"http://a/b/c/", "...", "http://a/b/c/...", 0},
    {"http://a/b", "HTTPS://X/Y", "https://X/Y", 0},
    {"http://a/b", "http://x/a/./b/../c", "http://x/a/c", 0},
    {"http://a/b", "http://x", "http://x", 0},
    {"http://a/b", "http://x?q#f", "http://x?q", 0},
    {"http://a/b", "1a:b", "http://a/1a:b", 0}, /* not a scheme: a path */
    {"http://a/b", "ftp://x/", NULL, E_SCH},
    {"http://a/b", "mailto:x@y", NULL, E_SCH},
    {"http://a/b", "javascript:alert(1)", NULL, E_SCH},
    {"http://a/b", "a:b", NULL, E_SCH},
    {"http://a/b", "http:/g", NULL, E_URL},
    {"http://a/b", "//u@h/", NULL, E_USR},
    {"http://a/b", "https://u:p@h/", NULL, E_USR},
    {"http://a/b", "//h:99999/", NULL, E_URL},
    {"http://a/b", "//", NULL, E_URL},
    {"http://a/b", "///g", NULL, E_URL},
    {"http://a/b", "//[::1", NULL, E_URL},
    {"http://a/b", "g h", NULL, E_URL},
    {"http://a/b", "g#a b", NULL, E_URL},
    {"http://a/b", "g\r\nX: 1", NULL, E_URL},
    {"http://a/b", "\xc3\xa9", NULL, E_URL},
    {"ftp://a/b", "g", NULL, E_SCH},
    {"/relative", "http://x/", NULL, E_SCH},
    {"http://u@a/b", "g", NULL, E_USR},
    {"http://a b/", "g", NULL, E_URL},
};

static void run_res(const struct res_vec *v, int guarded)
{
    char buf[512];
    size_t bl = strlen(v->base), rl = strlen(v->ref);
    const char *b = v->base, *r = v->ref;
    int n;

    if (guarded) {
        b = guard_place(&g_in, v->base, bl);
        r = guard_place(&g_ref, v->ref, rl);
    }
    memset(buf, 'X', sizeof buf);
    n = tvc_url_resolve(b, bl, r, rl, buf, sizeof buf);
    if (v->want) {
        CHECK_EQ(n, (long long)strlen(v->want));
        CHECK_STR(buf, v->want);
    } else {
        CHECK_EQ(n, v->err);
        CHECK_EQ(buf[0], '\0');
    }
    if (h_failed_now())
        printf("  base \"%s\" ref \"%s\"\n", v->base, v->ref);
}

static void run_res_table(const struct res_vec *t, size_t n, const char *prefix)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char name[160];
        snprintf(name, sizeof name, "%s \"%s\" + \"%s\"", prefix, t[i].base, t[i].ref);
        h_begin(name);
        run_res(&t[i], 0);
        run_res(&t[i], 1);
        h_end();
    }
}

static void test_resolve(void)
{
    run_res_table(res_rfc, sizeof res_rfc / sizeof res_rfc[0], "rfc3986");
    run_res_table(res_loc, sizeof res_loc / sizeof res_loc[0], "location");
}

/* Every result must itself parse as an http(s) URL. */
static void test_resolve_results_parse(void)
{
    size_t i;
    for (i = 0; i < sizeof res_loc / sizeof res_loc[0]; i++) {
        char buf[512];
        struct tvc_url u;
        const struct res_vec *v = &res_loc[i];
        int n = tvc_url_resolve(v->base, strlen(v->base), v->ref, strlen(v->ref), buf, sizeof buf);
        if (n >= 0)
            CHECK_EQ(tvc_url_parse(buf, (size_t)n, &u), 0);
    }
}

static void test_resolve_args(void)
{
    char buf[64];
    CHECK_EQ(tvc_url_resolve("http://a/", 9, "b", 1, NULL, 64), TVC_ERR_ARG);
    CHECK_EQ(tvc_url_resolve(NULL, 9, "b", 1, buf, sizeof buf), TVC_ERR_ARG);
    CHECK_EQ(tvc_url_resolve("http://a/", 9, NULL, 1, buf, sizeof buf), TVC_ERR_ARG);
    CHECK_EQ(tvc_url_resolve("http://a/x", 10, NULL, 0, buf, sizeof buf), 10);
    CHECK_STR(buf, "http://a/x");
    /* Lengths bound both inputs: no NUL is needed or read. */
    CHECK_EQ(tvc_url_resolve("http://a/xyz", 9, "gh", 1, buf, sizeof buf), 10);
    CHECK_STR(buf, "http://a/g");
}

/* A buffer too small at every size gives NOSPACE, writes nothing past cap,
 * and leaves "" behind; exactly enough room works. */
static const struct {
    const char *base, *ref;
} nospace[] = {
    {RFC_BASE, "g;x=1/../y"},
    {RFC_BASE, "../../../../g"},       /* result far shorter than the merge */
    {RFC_BASE, "aaaaaaaaaaaaaaaa/../b"}, /* a cancelled segment longer than the result */
    {RFC_BASE, ""},
    {RFC_BASE, "//other.host:8080/x?y#z"},
    {"http://a", ".."},
    {"https://[2001:db8::1]:8443/a/b/c", "../d?e"},
};

static void test_nospace(void)
{
    size_t i;
    for (i = 0; i < sizeof nospace / sizeof nospace[0]; i++) {
        const char *b = nospace[i].base, *r = nospace[i].ref;
        size_t bl = strlen(b), rl = strlen(r), cap, need;
        char ref[512], name[160];
        int n;

        snprintf(name, sizeof name, "nospace \"%s\" + \"%s\"", b, r);
        h_begin(name);
        n = tvc_url_resolve(b, bl, r, rl, ref, sizeof ref);
        CHECK(n > 0);
        if (n <= 0) {
            h_end();
            continue;
        }
        need = (size_t)n;
        for (cap = 0; cap <= need + 1; cap++) {
            unsigned char *buf = malloc(cap + 8);
            char *gout;
            size_t k;
            int rc;
            memset(buf, 0xA5, cap + 8);
            rc = tvc_url_resolve(b, bl, r, rl, (char *)buf, cap);
            if (cap <= need) {
                CHECK_EQ(rc, TVC_ERR_NOSPACE);
                if (cap > 0)
                    CHECK_EQ(buf[0], 0);
                for (k = cap > 0 ? 1 : 0; k < cap + 8; k++)
                    if (buf[k] != 0xA5) {
                        h_fail(__FILE__, __LINE__, "byte written on NOSPACE");
                        break;
                    }
            } else {
                CHECK_EQ(rc, n);
                CHECK_MEM(buf, need + 1, ref, need + 1);
                for (k = cap; k < cap + 8; k++)
                    if (buf[k] != 0xA5) {
                        h_fail(__FILE__, __LINE__, "canary overwritten");
                        break;
                    }
            }
            free(buf);
            /* Same with the buffer ending at an unmapped page. */
            gout = g_out.mem + g_out.page - cap;
            rc = tvc_url_resolve(b, bl, r, rl, gout, cap);
            CHECK_EQ(rc, cap <= need ? TVC_ERR_NOSPACE : n);
        }
        h_end();
    }
}

/* ------------------------------------------------------------------ */
/* Differential check against a literal transcription of RFC 3986 5.2   */

/* 5.2.4 exactly as written, with string buffers. */
static void rfc_remove_dots(const char *path, char *out)
{
    char inbuf[1024];
    const char *in = inbuf;
    size_t ol = 0;
    snprintf(inbuf, sizeof inbuf, "%s", path);
    out[0] = '\0';
    while (*in) {
        if (!strncmp(in, "../", 3)) {
            in += 3;
        } else if (!strncmp(in, "./", 2)) {
            in += 2;
        } else if (!strncmp(in, "/./", 3)) {
            in += 2;
        } else if (!strcmp(in, "/.")) {
            in = "/";
        } else if (!strncmp(in, "/../", 4) || !strcmp(in, "/..")) {
            char *sl;
            in = in[3] ? in + 3 : "/";
            sl = strrchr(out, '/');
            ol = sl ? (size_t)(sl - out) : 0;
            out[ol] = '\0';
        } else if (!strcmp(in, ".") || !strcmp(in, "..")) {
            in += strlen(in);
        } else {
            size_t n = in[0] == '/' ? 1 : 0;
            while (in[n] && in[n] != '/')
                n++;
            memcpy(out + ol, in, n);
            ol += n;
            out[ol] = '\0';
            in += n;
        }
    }
}

/* 5.2.2 for a base "http://h" + bpath + bquery and a reference without
 * scheme or authority: ref = rpath [ "?" rq ] [ "#" frag ]. */
static void rfc_resolve(const char *bpath, const char *bquery, const char *rpath, const char *rquery,
                        char *out, size_t cap)
{
    char merged[1024], path[1024];
    const char *q = rquery;
    if (!*rpath) {
        snprintf(path, sizeof path, "%s", bpath);
        if (!rquery)
            q = bquery;
    } else if (rpath[0] == '/') {
        rfc_remove_dots(rpath, path);
    } else {
        const char *sl = strrchr(bpath, '/');
        if (!*bpath)
            snprintf(merged, sizeof merged, "/%s", rpath);
        else
            snprintf(merged, sizeof merged, "%.*s%s", (int)(sl - bpath + 1), bpath, rpath);
        rfc_remove_dots(merged, path);
    }
    snprintf(out, cap, "http://h%s%s%s", path, q ? "?" : "", q ? q : "");
}

static uint32_t rng_state = 12345;
static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 16) % n;
}

static void rnd_segments(char *out, size_t cap, int first_nonempty)
{
    static const char *const seg[] = {"", ".", "..", "a", "bb", "c.", ".d", "..e", "%2E", ";p=1"};
    unsigned k, n = 1 + rnd(6);
    out[0] = '\0';
    for (k = 0; k < n; k++) {
        const char *s = seg[rnd(sizeof seg / sizeof seg[0])];
        if (k == 0 && first_nonempty && !*s)
            s = "a";
        if (k)
            strncat(out, "/", cap - strlen(out) - 1);
        strncat(out, s, cap - strlen(out) - 1);
    }
}

static void test_resolve_differential(void)
{
    int i;
    for (i = 0; i < 20000; i++) {
        char bpath[128], rpath[160], base[300], ref[300], want[1200], got[1200];
        const char *bq = rnd(3) == 0 ? "bq" : NULL, *rq = rnd(3) == 0 ? "rq" : NULL;
        int n, frag = rnd(4) == 0;

        bpath[0] = '\0';
        if (rnd(6)) {
            bpath[0] = '/';
            rnd_segments(bpath + 1, sizeof bpath - 1, 0);
        }
        switch (rnd(4)) {
        case 0: rpath[0] = '\0'; break;
        case 1: rpath[0] = '/'; rnd_segments(rpath + 1, sizeof rpath - 1, 1); break; /* not "//" */
        default: rnd_segments(rpath, sizeof rpath, 1); break;
        }
        snprintf(base, sizeof base, "http://h%s%s%s", bpath, bq ? "?" : "", bq ? bq : "");
        snprintf(ref, sizeof ref, "%s%s%s%s", rpath, rq ? "?" : "", rq ? rq : "", frag ? "#f/../x" : "");
        rfc_resolve(bpath, bq, rpath, rq, want, sizeof want);
        n = tvc_url_resolve(base, strlen(base), ref, strlen(ref), got, sizeof got);
        if (n < 0 || strcmp(got, want) != 0) {
            char m[1200];
            snprintf(m, sizeof m, "base \"%.250s\" ref \"%.250s\": got \"%.300s\" (%d) want \"%.300s\"", base, ref,
                     n < 0 ? "" : got, n, want);
            h_fail(__FILE__, __LINE__, m);
            break;
        }
        /* Exact fit must work even when the merged path was longer. */
        CHECK_EQ(tvc_url_resolve(base, strlen(base), ref, strlen(ref), got, (size_t)n + 1), n);
        CHECK_EQ(tvc_url_resolve(base, strlen(base), ref, strlen(ref), got, (size_t)n), TVC_ERR_NOSPACE);
    }
}

/* ------------------------------------------------------------------ */
/* tvc_url_same_origin                                                 */

static const struct {
    const char *a, *b;
    int same;
} origins[] = {
    {"http://h", "http://h:80/", 1},
    {"http://h/a", "http://h/b?c#d", 1},
    {"http://H", "http://h", 1},
    {"HTTP://Example.COM", "http://example.com/", 1},
    {"http://h:", "http://h", 1},
    {"https://h", "https://h:443", 1},
    {"http://h:0080", "http://h", 1},
    {"http://h", "https://h", 0},
    {"https://h:80", "http://h:80", 0},
    {"http://h:8080", "http://h:80", 0},
    {"http://h:443", "https://h", 0},
    {"http://h", "http://h.", 0},
    {"http://a.h", "http://h", 0},
    {"http://hh", "http://h", 0},
    {"http://1.2.3.4", "http://1.2.3.4:80/x", 1},
    {"http://1.2.3.4", "http://1.2.3.5", 0},
    {"http://[::1]", "http://[0:0::1]:80", 1},
    {"http://[::1]", "http://[0:0:0:0:0:0:0:1]", 1},
    {"http://[2001:DB8::1]", "http://[2001:db8:0::1]", 1},
    {"http://[::ffff:1.2.3.4]", "http://[::ffff:102:304]", 1},
    {"http://[::1]", "http://[::2]", 0},
    {"http://[::1]:8080", "http://[::1]", 0},
    {"http://[::1.2.3.4]", "http://1.2.3.4", 0},
};

static void test_same_origin(void)
{
    size_t i;
    struct tvc_url u;
    for (i = 0; i < sizeof origins / sizeof origins[0]; i++) {
        struct tvc_url a, b;
        char name[160];
        snprintf(name, sizeof name, "origin \"%s\" vs \"%s\"", origins[i].a, origins[i].b);
        h_begin(name);
        CHECK_EQ(tvc_url_parse(origins[i].a, strlen(origins[i].a), &a), 0);
        CHECK_EQ(tvc_url_parse(origins[i].b, strlen(origins[i].b), &b), 0);
        if (!h_failed_now()) {
            CHECK_EQ(tvc_url_same_origin(&a, &b), origins[i].same);
            CHECK_EQ(tvc_url_same_origin(&b, &a), origins[i].same);
            CHECK_EQ(tvc_url_same_origin(&a, &a), 1);
        }
        h_end();
    }
    h_begin("origin NULL");
    CHECK_EQ(tvc_url_parse("http://h", 8, &u), 0);
    CHECK_EQ(tvc_url_same_origin(NULL, &u), 0);
    CHECK_EQ(tvc_url_same_origin(&u, NULL), 0);
    CHECK_EQ(tvc_url_same_origin(NULL, NULL), 0);
    h_end();
}

int main(void)
{
    if (guard_init(&g_in) != 0 || guard_init(&g_ref) != 0 || guard_init(&g_out) != 0) {
        printf("mmap/mprotect failed\n");
        return 1;
    }
    test_valid();
    test_invalid();
    RUN(test_parse_args);
    RUN(test_no_overread);
    test_ip_ok();
    test_ip_bad();
    RUN(test_ip_args);
    test_resolve();
    RUN(test_resolve_results_parse);
    RUN(test_resolve_args);
    test_nospace();
    RUN(test_resolve_differential);
    test_same_origin();
    guard_free(&g_in);
    guard_free(&g_ref);
    guard_free(&g_out);
    return h_summary();
}
