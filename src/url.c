/*
 * http/https URL parsing and RFC 3986 reference resolution (section 5.2),
 * with no heap: parse results are slices into the caller's string and
 * resolution writes straight into the caller's buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tvc_url.h"
#include "chars.h"

/* INT_MAX without <limits.h>: the result length must fit the int return. */
#define URL_INT_MAX ((size_t)((unsigned)-1 >> 1))

/* ------------------------------------------------------------------ */
/* Character classes: src/chars.h                                      */

/* RFC 3986 unreserved / sub-delims: what a reg-name may hold besides %HH. */
static int is_regname_char(unsigned char c)
{
    if (ch_alpha(c) || ch_digit(c))
        return 1;
    if (c < 0x20 || c > 0x7f)
        return 0;
    /* -._~!$&'()*+,;= as one bit per character of 0x20..0x7F (no strchr) */
    return (int)((c < 0x40 ? 0x28007fd2u : c < 0x60 ? 0x80000000u : 0x40000000u) >> (c & 31) & 1u);
}

/* Spaces, controls and non-ASCII bytes are refused anywhere in a URL: they
 * would otherwise reach a request line or a DNS query unescaped. */
static int chars_ok(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f)
            return 0;
    }
    return 1;
}

static int ci_equal(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i;
    if (an != bn)
        return 0;
    for (i = 0; i < an; i++)
        if (ch_lower((unsigned char)a[i]) != ch_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* ------------------------------------------------------------------ */
/* IP literals                                                         */

/* Strict dotted quad: four 1-3 digit parts, no leading zero (inet_aton
 * would read "010" as octal 8; refusing it removes the ambiguity). */
static int ipv4_parse(const char *s, size_t n, uint8_t o[4])
{
    size_t i = 0;
    int part;
    for (part = 0; part < 4; part++) {
        size_t st;
        unsigned v = 0;
        if (part > 0) {
            if (i >= n || s[i] != '.')
                return -1;
            i++;
        }
        st = i;
        while (i < n && i - st < 3 && ch_digit((unsigned char)s[i]))
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == st || (i - st > 1 && s[st] == '0') || v > 255)
            return -1;
        o[part] = (uint8_t)v;
    }
    return i == n ? 0 : -1;
}

/* RFC 4291 section 2.2 text forms: 8 groups, or fewer with exactly one
 * "::" standing for at least one zero group; an IPv4 tail counts as two. */
static int ipv6_parse(const char *s, size_t n, uint8_t o[16])
{
    unsigned g[8];
    int ng = 0, dc = -1, k;
    size_t i = 0;

    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        dc = 0;
        i = 2;
    }
    while (i < n) {
        size_t st = i;
        unsigned v = 0;
        while (i < n && i - st < 4 && ch_hex((unsigned char)s[i]))
            v = v * 16 + ch_hexval((unsigned char)s[i++]);
        if (i < n && s[i] == '.') {
            uint8_t v4[4];
            if (ng > 6 || ipv4_parse(s + st, n - st, v4) != 0)
                return -1;
            g[ng++] = (unsigned)v4[0] << 8 | v4[1];
            g[ng++] = (unsigned)v4[2] << 8 | v4[3];
            break;
        }
        if (i == st || ng == 8)
            return -1;
        g[ng++] = v;
        if (i == n)
            break;
        if (s[i++] != ':' || i == n)
            return -1;
        if (s[i] == ':') {
            if (dc >= 0)
                return -1;
            dc = ng;
            i++;
        }
    }
    if (dc < 0 ? ng != 8 : ng > 7)
        return -1;
    memset(o, 0, 16);
    for (k = 0; k < ng; k++) {
        int at = (dc >= 0 && k >= dc) ? 8 - (ng - k) : k;
        o[2 * at] = (uint8_t)(g[k] >> 8);
        o[2 * at + 1] = (uint8_t)g[k];
    }
    return 0;
}

int tvc_ip_parse(const char *s, size_t len, uint8_t out[16])
{
    uint8_t b[16];
    int fam;

    if (!s && len)
        return TVC_ERR_ARG;
    memset(b, 0, sizeof b);
    if (len && memchr(s, ':', len))
        fam = ipv6_parse(s, len, b) == 0 ? 6 : 0;
    else
        fam = len && ipv4_parse(s, len, b) == 0 ? 4 : 0;
    if (!fam)
        return TVC_ERR_URL;
    if (out)
        memcpy(out, b, 16);
    return fam;
}

/* ------------------------------------------------------------------ */
/* Splitting (RFC 3986 appendix B) and authority checks                */

struct parts {
    int has_scheme, has_auth, has_query;
    const char *scheme, *auth, *path, *query; /* query includes its '?' */
    size_t scheme_len, auth_len, path_len, query_len;
};

/* A prefix that is not a valid scheme makes the whole thing a relative
 * reference (like "1a:b"); the caller decides whether that is allowed. */
static void split(const char *s, size_t n, struct parts *p)
{
    size_t i = 0, st;

    memset(p, 0, sizeof *p);
    while (i < n && s[i] != ':' && s[i] != '/' && s[i] != '?' && s[i] != '#')
        i++;
    if (i > 0 && i < n && s[i] == ':' && ch_alpha((unsigned char)s[0])) {
        size_t k;
        for (k = 1; k < i; k++) {
            unsigned char c = (unsigned char)s[k];
            if (!ch_alpha(c) && !ch_digit(c) && c != '+' && c != '-' && c != '.')
                break;
        }
        if (k == i) {
            p->has_scheme = 1;
            p->scheme = s;
            p->scheme_len = i;
        }
    }
    i = p->has_scheme ? p->scheme_len + 1 : 0;
    if (n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
        i += 2;
        st = i;
        while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
            i++;
        p->has_auth = 1;
        p->auth = s + st;
        p->auth_len = i - st;
    }
    st = i;
    while (i < n && s[i] != '?' && s[i] != '#')
        i++;
    p->path = s + st;
    p->path_len = i - st;
    st = i;
    if (i < n && s[i] == '?') {
        while (i < n && s[i] != '#')
            i++;
        p->has_query = 1;
    }
    p->query = s + st;
    p->query_len = i - st;
}

/* 1 http, 2 https, 0 no scheme, -1 another scheme. */
static int scheme_kind(const struct parts *p)
{
    if (!p->has_scheme)
        return 0;
    if (ci_equal(p->scheme, p->scheme_len, "http", 4))
        return TVC_SCHEME_HTTP;
    if (ci_equal(p->scheme, p->scheme_len, "https", 5))
        return TVC_SCHEME_HTTPS;
    return -1;
}

static int regname_ok(const char *h, size_t n)
{
    size_t i;
    if (n == 0)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (c == '%') {
            if (n - i < 3 || !ch_hex((unsigned char)h[i + 1]) || !ch_hex((unsigned char)h[i + 2]))
                return 0;
            i += 2;
        } else if (!is_regname_char(c)) {
            return 0;
        }
    }
    return 1;
}

/* A name whose last label is a number ("1.2.3", "0x7f.1", "01.2.3.4") is
 * an IPv4 address to inet_aton and browsers but not a dotted quad to us:
 * refuse it rather than let a resolver read it some other way.  (TLDs are
 * never all-numeric, RFC 3696 section 2.) */
static int ends_in_number(const char *h, size_t n)
{
    size_t st, i;
    if (n && h[n - 1] == '.')
        n--;
    st = n;
    while (st > 0 && h[st - 1] != '.')
        st--;
    if (st == n)
        return 0;
    i = st;
    if (n - st >= 2 && h[st] == '0' && (h[st + 1] | 0x20) == 'x') {
        for (i = st + 2; i < n; i++)
            if (!ch_hex((unsigned char)h[i]))
                return 0;
        return 1;
    }
    for (; i < n; i++)
        if (!ch_digit((unsigned char)h[i]))
            return 0;
    return 1;
}

/* Fills host, host_is_ip, port and port_explicit of @p u (port 0 when the
 * URL names none). */
static int parse_authority(const char *a, size_t n, struct tvc_url *u)
{
    const char *end = a + n, *rest;

    if (n && memchr(a, '@', n))
        return TVC_ERR_URL_USERINFO;
    if (n == 0)
        return TVC_ERR_URL;
    if (a[0] == '[') {
        const char *close = (const char *)memchr(a, ']', n);
        size_t hl;
        if (!close)
            return TVC_ERR_URL;
        hl = (size_t)(close - (a + 1));
        /* Zone ids ("%25eth0") name a local interface: meaningless to a
         * server and refused; so is IPvFuture. */
        if (hl == 0 || memchr(a + 1, '%', hl) || tvc_ip_parse(a + 1, hl, NULL) != 6)
            return TVC_ERR_URL;
        u->host.p = a + 1;
        u->host.len = hl;
        u->host_is_ip = 6;
        rest = close + 1;
    } else {
        const char *colon = (const char *)memchr(a, ':', n);
        size_t hl = colon ? (size_t)(colon - a) : n;
        if (!regname_ok(a, hl))
            return TVC_ERR_URL;
        if (tvc_ip_parse(a, hl, NULL) == 4)
            u->host_is_ip = 4;
        else if (ends_in_number(a, hl))
            return TVC_ERR_URL;
        else
            u->host_is_ip = 0;
        u->host.p = a;
        u->host.len = hl;
        rest = a + hl;
    }
    u->port = 0;
    u->port_explicit = 0;
    if (rest == end)
        return 0;
    if (*rest != ':')
        return TVC_ERR_URL;
    rest++;
    if (rest < end) { /* an empty port means the default (RFC 3986 3.2.3) */
        unsigned long v = 0;
        for (; rest < end; rest++) {
            if (!ch_digit((unsigned char)*rest))
                return TVC_ERR_URL;
            v = v * 10 + (unsigned long)(*rest - '0');
            if (v > 65535)
                return TVC_ERR_URL;
        }
        if (v == 0)
            return TVC_ERR_URL;
        u->port = (uint16_t)v;
        u->port_explicit = 1;
    }
    return 0;
}

int tvc_url_parse(const char *s, size_t len, struct tvc_url *out)
{
    struct parts p;
    struct tvc_url u;
    int kind, rc;

    if (!out || (!s && len))
        return TVC_ERR_ARG;
    if (len == 0) /* the empty relative reference */
        return TVC_ERR_URL_SCHEME;
    if (!chars_ok(s, len))
        return TVC_ERR_URL;
    split(s, len, &p);
    kind = scheme_kind(&p);
    if (kind <= 0)
        return TVC_ERR_URL_SCHEME;
    if (!p.has_auth) /* "http:foo", "http:/foo": an http URL needs a host */
        return TVC_ERR_URL;
    memset(&u, 0, sizeof u);
    u.scheme = kind;
    rc = parse_authority(p.auth, p.auth_len, &u);
    if (rc != 0)
        return rc;
    if (!u.port_explicit)
        u.port = kind == TVC_SCHEME_HTTPS ? 443 : 80;
    u.path.p = p.path;
    u.path.len = p.path_len;
    u.query.p = p.query;
    u.query.len = p.query_len;
    *out = u;
    return 0;
}

/* ------------------------------------------------------------------ */
/* remove_dot_segments (RFC 3986 5.2.4) without a scratch buffer        */

/*
 * The path is given as up to two pieces; each piece is a '/'-separated
 * list of segments without its leading '/' (so "" is one empty segment),
 * and the path is "/" + segments joined by "/".  Merging (5.2.3) then needs
 * no copy: the base directory and the reference are just two pieces.
 *
 * For such absolute paths the algorithm of 5.2.4 keeps a segment unless a
 * later ".." cancels it (bracket matching), and when the last segment is
 * "." or ".." the output ends in "/".  Walking right to left with a count
 * of pending ".." decides every segment without a stack, so a first pass
 * measures the result and a second writes it backwards from its end; the
 * output never needs more room than the result itself.
 */
struct dotpath {
    const char *p[2];
    size_t n[2];
    int cnt;
};

/* Returns the length of the cleaned path; writes it ending at @p wend
 * unless that is NULL. */
static size_t dots_walk(const struct dotpath *dp, char *wend)
{
    size_t total = 0, skip = 0;
    int k, last = 1;

    for (k = dp->cnt - 1; k >= 0; k--) {
        const char *b = dp->p[k];
        size_t e = dp->n[k];
        for (;;) {
            size_t st = e, sl;
            int dots;
            while (st > 0 && b[st - 1] != '/')
                st--;
            sl = e - st;
            dots = 0; /* 1 for ".", 2 for ".." */
            if (sl >= 1 && sl <= 2 && b[st] == '.' && b[e - 1] == '.')
                dots = (int)sl;
            if (last && dots) {
                total++;
                if (wend)
                    *--wend = '/';
            }
            last = 0;
            if (dots == 2) {
                skip++;
            } else if (dots == 0) {
                if (skip) {
                    skip--;
                } else {
                    total += sl + 1;
                    if (wend) {
                        wend -= sl;
                        memcpy(wend, b + st, sl);
                        *--wend = '/';
                    }
                }
            }
            if (st == 0)
                break;
            e = st - 1;
        }
    }
    return total;
}

static void dots_absolute(struct dotpath *dp, const char *path, size_t n)
{
    dp->cnt = 0;
    if (n) { /* an empty path stays empty; otherwise it starts with '/' */
        dp->p[0] = path + 1;
        dp->n[0] = n - 1;
        dp->cnt = 1;
    }
}

/* RFC 3986 5.2.3 with a base that has an authority. */
static void dots_merge(struct dotpath *dp, const char *bpath, size_t bn, const char *rpath, size_t rn)
{
    size_t ls = bn;
    while (ls > 0 && bpath[ls - 1] != '/')
        ls--;
    dp->cnt = 0;
    if (ls > 1) { /* base directory "/x/.../" without its outer slashes */
        dp->p[0] = bpath + 1;
        dp->n[0] = ls - 2;
        dp->cnt = 1;
    }
    dp->p[dp->cnt] = rpath;
    dp->n[dp->cnt] = rn;
    dp->cnt++;
}

static int resolve(const char *base, size_t base_len, const char *ref, size_t ref_len, char *out, size_t cap)
{
    struct tvc_url bu, tmp;
    struct parts bp, rp;
    struct dotpath dp;
    const char *scheme, *auth, *vpath = NULL, *query;
    size_t auth_len, path_len, query_len, scheme_len, total, at;
    int rc, kind, use_dots = 1;

    rc = tvc_url_parse(base, base_len, &bu);
    if (rc != 0)
        return rc;
    /* Checked whole, fragment included, though the fragment is dropped. */
    if (!chars_ok(ref, ref_len))
        return TVC_ERR_URL;
    split(base, base_len, &bp);
    split(ref, ref_len, &rp);

    kind = scheme_kind(&rp);
    if (kind < 0)
        return TVC_ERR_URL_SCHEME;
    if (kind == 0)
        kind = bu.scheme;
    else if (!rp.has_auth) /* strict 5.2.2: "http:g" stays "http:g", no host */
        return TVC_ERR_URL;
    scheme = kind == TVC_SCHEME_HTTPS ? "https" : "http";
    scheme_len = strlen(scheme);

    query = rp.query;
    query_len = rp.query_len;
    if (rp.has_auth) {
        /* Check the new authority now so that a bad one gets its own error
         * whatever the buffer size. */
        rc = parse_authority(rp.auth, rp.auth_len, &tmp);
        if (rc != 0)
            return rc;
        auth = rp.auth;
        auth_len = rp.auth_len;
        dots_absolute(&dp, rp.path, rp.path_len);
    } else {
        auth = bp.auth;
        auth_len = bp.auth_len;
        if (rp.path_len == 0) {
            use_dots = 0; /* the base path is taken as is */
            vpath = bp.path;
            if (!rp.has_query) {
                query = bp.query;
                query_len = bp.query_len;
            }
        } else if (rp.path[0] == '/') {
            dots_absolute(&dp, rp.path, rp.path_len);
        } else {
            dots_merge(&dp, bp.path, bp.path_len, rp.path, rp.path_len);
        }
    }
    path_len = use_dots ? dots_walk(&dp, NULL) : bp.path_len;

    total = scheme_len + 3 + auth_len + path_len + query_len;
    if (total > URL_INT_MAX || total >= cap)
        return TVC_ERR_NOSPACE;

    memcpy(out, scheme, scheme_len);
    at = scheme_len;
    memcpy(out + at, "://", 3);
    at += 3;
    memcpy(out + at, auth, auth_len);
    at += auth_len;
    if (use_dots)
        dots_walk(&dp, out + at + path_len);
    else
        memcpy(out + at, vpath, path_len);
    at += path_len;
    memcpy(out + at, query, query_len);
    at += query_len;
    out[at] = '\0';

    /* Every part was checked above; re-parsing guards the contract that
     * the result is a valid http(s) URL. */
    rc = tvc_url_parse(out, total, &tmp);
    if (rc != 0)
        return rc;
    return (int)total;
}

int tvc_url_resolve(const char *base, size_t base_len, const char *ref, size_t ref_len, char *out, size_t cap)
{
    int rc;

    if (!out || (!base && base_len) || (!ref && ref_len))
        return TVC_ERR_ARG;
    if (!ref)
        ref = "";
    rc = resolve(base, base_len, ref, ref_len, out, cap);
    if (rc < 0 && cap > 0)
        out[0] = '\0'; /* never leave a half-written URL behind */
    return rc;
}

int tvc_url_same_origin(const struct tvc_url *a, const struct tvc_url *b)
{
    if (!a || !b || a->scheme != b->scheme || a->port != b->port)
        return 0;
    if (a->host_is_ip && a->host_is_ip == b->host_is_ip) {
        /* "[::1]" and "[0::1]" are one address; compare the bytes. */
        uint8_t x[16], y[16];
        if (tvc_ip_parse(a->host.p, a->host.len, x) == a->host_is_ip &&
            tvc_ip_parse(b->host.p, b->host.len, y) == b->host_is_ip)
            return memcmp(x, y, 16) == 0;
    }
    return ci_equal(a->host.p, a->host.len, b->host.p, b->host.len);
}
