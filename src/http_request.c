/* HTTP/1.1 request head writer (RFC 9112 sections 3 and 5). */
#include <limits.h>
#include <string.h>

#include "tvc_http.h"
#include "chars.h"

/* Bounded appender: once something does not fit, nothing more is written. */
struct wr {
    char *buf;
    size_t cap;
    size_t len;
    int over;
};

static void put(struct wr *w, const char *s, size_t n)
{
    if (w->over)
        return;
    if (n > w->cap - w->len) {
        w->over = 1;
        return;
    }
    if (n)
        memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void put_s(struct wr *w, const char *s) { put(w, s, strlen(s)); }

/* A number the caller checked is >= 0. */
static void put_num(struct wr *w, int64_t v)
{
    char t[CH_I64_MAX];
    const char *s = tvc_ch_i64(t + sizeof t, v);

    put(w, s, (size_t)(t + sizeof t - s));
}

static void put_field(struct wr *w, const char *name, const char *value)
{
    put_s(w, name);
    put(w, ": ", 2);
    put_s(w, value);
    put(w, "\r\n", 2);
}

/* A field value must not smuggle in a line end (NUL cannot occur in a C string). */
static int value_ok(const char *s)
{
    for (; s && *s; s++) /* no strpbrk: one libc routine less */
        if (*s == '\r' || *s == '\n')
            return 0;
    return 1;
}

/* Host and request target go into the request line / Host field unquoted,
 * so any space or control byte would change the message structure. */
static int plain_ok(struct tvc_slice s)
{
    size_t i;

    if (s.len && !s.p)
        return 0;
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c <= 0x20 || c == 0x7f)
            return 0;
    }
    return 1;
}

static int check(const struct tvc_http_head *h)
{
    const struct tvc_url *u = h->url;
    const char *m = h->method;

    if (!m || !*m || !u)
        return TVC_ERR_ARG;
    for (; *m; m++)
        if (!ch_tchar((unsigned char)*m))
            return TVC_ERR_ARG;
    if (u->scheme != TVC_SCHEME_HTTP && u->scheme != TVC_SCHEME_HTTPS)
        return TVC_ERR_ARG;
    if (u->host.len == 0 || !plain_ok(u->host) || !plain_ok(u->path) || !plain_ok(u->query))
        return TVC_ERR_ARG;
    if (u->path.len && u->path.p[0] != '/')
        return TVC_ERR_ARG;
    if (u->query.len && u->query.p[0] != '?')
        return TVC_ERR_ARG;
    if (!value_ok(h->bearer) || !value_ok(h->content_type) || !value_ok(h->accept) ||
        !value_ok(h->if_range))
        return TVC_ERR_ARG;
    return 0;
}

int tvc_http_head_write(char *buf, size_t cap, const struct tvc_http_head *h)
{
    struct wr w;
    const struct tvc_url *u;
    uint16_t def_port;
    int rc;

    if (!h || (!buf && cap))
        return TVC_ERR_ARG;
    rc = check(h);
    if (rc < 0)
        return rc;
    u = h->url;
    w.buf = buf;
    w.cap = cap;
    w.len = 0;
    w.over = 0;

    put_s(&w, h->method);
    put(&w, " ", 1);
    if (u->path.len)
        put(&w, u->path.p, u->path.len);
    else
        put(&w, "/", 1);
    put(&w, u->query.p, u->query.len);
    put_s(&w, " HTTP/1.1\r\nHost: ");
    if (u->host_is_ip == 6)
        put(&w, "[", 1);
    put(&w, u->host.p, u->host.len);
    if (u->host_is_ip == 6)
        put(&w, "]", 1);
    def_port = u->scheme == TVC_SCHEME_HTTPS ? 443 : 80;
    if (u->port != def_port) {
        put(&w, ":", 1);
        put_num(&w, u->port);
    }
    put_s(&w, "\r\nUser-Agent: " TVC_USER_AGENT "\r\n");
    if (h->accept)
        put_field(&w, "Accept", h->accept);
    if (h->bearer) {
        put_s(&w, "Authorization: Bearer ");
        put_s(&w, h->bearer);
        put(&w, "\r\n", 2);
    }
    if (h->content_type)
        put_field(&w, "Content-Type", h->content_type);
    if (h->content_length >= 0) {
        put_s(&w, "Content-Length: ");
        put_num(&w, h->content_length);
        put(&w, "\r\n", 2);
    }
    if (h->range_from >= 0) {
        put_s(&w, "Range: bytes=");
        put_num(&w, h->range_from);
        put(&w, "-\r\n", 3);
    }
    if (h->if_range)
        put_field(&w, "If-Range", h->if_range);
    put_s(&w, h->keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");

    if (w.over || w.len > (size_t)INT_MAX)
        return TVC_ERR_NOSPACE;
    return (int)w.len;
}
