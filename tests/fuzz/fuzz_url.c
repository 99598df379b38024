/* URL parsing and RFC 3986 reference resolution.  Input: base '\n' ref.
 * Properties: a parsed URL's parts lie inside it and make sense; a resolved
 * URL re-parses, has no fragment, resolves the same against any base and
 * is stable under resolution; IP literals parse the same inside a URL. */
#include "fuzz.h"
#include "tvc.h"

static void check_parsed(const char *s, size_t len, const struct tvc_url *u)
{
    FZ_CHECK(u->scheme == TVC_SCHEME_HTTP || u->scheme == TVC_SCHEME_HTTPS);
    FZ_CHECK(u->host.len > 0 && u->host.p >= s && u->host.p + u->host.len <= s + len);
    FZ_CHECK(u->path.len == 0 || (u->path.p >= s && u->path.p + u->path.len <= s + len));
    FZ_CHECK(u->query.len == 0 || (u->query.p >= s && u->query.p + u->query.len <= s + len));
    FZ_CHECK(u->query.len == 0 || u->query.p[0] == '?');
    FZ_CHECK(u->path.len == 0 || u->path.p[0] == '/');
    FZ_CHECK(u->port != 0);
    if (!u->port_explicit)
        FZ_CHECK(u->port == (u->scheme == TVC_SCHEME_HTTP ? 80 : 443));
    FZ_CHECK(u->host_is_ip == 0 || u->host_is_ip == 4 || u->host_is_ip == 6);
    if (u->host_is_ip) {
        uint8_t ip[16];
        FZ_CHECK(tvc_ip_parse(u->host.p, u->host.len, ip) == u->host_is_ip);
    }
    FZ_CHECK(tvc_url_same_origin(u, u) == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char base[2048], ref[2048], out[TVC_URL_MAX], out2[TVC_URL_MAX], out3[TVC_URL_MAX];
    const uint8_t *a, *b;
    size_t alen, blen;
    struct tvc_url u, v;
    uint8_t ip[16];
    int n, n2;

    fz_take(&data, &size, '\n', &a, &alen);
    b = data;
    blen = size;
    if (alen >= sizeof base || blen >= sizeof ref)
        return 0;
    memcpy(base, a, alen);
    base[alen] = '\0';
    memcpy(ref, b, blen);
    ref[blen] = '\0';

    (void)tvc_ip_parse(base, alen, ip);
    if (tvc_url_parse(base, alen, &u) == 0)
        check_parsed(base, alen, &u);
    if (tvc_url_parse(ref, blen, &v) == 0)
        check_parsed(ref, blen, &v);

    n = tvc_url_resolve(base, alen, ref, blen, out, sizeof out);
    if (n < 0)
        return 0;
    FZ_CHECK((size_t)n < sizeof out && out[n] == '\0' && strlen(out) == (size_t)n);
    FZ_CHECK(tvc_url_parse(base, alen, &u) == 0); /* a result needs a good base */
    /* the result re-parses, without fragment */
    FZ_CHECK(tvc_url_parse(out, (size_t)n, &v) == 0);
    check_parsed(out, (size_t)n, &v);
    FZ_CHECK(memchr(out, '#', (size_t)n) == NULL);
    /* as an absolute reference it resolves the same against any base, and
     * resolving is then stable (not always at once: RFC 3986 5.2.2 keeps an
     * empty reference's base path as it is, dot segments included, while an
     * absolute reference's path loses them) */
    n2 = tvc_url_resolve(out, (size_t)n, out, (size_t)n, out2, sizeof out2);
    FZ_CHECK(n2 > 0 && tvc_url_parse(out2, (size_t)n2, &v) == 0);
    n = tvc_url_resolve(base, alen, out, (size_t)n, out3, sizeof out3);
    FZ_CHECK(n2 == n && memcmp(out2, out3, (size_t)n) == 0);
    n = tvc_url_resolve(out2, (size_t)n2, out2, (size_t)n2, out3, sizeof out3);
    FZ_CHECK(n2 == n && memcmp(out2, out3, (size_t)n) == 0);
    memcpy(out, out2, (size_t)n2 + 1);
    /* an absolute reference that parses keeps its origin */
    if (tvc_url_parse(ref, blen, &u) == 0) {
        struct tvc_url w;
        FZ_CHECK(tvc_url_parse(out, (size_t)n, &w) == 0);
        FZ_CHECK(tvc_url_same_origin(&u, &w) == 1);
    }
    /* resolving against a base that is too small a buffer never overruns */
    if (n > 0) {
        n2 = tvc_url_resolve(base, alen, ref, blen, out2, (size_t)n);
        FZ_CHECK(n2 == TVC_ERR_NOSPACE);
    }
    return 0;
}
