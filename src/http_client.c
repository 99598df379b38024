/*
 * The HTTP/1.1 client: one exchange at a time, driven by tvc_http_step() so
 * the caller's loop never blocks longer than it allows.
 *
 * Life of an exchange: start -> [connect -> TLS handshake] -> send head and
 * body -> receive and parse -> (redirect: next hop) -> done.  A connection
 * left open by a keep-alive response is reused by the next exchange to the
 * same origin after a zero-wait look shows it is still quiet.
 *
 * Re-sending rules (the reason this file is careful):
 * - a request that failed before any byte reached the transport is always
 *   safe to send again on a new connection;
 * - a request that went out on a *reused* connection and got no response
 *   byte back before EOF/reset is re-sent once on a new connection only if it
 *   is idempotent (GET/HEAD, or TVC_HTTP_IDEMPOTENT);
 * - anything else is reported, with request_bytes_out telling the caller
 *   whether the server may have seen it.
 */
#include <string.h>

#include "tvc_http.h"
#include "tvc_tls.h"

enum {
    ST_IDLE = 0,
    ST_CONNECT,
    ST_TLS,
    ST_SEND,
    ST_RECV
};

/* c->xflags: per-hop facts. */
#define X_HEADERS_SEEN 1 /* final headers handled (callbacks run) */
#define X_DRAINING 2     /* reading a redirect's body to reuse the connection */
#define X_REUSED 4       /* this hop runs on a kept-alive connection */

static int lower(int ch)
{
    return (ch >= 'A' && ch <= 'Z') ? ch + ('a' - 'A') : ch;
}

static int ieq(const char *a, size_t alen, const char *b)
{
    size_t i;
    for (i = 0; i < alen; i++)
        if (b[i] == '\0' || lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    return b[alen] == '\0';
}

static int streq(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

static uint64_t now(const struct tvc_http_client *c)
{
    return c->port->now_ms(c->port->ctx);
}

/* How long a port call may wait: the caller's allowance, never past the
 * deadline (so a deadline is noticed within one call). */
static uint32_t clamp_wait(const struct tvc_http_client *c, uint32_t wait_ms,
                           uint64_t deadline)
{
    uint64_t t = now(c);
    uint64_t left = deadline > t ? deadline - t : 0;
    return left < wait_ms ? (uint32_t)left : wait_ms;
}

static uint32_t io_timeout(const struct tvc_http_client *c)
{
    return c->req->io_timeout_ms ? c->req->io_timeout_ms : TVC_HTTP_IO_TIMEOUT_MS;
}

static void touch(struct tvc_http_client *c)
{
    c->deadline = now(c) + io_timeout(c);
}

static int is_https(const struct tvc_http_client *c)
{
    return c->conn_scheme == TVC_SCHEME_HTTPS;
}

static int t_send(struct tvc_http_client *c, const uint8_t *p, size_t n, uint32_t w)
{
    if (is_https(c))
        return tvc_tls_send(c->tls, p, n, w);
    return c->port->send(c->port->ctx, c->sock, p, n, w);
}

static int t_recv(struct tvc_http_client *c, uint8_t *p, size_t n, uint32_t w)
{
    if (is_https(c))
        return tvc_tls_recv(c->tls, p, n, w);
    return c->port->recv(c->port->ctx, c->sock, p, n, w);
}

static void conn_close(struct tvc_http_client *c)
{
    if (c->sock < 0)
        return;
    if (is_https(c) && c->tls)
        tvc_tls_close(c->tls);
    c->port->close(c->port->ctx, c->sock);
    c->sock = -1;
    c->conn_uses = 0;
}

static int fail(struct tvc_http_client *c, int rc)
{
    if (is_https(c) && c->tls && c->tls->mbedtls_err)
        c->tls_error = c->tls->mbedtls_err;
    conn_close(c);
    c->state = ST_IDLE;
    return rc;
}

void tvc_http_client_init(struct tvc_http_client *c, const struct tvc_port *port,
                          struct tvc_tls *tls, char *hdr_buf, size_t hdr_cap,
                          uint8_t *io_buf, size_t io_cap)
{
    memset(c, 0, sizeof *c);
    c->port = port;
    c->tls = tls;
    c->hdr_buf = hdr_buf;
    c->hdr_cap = hdr_cap;
    c->io_buf = io_buf;
    c->io_cap = io_cap;
    c->sock = -1;
}

void tvc_http_client_close(struct tvc_http_client *c)
{
    if (c->port)
        conn_close(c);
    c->state = ST_IDLE;
}

static int conn_matches(const struct tvc_http_client *c)
{
    return c->sock >= 0 && c->conn_scheme == c->u.scheme && c->conn_port == c->u.port &&
           ieq(c->u.host.p, c->u.host.len, c->conn_host);
}

/* A kept-alive connection is reusable only if it is quiet: no EOF, no reset,
 * no unexpected bytes.  Looks without waiting. */
static int conn_still_good(struct tvc_http_client *c)
{
    int n = t_recv(c, c->io_buf, c->io_cap, 0);
    return n == TVC_ERR_AGAIN;
}

static int write_head(struct tvc_http_client *c)
{
    const struct tvc_http_req *r = c->req;
    struct tvc_http_head h;
    int n;

    memset(&h, 0, sizeof h);
    h.method = c->method;
    h.url = &c->u;
    h.bearer = c->drop_auth ? NULL : r->bearer;
    h.accept = r->accept;
    h.content_type = c->send_body ? r->content_type : NULL;
    if (c->send_body)
        h.content_length = (int64_t)r->body_len;
    else if (streq(c->method, "POST") || streq(c->method, "PUT"))
        h.content_length = 0;
    else
        h.content_length = -1;
    h.range_from = r->range_from > 0 ? r->range_from : -1;
    h.if_range = r->range_from > 0 ? r->if_range : NULL;
    h.keep_alive = !(r->flags & TVC_HTTP_CLOSE);
    n = tvc_http_head_write(c->hdr_buf, c->hdr_cap, &h);
    if (n < 0)
        return n;
    c->head_len = (size_t)n;
    c->sent = 0;
    return 0;
}

/* Open (or reuse) a connection for the current hop and queue its request. */
static int begin_hop(struct tvc_http_client *c)
{
    int rc;

    c->xflags &= ~(X_HEADERS_SEEN | X_DRAINING | X_REUSED);
    /* "no response byte yet" must describe this hop, not the last one */
    c->resp.bytes_seen = 0;
    if (c->sock >= 0 && (!conn_matches(c) || (c->req->flags & TVC_HTTP_FRESH) ||
                         !conn_still_good(c)))
        conn_close(c);

    rc = write_head(c);
    if (rc < 0)
        return fail(c, rc);

    if (c->sock >= 0) {
        c->xflags |= X_REUSED;
        c->state = ST_SEND;
        touch(c);
        return 0;
    }
    if (c->u.host.len >= sizeof c->conn_host)
        return fail(c, TVC_ERR_URL);
    memcpy(c->conn_host, c->u.host.p, c->u.host.len);
    c->conn_host[c->u.host.len] = '\0';
    c->conn_scheme = c->u.scheme;
    c->conn_port = c->u.port;
    c->conn_uses = 0;
    rc = c->port->connect(c->port->ctx, c->conn_host, c->conn_port);
    if (rc < 0)
        return fail(c, rc);
    c->sock = rc;
    c->connects++;
    c->connect_deadline = now(c) + (c->req->connect_timeout_ms ? c->req->connect_timeout_ms
                                                               : TVC_HTTP_CONNECT_TIMEOUT_MS);
    c->state = ST_CONNECT;
    return 0;
}

static int method_idempotent(const struct tvc_http_client *c)
{
    return (c->req->flags & TVC_HTTP_IDEMPOTENT) || streq(c->method, "GET") ||
           streq(c->method, "HEAD");
}

/* The connection died.  Start the hop again on a new connection when that
 * cannot duplicate the request; else report @p rc. */
static int conn_lost(struct tvc_http_client *c, int rc)
{
    int nothing_out = c->sent == 0;
    int safe_retry = (c->xflags & X_REUSED) && c->resp.bytes_seen == 0 && method_idempotent(c);

    /* only reached from sending and receiving: connect and TLS failures
     * are reported by their own steps */
    if (!c->retried && (nothing_out || safe_retry)) {
        c->retried = 1;
        conn_close(c);
        return begin_hop(c);
    }
    return fail(c, rc);
}

/* A caller's callback said stop: its own code is kept apart. */
static int sink_abort(struct tvc_http_client *c, int rc)
{
    c->sink_err = rc;
    return TVC_ERR_ABORTED;
}

static int body_sink(void *user, const uint8_t *data, size_t len)
{
    struct tvc_http_client *c = user;
    int rc;
    if ((c->xflags & X_DRAINING) || !c->req->on_body)
        return 0;
    rc = c->req->on_body(c->req->user, data, len);
    return rc < 0 ? sink_abort(c, rc) : 0;
}

static int is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Final header block of a hop: decide between following and delivering. */
static int on_headers(struct tvc_http_client *c)
{
    struct tvc_slice loc;

    c->xflags |= X_HEADERS_SEEN;
    if ((c->req->flags & TVC_HTTP_FOLLOW) && is_redirect(c->resp.status)) {
        if (tvc_http_parser_header(&c->resp, "Location", &loc) != 0 || loc.len == 0)
            return TVC_ERR_HTTP_REDIRECT;
        if (c->redirects >= TVC_HTTP_MAX_REDIRECTS)
            return TVC_ERR_HTTP_REDIRECT_LIMIT;
        c->xflags |= X_DRAINING;
        return 0;
    }
    if (c->req->on_headers) {
        int rc = c->req->on_headers(c->req->user, &c->resp);
        return rc < 0 ? sink_abort(c, rc) : 0;
    }
    return 0;
}

/* Move to the Location of the finished redirect response. */
static int follow(struct tvc_http_client *c)
{
    struct tvc_slice loc;
    struct tvc_url nu;
    char *ref, *tmp;
    size_t tmp_cap;
    int n, rc, status = c->resp.status;

    if (tvc_http_parser_header(&c->resp, "Location", &loc) != 0)
        return fail(c, TVC_ERR_HTTP_REDIRECT);
    /* Resolve inside hdr_buf: park the reference at its end, write the
     * result at its start; the regions do not overlap. */
    if (loc.len >= c->hdr_cap / 2)
        return fail(c, TVC_ERR_HTTP_REDIRECT);
    ref = c->hdr_buf + c->hdr_cap - loc.len;
    memmove(ref, loc.p, loc.len);
    tmp = c->hdr_buf;
    tmp_cap = c->hdr_cap - loc.len;
    if (tmp_cap > TVC_URL_MAX)
        tmp_cap = TVC_URL_MAX;
    n = tvc_url_resolve(c->url, strlen(c->url), ref, loc.len, tmp, tmp_cap);
    if (n < 0)
        return fail(c, n == TVC_ERR_NOSPACE ? TVC_ERR_HTTP_REDIRECT : n);
    rc = tvc_url_parse(tmp, (size_t)n, &nu);
    if (rc < 0)
        return fail(c, TVC_ERR_HTTP_REDIRECT);
    if (c->u.scheme == TVC_SCHEME_HTTPS && nu.scheme == TVC_SCHEME_HTTP)
        return fail(c, TVC_ERR_HTTP_REDIRECT_INSECURE);
    if (nu.scheme == TVC_SCHEME_HTTPS && !c->tls)
        return fail(c, TVC_ERR_URL_SCHEME);
    /* Once the key has left for another origin's sake it stays dropped,
     * even if a later hop comes back. */
    if (!tvc_url_same_origin(&c->u, &nu))
        c->drop_auth = 1;
    memcpy(c->url, tmp, (size_t)n + 1);
    tvc_url_parse(c->url, (size_t)n, &c->u);

    if (status == 303 && !streq(c->method, "HEAD")) {
        c->method = "GET";
        c->send_body = 0;
    } else if ((status == 301 || status == 302) && streq(c->method, "POST")) {
        /* What every deployed client does, and RFC 9110 15.4.2 allows. */
        c->method = "GET";
        c->send_body = 0;
    }
    c->redirects++;
    c->retried = 0;
    return begin_hop(c);
}

/* The response is complete: keep or close the connection, then finish or
 * follow the redirect. */
static int message_done(struct tvc_http_client *c, int at_eof)
{
    int rc;

    if (!(c->xflags & X_HEADERS_SEEN)) {
        rc = on_headers(c);
        if (rc < 0)
            return fail(c, rc);
    }
    if (at_eof || !c->resp.keep_alive || c->io_pos < c->io_len ||
        (c->req->flags & TVC_HTTP_CLOSE))
        conn_close(c);
    else
        c->conn_uses++;
    if (c->xflags & X_DRAINING)
        return follow(c);
    c->state = ST_IDLE;
    return 0;
}

int tvc_http_start(struct tvc_http_client *c, const struct tvc_http_req *req)
{
    size_t len;
    int rc;

    if (!c || !req || !req->method || !req->url || !c->hdr_buf || !c->io_buf)
        return TVC_ERR_ARG;
    if (c->state != ST_IDLE)
        return TVC_ERR_STATE;
    rc = tvc_port_check(c->port);
    if (rc < 0)
        return rc;
    if (req->body_len && !req->body)
        return TVC_ERR_ARG;
    len = strlen(req->url);
    if (len >= sizeof c->url)
        return TVC_ERR_NOSPACE;
    memcpy(c->url, req->url, len + 1);
    rc = tvc_url_parse(c->url, len, &c->u);
    if (rc < 0)
        return rc;
    if (c->u.scheme == TVC_SCHEME_HTTPS && !c->tls)
        return TVC_ERR_URL_SCHEME;

    c->req = req;
    c->method = req->method;
    c->send_body = req->body != NULL;
    c->drop_auth = 0;
    c->redirects = 0;
    c->retried = 0;
    c->request_bytes_out = 0;
    c->unclean_end = 0;
    c->tls_error = 0;
    c->sink_err = 0;
    c->xflags = 0;
    rc = begin_hop(c);
    return rc < 0 ? rc : 0;
}

static int step_connect(struct tvc_http_client *c, uint32_t wait_ms)
{
    int rc = c->port->connect_poll(c->port->ctx, c->sock,
                                   clamp_wait(c, wait_ms, c->connect_deadline));
    if (rc == TVC_ERR_AGAIN)
        return now(c) >= c->connect_deadline ? fail(c, TVC_ERR_TIMEOUT) : TVC_ERR_AGAIN;
    if (rc < 0)
        return fail(c, rc);
    if (is_https(c)) {
        rc = tvc_tls_start(c->tls, c->sock, c->conn_host, c->conn_port);
        if (rc < 0)
            return fail(c, rc);
        c->state = ST_TLS;
    } else {
        c->state = ST_SEND;
        touch(c);
    }
    return 0;
}

static int step_tls(struct tvc_http_client *c, uint32_t wait_ms)
{
    int rc = tvc_tls_handshake(c->tls, clamp_wait(c, wait_ms, c->connect_deadline));
    if (rc == TVC_ERR_AGAIN)
        return now(c) >= c->connect_deadline ? fail(c, TVC_ERR_TIMEOUT) : TVC_ERR_AGAIN;
    if (rc < 0)
        return fail(c, rc); /* refused before any request byte */
    c->state = ST_SEND;
    touch(c);
    return 0;
}

static int step_send(struct tvc_http_client *c, uint32_t wait_ms)
{
    const uint8_t *p;
    size_t left;
    int n;

    if (c->sent < c->head_len) {
        p = (const uint8_t *)c->hdr_buf + c->sent;
        left = c->head_len - c->sent;
    } else {
        p = c->req->body + (c->sent - c->head_len);
        left = c->req->body_len - (c->sent - c->head_len);
    }
    n = t_send(c, p, left, clamp_wait(c, wait_ms, c->deadline));
    if (n == TVC_ERR_AGAIN)
        return now(c) >= c->deadline ? fail(c, TVC_ERR_TIMEOUT) : TVC_ERR_AGAIN;
    if (n <= 0)
        return conn_lost(c, n < 0 ? n : TVC_ERR_IO);
    if (c->sent == 0)
        c->requests++;
    c->sent += (size_t)n;
    c->request_bytes_out = 1;
    touch(c);
    if (c->sent == c->head_len + (c->send_body ? c->req->body_len : 0)) {
        tvc_http_parser_init(&c->resp, c->hdr_buf, c->hdr_cap, c->hdrs, TVC_HTTP_MAX_HEADERS,
                             streq(c->method, "HEAD"));
        c->io_pos = c->io_len = 0;
        c->state = ST_RECV;
        c->fed_after_headers = 1;
    }
    return 0;
}

static int step_recv(struct tvc_http_client *c, uint32_t wait_ms)
{
    size_t used = 0;
    int n, rc;

    if (c->io_pos < c->io_len || !c->fed_after_headers) {
        /* A zero-length feed after the headers lets a bodiless response
         * finish without waiting for bytes that will never come. */
        c->fed_after_headers = 1;
        rc = tvc_http_parser_feed(&c->resp, c->io_buf + c->io_pos, c->io_len - c->io_pos,
                                  &used, body_sink, c);
        c->io_pos += used;
        if (rc == TVC_HTTP_HEADERS) {
            c->fed_after_headers = 0;
            rc = on_headers(c);
            return rc < 0 ? fail(c, rc) : 0;
        }
        if (rc == TVC_HTTP_DONE)
            return message_done(c, 0);
        if (rc < 0)
            return fail(c, rc);
        return 0;
    }
    n = t_recv(c, c->io_buf, c->io_cap, clamp_wait(c, wait_ms, c->deadline));
    if (n == TVC_ERR_AGAIN)
        return now(c) >= c->deadline ? fail(c, TVC_ERR_TIMEOUT) : TVC_ERR_AGAIN;
    if (n > 0) {
        c->io_pos = 0;
        c->io_len = (size_t)n;
        touch(c);
        return 0;
    }
    if (n == 0) {
        /* Over TLS a body that runs until close is provably whole only if
         * the peer said so (close_notify); a bare TCP close may be a cut
         * (RFC 9112 section 9.8).  Many servers never send it, so the
         * exchange completes and the fact is reported: callers whose data
         * has no structure of its own to check (downloads) refuse it. */
        if (is_https(c) && c->resp.until_close && !c->tls->peer_closed &&
            (c->xflags & X_HEADERS_SEEN))
            c->unclean_end = 1;
        rc = tvc_http_parser_eof(&c->resp);
        if (rc == TVC_HTTP_DONE)
            return message_done(c, 1);
        if (rc == TVC_ERR_CLOSED)
            return conn_lost(c, rc);
        return fail(c, rc);
    }
    if (c->resp.bytes_seen == 0)
        return conn_lost(c, n);
    return fail(c, n);
}

int tvc_http_step(struct tvc_http_client *c, uint32_t wait_ms)
{
    int rc;

    if (!c || c->state == ST_IDLE)
        return TVC_ERR_STATE;
    for (;;) {
        switch (c->state) {
        case ST_CONNECT: rc = step_connect(c, wait_ms); break;
        case ST_TLS: rc = step_tls(c, wait_ms); break;
        case ST_SEND: rc = step_send(c, wait_ms); break;
        case ST_RECV: rc = step_recv(c, wait_ms); break;
        default: return TVC_ERR_STATE;
        }
        if (rc < 0)
            return rc;
        if (c->state == ST_IDLE)
            return 0;
    }
}

int tvc_http_request(struct tvc_http_client *c, const struct tvc_http_req *req)
{
    int rc = tvc_http_start(c, req);
    if (rc < 0)
        return rc;
    do
        rc = tvc_http_step(c, 0xFFFFFFFFu);
    while (rc == TVC_ERR_AGAIN);
    return rc;
}
